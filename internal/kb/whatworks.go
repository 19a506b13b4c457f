package kb

import (
	"cmp"
	"slices"
	"strings"
)

// Problem is what a coordinator asks "what works" for: a crime type (an
// ICCS code of any level), a place and a population (codes of PlaceTerms
// and PopulationTerms); empty fields do not narrow.
type Problem struct {
	CrimeType  string
	Place      string
	Population string
}

// Card is an evidence card given to WhatWorks.
type Card struct {
	ID       int64
	Title    string
	Evidence Evidence
}

// Ranked is one card of a what-works answer with why it is where it is.
type Ranked struct {
	Card
	Match        string   // "specific": studied for this crime type, place or population; "general": crime in general
	Specificity  int      // 2 for a matching crime type, plus 1 for a matching place, plus 1 for a matching population
	EffectRank   int      // 3 reliable reduction, 2 reduction not shown significant or mixed, 1 effect on crime not stated, 0 no effect, -1 harmful
	SizeRank     int      // the review's word: 4 large, 3 moderate, 2 modest, 1 small, 0 not stated
	QualityRank  int      // CRT quality of the effect evidence: 4 very strong, 3 strong, 2 moderate, 1 limited, 0 not rated
	QualityLabel string   // the rating as given, "" when not rated
	Caveats      []string // codes of caveats (the UI words them), then the card's own caveats as written
	OwnCaveats   []string
}

// Ranking method, shown with every answer (docs/knowledge-base.md).
const WhatWorksMethod = "Cards whose crime types, places and populations fit the problem (a card with none listed counts as crime in general); " +
	"ranked by how specifically they match (crime type 2, place 1, population 1; harmful always last), then direction of effect, then the review's size word, then CRT quality of the effect evidence, then number of studies. " +
	"No score is computed from the figures: effect measures differ between reviews and are not comparable."

// iccsRelated reports whether two ICCS codes are on one branch (one is a
// prefix of the other).
func iccsRelated(a, b string) bool {
	return strings.HasPrefix(a, b) || strings.HasPrefix(b, a)
}

// WhatWorks selects the cards relevant to p and ranks them.
func WhatWorks(p Problem, cards []Card) []Ranked {
	var out []Ranked
	for _, c := range cards {
		e := c.Evidence
		specific := 0
		if p.CrimeType != "" && len(e.CrimeTypes) > 0 {
			if !slices.ContainsFunc(e.CrimeTypes, func(code string) bool { return iccsRelated(code, p.CrimeType) }) {
				continue
			}
			specific += 2
		}
		if p.Place != "" && len(e.Places) > 0 {
			if !slices.Contains(e.Places, p.Place) {
				continue
			}
			specific++
		}
		if p.Population != "" && len(e.Populations) > 0 && !slices.Contains(e.Populations, "general") {
			if !slices.Contains(e.Populations, p.Population) {
				continue
			}
			specific++
		}
		r := Ranked{Card: c, Match: "general", Specificity: specific, EffectRank: effectRank(e.Effect), SizeRank: sizeRank(e.Effect.Size)}
		if specific > 0 {
			r.Match = "specific"
		}
		r.QualityRank, r.QualityLabel = qualityRank(e.Quality.Effect)
		r.Caveats = caveats(e, r)
		r.OwnCaveats = e.Caveats
		out = append(out, r)
	}
	slices.SortStableFunc(out, func(a, b Ranked) int {
		if (a.EffectRank < 0) != (b.EffectRank < 0) {
			return cmp.Compare(b.EffectRank, a.EffectRank)
		}
		if a.Specificity != b.Specificity {
			return cmp.Compare(b.Specificity, a.Specificity)
		}
		return cmp.Or(
			cmp.Compare(b.EffectRank, a.EffectRank),
			cmp.Compare(b.SizeRank, a.SizeRank),
			cmp.Compare(b.QualityRank, a.QualityRank),
			cmp.Compare(b.Evidence.Effect.NStudies, a.Evidence.Effect.NStudies),
			strings.Compare(a.Title, b.Title),
		)
	})
	return out
}

func effectRank(e Effect) int {
	switch e.Direction {
	case "increase":
		return -1
	case "none":
		return 0
	case "mixed":
		return 2
	case "reduction":
		if e.Significant != nil && *e.Significant {
			return 3
		}
		return 2
	}
	return 1 // effect on crime not stated
}

func sizeRank(s string) int {
	switch s {
	case "large":
		return 4
	case "moderate":
		return 3
	case "modest":
		return 2
	case "small":
		return 1
	}
	return 0
}

// qualityRank reads a CRT quality rating: words (very strong, strong,
// moderate, limited) or an old 0-4 score ("3/4", "3").
func qualityRank(q string) (int, string) {
	s := strings.ToLower(strings.TrimSpace(q))
	switch {
	case s == "":
		return 0, ""
	case strings.HasPrefix(s, "very strong"):
		return 4, q
	case strings.HasPrefix(s, "strong"):
		return 3, q
	case strings.HasPrefix(s, "moderate"):
		return 2, q
	case strings.HasPrefix(s, "limited"), strings.HasPrefix(s, "weak"):
		return 1, q
	}
	if s[0] >= '0' && s[0] <= '4' && (len(s) == 1 || s[1] < '0' || s[1] > '9') {
		return int(s[0] - '0'), q
	}
	return 0, q
}

// caveats lists the standard cautions that apply to a card (codes the UI
// words through its catalogs: kb.caveat.<code>).
func caveats(e Evidence, r Ranked) []string {
	var out []string
	if r.EffectRank < 0 || e.Backfire == "yes" {
		out = append(out, "harmful")
	}
	if e.Effect.Direction == "none" {
		out = append(out, "no_effect")
	}
	if e.Effect.Outcome != "" && !strings.Contains(strings.ToLower(e.Effect.Outcome), "crime") {
		out = append(out, "outcome_not_crime")
	}
	if r.Match == "general" {
		out = append(out, "general")
	}
	if r.QualityRank == 0 {
		out = append(out, "quality_not_rated")
	}
	if e.Displacement == "displacement" {
		out = append(out, "displacement")
	}
	if e.Effect.NStudies > 0 && e.Effect.NStudies < 5 {
		out = append(out, "few_studies")
	}
	if e.LastReviewed == "" {
		out = append(out, "not_reviewed")
	}
	return out
}
