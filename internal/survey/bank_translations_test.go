package survey

import "testing"

// Every bank text has French and Italian wording, and English is unchanged.
func TestTranslatedBankComplete(t *testing.T) {
	plain, tr := Bank(), TranslatedBank()
	if len(plain) != len(tr) {
		t.Fatalf("%d items, %d translated", len(plain), len(tr))
	}
	check := func(where string, en Tr, got Tr) {
		t.Helper()
		if got["en"] != en["en"] {
			t.Errorf("%s: English changed: %q -> %q", where, en["en"], got["en"])
		}
		for _, l := range []string{"fr", "it"} {
			if got[l] == "" {
				t.Errorf("%s: no %s wording", where, l)
			}
		}
	}
	for i, it := range tr {
		q, p := it.Question, plain[i].Question
		check(it.ID, p.Label, q.Label)
		for j, c := range q.Choices {
			check(it.ID+"/"+c.Value, p.Choices[j].Label, c.Label)
		}
		if q.Indicator != nil {
			check(it.ID+" indicator", p.Indicator.Label, q.Indicator.Label)
		}
	}
	// a survey in three languages from the translated bank is valid
	var qs []Question
	for _, it := range tr {
		q := it.Question
		q.Bank = it.ID
		qs = append(qs, q)
	}
	d := Definition{Title: Tr{"en": "t", "fr": "t", "it": "t"}, Languages: []string{"en", "fr", "it"}, Access: AccessPublic,
		Consent: Tr{"en": "ok?", "fr": "d'accord ?", "it": "d'accordo?"}, Modules: []Module{{Name: "m", Title: Tr{"en": "m"}, Questions: qs}}}
	if err := d.Check(); err != nil {
		t.Fatal(err)
	}
	if got := d.Question("sdg_16_1_4").Label.In("it", "en"); got == d.Question("sdg_16_1_4").Label["en"] {
		t.Errorf("Italian label falls back to English: %q", got)
	}
}
