package nearrepeat

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/icarus-city/icarus/internal/realdata"
)

// chicagoBurglary is the 45,319 Chicago residential burglaries 2014-2017.
func chicagoBurglary(b testing.TB) (x, y, d []float64) {
	return readXYDate(b, filepath.Join(realdata.Dir(b), "chicago", "chicago_burglary_2014_2017.csv"), true)
}

// BenchmarkKnoxChicago999 is the speed target: all 45,319 events,
// 0,100,200,300 m × 0,2,4 days, 999 permutations.
func BenchmarkKnoxChicago999(b *testing.B) {
	x, y, d := chicagoBurglary(b)
	opt := Options{SpaceEdges: []float64{0, 100, 200, 300}, TimeEdges: []int{0, 2, 4}, Metric: Euclidean, Iterations: 999, Seed: 1}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Knox(context.Background(), x, y, d, opt); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkKnoxChicagoObserved is the setup alone: close pairs, totals and
// the observed table.
func BenchmarkKnoxChicagoObserved(b *testing.B) {
	x, y, d := chicagoBurglary(b)
	opt := Options{SpaceEdges: []float64{0, 100, 200, 300}, TimeEdges: []int{0, 2, 4}, Metric: Euclidean}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Knox(context.Background(), x, y, d, opt); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkKnoxChicagoNRC99 is a typical Near Repeat Calculator run on the
// whole file: Manhattan, 100 m × 3 and 7 days × 3, 99 permutations.
func BenchmarkKnoxChicagoNRC99(b *testing.B) {
	x, y, d := chicagoBurglary(b)
	opt := Options{SpaceEdges: []float64{0, 100, 200, 300}, TimeEdges: []int{0, 7, 14, 21}, Metric: Manhattan, NRC: true, Iterations: 99, Seed: 1}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Knox(context.Background(), x, y, d, opt); err != nil {
			b.Fatal(err)
		}
	}
}
