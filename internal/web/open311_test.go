package web

// Conformance tests of the Open311 GeoReport v2 API against the real router
// and a real SQLite store: every endpoint in both formats, every error case
// (the spec's error array with 400/403/404), every attribute datatype, the
// 90-day/1,000-request default window, the privacy rules of the public view.

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/icarus-city/icarus/internal/open311"
	"github.com/icarus-city/icarus/internal/store"
)

const o311 = "/open311/v2"

// o311Env is an environment with an API key.
type o311Env struct {
	*env
	key string
}

func newO311Env(t *testing.T) *o311Env {
	t.Helper()
	e := emptyEnv(t)
	key := "test-key-0123456789abcdef"
	if _, err := e.st.CreateAPIKey(context.Background(), e.org.ID, "tests", key); err != nil {
		t.Fatal(err)
	}
	return &o311Env{env: e, key: key}
}

// post sends a form-encoded POST to requests.{f}.
func (e *o311Env) post(t *testing.T, f string, form url.Values) response {
	t.Helper()
	return do(t, e.ts.URL, request{method: "POST", url: o311 + "/requests." + f, body: strings.NewReader(form.Encode()),
		contentType: "application/x-www-form-urlencoded; charset=utf-8"})
}

// form builds a POST body with the key, a location and the given pairs.
func (e *o311Env) form(pairs ...string) url.Values {
	v := url.Values{"api_key": {e.key}, "lat": {"53.4808"}, "long": {"-2.2426"}}
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "\x00delete" {
			v.Del(pairs[i])
			continue
		}
		v.Add(pairs[i], pairs[i+1])
	}
	return v
}

