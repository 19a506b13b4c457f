package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/i18n"
	"github.com/icarus-city/icarus/internal/open311"
	"github.com/icarus-city/icarus/internal/store"
)

// staffPost sends a staff form to path with the session's CSRF token.
func staffPost(t *testing.T, base, path string, s *session, form url.Values) response {
	t.Helper()
	if s != nil && form.Get("csrf") == "" {
		form.Set("csrf", s.csrf)
	}
	return do(t, base, request{method: "POST", url: path, body: strings.NewReader(form.Encode()), contentType: "application/x-www-form-urlencoded", sess: s})
}

// postID POSTs a request through the API and returns its id.
func (e *o311Env) postID(t *testing.T, pairs ...string) int64 {
	t.Helper()
	r := e.post(t, "json", e.form(pairs...))
	var ack []open311.Ack
	decodeJSON(t, r, &ack)
	if r.status != 200 || len(ack) != 1 {
		t.Fatalf("POST: %s", r)
	}
	id, err := strconv.ParseInt(ack[0].ServiceRequestID, 10, 64)
	if err != nil {
		t.Fatalf("ack without id: %s", r)
	}
	return id
}

// publicReq GETs one request from the public API (status and body).
func (e *o311Env) publicReq(t *testing.T, id int64) (int, map[string]any) {
	t.Helper()
	r := get(t, e.ts.URL, o311+"/requests/"+strconv.FormatInt(id, 10)+".json?extensions=true", nil)
	if r.status != 200 {
		return r.status, nil
	}
	var out []map[string]any
	decodeJSON(t, r, &out)
	return r.status, out[0]
}

func mustSee(t *testing.T, r response, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(string(r.body), w) {
			t.Errorf("page lacks %q: %s", w, r)
		}
	}
}

