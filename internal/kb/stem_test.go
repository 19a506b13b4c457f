package kb

import (
	"strings"
	"testing"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{"Éclairage": "eclairage", "Straße": "strasse", "ÇA": "ca", "città": "citta", "Prävention": "pravention", "plain": "plain", "ŁÓDŹ": "lodz"} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

// An inflected query word and the indexed word share a stem in each language.
func TestStemLanguages(t *testing.T) {
	cases := []struct{ lang, doc, query string }{
		{"en", "preventing", "prevention"},
		{"fr", "prévention", "préventions"},
		{"fr", "éclairage", "eclairages"},
		{"it", "prevenzione", "prevenzioni"},
		{"de", "Kriminalprävention", "Kriminalpräventionen"},
		{"pt", "comunidade", "comunidades"},
		{"pt", "segurança", "seguranças"},
		{"nl", "gemeente", "gemeenten"},
		{"nl", "veiligheid", "veiligheden"},
		{"nl", "buurten", "buurt"},
	}
	for _, c := range cases {
		doc := StemText(c.doc, c.lang)
		forms := QueryForms(c.query)
		found := false
		for _, f := range forms {
			if f == doc {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: %q indexed as %q; query %q gives %v", c.lang, c.doc, doc, c.query, forms)
		}
	}
}

func TestSnippet(t *testing.T) {
	text := strings.Repeat("filler words here. ", 30) + "Les préventions situationnelles marchent. " + strings.Repeat("more text. ", 30)
	forms := map[string]bool{}
	for _, f := range QueryForms("prévention") {
		forms[f] = true
	}
	s := Snippet(text, "fr", forms, 12, "[", "]")
	if !strings.Contains(s, "[préventions]") || !strings.HasPrefix(s, "…") {
		t.Errorf("snippet %q", s)
	}
	if Snippet("nothing here", "en", forms, 12, "[", "]") != "" {
		t.Error("snippet without a match")
	}
}