// decodeDoc decodes a response in format f into the JSON shape v (a slice
// for lists): XML is decoded into the same Go types through its envelope.
func decodeDoc[T any](t *testing.T, f string, r response, item string) []T {
	t.Helper()
	if f == "json" {
		var out []T
		if err := json.Unmarshal(r.body, &out); err != nil {
			t.Fatalf("not a JSON array: %v\n%s", err, r)
		}
		return out
	}
	if !strings.HasPrefix(string(r.body), `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Fatalf("XML without the declaration: %s", r)
	}
	var env struct {
		XMLName xml.Name
		Items   []T `xml:",any"`
	}
	_ = item
	if err := xml.Unmarshal(r.body, &env); err != nil {
		t.Fatalf("not XML: %v\n%s", err, r)
	}
	return env.Items
}

// wantErrors checks a spec error response: status, content type of the
// format, an array of {code, description}.
func wantErrors(t *testing.T, f string, r response, status int, contains string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r)
	}
	wantCT(t, f, r)
	errs := decodeDoc[open311.Error](t, f, r, "error")
	if len(errs) == 0 || errs[0].Code == 0 || errs[0].Description == "" {
		t.Fatalf("not the spec's error array: %s", r)
	}
	if f == "xml" && !strings.Contains(string(r.body), "<errors>") {
		t.Fatalf("XML errors without <errors>: %s", r)
	}
	all := ""
	for _, e := range errs {
		all += e.Description + "\n"
	}
	if contains != "" && !strings.Contains(all, contains) {
		t.Errorf("errors %q do not mention %q", all, contains)
	}
}

func wantCT(t *testing.T, f string, r response) {
	t.Helper()
	want := "text/xml; charset=utf-8"
	if f == "json" {
		want = "application/json; charset=utf-8"
	}
	if got := r.header.Get("Content-Type"); got != want {
		t.Errorf("Content-Type %q, want %q", got, want)
	}
}

var formats = []string{"json", "xml"}

func TestOpen311Discovery(t *testing.T) {
	e := newO311Env(t)
	for _, f := range formats {
		r := get(t, e.ts.URL, o311+"/discovery."+f, nil)
		if r.status != 200 {
			t.Fatalf("%s: %s", f, r)
		}
		wantCT(t, f, r)
		var d open311.Discovery
		var err error
		if f == "json" {
			err = json.Unmarshal(r.body, &d)
		} else {
			err = xml.Unmarshal(r.body, &d)
		}
		if err != nil {
			t.Fatal(err)
		}
		if d.Changeset == "" || d.Contact == "" || d.KeyService == "" || len(d.Endpoints) != 1 {
			t.Fatalf("%s: discovery lacks required fields: %+v", f, d)
		}
		ep := d.Endpoints[0]
		if ep.Specification != open311.Specification || !strings.HasSuffix(ep.URL, "/open311/v2") || ep.Type != "production" ||
			!slices.Equal(ep.Formats, []string{"text/xml", "application/json"}) || ep.Changeset == "" {
			t.Errorf("%s: endpoint %+v", f, ep)
		}
	}
}

func TestOpen311ServicesAndDefinitions(t *testing.T) {
	e := newO311Env(t)
	var lists [2][]open311.Service
	for i, f := range formats {
		r := get(t, e.ts.URL, o311+"/services."+f, nil)
		if r.status != 200 {
			t.Fatalf("%s: %s", f, r)
		}
		wantCT(t, f, r)
		if f == "xml" && !strings.Contains(string(r.body), "<services>\n  <service>") {
			t.Errorf("XML envelope: %s", r)
		}
		if f == "json" {
			var raw []map[string]any
			decodeJSON(t, r, &raw)
			for _, s := range raw {
				if _, ok := s["service_code"].(string); !ok {
					t.Errorf("service_code is not a string: %v", s)
				}
				for _, k := range []string{"service_code", "service_name", "description", "metadata", "type", "keywords", "group"} {
					if _, ok := s[k]; !ok {
						t.Errorf("service lacks %s: %v", k, s)
					}
				}
				for _, k := range []string{"sensitive", "iccs", "department"} {
					if _, ok := s[k]; ok {
						t.Errorf("service list leaks the internal field %s", k)
					}
				}
			}
		}
		lists[i] = decodeDoc[open311.Service](t, f, r, "service")
	}
	if !slices.Equal(lists[0], lists[1]) || len(lists[0]) != len(open311.DefaultServices()) {
		t.Fatalf("JSON and XML service lists differ or are incomplete:\n%v\n%v", lists[0], lists[1])
	}
	seen := map[open311.Datatype]bool{}
	for _, s := range lists[0] {
		var defs [2]open311.ServiceDefinition
		for i, f := range formats {
			r := get(t, e.ts.URL, o311+"/services/"+s.ServiceCode+"."+f, nil)
			if r.status != 200 {
				t.Fatalf("%s: %s", s.ServiceCode, r)
			}
			wantCT(t, f, r)
			if f == "json" {
				json.Unmarshal(r.body, &defs[i])
			} else if err := xml.Unmarshal(r.body, &defs[i]); err != nil {
				t.Fatal(err)
			}
			defs[i].XMLName = xml.Name{}
		}
		if fmt.Sprint(defs[0]) != fmt.Sprint(defs[1]) {
			t.Errorf("%s: JSON and XML definitions differ:\n%+v\n%+v", s.ServiceCode, defs[0], defs[1])
		}
		if defs[0].ServiceCode != s.ServiceCode || s.Metadata != (len(defs[0].Attributes) > 0) {
			t.Errorf("%s: definition %+v vs metadata %v", s.ServiceCode, defs[0], s.Metadata)
		}
		for i, a := range defs[0].Attributes {
			seen[a.Datatype] = true
			if i > 0 && a.Order <= defs[0].Attributes[i-1].Order {
				t.Errorf("%s: attributes not in order", s.ServiceCode)
			}
			if a.Datatype.IsList() && len(a.Values) == 0 {
				t.Errorf("%s: list %s without values", s.ServiceCode, a.Code)
			}
		}
	}
	for _, d := range open311.Datatypes() {
		if !seen[d] {
			t.Errorf("no default service uses datatype %s", d)
		}
	}
	for _, f := range formats {
		wantErrors(t, f, get(t, e.ts.URL, o311+"/services/nope."+f, nil), 404, "service_code")
		wantErrors(t, f, get(t, e.ts.URL, o311+"/services."+f+"?jurisdiction_id=elsewhere.gov", nil), 404, "jurisdiction_id")
		wantErrors(t, f, get(t, e.ts.URL, o311+"/unknown."+f, nil), 404, "")
	}
	// the jurisdiction's own id is accepted; empty means absent
	for _, j := range []string{"empty", ""} {
		if r := get(t, e.ts.URL, o311+"/services.json?jurisdiction_id="+j, nil); r.status != 200 {
			t.Errorf("jurisdiction_id=%q: %s", j, r)
		}
	}
	if r := get(t, e.ts.URL, o311+"/services/lighting", nil); r.status != 404 {
		t.Errorf("definition without a format: %s", r)
	}
}

// TestOpen311Post covers POST requests: the key, the location rule, every
// field check and every datatype, in both formats.
func TestOpen311Post(t *testing.T) {
	e := newO311Env(t)
	long := strings.Repeat("é", open311.MaxDescription+1)
	cases := []struct {
		name   string
		form   url.Values
		status int
		want   string // in an error description
	}{
		{"no api_key", e.form("service_code", "lighting", "api_key", "\x00delete"), 403, "api_key"},
		{"bad api_key", e.form("service_code", "lighting", "api_key", "\x00delete", "api_key", "wrong-key-123456789"), 403, "api_key"},
		{"no service_code", e.form(), 400, "service_code"},
		{"unknown service_code", e.form("service_code", "potholes"), 404, "service_code"},
		{"bad service_code", e.form("service_code", "a b<c>"), 400, "service_code"},
		{"unknown jurisdiction", e.form("service_code", "lighting", "jurisdiction_id", "elsewhere.gov"), 404, "jurisdiction_id"},
		{"no location", e.form("service_code", "lighting", "lat", "\x00delete", "long", "\x00delete"), 400, "location"},
		{"lat without long", e.form("service_code", "lighting", "long", "\x00delete"), 400, "lat"},
		{"lat out of range", e.form("service_code", "lighting", "lat", "\x00delete", "lat", "91"), 400, "lat"},
		{"long not a number", e.form("service_code", "lighting", "long", "\x00delete", "long", "west"), 400, "long"},
		{"description too long", e.form("service_code", "lighting", "description", long), 400, "description"},
		{"description with HTML", e.form("service_code", "lighting", "description", "<script>alert(1)</script>"), 400, "description"},
		{"bad email", e.form("service_code", "lighting", "email", "not-an-email"), 400, "email"},
		{"bad media_url", e.form("service_code", "lighting", "media_url", "javascript:alert(1)"), 400, "media_url"},
		{"bad phone", e.form("service_code", "lighting", "phone", "call me maybe"), 400, "phone"},
		{"name with a line break", e.form("service_code", "lighting", "first_name", "a\nb"), 400, "first_name"},
		{"control characters", e.form("service_code", "lighting", "description", "a\x01b"), 400, "description"},
		// datatypes
		{"number not numeric", e.form("service_code", "lighting", "attribute[lamp_count]", "many"), 400, "attribute[lamp_count]"},
		{"string with a line break", e.form("service_code", "lighting", "attribute[pole_id]", "P1\nP2"), 400, "attribute[pole_id]"},
		{"singlevaluelist unknown key", e.form("service_code", "lighting", "attribute[state]", "broken"), 400, "attribute[state]"},
		{"singlevaluelist two values", e.form("service_code", "lighting", "attribute[state][]", "out", "attribute[state][]", "day"), 400, "attribute[state]"},
		{"multivaluelist unknown key", e.form("service_code", "vandalism", "attribute[surface][]", "wall", "attribute[surface][]", "moon"), 400, "attribute[surface]"},
		{"required attribute missing", e.form("service_code", "vandalism"), 400, "attribute[surface]"},
		{"datetime not ISO 8601", e.form("service_code", "vandalism", "attribute[surface]", "wall", "attribute[when]", "yesterday"), 400, "attribute[when]"},
		{"bad attribute key", e.form("service_code", "lighting", "attribute[a][b]", "x"), 400, "attribute"},
		// accepted
		{"lat/long only", e.form("service_code", "lighting"), 200, ""},
		{"address_string only", e.form("service_code", "lighting", "lat", "\x00delete", "long", "\x00delete", "address_string", "Piccadilly Gardens, Manchester"), 200, ""},
		{"address_id only", e.form("service_code", "lighting", "lat", "\x00delete", "long", "\x00delete", "address_id", "#NOTPINPOINTED#"), 200, ""},
		{"own jurisdiction", e.form("service_code", "lighting", "jurisdiction_id", "empty"), 200, ""},
		{"string number singlevaluelist", e.form("service_code", "lighting", "attribute[lamp_count]", "3", "attribute[pole_id]", "P-12",
			"attribute[state]", "flicker", "email", "a@b.example", "first_name", "Ann", "phone", "+44 161 000 0000",
			"description", "Two lamps out\nsince Monday", "media_url", "https://example.org/p.jpg"), 200, ""},
		{"multivaluelist and datetime", e.form("service_code", "vandalism", "attribute[surface][]", "wall", "attribute[surface][]", "sign",
			"attribute[offensive]", "no", "attribute[when]", "2025-03-01T21:30:00+01:00"), 200, ""},
		{"text", e.form("service_code", "unsafe_place", "attribute[place_type]", "underpass", "attribute[why][]", "dark",
			"attribute[details]", "More light\nand a mirror"), 200, ""},
		{"unknown attributes are ignored", e.form("service_code", "lighting", "attribute[uprn]", "123"), 200, ""},
	}
	for _, c := range cases {
		for _, f := range formats {
			t.Run(c.name+"."+f, func(t *testing.T) {
				r := e.post(t, f, c.form)
				if c.status != 200 {
					wantErrors(t, f, r, c.status, c.want)
					return
				}
				if r.status != 200 {
					t.Fatalf("%s", r)
				}
				wantCT(t, f, r)
				acks := decodeDoc[open311.Ack](t, f, r, "request")
				if len(acks) != 1 || acks[0].ServiceRequestID == "" || acks[0].Token != "" {
					t.Fatalf("ack %+v", acks)
				}
				if f == "json" && !strings.Contains(string(r.body), `"service_request_id":"`) {
					t.Errorf("service_request_id is not a string: %s", r)
				}
				if f == "xml" && !strings.Contains(string(r.body), "<service_requests>") {
					t.Errorf("XML envelope: %s", r)
				}
				// stored exactly as sent
				id, _ := strconv.ParseInt(acks[0].ServiceRequestID, 10, 64)
				q, err := e.st.ServiceRequest(context.Background(), e.org.ID, id)
				if err != nil {
					t.Fatal(err)
				}
				if q.ServiceCode != c.form.Get("service_code") || q.Description != strings.TrimSpace(c.form.Get("description")) || q.Channel != "api" {
					t.Errorf("stored %+v", q)
				}
				if strings.Contains(q.Attributes, "uprn") {
					t.Errorf("unknown attribute stored: %s", q.Attributes)
				}
			})
		}
	}

	t.Run("content type", func(t *testing.T) {
		r := do(t, e.ts.URL, request{method: "POST", url: o311 + "/requests.json", body: strings.NewReader(`{"service_code":"lighting"}`), contentType: "application/json"})
		wantErrors(t, "json", r, 400, "x-www-form-urlencoded")
	})
	t.Run("size limit", func(t *testing.T) {
		big := e.form("service_code", "lighting", "padding", strings.Repeat("x", open311.MaxFormBytes))
		wantErrors(t, "xml", e.post(t, "xml", big), http.StatusRequestEntityTooLarge, "larger")
	})
}

