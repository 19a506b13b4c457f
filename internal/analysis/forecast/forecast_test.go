package forecast

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/icarus-city/icarus/internal/analysis/density"
)

// grid100 is an nx × ny grid of 100 m cells at the origin.
func grid100(nx, ny int) Grid {
	return Grid{Grid: density.Grid{CellSize: 100, NX: nx, NY: ny}}
}

// at returns the centre of cell (col, row) of a 100 m grid.
func at(col, row int) (float64, float64) { return float64(col)*100 + 50, float64(row)*100 + 50 }

const D = 20000 // a forecast day

func ev(pts ...[3]float64) Events {
	var e Events
	for _, p := range pts {
		e.X, e.Y, e.T = append(e.X, p[0]), append(e.Y, p[1]), append(e.T, int64(p[2]))
	}
	return e
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }

func TestProspectiveHandValues(t *testing.T) {
	g := grid100(5, 5)
	x, y := at(2, 2)
	// 3 days before D (age 0 weeks): weight 1 at distance 0.
	e := ev([3]float64{x, y, (D - 3) * Day})
	s, err := Predict(e, g, Prospective{SpaceBandwidth: 2}, D)
	if err != nil {
		t.Fatal(err)
	}
	want := map[[2]int]float64{{2, 2}: 1, {1, 1}: 0.5, {3, 2}: 0.5, {0, 0}: 0, {4, 4}: 0, {0, 2}: 0}
	for cr, w := range want {
		if got := s.Risk[cr[1]*5+cr[0]]; !near(got, w) {
			t.Errorf("cell %v: risk %v, want %v", cr, got, w)
		}
	}
	// Ages in whole weeks, as open_cp: floor((D - T)/7 days).
	cases := []struct {
		t    int64
		want float64
	}{
		{(D-7)*Day + 1, 1},       // 6 days 23:59:59 old: age 0
		{(D - 7) * Day, 0.5},     // exactly 7 days: age 1
		{(D-10)*Day + 3600, 0.5}, // 9 days 23 h: age 1
		{(D - 56) * Day, 0},      // 8 weeks: outside the time bandwidth
		{(D-56)*Day + 1, 1.0 / 8},
		{D * Day, 0}, // midnight of the forecast day: never used
	}
	for _, c := range cases {
		e := ev([3]float64{x, y, (D - 100) * Day}, [3]float64{x, y, float64(c.t)})
		s, err := Predict(e, g, Prospective{}, D)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Risk[2*5+2]; !near(got, c.want) {
			t.Errorf("incident at D%+d s: risk %v, want %v", c.t-D*Day, got, c.want)
		}
	}
	// Manhattan and Euclidean distances: (1,1) is 2 and √2 cells from (2,2).
	for _, c := range []struct {
		d    GridDistance
		want float64
	}{{Manhattan, 1.0 / 3}, {Euclidean, 1 / (1 + math.Sqrt2)}, {Chebyshev, 0.5}} {
		s, err := Predict(e, g, Prospective{Distance: c.d}, D)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Risk[1*5+1]; !near(got, c.want) {
			t.Errorf("%s: risk %v, want %v", c.d, got, c.want)
		}
	}
	// An incident just outside the grid still counts for the cells it reaches.
	e = ev([3]float64{-50, 250, (D - 1) * Day})
	s, err = Predict(e, g, Prospective{}, D)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Risk[2*5+0]; !near(got, 0.5) {
		t.Errorf("incident outside the grid: risk of its neighbour %v, want 0.5", got)
	}
}

