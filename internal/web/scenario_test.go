package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/store"
)

// scenario is one HTTP request against the real-data server and what must
// come back (in the style of PocketBase's ApiScenario).
type scenario struct {
	name    string
	method  string // GET when empty
	url     string
	form    url.Values // sent as application/x-www-form-urlencoded when non-nil
	csrf    bool       // add the session's CSRF token to the form
	headers map[string]string
	role    auth.Role // "" or auth.Public: no session
	status  int
	// location, when set, is the expected Location header prefix.
	location    string
	contains    []string
	notContains []string
	// check runs extra assertions (JSON shape, side effects).
	check func(t *testing.T, f *dataFixture, r response)
}

func (sc scenario) run(t *testing.T, f *dataFixture) response {
	t.Helper()
	s := f.sessionFor(t, sc.role)
	req := request{method: sc.method, url: sc.url, headers: sc.headers, sess: s}
	if req.method == "" {
		req.method = http.MethodGet
	}
	if sc.form != nil || sc.csrf {
		form := url.Values{}
		for k, v := range sc.form {
			form[k] = v
		}
		if sc.csrf && s != nil {
			form.Set("csrf", s.csrf)
		}
		req.body = strings.NewReader(form.Encode())
		req.contentType = "application/x-www-form-urlencoded"
	}
	r := do(t, f.ts.URL, req)
	if r.status != sc.status {
		t.Errorf("status: got %s, want %d", r, sc.status)
	}
	if sc.location != "" && !strings.HasPrefix(r.header.Get("Location"), sc.location) {
		t.Errorf("Location: got %q, want prefix %q", r.header.Get("Location"), sc.location)
	}
	body := string(r.body)
	for _, want := range sc.contains {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, r)
		}
	}
	for _, bad := range sc.notContains {
		if strings.Contains(body, bad) {
			t.Errorf("body contains %q:\n%s", bad, r)
		}
	}
	checkSecurityHeaders(t, r)
	if sc.check != nil && !t.Failed() {
		sc.check(t, f, r)
	}
	return r
}

// checkSecurityHeaders asserts the hardening headers every response carries.
func checkSecurityHeaders(t *testing.T, r response) {
	t.Helper()
	csp := r.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("Content-Security-Policy %q lacks script-src 'self'", csp)
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("Content-Security-Policy %q allows unsafe-inline/unsafe-eval", csp)
	}
	if !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("Content-Security-Policy %q lacks frame-ancestors 'none'", csp)
	}
	if got := r.header.Get("X-Frame-Options"); got != "DENY" {
		t.Errorf("X-Frame-Options = %q, want DENY", got)
	}
	if got := r.header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
	}
	if got := r.header.Get("Referrer-Policy"); got == "" {
		t.Errorf("no Referrer-Policy")
	}
}

// JSON shapes of the API.
type (
	apiMethod struct {
		Name        string `json:"name"`
		Description string `json:"description"`
		Dataset     string `json:"dataset"`
		Category    string `json:"category"`
		Period      string `json:"period"`
		Layer       string `json:"layer"`
		N           *int64 `json:"n"`
		Suppression *int   `json:"suppression_threshold"`
		Uncertainty string `json:"uncertainty"`
	}
	apiAreaCount struct {
		AreaID     int64  `json:"area_id"`
		Code       string `json:"code"`
		Name       string `json:"name"`
		Count      *int64 `json:"count"`
		Suppressed bool   `json:"suppressed"`
	}
	apiAreaCounts struct {
		Method apiMethod      `json:"method"`
		Counts []apiAreaCount `json:"counts"`
	}
	apiMonthPoint struct {
		Period     string `json:"period"`
		Count      *int64 `json:"count"`
		Suppressed bool   `json:"suppressed"`
	}
	apiMonthly struct {
		Method apiMethod       `json:"method"`
		Series []apiMonthPoint `json:"series"`
	}
	apiIncidents struct {
		Page      int               `json:"page"`
		PageSize  int               `json:"page_size"`
		Total     int64             `json:"total"`
		Incidents []json.RawMessage `json:"incidents"`
	}
	apiDataset struct {
		ID         int64            `json:"id"`
		Name       string           `json:"name"`
		Incidents  int64            `json:"incidents"`
		Located    int64            `json:"located"`
		First      string           `json:"first"`
		Last       string           `json:"last"`
		Resolution map[string]int64 `json:"resolution"`
		Categories []struct {
			Category string `json:"category"`
			ICCS     string `json:"iccs"`
			Count    int64  `json:"count"`
		} `json:"categories"`
	}
)

