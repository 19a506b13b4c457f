package web

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/i18n"
	"github.com/icarus-city/icarus/internal/kb"
	"github.com/icarus-city/icarus/internal/store"
)

// kbFacetsResp is the part of GET /api/v1/kb/search the facet tests read.
type kbFacetsResp struct {
	Total   int `json:"total"`
	Results []struct {
		Type  string  `json:"type"`
		ID    int64   `json:"id"`
		Title string  `json:"title"`
		Score float64 `json:"score"`
	} `json:"results"`
	Facets map[string][]kbFacetValue `json:"facets"`
}

func facetCount(r kbFacetsResp, dim, value string) (int, bool) {
	for _, v := range r.Facets[dim] {
		if v.Value == value {
			return v.Count, v.Selected
		}
	}
	return 0, false
}

// TestKBFacets: the search page and API give facet counts that follow the
// query and the other filters, with links that add and remove filters.
func TestKBFacets(t *testing.T) {
	e := emptyEnv(t)
	seedKBEnv(t, e)
	var all kbFacetsResp
	decodeJSON(t, get(t, e.ts.URL, "/api/v1/kb/search?q=", nil), &all)
	n := len(kb.Seed())
	if all.Total != n {
		t.Errorf("empty query: total %d, want the %d shipped records", all.Total, n)
	}
	evidence, _ := facetCount(all, "type", "evidence")
	if evidence != 16 {
		t.Errorf("type=evidence count %d, want the 16 shipped cards", evidence)
	}
	for _, dim := range []string{"type", "focus_area", "cross_cutting", "approach", "country", "decade", "evidence_strength"} {
		if _, ok := all.Facets[dim]; !ok {
			t.Errorf("facet %s missing", dim)
		}
	}
	// the shipped cards: CCTV rated "Very strong", Neighbourhood Watch 3 on the old scale
	strong, _ := facetCount(all, "evidence_strength", "strong")
	notRated, _ := facetCount(all, "evidence_strength", "not_rated")
	if strong != 2 || strong+notRated != 16 {
		t.Errorf("evidence strength: strong %d, not rated %d", strong, notRated)
	}
	// choosing a type: the results and the other dimensions narrow, the type
	// dimension keeps every type's count
	var ev kbFacetsResp
	decodeJSON(t, get(t, e.ts.URL, "/api/v1/kb/search?q=&kind=evidence&limit=200", nil), &ev)
	if ev.Total != 16 || len(ev.Results) != 16 {
		t.Errorf("kind=evidence: total %d, %d results", ev.Total, len(ev.Results))
	}
	if c, sel := facetCount(ev, "type", "tool"); c != 6 || sel {
		t.Errorf("kind=evidence: type=tool %d (selected %v), want the 6 tools still counted", c, sel)
	}
	if _, sel := facetCount(ev, "type", "evidence"); !sel {
		t.Error("the chosen type is not marked selected")
	}
	if c, _ := facetCount(ev, "country", "IT"); c != 0 {
		t.Errorf("kind=evidence: country IT counts %d, want 0 (no card has a country)", c)
	}
	// a query: counts of its matches only; a facet value's count is what
	// choosing it finds
	var q kbFacetsResp
	decodeJSON(t, get(t, e.ts.URL, "/api/v1/kb/search?q=lighting", nil), &q)
	for _, v := range q.Facets["type"] {
		var sub kbFacetsResp
		decodeJSON(t, get(t, e.ts.URL, "/api/v1/kb/search?q=lighting&limit=200&kind="+v.Value, nil), &sub)
		if sub.Total != v.Count || len(sub.Results) != v.Count {
			t.Errorf("lighting, type %s: facet says %d, the search finds %d (total %d)", v.Value, v.Count, len(sub.Results), sub.Total)
		}
	}
	for _, v := range q.Facets["decade"] {
		var sub kbFacetsResp
		decodeJSON(t, get(t, e.ts.URL, "/api/v1/kb/search?q=lighting&limit=200&decade="+v.Value, nil), &sub)
		if len(sub.Results) != v.Count {
			t.Errorf("lighting, decade %s: facet says %d, the search finds %d", v.Value, v.Count, len(sub.Results))
		}
	}
	for _, bad := range []string{"decade=1995", "decade=x", "strength=great"} {
		if r := get(t, e.ts.URL, "/api/v1/kb/search?q=x&"+bad, nil); r.status != 400 {
			t.Errorf("%s: %d, want 400", bad, r.status)
		}
	}
	// the page: facet links add a filter; the chosen one is a removable chip
	r := get(t, e.ts.URL, "/knowledge?q=lighting&kind=evidence", nil)
	body := string(r.body)
	if r.status != 200 || !strings.Contains(body, `class="kb-chip" href="/knowledge?q=lighting"`) ||
		!strings.Contains(body, `href="/knowledge?decade=2000&amp;kind=evidence&amp;q=lighting"`) || !strings.Contains(body, `aria-current="true"`) ||
		!strings.Contains(body, `<input type="hidden" name="kind" value="evidence">`) {
		t.Errorf("facet page: %s", r)
	}
}