func TestNaiveAndRetrospective(t *testing.T) {
	g := grid100(5, 5)
	x, y := at(2, 2)
	e := ev([3]float64{x, y, (D-1)*Day + 5}, [3]float64{x, y, (D-1)*Day + 7}, [3]float64{x, y, (D - 2) * Day})
	s, err := Predict(e, g, Naive{}, D)
	if err != nil {
		t.Fatal(err)
	}
	if s.Risk[12] != 2 || s.Risk[11] != 0 {
		t.Errorf("naive: %v %v, want 2 0", s.Risk[12], s.Risk[11])
	}
	s, _ = Predict(e, g, Naive{WindowDays: 2}, D)
	if s.Risk[12] != 3 {
		t.Errorf("naive over 2 days: %v, want 3", s.Risk[12])
	}
	// Quartic, bandwidth 150 m: a neighbour centre at 100 m gets
	// (1 − 100²/150²)² = 25/81, a diagonal one at 141.4 m (1 − 2/2.25)² = 1/81.
	e = ev([3]float64{x, y, (D - 1) * Day})
	s, err = Predict(e, g, Retrospective{Bandwidth: 150}, D)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		cell int
		want float64
	}{{12, 1}, {13, 25.0 / 81}, {18, 1.0 / 81}, {14, 0}} {
		if !near(s.Risk[c.cell], c.want) {
			t.Errorf("quartic cell %d: %v, want %v", c.cell, s.Risk[c.cell], c.want)
		}
	}
	// Truncated Gaussian, bandwidth 200 m, 2 sd: exp(−(100²/200²)·4/2) = e^-0.5.
	s, _ = Predict(e, g, Retrospective{Kernel: TruncatedGaussian, Bandwidth: 200, StdDevs: 2}, D)
	if !near(s.Risk[13], math.Exp(-0.5)) || !near(s.Risk[14], math.Exp(-2)) || s.Risk[19] != 0 {
		t.Errorf("truncated Gaussian: %v %v %v", s.Risk[13], s.Risk[19], s.Risk[0])
	}
	// The window: 60 days by default.
	e = ev([3]float64{x, y, (D - 61) * Day}, [3]float64{x, y, (D - 60) * Day})
	s, _ = Predict(e, g, Retrospective{}, D)
	if s.Risk[12] != 1 {
		t.Errorf("retrospective window: %v, want 1", s.Risk[12])
	}
}

func randomEvents(r *rand.Rand, n int, w, h float64, day0, days int) Events {
	var e Events
	for i := 0; i < n; i++ {
		// clustered: half around a few centres
		x, y := r.Float64()*w, r.Float64()*h
		if i%2 == 0 {
			cx, cy := float64(1+i%3)*w/4, float64(1+i%5)*h/6
			x, y = cx+r.NormFloat64()*80, cy+r.NormFloat64()*80
		}
		e.X, e.Y = append(e.X, x), append(e.Y, y)
		e.T = append(e.T, int64(day0)*Day+r.Int64N(int64(days)*Day))
	}
	return e
}

// The incremental space-time KDE equals a fresh computation each day.
func TestSpaceTimeKDEIncremental(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	g := grid100(30, 20)
	e := randomEvents(r, 3000, 3000, 2000, D-200, 300)
	p, err := prepare(e, g)
	if err != nil {
		t.Fatal(err)
	}
	m := SpaceTimeKDE{WindowDays: 30, TimeScaleDays: 5}
	inc := m.start(p)
	a, b := make([]float64, g.Cells()), make([]float64, g.Cells())
	zeros := 0
	for d := int32(D - 150); d < D+100; d++ {
		inc.predict(d, a)
		m.start(p).predict(d, b)
		for c := range a {
			if math.Abs(a[c]-b[c]) > 1e-12*math.Max(1e-3, b[c]) {
				t.Fatalf("day %d cell %d: incremental %v, direct %v", d, c, a[c], b[c])
			}
			if (a[c] == 0) != (b[c] == 0) {
				t.Fatalf("day %d cell %d: incremental %v, direct %v (zero must stay exactly zero)", d, c, a[c], b[c])
			}
			if b[c] == 0 {
				zeros++
			}
		}
	}
	if zeros == 0 {
		t.Error("no empty cell was checked")
	}
	// hand value: one incident at a cell centre 1 day before, σ = 100 m,
	// τ = 14 days: centre = A/(2πσ²)·e^{-1/14}/14 with A = 100².
	x, y := at(5, 5)
	s, err := Predict(ev([3]float64{x, y, (D - 1) * Day}), g, SpaceTimeKDE{}, D)
	if err != nil {
		t.Fatal(err)
	}
	want := 1e4 / (2 * math.Pi * 1e4) * math.Exp(-1.0/14) / 14
	if !near(s.Risk[5*30+5], want) || !near(s.Risk[5*30+6], want*math.Exp(-0.5)) {
		t.Errorf("stkde: %v, %v; want %v, %v", s.Risk[5*30+5], s.Risk[5*30+6], want, want*math.Exp(-0.5))
	}
}

