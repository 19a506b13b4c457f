package storetest

import (
	"fmt"

	"github.com/icarus-city/icarus/internal/store"
)

// testKBFacetsGrouped: the facets are counted from groups of records that
// share their facet values (store.KBFacets), so many records share each
// combination here, with years of one decade; every count must still equal
// the number of records the search finds with that value chosen.
func testKBFacetsGrouped(e *env) {
	o := e.org("facets-grouped")
	years := []int{2011, 2013, 2019, 2010, 0, 1999, 2020}
	for i := range 42 {
		it := store.KBItem{OrgID: o.ID, Key: fmt.Sprintf("g%d", i), Kind: []string{"practice", "document"}[i%2], Language: "en",
			Title: fmt.Sprintf("Lantern patrol %d", i), FocusArea: []string{"public_spaces", "juvenile_delinquency", ""}[i%3],
			Country: []string{"IT", "FR", ""}[i%3], Year: years[i%len(years)]}
		if i%4 == 0 {
			it.CrossCutting = []string{"governance", "gender"}
		} else if i%4 == 1 {
			it.CrossCutting = []string{"gender"}
		}
		if i%5 < 2 {
			it.Approaches = []string{"situational"}
		}
		if i%6 == 5 {
			it.Status = store.KBDraft
		}
		_, _, err := e.s.PutKBItem(e.ctx, it)
		e.must(err)
	}
	found := func(f store.KBFilter) int {
		hs, err := e.s.SearchKB(e.ctx, o.ID, "lantern patrol", "", f, 500)
		e.must(err)
		return len(hs)
	}
	for _, base := range []store.KBFilter{{}, {Kind: "practice"}, {Decade: 2010}, {CrossCutting: "gender", Country: "IT"}, {Decade: 2015}} {
		fc, err := e.s.KBFacets(e.ctx, o.ID, "lantern patrol", base)
		e.must(err)
		if n := found(base); fc.Total != n || n == 0 {
			e.t.Errorf("%+v: total %d, the search finds %d", base, fc.Total, n)
		}
		check := func(dim string, counts map[string]int, set func(*store.KBFilter, string)) {
			for v, n := range counts {
				f := base
				set(&f, v)
				if v == "" { // no value: not a filter; count the records without one
					continue
				}
				if got := found(f); got != n {
					e.t.Errorf("%+v: %s %q counted %d, choosing it finds %d", base, dim, v, n, got)
				}
			}
		}
		check("kind", fc.Kind, func(f *store.KBFilter, v string) { f.Kind = v })
		check("focus", fc.FocusArea, func(f *store.KBFilter, v string) { f.FocusArea = v })
		check("cc", fc.CrossCutting, func(f *store.KBFilter, v string) { f.CrossCutting = v })
		check("approach", fc.Approach, func(f *store.KBFilter, v string) { f.Approach = v })
		check("country", fc.Country, func(f *store.KBFilter, v string) { f.Country = v })
		for d, n := range fc.Decade {
			f := base
			f.Decade = d
			if got := found(f); got != n {
				e.t.Errorf("%+v: decade %d counted %d, choosing it finds %d", base, d, n, got)
			}
		}
		if base == (store.KBFilter{}) && fc.Decade[2010] < 10 {
			e.t.Errorf("%+v: decade 2010 counted %d, want the many records of 2010-2019", base, fc.Decade[2010])
		}
	}
}
