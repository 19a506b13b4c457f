package geo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

type gjObject struct {
	Type        string            `json:"type"`
	Features    []json.RawMessage `json:"features"`
	Geometry    json.RawMessage   `json:"geometry"`
	Properties  json.RawMessage   `json:"properties"`
	Coordinates json.RawMessage   `json:"coordinates"`
	Geometries  []json.RawMessage `json:"geometries"`
	CRS         json.RawMessage   `json:"crs"`
}

// maxGeoJSONDepth bounds GeometryCollection nesting.
const maxGeoJSONDepth = 16

// ReadGeoJSON reads a GeoJSON FeatureCollection, a single Feature or a bare
// geometry (which becomes one feature without properties). Geometries keep
// the file's coordinates. The legacy "crs" member (type "name", or "EPSG"
// with a code) sets Collection.CRS; without it CRS is "EPSG:4326", the
// RFC 7946 default. Errors name the 1-based feature number and what is
// wrong; positions with fewer than two numbers, null or out-of-range
// numbers, and rings with fewer than four positions are rejected. Unclosed
// rings are closed.
func ReadGeoJSON(r io.Reader) (*Collection, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("geojson: read: %w", err)
	}
	var top gjObject
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("geojson: %w", jsonErr(data, err))
	}
	coll := &Collection{CRS: "EPSG:4326"}
	if len(top.CRS) > 0 && !isJSONNull(top.CRS) {
		crs, err := readGeoJSONCRS(top.CRS)
		if err != nil {
			return nil, err
		}
		coll.CRS = crs
	}
	switch top.Type {
	case "FeatureCollection":
		coll.Features = make([]Feature, 0, len(top.Features))
		for i, raw := range top.Features {
			var fo gjObject
			if err := json.Unmarshal(raw, &fo); err != nil {
				return nil, fmt.Errorf("geojson: feature %d: %w", i+1, err)
			}
			if fo.Type != "Feature" {
				return nil, fmt.Errorf("geojson: feature %d: type is %q, want \"Feature\"", i+1, truncate(fo.Type, 40))
			}
			f, err := readGeoJSONFeature(&fo, i+1)
			if err != nil {
				return nil, err
			}
			coll.Features = append(coll.Features, f)
		}
	case "Feature":
		f, err := readGeoJSONFeature(&top, 1)
		if err != nil {
			return nil, err
		}
		coll.Features = []Feature{f}
	case "":
		return nil, fmt.Errorf("geojson: missing \"type\" member at top level")
	default:
		g, err := readGeoJSONGeometry(&top, 0)
		if err != nil {
			return nil, fmt.Errorf("geojson: feature 1: %w", err)
		}
		coll.Features = []Feature{{Geometry: g, Props: map[string]string{}, Index: 1}}
	}
	return coll, nil
}

func jsonErr(data []byte, err error) error {
	if se, ok := err.(*json.SyntaxError); ok {
		line := 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte{'\n'})
		return fmt.Errorf("invalid JSON at byte %d (line %d): %w", se.Offset, line, err)
	}
	return err
}

func isJSONNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