// TestOpen311BatchAndBlackbox: batch services answer a token that GET
// tokens turns into the id; blackbox services answer neither.
func TestOpen311BatchAndBlackbox(t *testing.T) {
	e := newO311Env(t)
	ctx := context.Background()
	get(t, e.ts.URL, o311+"/services.json", nil) // seeds the defaults
	for _, ty := range []string{"batch", "blackbox"} {
		if _, err := e.st.SaveService311(ctx, store.Service311{OrgID: e.org.ID, Code: ty, Name: ty + " service", Type: ty, Active: true, Position: 50}); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range formats {
		r := e.post(t, f, e.form("service_code", "batch"))
		acks := decodeDoc[open311.Ack](t, f, r, "request")
		if r.status != 200 || len(acks) != 1 || acks[0].Token == "" || acks[0].ServiceRequestID != "" {
			t.Fatalf("batch POST: %s", r)
		}
		for _, g := range formats {
			tr := get(t, e.ts.URL, o311+"/tokens/"+url.PathEscape(acks[0].Token)+"."+g, nil)
			toks := decodeDoc[open311.TokenAnswer](t, g, tr, "request")
			if tr.status != 200 || len(toks) != 1 || toks[0].Token != acks[0].Token || toks[0].ServiceRequestID == "" {
				t.Fatalf("token: %s", tr)
			}
			if rr := get(t, e.ts.URL, o311+"/requests/"+toks[0].ServiceRequestID+"."+g, nil); rr.status != 200 {
				t.Errorf("request of the token: %s", rr)
			}
		}
		wantErrors(t, f, get(t, e.ts.URL, o311+"/tokens/nope."+f, nil), 404, "token")

		r = e.post(t, f, e.form("service_code", "blackbox"))
		acks = decodeDoc[open311.Ack](t, f, r, "request")
		if r.status != 200 || len(acks) != 1 || acks[0].Token != "" || acks[0].ServiceRequestID != "" {
			t.Fatalf("blackbox POST: %s", r)
		}
	}
}

// createAt stores a request directly with the store's clock moved to at.
func createAt(t *testing.T, e *o311Env, at time.Time, code string, mut func(*store.ServiceRequest)) store.ServiceRequest {
	t.Helper()
	ctx := context.Background()
	v, err := e.st.Service311ByCode(ctx, e.org.ID, code)
	if err != nil {
		t.Fatal(err)
	}
	old := e.clockOffset.Load()
	e.clockOffset.Store(int64(time.Until(at)))
	defer e.clockOffset.Store(old)
	q := store.ServiceRequest{OrgID: e.org.ID, ServiceID: v.ID, Channel: "api", Status: "open", Moderation: "approved", Department: v.Department,
		Description: "report " + code, HasLoc: true, Lat: 53.4808, Lon: -2.2426}
	if v.Sensitive {
		q.Moderation = "pending"
	}
	if mut != nil {
		mut(&q)
	}
	q, err = e.st.CreateServiceRequest(ctx, q, "")
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func ids(rs []open311.Request) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ServiceRequestID
	}
	return out
}

