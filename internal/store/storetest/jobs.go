package storetest

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/icarus-city/icarus/internal/store"
)

func testJobsLifecycle(e *env) {
	id, err := e.s.EnqueueJob(e.ctx, store.Job{Kind: "report", Payload: `{"n":1}`})
	e.must(err)
	// a dedupe key enqueues once
	k1, err := e.s.EnqueueJob(e.ctx, store.Job{Kind: "sweep", Key: "sweep:1"})
	e.must(err)
	k2, err := e.s.EnqueueJob(e.ctx, store.Job{Kind: "sweep", Key: "sweep:1"})
	e.must(err)
	if k1 != k2 || k1 == id {
		e.t.Errorf("dedupe: ids %d, %d (first job %d)", k1, k2, id)
	}
	_, err = e.s.EnqueueJob(e.ctx, store.Job{Kind: ""})
	if err == nil {
		e.t.Error("a job without kind was enqueued")
	}
	// a job in the future is not due
	later, err := e.s.EnqueueJob(e.ctx, store.Job{Kind: "report", RunAt: Start.Add(time.Hour)})
	e.must(err)

	j, ok, err := e.s.ClaimJob(e.ctx, "w1", []string{"report"}, time.Minute)
	e.must(err)
	if !ok || j.ID != id || j.Kind != "report" || j.Payload != `{"n":1}` || j.State != store.JobRunning || j.Attempts != 1 || j.LockedBy != "w1" {
		e.t.Fatalf("ClaimJob = %+v, %v; want job %d running for w1", j, ok, id)
	}
	if _, ok, err := e.s.ClaimJob(e.ctx, "w2", []string{"report"}, time.Minute); err != nil || ok {
		e.t.Errorf("second claim of report got a job (%v): the running one or the future one", err)
	}
	e.must(e.s.FinishJob(e.ctx, j.ID, "w1", nil))
	got, err := e.s.Job(e.ctx, j.ID)
	e.must(err)
	if got.State != store.JobDone || !got.Finished.Equal(Start) {
		e.t.Errorf("finished job = %+v", got)
	}
	// any kind
	j, ok, err = e.s.ClaimJob(e.ctx, "w2", nil, time.Minute)
	e.must(err)
	if !ok || j.ID != k1 {
		e.t.Errorf("ClaimJob(any) = %+v, %v; want the sweep job %d", j, ok, k1)
	}
	e.clock.Advance(time.Hour)
	if j, ok, err := e.s.ClaimJob(e.ctx, "w1", []string{"report"}, time.Minute); err != nil || !ok || j.ID != later {
		e.t.Errorf("after an hour ClaimJob = %+v, %v, %v; want job %d", j, ok, err, later)
	}
	if _, err := e.s.Job(e.ctx, 9999); !isNotFound(err) {
		e.t.Errorf("Job(9999) error %v, want not found", err)
	}
	js, err := e.s.Jobs(e.ctx, 10)
	e.must(err)
	if len(js) != 3 || js[0].ID != later {
		e.t.Errorf("Jobs = %+v", js)
	}
}

func testJobsRetryAndLease(e *env) {
	id, err := e.s.EnqueueJob(e.ctx, store.Job{Kind: "flaky", MaxAttempts: 2})
	e.must(err)
	j, ok, err := e.s.ClaimJob(e.ctx, "w1", nil, time.Minute)
	e.must(err)
	if !ok || j.ID != id {
		e.t.Fatalf("claim = %+v, %v", j, ok)
	}
	e.must(e.s.FinishJob(e.ctx, id, "w1", errors.New("boom")))
	got, _ := e.s.Job(e.ctx, id)
	if got.State != store.JobQueued || got.LastError != "boom" || !got.RunAt.After(Start) {
		e.t.Errorf("after a failure = %+v; want queued again later", got)
	}
	if _, ok, _ := e.s.ClaimJob(e.ctx, "w1", nil, time.Minute); ok {
		e.t.Error("a failed job was claimed again before its pause")
	}
	e.clock.Advance(10 * time.Minute)
	j, ok, err = e.s.ClaimJob(e.ctx, "w2", nil, time.Minute)
	e.must(err)
	if !ok || j.Attempts != 2 {
		e.t.Fatalf("retry claim = %+v, %v", j, ok)
	}
	// the lease runs out: another runner takes it, and the first one's report is ignored
	e.clock.Advance(2 * time.Minute)
	j, ok, err = e.s.ClaimJob(e.ctx, "w3", nil, time.Minute)
	e.must(err)
	if !ok || j.ID != id || j.LockedBy != "w3" {
		e.t.Fatalf("claim after the lease ran out = %+v, %v", j, ok)
	}
	e.must(e.s.FinishJob(e.ctx, id, "w2", nil))
	if got, _ := e.s.Job(e.ctx, id); got.State != store.JobRunning || got.LockedBy != "w3" {
		e.t.Errorf("a stale runner's report changed the job: %+v", got)
	}
	e.must(e.s.FinishJob(e.ctx, id, "w3", errors.New("boom again")))
	if got, _ := e.s.Job(e.ctx, id); got.State != store.JobFailed || got.Finished.IsZero() {
		e.t.Errorf("after its attempts are used up = %+v; want failed", got)
	}
	// Sweep removes old finished jobs, expired sessions and old rate-limit windows
	e.clock.Advance(48 * time.Hour)
	n, err := e.s.Sweep(e.ctx, 24*time.Hour)
	e.must(err)
	if n != 1 {
		e.t.Errorf("Sweep deleted %d rows, want the failed job", n)
	}
}

// testJobsClaimedOnce: many runners at once, every job claimed exactly once.
func testJobsClaimedOnce(e *env) {
	const jobs, workers = 60, 8
	for i := 0; i < jobs; i++ {
		_, err := e.s.EnqueueJob(e.ctx, store.Job{Kind: "k", Payload: fmt.Sprint(i)})
		e.must(err)
	}
	var mu sync.Mutex
	claims := map[int64]int{}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("w%d", w)
			for {
				j, ok, err := e.s.ClaimJob(e.ctx, name, []string{"k"}, time.Minute)
				if err != nil {
					errs <- err
					return
				}
				if !ok {
					return
				}
				mu.Lock()
				claims[j.ID]++
				mu.Unlock()
				if err := e.s.FinishJob(e.ctx, j.ID, name, nil); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		e.t.Error(err)
	}
	if len(claims) != jobs {
		e.t.Errorf("%d jobs claimed, want %d", len(claims), jobs)
	}
	for id, n := range claims {
		if n != 1 {
			e.t.Errorf("job %d claimed %d times", id, n)
		}
	}
}
