package analyses

// Gi* and local Moran's I on the areas of a layer (Params.LayerID) instead
// of grid cells: counts per area, queen contiguity between the areas'
// boundaries.

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/icarus-city/icarus/internal/analysis/hotspot"
	"github.com/icarus-city/icarus/internal/geo"
	"github.com/paulmach/orb"
)

// unitCounts counts the located points in each area and builds queen
// contiguity between the areas.
func unitCounts(p *Points) (y []float64, w *hotspot.Weights, ex []Exclusion, n int, err error) {
	u := p.Units
	xs, ys, _, ex, err := spatial(p)
	if err != nil {
		return nil, nil, ex, 0, err
	}
	ix := geo.NewAreaIndex(u.Metric)
	y = make([]float64, len(u.Codes))
	outside := 0
	var buf []int
	for i := range xs {
		buf = ix.AppendLocate(buf[:0], orb.Point{xs[i], ys[i]})
		if len(buf) == 0 {
			outside++
			continue
		}
		y[buf[0]]++
		n++
	}
	if outside > 0 {
		ex = append(ex, Exclusion{Reason: "outside every area of the layer", Count: outside})
	}
	rings := make([][][][2]float64, len(u.WGS84))
	for a, mp := range u.WGS84 {
		for _, pg := range mp {
			for _, ring := range pg {
				r := make([][2]float64, len(ring))
				for k, pt := range ring {
					r[k] = [2]float64{pt[0], pt[1]}
				}
				rings[a] = append(rings[a], r)
			}
		}
	}
	w, err = hotspot.PolygonContiguity(rings, hotspot.Queen)
	return y, w, ex, n, err
}

