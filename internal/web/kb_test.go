package web

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/icarus-city/icarus/internal/i18n"
	"github.com/icarus-city/icarus/internal/kb"
	"github.com/icarus-city/icarus/internal/store"
)

func TestKnowledgeBase(t *testing.T) {
	e := emptyEnv(t)
	ctx := context.Background()
	put := func(it store.KBItem) int64 {
		t.Helper()
		it.OrgID = e.org.ID
		id, _, err := e.st.PutKBItem(ctx, it)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	angela := put(store.KBItem{Key: "angela", Kind: "tool", Language: "fr", FocusArea: "public_spaces", CrossCutting: []string{"gender"}, City: "Nice", Country: "FR",
		Title: "Demandez Angela", Summary: "Un réseau de commerces <partenaires>.", Body: "L'éclairage des rues et la prévention du harcèlement.\nDeuxième paragraphe.",
		Source: "https://example.org/angela", Metadata: []byte(`{"status":"piloted"}`)})
	put(store.KBItem{Key: "lighting", Kind: "evidence", Language: "en", Title: "Improved street lighting", Body: "Street lighting reduced crime."})

	// public search, without accents, with highlighted snippet
	r := get(t, e.ts.URL, "/knowledge?q=eclairage", nil)
	if r.status != 200 || !strings.Contains(string(r.body), "Demandez Angela") || !strings.Contains(string(r.body), "<mark>") ||
		!strings.Contains(string(r.body), `href="/knowledge/`+strconv.FormatInt(angela, 10)+`"`) {
		t.Fatalf("GET /knowledge?q=eclairage = %s", r)
	}
	if strings.Contains(string(r.body), "Improved street lighting") {
		t.Error("the English item matched a French word it does not contain")
	}
	// browsing with a filter, French UI
	r = get(t, e.ts.URL, "/knowledge?kind=evidence&lang=fr", nil)
	if r.status != 200 || !strings.Contains(string(r.body), "Improved street lighting") || strings.Contains(string(r.body), "Demandez Angela") ||
		!strings.Contains(string(r.body), "Base de connaissances") {
		t.Errorf("GET /knowledge?kind=evidence = %s", r)
	}
	// item page: escaped text, paragraphs, metadata, source link
	r = get(t, e.ts.URL, "/knowledge/"+strconv.FormatInt(angela, 10), nil)
	body := string(r.body)
	if r.status != 200 || !strings.Contains(body, "&lt;partenaires&gt;") || !strings.Contains(body, "<p>Deuxième paragraphe.</p>") ||
		!strings.Contains(body, "piloted") || !strings.Contains(body, `href="https://example.org/angela"`) {
		t.Errorf("item page = %s", r)
	}
	for _, p := range []string{"/knowledge/999999", "/knowledge/abc"} {
		if r := get(t, e.ts.URL, p, nil); r.status != 404 {
			t.Errorf("GET %s = %d, want 404", p, r.status)
		}
	}
	// JSON API: the contract of scripts (type, id, title, score)
	var res struct {
		Results []struct {
			Type    string  `json:"type"`
			ID      int64   `json:"id"`
			Title   string  `json:"title"`
			Score   float64 `json:"score"`
			Snippet string  `json:"snippet"`
		} `json:"results"`
	}
	r = get(t, e.ts.URL, "/api/v1/kb/search?q=lighting", nil)
	decodeJSON(t, r, &res)
	if len(res.Results) != 1 || res.Results[0].Type != "evidence" || res.Results[0].Title != "Improved street lighting" || res.Results[0].Score <= 0 ||
		strings.ContainsAny(res.Results[0].Snippet, store.SnippetStart+store.SnippetEnd) {
		t.Errorf("GET /api/v1/kb/search?q=lighting = %+v", res)
	}
	if r := get(t, e.ts.URL, "/api/v1/kb/search?q=x&limit=0", nil); r.status != 400 {
		t.Errorf("limit=0: %d", r.status)
	}
}

func TestHighlight(t *testing.T) {
	got := string(highlight("a <b> " + store.SnippetStart + "x&y" + store.SnippetEnd + " " + store.SnippetStart + "open"))
	if want := "a &lt;b&gt; <mark>x&amp;y</mark> <mark>open</mark>"; got != want {
		t.Errorf("highlight = %q, want %q", got, want)
	}
}

// The taxonomy codes are translated through dynamic keys: every code must
// be in every catalog.
func TestKBTaxonomyKeys(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, k := range kb.Kinds() {
		keys = append(keys, "kb.kind."+k)
	}
	for fam, ts := range map[string][]kb.Term{"kb.focus.": kb.FocusAreas(), "kb.cc.": kb.CrossCuttingIssues(), "kb.approach.": kb.Approaches()} {
		for _, x := range ts {
			keys = append(keys, fam+x.Code)
		}
	}
	for _, l := range kb.Languages() {
		keys = append(keys, "kb.lang."+l)
	}
	// the families that kbMsg and the card view build keys from
	fams := map[string][]kb.Term{"kb.efocus.": kb.EvidenceFocuses(), "kb.place.": kb.PlaceTerms(), "kb.pop.": kb.PopulationTerms(),
		"kb.ftype.": kb.FindingTypes(), "kb.scheme.": kb.Schemes()}
	for fam, ts := range fams {
		for _, x := range ts {
			keys = append(keys, fam+x.Code)
		}
	}
	for fam, codes := range map[string][]string{
		"kb.dir.":      {"reduction", "increase", "mixed", "none", "unknown"},
		"kb.size.":     {"small", "modest", "moderate", "large"},
		"kb.sig.":      {"yes", "no"},
		"kb.disp.":     {"diffusion", "little", "displacement", "not_reported"},
		"kb.backfire.": {"yes", "no", "not_reported"},
		"kb.caveat.":   {"harmful", "no_effect", "outcome_not_crime", "general", "quality_not_rated", "displacement", "few_studies", "not_reviewed"},
		"kb.status.":   {"draft", "review", "published"},
		"kb.field.":    {"title", "summary", "body", "city", "country", "year", "metadata"},
		"kb.emmie.":    {"effect", "mechanism", "moderators", "implementation", "economic"},
	} {
		for _, c := range codes {
			keys = append(keys, fam+c)
		}
	}
	for _, lang := range cat.Languages() {
		for _, k := range keys {
			if strings.HasPrefix(cat.T(lang, k), "⟦") {
				t.Errorf("%s: %s missing", lang, k)
			}
		}
	}
}
