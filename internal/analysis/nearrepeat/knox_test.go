package nearrepeat

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// bruteTable classifies every pair directly (O(n²)): the definition the
// fast method must agree with.
func bruteTable(x, y []float64, t []int32, opt Options) [][]int64 {
	sb := spaceBands(opt.SpaceEdges, opt.NRC)
	tb := timeBands(opt.TimeEdges, opt.NRC)
	out := grid[int64](len(sb), len(tb))
	for i := range x {
		for j := i + 1; j < len(x); j++ {
			xi, yi, xj, yj := x[i], y[i], x[j], y[j]
			if opt.NRC {
				xi, yi = float64(float32(xi)), float64(float32(yi))
				xj, yj = float64(float32(xj)), float64(float32(yj))
			}
			var d float64
			if opt.Metric == Manhattan {
				d = math.Abs(xi-xj) + math.Abs(yi-yj)
			} else {
				d = math.Sqrt((xi-xj)*(xi-xj) + (yi-yj)*(yi-yj))
			}
			r := -1
			for k, b := range sb {
				switch {
				case b.SameLocation:
					if d == 0 {
						r = k
					}
				case b.MinExclusive:
					if d > b.Min && d < b.Max {
						r = k
					}
				default:
					if d >= b.Min && d < b.Max {
						r = k
					}
				}
				if r >= 0 {
					break
				}
			}
			dt := math.Abs(float64(t[i]) - float64(t[j]))
			c := -1
			for k, b := range tb {
				if dt >= b.Min && dt < b.Max {
					c = k
					break
				}
			}
			out[r][c]++
		}
	}
	return out
}

// sample draws n events with awkward features: coordinates on a 10 m
// lattice (distances exactly on the band edges), repeated locations,
// same-day events and a spread of times beyond the last time edge.
func sample(n int, seed uint64) (x, y, days []float64) {
	r := rand.New(rand.NewPCG(seed, 1))
	for i := 0; i < n; i++ {
		if i > 0 && r.IntN(8) == 0 { // a repeat at a known location
			k := r.IntN(i)
			x, y = append(x, x[k]), append(y, y[k])
		} else {
			x = append(x, 1000+10*float64(r.IntN(120)))
			y = append(y, -500+10*float64(r.IntN(90)))
		}
		days = append(days, float64(r.IntN(60))+r.Float64()*0.99)
	}
	return x, y, days
}

func TestObservedMatchesBruteForce(t *testing.T) {
	x, y, d := sample(700, 3)
	ti := make([]int32, len(d))
	for i := range d {
		ti[i] = int32(math.Floor(d[i]))
	}
	for _, opt := range []Options{
		{SpaceEdges: []float64{0, 100, 200, 300}, TimeEdges: []int{0, 2, 4}, Metric: Euclidean},
		{SpaceEdges: []float64{0, 100, 200, 300}, TimeEdges: []int{0, 2, 4}, Metric: Manhattan},
		{SpaceEdges: []float64{0, 50, 120}, TimeEdges: []int{0, 1, 2, 3, 7}, Metric: Manhattan, NRC: true},
		{SpaceEdges: []float64{0, 30}, TimeEdges: []int{0, 7}, Metric: Euclidean, NRC: true},
		{SpaceEdges: []float64{0, 5000}, TimeEdges: []int{0, 40000}, Metric: Euclidean},              // every pair is close; large time lookup
		{SpaceEdges: []float64{0, 10, 20}, TimeEdges: []int{0, 1 << 16, 1 << 17}, Metric: Euclidean}, // no lookup table
	} {
		res, err := Knox(context.Background(), x, y, d, opt)
		if err != nil {
			t.Fatal(err)
		}
		want := bruteTable(x, y, ti, opt)
		if !reflect.DeepEqual(res.Observed, want) {
			t.Errorf("%+v:\n got %v\nwant %v", opt, res.Observed, want)
		}
	}
}

