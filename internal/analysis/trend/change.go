package trend

import (
	"encoding/json"
	"fmt"
	"math"
)

// ChangeParams configures Change.
type ChangeParams struct {
	// Confidence level of the intervals; default 0.95.
	Confidence float64 `json:"confidence"`
	// ExposureBefore and ExposureAfter are the lengths of the two periods (in
	// any one unit, e.g. days); default 1 each, i.e. equal periods. The rate
	// ratio compares counts per unit of exposure.
	ExposureBefore float64 `json:"exposure_before"`
	ExposureAfter  float64 `json:"exposure_after"`
}

// CI is a confidence interval for the rate ratio (after / before) and the
// matching percentage change 100·(ratio − 1). Bounds that do not exist are
// ±Inf or NaN in Go and null in JSON; Defined is false when the method
// cannot be applied (e.g. the log-normal method with a zero count).
type CI struct {
	Method     string  `json:"method"`
	Defined    bool    `json:"defined"`
	Lower      float64 `json:"lower"`
	Upper      float64 `json:"upper"`
	PctLower   float64 `json:"pct_lower"`
	PctUpper   float64 `json:"pct_upper"`
	Confidence float64 `json:"confidence"`
}

// MarshalJSON writes non-finite bounds as null.
func (c CI) MarshalJSON() ([]byte, error) {
	f := func(v float64) *float64 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		return &v
	}
	return json.Marshal(struct {
		Method     string   `json:"method"`
		Defined    bool     `json:"defined"`
		Lower      *float64 `json:"lower"`
		Upper      *float64 `json:"upper"`
		PctLower   *float64 `json:"pct_lower"`
		PctUpper   *float64 `json:"pct_upper"`
		Confidence float64  `json:"confidence"`
	}{c.Method, c.Defined, f(c.Lower), f(c.Upper), f(c.PctLower), f(c.PctUpper), c.Confidence})
}

// ChangeResult compares two periods' counts.
type ChangeResult struct {
	Method string       `json:"method"`
	Params ChangeParams `json:"params"`
	Before int          `json:"before"`
	After  int          `json:"after"`
	// RateRatio = (After/ExposureAfter) / (Before/ExposureBefore);
	// PercentChange = 100·(RateRatio − 1). +Inf/NaN when Before = 0.
	RateRatio     float64 `json:"-"`
	PercentChange float64 `json:"-"`
	// Exact is the conditional binomial (Clopper–Pearson) interval, the
	// primary one; LogNormal the large-sample approximation.
	Exact     CI `json:"exact"`
	LogNormal CI `json:"log_normal"`
	// PValue is the two-sided exact conditional binomial test of equal rates.
	PValue     float64  `json:"p_value"`
	Test       string   `json:"test"`
	Notes      []string `json:"notes,omitempty"`
	References []string `json:"references"`
}

// MarshalJSON adds the rate ratio and percentage change (null when not finite).
func (r ChangeResult) MarshalJSON() ([]byte, error) {
	type plain ChangeResult
	f := func(v float64) *float64 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		return &v
	}
	return json.Marshal(struct {
		plain
		RateRatio     *float64 `json:"rate_ratio"`
		PercentChange *float64 `json:"percent_change"`
	}{plain(r), f(r.RateRatio), f(r.PercentChange)})
}

