package hotspot

import (
	"math"
)

// Transform is how weights are scaled before a statistic is computed.
type Transform int

const (
	// Binary sets every neighbour weight (and the Gi* self-weight) to 1:
	// PySAL's transform "B".
	Binary Transform = iota
	// RowStandardised divides each row, self-weight included for Gi*, by its
	// sum: PySAL's transform "R".
	RowStandardised
)

func (t Transform) String() string {
	if t == RowStandardised {
		return "row"
	}
	return "binary"
}

// LocalGOptions configures LocalG.
type LocalGOptions struct {
	// Star computes Gi*: observation i is its own neighbour. Its self-weight
	// is 1 for binary weights; for row-standardised weights it is the row's
	// largest weight (1 for binary input) before the row is divided by its
	// sum, so a binary row with k neighbours has weights 1/(k+1), as esda's
	// G_Local(star=True, transform="R") does.
	Star      bool
	Transform Transform
	// Permutations of conditional randomisation (0: analytical inference
	// only) and the seed of their random streams.
	Permutations int
	Seed         uint64
	// SimMoments also returns the mean, standard deviation and z-score of
	// the simulated statistics (EGSim, SeGSim, ZSim). They cost draws the
	// p-values alone do not need; the p-values are the same either way.
	SimMoments bool
}

// LocalGResult holds the local G statistics, one entry per observation.
type LocalGResult struct {
	G  []float64 // G_i (Getis & Ord 1992), or Gi* with Star
	EG []float64 // expectation under the null
	VG []float64 // variance under the null (esda's VGs)
	Z  []float64 // (G - EG) / sqrt(VG)
	// PNorm is the one-tailed normal p-value of |Z|, as esda's p_norm (double
	// it for a two-sided test).
	PNorm []float64
	// With Permutations > 0: the folded ("directed") pseudo p-value
	// (min(larger, P-larger)+1)/(P+1), NaN for observations without
	// neighbours, and the mean, standard deviation and z-score of the
	// simulated statistics (with SimMoments).
	PSim, EGSim, SeGSim, ZSim []float64
	// PSimTwoSided is 2·min(upper, lower tail), each tail counting ties,
	// capped at 1: the p-value to use for a two-sided decision (hot or cold)
	// and for false-discovery control. esda's folded PSim counts ties only
	// in the upper tail, so an empty cell among empty cells gets the
	// smallest possible PSim although it is unremarkable; here it gets 1.
	PSimTwoSided []float64
}

// LocalG computes Getis-Ord local G (or Gi* with opt.Star) for non-negative
// values y with spatial weights w (whose stored weights give the neighbour
// structure; the self-weight is added here for Gi*).
//
// For each i, with the self term removed (Gi) or kept (Gi*):
//
//	G_i  = Σ_j w_ij y_j / (Σ_j y_j - y_i)        (Gi)
//	G*_i = Σ_j w_ij y_j / Σ_j y_j, w_ii > 0       (Gi*)
//	N = n - 1 (Gi) or n (Gi*);  W_i = Σ_j w_ij (self-weight included for Gi*)
//	E[G_i] = W_i / N
//	V[G_i] = W_i (N - W_i) / (N - 1) / N² · s_i² / ȳ_i²
//
// where ȳ_i and s_i² are the mean and (population) variance of the N values
// that enter the denominator. These are esda's G_Local moments; for
// row-standardised weights W_i = 1.
func LocalG(y []float64, w *Weights, opt LocalGOptions) (*LocalGResult, error) {
	if err := checkValues(y, w, true); err != nil {
		return nil, err
	}
	if opt.Permutations < 0 {
		return nil, inputErr("negative number of permutations")
	}
	n := w.N
	tw, self := localGWeights(w, opt.Star, opt.Transform)
	var sumY, sumY2 float64
	for _, v := range y {
		sumY += v
		sumY2 += v * v
	}
	remove := 1.0
	if opt.Star {
		remove = 0
	}
	N := float64(n) - remove
	r := &LocalGResult{G: make([]float64, n), EG: make([]float64, n), VG: make([]float64, n), Z: make([]float64, n), PNorm: make([]float64, n)}
	den := make([]float64, n)
	for i := 0; i < n; i++ {
		lag, card := self[i]*y[i], self[i]
		for k := tw.Offsets[i]; k < tw.Offsets[i+1]; k++ {
			lag += tw.Values[k] * y[tw.Index[k]]
			card += tw.Values[k]
		}
		den[i] = sumY - y[i]*remove
		r.G[i] = lag / den[i]
		mean := den[i] / N
		meanSq := (sumY2 - y[i]*y[i]*remove) / N
		variance := meanSq - mean*mean
		r.EG[i] = card / N
		v := card * (N - card)
		v /= N - 1
		v *= 1 / (N * N)
		v *= variance / (mean * mean)
		r.VG[i] = v
		r.Z[i] = (r.G[i] - r.EG[i]) / math.Sqrt(v)
		r.PNorm[i] = normSF(math.Abs(r.Z[i]))
	}
	if opt.Permutations > 0 {
		P := opt.Permutations
		counts := conditionalPermutations(y, tw, P, opt.Seed, opt.SimMoments)
		r.PSim, r.PSimTwoSided = make([]float64, n), make([]float64, n)
		if opt.SimMoments {
			r.EGSim, r.SeGSim, r.ZSim = make([]float64, n), make([]float64, n), make([]float64, n)
		}
		for i, c := range counts {
			a := c.scale / den[i] // G_sim = a·S + b
			b := self[i] * y[i] / den[i]
			r.PSim[i] = directedP(c, sign(a), P)
			r.PSimTwoSided[i] = twoSidedP(c, P)
			if opt.SimMoments {
				r.EGSim[i], r.SeGSim[i] = simMoments(c, a, b, P)
				r.ZSim[i] = (r.G[i] - r.EGSim[i]) / r.SeGSim[i]
			}
		}
	}
	return r, nil
}

