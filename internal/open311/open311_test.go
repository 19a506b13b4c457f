package open311

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"math"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// TestSameFieldNames: every document type has the same XML and JSON names
// (the spec's), so both formats come from the same types.
func TestSameFieldNames(t *testing.T) {
	for _, v := range []any{Discovery{}, Endpoint{}, Service{}, Attribute{}, Value{}, ServiceDefinition{}, Ack{}, TokenAnswer{}, Request{}, Note{}, Update{}, Error{}} {
		rt := reflect.TypeOf(v)
		for i := 0; i < rt.NumField(); i++ {
			f := rt.Field(i)
			if f.Name == "XMLName" {
				continue
			}
			x := strings.Split(f.Tag.Get("xml"), ",")[0]
			if j := strings.Index(x, ">"); j >= 0 {
				x = x[:j]
			}
			j := strings.Split(f.Tag.Get("json"), ",")[0]
			if x == "" || x != j {
				t.Errorf("%s.%s: xml %q, json %q", rt.Name(), f.Name, x, j)
			}
		}
	}
}

func TestEncodeLists(t *testing.T) {
	var b bytes.Buffer
	if err := Encode(&b, JSON, RequestList(nil)); err != nil || b.String() != "[]\n" {
		t.Errorf("empty JSON list: %q %v", b.String(), err)
	}
	b.Reset()
	Encode(&b, XML, ErrorList{{Code: 403, Description: "Invalid api_key"}})
	want := "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<errors>\n  <error>\n    <code>403</code>\n    <description>Invalid api_key</description>\n  </error>\n</errors>\n"
	if b.String() != want {
		t.Errorf("XML errors:\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	Encode(&b, JSON, AckList{{ServiceRequestID: "007"}})
	if b.String() != `[{"service_request_id":"007"}]`+"\n" {
		t.Errorf("ack: %s", b.String())
	}
	b.Reset()
	Encode(&b, JSON, DefaultServices()[0].Definition())
	if !strings.HasPrefix(b.String(), `{"service_code":"lighting","attributes":[`) {
		t.Errorf("definition: %s", b.String())
	}
	b.Reset()
	Encode(&b, JSON, ServiceSpec{Code: "x", Name: "X"}.Definition())
	if !strings.Contains(b.String(), `"attributes":[]`) {
		t.Errorf("empty definition: %s", b.String())
	}
}

func TestDefaultServices(t *testing.T) {
	seen := map[Datatype]bool{}
	codes := map[string]bool{}
	sensitive := 0
	for _, s := range DefaultServices() {
		if fe := s.Validate(); len(fe) > 0 {
			t.Errorf("%s: %v", s.Code, fe)
		}
		if codes[s.Code] {
			t.Errorf("duplicate code %s", s.Code)
		}
		codes[s.Code] = true
		if s.Department == "" {
			t.Errorf("%s: no department", s.Code)
		}
		if s.Sensitive {
			sensitive++
			if s.ICCS == "" {
				t.Errorf("%s: sensitive without ICCS code", s.Code)
			}
		}
		for _, a := range s.Attributes {
			seen[a.Datatype] = true
		}
	}
	for _, d := range Datatypes() {
		if !seen[d] {
			t.Errorf("datatype %s unused", d)
		}
	}
	if sensitive == 0 {
		t.Error("no sensitive default service")
	}
	if first := DefaultServices()[0]; first.Sensitive || hasRequired(first) {
		t.Error("the first service should take a bare POST (generic clients use it)")
	}
}

func hasRequired(s ServiceSpec) bool {
	for _, a := range s.Attributes {
		if a.Required {
			return true
		}
	}
	return false
}

func TestStatusProjection(t *testing.T) {
	open, closed := 0, 0
	for _, s := range Statuses() {
		p, ok := ParseStatus(s.FMS())
		if !ok || p != s {
			t.Errorf("FMS round trip of %s: %s %v", s, p, ok)
		}
		switch s.Projected() {
		case "open":
			open++
		case "closed":
			closed++
		default:
			t.Errorf("%s projects to %q", s, s.Projected())
		}
	}
	if open != 5 || closed != 6 {
		t.Errorf("open %d closed %d", open, closed)
	}
	if s, _ := ParseStatus("NOT_COUNCILS_RESPONSIBILITY"); s != StatusNotResponsible {
		t.Error(s)
	}
	if _, ok := StatusesFor("pending"); ok {
		t.Error("pending accepted as a projected status")
	}
}

func TestSnap(t *testing.T) {
	// every point of a cell snaps to its centre, within half a diagonal
	for _, p := range [][2]float64{{53.4808, -2.2426}, {-33.86, 151.2}, {0, 0}, {89.9999, 179.9999}, {-90, -180}} {
		la, lo := Snap(p[0], p[1], 100)
		dy := (la - p[0]) * metresPerDegreeLat
		dx := (lo - p[1]) * metresPerDegreeLat * math.Cos(p[0]*math.Pi/180)
		if d := math.Hypot(dx, dy); d > 75 && math.Abs(p[0]) < 89 {
			t.Errorf("%v → %v,%v: %.1f m", p, la, lo, d)
		}
		la2, lo2 := Snap(la, lo, 100)
		if la2 != la || lo2 != lo {
			t.Errorf("snap is not idempotent at %v", p)
		}
	}
	a1, o1 := Snap(53.48081, -2.24261, 100)
	a2, o2 := Snap(53.48082, -2.24262, 100)
	if a1 != a2 || o1 != o2 {
		t.Error("neighbouring points in one cell snap apart")
	}
}

func TestDecodeMultivalue(t *testing.T) {
	v, _ := url.ParseQuery("service_code=vandalism&lat=1&long=2&attribute[surface][]=wall&attribute[surface][]=sign&attribute[when]=2025-01-02T03:04:05%2B01:00")
	s, fe := DecodeRequest(v)
	if len(fe) > 0 {
		t.Fatal(fe)
	}
	fe = s.CheckAttributes(DefaultServices()[1].Attributes)
	if len(fe) > 0 {
		t.Fatal(fe)
	}
	if got := s.Attributes["surface"]; len(got) != 2 || got[0] != "wall" || got[1] != "sign" {
		t.Errorf("surface %v", got)
	}
	if s.Attributes["when"][0] != "2025-01-02T03:04:05+01:00" {
		t.Errorf("when %v", s.Attributes["when"])
	}
}

// FuzzDecodeRequest: any form body decodes without panicking; what is
// accepted satisfies the documented limits.
func FuzzDecodeRequest(f *testing.F) {
	f.Add("api_key=xyz&jurisdiction_id=city.gov&service_code=001&lat=37.76524078&long=-122.4212043&address_string=1234+5th+street&email=smit333%40sfgov.edu&device_id=tt222111&account_id=123456&first_name=john&last_name=smith&phone=111111111&description=A+large+sinkhole&media_url=http%3A%2F%2Ffarm3.static.flickr.com%2F2002%2F2212426634_5ed477a060.jpg&attribute[WHISPAWN]=123456&attribute[WHISDORN]=COISL001")
	f.Add("service_code=vandalism&lat=1&long=2&attribute[surface][]=wall&attribute[surface][]=moon")
	f.Add("service_code=lighting&lat=NaN&long=Inf&description=%3Cb%3E")
	f.Add("attribute[]=x&attribute[a][b]=y&lat=&long=1")
	f.Fuzz(func(t *testing.T, body string) {
		v, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		s, fe := DecodeRequest(v)
		for _, sp := range DefaultServices() {
			c := s
			c.Attributes = map[string][]string{}
			for k, x := range s.Attributes {
				c.Attributes[k] = append([]string(nil), x...)
			}
			fe2 := c.CheckAttributes(sp.Attributes)
			_ = fe2.Error()
		}
		if len(fe) > 0 {
			_ = fe.Error()
			return
		}
		if s.ServiceCode == "" || !ValidCode(s.ServiceCode) {
			t.Fatalf("accepted without a valid service_code: %q", s.ServiceCode)
		}
		if !s.HasLocation && s.AddressString == "" && s.AddressID == "" {
			t.Fatal("accepted without a location")
		}
		if s.HasLocation && (math.IsNaN(s.Lat) || s.Lat < -90 || s.Lat > 90 || s.Long < -180 || s.Long > 180) {
			t.Fatalf("accepted coordinates %v %v", s.Lat, s.Long)
		}
		if len([]rune(s.Description)) > MaxDescription || htmlTagRE.MatchString(s.Description) {
			t.Fatal("accepted a bad description")
		}
		if len(s.Attributes) > MaxAttributes {
			t.Fatal("too many attributes accepted")
		}
	})
}

// FuzzEncode: whatever text a request holds, both encodings are well formed
// and decode back to the same values.
func FuzzEncode(f *testing.F) {
	f.Add("Lamp out\nnear <the> \"bus\" & stop", "001", 53.48, -2.24)
	f.Add("\x00\xff\ufffe", "a]]>b", math.NaN(), math.Inf(1))
	f.Fuzz(func(t *testing.T, desc, code string, lat, long float64) {
		if math.IsNaN(lat) || math.IsInf(lat, 0) || math.IsNaN(long) || math.IsInf(long, 0) {
			return // Public never emits them: coordinates are validated on the way in
		}
		in := RequestList{{ServiceRequestID: code, Status: "open", ServiceCode: code, Description: desc, Lat: &lat, Long: &long}}
		var jb, xb bytes.Buffer
		if err := Encode(&jb, JSON, in); err != nil {
			t.Fatal(err)
		}
		var back RequestList
		if err := json.Unmarshal(jb.Bytes(), &back); err != nil {
			t.Fatalf("JSON does not decode: %v\n%s", err, jb.String())
		}
		if err := Encode(&xb, XML, in); err != nil {
			return // text XML cannot carry (e.g. control characters) is refused, not mangled
		}
		var env struct {
			Items []Request `xml:"request"`
		}
		if err := xml.Unmarshal(xb.Bytes(), &env); err != nil {
			t.Fatalf("XML does not decode: %v\n%s", err, xb.String())
		}
		if len(env.Items) != 1 || len(back) != 1 || *env.Items[0].Lat != lat || *back[0].Long != long {
			t.Fatalf("round trip: %+v %+v", env.Items, back)
		}
	})
}
