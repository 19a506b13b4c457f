// Package analyses is the application service of the analysis methods, as
// hub is for imports: the CLI and the web call it. It takes an analysis
// request (method, dataset, filters, parameters), checks the parameters
// before any work, loads the points of a stored dataset (or takes the
// points of a file the caller has read), projects them to the city's
// metric CRS, runs the pure method of internal/analysis/... and returns a
// result with its method card (method, parameters, data window, n,
// uncertainty, references, limits), a map layer, charts and a table.
//
// Long analyses (permutation tests) run as jobs (kind "analysis") whose
// progress is kept in the analyses table.
package analyses

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/store"
)

// Service runs analyses on the store's data.
type Service struct {
	st *store.Store
}

// New returns a service on st (st may be nil for file inputs only).
func New(st *store.Store) *Service { return &Service{st: st} }

// The methods.
const (
	MethodKnox          = "knox"
	MethodGetisOrd      = "getis-ord"
	MethodMoran         = "moran"
	MethodKDE           = "kde"
	MethodGrid          = "grid"
	MethodTrend         = "trend"
	MethodChange        = "change"
	MethodHotspotChange = "hotspot-change"
	MethodForecast      = "forecast"
	MethodSPPT          = "sppt"
)

// MethodInfo describes a method for menus and help.
type MethodInfo struct {
	Name      string `json:"name"`
	Title     string `json:"title"`
	Summary   string `json:"summary"`
	Spatial   bool   `json:"spatial"`    // has a map layer (and GeoJSON export)
	NeedsDays bool   `json:"needs_days"` // refuses month-resolution dates
	Doc       string `json:"doc"`        // docs/methods page
}

// Methods lists the methods the service runs.
func Methods() []MethodInfo {
	return []MethodInfo{
		{MethodGrid, "Grid counts", "incidents counted in square cells (default cell: shorter side of the study area / 50)", true, false, "docs/methods/grid-counts.md"},
		{MethodKDE, "Kernel density", "smoothed density surface (Gaussian or quartic kernel, Scott or likelihood cross-validation bandwidth)", true, false, "docs/methods/kernel-density.md"},
		{MethodGetisOrd, "Hot spots (Getis-Ord Gi*)", "hot and cold spots of grid counts: local Gi* with permutation p-values and false-discovery control", true, false, "docs/methods/getis-ord.md"},
		{MethodMoran, "Spatial autocorrelation (Moran's I, LISA)", "global Moran's I and local clusters (high-high, low-low) and outliers of grid counts", true, false, "docs/methods/morans-i.md"},
		{MethodKnox, "Near repeats (Knox test)", "are incidents close in space also close in time? Pairs by distance and days apart against permutations of the dates", false, true, "docs/methods/knox.md"},
		{MethodTrend, "Trend", "counts by day, week or month; seasonal baseline with control limits; weekday × hour table", false, false, "docs/methods/time-trends.md"},
		{MethodChange, "Change between two periods", "rate ratio of two periods with an exact Poisson confidence interval", false, false, "docs/methods/time-trends.md"},
		{MethodHotspotChange, "Hot-spot change over time", "new, persistent, intensifying, diminishing… hot and cold spots: Gi* per month (or week) and a Mann-Kendall trend", true, false, "docs/methods/hotspot-change.md"},
		{MethodSPPT, "Pattern comparison (SPPT)", "Andresen's spatial point pattern test: did the share of incidents per cell change between two periods?", true, false, "docs/methods/sppt.md"},
		{MethodForecast, "Forecast", "next-day forecast (naive, retrospective, prospective, space-time KDE), or the rolling-origin evaluation of all four (hit rate, PAI, PEI)", true, true, "docs/methods/forecasting.md"},
	}
}

// Method returns the description of a method.
func Method(name string) (MethodInfo, bool) {
	for _, m := range Methods() {
		if m.Name == name {
			return m, true
		}
	}
	return MethodInfo{}, false
}

// Request is what to analyse and how.
type Request struct {
	Method string `json:"method"`
	// Dataset names a stored dataset (or DatasetID gives its id).
	Dataset   string  `json:"dataset,omitempty"`
	DatasetID int64   `json:"dataset_id,omitempty"`
	Filters   Filters `json:"filters"`
	Params    Params  `json:"params"`
}

// Filters select the incidents of the dataset.
type Filters struct {
	Categories []string `json:"categories,omitempty"`
	// From and To are inclusive: a month (YYYY-MM) or a day (YYYY-MM-DD).
	From   string `json:"from,omitempty"`
	To     string `json:"to,omitempty"`
	AreaID int64  `json:"area_id,omitempty"`
}

