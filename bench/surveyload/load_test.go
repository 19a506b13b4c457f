package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/icarus-city/icarus/internal/config"
	"github.com/icarus-city/icarus/internal/store"
	"github.com/icarus-city/icarus/internal/survey"
	"github.com/icarus-city/icarus/internal/web"
)

// server starts the real HTTP stack on a real SQLite store in a temporary
// directory, with the Riga survey (field access) and n surveyor sessions.
func server(tb testing.TB, n int) (*store.Store, *httptest.Server, store.Survey, *survey.Definition, []Surveyor) {
	tb.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "", tb.TempDir(), store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	org, err := st.EnsureOrg(ctx, "load", "Load test")
	if err != nil {
		tb.Fatal(err)
	}
	d := survey.Riga("Load test (SIMULATED)", true)
	b, _ := json.Marshal(d)
	sv, err := st.CreateSurvey(ctx, org.ID, "Load test", d.Access, true, b)
	if err != nil {
		tb.Fatal(err)
	}
	srv, err := web.New(web.Options{Store: st, Config: config.Default(), UploadDir: tb.TempDir()})
	if err != nil {
		tb.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	tb.Cleanup(ts.Close)
	svs, _, err := makeSurveyors(ctx, st, org.ID, n)
	if err != nil {
		tb.Fatal(err)
	}
	return st, ts, sv, &d, svs
}

// TestRunStoresEachAcknowledgedResponseOnce runs the harness for a short
// while (real server, real SQLite) and checks its accounting against the
// store: every acknowledged response stored once, repeats answered with the
// first id, nothing stored that was not acknowledged.
func TestRunStoresEachAcknowledgedResponseOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("load run skipped in -short mode")
	}
	st, ts, sv, d, svs := server(t, 8)
	bodies, err := makeBodies(context.Background(), st, sv.OrgID, sv, d, 3)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{BaseURL: ts.URL, SurveyID: sv.ID, Version: sv.Version, Surveyors: svs, Bodies: bodies, Duration: 2 * time.Second, Repeat: 0.3, Seed: 5, RunID: NewRunID()}
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := st.SurveyResponses(context.Background(), sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]int64{}
	for _, r := range rs {
		if strings.HasPrefix(r.IdemKey, cfg.RunID) {
			if _, dup := stored[r.IdemKey]; dup {
				t.Errorf("key %s stored twice", r.IdemKey)
			}
			stored[r.IdemKey] = r.ID
		}
	}
	lost, foreign, mismatched := Check(res.Acked, stored)
	if res.Created == 0 || res.Repeated == 0 {
		t.Fatalf("the run made %d responses and %d repeats: nothing was tested", res.Created, res.Repeated)
	}
	if lost != 0 || foreign != 0 || mismatched != 0 || res.RepeatMismatch != 0 || len(stored) != res.Created || len(rs) != res.Created {
		t.Errorf("acknowledged %d (%d keys), stored %d of this run (%d in all): lost %d, unacknowledged %d, mismatched %d, repeat mismatches %d",
			res.Created, len(res.Acked), len(stored), len(rs), lost, foreign, mismatched, res.RepeatMismatch)
	}
	if len(res.Latency)+len(res.WarmupLatency) != res.Created {
		t.Errorf("%d latencies for %d acknowledged responses", len(res.Latency)+len(res.WarmupLatency), res.Created)
	}
}

// BenchmarkSurveySubmit is one new field response per operation through the
// real HTTP stack and SQLite store (parallel surveyors; each operation a
// fresh idempotency key). go test -bench SurveySubmit -run ^$ ./bench/surveyload/
func BenchmarkSurveySubmit(b *testing.B) {
	st, ts, sv, d, svs := server(b, 64)
	bodies, err := makeBodies(context.Background(), st, sv.OrgID, sv, d, 3)
	if err != nil {
		b.Fatal(err)
	}
	url := fmt.Sprintf("%s/api/v1/surveys/%d/responses", ts.URL, sv.ID)
	var next atomic.Int64
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	prefix := rand.Text()
	par := 25 // × GOMAXPROCS concurrent surveyors (SURVEYLOAD_PAR)
	if v, err := strconv.Atoi(os.Getenv("SURVEYLOAD_PAR")); err == nil && v > 0 {
		par = v
	}
	b.SetParallelism(par)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			sv := svs[int(i)%len(svs)]
			req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(bodies[int(i)%len(bodies)]))
			req.Header.Set("Idempotency-Key", fmt.Sprintf("%s-%d", prefix, i))
			req.Header.Set("X-CSRF-Token", sv.CSRF)
			req.AddCookie(&http.Cookie{Name: "icarus_session", Value: sv.Cookie})
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 201 && resp.StatusCode != 429 {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
}
