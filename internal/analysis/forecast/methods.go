package forecast

import (
	"fmt"
	"math"
	"sort"
	"strconv"
)

// Param is one parameter of a method card, with its value as applied.
type Param struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	// Default is true when the value is the method's default.
	Default bool `json:"default"`
}

// Card describes a method for the method card beside every result.
type Card struct {
	// ID is the short machine name: naive, retrospective, prospective, stkde.
	ID string `json:"id"`
	// Name is the human-readable method name.
	Name       string   `json:"name"`
	Params     []Param  `json:"params"`
	References []string `json:"references"`
}

// Method is a forecasting method. The methods are the structs of this
// package (Naive, Retrospective, Prospective, SpaceTimeKDE); their zero
// values are valid and mean "all defaults".
type Method interface {
	// Card describes the method with its defaults applied.
	Card() Card
	// check validates the parameters before any work starts.
	check(g Grid) error
	// start returns a predictor over the prepared events.
	start(p *prepared) predictor
}

// predictor computes risk for a day. Calls come in increasing day order
// during an evaluation, which incremental methods exploit; any order is
// correct.
type predictor interface {
	// predict sets risk[c] for every cell c (cells out of the study area
	// may hold any value) from the events of days < day.
	predict(day int32, risk []float64)
}

// maxWindowDays bounds the methods' windows (about 270 years).
const maxWindowDays = 100_000

func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// ---------------------------------------------------------------- naive

// Naive ranks cells by their incident counts over the last WindowDays days:
// "tomorrow looks like the recent past". With WindowDays equal to the
// forecast period it is the last-period forecast.
type Naive struct {
	// WindowDays is the number of days counted before the forecast day;
	// 0 means 1 (the last day).
	WindowDays int
}

func (m Naive) window() int {
	if m.WindowDays == 0 {
		return 1
	}
	return m.WindowDays
}

// Card implements Method.
func (m Naive) Card() Card {
	return Card{ID: "naive", Name: "naive forecast: incident counts per cell over the last window",
		Params:     []Param{{"window_days", strconv.Itoa(m.window()), m.WindowDays == 0}},
		References: []string{"open_cp naive.CountingGridKernel (QuantCrimAtLeeds/PredictCode)"}}
}

func (m Naive) check(Grid) error {
	if m.WindowDays < 0 || m.WindowDays > maxWindowDays {
		return inputErr("naive: window of %d days: want 1 to %d", m.WindowDays, maxWindowDays)
	}
	return nil
}

func (m Naive) start(p *prepared) predictor { return &naive{p: p, w: int32(m.window())} }

type naive struct {
	p *prepared
	w int32
}

func (n *naive) predict(day int32, risk []float64) {
	clear(risk)
	lo, hi := n.p.eventsIn(day-n.w, day)
	for i := lo; i < hi; i++ {
		if c := n.p.cell[i]; c >= 0 {
			risk[c]++
		}
	}
}

// ---------------------------------------------------------------- kernels

// SpaceKernel is the shape of a retrospective hot-spot kernel.
type SpaceKernel string

// Kernels of the retrospective method, as open_cp's retrohotspot weights,
// with r the distance from the cell centre to the incident and h the
// bandwidth (the kernel's radius):
const (
	// Quartic: (1 − r²/h²)² for r ≤ h.
	Quartic SpaceKernel = "quartic"
	// TruncatedGaussian: exp(−(r²/h²)·s²/2) for r ≤ h, a Gaussian with
	// standard deviation h/s cut at s standard deviations.
	TruncatedGaussian SpaceKernel = "truncated-gaussian"
)

// scatter adds w·k(r) to every cell whose centre is within radius of (x, y),
// with k(r²) given.
func scatter(g Grid, x, y, radius, w float64, k func(r2 float64) float64, risk []float64) {
	cs := g.CellSize
	c0 := int(math.Max(0, math.Ceil((x-radius-g.X0)/cs-0.5)))
	c1 := int(math.Min(float64(g.NX-1), math.Floor((x+radius-g.X0)/cs-0.5)))
	r0 := int(math.Max(0, math.Ceil((y-radius-g.Y0)/cs-0.5)))
	r1 := int(math.Min(float64(g.NY-1), math.Floor((y+radius-g.Y0)/cs-0.5)))
	rr := radius * radius
	for row := r0; row <= r1; row++ {
		dy := g.Y0 + (float64(row)+0.5)*cs - y
		base := row * g.NX
		for col := c0; col <= c1; col++ {
			dx := g.X0 + (float64(col)+0.5)*cs - x
			if r2 := dx*dx + dy*dy; r2 <= rr {
				risk[base+col] += w * k(r2)
			}
		}
	}
}

