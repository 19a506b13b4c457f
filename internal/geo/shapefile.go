package geo

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Shapefile shape types.
const (
	shpNull        = 0
	shpPoint       = 1
	shpPolyLine    = 3
	shpPolygon     = 5
	shpMultiPoint  = 8
	shpPointZ      = 11
	shpPolyLineZ   = 13
	shpPolygonZ    = 15
	shpMultiPointZ = 18
	shpPointM      = 21
	shpPolyLineM   = 23
	shpPolygonM    = 25
	shpMultiPointM = 28
	shpMultiPatch  = 31
)

// baseShapeType maps Z and M variants to their 2D type.
func baseShapeType(t int32) (int32, bool) {
	switch t {
	case shpNull, shpPoint, shpPolyLine, shpPolygon, shpMultiPoint:
		return t, true
	case shpPointZ, shpPointM:
		return shpPoint, true
	case shpPolyLineZ, shpPolyLineM:
		return shpPolyLine, true
	case shpPolygonZ, shpPolygonM:
		return shpPolygon, true
	case shpMultiPointZ, shpMultiPointM:
		return shpMultiPoint, true
	}
	return 0, false
}

// ReadShapefile reads an ESRI shapefile from its .shp and .dbf streams and
// the text of its .prj (which becomes Collection.CRS, "" when empty; parse
// it with ParseCRS or Collection.ResolveCRS). dbf may be nil (no
// attributes). Supported shapes: Point, MultiPoint, PolyLine, Polygon and
// their Z/M variants (Z and M are dropped); Null shapes give a nil geometry.
// Polygon rings are grouped by orientation: clockwise rings are outer
// boundaries, counter-clockwise rings are holes assigned to the smallest
// outer ring that contains them (a hole without one becomes an outer ring);
// the result is an orb.Polygon for one outer ring, else an orb.MultiPolygon.
// PolyLine gives an orb.LineString for one part, else an
// orb.MultiLineString. dBase III attributes (C, N, F, D, L, others as text)
// are trimmed; D becomes YYYY-MM-DD; text is UTF-8 when valid, else
// decoded as Latin-1. A record count that differs between .shp and .dbf is
// an error.
func ReadShapefile(shp, dbf io.Reader, prj string) (*Collection, error) {
	if shp == nil {
		return nil, fmt.Errorf("shapefile: no .shp data")
	}
	data, err := io.ReadAll(shp)
	if err != nil {
		return nil, fmt.Errorf("shapefile: read .shp: %w", err)
	}
	geoms, err := parseSHP(data)
	if err != nil {
		return nil, err
	}
	coll := &Collection{CRS: strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(prj), "\ufeff")), Features: make([]Feature, len(geoms))}
	for i, g := range geoms {
		coll.Features[i] = Feature{Geometry: g, Index: i + 1, Props: map[string]string{}}
	}
	if dbf == nil {
		return coll, nil
	}
	ddata, err := io.ReadAll(dbf)
	if err != nil {
		return nil, fmt.Errorf("shapefile: read .dbf: %w", err)
	}
	recs, err := parseDBF(ddata)
	if err != nil {
		return nil, err
	}
	if len(recs) != len(geoms) {
		return nil, fmt.Errorf("shapefile: .shp has %d records but .dbf has %d; the files do not belong together", len(geoms), len(recs))
	}
	for i := range recs {
		coll.Features[i].Props = recs[i]
	}
	return coll, nil
}

func parseSHP(b []byte) ([]orb.Geometry, error) {
	if len(b) < 100 {
		return nil, fmt.Errorf("shapefile: .shp is %d bytes, shorter than the 100-byte header (truncated?)", len(b))
	}
	if code := binary.BigEndian.Uint32(b[0:4]); code != 9994 {
		return nil, fmt.Errorf("shapefile: .shp file code is %d, want 9994 (not a shapefile)", code)
	}
	fileType := int32(binary.LittleEndian.Uint32(b[32:36]))
	base, ok := baseShapeType(fileType)
	if !ok {
		if fileType == shpMultiPatch {
			return nil, fmt.Errorf("shapefile: MultiPatch shapes are not supported")
		}
		return nil, fmt.Errorf("shapefile: unknown shape type %d", fileType)
	}
	declared := int64(binary.BigEndian.Uint32(b[24:28])) * 2
	if declared > int64(len(b)) {
		return nil, fmt.Errorf("shapefile: .shp header declares %d bytes but only %d were read (truncated file)", declared, len(b))
	}
	if declared >= 100 && declared < int64(len(b)) {
		b = b[:declared]
	}
	var out []orb.Geometry
	off := 100
	for rec := 1; off < len(b); rec++ {
		if len(b)-off < 8 {
			return nil, fmt.Errorf("shapefile: record %d: truncated record header at byte %d", rec, off)
		}
		clen := int64(binary.BigEndian.Uint32(b[off+4:off+8])) * 2
		off += 8
		if clen > int64(len(b)-off) {
			return nil, fmt.Errorf("shapefile: record %d: content of %d bytes runs past the end of the file (truncated?)", rec, clen)
		}
		content := b[off : off+int(clen)]
		off += int(clen)
		g, err := parseShape(content, base)
		if err != nil {
			return nil, fmt.Errorf("shapefile: record %d: %w", rec, err)
		}
		out = append(out, g)
	}
	return out, nil
}

