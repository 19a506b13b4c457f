package kb

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Evidence is the structured content of an evidence card, after the EMMIE
// framework of the College of Policing Crime Reduction Toolkit (Effect,
// Mechanism, Moderators, Implementation, Economic cost), with the quality
// of the evidence for each dimension and the ratings other schemes give.
// It is kept in the record's metadata under the key "emmie".
//
// Nothing here is computed: every field states what a cited review says.
// Empty fields mean "not stated by the sources we hold", never "none".
type Evidence struct {
	Focus        string     `json:"focus,omitempty"`       // situational, policing, developmental, offender, community
	CrimeTypes   []string   `json:"crime_types,omitempty"` // ICCS codes (2 to 6 digits); empty = crime in general
	Places       []string   `json:"places,omitempty"`      // settings where it was studied (PlaceTerms)
	Populations  []string   `json:"populations,omitempty"` // who it was studied with (PopulationTerms)
	Effect       Effect     `json:"effect"`
	Mechanism    string     `json:"mechanism,omitempty"`
	Moderators   string     `json:"moderators,omitempty"`
	Implement    string     `json:"implementation,omitempty"`
	EconomicCost string     `json:"economic_cost,omitempty"`
	Quality      Quality    `json:"quality"`
	Ratings      []Rating   `json:"ratings,omitempty"`
	Displacement string     `json:"displacement,omitempty"` // diffusion, little, displacement, not_reported
	Backfire     string     `json:"backfire,omitempty"`     // yes, no, not_reported
	Caveats      []string   `json:"caveats,omitempty"`
	Citations    []Citation `json:"citations,omitempty"`
	LastReviewed string     `json:"last_reviewed,omitempty"` // YYYY-MM-DD: when the card was last checked against its sources
}

// Effect is the E of EMMIE: what the review found on crime (or on its
// stated outcome).
type Effect struct {
	Direction   string   `json:"direction,omitempty"`   // reduction, increase (harm), mixed, none
	Size        string   `json:"size,omitempty"`        // the review's own word: small, modest, moderate, large
	Significant *bool    `json:"significant,omitempty"` // statistically significant overall
	Outcome     string   `json:"outcome,omitempty"`     // what was measured (crime, reoffending, bullying...)
	Measure     string   `json:"measure,omitempty"`     // relative reduction, odds ratio, crimes prevented per 100, ...
	Value       *float64 `json:"value,omitempty"`       // in the unit of Measure
	CILow       *float64 `json:"ci_low,omitempty"`
	CIHigh      *float64 `json:"ci_high,omitempty"`
	NStudies    int      `json:"n_studies,omitempty"`
	NTests      int      `json:"n_tests,omitempty"`
	NRCTs       int      `json:"n_rcts,omitempty"`
	Text        string   `json:"text,omitempty"` // the finding in words, with its figures
}

// Quality is EMMIE-Q: the quality of the evidence for each dimension, in
// the words of the Crime Reduction Toolkit (very strong, strong, moderate,
// limited) or its older 0-4 scores ("3/4"); "" = not rated by a source we
// hold.
type Quality struct {
	Effect         string `json:"effect,omitempty"`
	Mechanism      string `json:"mechanism,omitempty"`
	Moderators     string `json:"moderators,omitempty"`
	Implementation string `json:"implementation,omitempty"`
	Economic       string `json:"economic,omitempty"`
}

// Rating is a rating as a scheme gives it.
type Rating struct {
	Scheme string `json:"scheme"` // crt (Crime Reduction Toolkit), crimesolutions, campbell, eucpn, local
	Rating string `json:"rating"` // the scheme's words, e.g. "Overall reduction", "Effective"
	Source string `json:"source,omitempty"`
}

// Citation is a reference.
type Citation struct {
	Text string `json:"text"` // authors, year, title, venue
	URL  string `json:"url,omitempty"`
}

// Schemes are the rating schemes of evidence cards.
func Schemes() []Term {
	return []Term{
		{"crt", "College of Policing Crime Reduction Toolkit"},
		{"crimesolutions", "CrimeSolutions (NIJ)"},
		{"campbell", "Campbell Collaboration systematic review"},
		{"eucpn", "EUCPN"},
		{"local", "Local evaluation"},
	}
}

// PlaceTerms are the settings an evidence card may have been studied in.
func PlaceTerms() []Term {
	return []Term{
		{"residential", "Residential areas"},
		{"city_centre", "City centres"},
		{"car_parks", "Car parks"},
		{"public_transport", "Public transport"},
		{"public_space", "Streets and public spaces"},
		{"schools", "Schools"},
		{"business", "Business areas"},
		{"justice", "Courts and the justice system"},
	}
}

// PopulationTerms are the groups an evidence card may concern.
func PopulationTerms() []Term {
	return []Term{
		{"general", "General population"},
		{"youth", "Young people"},
		{"offenders", "Offenders"},
		{"high_risk_groups", "High-risk groups and gangs"},
		{"victims", "Victims"},
		{"residents", "Residents"},
	}
}

