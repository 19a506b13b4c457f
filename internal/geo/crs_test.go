package geo

import (
	"bufio"
	"bytes"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func mustCRS(t testing.TB, s string) CRS {
	t.Helper()
	c, err := ParseCRS(s)
	if err != nil {
		t.Fatalf("ParseCRS(%q): %v", s, err)
	}
	return c
}

func TestParseCRS(t *testing.T) {
	tests := []struct {
		in         string
		code       int
		unit       string
		geographic bool
	}{
		{"EPSG:27700", 27700, UnitMetre, false},
		{"27700", 27700, UnitMetre, false},
		{" epsg:4326 ", 4326, UnitDegree, true},
		{"urn:ogc:def:crs:EPSG::27700", 27700, UnitMetre, false},
		{"urn:ogc:def:crs:EPSG:6.6:26910", 26910, UnitMetre, false},
		{"http://www.opengis.net/def/crs/EPSG/0/3857", 3857, UnitMetre, false},
		{"urn:ogc:def:crs:OGC:1.3:CRS84", 4326, UnitDegree, true},
		{"CRS84", 4326, UnitDegree, true},
		{"WGS84", 4326, UnitDegree, true},
		{"EPSG:4258", 4258, UnitDegree, true},
		{"EPSG:4269", 4269, UnitDegree, true},
		{"EPSG:26971", 26971, UnitMetre, false},
		{"EPSG:3435", 3435, UnitUSFoot, false},
		{"EPSG:26901", 26901, UnitMetre, false},
		{"EPSG:26923", 26923, UnitMetre, false},
		{"EPSG:32601", 32601, UnitMetre, false},
		{"EPSG:32760", 32760, UnitMetre, false},
		{"EPSG:25832", 25832, UnitMetre, false},
		{`GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]`, 4326, UnitDegree, true},
	}
	for _, tt := range tests {
		c, err := ParseCRS(tt.in)
		if err != nil {
			t.Errorf("ParseCRS(%q): %v", tt.in, err)
			continue
		}
		if c.Code != tt.code || c.Unit != tt.unit || c.IsGeographic() != tt.geographic {
			t.Errorf("ParseCRS(%q) = code %d unit %s geographic %v, want %d %s %v", tt.in, c.Code, c.Unit, c.IsGeographic(), tt.code, tt.unit, tt.geographic)
		}
		if c.Name == "" {
			t.Errorf("ParseCRS(%q): empty name", tt.in)
		}
	}
}

func TestParseCRSErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"EPSG:99999", "EPSG:99999 is not supported"},
		{"urn:ogc:def:crs:EPSG::99999", "EPSG:99999 is not supported"},
		{"EPSG:26924", "EPSG:26924 is not supported"},
		{"", "empty CRS"},
		{"Lambert 93", "cannot read CRS"},
		{`PROJCS["x",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Albers"],UNIT["Meter",1]]`, `projection "Albers" is not supported`},
		{`GEOGCS["Tokyo",DATUM["Tokyo",SPHEROID["Bessel 1841",6377397.155,299.1528128]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]`, `datum "Tokyo" is not supported`},
		{`GEOGCS["x",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Paris",2.33722917],UNIT["degree",0.0174532925199433]]`, "prime meridian"},
		{`GEOGCS["x",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["grad",0.01570796326794897]]`, "angular unit"},
		{`GEOGCS["x",DATUM["OSGB_1936",SPHEROID["WGS 84",6378137,298.257223563]]]`, "not the one of OSGB36"},
		{`PROJCS["x",GEOGCS["x"`, "WKT syntax error"},
		{`PROJCRS["x",BASEGEOGCRS["WGS 84"]]`, "WKT PROJCRS is not supported"},
	}
	for _, tt := range tests {
		_, err := ParseCRS(tt.in)
		errContains(t, err, tt.want)
		if err != nil && !strings.Contains(tt.want, "syntax") && !errors.Is(err, ErrUnknownCRS) {
			t.Errorf("ParseCRS(%q): error %v does not wrap ErrUnknownCRS", tt.in, err)
		}
	}
}

