// Package sppt implements Andresen's spatial point pattern test: do two sets
// of points (two periods, two offence types) share the same spatial
// distribution over a set of areas? It follows the R package sppt
// (Steenbeek, Vandeviver, Andresen, Malleson & Wheeler, v0.2.3, function
// sppt()) so that results can be compared with it: the same sample size
// rounding, interval columns, S index and robust and generalised S values.
//
// The package is pure: no I/O; the caller assigns points to areas (e.g.
// with geo.AreaIndex) and passes a seed. See docs/methods/sppt.md.
package sppt

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// ErrInput reports unusable input or parameters, before any work starts.
var ErrInput = errors.New("sppt: bad input")

func inputErr(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInput, fmt.Sprintf(format, a...))
}

// Params configures Test. The zero value means the R package's defaults.
type Params struct {
	// Samples is the number of resamples of the test set; 0 means 200.
	Samples int `json:"samples"`
	// Percent of the test points drawn (without replacement) in each
	// sample; 0 means 85. Ignored with Bootstrap.
	Percent float64 `json:"percent"`
	// Confidence level of the per-area interval in percent; 0 means 95.
	Confidence float64 `json:"confidence"`
	// Bootstrap draws as many points as the test set has, with replacement
	// (sppt's bootstrap = TRUE), instead of Percent without replacement.
	Bootstrap bool `json:"bootstrap"`
	// Seed of the random draws.
	Seed uint64 `json:"seed"`
}

// MaxWork bounds areas × samples (the table of resampled percentages).
const MaxWork = 50_000_000

func (p *Params) resolve() error {
	if p.Samples == 0 {
		p.Samples = 200
	}
	if p.Percent == 0 {
		p.Percent = 85
	}
	if p.Confidence == 0 {
		p.Confidence = 95
	}
	if p.Samples < 2 || p.Samples > 100_000 {
		return inputErr("%d samples: want 2 to 100000", p.Samples)
	}
	if !(p.Percent > 0 && p.Percent <= 100) {
		return inputErr("sample percentage %v: want a number in (0, 100]", p.Percent)
	}
	if !(p.Confidence > 0 && p.Confidence < 100) {
		return inputErr("confidence level %v: want a percentage in (0, 100), e.g. 95", p.Confidence)
	}
	return nil
}

// Area is one area's outcome (the columns of sppt's output).
type Area struct {
	// Base and Test are the points in the area (NumBsePts, NumTstPts);
	// BasePct and TestPct their percentages of all points in the areas.
	Base    int     `json:"base"`
	Test    int     `json:"test"`
	BasePct float64 `json:"base_pct"`
	TestPct float64 `json:"test_pct"`
	// Lower and Upper bound the interval of the resampled test percentages
	// (ConfLowP, ConfUppP).
	Lower float64 `json:"lower"`
	Upper float64 `json:"upper"`
	// SIndex is −1 when BasePct < Lower, +1 when BasePct > Upper, else 0.
	// LocalS = −SIndex reads as a change from base to test: +1 the area's
	// share is higher in the test set, −1 lower.
	SIndex int `json:"s_index"`
	LocalS int `json:"local_s"`
	// Similar is true when SIndex is 0.
	Similar bool `json:"similar"`
	// InRobust is false for areas with no point in either set (left out of
	// the robust S).
	InRobust bool `json:"in_robust"`
}

// Result is the outcome of Test.
type Result struct {
	Method string `json:"method"`
	Params Params `json:"params"`
	Areas  []Area `json:"areas"`
	// GlobalS is the share of similar areas; RobustS the same among areas
	// with at least one point in either set (Wheeler, Steenbeek & Andresen
	// 2018); GeneralizedS = similar robust areas / min(base points, test
	// points, robust areas) (sppt's generalizedS.robust, v0.2.3).
	GlobalS      float64 `json:"global_s"`
	RobustS      float64 `json:"robust_s"`
	GeneralizedS float64 `json:"generalized_s"`
	RobustAreas  int     `json:"robust_areas"`
	// NBase and NTest are the points in some area; OutsideBase and
	// OutsideTest those in none (left out, as sppt does).
	NBase       int `json:"n_base"`
	NTest       int `json:"n_test"`
	OutsideBase int `json:"outside_base"`
	OutsideTest int `json:"outside_test"`
	// SampleSize is the number of test points per sample: round(Percent/100
	// · NTest) with R's rounding (half to even), or NTest with Bootstrap.
	SampleSize int `json:"sample_size"`
	// LowerRank and UpperRank are the 1-based ranks of the sorted resampled
	// percentages that bound the interval (6 and 195 for 200 samples at 95 %).
	LowerRank int      `json:"lower_rank"`
	UpperRank int      `json:"upper_rank"`
	Notes     []string `json:"notes"`
}

