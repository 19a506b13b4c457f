package storetest

import (
	"encoding/json"
	"sync"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/store"
)

// testSurveySubmit covers the submission path's calls: SurveyCurrent (the
// survey and its current definition without the response count) and
// AddSurveyResponseLimited (rate-limit hit and response in one write
// transaction, once per idempotency key, refused hits counted).
func testSurveySubmit(e *env) {
	o := e.org("city")
	other := e.org("other")
	def1 := []byte(`{"title":{"en":"S"},"modules":[]}`)
	sv, err := e.s.CreateSurvey(e.ctx, o.ID, "Safety", "field", true, def1)
	e.must(err)
	cur, err := e.s.SurveyCurrent(e.ctx, o.ID, sv.ID)
	e.must(err)
	if cur.ID != sv.ID || cur.OrgID != o.ID || cur.Title != "Safety" || cur.Access != "field" || !cur.Simulated || cur.Version != 1 ||
		string(cur.Definition) != string(def1) || !cur.CreatedAt.Equal(sv.CreatedAt) || !cur.UpdatedAt.Equal(sv.UpdatedAt) {
		e.t.Fatalf("SurveyCurrent = %+v, want %+v", cur, sv)
	}
	_, err = e.s.SurveyCurrent(e.ctx, other.ID, sv.ID)
	e.wantCode(err, apperr.NotFound)
	_, err = e.s.SurveyCurrent(e.ctx, o.ID, sv.ID+1000)
	e.wantCode(err, apperr.NotFound)

	lim := store.RateHit{Bucket: "survey:user:7", Limit: 3, Window: time.Minute}
	resp := func(key string) store.SurveyResponse {
		return store.SurveyResponse{SurveyID: sv.ID, Version: 1, IdemKey: key, AreaCode: "E01", Answers: json.RawMessage(`{"q":"a"}`),
			Consent: true, ConsentText: "ok?", Channel: "field"}
	}
	r1, created, allowed, err := e.s.AddSurveyResponseLimited(e.ctx, resp("k1"), lim)
	e.must(err)
	if !created || !allowed || r1.ID == 0 || !r1.ReceivedAt.Equal(Start) {
		e.t.Fatalf("first: %+v created %v allowed %v", r1, created, allowed)
	}
	again := resp("k1")
	again.AreaCode = "E02" // a repeat returns what was stored first
	r2, created, allowed, err := e.s.AddSurveyResponseLimited(e.ctx, again, lim)
	e.must(err)
	if created || !allowed || r2.ID != r1.ID || r2.AreaCode != "E01" {
		e.t.Fatalf("repeat: %+v created %v allowed %v", r2, created, allowed)
	}
	// an invalid response is refused before anything is counted or stored
	bad := resp("k-bad")
	bad.Consent = false
	_, _, _, err = e.s.AddSurveyResponseLimited(e.ctx, bad, lim)
	e.wantCode(err, apperr.Invalid)
	// the same bucket as RateLimit: hit 3 through RateLimit, 4 refused
	if ok, err := e.s.RateLimit(e.ctx, lim.Bucket, lim.Limit, lim.Window); err != nil || !ok {
		e.t.Fatalf("3rd hit: %v %v", ok, err)
	}
	_, created, allowed, err = e.s.AddSurveyResponseLimited(e.ctx, resp("k4"), lim)
	e.must(err)
	if created || allowed {
		e.t.Fatalf("4th hit: created %v allowed %v, want refused", created, allowed)
	}
	if ok, _ := e.s.RateLimit(e.ctx, lim.Bucket, lim.Limit, lim.Window); ok {
		e.t.Error("the refused hit was not counted")
	}
	rs, err := e.s.SurveyResponses(e.ctx, sv.ID)
	e.must(err)
	if len(rs) != 1 || rs[0].IdemKey != "k1" {
		e.t.Fatalf("stored %+v, want only k1", rs)
	}
	// the next window starts from zero
	e.clock.Set(Start.Add(time.Minute))
	if _, created, allowed, err = e.s.AddSurveyResponseLimited(e.ctx, resp("k4"), lim); err != nil || !created || !allowed {
		e.t.Fatalf("next window: created %v allowed %v err %v", created, allowed, err)
	}

	// concurrent submissions of one key: one stored, every caller its id
	const n = 16
	var wg sync.WaitGroup
	ids := make([]int64, n)
	news := make([]bool, n)
	errs := make([]error, n)
	big := store.RateHit{Bucket: "survey:user:8", Limit: 1000, Window: time.Minute}
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, created, _, err := e.s.AddSurveyResponseLimited(e.ctx, resp("race"), big)
			ids[i], news[i], errs[i] = r.ID, created, err
		}()
	}
	wg.Wait()
	nNew := 0
	for i := range n {
		e.must(errs[i])
		if news[i] {
			nNew++
		}
		if ids[i] != ids[0] || ids[i] == 0 {
			e.t.Fatalf("concurrent repeats got ids %v", ids)
		}
	}
	if nNew != 1 {
		e.t.Fatalf("concurrent repeats: %d created, want 1", nNew)
	}
	rs, err = e.s.SurveyResponses(e.ctx, sv.ID)
	e.must(err)
	if len(rs) != 3 {
		e.t.Errorf("stored %d responses, want 3 (k1, k4, race)", len(rs))
	}
}