func TestScenarios(t *testing.T) {
	f := realData(t)
	f.nextRateWindow() // this test signs in through the form a few times
	en := func(key string) string { return html.EscapeString(f.srv.cat.T("en", key)) }
	layer := strconv.FormatInt(f.layerID, 10)
	newUser := fmt.Sprintf("new.field.%d@greater-manchester.test", time.Now().UnixNano()) // unique across -count runs

	scenarios := []scenario{
		// operations
		{name: "healthz", url: "/healthz", status: 200, contains: []string{`"status":"ok"`}},
		{name: "metrics", url: "/metrics", status: 200, contains: []string{"# TYPE", "icarus_http_requests_total"}},
		{name: "openapi", url: "/api/openapi.json", status: 200, check: checkOpenAPI},
		{name: "unknown path is 404 with headers", url: "/no/such/page", status: 404},
		{name: "static asset", url: "/static/app.css", status: 200},

		// sign-in and sessions
		{name: "signin form", url: "/signin", status: 200, contains: []string{`name="email"`, `name="password"`}},
		{name: "signin success", method: "POST", url: "/signin", form: url.Values{"email": {"Analyst@greater-manchester.test"}, "password": {testPassword}},
			status: 303, location: "/", check: checkSessionCookie},
		{name: "signin keeps a local next", method: "POST", url: "/signin",
			form:   url.Values{"email": {"field@greater-manchester.test"}, "password": {testPassword}, "next": {"/map?layer=" + layer}},
			status: 303, location: "/map?layer=" + layer},
		{name: "signin refuses an open redirect", method: "POST", url: "/signin",
			form:   url.Values{"email": {"field@greater-manchester.test"}, "password": {testPassword}, "next": {"//evil.example/"}},
			status: 303, check: func(t *testing.T, f *dataFixture, r response) {
				if loc := r.header.Get("Location"); loc != "/" {
					t.Errorf("Location %q, want /", loc)
				}
			}},
		{name: "signin wrong password", method: "POST", url: "/signin", form: url.Values{"email": {"admin@greater-manchester.test"}, "password": {"not the password"}},
			status: 401, contains: []string{en("signin.failed")}, check: func(t *testing.T, f *dataFixture, r response) {
				if sc := r.header.Values("Set-Cookie"); len(sc) > 0 {
					t.Errorf("failed sign-in set cookies %q", sc)
				}
				es, err := f.st.AuditLog(context.Background(), f.org.ID, 50)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.ContainsFunc(es, func(e store.AuditEntry) bool {
					return e.Action == "signin.failed" && e.Actor == "admin@greater-manchester.test" && e.IP == "127.0.0.1"
				}) {
					t.Errorf("no audit entry signin.failed for admin@greater-manchester.test: %+v", es)
				}
			}},
		{name: "signin unknown user", method: "POST", url: "/signin", form: url.Values{"email": {"nobody@example.org"}, "password": {testPassword}},
			status: 401, contains: []string{en("signin.failed")}},
		{name: "audit page shows the failed sign-in", url: "/admin/audit", role: auth.Admin, status: 200, contains: []string{"signin.failed"}},

		// CSRF
		{name: "signout without csrf", method: "POST", url: "/signout", form: url.Values{}, role: auth.Field, status: 403, contains: []string{en("error.csrf")}},
		{name: "signout with a wrong csrf", method: "POST", url: "/signout", form: url.Values{"csrf": {"forged"}}, role: auth.Field, status: 403},
		{name: "add user without csrf", method: "POST", url: "/admin/users", role: auth.Admin, status: 403,
			form: url.Values{"email": {"nocsrf@greater-manchester.test"}, "role": {"field"}, "password": {"a long enough password"}},
			check: func(t *testing.T, f *dataFixture, r response) {
				if _, _, err := f.st.UserByEmail(context.Background(), "nocsrf@greater-manchester.test"); err == nil {
					t.Errorf("a user was added without a CSRF token")
				}
			}},
		{name: "add user with csrf", method: "POST", url: "/admin/users", role: auth.Admin, csrf: true, status: 303, location: "/admin/users",
			form: url.Values{"email": {newUser}, "name": {"New Field"}, "role": {"field"}, "password": {"a long enough password"}},
			check: func(t *testing.T, f *dataFixture, r response) {
				u, _, err := f.st.UserByEmail(context.Background(), newUser)
				if err != nil || u.Role != auth.Field || u.OrgID != f.org.ID {
					t.Errorf("user not added as field of the org: %+v %v", u, err)
				}
				page := get(t, f.ts.URL, "/admin/users", f.sessionFor(t, auth.Admin))
				if !strings.Contains(string(page.body), newUser) {
					t.Errorf("/admin/users does not list the new user")
				}
			}},
		{name: "add an existing user", method: "POST", url: "/admin/users", role: auth.Admin, csrf: true, status: 409,
			form: url.Values{"email": {"Field@Greater-Manchester.test"}, "role": {"admin"}, "password": {"a long enough password"}}},
		{name: "add user with a short password", method: "POST", url: "/admin/users", role: auth.Admin, csrf: true, status: 400,
			form: url.Values{"email": {"short@greater-manchester.test"}, "role": {"field"}, "password": {"short"}}},
		{name: "add user with an unknown role", method: "POST", url: "/admin/users", role: auth.Admin, csrf: true, status: 400,
			form: url.Values{"email": {"root@greater-manchester.test"}, "role": {"root"}, "password": {"a long enough password"}}},
		{name: "analyst may not add users", method: "POST", url: "/admin/users", role: auth.Analyst, csrf: true, status: 403,
			form: url.Values{"email": {"sneaky@greater-manchester.test"}, "role": {"admin"}, "password": {"a long enough password"}}},

		// cross-origin requests
		{name: "cross-site POST signin", method: "POST", url: "/signin", headers: map[string]string{"Sec-Fetch-Site": "cross-site"},
			form: url.Values{"email": {"admin@greater-manchester.test"}, "password": {testPassword}}, status: 403},
		{name: "cross-site POST with session and csrf", method: "POST", url: "/admin/users", headers: map[string]string{"Sec-Fetch-Site": "cross-site"},
			role: auth.Admin, csrf: true, form: url.Values{"email": {"xsite@greater-manchester.test"}, "role": {"admin"}, "password": {"a long enough password"}}, status: 403},
		{name: "foreign Origin POST", method: "POST", url: "/signout", headers: map[string]string{"Origin": "https://evil.example"},
			role: auth.Field, csrf: true, status: 403},
		{name: "same-origin POST signout", method: "POST", url: "/signout", headers: map[string]string{"Sec-Fetch-Site": "same-origin"},
			role: auth.Field, csrf: true, status: 303, location: "/signin"},
		{name: "cross-site GET is fine", url: "/healthz", headers: map[string]string{"Sec-Fetch-Site": "cross-site"}, status: 200},

		// API: datasets, layers, areas
		{name: "datasets public", url: "/api/v1/datasets", status: 401},
		{name: "datasets analyst", url: "/api/v1/datasets", role: auth.Analyst, status: 200, check: checkDatasets},
		{name: "layers public", url: "/api/v1/layers", status: 200, check: func(t *testing.T, f *dataFixture, r response) {
			var v struct {
				Layers []struct {
					ID    int64  `json:"id"`
					Name  string `json:"name"`
					Areas int    `json:"areas"`
				} `json:"layers"`
			}
			decodeJSON(t, r, &v)
			if len(v.Layers) != 1 || v.Layers[0].Areas != lsoaAreas || v.Layers[0].Name != lsoaLayerName {
				t.Errorf("layers %+v, want one %q with %d areas", v.Layers, lsoaLayerName, lsoaAreas)
			}
		}},
		{name: "areas GeoJSON public", url: "/api/v1/areas?layer=" + layer, status: 200, check: checkAreasGeoJSON},
		{name: "areas without layer", url: "/api/v1/areas", status: 400},
		{name: "areas of an unknown layer", url: "/api/v1/areas?layer=99999", status: 404},

		// API: aggregates
		{name: "area counts public", url: "/api/v1/aggregates/areas", status: 200, check: checkPublicAreaCounts},
		{name: "area counts analyst", url: "/api/v1/aggregates/areas", role: auth.Analyst, status: 200, check: checkAnalystAreaCounts},
		{name: "area counts bad month", url: "/api/v1/aggregates/areas?from=2017-13", status: 400},
		{name: "monthly public", url: "/api/v1/aggregates/monthly", status: 200, check: checkMonthly},
		{name: "monthly analyst", url: "/api/v1/aggregates/monthly", role: auth.Analyst, status: 200, check: checkMonthly},
		{name: "monthly window", url: "/api/v1/aggregates/monthly?from=2017-03&to=2017-05", role: auth.Analyst, status: 200,
			check: func(t *testing.T, f *dataFixture, r response) {
				var v apiMonthly
				decodeJSON(t, r, &v)
				if got := periods(v.Series); !slices.Equal(got, []string{"2017-03", "2017-04", "2017-05"}) {
					t.Errorf("periods %v, want 2017-03..2017-05", got)
				}
				if v.Method.Period != "2017-03..2017-05" {
					t.Errorf("method.period %q", v.Method.Period)
				}
			}},

		// API: incident records
		{name: "incidents public", url: "/api/v1/incidents", status: 401},
		{name: "incidents field", url: "/api/v1/incidents", role: auth.Field, status: 403},
		{name: "incidents partner", url: "/api/v1/incidents", role: auth.Partner, status: 403},
		{name: "incidents analyst", url: "/api/v1/incidents", role: auth.Analyst, status: 200, check: func(t *testing.T, f *dataFixture, r response) {
			v := checkIncidentPage(t, r, 1, 100)
			if v.Total != burglaryPoints {
				t.Errorf("total %d, want %d (see TestRealDataImport)", v.Total, burglaryPoints)
			}
		}},
		{name: "incidents page size 1000", url: "/api/v1/incidents?page_size=1000&page=2", role: auth.Admin, status: 200,
			check: func(t *testing.T, f *dataFixture, r response) { checkIncidentPage(t, r, 2, 1000) }},
		{name: "incidents page size capped", url: "/api/v1/incidents?page_size=5000", role: auth.Analyst, status: 200,
			check: func(t *testing.T, f *dataFixture, r response) {
				var v apiIncidents
				decodeJSON(t, r, &v)
				if v.PageSize > 1000 || len(v.Incidents) > 1000 || len(v.Incidents) != v.PageSize {
					t.Errorf("page_size %d with %d rows: want at most 1000", v.PageSize, len(v.Incidents))
				}
			}},
		{name: "incidents last page", url: fmt.Sprintf("/api/v1/incidents?page_size=1000&page=%d", burglaryPoints/1000+1), role: auth.Analyst, status: 200,
			check: func(t *testing.T, f *dataFixture, r response) {
				var v apiIncidents
				decodeJSON(t, r, &v)
				if want := int(v.Total % 1000); len(v.Incidents) != want {
					t.Errorf("last page has %d rows, want %d (total %d)", len(v.Incidents), want, v.Total)
				}
			}},
		{name: "incidents one month", url: "/api/v1/incidents?from=2017-06&to=2017-06&page_size=1000", role: auth.Analyst, status: 200,
			check: func(t *testing.T, f *dataFixture, r response) {
				var v struct {
					Total     int64 `json:"total"`
					Incidents []struct {
						Time string `json:"time"`
					} `json:"incidents"`
				}
				decodeJSON(t, r, &v)
				if v.Total == 0 || v.Total >= burglaryPoints {
					t.Errorf("total %d for June", v.Total)
				}
				for _, in := range v.Incidents {
					if !strings.HasPrefix(in.Time, "2017-06") {
						t.Errorf("incident of %s in a June selection", in.Time)
						break
					}
				}
			}},
		{name: "incidents bad month", url: "/api/v1/incidents?from=June", role: auth.Analyst, status: 400, contains: []string{`"code"`}},
		{name: "indicators field", url: "/api/v1/indicators", role: auth.Field, status: 200, contains: []string{`"indicators"`, `"values"`}},

		// language
		{name: "lang query", url: "/signin?lang=fr", status: 200, contains: []string{`<html lang="fr">`}},
		{name: "lang query signed in", url: "/?lang=fr", role: auth.Admin, status: 200, contains: []string{`<html lang="fr">`}},
		{name: "Accept-Language", url: "/signin", headers: map[string]string{"Accept-Language": "it-IT,it;q=0.9"}, status: 200, contains: []string{`<html lang="it">`}},
		{name: "unknown lang falls back", url: "/signin?lang=xx", status: 200, contains: []string{`<html lang="en">`}},
		{name: "lang switch", url: "/lang/fr?next=/public", status: 303, location: "/public", check: func(t *testing.T, f *dataFixture, r response) {
			var ck *http.Cookie
			for _, c := range (&http.Response{Header: r.header}).Cookies() {
				if c.Name == "lang" {
					ck = c
				}
			}
			if ck == nil || ck.Value != "fr" {
				t.Fatalf("no lang=fr cookie: %q", r.header.Values("Set-Cookie"))
			}
			page := do(t, f.ts.URL, request{url: "/public", headers: map[string]string{"Cookie": "lang=fr"}})
			if !strings.Contains(string(page.body), `<html lang="fr">`) {
				t.Errorf("the lang cookie is not honoured")
			}
		}},
		{name: "lang switch unknown", url: "/lang/xx", status: 404},
		{name: "lang switch open redirect", url: "/lang/fr?next=//evil.example", status: 303, location: "/", check: func(t *testing.T, f *dataFixture, r response) {
			if loc := r.header.Get("Location"); loc != "/" {
				t.Errorf("Location %q, want /", loc)
			}
		}},

		// pages
		{name: "home public redirects to public page", url: "/", status: 303, location: "/public"},
		{name: "public page", url: "/public", status: 200, contains: []string{`id="area-map"`}},
		{name: "map public redirects to signin", url: "/map", status: 303, location: "/signin?next=%2Fmap"},
		{name: "import field forbidden page", url: "/import", role: auth.Field, status: 403},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, f) })
	}
}

