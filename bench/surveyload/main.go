// Command surveyload is the load harness of the survey submission target
// (issue 4, docs/benchmarks.md): N surveyors submit field responses to a
// running Icarus server for a while, each with its own idempotency keys and
// some deliberate repeats, and the harness then checks that what was
// acknowledged is exactly what is stored (zero lost, zero duplicated) and
// reports the latency quantiles. Not run in CI.
//
//	icarus demo --data /tmp/load-demo --addr 127.0.0.1:18090 &   # or icarus serve on a demo data dir
//	go run ./bench/surveyload -url http://127.0.0.1:18090 -data /tmp/load-demo
//
// The surveyors' accounts (load-surveyor-NNN@load.test, role field) and
// sessions are created directly in the server's database (-data or -db),
// since the sign-in form is rate-limited per address; the sessions are
// deleted at the end.
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/store"
	"github.com/icarus-city/icarus/internal/survey"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "surveyload:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("surveyload", flag.ContinueOnError)
	url := fs.String("url", "http://127.0.0.1:8080", "base `URL` of the running server")
	data := fs.String("data", "./icarus-data", "the server's data `DIR` (SQLite)")
	db := fs.String("db", "", "the server's database `URL` (PostgreSQL) instead of -data")
	orgSlug := fs.String("org", "greater-manchester", "organisation `slug`")
	surveyID := fs.Int64("survey", 0, "survey `ID` (default: the organisation's first field survey)")
	n := fs.Int("surveyors", 100, "concurrent surveyors")
	dur := fs.Duration("duration", 60*time.Second, "how long they submit")
	think := fs.Duration("think", 0, "pause of each surveyor after an acknowledged submission")
	jitter := fs.Bool("jitter", false, "stagger the surveyors' starts over one think time and draw each pause uniformly in [think/2, 3·think/2)")
	warmup := fs.Duration("warmup", 0, "report the latencies of submissions sent in the run's first `DURATION` apart (they are still counted and checked)")
	repeat := fs.Float64("repeat", 0.1, "share of submissions that resend an acknowledged key")
	seed := fs.Uint64("seed", 1, "random seed of the answers and repeats")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	st, err := store.Open(ctx, *db, *data, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	orgs, err := st.Orgs(ctx)
	if err != nil {
		return err
	}
	var org store.Org
	for _, o := range orgs {
		if o.Slug == *orgSlug {
			org = o
		}
	}
	if org.ID == 0 {
		return fmt.Errorf("no organisation %q in this database", *orgSlug)
	}
	sv, d, err := pickSurvey(ctx, st, org.ID, *surveyID)
	if err != nil {
		return err
	}
	bodies, err := makeBodies(ctx, st, org.ID, sv, d, *seed)
	if err != nil {
		return err
	}
	surveyors, tokens, err := makeSurveyors(ctx, st, org.ID, *n)
	if err != nil {
		return err
	}
	defer func() {
		for _, t := range tokens {
			st.DeleteSession(context.Background(), t)
		}
	}()
	before, err := st.SurveyResponses(ctx, sv.ID)
	if err != nil {
		return err
	}
	cfg := Config{BaseURL: strings.TrimRight(*url, "/"), SurveyID: sv.ID, Version: sv.Version, Surveyors: surveyors, Bodies: bodies,
		Duration: *dur, Think: *think, Jitter: *jitter, Warmup: *warmup, Repeat: *repeat, Seed: *seed, RunID: NewRunID()}
	fmt.Fprintf(out, "%d surveyors submitting to survey %d (%s) at %s for %s (think %s, jitter %t, repeats %.0f%%), run %s\n",
		*n, sv.ID, sv.Title, cfg.BaseURL, *dur, *think, *jitter, 100**repeat, cfg.RunID)
	if err := waitLoaded(ctx, cfg.BaseURL, out); err != nil {
		return err
	}
	res, err := Run(ctx, cfg)
	if err != nil {
		return err
	}
	after, err := st.SurveyResponses(ctx, sv.ID)
	if err != nil {
		return err
	}
	stored := map[string]int64{}
	rows := 0
	for _, r := range after {
		if strings.HasPrefix(r.IdemKey, cfg.RunID+"-") {
			rows++
			stored[r.IdemKey] = r.ID
		}
	}
	lost, foreign, mismatched := Check(res.Acked, stored)
	dup := rows - len(stored)
	report(out, res, len(before), len(after), rows, lost, foreign, mismatched, dup)
	if lost > 0 || dup > 0 || mismatched > 0 || res.RepeatMismatch > 0 || len(res.Acked) != rows {
		return errors.New("FAILED: acknowledged and stored responses differ")
	}
	return nil
}

