package indicator

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func readAll(t testing.TB, in string) (vals []Value, lines []int, err error) {
	rd, err := NewReader(strings.NewReader(in))
	if err != nil {
		return nil, nil, err
	}
	for {
		v, re, err := rd.Next()
		if err == io.EOF {
			return vals, lines, nil
		}
		if err != nil {
			return vals, lines, err
		}
		if re != nil {
			lines = append(lines, re.Line)
			continue
		}
		vals = append(vals, v)
	}
}

func TestReader(t *testing.T) {
	in := "\xef\xbb\xbfArea_Code,period,indicator,value,unit,note\n" +
		"E01005098,2019,school_dropout,4.5,%,ok\n" +
		"E01005098,2019-13,school_dropout,4.5,%,bad month\n" +
		"E01005098,2019-Q2,youth_aggression,12,count,\n" +
		",2019,x,1,u,no area\n" +
		"E01005099,2019-05,x,NaN,u,nan\n" +
		"E01005099,2019-05,x,abc,u,text\n" +
		"E01005099,2019-05,,1,u,no indicator\n" +
		"E01005099,2019-05,x,1\n"
	vals, bad, err := readAll(t, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(vals) != 2 || vals[0].Value != 4.5 || vals[1].Period != "2019-Q2" || vals[1].Line != 4 {
		t.Fatalf("values %+v", vals)
	}
	want := []int{3, 5, 6, 7, 8, 9}
	if len(bad) != len(want) {
		t.Fatalf("rejected lines %v, want %v", bad, want)
	}
	for i := range want {
		if bad[i] != want[i] {
			t.Fatalf("rejected lines %v, want %v", bad, want)
		}
	}
}

func TestHeaderErrors(t *testing.T) {
	for _, in := range []string{"", "area,period,indicator,value,unit\n", "area_code;period;indicator;value;unit\n"} {
		if _, err := NewReader(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), "line 1") {
			t.Errorf("%q: got %v, want a line-1 header error", in, err)
		}
	}
}

func FuzzReader(f *testing.F) {
	f.Add("area_code,period,indicator,value,unit\nA,2019,x,1,u\n")
	f.Add("area_code,period,indicator,value,unit\n\"A\n,2019,x,1,u\nB,2019-Q1,y,-2.5e3,%\n")
	f.Add("unit,value,indicator,period,area_code\nu,1,x,2020-01,A\n,,,\n")
	f.Fuzz(func(t *testing.T, in string) {
		rd, err := NewReader(strings.NewReader(in))
		if err != nil {
			return
		}
		for i := 0; i < 100000; i++ {
			v, re, err := rd.Next()
			if err != nil {
				if errors.Is(err, io.EOF) {
					return
				}
				return
			}
			if re == nil && (v.AreaCode == "" || !ValidPeriod(v.Period) || v.Indicator == "") {
				t.Fatalf("accepted an invalid row: %+v", v)
			}
			if re != nil && re.Line < 1 {
				t.Fatalf("row error without a line: %+v", re)
			}
		}
	})
}
