package cli

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/config"
	"github.com/icarus-city/icarus/internal/demo"
	"github.com/icarus-city/icarus/internal/hub"
	"github.com/icarus-city/icarus/internal/store"
	"github.com/icarus-city/icarus/internal/web"
)

func runServe(ctx context.Context, env *Env, args []string) error {
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	fs := newFlags(env, "serve", "serve [--data DIR | --db URL] [--addr HOST:PORT]")
	cfg.ServeFlags(fs)
	withDemo := fs.Bool("demo", false, "load the demo city on first run (same as 'icarus demo')")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	return serve(ctx, env, cfg, *withDemo)
}

func runDemo(ctx context.Context, env *Env, args []string) error {
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	fs := newFlags(env, "demo", "demo [--data DIR | --db URL] [--addr HOST:PORT]")
	cfg.ServeFlags(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	return serve(ctx, env, cfg, true)
}

// serve opens the store, loads the demo when asked and the store is empty,
// makes sure an admin exists, and serves until ctx ends.
func serve(ctx context.Context, env *Env, cfg config.Config, withDemo bool) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	log := newLogger(env.Stderr, cfg.LogLevel)
	t0 := time.Now()
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	var org store.Org
	var loadIncidents func(context.Context, *demoProgress) // the demo's incident files, loaded while serving
	if withDemo {
		if org, loadIncidents, err = loadDemo(ctx, env, st); err != nil {
			return err
		}
	} else if org, err = defaultOrg(ctx, st, ""); err != nil {
		return err
	}
	progress := &demoProgress{}
	pw, err := ensureAdmin(ctx, st, org)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv, err := web.New(web.Options{Store: st, Config: cfg, Logger: log, UploadDir: uploadDir(cfg), Loading: progress.status})
	if err != nil {
		return err
	}
	stopJobs := startJobs(ctx, st, log, reportJobs(st, cfg, log)) // reports.go
	defer stopJobs()
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	base := cfg.BaseURL
	if base == "" {
		base = "http://" + ln.Addr().String()
	}
	fmt.Fprintf(env.Stdout, "Icarus is running at %s (ready in %.1fs; data in %s)\n", base, time.Since(t0).Seconds(), dataLocation(cfg))
	if pw != "" {
		fmt.Fprintf(env.Stdout, "Sign in as %s with password %s\n(shown once: change it with 'icarus user passwd --email %s')\n", adminEmail, pw, adminEmail)
	} else {
		fmt.Fprintf(env.Stdout, "Sign in with an existing account ('icarus user list' shows them; 'icarus user passwd' resets a password)\n")
	}
	if withDemo { // an Open311 API key for trying the API (apikey.go)
		if key, err := addAPIKey(ctx, st, org, "demo", "system"); err == nil {
			fmt.Fprintf(env.Stdout, "Open311 API key (POST %s/open311/v2/requests.json): %s\n", base, key)
		}
	}
	log.Info("serving", "addr", ln.Addr().String(), "data", dataLocation(cfg))
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	loaded := make(chan struct{})
	if loadIncidents != nil {
		progress.start(demo.IncidentFiles)
		go func() { defer close(loaded); loadIncidents(ctx, progress) }()
	} else {
		close(loaded)
	}
	defer func() { <-loaded }() // the store stays open until a running demo import has stopped
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = hs.Shutdown(sctx)
	srv.Shutdown(sctx)
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

const adminEmail = "admin@icarus.local"

// ensureAdmin creates the first admin account when there is no user, and
// returns its generated password ("" when users exist).
func ensureAdmin(ctx context.Context, st *store.Store, org store.Org) (string, error) {
	us, err := st.Users(ctx, 0)
	if err != nil || len(us) > 0 {
		return "", err
	}
	pw, err := auth.NewToken(rand.Reader, 15)
	if err != nil {
		return "", err
	}
	hash, err := auth.HashPassword(pw, auth.DefaultParams(), rand.Reader)
	if err != nil {
		return "", err
	}
	if _, err := st.CreateUser(ctx, store.User{OrgID: org.ID, Email: adminEmail, Name: "Administrator", Role: auth.Admin}, hash); err != nil {
		if apperr.CodeOf(err) == apperr.Conflict { // another node starting on the same database made it
			return "", nil
		}
		return "", err
	}
	st.Audit(ctx, store.AuditEntry{OrgID: org.ID, Actor: "system", Action: "user.add", Target: adminEmail, Detail: "first run: generated admin"})
	return pw, nil
}

// loadDemo creates the demo organisation and, on first run, loads its
// boundaries and its survey. It returns the loading of the incident files
// (nil when they are in already), which serve runs while it serves, so that
// the demo answers at once and fills up in a few seconds; pages show the
// progress meanwhile.
func loadDemo(ctx context.Context, env *Env, st *store.Store) (store.Org, func(context.Context, *demoProgress), error) {
	org, err := st.EnsureOrg(ctx, demo.OrgSlug, demo.OrgName)
	if err != nil {
		return org, nil, err
	}
	if _, err := seedKB(ctx, st, org.ID); err != nil { // the shipped knowledge base (kb.go), refreshed on every start
		return org, nil, err
	}
	ds, err := st.Datasets(ctx, org.ID)
	if err != nil || len(ds) > 0 {
		return org, nil, err
	}
	svc := hub.New(st)
	report := func(sums []hub.Summary) {
		for _, s := range sums {
			fmt.Fprintf(env.Stdout, "  %-10s %-28s read %6d  accepted %6d  rejected %d  (%.1fs)\n", s.Kind, s.File, s.Read, s.Accepted, s.Rejected, s.Seconds)
		}
	}
	fmt.Fprintf(env.Stdout, "Loading the demo city (%s, real police open data)...\n", demo.OrgName)
	sums, err := demo.LoadAreas(ctx, svc, org.ID, func(what string) { fmt.Fprintf(env.Stdout, "  importing %s\n", what) })
	report(sums)
	if err != nil {
		return org, nil, fmt.Errorf("loading the demo: %w", err)
	}
	if err := loadDemoSurvey(ctx, env, st, org); err != nil { // the Riga-style survey with simulated responses (survey_demo.go)
		return org, nil, fmt.Errorf("loading the demo survey: %w", err)
	}
	return org, func(ctx context.Context, p *demoProgress) {
		sums, err := demo.LoadIncidents(ctx, svc, org.ID, func(what string) {
			p.step(what)
			fmt.Fprintf(env.Stdout, "  importing %s (while serving)\n", what)
		})
		report(sums)
		p.finish(err)
		if err != nil && ctx.Err() == nil {
			fmt.Fprintf(env.Stderr, "icarus demo: loading the demo incidents: %s\n", describe(err))
		}
	}, nil
}

// demoProgress is how far the background demo load has come, for the pages.
type demoProgress struct {
	mu     sync.Mutex
	what   string
	k, n   int
	active bool
}

func (p *demoProgress) start(n int) {
	p.mu.Lock()
	p.n, p.active = n, true
	p.mu.Unlock()
}

func (p *demoProgress) step(what string) {
	p.mu.Lock()
	p.what = what
	p.k++
	p.mu.Unlock()
}

func (p *demoProgress) finish(error) {
	p.mu.Lock()
	p.active = false
	p.mu.Unlock()
}

// status reports the load in progress (active is false when none is).
func (p *demoProgress) status() (what string, k, n int, active bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.what, p.k, p.n, p.active
}
