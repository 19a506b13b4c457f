package incident

import (
	"fmt"
	"strings"
	"time"
)

// Plausible year range of incident dates; values outside are rejected.
const (
	minYear = 1900
	maxYear = 2100
)

// Date shapes recognised by the hand-written parser (the hot path: no
// time.Parse for the fixed layouts found in police data).
const (
	shapeYM     = 1 + iota // 2006-01
	shapeYMD               // 2006-01-02
	shapeISO               // 2006-01-02[ T]15:04[:05[.f]][zone]
	shapeYSlash            // 2006/01/02[ time]
	shapeSlash             // A/B/2006[ time] (order dmy or mdy)
)

// shape describes the syntactic form of a date value; two values with equal
// shapes are written with the same layout.
type shape struct {
	kind   uint8
	sep    byte // date/time separator: ' ' or 'T' (0 when no time)
	hasSec bool
	frac   bool
	ampm   bool
	zone   bool
}

// dateFields is the raw result of scanning a date value.
type dateFields struct {
	shape
	y, mo, d   int
	a, b       int // first and second number of slash dates (mo, d unresolved)
	h, mi, sec int
	ns         int
	zoneText   string
	hasTime    bool
	pm, am     bool
}

// cursor is a tiny byte scanner.
type cursor struct {
	s string
	i int
}

func (c *cursor) end() bool { return c.i >= len(c.s) }

// digits reads between min and max ASCII digits.
func (c *cursor) digits(min, max int) (int, bool) {
	n, k := 0, 0
	for c.i < len(c.s) && k < max {
		ch := c.s[c.i]
		if ch < '0' || ch > '9' {
			break
		}
		n = n*10 + int(ch-'0')
		c.i++
		k++
	}
	return n, k >= min
}

func (c *cursor) lit(b byte) bool {
	if c.i < len(c.s) && c.s[c.i] == b {
		c.i++
		return true
	}
	return false
}

// scanDate recognises the shapes above. For slash dates mo/d are left unset
// (a and b hold the numbers); see resolveSlash.
func scanDate(s string) (f dateFields, ok bool) {
	c := cursor{s: s}
	switch {
	case len(s) >= 7 && s[4] == '-':
		if f.y, ok = c.digits(4, 4); !ok || !c.lit('-') {
			return f, false
		}
		if f.mo, ok = c.digits(2, 2); !ok {
			return f, false
		}
		if c.end() {
			f.kind = shapeYM
			f.d = 1
			return f, true
		}
		if !c.lit('-') {
			return f, false
		}
		if f.d, ok = c.digits(2, 2); !ok {
			return f, false
		}
		if c.end() {
			f.kind = shapeYMD
			return f, true
		}
		f.kind = shapeISO
		if c.s[c.i] != ' ' && c.s[c.i] != 'T' {
			return f, false
		}
		f.sep = c.s[c.i]
		c.i++
		return f, scanClock(&c, &f, false)
	case len(s) >= 8 && s[4] == '/':
		f.kind = shapeYSlash
		if f.y, ok = c.digits(4, 4); !ok || !c.lit('/') {
			return f, false
		}
		if f.mo, ok = c.digits(1, 2); !ok || !c.lit('/') {
			return f, false
		}
		if f.d, ok = c.digits(1, 2); !ok {
			return f, false
		}
	default:
		f.kind = shapeSlash
		if f.a, ok = c.digits(1, 2); !ok || !c.lit('/') {
			return f, false
		}
		if f.b, ok = c.digits(1, 2); !ok || !c.lit('/') {
			return f, false
		}
		if f.y, ok = c.digits(4, 4); !ok {
			return f, false
		}
	}
	if c.end() {
		return f, true
	}
	if !c.lit(' ') {
		return f, false
	}
	f.sep = ' '
	return f, scanClock(&c, &f, true)
}