// TestKBTaxonomyEdit: only an admin edits the taxonomies; an added value,
// a new label and a retired value show where taxonomies are shown and
// filtered; every change is audited; a used value cannot be deleted.
func TestKBTaxonomyEdit(t *testing.T) {
	e := emptyEnv(t)
	seedKBEnv(t, e)
	admin, analyst := e.sessionFor(t, auth.Admin), e.sessionFor(t, auth.Analyst)
	if r := get(t, e.ts.URL, "/knowledge/taxonomies", analyst); r.status != 403 {
		t.Errorf("analyst on the taxonomy page: %d", r.status)
	}
	if r := postForm(t, e, "/knowledge/taxonomies", analyst, url.Values{"action": {"add"}, "taxonomy": {"cc"}, "code": {"climate"}, "label_en": {"Climate"}}); r.status != 403 {
		t.Errorf("analyst adding a value: %d", r.status)
	}
	r := get(t, e.ts.URL, "/knowledge/taxonomies", admin)
	if r.status != 200 || !strings.Contains(string(r.body), "Records using it: ") || !strings.Contains(string(r.body), "ICCS") {
		t.Fatalf("taxonomy page: %s", r)
	}
	// without the CSRF token: refused
	noCSRF := do(t, e.ts.URL, request{method: "POST", url: "/knowledge/taxonomies", body: strings.NewReader("action=add&taxonomy=cc&code=climate&label_en=Climate"),
		contentType: "application/x-www-form-urlencoded", sess: admin})
	if noCSRF.status != 403 {
		t.Errorf("POST without CSRF: %d", noCSRF.status)
	}
	// bad code, missing English label: field errors, nothing saved
	r = postForm(t, e, "/knowledge/taxonomies", admin, url.Values{"action": {"add"}, "taxonomy": {"cc"}, "code": {"Climate Change"}, "label_en": {""}})
	if r.status != 422 || !strings.Contains(string(r.body), "lower-case letters") || !strings.Contains(string(r.body), "needs an English label") {
		t.Errorf("bad add: %s", r)
	}
	add := url.Values{"action": {"add"}, "taxonomy": {"cc"}, "code": {"climate"}, "label_en": {"Climate change"}, "label_fr": {"Changement climatique"}, "label_it": {""}}
	if r := postForm(t, e, "/knowledge/taxonomies", admin, add); r.status != 303 {
		t.Fatalf("add: %s", r)
	}
	if r := postForm(t, e, "/knowledge/taxonomies", admin, add); r.status != 409 {
		t.Errorf("adding twice: %d", r.status)
	}
	// rename a built-in value in French only
	if r := postForm(t, e, "/knowledge/taxonomies", admin, url.Values{"action": {"save"}, "taxonomy": {"focus"}, "code": {"public_spaces"},
		"label_en": {""}, "label_fr": {"Espaces publics sûrs"}, "label_it": {""}}); r.status != 303 {
		t.Fatalf("rename: %s", r)
	}
	// the new value is offered in the form; a record uses it; the search
	// facets and the record show the labels
	r = get(t, e.ts.URL, "/knowledge/new?kind=practice", analyst)
	if !strings.Contains(string(r.body), `value="climate"`) || !strings.Contains(string(r.body), "Climate change") {
		t.Errorf("new record form lacks the added value")
	}
	form := url.Values{"kind": {"practice"}, "title": {"Heat plan for parks"}, "language": {"en"}, "focus": {"public_spaces"}, "cc": {"climate"},
		"body": {"Shade and water points in the parks during heat waves."}, "metadata": {"{}"}}
	r = postForm(t, e, "/knowledge/save", analyst, form)
	if r.status != 303 {
		t.Fatalf("save with the added value: %s", r)
	}
	loc := r.header.Get("Location")
	rec := get(t, e.ts.URL, loc+"?lang=fr", analyst)
	if !strings.Contains(string(rec.body), "Changement climatique") || !strings.Contains(string(rec.body), "Espaces publics sûrs") {
		t.Errorf("record page in French lacks the labels: %s", rec)
	}
	page := get(t, e.ts.URL, "/knowledge?q=&lang=fr", nil)
	if !strings.Contains(string(page.body), "Espaces publics sûrs") {
		t.Error("search facets lack the renamed label")
	}
	if m := get(t, e.ts.URL, "/knowledge/matrix", nil); !strings.Contains(string(m.body), "Climate change") {
		t.Error("matrix lacks the added cross-cutting issue")
	}
	// deleting a used value: refused with the number of records
	r = postForm(t, e, "/knowledge/taxonomies", admin, url.Values{"action": {"delete"}, "taxonomy": {"cc"}, "code": {"climate"}})
	if r.status != 409 || !strings.Contains(string(r.body), "1 records use it") {
		t.Errorf("delete of a used value: %s", r)
	}
	// retire: no longer offered for a new record, still on the record
	if r := postForm(t, e, "/knowledge/taxonomies", admin, url.Values{"action": {"retire"}, "taxonomy": {"cc"}, "code": {"climate"}}); r.status != 303 {
		t.Fatalf("retire: %s", r)
	}
	if r := get(t, e.ts.URL, "/knowledge/new?kind=practice", analyst); strings.Contains(string(r.body), `value="climate"`) {
		t.Error("a retired value is still offered for new records")
	}
	id := strings.TrimPrefix(loc, "/knowledge/")
	if r := get(t, e.ts.URL, loc+"/edit", analyst); !strings.Contains(string(r.body), `value="climate" checked`) {
		t.Error("the record's retired value is not kept in its form")
	}
	if r := get(t, e.ts.URL, loc, analyst); !strings.Contains(string(r.body), "Climate change") {
		t.Error("the record no longer shows its retired value")
	}
	// an unused added value can be deleted
	postForm(t, e, "/knowledge/taxonomies", admin, url.Values{"action": {"add"}, "taxonomy": {"approach"}, "code": {"restorative"}, "label_en": {"Restorative"}})
	if r := postForm(t, e, "/knowledge/taxonomies", admin, url.Values{"action": {"delete"}, "taxonomy": {"approach"}, "code": {"restorative"}}); r.status != 303 {
		t.Errorf("delete of an unused value: %s", r)
	}
	es, _ := e.st.AuditLog(context.Background(), e.org.ID, 100)
	got := map[string]string{}
	for _, x := range es {
		if strings.HasPrefix(x.Action, "kb.taxonomy.") {
			got[x.Action+" "+x.Target] = x.Detail
		}
	}
	for _, want := range []string{"kb.taxonomy.add kb_term:cc/climate", "kb.taxonomy.save kb_term:focus/public_spaces", "kb.taxonomy.retire kb_term:cc/climate",
		"kb.taxonomy.add kb_term:approach/restorative", "kb.taxonomy.delete kb_term:approach/restorative"} {
		if _, ok := got[want]; !ok {
			t.Errorf("audit log lacks %q: %v", want, got)
		}
	}
	if d := got["kb.taxonomy.retire kb_term:cc/climate"]; d != "records=1" {
		t.Errorf("retire audit detail %q", d)
	}
	_ = id
}

