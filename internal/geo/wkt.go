package geo

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/wroge/wgs84"
)

// Limits that keep hostile WKT cheap to reject.
const (
	maxWKTLen   = 64 << 10
	maxWKTDepth = 32
)

// wktNode is one KEYWORD[arg, ...] element of a WKT1 string. Args hold
// quoted strings and bare numbers/words as string, nested nodes as *wktNode.
type wktNode struct {
	key  string
	args []any
}

func (n *wktNode) child(key string) *wktNode {
	for _, a := range n.args {
		if c, ok := a.(*wktNode); ok && c.key == key {
			return c
		}
	}
	return nil
}

func (n *wktNode) children(key string) []*wktNode {
	var out []*wktNode
	for _, a := range n.args {
		if c, ok := a.(*wktNode); ok && c.key == key {
			out = append(out, c)
		}
	}
	return out
}

func (n *wktNode) str(i int) string {
	if i < len(n.args) {
		if s, ok := n.args[i].(string); ok {
			return s
		}
	}
	return ""
}

func (n *wktNode) num(i int) (float64, error) {
	s := n.str(i)
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || !finite(v) {
		return 0, fmt.Errorf("geo: WKT %s: argument %d %q is not a number", n.key, i+1, truncate(s, 40))
	}
	return v, nil
}

type wktParser struct {
	s   string
	pos int
}

func (p *wktParser) skipSpace() {
	for p.pos < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.pos]) >= 0 {
		p.pos++
	}
}

func (p *wktParser) errorf(format string, a ...any) error {
	return fmt.Errorf("geo: WKT syntax error at offset %d: %s", p.pos, fmt.Sprintf(format, a...))
}

