package cli

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/icarus-city/icarus/internal/store/storetest"

	"github.com/icarus-city/icarus/internal/realdata"
)

// pgPerTest holds, with ICARUS_TEST_STORE=postgres, each test's database URL.
var pgPerTest sync.Map

// testGetenv is the environment commands see: empty, except that with
// ICARUS_TEST_STORE=postgres every command of a test opens that test's own
// PostgreSQL database (ICARUS_DB), so the CLI tests run on both stores.
func testGetenv(t *testing.T) func(string) (string, bool) {
	if os.Getenv("ICARUS_TEST_STORE") != "postgres" {
		return func(string) (string, bool) { return "", false }
	}
	url, ok := pgPerTest.Load(t.Name())
	if !ok {
		url, _ = pgPerTest.LoadOrStore(t.Name(), storetest.NewMigratedPostgresDB(t))
	}
	return func(k string) (string, bool) {
		if k == "ICARUS_DB" {
			return url.(string), true
		}
		return "", false
	}
}

// run executes the CLI in-process and returns stdout, stderr and the exit code.
func run(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: testGetenv(t)}
	code := Main(context.Background(), args, env)
	return out.String(), errb.String(), code
}

type summary struct {
	Read, Accepted, Rejected, Inserted, Duplicates int
	Errors                                         []struct {
		Line           int
		Field, Message string
	}
	Error string
}

func decode(t *testing.T, s string) summary {
	t.Helper()
	var v summary
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not a JSON summary: %v\n%s", err, s)
	}
	return v
}

const badPoliceUK = `Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context
a1,2019-05,Merseyside Police,Merseyside Police,-2.98,53.40,On or near X,E01,L 1,Shoplifting,Under investigation,
a2,2019-13,Merseyside Police,Merseyside Police,-2.98,53.40,On or near X,E01,L 1,Shoplifting,Under investigation,
a3,2019-05,Merseyside Police,Merseyside Police,-2.98,153.40,On or near X,E01,L 1,Shoplifting,Under investigation,
a4,2019-06,Merseyside Police,Merseyside Police,-2.97,53.41,On or near Y,E02,L 2,Burglary,Under investigation,
a5,not-a-month,Merseyside Police,Merseyside Police,-2.97,53.41,On or near Y,E02,L 2,Burglary,Under investigation,
a6,2019-07,Merseyside Police,Merseyside Police,-2.96,53.42,On or near Z,E03,L 3,Robbery,Under investigation,
`

func TestImportBadRowsAndIdempotence(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	file := filepath.Join(dir, "bad.csv")
	os.WriteFile(file, []byte(badPoliceUK), 0o600)
	rejects := filepath.Join(dir, "rejects.csv")
	out, _, code := run(t, "", "import", "incidents", "--preset", "police-uk", "--data", data, "--json", "--rejects", rejects, file)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, out)
	}
	s := decode(t, out)
	if s.Read != 6 || s.Accepted != 3 || s.Rejected != 3 || s.Inserted != 3 {
		t.Fatalf("summary %+v", s)
	}
	wantLines := []int{3, 4, 6}
	wantFields := []string{"Month", "Latitude", "Month"}
	for i, e := range s.Errors {
		if e.Line != wantLines[i] || e.Field != wantFields[i] || e.Message == "" {
			t.Errorf("error %d: %+v, want line %d field %s", i, e, wantLines[i], wantFields[i])
		}
	}
	rj, _ := os.ReadFile(rejects)
	if n := strings.Count(string(rj), "\n"); n != 4 || !strings.Contains(string(rj), "153.40") {
		t.Errorf("rejects file has %d lines, want header + 3 with the raw rows:\n%s", n, rj)
	}
	out, _, code = run(t, "", "import", "incidents", "--preset", "police-uk", "--data", data, "--json", file)
	s = decode(t, out)
	if code != 0 || s.Inserted != 0 || s.Duplicates != 3 || s.Accepted != 3 {
		t.Fatalf("re-import: exit %d, %+v", code, s)
	}
}

func TestImportTruncatedGzipFails(t *testing.T) {
	src := realdata.Path(t, "uk", "merseyside", "merseyside_shoplifting.csv")
	raw, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()
	dir := t.TempDir()
	file := filepath.Join(dir, "cut.csv.gz")
	os.WriteFile(file, gz.Bytes()[:gz.Len()/2], 0o600)
	out, errOut, code := run(t, "", "import", "incidents", "--preset", "police-uk", "--data", filepath.Join(dir, "d"), "--json", file)
	if code == 0 {
		t.Fatalf("a truncated gzip was accepted: %s", out)
	}
	if !strings.Contains(errOut, "truncated") || !strings.Contains(decode(t, out).Error, "gzip") {
		t.Fatalf("error does not say what is wrong: %q / %s", errOut, out)
	}
	out, _, _ = run(t, "", "import", "incidents", "--preset", "police-uk", "--data", filepath.Join(dir, "d"), "--json", src)
	if s := decode(t, out); s.Inserted != 7930 {
		t.Fatalf("after the failed import, the full file inserts %d rows, want 7930 (nothing half-written before)", s.Inserted)
	}
}

