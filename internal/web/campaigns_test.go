package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/store"
	"github.com/icarus-city/icarus/internal/survey"
	"github.com/icarus-city/icarus/internal/survey/xlsform"
)

// postForm posts a form, with the session's CSRF token when signed in.
func postForm(t *testing.T, e *env, path string, s *session, vals url.Values) response {
	t.Helper()
	if s != nil {
		vals.Set("csrf", s.csrf)
	}
	return do(t, e.ts.URL, request{method: http.MethodPost, url: path, body: strings.NewReader(vals.Encode()),
		contentType: "application/x-www-form-urlencoded", sess: s})
}

func postJSON(t *testing.T, e *env, path, key, body string, s *session) response {
	t.Helper()
	h := map[string]string{"Idempotency-Key": key}
	if s != nil {
		h["X-CSRF-Token"] = s.csrf
	}
	return do(t, e.ts.URL, request{method: http.MethodPost, url: path, body: strings.NewReader(body), contentType: "application/json", headers: h, sess: s})
}

func newCampaign(t *testing.T, e *env, coord *session, surveyID int64, extra url.Values) int64 {
	t.Helper()
	v := url.Values{"survey": {fmt.Sprint(surveyID)}, "name": {"Spring walk"}, "starts_on": {"2020-01-01"}, "ends_on": {"2099-12-31"},
		"areas": {"E01000001", "E01000002"}, "target": {"2"}}
	for k, vs := range extra {
		v[k] = vs
	}
	r := postForm(t, e, "/campaigns", coord, v)
	if r.status != http.StatusSeeOther {
		t.Fatalf("create campaign: %s", r)
	}
	var id int64
	fmt.Sscanf(r.header.Get("Location"), "/campaigns/%d", &id)
	if id == 0 {
		t.Fatalf("location %q", r.header.Get("Location"))
	}
	return id
}

