package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/icarus-city/icarus/internal/analysis/hotspot"
	"github.com/icarus-city/icarus/internal/apperr"
)

// getisOrdFlags are the flags of 'icarus analyze getis-ord'.
type getisOrdFlags struct {
	in           pointInput
	band, cell   float64
	knn          int
	weights      string
	star         bool
	permutations int
	seed         uint64
	alpha        float64
	fdrOn        string
	zSim         bool
	json         bool
}

func runAnalyzeGetisOrd(ctx context.Context, env *Env, args []string) error {
	if onDataset(args) {
		return runAnalyzeMethod(ctx, env, "getis-ord", args)
	}
	var f getisOrdFlags
	fs := newFlags(env, "analyze getis-ord", "analyze getis-ord --input FILE (--band D | --knn K | --cell S) [flags]")
	f.in.register(fs, false, true)
	fs.Float64Var(&f.band, "band", 0, "distance band `D` (in the units of x/y, metres after --crs): neighbours are the points within D, inclusive")
	fs.IntVar(&f.knn, "knn", 0, "use the `K` nearest neighbours instead of a distance band")
	fs.Float64Var(&f.cell, "cell", 0, "aggregate the points to square cells of side `S` over their bounding box (value: the count of points, or the sum of --value when given) and use queen contiguity between cells")
	fs.StringVar(&f.weights, "weights", "binary", "weights: binary or row (row-standardised)")
	fs.BoolVar(&f.star, "star", false, "Gi*: include each observation in its own neighbourhood")
	fs.IntVar(&f.permutations, "permutations", 999, "conditional permutations for the pseudo p-values p_sim (0: none)")
	fs.Uint64Var(&f.seed, "seed", 1, "random `seed` of the permutations")
	fs.Float64Var(&f.alpha, "alpha", 0.05, "false discovery rate of the hot/cold classification (Benjamini-Hochberg)")
	fs.StringVar(&f.fdrOn, "fdr-on", "", "p-values of the false-discovery control: p_sim (default with permutations) or p_norm")
	fs.BoolVar(&f.zSim, "z-sim", false, "also report z_sim, the z-score against the mean and spread of the permutations")
	fs.BoolVar(&f.json, "json", false, "print a JSON object instead of a CSV table")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	valueSet := false
	fs.Visit(func(fl *flag.Flag) { valueSet = valueSet || fl.Name == "value" })
	modes := 0
	for _, on := range []bool{f.band != 0, f.knn != 0, f.cell != 0} {
		if on {
			modes++
		}
	}
	switch {
	case modes != 1:
		return apperr.New(apperr.Invalid, "give exactly one of --band D, --knn K and --cell S")
	case f.band < 0 || math.IsNaN(f.band) || math.IsInf(f.band, 0):
		return apperr.New(apperr.Invalid, "--band must be a positive distance")
	case f.cell < 0 || math.IsNaN(f.cell) || math.IsInf(f.cell, 0):
		return apperr.New(apperr.Invalid, "--cell must be a positive size")
	case f.knn < 0:
		return apperr.New(apperr.Invalid, "--knn must be positive")
	case f.permutations < 0:
		return apperr.New(apperr.Invalid, "--permutations must be 0 or more")
	case !(f.alpha > 0 && f.alpha < 1):
		return apperr.New(apperr.Invalid, "--alpha must be between 0 and 1")
	case f.fdrOn != "" && f.fdrOn != "p_sim" && f.fdrOn != "p_norm":
		return apperr.New(apperr.Invalid, "--fdr-on %q: want p_sim or p_norm", f.fdrOn)
	case f.fdrOn == "p_sim" && f.permutations == 0:
		return apperr.New(apperr.Invalid, "--fdr-on p_sim needs --permutations > 0")
	}
	var tr hotspot.Transform
	switch f.weights {
	case "binary", "b", "B":
		tr = hotspot.Binary
	case "row", "r", "R":
		tr = hotspot.RowStandardised
	default:
		return apperr.New(apperr.Invalid, "--weights %q: want binary or row", f.weights)
	}
	if f.cell > 0 && !valueSet {
		f.in.value = "" // counts
	}
	pts, err := f.in.read()
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	var (
		w    *hotspot.Weights
		y    []float64
		grid *gridOut
	)
	switch {
	case f.band > 0:
		y = pts.V
		w, err = hotspot.DistanceBand(pts.X, pts.Y, f.band)
	case f.knn > 0:
		y = pts.V
		w, err = hotspot.KNN(pts.X, pts.Y, f.knn)
	default:
		grid, err = aggregate(pts, f.cell)
		if err == nil {
			y = grid.Values
			w, err = hotspot.GridQueen(grid.NX, grid.NY)
		}
	}
	if err != nil {
		return apperr.Wrap(apperr.Invalid, err, "weights")
	}
	local, err := hotspot.LocalG(y, w, hotspot.LocalGOptions{Star: f.star, Transform: tr, Permutations: f.permutations, Seed: f.seed, SimMoments: f.zSim})
	if err != nil {
		return apperr.Wrap(apperr.Invalid, err, "getis-ord")
	}
	global, err := hotspot.GlobalG(y, w)
	if err != nil {
		return apperr.Wrap(apperr.Invalid, err, "global G")
	}

	// FDR on two-sided p-values: the classification is hot or cold.
	two := make([]float64, len(local.PNorm))
	pname := "p_norm"
	for i, p := range local.PNorm {
		two[i] = math.Min(1, 2*p)
	}
	var warning string
	if f.permutations > 0 && f.fdrOn != "p_norm" {
		pname = "p_sim_two_sided"
		two = local.PSimTwoSided
		// BH can reject only if at least m·pmin/alpha observations reach the
		// smallest attainable pseudo p-value pmin = 2/(P+1).
		if need := float64(len(two)) * 2 / float64(f.permutations+1) / f.alpha; need > 1 {
			warning = fmt.Sprintf("with %d permutations the smallest two-sided p_sim is %.3g: Benjamini-Hochberg over %d observations finds nothing unless at least %.0f of them reach it; use more permutations or --fdr-on p_norm", f.permutations, 2/float64(f.permutations+1), len(two), math.Ceil(need))
		}
	}
	sig, q := hotspot.BenjaminiHochberg(two, f.alpha)
	class := make([]string, len(sig))
	hot, cold := 0, 0
	for i, s := range sig {
		switch {
		case s && local.Z[i] > 0:
			class[i] = "hot"
			hot++
		case s && local.Z[i] < 0:
			class[i] = "cold"
			cold++
		default:
			class[i] = "ns"
		}
	}
	stat := "Gi"
	if f.star {
		stat = "Gi*"
	}
	minK, maxK := math.MaxInt, 0
	for i := 0; i < w.N; i++ {
		minK, maxK = min(minK, w.Cardinality(i)), max(maxK, w.Cardinality(i))
	}

	if !f.json {
		if warning != "" {
			fmt.Fprintln(env.Stderr, "warning:", warning)
		}
		return printGetisOrdTable(env.Stdout, pts, grid, y, local, class, q, f.permutations > 0)
	}
	out := getisOrdJSON{
		Method:    "getis-ord",
		Statistic: stat,
		N:         w.N,
		Parameters: getisOrdParams{
			Weights: tr.String(), Star: f.star, Band: f.band, KNN: f.knn, Cell: f.cell,
			Permutations: f.permutations, Seed: f.seed, Alpha: f.alpha, CRS: pts.CRS,
			PValue: "one-tailed (esda); p_sim folded ('directed'): (min(larger, P-larger)+1)/(P+1)",
		},
		Neighbours: neighboursJSON{Min: minK, Mean: w.MeanCardinality(), Max: maxK, Islands: w.Islands()},
		G:          floats(local.G),
		Expected:   floats(local.EG),
		Variance:   floats(local.VG),
		Z:          floats(local.Z),
		PNorm:      floats(local.PNorm),
		Global:     globalJSON{G: global.G, Expected: global.EG, Variance: global.VG, Z: global.Z, P: global.P},
		FDR: fdrJSON{Alpha: f.alpha, PValue: pname, TwoSided: true, Q: floats(q), Class: class, Hot: hot, Cold: cold,
			Note:    "Benjamini-Hochberg on two-sided p-values (p_sim_two_sided with permutations, else min(1, 2 p_norm)); hot/cold by the sign of z",
			Warning: warning},
		Grid: grid,
	}
	if f.permutations > 0 {
		out.PSim, out.ZSim, out.PSim2 = floats(local.PSim), floats(local.ZSim), floats(local.PSimTwoSided)
	}
	if grid == nil {
		out.Lines = pts.Lines
	}
	bw := bufio.NewWriterSize(env.Stdout, 1<<16)
	enc := json.NewEncoder(bw)
	if err := enc.Encode(out); err != nil {
		return err
	}
	return bw.Flush()
}

