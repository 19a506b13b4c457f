package storetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/store"
)

// testCampaigns covers campaigns, assignments, progress, session feedback,
// one-time links (one response per token, also under concurrent use) and
// contacts kept apart and deletable.
func testCampaigns(e *env) {
	o := e.org("camp-city")
	other := e.org("camp-other")
	def := []byte(`{"title":{"en":"C"},"modules":[]}`)
	sv, err := e.s.CreateSurvey(e.ctx, o.ID, "Campaign survey", "field", false, def)
	e.must(err)
	u1, err := e.s.CreateUser(e.ctx, store.User{OrgID: o.ID, Email: "patrol@camp.test", Name: "Patrol One", Role: auth.Field}, "x")
	e.must(err)
	u2, err := e.s.CreateUser(e.ctx, store.User{OrgID: o.ID, Email: "ngo@camp.test", Name: "NGO Two", Role: auth.Field}, "x")
	e.must(err)
	stranger, err := e.s.CreateUser(e.ctx, store.User{OrgID: other.ID, Email: "x@other.test", Role: auth.Field}, "x")
	e.must(err)

	_, err = e.s.CreateCampaign(e.ctx, store.Campaign{OrgID: o.ID, SurveyID: sv.ID, Name: "Bad", StartsOn: "2024-05-10", EndsOn: "2024-05-01"})
	e.wantCode(err, apperr.Invalid)
	_, err = e.s.CreateCampaign(e.ctx, store.Campaign{OrgID: other.ID, SurveyID: sv.ID, Name: "Theirs", StartsOn: "2024-05-01", EndsOn: "2024-05-31"})
	e.wantCode(err, apperr.NotFound)
	c, err := e.s.CreateCampaign(e.ctx, store.Campaign{OrgID: o.ID, SurveyID: sv.ID, Name: " Spring ", StartsOn: "2024-05-01", EndsOn: "2024-05-28",
		Areas: []store.CampaignArea{{Code: "A1", Target: 10}, {Code: "A2", Target: 5}}, CreatedBy: u1.ID, ContactPurpose: "follow-up"})
	e.must(err)
	if c.ID == 0 || c.Name != "Spring" || len(c.Areas) != 2 || c.Areas[1].Target != 5 || !c.Active("2024-05-28") || c.Active("2024-05-29") || c.ContactPurpose != "follow-up" {
		e.t.Fatalf("campaign %+v", c)
	}
	c.Areas = append(c.Areas, store.CampaignArea{Code: "A3", Target: 2})
	c, _, err = e.s.UpdateCampaign(e.ctx, c)
	e.must(err)
	if len(c.Areas) != 3 || len(c.RoleModules) != 0 {
		e.t.Fatalf("update: %+v", c)
	}
	if l, _ := e.s.Campaigns(e.ctx, o.ID, sv.ID); len(l) != 1 {
		e.t.Errorf("campaigns: %v", l)
	}
	if l, _ := e.s.Campaigns(e.ctx, other.ID, 0); len(l) != 0 {
		e.t.Errorf("other org sees campaigns: %v", l)
	}

	a1, err := e.s.SetAssignment(e.ctx, o.ID, store.Assignment{CampaignID: c.ID, UserID: u1.ID, Role: "patrol officers", AreaCode: "A1", Target: 6})
	e.must(err)
	_, err = e.s.SetAssignment(e.ctx, o.ID, store.Assignment{CampaignID: c.ID, UserID: u1.ID, Role: "patrol officers", AreaCode: "A1", Target: 8}) // update
	e.must(err)
	_, err = e.s.SetAssignment(e.ctx, o.ID, store.Assignment{CampaignID: c.ID, UserID: u2.ID, Role: "NGO volunteers", AreaCode: "A2", Target: 5})
	e.must(err)
	_, err = e.s.SetAssignment(e.ctx, o.ID, store.Assignment{CampaignID: c.ID, UserID: u2.ID, AreaCode: "ZZ", Target: 5})
	e.wantCode(err, apperr.Invalid)
	_, err = e.s.SetAssignment(e.ctx, o.ID, store.Assignment{CampaignID: c.ID, UserID: stranger.ID, AreaCode: "A1", Target: 5})
	e.wantCode(err, apperr.Invalid)
	as, err := e.s.Assignments(e.ctx, c.ID, 0)
	e.must(err)
	if len(as) != 2 || as[0].ID != a1.ID || as[0].Target != 8 || as[0].UserName != "Patrol One" || as[1].Role != "NGO volunteers" {
		e.t.Fatalf("assignments %+v", as)
	}
	if mine, _ := e.s.Assignments(e.ctx, c.ID, u2.ID); len(mine) != 1 || mine[0].AreaCode != "A2" {
		e.t.Errorf("u2 assignments %+v", mine)
	}

	resp := func(key, area string, surveyor int64) store.SurveyResponse {
		return store.SurveyResponse{SurveyID: sv.ID, Version: 1, IdemKey: key, AreaCode: area, Answers: json.RawMessage(`{}`), Consent: true,
			ConsentText: "ok", Channel: "field", SurveyorID: surveyor, CampaignID: c.ID}
	}
	for i := range 3 {
		_, _, err := e.s.AddSurveyResponse(e.ctx, resp(fmt.Sprint("p", i), "A1", u1.ID))
		e.must(err)
	}
	_, _, err = e.s.AddSurveyResponse(e.ctx, resp("n1", "A2", u2.ID))
	e.must(err)
	_, _, err = e.s.AddSurveyResponse(e.ctx, resp("n1", "A2", u2.ID)) // a repeat counts once
	e.must(err)
	prog, err := e.s.CampaignProgress(e.ctx, c.ID)
	e.must(err)
	want := []store.Progress{{AreaCode: "A1", SurveyorID: u1.ID, Responses: 3}, {AreaCode: "A2", SurveyorID: u2.ID, Responses: 1}}
	if fmt.Sprint(prog) != fmt.Sprint(want) {
		e.t.Errorf("progress %v, want %v", prog, want)
	}
	rs, _ := e.s.SurveyResponses(e.ctx, sv.ID)
	if len(rs) != 4 || rs[0].CampaignID != c.ID {
		e.t.Errorf("responses %+v", rs)
	}

	// feedback: once per key
	fb := store.Feedback{CampaignID: c.ID, SurveyorID: u1.ID, AreaCode: "A1", SessionDate: "2024-05-02", Observed: "Broken street lights on Oak Road", IdemKey: "f1"}
	f1, isNew, err := e.s.AddFeedback(e.ctx, fb)
	e.must(err)
	f2, again, err := e.s.AddFeedback(e.ctx, fb)
	e.must(err)
	if !isNew || again || f1.ID != f2.ID {
		e.t.Errorf("feedback repeat: %v %v %d %d", isNew, again, f1.ID, f2.ID)
	}
	_, _, err = e.s.AddFeedback(e.ctx, store.Feedback{CampaignID: c.ID, IdemKey: "f2"})
	e.wantCode(err, apperr.Invalid)
	fbs, err := e.s.CampaignFeedback(e.ctx, c.ID)
	e.must(err)
	if len(fbs) != 1 || fbs[0].SurveyorName != "Patrol One" || fbs[0].Observed != fb.Observed {
		e.t.Errorf("feedback %+v", fbs)
	}

	// one-time links: one response per token, exactly once under concurrency
	pub, err := e.s.CreateSurvey(e.ctx, o.ID, "Public", "public", false, def)
	e.must(err)
	e.must(e.s.AddSurveyTokens(e.ctx, pub.ID, c.ID, []string{"token-aaaaaaaaaaaaaaaa", "token-bbbbbbbbbbbbbbbb"}))
	e.wantCode(e.s.AddSurveyTokens(e.ctx, pub.ID, 0, []string{"short"}), apperr.Invalid)
	pr := func(key string) store.SurveyResponse {
		r := resp(key, "A1", 0)
		r.SurveyID, r.Channel, r.CampaignID = pub.ID, "web", c.ID
		return r
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	created, conflicts := 0, 0
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, isNew, err := e.s.AddTokenResponse(e.ctx, "token-aaaaaaaaaaaaaaaa", pr(fmt.Sprint("t", i)))
			mu.Lock()
			defer mu.Unlock()
			if isNew {
				created++
			} else if apperr.CodeOf(err) == apperr.Conflict {
				conflicts++
			} else {
				e.t.Errorf("token race: %v", err)
			}
		}()
	}
	wg.Wait()
	if created != 1 || conflicts != 7 {
		e.t.Errorf("token race: %d created, %d conflicts", created, conflicts)
	}
	st, err := e.s.TokenState(e.ctx, pub.ID, "token-aaaaaaaaaaaaaaaa")
	e.must(err)
	if st.ResponseID == 0 || st.CampaignID != c.ID {
		e.t.Errorf("token state %+v", st)
	}
	// the same response resent with its key is acknowledged, not refused
	first, _ := e.s.SurveyResponses(e.ctx, pub.ID)
	back, isNew, err := e.s.AddTokenResponse(e.ctx, "token-aaaaaaaaaaaaaaaa", pr(first[0].IdemKey))
	e.must(err)
	if isNew || back.ID != first[0].ID {
		e.t.Errorf("resend: %v %+v", isNew, back)
	}
	_, _, err = e.s.AddTokenResponse(e.ctx, "token-unknown-000000000", pr("u"))
	e.wantCode(err, apperr.NotFound)
	issued, used, err := e.s.TokenCounts(e.ctx, pub.ID)
	e.must(err)
	if issued != 2 || used != 1 {
		e.t.Errorf("tokens %d issued %d used", issued, used)
	}

	// contacts: apart, searchable by an admin, deletable
	ct, err := e.s.AddContact(e.ctx, store.Contact{SurveyID: pub.ID, CampaignID: c.ID, Contact: "Resident@Example.org", Purpose: "follow-up"}, "c1")
	e.must(err)
	ct2, err := e.s.AddContact(e.ctx, store.Contact{SurveyID: pub.ID, Contact: "Resident@Example.org"}, "c1")
	e.must(err)
	if ct2.ID != ct.ID {
		e.t.Errorf("contact repeat stored twice")
	}
	_, err = e.s.AddContact(e.ctx, store.Contact{SurveyID: pub.ID, Contact: " "}, "c2")
	e.wantCode(err, apperr.Invalid)
	if l, _ := e.s.Contacts(e.ctx, o.ID, "resident@", 10); len(l) != 1 || l[0].Purpose != "follow-up" {
		e.t.Errorf("contacts %+v", l)
	}
	if l, _ := e.s.Contacts(e.ctx, other.ID, "", 10); len(l) != 0 {
		e.t.Errorf("other org sees contacts")
	}
	e.wantCode(e.s.DeleteContact(e.ctx, other.ID, ct.ID), apperr.NotFound)
	e.must(e.s.DeleteContact(e.ctx, o.ID, ct.ID))
	if l, _ := e.s.Contacts(e.ctx, o.ID, "", 10); len(l) != 0 {
		e.t.Errorf("contact not deleted")
	}
	e.must(e.s.DeleteAssignment(e.ctx, o.ID, c.ID, a1.ID))
	e.wantCode(e.s.DeleteAssignment(e.ctx, o.ID, c.ID, a1.ID), apperr.NotFound)
	testCampaignEdit(e, o.ID, c, u1.ID, u2.ID)
}

