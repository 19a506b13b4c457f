// Package i18n holds Icarus's user-interface message catalogs.
//
// Catalogs are flat JSON objects (key → message) embedded from
// locales/<lang>.json and, per feature, locales/<feature>.<lang>.json; all
// files of one language merge into one catalog and a key defined in two
// files is an error. English (en.json) is the reference: every other
// locale must define exactly the same keys, and each message must use the
// same set of {name} placeholders as its English counterpart. Load checks
// this, so a missing or stray translation fails at start-up (and in tests)
// rather than showing up in front of a user.
//
// Placeholders are written {name}, where name is a letter or underscore
// followed by letters, digits or underscores. Any other brace is literal
// text.
package i18n

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"

	"golang.org/x/text/language"
)

// DefaultLanguage is the reference locale and the fallback for unknown or
// unsupported languages.
const DefaultLanguage = "en"

//go:embed locales/*.json
var locales embed.FS

// Catalog is a set of loaded, validated message catalogs. It is immutable
// after Load and safe for concurrent use.
type Catalog struct {
	langs   []string                     // DefaultLanguage first, then sorted
	msgs    map[string]map[string]string // lang → key → message
	keys    []string                     // sorted keys of the reference locale
	matcher language.Matcher             // tags in the order of langs
}

// Load parses and validates the embedded locales.
func Load() (*Catalog, error) {
	return loadFS(locales, "locales")
}

// loadFS loads every [<feature>.]<lang>.json file in dir of fsys.
func loadFS(fsys fs.FS, dir string) (*Catalog, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("i18n: %w", err)
	}
	c := &Catalog{msgs: make(map[string]map[string]string)}
	origin := make(map[string]string) // lang + "\x00" + key → file that defined it
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || path.Ext(name) != ".json" {
			continue
		}
		lang := strings.TrimSuffix(name, ".json")
		if i := strings.LastIndexByte(lang, '.'); i >= 0 {
			lang = lang[i+1:]
		}
		tag, err := language.Parse(lang)
		if err != nil || tag.String() != lang {
			return nil, fmt.Errorf("i18n: %s: file name must end in a canonical BCP 47 language tag", name)
		}
		data, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("i18n: %w", err)
		}
		m, err := parseCatalog(data)
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
		all, seen := c.msgs[lang]
		if !seen {
			all = make(map[string]string, len(m))
			c.msgs[lang] = all
			if lang != DefaultLanguage {
				c.langs = append(c.langs, lang)
			}
		}
		for k, v := range m {
			if prev, dup := origin[lang+"\x00"+k]; dup {
				return nil, fmt.Errorf("i18n: %s: key %q already defined in %s", name, k, prev)
			}
			origin[lang+"\x00"+k] = name
			all[k] = v
		}
	}
	ref, ok := c.msgs[DefaultLanguage]
	if !ok {
		return nil, fmt.Errorf("i18n: reference locale %s.json not found", DefaultLanguage)
	}
	slices.Sort(c.langs)
	c.langs = slices.Insert(c.langs, 0, DefaultLanguage)

	var errs []error
	for _, lang := range c.langs[1:] {
		errs = append(errs, compare(lang, ref, c.msgs[lang])...)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	for k := range ref {
		c.keys = append(c.keys, k)
	}
	slices.Sort(c.keys)

	tags := make([]language.Tag, len(c.langs))
	for i, l := range c.langs {
		tags[i] = language.MustParse(l)
	}
	c.matcher = language.NewMatcher(tags)
	return c, nil
}

// parseCatalog decodes a flat JSON object of strings, rejecting duplicate
// keys, empty keys and empty messages (encoding/json would silently keep the
// last duplicate).
func parseCatalog(data []byte) (map[string]string, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("catalog must be a JSON object")
	}
	m := make(map[string]string)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key := tok.(string) // object keys are always strings
		var val string
		if err := dec.Decode(&val); err != nil {
			return nil, fmt.Errorf("key %q: value must be a string: %w", key, err)
		}
		switch {
		case key == "":
			return nil, errors.New("empty key")
		case strings.TrimSpace(val) == "":
			return nil, fmt.Errorf("key %q: empty message", key)
		}
		if _, dup := m[key]; dup {
			return nil, fmt.Errorf("duplicate key %q", key)
		}
		m[key] = val
	}
	if _, err := dec.Token(); err != nil { // closing '}'
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after catalog object")
	}
	return m, nil
}