func isWordByte(b byte) bool {
	return b == '_' || b == '.' || b == '-' || b == '+' || (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')
}

func (p *wktParser) word() string {
	start := p.pos
	for p.pos < len(p.s) && isWordByte(p.s[p.pos]) {
		p.pos++
	}
	return p.s[start:p.pos]
}

func (p *wktParser) node(depth int) (*wktNode, error) {
	if depth > maxWKTDepth {
		return nil, p.errorf("nested too deeply")
	}
	p.skipSpace()
	key := p.word()
	if key == "" {
		return nil, p.errorf("expected a keyword")
	}
	p.skipSpace()
	if p.pos >= len(p.s) || (p.s[p.pos] != '[' && p.s[p.pos] != '(') {
		return nil, p.errorf("expected '[' after %s", truncate(key, 30))
	}
	open := p.s[p.pos]
	closing := byte(']')
	if open == '(' {
		closing = ')'
	}
	p.pos++
	n := &wktNode{key: strings.ToUpper(key)}
	for {
		p.skipSpace()
		if p.pos >= len(p.s) {
			return nil, p.errorf("unterminated %s", n.key)
		}
		switch c := p.s[p.pos]; {
		case c == '"':
			p.pos++
			var b strings.Builder
			for {
				if p.pos >= len(p.s) {
					return nil, p.errorf("unterminated string")
				}
				if p.s[p.pos] == '"' {
					if p.pos+1 < len(p.s) && p.s[p.pos+1] == '"' {
						b.WriteByte('"')
						p.pos += 2
						continue
					}
					p.pos++
					break
				}
				b.WriteByte(p.s[p.pos])
				p.pos++
			}
			n.args = append(n.args, b.String())
		case isWordByte(c):
			save := p.pos
			w := p.word()
			p.skipSpace()
			if p.pos < len(p.s) && (p.s[p.pos] == '[' || p.s[p.pos] == '(') {
				p.pos = save
				child, err := p.node(depth + 1)
				if err != nil {
					return nil, err
				}
				n.args = append(n.args, child)
			} else {
				n.args = append(n.args, w)
			}
		default:
			return nil, p.errorf("unexpected %q", c)
		}
		p.skipSpace()
		if p.pos >= len(p.s) {
			return nil, p.errorf("unterminated %s", n.key)
		}
		switch p.s[p.pos] {
		case ',':
			p.pos++
		case closing:
			p.pos++
			return n, nil
		default:
			return nil, p.errorf("expected ',' or '%c' in %s", closing, n.key)
		}
	}
}

func parseWKT(s string) (*wktNode, error) {
	if len(s) > maxWKTLen {
		return nil, fmt.Errorf("geo: WKT longer than %d bytes", maxWKTLen)
	}
	p := &wktParser{s: s}
	n, err := p.node(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos != len(p.s) {
		return nil, p.errorf("trailing text after %s", n.key)
	}
	return n, nil
}

func looksLikeWKT(s string) bool {
	i := strings.IndexAny(s, "[(")
	if i <= 0 {
		return false
	}
	for j := 0; j < i; j++ {
		c := s[j]
		if !(c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			return false
		}
	}
	return true
}

// normName lower-cases a WKT name and keeps only letters and digits, after
// dropping ESRI's "D_"/"GCS_" prefixes.
func normName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "d_")
	s = strings.TrimPrefix(s, "gcs_")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Datum families recognised in WKT.
const (
	datumWGS84  = "WGS84"
	datumNAD83  = "NAD83"
	datumETRS89 = "ETRS89"
	datumOSGB36 = "OSGB36"
	datumCustom = "custom"
)

type wktDatum struct {
	family string
	datum  wgs84.Datum
	name   string
}

// CRSFromWKT builds a CRS from an ESRI or OGC WKT1 string such as the
// content of a shapefile's .prj. Supported: GEOGCS on WGS 84, NAD83 (and its
// realisations), ETRS89 or OSGB 1936 (or any datum with a TOWGS84 clause),
// Greenwich prime meridian, degrees; PROJCS with Transverse_Mercator or
// Lambert_Conformal_Conic (1SP with scale 1, or 2SP) in metres, US survey
// feet or feet. Datums are recognised by name and checked against the
// spheroid; when datum, projection and parameters match a supported EPSG
// code (27700, 26971, 3435, UTM zones, ...) that code's CRS is returned,
// otherwise an equivalent CRS with Code 0. Errors name what is unsupported.
func CRSFromWKT(wkt string) (CRS, error) {
	root, err := parseWKT(strings.TrimSpace(wkt))
	if err != nil {
		return CRS{}, err
	}
	switch root.key {
	case "GEOGCS":
		d, err := wktGeogcs(root)
		if err != nil {
			return CRS{}, err
		}
		code := map[string]int{datumWGS84: 4326, datumNAD83: 4269, datumETRS89: 4258, datumOSGB36: 4277}[d.family]
		if code != 0 {
			c, _ := crsForCode(code)
			return c, nil
		}
		return geographicCRS(0, d.name, d.datum, orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}), nil
	case "PROJCS":
		return wktProjcs(root)
	case "GEOGCRS", "PROJCRS", "GEODCRS", "BASEGEOGCRS", "COMPOUNDCRS", "COMPD_CS", "GEOCCS", "VERT_CS", "LOCAL_CS":
		return CRS{}, fmt.Errorf("geo: WKT %s is not supported (only WKT1 GEOGCS/PROJCS): %w", root.key, ErrUnknownCRS)
	}
	return CRS{}, fmt.Errorf("geo: WKT root %s is not a CRS (want GEOGCS or PROJCS): %w", truncate(root.key, 30), ErrUnknownCRS)
}

