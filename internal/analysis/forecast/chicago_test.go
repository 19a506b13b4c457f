package forecast

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/icarus-city/icarus/internal/analysis/density"
	"github.com/icarus-city/icarus/internal/geo"
	"github.com/icarus-city/icarus/internal/realdata"
)

var chicago struct {
	once sync.Once
	ev   Events
	err  error
}

// chicagoAssaults loads the 148,636 Chicago aggravated assaults 2010-2019,
// projected to EPSG:26971 (metres), with their local-clock times.
func chicagoAssaults(tb testing.TB) Events {
	path := realdata.Path(tb, "chicago", "chicago_aggravated_assaults.csv.gz")
	chicago.once.Do(func() {
		chicago.err = func() error {
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			defer f.Close()
			gz, err := gzip.NewReader(bufio.NewReader(f))
			if err != nil {
				return err
			}
			rows, err := csv.NewReader(gz).ReadAll()
			if err != nil {
				return err
			}
			crs, err := geo.ParseCRS("EPSG:26971")
			if err != nil {
				return err
			}
			for i, row := range rows[1:] { // date,loc_cat,longitude,latitude,district
				t, err := time.Parse("2006-01-02 15:04", row[0])
				if err != nil {
					return fmt.Errorf("line %d: %v", i+2, err)
				}
				lon, err1 := strconv.ParseFloat(row[2], 64)
				lat, err2 := strconv.ParseFloat(row[3], 64)
				if err1 != nil || err2 != nil {
					return fmt.Errorf("line %d: bad coordinates", i+2)
				}
				x, y, err := crs.FromWGS84(lon, lat)
				if err != nil {
					return fmt.Errorf("line %d: %v", i+2, err)
				}
				chicago.ev.X = append(chicago.ev.X, x)
				chicago.ev.Y = append(chicago.ev.Y, y)
				chicago.ev.T = append(chicago.ev.T, t.Unix())
			}
			return nil
		}()
	})
	if chicago.err != nil {
		tb.Fatal(chicago.err)
	}
	return chicago.ev
}

// chicagoGrid is a 150 m grid over the assaults' bounding box.
func chicagoGrid(tb testing.TB, ev Events) Grid {
	b, _ := density.Bounds(ev.X, ev.Y)
	g, err := NewGrid(GridParams{Area: b, CellSize: 150})
	if err != nil {
		tb.Fatal(err)
	}
	return g
}

func dayOf(s string) int64 {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t.Unix() / Day
}

