package xlsform

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/icarus-city/icarus/internal/survey"
	"github.com/xuri/excelize/v2"
)

func fptr(f float64) *float64 { return &f }

// allTypes is a definition with every question type, two languages, hints,
// skip logic, ranges and Likert scores.
func allTypes() *survey.Definition {
	return &survey.Definition{
		Title:     survey.Tr{"en": "All types", "fr": "Tous les types"},
		Languages: []string{"en", "fr"},
		Access:    survey.AccessPublic,
		Consent:   survey.Tr{"en": "I agree.", "fr": "J'accepte."},
		Modules: []survey.Module{{
			Name: "m1", Title: survey.Tr{"en": "First", "fr": "Premier"}, Surveyors: "patrol officers",
			Questions: []survey.Question{
				{Name: "intro", Type: survey.Note, Label: survey.Tr{"en": "Welcome", "fr": "Bienvenue"}},
				{Name: "safe", Type: survey.Likert, Label: survey.Tr{"en": "Safe?", "fr": "En sécurité ?"}, Required: true, Bank: "sdg_16_1_4",
					Hint: survey.Tr{"en": "After dark"},
					Choices: []survey.Choice{
						{Value: "very_safe", Label: survey.Tr{"en": "Very safe", "fr": "Très"}, Score: fptr(1)},
						{Value: "unsafe", Label: survey.Tr{"en": "Unsafe", "fr": "Pas"}, Score: fptr(2.5)},
						{Value: "dk", Label: survey.Tr{"en": "Don't know", "fr": "NSP"}},
					},
					Indicator: &survey.Indicator{Label: survey.Tr{"en": "Feel safe"}, Values: []string{"very_safe"}}},
				{Name: "crimes", Type: survey.Multiple, Label: survey.Tr{"en": "Crimes"}, Choices: []survey.Choice{
					{Value: "theft", Label: survey.Tr{"en": "Theft"}}, {Value: "none", Label: survey.Tr{"en": "None"}}}},
				{Name: "reported", Type: survey.Single, Label: survey.Tr{"en": "Reported?"}, Relevant: "selected(${crimes}, 'theft')",
					Choices: []survey.Choice{{Value: "1", Label: survey.Tr{"en": "Yes"}}, {Value: "0", Label: survey.Tr{"en": "No"}}}},
			},
		}, {
			Name: "m2", Title: survey.Tr{"en": "Second"},
			Questions: []survey.Question{
				{Name: "age", Type: survey.Number, Integer: true, Label: survey.Tr{"en": "Age"}, Min: fptr(16), Max: fptr(120)},
				{Name: "hours", Type: survey.Number, Label: survey.Tr{"en": "Hours"}, Min: fptr(0.5)},
				{Name: "comment", Type: survey.Text, Label: survey.Tr{"en": "Comment"}, Relevant: "${age} >= 18 and ${hours} != ''"},
				{Name: "when", Type: survey.Date, Label: survey.Tr{"en": "When"}},
				{Name: "where", Type: survey.Location, Label: survey.Tr{"en": "Where"}},
				{Name: "area", Type: survey.Area, Label: survey.Tr{"en": "Area"}, Required: true},
			},
		}},
	}
}

func roundTrip(t *testing.T, d *survey.Definition) *Result {
	t.Helper()
	if err := d.Check(); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, d, "form_x"); err != nil {
		t.Fatal(err)
	}
	res, err := Read(bytes.NewReader(buf.Bytes()), Options{})
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	if !reflect.DeepEqual(res.Definition, d) {
		t.Errorf("round trip changed the definition:\n got %+v\nwant %+v", res.Definition, d)
	}
	if res.FormID != "form_x" {
		t.Errorf("form id %q", res.FormID)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings on our own export: %v", res.Warnings)
	}
	return res
}

func TestRoundTripAllTypes(t *testing.T) { roundTrip(t, allTypes()) }

func TestRoundTripRiga(t *testing.T) {
	d := survey.Riga("Riga (simulated)", true)
	roundTrip(t, &d)
}

