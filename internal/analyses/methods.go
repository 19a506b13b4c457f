package analyses

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/icarus-city/icarus/internal/analysis/density"
	"github.com/icarus-city/icarus/internal/analysis/hotspot"
	"github.com/icarus-city/icarus/internal/analysis/nearrepeat"
	"github.com/icarus-city/icarus/internal/analysis/trend"
	"github.com/icarus-city/icarus/internal/apperr"
)

// Compute runs a validated request on points the caller has (file input)
// or Load read.
func Compute(ctx context.Context, r Request, p *Points, progress Progress) (*Result, error) {
	if progress == nil {
		progress = func(float64, string) {}
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if p.Len() == 0 {
		return nil, apperr.New(apperr.Invalid, "the selection is empty: no incident to analyse")
	}
	if p.Window.Incidents == 0 {
		p.finish()
	}
	var res *Result
	var err error
	switch r.Method {
	case MethodGrid:
		res, err = runGrid(ctx, r, p)
	case MethodKDE:
		res, err = runKDE(ctx, r, p)
	case MethodGetisOrd, MethodMoran:
		if p.Units != nil {
			res, err = runUnits(ctx, r, p, progress)
		} else if r.Method == MethodGetisOrd {
			res, err = runGetisOrd(ctx, r, p, progress)
		} else {
			res, err = runMoran(ctx, r, p, progress)
		}
	case MethodKnox:
		res, err = runKnox(ctx, r, p, progress)
	case MethodTrend:
		res, err = runTrend(ctx, r, p)
	case MethodChange:
		res, err = runChange(ctx, r, p)
	case MethodHotspotChange:
		res, err = runHotspotChange(ctx, r, p, progress)
	case MethodForecast:
		res, err = runForecast(ctx, r, p, progress)
	case MethodSPPT:
		res, err = runSPPT(ctx, r, p)
	default:
		return nil, apperr.New(apperr.Invalid, "method %q is not available", r.Method)
	}
	if err != nil {
		return nil, inputError(err)
	}
	res.Method = r.Method
	info, _ := Method(r.Method)
	res.Card.Data = p.Window
	if res.Card.Doc == "" {
		res.Card.Doc = info.Doc
	}
	if res.Card.Excluded == nil {
		res.Card.Excluded = []Exclusion{}
	}
	progress(1, "done")
	return res, nil
}

// inputError marks the methods' errors as invalid requests: the methods
// are pure, their errors are about the input and the parameters.
func inputError(err error) error {
	if apperr.CodeOf(err) != apperr.Internal || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return apperr.New(apperr.Invalid, "%s", err.Error())
}

func fmtF(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) }
func fmtG(v float64) string           { return strconv.FormatFloat(v, 'g', 4, 64) }

// fmtP writes a p-value, tiny ones as an upper bound (their digits mean nothing).
func fmtP(p float64) string {
	if p < 1e-12 {
		return "< 1e-12"
	}
	return "= " + fmtG(p)
}

// spatial returns the located points, counting the others as excluded.
func spatial(p *Points) (xs, ys []float64, idx []int, ex []Exclusion, err error) {
	xs, ys, idx = p.located()
	if n := p.Len() - len(xs); n > 0 {
		ex = append(ex, Exclusion{Reason: "no location", Count: n})
	}
	if len(xs) == 0 {
		return nil, nil, nil, ex, apperr.New(apperr.Invalid, "none of the %d selected incidents has a location: a map method needs coordinates", p.Len())
	}
	return xs, ys, idx, ex, nil
}

func gridExclusions(es []density.Exclusion) []Exclusion {
	var out []Exclusion
	for _, e := range es {
		if e.Count > 0 {
			out = append(out, Exclusion{Reason: e.Reason, Count: e.Count})
		}
	}
	return out
}

// studyBox is the bounding box of the study area (or zero: the points').
func studyBox(p *Points) density.BBox {
	if p.Study == nil {
		return density.BBox{}
	}
	b := p.Study.Bound()
	return density.BBox{MinX: b.Min[0], MinY: b.Min[1], MaxX: b.Max[0], MaxY: b.Max[1]}
}

func cellParam(g density.GridParams) Param {
	return Param{Name: "cell", Value: fmtF(g.CellSize, 0) + " m", Note: g.CellSizeRule}
}

// countGrid counts the located points in cells.
func countGrid(r Request, p *Points) (density.GridCounts, []Exclusion, error) {
	xs, ys, _, ex, err := spatial(p)
	if err != nil {
		return density.GridCounts{}, ex, err
	}
	gc, err := density.CountGrid(xs, ys, density.GridParams{Area: studyBox(p), CellSize: r.Params.Cell, Inside: p.inside()})
	if err != nil {
		return gc, ex, err
	}
	return gc, append(ex, gridExclusions(gc.Excluded)...), nil
}

