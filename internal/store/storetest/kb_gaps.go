package storetest

import (
	"encoding/json"
	"reflect"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/kb"
	"github.com/icarus-city/icarus/internal/store"
)

// testKBFacets: facet counts follow the query and the other filters, a
// dimension's own filter leaves its counts as they were; the new filters
// (approach, decade, evidence strength) narrow the search.
func testKBFacets(e *env) {
	o := e.org("facets")
	card := func(q string) json.RawMessage {
		b, _ := json.Marshal(map[string]any{"emmie": kb.Evidence{Quality: kb.Quality{Effect: q}}})
		return b
	}
	recs := []store.KBItem{
		{Key: "a", Kind: "practice", Title: "Street lighting in Turin", FocusArea: "public_spaces", CrossCutting: []string{"governance", "gender"}, Approaches: []string{"situational"}, Country: "IT", Year: 2015},
		{Key: "b", Kind: "practice", Title: "Lighting and youth clubs", FocusArea: "juvenile_delinquency", CrossCutting: []string{"governance"}, Approaches: []string{"social", "prevention"}, Country: "FR", Year: 2019},
		{Key: "c", Kind: "evidence", Title: "Improved street lighting", FocusArea: "public_spaces", Approaches: []string{"situational"}, Year: 2008, Metadata: card("Very strong")},
		{Key: "d", Kind: "evidence", Title: "Lighting without rating", FocusArea: "public_spaces", Year: 1997, Metadata: card("")},
		{Key: "e", Kind: "document", Title: "Mentoring report", FocusArea: "juvenile_delinquency", Country: "IT", Year: 2011},
		{Key: "f", Kind: "practice", Title: "Lighting draft", FocusArea: "public_spaces", Country: "IT", Year: 2020, Status: store.KBDraft},
	}
	for _, r := range recs {
		r.OrgID, r.Language = o.ID, "en"
		_, _, err := e.s.PutKBItem(e.ctx, r)
		e.must(err)
	}
	fc, err := e.s.KBFacets(e.ctx, o.ID, "lighting", store.KBFilter{})
	e.must(err)
	if fc.Total != 4 || fc.AnyWord {
		e.t.Errorf("lighting: total %d (any word %v), want 4 published matches", fc.Total, fc.AnyWord)
	}
	want := map[string]int{"practice": 2, "evidence": 2}
	if !reflect.DeepEqual(fc.Kind, want) {
		e.t.Errorf("kind counts %v, want %v", fc.Kind, want)
	}
	if fc.FocusArea["public_spaces"] != 3 || fc.FocusArea["juvenile_delinquency"] != 1 {
		e.t.Errorf("focus counts %v", fc.FocusArea)
	}
	if fc.CrossCutting["governance"] != 2 || fc.CrossCutting["gender"] != 1 {
		e.t.Errorf("cross-cutting counts %v", fc.CrossCutting)
	}
	if fc.Approach["situational"] != 2 || fc.Approach["social"] != 1 {
		e.t.Errorf("approach counts %v", fc.Approach)
	}
	if fc.Country["IT"] != 1 || fc.Country["FR"] != 1 || fc.Country[""] != 2 {
		e.t.Errorf("country counts %v", fc.Country)
	}
	if !reflect.DeepEqual(fc.Decade, map[int]int{1990: 1, 2000: 1, 2010: 2}) {
		e.t.Errorf("decade counts %v", fc.Decade)
	}
	if !reflect.DeepEqual(fc.Strength, map[string]int{"strong": 1, "not_rated": 1}) {
		e.t.Errorf("strength counts %v", fc.Strength)
	}
	// with a kind selected: the other dimensions count within it, the kind
	// dimension still counts every kind
	fc, err = e.s.KBFacets(e.ctx, o.ID, "lighting", store.KBFilter{Kind: "evidence"})
	e.must(err)
	if fc.Total != 2 || !reflect.DeepEqual(fc.Kind, want) || fc.FocusArea["public_spaces"] != 2 || fc.FocusArea["juvenile_delinquency"] != 0 {
		e.t.Errorf("kind=evidence: total %d kind %v focus %v", fc.Total, fc.Kind, fc.FocusArea)
	}
	// the new filters in the search itself
	for _, c := range []struct {
		f    store.KBFilter
		want []string
	}{
		{store.KBFilter{Approach: "situational"}, []string{"Improved street lighting", "Street lighting in Turin"}},
		{store.KBFilter{Decade: 2010}, []string{"Lighting and youth clubs", "Street lighting in Turin"}},
		{store.KBFilter{Strength: "strong"}, []string{"Improved street lighting"}},
		{store.KBFilter{Approach: "prevention", Decade: 2010}, []string{"Lighting and youth clubs"}},
	} {
		hs, err := e.s.SearchKB(e.ctx, o.ID, "lighting", "", c.f, 10)
		e.must(err)
		var got []string
		for _, h := range hs {
			got = append(got, h.Title)
		}
		if len(got) != len(c.want) {
			e.t.Errorf("SearchKB(lighting, %+v) = %v, want %v", c.f, got, c.want)
			continue
		}
		for _, w := range c.want {
			found := false
			for _, g := range got {
				found = found || g == w
			}
			if !found {
				e.t.Errorf("SearchKB(lighting, %+v) = %v, want %v", c.f, got, c.want)
			}
		}
		fc, err := e.s.KBFacets(e.ctx, o.ID, "lighting", c.f)
		e.must(err)
		if fc.Total != len(c.want) {
			e.t.Errorf("KBFacets(lighting, %+v).Total = %d, want %d (the search's count)", c.f, fc.Total, len(c.want))
		}
	}
	// an empty query counts every published record; any-word fallback
	fc, err = e.s.KBFacets(e.ctx, o.ID, "", store.KBFilter{})
	e.must(err)
	if fc.Total != 5 {
		e.t.Errorf("empty query: total %d, want 5", fc.Total)
	}
	fc, err = e.s.KBFacets(e.ctx, o.ID, "mentoring zeppelin", store.KBFilter{})
	e.must(err)
	if fc.Total != 1 || !fc.AnyWord {
		e.t.Errorf("any-word fallback: total %d any %v", fc.Total, fc.AnyWord)
	}
	// records of another organisation are not counted
	if fc, _ := e.s.KBFacets(e.ctx, e.org("facets-other").ID, "lighting", store.KBFilter{}); fc.Total != 0 {
		e.t.Errorf("another organisation counts %d", fc.Total)
	}
}

