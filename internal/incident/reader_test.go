package incident

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

const policeUKHeader = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n"

// collect reads everything, failing on fatal errors.
func collect(t *testing.T, input string, m Mapping) (incs []Incident, rejects []*RowError, rd *Reader) {
	t.Helper()
	rd, err := NewReader(strings.NewReader(input), m)
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	for {
		inc, re, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if re != nil {
			rejects = append(rejects, re)
		} else {
			incs = append(incs, inc)
		}
	}
	s := rd.Stats()
	if s.Read != s.Accepted+s.Rejected || s.Accepted != len(incs) || s.Rejected != len(rejects) {
		t.Fatalf("accounting broken: %+v, %d incidents, %d rejects", s, len(incs), len(rejects))
	}
	return incs, rejects, rd
}

func TestPoliceUKBadRows(t *testing.T) {
	input := policeUKHeader +
		"abc1,2019-05,Merseyside Police,Merseyside Police,-2.878518,53.498496,On or near Colmoor Close,E01006493,Knowsley 001C,Shoplifting,Unable to prosecute suspect,\n" +
		",2019-13,Merseyside Police,Merseyside Police,-2.878518,53.498496,On or near X,E01006493,Knowsley 001C,Shoplifting,,\n" +
		",2019-05,Merseyside Police,Merseyside Police,-2.878518,153.4,On or near X,E01006493,Knowsley 001C,Shoplifting,,\n" +
		",2019-06,Merseyside Police,Merseyside Police,,,No location,,,Anti-social behaviour,,\n" +
		",not-a-month,Merseyside Police,Merseyside Police,-2.9,53.4,On or near X,E01006493,Knowsley 001C,Burglary,,\n"
	incs, rejects, rd := collect(t, input, mustPreset(t, "police-uk"))
	var lines []int
	for _, re := range rejects {
		lines = append(lines, re.Line)
	}
	if !reflect.DeepEqual(lines, []int{3, 4, 6}) {
		t.Fatalf("reject lines = %v, want [3 4 6]: %v", lines, rejects)
	}
	checks := []struct{ field, contains string }{
		{"Month", `"2019-13"`},
		{"Latitude", "153.4"},
		{"Month", `"not-a-month"`},
	}
	for i, c := range checks {
		re := rejects[i]
		if re.Field != c.field || !strings.Contains(re.Message, c.contains) {
			t.Errorf("reject %d = %+v, want field %q message containing %q", i, re, c.field, c.contains)
		}
		if re.Raw == "" {
			t.Errorf("reject %d has no Raw row", i)
		}
	}
	if !strings.Contains(rejects[1].Message, "[-90, 90]") {
		t.Errorf("latitude message %q does not name the valid range", rejects[1].Message)
	}
	if !strings.Contains(rejects[0].Message, "YYYY-MM") {
		t.Errorf("month message %q does not name the expected format", rejects[0].Message)
	}
	if len(incs) != 2 {
		t.Fatalf("accepted %d, want 2", len(incs))
	}
	a := incs[0]
	if a.SourceID != "abc1" || a.Key != "abc1" || a.Line != 2 || a.Category != "Shoplifting" || a.ICCS != "0502" ||
		a.Resolution != ResolutionMonth || !a.Time.Equal(time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC)) ||
		!a.HasLocation || a.X != -2.878518 || a.Y != 53.498496 {
		t.Errorf("first incident = %+v", a)
	}
	if a.Attrs["LSOA code"] != "E01006493" || a.Attrs["Last outcome category"] != "Unable to prosecute suspect" {
		t.Errorf("attrs = %v", a.Attrs)
	}
	if _, ok := a.Attrs["Context"]; ok {
		t.Errorf("empty Context should not be stored: %v", a.Attrs)
	}
	b := incs[1]
	if b.HasLocation || b.Line != 5 || b.ICCS != "" || b.SourceID != "" || !strings.HasSuffix(b.Key, "#1") {
		t.Errorf("no-location incident = %+v", b)
	}
	if s := rd.Stats(); s != (Stats{Read: 5, Accepted: 2, Rejected: 3, NoLocation: 1}) {
		t.Errorf("stats = %+v", s)
	}
}

func TestMissingLocationRejectedWhenNotOK(t *testing.T) {
	m := mustPreset(t, "police-uk")
	m.MissingLocationOK = false
	_, rejects, _ := collect(t, policeUKHeader+",2019-06,A,B,,,No location,,,Burglary,,\n,2019-06,A,B,-2.1,,x,,,Burglary,,\n", m)
	if len(rejects) != 2 || rejects[0].Field != "Longitude" || rejects[1].Field != "Latitude" {
		t.Fatalf("rejects = %v", rejects)
	}
}