func runGrid(ctx context.Context, r Request, p *Points) (*Result, error) {
	gc, ex, err := countGrid(r, p)
	if err != nil {
		return nil, err
	}
	vals := make([]float64, len(gc.Counts))
	for i, c := range gc.Counts {
		if gc.InArea[i] {
			vals[i] = float64(c)
		}
	}
	cls, legend := quantileClasses(vals, func(v float64) string { return fmtF(v, 0) })
	res := &Result{Card: Card{
		Method:      "Grid counts",
		Question:    "How many incidents were recorded in each square cell?",
		Parameters:  []Param{cellParam(gc.Params)},
		N:           gc.N,
		Excluded:    ex,
		Uncertainty: "Counts are exact for the recorded incidents. A small count is noisy: read as Poisson, a cell with 4 incidents is compatible with a rate between 1.1 and 10.2 (95%).",
		References:  []string{"Ashby, M. P. J. sfhotspot: hot-spot analysis with simple features (R package): the default cell size rule, shorter side of the study area / 50."},
		Limits:      []string{"The counts depend on the cell size and the grid's origin (modifiable areal unit problem).", "Recorded incidents show where incidents were recorded, not where all incidents happen."},
	}}
	res.Summary = fmt.Sprintf("%d incidents in %d cells of %s m; %d cells are empty; the busiest cell has %d.", gc.N, gc.CellsInArea, fmtF(gc.Grid.CellSize, 0), gc.Empty, gc.MaxCount)
	layer, table, err := cellOutputs(p, gc.Grid, gc.InArea, []string{"count"}, [][]float64{vals}, cls, legend, nil)
	if err != nil {
		return nil, err
	}
	layer.Title, layer.Note = "Incidents per cell", "Empty cells are not drawn."
	res.Layer, res.Table, res.Detail = layer, table, gridDetail(gc.Grid, gc.N)
	return res, nil
}

func gridDetail(g density.Grid, n int) map[string]any {
	return map[string]any{"grid": g, "n": n}
}

// cellOutputs builds the map layer (cells drawn: class >= 0 or a named
// class) and the table (every in-area cell) of a grid result.
func cellOutputs(p *Points, g density.Grid, inArea []bool, names []string, cols [][]float64, cls []int, legend []LegendItem, classNames []string) (*Layer, *Table, error) {
	m := cellMaker{crs: p.CRS, x0: g.X0, y0: g.Y0, side: g.CellSize, nx: g.NX}
	layer := &Layer{Legend: legend, Features: []Feature{}}
	table := &Table{Columns: append([]string{"cell", "col", "row", "x", "y", "lon", "lat"}, names...)}
	if classNames != nil {
		table.Columns = append(table.Columns, "class")
	}
	for c := 0; c < g.NX*g.NY; c++ {
		if inArea != nil && !inArea[c] {
			continue
		}
		x, y := g.X0+(float64(c%g.NX)+0.5)*g.CellSize, g.Y0+(float64(c/g.NX)+0.5)*g.CellSize
		lon, lat := x, y
		if !p.CRS.IsZero() {
			var err error
			if lon, lat, err = p.CRS.ToWGS84(x, y); err != nil {
				return nil, nil, err
			}
		}
		row := []any{c, c % g.NX, c / g.NX, math.Round(x*100) / 100, math.Round(y*100) / 100, math.Round(lon*1e6) / 1e6, math.Round(lat*1e6) / 1e6}
		for _, col := range cols {
			row = append(row, col[c])
		}
		class := ""
		if classNames != nil {
			class = classNames[c]
			row = append(row, class)
		}
		table.Rows = append(table.Rows, row)
		if cls[c] < 0 {
			continue
		}
		geom, err := m.polygon(c)
		if err != nil {
			return nil, nil, err
		}
		props := map[string]any{"cell": c, "class": legend[cls[c]].Class}
		for i, n := range names {
			props[n] = num(cols[i][c])
		}
		layer.Features = append(layer.Features, Feature{Type: "Feature", Geometry: geom, Properties: props})
	}
	return layer, table, nil
}

func runKDE(ctx context.Context, r Request, p *Points) (*Result, error) {
	xs, ys, _, ex, err := spatial(p)
	if err != nil {
		return nil, err
	}
	kp := density.KDEParams{GridParams: density.GridParams{Area: studyBox(p), CellSize: r.Params.Cell, Inside: p.inside()},
		Kernel: density.Kernel(r.Params.Kernel), Bandwidth: r.Params.Bandwidth, Selector: r.Params.Selector}
	d, err := density.KDE(xs, ys, kp)
	if err != nil {
		return nil, err
	}
	ex = append(ex, gridExclusions(d.Excluded)...)
	// draw the cells above 1% of the peak: the rest is background
	vals := make([]float64, len(d.Values))
	for i, v := range d.Values {
		if !math.IsNaN(v) && v >= d.Max/100 {
			vals[i] = v
		}
	}
	cls, legend := quantileClasses(vals, func(v float64) string { return fmtG(v) })
	bwNote := d.BandwidthMethod
	res := &Result{Card: Card{
		Method:   "Kernel density estimation (" + string(d.Params.Kernel) + " kernel)",
		Question: "Where are incidents concentrated, as a smooth surface?",
		Parameters: []Param{cellParam(d.Params.GridParams),
			{Name: "kernel", Value: string(d.Params.Kernel)},
			{Name: "bandwidth", Value: fmtF(d.Bandwidth, 0) + " m", Note: bwNote}},
		N:           d.N,
		Excluded:    ex,
		Uncertainty: "A density surface has no sampling interval here; its shape depends mostly on the bandwidth: compare two bandwidths before reading small peaks.",
		References:  d.References,
		Limits:      append([]string{"Density is in incidents per km²; the surface smooths across streets, rivers and boundaries.", "Recorded incidents show where incidents were recorded, not where all incidents happen."}, d.Notes...),
	}, Detail: d}
	res.Summary = fmt.Sprintf("Density of %d incidents with a %s m bandwidth (%s); the peak is %s incidents per km².", d.N, fmtF(d.Bandwidth, 0), bwNote, fmtG(d.Max))
	layer, table, err := cellOutputs(p, d.Grid, d.InArea, []string{"density"}, [][]float64{d.Values}, cls, legend, nil)
	if err != nil {
		return nil, err
	}
	layer.Title, layer.Note = "Incidents per km²", "Cells below 1% of the peak are not drawn."
	res.Layer, res.Table = layer, table
	return res, nil
}