// ------------------------------------------------------------ JSON checks

func checkOpenAPI(t *testing.T, f *dataFixture, r response) {
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	decodeJSON(t, r, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi %q, want 3.x", doc.OpenAPI)
	}
	if len(doc.Paths) < 5 {
		t.Errorf("%d paths, want at least 5", len(doc.Paths))
	}
	for _, rt := range f.srv.routes() {
		method, path, _ := strings.Cut(rt.pattern, " ")
		if !strings.HasPrefix(path, "/api/v1/") {
			continue
		}
		op, ok := doc.Paths[path][strings.ToLower(method)]
		if !ok {
			t.Errorf("route %q is not documented in /api/openapi.json", rt.pattern)
			continue
		}
		_, secured := op["security"]
		if want := rt.perm != auth.PermPublic; secured != want {
			t.Errorf("%s: documented security %v, but the route needs %q", rt.pattern, secured, rt.perm)
		}
		if desc, _ := op["description"].(string); rt.perm != auth.PermPublic && !strings.Contains(desc, string(rt.perm)) {
			t.Errorf("%s: description %q does not name permission %q", rt.pattern, desc, rt.perm)
		}
	}
	// and nothing is documented that is not served
	served := map[string]bool{}
	for _, rt := range f.srv.routes() {
		method, path, _ := strings.Cut(rt.pattern, " ")
		served[strings.ToLower(method)+" "+path] = true
	}
	for p, ops := range doc.Paths {
		for m := range ops {
			if !served[m+" "+p] {
				t.Errorf("openapi documents %s %s, which no route serves", m, p)
			}
		}
	}
}

