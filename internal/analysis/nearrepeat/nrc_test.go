package nearrepeat

import (
	"bufio"
	"context"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/icarus-city/icarus/internal/realdata"
)

// readXYDate reads a CSV of x,y,date (ISO or dd/mm/yyyy), with or without a
// header, into metres and day numbers.
func readXYDate(t testing.TB, path string, header bool) (x, y, days []float64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	r.ReuseRecord = true
	if header {
		if _, err := r.Read(); err != nil {
			t.Fatal(err)
		}
	}
	for {
		rec, err := r.Read()
		if err != nil {
			break
		}
		xv, err1 := strconv.ParseFloat(strings.TrimSpace(rec[0]), 64)
		yv, err2 := strconv.ParseFloat(strings.TrimSpace(rec[1]), 64)
		d, err3 := time.Parse("2006-01-02", strings.TrimSpace(rec[2]))
		if err3 != nil {
			d, err3 = time.Parse("02/01/2006", strings.TrimSpace(rec[2]))
		}
		if err1 != nil || err2 != nil || err3 != nil {
			t.Fatalf("%s: bad row %v", path, rec)
		}
		x, y, days = append(x, xv), append(y, yv), append(days, float64(d.Unix()/86400))
	}
	return x, y, days
}

// nrcVerbose is what the tests use of a Near Repeat Calculator verbose file.
type nrcVerbose struct {
	observed [][]int64
	// per cell (row, column, 0-based): the simulated counts, mean and p-value
	sims  map[[2]int][]float64
	mean  map[[2]int]float64
	p     map[[2]int]float64
	iters int
}

func readVerbose(t *testing.T, path string) nrcVerbose {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	v := nrcVerbose{sims: map[[2]int][]float64{}, mean: map[[2]int]float64{}, p: map[[2]int]float64{}}
	field := func(s string) float64 {
		s = strings.TrimSpace(s)
		if s == "" {
			return 0
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("%s: %q is not a number", path, s)
		}
		return f
	}
	var cell [2]int
	inExpected := false
	for i := 0; i < len(rows); i++ {
		row := rows[i]
		if len(row) == 0 {
			continue
		}
		head := strings.TrimSpace(row[0])
		switch {
		case strings.HasPrefix(head, "Observed frequencies distribution"):
			ncols := 0
			for _, s := range rows[i+1][2:] {
				if strings.TrimSpace(s) != "" {
					ncols++
				}
			}
			for _, rr := range rows[i+3:] {
				if len(rr) == 0 || strings.Trim(strings.TrimSpace(rr[0]), "0123456789") != "" || strings.TrimSpace(rr[0]) == "" {
					break
				}
				var out []int64
				for _, s := range rr[2 : 2+ncols] {
					out = append(out, int64(field(s)))
				}
				v.observed = append(v.observed, out)
			}
		case strings.HasPrefix(head, "Row ") && strings.Contains(head, "Column"):
			var rr, cc int
			parts := strings.Fields(head)
			rr, _ = strconv.Atoi(parts[1])
			cc, _ = strconv.Atoi(parts[3])
			cell = [2]int{rr - 1, cc - 1}
			inExpected = false
		case head == "Expected" || (head == "" && inExpected):
			inExpected = true
			for _, s := range row[1:] {
				if strings.TrimSpace(s) != "" {
					v.sims[cell] = append(v.sims[cell], field(s))
				}
			}
		case head == "Mean":
			inExpected = false
			v.mean[cell] = field(row[1])
		case head == "P value":
			inExpected = false
			v.p[cell] = field(row[1])
		default:
			inExpected = false
		}
	}
	v.iters = len(v.sims[[2]int{0, 0}])
	return v
}

type nrcCase struct {
	name    string
	space   []float64
	time    []int
	verbose string
}

func nrcCases(t *testing.T) []nrcCase {
	dir := filepath.Join(realdata.Dir(t), "chicago", "nearrepeat")
	glob := func(p string) string {
		m, _ := filepath.Glob(filepath.Join(dir, p))
		if len(m) != 1 {
			t.Fatalf("%s: %d files", p, len(m))
		}
		return m[0]
	}
	return []nrcCase{
		{"chicago_arson", []float64{0, 200, 400, 600}, []int{0, 1, 2, 3}, glob("chicago_arson_NRverbose_*.csv")},
		{"chicago_be_month1", []float64{0, 100, 200, 300}, []int{0, 7, 14, 21}, glob("chicago_be_month1_NRverbose_*.csv")},
	}
}