// testKBTaxonomy: an organisation's taxonomy edits: rename per language,
// add, retire, usage counts, delete only when unused and not built in.
func testKBTaxonomy(e *env) {
	o := e.org("tax")
	tx, err := e.s.KBTaxonomies(e.ctx, o.ID)
	e.must(err)
	if len(tx[kb.TaxFocus]) != 4 || len(tx[kb.TaxCC]) != 4 || len(tx[kb.TaxApproach]) != 10 {
		e.t.Fatalf("built-in taxonomies: %d/%d/%d values", len(tx[kb.TaxFocus]), len(tx[kb.TaxCC]), len(tx[kb.TaxApproach]))
	}
	// rename a built-in value in French only
	_, added, err := e.s.PutKBTerm(e.ctx, o.ID, kb.TermEdit{Taxonomy: kb.TaxFocus, Code: "public_spaces", Labels: map[string]string{"fr": "Espaces publics sûrs"}})
	e.must(err)
	if added {
		e.t.Error("renaming a built-in value reported as added")
	}
	// add a value, then use it on a record
	_, added, err = e.s.PutKBTerm(e.ctx, o.ID, kb.TermEdit{Taxonomy: kb.TaxCC, Code: "climate", Labels: map[string]string{"en": "Climate change", "it": "Cambiamento climatico"}})
	e.must(err)
	if !added {
		e.t.Error("new value not reported as added")
	}
	_, _, err = e.s.PutKBTerm(e.ctx, o.ID, kb.TermEdit{Taxonomy: kb.TaxCC, Code: "unused", Labels: map[string]string{"en": "Unused value"}})
	e.must(err)
	_, _, err = e.s.PutKBTerm(e.ctx, o.ID, kb.TermEdit{Taxonomy: kb.TaxCC, Code: "x", Labels: map[string]string{"en": "bad code"}})
	e.wantCode(err, apperr.Invalid)
	_, _, err = e.s.PutKBTerm(e.ctx, o.ID, kb.TermEdit{Taxonomy: "iccs", Code: "0101", Labels: map[string]string{"en": "Homicide"}})
	e.wantCode(err, apperr.Invalid)
	_, _, err = e.s.PutKBTerm(e.ctx, o.ID, kb.TermEdit{Taxonomy: kb.TaxApproach, Code: "no_label"})
	e.wantCode(err, apperr.Invalid)
	for i, k := range []string{"r1", "r2"} {
		_, _, err := e.s.PutKBItem(e.ctx, store.KBItem{OrgID: o.ID, Key: k, Kind: "practice", Title: "Record " + k, FocusArea: "public_spaces",
			CrossCutting: []string{"climate"}, Approaches: []string{"situational"}, Status: []string{store.KBPublished, store.KBDraft}[i]})
		e.must(err)
	}
	tx, err = e.s.KBTaxonomies(e.ctx, o.ID)
	e.must(err)
	ps, _ := tx.Term(kb.TaxFocus, "public_spaces")
	if ps.Label("fr") != "Espaces publics sûrs" || ps.Label("en") != "" || !ps.BuiltIn {
		e.t.Errorf("renamed value %+v", ps)
	}
	cl, ok := tx.Term(kb.TaxCC, "climate")
	if !ok || cl.BuiltIn || cl.Label("it") != "Cambiamento climatico" || cl.Label("fr") != "Climate change" {
		e.t.Errorf("added value %+v (ok %v)", cl, ok)
	}
	if got := tx.Codes(kb.TaxCC); len(got) != 6 || got[4] != "climate" || got[5] != "unused" {
		e.t.Errorf("cross-cutting codes %v: built-in first, then the added ones in order", got)
	}
	use, err := e.s.KBTermUsage(e.ctx, o.ID)
	e.must(err)
	if use[kb.TaxCC]["climate"] != 2 || use[kb.TaxFocus]["public_spaces"] != 2 || use[kb.TaxCC]["unused"] != 0 {
		e.t.Errorf("usage %v", use)
	}
	// a used value cannot be deleted, nor a built-in one; an unused added one can
	e.wantCode(e.s.DeleteKBTerm(e.ctx, o.ID, kb.TaxCC, "climate"), apperr.Conflict)
	e.wantCode(e.s.DeleteKBTerm(e.ctx, o.ID, kb.TaxFocus, "radicalisation"), apperr.Conflict)
	e.must(e.s.DeleteKBTerm(e.ctx, o.ID, kb.TaxCC, "unused"))
	e.wantCode(e.s.DeleteKBTerm(e.ctx, o.ID, kb.TaxCC, "unused"), apperr.NotFound)
	// retire: still known (records keep it), no longer active
	before, _, err := e.s.PutKBTerm(e.ctx, o.ID, kb.TermEdit{Taxonomy: kb.TaxCC, Code: "climate", Labels: cl.Labels, Retired: true})
	e.must(err)
	if before.Retired || before.Labels["en"] != "Climate change" {
		e.t.Errorf("edit before retiring %+v", before)
	}
	tx, _ = e.s.KBTaxonomies(e.ctx, o.ID)
	if !tx.Has(kb.TaxCC, "climate") {
		e.t.Error("retired value unknown")
	}
	for _, t := range tx.Active(kb.TaxCC) {
		if t.Code == "climate" {
			e.t.Error("retired value still active")
		}
	}
	if errs := kb.ValidateItemIn(tx, 1, kb.Item{Kind: "practice", Title: "t", CrossCutting: []string{"climate"}}); len(errs) != 0 {
		e.t.Errorf("a record keeping a retired value: %v", errs)
	}
	// another organisation sees the built-in taxonomies only
	other, _ := e.s.KBTaxonomies(e.ctx, e.org("tax-other").ID)
	if other.Has(kb.TaxCC, "climate") {
		e.t.Error("an added value is visible to another organisation")
	}
}

