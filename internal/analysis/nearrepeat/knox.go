// Package nearrepeat detects near-repeat patterns in events: the Knox test
// of space-time interaction with a Monte Carlo permutation null, as in
// Ratcliffe's Near Repeat Calculator (NRC) and Johnson et al. (2007).
//
// The package is pure: no I/O, no clock, and randomness only from the seed
// in Options, so a result depends on its inputs alone.
//
// Method. Every unordered pair of events is classified by its distance band
// and its time band (whole days); the observed table counts pairs per
// cell. Under the null of no space-time interaction the times are
// exchangeable among the events, so the event times are permuted at random
// and the pairs recounted; the expected table is the mean over the
// permutations, the Knox ratio observed/expected, and the p-value per cell
// (1 + #{simulated >= observed}) / (iterations + 1).
//
// Cost. No n×n matrix is built. Pairs closer than the largest finite
// distance edge are found once with a grid of that cell size and stored as
// neighbour lists (one int32 per pair), grouped by distance band. The number of
// pairs per time band over all pairs does not change when times are
// permuted; it is counted once from the sorted day numbers. The "more than"
// distance row is that total minus the close pairs, so a permutation only
// re-bins the close pairs: O(close pairs) per iteration. Iterations run on
// all cores, each with its own seed derived from (Seed, iteration), so the
// result does not depend on the number of cores.
package nearrepeat

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/icarus-city/icarus/internal/analysis/coords"
)

// Metric is the distance between two events.
type Metric int

const (
	// Euclidean is the straight-line distance.
	Euclidean Metric = iota
	// Manhattan is |dx| + |dy|, a rough proxy for distance along a street grid.
	Manhattan
)

func (m Metric) String() string {
	switch m {
	case Euclidean:
		return "euclidean"
	case Manhattan:
		return "manhattan"
	}
	return fmt.Sprintf("Metric(%d)", int(m))
}

// ParseMetric parses "euclidean" or "manhattan".
func ParseMetric(s string) (Metric, error) {
	switch s {
	case "euclidean", "euclid", "straight":
		return Euclidean, nil
	case "manhattan", "cityblock", "taxicab":
		return Manhattan, nil
	}
	return 0, fmt.Errorf("unknown metric %q (want euclidean or manhattan)", s)
}

// Options configure Knox.
type Options struct {
	// SpaceEdges are the distance band edges in metres, strictly
	// increasing from 0: 0,100,200,300 gives [0,100), [100,200),
	// [200,300) and a last band of 300 m or more.
	SpaceEdges []float64
	// TimeEdges are the time band edges in whole days, strictly increasing
	// from 0: 0,2,4 gives 0-1 days, 2-3 days and a last band of 4 days or
	// more.
	TimeEdges []int
	Metric    Metric
	// NRC applies the Near Repeat Calculator's conventions: coordinates
	// are rounded to float32 first, a first "same location" row holds the
	// pairs at distance 0 and the first distance band becomes 0 < d < e1;
	// labels are the calculator's ("1 to 100", "101 to 200", "More than
	// 300"; "0 to 7", "8 to 14", "More than 21").
	NRC bool
	// Iterations is the number of permutations (0: observed table only).
	Iterations int
	// Seed makes the permutations reproducible.
	Seed uint64
	// Resolution is the coarsest time resolution of the events, as
	// incident.Resolution ("exact", "day" or "month"); "month" is refused
	// before any work starts. Empty means "day" or finer.
	Resolution string
	// Workers is the number of goroutines (<= 0: GOMAXPROCS). It does not
	// change the result.
	Workers int
}

// Band is one row or column of the tables.
type Band struct {
	Label string
	// Min and Max bound the band: Min <= v < Max, or Min < v < Max when
	// MinExclusive is set (the first NRC distance band). The same-location
	// band has Min = Max = 0; the last band has Max = +Inf.
	Min, Max     float64
	MinExclusive bool
	SameLocation bool
	Last         bool // the "more than" band
}

