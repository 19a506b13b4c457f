package density

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/icarus-city/icarus/internal/analysis/coords"
)

// Kernel is the shape of the kernel.
type Kernel string

// Kernels. Gaussian: K(r) = exp(−r²/2h²)/(2πh²), h = standard deviation per
// axis. Quartic (biweight): K(r) = 3/(πh²)·(1 − r²/h²)² for r < h, 0 beyond,
// h = radius (the convention of CrimeStat, QGIS and ArcGIS).
const (
	Gaussian Kernel = "gaussian"
	Quartic  Kernel = "quartic"
)

// Bandwidth selectors.
const (
	SelectScott = "scott"
	SelectLCV   = "lcv"
	SelectUser  = "user"
)

// QuarticPerGaussian converts a Gaussian standard deviation into the quartic
// radius with the same asymptotic (AMISE) efficiency in two dimensions:
// (R(K_q)/μ₂(K_q)²)^(1/6) / (R(K_g)/μ₂(K_g)²)^(1/6) = (2304/5)^(1/6) ≈ 2.779,
// with R the integral of K² and μ₂ the per-axis variance of the unit kernel.
const QuarticPerGaussian = 2.7791932420839394

// KDEParams configures KDE.
type KDEParams struct {
	GridParams
	// Kernel, default Gaussian.
	Kernel Kernel `json:"kernel"`
	// Bandwidth in metres (Gaussian: sd; quartic: radius). 0 means
	// selected by Selector.
	Bandwidth float64 `json:"bandwidth"`
	// Selector when Bandwidth is 0: SelectScott (default) or SelectLCV.
	// Set to SelectUser by KDE when Bandwidth is given.
	Selector string `json:"selector"`
	// LCV configures the likelihood cross-validation search.
	LCV LCVParams `json:"lcv"`
	// EdgeCorrection divides each cell's density by the share of its kernel
	// that lies inside the study area (uniform edge correction, as
	// spatstat's density.ppp(edge=TRUE)). Default off.
	EdgeCorrection bool `json:"edge_correction"`
}

// Density is a kernel density surface with its method card.
type Density struct {
	Method string    `json:"method"`
	Params KDEParams `json:"params"`
	Grid   Grid      `json:"grid"`
	// Bandwidth actually used (metres) and how it was chosen.
	Bandwidth       float64 `json:"bandwidth"`
	BandwidthMethod string  `json:"bandwidth_method"`
	// Values[c] is the density at the centre of cell c in incidents per km²
	// (the surface integrates to N over the plane); NaN outside the study
	// area (null in JSON).
	Values []float64 `json:"-"`
	Units  string    `json:"units"`
	InArea []bool    `json:"-"`
	// N is the number of incidents used; Input the number given.
	N        int         `json:"n"`
	Input    int         `json:"input"`
	Excluded []Exclusion `json:"excluded"`
	// MassInArea = Σ over in-area cells of density × cell area: the number of
	// incidents the surface keeps inside the study area. Without edge
	// correction it is below N by the mass spread beyond the boundary.
	MassInArea float64 `json:"mass_in_area"`
	Max        float64 `json:"max"`
	// LCV holds the cross-validation search when Selector is SelectLCV.
	LCV        *LCVResult `json:"lcv,omitempty"`
	Notes      []string   `json:"notes,omitempty"`
	References []string   `json:"references"`
}

// MarshalJSON writes Values with null for cells outside the study area.
func (d Density) MarshalJSON() ([]byte, error) {
	type plain Density
	vals := make([]*float64, len(d.Values))
	for i := range d.Values {
		if finite(d.Values[i]) {
			vals[i] = &d.Values[i]
		}
	}
	return json.Marshal(struct {
		plain
		Values []*float64 `json:"values"`
	}{plain(d), vals})
}

