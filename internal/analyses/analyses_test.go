package analyses

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/icarus-city/icarus/internal/analysis/trend"
	"github.com/icarus-city/icarus/internal/apperr"
)

// lattice is a 20 × 20 grid of points 50 m apart, with a dense block of
// extra points at the lower left (a hot spot) and daily dates.
func lattice() *Points {
	p := &Points{Window: Window{Source: "test"}}
	day := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	add := func(x, y float64, t time.Time) {
		p.X, p.Y, p.T, p.Res = append(p.X, x), append(p.Y, y), append(p.T, t), append(p.Res, trend.Day)
	}
	for i := 0; i < 20; i++ {
		for j := 0; j < 20; j++ {
			add(float64(i)*50+25, float64(j)*50+25, day.AddDate(0, 0, (i*20+j)%90))
		}
	}
	for k := 0; k < 200; k++ {
		add(float64(k%10)*20+5, float64(k/20)*20+5, day.AddDate(0, 0, k%90)) // 200 m × 200 m
	}
	return p
}

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		r    Request
		want string
	}{
		{Request{Method: "astrology"}, "want one of"},
		{Request{Method: "knox", Params: Params{SpaceBands: []float64{0, 100, 50}}}, "space_bands: edges must increase"},
		{Request{Method: "knox", Params: Params{TimeBands: []int{1, 2}}}, "time_bands"},
		{Request{Method: "kde", Params: Params{Kernel: "box"}}, "kernel"},
		{Request{Method: "grid", Params: Params{Cell: -1}}, "cell"},
		{Request{Method: "grid", Params: Params{Alpha: 2}}, "alpha"},
		{Request{Method: "grid", Filters: Filters{From: "2020-13"}}, "from"},
		{Request{Method: "grid", Filters: Filters{From: "2020-05", To: "2020-01"}}, "before"},
		{Request{Method: "moran", Params: Params{Permutations: intp(0)}}, "permutations"},
		{Request{Method: "trend", Params: Params{Kind: "baseline", Interval: "week"}}, "monthly"},
		{Request{Method: "change"}, "before_from"},
		{Request{Method: "change", Params: Params{BeforeFrom: "2020-01", BeforeTo: "2020-06", AfterFrom: "2020-03", AfterTo: "2020-09"}}, "overlap"},
		{Request{Method: "forecast", Params: Params{ForecastMethod: "crystal-ball"}}, "forecast_method"},
		{Request{Method: "trend", Params: Params{Timezone: "Mars/Olympus"}}, "time zone"},
	} {
		err := c.r.Validate()
		if apperr.CodeOf(err) != apperr.Invalid || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want invalid mentioning %q", c.r, err, c.want)
		}
	}
	r := Request{Method: "GETIS-ORD"}
	if err := r.Validate(); err != nil || r.Method != "getis-ord" || *r.Params.Permutations != 999 || !*r.Params.Star || r.Params.Weights != "binary" || !r.Long() {
		t.Errorf("defaults: %v %+v", err, r.Params)
	}
	if _, err := ParseRequest([]byte(`{"method":"grid","params":{"cells":5}}`)); err == nil || !strings.Contains(err.Error(), "unknown field") {
		t.Errorf("unknown parameter accepted: %v", err)
	}
}

