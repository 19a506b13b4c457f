package density

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

func closeTo(t *testing.T, name string, got, want, rel float64) {
	t.Helper()
	if math.Abs(got-want) > rel*math.Max(math.Abs(want), 1e-300) {
		t.Errorf("%s = %.12g, want %.12g (rel tol %g, rel err %.2g)", name, got, want, rel, math.Abs(got-want)/math.Abs(want))
	}
}

func TestDefaultCellSize(t *testing.T) {
	cases := []struct {
		b     BBox
		round bool
		want  float64
	}{
		{BBox{0, 0, 35000, 45000}, true, 700},    // 35000/50 = 700
		{BBox{0, 0, 20000, 12345}, true, 200},    // 246.9 → 200
		{BBox{0, 0, 20000, 12345}, false, 246.9}, // plain side/50
		{BBox{0, 0, 3000, 4000}, true, 60},       // < 5 km: 60, not 0
	}
	for _, c := range cases {
		if got := DefaultCellSize(c.b, c.round); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("DefaultCellSize(%+v, %v) = %v, want %v", c.b, c.round, got, c.want)
		}
	}
}

func TestCountGrid(t *testing.T) {
	// 3 × 2 grid of 100 m cells over [0,300]×[0,200]; the study area is
	// x < 250 (cell (2,*) centres at x = 250 are outside).
	xs := []float64{10, 20, 150, 299.9, 300, 240, math.NaN(), 400, 260}
	ys := []float64{10, 20, 150, 199, 200, 50, 1, 1, 50}
	inside := func(x, y float64) bool { return x < 250 }
	r, err := CountGrid(xs, ys, GridParams{Area: BBox{0, 0, 300, 200}, CellSize: 100, Inside: inside})
	if err != nil {
		t.Fatal(err)
	}
	if r.Grid.NX != 3 || r.Grid.NY != 2 || r.Params.CellSizeRule != "given by the user" {
		t.Fatalf("grid %+v", r.Grid)
	}
	want := []int32{2, 0, 1, 0, 1, 0} // (240,50) inside the area, in cell 2
	for c := range want {
		if r.Counts[c] != want[c] {
			t.Errorf("counts = %v, want %v", r.Counts, want)
			break
		}
	}
	// Cell 2 joins the area because it holds an in-area incident; cell 5 does not.
	if !r.InArea[2] || r.InArea[5] || r.CellsInArea != 5 || r.N != 4 || r.MaxCount != 2 || r.Empty != 2 {
		t.Errorf("in area %v cells %d n %d max %d empty %d", r.InArea, r.CellsInArea, r.N, r.MaxCount, r.Empty)
	}
	ex := map[string]int{}
	for _, e := range r.Excluded {
		ex[e.Code] = e.Count
	}
	if ex[ReasonNonFinite] != 1 || ex[ReasonOutsideBBox] != 1 || ex[ReasonOutsideArea] != 3 {
		t.Errorf("excluded %+v", r.Excluded)
	}
	// Default cell size from the points' bbox; too many cells is an error
	// that says what to change.
	d, err := CountGrid([]float64{0, 10000}, []float64{0, 6000}, GridParams{})
	if err != nil || d.Grid.CellSize != 100 || d.Grid.NX != 100 || d.Grid.NY != 60 || !strings.Contains(d.Params.CellSizeRule, "rounded down") {
		t.Errorf("default grid %+v %q %v", d.Grid, d.Params.CellSizeRule, err)
	}
	_, err = CountGrid([]float64{0, 1e6}, []float64{0, 1e6}, GridParams{CellSize: 10})
	if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "cell size of at least") {
		t.Errorf("huge grid: %v", err)
	}
}

// sample returns 60 deterministic points in a 1.7 × 1.5 km box; the same
// expression generated the reference values in Python.
func sample() (xs, ys []float64) {
	for i := 0; i < 60; i++ {
		xs = append(xs, float64((i*7919)%1009)*1.7)
		ys = append(ys, float64((i*104729)%997)*1.3+float64(i%5)*40)
	}
	return
}