// EvidenceFocuses are the focus codes of an intervention.
func EvidenceFocuses() []Term {
	return []Term{
		{"situational", "Situational"},
		{"policing", "Policing"},
		{"developmental", "Developmental"},
		{"offender", "Offender"},
		{"community", "Community"},
	}
}

var (
	iccsRe = regexp.MustCompile(`^[0-9]{2}([0-9]{2}([0-9]{1,2})?)?$`)
	dateRe = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
)

// ValidICCS reports whether code looks like an ICCS code (2, 4, 5 or 6 digits).
func ValidICCS(code string) bool { return iccsRe.MatchString(code) }

// Validate checks the codes and ranges of a card and returns one error per
// problem, each naming its field.
func (e Evidence) Validate() []error {
	var errs []error
	bad := func(field, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, a...)))
	}
	oneOf := func(field, v string, allowed ...string) {
		if v != "" && !slices.Contains(allowed, v) {
			bad(field, "%q is not one of %s", v, strings.Join(allowed, ", "))
		}
	}
	oneOf("focus", e.Focus, codesOf(EvidenceFocuses())...)
	for _, c := range e.CrimeTypes {
		if !ValidICCS(c) {
			bad("crime_types", "%q is not an ICCS code (2, 4, 5 or 6 digits)", c)
		}
	}
	for _, p := range e.Places {
		oneOf("places", p, codesOf(PlaceTerms())...)
	}
	for _, p := range e.Populations {
		oneOf("populations", p, codesOf(PopulationTerms())...)
	}
	oneOf("effect.direction", e.Effect.Direction, "reduction", "increase", "mixed", "none")
	oneOf("effect.size", e.Effect.Size, "small", "modest", "moderate", "large")
	if e.Effect.NStudies < 0 || e.Effect.NTests < 0 || e.Effect.NRCTs < 0 {
		bad("effect", "study counts cannot be negative")
	}
	if e.Effect.CILow != nil && e.Effect.CIHigh != nil && *e.Effect.CILow > *e.Effect.CIHigh {
		bad("effect.ci_low", "the lower bound is above the upper bound")
	}
	if e.Effect.Value != nil && e.Effect.CILow != nil && e.Effect.CIHigh != nil && (*e.Effect.Value < *e.Effect.CILow || *e.Effect.Value > *e.Effect.CIHigh) {
		bad("effect.value", "outside its confidence interval")
	}
	for i, r := range e.Ratings {
		if !hasCode(Schemes(), r.Scheme) {
			bad(fmt.Sprintf("ratings[%d].scheme", i), "%q is not one of %s", r.Scheme, strings.Join(codesOf(Schemes()), ", "))
		}
		if strings.TrimSpace(r.Rating) == "" {
			bad(fmt.Sprintf("ratings[%d].rating", i), "empty")
		}
	}
	oneOf("displacement", e.Displacement, "diffusion", "little", "displacement", "not_reported")
	oneOf("backfire", e.Backfire, "yes", "no", "not_reported")
	if e.LastReviewed != "" && !dateRe.MatchString(e.LastReviewed) {
		bad("last_reviewed", "%q is not a date YYYY-MM-DD", e.LastReviewed)
	}
	for i, c := range e.Citations {
		if strings.TrimSpace(c.Text) == "" {
			bad(fmt.Sprintf("citations[%d].text", i), "empty")
		}
	}
	return errs
}

func codesOf(ts []Term) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Code
	}
	return out
}

// EvidenceOf reads the EMMIE content of a record's metadata (a JSON
// object); ok is false when there is none.
func EvidenceOf(meta []byte) (e Evidence, ok bool, err error) {
	if len(meta) == 0 {
		return e, false, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(meta, &m); err != nil {
		return e, false, fmt.Errorf("metadata: %w", err)
	}
	raw, ok := m["emmie"]
	if !ok {
		return e, false, nil
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return e, false, fmt.Errorf("metadata.emmie: %w", err)
	}
	return e, true, nil
}

// Finding is the structured content of a research finding, kept in the
// record's metadata: its type, the period it speaks of and its references.
type Finding struct {
	Type       string     `json:"finding_type"`         // trend, tension, lesson, gap
	Period     string     `json:"period,omitempty"`     // e.g. "1990s-2020s"
	Basis      string     `json:"basis,omitempty"`      // literature review, expert interviews, city interviews
	References []Citation `json:"references,omitempty"` // where it is stated
}

// FindingOf reads the finding fields of a record's metadata.
func FindingOf(meta []byte) (Finding, error) {
	var f Finding
	if len(meta) == 0 {
		return f, nil
	}
	if err := json.Unmarshal(meta, &f); err != nil {
		return f, fmt.Errorf("metadata: %w", err)
	}
	return f, nil
}

// ValidFindingType reports whether code is a finding type.
func ValidFindingType(code string) bool { return hasCode(FindingTypes(), code) }
