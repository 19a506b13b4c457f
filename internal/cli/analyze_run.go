package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/icarus-city/icarus/internal/analyses"
	"github.com/icarus-city/icarus/internal/analysis/trend"
	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/geo"
	"github.com/icarus-city/icarus/internal/jobs"
	"github.com/icarus-city/icarus/internal/store"
)

// methodFlags are the flags of 'icarus analyze METHOD' through the analysis
// service (internal/analyses): a stored dataset (--dataset with filters) or
// a file (--input), the method's parameters and the output format.
type methodFlags struct {
	method     string
	dataset    string
	org        string
	categories string
	from, to   string
	area       string
	layer      string
	in         pointInput
	p          analyses.Params
	perms      int
	iters      int
	star       bool
	spaceBands string
	timeBands  string
	before     string
	after      string
	json, csv  bool
	geojson    bool
	maxRows    int
}

func (f *methodFlags) register(fs *flag.FlagSet) {
	info, _ := analyses.Method(f.method)
	fs.StringVar(&f.dataset, "dataset", "", "stored dataset `NAME` to analyse (with --data/--db); or give --input FILE")
	fs.StringVar(&f.org, "org", "", "organisation `slug` (default: the only one)")
	fs.StringVar(&f.categories, "category", "", "only these source `categories` (comma-separated)")
	fs.StringVar(&f.from, "from", "", "first `month` (YYYY-MM) or day (YYYY-MM-DD) of the incidents")
	fs.StringVar(&f.to, "to", "", "last `month` or day, inclusive")
	fs.StringVar(&f.area, "area", "", "only incidents in this area (`code` or id); its polygon becomes the study area")
	withTime := info.Name != analyses.MethodGrid && info.Name != analyses.MethodKDE && info.Name != analyses.MethodGetisOrd && info.Name != analyses.MethodMoran
	f.in.register(fs, withTime, false)
	fs.BoolVar(&f.json, "json", false, "print the result (method card, summary, layer, charts, table) as JSON")
	fs.BoolVar(&f.csv, "csv", false, "print the result's table as CSV")
	if info.Spatial {
		fs.BoolVar(&f.geojson, "geojson", false, "print the map layer as a GeoJSON FeatureCollection (WGS84)")
		fs.Float64Var(&f.p.Cell, "cell", 0, "cell side in `metres` (default: shorter side of the study area / 50, rounded)")
	}
	fs.IntVar(&f.maxRows, "rows", 25, "table rows to print (table output)")
	fs.Float64Var(&f.p.Alpha, "alpha", 0.05, "significance `level` / false discovery rate")
	fs.Uint64Var(&f.p.Seed, "seed", 1, "random `seed` of the permutations")
	switch f.method {
	case analyses.MethodKDE:
		fs.StringVar(&f.p.Kernel, "kernel", "gaussian", "`kernel`: gaussian or quartic")
		fs.Float64Var(&f.p.Bandwidth, "bandwidth", 0, "bandwidth in `metres` (Gaussian: sd; quartic: radius); 0: chosen by --selector")
		fs.StringVar(&f.p.Selector, "selector", "scott", "bandwidth `rule` when --bandwidth is 0: scott or lcv (likelihood cross-validation)")
	case analyses.MethodGetisOrd, analyses.MethodMoran:
		def := "binary"
		if f.method == analyses.MethodMoran {
			def = "row"
		}
		fs.StringVar(&f.p.Weights, "weights", def, "weights: binary or row (row-standardised)")
		fs.IntVar(&f.perms, "permutations", 999, "conditional permutations for the pseudo p-values")
		fs.StringVar(&f.layer, "layer", "", "with --dataset: the areas of this layer (`name` or id) instead of grid cells, queen contiguity")
		if f.method == analyses.MethodGetisOrd {
			fs.BoolVar(&f.star, "star", true, "Gi*: the cell counts among its own neighbours")
		}
	case analyses.MethodKnox:
		fs.StringVar(&f.spaceBands, "space-bands", "0,100,200,300", "distance band `edges` in metres, from 0")
		fs.StringVar(&f.timeBands, "time-bands", "0,7,14,21", "time band `edges` in whole days, from 0")
		fs.StringVar(&f.p.Metric, "metric", "", "`distance`: euclidean or manhattan (default euclidean; manhattan with --nrc)")
		fs.BoolVar(&f.p.NRC, "nrc", false, "Near Repeat Calculator conventions")
		fs.IntVar(&f.iters, "iterations", 999, "Monte Carlo permutations of the dates")
	case analyses.MethodTrend:
		fs.StringVar(&f.p.Kind, "kind", "counts", "`what`: counts, baseline (seasonal baseline with control limits) or weekday-hour")
		fs.StringVar(&f.p.Interval, "interval", "month", "`period` of the counts: day, week or month")
		fs.IntVar(&f.p.Years, "years", 3, "baseline: previous `years` of the same month")
		fs.StringVar(&f.p.Timezone, "timezone", "", "IANA `zone` of the dates (default UTC)")
	case analyses.MethodHotspotChange:
		fs.StringVar(&f.p.Weights, "weights", "binary", "weights: binary or row (row-standardised)")
		fs.StringVar(&f.p.Interval, "interval", "month", "`period`: month or week")
		fs.IntVar(&f.perms, "permutations", 0, "conditional permutations per period (0: normal approximation)")
		fs.StringVar(&f.p.Timezone, "timezone", "", "IANA `zone` of the dates (default UTC)")
	case analyses.MethodForecast:
		fs.StringVar(&f.p.ForecastMethod, "forecast-method", "prospective", "`method`: naive, retrospective, prospective or stkde")
		fs.BoolVar(&f.p.Evaluate, "evaluate", false, "rolling-origin evaluation of all four methods over the last --test-days days (hit rate, PAI, PEI)")
		fs.IntVar(&f.p.TestDays, "test-days", 28, "evaluation window in `days`")
		fs.StringVar(&f.p.Timezone, "timezone", "", "IANA `zone` of the dates (default UTC)")
	case analyses.MethodSPPT:
		fs.StringVar(&f.before, "before", "", "first period `FROM:TO` (YYYY-MM or YYYY-MM-DD, inclusive)")
		fs.StringVar(&f.after, "after", "", "second period `FROM:TO`")
		fs.StringVar(&f.p.Timezone, "timezone", "", "IANA `zone` of the dates (default UTC)")
	case analyses.MethodChange:
		fs.StringVar(&f.before, "before", "", "first period `FROM:TO` (YYYY-MM or YYYY-MM-DD, inclusive)")
		fs.StringVar(&f.after, "after", "", "second period `FROM:TO`")
		fs.Float64Var(&f.p.Confidence, "confidence", 0.95, "confidence `level` of the interval")
		fs.StringVar(&f.p.Timezone, "timezone", "", "IANA `zone` of the dates (default UTC)")
	}
}

