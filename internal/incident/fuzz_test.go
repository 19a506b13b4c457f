package incident

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// FuzzReader feeds arbitrary bytes through NewReader and Next with several
// mappings: no panic, Next terminates, and read = accepted + rejected.
func FuzzReader(f *testing.F) {
	f.Add([]byte(policeUKHeader + ",2019-05,A,B,-2.1,53.1,x,y,z,Burglary,,\n,2019-13,A,B,,,,,,Burglary,,\n"))
	f.Add([]byte("Month,Crime.type,Longitude,Latitude\n2016-02,Burglary,-2.438828,53.612133\n2016-02,Burglary,-2.438828,153.6\n"))
	f.Add([]byte("date,loc_cat,longitude,latitude,district\n2010-01-01 00:05,residence,-87.6277,41.7922,2\n"))
	f.Add([]byte("x,y,date_single\n365535.5,563965.2,01/01/2014\n1,2,13/01/2014\n"))
	f.Add([]byte("359192.302798928,570510.890752286,2016-01-01\n"))
	f.Add([]byte("\ufeffa;b;c\n1;2;\"3\n4\"\n"))
	f.Add(gzipBytes(f, "Month,Crime type,Longitude,Latitude\n2019-05,Burglary,-2,53\n"))
	f.Add([]byte("TYPE,YEAR,MONTH,DAY,HOUR,MINUTE,HUNDRED_BLOCK,NEIGHBOURHOOD,X,Y\nOther Theft,2020,1,1,0,0,b,n,0,0\n"))
	mappings := []Mapping{
		mustPreset(f, "police-uk"),
		mustPreset(f, "chicago"),
		mustPreset(f, "generic"),
		mustPreset(f, "vancouver"),
		{X: "1", Y: "2", Date: "3", CRS: "EPSG:26971", DefaultCategory: "arson"},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, m := range mappings {
			rd, err := NewReader(bytes.NewReader(data), m)
			if err != nil {
				continue
			}
			acc, rej := 0, 0
			for i := 0; ; i++ {
				// every row comes from at least one input byte, or from at
				// most 1,032 decompressed bytes per gzip byte (deflate's limit)
				if i > 1032*len(data)+10 {
					t.Fatalf("Next did not terminate")
				}
				inc, re, err := rd.Next()
				if err != nil {
					if errors.Is(err, ErrInternal) {
						t.Fatalf("internal error: %v", err)
					}
					break
				}
				if re != nil {
					rej++
					if re.Line < 1 {
						t.Fatalf("reject without line: %+v", re)
					}
					continue
				}
				acc++
				if inc.Line < 1 || inc.Key == "" || math.IsNaN(inc.X) || math.IsInf(inc.X, 0) || math.IsNaN(inc.Y) || math.IsInf(inc.Y, 0) {
					t.Fatalf("bad incident %+v", inc)
				}
				if y := inc.Time.Year(); y < minYear || y > maxYear {
					t.Fatalf("implausible year accepted: %+v", inc)
				}
			}
			s := rd.Stats()
			if s.Read != s.Accepted+s.Rejected || s.Accepted != acc || s.Rejected != rej {
				t.Fatalf("accounting: %+v vs %d accepted %d rejected", s, acc, rej)
			}
			_ = rd.Mapping()
			_ = rd.Columns()
		}
	})
}

// FuzzParseDate checks the date parser never panics, accepts only valid
// calendar values, and agrees with time.Parse for the fast layouts.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2019-05", "2019-13", "2010-01-01 00:05", "2010-01-01T00:05:59.123+05:30", "04/27/2016 01:44:00 PM",
		"13/01/2014", "01/02/2006", "2016/02/29", "2015-02-29", "not-a-month", "", "9/9/2020 9:09"} {
		f.Add(s)
	}
	layouts := []string{"2006-01", "2006-01-02", "2006-01-02 15:04", "2006-01-02 15:04:05", "2006-01-02T15:04:05",
		"01/02/2006", "02/01/2006", "01/02/2006 03:04:05 PM", "02/01/2006 15:04"}
	auto := []dateParser{{}, {order: 'd'}, {order: 'm'}}
	f.Fuzz(func(t *testing.T, s string) {
		for _, dp := range auto {
			tm, res, _, ok := dp.parse(s)
			if ok && (res == "" || tm.Location() != time.UTC) {
				t.Fatalf("parse(%q) = %v %q", s, tm, res)
			}
		}
		for _, l := range layouts {
			dp, err := newDateParser([]string{l}, "")
			if err != nil {
				t.Fatal(err)
			}
			tm, _, _, ok := dp.parse(s)
			want, err := time.Parse(l, s)
			if err == nil && (!ok || !tm.Equal(want)) {
				t.Fatalf("layout %q value %q: got %v %v, time.Parse %v", l, s, tm, ok, want)
			}
		}
		_, _, _, _ = parseClock(s)
		_ = strings.ToLower(s)
	})
}