// localGWeights returns the transformed neighbour weights and self-weights.
func localGWeights(w *Weights, star bool, t Transform) (*Weights, []float64) {
	self := make([]float64, w.N)
	if t == Binary {
		if star {
			for i := range self {
				self[i] = 1
			}
		}
		return w.Binary(), self
	}
	r := &Weights{N: w.N, Offsets: w.Offsets, Index: w.Index, Values: make([]float64, len(w.Values))}
	for i := 0; i < w.N; i++ {
		row := w.Values[w.Offsets[i]:w.Offsets[i+1]]
		s, mx := 0.0, 0.0
		for _, v := range row {
			s += v
			mx = max(mx, v)
		}
		if star {
			if len(row) == 0 {
				mx = 1
			}
			self[i] = mx
			s += mx
		}
		for k, v := range row {
			r.Values[w.Offsets[i]+k] = v / s
		}
		if star {
			self[i] /= s
		}
	}
	return r, self
}

// GlobalGResult is the general G statistic with its normal approximation.
type GlobalGResult struct {
	G, EG, VG, Z float64
	// P is one-tailed, 1 - Φ(|Z|), as esda's G.p_norm.
	P float64
}

// GlobalG is Getis & Ord's (1992) general G, Σ_ij w_ij y_i y_j / Σ_{i≠j}
// y_i y_j, on binary weights (as esda's G, which forces transform "B"), with
// the expectation S0/(n(n-1)) and esda's variance under normality.
func GlobalG(y []float64, w *Weights) (*GlobalGResult, error) {
	if err := checkValues(y, w, true); err != nil {
		return nil, err
	}
	if w.N < 4 {
		return nil, inputErr("global G needs at least 4 observations")
	}
	b := w.Binary()
	n := float64(w.N)
	s0, s1, s2 := b.Moments()
	var sy, sy2, sy3, sy4 float64
	for _, v := range y {
		sy += v
		sy2 += v * v
		sy3 += v * v * v
		sy4 += v * v * v * v
	}
	lag := b.Lag(y)
	num := 0.0
	for i, v := range y {
		num += v * lag[i]
	}
	r := &GlobalGResult{G: num / (sy*sy - sy2)}
	n2 := n * n
	s02 := s0 * s0
	r.EG = s0 / (n * (n - 1))
	b0 := (n2-3*n+3)*s1 - n*s2 + 3*s02
	b1 := -((n2-n)*s1 - 2*n*s2 + 6*s02)
	b2 := -(2*n*s1 - (n+3)*s2 + 6*s02)
	b3 := 4*(n-1)*s1 - 2*(n+1)*s2 + 8*s02
	b4 := s1 - s2 + s02
	eg2 := b0*sy2*sy2 + b1*sy4 + b2*sy*sy*sy2 + b3*sy*sy3 + b4*sy*sy*sy*sy
	eg2 /= (sy*sy - sy2) * (sy*sy - sy2) * n * (n - 1) * (n - 2) * (n - 3)
	r.VG = eg2 - r.EG*r.EG
	r.Z = (r.G - r.EG) / math.Sqrt(r.VG)
	r.P = normSF(math.Abs(r.Z))
	return r, nil
}

func checkValues(y []float64, w *Weights, nonNegative bool) error {
	if w == nil || len(y) != w.N {
		return inputErr("%d values for %d observations of the weights", len(y), wN(w))
	}
	if w.N < 2 {
		return inputErr("need at least 2 observations")
	}
	sum := 0.0
	for i, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return inputErr("value %d is not finite", i)
		}
		if nonNegative && v < 0 {
			return inputErr("value %d is negative (%v): Getis-Ord G needs non-negative values such as counts or rates", i, v)
		}
		sum += v
	}
	if nonNegative && sum == 0 {
		return inputErr("all values are zero")
	}
	return nil
}

func wN(w *Weights) int {
	if w == nil {
		return 0
	}
	return w.N
}

func sign(a float64) int {
	switch {
	case a > 0:
		return 1
	case a < 0:
		return -1
	}
	return 0
}

// normSF is the standard normal upper tail 1 - Φ(z).
func normSF(z float64) float64 { return 0.5 * math.Erfc(z/math.Sqrt2) }

// normCDF is Φ(z).
func normCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }
