package forecast

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"
)

// Surface is one method's forecast for one day.
type Surface struct {
	Card Card `json:"card"`
	Grid Grid `json:"grid"`
	// Day is the forecast day (days since 1970-01-01 on the local clock).
	Day int64 `json:"day"`
	// Risk per cell (row-major); NaN for cells outside the study area. The
	// scale depends on the method: only the ranking of cells is compared
	// between methods.
	Risk []float64 `json:"risk"`
	// Before is the number of incidents recorded before the day (the
	// method uses those within its window); Outside the number of incidents
	// outside the grid or the study area.
	Before  int `json:"before"`
	Outside int `json:"outside"`
}

// MarshalJSON writes Risk with null for cells outside the study area.
func (s Surface) MarshalJSON() ([]byte, error) {
	type plain Surface
	vals := make([]*float64, len(s.Risk))
	for i := range s.Risk {
		if finite(s.Risk[i]) {
			vals[i] = &s.Risk[i]
		}
	}
	return json.Marshal(struct {
		plain
		Risk []*float64 `json:"risk"`
	}{plain(s), vals})
}

// Predict computes method m's forecast for day, from the incidents recorded
// before 00:00 of that day.
func Predict(ev Events, g Grid, m Method, day int64) (*Surface, error) {
	if err := m.check(g); err != nil {
		return nil, err
	}
	p, err := prepare(ev, g)
	if err != nil {
		return nil, err
	}
	if day < math.MinInt32/2 || day > math.MaxInt32/2 {
		return nil, inputErr("day %d is out of range", day)
	}
	s := &Surface{Card: m.Card(), Grid: g, Day: day, Risk: make([]float64, g.Cells()), Outside: p.outside}
	_, s.Before = p.eventsIn(math.MinInt32, int32(day))
	if s.Before == 0 {
		return nil, inputErr("no incident before day %d: nothing to forecast from", day)
	}
	m.start(p).predict(int32(day), s.Risk)
	for c := range s.Risk {
		if !g.in(c) {
			s.Risk[c] = math.NaN()
		}
	}
	return s, nil
}

// TieRule is how cells with equal risk are ranked when a coverage cuts
// through them.
type TieRule string

// Tie rules.
const (
	// TiesFractional (default) counts the expected hits under a random
	// order of the tied cells: if k of m tied cells fit, each of them counts
	// k/m of its incidents. It neither favours nor penalises a method whose
	// forecast has many ties (e.g. the zeros of the naive forecast).
	TiesFractional TieRule = "fractional"
	// TiesOpenCP keeps, among tied cells, those that come last in row-major
	// order, as open_cp's evaluation.top_slice does (its docstring says
	// first; its code keeps the last). For comparisons with open_cp.
	TiesOpenCP TieRule = "open_cp"
)

// DefaultCoverages returns the coverages reported when none are given:
// 1, 2, 5, 10 and 20 % of the study area.
func DefaultCoverages() []float64 { return []float64{0.01, 0.02, 0.05, 0.10, 0.20} }

// EvalParams configures a rolling-origin evaluation.
type EvalParams struct {
	// Start is the first forecast day and End the day after the last test
	// day (days since 1970-01-01 on the local clock): periods start at
	// Start, Start+PeriodDays, ... while they fit before End.
	Start, End int64
	// PeriodDays is the length of a forecast period; 0 means 1 (daily
	// forecasts).
	PeriodDays int
	// Coverages are fractions of the study area's cells in (0, 1]; nil
	// means DefaultCoverages. A coverage f selects ⌊N·f⌋ of the N cells.
	Coverages []float64
	// CurvePoints is the number of points of the coverage curve (at
	// coverages j/CurvePoints); 0 means 100.
	CurvePoints int
	// Ties is TiesFractional (default) or TiesOpenCP.
	Ties TieRule
	// Progress, if set, is called after each period with the periods done
	// and the total (from several goroutines, never concurrently).
	Progress func(done, total int)
}