// gridWeights returns queen contiguity between the in-area cells of a grid
// and the positions of those cells.
func gridWeights(g density.Grid, inArea []bool) (*hotspot.Weights, []int, error) {
	all := true
	for _, in := range inArea {
		all = all && in
	}
	n := g.NX * g.NY
	if all {
		w, err := hotspot.GridQueen(g.NX, g.NY)
		pos := make([]int, n)
		for i := range pos {
			pos[i] = i
		}
		return w, pos, err
	}
	index := make([]int, n)
	var pos []int
	for c := 0; c < n; c++ {
		index[c] = -1
		if inArea[c] {
			index[c] = len(pos)
			pos = append(pos, c)
		}
	}
	lists := make([][]int, len(pos))
	for k, c := range pos {
		col, row := c%g.NX, c/g.NX
		for dr := -1; dr <= 1; dr++ {
			for dc := -1; dc <= 1; dc++ {
				cc, rr := col+dc, row+dr
				if (dr == 0 && dc == 0) || cc < 0 || rr < 0 || cc >= g.NX || rr >= g.NY {
					continue
				}
				if j := index[rr*g.NX+cc]; j >= 0 {
					lists[k] = append(lists[k], j)
				}
			}
		}
	}
	w, err := hotspot.FromNeighbors(lists)
	return w, pos, err
}

func transform(s string) hotspot.Transform {
	if s == "row" {
		return hotspot.RowStandardised
	}
	return hotspot.Binary
}

// fdrWarning says when Benjamini-Hochberg cannot reject anything with so
// few permutations.
func fdrWarning(m, perms int, alpha float64) string {
	if perms <= 0 {
		return ""
	}
	if need := float64(m) * 2 / float64(perms+1) / alpha; need > 1 {
		return fmt.Sprintf("with %d permutations the smallest two-sided pseudo p-value is %.3g: the false-discovery control over %d cells finds nothing unless at least %.0f cells reach it; use more permutations", perms, 2/float64(perms+1), m, math.Ceil(need))
	}
	return ""
}

