package cli

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/config"
	"github.com/icarus-city/icarus/internal/jobs"
	"github.com/icarus-city/icarus/internal/store"
)

// runDB is 'icarus db copy': moving an installation between databases
// (SQLite to PostgreSQL, or back).
func runDB(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(env.Stdout, "Usage: icarus db copy --from sqlite:DIR --to postgres://user@host:5432/icarus\n\nRun 'icarus db copy --help' for the flags.")
		if len(args) == 0 {
			return apperr.New(apperr.Invalid, "say what to do: copy")
		}
		return nil
	}
	if args[0] != "copy" {
		return apperr.New(apperr.Invalid, "unknown db command %q: want copy", args[0])
	}
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	fs := newFlags(env, "db copy", "db copy --from sqlite:DIR --to postgres://user@host:5432/icarus")
	from := fs.String("from", "", "source database `URL`: sqlite:DIR or postgres://... (default: the configured store, --data or ICARUS_DB)")
	to := fs.String("to", "", "target database `URL`: postgres://... (an empty database) or sqlite:DIR (a new directory)")
	cfg.DataFlag(fs)
	if _, err := parse(fs, args[1:]); err != nil {
		return err
	}
	src := *from
	if src == "" {
		src = cfg.DB
		if src == "" {
			src = "sqlite:" + cfg.DataDir
		}
	}
	if *to == "" {
		return apperr.New(apperr.Invalid, "--to is required (e.g. --to postgres://icarus@127.0.0.1:5432/icarus)")
	}
	if src == *to {
		return apperr.New(apperr.Invalid, "--from and --to name the same database")
	}
	// a SQLite source must exist: opening it would otherwise create an empty one
	if strings.HasPrefix(src, "sqlite:") {
		dir := strings.TrimPrefix(strings.TrimPrefix(src, "sqlite:"), "//")
		if _, err := os.Stat(filepath.Join(dir, store.DBFile)); err != nil {
			return apperr.New(apperr.NotFound, "no Icarus database in %s (%s missing)", dir, store.DBFile)
		}
	}
	t0 := time.Now()
	s, err := store.Open(ctx, src, cfg.DataDir, store.Options{})
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	defer s.Close()
	d, err := store.Open(ctx, *to, cfg.DataDir, store.Options{})
	if err != nil {
		return fmt.Errorf("target: %w", err)
	}
	defer d.Close()
	fmt.Fprintf(env.Stderr, "copying %s to %s\n", store.Redact(src), store.Redact(*to))
	counts, err := store.Copy(ctx, d, s, func(table string, n int64) {
		fmt.Fprintf(env.Stderr, "  %-18s %10d rows\n", table, n)
	})
	if err != nil {
		return err
	}
	names := make([]string, 0, len(counts))
	var total int64
	for t, n := range counts {
		names = append(names, t)
		total += n
	}
	sort.Strings(names)
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TABLE\tROWS\tVERIFIED")
	for _, t := range names {
		fmt.Fprintf(tw, "%s\t%d\tyes\n", t, counts[t])
	}
	tw.Flush()
	fmt.Fprintf(env.Stdout, "copied %d rows in %d tables in %.1fs; the row counts of every table match\n", total, len(names), time.Since(t0).Seconds())
	return nil
}

// uploadDir is where serve keeps uploaded files between preview and import:
// the data directory, or, on PostgreSQL without an explicit --data, the
// system's temporary directory (a PostgreSQL node needs no data directory).
func uploadDir(cfg config.Config) string {
	if cfg.Postgres() && cfg.DataDir == config.Default().DataDir {
		return filepath.Join(os.TempDir(), "icarus-uploads")
	}
	return filepath.Join(cfg.DataDir, "uploads")
}

// dataLocation says where the data is, for messages (no password).
func dataLocation(cfg config.Config) string {
	if cfg.DB != "" {
		return store.Redact(cfg.DB)
	}
	return cfg.DataDir
}

// jobFeature is a feature's background work: its job handlers and the
// kinds enqueued periodically (once per period across all nodes).
type jobFeature struct {
	handlers map[string]jobs.Handler
	every    map[string]time.Duration
}

// startJobs runs this node's background job runner and enqueues the
// hourly sweep (one per hour across all nodes) and the features' periodic
// jobs; the returned function stops them and waits for them.
func startJobs(ctx context.Context, st *store.Store, log *slog.Logger, feats ...jobFeature) func() {
	ctx, cancel := context.WithCancel(ctx)
	worker := jobs.WorkerName()
	handlers := withAnalysisJobs(st, jobs.Standard(st, worker))
	for _, f := range feats {
		maps.Copy(handlers, f.handlers)
	}
	r := &jobs.Runner{Store: st, Worker: worker, Handlers: handlers, Log: log}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); r.Run(ctx) }()
	go func() { defer wg.Done(); jobs.Every(ctx, st, jobs.KindSweep, time.Hour, log) }()
	for _, f := range feats {
		for kind, period := range f.every {
			wg.Add(1)
			go func() { defer wg.Done(); jobs.Every(ctx, st, kind, period, log) }()
		}
	}
	return func() { cancel(); wg.Wait() }
}