// request builds the service request from the flags.
func (f *methodFlags) request(fs *flag.FlagSet) (analyses.Request, error) {
	r := analyses.Request{Method: f.method, Dataset: f.dataset, Params: f.p,
		Filters: analyses.Filters{From: f.from, To: f.to}}
	for _, c := range strings.Split(f.categories, ",") {
		if c = strings.TrimSpace(c); c != "" {
			r.Filters.Categories = append(r.Filters.Categories, c)
		}
	}
	switch f.method {
	case analyses.MethodGetisOrd, analyses.MethodMoran, analyses.MethodHotspotChange:
		r.Params.Permutations = &f.perms
		if f.method == analyses.MethodGetisOrd {
			r.Params.Star = &f.star
		}
	case analyses.MethodKnox:
		r.Params.Iterations = &f.iters
		se, err := parseEdges(f.spaceBands)
		if err != nil {
			return r, apperr.New(apperr.Invalid, "--space-bands: %v", err)
		}
		te, err := parseEdges(f.timeBands)
		if err != nil {
			return r, apperr.New(apperr.Invalid, "--time-bands: %v", err)
		}
		r.Params.SpaceBands = se
		for _, e := range te {
			if e != math.Trunc(e) || e > math.MaxInt32 {
				return r, apperr.New(apperr.Invalid, "--time-bands: %v is not a whole number of days", e)
			}
			r.Params.TimeBands = append(r.Params.TimeBands, int(e))
		}
		r.Params.Metric = strings.ToLower(r.Params.Metric)
	case analyses.MethodChange, analyses.MethodSPPT:
		split := func(s, name string) (string, string, error) {
			a, b, ok := strings.Cut(s, ":")
			if !ok || a == "" || b == "" {
				return "", "", apperr.New(apperr.Invalid, "--%s FROM:TO is required (e.g. --%s 2016-01:2016-06)", name, name)
			}
			return a, b, nil
		}
		var err error
		if r.Params.BeforeFrom, r.Params.BeforeTo, err = split(f.before, "before"); err != nil {
			return r, err
		}
		if r.Params.AfterFrom, r.Params.AfterTo, err = split(f.after, "after"); err != nil {
			return r, err
		}
	}
	if f.in.file != "" && f.dataset != "" {
		return r, apperr.New(apperr.Invalid, "give either --dataset NAME or --input FILE, not both")
	}
	if f.in.file == "" && f.dataset == "" {
		return r, apperr.New(apperr.Invalid, "give --dataset NAME (a stored dataset) or --input FILE")
	}
	if f.in.file != "" && (f.area != "" || f.categories != "") {
		return r, apperr.New(apperr.Invalid, "--area and --category filter stored datasets; with --input, filter the file first")
	}
	n := 0
	for _, on := range []bool{f.json, f.csv, f.geojson} {
		if on {
			n++
		}
	}
	if n > 1 {
		return r, apperr.New(apperr.Invalid, "give at most one of --json, --csv and --geojson")
	}
	return r, nil
}

