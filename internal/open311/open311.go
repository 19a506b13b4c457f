// Package open311 is Icarus's Open311 GeoReport v2 capability: the
// documents of the API (service list, service definition, service requests,
// tokens, errors, discovery and FixMyStreet's service request updates), their
// XML and JSON encodings produced from the same types, the decoding and
// validation of a POSTed service request, the extended statuses and their
// projection onto the spec's open/closed, the default urban-security
// services and the privacy rules of the public view.
//
// It does no I/O beyond writing to an io.Writer: no store, no HTTP.
//
// Spec: http://wiki.open311.org/GeoReport_v2 (open311/open311.github.io,
// GeoReport/v2/index.md). Field names are the spec's, ids and codes are
// always strings (the spec's JSON examples write them as bare numbers,
// which is not valid JSON).
package open311

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"time"
)

// Specification is the token of the spec in service discovery.
const Specification = "http://wiki.open311.org/GeoReport_v2"

// Format is the response format, chosen by the path's extension.
type Format string

// The formats: XML is required by the spec, JSON optional (we serve both).
const (
	XML  Format = "xml"
	JSON Format = "json"
)

// ContentType is the HTTP Content-Type of the format.
func (f Format) ContentType() string {
	if f == JSON {
		return "application/json; charset=utf-8"
	}
	return "text/xml; charset=utf-8"
}

// MIME is the bare media type (as listed in discovery).
func (f Format) MIME() string {
	if f == JSON {
		return "application/json"
	}
	return "text/xml"
}

// SplitFormat cuts ".xml" or ".json" off a path segment ("033.json" →
// "033", JSON). ok is false for any other (or no) extension.
func SplitFormat(seg string) (name string, f Format, ok bool) {
	for _, x := range []Format{XML, JSON} {
		suf := "." + string(x)
		if len(seg) > len(suf) && seg[len(seg)-len(suf):] == suf {
			return seg[:len(seg)-len(suf)], x, true
		}
	}
	return seg, "", false
}

// TimeFormat is the w3c-note subset of ISO 8601 with a timezone, as the spec
// requires (2010-01-01T00:00:00Z).
const TimeFormat = time.RFC3339

// FormatTime formats t for a response ("" for the zero time).
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(TimeFormat)
}

// ParseTime parses a w3c datetime argument; the timezone is mandatory.
// Fractional seconds are accepted.
func ParseTime(s string) (time.Time, error) {
	return time.Parse(time.RFC3339Nano, s)
}

// ---------------------------------------------------------------- documents

// Discovery is the service discovery document (Service_Discovery.md).
type Discovery struct {
	XMLName    xml.Name   `xml:"discovery" json:"-"`
	Changeset  string     `xml:"changeset" json:"changeset"`
	Contact    string     `xml:"contact" json:"contact"`
	KeyService string     `xml:"key_service" json:"key_service"`
	Endpoints  []Endpoint `xml:"endpoints>endpoint" json:"endpoints"`
}

// Endpoint is one API endpoint listed in discovery.
type Endpoint struct {
	Specification string   `xml:"specification" json:"specification"`
	URL           string   `xml:"url" json:"url"`
	Changeset     string   `xml:"changeset" json:"changeset"`
	Type          string   `xml:"type" json:"type"` // production or test
	Formats       []string `xml:"formats>format" json:"formats"`
}

// ServiceType says what POST returns for a service.
type ServiceType string

// The service types of the spec.
const (
	Realtime ServiceType = "realtime" // the service_request_id at once
	Batch    ServiceType = "batch"    // a token, exchanged later for the id
	Blackbox ServiceType = "blackbox" // nothing
)

// Valid reports whether t is one of the spec's types.
func (t ServiceType) Valid() bool { return t == Realtime || t == Batch || t == Blackbox }

// Service is one entry of GET services.
type Service struct {
	ServiceCode string      `xml:"service_code" json:"service_code"`
	ServiceName string      `xml:"service_name" json:"service_name"`
	Description string      `xml:"description" json:"description"`
	Metadata    bool        `xml:"metadata" json:"metadata"`
	Type        ServiceType `xml:"type" json:"type"`
	Keywords    string      `xml:"keywords" json:"keywords"`
	Group       string      `xml:"group" json:"group"`
}