// Result is the outcome of Knox. The tables are indexed [space][time]:
// rows are distance bands (a first same-location row in NRC mode, a last
// "more than" row), columns time bands (a last "more than" column).
type Result struct {
	SpaceBands, TimeBands []Band
	Observed              [][]int64
	// Expected is the mean of the permutations, KnoxRatio Observed /
	// Expected and PValue (1 + #{sim >= obs}) / (Iterations + 1); NaN when
	// undefined (no iterations; KnoxRatio where Expected is 0).
	Expected, KnoxRatio, PValue [][]float64
	// SimMin and SimMax are the smallest and largest simulated counts.
	SimMin, SimMax [][]int64
	N              int
	Pairs          int64 // n(n-1)/2
	ClosePairs     int64 // pairs closer than the largest finite distance edge
	Iterations     int
	Seed           uint64
	Metric         Metric
	NRC            bool
}

// Knox runs the Knox test on events at (x[i], y[i]) in metres at times
// days[i] in days. Fractions of a day are dropped (the floor is taken), so
// time differences are whole days between dates, as in the NRC.
func Knox(ctx context.Context, x, y, days []float64, opt Options) (*Result, error) {
	n := len(x)
	if len(y) != n || len(days) != n {
		return nil, errors.New("x, y and days must have the same length")
	}
	if n < 2 {
		return nil, errors.New("the Knox test needs at least two events")
	}
	if err := checkEdges(opt.SpaceEdges, opt.TimeEdges); err != nil {
		return nil, err
	}
	if opt.Metric != Euclidean && opt.Metric != Manhattan {
		return nil, fmt.Errorf("unknown metric %v", opt.Metric)
	}
	if opt.Iterations < 0 {
		return nil, errors.New("iterations must not be negative")
	}
	if opt.Resolution == "month" {
		return nil, errors.New("the dates are known only to the month: the Knox test needs dates to the day (data.police.uk-style monthly data cannot show near repeats)")
	}
	t := make([]int32, n)
	for i, d := range days {
		f := math.Floor(d)
		if math.IsNaN(f) || f < math.MinInt32 || f > math.MaxInt32 {
			return nil, fmt.Errorf("event %d: time %v is not a day number", i, d)
		}
		t[i] = int32(f)
	}
	tmin, tmax := slices.Min(t), slices.Max(t)
	if int64(tmax)-int64(tmin) >= 1<<30 {
		return nil, errors.New("the times span more than 2^30 days: are they in days?")
	}
	for i := range x {
		if math.IsNaN(x[i]) || math.IsInf(x[i], 0) || math.IsNaN(y[i]) || math.IsInf(y[i], 0) {
			return nil, fmt.Errorf("event %d: coordinates (%v, %v) are not finite", i, x[i], y[i])
		}
	}
	r := opt.SpaceEdges[len(opt.SpaceEdges)-1]
	if err := coords.CheckMetres(x, y, r, "largest distance band"); err != nil {
		return nil, err
	}
	if (slices.Max(x)-slices.Min(x))/r > 1<<40 || (slices.Max(y)-slices.Min(y))/r > 1<<40 {
		return nil, errors.New("the distance bands are too small for the extent of the events: are the coordinates in metres?")
	}

	k := newKnox(x, y, t, opt)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	obs := make([]int64, k.rows*k.cols)
	k.count(k.t, obs)
	res := k.result(obs)
	if opt.Iterations > 0 {
		if err := k.simulate(ctx, obs, res); err != nil {
			return nil, err
		}
	} else {
		for r := range res.Expected {
			for c := range res.Expected[r] {
				res.Expected[r][c], res.KnoxRatio[r][c], res.PValue[r][c] = math.NaN(), math.NaN(), math.NaN()
			}
		}
	}
	return res, nil
}

func checkEdges(s []float64, t []int) error {
	if len(s) < 2 {
		return errors.New("give at least two distance edges (e.g. 0,100)")
	}
	if len(t) < 2 {
		return errors.New("give at least two time edges (e.g. 0,7)")
	}
	if s[0] != 0 {
		return errors.New("distance edges must start at 0")
	}
	if t[0] != 0 {
		return errors.New("time edges must start at 0")
	}
	for i := 1; i < len(s); i++ {
		if !(s[i] > s[i-1]) || math.IsInf(s[i], 0) {
			return errors.New("distance edges must be finite and strictly increasing")
		}
	}
	for i := 1; i < len(t); i++ {
		if t[i] <= t[i-1] {
			return errors.New("time edges must be strictly increasing")
		}
		if t[i] >= 1<<30 {
			return errors.New("time edges must be below 2^30 days")
		}
	}
	return nil
}

