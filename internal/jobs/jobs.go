// Package jobs runs background work kept in the database (store.Job), so
// that on several nodes sharing one PostgreSQL each job runs on exactly one
// node: every node runs a Runner, and runners claim jobs through the store
// (FOR UPDATE SKIP LOCKED on PostgreSQL).
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"time"

	"github.com/icarus-city/icarus/internal/store"
)

// Handler does one job. An error makes the job run again later, until its
// attempts are used up.
type Handler func(ctx context.Context, j store.Job) error

// Runner claims and runs jobs of the kinds it has handlers for.
type Runner struct {
	Store    *store.Store
	Worker   string             // this runner's name, recorded on the jobs it claims
	Handlers map[string]Handler // by job kind
	Poll     time.Duration      // pause when no job is due (default 1s)
	Lease    time.Duration      // how long a claim lasts before another runner may take the job (default 5 min)
	Log      *slog.Logger
}

// WorkerName names a runner after the host and process.
func WorkerName() string {
	h, _ := os.Hostname()
	return fmt.Sprintf("%s:%d", h, os.Getpid())
}

func (r *Runner) kinds() []string {
	ks := make([]string, 0, len(r.Handlers))
	for k := range r.Handlers {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// RunOnce claims and runs one due job; it reports whether there was one.
func (r *Runner) RunOnce(ctx context.Context) (bool, error) {
	lease := r.Lease
	if lease <= 0 {
		lease = 5 * time.Minute
	}
	j, ok, err := r.Store.ClaimJob(ctx, r.Worker, r.kinds(), lease)
	if err != nil || !ok {
		return false, err
	}
	jctx, cancel := context.WithTimeout(ctx, lease)
	jerr := r.run(jctx, j)
	cancel()
	if r.Log != nil {
		if jerr != nil {
			r.Log.Warn("job failed", "id", j.ID, "kind", j.Kind, "attempt", j.Attempts, "err", jerr)
		} else {
			r.Log.Debug("job done", "id", j.ID, "kind", j.Kind)
		}
	}
	// report even when ctx ends, so that the job is not left to its lease
	fctx, fcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer fcancel()
	return true, r.Store.FinishJob(fctx, j.ID, r.Worker, jerr)
}

func (r *Runner) run(ctx context.Context, j store.Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("job %d (%s) panicked: %v", j.ID, j.Kind, p)
		}
	}()
	return r.Handlers[j.Kind](ctx, j)
}

// Run runs jobs until ctx ends.
func (r *Runner) Run(ctx context.Context) {
	poll := r.Poll
	if poll <= 0 {
		poll = time.Second
	}
	for ctx.Err() == nil {
		did, err := r.RunOnce(ctx)
		if err != nil && ctx.Err() == nil && r.Log != nil {
			r.Log.Error("job runner", "err", err)
		}
		if did && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
		case <-time.After(poll):
		}
	}
}

// Every enqueues a job of kind once per period across all nodes: each node
// calls it, and the dedupe key (kind and period number) lets one job in.
func Every(ctx context.Context, st *store.Store, kind string, period time.Duration, log *slog.Logger) {
	for {
		n := st.Now().Unix() / int64(period/time.Second)
		if _, err := st.EnqueueJob(ctx, store.Job{Kind: kind, Key: fmt.Sprintf("%s:%d", kind, n)}); err != nil && ctx.Err() == nil && log != nil {
			log.Error("enqueueing a periodic job", "kind", kind, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(period / 4):
		}
	}
}

// Standard kinds every node runs.
const (
	KindSweep = "sweep" // delete expired sessions, old rate-limit windows and old finished jobs
	KindProbe = "probe" // record in the audit log which node ran it: checks that runners work
)

// Standard returns the handlers of the standard kinds.
func Standard(st *store.Store, worker string) map[string]Handler {
	return map[string]Handler{
		KindSweep: func(ctx context.Context, j store.Job) error {
			_, err := st.Sweep(ctx, 30*24*time.Hour)
			return err
		},
		KindProbe: func(ctx context.Context, j store.Job) error {
			return st.Audit(ctx, store.AuditEntry{Actor: "system", Action: "job.probe", Target: fmt.Sprint(j.ID), Detail: worker + " " + j.Payload})
		},
	}
}
