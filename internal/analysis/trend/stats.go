package trend

import "math"

// Special functions needed for exact Poisson and binomial inference. They are
// written from the textbook definitions (series and continued-fraction
// expansions of the regularised incomplete gamma and beta functions, Lentz's
// method for the continued fractions) and checked against SciPy in the tests.

const (
	specialEps   = 1e-15
	specialTiny  = 1e-300
	specialIters = 10000
)

// regGammaP is the regularised lower incomplete gamma function P(a, x).
func regGammaP(a, x float64) float64 {
	switch {
	case x <= 0:
		return 0
	case math.IsInf(x, 1):
		return 1
	case x < a+1:
		return gammaSeries(a, x)
	default:
		return 1 - gammaCF(a, x)
	}
}

// regGammaQ is the regularised upper incomplete gamma function Q(a, x).
func regGammaQ(a, x float64) float64 {
	switch {
	case x <= 0:
		return 1
	case math.IsInf(x, 1):
		return 0
	case x < a+1:
		return 1 - gammaSeries(a, x)
	default:
		return gammaCF(a, x)
	}
}

func logPrefix(a, x float64) float64 {
	lg, _ := math.Lgamma(a)
	return a*math.Log(x) - x - lg
}

// gammaSeries: P(a,x) = x^a e^-x / Γ(a) · Σ_k x^k / (a(a+1)…(a+k)).
func gammaSeries(a, x float64) float64 {
	term := 1 / a
	sum := term
	for k := 1; k < specialIters; k++ {
		term *= x / (a + float64(k))
		sum += term
		if math.Abs(term) < math.Abs(sum)*specialEps {
			break
		}
	}
	return sum * math.Exp(logPrefix(a, x))
}