// CoverageScore is one method's score at one coverage, pooled over the
// periods.
type CoverageScore struct {
	// Coverage is the requested fraction; Cells = ⌊N·Coverage⌋ the cells
	// selected and AreaShare = Cells/N.
	Coverage  float64 `json:"coverage"`
	Cells     int     `json:"cells"`
	AreaShare float64 `json:"area_share"`
	// Hits are the test incidents in the selected cells summed over the
	// periods (fractional under TiesFractional), Events all test incidents,
	// MaxHits the most any forecast could have caught with as many cells in
	// each period (the cells with the most test incidents).
	Hits    float64 `json:"hits"`
	Events  int     `json:"events"`
	MaxHits float64 `json:"max_hits"`
	// HitRate = Hits/Events; PAI = HitRate/AreaShare (Chainey et al.
	// 2008); PEI = Hits/MaxHits (Hunt 2016).
	HitRate float64 `json:"hit_rate"`
	PAI     float64 `json:"pai"`
	PEI     float64 `json:"pei"`
	// MeanHitRate and SEHitRate are the mean of the per-period hit rates
	// and its standard error (sd/√n over the PeriodsWithEvents periods
	// that had test incidents; 0 with fewer than 2 such periods): the
	// uncertainty from period to period.
	MeanHitRate       float64 `json:"mean_hit_rate"`
	SEHitRate         float64 `json:"se_hit_rate"`
	PeriodsWithEvents int     `json:"periods_with_events"`
}

// CurvePoint is one point of the pooled coverage curve.
type CurvePoint struct {
	Coverage float64 `json:"coverage"` // requested fraction j/CurvePoints
	Cells    int     `json:"cells"`
	HitRate  float64 `json:"hit_rate"`
	PAI      float64 `json:"pai"`
	PEI      float64 `json:"pei"`
}

// MethodScore is one method's result.
type MethodScore struct {
	Card      Card            `json:"card"`
	Coverages []CoverageScore `json:"coverages"`
	Curve     []CurvePoint    `json:"curve"`
	// PeriodHitRates[p][k] is period p's hit rate at Coverages[k]; nil
	// for a period without test incidents.
	PeriodHitRates [][]float64 `json:"period_hit_rates"`
}

// Evaluation is the result of Evaluate: several methods scored on the same
// periods and incidents.
type Evaluation struct {
	Grid        Grid    `json:"grid"`
	CellsInArea int     `json:"cells_in_area"`
	Start       int64   `json:"start"`
	End         int64   `json:"end"`
	PeriodDays  int     `json:"period_days"`
	Periods     int     `json:"periods"`
	Ties        TieRule `json:"ties"`
	// TestEvents are the incidents in the study area during the periods;
	// PeriodEvents[p] those of period p.
	TestEvents   int   `json:"test_events"`
	PeriodEvents []int `json:"period_events"`
	// Before is the number of incidents recorded before Start; Outside
	// those outside the grid or study area (never scored).
	Before  int           `json:"before"`
	Outside int           `json:"outside"`
	Methods []MethodScore `json:"methods"`
	Notes   []string      `json:"notes"`
}

