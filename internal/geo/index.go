package geo

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// AreaIndex answers "which areas contain this point" for a fixed set of
// (multi)polygons in one planar coordinate system. A uniform grid over the
// polygons' bounding boxes selects candidate polygons; each polygon keeps
// its ring edges bucketed in horizontal bands, so an exact even-odd
// point-in-polygon test touches only the few edges crossing the point's
// band. An AreaIndex is immutable after NewAreaIndex and safe for
// concurrent use.
type AreaIndex struct {
	nAreas int
	polys  []indexedPolygon
	bound  orb.Bound
	// grid
	nx, ny       int
	cellW, cellH float64
	cellStart    []int32 // len nx*ny+1, offsets into cellItems
	cellItems    []int32 // polygon ids
}

type edge struct{ x1, y1, x2, y2 float64 }

type indexedPolygon struct {
	area      int
	b         orb.Bound
	y0, bandH float64
	nb        int
	bandStart []int32 // len nb+1, offsets into edges
	edges     []edge  // edges grouped by band (an edge spanning several bands is repeated)
}

// NewAreaIndex indexes areas; area i of the slice is reported as index i by
// Locate. All areas must use the same planar coordinates (projected metres,
// or lon/lat degrees consistently). Empty areas and rings with fewer than
// three points are ignored.
func NewAreaIndex(areas []orb.MultiPolygon) *AreaIndex {
	ix := &AreaIndex{nAreas: len(areas)}
	first := true
	for ai, mp := range areas {
		for _, poly := range mp {
			ip, ok := buildPolygon(ai, poly)
			if !ok {
				continue
			}
			ix.polys = append(ix.polys, ip)
			if first {
				ix.bound, first = ip.b, false
			} else {
				ix.bound = ix.bound.Union(ip.b)
			}
		}
	}
	ix.buildGrid()
	return ix
}

func buildPolygon(area int, poly orb.Polygon) (indexedPolygon, bool) {
	ip := indexedPolygon{area: area}
	var all []edge
	first := true
	for _, r := range poly {
		if len(r) < 3 {
			continue
		}
		for i := range r {
			a, b := r[i], r[(i+1)%len(r)]
			if a == b {
				continue
			}
			if !finite(a[0]) || !finite(a[1]) || !finite(b[0]) || !finite(b[1]) {
				continue
			}
			all = append(all, edge{a[0], a[1], b[0], b[1]})
			if first {
				ip.b, first = orb.Bound{Min: a, Max: a}, false
			}
			ip.b = ip.b.Extend(a)
		}
	}
	if len(all) < 3 {
		return ip, false
	}
	ip.nb = min(max(1, len(all)/4), 8192)
	h := ip.b.Max[1] - ip.b.Min[1]
	ip.y0 = ip.b.Min[1]
	ip.bandH = h / float64(ip.nb)
	if !(ip.bandH > 0) {
		ip.nb, ip.bandH = 1, 1
	}
	counts := make([]int32, ip.nb+1)
	bandRange := func(e edge) (int, int) {
		return ip.band(math.Min(e.y1, e.y2)), ip.band(math.Max(e.y1, e.y2))
	}
	for _, e := range all {
		lo, hi := bandRange(e)
		for k := lo; k <= hi; k++ {
			counts[k+1]++
		}
	}
	for k := 1; k <= ip.nb; k++ {
		counts[k] += counts[k-1]
	}
	ip.bandStart = counts
	ip.edges = make([]edge, counts[ip.nb])
	fill := make([]int32, ip.nb)
	copy(fill, counts[:ip.nb])
	for _, e := range all {
		lo, hi := bandRange(e)
		for k := lo; k <= hi; k++ {
			ip.edges[fill[k]] = e
			fill[k]++
		}
	}
	return ip, true
}

// band returns the band holding y, clamped to the polygon's bands. It is
// monotone in y, and edges are stored in every band from band(ymin) to
// band(ymax), so band(py) always lists every edge whose y-range holds py.
func (ip *indexedPolygon) band(y float64) int {
	k := int((y - ip.y0) / ip.bandH)
	if k < 0 || (y-ip.y0) < 0 {
		return 0
	}
	if k >= ip.nb {
		return ip.nb - 1
	}
	return k
}

// contains is an even-odd test over all rings (outer and holes) with the
// boundary counted as inside.
func (ip *indexedPolygon) contains(px, py float64) bool {
	k := ip.band(py)
	inside := false
	for _, e := range ip.edges[ip.bandStart[k]:ip.bandStart[k+1]] {
		y1, y2 := e.y1, e.y2
		if (py < y1 && py < y2) || (py > y1 && py > y2) {
			continue
		}
		if px < e.x1 && px < e.x2 {
			if (y1 > py) != (y2 > py) {
				inside = !inside
			}
			continue
		}
		cross := (e.x2-e.x1)*(py-y1) - (y2-y1)*(px-e.x1)
		if cross == 0 && px <= math.Max(e.x1, e.x2) {
			return true // on the edge
		}
		if (y1 > py) != (y2 > py) && (cross > 0) == (y2 > y1) {
			inside = !inside
		}
	}
	return inside
}

