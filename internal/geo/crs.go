package geo

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/wroge/wgs84"
)

// Linear units reported in CRS.Unit.
const (
	UnitDegree = "degree"
	UnitMetre  = "metre"
	UnitUSFoot = "us-ft"
	UnitFoot   = "ft"
)

// Conversion factors from a linear unit to metres.
const (
	usSurveyFootMetres = 1200.0 / 3937.0
	footMetres         = 0.3048
)

// ErrUnknownCRS is wrapped by the errors of ParseCRS and CRSFromWKT when the
// system is not supported or not recognised.
var ErrUnknownCRS = errors.New("unsupported coordinate reference system")

// CRS is a coordinate reference system: geographic (lon/lat degrees) or
// projected (easting/northing in metres or feet). The zero value is not
// usable; build one with ParseCRS or CRSFromWKT.
//
// Coordinates are always handled in x/east/longitude, y/north/latitude order,
// whatever axis order the EPSG registry declares (GeoJSON and shapefile
// practice). CRS values are comparable with ==.
type CRS struct {
	// Code is the EPSG code, or 0 for a system built from WKT whose
	// parameters match no supported EPSG code.
	Code int
	// Name is a human-readable name, e.g. "OSGB36 / British National Grid".
	Name string
	// Unit is the unit of the coordinates: "degree", "metre", "us-ft" or "ft".
	Unit string

	geographic bool
	datum      wgs84.Datum      // spheroid + shift to WGS84 (Area stripped so CRS stays comparable)
	proj       wgs84.Projection // nil for geographic systems
	toMetre    float64          // linear unit → metre (projected only)
	area       orb.Bound        // area of use in WGS84 lon/lat
	valid      orb.Bound        // generous valid box in the CRS's own coordinates
}

// String returns "EPSG:<code> (<name>)", or the name alone for a system
// without an EPSG code.
func (c CRS) String() string {
	if c.Code == 0 {
		return c.Name
	}
	return fmt.Sprintf("EPSG:%d (%s)", c.Code, c.Name)
}

// IsGeographic reports whether coordinates are longitude/latitude degrees.
func (c CRS) IsGeographic() bool { return c.geographic }

// IsZero reports whether c is the zero value (no system).
func (c CRS) IsZero() bool { return c.datum.Spheroid == nil }

// ValidArea returns the area in which coordinates of this CRS are
// plausible, in the CRS's own coordinates. For a geographic CRS it is
// lon [-180, 180] × lat [-90, 90]; for a projected CRS it is a generous box
// around the projection of its EPSG area of use (padded by about one degree
// and 5 %), so importers can reject data declared in the wrong CRS.
func (c CRS) ValidArea() orb.Bound { return c.valid }

// CheckXY returns an error when x or y is NaN, infinite or outside
// ValidArea. The message names the offending value and the valid range.
func (c CRS) CheckXY(x, y float64) error {
	if c.IsZero() {
		return fmt.Errorf("geo: no coordinate reference system given")
	}
	xn, yn := "x", "y"
	if c.geographic {
		xn, yn = "longitude", "latitude"
	}
	for _, v := range []struct {
		name     string
		val      float64
		min, max float64
	}{
		{xn, x, c.valid.Min[0], c.valid.Max[0]},
		{yn, y, c.valid.Min[1], c.valid.Max[1]},
	} {
		if math.IsNaN(v.val) || math.IsInf(v.val, 0) {
			return fmt.Errorf("geo: %s is %v, not a finite number", v.name, v.val)
		}
		if v.val < v.min || v.val > v.max {
			return fmt.Errorf("geo: %s = %s is outside the valid range [%s, %s] of %s",
				v.name, fmtNum(v.val), fmtNum(v.min), fmtNum(v.max), c)
		}
	}
	return nil
}

func fmtNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// ToWGS84 converts a coordinate of c into WGS84 longitude/latitude degrees.
// It returns an error when the input fails CheckXY or the result is not
// finite.
func (c CRS) ToWGS84(x, y float64) (lon, lat float64, err error) {
	if err := c.CheckXY(x, y); err != nil {
		return 0, 0, err
	}
	if c.geographic {
		lon, lat = x, y
	} else {
		lon, lat = c.inverse(x*c.toMetre, y*c.toMetre)
	}
	lon, lat = c.datumToWGS84(lon, lat)
	if !finite(lon) || !finite(lat) {
		return 0, 0, fmt.Errorf("geo: %s: (%s, %s) has no WGS84 equivalent", c, fmtNum(x), fmtNum(y))
	}
	return lon, lat, nil
}

