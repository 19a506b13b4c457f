package incident

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// col is a resolved column: its index in the record (-1 when absent) and its
// name as written in the header (or the position spec without header).
type col struct {
	idx  int
	name string
}

func absent() col { return col{idx: -1} }

// keepCol is a Keep column and the Attrs key it is stored under.
type keepCol struct {
	col
	key string
}

// converter turns one record into an Incident. It is built from a Mapping
// and a header; it holds per-file caches only.
type converter struct {
	m                              Mapping // resolved
	id, cat, date, tim, x, y       col
	year, month, day, hour, minute col
	keep                           []keepCol
	attrKeys                       []string // sorted keys hashed into Key (Keep keys + tz_offset)
	nfields                        int      // expected fields per record (0 = not checked)
	dates                          dateParser
	geographic                     bool
	decimalComma                   bool
	iccsCache                      map[string]string
	iccsTable                      map[string]string
	hbuf                           []byte
	lastCat, lastICCS              string // one-entry cache in front of iccsCache
}

// headerError reports required columns missing from a header.
type headerError struct {
	missing []string // mapping specs
	fields  []string // mapping field names (Date, X, ...)
	found   []string // header as written
	hint    string
}

func (e *headerError) Error() string {
	var b strings.Builder
	b.WriteString("incident: wrong header: missing required column")
	if len(e.missing) > 1 {
		b.WriteString("s")
	}
	for i, m := range e.missing {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, " %s %q", e.fields[i], m)
	}
	b.WriteString("; columns found: ")
	q := make([]string, len(e.found))
	for i, f := range e.found {
		q[i] = strconv.Quote(f)
	}
	b.WriteString(strings.Join(q, ", "))
	if e.hint != "" {
		b.WriteString("; ")
		b.WriteString(e.hint)
	}
	return b.String()
}