// Hand-checked hit rate, PAI and PEI on 10 cells in a row.
func TestEvaluateHandValues(t *testing.T) {
	g := grid100(10, 1)
	var pts [][3]float64
	add := func(col, n int, day int64) {
		x, y := at(col, 0)
		for i := 0; i < n; i++ {
			pts = append(pts, [3]float64{x, y, float64(day*Day + 3600)})
		}
	}
	add(0, 3, D-1) // training: cell 0 ×3, cell 1 ×2, cell 2 ×1
	add(1, 2, D-1)
	add(2, 1, D-1)
	add(1, 1, D) // test: cell 1 ×1, cell 5 ×2
	add(5, 2, D)
	e := ev(pts...)
	for _, c := range []struct {
		ties             TieRule
		cov              float64
		hits, maxh, rate float64
	}{
		{TiesFractional, 0.1, 0, 2, 0},
		{TiesFractional, 0.2, 1, 3, 1.0 / 3},
		// 5 cells: cells 0-2 and 2 of the 7 tied zero cells, cell 5 among
		// them: 1 + 2·2/7 expected hits.
		{TiesFractional, 0.5, 1 + 4.0/7, 3, (1 + 4.0/7) / 3},
		// open_cp keeps the last tied cells (9, 8): cell 5 is not caught.
		{TiesOpenCP, 0.5, 1, 3, 1.0 / 3},
		{TiesOpenCP, 0.6, 1, 3, 1.0 / 3},
		{TiesOpenCP, 0.8, 3, 3, 1},
		{TiesFractional, 1, 3, 3, 1},
	} {
		res, err := Evaluate(context.Background(), e, g, []Method{Naive{}}, EvalParams{Start: D, End: D + 1, Coverages: []float64{c.cov}, Ties: c.ties})
		if err != nil {
			t.Fatal(err)
		}
		s := res.Methods[0].Coverages[0]
		if !near(s.Hits, c.hits) || !near(s.MaxHits, c.maxh) || !near(s.HitRate, c.rate) ||
			!near(s.PAI, c.rate/(float64(s.Cells)/10)) || !near(s.PEI, c.hits/c.maxh) || s.Events != 3 {
			t.Errorf("%s at %v: %+v; want hits %v, max %v, rate %v", c.ties, c.cov, s, c.hits, c.maxh, c.rate)
		}
	}
	// Two daily periods pooled; the second has no incident of its own.
	res, err := Evaluate(context.Background(), e, g, []Method{Naive{}, Naive{WindowDays: 2}}, EvalParams{Start: D, End: D + 2, Coverages: []float64{0.2}, CurvePoints: 10})
	if err != nil {
		t.Fatal(err)
	}
	if res.Periods != 2 || res.TestEvents != 3 || res.PeriodEvents[1] != 0 || res.Methods[0].PeriodHitRates[1] != nil {
		t.Errorf("periods: %+v", res)
	}
	cs := res.Methods[0].Coverages[0]
	if cs.PeriodsWithEvents != 1 || !near(cs.MeanHitRate, 1.0/3) {
		t.Errorf("pooled: %+v", cs)
	}
	if c := res.Methods[0].Curve; len(c) != 10 || !near(c[1].HitRate, 1.0/3) || !near(c[9].HitRate, 1) || !near(c[9].PEI, 1) {
		t.Errorf("curve: %+v", c)
	}
}

