package trend

import (
	"math"
)

// MannKendallResult is the Mann-Kendall test for a monotonic trend.
type MannKendallResult struct {
	// N is the series length; S = Σ_{i<j} sign(x_j − x_i).
	N int     `json:"n"`
	S float64 `json:"s"`
	// VarS is S's variance under no trend, corrected for ties:
	// [n(n−1)(2n+5) − Σ_g t_g(t_g−1)(2t_g+5)] / 18 over groups of t_g equal
	// values.
	VarS float64 `json:"var_s"`
	// Z is the normal score with continuity correction: (S−1)/√VarS for
	// S > 0, (S+1)/√VarS for S < 0, 0 for S = 0.
	Z float64 `json:"z"`
	// P is the two-sided p-value 2(1 − Φ(|Z|)).
	P float64 `json:"p"`
	// Tau is Kendall's tau-b between time and the series: S divided by
	// √(n(n−1)/2 · (n(n−1)/2 − Σ_g t_g(t_g−1)/2)); 0 when the series is
	// constant.
	Tau float64 `json:"tau"`
}

// MannKendall tests x (in time order, equally spaced) for a monotonic trend
// (Mann 1945; Kendall 1975), with the variance corrected for ties. It needs
// at least 3 finite values. The normal approximation is poor below about 10
// values. O(n²) time (fine for the tens to hundreds of periods of a hot-spot
// change analysis).
func MannKendall(x []float64) (MannKendallResult, error) {
	n := len(x)
	if n < 3 {
		return MannKendallResult{}, inputErr("Mann-Kendall needs at least 3 periods, got %d", n)
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return MannKendallResult{}, inputErr("Mann-Kendall: value %d is not finite", i)
		}
	}
	r := MannKendallResult{N: n}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			switch {
			case x[j] > x[i]:
				r.S++
			case x[j] < x[i]:
				r.S--
			}
		}
	}
	// tie groups
	seen := make(map[float64]int, n)
	for _, v := range x {
		seen[v]++
	}
	fn := float64(n)
	tie, tiePairs := 0.0, 0.0
	for _, t := range seen {
		ft := float64(t)
		tie += ft * (ft - 1) * (2*ft + 5)
		tiePairs += ft * (ft - 1) / 2
	}
	r.VarS = (fn*(fn-1)*(2*fn+5) - tie) / 18
	switch {
	case r.VarS <= 0 || r.S == 0:
		r.Z = 0
	case r.S > 0:
		r.Z = (r.S - 1) / math.Sqrt(r.VarS)
	default:
		r.Z = (r.S + 1) / math.Sqrt(r.VarS)
	}
	r.P = math.Erfc(math.Abs(r.Z) / math.Sqrt2)
	pairs := fn * (fn - 1) / 2
	if d := math.Sqrt(pairs * (pairs - tiePairs)); d > 0 {
		r.Tau = r.S / d
	}
	return r, nil
}