// Params are the parameters of every method; each uses its own and
// ignores the rest. Zero values take the defaults (see Defaults).
type Params struct {
	// grids (grid, kde, getis-ord, moran)
	Cell float64 `json:"cell,omitempty"` // cell side in metres; 0: shorter side of the study area / 50
	// kde
	Kernel    string  `json:"kernel,omitempty"`    // gaussian (default) or quartic
	Bandwidth float64 `json:"bandwidth,omitempty"` // metres; 0: chosen by Selector
	Selector  string  `json:"selector,omitempty"`  // scott (default) or lcv
	// getis-ord, moran
	Weights      string  `json:"weights,omitempty"`  // binary or row (default: binary for Gi*, row for Moran)
	LayerID      int64   `json:"layer_id,omitempty"` // areas of this layer instead of grid cells (queen contiguity)
	Star         *bool   `json:"star,omitempty"`     // Gi* (default true)
	Permutations *int    `json:"permutations,omitempty"`
	Alpha        float64 `json:"alpha,omitempty"` // false discovery rate / significance level (default 0.05)
	Seed         uint64  `json:"seed,omitempty"`  // default 1
	// knox
	SpaceBands []float64 `json:"space_bands,omitempty"` // default 0,100,200,300 m
	TimeBands  []int     `json:"time_bands,omitempty"`  // default 0,7,14,21 days
	Metric     string    `json:"metric,omitempty"`      // euclidean (default) or manhattan
	NRC        bool      `json:"nrc,omitempty"`
	Iterations *int      `json:"iterations,omitempty"` // default 999
	// trend
	Kind     string `json:"kind,omitempty"`     // counts (default), baseline, weekday-hour
	Interval string `json:"interval,omitempty"` // day, week, month (default)
	Years    int    `json:"years,omitempty"`    // baseline years (default 3)
	Timezone string `json:"timezone,omitempty"` // IANA zone of the dates (default UTC)
	// change
	BeforeFrom string  `json:"before_from,omitempty"`
	BeforeTo   string  `json:"before_to,omitempty"`
	AfterFrom  string  `json:"after_from,omitempty"`
	AfterTo    string  `json:"after_to,omitempty"`
	Confidence float64 `json:"confidence,omitempty"` // default 0.95
	// forecast
	ForecastMethod string `json:"forecast_method,omitempty"` // naive, retrospective, prospective (default), stkde
	Evaluate       bool   `json:"evaluate,omitempty"`        // rolling-origin evaluation of all four methods
	TestDays       int    `json:"test_days,omitempty"`       // evaluation window: the last N days (default 28)
}

func intp(v int) *int    { return &v }
func boolp(v bool) *bool { return &v }

// Defaults fills in the defaults of the request's method.
func (r *Request) Defaults() {
	p := &r.Params
	if p.Alpha == 0 {
		p.Alpha = 0.05
	}
	if p.Seed == 0 {
		p.Seed = 1
	}
	switch r.Method {
	case MethodKDE:
		if p.Kernel == "" {
			p.Kernel = "gaussian"
		}
		if p.Selector == "" && p.Bandwidth == 0 {
			p.Selector = "scott"
		}
	case MethodGetisOrd:
		if p.Weights == "" {
			p.Weights = "binary"
		}
		if p.Star == nil {
			p.Star = boolp(true)
		}
		if p.Permutations == nil {
			p.Permutations = intp(999)
		}
	case MethodMoran:
		if p.Weights == "" {
			p.Weights = "row"
		}
		if p.Permutations == nil {
			p.Permutations = intp(999)
		}
	case MethodKnox:
		if len(p.SpaceBands) == 0 {
			p.SpaceBands = []float64{0, 100, 200, 300}
		}
		if len(p.TimeBands) == 0 {
			p.TimeBands = []int{0, 7, 14, 21}
		}
		if p.Metric == "" {
			p.Metric = "euclidean"
			if p.NRC {
				p.Metric = "manhattan"
			}
		}
		if p.Iterations == nil {
			p.Iterations = intp(999)
		}
	case MethodTrend:
		if p.Kind == "" {
			p.Kind = "counts"
		}
		if p.Interval == "" {
			p.Interval = "month"
		}
		if p.Years == 0 {
			p.Years = 3
		}
	case MethodChange:
		if p.Confidence == 0 {
			p.Confidence = 0.95
		}
	case MethodHotspotChange:
		if p.Weights == "" {
			p.Weights = "binary"
		}
		if p.Interval == "" {
			p.Interval = "month"
		}
		if p.Permutations == nil {
			p.Permutations = intp(0)
		}
	case MethodForecast:
		if p.ForecastMethod == "" {
			p.ForecastMethod = "prospective"
		}
		if p.Cell == 0 {
			p.Cell = 150
		}
		if p.TestDays == 0 {
			p.TestDays = 28
		}
	}
}