func checkSessionCookie(t *testing.T, f *dataFixture, r response) {
	var ck *http.Cookie
	raw := ""
	for _, line := range r.header.Values("Set-Cookie") {
		if strings.HasPrefix(line, sessionCookie+"=") {
			raw = line
		}
	}
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == sessionCookie {
			ck = c
		}
	}
	if ck == nil || ck.Value == "" {
		t.Fatalf("no session cookie in %q", r.header.Values("Set-Cookie"))
	}
	if !ck.HttpOnly {
		t.Errorf("session cookie is not HttpOnly: %s", raw)
	}
	if ck.SameSite != http.SameSiteLaxMode {
		t.Errorf("session cookie is not SameSite=Lax: %s", raw)
	}
	if ck.Path != "/" {
		t.Errorf("session cookie path %q", ck.Path)
	}
	if ck.MaxAge <= 0 {
		t.Errorf("session cookie has no Max-Age: %s", raw)
	}
	// the cookie is a working session of the analyst
	res := get(t, f.ts.URL, "/api/v1/incidents?page_size=1", &session{token: ck.Value})
	if res.status != 200 {
		t.Errorf("the new session is not an analyst's: %s", res)
	}
	es, _ := f.st.AuditLog(context.Background(), f.org.ID, 50)
	if !slices.ContainsFunc(es, func(e store.AuditEntry) bool {
		return e.Action == "signin" && e.Actor == "analyst@greater-manchester.test"
	}) {
		t.Errorf("no audit entry for the sign-in")
	}
}

func checkDatasets(t *testing.T, f *dataFixture, r response) {
	var v struct {
		Datasets []apiDataset `json:"datasets"`
	}
	decodeJSON(t, r, &v)
	if len(v.Datasets) != 1 {
		t.Fatalf("%d datasets, want 1: %s", len(v.Datasets), r)
	}
	d := v.Datasets[0]
	if d.Name != burglaryDataset {
		t.Errorf("name %q", d.Name)
	}
	if d.Incidents != burglaryPoints || d.Located != burglaryPoints {
		t.Errorf("incidents %d, located %d: want %d of each (see TestRealDataImport)", d.Incidents, d.Located, burglaryPoints)
	}
	if d.First != "2017-01-01" || d.Last != "2017-12-01" {
		t.Errorf("range %s..%s, want 2017-01-01..2017-12-01", d.First, d.Last)
	}
	if len(d.Resolution) != 1 || d.Resolution["month"] != d.Incidents {
		t.Errorf("resolution %v, want all %d at month", d.Resolution, d.Incidents)
	}
	if len(d.Categories) == 0 {
		t.Fatalf("no categories")
	}
	var sum int64
	for _, c := range d.Categories {
		sum += c.Count
		if c.Category == "" {
			t.Errorf("empty category %+v", c)
		}
	}
	if sum != d.Incidents {
		t.Errorf("categories sum to %d, want %d", sum, d.Incidents)
	}
	if d.Categories[0].Category != "Burglary" || d.Categories[0].ICCS == "" {
		t.Errorf("first category %+v, want Burglary with an ICCS code", d.Categories[0])
	}
}

var lsoaCode = regexp.MustCompile(`^E01\d{6}$`)