// ServiceList is the services document.
type ServiceList []Service

// Datatype is the type of an attribute of a service definition.
type Datatype string

// The datatypes of the spec.
const (
	String          Datatype = "string"
	Number          Datatype = "number"
	Datetime        Datatype = "datetime"
	Text            Datatype = "text"
	SingleValueList Datatype = "singlevaluelist"
	MultiValueList  Datatype = "multivaluelist"
)

// Datatypes lists every datatype of the spec.
func Datatypes() []Datatype {
	return []Datatype{String, Number, Datetime, Text, SingleValueList, MultiValueList}
}

// Valid reports whether d is one of the spec's datatypes.
func (d Datatype) Valid() bool {
	for _, x := range Datatypes() {
		if d == x {
			return true
		}
	}
	return false
}

// IsList reports whether the datatype takes its values from a list.
func (d Datatype) IsList() bool { return d == SingleValueList || d == MultiValueList }

// Attribute is one field of a service definition.
type Attribute struct {
	Variable            bool     `xml:"variable" json:"variable"`
	Code                string   `xml:"code" json:"code"`
	Datatype            Datatype `xml:"datatype" json:"datatype"`
	Required            bool     `xml:"required" json:"required"`
	DatatypeDescription string   `xml:"datatype_description" json:"datatype_description"`
	Order               int      `xml:"order" json:"order"`
	Description         string   `xml:"description" json:"description"`
	Values              []Value  `xml:"values>value" json:"values,omitempty"`
}

// Value is one option of a list attribute.
type Value struct {
	Key  string `xml:"key" json:"key"`
	Name string `xml:"name" json:"name"`
}

// ServiceDefinition is the document of GET services/{code}.
type ServiceDefinition struct {
	XMLName     xml.Name    `xml:"service_definition" json:"-"`
	ServiceCode string      `xml:"service_code" json:"service_code"`
	Attributes  []Attribute `xml:"attributes>attribute" json:"attributes"`
}

// Ack is the answer to POST requests: the id xor a token, and an optional
// notice.
type Ack struct {
	ServiceRequestID string `xml:"service_request_id,omitempty" json:"service_request_id,omitempty"`
	Token            string `xml:"token,omitempty" json:"token,omitempty"`
	ServiceNotice    string `xml:"service_notice,omitempty" json:"service_notice,omitempty"`
	AccountID        string `xml:"account_id,omitempty" json:"account_id,omitempty"`
}

// AckList is the POST response document.
type AckList []Ack

// TokenAnswer is one entry of GET tokens/{token}.
type TokenAnswer struct {
	ServiceRequestID string `xml:"service_request_id" json:"service_request_id"`
	Token            string `xml:"token" json:"token"`
}

// TokenList is the tokens document.
type TokenList []TokenAnswer

// Request is a service request as GET requests returns it. The fields the
// spec says "may not be returned" are omitted when empty; Lat/Long are
// omitted when the public view has no location to give.
type Request struct {
	ServiceRequestID  string   `xml:"service_request_id" json:"service_request_id"`
	Status            string   `xml:"status" json:"status"`
	StatusNotes       string   `xml:"status_notes,omitempty" json:"status_notes,omitempty"`
	ServiceName       string   `xml:"service_name" json:"service_name"`
	ServiceCode       string   `xml:"service_code" json:"service_code"`
	Description       string   `xml:"description" json:"description"`
	AgencyResponsible string   `xml:"agency_responsible,omitempty" json:"agency_responsible,omitempty"`
	ServiceNotice     string   `xml:"service_notice,omitempty" json:"service_notice,omitempty"`
	RequestedDatetime string   `xml:"requested_datetime" json:"requested_datetime"`
	UpdatedDatetime   string   `xml:"updated_datetime" json:"updated_datetime"`
	ExpectedDatetime  string   `xml:"expected_datetime,omitempty" json:"expected_datetime,omitempty"`
	Address           string   `xml:"address" json:"address"`
	AddressID         string   `xml:"address_id" json:"address_id"`
	Zipcode           string   `xml:"zipcode" json:"zipcode"`
	Lat               *float64 `xml:"lat,omitempty" json:"lat,omitempty"`
	Long              *float64 `xml:"long,omitempty" json:"long,omitempty"`
	MediaURL          string   `xml:"media_url" json:"media_url"`
	// Extensions (only with extensions=true).
	DetailedStatus string `xml:"detailed_status,omitempty" json:"detailed_status,omitempty"`
	Notes          []Note `xml:"notes>note,omitempty" json:"notes,omitempty"`
}

