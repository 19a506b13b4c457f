// Package forecast predicts where incidents are likely in the next period
// from where and when they were recorded before, on a regular grid, and
// evaluates such forecasts honestly by rolling origin: for each period of a
// test window, a method sees only the incidents recorded before the period
// starts, ranks the grid cells, and is scored on the incidents of that
// period (hit rate, PAI, PEI; see docs/methods/evaluation.md).
//
// Methods (docs/methods/forecasting.md):
//   - Naive: counts of the last period(s).
//   - Retrospective: a quartic or truncated-Gaussian kernel over the
//     incidents of a past window (open_cp's RetroHotSpotGrid).
//   - Prospective: Bowers, Johnson & Pease (2004) weights
//     1/((1+d)(1+t)) in grid cells and whole time units (open_cp's
//     ProspectiveHotSpot with ClassicWeight).
//   - SpaceTimeKDE: a Gaussian space kernel times an exponential time decay.
//
// Times are whole seconds on the local clock, counted from 1970-01-01 00:00
// (the Unix time of the local wall-clock reading). Day d covers
// [d·86400, (d+1)·86400). A forecast "for day D" is made at 00:00 of day D
// from incidents with T < D·86400 (strictly: an incident of day D is never
// used to forecast day D, even when its time is exactly midnight).
//
// The package is pure: no I/O, no clock, no package-level mutable state.
// Each method's cost per forecast is proportional to the incidents in its
// time window times its kernel's footprint in cells, not to n × cells; the
// space-time KDE is updated incrementally from one day to the next.
package forecast

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/icarus-city/icarus/internal/analysis/coords"
	"github.com/icarus-city/icarus/internal/analysis/density"
)

// ErrInput reports unusable input or parameters, found before any work starts.
var ErrInput = errors.New("forecast: bad input")

func inputErr(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInput, fmt.Sprintf(format, a...))
}

// Day is the length of a day in seconds.
const Day = 86400

// Resolution is the finest time resolution of the incidents' times.
type Resolution string

// Resolutions, from finest to coarsest. They match incident.Resolution's
// values.
const (
	ResolutionExact Resolution = "exact" // date and time of day
	ResolutionDay   Resolution = "day"   // date only (times are 00:00)
	ResolutionMonth Resolution = "month" // month only: unusable for daily forecasts
)

// Events are the incidents a forecast learns from and is scored on.
type Events struct {
	// X, Y are projected coordinates in metres (not degrees).
	X, Y []float64
	// T are local-clock seconds from 1970-01-01 00:00 (see the package doc).
	T []int64
	// Resolution is the coarsest resolution among the incidents (the caller
	// leaves out, or refuses, incidents known only to the month). Empty
	// means ResolutionExact.
	Resolution Resolution
}

// Grid is the forecast grid: density.Grid's square cells (row-major,
// row 0 southernmost) and which cells belong to the study area.
type Grid struct {
	density.Grid
	// InArea[c] reports whether cell c is in the study area; nil means every
	// cell. Only in-area cells are ranked and count towards coverage.
	InArea []bool
}

// DefaultMaxCells bounds the grid when GridParams.MaxCells is 0. Evaluation
// keeps about 40 bytes per cell per method.
const DefaultMaxCells = 4_000_000

// GridParams defines a forecast grid over a study area.
type GridParams struct {
	// Area is the study area's bounding box in metres.
	Area density.BBox
	// CellSize in metres (required: forecasting results depend strongly on
	// it, so there is no silent default; 150 m is common in the literature).
	CellSize float64
	// Inside reports whether a point is in the study area (e.g. point in
	// polygon); a cell is in the area when its centre is. Nil: the box.
	Inside func(x, y float64) bool
	// MaxCells refuses larger grids; 0 means DefaultMaxCells.
	MaxCells int
}

// NewGrid builds the grid with its origin at the box's south-west corner.
// A grid that would exceed MaxCells is refused with its size and the
// smallest cell size that would fit.
func NewGrid(p GridParams) (Grid, error) {
	b := p.Area
	if !(b.MaxX > b.MinX) || !(b.MaxY > b.MinY) || !finite(b.MinX) || !finite(b.MinY) || !finite(b.MaxX) || !finite(b.MaxY) {
		return Grid{}, inputErr("study area bounding box %+v is empty or not finite", b)
	}
	if !(p.CellSize > 0) || !finite(p.CellSize) {
		return Grid{}, inputErr("cell size %v: want a positive number of metres", p.CellSize)
	}
	if err := coords.CheckMetres([]float64{b.MinX, b.MaxX}, []float64{b.MinY, b.MaxY}, p.CellSize, "cell size"); err != nil {
		return Grid{}, inputErr("%v", err)
	}
	maxCells := p.MaxCells
	if maxCells == 0 {
		maxCells = DefaultMaxCells
	}
	nx := math.Max(1, math.Ceil(b.Width()/p.CellSize))
	ny := math.Max(1, math.Ceil(b.Height()/p.CellSize))
	if nx*ny > float64(maxCells) {
		minSize := math.Sqrt(b.Width() * b.Height() / float64(maxCells))
		return Grid{}, inputErr("a %g m grid over %.1f × %.1f km would have %.0f × %.0f = %.0f cells (limit %d, about %.0f MB per method to evaluate): use a cell size of at least %.0f m or a smaller study area",
			p.CellSize, b.Width()/1000, b.Height()/1000, nx, ny, nx*ny, maxCells, nx*ny*40/1e6, math.Ceil(minSize))
	}
	g := Grid{Grid: density.Grid{X0: b.MinX, Y0: b.MinY, CellSize: p.CellSize, NX: int(nx), NY: int(ny)}}
	if p.Inside != nil {
		g.InArea = make([]bool, g.Cells())
		for c := range g.InArea {
			g.InArea[c] = p.Inside(g.Center(c))
		}
	}
	return g, nil
}