// runUnits is getis-ord or moran on the areas of a layer.
func runUnits(ctx context.Context, r Request, p *Points, progress Progress) (*Result, error) {
	u := p.Units
	y, w, ex, n, err := unitCounts(p)
	if err != nil {
		return nil, err
	}
	perms := *r.Params.Permutations
	tr := transform(r.Params.Weights)
	progress(0.15, "permutations")
	var stat, question string
	var z, pTwo []float64
	var legend []LegendItem
	var classOf func(k int, sig bool) int
	var global string
	var refs []string
	switch r.Method {
	case MethodGetisOrd:
		star := *r.Params.Star
		local, err := hotspot.LocalG(y, w, hotspot.LocalGOptions{Star: star, Transform: tr, Permutations: perms, Seed: r.Params.Seed})
		if err != nil {
			return nil, err
		}
		gg, err := hotspot.GlobalG(y, w)
		if err != nil {
			return nil, err
		}
		stat, question = "Gi", "Which areas, with their neighbours, hold more (hot) or fewer (cold) incidents than chance would give?"
		if star {
			stat = "Gi*"
		}
		z = local.Z
		pTwo = make([]float64, len(y))
		for i, pv := range local.PNorm {
			pTwo[i] = math.Min(1, 2*pv)
		}
		if perms > 0 {
			pTwo = local.PSimTwoSided
		}
		legend = []LegendItem{{Class: "hot", Label: "hot spot", Color: "#d7301f"}, {Class: "cold", Label: "cold spot", Color: "#2c7fb8"}}
		classOf = func(k int, sig bool) int {
			switch {
			case sig && z[k] > 0:
				return 0
			case sig && z[k] < 0:
				return 1
			}
			return -1
		}
		global = fmt.Sprintf("Global G: z = %s, p %s.", fmtF(gg.Z, 2), fmtP(gg.P))
		refs = []string{"Getis, A. & Ord, J. K. (1992); Ord, J. K. & Getis, A. (1995).", "Benjamini, Y. & Hochberg, Y. (1995).", "Contiguity as PySAL's Queen weights."}
	default:
		if perms == 0 {
			perms = 999
		}
		gm, err := hotspot.Moran(y, w, tr)
		if err != nil {
			return nil, err
		}
		local, err := hotspot.LocalMoran(y, w, hotspot.LocalMoranOptions{Transform: tr, Permutations: perms, Seed: r.Params.Seed})
		if err != nil {
			return nil, err
		}
		stat, question = "local Moran's I", "Do areas with many incidents border areas with many? Where are the clusters and outliers?"
		z, pTwo = local.I, local.PSimTwoSided
		legend = []LegendItem{{Class: "HH", Label: "high among high (cluster)", Color: "#d7301f"}, {Class: "LL", Label: "low among low (cluster)", Color: "#2c7fb8"},
			{Class: "HL", Label: "high among low (outlier)", Color: "#fc9272"}, {Class: "LH", Label: "low among high (outlier)", Color: "#9ecae1"}}
		order := map[hotspot.Quadrant]int{hotspot.HH: 0, hotspot.LL: 1, hotspot.HL: 2, hotspot.LH: 3}
		classOf = func(k int, sig bool) int {
			if !sig {
				return -1
			}
			return order[local.Q[k]]
		}
		global = fmt.Sprintf("Global Moran's I = %s (expected %s), z = %s under randomisation, p %s: %s.", fmtG(gm.I), fmtG(gm.EI), fmtF(gm.ZRand, 2), fmtP(gm.PRand), moranWords(gm))
		refs = []string{"Moran, P. A. P. (1950); Anselin, L. (1995). Local indicators of spatial association—LISA.", "Contiguity as PySAL's Queen weights."}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	progress(0.9, "false discovery control")
	sig, q := hotspot.BenjaminiHochberg(pTwo, r.Params.Alpha)
	layer := &Layer{Title: stat + " by area (" + u.Layer + ")", Legend: legend, Features: []Feature{}, Note: "Areas that are not significant are not drawn."}
	tb := &Table{Columns: []string{"code", "name", "count", "neighbours", "statistic", "p", "q", "class"}}
	for k := range y {
		c := classOf(k, sig[k])
		class := "ns"
		if c >= 0 {
			class = legend[c].Class
			legend[c].Count++
			coords := make([][][][2]float64, len(u.WGS84[k]))
			for a, pg := range u.WGS84[k] {
				for _, ring := range pg {
					rr := make([][2]float64, len(ring))
					for m, pt := range ring {
						rr[m] = [2]float64{pt[0], pt[1]}
					}
					coords[a] = append(coords[a], rr)
				}
			}
			layer.Features = append(layer.Features, Feature{Type: "Feature", Geometry: Geometry{Type: "MultiPolygon", Coordinates: coords},
				Properties: map[string]any{"code": u.Codes[k], "name": u.Names[k], "class": class, "count": y[k], "statistic": num(z[k]), "p": num(pTwo[k]), "q": num(q[k])}})
		}
		tb.Rows = append(tb.Rows, []any{u.Codes[k], u.Names[k], y[k], w.Cardinality(k), z[k], pTwo[k], q[k], class})
	}
	res := &Result{Card: Card{
		Method:   stat + " on the areas of " + u.Layer,
		Question: question,
		Parameters: []Param{{Name: "areas", Value: u.Layer, Note: strconv.Itoa(len(y)) + " areas"},
			{Name: "neighbours", Value: "queen contiguity (areas sharing a boundary point)", Note: fmt.Sprintf("%d areas without a neighbour", w.Islands())},
			{Name: "weights", Value: r.Params.Weights},
			{Name: "permutations", Value: strconv.Itoa(perms)},
			{Name: "seed", Value: strconv.FormatUint(r.Params.Seed, 10)},
			{Name: "false discovery rate", Value: fmtG(r.Params.Alpha), Note: "Benjamini-Hochberg over all areas on two-sided p-values"}},
		N:           n,
		Excluded:    ex,
		Uncertainty: global + fmt.Sprintf(" An area is kept when its q-value is at most %s.", fmtG(r.Params.Alpha)),
		References:  refs,
		Limits:      []string{"Areas differ in size and population: counts are not rates.", "Boundaries digitised separately may not be found adjacent (vertices are matched exactly).", "Recorded incidents show where incidents were recorded, not where all incidents happen."},
	}, Layer: layer, Table: tb}
	found := 0
	for _, l := range legend {
		found += l.Count
	}
	if wmsg := fdrWarning(len(y), perms, r.Params.Alpha); wmsg != "" && found == 0 {
		res.Card.Warnings = append(res.Card.Warnings, wmsg)
	}
	var parts []string
	for _, l := range legend {
		parts = append(parts, fmt.Sprintf("%d %s", l.Count, l.Label))
	}
	res.Summary = fmt.Sprintf("%d areas of %s: %s. %s", len(y), u.Layer, strings.Join(parts, ", "), global)
	return res, nil
}
