package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/icarus-city/icarus/internal/realdata"
)

type knoxOut struct {
	Method     string
	N          int
	Pairs      int64
	Iterations int
	Seed       uint64
	Metric     string
	NRC        bool
	SpaceBands []string `json:"space_bands"`
	TimeBands  []string `json:"time_bands"`
	Observed   [][]int64
	Expected   [][]*float64
	KnoxRatio  [][]*float64 `json:"knox_ratio"`
	PValue     [][]*float64 `json:"p_value"`
	Summary    struct {
		Text        string
		Pattern     string
		Significant []struct {
			Row, Col int
			Space    string
		}
	}
}

func knoxJSONOut(t *testing.T, s string) knoxOut {
	t.Helper()
	var v knoxOut
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	return v
}

// TestAnalyzeKnoxNRC: the arson file of the Near Repeat Calculator, in its
// conventions, gives its observed table; the JSON has every table in the
// same shape.
func TestAnalyzeKnoxNRC(t *testing.T) {
	file := realdata.Path(t, "chicago", "nearrepeat", "chicago_arson.csv")
	out, errOut, code := run(t, "", "analyze", "knox", "--input", file, "--no-header", "--x", "1", "--y", "2", "--time", "3",
		"--space-bands", "0,200,400,600", "--time-bands", "0,1,2,3", "--nrc", "--iterations", "99", "--seed", "5", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	v := knoxJSONOut(t, out)
	want := [][]int64{{0, 2, 0, 8}, {9, 1, 1, 45}, {4, 0, 0, 140}, {6, 0, 0, 234}, {393, 710, 770, 133658}}
	for i := range want {
		for j := range want[i] {
			if v.Observed[i][j] != want[i][j] {
				t.Fatalf("observed %v, the calculator's %v", v.Observed, want)
			}
		}
	}
	if v.N != 522 || v.Pairs != 522*521/2 || v.Iterations != 99 || v.Seed != 5 || v.Metric != "manhattan" || !v.NRC || v.Method == "" {
		t.Errorf("header %+v", v)
	}
	if strings.Join(v.SpaceBands, "|") != "Same location|1 to 200|201 to 400|401 to 600|More than 600" || strings.Join(v.TimeBands, "|") != "0 to 1|2 to 2|3 to 3|More than 3" {
		t.Errorf("labels %v %v", v.SpaceBands, v.TimeBands)
	}
	for _, tab := range [][][]*float64{v.Expected, v.KnoxRatio, v.PValue} {
		if len(tab) != 5 || len(tab[0]) != 4 {
			t.Fatalf("table shape %dx%d", len(tab), len(tab[0]))
		}
	}
	// nine pairs 1-199 m apart on the same day against about 0.12 expected
	if p := v.PValue[1][0]; p == nil || *p != 0.01 || v.KnoxRatio[1][0] == nil || *v.KnoxRatio[1][0] < 20 {
		t.Errorf("cell (1 to 200, 0 to 1): p %v ratio %v", p, v.KnoxRatio[1][0])
	}
	if v.Summary.Text == "" || v.Summary.Pattern != "near-repeat" || len(v.Summary.Significant) == 0 {
		t.Errorf("summary %+v", v.Summary)
	}
	// the same seed gives the same output; the flags may follow the file
	again, _, _ := run(t, "", "analyze", "knox", file, "--no-header", "--x", "1", "--y", "2", "--time", "3",
		"--space-bands", "0,200,400,600", "--time-bands", "0,1,2,3", "--nrc", "--iterations", "99", "--seed", "5", "--json")
	if again != out {
		t.Error("same seed, different output")
	}
}

func TestAnalyzeKnoxTextAndHeader(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "ev.csv")
	// a header, dd/mm/yyyy dates and times of day (ignored: whole days)
	csv := "easting,northing,when\n" +
		"1000,1000,01/03/2020\n1010,1000,02/03/2020\n1000,1030,02/03/2020\n" +
		"5000,5000,10/04/2020\n5020,5000,11/04/2020\n9000,1000,20/05/2020\n1000,9000,01/01/2021\n"
	os.WriteFile(file, []byte(csv), 0o600)
	out, errOut, code := run(t, "", "analyze", "knox", "--input", file, "--x", "easting", "--y", "northing", "--time", "when",
		"--space-bands", "0,50,100", "--time-bands", "0,2,4", "--iterations", "19")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, s := range []string{"Knox test: 7 events, 21 pairs", "euclidean distance", "19 permutations", "Observed pairs", "Knox ratio", "p-value", "0-50 m", "100 m or more", "0-1 days", "4 days or more"} {
		if !strings.Contains(out, s) {
			t.Errorf("text output lacks %q:\n%s", s, out)
		}
	}
	// 4 pairs within 50 m and 0-1 days: (1,2) (1,3) (2,3) and (4,5)
	out, _, _ = run(t, "", "analyze", "knox", "--input", file, "--x", "easting", "--y", "northing", "--time", "when",
		"--space-bands", "0,50,100", "--time-bands", "0,2,4", "--iterations", "0", "--json", "--metric", "Manhattan")
	v := knoxJSONOut(t, out)
	if v.Observed[0][0] != 4 || v.Metric != "manhattan" || v.Expected[0][0] != nil || v.Summary.Pattern != "too-few-iterations" {
		t.Errorf("%+v", v)
	}
	// datetimes: 23:30 and 00:10 the next day are 1 day apart
	os.WriteFile(file, []byte("x,y,date\n0,0,2020-03-01 23:30\n10,0,2020-03-02 00:10\n"), 0o600)
	out, _, _ = run(t, "", "analyze", "knox", "--input", file, "--space-bands", "0,50", "--time-bands", "0,1,2", "--iterations", "0", "--json")
	if v := knoxJSONOut(t, out); v.Observed[0][1] != 1 {
		t.Errorf("datetimes: %v", v.Observed)
	}
}

func TestAnalyzeKnoxErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "ev.csv")
	os.WriteFile(file, []byte("x,y,date\n0,0,2020-01-01\n1,1,2020-01-02\n"), 0o600)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--space-bands", "100,200"}, "from 0"},
		{[]string{"--space-bands", "0,200,100"}, "increase"},
		{[]string{"--time-bands", "0,1.5"}, "whole number of days"},
		{[]string{"--time-bands", "0,x"}, "not a number"},
		{[]string{"--metric", "chebyshev"}, "unknown metric"},
		{[]string{"--iterations", "-1"}, "negative"},
		{[]string{"--alpha", "2"}, "alpha"},
		{[]string{"--time", "nope"}, "no column"},
	} {
		args := append([]string{"analyze", "knox", "--input", file}, c.args...)
		if _, errOut, code := run(t, "", args...); code == 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, %q (want %q)", c.args, code, errOut, c.want)
		}
	}
	if _, errOut, code := run(t, "", "analyze", "knox"); code == 0 || !strings.Contains(errOut, "--input") {
		t.Errorf("no input: exit %d, %q", code, errOut)
	}
	if out, _, code := run(t, "", "analyze", "knox", "--help"); code != 0 || !strings.Contains(out, "Usage: icarus analyze knox") || !strings.Contains(out, "--nrc") {
		t.Errorf("help: %d %q", code, out)
	}
}