// ScottBandwidth is Scott's rule of thumb for a 2-D Gaussian kernel,
// h = σ · n^(−1/6), with σ = √(σx·σy), the geometric mean of the two sample
// standard deviations (divisor n−1), so the isotropic kernel covers the same
// area as Scott's diagonal one. In two dimensions Silverman's rule,
// (4/(d+2))^(1/(d+4)) · σ · n^(−1/(d+4)), has factor 1 and is identical.
func ScottBandwidth(xs, ys []float64) float64 {
	n := len(xs)
	if n < 2 {
		return math.NaN()
	}
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	mx /= float64(n)
	my /= float64(n)
	var vx, vy float64
	for i := range xs {
		vx += (xs[i] - mx) * (xs[i] - mx)
		vy += (ys[i] - my) * (ys[i] - my)
	}
	vx /= float64(n - 1)
	vy /= float64(n - 1)
	return math.Sqrt(math.Sqrt(vx)*math.Sqrt(vy)) * math.Pow(float64(n), -1.0/6)
}

// kernelValue returns K at squared distance r2 (per m²).
func kernelValue(k Kernel, h, r2 float64) float64 {
	if k == Quartic {
		if r2 >= h*h {
			return 0
		}
		u := 1 - r2/(h*h)
		return 3 / (math.Pi * h * h) * u * u
	}
	return math.Exp(-r2/(2*h*h)) / (2 * math.Pi * h * h)
}

// halfWidth is the kernel's support in cells: 4 sd for the Gaussian
// (it holds 1 − e⁻⁸ ≈ 99.97% of the mass), the radius for the quartic.
func halfWidth(k Kernel, h, cell float64) int {
	if k == Quartic {
		return int(math.Ceil(h / cell))
	}
	return int(math.Ceil(4 * h / cell))
}

// ExactDensity evaluates the kernel sum at (x, y) directly, in incidents per
// km²: Σ K_h(x − xi, y − yi) · 10⁶. It costs O(n) per location and serves to
// check the binned surface.
func ExactDensity(xs, ys []float64, k Kernel, h, x, y float64) float64 {
	s := 0.0
	for i := range xs {
		dx, dy := x-xs[i], y-ys[i]
		s += kernelValue(k, h, dx*dx+dy*dy)
	}
	return s * 1e6
}

// conv is a convolution workspace on the padded grid of g.
type conv struct {
	g      Grid
	mx, my int
	f      *fft2
}

func newConv(g Grid, maxHalf int) *conv {
	mx, my := nextPow2(g.NX+maxHalf+1), nextPow2(g.NY+maxHalf+1)
	return &conv{g: g, mx: mx, my: my, f: newFFT2(mx, my)}
}

// kernelSpectrum returns the FFT of the discrete kernel on the padded grid,
// normalised so its cell values sum to 1 (so convolving counts gives
// incidents per cell-area). The Gaussian is separable: its 2-D transform is
// the outer product of two 1-D transforms.
func (c *conv) kernelSpectrum(k Kernel, h float64) (spec []complex128, k0 float64) {
	cs := c.g.CellSize
	L := halfWidth(k, h, cs)
	spec = make([]complex128, c.mx*c.my)
	if k == Gaussian {
		oneD := func(m int) ([]complex128, float64) {
			v := make([]complex128, m)
			sum := 0.0
			for d := -L; d <= L; d++ {
				w := math.Exp(-float64(d*d) * cs * cs / (2 * h * h))
				v[(d+m)%m] += complex(w, 0)
				sum += w
			}
			for i := range v {
				v[i] /= complex(sum, 0)
			}
			c0 := real(v[0])
			newPlan(m).transform(v, false)
			return v, c0
		}
		vx, cx := oneD(c.mx)
		vy, cy := oneD(c.my)
		for r := 0; r < c.my; r++ {
			for q := 0; q < c.mx; q++ {
				spec[r*c.mx+q] = vx[q] * vy[r]
			}
		}
		return spec, cx * cy
	}
	sum := 0.0
	for dy := -L; dy <= L; dy++ {
		for dx := -L; dx <= L; dx++ {
			w := kernelValue(k, h, float64(dx*dx+dy*dy)*cs*cs)
			spec[((dy+c.my)%c.my)*c.mx+(dx+c.mx)%c.mx] = complex(w, 0)
			sum += w
		}
	}
	if sum == 0 { // h far below the cell size: all mass in the centre cell
		spec[0], sum = 1, 1
	}
	for i := range spec {
		spec[i] /= complex(sum, 0)
	}
	k0 = real(spec[0])
	c.f.do(spec, false, c.my, c.my)
	return spec, k0
}

