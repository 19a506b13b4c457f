package hotspot

import (
	"compress/gzip"
	"context"
	"encoding/csv"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/icarus-city/icarus/internal/realdata"
)

// chicagoYears counts the Chicago aggravated assaults per year (2010-2019)
// in cell × cell metre squares (equirectangular projection, adequate for
// binning at city scale): values[year][cell].
func chicagoYears(tb testing.TB, cell float64) (values [][]float64, nx, ny int) {
	tb.Helper()
	f, err := os.Open(realdata.Path(tb, "chicago", "chicago_aggravated_assaults.csv.gz"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatal(err)
	}
	rows, err := csv.NewReader(gz).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	const lat0 = 41.84 * math.Pi / 180
	const R = 6371008.8
	var xs, ys []float64
	var yr []int
	for _, rec := range rows[1:] {
		lon, e1 := strconv.ParseFloat(rec[2], 64)
		lat, e2 := strconv.ParseFloat(rec[3], 64)
		y, e3 := strconv.Atoi(rec[0][:4])
		if e1 != nil || e2 != nil || e3 != nil || y < 2010 || y > 2019 {
			tb.Fatalf("bad row %v", rec)
		}
		xs = append(xs, R*lon*math.Pi/180*math.Cos(lat0))
		ys = append(ys, R*lat*math.Pi/180)
		yr = append(yr, y-2010)
	}
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for i := range xs {
		minX, minY = min(minX, xs[i]), min(minY, ys[i])
		maxX, maxY = max(maxX, xs[i]), max(maxY, ys[i])
	}
	nx, ny = int((maxX-minX)/cell)+1, int((maxY-minY)/cell)+1
	values = make([][]float64, 10)
	for t := range values {
		values[t] = make([]float64, nx*ny)
	}
	for i := range xs {
		values[yr[i]][int((ys[i]-minY)/cell)*nx+int((xs[i]-minX)/cell)]++
	}
	return values, nx, ny
}

// Ten years of Chicago assaults on a 500 m grid: every cell gets exactly one
// pattern, and the hot-spot periods behind each pattern obey its rule.
func TestEmergingChicago(t *testing.T) {
	if testing.Short() {
		t.Skip("real data")
	}
	values, nx, ny := chicagoYears(t, 500)
	w, err := GridQueen(nx, ny)
	if err != nil {
		t.Fatal(err)
	}
	r, err := EmergingHotSpots(context.Background(), values, w, EmergingOptions{})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, p := range Patterns() {
		total += r.Counts[p]
		if r.Counts[p] > 0 {
			t.Logf("%-18s %5d", p, r.Counts[p])
		}
	}
	if total != nx*ny {
		t.Errorf("%d patterns for %d cells", total, nx*ny)
	}
	for i, p := range r.Pattern {
		last := r.Hot[9][i]
		switch p {
		case PersistentHot, IntensifyingHot, DiminishingHot:
			if !last || r.HotPeriods[i] < 9 {
				t.Fatalf("cell %d: %s with %d hot years, last %v", i, p, r.HotPeriods[i], last)
			}
		case NewHot:
			if !last || r.HotPeriods[i] != 1 {
				t.Fatalf("cell %d: new with %d hot years", i, r.HotPeriods[i])
			}
		case HistoricalHot:
			if last || r.HotPeriods[i] < 9 {
				t.Fatalf("cell %d: historical with %d hot years, last %v", i, r.HotPeriods[i], last)
			}
		}
	}
}

func BenchmarkEmergingChicago(b *testing.B) {
	values, nx, ny := chicagoYears(b, 250)
	w, err := GridQueen(nx, ny)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d cells × %d years", nx*ny, len(values))
	b.ResetTimer()
	for range b.N {
		if _, err := EmergingHotSpots(context.Background(), values, w, EmergingOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