func TestComputeOnPoints(t *testing.T) {
	ctx := context.Background()
	run := func(r Request) *Result {
		t.Helper()
		res, err := Compute(ctx, r, lattice(), nil)
		if err != nil {
			t.Fatalf("%s: %v", r.Method, err)
		}
		if res.Card.Method == "" || res.Card.Uncertainty == "" || len(res.Card.References) == 0 || res.Card.Doc == "" || res.Summary == "" {
			t.Errorf("%s: incomplete method card %+v", r.Method, res.Card)
		}
		if _, err := json.Marshal(res); err != nil {
			t.Errorf("%s: %v", r.Method, err)
		}
		return res
	}
	n := lattice().Len()

	g := run(Request{Method: "grid", Params: Params{Cell: 100}})
	total := 0.0
	for _, row := range g.Table.Rows {
		total += row[len(row)-1].(float64)
	}
	if int(total) != n || g.Card.N != n {
		t.Errorf("grid: cells hold %v of %d", total, n)
	}
	// the lower-left cell holds its 4 lattice points and 50 of the extra ones
	if first := g.Table.Rows[0]; first[len(first)-1].(float64) != 54 {
		t.Errorf("grid: first cell %v, want 54", first)
	}

	gi := run(Request{Method: "getis-ord", Params: Params{Cell: 100, Permutations: intp(4999)}})
	var hot int
	for _, l := range gi.Layer.Legend {
		if l.Class == "hot" {
			hot = l.Count
		}
	}
	if hot == 0 || gi.Table.Rows[0][len(gi.Table.Rows[0])-1] != "hot" {
		t.Errorf("getis-ord: %d hot cells, first cell %v", hot, gi.Table.Rows[0])
	}
	// the same seed, the same result
	if gi2 := run(Request{Method: "getis-ord", Params: Params{Cell: 100, Permutations: intp(4999)}}); gi2.Summary != gi.Summary {
		t.Errorf("same seed, different results: %q / %q", gi.Summary, gi2.Summary)
	}

	m := run(Request{Method: "moran", Params: Params{Cell: 100, Permutations: intp(99)}})
	if !strings.Contains(m.Summary, "Global Moran's I") {
		t.Errorf("moran: %s", m.Summary)
	}
	k := run(Request{Method: "kde", Params: Params{Cell: 50, Bandwidth: 100}})
	if k.Layer == nil || len(k.Layer.Features) == 0 {
		t.Error("kde: no cell drawn")
	}
	kx := run(Request{Method: "knox", Params: Params{Iterations: intp(19)}})
	if len(kx.Charts) != 1 || len(kx.Charts[0].Rows) != 4 || len(kx.Charts[0].Cols) != 4 {
		t.Errorf("knox chart: %+v", kx.Charts)
	}
	var pairs int64
	for _, row := range kx.Table.Rows {
		pairs += row[2].(int64)
	}
	if pairs != int64(n)*int64(n-1)/2 {
		t.Errorf("knox: %d pairs, want %d", pairs, int64(n)*int64(n-1)/2)
	}
	tr := run(Request{Method: "trend", Params: Params{Interval: "month"}})
	if len(tr.Table.Rows) != 3 || tr.Card.N != n {
		t.Errorf("trend: %d months, n %d", len(tr.Table.Rows), tr.Card.N)
	}
	ch := run(Request{Method: "change", Params: Params{BeforeFrom: "2020-01", BeforeTo: "2020-01", AfterFrom: "2020-02", AfterTo: "2020-02"}})
	if ch.Card.N == 0 || ch.Table.Rows[0][4].(int)+ch.Table.Rows[1][4].(int) != ch.Card.N {
		t.Errorf("change: %+v", ch.Table.Rows)
	}

	// month-resolution dates: Knox and forecasts refuse them before any work
	p := lattice()
	p.Res[3] = trend.Month
	for _, method := range []string{"knox", "forecast"} {
		_, err := Compute(ctx, Request{Method: method}, p, nil)
		if apperr.CodeOf(err) != apperr.Invalid || !strings.Contains(err.Error(), "month-resolution") || !strings.Contains(err.Error(), "1 of the 600") {
			t.Errorf("%s on a month-resolution date: %v", method, err)
		}
	}
	// a grid too large for memory says how large
	if _, err := Compute(ctx, Request{Method: "grid", Params: Params{Cell: 0.01}}, lattice(), nil); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("huge grid: %v", err)
	}
}

func TestQuantileClasses(t *testing.T) {
	cls, legend := quantileClasses([]float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, math.NaN()}, func(v float64) string { return "x" })
	if len(legend) != 5 || cls[0] != -1 || cls[11] != -1 || cls[1] != 0 || cls[10] != 4 {
		t.Errorf("classes %v, legend %+v", cls, legend)
	}
	sum := 0
	for _, l := range legend {
		sum += l.Count
	}
	if sum != 10 {
		t.Errorf("legend counts %d cells, want 10", sum)
	}
}

// FuzzParseRequest: an analysis request from the API never panics the
// parser or the checks.
func FuzzParseRequest(f *testing.F) {
	f.Add([]byte(`{"method":"knox","params":{"space_bands":[0,100,200],"time_bands":[0,7],"iterations":99}}`))
	f.Add([]byte(`{"method":"change","params":{"before_from":"2020-01","before_to":"2020-02","after_from":"2020-03","after_to":"2020-04"}}`))
	f.Add([]byte(`{"method":"grid","filters":{"from":"2020-01-31","to":"2020-02"},"params":{"cell":-1}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseRequest(b)
		if err != nil {
			return
		}
		if err := r.Validate(); err != nil && apperr.CodeOf(err) != apperr.Invalid {
			t.Fatalf("validation error is not 'invalid': %v", err)
		}
	})
}
