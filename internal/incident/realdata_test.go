package incident

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/icarus-city/icarus/internal/realdata"
)

// dataDir is the shared real-data directory (see package realdata).
func dataDir(t testing.TB) string { return realdata.Dir(t) }

type fileResult struct {
	stats    Stats
	keys     []string
	distinct int
	first    Incident
	rejects  []*RowError
	res      map[Resolution]int
	iccs     map[string]int
	mapping  Mapping
}

func readAll(t testing.TB, r io.Reader, m Mapping) fileResult {
	t.Helper()
	rd, err := NewReader(r, m)
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	out := fileResult{res: map[Resolution]int{}, iccs: map[string]int{}}
	seen := map[string]bool{}
	for {
		inc, re, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if re != nil {
			out.rejects = append(out.rejects, re)
			continue
		}
		if out.keys == nil {
			out.first = inc
		}
		out.keys = append(out.keys, inc.Key)
		if !seen[inc.Key] {
			seen[inc.Key] = true
			out.distinct++
		}
		out.res[inc.Resolution]++
		out.iccs[inc.ICCS]++
	}
	out.stats = rd.Stats()
	out.mapping = rd.Mapping()
	if s := out.stats; s.Read != s.Accepted+s.Rejected {
		t.Fatalf("accounting broken: %+v", s)
	}
	return out
}

func openData(t testing.TB, rel string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join(dataDir(t), rel))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func mustPreset(t testing.TB, name string) Mapping {
	t.Helper()
	m, err := Preset(name)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRealFiles(t *testing.T) {
	arson := Mapping{X: "1", Y: "2", Date: "3", CRS: "EPSG:26971", DefaultCategory: "arson"}
	beMonth := arson
	beMonth.DefaultCategory = "burglary"
	burglary := mustPreset(t, "generic")
	burglary.DefaultCategory = "burglary"
	burglary.CRS = "EPSG:26971"

	tests := []struct {
		file       string
		m          Mapping
		read       int
		noLoc      int
		res        Resolution
		iccs       string // ICCS of the first row
		wantSource bool   // keys are source ids
		dateOrder  string
	}{
		{"uk/manchester/gmp_bur.csv", mustPreset(t, "police-uk"), 92666, 0, ResolutionMonth, "0501", false, ""},
		{"uk/merseyside/merseyside_shoplifting.csv", mustPreset(t, "police-uk"), 7930, 0, ResolutionMonth, "0502", true, ""},
		{"chicago/chicago_aggravated_assaults.csv.gz", func() Mapping { m := mustPreset(t, "chicago"); m.DefaultCategory = "aggravated assault"; return m }(), 148636, 0, ResolutionExact, "020111", false, ""},
		{"chicago/chicago_burglary_2014_2017.csv", burglary, 45319, 0, ResolutionDay, "0501", false, "dmy"},
		{"chicago/predictcode/example.csv", mustPreset(t, "chicago"), 1000, 0, ResolutionExact, "02011", true, ""},
		{"chicago/nearrepeat/chicago_arson.csv", arson, 522, 0, ResolutionDay, "0504", false, ""},
		{"chicago/nearrepeat/chicago_be_month1.csv", beMonth, 970, 0, ResolutionDay, "0501", false, ""},
		{"vancouver/vancouver_thefts.csv.gz", mustPreset(t, "vancouver"), 21918, 0, ResolutionExact, "0502", false, ""},
	}
	for _, tc := range tests {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			got := readAll(t, openData(t, tc.file), tc.m)
			for i, re := range got.rejects {
				if i < 5 {
					t.Errorf("unexpected rejection: %v", re)
				}
			}
			s := got.stats
			if s.Read != tc.read || s.Accepted != tc.read || s.Rejected != 0 {
				t.Errorf("stats = %+v, want read = accepted = %d", s, tc.read)
			}
			if s.NoLocation != tc.noLoc {
				t.Errorf("no-location = %d, want %d", s.NoLocation, tc.noLoc)
			}
			if got.distinct != tc.read {
				t.Errorf("distinct keys = %d, want %d", got.distinct, tc.read)
			}
			if got.res[tc.res] != tc.read {
				t.Errorf("resolutions = %v, want all %s", got.res, tc.res)
			}
			if got.first.ICCS != tc.iccs {
				t.Errorf("first ICCS = %q (category %q), want %q", got.first.ICCS, got.first.Category, tc.iccs)
			}
			if (got.first.SourceID != "") != tc.wantSource || (tc.wantSource && got.first.Key != got.first.SourceID) {
				t.Errorf("first SourceID %q Key %q, want source ids: %v", got.first.SourceID, got.first.Key, tc.wantSource)
			}
			if got.mapping.DateOrder != tc.dateOrder {
				t.Errorf("DateOrder = %q, want %q", got.mapping.DateOrder, tc.dateOrder)
			}
			// The first data row is line 2 with a header, line 1 without.
			if want := map[bool]int{true: 2, false: 1}[tc.m.HasHeader]; got.first.Line != want {
				t.Errorf("first line = %d, want %d", got.first.Line, want)
			}
		})
	}
}
