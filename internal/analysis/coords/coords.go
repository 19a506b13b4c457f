// Package coords holds the checks the distance-based methods share on their
// input coordinates. It is pure: no I/O.
package coords

import (
	"fmt"
	"math"
)

// MaxDegreeSpan is the largest extent, in coordinate units, of point sets
// that CheckMetres may take for longitude/latitude degrees: 5 degrees is
// about 550 km, more than any city.
const MaxDegreeSpan = 5.0

// CheckMetres reports coordinates that look like longitude/latitude degrees
// given to a method that measures distances in metres: every finite point
// lies within ±180 (x) and ±90 (y), the points span at most MaxDegreeSpan
// in both directions, and the distance parameter dist (a band, a bandwidth,
// a cell size; named by what) is larger than that whole span, so that it
// would make no sense in metres. It returns nil otherwise, and for fewer
// than 2 finite points. The error says what was seen and what to do.
func CheckMetres(xs, ys []float64, dist float64, what string) error {
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	n := 0
	for i := range xs {
		x, y := xs[i], ys[i]
		if math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
			continue
		}
		if math.Abs(x) > 180 || math.Abs(y) > 90 {
			return nil
		}
		minX, maxX = math.Min(minX, x), math.Max(maxX, x)
		minY, maxY = math.Min(minY, y), math.Max(maxY, y)
		n++
	}
	if n < 2 {
		return nil
	}
	span := math.Max(maxX-minX, maxY-minY)
	if span > MaxDegreeSpan || !(dist > span) {
		return nil
	}
	return fmt.Errorf("the coordinates look like longitude/latitude degrees (x from %g to %g, y from %g to %g) but the %s is %g m, more than the whole extent: project the coordinates to metres first (e.g. give their CRS with --crs)",
		minX, maxX, minY, maxY, what, dist)
}
