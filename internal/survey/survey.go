// Package survey holds survey definitions (modules, questions, skip logic,
// translations), the standard question bank, validation of a response
// against its definition and the aggregation of responses into results with
// Wilson confidence intervals. It does no I/O: the store keeps definitions
// and responses as JSON, the web layer serves them.
package survey

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Type is the type of a question.
type Type string

// Question types (XLSForm names in comments).
const (
	Single   Type = "single"   // select_one
	Multiple Type = "multiple" // select_multiple
	Likert   Type = "likert"   // select_one over an ordered scale; choices carry a Score
	Number   Type = "number"   // decimal / integer
	Text     Type = "text"     // text
	Date     Type = "date"     // date, YYYY-MM-DD
	Location Type = "location" // geopoint: {"lat":..,"lon":..} in WGS84
	Area     Type = "area"     // an area code of the organisation's layer (the answer places the response)
	Note     Type = "note"     // note: text shown to the respondent, takes no answer
)

// Types lists the question types.
func Types() []Type {
	return []Type{Single, Multiple, Likert, Number, Text, Date, Location, Area, Note}
}

// Access says who may answer a survey.
const (
	AccessPublic = "public" // anyone with the link; rate-limited per address
	AccessField  = "field"  // surveyors only: a signed-in session with a collecting role
	AccessToken  = "token"  // the public with a one-time link: one response per link
)

// Tr is a text in several languages (translations): language code -> text.
type Tr map[string]string

// In returns the text in lang, else in def, else any text (the smallest language code).
func (t Tr) In(lang, def string) string {
	if s, ok := t[lang]; ok && s != "" {
		return s
	}
	if s, ok := t[def]; ok && s != "" {
		return s
	}
	best := ""
	for l := range t {
		if best == "" || l < best {
			best = l
		}
	}
	return t[best]
}

// Choice is one answer of a choice question.
type Choice struct {
	Value string `json:"value"`
	Label Tr     `json:"label"`
	// Score is the numeric position on a Likert scale (means are computed
	// over scored choices); nil for "don't know" and the like.
	Score *float64 `json:"score,omitempty"`
}

// Indicator is a headline share computed from a choice question, e.g. SDG
// 16.1.4: the share answering "very safe" or "fairly safe".
type Indicator struct {
	Label  Tr       `json:"label"`
	Values []string `json:"values"` // the choices counted
}

// Question is one question of a module.
type Question struct {
	Name     string   `json:"name"` // identifier: letters, digits, _; unique in the survey
	Type     Type     `json:"type"`
	Label    Tr       `json:"label"`
	Hint     Tr       `json:"hint,omitempty"`
	Required bool     `json:"required,omitempty"`
	Relevant string   `json:"relevant,omitempty"` // skip logic, see Parse
	Choices  []Choice `json:"choices,omitempty"`
	Min      *float64 `json:"min,omitempty"` // number questions
	Max      *float64 `json:"max,omitempty"`
	Integer  bool     `json:"integer,omitempty"` // number questions: whole numbers only (XLSForm integer)
	// Bank is the id of the standard bank item the question comes from ("" if none).
	Bank      string     `json:"bank,omitempty"`
	Indicator *Indicator `json:"indicator,omitempty"`
}

// Module is a group of questions, asked by one group of surveyors (Riga:
// patrol officers, district coordinators, NGO volunteers).
type Module struct {
	Name      string     `json:"name"`
	Title     Tr         `json:"title"`
	Surveyors string     `json:"surveyors,omitempty"` // who asks it (free text)
	Questions []Question `json:"questions"`
}

// Definition is one version of a survey.
type Definition struct {
	Title     Tr       `json:"title"`
	Languages []string `json:"languages"` // the first is the default
	Access    string   `json:"access"`
	Consent   Tr       `json:"consent"` // the statement read to or by the respondent
	Simulated bool     `json:"simulated,omitempty"`
	Modules   []Module `json:"modules"`
}

// DefaultLang is the definition's first language ("en" when none is declared).
func (d *Definition) DefaultLang() string {
	if len(d.Languages) > 0 {
		return d.Languages[0]
	}
	return "en"
}

// Questions returns every question in order.
func (d *Definition) Questions() []*Question {
	var qs []*Question
	for i := range d.Modules {
		for j := range d.Modules[i].Questions {
			qs = append(qs, &d.Modules[i].Questions[j])
		}
	}
	return qs
}

// Question returns the question called name, or nil.
func (d *Definition) Question(name string) *Question {
	for _, q := range d.Questions() {
		if q.Name == name {
			return q
		}
	}
	return nil
}

// Roles lists the surveyor groups of the modules (Module.Surveyors), in order, without repeats.
func (d *Definition) Roles() []string {
	var out []string
	for _, m := range d.Modules {
		if m.Surveyors != "" && !slices.Contains(out, m.Surveyors) {
			out = append(out, m.Surveyors)
		}
	}
	return out
}