// build writes a workbook from sheets of cells with the spreadsheet library,
// as Excel, ODK's and Kobo's tools write them.
func build(t testing.TB, sheets map[string][][]string, order ...string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, name := range order {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, row := range sheets[name] {
			for c, v := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if err := f.SetCellStr(name, cell, v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// koboForm is built like a KoboToolbox export of a multi-language form (the
// structure of the published robotoolbox "Multiple languages" example:
// start/end/today metadata rows, label::English (en) / label::Francais (fr)
// / label::Arabic (ar) columns, yes/no choices named 1 and 0), with Kobo's
// $kuid bookkeeping column, an appearance column, a group with its own
// relevant, integer with a constraint, a note and a geopoint.
func koboForm() map[string][][]string {
	return map[string][][]string{
		"survey": {
			{"type", "name", "label::English (en)", "label::Francais (fr)", "label::Arabic (ar)", "hint::English (en)", "required", "relevant", "constraint", "constraint_message::English (en)", "appearance", "$kuid"},
			{"start", "start", "", "", "", "", "", "", "", "", "", "k1"},
			{"end", "end", "", "", "", "", "", "", "", "", "", "k2"},
			{"today", "today", "", "", "", "", "", "", "", "", "", "k3"},
			{"note", "welcome", "Thank you for taking part", "Merci de participer", "شكرا", "", "", "", "", "", "", "k4"},
			{"select_one yesno", "pet_yesno", "Do you have any pet?", "Avez-vous un animal de compagnie ?", "هل تمتلك حيوانا أليفا ؟", "", "true", "", "", "", "horizontal", "k5"},
			{"begin_group", "pets", "About your pets", "Vos animaux", "", "", "", "${pet_yesno} = '1'", "", "", "field-list", "k6"},
			{"integer", "pet_count", "How many?", "Combien ?", "", "Count all of them", "yes", "", ". >= 1 and . <= 30", "Between 1 and 30", "", "k7"},
			{"select_multiple pets", "pet_kinds", "Which?", "Lesquels ?", "", "", "", "${pet_count} > 0", "", "", "minimal", "k8"},
			{"end_group", "", "", "", "", "", "", "", "", "", "", "k9"},
			{},
			{"geopoint", "home", "Where do you live?", "Où habitez-vous ?", "", "", "", "", "", "", "", "k10"},
			{"date", "visit", "Date of visit", "Date de la visite", "", "", "", "", "", "", "", "k11"},
		},
		"choices": {
			{"list_name", "name", "label::English (en)", "label::Francais (fr)", "label::Arabic (ar)", "$kuid"},
			{"yesno", "1", "Yes", "Oui", "نعم", "c1"},
			{"yesno", "0", "No", "Non", "لا", "c2"},
			{"pets", "cat", "Cat", "Chat", "", "c3"},
			{"pets", "dog", "Dog", "Chien", "", "c4"},
		},
		"settings": {
			{"form_title", "form_id", "version", "default_language"},
			{"Multiple languages", "pets_ml", "2024010101", "English (en)"},
		},
	}
}

func TestReadKoboStyleForm(t *testing.T) {
	b := build(t, koboForm(), "survey", "choices", "settings")
	res, err := Read(bytes.NewReader(b), Options{Consent: survey.Tr{"en": "You agree to answer."}})
	if err != nil {
		t.Fatal(err)
	}
	d := res.Definition
	if got := d.Languages; !reflect.DeepEqual(got, []string{"en", "fr", "ar"}) {
		t.Errorf("languages %v", got)
	}
	if d.Title["en"] != "Multiple languages" || res.FormID != "pets_ml" || d.Access != survey.AccessField {
		t.Errorf("title %v id %q access %q", d.Title, res.FormID, d.Access)
	}
	if len(d.Modules) != 3 || d.Modules[0].Name != "questions" || d.Modules[1].Name != "pets" || d.Modules[2].Name != "questions_2" {
		t.Fatalf("modules: %+v", d.Modules)
	}
	welcome := d.Question("welcome")
	if welcome.Type != survey.Note || welcome.Label["ar"] != "شكرا" {
		t.Errorf("note: %+v", welcome)
	}
	pet := d.Question("pet_yesno")
	if pet.Type != survey.Single || !pet.Required || len(pet.Choices) != 2 || pet.Choices[0].Value != "1" || pet.Choices[1].Label["fr"] != "Non" {
		t.Errorf("pet_yesno: %+v", pet)
	}
	n := d.Question("pet_count")
	if n.Type != survey.Number || !n.Integer || *n.Min != 1 || *n.Max != 30 || n.Relevant != "${pet_yesno} = '1'" || n.Hint["en"] != "Count all of them" {
		t.Errorf("pet_count: %+v", n)
	}
	if k := d.Question("pet_kinds"); k.Type != survey.Multiple || k.Relevant != "(${pet_yesno} = '1') and (${pet_count} > 0)" {
		t.Errorf("pet_kinds: %+v", k)
	}
	if d.Question("home").Type != survey.Location || d.Question("visit").Type != survey.Date {
		t.Error("geopoint/date types")
	}
	if d.Question("start") != nil {
		t.Error("metadata field imported")
	}
	warn := strings.Join(res.Warnings, "\n")
	for _, w := range []string{"start field", "appearance", "constraint messages", "$kuid"} {
		if !strings.Contains(warn, w) {
			t.Errorf("no warning about %s in:\n%s", w, warn)
		}
	}
	// the imported survey validates answers as the form meant
	ans, errs := survey.Validate(d, map[string]any{"pet_yesno": "1", "pet_count": 2.5}, survey.ValidateOptions{})
	if len(errs) != 1 || errs[0].Field != "pet_count" {
		t.Errorf("integer constraint: %v %v", ans, errs)
	}
	_, errs = survey.Validate(d, map[string]any{"pet_yesno": "0", "pet_count": 2}, survey.ValidateOptions{})
	if len(errs) != 0 {
		t.Errorf("group relevant: %v", errs)
	}
	// and goes back out and in unchanged
	roundTrip(t, d)
}

func problems(t *testing.T, err error) []Problem {
	t.Helper()
	var xe *Error
	if !errors.As(err, &xe) {
		t.Fatalf("want *Error, got %v", err)
	}
	return xe.Problems
}

func TestUnsupportedNamesSheetAndRow(t *testing.T) {
	cases := []struct {
		edit   func(map[string][][]string)
		sheet  string
		row    int
		column string
		msg    string
	}{
		{func(s map[string][][]string) {
			s["survey"][0] = append(s["survey"][0], "choice_filter")
			s["survey"][8] = append(s["survey"][8], "", "", "", "", "", "", "", "", "", "", "", "", "kind = 'x'")[:13]
			s["survey"][8][12] = "kind = 'x'"
		}, "survey", 9, "choice_filter", "cascading selects"},
		{func(s map[string][][]string) { s["survey"][11][0] = "geotrace" }, "survey", 12, "type", `type "geotrace" is not supported`},
		{func(s map[string][][]string) { s["survey"][7][8] = "regex(., '^[0-9]+$')" }, "survey", 8, "constraint", "cannot be mapped"},
		{func(s map[string][][]string) { s["survey"][6][0] = "begin repeat" }, "survey", 7, "type", "repeats are not supported"},
		{func(s map[string][][]string) { s["survey"][5][0] = "select_one colours" }, "survey", 6, "type", `list "colours" is not in the choices sheet`},
		{func(s map[string][][]string) { s["survey"][5][0] = "select_one yesno or_other" }, "survey", 6, "type", "or_other"},
		{func(s map[string][][]string) { s["survey"][8][7] = "${nope} = 'x'" }, "survey", 9, "", "not a question asked before"},
		{func(s map[string][][]string) { s["survey"][8][7] = "${pet_count} >" }, "survey", 9, "relevant", ""},
		{func(s map[string][][]string) { s["survey"][7][6] = "${pet_yesno} = '1'" }, "survey", 8, "required", "want yes or no"},
		{func(s map[string][][]string) { s["choices"][2][1] = "1" }, "choices", 3, "name", "already on row 2"},
		{func(s map[string][][]string) { s["survey"][9][0] = "text" }, "survey", 7, "type", "never ended"},
		{func(s map[string][][]string) { s["survey"][5][1] = "welcome" }, "survey", 6, "name", "already used on row 5"},
	}
	for i, c := range cases {
		s := koboForm()
		c.edit(s)
		_, err := Read(bytes.NewReader(build(t, s, "survey", "choices", "settings")), Options{Consent: survey.Tr{"en": "ok"}})
		if err == nil {
			t.Errorf("case %d: no error", i)
			continue
		}
		found := false
		for _, p := range problems(t, err) {
			if p.Sheet == c.sheet && p.Row == c.row && (c.column == "" || p.Column == c.column) && strings.Contains(p.Message, c.msg) {
				found = true
			}
		}
		if !found {
			t.Errorf("case %d: want %s row %d column %q %q, got %v", i, c.sheet, c.row, c.column, c.msg, err)
		}
	}
}

func TestNoConsentIsAnError(t *testing.T) {
	_, err := Read(bytes.NewReader(build(t, koboForm(), "survey", "choices", "settings")), Options{})
	if err == nil || !strings.Contains(err.Error(), "icarus_consent") {
		t.Fatalf("want a consent error, got %v", err)
	}
}

func TestNotAWorkbook(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("type,name,label\ntext,a,A\n"), []byte("PK\x03\x04garbage")} {
		_, err := Read(bytes.NewReader(b), Options{})
		if err == nil || !strings.Contains(err.Error(), "workbook") {
			t.Errorf("%q: %v", b, err)
		}
	}
}

// FuzzRead: any bytes, read as a workbook and converted, give a definition
// that passes Check or an error; never a panic.
func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	if err := Write(&buf, allTypes(), "x"); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add(build(f, koboForm(), "survey", "choices", "settings"))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := Read(bytes.NewReader(b), Options{Consent: survey.Tr{"en": "ok"}})
		if err == nil {
			if cerr := res.Definition.Check(); cerr != nil {
				t.Fatalf("accepted a definition that fails Check: %v", cerr)
			}
		}
	})
}

