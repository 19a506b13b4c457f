package hotspot

import "math"

// MoranResult is global Moran's I with its normal approximations.
type MoranResult struct {
	I, EI float64
	// Variance, z and one-tailed p under the normality assumption and under
	// randomisation. P is the upper tail when z > 0 and the lower tail
	// otherwise, as esda's Moran(two_tailed=False); double it for two sides.
	VINorm, ZNorm, PNorm float64
	VIRand, ZRand, PRand float64
}

// transformed returns w binary or row-standardised.
func transformed(w *Weights, t Transform) *Weights {
	if t == RowStandardised {
		return w.RowStandardised()
	}
	return w.Binary()
}

// Moran is global Moran's I (Moran 1950; Cliff & Ord 1981),
// I = n/S0 · Σ_ij w_ij z_i z_j / Σ_i z_i², z = y - ȳ, with E[I] = -1/(n-1)
// and the variances under normality and randomisation as in esda's Moran.
func Moran(y []float64, w *Weights, t Transform) (*MoranResult, error) {
	if err := checkValues(y, w, false); err != nil {
		return nil, err
	}
	if w.N < 4 {
		return nil, inputErr("Moran's I needs at least 4 observations")
	}
	tw := transformed(w, t)
	n := float64(w.N)
	mean := 0.0
	for _, v := range y {
		mean += v
	}
	mean /= n
	z := make([]float64, len(y))
	var z2, z4 float64
	for i, v := range y {
		z[i] = v - mean
		z2 += z[i] * z[i]
		z4 += z[i] * z[i] * z[i] * z[i]
	}
	if z2 == 0 {
		return nil, inputErr("all values are equal")
	}
	lag := tw.Lag(z)
	num := 0.0
	for i := range z {
		num += z[i] * lag[i]
	}
	s0, s1, s2 := tw.Moments()
	r := &MoranResult{I: n / s0 * num / z2, EI: -1 / (n - 1)}
	n2, s02 := n*n, s0*s0
	r.VINorm = (n2*s1-n*s2+3*s02)/((n-1)*(n+1)*s02) - (1/(n-1))*(1/(n-1))
	k := (z4 / n) / ((z2 / n) * (z2 / n))
	a := n * ((n2-3*n+3)*s1 - n*s2 + 3*s02)
	b := k * ((n2-n)*s1 - 2*n*s2 + 6*s02)
	r.VIRand = (a-b)/((n-1)*(n-2)*(n-3)*s02) - r.EI*r.EI
	r.ZNorm = (r.I - r.EI) / math.Sqrt(r.VINorm)
	r.ZRand = (r.I - r.EI) / math.Sqrt(r.VIRand)
	r.PNorm, r.PRand = oneTail(r.ZNorm), oneTail(r.ZRand)
	return r, nil
}

func oneTail(z float64) float64 {
	if z > 0 {
		return normSF(z)
	}
	return normCDF(z)
}

// Quadrant is the Moran scatterplot quadrant of an observation.
type Quadrant int

// The quadrants, numbered as esda's Moran_Local.q (geoda_quads=False).
const (
	HH Quadrant = 1 // high value, high neighbours (hot spot)
	LH Quadrant = 2 // low value among high neighbours
	LL Quadrant = 3 // low value, low neighbours (cold spot)
	HL Quadrant = 4 // high value among low neighbours
)

func (q Quadrant) String() string {
	switch q {
	case HH:
		return "HH"
	case LH:
		return "LH"
	case LL:
		return "LL"
	case HL:
		return "HL"
	}
	return "?"
}

// LocalMoranOptions configures LocalMoran.
type LocalMoranOptions struct {
	Transform    Transform // esda's default is row-standardised
	Permutations int
	Seed         uint64
	SimMoments   bool // also EISim, SeISim, ZSim (as for LocalG)
}

