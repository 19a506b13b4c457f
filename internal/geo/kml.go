package geo

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// maxKMLDepth bounds nested MultiGeometry elements.
const maxKMLDepth = 16

// ReadKML reads the Placemarks of a KML document, at any depth inside
// Document and Folder elements. Each placemark becomes a feature with
// props "name" and "description" (when present) plus its ExtendedData
// (Data/value by name attribute, SchemaData/SimpleData by name attribute).
// Geometries: Point, LineString, LinearRing (as a polygon), Polygon (outer
// and inner boundaries) and MultiGeometry (MultiPoint, MultiLineString,
// MultiPolygon when homogeneous, else a Collection). Coordinates are KML
// lon,lat[,alt]; Collection.CRS is always "EPSG:4326". Errors name the
// 1-based placemark number.
func ReadKML(r io.Reader) (*Collection, error) {
	dec := xml.NewDecoder(r)
	dec.Strict = false
	dec.CharsetReader = func(charset string, input io.Reader) (io.Reader, error) {
		switch strings.ToLower(charset) {
		case "utf-8", "utf8", "us-ascii", "ascii":
			return input, nil
		case "iso-8859-1", "latin1", "latin-1", "windows-1252":
			return &latin1Reader{r: input}, nil
		}
		return nil, fmt.Errorf("unsupported charset %q", charset)
	}
	coll := &Collection{CRS: "EPSG:4326", Features: []Feature{}}
	sawKML := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("kml: after placemark %d: %w", len(coll.Features), err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "kml":
			sawKML = true
		case "Placemark":
			idx := len(coll.Features) + 1
			f, err := readPlacemark(dec, idx)
			if err != nil {
				return nil, fmt.Errorf("kml: placemark %d: %w", idx, err)
			}
			coll.Features = append(coll.Features, f)
		}
	}
	if !sawKML && len(coll.Features) == 0 {
		return nil, errors.New("kml: no <kml> element found (not a KML document)")
	}
	return coll, nil
}

// latin1Reader decodes ISO-8859-1 bytes to UTF-8.
type latin1Reader struct {
	r   io.Reader
	buf []byte
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	for len(l.buf) == 0 {
		tmp := make([]byte, max(1, len(p)/2))
		n, err := l.r.Read(tmp)
		for _, c := range tmp[:n] {
			l.buf = append(l.buf, string(rune(c))...)
		}
		if n == 0 && err != nil {
			return 0, err
		}
	}
	n := copy(p, l.buf)
	l.buf = l.buf[n:]
	return n, nil
}

