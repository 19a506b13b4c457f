package kb

import "testing"

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
