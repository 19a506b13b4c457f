package fearcrime

import (
	"math"
	"testing"
)

// Reference: scipy.stats.chi2.ppf(0.025, 2k)/2 and chi2.ppf(0.975, 2k+2)/2
// (SciPy 1.x, Debian), the exact Garwood interval.
func TestPoissonCIMatchesChiSquare(t *testing.T) {
	cases := []struct {
		k      int
		lo, hi float64
	}{
		{0, 0, 3.6888794541139354},
		{1, 0.025317807984289876, 5.571643390938898},
		{5, 1.6234863901184207, 11.66833207932267},
		{10, 4.7953886961324335, 18.39035604201778},
		{37, 26.05141456710603, 50.999626141930825},
		{100, 81.36399125092314, 121.62679379242638},
		{1000, 938.9730184076952, 1063.952136016302},
	}
	for _, c := range cases {
		lo, hi := PoissonCI(c.k, 0.95)
		if math.Abs(lo-c.lo) > 1e-8*math.Max(1, c.lo) || math.Abs(hi-c.hi) > 1e-8*c.hi {
			t.Errorf("PoissonCI(%d) = %.12g, %.12g; want %.12g, %.12g", c.k, lo, hi, c.lo, c.hi)
		}
	}
	if lo, hi := PoissonCI(-1, 0.95); !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Errorf("negative count: %v %v, want NaN", lo, hi)
	}
}

func TestMedian(t *testing.T) {
	if m := Median([]float64{3, 1, 2}); m != 2 {
		t.Errorf("odd median %v", m)
	}
	if m := Median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("even median %v", m)
	}
	if !math.IsNaN(Median(nil)) {
		t.Error("empty median not NaN")
	}
}

func TestClassify(t *testing.T) {
	ps := []Point{
		{Fear: 0.6, FearLow: 0.5, FearHigh: 0.7, Crime: 10, CrimeLow: 1, CrimeHigh: 12},  // high fear, low crime; crime interval crosses the median 15
		{Fear: 0.2, FearLow: 0.1, FearHigh: 0.3, Crime: 40, CrimeLow: 30, CrimeHigh: 50}, // low fear, high crime, firm
		{Fear: 0.7, FearLow: 0.6, FearHigh: 0.8, Crime: 20, CrimeLow: 16, CrimeHigh: 25}, // high, high, firm
		{Fear: 0.3, FearLow: 0.2, FearHigh: 0.4, Crime: 5, CrimeLow: 3, CrimeHigh: 8},    // low, low, firm
	}
	r, err := Classify(ps)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(r.FearMedian-0.45) > 1e-12 || r.CrimeMedian != 15 {
		t.Fatalf("medians %v %v, want 0.45 15", r.FearMedian, r.CrimeMedian)
	}
	want := []Placed{{HighFearLowCrime, true}, {LowFearHighCrime, true}, {HighFearHighCrime, true}, {LowFearLowCrime, true}}
	for i := range want {
		if r.Placed[i] != want[i] {
			t.Errorf("point %d: %+v, want %+v", i, r.Placed[i], want[i])
		}
	}
	ps[0].CrimeHigh = 16 // now straddles the crime median
	r, _ = Classify(ps)
	if r.Placed[0].Firm {
		t.Error("a point whose interval crosses the median is firm")
	}
	if _, err := Classify(nil); err != ErrNoPoints {
		t.Errorf("empty input: %v", err)
	}
}
