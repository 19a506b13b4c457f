package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/hub"
	"github.com/icarus-city/icarus/internal/realdata"
	"github.com/icarus-city/icarus/internal/store"
	"github.com/icarus-city/icarus/internal/survey"
	"github.com/icarus-city/icarus/internal/survey/xlsform"
)

// lsoaEnv is an environment with the Manchester LSOAs (real data) as its
// areas, and the Riga survey (field access).
func lsoaEnv(t *testing.T) (*env, []store.Area, store.Survey) {
	t.Helper()
	dir := realdata.Path(t, "uk", "manchester")
	e := emptyEnv(t)
	ctx := context.Background()
	shp := filepath.Join(dir, "manchester_crime_lsoa.shp")
	fc, err := hub.ReadSpatial(shp, func(ext string) (io.ReadCloser, error) { return os.Open(strings.TrimSuffix(shp, ".shp") + ext) })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hub.New(e.st).ImportAreas(ctx, shp, fc, hub.AreaOptions{OrgID: e.org.ID, Layer: lsoaLayerName, Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	ls, err := e.st.Layers(ctx, e.org.ID)
	if err != nil || len(ls) != 1 {
		t.Fatalf("layers %v %v", ls, err)
	}
	areas, err := e.st.Areas(ctx, e.org.ID, ls[0].ID, false)
	if err != nil || len(areas) < 5 {
		t.Fatalf("areas: %d %v", len(areas), err)
	}
	d := survey.Riga("Riga edit test", false)
	b, _ := json.Marshal(d)
	sv, err := e.st.CreateSurvey(ctx, e.org.ID, "Riga edit test", survey.AccessField, false, b)
	if err != nil {
		t.Fatal(err)
	}
	return e, areas, sv
}

// TestCampaignEdit: a coordinator changes a campaign's period, areas,
// targets and role → module mapping; bad input is refused field by field
// and changes nothing; the removed area's response stays; every change is
// in the audit log, before → after; the surveyor's form and the server
// follow the new mapping.
func TestCampaignEdit(t *testing.T) {
	e, areas, sv := lsoaEnv(t)
	ctx := context.Background()
	coord, field := e.sessionFor(t, auth.Coordinator), e.sessionFor(t, auth.Field)
	a1, a2, a3 := areas[0].Code, areas[1].Code, areas[2].Code
	cid := newCampaign(t, e, coord, sv.ID, url.Values{"areas": {a1, a2}, "target": {"2"}})
	if r := postForm(t, e, fmt.Sprintf("/campaigns/%d/assignments", cid), coord, url.Values{"user": {fmt.Sprint(e.users[auth.Field].ID)},
		"role": {"patrol officers"}, "areas": {a1, a2}, "target": {"2"}}); r.status != http.StatusSeeOther {
		t.Fatalf("assign: %s", r)
	}
	ep := fmt.Sprintf("/api/v1/surveys/%d/responses", sv.ID)
	resp := func(key, area, extra string) response {
		return postJSON(t, e, ep, key, fmt.Sprintf(`{"consent": true, "campaign": %d, "answers": {"sdg_16_1_4": "very_safe", "area": %q%s}}`, cid, area, extra), field)
	}
	if r := resp("k1", a2, ""); r.status != 201 {
		t.Fatalf("response in %s: %s", a2, r)
	}

	editURL := fmt.Sprintf("/campaigns/%d/edit", cid)
	page := get(t, e.ts.URL, editURL, coord)
	if page.status != 200 || !strings.Contains(string(page.body), `name="keep" value="`+a2+`"`) || !strings.Contains(string(page.body), `data-responses="1"`) {
		t.Fatalf("edit page: %s", page)
	}
	if m := missingTranslations(page.body); len(m) > 0 {
		t.Errorf("untranslated: %v", m)
	}
	if r := get(t, e.ts.URL, editURL, field); r.status != http.StatusForbidden {
		t.Errorf("a field worker opened the edit page: %d", r.status)
	}
	if r := get(t, e.ts.URL, fmt.Sprintf("/campaigns/%d", cid), coord); !strings.Contains(string(r.body), `href="`+editURL+`"`) {
		t.Errorf("the campaign page has no edit link")
	}
	if r := get(t, e.ts.URL, fmt.Sprintf("/campaigns/%d", cid), e.sessionFor(t, auth.Analyst)); strings.Contains(string(r.body), `href="`+editURL+`"`) {
		t.Errorf("an analyst sees the edit link")
	}

	form := func() url.Values {
		return url.Values{"name": {"Spring walk"}, "starts_on": {"2020-01-01"}, "ends_on": {"2099-12-31"}, "contact_purpose": {""},
			"keep": {a1, a2}, "target_" + a1: {"2"}, "target_" + a2: {"2"}, "add_target": {"0"},
			"role_0": {"patrol officers"}, "rm_0": {"insecurity", "about_you"},
			"role_1": {"district coordinators"}, "rm_1": {"cohesion_disorder", "about_you"},
			"role_2": {"NGO volunteers"}, "rm_2": {"risk_trust", "about_you"}}
	}
	auditN := func() int {
		log, _ := e.st.AuditLog(ctx, e.org.ID, 200)
		n := 0
		for _, l := range log {
			if l.Action == "campaign.update" {
				n++
			}
		}
		return n
	}
	// nothing changed: no audit entry
	if r := postForm(t, e, editURL, coord, form()); r.status != http.StatusSeeOther || !strings.HasSuffix(r.header.Get("Location"), "edited=0") || auditN() != 0 {
		t.Fatalf("unchanged save: %s %s, %d audit entries", r, r.header.Get("Location"), auditN())
	}
	// bad input: every field named, nothing stored
	bad := form()
	bad.Set("starts_on", "2024-06-10")
	bad.Set("ends_on", "2024-06-01")
	bad.Set("target_"+a1, "-3")
	bad.Set("target_"+a2, "many")
	bad.Set("add_areas", "E01999999")
	bad.Set("rm_1", "no_such_module")
	bad.Set("name", " ")
	r := postForm(t, e, editURL, coord, bad)
	body := string(r.body)
	if r.status != http.StatusBadRequest {
		t.Fatalf("bad edit: %s", r)
	}
	for _, want := range []string{"The last day (2024-06-01) is before the first day (2024-06-10).", "A target cannot be negative.",
		"Give a whole number of responses.", "Unknown area(s): E01999999", "the survey has no module no_such_module", "Give the campaign a name.",
		`id="e-to-err"`, `aria-invalid="true"`, `value="-3"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the refused edit does not say %q", want)
		}
	}
	if cp, _ := e.st.CampaignByID(ctx, e.org.ID, cid); cp.StartsOn != "2020-01-01" || len(cp.Areas) != 2 || auditN() != 0 {
		t.Errorf("a refused edit changed the campaign: %+v", cp)
	}
	// no CSRF token: refused
	noCSRF := form()
	noCSRF.Set("ends_on", "2030-01-01")
	if r := do(t, e.ts.URL, request{method: http.MethodPost, url: editURL, body: strings.NewReader(noCSRF.Encode()),
		contentType: "application/x-www-form-urlencoded", sess: coord}); r.status != http.StatusForbidden {
		t.Errorf("edit without CSRF token: %s", r)
	}
	// a field worker may not edit
	if r := postForm(t, e, editURL, field, noCSRF); r.status != http.StatusForbidden {
		t.Errorf("a field worker edited: %s", r)
	}

	// the real edit: period, a2 out (it has a response), a1's target, a3 in, patrol officers ask "about you" only
	ok := form()
	ok.Set("starts_on", "2021-03-01")
	ok.Set("keep", a1)
	ok.Set("target_"+a1, "5")
	ok.Set("add_areas", a3)
	ok.Set("add_target", "3")
	ok.Del("rm_0")
	ok.Set("rm_0", "about_you")
	r = postForm(t, e, editURL, coord, ok)
	if r.status != http.StatusSeeOther {
		t.Fatalf("edit: %s", r)
	}
	after := get(t, e.ts.URL, r.header.Get("Location"), coord)
	ab := string(after.body)
	for _, want := range []string{"The campaign was saved.", a2 + " (1)", "Their 1 response(s) were not deleted", "1 assignment(s) in the removed areas were removed.",
		"This campaign maps roles to modules itself"} {
		if !strings.Contains(ab, want) {
			t.Errorf("campaign page after the edit lacks %q", want)
		}
	}
	cp, _ := e.st.CampaignByID(ctx, e.org.ID, cid)
	if cp.StartsOn != "2021-03-01" || len(cp.Areas) != 2 || cp.Areas[0] != (store.CampaignArea{Code: a1, Target: 5}) || cp.Areas[1] != (store.CampaignArea{Code: a3, Target: 3}) ||
		fmt.Sprint(cp.RoleModules["patrol officers"]) != "[about_you]" {
		t.Fatalf("stored campaign %+v", cp)
	}
	if rs, _ := e.st.SurveyResponses(ctx, sv.ID); len(rs) != 1 || rs[0].AreaCode != a2 || rs[0].CampaignID != cid {
		t.Errorf("the removed area's response: %+v", rs)
	}
	if as, _ := e.st.Assignments(ctx, cid, 0); len(as) != 1 || as[0].AreaCode != a1 {
		t.Errorf("assignments after the edit: %+v", as)
	}
	log, _ := e.st.AuditLog(ctx, e.org.ID, 200)
	var detail string
	for _, l := range log {
		if l.Action == "campaign.update" {
			detail = l.Detail
		}
	}
	for _, want := range []string{"period: 2020-01-01..2099-12-31 → 2021-03-01..2099-12-31", "target " + a1 + ": 2 → 5", "areas added: " + a3 + " (target 3)",
		"areas removed: " + a2, `role "patrol officers" modules: [insecurity, about_you] → [about_you]`, "assignments removed with their areas: 1"} {
		if !strings.Contains(detail, want) {
			t.Errorf("audit detail %q lacks %q", detail, want)
		}
	}
	// the officer now asks "about you" only, on the form and on the server
	f := get(t, e.ts.URL, fmt.Sprintf("/surveys/%d/form?campaign=%d", sv.ID, cid), field)
	if fb := string(f.body); f.status != 200 || strings.Contains(fb, `data-name="sdg_16_1_4"`) || !strings.Contains(fb, `data-name="age_band"`) {
		t.Errorf("the officer's form after the edit: %s", f)
	}
	if r := resp("k2", a1, ""); r.status != 400 || !strings.Contains(string(r.body), "sdg_16_1_4") {
		t.Errorf("a question of an unmapped module accepted: %s", r)
	}
	if r := postJSON(t, e, ep, "k3", fmt.Sprintf(`{"consent": true, "campaign": %d, "answers": {"area": %q}}`, cid, a3), field); r.status != 201 {
		t.Errorf("a response in the added area: %s", r)
	}
	if r := postJSON(t, e, ep, "k4", fmt.Sprintf(`{"consent": true, "campaign": %d, "answers": {"area": %q}}`, cid, a2), field); r.status != 400 || !strings.Contains(string(r.body), "not one of the areas") {
		t.Errorf("a response in the removed area: %s", r)
	}
	// back to the survey's own mapping: stored as none
	back := form()
	back.Set("starts_on", "2021-03-01")
	back.Set("keep", a1)
	back.Add("keep", a3)
	back.Set("target_"+a1, "5")
	back.Set("target_"+a3, "3")
	if r := postForm(t, e, editURL, coord, back); r.status != http.StatusSeeOther {
		t.Fatalf("edit back: %s", r)
	}
	if cp, _ := e.st.CampaignByID(ctx, e.org.ID, cid); len(cp.RoleModules) != 0 {
		t.Errorf("the survey's own mapping stored as the campaign's: %v", cp.RoleModules)
	}
}

// TestCampaignPeriod: responses outside the campaign's period are refused
// with 409 and a field-level error; a response collected inside and synced
// within the grace is accepted; the form says where the period stands.
func TestCampaignPeriod(t *testing.T) {
	e := emptyEnv(t)
	ctx := context.Background()
	coord, field := e.sessionFor(t, auth.Coordinator), e.sessionFor(t, auth.Field)
	d := survey.Riga("Period test", false)
	b, _ := json.Marshal(d)
	sv, err := e.st.CreateSurvey(ctx, e.org.ID, "Period test", survey.AccessField, false, b)
	if err != nil {
		t.Fatal(err)
	}
	now := e.srv.now()
	day := func(n int) string { return now.AddDate(0, 0, n).Format(time.DateOnly) }
	// ended two days ago: inside the 7-day grace
	cid := newCampaign(t, e, coord, sv.ID, url.Values{"starts_on": {day(-10)}, "ends_on": {day(-2)}, "areas": {"E01000001"}})
	ep := fmt.Sprintf("/api/v1/surveys/%d/responses", sv.ID)
	post := func(key, submitted string, s *session, lang string) response {
		body := fmt.Sprintf(`{"consent": true, "campaign": %d, "answers": {"sdg_16_1_4": "very_safe", "area": "E01000001"}`, cid)
		if submitted != "" {
			body += fmt.Sprintf(`, "submitted_at": %q`, submitted)
		}
		h := map[string]string{"Idempotency-Key": key, "X-CSRF-Token": s.csrf}
		if lang != "" {
			h["Accept-Language"] = lang
		}
		return do(t, e.ts.URL, request{method: http.MethodPost, url: ep, body: strings.NewReader(body + "}"), contentType: "application/json", headers: h, sess: s})
	}
	type apiErr struct {
		Error struct {
			Code    string              `json:"code"`
			Message string              `json:"message"`
			Fields  []survey.FieldError `json:"fields"`
		} `json:"error"`
	}
	check := func(r response, code string) {
		t.Helper()
		var got apiErr
		if r.status != http.StatusConflict || json.Unmarshal(r.body, &got) != nil || got.Error.Code != "conflict" || len(got.Error.Fields) != 1 ||
			got.Error.Fields[0].Field != "campaign" || got.Error.Fields[0].Code != code || got.Error.Message == "" {
			t.Errorf("want 409 %s: %s", code, r)
		}
	}
	rfc := func(n int) string { return now.AddDate(0, 0, n).UTC().Format(time.RFC3339) }
	check(post("p1", "", field, ""), survey.PeriodOutside)      // sent today, no device time: after the end
	check(post("p2", rfc(-1), field, ""), survey.PeriodOutside) // collected yesterday, after the end
	if r := post("p3", rfc(-3), field, ""); r.status != 201 {   // collected inside, synced within the grace
		t.Errorf("collected inside the period, synced in the grace: %s", r)
	}
	if r := post("p3", rfc(-3), field, ""); r.status != 200 {
		t.Errorf("repeat: %s", r)
	}
	r := post("p4", rfc(-1), field, "fr")
	if !strings.Contains(string(r.body), "en dehors de la période") {
		t.Errorf("French message: %s", r)
	}
	// the form says the campaign ended and until when queued responses are accepted
	f := get(t, e.ts.URL, fmt.Sprintf("/surveys/%d/form?campaign=%d", sv.ID, cid), field)
	if fb := string(f.body); !strings.Contains(fb, `id="survey-period"`) || !strings.Contains(fb, "still accepted until "+day(5)) ||
		!strings.Contains(fb, `data-ends="`+day(-2)+`"`) {
		t.Errorf("form of an ended campaign: %s", f)
	}
	// ended nine days ago: collected inside, but past the grace
	cp, _ := e.st.CampaignByID(ctx, e.org.ID, cid)
	cp.StartsOn, cp.EndsOn = day(-20), day(-9)
	if _, _, err := e.st.UpdateCampaign(ctx, cp); err != nil {
		t.Fatal(err)
	}
	check(post("p5", rfc(-12), field, ""), survey.PeriodClosed)
	if f := get(t, e.ts.URL, fmt.Sprintf("/surveys/%d/form?campaign=%d", sv.ID, cid), field); !strings.Contains(string(f.body), "responses are no longer accepted") {
		t.Errorf("form of a closed campaign: %s", f)
	}
	// not started yet
	cp.StartsOn, cp.EndsOn = day(2), day(30)
	if _, _, err := e.st.UpdateCampaign(ctx, cp); err != nil {
		t.Fatal(err)
	}
	check(post("p6", "", field, ""), survey.PeriodNotStarted)
	// a refused response did not use up its key: once the campaign runs, it is stored
	cp.StartsOn = day(-1)
	if _, _, err := e.st.UpdateCampaign(ctx, cp); err != nil {
		t.Fatal(err)
	}
	if r := post("p6", "", field, ""); r.status != 201 {
		t.Errorf("the same key once the campaign runs: %s", r)
	}
	if rs, _ := e.st.SurveyResponses(ctx, sv.ID); len(rs) != 2 {
		t.Errorf("%d responses stored, want 2", len(rs))
	}
}

// TestCampaignPeriodToken: a one-time link of a campaign that has ended
// takes no response.
func TestCampaignPeriodToken(t *testing.T) {
	e := emptyEnv(t)
	ctx := context.Background()
	coord := e.sessionFor(t, auth.Coordinator)
	d := survey.Riga("Token period", false)
	d.Access = survey.AccessToken
	b, _ := json.Marshal(d)
	sv, err := e.st.CreateSurvey(ctx, e.org.ID, "Token period", survey.AccessToken, false, b)
	if err != nil {
		t.Fatal(err)
	}
	day := func(n int) string { return e.srv.now().AddDate(0, 0, n).Format(time.DateOnly) }
	cid := newCampaign(t, e, coord, sv.ID, url.Values{"starts_on": {day(-30)}, "ends_on": {day(-20)}})
	if err := e.st.AddSurveyTokens(ctx, sv.ID, cid, []string{"period-token-aaaaaaaa"}); err != nil {
		t.Fatal(err)
	}
	r := postJSON(t, e, fmt.Sprintf("/api/v1/surveys/%d/responses", sv.ID), "t1",
		`{"consent": true, "token": "period-token-aaaaaaaa", "answers": {"sdg_16_1_4": "very_safe", "area": "E01000001"}}`, nil)
	if r.status != http.StatusConflict || !strings.Contains(string(r.body), `"code":"outside_period"`) {
		t.Errorf("a response through the link of an ended campaign: %s", r)
	}
	if st, _ := e.st.TokenState(ctx, sv.ID, "period-token-aaaaaaaa"); st.ResponseID != 0 {
		t.Errorf("the refused response used the link")
	}
	f := get(t, e.ts.URL, fmt.Sprintf("/surveys/%d/form?t=period-token-aaaaaaaa", sv.ID), nil)
	if !strings.Contains(string(f.body), "responses are no longer accepted") {
		t.Errorf("the link's form does not say the campaign ended: %s", f)
	}
}

// TestBuilderTranslations: a coordinator edits the wording of questions and
// choices per language in the builder; the survey keeps them, the builder
// shows what is missing, the form shows the respondent's language with
// fallback to the default, and the XLSForm export carries the edited labels.
func TestBuilderTranslations(t *testing.T) {
	e := emptyEnv(t)
	coord, field := e.sessionFor(t, auth.Coordinator), e.sessionFor(t, auth.Field)
	form := url.Values{"title": {"Riga three languages"}, "languages": {"en, fr, it"}, "access": {"field"}, "consent": {"Do you agree?"},
		"title:fr": {"Riga en trois langues"}, "consent:fr": {"Êtes-vous d'accord ?"}, "title:it": {""}}
	mods, rows := builderState(nil, "en", "en", "fr", "it")
	setBuilderForm(form, mods, rows)
	form.Set("tl:sdg_16_1_4:fr", "Vous sentez-vous en sécurité dans votre rue, seul(e), le soir ?")
	form.Set("tc:sdg_16_1_4:very_safe:it", "sicurissimo/a")
	form.Set("tl:worry_crime:it", "") // removed: falls back to the default language
	form.Set("tl:age_band:de", "Altersgruppe")
	form.Set("mt:1:fr", "Sentiment d'insécurité")
	r := postForm(t, e, "/surveys/new", coord, form)
	if r.status != http.StatusSeeOther {
		t.Fatalf("builder save: %s", r)
	}
	svs, _ := e.st.Surveys(t.Context(), e.org.ID)
	sv, _ := e.st.SurveyByID(t.Context(), e.org.ID, svs[len(svs)-1].ID)
	d, err := decodeDefinition(sv.Definition)
	if err != nil {
		t.Fatal(err)
	}
	q := d.Question("sdg_16_1_4")
	if q.Label["fr"] != "Vous sentez-vous en sécurité dans votre rue, seul(e), le soir ?" || q.Choices[0].Label["it"] != "sicurissimo/a" ||
		q.Label["en"] == "" || d.Question("worry_crime").Label["it"] != "" || d.Question("age_band").Label["de"] != "" ||
		d.Title["fr"] != "Riga en trois langues" || d.Modules[0].Title["fr"] != "Sentiment d'insécurité" || d.Modules[0].Title["en"] == "" || d.Consent["fr"] != "Êtes-vous d'accord ?" || d.Title["it"] != "" {
		t.Fatalf("stored wording: %+v / %v / %v", q, d.Title, d.Consent)
	}
	// the bank's translations are untouched
	if bq, _ := translatedBankQuestion("sdg_16_1_4"); bq.Label["fr"] == q.Label["fr"] {
		t.Error("the edit changed the bank")
	}
	// the builder shows the edited texts and what is missing
	b := get(t, e.ts.URL, fmt.Sprintf("/surveys/new?from=%d", sv.ID), coord)
	bb := string(b.body)
	if !strings.Contains(bb, `value="sicurissimo/a"`) || !strings.Contains(bb, `id="tl:worry_crime:it" name="tl:worry_crime:it" value="" lang="it" class="missing"`) ||
		!strings.Contains(bb, "1 missing") {
		i := strings.Index(bb, "tl:worry_crime:it")
		t.Errorf("builder of the saved survey: %s", bb[max(0, i-200):min(len(bb), i+300)])
	}
	if m := missingTranslations(b.body); len(m) > 0 {
		t.Errorf("untranslated: %v", m)
	}
	// the form in the respondent's language, falling back to the default
	fr := string(get(t, e.ts.URL, fmt.Sprintf("/surveys/%d/form?lang=fr", sv.ID), field).body)
	if !strings.Contains(fr, "Vous sentez-vous en sécurité dans votre rue") || !strings.Contains(fr, "Sentiment d&#39;insécurité") || !strings.Contains(fr, "Êtes-vous d&#39;accord ?") || !strings.Contains(fr, `lang="fr"`) {
		t.Errorf("French form lacks the edited wording")
	}
	it := string(get(t, e.ts.URL, fmt.Sprintf("/surveys/%d/form?lang=it", sv.ID), field).body)
	if !strings.Contains(it, "sicurissimo/a") || !strings.Contains(it, d.Question("worry_crime").Label["en"]) || !strings.Contains(it, "Do you agree?") {
		t.Errorf("Italian form: edited choice or English fallback missing")
	}
	// XLSForm export → import keeps the edited labels per language
	x := get(t, e.ts.URL, fmt.Sprintf("/api/v1/surveys/%d/xlsform", sv.ID), coord)
	if x.status != 200 {
		t.Fatalf("export: %s", x)
	}
	res, err := xlsform.Read(bytes.NewReader(x.body), xlsform.Options{})
	if err != nil {
		t.Fatalf("re-import: %v", err)
	}
	rq := res.Definition.Question("sdg_16_1_4")
	if rq == nil || rq.Label["fr"] != q.Label["fr"] || rq.Choices[0].Label["it"] != "sicurissimo/a" || res.Definition.Question("worry_crime").Label["it"] != "" ||
		res.Definition.Title["fr"] != "Riga en trois langues" {
		t.Errorf("round trip: %+v", rq)
	}
}

// TestPublicFormLanguage: the public form follows the respondent's browser
// language when the survey has it, ?lang otherwise, and falls back to the
// survey's default language text by text.
func TestPublicFormLanguage(t *testing.T) {
	e := emptyEnv(t)
	d := survey.Riga("Public", false)
	d.Access, d.Languages = survey.AccessPublic, []string{"fr", "en", "lv"}
	for mi := range d.Modules {
		for qi := range d.Modules[mi].Questions {
			q := &d.Modules[mi].Questions[qi]
			tq, _ := translatedBankQuestion(q.Name)
			q.Label = survey.Tr{"fr": tq.Label["fr"], "en": tq.Label["en"]}
		}
	}
	d.Question("sdg_16_1_4").Label["lv"] = "Cik droši jūs jūtaties, pastaigājoties vienatnē savā apkaimē pēc tumsas iestāšanās?"
	d.Title["fr"], d.Consent["fr"] = "Enquête publique", "Acceptez-vous ?"
	b, _ := json.Marshal(d)
	sv, err := e.st.CreateSurvey(context.Background(), e.org.ID, "Public", survey.AccessPublic, false, b)
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/surveys/%d/form", sv.ID)
	en := do(t, e.ts.URL, request{method: http.MethodGet, url: path, headers: map[string]string{"Accept-Language": "en-GB,en;q=0.9"}})
	if !strings.Contains(string(en.body), "How safe do you feel walking alone") || !strings.Contains(string(en.body), `lang="en"`) {
		t.Errorf("an English browser does not get the English wording")
	}
	it := do(t, e.ts.URL, request{method: http.MethodGet, url: path, headers: map[string]string{"Accept-Language": "it"}})
	if !strings.Contains(string(it.body), "Vous sentez-vous en sécurité") || !strings.Contains(string(it.body), "Acceptez-vous ?") {
		t.Errorf("an Italian browser (the survey has no Italian) does not get the default language, French")
	}
	lv := string(do(t, e.ts.URL, request{method: http.MethodGet, url: path + "?lang=lv"}).body)
	if !strings.Contains(lv, "Cik droši jūs jūtaties") || !strings.Contains(lv, "Dans quelle mesure craignez-vous") || !strings.Contains(lv, `href="`+path+`?lang=en"`) {
		t.Errorf("?lang=lv: Latvian where written, French elsewhere, and links to the other languages")
	}
	if strings.Contains(string(en.body), "Set-Cookie") || en.header.Get("Set-Cookie") != "" {
		t.Errorf("the public form sets a cookie")
	}
}

// builderPost is the builder's form for d as the page shows it (every
// field sent back unchanged), saving a new version of survey from.
func builderPost(d *survey.Definition, from int64) url.Values {
	form := url.Values{"title": {d.Title[d.DefaultLang()]}, "languages": {strings.Join(d.Languages, ", ")}, "access": {d.Access},
		"consent": {d.Consent[d.DefaultLang()]}, "from": {fmt.Sprint(from)}, "save_as": {"version"}}
	mods, rows := builderState(d, "en", d.Languages...)
	setBuilderForm(form, mods, rows)
	return form
}

// TestBuilderHintTranslations: a question's hint (from an XLSForm) is
// edited per language like its label, and counted when missing.
func TestBuilderHintTranslations(t *testing.T) {
	e := emptyEnv(t)
	coord := e.sessionFor(t, auth.Coordinator)
	d := &survey.Definition{Title: survey.Tr{"en": "Hints"}, Languages: []string{"en", "fr"}, Access: survey.AccessPublic, Consent: survey.Tr{"en": "OK?", "fr": "D'accord ?"},
		Modules: []survey.Module{{Name: "m", Title: survey.Tr{"en": "Street"}, Questions: []survey.Question{
			{Name: "lights", Type: survey.Number, Integer: true, Label: survey.Tr{"en": "Broken street lights", "fr": "Lampadaires en panne"},
				Hint: survey.Tr{"en": "Count those on your street only"}}}}}}
	if err := d.Check(); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(d)
	sv, err := e.st.CreateSurvey(context.Background(), e.org.ID, "Hints", d.Access, false, b)
	if err != nil {
		t.Fatal(err)
	}
	page := string(get(t, e.ts.URL, fmt.Sprintf("/surveys/new?from=%d", sv.ID), coord).body)
	if !strings.Contains(page, `name="th:lights:fr" value="" lang="fr" class="missing"`) || !strings.Contains(page, "fr: <span class=\"missing\">1 missing</span> (<code>lights</code>)") {
		i := strings.Index(page, "tr-summary")
		t.Fatalf("builder: the missing French hint is not shown: %s", page[max(0, i):min(len(page), i+400)])
	}
	form := builderPost(d, sv.ID)
	form.Set("th:lights:fr", "Comptez seulement ceux de votre rue")
	if r := postForm(t, e, "/surveys/new", coord, form); r.status != http.StatusSeeOther {
		t.Fatalf("save: %s", r)
	}
	saved, _ := e.st.SurveyByID(context.Background(), e.org.ID, sv.ID)
	nd, _ := decodeDefinition(saved.Definition)
	if h := nd.Question("lights").Hint; h["fr"] != "Comptez seulement ceux de votre rue" || h["en"] != "Count those on your street only" {
		t.Errorf("hint after the edit: %v", h)
	}
	if fr := string(get(t, e.ts.URL, fmt.Sprintf("/surveys/%d/form?lang=fr", sv.ID), nil).body); !strings.Contains(fr, "Comptez seulement ceux de votre rue") {
		t.Errorf("the French form lacks the hint")
	}
}
