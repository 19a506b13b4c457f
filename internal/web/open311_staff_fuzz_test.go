package web

import (
	"encoding/json"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/icarus-city/icarus/internal/open311"
	"github.com/icarus-city/icarus/internal/store"
)

// FuzzStaffFilter: any query string either reads into a valid staff query
// or is refused with an error; never a panic.
func FuzzStaffFilter(f *testing.F) {
	for _, s := range []string{"", "status=open&service=lighting&sort=id&order=asc&page=2", "status=IN_PROGRESS&from=2025-01-01&to=2025-02-01",
		"area=12&moderation=pending", "page=0", "sort=x", "from=2025-13-01", "status=%zz", "order=up&page=-1"} {
		f.Add(s)
	}
	s := &Server{}
	f.Fuzz(func(t *testing.T, q string) {
		r := httptest.NewRequest("GET", "/staff/reports", nil)
		r.URL.RawQuery = q
		sf, err := s.readStaffFilter(r, 1)
		if err != nil {
			return
		}
		if sf.page < 1 || !slices.Contains(store.StaffSorts(), sf.q.Sort) || sf.q.OrgID != 1 {
			t.Fatalf("accepted %q into %+v", q, sf)
		}
		for _, st := range sf.q.Statuses {
			if _, ok := open311.ParseStatus(st); !ok {
				t.Fatalf("accepted status %q", st)
			}
		}
	})
}

// FuzzServiceAttributes: the attribute JSON of the category editor is
// decoded and checked, or refused; what is accepted encodes back to JSON
// that decodes to the same attributes.
func FuzzServiceAttributes(f *testing.F) {
	b, _ := json.Marshal(open311.DefaultServices()[1].Attributes)
	f.Add(string(b))
	f.Add(`[]`)
	f.Add(`[{"code":"x","datatype":"colour","order":1}]`)
	f.Add(`[{"code":"a","datatype":"singlevaluelist","order":1,"values":[]}]`)
	f.Add(`{"code":1}`)
	f.Fuzz(func(t *testing.T, s string) {
		attrs, problems := parseServiceAttributes(s)
		if len(problems) > 0 {
			for _, p := range problems {
				if !strings.Contains(p, ":") {
					t.Fatalf("problem without a field: %q", p)
				}
			}
			return
		}
		out, err := json.Marshal(attrs)
		if err != nil {
			t.Fatal(err)
		}
		again, problems := parseServiceAttributes(string(out))
		if len(problems) > 0 || len(again) != len(attrs) {
			t.Fatalf("round trip of %s: %v", out, problems)
		}
	})
}
