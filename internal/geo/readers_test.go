package geo

import (
	"bytes"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func geomTypes(c *Collection) map[string]int {
	m := map[string]int{}
	for _, f := range c.Features {
		if f.Geometry == nil {
			m["null"]++
			continue
		}
		m[f.Geometry.GeoJSONType()]++
	}
	return m
}

func TestReadRealFiles(t *testing.T) {
	dataDir(t)
	tests := []struct {
		name    string
		read    func(t testing.TB) *Collection
		n       int
		types   map[string]int
		crsCode int // 0: no CRS declared
		props   []string
	}{
		{"LSOA shapefile", func(t testing.TB) *Collection { return readShapefileData(t, "uk/manchester/manchester_crime_lsoa") },
			282, map[string]int{"Polygon": 282}, 27700, []string{"code", "name", "count"}},
		{"wards GeoJSON", func(t testing.TB) *Collection { return readGeoJSONData(t, "uk/manchester/manchester_wards.geojson") },
			215, map[string]int{"Polygon": 215}, 27700, []string{"wd16cd", "wd16nm", "lad16nm"}},
		{"burglary GeoJSON", func(t testing.TB) *Collection { return readGeoJSONData(t, "uk/manchester/manc_burglary_bng.geojson") },
			8144, map[string]int{"Point": 8144}, 27700, []string{"LSOA_id", "LSOA_name", "crime_type", "month"}},
		{"Chicago districts KML", func(t testing.TB) *Collection { return readKMLData(t, "chicago/chicago_police_districts.kml") },
			25, map[string]int{"MultiPolygon": 25}, 4326, []string{"name", "description"}},
		{"SouthSide shapefile", func(t testing.TB) *Collection { return readShapefileData(t, "chicago/predictcode/SouthSide/SouthSide") },
			1, map[string]int{"Polygon": 1}, 0, []string{"name"}},
		{"Vancouver DAs", func(t testing.TB) *Collection {
			return readShapefileData(t, "vancouver/Vancouver_DAs_2011_Census_UTMz10")
		},
			991, map[string]int{"Polygon": 990, "MultiPolygon": 1}, 26910, []string{"DAUID", "CSDNAME"}},
		{"Vancouver burglary 2003", func(t testing.TB) *Collection {
			return readShapefileData(t, "vancouver/Vancouver_Residential_Burglary_2003")
		},
			6883, map[string]int{"Point": 6883}, 26910, []string{"TYPE", "YEAR", "MONTH", "N_HOOD"}},
		{"Vancouver burglary 2016", func(t testing.TB) *Collection {
			return readShapefileData(t, "vancouver/Vancouver_Residential_Burglary_2016")
		},
			2994, map[string]int{"Point": 2994}, 26910, []string{"TYPE", "YEAR", "MONTH", "N_HOOD"}},
		{"Vancouver neighbourhoods", func(t testing.TB) *Collection {
			return readGeoJSONData(t, "vancouver/vancouver_neighbourhoods.geojson")
		},
			22, map[string]int{"Polygon": 22}, 4326, []string{"name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.read(t)
			if len(c.Features) != tt.n {
				t.Fatalf("%d features, want %d", len(c.Features), tt.n)
			}
			got := geomTypes(c)
			for k, v := range tt.types {
				if got[k] != v {
					t.Errorf("geometry types %v, want %v", got, tt.types)
					break
				}
			}
			crs, err := c.ResolveCRS("")
			if tt.crsCode == 0 {
				errContains(t, err, "declares no coordinate reference system", "pass one explicitly")
				crs = mustCRS(t, "EPSG:26971")
			} else if err != nil || crs.Code != tt.crsCode {
				t.Fatalf("CRS %q → %v, %v; want EPSG:%d", c.CRS, crs, err, tt.crsCode)
			}
			for i, f := range c.Features {
				if f.Index != i+1 {
					t.Fatalf("feature %d has Index %d", i+1, f.Index)
				}
				for _, p := range tt.props {
					if _, ok := f.Props[p]; !ok {
						t.Fatalf("feature %d lacks property %q (has %v)", f.Index, p, f.Props)
					}
				}
				// Every coordinate must be valid in the declared CRS.
				var bad error
				mapGeometry(f.Geometry, func(p orb.Point) orb.Point {
					if bad == nil {
						bad = crs.CheckXY(p[0], p[1])
					}
					return p
				})
				if bad != nil {
					t.Fatalf("feature %d: %v", f.Index, bad)
				}
			}
		})
	}
}

func TestLSOAAttributes(t *testing.T) {
	c := readShapefileData(t, "uk/manchester/manchester_crime_lsoa")
	codes := map[string]bool{}
	for _, f := range c.Features {
		code, name := f.Props["code"], f.Props["name"]
		if !strings.HasPrefix(code, "E01") || len(code) != 9 || !strings.HasPrefix(name, "Manchester ") {
			t.Fatalf("feature %d: code %q name %q", f.Index, code, name)
		}
		if _, err := strconv.Atoi(f.Props["count"]); err != nil {
			t.Fatalf("feature %d: count %q is not an integer", f.Index, f.Props["count"])
		}
		codes[code] = true
	}
	if len(codes) != 282 {
		t.Errorf("%d distinct LSOA codes, want 282", len(codes))
	}
	if f := c.Features[0]; f.Props["code"] != "E01005066" || f.Props["name"] != "Manchester 018E" {
		t.Errorf("first LSOA = %v", f.Props)
	}
}

// TestKMLDistrictNames records the real placemark names: 25 placemarks but
// 23 districts, because district 31 (O'Hare airport) has three placemarks
// and Chicago has no districts 13, 21 and 23.
func TestKMLDistrictNames(t *testing.T) {
	c := readKMLData(t, "chicago/chicago_police_districts.kml")
	count := map[string]int{}
	holes := 0
	for _, f := range c.Features {
		count[f.Props["name"]]++
		if f.Props["description"] != "District "+f.Props["name"] {
			t.Errorf("placemark %d: description %q for name %q", f.Index, f.Props["description"], f.Props["name"])
		}
		for _, p := range f.Geometry.(orb.MultiPolygon) {
			holes += len(p) - 1
		}
	}
	var names []int
	for n := range count {
		v, err := strconv.Atoi(n)
		if err != nil {
			t.Fatalf("district name %q is not a number", n)
		}
		names = append(names, v)
	}
	sort.Ints(names)
	want := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16, 17, 18, 19, 20, 22, 24, 25, 31}
	if !slices.Equal(names, want) {
		t.Errorf("district names %v, want %v", names, want)
	}
	if count["31"] != 3 {
		t.Errorf("district 31 has %d placemarks, want 3", count["31"])
	}
	if holes != 3 {
		t.Errorf("%d inner boundaries, want 3", holes)
	}
}

