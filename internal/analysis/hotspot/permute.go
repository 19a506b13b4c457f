package hotspot

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// Conditional permutation (Anselin 1995): for observation i, its value stays
// put and its k neighbours' values are replaced by k values drawn without
// replacement from the other n-1 observations, many times. Every local
// statistic here is an increasing or decreasing affine function of the
// neighbours' (weighted) sum S, so the engine works on S alone: it counts the
// draws with S >= S_obs and S <= S_obs, and accumulates Σ S and Σ S² for the
// mean and spread of the simulated statistics.
//
// Each observation has its own random stream, seeded from (seed, i), so the
// results do not depend on how observations are spread over goroutines.

// permCounts is the engine's result for one observation.
type permCounts struct {
	geq, leq   int32   // draws with S >= S_obs, S <= S_obs
	sum, sumSq float64 // Σ S, Σ S² over the draws
	scale      float64 // weighted S = scale × S (uniform rows sum raw values)
	obs        float64 // S_obs, in the same units as the draws
}

// splitmix64 is a 64-bit finaliser (Steele, Lea & Flood 2014) used to derive
// well-separated per-observation seeds.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// bits32 hands out 32-bit random words, two per PCG output.
type bits32 struct {
	src  *rand.PCG
	buf  uint64
	have bool
}

func (b *bits32) next() uint32 {
	if b.have {
		b.have = false
		return uint32(b.buf >> 32)
	}
	b.buf = b.src.Uint64()
	b.have = true
	return uint32(b.buf)
}

// below returns a uniform integer in [0, m), 0 < m < 2³², by Lemire's
// multiply-and-reject method (exact, no modulo bias).
func (b *bits32) below(m uint32) uint32 {
	prod := uint64(b.next()) * uint64(m)
	if low := uint32(prod); low < m {
		thresh := -m % m
		for low < thresh {
			prod = uint64(b.next()) * uint64(m)
			low = uint32(prod)
		}
	}
	return uint32(prod >> 32)
}

// permWorker holds one goroutine's scratch space.
type permWorker struct {
	rng   bits32
	rngB  *rand.PCG // second stream of the split sampler
	drawn []uint32
	perm  []uint32 // identity permutation of 0..n-2, for partial Fisher-Yates
	swaps []uint32
	// v32 is the values as float32 when that is exact (counts): half the
	// memory traffic of the random gathers, with sums still exact in float64.
	v32 []float32
	sp  *split
}

// split is the two-group form of the values used by splitFast: the mode
// value a0 (0 for sparse counts) and the other values B, compact.
type split struct {
	a0   float64
	b    []float64 // the values != a0
	posB []int32   // position of observation i in b, or -1
	// cdf[k][inB] is the hypergeometric CDF of the number of draws falling
	// in B when k of the other n-1 values are drawn without replacement
	// (|B| - inB of them are in B); entries from min(|B| - inB, k) on are
	// exactly 1, so a uniform in [0, 1) never asks for more draws from B than
	// B holds.
	cdf [][2][]float64
	cut [][2][]uint64 // ⌈cdf·2³²⌉
	// min and max of all the values
	min, max float64
}

const maxSplitK = 32

// newSplit returns the split of v when its most common value holds at least
// a quarter of the observations, else nil.
func newSplit(v []float64, maxK int) *split {
	if len(v) < 64 || maxK > maxSplitK {
		return nil
	}
	sorted := slices.Clone(v)
	slices.Sort(sorted)
	best, bestRun, run := sorted[0], 0, 0
	for i := range sorted {
		if i > 0 && sorted[i] == sorted[i-1] {
			run++
		} else {
			run = 1
		}
		if run > bestRun {
			best, bestRun = sorted[i], run
		}
	}
	if 4*bestRun < len(v) {
		return nil
	}
	sp := &split{a0: best, posB: make([]int32, len(v)), min: sorted[0], max: sorted[len(sorted)-1]}
	for i, x := range v {
		sp.posB[i] = -1
		if x != best {
			sp.posB[i] = int32(len(sp.b))
			sp.b = append(sp.b, x)
		}
	}
	M := len(v) - 1
	sp.cdf = make([][2][]float64, maxK+1)
	sp.cut = make([][2][]uint64, maxK+1)
	for k := 1; k <= maxK; k++ {
		for inB := 0; inB < 2; inB++ {
			cdf := hypergeomCDF(M, len(sp.b)-inB, k)
			sp.cdf[k][inB] = cdf
			cut := make([]uint64, len(cdf))
			for h, c := range cdf {
				cut[h] = min(uint64(math.Ceil(c*0x1p32)), 1<<32)
			}
			sp.cut[k][inB] = cut
		}
	}
	return sp
}

