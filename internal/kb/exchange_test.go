package kb

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// The shipped content survives a round trip through both formats.
func TestExchangeRoundTrip(t *testing.T) {
	seed := Seed()
	norm := func(items []Item) string {
		b, _ := json.Marshal(items)
		var generic any // maps marshal with sorted keys: struct field order does not matter
		json.Unmarshal(b, &generic)
		b, _ = json.Marshal(generic)
		return string(b)
	}
	var jb, cb bytes.Buffer
	if err := WriteRecordsJSON(&jb, seed); err != nil {
		t.Fatal(err)
	}
	if err := WriteRecordsCSV(&cb, seed); err != nil {
		t.Fatal(err)
	}
	fromJSON, errs, err := ReadRecordsJSON(&jb)
	if err != nil || errs != nil {
		t.Fatalf("JSON: %v %v", err, errs)
	}
	fromCSV, errs, err := ReadRecordsCSV(&cb)
	if err != nil || errs != nil {
		t.Fatalf("CSV: %v %v", err, errs)
	}
	if norm(fromJSON) != norm(seed) || norm(fromCSV) != norm(seed) {
		t.Error("round trip changed the records")
	}
	if !reflect.DeepEqual(len(fromCSV), len(seed)) {
		t.Error("count")
	}
}

func TestExchangeErrors(t *testing.T) {
	csvIn := "key,kind,title,focus_area,year,metadata,cross_cutting\n" +
		"a,tool,Fine,public_spaces,2020,,gender\n" +
		"b,gadget,,nowhere,20x,{bad,\n" +
		"a,evidence,Dup,,,\"{\"\"emmie\"\":{\"\"effect\"\":{\"\"direction\"\":\"\"sideways\"\"}}}\",weather\n"
	items, errs, err := ReadRecordsCSV(strings.NewReader(csvIn))
	if err != nil || items != nil {
		t.Fatalf("want record errors and no records, got %v %d", err, len(items))
	}
	want := []string{"record 3, kind", "record 3, title", "record 3, focus_area", "record 3, year", "record 3, metadata",
		"record 4, cross_cutting", "record 4, metadata.emmie.effect.direction", "record 4, key"}
	var got []string
	for _, e := range errs {
		got = append(got, e.Error())
	}
	all := strings.Join(got, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("missing %q in\n%s", w, all)
		}
	}
	if _, _, err := ReadRecordsCSV(strings.NewReader("kind,title,colour\n")); err == nil || !strings.Contains(err.Error(), "colour") {
		t.Errorf("unknown column: %v", err)
	}
	if _, _, err := ReadRecordsJSON(strings.NewReader(`{"format":"other","records":[]}`)); err == nil {
		t.Error("wrong format accepted")
	}
	if _, _, err := ReadRecordsJSON(strings.NewReader("{\n\"format\": ,}")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("syntax error without its line: %v", err)
	}
	_, errs, _ = ReadRecordsJSON(strings.NewReader(`{"format":"icarus-kb/1","records":[{"kind":"tool","title":"ok"},{"kind":"tool","title":"x","colour":1}]}`))
	if len(errs) != 1 || errs[0].Row != 2 {
		t.Errorf("unknown field: %v", errs)
	}
}

func FuzzReadRecordsCSV(f *testing.F) {
	var b bytes.Buffer
	WriteRecordsCSV(&b, Seed()[:3])
	f.Add(b.Bytes())
	f.Add([]byte("kind,title\ntool,\"unterminated\n"))
	f.Add([]byte("\xef\xbb\xbfkey,kind,title,year,metadata\nk,evidence,T,1999,\"{\"\"emmie\"\":{}}\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		items, errs, err := ReadRecordsCSV(bytes.NewReader(data))
		if err == nil && errs == nil {
			for i, it := range items {
				if es := ValidateItem(i, it); len(es) > 0 {
					t.Fatalf("accepted an invalid record: %v", es)
				}
			}
		}
		if (items != nil) && (errs != nil || err != nil) {
			t.Fatal("records returned with errors")
		}
	})
}

func FuzzReadRecordsJSON(f *testing.F) {
	var b bytes.Buffer
	WriteRecordsJSON(&b, Seed()[5:8])
	f.Add(b.Bytes())
	f.Add([]byte(`{"format":"icarus-kb/1","records":[{"kind":"finding","title":"t","metadata":{"finding_type":"x"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		items, errs, err := ReadRecordsJSON(bytes.NewReader(data))
		if err == nil && errs == nil {
			for i, it := range items {
				if es := ValidateItem(i, it); len(es) > 0 {
					t.Fatalf("accepted an invalid record: %v", es)
				}
			}
		}
		if (items != nil) && (errs != nil || err != nil) {
			t.Fatal("records returned with errors")
		}
	})
}
