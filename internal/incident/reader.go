package incident

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrInternal wraps an unexpected internal failure (a recovered panic). It is
// returned as a fatal error by Reader.Next; it indicates a bug.
var ErrInternal = errors.New("incident: internal error")

// Lookahead limits for deciding the day/month order of slash dates.
const (
	orderLookahead   = 100000 // rows buffered at most while undecided
	orderNoSlashStop = 1000   // stop early when no slash date was seen in this many rows
	bufSize          = 64 << 10
)

// rawRec is a record read ahead of Next.
type rawRec struct {
	rec      []string
	line     int
	parseErr *csv.ParseError
	err      error // fatal error met while reading ahead
}

// Reader reads incidents from a CSV stream (optionally gzipped).
type Reader struct {
	conv     *converter
	cr       *csv.Reader
	gz       bool
	delim    rune
	header   []string
	pending  []rawRec
	pi       int
	fatal    error
	stats    Stats
	seq      KeySequencer
	lastLine int
}

// NewReader prepares a Reader: it transparently gunzips (gzip magic bytes),
// strips a UTF-8 BOM, sniffs the delimiter when m.Delimiter is 0, reads the
// header (when m.HasHeader) and resolves the mapping. A header missing
// required columns gives an error naming them and listing the columns found.
func NewReader(r io.Reader, m Mapping) (*Reader, error) {
	if r == nil {
		return nil, errors.New("incident: nil reader")
	}
	rd := &Reader{}
	br := bufio.NewReaderSize(r, bufSize)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("incident: gzip: %v", err)
		}
		rd.gz = true
		br = bufio.NewReaderSize(gz, bufSize)
	}
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte{0xef, 0xbb, 0xbf}) {
		_, _ = br.Discard(3)
	}
	rd.delim = m.Delimiter
	if rd.delim == 0 {
		head, _ := br.Peek(bufSize)
		rd.delim = sniffDelimiter(head)
	}
	if !validDelim(rd.delim) {
		return nil, fmt.Errorf("incident: invalid delimiter %q", rd.delim)
	}
	m.Delimiter = rd.delim
	rd.cr = csv.NewReader(br)
	rd.cr.Comma = rd.delim
	rd.cr.FieldsPerRecord = -1
	rd.cr.ReuseRecord = true

	nfields := 0
	if m.HasHeader {
		rec, err := rd.cr.Read()
		switch {
		case err == io.EOF:
			return nil, errors.New("incident: empty input: no header row")
		case err != nil:
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("incident: header: %v", err)
			}
			return nil, rd.wrapFatal(err, 1)
		}
		rd.header = append([]string(nil), rec...)
		for i := range rd.header {
			rd.header[i] = strings.TrimSpace(rd.header[i])
		}
		nfields = len(rd.header)
		rd.lastLine = 1
	} else {
		rr := rd.readCSV()
		if rr.rec != nil {
			rr.rec = append([]string(nil), rr.rec...)
		}
		rd.pending = append(rd.pending, rr)
		if rr.err == nil && rr.parseErr == nil {
			nfields = len(rr.rec)
		}
	}
	conv, err := newConverter(m, rd.header, m.HasHeader, nfields, false)
	if err != nil {
		var he *headerError
		if errors.As(err, &he) && looksLikeData(rd.header) {
			he.hint = "the first row looks like data, not a header: if the file has no header, set HasHeader=false and map columns by position (\"1\", \"2\", ...)"
		}
		return nil, err
	}
	rd.conv = conv
	if conv.date.idx >= 0 && conv.dates.layouts == nil && conv.dates.order == 0 {
		rd.decideOrder()
	}
	return rd, nil
}

// sniffDelimiter picks among ',', ';' and tab the most frequent outside
// quotes on the first line (',' on ties or when none occurs).
func sniffDelimiter(head []byte) rune {
	counts := map[byte]int{}
	inQuote := false
	for _, b := range head {
		if b == '"' {
			inQuote = !inQuote
			continue
		}
		if inQuote {
			continue
		}
		if b == '\n' {
			break
		}
		if b == ',' || b == ';' || b == '\t' {
			counts[b]++
		}
	}
	best, n := byte(','), counts[',']
	for _, c := range []byte{';', '\t'} {
		if counts[c] > n {
			best, n = c, counts[c]
		}
	}
	return rune(best)
}

func validDelim(r rune) bool {
	return r != 0 && r != '"' && r != '\r' && r != '\n' && utf8.ValidRune(r) && r != utf8.RuneError
}

