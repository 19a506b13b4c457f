package web

import (
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"
)

// metrics are Prometheus counters kept per server (no global registry).
type metrics struct {
	mu       sync.Mutex
	requests map[[2]string]uint64 // (route, status) → count
	seconds  map[string]float64   // route → total seconds
	counts   map[string]uint64    // route → count
	started  time.Time
}

func newMetrics() *metrics {
	return &metrics{requests: map[[2]string]uint64{}, seconds: map[string]float64{}, counts: map[string]uint64{}, started: time.Now()}
}

func (m *metrics) observe(route string, code int, d time.Duration) {
	m.mu.Lock()
	m.requests[[2]string{route, fmt.Sprint(code)}]++
	m.seconds[route] += d.Seconds()
	m.counts[route]++
	m.mu.Unlock()
}

// metricsPage writes the Prometheus text exposition format.
func (s *Server) metricsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	m := s.metrics
	m.mu.Lock()
	defer m.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	fmt.Fprintln(w, "# HELP icarus_http_requests_total HTTP requests by route pattern and status.")
	fmt.Fprintln(w, "# TYPE icarus_http_requests_total counter")
	keys := make([][2]string, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
	for _, k := range keys {
		fmt.Fprintf(w, "icarus_http_requests_total{route=%q,code=%q} %d\n", k[0], k[1], m.requests[k])
	}
	fmt.Fprintln(w, "# HELP icarus_http_request_duration_seconds Time spent serving requests, by route pattern.")
	fmt.Fprintln(w, "# TYPE icarus_http_request_duration_seconds summary")
	routes := make([]string, 0, len(m.counts))
	for k := range m.counts {
		routes = append(routes, k)
	}
	sort.Strings(routes)
	for _, rt := range routes {
		fmt.Fprintf(w, "icarus_http_request_duration_seconds_sum{route=%q} %g\n", rt, m.seconds[rt])
		fmt.Fprintf(w, "icarus_http_request_duration_seconds_count{route=%q} %d\n", rt, m.counts[rt])
	}
	fmt.Fprintln(w, "# HELP icarus_uptime_seconds Seconds since the server started.")
	fmt.Fprintln(w, "# TYPE icarus_uptime_seconds gauge")
	fmt.Fprintf(w, "icarus_uptime_seconds %g\n", time.Since(m.started).Seconds())
	return nil
}