// FromWGS84 converts WGS84 longitude/latitude degrees into coordinates of c.
// It returns an error when lon/lat are not finite or out of range, or when
// the result falls outside c's ValidArea.
func (c CRS) FromWGS84(lon, lat float64) (x, y float64, err error) {
	if c.IsZero() {
		return 0, 0, fmt.Errorf("geo: no coordinate reference system given")
	}
	if err := WGS84().CheckXY(lon, lat); err != nil {
		return 0, 0, err
	}
	lon, lat = c.datumFromWGS84(lon, lat)
	if c.geographic {
		x, y = lon, lat
	} else {
		e, n := c.proj.FromLonLat(lon, lat, c.datum)
		x, y = e/c.toMetre, n/c.toMetre
	}
	if err := c.CheckXY(x, y); err != nil {
		return 0, 0, fmt.Errorf("geo: WGS84 (%s, %s) is outside the area of %s: %w", fmtNum(lon), fmtNum(lat), c, err)
	}
	return x, y, nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// datumToWGS84 shifts lon/lat on c's datum to WGS84 lon/lat with the
// library's geocentric (Helmert) transformation; datums without one (NAD83,
// ETRS89) are treated as coincident with WGS84, as the library does.
func (c CRS) datumToWGS84(lon, lat float64) (float64, float64) {
	if c.datum.Transformation == nil {
		return lon, lat
	}
	x, y, z := c.datum.LonLat().ToWGS84(lon, lat, 0)
	lon, lat, _ = wgs84.LonLat().FromWGS84(x, y, z)
	return lon, lat
}

// datumFromWGS84 inverts datumToWGS84. The library inverts a Helmert
// shift by negating its parameters, which is exact only to first order
// (a few millimetres); one fixed-point correction against the forward shift
// makes the round trip exact to well under a millimetre.
func (c CRS) datumFromWGS84(lon, lat float64) (float64, float64) {
	if c.datum.Transformation == nil {
		return lon, lat
	}
	x, y, z := wgs84.LonLat().ToWGS84(lon, lat, 0)
	dl, dp, _ := c.datum.LonLat().FromWGS84(x, y, z)
	for i := 0; i < 2; i++ {
		fl, fp := c.datumToWGS84(dl, dp)
		dl += lon - fl
		dp += lat - fp
	}
	return dl, dp
}

// inverse converts projected metres to lon/lat on c's datum. The library's
// inverse Transverse Mercator series carries a small error that grows with
// the distance from the central meridian (it evaluates a 3/2 power as 1), so
// the result is refined by fixed-point iteration against the library's
// forward projection until the forward image matches to a micrometre.
func (c CRS) inverse(e, n float64) (lon, lat float64) {
	lon, lat = c.proj.ToLonLat(e, n, c.datum)
	te, tn := e, n
	for i := 0; i < 6; i++ {
		fe, fn := c.proj.FromLonLat(lon, lat, c.datum)
		de, dn := e-fe, n-fn
		if !finite(de) || !finite(dn) || (math.Abs(de) < 1e-6 && math.Abs(dn) < 1e-6) {
			break
		}
		te += de
		tn += dn
		lon, lat = c.proj.ToLonLat(te, tn, c.datum)
	}
	return lon, lat
}

// WGS84 returns EPSG:4326, WGS 84 longitude/latitude.
func WGS84() CRS {
	c, _ := crsForCode(4326)
	return c
}

// ParseCRS parses a CRS designation: "EPSG:27700", "epsg:27700", "27700",
// "urn:ogc:def:crs:EPSG::27700" (any version), an OGC http URI
// ("http://www.opengis.net/def/crs/EPSG/0/27700"),
// "urn:ogc:def:crs:OGC:1.3:CRS84", "CRS84", "OGC:CRS84", "WGS84", "WGS 84",
// or a WKT string (see CRSFromWKT). Unsupported codes give an error wrapping
// ErrUnknownCRS.
func ParseCRS(s string) (CRS, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return CRS{}, fmt.Errorf("geo: empty CRS: %w", ErrUnknownCRS)
	}
	if looksLikeWKT(t) {
		return CRSFromWKT(t)
	}
	u := strings.ToUpper(t)
	switch u {
	case "CRS84", "OGC:CRS84", "URN:OGC:DEF:CRS:OGC:1.3:CRS84", "URN:OGC:DEF:CRS:OGC::CRS84",
		"HTTP://WWW.OPENGIS.NET/DEF/CRS/OGC/1.3/CRS84", "WGS84", "WGS 84", "WGS-84":
		c := WGS84()
		if strings.Contains(u, "CRS84") {
			c.Name = "WGS 84 (CRS84)"
		}
		return c, nil
	}
	num := ""
	switch {
	case strings.HasPrefix(u, "EPSG:"):
		num = u[len("EPSG:"):]
	case strings.HasPrefix(u, "URN:OGC:DEF:CRS:EPSG:"):
		// urn:ogc:def:crs:EPSG:<version>:<code>, version may be empty.
		rest := u[len("URN:OGC:DEF:CRS:EPSG:"):]
		i := strings.LastIndexByte(rest, ':')
		if i < 0 {
			return CRS{}, fmt.Errorf("geo: malformed CRS URN %q: %w", s, ErrUnknownCRS)
		}
		num = rest[i+1:]
	case strings.HasPrefix(u, "HTTP://WWW.OPENGIS.NET/DEF/CRS/EPSG/"), strings.HasPrefix(u, "HTTPS://WWW.OPENGIS.NET/DEF/CRS/EPSG/"):
		num = u[strings.LastIndexByte(u, '/')+1:]
	default:
		num = u
	}
	code, err := strconv.Atoi(strings.TrimSpace(num))
	if err != nil || code <= 0 {
		return CRS{}, fmt.Errorf("geo: cannot read CRS %q (want e.g. \"EPSG:27700\", a URN or WKT): %w", truncate(s, 80), ErrUnknownCRS)
	}
	c, ok := crsForCode(code)
	if !ok {
		return CRS{}, fmt.Errorf("geo: EPSG:%d is not supported (supported: 4326, 4258, 4269, 4277, 27700, 26971, 3435, 3857, 269xx NAD83 UTM zones 1-23, 326xx/327xx WGS84 UTM, 258xx ETRS89 UTM zones 28-38): %w", code, ErrUnknownCRS)
	}
	return c, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// MetricCRSFor returns a metric projected CRS suited to an area given by its
// WGS84 lon/lat bound: the British National Grid (EPSG:27700) when the bound
// lies within Great Britain, otherwise the WGS84 UTM zone (EPSG:326xx north,
// 327xx south) of the bound's centre. The Norway/Svalbard UTM exceptions are
// not applied (the standard 6° zone is still metric and accurate there).
func MetricCRSFor(b orb.Bound) CRS {
	if inGreatBritain(b) {
		c, _ := crsForCode(27700)
		return c
	}
	ctr := b.Center()
	lon, lat := ctr[0], ctr[1]
	if !finite(lon) || !finite(lat) {
		lon, lat = 0, 0
	}
	lon = math.Max(-180, math.Min(180, lon))
	zone := int(math.Floor((lon+180)/6)) + 1
	if zone > 60 {
		zone = 60
	}
	if zone < 1 {
		zone = 1
	}
	code := 32600 + zone
	if lat < 0 {
		code = 32700 + zone
	}
	c, _ := crsForCode(code)
	return c
}

// inGreatBritain reports whether b lies in the area of use of the British
// National Grid (England, Scotland, Wales) and its centre is not on the
// island of Ireland (Northern Ireland and Ireland use other grids).
func inGreatBritain(b orb.Bound) bool {
	gb := orb.Bound{Min: orb.Point{-9, 49.75}, Max: orb.Point{2.01, 61.01}}
	if !gb.Contains(b.Min) || !gb.Contains(b.Max) {
		return false
	}
	c := b.Center()
	ireland := c[0] < -5.4 && c[1] >= 51.3 && c[1] <= 55.45 && !(c[0] > -5.95 && c[1] > 55.2) // Kintyre is Scottish
	return !ireland
}

// crsForCode builds the CRS of a supported EPSG code.
func crsForCode(code int) (CRS, bool) {
	world := orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}
	switch code {
	case 4326:
		return geographicCRS(code, "WGS 84", wgs84.WGS84(), world), true
	case 4258:
		return geographicCRS(code, "ETRS89", wgs84.ETRS89(), world), true
	case 4269:
		return geographicCRS(code, "NAD83", wgs84.NAD83(), world), true
	case 4277:
		return geographicCRS(code, "OSGB36", wgs84.OSGB36(), world), true
	case 27700:
		return projectedCRS(code, "OSGB36 / British National Grid", wgs84.OSGB36NationalGrid(), UnitMetre,
			orb.Bound{Min: orb.Point{-9.01, 49.75}, Max: orb.Point{2.01, 61.01}}), true
	case 26971, 3435:
		// NAD83 / Illinois East (EPSG method 9807): lat0 36°40'N, lon0 88°20'W,
		// k0 0.999975, FE 300000 m (984250 ftUS for 3435), FN 0.
		p := wgs84.NAD83().TransverseMercator(-88-20.0/60, 36+40.0/60, 0.999975, 300000, 0)
		area := orb.Bound{Min: orb.Point{-89.28, 37.06}, Max: orb.Point{-87.02, 42.5}}
		if code == 3435 {
			return projectedCRS(code, "NAD83 / Illinois East (ftUS)", p, UnitUSFoot, area), true
		}
		return projectedCRS(code, "NAD83 / Illinois East", p, UnitMetre, area), true
	case 3857:
		return projectedCRS(code, "WGS 84 / Pseudo-Mercator", wgs84.WebMercator(), UnitMetre,
			orb.Bound{Min: orb.Point{-180, -85.06}, Max: orb.Point{180, 85.06}}), true
	}
	switch {
	case code >= 26901 && code <= 26923:
		z := code - 26900
		p := wgs84.NAD83().TransverseMercator(float64(z*6-183), 0, 0.9996, 500000, 0)
		return projectedCRS(code, fmt.Sprintf("NAD83 / UTM zone %dN", z), p, UnitMetre, utmArea(z, true)), true
	case code >= 32601 && code <= 32660:
		z := code - 32600
		return projectedCRS(code, fmt.Sprintf("WGS 84 / UTM zone %dN", z), wgs84.UTM(float64(z), true), UnitMetre, utmArea(z, true)), true
	case code >= 32701 && code <= 32760:
		z := code - 32700
		return projectedCRS(code, fmt.Sprintf("WGS 84 / UTM zone %dS", z), wgs84.UTM(float64(z), false), UnitMetre, utmArea(z, false)), true
	case code >= 25828 && code <= 25838:
		z := code - 25800
		return projectedCRS(code, fmt.Sprintf("ETRS89 / UTM zone %dN", z), wgs84.ETRS89UTM(float64(z)), UnitMetre, utmArea(z, true)), true
	}
	return CRS{}, false
}