// looksLikeData reports whether a would-be header row looks like a data row
// (most non-empty fields are numbers or dates).
func looksLikeData(rec []string) bool {
	n, data := 0, 0
	for _, f := range rec {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n++
		if _, err := strconv.ParseFloat(f, 64); err == nil {
			data++
		} else if _, ok := scanDate(f); ok {
			data++
		}
	}
	return n > 0 && data*2 > n
}

// readCSV reads one record from the CSV reader (copying it).
func (r *Reader) readCSV() rawRec {
	rec, err := r.cr.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) && !errors.Is(pe.Err, io.ErrUnexpectedEOF) && !isIOError(pe.Err) {
			return rawRec{line: pe.StartLine, parseErr: pe}
		}
		if err == io.EOF {
			return rawRec{err: io.EOF}
		}
		return rawRec{err: r.wrapFatal(err, r.lastLine+1)}
	}
	line, _ := r.cr.FieldPos(0)
	end, _ := r.cr.FieldPos(len(rec) - 1)
	r.lastLine = end
	return rawRec{rec: rec, line: line}
}

func isIOError(err error) bool {
	return errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader)
}

// next returns the next raw record, from the look-ahead buffer first.
func (r *Reader) next() rawRec {
	if r.pi < len(r.pending) {
		rr := r.pending[r.pi]
		r.pending[r.pi] = rawRec{}
		r.pi++
		if r.pi == len(r.pending) {
			r.pending, r.pi = nil, 0
		}
		return rr
	}
	return r.readCSV()
}

// decideOrder reads ahead to find a slash date proving dd/mm or mm/dd.
func (r *Reader) decideOrder() {
	var order byte
	sawSlash := false
	scan := func(rr rawRec) bool {
		if rr.rec == nil || r.conv.date.idx >= len(rr.rec) {
			return false
		}
		f, ok := scanDate(strings.TrimSpace(rr.rec[r.conv.date.idx]))
		if !ok || f.kind != shapeSlash {
			return false
		}
		sawSlash = true
		switch {
		case f.a > 12 && f.b >= 1 && f.b <= 12:
			order = 'd'
		case f.b > 12 && f.a >= 1 && f.a <= 12:
			order = 'm'
		}
		return order != 0
	}
	done := false
	for _, rr := range r.pending {
		if scan(rr) {
			done = true
			break
		}
	}
	for !done && len(r.pending) < orderLookahead {
		if len(r.pending) >= orderNoSlashStop && !sawSlash {
			break
		}
		rr := r.readCSV()
		if rr.rec != nil {
			rr.rec = append([]string(nil), rr.rec...)
		}
		r.pending = append(r.pending, rr)
		if rr.err != nil {
			break
		}
		done = scan(rr)
	}
	switch order {
	case 'd':
		r.conv.dates.order, r.conv.m.DateOrder = 'd', "dmy"
	case 'm':
		r.conv.dates.order, r.conv.m.DateOrder = 'm', "mdy"
	}
}

// wrapFatal turns a read error into a fatal error naming gzip problems.
func (r *Reader) wrapFatal(err error, line int) error {
	if r.gz {
		switch {
		case errors.Is(err, io.ErrUnexpectedEOF):
			return fmt.Errorf("incident: gzip: truncated input (unexpected EOF) at line %d: %w", line, err)
		case errors.Is(err, gzip.ErrChecksum), errors.Is(err, gzip.ErrHeader):
			return fmt.Errorf("incident: gzip: corrupt input at line %d: %w", line, err)
		}
		return fmt.Errorf("incident: gzip: read error at line %d: %w", line, err)
	}
	return fmt.Errorf("incident: read error at line %d: %w", line, err)
}

