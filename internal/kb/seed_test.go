package kb

import (
	"encoding/json"
	"testing"
)

func TestSeed(t *testing.T) {
	seen := map[string]bool{}
	tools := 0
	for _, it := range Seed() {
		if seen[it.Key] || it.Key == "" {
			t.Errorf("duplicate or empty key %q", it.Key)
		}
		seen[it.Key] = true
		if !ValidKind(it.Kind) || it.Title == "" || it.Summary == "" || it.Body == "" || it.Source == "" {
			t.Errorf("%s: incomplete", it.Key)
		}
		if it.FocusArea != "" && !ValidFocusArea(it.FocusArea) {
			t.Errorf("%s: focus area %q", it.Key, it.FocusArea)
		}
		for _, c := range it.CrossCutting {
			if !ValidCrossCutting(c) {
				t.Errorf("%s: cross-cutting %q", it.Key, c)
			}
		}
		for _, a := range it.Approaches {
			if !ValidApproach(a) {
				t.Errorf("%s: approach %q", it.Key, a)
			}
		}
		if l, _ := DetectLanguage(it.Body); l != it.Language {
			t.Errorf("%s: language %q, detected %q", it.Key, it.Language, l)
		}
		if it.Kind == KindTool {
			tools++
		}
	}
	if tools != 6 {
		t.Errorf("%d pilot tools, want the six IcARUS cities", tools)
	}
}

// Every shipped evidence card carries the EMMIE fields, valid, with its
// citations; every shipped finding has a type and references.
func TestSeedEvidenceAndFindings(t *testing.T) {
	cards, finds := 0, 0
	for _, it := range Seed() {
		switch it.Kind {
		case KindEvidence:
			cards++
			b, _ := json.Marshal(it.Metadata)
			e, ok, err := EvidenceOf(b)
			if err != nil || !ok {
				t.Fatalf("%s: no EMMIE fields (%v)", it.Key, err)
			}
			for _, err := range e.Validate() {
				t.Errorf("%s: %v", it.Key, err)
			}
			if e.Focus == "" || e.Effect.Text == "" || e.Effect.Outcome == "" || len(e.Citations) == 0 || e.LastReviewed == "" || e.Backfire == "" || e.Displacement == "" {
				t.Errorf("%s: incomplete card %+v", it.Key, e)
			}
			if it.Year == 0 {
				t.Errorf("%s: no review year", it.Key)
			}
		case KindFinding:
			finds++
			b, _ := json.Marshal(it.Metadata)
			f, err := FindingOf(b)
			if err != nil || !ValidFindingType(f.Type) || len(f.References) == 0 || f.Period == "" {
				t.Errorf("%s: finding %+v (%v)", it.Key, f, err)
			}
		}
	}
	if cards < 15 || finds < 8 {
		t.Errorf("%d evidence cards, %d findings", cards, finds)
	}
}