func readGeoJSONCRS(raw json.RawMessage) (string, error) {
	var c struct {
		Type       string `json:"type"`
		Properties struct {
			Name string          `json:"name"`
			Code json.RawMessage `json:"code"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return "", fmt.Errorf("geojson: crs member: %w", err)
	}
	switch strings.ToLower(c.Type) {
	case "name":
		if strings.TrimSpace(c.Properties.Name) == "" {
			return "", fmt.Errorf("geojson: crs member of type \"name\" has no properties.name")
		}
		return c.Properties.Name, nil
	case "epsg":
		code := strings.Trim(strings.TrimSpace(string(c.Properties.Code)), "\"")
		if code == "" {
			return "", fmt.Errorf("geojson: crs member of type \"EPSG\" has no properties.code")
		}
		return "EPSG:" + code, nil
	}
	return "", fmt.Errorf("geojson: crs member of type %q is not supported (want \"name\")", truncate(c.Type, 40))
}

func readGeoJSONFeature(fo *gjObject, idx int) (Feature, error) {
	f := Feature{Index: idx, Props: map[string]string{}}
	if len(fo.Properties) > 0 && !isJSONNull(fo.Properties) {
		var props map[string]json.RawMessage
		if err := json.Unmarshal(fo.Properties, &props); err != nil {
			return f, fmt.Errorf("geojson: feature %d: properties: %w", idx, err)
		}
		for k, v := range props {
			f.Props[k] = jsonValueString(v)
		}
	}
	if len(fo.Geometry) == 0 || isJSONNull(fo.Geometry) {
		return f, nil
	}
	var go_ gjObject
	if err := json.Unmarshal(fo.Geometry, &go_); err != nil {
		return f, fmt.Errorf("geojson: feature %d: geometry: %w", idx, err)
	}
	g, err := readGeoJSONGeometry(&go_, 0)
	if err != nil {
		return f, fmt.Errorf("geojson: feature %d: %w", idx, err)
	}
	f.Geometry = g
	return f, nil
}

// jsonValueString renders a JSON property value as a string: strings
// unquoted, numbers as written, null as "", others compact JSON.
func jsonValueString(v json.RawMessage) string {
	t := bytes.TrimSpace(v)
	if len(t) == 0 {
		return ""
	}
	switch t[0] {
	case '"':
		var s string
		if err := json.Unmarshal(t, &s); err == nil {
			return s
		}
	case 'n':
		return ""
	case '{', '[':
		var b bytes.Buffer
		if err := json.Compact(&b, t); err == nil {
			return b.String()
		}
	}
	return string(t)
}

func readGeoJSONGeometry(o *gjObject, depth int) (orb.Geometry, error) {
	if depth > maxGeoJSONDepth {
		return nil, fmt.Errorf("GeometryCollection nested more than %d levels", maxGeoJSONDepth)
	}
	if o.Type != "GeometryCollection" && len(o.Coordinates) == 0 {
		if o.Type == "" {
			return nil, fmt.Errorf("geometry has no \"type\"")
		}
		if strings.Contains("Point MultiPoint LineString MultiLineString Polygon MultiPolygon", o.Type) {
			return nil, fmt.Errorf("%s has no \"coordinates\"", o.Type)
		}
	}
	unmarshal := func(v any) error {
		if err := json.Unmarshal(o.Coordinates, v); err != nil {
			return fmt.Errorf("%s: coordinates: %w", o.Type, err)
		}
		return nil
	}
	switch o.Type {
	case "Point":
		var c []json.Number
		if err := unmarshal(&c); err != nil {
			return nil, err
		}
		p, err := gjPosition(c)
		if err != nil {
			return nil, fmt.Errorf("Point: %w", err)
		}
		return p, nil
	case "MultiPoint", "LineString":
		var c [][]json.Number
		if err := unmarshal(&c); err != nil {
			return nil, err
		}
		pts, err := gjPositions(c)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", o.Type, err)
		}
		if o.Type == "MultiPoint" {
			return orb.MultiPoint(pts), nil
		}
		if len(pts) < 2 {
			return nil, fmt.Errorf("LineString: %d positions, want at least 2", len(pts))
		}
		return orb.LineString(pts), nil
	case "MultiLineString":
		var c [][][]json.Number
		if err := unmarshal(&c); err != nil {
			return nil, err
		}
		out := make(orb.MultiLineString, 0, len(c))
		for i, l := range c {
			pts, err := gjPositions(l)
			if err != nil {
				return nil, fmt.Errorf("MultiLineString: line %d: %w", i+1, err)
			}
			if len(pts) < 2 {
				return nil, fmt.Errorf("MultiLineString: line %d: %d positions, want at least 2", i+1, len(pts))
			}
			out = append(out, orb.LineString(pts))
		}
		return out, nil
	case "Polygon":
		var c [][][]json.Number
		if err := unmarshal(&c); err != nil {
			return nil, err
		}
		p, err := gjPolygon(c)
		if err != nil {
			return nil, fmt.Errorf("Polygon: %w", err)
		}
		return p, nil
	case "MultiPolygon":
		var c [][][][]json.Number
		if err := unmarshal(&c); err != nil {
			return nil, err
		}
		out := make(orb.MultiPolygon, 0, len(c))
		for i, pc := range c {
			p, err := gjPolygon(pc)
			if err != nil {
				return nil, fmt.Errorf("MultiPolygon: polygon %d: %w", i+1, err)
			}
			out = append(out, p)
		}
		return out, nil
	case "GeometryCollection":
		out := make(orb.Collection, 0, len(o.Geometries))
		for i, raw := range o.Geometries {
			var sub gjObject
			if err := json.Unmarshal(raw, &sub); err != nil {
				return nil, fmt.Errorf("GeometryCollection: geometry %d: %w", i+1, err)
			}
			g, err := readGeoJSONGeometry(&sub, depth+1)
			if err != nil {
				return nil, fmt.Errorf("GeometryCollection: geometry %d: %w", i+1, err)
			}
			out = append(out, g)
		}
		return out, nil
	case "":
		return nil, fmt.Errorf("geometry has no \"type\"")
	}
	return nil, fmt.Errorf("unknown geometry type %q", truncate(o.Type, 40))
}

func gjPosition(c []json.Number) (orb.Point, error) {
	if len(c) < 2 {
		return orb.Point{}, fmt.Errorf("position has %d numbers, want 2 or 3", len(c))
	}
	var p orb.Point
	for i := 0; i < 2; i++ {
		s := c[i].String()
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || !finite(v) {
			if s == "" {
				s = "null"
			}
			return orb.Point{}, fmt.Errorf("position value %d (%s) is not a finite number", i+1, truncate(s, 40))
		}
		p[i] = v
	}
	return p, nil
}

func gjPositions(c [][]json.Number) ([]orb.Point, error) {
	out := make([]orb.Point, len(c))
	for i, pc := range c {
		p, err := gjPosition(pc)
		if err != nil {
			return nil, fmt.Errorf("position %d: %w", i+1, err)
		}
		out[i] = p
	}
	return out, nil
}

func gjPolygon(c [][][]json.Number) (orb.Polygon, error) {
	if len(c) == 0 {
		return nil, fmt.Errorf("no rings")
	}
	out := make(orb.Polygon, 0, len(c))
	for i, rc := range c {
		pts, err := gjPositions(rc)
		if err != nil {
			return nil, fmt.Errorf("ring %d: %w", i+1, err)
		}
		if len(pts) > 0 && pts[0] != pts[len(pts)-1] {
			pts = append(pts, pts[0])
		}
		if len(pts) < 4 {
			return nil, fmt.Errorf("ring %d: %d positions, want at least 4", i+1, len(pts))
		}
		out = append(out, orb.Ring(pts))
	}
	return out, nil
}