// TestReprojectedBounds measures where the projected data lands in WGS84.
func TestReprojectedBounds(t *testing.T) {
	wgs := WGS84()
	bound := func(t *testing.T, c *Collection, crs CRS) orb.Bound {
		var b orb.Bound
		for i, f := range c.Features {
			g, err := Reproject(f.Geometry, crs, wgs)
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				b = g.Bound()
			}
			b = b.Union(g.Bound())
		}
		return b
	}
	near := func(a, b orb.Bound, tol float64) bool {
		for i := 0; i < 2; i++ {
			if abs(a.Min[i]-b.Min[i]) > tol || abs(a.Max[i]-b.Max[i]) > tol {
				return false
			}
		}
		return true
	}
	t.Run("Manchester LSOAs", func(t *testing.T) {
		c := readShapefileData(t, "uk/manchester/manchester_crime_lsoa")
		b := bound(t, c, mustCRS(t, c.CRS))
		t.Logf("LSOA bound in WGS84: %v", b)
		want := orb.Bound{Min: orb.Point{-2.31990, 53.34011}, Max: orb.Point{-2.14683, 53.54459}}
		if !near(b, want, 0.0001) {
			t.Errorf("bound %v, want ≈ %v", b, want)
		}
	})
	t.Run("Vancouver DAs vs neighbourhoods", func(t *testing.T) {
		das := readShapefileData(t, "vancouver/Vancouver_DAs_2011_Census_UTMz10")
		nb := readGeoJSONData(t, "vancouver/vancouver_neighbourhoods.geojson")
		b1 := bound(t, das, mustCRS(t, das.CRS))
		b2 := bound(t, nb, wgs)
		t.Logf("DAs %v, neighbourhoods %v", b1, b2)
		// Same city outline from two sources; the DAs also cover Stanley
		// Park's north shore (49.314 vs 49.296), hence 0.02° (~2 km).
		if !near(b1, b2, 0.02) {
			t.Errorf("DA bound %v and neighbourhood bound %v differ", b1, b2)
		}
	})
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