// TestStaffWorkflow: queue filters and paging, pre-moderation, status and
// official answer (public status_notes), assignment, redaction, duplicate
// suggestion and merge, hiding; every change audited, CSRF enforced.
func TestStaffWorkflow(t *testing.T) {
	e := newO311Env(t)
	ctx := context.Background()
	coord := e.sessionFor(t, auth.Coordinator)
	admin := e.sessionFor(t, auth.Admin)

	lamp := e.postID(t, "service_code", "lighting", "description", "Lamp out on the corner")
	near := e.postID(t, "service_code", "lighting", "lat", "\x00delete", "lat", "53.4809", "description", "Same lamp, still dark") // ~11 m away
	drugs := e.postID(t, "service_code", "drug_dealing", "attribute[frequency]", "daily", "description", "John Smith of no. 12 sells drugs here")
	for i := range 3 {
		e.postID(t, "service_code", "lighting", "lat", "\x00delete", "long", "\x00delete", "lat", "53.49", "long", "-2.25", "description", "far lamp "+strconv.Itoa(i))
	}

	// the queue: all six, then filters
	r := get(t, e.ts.URL, "/staff/reports", coord)
	if r.status != 200 {
		t.Fatalf("queue: %s", r)
	}
	mustSee(t, r, "6 reports", "/staff/reports/"+itoa64(drugs), "1 awaiting moderation")
	r = get(t, e.ts.URL, "/staff/reports?moderation=pending", coord)
	mustSee(t, r, "1 reports", "/staff/reports/"+itoa64(drugs))
	if strings.Contains(string(r.body), "/staff/reports/"+itoa64(lamp)+`"`) {
		t.Errorf("pending filter shows an approved report")
	}
	r = get(t, e.ts.URL, "/staff/reports?service=lighting&status=open&department=Public+works&sort=id&order=asc", coord)
	mustSee(t, r, "5 reports")
	if i, j := strings.Index(string(r.body), "/staff/reports/"+itoa64(lamp)+`"`), strings.Index(string(r.body), "/staff/reports/"+itoa64(near)+`"`); i < 0 || j < 0 || i > j {
		t.Errorf("sort=id&order=asc: #%d should come before #%d", lamp, near)
	}
	for _, bad := range []string{"status=nope", "sort=evil", "from=yesterday", "moderation=x", "page=0", "area=-3"} {
		if r := get(t, e.ts.URL, "/staff/reports?"+bad, coord); r.status != 400 {
			t.Errorf("%s: got %d, want 400", bad, r.status)
		}
	}
	if r := get(t, e.ts.URL, "/staff/reports", e.sessionFor(t, auth.Analyst)); r.status != 403 {
		t.Errorf("analyst on the queue: %d, want 403", r.status)
	}

	// pre-moderation: the sensitive report is not public until approved
	if st, _ := e.publicReq(t, drugs); st != 200 {
		t.Fatalf("pending report by id: %d", st)
	}
	list := get(t, e.ts.URL, o311+"/requests.json", nil)
	if strings.Contains(string(list.body), `"service_request_id":"`+itoa64(drugs)+`"`) {
		t.Fatalf("a pending sensitive report is listed publicly")
	}
	path := "/staff/reports/" + itoa64(drugs)
	if r := staffPost(t, e.ts.URL, path, coord, url.Values{"action": {"approve"}, "csrf": {"wrong"}}); r.status != 403 {
		t.Fatalf("wrong CSRF token: %s", r)
	}
	r = staffPost(t, e.ts.URL, path, coord, url.Values{"action": {"approve"}})
	if r.status != 303 {
		t.Fatalf("approve: %s", r)
	}
	// redaction: the name goes, the original stays in the audit log only
	r = staffPost(t, e.ts.URL, path, coord, url.Values{"action": {"redact"}, "description": {"[name removed] sells drugs here"}})
	if r.status != 400 {
		t.Fatalf("redaction without a reason: %s", r)
	}
	r = staffPost(t, e.ts.URL, path, coord, url.Values{"action": {"redact"}, "description": {"[name removed] sells drugs here"}, "reason": {"names a person"}})
	if r.status != 303 {
		t.Fatalf("redact: %s", r)
	}
	q, err := e.st.ServiceRequest(ctx, e.org.ID, drugs)
	if err != nil || q.Description != "[name removed] sells drugs here" || q.Moderation != "approved" {
		t.Fatalf("after approve and redact: %+v %v", q, err)
	}
	r = get(t, e.ts.URL, path, coord)
	if strings.Contains(string(r.body), "John Smith") {
		t.Errorf("a coordinator's page still shows the redacted name")
	}
	r = get(t, e.ts.URL, path, admin)
	mustSee(t, r, "report.redact", "original: John Smith") // admins read the audit trail

	// status + official answer become public
	lp := "/staff/reports/" + itoa64(lamp)
	r = staffPost(t, e.ts.URL, lp, coord, url.Values{"action": {"status"}, "status": {"action_scheduled"}, "answer": {"A crew will replace the lamp on Monday."}})
	if r.status != 303 || !strings.Contains(r.header.Get("Location"), "done=saved") {
		t.Fatalf("status+answer: %s %s", r, r.header.Get("Location"))
	}
	_, pub := e.publicReq(t, lamp)
	if pub["status"] != "open" || pub["status_notes"] != "A crew will replace the lamp on Monday." || pub["detailed_status"] != "action_scheduled" {
		t.Fatalf("public view after the answer: %v", pub)
	}
	r = staffPost(t, e.ts.URL, lp, coord, url.Values{"action": {"status"}, "status": {"moon"}})
	if r.status != 400 {
		t.Errorf("unknown status: %s", r)
	}
	r = staffPost(t, e.ts.URL, lp, coord, url.Values{"action": {"assign"}, "department": {"Highways"}})
	if r.status != 303 {
		t.Fatalf("assign: %s", r)
	}

	// duplicate suggestion and merge
	r = get(t, e.ts.URL, lp, coord)
	mustSee(t, r, `data-merge="`+itoa64(near)+`"`, `id="o311-dupmap"`, "Highways")
	if strings.Contains(string(r.body), `data-merge="`+itoa64(drugs)+`"`) {
		t.Errorf("a report of another category is suggested as a duplicate")
	}
	r = staffPost(t, e.ts.URL, lp, coord, url.Values{"action": {"merge"}, "from": {itoa64(near)}})
	if r.status != 303 || r.header.Get("Location") != lp+"?done=merged" {
		t.Fatalf("merge: %s %q", r, r.header.Get("Location"))
	}
	q, _ = e.st.ServiceRequest(ctx, e.org.ID, near)
	if q.Status != "duplicate" || q.DuplicateOf != lamp || !strings.Contains(q.StatusNotes, "#"+itoa64(lamp)) {
		t.Fatalf("merged report: %+v", q)
	}
	_, pub = e.publicReq(t, near)
	if pub["status"] != "closed" {
		t.Errorf("a merged duplicate is not closed publicly: %v", pub)
	}
	if r := staffPost(t, e.ts.URL, lp, coord, url.Values{"action": {"merge"}, "into": {itoa64(lamp)}}); r.status != 400 {
		t.Errorf("merge into itself: %s", r)
	}

	// reactive moderation: hide needs a reason; hidden answers 404 publicly
	if r := staffPost(t, e.ts.URL, lp, coord, url.Values{"action": {"hide"}}); r.status != 400 {
		t.Errorf("hide without a reason: %s", r)
	}
	if r := staffPost(t, e.ts.URL, lp, coord, url.Values{"action": {"hide"}, "reason": {"abusive"}}); r.status != 303 {
		t.Fatalf("hide: %s", r)
	}
	if st, _ := e.publicReq(t, lamp); st != 404 {
		t.Errorf("hidden report: public status %d, want 404", st)
	}
	if r := staffPost(t, e.ts.URL, lp, coord, url.Values{"action": {"note"}, "note": {"called the crew"}}); r.status != 303 {
		t.Fatalf("note: %s", r)
	}

	// the audit log has every staff action, by the coordinator
	es, err := e.st.AuditLog(ctx, e.org.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, a := range es {
		if strings.HasPrefix(a.Action, "report.") {
			got[a.Action]++
			if a.Actor != e.users[auth.Coordinator].Email || a.IP == "" {
				t.Errorf("audit entry without the actor or IP: %+v", a)
			}
		}
	}
	for _, a := range []string{"report.moderate", "report.redact", "report.status", "report.answer", "report.assign", "report.merge", "report.note"} {
		if got[a] == 0 {
			t.Errorf("no %s in the audit log (have %v)", a, got)
		}
	}
	if got["report.moderate"] != 2 {
		t.Errorf("report.moderate: %d entries, want 2 (approve, hide)", got["report.moderate"])
	}
}

// TestStaffAreaFilter filters the queue by an area polygon of the real
// Manchester layer.
func TestStaffAreaFilter(t *testing.T) {
	fx := realData(t)
	e := &o311Env{env: fx.env, key: "area-key-0123456789abcdef"}
	ctx := context.Background()
	if _, err := e.st.CreateAPIKey(ctx, e.org.ID, "area test", e.key); err != nil && !strings.Contains(err.Error(), "exists") {
		t.Fatal(err)
	}
	areas, err := e.st.Areas(ctx, e.org.ID, 0, false)
	if err != nil || len(areas) == 0 {
		t.Fatalf("areas: %d, %v", len(areas), err)
	}
	a := areas[0]
	// a point in the middle of the area's bounding box may fall outside a
	// concave polygon: use the queue's own filter to learn where it falls
	lat, lon := (a.MinLat+a.MaxLat)/2, (a.MinLon+a.MaxLon)/2
	id := e.postID(t, "service_code", "lighting", "lat", "\x00delete", "long", "\x00delete", "lat", strconv.FormatFloat(lat, 'f', 6, 64), "long", strconv.FormatFloat(lon, 'f', 6, 64), "description", "area filter probe")
	coord := e.sessionFor(t, auth.Coordinator)
	bbox, inside, err := e.srv.areaFilter(ctx, e.org.ID, a.ID)
	if err != nil || bbox == nil {
		t.Fatalf("areaFilter: %v", err)
	}
	r := get(t, e.ts.URL, "/staff/reports?area="+itoa64(a.ID), coord)
	if r.status != 200 {
		t.Fatalf("area filter: %s", r)
	}
	listed := strings.Contains(string(r.body), "/staff/reports/"+itoa64(id)+`"`)
	if listed != inside(lat, lon) {
		t.Errorf("report at the bbox centre: listed %v, inside %v", listed, inside(lat, lon))
	}
	// a point far outside every area is never listed
	far := e.postID(t, "service_code", "lighting", "lat", "\x00delete", "long", "\x00delete", "lat", "10.0", "long", "10.0", "description", "far away")
	for _, x := range areas[:min(5, len(areas))] {
		r := get(t, e.ts.URL, "/staff/reports?area="+itoa64(x.ID), coord)
		if strings.Contains(string(r.body), "/staff/reports/"+itoa64(far)+`"`) {
			t.Errorf("area %s lists a report in the Sahara", x.Code)
		}
	}
	if r := get(t, e.ts.URL, "/staff/reports?area=999999999", coord); r.status != 404 {
		t.Errorf("unknown area: %d", r.status)
	}
}

// TestStaffCategories: admins edit a category (sensitivity, ICCS,
// department, attributes); bad input is refused field by field; the change
// shows in the API and in the audit log; coordinators may not edit.
func TestStaffCategories(t *testing.T) {
	e := newO311Env(t)
	admin := e.sessionFor(t, auth.Admin)
	r := get(t, e.ts.URL, "/staff/categories", admin)
	if r.status != 200 {
		t.Fatalf("categories: %s", r)
	}
	mustSee(t, r, `id="svc-lighting"`, `id="svc-drug_dealing"`, "0601")
	if r := get(t, e.ts.URL, "/staff/categories", e.sessionFor(t, auth.Coordinator)); r.status != 403 {
		t.Errorf("coordinator on categories: %d", r.status)
	}
	attrs := `[{"variable":true,"code":"lamps","datatype":"number","required":true,"order":1,"description":"How many lamps?"}]`
	form := url.Values{"name": {"Street lights out"}, "description": {"Lamps not working"}, "group": {"environment"}, "keywords": {"lamp"},
		"type": {"realtime"}, "iccs": {""}, "department": {"Highways"}, "notice": {""}, "sensitive": {"on"}, "active": {"on"}, "attributes": {attrs}}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("iccs", "abc")
	bad.Set("attributes", `[{"code":"x","datatype":"colour","order":1}]`)
	r = staffPost(t, e.ts.URL, "/staff/categories/lighting", admin, bad)
	if r.status != 400 {
		t.Fatalf("bad category: %s", r)
	}
	mustSee(t, r, "iccs: ", "attribute[x]: unknown datatype")
	r = staffPost(t, e.ts.URL, "/staff/categories/lighting", admin, form)
	if r.status != 303 {
		t.Fatalf("save: %s", r)
	}
	def := get(t, e.ts.URL, o311+"/services/lighting.json", nil)
	var d open311.ServiceDefinition
	decodeJSON(t, def, &d)
	if len(d.Attributes) != 1 || d.Attributes[0].Code != "lamps" || !d.Attributes[0].Required {
		t.Fatalf("definition after the edit: %s", def)
	}
	v, err := e.st.Service311ByCode(context.Background(), e.org.ID, "lighting")
	if err != nil || !v.Sensitive || v.Department != "Highways" || v.Name != "Street lights out" {
		t.Fatalf("stored: %+v %v", v, err)
	}
	// now sensitive: a new report waits for moderation
	id := e.postID(t, "service_code", "lighting", "attribute[lamps]", "2")
	q, _ := e.st.ServiceRequest(context.Background(), e.org.ID, id)
	if q.Moderation != "pending" || q.Department != "Highways" {
		t.Errorf("a report of the edited category: moderation %q department %q", q.Moderation, q.Department)
	}
	es, _ := e.st.AuditLog(context.Background(), e.org.ID, 20)
	found := false
	for _, a := range es {
		if a.Action == "open311.service.edit" && a.Target == "open311_service:lighting" && strings.Contains(a.Detail, "sensitive: false -> true") {
			found = true
		}
	}
	if !found {
		t.Errorf("no audit entry for the category edit: %+v", es)
	}
	if r := staffPost(t, e.ts.URL, "/staff/categories/nothing", admin, form); r.status != 404 {
		t.Errorf("unknown category: %d", r.status)
	}
}

// TestStaffLabels: every status, moderation state, history kind and sort
// has its message in every language (they are looked up by computed key).
func TestStaffLabels(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, s := range open311.Statuses() {
		keys = append(keys, "o311staff.status."+string(s))
	}
	for _, m := range []open311.Moderation{open311.ModPending, open311.ModApproved, open311.ModHidden} {
		keys = append(keys, "o311staff.mod."+string(m))
	}
	for _, k := range []string{"submitted", "status", "answer", "moderation", "assign", "merge", "redact", "note"} {
		keys = append(keys, "o311staff.kind."+k)
	}
	for _, s := range store.StaffSorts() {
		keys = append(keys, "o311staff.sort."+s)
	}
	for _, lang := range cat.Languages() {
		for _, k := range keys {
			if m := cat.T(lang, k); strings.HasPrefix(m, "⟦") || m == "" {
				t.Errorf("%s: %s missing", lang, k)
			}
		}
	}
	if len(keys) < 20 {
		t.Fatalf("only %d keys checked", len(keys))
	}
}

// TestOpen311ListCache: the cached list answer changes at once with a new
// request and with a staff change (hiding), in both encodings; gzip answers
// are valid gzip of the same document.
func TestOpen311ListCache(t *testing.T) {
	e := newO311Env(t)
	coord := e.sessionFor(t, auth.Coordinator)
	ids := func(gz bool) []string {
		t.Helper()
		h := map[string]string{}
		if gz {
			h["Accept-Encoding"] = "gzip"
		}
		r := do(t, e.ts.URL, request{url: o311 + "/requests.json", headers: h})
		body := r.body
		if gz {
			if r.header.Get("Content-Encoding") != "gzip" {
				t.Fatalf("gzip asked, got Content-Encoding %q", r.header.Get("Content-Encoding"))
			}
			zr, err := gzip.NewReader(bytes.NewReader(r.body))
			if err != nil {
				t.Fatal(err)
			}
			if body, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
		}
		var out []map[string]any
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		var s []string
		for _, x := range out {
			s = append(s, x["service_request_id"].(string))
		}
		return s
	}
	a := e.postID(t, "service_code", "lighting")
	for _, gz := range []bool{false, true} {
		if got := ids(gz); len(got) != 1 || got[0] != itoa64(a) {
			t.Fatalf("gzip=%v: %v", gz, got)
		}
	}
	b := e.postID(t, "service_code", "lighting")
	for _, gz := range []bool{false, true} {
		if got := ids(gz); len(got) != 2 || got[0] != itoa64(b) {
			t.Fatalf("after a new request, gzip=%v: %v", gz, got)
		}
	}
	if r := staffPost(t, e.ts.URL, "/staff/reports/"+itoa64(b), coord, url.Values{"action": {"hide"}, "reason": {"test"}}); r.status != 303 {
		t.Fatal(r)
	}
	for _, gz := range []bool{false, true} {
		if got := ids(gz); len(got) != 1 || got[0] != itoa64(a) {
			t.Fatalf("after hiding, gzip=%v: %v", gz, got)
		}
	}
}
