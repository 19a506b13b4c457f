package coords

import (
	"strings"
	"testing"
)

func TestCheckMetres(t *testing.T) {
	lon := []float64{-87.94, -87.52, -87.70}
	lat := []float64{41.64, 42.02, 41.80}
	err := CheckMetres(lon, lat, 100, "distance band")
	if err == nil || !strings.Contains(err.Error(), "longitude/latitude") || !strings.Contains(err.Error(), "distance band is 100 m") {
		t.Errorf("degrees: %v", err)
	}
	for _, c := range []struct {
		xs, ys []float64
		d      float64
	}{
		{[]float64{350000, 360000}, []float64{560000, 570000}, 100}, // metres
		{lon, lat, 0.01},                         // a distance smaller than the extent
		{[]float64{0, 30}, []float64{0, 20}, 15}, // a small local system, larger than the band
		{[]float64{-87.9}, []float64{41.6}, 100}, // one point
		{[]float64{-87.9, 500}, []float64{41.6, 1}, 100},
	} {
		if err := CheckMetres(c.xs, c.ys, c.d, "band"); err != nil {
			t.Errorf("%v %v %v: %v", c.xs, c.ys, c.d, err)
		}
	}
}
