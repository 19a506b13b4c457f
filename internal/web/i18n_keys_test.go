package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/icarus-city/icarus/internal/analysis/trend"

	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/i18n"
	"github.com/icarus-city/icarus/internal/incident"
)

var (
	// {{.T "key" ...}}, {{$.T "key"}}, (.T "key") in templates.
	tmplKeyRE = regexp.MustCompile(`\.T\s+"([^"\\]+)"`)
	// printf "prefix.%s" inside a template: a dynamically built key.
	tmplDynRE = regexp.MustCompile(`\.T\s+\(\s*printf\s+"([^"\\]*)%s"`)
	// s.cat.T(c.lang, "key" ...) and similar calls in Go code.
	goKeyRE = regexp.MustCompile(`\bcat\.T\(\s*[^,()]+,\s*"([^"\\]+)"`)
)

// dynamicFamilies lists the values substituted into each dynamically built
// key prefix (printf "prefix%s") used by the templates.
func dynamicFamilies() map[string][]string {
	roles := []string{"admin", "analyst", "coordinator", "field", "partner", "public"}
	for _, r := range append(auth.Roles(), auth.Public) {
		roles = append(roles, string(r))
	}
	res := []string{"exact", "day", "month"}
	for _, r := range []incident.Resolution{incident.ResolutionExact, incident.ResolutionDay, incident.ResolutionMonth} {
		res = append(res, string(r))
	}
	return map[string][]string{
		"resolution.":  res,
		"role.":        roles,
		"import.kind.": {"incidents", "areas", "indicators"},
		"import.col.":  {"id", "category", "date", "x", "y"},
		"trend.flag.":  {trend.FlagAbove95, trend.FlagAbove998, trend.FlagBelow95, trend.FlagBelow998},
	}
}

// usedKeys returns every message key referenced by the templates and the Go
// code of the package, mapped to where it was found.
func usedKeys(t *testing.T) map[string][]string {
	t.Helper()
	used := map[string][]string{}
	add := func(key, where string) {
		if !slices.Contains(used[key], where) {
			used[key] = append(used[key], where)
		}
	}
	fams := dynamicFamilies()

	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatal("no templates found in the embedded assets")
	}
	for _, n := range names {
		b, err := assets.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		src := string(b)
		for _, m := range tmplKeyRE.FindAllStringSubmatch(src, -1) {
			add(m[1], n)
		}
		for _, m := range tmplDynRE.FindAllStringSubmatch(src, -1) {
			vals, ok := fams[m[1]]
			if !ok {
				t.Errorf("%s: dynamic key %q%%s has no known values; add it to dynamicFamilies", n, m[1])
				continue
			}
			for _, v := range vals {
				add(m[1]+v, n)
			}
		}
	}

	gofiles, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range gofiles {
		if strings.HasSuffix(n, "_test.go") {
			continue
		}
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range goKeyRE.FindAllStringSubmatch(string(b), -1) {
			add(m[1], n)
		}
	}
	return used
}

// TestI18nKeysDefined fails if a template or the package's Go code uses a
// message key that the catalog does not define.
func TestI18nKeysDefined(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatalf("i18n.Load: %v", err)
	}
	used := usedKeys(t)
	if len(used) < 50 {
		t.Fatalf("found only %d keys; the extraction patterns are probably broken", len(used))
	}
	// Sanity check of the extraction itself.
	for _, k := range []string{"app.name", "nav.signout", "home.dataset", "trend.axis", "error.csrf", "role.public", "import.col.x"} {
		if _, ok := used[k]; !ok {
			t.Errorf("key %q was not extracted; the extraction patterns are probably broken", k)
		}
	}
	keys := make([]string, 0, len(used))
	for k := range used {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var missing []string
	for _, k := range keys {
		// Load guarantees that every locale has the same keys as the
		// reference locale, so checking the reference is enough.
		if strings.HasPrefix(cat.T(i18n.DefaultLanguage, k), "⟦") {
			missing = append(missing, k+" (used in "+strings.Join(used[k], ", ")+")")
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d message keys are used but missing from the catalog:\n\t%s", len(missing), strings.Join(missing, "\n\t"))
	}
}

// TestI18nNoEmptyMessages checks that no catalog message is empty or blank.
func TestI18nNoEmptyMessages(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatalf("i18n.Load: %v", err)
	}
	for _, lang := range cat.Languages() {
		for _, k := range cat.Keys() {
			msg := cat.T(lang, k)
			if strings.TrimSpace(msg) == "" {
				t.Errorf("%s: %s: empty message", lang, k)
			}
			if strings.HasPrefix(msg, "⟦") {
				t.Errorf("%s: %s: message missing", lang, k)
			}
		}
	}
}