func TestMultilineRecordLine(t *testing.T) {
	input := "Month,Crime type,Longitude,Latitude,Location\n" +
		"2019-05,Burglary,-2.1,53.1,\"On or near\nA Street\"\n" +
		"2019-13,Burglary,-2.1,53.1,x\n"
	m := mustPreset(t, "police-uk")
	m.Keep = []string{"Location"}
	incs, rejects, _ := collect(t, input, m)
	if len(incs) != 1 || incs[0].Line != 2 || incs[0].Attrs["Location"] != "On or near\nA Street" {
		t.Fatalf("incidents = %+v", incs)
	}
	if len(rejects) != 1 || rejects[0].Line != 4 {
		t.Fatalf("rejects = %+v", rejects)
	}
}

func TestWrongFieldCountAndSyntax(t *testing.T) {
	input := "Month,Crime type,Longitude,Latitude\n" +
		"2019-05,Burglary,-2.1\n" +
		"2019-05,Bur\"glary,-2.1,53\n" +
		"2019-05,Burglary,-2.1,53,extra\n" +
		"2019-05,Burglary,-2.1,53\n"
	incs, rejects, _ := collect(t, input, mustPreset(t, "police-uk"))
	if len(incs) != 1 || incs[0].Line != 5 {
		t.Fatalf("incidents = %+v", incs)
	}
	if len(rejects) != 3 {
		t.Fatalf("rejects = %+v", rejects)
	}
	for i, want := range []struct {
		line int
		msg  string
	}{{2, "wrong field count"}, {3, "CSV syntax error"}, {4, "wrong field count"}} {
		if rejects[i].Line != want.line || !strings.Contains(rejects[i].Message, want.msg) {
			t.Errorf("reject %d = %+v, want line %d %q", i, rejects[i], want.line, want.msg)
		}
	}
}

func TestHeaderResolution(t *testing.T) {
	for _, header := range []string{
		"Month,Crime.type,Longitude,Latitude",
		"month,crime_type,longitude,latitude",
		"MONTH,Crime Type,LONGITUDE,LATITUDE",
		`"","...1","crime_id","month","reported_by","falls_within","longitude","latitude","location","lsoa_code","lsoa_name","crime_type","last_outcome_category","context"`,
	} {
		row := "2019-05,Burglary,-2.1,53.1"
		if strings.HasPrefix(header, `""`) {
			row = `"1",2,"id9","2019-05","P","P",-2.1,53.1,"On or near X","E1","N","Burglary","done",NA`
		}
		incs, rejects, rd := collect(t, header+"\n"+row+"\n", mustPreset(t, "police-uk"))
		if len(rejects) != 0 || len(incs) != 1 || incs[0].Category != "Burglary" || incs[0].Y != 53.1 {
			t.Errorf("header %q: incidents %+v rejects %v", header, incs, rejects)
		}
		if m := rd.Mapping(); m.Date == "" || m.CRS != "EPSG:4326" {
			t.Errorf("resolved mapping %+v", m)
		}
	}
}

func TestWrongHeader(t *testing.T) {
	_, err := NewReader(strings.NewReader("when,what,lon,lat\n2019-05,Burglary,-2,53\n"), mustPreset(t, "police-uk"))
	if err == nil || !strings.Contains(err.Error(), "wrong header") || !strings.Contains(err.Error(), `"Month"`) ||
		!strings.Contains(err.Error(), `"when"`) {
		t.Fatalf("err = %v", err)
	}
	// A headerless file read with a header mapping: hint that row 1 is data.
	_, err = NewReader(strings.NewReader("359192.3,570510.8,2016-01-01\n"), mustPreset(t, "generic"))
	if err == nil || !strings.Contains(err.Error(), "looks like data") {
		t.Fatalf("err = %v", err)
	}
	if _, err := NewReader(strings.NewReader(""), mustPreset(t, "police-uk")); err == nil {
		t.Fatal("empty input accepted")
	}
}

