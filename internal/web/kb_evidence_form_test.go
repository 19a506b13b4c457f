package web

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/icarus-city/icarus/internal/kb"
)

// FuzzKBEvidenceForm: the evidence form's reader never panics, and a card
// it accepts passes kb.Evidence.Validate with its interval in order and
// its value inside it.
func FuzzKBEvidenceForm(f *testing.F) {
	f.Add("0.3", "0.1", "0.4", "4", "1", "0501, 02", "Someone 2020 | https://example.org", "2026-01-31", "reduction", "")
	f.Add("0,3", "0.4", "0.1", "-1", "x", "5", "| ftp://x", "2026-13-40", "up", "{")
	f.Add("", "1e308", "", "", "", "", "", "", "", `{"emmie":1,"x":2}`)
	f.Add("NaN", "-Inf", "+Inf", "", "", "", "", "", "", "")
	f.Fuzz(func(t *testing.T, value, low, high, nStudies, nRCTs, crimes, cites, reviewed, direction, other string) {
		pf := url.Values{"ev_value": {value}, "ev_ci_low": {low}, "ev_ci_high": {high}, "ev_n_studies": {nStudies}, "ev_n_rcts": {nRCTs},
			"ev_crime_types": {crimes}, "ev_citations": {cites}, "ev_last_reviewed": {reviewed}, "ev_direction": {direction}, "ev_other": {other},
			"ev_measure": {"relative reduction"}}
		e, _, errs := kbEvFromPost(pf).evidence()
		if len(errs) > 0 {
			return
		}
		if _, err := json.Marshal(e); err != nil {
			t.Fatalf("accepted a card that cannot be stored: %v", err)
		}
		if v := e.Validate(); len(v) > 0 {
			t.Fatalf("accepted a card that Validate refuses: %v", v)
		}
		ef := e.Effect
		if ef.CILow != nil && ef.CIHigh != nil && (*ef.CILow > *ef.CIHigh || ef.Value == nil || *ef.Value < *ef.CILow || *ef.Value > *ef.CIHigh) {
			t.Fatalf("accepted value %v with interval %v-%v", ef.Value, *ef.CILow, *ef.CIHigh)
		}
		if (ef.CILow == nil) != (ef.CIHigh == nil) {
			t.Fatal("accepted one bound alone")
		}
	})
}

// TestKBEvidenceFormRoundTrip: each shipped card, put in the form and read
// back, is the same card (the form loses nothing and accepts what ships).
func TestKBEvidenceFormRoundTrip(t *testing.T) {
	n := 0
	for _, it := range kb.Seed() {
		if it.Kind != kb.KindEvidence {
			continue
		}
		b, _ := json.Marshal(it.Metadata)
		e, ok, err := kb.EvidenceOf(b)
		if err != nil || !ok {
			t.Fatalf("%s: %v", it.Title, err)
		}
		other := map[string]any{}
		json.Unmarshal(b, &other)
		delete(other, "emmie")
		back, _, errs := kbEvFromEvidence(e, other).evidence()
		if len(errs) > 0 {
			t.Errorf("%s: the form refuses the shipped card: %v", it.Title, errs)
		}
		j1, _ := json.Marshal(e)
		j2, _ := json.Marshal(back)
		if string(j1) != string(j2) {
			t.Errorf("%s: changed by the form:\n%s\n%s", it.Title, j1, j2)
		}
		n++
	}
	if n != 16 {
		t.Errorf("%d shipped cards, want 16", n)
	}
}
