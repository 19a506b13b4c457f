package hotspot

import (
	"context"
	"math"

	"github.com/icarus-city/icarus/internal/analysis/trend"
)

// Pattern is a location's hot-spot change category (ESRI's Emerging Hot
// Spot Analysis categories; the decision rules are in
// docs/methods/hotspot-change.md).
type Pattern string

// Patterns. Each hot pattern has a cold mirror with hot and cold swapped and
// "increasing" read as "increasingly cold" (a falling Gi* z-score).
const (
	NoPattern        Pattern = "none"
	NewHot           Pattern = "new_hot"
	ConsecutiveHot   Pattern = "consecutive_hot"
	IntensifyingHot  Pattern = "intensifying_hot"
	PersistentHot    Pattern = "persistent_hot"
	DiminishingHot   Pattern = "diminishing_hot"
	SporadicHot      Pattern = "sporadic_hot"
	OscillatingHot   Pattern = "oscillating_hot"
	HistoricalHot    Pattern = "historical_hot"
	NewCold          Pattern = "new_cold"
	ConsecutiveCold  Pattern = "consecutive_cold"
	IntensifyingCold Pattern = "intensifying_cold"
	PersistentCold   Pattern = "persistent_cold"
	DiminishingCold  Pattern = "diminishing_cold"
	SporadicCold     Pattern = "sporadic_cold"
	OscillatingCold  Pattern = "oscillating_cold"
	HistoricalCold   Pattern = "historical_cold"
)

// Patterns lists every pattern in display order (hot, cold, none).
func Patterns() []Pattern {
	return []Pattern{NewHot, ConsecutiveHot, IntensifyingHot, PersistentHot, DiminishingHot, SporadicHot, OscillatingHot, HistoricalHot,
		NewCold, ConsecutiveCold, IntensifyingCold, PersistentCold, DiminishingCold, SporadicCold, OscillatingCold, HistoricalCold, NoPattern}
}

// EmergingOptions configures EmergingHotSpots.
type EmergingOptions struct {
	// Transform of the Gi* weights (binary by default, as sfhotspot and
	// ESRI's fixed-distance neighbourhoods).
	Transform Transform
	// Alpha is the significance level of a period's Gi* (two-sided); 0
	// means 0.05.
	Alpha float64
	// NoFDR turns off the Benjamini-Hochberg control of the false discovery
	// rate among the locations of each period (on by default, as ESRI's
	// Emerging Hot Spot Analysis).
	NoFDR bool
	// TrendAlpha is the significance level of the Mann-Kendall test of the
	// Gi* z-scores; 0 means 0.05.
	TrendAlpha float64
	// Share is the share of periods that makes a hot (cold) spot
	// "persistent", "intensifying", "diminishing" or "historical"; 0 means
	// 0.9 (ESRI's 90 %).
	Share float64
	// Permutations > 0 uses conditional-permutation pseudo p-values (two-
	// sided, tie-aware) instead of the normal approximation; Seed makes
	// them reproducible (period t uses Seed + t).
	Permutations int
	Seed         uint64
}

func (o *EmergingOptions) resolve() error {
	if o.Alpha == 0 {
		o.Alpha = 0.05
	}
	if o.TrendAlpha == 0 {
		o.TrendAlpha = 0.05
	}
	if o.Share == 0 {
		o.Share = 0.9
	}
	if !(o.Alpha > 0 && o.Alpha < 1) || !(o.TrendAlpha > 0 && o.TrendAlpha < 1) {
		return inputErr("significance levels %v and %v: want numbers in (0, 1)", o.Alpha, o.TrendAlpha)
	}
	if !(o.Share > 0.5 && o.Share <= 1) {
		return inputErr("share %v: want a fraction in (0.5, 1]", o.Share)
	}
	if o.Permutations < 0 {
		return inputErr("negative number of permutations")
	}
	return nil
}

// EmergingResult holds, per location, its pattern and the series behind it.
type EmergingResult struct {
	// Pattern[i] is location i's category.
	Pattern []Pattern
	// Z[t][i] is location i's Gi* z-score in period t (0 in a period
	// without any incident); Hot[t][i] / Cold[t][i] say whether it was a
	// significant hot / cold spot then.
	Z         [][]float64
	Hot, Cold [][]bool
	// HotPeriods[i] and ColdPeriods[i] count the significant periods.
	HotPeriods, ColdPeriods []int
	// Trend[i] is the Mann-Kendall test of location i's z-scores over time.
	Trend []trend.MannKendallResult
	// Counts per pattern.
	Counts map[Pattern]int
	// EmptyPeriods lists periods without any incident (Gi* undefined:
	// nothing is significant then).
	EmptyPeriods []int
	Options      EmergingOptions
}

