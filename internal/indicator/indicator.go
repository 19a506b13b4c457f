// Package indicator reads area indicators in long format (one value per
// row: area_code, period, indicator, value, unit), the shape partner
// organisations upload for a committee dashboard (the Turin tool). It does no
// I/O beyond the reader it is given.
package indicator

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/icarus-city/icarus/internal/incident"
)

// Columns are the required columns, in the documented order.
func Columns() []string { return []string{"area_code", "period", "indicator", "value", "unit"} }

// Value is one accepted row.
type Value struct {
	Line      int
	AreaCode  string
	Period    string // YYYY, YYYY-MM or YYYY-Qn
	Indicator string
	Value     float64
	Unit      string
}

var periodRe = regexp.MustCompile(`^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$`)

// ValidPeriod reports whether p is YYYY, YYYY-MM or YYYY-Qn.
func ValidPeriod(p string) bool { return periodRe.MatchString(p) }

// Reader reads values from a CSV file with a header naming the columns
// (any order, case-insensitive; extra columns are ignored).
type Reader struct {
	cr     *csv.Reader
	col    map[string]int
	header []string
}

// NewReader reads the header. A missing column is an error that lists the
// columns found and the ones expected.
func NewReader(r io.Reader) (*Reader, error) {
	br := bufio.NewReader(r)
	if b, _ := br.Peek(3); string(b) == "\xef\xbb\xbf" {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("line 1: the file is empty; want a header " + strings.Join(Columns(), ","))
	}
	if err != nil {
		return nil, fmt.Errorf("line 1: cannot read the header: %w", err)
	}
	rd := &Reader{cr: cr, col: map[string]int{}, header: header}
	for i, h := range header {
		rd.col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	var missing []string
	for _, c := range Columns() {
		if _, ok := rd.col[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("line 1: wrong header: missing column(s) %s (found: %s; want %s)",
			strings.Join(missing, ", "), strings.Join(header, ", "), strings.Join(Columns(), ","))
	}
	return rd, nil
}

// Next returns the next value, or a row error for a rejected row, or io.EOF
// at the end, or another error when the file cannot be read further.
func (rd *Reader) Next() (Value, *incident.RowError, error) {
	rec, err := rd.cr.Read()
	if err == io.EOF {
		return Value{}, nil, io.EOF
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) && pe.Err != csv.ErrFieldCount {
		return Value{}, &incident.RowError{Line: pe.StartLine, Message: pe.Err.Error()}, nil
	}
	if err != nil {
		return Value{}, nil, err
	}
	line, _ := rd.cr.FieldPos(0)
	bad := func(field, msg string, args ...any) (Value, *incident.RowError, error) {
		return Value{}, &incident.RowError{Line: line, Field: field, Message: fmt.Sprintf(msg, args...), Raw: strings.Join(rec, ",")}, nil
	}
	if len(rec) != len(rd.header) {
		return bad("", "%d fields, the header has %d", len(rec), len(rd.header))
	}
	get := func(c string) string { return strings.TrimSpace(rec[rd.col[c]]) }
	v := Value{Line: line, AreaCode: get("area_code"), Period: get("period"), Indicator: get("indicator"), Unit: get("unit")}
	switch {
	case v.AreaCode == "":
		return bad("area_code", "empty area code")
	case !ValidPeriod(v.Period):
		return bad("period", "period %q: want YYYY, YYYY-MM or YYYY-Qn", v.Period)
	case v.Indicator == "":
		return bad("indicator", "empty indicator code")
	}
	raw := get("value")
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return bad("value", "value %q is not a number", raw)
	}
	v.Value = f
	return v, nil, nil
}