// TestOpen311GetRequests covers GET requests and requests/{id}: filters,
// the default window, paging, errors.
func TestOpen311GetRequests(t *testing.T) {
	e := newO311Env(t)
	ctx := context.Background()
	get(t, e.ts.URL, o311+"/services.json", nil)
	now := time.Now()
	recent := createAt(t, e, now.Add(-time.Hour), "lighting", nil)
	old := createAt(t, e, now.Add(-100*24*time.Hour), "lighting", nil)
	vand := createAt(t, e, now.Add(-2*time.Hour), "vandalism", nil)
	closed := createAt(t, e, now.Add(-3*time.Hour), "noise", nil)
	fixed := "fixed"
	answer := "Repaired on Tuesday."
	if _, err := e.st.UpdateServiceRequest(ctx, e.org.ID, closed.ID, store.RequestChange{Status: &fixed, Answer: &answer, Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	hidden := createAt(t, e, now.Add(-4*time.Hour), "lighting", func(q *store.ServiceRequest) { q.Moderation = "hidden" })
	id := func(q store.ServiceRequest) string { return strconv.FormatInt(q.ID, 10) }
	day := func(d time.Duration) string { return url.QueryEscape(now.Add(d).UTC().Format(time.RFC3339)) }

	cases := []struct {
		name  string
		query string
		want  []string // ids, newest first
	}{
		{"default window: 90 days, newest first, hidden excluded", "", []string{id(recent), id(vand), id(closed)}},
		{"service_code", "service_code=vandalism,noise", []string{id(vand), id(closed)}},
		{"status open", "status=open", []string{id(recent), id(vand)}},
		{"status closed", "status=closed", []string{id(closed)}},
		{"status both", "status=open,closed", []string{id(recent), id(vand), id(closed)}},
		{"start_date reaches back", "start_date=" + day(-101*24*time.Hour), []string{id(old)}},
		{"start and end", "start_date=" + day(-101*24*time.Hour) + "&end_date=" + day(-99*24*time.Hour), []string{id(old)}},
		{"end_date only: the 90 days before", "end_date=" + day(-90*time.Minute), []string{id(vand), id(closed)}},
		{"service_request_id overrides the other filters", "service_request_id=" + id(old) + "," + id(vand) + "&status=closed", []string{id(vand), id(old)}},
		{"service_request_id never shows hidden ones", "service_request_id=" + id(hidden), []string{}},
		{"unknown service_request_id", "service_request_id=999999,abc", []string{}},
		{"page_size", "page_size=2", []string{id(recent), id(vand)}},
		{"page", "page_size=2&page=2", []string{id(closed)}},
		{"empty arguments are absent ones", "service_code=&status=&start_date=&end_date=&jurisdiction_id=", []string{id(recent), id(vand), id(closed)}},
	}
	for _, c := range cases {
		for _, f := range formats {
			t.Run(c.name+"."+f, func(t *testing.T) {
				r := get(t, e.ts.URL, o311+"/requests."+f+"?"+c.query, nil)
				if r.status != 200 {
					t.Fatalf("%s", r)
				}
				wantCT(t, f, r)
				got := decodeDoc[open311.Request](t, f, r, "request")
				if g := ids(got); !slices.Equal(g, c.want) {
					t.Errorf("ids %v, want %v", g, c.want)
				}
				for _, q := range got {
					if q.Status != "open" && q.Status != "closed" {
						t.Errorf("status %q is not open/closed", q.Status)
					}
					if q.ServiceRequestID == id(closed) && (q.Status != "closed" || q.StatusNotes != answer) {
						t.Errorf("closed request: %+v", q)
					}
				}
				if f == "json" && len(got) > 0 {
					var raw []map[string]any
					decodeJSON(t, r, &raw)
					for _, k := range []string{"service_request_id", "service_code"} {
						if _, ok := raw[0][k].(string); !ok {
							t.Errorf("%s is not a string: %v", k, raw[0][k])
						}
					}
				}
			})
		}
	}
	errCases := []struct{ name, query, want string }{
		{"span over 90 days", "start_date=" + day(-120*24*time.Hour) + "&end_date=" + day(0), "90 days"},
		{"end before start", "start_date=" + day(0) + "&end_date=" + day(-time.Hour), "end_date"},
		{"date without timezone", "start_date=2025-01-01T00:00:00", "start_date"},
		{"bad status", "status=pending", "status"},
		{"bad page_size", "page_size=5000", "page_size"},
		{"bad page", "page=0", "page"},
		{"unknown jurisdiction", "jurisdiction_id=nowhere", "jurisdiction_id"},
	}
	for _, c := range errCases {
		for _, f := range formats {
			t.Run(c.name+"."+f, func(t *testing.T) {
				r := get(t, e.ts.URL, o311+"/requests."+f+"?"+c.query, nil)
				status := 400
				if strings.HasPrefix(c.query, "jurisdiction_id") {
					status = 404
				}
				wantErrors(t, f, r, status, c.want)
			})
		}
	}

	// requests/{id}
	for _, f := range formats {
		r := get(t, e.ts.URL, o311+"/requests/"+id(closed)+"."+f, nil)
		got := decodeDoc[open311.Request](t, f, r, "request")
		if r.status != 200 || len(got) != 1 || got[0].ServiceRequestID != id(closed) || got[0].Status != "closed" || got[0].StatusNotes != answer ||
			got[0].ServiceCode != "noise" || got[0].ServiceName == "" || got[0].RequestedDatetime == "" || got[0].UpdatedDatetime == "" || got[0].AgencyResponsible == "" {
			t.Errorf("%s: %s", f, r)
		}
		if got[0].DetailedStatus != "" || len(got[0].Notes) != 0 {
			t.Errorf("extensions without extensions=true: %+v", got[0])
		}
		if _, err := open311.ParseTime(got[0].RequestedDatetime); err != nil {
			t.Errorf("requested_datetime %q: %v", got[0].RequestedDatetime, err)
		}
		r = get(t, e.ts.URL, o311+"/requests/"+id(closed)+"."+f+"?extensions=true", nil)
		got = decodeDoc[open311.Request](t, f, r, "request")
		if len(got) != 1 || got[0].DetailedStatus != "fixed" || len(got[0].Notes) != 3 || got[0].Notes[0].Type != "submitted" || got[0].Notes[2].Description != answer {
			t.Errorf("%s extensions: %s", f, r)
		}
		wantErrors(t, f, get(t, e.ts.URL, o311+"/requests/999999."+f, nil), 404, "service_request_id")
		wantErrors(t, f, get(t, e.ts.URL, o311+"/requests/abc."+f, nil), 404, "service_request_id")
		wantErrors(t, f, get(t, e.ts.URL, o311+"/requests/"+id(hidden)+"."+f, nil), 404, "service_request_id")
	}

	// servicerequestupdates (FixMyStreet)
	for _, f := range formats {
		r := get(t, e.ts.URL, o311+"/servicerequestupdates."+f, nil)
		ups := decodeDoc[open311.Update](t, f, r, "request_update")
		if r.status != 200 || len(ups) != 2 || ups[0].Status != "FIXED" || ups[0].ServiceRequestID != id(closed) || ups[1].Description != answer {
			t.Errorf("%s updates: %s", f, r)
		}
		if f == "xml" && !strings.Contains(string(r.body), "<service_request_updates>") {
			t.Errorf("XML envelope: %s", r)
		}
	}
}

// TestOpen311DefaultLimit: without filters at most 1,000 requests, the newest.
func TestOpen311DefaultLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("stores 1,005 requests")
	}
	e := newO311Env(t)
	get(t, e.ts.URL, o311+"/services.json", nil)
	now := time.Now().Add(-24 * time.Hour)
	var first store.ServiceRequest
	for i := range 1005 {
		q := createAt(t, e, now.Add(time.Duration(i)*time.Minute), "noise", nil)
		if i == 0 {
			first = q
		}
	}
	r := get(t, e.ts.URL, o311+"/requests.json", nil)
	got := decodeDoc[open311.Request](t, "json", r, "request")
	if len(got) != 1000 {
		t.Fatalf("%d requests, want 1000", len(got))
	}
	if slices.Contains(ids(got), strconv.FormatInt(first.ID, 10)) {
		t.Error("the oldest request is in the first 1,000 (want the newest)")
	}
	r = get(t, e.ts.URL, o311+"/requests.json?page=2", nil)
	if got := decodeDoc[open311.Request](t, "json", r, "request"); len(got) != 5 {
		t.Errorf("page 2: %d requests, want 5", len(got))
	}
}

