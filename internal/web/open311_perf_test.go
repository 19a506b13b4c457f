package web

import (
	"context"
	"net/http"
	"testing"

	"github.com/icarus-city/icarus/internal/store"
)

// TestOpen311PostLimitsCounted: the POST limits per key and per address are
// counted in the transaction that stores the request; a request over a
// limit is answered 429 and not stored, and refused requests (invalid
// fields, no key) count too, as when the limits were checked first.
func TestOpen311PostLimitsCounted(t *testing.T) {
	e := newO311Env(t)
	e.srv.cfg.Open311.PostPerKey, e.srv.cfg.Open311.PostPerIP = 3, 5
	stored := func() int {
		t.Helper()
		rows, err := e.st.ServiceRequests(context.Background(), store.RequestQuery{OrgID: e.org.ID})
		if err != nil {
			t.Fatal(err)
		}
		return len(rows)
	}
	for i := range 2 {
		if r := e.post(t, "json", e.form("service_code", "lighting", "attribute[state]", "out")); r.status != http.StatusOK {
			t.Fatalf("POST %d: %s", i+1, r)
		}
	}
	// an invalid request is refused with 400 but counts (key: 3 of 3, address: 3 of 5)
	wantErrors(t, "json", e.post(t, "json", e.form("service_code", "no-such-service")), http.StatusNotFound, "service_code")
	// the key's 4th hit: over its limit, 429, not stored
	wantErrors(t, "json", e.post(t, "json", e.form("service_code", "lighting", "attribute[state]", "out")), http.StatusTooManyRequests, "api_key")
	if n := stored(); n != 2 {
		t.Errorf("%d requests stored, want 2", n)
	}
	// a request without a key counts on the address (5 of 5), then the 6th is over
	wantErrors(t, "json", e.post(t, "json", e.form("api_key", "\x00delete")), http.StatusForbidden, "api_key")
	wantErrors(t, "json", e.post(t, "json", e.form("api_key", "\x00delete")), http.StatusTooManyRequests, "address")
	if n := stored(); n != 2 {
		t.Errorf("%d requests stored, want 2", n)
	}
}
