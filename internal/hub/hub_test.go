package hub

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/icarus-city/icarus/internal/incident"
	"github.com/icarus-city/icarus/internal/realdata"
	"github.com/icarus-city/icarus/internal/store/storetest"

	"github.com/icarus-city/icarus/internal/store"
)

func sharedData(t testing.TB) string { return realdata.Dir(t) }

func newService(t testing.TB) (*Service, store.Org) {
	t.Helper()
	st := storetest.OpenForTest(t, t.TempDir(), store.Options{})
	org, err := st.EnsureOrg(context.Background(), "test", "Test")
	if err != nil {
		t.Fatal(err)
	}
	return New(st), org
}

func fileOpen(path string) Opener {
	return func(ext string) (io.ReadCloser, error) {
		if ext == filepath.Ext(path) {
			return os.Open(path)
		}
		return os.Open(path[:len(path)-len(filepath.Ext(path))] + ext)
	}
}

func importAreasFile(t testing.TB, svc *Service, org store.Org, path string) Summary {
	t.Helper()
	fc, err := ReadSpatial(path, fileOpen(path))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := svc.ImportAreas(context.Background(), path, fc, AreaOptions{OrgID: org.ID})
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func importIncidentsFile(t testing.TB, svc *Service, org store.Org, path, preset string) (Summary, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return svc.ImportIncidents(context.Background(), Source{Name: path, R: f}, IncidentOptions{OrgID: org.ID, Preset: preset})
}

func BenchmarkImportChicagoAssaults(b *testing.B) {
	data := sharedData(b)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		svc, org := newService(b)
		importAreasFile(b, svc, org, filepath.Join(data, "chicago/chicago_police_districts.kml"))
		b.StartTimer()
		sum, err := importIncidentsFile(b, svc, org, filepath.Join(data, "chicago/chicago_aggravated_assaults.csv.gz"), "chicago")
		if err != nil {
			b.Fatal(err)
		}
		if sum.Accepted != 148636 {
			b.Fatalf("accepted %d", sum.Accepted)
		}
		b.ReportMetric(float64(sum.Read)/b.Elapsed().Seconds()*float64(i+1), "rows/s")
	}
}

func TestImportRealFiles(t *testing.T) {
	data := sharedData(t)
	svc, org := newService(t)
	areas := []struct {
		file string
		want int
	}{
		{"uk/manchester/manchester_crime_lsoa.shp", 282},
		{"uk/manchester/manchester_wards.geojson", 215},
		{"chicago/chicago_police_districts.kml", 25},
		{"vancouver/vancouver_neighbourhoods.geojson", 22},
		{"vancouver/Vancouver_DAs_2011_Census_UTMz10.shp", 991},
	}
	for _, a := range areas {
		s := importAreasFile(t, svc, org, filepath.Join(data, a.file))
		if s.Accepted != a.want || s.Read != s.Accepted+s.Rejected {
			t.Errorf("%s: %+v, want %d accepted", a.file, s, a.want)
		}
	}
	incidents := []struct {
		file, preset string
		accepted     int
	}{
		{"uk/manchester/manc_burglary_bng.geojson", "generic", 8144},
		{"uk/manchester/gmp_bur.csv", "police-uk", 92666},
		{"uk/merseyside/merseyside_shoplifting.csv", "police-uk", 7930},
		{"chicago/chicago_aggravated_assaults.csv.gz", "chicago", 148636},
		{"vancouver/vancouver_thefts.csv.gz", "vancouver", 21918},
	}
	for _, in := range incidents {
		s, err := importIncidentsFile(t, svc, org, filepath.Join(data, in.file), in.preset)
		if err != nil {
			t.Fatalf("%s: %v", in.file, err)
		}
		if s.Accepted != in.accepted || s.Rejected != 0 || s.Inserted != in.accepted || s.Read != s.Accepted+s.Rejected {
			t.Errorf("%s: read %d accepted %d rejected %d inserted %d, want %d", in.file, s.Read, s.Accepted, s.Rejected, s.Inserted, in.accepted)
		}
	}
	// Re-importing a file adds nothing.
	s, err := importIncidentsFile(t, svc, org, filepath.Join(data, "uk/manchester/gmp_bur.csv"), "police-uk")
	if err != nil || s.Inserted != 0 || s.Duplicates != 92666 {
		t.Errorf("re-import: inserted %d duplicates %d err %v, want 0 and 92666", s.Inserted, s.Duplicates, err)
	}
}

