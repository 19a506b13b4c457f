// Package kb is the knowledge base capability: the kinds of records, the
// IcARUS taxonomies (focus areas, cross-cutting issues, approaches),
// language detection and text extraction from documents. It is pure: it
// takes bytes and returns values, and never touches the store, the web or
// the file system (docs/knowledge-base.md).
package kb

import "slices"

// Kinds of knowledge-base records.
const (
	KindTool     = "tool"     // a tool in the IcARUS tool template (the six pilots, a city's own)
	KindPractice = "practice" // a practice or programme
	KindEvidence = "evidence" // an evidence card for an intervention (EMMIE)
	KindFinding  = "finding"  // a research finding: trend, tension, lesson, knowledge gap
	KindDocument = "document" // a policy, strategy, evaluation or report with its full text
)

// Kinds lists the record kinds in display order.
func Kinds() []string {
	return []string{KindTool, KindPractice, KindEvidence, KindFinding, KindDocument}
}

// Term is one entry of a taxonomy: a stable code and an English label (the
// web UI translates codes through its catalogs).
type Term struct {
	Code  string
	Label string
}

// FocusAreas are the four IcARUS focus areas.
func FocusAreas() []Term {
	return []Term{
		{"juvenile_delinquency", "Preventing juvenile delinquency"},
		{"radicalisation", "Preventing radicalisation leading to violent extremism"},
		{"public_spaces", "Designing and managing safe public spaces"},
		{"organised_crime", "Preventing and reducing trafficking and organised crime"},
	}
}

// CrossCuttingIssues are the four IcARUS cross-cutting issues.
func CrossCuttingIssues() []Term {
	return []Term{
		{"governance", "Governance and diversification of actors"},
		{"technology", "Technological change"},
		{"gender", "Gender"},
		{"transnational", "Transnational and cross-border issues"},
	}
}

// Approaches are the approaches of an intervention: the broad aim
// (prevention, sanction, social cohesion) and the type of prevention.
func Approaches() []Term {
	return []Term{
		{"prevention", "Prevention"},
		{"sanction", "Sanction"},
		{"social_cohesion", "Social cohesion"},
		{"situational", "Situational"},
		{"social", "Social"},
		{"developmental", "Developmental"},
		{"community", "Community"},
		{"criminal_justice", "Criminal justice"},
		{"administrative", "Administrative"},
		{"victim_focused", "Victim-focused"},
	}
}

// FindingTypes are the types of research findings of the IcARUS review.
func FindingTypes() []Term {
	return []Term{
		{"trend", "Trend"},
		{"tension", "Tension"},
		{"lesson", "Lesson"},
		{"gap", "Knowledge gap"},
	}
}

func hasCode(ts []Term, code string) bool {
	return slices.ContainsFunc(ts, func(t Term) bool { return t.Code == code })
}

// ValidKind reports whether k is a record kind.
func ValidKind(k string) bool { return slices.Contains(Kinds(), k) }

// ValidFocusArea reports whether code is a focus area ("" is not).
func ValidFocusArea(code string) bool { return hasCode(FocusAreas(), code) }

// ValidCrossCutting reports whether code is a cross-cutting issue.
func ValidCrossCutting(code string) bool { return hasCode(CrossCuttingIssues(), code) }

// ValidApproach reports whether code is an approach.
func ValidApproach(code string) bool { return hasCode(Approaches(), code) }

// Item is a knowledge-base record as the capability sees it (the store
// keeps it as store.KBItem; callers convert).
type Item struct {
	Key          string         `json:"key"`
	Kind         string         `json:"kind"`
	Title        string         `json:"title"`
	Summary      string         `json:"summary,omitempty"`
	Body         string         `json:"body,omitempty"`
	Language     string         `json:"language,omitempty"`
	FocusArea    string         `json:"focus_area,omitempty"`
	CrossCutting []string       `json:"cross_cutting,omitempty"`
	Approaches   []string       `json:"approaches,omitempty"`
	City         string         `json:"city,omitempty"`
	Country      string         `json:"country,omitempty"`
	Year         int            `json:"year,omitempty"`
	Source       string         `json:"source,omitempty"`
	Metadata     map[string]any `json:"metadata,omitempty"`
}
