package cli

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/geo"
	"github.com/paulmach/orb"
)

// pointInput is a CSV file of points for an analysis: --input, --x, --y and,
// as the method needs, --time and --value.
type pointInput struct {
	file, x, y, time, value, crs, timeFormat string
	noHeader                                 bool
}

func (p *pointInput) register(fs *flag.FlagSet, withTime, withValue bool) {
	fs.StringVar(&p.file, "input", "", "input CSV `FILE` of points (plain or gzip)")
	fs.StringVar(&p.x, "x", "x", "`column` of x (name, or 1-based number with --no-header)")
	fs.StringVar(&p.y, "y", "y", "`column` of y")
	if withTime {
		fs.StringVar(&p.time, "time", "date", "`column` of the date or date-time")
		fs.StringVar(&p.timeFormat, "time-format", "", "Go time `layout` of --time (default: ISO date or date-time, dd/mm/yyyy)")
	}
	if withValue {
		fs.StringVar(&p.value, "value", "value", "`column` of the value")
	}
	fs.StringVar(&p.crs, "crs", "", "`CRS` of x/y; geographic coordinates are projected to a metric CRS (default: x/y are already in metres)")
	fs.BoolVar(&p.noHeader, "no-header", false, "the file has no header: columns are 1-based numbers")
}

// points is what pointInput reads: coordinates in metres, times, values.
type points struct {
	X, Y  []float64
	T     []time.Time // with --time
	V     []float64   // with --value
	CRS   string      // the metric CRS of X/Y ("" when taken as given)
	Lines []int       // source line of each point
}

// read reads the whole file; any bad row is an error naming its line and
// column, since an analysis on silently dropped rows would be wrong.
func (p *pointInput) read() (*points, error) {
	if p.file == "" {
		return nil, apperr.New(apperr.Invalid, "--input FILE is required")
	}
	f, err := os.Open(p.file)
	if err != nil {
		return nil, apperr.Wrap(apperr.Invalid, err, "input")
	}
	defer f.Close()
	r, err := maybeGunzip(f)
	if err != nil {
		return nil, apperr.Wrap(apperr.Invalid, err, "%s", p.file)
	}
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	var header []string
	if !p.noHeader {
		h, err := cr.Read()
		if err != nil {
			return nil, apperr.Wrap(apperr.Invalid, err, "%s line 1: cannot read the header", p.file)
		}
		header = append([]string(nil), h...)
		if len(header) > 0 {
			header[0] = strings.TrimPrefix(header[0], "\ufeff")
		}
	}
	col := func(spec string) (int, error) {
		if spec == "" {
			return -1, nil
		}
		if p.noHeader {
			n, err := strconv.Atoi(spec)
			if err != nil || n < 1 {
				return 0, apperr.New(apperr.Invalid, "column %q: without a header, give columns as 1-based numbers", spec)
			}
			return n - 1, nil
		}
		for i, h := range header {
			if strings.EqualFold(strings.TrimSpace(h), spec) {
				return i, nil
			}
		}
		if n, err := strconv.Atoi(spec); err == nil && n >= 1 && n <= len(header) {
			return n - 1, nil
		}
		return 0, apperr.New(apperr.Invalid, "%s line 1: no column %q (columns: %s)", p.file, spec, strings.Join(header, ", "))
	}
	ix, err := col(p.x)
	if err != nil {
		return nil, err
	}
	iy, err := col(p.y)
	if err != nil {
		return nil, err
	}
	it, err := col(p.time)
	if err != nil {
		return nil, err
	}
	iv, err := col(p.value)
	if err != nil {
		return nil, err
	}
	var crs geo.CRS
	var metric geo.CRS
	if p.crs != "" {
		if crs, err = geo.ParseCRS(p.crs); err != nil {
			return nil, apperr.Wrap(apperr.Invalid, err, "--crs")
		}
	}
	out := &points{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, apperr.New(apperr.Invalid, "%s line %d: %v", p.file, pe.StartLine, pe.Err)
		}
		if err != nil {
			return nil, apperr.Wrap(apperr.Invalid, err, "%s", p.file)
		}
		line, _ := cr.FieldPos(0)
		field := func(i int, name string) (string, error) {
			if i >= len(rec) {
				return "", apperr.New(apperr.Invalid, "%s line %d: no column %s (the row has %d fields)", p.file, line, name, len(rec))
			}
			return strings.TrimSpace(rec[i]), nil
		}
		num := func(i int, name string) (float64, error) {
			s, err := field(i, name)
			if err != nil {
				return 0, err
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return 0, apperr.New(apperr.Invalid, "%s line %d, column %s: %q is not a number", p.file, line, name, s)
			}
			return v, nil
		}
		x, err := num(ix, p.x)
		if err != nil {
			return nil, err
		}
		y, err := num(iy, p.y)
		if err != nil {
			return nil, err
		}
		if !crs.IsZero() {
			if err := crs.CheckXY(x, y); err != nil {
				return nil, apperr.New(apperr.Invalid, "%s line %d: %v", p.file, line, err)
			}
			if crs.IsGeographic() || crs.Unit != geo.UnitMetre {
				if metric.IsZero() {
					lon, lat, _ := crs.ToWGS84(x, y)
					metric = geo.MetricCRSFor(geoBound(lon, lat))
					out.CRS = metric.String()
				}
				lon, lat, err := crs.ToWGS84(x, y)
				if err == nil {
					x, y, err = metric.FromWGS84(lon, lat)
				}
				if err != nil {
					return nil, apperr.New(apperr.Invalid, "%s line %d: %v", p.file, line, err)
				}
			}
		}
		if it >= 0 {
			s, err := field(it, p.time)
			if err != nil {
				return nil, err
			}
			t, err := parseAnalysisTime(s, p.timeFormat)
			if err != nil {
				return nil, apperr.New(apperr.Invalid, "%s line %d, column %s: %v", p.file, line, p.time, err)
			}
			out.T = append(out.T, t)
		}
		if iv >= 0 {
			v, err := num(iv, p.value)
			if err != nil {
				return nil, err
			}
			out.V = append(out.V, v)
		}
		out.X, out.Y, out.Lines = append(out.X, x), append(out.Y, y), append(out.Lines, line)
	}
	if len(out.X) == 0 {
		return nil, apperr.New(apperr.Invalid, "%s: no rows", p.file)
	}
	return out, nil
}

// parseAnalysisTime parses s with layout, or with the usual layouts.
func parseAnalysisTime(s, layout string) (time.Time, error) {
	if layout != "" {
		t, err := time.Parse(layout, s)
		if err != nil {
			return t, fmt.Errorf("%q does not match --time-format %q", s, layout)
		}
		return t, nil
	}
	for _, l := range []string{"2006-01-02", "2006-01-02 15:04", "2006-01-02 15:04:05", "2006-01-02T15:04:05", time.RFC3339, "02/01/2006"} {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date (want YYYY-MM-DD[ HH:MM[:SS]] or dd/mm/yyyy, or give --time-format)", s)
}

func geoBound(lon, lat float64) orb.Bound {
	return orb.Bound{Min: orb.Point{lon, lat}, Max: orb.Point{lon, lat}}
}

// maybeGunzip returns a reader that decompresses r when it starts with the gzip magic bytes.
func maybeGunzip(r io.Reader) (io.Reader, error) {
	br := bufio.NewReader(r)
	if b, _ := br.Peek(2); len(b) == 2 && b[0] == 0x1f && b[1] == 0x8b {
		return gzip.NewReader(br)
	}
	return br, nil
}