func TestCRSRequiredForProjectedColumns(t *testing.T) {
	data := sharedData(t)
	svc, org := newService(t)
	path := filepath.Join(data, "chicago/chicago_burglary_2014_2017.csv")
	if _, err := importIncidentsFile(t, svc, org, path, "generic"); err == nil || !strings.Contains(err.Error(), "--crs") {
		t.Fatalf("x/y in metres without a CRS: got %v, want an error asking for the CRS", err)
	}
	f, _ := os.Open(path)
	defer f.Close()
	s, err := svc.ImportIncidents(context.Background(), Source{Name: path, R: f}, IncidentOptions{OrgID: org.ID, Preset: "generic", CRS: "EPSG:26971"})
	if err != nil || s.Accepted != 45319 {
		t.Fatalf("with --crs EPSG:26971: %+v %v", s, err)
	}
	// Declaring the wrong CRS puts the points outside its valid area: every row is rejected with the reason.
	f2, _ := os.Open(path)
	defer f2.Close()
	s, err = svc.ImportIncidents(context.Background(), Source{Name: path, R: f2}, IncidentOptions{OrgID: org.ID, Preset: "generic", CRS: "EPSG:4326", Dataset: "wrong"})
	if err != nil || s.Accepted != 0 || s.Rejected != 45319 || len(s.Errors) == 0 || s.Errors[0].Line != 2 {
		t.Fatalf("x/y in metres declared as lon/lat: accepted %d rejected %d err %v", s.Accepted, s.Rejected, err)
	}
}

func TestTruncatedGzipLeavesNothing(t *testing.T) {
	data := sharedData(t)
	svc, org := newService(t)
	raw, err := os.ReadFile(filepath.Join(data, "chicago/chicago_aggravated_assaults.csv.gz"))
	if err != nil {
		t.Fatal(err)
	}
	cut := raw[:len(raw)/2]
	_, err = svc.ImportIncidents(context.Background(), Source{Name: "cut.csv.gz", R: bytes.NewReader(cut)}, IncidentOptions{OrgID: org.ID, Preset: "chicago"})
	if err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("truncated gzip: got %v", err)
	}
	n, err := svc.Store.CountIncidents(context.Background(), store.Filter{OrgID: org.ID})
	if err != nil || n != 0 {
		t.Fatalf("after a failed import: %d incidents (err %v), want 0", n, err)
	}
}

func TestIndicators(t *testing.T) {
	data := sharedData(t)
	svc, org := newService(t)
	importAreasFile(t, svc, org, filepath.Join(data, "uk/manchester/manchester_wards.geojson"))
	csv := "area_code,period,indicator,value,unit\n" +
		"E05000851,2019,school_dropout,4.5,%\n" +
		"E05000851,2019-Q2,youth_aggression,12,count\n" +
		"NOPE,2019,school_dropout,1,%\n" +
		"E05000851,2019-13,school_dropout,1,%\n"
	run := func(body string) Summary {
		var rej bytes.Buffer
		s, err := svc.ImportIndicators(context.Background(), Source{Name: "ind.csv", R: strings.NewReader(body), Rejects: &rej}, IndicatorOptions{OrgID: org.ID, Partner: "Schools office"})
		if err != nil {
			t.Fatal(err)
		}
		if s.Rejected > 0 && !strings.Contains(rej.String(), "unknown area code") {
			t.Errorf("rejects file lacks the reason: %q", rej.String())
		}
		return s
	}
	s := run(csv)
	if s.Read != 4 || s.Accepted != 2 || s.Rejected != 2 || s.Errors[0].Line != 4 || s.Errors[1].Line != 5 || s.Inserted != 2 {
		t.Fatalf("first import: %+v", s)
	}
	if s = run(csv); s.Inserted != 0 || s.Duplicates != 2 {
		t.Fatalf("re-import: %+v", s)
	}
	vals, err := svc.Store.IndicatorValues(context.Background(), org.ID, "school_dropout")
	if err != nil || len(vals) != 1 || vals[0].Partner != "Schools office" || vals[0].AreaCode != "E05000851" || vals[0].Value != 4.5 {
		t.Fatalf("stored values %+v %v", vals, err)
	}
	if _, err := svc.ImportIndicators(context.Background(), Source{Name: "x.csv", R: strings.NewReader(csv)}, IndicatorOptions{OrgID: org.ID}); err == nil {
		t.Fatal("an import without a partner was accepted")
	}
}