func report(out io.Writer, res Result, before, after, rows, lost, foreign, mismatched, dup int) {
	fmt.Fprintf(out, "machine: %s, %d CPUs, %s/%s, %s\n", cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	fmt.Fprintf(out, "elapsed %.1fs; requests sent %d (%.0f/s)\n", res.Elapsed.Seconds(), res.Sent, float64(res.Sent)/res.Elapsed.Seconds())
	fmt.Fprintf(out, "acknowledged new responses %d (201), deliberate repeats acknowledged %d (200, same id), repeat mismatches %d\n", res.Created, res.Repeated, res.RepeatMismatch)
	fmt.Fprintf(out, "not acknowledged and resent with the same key: %d rate-limited (429), %d other failures\n", res.RateLimited, res.Failed)
	fmt.Fprintf(out, "stored rows of this run %d (survey: %d before, %d after); acknowledged keys %d; lost %d; duplicated %d; stored but unacknowledged %d; id mismatches %d\n",
		rows, before, after, len(res.Acked), lost, dup, foreign, mismatched)
	fmt.Fprintf(out, "latency of new submissions (n=%d): p50 %s  p95 %s  p99 %s  max %s\n", len(res.Latency),
		ms(Quantile(res.Latency, 0.50)), ms(Quantile(res.Latency, 0.95)), ms(Quantile(res.Latency, 0.99)), ms(Quantile(res.Latency, 1)))
	if len(res.WarmupLatency) > 0 {
		fmt.Fprintf(out, "latency of new submissions sent during the warm-up (%s) (n=%d): p50 %s  p99 %s  max %s\n", res.Warmup, len(res.WarmupLatency),
			ms(Quantile(res.WarmupLatency, 0.50)), ms(Quantile(res.WarmupLatency, 0.99)), ms(Quantile(res.WarmupLatency, 1)))
	}
	if slow := slowBySecond(res, 50*time.Millisecond); slow != "" {
		fmt.Fprintf(out, "new submissions over 50 ms, by second of the run they were sent in: %s\n", slow)
	}
	fmt.Fprintf(out, "latency of repeats (n=%d): p50 %s  p95 %s  p99 %s\n", len(res.RepeatLatency),
		ms(Quantile(res.RepeatLatency, 0.50)), ms(Quantile(res.RepeatLatency, 0.95)), ms(Quantile(res.RepeatLatency, 0.99)))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/1e6) }

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "model name") {
			if i := strings.Index(l, ":"); i >= 0 {
				return strings.TrimSpace(l[i+1:])
			}
		}
	}
	return "unknown CPU"
}

func pickSurvey(ctx context.Context, st *store.Store, orgID, id int64) (store.Survey, *survey.Definition, error) {
	if id == 0 {
		svs, err := st.Surveys(ctx, orgID)
		if err != nil {
			return store.Survey{}, nil, err
		}
		for _, s := range svs {
			if s.Access == survey.AccessField {
				id = s.ID
				break
			}
		}
		if id == 0 {
			return store.Survey{}, nil, errors.New("the organisation has no field survey (run icarus demo first, or give -survey)")
		}
	}
	sv, err := st.SurveyByID(ctx, orgID, id)
	if err != nil {
		return sv, nil, err
	}
	var d survey.Definition
	if err := json.Unmarshal(sv.Definition, &d); err != nil {
		return sv, nil, err
	}
	return sv, &d, nil
}

