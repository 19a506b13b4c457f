package hotspot

import (
	"math"
	"sort"
)

// BenjaminiHochberg controls the false discovery rate at level alpha over the
// p-values p (Benjamini & Hochberg 1995). With the m finite p-values sorted,
// p(1) <= ... <= p(m), it rejects the hypotheses with the k smallest, k the
// largest rank with p(k) <= k·alpha/m. It returns that mask and the adjusted
// p-values (q-values) q(i) = min_{j>=i} min(1, m·p(j)/j), so that q <= alpha
// exactly for the rejected hypotheses. NaN p-values (e.g. observations
// without neighbours) are not counted in m, are never significant and get a
// NaN q-value.
//
// esda's fdr() differs: it returns only the cut-off, uses a strict
// p(k) < k·alpha/m, and falls back to Bonferroni (alpha/m) when nothing
// passes.
func BenjaminiHochberg(p []float64, alpha float64) (significant []bool, q []float64) {
	significant = make([]bool, len(p))
	q = make([]float64, len(p))
	order := make([]int, 0, len(p))
	for i, v := range p {
		if math.IsNaN(v) {
			q[i] = math.NaN()
			continue
		}
		order = append(order, i)
	}
	sort.SliceStable(order, func(a, b int) bool { return p[order[a]] < p[order[b]] })
	m := float64(len(order))
	running := 1.0
	for r := len(order) - 1; r >= 0; r-- {
		i := order[r]
		v := math.Min(1, p[i]*m/float64(r+1))
		running = math.Min(running, v)
		q[i] = running
	}
	for _, i := range order {
		significant[i] = q[i] <= alpha
	}
	return significant, q
}