func wktGeogcs(g *wktNode) (wktDatum, error) {
	dn := g.child("DATUM")
	if dn == nil {
		return wktDatum{}, fmt.Errorf("geo: WKT GEOGCS has no DATUM: %w", ErrUnknownCRS)
	}
	sph := dn.child("SPHEROID")
	if sph == nil {
		sph = dn.child("ELLIPSOID")
	}
	if sph == nil {
		return wktDatum{}, fmt.Errorf("geo: WKT DATUM %q has no SPHEROID: %w", dn.str(0), ErrUnknownCRS)
	}
	a, err := sph.num(1)
	if err != nil {
		return wktDatum{}, err
	}
	rf, err := sph.num(2)
	if err != nil {
		return wktDatum{}, err
	}
	if a < 6e6 || a > 7e6 || rf < 250 || rf > 350 {
		return wktDatum{}, fmt.Errorf("geo: WKT spheroid %q (a=%s, 1/f=%s) is not an Earth ellipsoid: %w", sph.str(0), fmtNum(a), fmtNum(rf), ErrUnknownCRS)
	}
	if pm := g.child("PRIMEM"); pm != nil {
		v, err := pm.num(1)
		if err != nil {
			return wktDatum{}, err
		}
		if math.Abs(v) > 1e-9 {
			return wktDatum{}, fmt.Errorf("geo: WKT prime meridian %q at %s is not supported (only Greenwich): %w", pm.str(0), fmtNum(v), ErrUnknownCRS)
		}
	}
	if u := g.child("UNIT"); u != nil {
		f, err := u.num(1)
		if err != nil {
			return wktDatum{}, err
		}
		if math.Abs(f/(math.Pi/180)-1) > 1e-8 {
			return wktDatum{}, fmt.Errorf("geo: WKT angular unit %q (%s rad) is not supported (only degrees): %w", u.str(0), fmtNum(f), ErrUnknownCRS)
		}
	}
	name := dn.str(0)
	n := normName(name)
	sameSph := func(s wgs84.Spheroid) bool {
		return math.Abs(a-s.A()) < 1e-3 && math.Abs(rf-s.Fi()) < 1e-6
	}
	known := func(family string, d wgs84.Datum) (wktDatum, error) {
		if !sameSph(d.Spheroid) {
			return wktDatum{}, fmt.Errorf("geo: WKT datum %q uses spheroid a=%s 1/f=%s, not the one of %s: %w", name, fmtNum(a), fmtNum(rf), family, ErrUnknownCRS)
		}
		return wktDatum{family: family, datum: d, name: family}, nil
	}
	switch {
	case n == "wgs1984" || n == "wgs84" || n == "worldgeodeticsystem1984":
		return known(datumWGS84, wgs84.WGS84())
	case strings.HasPrefix(n, "northamerican1983") || strings.HasPrefix(n, "northamericandatum1983") || strings.HasPrefix(n, "nad83") || strings.HasPrefix(n, "nad1983"):
		return known(datumNAD83, wgs84.NAD83())
	case n == "etrs1989" || n == "etrs89" || n == "europeanterrestrialreferencesystem1989":
		return known(datumETRS89, wgs84.ETRS89())
	case n == "osgb1936" || n == "osgb36" || n == "ordnancesurveygreatbritain1936":
		return known(datumOSGB36, wgs84.OSGB36())
	}
	if tw := dn.child("TOWGS84"); tw != nil && (len(tw.args) == 3 || len(tw.args) == 7) {
		var p [7]float64
		for i := range tw.args {
			v, err := tw.num(i)
			if err != nil {
				return wktDatum{}, err
			}
			p[i] = v
		}
		if p == [7]float64{} {
			return wktDatum{family: datumCustom, datum: wgs84.Datum{Spheroid: wgs84.Helmert(a, rf, 0, 0, 0, 0, 0, 0, 0).Spheroid}, name: name}, nil
		}
		return wktDatum{family: datumCustom, datum: wgs84.Helmert(a, rf, p[0], p[1], p[2], p[3], p[4], p[5], p[6]), name: name}, nil
	}
	return wktDatum{}, fmt.Errorf("geo: WKT datum %q is not supported (known: WGS 84, NAD83, ETRS89, OSGB 1936, or any datum with TOWGS84): %w", name, ErrUnknownCRS)
}

