package trend

import (
	"fmt"
	"time"
)

// Baseline bases (BaselinePoint.Basis).
const (
	BasisSameMonth     = "same-month"
	BasisMovingAverage = "moving-average-12"
	BasisNone          = "none"
)

// Flags (BaselinePoint.Flag).
const (
	FlagNone       = ""
	FlagAbove95    = "above-95"
	FlagAbove998   = "above-99.8"
	FlagBelow95    = "below-95"
	FlagBelow998   = "below-99.8"
	limitsMethod   = "exact Poisson probability limits: central 95% (warning) and 99.8% (action) intervals of Poisson(expected), quantiles as scipy.stats.poisson.ppf"
	baselineMethod = "monthly counts against a seasonal baseline"
)

// BaselineParams configures SeasonalBaseline.
type BaselineParams struct {
	// Years is K, the number of previous years whose same calendar month
	// forms the expected count. Default 3.
	Years int `json:"years"`
}

// BaselinePoint is one month of the trend.
type BaselinePoint struct {
	Start time.Time `json:"start"`
	Label string    `json:"label"`
	Count int       `json:"count"`
	Days  int       `json:"days"`
	// Basis says where Expected came from: BasisSameMonth (mean daily rate of
	// the same calendar month in the previous K years × days in this month),
	// BasisMovingAverage (mean daily rate of the previous 12 months × days,
	// used when fewer than K years of history exist) or BasisNone (less than
	// 12 months of history: no expected value, no limits, no flag).
	Basis    string  `json:"basis"`
	Expected float64 `json:"expected"`
	// Control limits: counts outside [Lower, Upper] are unusual at that level.
	Lower95  int `json:"lower_95"`
	Upper95  int `json:"upper_95"`
	Lower998 int `json:"lower_99_8"`
	Upper998 int `json:"upper_99_8"`
	// PAbove = P(X ≥ Count), PBelow = P(X ≤ Count) under Poisson(Expected).
	PAbove float64 `json:"p_above"`
	PBelow float64 `json:"p_below"`
	Flag   string  `json:"flag,omitempty"`
}

// BaselineResult is a seasonal-baseline trend with its method card.
type BaselineResult struct {
	Method string          `json:"method"`
	Limits string          `json:"limits"`
	Params BaselineParams  `json:"params"`
	Points []BaselinePoint `json:"points"`
	// N is the number of incidents in the series; Months the number of
	// months; SameMonth / MovingAverage / NoBaseline count months by basis.
	N             int      `json:"n"`
	Months        int      `json:"months"`
	SameMonth     int      `json:"same_month"`
	MovingAverage int      `json:"moving_average"`
	NoBaseline    int      `json:"no_baseline"`
	Above         int      `json:"above"`
	Below         int      `json:"below"`
	Notes         []string `json:"notes,omitempty"`
	References    []string `json:"references"`
}

// SeasonalBaseline compares each month of a monthly series (from Counts with
// Interval Monthly, whole months only) with its expected count:
//
//   - when the previous K years all hold the same calendar month, expected =
//     (Σ counts of those K months / Σ their days) × days in this month;
//   - otherwise, when 12 previous months exist, expected = (Σ counts of the
//     previous 12 months / Σ their days) × days in this month (a moving
//     average, which does not remove seasonality: the point says so);
//   - otherwise no expected value.
//
// Limits are exact Poisson quantiles; a month is flagged when its count lies
// outside the 95% (warning) or 99.8% (action) central interval.
func SeasonalBaseline(s Series, p BaselineParams) (BaselineResult, error) {
	if s.Params.Interval != Monthly {
		return BaselineResult{}, inputErr("seasonal baseline needs a monthly series, got %q", s.Params.Interval)
	}
	if p.Years == 0 {
		p.Years = 3
	}
	if p.Years < 1 || p.Years > 50 {
		return BaselineResult{}, inputErr("years = %d: want 1–50", p.Years)
	}
	for _, q := range s.Periods {
		if q.Partial {
			return BaselineResult{}, inputErr("period %s is a partial month: use whole months", q.Label)
		}
	}
	r := BaselineResult{
		Method: fmt.Sprintf("%s: same calendar month of the previous %d years, else moving average of the previous 12 months", baselineMethod, p.Years),
		Limits: limitsMethod,
		Params: p,
		Months: len(s.Periods),
		N:      s.N,
		References: []string{
			"Montgomery D.C. (2019) Introduction to Statistical Quality Control, 8th ed., ch. 7 (c-chart; probability limits)",
			"Spiegelhalter D.J. (2005) Funnel plots for comparing institutional performance. Statistics in Medicine 24:1185–1202 (95% and 99.8% limits)",
		},
	}
	// Months are consecutive, so the same month k years earlier is 12k back.
	for i, q := range s.Periods {
		pt := BaselinePoint{Start: q.Start, Label: q.Label, Count: q.Count, Days: q.Days, Basis: BasisNone}
		var sumC, sumD int
		if i >= 12*p.Years {
			for k := 1; k <= p.Years; k++ {
				sumC += s.Periods[i-12*k].Count
				sumD += s.Periods[i-12*k].Days
			}
			pt.Basis = BasisSameMonth
		} else if i >= 12 {
			for k := i - 12; k < i; k++ {
				sumC += s.Periods[k].Count
				sumD += s.Periods[k].Days
			}
			pt.Basis = BasisMovingAverage
		}
		if pt.Basis != BasisNone {
			mu := float64(sumC) / float64(sumD) * float64(q.Days)
			pt.Expected = mu
			pt.Lower95, pt.Upper95 = PoissonQuantile(0.025, mu), PoissonQuantile(0.975, mu)
			pt.Lower998, pt.Upper998 = PoissonQuantile(0.001, mu), PoissonQuantile(0.999, mu)
			pt.PAbove, pt.PBelow = PoissonSF(q.Count, mu), PoissonCDF(q.Count, mu)
			switch {
			case q.Count > pt.Upper998:
				pt.Flag = FlagAbove998
			case q.Count > pt.Upper95:
				pt.Flag = FlagAbove95
			case q.Count < pt.Lower998:
				pt.Flag = FlagBelow998
			case q.Count < pt.Lower95:
				pt.Flag = FlagBelow95
			}
			switch pt.Flag {
			case FlagAbove95, FlagAbove998:
				r.Above++
			case FlagBelow95, FlagBelow998:
				r.Below++
			}
		}
		switch pt.Basis {
		case BasisSameMonth:
			r.SameMonth++
		case BasisMovingAverage:
			r.MovingAverage++
		default:
			r.NoBaseline++
		}
		r.Points = append(r.Points, pt)
	}
	if r.MovingAverage > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("%d months have fewer than %d years of history: their expected count is a 12-month moving average, which ignores seasonality", r.MovingAverage, p.Years))
	}
	if r.NoBaseline > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("the first %d months have less than 12 months of history: no expected count", r.NoBaseline))
	}
	r.Notes = append(r.Notes,
		"the limits treat the expected count as known and the counts as Poisson; crime counts are often over-dispersed, so expect more flags than the nominal 5% / 0.2% of months",
		"with many months examined some flags are expected by chance alone (about 1 in 20 at 95%, 1 in 500 at 99.8%)")
	return r, nil
}