// Note is one entry of a request's history (the "notes" extension).
type Note struct {
	Datetime    string `xml:"datetime" json:"datetime"`
	Type        string `xml:"type" json:"type"` // submitted, status, answer
	Status      string `xml:"status,omitempty" json:"status,omitempty"`
	Description string `xml:"description" json:"description"`
}

// RequestList is the GET requests document.
type RequestList []Request

// Update is one FixMyStreet request_update (servicerequestupdates).
type Update struct {
	UpdateID         string `xml:"update_id" json:"update_id"`
	ServiceRequestID string `xml:"service_request_id" json:"service_request_id"`
	Status           string `xml:"status" json:"status"`
	UpdatedDatetime  string `xml:"updated_datetime" json:"updated_datetime"`
	Description      string `xml:"description" json:"description"`
	MediaURL         string `xml:"media_url" json:"media_url"`
}

// UpdateList is the servicerequestupdates document.
type UpdateList []Update

// Error is one error of an error response.
type Error struct {
	// Code is numeric as in the spec's example; it is the HTTP status or a
	// more specific code.
	Code        int    `xml:"code" json:"code"`
	Description string `xml:"description" json:"description"`
}

// ErrorList is the error document: always an array.
type ErrorList []Error

// ---------------------------------------------------------------- encoding

// envelope returns the XML root and item element names of a document.
func envelope(v any) (root, item string, items any, ok bool) {
	switch d := v.(type) {
	case ServiceList:
		return "services", "service", []Service(d), true
	case AckList:
		return "service_requests", "request", []Ack(d), true
	case TokenList:
		return "service_requests", "request", []TokenAnswer(d), true
	case RequestList:
		return "service_requests", "request", []Request(d), true
	case UpdateList:
		return "service_request_updates", "request_update", []Update(d), true
	case ErrorList:
		return "errors", "error", []Error(d), true
	}
	return "", "", nil, false
}

// Encode writes a document (one of the *List types, *Discovery or
// *ServiceDefinition) in format f. Lists are JSON arrays (never null) and XML
// envelopes (services › service, service_requests › request, errors › error,
// ...): the Spark convention drops the outer element in JSON. XML starts with
// the declaration with encoding="UTF-8".
func Encode(w io.Writer, f Format, v any) error {
	root, item, items, isList := envelope(v)
	if f == JSON {
		if isList {
			v = items
			if emptyList(items) {
				_, err := io.WriteString(w, "[]\n")
				return err
			}
		}
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return enc.Encode(v)
	}
	if _, err := io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if isList {
		start := xml.StartElement{Name: xml.Name{Local: root}}
		if err := enc.EncodeToken(start); err != nil {
			return err
		}
		if err := enc.EncodeElement(items, xml.StartElement{Name: xml.Name{Local: item}}); err != nil {
			return err
		}
		if err := enc.EncodeToken(start.End()); err != nil {
			return err
		}
	} else if err := enc.Encode(v); err != nil {
		return err
	}
	if err := enc.Flush(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func emptyList(items any) bool {
	switch x := items.(type) {
	case []Service:
		return len(x) == 0
	case []Ack:
		return len(x) == 0
	case []TokenAnswer:
		return len(x) == 0
	case []Request:
		return len(x) == 0
	case []Update:
		return len(x) == 0
	case []Error:
		return len(x) == 0
	}
	return false
}