// Change compares the count after with the count before, both Poisson.
//
// Exact method: conditional on the total n = before + after, after ~
// Binomial(n, π) with π = E_a·R / (E_b + E_a·R), R the rate ratio. The
// Clopper–Pearson interval [πL, πU] for π becomes R = π/(1−π) · E_b/E_a.
// The test of R = 1 is the exact two-sided binomial test of π0 = E_a/(E_b+E_a).
//
// Log-normal method: log R̂ ± z·√(1/before + 1/after); undefined if a count is 0.
func Change(before, after int, p ChangeParams) (ChangeResult, error) {
	if before < 0 || after < 0 {
		return ChangeResult{}, inputErr("counts must be ≥ 0 (before %d, after %d)", before, after)
	}
	if p.Confidence == 0 {
		p.Confidence = 0.95
	}
	if !(p.Confidence > 0 && p.Confidence < 1) {
		return ChangeResult{}, inputErr("confidence %v: want 0 < c < 1", p.Confidence)
	}
	if p.ExposureBefore == 0 {
		p.ExposureBefore = 1
	}
	if p.ExposureAfter == 0 {
		p.ExposureAfter = 1
	}
	if !(p.ExposureBefore > 0) || !(p.ExposureAfter > 0) || math.IsInf(p.ExposureBefore, 0) || math.IsInf(p.ExposureAfter, 0) {
		return ChangeResult{}, inputErr("exposures must be positive and finite")
	}
	if before+after == 0 {
		return ChangeResult{}, inputErr("both counts are 0: nothing to compare")
	}
	eb, ea := p.ExposureBefore, p.ExposureAfter
	alpha := 1 - p.Confidence
	n := before + after
	r := ChangeResult{
		Method: "ratio of two Poisson rates (after / before)",
		Params: p,
		Before: before,
		After:  after,
		Test:   "exact conditional binomial test, two-sided (minimum-likelihood p-value)",
		References: []string{
			"Clopper C.J., Pearson E.S. (1934) Biometrika 26:404–413",
			"Ulm K. (1990) A simple method to calculate the confidence interval of a standardized mortality ratio. American Journal of Epidemiology 131:373–375",
			"Rothman K.J., Greenland S., Lash T.L. (2008) Modern Epidemiology, 3rd ed., ch. 14 (log-normal interval for a rate ratio)",
			"Gu K., Ng H.K.T., Tang M.L., Schucany W.R. (2008) Testing the ratio of two Poisson rates. Biometrical Journal 50:283–298",
		},
	}
	toRatio := func(pi float64) float64 {
		if pi >= 1 {
			return math.Inf(1)
		}
		return pi / (1 - pi) * eb / ea
	}
	r.RateRatio = (float64(after) / ea) / (float64(before) / eb)
	r.PercentChange = 100 * (r.RateRatio - 1)
	// Clopper–Pearson on the binomial split.
	lo, hi := 0.0, 1.0
	if after > 0 {
		lo = betaQuantile(alpha/2, float64(after), float64(n-after+1))
	}
	if after < n {
		hi = betaQuantile(1-alpha/2, float64(after+1), float64(n-after))
	}
	r.Exact = CI{
		Method:     "exact conditional (Clopper–Pearson interval for the binomial split after/(before+after))",
		Defined:    true,
		Lower:      toRatio(lo),
		Upper:      toRatio(hi),
		Confidence: p.Confidence,
	}
	r.Exact.PctLower, r.Exact.PctUpper = 100*(r.Exact.Lower-1), 100*(r.Exact.Upper-1)
	r.LogNormal = CI{
		Method:     "log-normal (Wald) approximation: exp(log R ± z·√(1/before + 1/after))",
		Confidence: p.Confidence,
		Lower:      math.NaN(), Upper: math.NaN(), PctLower: math.NaN(), PctUpper: math.NaN(),
	}
	if before > 0 && after > 0 {
		z := NormalQuantile(1 - alpha/2)
		se := math.Sqrt(1/float64(before) + 1/float64(after))
		l := math.Log(r.RateRatio)
		r.LogNormal.Defined = true
		r.LogNormal.Lower, r.LogNormal.Upper = math.Exp(l-z*se), math.Exp(l+z*se)
		r.LogNormal.PctLower, r.LogNormal.PctUpper = 100*(r.LogNormal.Lower-1), 100*(r.LogNormal.Upper-1)
	} else {
		r.Notes = append(r.Notes, "a count is 0: the log-normal interval is undefined; use the exact interval")
	}
	r.PValue = binomTestTwoSided(after, n, ea/(eb+ea))
	if n < 20 {
		r.Notes = append(r.Notes, fmt.Sprintf("only %d incidents in total: the interval is wide and the approximation is poor; rely on the exact method", n))
	}
	r.Notes = append(r.Notes, "the Poisson model ignores over-dispersion and regression to the mean: a period picked because it was unusually high tends to fall back by itself")
	return r, nil
}