// makeBodies simulates 1,000 valid responses over the organisation's areas.
func makeBodies(ctx context.Context, st *store.Store, orgID int64, sv store.Survey, d *survey.Definition, seed uint64) ([][]byte, error) {
	ls, err := st.Layers(ctx, orgID)
	if err != nil {
		return nil, err
	}
	var codes []string
	for _, l := range ls {
		as, err := st.Areas(ctx, orgID, l.ID, false)
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			codes = append(codes, a.Code)
		}
		if len(codes) > 0 {
			break
		}
	}
	if len(codes) == 0 {
		codes = []string{"A"}
	}
	raws := survey.Simulate(d, codes, max(1, 1000/len(codes)+1), mrand.New(mrand.NewPCG(seed, 99)))
	var out [][]byte
	for _, raw := range raws[:min(len(raws), 1000)] {
		b, err := json.Marshal(map[string]any{"answers": raw, "consent": true, "version": sv.Version})
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// makeSurveyors creates (or reuses) n field accounts and a session for each.
func makeSurveyors(ctx context.Context, st *store.Store, orgID int64, n int) ([]Surveyor, []string, error) {
	pw, err := auth.NewToken(rand.Reader, 24)
	if err != nil {
		return nil, nil, err
	}
	hash, err := auth.HashPassword(pw, auth.DefaultParams(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	var out []Surveyor
	var tokens []string
	for i := range n {
		email := fmt.Sprintf("load-surveyor-%03d@load.test", i)
		u, _, err := st.UserByEmail(ctx, email)
		if err != nil {
			if u, err = st.CreateUser(ctx, store.User{OrgID: orgID, Email: email, Name: fmt.Sprintf("Load surveyor %d", i), Role: auth.Field}, hash); err != nil {
				return nil, nil, err
			}
		}
		tok, err := auth.NewToken(rand.Reader, 32)
		if err != nil {
			return nil, nil, err
		}
		csrf, err := auth.NewToken(rand.Reader, 24)
		if err != nil {
			return nil, nil, err
		}
		if err := st.CreateSession(ctx, tok, u.ID, csrf, 2*time.Hour); err != nil {
			return nil, nil, err
		}
		out = append(out, Surveyor{Cookie: tok, CSRF: csrf})
		tokens = append(tokens, tok)
	}
	return out, tokens, nil
}

// waitLoaded waits until the server's /healthz no longer reports a data load
// beside it (icarus demo loads its incident files after it starts serving):
// measuring during the load measures the load.
func waitLoaded(ctx context.Context, base string, out io.Writer) error {
	said := false
	for deadline := time.Now().Add(5 * time.Minute); time.Now().Before(deadline); {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return fmt.Errorf("server health: %w", err)
		}
		var h struct {
			Status  string          `json:"status"`
			Loading json.RawMessage `json:"loading"`
		}
		err = json.NewDecoder(resp.Body).Decode(&h)
		resp.Body.Close()
		if err != nil || h.Status != "ok" {
			return fmt.Errorf("server health: status %q (%v)", h.Status, err)
		}
		if h.Loading == nil {
			return nil
		}
		if !said {
			fmt.Fprintf(out, "waiting for the server's data load to end: %s\n", h.Loading)
			said = true
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	return fmt.Errorf("the server still loads data after 5 minutes")
}

// slowBySecond counts the acknowledged new submissions slower than limit per
// second of the run ("12s:40 13s:2"), to tell a stall from a steady tail.
func slowBySecond(res Result, limit time.Duration) string {
	per := map[int]int{}
	var secs []int
	for i, d := range res.Latency {
		if d > limit {
			s := int(res.SentAt[i] / time.Second)
			if per[s] == 0 {
				secs = append(secs, s)
			}
			per[s]++
		}
	}
	slices.Sort(secs)
	var b strings.Builder
	for _, s := range secs {
		fmt.Fprintf(&b, "%ds:%d ", s, per[s])
	}
	return strings.TrimSpace(b.String())
}