func TestReadShapefileErrors(t *testing.T) {
	shp := readData(t, "uk/manchester/manchester_crime_lsoa.shp")
	dbf := readData(t, "uk/manchester/manchester_crime_lsoa.dbf")
	ssDBF := readData(t, "chicago/predictcode/SouthSide/SouthSide.dbf")
	badCode := append([]byte{}, shp...)
	badCode[3] = 0
	tests := []struct {
		name     string
		shp, dbf []byte
		wants    []string
	}{
		{"empty shp", nil, dbf, []string{"shorter than the 100-byte header"}},
		{"header only half", shp[:50], dbf, []string{"shorter than the 100-byte header"}},
		{"truncated shp", shp[:100000], dbf, []string{"truncated"}},
		{"not a shapefile", badCode, dbf, []string{"file code"}},
		{"mismatched dbf", shp, ssDBF, []string{"282 records", ".dbf has 1"}},
		{"truncated dbf", shp, dbf[:5000], []string{".dbf", "truncated"}},
		{"tiny dbf", shp, dbf[:10], []string{".dbf", "32-byte header"}},
	}
	for _, tt := range tests {
		_, err := ReadShapefile(bytes.NewReader(tt.shp), bytes.NewReader(tt.dbf), "")
		errContains(t, err, tt.wants...)
	}
	// A record whose header claims more points than it holds.
	s := buildSHP(shpPolygon, []shpRecord{{parts: [][]orb.Point{{{0, 0}, {0, 1}, {1, 1}, {0, 0}}}}})
	s[100+8+40] = 0xff // nPoints low byte
	_, err := ReadShapefile(bytes.NewReader(s), nil, "")
	errContains(t, err, "record 1", "points")
}

