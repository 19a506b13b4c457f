package storetest

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/icarus-city/icarus/internal/store"
)

// testOpen311CountedCreate: CreateServiceRequest counts its rate-limit hits
// in the insert's transaction; a request over a limit is not stored, its
// hits are counted, and the error names the bucket. Concurrent requests
// are stored exactly once each and counted exactly once each.
func testOpen311CountedCreate(e *env) {
	o := e.org("counted311")
	_, err := e.s.SeedServices(e.ctx, o.ID, []store.Service311{{OrgID: o.ID, Code: "lighting", Name: "Lighting", Type: "realtime", Attributes: "[]"}})
	e.must(err)
	light, err := e.s.Service311ByCode(e.ctx, o.ID, "lighting")
	e.must(err)
	req := func(desc string) store.ServiceRequest {
		return store.ServiceRequest{OrgID: o.ID, ServiceID: light.ID, Channel: "api", Status: "open", Moderation: "approved", Description: desc}
	}
	hits := func(ipLimit, keyLimit int) []store.RateHit {
		return []store.RateHit{{Bucket: "t:ip", Limit: ipLimit, Window: time.Minute}, {Bucket: "t:key", Limit: keyLimit, Window: time.Minute}}
	}
	count := func() int {
		e.t.Helper()
		rows, err := e.s.ServiceRequests(e.ctx, store.RequestQuery{OrgID: o.ID})
		e.must(err)
		return len(rows)
	}
	for i := range 2 {
		q, err := e.s.CreateServiceRequest(e.ctx, req(fmt.Sprint("within ", i)), "", hits(2, 5)...)
		e.must(err)
		if q.ID == 0 {
			e.t.Fatalf("request %d stored without an id", i)
		}
	}
	// third hit on t:ip (limit 2): refused, nothing stored
	_, err = e.s.CreateServiceRequest(e.ctx, req("over"), "", hits(2, 5)...)
	var rl *store.RateLimitedError
	if !errors.As(err, &rl) || rl.Bucket != "t:ip" {
		e.t.Fatalf("over the address limit: err = %v, want a RateLimitedError on t:ip", err)
	}
	if n := count(); n != 2 {
		e.t.Errorf("%d requests stored, want 2 (the refused one is not)", n)
	}
	// the refused request's hits were counted: t:ip 3, t:key 3
	if ok, err := e.s.RateLimit(e.ctx, "t:key", 4, time.Minute); err != nil || !ok {
		e.t.Errorf("t:key after 3 hits + this one, limit 4: ok=%v err=%v", ok, err)
	}
	if ok, err := e.s.RateLimit(e.ctx, "t:key", 4, time.Minute); err != nil || ok {
		e.t.Errorf("t:key 5th hit, limit 4: ok=%v err=%v (the refused request's hit was not counted?)", ok, err)
	}
	// limit 0: not counted at all
	_, err = e.s.CreateServiceRequest(e.ctx, req("unlimited"), "", store.RateHit{Bucket: "t:none", Limit: 0, Window: time.Minute})
	e.must(err)
	if ok, err := e.s.RateLimit(e.ctx, "t:none", 1, time.Minute); err != nil || !ok {
		e.t.Errorf("t:none first counted hit: ok=%v err=%v", ok, err)
	}
	// the next window starts from zero
	e.clock.Advance(time.Minute)
	_, err = e.s.CreateServiceRequest(e.ctx, req("next window"), "", hits(2, 100)...)
	e.must(err)

	// concurrent requests: each stored once, the counter counts each once
	before := count()
	const n = 24
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.s.CreateServiceRequest(e.ctx, req(fmt.Sprint("concurrent ", i)), "", store.RateHit{Bucket: "t:conc", Limit: 1000, Window: time.Hour})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			e.t.Errorf("concurrent request %d: %v", i, err)
		}
	}
	if got := count() - before; got != n {
		e.t.Errorf("%d concurrent requests stored, want %d", got, n)
	}
	if ok, err := e.s.RateLimit(e.ctx, "t:conc", n+1, time.Hour); err != nil || !ok {
		e.t.Errorf("t:conc hit %d, limit %d: ok=%v err=%v", n+1, n+1, ok, err)
	}
	if ok, err := e.s.RateLimit(e.ctx, "t:conc", n+1, time.Hour); err != nil || ok {
		e.t.Errorf("t:conc hit %d, limit %d: ok=%v err=%v (a concurrent hit was counted twice or lost)", n+2, n+1, ok, err)
	}
}

// testOrgsCache: the cached organisation list shows this store's own
// changes at once.
func testOrgsCache(e *env) {
	before, err := e.s.Orgs(e.ctx)
	e.must(err)
	o := e.org("cache-new")
	after, err := e.s.Orgs(e.ctx)
	e.must(err)
	if len(after) != len(before)+1 || after[len(after)-1].ID != o.ID {
		e.t.Fatalf("Orgs after EnsureOrg = %+v, want %d with %q last", after, len(before)+1, o.Slug)
	}
	e.must(e.s.SetOrgMetricCRS(e.ctx, o.ID, 32633))
	after, err = e.s.Orgs(e.ctx)
	e.must(err)
	if got := after[len(after)-1].MetricCRS; got != 32633 {
		e.t.Errorf("Orgs after SetOrgMetricCRS: metric CRS %d, want 32633", got)
	}
	// the caller's copy is its own
	after[0].Name = "changed by the caller"
	again, err := e.s.Orgs(e.ctx)
	e.must(err)
	if again[0].Name == "changed by the caller" {
		e.t.Error("Orgs returned the cache's own slice")
	}
}
