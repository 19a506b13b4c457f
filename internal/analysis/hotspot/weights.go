// Package hotspot computes local and global spatial-association statistics
// for hot-spot analysis: Getis-Ord G, Gi* and global G, global and local
// Moran's I, with analytical (normal) and conditional-permutation inference,
// and Benjamini-Hochberg false-discovery control.
//
// The conventions follow PySAL esda (the reference implementation) so that
// results can be checked against it: see docs/methods/getis-ord.md,
// docs/methods/morans-i.md and docs/methods/fdr.md.
//
// The package is pure: no I/O, no clock; randomness comes from math/rand/v2
// seeded by the caller, with one independent stream per observation, so the
// results do not depend on GOMAXPROCS.
package hotspot

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/icarus-city/icarus/internal/analysis/coords"
)

// Weights is a sparse spatial-weights matrix in CSR form. Row i's neighbours
// are Index[Offsets[i]:Offsets[i+1]] (sorted, never i itself) with weights
// Values[Offsets[i]:Offsets[i+1]]. Self-weights (the diagonal, for Gi*) are
// not stored here: the statistics add them as their conventions require.
type Weights struct {
	N       int
	Offsets []int
	Index   []int32
	Values  []float64
}

// ErrInput reports unusable input (lengths, NaN, negative band...).
var ErrInput = errors.New("hotspot: bad input")

func inputErr(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInput, fmt.Sprintf(format, a...))
}

// Cardinality is the number of neighbours of i.
func (w *Weights) Cardinality(i int) int { return w.Offsets[i+1] - w.Offsets[i] }

// MaxCardinality is the largest number of neighbours of any observation.
func (w *Weights) MaxCardinality() int {
	m := 0
	for i := 0; i < w.N; i++ {
		m = max(m, w.Cardinality(i))
	}
	return m
}

// Islands counts observations without neighbours.
func (w *Weights) Islands() int {
	c := 0
	for i := 0; i < w.N; i++ {
		if w.Cardinality(i) == 0 {
			c++
		}
	}
	return c
}

// MeanCardinality is the mean number of neighbours.
func (w *Weights) MeanCardinality() float64 {
	if w.N == 0 {
		return 0
	}
	return float64(len(w.Index)) / float64(w.N)
}

// RowSum is the sum of row i's weights.
func (w *Weights) RowSum(i int) float64 {
	s := 0.0
	for _, v := range w.Values[w.Offsets[i]:w.Offsets[i+1]] {
		s += v
	}
	return s
}

// Lag is the spatial lag W·y.
func (w *Weights) Lag(y []float64) []float64 {
	out := make([]float64, w.N)
	for i := range out {
		s := 0.0
		for k := w.Offsets[i]; k < w.Offsets[i+1]; k++ {
			s += w.Values[k] * y[w.Index[k]]
		}
		out[i] = s
	}
	return out
}

// Binary returns a copy with every stored weight set to 1.
func (w *Weights) Binary() *Weights {
	b := &Weights{N: w.N, Offsets: w.Offsets, Index: w.Index, Values: make([]float64, len(w.Values))}
	for k := range b.Values {
		b.Values[k] = 1
	}
	return b
}

// RowStandardised returns a copy whose rows sum to 1 (rows of islands stay
// empty), PySAL's transform "R".
func (w *Weights) RowStandardised() *Weights {
	r := &Weights{N: w.N, Offsets: w.Offsets, Index: w.Index, Values: make([]float64, len(w.Values))}
	for i := 0; i < w.N; i++ {
		s := w.RowSum(i)
		for k := w.Offsets[i]; k < w.Offsets[i+1]; k++ {
			r.Values[k] = w.Values[k] / s
		}
	}
	return r
}

// Moments returns PySAL's s0 = Σij wij, s1 = ½ Σij (wij + wji)² and
// s2 = Σi (wi. + w.i)², used by the global statistics' variances.
func (w *Weights) Moments() (s0, s1, s2 float64) {
	t := w.transpose()
	colSum := make([]float64, w.N)
	for k, j := range w.Index {
		colSum[j] += w.Values[k]
	}
	for i := 0; i < w.N; i++ {
		rs := w.RowSum(i)
		s0 += rs
		s2 += (rs + colSum[i]) * (rs + colSum[i])
		// merge the sorted rows i of W and of Wᵀ
		a, b := w.Offsets[i], t.Offsets[i]
		ae, be := w.Offsets[i+1], t.Offsets[i+1]
		for a < ae || b < be {
			var v float64
			switch {
			case b >= be || (a < ae && w.Index[a] < t.Index[b]):
				v = w.Values[a]
				a++
			case a >= ae || t.Index[b] < w.Index[a]:
				v = t.Values[b]
				b++
			default:
				v = w.Values[a] + t.Values[b]
				a++
				b++
			}
			s1 += v * v
		}
	}
	return s0, s1 / 2, s2
}

