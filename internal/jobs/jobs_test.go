package jobs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/icarus-city/icarus/internal/store"
	"github.com/icarus-city/icarus/internal/store/storetest"
)

func stores(t *testing.T) map[string]func(t *testing.T) []*store.Store {
	return map[string]func(t *testing.T) []*store.Store{
		"sqlite": func(t *testing.T) []*store.Store {
			dir := t.TempDir()
			var out []*store.Store
			for i := 0; i < 2; i++ {
				s, err := store.OpenSQLite(context.Background(), dir, store.Options{})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				out = append(out, s)
			}
			return out
		},
		"postgres": func(t *testing.T) []*store.Store {
			url := storetest.NewMigratedPostgresDB(t)
			var out []*store.Store
			for i := 0; i < 2; i++ {
				s, err := store.Open(context.Background(), url, "", store.Options{})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				out = append(out, s)
			}
			return out
		},
	}
}

// Two runners (as on two nodes, each with its own store) share the jobs:
// each job runs exactly once; a failing job is retried.
func TestRunnersShareJobsOnce(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			ss := open(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			const n = 40
			var mu sync.Mutex
			ran := map[string][]string{}
			var flaky atomic.Int32
			handlers := func(worker string) map[string]Handler {
				return map[string]Handler{
					"count": func(ctx context.Context, j store.Job) error {
						mu.Lock()
						ran[j.Payload] = append(ran[j.Payload], worker)
						mu.Unlock()
						return nil
					},
					"flaky": func(ctx context.Context, j store.Job) error {
						if flaky.Add(1) == 1 {
							return errors.New("first attempt fails")
						}
						return nil
					},
				}
			}
			for i := 0; i < n; i++ {
				if _, err := ss[i%2].EnqueueJob(ctx, store.Job{Kind: "count", Payload: fmt.Sprint(i)}); err != nil {
					t.Fatal(err)
				}
			}
			var wg sync.WaitGroup
			for i, s := range ss {
				r := &Runner{Store: s, Worker: fmt.Sprintf("node%d", i), Handlers: handlers(fmt.Sprintf("node%d", i)), Poll: 20 * time.Millisecond}
				wg.Add(1)
				go func() { defer wg.Done(); r.Run(ctx) }()
			}
			deadline := time.Now().Add(20 * time.Second)
			for {
				mu.Lock()
				done := len(ran)
				mu.Unlock()
				if done == n || time.Now().After(deadline) {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			time.Sleep(100 * time.Millisecond)
			cancel()
			wg.Wait()
			if len(ran) != n {
				t.Fatalf("%d of %d jobs ran", len(ran), n)
			}
			for p, ws := range ran {
				if len(ws) != 1 {
					t.Errorf("job %s ran %d times (%v)", p, len(ws), ws)
				}
			}
			js, err := ss[0].Jobs(context.Background(), 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, j := range js {
				if j.State != store.JobDone || j.Attempts != 1 {
					t.Errorf("job %d: %+v", j.ID, j)
				}
			}
		})
	}
}

func TestStandardAndEvery(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			ss := open(t)
			ctx, cancel := context.WithCancel(context.Background())
			// both nodes enqueue the periodic sweep: one job per period
			var wg sync.WaitGroup
			for _, s := range ss {
				wg.Add(1)
				go func() { defer wg.Done(); Every(ctx, s, KindSweep, time.Hour, nil) }()
			}
			time.Sleep(200 * time.Millisecond)
			cancel()
			wg.Wait()
			js, err := ss[0].Jobs(context.Background(), 10)
			if err != nil || len(js) != 1 || js[0].Kind != KindSweep {
				t.Fatalf("jobs after two nodes enqueued the hourly sweep: %+v, %v", js, err)
			}
			if _, err := ss[1].EnqueueJob(context.Background(), store.Job{Kind: KindProbe, Payload: "p"}); err != nil {
				t.Fatal(err)
			}
			r := &Runner{Store: ss[0], Worker: "w", Handlers: Standard(ss[0], "w")}
			for i := 0; i < 2; i++ {
				if ok, err := r.RunOnce(context.Background()); err != nil || !ok {
					t.Fatalf("RunOnce %d: %v, %v", i, ok, err)
				}
			}
			if ok, err := r.RunOnce(context.Background()); err != nil || ok {
				t.Fatalf("RunOnce with nothing due: %v, %v", ok, err)
			}
			log, err := ss[1].AuditLog(context.Background(), 0, 10)
			if err != nil || len(log) != 1 || log[0].Action != "job.probe" || log[0].Detail != "w p" {
				t.Errorf("audit after the probe: %+v, %v", log, err)
			}
		})
	}
}