type getisOrdJSON struct {
	Method     string         `json:"method"`
	Statistic  string         `json:"statistic"`
	N          int            `json:"n"`
	Parameters getisOrdParams `json:"parameters"`
	Neighbours neighboursJSON `json:"neighbours"`
	G          floats         `json:"g"`
	Expected   floats         `json:"expected"`
	Variance   floats         `json:"variance"`
	Z          floats         `json:"z"`
	PNorm      floats         `json:"p_norm"`
	PSim       floats         `json:"p_sim,omitempty"`
	ZSim       floats         `json:"z_sim,omitempty"`
	PSim2      floats         `json:"p_sim_two_sided,omitempty"`
	Global     globalJSON     `json:"global"`
	FDR        fdrJSON        `json:"fdr"`
	Lines      []int          `json:"lines,omitempty"`
	Grid       *gridOut       `json:"grid,omitempty"`
}

type getisOrdParams struct {
	Weights      string  `json:"weights"`
	Star         bool    `json:"star"`
	Band         float64 `json:"band,omitempty"`
	KNN          int     `json:"knn,omitempty"`
	Cell         float64 `json:"cell,omitempty"`
	Permutations int     `json:"permutations"`
	Seed         uint64  `json:"seed"`
	Alpha        float64 `json:"alpha"`
	CRS          string  `json:"crs,omitempty"`
	PValue       string  `json:"p_values"`
}