// TestOpen311Privacy: the public view snaps locations to the grid, never
// shows contact details or free-text addresses, and shows nothing of a
// sensitive report but its category and status.
func TestOpen311Privacy(t *testing.T) {
	e := newO311Env(t)
	r := e.post(t, "json", e.form("service_code", "lighting", "lat", "\x00delete", "lat", "53.481234", "long", "\x00delete", "long", "-2.242987",
		"email", "ann.secret@example.org", "first_name", "Ann", "last_name", "Secretname", "phone", "0161 111 2222",
		"address_string", "12 Private Road", "description", "Lamp out"))
	acks := decodeDoc[open311.Ack](t, "json", r, "request")
	if len(acks) != 1 {
		t.Fatal(r)
	}
	for _, f := range formats {
		r := get(t, e.ts.URL, o311+"/requests/"+acks[0].ServiceRequestID+"."+f, nil)
		for _, secret := range []string{"ann.secret", "Secretname", "0161 111 2222", "Private Road", "53.481234", "-2.242987"} {
			if strings.Contains(string(r.body), secret) {
				t.Errorf("%s: the public view shows %q: %s", f, secret, r)
			}
		}
		got := decodeDoc[open311.Request](t, f, r, "request")
		if len(got) != 1 || got[0].Lat == nil || got[0].Long == nil || got[0].Description != "Lamp out" {
			t.Fatalf("%s: %s", f, r)
		}
		dy := (*got[0].Lat - 53.481234) * 111_320
		dx := (*got[0].Long + 2.242987) * 111_320 * math.Cos(53.48*math.Pi/180)
		if math.Hypot(dx, dy) > 75 || (dx == 0 && dy == 0) {
			t.Errorf("%s: snapped point is %.1f m away", f, math.Hypot(dx, dy))
		}
	}
	// a sensitive report: pending moderation, no location, no description
	r = e.post(t, "json", e.form("service_code", "harassment", "attribute[kind][]", "verbal", "description", "The man at number 5"))
	acks = decodeDoc[open311.Ack](t, "json", r, "request")
	if r.status != 200 || len(acks) != 1 || acks[0].ServiceNotice == "" {
		t.Fatalf("sensitive POST: %s", r)
	}
	for _, f := range formats {
		r := get(t, e.ts.URL, o311+"/requests/"+acks[0].ServiceRequestID+"."+f, nil)
		got := decodeDoc[open311.Request](t, f, r, "request")
		if r.status != 200 || len(got) != 1 || got[0].Lat != nil || got[0].Long != nil || got[0].Description != "" || strings.Contains(string(r.body), "number 5") {
			t.Errorf("%s: sensitive report leaks: %s", f, r)
		}
		list := decodeDoc[open311.Request](t, f, get(t, e.ts.URL, o311+"/requests."+f, nil), "request")
		if slices.Contains(ids(list), acks[0].ServiceRequestID) {
			t.Errorf("%s: a report awaiting moderation is listed", f)
		}
	}
	// once approved it is listed, still without location or description
	id, _ := strconv.ParseInt(acks[0].ServiceRequestID, 10, 64)
	approved := "approved"
	if _, err := e.st.UpdateServiceRequest(context.Background(), e.org.ID, id, store.RequestChange{Moderation: &approved, Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	list := decodeDoc[open311.Request](t, "json", get(t, e.ts.URL, o311+"/requests.json?service_code=harassment", nil), "request")
	if len(list) != 1 || list[0].Lat != nil || list[0].Description != "" {
		t.Errorf("approved sensitive report: %+v", list)
	}
}

// TestOpen311Jurisdictions: with two cities jurisdiction_id is required.
func TestOpen311Jurisdictions(t *testing.T) {
	e := newO311Env(t)
	if _, err := e.st.EnsureOrg(context.Background(), "other.example", "Other"); err != nil {
		t.Fatal(err)
	}
	for _, f := range formats {
		wantErrors(t, f, get(t, e.ts.URL, o311+"/services."+f, nil), 400, "jurisdiction_id")
		wantErrors(t, f, get(t, e.ts.URL, o311+"/requests."+f, nil), 400, "jurisdiction_id")
		if r := get(t, e.ts.URL, o311+"/services."+f+"?jurisdiction_id=other.example", nil); r.status != 200 {
			t.Errorf("%s", r)
		}
		// the key's city is meant when POST names none; another city's id is refused
		if r := e.post(t, f, e.form("service_code", "lighting")); r.status != 200 {
			t.Errorf("POST without jurisdiction_id: %s", r)
		}
		wantErrors(t, f, e.post(t, f, e.form("service_code", "lighting", "jurisdiction_id", "other.example")), 403, "api_key")
	}
}

// TestOpen311RateLimits: repeated wrong keys from one address are refused
// with 429.
func TestOpen311RateLimits(t *testing.T) {
	e := newO311Env(t)
	var last response
	for range testConfig().Open311.BadKeysPerIP + 2 {
		last = e.post(t, "json", e.form("service_code", "lighting", "api_key", "\x00delete", "api_key", "guess-guess-guess-guess"))
	}
	wantErrors(t, "json", last, http.StatusTooManyRequests, "invalid api_key")
	// a good key still works from elsewhere (per-key limits are separate)
	if ok, _ := e.st.RateLimit(context.Background(), "probe", 1, time.Minute); !ok {
		t.Fatal("rate limiter broken")
	}
}