func TestGenericDetection(t *testing.T) {
	tests := []struct {
		header string
		row    string
		crs    string
		x      string
	}{
		{"id,date,category,lon,lat", "7,2020-01-02,theft,4.35,50.85", "EPSG:4326", "lon"},
		{"Date,Primary Type,Longitude,Latitude", "2020-01-02 10:00,THEFT,-87.6,41.8", "EPSG:4326", "Longitude"},
		{"x,y,date_single", "365535.52,563965.21,2014-01-13", "", "x"},
	}
	for _, tc := range tests {
		incs, rejects, rd := collect(t, tc.header+"\n"+tc.row+"\n", mustPreset(t, "generic"))
		m := rd.Mapping()
		if len(incs) != 1 || len(rejects) != 0 || m.CRS != tc.crs || m.X != tc.x {
			t.Errorf("%s: incidents %+v rejects %v mapping %+v", tc.header, incs, rejects, m)
		}
	}
}

func TestDelimitersAndBOM(t *testing.T) {
	rows := [][]string{{"Month", "Crime type", "Longitude", "Latitude"}, {"2019-05", "Burglary", "-2.1", "53.1"}, {"2019-06", "Robbery", "-2.2", "53.2"}}
	for _, tc := range []struct {
		name  string
		delim string
		bom   bool
		want  rune
	}{
		{"comma", ",", false, ','},
		{"semicolon", ";", false, ';'},
		{"tab", "\t", false, '\t'},
		{"bom-semicolon", ";", true, ';'},
		{"bom-comma", ",", true, ','},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			if tc.bom {
				b.WriteString("\ufeff")
			}
			for _, r := range rows {
				b.WriteString(strings.Join(r, tc.delim) + "\r\n")
			}
			incs, rejects, rd := collect(t, b.String(), mustPreset(t, "police-uk"))
			if len(incs) != 2 || len(rejects) != 0 || rd.Mapping().Delimiter != tc.want || rd.Columns()[0] != "Month" {
				t.Fatalf("incidents %+v rejects %v mapping %+v columns %q", incs, rejects, rd.Mapping(), rd.Columns())
			}
			if incs[1].Category != "Robbery" || incs[1].ICCS != "0401" || incs[1].Line != 3 {
				t.Errorf("second = %+v", incs[1])
			}
		})
	}
	// Decimal comma in semicolon files.
	incs, rejects, _ := collect(t, "Month;Crime type;Longitude;Latitude\n2019-05;Burglary;-2,1;53,1\n", mustPreset(t, "police-uk"))
	if len(rejects) != 0 || len(incs) != 1 || incs[0].X != -2.1 || incs[0].Y != 53.1 {
		t.Fatalf("decimal comma: %+v %v", incs, rejects)
	}
}