func utmArea(zone int, north bool) orb.Bound {
	w := float64(zone*6 - 186)
	if north {
		return orb.Bound{Min: orb.Point{w, 0}, Max: orb.Point{w + 6, 84}}
	}
	return orb.Bound{Min: orb.Point{w, -80}, Max: orb.Point{w + 6, 0}}
}

// bareDatum drops the library's area predicate (a func, which would make
// CRS values incomparable); areas of use are kept in CRS.area instead.
func bareDatum(d wgs84.Datum) wgs84.Datum {
	return wgs84.Datum{Spheroid: d.Spheroid, Transformation: d.Transformation}
}

func geographicCRS(code int, name string, d wgs84.Datum, area orb.Bound) CRS {
	return CRS{
		Code: code, Name: name, Unit: UnitDegree,
		geographic: true,
		datum:      bareDatum(d),
		area:       area,
		valid:      orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}},
	}
}

func projectedCRS(code int, name string, p wgs84.ProjectedReferenceSystem, unit string, area orb.Bound) CRS {
	c := CRS{
		Code: code, Name: name, Unit: unit,
		datum:   bareDatum(p.Datum),
		proj:    p.Projection,
		toMetre: unitToMetre(unit),
		area:    area,
	}
	c.valid = c.computeValid()
	return c
}

