package hub

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/geo"
	"github.com/icarus-city/icarus/internal/incident"
	"github.com/icarus-city/icarus/internal/store"
)

// IncidentOptions configure an incident import.
type IncidentOptions struct {
	OrgID       int64
	Dataset     string            // dataset name; default: the file name without extensions
	Preset      string            // incident.PresetNames(); default "generic"
	Mapping     *incident.Mapping // overrides the preset's mapping when non-nil
	CRS         string            // CRS of the coordinates when the file or preset does not say
	Attribution string
	Actor       string
	// DryRun validates the whole file and reports what an import would do,
	// writing nothing; Sample then holds the first SampleSize accepted rows.
	DryRun     bool
	SampleSize int
}

// datasetName derives a dataset name from a file name.
func datasetName(file string) string {
	base := filepath.Base(file)
	for _, ext := range []string{".gz", ".csv", ".tsv", ".txt", ".geojson", ".json"} {
		base = strings.TrimSuffix(base, ext)
	}
	return base
}

// isGeoJSON reports whether name (or the first bytes of the file) look like GeoJSON.
func isGeoJSON(name string, head []byte) bool {
	ext := strings.ToLower(filepath.Ext(strings.TrimSuffix(name, ".gz")))
	if ext == ".geojson" || ext == ".json" {
		return true
	}
	t := bytes.TrimLeft(head, " \t\r\n\xef\xbb\xbf")
	return len(t) > 0 && t[0] == '{'
}

// ImportIncidents imports an incident file (CSV, optionally gzipped, or
// GeoJSON points) into a dataset, atomically: on any fatal error nothing is
// written. Re-importing the same file adds nothing (rows are keyed).
func (s *Service) ImportIncidents(ctx context.Context, src Source, opt IncidentOptions) (Summary, error) {
	t0 := time.Now()
	sum := Summary{Kind: "incidents", File: filepath.Base(src.Name), Errors: []incident.RowError{}, Resolution: map[string]int{}}
	if opt.Dataset == "" {
		opt.Dataset = datasetName(src.Name)
	}
	sum.Target = opt.Dataset
	if opt.Preset == "" {
		opt.Preset = "generic"
	}
	m, err := incident.Preset(opt.Preset)
	if err != nil {
		return sum, apperr.Wrap(apperr.Invalid, err, "preset")
	}
	if opt.Mapping != nil {
		m = *opt.Mapping
	}
	if opt.CRS != "" {
		m.CRS = opt.CRS
	}
	if err := s.orgMapping(ctx, opt.OrgID, &m); err != nil {
		return sum, err
	}
	rows := 0
	cnt := newCounter(src, &rows)
	br := bufio.NewReaderSize(cnt, 1<<16)
	head, _ := br.Peek(512)
	var next func() (incident.Incident, *incident.RowError, error)
	var crs geo.CRS
	ext := strings.ToLower(filepath.Ext(src.Name))
	if ext == ".shp" || ext == ".kml" || isGeoJSON(src.Name, head) && !bytes.HasPrefix(head, []byte{0x1f, 0x8b}) {
		var fc *geo.Collection
		if ext == ".shp" || ext == ".kml" {
			if src.Open == nil {
				return sum, apperr.New(apperr.Invalid, "%s: a %s file needs its companion files (.dbf, .prj)", sum.File, ext)
			}
			open := src.Open
			fc, err = ReadSpatial(src.Name, func(e string) (io.ReadCloser, error) {
				if e == ext {
					return io.NopCloser(br), nil // counted and hashed like any file
				}
				return open(e)
			})
		} else {
			fc, err = geo.ReadGeoJSON(br)
		}
		if err != nil {
			return sum, apperr.Wrap(apperr.Invalid, err, "%s", sum.File)
		}
		if crs, err = fc.ResolveCRS(opt.CRS); err != nil {
			return sum, apperr.Wrap(apperr.Invalid, err, "%s", sum.File)
		}
		m.CRS = crs.String()
		next = geoJSONIncidents(fc, m)
	} else {
		if m.CRS == "" {
			return sum, apperr.New(apperr.Invalid, "%s: the coordinate reference system of the x/y columns is unknown; pass it, e.g. --crs EPSG:26971", sum.File)
		}
		if crs, err = geo.ParseCRS(m.CRS); err != nil {
			return sum, apperr.Wrap(apperr.Invalid, err, "%s: CRS %q", sum.File, m.CRS)
		}
		rd, err := incident.NewReader(br, m)
		if err != nil {
			return sum, apperr.Wrap(apperr.Invalid, err, "%s", sum.File)
		}
		m = rd.Mapping()
		sum.Columns = rd.Columns()
		next = rd.Next
	}
	sum.CRS = crs.String()
	sum.Mapping = mappingView(m)
	areas, err := s.areaSet(ctx, opt.OrgID)
	if err != nil {
		return sum, err
	}
	imp, err := s.Store.BeginIncidentImport(ctx, store.Dataset{OrgID: opt.OrgID, Name: opt.Dataset, Preset: opt.Preset, SourceCRS: sum.CRS, Attribution: opt.Attribution})
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
	xField := firstAlt(m.X)
	// Reading, checking, reprojecting and locating (this goroutine's
	// producer) run beside the database writes (the consumer below).
	const batch = 512
	batches := make(chan []store.IncidentRow, 4)
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var readErr error // set by the producer before it closes batches
	go func() {
		defer close(batches)
		out := make([]store.IncidentRow, 0, batch)
		send := func() bool {
			select {
			case batches <- out:
				out = make([]store.IncidentRow, 0, batch)
				return true
			case <-pctx.Done():
				readErr = context.Cause(pctx)
				return false
			}
		}
		for {
			if rows%4096 == 0 {
				if err := ctxErr(pctx); err != nil {
					readErr = err
					return
				}
			}
			inc, rowErr, err := next()
			if err == io.EOF {
				break
			}
			if err != nil {
				readErr = fatalReadError(sum.File, err)
				return
			}
			rows++
			sum.Read++
			if rowErr != nil {
				rej.add(*rowErr)
				continue
			}
			row := store.IncidentRow{Key: inc.Key, SourceID: inc.SourceID, Category: inc.Category, ICCS: inc.ICCS, Time: inc.Time,
				Resolution: string(inc.Resolution), HasLoc: inc.HasLocation, Attrs: inc.Attrs}
			if inc.HasLocation {
				if err := crs.CheckXY(inc.X, inc.Y); err != nil {
					rej.add(incident.RowError{Line: inc.Line, Field: xField, Message: err.Error()})
					continue
				}
				lon, lat, err := crs.ToWGS84(inc.X, inc.Y)
				if err != nil {
					rej.add(incident.RowError{Line: inc.Line, Field: xField, Message: err.Error()})
					continue
				}
				row.Lon, row.Lat = lon, lat
				row.AreaIDs = areas.locate(lon, lat, nil)
				if len(row.AreaIDs) == 0 && len(areas.areas) > 0 {
					sum.Unassigned++
				}
			} else {
				sum.NoLocation++
			}
			sum.Accepted++
			sum.Resolution[row.Resolution]++
			if len(sum.Sample) < opt.SampleSize {
				sum.Sample = append(sum.Sample, row)
			}
			out = append(out, row)
			if len(out) == batch && !send() {
				return
			}
		}
		if len(out) > 0 {
			send()
		}
	}()
	var addErr error
	for b := range batches {
		for _, r := range b {
			if addErr != nil {
				break // keep draining so the producer can finish
			}
			if addErr = imp.Add(r); addErr != nil {
				cancel()
			}
		}
	}
	if addErr != nil {
		return sum, addErr
	}
	if readErr != nil {
		return sum, readErr
	}
	if err := rej.flush(); err != nil {
		return sum, fmt.Errorf("writing rejected rows: %w", err)
	}
	sum.FileSHA256 = cnt.sum()
	if opt.DryRun {
		sum.Seconds = time.Since(t0).Seconds()
		return sum, nil
	}
	rec := store.ImportRecord{FileName: sum.File, FileSHA256: sum.FileSHA256, Read: sum.Read, Accepted: sum.Accepted, Rejected: sum.Rejected,
		Actor: opt.Actor, Started: t0, Finished: s.Now()}
	sum.Inserted, sum.Duplicates, err = imp.Commit(rec)
	committed = true
	if err != nil {
		return sum, err
	}
	if src.Progress != nil {
		src.Progress(cnt.n, rows)
	}
	sum.Seconds = time.Since(t0).Seconds()
	return sum, nil
}

