package store_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/icarus-city/icarus/internal/realdata"
	"github.com/icarus-city/icarus/internal/store"
	"github.com/icarus-city/icarus/internal/store/storetest"
)

// Benchmarks of the knowledge base (docs/benchmarks.md, "Knowledge base"):
//
//	go test ./internal/store -run '^$' -bench 'KB' -benchtime 2x
//
// BenchmarkKBSearch10k loads 10,000 documents (storetest.KBCorpus) once per
// store, then runs the 50 queries of storetest.KBQueries b.N times and
// reports the p50, p95 and max latency of one search (limit 20, as the API).
// BenchmarkKBPut1000 saves 1,000 documents in one transaction.

func kbBenchStore(b *testing.B, dialect string) *store.Store {
	b.Helper()
	ctx := context.Background()
	var st *store.Store
	var err error
	if dialect == "postgres" {
		url := storetest.NewMigratedPostgresDB(b)
		st, err = store.Open(ctx, url, b.TempDir(), store.Options{})
	} else {
		st, err = store.Open(ctx, "", b.TempDir(), store.Options{})
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

func kbBenchParagraphs(b *testing.B) []string {
	b.Helper()
	ref := filepath.Join(realdata.Dir(b), "..", "reference")
	paras, err := storetest.KBParagraphs(ref)
	if err != nil {
		b.Skip(err)
	}
	return paras
}

func benchKBSearch(b *testing.B, dialect string) {
	ctx := context.Background()
	st := kbBenchStore(b, dialect)
	org, err := st.EnsureOrg(ctx, "bench", "Bench")
	if err != nil {
		b.Fatal(err)
	}
	docs := storetest.KBCorpus(org.ID, kbBenchParagraphs(b), 10000, 1)
	t0 := time.Now()
	for i := 0; i < len(docs); i += 500 {
		if _, _, err := st.PutKBItemsAs(ctx, docs[i:min(i+500, len(docs))], "bench", ""); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%s: loaded 10,000 documents in %s", dialect, time.Since(t0).Round(time.Millisecond))
	qs := storetest.KBQueries()
	var lat, cpu []time.Duration
	b.ResetTimer()
	for range b.N {
		for _, q := range qs {
			c0 := cpuTime()
			t := time.Now()
			_, err := st.SearchKB(ctx, org.ID, q, "en", store.KBFilter{}, 20)
			lat = append(lat, time.Since(t))
			cpu = append(cpu, cpuTime()-c0)
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	slices.Sort(cpu)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*95/100]), "p95-ms")
	b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
	// the process CPU time of one search (user + system), which the load of
	// other work on a shared machine inflates much less than wall time; on
	// PostgreSQL the server's CPU is not included
	b.ReportMetric(ms(cpu[len(cpu)*95/100]), "p95-cpu-ms")
	b.ReportMetric(0, "ns/op")
}

// cpuTime is the CPU time (user + system) of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkKBSearch10kSQLite(b *testing.B)   { benchKBSearch(b, "sqlite") }
func BenchmarkKBSearch10kPostgres(b *testing.B) { benchKBSearch(b, "postgres") }

func BenchmarkKBPut1000(b *testing.B) {
	ctx := context.Background()
	paras := kbBenchParagraphs(b)
	for range b.N {
		b.StopTimer()
		st := kbBenchStore(b, "sqlite")
		org, err := st.EnsureOrg(ctx, "bench", "Bench")
		if err != nil {
			b.Fatal(err)
		}
		docs := storetest.KBCorpus(org.ID, paras, 1000, 2)
		b.StartTimer()
		if _, _, err := st.PutKBItemsAs(ctx, docs, "bench", ""); err != nil {
			b.Fatal(err)
		}
	}
}

// TestKBWriteCorpusFiles writes 1,000 corpus documents as files for the
// import harness (bench/kb.sh) when KB_CORPUS_OUT names a directory.
func TestKBWriteCorpusFiles(t *testing.T) {
	dir := os.Getenv("KB_CORPUS_OUT")
	if dir == "" {
		t.Skip("KB_CORPUS_OUT not set (used by bench/kb.sh)")
	}
	paras, err := storetest.KBParagraphs(filepath.Join(realdata.Dir(t), "..", "reference"))
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range storetest.KBCorpus(0, paras, 1000, 3) {
		var name, content string
		switch i % 3 {
		case 0:
			name, content = "doc.txt", d.Title+"\n\n"+d.Body
		case 1:
			name, content = "doc.md", "# "+d.Title+"\n\n"+d.Body
		default:
			name, content = "doc.html", "<html><head><title>"+d.Title+"</title></head><body><p>"+d.Body+"</p></body></html>"
		}
		p := filepath.Join(dir, filepath.Base(d.Key[len("bench:"):])+"-"+name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