func runGetisOrd(ctx context.Context, r Request, p *Points, progress Progress) (*Result, error) {
	gc, ex, err := countGrid(r, p)
	if err != nil {
		return nil, err
	}
	progress(0.1, "weights")
	w, pos, err := gridWeights(gc.Grid, gc.InArea)
	if err != nil {
		return nil, err
	}
	y := make([]float64, len(pos))
	for k, c := range pos {
		y[k] = float64(gc.Counts[c])
	}
	perms, star := *r.Params.Permutations, *r.Params.Star
	progress(0.15, "permutations")
	local, err := hotspot.LocalG(y, w, hotspot.LocalGOptions{Star: star, Transform: transform(r.Params.Weights), Permutations: perms, Seed: r.Params.Seed})
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	progress(0.9, "false discovery control")
	global, err := hotspot.GlobalG(y, w)
	if err != nil {
		return nil, err
	}
	two := make([]float64, len(y))
	pname := "two-sided normal p-value (2 × p_norm)"
	for i, pv := range local.PNorm {
		two[i] = math.Min(1, 2*pv)
	}
	if perms > 0 {
		two, pname = local.PSimTwoSided, "two-sided permutation pseudo p-value"
	}
	sig, q := hotspot.BenjaminiHochberg(two, r.Params.Alpha)
	n := gc.Grid.NX * gc.Grid.NY
	z, pp, qq := nanSlice(n), nanSlice(n), nanSlice(n)
	vals := make([]float64, n)
	classes := make([]string, n)
	cls := make([]int, n)
	for i := range cls {
		cls[i] = -1
	}
	hot, cold := 0, 0
	for k, c := range pos {
		z[c], pp[c], qq[c], vals[c] = local.Z[k], two[k], q[k], y[k]
		switch {
		case sig[k] && local.Z[k] > 0:
			classes[c], cls[c] = "hot", 0
			hot++
		case sig[k] && local.Z[k] < 0:
			classes[c], cls[c] = "cold", 1
			cold++
		default:
			classes[c] = "ns"
		}
	}
	legend := []LegendItem{{Class: "hot", Label: "hot spot", Color: "#d7301f", Count: hot}, {Class: "cold", Label: "cold spot", Color: "#2c7fb8", Count: cold}}
	stat := "Gi"
	if star {
		stat = "Gi*"
	}
	res := &Result{Card: Card{
		Method:   "Getis-Ord local " + stat + " on grid counts",
		Question: "Which cells, with their neighbours, hold more (hot) or fewer (cold) incidents than chance would give?",
		Parameters: []Param{cellParam(gc.Params),
			{Name: "neighbours", Value: "queen contiguity (8 surrounding cells)"},
			{Name: "weights", Value: r.Params.Weights},
			{Name: "statistic", Value: stat, Note: "Gi* counts the cell itself among its neighbours"},
			{Name: "permutations", Value: strconv.Itoa(perms), Note: "conditional permutations; 0 = normal approximation only"},
			{Name: "seed", Value: strconv.FormatUint(r.Params.Seed, 10)},
			{Name: "false discovery rate", Value: fmtG(r.Params.Alpha), Note: "Benjamini-Hochberg over all cells, on the " + pname}},
		N:           gc.N,
		Excluded:    ex,
		Uncertainty: fmt.Sprintf("Each cell has a z-score and a %s; a cell is hot or cold when its Benjamini-Hochberg q-value is at most %s, so about %s of the cells called hot or cold may be false discoveries. Global G: z = %s, p %s.", pname, fmtG(r.Params.Alpha), fmtG(r.Params.Alpha), fmtF(global.Z, 2), fmtP(global.P)),
		References: []string{"Getis, A. & Ord, J. K. (1992). The analysis of spatial association by use of distance statistics. Geographical Analysis 24(3).",
			"Ord, J. K. & Getis, A. (1995). Local spatial autocorrelation statistics: distributional issues and an application. Geographical Analysis 27(4).",
			"Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. JRSS B 57(1).",
			"Values reproduce PySAL esda G_Local."},
		Limits: []string{"Hot spots depend on the cell size and the neighbourhood.", "Counts of recorded incidents: where recording is heavier, spots are hotter.", "Neighbouring cells share neighbours, so hot cells come in clusters; the false-discovery control does not make them independent."},
	}, Detail: map[string]any{"grid": gc.Grid, "global_g": map[string]num{"G": num(global.G), "expected": num(global.EG), "z": num(global.Z), "p": num(global.P)}, "hot": hot, "cold": cold}}
	if wmsg := fdrWarning(len(y), perms, r.Params.Alpha); wmsg != "" && hot+cold == 0 {
		res.Card.Warnings = append(res.Card.Warnings, wmsg)
	}
	res.Summary = fmt.Sprintf("%d hot-spot cells and %d cold-spot cells out of %d (cells of %s m, %s, false discovery rate %s).", hot, cold, len(y), fmtF(gc.Grid.CellSize, 0), stat, fmtG(r.Params.Alpha))
	layer, table, err := cellOutputs(p, gc.Grid, gc.InArea, []string{"count", "z", "p", "q"}, [][]float64{vals, z, pp, qq}, cls, legend, classes)
	if err != nil {
		return nil, err
	}
	layer.Title, layer.Note = "Hot and cold spots ("+stat+")", "Cells that are neither hot nor cold are not drawn."
	res.Layer, res.Table = layer, table
	return res, nil
}

func nanSlice(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = math.NaN()
	}
	return s
}