// knox holds what the permutations share, read-only.
type knox struct {
	opt Options
	n   int
	t   []int32 // day numbers, in the cell-sorted order of the events
	// order[k] is the input index of event k
	order []int32
	rows  int // finite distance rows + 1 ("more than")
	cols  int // finite time bands + 1 ("more than")
	// nbr[off[b*n+i]:off[b*n+i+1]] are the events j > i whose distance
	// from event i falls in finite distance row b.
	nbr []int32
	off []int
	// timeTotal[c] is the number of all pairs in time band c (any distance).
	timeTotal []int64
	maxT      int32   // the last finite time edge
	lut       []uint8 // time band of a signed difference d, |d| < maxT, at d+maxT-1 (nil if maxT is large)
	tEdges    []int32
}

func newKnox(x, y []float64, t []int32, opt Options) *knox {
	n := len(x)
	k := &knox{opt: opt, n: n}
	finiteRows := len(opt.SpaceEdges) - 1
	if opt.NRC {
		finiteRows++
	}
	k.rows = finiteRows + 1
	k.cols = len(opt.TimeEdges)
	k.tEdges = make([]int32, len(opt.TimeEdges))
	for i, e := range opt.TimeEdges {
		k.tEdges[i] = int32(e)
	}
	k.maxT = k.tEdges[len(k.tEdges)-1]
	if k.maxT <= 1<<15 && k.cols <= 255 {
		k.lut = make([]uint8, 2*k.maxT-1)
		for c := 0; c+1 < len(k.tEdges); c++ {
			for d := k.tEdges[c]; d < k.tEdges[c+1]; d++ {
				k.lut[k.maxT-1+d] = uint8(c)
				k.lut[k.maxT-1-d] = uint8(c)
			}
		}
	}
	k.timeTotal = timeTotals(t, k.tEdges)

	xs, ys := x, y
	if opt.NRC {
		xs, ys = make([]float64, n), make([]float64, n)
		for i := range x {
			xs[i], ys[i] = float64(float32(x[i])), float64(float32(y[i]))
		}
	}
	k.order, k.nbr, k.off = closePairs(xs, ys, opt.SpaceEdges, opt.Metric, opt.NRC, finiteRows)
	k.t = make([]int32, n)
	for i, o := range k.order {
		k.t[i] = t[o]
	}
	return k
}

// timeTotals counts all n(n-1)/2 pairs per time band from the sorted days,
// without enumerating pairs: below(e) is the number of pairs less than e
// days apart, by two pointers.
func timeTotals(t []int32, edges []int32) []int64 {
	s := append([]int32(nil), t...)
	slices.Sort(s)
	below := func(e int32) int64 {
		if e <= 0 {
			return 0
		}
		var c int64
		j := 0
		for i := range s {
			for int64(s[i])-int64(s[j]) >= int64(e) {
				j++
			}
			c += int64(i - j)
		}
		return c
	}
	n := int64(len(t))
	out := make([]int64, len(edges))
	prev := int64(0)
	for c := 1; c < len(edges); c++ {
		b := below(edges[c])
		out[c-1] = b - prev
		prev = b
	}
	out[len(edges)-1] = n*(n-1)/2 - prev
	return out
}