// TestCRSFromWKTRealPrj checks the .prj files shipped with the real data.
func TestCRSFromWKTRealPrj(t *testing.T) {
	tests := []struct {
		file string
		code int
	}{
		{"uk/manchester/manchester_crime_lsoa.prj", 27700},
		{"vancouver/Vancouver_DAs_2011_Census_UTMz10.prj", 26910},
		{"vancouver/Vancouver_Residential_Burglary_2016.prj", 26910},
	}
	for _, tt := range tests {
		c, err := CRSFromWKT(string(readData(t, tt.file)))
		if err != nil {
			t.Errorf("%s: %v", tt.file, err)
			continue
		}
		if c.Code != tt.code {
			t.Errorf("%s: code %d, want %d", tt.file, c.Code, tt.code)
		}
	}
}

func TestCRSFromWKTMatchesEPSG(t *testing.T) {
	const gcsNAD83 = `GEOGCS["GCS_North_American_1983",DATUM["D_North_American_1983",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]`
	const gcsWGS84 = `GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]`
	tm := func(gcs string, lon0, lat0, k, fe, fn float64, unit string) string {
		f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
		return `PROJCS["test",` + gcs + `,PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",` + f(fe) + `],PARAMETER["False_Northing",` + f(fn) +
			`],PARAMETER["Central_Meridian",` + f(lon0) + `],PARAMETER["Scale_Factor",` + f(k) + `],PARAMETER["Latitude_Of_Origin",` + f(lat0) + `],` + unit + `]`
	}
	tests := []struct {
		name string
		wkt  string
		code int
	}{
		{"Illinois East m", tm(gcsNAD83, -88.33333333333333, 36.66666666666666, 0.999975, 300000, 0, `UNIT["Meter",1.0]`), 26971},
		{"Illinois East ftUS", tm(gcsNAD83, -88.33333333333333, 36.66666666666666, 0.999975, 984250, 0, `UNIT["Foot_US",0.3048006096012192]`), 3435},
		{"WGS84 UTM 16N", tm(gcsWGS84, -87, 0, 0.9996, 500000, 0, `UNIT["metre",1]`), 32616},
		{"WGS84 UTM 56S", tm(gcsWGS84, 153, 0, 0.9996, 500000, 10000000, `UNIT["metre",1]`), 32756},
		{"NAD83 UTM 16N", tm(gcsNAD83, -87, 0, 0.9996, 500000, 0, `UNIT["Meter",1.0]`), 26916},
		{"custom TM", tm(gcsNAD83, -87, 10, 1, 0, 0, `UNIT["Meter",1.0]`), 0},
	}
	for _, tt := range tests {
		c, err := CRSFromWKT(tt.wkt)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if c.Code != tt.code {
			t.Errorf("%s: code %d, want %d", tt.name, c.Code, tt.code)
		}
	}
}

func dms(d, m, s float64) float64 { return d + m/60 + s/3600 }