func runMoran(ctx context.Context, r Request, p *Points, progress Progress) (*Result, error) {
	gc, ex, err := countGrid(r, p)
	if err != nil {
		return nil, err
	}
	progress(0.1, "weights")
	w, pos, err := gridWeights(gc.Grid, gc.InArea)
	if err != nil {
		return nil, err
	}
	y := make([]float64, len(pos))
	for k, c := range pos {
		y[k] = float64(gc.Counts[c])
	}
	tr := transform(r.Params.Weights)
	global, err := hotspot.Moran(y, w, tr)
	if err != nil {
		return nil, err
	}
	perms := *r.Params.Permutations
	progress(0.15, "permutations")
	local, err := hotspot.LocalMoran(y, w, hotspot.LocalMoranOptions{Transform: tr, Permutations: perms, Seed: r.Params.Seed})
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	progress(0.9, "false discovery control")
	sig, q := hotspot.BenjaminiHochberg(local.PSimTwoSided, r.Params.Alpha)
	n := gc.Grid.NX * gc.Grid.NY
	li, pp, qq := nanSlice(n), nanSlice(n), nanSlice(n)
	vals := make([]float64, n)
	classes := make([]string, n)
	cls := make([]int, n)
	legend := []LegendItem{
		{Class: "HH", Label: "high among high (cluster)", Color: "#d7301f"},
		{Class: "LL", Label: "low among low (cluster)", Color: "#2c7fb8"},
		{Class: "HL", Label: "high among low (outlier)", Color: "#fc9272"},
		{Class: "LH", Label: "low among high (outlier)", Color: "#9ecae1"},
	}
	order := map[hotspot.Quadrant]int{hotspot.HH: 0, hotspot.LL: 1, hotspot.HL: 2, hotspot.LH: 3}
	for i := range cls {
		cls[i] = -1
	}
	for k, c := range pos {
		li[c], pp[c], qq[c], vals[c] = local.I[k], local.PSimTwoSided[k], q[k], y[k]
		classes[c] = "ns"
		if sig[k] {
			j := order[local.Q[k]]
			classes[c], cls[c] = legend[j].Class, j
			legend[j].Count++
		}
	}
	res := &Result{Card: Card{
		Method:   "Moran's I (global) and local Moran's I (LISA) on grid counts",
		Question: "Do cells with many incidents sit next to cells with many (clustering)? Where are the clusters and outliers?",
		Parameters: []Param{cellParam(gc.Params),
			{Name: "neighbours", Value: "queen contiguity (8 surrounding cells)"},
			{Name: "weights", Value: r.Params.Weights},
			{Name: "permutations", Value: strconv.Itoa(perms)},
			{Name: "seed", Value: strconv.FormatUint(r.Params.Seed, 10)},
			{Name: "false discovery rate", Value: fmtG(r.Params.Alpha), Note: "Benjamini-Hochberg on two-sided permutation pseudo p-values"}},
		N:           gc.N,
		Excluded:    ex,
		Uncertainty: fmt.Sprintf("Global I = %s (expected %s under no autocorrelation), z = %s under randomisation, one-tailed p %s. Local clusters are kept when their q-value is at most %s.", fmtG(global.I), fmtG(global.EI), fmtF(global.ZRand, 2), fmtP(global.PRand), fmtG(r.Params.Alpha)),
		References: []string{"Moran, P. A. P. (1950). Notes on continuous stochastic phenomena. Biometrika 37.",
			"Anselin, L. (1995). Local indicators of spatial association—LISA. Geographical Analysis 27(2).",
			"Values reproduce PySAL esda Moran and Moran_Local."},
		Limits: []string{"Results depend on the cell size and the neighbourhood.", "Many empty cells make low-low clusters common and uninformative.", "Recorded incidents show where incidents were recorded, not where all incidents happen."},
	}, Detail: map[string]any{"grid": gc.Grid, "global": map[string]num{"I": num(global.I), "expected": num(global.EI), "z_norm": num(global.ZNorm), "p_norm": num(global.PNorm), "z_rand": num(global.ZRand), "p_rand": num(global.PRand)}}}
	if wmsg := fdrWarning(len(y), perms, r.Params.Alpha); wmsg != "" && legend[0].Count+legend[1].Count+legend[2].Count+legend[3].Count == 0 {
		res.Card.Warnings = append(res.Card.Warnings, wmsg)
	}
	res.Summary = fmt.Sprintf("Global Moran's I = %s (z = %s): %s. Local: %d high-high and %d low-low cluster cells, %d high-low and %d low-high outliers.",
		fmtF(global.I, 3), fmtF(global.ZRand, 1), moranWords(global), legend[0].Count, legend[1].Count, legend[2].Count, legend[3].Count)
	layer, table, err := cellOutputs(p, gc.Grid, gc.InArea, []string{"count", "local_i", "p", "q"}, [][]float64{vals, li, pp, qq}, cls, legend, classes)
	if err != nil {
		return nil, err
	}
	layer.Title, layer.Note = "Local Moran clusters and outliers", "Cells that are not significant are not drawn."
	res.Layer, res.Table = layer, table
	return res, nil
}

func moranWords(m *hotspot.MoranResult) string {
	switch {
	case m.PRand < 0.05 && m.I > m.EI:
		return "incidents cluster (similar counts sit together)"
	case m.PRand < 0.05 && m.I < m.EI:
		return "neighbouring cells differ more than chance (dispersion)"
	default:
		return "no clear spatial autocorrelation"
	}
}