// normName normalises a column name for matching: lower case, without
// spaces, dots, underscores and hyphens.
func normName(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		switch r {
		case ' ', '.', '_', '-', '\t', '\ufeff':
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isOptional(m *Mapping, field string) bool {
	for _, o := range m.Optional {
		if strings.EqualFold(strings.TrimSpace(o), field) {
			return true
		}
	}
	return false
}

// newConverter resolves m against header (when hasHeader) or against
// positions 1..nfields. For properties (GeoJSON) coordinates come from the
// geometry and X/Y are not resolved.
func newConverter(m Mapping, header []string, hasHeader bool, nfields int, props bool) (*converter, error) {
	c := &converter{nfields: nfields, iccsCache: map[string]string{}, iccsTable: defaultICCSTable()}
	index := map[string]int{}
	if hasHeader {
		for i, h := range header {
			n := normName(h)
			if _, dup := index[n]; !dup {
				index[n] = i
			}
		}
	}
	herr := &headerError{found: header}
	var posErr error
	find := func(field, spec string) col {
		if strings.TrimSpace(spec) == "" {
			return absent()
		}
		for _, alt := range strings.Split(spec, "|") {
			if hasHeader {
				if i, ok := index[normName(alt)]; ok {
					return col{idx: i, name: header[i]}
				}
				continue
			}
			p, err := strconv.Atoi(strings.TrimSpace(alt))
			if err != nil || p < 1 {
				posErr = fmt.Errorf("incident: %s column %q: without a header, columns are 1-based positions", field, alt)
				return absent()
			}
			if nfields > 0 && p > nfields {
				posErr = fmt.Errorf("incident: %s column %d is beyond the %d columns of the first row", field, p, nfields)
				return absent()
			}
			return col{idx: p - 1, name: strings.TrimSpace(alt)}
		}
		return absent()
	}
	need := func(field, spec string, optional bool) col {
		k := find(field, spec)
		if k.idx < 0 && strings.TrimSpace(spec) != "" && !optional {
			herr.missing = append(herr.missing, spec)
			herr.fields = append(herr.fields, field)
		}
		return k
	}
	c.id = need("ID", m.ID, isOptional(&m, "ID"))
	c.cat = need("Category", m.Category, isOptional(&m, "Category") || m.DefaultCategory != "")
	if strings.TrimSpace(m.Date) != "" {
		c.date = need("Date", m.Date, false)
		c.tim = need("Time", m.Time, isOptional(&m, "Time"))
		c.year, c.month, c.day, c.hour, c.minute = absent(), absent(), absent(), absent(), absent()
	} else {
		c.date, c.tim = absent(), absent()
		if strings.TrimSpace(m.Year) == "" || strings.TrimSpace(m.Month) == "" {
			return nil, fmt.Errorf("incident: no date column mapped (set Date, or Year and Month)")
		}
		c.year = need("Year", m.Year, false)
		c.month = need("Month", m.Month, false)
		c.day = need("Day", m.Day, isOptional(&m, "Day"))
		c.hour = need("Hour", m.Hour, isOptional(&m, "Hour"))
		c.minute = need("Minute", m.Minute, isOptional(&m, "Minute"))
	}
	c.x, c.y = absent(), absent()
	if !props {
		hasX, hasY := strings.TrimSpace(m.X) != "", strings.TrimSpace(m.Y) != ""
		switch {
		case hasX && hasY:
			c.x = need("X", m.X, false)
			c.y = need("Y", m.Y, false)
		case hasX || hasY:
			return nil, fmt.Errorf("incident: map both X and Y coordinate columns, or neither")
		case !m.MissingLocationOK:
			return nil, fmt.Errorf("incident: no coordinate columns mapped (set X and Y, or MissingLocationOK)")
		}
	}
	seen := map[string]bool{}
	for _, k := range m.Keep {
		kc := find("Keep", k)
		if kc.idx < 0 {
			posErr = nil // Keep columns are always optional
			continue
		}
		key := strings.TrimSpace(strings.Split(k, "|")[0])
		if seen[key] || kc.idx == c.id.idx {
			continue
		}
		seen[key] = true
		c.keep = append(c.keep, keepCol{col: kc, key: key})
	}
	if posErr != nil {
		return nil, posErr
	}
	if len(herr.missing) > 0 {
		return nil, herr
	}
	var err error
	if c.dates, err = newDateParser(m.DateFormats, m.DateOrder); err != nil {
		return nil, err
	}

	// Resolved mapping: names as found.
	r := m
	r.ID, r.Category, r.Date, r.Time, r.X, r.Y = c.id.name, c.cat.name, c.date.name, c.tim.name, c.x.name, c.y.name
	r.Year, r.Month, r.Day, r.Hour, r.Minute = c.year.name, c.month.name, c.day.name, c.hour.name, c.minute.name
	if props {
		r.X, r.Y = m.X, m.Y
	}
	r.Keep = nil
	for _, k := range c.keep {
		r.Keep = append(r.Keep, k.key)
		c.attrKeys = append(c.attrKeys, k.key)
	}
	r.Keep = append([]string(nil), r.Keep...)
	r.DateFormats = append([]string(nil), m.DateFormats...)
	r.Optional = append([]string(nil), m.Optional...)
	if strings.TrimSpace(r.CRS) == "" && c.x.idx >= 0 && lonLatName(normName(c.x.name)) {
		r.CRS = "EPSG:4326"
	}
	c.attrKeys = append(c.attrKeys, "tz_offset")
	sort.Strings(c.attrKeys)
	c.m = r
	c.geographic = isGeographic(r.CRS)
	c.decimalComma = m.Delimiter != 0 && m.Delimiter != ','
	for k, v := range m.ICCS {
		c.iccsCache[k] = v // exact spelling first
		c.iccsTable[strings.ToLower(strings.TrimSpace(k))] = v
	}
	return c, nil
}

// isNA reports a missing value: empty, NA, N/A or NULL (any case).
func isNA(v string) bool {
	switch len(v) {
	case 0:
		return true
	case 2:
		return (v[0] == 'N' || v[0] == 'n') && (v[1] == 'A' || v[1] == 'a')
	case 3:
		return strings.EqualFold(v, "n/a")
	case 4:
		return strings.EqualFold(v, "null")
	}
	return false
}

func field(rec []string, k col) string {
	if k.idx < 0 || k.idx >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[k.idx])
}

func (c *converter) iccsOf(category string) string {
	if category == c.lastCat && c.lastCat != "" {
		return c.lastICCS
	}
	if v, ok := c.iccsCache[category]; ok {
		c.lastCat, c.lastICCS = category, v
		return v
	}
	v := c.iccsTable[strings.ToLower(strings.TrimSpace(category))]
	if len(c.iccsCache) < 4096 {
		c.iccsCache[category] = v
	}
	return v
}

// location passed by FromProperties instead of X/Y columns.
type location struct {
	x, y   float64
	hasLoc bool
}

// row converts a record. line is the physical line of the record.
func (c *converter) row(rec []string, line int, loc *location) (Incident, *RowError) {
	inc := Incident{Line: line}
	bad := func(k col, format string, a ...any) (Incident, *RowError) {
		return Incident{}, &RowError{Line: line, Field: k.name, Message: fmt.Sprintf(format, a...)}
	}
	if c.id.idx >= 0 {
		if v := field(rec, c.id); !isNA(v) {
			inc.SourceID = v
		}
	}
	if c.cat.idx >= 0 {
		if v := field(rec, c.cat); !isNA(v) {
			inc.Category = v
		}
	} else {
		inc.Category = c.m.DefaultCategory
	}
	if inc.Category != "" {
		inc.ICCS = c.iccsOf(inc.Category)
	}

	// Time.
	var zone string
	if c.date.idx >= 0 {
		v := field(rec, c.date)
		if isNA(v) {
			return bad(c.date, "missing date (expected %s)", c.dates.expected())
		}
		t, res, z, ok := c.dates.parse(v)
		if !ok {
			return bad(c.date, "invalid date %q (expected %s)", v, c.dates.expected())
		}
		zone = z
		if c.tim.idx >= 0 && res == ResolutionDay {
			if tv := field(rec, c.tim); !isNA(tv) {
				h, mi, s, ok := parseClock(tv)
				if !ok {
					return bad(c.tim, "invalid time of day %q (expected HH:MM[:SS] or hh:mm[:ss] AM/PM)", tv)
				}
				t = t.Add(timeOfDay(h, mi, s))
				res = ResolutionExact
			}
		}
		if y := t.Year(); y < minYear || y > maxYear {
			return bad(c.date, "date %q out of plausible range (years %d..%d)", v, minYear, maxYear)
		}
		inc.Time, inc.Resolution = t, res
	} else {
		y, ok := intField(rec, c.year)
		if !ok || y < minYear || y > maxYear {
			return bad(c.year, "invalid year %q (expected an integer in %d..%d)", field(rec, c.year), minYear, maxYear)
		}
		mo, ok := intField(rec, c.month)
		if !ok || mo < 1 || mo > 12 {
			return bad(c.month, "invalid month %q (expected 1..12)", field(rec, c.month))
		}
		d, h, mi, res := 1, 0, 0, ResolutionMonth
		if c.day.idx >= 0 && !isNA(field(rec, c.day)) {
			if d, ok = intField(rec, c.day); !ok || d < 1 || d > daysIn(mo, y) {
				return bad(c.day, "invalid day %q (expected 1..%d for %04d-%02d)", field(rec, c.day), daysIn(mo, y), y, mo)
			}
			res = ResolutionDay
			if c.hour.idx >= 0 && !isNA(field(rec, c.hour)) {
				if h, ok = intField(rec, c.hour); !ok || h < 0 || h > 23 {
					return bad(c.hour, "invalid hour %q (expected 0..23)", field(rec, c.hour))
				}
				res = ResolutionExact
				if c.minute.idx >= 0 && !isNA(field(rec, c.minute)) {
					if mi, ok = intField(rec, c.minute); !ok || mi < 0 || mi > 59 {
						return bad(c.minute, "invalid minute %q (expected 0..59)", field(rec, c.minute))
					}
				}
			}
		}
		inc.Time = dateUTC(y, mo, d, h, mi)
		inc.Resolution = res
	}

	// Location.
	if loc != nil {
		if loc.hasLoc {
			gx := col{idx: -1, name: "geometry"}
			if math.IsNaN(loc.x) || math.IsInf(loc.x, 0) || math.IsNaN(loc.y) || math.IsInf(loc.y, 0) {
				return bad(gx, "coordinates (%v, %v) are not finite numbers", loc.x, loc.y)
			}
			if c.geographic {
				if loc.x < -180 || loc.x > 180 {
					return bad(gx, "longitude %v out of range [-180, 180]", loc.x)
				}
				if loc.y < -90 || loc.y > 90 {
					return bad(gx, "latitude %v out of range [-90, 90]", loc.y)
				}
			}
			inc.X, inc.Y, inc.HasLocation = loc.x, loc.y, !(c.m.ZeroIsMissing && loc.x == 0 && loc.y == 0)
		}
		if !inc.HasLocation {
			inc.X, inc.Y = 0, 0
			if !c.m.MissingLocationOK {
				return bad(col{idx: -1, name: "geometry"}, "missing location (rows without coordinates are not accepted by this mapping)")
			}
		}
	} else if c.x.idx >= 0 {
		xs, ys := field(rec, c.x), field(rec, c.y)
		xna, yna := isNA(xs), isNA(ys)
		switch {
		case xna && yna:
		case xna:
			return bad(c.x, "missing X/longitude while Y/latitude is %q", ys)
		case yna:
			return bad(c.y, "missing Y/latitude while X/longitude is %q", xs)
		default:
			x, ok := c.number(xs)
			if !ok {
				return bad(c.x, "invalid coordinate %q (expected a finite decimal number)", xs)
			}
			y, ok := c.number(ys)
			if !ok {
				return bad(c.y, "invalid coordinate %q (expected a finite decimal number)", ys)
			}
			if c.geographic {
				if x < -180 || x > 180 {
					return bad(c.x, "longitude %s out of range [-180, 180]", xs)
				}
				if y < -90 || y > 90 {
					return bad(c.y, "latitude %s out of range [-90, 90]", ys)
				}
			}
			if !(c.m.ZeroIsMissing && x == 0 && y == 0) {
				inc.X, inc.Y, inc.HasLocation = x+0, y+0, true // +0 turns -0 into 0
			}
		}
		if !inc.HasLocation && !c.m.MissingLocationOK {
			return bad(c.x, "missing coordinates (rows without location are not accepted by this mapping)")
		}
	}

	// Attributes.
	if len(c.keep) > 0 {
		for _, k := range c.keep {
			if v := field(rec, k.col); !isNA(v) {
				if inc.Attrs == nil {
					inc.Attrs = make(map[string]string, len(c.keep))
				}
				inc.Attrs[k.key] = v
			}
		}
	}
	if zone != "" {
		if inc.Attrs == nil {
			inc.Attrs = make(map[string]string, 1)
		}
		inc.Attrs["tz_offset"] = zone
	}
	return inc, nil
}

func timeOfDay(h, mi, s int) time.Duration {
	return time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute + time.Duration(s)*time.Second
}

func dateUTC(y, mo, d, h, mi int) time.Time {
	return time.Date(y, time.Month(mo), d, h, mi, 0, 0, time.UTC)
}

// number parses a finite float; with a non-comma delimiter a decimal comma
// ("53,47") is accepted.
func (c *converter) number(s string) (float64, bool) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if !c.decimalComma || strings.Count(s, ",") != 1 || strings.Contains(s, ".") {
			return 0, false
		}
		if v, err = strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64); err != nil {
			return 0, false
		}
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// intField parses a small non-negative integer, tolerating a ".0" suffix
// written by float-typed exports ("2020.0").
func intField(rec []string, k col) (int, bool) {
	s := field(rec, k)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		if strings.Trim(s[i+1:], "0") != "" {
			return 0, false
		}
		s = s[:i]
	}
	if len(s) == 0 || len(s) > 6 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// digest hashes the normalised incident fields (everything but Line, Key and
