package hub

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/incident"
	"github.com/icarus-city/icarus/internal/store"
)

// IndicatorOptions configure an indicator import.
type IndicatorOptions struct {
	OrgID   int64
	Partner string // the partner organisation that supplies the values (required)
	Layer   int64  // resolve area codes in this layer only (0 = any layer)
	Actor   string
	// Definitions are optional indicator definitions (code, name, unit, description).
	Definitions []store.Indicator
}

var periodRe = regexp.MustCompile(`^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$`)

// indicatorColumns are the required columns of the long format.
var indicatorColumns = []string{"area_code", "period", "indicator", "value", "unit"}

// ImportIndicators imports a long-format CSV (area_code, period, indicator,
// value, unit) supplied by a named partner. Periods are YYYY, YYYY-MM or
// YYYY-Qn. The import is atomic; re-sending a value replaces it.
func (s *Service) ImportIndicators(ctx context.Context, src Source, opt IndicatorOptions) (Summary, error) {
	t0 := time.Now()
	sum := Summary{Kind: "indicators", File: filepath.Base(src.Name), Target: opt.Partner, Errors: []incident.RowError{}}
	if strings.TrimSpace(opt.Partner) == "" {
		return sum, apperr.New(apperr.Invalid, "name the partner organisation that supplies the indicators (--partner)")
	}
	areas, err := s.Store.Areas(ctx, opt.OrgID, opt.Layer, false)
	if err != nil {
		return sum, err
	}
	byCode := map[string]int64{}
	ambiguous := map[string]bool{}
	for _, a := range areas {
		if _, dup := byCode[a.Code]; dup {
			ambiguous[a.Code] = true
		}
		byCode[a.Code] = a.ID
	}
	rows := 0
	cnt := newCounter(src, &rows)
	cr := csv.NewReader(stripBOM(cnt))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return sum, apperr.Wrap(apperr.Invalid, err, "%s: cannot read the header", sum.File)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	var missing []string
	for _, c := range indicatorColumns {
		if _, ok := col[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return sum, apperr.New(apperr.Invalid, "%s line 1: wrong header: missing column(s) %s (found: %s; want %s)", sum.File,
			strings.Join(missing, ", "), strings.Join(header, ", "), strings.Join(indicatorColumns, ","))
	}
	imp, err := s.Store.BeginIndicatorImport(ctx, opt.OrgID, opt.Partner, opt.Definitions)
	if err != nil {
		return sum, err
	}
	committed := false
	defer func() {
		if !committed {
			imp.Rollback()
		}
	}()
	rej := newRejects(src.Rejects, &sum)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			sum.Read++
			rej.add(incident.RowError{Line: pe.StartLine, Message: pe.Err.Error()})
			continue
		}
		if err != nil {
			return sum, fatalReadError(sum.File, err)
		}
		rows++
		sum.Read++
		get := func(c string) string {
			i := col[c]
			if i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		bad := func(field, msg string, args ...any) {
			rej.add(incident.RowError{Line: line, Field: field, Message: fmt.Sprintf(msg, args...), Raw: strings.Join(rec, ",")})
		}
		if len(rec) != len(header) {
			bad("", "%d fields, the header has %d", len(rec), len(header))
			continue
		}
		code, period, ind, unit := get("area_code"), get("period"), get("indicator"), get("unit")
		areaID, ok := byCode[code]
		switch {
		case code == "":
			bad("area_code", "empty area code")
			continue
		case !ok:
			bad("area_code", "unknown area code %q (import its boundaries first)", code)
			continue
		case ambiguous[code]:
			bad("area_code", "area code %q exists in several layers; choose the layer", code)
			continue
		case !periodRe.MatchString(period):
			bad("period", "period %q: want YYYY, YYYY-MM or YYYY-Qn", period)
			continue
		case ind == "":
			bad("indicator", "empty indicator code")
			continue
		}
		v, err := strconv.ParseFloat(get("value"), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			bad("value", "value %q is not a number", get("value"))
			continue
		}
		if err := imp.Add(store.IndicatorValue{IndicatorCode: ind, Unit: unit, AreaID: areaID, Period: period, Value: v}); err != nil {
			return sum, err
		}
		sum.Accepted++
	}
	if err := rej.flush(); err != nil {
		return sum, err
	}
	sum.FileSHA256 = cnt.sum()
	sum.Inserted, sum.Duplicates = imp.Inserted+imp.Updated, imp.Unchanged
	_, err = imp.Commit(store.ImportRecord{FileName: sum.File, FileSHA256: sum.FileSHA256, Read: sum.Read, Accepted: sum.Accepted, Rejected: sum.Rejected,
		Inserted: sum.Inserted, Duplicates: sum.Duplicates, Actor: opt.Actor, Started: t0, Finished: s.Now()})
	committed = true
	sum.Seconds = time.Since(t0).Seconds()
	return sum, err
}

// stripBOM drops a leading UTF-8 byte order mark.
func stripBOM(r io.Reader) io.Reader {
	br := newPeeker(r)
	if b, _ := br.Peek(3); string(b) == "\xef\xbb\xbf" {
		br.Discard(3)
	}
	return br
}
