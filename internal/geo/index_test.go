package geo

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"io"
	"math"
	"slices"
	"strconv"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func areasOf(t testing.TB, c *Collection) []orb.MultiPolygon {
	t.Helper()
	out := make([]orb.MultiPolygon, len(c.Features))
	for i, f := range c.Features {
		mp, ok := AsMultiPolygon(f.Geometry)
		if !ok {
			t.Fatalf("feature %d is %T, not areal", f.Index, f.Geometry)
		}
		out[i] = mp
	}
	return out
}

// brute is the reference: bounding-box filter, then orb's planar
// point-in-polygon on every area.
type brute struct {
	areas  []orb.MultiPolygon
	bounds []orb.Bound
}

func newBrute(areas []orb.MultiPolygon) *brute {
	b := &brute{areas: areas}
	for _, a := range areas {
		b.bounds = append(b.bounds, a.Bound())
	}
	return b
}

func (b *brute) locate(p orb.Point) []int {
	var out []int
	for i, mp := range b.areas {
		if b.bounds[i].Contains(p) && planar.MultiPolygonContains(mp, p) {
			out = append(out, i)
		}
	}
	return out
}

func TestAreaIndexSynthetic(t *testing.T) {
	square := func(x0, y0, x1, y1 float64) orb.Ring {
		return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
	}
	areas := []orb.MultiPolygon{
		{{square(0, 0, 10, 10), square(2, 2, 4, 4)}},             // 0: square with a hole
		{{square(10, 0, 20, 10)}},                                // 1: shares the x=10 edge with 0
		{{square(30, 30, 31, 31)}, {square(2.5, 2.5, 3.5, 3.5)}}, // 2: island inside 0's hole + far part
		{{orb.Ring{{0, 20}, {10, 20}, {5, 30}, {0, 20}}}},        // 3: triangle
		{}, // 4: empty
		{{orb.Ring{{40, 40}, {40, 40}, {40, 40}}}},   // 5: degenerate
		{{square(0, 0, 10, 10), square(5, 5, 6, 6)}}, // 6: duplicate of 0's outer with another hole
	}
	ix := NewAreaIndex(areas)
	tests := []struct {
		p    orb.Point
		want []int
	}{
		{orb.Point{1, 1}, []int{0, 6}},
		{orb.Point{3, 3}, []int{2, 6}},      // in the hole of 0, on the island of 2, inside 6
		{orb.Point{2.2, 2.2}, []int{6}},     // in the hole of 0, off the island, inside 6
		{orb.Point{5.5, 5.5}, []int{0}},     // in 6's hole
		{orb.Point{2, 3}, []int{0, 6}},      // on 0's hole boundary: boundary counts as inside
		{orb.Point{10, 5}, []int{0, 1, 6}},  // shared edge
		{orb.Point{10, 10}, []int{0, 1, 6}}, // shared vertex
		{orb.Point{0, 0}, []int{0, 6}},      // outer vertex
		{orb.Point{5, 30}, []int{3}},        // apex
		{orb.Point{2.5, 25}, []int{3}},      // on slanted edge
		{orb.Point{2.4, 25}, nil},           // just outside it
		{orb.Point{30.5, 30.5}, []int{2}},   // far part
		{orb.Point{25, 5}, nil},             // in the bound, in no area
		{orb.Point{-1, -1}, nil},            // outside the bound
		{orb.Point{math.NaN(), 1}, nil},     // NaN
		{orb.Point{40, 40}, nil},            // degenerate area ignored
		{orb.Point{9.999999, 0.000001}, []int{0, 6}},
	}
	for _, tt := range tests {
		got := ix.Locate(tt.p)
		if !slices.Equal(got, tt.want) {
			t.Errorf("Locate(%v) = %v, want %v", tt.p, got, tt.want)
		}
	}
	if ix.Len() != len(areas) {
		t.Errorf("Len %d", ix.Len())
	}
	if got := NewAreaIndex(nil).Locate(orb.Point{0, 0}); got != nil {
		t.Errorf("empty index: %v", got)
	}
}

// TestAreaIndexManchester locates every Manchester burglary in the LSOAs,
// checks the index against brute force, and compares with the LSOA code
// that data.police.uk attached to each crime.
func TestAreaIndexManchester(t *testing.T) {
	lsoa := readShapefileData(t, "uk/manchester/manchester_crime_lsoa")
	pts := readGeoJSONData(t, "uk/manchester/manc_burglary_bng.geojson")
	areas := areasOf(t, lsoa)
	ix := NewAreaIndex(areas)
	bf := newBrute(areas)
	var none, one, multi, agree int
	for _, f := range pts.Features {
		p := f.Geometry.(orb.Point)
		got := ix.Locate(p)
		if want := bf.locate(p); !slices.Equal(got, want) {
			t.Fatalf("point %d %v: index %v, brute force %v", f.Index, p, got, want)
		}
		switch len(got) {
		case 0:
			none++
		case 1:
			one++
			if lsoa.Features[got[0]].Props["code"] == f.Props["LSOA_id"] {
				agree++
			}
		default:
			multi++
		}
	}
	t.Logf("%d burglaries: %d in exactly one LSOA (%d matching the published LSOA_id), %d in none, %d in several", len(pts.Features), one, agree, none, multi)
	if one < 8000 || multi != 0 {
		t.Errorf("want nearly all points in exactly one LSOA: one=%d none=%d multi=%d", one, none, multi)
	}
	if agree < one*99/100 {
		t.Errorf("only %d of %d located LSOAs match LSOA_id", agree, one)
	}
}

