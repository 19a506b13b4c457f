package survey

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func lookup(m map[string]string) Lookup { return func(n string) string { return m[n] } }

func TestExprEval(t *testing.T) {
	a := lookup(map[string]string{"q": "x", "age": "34", "multi": "a c", "empty": ""})
	cases := []struct {
		src  string
		want bool
	}{
		{"${q} = 'x'", true},
		{`${q} = "y"`, false},
		{"${q} != 'y'", true},
		{"${age} >= 18", true},
		{"${age} < 18", false},
		{"${age} = 34.0", true},
		{"${empty} > 3", false},
		{"${empty} = ''", true},
		{"selected(${multi}, 'c')", true},
		{"selected(${multi}, 'b')", false},
		{"count-selected(${multi}) = 2", true},
		{"${q} = 'x' and ${age} > 40", false},
		{"${q} = 'x' or ${age} > 40", true},
		{"not(${q} = 'x')", false},
		{"(${q} = 'y' or ${q} = 'x') and not(selected(${multi}, 'b'))", true},
		{"true()", true},
		{"false() or ${q}", true},
		{"${missing}", false},
		{"-1 < 0", true},
	}
	for _, c := range cases {
		e, err := Parse(c.src)
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.src, err)
		}
		if got := e.Eval(a); got != c.want {
			t.Errorf("%q = %v, want %v", c.src, got, c.want)
		}
		e2, err := Parse(e.String())
		if err != nil || e2.String() != e.String() {
			t.Errorf("round trip of %q: %q, %v", c.src, e.String(), err)
		}
	}
}

func TestExprErrors(t *testing.T) {
	for _, src := range []string{"", "${q", "${1x} = 1", "'open", "${q} = ", "${q} == 'x'", "a = 1", "${q} = 1 = 2",
		"selected(${q})", "selected('x', 'y')", "not ${q}", "(${q} = 1", "${q} ! 1", "1.2.3 = 1", "$q", "${q} = 1)",
		strings.Repeat("(", 40) + "1" + strings.Repeat(")", 40), strings.Repeat("1 or ", 300) + "1"} {
		if _, err := Parse(src); err == nil {
			t.Errorf("Parse(%q) accepted", src)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"${q} = 'x'", "selected(${m}, 'a') and not(${n} > 3)", "count-selected(${m}) >= 2 or true()", "((1))", "${a} != \"b\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src)
		if err != nil {
			return
		}
		e.Eval(lookup(map[string]string{"q": "x", "m": "a b"}))
		s := e.String()
		e2, err := Parse(s)
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", s, src, err)
		}
		if e2.String() != s {
			t.Fatalf("canonical form not stable: %q -> %q", s, e2.String())
		}
		if _, err := json.Marshal(e); err != nil {
			t.Fatal(err)
		}
	})
}

func TestBankAndRiga(t *testing.T) {
	seen := map[string]bool{}
	for _, it := range Bank() {
		if seen[it.ID] || it.ID != it.Question.Name {
			t.Errorf("bank item %s: duplicate or name differs", it.ID)
		}
		seen[it.ID] = true
		if !it.Verbatim && it.Note == "" {
			t.Errorf("bank item %s: a draft wording needs a note", it.ID)
		}
	}
	q, _ := BankQuestion("sdg_16_1_4")
	if q.Label["en"] != "How safe do you feel walking alone in your area/neighbourhood after dark?" || len(q.Choices) != 6 ||
		q.Choices[4].Label["en"] != "I never go out alone at night" || q.Choices[5].Label["en"] != "don't know" {
		t.Errorf("SDG 16.1.4 item differs from the reference: %+v", q)
	}
	d := Riga("Riga", true)
	if err := d.Check(); err != nil {
		t.Fatal(err)
	}
	// a definition survives JSON
	b, _ := json.Marshal(d)
	var d2 Definition
	if err := json.Unmarshal(b, &d2); err != nil || d2.Check() != nil || len(d2.Questions()) != len(d.Questions()) {
		t.Fatalf("JSON round trip: %v", err)
	}
}