// TestNRCObservedTables: the observed tables equal the Near Repeat
// Calculator's, cell by cell, for both of its reference runs.
func TestNRCObservedTables(t *testing.T) {
	for _, c := range nrcCases(t) {
		t.Run(c.name, func(t *testing.T) {
			x, y, d := readXYDate(t, filepath.Join(filepath.Dir(c.verbose), c.name+".csv"), false)
			ref := readVerbose(t, c.verbose)
			res, err := Knox(context.Background(), x, y, d, Options{SpaceEdges: c.space, TimeEdges: c.time, Metric: Manhattan, NRC: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Observed) != len(ref.observed) {
				t.Fatalf("%d rows, the calculator has %d", len(res.Observed), len(ref.observed))
			}
			var total int64
			for r := range ref.observed {
				if len(res.Observed[r]) != len(ref.observed[r]) {
					t.Fatalf("row %d: %d columns, the calculator has %d", r, len(res.Observed[r]), len(ref.observed[r]))
				}
				for col := range ref.observed[r] {
					total += res.Observed[r][col]
					if res.Observed[r][col] != ref.observed[r][col] {
						t.Errorf("row %d (%s) column %d (%s): %d, the calculator has %d", r+1, res.SpaceBands[r].Label, col+1, res.TimeBands[col].Label, res.Observed[r][col], ref.observed[r][col])
					}
				}
			}
			if n := int64(len(x)); total != n*(n-1)/2 {
				t.Errorf("table holds %d pairs, want %d", total, n*(n-1)/2)
			}
		})
	}
}

// TestNRCPermutationNull: with the calculator's own number of iterations
// replaced by 999, our expected counts and p-values agree with the
// calculator's within Monte Carlo error.
func TestNRCPermutationNull(t *testing.T) {
	if testing.Short() {
		t.Skip("999 permutations")
	}
	for _, c := range nrcCases(t) {
		t.Run(c.name, func(t *testing.T) {
			x, y, d := readXYDate(t, filepath.Join(filepath.Dir(c.verbose), c.name+".csv"), false)
			ref := readVerbose(t, c.verbose)
			res, err := Knox(context.Background(), x, y, d, Options{SpaceEdges: c.space, TimeEdges: c.time, Metric: Manhattan, NRC: true, Iterations: 999, Seed: 7})
			if err != nil {
				t.Fatal(err)
			}
			if ref.iters < 19 {
				t.Fatalf("parsed %d calculator iterations", ref.iters)
			}
			for r := range res.Observed {
				for col := range res.Observed[r] {
					key := [2]int{r, col}
					sims := ref.sims[key]
					if len(sims) != ref.iters {
						t.Fatalf("cell %v: %d simulations parsed, want %d", key, len(sims), ref.iters)
					}
					// the calculator's mean and sd of its simulations
					var m, ss float64
					for _, s := range sims {
						m += s
					}
					m /= float64(len(sims))
					for _, s := range sims {
						ss += (s - m) * (s - m)
					}
					sd := math.Sqrt(ss / float64(len(sims)-1))
					if math.Abs(m-ref.mean[key]) > 1e-6*max(1, m) {
						t.Fatalf("cell %v: parsed mean %v, file says %v", key, m, ref.mean[key])
					}
					// both means estimate the same null mean: their difference has
					// sd about sd*sqrt(1/n1 + 1/n2); allow 4 of those (plus a floor
					// for cells whose simulations are almost always 0)
					tol := 4*sd*math.Sqrt(1/float64(ref.iters)+1/999.0) + 0.15
					if got := res.Expected[r][col]; math.Abs(got-m) > tol {
						t.Errorf("cell %v (%s, %s): expected %.3f, the calculator's mean %.3f (tolerance %.3f)", key, res.SpaceBands[r].Label, res.TimeBands[col].Label, got, m, tol)
					}
					// the calculator's p-value is a binomial estimate from its
					// iterations: 4 standard errors around ours
					p, q := res.PValue[r][col], ref.p[key]
					se := math.Sqrt(max(p*(1-p), 0.5/float64(ref.iters+1))/float64(ref.iters+1)) + 1/float64(ref.iters+1)
					if math.Abs(p-q) > 4*se {
						t.Errorf("cell %v (%s, %s): p %.3f, the calculator's %.3f (tolerance %.3f)", key, res.SpaceBands[r].Label, res.TimeBands[col].Label, p, q, 4*se)
					}
				}
			}
		})
	}
}