// runAnalyzeMethod runs one method through the analysis service.
func runAnalyzeMethod(ctx context.Context, env *Env, method string, args []string) error {
	info, ok := analyses.Method(method)
	if !ok {
		return apperr.New(apperr.Invalid, "unknown method %q", method)
	}
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	fs := newFlags(env, "analyze "+method, "analyze "+method+" (--dataset NAME [--category C] [--from YYYY-MM] [--to YYYY-MM] [--area CODE] | --input FILE) [flags]\n\n"+info.Title+": "+info.Summary+".\nMethod notes: "+info.Doc)
	cfg.DataFlag(fs)
	f := &methodFlags{method: method}
	f.register(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 1 && f.in.file == "" && f.dataset == "" {
		f.in.file = pos[0]
	} else if len(pos) > 0 {
		return apperr.New(apperr.Invalid, "unexpected argument %q", pos[0])
	}
	r, err := f.request(fs)
	if err != nil {
		return err
	}
	if err := r.Validate(); err != nil {
		return err
	}
	var res *analyses.Result
	progress := func(frac float64, stage string) {
		if env.Interactive && frac < 1 {
			fmt.Fprintf(env.Stderr, "\r%3.0f%% %-40s", 100*frac, stage)
		}
	}
	if f.in.file != "" {
		pts, err := f.in.read()
		if err != nil {
			return err
		}
		if res, err = analyses.Compute(ctx, r, filePoints(pts, f.in), progress); err != nil {
			return err
		}
	} else {
		st, org, err := openOrg(ctx, cfg, f.org)
		if err != nil {
			return err
		}
		defer st.Close()
		if f.area != "" {
			if r.Filters.AreaID, err = findArea(ctx, st, org.ID, f.area); err != nil {
				return err
			}
		}
		if f.layer != "" {
			ls, err := st.Layers(ctx, org.ID)
			if err != nil {
				return err
			}
			id, _ := strconv.ParseInt(f.layer, 10, 64)
			for _, l := range ls {
				if l.Name == f.layer || l.ID == id {
					r.Params.LayerID = l.ID
				}
			}
			if r.Params.LayerID == 0 {
				return apperr.New(apperr.NotFound, "--layer: no layer %q", f.layer)
			}
		}
		if res, err = analyses.New(st).Run(ctx, org.ID, r, progress); err != nil {
			return err
		}
	}
	if env.Interactive {
		fmt.Fprint(env.Stderr, "\r\033[K")
	}
	switch {
	case f.json:
		bw := bufio.NewWriterSize(env.Stdout, 1<<16)
		enc := json.NewEncoder(bw)
		enc.SetIndent("", " ")
		if err := enc.Encode(res); err != nil {
			return err
		}
		return bw.Flush()
	case f.csv:
		bw := bufio.NewWriterSize(env.Stdout, 1<<16)
		if err := res.WriteCSV(bw); err != nil {
			return err
		}
		return bw.Flush()
	case f.geojson:
		return res.WriteGeoJSON(env.Stdout)
	}
	writeResultText(env.Stdout, res, f.maxRows)
	return nil
}

// filePoints turns the rows of an input file into the service's points. A
// date without a time of day (00:00:00) is taken as known to the day.
func filePoints(p *points, in pointInput) *analyses.Points {
	out := &analyses.Points{X: p.X, Y: p.Y, T: p.T, V: p.V, Lines: p.Lines, Window: analyses.Window{Source: in.file}}
	if p.CRS != "" {
		out.CRS, _ = geo.ParseCRS(p.CRS)
	}
	if p.T != nil {
		out.Res = make([]trend.Resolution, len(p.T))
		for i, t := range p.T {
			out.Res[i] = trend.Exact
			if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
				out.Res[i] = trend.Day
			}
		}
	}
	return out
}

