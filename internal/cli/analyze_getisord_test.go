package cli

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sixPoints = "x,y,v\n10,10,2\n20,10,3\n40,10,3.2\n15,20,5\n30,20,8\n30,30,7\n"

type getisOrdOut struct {
	Method, Statistic string
	N                 int
	Z, G              []float64
	PNorm             []float64  `json:"p_norm"`
	PSim              []*float64 `json:"p_sim"`
	Global            struct{ G, Z, P float64 }
	FDR               struct {
		Q       []float64
		Class   []string
		Hot     int
		Warning string
	}
	Grid *struct {
		NX, NY int
		Values []float64
	}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func runGetisOrd(t *testing.T, args ...string) getisOrdOut {
	t.Helper()
	out, errOut, code := run(t, "", append([]string{"analyze", "getis-ord", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var o getisOrdOut
	if err := json.Unmarshal([]byte(out), &o); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return o
}

// The esda test values (test_getisord.py), through the CLI.
func TestGetisOrdSixPoints(t *testing.T) {
	file := writeFile(t, "six.csv", sixPoints)
	cases := []struct {
		weights string
		star    bool
		want    []float64
	}{
		{"binary", false, []float64{-1.0136729, -0.04361589, 1.31558703, -0.31412676, 1.15373986, 1.77833941}},
		{"binary", true, []float64{-1.39727626, -0.28917762, 0.65064964, -0.28917762, 1.23452088, 2.02424331}},
		{"row", false, []float64{-0.62074534, -0.01780611, 1.31558703, -0.12824171, 0.28843496, 1.77833941}},
		{"row", true, []float64{-0.62488094, -0.09144599, 0.41150696, -0.09144599, 0.24690418, 1.28024388}},
	}
	for _, c := range cases {
		args := []string{"--input", file, "--x", "x", "--y", "y", "--value", "v", "--band", "15", "--weights", c.weights, "--permutations", "0"}
		if c.star {
			args = append(args, "--star")
		}
		o := runGetisOrd(t, args...)
		if o.N != 6 || len(o.Z) != 6 || o.PSim != nil {
			t.Fatalf("%+v", o)
		}
		for i := range c.want {
			if d := math.Abs(o.Z[i] - c.want[i]); d >= 1e-7 {
				t.Errorf("%s star=%v z[%d] = %v, want %v", c.weights, c.star, i, o.Z[i], c.want[i])
			}
		}
		if math.Abs(o.Global.G-0.55709779) > 5e-9 || math.Abs(o.Global.P-0.172936) > 5e-7 {
			t.Errorf("global %+v", o.Global)
		}
		if len(o.FDR.Q) != 6 || len(o.FDR.Class) != 6 {
			t.Errorf("fdr %+v", o.FDR)
		}
	}
}

func TestGetisOrdPermutationsDeterministic(t *testing.T) {
	file := writeFile(t, "six.csv", sixPoints)
	args := []string{"--input", file, "--value", "v", "--band", "15", "--star", "--permutations", "999", "--seed", "7"}
	a, b := runGetisOrd(t, args...), runGetisOrd(t, args...)
	if len(a.PSim) != 6 {
		t.Fatalf("p_sim %v", a.PSim)
	}
	for i := range a.PSim {
		if a.PSim[i] == nil || *a.PSim[i] != *b.PSim[i] || *a.PSim[i] < 0.001 || *a.PSim[i] > 0.5 {
			t.Errorf("p_sim[%d] %v vs %v", i, a.PSim[i], b.PSim[i])
		}
	}
}

func TestGetisOrdGridAndKNN(t *testing.T) {
	// nine points in a 3 × 3 block of 10 m cells plus a dense corner
	var sb strings.Builder
	sb.WriteString("px,py\n")
	for _, p := range [][2]float64{{1, 1}, {2, 2}, {3, 1}, {4, 4}, {15, 5}, {25, 25}, {5, 15}, {12, 12}, {28, 2}, {2, 28}} {
		sb.WriteString(strings.Join([]string{ftoa(p[0]), ftoa(p[1])}, ",") + "\n")
	}
	file := writeFile(t, "pts.csv", sb.String())
	o := runGetisOrd(t, "--input", file, "--x", "px", "--y", "py", "--cell", "10", "--star", "--permutations", "99")
	if o.Grid == nil || o.Grid.NX != 3 || o.Grid.NY != 3 || o.N != 9 || o.Grid.Values[0] != 4 {
		t.Fatalf("grid %+v n %d", o.Grid, o.N)
	}
	if o.Z[0] <= o.Z[8] {
		t.Errorf("the dense corner is not hotter: %v", o.Z)
	}
	o = runGetisOrd(t, "--input", file, "--x", "px", "--y", "py", "--value", "px", "--knn", "3", "--permutations", "0")
	if o.N != 10 {
		t.Errorf("knn n = %d", o.N)
	}
}

func ftoa(v float64) string { b, _ := json.Marshal(v); return string(b) }

func TestGetisOrdErrors(t *testing.T) {
	file := writeFile(t, "six.csv", sixPoints)
	for _, args := range [][]string{
		{"--input", file, "--value", "v"},                                      // no weights
		{"--input", file, "--value", "v", "--band", "15", "--knn", "2"},        // two
		{"--input", file, "--value", "v", "--band", "15", "--weights", "kern"}, // bad weights
		{"--input", file, "--value", "nope", "--band", "15"},                   // no column
		{"--input", file, "--value", "v", "--band", "15", "--alpha", "2"},
	} {
		_, errOut, code := run(t, "", append([]string{"analyze", "getis-ord"}, args...)...)
		if code == 0 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
	// the table output
	out, _, code := run(t, "", "analyze", "getis-ord", "--input", file, "--value", "v", "--band", "15", "--permutations", "0")
	if code != 0 || !strings.HasPrefix(out, "line,x,y,value,g,z,p_norm,q,class\n2,10,10,2,") || strings.Count(out, "\n") != 7 {
		t.Errorf("table:\n%s", out)
	}
}
