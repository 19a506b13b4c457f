package cli

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/icarus-city/icarus/internal/realdata"
)

// analyzeResult is the part of 'analyze METHOD --json' the tests read.
type analyzeResult struct {
	Method  string
	Summary string
	Card    struct {
		Method string
		N      int
		Data   struct {
			Incidents  int
			Resolution string
			Area       string
		}
		Parameters []struct{ Name, Value string }
	}
	Layer *struct {
		Legend []struct {
			Class string
			Count int
		}
		Features []json.RawMessage
	}
	Table *struct {
		Columns []string
		Rows    [][]any
	}
}

func analyzeJSON(t *testing.T, args ...string) analyzeResult {
	t.Helper()
	out, errOut, code := run(t, "", append([]string{"analyze"}, append(args, "--json")...)...)
	if code != 0 {
		t.Fatalf("analyze %v: exit %d: %s", args, code, errOut)
	}
	var r analyzeResult
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("analyze %v: not JSON: %v", args, err)
	}
	return r
}

// chicagoMonths counts the Chicago burglaries per month (date_single is dd/mm/yyyy).
func chicagoMonths(t *testing.T, path string) (map[string]int, []time.Time) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cr := csv.NewReader(bufio.NewReader(f))
	rows, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	months := map[string]int{}
	var days []time.Time
	for _, r := range rows[1:] {
		d, err := time.Parse("02/01/2006", r[2])
		if err != nil {
			t.Fatal(err)
		}
		months[d.Format("2006-01")]++
		days = append(days, d)
	}
	return months, days
}

// TestAnalyzeChicagoFile runs the service's methods on the 45,319 Chicago
// burglaries (metres, daily dates) and checks their figures against counts
// made here from the file.
func TestAnalyzeChicagoFile(t *testing.T) {
	file := realdata.Path(t, "chicago", "chicago_burglary_2014_2017.csv")
	in := []string{"--input", file, "--x", "x", "--y", "y", "--time", "date_single", "--time-format", "02/01/2006"}
	months, days := chicagoMonths(t, file)

	// grid: every incident in one cell
	out, errOut, code := run(t, "", "analyze", "grid", "--input", file, "--x", "x", "--y", "y", "--cell", "1000", "--csv")
	if code != 0 {
		t.Fatalf("grid: %s", errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if lines[0] != "cell,col,row,x,y,lon,lat,count" {
		t.Fatalf("grid CSV header %q", lines[0])
	}
	total := 0
	for _, l := range lines[1:] {
		n, err := strconv.Atoi(l[strings.LastIndex(l, ",")+1:])
		if err != nil {
			t.Fatal(err)
		}
		total += n
	}
	if total != len(days) {
		t.Errorf("grid cells hold %d incidents, the file %d", total, len(days))
	}

	// monthly counts equal the file's
	r := analyzeJSON(t, append([]string{"trend"}, in...)...)
	if len(r.Table.Rows) != 48 || r.Card.N != len(days) || r.Card.Data.Resolution != "day" {
		t.Fatalf("trend: %d rows, n %d, resolution %s", len(r.Table.Rows), r.Card.N, r.Card.Data.Resolution)
	}
	for _, row := range r.Table.Rows {
		if got, want := int(row[3].(float64)), months[row[0].(string)]; got != want {
			t.Errorf("month %v: %d, want %d", row[0], got, want)
		}
	}

	// change between the first halves of 2016 and 2017
	before, after := 0, 0
	for _, d := range days {
		switch {
		case d.Year() == 2016 && d.Month() <= 6:
			before++
		case d.Year() == 2017 && d.Month() <= 6:
			after++
		}
	}
	r = analyzeJSON(t, append([]string{"change", "--before", "2016-01:2016-06", "--after", "2017-01:2017-06"}, in...)...)
	if int(r.Table.Rows[0][4].(float64)) != before || int(r.Table.Rows[1][4].(float64)) != after || r.Card.N != before+after {
		t.Errorf("change: rows %v, want %d and %d", r.Table.Rows, before, after)
	}

	// Knox through the service needs a stored dataset; on a file it keeps its own JSON (analyze_knox_test.go)

	// Moran and hot-spot change on 1 km cells; the forecast evaluation on the last week
	r = analyzeJSON(t, "moran", "--input", file, "--x", "x", "--y", "y", "--cell", "1000", "--permutations", "99")
	if r.Card.N != len(days) || !strings.Contains(r.Summary, "Global Moran's I") || r.Layer == nil {
		t.Errorf("moran: %+v", r.Card)
	}
	r = analyzeJSON(t, append([]string{"hotspot-change", "--cell", "1000"}, in...)...)
	if !strings.Contains(r.Summary, "48 months") || r.Layer == nil || len(r.Layer.Features) == 0 {
		t.Errorf("hotspot-change: %s", r.Summary)
	}
	r = analyzeJSON(t, append([]string{"forecast", "--evaluate", "--test-days", "7", "--cell", "250"}, in...)...)
	if len(r.Table.Rows) != 4*5 || !strings.Contains(r.Summary, "7 daily forecasts") {
		t.Errorf("forecast evaluation: %d rows, %s", len(r.Table.Rows), r.Summary)
	}

	// bad parameters: a clear error, before any work
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"kde", "--kernel", "box"}, "kernel"},
		{[]string{"change", "--before", "2016-01:2016-06"}, "--after"},
		{[]string{"trend", "--interval", "fortnight"}, "interval"},
		{[]string{"grid", "--cell", "0.001"}, "cells"},
	} {
		args := in
		if c.args[0] == "kde" || c.args[0] == "grid" {
			args = in[:6] // no dates
		}
		_, errOut, code := run(t, "", append(append([]string{"analyze"}, c.args...), args...)...)
		if code == 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("analyze %v: exit %d, %q; want an error about %q", c.args, code, errOut, c.want)
		}
	}
}