// TestKnownPoints checks published example conversions. Projection-level
// examples use a geographic CRS on the same datum, so the datum shift
// cancels (its round trip costs < 1 cm).
func TestKnownPoints(t *testing.T) {
	texasLCC := `PROJCS["NAD27 / Texas South Central",GEOGCS["NAD27",DATUM["North_American_Datum_1927",SPHEROID["Clarke 1866",6378206.4,294.978698213898],TOWGS84[0,0,0,0,0,0,0]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Lambert_Conformal_Conic_2SP"],PARAMETER["standard_parallel_1",28.38333333333333],PARAMETER["standard_parallel_2",30.28333333333333],PARAMETER["latitude_of_origin",27.83333333333333],PARAMETER["central_meridian",-99],PARAMETER["false_easting",2000000],PARAMETER["false_northing",0],UNIT["US survey foot",0.3048006096012192]]`
	tests := []struct {
		name     string
		from, to string
		in, want orb.Point
		tol      float64 // in target units
	}{
		// Ordnance Survey, "A guide to coordinate systems in Great Britain", worked TM example (OSGB36 → National Grid).
		{"OS guide TM", "EPSG:4277", "EPSG:27700", orb.Point{dms(1, 43, 4.5177), dms(52, 39, 27.2531)}, orb.Point{651409.903, 313177.270}, 0.25},
		// IOGP Guidance Note 7-2, Transverse Mercator example (OSGB36 → British National Grid).
		{"GN7-2 TM", "EPSG:4277", "EPSG:27700", orb.Point{0.5, 50.5}, orb.Point{577274.99, 69740.50}, 0.1},
		{"GN7-2 TM inverse", "EPSG:27700", "EPSG:4277", orb.Point{577274.99, 69740.50}, orb.Point{0.5, 50.5}, 2e-6},
		// IOGP Guidance Note 7-2, Popular Visualisation Pseudo-Mercator example.
		{"GN7-2 Web Mercator", "EPSG:4326", "EPSG:3857", orb.Point{-100.333333333333, dms(24, 22, 54.433)}, orb.Point{-11169055.58, 2800000.00}, 0.01},
		// IOGP Guidance Note 7-2, Lambert Conic Conformal (2SP) example, NAD27 / Texas South Central, US survey feet.
		{"GN7-2 LCC 2SP", "EPSG:4326", texasLCC, orb.Point{-96, 28.5}, orb.Point{2963503.91, 254759.80}, 0.05},
		// UTM: the central meridian on the equator maps to the false origin.
		{"UTM 32N origin", "EPSG:4326", "EPSG:32632", orb.Point{9, 0}, orb.Point{500000, 0}, 1e-6},
		{"NAD83 UTM 10N origin", "EPSG:4269", "EPSG:26910", orb.Point{-123, 0}, orb.Point{500000, 0}, 1e-6},
		{"UTM 33S origin", "EPSG:4326", "EPSG:32733", orb.Point{15, 0}, orb.Point{500000, 10000000}, 1e-6},
		// Illinois East: the natural origin maps to the false easting.
		{"Illinois East origin", "EPSG:4269", "EPSG:26971", orb.Point{-88 - 20.0/60, 36 + 40.0/60}, orb.Point{300000, 0}, 1e-6},
		{"Illinois East ftUS origin", "EPSG:4269", "EPSG:3435", orb.Point{-88 - 20.0/60, 36 + 40.0/60}, orb.Point{984250, 0}, 1e-5},
	}
	for _, tt := range tests {
		from, to := mustCRS(t, tt.from), mustCRS(t, tt.to)
		g, err := Reproject(tt.in, from, to)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		got := g.(orb.Point)
		t.Logf("%s: error (%.4g, %.4g) %s", tt.name, got[0]-tt.want[0], got[1]-tt.want[1], to.Unit)
		if math.Abs(got[0]-tt.want[0]) > tt.tol || math.Abs(got[1]-tt.want[1]) > tt.tol {
			t.Errorf("%s: got (%.4f, %.4f), want (%.4f, %.4f) ± %g", tt.name, got[0], got[1], tt.want[0], tt.want[1], tt.tol)
		}
	}
}

// TestRoundTrip converts a point of every supported system's area to
// WGS84 and back.
func TestRoundTrip(t *testing.T) {
	type tc struct {
		code     int
		lon, lat float64
	}
	tests := []tc{{4326, -2.24, 53.48}, {4258, 9, 52}, {4269, -87.6, 41.8}, {4277, -2.24, 53.48},
		{27700, -2.24, 53.48}, {27700, 1.7, 52.6}, {27700, -6.3, 58.2}, {26971, -87.6, 41.8}, {3435, -87.6, 41.8}, {3857, 151.2, -33.9}}
	for z := 1; z <= 23; z++ {
		tests = append(tests, tc{26900 + z, float64(z*6-183) + 2.5, 45})
	}
	for z := 1; z <= 60; z++ {
		tests = append(tests, tc{32600 + z, float64(z*6-183) - 2.9, 60}, tc{32700 + z, float64(z*6-183) + 2.9, -40})
	}
	for z := 28; z <= 38; z++ {
		tests = append(tests, tc{25800 + z, float64(z*6 - 183), 50})
	}
	for _, tt := range tests {
		c := mustCRS(t, "EPSG:"+strconv.Itoa(tt.code))
		x, y, err := c.FromWGS84(tt.lon, tt.lat)
		if err != nil {
			t.Errorf("EPSG:%d FromWGS84: %v", tt.code, err)
			continue
		}
		lon, lat, err := c.ToWGS84(x, y)
		if err != nil {
			t.Errorf("EPSG:%d ToWGS84: %v", tt.code, err)
			continue
		}
		// 1e-8° ≈ 1 mm.
		if math.Abs(lon-tt.lon) > 1e-8 || math.Abs(lat-tt.lat) > 1e-8 {
			t.Errorf("EPSG:%d round trip (%v, %v) → (%v, %v) → (%.10f, %.10f)", tt.code, tt.lon, tt.lat, x, y, lon, lat)
		}
	}
}

