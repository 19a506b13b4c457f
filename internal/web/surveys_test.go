package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/survey"
)

// addSurvey stores the Riga survey from the bank with the given access.
func addSurvey(t *testing.T, e *env, access string) int64 {
	t.Helper()
	d := survey.Riga("Riga test", false)
	d.Access = access
	if err := d.Check(); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(d)
	sv, err := e.st.CreateSurvey(t.Context(), e.org.ID, "Riga test", access, false, b)
	if err != nil {
		t.Fatal(err)
	}
	return sv.ID
}

func postResponse(t *testing.T, e *env, id int64, key string, body string, s *session) response {
	t.Helper()
	h := map[string]string{}
	if key != "" {
		h["Idempotency-Key"] = key
	}
	if s != nil {
		h["X-CSRF-Token"] = s.csrf
	}
	return do(t, e.ts.URL, request{method: http.MethodPost, url: fmt.Sprintf("/api/v1/surveys/%d/responses", id), body: strings.NewReader(body),
		contentType: "application/json", headers: h, sess: s})
}

const goodAnswers = `{"consent": true, "answers": {"sdg_16_1_4": "very_safe", "area": "E01000001", "victim_12m": ["robbery"], "victim_reported": "no"}}`

type resultsJSON struct {
	Responses int  `json:"responses"`
	Simulated bool `json:"simulated"`
	Questions []struct {
		Name  string `json:"name"`
		N     *int   `json:"n"`
		Cells []struct {
			Value      string  `json:"value"`
			Count      *int    `json:"count"`
			Low        float64 `json:"ci95_low"`
			High       float64 `json:"ci95_high"`
			Suppressed bool    `json:"suppressed"`
		} `json:"choices"`
	} `json:"questions"`
	Areas []struct {
		Area       string `json:"area"`
		Suppressed bool   `json:"suppressed"`
	} `json:"areas"`
}

func results(t *testing.T, e *env, id int64, s *session) resultsJSON {
	t.Helper()
	r := do(t, e.ts.URL, request{url: fmt.Sprintf("/api/v1/surveys/%d/results", id), sess: s})
	if r.status != 200 {
		t.Fatalf("results: %s", r)
	}
	var out resultsJSON
	decodeJSON(t, r, &out)
	return out
}

// TestSurveyResponseIdempotent sends the same response twice (and many
// times concurrently): stored once, counted once.
func TestSurveyResponseIdempotent(t *testing.T) {
	e := emptyEnv(t)
	id := addSurvey(t, e, survey.AccessPublic)

	r1 := postResponse(t, e, id, "key-1", goodAnswers, nil)
	if r1.status != http.StatusCreated {
		t.Fatalf("first: %s", r1)
	}
	r2 := postResponse(t, e, id, "key-1", goodAnswers, nil)
	if r2.status != http.StatusOK {
		t.Fatalf("repeat: %s", r2)
	}
	var a, b struct {
		ID      int64 `json:"id"`
		Created bool  `json:"created"`
	}
	decodeJSON(t, r1, &a)
	decodeJSON(t, r2, &b)
	if a.ID == 0 || a.ID != b.ID || !a.Created || b.Created {
		t.Fatalf("ids %+v %+v", a, b)
	}
	var wg sync.WaitGroup
	codes := make([]int, 10)
	for i := range codes {
		wg.Add(1)
		go func() { defer wg.Done(); codes[i] = postResponse(t, e, id, "key-2", goodAnswers, nil).status }()
	}
	wg.Wait()
	created := 0
	for _, c := range codes {
		if c == http.StatusCreated {
			created++
		} else if c != http.StatusOK {
			t.Errorf("concurrent repeat: %d", c)
		}
	}
	if created != 1 {
		t.Errorf("concurrent repeats: %d created", created)
	}
	staff := e.sessionFor(t, auth.Analyst)
	res := results(t, e, id, staff)
	if res.Responses != 2 || res.Questions[0].Name != "sdg_16_1_4" || *res.Questions[0].N != 2 || *res.Questions[0].Cells[0].Count != 2 {
		t.Fatalf("results: %+v", res)
	}
	// the public sees the survey listed and the small cells suppressed
	var list struct {
		Surveys []struct {
			ID        int64 `json:"id"`
			Responses int64 `json:"responses"`
		} `json:"surveys"`
	}
	decodeJSON(t, get(t, e.ts.URL, "/api/v1/surveys", nil), &list)
	if len(list.Surveys) != 1 || list.Surveys[0].ID != id || list.Surveys[0].Responses != 2 {
		t.Fatalf("list: %+v", list)
	}
	pub := results(t, e, id, nil)
	if pub.Responses != 2 || pub.Questions[0].N != nil || !pub.Questions[0].Cells[0].Suppressed || pub.Questions[0].Cells[0].Count != nil || !pub.Areas[0].Suppressed {
		t.Errorf("public results not suppressed: %+v", pub)
	}
	if d := get(t, e.ts.URL, fmt.Sprintf("/api/v1/surveys/%d", id), nil); d.status != 200 || !strings.Contains(string(d.body), "How safe do you feel walking alone") {
		t.Errorf("definition: %s", d)
	}
}