func checkAreasGeoJSON(t *testing.T, f *dataFixture, r response) {
	if ct := r.header.Get("Content-Type"); ct != "application/geo+json" {
		t.Errorf("Content-Type %q", ct)
	}
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Type       string `json:"type"`
			ID         int64  `json:"id"`
			Properties struct {
				ID     int64   `json:"id"`
				Code   string  `json:"code"`
				Name   string  `json:"name"`
				AreaM2 float64 `json:"area_m2"`
			} `json:"properties"`
			Geometry struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	decodeJSON(t, r, &fc)
	if fc.Type != "FeatureCollection" || len(fc.Features) != lsoaAreas {
		t.Fatalf("%s with %d features, want FeatureCollection with %d", fc.Type, len(fc.Features), lsoaAreas)
	}
	num := regexp.MustCompile(`-?\d+(\.\d+)?([eE][-+]?\d+)?`)
	codes := map[string]bool{}
	for _, ft := range fc.Features {
		p := ft.Properties
		if ft.Type != "Feature" || ft.ID != p.ID || p.ID == 0 {
			t.Errorf("feature %+v: bad type or id", p)
		}
		if !lsoaCode.MatchString(p.Code) || codes[p.Code] {
			t.Errorf("feature code %q: not a unique Manchester LSOA code", p.Code)
		}
		codes[p.Code] = true
		if p.Name == "" || p.AreaM2 < 1e4 || p.AreaM2 > 1e8 {
			t.Errorf("feature %s: name %q, area %.0f m²", p.Code, p.Name, p.AreaM2)
		}
		if ft.Geometry.Type != "Polygon" && ft.Geometry.Type != "MultiPolygon" {
			t.Errorf("feature %s: geometry %q", p.Code, ft.Geometry.Type)
			continue
		}
		// every coordinate pair must be WGS84 within Greater Manchester
		ns := num.FindAllString(string(ft.Geometry.Coordinates), -1)
		for i := 0; i+1 < len(ns); i += 2 {
			lon, _ := strconv.ParseFloat(ns[i], 64)
			lat, _ := strconv.ParseFloat(ns[i+1], 64)
			if lon < -2.5 || lon > -2.0 || lat < 53.3 || lat > 53.7 {
				t.Errorf("feature %s: coordinate (%g, %g) is not in Manchester (WGS84)", p.Code, lon, lat)
				break
			}
		}
	}
}

// areaCounts fetches /api/v1/aggregates/areas with query q as role.
func areaCounts(t *testing.T, f *dataFixture, q string, role auth.Role) apiAreaCounts {
	t.Helper()
	r := get(t, f.ts.URL, "/api/v1/aggregates/areas"+q, f.sessionFor(t, role))
	if r.status != 200 {
		t.Fatalf("aggregates/areas%s as %s: %s", q, role, r)
	}
	var v apiAreaCounts
	decodeJSON(t, r, &v)
	return v
}

// checkSuppressed compares the public's area counts with the analyst's:
// counts in 1..k-1 must be suppressed (null), all others exact.
func checkSuppressed(t *testing.T, pub, staff apiAreaCounts) {
	t.Helper()
	if pub.Method.Suppression == nil || *pub.Method.Suppression != suppressionLimit {
		t.Errorf("public method.suppression_threshold %v, want %d", pub.Method.Suppression, suppressionLimit)
	}
	exact := map[int64]int64{}
	for _, c := range staff.Counts {
		if c.Count == nil || c.Suppressed {
			t.Fatalf("staff see a suppressed count: %+v", c)
		}
		exact[c.AreaID] = *c.Count
	}
	if len(pub.Counts) != len(staff.Counts) {
		t.Errorf("public sees %d areas, staff %d", len(pub.Counts), len(staff.Counts))
	}
	suppressed := 0
	for _, c := range pub.Counts {
		want := exact[c.AreaID]
		switch {
		case c.Count != nil && *c.Count > 0 && *c.Count < suppressionLimit:
			t.Errorf("public sees count %d for %s (below %d)", *c.Count, c.Code, suppressionLimit)
		case c.Suppressed && c.Count != nil:
			t.Errorf("area %s suppressed but count %d given", c.Code, *c.Count)
		case want > 0 && want < suppressionLimit && !c.Suppressed:
			t.Errorf("area %s: count %d not suppressed", c.Code, want)
		case (want == 0 || want >= suppressionLimit) && (c.Count == nil || *c.Count != want):
			t.Errorf("area %s: public count %v, want %d", c.Code, c.Count, want)
		}
		if c.Suppressed {
			suppressed++
		}
	}
	if pub.Method.N != nil && *pub.Method.N > 0 && *pub.Method.N < suppressionLimit {
		t.Errorf("public method.n = %d reveals a count below %d", *pub.Method.N, suppressionLimit)
	}
	t.Logf("%d of %d areas suppressed for the public", suppressed, len(pub.Counts))
}

func checkPublicAreaCounts(t *testing.T, f *dataFixture, r response) {
	var pub apiAreaCounts
	decodeJSON(t, r, &pub)
	checkSuppressed(t, pub, areaCounts(t, f, "", auth.Analyst))
}

func checkAnalystAreaCounts(t *testing.T, f *dataFixture, r response) {
	var v apiAreaCounts
	decodeJSON(t, r, &v)
	if len(v.Counts) != lsoaAreas {
		t.Errorf("%d areas, want %d", len(v.Counts), lsoaAreas)
	}
	if v.Method.Suppression == nil || *v.Method.Suppression != 0 {
		t.Errorf("staff suppression threshold %v, want 0", v.Method.Suppression)
	}
	if v.Method.N == nil {
		t.Fatalf("no method.n")
	}
	var sum int64
	for _, c := range v.Counts {
		if c.Suppressed || c.Count == nil {
			t.Errorf("staff see a suppressed count: %+v", c)
			continue
		}
		sum += *c.Count
	}
	if want := *v.Method.N - int64(f.incSum.Unassigned) - int64(f.incSum.NoLocation); sum != want {
		t.Errorf("area counts sum to %d, want n - unassigned - unlocated = %d", sum, want)
	}
	if *v.Method.N != burglaryPoints {
		t.Errorf("method.n = %d, want %d (see TestRealDataImport)", *v.Method.N, burglaryPoints)
	}
	if v.Method.Layer != lsoaLayerName || v.Method.Dataset != burglaryDataset || v.Method.Description == "" || v.Method.Uncertainty == "" {
		t.Errorf("incomplete method %+v", v.Method)
	}
}

func periods(ps []apiMonthPoint) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Period)
	}
	return out
}