func unitToMetre(unit string) float64 {
	switch unit {
	case UnitUSFoot:
		return usSurveyFootMetres
	case UnitFoot:
		return footMetres
	}
	return 1
}

// computeValid projects a grid over the area of use widened by one degree
// and returns its envelope padded by 5 %.
func (c CRS) computeValid() orb.Bound {
	a := c.area
	latLim := 89.0
	if c.Code == 3857 {
		latLim = 85.06
	}
	minLon, maxLon := math.Max(-180, a.Min[0]-1), math.Min(180, a.Max[0]+1)
	minLat, maxLat := math.Max(-latLim, a.Min[1]-1), math.Min(latLim, a.Max[1]+1)
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	const n = 12
	for i := 0; i <= n; i++ {
		for j := 0; j <= n; j++ {
			lon := minLon + (maxLon-minLon)*float64(i)/n
			lat := minLat + (maxLat-minLat)*float64(j)/n
			dl, dp := c.datumFromWGS84(lon, lat)
			e, no := c.proj.FromLonLat(dl, dp, c.datum)
			x, y := e/c.toMetre, no/c.toMetre
			if !finite(x) || !finite(y) {
				continue
			}
			b = b.Extend(orb.Point{x, y})
		}
	}
	if !finite(b.Min[0]) || !finite(b.Max[0]) {
		return orb.Bound{Min: orb.Point{-1e8, -1e8}, Max: orb.Point{1e8, 1e8}}
	}
	dx, dy := (b.Max[0]-b.Min[0])*0.05, (b.Max[1]-b.Min[1])*0.05
	b.Min[0] -= dx
	b.Max[0] += dx
	b.Min[1] -= dy
	b.Max[1] += dy
	return b
}
