package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/icarus-city/icarus/internal/store"
)

// benchO311Env is a server with n stored requests (spread over the last
// year, as bench/open311seed does) and an API key; limits are off.
func benchO311Env(b *testing.B, n int) (*env, string) {
	b.Helper()
	e, err := newEnv(b, b.TempDir(), "bench")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(e.close)
	e.srv.cfg.Open311.PostPerIP, e.srv.cfg.Open311.PostPerKey = 0, 0
	e.srv.reads = nil // no limit on anonymous reads: the benchmark is one address
	key := "bench-key-0123456789abcdef"
	ctx := context.Background()
	if _, err := e.st.CreateAPIKey(ctx, e.org.ID, "bench", key); err != nil {
		b.Fatal(err)
	}
	if _, _, err := e.srv.o311Services(ctx, e.org.ID, true); err != nil {
		b.Fatal(err)
	}
	svcs, err := e.st.Services311(ctx, e.org.ID, true)
	if err != nil {
		b.Fatal(err)
	}
	year := 365 * 24 * time.Hour
	for i := range n {
		e.clockOffset.Store(int64(-year + year*time.Duration(i)/time.Duration(n)))
		v := svcs[i%len(svcs)]
		if _, err := e.st.CreateServiceRequest(ctx, store.ServiceRequest{OrgID: e.org.ID, ServiceID: v.ID, Channel: "api", Status: "open", Moderation: "approved",
			Description: "simulated " + strconv.Itoa(i), HasLoc: true, Lat: 53.45 + float64(i%100)/1000, Lon: -2.3 + float64(i%77)/1000, Attributes: "{}"}, ""); err != nil {
			b.Fatal(err)
		}
	}
	e.clockOffset.Store(0)
	return e, key
}

// BenchmarkOpen311RequestsList: GET requests.json with the default filters
// (the last 90 days, at most 1,000) over 20,000 stored requests, answered
// from the cache (the data do not change) and rebuilt (a new request
// before each call changes the data version).
func BenchmarkOpen311RequestsList(b *testing.B) {
	e, key := benchO311Env(b, 20000)
	get := func(b *testing.B, gz bool) {
		req, _ := http.NewRequest("GET", e.ts.URL+"/open311/v2/requests.json", nil)
		if gz {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, res.Body) // the whole body, so that the connection is reused
		res.Body.Close()
		if res.StatusCode != 200 || n == 0 {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
	b.Run("cached", func(b *testing.B) {
		for b.Loop() {
			get(b, false)
		}
	})
	b.Run("cached-gzip", func(b *testing.B) {
		for b.Loop() {
			get(b, true)
		}
	})
	b.Run("rebuilt", func(b *testing.B) {
		form := url.Values{"api_key": {key}, "service_code": {"lighting"}, "lat": {"53.48"}, "long": {"-2.24"}}
		for b.Loop() {
			b.StopTimer()
			r := do(b, e.ts.URL, request{method: "POST", url: "/open311/v2/requests.json", body: strings.NewReader(form.Encode()), contentType: "application/x-www-form-urlencoded"})
			if r.status != 200 {
				b.Fatal(r)
			}
			b.StartTimer()
			get(b, false)
		}
	})
}

// BenchmarkOpen311Post: POST requests.json (form-encoded, api key, one
// location, one attribute), in parallel, rate limits on but high.
func BenchmarkOpen311Post(b *testing.B) {
	e, key := benchO311Env(b, 0)
	e.srv.cfg.Open311.PostPerIP, e.srv.cfg.Open311.PostPerKey = 1<<30, 1<<30
	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			form := url.Values{"api_key": {key}, "service_code": {"lighting"}, "lat": {"53.48"}, "long": {"-2.24"},
				"description": {"bench " + strconv.FormatInt(i, 10)}, "attribute[state]": {"out"}}
			r := do(b, e.ts.URL, request{method: "POST", url: "/open311/v2/requests.json", body: strings.NewReader(form.Encode()), contentType: "application/x-www-form-urlencoded"})
			if r.status != 200 {
				b.Fatal(r)
			}
		}
	})
	b.StopTimer()
	got, _, err := e.st.StaffRequests(context.Background(), store.StaffQuery{OrgID: e.org.ID, Limit: 1})
	if err != nil || (b.N > 0 && len(got) == 0) {
		b.Fatalf("nothing stored: %v", err)
	}
}
