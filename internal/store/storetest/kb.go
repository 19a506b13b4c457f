package storetest

import (
	"encoding/json"
	"strings"

	"github.com/icarus-city/icarus/internal/store"
)

// kbFixture is a small multilingual knowledge base.
func kbFixture(orgID int64) []store.KBItem {
	return []store.KBItem{
		{OrgID: orgID, Key: "lighting", Kind: "evidence", Language: "en", FocusArea: "public_spaces", Approaches: []string{"situational"},
			Title:   "Improved street lighting",
			Summary: "Better lighting of streets and public spaces.",
			Body:    "Reviews of improved street lighting found fewer crimes in treated areas; the effect was not limited to the night, which points to community pride as a mechanism."},
		{OrgID: orgID, Key: "youth", Kind: "practice", Language: "en", FocusArea: "juvenile_delinquency", CrossCutting: []string{"governance"},
			Title:   "Youth committee",
			Summary: "A committee of local organisations working together.",
			Body:    "The committee focuses on the prevention of juvenile delinquency through early intervention and mentoring. Lighting of playgrounds is one topic among many."},
		{OrgID: orgID, Key: "angela", Kind: "tool", Language: "fr", FocusArea: "public_spaces", CrossCutting: []string{"gender"}, City: "Nice", Country: "FR", Year: 2023,
			Title:    "Demandez Angela",
			Summary:  "Un réseau de commerces partenaires qui accueillent les personnes victimes de harcèlement dans l'espace public.",
			Body:     "Les commerçants suivent une formation sur l'accueil des victimes. L'éclairage des rues et la prévention du harcèlement sont au cœur du dispositif.",
			Metadata: json.RawMessage(`{"status":"piloted"}`)},
		{OrgID: orgID, Key: "sbocciamo", Kind: "tool", Language: "it", FocusArea: "juvenile_delinquency", City: "Torino", Country: "IT",
			Title:   "Sbocciamo Torino",
			Summary: "Una rete di organizzazioni per la prevenzione della delinquenza giovanile.",
			Body:    "Il comitato usa un cruscotto di dati per decidere gli interventi."},
	}
}