// SourceID): category, time (Unix seconds + nanoseconds), resolution,
// location (IEEE-754 bits), and the kept attributes in key order.
func (c *converter) digest(inc *Incident) [32]byte {
	b := c.hbuf[:0]
	b = append(b, "icarus-incident-v1"...)
	b = appendString(b, inc.Category)
	b = binary.LittleEndian.AppendUint64(b, uint64(inc.Time.Unix()))
	b = binary.LittleEndian.AppendUint32(b, uint32(inc.Time.Nanosecond()))
	b = appendString(b, string(inc.Resolution))
	if inc.HasLocation {
		b = append(b, 1)
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(inc.X))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(inc.Y))
	} else {
		b = append(b, 0)
	}
	if inc.Attrs != nil {
		for _, k := range c.attrKeys {
			if v, ok := inc.Attrs[k]; ok {
				b = appendString(b, k)
				b = appendString(b, v)
			}
		}
	}
	c.hbuf = b
	return sha256.Sum256(b)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// KeySequencer numbers repeated keys within one file so that identical rows
// get distinct, stable keys. The Reader uses one internally; callers that
// build incidents with FromProperties (GeoJSON) should pass every accepted
// incident of a file, in file order, through one KeySequencer.
// The zero value is ready to use; it is not safe for concurrent use.
type KeySequencer struct {
	hashed counter
	ids    map[string]uint32
}

