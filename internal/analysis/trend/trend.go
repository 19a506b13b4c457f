// Package trend answers "how many, when?" questions about incidents: counts
// by day, ISO week and month; a weekday × hour table; a monthly trend against
// a seasonal baseline with Poisson control limits; and the change between
// two periods with confidence intervals for the ratio of two Poisson counts.
//
// The package is pure: no I/O, no clock, no package-level mutable state.
// Inputs are slices and parameters. Every result carries what a figure needs
// beside it: the method name, the parameters with defaults applied, n, how
// many inputs were left out and why, and the uncertainty where there is one.
// See docs/methods/time-trends.md.
package trend

import (
	"errors"
	"fmt"
	"time"
)

// ErrInput reports unusable input or parameters; it is returned before any
// work starts.
var ErrInput = errors.New("trend: bad input")

func inputErr(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInput, fmt.Sprintf(format, a...))
}

// Resolution says how precisely an incident's time is known.
type Resolution string

// Resolutions. Exact: date and time of day; Day: the date only; Month: the
// month only (e.g. data.police.uk).
const (
	Exact Resolution = "exact"
	Day   Resolution = "day"
	Month Resolution = "month"
)

// Interval is the length of the periods of a count series.
type Interval string

// Intervals: calendar day, ISO 8601 week (Monday–Sunday, weeks numbered by
// ISO year) and calendar month.
const (
	Daily   Interval = "day"
	Weekly  Interval = "week"
	Monthly Interval = "month"
)

// Reasons an input is left out of a result (Exclusion.Code).
const (
	ReasonMonthResolution = "month-resolution"
	ReasonDayResolution   = "day-resolution"
	ReasonOutsideWindow   = "outside-window"
	ReasonMissingTime     = "missing-time"
	ReasonUnknownRes      = "unknown-resolution"
	ReasonMidnight        = "midnight"
)

