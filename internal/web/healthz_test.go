package web

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/icarus-city/icarus/internal/store"
)

// TestHealthzReportsLoading: while a data load runs beside the server (the
// demo's incident files) /healthz says which and how far, and stops saying
// it when the load ends; the node is healthy either way.
func TestHealthzReportsLoading(t *testing.T) {
	st, err := store.OpenSQLite(context.Background(), t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	active := true
	srv, err := New(Options{Store: st, Config: testConfig(), UploadDir: t.TempDir(),
		Loading: func() (string, int, int, bool) { return "Greater Manchester burglary", 1, 2, active }})
	if err != nil {
		t.Fatal(err)
	}
	get := func() (int, map[string]any) {
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s: %v", rec.Body, err)
		}
		return rec.Code, out
	}
	code, out := get()
	l, _ := out["loading"].(map[string]any)
	if code != 200 || out["status"] != "ok" || l["what"] != "Greater Manchester burglary" || l["done"] != 1.0 || l["of"] != 2.0 {
		t.Errorf("during the load: %d %v", code, out)
	}
	active = false
	if code, out = get(); code != 200 || out["status"] != "ok" || out["loading"] != nil {
		t.Errorf("after the load: %d %v", code, out)
	}
}
