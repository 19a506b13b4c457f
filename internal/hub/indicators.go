package hub

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/incident"
	"github.com/icarus-city/icarus/internal/indicator"
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
	rd, err := indicator.NewReader(cnt)
	if err != nil {
		return sum, apperr.Wrap(apperr.Invalid, err, "%s", sum.File)
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
		v, rowErr, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return sum, fatalReadError(sum.File, err)
		}
		rows++
		sum.Read++
		if rowErr != nil {
			rej.add(*rowErr)
			continue
		}
		areaID, ok := byCode[v.AreaCode]
		switch {
		case !ok:
			rej.add(incident.RowError{Line: v.Line, Field: "area_code", Message: fmt.Sprintf("unknown area code %q (import its boundaries first)", v.AreaCode)})
			continue
		case ambiguous[v.AreaCode]:
			rej.add(incident.RowError{Line: v.Line, Field: "area_code", Message: fmt.Sprintf("area code %q exists in several layers; choose the layer", v.AreaCode)})
			continue
		}
		if err := imp.Add(store.IndicatorValue{IndicatorCode: v.Indicator, Unit: v.Unit, AreaID: areaID, Period: v.Period, Value: v.Value}); err != nil {
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