// TestOSGBAgainstPublishedCentroids compares the Helmert-based conversion
// with the ONS ward centroids, published both as BNG easting/northing and
// as WGS84 lon/lat (ONS uses the OSTN15 grid, so this measures the accuracy
// of the 7-parameter Helmert shift).
func TestOSGBAgainstPublishedCentroids(t *testing.T) {
	c := readGeoJSONData(t, "uk/manchester/manchester_wards.geojson")
	bng := mustCRS(t, c.CRS)
	var maxErr, sum float64
	for _, f := range c.Features {
		e, _ := strconv.ParseFloat(f.Props["bng_e"], 64)
		n, _ := strconv.ParseFloat(f.Props["bng_n"], 64)
		wantLon, _ := strconv.ParseFloat(f.Props["long"], 64)
		wantLat, _ := strconv.ParseFloat(f.Props["lat"], 64)
		lon, lat, err := bng.ToWGS84(e, n)
		if err != nil {
			t.Fatalf("feature %d: %v", f.Index, err)
		}
		dx := (lon - wantLon) * 111320 * math.Cos(lat*math.Pi/180)
		dy := (lat - wantLat) * 110574
		d := math.Hypot(dx, dy)
		sum += d
		maxErr = math.Max(maxErr, d)
	}
	t.Logf("BNG→WGS84 vs ONS published centroids: mean %.2f m, max %.2f m over %d wards", sum/float64(len(c.Features)), maxErr, len(c.Features))
	if maxErr > 5 {
		t.Errorf("max error %.2f m, want < 5 m (Helmert OSGB36 accuracy)", maxErr)
	}
}

// TestChicagoBurglaryLandsInChicago converts the EPSG:26971 burglary x,y
// and checks they fall in Chicago, and that EPSG:3435 (feet) agrees.
func TestChicagoBurglaryLandsInChicago(t *testing.T) {
	data := readData(t, "chicago/chicago_burglary_2014_2017.csv")
	m, ft := mustCRS(t, "EPSG:26971"), mustCRS(t, "EPSG:3435")
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Scan() // header
	chicago := orb.Bound{Min: orb.Point{-87.95, 41.64}, Max: orb.Point{-87.52, 42.03}}
	var n int
	var sumLon, sumLat float64
	for sc.Scan() {
		parts := strings.Split(sc.Text(), ",")
		x, err1 := strconv.ParseFloat(parts[0], 64)
		y, err2 := strconv.ParseFloat(parts[1], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("bad row %q", sc.Text())
		}
		lon, lat, err := m.ToWGS84(x, y)
		if err != nil {
			t.Fatal(err)
		}
		if !chicago.Contains(orb.Point{lon, lat}) {
			t.Errorf("row %d (%v, %v) → (%v, %v) is outside Chicago", n+2, x, y, lon, lat)
		}
		if n%1000 == 0 {
			lon2, lat2, err := ft.ToWGS84(x/usSurveyFootMetres, y/usSurveyFootMetres)
			if err != nil || math.Abs(lon2-lon) > 1e-9 || math.Abs(lat2-lat) > 1e-9 {
				t.Errorf("EPSG:3435 disagrees with 26971: (%v, %v) vs (%v, %v) %v", lon2, lat2, lon, lat, err)
			}
		}
		sumLon += lon
		sumLat += lat
		n++
	}
	if n != 45319 {
		t.Errorf("%d rows, want 45319", n)
	}
	t.Logf("mean of %d Chicago burglaries: (%.4f, %.4f)", n, sumLon/float64(n), sumLat/float64(n))
	if ml, mt := sumLon/float64(n), sumLat/float64(n); math.Abs(ml+87.65) > 0.1 || math.Abs(mt-41.83) > 0.1 {
		t.Errorf("mean (%v, %v) not near Chicago (-87.65, 41.83)", ml, mt)
	}
}