func parseShape(c []byte, base int32) (orb.Geometry, error) {
	if len(c) < 4 {
		return nil, fmt.Errorf("record shorter than its shape type")
	}
	t := int32(binary.LittleEndian.Uint32(c[0:4]))
	if t == shpNull {
		return nil, nil
	}
	tb, ok := baseShapeType(t)
	if !ok || tb != base {
		return nil, fmt.Errorf("shape type %d differs from the file's type", t)
	}
	point := func(o int) (orb.Point, error) {
		x := math.Float64frombits(binary.LittleEndian.Uint64(c[o:]))
		y := math.Float64frombits(binary.LittleEndian.Uint64(c[o+8:]))
		if !finite(x) || !finite(y) {
			return orb.Point{}, fmt.Errorf("coordinate (%v, %v) is not finite", x, y)
		}
		return orb.Point{x, y}, nil
	}
	switch base {
	case shpPoint:
		if len(c) < 20 {
			return nil, fmt.Errorf("point record of %d bytes, want at least 20", len(c))
		}
		return point(4)
	case shpMultiPoint:
		if len(c) < 40 {
			return nil, fmt.Errorf("multipoint record of %d bytes is truncated", len(c))
		}
		n := int64(binary.LittleEndian.Uint32(c[36:40]))
		if n*16 > int64(len(c)-40) {
			return nil, fmt.Errorf("multipoint declares %d points but the record holds at most %d", n, (len(c)-40)/16)
		}
		mp := make(orb.MultiPoint, n)
		for i := range mp {
			p, err := point(40 + 16*i)
			if err != nil {
				return nil, fmt.Errorf("point %d: %w", i+1, err)
			}
			mp[i] = p
		}
		return mp, nil
	}
	// PolyLine / Polygon.
	if len(c) < 44 {
		return nil, fmt.Errorf("record of %d bytes is truncated", len(c))
	}
	nParts := int64(binary.LittleEndian.Uint32(c[36:40]))
	nPoints := int64(binary.LittleEndian.Uint32(c[40:44]))
	if nParts < 1 || nParts*4+nPoints*16 > int64(len(c)-44) {
		return nil, fmt.Errorf("record declares %d parts and %d points but holds %d bytes", nParts, nPoints, len(c)-44)
	}
	parts := make([]int, nParts+1)
	for i := int64(0); i < nParts; i++ {
		v := int64(binary.LittleEndian.Uint32(c[44+4*i:]))
		if v >= nPoints || (i > 0 && v < int64(parts[i-1])) || (i == 0 && v != 0) {
			return nil, fmt.Errorf("part %d starts at point %d, invalid for %d points", i+1, v, nPoints)
		}
		parts[i] = int(v)
	}
	parts[nParts] = int(nPoints)
	ptOff := 44 + 4*int(nParts)
	lines := make([][]orb.Point, 0, nParts)
	for i := 0; i < int(nParts); i++ {
		pts := make([]orb.Point, parts[i+1]-parts[i])
		for j := range pts {
			p, err := point(ptOff + 16*(parts[i]+j))
			if err != nil {
				return nil, fmt.Errorf("part %d point %d: %w", i+1, j+1, err)
			}
			pts[j] = p
		}
		lines = append(lines, pts)
	}
	if base == shpPolyLine {
		if len(lines) == 1 {
			return orb.LineString(lines[0]), nil
		}
		mls := make(orb.MultiLineString, len(lines))
		for i, l := range lines {
			mls[i] = orb.LineString(l)
		}
		return mls, nil
	}
	return assemblePolygons(lines)
}

// ringSignedArea is the shoelace area; negative for clockwise rings (y up).
func ringSignedArea(r []orb.Point) float64 {
	if len(r) < 3 {
		return 0
	}
	var s float64
	x0, y0 := r[0][0], r[0][1]
	for i := 1; i+1 < len(r); i++ {
		s += (r[i][0]-x0)*(r[i+1][1]-y0) - (r[i+1][0]-x0)*(r[i][1]-y0)
	}
	return s / 2
}