// One year (2019) of daily forecasts by the four methods on the real data:
// the invariants every evaluation must satisfy, and the ordering the
// literature reports (any kernel method beats yesterday's counts).
func TestChicagoYear(t *testing.T) {
	if testing.Short() {
		t.Skip("real data")
	}
	ev := chicagoAssaults(t)
	if len(ev.X) != 148636 {
		t.Fatalf("%d assaults, want 148636", len(ev.X))
	}
	g := chicagoGrid(t, ev)
	methods := []Method{Naive{}, Naive{WindowDays: 365}, Retrospective{}, Prospective{}, SpaceTimeKDE{}}
	res, err := Evaluate(context.Background(), ev, g, methods, EvalParams{Start: dayOf("2019-01-01"), End: dayOf("2020-01-01")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Periods != 365 || res.TestEvents < 10000 {
		t.Fatalf("%d periods, %d test incidents", res.Periods, res.TestEvents)
	}
	t.Logf("%d daily periods, %d test incidents, %d cells, %d incidents before 2019", res.Periods, res.TestEvents, res.CellsInArea, res.Before)
	for _, m := range res.Methods {
		prev := 0.0
		for _, c := range m.Coverages {
			if c.HitRate < prev || c.HitRate > 1 || c.PEI > 1+1e-12 || c.Hits > c.MaxHits+1e-9 || c.Events != res.TestEvents {
				t.Errorf("%s at %v: %+v", m.Card.ID, c.Coverage, c)
			}
			prev = c.HitRate
		}
		if last := m.Curve[len(m.Curve)-1]; !near(last.HitRate, 1) {
			t.Errorf("%s: the curve ends at hit rate %v, want 1", m.Card.ID, last.HitRate)
		}
		t.Logf("%-14s %s", m.Card.ID, fmtScores(m))
	}
	at5 := func(i int) float64 { return res.Methods[i].Coverages[2].HitRate }
	for i := 2; i < 5; i++ {
		if at5(i) <= at5(0) {
			t.Errorf("%s: hit rate at 5%% %.3f, no better than yesterday's counts (%.3f)", res.Methods[i].Card.ID, at5(i), at5(0))
		}
	}
}

func fmtScores(m MethodScore) string {
	s := ""
	for _, c := range m.Coverages {
		s += fmt.Sprintf(" %g%%: HR %.3f±%.3f PAI %.2f PEI %.3f |", 100*c.Coverage, c.HitRate, c.SEHitRate, c.PAI, c.PEI)
	}
	return s
}

// TestExportChicago writes the projected assaults and Icarus's prospective
// forecasts for the first days of 2019 to $ICARUS_FORECAST_EXPORT, for the
// side-by-side comparison with open_cp (bench/forecast/opencp_compare.py).
func TestExportChicago(t *testing.T) {
	dir := os.Getenv("ICARUS_FORECAST_EXPORT")
	if dir == "" {
		t.Skip("set ICARUS_FORECAST_EXPORT to a directory to export")
	}
	ev := chicagoAssaults(t)
	g := chicagoGrid(t, ev)
	f, err := os.Create(filepath.Join(dir, "events.csv"))
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "x,y,t\n")
	for i := range ev.X {
		fmt.Fprintf(w, "%s,%s,%d\n", strconv.FormatFloat(ev.X[i], 'g', -1, 64), strconv.FormatFloat(ev.Y[i], 'g', -1, 64), ev.T[i])
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	fmt.Fprintf(os.Stdout, "grid x0=%v y0=%v size=%v nx=%d ny=%d\n", g.X0, g.Y0, g.CellSize, g.NX, g.NY)
	meta, _ := os.Create(filepath.Join(dir, "grid.txt"))
	fmt.Fprintf(meta, "%s %s %v %d %d\n", strconv.FormatFloat(g.X0, 'g', -1, 64), strconv.FormatFloat(g.Y0, 'g', -1, 64), g.CellSize, g.NX, g.NY)
	meta.Close()
	start := dayOf("2019-01-01")
	for _, spec := range []struct {
		name string
		m    Method
	}{{"prospective", Prospective{}}, {"retrospective", Retrospective{}}} {
		out, _ := os.Create(filepath.Join(dir, spec.name+"_risk.csv"))
		bw := bufio.NewWriter(out)
		for d := start; d < start+7; d++ {
			s, err := Predict(ev, g, spec.m, d)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(bw, "%d", d)
			for _, v := range s.Risk {
				fmt.Fprintf(bw, ",%s", strconv.FormatFloat(v, 'g', -1, 64))
			}
			fmt.Fprintln(bw)
		}
		bw.Flush()
		out.Close()
		res, err := Evaluate(context.Background(), ev, g, []Method{spec.m}, EvalParams{Start: start, End: start + 7, Ties: TiesOpenCP, Coverages: []float64{0.01, 0.02, 0.05, 0.1, 0.2}})
		if err != nil {
			t.Fatal(err)
		}
		hf, _ := os.Create(filepath.Join(dir, spec.name+"_hits.csv"))
		for p, hr := range res.Methods[0].PeriodHitRates {
			fmt.Fprintf(hf, "%d,%d", start+int64(p), res.PeriodEvents[p])
			for _, v := range hr {
				fmt.Fprintf(hf, ",%s", strconv.FormatFloat(v*float64(res.PeriodEvents[p]), 'f', 6, 64))
			}
			fmt.Fprintln(hf)
		}
		hf.Close()
	}
	_ = math.Pi
}

// BenchmarkProspectiveYear: one year (2019) of daily prospective forecasts
// on a 150 m grid of the Chicago assaults, scored at five coverages and on
// a 100-point coverage curve.
func BenchmarkProspectiveYear(b *testing.B) {
	ev := chicagoAssaults(b)
	g := chicagoGrid(b, ev)
	p := EvalParams{Start: dayOf("2019-01-01"), End: dayOf("2020-01-01")}
	for _, m := range []Method{Prospective{}, Retrospective{}, SpaceTimeKDE{}, Naive{}} {
		b.Run(m.Card().ID, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := Evaluate(context.Background(), ev, g, []Method{m}, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