// TestCampaignFlow: a coordinator builds the Riga survey in the builder,
// runs a campaign, assigns a patrol officer; the officer's form asks only
// the patrol officers' module (and the common one), responses and feedback
// count against the targets.
func TestCampaignFlow(t *testing.T) {
	e := emptyEnv(t)
	coord := e.sessionFor(t, auth.Coordinator)
	field := e.sessionFor(t, auth.Field)

	// the builder starts from the Riga selection; save it as it is
	page := get(t, e.ts.URL, "/surveys/new", coord)
	if page.status != 200 || !strings.Contains(string(page.body), `name="q_sdg_16_1_4_inc" value="1" checked`) {
		t.Fatalf("builder: %s", page)
	}
	if get(t, e.ts.URL, "/surveys/new", field).status != http.StatusForbidden {
		t.Error("a field worker opened the builder")
	}
	form := url.Values{"title": {"Riga built"}, "languages": {"en"}, "access": {"field"}, "consent": {"Do you agree?"}}
	mods, rows := builderState(nil, "en")
	setBuilderForm(form, mods, rows)
	// move the SDG item last in its module, as a coordinator reordering would
	form.Set("q_sdg_16_1_4_ord", "35")
	r := postForm(t, e, "/surveys/new", coord, form)
	if r.status != http.StatusSeeOther {
		t.Fatalf("builder save: %s", r)
	}
	svs, _ := e.st.Surveys(t.Context(), e.org.ID)
	sv, _ := e.st.SurveyByID(t.Context(), e.org.ID, svs[len(svs)-1].ID)
	var d survey.Definition
	json.Unmarshal(sv.Definition, &d)
	riga := survey.Riga("", false)
	if len(d.Modules) != len(riga.Modules) || len(d.Questions()) != len(riga.Questions()) || d.Modules[0].Surveyors != "patrol officers" {
		t.Fatalf("built survey: %d modules %d questions", len(d.Modules), len(d.Questions()))
	}
	if q := d.Modules[0].Questions; q[len(q)-1].Name != "sdg_16_1_4" {
		t.Errorf("reorder: module 1 is %v", q)
	}
	// in French and English: the bank's French wording comes along
	fr := url.Values{}
	for k, v := range form {
		fr[k] = v
	}
	fr.Set("languages", "fr, en")
	fr.Set("title", "Riga en français")
	if r := postForm(t, e, "/surveys/new", coord, fr); r.status != http.StatusSeeOther {
		t.Fatalf("builder save fr: %s", r)
	}
	svs, _ = e.st.Surveys(t.Context(), e.org.ID)
	frSv, _ := e.st.SurveyByID(t.Context(), e.org.ID, svs[len(svs)-1].ID)
	var frDef survey.Definition
	json.Unmarshal(frSv.Definition, &frDef)
	if q := frDef.Question("sdg_16_1_4"); frDef.Languages[0] != "fr" || q == nil || q.Label["fr"] == "" || q.Label["en"] == "" || q.Label["it"] != "" || q.Choices[0].Label["fr"] == "" {
		t.Errorf("French survey: %v %+v", frDef.Languages, q)
	}
	// a skip-logic question put before what it refers to is refused, naming it
	form.Set("q_victim_reported_ord", "1")
	form.Set("q_victim_reported_mod", "1")
	if r := postForm(t, e, "/surveys/new", coord, form); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "victim_reported") {
		t.Errorf("bad order accepted: %s", r)
	}

	cid := newCampaign(t, e, coord, sv.ID, nil)
	if r := postForm(t, e, "/campaigns", field, url.Values{"survey": {"1"}}); r.status != http.StatusForbidden {
		t.Errorf("field worker created a campaign: %s", r)
	}
	r = postForm(t, e, fmt.Sprintf("/campaigns/%d/assignments", cid), coord, url.Values{"user": {fmt.Sprint(e.users[auth.Field].ID)},
		"role": {"patrol officers"}, "areas": {"E01000001", "E01000002"}, "target": {"2"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("assign: %s", r)
	}

	f := get(t, e.ts.URL, fmt.Sprintf("/surveys/%d/form?campaign=%d", sv.ID, cid), field)
	body := string(f.body)
	if f.status != 200 || !strings.Contains(body, `data-name="sdg_16_1_4"`) || !strings.Contains(body, `data-name="age_band"`) ||
		strings.Contains(body, `data-name="cohesion_help"`) || !strings.Contains(body, `id="feedback-form"`) || !strings.Contains(body, fmt.Sprintf(`data-campaign="%d"`, cid)) {
		t.Fatalf("the officer's form: %s", f)
	}
	ep := fmt.Sprintf("/api/v1/surveys/%d/responses", sv.ID)
	ok := fmt.Sprintf(`{"consent": true, "campaign": %d, "answers": {"sdg_16_1_4": "a_bit_unsafe", "area": "E01000001"}}`, cid)
	if r := postJSON(t, e, ep, "c1", ok, field); r.status != 201 {
		t.Fatalf("response: %s", r)
	}
	if r := postJSON(t, e, ep, "c1", ok, field); r.status != 200 {
		t.Fatalf("repeat: %s", r)
	}
	other := fmt.Sprintf(`{"consent": true, "campaign": %d, "answers": {"sdg_16_1_4": "very_safe", "area": "E01000001", "cohesion_help": "agree"}}`, cid)
	if r := postJSON(t, e, ep, "c2", other, field); r.status != 400 || !strings.Contains(string(r.body), "cohesion_help") {
		t.Errorf("another role's question accepted: %s", r)
	}
	outside := fmt.Sprintf(`{"consent": true, "campaign": %d, "answers": {"sdg_16_1_4": "very_safe", "area": "E01009999"}}`, cid)
	if r := postJSON(t, e, ep, "c3", outside, field); r.status != 400 || !strings.Contains(string(r.body), "not one of the areas") {
		t.Errorf("area outside the campaign accepted: %s", r)
	}
	fb := `{"area": "E01000001", "session_date": "2024-05-02", "observed": "Dark underpass on Mill Lane", "difficulties": "Few people at home before 6 pm"}`
	fep := fmt.Sprintf("/api/v1/campaigns/%d/feedback", cid)
	if r := postJSON(t, e, fep, "fb1", fb, field); r.status != 201 {
		t.Fatalf("feedback: %s", r)
	}
	if r := postJSON(t, e, fep, "fb1", fb, field); r.status != 200 {
		t.Fatalf("feedback repeat: %s", r)
	}
	if r := postJSON(t, e, fep, "fb2", fb, e.sessionFor(t, auth.Partner)); r.status != http.StatusForbidden {
		t.Errorf("a partner sent feedback: %s", r)
	}

	cp := get(t, e.ts.URL, fmt.Sprintf("/campaigns/%d", cid), coord)
	cb := string(cp.body)
	for _, want := range []string{"Dark underpass on Mill Lane", "Few people at home", "1 / 2 (50%)", `<progress max="2" value="1"`, "patrol officers", "1 responses of a target of 4"} {
		if !strings.Contains(cb, want) {
			t.Errorf("campaign page lacks %q", want)
		}
	}
	if miss := missingTranslations(cp.body); len(miss) > 0 {
		t.Errorf("untranslated: %v", miss)
	}
	as, _ := e.st.Assignments(t.Context(), cid, 0)
	if r := postForm(t, e, fmt.Sprintf("/campaigns/%d/unassign", cid), coord, url.Values{"assignment": {fmt.Sprint(as[0].ID)}}); r.status != http.StatusSeeOther {
		t.Errorf("unassign: %s", r)
	}
	log, _ := e.st.AuditLog(t.Context(), e.org.ID, 50)
	actions := map[string]bool{}
	for _, l := range log {
		actions[l.Action] = true
	}
	for _, a := range []string{"survey.build", "campaign.create", "campaign.assign", "campaign.unassign", "campaign.feedback"} {
		if !actions[a] {
			t.Errorf("no audit entry %s", a)
		}
	}
}

// TestXLSFormWeb: download, upload through the page and the API; problems named by sheet and row.
func TestXLSFormWeb(t *testing.T) {
	e := emptyEnv(t)
	coord := e.sessionFor(t, auth.Coordinator)
	id := addSurvey(t, e, "field")
	x := get(t, e.ts.URL, fmt.Sprintf("/api/v1/surveys/%d/xlsform", id), nil)
	if x.status != 200 || x.header.Get("Content-Type") != xlsxType || !bytes.HasPrefix(x.body, []byte("PK")) {
		t.Fatalf("download: %d %s", x.status, x.header)
	}
	res, err := xlsform.Read(bytes.NewReader(x.body), xlsform.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Definition.Title["en"] != "Riga test" {
		t.Errorf("downloaded title %v", res.Definition.Title)
	}
	up := do(t, e.ts.URL, request{method: http.MethodPost, url: "/api/v1/surveys/xlsform", body: bytes.NewReader(x.body), contentType: xlsxType,
		headers: map[string]string{"X-CSRF-Token": coord.csrf}, sess: coord})
	if up.status != 201 {
		t.Fatalf("API import: %s", up)
	}
	var out struct {
		SurveyID int64    `json:"survey_id"`
		Warnings []string `json:"warnings"`
	}
	decodeJSON(t, up, &out)
	if out.SurveyID == id || len(out.Warnings) != 0 {
		t.Errorf("API import: %+v", out)
	}
	// the page: a bad workbook lists its problems by sheet and row
	var bad bytes.Buffer
	d := survey.Riga("x", false)
	d.Modules[0].Questions[0].Relevant = "${nothing} = 'x'"
	xlsform.Write(&bad, &d, "bad")
	bodyR, ct := multipartBody(t, [][2]string{{"csrf", coord.csrf}}, &formFile{field: "file", name: "bad.xlsx", data: bad.Bytes()})
	pr := do(t, e.ts.URL, request{method: http.MethodPost, url: "/surveys/import", body: bodyR, contentType: ct, sess: coord})
	if pr.status != 400 || !strings.Contains(string(pr.body), "survey · row 3") || !strings.Contains(string(pr.body), "${nothing}") {
		t.Errorf("bad upload: %s", pr)
	}
	bodyR, ct = multipartBody(t, [][2]string{{"csrf", coord.csrf}, {"survey", fmt.Sprint(id)}}, &formFile{field: "file", name: "ok.xlsx", data: x.body})
	if pr := do(t, e.ts.URL, request{method: http.MethodPost, url: "/surveys/import", body: bodyR, contentType: ct, sess: coord}); pr.status != http.StatusSeeOther {
		t.Errorf("upload as a new version: %s", pr)
	}
	list := get(t, e.ts.URL, "/surveys", coord)
	if list.status != 200 || !strings.Contains(string(list.body), fmt.Sprintf("/api/v1/surveys/%d/xlsform", id)) {
		t.Errorf("surveys page: %s", list)
	}
}

var linkRE = regexp.MustCompile(`/surveys/(\d+)/form\?t=([A-Za-z0-9_\-]+)`)

// TestOneTimeLinks: a token survey takes one response per link, sets no
// cookie and shows QR codes.
func TestOneTimeLinks(t *testing.T) {
	e := emptyEnv(t)
	coord := e.sessionFor(t, auth.Coordinator)
	id := addSurvey(t, e, "token")
	cid := newCampaign(t, e, coord, id, nil)
	page := postForm(t, e, fmt.Sprintf("/campaigns/%d/links", cid), coord, url.Values{"n": {"3"}})
	ms := linkRE.FindAllStringSubmatch(string(page.body), -1)
	if page.status != 200 || len(ms) < 3 || strings.Count(string(page.body), `<svg xmlns="http://www.w3.org/2000/svg" class="qr"`) != 3 {
		t.Fatalf("links page: %d links; %s", len(ms), page)
	}
	tok := ms[0][2]
	if r := get(t, e.ts.URL, fmt.Sprintf("/surveys/%d/form", id), nil); r.status != http.StatusForbidden {
		t.Errorf("token form without a token: %s", r)
	}
	f := get(t, e.ts.URL, fmt.Sprintf("/surveys/%d/form?t=%s", id, tok), nil)
	if f.status != 200 || len(f.header.Values("Set-Cookie")) != 0 || !strings.Contains(string(f.body), `data-token="`+tok+`"`) {
		t.Fatalf("token form: cookies %v; %s", f.header.Values("Set-Cookie"), f)
	}
	ep := fmt.Sprintf("/api/v1/surveys/%d/responses", id)
	body := `{"consent": true, "token": "` + tok + `", "answers": {"sdg_16_1_4": "very_safe", "area": "E01000001"}}`
	r1 := postJSON(t, e, ep, "k1", body, nil)
	if r1.status != 201 || len(r1.header.Values("Set-Cookie")) != 0 {
		t.Fatalf("first: %s", r1)
	}
	if r := postJSON(t, e, ep, "k1", body, nil); r.status != 200 {
		t.Errorf("resend: %s", r)
	}
	if r := postJSON(t, e, ep, "k2", body, nil); r.status != http.StatusConflict {
		t.Errorf("second response with one link: %s", r)
	}
	if r := postJSON(t, e, ep, "k3", `{"consent": true, "answers": {"sdg_16_1_4": "very_safe", "area": "E01000001"}}`, nil); r.status != 400 || !strings.Contains(string(r.body), `"token"`) {
		t.Errorf("no token: %s", r)
	}
	if r := postJSON(t, e, ep, "k4", strings.Replace(body, tok, "nope-nope-nope-nope", 1), nil); r.status != 400 {
		t.Errorf("unknown token: %s", r)
	}
	if r := get(t, e.ts.URL, fmt.Sprintf("/surveys/%d/form?t=%s", id, tok), nil); r.status != http.StatusConflict {
		t.Errorf("used link's form: %s", r)
	}
	rs, _ := e.st.SurveyResponses(t.Context(), id)
	if len(rs) != 1 || rs[0].CampaignID != cid || rs[0].SurveyorID != 0 {
		t.Errorf("stored %+v", rs)
	}
	cp := get(t, e.ts.URL, fmt.Sprintf("/campaigns/%d", cid), coord)
	if !strings.Contains(string(cp.body), "3 one-time links made, 1 used.") || !strings.Contains(string(cp.body), "1 through public links") {
		t.Errorf("campaign page: %s", cp)
	}
}

// TestContactsApartAndErasable: a respondent's contact goes to its own
// table, with no link to the answers; an admin finds and erases it, and the
// audit log records the erasure without the contact.
func TestContactsApartAndErasable(t *testing.T) {
	e := emptyEnv(t)
	coord := e.sessionFor(t, auth.Coordinator)
	admin := e.sessionFor(t, auth.Admin)
	id := addSurvey(t, e, "public")
	cid := newCampaign(t, e, coord, id, url.Values{"contact_purpose": {"a call back about street lighting"}})
	f := get(t, e.ts.URL, fmt.Sprintf("/surveys/%d/form?campaign=%d", id, cid), nil)
	if f.status != 200 || !strings.Contains(string(f.body), `name="contact"`) || len(f.header.Values("Set-Cookie")) != 0 {
		t.Fatalf("public form: %s", f)
	}
	r := postJSON(t, e, fmt.Sprintf("/api/v1/surveys/%d/contacts", id), "ct1", fmt.Sprintf(`{"contact": "neighbour@example.org", "campaign": %d}`, cid), nil)
	if r.status != 201 {
		t.Fatalf("contact: %s", r)
	}
	if r := postJSON(t, e, fmt.Sprintf("/api/v1/surveys/%d/contacts", id), "ct2", `{"contact": "x@example.org"}`, nil); r.status != 400 {
		t.Errorf("contact without a campaign that asks: %s", r)
	}
	resp := postJSON(t, e, fmt.Sprintf("/api/v1/surveys/%d/responses", id), "r1", fmt.Sprintf(`{"consent": true, "campaign": %d, "answers": {"sdg_16_1_4": "very_safe", "area": "E01000001"}}`, cid), nil)
	if resp.status != 201 {
		t.Fatalf("response: %s", resp)
	}
	rs, _ := e.st.SurveyResponses(t.Context(), id)
	if strings.Contains(string(rs[0].Answers), "neighbour") {
		t.Error("the contact is stored with the answers")
	}
	if r := get(t, e.ts.URL, "/admin/contacts?q=neighbour", coord); r.status != http.StatusForbidden {
		t.Errorf("a coordinator listed contacts: %d", r.status)
	}
	list := get(t, e.ts.URL, "/admin/contacts?q=neighbour", admin)
	if !strings.Contains(string(list.body), "neighbour@example.org") {
		t.Fatalf("admin search: %s", list)
	}
	cs, _ := e.st.Contacts(t.Context(), e.org.ID, "neighbour", 10)
	if r := postForm(t, e, fmt.Sprintf("/admin/contacts/%d/delete", cs[0].ID), admin, url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("erase: %s", r)
	}
	if cs, _ := e.st.Contacts(t.Context(), e.org.ID, "", 10); len(cs) != 0 {
		t.Errorf("not erased: %v", cs)
	}
	log, _ := e.st.AuditLog(t.Context(), e.org.ID, 20)
	found := false
	for _, l := range log {
		if l.Action == "survey.contact_delete" {
			found = true
			if strings.Contains(l.Detail+l.Target, "neighbour") {
				t.Errorf("the audit log holds the contact: %+v", l)
			}
		}
	}
	if !found {
		t.Error("erasure not audit-logged")
	}
	// the poster QR code of the public survey
	q := get(t, e.ts.URL, fmt.Sprintf("/surveys/%d/qr.svg?campaign=%d", id, cid), nil)
	if q.status != 200 || q.header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(string(q.body), `<path fill="#000" d="M`) {
		t.Errorf("qr: %s", q)
	}
	_ = store.Contact{}
}

// setBuilderForm puts into form what the builder page shows and a browser
// sends back: each module, each question's inclusion, module and order,
// and every wording field of every language (labels, hints, choices).
func setBuilderForm(form url.Values, mods []builderModule, rows []builderRow) {
	for _, m := range mods {
		p := fmt.Sprintf("m%d_", m.Slot)
		form.Set(p+"name", m.Name)
		form.Set(p+"title", m.Title)
		form.Set(p+"surveyors", m.Surveyors)
	}
	for _, r := range rows {
		p := "q_" + r.Name + "_"
		if r.Included {
			form.Set(p+"inc", "1")
		}
		if r.Required {
			form.Set(p+"req", "1")
		}
		form.Set(p+"mod", fmt.Sprint(r.Module))
		form.Set(p+"ord", fmt.Sprint(r.Order))
		for _, x := range append(slices.Clone(r.LabelTr), r.HintTr...) {
			form.Set(x.Name, x.Text)
		}
		for _, c := range r.ChoiceTr {
			for _, x := range c.Texts {
				form.Set(x.Name, x.Text)
			}
		}
	}
}