// tmParams / lccParams are the projection parameters read from a PROJCS,
// angles in degrees and false origin in metres.
type projParams struct {
	method         string // "tm" or "lcc"
	lon0, lat0, k0 float64
	sp1, sp2       float64
	fe, fn         float64
	unit           string
}

func wktProjcs(root *wktNode) (CRS, error) {
	g := root.child("GEOGCS")
	if g == nil {
		return CRS{}, fmt.Errorf("geo: WKT PROJCS %q has no GEOGCS: %w", root.str(0), ErrUnknownCRS)
	}
	d, err := wktGeogcs(g)
	if err != nil {
		return CRS{}, err
	}
	pn := root.child("PROJECTION")
	if pn == nil {
		return CRS{}, fmt.Errorf("geo: WKT PROJCS %q has no PROJECTION: %w", root.str(0), ErrUnknownCRS)
	}
	pp := projParams{k0: 1}
	switch m := normName(pn.str(0)); m {
	case "transversemercator", "gausskruger":
		pp.method = "tm"
	case "lambertconformalconic", "lambertconformalconic2sp", "lambertconformalconic1sp":
		pp.method = "lcc"
	default:
		return CRS{}, fmt.Errorf("geo: WKT projection %q is not supported (only Transverse_Mercator and Lambert_Conformal_Conic): %w", pn.str(0), ErrUnknownCRS)
	}
	// Linear unit.
	toMetre := 1.0
	pp.unit = UnitMetre
	for _, u := range root.children("UNIT") {
		f, err := u.num(1)
		if err != nil {
			return CRS{}, err
		}
		switch {
		case math.Abs(f-1) < 1e-12:
		case math.Abs(f-usSurveyFootMetres) < 1e-12:
			toMetre, pp.unit = usSurveyFootMetres, UnitUSFoot
		case math.Abs(f-footMetres) < 1e-12:
			toMetre, pp.unit = footMetres, UnitFoot
		default:
			return CRS{}, fmt.Errorf("geo: WKT linear unit %q (%s m) is not supported (metre, US survey foot, foot): %w", u.str(0), fmtNum(f), ErrUnknownCRS)
		}
	}
	has := map[string]bool{}
	sp2 := math.NaN()
	for _, par := range root.children("PARAMETER") {
		v, err := par.num(1)
		if err != nil {
			return CRS{}, err
		}
		name := normName(par.str(0))
		has[name] = true
		switch name {
		case "falseeasting":
			pp.fe = v * toMetre
		case "falsenorthing":
			pp.fn = v * toMetre
		case "centralmeridian", "longitudeofcenter", "longitudeoforigin", "longitudeoffalseorigin":
			pp.lon0 = v
		case "latitudeoforigin", "latitudeofcenter", "latitudeoffalseorigin":
			pp.lat0 = v
		case "scalefactor", "scalefactoratnaturalorigin":
			pp.k0 = v
		case "standardparallel1", "latitudeof1ststandardparallel":
			pp.sp1 = v
		case "standardparallel2", "latitudeof2ndstandardparallel":
			sp2 = v
		default:
			if math.Abs(v) > 1e-12 {
				return CRS{}, fmt.Errorf("geo: WKT parameter %q = %s is not supported for %s: %w", par.str(0), fmtNum(v), pn.str(0), ErrUnknownCRS)
			}
		}
	}
	if math.Abs(pp.lon0) > 180 || math.Abs(pp.lat0) > 90 || pp.k0 <= 0.5 || pp.k0 > 1.5 || math.Abs(pp.sp1) > 90 || math.Abs(pp.fe) > 1e8 || math.Abs(pp.fn) > 1e8 {
		return CRS{}, fmt.Errorf("geo: WKT projection parameters out of range (central meridian %s, latitude of origin %s, scale %s): %w", fmtNum(pp.lon0), fmtNum(pp.lat0), fmtNum(pp.k0), ErrUnknownCRS)
	}
	var p wgs84.ProjectedReferenceSystem
	var area orb.Bound
	switch pp.method {
	case "tm":
		p = d.datum.TransverseMercator(pp.lon0, pp.lat0, pp.k0, pp.fe, pp.fn)
		area = orb.Bound{Min: orb.Point{pp.lon0 - 4, -80}, Max: orb.Point{pp.lon0 + 4, 84}}
	case "lcc":
		if !has["standardparallel1"] && !has["latitudeof1ststandardparallel"] {
			pp.sp1 = pp.lat0
		}
		if math.IsNaN(sp2) {
			sp2 = pp.sp1
		}
		if math.Abs(sp2) > 90 {
			return CRS{}, fmt.Errorf("geo: WKT standard parallel %s out of range: %w", fmtNum(sp2), ErrUnknownCRS)
		}
		pp.sp2 = sp2
		if math.Abs(pp.k0-1) > 1e-12 {
			return CRS{}, fmt.Errorf("geo: WKT Lambert_Conformal_Conic with scale factor %s is not supported (only 1): %w", fmtNum(pp.k0), ErrUnknownCRS)
		}
		if math.Abs(pp.sp1+pp.sp2) < 1e-9 {
			return CRS{}, fmt.Errorf("geo: WKT Lambert_Conformal_Conic with standard parallels symmetric about the equator is not supported: %w", ErrUnknownCRS)
		}
		p = d.datum.LambertConformalConic2SP(pp.lon0, pp.lat0, pp.sp1, pp.sp2, pp.fe, pp.fn)
		lo, hi := math.Min(pp.sp1, pp.sp2), math.Max(pp.sp1, pp.sp2)
		area = orb.Bound{Min: orb.Point{pp.lon0 - 15, math.Max(-85, lo-10)}, Max: orb.Point{pp.lon0 + 15, math.Min(85, hi+10)}}
	}
	if code := matchEPSG(d.family, pp); code != 0 {
		if c, ok := crsForCode(code); ok {
			return c, nil
		}
	}
	name := root.str(0)
	if name == "" {
		name = "unnamed projected CRS"
	}
	return projectedCRS(0, name+" (from WKT)", p, pp.unit, area), nil
}

