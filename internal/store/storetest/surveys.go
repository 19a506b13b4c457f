package storetest

import (
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/store"
)

// testSurveys covers surveys, their versions and responses stored once per
// idempotency key (also under concurrent submission).
func testSurveys(e *env) {
	o := e.org("city")
	other := e.org("other")
	def1 := []byte(`{"title":{"en":"S"},"modules":[]}`)
	sv, err := e.s.CreateSurvey(e.ctx, o.ID, "Safety", "field", true, def1)
	e.must(err)
	if sv.ID == 0 || sv.Version != 1 || !sv.Simulated || sv.Access != "field" || sv.Responses != 0 || string(sv.Definition) != string(def1) || !sv.CreatedAt.Equal(Start) {
		e.t.Fatalf("created %+v", sv)
	}
	pub, err := e.s.CreateSurvey(e.ctx, o.ID, "Public", "public", false, def1)
	e.must(err)
	_, err = e.s.CreateSurvey(e.ctx, o.ID, "Bad", "everyone", false, def1)
	e.wantCode(err, apperr.Invalid)
	_, err = e.s.CreateSurvey(e.ctx, o.ID, "Bad", "public", false, []byte(`{`))
	e.wantCode(err, apperr.Invalid)
	list, err := e.s.Surveys(e.ctx, o.ID)
	e.must(err)
	if len(list) != 2 || list[0].ID != sv.ID || list[1].Simulated || list[0].Definition != nil {
		e.t.Fatalf("Surveys = %+v", list)
	}
	if l, _ := e.s.Surveys(e.ctx, other.ID); len(l) != 0 {
		e.t.Errorf("other org sees %d surveys", len(l))
	}
	_, err = e.s.SurveyByID(e.ctx, other.ID, sv.ID)
	e.wantCode(err, apperr.NotFound)

	// no responses yet: an update replaces version 1
	def2 := []byte(`{"title":{"en":"S2"},"modules":[]}`)
	sv, err = e.s.UpdateSurvey(e.ctx, o.ID, sv.ID, "Safety", "field", def2)
	e.must(err)
	if sv.Version != 1 || string(sv.Definition) != string(def2) {
		e.t.Fatalf("update without responses: %+v", sv)
	}

	resp := func(key string) store.SurveyResponse {
		return store.SurveyResponse{SurveyID: sv.ID, Version: sv.Version, IdemKey: key, AreaCode: "E01", Answers: json.RawMessage(`{"q":"a"}`),
			Consent: true, ConsentText: "ok?", Channel: "field", SurveyorID: 0, Simulated: false, SubmittedAt: Start.Add(-time.Hour)}
	}
	e.clock.Advance(time.Minute)
	r1, isNew, err := e.s.AddSurveyResponse(e.ctx, resp("k1"))
	e.must(err)
	if !isNew || r1.ID == 0 || !r1.ReceivedAt.Equal(Start.Add(time.Minute)) {
		e.t.Fatalf("first: %+v %v", r1, isNew)
	}
	again := resp("k1")
	again.AreaCode = "E02" // a repeat returns what was stored first
	r2, isNew, err := e.s.AddSurveyResponse(e.ctx, again)
	e.must(err)
	if isNew || r2.ID != r1.ID || r2.AreaCode != "E01" || !r2.Consent || r2.ConsentText != "ok?" || string(r2.Answers) != `{"q":"a"}` ||
		!r2.SubmittedAt.Equal(Start.Add(-time.Hour)) || r2.SurveyorID != 0 || r2.Simulated {
		e.t.Fatalf("repeat: %+v %v", r2, isNew)
	}
	// the same key on another survey is another response
	other1 := resp("k1")
	other1.SurveyID = pub.ID
	other1.SurveyorID = 0
	if _, isNew, err := e.s.AddSurveyResponse(e.ctx, other1); err != nil || !isNew {
		e.t.Fatalf("same key, other survey: %v %v", isNew, err)
	}
	noConsent := resp("k2")
	noConsent.Consent = false
	_, _, err = e.s.AddSurveyResponse(e.ctx, noConsent)
	e.wantCode(err, apperr.Invalid)
	_, _, err = e.s.AddSurveyResponse(e.ctx, resp(""))
	e.wantCode(err, apperr.Invalid)

	// a surveyor and flags round-trip
	u, err := e.s.CreateUser(e.ctx, store.User{OrgID: o.ID, Email: "f@city.test", Role: "field"}, "h")
	e.must(err)
	withSurveyor := resp("k3")
	withSurveyor.SurveyorID, withSurveyor.Simulated = u.ID, true
	_, _, err = e.s.AddSurveyResponse(e.ctx, withSurveyor)
	e.must(err)

	// concurrent repeats of one key: stored once, every caller gets the same id
	const n = 16
	var wg sync.WaitGroup
	ids := make([]int64, n)
	news := make([]bool, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, isNew, err := e.s.AddSurveyResponse(e.ctx, resp("race"))
			ids[i], news[i], errs[i] = r.ID, isNew, err
		}()
	}
	wg.Wait()
	created := 0
	for i := range n {
		e.must(errs[i])
		if news[i] {
			created++
		}
		if ids[i] != ids[0] || ids[i] == 0 {
			e.t.Fatalf("concurrent repeats got ids %v", ids)
		}
	}
	if created != 1 {
		e.t.Fatalf("concurrent repeats: %d created, want 1", created)
	}

	// bulk: duplicates inside and across calls are skipped
	var bulk []store.SurveyResponse
	for i := range 10 {
		bulk = append(bulk, resp(fmt.Sprintf("b%d", i%7)))
	}
	added, err := e.s.AddSurveyResponses(e.ctx, bulk)
	e.must(err)
	if added != 7 {
		e.t.Errorf("bulk added %d, want 7", added)
	}
	bad := append(bulk[:1:1], resp("b-x"), noConsent)
	_, err = e.s.AddSurveyResponses(e.ctx, bad)
	e.wantCode(err, apperr.Invalid)

	rs, err := e.s.SurveyResponses(e.ctx, sv.ID)
	e.must(err)
	if len(rs) != 1+1+1+7 { // k1, k3, race, b0..b6 (b-x rolled back)
		e.t.Fatalf("%d responses stored", len(rs))
	}
	if rs[1].SurveyorID != u.ID || !rs[1].Simulated || rs[0].SurveyorID != 0 {
		e.t.Errorf("surveyor/simulated: %+v / %+v", rs[0], rs[1])
	}

	// responses exist: an update makes version 2; version 1 stays readable
	def3 := []byte(`{"title":{"en":"S3"},"modules":[]}`)
	sv, err = e.s.UpdateSurvey(e.ctx, o.ID, sv.ID, "Safety (v2)", "public", def3)
	e.must(err)
	if sv.Version != 2 || sv.Title != "Safety (v2)" || sv.Access != "public" || string(sv.Definition) != string(def3) || sv.Responses != 10 {
		e.t.Fatalf("update with responses: %+v", sv)
	}
	old, err := e.s.SurveyVersion(e.ctx, o.ID, sv.ID, 1)
	e.must(err)
	if string(old) != string(def2) {
		e.t.Errorf("version 1 = %s", old)
	}
	_, err = e.s.SurveyVersion(e.ctx, other.ID, sv.ID, 1)
	e.wantCode(err, apperr.NotFound)
	_, err = e.s.UpdateSurvey(e.ctx, other.ID, sv.ID, "x", "public", def3)
	e.wantCode(err, apperr.NotFound)
	if c := e.tableCounts(); c["surveys"] != 2 || c["survey_versions"] != 3 || c["survey_responses"] != 11 {
		e.t.Errorf("table counts %v", c)
	}
	testCampaigns(e)
}