func checkMonthly(t *testing.T, f *dataFixture, r response) {
	var v apiMonthly
	decodeJSON(t, r, &v)
	var want []string
	for m := 1; m <= 12; m++ {
		want = append(want, fmt.Sprintf("2017-%02d", m))
	}
	if got := periods(v.Series); !slices.Equal(got, want) {
		t.Errorf("periods %v, want the 12 months of 2017", got)
	}
	var sum int64
	for _, p := range v.Series {
		if p.Count == nil {
			t.Errorf("month %s has no count (suppressed %v)", p.Period, p.Suppressed)
			continue
		}
		sum += *p.Count
	}
	if v.Method.N == nil || *v.Method.N != sum {
		t.Errorf("method.n %v, want the sum of the series %d", v.Method.N, sum)
	}
	if sum != burglaryPoints {
		t.Errorf("the series sums to %d, want %d (see TestRealDataImport)", sum, burglaryPoints)
	}
	if v.Method.Name == "" || v.Method.Description == "" || v.Method.Uncertainty == "" || v.Method.Dataset != burglaryDataset {
		t.Errorf("incomplete method %+v", v.Method)
	}
}

func checkIncidentPage(t *testing.T, r response, page, size int) apiIncidents {
	t.Helper()
	var v apiIncidents
	decodeJSON(t, r, &v)
	if v.Page != page || v.PageSize != size {
		t.Errorf("page %d size %d, want %d and %d", v.Page, v.PageSize, page, size)
	}
	if v.Total >= int64(page*size) && len(v.Incidents) != size {
		t.Errorf("%d rows on a full page of %d", len(v.Incidents), size)
	}
	for _, raw := range v.Incidents {
		var in map[string]any
		if err := json.Unmarshal(raw, &in); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"id", "category", "time", "resolution"} {
			if _, ok := in[k]; !ok {
				t.Errorf("incident lacks %q: %s", k, raw)
				return v
			}
		}
		break
	}
	return v
}

// ------------------------------------------------------------ other flows

// TestRealDataImport pins the fixture itself: every one of the 8,144 points
// is a distinct crime (identical points in the same month are distinct
// burglaries, not duplicates) and lies in one of the 282 LSOAs.
func TestRealDataImport(t *testing.T) {
	f := realData(t)
	a, in := f.areasSum, f.incSum
	if a.Accepted != lsoaAreas || a.Rejected != 0 {
		t.Errorf("areas: accepted %d rejected %d, want %d and 0", a.Accepted, a.Rejected, lsoaAreas)
	}
	if in.Read != burglaryPoints || in.Accepted != burglaryPoints || in.Rejected != 0 {
		t.Errorf("incidents: read %d accepted %d rejected %d, want %d, %d, 0", in.Read, in.Accepted, in.Rejected, burglaryPoints, burglaryPoints)
	}
	if in.Inserted != burglaryPoints || in.Duplicates != 0 {
		t.Errorf("incidents: inserted %d, duplicates %d within one file: want %d and 0 "+
			"(identical GeoJSON features must be numbered by an incident.KeySequencer)", in.Inserted, in.Duplicates, burglaryPoints)
	}
	if in.Unassigned != 0 || in.NoLocation != 0 {
		t.Errorf("unassigned %d, without location %d: every point lies in a Manchester LSOA", in.Unassigned, in.NoLocation)
	}
}

// TestPublicNeverSeesSmallCounts asks for every area's monthly series and for
// single-month maps as the public, and checks that no count in 1..k-1 is
// given, directly or as method.n, nor derivable as n minus the visible counts
// when only one figure is withheld.
func TestPublicNeverSeesSmallCounts(t *testing.T) {
	f := realData(t)
	small := func(n int64) bool { return n > 0 && n < suppressionLimit }

	// maps of single months and of a quarter
	for _, q := range []string{"?from=2017-01&to=2017-01", "?from=2017-08&to=2017-08", "?from=2017-12&to=2017-12", "?from=2017-04&to=2017-06", "?category=Burglary"} {
		t.Run("areas"+q, func(t *testing.T) {
			checkSuppressed(t, areaCounts(t, f, q, auth.Public), areaCounts(t, f, q, auth.Analyst))
		})
	}

	// each area's monthly series (fetched by a few workers: 282 requests)
	staff := areaCounts(t, f, "", auth.Analyst)
	series := make([]apiMonthly, len(staff.Counts))
	errs := make([]error, len(staff.Counts))
	var wg sync.WaitGroup
	next := make(chan int)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				res, err := http.Get(fmt.Sprintf("%s/api/v1/aggregates/monthly?area=%d", f.ts.URL, staff.Counts[i].AreaID))
				if err != nil {
					errs[i] = err
					continue
				}
				if res.StatusCode != 200 {
					errs[i] = fmt.Errorf("HTTP %d", res.StatusCode)
				} else {
					errs[i] = json.NewDecoder(res.Body).Decode(&series[i])
				}
				res.Body.Close()
			}
		}()
	}
	for i := range staff.Counts {
		next <- i
	}
	close(next)
	wg.Wait()
	leaks := 0
	for i, a := range staff.Counts {
		if errs[i] != nil {
			t.Fatalf("monthly?area=%d: %v", a.AreaID, errs[i])
		}
		v := series[i]
		var visible int64
		withheld := 0
		for _, p := range v.Series {
			switch {
			case p.Count != nil && small(*p.Count):
				t.Errorf("area %s month %s: public sees count %d", a.Code, p.Period, *p.Count)
			case p.Suppressed && p.Count != nil:
				t.Errorf("area %s month %s: suppressed with a count", a.Code, p.Period)
			case p.Suppressed:
				withheld++
			case p.Count != nil:
				visible += *p.Count
			}
		}
		if v.Method.N == nil {
			continue
		}
		n := *v.Method.N
		switch {
		case small(n):
			leaks++
			if leaks <= 5 {
				t.Errorf("GET /api/v1/aggregates/monthly?area=%d (%s) as the public: method.n = %d reveals the area's total below %d", a.AreaID, a.Code, n, suppressionLimit)
			}
		case withheld == 1 && small(n-visible):
			leaks++
			if leaks <= 5 {
				t.Errorf("GET /api/v1/aggregates/monthly?area=%d (%s) as the public: one month is suppressed, but method.n - visible = %d reveals it", a.AreaID, a.Code, n-visible)
			}
		}
	}
	if leaks > 0 {
		t.Errorf("%d of %d areas' monthly series reveal a count below %d to the public through method.n", leaks, len(staff.Counts), suppressionLimit)
	}
}