// scanClock reads H:MM[:SS[.f]] followed, when allowAMPM, by an optional
// " AM"/" PM" or, otherwise, by an optional zone (Z, ±hh, ±hhmm, ±hh:mm). It
// must consume the whole input.
func scanClock(c *cursor, f *dateFields, allowAMPM bool) bool {
	var ok bool
	f.hasTime = true
	if f.h, ok = c.digits(1, 2); !ok || !c.lit(':') {
		return false
	}
	if f.mi, ok = c.digits(2, 2); !ok {
		return false
	}
	if c.lit(':') {
		f.hasSec = true
		if f.sec, ok = c.digits(2, 2); !ok {
			return false
		}
		if c.i < len(c.s) && (c.s[c.i] == '.' || c.s[c.i] == ',') {
			c.i++
			f.frac = true
			start := c.i
			frac, ok := c.digits(1, 9)
			if !ok {
				return false
			}
			for k := c.i - start; k < 9; k++ {
				frac *= 10
			}
			f.ns = frac
			// ignore sub-nanosecond digits
			for c.i < len(c.s) && c.s[c.i] >= '0' && c.s[c.i] <= '9' {
				c.i++
			}
		}
	}
	if c.end() {
		return true
	}
	if allowAMPM {
		c.lit(' ')
		if len(c.s)-c.i != 2 {
			return false
		}
		m := c.s[c.i+1]
		switch c.s[c.i] {
		case 'A', 'a':
			f.am = true
		case 'P', 'p':
			f.pm = true
		default:
			return false
		}
		if m != 'M' && m != 'm' {
			return false
		}
		c.i += 2
		f.ampm = true
		return true
	}
	// zone
	start := c.i
	switch c.s[c.i] {
	case 'Z':
		c.i++
	case '+', '-':
		c.i++
		if _, ok := c.digits(2, 2); !ok {
			return false
		}
		if !c.end() {
			c.lit(':')
			if _, ok := c.digits(2, 2); !ok {
				return false
			}
		}
	default:
		return false
	}
	if !c.end() {
		return false
	}
	f.zone = true
	f.zoneText = c.s[start:]
	return true
}

// resolveSlash sets mo/d of a slash date from a, b for the order 'd' (dd/mm)
// or 'm' (mm/dd); order 0 applies the convention (AM/PM → mm/dd, else dd/mm).
func (f *dateFields) resolveSlash(order byte) {
	if f.kind != shapeSlash {
		return
	}
	if order == 0 {
		order = 'd'
		if f.ampm {
			order = 'm'
		}
	}
	if order == 'm' {
		f.mo, f.d = f.a, f.b
	} else {
		f.mo, f.d = f.b, f.a
	}
}

