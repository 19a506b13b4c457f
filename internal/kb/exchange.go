package kb

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Exchange formats, so that cities can share records (docs/knowledge-base.md):
//
//   - JSON: {"format": "icarus-kb/1", "records": [Item, ...]}
//   - CSV: a header row with the columns of CSVColumns, one record per row;
//     lists separated by ";", metadata as a JSON object.

// ExchangeFormat names the JSON format.
const ExchangeFormat = "icarus-kb/1"

// Limits of an exchange file.
const (
	MaxExchangeRecords = 20000
	MaxExchangeBytes   = 64 << 20
)

// CSVColumns are the columns of the CSV format, in order.
func CSVColumns() []string {
	return []string{"key", "kind", "title", "summary", "body", "language", "focus_area", "cross_cutting", "approaches",
		"city", "country", "year", "source", "metadata"}
}

// RecordError is a problem with one record of an exchange file: Row is the
// record's number (1-based; for CSV the line of the file), Field its column.
type RecordError struct {
	Row     int
	Field   string
	Message string
}

func (e RecordError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("record %d: %s", e.Row, e.Message)
	}
	return fmt.Sprintf("record %d, %s: %s", e.Row, e.Field, e.Message)
}

var (
	langRe    = regexp.MustCompile(`^[a-z]{2}$`)
	countryRe = regexp.MustCompile(`^[A-Z]{2}$`)
)

// ValidateItem checks one record against the built-in taxonomies and
// returns its problems, each naming a field (row is the record's number in
// its file).
func ValidateItem(row int, it Item) []RecordError {
	return ValidateItemIn(BuiltinTaxonomies(), row, it)
}

// ValidateItemIn is ValidateItem against an organisation's taxonomies
// (MergeTaxonomies): a retired value is still valid (records keep it).
func ValidateItemIn(tax Taxonomies, row int, it Item) []RecordError {
	var errs []RecordError
	bad := func(field, format string, a ...any) {
		errs = append(errs, RecordError{row, field, fmt.Sprintf(format, a...)})
	}
	if !ValidKind(it.Kind) {
		bad("kind", "%q is not one of %s", it.Kind, strings.Join(Kinds(), ", "))
	}
	if strings.TrimSpace(it.Title) == "" {
		bad("title", "required")
	}
	if len(it.Title) > 500 {
		bad("title", "longer than 500 bytes")
	}
	for f, v := range map[string]string{"key": it.Key, "title": it.Title, "summary": it.Summary, "body": it.Body, "city": it.City, "source": it.Source} {
		if !utf8.ValidString(v) {
			bad(f, "not valid UTF-8")
		}
	}
	if it.Language != "" && !langRe.MatchString(it.Language) {
		bad("language", "%q is not a two-letter ISO 639-1 code", it.Language)
	}
	if it.FocusArea != "" && !tax.Has(TaxFocus, it.FocusArea) {
		bad("focus_area", "%q is not one of %s", it.FocusArea, strings.Join(tax.Codes(TaxFocus), ", "))
	}
	for _, c := range it.CrossCutting {
		if !tax.Has(TaxCC, c) {
			bad("cross_cutting", "%q is not one of %s", c, strings.Join(tax.Codes(TaxCC), ", "))
		}
	}
	for _, a := range it.Approaches {
		if !tax.Has(TaxApproach, a) {
			bad("approaches", "%q is not one of %s", a, strings.Join(tax.Codes(TaxApproach), ", "))
		}
	}
	if it.Country != "" && !countryRe.MatchString(it.Country) {
		bad("country", "%q is not a two-letter ISO 3166 code in capitals", it.Country)
	}
	if it.Year != 0 && (it.Year < 1800 || it.Year > 2100) {
		bad("year", "%d is not a year between 1800 and 2100", it.Year)
	}
	if it.Metadata != nil {
		b, _ := json.Marshal(it.Metadata)
		switch it.Kind {
		case KindEvidence:
			if e, ok, err := EvidenceOf(b); err != nil {
				bad("metadata", "%v", err)
			} else if ok {
				for _, err := range e.Validate() {
					bad("metadata.emmie."+strings.SplitN(err.Error(), ":", 2)[0], "%s", strings.TrimSpace(strings.SplitN(err.Error(), ":", 2)[1]))
				}
			}
		case KindFinding:
			if f, err := FindingOf(b); err != nil {
				bad("metadata", "%v", err)
			} else if f.Type != "" && !ValidFindingType(f.Type) {
				bad("metadata.finding_type", "%q is not one of trend, tension, lesson, gap", f.Type)
			}
		}
	}
	return errs
}