// EmergingHotSpots classifies locations by how their hot- or cold-spot
// status changed over time: Gi* (self included) of values[t] in each period
// t with weights w, then a Mann-Kendall trend test of each location's Gi*
// z-scores, then the rules of docs/methods/hotspot-change.md (after ESRI's
// Emerging Hot Spot Analysis). values[t][i] is location i's count (or rate)
// in period t, periods in time order and equally long; at least 3 periods
// (10 or more are advised).
func EmergingHotSpots(ctx context.Context, values [][]float64, w *Weights, opt EmergingOptions) (*EmergingResult, error) {
	if err := opt.resolve(); err != nil {
		return nil, err
	}
	T := len(values)
	if T < 3 {
		return nil, inputErr("%d periods: the trend test needs at least 3 (10 or more are advised)", T)
	}
	if w == nil || w.N < 2 {
		return nil, inputErr("need weights over at least 2 locations")
	}
	n := w.N
	if float64(T)*float64(T-1)/2*float64(n) > 2e9 {
		return nil, inputErr("%d periods × %d locations: the trend tests would compare %.3g pairs (at most 2e9): use longer periods or fewer locations", T, n, float64(T)*float64(T-1)/2*float64(n))
	}
	for t, v := range values {
		if len(v) != n {
			return nil, inputErr("period %d has %d values for %d locations", t, len(v), n)
		}
		for i, y := range v {
			if math.IsNaN(y) || math.IsInf(y, 0) || y < 0 {
				return nil, inputErr("period %d, location %d: value %v (want a non-negative count or rate)", t, i, y)
			}
		}
	}
	r := &EmergingResult{Pattern: make([]Pattern, n), Z: make([][]float64, T), Hot: make([][]bool, T), Cold: make([][]bool, T),
		HotPeriods: make([]int, n), ColdPeriods: make([]int, n), Trend: make([]trend.MannKendallResult, n), Counts: map[Pattern]int{}, Options: opt}
	for t, v := range values {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r.Z[t], r.Hot[t], r.Cold[t] = make([]float64, n), make([]bool, n), make([]bool, n)
		sum := 0.0
		for _, y := range v {
			sum += y
		}
		if sum == 0 {
			r.EmptyPeriods = append(r.EmptyPeriods, t)
			continue
		}
		g, err := LocalG(v, w, LocalGOptions{Star: true, Transform: opt.Transform, Permutations: opt.Permutations, Seed: opt.Seed + uint64(t)})
		if err != nil {
			return nil, err
		}
		p := make([]float64, n)
		for i := range p {
			if opt.Permutations > 0 {
				p[i] = g.PSimTwoSided[i]
			} else {
				p[i] = math.Min(1, 2*g.PNorm[i])
			}
			if math.IsNaN(p[i]) {
				p[i] = 1
			}
			z := g.Z[i]
			if math.IsNaN(z) { // a location whose neighbourhood holds all the values
				z = 0
			}
			r.Z[t][i] = z
		}
		var sig []bool
		if opt.NoFDR {
			sig = make([]bool, n)
			for i := range p {
				sig[i] = p[i] <= opt.Alpha
			}
		} else {
			sig, _ = BenjaminiHochberg(p, opt.Alpha)
		}
		for i := range sig {
			if sig[i] && r.Z[t][i] > 0 {
				r.Hot[t][i] = true
				r.HotPeriods[i]++
			} else if sig[i] && r.Z[t][i] < 0 {
				r.Cold[t][i] = true
				r.ColdPeriods[i]++
			}
		}
	}
	series := make([]float64, T)
	hot, cold := make([]bool, T), make([]bool, T)
	for i := 0; i < n; i++ {
		for t := 0; t < T; t++ {
			series[t], hot[t], cold[t] = r.Z[t][i], r.Hot[t][i], r.Cold[t][i]
		}
		mk, err := trend.MannKendall(series)
		if err != nil {
			return nil, err
		}
		r.Trend[i] = mk
		up := mk.P < opt.TrendAlpha && mk.S > 0
		down := mk.P < opt.TrendAlpha && mk.S < 0
		p := classify(hot, cold, up, down, opt.Share, false)
		if p == NoPattern {
			p = classify(cold, hot, down, up, opt.Share, true)
		}
		r.Pattern[i] = p
		r.Counts[p]++
	}
	return r, nil
}

// classify applies the rules to a location's significant periods "on" (hot,
// or cold with mirror) against the opposite kind "off". more/less are a
// significant Mann-Kendall trend towards / away from "on" (for cold spots,
// a falling z-score is "more").
func classify(on, off []bool, more, less bool, share float64, mirror bool) Pattern {
	T := len(on)
	k := 0
	for _, b := range on {
		if b {
			k++
		}
	}
	pick := func(hot, cold Pattern) Pattern {
		if mirror {
			return cold
		}
		return hot
	}
	if k == 0 {
		return NoPattern
	}
	mostly := float64(k) >= share*float64(T)
	if !on[T-1] {
		if mostly {
			return pick(HistoricalHot, HistoricalCold)
		}
		return NoPattern
	}
	run := 0
	for t := T - 1; t >= 0 && on[t]; t-- {
		run++
	}
	anyOff := false
	for _, b := range off {
		anyOff = anyOff || b
	}
	switch {
	case mostly && more:
		return pick(IntensifyingHot, IntensifyingCold)
	case mostly && less:
		return pick(DiminishingHot, DiminishingCold)
	case mostly:
		return pick(PersistentHot, PersistentCold)
	case anyOff:
		return pick(OscillatingHot, OscillatingCold)
	case k == 1:
		return pick(NewHot, NewCold)
	case run == k && run >= 2:
		return pick(ConsecutiveHot, ConsecutiveCold)
	}
	return pick(SporadicHot, SporadicCold)
}