func (p *EvalParams) resolve(g Grid) error {
	if p.PeriodDays == 0 {
		p.PeriodDays = 1
	}
	if p.PeriodDays < 0 || p.PeriodDays > 3660 {
		return inputErr("period of %d days: want 1 to 3660", p.PeriodDays)
	}
	if p.End <= p.Start {
		return inputErr("test window [%d, %d) is empty: the end day must come after the start day", p.Start, p.End)
	}
	if p.Start < math.MinInt32/2 || p.End > math.MaxInt32/2 {
		return inputErr("test window [%d, %d) is out of range", p.Start, p.End)
	}
	if (p.End-p.Start)/int64(p.PeriodDays) < 1 {
		return inputErr("test window of %d days is shorter than one period of %d days", p.End-p.Start, p.PeriodDays)
	}
	if (p.End-p.Start)/int64(p.PeriodDays) > 100_000 {
		return inputErr("%d periods: at most 100000", (p.End-p.Start)/int64(p.PeriodDays))
	}
	if p.Coverages == nil {
		p.Coverages = DefaultCoverages()
	}
	if len(p.Coverages) == 0 {
		return inputErr("no coverage to report")
	}
	for _, f := range p.Coverages {
		if !(f > 0 && f <= 1) {
			return inputErr("coverage %v: want a fraction in (0, 1], e.g. 0.05 for 5 %% of the area", f)
		}
	}
	if p.CurvePoints == 0 {
		p.CurvePoints = 100
	}
	if p.CurvePoints < 1 || p.CurvePoints > 10000 {
		return inputErr("%d curve points: want 1 to 10000", p.CurvePoints)
	}
	n := g.CellsInArea()
	p.CurvePoints = min(p.CurvePoints, n)
	for _, f := range p.Coverages {
		if math.Floor(float64(n)*f) < 1 {
			return inputErr("coverage %v selects no cell of the %d in the study area: use at least %.4g", f, n, 1/float64(n))
		}
	}
	switch p.Ties {
	case "":
		p.Ties = TiesFractional
	case TiesFractional, TiesOpenCP:
	default:
		return inputErr("tie rule %q: want fractional or open_cp", p.Ties)
	}
	return nil
}

// period holds one period's test incidents per cell and its oracle.
type period struct {
	day    int32
	cells  []int32   // cells with test incidents
	counts []float64 // their counts
	events int
	oracle []float64 // oracle[k] = most incidents in k cells, k = 0..len(cells)
}

func (pd *period) maxHits(k int) float64 { return pd.oracle[min(k, len(pd.oracle)-1)] }

