package trend

import (
	"errors"
	"math"
	"testing"
)

func TestMannKendall(t *testing.T) {
	for _, c := range []struct {
		x             []float64
		s, varS, z, p float64
		tau           float64
	}{
		// 1..5: S = 10, Var = 5·4·15/18 = 50/3, Z = 9/√(50/3)
		{[]float64{1, 2, 3, 4, 5}, 10, 50.0 / 3, 9 / math.Sqrt(50.0/3), 0.027486, 1},
		// ties: 1,2,2,3: S = 5, Var = (4·3·13 − 2·1·9)/18 = 138/18; tau-b as scipy.stats.kendalltau (0.9128709291752769)
		{[]float64{1, 2, 2, 3}, 5, 138.0 / 18, 4 / math.Sqrt(138.0/18), 0.148562, 5 / math.Sqrt(6*5)},
		// decreasing with a tie group of 3: 3,1,1,1 S = -3
		{[]float64{3, 1, 1, 1}, -3, (4*3*13 - 3*2*11) / 18.0, -2 / math.Sqrt((4*3*13-3*2*11)/18.0), 0.371093, -3 / math.Sqrt(6*3)},
		{[]float64{2, 2, 2}, 0, 0, 0, 1, 0},
	} {
		r, err := MannKendall(c.x)
		if err != nil {
			t.Fatal(err)
		}
		if r.S != c.s || math.Abs(r.VarS-c.varS) > 1e-12 || math.Abs(r.Z-c.z) > 1e-12 || math.Abs(r.P-c.p) > 1e-6 || math.Abs(r.Tau-c.tau) > 1e-12 {
			t.Errorf("%v: %+v, want S %v Var %v Z %v P %v tau %v", c.x, r, c.s, c.varS, c.z, c.p, c.tau)
		}
	}
	if _, err := MannKendall([]float64{1, 2}); !errors.Is(err, ErrInput) {
		t.Errorf("2 values: %v", err)
	}
	if _, err := MannKendall([]float64{1, math.NaN(), 2}); !errors.Is(err, ErrInput) {
		t.Errorf("NaN: %v", err)
	}
}

// Against scipy.stats.kendalltau(range(12), x, method="asymptotic") (scipy
// 1.10, Debian bookworm): tau-b 0.3940062612820493 and p 0.08227777272211645.
// scipy's z has no continuity correction: S/√VarS with the same
// ties-corrected variance.
func TestMannKendallScipy(t *testing.T) {
	x := []float64{3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8}
	r, err := MannKendall(x)
	if err != nil {
		t.Fatal(err)
	}
	p := math.Erfc(math.Abs(r.S/math.Sqrt(r.VarS)) / math.Sqrt2)
	if math.Abs(r.Tau-0.3940062612820493) > 1e-14 || math.Abs(p-0.08227777272211645) > 1e-12 {
		t.Errorf("tau %v p (no correction) %v", r.Tau, p)
	}
	if r.P <= p {
		t.Errorf("the continuity-corrected p %v should exceed %v", r.P, p)
	}
}