func TestImportAreasAndErrors(t *testing.T) {
	dir := t.TempDir()
	out, _, code := run(t, "", "import", "areas", "--data", dir, "--json", realdata.Path(t, "chicago", "chicago_police_districts.kml"))
	if s := decode(t, out); code != 0 || s.Accepted != 25 || s.Read != 25 {
		t.Fatalf("KML districts: exit %d %+v", code, s)
	}
	// SouthSide's .prj is empty: the import must ask for the CRS, then work with --crs.
	shp := realdata.Path(t, "chicago", "predictcode", "SouthSide", "SouthSide.shp")
	_, errOut, code := run(t, "", "import", "areas", "--data", dir, shp)
	if code == 0 || !strings.Contains(errOut, "EPSG") {
		t.Fatalf("missing CRS: exit %d, %q", code, errOut)
	}
	out, _, code = run(t, "", "import", "areas", "--data", dir, "--crs", "EPSG:26971", "--json", shp)
	if s := decode(t, out); code != 0 || s.Accepted != 1 {
		t.Fatalf("with --crs: exit %d %+v", code, s)
	}
	_, errOut, code = run(t, "", "import", "areas", "--data", dir, "--crs", "EPSG:99999", "--force-crs", shp)
	if code == 0 || !strings.Contains(errOut, "99999") {
		t.Fatalf("unknown CRS: exit %d, %q", code, errOut)
	}
	_, errOut, code = run(t, "", "import", "incidents", "--preset", "nope", "--data", dir, shp)
	if code == 0 || !strings.Contains(errOut, "police-uk") {
		t.Fatalf("unknown preset should list the presets: %q", errOut)
	}
}

func TestUsersBackupAndHelp(t *testing.T) {
	dir := t.TempDir()
	out, _, code := run(t, "", "user", "add", "--data", dir, "--email", "Ana@City.example", "--role", "analyst")
	if code != 0 || !strings.Contains(out, "password: ") {
		t.Fatalf("user add: %d %s", code, out)
	}
	if _, errOut, code := run(t, "", "user", "add", "--data", dir, "--email", "ana@city.example"); code == 0 || !strings.Contains(errOut, "already exists") {
		t.Fatalf("duplicate user: %d %q", code, errOut)
	}
	if _, errOut, code := run(t, "short", "user", "passwd", "--data", dir, "--email", "ana@city.example", "--password-stdin"); code == 0 || !strings.Contains(errOut, "12") {
		t.Fatalf("short password accepted: %d %q", code, errOut)
	}
	if out, _, code := run(t, "a long enough passphrase\n", "user", "passwd", "--data", dir, "--email", "ana@city.example", "--password-stdin"); code != 0 || strings.Contains(out, "password: ") {
		t.Fatalf("passwd: %d %q", code, out)
	}
	out, _, _ = run(t, "", "user", "list", "--data", dir)
	if !strings.Contains(out, "ana@city.example") || !strings.Contains(out, "analyst") {
		t.Fatalf("user list: %s", out)
	}
	bk := filepath.Join(t.TempDir(), "b.db")
	if out, _, code := run(t, "", "backup", "--data", dir, "--out", bk); code != 0 || !strings.Contains(out, bk) {
		t.Fatalf("backup: %d %s", code, out)
	}
	if fi, err := os.Stat(bk); err != nil || fi.Size() == 0 {
		t.Fatalf("backup file: %v", err)
	}
	if _, _, code := run(t, "", "backup", "--data", dir, "--out", bk); code == 0 {
		t.Fatal("backup overwrote an existing file")
	}
	if out, _, code := run(t, "", "migrate", "--data", dir); code != 0 || !strings.Contains(out, "0001_init.sql") {
		t.Fatalf("migrate: %d %s", code, out)
	}
	for _, args := range [][]string{{"serve", "--help"}, {"demo", "--help"}, {"import", "--help"}, {"import", "incidents", "--help"},
		{"import", "areas", "--help"}, {"import", "indicators", "--help"}, {"user", "--help"}, {"migrate", "--help"}, {"backup", "--help"}, {"version", "--help"}} {
		out, _, code := run(t, "", args...)
		if code != 0 || !strings.Contains(out, "Usage: icarus") {
			t.Errorf("%v: exit %d, %q", args, code, out)
		}
	}
	if _, _, code := run(t, "", "frobnicate"); code != 2 {
		t.Errorf("unknown command: exit %d, want 2", code)
	}
}
