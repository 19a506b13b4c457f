package kb

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/dutch"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/french"
	"github.com/blevesearch/snowballstem/german"
	"github.com/blevesearch/snowballstem/italian"
	"github.com/blevesearch/snowballstem/portuguese"
)

// Stemming for search: words are lower-cased, their accents removed, then
// reduced by the Snowball stemmer of their language (the same algorithms as
// PostgreSQL's snowball dictionaries), so that "préventions", "prevenzione"
// and "Prävention" meet their other forms. The SQLite store indexes the
// output of StemText; PostgreSQL does the same in its own configurations.

// stemmer returns the Snowball stemmer of a language, nil when there is none.
func stemmer(lang string) func(*snowballstem.Env) bool {
	switch lang {
	case "en":
		return english.Stem
	case "fr":
		return french.Stem
	case "it":
		return italian.Stem
	case "de":
		return german.Stem
	case "pt":
		return portuguese.Stem
	case "nl":
		return dutch.Stem
	}
	return nil
}

// Fold lower-cases a word and removes the accents of Latin letters
// (é→e, ß→ss, æ→ae, ø→o, ...).
func Fold(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf || (w[i] >= 'A' && w[i] <= 'Z') {
			ascii = false
			break
		}
	}
	if ascii {
		return w
	}
	var b strings.Builder
	b.Grow(len(w))
	for _, r := range w {
		r = unicode.ToLower(r)
		if r < utf8.RuneSelf {
			b.WriteRune(r)
			continue
		}
		if s, ok := foldRune(r); ok {
			b.WriteString(s)
			continue
		}
		if unicode.Is(unicode.Mn, r) {
			continue // combining mark (decomposed accents)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// foldRune maps an accented Latin letter (lower case) to its base
// letters; ok is false for other runes.
func foldRune(r rune) (string, bool) {
	switch r {
	case 'ß':
		return "ss", true
	case 'æ':
		return "ae", true
	case 'œ':
		return "oe", true
	case 'ø':
		return "o", true
	case 'ð', 'đ':
		return "d", true
	case 'þ':
		return "th", true
	case 'ł':
		return "l", true
	}
	const groups = "aàáâãäåāăą|cçćĉċč|dď|eèéêëēĕėęě|gĝğġģ|hĥħ|iìíîïĩīĭįı|jĵ|kķ|lĺļľŀ|nñńņňŉ|oòóôõöōŏő|rŕŗř|sśŝşšș|tţťŧț|uùúûüũūŭůűų|wŵ|yýÿŷ|zźżž"
	if i := strings.IndexRune(groups, r); i > 0 {
		j := strings.LastIndexByte(groups[:i], '|') + 1
		return groups[j : j+1], true
	}
	return "", false
}

// Words splits text into words (runs of letters and digits).
func Words(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// Stem returns the stem of one word in a language, folded ("" or unknown
// language: the folded word). The stemmer sees the word with its accents
// (the Portuguese and French stemmers need them); the stem is then folded.
func Stem(env *snowballstem.Env, word, lang string) string {
	st := stemmer(lang)
	w := strings.ToLower(word)
	if st == nil || utf8.RuneCountInString(w) < 3 {
		return Fold(w)
	}
	env.SetCurrent(w)
	st(env)
	return Fold(env.Current())
}

// stemForms returns the stem of a word and, when it differs, the stem of
// its folded form (so that a word typed without its accents meets it).
func stemForms(env *snowballstem.Env, word, lang string) (string, string) {
	a := Stem(env, word, lang)
	f := Fold(word)
	if f == strings.ToLower(word) {
		return a, ""
	}
	if b := Stem(env, f, lang); b != a {
		return a, b
	}
	return a, ""
}

// StemText returns the words of text, stemmed in lang and folded,
// separated by spaces (a word whose unaccented form stems differently
// contributes both stems).
func StemText(text, lang string) string {
	env := snowballstem.NewEnv("")
	var b strings.Builder
	b.Grow(len(text))
	for i, w := range Words(text) {
		if i > 0 {
			b.WriteByte(' ')
		}
		s1, s2 := stemForms(env, w, lang)
		b.WriteString(s1)
		if s2 != "" {
			b.WriteByte(' ')
			b.WriteString(s2)
		}
	}
	return b.String()
}

// QueryForms returns, for one query word, its folded form and its stem in
// every language with a stemmer, without repeats: a query matches a record
// when the record holds any of them.
func QueryForms(word string) []string {
	env := snowballstem.NewEnv("")
	f := Fold(word)
	out := []string{f}
	for _, l := range Languages() {
		s1, s2 := stemForms(env, word, l)
		for _, s := range []string{s1, s2} {
			if s != "" && !containsStr(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

func containsStr(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// Snippet returns an extract of text of about width words around the best
// cluster of words whose stem (in lang) or folded form is in forms, with the
// matches wrapped in start and end marks; "" when nothing matches.
func Snippet(text, lang string, forms map[string]bool, width int, start, end string) string {
	if len(text) > 64<<10 {
		text = text[:64<<10]
	}
	type tok struct{ from, to int }
	toks := make([]tok, 0, len(text)/5+1) // ~6.7 bytes a word in the benchmark corpus: grown at most once
	in := false
	for i, r := range text {
		var letter bool
		if r < utf8.RuneSelf {
			letter = 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
		} else {
			letter = unicode.IsLetter(r) || unicode.IsDigit(r)
		}
		if letter && !in {
			toks = append(toks, tok{from: i})
			in = true
		} else if !letter && in {
			toks[len(toks)-1].to = i
			in = false
		}
	}
	if in {
		toks[len(toks)-1].to = len(text)
	}
	env := snowballstem.NewEnv("")
	// a stem is, but for its last letter or two, a prefix of the folded
	// word: words that start with none of the forms' prefixes are not
	// stemmed at all
	var prefixes []string
	var first [256]bool // the first bytes of the forms: other words neither match nor stem to a form
	for f := range forms {
		if f == "" {
			continue
		}
		prefixes = append(prefixes, f[:max(1, min(len(f), len(f)-2))])
		first[f[0]] = true
	}
	match := make([]bool, len(toks))
	any := false
	for i, t := range toks {
		w := text[t.from:t.to]
		if c := w[0]; c < utf8.RuneSelf && !first[c|0x20] && !first[c] {
			continue // an ASCII first letter, which folds to itself in lower case
		}
		fw := Fold(w)
		if fw == "" || !first[fw[0]] {
			continue
		}
		if forms[fw] {
			match[i], any = true, true
			continue
		}
		candidate := false
		for _, p := range prefixes {
			if strings.HasPrefix(fw, p) {
				candidate = true
				break
			}
		}
		if candidate && (forms[Stem(env, w, lang)] || forms[Stem(env, fw, lang)]) {
			match[i], any = true, true
		}
	}
	if !any {
		return ""
	}
	best, bestN, n := 0, -1, 0
	for i := range toks {
		if match[i] {
			n++
		}
		if i >= width && match[i-width] {
			n--
		}
		if n > bestN {
			bestN, best = n, max(0, i-width+1)
		}
	}
	// start a little before the first match of the window
	for best < len(toks) && !match[best] {
		best++
	}
	best = max(0, best-4)
	last := min(len(toks), best+width)
	var b strings.Builder
	if best > 0 {
		b.WriteString("…")
	}
	pos := toks[best].from
	for i := best; i < last; i++ {
		b.WriteString(text[pos:toks[i].from])
		if match[i] {
			b.WriteString(start + text[toks[i].from:toks[i].to] + end)
		} else {
			b.WriteString(text[toks[i].from:toks[i].to])
		}
		pos = toks[i].to
	}
	if last < len(toks) {
		b.WriteString("…")
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
