package geo

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/icarus-city/icarus/internal/realdata"
)

// dataDir is the shared real-data directory (see package realdata).
func dataDir(t testing.TB) string { return realdata.Dir(t) }

// readData reads a file under the data directory; a missing file is a test
// failure (the directory exists, so the file must too).
func readData(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dataDir(t), rel))
	if err != nil {
		t.Fatalf("read %s: %v", rel, err)
	}
	return b
}

// readShapefileData reads base.shp/.dbf/.prj under the data directory.
func readShapefileData(t testing.TB, base string) *Collection {
	t.Helper()
	shp := readData(t, base+".shp")
	dbf := readData(t, base+".dbf")
	prj := ""
	if b, err := os.ReadFile(filepath.Join(dataDir(t), base+".prj")); err == nil {
		prj = string(b)
	}
	c, err := ReadShapefile(bytes.NewReader(shp), bytes.NewReader(dbf), prj)
	if err != nil {
		t.Fatalf("ReadShapefile(%s): %v", base, err)
	}
	return c
}

func readGeoJSONData(t testing.TB, rel string) *Collection {
	t.Helper()
	c, err := ReadGeoJSON(bytes.NewReader(readData(t, rel)))
	if err != nil {
		t.Fatalf("ReadGeoJSON(%s): %v", rel, err)
	}
	return c
}

func readKMLData(t testing.TB, rel string) *Collection {
	t.Helper()
	c, err := ReadKML(bytes.NewReader(readData(t, rel)))
	if err != nil {
		t.Fatalf("ReadKML(%s): %v", rel, err)
	}
	return c
}

func errContains(t *testing.T, err error, wants ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("expected an error containing %q, got nil", wants)
	}
	for _, w := range wants {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
}