func TestCheck(t *testing.T) {
	d := Riga("x", false)
	d.Modules[0].Questions[1].Relevant = "${area} = 'E01'" // area is asked later
	d.Modules[0].Questions[2].Relevant = "${sdg_16_1_4} = "
	d.Modules[1].Questions[0].Name = "sdg_16_1_4"
	d.Access = "everyone"
	err := d.Check()
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{"not a question asked before", "relevant: invalid expression", "name used twice", "access"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestValidate(t *testing.T) {
	d := Riga("x", false)
	d.Modules[0].Questions = append(d.Modules[0].Questions,
		Question{Name: "age", Type: Number, Label: Tr{"en": "Age"}, Min: ptr(16), Max: ptr(120)},
		Question{Name: "seen", Type: Date, Label: Tr{"en": "When"}},
		Question{Name: "where", Type: Location, Label: Tr{"en": "Where"}},
		Question{Name: "note", Type: Text, Label: Tr{"en": "Note"}})
	ok := func(code string) bool { return strings.HasPrefix(code, "E01") }
	a, errs := Validate(&d, map[string]any{"sdg_16_1_4": "very_safe", "area": "E01000001", "victim_12m": []any{"robbery", "bicycle_theft"},
		"victim_reported": "yes", "age": "34", "seen": "2024-02-29", "where": map[string]any{"lat": 53.4, "lon": -2.2}, "disorder": "litter noise"}, ValidateOptions{AreaOK: ok})
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	if a["age"] != 34.0 || len(a["victim_12m"].([]string)) != 2 || a["where"] != (Point{53.4, -2.2}) || len(a["disorder"].([]string)) != 2 {
		t.Errorf("normalised: %#v", a)
	}
	// skip logic drops the answer to a question that is not asked
	a, errs = Validate(&d, map[string]any{"sdg_16_1_4": "very_safe", "area": "E01000001", "victim_12m": []any{"none"}, "victim_reported": "yes"}, ValidateOptions{AreaOK: ok})
	if len(errs) != 0 || a["victim_reported"] != nil {
		t.Errorf("non-relevant answer kept: %v %v", a, errs)
	}
	_, errs = Validate(&d, map[string]any{"sdg_16_1_4": "safe-ish", "area": "W99", "age": 7.0, "seen": "2023-02-29",
		"where": map[string]any{"lat": 91.0, "lon": 0.0}, "victim_12m": "robbery", "victim_reported": 3.0, "who": "x"}, ValidateOptions{AreaOK: ok})
	got := map[string]string{}
	for _, e := range errs {
		got[e.Field] = e.Code
	}
	want := map[string]string{"sdg_16_1_4": "invalid_choice", "area": "invalid_area", "age": "out_of_range", "seen": "invalid_date",
		"where": "invalid_location", "victim_reported": "invalid_type", "who": "unknown_field"}
	for f, c := range want {
		if got[f] != c {
			t.Errorf("field %s: code %q, want %q (all: %v)", f, got[f], c, errs)
		}
	}
	_, errs = Validate(&d, map[string]any{}, ValidateOptions{})
	if len(errs) != 2 || errs[0].Field != "sdg_16_1_4" || errs[0].Code != "required" || errs[1].Field != "area" {
		t.Errorf("required: %v", errs)
	}
}

func ptr(f float64) *float64 { return &f }

func TestWilson(t *testing.T) {
	// reference values (Newcombe 1998, table I): 81/263 -> 0.2553, 0.3662; 0/10 -> 0, 0.2775
	for _, c := range []struct {
		x, n   int
		lo, hi float64
	}{{81, 263, 0.2553, 0.3662}, {15, 148, 0.0624, 0.1605}, {0, 20, 0, 0.1611}, {1, 29, 0.0061, 0.1718}, {0, 10, 0, 0.2775}} {
		lo, hi := Wilson(c.x, c.n, Z95)
		if math.Abs(lo-c.lo) > 5e-4 || math.Abs(hi-c.hi) > 5e-4 {
			t.Errorf("Wilson(%d,%d) = %.4f, %.4f, want %.4f, %.4f", c.x, c.n, lo, hi, c.lo, c.hi)
		}
	}
	if lo, hi := Wilson(0, 0, Z95); lo != 0 || hi != 1 {
		t.Error("n = 0")
	}
}

func TestTally(t *testing.T) {
	d := Riga("x", false)
	var rs []Response
	add := func(area, sdg string, times int) {
		for range times {
			rs = append(rs, Response{Area: area, Answers: Answers{"sdg_16_1_4": sdg, "area": area}})
		}
	}
	add("A", "very_safe", 6)
	add("A", "very_unsafe", 4)
	add("B", "fairly_safe", 3)
	res := Tally(&d, rs, "en", 5)
	if res.Responses != 13 || len(res.Areas) != 2 {
		t.Fatalf("%+v", res)
	}
	q := res.Questions[0]
	if q.Name != "sdg_16_1_4" || q.N != nil { // fairly_safe (3) and very_unsafe (4) are suppressed, so n is withheld
		t.Fatalf("%+v", q)
	}
	if c := q.Cells[0]; *c.Count != 6 || math.Abs(*c.P-6.0/13) > 1e-12 {
		t.Errorf("very safe: %+v", c)
	}
	if !q.Cells[1].Suppressed || q.Cells[1].Count != nil || *q.Cells[4].Count != 0 {
		t.Errorf("suppression: %+v", q.Cells)
	}
	if sh := q.Indicator; !sh.Suppressed || sh.Count != nil { // 4 not safe: the complement would reveal it
		t.Errorf("indicator: %+v", sh)
	}
	if !res.Areas[1].Suppressed || res.Areas[1].Responses != nil || *res.Areas[0].Responses != 10 {
		t.Errorf("areas: %+v", res.Areas)
	}
	open := Tally(&d, rs, "en", 0)
	if *open.Questions[0].N != 13 || *open.Questions[0].Cells[1].Count != 3 || open.Questions[0].Mean == nil {
		t.Errorf("unsuppressed: %+v", open.Questions[0])
	}
	if sh := open.Questions[0].Indicator; *sh.Count != 9 || *sh.N != 13 || *sh.Low > 9.0/13 || *sh.High < 9.0/13 {
		t.Errorf("indicator: %+v", sh)
	}
	if m := open.Questions[0].Mean; math.Abs(m.Mean-(6*1+3*2+4*4)/13.0) > 1e-12 || m.Low >= m.Mean || m.High <= m.Mean {
		t.Errorf("mean: %+v", m)
	}
}

func TestSimulateValid(t *testing.T) {
	d := Riga("x", true)
	raws := Simulate(&d, []string{"A", "B"}, 50, rand.New(rand.NewPCG(1, 2)))
	if len(raws) != 100 {
		t.Fatal(len(raws))
	}
	for _, r := range raws {
		if _, errs := Validate(&d, r, ValidateOptions{}); len(errs) > 0 {
			t.Fatalf("%v: %v", r, errs)
		}
	}
}

func TestTranslations(t *testing.T) {
	l := Tr{"en": "Hello", "fr": "Bonjour"}
	if l.In("fr", "en") != "Bonjour" || l.In("it", "en") != "Hello" || (Tr{"it": "Ciao"}).In("fr", "en") != "Ciao" {
		t.Error("fallback")
	}
	d := Riga("x", false)
	d.Languages = []string{"en", "fr"}
	d.Modules[0].Questions[0].Label["fr"] = "Question en français"
	if r := Tally(&d, nil, "fr", 0); r.Questions[0].Label != "Question en français" || r.Questions[1].Label == "" {
		t.Errorf("labels: %q %q", r.Questions[0].Label, r.Questions[1].Label)
	}
}
