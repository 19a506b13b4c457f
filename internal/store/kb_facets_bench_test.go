package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/icarus-city/icarus/internal/store"
	"github.com/icarus-city/icarus/internal/store/storetest"
)

// BenchmarkKBFacets10k* (docs/benchmarks.md, "Knowledge base: search
// facets"): the facet counts (store.KBFacets) of the 50 queries of
// storetest.KBQueries over the 10,000 documents of storetest.KBCorpus, as
// the search page asks them beside each search:
//
//	go test ./internal/store -run '^$' -bench 'KBFacets10k' -benchtime 1x -timeout 30m
func benchKBFacets(b *testing.B, dialect string) {
	ctx := context.Background()
	st := kbBenchStore(b, dialect)
	org, err := st.EnsureOrg(ctx, "bench", "Bench")
	if err != nil {
		b.Fatal(err)
	}
	docs := storetest.KBCorpus(org.ID, kbBenchParagraphs(b), 10000, 1)
	for i := 0; i < len(docs); i += 500 {
		if _, _, err := st.PutKBItemsAs(ctx, docs[i:min(i+500, len(docs))], "bench", ""); err != nil {
			b.Fatal(err)
		}
	}
	qs := storetest.KBQueries()
	var lat, cpu []time.Duration
	matched := 0
	// one pass untimed: right after the load the process is still
	// checkpointing its write-ahead log and its caches are cold, which the
	// first queries would otherwise measure
	for pass := -1; pass < b.N; pass++ {
		if pass == 0 {
			lat, cpu, matched = lat[:0], cpu[:0], 0
			b.ResetTimer()
		}
		for _, q := range qs {
			c0 := cpuTime()
			t := time.Now()
			fc, err := st.KBFacets(ctx, org.ID, q, store.KBFilter{})
			lat = append(lat, time.Since(t))
			cpu = append(cpu, cpuTime()-c0)
			if err != nil {
				b.Fatal(err)
			}
			matched += fc.Total
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	slices.Sort(cpu)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*95/100]), "p95-ms")
	b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
	b.ReportMetric(ms(cpu[len(cpu)*95/100]), "p95-cpu-ms")
	b.ReportMetric(float64(matched)/float64(len(lat)), "matches/query")
	b.ReportMetric(0, "ns/op")
}

func BenchmarkKBFacets10kSQLite(b *testing.B)   { benchKBFacets(b, "sqlite") }
func BenchmarkKBFacets10kPostgres(b *testing.B) { benchKBFacets(b, "postgres") }