// TestAreaIndexChicago assigns the WGS84 assault points to the KML police
// districts and compares with the district recorded by the police.
func TestAreaIndexChicago(t *testing.T) {
	kml := readKMLData(t, "chicago/chicago_police_districts.kml")
	areas := areasOf(t, kml)
	ix := NewAreaIndex(areas)
	bf := newBrute(areas)
	pts, districts := readAssaults(t)
	var located, agree, none int
	for i, p := range pts {
		got := ix.Locate(p)
		if i%10 == 0 {
			if want := bf.locate(p); !slices.Equal(got, want) {
				t.Fatalf("point %d %v: index %v, brute force %v", i, p, got, want)
			}
		}
		if len(got) == 0 {
			none++
			continue
		}
		located++
		if kml.Features[got[0]].Props["name"] == districts[i] {
			agree++
		}
	}
	t.Logf("%d assaults: %d located (%d in the recorded district), %d in no district", len(pts), located, agree, none)
	if float64(agree) < 0.97*float64(len(pts)) {
		t.Errorf("only %d of %d points fall in their recorded district", agree, len(pts))
	}
}

// TestSouthSideCrossCRS projects the WGS84 South Side incidents into
// EPSG:26971 and checks they fall in the South Side polygon, whose
// shapefile has an empty .prj.
func TestSouthSideCrossCRS(t *testing.T) {
	ss := readShapefileData(t, "chicago/predictcode/SouthSide/SouthSide")
	crs, err := ss.ResolveCRS("EPSG:26971")
	if err != nil {
		t.Fatal(err)
	}
	ix := NewAreaIndex(areasOf(t, ss))
	r := csv.NewReader(bytes.NewReader(readData(t, "chicago/predictcode/example.csv")))
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var in, n int
	for _, row := range rows[1:] {
		lat, err1 := strconv.ParseFloat(row[4], 64)
		lon, err2 := strconv.ParseFloat(row[5], 64)
		if err1 != nil || err2 != nil {
			continue
		}
		n++
		x, y, err := crs.FromWGS84(lon, lat)
		if err != nil {
			t.Fatal(err)
		}
		if len(ix.Locate(orb.Point{x, y})) == 1 {
			in++
		}
	}
	t.Logf("%d of %d South Side incidents fall in the South Side polygon", in, n)
	if n < 990 || in < n*95/100 {
		t.Errorf("%d of %d in the polygon", in, n)
	}
}

func TestAreaM2(t *testing.T) {
	c := readGeoJSONData(t, "uk/manchester/manchester_wards.geojson")
	var worst float64
	for _, f := range c.Features {
		mp, _ := AsMultiPolygon(f.Geometry)
		want, err := strconv.ParseFloat(f.Props["st_areasha"], 64)
		if err != nil {
			t.Fatal(err)
		}
		got := AreaM2(mp)
		worst = math.Max(worst, math.Abs(got-want)/want)
		if pa := planar.Area(mp); math.Abs(pa-got) > 1e-6*got {
			t.Errorf("ward %d: AreaM2 %v, planar.Area %v", f.Index, got, pa)
		}
	}
	t.Logf("largest relative difference from the published st_areasha: %.2g", worst)
	if worst > 1e-3 {
		t.Errorf("largest relative area difference %v", worst)
	}
	if a := AreaM2(nil); a != 0 {
		t.Errorf("AreaM2(nil) = %v", a)
	}
}

// readAssaults reads lon/lat and district of the Chicago aggravated
// assaults.
func readAssaults(t testing.TB) ([]orb.Point, []string) {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(readData(t, "chicago/chicago_aggravated_assaults.csv.gz")))
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(zr)
	head, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	var pts []orb.Point
	var ds []string
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		lon, err1 := strconv.ParseFloat(row[col["longitude"]], 64)
		lat, err2 := strconv.ParseFloat(row[col["latitude"]], 64)
		if err1 != nil || err2 != nil {
			continue
		}
		pts = append(pts, orb.Point{lon, lat})
		ds = append(ds, row[col["district"]])
	}
	return pts, ds
}

func BenchmarkAreaIndexLocate(b *testing.B) {
	kml := readKMLData(b, "chicago/chicago_police_districts.kml")
	areas := areasOf(b, kml)
	pts, _ := readAssaults(b)
	b.Run("build", func(b *testing.B) {
		for b.Loop() {
			NewAreaIndex(areas)
		}
	})
	ix := NewAreaIndex(areas)
	b.Run("all-points", func(b *testing.B) {
		var buf []int
		for b.Loop() {
			for _, p := range pts {
				buf = ix.AppendLocate(buf[:0], p)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(pts)), "ns/point")
		b.ReportMetric(float64(len(pts)), "points")
	})
	b.Run("all-points-Locate", func(b *testing.B) {
		for b.Loop() {
			for _, p := range pts {
				_ = ix.Locate(p)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(pts)), "ns/point")
	})
	b.Run("brute-force-sample", func(b *testing.B) {
		sample := pts[:2000]
		bf := newBrute(areas)
		for b.Loop() {
			for _, p := range sample {
				_ = bf.locate(p)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(sample)), "ns/point")
	})
}