// TestKBEvidenceForm: an evidence card is written field by field; wrong
// figures are refused beside their field; a valid card is saved in the
// record's EMMIE metadata and shown.
func TestKBEvidenceForm(t *testing.T) {
	e := emptyEnv(t)
	ed := e.sessionFor(t, auth.Analyst)
	r := get(t, e.ts.URL, "/knowledge/new?kind=evidence", ed)
	for _, f := range []string{"ev_direction", "ev_measure", "ev_value", "ev_ci_low", "ev_ci_high", "ev_n_studies", "ev_mechanism", "ev_moderators",
		"ev_implementation", "ev_economic_cost", "ev_q_effect", "ev_q_economic", "ev_rating_crt", "ev_rating_crimesolutions", "ev_rating_campbell",
		"ev_displacement", "ev_backfire", "ev_citations", "ev_last_reviewed"} {
		if !strings.Contains(string(r.body), `name="`+f+`"`) {
			t.Errorf("the evidence form has no field %s", f)
		}
	}
	form := url.Values{"kind": {"evidence"}, "title": {"Bus-stop lighting"}, "language": {"en"}, "ev_form": {"1"},
		"ev_focus": {"situational"}, "ev_crime_types": {"0501, 02"}, "ev_places": {"public_transport"}, "ev_direction": {"reduction"},
		"ev_measure": {"relative reduction"}, "ev_value": {"0.3"}, "ev_ci_low": {"0.25"}, "ev_ci_high": {"0.1"}, "ev_n_studies": {"4"}, "ev_n_rcts": {"5"},
		"ev_rating_campbell": {""}, "ev_rating_source_campbell": {"Review 2020"}, "ev_citations": {"Someone 2020, Lights | ftp://x"},
		"ev_last_reviewed": {"2026-13-40"}}
	r = postForm(t, e, "/knowledge/save", ed, form)
	body := string(r.body)
	if r.status != 422 {
		t.Fatalf("bad card: %s", r)
	}
	for _, want := range []string{
		`id="ev-ci_low" name="ev_ci_low" value="0.25" inputmode="decimal" aria-invalid="true"`, "The low bound is above the high bound.",
		"More randomised trials than studies.", "A source is given without the rating.", "give a link starting with https://",
		"A date such as 2026-01-31.", `href="#ev-ci_low"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("bad card: the page lacks %q", want)
		}
	}
	if items, _ := e.st.KBItems(context.Background(), e.org.ID, store.KBFilter{Status: "all"}, 0); len(items) != 0 {
		t.Errorf("a rejected card was saved: %v", items)
	}
	// value outside its interval; a bound alone
	form.Set("ev_ci_low", "0.1")
	form.Set("ev_ci_high", "0.25")
	form.Set("ev_n_rcts", "1")
	form.Set("ev_rating_campbell", "Effective")
	form.Set("ev_citations", "Someone 2020, Lights | https://example.org/lights\nOther 2019")
	form.Set("ev_last_reviewed", "2026-01-31")
	if r := postForm(t, e, "/knowledge/save", ed, form); r.status != 422 || !strings.Contains(string(r.body), "The value is outside its confidence interval.") {
		t.Errorf("value outside the CI: %s", r)
	}
	form.Set("ev_ci_high", "")
	if r := postForm(t, e, "/knowledge/save", ed, form); r.status != 422 || !strings.Contains(string(r.body), "Give both bounds") {
		t.Errorf("one bound: %s", r)
	}
	form.Set("ev_ci_high", "0,4") // a decimal comma is read
	form.Set("ev_q_effect", "Strong")
	r = postForm(t, e, "/knowledge/save", ed, form)
	if r.status != 303 {
		t.Fatalf("valid card: %s", r)
	}
	id, _ := strconv.ParseInt(strings.TrimPrefix(r.header.Get("Location"), "/knowledge/"), 10, 64)
	it, err := e.st.KBItem(context.Background(), e.org.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	ev, ok, err := kb.EvidenceOf(it.Metadata)
	if err != nil || !ok {
		t.Fatalf("saved card has no EMMIE fields: %s %v", it.Metadata, err)
	}
	if *ev.Effect.Value != 0.3 || *ev.Effect.CILow != 0.1 || *ev.Effect.CIHigh != 0.4 || ev.Effect.NStudies != 4 || ev.Effect.NRCTs != 1 ||
		len(ev.CrimeTypes) != 2 || len(ev.Citations) != 2 || ev.Citations[0].URL != "https://example.org/lights" || ev.Citations[1].URL != "" ||
		len(ev.Ratings) != 1 || ev.Ratings[0].Scheme != "campbell" || ev.Ratings[0].Source != "Review 2020" || ev.LastReviewed != "2026-01-31" {
		b, _ := json.Marshal(ev)
		t.Errorf("saved card %s", b)
	}
	// the edit form shows the fields back
	r = get(t, e.ts.URL, "/knowledge/"+strconv.FormatInt(id, 10)+"/edit", ed)
	if !strings.Contains(string(r.body), `name="ev_ci_high" value="0.4"`) || !strings.Contains(string(r.body), "Someone 2020, Lights | https://example.org/lights") {
		t.Errorf("edit form of the card: %s", r)
	}
	// the card page shows the figure with its interval
	r = get(t, e.ts.URL, "/knowledge/"+strconv.FormatInt(id, 10), ed)
	if !strings.Contains(string(r.body), "0.3 (") || !strings.Contains(string(r.body), "0.1 – 0.4") {
		t.Errorf("card page lacks the figure: %s", r)
	}
}

// TestKBPublishedStaysPublic: while a revision of a published record is a
// draft or in review, the public page, search and export show the
// published version; editors see the revision.
func TestKBPublishedStaysPublic(t *testing.T) {
	e := emptyEnv(t)
	ed, rev := e.sessionFor(t, auth.Analyst), e.sessionFor(t, auth.Coordinator)
	id, _, err := e.st.PutKBItemAs(context.Background(), store.KBItem{OrgID: e.org.ID, Key: "k", Kind: "practice", Language: "en",
		Title: "Lantern walks", Body: "Residents walk the park at dusk with lanterns."}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	loc := "/knowledge/" + strconv.FormatInt(id, 10)
	form := url.Values{"id": {strconv.FormatInt(id, 10)}, "version": {"1"}, "kind": {"practice"}, "title": {"Torch walks"}, "language": {"en"},
		"body": {"Residents walk the park at dusk with torches."}, "metadata": {"{}"}}
	if r := postForm(t, e, "/knowledge/save", ed, form); r.status != 303 {
		t.Fatalf("edit: %s", r)
	}
	public := func(stage, want, gone string) {
		t.Helper()
		r := get(t, e.ts.URL, loc, nil)
		if r.status != 200 || !strings.Contains(string(r.body), want) || strings.Contains(string(r.body), gone) {
			t.Errorf("%s: public page %d, want %q and not %q", stage, r.status, want, gone)
		}
		var s kbFacetsResp
		decodeJSON(t, get(t, e.ts.URL, "/api/v1/kb/search?q=walks", nil), &s)
		if len(s.Results) != 1 || s.Results[0].Title != want {
			t.Errorf("%s: public search %+v, want %q", stage, s.Results, want)
		}
		if x := get(t, e.ts.URL, "/api/v1/kb/export.json", nil); !strings.Contains(string(x.body), want) || strings.Contains(string(x.body), gone) {
			t.Errorf("%s: export lacks the published version", stage)
		}
	}
	public("revision in draft", "Lantern walks", "Torch walks")
	r := get(t, e.ts.URL, loc, ed)
	if !strings.Contains(string(r.body), "Torch walks") || !strings.Contains(string(r.body), "the public sees the published version 1") {
		t.Errorf("editor's view of the revision: %s", r)
	}
	if r := get(t, e.ts.URL, loc+"?view=published", ed); !strings.Contains(string(r.body), "Lantern walks") {
		t.Errorf("editor's view of the published version: %s", r)
	}
	if r := get(t, e.ts.URL, "/knowledge/manage", ed); !strings.Contains(string(r.body), "published version public") {
		t.Errorf("manage page does not tell the published version is public")
	}
	if r := postForm(t, e, loc+"/status", ed, url.Values{"action": {"submit"}}); r.status != 303 {
		t.Fatalf("submit: %s", r)
	}
	public("revision in review", "Lantern walks", "Torch walks")
	if r := get(t, e.ts.URL, "/knowledge/manage?status=review", ed); !strings.Contains(string(r.body), "Torch walks") {
		t.Errorf("the revision is not in the review queue")
	}
	if r := postForm(t, e, loc+"/status", rev, url.Values{"action": {"publish"}}); r.status != 303 {
		t.Fatalf("publish: %s", r)
	}
	public("revision published", "Torch walks", "Lantern walks")

	// another revision, sent for review: an editor may not discard it, a
	// reviewer may; then a draft revision the editor discards; the published
	// version stays public throughout and each discard is audited
	revise := func(title, version string) {
		t.Helper()
		f := url.Values{"id": {strconv.FormatInt(id, 10)}, "version": {version}, "kind": {"practice"}, "title": {title}, "language": {"en"},
			"body": {"Residents walk the park at dusk."}, "metadata": {"{}"}}
		if r := postForm(t, e, "/knowledge/save", ed, f); r.status != 303 {
			t.Fatalf("revision %q: %s", title, r)
		}
	}
	revise("Candle walks", "4")
	if r := postForm(t, e, loc+"/status", ed, url.Values{"action": {"submit"}}); r.status != 303 {
		t.Fatalf("submit: %s", r)
	}
	if r := get(t, e.ts.URL, loc, ed); strings.Contains(string(r.body), "Discard this revision") {
		t.Errorf("an editor is offered to discard a revision in review")
	}
	if r := postForm(t, e, loc+"/status", ed, url.Values{"action": {"discard"}}); r.status != 403 {
		t.Errorf("editor discarding a revision in review: %s", r)
	}
	if r := get(t, e.ts.URL, loc, rev); !strings.Contains(string(r.body), "Discard this revision") {
		t.Errorf("a reviewer is not offered to discard the revision in review")
	}
	if r := postForm(t, e, loc+"/status", rev, url.Values{"action": {"discard"}, "note": {"not needed"}}); r.status != 303 {
		t.Fatalf("reviewer discarding: %s", r)
	}
	public("revision in review discarded", "Torch walks", "Candle walks")
	if r := postForm(t, e, loc+"/status", rev, url.Values{"action": {"discard"}}); r.status != 409 {
		t.Errorf("discarding with no revision pending: %s", r)
	}
	revise("Torchlight walks", "7")
	if r := get(t, e.ts.URL, loc, ed); !strings.Contains(string(r.body), "Discard this revision") {
		t.Errorf("the editor is not offered to discard a draft revision")
	}
	if r := postForm(t, e, loc+"/status", ed, url.Values{"action": {"discard"}}); r.status != 303 {
		t.Fatalf("editor discarding a draft revision: %s", r)
	}
	public("draft revision discarded", "Torch walks", "Torchlight walks")
	if r := get(t, e.ts.URL, loc, ed); !strings.Contains(string(r.body), "Torch walks") || strings.Contains(string(r.body), "Torchlight walks") {
		t.Errorf("the editor's view after discarding is not the published version")
	}
	es, _ := e.st.AuditLog(context.Background(), e.org.ID, 50)
	discards := 0
	for _, a := range es {
		if a.Action == "kb.discard" {
			discards++
		}
	}
	if discards != 2 {
		t.Errorf("%d kb.discard audit entries, want 2", discards)
	}
}

// TestKBGapsKeys: every value of the families the pages look up by code
// is in every catalog.
func TestKBGapsKeys(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{}
	for _, s := range kb.Strengths() {
		keys = append(keys, "kbgaps.strength."+s)
	}
	for _, p := range []string{store.FacetKind, store.FacetFocus, store.FacetCC, store.FacetApproach, store.FacetCountry, store.FacetDecade, store.FacetStrength} {
		keys = append(keys, "kbgaps.facet."+p)
	}
	for _, n := range kb.TaxonomyNames() {
		keys = append(keys, "kbgaps.tax.name."+n, "kbgaps.tax.hint."+n)
	}
	for _, l := range kb.LabelLanguages() {
		keys = append(keys, "kbgaps.tax.label."+l)
	}
	for _, d := range []string{"add", "save", "retire", "restore", "delete"} {
		keys = append(keys, "kbgaps.tax.done."+d)
	}
	for _, x := range []string{"code", "label", "labelrequired"} {
		keys = append(keys, "kbgaps.tax.err."+x)
	}
	for _, x := range []string{"number", "count", "choice", "iccs", "cibound", "ciorder", "cinovalue", "outsideci", "measure", "rcts", "ratingempty", "citeurl", "citetext", "date", "json", "invalid"} {
		keys = append(keys, "kbgaps.ev.err."+x)
	}
	for _, x := range []string{"focus", "crime_types", "places", "populations", "direction", "size", "significant", "outcome", "measure", "value", "ci_low", "ci_high",
		"n_studies", "n_tests", "n_rcts", "mechanism", "moderators", "implementation", "economic_cost", "ratings", "displacement", "backfire", "citations", "last_reviewed", "other"} {
		keys = append(keys, "kbgaps.ev.f."+x)
	}
	keys = append(keys, "kbgaps.ev.sig.true", "kbgaps.ev.sig.false")
	for _, lang := range cat.Languages() {
		for _, k := range keys {
			if strings.HasPrefix(cat.T(lang, k), "⟦") {
				t.Errorf("%s: %s missing", lang, k)
			}
		}
	}
}