// testKBPublishedRevision: while a new revision of a published record is a
// draft or in review, the public record, search and counts keep the
// published version; publishing the revision replaces it.
func testKBPublishedRevision(e *env) {
	o := e.org("revision")
	id, _, err := e.s.PutKBItemAs(e.ctx, store.KBItem{OrgID: o.ID, Key: "rev", Kind: "practice", Language: "en", Title: "Lantern walks",
		Body: "Residents walk the park at dusk with lanterns."}, "ed@example.org", "published")
	e.must(err)
	// editors write a revision: a draft
	w, pending, err := e.s.KBWorking(e.ctx, o.ID, id)
	e.must(err)
	if pending || w.Version != 1 {
		e.t.Fatalf("working copy before any revision: pending %v version %d", pending, w.Version)
	}
	w.Title, w.Body, w.Status = "Torch walks", "Residents walk the park at dusk with torches.", store.KBDraft
	_, _, err = e.s.PutKBItemAs(e.ctx, w, "ed@example.org", "revision")
	e.must(err)
	checkPublic := func(stage, wantTitle, wantWord, goneWord string) {
		e.t.Helper()
		it, err := e.s.KBItem(e.ctx, o.ID, id)
		e.must(err)
		if it.Status != store.KBPublished || it.Title != wantTitle {
			e.t.Errorf("%s: public record %q (%s), want %q published", stage, it.Title, it.Status, wantTitle)
		}
		if hs, _ := e.s.SearchKB(e.ctx, o.ID, wantWord, "", store.KBFilter{}, 10); len(hs) != 1 || hs[0].Title != wantTitle {
			e.t.Errorf("%s: search %q = %v, want the published version", stage, wantWord, hs)
		}
		if hs, _ := e.s.SearchKB(e.ctx, o.ID, goneWord, "", store.KBFilter{}, 10); len(hs) != 0 {
			e.t.Errorf("%s: search %q found %v (text of the other version)", stage, goneWord, hs)
		}
		if c, _ := e.s.KBCounts(e.ctx, o.ID); c["practice"] != 1 {
			e.t.Errorf("%s: counts %v", stage, c)
		}
	}
	checkPublic("revision in draft", "Lantern walks", "lanterns", "torches")
	w, pending, err = e.s.KBWorking(e.ctx, o.ID, id)
	e.must(err)
	if !pending || w.Version != 2 || w.Status != store.KBDraft || w.Title != "Torch walks" || w.ID != id {
		e.t.Errorf("working copy: pending %v %+v", pending, w)
	}
	if p, _ := e.s.KBPending(e.ctx, o.ID); p[id].Status != store.KBDraft || p[id].Version != 2 {
		e.t.Errorf("KBPending = %v", p)
	}
	// a stale edit of the revision is a conflict; an unchanged save makes no version
	stale := w
	stale.Version = 1
	_, _, err = e.s.PutKBItemAs(e.ctx, stale, "other@example.org", "")
	e.wantCode(err, apperr.Conflict)
	_, _, err = e.s.PutKBItemAs(e.ctx, w, "ed@example.org", "")
	e.must(err)
	// in review: still the published version in public
	_, err = e.s.SetKBStatus(e.ctx, o.ID, id, store.KBReview, "ed@example.org", "")
	e.must(err)
	checkPublic("revision in review", "Lantern walks", "lanterns", "torches")
	if w, _, _ := e.s.KBWorking(e.ctx, o.ID, id); w.Status != store.KBReview || w.Version != 3 {
		e.t.Errorf("working copy in review: %s v%d", w.Status, w.Version)
	}
	// returned to draft, submitted again, published: the revision is public
	_, err = e.s.SetKBStatus(e.ctx, o.ID, id, store.KBDraft, "rev@example.org", "fix")
	e.must(err)
	checkPublic("revision returned", "Lantern walks", "lanterns", "torches")
	_, err = e.s.SetKBStatus(e.ctx, o.ID, id, store.KBReview, "ed@example.org", "")
	e.must(err)
	_, err = e.s.SetKBStatus(e.ctx, o.ID, id, store.KBPublished, "rev@example.org", "ok")
	e.must(err)
	checkPublic("revision published", "Torch walks", "torches", "lanterns")
	if w, pending, _ := e.s.KBWorking(e.ctx, o.ID, id); pending || w.Version != 6 {
		e.t.Errorf("after publishing: pending %v version %d", pending, w.Version)
	}
	if p, _ := e.s.KBPending(e.ctx, o.ID); len(p) != 0 {
		e.t.Errorf("KBPending after publishing = %v", p)
	}
	vs, _ := e.s.KBVersions(e.ctx, o.ID, id)
	if len(vs) != 6 {
		e.t.Errorf("%d versions, want 6", len(vs))
	}
	// a second revision, discarded: the published version is the record again
	// and the discarded text stays in the history only
	w, _, err = e.s.KBWorking(e.ctx, o.ID, id)
	e.must(err)
	w.Title, w.Body, w.Status = "Candle walks", "Residents walk the park at dusk with candles.", store.KBDraft
	_, _, err = e.s.PutKBItemAs(e.ctx, w, "ed@example.org", "second revision")
	e.must(err)
	gone, err := e.s.DiscardKBRevision(e.ctx, o.ID, id, "rev@example.org", "not needed")
	e.must(err)
	if gone.Title != "Candle walks" || gone.Version != 7 {
		e.t.Errorf("discarded revision %q v%d, want Candle walks v7", gone.Title, gone.Version)
	}
	checkPublic("revision discarded", "Torch walks", "torches", "candles")
	if w, pending, _ := e.s.KBWorking(e.ctx, o.ID, id); pending || w.Title != "Torch walks" || w.Status != store.KBPublished || w.Version != 8 {
		e.t.Errorf("after discarding: pending %v %q %s v%d", pending, w.Title, w.Status, w.Version)
	}
	if vs, _ := e.s.KBVersions(e.ctx, o.ID, id); len(vs) != 8 || vs[0].Status != store.KBPublished || vs[0].Note != "not needed" || vs[1].Status != store.KBDraft {
		e.t.Errorf("history after discarding: %d versions, newest %+v", len(vs), vs[0])
	}
	_, err = e.s.DiscardKBRevision(e.ctx, o.ID, id, "rev@example.org", "")
	e.wantCode(err, apperr.Conflict)
	_, err = e.s.DiscardKBRevision(e.ctx, e.org("revision-other").ID, id, "rev@example.org", "")
	e.wantCode(err, apperr.NotFound)
	// withdrawing takes the record off the public pages
	_, err = e.s.SetKBStatus(e.ctx, o.ID, id, store.KBDraft, "rev@example.org", "withdrawn")
	e.must(err)
	if it, _ := e.s.KBItem(e.ctx, o.ID, id); it.Status != store.KBDraft {
		e.t.Errorf("withdrawn record is %s", it.Status)
	}
	if hs, _ := e.s.SearchKB(e.ctx, o.ID, "torches", "", store.KBFilter{}, 10); len(hs) != 0 {
		e.t.Errorf("withdrawn record found: %v", hs)
	}
}
