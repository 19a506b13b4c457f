package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/kb"
	"github.com/icarus-city/icarus/internal/store"
)

func seedKBEnv(t *testing.T, e *env) {
	t.Helper()
	recs := make([]store.KBItem, 0)
	for _, it := range kb.Seed() {
		recs = append(recs, kbFromItem(e.org.ID, it, store.KBPublished))
	}
	if _, _, err := e.st.PutKBItemsAs(context.Background(), recs, "", "seed"); err != nil {
		t.Fatal(err)
	}
}

func TestKBWhatWorksAndViews(t *testing.T) {
	e := emptyEnv(t)
	seedKBEnv(t, e)
	var res struct {
		Method     string `json:"method"`
		Considered int    `json:"considered"`
		Results    []struct {
			Title     string   `json:"title"`
			Match     string   `json:"match"`
			Direction string   `json:"effect_direction"`
			Caveats   []string `json:"caveats"`
			Citations []string `json:"citations"`
			URL       string   `json:"url"`
		} `json:"results"`
	}
	r := get(t, e.ts.URL, "/api/v1/kb/whatworks?crime=0501&place=residential", nil)
	decodeJSON(t, r, &res)
	if r.status != 200 || len(res.Results) < 3 || res.Results[0].Title != "Alley gating" || res.Results[0].Match != "specific" || res.Method == "" || res.Considered != 16 {
		t.Fatalf("what works for residential burglary: %s", r)
	}
	last := res.Results[len(res.Results)-1]
	if last.Direction != "increase" || !strings.Contains(strings.Join(last.Caveats, ","), "harmful") {
		t.Errorf("the harmful card is not last with its caveat: %+v", last)
	}
	for _, x := range res.Results {
		if len(x.Citations) == 0 || !strings.HasPrefix(x.URL, "/knowledge/") {
			t.Errorf("%s: no citations or link", x.Title)
		}
	}
	for _, bad := range []string{"crime=12a", "place=moon", "population=aliens"} {
		if r := get(t, e.ts.URL, "/api/v1/kb/whatworks?"+bad, nil); r.status != 400 || !strings.Contains(string(r.body), strings.SplitN(bad, "=", 2)[0]) {
			t.Errorf("whatworks?%s = %s, want 400 naming the field", bad, r)
		}
	}
	page := get(t, e.ts.URL, "/knowledge/whatworks?crime=0501&place=residential&lang=fr", nil)
	if page.status != 200 || !strings.Contains(string(page.body), "Alley gating") || !strings.Contains(string(page.body), "Ce qui marche") {
		t.Errorf("what works page: %s", page)
	}
	// the evidence card shows its EMMIE fields
	id := regexp.MustCompile(`href="/knowledge/(\d+)">Alley gating`).FindStringSubmatch(string(page.body))
	if id == nil {
		t.Fatal("no link to the card")
	}
	card := string(get(t, e.ts.URL, "/knowledge/"+id[1], nil).body)
	for _, want := range []string{"Evidence card (EMMIE)", "05012", "Little displacement", "Mechanism", "Quality of the evidence", "Crime Reduction Toolkit", "Sidebottom", "2026-11-26"} {
		if !strings.Contains(card, want) {
			t.Errorf("card page lacks %q", want)
		}
	}
	// findings browser with filters, matrix and timeline
	f := string(get(t, e.ts.URL, "/knowledge/findings?type=lesson&focus=organised_crime", nil).body)
	if !strings.Contains(f, "Five conditions for partnerships") || strings.Contains(f, "Thirty years of urban security") {
		t.Errorf("findings filter: %s", f[:min(len(f), 400)])
	}
	m := get(t, e.ts.URL, "/knowledge/matrix", nil)
	if m.status != 200 || !strings.Contains(string(m.body), `href="/knowledge?focus=organised_crime&amp;cc=governance"`) {
		t.Errorf("matrix: %s", m)
	}
	tl := get(t, e.ts.URL, "/knowledge/timeline?approach=situational", nil)
	if tl.status != 200 || !strings.Contains(string(tl.body), "2000s") || !strings.Contains(string(tl.body), "Improved street lighting") || strings.Contains(string(tl.body), "Drug courts") {
		t.Errorf("timeline: %s", tl)
	}
}