// hypergeomCDF is P(H <= h), h = 0..k, for H the number of successes in k
// draws without replacement from M items of which K are successes.
func hypergeomCDF(M, K, k int) []float64 {
	lchoose := func(a, b int) float64 {
		if b < 0 || b > a {
			return math.Inf(-1)
		}
		x, _ := math.Lgamma(float64(a + 1))
		y, _ := math.Lgamma(float64(b + 1))
		z, _ := math.Lgamma(float64(a - b + 1))
		return x - y - z
	}
	cdf := make([]float64, k+1)
	total := lchoose(M, k)
	acc := 0.0
	for h := 0; h <= k; h++ {
		acc += math.Exp(lchoose(K, h) + lchoose(M-K, k-h) - total)
		cdf[h] = acc
		if h >= K { // no more than K successes: the CDF is exactly 1 from here
			cdf[h] = 1
		}
	}
	cdf[k] = 1
	return cdf
}

// splitFast draws k of the other n-1 values without replacement in two exact
// stages: the number h that fall among the values != a0 (hypergeometric, by
// inverting its CDF with one uniform), then which h of those (distinct, by
// rejection). The k-h others all equal a0. For sparse counts (a0 = 0) this
// touches 1.5 values per permutation instead of 8 on a queen grid with 19 %
// non-empty cells, with the same distribution of the neighbours' sum.
func (pw *permWorker) splitFast(drawn []uint32, i int, obs float64, permutations int, moments bool) (geq, leq int32, sum, sumSq float64) {
	sp := pw.sp
	k := len(drawn)
	inB := 0
	pi := sp.posB[i]
	if pi >= 0 {
		inB = 1
	}
	mb := uint32(len(sp.b) - inB)
	thresh := uint32(0)
	if mb > 0 {
		thresh = -mb % mb
	}
	skip := uint32(pi) // only used when inB == 1
	b := sp.b
	a0 := sp.a0
	// Two streams: h from the first, the indices into B from the second, so
	// the p-values do not depend on whether the moments are computed.
	srcH, srcB := pw.rng.src, pw.rngB
	bufH, haveH := uint64(0), false
	bufB, haveB := uint64(0), false
	// With a0 the smallest value and every neighbour at a0, the observed sum
	// is the smallest possible: every draw is >= it, and equal to it exactly
	// when h = 0 (symmetrically for the largest). Then the counts need only
	// h, and the values of B are drawn only for the moments.
	extreme := 0
	if obs == float64(k)*a0 {
		if a0 == sp.min {
			extreme = -1
		} else if a0 == sp.max {
			extreme = 1
		}
	}
	drawB := moments || extreme == 0
	// Branch-light: h is counted against the whole CDF (no early exit to
	// mispredict), from 32 random bits compared with the CDF scaled to 2³²
	// (a quantisation of at most 2⁻³² per outcome), and the tail counts are
	// added without branches.
	cut := sp.cut[k][inB][:k]
	zeros := int32(0)
	for range permutations {
		var u uint32
		if haveH {
			u, haveH = uint32(bufH>>32), false
		} else {
			bufH, haveH = srcH.Uint64(), true
			u = uint32(bufH)
		}
		h := 0
		for _, c := range cut {
			if uint64(u) >= c {
				h++
			}
		}
		if h == 0 {
			zeros++
		}
		if !drawB {
			continue
		}
		s := 0.0
		for t := 0; t < h; {
			var x uint32
			if haveB {
				x, haveB = uint32(bufB>>32), false
			} else {
				bufB, haveB = srcB.Uint64(), true
				x = uint32(bufB)
			}
			prod := uint64(x) * uint64(mb)
			if uint32(prod) < thresh {
				continue
			}
			c := uint32(prod >> 32)
			dup := false
			for _, d := range drawn[:t] {
				dup = dup || d == c
			}
			if dup {
				continue
			}
			drawn[t] = c
			t++
			if inB == 1 && c >= skip {
				c++
			}
			s += b[c]
		}
		if a0 != 0 {
			s += float64(k-h) * a0
		}
		var ge, le int32
		if s >= obs {
			ge = 1
		}
		if s <= obs {
			le = 1
		}
		geq += ge
		leq += le
		sum += s
		sumSq += s * s
	}
	switch extreme {
	case -1:
		geq, leq = int32(permutations), zeros
	case 1:
		geq, leq = zeros, int32(permutations)
	}
	return
}