func gzipBytes(t testing.TB, s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestGzip(t *testing.T) {
	var b strings.Builder
	b.WriteString("date,loc_cat,longitude,latitude,district\n")
	for i := 0; i < 5000; i++ {
		b.WriteString("2010-01-01 00:05,residence,-87.6277,41.7922,2\n")
	}
	data := gzipBytes(t, b.String())
	m := mustPreset(t, "chicago")
	rd, err := NewReader(bytes.NewReader(data), m)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	keys := map[string]bool{}
	for {
		inc, re, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil || re != nil {
			t.Fatal(err, re)
		}
		keys[inc.Key] = true
		n++
	}
	if n != 5000 || len(keys) != 5000 {
		t.Fatalf("read %d rows, %d distinct keys; want 5000", n, len(keys))
	}

	// Truncated gzip: a fatal error naming gzip and the truncation.
	rd, err = NewReader(bytes.NewReader(data[:len(data)/2]), m)
	if err != nil {
		t.Fatal(err)
	}
	var fatal error
	for {
		_, _, err := rd.Next()
		if err != nil {
			fatal = err
			break
		}
	}
	if fatal == io.EOF || !strings.Contains(fatal.Error(), "gzip") ||
		!(strings.Contains(fatal.Error(), "truncated") || strings.Contains(fatal.Error(), "unexpected EOF")) ||
		!strings.Contains(fatal.Error(), "at line") {
		t.Fatalf("truncated gzip error = %v", fatal)
	}
	if _, _, err := rd.Next(); err != fatal {
		t.Fatalf("fatal error not sticky: %v", err)
	}
	if s := rd.Stats(); s.Read != s.Accepted+s.Rejected || s.Read == 0 || s.Read >= 5000 {
		t.Fatalf("stats after truncation = %+v", s)
	}
	// Corrupt header.
	if _, err := NewReader(bytes.NewReader([]byte{0x1f, 0x8b, 1, 2}), m); err == nil || !strings.Contains(err.Error(), "gzip") {
		t.Fatalf("corrupt gzip header: %v", err)
	}
}

func TestNoHeaderPositional(t *testing.T) {
	input := "359192.302798928,570510.890752286,2016-01-01\n356347.303363174,576182.584509371,2016-01-03\nabc,1,2016-01-04\n1,2\n"
	m := Mapping{X: "1", Y: "2", Date: "3", CRS: "EPSG:26971", DefaultCategory: "arson"}
	incs, rejects, rd := collect(t, input, m)
	if len(incs) != 2 || incs[0].Line != 1 || incs[1].Line != 2 || incs[0].Category != "arson" || incs[0].ICCS != "0504" ||
		incs[0].X != 359192.302798928 || incs[0].Resolution != ResolutionDay {
		t.Fatalf("incidents = %+v", incs)
	}
	if len(rejects) != 2 || rejects[0].Line != 3 || rejects[0].Field != "1" || rejects[1].Line != 4 {
		t.Fatalf("rejects = %+v", rejects)
	}
	if got := rd.Columns(); !reflect.DeepEqual(got, []string{"1", "2", "3"}) {
		t.Errorf("columns = %q", got)
	}
	if _, err := NewReader(strings.NewReader(input), Mapping{X: "1", Y: "2", Date: "4"}); err == nil {
		t.Error("position beyond the row accepted")
	}
}

func TestAmbiguousDates(t *testing.T) {
	mk := func(dates ...string) string {
		var b strings.Builder
		b.WriteString("x,y,date_single\n")
		for _, d := range dates {
			b.WriteString("1,2," + d + "\n")
		}
		return b.String()
	}
	base := mustPreset(t, "generic")
	base.DefaultCategory = "burglary"
	base.CRS = "EPSG:26971"
	tests := []struct {
		name    string
		input   string
		m       func(Mapping) Mapping
		order   string
		first   time.Time
		rejects int
	}{
		{"dmy proven later", mk("01/02/2014", "05/03/2014", "13/03/2014"), nil, "dmy", time.Date(2014, 2, 1, 0, 0, 0, 0, time.UTC), 0},
		{"mdy proven later", mk("01/02/2014", "05/03/2014", "03/13/2014"), nil, "mdy", time.Date(2014, 1, 2, 0, 0, 0, 0, time.UTC), 0},
		{"undecided: dd/mm convention", mk("01/02/2014"), nil, "", time.Date(2014, 2, 1, 0, 0, 0, 0, time.UTC), 0},
		{"undecided with PM: mm/dd convention", mk("01/02/2014 01:44:00 PM"), nil, "", time.Date(2014, 1, 2, 13, 44, 0, 0, time.UTC), 0},
		{"contradiction rejected", mk("13/01/2014", "01/13/2014"), nil, "dmy", time.Date(2014, 1, 13, 0, 0, 0, 0, time.UTC), 1},
		{"explicit order", mk("01/02/2014"), func(m Mapping) Mapping { m.DateOrder = "mdy"; return m }, "mdy", time.Date(2014, 1, 2, 0, 0, 0, 0, time.UTC), 0},
		{"explicit layout", mk("01/02/2014", "13/02/2014"), func(m Mapping) Mapping { m.DateFormats = []string{"01/02/2006"}; return m }, "", time.Date(2014, 1, 2, 0, 0, 0, 0, time.UTC), 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := base
			if tc.m != nil {
				m = tc.m(m)
			}
			incs, rejects, rd := collect(t, tc.input, m)
			if rd.Mapping().DateOrder != tc.order {
				t.Errorf("DateOrder = %q, want %q", rd.Mapping().DateOrder, tc.order)
			}
			if len(rejects) != tc.rejects {
				t.Errorf("rejects = %v, want %d", rejects, tc.rejects)
			}
			if len(incs) == 0 || !incs[0].Time.Equal(tc.first) {
				t.Fatalf("incidents = %+v, want first %v", incs, tc.first)
			}
		})
	}
}

