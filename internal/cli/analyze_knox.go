package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/icarus-city/icarus/internal/analysis/nearrepeat"
	"github.com/icarus-city/icarus/internal/apperr"
)

const knoxUsage = `analyze knox --input FILE [--x COL --y COL --time COL] [--space-bands 0,100,200,300] [--time-bands 0,7,14,21]
       [--metric euclidean|manhattan] [--nrc] [--iterations 999] [--seed 1] [--alpha 0.05] [--json]
       [--no-header] [--time-format LAYOUT] [--crs CRS]

Knox test for near repeats: counts the pairs of events by distance band and
by days apart, and compares each cell with the counts when the dates are
shuffled among the events (Monte Carlo permutations). Bands are edges:
0,100,200,300 m gives 0-100, 100-200, 200-300 m and "300 m or more"; time
bands are whole days between the dates (time of day is ignored).
--nrc follows Ratcliffe's Near Repeat Calculator: a "same location" row,
its band labels, single-precision coordinates (Manhattan by default).`

// runAnalyzeKnox runs the Knox test (internal/analysis/nearrepeat) on a CSV
// of dated points.
func runAnalyzeKnox(ctx context.Context, env *Env, args []string) error {
	if onDataset(args) {
		return runAnalyzeMethod(ctx, env, "knox", args)
	}
	fs := newFlags(env, "analyze knox", knoxUsage)
	var in pointInput
	in.register(fs, true, false)
	spaceBands := fs.String("space-bands", "0,100,200,300", "distance band `edges` in metres, from 0")
	timeBands := fs.String("time-bands", "0,7,14,21", "time band `edges` in whole days, from 0")
	metric := fs.String("metric", "", "`distance`: euclidean or manhattan (default euclidean; manhattan with --nrc)")
	nrc := fs.Bool("nrc", false, "Near Repeat Calculator conventions (same-location row, its labels, float32 coordinates)")
	iterations := fs.Int("iterations", 999, "number of Monte Carlo permutations")
	seed := fs.Uint64("seed", 1, "random `seed` of the permutations (same seed, same result)")
	alpha := fs.Float64("alpha", 0.05, "significance `level` of the summary")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 1 && in.file == "" {
		in.file = pos[0]
	} else if len(pos) > 0 {
		return apperr.New(apperr.Invalid, "unexpected argument %q", pos[0])
	}
	opt := nearrepeat.Options{NRC: *nrc, Iterations: *iterations, Seed: *seed}
	if opt.SpaceEdges, err = parseEdges(*spaceBands); err != nil {
		return apperr.New(apperr.Invalid, "--space-bands: %v", err)
	}
	te, err := parseEdges(*timeBands)
	if err != nil {
		return apperr.New(apperr.Invalid, "--time-bands: %v", err)
	}
	for _, e := range te {
		if e != math.Trunc(e) || e > math.MaxInt32 {
			return apperr.New(apperr.Invalid, "--time-bands: %v is not a whole number of days", e)
		}
		opt.TimeEdges = append(opt.TimeEdges, int(e))
	}
	switch {
	case *metric == "" && *nrc:
		opt.Metric = nearrepeat.Manhattan
	case *metric == "":
		opt.Metric = nearrepeat.Euclidean
	default:
		if opt.Metric, err = nearrepeat.ParseMetric(strings.ToLower(*metric)); err != nil {
			return apperr.New(apperr.Invalid, "--metric: %v", err)
		}
	}
	if *iterations < 0 {
		return apperr.New(apperr.Invalid, "--iterations must not be negative")
	}
	if *alpha <= 0 || *alpha >= 1 {
		return apperr.New(apperr.Invalid, "--alpha must be between 0 and 1")
	}
	if in.time == "" {
		return apperr.New(apperr.Invalid, "--time COL is required")
	}
	pts, err := in.read()
	if err != nil {
		return err
	}
	days := make([]float64, len(pts.T))
	for i, t := range pts.T {
		days[i] = float64(dayNumber(t))
	}
	res, err := nearrepeat.Knox(ctx, pts.X, pts.Y, days, opt)
	if err != nil {
		return apperr.Wrap(apperr.Invalid, err, "knox")
	}
	sum := nearrepeat.Summarize(res, *alpha)
	if *asJSON {
		return writeKnoxJSON(env.Stdout, res, sum, pts.CRS)
	}
	writeKnoxText(env.Stdout, res, sum)
	return nil
}

// dayNumber is the calendar date of t (in its own zone) as days since 1970-01-01.
func dayNumber(t time.Time) int64 {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

func parseEdges(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%q is not a number", f)
		}
		out = append(out, v)
	}
	if len(out) < 2 || out[0] != 0 {
		return nil, fmt.Errorf("give band edges from 0, at least two: e.g. 0,100,200")
	}
	for i := 1; i < len(out); i++ {
		if out[i] <= out[i-1] {
			return nil, fmt.Errorf("edges must increase (%v after %v)", out[i], out[i-1])
		}
	}
	return out, nil
}

// knoxMethod describes the method in one line for the JSON output.
func knoxMethod(r *nearrepeat.Result) string {
	s := "Knox test: unordered pairs of events counted by " + r.Metric.String() + " distance band and whole days apart; expected = mean over random permutations of the dates among the events; p = (1 + #{permuted >= observed}) / (iterations + 1) per cell"
	if r.NRC {
		s += "; Near Repeat Calculator conventions (same-location row, band \"a to b\" = a-1 <= d < b, float32 coordinates)"
	}
	return s
}