// ReadRecordsJSON reads the JSON exchange format. It returns every record
// or, when any is wrong, the list of problems (and no records).
func ReadRecordsJSON(r io.Reader) ([]Item, []RecordError, error) {
	return ReadRecordsJSONIn(BuiltinTaxonomies(), r)
}

// ReadRecordsJSONIn is ReadRecordsJSON checking the taxonomy codes against
// an organisation's taxonomies.
func ReadRecordsJSONIn(tax Taxonomies, r io.Reader) ([]Item, []RecordError, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxExchangeBytes+1))
	if err != nil {
		return nil, nil, err
	}
	if len(data) > MaxExchangeBytes {
		return nil, nil, fmt.Errorf("the file is larger than %d MiB", MaxExchangeBytes>>20)
	}
	var doc struct {
		Format  string            `json:"format"`
		Records []json.RawMessage `json:"records"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return nil, nil, fmt.Errorf("not the JSON exchange format: %w", jsonWhere(data, err))
	}
	if doc.Format != ExchangeFormat {
		return nil, nil, fmt.Errorf("format: %q, want %q", doc.Format, ExchangeFormat)
	}
	if len(doc.Records) > MaxExchangeRecords {
		return nil, nil, fmt.Errorf("%d records, at most %d per file", len(doc.Records), MaxExchangeRecords)
	}
	var out []Item
	var errs []RecordError
	for i, raw := range doc.Records {
		var it Item
		d := json.NewDecoder(bytes.NewReader(raw))
		d.DisallowUnknownFields()
		if err := d.Decode(&it); err != nil {
			errs = append(errs, RecordError{Row: i + 1, Message: err.Error()})
			continue
		}
		errs = append(errs, ValidateItemIn(tax, i+1, it)...)
		out = append(out, it)
	}
	errs = append(errs, duplicateKeys(out, func(i int) int { return i + 1 })...)
	if len(errs) > 0 {
		return nil, errs, nil
	}
	return out, nil, nil
}

func jsonWhere(data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line := 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
		return fmt.Errorf("line %d: %w", line, err)
	}
	return err
}

func duplicateKeys(items []Item, row func(int) int) []RecordError {
	var errs []RecordError
	seen := map[string]int{}
	for i, it := range items {
		if it.Key == "" {
			continue
		}
		if j, ok := seen[it.Key]; ok {
			errs = append(errs, RecordError{row(i), "key", fmt.Sprintf("%q already used by record %d", it.Key, row(j))})
			continue
		}
		seen[it.Key] = i
	}
	return errs
}

// WriteRecordsJSON writes records in the JSON exchange format.
func WriteRecordsJSON(w io.Writer, items []Item) error {
	if items == nil {
		items = []Item{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{"format": ExchangeFormat, "records": items})
}

// WriteRecordsCSV writes records in the CSV exchange format.
func WriteRecordsCSV(w io.Writer, items []Item) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVColumns()); err != nil {
		return err
	}
	for _, it := range items {
		meta := ""
		if len(it.Metadata) > 0 {
			b, err := json.Marshal(it.Metadata)
			if err != nil {
				return err
			}
			meta = string(b)
		}
		year := ""
		if it.Year != 0 {
			year = strconv.Itoa(it.Year)
		}
		if err := cw.Write([]string{it.Key, it.Kind, it.Title, it.Summary, it.Body, it.Language, it.FocusArea,
			strings.Join(it.CrossCutting, ";"), strings.Join(it.Approaches, ";"), it.City, it.Country, year, it.Source, meta}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ReadRecordsCSV reads the CSV exchange format (UTF-8, BOM allowed; the
// header names the columns, in any order; key, kind and title are
// required, the others optional). It returns every record or, when any is
// wrong, the problems with their line and column (and no records).
func ReadRecordsCSV(r io.Reader) ([]Item, []RecordError, error) {
	return ReadRecordsCSVIn(BuiltinTaxonomies(), r)
}

// ReadRecordsCSVIn is ReadRecordsCSV checking the taxonomy codes against
// an organisation's taxonomies.
func ReadRecordsCSVIn(tax Taxonomies, r io.Reader) ([]Item, []RecordError, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxExchangeBytes+1))
	if err != nil {
		return nil, nil, err
	}
	if len(data) > MaxExchangeBytes {
		return nil, nil, fmt.Errorf("the file is larger than %d MiB", MaxExchangeBytes>>20)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err == io.EOF {
		return nil, nil, errors.New("the file is empty: want a header row")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("header: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(h))
		known := false
		for _, c := range CSVColumns() {
			known = known || c == h
		}
		if !known {
			return nil, nil, fmt.Errorf("header, column %d: unknown column %q (known: %s)", i+1, h, strings.Join(CSVColumns(), ", "))
		}
		if _, dup := col[h]; dup {
			return nil, nil, fmt.Errorf("header: column %q appears twice", h)
		}
		col[h] = i
	}
	for _, req := range []string{"kind", "title"} {
		if _, ok := col[req]; !ok {
			return nil, nil, fmt.Errorf("header: the column %q is required", req)
		}
	}
	var out []Item
	var lines []int
	var errs []RecordError
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, nil, fmt.Errorf("line %d: %v", pe.Line, pe.Err)
			}
			return nil, nil, err
		}
		line, _ := cr.FieldPos(0) // only valid after a successful Read
		if len(out) >= MaxExchangeRecords {
			return nil, nil, fmt.Errorf("more than %d records", MaxExchangeRecords)
		}
		if len(rec) != len(head) {
			errs = append(errs, RecordError{line, "", fmt.Sprintf("%d fields, the header has %d", len(rec), len(head))})
			continue
		}
		get := func(c string) string {
			if i, ok := col[c]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		list := func(c string) []string {
			var l []string
			for _, x := range strings.Split(get(c), ";") {
				if x = strings.TrimSpace(x); x != "" {
					l = append(l, x)
				}
			}
			return l
		}
		it := Item{Key: get("key"), Kind: get("kind"), Title: get("title"), Summary: get("summary"), Body: get("body"), Language: get("language"),
			FocusArea: get("focus_area"), CrossCutting: list("cross_cutting"), Approaches: list("approaches"), City: get("city"),
			Country: get("country"), Source: get("source")}
		if y := get("year"); y != "" {
			n, err := strconv.Atoi(y)
			if err != nil {
				errs = append(errs, RecordError{line, "year", fmt.Sprintf("%q is not a number", y)})
			}
			it.Year = n
		}
		if m := get("metadata"); m != "" {
			if err := json.Unmarshal([]byte(m), &it.Metadata); err != nil || it.Metadata == nil {
				errs = append(errs, RecordError{line, "metadata", "not a JSON object"})
				it.Metadata = nil
			}
		}
		errs = append(errs, ValidateItemIn(tax, line, it)...)
		out = append(out, it)
		lines = append(lines, line)
	}
	errs = append(errs, duplicateKeys(out, func(i int) int { return lines[i] })...)
	if len(errs) > 0 {
		return nil, errs, nil
	}
	return out, nil, nil
}
