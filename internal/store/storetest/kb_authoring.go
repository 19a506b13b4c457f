package storetest

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/store"
)

// testKBStemming: an inflected query in French, Italian, German, Portuguese
// and Dutch finds its document, with and without accents, on both stores.
func testKBStemming(e *env) {
	o := e.org("stem")
	docs := []store.KBItem{
		{Key: "fr", Language: "fr", Title: "Plan local", Body: "La prévention situationnelle et l'éclairage public dans les quartiers."},
		{Key: "it", Language: "it", Title: "Piano locale", Body: "La prevenzione della delinquenza giovanile nelle città italiane."},
		{Key: "de", Language: "de", Title: "Lokaler Plan", Body: "Die Kriminalprävention in der Stadt und die Sicherheit der Straßen."},
		{Key: "pt", Language: "pt", Title: "Plano local", Body: "O policiamento de proximidade com a comunidade e a segurança urbana."},
		{Key: "nl", Language: "nl", Title: "Lokaal plan", Body: "De veiligheid in de gemeente en de aanpak van ondermijning."},
	}
	ids := map[int64]string{}
	for _, d := range docs {
		d.OrgID, d.Kind = o.ID, "document"
		id, _, err := e.s.PutKBItem(e.ctx, d)
		e.must(err)
		ids[id] = d.Key
	}
	for _, c := range []struct{ q, want string }{
		{"préventions situationnelles", "fr"},
		{"eclairages", "fr"},
		{"prevenzioni", "it"},
		{"Kriminalpräventionen", "de"},
		{"kriminalpraventionen", "de"},
		{"comunidades", "pt"},
		{"seguranças", "pt"},
		{"gemeenten", "nl"},
		{"veiligheden", "nl"},
	} {
		hs, err := e.s.SearchKB(e.ctx, o.ID, c.q, "", store.KBFilter{}, 10)
		e.must(err)
		if len(hs) == 0 || ids[hs[0].ID] != c.want {
			var got []string
			for _, h := range hs {
				got = append(got, ids[h.ID])
			}
			e.t.Errorf("SearchKB(%q) = %v, want the %s document first", c.q, got, c.want)
			continue
		}
		if !strings.Contains(hs[0].Snippet, store.SnippetStart) {
			e.t.Errorf("SearchKB(%q): snippet %q has no highlight", c.q, hs[0].Snippet)
		}
	}
}

// testKBPoolFallback: a record that passes the filters is found even when
// more than 200 better-ranked matches do not (SQLite ranks a pool first).
func testKBPoolFallback(e *env) {
	o := e.org("pool")
	var docs []store.KBItem
	for i := range 230 {
		docs = append(docs, store.KBItem{OrgID: o.ID, Key: fmt.Sprintf("d%d", i), Kind: "document", Language: "en",
			Title: fmt.Sprintf("Lighting report %d", i), Body: "Street lighting and lighting again."})
	}
	docs = append(docs, store.KBItem{OrgID: o.ID, Key: "p", Kind: "practice", Language: "en", Title: "Park wardens",
		Body: strings.Repeat("Wardens patrol the park. ", 40) + "Some lighting."})
	_, _, err := e.s.PutKBItemsAs(e.ctx, docs, "", "")
	e.must(err)
	hs, err := e.s.SearchKB(e.ctx, o.ID, "lighting", "", store.KBFilter{Kind: "practice"}, 10)
	e.must(err)
	if len(hs) != 1 || hs[0].Title != "Park wardens" {
		e.t.Errorf("filtered search past the pool: %v", hs)
	}
	hs, err = e.s.SearchKB(e.ctx, o.ID, "lighting", "", store.KBFilter{}, 20)
	e.must(err)
	if len(hs) != 20 || !strings.HasPrefix(hs[0].Title, "Lighting report") {
		e.t.Errorf("unfiltered search: %d hits", len(hs))
	}
}