// firstAlt returns the first alternative of a column specification "a|b".
func firstAlt(spec string) string {
	a, _, _ := strings.Cut(spec, "|")
	return a
}

// fatalReadError makes a read failure (e.g. a truncated gzip) a clear error.
func fatalReadError(file string, err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) {
		return apperr.Wrap(apperr.Invalid, err, "%s: the file is truncated or corrupt (gzip); nothing was imported", file)
	}
	return apperr.Wrap(apperr.Invalid, err, "%s: nothing was imported", file)
}

// geoJSONIncidents walks the point features of a GeoJSON collection as incidents.
func geoJSONIncidents(fc *geo.Collection, m incident.Mapping) func() (incident.Incident, *incident.RowError, error) {
	i := 0
	var seq incident.KeySequencer // identical features are distinct crimes: number them
	return func() (incident.Incident, *incident.RowError, error) {
		if i >= len(fc.Features) {
			return incident.Incident{}, nil, io.EOF
		}
		f := fc.Features[i]
		i++
		var x, y float64
		has := false
		if f.Geometry != nil {
			p, ok := f.Geometry.(orb.Point)
			if !ok {
				return incident.Incident{}, &incident.RowError{Line: f.Index, Field: "geometry", Message: fmt.Sprintf("feature %d is a %s; incidents must be points", f.Index, f.Geometry.GeoJSONType())}, nil
			}
			x, y, has = p[0], p[1], true
		}
		inc, rowErr := incident.FromProperties(f.Index, f.Props, x, y, has, m)
		if rowErr == nil {
			seq.Sequence(&inc)
		}
		return inc, rowErr, nil
	}
}

// mappingView lists the resolved column of each incident field, for previews.
func mappingView(m incident.Mapping) map[string]string {
	out := map[string]string{}
	for k, v := range map[string]string{"id": m.ID, "category": m.Category, "date": m.Date, "time": m.Time, "x": m.X, "y": m.Y,
		"year": m.Year, "month": m.Month, "day": m.Day, "hour": m.Hour, "minute": m.Minute} {
		if v != "" {
			out[k] = v
		}
	}
	if m.DefaultCategory != "" {
		out["default_category"] = m.DefaultCategory
	}
	return out
}