func readText(dec *xml.Decoder) (string, error) {
	var b strings.Builder
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			b.Write(t)
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth == 0 {
				return strings.TrimSpace(b.String()), nil
			}
			depth--
		}
	}
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func readPlacemark(dec *xml.Decoder, idx int) (Feature, error) {
	f := Feature{Index: idx, Props: map[string]string{}}
	var geoms []orb.Geometry
	for {
		tok, err := dec.Token()
		if err != nil {
			return f, unexpectedEOF(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			switch len(geoms) {
			case 0:
			case 1:
				f.Geometry = geoms[0]
			default:
				f.Geometry = combine(geoms)
			}
			return f, nil
		case xml.StartElement:
			switch t.Name.Local {
			case "name", "description":
				s, err := readText(dec)
				if err != nil {
					return f, unexpectedEOF(err)
				}
				f.Props[t.Name.Local] = s
			case "ExtendedData":
				if err := readExtendedData(dec, f.Props); err != nil {
					return f, err
				}
			case "Point", "LineString", "LinearRing", "Polygon", "MultiGeometry":
				g, err := readKMLGeometry(dec, t, 0)
				if err != nil {
					return f, err
				}
				if g != nil {
					geoms = append(geoms, g)
				}
			default:
				if err := dec.Skip(); err != nil {
					return f, unexpectedEOF(err)
				}
			}
		}
	}
}

func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func readExtendedData(dec *xml.Decoder, props map[string]string) error {
	for {
		tok, err := dec.Token()
		if err != nil {
			return unexpectedEOF(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if t.Name.Local == "ExtendedData" {
				return nil
			}
		case xml.StartElement:
			switch t.Name.Local {
			case "Data":
				name := attr(t, "name")
				val := ""
				if err := func() error {
					for {
						tok, err := dec.Token()
						if err != nil {
							return unexpectedEOF(err)
						}
						switch u := tok.(type) {
						case xml.StartElement:
							if u.Name.Local == "value" {
								s, err := readText(dec)
								if err != nil {
									return unexpectedEOF(err)
								}
								val = s
							} else if err := dec.Skip(); err != nil {
								return unexpectedEOF(err)
							}
						case xml.EndElement:
							return nil
						}
					}
				}(); err != nil {
					return err
				}
				if name != "" {
					props[name] = val
				}
			case "SimpleData":
				name := attr(t, "name")
				s, err := readText(dec)
				if err != nil {
					return unexpectedEOF(err)
				}
				if name != "" {
					props[name] = s
				}
			}
			// SchemaData and other wrappers: descend.
		}
	}
}

func readKMLGeometry(dec *xml.Decoder, se xml.StartElement, depth int) (orb.Geometry, error) {
	if depth > maxKMLDepth {
		return nil, fmt.Errorf("MultiGeometry nested more than %d levels", maxKMLDepth)
	}
	switch se.Name.Local {
	case "Point", "LineString", "LinearRing":
		var pts []orb.Point
		for {
			tok, err := dec.Token()
			if err != nil {
				return nil, unexpectedEOF(err)
			}
			switch t := tok.(type) {
			case xml.StartElement:
				if t.Name.Local == "coordinates" {
					s, err := readText(dec)
					if err != nil {
						return nil, unexpectedEOF(err)
					}
					p, err := parseKMLCoordinates(s)
					if err != nil {
						return nil, fmt.Errorf("%s: %w", se.Name.Local, err)
					}
					pts = p
				} else if err := dec.Skip(); err != nil {
					return nil, unexpectedEOF(err)
				}
			case xml.EndElement:
				switch se.Name.Local {
				case "Point":
					if len(pts) != 1 {
						return nil, fmt.Errorf("Point has %d coordinates, want 1", len(pts))
					}
					return pts[0], nil
				case "LineString":
					if len(pts) < 2 {
						return nil, fmt.Errorf("LineString has %d coordinates, want at least 2", len(pts))
					}
					return orb.LineString(pts), nil
				default:
					r, err := kmlRing(pts)
					if err != nil {
						return nil, fmt.Errorf("LinearRing: %w", err)
					}
					return orb.Polygon{r}, nil
				}
			}
		}
	case "Polygon":
		var outer orb.Ring
		var inner []orb.Ring
		for {
			tok, err := dec.Token()
			if err != nil {
				return nil, unexpectedEOF(err)
			}
			switch t := tok.(type) {
			case xml.StartElement:
				switch t.Name.Local {
				case "outerBoundaryIs", "innerBoundaryIs":
					rings, err := readBoundary(dec)
					if err != nil {
						return nil, fmt.Errorf("Polygon %s: %w", t.Name.Local, err)
					}
					if t.Name.Local == "outerBoundaryIs" {
						if len(rings) != 1 || outer != nil {
							return nil, fmt.Errorf("Polygon needs exactly one outer boundary LinearRing")
						}
						outer = rings[0]
					} else {
						inner = append(inner, rings...)
					}
				default:
					if err := dec.Skip(); err != nil {
						return nil, unexpectedEOF(err)
					}
				}
			case xml.EndElement:
				if outer == nil {
					return nil, fmt.Errorf("Polygon has no outerBoundaryIs")
				}
				return append(orb.Polygon{outer}, inner...), nil
			}
		}
	case "MultiGeometry":
		var geoms []orb.Geometry
		for {
			tok, err := dec.Token()
			if err != nil {
				return nil, unexpectedEOF(err)
			}
			switch t := tok.(type) {
			case xml.StartElement:
				switch t.Name.Local {
				case "Point", "LineString", "LinearRing", "Polygon", "MultiGeometry":
					g, err := readKMLGeometry(dec, t, depth+1)
					if err != nil {
						return nil, fmt.Errorf("MultiGeometry: geometry %d: %w", len(geoms)+1, err)
					}
					if g != nil {
						geoms = append(geoms, g)
					}
				default:
					if err := dec.Skip(); err != nil {
						return nil, unexpectedEOF(err)
					}
				}
			case xml.EndElement:
				if len(geoms) == 0 {
					return nil, nil
				}
				return combine(geoms), nil
			}
		}
	}
	return nil, dec.Skip()
}

// readBoundary reads the LinearRing(s) of an outer/innerBoundaryIs element.
func readBoundary(dec *xml.Decoder) ([]orb.Ring, error) {
	var rings []orb.Ring
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, unexpectedEOF(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "LinearRing" {
				if err := dec.Skip(); err != nil {
					return nil, unexpectedEOF(err)
				}
				continue
			}
			g, err := readKMLGeometry(dec, t, 0)
			if err != nil {
				return nil, err
			}
			rings = append(rings, g.(orb.Polygon)[0])
		case xml.EndElement:
			return rings, nil
		}
	}
}

func kmlRing(pts []orb.Point) (orb.Ring, error) {
	if len(pts) > 0 && pts[0] != pts[len(pts)-1] {
		pts = append(pts, pts[0])
	}
	if len(pts) < 4 {
		return nil, fmt.Errorf("ring has %d coordinates, want at least 4", len(pts))
	}
	return orb.Ring(pts), nil
}

// combine turns several geometries into the matching multi-geometry.
func combine(geoms []orb.Geometry) orb.Geometry {
	var (
		mp  orb.MultiPoint
		mls orb.MultiLineString
		mpo orb.MultiPolygon
	)
	for _, g := range geoms {
		switch g := g.(type) {
		case orb.Point:
			mp = append(mp, g)
		case orb.MultiPoint:
			mp = append(mp, g...)
		case orb.LineString:
			mls = append(mls, g)
		case orb.MultiLineString:
			mls = append(mls, g...)
		case orb.Polygon:
			mpo = append(mpo, g)
		case orb.MultiPolygon:
			mpo = append(mpo, g...)
		}
	}
	switch {
	case len(mp) > 0 && len(mls) == 0 && len(mpo) == 0:
		return mp
	case len(mls) > 0 && len(mp) == 0 && len(mpo) == 0:
		return mls
	case len(mpo) > 0 && len(mp) == 0 && len(mls) == 0:
		return mpo
	}
	return orb.Collection(geoms)
}

// parseKMLCoordinates parses "lon,lat[,alt] lon,lat[,alt] ...". Tuples are
// separated by whitespace; spaces after commas are tolerated.
func parseKMLCoordinates(s string) ([]orb.Point, error) {
	fields := strings.Fields(s)
	// Re-join tuples broken by a space after a comma ("1, 2").
	var tuples []string
	for _, f := range fields {
		if n := len(tuples); n > 0 && (strings.HasSuffix(tuples[n-1], ",") || strings.HasPrefix(f, ",")) {
			tuples[n-1] += f
			continue
		}
		tuples = append(tuples, f)
	}
	pts := make([]orb.Point, 0, len(tuples))
	for i, t := range tuples {
		parts := strings.Split(t, ",")
		if len(parts) < 2 || len(parts) > 3 {
			return nil, fmt.Errorf("coordinate %d %q: want lon,lat[,alt]", i+1, truncate(t, 40))
		}
		var p orb.Point
		for j := 0; j < 2; j++ {
			v, err := strconv.ParseFloat(parts[j], 64)
			if err != nil || !finite(v) {
				return nil, fmt.Errorf("coordinate %d %q: %q is not a finite number", i+1, truncate(t, 40), truncate(parts[j], 40))
			}
			p[j] = v
		}
		if p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
			return nil, fmt.Errorf("coordinate %d (%s, %s) is outside lon [-180, 180], lat [-90, 90]", i+1, fmtNum(p[0]), fmtNum(p[1]))
		}
		pts = append(pts, p)
	}
	return pts, nil
}