// Validate fills in the defaults and checks the request before any work:
// a clear error names the parameter and what to change.
func (r *Request) Validate() error {
	r.Method = strings.ToLower(strings.TrimSpace(r.Method))
	if _, ok := Method(r.Method); !ok {
		names := make([]string, 0, len(Methods()))
		for _, m := range Methods() {
			names = append(names, m.Name)
		}
		return apperr.New(apperr.Invalid, "method %q: want one of %s", r.Method, strings.Join(names, ", "))
	}
	r.Defaults()
	p := &r.Params
	bad := func(name, format string, args ...any) error {
		return apperr.New(apperr.Invalid, "%s: %s", name, fmt.Sprintf(format, args...))
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	if p.Cell < 0 || !finite(p.Cell) {
		return bad("cell", "must be a positive size in metres (or 0 for the default)")
	}
	if !(p.Alpha > 0 && p.Alpha < 1) {
		return bad("alpha", "must be between 0 and 1 (e.g. 0.05)")
	}
	if _, _, err := r.Filters.window(); err != nil {
		return err
	}
	switch r.Method {
	case MethodKDE:
		if p.Kernel != "gaussian" && p.Kernel != "quartic" {
			return bad("kernel", "%q: want gaussian or quartic", p.Kernel)
		}
		if p.Bandwidth < 0 || !finite(p.Bandwidth) {
			return bad("bandwidth", "must be a positive distance in metres (or 0 to choose it)")
		}
		if p.Bandwidth == 0 && p.Selector != "scott" && p.Selector != "lcv" {
			return bad("selector", "%q: want scott or lcv", p.Selector)
		}
	case MethodGetisOrd, MethodMoran:
		if p.Weights != "binary" && p.Weights != "row" {
			return bad("weights", "%q: want binary or row", p.Weights)
		}
		if *p.Permutations < 0 || *p.Permutations > 99999 {
			return bad("permutations", "must be between 0 and 99999")
		}
		if r.Method == MethodMoran && *p.Permutations == 0 {
			return bad("permutations", "local Moran's I needs permutations for its p-values (e.g. 999)")
		}
	case MethodKnox:
		if len(p.SpaceBands) < 2 || p.SpaceBands[0] != 0 {
			return bad("space_bands", "give band edges from 0, at least two: e.g. 0,100,200,300")
		}
		for i := 1; i < len(p.SpaceBands); i++ {
			if !finite(p.SpaceBands[i]) || p.SpaceBands[i] <= p.SpaceBands[i-1] {
				return bad("space_bands", "edges must increase (%v after %v)", p.SpaceBands[i], p.SpaceBands[i-1])
			}
		}
		if len(p.TimeBands) < 2 || p.TimeBands[0] != 0 {
			return bad("time_bands", "give band edges in days from 0, at least two: e.g. 0,7,14,21")
		}
		for i := 1; i < len(p.TimeBands); i++ {
			if p.TimeBands[i] <= p.TimeBands[i-1] {
				return bad("time_bands", "edges must increase (%d after %d)", p.TimeBands[i], p.TimeBands[i-1])
			}
		}
		if p.Metric != "euclidean" && p.Metric != "manhattan" {
			return bad("metric", "%q: want euclidean or manhattan", p.Metric)
		}
		if *p.Iterations < 0 || *p.Iterations > 99999 {
			return bad("iterations", "must be between 0 and 99999")
		}
	case MethodTrend:
		if !slices.Contains([]string{"counts", "baseline", "weekday-hour"}, p.Kind) {
			return bad("kind", "%q: want counts, baseline or weekday-hour", p.Kind)
		}
		if !slices.Contains([]string{"day", "week", "month"}, p.Interval) {
			return bad("interval", "%q: want day, week or month", p.Interval)
		}
		if p.Kind == "baseline" && p.Interval != "month" {
			return bad("interval", "the seasonal baseline is monthly: use interval month")
		}
		if p.Years < 1 || p.Years > 20 {
			return bad("years", "must be between 1 and 20")
		}
	case MethodHotspotChange:
		if p.Weights != "binary" && p.Weights != "row" {
			return bad("weights", "%q: want binary or row", p.Weights)
		}
		if p.Interval != "month" && p.Interval != "week" {
			return bad("interval", "%q: hot-spot change works on month or week periods", p.Interval)
		}
		if *p.Permutations < 0 || *p.Permutations > 9999 {
			return bad("permutations", "must be between 0 and 9999")
		}
	case MethodForecast:
		if !slices.Contains([]string{"naive", "retrospective", "prospective", "stkde"}, p.ForecastMethod) {
			return bad("forecast_method", "%q: want naive, retrospective, prospective or stkde", p.ForecastMethod)
		}
		if p.TestDays < 1 || p.TestDays > 3660 {
			return bad("test_days", "must be between 1 and 3660")
		}
	case MethodSPPT:
		if _, _, _, _, err := p.periods(); err != nil {
			return err
		}
	case MethodChange:
		if !(p.Confidence > 0.5 && p.Confidence < 1) {
			return bad("confidence", "must be between 0.5 and 1 (e.g. 0.95)")
		}
		if _, _, _, _, err := p.periods(); err != nil {
			return err
		}
	}
	if p.Timezone != "" {
		if _, err := time.LoadLocation(p.Timezone); err != nil {
			return bad("timezone", "%q is not a time zone (e.g. Europe/London)", p.Timezone)
		}
	}
	return nil
}

// Long reports whether the request runs long enough to be a background
// job with progress: permutation tests.
func (r *Request) Long() bool {
	p := r.Params
	switch r.Method {
	case MethodKnox:
		return p.Iterations != nil && *p.Iterations > 0
	case MethodGetisOrd, MethodMoran, MethodHotspotChange:
		return p.Permutations != nil && *p.Permutations > 0
	case MethodForecast:
		return p.Evaluate
	case MethodSPPT:
		return true // 200 resamples over every cell
	}
	return false
}

// parseDay parses YYYY-MM (first day; end=true: first day of the next
// month) or YYYY-MM-DD (end=true: the next day).
func parseDay(s string, end bool, field string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse("2006-01", s); err == nil {
		if end {
			t = t.AddDate(0, 1, 0)
		}
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		if end {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	return time.Time{}, apperr.New(apperr.Invalid, "%s: %q is not a month (YYYY-MM) or a date (YYYY-MM-DD)", field, s)
}

// window returns the half-open window [from, to) of the filters (zero: open).
func (f Filters) window() (from, to time.Time, err error) {
	if f.From != "" {
		if from, err = parseDay(f.From, false, "from"); err != nil {
			return
		}
	}
	if f.To != "" {
		if to, err = parseDay(f.To, true, "to"); err != nil {
			return
		}
	}
	if !from.IsZero() && !to.IsZero() && !to.After(from) {
		err = apperr.New(apperr.Invalid, "to (%s) is before from (%s)", f.To, f.From)
	}
	return
}

// periods returns the two half-open periods of a change request.
func (p Params) periods() (bf, bt, af, at time.Time, err error) {
	for _, x := range []struct {
		v, name string
		end     bool
		dst     *time.Time
	}{{p.BeforeFrom, "before_from", false, &bf}, {p.BeforeTo, "before_to", true, &bt}, {p.AfterFrom, "after_from", false, &af}, {p.AfterTo, "after_to", true, &at}} {
		if x.v == "" {
			return bf, bt, af, at, apperr.New(apperr.Invalid, "%s: give the two periods to compare (before_from, before_to, after_from, after_to as YYYY-MM or YYYY-MM-DD)", x.name)
		}
		if *x.dst, err = parseDay(x.v, x.end, x.name); err != nil {
			return
		}
	}
	if !bt.After(bf) || !at.After(af) {
		return bf, bt, af, at, apperr.New(apperr.Invalid, "each period must end after it starts")
	}
	if af.Before(bt) && bf.Before(at) {
		return bf, bt, af, at, apperr.New(apperr.Invalid, "the two periods overlap")
	}
	return
}

// ParseRequest decodes a JSON request strictly (unknown fields are errors).
func ParseRequest(b []byte) (Request, error) {
	var r Request
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return r, apperr.New(apperr.Invalid, "analysis request: %v", err)
	}
	return r, nil
}

// Progress is told how far an analysis is (0..1) and what it is doing.
type Progress func(fraction float64, stage string)

// Run checks the request, loads the points of its dataset and runs it.
func (s *Service) Run(ctx context.Context, orgID int64, r Request, progress Progress) (*Result, error) {
	if progress == nil {
		progress = func(float64, string) {}
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	progress(0.02, "loading")
	pts, err := s.Load(ctx, orgID, r)
	if err != nil {
		return nil, err
	}
	return Compute(ctx, r, pts, progress)
}
