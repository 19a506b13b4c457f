package kb

import (
	"encoding/json"
	"slices"
	"testing"
)

func seedCards(t *testing.T) []Card {
	t.Helper()
	var cards []Card
	for i, it := range Seed() {
		if it.Kind != KindEvidence {
			continue
		}
		b, _ := json.Marshal(it.Metadata)
		e, _, err := EvidenceOf(b)
		if err != nil {
			t.Fatal(err)
		}
		cards = append(cards, Card{ID: int64(i), Title: it.Title, Evidence: e})
	}
	return cards
}

func titles(rs []Ranked) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Title)
	}
	return out
}

func TestWhatWorksBurglary(t *testing.T) {
	rs := WhatWorks(Problem{CrimeType: "0501", Place: "residential"}, seedCards(t))
	got := titles(rs)
	if len(rs) == 0 || rs[0].Title != "Alley gating" || rs[0].Match != "specific" {
		t.Fatalf("burglary in residential areas: %v", got)
	}
	// cards for other crime types (drugs, violence) and other places are out
	for _, no := range []string{"Drug courts", "Focused deterrence (\"pulling levers\")", "School anti-bullying programmes"} {
		if slices.Contains(got, no) {
			t.Errorf("%s should not answer residential burglary: %v", no, got)
		}
	}
	// harmful last, with its caveat
	last := rs[len(rs)-1]
	if last.EffectRank != -1 || !slices.Contains(last.Caveats, "harmful") {
		t.Errorf("last = %+v, want the harmful card", last.Title)
	}
	for i := 1; i < len(rs)-1; i++ {
		a, b := rs[i-1], rs[i]
		if a.Specificity == b.Specificity && a.EffectRank < b.EffectRank {
			t.Errorf("%s (effect %d) before %s (effect %d)", a.Title, a.EffectRank, b.Title, b.EffectRank)
		}
	}
}

func TestWhatWorksViolenceYouth(t *testing.T) {
	rs := WhatWorks(Problem{CrimeType: "0201", Population: "high_risk_groups"}, seedCards(t))
	if len(rs) == 0 || rs[0].Title != "Focused deterrence (\"pulling levers\")" {
		t.Fatalf("violence, high-risk groups: %v", titles(rs))
	}
	youth := WhatWorks(Problem{Population: "youth", Place: "schools"}, seedCards(t))
	if len(youth) == 0 || youth[0].Title != "School anti-bullying programmes" {
		t.Fatalf("youth at school: %v", titles(youth))
	}
	for _, r := range youth {
		if slices.Contains(r.Evidence.Populations, "offenders") && !slices.Contains(r.Evidence.Populations, "youth") {
			t.Errorf("%s is for offenders, not young people", r.Title)
		}
	}
}

func TestQualityRank(t *testing.T) {
	for q, want := range map[string]int{"Very strong": 4, "strong": 3, "Moderate": 2, "limited": 1, "": 0, "3 (old CRT score)": 3, "0 (old CRT score)": 0, "12": 0, "n/a": 0} {
		if got, _ := qualityRank(q); got != want {
			t.Errorf("qualityRank(%q) = %d, want %d", q, got, want)
		}
	}
}

func TestEvidenceValidate(t *testing.T) {
	e := Evidence{Focus: "magic", CrimeTypes: []string{"5"}, Effect: Effect{Direction: "up", CILow: ptr(2.0), CIHigh: ptr(1.0)},
		Ratings: []Rating{{Scheme: "x"}}, LastReviewed: "2024/01/01", Backfire: "maybe"}
	errs := e.Validate()
	if len(errs) < 7 {
		t.Errorf("want an error per bad field, got %v", errs)
	}
}