// compare reports keys missing from or extra in m relative to ref, and
// messages whose placeholder set differs from the reference message.
func compare(lang string, ref, m map[string]string) []error {
	var errs []error
	for _, k := range sortedKeys(ref) {
		msg, ok := m[k]
		if !ok {
			errs = append(errs, fmt.Errorf("i18n: %s: missing key %q", lang, k))
			continue
		}
		want, got := placeholders(ref[k]), placeholders(msg)
		if !slices.Equal(want, got) {
			errs = append(errs, fmt.Errorf("i18n: %s: key %q: placeholders %v, want %v (as in %s)", lang, k, got, want, DefaultLanguage))
		}
	}
	for _, k := range sortedKeys(m) {
		if _, ok := ref[k]; !ok {
			errs = append(errs, fmt.Errorf("i18n: %s: extra key %q not in %s", lang, k, DefaultLanguage))
		}
	}
	return errs
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// placeholders returns the sorted, de-duplicated placeholder names in msg.
func placeholders(msg string) []string {
	var names []string
	scan(msg, func(lit string, name string) {
		if name != "" {
			names = append(names, name)
		}
	})
	slices.Sort(names)
	return slices.Compact(names)
}

// scan splits msg into literal text and {name} placeholders, calling fn with
// either a literal (name == "") or a placeholder (lit is its full "{name}").
func scan(msg string, fn func(lit, name string)) {
	for {
		i := strings.IndexByte(msg, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(msg[i+1:], '}')
		if j < 0 {
			break
		}
		name := msg[i+1 : i+1+j]
		if !isIdent(name) {
			// Not a placeholder: emit through the brace and keep looking.
			fn(msg[:i+1], "")
			msg = msg[i+1:]
			continue
		}
		if i > 0 {
			fn(msg[:i], "")
		}
		fn(msg[i:i+j+2], name)
		msg = msg[i+j+2:]
	}
	if msg != "" {
		fn(msg, "")
	}
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z':
		case i > 0 && '0' <= r && r <= '9':
		default:
			return false
		}
	}
	return true
}

// T returns the message for key in lang with its placeholders replaced.
// args are name, value pairs: T("fr", "import.summary", "read", 10,
// "accepted", 9, ...). Values are formatted with fmt.Sprint; a placeholder
// without a value is left as written, and a trailing unpaired argument is
// ignored. An unsupported lang falls back to DefaultLanguage; an unknown key
// yields "⟦key⟧" so that missing keys stand out on the page and in tests.
func (c *Catalog) T(lang, key string, args ...any) string {
	m, ok := c.msgs[lang]
	if !ok {
		m = c.msgs[DefaultLanguage]
	}
	msg, ok := m[key]
	if !ok {
		return "⟦" + key + "⟧"
	}
	if len(args) < 2 || !strings.Contains(msg, "{") {
		return msg
	}
	vals := make(map[string]string, len(args)/2)
	for i := 0; i+1 < len(args); i += 2 {
		name, ok := args[i].(string)
		if !ok {
			name = fmt.Sprint(args[i])
		}
		vals[name] = fmt.Sprint(args[i+1])
	}
	var b strings.Builder
	b.Grow(len(msg) + 16)
	scan(msg, func(lit, name string) {
		if v, ok := vals[name]; ok && name != "" {
			b.WriteString(v)
			return
		}
		b.WriteString(lit)
	})
	return b.String()
}

// Languages returns the supported language codes, DefaultLanguage first and
// the rest in alphabetical order. The caller may modify the returned slice.
func (c *Catalog) Languages() []string {
	return slices.Clone(c.langs)
}

// Keys returns all message keys in sorted order. The caller may modify the
// returned slice.
func (c *Catalog) Keys() []string {
	return slices.Clone(c.keys)
}

// Match returns the supported language that best fits an Accept-Language
// header value (a bare tag such as "fr" also works), or DefaultLanguage if
// the header is empty, malformed or names no supported language.
func (c *Catalog) Match(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return DefaultLanguage
	}
	_, idx, conf := c.matcher.Match(tags...)
	if conf == language.No || idx < 0 || idx >= len(c.langs) {
		return DefaultLanguage
	}
	return c.langs[idx]
}