// count fills tab (rows×cols) with the pair counts when event i has day t[i].
func (k *knox) count(t []int32, tab []int64) {
	clear(tab)
	n, cols := k.n, k.cols
	t = t[:n]
	for b := 0; b+1 < k.rows; b++ {
		row := tab[b*cols : (b+1)*cols]
		off := k.off[b*n : (b+1)*n+1]
		if k.lut != nil {
			// lut covers signed differences -maxT < d < maxT at d+maxT-1: one
			// unsigned compare, no data-dependent branch on the sign
			lut, shift := k.lut, k.maxT-1
			for i := 0; i < n; i++ {
				ti := t[i] + shift
				for _, j := range k.nbr[off[i]:off[i+1]] {
					if u := uint32(ti - t[j]); u < uint32(len(lut)) {
						row[lut[u]]++
					}
				}
			}
		} else {
			for i := 0; i < n; i++ {
				ti := t[i]
				for _, j := range k.nbr[off[i]:off[i+1]] {
					d := ti - t[j]
					m := d >> 31
					d = (d ^ m) - m
					if d < k.maxT {
						c := sort.Search(len(k.tEdges), func(e int) bool { return k.tEdges[e] > d }) - 1
						row[c]++
					}
				}
			}
		}
	}
	k.complete(tab)
}

// lanes is the number of permutations counted together in one pass over
// the neighbour lists (their days interleaved: one cache line holds the
// days of an event in all of them).
const lanes = 4

// countLanes counts lanes permutations at once: tt[lanes*i+q] is the day
// of event i in permutation q; tabs[q] receives its table. Only with a
// lookup table (k.lut != nil).
func (k *knox) countLanes(tt []int32, fin []int64, tabs *[lanes][]int64) {
	clear(fin)
	n, cols := k.n, k.cols
	tt = tt[:lanes*n]
	lut, shift := k.lut, k.maxT-1
	span := uint32(len(lut))
	for b := 0; b+1 < k.rows; b++ {
		// fin[(c*lanes)+q] counts time band c of permutation q
		row := fin[b*cols*lanes : (b+1)*cols*lanes]
		off := k.off[b*n : (b+1)*n+1]
		for i := 0; i < n; i++ {
			ti := tt[lanes*i : lanes*i+lanes : lanes*i+lanes]
			t0, t1, t2, t3 := ti[0]+shift, ti[1]+shift, ti[2]+shift, ti[3]+shift
			for _, j := range k.nbr[off[i]:off[i+1]] {
				tj := tt[lanes*int(j) : lanes*int(j)+lanes : lanes*int(j)+lanes]
				if u := uint32(t0 - tj[0]); u < span {
					row[int(lut[u])*lanes]++
				}
				if u := uint32(t1 - tj[1]); u < span {
					row[int(lut[u])*lanes+1]++
				}
				if u := uint32(t2 - tj[2]); u < span {
					row[int(lut[u])*lanes+2]++
				}
				if u := uint32(t3 - tj[3]); u < span {
					row[int(lut[u])*lanes+3]++
				}
			}
		}
	}
	for q := range tabs {
		tab := tabs[q]
		clear(tab)
		for b := 0; b+1 < k.rows; b++ {
			for c := 0; c+1 < cols; c++ {
				tab[b*cols+c] = fin[(b*cols+c)*lanes+q]
			}
		}
		k.complete(tab)
	}
}

// complete fills the "more than" cells of a table whose finite cells are
// counted: the last column of a finite row is its number of close pairs
// minus its finite cells; the last row is all the pairs of each time band
// minus the finite rows.
func (k *knox) complete(tab []int64) {
	n, cols := k.n, k.cols
	last := cols - 1
	for b := 0; b+1 < k.rows; b++ {
		row := tab[b*cols : (b+1)*cols]
		v := int64(k.off[(b+1)*n] - k.off[b*n])
		for c := 0; c < last; c++ {
			v -= row[c]
		}
		row[last] = v
	}
	mr := tab[(k.rows-1)*cols:]
	for c := 0; c < cols; c++ {
		v := k.timeTotal[c]
		for b := 0; b+1 < k.rows; b++ {
			v -= tab[b*cols+c]
		}
		mr[c] = v
	}
}

