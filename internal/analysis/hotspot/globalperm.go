package hotspot

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
)

// GlobalPermResult is permutation inference for a global statistic (global
// Moran's I or general G): the observed values are randomly permuted over
// the locations Permutations times and the statistic recomputed.
type GlobalPermResult struct {
	// Observed is the statistic on the data.
	Observed     float64 `json:"observed"`
	Permutations int     `json:"permutations"`
	Seed         uint64  `json:"seed"`
	// PSim is esda's folded pseudo p-value (min(L, P−L) + 1)/(P + 1), L the
	// number of permutations with a statistic ≥ the observed one: a one-
	// sided p-value in the direction of the observed deviation.
	PSim float64 `json:"p_sim"`
	// PSimTwoSided is 2·(min(#≥, #≤ observed) + 1)/(P + 1), capped at 1:
	// ties count on both sides.
	PSimTwoSided float64 `json:"p_sim_two_sided"`
	// Mean and SD (population, as numpy's std) of the simulated
	// statistics, Z = (Observed − Mean)/SD and its one-tailed normal
	// p-value (esda's EI_sim/EG_sim, seI_sim/seG_sim, z_sim, p_z_sim).
	Mean float64 `json:"mean"`
	SD   float64 `json:"sd"`
	Z    float64 `json:"z"`
	PZ   float64 `json:"p_z"`
}

// MoranPermutations is global Moran's I with permutation inference, as
// esda's Moran(permutations=P): I under P random permutations of y. Each
// permutation k has its own random stream seeded from (seed, k), so the
// result does not depend on the number of CPUs.
func MoranPermutations(ctx context.Context, y []float64, w *Weights, t Transform, permutations int, seed uint64) (*GlobalPermResult, error) {
	m, err := Moran(y, w, t)
	if err != nil {
		return nil, err
	}
	if permutations < 1 {
		return nil, inputErr("%d permutations: want at least 1 (99 or 999 are usual)", permutations)
	}
	tw := transformed(w, t)
	n := float64(w.N)
	mean := 0.0
	for _, v := range y {
		mean += v
	}
	mean /= n
	z := make([]float64, len(y))
	z2 := 0.0
	for i, v := range y {
		z[i] = v - mean
		z2 += z[i] * z[i]
	}
	s0, _, _ := tw.Moments()
	scale := n / s0 / z2
	stat := func(v []float64) float64 { return scale * quadForm(tw, v) }
	return permuteGlobal(ctx, z, m.I, permutations, seed, stat)
}

// GlobalGPermutations is Getis & Ord's general G with permutation inference,
// as esda's G(permutations=P) (binary weights).
func GlobalGPermutations(ctx context.Context, y []float64, w *Weights, permutations int, seed uint64) (*GlobalPermResult, error) {
	g, err := GlobalG(y, w)
	if err != nil {
		return nil, err
	}
	if permutations < 1 {
		return nil, inputErr("%d permutations: want at least 1 (99 or 999 are usual)", permutations)
	}
	b := w.Binary()
	var sy, sy2 float64
	for _, v := range y {
		sy += v
		sy2 += v * v
	}
	den := sy*sy - sy2 // invariant under permutation
	stat := func(v []float64) float64 { return quadForm(b, v) / den }
	return permuteGlobal(ctx, append([]float64(nil), y...), g.G, permutations, seed, stat)
}

// quadForm is Σ_i v_i Σ_j w_ij v_j.
func quadForm(w *Weights, v []float64) float64 {
	s := 0.0
	for i := 0; i < w.N; i++ {
		l := 0.0
		for k := w.Offsets[i]; k < w.Offsets[i+1]; k++ {
			l += w.Values[k] * v[w.Index[k]]
		}
		s += v[i] * l
	}
	return s
}

func permuteGlobal(ctx context.Context, v []float64, obs float64, P int, seed uint64, stat func([]float64) float64) (*GlobalPermResult, error) {
	sims := make([]float64, P)
	workers := min(runtime.GOMAXPROCS(0), P)
	var wg sync.WaitGroup
	var next int64
	var mu sync.Mutex
	for wk := 0; wk < workers; wk++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]float64, len(v))
			for {
				mu.Lock()
				k := next
				next++
				mu.Unlock()
				if int(k) >= P || ctx.Err() != nil {
					return
				}
				copy(buf, v)
				r := rand.New(rand.NewPCG(seed, uint64(k)))
				r.Shuffle(len(buf), func(i, j int) { buf[i], buf[j] = buf[j], buf[i] })
				sims[k] = stat(buf)
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := &GlobalPermResult{Observed: obs, Permutations: P, Seed: seed}
	geq, leq := 0, 0
	// Ties within rounding: the same arrangement can give a statistic that
	// differs from the observed one in the last bits.
	tol := 1e-12 * math.Max(1, math.Abs(obs))
	sum, sum2 := 0.0, 0.0
	for _, s := range sims {
		if s >= obs-tol {
			geq++
		}
		if s <= obs+tol {
			leq++
		}
		sum += s
		sum2 += s * s
	}
	larger := geq
	if P-larger < larger {
		larger = P - larger
	}
	res.PSim = float64(larger+1) / float64(P+1)
	res.PSimTwoSided = math.Min(1, 2*float64(min(geq, leq)+1)/float64(P+1))
	res.Mean = sum / float64(P)
	res.SD = math.Sqrt(math.Max(0, sum2/float64(P)-res.Mean*res.Mean))
	if res.SD > 0 {
		res.Z = (obs - res.Mean) / res.SD
		res.PZ = normSF(math.Abs(res.Z))
	}
	return res, nil
}
