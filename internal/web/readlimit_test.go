package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/icarus-city/icarus/internal/auth"
)

func TestReadLimiterBucket(t *testing.T) {
	if newReadLimiter(0) != nil {
		t.Fatal("a limit of 0 must mean no limiter")
	}
	l := newReadLimiter(60) // a token a second, bursts of 60
	t0 := time.Unix(1_700_000_000, 0)
	for i := range 60 {
		if !l.allow("10.0.0.1", t0) {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	if l.allow("10.0.0.1", t0) || l.allow("10.0.0.1", t0.Add(500*time.Millisecond)) {
		t.Error("the 61st request within the same second was allowed")
	}
	if !l.allow("10.0.0.2", t0) {
		t.Error("another address is limited by the first one's requests")
	}
	if !l.allow("10.0.0.1", t0.Add(1100*time.Millisecond)) || l.allow("10.0.0.1", t0.Add(1200*time.Millisecond)) {
		t.Error("refill: want one token after a second, not two")
	}
	if got := l.retryAfter(); got != "1" {
		t.Errorf("Retry-After %s, want 1", got)
	}
	if got := newReadLimiter(5).retryAfter(); got != "12" {
		t.Errorf("Retry-After at 5 a minute %s, want 12", got)
	}
	// idle addresses are dropped when the table is full; busy ones stay
	l.prune(t0.Add(2 * time.Minute))
	if len(l.m) != 0 {
		t.Errorf("%d buckets left after every address was idle a minute", len(l.m))
	}
}

// TestAnonymousReadsLimited: anonymous GETs beyond the limit get 429 with
// Retry-After (JSON for the API, a page for pages); health checks, signed-in
// staff and other addresses are not limited.
func TestAnonymousReadsLimited(t *testing.T) {
	e := emptyEnv(t)
	cfg := testConfig()
	cfg.PublicReadsPerIP = 5
	srv, err := New(Options{Store: e.st, Config: cfg, UploadDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	get := func(path, ip string, s *session) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil).WithContext(context.Background())
		req.RemoteAddr = ip + ":40000"
		if s != nil {
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: s.token})
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for i := range 5 {
		if rec := get("/api/v1/kb/search?q=lighting", "192.0.2.7", nil); rec.Code != 200 {
			t.Fatalf("read %d: %d %s", i+1, rec.Code, rec.Body)
		}
	}
	rec := get("/api/v1/kb/search?q=lighting", "192.0.2.7", nil)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "12" {
		t.Errorf("6th read: %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	if rec := get("/knowledge", "192.0.2.7", nil); rec.Code != http.StatusTooManyRequests {
		t.Errorf("page after the limit: %d", rec.Code)
	}
	// Open311 clients get the spec's error array, in the path's format
	if rec := get("/open311/v2/services.json", "192.0.2.7", nil); rec.Code != http.StatusTooManyRequests ||
		!strings.HasPrefix(rec.Body.String(), `[{"code":429`) || rec.Header().Get("Retry-After") == "" {
		t.Errorf("Open311 JSON after the limit: %d %s", rec.Code, rec.Body)
	}
	if rec := get("/open311/v2/services.xml", "192.0.2.7", nil); rec.Code != http.StatusTooManyRequests ||
		!strings.Contains(rec.Body.String(), "<errors>") || !strings.Contains(rec.Body.String(), "<code>429</code>") {
		t.Errorf("Open311 XML after the limit: %d %s", rec.Code, rec.Body)
	}
	if rec := get("/healthz", "192.0.2.7", nil); rec.Code != 200 {
		t.Errorf("health check limited: %d", rec.Code)
	}
	if rec := get("/api/v1/kb/search?q=lighting", "192.0.2.8", nil); rec.Code != 200 {
		t.Errorf("another address limited: %d", rec.Code)
	}
	staff := e.sessionFor(t, auth.Analyst)
	if rec := get("/api/v1/kb/search?q=lighting", "192.0.2.7", staff); rec.Code != 200 {
		t.Errorf("signed-in read limited: %d", rec.Code)
	}
}
