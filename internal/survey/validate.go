package survey

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Answers are a response's answers after validation: question name ->
// string (single, likert, text, date, area), []string (multiple), float64
// (number) or Point (location). Unanswered and non-relevant questions are absent.
type Answers map[string]any

// Point is a location answer in WGS84.
type Point struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// FieldError is one problem of a response, naming the question.
type FieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"` // required, unknown_field, invalid_choice, not_a_number, out_of_range, invalid_date, invalid_location, invalid_area, invalid_type, too_long
	Message string `json:"message"`
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// MaxTextLen bounds a text answer (bytes).
const MaxTextLen = 2000

// ValidateOptions adjust Validate.
type ValidateOptions struct {
	// AreaOK reports whether an area code exists; nil accepts any non-empty code.
	AreaOK func(code string) bool
}

// AsText returns an answer as XLSForm text: what skip logic compares.
func AsText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []string:
		return strings.Join(x, " ")
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case Point:
		return strconv.FormatFloat(x.Lat, 'f', -1, 64) + " " + strconv.FormatFloat(x.Lon, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// Relevant reports whether q is asked given the answers so far.
func Relevant(q *Question, a Answers) bool {
	if q.Relevant == "" {
		return true
	}
	e, err := Parse(q.Relevant)
	if err != nil {
		return false // Check refuses such definitions
	}
	return e.Eval(func(n string) string { return AsText(a[n]) })
}

// Validate checks raw answers (as decoded from JSON: strings, numbers,
// arrays, objects) against the definition, in question order: skip logic
// sees the answers before it. Answers to questions that are not relevant are
// dropped, as ODK does; answers to unknown questions are errors. It returns
// the normalised answers and every field-level problem.
func Validate(d *Definition, raw map[string]any, opt ValidateOptions) (Answers, []FieldError) {
	out := Answers{}
	var errs []FieldError
	bad := func(q, code, f string, a ...any) {
		errs = append(errs, FieldError{Field: q, Code: code, Message: fmt.Sprintf(f, a...)})
	}
	known := map[string]bool{}
	for _, q := range d.Questions() {
		known[q.Name] = true
		v, present := raw[q.Name]
		if present && isEmpty(v) {
			present = false
		}
		if !Relevant(q, out) {
			continue
		}
		if q.Type == Note {
			if present {
				bad(q.Name, "invalid_type", "this is a note: it takes no answer")
			}
			continue
		}
		if !present {
			if q.Required {
				bad(q.Name, "required", "an answer is required")
			}
			continue
		}
		n, fe := normalise(q, v, opt)
		if fe != nil {
			fe.Field = q.Name
			errs = append(errs, *fe)
			continue
		}
		out[q.Name] = n
	}
	var unknown []string
	for k := range raw {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	for _, k := range unknown {
		bad(k, "unknown_field", "the survey has no question %q", k)
	}
	return out, errs
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	case []any:
		return len(x) == 0
	}
	return false
}

func fe(code, f string, a ...any) *FieldError {
	return &FieldError{Code: code, Message: fmt.Sprintf(f, a...)}
}

func normalise(q *Question, v any, opt ValidateOptions) (any, *FieldError) {
	switch q.Type {
	case Single, Likert:
		s, ok := v.(string)
		if !ok {
			return nil, fe("invalid_type", "want one choice value as text")
		}
		if !hasChoice(q, s) {
			return nil, fe("invalid_choice", "%q is not a choice of this question (choices: %s)", s, choiceList(q))
		}
		return s, nil
	case Multiple:
		var vals []string
		switch x := v.(type) {
		case string:
			vals = strings.Fields(x)
		case []any:
			for _, e := range x {
				s, ok := e.(string)
				if !ok {
					return nil, fe("invalid_type", "want a list of choice values")
				}
				vals = append(vals, s)
			}
		default:
			return nil, fe("invalid_type", "want a list of choice values")
		}
		var out []string
		for _, s := range vals {
			if !hasChoice(q, s) {
				return nil, fe("invalid_choice", "%q is not a choice of this question (choices: %s)", s, choiceList(q))
			}
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
		return out, nil
	case Number:
		var n float64
		switch x := v.(type) {
		case float64:
			n = x
		case string:
			f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
			if err != nil {
				return nil, fe("not_a_number", "%q is not a number", x)
			}
			n = f
		default:
			return nil, fe("not_a_number", "want a number")
		}
		if math.IsNaN(n) || math.IsInf(n, 0) {
			return nil, fe("not_a_number", "want a finite number")
		}
		if q.Integer && n != math.Trunc(n) {
			return nil, fe("not_a_number", "%g is not a whole number", n)
		}
		if q.Min != nil && n < *q.Min || q.Max != nil && n > *q.Max {
			return nil, fe("out_of_range", "%g is outside %s", n, rangeText(q))
		}
		return n, nil
	case Text:
		s, ok := v.(string)
		if !ok {
			return nil, fe("invalid_type", "want text")
		}
		if len(s) > MaxTextLen {
			return nil, fe("too_long", "longer than %d bytes", MaxTextLen)
		}
		return s, nil
	case Date:
		s, ok := v.(string)
		if !ok {
			return nil, fe("invalid_date", "want a date as YYYY-MM-DD")
		}
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return nil, fe("invalid_date", "%q is not a date as YYYY-MM-DD", s)
		}
		return s, nil
	case Location:
		var p Point
		switch x := v.(type) {
		case map[string]any:
			lat, ok1 := x["lat"].(float64)
			lon, ok2 := x["lon"].(float64)
			if !ok1 || !ok2 {
				return nil, fe("invalid_location", `want {"lat": number, "lon": number}`)
			}
			p = Point{lat, lon}
		case string:
			f := strings.Fields(x)
			if len(f) < 2 {
				return nil, fe("invalid_location", `want "lat lon"`)
			}
			var err1, err2 error
			p.Lat, err1 = strconv.ParseFloat(f[0], 64)
			p.Lon, err2 = strconv.ParseFloat(f[1], 64)
			if err1 != nil || err2 != nil {
				return nil, fe("invalid_location", `want "lat lon"`)
			}
		default:
			return nil, fe("invalid_location", `want {"lat": number, "lon": number}`)
		}
		if !(p.Lat >= -90 && p.Lat <= 90 && p.Lon >= -180 && p.Lon <= 180) {
			return nil, fe("invalid_location", "latitude must be within ±90 and longitude within ±180 (WGS84)")
		}
		return p, nil
	case Area:
		s, ok := v.(string)
		if !ok {
			return nil, fe("invalid_type", "want an area code")
		}
		if opt.AreaOK != nil && !opt.AreaOK(s) {
			return nil, fe("invalid_area", "%q is not an area of this organisation", s)
		}
		return s, nil
	}
	return nil, fe("invalid_type", "unknown question type %q", q.Type)
}

func hasChoice(q *Question, v string) bool {
	for _, c := range q.Choices {
		if c.Value == v {
			return true
		}
	}
	return false
}

func choiceList(q *Question) string {
	vs := make([]string, len(q.Choices))
	for i, c := range q.Choices {
		vs[i] = c.Value
	}
	return strings.Join(vs, ", ")
}

func rangeText(q *Question) string {
	switch {
	case q.Min != nil && q.Max != nil:
		return fmt.Sprintf("%g..%g", *q.Min, *q.Max)
	case q.Min != nil:
		return fmt.Sprintf(">= %g", *q.Min)
	}
	return fmt.Sprintf("<= %g", *q.Max)
}