// counter is an open-addressing hash table counting 64-bit keys that are
// already uniformly distributed (digest prefixes). It is about twice as fast
// as a Go map for the 10^5..10^7 distinct keys of a large file.
type counter struct {
	slots []counterSlot // key 0 marks an empty slot (key 0 itself is counted in zero)
	n     int
	zero  uint32
}

// counterSlot keeps key and count together: one cache miss per probe.
type counterSlot struct {
	key   uint64
	count uint32
}

func (c *counter) next(k uint64) uint32 {
	if k == 0 {
		c.zero++
		return c.zero
	}
	if c.n*4 >= len(c.slots)*3 {
		c.grow()
	}
	mask := uint64(len(c.slots) - 1)
	for i := k & mask; ; i = (i + 1) & mask {
		s := &c.slots[i]
		switch s.key {
		case k:
			s.count++
			return s.count
		case 0:
			s.key, s.count = k, 1
			c.n++
			return 1
		}
	}
}

func (c *counter) grow() {
	size := 1024
	if len(c.slots) > 0 {
		size = len(c.slots) * 2
	}
	old := c.slots
	c.slots = make([]counterSlot, size)
	mask := uint64(size - 1)
	for _, s := range old {
		if s.key == 0 {
			continue
		}
		i := s.key & mask
		for c.slots[i].key != 0 {
			i = (i + 1) & mask
		}
		c.slots[i] = s
	}
}