// Evaluate runs a rolling-origin evaluation of the methods on the same
// incidents: for each period it asks every method for a forecast made at
// 00:00 of the period's first day from the incidents recorded before it,
// and scores it on the period's incidents in the study area. Methods run in
// parallel; the result does not depend on the number of CPUs. Bad
// parameters and unsuitable data are refused before any work starts.
func Evaluate(ctx context.Context, ev Events, g Grid, methods []Method, p EvalParams) (*Evaluation, error) {
	if len(methods) == 0 {
		return nil, inputErr("no method to evaluate")
	}
	if err := g.validate(); err != nil {
		return nil, err
	}
	if err := p.resolve(g); err != nil {
		return nil, err
	}
	for _, m := range methods {
		if m == nil {
			return nil, inputErr("nil method")
		}
		if err := m.check(g); err != nil {
			return nil, err
		}
	}
	pr, err := prepare(ev, g)
	if err != nil {
		return nil, err
	}
	N := g.CellsInArea()
	if N == 0 {
		return nil, inputErr("no grid cell lies in the study area")
	}
	nper := int((p.End - p.Start) / int64(p.PeriodDays))
	e := &Evaluation{Grid: g, CellsInArea: N, Start: p.Start, End: p.Start + int64(nper*p.PeriodDays),
		PeriodDays: p.PeriodDays, Periods: nper, Ties: p.Ties, Outside: pr.outside, PeriodEvents: make([]int, nper)}
	_, e.Before = pr.eventsIn(math.MinInt32, int32(p.Start))
	if e.Before == 0 {
		return nil, inputErr("no incident before the first forecast day %d: the methods would have nothing to learn from", p.Start)
	}
	pers := make([]period, nper)
	cnt := map[int32]float64{}
	for k := range pers {
		d := int32(p.Start) + int32(k*p.PeriodDays)
		pd := &pers[k]
		pd.day = d
		lo, hi := pr.eventsIn(d, d+int32(p.PeriodDays))
		clear(cnt)
		for i := lo; i < hi; i++ {
			if c := pr.cell[i]; c >= 0 {
				cnt[c]++
				pd.events++
			}
		}
		for c := range cnt {
			pd.cells = append(pd.cells, c)
		}
		slices.Sort(pd.cells)
		pd.counts = make([]float64, len(pd.cells))
		for j, c := range pd.cells {
			pd.counts[j] = cnt[c]
		}
		sorted := slices.Clone(pd.counts)
		sort.Sort(sort.Reverse(sort.Float64Slice(sorted)))
		pd.oracle = make([]float64, len(sorted)+1)
		for j, v := range sorted {
			pd.oracle[j+1] = pd.oracle[j] + v
		}
		e.PeriodEvents[k] = pd.events
		e.TestEvents += pd.events
	}
	if e.TestEvents == 0 {
		return nil, inputErr("no incident in the study area during the test window: nothing to score")
	}
	if last := int64(pr.lastDay()); last < e.End-1 {
		e.Notes = append(e.Notes, fmt.Sprintf("the incidents end on day %d, before the end of the test window (day %d): the later periods have no incidents and are left out of the means", last, e.End-1))
	}
	e.Notes = append(e.Notes,
		"forecasts are made at 00:00 of each period's first day from the incidents recorded before it; each is scored on the incidents of its period",
		"incidents show where police recorded crime, not where all crime happened: a forecast learns and is scored on the same recording pattern",
		fmt.Sprintf("ties between cells of equal risk: %s", p.Ties))

	var mu sync.Mutex
	done, total := 0, nper*len(methods)
	e.Methods = make([]MethodScore, len(methods))
	errs := make([]error, len(methods))
	var wg sync.WaitGroup
	for mi, m := range methods {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.Methods[mi], errs[mi] = scoreMethod(ctx, pr, N, pers, m, p, func() {
				if p.Progress != nil {
					mu.Lock()
					done++
					p.Progress(done, total)
					mu.Unlock()
				}
			})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return e, nil
}

// placeAll returns, for each probe value, how many in-area cells have a
// strictly higher risk and how many an equal one, in one pass over the grid
// (O(cells · log probes)) instead of sorting every cell.
type placer struct {
	uniq       []float64 // distinct probe values, increasing
	hist, eq   []int
	above, equ []int
}

func (pl *placer) place(risk []float64, g Grid, probes []float64) (above, equal []int) {
	pl.uniq = append(pl.uniq[:0], probes...)
	slices.Sort(pl.uniq)
	pl.uniq = slices.Compact(pl.uniq)
	m := len(pl.uniq)
	pl.hist = append(pl.hist[:0], make([]int, m+1)...)
	pl.eq = append(pl.eq[:0], make([]int, m)...)
	u := pl.uniq
	for c, v := range risk {
		if !g.in(c) {
			continue
		}
		// idx = number of probe values < v
		var idx int
		if v <= u[0] {
			idx = 0
		} else {
			lo, hi := 1, m
			for lo < hi {
				mid := int(uint(lo+hi) >> 1)
				if u[mid] < v {
					lo = mid + 1
				} else {
					hi = mid
				}
			}
			idx = lo
		}
		pl.hist[idx]++
		if idx < m && u[idx] == v {
			pl.eq[idx]++
		}
	}
	// cells strictly above u[j]: those with idx > j, minus none (idx > j
	// means v > u[j]).
	sufAbove := make([]int, m)
	run := 0
	for j := m - 1; j >= 0; j-- {
		run += pl.hist[j+1]
		sufAbove[j] = run
	}
	pl.above, pl.equ = pl.above[:0], pl.equ[:0]
	for _, v := range probes {
		j, _ := slices.BinarySearch(u, v)
		pl.above = append(pl.above, sufAbove[j])
		pl.equ = append(pl.equ, pl.eq[j])
	}
	return pl.above, pl.equ
}

func scoreMethod(ctx context.Context, pr *prepared, N int, pers []period, m Method, p EvalParams, tick func()) (MethodScore, error) {
	g := pr.g
	ms := MethodScore{Card: m.Card(), PeriodHitRates: make([][]float64, len(pers))}
	K := len(p.Coverages)
	cov := make([]int, K)
	for k, f := range p.Coverages {
		cov[k] = int(math.Floor(float64(N) * f))
	}
	cur := make([]int, p.CurvePoints)
	for j := range cur {
		cur[j] = int(math.Floor(float64(N) * float64(j+1) / float64(p.CurvePoints)))
	}
	hits, maxh := make([]float64, K), make([]float64, K)
	chits, cmax := make([]float64, len(cur)), make([]float64, len(cur))
	sum, sum2, nwith := make([]float64, K), make([]float64, K), 0
	risk := make([]float64, g.Cells())
	pred := m.start(pr)
	var pl placer
	probes := []float64{}
	// For TiesOpenCP: rank of each in-area cell in (risk desc, index desc).
	var order []int32
	rank := []int32(nil)
	if p.Ties == TiesOpenCP {
		rank = make([]int32, g.Cells())
	}
	var above, equal []int
	for pi := range pers {
		if err := ctx.Err(); err != nil {
			return ms, err
		}
		pd := &pers[pi]
		pred.predict(pd.day, risk)
		if pd.events == 0 {
			tick()
			continue
		}
		hr := make([]float64, K)
		ms.PeriodHitRates[pi] = hr
		// hitsAt(n) = incidents caught by the top n cells.
		var hitsAt func(n int) float64
		if p.Ties == TiesOpenCP {
			order = order[:0]
			for c := range risk {
				if g.in(c) {
					order = append(order, int32(c))
				}
			}
			slices.SortFunc(order, func(a, b int32) int {
				switch {
				case risk[a] > risk[b]:
					return -1
				case risk[a] < risk[b]:
					return 1
				}
				return int(b - a)
			})
			for r, c := range order {
				rank[c] = int32(r)
			}
			hitsAt = func(n int) float64 {
				h := 0.0
				for j, c := range pd.cells {
					if int(rank[c]) < n {
						h += pd.counts[j]
					}
				}
				return h
			}
		} else {
			probes = probes[:0]
			for _, c := range pd.cells {
				probes = append(probes, risk[c])
			}
			above, equal = pl.place(risk, g, probes)
			hitsAt = func(n int) float64 {
				h := 0.0
				for j := range pd.cells {
					switch a, q := above[j], equal[j]; {
					case n >= a+q:
						h += pd.counts[j]
					case n > a:
						h += pd.counts[j] * float64(n-a) / float64(q)
					}
				}
				return h
			}
		}
		ev := float64(pd.events)
		for k, n := range cov {
			h := hitsAt(n)
			hits[k] += h
			maxh[k] += pd.maxHits(n)
			hr[k] = h / ev
			sum[k] += hr[k]
			sum2[k] += hr[k] * hr[k]
		}
		nwith++
		for j, n := range cur {
			chits[j] += hitsAt(n)
			cmax[j] += pd.maxHits(n)
		}
		tick()
	}
	events := 0
	for _, pd := range pers {
		events += pd.events
	}
	for k, f := range p.Coverages {
		s := CoverageScore{Coverage: f, Cells: cov[k], AreaShare: float64(cov[k]) / float64(N),
			Hits: hits[k], Events: events, MaxHits: maxh[k], PeriodsWithEvents: nwith}
		s.HitRate = hits[k] / float64(events)
		s.PAI = ratio(s.HitRate, s.AreaShare)
		s.PEI = ratio(hits[k], maxh[k])
		s.MeanHitRate = sum[k] / float64(nwith)
		if nwith > 1 {
			v := (sum2[k] - sum[k]*sum[k]/float64(nwith)) / float64(nwith-1)
			s.SEHitRate = math.Sqrt(math.Max(0, v) / float64(nwith))
		}
		ms.Coverages = append(ms.Coverages, s)
	}
	for j, n := range cur {
		hrate := chits[j] / float64(events)
		share := float64(n) / float64(N)
		ms.Curve = append(ms.Curve, CurvePoint{Coverage: float64(j+1) / float64(p.CurvePoints), Cells: n,
			HitRate: hrate, PAI: ratio(hrate, share), PEI: ratio(chits[j], cmax[j])})
	}
	return ms, nil
}

// ratio is a/b, 0 when b is 0 (never the case for the coverages and curve
// points resolve allows: at least one cell, at least one test incident).
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