// FuzzParse fuzzes the conversion itself on cells (the zip container
// mostly stops byte-level mutations before they reach it): the survey sheet
// is the input, rows split by newline, cells by tab.
func FuzzParse(f *testing.F) {
	sheet := func(rows [][]string) string {
		var ls []string
		for _, r := range rows {
			ls = append(ls, strings.Join(r, "\t"))
		}
		return strings.Join(ls, "\n")
	}
	k := koboForm()
	f.Add(sheet(k["survey"]), sheet(k["choices"]))
	f.Add("type\tname\tlabel\nbegin group\tg\tG\ninteger\tn\tN\tx\nend group", "list_name\tname\tlabel\nl\ta\tA")
	f.Fuzz(func(t *testing.T, sv, ch string) {
		split := func(s string) [][]string {
			var rows [][]string
			for _, l := range strings.Split(s, "\n") {
				rows = append(rows, strings.Split(l, "\t"))
			}
			return rows
		}
		sh := Sheets{Survey: split(sv), Choices: split(ch), Settings: [][]string{{"form_title"}, {"T"}}}
		res, err := Parse(sh, Options{Consent: survey.Tr{"en": "ok"}})
		if err == nil {
			if cerr := res.Definition.Check(); cerr != nil {
				t.Fatalf("accepted a definition that fails Check: %v", cerr)
			}
		}
	})
}