func (w *Weights) transpose() *Weights {
	t := &Weights{N: w.N, Offsets: make([]int, w.N+1), Index: make([]int32, len(w.Index)), Values: make([]float64, len(w.Values))}
	for _, j := range w.Index {
		t.Offsets[j+1]++
	}
	for i := 0; i < w.N; i++ {
		t.Offsets[i+1] += t.Offsets[i]
	}
	next := slices.Clone(t.Offsets[:w.N])
	for i := 0; i < w.N; i++ { // rows in order: each transposed row comes out sorted
		for k := w.Offsets[i]; k < w.Offsets[i+1]; k++ {
			j := w.Index[k]
			t.Index[next[j]] = int32(i)
			t.Values[next[j]] = w.Values[k]
			next[j]++
		}
	}
	return t
}

// FromNeighbors builds binary weights from neighbour lists (positions
// 0..n-1). Self-references are dropped and duplicates merged; the lists need
// not be symmetric.
func FromNeighbors(lists [][]int) (*Weights, error) {
	n := len(lists)
	w := &Weights{N: n, Offsets: make([]int, n+1)}
	for i, l := range lists {
		row := make([]int32, 0, len(l))
		for _, j := range l {
			if j < 0 || j >= n {
				return nil, inputErr("neighbour %d of %d is out of range 0..%d", j, i, n-1)
			}
			if j != i {
				row = append(row, int32(j))
			}
		}
		slices.Sort(row)
		row = slices.Compact(row)
		w.Index = append(w.Index, row...)
		w.Offsets[i+1] = len(w.Index)
	}
	w.Values = make([]float64, len(w.Index))
	for k := range w.Values {
		w.Values[k] = 1
	}
	return w, nil
}

// GridQueen is binary queen contiguity on a regular nx × ny lattice whose
// cell (col, row) is observation row*nx + col (PySAL's lat2W(ny, nx,
// rook=False) numbering).
func GridQueen(nx, ny int) (*Weights, error) {
	if nx <= 0 || ny <= 0 || int64(nx)*int64(ny) > math.MaxInt32 {
		return nil, inputErr("grid %d × %d", nx, ny)
	}
	n := nx * ny
	w := &Weights{N: n, Offsets: make([]int, n+1), Index: make([]int32, 0, 8*n)}
	for r := 0; r < ny; r++ {
		for c := 0; c < nx; c++ {
			for dr := -1; dr <= 1; dr++ {
				rr := r + dr
				if rr < 0 || rr >= ny {
					continue
				}
				for dc := -1; dc <= 1; dc++ {
					cc := c + dc
					if (dr == 0 && dc == 0) || cc < 0 || cc >= nx {
						continue
					}
					w.Index = append(w.Index, int32(rr*nx+cc))
				}
			}
			w.Offsets[r*nx+c+1] = len(w.Index)
		}
	}
	w.Values = make([]float64, len(w.Index))
	for k := range w.Values {
		w.Values[k] = 1
	}
	return w, nil
}

func checkXY(x, y []float64) error {
	if len(x) != len(y) {
		return inputErr("%d x and %d y", len(x), len(y))
	}
	if int64(len(x)) > math.MaxInt32 {
		return inputErr("too many points")
	}
	for i := range x {
		if math.IsNaN(x[i]) || math.IsNaN(y[i]) || math.IsInf(x[i], 0) || math.IsInf(y[i], 0) {
			return inputErr("point %d is not finite", i)
		}
	}
	return nil
}

// cellHash buckets points into square cells for neighbour searches.
type cellHash struct {
	size       float64
	minX, minY float64
	nx, ny     int
	start      []int   // CSR over cells
	items      []int32 // point ids by cell
}

func newCellHash(x, y []float64, size float64) *cellHash {
	h := &cellHash{size: size}
	h.minX, h.minY = math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for i := range x {
		h.minX, h.minY = min(h.minX, x[i]), min(h.minY, y[i])
		maxX, maxY = max(maxX, x[i]), max(maxY, y[i])
	}
	// keep the cell count proportional to n so sparse data cannot blow memory
	for {
		fx, fy := math.Floor((maxX-h.minX)/h.size)+1, math.Floor((maxY-h.minY)/h.size)+1
		if fx*fy <= 4*float64(len(x))+16 {
			h.nx, h.ny = int(fx), int(fy)
			break
		}
		h.size *= 2
	}
	cx := make([]int32, len(x))
	h.start = make([]int, h.nx*h.ny+1)
	for i := range x {
		c := h.cell(x[i], y[i])
		cx[i] = int32(c)
		h.start[c+1]++
	}
	for c := 0; c < h.nx*h.ny; c++ {
		h.start[c+1] += h.start[c]
	}
	next := slices.Clone(h.start[:h.nx*h.ny])
	h.items = make([]int32, len(x))
	for i := range x {
		h.items[next[cx[i]]] = int32(i)
		next[cx[i]]++
	}
	return h
}

func (h *cellHash) col(x float64) int {
	return min(max(int((x-h.minX)/h.size), 0), h.nx-1)
}
func (h *cellHash) row(y float64) int {
	return min(max(int((y-h.minY)/h.size), 0), h.ny-1)
}
func (h *cellHash) cell(x, y float64) int { return h.row(y)*h.nx + h.col(x) }

