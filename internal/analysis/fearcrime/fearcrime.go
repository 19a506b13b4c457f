// Package fearcrime sets the share of residents who feel unsafe beside the
// recorded incident rate, area by area (the Riga comparison, issue 4): an
// exact Poisson interval for the rate, medians of both measures and the
// quadrant of each area. Pure: no I/O.
package fearcrime

import (
	"errors"
	"math"
	"slices"
)

// Quadrant of an area against the medians of the compared areas.
type Quadrant string

// The four quadrants. "High" means above the median of the areas compared
// (an area exactly at a median counts as low).
const (
	HighFearHighCrime Quadrant = "high_fear_high_crime"
	HighFearLowCrime  Quadrant = "high_fear_low_crime"
	LowFearHighCrime  Quadrant = "low_fear_high_crime"
	LowFearLowCrime   Quadrant = "low_fear_low_crime"
)

// Quadrants lists them in reading order (top left, top right, bottom left, bottom right of the chart).
func Quadrants() []Quadrant {
	return []Quadrant{HighFearLowCrime, HighFearHighCrime, LowFearLowCrime, LowFearHighCrime}
}

// PoissonCI is the exact (Garwood 1936) two-sided interval for the mean
// of a Poisson count k at confidence conf (0.95): the lower bound solves
// P(X >= k | mu) = (1-conf)/2, the upper P(X <= k | mu) = (1-conf)/2;
// for k = 0 the lower bound is 0. Equivalently chi2((1-conf)/2, 2k)/2 and
// chi2((1+conf)/2, 2k+2)/2.
func PoissonCI(k int, conf float64) (lo, hi float64) {
	if k < 0 || !(conf > 0 && conf < 1) {
		return math.NaN(), math.NaN()
	}
	a := (1 - conf) / 2
	if k > 0 {
		// P(X >= k | mu) = P(k, mu), the regularised lower gamma function, increasing in mu
		lo = solve(func(mu float64) float64 { return gammaP(float64(k), mu) - a }, float64(k))
	}
	// P(X <= k | mu) = Q(k+1, mu), decreasing in mu
	hi = solve(func(mu float64) float64 { return a - gammaQ(float64(k+1), mu) }, float64(k)+1)
	return lo, hi
}

// solve finds the root of an increasing f on (0, inf) by bracketing from
// guess and bisecting to relative precision 1e-12.
func solve(f func(float64) float64, guess float64) float64 {
	lo, hi := 0.0, math.Max(1, guess)
	for f(hi) < 0 {
		lo, hi = hi, hi*2
	}
	for range 200 {
		mid := (lo + hi) / 2
		if f(mid) < 0 {
			lo = mid
		} else {
			hi = mid
		}
		if hi-lo <= 1e-12*hi {
			break
		}
	}
	return (lo + hi) / 2
}

// gammaP is the regularised lower incomplete gamma function P(a, x).
func gammaP(a, x float64) float64 {
	if x <= 0 {
		return 0
	}
	if x < a+1 {
		return gammaSeries(a, x)
	}
	return 1 - gammaCF(a, x)
}

// gammaQ is 1 - P(a, x).
func gammaQ(a, x float64) float64 {
	if x <= 0 {
		return 1
	}
	if x < a+1 {
		return 1 - gammaSeries(a, x)
	}
	return gammaCF(a, x)
}

func logPrefix(a, x float64) float64 {
	lg, _ := math.Lgamma(a)
	return a*math.Log(x) - x - lg
}

// gammaSeries is P(a, x) by its series (x < a+1).
func gammaSeries(a, x float64) float64 {
	sum, term := 1/a, 1/a
	for n := 1; n < 1000; n++ {
		term *= x / (a + float64(n))
		sum += term
		if math.Abs(term) < math.Abs(sum)*1e-16 {
			break
		}
	}
	return sum * math.Exp(logPrefix(a, x))
}

// gammaCF is Q(a, x) by Lentz's continued fraction (x >= a+1).
func gammaCF(a, x float64) float64 {
	const tiny = 1e-300
	b := x + 1 - a
	c := 1 / tiny
	d := 1 / b
	h := d
	for i := 1; i < 1000; i++ {
		an := -float64(i) * (float64(i) - a)
		b += 2
		d = an*d + b
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = b + an/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < 1e-16 {
			break
		}
	}
	return math.Exp(logPrefix(a, x)) * h
}

// Median of xs (the mean of the two middle values for an even count); NaN when empty.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// Point is one area: its share feeling unsafe (with interval) and its
// incident measure (a rate per 1,000 residents, or a count when the
// population is unknown; with interval).
type Point struct {
	Fear, FearLow, FearHigh    float64
	Crime, CrimeLow, CrimeHigh float64
}

// Placed is a point's quadrant and whether its intervals leave it on the
// same side of both medians (Firm); an area whose interval straddles a
// median could lie in the neighbouring quadrant.
type Placed struct {
	Quadrant Quadrant
	Firm     bool
}

// Result of Classify.
type Result struct {
	FearMedian, CrimeMedian float64
	Placed                  []Placed // one per input point, in order
}

// ErrNoPoints is returned by Classify for an empty input.
var ErrNoPoints = errors.New("fearcrime: no areas to compare")

// Classify places each point against the medians of all points: above
// the fear median is high fear, above the crime median high crime.
func Classify(ps []Point) (Result, error) {
	if len(ps) == 0 {
		return Result{}, ErrNoPoints
	}
	fs := make([]float64, len(ps))
	cs := make([]float64, len(ps))
	for i, p := range ps {
		if math.IsNaN(p.Fear) || math.IsNaN(p.Crime) {
			return Result{}, errors.New("fearcrime: a point without a value")
		}
		fs[i], cs[i] = p.Fear, p.Crime
	}
	r := Result{FearMedian: Median(fs), CrimeMedian: Median(cs), Placed: make([]Placed, len(ps))}
	for i, p := range ps {
		hf, hc := p.Fear > r.FearMedian, p.Crime > r.CrimeMedian
		q := LowFearLowCrime
		switch {
		case hf && hc:
			q = HighFearHighCrime
		case hf:
			q = HighFearLowCrime
		case hc:
			q = LowFearHighCrime
		}
		firmF := p.FearLow > r.FearMedian || p.FearHigh <= r.FearMedian
		firmC := p.CrimeLow > r.CrimeMedian || p.CrimeHigh <= r.CrimeMedian
		r.Placed[i] = Placed{Quadrant: q, Firm: firmF && firmC}
	}
	return r, nil
}
