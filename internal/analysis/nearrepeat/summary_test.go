package nearrepeat

import (
	"context"
	"math"
	"strings"
	"testing"
)

// TestSummaryChicago: the Chicago burglaries 2014-2017 show the classic
// near-repeat pattern (Johnson et al.; Davies' NearRepeat notebooks).
func TestSummaryChicago(t *testing.T) {
	x, y, d := chicagoBurglary(t)
	res, err := Knox(context.Background(), x, y, d, Options{SpaceEdges: []float64{0, 100, 200, 300}, TimeEdges: []int{0, 2, 4}, Metric: Euclidean, Iterations: 99, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	s := Summarize(res, 0.05)
	t.Log(s.Text)
	if s.Pattern != NearRepeat || s.Headline == nil || s.Headline.Row != 0 || s.Headline.Col != 0 {
		t.Fatalf("%+v", s)
	}
	h := s.Headline
	if h.Ratio < 1.5 || h.P != 0.01 || h.Space != "within 100 m" || h.Time != "0-1 days" {
		t.Fatalf("headline %+v", h)
	}
	if !strings.HasPrefix(s.Text, "Events within 100 m of an earlier event and 0-1 days after it are ") || !strings.Contains(s.Text, "(p = 0.01): a near-repeat pattern.") {
		t.Fatalf("text %q", s.Text)
	}
}

// table builds a Result from its tables for the summary tests.
func table(nrc bool, iters int, obs [][]int64, exp [][]float64, p [][]float64) *Result {
	r := &Result{
		SpaceBands: spaceBands([]float64{0, 100, 200}, nrc),
		TimeBands:  timeBands([]int{0, 1, 7}, nrc),
		Observed:   obs, Expected: exp, PValue: p, Iterations: iters,
	}
	r.KnoxRatio = grid[float64](len(obs), len(obs[0]))
	for b := range obs {
		for c := range obs[b] {
			r.KnoxRatio[b][c] = float64(obs[b][c]) / exp[b][c]
		}
	}
	return r
}

func TestSummaryCases(t *testing.T) {
	// NRC rows: same location, 1 to 100, 101 to 200, more than 200
	obs := [][]int64{{10, 4, 50}, {8, 20, 100}, {5, 30, 300}, {1000, 5000, 90000}}
	exp := [][]float64{{2, 4, 50}, {4, 20, 100}, {5, 30, 300}, {1000, 5000, 90000}}
	p := [][]float64{{0.001, 0.5, 0.5}, {0.02, 0.5, 0.5}, {0.5, 0.5, 0.5}, {0.5, 0.5, 0.5}}
	s := Summarize(table(true, 999, obs, exp, p), 0.05)
	if s.Pattern != NearRepeat || len(s.Excess) != 2 || !strings.Contains(s.Text, "at the same location as an earlier event and on the same day are 5.0 times") ||
		!strings.Contains(s.Text, "repeat victimisation, with a near-repeat pattern around it") || !strings.Contains(s.Text, "1 other cell also") {
		t.Errorf("%+v", s)
	}
	// only the same location: repeat victimisation
	p[1][0] = 0.3
	s = Summarize(table(true, 999, obs, exp, p), 0.05)
	if s.Pattern != Repeat || len(s.Excess) != 1 || !strings.Contains(s.Text, "repeat-victimisation") {
		t.Errorf("%+v", s)
	}
	// nothing significant
	p[0][0] = 0.2
	s = Summarize(table(true, 999, obs, exp, p), 0.05)
	if s.Pattern != NoPattern || len(s.Excess) != 0 || !strings.Contains(s.Text, "less than 200 m and 7 days apart") {
		t.Errorf("%+v", s)
	}
	// significant deficits are not a near-repeat pattern; NaN ratios are skipped
	obs[1][1], p[1][1] = 5, 0.001
	exp[2][2] = 0
	s = Summarize(table(true, 999, obs, exp, p), 0.05)
	if s.Pattern != NoPattern {
		t.Errorf("%+v", s)
	}
	// too few permutations to say anything at 0.05
	s = Summarize(table(true, 9, obs, exp, p), 0)
	if s.Pattern != TooFewIterations || s.Alpha != 0.05 || !strings.Contains(s.Text, "run at least 19") {
		t.Errorf("%+v", s)
	}
	if math.IsNaN(s.Alpha) {
		t.Fail()
	}
}