// TestPagesRender renders every page of the route table (GET, not API, no
// path wildcard) for the admin in each language, and logs (without failing)
// the keys shown as missing translations.
func TestPagesRender(t *testing.T) {
	f := realData(t)
	admin := f.sessionFor(t, auth.Admin)
	want := map[string]string{ // a piece of each page's content, where known
		"/":            burglaryDataset,
		"/datasets":    burglaryDataset,
		"/map":         `id="area-map"`,
		"/trends":      "<svg",
		"/indicators":  "<h1>",
		"/import":      `id="import-form"`,
		"/admin/users": "admin@greater-manchester.test",
		"/admin/audit": "<table>",
		"/public":      `id="area-map"`,
		"/signin":      `name="password"`,
	}
	var paths []string
	for _, rt := range f.srv.routes() {
		method, path := requestFor(t, rt.pattern)
		if method != http.MethodGet || rt.api || path == "/metrics" || wildcard.MatchString(strings.ReplaceAll(rt.pattern, "{$}", "")) {
			continue
		}
		paths = append(paths, path)
	}
	for p := range want {
		if !slices.Contains(paths, p) {
			t.Errorf("page %s is not in the route table", p)
		}
	}
	inline := regexp.MustCompile(`<script>|\son[a-z]+="|style="`)
	missing := map[string][]string{}
	for _, lang := range f.srv.cat.Languages() {
		for _, p := range paths {
			r := get(t, f.ts.URL, p+"?lang="+lang, admin)
			if r.status != 200 {
				t.Errorf("%s (%s): %s", p, lang, r)
				continue
			}
			body := string(r.body)
			if !strings.Contains(body, `<html lang="`+lang+`">`) {
				t.Errorf("%s?lang=%s: not in %s", p, lang, lang)
			}
			if w, ok := want[p]; ok && !strings.Contains(body, w) {
				t.Errorf("%s (%s): lacks %q", p, lang, w)
			}
			if ct := r.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("%s: Content-Type %q", p, ct)
			}
			if m := inline.FindString(body); m != "" {
				t.Errorf("%s: inline script, handler or style %q (blocked by the CSP)", p, m)
			}
			checkSecurityHeaders(t, r)
			for _, k := range missingTranslations(r.body) {
				if !slices.Contains(missing[lang], k) {
					missing[lang] = append(missing[lang], k)
				}
			}
		}
	}
	t.Logf("rendered %d pages in %d languages", len(paths), len(f.srv.cat.Languages()))
	for lang, keys := range missing {
		slices.Sort(keys)
		t.Logf("MISSING TRANSLATIONS (%s): %s", lang, strings.Join(keys, ", "))
	}
}

// TestSigninRateLimit makes 20 failed sign-ins from one address (with
// different emails, so that only the address bucket fills), then checks the
// 21st is refused with 429 even with the right password.
func TestSigninRateLimit(t *testing.T) {
	e := emptyEnv(t)
	signin := func(email, pw string) response {
		form := url.Values{"email": {email}, "password": {pw}}
		return do(t, e.ts.URL, request{method: "POST", url: "/signin", body: strings.NewReader(form.Encode()), contentType: "application/x-www-form-urlencoded"})
	}
	for i := 1; i <= 20; i++ {
		if r := signin(fmt.Sprintf("nobody%d@example.org", i), "wrong password"); r.status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %s, want 401", i, r)
		}
	}
	r := signin("admin@empty.test", testPassword)
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("21st attempt: %s, want 429", r)
	}
	if r.header.Get("Retry-After") == "" {
		t.Errorf("429 without Retry-After")
	}
	if sc := r.header.Values("Set-Cookie"); len(sc) > 0 {
		t.Errorf("rate-limited sign-in set cookies %q", sc)
	}
	if want := html.EscapeString(e.srv.cat.T("en", "signin.ratelimited")); !strings.Contains(string(r.body), want) {
		t.Errorf("429 page lacks %q", want)
	}
	checkSecurityHeaders(t, r)
	es, _ := e.st.AuditLog(context.Background(), 0, 50)
	if !slices.ContainsFunc(es, func(e store.AuditEntry) bool { return e.Action == "signin.ratelimited" }) {
		t.Errorf("no audit entry signin.ratelimited")
	}

	// One email is limited to 10 attempts, whatever the address.
	e2 := emptyEnv(t)
	for i := 1; i <= 10; i++ {
		form := url.Values{"email": {"ghost@empty.test"}, "password": {"wrong password"}}
		r := do(t, e2.ts.URL, request{method: "POST", url: "/signin", body: strings.NewReader(form.Encode()), contentType: "application/x-www-form-urlencoded"})
		if r.status != http.StatusUnauthorized {
			t.Fatalf("email attempt %d: %s", i, r)
		}
	}
	form := url.Values{"email": {"GHOST@empty.test "}, "password": {"wrong password"}}
	if r := do(t, e2.ts.URL, request{method: "POST", url: "/signin", body: strings.NewReader(form.Encode()), contentType: "application/x-www-form-urlencoded"}); r.status != http.StatusTooManyRequests {
		t.Errorf("11th attempt on one email: %s, want 429", r)
	}
}

// policeCSV is a data.police.uk street file: three good rows (one without a
// location) and one with an impossible month.
const policeCSV = `Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context
a1f0c8e2b7d94c31,2019-05,Greater Manchester Police,Greater Manchester Police,-2.240547,53.480317,On or near Market Street,E01033677,Manchester 054C,Burglary,Under investigation,
b2e1d9f3c8ea5d42,2019-05,Greater Manchester Police,Greater Manchester Police,-2.235911,53.474468,On or near Oxford Road,E01033658,Manchester 060A,Shoplifting,Investigation complete; no suspect identified,
c3f2ea04d9fb6e53,2019-06,Greater Manchester Police,Greater Manchester Police,,,No Location,,,Burglary,Status update unavailable,
d4a3fb15eaac7f64,2019-13,Greater Manchester Police,Greater Manchester Police,-2.230000,53.470000,On or near Whitworth Street,E01033658,Manchester 060A,Burglary,Under investigation,
`

