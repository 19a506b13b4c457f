// Command open311seed fills an Icarus store with synthetic Open311 service
// requests for the Open311 benchmarks (bench/open311.sh). It is a benchmark
// tool, not part of the product: the requests are labelled "simulated" in
// their description and spread uniformly over the last --days days, over
// the default services and around --lat/--long.
//
//	go run ./bench/open311seed --data DIR -n 100000
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/icarus-city/icarus/internal/open311"
	"github.com/icarus-city/icarus/internal/store"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "open311seed:", err)
		os.Exit(1)
	}
}

func run() error {
	data := flag.String("data", "", "data `DIR` (SQLite)")
	db := flag.String("db", "", "database `URL` (PostgreSQL); default SQLite under --data")
	n := flag.Int("n", 100000, "number of requests")
	days := flag.Int("days", 365, "spread over the last `N` days")
	lat := flag.Float64("lat", 53.4808, "centre latitude")
	lon := flag.Float64("long", -2.2426, "centre longitude")
	seed := flag.Uint64("seed", 1, "random seed")
	count := flag.String("count", "", "count instead of seeding: the requests whose description starts with `PREFIX`, and how many distinct descriptions they have")
	flag.Parse()
	if *data == "" && *db == "" {
		return fmt.Errorf("give --data DIR or --db URL")
	}
	ctx := context.Background()
	end := time.Now().UTC()
	start := end.Add(-time.Duration(*days) * 24 * time.Hour)
	var clock time.Time
	st, err := store.Open(ctx, *db, *data, store.Options{Now: func() time.Time {
		if clock.IsZero() {
			return time.Now()
		}
		return clock
	}})
	if err != nil {
		return err
	}
	defer st.Close()
	if *count != "" {
		return countRequests(ctx, st, *count)
	}
	orgs, err := st.Orgs(ctx)
	if err != nil {
		return err
	}
	var org store.Org
	if len(orgs) == 0 {
		if org, err = st.EnsureOrg(ctx, "city", "City"); err != nil {
			return err
		}
	} else {
		org = orgs[0]
	}
	var defs []store.Service311
	for _, d := range open311.DefaultServices() {
		attrs, err := json.Marshal(d.Attributes)
		if err != nil {
			return err
		}
		defs = append(defs, store.Service311{OrgID: org.ID, Code: d.Code, Name: d.Name, Description: d.Description, Group: d.Group, Keywords: d.Keywords,
			Type: string(open311.Realtime), Sensitive: d.Sensitive, ICCS: d.ICCS, Department: d.Department, Notice: d.Notice, Attributes: string(attrs), Active: true})
	}
	if _, err := st.SeedServices(ctx, org.ID, defs); err != nil {
		return err
	}
	svcs, err := st.Services311(ctx, org.ID, true)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(*seed, 0x0311))
	statuses := open311.Statuses()
	t0 := time.Now()
	step := end.Sub(start) / time.Duration(*n)
	for i := range *n {
		v := svcs[rng.IntN(len(svcs))]
		clock = start.Add(step * time.Duration(i))
		mod := string(open311.ModApproved)
		if v.Sensitive && rng.IntN(4) == 0 {
			mod = string(open311.ModPending)
		}
		q := store.ServiceRequest{OrgID: org.ID, ServiceID: v.ID, Channel: "api", Status: string(statuses[rng.IntN(len(statuses))]), Moderation: mod,
			Department: v.Department, Description: fmt.Sprintf("simulated benchmark request %d", i+1), HasLoc: true,
			Lat: *lat + (rng.Float64()-0.5)*0.1, Lon: *lon + (rng.Float64()-0.5)*0.16, Attributes: "{}"}
		if _, err := st.CreateServiceRequest(ctx, q, ""); err != nil {
			return fmt.Errorf("request %d: %w", i+1, err)
		}
		if (i+1)%20000 == 0 {
			fmt.Fprintf(os.Stderr, "%d requests (%.0f/s)\n", i+1, float64(i+1)/time.Since(t0).Seconds())
		}
	}
	fmt.Printf("seeded %d requests for %s (%s) in %s\n", *n, org.Name, org.Slug, time.Since(t0).Round(time.Millisecond))
	return nil
}

// countRequests prints "rows N distinct M" for the requests whose
// description starts with prefix (wrk's POSTs): equal numbers mean that no
// request was stored twice.
func countRequests(ctx context.Context, st *store.Store, prefix string) error {
	orgs, err := st.Orgs(ctx)
	if err != nil || len(orgs) == 0 {
		return fmt.Errorf("no organisation (%v)", err)
	}
	rows, total, err := st.StaffRequests(ctx, store.StaffQuery{OrgID: orgs[0].ID, Sort: "id", Desc: true, Limit: 0})
	if err != nil {
		return err
	}
	n, seen := 0, map[string]bool{}
	for _, r := range rows {
		if strings.HasPrefix(r.Description, prefix) {
			n++
			seen[r.Description] = true
		}
	}
	fmt.Printf("total %d rows %d distinct %d\n", total, n, len(seen))
	return nil
}