// testCampaignEdit: editing a campaign changes its period, areas, targets
// and role → module mapping; assignments in removed areas go, responses
// collected there stay.
func testCampaignEdit(e *env, orgID int64, c store.Campaign, u1, u2 int64) {
	_, err := e.s.SetAssignment(e.ctx, orgID, store.Assignment{CampaignID: c.ID, UserID: u1, Role: "patrol officers", AreaCode: "A1", Target: 4})
	e.must(err)
	before, _ := e.s.SurveyResponses(e.ctx, c.SurveyID)
	bad := c
	bad.EndsOn = "2024-04-01"
	_, _, err = e.s.UpdateCampaign(e.ctx, bad)
	e.wantCode(err, apperr.Invalid)
	bad = c
	bad.Areas = []store.CampaignArea{{Code: "A1", Target: -1}}
	_, _, err = e.s.UpdateCampaign(e.ctx, bad)
	e.wantCode(err, apperr.Invalid)
	bad = c
	bad.RoleModules = map[string][]string{"": {"m1"}}
	_, _, err = e.s.UpdateCampaign(e.ctx, bad)
	e.wantCode(err, apperr.Invalid)
	bad = c
	bad.OrgID = orgID + 1000
	_, _, err = e.s.UpdateCampaign(e.ctx, bad)
	e.wantCode(err, apperr.NotFound)

	c.StartsOn, c.EndsOn = "2024-05-02", "2024-06-15"
	c.Areas = []store.CampaignArea{{Code: "A1", Target: 20}, {Code: "A3", Target: 0}} // A2 goes (it has u2's assignment and a response)
	c.RoleModules = map[string][]string{"patrol officers": {"insecurity", "about_you"}, "NGO volunteers": {}}
	got, removed, err := e.s.UpdateCampaign(e.ctx, c)
	e.must(err)
	if removed != 1 || got.EndsOn != "2024-06-15" || len(got.Areas) != 2 || got.Areas[0].Target != 20 ||
		fmt.Sprint(got.RoleModules) != "map[NGO volunteers:[] patrol officers:[insecurity about_you]]" {
		e.t.Fatalf("edited campaign %+v, %d assignments removed", got, removed)
	}
	as, err := e.s.Assignments(e.ctx, c.ID, 0)
	e.must(err)
	if len(as) != 1 || as[0].UserID != u1 || as[0].AreaCode != "A1" {
		e.t.Errorf("assignments after the edit %+v", as)
	}
	after, _ := e.s.SurveyResponses(e.ctx, c.SurveyID)
	if len(after) != len(before) {
		e.t.Errorf("responses %d before the edit, %d after", len(before), len(after))
	}
	prog, err := e.s.CampaignProgress(e.ctx, c.ID)
	e.must(err)
	if !slices.ContainsFunc(prog, func(p store.Progress) bool { return p.AreaCode == "A2" && p.SurveyorID == u2 && p.Responses == 1 }) {
		e.t.Errorf("the removed area's responses left the campaign: %v", prog)
	}
	// a campaign without areas: every assignment goes
	c.Areas = nil
	got, removed, err = e.s.UpdateCampaign(e.ctx, c)
	e.must(err)
	if removed != 1 || len(got.Areas) != 0 {
		e.t.Errorf("no areas: %+v, %d removed", got, removed)
	}
}
