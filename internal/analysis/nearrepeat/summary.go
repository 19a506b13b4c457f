package nearrepeat

import (
	"fmt"
	"math"
	"strconv"
)

// Finding is one cell of the tables, described in plain words.
type Finding struct {
	Row, Col int
	// Space and Time describe the cell: Space is "at the same location",
	// "within 100 m" or "100-200 m"; Time is "on the same day", "0-1 days"
	// or "2-3 days".
	Space, Time string
	Observed    int64
	Expected    float64
	Ratio       float64
	P           float64
}

// Pattern is the kind of pattern a summary reports.
type Pattern string

const (
	// NearRepeat: an excess of pairs close in space and time.
	NearRepeat Pattern = "near-repeat"
	// Repeat: the excess is at the same location only (NRC mode).
	Repeat Pattern = "repeat"
	// NoPattern: no cell close in space and time has a significant excess.
	NoPattern Pattern = "none"
	// TooFewIterations: no p-value can reach alpha with this many permutations.
	TooFewIterations Pattern = "too-few-iterations"
)

// Summary is a short reading of a Result: the facts, and one English
// sentence made from them (the facts are there to be translated).
type Summary struct {
	Pattern Pattern
	Alpha   float64
	// Excess are the cells close in space and time (not a "more than"
	// row or column) with more pairs than expected and p <= Alpha, nearest
	// first (by distance band, then time band).
	Excess []Finding
	// Headline is the cell the sentence is about (the first of Excess).
	Headline *Finding
	Text     string
}

// Summarize reads r at significance level alpha (0.05 if alpha <= 0).
// Cells are tested one by one: with many cells, some will pass by chance.
func Summarize(r *Result, alpha float64) Summary {
	if alpha <= 0 || alpha >= 1 {
		alpha = 0.05
	}
	s := Summary{Alpha: alpha, Pattern: NoPattern}
	if r.Iterations == 0 || 1/float64(r.Iterations+1) > alpha {
		s.Pattern = TooFewIterations
		need := int(math.Ceil(1/alpha)) - 1
		s.Text = fmt.Sprintf("%d permutations are too few for any cell to reach p <= %s; run at least %d (999 is usual).", r.Iterations, pstr(alpha), need)
		return s
	}
	for b := 0; b+1 < len(r.SpaceBands); b++ {
		for c := 0; c+1 < len(r.TimeBands); c++ {
			ratio, p := r.KnoxRatio[b][c], r.PValue[b][c]
			if p <= alpha && ratio > 1 && !math.IsNaN(ratio) {
				s.Excess = append(s.Excess, Finding{
					Row: b, Col: c,
					Space: spacePhrase(r.SpaceBands[b]), Time: timePhrase(r.TimeBands[c]),
					Observed: r.Observed[b][c], Expected: r.Expected[b][c], Ratio: ratio, P: p,
				})
			}
		}
	}
	if len(s.Excess) == 0 {
		sb, tb := r.SpaceBands[len(r.SpaceBands)-1], r.TimeBands[len(r.TimeBands)-1]
		s.Text = fmt.Sprintf("No near-repeat pattern: pairs of events less than %s m and %d days apart are not more frequent than expected if timing were random (p <= %s in no cell).", num(sb.Min), int(tb.Min), pstr(alpha))
		return s
	}
	h := s.Excess[0]
	s.Headline = &h
	s.Pattern = NearRepeat
	label := "a near-repeat pattern"
	if r.SpaceBands[h.Row].SameLocation {
		allSame := true
		for _, f := range s.Excess {
			allSame = allSame && r.SpaceBands[f.Row].SameLocation
		}
		if allSame {
			s.Pattern, label = Repeat, "a repeat-victimisation pattern (same place), not a near-repeat one"
		} else {
			label = "repeat victimisation, with a near-repeat pattern around it"
		}
	}
	var space string
	switch {
	case r.SpaceBands[h.Row].SameLocation:
		space = "at the same location as an earlier event"
	default:
		space = h.Space + " of an earlier event"
	}
	when := h.Time + " after it"
	if h.Col == 0 && r.TimeBands[0].Max == 1 {
		when = h.Time
	}
	s.Text = fmt.Sprintf("Events %s and %s are %s times as frequent as expected if timing were random (p = %s): %s.",
		space, when, strconv.FormatFloat(h.Ratio, 'f', 1, 64), pstr(h.P), label)
	if more := len(s.Excess) - 1; more > 0 {
		maxS, maxT := 0, 0
		for _, f := range s.Excess {
			maxS, maxT = max(maxS, f.Row), max(maxT, f.Col)
		}
		cells := "cell"
		if more > 1 {
			cells = "cells"
		}
		s.Text += fmt.Sprintf(" %d other %s also show a significant excess, up to %s and %s.", more, cells,
			upTo(r.SpaceBands[maxS]), upToDays(r.TimeBands[maxT]))
	}
	return s
}

func pstr(p float64) string { return strconv.FormatFloat(p, 'g', 2, 64) }

// spacePhrase describes a distance band: "at the same location", "within
// 100 m", "100-200 m".
func spacePhrase(b Band) string {
	switch {
	case b.SameLocation:
		return "at the same location"
	case b.Min == 0:
		return "within " + num(b.Max) + " m"
	case b.Last:
		return num(b.Min) + " m or more"
	}
	return num(b.Min) + "-" + num(b.Max) + " m"
}

// timePhrase describes a band of whole days: "on the same day", "1 day",
// "0-1 days".
func timePhrase(b Band) string {
	lo := int(b.Min)
	if b.Last {
		return strconv.Itoa(lo) + " days or more"
	}
	hi := int(b.Max) - 1
	if lo == 0 && hi == 0 {
		return "on the same day"
	}
	return dayRange(lo, hi)
}

func upTo(b Band) string {
	if b.SameLocation {
		return "the same location"
	}
	return num(b.Max) + " m"
}

func upToDays(b Band) string {
	hi := int(b.Max) - 1
	if hi == 1 {
		return "1 day"
	}
	return strconv.Itoa(hi) + " days"
}