// LocalMoranResult holds the LISA statistics, one entry per observation.
type LocalMoranResult struct {
	I []float64 // I_i = (n-1) z_i Σ_j w_ij z_j / Σ_k z_k², z standardised
	Q []Quadrant
	// EI, VI are the moments under total randomisation (Sokal et al. 1998,
	// as esda's EI and VI); Z = (I - EI)/sqrt(VI) is only a rough guide.
	EI, VI, Z []float64
	// With Permutations > 0: folded conditional-permutation pseudo p-values
	// (NaN for observations without neighbours) and the simulated moments.
	PSim, EISim, SeISim, ZSim []float64
	// PSimTwoSided is the tie-aware two-sided pseudo p-value, as for LocalG.
	PSimTwoSided []float64
}

// LocalMoran is Anselin's (1995) local Moran's I with conditional
// permutation inference, following esda's Moran_Local.
func LocalMoran(y []float64, w *Weights, opt LocalMoranOptions) (*LocalMoranResult, error) {
	if err := checkValues(y, w, false); err != nil {
		return nil, err
	}
	if w.N < 3 {
		return nil, inputErr("local Moran needs at least 3 observations")
	}
	tw := transformed(w, opt.Transform)
	n := w.N
	fn := float64(n)
	mean := 0.0
	for _, v := range y {
		mean += v
	}
	mean /= fn
	z := make([]float64, n)
	sd := 0.0
	for i, v := range y {
		z[i] = v - mean
		sd += z[i] * z[i]
	}
	sd = math.Sqrt(sd / fn)
	if sd == 0 {
		return nil, inputErr("all values are equal")
	}
	den := 0.0
	for i := range z {
		z[i] /= sd
		den += z[i] * z[i]
	}
	lag := tw.Lag(z)
	r := &LocalMoranResult{I: make([]float64, n), Q: make([]Quadrant, n), EI: make([]float64, n), VI: make([]float64, n), Z: make([]float64, n)}
	m2, m4 := 0.0, 0.0
	for _, v := range z {
		m2 += v * v
		m4 += v * v * v * v
	}
	m2 /= fn
	m4 /= fn
	b2 := m4 / (m2 * m2)
	n1 := fn - 1
	for i := range z {
		r.I[i] = n1 * z[i] * lag[i] / den
		switch hi, lhi := z[i] > 0, lag[i] > 0; {
		case hi && lhi:
			r.Q[i] = HH
		case !hi && lhi:
			r.Q[i] = LH
		case !hi && !lhi:
			r.Q[i] = LL
		default:
			r.Q[i] = HL
		}
		wi, wi2 := 0.0, 0.0
		for k := tw.Offsets[i]; k < tw.Offsets[i+1]; k++ {
			wi += tw.Values[k]
			wi2 += tw.Values[k] * tw.Values[k]
		}
		r.EI[i] = -wi / n1
		v := wi2 * (fn - b2) / n1
		v += (wi*wi - wi2) * (2*b2 - fn) / (n1 * (fn - 2))
		v -= (wi / n1) * (wi / n1)
		r.VI[i] = v
		r.Z[i] = (r.I[i] - r.EI[i]) / math.Sqrt(v)
	}
	if opt.Permutations > 0 {
		P := opt.Permutations
		counts := conditionalPermutations(z, tw, P, opt.Seed, opt.SimMoments)
		r.PSim, r.PSimTwoSided = make([]float64, n), make([]float64, n)
		if opt.SimMoments {
			r.EISim, r.SeISim, r.ZSim = make([]float64, n), make([]float64, n), make([]float64, n)
		}
		for i, c := range counts {
			a := n1 / den * z[i] * c.scale // I_sim = a·S
			r.PSim[i] = directedP(c, sign(a), P)
			r.PSimTwoSided[i] = twoSidedP(c, P)
			if a == 0 {
				r.PSimTwoSided[i] = 1
			}
			if opt.SimMoments {
				r.EISim[i], r.SeISim[i] = simMoments(c, a, 0, P)
				r.ZSim[i] = (r.I[i] - r.EISim[i]) / r.SeISim[i]
			}
		}
	}
	return r, nil
}
