package density

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"math"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/icarus-city/icarus/internal/geo"
	"github.com/icarus-city/icarus/internal/realdata"
)

var chicago struct {
	once   sync.Once
	xs, ys []float64
	err    error
}

// chicagoAssaults loads the 148,636 Chicago aggravated assaults projected to
// EPSG:26971 (NAD83 / Illinois East, metres).
func chicagoAssaults(tb testing.TB) ([]float64, []float64) {
	path := realdata.Path(tb, "chicago", "chicago_aggravated_assaults.csv.gz")
	chicago.once.Do(func() {
		f, err := os.Open(path)
		if err != nil {
			chicago.err = err
			return
		}
		defer f.Close()
		gz, err := gzip.NewReader(bufio.NewReader(f))
		if err != nil {
			chicago.err = err
			return
		}
		r := csv.NewReader(gz)
		rows, err := r.ReadAll()
		if err != nil {
			chicago.err = err
			return
		}
		crs, err := geo.ParseCRS("EPSG:26971")
		if err != nil {
			chicago.err = err
			return
		}
		for _, row := range rows[1:] { // date,loc_cat,longitude,latitude,district
			lon, err1 := strconv.ParseFloat(row[2], 64)
			lat, err2 := strconv.ParseFloat(row[3], 64)
			if err1 != nil || err2 != nil {
				continue
			}
			x, y, err := crs.FromWGS84(lon, lat)
			if err != nil {
				continue
			}
			chicago.xs = append(chicago.xs, x)
			chicago.ys = append(chicago.ys, y)
		}
	})
	if chicago.err != nil {
		tb.Fatal(chicago.err)
	}
	return chicago.xs, chicago.ys
}

func TestChicagoKDE(t *testing.T) {
	if testing.Short() {
		t.Skip("real data")
	}
	xs, ys := chicagoAssaults(t)
	if len(xs) != 148636 {
		t.Fatalf("%d points, want 148636", len(xs))
	}
	d, err := KDE(xs, ys, KDEParams{GridParams: GridParams{CellSize: 50}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("grid %d × %d = %d cells, bandwidth %.1f m (%s), max %.1f /km², mass %.2f", d.Grid.NX, d.Grid.NY, d.Grid.Cells(), d.Bandwidth, d.BandwidthMethod, d.Max, d.MassInArea)
	// Spot check against the exact kernel sum at the densest cell.
	best := 0
	for c, v := range d.Values {
		if v > d.Values[best] {
			best = c
		}
	}
	x, y := d.Grid.Center(best)
	ex := ExactDensity(xs, ys, Gaussian, d.Bandwidth, x, y)
	t.Logf("densest cell: binned %.3f, exact %.3f per km² (rel err %.2e)", d.Values[best], ex, math.Abs(d.Values[best]-ex)/ex)
	if math.Abs(d.Values[best]-ex)/ex > 1e-3 {
		t.Errorf("binned %v vs exact %v", d.Values[best], ex)
	}
}

func BenchmarkChicagoKDE50m(b *testing.B) {
	xs, ys := chicagoAssaults(b)
	for _, k := range []Kernel{Gaussian, Quartic} {
		b.Run(string(k), func(b *testing.B) {
			for b.Loop() {
				if _, err := KDE(xs, ys, KDEParams{GridParams: GridParams{CellSize: 50}, Kernel: k}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkChicagoLCV100m(b *testing.B) {
	xs, ys := chicagoAssaults(b)
	for b.Loop() {
		d, err := KDE(xs, ys, KDEParams{GridParams: GridParams{CellSize: 100}, Selector: SelectLCV})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(d.Bandwidth, "h_m")
	}
}

func BenchmarkChicagoGridCounts(b *testing.B) {
	xs, ys := chicagoAssaults(b)
	for b.Loop() {
		if _, err := CountGrid(xs, ys, GridParams{CellSize: 50}); err != nil {
			b.Fatal(err)
		}
	}
}