func TestKBAuthoringWorkflow(t *testing.T) {
	e := emptyEnv(t)
	editor, reviewer, field := e.sessionFor(t, auth.Analyst), e.sessionFor(t, auth.Coordinator), e.sessionFor(t, auth.Field)

	if r := get(t, e.ts.URL, "/knowledge/manage", field); r.status != 403 {
		t.Errorf("field worker on /knowledge/manage: %d", r.status)
	}
	form := url.Values{"kind": {"practice"}, "title": {"Night-time economy charter"}, "language": {"en"}, "focus": {"public_spaces"},
		"cc": {"governance", "gender"}, "body": {"Bars and the city agree on door staff training."}, "year": {"2024"}, "country": {"fr"},
		"metadata": {`{"status":"piloted"}`}, "note": {"first draft"}}
	// bad input: a clear field error, nothing saved
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("metadata", `{"status":`)
	bad.Set("focus", "nowhere")
	if r := postForm(t, e, "/knowledge/save", editor, bad); r.status != 422 || !strings.Contains(string(r.body), "focus_area") || !strings.Contains(string(r.body), "JSON") {
		t.Fatalf("bad save: %s", r)
	}
	if r := postForm(t, e, "/knowledge/save", nil, form); r.status != 303 && r.status != 401 && r.status != 403 {
		t.Errorf("anonymous save: %d", r.status)
	}
	r := postForm(t, e, "/knowledge/save", editor, form)
	if r.status != 303 {
		t.Fatalf("save: %s", r)
	}
	loc := r.header.Get("Location")
	id := strings.TrimPrefix(loc, "/knowledge/")
	if _, err := strconv.Atoi(id); err != nil {
		t.Fatalf("redirect to %q", loc)
	}
	// a draft is not public
	if r := get(t, e.ts.URL, loc, nil); r.status != 404 {
		t.Errorf("public sees the draft: %d", r.status)
	}
	if r := get(t, e.ts.URL, "/api/v1/kb/search?q=charter", nil); strings.Contains(string(r.body), "Night-time") {
		t.Errorf("public search finds the draft: %s", r)
	}
	// the editor submits; only a reviewer publishes
	if r := postForm(t, e, loc+"/status", editor, url.Values{"action": {"submit"}}); r.status != 303 {
		t.Fatalf("submit: %s", r)
	}
	if r := postForm(t, e, loc+"/status", editor, url.Values{"action": {"publish"}}); r.status != 403 {
		t.Errorf("editor publishing: %s", r)
	}
	if r := postForm(t, e, loc+"/status", reviewer, url.Values{"action": {"publish"}, "note": {"checked"}}); r.status != 303 {
		t.Fatalf("publish: %s", r)
	}
	if r := postForm(t, e, loc+"/status", reviewer, url.Values{"action": {"publish"}}); r.status != 409 {
		t.Errorf("publishing twice: %d", r.status)
	}
	if r := get(t, e.ts.URL, loc, nil); r.status != 200 || !strings.Contains(string(r.body), "Night-time economy charter") {
		t.Errorf("published record not public: %s", r)
	}
	// edit with a stale version: conflict; with the right one: a new draft version
	form.Set("id", id)
	form.Set("version", "1")
	form.Set("body", "Changed.")
	if r := postForm(t, e, "/knowledge/save", editor, form); r.status != 409 {
		t.Errorf("stale edit: %s", r)
	}
	form.Set("version", "3")
	if r := postForm(t, e, "/knowledge/save", editor, form); r.status != 303 {
		t.Fatalf("edit: %s", r)
	}
	h := get(t, e.ts.URL, loc+"/history", editor)
	hb := string(h.body)
	if h.status != 200 || strings.Count(hb, `class="card"`) != 4 || !strings.Contains(hb, "<del>Bars and the city agree on door staff training.</del>") ||
		!strings.Contains(hb, "<ins>Changed.</ins>") || !strings.Contains(hb, "checked") {
		t.Errorf("history: %s", h)
	}
	// the audit log has each step
	es, _ := e.st.AuditLog(context.Background(), e.org.ID, 50)
	var acts []string
	for _, x := range es {
		acts = append(acts, x.Action)
	}
	for _, a := range []string{"kb.create", "kb.submit", "kb.publish", "kb.update"} {
		if !strings.Contains(strings.Join(acts, " "), a) {
			t.Errorf("audit log lacks %s: %v", a, acts)
		}
	}
}

func kbUpload(t *testing.T, e *env, s *session, name, content string) response {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.WriteField("csrf", s.csrf)
	fw, _ := w.CreateFormFile("file", name)
	fw.Write([]byte(content))
	w.Close()
	return do(t, e.ts.URL, request{method: "POST", url: "/knowledge/import", body: &b, contentType: w.FormDataContentType(), sess: s})
}

func TestKBExchange(t *testing.T) {
	src := emptyEnv(t)
	seedKBEnv(t, src)
	js := get(t, src.ts.URL, "/api/v1/kb/export.json", nil)
	csvb := get(t, src.ts.URL, "/api/v1/kb/export.csv", nil)
	if js.status != 200 || csvb.status != 200 || !strings.Contains(js.header.Get("Content-Disposition"), "knowledge-base.json") {
		t.Fatalf("export: %s / %s", js, csvb)
	}
	dst := emptyEnv(t)
	editor := dst.sessionFor(t, auth.Analyst)
	// a file with errors: each named with its line and field; nothing imported
	r := kbUpload(t, dst, editor, "bad.csv", "key,kind,title,year\nx,tool,Fine,2020\ny,gadget,,20x\n")
	if r.status != 422 || !strings.Contains(string(r.body), "record 3, kind") || !strings.Contains(string(r.body), "record 3, year") {
		t.Fatalf("bad CSV: %s", r)
	}
	if items, _ := dst.st.KBItems(context.Background(), dst.org.ID, store.KBFilter{Status: "all"}, 0); len(items) != 0 {
		t.Fatalf("a failed import left %d records", len(items))
	}
	r = kbUpload(t, dst, editor, "kb.json", string(js.body))
	if r.status != 200 || !strings.Contains(string(r.body), "34 records imported") {
		t.Fatalf("JSON import: %s", r)
	}
	r = kbUpload(t, dst, editor, "kb.csv", string(csvb.body))
	if r.status != 200 {
		t.Fatalf("CSV import: %s", r)
	}
	items, _ := dst.st.KBItems(context.Background(), dst.org.ID, store.KBFilter{Status: store.KBDraft}, 0)
	if len(items) != 34 {
		t.Errorf("%d drafts after import, want 34", len(items))
	}
	// imported records are drafts: not public until reviewed
	if r := get(t, dst.ts.URL, "/api/v1/kb/export.json", nil); strings.Contains(string(r.body), "Alley gating") {
		t.Error("imported drafts are exported publicly")
	}
}