// TestPermutedCountsMatchBruteForce: a permutation's table, recounted from
// the close pairs and the time totals, equals the brute force on the
// permuted times.
func TestPermutedCountsMatchBruteForce(t *testing.T) {
	x, y, d := sample(500, 5)
	ti := make([]int32, len(d))
	for i := range d {
		ti[i] = int32(math.Floor(d[i]))
	}
	opt := Options{SpaceEdges: []float64{0, 100, 250}, TimeEdges: []int{0, 3, 10}, Metric: Euclidean, NRC: true}
	k := newKnox(x, y, ti, opt)
	tp := slices.Clone(k.t)
	for it := uint64(0); it < 5; it++ {
		copy(tp, k.t)
		shuffle(tp, 1, 11, it)
		tab := make([]int64, k.rows*k.cols)
		k.count(tp, tab)
		xs, ys := make([]float64, len(x)), make([]float64, len(x))
		for i, o := range k.order {
			xs[i], ys[i] = x[o], y[o]
		}
		want := bruteTable(xs, ys, tp, opt)
		for b := range want {
			if !slices.Equal(tab[b*k.cols:(b+1)*k.cols], want[b]) {
				t.Fatalf("iteration %d row %d: %v, brute force %v", it, b, tab[b*k.cols:(b+1)*k.cols], want[b])
			}
		}
	}
}

func TestTimeTotals(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	ts := make([]int32, 300)
	for i := range ts {
		ts[i] = int32(r.IntN(40)) - 10
	}
	edges := []int32{0, 1, 3, 8}
	got := timeTotals(ts, edges)
	want := make([]int64, len(edges))
	for i := range ts {
		for j := i + 1; j < len(ts); j++ {
			d := ts[i] - ts[j]
			if d < 0 {
				d = -d
			}
			c := len(edges) - 1
			for k := 0; k+1 < len(edges); k++ {
				if d >= edges[k] && d < edges[k+1] {
					c = k
				}
			}
			want[c]++
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v want %v", got, want)
	}
}

// TestDeterministicAcrossWorkers: the same seed gives the same result
// whatever the number of goroutines; another seed gives other simulations.
func TestDeterministicAcrossWorkers(t *testing.T) {
	x, y, d := sample(400, 9)
	opt := Options{SpaceEdges: []float64{0, 100, 200}, TimeEdges: []int{0, 2, 4}, Metric: Manhattan, Iterations: 99, Seed: 42}
	var first *Result
	for _, w := range []int{1, 2, 3, 8} {
		opt.Workers = w
		res, err := Knox(context.Background(), x, y, d, opt)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = res
			continue
		}
		if !reflect.DeepEqual(res.Expected, first.Expected) || !reflect.DeepEqual(res.PValue, first.PValue) || !reflect.DeepEqual(res.SimMin, first.SimMin) {
			t.Fatalf("workers=%d differs from workers=1", w)
		}
	}
	opt.Seed = 43
	other, _ := Knox(context.Background(), x, y, d, opt)
	if reflect.DeepEqual(other.Expected, first.Expected) {
		t.Fatal("seed 43 gives the same simulations as seed 42")
	}
	if !reflect.DeepEqual(other.Observed, first.Observed) {
		t.Fatal("the observed table depends on the seed")
	}
}

