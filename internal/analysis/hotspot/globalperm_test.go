package hotspot

import (
	"context"
	"errors"
	"math"
	"testing"
)

// permutations of 0..n-1 in lexicographic order.
func allPerms(n int, f func([]int)) {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	var rec func(k int)
	rec = func(k int) {
		if k == n {
			f(p)
			return
		}
		for i := k; i < n; i++ {
			p[k], p[i] = p[i], p[k]
			rec(k + 1)
			p[k], p[i] = p[i], p[k]
		}
	}
	rec(0)
}

// On 6 values in a chain, the permutation distribution is enumerated
// exactly (720 arrangements): the Monte Carlo p-value, mean and sd must
// agree with it within their sampling error, and the exact mean and sd equal
// Moran's E[I] and √Var_rand[I].
func TestMoranPermutationsExact(t *testing.T) {
	y := []float64{1, 3, 2, 7, 5, 6}
	w, err := FromNeighbors([][]int{{1}, {0, 2}, {1, 3}, {2, 4}, {3, 5}, {4}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := Moran(y, w, RowStandardised)
	if err != nil {
		t.Fatal(err)
	}
	var geq, cnt int
	var s1, s2 float64
	yp := make([]float64, len(y))
	allPerms(len(y), func(p []int) {
		for i, j := range p {
			yp[i] = y[j]
		}
		mp, _ := Moran(yp, w, RowStandardised)
		if mp.I >= m.I-1e-12 {
			geq++
		}
		cnt++
		s1 += mp.I
		s2 += mp.I * mp.I
	})
	exactMean := s1 / float64(cnt)
	exactSD := math.Sqrt(s2/float64(cnt) - exactMean*exactMean)
	if math.Abs(exactMean-m.EI) > 1e-12 || math.Abs(exactSD-math.Sqrt(m.VIRand)) > 1e-12 {
		t.Fatalf("exact permutation mean %v sd %v; E[I] %v, sqrt(VI_rand) %v", exactMean, exactSD, m.EI, math.Sqrt(m.VIRand))
	}
	pExact := float64(geq) / float64(cnt)
	const P = 40000
	r, err := MoranPermutations(context.Background(), y, w, RowStandardised, P, 11)
	if err != nil {
		t.Fatal(err)
	}
	se := math.Sqrt(pExact * (1 - pExact) / P)
	if math.Abs(r.PSim-math.Min(pExact, 1-pExact)) > 5*se+2.0/P || math.Abs(r.Mean-exactMean) > 5*exactSD/math.Sqrt(P) || math.Abs(r.SD-exactSD) > 0.05*exactSD {
		t.Errorf("Monte Carlo %+v; exact p %v mean %v sd %v", r, pExact, exactMean, exactSD)
	}
	again, _ := MoranPermutations(context.Background(), y, w, RowStandardised, P, 11)
	if *again != *r {
		t.Errorf("same seed, different result: %+v %+v", again, r)
	}
}

// Global G on the six-point example: permutation mean and sd against the
// exact moments (esda's EG and VG are the randomisation moments).
func TestGlobalGPermutations(t *testing.T) {
	x := []float64{10, 20, 40, 15, 30, 30}
	yy := []float64{10, 10, 10, 20, 20, 30}
	w, err := DistanceBand(x, yy, 15)
	if err != nil {
		t.Fatal(err)
	}
	y := []float64{2, 3, 3.2, 5, 8, 7}
	g, err := GlobalG(y, w)
	if err != nil {
		t.Fatal(err)
	}
	const P = 40000
	r, err := GlobalGPermutations(context.Background(), y, w, P, 5)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(r.Observed-0.55709779) > 1e-8 {
		t.Errorf("G %v", r.Observed)
	}
	sd := math.Sqrt(g.VG)
	if math.Abs(r.Mean-g.EG) > 5*sd/math.Sqrt(P) || math.Abs(r.SD-sd) > 0.05*sd {
		t.Errorf("permutation mean %v sd %v; EG %v sqrt(VG) %v", r.Mean, r.SD, g.EG, sd)
	}
	if r.PSim < 0.05 || r.PSim > 0.5 || r.PSimTwoSided < r.PSim {
		t.Errorf("p_sim %v two-sided %v (p_norm %v)", r.PSim, r.PSimTwoSided, g.P)
	}
	if _, err := GlobalGPermutations(context.Background(), y, w, 0, 5); !errors.Is(err, ErrInput) {
		t.Errorf("0 permutations: %v", err)
	}
}

// St Louis homicides: I is far in the upper tail (z_rand 4.7), so with 999
// permutations at most a few are as large; the permutation z is close to
// the randomisation z.
func TestMoranPermutationsSTL(t *testing.T) {
	y, w := readSTL(t)
	m, _ := Moran(y, w, RowStandardised)
	r, err := MoranPermutations(context.Background(), y, w, RowStandardised, 999, 12345)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("I %v p_sim %v z_sim %v (z_rand %v) mean %v sd %v", r.Observed, r.PSim, r.Z, m.ZRand, r.Mean, r.SD)
	if r.PSim > 0.01 || math.Abs(r.Z-m.ZRand) > 0.4 || r.Observed != m.I {
		t.Errorf("%+v", r)
	}
}