// Next returns the next row: an accepted incident (rowErr nil), or a
// rejected row (rowErr non-nil), or err: io.EOF at the end, or a fatal error
// (e.g. "gzip: truncated input (unexpected EOF) at line N"), after which
// Next keeps returning the same error. Rows counted before a fatal error
// satisfy read = accepted + rejected.
func (r *Reader) Next() (inc Incident, rowErr *RowError, err error) {
	if r.fatal != nil {
		return Incident{}, nil, r.fatal
	}
	defer func() {
		if p := recover(); p != nil {
			r.fatal = fmt.Errorf("%w: %v", ErrInternal, p)
			inc, rowErr, err = Incident{}, nil, r.fatal
		}
	}()
	rr := r.next()
	if rr.err != nil {
		r.fatal = rr.err
		return Incident{}, nil, rr.err
	}
	r.stats.Read++
	if rr.parseErr != nil {
		r.stats.Rejected++
		pe := rr.parseErr
		return Incident{}, &RowError{Line: pe.StartLine, Message: fmt.Sprintf("CSV syntax error at line %d, column %d: %v", pe.Line, pe.Column, pe.Err)}, nil
	}
	if n := r.conv.nfields; n > 0 && len(rr.rec) != n {
		r.stats.Rejected++
		what := "the header has"
		if !r.conv.m.HasHeader {
			what = "the first row has"
		}
		return Incident{}, &RowError{Line: rr.line, Message: fmt.Sprintf("wrong field count: %d fields, %s %d", len(rr.rec), what, n), Raw: r.encodeRaw(rr.rec)}, nil
	}
	inc, rowErr = r.conv.row(rr.rec, rr.line, nil)
	if rowErr != nil {
		r.stats.Rejected++
		rowErr.Raw = r.encodeRaw(rr.rec)
		return Incident{}, rowErr, nil
	}
	if inc.SourceID != "" {
		r.seq.Sequence(&inc)
	} else {
		inc.Key = r.seq.hashKey(r.conv.digest(&inc))
	}
	r.stats.Accepted++
	if !inc.HasLocation {
		r.stats.NoLocation++
	}
	return inc, nil, nil
}

// encodeRaw re-encodes a record as one CSV line with the file's delimiter.
func (r *Reader) encodeRaw(rec []string) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Comma = r.delim
	_ = w.Write(rec)
	w.Flush()
	return strings.TrimRight(b.String(), "\r\n")
}

// Columns returns the header as written (trimmed), or "1".."n" for files
// without header.
func (r *Reader) Columns() []string {
	if r.header != nil {
		return append([]string(nil), r.header...)
	}
	out := make([]string, r.conv.nfields)
	for i := range out {
		out[i] = strconv.Itoa(i + 1)
	}
	return out
}

// Mapping returns the resolved mapping: column fields hold the header names
// actually used (cleared when an optional column is absent), Keep lists the
// kept columns found (as Attrs keys), Delimiter the delimiter used, CRS is
// set to EPSG:4326 when it was empty and the X column is a longitude column,
// and DateOrder reports the day/month order decided from the data.
func (r *Reader) Mapping() Mapping {
	m := r.conv.m
	m.Keep = append([]string(nil), m.Keep...)
	m.DateFormats = append([]string(nil), m.DateFormats...)
	m.Optional = append([]string(nil), m.Optional...)
	if m.ICCS != nil {
		c := make(map[string]string, len(m.ICCS))
		for k, v := range m.ICCS {
			c[k] = v
		}
		m.ICCS = c
	}
	return m
}

// Stats returns the row counts so far.
func (r *Reader) Stats() Stats { return r.stats }

// FromProperties turns the properties and point of one GeoJSON feature into
// an Incident with the same validation as CSV rows. Property names are
// matched like header names; X/Y of the mapping are ignored (the point is
// given; hasLoc false means a null geometry). Without a SourceID the Key
// ends in "#1": pass the incidents of one file, in order, through a
// KeySequencer to number identical features.
func FromProperties(line int, props map[string]string, x, y float64, hasLoc bool, m Mapping) (inc Incident, rowErr *RowError) {
	defer func() {
		if p := recover(); p != nil {
			inc, rowErr = Incident{}, &RowError{Line: line, Message: fmt.Sprintf("internal error: %v", p)}
		}
	}()
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	rec := make([]string, len(keys))
	for i, k := range keys {
		rec[i] = props[k]
	}
	m.HasHeader = true
	conv, err := newConverter(m, keys, true, len(keys), true)
	if err != nil {
		re := &RowError{Line: line, Message: err.Error()}
		var he *headerError
		if errors.As(err, &he) && len(he.missing) > 0 {
			re.Field = he.missing[0]
			re.Message = fmt.Sprintf("missing property %q (properties found: %s)", he.missing[0], strings.Join(keys, ", "))
		}
		return Incident{}, re
	}
	inc, rowErr = conv.row(rec, line, &location{x: x, y: y, hasLoc: hasLoc})
	if rowErr != nil {
		return Incident{}, rowErr
	}
	if inc.SourceID != "" {
		inc.Key = inc.SourceID
	} else {
		var s KeySequencer
		inc.Key = s.hashKey(conv.digest(&inc))
	}
	return inc, nil
}