func testKBSearch(e *env) {
	o := e.org("kb")
	other := e.org("other")
	ids := map[string]int64{}
	for _, it := range kbFixture(o.ID) {
		id, created, err := e.s.PutKBItem(e.ctx, it)
		e.must(err)
		if !created {
			e.t.Errorf("PutKBItem(%s) created = false on first put", it.Key)
		}
		ids[it.Key] = id
	}
	// the other organisation's items are never found
	_, _, err := e.s.PutKBItem(e.ctx, store.KBItem{OrgID: other.ID, Kind: "evidence", Title: "Street lighting elsewhere", Language: "en"})
	e.must(err)

	search := func(q, lang string, f store.KBFilter) []store.KBHit {
		e.t.Helper()
		hs, err := e.s.SearchKB(e.ctx, o.ID, q, lang, f, 10)
		e.must(err)
		return hs
	}
	keys := func(hs []store.KBHit) []string {
		var out []string
		for _, h := range hs {
			for k, id := range ids {
				if id == h.ID {
					out = append(out, k)
				}
			}
		}
		return out
	}
	has := func(hs []store.KBHit, key string) bool {
		for _, k := range keys(hs) {
			if k == key {
				return true
			}
		}
		return false
	}

	// French with and without accents finds the French document
	for _, q := range []string{"éclairage", "eclairage", "ECLAIRAGE", "harcèlement", "harcelement"} {
		if hs := search(q, "fr", store.KBFilter{}); !has(hs, "angela") {
			e.t.Errorf("SearchKB(%q) = %q, want the French tool", q, keys(hs))
		}
	}
	// English stemming: "preventing" finds "prevention"
	if hs := search("preventing", "en", store.KBFilter{}); !has(hs, "youth") {
		e.t.Errorf("SearchKB(preventing) = %q, want the item on the prevention of juvenile delinquency", keys(hs))
	}
	// Italian text is found by its words
	if hs := search("delinquenza giovanile", "", store.KBFilter{}); len(hs) == 0 || keys(hs)[0] != "sbocciamo" {
		e.t.Errorf("SearchKB(delinquenza giovanile) = %q, want sbocciamo first", keys(hs))
	}
	// ranking: the item with the words in its title comes first
	hs := search("lighting", "", store.KBFilter{})
	if len(hs) < 2 || keys(hs)[0] != "lighting" {
		e.t.Fatalf("SearchKB(lighting) = %q, want the title match first and the body match after", keys(hs))
	}
	if !(hs[0].Score > hs[1].Score) {
		e.t.Errorf("scores not decreasing: %v then %v", hs[0].Score, hs[1].Score)
	}
	if hs[0].Title != "Improved street lighting" || hs[0].Kind != "evidence" || hs[0].Language != "en" {
		e.t.Errorf("hit = %+v", hs[0])
	}
	// snippets mark the matched words
	for _, h := range hs {
		if !strings.Contains(h.Snippet, store.SnippetStart) || !strings.Contains(h.Snippet, store.SnippetEnd) {
			e.t.Errorf("snippet of %q has no highlighted word: %q", h.Title, h.Snippet)
		}
	}
	// all words must match; when none does, any may
	if hs := search("lighting playgrounds", "", store.KBFilter{}); len(hs) != 1 || keys(hs)[0] != "youth" {
		e.t.Errorf("SearchKB(lighting playgrounds) = %q, want only the item with both words", keys(hs))
	}
	if hs := search("lighting zeppelin", "", store.KBFilter{}); len(hs) < 2 {
		e.t.Errorf("SearchKB(lighting zeppelin) = %q, want the fallback to any word", keys(hs))
	}
	if hs := search("zeppelin", "", store.KBFilter{}); len(hs) != 0 {
		e.t.Errorf("SearchKB(zeppelin) = %q, want nothing", keys(hs))
	}
	// query syntax characters are plain text
	if _, err := e.s.SearchKB(e.ctx, o.ID, `"light* OR) NEAR( -:`, "", store.KBFilter{}, 10); err != nil {
		e.t.Errorf("SearchKB with operators: %v", err)
	}

	// filters
	if hs := search("lighting", "", store.KBFilter{Kind: "practice"}); len(hs) != 1 || keys(hs)[0] != "youth" {
		e.t.Errorf("kind filter: %q", keys(hs))
	}
	if hs := search("lighting", "", store.KBFilter{FocusArea: "public_spaces"}); len(hs) != 1 || keys(hs)[0] != "lighting" {
		e.t.Errorf("focus area filter: %q", keys(hs))
	}
	if hs := search("prevention", "", store.KBFilter{Language: "fr"}); len(hs) != 1 || keys(hs)[0] != "angela" {
		e.t.Errorf("language filter: %q", keys(hs))
	}
	if hs := search("", "", store.KBFilter{CrossCutting: "gender"}); len(hs) != 1 || keys(hs)[0] != "angela" {
		e.t.Errorf("cross-cutting filter on an empty query: %q", keys(hs))
	}
	if hs := search("", "", store.KBFilter{}); len(hs) != 4 {
		e.t.Errorf("empty query lists %d items, want 4", len(hs))
	}

	// item round trip, and an update through the same key
	it, err := e.s.KBItem(e.ctx, o.ID, ids["angela"])
	e.must(err)
	if it.City != "Nice" || it.Year != 2023 || len(it.CrossCutting) != 1 || it.CrossCutting[0] != "gender" || !strings.Contains(string(it.Metadata), "piloted") {
		e.t.Errorf("KBItem = %+v", it)
	}
	if _, err := e.s.KBItem(e.ctx, other.ID, ids["angela"]); !isNotFound(err) {
		e.t.Errorf("KBItem of another organisation: %v, want not found", err)
	}
	upd := kbFixture(o.ID)[2]
	upd.Body = "Les commerçants partenaires accueillent les victimes de jour comme de nuit."
	id, created, err := e.s.PutKBItem(e.ctx, upd)
	e.must(err)
	if id != ids["angela"] || created {
		e.t.Errorf("second put: id %d created %v, want %d and false", id, created, ids["angela"])
	}
	if hs := search("eclairage", "", store.KBFilter{}); has(hs, "angela") {
		e.t.Error("the old text of an updated item is still found")
	}
	if hs := search("nuit", "", store.KBFilter{}); !has(hs, "angela") {
		e.t.Error("the new text of an updated item is not found")
	}
	counts, err := e.s.KBCounts(e.ctx, o.ID)
	e.must(err)
	if counts["tool"] != 2 || counts["evidence"] != 1 || counts["practice"] != 1 {
		e.t.Errorf("KBCounts = %v", counts)
	}
	if _, _, err := e.s.PutKBItem(e.ctx, store.KBItem{OrgID: o.ID, Kind: "tool"}); err == nil {
		e.t.Error("PutKBItem accepted an item without a title")
	}
}