// TestImportOtherLayouts covers the remaining incident files of the shared
// data: shapefile points, files without a header, and projected x/y columns.
func TestImportOtherLayouts(t *testing.T) {
	data := sharedData(t)
	svc, org := newService(t)
	ctx := context.Background()
	noHeader := func(category string) *incident.Mapping {
		return &incident.Mapping{HasHeader: false, X: "1", Y: "2", Date: "3", CRS: "EPSG:26971", DefaultCategory: category}
	}
	cases := []struct {
		file, preset string
		mapping      *incident.Mapping
		crs          string
		want         int
		resolution   string
	}{
		{"vancouver/Vancouver_Residential_Burglary_2003.shp", "vancouver", nil, "", 6883, "exact"},
		{"vancouver/Vancouver_Residential_Burglary_2016.shp", "vancouver", nil, "", 2994, "exact"},
		{"chicago/predictcode/example.csv", "chicago", nil, "", 1000, "exact"},
		{"chicago/nearrepeat/chicago_arson.csv", "generic", noHeader("arson"), "", 522, "day"},
		{"chicago/nearrepeat/chicago_be_month1.csv", "generic", noHeader("burglary"), "", 970, "day"},
		{"chicago/chicago_burglary_2014_2017.csv", "generic", nil, "EPSG:26971", 45319, "day"},
	}
	for _, c := range cases {
		path := filepath.Join(data, c.file)
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		s, err := svc.ImportIncidents(ctx, Source{Name: path, R: f, Open: fileOpen(path)}, IncidentOptions{OrgID: org.ID, Preset: c.preset, Mapping: c.mapping, CRS: c.crs})
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		if s.Accepted != c.want || s.Rejected != 0 || s.Resolution[c.resolution] != c.want {
			t.Errorf("%s: read %d accepted %d rejected %d resolution %v, want %d %s", c.file, s.Read, s.Accepted, s.Rejected, s.Resolution, c.want, c.resolution)
		}
	}
	// Projected inputs land where they should: every Vancouver point is in British Columbia, every Chicago one in Illinois.
	rows, err := svc.Store.Incidents(ctx, store.Filter{OrgID: org.ID}, 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		inVan := r.Lon > -123.3 && r.Lon < -123.0 && r.Lat > 49.1 && r.Lat < 49.4
		inChi := r.Lon > -88.0 && r.Lon < -87.5 && r.Lat > 41.6 && r.Lat < 42.1
		if r.HasLoc && !inVan && !inChi {
			t.Fatalf("incident %d at (%f, %f) is in neither city", r.ID, r.Lon, r.Lat)
		}
	}
}

func TestEditableICCSMapping(t *testing.T) {
	data := sharedData(t)
	svc, org := newService(t)
	ctx := context.Background()
	path := filepath.Join(data, "chicago/predictcode/example.csv")
	if _, err := importIncidentsFile(t, svc, org, path, "chicago"); err != nil {
		t.Fatal(err)
	}
	cats, err := svc.Store.Categories(ctx, org.ID)
	if err != nil || len(cats) == 0 {
		t.Fatal(cats, err)
	}
	var theft store.CategoryUse
	for _, c := range cats {
		if c.Category == "THEFT" {
			theft = c
		}
	}
	if theft.ICCS != incident.DefaultICCS("THEFT") || theft.ICCS == "" || theft.Override {
		t.Fatalf("THEFT before: %+v", theft)
	}
	if _, err := svc.SetCategoryICCS(ctx, org.ID, "THEFT", "99"); err == nil {
		t.Fatal("an unknown ICCS code was accepted")
	}
	n, err := svc.SetCategoryICCS(ctx, org.ID, "THEFT", "0504")
	if err != nil || n != theft.Count {
		t.Fatalf("recoded %d of %d: %v", n, theft.Count, err)
	}
	// A new import uses the organisation's mapping.
	f, _ := os.Open(path)
	defer f.Close()
	if _, err := svc.ImportIncidents(ctx, Source{Name: path, R: f}, IncidentOptions{OrgID: org.ID, Preset: "chicago", Dataset: "again"}); err != nil {
		t.Fatal(err)
	}
	rows, _ := svc.Store.Incidents(ctx, store.Filter{OrgID: org.ID, Category: "THEFT"}, 0, 10000)
	for _, r := range rows {
		if r.ICCS != "0504" {
			t.Fatalf("incident %d of dataset %d has ICCS %q after the remap", r.ID, r.DatasetID, r.ICCS)
		}
	}
	if _, err := svc.SetCategoryICCS(ctx, org.ID, "THEFT", "default"); err != nil {
		t.Fatal(err)
	}
	cats, _ = svc.Store.Categories(ctx, org.ID)
	for _, c := range cats {
		if c.Category == "THEFT" && (c.Override || c.ICCS != incident.DefaultICCS("THEFT")) {
			t.Fatalf("THEFT after reset: %+v", c)
		}
	}
}
