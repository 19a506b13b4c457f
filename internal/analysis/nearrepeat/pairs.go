package nearrepeat

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
)

// closePairs finds every unordered pair of events closer than the last
// distance edge r with a grid of cell size r: such a pair lies in the same
// cell or in adjacent cells, so each cell is compared with itself and four
// of its eight neighbours (right, and the three above).
//
// It returns the order of the events sorted by cell (order[k] is the input
// index of event k; the lists use the sorted indices, which keeps the
// events of a pair close in memory) and, for each finite distance row b and
// event i, the events j > i at that distance: nbr[off[b*n+i]:off[b*n+i+1]].
func closePairs(x, y, edges []float64, m Metric, nrc bool, rows int) (order, nbr []int32, off []int) {
	n := len(x)
	r := edges[len(edges)-1]
	minx, miny := x[0], y[0]
	for i := range x {
		minx, miny = min(minx, x[i]), min(miny, y[i])
	}
	type pt struct {
		cx, cy int64
		i      int32
	}
	pts := make([]pt, n)
	for i := range x {
		pts[i] = pt{int64(math.Floor((x[i] - minx) / r)), int64(math.Floor((y[i] - miny) / r)), int32(i)}
	}
	slices.SortFunc(pts, func(a, b pt) int {
		if c := cmp.Compare(a.cy, b.cy); c != 0 {
			return c
		}
		if c := cmp.Compare(a.cx, b.cx); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	})
	order = make([]int32, n)
	xs, ys := make([]float64, n), make([]float64, n)
	for k, p := range pts {
		order[k] = p.i
		xs[k], ys[k] = x[p.i], y[p.i]
	}
	// cells: start index of each non-empty cell, in (cy, cx) order
	type cell struct {
		cx, cy     int64
		start, end int32
	}
	var cells []cell
	for k := 0; k < n; {
		e := k + 1
		for e < n && pts[e].cx == pts[k].cx && pts[e].cy == pts[k].cy {
			e++
		}
		cells = append(cells, cell{pts[k].cx, pts[k].cy, int32(k), int32(e)})
		k = e
	}
	pts = nil

	band := func(d float64) int {
		if d >= r {
			return -1
		}
		b := 0
		for d >= edges[b+1] {
			b++
		}
		if nrc {
			if d == 0 {
				return 0
			}
			b++
		}
		return b
	}
	dist := func(i, j int32) float64 {
		dx, dy := xs[i]-xs[j], ys[i]-ys[j]
		if m == Manhattan {
			return math.Abs(dx) + math.Abs(dy)
		}
		return math.Sqrt(dx*dx + dy*dy)
	}
	// visit calls emit for every close pair; it runs twice, to count the
	// pairs of each row and then to fill them in place.
	visit := func(emit func(b int, i, j int32)) {
		between := func(a, c cell) {
			for i := a.start; i < a.end; i++ {
				for j := c.start; j < c.end; j++ {
					if b := band(dist(i, j)); b >= 0 {
						emit(b, i, j)
					}
				}
			}
		}
		up := 0 // first cell of the row above at or right of cx-1
		for ci, c := range cells {
			for i := c.start; i < c.end; i++ {
				for j := i + 1; j < c.end; j++ {
					if b := band(dist(i, j)); b >= 0 {
						emit(b, i, j)
					}
				}
			}
			if ci+1 < len(cells) && cells[ci+1].cy == c.cy && cells[ci+1].cx == c.cx+1 {
				between(c, cells[ci+1])
			}
			// cells are sorted, so the pointer into the row above only moves forward
			if up < ci+1 {
				up = ci + 1
			}
			for up < len(cells) && (cells[up].cy < c.cy+1 || cells[up].cy == c.cy+1 && cells[up].cx < c.cx-1) {
				up++
			}
			for u := up; u < len(cells) && cells[u].cy == c.cy+1 && cells[u].cx <= c.cx+1; u++ {
				between(c, cells[u])
			}
		}
	}
	// neighbour lists: off[b*n+i] is where the list of event i in row b
	// starts (a counting sort on (row, i))
	off = make([]int, rows*n+1)
	visit(func(b int, i, _ int32) { off[b*n+int(i)+1]++ })
	for k := 1; k < len(off); k++ {
		off[k] += off[k-1]
	}
	nbr = make([]int32, off[len(off)-1])
	fill := append([]int(nil), off[:rows*n]...)
	visit(func(b int, i, j int32) {
		nbr[fill[b*n+int(i)]] = j
		fill[b*n+int(i)]++
	})
	return order, nbr, off
}

// shuffle permutes the elements t[0], t[stride], t[2*stride], ... at
// random (Fisher-Yates) with a generator keyed by the seed and the
// iteration, so that every iteration has its own reproducible permutation
// whichever goroutine runs it, and whatever else shares the slice.
func shuffle(t []int32, stride int, seed, iteration uint64) {
	var key [32]byte
	put := func(off int, v uint64) {
		for b := 0; b < 8; b++ {
			key[off+b] = byte(v >> (8 * b))
		}
	}
	put(0, seed)
	put(8, iteration)
	put(16, 0x6b6e6f782d706572) // "knox-per": keeps these streams apart from other uses of the seed
	g := bits32{g: rand.NewChaCha8(key)}
	n := (len(t) + stride - 1) / stride
	if n > math.MaxUint32 {
		panic("nearrepeat: too many events")
	}
	for i := n - 1; i > 0; i-- {
		j := int(g.below(uint32(i + 1)))
		t[i*stride], t[j*stride] = t[j*stride], t[i*stride]
	}
}

// bits32 hands out the 64 random bits of each ChaCha8 output as two
// 32-bit halves.
type bits32 struct {
	g    *rand.ChaCha8
	buf  uint64
	full bool
}

func (b *bits32) next() uint32 {
	if b.full {
		b.full = false
		return uint32(b.buf >> 32)
	}
	b.buf, b.full = b.g.Uint64(), true
	return uint32(b.buf)
}

// below returns a uniform integer in [0, n) by multiply-and-reject
// (Lemire's method, 32 bits).
func (b *bits32) below(n uint32) uint32 {
	m := uint64(b.next()) * uint64(n)
	if uint32(m) < n {
		thresh := -n % n
		for uint32(m) < thresh {
			m = uint64(b.next()) * uint64(n)
		}
	}
	return uint32(m >> 32)
}