// ---------------------------------------------------------------- retrospective

// Retrospective is retrospective hot-spotting: a space-only kernel summed
// over the incidents of the last WindowDays days, evaluated at cell centres
// (open_cp's RetroHotSpotGrid). The incidents' times within the window are
// ignored.
type Retrospective struct {
	// Kernel is Quartic (default) or TruncatedGaussian.
	Kernel SpaceKernel
	// Bandwidth is the kernel's radius in metres; 0 means 200.
	Bandwidth float64
	// StdDevs is where the truncated Gaussian is cut, in standard
	// deviations; 0 means 3.
	StdDevs float64
	// WindowDays is the number of days before the forecast day that are
	// used; 0 means 60.
	WindowDays int
}

func (m Retrospective) defaults() Retrospective {
	if m.Kernel == "" {
		m.Kernel = Quartic
	}
	if m.Bandwidth == 0 {
		m.Bandwidth = 200
	}
	if m.StdDevs == 0 {
		m.StdDevs = 3
	}
	if m.WindowDays == 0 {
		m.WindowDays = 60
	}
	return m
}

// Card implements Method.
func (m Retrospective) Card() Card {
	d := m.defaults()
	ps := []Param{
		{"kernel", string(d.Kernel), m.Kernel == ""},
		{"bandwidth_m", num(d.Bandwidth), m.Bandwidth == 0},
		{"window_days", strconv.Itoa(d.WindowDays), m.WindowDays == 0},
	}
	if d.Kernel == TruncatedGaussian {
		ps = append(ps, Param{"std_devs", num(d.StdDevs), m.StdDevs == 0})
	}
	return Card{ID: "retrospective", Name: "retrospective hot-spot: space kernel over a past window",
		Params: ps, References: []string{"Chainey, Tompson & Uhlig (2008), Security Journal 21:4-28",
			"open_cp retrohotspot.RetroHotSpotGrid (QuantCrimAtLeeds/PredictCode)"}}
}

// maxFootprint bounds the cells one incident's kernel may cover.
const maxFootprint = 250_000

func checkFootprint(method string, radius float64, g Grid) error {
	if f := math.Pi * (radius / g.CellSize) * (radius / g.CellSize); f > maxFootprint {
		return inputErr("%s: a kernel of radius %.0f m covers about %.0f cells of %g m per incident (at most %d): use a smaller bandwidth or larger cells", method, radius, f, g.CellSize, maxFootprint)
	}
	return nil
}

func (m Retrospective) check(g Grid) error {
	d := m.defaults()
	if d.Kernel != Quartic && d.Kernel != TruncatedGaussian {
		return inputErr("retrospective: unknown kernel %q (want quartic or truncated-gaussian)", d.Kernel)
	}
	if !(d.Bandwidth > 0) || !finite(d.Bandwidth) {
		return inputErr("retrospective: bandwidth %v m: want a positive number of metres", m.Bandwidth)
	}
	if !(d.StdDevs > 0) || !finite(d.StdDevs) {
		return inputErr("retrospective: %v standard deviations: want a positive number", m.StdDevs)
	}
	if d.WindowDays < 0 || d.WindowDays > maxWindowDays {
		return inputErr("retrospective: window of %d days: want 1 to %d", m.WindowDays, maxWindowDays)
	}
	return checkFootprint("retrospective", d.Bandwidth, g)
}

func (m Retrospective) start(p *prepared) predictor {
	d := m.defaults()
	h2 := d.Bandwidth * d.Bandwidth
	k := func(r2 float64) float64 { q := 1 - r2/h2; return q * q }
	if d.Kernel == TruncatedGaussian {
		s2 := d.StdDevs * d.StdDevs
		k = func(r2 float64) float64 { return math.Exp(-r2 / h2 * s2 / 2) }
	}
	return &retro{p: p, m: d, k: k}
}

type retro struct {
	p *prepared
	m Retrospective
	k func(r2 float64) float64
}

func (r *retro) predict(day int32, risk []float64) {
	clear(risk)
	lo, hi := r.p.eventsIn(day-int32(r.m.WindowDays), day)
	for i := lo; i < hi; i++ {
		scatter(r.p.g, r.p.x[i], r.p.y[i], r.m.Bandwidth, 1, r.k, risk)
	}
}

// ---------------------------------------------------------------- prospective