// convolve returns data ⊛ kernel on the grid (data is the FFT of the
// zero-padded grid values; it is not modified).
func (c *conv) convolve(dataSpec, kernelSpec []complex128) []float64 {
	buf := make([]complex128, len(dataSpec))
	parallel(len(buf), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			buf[i] = dataSpec[i] * kernelSpec[i]
		}
	})
	c.f.do(buf, true, c.my, c.g.NY)
	out := make([]float64, c.g.Cells())
	scale := 1 / float64(c.mx*c.my)
	for r := 0; r < c.g.NY; r++ {
		for q := 0; q < c.g.NX; q++ {
			out[r*c.g.NX+q] = real(buf[r*c.mx+q]) * scale
		}
	}
	return out
}

// spectrum returns the FFT of grid values v (len NX·NY) zero-padded.
func (c *conv) spectrum(v []float64) []complex128 {
	a := make([]complex128, c.mx*c.my)
	for r := 0; r < c.g.NY; r++ {
		for q := 0; q < c.g.NX; q++ {
			a[r*c.mx+q] = complex(v[r*c.g.NX+q], 0)
		}
	}
	c.f.do(a, false, c.g.NY, c.my)
	return a
}

// linearBin spreads each point over the four nearest cell centres with
// bilinear weights (Wand & Jones 1995, ch. 4 / Appendix D); points in the
// outer half-cell go to the border centres.
func linearBin(xs, ys []float64, keep []bool, g Grid) []float64 {
	v := make([]float64, g.Cells())
	for i, k := range keep {
		if !k {
			continue
		}
		u := (xs[i]-g.X0)/g.CellSize - 0.5
		w := (ys[i]-g.Y0)/g.CellSize - 0.5
		u = math.Min(math.Max(u, 0), float64(g.NX-1))
		w = math.Min(math.Max(w, 0), float64(g.NY-1))
		c0, r0 := int(u), int(w)
		fu, fw := u-float64(c0), w-float64(r0)
		c1, r1 := min(c0+1, g.NX-1), min(r0+1, g.NY-1)
		v[r0*g.NX+c0] += (1 - fu) * (1 - fw)
		v[r0*g.NX+c1] += fu * (1 - fw)
		v[r1*g.NX+c0] += (1 - fu) * fw
		v[r1*g.NX+c1] += fu * fw
	}
	return v
}