// uniformFast is the hot loop for rows of equal weights with k small
// against n: k distinct candidates by rejection, each from 32 random bits
// (Lemire's method with the threshold computed once), values summed raw.
// It draws exactly the same candidates as the general loop.
func (pw *permWorker) uniformFast(drawn []uint32, m, ui uint32, obs float64, permutations int) (geq, leq int32, sum, sumSq float64) {
	k := len(drawn)
	v := pw.v32
	src := pw.rng.src
	thresh := -m % m
	buf, have := pw.rng.buf, pw.rng.have
	for range permutations {
		s := 0.0
		for t := 0; t < k; {
			var x uint32
			if have {
				x, have = uint32(buf>>32), false
			} else {
				buf, have = src.Uint64(), true
				x = uint32(buf)
			}
			prod := uint64(x) * uint64(m)
			if uint32(prod) < thresh {
				continue
			}
			c := uint32(prod >> 32)
			dup := false
			for _, d := range drawn[:t] {
				dup = dup || d == c
			}
			if dup {
				continue
			}
			drawn[t] = c
			t++
			if c >= ui {
				c++
			}
			s += float64(v[c])
		}
		if s >= obs {
			geq++
		}
		if s <= obs {
			leq++
		}
		sum += s
		sumSq += s * s
	}
	pw.rng.buf, pw.rng.have = buf, have
	return
}

// conditionalPermutations runs the engine over all observations of w with
// values v. Observations without neighbours get geq = leq = -1.
//
// Without moments, the sums of the draws may be left unset (the p-values are
// the same either way).
func conditionalPermutations(v []float64, w *Weights, permutations int, seed uint64, moments bool) []permCounts {
	n := w.N
	out := make([]permCounts, n)
	if permutations <= 0 || n < 2 {
		return out
	}
	workers := min(runtime.GOMAXPROCS(0), max(1, n/64))
	v32 := make([]float32, len(v))
	for i, x := range v {
		v32[i] = float32(x)
		if float64(v32[i]) != x {
			v32 = nil
			break
		}
	}
	const chunk = 256
	sp := newSplit(v, w.MaxCardinality())
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pw := &permWorker{rng: bits32{src: rand.NewPCG(0, 0)}, rngB: rand.NewPCG(0, 0), v32: v32, sp: sp}
			for {
				start := int(next.Add(chunk)) - chunk
				if start >= n {
					return
				}
				for i := start; i < min(start+chunk, n); i++ {
					out[i] = pw.observation(v, w, i, permutations, seed, moments)
				}
			}
		}()
	}
	wg.Wait()
	return out
}

