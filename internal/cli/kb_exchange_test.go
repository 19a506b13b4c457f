package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// kb export from one installation, kb import-records into another: the
// records arrive as drafts; a file with errors imports nothing.
func TestKBExportImportRecords(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	if out, errs, code := run(t, "", "kb", "seed", "--data", a); code != 0 {
		t.Fatalf("seed: %s %s", out, errs)
	}
	dir := t.TempDir()
	for _, f := range []string{"kb.json", "kb.csv"} {
		if out, errs, code := run(t, "", "kb", "export", "--data", a, "--out", filepath.Join(dir, f)); code != 0 {
			t.Fatalf("export %s: %s %s", f, out, errs)
		}
	}
	js, _ := os.ReadFile(filepath.Join(dir, "kb.json"))
	if !strings.Contains(string(js), `"format": "icarus-kb/1"`) || !strings.Contains(string(js), "Alley gating") {
		t.Fatalf("export: %.300s", js)
	}
	// b needs an organisation: seeding creates it; then import over it
	if _, errs, code := run(t, "", "kb", "seed", "--data", b); code != 0 {
		t.Fatal(errs)
	}
	out, errs, code := run(t, "", "kb", "import-records", filepath.Join(dir, "kb.csv"), "--data", b, "--json")
	if code != 0 {
		t.Fatalf("import-records: %s %s", out, errs)
	}
	var rep struct{ Records, Created, Updated int }
	json.Unmarshal([]byte(out), &rep)
	if rep.Records != 34 || rep.Updated != 34 {
		t.Errorf("report %+v", rep)
	}
	// the imported records are draft revisions of published ones: the
	// public export keeps the 34 published versions until they are
	// published (docs/knowledge-base.md, "Authoring and review")
	out, _, _ = run(t, "", "kb", "export", "--data", b, "--format", "csv")
	if strings.Count(out, "\nseed:") != 34 {
		t.Errorf("published export after importing drafts: %d records, want the 34 published versions: %.300s", strings.Count(out, "\nseed:"), out)
	}
	// ... and the draft export lists those revisions (none is in review)
	out, _, _ = run(t, "", "kb", "export", "--data", b, "--format", "csv", "--status", "draft")
	if strings.Count(out, "\nseed:") != 34 {
		t.Errorf("draft export: %d records, want the 34 draft revisions: %.300s", strings.Count(out, "\nseed:"), out)
	}
	out, _, _ = run(t, "", "kb", "export", "--data", b, "--format", "csv", "--status", "review", "--kind", "evidence")
	if strings.Count(out, "\nseed:") != 0 {
		t.Errorf("review export lists %d records, want none", strings.Count(out, "\nseed:"))
	}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("key,kind,title\nk,tool,Fine\nk2,gadget,\n"), 0o644)
	_, errs, code = run(t, "", "kb", "import-records", bad, "--data", b)
	if code == 0 || !strings.Contains(errs, "record 3, kind") || !strings.Contains(errs, "record 3, title") || !strings.Contains(errs, "nothing imported") {
		t.Errorf("bad file: code %d, %s", code, errs)
	}
}