// dayNumber is the calendar date of t in loc as days since 1970-01-01.
func dayNumber(t time.Time, loc *time.Location) float64 {
	y, m, d := t.In(loc).Date()
	return float64(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func location(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

// checkDays refuses month-resolution dates in a method that needs days.
func checkDays(method string, p *Points) error {
	if m := p.monthOnly(); m > 0 {
		return apperr.New(apperr.Invalid, "month-resolution dates: the %s method needs the day of each incident, but %d of the %d selected incidents are dated only to the month (police.uk publishes months only). Use a dataset with daily dates, or a method that works on months: grid, kde, getis-ord, moran, trend with interval month", method, m, p.Len())
	}
	return nil
}

func runKnox(ctx context.Context, r Request, p *Points, progress Progress) (*Result, error) {
	if p.T == nil {
		return nil, apperr.New(apperr.Invalid, "knox needs a date for each incident (--time)")
	}
	if err := checkDays(r.Method, p); err != nil {
		return nil, err
	}
	xs, ys, idx, ex, err := spatial(p)
	if err != nil {
		return nil, err
	}
	loc := location(r.Params.Timezone)
	days := make([]float64, len(idx))
	for k, i := range idx {
		days[k] = dayNumber(p.T[i], loc)
	}
	metric, _ := nearrepeat.ParseMetric(r.Params.Metric)
	iters := *r.Params.Iterations
	progress(0.05, "counting pairs and permutations")
	kr, err := nearrepeat.Knox(ctx, xs, ys, days, nearrepeat.Options{SpaceEdges: r.Params.SpaceBands, TimeEdges: r.Params.TimeBands, Metric: metric, NRC: r.Params.NRC, Iterations: iters, Seed: r.Params.Seed})
	if err != nil {
		return nil, err
	}
	sum := nearrepeat.Summarize(kr, r.Params.Alpha)
	rows, cols := bandLabels(kr.SpaceBands, " m"), bandLabels(kr.TimeBands, " days")
	ratio := make([][]num, len(rows))
	text := make([][]string, len(rows))
	table := &Table{Columns: []string{"distance", "days apart", "observed", "expected", "knox_ratio", "p_value"}}
	for b := range rows {
		ratio[b] = make([]num, len(cols))
		text[b] = make([]string, len(cols))
		for c := range cols {
			ratio[b][c] = num(kr.KnoxRatio[b][c])
			t := strconv.FormatInt(kr.Observed[b][c], 10)
			if iters > 0 && !math.IsNaN(kr.KnoxRatio[b][c]) {
				t += " · ×" + fmtF(kr.KnoxRatio[b][c], 2) + " · p = " + fmtF(kr.PValue[b][c], 3)
			}
			text[b][c] = t
			table.Rows = append(table.Rows, []any{rows[b], cols[c], kr.Observed[b][c], kr.Expected[b][c], kr.KnoxRatio[b][c], kr.PValue[b][c]})
		}
	}
	one := 1.0
	chart := Chart{Kind: "heatmap", Title: "Knox ratio (observed / expected pairs)", XLabel: "days apart", YLabel: "distance",
		Rows: rows, Cols: cols, Values: ratio, Text: text, Mid: &one,
		Note: "Each cell: observed pairs, Knox ratio (×), p-value. Red: more pairs than expected if dates were unrelated to places (full red at twice as many); blue: fewer."}
	mode := ""
	if kr.NRC {
		mode = "; Near Repeat Calculator conventions"
	}
	res := &Result{Card: Card{
		Method:   "Knox test for near repeats" + mode,
		Question: "After an incident, are more incidents recorded nearby within a short time than chance would give?",
		Parameters: []Param{
			{Name: "distance bands", Value: joinF(r.Params.SpaceBands) + " m", Note: kr.Metric.String() + " distance"},
			{Name: "time bands", Value: joinI(r.Params.TimeBands) + " days", Note: "whole days between the dates"},
			{Name: "permutations", Value: strconv.Itoa(iters), Note: "dates shuffled among the incidents"},
			{Name: "seed", Value: strconv.FormatUint(r.Params.Seed, 10)},
			{Name: "significance level", Value: fmtG(r.Params.Alpha)}},
		N:           kr.N,
		Excluded:    ex,
		Uncertainty: fmt.Sprintf("Each cell's p-value is (1 + permutations with at least as many pairs) / (%d + 1): the smallest possible is %s. Many cells are tested at once: expect about %s of the cells to reach p < %s by chance.", iters, fmtG(1/float64(iters+1)), fmtG(r.Params.Alpha), fmtG(r.Params.Alpha)),
		References: []string{"Knox, G. (1964). The detection of space-time interactions. Applied Statistics 13(1).",
			"Johnson, S. D. et al. (2007). Space–time patterns of risk: a cross national assessment of residential burglary victimization. J. Quant. Criminol. 23.",
			"Ratcliffe, J. H. (2009). Near Repeat Calculator (version 1.3)."},
		Limits: []string{"The test says whether near repeats happen, not why.", "Dates are when incidents were recorded as happening; uncertain dates blur short time bands.", "Pairs overlap: cells are not independent."},
	}, Detail: knoxDetail(kr, sum)}
	res.Summary = sum.Text
	res.Charts = []Chart{chart}
	res.Table = table
	return res, nil
}

func bandLabels(bs []nearrepeat.Band, unit string) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.Label
		if _, err := strconv.ParseFloat(strings.Fields(b.Label + " x")[0], 64); err == nil && !strings.Contains(b.Label, unit) {
			out[i] += unit
		}
	}
	return out
}

func joinF(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.FormatFloat(x, 'f', -1, 64)
	}
	return strings.Join(s, ", ")
}

func joinI(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}

func table(t [][]float64) [][]num {
	out := make([][]num, len(t))
	for i, r := range t {
		out[i] = nums(r)
	}
	return out
}

func knoxDetail(r *nearrepeat.Result, s nearrepeat.Summary) map[string]any {
	return map[string]any{
		"n": r.N, "pairs": r.Pairs, "close_pairs": r.ClosePairs, "iterations": r.Iterations, "seed": r.Seed,
		"metric": r.Metric.String(), "nrc": r.NRC,
		"space_bands": bandLabels(r.SpaceBands, ""), "time_bands": bandLabels(r.TimeBands, ""),
		"observed": r.Observed, "expected": table(r.Expected), "knox_ratio": table(r.KnoxRatio), "p_value": table(r.PValue),
		"pattern": string(s.Pattern),
	}
}