// GridDistance is how the prospective method measures the distance between
// two grid cells, in cells.
type GridDistance string

// Grid distances, as open_cp's prohotspot classes.
const (
	// Chebyshev: max(|Δcol|, |Δrow|); diagonal neighbours are 1 apart
	// (open_cp DistanceDiagonalsSame, its default).
	Chebyshev GridDistance = "chebyshev"
	// Manhattan: |Δcol| + |Δrow| (open_cp DistanceDiagonalsDifferent).
	Manhattan GridDistance = "manhattan"
	// Euclidean: √(Δcol² + Δrow²) (open_cp DistanceCircle).
	Euclidean GridDistance = "euclidean"
)

// Prospective is prospective hot-spotting (Bowers, Johnson & Pease 2004)
// as open_cp's ProspectiveHotSpot with ClassicWeight: the risk of cell c on
// day D is
//
//	Σ_i 1/((1+d_i)(1+t_i))   over incidents with d_i < SpaceBandwidth and t_i < TimeBandwidth
//
// where d_i is the grid distance between c and the incident's cell (in
// cells) and t_i = ⌊(D·86400 − T_i)/(TimeUnitDays·86400)⌋ the incident's
// age in whole time units. Incidents outside the grid count for the cells
// within reach, as in open_cp.
type Prospective struct {
	// SpaceBandwidth in cells; 0 means 8 (open_cp's default; with 50 m
	// cells that is 400 m, Bowers et al.'s choice).
	SpaceBandwidth float64
	// TimeBandwidth in time units; 0 means 8.
	TimeBandwidth float64
	// TimeUnitDays is the length of the time unit in whole days; 0 means 7
	// (weeks).
	TimeUnitDays int
	// Distance between cells; "" means Chebyshev.
	Distance GridDistance
}

func (m Prospective) defaults() Prospective {
	if m.SpaceBandwidth == 0 {
		m.SpaceBandwidth = 8
	}
	if m.TimeBandwidth == 0 {
		m.TimeBandwidth = 8
	}
	if m.TimeUnitDays == 0 {
		m.TimeUnitDays = 7
	}
	if m.Distance == "" {
		m.Distance = Chebyshev
	}
	return m
}

// Card implements Method.
func (m Prospective) Card() Card {
	d := m.defaults()
	return Card{ID: "prospective", Name: "prospective hot-spot: weights 1/((1+d)(1+t)) in cells and time units",
		Params: []Param{
			{"space_bandwidth_cells", num(d.SpaceBandwidth), m.SpaceBandwidth == 0},
			{"time_bandwidth_units", num(d.TimeBandwidth), m.TimeBandwidth == 0},
			{"time_unit_days", strconv.Itoa(d.TimeUnitDays), m.TimeUnitDays == 0},
			{"distance", string(d.Distance), m.Distance == ""},
		},
		References: []string{"Bowers, Johnson & Pease (2004), Prospective hot-spotting: the future of crime mapping?, Brit. J. Criminol. 44:641-658",
			"open_cp prohotspot.ProspectiveHotSpot (QuantCrimAtLeeds/PredictCode)"}}
}

func (m Prospective) check(g Grid) error {
	d := m.defaults()
	if !(d.SpaceBandwidth > 0) || d.SpaceBandwidth > 100 || !finite(d.SpaceBandwidth) {
		return inputErr("prospective: space bandwidth %v cells: want a positive number up to 100 (use larger cells for a wider reach)", m.SpaceBandwidth)
	}
	if !(d.TimeBandwidth > 0) || d.TimeBandwidth > 10000 || !finite(d.TimeBandwidth) {
		return inputErr("prospective: time bandwidth %v units: want a positive number up to 10000", m.TimeBandwidth)
	}
	if d.TimeUnitDays < 0 || d.TimeUnitDays > 3660 {
		return inputErr("prospective: time unit of %d days: want 1 to 3660", m.TimeUnitDays)
	}
	switch d.Distance {
	case Chebyshev, Manhattan, Euclidean:
	default:
		return inputErr("prospective: unknown grid distance %q (want chebyshev, manhattan or euclidean)", d.Distance)
	}
	return nil
}

// kernelTap is one offset of the prospective spatial kernel.
type kernelTap struct {
	dx, dy int
	w      float64
}