// gammaCF: Q(a,x) by the continued fraction
// e^-x x^a / Γ(a) · 1/(x+1-a- 1·(1-a)/(x+3-a- 2·(2-a)/(x+5-a- …))).
func gammaCF(a, x float64) float64 {
	b := x + 1 - a
	c := 1 / specialTiny
	d := 1 / b
	h := d
	for i := 1; i < specialIters; i++ {
		an := -float64(i) * (float64(i) - a)
		b += 2
		d = an*d + b
		if math.Abs(d) < specialTiny {
			d = specialTiny
		}
		c = b + an/c
		if math.Abs(c) < specialTiny {
			c = specialTiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < specialEps {
			break
		}
	}
	return math.Exp(logPrefix(a, x)) * h
}

// PoissonCDF returns P(X ≤ k) for X ~ Poisson(mu).
func PoissonCDF(k int, mu float64) float64 {
	if k < 0 {
		return 0
	}
	if mu <= 0 {
		return 1
	}
	return regGammaQ(float64(k)+1, mu)
}

// PoissonSF returns P(X ≥ k) for X ~ Poisson(mu).
func PoissonSF(k int, mu float64) float64 {
	if k <= 0 {
		return 1
	}
	if mu <= 0 {
		return 0
	}
	return regGammaP(float64(k), mu)
}

// PoissonQuantile returns the smallest k with P(X ≤ k) ≥ p for X ~ Poisson(mu)
// (the convention of scipy.stats.poisson.ppf and R's qpois).
func PoissonQuantile(p, mu float64) int {
	if mu <= 0 || p <= 0 {
		return 0
	}
	if p >= 1 {
		return math.MaxInt
	}
	// Start from the normal approximation and walk.
	k := int(math.Max(0, math.Floor(mu+NormalQuantile(p)*math.Sqrt(mu))))
	for k > 0 && PoissonCDF(k-1, mu) >= p {
		k--
	}
	for PoissonCDF(k, mu) < p {
		k++
	}
	return k
}

// NormalQuantile returns the standard normal quantile Φ⁻¹(p).
func NormalQuantile(p float64) float64 {
	return -math.Sqrt2 * math.Erfcinv(2*p)
}

// normalSF returns 1 − Φ(z).
func normalSF(z float64) float64 { return 0.5 * math.Erfc(z/math.Sqrt2) }

// regBeta is the regularised incomplete beta function I_x(a, b).
func regBeta(x, a, b float64) float64 {
	if x <= 0 {
		return 0
	}
	if x >= 1 {
		return 1
	}
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	front := math.Exp(lab - la - lb + a*math.Log(x) + b*math.Log1p(-x))
	if x < (a+1)/(a+b+2) {
		return front * betaCF(x, a, b) / a
	}
	return 1 - front*betaCF(1-x, b, a)/b
}

// betaCF evaluates the continued fraction for I_x(a,b) by Lentz's method.
func betaCF(x, a, b float64) float64 {
	qab, qap, qam := a+b, a+1, a-1
	c := 1.0
	d := 1 - qab*x/qap
	if math.Abs(d) < specialTiny {
		d = specialTiny
	}
	d = 1 / d
	h := d
	for m := 1; m < specialIters; m++ {
		fm := float64(m)
		m2 := 2 * fm
		aa := fm * (b - fm) * x / ((qam + m2) * (a + m2))
		d = 1 + aa*d
		if math.Abs(d) < specialTiny {
			d = specialTiny
		}
		c = 1 + aa/c
		if math.Abs(c) < specialTiny {
			c = specialTiny
		}
		d = 1 / d
		h *= d * c
		aa = -(a + fm) * (qab + fm) * x / ((a + m2) * (qap + m2))
		d = 1 + aa*d
		if math.Abs(d) < specialTiny {
			d = specialTiny
		}
		c = 1 + aa/c
		if math.Abs(c) < specialTiny {
			c = specialTiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < specialEps {
			break
		}
	}
	return h
}

// betaQuantile returns x with I_x(a,b) = p, by bisection (monotone, robust).
func betaQuantile(p, a, b float64) float64 {
	if p <= 0 {
		return 0
	}
	if p >= 1 {
		return 1
	}
	lo, hi := 0.0, 1.0
	for i := 0; i < 200 && hi-lo > 1e-17; i++ {
		mid := 0.5 * (lo + hi)
		if regBeta(mid, a, b) < p {
			lo = mid
		} else {
			hi = mid
		}
	}
	return 0.5 * (lo + hi)
}

// binomLogPMF is log P(X = k) for X ~ Binomial(n, p).
func binomLogPMF(k, n int, p float64) float64 {
	if k < 0 || k > n {
		return math.Inf(-1)
	}
	if p == 0 {
		if k == 0 {
			return 0
		}
		return math.Inf(-1)
	}
	if p == 1 {
		if k == n {
			return 0
		}
		return math.Inf(-1)
	}
	ln, _ := math.Lgamma(float64(n + 1))
	lk, _ := math.Lgamma(float64(k + 1))
	lnk, _ := math.Lgamma(float64(n - k + 1))
	return ln - lk - lnk + float64(k)*math.Log(p) + float64(n-k)*math.Log1p(-p)
}

// binomCDF is P(X ≤ k).
func binomCDF(k, n int, p float64) float64 {
	if k < 0 {
		return 0
	}
	if k >= n {
		return 1
	}
	return regBeta(1-p, float64(n-k), float64(k)+1)
}

// binomSF is P(X ≥ k).
func binomSF(k, n int, p float64) float64 { return 1 - binomCDF(k-1, n, p) }

// binomTestTwoSided is the exact two-sided binomial test p-value: the total
// probability of all outcomes no more likely than the observed one (the
// "minimum likelihood" method of scipy.stats.binomtest and R's binom.test,
// with the same relative tolerance 1e-7 for ties).
func binomTestTwoSided(k, n int, p float64) float64 {
	if n == 0 {
		return 1
	}
	d := math.Exp(binomLogPMF(k, n, p))
	mean := p * float64(n)
	if float64(k) == mean {
		return 1
	}
	thr := d * (1 + 1e-7)
	pmf := func(x int) float64 { return math.Exp(binomLogPMF(x, n, p)) }
	var pv float64
	if float64(k) < mean {
		// Other tail: smallest x ≥ ceil(mean) with pmf(x) ≤ thr (pmf decreasing there).
		lo, hi := int(math.Ceil(mean)), n+1
		for lo < hi {
			mid := (lo + hi) / 2
			if pmf(mid) <= thr {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		pv = binomCDF(k, n, p)
		if lo <= n {
			pv += binomSF(lo, n, p)
		}
	} else {
		// Other tail: largest x ≤ floor(mean) with pmf(x) ≤ thr (pmf increasing there).
		lo, hi := -1, int(math.Floor(mean))
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if pmf(mid) <= thr {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		pv = binomSF(k, n, p)
		if lo >= 0 {
			pv += binomCDF(lo, n, p)
		}
	}
	return math.Min(1, pv)
}