func TestBadInput(t *testing.T) {
	g := grid100(10, 10)
	x, y := at(1, 1)
	good := ev([3]float64{x, y, (D - 1) * Day}, [3]float64{x, y, D * Day})
	month := good
	month.Resolution = ResolutionMonth
	ctx := context.Background()
	for _, c := range []struct {
		name, want string
		err        error
	}{
		{"empty", "selection is empty", func() error {
			_, err := Evaluate(ctx, Events{}, g, []Method{Naive{}}, EvalParams{Start: D, End: D + 1})
			return err
		}()},
		{"month", "only to the month", func() error {
			_, err := Evaluate(ctx, month, g, []Method{Naive{}}, EvalParams{Start: D, End: D + 1})
			return err
		}()},
		{"window", "must come after", func() error {
			_, err := Evaluate(ctx, good, g, []Method{Naive{}}, EvalParams{Start: D, End: D})
			return err
		}()},
		{"coverage", "fraction in (0, 1]", func() error {
			_, err := Evaluate(ctx, good, g, []Method{Naive{}}, EvalParams{Start: D, End: D + 1, Coverages: []float64{5}})
			return err
		}()},
		{"tiny coverage", "selects no cell", func() error {
			_, err := Evaluate(ctx, good, g, []Method{Naive{}}, EvalParams{Start: D, End: D + 1, Coverages: []float64{0.001}})
			return err
		}()},
		{"nothing before", "nothing to learn", func() error {
			_, err := Evaluate(ctx, good, g, []Method{Naive{}}, EvalParams{Start: D - 5, End: D - 4})
			return err
		}()},
		{"no test", "nothing to score", func() error {
			_, err := Evaluate(ctx, good, g, []Method{Naive{}}, EvalParams{Start: D + 5, End: D + 6})
			return err
		}()},
		{"bandwidth", "space bandwidth", func() error {
			_, err := Evaluate(ctx, good, g, []Method{Prospective{SpaceBandwidth: -1}}, EvalParams{Start: D, End: D + 1})
			return err
		}()},
		{"kernel", "unknown kernel", func() error { _, err := Predict(good, g, Retrospective{Kernel: "box"}, D); return err }()},
		{"nan", "not finite", func() error {
			_, err := Predict(ev([3]float64{math.NaN(), 1, 0}), g, Naive{}, D)
			return err
		}()},
		{"big grid", "use a cell size of at least", func() error {
			_, err := NewGrid(GridParams{Area: density.BBox{MaxX: 60000, MaxY: 50000}, CellSize: 10})
			return err
		}()},
		{"degrees", "longitude/latitude degrees", func() error {
			_, err := NewGrid(GridParams{Area: density.BBox{MinX: -87.9, MinY: 41.6, MaxX: -87.5, MaxY: 42.0}, CellSize: 150})
			return err
		}()},
	} {
		if c.err == nil || !errors.Is(c.err, ErrInput) || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want ErrInput containing %q", c.name, c.err, c.want)
		}
	}
	// the grid error says how large and what to change
	_, err := NewGrid(GridParams{Area: density.BBox{MaxX: 60000, MaxY: 50000}, CellSize: 10})
	if !strings.Contains(err.Error(), "6000 × 5000 = 30000000 cells") || !strings.Contains(err.Error(), "at least 28 m") {
		t.Errorf("grid error: %v", err)
	}
}

func TestNewGridMask(t *testing.T) {
	g, err := NewGrid(GridParams{Area: density.BBox{MaxX: 1000, MaxY: 500}, CellSize: 100, Inside: func(x, y float64) bool { return x < 500 }})
	if err != nil {
		t.Fatal(err)
	}
	if g.NX != 10 || g.NY != 5 || g.CellsInArea() != 25 {
		t.Errorf("grid %+v, %d in area", g.Grid, g.CellsInArea())
	}
}