func assemblePolygons(rings [][]orb.Point) (orb.Geometry, error) {
	type outer struct {
		poly orb.Polygon
		area float64
		b    orb.Bound
	}
	var outers []*outer
	var holes []orb.Ring
	for i, r := range rings {
		if len(r) > 0 && r[0] != r[len(r)-1] {
			r = append(r, r[0])
		}
		if len(r) < 4 {
			return nil, fmt.Errorf("ring %d has %d points, want at least 4", i+1, len(r))
		}
		ring := orb.Ring(r)
		a := ringSignedArea(r)
		if a <= 0 { // clockwise (or degenerate): outer boundary
			outers = append(outers, &outer{poly: orb.Polygon{ring}, area: -a, b: ring.Bound()})
		} else {
			holes = append(holes, ring)
		}
	}
	for _, h := range holes {
		var best *outer
		for _, o := range outers {
			if best != nil && o.area >= best.area {
				continue
			}
			if o.b.Contains(h[0]) && ringInsideRing(h, o.poly[0]) {
				best = o
			}
		}
		if best == nil {
			// Orphan counter-clockwise ring: keep it as an outer boundary.
			outers = append(outers, &outer{poly: orb.Polygon{h}, area: math.Abs(ringSignedArea(h)), b: h.Bound()})
			continue
		}
		best.poly = append(best.poly, h)
	}
	if len(outers) == 1 {
		return outers[0].poly, nil
	}
	// Keep file order of outer rings (stable), no sorting by area.
	mp := make(orb.MultiPolygon, len(outers))
	for i, o := range outers {
		mp[i] = o.poly
	}
	return mp, nil
}

// ringInsideRing reports whether hole ring h lies in outer ring o, judged
// by its vertices (valid holes touch their outer ring at most at points, so
// one vertex inside or on the boundary of o is enough).
func ringInsideRing(h, o orb.Ring) bool {
	for _, p := range h {
		if planar.RingContains(o, p) {
			return true
		}
	}
	return false
}

// parseDBF reads dBase III records into string maps.
func parseDBF(b []byte) ([]map[string]string, error) {
	if len(b) < 32 {
		return nil, fmt.Errorf("shapefile: .dbf is %d bytes, shorter than its 32-byte header (truncated?)", len(b))
	}
	nRec := int64(binary.LittleEndian.Uint32(b[4:8]))
	hdrLen := int(binary.LittleEndian.Uint16(b[8:10]))
	recLen := int(binary.LittleEndian.Uint16(b[10:12]))
	if hdrLen < 33 || hdrLen > len(b) {
		return nil, fmt.Errorf("shapefile: .dbf header length %d is invalid for a %d-byte file", hdrLen, len(b))
	}
	type field struct {
		name   string
		typ    byte
		off    int
		length int
	}
	var fields []field
	off := 1 // deletion flag
	for p := 32; p+32 <= hdrLen && b[p] != 0x0D; p += 32 {
		name := b[p : p+11]
		if i := indexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		f := field{name: strings.TrimSpace(decodeText(name)), typ: b[p+11], off: off, length: int(b[p+16])}
		if f.typ == 'C' {
			f.length += int(b[p+17]) << 8 // long character fields (Clipper/FoxPro)
		}
		off += f.length
		fields = append(fields, f)
	}
	if off > recLen && recLen > 0 {
		return nil, fmt.Errorf("shapefile: .dbf fields need %d bytes per record but the header says %d", off, recLen)
	}
	if recLen < 1 {
		return nil, fmt.Errorf("shapefile: .dbf record length %d is invalid", recLen)
	}
	avail := int64(len(b) - hdrLen)
	if nRec*int64(recLen) > avail {
		return nil, fmt.Errorf("shapefile: .dbf declares %d records of %d bytes but holds %d bytes (truncated?)", nRec, recLen, avail)
	}
	out := make([]map[string]string, nRec)
	for i := range out {
		rec := b[hdrLen+i*recLen : hdrLen+(i+1)*recLen]
		m := make(map[string]string, len(fields))
		for _, f := range fields {
			raw := rec[f.off : f.off+f.length]
			m[f.name] = dbfValue(f.typ, raw)
		}
		out[i] = m
	}
	return out, nil
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// decodeText returns b as UTF-8 when valid, else decodes it as Latin-1.
func decodeText(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

func dbfValue(typ byte, raw []byte) string {
	s := strings.TrimSpace(strings.TrimRight(decodeText(raw), "\x00"))
	switch typ {
	case 'N', 'F':
		if strings.Trim(s, "*") == "" { // blank or overflow marker
			return ""
		}
		return s
	case 'D':
		if len(s) == 8 && strings.Trim(s, "0123456789") == "" {
			if s == "00000000" {
				return ""
			}
			return s[0:4] + "-" + s[4:6] + "-" + s[6:8]
		}
		return s
	case 'L':
		switch s {
		case "T", "t", "Y", "y":
			return "true"
		case "F", "f", "N", "n":
			return "false"
		}
		return ""
	}
	return s
}