// Exclusion counts the inputs left out for one reason.
type Exclusion struct {
	Code   string `json:"code"`
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

type exclusions struct {
	order []string
	m     map[string]*Exclusion
}

func (e *exclusions) add(code, reason string) {
	if e.m == nil {
		e.m = map[string]*Exclusion{}
	}
	x, ok := e.m[code]
	if !ok {
		x = &Exclusion{Code: code, Reason: reason}
		e.m[code] = x
		e.order = append(e.order, code)
	}
	x.Count++
}

func (e *exclusions) list() []Exclusion {
	out := make([]Exclusion, 0, len(e.order))
	for _, c := range e.order {
		out = append(out, *e.m[c])
	}
	return out
}

func (e *exclusions) total() int {
	n := 0
	for _, x := range e.m {
		n += x.Count
	}
	return n
}

// civil is a calendar date.
type civil struct {
	y int
	m time.Month
	d int
}

func (c civil) time() time.Time { return time.Date(c.y, c.m, c.d, 0, 0, 0, 0, time.UTC) }

// dateOf returns the calendar date of an incident. Exact times are converted
// to loc first; day- and month-resolution times are read by their own
// calendar fields, never shifted across time zones (a date stored as UTC
// midnight must stay on its date).
func dateOf(t time.Time, r Resolution, loc *time.Location) civil {
	if r == Exact {
		t = t.In(loc)
	}
	y, m, d := t.Date()
	return civil{y, m, d}
}

// periodStart returns the first day of the period holding c.
func periodStart(c civil, iv Interval) time.Time {
	t := c.time()
	switch iv {
	case Weekly:
		wd := (int(t.Weekday()) + 6) % 7 // Monday = 0
		return t.AddDate(0, 0, -wd)
	case Monthly:
		return time.Date(c.y, c.m, 1, 0, 0, 0, 0, time.UTC)
	default:
		return t
	}
}

func nextPeriod(t time.Time, iv Interval) time.Time {
	switch iv {
	case Weekly:
		return t.AddDate(0, 0, 7)
	case Monthly:
		return t.AddDate(0, 1, 0)
	default:
		return t.AddDate(0, 0, 1)
	}
}

func periodLabel(t time.Time, iv Interval) string {
	switch iv {
	case Weekly:
		y, w := t.ISOWeek()
		return fmt.Sprintf("%04d-W%02d", y, w)
	case Monthly:
		return t.Format("2006-01")
	default:
		return t.Format("2006-01-02")
	}
}

// CountParams configures Counts.
type CountParams struct {
	// Interval of the periods (required).
	Interval Interval `json:"interval"`
	// From and To bound the window by calendar date: an incident is counted
	// when From ≤ date < To. Only their year, month and day are used. Zero
	// values mean the first / day after the last counted incident's date.
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Location is the time zone in which exact times are given a date
	// (the city's zone). Nil means UTC.
	Location *time.Location `json:"-"`
}

// Period is one bucket of a count series. Start is the first day (a date at
// 00:00 UTC, used as a calendar date). Partial is true when the window cuts
// the period, so its count covers fewer days than a full period (Days).
type Period struct {
	Start   time.Time `json:"start"`
	Label   string    `json:"label"`
	Count   int       `json:"count"`
	Days    int       `json:"days"`
	Partial bool      `json:"partial,omitempty"`
}

// Series is a count series with its method card.
type Series struct {
	Method   string      `json:"method"`
	Params   CountParams `json:"params"`
	Location string      `json:"location"`
	Periods  []Period    `json:"periods"`
	// N is the number of incidents counted; Input the number given.
	N        int         `json:"n"`
	Input    int         `json:"input"`
	Excluded []Exclusion `json:"excluded"`
	Notes    []string    `json:"notes,omitempty"`
}

func checkLengths(times []time.Time, res []Resolution) error {
	if res != nil && len(res) != len(times) {
		return inputErr("%d times but %d resolutions", len(times), len(res))
	}
	return nil
}

func resOf(res []Resolution, i int) Resolution {
	if res == nil {
		return Exact
	}
	return res[i]
}

// Counts counts incidents per day, ISO week or month. times[i] is an
// incident's time and res[i] its resolution (nil res means all Exact).
// Month-resolution incidents are left out of daily and weekly series (their
// day is unknown) and reported in Excluded; zero times are "missing-time".
// Every period of the window appears, including empty ones.
func Counts(times []time.Time, res []Resolution, p CountParams) (Series, error) {
	if err := checkLengths(times, res); err != nil {
		return Series{}, err
	}
	switch p.Interval {
	case Daily, Weekly, Monthly:
	default:
		return Series{}, inputErr("interval %q: want day, week or month", p.Interval)
	}
	loc := p.Location
	if loc == nil {
		loc = time.UTC
	}
	var from, to time.Time
	if !p.From.IsZero() {
		y, m, d := p.From.Date()
		from = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	if !p.To.IsZero() {
		y, m, d := p.To.Date()
		to = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	if !from.IsZero() && !to.IsZero() && !to.After(from) {
		return Series{}, inputErr("window: to (%s) must be after from (%s)", to.Format(time.DateOnly), from.Format(time.DateOnly))
	}
	if p.Interval == Monthly {
		// A month-resolution incident has date = 1st of its month: the window
		// must therefore start and end on month boundaries to treat all
		// resolutions alike.
		if !from.IsZero() && from.Day() != 1 {
			return Series{}, inputErr("monthly series: from (%s) must be the 1st of a month", from.Format(time.DateOnly))
		}
		if !to.IsZero() && to.Day() != 1 {
			return Series{}, inputErr("monthly series: to (%s) must be the 1st of a month", to.Format(time.DateOnly))
		}
	}
	var ex exclusions
	dates := make([]time.Time, 0, len(times))
	for i, t := range times {
		r := resOf(res, i)
		switch r {
		case Exact, Day, Month:
		default:
			ex.add(ReasonUnknownRes, fmt.Sprintf("resolution %q is not exact, day or month", r))
			continue
		}
		if t.IsZero() {
			ex.add(ReasonMissingTime, "no date")
			continue
		}
		if r == Month && p.Interval != Monthly {
			ex.add(ReasonMonthResolution, "only the month is known: cannot be placed in a "+string(p.Interval))
			continue
		}
		c := dateOf(t, r, loc)
		if r == Month {
			c.d = 1
		}
		d := c.time()
		if (!from.IsZero() && d.Before(from)) || (!to.IsZero() && !d.Before(to)) {
			ex.add(ReasonOutsideWindow, "date outside the window")
			continue
		}
		dates = append(dates, d)
	}
	s := Series{
		Method:   fmt.Sprintf("incident counts per %s", intervalName(p.Interval)),
		Location: loc.String(),
		N:        len(dates),
		Input:    len(times),
	}
	if len(dates) == 0 && (from.IsZero() || to.IsZero()) {
		s.Params = p
		s.Excluded = ex.list()
		s.Notes = append(s.Notes, "no incident in the window")
		return s, nil
	}
	if from.IsZero() || to.IsZero() {
		lo, hi := dates[0], dates[0]
		for _, d := range dates {
			if d.Before(lo) {
				lo = d
			}
			if d.After(hi) {
				hi = d
			}
		}
		if from.IsZero() {
			from = lo
			if p.Interval == Monthly {
				from = time.Date(lo.Year(), lo.Month(), 1, 0, 0, 0, 0, time.UTC)
			}
		}
		if to.IsZero() {
			to = hi.AddDate(0, 0, 1)
			if p.Interval == Monthly {
				to = time.Date(hi.Year(), hi.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0)
			}
		}
	}
	p.From, p.To, p.Location = from, to, loc
	s.Params = p
	first := periodStart(civil{from.Year(), from.Month(), from.Day()}, p.Interval)
	index := map[time.Time]int{}
	for st := first; st.Before(to); st = nextPeriod(st, p.Interval) {
		end := nextPeriod(st, p.Interval)
		a, b := st, end
		if a.Before(from) {
			a = from
		}
		if b.After(to) {
			b = to
		}
		index[st] = len(s.Periods)
		s.Periods = append(s.Periods, Period{
			Start:   st,
			Label:   periodLabel(st, p.Interval),
			Days:    int(b.Sub(a).Hours()/24 + 0.5),
			Partial: a != st || b != end,
		})
	}
	for _, d := range dates {
		st := periodStart(civil{d.Year(), d.Month(), d.Day()}, p.Interval)
		s.Periods[index[st]].Count++
	}
	s.Excluded = ex.list()
	if s.Periods[0].Partial || s.Periods[len(s.Periods)-1].Partial {
		s.Notes = append(s.Notes, "the window cuts the first or last period: compare its count per day (Days), not its total")
	}
	return s, nil
}

func intervalName(iv Interval) string {
	switch iv {
	case Weekly:
		return "ISO week (Monday–Sunday)"
	case Monthly:
		return "calendar month"
	default:
		return "calendar day"
	}
}

// WeekHourParams configures WeekdayHour.
type WeekHourParams struct {
	// Location is the time zone of the table (the city's zone); nil = UTC.
	Location *time.Location `json:"-"`
	// IncludeMidnight keeps incidents recorded at exactly 00:00:00. By
	// default they are left out: many records systems store "time unknown"
	// as midnight, which piles a spurious peak into Monday–Sunday 00:00–01:00.
	IncludeMidnight bool `json:"include_midnight"`
}

// WeekHourTable is the weekday × hour-of-day table.
type WeekHourTable struct {
	Method   string         `json:"method"`
	Params   WeekHourParams `json:"params"`
	Location string         `json:"location"`
	// Counts[d][h]: d = 0 Monday … 6 Sunday (ISO order), h = hour 0–23.
	Counts   [7][24]int  `json:"counts"`
	Weekdays [7]string   `json:"weekdays"`
	N        int         `json:"n"`
	Input    int         `json:"input"`
	Excluded []Exclusion `json:"excluded"`
	// Midnight is how many exact times fall at exactly 00:00:00 (counted
	// whether or not they are excluded); MidnightRatio compares that with an
	// ordinary minute: Midnight / (mean count per other minute of the day).
	// A ratio far above 1 (say > 5) suggests 00:00 means "time unknown".
	Midnight      int      `json:"midnight"`
	MidnightRatio float64  `json:"midnight_ratio"`
	Notes         []string `json:"notes,omitempty"`
}

// WeekdayHour builds the 7 × 24 table from incidents with exact times only;
// day- and month-resolution incidents are reported as excluded. Midnight
// records are excluded unless p.IncludeMidnight.
func WeekdayHour(times []time.Time, res []Resolution, p WeekHourParams) (WeekHourTable, error) {
	if err := checkLengths(times, res); err != nil {
		return WeekHourTable{}, err
	}
	loc := p.Location
	if loc == nil {
		loc = time.UTC
	}
	p.Location = loc
	tab := WeekHourTable{
		Method:   "weekday × hour-of-day counts (exact times only)",
		Params:   p,
		Location: loc.String(),
		Weekdays: [7]string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"},
		Input:    len(times),
	}
	var ex exclusions
	exact := 0
	for i, t := range times {
		r := resOf(res, i)
		switch {
		case r == Month:
			ex.add(ReasonMonthResolution, "only the month is known")
			continue
		case r == Day:
			ex.add(ReasonDayResolution, "only the date is known, not the time of day")
			continue
		case r != Exact:
			ex.add(ReasonUnknownRes, fmt.Sprintf("resolution %q is not exact, day or month", r))
			continue
		case t.IsZero():
			ex.add(ReasonMissingTime, "no date")
			continue
		}
		exact++
		lt := t.In(loc)
		h, m, sec := lt.Clock()
		if h == 0 && m == 0 && sec == 0 && lt.Nanosecond() == 0 {
			tab.Midnight++
			if !p.IncludeMidnight {
				ex.add(ReasonMidnight, "recorded at exactly 00:00:00, often a placeholder for an unknown time")
				continue
			}
		}
		wd := (int(lt.Weekday()) + 6) % 7
		tab.Counts[wd][h]++
		tab.N++
	}
	if other := exact - tab.Midnight; other > 0 {
		tab.MidnightRatio = float64(tab.Midnight) / (float64(other) / 1439)
	}
	tab.Excluded = ex.list()
	if tab.Midnight > 0 {
		if p.IncludeMidnight {
			tab.Notes = append(tab.Notes, fmt.Sprintf("%d incidents at exactly 00:00 are included (%.1f× an ordinary minute); if 00:00 means \"time unknown\" the 00:00–01:00 column is inflated", tab.Midnight, tab.MidnightRatio))
		} else {
			tab.Notes = append(tab.Notes, fmt.Sprintf("%d incidents at exactly 00:00 are left out (%.1f× an ordinary minute) because 00:00 often means \"time unknown\"; the 00:00–01:00 column therefore lacks any genuine midnight incidents", tab.Midnight, tab.MidnightRatio))
		}
	}
	return tab, nil
}
