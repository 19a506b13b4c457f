// Package density maps where incidents concentrate: counts on a regular grid
// and kernel density estimates (Gaussian and quartic kernels) with a rule-of-
// thumb or likelihood cross-validated bandwidth, clipped to a study area.
//
// Coordinates are projected, in metres. The study area is given as a
// bounding box plus an optional point-in-polygon predicate supplied by the
// caller, so the package needs no geometry library.
//
// The package is pure: no I/O, no clock, no package-level mutable state.
// Every result carries its method card: method, parameters with defaults
// applied, n, what was left out and why. See docs/methods/grid-counts.md and
// docs/methods/kernel-density.md.
package density

import (
	"errors"
	"fmt"
	"math"

	"github.com/icarus-city/icarus/internal/analysis/coords"
)

// ErrInput reports unusable input or parameters, before any work starts.
var ErrInput = errors.New("density: bad input")

func inputErr(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInput, fmt.Sprintf(format, a...))
}

// DefaultMaxCells bounds the grid size when the caller gives no limit. A KDE
// needs about 50 bytes per cell of the padded FFT grid, which is up to 4× the
// grid: 4 million cells is under 1 GB.
const DefaultMaxCells = 4_000_000

// BBox is an axis-aligned rectangle in metres.
type BBox struct {
	MinX float64 `json:"min_x"`
	MinY float64 `json:"min_y"`
	MaxX float64 `json:"max_x"`
	MaxY float64 `json:"max_y"`
}

// Width and Height of the box.
func (b BBox) Width() float64  { return b.MaxX - b.MinX }
func (b BBox) Height() float64 { return b.MaxY - b.MinY }

func (b BBox) valid() bool {
	return finite(b.MinX) && finite(b.MinY) && finite(b.MaxX) && finite(b.MaxY) && b.MaxX > b.MinX && b.MaxY > b.MinY
}

func (b BBox) contains(x, y float64) bool {
	return x >= b.MinX && x <= b.MaxX && y >= b.MinY && y <= b.MaxY
}