func (m Prospective) start(p *prepared) predictor {
	d := m.defaults()
	reach := int(math.Ceil(d.SpaceBandwidth)) // d < sb implies |Δ| < reach
	tbins := int(math.Ceil(d.TimeBandwidth))  // t < tb for t = 0..tbins-1
	// Exact integer arithmetic when the weights are reciprocals of integers:
	// scale space weights by ls = lcm(1..reach) and time weights by
	// lt = lcm(1..tbins), so that sums are exact integers (in float64) and
	// cells with equal risk tie exactly, as they should.
	ls, lt := lcmUpTo(reach), lcmUpTo(tbins)
	exact := d.Distance != Euclidean && ls > 0 && lt > 0 && float64(ls)*float64(lt)*float64(len(p.t)) < 1<<53
	sScale, tScale := 1.0, 1.0
	if exact {
		sScale, tScale = float64(ls), float64(lt)
	}
	var taps []kernelTap
	for dy := -reach; dy <= reach; dy++ {
		for dx := -reach; dx <= reach; dx++ {
			var dist float64
			ax, ay := math.Abs(float64(dx)), math.Abs(float64(dy))
			switch d.Distance {
			case Chebyshev:
				dist = math.Max(ax, ay)
			case Manhattan:
				dist = ax + ay
			default:
				dist = math.Sqrt(ax*ax + ay*ay)
			}
			if dist < d.SpaceBandwidth {
				taps = append(taps, kernelTap{dx, dy, sScale / (1 + dist)})
			}
		}
	}
	tw := make([]float64, tbins)
	for t := range tw {
		if float64(t) < d.TimeBandwidth {
			tw[t] = tScale / float64(1+t)
		}
	}
	ex := p.g.NX + 2*reach
	return &prospective{p: p, m: d, taps: taps, tw: tw, reach: reach, scale: sScale * tScale,
		ext: make([]float64, ex*(p.g.NY+2*reach)), extNX: ex, acc: make([]float64, p.g.Cells()), exact: exact}
}

// lcmUpTo is lcm(1, ..., n), or 0 when it exceeds 2^40.
func lcmUpTo(n int) int64 {
	l := int64(1)
	for k := int64(2); k <= int64(n); k++ {
		a, b := l, k
		for b != 0 {
			a, b = b, a%b
		}
		l = l / a * k
		if l > 1<<40 {
			return 0
		}
	}
	return l
}

type prospective struct {
	p       *prepared
	m       Prospective
	taps    []kernelTap
	tw      []float64 // time weight by age in units
	reach   int
	scale   float64
	ext     []float64 // time-weighted counts on the grid extended by reach cells
	extNX   int
	touched []int32
	// acc is the (scaled) risk of day; exact says the weights are scaled to
	// integers, so that acc can be updated from day to day without drift.
	acc   []float64
	exact bool
	have  bool
	day   int32
}

// predict computes the risk for day. In exact (integer) mode, a forecast
// for the day after the previous one is an update, not a recomputation:
// only the incidents of the previous day (entering) and those whose age in
// whole units changes (at most one day's worth per unit of the window) are
// spread, with the change of their weight. Integer sums make the update
// exactly equal to a fresh computation.
func (pr *prospective) predict(day int32, risk []float64) {
	if pr.exact && pr.have && day == pr.day+1 {
		pr.step(day)
	} else {
		clear(pr.acc)
		u := int32(pr.m.TimeUnitDays)
		lo, hi := pr.p.eventsIn(day-u*int32(len(pr.tw)), day)
		for i := lo; i < hi; i++ {
			if age := (day - pr.p.cday[i]) / u; int(age) < len(pr.tw) { // cday ≤ day: age ≥ 0
				pr.deposit(i, pr.tw[age])
			}
		}
		pr.spread()
	}
	pr.have, pr.day = true, day
	for c, v := range pr.acc {
		risk[c] = v / pr.scale
	}
}

// step updates acc from day−1 to day.
func (pr *prospective) step(day int32) {
	u := int32(pr.m.TimeUnitDays)
	tb := int32(len(pr.tw))
	// incidents of day−1 enter with their age on day
	lo, hi := pr.p.eventsIn(day-1, day)
	for i := lo; i < hi; i++ {
		if age := (day - pr.p.cday[i]) / u; age < tb {
			pr.deposit(i, pr.tw[age])
		}
	}
	// incidents already counted (T < (day−1)·86400) whose age goes from
	// k−1 to k: those with cday = day − k·u
	limit := int64(day-1)*Day - 1
	for k := int32(1); k <= tb; k++ {
		c := day - k*u
		from := int64(c-1)*Day + 1 // cday = c: T in ((c−1)·86400, c·86400]
		to := min(int64(c)*Day, limit)
		if to < from {
			continue
		}
		lo := sort.Search(len(pr.p.t), func(j int) bool { return pr.p.t[j] >= from })
		hi := sort.Search(len(pr.p.t), func(j int) bool { return pr.p.t[j] > to })
		next := 0.0
		if k < tb {
			next = pr.tw[k]
		}
		if d := next - pr.tw[k-1]; d != 0 {
			for i := lo; i < hi; i++ {
				pr.deposit(i, d)
			}
		}
	}
	pr.spread()
}

