// Package web is Icarus's HTTP side: server-rendered pages (html/template,
// embedded), the JSON API under /api/v1/, health and metrics. Every route is
// declared in routes.go with the permission it requires.
package web

import (
	"context"
	"crypto/rand"

	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/icarus-city/icarus/internal/auth"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/config"
	"github.com/icarus-city/icarus/internal/hub"
	"github.com/icarus-city/icarus/internal/i18n"
	"github.com/icarus-city/icarus/internal/store"
)

//go:embed templates static
var assets embed.FS

// Server serves the web UI and API.
type Server struct {
	st      *store.Store
	hub     *hub.Service
	cat     *i18n.Catalog
	cfg     config.Config
	log     *slog.Logger
	pages   map[string]*template.Template
	metrics *metrics
	uploads *uploads
	mux     *http.ServeMux
	now     func() time.Time
	loading func() (what string, k, n int, active bool)
	// reads limits anonymous reads per client IP (readlimit.go); nil: none.
	reads *readLimiter
	cache *respCache
	defs  *defCache // decoded survey definitions (surveys_defcache.go)
	// dummyHash is checked against when an account does not exist, so
	// that sign-in takes as long either way (made at the first such sign-in).
	dummyHash func() (string, error)
}

// Options configure New.
type Options struct {
	Store  *store.Store
	Config config.Config
	Logger *slog.Logger
	// UploadDir keeps uploaded files between preview and import.
	UploadDir string
	// Loading reports a data load running beside the server (the demo's
	// incident files): pages show it. May be nil.
	Loading func() (what string, k, n int, active bool)
}

// New builds a server.
func New(o Options) (*Server, error) {
	cat, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	s := &Server{st: o.Store, hub: hub.New(o.Store), cat: cat, cfg: o.Config, log: o.Logger, metrics: newMetrics(), now: o.Store.Now,
		uploads: &uploads{dir: o.UploadDir, entries: map[string]upload{}}, loading: o.Loading, cache: newRespCache(512), defs: newDefCache(256),
		reads: newReadLimiter(o.Config.PublicReadsPerIP)}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	s.dummyHash = sync.OnceValues(func() (string, error) {
		return auth.HashPassword("no account has this password", auth.DefaultParams(), rand.Reader)
	})
	s.mux = http.NewServeMux()
	static, _ := fs.Sub(assets, "static")
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(static))))
	for _, r := range s.routes() {
		s.mux.Handle(r.pattern, s.wrap(r))
	}
	return s, nil
}

// Handler returns the root handler with the security middleware.
func (s *Server) Handler() http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, apperr.New(apperr.Forbidden, "cross-origin request refused"))
	}))
	return s.recoverer(securityHeaders(gzipResponses(cop.Handler(s.mux))))
}

func parsePages() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"lower": strings.ToLower,
		"add":   func(a, b int) int { return a + b },
		"list":  func(xs ...string) []string { return xs },
		"span":  dateSpan,
	}
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" || strings.HasPrefix(base, "partial_") {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/partial_*.html", n)
		if err != nil {
			return nil, err
		}
		pages[base] = t
	}
	return pages, nil
}

// securityHeaders sets a strict CSP and the usual hardening headers.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

func cacheStatic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		next.ServeHTTP(w, r)
	})
}

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "path", r.URL.Path, "panic", v)
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// uploads keeps uploaded files between the preview and the import.
type uploads struct {
	dir     string
	mu      sync.Mutex
	entries map[string]upload
}

type upload struct {
	path    string
	name    string
	userID  int64
	expires time.Time
}

// errUploadGone is returned when an upload token is unknown or expired.
var errUploadGone = errors.New("the uploaded file is no longer available; upload it again")

// Shutdown removes leftover uploads.
func (s *Server) Shutdown(ctx context.Context) { s.uploads.clear() }