func (pw *permWorker) observation(v []float64, w *Weights, i, permutations int, seed uint64, moments bool) permCounts {
	lo, hi := w.Offsets[i], w.Offsets[i+1]
	k := hi - lo
	if k == 0 {
		return permCounts{geq: -1, leq: -1, scale: 1}
	}
	idx, wts := w.Index[lo:hi], w.Values[lo:hi]
	uniform := true
	for _, x := range wts[1:] {
		if x != wts[0] {
			uniform = false
			break
		}
	}
	res := permCounts{scale: 1}
	if uniform {
		res.scale = wts[0]
		for _, j := range idx {
			res.obs += v[j]
		}
	} else {
		for m, j := range idx {
			res.obs += wts[m] * v[j]
		}
	}
	pw.rng.src.Seed(splitmix64(seed^splitmix64(uint64(2*i))), splitmix64(seed+splitmix64(uint64(2*i+1))))
	pw.rng.have = false
	if pw.rngB != nil {
		pw.rngB.Seed(splitmix64(^seed^splitmix64(uint64(2*i+1))), splitmix64(^seed+splitmix64(uint64(2*i))))
	}
	m := uint32(len(v) - 1) // candidates: everyone but i
	ui := uint32(i)
	if cap(pw.drawn) < k {
		pw.drawn = make([]uint32, k)
	}
	drawn := pw.drawn[:k]
	fisherYates := k > 32 || uint32(4*k) > m
	if fisherYates && len(pw.perm) != int(m) {
		pw.perm = make([]uint32, m)
		for c := range pw.perm {
			pw.perm[c] = uint32(c)
		}
		pw.swaps = make([]uint32, 0, k)
	}
	var geq, leq int32
	var sum, sumSq float64
	if uniform && pw.sp != nil && k <= maxSplitK {
		geq, leq, sum, sumSq = pw.splitFast(drawn, i, res.obs, permutations, moments)
	} else if !fisherYates && uniform && pw.v32 != nil {
		geq, leq, sum, sumSq = pw.uniformFast(drawn, m, ui, res.obs, permutations)
	} else {
		for range permutations {
			if fisherYates {
				pw.swaps = pw.swaps[:0]
				for t := 0; t < k; t++ {
					r := uint32(t) + pw.rng.below(m-uint32(t))
					pw.perm[t], pw.perm[r] = pw.perm[r], pw.perm[t]
					pw.swaps = append(pw.swaps, r)
					drawn[t] = pw.perm[t]
				}
				for t := k - 1; t >= 0; t-- { // restore the identity
					r := pw.swaps[t]
					pw.perm[t], pw.perm[r] = pw.perm[r], pw.perm[t]
				}
			} else {
				for t := 0; t < k; t++ {
				again:
					c := pw.rng.below(m)
					for _, d := range drawn[:t] {
						if d == c {
							goto again
						}
					}
					drawn[t] = c
				}
			}
			s := 0.0
			if uniform {
				for _, c := range drawn {
					if c >= ui {
						c++
					}
					s += v[c]
				}
			} else {
				for t, c := range drawn {
					if c >= ui {
						c++
					}
					s += wts[t] * v[c]
				}
			}
			if s >= res.obs {
				geq++
			}
			if s <= res.obs {
				leq++
			}
			sum += s
			sumSq += s * s
		}
	}
	res.geq, res.leq, res.sum, res.sumSq = geq, leq, sum, sumSq
	return res
}

// directedP is esda's legacy default ("directed", also called folded in its
// older code): with larger = #(simulated >= observed), take the smaller tail,
// min(larger, P - larger), and p = (tail + 1) / (P + 1). direction is the sign
// of d(statistic)/dS: +1, -1, or 0 when the statistic does not depend on the
// neighbours (every draw ties).
func directedP(c permCounts, direction int, permutations int) float64 {
	if c.geq < 0 {
		return math.NaN()
	}
	var larger int
	switch {
	case direction > 0:
		larger = int(c.geq)
	case direction < 0:
		larger = int(c.leq)
	default:
		larger = permutations
	}
	if permutations-larger < larger {
		larger = permutations - larger
	}
	return float64(larger+1) / float64(permutations+1)
}

// twoSidedP is a tie-aware two-sided pseudo p-value: twice the smaller of
// the upper tail (#(S >= S_obs)+1)/(P+1) and the lower tail
// (#(S <= S_obs)+1)/(P+1), capped at 1. Unlike the directed p-value it does
// not call an observation extreme when most draws tie with it (an empty cell
// among empty cells).
func twoSidedP(c permCounts, permutations int) float64 {
	if c.geq < 0 {
		return math.NaN()
	}
	return math.Min(1, 2*float64(min(c.geq, c.leq)+1)/float64(permutations+1))
}

// simMoments returns the mean and population standard deviation of the
// simulated statistics a·S + b.
func simMoments(c permCounts, a, b float64, permutations int) (mean, sd float64) {
	if c.geq < 0 {
		return math.NaN(), math.NaN()
	}
	p := float64(permutations)
	ms := c.sum / p
	vs := math.Max(c.sumSq/p-ms*ms, 0)
	return a*ms + b, math.Abs(a) * math.Sqrt(vs)
}