// ForRoles returns a copy of d with only the modules asked by the given
// surveyor groups and the modules without a group (asked by everyone): what
// a surveyor with those roles asks. No roles (or "") keeps every module.
func (d *Definition) ForRoles(roles []string) *Definition {
	if len(roles) == 0 || slices.Contains(roles, "") {
		return d
	}
	c := *d
	c.Modules = nil
	for _, m := range d.Modules {
		if m.Surveyors == "" || slices.Contains(roles, m.Surveyors) {
			c.Modules = append(c.Modules, m)
		}
	}
	return &c
}

// AreaQuestion is the first area question (whose answer places a response), or nil.
func (d *Definition) AreaQuestion() *Question {
	for _, q := range d.Questions() {
		if q.Type == Area {
			return q
		}
	}
	return nil
}

var nameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// choiceRE: choice values are XLSForm names
// (no spaces, since multiple answers are space-separated in expressions).
var choiceRE = regexp.MustCompile(`^[A-Za-z0-9_.\-]{1,64}$`)

// Check reports every problem of a definition: names, types, choices,
// skip logic (which may only refer to questions asked before), languages.
func (d *Definition) Check() error {
	var errs []string
	bad := func(f string, a ...any) { errs = append(errs, fmt.Sprintf(f, a...)) }
	if len(d.Languages) == 0 {
		bad("languages: declare at least one language")
	}
	if d.Title.In(d.DefaultLang(), "") == "" {
		bad("title: missing")
	}
	switch d.Access {
	case AccessPublic, AccessField, AccessToken:
	default:
		bad("access %q: want %s, %s or %s", d.Access, AccessPublic, AccessField, AccessToken)
	}
	if d.Consent.In(d.DefaultLang(), "") == "" {
		bad("consent: a consent statement is required")
	}
	seen := map[string]bool{}
	mods := map[string]bool{}
	for mi, m := range d.Modules {
		if !nameRE.MatchString(m.Name) || mods[m.Name] {
			bad("module %d: name %q is not a unique identifier", mi+1, m.Name)
		}
		mods[m.Name] = true
		for _, q := range m.Questions {
			where := "question " + q.Name
			if !nameRE.MatchString(q.Name) {
				bad("question %q in module %s: a name is letters, digits and _ (not starting with a digit)", q.Name, m.Name)
			} else if seen[q.Name] {
				bad("%s: name used twice", where)
			}
			if q.Label.In(d.DefaultLang(), "") == "" {
				bad("%s: no label", where)
			}
			switch q.Type {
			case Single, Multiple, Likert:
				if len(q.Choices) < 2 {
					bad("%s: a %s question needs at least two choices", where, q.Type)
				}
				vals := map[string]bool{}
				for _, c := range q.Choices {
					if !choiceRE.MatchString(c.Value) || vals[c.Value] {
						bad("%s: choice value %q is empty, repeated or has spaces", where, c.Value)
					}
					vals[c.Value] = true
					if c.Label.In(d.DefaultLang(), "") == "" {
						bad("%s: choice %q has no label", where, c.Value)
					}
				}
				if q.Type == Likert {
					scored := 0
					for _, c := range q.Choices {
						if c.Score != nil {
							scored++
						}
					}
					if scored < 2 {
						bad("%s: a Likert scale needs at least two scored choices", where)
					}
				}
				if q.Indicator != nil {
					for _, v := range q.Indicator.Values {
						if !vals[v] {
							bad("%s: indicator counts unknown choice %q", where, v)
						}
					}
				}
			case Number, Text, Date, Location, Area, Note:
				if len(q.Choices) > 0 {
					bad("%s: a %s question has no choices", where, q.Type)
				}
				if q.Type == Note && q.Required {
					bad("%s: a note takes no answer, so it cannot be required", where)
				}
			default:
				bad("%s: unknown type %q (want one of %v)", where, q.Type, Types())
			}
			if (q.Min != nil || q.Max != nil || q.Integer) && q.Type != Number {
				bad("%s: min, max and integer apply to number questions only", where)
			}
			if q.Indicator != nil && q.Type != Single && q.Type != Multiple && q.Type != Likert {
				bad("%s: an indicator needs a choice question", where)
			}
			if q.Min != nil && q.Max != nil && *q.Min > *q.Max {
				bad("%s: min is above max", where)
			}
			if q.Relevant != "" {
				e, err := Parse(q.Relevant)
				if err != nil {
					bad("%s: relevant: %v", where, err)
				} else {
					for _, ref := range e.Refs() {
						if !seen[ref] {
							bad("%s: relevant refers to ${%s}, which is not a question asked before it", where, ref)
						}
					}
				}
			}
			seen[q.Name] = true
		}
	}
	if len(seen) == 0 {
		bad("the survey has no questions")
	}
	if len(errs) > 0 {
		return &DefinitionError{Problems: errs}
	}
	return nil
}

// DefinitionError lists the problems of a definition.
type DefinitionError struct{ Problems []string }

func (e *DefinitionError) Error() string {
	return "survey definition: " + strings.Join(e.Problems, "; ")
}
