package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/icarus-city/icarus/internal/survey"
	"github.com/icarus-city/icarus/internal/survey/xlsform"
	"github.com/xuri/excelize/v2"
)

func TestSurveyXLSFormImportExport(t *testing.T) {
	data := t.TempDir()
	dir := t.TempDir()
	d := survey.Riga("Riga from a workbook", false)
	var buf bytes.Buffer
	if err := xlsform.Write(&buf, &d, "riga"); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "riga.xlsx")
	if err := os.WriteFile(in, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code := run(t, "", "survey", "import-xlsform", in, "--data", data, "--json")
	if code != 0 {
		t.Fatalf("import: %d %s %s", code, out, errs)
	}
	var res struct {
		SurveyID  int64 `json:"survey_id"`
		Version   int   `json:"version"`
		Questions int   `json:"questions"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.SurveyID == 0 || res.Version != 1 || res.Questions != len(d.Questions()) {
		t.Fatalf("import result %+v", res)
	}
	exported := filepath.Join(dir, "out.xlsx")
	if out, errs, code := run(t, "", "survey", "export-xlsform", "--survey", "1", "-o", exported, "--data", data); code != 0 {
		t.Fatalf("export: %d %s %s", code, out, errs)
	}
	f, err := os.Open(exported)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	back, err := xlsform.Read(f, xlsform.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(back.Definition)
	b, _ := json.Marshal(d)
	if string(a) != string(b) {
		t.Errorf("export of the imported survey differs:\n%s\n%s", a, b)
	}
	list, _, _ := run(t, "", "survey", "list", "--data", data)
	if !strings.Contains(list, "Riga from a workbook") {
		t.Errorf("list: %s", list)
	}

	// a form with an unsupported type: the message names the file, sheet and row
	x := excelize.NewFile()
	x.SetSheetName("Sheet1", "survey")
	x.SetSheetRow("survey", "A1", &[]any{"type", "name", "label"})
	x.SetSheetRow("survey", "A2", &[]any{"text", "a", "A"})
	x.SetSheetRow("survey", "A3", &[]any{"range", "r", "R"})
	bad := filepath.Join(dir, "bad.xlsx")
	if err := x.SaveAs(bad); err != nil {
		t.Fatal(err)
	}
	_, errs, code = run(t, "", "survey", "import-xlsform", bad, "--data", data, "--consent", "ok")
	if code == 0 || !strings.Contains(errs, `bad.xlsx: survey sheet, row 3, column type: type "range" is not supported`) {
		t.Errorf("bad form: code %d, %s", code, errs)
	}
}