// Reference: scikit-learn 1.2.1 (Debian bookworm /usr/bin/python3), computed
// outside the repository:
//
//	X = [[((i*7919) % 1009)*1.7, ((i*104729) % 997)*1.3 + (i % 5)*40] for i in range(60)]
//	kd = KernelDensity(kernel='gaussian', bandwidth=150).fit(X)
//	exp(kd.score_samples(pts)) * 60 * 1e6      # incidents per km²
var sklearnPts = [][2]float64{{505, 405}, {1005, 755}, {1505, 1205}, {105, 105}, {845, 615}}
var sklearnDensity = []float64{31.353257357571035, 30.500983247081205, 16.798576652356665, 19.427506764049447, 32.76195139551092}

func TestKDEAgainstSklearn(t *testing.T) {
	xs, ys := sample()
	for i, p := range sklearnPts {
		closeTo(t, "exact", ExactDensity(xs, ys, Gaussian, 150, p[0], p[1]), sklearnDensity[i], 1e-12)
	}
	// Binned surface on a 10 m grid (cell = h/15): the points are at cell
	// centres of the grid below.
	for _, cell := range []float64{10, 30, 50} {
		d, err := KDE(xs, ys, KDEParams{GridParams: GridParams{Area: BBox{-1000, -1000, 3000, 2500}, CellSize: cell}, Bandwidth: 150})
		if err != nil {
			t.Fatal(err)
		}
		worst := 0.0
		for i, p := range sklearnPts {
			x, y := p[0]+1000, p[1]+1000
			// Bilinear interpolation between cell centres.
			u, w := x/cell-0.5, y/cell-0.5
			c0, r0 := int(u), int(w)
			fu, fw := u-float64(c0), w-float64(r0)
			at := func(c, r int) float64 { return d.Values[r*d.Grid.NX+c] }
			v := (1-fu)*(1-fw)*at(c0, r0) + fu*(1-fw)*at(c0+1, r0) + (1-fu)*fw*at(c0, r0+1) + fu*fw*at(c0+1, r0+1)
			worst = math.Max(worst, math.Abs(v-sklearnDensity[i])/sklearnDensity[i])
		}
		// Documented binned-approximation error (docs/methods/kernel-density.md).
		limit := map[float64]float64{10: 0.002, 30: 0.01, 50: 0.03}[cell]
		t.Logf("cell %v m (h/cell = %.1f): max relative error vs sklearn %.2e", cell, 150/cell, worst)
		if worst > limit {
			t.Errorf("cell %v: binned error %.3g > %.3g", cell, worst, limit)
		}
		// The surface integrates to n when the area holds the whole kernel mass.
		closeTo(t, "mass", d.MassInArea, 60, 1e-3)
	}
}

func TestQuarticBinnedVsExact(t *testing.T) {
	xs, ys := sample()
	h := 400.0
	d, err := KDE(xs, ys, KDEParams{GridParams: GridParams{Area: BBox{-1000, -1000, 3000, 2500}, CellSize: 10}, Kernel: Quartic, Bandwidth: h})
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for c := 0; c < d.Grid.Cells(); c += 997 {
		x, y := d.Grid.Center(c)
		ex := ExactDensity(xs, ys, Quartic, h, x, y)
		if ex > 5 {
			worst = math.Max(worst, math.Abs(d.Values[c]-ex)/ex)
		}
	}
	t.Logf("quartic h=400 m, 10 m cells: max relative error vs exact sum %.2e", worst)
	if worst > 0.01 {
		t.Errorf("quartic binned error %.3g", worst)
	}
	closeTo(t, "mass", d.MassInArea, 60, 1e-9)
	// Hand value: one point at a cell centre, quartic peak = 3/(πh²)·10⁶ per km².
	one, _ := KDE([]float64{505}, []float64{505}, KDEParams{GridParams: GridParams{Area: BBox{0, 0, 1000, 1000}, CellSize: 10}, Kernel: Quartic, Bandwidth: 200})
	closeTo(t, "peak", one.Max, 3/(math.Pi*200*200)*1e6, 2e-3)
}