// KDE estimates the density of points (metres) on a grid over the study
// area, in incidents per km². The points are linearly binned to the cell
// centres and convolved with the discretised kernel by FFT: the cost is
// O(n + M log M) for M padded cells, not O(n·cells).
func KDE(xs, ys []float64, p KDEParams) (Density, error) {
	g, err := p.GridParams.resolve(xs, ys)
	if err != nil {
		return Density{}, err
	}
	if p.Kernel == "" {
		p.Kernel = Gaussian
	}
	if p.Kernel != Gaussian && p.Kernel != Quartic {
		return Density{}, inputErr("kernel %q: want gaussian or quartic", p.Kernel)
	}
	switch {
	case p.Bandwidth != 0:
		if !(p.Bandwidth > 0) || !finite(p.Bandwidth) {
			return Density{}, inputErr("bandwidth %v: want a positive number of metres", p.Bandwidth)
		}
		if err := coords.CheckMetres(xs, ys, p.Bandwidth, "bandwidth"); err != nil {
			return Density{}, inputErr("%v", err)
		}
		p.Selector = SelectUser
	case p.Selector == "":
		p.Selector = SelectScott
	case p.Selector != SelectScott && p.Selector != SelectLCV:
		return Density{}, inputErr("bandwidth selector %q: want scott or lcv", p.Selector)
	}
	keep, n, ex := filter(xs, ys, g, p.Area, p.Inside)
	if n < 2 && p.Selector != SelectUser {
		return Density{}, inputErr("%d usable points: a bandwidth cannot be selected from fewer than 2", n)
	}
	kx, ky := make([]float64, 0, n), make([]float64, 0, n)
	for i, k := range keep {
		if k {
			kx = append(kx, xs[i])
			ky = append(ky, ys[i])
		}
	}
	d := Density{
		Params:   p,
		Grid:     g,
		Units:    "incidents per km²",
		N:        n,
		Input:    len(xs),
		Excluded: ex,
		References: []string{
			"Silverman B.W. (1986) Density Estimation for Statistics and Data Analysis. Chapman & Hall",
			"Scott D.W. (1992) Multivariate Density Estimation. Wiley (rule h = σ n^(−1/(d+4)))",
			"Wand M.P., Jones M.C. (1995) Kernel Smoothing. Chapman & Hall (binned approximation)",
			"Chainey S., Ratcliffe J. (2005) GIS and Crime Mapping. Wiley (quartic kernel in crime mapping)",
		},
	}
	var lcv *LCVResult
	switch p.Selector {
	case SelectUser:
		d.Bandwidth = p.Bandwidth
		d.BandwidthMethod = "given by the user"
	case SelectScott:
		h := ScottBandwidth(kx, ky)
		if !(h > 0) {
			return Density{}, inputErr("all usable points coincide: no bandwidth can be derived")
		}
		d.BandwidthMethod = "Scott's rule (= Silverman's in 2-D): σ·n^(−1/6), σ = √(sd_x·sd_y)"
		if p.Kernel == Quartic {
			h *= QuarticPerGaussian
			d.BandwidthMethod += fmt.Sprintf(", × %.3f for the quartic radius (AMISE-equivalent)", QuarticPerGaussian)
		}
		d.Bandwidth = h
	case SelectLCV:
		r, err := selectLCV(kx, ky, g, p.Kernel, p.LCV)
		if err != nil {
			return Density{}, err
		}
		lcv = &r
		d.Params.LCV = r.Params
		d.Bandwidth = r.Bandwidth
		d.BandwidthMethod = "likelihood cross-validation (leave-one-out, binned)"
	}
	d.LCV = lcv
	if L := halfWidth(p.Kernel, d.Bandwidth, g.CellSize); L > 4*max(g.NX, g.NY) {
		return Density{}, inputErr("bandwidth %.0f m is far wider than the study area (%.0f × %.0f m)", d.Bandwidth, p.Area.Width(), p.Area.Height())
	}
	if d.Bandwidth < g.CellSize {
		d.Notes = append(d.Notes, fmt.Sprintf("the bandwidth (%.0f m) is smaller than the cell size (%.0f m): the binned surface is coarse; use smaller cells", d.Bandwidth, g.CellSize))
	}
	c := newConv(g, halfWidth(p.Kernel, d.Bandwidth, g.CellSize))
	bins := linearBin(xs, ys, keep, g)
	ks, _ := c.kernelSpectrum(p.Kernel, d.Bandwidth)
	vals := c.convolve(c.spectrum(bins), ks)
	inArea := areaMask(g, p.Inside)
	cellKm2 := g.CellSize * g.CellSize / 1e6
	if p.EdgeCorrection {
		mask := make([]float64, len(inArea))
		for i, in := range inArea {
			if in {
				mask[i] = 1
			}
		}
		e := c.convolve(c.spectrum(mask), ks)
		for i := range vals {
			if inArea[i] && e[i] > 1e-9 {
				vals[i] /= e[i]
			}
		}
	}
	for i := range vals {
		if !inArea[i] {
			vals[i] = math.NaN()
			continue
		}
		v := vals[i] / cellKm2
		if v < 0 { // FFT round-off far from any point
			v = 0
		}
		vals[i] = v
		d.MassInArea += v * cellKm2
		d.Max = math.Max(d.Max, v)
	}
	d.Values, d.InArea = vals, inArea
	d.Method = fmt.Sprintf("kernel density estimate, %s kernel, binned (linear binning to cell centres) and FFT convolution", p.Kernel)
	if p.EdgeCorrection {
		d.Method += ", uniform edge correction"
		d.Notes = append(d.Notes, "edge correction divides by the share of each cell's kernel inside the study area: densities near the boundary are raised, and the surface no longer integrates exactly to n")
	} else {
		d.Notes = append(d.Notes, fmt.Sprintf("no edge correction: density near the study-area boundary is underestimated because part of each kernel falls outside (%.1f of %d incidents' mass lies inside)", d.MassInArea, n))
	}
	d.Notes = append(d.Notes, "the surface shows where incidents were recorded by the police, not where all crime happened")
	return d, nil
}