// placer agrees with counting by brute force, ties and masked cells included.
func TestPlacer(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	g := grid100(13, 7)
	g.InArea = make([]bool, g.Cells())
	risk := make([]float64, g.Cells())
	var pl placer
	for trial := 0; trial < 200; trial++ {
		for c := range risk {
			risk[c] = float64(r.IntN(5)) / 2
			g.InArea[c] = r.IntN(4) > 0
		}
		var probes []float64
		for k := 0; k < 1+r.IntN(8); k++ {
			probes = append(probes, risk[r.IntN(len(risk))])
		}
		above, equal := pl.place(risk, g, probes)
		for j, v := range probes {
			a, q := 0, 0
			for c, w := range risk {
				if g.InArea[c] && w > v {
					a++
				} else if g.InArea[c] && w == v {
					q++
				}
			}
			if above[j] != a || equal[j] != q {
				t.Fatalf("trial %d probe %v: %d above %d equal, want %d %d", trial, v, above[j], equal[j], a, q)
			}
		}
	}
}

// Cells outside the study area are never selected and do not count towards
// coverage; incidents there are not scored.
func TestEvaluateStudyArea(t *testing.T) {
	g := grid100(10, 1)
	g.InArea = []bool{false, true, true, true, true, true, true, true, true, true}
	var pts [][3]float64
	add := func(col, n int, day int64) {
		x, y := at(col, 0)
		for i := 0; i < n; i++ {
			pts = append(pts, [3]float64{x, y, float64(day * Day)})
		}
	}
	add(0, 5, D-1) // the busiest cell is outside the area
	add(3, 1, D-1)
	add(0, 4, D) // not scored
	add(3, 1, D)
	add(7, 1, D)
	res, err := Evaluate(context.Background(), ev(pts...), g, []Method{Naive{}}, EvalParams{Start: D, End: D + 1, Coverages: []float64{1.0 / 9}})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Methods[0].Coverages[0]
	if res.CellsInArea != 9 || res.TestEvents != 2 || s.Cells != 1 || s.Hits != 1 || !near(s.PAI, 0.5*9) || res.Outside != 9 {
		t.Errorf("%+v %+v", res, s)
	}
	sf, err := Predict(ev(pts...), g, Naive{}, D)
	if err != nil || !math.IsNaN(sf.Risk[0]) || sf.Risk[3] != 1 {
		t.Errorf("surface %v %v", sf, err)
	}
	if _, err := json.Marshal(sf); err != nil {
		t.Errorf("surface JSON: %v", err)
	}
}

func TestKernelFootprintRefused(t *testing.T) {
	g := grid100(10, 10)
	x, y := at(1, 1)
	e := ev([3]float64{x, y, (D - 1) * Day})
	for _, m := range []Method{Retrospective{Bandwidth: 50000}, SpaceTimeKDE{Bandwidth: 20000}} {
		if _, err := Predict(e, g, m, D); !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "larger cells") {
			t.Errorf("%s: %v", String(m), err)
		}
	}
}

// The day-to-day update of the prospective method equals a fresh
// computation exactly, for several time units and with incidents at
// midnight, outside the grid and on the forecast days.
func TestProspectiveIncremental(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	g := grid100(25, 20)
	e := randomEvents(r, 4000, 2500, 2000, D-150, 250)
	for i := range e.T {
		if i%5 == 0 {
			e.T[i] -= e.T[i] % Day // at midnight
		}
		if i%97 == 0 {
			e.X[i] = -150 // just outside the grid
		}
	}
	p, err := prepare(e, g)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []Prospective{{}, {TimeUnitDays: 1, TimeBandwidth: 10}, {TimeUnitDays: 3, TimeBandwidth: 4.5, SpaceBandwidth: 3, Distance: Manhattan}} {
		inc := m.start(p).(*prospective)
		if !inc.exact {
			t.Fatalf("%s: not in exact mode", String(m))
		}
		a, b := make([]float64, g.Cells()), make([]float64, g.Cells())
		steps := 0
		for d := int32(D - 120); d < D+110; d++ {
			inc.predict(d, a)
			m.start(p).predict(d, b)
			for c := range a {
				if a[c] != b[c] {
					t.Fatalf("%s day %d cell %d: updated %v, fresh %v", String(m), d, c, a[c], b[c])
				}
			}
			steps++
		}
		if steps < 200 {
			t.Fatal("too few days")
		}
	}
}
