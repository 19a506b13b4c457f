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
	// the first-letter filter: capitals, accented and digit first letters
	for _, c := range []struct{ text, lang, query, want string }{
		{"Street Lighting works.", "en", "lighting", "Street [Lighting] works"},
		{"L'Éclairage public et l'éclairage des rues.", "fr", "eclairage", "L'[Éclairage] public et l'[éclairage] des rues"},
		{"ÉCLAIRAGES publics", "fr", "éclairage", "[ÉCLAIRAGES] publics"},
		{"Open311 and 311 calls", "en", "311", "Open311 and [311] calls"},
		{"Wijkteams in gemeenten", "nl", "gemeente", "Wijkteams in [gemeenten]"},
	} {
		forms := map[string]bool{}
		for _, f := range QueryForms(c.query) {
			forms[f] = true
		}
		if got := Snippet(c.text, c.lang, forms, 12, "[", "]"); got != c.want {
			t.Errorf("Snippet(%q, %q) = %q, want %q", c.text, c.query, got, c.want)
		}
	}
}