// DistanceBand is binary distance-band weights: j is a neighbour of i when
// their Euclidean distance is at most d (inclusive, as PySAL's
// DistanceBand, whose KD-tree query keeps distances <= threshold). Points at
// distance 0 (duplicates) are neighbours. Neighbours are found with a grid
// hash of cell size d, so the cost is O(n + pairs within d).
func DistanceBand(x, y []float64, d float64) (*Weights, error) {
	if err := checkXY(x, y); err != nil {
		return nil, err
	}
	if !(d > 0) || math.IsInf(d, 0) {
		return nil, inputErr("distance band %v: want a positive distance", d)
	}
	if err := coords.CheckMetres(x, y, d, "distance band"); err != nil {
		return nil, inputErr("%v", err)
	}
	n := len(x)
	w := &Weights{N: n, Offsets: make([]int, n+1)}
	if n == 0 {
		return w, nil
	}
	h := newCellHash(x, y, d)
	reach := int(math.Ceil(d / h.size)) // 1, or less than 1 cell when the hash coarsened
	d2 := d * d
	var row []int32
	for i := 0; i < n; i++ {
		row = row[:0]
		ci, ri := h.col(x[i]), h.row(y[i])
		for r := max(ri-reach, 0); r <= min(ri+reach, h.ny-1); r++ {
			for c := max(ci-reach, 0); c <= min(ci+reach, h.nx-1); c++ {
				cell := r*h.nx + c
				for _, j := range h.items[h.start[cell]:h.start[cell+1]] {
					if int(j) == i {
						continue
					}
					dx, dy := x[i]-x[j], y[i]-y[j]
					if dx*dx+dy*dy <= d2 {
						row = append(row, j)
					}
				}
			}
		}
		slices.Sort(row)
		w.Index = append(w.Index, row...)
		w.Offsets[i+1] = len(w.Index)
	}
	w.Values = make([]float64, len(w.Index))
	for k := range w.Values {
		w.Values[k] = 1
	}
	return w, nil
}

// KNN is binary k-nearest-neighbour weights (not symmetric in general).
// Distance ties at the k-th place are broken by the lower index; PySAL's
// KD-tree may break them differently.
func KNN(x, y []float64, k int) (*Weights, error) {
	if err := checkXY(x, y); err != nil {
		return nil, err
	}
	n := len(x)
	if k <= 0 || k >= n {
		return nil, inputErr("k = %d nearest neighbours of %d points", k, n)
	}
	w := &Weights{N: n, Offsets: make([]int, n+1), Index: make([]int32, 0, n*k)}
	// cells holding about k points each on average
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for i := range x {
		minX, minY = min(minX, x[i]), min(minY, y[i])
		maxX, maxY = max(maxX, x[i]), max(maxY, y[i])
	}
	area := max((maxX-minX)*(maxY-minY), 1e-300)
	size := math.Sqrt(area * float64(k) / float64(n))
	if !(size > 0) {
		size = 1
	}
	h := newCellHash(x, y, size)
	type cand struct {
		d2 float64
		j  int32
	}
	best := make([]cand, 0, k+1)
	less := func(a, b cand) bool { return a.d2 < b.d2 || (a.d2 == b.d2 && a.j < b.j) }
	for i := 0; i < n; i++ {
		best = best[:0]
		ci, ri := h.col(x[i]), h.row(y[i])
		for ring := 0; ; ring++ {
			for r := ri - ring; r <= ri+ring; r++ {
				if r < 0 || r >= h.ny {
					continue
				}
				for c := ci - ring; c <= ci+ring; c++ {
					if c < 0 || c >= h.nx || (r != ri-ring && r != ri+ring && c != ci-ring && c != ci+ring) {
						continue
					}
					cell := r*h.nx + c
					for _, j := range h.items[h.start[cell]:h.start[cell+1]] {
						if int(j) == i {
							continue
						}
						dx, dy := x[i]-x[j], y[i]-y[j]
						cd := cand{dx*dx + dy*dy, j}
						if len(best) == k && !less(cd, best[k-1]) {
							continue
						}
						p := sort.Search(len(best), func(m int) bool { return less(cd, best[m]) })
						if len(best) < k {
							best = append(best, cand{})
						}
						copy(best[p+1:], best[p:len(best)-1])
						best[p] = cd
					}
				}
			}
			// every point not yet seen lies beyond ring*size of i
			covered := ri-ring <= 0 && ci-ring <= 0 && ri+ring >= h.ny-1 && ci+ring >= h.nx-1
			if covered {
				break
			}
			if len(best) == k {
				reach := float64(ring) * h.size
				if best[k-1].d2 <= reach*reach {
					break
				}
			}
		}
		row := make([]int32, len(best))
		for m, b := range best {
			row[m] = b.j
		}
		slices.Sort(row)
		w.Index = append(w.Index, row...)
		w.Offsets[i+1] = len(w.Index)
	}
	w.Values = make([]float64, len(w.Index))
	for m := range w.Values {
		w.Values[m] = 1
	}
	return w, nil
}