func TestDateShapes(t *testing.T) {
	dp, _ := newDateParser(nil, "")
	tests := []struct {
		in   string
		want time.Time
		res  Resolution
		zone string
	}{
		{"2019-05", time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC), ResolutionMonth, ""},
		{"2019-05-31", time.Date(2019, 5, 31, 0, 0, 0, 0, time.UTC), ResolutionDay, ""},
		{"2010-01-01 00:05", time.Date(2010, 1, 1, 0, 5, 0, 0, time.UTC), ResolutionExact, ""},
		{"2010-01-01T23:59:59", time.Date(2010, 1, 1, 23, 59, 59, 0, time.UTC), ResolutionExact, ""},
		{"2010-01-01T23:59:59.25Z", time.Date(2010, 1, 1, 23, 59, 59, 250000000, time.UTC), ResolutionExact, "Z"},
		{"2010-01-01 08:00:00-05:00", time.Date(2010, 1, 1, 8, 0, 0, 0, time.UTC), ResolutionExact, "-05:00"},
		{"2016/04/27", time.Date(2016, 4, 27, 0, 0, 0, 0, time.UTC), ResolutionDay, ""},
		{"04/27/2016 12:44:00 AM", time.Date(2016, 4, 27, 0, 44, 0, 0, time.UTC), ResolutionExact, ""},
		{"04/27/2016 12:44:00 PM", time.Date(2016, 4, 27, 12, 44, 0, 0, time.UTC), ResolutionExact, ""},
		{"2016-02-29", time.Date(2016, 2, 29, 0, 0, 0, 0, time.UTC), ResolutionDay, ""},
	}
	for _, tc := range tests {
		got, res, zone, ok := dp.parse(tc.in)
		if !ok || !got.Equal(tc.want) || res != tc.res || zone != tc.zone {
			t.Errorf("parse(%q) = %v %v %q %v, want %v %v %q", tc.in, got, res, zone, ok, tc.want, tc.res, tc.zone)
		}
	}
	for _, bad := range []string{"2019-13", "not-a-month", "2015-02-29", "2019-05-32", "2019-05-01 24:00", "13/13/2014", "2019-5", "", "04/27/2016 13:00:00 PM", "2019-05-01T10:00:00+5"} {
		if _, _, _, ok := dp.parse(bad); ok {
			t.Errorf("parse(%q) accepted", bad)
		}
	}
	// Explicit layouts: fast path and time.Parse fallback agree.
	dp, _ = newDateParser([]string{"2006-01-02 15:04", "Jan 2, 2006"}, "")
	if got, res, _, ok := dp.parse("Mar 5, 2017"); !ok || res != ResolutionDay || !got.Equal(time.Date(2017, 3, 5, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("custom layout: %v %v %v", got, res, ok)
	}
	if _, _, _, ok := dp.parse("2017-03-05"); ok {
		t.Error("date-only value accepted by a date-time layout")
	}
}

func TestImplausibleYear(t *testing.T) {
	_, rejects, _ := collect(t, "Month,Crime type,Longitude,Latitude\n1850-01,Burglary,-2,53\n2101-01,Burglary,-2,53\n", mustPreset(t, "police-uk"))
	if len(rejects) != 2 || !strings.Contains(rejects[0].Message, "1900..2100") || rejects[0].Field != "Month" {
		t.Fatalf("rejects = %v", rejects)
	}
}

func TestCoordinateValidation(t *testing.T) {
	input := "Month,Crime type,Longitude,Latitude\n" +
		"2019-05,Burglary,-200,53\n" +
		"2019-05,Burglary,NaN,53\n" +
		"2019-05,Burglary,x,53\n" +
		"2019-05,Burglary,-2,Inf\n" +
		"2019-05,Burglary,180,-90\n"
	incs, rejects, _ := collect(t, input, mustPreset(t, "police-uk"))
	if len(incs) != 1 || len(rejects) != 4 {
		t.Fatalf("incidents %+v rejects %v", incs, rejects)
	}
	for i, f := range []string{"Longitude", "Longitude", "Longitude", "Latitude"} {
		if rejects[i].Field != f {
			t.Errorf("reject %d field %q, want %q", i, rejects[i].Field, f)
		}
	}
}

