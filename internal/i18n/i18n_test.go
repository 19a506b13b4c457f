package i18n

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func mustLoad(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

func TestLanguages(t *testing.T) {
	c := mustLoad(t)
	if got, want := c.Languages(), []string{"en", "fr", "it"}; !slices.Equal(got, want) {
		t.Fatalf("Languages() = %v, want %v", got, want)
	}
}

// TestLocalesConsistent checks the embedded catalogs directly (not only via
// Load) so a failure names every offending key.
func TestLocalesConsistent(t *testing.T) {
	c := mustLoad(t)
	ref := c.msgs[DefaultLanguage]
	for _, lang := range c.Languages() {
		m := c.msgs[lang]
		if got, want := sortedKeys(m), sortedKeys(ref); !slices.Equal(got, want) {
			t.Errorf("%s: key set differs from %s", lang, DefaultLanguage)
		}
		for k, msg := range m {
			if got, want := placeholders(msg), placeholders(ref[k]); !slices.Equal(got, want) {
				t.Errorf("%s: %s: placeholders %v, want %v", lang, k, got, want)
			}
			if lang != DefaultLanguage && strings.Contains(msg, "⟦") {
				t.Errorf("%s: %s: message contains the missing-key marker", lang, k)
			}
		}
	}
}

func TestRequiredKeys(t *testing.T) {
	c := mustLoad(t)
	required := []string{
		"app.name",
		"nav.home", "nav.datasets", "nav.map", "nav.trends", "nav.import", "nav.analysis",
		"nav.surveys", "nav.reports", "nav.knowledge", "nav.plans", "nav.admin",
		"nav.signin", "nav.signout",
		"signin.title", "signin.email", "signin.password", "signin.submit", "signin.failed", "signin.ratelimited",
		"common.save", "common.cancel", "common.submit", "common.back", "common.error", "common.loading",
		"common.none", "common.category", "common.all", "common.from", "common.to", "common.period",
		"common.layer", "common.dataset", "common.count", "common.area", "common.code", "common.name",
		"map.title", "map.legend", "map.suppressed", "map.nodata", "map.method", "map.count", "map.error", "map.table",
		"trend.title", "trend.method",
		"datasets.title", "datasets.incidents", "datasets.categories", "datasets.dates", "datasets.resolution",
		"resolution.exact", "resolution.day", "resolution.month",
		"import.title", "import.file", "import.kind", "import.preset", "import.preview", "import.mapping",
		"import.submit", "import.summary", "import.rejects",
		"error.notfound", "error.forbidden", "error.internal", "error.csrf",
	}
	keys := c.Keys()
	if !slices.IsSorted(keys) {
		t.Error("Keys() is not sorted")
	}
	for _, k := range required {
		if _, ok := slices.BinarySearch(keys, k); !ok {
			t.Errorf("missing required key %q", k)
		}
	}
	if got := c.T("en", "app.name"); got != "Icarus" {
		t.Errorf(`T("en","app.name") = %q`, got)
	}
}

func TestT(t *testing.T) {
	c := mustLoad(t)
	tests := []struct {
		lang, key string
		args      []any
		want      string
	}{
		{"en", "import.summary", []any{"read", 10, "accepted", 9, "rejected", 1, "duplicates", 0},
			"10 rows read: 9 accepted, 1 rejected, 0 already present"},
		{"fr", "import.summary", []any{"read", 10, "accepted", 9, "rejected", 1, "duplicates", 0},
			"10 lignes lues\u00a0: 9 acceptées, 1 rejetées, 0 déjà présentes"},
		{"it", "map.suppressed", []any{"n", 5}, "meno di 5"},
		{"en", "map.method", []any{"period", "2017-01..2017-12", "category", "Burglary", "n", 8144, "k", 5},
			"Method: counts of recorded incidents per area; period 2017-01..2017-12; category Burglary; n = 8144; counts below 5 suppressed"},
		// Missing argument: placeholder left as written.
		{"en", "map.suppressed", nil, "fewer than {n}"},
		// Extra and unpaired arguments are ignored.
		{"en", "map.suppressed", []any{"x", 1, "n", 3, "dangling"}, "fewer than 3"},
		// Unknown language falls back to English.
		{"de", "nav.map", nil, "Map"},
		{"", "nav.map", nil, "Map"},
		// Unknown key is marked.
		{"fr", "no.such.key", nil, "⟦no.such.key⟧"},
		{"xx", "no.such.key", []any{"n", 1}, "⟦no.such.key⟧"},
	}
	for _, tt := range tests {
		if got := c.T(tt.lang, tt.key, tt.args...); got != tt.want {
			t.Errorf("T(%q, %q, %v) = %q, want %q", tt.lang, tt.key, tt.args, got, tt.want)
		}
	}
}

func TestMatch(t *testing.T) {
	c := mustLoad(t)
	tests := map[string]string{
		"fr-FR,fr;q=0.9,en;q=0.8": "fr",
		"de":                      "en",
		"it-CH":                   "it",
		"it":                      "it",
		"en-GB,en;q=0.9":          "en",
		"de-DE,de;q=0.9,it;q=0.5": "it",
		"fr-CA":                   "fr",
		"*":                       "en",
		"":                        "en",
		"!!not a header!!":        "en",
		"en;q=0.5,fr;q=0.9":       "fr",
	}
	for in, want := range tests {
		if got := c.Match(in); got != want {
			t.Errorf("Match(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPlaceholders(t *testing.T) {
	tests := map[string][]string{
		"":                            nil,
		"plain":                       nil,
		"{a} and {b} and {a}":         {"a", "b"},
		"{not a placeholder} {x_1}":   {"x_1"},
		"{1x} {} { } {{y}} unclosed{": {"y"},
	}
	for in, want := range tests {
		if got := placeholders(in); !slices.Equal(got, want) {
			t.Errorf("placeholders(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestLiteralBracesPreserved(t *testing.T) {
	fsys := fstest.MapFS{
		"l/en.json": {Data: []byte(`{"k": "a {b c} {{n}} {n"}`)},
	}
	c, err := loadFS(fsys, "l")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.T("en", "k", "n", 7), "a {b c} {7} {n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestLoadValidation(t *testing.T) {
	en := `{"a": "A {x}", "b": "B"}`
	tests := []struct {
		name    string
		files   map[string]string
		wantErr string // substring; "" means success
	}{
		{"ok", map[string]string{"en.json": en, "fr.json": `{"a": "{x} A", "b": "Bé"}`}, ""},
		{"missing key", map[string]string{"en.json": en, "fr.json": `{"a": "A {x}"}`}, `fr: missing key "b"`},
		{"extra key", map[string]string{"en.json": en, "fr.json": `{"a": "A {x}", "b": "B", "c": "C"}`}, `fr: extra key "c"`},
		{"placeholder renamed", map[string]string{"en.json": en, "fr.json": `{"a": "A {y}", "b": "B"}`}, `key "a": placeholders [y], want [x]`},
		{"placeholder dropped", map[string]string{"en.json": en, "fr.json": `{"a": "A", "b": "B"}`}, `key "a": placeholders [], want [x]`},
		{"placeholder added", map[string]string{"en.json": en, "fr.json": `{"a": "A {x}", "b": "B {z}"}`}, `key "b"`},
		{"no en", map[string]string{"fr.json": en}, "en.json not found"},
		{"not object", map[string]string{"en.json": `["a"]`}, "must be a JSON object"},
		{"nested", map[string]string{"en.json": `{"a": {"b": "c"}}`}, "value must be a string"},
		{"duplicate", map[string]string{"en.json": `{"a": "x", "a": "y"}`}, `duplicate key "a"`},
		{"empty message", map[string]string{"en.json": `{"a": " "}`}, "empty message"},
		{"trailing", map[string]string{"en.json": `{"a": "x"} {}`}, "trailing data"},
		{"bad name", map[string]string{"en.json": en, "french.json": en}, "canonical BCP 47"},
		{"feature files merge", map[string]string{"en.json": `{"a": "A {x}"}`, "kb.en.json": `{"b": "B"}`, "fr.json": `{"a": "{x} A"}`, "kb.fr.json": `{"b": "Bé"}`}, ""},
		{"feature file missing a key", map[string]string{"en.json": en, "fr.json": `{"a": "{x} A"}`, "kb.fr.json": `{}`}, `fr: missing key "b"`},
		{"key in two files", map[string]string{"en.json": en, "kb.en.json": `{"b": "again"}`}, `already defined in`},
		{"bad json", map[string]string{"en.json": `{"a": "x",}`}, "en.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, data := range tt.files {
				fsys["l/"+name] = &fstest.MapFile{Data: []byte(data)}
			}
			_, err := loadFS(fsys, "l")
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("no error, want %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("error %q does not contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestReturnedSlicesAreCopies(t *testing.T) {
	c := mustLoad(t)
	c.Languages()[0] = "zz"
	c.Keys()[0] = "zz"
	if c.Languages()[0] != "en" || c.Keys()[0] == "zz" {
		t.Error("Catalog state was modified through a returned slice")
	}
}