// TestAnalyzeStoredDataset imports the demo's Manchester burglaries
// (police.uk: dates known to the month) and analyses the stored dataset.
func TestAnalyzeStoredDataset(t *testing.T) {
	dir := realdata.Path(t, "uk", "manchester")
	data := filepath.Join(t.TempDir(), "data")
	shp := filepath.Join(dir, "manchester_crime_lsoa.shp")
	if _, errOut, code := run(t, "", "import", "areas", "--data", data, "--layer", "LSOA", shp); code != 0 {
		t.Fatalf("import areas: %s", errOut)
	}
	if _, errOut, code := run(t, "", "import", "incidents", "--data", data, "--dataset", "burglary", "--preset", "generic", filepath.Join(dir, "manc_burglary_bng.geojson")); code != 0 {
		t.Fatalf("import incidents: %s", errOut)
	}
	ds := []string{"--data", data, "--dataset", "burglary"}

	// Knox needs days: the clear month-resolution error
	_, errOut, code := run(t, "", append([]string{"analyze", "knox"}, ds...)...)
	if code == 0 || !strings.Contains(errOut, "month-resolution") {
		t.Errorf("knox on months: exit %d, %q", code, errOut)
	}
	// grid, KDE and Gi* work; filters narrow the selection
	r := analyzeJSON(t, append([]string{"getis-ord", "--permutations", "199"}, ds...)...)
	if r.Card.N != 8144 || r.Card.Data.Resolution != "month" || r.Layer == nil {
		t.Fatalf("getis-ord: %+v", r.Card)
	}
	r = analyzeJSON(t, append([]string{"grid", "--from", "2017-03", "--to", "2017-05"}, ds...)...)
	all := analyzeJSON(t, append([]string{"trend"}, ds...)...)
	want := 0
	for _, row := range all.Table.Rows {
		if m := row[0].(string); m >= "2017-03" && m <= "2017-05" {
			want += int(row[3].(float64))
		}
	}
	if r.Card.N != want || want == 0 {
		t.Errorf("grid March-May: n %d, the monthly counts say %d", r.Card.N, want)
	}
	r = analyzeJSON(t, append([]string{"kde", "--area", "E01005070"}, ds...)...)
	if r.Card.N == 0 || r.Card.N > 500 || !strings.Contains(r.Card.Data.Area, "E01005070") {
		t.Errorf("kde in one LSOA: n %d, area %q", r.Card.N, r.Card.Data.Area)
	}
	out, errOut, code := run(t, "", append([]string{"analyze", "grid", "--geojson"}, ds...)...)
	var fc struct {
		Type     string
		Features []json.RawMessage
	}
	if code != 0 || json.Unmarshal([]byte(out), &fc) != nil || fc.Type != "FeatureCollection" || len(fc.Features) == 0 {
		t.Errorf("grid --geojson: exit %d %s", code, errOut)
	}
	if _, errOut, code := run(t, "", append([]string{"analyze", "grid", "--category", "Robbery"}, ds...)...); code == 0 || !strings.Contains(errOut, "selection is empty") {
		t.Errorf("empty selection: exit %d %q", code, errOut)
	}
	if _, errOut, code := run(t, "", "analyze", "grid", "--data", data, "--dataset", "nope"); code == 0 || !strings.Contains(errOut, `"burglary"`) {
		t.Errorf("unknown dataset: exit %d %q", code, errOut)
	}
	// the table output states the method card
	out, _, code = run(t, "", append([]string{"analyze", "trend", "--kind", "baseline"}, ds...)...)
	if code != 0 || !strings.Contains(out, "Method card") || !strings.Contains(out, "dates known to the month") {
		t.Errorf("table output:\n%s", out)
	}
}