// TestSurveyValidationErrors: 400 naming the field.
func TestSurveyValidationErrors(t *testing.T) {
	e := emptyEnv(t)
	id := addSurvey(t, e, survey.AccessPublic)
	fields := func(r response) map[string]string {
		t.Helper()
		if r.status != http.StatusBadRequest {
			t.Fatalf("want 400, got %s", r)
		}
		var body struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
				Fields  []struct{ Field, Code, Message string }
			} `json:"error"`
		}
		decodeJSON(t, r, &body)
		out := map[string]string{}
		for _, f := range body.Error.Fields {
			out[f.Field] = f.Code
		}
		if body.Error.Code != "invalid" || body.Error.Message == "" {
			t.Errorf("error body %s", r)
		}
		return out
	}
	if f := fields(postResponse(t, e, id, "", goodAnswers, nil)); f["Idempotency-Key"] != "required" {
		t.Errorf("no key: %v", f)
	}
	f := fields(postResponse(t, e, id, "k", `{"consent": false, "answers": {"sdg_16_1_4": "quite", "victim_12m": "none", "nope": 1}}`, nil))
	for field, code := range map[string]string{"consent": "required", "sdg_16_1_4": "invalid_choice", "area": "required", "nope": "unknown_field"} {
		if f[field] != code {
			t.Errorf("field %s: %q, want %q (all %v)", field, f[field], code, f)
		}
	}
	if f := fields(postResponse(t, e, id, "k", `{"answers": [1,2]`, nil)); f["body"] != "invalid_json" {
		t.Errorf("bad JSON: %v", f)
	}
	if res := results(t, e, id, e.sessionFor(t, auth.Admin)); res.Responses != 0 {
		t.Errorf("invalid responses were stored: %d", res.Responses)
	}
	// the key was not used up by the invalid attempt
	if r := postResponse(t, e, id, "k", goodAnswers, nil); r.status != http.StatusCreated {
		t.Errorf("after fixing: %s", r)
	}
}

