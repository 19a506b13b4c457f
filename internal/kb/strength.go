package kb

import (
	"strconv"
	"strings"
)

// Evidence strength classes (the "evidence strength" facet of search).
const (
	StrengthStrong   = "strong"
	StrengthModerate = "moderate"
	StrengthLimited  = "limited"
	StrengthNotRated = "not_rated"
)

// Strengths lists the evidence strength classes, strongest first.
func Strengths() []string {
	return []string{StrengthStrong, StrengthModerate, StrengthLimited, StrengthNotRated}
}

// EvidenceStrength classes a card by the quality of the evidence for its
// effect (EMMIE-Q of the E dimension) as its source states it: the Crime
// Reduction Toolkit's words ("very strong" and "strong" → strong,
// "moderate" → moderate, "limited", "low", "weak", "very low" → limited) or
// its older 0-4 scores (3-4 → strong, 2 → moderate, 0-1 → limited, read
// from the leading digit, e.g. "3 (old CRT score)"). Anything else,
// including no rating, is not rated: nothing is inferred from the effect
// size or the number of studies.
func EvidenceStrength(e Evidence) string {
	q := strings.ToLower(strings.TrimSpace(e.Quality.Effect))
	if q == "" {
		return StrengthNotRated
	}
	if d := q[0]; d >= '0' && d <= '9' && (len(q) == 1 || q[1] < '0' || q[1] > '9') {
		n, _ := strconv.Atoi(q[:1])
		switch {
		case n >= 3 && n <= 4:
			return StrengthStrong
		case n == 2:
			return StrengthModerate
		case n <= 1:
			return StrengthLimited
		}
		return StrengthNotRated
	}
	switch {
	case strings.HasPrefix(q, "very strong"), strings.HasPrefix(q, "strong"):
		return StrengthStrong
	case strings.HasPrefix(q, "moderate"):
		return StrengthModerate
	case strings.HasPrefix(q, "limited"), strings.HasPrefix(q, "low"), strings.HasPrefix(q, "weak"), strings.HasPrefix(q, "very low"):
		return StrengthLimited
	}
	return StrengthNotRated
}

// StrengthOf returns the evidence strength of a record's metadata, "" when
// it holds no evidence card.
func StrengthOf(kind string, meta []byte) string {
	if kind != KindEvidence {
		return ""
	}
	e, ok, err := EvidenceOf(meta)
	if err != nil || !ok {
		return StrengthNotRated
	}
	return EvidenceStrength(e)
}
