package survey

import (
	"math"
	"math/rand/v2"
	"testing"
)

// With no margins every weight is 1 and the estimates are Tally's own.
func TestEstimatesUnweightedEqualTally(t *testing.T) {
	d := Riga("t", true)
	raws := Simulate(&d, []string{"A", "B", "C"}, 40, rand.New(rand.NewPCG(1, 2)))
	var rs []Response
	for _, raw := range raws {
		a, errs := Validate(&d, raw, ValidateOptions{})
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		rs = append(rs, Response{Area: a["area"].(string), Answers: a})
	}
	w, sum := PostStratify(rs, "age_band", "gender", nil)
	if sum.AreasWeighted != 0 || sum.DesignEffect != 1 || sum.MeanWeighted != len(rs) {
		t.Fatalf("no margins: %+v", sum)
	}
	est := Estimates(&d, rs, w, "en")
	tal := Tally(&d, rs, "en", 0)
	if len(est) != len(tal.Questions) {
		t.Fatalf("%d estimates, %d tallies", len(est), len(tal.Questions))
	}
	close := func(a, b float64) bool { return math.Abs(a-b) < 1e-12 }
	for i, q := range tal.Questions {
		e := est[i]
		if e.N != *q.N || !close(e.NEff, float64(*q.N)) && e.N > 0 {
			t.Errorf("%s: n %d/%v, tally %d", q.Name, e.N, e.NEff, *q.N)
		}
		for j, c := range q.Cells {
			ec := e.Choices[j]
			if ec.Count != *c.Count || c.P != nil && (!close(ec.P, *c.P) || !close(ec.Low, *c.Low) || !close(ec.High, *c.High)) {
				t.Errorf("%s/%s: estimate %+v, tally %d %v %v %v", q.Name, c.Value, ec, *c.Count, *c.P, *c.Low, *c.High)
			}
		}
		if (q.Indicator == nil) != (e.Indicator == nil) {
			t.Fatalf("%s: indicator mismatch", q.Name)
		}
		if q.Indicator != nil && (!close(e.Indicator.P, *q.Indicator.P) || !close(e.Indicator.Low, *q.Indicator.Low) || !close(e.Indicator.High, *q.Indicator.High)) {
			t.Errorf("%s indicator: %+v vs %v %v %v", q.Name, e.Indicator, *q.Indicator.P, *q.Indicator.Low, *q.Indicator.High)
		}
		if (q.Mean == nil) != (e.Mean == nil) {
			t.Fatalf("%s: mean mismatch", q.Name)
		}
		if q.Mean != nil && (!close(e.Mean.Mean, q.Mean.Mean) || !close(e.Mean.Low, q.Mean.Low) || !close(e.Mean.High, q.Mean.High) || !close(e.Mean.SD, q.Mean.SD)) {
			t.Errorf("%s mean: %+v vs %+v", q.Name, e.Mean, q.Mean)
		}
	}
}

// A hand-worked area: cells W (pop 600, 3 respondents) and M (pop 400, 1
// respondent), one respondent without a gender (mean weight 250).
// Weighted share safe = (200+200+250)/1250 = 0.52, n_eff = 1250²/342500;
// the interval is Wilson's at that n_eff (computed independently in Python).
func TestPostStratifyHandWorked(t *testing.T) {
	m := Margins{"A": {{"16_24", "woman"}: 600, {"16_24", "man"}: 400, {"25_34", "man"}: 50}}
	ans := func(g, safe string) Response {
		a := Answers{"age_band": "16_24", "sdg": safe}
		if g != "" {
			a["gender"] = g
		}
		return Response{Area: "A", Answers: a}
	}
	rs := []Response{ans("woman", "safe"), ans("woman", "safe"), ans("woman", "unsafe"), ans("man", "unsafe"), ans("", "safe")}
	w, sum := PostStratify(rs, "age_band", "gender", m)
	want := []float64{200, 200, 200, 400, 250}
	for i := range want {
		if math.Abs(w[i]-want[i]) > 1e-12 {
			t.Fatalf("weights %v, want %v", w, want)
		}
	}
	if sum.InCell != 4 || sum.MeanWeighted != 1 || sum.AreasWeighted != 1 || sum.EmptyCells != 1 || sum.EmptyPop != 50 {
		t.Errorf("summary %+v", sum)
	}
	e, n, neff := ShareOf(rs, w, "sdg", []string{"safe"})
	if n != 5 || e.Count != 3 || math.Abs(e.P-0.52) > 1e-12 || math.Abs(neff-4.562043795620438) > 1e-9 {
		t.Fatalf("share %+v n %d neff %v", e, n, neff)
	}
	if math.Abs(e.Low-0.17294889352509146) > 1e-9 || math.Abs(e.High-0.8487660698843978) > 1e-9 {
		t.Errorf("interval %v..%v, want 0.172949..0.848766", e.Low, e.High)
	}
}