func TestReadShapefileSynthetic(t *testing.T) {
	cw := func(x0, y0, x1, y1 float64) []orb.Point { // clockwise: outer
		return []orb.Point{{x0, y0}, {x0, y1}, {x1, y1}, {x1, y0}, {x0, y0}}
	}
	ccw := func(x0, y0, x1, y1 float64) []orb.Point { // counter-clockwise: hole
		return []orb.Point{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
	}
	// Two outers, the hole listed first and belonging to the second outer;
	// a nested island inside the big hole's outer is also an outer.
	shp := buildSHP(shpPolygon, []shpRecord{
		{parts: [][]orb.Point{ccw(12, 2, 18, 8), cw(0, 0, 10, 10), cw(10, 0, 20, 10)}},
		{parts: [][]orb.Point{cw(0, 0, 1, 1)}},
		{null: true},
	})
	dbf := buildDBF([]dbfField{{"NAME", 'C', 10}, {"N", 'N', 8}, {"D", 'D', 8}, {"L", 'L', 1}, {"F", 'F', 10}}, [][]string{
		{"Caf\xe9", "  12.50", "20170131", "T", "**********"},
		{"Straße", "-3", "00000000", "?", " 1.5e3"},
		{"  pad  ", "", "2017", "n", ""},
	})
	c, err := ReadShapefile(bytes.NewReader(shp), bytes.NewReader(dbf), " \ufeff ")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Features) != 3 {
		t.Fatalf("%d features", len(c.Features))
	}
	mp, ok := c.Features[0].Geometry.(orb.MultiPolygon)
	if !ok || len(mp) != 2 || len(mp[0]) != 1 || len(mp[1]) != 2 {
		t.Fatalf("feature 1 = %#v, want MultiPolygon [outer] [outer, hole]", c.Features[0].Geometry)
	}
	if got := AreaM2(mp); got != 100+100-36 {
		t.Errorf("area %v, want 164", got)
	}
	if _, ok := c.Features[1].Geometry.(orb.Polygon); !ok {
		t.Errorf("feature 2 = %T, want Polygon", c.Features[1].Geometry)
	}
	if c.Features[2].Geometry != nil {
		t.Errorf("null shape → %v, want nil", c.Features[2].Geometry)
	}
	want := []map[string]string{
		{"NAME": "Café", "N": "12.50", "D": "2017-01-31", "L": "true", "F": ""},
		{"NAME": "Straße", "N": "-3", "D": "", "L": "", "F": "1.5e3"},
		{"NAME": "pad", "N": "", "D": "2017", "L": "false", "F": ""},
	}
	for i, w := range want {
		for k, v := range w {
			if got := c.Features[i].Props[k]; got != v {
				t.Errorf("feature %d %s = %q, want %q", i+1, k, got, v)
			}
		}
	}
	if c.CRS != "" {
		t.Errorf("CRS %q, want empty", c.CRS)
	}

	// Points, multipoints and lines.
	pts := buildSHP(shpPoint, []shpRecord{{parts: [][]orb.Point{{{1, 2}}}}})
	if c, err := ReadShapefile(bytes.NewReader(pts), nil, ""); err != nil || c.Features[0].Geometry != (orb.Point{1, 2}) {
		t.Errorf("point: %v %v", c, err)
	}
	mpts := buildSHP(shpMultiPoint, []shpRecord{{parts: [][]orb.Point{{{1, 2}, {3, 4}}}}})
	if c, err := ReadShapefile(bytes.NewReader(mpts), nil, ""); err != nil || len(c.Features[0].Geometry.(orb.MultiPoint)) != 2 {
		t.Errorf("multipoint: %v %v", c, err)
	}
	lines := buildSHP(shpPolyLine, []shpRecord{{parts: [][]orb.Point{{{0, 0}, {1, 1}}, {{2, 2}, {3, 3}}}}, {parts: [][]orb.Point{{{0, 0}, {1, 1}}}}})
	c, err = ReadShapefile(bytes.NewReader(lines), nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Features[0].Geometry.(orb.MultiLineString); !ok {
		t.Errorf("polyline 1: %T", c.Features[0].Geometry)
	}
	if _, ok := c.Features[1].Geometry.(orb.LineString); !ok {
		t.Errorf("polyline 2: %T", c.Features[1].Geometry)
	}
}

func TestReadGeoJSONVariants(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		crs   string
		geom  orb.Geometry
		props map[string]string
	}{
		{"bare point", `{"type":"Point","coordinates":[1.5,2,3]}`, "EPSG:4326", orb.Point{1.5, 2}, map[string]string{}},
		{"single feature", `{"type":"Feature","properties":{"a":1.0,"b":null,"c":true,"d":"x","e":{"k":[1, 2]},"f":12345678901234567890},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}`,
			"EPSG:4326", orb.LineString{{0, 0}, {1, 1}}, map[string]string{"a": "1.0", "b": "", "c": "true", "d": "x", "e": `{"k":[1,2]}`, "f": "12345678901234567890"}},
		{"null geometry", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":null,"geometry":null}]}`, "EPSG:4326", nil, map[string]string{}},
		{"legacy EPSG crs", `{"type":"FeatureCollection","crs":{"type":"EPSG","properties":{"code":27700}},"features":[{"type":"Feature","properties":{},"geometry":{"type":"MultiPoint","coordinates":[[1,2]]}}]}`,
			"EPSG:27700", orb.MultiPoint{{1, 2}}, map[string]string{}},
		{"unclosed ring closed", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1]]]}`, "EPSG:4326", orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}, map[string]string{}},
		{"collection", `{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]},{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]]}]}`,
			"EPSG:4326", orb.Collection{orb.Point{1, 2}, orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}}}, map[string]string{}},
	}
	for _, tt := range tests {
		c, err := ReadGeoJSON(strings.NewReader(tt.in))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if c.CRS != tt.crs || len(c.Features) != 1 || c.Features[0].Index != 1 {
			t.Errorf("%s: crs %q, %d features", tt.name, c.CRS, len(c.Features))
			continue
		}
		f := c.Features[0]
		if tt.geom == nil {
			if f.Geometry != nil {
				t.Errorf("%s: geometry %v, want nil", tt.name, f.Geometry)
			}
		} else if f.Geometry == nil || !orbEqual(f.Geometry, tt.geom) {
			t.Errorf("%s: geometry %#v, want %#v", tt.name, f.Geometry, tt.geom)
		}
		if len(f.Props) != len(tt.props) {
			t.Errorf("%s: props %v, want %v", tt.name, f.Props, tt.props)
		}
		for k, v := range tt.props {
			if f.Props[k] != v {
				t.Errorf("%s: prop %s = %q, want %q", tt.name, k, f.Props[k], v)
			}
		}
	}
}

func orbEqual(a, b orb.Geometry) bool {
	return strings.EqualFold(fmtGeom(a), fmtGeom(b))
}

func fmtGeom(g orb.Geometry) string {
	var sb strings.Builder
	sb.WriteString(g.GeoJSONType())
	mapGeometry(g, func(p orb.Point) orb.Point {
		sb.WriteString(" " + strconv.FormatFloat(p[0], 'g', -1, 64) + "," + strconv.FormatFloat(p[1], 'g', -1, 64))
		return p
	})
	return sb.String()
}

func TestReadGeoJSONErrors(t *testing.T) {
	fc := func(feats ...string) string {
		return `{"type":"FeatureCollection","features":[` + strings.Join(feats, ",") + `]}`
	}
	ok := `{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,2]}}`
	tests := []struct {
		name  string
		in    string
		wants []string
	}{
		{"syntax", `{"type":"FeatureCollection",`, []string{"invalid JSON"}},
		{"NaN literal", `{"type":"Point","coordinates":[NaN,1]}`, []string{"invalid JSON"}},
		{"no type", `{}`, []string{"missing \"type\""}},
		{"arity", fc(ok, `{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1]}}`), []string{"feature 2", "position has 1 numbers"}},
		{"null coordinate", fc(ok, ok, `{"type":"Feature","geometry":{"type":"LineString","coordinates":[[0,0],[null,1]]}}`), []string{"feature 3", "position 2", "null"}},
		{"NaN string", fc(`{"type":"Feature","geometry":{"type":"Point","coordinates":["NaN",1]}}`), []string{"feature 1"}},
		{"overflow", fc(`{"type":"Feature","geometry":{"type":"Point","coordinates":[1e999,1]}}`), []string{"feature 1"}},
		{"short ring", fc(ok, `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1],[0,0]]]}}`), []string{"feature 2", "ring 1", "want at least 4"}},
		{"unknown geometry", fc(`{"type":"Feature","geometry":{"type":"Circle","coordinates":[0,0]}}`), []string{"feature 1", "unknown geometry type \"Circle\""}},
		{"not a feature", fc(ok, `{"type":"Point","coordinates":[1,2]}`), []string{"feature 2", "want \"Feature\""}},
		{"missing coordinates", fc(`{"type":"Feature","geometry":{"type":"Polygon"}}`), []string{"feature 1", "no \"coordinates\""}},
		{"bad crs", `{"type":"FeatureCollection","crs":{"type":"link","properties":{}},"features":[]}`, []string{"crs member of type \"link\""}},
		{"wrong depth", fc(`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[0,0],[1,1]]}}`), []string{"feature 1", "Polygon"}},
	}
	for _, tt := range tests {
		_, err := ReadGeoJSON(strings.NewReader(tt.in))
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		errContains(t, err, tt.wants...)
	}
}

const sampleKML = `<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>doc</name>
<Schema name="s" id="s"><SimpleField name="pop" type="int"/></Schema>
<Folder><name>f</name><Folder>
 <Placemark><name>A &amp; B</name><description><![CDATA[<b>bold</b>]]></description>
  <ExtendedData><Data name="beat"><displayName>Beat</displayName><value>0111</value></Data>
   <SchemaData schemaUrl="#s"><SimpleData name="pop">42</SimpleData></SchemaData></ExtendedData>
  <Point><coordinates> -87.6, 41.8,0 </coordinates></Point></Placemark>
