package density

import (
	"math"
	"math/bits"
	"math/cmplx"
	"runtime"
	"sync"
)

// A small in-place radix-2 FFT, enough for power-of-two convolution grids.

func nextPow2(n int) int {
	if n <= 1 {
		return 1
	}
	return 1 << bits.Len(uint(n-1))
}

// fftPlan holds the twiddle factors and bit-reversal table for length n.
type fftPlan struct {
	n   int
	tw  []complex128 // exp(-2πik/n), k < n/2
	rev []int
}

func newPlan(n int) *fftPlan {
	p := &fftPlan{n: n, tw: make([]complex128, n/2), rev: make([]int, n)}
	for k := range p.tw {
		s, c := math.Sincos(-2 * math.Pi * float64(k) / float64(n))
		p.tw[k] = complex(c, s)
	}
	lg := bits.Len(uint(n)) - 1
	for i := range p.rev {
		p.rev[i] = int(bits.Reverse(uint(i)) >> (bits.UintSize - lg))
	}
	if n == 1 {
		p.rev[0] = 0
	}
	return p
}

// transform does an unnormalised FFT of a (len n); inverse uses conjugate
// twiddles (the caller divides by n).
func (p *fftPlan) transform(a []complex128, inverse bool) {
	n := p.n
	for i, j := range p.rev {
		if i < j {
			a[i], a[j] = a[j], a[i]
		}
	}
	for size := 2; size <= n; size <<= 1 {
		half, step := size>>1, n/size
		for start := 0; start < n; start += size {
			k := 0
			for j := start; j < start+half; j++ {
				w := p.tw[k]
				if inverse {
					w = cmplx.Conj(w)
				}
				t := w * a[j+half]
				a[j+half] = a[j] - t
				a[j] += t
				k += step
			}
		}
	}
}

// parallel runs f(i) for i in [0, n) on GOMAXPROCS goroutines.
func parallel(n int, f func(lo, hi int)) {
	w := min(runtime.GOMAXPROCS(0), n)
	if w <= 1 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	for k := 0; k < w; k++ {
		lo, hi := k*n/w, (k+1)*n/w
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(lo, hi)
		}()
	}
	wg.Wait()
}

// fft2 transforms a row-major mx × my array in place. Rows [0, rowsUsed)
// may be the only non-zero ones on a forward transform (skip the rest).
type fft2 struct {
	mx, my int
	px, py *fftPlan
}

func newFFT2(mx, my int) *fft2 {
	f := &fft2{mx: mx, my: my, px: newPlan(mx)}
	if my == mx {
		f.py = f.px
	} else {
		f.py = newPlan(my)
	}
	return f
}

// do transforms a. nonZeroRows limits the row pass on forward transforms of
// zero-padded data (rows ≥ nonZeroRows are all zero and stay zero).
// keepRows limits the rows transformed in the final row pass of an inverse
// transform (only rows < keepRows are wanted).
func (f *fft2) do(a []complex128, inverse bool, nonZeroRows, keepRows int) {
	mx, my := f.mx, f.my
	rowPass := func(rows int) {
		parallel(rows, func(lo, hi int) {
			for r := lo; r < hi; r++ {
				f.px.transform(a[r*mx:(r+1)*mx], inverse)
			}
		})
	}
	colPass := func() {
		parallel(mx, func(lo, hi int) {
			col := make([]complex128, my)
			for c := lo; c < hi; c++ {
				for r := 0; r < my; r++ {
					col[r] = a[r*mx+c]
				}
				f.py.transform(col, inverse)
				for r := 0; r < my; r++ {
					a[r*mx+c] = col[r]
				}
			}
		})
	}
	if !inverse {
		rowPass(nonZeroRows)
		colPass()
		return
	}
	colPass()
	rowPass(keepRows)
}