// withAnalysisJobs adds the analysis service's job handler (long analyses
// submitted through the API) to a runner's handlers.
func withAnalysisJobs(st *store.Store, hs map[string]jobs.Handler) map[string]jobs.Handler {
	for k, h := range analyses.New(st).JobHandlers() {
		hs[k] = h
	}
	return hs
}

// findArea resolves --area: an area id, or a code (unique among the layers).
func findArea(ctx context.Context, st *store.Store, orgID int64, spec string) (int64, error) {
	areas, err := st.Areas(ctx, orgID, 0, false)
	if err != nil {
		return 0, err
	}
	id, _ := strconv.ParseInt(spec, 10, 64)
	var found []store.Area
	for _, a := range areas {
		if a.ID == id || strings.EqualFold(a.Code, spec) {
			found = append(found, a)
		}
	}
	switch len(found) {
	case 0:
		return 0, apperr.New(apperr.NotFound, "no area with code or id %q", spec)
	case 1:
		return found[0].ID, nil
	}
	return 0, apperr.New(apperr.Invalid, "%d areas have the code %q (in different layers): give the area id", len(found), spec)
}

// writeResultText prints the method card, the summary and the table.
func writeResultText(w io.Writer, r *analyses.Result, maxRows int) {
	c := r.Card
	fmt.Fprintf(w, "%s\n%s\n\n%s\n\n", c.Method, strings.Repeat("=", len([]rune(c.Method))), r.Summary)
	for _, warn := range c.Warnings {
		fmt.Fprintf(w, "warning: %s\n\n", warn)
	}
	if r.Table != nil {
		tw := tabwriter.NewWriter(w, 4, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, strings.Join(r.Table.Columns, "\t")+"\t")
		for i, row := range r.Table.Rows {
			if maxRows >= 0 && i >= maxRows {
				break
			}
			for _, v := range row {
				fmt.Fprintf(tw, "%s\t", textCell(v))
			}
			fmt.Fprintln(tw)
		}
		tw.Flush()
		if maxRows >= 0 && len(r.Table.Rows) > maxRows {
			fmt.Fprintf(w, "… %d more rows (--rows N, or --csv for all)\n", len(r.Table.Rows)-maxRows)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "Method card")
	fmt.Fprintf(w, "  question:    %s\n", c.Question)
	fmt.Fprintf(w, "  data:        %s", c.Data.Source)
	if len(c.Data.Categories) > 0 {
		fmt.Fprintf(w, "; categories %s", strings.Join(c.Data.Categories, ", "))
	}
	if c.Data.Area != "" {
		fmt.Fprintf(w, "; area %s", c.Data.Area)
	}
	fmt.Fprintf(w, "; %s to %s; dates known to the %s\n", c.Data.From, c.Data.To, c.Data.Resolution)
	if c.Data.CRS != "" {
		fmt.Fprintf(w, "  distances:   %s\n", c.Data.CRS)
	}
	fmt.Fprintf(w, "  n:           %d of %d selected\n", c.N, c.Data.Incidents)
	for _, e := range c.Excluded {
		fmt.Fprintf(w, "  left out:    %d (%s)\n", e.Count, e.Reason)
	}
	for _, p := range c.Parameters {
		note := ""
		if p.Note != "" {
			note = " (" + p.Note + ")"
		}
		fmt.Fprintf(w, "  parameter:   %s = %s%s\n", p.Name, p.Value, note)
	}
	fmt.Fprintf(w, "  uncertainty: %s\n", c.Uncertainty)
	for _, l := range c.Limits {
		fmt.Fprintf(w, "  limit:       %s\n", l)
	}
	for _, ref := range c.References {
		fmt.Fprintf(w, "  reference:   %s\n", ref)
	}
	fmt.Fprintf(w, "  more:        %s\n", c.Doc)
}

func textCell(v any) string {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "-"
		}
		return strconv.FormatFloat(x, 'g', 6, 64)
	case time.Time:
		return x.Format(time.DateOnly)
	case bool:
		if x {
			return "yes"
		}
		return ""
	}
	return fmt.Sprint(v)
}