// deposit adds weight w of incident i to its (extended) cell.
func (pr *prospective) deposit(i int, w float64) {
	if w == 0 {
		return
	}
	g, r := pr.p.g, pr.reach
	gx := math.Floor((pr.p.x[i] - g.X0) / g.CellSize)
	gy := math.Floor((pr.p.y[i] - g.Y0) / g.CellSize)
	if gx < float64(-r) || gy < float64(-r) || gx >= float64(g.NX+r) || gy >= float64(g.NY+r) {
		return // too far from the grid to reach any cell
	}
	e := (int(gy)+r)*pr.extNX + int(gx) + r
	if pr.ext[e] == 0 {
		pr.touched = append(pr.touched, int32(e))
	}
	pr.ext[e] += w
}

// spread adds each touched cell's weight, times the space kernel, to acc.
func (pr *prospective) spread() {
	g, r := pr.p.g, pr.reach
	for _, e := range pr.touched {
		a := pr.ext[e]
		if a == 0 {
			continue
		}
		pr.ext[e] = 0
		ex, ey := int(e)%pr.extNX-r, int(e)/pr.extNX-r
		for _, t := range pr.taps {
			x, y := ex+t.dx, ey+t.dy
			if x < 0 || y < 0 || x >= g.NX || y >= g.NY {
				continue
			}
			pr.acc[y*g.NX+x] += a * t.w
		}
	}
	pr.touched = pr.touched[:0]
}

// ---------------------------------------------------------------- space-time KDE

// SpaceTimeKDE is a space-time kernel density: each incident of the last
// WindowDays days adds a Gaussian in space (standard deviation Bandwidth,
// cut at Truncate standard deviations) times an exponential decay in time,
//
//	risk(c, D) = Σ_i exp(−r_i²/2σ²)/(2πσ²) · exp(−Δt_i/τ)/τ · A
//
// with r_i the distance from the centre of c to incident i, Δt_i = D − T_i in
// (fractional) days, τ = TimeScaleDays and A the cell area: the expected
// incidents per cell per day if the pattern continued. From one day to the
// next the surface is updated, not recomputed: it decays by exp(−1/τ), the
// incidents of the last day are added and those leaving the window removed.
type SpaceTimeKDE struct {
	// Bandwidth is the Gaussian's standard deviation in metres; 0 means 100.
	Bandwidth float64
	// Truncate cuts the Gaussian at this many standard deviations; 0 means 3.
	Truncate float64
	// TimeScaleDays is the mean of the exponential time decay τ in days;
	// 0 means 14.
	TimeScaleDays float64
	// WindowDays bounds the incidents' age; 0 means 90.
	WindowDays int
}

func (m SpaceTimeKDE) defaults() SpaceTimeKDE {
	if m.Bandwidth == 0 {
		m.Bandwidth = 100
	}
	if m.Truncate == 0 {
		m.Truncate = 3
	}
	if m.TimeScaleDays == 0 {
		m.TimeScaleDays = 14
	}
	if m.WindowDays == 0 {
		m.WindowDays = 90
	}
	return m
}

// Card implements Method.
func (m SpaceTimeKDE) Card() Card {
	d := m.defaults()
	return Card{ID: "stkde", Name: "space-time kernel density: Gaussian in space, exponential decay in time",
		Params: []Param{
			{"bandwidth_m", num(d.Bandwidth), m.Bandwidth == 0},
			{"truncate_sd", num(d.Truncate), m.Truncate == 0},
			{"time_scale_days", num(d.TimeScaleDays), m.TimeScaleDays == 0},
			{"window_days", strconv.Itoa(d.WindowDays), m.WindowDays == 0},
		},
		References: []string{"open_cp kde.KDE with ExponentialTimeKernel (QuantCrimAtLeeds/PredictCode)",
			"Rosser, Davies, Bowers, Johnson & Cheng (2017), Predictive crime mapping: arbitrary grids or street networks?, J. Quant. Criminol. 33:569-594"}}
}

