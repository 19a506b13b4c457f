package kb

import (
	"testing"
)

func TestMergeTaxonomies(t *testing.T) {
	tx := MergeTaxonomies([]TermEdit{
		{Taxonomy: TaxFocus, Code: "public_spaces", Labels: map[string]string{"fr": "Espaces sûrs", "en": ""}},
		{Taxonomy: TaxCC, Code: "climate", Labels: map[string]string{"en": "Climate change"}, Retired: true},
		{Taxonomy: "iccs", Code: "0101", Labels: map[string]string{"en": "ignored"}},
	})
	ps, _ := tx.Term(TaxFocus, "public_spaces")
	if ps.Label("fr") != "Espaces sûrs" || ps.Label("en") != "" || ps.Label("it") != "" || !ps.BuiltIn {
		t.Errorf("renamed built-in value %+v", ps)
	}
	cl, ok := tx.Term(TaxCC, "climate")
	if !ok || cl.BuiltIn || !cl.Retired || cl.Label("it") != "Climate change" {
		t.Errorf("added value %+v", cl)
	}
	if len(tx.Active(TaxCC)) != 4 || !tx.Has(TaxCC, "climate") || tx.Has("iccs", "0101") {
		t.Errorf("active %v", tx.Active(TaxCC))
	}
	if errs := ValidateItemIn(tx, 1, Item{Kind: KindPractice, Title: "t", CrossCutting: []string{"climate", "nope"}}); len(errs) != 1 || errs[0].Field != "cross_cutting" {
		t.Errorf("ValidateItemIn: %v", errs)
	}
	if errs := ValidateItem(1, Item{Kind: KindPractice, Title: "t", CrossCutting: []string{"climate"}}); len(errs) != 1 {
		t.Errorf("built-in validation accepted an added value: %v", errs)
	}
}

func TestEvidenceStrength(t *testing.T) {
	for q, want := range map[string]string{"Very strong": StrengthStrong, "strong": StrengthStrong, "3 (old CRT score)": StrengthStrong, "4": StrengthStrong,
		"Moderate": StrengthModerate, "2 (old CRT score)": StrengthModerate, "Limited": StrengthLimited, "low": StrengthLimited, "0": StrengthLimited,
		"": StrengthNotRated, "12": StrengthNotRated, "unclear": StrengthNotRated, "5": StrengthNotRated} {
		if got := EvidenceStrength(Evidence{Quality: Quality{Effect: q}}); got != want {
			t.Errorf("EvidenceStrength(%q) = %s, want %s", q, got, want)
		}
	}
	if StrengthOf(KindPractice, []byte(`{}`)) != "" || StrengthOf(KindEvidence, []byte(`{}`)) != StrengthNotRated {
		t.Error("StrengthOf")
	}
}

// FuzzValidateTermEdit: checking an edit never panics, and an accepted
// edit has a code a record can store and labels on one line.
func FuzzValidateTermEdit(f *testing.F) {
	f.Add("cc", "climate", "Climate change", "", "")
	f.Add("focus", "X y", "", "a\nb", "é")
	f.Fuzz(func(t *testing.T, tax, code, en, fr, it string) {
		e := TermEdit{Taxonomy: tax, Code: code, Labels: map[string]string{"en": en, "fr": fr, "it": it}}
		if len(ValidateTermEdit(e)) > 0 {
			return
		}
		if !termCodeRe.MatchString(code) || !ValidTaxonomy(tax) {
			t.Fatalf("accepted %q in %q", code, tax)
		}
		for _, l := range []string{en, fr, it} {
			for _, r := range l {
				if r < 0x20 {
					t.Fatalf("accepted a label with a control character: %q", l)
				}
			}
		}
	})
}
