package hotspot

import (
	"bufio"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/icarus-city/icarus/internal/realdata"
)

// The six-point example of esda's test_getisord.py and G_Local docstring.
var (
	sixX = []float64{10, 20, 40, 15, 30, 30}
	sixY = []float64{10, 10, 10, 20, 20, 30}
	sixV = []float64{2, 3, 3.2, 5, 8, 7}
)

const tol = 1e-7

func maxDiff(t *testing.T, got, want []float64) float64 {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d values, want %d", len(got), len(want))
	}
	d := 0.0
	for i := range got {
		d = math.Max(d, math.Abs(got[i]-want[i]))
	}
	return d
}

func TestDistanceBandInclusive(t *testing.T) {
	w, err := DistanceBand(sixX, sixY, 15)
	if err != nil {
		t.Fatal(err)
	}
	// (15,20)-(30,20) is exactly 15 apart: PySAL's DistanceBand keeps it.
	want := [][]int32{{1, 3}, {0, 3, 4}, {4}, {0, 1, 4}, {1, 2, 3, 5}, {4}}
	for i, nb := range want {
		got := w.Index[w.Offsets[i]:w.Offsets[i+1]]
		if !slices.Equal(got, nb) {
			t.Errorf("neighbours of %d: %v, want %v", i, got, nb)
		}
	}
}

func TestLocalGSixPoints(t *testing.T) {
	w, err := DistanceBand(sixX, sixY, 15)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		opt  LocalGOptions
		want []float64
	}{
		{"G binary", LocalGOptions{Transform: Binary}, []float64{-1.0136729, -0.04361589, 1.31558703, -0.31412676, 1.15373986, 1.77833941}},
		{"G* binary", LocalGOptions{Transform: Binary, Star: true}, []float64{-1.39727626, -0.28917762, 0.65064964, -0.28917762, 1.23452088, 2.02424331}},
		{"G row", LocalGOptions{Transform: RowStandardised}, []float64{-0.62074534, -0.01780611, 1.31558703, -0.12824171, 0.28843496, 1.77833941}},
		{"G* row", LocalGOptions{Transform: RowStandardised, Star: true}, []float64{-0.62488094, -0.09144599, 0.41150696, -0.09144599, 0.24690418, 1.28024388}},
	}
	for _, c := range cases {
		r, err := LocalG(sixV, w, c.opt)
		if err != nil {
			t.Fatal(err)
		}
		d := maxDiff(t, r.Z, c.want)
		t.Logf("%-9s max |z - esda| = %.3g", c.name, d)
		if d >= tol {
			t.Errorf("%s: z = %v, want %v (diff %g)", c.name, r.Z, c.want, d)
		}
		for i, z := range r.Z {
			if p := 0.5 * math.Erfc(math.Abs(z)/math.Sqrt2); math.Abs(p-r.PNorm[i]) > 1e-15 {
				t.Errorf("p_norm[%d] = %v, want %v", i, r.PNorm[i], p)
			}
		}
	}
}

func TestGlobalGSixPoints(t *testing.T) {
	w, _ := DistanceBand(sixX, sixY, 15)
	g, err := GlobalG(sixV, w.RowStandardised()) // forced to binary, as esda
	if err != nil {
		t.Fatal(err)
	}
	dg, dp := math.Abs(g.G-0.55709779), math.Abs(g.P-0.172936)
	t.Logf("global G = %.10f (diff %.2g), p = %.8f (diff %.2g), z = %.6f", g.G, dg, g.P, dp, g.Z)
	// the published values are rounded to 8 and 6 decimals
	if dg > 5e-9 || dp > 5e-7 {
		t.Errorf("G = %v p = %v, want 0.55709779, 0.172936", g.G, g.P)
	}
}

