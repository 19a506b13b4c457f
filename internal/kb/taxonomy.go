package kb

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Editable taxonomies. The built-in values (FocusAreas, CrossCuttingIssues,
// Approaches) are the IcARUS ones; an organisation's admin may add values,
// rename any value per language and retire values (docs/knowledge-base.md,
// "Taxonomies"). ICCS crime types are a standard and are not editable here.
const (
	TaxFocus    = "focus"    // focus areas
	TaxCC       = "cc"       // cross-cutting issues
	TaxApproach = "approach" // approaches
)

// TaxonomyNames lists the editable taxonomies in display order.
func TaxonomyNames() []string { return []string{TaxFocus, TaxCC, TaxApproach} }

// ValidTaxonomy reports whether name is an editable taxonomy.
func ValidTaxonomy(name string) bool { return slices.Contains(TaxonomyNames(), name) }

// Builtin returns the built-in values of an editable taxonomy.
func Builtin(taxonomy string) []Term {
	switch taxonomy {
	case TaxFocus:
		return FocusAreas()
	case TaxCC:
		return CrossCuttingIssues()
	case TaxApproach:
		return Approaches()
	}
	return nil
}

// LabelLanguages are the languages a value's label can be given in.
func LabelLanguages() []string { return []string{"en", "fr", "it"} }

// TermEdit is what an organisation changed of one value: labels per
// language ("" = the built-in label of the catalogs) and whether it is
// retired. A value that is not built in is one the organisation added.
type TermEdit struct {
	Taxonomy string
	Code     string
	Labels   map[string]string // "en", "fr", "it"
	Retired  bool
}

// TaxTerm is one value of a taxonomy as an organisation sees it.
type TaxTerm struct {
	Code    string
	Labels  map[string]string // the organisation's labels; a missing language falls back to the catalog (built-in) or to "en"
	Retired bool              // kept on the records that have it, no longer offered for new ones
	BuiltIn bool
}

// Label returns the organisation's label of the term in lang, "" when it
// gave none (the caller then uses the catalog's label, or the English one).
func (t TaxTerm) Label(lang string) string {
	if l := t.Labels[lang]; l != "" {
		return l
	}
	if !t.BuiltIn {
		return t.Labels["en"]
	}
	return ""
}

// Taxonomies are the three editable taxonomies of an organisation.
type Taxonomies map[string][]TaxTerm

// BuiltinTaxonomies returns the taxonomies without any edit.
func BuiltinTaxonomies() Taxonomies { return MergeTaxonomies(nil) }

// MergeTaxonomies applies an organisation's edits to the built-in values:
// built-in values first in their order, then the added ones in the order
// given.
func MergeTaxonomies(edits []TermEdit) Taxonomies {
	out := Taxonomies{}
	for _, name := range TaxonomyNames() {
		for _, t := range Builtin(name) {
			out[name] = append(out[name], TaxTerm{Code: t.Code, BuiltIn: true, Labels: map[string]string{}})
		}
	}
	for _, e := range edits {
		ts := out[e.Taxonomy]
		i := slices.IndexFunc(ts, func(t TaxTerm) bool { return t.Code == e.Code })
		labels := map[string]string{}
		for k, v := range e.Labels {
			if v != "" {
				labels[k] = v
			}
		}
		if i < 0 {
			if !ValidTaxonomy(e.Taxonomy) {
				continue
			}
			out[e.Taxonomy] = append(ts, TaxTerm{Code: e.Code, Labels: labels, Retired: e.Retired})
			continue
		}
		ts[i].Labels, ts[i].Retired = labels, e.Retired
	}
	return out
}

// Has reports whether code is a value (active or retired) of taxonomy.
func (tx Taxonomies) Has(taxonomy, code string) bool {
	return slices.ContainsFunc(tx[taxonomy], func(t TaxTerm) bool { return t.Code == code })
}

// Term returns the value code of taxonomy.
func (tx Taxonomies) Term(taxonomy, code string) (TaxTerm, bool) {
	for _, t := range tx[taxonomy] {
		if t.Code == code {
			return t, true
		}
	}
	return TaxTerm{}, false
}

// Active returns the values of taxonomy that are not retired.
func (tx Taxonomies) Active(taxonomy string) []TaxTerm {
	var out []TaxTerm
	for _, t := range tx[taxonomy] {
		if !t.Retired {
			out = append(out, t)
		}
	}
	return out
}

// Codes returns every code of taxonomy (retired included).
func (tx Taxonomies) Codes(taxonomy string) []string {
	out := make([]string, len(tx[taxonomy]))
	for i, t := range tx[taxonomy] {
		out[i] = t.Code
	}
	return out
}

var termCodeRe = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

// ValidateTermEdit checks an edit: a known taxonomy, a code of 2 to 40
// lower-case letters, digits and underscores starting with a letter, labels
// of at most 200 characters without control characters, and an English
// label for a value that is not built in. Problems name their field.
func ValidateTermEdit(e TermEdit) []RecordError {
	var errs []RecordError
	bad := func(field, format string, a ...any) {
		errs = append(errs, RecordError{Row: 1, Field: field, Message: fmt.Sprintf(format, a...)})
	}
	if !ValidTaxonomy(e.Taxonomy) {
		bad("taxonomy", "%q is not one of %s", e.Taxonomy, strings.Join(TaxonomyNames(), ", "))
	}
	if !termCodeRe.MatchString(e.Code) {
		bad("code", "%q: use 2 to 40 lower-case letters, digits or _, starting with a letter", e.Code)
	}
	builtin := hasCode(Builtin(e.Taxonomy), e.Code)
	for _, l := range LabelLanguages() {
		v := e.Labels[l]
		if len([]rune(v)) > 200 {
			bad("label_"+l, "longer than 200 characters")
		}
		if strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			bad("label_"+l, "contains control characters")
		}
	}
	for l := range e.Labels {
		if !slices.Contains(LabelLanguages(), l) {
			bad("label_"+l, "labels are given in en, fr or it")
		}
	}
	if !builtin && strings.TrimSpace(e.Labels["en"]) == "" {
		bad("label_en", "required for a new value")
	}
	return errs
}