func TestCheckXY(t *testing.T) {
	bng := mustCRS(t, "EPSG:27700")
	wgs := WGS84()
	tests := []struct {
		c     CRS
		x, y  float64
		wants []string
	}{
		{bng, math.NaN(), 0, []string{"x is NaN"}},
		{bng, 0, math.Inf(1), []string{"y is +Inf"}},
		{bng, -87.6, 41.8, nil}, // inside the generous BNG box (near the false origin)
		{bng, 1e7, 400000, []string{"x = 10000000 is outside the valid range", "EPSG:27700"}},
		{wgs, 384454, 404459, []string{"longitude = 384454 is outside the valid range [-180, 180]"}},
		{wgs, -2.2, 91, []string{"latitude = 91 is outside the valid range [-90, 90]"}},
		{wgs, -2.2, 53.4, nil},
	}
	for _, tt := range tests {
		err := tt.c.CheckXY(tt.x, tt.y)
		if tt.wants == nil {
			if err != nil {
				t.Errorf("CheckXY(%v, %v) on %s: %v", tt.x, tt.y, tt.c, err)
			}
			continue
		}
		errContains(t, err, tt.wants...)
	}
	if _, _, err := WGS84().ToWGS84(200, 0); err == nil {
		t.Error("ToWGS84(200, 0) on WGS84: want error")
	}
	if _, _, err := (CRS{}).ToWGS84(0, 0); err == nil {
		t.Error("zero CRS: want error")
	}
	// Chicago lon/lat projected into the British National Grid is far outside its area.
	if _, _, err := bng.FromWGS84(-87.6, 41.8); err == nil {
		t.Error("FromWGS84 Chicago into EPSG:27700: want error")
	}
}

func TestValidArea(t *testing.T) {
	tests := []struct {
		code     int
		inside   []orb.Point
		outsides []orb.Point
	}{
		{27700, []orb.Point{{384454, 404459}, {0, 0}, {700000, 1250000}}, []orb.Point{{5e6, 0}, {0, 5e6}}},
		{26971, []orb.Point{{355510, 564646}}, []orb.Point{{384454, 5404459}}},
		{26910, []orb.Point{{491000, 5455000}}, []orb.Point{{-1e6, 5455000}}},
		{4326, []orb.Point{{-180, -90}, {180, 90}}, []orb.Point{{180.1, 0}}},
	}
	for _, tt := range tests {
		c := mustCRS(t, "EPSG:"+strconv.Itoa(tt.code))
		for _, p := range tt.inside {
			if err := c.CheckXY(p[0], p[1]); err != nil {
				t.Errorf("EPSG:%d %v: %v", tt.code, p, err)
			}
		}
		for _, p := range tt.outsides {
			if err := c.CheckXY(p[0], p[1]); err == nil {
				t.Errorf("EPSG:%d %v: want out of range (valid area %v)", tt.code, p, c.ValidArea())
			}
		}
	}
}

func TestMetricCRSFor(t *testing.T) {
	tests := []struct {
		name string
		b    orb.Bound
		code int
	}{
		{"Manchester", orb.Bound{Min: orb.Point{-2.32, 53.34}, Max: orb.Point{-2.14, 53.55}}, 27700},
		{"London", orb.Bound{Min: orb.Point{-0.5, 51.3}, Max: orb.Point{0.3, 51.7}}, 27700},
		{"Belfast", orb.Bound{Min: orb.Point{-6.05, 54.55}, Max: orb.Point{-5.8, 54.65}}, 32630},
		{"Dublin", orb.Bound{Min: orb.Point{-6.4, 53.25}, Max: orb.Point{-6.1, 53.45}}, 32629},
		{"Chicago", orb.Bound{Min: orb.Point{-87.94, 41.64}, Max: orb.Point{-87.52, 42.02}}, 32616},
		{"Vancouver", orb.Bound{Min: orb.Point{-123.23, 49.2}, Max: orb.Point{-123.02, 49.3}}, 32610},
		{"Sydney", orb.Bound{Min: orb.Point{150.9, -34.1}, Max: orb.Point{151.3, -33.7}}, 32756},
		{"antimeridian edge", orb.Bound{Min: orb.Point{180, 0}, Max: orb.Point{180, 1}}, 32660},
	}
	for _, tt := range tests {
		c := MetricCRSFor(tt.b)
		if c.Code != tt.code || c.Unit != UnitMetre || c.IsGeographic() {
			t.Errorf("%s: %s, want EPSG:%d metric", tt.name, c, tt.code)
		}
	}
}

func BenchmarkToWGS84(b *testing.B) {
	for _, tc := range []struct {
		code int
		x, y float64
	}{{27700, 384454, 404459}, {26971, 355510, 564646}, {26910, 491000, 5455000}, {4326, -2.2, 53.4}} {
		c := mustCRS(b, "EPSG:"+strconv.Itoa(tc.code))
		b.Run(strconv.Itoa(tc.code), func(b *testing.B) {
			for b.Loop() {
				_, _, _ = c.ToWGS84(tc.x, tc.y)
			}
		})
		b.Run(strconv.Itoa(tc.code)+"-from", func(b *testing.B) {
			for b.Loop() {
				_, _, _ = c.FromWGS84(-2.2, 53.4)
			}
		})
	}
}