func runTrend(ctx context.Context, r Request, p *Points) (*Result, error) {
	if p.T == nil {
		return nil, apperr.New(apperr.Invalid, "trend needs a date for each incident (--time)")
	}
	loc := location(r.Params.Timezone)
	from, to, _ := r.Filters.window()
	switch r.Params.Kind {
	case "weekday-hour":
		tab, err := trend.WeekdayHour(p.T, p.Res, trend.WeekHourParams{Location: loc})
		if err != nil {
			return nil, err
		}
		if tab.N == 0 {
			return nil, apperr.New(apperr.Invalid, "no incident of the selection has an exact time of day (%s): the weekday × hour table needs times, not only dates", excludedText(tab.Excluded))
		}
		hours := make([]string, 24)
		for h := range hours {
			hours[h] = fmt.Sprintf("%02d", h)
		}
		vals := make([][]num, 7)
		text := make([][]string, 7)
		tb := &Table{Columns: append([]string{"weekday"}, hours...)}
		for d := 0; d < 7; d++ {
			vals[d] = make([]num, 24)
			text[d] = make([]string, 24)
			row := []any{tab.Weekdays[d]}
			for h := 0; h < 24; h++ {
				vals[d][h] = num(tab.Counts[d][h])
				text[d][h] = strconv.Itoa(tab.Counts[d][h])
				row = append(row, tab.Counts[d][h])
			}
			tb.Rows = append(tb.Rows, row)
		}
		res := &Result{Card: trendCard("Weekday × hour table", "When in the week are incidents recorded?", r, tab.N, trendExcl(tab.Excluded)), Detail: tab, Table: tb}
		res.Card.Limits = append(res.Card.Limits, tab.Notes...)
		res.Charts = []Chart{{Kind: "heatmap", Title: "Incidents by weekday and hour", XLabel: "hour", YLabel: "weekday", Rows: tab.Weekdays[:], Cols: hours, Values: vals, Text: text}}
		res.Summary = fmt.Sprintf("%d incidents with an exact time, by weekday and hour (%s).", tab.N, tab.Location)
		return res, nil
	}
	s, err := trend.Counts(p.T, p.Res, trend.CountParams{Interval: trend.Interval(r.Params.Interval), From: from, To: to, Location: loc})
	if err != nil {
		return nil, err
	}
	if s.N == 0 {
		return nil, apperr.New(apperr.Invalid, "no incident can be counted by %s (%s); month-resolution dates can only be counted by month", r.Params.Interval, excludedText(s.Excluded))
	}
	labels := make([]string, len(s.Periods))
	counts := make([]float64, len(s.Periods))
	for i, pe := range s.Periods {
		labels[i], counts[i] = pe.Label, float64(pe.Count)
	}
	if r.Params.Kind == "baseline" {
		b, err := trend.SeasonalBaseline(s, trend.BaselineParams{Years: r.Params.Years})
		if err != nil {
			return nil, err
		}
		exp, lo, up := make([]float64, len(b.Points)), make([]float64, len(b.Points)), make([]float64, len(b.Points))
		tb := &Table{Columns: []string{"month", "count", "expected", "lower_95", "upper_95", "lower_99_8", "upper_99_8", "basis", "flag"}}
		for i, pt := range b.Points {
			exp[i], lo[i], up[i] = math.NaN(), math.NaN(), math.NaN()
			if pt.Basis != trend.BasisNone {
				exp[i], lo[i], up[i] = pt.Expected, float64(pt.Lower95), float64(pt.Upper95)
			}
			if pt.Basis == trend.BasisNone {
				tb.Rows = append(tb.Rows, []any{pt.Label, pt.Count, nil, nil, nil, nil, nil, pt.Basis, pt.Flag})
				continue
			}
			tb.Rows = append(tb.Rows, []any{pt.Label, pt.Count, exp[i], pt.Lower95, pt.Upper95, pt.Lower998, pt.Upper998, pt.Basis, pt.Flag})
		}
		res := &Result{Card: trendCard("Monthly counts against a seasonal baseline", "Is this month unusually high or low for the time of year?", r, b.N, trendExcl(s.Excluded)), Detail: b, Table: tb}
		res.Card.Parameters = append(res.Card.Parameters, Param{Name: "baseline years", Value: strconv.Itoa(r.Params.Years), Note: "same month of the previous years; a 12-month moving average while fewer exist"})
		res.Card.Uncertainty = b.Limits
		res.Card.References = b.References
		res.Card.Limits = append(res.Card.Limits, b.Notes...)
		res.Charts = []Chart{{Kind: "line", Title: "Incidents per month with the expected count and 95% control limits", XLabel: "month", YLabel: "incidents", Labels: labels,
			Series: []Series{{Name: "count", Role: "value", Values: nums(counts)}, {Name: "expected", Role: "expected", Values: nums(exp)}, {Name: "lower 95%", Role: "lower", Values: nums(lo)}, {Name: "upper 95%", Role: "upper", Values: nums(up)}}}}
		res.Summary = fmt.Sprintf("%d months: %d above and %d below the 95%% control limits (%d with a same-month baseline, %d with a 12-month moving average, %d without a baseline).", b.Months, b.Above, b.Below, b.SameMonth, b.MovingAverage, b.NoBaseline)
		return res, nil
	}
	tb := &Table{Columns: []string{"period", "start", "days", "count", "partial"}}
	for _, pe := range s.Periods {
		tb.Rows = append(tb.Rows, []any{pe.Label, pe.Start.Format(time.DateOnly), pe.Days, pe.Count, pe.Partial})
	}
	res := &Result{Card: trendCard("Counts per "+r.Params.Interval, "How many incidents were recorded in each "+r.Params.Interval+"?", r, s.N, trendExcl(s.Excluded)), Detail: s, Table: tb}
	res.Card.Limits = append(res.Card.Limits, s.Notes...)
	res.Charts = []Chart{{Kind: "line", Title: "Incidents per " + r.Params.Interval, XLabel: r.Params.Interval, YLabel: "incidents", Labels: labels, Series: []Series{{Name: "count", Role: "value", Values: nums(counts)}}}}
	res.Summary = fmt.Sprintf("%d incidents in %d periods of a %s (%s to %s).", s.N, len(s.Periods), r.Params.Interval, labels[0], labels[len(labels)-1])
	return res, nil
}