// Reference: exact leave-one-out likelihood CV with scikit-learn 1.2.1
// (outside the repository), same 60 points and candidates
// 20·(400/20)^(i/19), i = 0..19:
//
//	f = exp(KernelDensity(bandwidth=h).fit(X).score_samples(X))
//	loo = (n*f - 1/(2πh²)) / (n-1);  score = mean(log(loo*1e6))
//
// best: index 15, h = 212.89180277662848 m.
func TestLCVAgainstExact(t *testing.T) {
	xs, ys := sample()
	d, err := KDE(xs, ys, KDEParams{
		GridParams: GridParams{Area: BBox{-500, -500, 2300, 1900}, CellSize: 10},
		Selector:   SelectLCV,
		LCV:        LCVParams{Min: 20, Max: 400, Count: 20},
	})
	if err != nil {
		t.Fatal(err)
	}
	closeTo(t, "lcv bandwidth", d.Bandwidth, 212.89180277662848, 1e-9)
	if d.LCV == nil || d.LCV.AtBoundary || len(d.LCV.Scores) != 20 {
		t.Errorf("lcv %+v", d.LCV)
	}
	// Exact score at the optimum (sklearn): −1.2257; binned within 0.01.
	if s := d.LCV.Scores[15]; math.Abs(s-(-1.2257)) > 0.01 {
		t.Errorf("score at optimum %v, sklearn −1.2257", s)
	}
}

func TestScottAndDefaults(t *testing.T) {
	// sd_x = sd_y = 1 for {−1, 0, 1}·… : points (−1,−1), (0,0), (1,1) have
	// sample sd 1 on each axis: h = 3^(−1/6).
	h := ScottBandwidth([]float64{-1, 0, 1}, []float64{-1, 0, 1})
	closeTo(t, "scott", h, math.Pow(3, -1.0/6), 1e-14)
	xs, ys := sample()
	d, err := KDE(xs, ys, KDEParams{Kernel: Quartic})
	if err != nil {
		t.Fatal(err)
	}
	closeTo(t, "quartic scott", d.Bandwidth, ScottBandwidth(xs, ys)*QuarticPerGaussian, 1e-14)
	closeTo(t, "ratio", QuarticPerGaussian, math.Pow(2304.0/5, 1.0/6), 1e-15)
	if d.Params.Selector != SelectScott || d.Params.CellSize == 0 || d.Units != "incidents per km²" {
		t.Errorf("params %+v", d.Params)
	}
	if _, err := KDE(xs, ys, KDEParams{Kernel: "epanechnikov"}); !errors.Is(err, ErrInput) {
		t.Error("unknown kernel accepted")
	}
}

func TestClipAndEdgeCorrection(t *testing.T) {
	// Points on a regular 20 m lattice filling a 1 km square: the true
	// density is 2500 per km² everywhere inside.
	var xs, ys []float64
	for x := 10.0; x < 1000; x += 20 {
		for y := 10.0; y < 1000; y += 20 {
			xs = append(xs, x)
			ys = append(ys, y)
		}
	}
	inside := func(x, y float64) bool { return x < 1000 && y < 1000 }
	p := KDEParams{GridParams: GridParams{Area: BBox{0, 0, 1500, 1000}, CellSize: 10, Inside: inside}, Bandwidth: 60}
	plain, err := KDE(xs, ys, p)
	if err != nil {
		t.Fatal(err)
	}
	p.EdgeCorrection = true
	corr, _ := KDE(xs, ys, p)
	centre, _ := plain.Grid.CellOf(500, 500)
	corner, _ := plain.Grid.CellOf(1, 1)
	out, _ := plain.Grid.CellOf(1200, 500)
	closeTo(t, "centre", plain.Values[centre], 2500, 0.01)
	if v := plain.Values[corner] / plain.Values[centre]; v > 0.35 || v < 0.2 {
		t.Errorf("uncorrected corner/centre = %v, want about 1/4", v)
	}
	closeTo(t, "corrected corner", corr.Values[corner], 2500, 0.05)
	if !math.IsNaN(plain.Values[out]) || plain.InArea[out] {
		t.Error("cell outside the area not NaN")
	}
	if plain.MassInArea >= float64(plain.N) || plain.MassInArea < 0.9*float64(plain.N) {
		t.Errorf("mass in area %v of %d", plain.MassInArea, plain.N)
	}
	b, err := json.Marshal(plain)
	if err != nil || !strings.Contains(string(b), "null") {
		t.Errorf("json: %v", err)
	}
}

func TestRefusesDegrees(t *testing.T) {
	xs, ys := []float64{-87.70, -87.69, -87.60}, []float64{41.80, 41.81, 41.90}
	if _, err := CountGrid(xs, ys, GridParams{CellSize: 100}); !errors.Is(err, ErrInput) {
		t.Errorf("grid of 100 m on degrees: %v", err)
	}
	if _, err := KDE(xs, ys, KDEParams{Bandwidth: 200}); !errors.Is(err, ErrInput) {
		t.Errorf("KDE bandwidth 200 m on degrees: %v", err)
	}
}