// TestFieldSurveyNeedsSurveyor: field surveys take responses from
// signed-in surveyors only.
func TestFieldSurveyNeedsSurveyor(t *testing.T) {
	e := emptyEnv(t)
	id := addSurvey(t, e, survey.AccessField)
	if r := postResponse(t, e, id, "k1", goodAnswers, nil); r.status != http.StatusUnauthorized {
		t.Errorf("public: %s", r)
	}
	if r := postResponse(t, e, id, "k1", goodAnswers, e.sessionFor(t, auth.Partner)); r.status != http.StatusForbidden {
		t.Errorf("partner: %s", r)
	}
	field := e.sessionFor(t, auth.Field)
	if r := postResponse(t, e, id, "k1", goodAnswers, &session{token: field.token, csrf: "wrong"}); r.status != http.StatusForbidden {
		t.Errorf("without the CSRF token: %s", r)
	}
	if r := postResponse(t, e, id, "k1", goodAnswers, field); r.status != http.StatusCreated {
		t.Errorf("surveyor: %s", r)
	}
	// the form: a sign-in redirect for the public, the form for a surveyor
	if r := get(t, e.ts.URL, fmt.Sprintf("/surveys/%d/form", id), nil); !isSigninRedirect(r) {
		t.Errorf("public form: %s", r)
	}
	r := get(t, e.ts.URL, fmt.Sprintf("/surveys/%d/form", id), field)
	if r.status != 200 || !strings.Contains(string(r.body), `data-endpoint="/api/v1/surveys/`) || !strings.Contains(string(r.body), "/static/survey.js") ||
		!strings.Contains(string(r.body), "data-relevant=") || strings.Contains(string(r.body), "<script>") {
		t.Errorf("form: %s", r)
	}
}

// TestSurveyRateLimit: public responses are limited per address.
func TestSurveyRateLimit(t *testing.T) {
	e := emptyEnv(t)
	id := addSurvey(t, e, survey.AccessPublic)
	for i := range surveyPostPerIP {
		if r := postResponse(t, e, id, fmt.Sprint("k", i), goodAnswers, nil); r.status != http.StatusCreated {
			t.Fatalf("response %d: %s", i, r)
		}
	}
	if r := postResponse(t, e, id, "one-too-many", goodAnswers, nil); r.status != http.StatusTooManyRequests {
		t.Errorf("over the limit: %s", r)
	}
}

// TestSurveyServiceWorker: the worker is served from /surveys/ (its scope) as JavaScript.
func TestSurveyServiceWorker(t *testing.T) {
	e := emptyEnv(t)
	r := get(t, e.ts.URL, "/surveys/sw.js", nil)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/javascript") || !strings.Contains(string(r.body), "addEventListener(\"fetch\"") {
		t.Errorf("service worker: %s", r)
	}
}

// TestSurveyConsentInFormLanguage: the consent statement stored with a
// response is the one the form showed, in the form's language (sent as
// "lang"), also for a survey language the interface does not have; an
// unknown language is a field error; without lang, the interface's.
func TestSurveyConsentInFormLanguage(t *testing.T) {
	e := emptyEnv(t)
	d := survey.Riga("Riga in Latvian", false)
	d.Access = survey.AccessPublic
	d.Languages = []string{"en", "lv"}
	d.Consent["lv"] = "Aptauja ir anonīma."
	if err := d.Check(); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(d)
	sv, err := e.st.CreateSurvey(t.Context(), e.org.ID, "Riga lv", survey.AccessPublic, false, b)
	if err != nil {
		t.Fatal(err)
	}
	withLang := func(lang string) string {
		return strings.Replace(goodAnswers, `{"consent": true,`, `{"consent": true, "lang": "`+lang+`",`, 1)
	}
	if r := postResponse(t, e, sv.ID, "lv-1", withLang("lv"), nil); r.status != http.StatusCreated {
		t.Fatalf("lv: %s", r)
	}
	if r := postResponse(t, e, sv.ID, "en-1", goodAnswers, nil); r.status != http.StatusCreated {
		t.Fatalf("no lang: %s", r)
	}
	r := postResponse(t, e, sv.ID, "de-1", withLang("de"), nil)
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), `"lang"`) || !strings.Contains(string(r.body), "unknown_language") {
		t.Errorf("unknown language: %s", r)
	}
	rs, err := e.st.SurveyResponses(t.Context(), sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, x := range rs {
		got[x.IdemKey] = x.ConsentText
	}
	if len(rs) != 2 || got["lv-1"] != "Aptauja ir anonīma." || got["en-1"] != d.Consent["en"] {
		t.Errorf("stored consent texts %q", got)
	}
}