// Sequence rewrites inc.Key: for incidents with a SourceID the first
// occurrence keeps Key = SourceID and later ones get SourceID+"#n" (n >= 2);
// for hashed keys ("<hex>#<n>") the suffix becomes the occurrence number of
// that hash in the file (1, 2, ...).
func (s *KeySequencer) Sequence(inc *Incident) {
	if inc.SourceID != "" {
		n := s.nextID(inc.SourceID)
		if n == 1 {
			inc.Key = inc.SourceID
		} else {
			inc.Key = inc.SourceID + "#" + strconv.FormatUint(uint64(n), 10)
		}
		return
	}
	base := inc.Key
	if i := strings.LastIndexByte(base, '#'); i >= 0 {
		base = base[:i]
	}
	var d [32]byte
	if len(base) != 64 {
		// Not one of our hashes: number it by its text.
		n := s.nextID("\x00" + base)
		inc.Key = base + "#" + strconv.FormatUint(uint64(n), 10)
		return
	}
	if _, err := hex.Decode(d[:], []byte(base)); err != nil {
		n := s.nextID("\x00" + base)
		inc.Key = base + "#" + strconv.FormatUint(uint64(n), 10)
		return
	}
	inc.Key = s.hashKey(d)
}

func (s *KeySequencer) nextID(id string) uint32 {
	if s.ids == nil {
		s.ids = map[string]uint32{}
	}
	n := s.ids[id] + 1
	s.ids[id] = n
	return n
}

// hashKey returns hex(d) + "#" + occurrence number. Occurrences are counted
// on the first 64 bits of the digest: two different digests sharing them
// would only get different numbers, so keys stay distinct.
func (s *KeySequencer) hashKey(d [32]byte) string {
	n := s.hashed.next(binary.LittleEndian.Uint64(d[:8]))
	var buf [64 + 1 + 10]byte
	hex.Encode(buf[:64], d[:])
	buf[64] = '#'
	k := 65
	k += len(strconv.AppendUint(buf[65:65], uint64(n), 10))
	return string(buf[:k])
}