var tokenInput = regexp.MustCompile(`<input type="hidden" name="token" value="([^"]+)">`)

// TestImportFlow drives the browser import: upload and preview (nothing
// written), import with the preview's token, then re-import the same file.
func TestImportFlow(t *testing.T) {
	e := emptyEnv(t)
	admin := e.sessionFor(t, auth.Admin)
	T := func(key string, args ...any) string { return html.EscapeString(e.srv.cat.T("en", key, args...)) }
	post := func(s *session, fields [][2]string, file *formFile, headers map[string]string) response {
		body, ct := multipartBody(t, append([][2]string{{"csrf", s.csrf}}, fields...), file)
		r := do(t, e.ts.URL, request{method: "POST", url: "/import", body: body, contentType: ct, sess: s, headers: headers})
		checkSecurityHeaders(t, r)
		return r
	}
	datasets := func() []apiDataset {
		var v struct {
			Datasets []apiDataset `json:"datasets"`
		}
		decodeJSON(t, get(t, e.ts.URL, "/api/v1/datasets", admin), &v)
		return v.Datasets
	}
	file := &formFile{field: "file", name: "2019-05-greater-manchester-street.csv", data: []byte(policeCSV)}
	base := [][2]string{{"kind", "incidents"}, {"preset", "police-uk"}, {"target", "GMP street 2019"}}

	// 1. preview
	r := post(admin, append(base, [2]string{"action", "preview"}), file, nil)
	if r.status != 200 {
		t.Fatalf("preview: %s", r)
	}
	body := string(r.body)
	for _, want := range []string{
		T("import.preview.title"),
		T("import.summary", "read", 4, "accepted", 3, "rejected", 1, "duplicates", 0),
		T("import.rejects"),
		`<td class="num">5</td>`, // the rejected line (header is line 1)
		"2019-13",
		T("import.noloc", "n", 1),
	} {
		if !strings.Contains(body, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	m := tokenInput.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("preview has no upload token:\n%s", r)
	}
	token := m[1]
	if ds := datasets(); len(ds) != 0 {
		t.Fatalf("the preview wrote data: %+v", ds)
	}

	// the token belongs to the admin who uploaded it
	other := newSession(t, e.st, e.users[auth.Analyst])
	r = post(&other, append(base, [2]string{"token", token}, [2]string{"action", "import"}), nil, nil)
	if r.status != 200 || !strings.Contains(string(r.body), html.EscapeString(errUploadGone.Error())) {
		t.Errorf("another user's token: %s, want the upload-gone error", r)
	}

	// 2. import with the token, no file (as the page's second button does)
	r = post(admin, append(base, [2]string{"token", token}, [2]string{"action", "import"}), nil, nil)
	if r.status != 200 {
		t.Fatalf("import: %s", r)
	}
	body = string(r.body)
	for _, want := range []string{T("import.done"), T("import.summary", "read", 4, "accepted", 3, "rejected", 1, "duplicates", 0)} {
		if !strings.Contains(body, want) {
			t.Errorf("import result lacks %q:\n%s", want, r)
		}
	}
	if tokenInput.MatchString(body) {
		t.Errorf("the token is still offered after the import")
	}
	ds := datasets()
	if len(ds) != 1 || ds[0].Name != "GMP street 2019" || ds[0].Incidents != 3 || ds[0].Located != 2 {
		t.Fatalf("datasets after import: %+v", ds)
	}
	if ds[0].First != "2019-05-01" || ds[0].Last != "2019-06-01" || ds[0].Resolution["month"] != 3 {
		t.Errorf("dataset range/resolution: %+v", ds[0])
	}
	es, _ := e.st.AuditLog(context.Background(), e.org.ID, 20)
	if !slices.ContainsFunc(es, func(e store.AuditEntry) bool {
		return e.Action == "import.incidents" && e.Target == "GMP street 2019" && strings.Contains(e.Detail, "inserted=3")
	}) {
		t.Errorf("no audit entry for the import: %+v", es)
	}

	// the used token is gone
	r = post(admin, append(base, [2]string{"token", token}, [2]string{"action", "import"}), nil, nil)
	if !strings.Contains(string(r.body), html.EscapeString(errUploadGone.Error())) {
		t.Errorf("a used token still works: %s", r)
	}

	// 3. the same file again, straight to import, as the page's script sends it
	r = post(admin, append(base, [2]string{"action", "import"}), file, map[string]string{"X-Requested-With": "XMLHttpRequest"})
	if r.status != 200 {
		t.Fatalf("re-import: %s", r)
	}
	body = string(r.body)
	if strings.Contains(body, "<html") {
		t.Errorf("an XMLHttpRequest got a whole page, want the result fragment")
	}
	if want := T("import.summary", "read", 4, "accepted", 3, "rejected", 1, "duplicates", 3); !strings.Contains(body, want) {
		t.Errorf("re-import lacks %q:\n%s", want, r)
	}
	if ds := datasets(); len(ds) != 1 || ds[0].Incidents != 3 {
		t.Errorf("the re-import added rows: %+v", ds)
	}

	// the import needs the CSRF token too
	bodyR, ct := multipartBody(t, append(base, [2]string{"action", "import"}), file)
	if r := do(t, e.ts.URL, request{method: "POST", url: "/import", body: bodyR, contentType: ct, sess: admin}); r.status != http.StatusForbidden {
		t.Errorf("import without csrf: %s, want 403", r)
	}

	// a partner may import indicators only
	partner := e.sessionFor(t, auth.Partner)
	r = post(partner, append(base, [2]string{"action", "import"}), file, nil)
	if r.status != 200 || !strings.Contains(string(r.body), "indicators only") {
		t.Errorf("partner importing incidents: %s", r)
	}
	if ds := datasets(); len(ds) != 1 || ds[0].Incidents != 3 {
		t.Errorf("the partner's import wrote incidents: %+v", ds)
	}
}