</Folder></Folder>
<Placemark><name>poly</name><Polygon><outerBoundaryIs><LinearRing><coordinates>0,0 4,0 4,4 0,4 0,0</coordinates></LinearRing></outerBoundaryIs>
 <innerBoundaryIs><LinearRing><coordinates>1,1 1,2 2,2 2,1 1,1</coordinates></LinearRing></innerBoundaryIs></Polygon></Placemark>
<Placemark><MultiGeometry><Point><coordinates>1,2</coordinates></Point><LineString><coordinates>0,0 1,1</coordinates></LineString></MultiGeometry></Placemark>
</Document></kml>`

func TestReadKMLSynthetic(t *testing.T) {
	c, err := ReadKML(strings.NewReader(sampleKML))
	if err != nil {
		t.Fatal(err)
	}
	if c.CRS != "EPSG:4326" || len(c.Features) != 3 {
		t.Fatalf("crs %q, %d features", c.CRS, len(c.Features))
	}
	f := c.Features[0]
	if f.Props["name"] != "A & B" || f.Props["description"] != "<b>bold</b>" || f.Props["beat"] != "0111" || f.Props["pop"] != "42" {
		t.Errorf("props %v", f.Props)
	}
	if f.Geometry != (orb.Point{-87.6, 41.8}) {
		t.Errorf("point %v", f.Geometry)
	}
	p, ok := c.Features[1].Geometry.(orb.Polygon)
	if !ok || len(p) != 2 || AreaM2(orb.MultiPolygon{p}) != 15 {
		t.Errorf("polygon %v", c.Features[1].Geometry)
	}
	if coll, ok := c.Features[2].Geometry.(orb.Collection); !ok || len(coll) != 2 {
		t.Errorf("mixed MultiGeometry %T", c.Features[2].Geometry)
	}
}

func TestReadKMLErrors(t *testing.T) {
	pm := func(body string) string {
		return `<kml><Document><Placemark><name>ok</name><Point><coordinates>1,2</coordinates></Point></Placemark><Placemark>` + body + `</Placemark></Document></kml>`
	}
	tests := []struct {
		name  string
		in    string
		wants []string
	}{
		{"bad number", pm(`<Point><coordinates>1,x</coordinates></Point>`), []string{"placemark 2", "not a finite number"}},
		{"one number", pm(`<Point><coordinates>1</coordinates></Point>`), []string{"placemark 2", "want lon,lat"}},
		{"out of range", pm(`<Point><coordinates>384454,404459</coordinates></Point>`), []string{"placemark 2", "outside lon"}},
		{"no outer", pm(`<Polygon></Polygon>`), []string{"placemark 2", "no outerBoundaryIs"}},
		{"short ring", pm(`<Polygon><outerBoundaryIs><LinearRing><coordinates>0,0 1,1</coordinates></LinearRing></outerBoundaryIs></Polygon>`), []string{"placemark 2", "want at least 4"}},
		{"truncated", `<kml><Placemark><name>x</name><Point><coordinates>1,2`, []string{"placemark 1"}},
		{"not kml", `<html><body/></html>`, []string{"not a KML document"}},
	}
	for _, tt := range tests {
		_, err := ReadKML(strings.NewReader(tt.in))
		errContains(t, err, tt.wants...)
	}
}