func (k *knox) result(obs []int64) *Result {
	n := int64(k.n)
	r := &Result{
		SpaceBands: spaceBands(k.opt.SpaceEdges, k.opt.NRC),
		TimeBands:  timeBands(k.opt.TimeEdges, k.opt.NRC),
		N:          k.n,
		Pairs:      n * (n - 1) / 2,
		ClosePairs: int64(len(k.nbr)),
		Iterations: k.opt.Iterations,
		Seed:       k.opt.Seed,
		Metric:     k.opt.Metric,
		NRC:        k.opt.NRC,
	}
	r.Observed = grid[int64](k.rows, k.cols)
	for b := range r.Observed {
		copy(r.Observed[b], obs[b*k.cols:])
	}
	r.Expected = grid[float64](k.rows, k.cols)
	r.KnoxRatio = grid[float64](k.rows, k.cols)
	r.PValue = grid[float64](k.rows, k.cols)
	r.SimMin = grid[int64](k.rows, k.cols)
	r.SimMax = grid[int64](k.rows, k.cols)
	return r
}

func grid[T any](rows, cols int) [][]T {
	flat := make([]T, rows*cols)
	out := make([][]T, rows)
	for i := range out {
		out[i] = flat[i*cols : (i+1)*cols : (i+1)*cols]
	}
	return out
}

// simulate runs the permutations on all workers and fills Expected,
// KnoxRatio, PValue, SimMin and SimMax.
func (k *knox) simulate(ctx context.Context, obs []int64, res *Result) error {
	iters := k.opt.Iterations
	workers := k.opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, iters))
	cells := k.rows * k.cols
	type acc struct {
		sum, ge, lo, hi []int64
		err             error
	}
	accs := make([]acc, workers)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range accs {
		a := &accs[w]
		a.sum, a.ge = make([]int64, cells), make([]int64, cells)
		a.lo, a.hi = make([]int64, cells), make([]int64, cells)
		for c := range a.lo {
			a.lo[c], a.hi[c] = math.MaxInt64, math.MinInt64
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			add := func(tab []int64) {
				for c, v := range tab {
					a.sum[c] += v
					if v >= obs[c] {
						a.ge[c]++
					}
					a.lo[c] = min(a.lo[c], v)
					a.hi[c] = max(a.hi[c], v)
				}
			}
			if k.lut == nil {
				tp, tab := make([]int32, k.n), make([]int64, cells)
				for {
					it := int(next.Add(1) - 1)
					if it >= iters {
						return
					}
					if err := ctx.Err(); err != nil {
						a.err = err
						return
					}
					copy(tp, k.t)
					shuffle(tp, 1, k.opt.Seed, uint64(it))
					k.count(tp, tab)
					add(tab)
				}
			}
			// batches of lanes permutations; a batch is the iterations
			// lanes*m .. lanes*m+lanes-1, each shuffled with its own seed
			tt := make([]int32, lanes*k.n)
			fin := make([]int64, lanes*cells)
			var tabs [lanes][]int64
			for q := range tabs {
				tabs[q] = make([]int64, cells)
			}
			for {
				first := int(next.Add(lanes) - lanes)
				if first >= iters {
					return
				}
				if err := ctx.Err(); err != nil {
					a.err = err
					return
				}
				for i, d := range k.t {
					for q := 0; q < lanes; q++ {
						tt[lanes*i+q] = d
					}
				}
				for q := 0; q < lanes && first+q < iters; q++ {
					shuffle(tt[q:], lanes, k.opt.Seed, uint64(first+q))
				}
				k.countLanes(tt, fin, &tabs)
				for q := 0; q < lanes && first+q < iters; q++ {
					add(tabs[q])
				}
			}
		}()
	}
	wg.Wait()
	for _, a := range accs {
		if a.err != nil {
			return a.err
		}
	}
	for b := 0; b < k.rows; b++ {
		for c := 0; c < k.cols; c++ {
			i := b*k.cols + c
			var sum, ge int64
			lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
			for _, a := range accs {
				sum += a.sum[i]
				ge += a.ge[i]
				lo, hi = min(lo, a.lo[i]), max(hi, a.hi[i])
			}
			e := float64(sum) / float64(iters)
			res.Expected[b][c] = e
			res.PValue[b][c] = float64(1+ge) / float64(iters+1)
			res.SimMin[b][c], res.SimMax[b][c] = lo, hi
			if e > 0 {
				res.KnoxRatio[b][c] = float64(obs[i]) / e
			} else {
				res.KnoxRatio[b][c] = math.NaN()
			}
		}
	}
	return nil
}