// Bounds returns the bounding box of the finite points.
func Bounds(xs, ys []float64) (BBox, bool) {
	b := BBox{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	ok := false
	for i := range xs {
		if !finite(xs[i]) || !finite(ys[i]) {
			continue
		}
		ok = true
		b.MinX, b.MaxX = math.Min(b.MinX, xs[i]), math.Max(b.MaxX, xs[i])
		b.MinY, b.MaxY = math.Min(b.MinY, ys[i]), math.Max(b.MaxY, ys[i])
	}
	return b, ok
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Grid is a regular grid of square cells. Cell (col, row) covers
// [X0+col·CellSize, X0+(col+1)·CellSize) × [Y0+row·CellSize, …); row 0 is
// the southernmost row. Cells are stored row-major: index = row·NX + col.
type Grid struct {
	X0       float64 `json:"x0"`
	Y0       float64 `json:"y0"`
	CellSize float64 `json:"cell_size"`
	NX       int     `json:"nx"`
	NY       int     `json:"ny"`
}

// Cells is NX·NY.
func (g Grid) Cells() int { return g.NX * g.NY }

// Center returns the centre of cell index c.
func (g Grid) Center(c int) (x, y float64) {
	col, row := c%g.NX, c/g.NX
	return g.X0 + (float64(col)+0.5)*g.CellSize, g.Y0 + (float64(row)+0.5)*g.CellSize
}

// CellOf returns the index of the cell holding (x, y). Points on the grid's
// east or north edge belong to the last column or row.
func (g Grid) CellOf(x, y float64) (int, bool) {
	fc := math.Floor((x - g.X0) / g.CellSize)
	fr := math.Floor((y - g.Y0) / g.CellSize)
	col, row := int(fc), int(fr)
	if col == g.NX && x <= g.X0+float64(g.NX)*g.CellSize {
		col--
	}
	if row == g.NY && y <= g.Y0+float64(g.NY)*g.CellSize {
		row--
	}
	if fc < 0 || fr < 0 || col < 0 || row < 0 || col >= g.NX || row >= g.NY {
		return 0, false
	}
	return row*g.NX + col, true
}

// DefaultCellSize is sfhotspot's rule (set_cell_size.R, v1.0.0): one
// fiftieth of the shorter side of the bounding box, rounded down to a
// multiple of 100 m when round is true and that leaves a positive size
// (i.e. when the shorter side is at least 5 km); otherwise the plain
// side / 50. Coordinates must be in metres.
func DefaultCellSize(b BBox, round bool) float64 {
	side := math.Min(b.Width(), b.Height())
	if r := math.Floor(side / 50 / 100); round && r > 0 {
		return r * 100
	}
	return side / 50
}

// GridParams defines the grid and the study area.
type GridParams struct {
	// Area is the study area's bounding box; zero means the bounding box of
	// the points.
	Area BBox `json:"area"`
	// CellSize in metres; 0 means DefaultCellSize(Area, !NoRounding).
	CellSize   float64 `json:"cell_size"`
	NoRounding bool    `json:"no_rounding,omitempty"`
	// Inside reports whether a point lies in the study area (e.g. a
	// point-in-polygon test); nil means the whole bounding box.
	Inside func(x, y float64) bool `json:"-"`
	// MaxCells refuses larger grids; 0 means DefaultMaxCells.
	MaxCells int `json:"max_cells"`
	// CellSizeRule is filled in by the functions: how CellSize was chosen.
	CellSizeRule string `json:"cell_size_rule"`
}

// resolve applies defaults and builds the grid.
func (p *GridParams) resolve(xs, ys []float64) (Grid, error) {
	if len(xs) != len(ys) {
		return Grid{}, inputErr("%d x values but %d y values", len(xs), len(ys))
	}
	if p.Area == (BBox{}) {
		b, ok := Bounds(xs, ys)
		if !ok {
			return Grid{}, inputErr("no point with finite coordinates and no study area given")
		}
		p.Area = b
	}
	if !p.Area.valid() {
		return Grid{}, inputErr("study area bounding box %+v is empty or not finite (all points at one place?)", p.Area)
	}
	if p.MaxCells == 0 {
		p.MaxCells = DefaultMaxCells
	}
	switch {
	case p.CellSize == 0:
		p.CellSize = DefaultCellSize(p.Area, !p.NoRounding)
		if p.NoRounding || math.Floor(math.Min(p.Area.Width(), p.Area.Height())/50/100) == 0 {
			p.CellSizeRule = "default: shorter side of the study area's bounding box / 50 (sfhotspot)"
		} else {
			p.CellSizeRule = "default: shorter side of the study area's bounding box / 50, rounded down to a multiple of 100 m (sfhotspot)"
		}
	case !(p.CellSize > 0) || !finite(p.CellSize):
		return Grid{}, inputErr("cell size %v: want a positive number of metres", p.CellSize)
	default:
		p.CellSizeRule = "given by the user"
		if err := coords.CheckMetres(xs, ys, p.CellSize, "cell size"); err != nil {
			return Grid{}, inputErr("%v", err)
		}
	}
	nx := math.Max(1, math.Ceil(p.Area.Width()/p.CellSize))
	ny := math.Max(1, math.Ceil(p.Area.Height()/p.CellSize))
	if nx*ny > float64(p.MaxCells) {
		min := math.Sqrt(p.Area.Width() * p.Area.Height() / float64(p.MaxCells))
		return Grid{}, inputErr("a %.0f m grid over %.1f × %.1f km would have %.0f × %.0f = %.0f cells (limit %d, about %.0f MB for a KDE): use a cell size of at least %.0f m or a smaller study area",
			p.CellSize, p.Area.Width()/1000, p.Area.Height()/1000, nx, ny, nx*ny, p.MaxCells, nx*ny*4*50/1e6, math.Ceil(min))
	}
	return Grid{X0: p.Area.MinX, Y0: p.Area.MinY, CellSize: p.CellSize, NX: int(nx), NY: int(ny)}, nil
}

// Reasons a point is left out (Exclusion.Code).
const (
	ReasonNonFinite   = "non-finite"
	ReasonOutsideBBox = "outside-bbox"
	ReasonOutsideArea = "outside-area"
)

// Exclusion counts the points left out for one reason.
type Exclusion struct {
	Code   string `json:"code"`
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

// filter assigns valid points and counts exclusions. keep[i] is true for
// points used.
func filter(xs, ys []float64, g Grid, area BBox, inside func(x, y float64) bool) (keep []bool, n int, ex []Exclusion) {
	keep = make([]bool, len(xs))
	var nf, ob, oa int
	for i := range xs {
		x, y := xs[i], ys[i]
		switch {
		case !finite(x) || !finite(y):
			nf++
		case !area.contains(x, y):
			ob++
		case inside != nil && !inside(x, y):
			oa++
		default:
			keep[i] = true
			n++
		}
	}
	add := func(code, reason string, c int) {
		if c > 0 {
			ex = append(ex, Exclusion{code, reason, c})
		}
	}
	add(ReasonNonFinite, "coordinates missing or not finite", nf)
	add(ReasonOutsideBBox, "outside the study area's bounding box", ob)
	add(ReasonOutsideArea, "outside the study area", oa)
	return keep, n, ex
}

// GridCounts is the result of CountGrid.
type GridCounts struct {
	Method string     `json:"method"`
	Params GridParams `json:"params"`
	Grid   Grid       `json:"grid"`
	// Counts[c] is the number of incidents in cell c; InArea[c] says whether
	// the cell belongs to the study area (cells outside hold 0 and should be
	// omitted from maps and statistics).
	Counts      []int32 `json:"counts"`
	InArea      []bool  `json:"in_area"`
	CellsInArea int     `json:"cells_in_area"`
	// N is the number of incidents counted; Input the number given.
	N        int         `json:"n"`
	Input    int         `json:"input"`
	Excluded []Exclusion `json:"excluded"`
	// MaxCount is the largest cell count; Empty the number of in-area cells
	// with no incident.
	MaxCount int      `json:"max_count"`
	Empty    int      `json:"empty"`
	Notes    []string `json:"notes,omitempty"`
}

// areaMask marks cells whose centre lies inside the study area.
func areaMask(g Grid, inside func(x, y float64) bool) []bool {
	m := make([]bool, g.Cells())
	for c := range m {
		if inside == nil {
			m[c] = true
			continue
		}
		x, y := g.Center(c)
		m[c] = inside(x, y)
	}
	return m
}

// CountGrid counts points per grid cell. A cell belongs to the study area
// when its centre is inside, or when it holds at least one incident that is
// inside (so every counted incident lies in an in-area cell and the cell
// counts add up to N).
func CountGrid(xs, ys []float64, p GridParams) (GridCounts, error) {
	g, err := p.resolve(xs, ys)
	if err != nil {
		return GridCounts{}, err
	}
	keep, n, ex := filter(xs, ys, g, p.Area, p.Inside)
	r := GridCounts{
		Method:   "incident counts on a regular square grid",
		Params:   p,
		Grid:     g,
		Counts:   make([]int32, g.Cells()),
		InArea:   areaMask(g, p.Inside),
		N:        n,
		Input:    len(xs),
		Excluded: ex,
	}
	for i, k := range keep {
		if !k {
			continue
		}
		c, _ := g.CellOf(xs[i], ys[i])
		r.Counts[c]++
		r.InArea[c] = true
	}
	for c, in := range r.InArea {
		if !in {
			continue
		}
		r.CellsInArea++
		if r.Counts[c] == 0 {
			r.Empty++
		}
		r.MaxCount = max(r.MaxCount, int(r.Counts[c]))
	}
	r.Notes = append(r.Notes,
		fmt.Sprintf("grid origin is the study area's south-west corner (%.1f, %.1f); moving the grid or changing the cell size changes the counts (modifiable areal unit problem)", g.X0, g.Y0),
		"counts show where incidents were recorded by the police, not where all crime happened")
	return r, nil
}
