package web

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/kb"
	"github.com/icarus-city/icarus/internal/store"
)

// Facets of the knowledge-base search (store.KBFacets): per dimension, the
// values with the number of matching records, each a link that adds the
// filter (or, when selected, removes it). The counts of a dimension take
// the query and the other selected filters into account.

// kbFacetParams returns the query parameters of the facets, in display
// order, with the JSON name of each dimension.
func kbFacetParams() [][2]string {
	return [][2]string{
		{store.FacetKind, "type"}, {store.FacetFocus, "focus_area"}, {store.FacetCC, "cross_cutting"}, {store.FacetApproach, "approach"},
		{store.FacetCountry, "country"}, {store.FacetDecade, "decade"}, {store.FacetStrength, "evidence_strength"},
	}
}

// kbFilterFrom reads the filters of a search from the query string and
// checks those with a fixed form (decade, evidence strength).
func kbFilterFrom(r *http.Request) (store.KBFilter, error) {
	q := r.URL.Query()
	f := store.KBFilter{Kind: q.Get("kind"), FocusArea: q.Get("focus"), CrossCutting: q.Get("cc"), Language: q.Get("in"), Country: q.Get("country"),
		Approach: q.Get("approach"), Strength: q.Get("strength")}
	if d := q.Get("decade"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n%10 != 0 || n < 1800 || n > 2100 {
			return f, apperr.New(apperr.Invalid, "decade: %q is not a decade such as 1990", d)
		}
		f.Decade = n
	}
	if f.Strength != "" && !slices.Contains(kb.Strengths(), f.Strength) {
		return f, apperr.New(apperr.Invalid, "strength: %q is not one of strong, moderate, limited, not_rated", f.Strength)
	}
	return f, nil
}

// kbFacetValue is one value of a facet.
type kbFacetValue struct {
	Value    string `json:"value"`
	Label    string `json:"label"`
	Count    int    `json:"count"`
	Selected bool   `json:"selected"`
	Href     string `json:"-"`
}

// kbFacetGroup is one dimension.
type kbFacetGroup struct {
	Param  string
	JSON   string
	Title  string
	Values []kbFacetValue
}

// kbChip is a selected filter with the link that removes it.
type kbChip struct {
	Title, Label, Href string
}

// selectedValue returns the value of dimension param in f.
func selectedValue(f store.KBFilter, param string) string {
	switch param {
	case store.FacetKind:
		return f.Kind
	case store.FacetFocus:
		return f.FocusArea
	case store.FacetCC:
		return f.CrossCutting
	case store.FacetApproach:
		return f.Approach
	case store.FacetCountry:
		return f.Country
	case store.FacetDecade:
		if f.Decade != 0 {
			return strconv.Itoa(f.Decade)
		}
	case store.FacetStrength:
		return f.Strength
	}
	return ""
}

// kbFacetGroups builds the facets of a search for the page and the API.
// base is the query string of the search (q, in and the selected filters).
func (s *Server) kbFacetGroups(lang string, tax *kbTax, fc store.KBFacets, f store.KBFilter, base url.Values) ([]kbFacetGroup, []kbChip) {
	href := func(param, value string) string {
		v := url.Values{}
		for k, vs := range base {
			v[k] = slices.Clone(vs)
		}
		if value == "" {
			v.Del(param)
		} else {
			v.Set(param, value)
		}
		if len(v) == 0 {
			return "/knowledge"
		}
		return "/knowledge?" + v.Encode()
	}
	type cv struct {
		value, label string
		n            int
	}
	var groups []kbFacetGroup
	var chips []kbChip
	for _, p := range kbFacetParams() {
		param := p[0]
		sel := selectedValue(f, param)
		var vals []cv
		taxVals := func(taxonomy string, counts map[string]int) {
			seen := map[string]bool{}
			for _, t := range tax.tx[taxonomy] {
				seen[t.Code] = true
				if counts[t.Code] > 0 || t.Code == sel {
					vals = append(vals, cv{t.Code, tax.label(taxonomy, t.Code), counts[t.Code]})
				}
			}
			for code, n := range counts { // codes no longer in the taxonomy (kept on records)
				if code != "" && !seen[code] && n > 0 {
					vals = append(vals, cv{code, code, n})
				}
			}
		}
		switch param {
		case store.FacetKind:
			for _, k := range kb.Kinds() {
				if fc.Kind[k] > 0 || k == sel {
					vals = append(vals, cv{k, s.kbLabel(lang, "kb.kind.", k), fc.Kind[k]})
				}
			}
		case store.FacetFocus:
			taxVals(kb.TaxFocus, fc.FocusArea)
		case store.FacetCC:
			taxVals(kb.TaxCC, fc.CrossCutting)
		case store.FacetApproach:
			taxVals(kb.TaxApproach, fc.Approach)
		case store.FacetCountry:
			for c, n := range fc.Country {
				if c != "" {
					vals = append(vals, cv{c, c, n})
				}
			}
			if sel != "" && fc.Country[sel] == 0 {
				vals = append(vals, cv{sel, sel, 0})
			}
			sort.Slice(vals, func(i, j int) bool {
				return vals[i].n > vals[j].n || vals[i].n == vals[j].n && vals[i].value < vals[j].value
			})
		case store.FacetDecade:
			var ds []int
			for d := range fc.Decade {
				ds = append(ds, d)
			}
			if f.Decade != 0 && fc.Decade[f.Decade] == 0 {
				ds = append(ds, f.Decade)
			}
			sort.Ints(ds)
			for _, d := range ds {
				vals = append(vals, cv{strconv.Itoa(d), s.cat.T(lang, "kbgaps.facet.decadeval", "d", d), fc.Decade[d]})
			}
		case store.FacetStrength:
			for _, st := range kb.Strengths() {
				if fc.Strength[st] > 0 || st == sel {
					vals = append(vals, cv{st, s.kbMsg(lang, "kbgaps.strength.", st), fc.Strength[st]})
				}
			}
		}
		g := kbFacetGroup{Param: param, JSON: p[1], Title: s.kbMsg(lang, "kbgaps.facet.", param)}
		for _, v := range vals {
			fv := kbFacetValue{Value: v.value, Label: v.label, Count: v.n, Selected: v.value == sel}
			if fv.Selected {
				fv.Href = href(param, "")
				chips = append(chips, kbChip{g.Title, v.label, fv.Href})
			} else {
				fv.Href = href(param, v.value)
			}
			g.Values = append(g.Values, fv)
		}
		groups = append(groups, g)
	}
	return groups, chips
}

// kbSearchBase is the query string that the facet links keep: the query,
// its language and the selected filters.
func kbSearchBase(r *http.Request) url.Values {
	q := r.URL.Query()
	v := url.Values{}
	for _, k := range []string{"q", "in", "kind", "focus", "cc", "approach", "country", "decade", "strength"} {
		if x := q.Get(k); x != "" {
			v.Set(k, x)
		}
	}
	return v
}
