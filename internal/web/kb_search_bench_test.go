package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/icarus-city/icarus/internal/realdata"
	"github.com/icarus-city/icarus/internal/store"
	"github.com/icarus-city/icarus/internal/store/storetest"
)

// BenchmarkKBSearchAPI10k* (docs/benchmarks.md, "Knowledge base: search
// facets"): GET /api/v1/kb/search end to end, through the real router and
// HTTP, over the 10,000 documents of the store benchmark
// (storetest.KBCorpus with the same seed as BenchmarkKBSearch10k) and its 50
// queries (storetest.KBQueries). Each request runs the search (20 hits) and
// the facet counts, as the page and the API do; the benchmark reports the
// p50, p95 and max latency of one request as the client sees it, after one
// untimed pass over the queries.
//
//	go test ./internal/web -run '^$' -bench 'KBSearchAPI10k' -benchtime 1x -timeout 30m
//
// The PostgreSQL variant runs when ICARUS_TEST_PG_URL is set.
func benchKBSearchAPI(b *testing.B, dialect string) {
	ctx := context.Background()
	var st *store.Store
	var err error
	if dialect == "postgres" {
		if os.Getenv("ICARUS_TEST_PG_URL") == "" {
			b.Skip("ICARUS_TEST_PG_URL not set")
		}
		st, err = store.Open(ctx, storetest.NewMigratedPostgresDB(b), b.TempDir(), store.Options{})
	} else {
		st, err = store.OpenSQLite(ctx, b.TempDir(), store.Options{})
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	org, err := st.EnsureOrg(ctx, "bench", "Bench")
	if err != nil {
		b.Fatal(err)
	}
	paras, err := storetest.KBParagraphs(filepath.Join(realdata.Dir(b), "..", "reference"))
	if err != nil {
		b.Skip(err)
	}
	docs := storetest.KBCorpus(org.ID, paras, 10000, 1)
	for i := 0; i < len(docs); i += 500 {
		if _, _, err := st.PutKBItemsAs(ctx, docs[i:min(i+500, len(docs))], "bench", ""); err != nil {
			b.Fatal(err)
		}
	}
	docs = nil
	cfg := testConfig()
	cfg.PublicReadsPerIP = 0 // the benchmark's requests all come from one address
	srv, err := New(Options{Store: st, Config: cfg, UploadDir: filepath.Join(b.TempDir(), "uploads")})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	b.Cleanup(func() { ts.Close(); srv.Shutdown(context.Background()) })

	qs := storetest.KBQueries()
	var lat []time.Duration
	matched := 0
	// one pass untimed, as a server that has been answering: the pages
	// read, the connections open, the log of the load checkpointed
	for pass := -1; pass < b.N; pass++ {
		if pass == 0 {
			lat, matched = lat[:0], 0
			b.ResetTimer()
		}
		for _, q := range qs {
			t := time.Now()
			res, err := http.Get(ts.URL + "/api/v1/kb/search?q=" + url.QueryEscape(q))
			if err != nil {
				b.Fatal(err)
			}
			body, err := io.ReadAll(res.Body)
			res.Body.Close()
			lat = append(lat, time.Since(t))
			if err != nil || res.StatusCode != 200 {
				b.Fatalf("%s: status %d %v: %s", q, res.StatusCode, err, body)
			}
			var out struct {
				Total   int `json:"total"`
				Results []struct {
					ID int64 `json:"id"`
				} `json:"results"`
				Facets map[string][]json.RawMessage `json:"facets"`
			}
			if err := json.Unmarshal(body, &out); err != nil {
				b.Fatalf("%s: %v", q, err)
			}
			if out.Total > 0 && (len(out.Results) == 0 || len(out.Facets) == 0) {
				b.Fatalf("%s: %d matches but %d results and %d facet groups", q, out.Total, len(out.Results), len(out.Facets))
			}
			matched += out.Total
		}
	}
	b.StopTimer()
	if matched == 0 {
		b.Fatal("no query matched: the API does not answer for the benchmark's organisation")
	}
	// the slowest requests, to see which queries make the tail
	type took struct {
		q string
		d time.Duration
	}
	var all []took
	for i, d := range lat {
		all = append(all, took{qs[i%len(qs)], d})
	}
	slices.SortFunc(all, func(a, b took) int { return int(b.d - a.d) })
	for _, t := range all[:min(5, len(all))] {
		b.Logf("%s: slow request %q: %s", dialect, t.q, t.d.Round(time.Millisecond/10))
	}
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*95/100]), "p95-ms")
	b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
	b.ReportMetric(float64(matched)/float64(len(lat)), "matches/query")
	b.ReportMetric(0, "ns/op")
}

func BenchmarkKBSearchAPI10kSQLite(b *testing.B)   { benchKBSearchAPI(b, "sqlite") }
func BenchmarkKBSearchAPI10kPostgres(b *testing.B) { benchKBSearchAPI(b, "postgres") }
