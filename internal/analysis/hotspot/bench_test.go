package hotspot

import (
	"compress/gzip"
	"encoding/csv"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/icarus-city/icarus/internal/realdata"
)

// chicagoGrid counts the 148,636 Chicago aggravated assaults (2010-2019) in
// 100 m cells over their bounding box, with a simple equirectangular
// projection to metres (adequate for binning at city scale).
func chicagoGrid(tb testing.TB, cell float64) (y []float64, nx, ny int) {
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
	r := csv.NewReader(gz)
	r.ReuseRecord = true
	if _, err := r.Read(); err != nil {
		tb.Fatal(err)
	}
	var xs, ys []float64
	const lat0 = 41.84 * math.Pi / 180
	const R = 6371008.8
	for {
		rec, err := r.Read()
		if err != nil {
			break
		}
		lon, e1 := strconv.ParseFloat(rec[2], 64)
		lat, e2 := strconv.ParseFloat(rec[3], 64)
		if e1 != nil || e2 != nil {
			tb.Fatalf("bad row %v", rec)
		}
		xs = append(xs, R*lon*math.Pi/180*math.Cos(lat0))
		ys = append(ys, R*lat*math.Pi/180)
	}
	if len(xs) != 148636 {
		tb.Fatalf("%d assaults", len(xs))
	}
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for i := range xs {
		minX, minY = min(minX, xs[i]), min(minY, ys[i])
		maxX, maxY = max(maxX, xs[i]), max(maxY, ys[i])
	}
	nx, ny = int((maxX-minX)/cell)+1, int((maxY-minY)/cell)+1
	y = make([]float64, nx*ny)
	for i := range xs {
		y[int((ys[i]-minY)/cell)*nx+int((xs[i]-minX)/cell)]++
	}
	return y, nx, ny
}

// BenchmarkGiStarChicago is Gi* with 999 conditional permutations on the
// 100 m grid of Chicago aggravated assaults, queen contiguity.
func BenchmarkGiStarChicago(b *testing.B) {
	y, nx, ny := chicagoGrid(b, 100)
	w, err := GridQueen(nx, ny)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d × %d = %d cells", nx, ny, len(y))
	b.ResetTimer()
	for range b.N {
		if _, err := LocalG(y, w, LocalGOptions{Star: true, Transform: Binary, Permutations: 999, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
