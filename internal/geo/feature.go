package geo

import (
	"fmt"
	"strings"

	"github.com/paulmach/orb"
)

// Feature is one record of a spatial file.
type Feature struct {
	// Geometry is in the source CRS coordinates as read; nil for a feature
	// without geometry (GeoJSON null geometry, shapefile null shape).
	Geometry orb.Geometry
	// Props holds the properties/attributes as strings: numbers keep their
	// source text (no precision loss), null becomes "", booleans
	// "true"/"false", nested JSON objects/arrays their compact JSON text.
	Props map[string]string
	// Index is the 1-based feature number in the file, for error messages.
	Index int
}

// Collection is the content of a spatial file.
type Collection struct {
	Features []Feature
	// CRS is the declared CRS string: a GeoJSON crs name (or "EPSG:4326"
	// when the member is absent, per RFC 7946), the .prj WKT of a shapefile
	// ("" when empty), "EPSG:4326" for KML. Parse it with ParseCRS or use
	// ResolveCRS.
	CRS string
}

// ResolveCRS parses the collection's declared CRS, or fallback when the file
// declares none. It fails with a clear message when neither is given, e.g.
// a shapefile whose .prj is missing or empty.
func (c *Collection) ResolveCRS(fallback string) (CRS, error) {
	if strings.TrimSpace(c.CRS) != "" {
		return ParseCRS(c.CRS)
	}
	if strings.TrimSpace(fallback) != "" {
		return ParseCRS(fallback)
	}
	return CRS{}, fmt.Errorf("geo: the file declares no coordinate reference system (empty or missing .prj) and none was given; pass one explicitly, e.g. \"EPSG:26971\"")
}

// Reproject returns a copy of g with every coordinate converted from one CRS
// to another via WGS84 longitude/latitude. The input is not modified. The
// first coordinate that cannot be converted stops the conversion with an
// error naming it.
func Reproject(g orb.Geometry, from, to CRS) (orb.Geometry, error) {
	if g == nil {
		return nil, nil
	}
	if from.IsZero() || to.IsZero() {
		return nil, fmt.Errorf("geo: reproject: source and target CRS are required")
	}
	same := from == to
	var err error
	conv := func(p orb.Point) orb.Point {
		if err != nil {
			return p
		}
		if same {
			if e := from.CheckXY(p[0], p[1]); e != nil {
				err = e
			}
			return p
		}
		lon, lat, e := from.ToWGS84(p[0], p[1])
		if e != nil {
			err = e
			return p
		}
		x, y, e := to.FromWGS84(lon, lat)
		if e != nil {
			err = e
			return p
		}
		return orb.Point{x, y}
	}
	out := mapGeometry(g, conv)
	if err != nil {
		return nil, fmt.Errorf("geo: reproject %s → %s: %w", from, to, err)
	}
	return out, nil
}

// mapGeometry returns a deep copy of g with f applied to every point.
func mapGeometry(g orb.Geometry, f func(orb.Point) orb.Point) orb.Geometry {
	pts := func(in []orb.Point) []orb.Point {
		out := make([]orb.Point, len(in))
		for i, p := range in {
			out[i] = f(p)
		}
		return out
	}
	poly := func(p orb.Polygon) orb.Polygon {
		out := make(orb.Polygon, len(p))
		for i, r := range p {
			out[i] = orb.Ring(pts(r))
		}
		return out
	}
	switch g := g.(type) {
	case orb.Point:
		return f(g)
	case orb.MultiPoint:
		return orb.MultiPoint(pts(g))
	case orb.LineString:
		return orb.LineString(pts(g))
	case orb.Ring:
		return orb.Ring(pts(g))
	case orb.MultiLineString:
		out := make(orb.MultiLineString, len(g))
		for i, l := range g {
			out[i] = orb.LineString(pts(l))
		}
		return out
	case orb.Polygon:
		return poly(g)
	case orb.MultiPolygon:
		out := make(orb.MultiPolygon, len(g))
		for i, p := range g {
			out[i] = poly(p)
		}
		return out
	case orb.Collection:
		out := make(orb.Collection, len(g))
		for i, c := range g {
			out[i] = mapGeometry(c, f)
		}
		return out
	case orb.Bound:
		return mapGeometry(g.ToPolygon(), f)
	}
	return nil
}

// AsMultiPolygon returns the areal part of g as a MultiPolygon: a Polygon
// becomes a one-polygon MultiPolygon, a Collection contributes all its
// polygons. ok is false when g holds no polygon.
func AsMultiPolygon(g orb.Geometry) (mp orb.MultiPolygon, ok bool) {
	switch g := g.(type) {
	case orb.Polygon:
		return orb.MultiPolygon{g}, true
	case orb.MultiPolygon:
		return g, len(g) > 0
	case orb.Collection:
		for _, c := range g {
			if m, ok := AsMultiPolygon(c); ok {
				mp = append(mp, m...)
			}
		}
		return mp, len(mp) > 0
	}
	return nil, false
}