func TestVancouverZeroAndParts(t *testing.T) {
	input := "TYPE,YEAR,MONTH,DAY,HOUR,MINUTE,HUNDRED_BLOCK,NEIGHBOURHOOD,X,Y\n" +
		"Other Theft,2020,1,1,0,0,11XX BURNABY ST,West End,490320.299,5458606.9208\n" +
		"Offence Against a Person,2020,1,2,13,5,OFFSET TO PROTECT PRIVACY,,0,0\n" +
		"Other Theft,2020,2,30,0,0,X,Y,1,1\n" +
		"Other Theft,2020,2,3,,,X,Y,1,1\n"
	incs, rejects, rd := collect(t, input, mustPreset(t, "vancouver"))
	if len(incs) != 3 || len(rejects) != 1 || rejects[0].Field != "DAY" || rejects[0].Line != 4 {
		t.Fatalf("incidents %+v rejects %v", incs, rejects)
	}
	if incs[1].HasLocation || incs[1].ICCS != "02" || !incs[1].Time.Equal(time.Date(2020, 1, 2, 13, 5, 0, 0, time.UTC)) {
		t.Errorf("zero-location row = %+v", incs[1])
	}
	if incs[2].Resolution != ResolutionDay || incs[0].Resolution != ResolutionExact || incs[0].Attrs["NEIGHBOURHOOD"] != "West End" {
		t.Errorf("incidents = %+v", incs)
	}
	if rd.Stats().NoLocation != 1 {
		t.Errorf("stats = %+v", rd.Stats())
	}
}

func TestKeys(t *testing.T) {
	input := "Month,Crime.type,Longitude,Latitude\n" +
		"2016-02,Burglary,-2.438828,53.612133\n" +
		"2016-02,Burglary,-2.438828,53.612133\n" +
		"2016-02,Burglary,-2.428078,53.622221\n" +
		"2016-02,Burglary,-2.438828,53.612133\n"
	a, _, _ := collect(t, input, mustPreset(t, "police-uk"))
	b, _, _ := collect(t, input, mustPreset(t, "police-uk"))
	if len(a) != 4 {
		t.Fatalf("got %d incidents", len(a))
	}
	seen := map[string]bool{}
	for i := range a {
		if a[i].Key != b[i].Key {
			t.Errorf("key %d not stable: %q vs %q", i, a[i].Key, b[i].Key)
		}
		if seen[a[i].Key] {
			t.Errorf("duplicate key %q", a[i].Key)
		}
		seen[a[i].Key] = true
	}
	base := func(k string) string { return k[:strings.IndexByte(k, '#')] }
	if base(a[0].Key) != base(a[1].Key) || base(a[0].Key) != base(a[3].Key) || base(a[0].Key) == base(a[2].Key) ||
		!strings.HasSuffix(a[0].Key, "#1") || !strings.HasSuffix(a[1].Key, "#2") || !strings.HasSuffix(a[3].Key, "#3") || len(base(a[0].Key)) != 64 {
		t.Errorf("keys = %q", []string{a[0].Key, a[1].Key, a[2].Key, a[3].Key})
	}
	// Whitespace and number spelling do not change the key.
	c, _, _ := collect(t, "Month,Crime.type,Longitude,Latitude\n 2016-02 , Burglary ,-2.4388280,53.61213300\n", mustPreset(t, "police-uk"))
	if c[0].Key != a[0].Key {
		t.Errorf("normalised key %q != %q", c[0].Key, a[0].Key)
	}
	// Repeated source ids stay distinct.
	d, _, _ := collect(t, policeUKHeader+"id1,2019-05,,,-2,53,,,,Burglary,,\nid1,2019-05,,,-2,53,,,,Burglary,,\n", mustPreset(t, "police-uk"))
	if d[0].Key != "id1" || d[1].Key != "id1#2" {
		t.Errorf("source id keys = %q, %q", d[0].Key, d[1].Key)
	}
}

func TestFromProperties(t *testing.T) {
	m := mustPreset(t, "police-uk")
	m.CRS = "EPSG:27700"
	props := map[string]string{"LSOA_id": "E01005066", "LSOA_name": "Manchester 054C", "crime_type": "Burglary", "month": "2017-01"}
	a, re := FromProperties(3, props, 384000.5, 398000.25, true, m)
	if re != nil || a.Category != "Burglary" || a.ICCS != "0501" || a.Resolution != ResolutionMonth || !a.HasLocation ||
		a.X != 384000.5 || a.Line != 3 || !strings.HasSuffix(a.Key, "#1") {
		t.Fatalf("incident %+v, error %v", a, re)
	}
	b, _ := FromProperties(4, props, 384000.5, 398000.25, true, m)
	var seq KeySequencer
	seq.Sequence(&a)
	seq.Sequence(&b)
	if a.Key == b.Key || !strings.HasSuffix(b.Key, "#2") {
		t.Errorf("sequenced keys %q %q", a.Key, b.Key)
	}
	m.CRS = "EPSG:4326"
	if _, re := FromProperties(5, props, -2.2, 153.4, true, m); re == nil || re.Line != 5 || !strings.Contains(re.Message, "153.4") {
		t.Errorf("latitude 153.4: %v", re)
	}
	if _, re := FromProperties(6, map[string]string{"crime_type": "x"}, 0, 0, false, m); re == nil || re.Field != "Month" {
		t.Errorf("missing property: %v", re)
	}
	bad := map[string]string{"crime_type": "Burglary", "month": "2019-13"}
	if _, re := FromProperties(7, bad, 0, 0, false, m); re == nil || re.Field != "month" {
		t.Errorf("bad month: %v", re)
	}
	m.MissingLocationOK = false
	if _, re := FromProperties(8, props, 0, 0, false, m); re == nil || re.Field != "geometry" {
		t.Errorf("null geometry: %v", re)
	}
}