// readSTL returns the HR8893 column of stl_hom.txt (first line "78,4", then
// a quoted header, then comma-separated rows) and the stl.gal weights.
func readSTL(t *testing.T) ([]float64, *Weights) {
	t.Helper()
	dir := realdata.Path(t, "pysal", "stl")
	f, err := os.Open(dir + "/stl_hom.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	sc.Scan()
	col := -1
	for i, h := range strings.Split(sc.Text(), ",") {
		if strings.Trim(h, `" `) == "HR8893" {
			col = i
		}
	}
	if col < 0 {
		t.Fatalf("no HR8893 in %q", sc.Text())
	}
	var y []float64
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		v, err := strconv.ParseFloat(strings.Split(sc.Text(), ",")[col], 64)
		if err != nil {
			t.Fatal(err)
		}
		y = append(y, v)
	}
	gf, err := os.Open(dir + "/stl.gal")
	if err != nil {
		t.Fatal(err)
	}
	defer gf.Close()
	gal, err := ParseGAL(gf)
	if err != nil {
		t.Fatal(err)
	}
	// the GAL ids are 1..78 in the order of the rows of stl_hom.txt
	for i, id := range gal.IDs {
		if id != strconv.Itoa(i+1) {
			t.Fatalf("GAL id %d is %q", i, id)
		}
	}
	w, err := FromNeighbors(gal.Neighbors)
	if err != nil {
		t.Fatal(err)
	}
	if len(y) != 78 || w.N != 78 {
		t.Fatalf("%d values, %d observations", len(y), w.N)
	}
	return y, w
}

func TestMoranSTL(t *testing.T) {
	y, w := readSTL(t)
	m, err := Moran(y, w, RowStandardised)
	if err != nil {
		t.Fatal(err)
	}
	dI, dp := math.Abs(m.I-0.24365582621771659), math.Abs(m.PNorm-0.00013573931385468807)
	t.Logf("I = %.17g (diff %.2g), p_norm = %.17g (diff %.2g), z_norm = %.6f, p_rand = %.6g", m.I, dI, m.PNorm, dp, m.ZNorm, m.PRand)
	if dI >= tol || dp >= tol || dp/0.00013573931385468807 > 1e-6 {
		t.Errorf("I = %v p = %v", m.I, m.PNorm)
	}
}