// TestRoundTripEditedTranslations: wording a coordinator edited per
// language in the builder (a label and a choice changed, a translation
// removed so that it falls back to the default, title and consent in a
// second language, a label in a language with partial coverage) survives
// export and import unchanged.
func TestRoundTripEditedTranslations(t *testing.T) {
	var d survey.Definition
	for _, it := range survey.TranslatedBank() {
		if it.ID == "sdg_16_1_4" || it.ID == "worry_crime" {
			q := it.Question
			q.Bank = it.ID
			d.Modules = append(d.Modules, survey.Module{Name: "m_" + it.ID, Title: survey.Tr{"en": it.Topic, "fr": "Module " + it.ID}, Questions: []survey.Question{q}})
		}
	}
	d.Title = survey.Tr{"en": "Edited wording", "fr": "Texte modifié", "it": "Testo modificato"}
	d.Consent = survey.Tr{"en": "Do you agree?", "fr": "Êtes-vous d'accord ?"}
	d.Languages, d.Access = []string{"en", "fr", "it"}, survey.AccessField
	q := &d.Modules[0].Questions[0]
	q.Label["fr"] = "Vous sentez-vous en sécurité, seul(e), dans votre rue le soir ?"
	q.Choices[0].Label["it"] = "sicurissimo/a"
	delete(q.Choices[1].Label, "it")
	delete(d.Modules[1].Questions[0].Label, "it")
	res := roundTrip(t, &d)
	if got := res.Definition.Question("worry_crime").Label["it"]; got != "" {
		t.Errorf("a removed translation came back: %q", got)
	}
}