func (m SpaceTimeKDE) check(g Grid) error {
	d := m.defaults()
	if !(d.Bandwidth > 0) || !finite(d.Bandwidth) {
		return inputErr("stkde: bandwidth %v m: want a positive number of metres", m.Bandwidth)
	}
	if !(d.Truncate > 0) || d.Truncate > 10 {
		return inputErr("stkde: truncation at %v standard deviations: want a number in (0, 10]", m.Truncate)
	}
	if !(d.TimeScaleDays > 0) || !finite(d.TimeScaleDays) {
		return inputErr("stkde: time scale %v days: want a positive number", m.TimeScaleDays)
	}
	if d.WindowDays < 0 || d.WindowDays > maxWindowDays {
		return inputErr("stkde: window of %d days: want 1 to %d", m.WindowDays, maxWindowDays)
	}
	return checkFootprint("stkde", d.Bandwidth*d.Truncate, g)
}

func (m SpaceTimeKDE) start(p *prepared) predictor {
	d := m.defaults()
	s2 := d.Bandwidth * d.Bandwidth
	norm := p.g.CellSize * p.g.CellSize / (2 * math.Pi * s2) / d.TimeScaleDays
	return &stkde{p: p, m: d, norm: norm, s2: s2,
		state: make([]float64, p.g.Cells()), live: make([]int32, p.g.Cells()), day: math.MinInt32}
}

type stkde struct {
	p     *prepared
	m     SpaceTimeKDE
	norm  float64
	s2    float64
	state []float64 // Σ_i k_s · exp(−Δt_i/τ), without norm, for day
	// live[c] counts the incidents whose kernel reaches cell c: a cell
	// none reaches any more is set to exactly 0, so that rounding residues
	// of the removals never rank above truly empty cells.
	live  []int32
	day   int32
	steps int
}

// add scatters incidents [lo, hi) with their time weights on day; sign −1
// removes them.
func (s *stkde) add(lo, hi int, day int32, sign int32) {
	g := s.p.g
	R := s.m.Bandwidth * s.m.Truncate
	cs := g.CellSize
	rr := R * R
	for i := lo; i < hi; i++ {
		x, y := s.p.x[i], s.p.y[i]
		dt := float64(int64(day)*Day-s.p.t[i]) / Day
		w := float64(sign) * math.Exp(-dt/s.m.TimeScaleDays)
		c0 := int(math.Max(0, math.Ceil((x-R-g.X0)/cs-0.5)))
		c1 := int(math.Min(float64(g.NX-1), math.Floor((x+R-g.X0)/cs-0.5)))
		r0 := int(math.Max(0, math.Ceil((y-R-g.Y0)/cs-0.5)))
		r1 := int(math.Min(float64(g.NY-1), math.Floor((y+R-g.Y0)/cs-0.5)))
		for row := r0; row <= r1; row++ {
			dy := g.Y0 + (float64(row)+0.5)*cs - y
			base := row * g.NX
			for col := c0; col <= c1; col++ {
				dx := g.X0 + (float64(col)+0.5)*cs - x
				if r2 := dx*dx + dy*dy; r2 <= rr {
					c := base + col
					s.live[c] += sign
					if s.live[c] == 0 {
						s.state[c] = 0
					} else {
						s.state[c] += w * math.Exp(-r2/(2*s.s2))
					}
				}
			}
		}
	}
}

// recomputeEvery bounds the rounding drift of the incremental update.
const recomputeEvery = 64

func (s *stkde) predict(day int32, risk []float64) {
	W := int32(s.m.WindowDays)
	if day == s.day+1 && s.steps < recomputeEvery {
		f := math.Exp(-1 / s.m.TimeScaleDays)
		for c := range s.state {
			s.state[c] *= f
		}
		lo, hi := s.p.eventsIn(day-1-W, day-W)
		s.add(lo, hi, day, -1)
		lo, hi = s.p.eventsIn(day-1, day)
		s.add(lo, hi, day, 1)
		s.steps++
	} else {
		clear(s.state)
		clear(s.live)
		lo, hi := s.p.eventsIn(day-W, day)
		s.add(lo, hi, day, 1)
		s.steps = 0
	}
	s.day = day
	for c, v := range s.state {
		risk[c] = math.Max(0, v) * s.norm
	}
}

// String names a method with its parameters, for logs and errors.
func String(m Method) string {
	c := m.Card()
	s := c.ID
	for _, p := range c.Params {
		s += fmt.Sprintf(" %s=%s", p.Name, p.Value)
	}
	return s
}