func trendExcl(es []trend.Exclusion) []Exclusion {
	var out []Exclusion
	for _, e := range es {
		if e.Count > 0 {
			out = append(out, Exclusion{Reason: e.Reason, Count: e.Count})
		}
	}
	return out
}

func excludedText(es []trend.Exclusion) string {
	var parts []string
	for _, e := range es {
		parts = append(parts, fmt.Sprintf("%d left out: %s", e.Count, e.Reason))
	}
	if len(parts) == 0 {
		return "nothing to count"
	}
	return strings.Join(parts, "; ")
}

func trendCard(method, question string, r Request, n int, ex []Exclusion) Card {
	tz := r.Params.Timezone
	if tz == "" {
		tz = "UTC"
	}
	return Card{Method: method, Question: question,
		Parameters:  []Param{{Name: "interval", Value: r.Params.Interval}, {Name: "time zone", Value: tz}},
		N:           n,
		Excluded:    ex,
		Uncertainty: "Counts are exact for the recorded incidents; year-to-year noise of a count n is about ±2√n (Poisson).",
		References:  []string{"See docs/methods/time-trends.md."},
		Limits:      []string{"Changes in recording practice look like changes in crime.", "Incidents known only to the month cannot be placed in a day or a week."},
	}
}

func runChange(ctx context.Context, r Request, p *Points) (*Result, error) {
	if p.T == nil {
		return nil, apperr.New(apperr.Invalid, "change needs a date for each incident (--time)")
	}
	bf, bt, af, at, err := r.Params.periods()
	if err != nil {
		return nil, err
	}
	loc := location(r.Params.Timezone)
	monthStart := func(t time.Time) bool { return t.Day() == 1 }
	if p.monthOnly() > 0 && !(monthStart(bf) && monthStart(bt) && monthStart(af) && monthStart(at)) {
		return nil, apperr.New(apperr.Invalid, "month-resolution dates: %d incidents are dated only to the month, so the periods must be whole months (give YYYY-MM)", p.monthOnly())
	}
	before, after := 0, 0
	for _, t := range p.T {
		y, m, d := t.In(loc).Date()
		day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		switch {
		case !day.Before(bf) && day.Before(bt):
			before++
		case !day.Before(af) && day.Before(at):
			after++
		}
	}
	eb, ea := bt.Sub(bf).Hours()/24, at.Sub(af).Hours()/24
	c, err := trend.Change(before, after, trend.ChangeParams{Confidence: r.Params.Confidence, ExposureBefore: eb, ExposureAfter: ea})
	if err != nil {
		return nil, err
	}
	label := func(f, t time.Time) string {
		return f.Format(time.DateOnly) + " to " + t.AddDate(0, 0, -1).Format(time.DateOnly)
	}
	pct := func(v float64) string {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return "undefined"
		}
		return fmt.Sprintf("%+.1f%%", v)
	}
	ci := "undefined"
	if c.Exact.Defined {
		ci = pct(c.Exact.PctLower) + " to " + pct(c.Exact.PctUpper)
	}
	res := &Result{Card: Card{
		Method:   "Change between two periods (ratio of two Poisson rates)",
		Question: "Did the rate of incidents change between the two periods, beyond chance?",
		Parameters: []Param{{Name: "before", Value: label(bf, bt), Note: fmt.Sprintf("%.0f days", eb)}, {Name: "after", Value: label(af, at), Note: fmt.Sprintf("%.0f days", ea)},
			{Name: "confidence", Value: fmtG(r.Params.Confidence)}},
		N:           before + after,
		Excluded:    []Exclusion{},
		Uncertainty: fmt.Sprintf("Exact conditional (Clopper–Pearson) %s%% interval of the change in the daily rate: %s; two-sided exact test p %s.", fmtG(100*r.Params.Confidence), ci, fmtP(c.PValue)),
		References:  c.References,
		Limits:      append([]string{"A change in the count is not an effect of a measure: seasons, recording and displacement change counts too.", "Rates are per day of each period."}, c.Notes...),
	}, Detail: c}
	if n := p.Len() - before - after; n > 0 {
		res.Card.Excluded = append(res.Card.Excluded, Exclusion{Reason: "outside both periods", Count: n})
	}
	res.Summary = fmt.Sprintf("%d incidents before (%s), %d after (%s): change in the daily rate %s (%s%% CI %s), p %s.", before, label(bf, bt), after, label(af, at), pct(c.PercentChange), fmtG(100*r.Params.Confidence), ci, fmtP(c.PValue))
	res.Table = &Table{Columns: []string{"period", "from", "to", "days", "count", "per_day"}, Rows: [][]any{
		{"before", bf.Format(time.DateOnly), bt.AddDate(0, 0, -1).Format(time.DateOnly), eb, before, float64(before) / eb},
		{"after", af.Format(time.DateOnly), at.AddDate(0, 0, -1).Format(time.DateOnly), ea, after, float64(after) / ea}}}
	res.Charts = []Chart{{Kind: "bars", Title: "Incidents per day in each period", YLabel: "incidents per day", Labels: []string{"before", "after"},
		Series: []Series{{Name: "per day", Role: "value", Values: []num{num(float64(before) / eb), num(float64(after) / ea)}}}}}
	return res, nil
}