func (ix *AreaIndex) buildGrid() {
	n := len(ix.polys)
	if n == 0 {
		return
	}
	w := ix.bound.Max[0] - ix.bound.Min[0]
	h := ix.bound.Max[1] - ix.bound.Min[1]
	cells := float64(2 * n)
	nx, ny := 1, 1
	if w > 0 && h > 0 {
		nx = int(math.Round(math.Sqrt(cells * w / h)))
		nx = min(max(nx, 1), 1024)
		ny = min(max(int(math.Round(cells/float64(nx))), 1), 1024)
	} else if w > 0 {
		nx = min(n, 1024)
	} else if h > 0 {
		ny = min(n, 1024)
	}
	ix.nx, ix.ny = nx, ny
	ix.cellW = w / float64(nx)
	ix.cellH = h / float64(ny)
	if !(ix.cellW > 0) {
		ix.cellW = 1
	}
	if !(ix.cellH > 0) {
		ix.cellH = 1
	}
	counts := make([]int32, nx*ny+1)
	for i := range ix.polys {
		x0, y0, x1, y1 := ix.cellRange(ix.polys[i].b)
		for cy := y0; cy <= y1; cy++ {
			for cx := x0; cx <= x1; cx++ {
				counts[cy*nx+cx+1]++
			}
		}
	}
	for k := 1; k < len(counts); k++ {
		counts[k] += counts[k-1]
	}
	ix.cellStart = counts
	ix.cellItems = make([]int32, counts[nx*ny])
	fill := make([]int32, nx*ny)
	copy(fill, counts[:nx*ny])
	for i := range ix.polys {
		x0, y0, x1, y1 := ix.cellRange(ix.polys[i].b)
		for cy := y0; cy <= y1; cy++ {
			for cx := x0; cx <= x1; cx++ {
				c := cy*nx + cx
				ix.cellItems[fill[c]] = int32(i)
				fill[c]++
			}
		}
	}
}

func (ix *AreaIndex) cell(x, y float64) (int, int) {
	cx := int((x - ix.bound.Min[0]) / ix.cellW)
	cy := int((y - ix.bound.Min[1]) / ix.cellH)
	return min(max(cx, 0), ix.nx-1), min(max(cy, 0), ix.ny-1)
}

func (ix *AreaIndex) cellRange(b orb.Bound) (x0, y0, x1, y1 int) {
	x0, y0 = ix.cell(b.Min[0], b.Min[1])
	x1, y1 = ix.cell(b.Max[0], b.Max[1])
	return
}

// Len returns the number of areas the index was built with.
func (ix *AreaIndex) Len() int { return ix.nAreas }

// Locate returns the indices of all areas containing p, in ascending order,
// or nil. Points on an area's boundary (outer or hole) count as inside, so
// a point on a shared border is reported for both areas.
func (ix *AreaIndex) Locate(p orb.Point) []int {
	return ix.AppendLocate(nil, p)
}

// AppendLocate is Locate appending to dst, for callers that reuse a buffer
// across many points.
func (ix *AreaIndex) AppendLocate(dst []int, p orb.Point) []int {
	if ix == nil || len(ix.polys) == 0 || !finite(p[0]) || !finite(p[1]) || !ix.bound.Contains(p) {
		return dst
	}
	start := len(dst)
	cx, cy := ix.cell(p[0], p[1])
	c := cy*ix.nx + cx
	for _, pi := range ix.cellItems[ix.cellStart[c]:ix.cellStart[c+1]] {
		ip := &ix.polys[pi]
		if !ip.b.Contains(p) {
			continue
		}
		found := false
		for _, a := range dst[start:] {
			if a == ip.area {
				found = true
				break
			}
		}
		if found {
			continue
		}
		if ip.contains(p[0], p[1]) {
			dst = append(dst, ip.area)
		}
	}
	if len(dst)-start > 1 {
		sort.Ints(dst[start:])
	}
	return dst
}

// AreaM2 returns the planar area of mp in the square of its coordinate
// unit: outer rings minus holes, whatever their orientation. Use projected
// metric coordinates to get square metres.
func AreaM2(mp orb.MultiPolygon) float64 {
	var total float64
	for _, poly := range mp {
		for i, r := range poly {
			a := math.Abs(ringSignedArea(r))
			if i == 0 {
				total += a
			} else {
				total -= a
			}
		}
	}
	return total
}
