package hub

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/icarus-city/icarus/internal/realdata"

	"github.com/icarus-city/icarus/internal/store"
)

func sharedData(t testing.TB) string { return realdata.Dir(t) }

func newService(t testing.TB) (*Service, store.Org) {
	t.Helper()
	st, err := store.OpenSQLite(context.Background(), t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
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
