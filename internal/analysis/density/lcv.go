package density

import (
	"fmt"
	"math"
	"slices"
)

// LCVParams configures the likelihood cross-validation search.
type LCVParams struct {
	// Candidates are the bandwidths tried (metres). Empty means Count
	// values spaced evenly on a log scale from Min to Max.
	Candidates []float64 `json:"candidates,omitempty"`
	// Count defaults to 20.
	Count int `json:"count"`
	// Min defaults to max(cell size, rule/20) and Max to 2·rule, where rule
	// is Scott's bandwidth (× QuarticPerGaussian for the quartic kernel).
	Min float64 `json:"min"`
	Max float64 `json:"max"`
}

// LCVResult reports the search.
type LCVResult struct {
	Method string    `json:"method"`
	Params LCVParams `json:"params"`
	// Scores[i] is the mean leave-one-out log density (log of incidents per
	// km² per incident, i.e. of a probability density in km⁻²) at
	// Candidates[i]; the chosen bandwidth maximises it.
	Candidates []float64 `json:"candidates"`
	Scores     []float64 `json:"scores"`
	Bandwidth  float64   `json:"bandwidth"`
	// AtBoundary is true when the best candidate is the smallest or largest
	// one: the optimum may lie outside the range searched.
	AtBoundary bool     `json:"at_boundary"`
	Notes      []string `json:"notes,omitempty"`
}

// selectLCV maximises the binned leave-one-out log-likelihood
//
//	CV(h) = (1/n) Σᵢ log f̂₋ᵢ(xᵢ),  f̂₋ᵢ(xᵢ) = (S_j − k_h(0)) / ((n−1)·A),
//
// where the points are binned to cells (nearest cell), j is point i's cell,
// S = counts ⊛ k_h is the convolution with the discrete kernel (cell values
// summing to 1), k_h(0) its centre value (the point's own contribution) and
// A the cell area. One FFT of the counts serves all candidates.
func selectLCV(xs, ys []float64, g Grid, k Kernel, p LCVParams) (LCVResult, error) {
	n := len(xs)
	rule := ScottBandwidth(xs, ys)
	if k == Quartic {
		rule *= QuarticPerGaussian
	}
	if len(p.Candidates) == 0 {
		if p.Count == 0 {
			p.Count = 20
		}
		if p.Min == 0 {
			p.Min = math.Max(g.CellSize, rule/20)
		}
		if p.Max == 0 {
			p.Max = 2 * rule
		}
		if !(p.Min > 0) || !(p.Max > p.Min) || p.Count < 2 || p.Count > 200 || !finite(p.Max) {
			return LCVResult{}, inputErr("LCV search range %v–%v m with %d candidates: want 0 < min < max and 2–200 candidates", p.Min, p.Max, p.Count)
		}
		for i := 0; i < p.Count; i++ {
			p.Candidates = append(p.Candidates, p.Min*math.Pow(p.Max/p.Min, float64(i)/float64(p.Count-1)))
		}
	} else {
		p.Candidates = slices.Clone(p.Candidates)
		slices.Sort(p.Candidates)
		if !(p.Candidates[0] > 0) || !finite(p.Candidates[len(p.Candidates)-1]) {
			return LCVResult{}, inputErr("LCV candidates must be positive and finite")
		}
		p.Count, p.Min, p.Max = len(p.Candidates), p.Candidates[0], p.Candidates[len(p.Candidates)-1]
	}
	maxHalf := halfWidth(k, p.Max, g.CellSize)
	if maxHalf > 4*max(g.NX, g.NY) {
		return LCVResult{}, inputErr("largest LCV candidate %.0f m is far wider than the study area", p.Max)
	}
	counts := make([]float64, g.Cells())
	for i := range xs {
		c, _ := g.CellOf(xs[i], ys[i])
		counts[c]++
	}
	c := newConv(g, maxHalf)
	spec := c.spectrum(counts)
	area := g.CellSize * g.CellSize / 1e6
	r := LCVResult{
		Method:     "likelihood cross-validation: maximise the mean leave-one-out log density, points binned to cells, FFT convolution",
		Params:     p,
		Candidates: p.Candidates,
		Scores:     make([]float64, len(p.Candidates)),
	}
	best := -1
	floored := 0
	for ci, h := range p.Candidates {
		ks, k0 := c.kernelSpectrum(k, h)
		s := c.convolve(spec, ks)
		sum := 0.0
		for j, cnt := range counts {
			if cnt == 0 {
				continue
			}
			v := s[j] - k0
			// A point with no neighbour within the kernel's reach has
			// leave-one-out density 0 (log = −∞); it is floored at 1e-10 of
			// the centre weight so the score stays finite but heavily penalised.
			if fl := 1e-10 * k0; v < fl {
				v = fl
				if ci == 0 {
					floored += int(cnt)
				}
			}
			sum += cnt * math.Log(v/(float64(n-1)*area))
		}
		r.Scores[ci] = sum / float64(n)
		if best < 0 || r.Scores[ci] > r.Scores[best] {
			best = ci
		}
	}
	r.Bandwidth = p.Candidates[best]
	r.AtBoundary = best == 0 || best == len(p.Candidates)-1
	if r.AtBoundary {
		r.Notes = append(r.Notes, fmt.Sprintf("the best bandwidth (%.0f m) is at the edge of the range searched (%.0f–%.0f m): widen the range", r.Bandwidth, p.Min, p.Max))
	}
	if floored > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("at the smallest bandwidth %d points had no neighbour within the kernel's reach (leave-one-out density floored)", floored))
	}
	r.Notes = append(r.Notes, "when many incidents share identical coordinates (geocoded to block or address points), leave-one-out still sees the duplicates and favours small bandwidths: check the score curve and AtBoundary")
	return r, nil
}