func daysIn(m, y int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// build validates the fields and returns the wall time (as UTC).
func (f *dateFields) build() (time.Time, Resolution, bool) {
	if f.mo < 1 || f.mo > 12 || f.d < 1 || f.d > daysIn(f.mo, f.y) {
		return time.Time{}, "", false
	}
	res := ResolutionDay
	switch {
	case f.kind == shapeYM:
		res = ResolutionMonth
	case f.hasTime:
		res = ResolutionExact
		if f.ampm {
			if f.h > 12 {
				return time.Time{}, "", false
			}
			if f.pm && f.h < 12 {
				f.h += 12
			} else if f.am && f.h == 12 {
				f.h = 0
			}
		}
		if f.h > 23 || f.mi > 59 || f.sec > 59 {
			return time.Time{}, "", false
		}
	}
	return time.Date(f.y, time.Month(f.mo), f.d, f.h, f.mi, f.sec, f.ns, time.UTC), res, true
}

// layoutInfo is one explicit Go layout, pre-analysed.
type layoutInfo struct {
	layout string
	fast   bool  // values of the same shape can be hand-parsed
	shape  shape // shape of the layout itself
	order  byte  // 'd' or 'm' for slash layouts
	res    Resolution
}

func analyseLayout(layout string) layoutInfo {
	li := layoutInfo{layout: layout, res: layoutResolution(layout)}
	f, ok := scanDate(layout)
	if !ok || f.frac || f.zone || f.y != 2006 {
		return li
	}
	switch f.kind {
	case shapeSlash:
		switch {
		case f.a == 1 && f.b == 2:
			li.order = 'm'
		case f.a == 2 && f.b == 1:
			li.order = 'd'
		default:
			return li
		}
	case shapeYM, shapeYMD, shapeISO, shapeYSlash:
		if f.mo != 1 || (f.kind != shapeYM && f.d != 2) {
			return li
		}
	}
	if f.hasTime {
		if f.mi != 4 || (f.hasSec && f.sec != 5) {
			return li
		}
		if f.ampm {
			if f.h != 3 || !f.pm {
				return li
			}
		} else if f.h != 15 {
			return li
		}
	}
	li.fast = true
	li.shape = f.shape
	return li
}

// layoutResolution guesses the resolution of a Go layout: a minute or hour
// element → exact; a day element → day; else month.
func layoutResolution(layout string) Resolution {
	if strings.Contains(layout, "15") || strings.Contains(layout, ":04") || strings.Contains(layout, "03") || strings.Contains(layout, "3:") {
		return ResolutionExact
	}
	if strings.Contains(strings.ReplaceAll(layout, "2006", ""), "2") {
		return ResolutionDay
	}
	return ResolutionMonth
}

// dateParser parses the values of one date column.
type dateParser struct {
	layouts []layoutInfo // explicit layouts; nil → automatic shapes
	order   byte         // automatic mode: 'd', 'm' or 0 (undecided → convention)
}

func newDateParser(formats []string, order string) (dateParser, error) {
	var dp dateParser
	for _, l := range formats {
		if strings.TrimSpace(l) == "" {
			continue
		}
		dp.layouts = append(dp.layouts, analyseLayout(l))
	}
	switch strings.ToLower(order) {
	case "":
	case "dmy":
		dp.order = 'd'
	case "mdy":
		dp.order = 'm'
	default:
		return dp, fmt.Errorf("incident: invalid DateOrder %q (want \"dmy\", \"mdy\" or \"\")", order)
	}
	return dp, nil
}

// parse returns the wall time (as UTC), its resolution and, when the value
// carried an explicit UTC offset, that offset as written.
func (dp *dateParser) parse(s string) (t time.Time, res Resolution, zone string, ok bool) {
	if dp.layouts == nil {
		f, ok := scanDate(s)
		if !ok {
			return t, "", "", false
		}
		f.resolveSlash(dp.order)
		t, res, ok = f.build()
		return t, res, f.zoneText, ok
	}
	var f dateFields
	scanned := false
	for i := range dp.layouts {
		li := &dp.layouts[i]
		if li.fast {
			if !scanned {
				f, ok = scanDate(s)
				scanned = true
				if !ok {
					f.kind = 0
				}
			}
			if f.kind != 0 {
				// The value has a recognised shape: it matches this layout
				// only if the shapes are equal (time.Parse would not accept
				// another shape either).
				// time.Parse accepts a fractional second after the
				// seconds even when the layout has none.
				sh := f.shape
				sh.frac = false
				if sh != li.shape {
					continue
				}
				g := f
				g.resolveSlash(li.order)
				if t, res, ok = g.build(); ok {
					return t, res, "", true
				}
				continue
			}
		}
		pt, err := time.ParseInLocation(li.layout, s, time.UTC)
		if err != nil {
			continue
		}
		if _, off := pt.Zone(); off != 0 || pt.Location() != time.UTC {
			zone = pt.Format("-07:00")
		}
		y, mo, d := pt.Date()
		hh, mm, ss := pt.Clock()
		return time.Date(y, mo, d, hh, mm, ss, pt.Nanosecond(), time.UTC), li.res, zone, true
	}
	return t, "", "", false
}

// expected describes the accepted formats for error messages.
func (dp *dateParser) expected() string {
	if dp.layouts == nil {
		slash := "DD/MM/YYYY or MM/DD/YYYY [hh:mm[:ss] [AM|PM]]"
		switch dp.order {
		case 'd':
			slash = "DD/MM/YYYY [hh:mm[:ss] [AM|PM]]"
		case 'm':
			slash = "MM/DD/YYYY [hh:mm[:ss] [AM|PM]]"
		}
		return "YYYY-MM, YYYY-MM-DD[ HH:MM[:SS]], YYYY/MM/DD or " + slash
	}
	r := strings.NewReplacer("2006", "YYYY", "01", "MM", "02", "DD", "15", "HH", "03", "hh", "04", "mm", "05", "ss", "PM", "AM/PM", "Jan", "Mon", "_2", "D")
	parts := make([]string, len(dp.layouts))
	for i, li := range dp.layouts {
		parts[i] = r.Replace(li.layout) + " (Go layout " + li.layout + ")"
	}
	return strings.Join(parts, " or ")
}

// parseClock parses a separate time-of-day value: "15:04", "15:04:05",
// "3:04 PM", "03:04:05 PM".
func parseClock(s string) (h, mi, sec int, ok bool) {
	f := dateFields{}
	c := cursor{s: s}
	if !scanClock(&c, &f, true) {
		return 0, 0, 0, false
	}
	f.kind = shapeISO
	f.y, f.mo, f.d = 2000, 1, 1
	t, _, ok := f.build()
	if !ok {
		return 0, 0, 0, false
	}
	h, mi, sec = t.Clock()
	return h, mi, sec, true
}
