package web

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// readLimiter limits anonymous reads (GET and HEAD without a session) per
// client IP: a token bucket per address holding at most perMinute tokens,
// refilled at perMinute a minute, so a browser or script may burst up to
// perMinute requests and then go on at perMinute a minute. Writes have
// their own limits, counted in the database so that every node counts
// together; reads are many and cheap, so they are counted in memory, per
// node (behind a load balancer with n nodes an address may read n times as
// much). Signed-in staff are not limited. The table is bounded: when it
// holds maxReadBuckets addresses, the full buckets (addresses idle for a
// minute) are dropped, and if that is not enough, all of them.
type readLimiter struct {
	perMinute float64
	mu        sync.Mutex
	m         map[string]*readBucket
}

type readBucket struct {
	tokens float64
	at     time.Time
}

const maxReadBuckets = 100_000

func newReadLimiter(perMinute int) *readLimiter {
	if perMinute <= 0 {
		return nil // no limit
	}
	return &readLimiter{perMinute: float64(perMinute), m: map[string]*readBucket{}}
}

// allow takes a token of ip's bucket at now, reporting whether it had one.
func (l *readLimiter) allow(ip string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.m[ip]
	if b == nil {
		if len(l.m) >= maxReadBuckets {
			l.prune(now)
		}
		b = &readBucket{tokens: l.perMinute, at: now}
		l.m[ip] = b
	}
	if d := now.Sub(b.at); d > 0 {
		b.tokens = min(l.perMinute, b.tokens+d.Minutes()*l.perMinute)
		b.at = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// retryAfter is the seconds until a refused address has a token again.
func (l *readLimiter) retryAfter() string {
	return strconv.Itoa(max(1, int(math.Ceil(60/l.perMinute))))
}

// prune drops the buckets that are full again at now.
func (l *readLimiter) prune(now time.Time) {
	for ip, b := range l.m {
		if b.tokens+now.Sub(b.at).Minutes()*l.perMinute >= l.perMinute {
			delete(l.m, ip)
		}
	}
	if len(l.m) >= maxReadBuckets {
		clear(l.m)
	}
}

// limitedRead reports whether r is an anonymous read that counts against
// the limit (health checks and metrics do not).
func limitedRead(r *http.Request, c *reqCtx) bool {
	return c.user == nil && (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
		c.pattern != "GET /healthz" && c.pattern != "GET /metrics"
}