// testKBAuthoring: statuses, versions, conflicts and full listings.
func testKBAuthoring(e *env) {
	o := e.org("authoring")
	it := store.KBItem{OrgID: o.ID, Key: "own", Kind: "practice", Language: "en", Title: "Our night-time economy charter",
		Body: "Bars and the city agree on door staff training.", Status: store.KBDraft, Metadata: json.RawMessage(`{"status":"piloted"}`)}
	id, created, err := e.s.PutKBItemAs(e.ctx, it, "ed@example.org", "first draft")
	e.must(err)
	if !created {
		e.t.Fatal("not created")
	}
	// a draft is not public: not found by the default search nor counted
	if hs, _ := e.s.SearchKB(e.ctx, o.ID, "charter", "", store.KBFilter{}, 10); len(hs) != 0 {
		e.t.Errorf("draft found by the public search: %v", hs)
	}
	if hs, _ := e.s.SearchKB(e.ctx, o.ID, "charter", "", store.KBFilter{Status: "all"}, 10); len(hs) != 1 {
		e.t.Errorf("draft not found by a staff search: %v", hs)
	}
	if c, _ := e.s.KBCounts(e.ctx, o.ID); c["practice"] != 0 {
		e.t.Errorf("draft counted: %v", c)
	}
	// edit with the version we read: version 2; a stale edit is a conflict
	cur, err := e.s.KBItem(e.ctx, o.ID, id)
	e.must(err)
	if cur.Version != 1 || cur.Status != store.KBDraft {
		e.t.Errorf("after create: version %d status %q", cur.Version, cur.Status)
	}
	cur.Body = "Bars and the city agree on door staff training and on lighting."
	_, _, err = e.s.PutKBItemAs(e.ctx, cur, "ed@example.org", "lighting added")
	e.must(err)
	stale := cur // still says version 1
	stale.Body = "Something else."
	_, _, err = e.s.PutKBItemAs(e.ctx, stale, "other@example.org", "")
	e.wantCode(err, apperr.Conflict)
	// the same content again makes no version
	again, _ := e.s.KBItem(e.ctx, o.ID, id)
	_, _, err = e.s.PutKBItemAs(e.ctx, again, "ed@example.org", "")
	e.must(err)
	// review, then publish
	_, err = e.s.SetKBStatus(e.ctx, o.ID, id, store.KBReview, "ed@example.org", "please review")
	e.must(err)
	_, err = e.s.SetKBStatus(e.ctx, o.ID, id, store.KBPublished, "rev@example.org", "checked")
	e.must(err)
	if hs, _ := e.s.SearchKB(e.ctx, o.ID, "charter", "", store.KBFilter{}, 10); len(hs) != 1 {
		e.t.Errorf("published record not found: %v", hs)
	}
	vs, err := e.s.KBVersions(e.ctx, o.ID, id)
	e.must(err)
	if len(vs) != 4 {
		e.t.Fatalf("%d versions, want 4 (create, edit, review, publish)", len(vs))
	}
	if vs[0].Version != 4 || vs[0].Status != store.KBPublished || vs[0].Actor != "rev@example.org" || vs[0].Note != "checked" ||
		vs[3].Version != 1 || vs[3].Status != store.KBDraft || vs[3].Note != "first draft" {
		e.t.Errorf("versions %+v", vs)
	}
	var first store.KBItem
	e.must(json.Unmarshal(vs[3].Record, &first))
	if first.Body != it.Body || first.Title != it.Title {
		e.t.Errorf("version 1 record = %+v", first)
	}
	if _, _, err := e.s.PutKBItem(e.ctx, store.KBItem{OrgID: o.ID, Kind: "tool", Title: "x", Status: "secret"}); err == nil {
		e.t.Error("unknown status accepted")
	}
	// full listing with filters; another organisation's versions are not visible
	items, err := e.s.KBItems(e.ctx, o.ID, store.KBFilter{Kind: "practice"}, 0)
	e.must(err)
	if len(items) != 1 || items[0].Body != cur.Body || items[0].Version != 4 || string(items[0].Metadata) != `{"status":"piloted"}` {
		e.t.Errorf("KBItems = %+v", items)
	}
	// a batch is all or nothing
	batch := []store.KBItem{
		{OrgID: o.ID, Key: "b1", Kind: "practice", Title: "Batch one", Status: store.KBDraft},
		{OrgID: o.ID, Key: "b2", Kind: "practice", Title: "Batch two", Metadata: json.RawMessage(`[1]`)},
	}
	if _, _, err := e.s.PutKBItemsAs(e.ctx, batch, "imp@example.org", "import"); err == nil {
		e.t.Error("a batch with a bad record was accepted")
	}
	if items, _ := e.s.KBItems(e.ctx, o.ID, store.KBFilter{Status: "all"}, 0); len(items) != 1 {
		e.t.Errorf("a failed batch left %d records, want the 1 from before", len(items))
	}
	batch[1].Metadata = nil
	c, u, err := e.s.PutKBItemsAs(e.ctx, batch, "imp@example.org", "import")
	e.must(err)
	if c != 2 || u != 0 {
		e.t.Errorf("batch: %d created, %d updated", c, u)
	}
	other := e.org("authoring-other")
	if vs, _ := e.s.KBVersions(e.ctx, other.ID, id); len(vs) != 0 {
		e.t.Error("versions visible to another organisation")
	}
}