// Test compares the base and test point patterns over nAreas areas. base[i]
// and test[i] are the index (0..nAreas−1) of the area holding point i, or
// −1 for a point in no area.
func Test(base, test []int32, nAreas int, p Params) (*Result, error) {
	if err := p.resolve(); err != nil {
		return nil, err
	}
	if nAreas < 1 {
		return nil, inputErr("no area to compare over")
	}
	if float64(nAreas)*float64(p.Samples) > MaxWork {
		return nil, inputErr("%d areas × %d samples exceeds %d: use fewer samples or areas", nAreas, p.Samples, MaxWork)
	}
	r := &Result{Method: "Andresen's spatial point pattern test (S index), resampling the test set", Params: p, Areas: make([]Area, nAreas)}
	var ids []int32
	for i, a := range base {
		switch {
		case a < -1 || int(a) >= nAreas:
			return nil, inputErr("base point %d: area %d out of range 0..%d", i, a, nAreas-1)
		case a == -1:
			r.OutsideBase++
		default:
			r.Areas[a].Base++
			r.NBase++
		}
	}
	for i, a := range test {
		switch {
		case a < -1 || int(a) >= nAreas:
			return nil, inputErr("test point %d: area %d out of range 0..%d", i, a, nAreas-1)
		case a == -1:
			r.OutsideTest++
		default:
			r.Areas[a].Test++
			ids = append(ids, a)
		}
	}
	r.NTest = len(ids)
	if r.NBase == 0 || r.NTest == 0 {
		return nil, inputErr("%d base and %d test points lie in the areas: both sets need points", r.NBase, r.NTest)
	}
	if p.Bootstrap {
		r.SampleSize = r.NTest
		r.Method = "Andresen's spatial point pattern test (S index), bootstrapping the test set"
	} else {
		r.SampleSize = int(math.RoundToEven(p.Percent / 100 * float64(r.NTest)))
	}
	if r.SampleSize < 1 {
		return nil, inputErr("%v %% of %d test points is no point: the test set is too small", p.Percent, r.NTest)
	}
	// Interval ranks exactly as sppt computes them.
	alpha := (100 - p.Confidence) / 100 / 2
	r.LowerRank = int(math.Floor(alpha*float64(p.Samples))) + 1
	r.UpperRank = int(math.Ceil((1 - alpha) * float64(p.Samples)))
	r.LowerRank, r.UpperRank = min(max(r.LowerRank, 1), p.Samples), min(max(r.UpperRank, 1), p.Samples)

	pct := make([]float64, nAreas*p.Samples) // [area][sample]
	counts := make([]int32, nAreas)
	full := make([]int32, nAreas)
	for _, a := range ids {
		full[a]++
	}
	rng := rand.New(rand.NewPCG(p.Seed, 0x5a5a5a5a))
	n, k := len(ids), r.SampleSize
	for s := 0; s < p.Samples; s++ {
		switch {
		case p.Bootstrap:
			clear(counts)
			for j := 0; j < k; j++ {
				counts[ids[rng.IntN(n)]]++
			}
		case k <= n-k: // draw the sample: partial Fisher-Yates
			clear(counts)
			for j := 0; j < k; j++ {
				m := j + rng.IntN(n-j)
				ids[j], ids[m] = ids[m], ids[j]
				counts[ids[j]]++
			}
		default: // draw the points left out
			copy(counts, full)
			for j := 0; j < n-k; j++ {
				m := j + rng.IntN(n-j)
				ids[j], ids[m] = ids[m], ids[j]
				counts[ids[j]]--
			}
		}
		for a, c := range counts {
			pct[a*p.Samples+s] = float64(c) / float64(k) * 100
		}
	}
	similar, robustSimilar := 0, 0
	for a := range r.Areas {
		ar := &r.Areas[a]
		row := pct[a*p.Samples : (a+1)*p.Samples]
		slices.Sort(row)
		ar.Lower, ar.Upper = row[r.LowerRank-1], row[r.UpperRank-1]
		ar.BasePct = float64(ar.Base) / float64(r.NBase) * 100
		ar.TestPct = float64(ar.Test) / float64(r.NTest) * 100
		switch {
		case ar.BasePct < ar.Lower:
			ar.SIndex = -1
		case ar.BasePct > ar.Upper:
			ar.SIndex = 1
		}
		ar.LocalS = -ar.SIndex
		ar.Similar = ar.SIndex == 0
		ar.InRobust = ar.Base+ar.Test > 0
		if ar.Similar {
			similar++
		}
		if ar.InRobust {
			r.RobustAreas++
			if ar.Similar {
				robustSimilar++
			}
		}
	}
	r.GlobalS = float64(similar) / float64(nAreas)
	if r.RobustAreas > 0 {
		r.RobustS = float64(robustSimilar) / float64(r.RobustAreas)
	}
	r.GeneralizedS = float64(robustSimilar) / float64(min(r.NBase, r.NTest, r.RobustAreas))
	if r.OutsideBase+r.OutsideTest > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("%d base and %d test points lie in no area and are left out", r.OutsideBase, r.OutsideTest))
	}
	if r.NTest < 20*r.RobustAreas {
		r.Notes = append(r.Notes, "few test points per area: the intervals are wide and the test finds few differences (Andresen advises comparing sets with many points per area)")
	}
	return r, nil
}