func TestPresets(t *testing.T) {
	for _, n := range PresetNames() {
		if _, err := Preset(n); err != nil {
			t.Errorf("Preset(%q): %v", n, err)
		}
	}
	_, err := Preset("nope")
	if err == nil || !strings.Contains(err.Error(), "police-uk") || !strings.Contains(err.Error(), "generic") {
		t.Errorf("unknown preset error = %v", err)
	}
	// Presets are fresh values: mutating one does not affect the next.
	a, _ := Preset("police-uk")
	a.Keep[0] = "changed"
	b, _ := Preset("police-uk")
	if b.Keep[0] == "changed" {
		t.Error("Preset shares state")
	}
}

func TestChicagoPortalExport(t *testing.T) {
	header := "ID,Case Number,Date,Block,IUCR,Primary Type,Description,Location Description,Arrest,Domestic,Beat,District,Ward,Community Area,FBI Code,X Coordinate,Y Coordinate,Year,Updated On,Latitude,Longitude,Location\n"
	rows := `10000092,HY189866,03/18/2015 07:44:00 PM,047XX W OHIO ST,041A,BATTERY,AGGRAVATED: HANDGUN,STREET,false,false,1111,011,28,25,04B,1144606,1903566,2015,02/10/2018 03:50:01 PM,41.891398861,-87.744384567,"(41.891398861, -87.744384567)"
10000094,HY190059,03/18/2015 11:00:00 PM,066XX S MARSHFIELD AVE,4725,OTHER OFFENSE,STALKING,APARTMENT,false,false,0725,007,15,67,26,,,2015,02/10/2018 03:50:01 PM,,,
`
	incs, rejects, _ := collect(t, header+rows, mustPreset(t, "chicago"))
	if len(incs) != 2 || len(rejects) != 0 {
		t.Fatalf("incidents %+v rejects %v", incs, rejects)
	}
	a := incs[0]
	if a.SourceID != "10000092" || a.Category != "BATTERY" || a.ICCS != "02011" || !a.Time.Equal(time.Date(2015, 3, 18, 19, 44, 0, 0, time.UTC)) ||
		a.X != -87.744384567 || a.Attrs["Case Number"] != "HY189866" || a.Attrs["X Coordinate"] != "1144606" || a.Attrs["District"] != "011" {
		t.Errorf("first = %+v", a)
	}
	if incs[1].HasLocation || incs[1].ICCS != "" {
		t.Errorf("second = %+v", incs[1])
	}
}

func TestICCS(t *testing.T) {
	valid := map[string]bool{}
	sections := 0
	for _, c := range ICCSSections() {
		if c.Level() == 0 || c.Name == "" || valid[c.Code] {
			t.Errorf("bad entry %+v", c)
		}
		if c.Level() == 1 {
			sections++
		}
		valid[c.Code] = true
	}
	if sections != 11 {
		t.Errorf("%d sections, want 11", sections)
	}
	for cat, code := range defaultICCSTable() {
		if code != "" && !valid[code] {
			t.Errorf("DefaultICCS(%q) = %q, not in ICCSSections", cat, code)
		}
		if code != "" && !valid[code[:2]] {
			t.Errorf("%q: section of %q unknown", cat, code)
		}
	}
	for cat, want := range map[string]string{
		"Burglary": "0501", "burglary": "0501", " BURGLARY ": "0501", "Anti-social behaviour": "",
		"MOTOR VEHICLE THEFT": "050211", "Theft from Vehicle": "0502", "Criminal damage and arson": "0504",
		"NARCOTICS": "0601", "Possession of weapons": "0901", "unknown thing": "",
	} {
		if got := DefaultICCS(cat); got != want {
			t.Errorf("DefaultICCS(%q) = %q, want %q", cat, got, want)
		}
	}
	// Mapping.ICCS overrides the defaults.
	m := mustPreset(t, "police-uk")
	m.ICCS = map[string]string{"other crime": "11"}
	incs, _, _ := collect(t, "Month,Crime type,Longitude,Latitude\n2019-05,Other crime,-2,53\n", m)
	if incs[0].ICCS != "11" {
		t.Errorf("override: %q", incs[0].ICCS)
	}
}