// matchEPSG returns the supported EPSG code whose definition equals the WKT
// datum family and projection parameters, or 0.
func matchEPSG(family string, pp projParams) int {
	eqA := func(a, b float64) bool { return math.Abs(a-b) < 1e-6 } // degrees
	eqL := func(a, b float64) bool { return math.Abs(a-b) < 1e-3 } // metres
	eqK := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	if pp.method != "tm" {
		return 0
	}
	// UTM.
	if pp.unit == UnitMetre && eqA(pp.lat0, 0) && eqK(pp.k0, 0.9996) && eqL(pp.fe, 500000) {
		z := (pp.lon0 + 183) / 6
		zone := int(math.Round(z))
		if eqA(z, float64(zone)) && zone >= 1 && zone <= 60 {
			north := eqL(pp.fn, 0)
			south := eqL(pp.fn, 10000000)
			switch {
			case family == datumWGS84 && north:
				return 32600 + zone
			case family == datumWGS84 && south:
				return 32700 + zone
			case family == datumNAD83 && north && zone <= 23:
				return 26900 + zone
			case family == datumETRS89 && north && zone >= 28 && zone <= 38:
				return 25800 + zone
			}
		}
	}
	if family == datumOSGB36 && pp.unit == UnitMetre && eqA(pp.lon0, -2) && eqA(pp.lat0, 49) &&
		eqK(pp.k0, 0.9996012717) && eqL(pp.fe, 400000) && eqL(pp.fn, -100000) {
		return 27700
	}
	if family == datumNAD83 && eqA(pp.lon0, -88-20.0/60) && eqA(pp.lat0, 36+40.0/60) &&
		eqK(pp.k0, 0.999975) && eqL(pp.fe, 300000) && eqL(pp.fn, 0) {
		switch pp.unit {
		case UnitMetre:
			return 26971
		case UnitUSFoot:
			return 3435
		}
	}
	return 0
}
