package open311

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits of a POSTed service request.
const (
	MaxDescription  = 4000 // characters, as the spec says
	MaxShortField   = 200  // names, ids, phone, address_id, one-line attributes
	MaxAddress      = 500
	MaxEmail        = 254
	MaxURL          = 2000
	MaxTextAttr     = 4000
	MaxAttributes   = 50 // attribute[...] keys
	MaxListValues   = 50 // values of one multivaluelist
	MaxFormBytes    = 64 << 10
	maxAttrCodeSize = 64
)

// Submission is a decoded POST service request (before it is stored).
type Submission struct {
	JurisdictionID string
	ServiceCode    string
	HasLocation    bool
	Lat, Long      float64
	AddressString  string
	AddressID      string
	Email          string
	DeviceID       string
	AccountID      string
	FirstName      string
	LastName       string
	Phone          string
	Description    string
	MediaURL       string
	// Attributes maps an attribute code to its values (one, or several for
	// a multivaluelist), as sent.
	Attributes map[string][]string
}

// FieldError is a validation error tied to one argument.
type FieldError struct {
	Field   string
	Message string
}

// FieldErrors is a list of validation errors; it is an error when not empty.
type FieldErrors []FieldError

func (fe FieldErrors) Error() string {
	parts := make([]string, len(fe))
	for i, e := range fe {
		parts[i] = e.Field + ": " + e.Message
	}
	return strings.Join(parts, "; ")
}

// Err returns fe as an error, nil when empty.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	return fe
}