// jnum is a float in JSON, null when it is not finite (an undefined ratio).
type jnum float64

func (v jnum) MarshalJSON() ([]byte, error) {
	f := float64(v)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

func jtable(t [][]float64) [][]jnum {
	out := make([][]jnum, len(t))
	for i, row := range t {
		out[i] = make([]jnum, len(row))
		for j, v := range row {
			out[i][j] = jnum(v)
		}
	}
	return out
}

type knoxJSONFinding struct {
	Row      int    `json:"row"`
	Col      int    `json:"col"`
	Space    string `json:"space"`
	Time     string `json:"time"`
	Observed int64  `json:"observed"`
	Expected jnum   `json:"expected"`
	Ratio    jnum   `json:"knox_ratio"`
	P        jnum   `json:"p_value"`
}

type knoxJSONSummary struct {
	Text        string            `json:"text"`
	Pattern     string            `json:"pattern"`
	Alpha       float64           `json:"alpha"`
	Significant []knoxJSONFinding `json:"significant"`
}

type knoxJSON struct {
	Method     string          `json:"method"`
	N          int             `json:"n"`
	Pairs      int64           `json:"pairs"`
	ClosePairs int64           `json:"close_pairs"`
	Iterations int             `json:"iterations"`
	Seed       uint64          `json:"seed"`
	Metric     string          `json:"metric"`
	NRC        bool            `json:"nrc"`
	CRS        string          `json:"crs,omitempty"`
	SpaceBands []string        `json:"space_bands"`
	TimeBands  []string        `json:"time_bands"`
	Observed   [][]int64       `json:"observed"`
	Expected   [][]jnum        `json:"expected"`
	KnoxRatio  [][]jnum        `json:"knox_ratio"`
	PValue     [][]jnum        `json:"p_value"`
	SimMin     [][]int64       `json:"sim_min,omitempty"`
	SimMax     [][]int64       `json:"sim_max,omitempty"`
	Summary    knoxJSONSummary `json:"summary"`
}

func bandLabels(bs []nearrepeat.Band) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.Label
	}
	return out
}

func writeKnoxJSON(w io.Writer, r *nearrepeat.Result, s nearrepeat.Summary, crs string) error {
	out := knoxJSON{
		Method: knoxMethod(r), N: r.N, Pairs: r.Pairs, ClosePairs: r.ClosePairs,
		Iterations: r.Iterations, Seed: r.Seed, Metric: r.Metric.String(), NRC: r.NRC, CRS: crs,
		SpaceBands: bandLabels(r.SpaceBands), TimeBands: bandLabels(r.TimeBands),
		Observed: r.Observed, Expected: jtable(r.Expected), KnoxRatio: jtable(r.KnoxRatio), PValue: jtable(r.PValue),
		Summary: knoxJSONSummary{Text: s.Text, Pattern: string(s.Pattern), Alpha: s.Alpha, Significant: []knoxJSONFinding{}},
	}
	if r.Iterations > 0 {
		out.SimMin, out.SimMax = r.SimMin, r.SimMax
	}
	for _, f := range s.Excess {
		out.Summary.Significant = append(out.Summary.Significant, knoxJSONFinding{
			Row: f.Row, Col: f.Col, Space: f.Space, Time: f.Time,
			Observed: f.Observed, Expected: jnum(f.Expected), Ratio: jnum(f.Ratio), P: jnum(f.P),
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writeKnoxText(w io.Writer, r *nearrepeat.Result, s nearrepeat.Summary) {
	mode := ""
	if r.NRC {
		mode = ", Near Repeat Calculator conventions"
	}
	fmt.Fprintf(w, "Knox test: %d events, %d pairs (%d closer than %s m), %s distance%s\n",
		r.N, r.Pairs, r.ClosePairs, strconv.FormatFloat(r.SpaceBands[len(r.SpaceBands)-1].Min, 'f', -1, 64), r.Metric, mode)
	fmt.Fprintf(w, "%d permutations of the dates (seed %d). Rows: distance; columns: days apart.\n", r.Iterations, r.Seed)
	section := func(title string, cell func(b, c int) string) {
		fmt.Fprintf(w, "\n%s\n", title)
		tw := tabwriter.NewWriter(w, 4, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprint(tw, "\t")
		for _, b := range r.TimeBands {
			fmt.Fprintf(tw, "%s\t", b.Label)
		}
		fmt.Fprintln(tw)
		for b, sb := range r.SpaceBands {
			fmt.Fprintf(tw, "%s\t", sb.Label)
			for c := range r.TimeBands {
				fmt.Fprintf(tw, "%s\t", cell(b, c))
			}
			fmt.Fprintln(tw)
		}
		tw.Flush()
	}
	f := func(v float64, prec int) string {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return "-"
		}
		return strconv.FormatFloat(v, 'f', prec, 64)
	}
	section("Observed pairs", func(b, c int) string { return strconv.FormatInt(r.Observed[b][c], 10) })
	if r.Iterations > 0 {
		section("Expected pairs (mean of the permutations)", func(b, c int) string { return f(r.Expected[b][c], 1) })
		section("Knox ratio (observed / expected)", func(b, c int) string { return f(r.KnoxRatio[b][c], 2) })
		section("p-value", func(b, c int) string { return f(r.PValue[b][c], 3) })
	}
	fmt.Fprintf(w, "\n%s\n", s.Text)
}