func TestNilAndBadDelimiter(t *testing.T) {
	if _, err := NewReader(nil, mustPreset(t, "generic")); err == nil {
		t.Error("nil reader accepted")
	}
	m := mustPreset(t, "generic")
	m.Delimiter = '"'
	if _, err := NewReader(strings.NewReader("a,b\n"), m); err == nil {
		t.Error("quote delimiter accepted")
	}
	if errors.Is(io.EOF, ErrInternal) {
		t.Error("sentinels overlap")
	}
}

func TestCounter(t *testing.T) {
	var c counter
	for i := uint64(0); i < 5000; i++ {
		if n := c.next(i * 7919); n != 1 {
			t.Fatalf("first next(%d) = %d", i*7919, n)
		}
	}
	for i := uint64(0); i < 5000; i++ {
		if n := c.next(i * 7919); n != 2 {
			t.Fatalf("second next(%d) = %d", i*7919, n)
		}
	}
	// Two digests sharing their first 64 bits still get distinct keys.
	var s KeySequencer
	var d1, d2 [32]byte
	d2[31] = 1
	k1, k2 := s.hashKey(d1), s.hashKey(d2)
	if k1 == k2 || !strings.HasSuffix(k1, "#1") || !strings.HasSuffix(k2, "#2") {
		t.Fatalf("keys %q %q", k1, k2)
	}
}

func TestTimeColumnOffsetAndParts(t *testing.T) {
	m := Mapping{HasHeader: true, Category: "type", Date: "day", Time: "time", X: "lon", Y: "lat"}
	input := "type,day,time,lon,lat\n" +
		"theft,2020-03-01,13:05,4.3,50.8\n" +
		"theft,2020-03-01,1:05:09 PM,4.3,50.8\n" +
		"theft,2020-03-01,,4.3,50.8\n" +
		"theft,2020-03-01,25:00,4.3,50.8\n" +
		"theft,2020-03-01T10:00:00+01:00,,4.3,50.8\n"
	incs, rejects, rd := collect(t, input, m)
	if len(incs) != 4 || len(rejects) != 1 || rejects[0].Field != "time" || rejects[0].Line != 5 {
		t.Fatalf("incidents %+v rejects %v", incs, rejects)
	}
	if rd.Mapping().CRS != "EPSG:4326" {
		t.Errorf("CRS not detected: %+v", rd.Mapping())
	}
	want := []struct {
		t   time.Time
		res Resolution
	}{
		{time.Date(2020, 3, 1, 13, 5, 0, 0, time.UTC), ResolutionExact},
		{time.Date(2020, 3, 1, 13, 5, 9, 0, time.UTC), ResolutionExact},
		{time.Date(2020, 3, 1, 0, 0, 0, 0, time.UTC), ResolutionDay},
		{time.Date(2020, 3, 1, 10, 0, 0, 0, time.UTC), ResolutionExact},
	}
	for i, w := range want {
		if !incs[i].Time.Equal(w.t) || incs[i].Resolution != w.res {
			t.Errorf("incident %d: %v %v, want %v %v", i, incs[i].Time, incs[i].Resolution, w.t, w.res)
		}
	}
	if incs[3].Attrs["tz_offset"] != "+01:00" {
		t.Errorf("tz_offset = %v", incs[3].Attrs)
	}
	if s := rejects[0].Error(); !strings.HasPrefix(s, "line 5: time: ") {
		t.Errorf("Error() = %q", s)
	}
	// Float-typed date parts ("2020.0") are accepted.
	v := "TYPE,YEAR,MONTH,DAY,HOUR,MINUTE,HUNDRED_BLOCK,NEIGHBOURHOOD,X,Y\nMischief,2020.0,3.0,1,,,b,n,1,2\nMischief,2020.5,3,1,,,b,n,1,2\n"
	incs, rejects, _ = collect(t, v, mustPreset(t, "vancouver"))
	if len(incs) != 1 || incs[0].Resolution != ResolutionDay || len(rejects) != 1 || rejects[0].Field != "YEAR" {
		t.Errorf("parts: %+v %v", incs, rejects)
	}
}