func (fe *FieldErrors) add(field, format string, args ...any) {
	*fe = append(*fe, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// attrKeyRE matches attribute[CODE] and attribute[CODE][].
var attrKeyRE = regexp.MustCompile(`^attribute\[([^\[\]]*)\](\[\])?$`)

// codeRE is what a service or attribute code may look like.
var codeRE = regexp.MustCompile(`^[A-Za-z0-9_.\-]{1,64}$`)

// htmlTagRE finds something that looks like an HTML tag or comment.
var htmlTagRE = regexp.MustCompile(`<\s*[A-Za-z!/?]`)

// emailRE is a deliberately loose e-mail check (one @, a dot in the domain).
var emailRE = regexp.MustCompile(`^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$`)

// ValidCode reports whether s can be a service or attribute code.
func ValidCode(s string) bool { return codeRE.MatchString(s) }

// DecodeRequest reads the arguments of POST requests (form values, api_key
// excluded) and checks them on their own: lengths, UTF-8, coordinates, the
// location rule, e-mail and URL syntax, attribute keys. Checks that need the
// service definition are CheckAttributes'. An empty argument counts as
// absent, as the spec says.
func DecodeRequest(v url.Values) (Submission, FieldErrors) {
	var s Submission
	var fe FieldErrors
	get := func(name string, max int, multiline bool) string {
		vals := v[name]
		if len(vals) == 0 {
			return ""
		}
		x := strings.TrimSpace(vals[0])
		if msg := checkText(x, max, multiline); msg != "" {
			fe.add(name, "%s", msg)
			return ""
		}
		return x
	}
	s.JurisdictionID = get("jurisdiction_id", MaxShortField, false)
	s.ServiceCode = get("service_code", maxAttrCodeSize, false)
	switch {
	case strings.TrimSpace(first(v["service_code"])) == "":
		fe.add("service_code", "is required")
	case s.ServiceCode == "": // already reported
	case !ValidCode(s.ServiceCode):
		fe.add("service_code", "is not a service code")
		s.ServiceCode = ""
	}
	lat, long := get("lat", 40, false), get("long", 40, false)
	s.AddressString = get("address_string", MaxAddress, false)
	s.AddressID = get("address_id", MaxShortField, false)
	switch {
	case lat != "" && long != "":
		la, e1 := strconv.ParseFloat(lat, 64)
		lo, e2 := strconv.ParseFloat(long, 64)
		ok := true
		if e1 != nil || math.IsNaN(la) || la < -90 || la > 90 {
			fe.add("lat", "must be a latitude in decimal degrees (WGS84) between -90 and 90")
			ok = false
		}
		if e2 != nil || math.IsNaN(lo) || lo < -180 || lo > 180 {
			fe.add("long", "must be a longitude in decimal degrees (WGS84) between -180 and 180")
			ok = false
		}
		if ok {
			s.HasLocation, s.Lat, s.Long = true, la, lo
		}
	case lat != "" || long != "":
		fe.add("lat", "lat and long must be sent together")
	case s.AddressString == "" && s.AddressID == "":
		fe.add("location", "send lat and long, address_string or address_id")
	}
	s.Email = get("email", MaxEmail, false)
	if s.Email != "" && !emailRE.MatchString(s.Email) {
		fe.add("email", "is not an e-mail address")
		s.Email = ""
	}
	s.DeviceID = get("device_id", MaxShortField, false)
	s.AccountID = get("account_id", MaxShortField, false)
	s.FirstName = get("first_name", MaxShortField, false)
	s.LastName = get("last_name", MaxShortField, false)
	s.Phone = get("phone", 40, false)
	if s.Phone != "" && strings.IndexFunc(s.Phone, func(r rune) bool { return !strings.ContainsRune("0123456789+-(). /x", r) }) >= 0 {
		fe.add("phone", "may contain only digits, spaces and + - ( ) . /")
		s.Phone = ""
	}
	s.Description = get("description", MaxDescription, true)
	if htmlTagRE.MatchString(s.Description) {
		fe.add("description", "may not contain HTML or code")
		s.Description = ""
	}
	s.MediaURL = get("media_url", MaxURL, false)
	if s.MediaURL != "" {
		u, err := url.Parse(s.MediaURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			fe.add("media_url", "must be an http or https URL")
			s.MediaURL = ""
		}
	}

	// attribute[CODE]=v and attribute[CODE][]=v1&attribute[CODE][]=v2
	keys := make([]string, 0)
	for k := range v {
		if strings.HasPrefix(k, "attribute[") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if len(keys) > MaxAttributes {
		fe.add("attribute", "at most %d attributes", MaxAttributes)
		keys = keys[:MaxAttributes]
	}
	for _, k := range keys {
		m := attrKeyRE.FindStringSubmatch(k)
		if m == nil || !ValidCode(m[1]) {
			fe.add(truncate(k, 80), "is not attribute[CODE] or attribute[CODE][]")
			continue
		}
		code, vals := m[1], v[k]
		if len(vals) > MaxListValues {
			fe.add("attribute["+code+"]", "at most %d values", MaxListValues)
			continue
		}
		if s.Attributes == nil {
			s.Attributes = map[string][]string{}
		}
		for _, x := range vals {
			x = strings.TrimSpace(x)
			if msg := checkText(x, MaxTextAttr, true); msg != "" {
				fe.add("attribute["+code+"]", "%s", msg)
				continue
			}
			if x != "" {
				s.Attributes[code] = append(s.Attributes[code], x)
			}
		}
	}
	return s, fe
}

// checkText returns why x is not acceptable text ("" if it is).
func checkText(x string, max int, multiline bool) string {
	if !utf8.ValidString(x) {
		return "is not valid UTF-8"
	}
	if n := utf8.RuneCountInString(x); n > max {
		return fmt.Sprintf("is too long (%d characters, at most %d)", n, max)
	}
	for _, r := range x {
		if r == '\n' || r == '\r' || r == '\t' {
			if !multiline && r != '\t' {
				return "may not contain line breaks"
			}
			continue
		}
		if unicode.IsControl(r) || r == '\uFFFD' {
			return "contains control characters"
		}
	}
	return ""
}

// CheckAttributes checks the submission's attributes against a service
// definition: required ones present, numbers numeric, datetimes ISO 8601,
// list values among the keys, one value unless multivaluelist, no line
// break in a string. Attributes the definition does not know, and the
// non-variable ones, are dropped. It normalises datetimes to RFC 3339 when
// they carry a timezone.
func (s *Submission) CheckAttributes(defs []Attribute) FieldErrors {
	var fe FieldErrors
	known := map[string]Attribute{}
	for _, a := range defs {
		if a.Variable {
			known[a.Code] = a
		}
	}
	for code := range s.Attributes {
		if _, ok := known[code]; !ok {
			delete(s.Attributes, code)
		}
	}
	for _, a := range defs {
		if !a.Variable {
			continue
		}
		field := "attribute[" + a.Code + "]"
		vals := s.Attributes[a.Code]
		if len(vals) == 0 {
			if a.Required {
				fe.add(field, "is required (%s)", a.Description)
			}
			continue
		}
		if a.Datatype != MultiValueList && len(vals) > 1 {
			fe.add(field, "takes one value")
			continue
		}
		switch a.Datatype {
		case String:
			if strings.ContainsAny(vals[0], "\r\n") {
				fe.add(field, "may not contain line breaks")
			} else if utf8.RuneCountInString(vals[0]) > MaxShortField {
				fe.add(field, "is too long (at most %d characters)", MaxShortField)
			}
		case Text:
		case Number:
			f, err := strconv.ParseFloat(vals[0], 64)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				fe.add(field, "must be a number")
			}
		case Datetime:
			t, ok := parseLooseTime(vals[0])
			if !ok {
				fe.add(field, "must be an ISO 8601 date or datetime (2010-01-01T00:00:00Z)")
			} else if t != "" {
				s.Attributes[a.Code] = []string{t}
			}
		case SingleValueList, MultiValueList:
			for _, x := range vals {
				if !slices.ContainsFunc(a.Values, func(v Value) bool { return v.Key == x }) {
					fe.add(field, "%q is not one of the listed values", truncate(x, 40))
					break
				}
			}
		}
	}
	return fe
}

// parseLooseTime accepts the ISO 8601 forms a browser or client sends and
// returns the value normalised (RFC 3339 with a zone; as given without one).
func parseLooseTime(x string) (string, bool) {
	if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
		return t.Format(time.RFC3339), true
	}
	for _, l := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if _, err := time.Parse(l, x); err == nil {
			return x, true
		}
	}
	return "", false
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

func first(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[0]
}