func (g Grid) in(c int) bool { return g.InArea == nil || g.InArea[c] }

// CellsInArea is the number of cells in the study area.
func (g Grid) CellsInArea() int {
	if g.InArea == nil {
		return g.Cells()
	}
	n := 0
	for _, in := range g.InArea {
		if in {
			n++
		}
	}
	return n
}

func (g Grid) validate() error {
	if g.NX <= 0 || g.NY <= 0 || !(g.CellSize > 0) || !finite(g.X0) || !finite(g.Y0) {
		return inputErr("grid %+v is empty or not finite: build it with NewGrid", g.Grid)
	}
	if g.InArea != nil && len(g.InArea) != g.Cells() {
		return inputErr("grid mask has %d entries for %d cells", len(g.InArea), g.Cells())
	}
	if g.Cells() > 1<<31-1 {
		return inputErr("grid has %d cells: too many", g.Cells())
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// floorDiv is ⌊a/b⌋ for b > 0.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// prepared holds the events sorted by time with their cells and days.
type prepared struct {
	g     Grid
	x, y  []float64
	t     []int64
	cell  []int32 // -1 outside the grid
	day   []int32 // ⌊T/86400⌋
	cday  []int32 // ⌈T/86400⌉: the first midnight at or after T
	first int32   // day of the earliest event
	// dayStart[d-first] is the index of the first event of day d
	// (len = last-first+2).
	dayStart []int
	// Outside counts events outside the grid or the study area.
	outside int
}

// prepare checks the events and indexes them. It never modifies ev.
func prepare(ev Events, g Grid) (*prepared, error) {
	if err := g.validate(); err != nil {
		return nil, err
	}
	n := len(ev.X)
	if len(ev.Y) != n || len(ev.T) != n {
		return nil, inputErr("%d x, %d y and %d times: the lengths must agree", n, len(ev.Y), len(ev.T))
	}
	if n == 0 {
		return nil, inputErr("no incidents: the selection is empty")
	}
	if ev.Resolution == ResolutionMonth {
		return nil, inputErr("the incidents' dates are known only to the month: daily forecasts need dates to the day (use a monthly period with a method on month counts, or data with full dates)")
	}
	for i := 0; i < n; i++ {
		if !finite(ev.X[i]) || !finite(ev.Y[i]) {
			return nil, inputErr("incident %d: coordinates (%v, %v) are not finite", i, ev.X[i], ev.Y[i])
		}
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return ev.T[order[a]] < ev.T[order[b]] })
	p := &prepared{g: g, x: make([]float64, n), y: make([]float64, n), t: make([]int64, n),
		cell: make([]int32, n), day: make([]int32, n), cday: make([]int32, n)}
	for k, i := range order {
		p.x[k], p.y[k], p.t[k] = ev.X[i], ev.Y[i], ev.T[i]
		d := floorDiv(ev.T[i], Day)
		if d < math.MinInt32/2 || d > math.MaxInt32/2 {
			return nil, inputErr("incident %d: time %d s is out of range", i, ev.T[i])
		}
		p.day[k] = int32(d)
		p.cday[k] = int32(-floorDiv(-ev.T[i], Day))
		c, ok := g.CellOf(ev.X[i], ev.Y[i])
		if ok && g.in(c) {
			p.cell[k] = int32(c)
		} else {
			p.cell[k] = -1
			p.outside++
		}
	}
	p.first = p.day[0]
	last := p.day[n-1]
	span := int(last-p.first) + 1
	if span > 200*366 {
		return nil, inputErr("incidents span %d days: check the time column", span)
	}
	p.dayStart = make([]int, span+1)
	k := 0
	for d := 0; d <= span; d++ {
		for k < n && int(p.day[k]-p.first) < d {
			k++
		}
		p.dayStart[d] = k
	}
	return p, nil
}

// eventsIn returns the index range [lo, hi) of events with day in [a, b).
func (p *prepared) eventsIn(a, b int32) (int, int) {
	idx := func(d int32) int {
		switch {
		case d <= p.first:
			return 0
		case int(d-p.first) >= len(p.dayStart):
			return len(p.t)
		}
		return p.dayStart[d-p.first]
	}
	if b <= a {
		return 0, 0
	}
	return idx(a), idx(b)
}

// lastDay is the day of the latest event.
func (p *prepared) lastDay() int32 { return p.day[len(p.day)-1] }
