// Package incident turns police incident files (CSV, optionally gzipped) into
// validated incidents.
//
// The package never loses or invents data: every data row of a file is either
// accepted (an Incident) or rejected (a RowError carrying the physical line, the
// field and the reason), so that for every file
//
//	read = accepted + rejected
//
// (see Reader.Stats). It never panics on any input.
//
// Times are stored as the local wall-clock time written in the file, carried in a
// time.Time whose location is UTC: "2016-04-27 13:44" is stored as
// 2016-04-27T13:44:00Z whatever the city. Hour-of-day and day-of-week analyses
// therefore read the local clock directly. When a value carries an explicit
// offset ("2016-04-27T13:44:00-05:00"), the wall time as written is kept and the
// offset is recorded in Attrs["tz_offset"] so nothing is lost.
//
// Coordinates are kept in the CRS of the source (Mapping.CRS); for geographic
// CRSs (EPSG:4326 and friends) longitude/latitude ranges are validated here,
// other CRSs are only checked to be finite: the caller reprojects and checks the
// valid range of the CRS.
//
// The package does no I/O beyond the io.Reader it is given and holds no mutable
// package-level state.
package incident

import (
	"fmt"
	"time"
)

// Resolution is the temporal precision of an incident's time.
type Resolution string

// Resolutions.
const (
	ResolutionExact Resolution = "exact" // time of day known
	ResolutionDay   Resolution = "day"   // date known, time of day unknown
	ResolutionMonth Resolution = "month" // only year and month known (police-uk)
)

// Incident is one accepted row.
type Incident struct {
	// Line is the 1-based physical line on which the row starts (the header is
	// line 1 when present). Rows with quoted fields spanning lines report the
	// line where the record starts.
	Line int
	// SourceID is the identifier carried by the file ("" when none).
	SourceID string
	// Key is a stable de-duplication key, see docs/import-formats.md:
	//   - SourceID when present (SourceID + "#n" for the n-th repeat, n >= 2, of
	//     the same SourceID within one file);
	//   - otherwise the hex SHA-256 of the normalised incident fields followed by
	//     "#" and the occurrence number (1, 2, ...) of identical rows within the
	//     file, so identical rows (distinct crimes at the same anonymised point
	//     and month) get distinct keys and re-importing the same file yields the
	//     same keys.
	Key string
	// Category is the source category as written (or Mapping.DefaultCategory
	// when the file has no category column).
	Category string
	// ICCS is the ICCS code mapped from Category ("" when unmapped).
	ICCS string
	// Time is the local wall time as written, stored with location UTC.
	Time       time.Time
	Resolution Resolution
	// HasLocation is false for rows accepted without coordinates.
	HasLocation bool
	// X, Y are the coordinates in the source CRS (longitude, latitude for
	// geographic CRSs). Always finite. Zero when !HasLocation.
	X, Y float64
	// Attrs holds the Mapping.Keep columns that have a value (empty and NA
	// values are not stored), and "tz_offset" when a date carried an offset.
	// nil when there is nothing to keep.
	Attrs map[string]string
}

// RowError describes a rejected row.
type RowError struct {
	Line    int    `json:"line"`    // physical line where the record starts
	Field   string `json:"field"`   // column name as written in the header ("" for whole-row problems)
	Message string `json:"message"` // what is wrong, naming the value and what was expected
	Raw     string `json:"-"`       // the row re-encoded as CSV (for a rejects file); "" for CSV syntax errors
}

func (e *RowError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	}
	return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Message)
}

// Stats counts rows seen by a Reader. Read == Accepted + Rejected always holds.
type Stats struct {
	Read     int `json:"read"`
	Accepted int `json:"accepted"`
	Rejected int `json:"rejected"`
	// NoLocation counts accepted incidents without coordinates.
	NoLocation int `json:"no_location"`
}

// Mapping says how the columns of a file map to incident fields.
//
// Column specifications are header names, matched case-insensitively ignoring
// spaces, dots, underscores and hyphens ("Crime.type", "crime_type" and
// "Crime type" all match). A specification may list alternatives separated by
// "|" ("ID|Case Number"): the first one present in the header is used. When
// HasHeader is false, columns are 1-based positions ("1", "2", ...).
type Mapping struct {
	HasHeader bool
	// Delimiter is the field separator; 0 sniffs among ',', ';' and tab from the
	// first line.
	Delimiter rune

	ID       string // source identifier column (optional only if listed in Optional)
	Category string // category column
	Date     string // date or date-time column
	Time     string // optional separate time-of-day column ("15:04", "15:04:05", "3:04:05 PM")
	X, Y     string // coordinate columns (longitude, latitude for geographic CRSs)

	// Alternative date parts (Vancouver): Year and Month required when used,
	// Day, Hour and Minute may be absent (lower resolution).
	Year, Month, Day, Hour, Minute string

	// DateFormats are Go time layouts tried in order. Empty means the generic
	// defaults: ISO date-times (YYYY-MM-DD HH:MM[:SS[.f]][Z|±hh:mm], with ' ' or
	// 'T'), ISO dates, YYYY-MM (month resolution), YYYY/MM/DD, and slash dates
	// A/B/YYYY [H:MM[:SS]] [AM|PM] whose day/month order is given by DateOrder.
	DateFormats []string
	// DateOrder is the order of slash dates A/B/YYYY when DateFormats is empty:
	// "dmy", "mdy", or "" to decide per file from the data (a first number >12
	// proves dd/mm, a second number >12 proves mm/dd; the Reader looks ahead up
	// to 100,000 rows). When the data never decides, dates with AM/PM use mm/dd
	// (US convention) and other dates dd/mm. Reader.Mapping reports the decision.
	DateOrder string

	// CRS of X/Y, e.g. "EPSG:4326" for longitude/latitude. Geographic CRSs get
	// range checks (longitude [-180,180], latitude [-90,90]).
	CRS string
	// DefaultCategory is the category of every row when the file has no
	// category column (e.g. chicago_burglary → "burglary").
	DefaultCategory string
	// MissingLocationOK accepts rows with both coordinates empty/NA as incidents
	// without location (police-uk). Otherwise such rows are rejected.
	MissingLocationOK bool
	// ZeroIsMissing treats X=0,Y=0 as "no location" (Vancouver), never as a
	// coordinate; the row then follows the MissingLocationOK rule.
	ZeroIsMissing bool
	// Keep lists extra columns copied into Attrs (keyed by the spec as written
	// in Keep, first alternative). Keep columns absent from the header are
	// ignored (Reader.Mapping shows the ones found).
	Keep []string
	// Optional lists mapping fields whose column may be absent from the header
	// without error: any of "ID", "Category", "Time", "Day", "Hour", "Minute".
	// Absent optional fields are cleared in Reader.Mapping.
	Optional []string
	// ICCS overrides DefaultICCS for some categories (keys matched
	// case-insensitively, like DefaultICCS). A value of "" marks the category
	// as explicitly unmapped.
	ICCS map[string]string
}