type neighboursJSON struct {
	Min     int     `json:"min"`
	Mean    float64 `json:"mean"`
	Max     int     `json:"max"`
	Islands int     `json:"islands"`
}

type globalJSON struct {
	G        float64 `json:"G"`
	Expected float64 `json:"expected"`
	Variance float64 `json:"variance"`
	Z        float64 `json:"z"`
	P        float64 `json:"p"`
}

type fdrJSON struct {
	Alpha    float64  `json:"alpha"`
	PValue   string   `json:"p_value"`
	TwoSided bool     `json:"two_sided"`
	Q        floats   `json:"q"`
	Class    []string `json:"class"`
	Hot      int      `json:"hot"`
	Cold     int      `json:"cold"`
	Note     string   `json:"note"`
	Warning  string   `json:"warning,omitempty"`
}

// gridOut describes the cells of --cell: cell (col, row) is observation
// row*nx + col, its lower-left corner at (x0 + col·cell, y0 + row·cell).
type gridOut struct {
	X0     float64   `json:"x0"`
	Y0     float64   `json:"y0"`
	Cell   float64   `json:"cell"`
	NX     int       `json:"nx"`
	NY     int       `json:"ny"`
	Values []float64 `json:"values"`
}

// floats encodes NaN and infinities as null.
type floats []float64

func (fl floats) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 2+len(fl)*20)
	b = append(b, '[')
	for i, v := range fl {
		if i > 0 {
			b = append(b, ',')
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			b = append(b, "null"...)
		} else {
			b = strconv.AppendFloat(b, v, 'g', -1, 64)
		}
	}
	return append(b, ']'), nil
}

// aggregate counts (or sums) the points into cells over their bounding box.
func aggregate(p *points, cell float64) (*gridOut, error) {
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for i := range p.X {
		minX, minY = min(minX, p.X[i]), min(minY, p.Y[i])
		maxX, maxY = max(maxX, p.X[i]), max(maxY, p.Y[i])
	}
	fx, fy := math.Floor((maxX-minX)/cell)+1, math.Floor((maxY-minY)/cell)+1
	if fx*fy > 50e6 {
		return nil, fmt.Errorf("%.0f × %.0f cells of %v: too many, use larger cells", fx, fy, cell)
	}
	g := &gridOut{X0: minX, Y0: minY, Cell: cell, NX: int(fx), NY: int(fy)}
	g.Values = make([]float64, g.NX*g.NY)
	for i := range p.X {
		c := min(int((p.X[i]-minX)/cell), g.NX-1)
		r := min(int((p.Y[i]-minY)/cell), g.NY-1)
		v := 1.0
		if p.V != nil {
			v = p.V[i]
		}
		g.Values[r*g.NX+c] += v
	}
	return g, nil
}

func printGetisOrdTable(w io.Writer, p *points, grid *gridOut, y []float64, r *hotspot.LocalGResult, class []string, q []float64, sim bool) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', 10, 64) }
	if grid != nil {
		fmt.Fprint(bw, "cell,x,y,value,g,z,p_norm")
	} else {
		fmt.Fprint(bw, "line,x,y,value,g,z,p_norm")
	}
	if sim {
		fmt.Fprint(bw, ",p_sim")
	}
	fmt.Fprintln(bw, ",q,class")
	for i := range y {
		var id int
		var x, yy float64
		if grid != nil {
			id = i
			x = grid.X0 + (float64(i%grid.NX)+0.5)*grid.Cell
			yy = grid.Y0 + (float64(i/grid.NX)+0.5)*grid.Cell
		} else {
			id, x, yy = p.Lines[i], p.X[i], p.Y[i]
		}
		fmt.Fprintf(bw, "%d,%s,%s,%s,%s,%s,%s", id, num(x), num(yy), num(y[i]), num(r.G[i]), num(r.Z[i]), num(r.PNorm[i]))
		if sim {
			fmt.Fprintf(bw, ",%s", num(r.PSim[i]))
		}
		fmt.Fprintf(bw, ",%s,%s\n", num(q[i]), class[i])
	}
	return bw.Flush()
}