func TestLocalMoranSTL(t *testing.T) {
	y, w := readSTL(t)
	lm, err := LocalMoran(y, w, LocalMoranOptions{Transform: RowStandardised, Permutations: 999, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	// Σ I_i / S0 equals global I with row-standardised weights: Σ I_i = (n-1)/n · n I.
	g, _ := Moran(y, w, RowStandardised)
	sum := 0.0
	for _, v := range lm.I {
		sum += v
	}
	if want := g.I * float64(len(y)-1); math.Abs(sum-want) > 1e-9 {
		t.Errorf("Σ I_i = %v, want %v", sum, want)
	}
	for i := range y {
		if lm.PSim[i] < 1.0/1000 || lm.PSim[i] > 0.5+1e-12 {
			t.Errorf("p_sim[%d] = %v outside [1/1000, 0.5]", i, lm.PSim[i])
		}
		hi, nb := lm.I[i] > 0, lm.Q[i] == HH || lm.Q[i] == LL
		if hi != nb && lm.I[i] != 0 {
			t.Errorf("obs %d: I = %v in quadrant %v", i, lm.I[i], lm.Q[i])
		}
	}
}

func TestBenjaminiHochberg(t *testing.T) {
	// By hand, m = 10, alpha = 0.05: thresholds k·0.005 are 0.005, 0.010,
	// 0.015, 0.020, 0.025, ...; sorted p: 0.001 0.008 0.039 0.041 0.042 0.060
	// 0.074 0.205 0.212 0.216. p(2) = 0.008 <= 0.010 but p(3..) exceed their
	// thresholds, so k = 2. q(i) = min_{j>=i} 10 p(j)/j:
	// 10·0.001/1 = 0.01, 10·0.008/2 = 0.04, then 0.39/3 = 0.13, 0.41/4 =
	// 0.1025, 0.42/5 = 0.084, 0.6/6 = 0.1, 0.74/7 = 0.10571..., 2.05/8 =
	// 0.25625, 2.12/9 = 0.23556, 2.16/10 = 0.216, running minima from the top.
	p := []float64{0.041, 0.001, 0.216, 0.008, 0.039, 0.212, 0.042, 0.060, 0.074, 0.205, math.NaN()}
	sig, q := BenjaminiHochberg(p, 0.05)
	wantQ := []float64{0.084, 0.01, 0.216, 0.04, 0.084, 0.216, 0.084, 0.1, 0.74 / 7, 0.216}
	wantSig := []bool{false, true, false, true, false, false, false, false, false, false, false}
	for i := range wantQ {
		if math.Abs(q[i]-wantQ[i]) > 1e-12 {
			t.Errorf("q[%d] = %v, want %v", i, q[i], wantQ[i])
		}
	}
	if !math.IsNaN(q[10]) {
		t.Errorf("q of NaN = %v", q[10])
	}
	if !slices.Equal(sig, wantSig) {
		t.Errorf("significant %v, want %v", sig, wantSig)
	}
	// at alpha 0.1 the thresholds are 0.01·k: p(6) = 0.060 <= 0.06 and
	// p(7) = 0.074 > 0.07, so k = 6
	sig, _ = BenjaminiHochberg(p, 0.1)
	if n := count(sig); n != 6 {
		t.Errorf("%d significant at 0.1, want 6", n)
	}
}

func count(b []bool) int {
	c := 0
	for _, v := range b {
		if v {
			c++
		}
	}
	return c
}

func randomPoints(n int, seed uint64) (x, y, v []float64) {
	r := rand.New(rand.NewPCG(seed, 1))
	for range n {
		x = append(x, r.Float64()*1000)
		y = append(y, r.Float64()*1000)
		v = append(v, float64(r.IntN(5)))
	}
	return
}

func TestDistanceBandAndKNNAgainstBruteForce(t *testing.T) {
	x, y, _ := randomPoints(600, 3)
	x = append(x, x[0]) // a duplicate location
	y = append(y, y[0])
	w, err := DistanceBand(x, y, 60)
	if err != nil {
		t.Fatal(err)
	}
	k, err := KNN(x, y, 6)
	if err != nil {
		t.Fatal(err)
	}
	for i := range x {
		var band []int32
		type dj struct {
			d float64
			j int32
		}
		var all []dj
		for j := range x {
			if i == j {
				continue
			}
			d := math.Hypot(x[i]-x[j], y[i]-y[j])
			if d*d <= 60*60 {
				band = append(band, int32(j))
			}
			all = append(all, dj{(x[i]-x[j])*(x[i]-x[j]) + (y[i]-y[j])*(y[i]-y[j]), int32(j)})
		}
		if got := w.Index[w.Offsets[i]:w.Offsets[i+1]]; !slices.Equal(got, band) {
			t.Fatalf("band neighbours of %d: %v, want %v", i, got, band)
		}
		slices.SortFunc(all, func(a, b dj) int {
			if a.d != b.d {
				if a.d < b.d {
					return -1
				}
				return 1
			}
			return int(a.j - b.j)
		})
		var nn []int32
		for _, a := range all[:6] {
			nn = append(nn, a.j)
		}
		slices.Sort(nn)
		if got := k.Index[k.Offsets[i]:k.Offsets[i+1]]; !slices.Equal(got, nn) {
			t.Fatalf("knn of %d: %v, want %v", i, got, nn)
		}
	}
}

func TestGridQueen(t *testing.T) {
	w, _ := GridQueen(4, 3)
	if w.Cardinality(0) != 3 || w.Cardinality(5) != 8 || w.Cardinality(11) != 3 || w.Cardinality(4) != 5 {
		t.Errorf("cardinalities %v", w.Offsets)
	}
	if got := w.Index[w.Offsets[5]:w.Offsets[6]]; !slices.Equal(got, []int32{0, 1, 2, 4, 6, 8, 9, 10}) {
		t.Errorf("neighbours of 5: %v", got)
	}
	s0, s1, s2 := w.Moments()
	// 4x3 queen: 2·(3·3 + 4·2 + 2·(3·2)) = 2·29 = 58 ordered pairs
	if s0 != 58 || s1 != 2*58 {
		t.Errorf("s0 %v s1 %v s2 %v", s0, s1, s2)
	}
}

func TestParseGAL(t *testing.T) {
	g, err := ParseGAL(strings.NewReader("0 3 shp ID\na 2\nb c\nb 1\na\nc 1\na\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(g.IDs, []string{"a", "b", "c"}) || !slices.Equal(g.Neighbors[0], []int{1, 2}) || !slices.Equal(g.Neighbors[2], []int{0}) {
		t.Errorf("%+v", g)
	}
	for _, bad := range []string{"", "2\n1 1\n3\n2 1\n1\n", "2\n1 1\n2\n", "1\n1 0\n2 0\n"} {
		if _, err := ParseGAL(strings.NewReader(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestPermutationsDeterministicAcrossGOMAXPROCS(t *testing.T) {
	x, y, v := randomPoints(3000, 9)
	w, _ := DistanceBand(x, y, 40)
	opt := LocalGOptions{Star: true, Transform: Binary, Permutations: 199, Seed: 42, SimMoments: true}
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	a, err := LocalG(v, w, opt)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GOMAXPROCS(8)
	b, _ := LocalG(v, w, opt)
	c, _ := LocalG(v, w, opt)
	for i := range a.PSim {
		same := func(p, q float64) bool { return p == q || (math.IsNaN(p) && math.IsNaN(q)) }
		if !same(a.PSim[i], b.PSim[i]) || !same(b.PSim[i], c.PSim[i]) || !same(a.ZSim[i], b.ZSim[i]) {
			t.Fatalf("obs %d: p_sim %v / %v / %v", i, a.PSim[i], b.PSim[i], c.PSim[i])
		}
	}
	opt.Seed = 43
	d, _ := LocalG(v, w, opt)
	if slices.Equal(a.PSim, d.PSim) {
		t.Error("another seed gave the same p_sim")
	}
}

// The simulated moments must match the analytical ones where the two nulls
// coincide: local G with binary weights. For row-standardised weights esda's
// variance (kept for compatibility) ignores Σ_j w_ij², so the simulated
// variance is (N-k)/(k(N-1)) of it; for Gi* the conditional permutation keeps
// y_i fixed, so the simulated mean is (w_ii y_i + W_i ȳ_(i)) / Σ y.
func TestPermutationsAgreeWithMoments(t *testing.T) {
	x, y, v := randomPoints(2000, 5)
	w, _ := DistanceBand(x, y, 50)
	sum := 0.0
	for _, a := range v {
		sum += a
	}
	N := float64(len(v) - 1)
	for _, tr := range []Transform{Binary, RowStandardised} {
		for _, star := range []bool{false, true} {
			r, err := LocalG(v, w, LocalGOptions{Star: star, Transform: tr, Permutations: 999, Seed: 1, SimMoments: true})
			if err != nil {
				t.Fatal(err)
			}
			var dm, dv float64
			m := 0
			for i := range v {
				k := float64(w.Cardinality(i))
				if k < 3 {
					continue
				}
				m++
				mean, variance := r.EG[i], r.VG[i]
				switch {
				case star:
					self, wk := 1.0, k
					if tr == RowStandardised {
						self, wk = 1/(k+1), k/(k+1)
					}
					mean = (self*v[i] + wk*(sum-v[i])/N) / sum
				case tr == RowStandardised:
					variance *= (N - k) / (k * (N - 1))
				}
				dm += math.Abs(r.EGSim[i]-mean) / math.Sqrt(variance)
				if !star {
					dv += r.SeGSim[i] * r.SeGSim[i] / variance
				} else {
					dv++
				}
			}
			dm /= float64(m)
			dv /= float64(m)
			t.Logf("%v star=%v: mean |E_sim - E|/sd = %.3f, mean V_sim/V = %.3f", tr, star, dm, dv)
			if dm > 0.06 || math.Abs(dv-1) > 0.06 {
				t.Errorf("%v star=%v: mean |E_sim - E|/sd = %.3f, mean V_sim/V = %.3f", tr, star, dm, dv)
			}
		}
	}
}

// The conditional permutation's p_sim must be uniform-ish under the null.
func TestPSimUniformUnderNull(t *testing.T) {
	x, y, v := randomPoints(4000, 11)
	w, _ := KNN(x, y, 8)
	r, err := LocalG(v, w, LocalGOptions{Star: true, Transform: RowStandardised, Permutations: 99, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	below := 0
	for _, p := range r.PSim {
		if p <= 0.05 {
			below++
		}
	}
	// folded p <= 0.05 has probability about 0.10 under the null
	if f := float64(below) / float64(len(v)); f < 0.06 || f > 0.14 {
		t.Errorf("fraction of p_sim <= 0.05 under the null: %.3f", f)
	}
}

func TestBadInput(t *testing.T) {
	w, _ := DistanceBand(sixX, sixY, 15)
	if _, err := LocalG([]float64{1, 2}, w, LocalGOptions{}); err == nil {
		t.Error("length mismatch accepted")
	}
	if _, err := LocalG([]float64{1, 2, 3, -1, 5, 6}, w, LocalGOptions{}); err == nil {
		t.Error("negative value accepted")
	}
	if _, err := DistanceBand(sixX, sixY, 0); err == nil {
		t.Error("zero band accepted")
	}
	if _, err := KNN(sixX, sixY, 6); err == nil {
		t.Error("k = n accepted")
	}
}

// Full-precision values from esda 2.5.1 (G, G_Local with permutations=0) on
// the six points, for a tighter check than the published 8 decimals.
func TestSixPointsFullPrecision(t *testing.T) {
	w, _ := DistanceBand(sixX, sixY, 15)
	g, _ := GlobalG(sixV, w)
	if math.Abs(g.G-0.5570977917981073) > 1e-14 || math.Abs(g.P-0.17293565873591432) > 1e-14 {
		t.Errorf("global G %.17g p %.17g", g.G, g.P)
	}
	want := map[LocalGOptions][]float64{
		{Transform: Binary}:                      {-1.0136728985502572, -0.0436158942016933, 1.3155870289605438, -0.3141267582045626, 1.153739858106773, 1.7783394086210973},
		{Transform: Binary, Star: true}:          {-1.3972762620115442, -0.2891776156271273, 0.6506496351610379, -0.2891776156271273, 1.2345208835198738, 2.024243309389896},
		{Transform: RowStandardised}:             {-0.6207453418840371, -0.017806114244894006, 1.3155870289605438, -0.12824171202596835, 0.28843496452669326, 1.7783394086210973},
		{Transform: RowStandardised, Star: true}: {-0.624880941040924, -0.0914459913718423, 0.4115069611732913, -0.0914459913718423, 0.2469041767039752, 1.2802438792057955},
	}
	for opt, z := range want {
		r, _ := LocalG(sixV, w, opt)
		if d := maxDiff(t, r.Z, z); d > 1e-12 {
			t.Errorf("%+v: max diff %g", opt, d)
		}
	}
}

func TestHypergeomCDF(t *testing.T) {
	// M = 10 items, K = 3 successes, k = 4 draws: P(H=h) = C(3,h)C(7,4-h)/C(10,4)
	// = 35/210, 105/210, 63/210, 7/210
	cdf := hypergeomCDF(10, 3, 4)
	want := []float64{35.0 / 210, 140.0 / 210, 203.0 / 210, 1, 1}
	for h := range want {
		if math.Abs(cdf[h]-want[h]) > 1e-12 {
			t.Errorf("cdf[%d] = %v, want %v", h, cdf[h], want[h])
		}
	}
}

// The two-stage sampler used for sparse values (mostly one value) must give
// the same null distribution as drawing k of the n-1 others directly.
func TestSplitSamplerMatchesDirect(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n := 3000
	v := make([]float64, n)
	for i := range v {
		if r.Float64() < 0.2 {
			v[i] = float64(1 + r.IntN(6))
		}
	}
	w, _ := GridQueen(60, 50)
	split := conditionalPermutations(v, w, 4999, 3, true)
	// a worker without the split runs the direct draws
	direct := make([]permCounts, n)
	pw := &permWorker{rng: bits32{src: rand.NewPCG(0, 0)}}
	for i := 0; i < n; i++ {
		direct[i] = pw.observation(v, w, i, 4999, 3, true)
	}
	if newSplit(v, w.MaxCardinality()) == nil {
		t.Fatal("the split path is not used")
	}
	var dMean, dSD float64
	for i := 0; i < n; i++ {
		ms, md := split[i].sum/4999, direct[i].sum/4999
		sd := math.Sqrt(direct[i].sumSq/4999 - md*md)
		dMean = math.Max(dMean, math.Abs(ms-md)/(sd*math.Sqrt(2.0/4999)))
		ss := math.Sqrt(split[i].sumSq/4999 - ms*ms)
		dSD = math.Max(dSD, math.Abs(ss-sd)/sd)
	}
	// 3000 comparisons of means that differ by Monte Carlo error only: the
	// largest standardised difference of two independent means stays below 5
	if dMean > 5 || dSD > 0.1 {
		t.Errorf("split vs direct: max standardised mean diff %.2f, max relative sd diff %.3f", dMean, dSD)
	}
}

// Local Moran on St Louis against esda 2.5.1's Moran_Local (Is, q, EI). Its
// VI used a per-observation kurtosis (z⁴/n not summed), fixed in later esda;
// VI is checked against the current formula evaluated with numpy.
func TestLocalMoranSTLValues(t *testing.T) {
	y, w := readSTL(t)
	lm, err := LocalMoran(y, w, LocalMoranOptions{Transform: RowStandardised})
	if err != nil {
		t.Fatal(err)
	}
	if d := maxDiff(t, lm.I[:4], []float64{-0.07728771901781642, 0.17282318654142595, 0.10175765638835897, 0.0891041888885417}); d > 1e-12 {
		t.Errorf("Is differ by %g", d)
	}
	if d := maxDiff(t, lm.VI[:3], []float64{0.19602877467864424, 0.19602877467864424, 0.19602877467864424}); d > 1e-12 {
		t.Errorf("VI differ by %g", d)
	}
	if math.Abs(lm.EI[0]+1.0/77) > 1e-15 {
		t.Errorf("EI %v", lm.EI[0])
	}
	wantQ := []Quadrant{LH, LL, LL, LL, LL, HL, HL, LL}
	if !slices.Equal(lm.Q[:8], wantQ) {
		t.Errorf("quadrants %v, want %v", lm.Q[:8], wantQ)
	}
	m, _ := Moran(y, w, RowStandardised)
	if math.Abs(m.PRand-1.273004355841561e-06) > 1e-15 {
		t.Errorf("p_rand %v", m.PRand)
	}
}

// One non-empty cell: the split sampler must never ask for more non-modal
// values than exist (it would loop forever).
func TestSplitSamplerSingleValue(t *testing.T) {
	w, _ := GridQueen(8, 8)
	y := make([]float64, 64)
	y[27] = 3
	r, err := LocalG(y, w, LocalGOptions{Star: true, Permutations: 999, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	// Conditional permutation keeps y_i: for cell 27 the others are all 0,
	// every draw ties, p = 1. For its neighbour 28 the observed sum is 3 and
	// a draw of 8 of the other 63 values contains the 3 with probability
	// 8/63, so p ≈ 2·(0.127·999+1)/1000 ≈ 0.256.
	if r.PSimTwoSided[27] != 1 {
		t.Errorf("p of the only non-empty cell %v, want 1", r.PSimTwoSided[27])
	}
	if p := r.PSimTwoSided[28]; p < 0.18 || p > 0.34 {
		t.Errorf("p of its neighbour %v, want about 0.256", p)
	}
	if r.PSimTwoSided[0] != 1 {
		t.Errorf("p of an empty corner among empty cells %v, want 1", r.PSimTwoSided[0])
	}
}

// The p-values do not depend on whether the simulated moments are computed,
// on the split path included (sparse counts).
func TestPSimIndependentOfMoments(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	y := make([]float64, 2500)
	for i := range y {
		if r.Float64() < 0.15 {
			y[i] = float64(1 + r.IntN(4))
		}
	}
	w, _ := GridQueen(50, 50)
	a, _ := LocalG(y, w, LocalGOptions{Star: true, Permutations: 499, Seed: 9})
	b, _ := LocalG(y, w, LocalGOptions{Star: true, Permutations: 499, Seed: 9, SimMoments: true})
	if !slices.Equal(a.PSim, b.PSim) || !slices.Equal(a.PSimTwoSided, b.PSimTwoSided) || a.ZSim != nil || b.ZSim == nil {
		t.Error("p_sim depends on SimMoments")
	}
	la, _ := LocalMoran(y, w, LocalMoranOptions{Permutations: 499, Seed: 9})
	lb, _ := LocalMoran(y, w, LocalMoranOptions{Permutations: 499, Seed: 9, SimMoments: true})
	if !slices.Equal(la.PSim, lb.PSim) {
		t.Error("LISA p_sim depends on SimMoments")
	}
}
