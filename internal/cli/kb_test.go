package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func TestKBImportAndSearch(t *testing.T) {
	data := t.TempDir()
	docs := t.TempDir()
	files := map[string]string{
		"plan.txt":         "La prévention de la délinquance et l'éclairage des rues sont des priorités de la ville pour les espaces publics.",
		"sub/note.md":      "# Youth strategy\n\nThe strategy is about the prevention of youth crime with schools and the police.",
		"page.html":        "<title>Piano</title><script>var x</script><p>La prevenzione della delinquenza giovanile è una priorità della città.</p>",
		"scan.pdf":         "%PDF-1.4\n%%EOF",
		"sheet.xlsx":       "PK",
		".hidden/skip.txt": "not read",
	}
	for name, body := range files {
		p := filepath.Join(docs, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, errs, code := run(t, "", "kb", "import", docs, "--data", data, "--json")
	if code != 0 {
		t.Fatalf("kb import: %d %s %s", code, out, errs)
	}
	var rep kbImportReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Files != 5 || rep.Imported != 3 || rep.Skipped != 2 || rep.Failed != 0 {
		t.Fatalf("report = %+v", rep)
	}
	langs := map[string]string{}
	for _, r := range rep.Results {
		langs[r.File] = r.Language
		if r.Status == "skipped" && r.Reason == "" {
			t.Errorf("%s skipped without a reason", r.File)
		}
	}
	if langs["plan.txt"] != "fr" || langs["page.html"] != "it" || langs["sub/note.md"] != "en" {
		t.Errorf("languages = %v", langs)
	}
	// importing again updates
	out, _, _ = run(t, "", "kb", "import", docs, "--data", data, "--json")
	json.Unmarshal([]byte(out), &rep)
	if rep.Updated != 3 || rep.Imported != 0 {
		t.Errorf("second import = %+v", rep)
	}
	if _, _, code := run(t, "", "kb", "seed", "--data", data); code != 0 {
		t.Fatal("kb seed failed")
	}
	search := func(q string) []kbSearchResult {
		t.Helper()
		out, errs, code := run(t, "", "kb", "search", "--data", data, "--json", q)
		if code != 0 {
			t.Fatalf("kb search %q: %s", q, errs)
		}
		var res struct{ Results []kbSearchResult }
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatal(err)
		}
		return res.Results
	}
	if r := search("eclairage"); len(r) != 1 || r[0].Title != "plan" || r[0].Type != "document" {
		t.Errorf("eclairage: %+v", r)
	}
	if r := search("street lighting"); len(r) == 0 || r[0].Type != "evidence" || r[0].Score <= 0 {
		t.Errorf("street lighting: %+v", r)
	}
	if r := search("Angela"); len(r) == 0 || r[0].City != "Nice" {
		t.Errorf("Angela: %+v", r)
	}
}