// TestNullInvariants: every permutation holds all n(n-1)/2 pairs and the
// same number per time band, so the expected table has the observed
// margins of the time bands, and p-values lie in [1/(N+1), 1].
func TestNullInvariants(t *testing.T) {
	x, y, d := sample(600, 13)
	res, err := Knox(context.Background(), x, y, d, Options{SpaceEdges: []float64{0, 100, 200}, TimeEdges: []int{0, 5, 10}, Metric: Euclidean, Iterations: 49, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	n := int64(len(x))
	if res.Pairs != n*(n-1)/2 {
		t.Fatalf("pairs %d", res.Pairs)
	}
	for c := range res.TimeBands {
		var o int64
		var e float64
		for b := range res.SpaceBands {
			o += res.Observed[b][c]
			e += res.Expected[b][c]
		}
		if math.Abs(float64(o)-e) > 1e-6 {
			t.Errorf("time band %d: observed %d pairs, expected %v", c, o, e)
		}
	}
	for b := range res.PValue {
		for c, p := range res.PValue[b] {
			if p < 1/50.0 || p > 1 {
				t.Errorf("p[%d][%d] = %v", b, c, p)
			}
			if res.SimMin[b][c] > res.SimMax[b][c] || float64(res.SimMin[b][c]) > res.Expected[b][c] || float64(res.SimMax[b][c]) < res.Expected[b][c] {
				t.Errorf("cell %d,%d: min %d, mean %v, max %d", b, c, res.SimMin[b][c], res.Expected[b][c], res.SimMax[b][c])
			}
		}
	}
}

// TestKnoxRatioUndefined: a cell that no permutation fills has expected 0
// and an undefined (NaN) ratio, never Inf.
func TestKnoxRatioUndefined(t *testing.T) {
	// two events at the same place and day: the same-location row holds the
	// only pair whatever the permutation; no pair is 1-9 m apart
	x, y, d := []float64{0, 0, 5000}, []float64{0, 0, 0}, []float64{0, 0, 300}
	res, err := Knox(context.Background(), x, y, d, Options{SpaceEdges: []float64{0, 10}, TimeEdges: []int{0, 1}, Metric: Euclidean, NRC: true, Iterations: 19, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.Expected[1][0] != 0 || !math.IsNaN(res.KnoxRatio[1][0]) {
		t.Fatalf("expected %v ratio %v", res.Expected[1][0], res.KnoxRatio[1][0])
	}
	for b := range res.KnoxRatio {
		for c, v := range res.KnoxRatio[b] {
			if math.IsInf(v, 0) {
				t.Errorf("ratio[%d][%d] is infinite", b, c)
			}
		}
	}
	// no iterations: the observed table only
	res, err = Knox(context.Background(), x, y, d, Options{SpaceEdges: []float64{0, 10}, TimeEdges: []int{0, 1}})
	if err != nil || !math.IsNaN(res.PValue[0][0]) || res.Observed[0][0] != 1 {
		t.Fatalf("%v %+v", err, res)
	}
}

func TestKnoxErrors(t *testing.T) {
	ok := Options{SpaceEdges: []float64{0, 100}, TimeEdges: []int{0, 7}}
	x, y, d := []float64{0, 1}, []float64{0, 1}, []float64{0, 1}
	for name, c := range map[string]struct {
		x, y, d []float64
		opt     Options
	}{
		"lengths":     {x, y, d[:1], ok},
		"one event":   {x[:1], y[:1], d[:1], ok},
		"space start": {x, y, d, Options{SpaceEdges: []float64{10, 100}, TimeEdges: []int{0, 7}}},
		"space order": {x, y, d, Options{SpaceEdges: []float64{0, 100, 100}, TimeEdges: []int{0, 7}}},
		"space one":   {x, y, d, Options{SpaceEdges: []float64{0}, TimeEdges: []int{0, 7}}},
		"time start":  {x, y, d, Options{SpaceEdges: []float64{0, 100}, TimeEdges: []int{1, 7}}},
		"time order":  {x, y, d, Options{SpaceEdges: []float64{0, 100}, TimeEdges: []int{0, 7, 3}}},
		"nan":         {[]float64{0, math.NaN()}, y, d, ok},
		"time nan":    {x, y, []float64{0, math.NaN()}, ok},
		"iterations":  {x, y, d, Options{SpaceEdges: []float64{0, 100}, TimeEdges: []int{0, 7}, Iterations: -1}},
		"metric":      {x, y, d, Options{SpaceEdges: []float64{0, 100}, TimeEdges: []int{0, 7}, Metric: 7}},
		"time span":   {x, y, []float64{-1 << 30, 1 << 30}, ok},
		"tiny bands":  {x, []float64{0, 1e300}, d, ok},
	} {
		if _, err := Knox(context.Background(), c.x, c.y, c.d, c.opt); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	xs, ys, ds := sample(200, 1)
	if _, err := Knox(ctx, xs, ys, ds, Options{SpaceEdges: []float64{0, 100}, TimeEdges: []int{0, 7}, Iterations: 99}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if m, err := ParseMetric("manhattan"); err != nil || m != Manhattan || m.String() != "manhattan" {
		t.Error("ParseMetric manhattan")
	}
	if _, err := ParseMetric("chebyshev"); err == nil {
		t.Error("ParseMetric accepts chebyshev")
	}
}

func TestLabels(t *testing.T) {
	got := func(bs []Band) string {
		var s []string
		for _, b := range bs {
			s = append(s, b.Label)
		}
		return strings.Join(s, "|")
	}
	for _, c := range []struct{ got, want string }{
		{got(spaceBands([]float64{0, 100, 200, 300}, false)), "0-100 m|100-200 m|200-300 m|300 m or more"},
		{got(spaceBands([]float64{0, 200, 400, 600}, true)), "Same location|1 to 200|201 to 400|401 to 600|More than 600"},
		{got(timeBands([]int{0, 2, 4}, false)), "0-1 days|2-3 days|4 days or more"},
		{got(timeBands([]int{0, 1, 2, 3}, false)), "0 days|1 day|2 days|3 days or more"},
		{got(timeBands([]int{0, 1, 2, 3}, true)), "0 to 1|2 to 2|3 to 3|More than 3"},
		{got(timeBands([]int{0, 7, 14, 21}, true)), "0 to 7|8 to 14|15 to 21|More than 21"},
	} {
		if c.got != c.want {
			t.Errorf("labels %q, want %q", c.got, c.want)
		}
	}
}

// TestLanesMatchOneByOne: counting permutations four at a time (days
// interleaved) gives the same tables as counting them one by one.
func TestLanesMatchOneByOne(t *testing.T) {
	x, y, d := sample(500, 21)
	ti := make([]int32, len(d))
	for i := range d {
		ti[i] = int32(math.Floor(d[i]))
	}
	opt := Options{SpaceEdges: []float64{0, 100, 250}, TimeEdges: []int{0, 3, 10}, Metric: Manhattan, NRC: true, Iterations: 11, Seed: 8}
	res, err := Knox(context.Background(), x, y, d, opt)
	if err != nil {
		t.Fatal(err)
	}
	k := newKnox(x, y, ti, opt)
	if k.lut == nil {
		t.Fatal("no lookup table: the lanes are not used")
	}
	sum := make([]int64, k.rows*k.cols)
	tab := make([]int64, k.rows*k.cols)
	tp := make([]int32, k.n)
	for it := 0; it < opt.Iterations; it++ {
		copy(tp, k.t)
		shuffle(tp, 1, opt.Seed, uint64(it))
		k.count(tp, tab)
		for c, v := range tab {
			sum[c] += v
		}
	}
	for b := range res.Expected {
		for c, e := range res.Expected[b] {
			if want := float64(sum[b*k.cols+c]) / float64(opt.Iterations); e != want {
				t.Errorf("cell %d,%d: %v with lanes, %v one by one", b, c, e, want)
			}
		}
	}
}

func TestKnoxRefusesDegreesAndMonths(t *testing.T) {
	x := []float64{-87.70, -87.69, -87.60, -87.65}
	y := []float64{41.80, 41.81, 41.90, 41.85}
	days := []float64{0, 1, 5, 9}
	_, err := Knox(context.Background(), x, y, days, Options{SpaceEdges: []float64{0, 100, 200}, TimeEdges: []int{0, 7}})
	if err == nil || !strings.Contains(err.Error(), "longitude/latitude") {
		t.Errorf("degrees: %v", err)
	}
	x = []float64{0, 50, 400, 900}
	_, err = Knox(context.Background(), x, y, days, Options{SpaceEdges: []float64{0, 100, 200}, TimeEdges: []int{0, 7}, Resolution: "month"})
	if err == nil || !strings.Contains(err.Error(), "only to the month") {
		t.Errorf("month: %v", err)
	}
}
