package xlsform

import (
	"io"
	"strconv"
	"strings"

	"github.com/icarus-city/icarus/internal/survey"
	"github.com/xuri/excelize/v2"
)

// Write writes d as an XLSForm workbook that ODK and KoboToolbox read, and
// that Read turns back into the same definition. formID names the form
// (settings form_id).
func Write(w io.Writer, d *survey.Definition, formID string) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "survey"); err != nil {
		return err
	}
	for _, s := range []string{"choices", "settings"} {
		if _, err := f.NewSheet(s); err != nil {
			return err
		}
	}
	langs := d.Languages
	if len(langs) == 0 {
		langs = []string{"en"}
	}
	trCols := func(base string) []string {
		hs := make([]string, len(langs))
		for i, l := range langs {
			hs[i] = base + "::" + langHeader(l)
		}
		return hs
	}
	trCells := func(t survey.Tr) []string {
		cs := make([]string, len(langs))
		for i, l := range langs {
			cs[i] = t[l]
		}
		return cs
	}
	num := func(x *float64) string { return strconv.FormatFloat(*x, 'g', -1, 64) }

	// survey sheet
	head := []string{"type", "name"}
	head = append(head, trCols("label")...)
	head = append(head, trCols("hint")...)
	head = append(head, "required", "relevant", "constraint", "icarus_surveyors", "icarus_bank", "icarus_indicator")
	head = append(head, trCols("icarus_indicator_label")...)
	var rows [][]string
	line := func(typ, name string, label, hint survey.Tr, required, relevant, constraint, surveyors, bank, ind string, indLabel survey.Tr) {
		r := []string{typ, name}
		r = append(r, trCells(label)...)
		r = append(r, trCells(hint)...)
		r = append(r, required, relevant, constraint, surveyors, bank, ind)
		r = append(r, trCells(indLabel)...)
		rows = append(rows, r)
	}
	var choices [][]string
	chHead := []string{"list_name", "name"}
	chHead = append(chHead, trCols("label")...)
	chHead = append(chHead, "icarus_score")
	for _, m := range d.Modules {
		line("begin group", m.Name, m.Title, nil, "", "", "", m.Surveyors, "", "", nil)
		for _, q := range m.Questions {
			var typ string
			switch q.Type {
			case survey.Single, survey.Likert:
				typ = "select_one " + q.Name
			case survey.Multiple:
				typ = "select_multiple " + q.Name
			case survey.Number:
				typ = "decimal"
				if q.Integer {
					typ = "integer"
				}
			case survey.Text:
				typ = "text"
			case survey.Date:
				typ = "date"
			case survey.Location:
				typ = "geopoint"
			case survey.Area:
				typ = "select_one_from_file areas.csv"
			case survey.Note:
				typ = "note"
			default:
				typ = string(q.Type)
			}
			var cons []string
			if q.Min != nil {
				cons = append(cons, ". >= "+num(q.Min))
			}
			if q.Max != nil {
				cons = append(cons, ". <= "+num(q.Max))
			}
			req := ""
			if q.Required {
				req = "yes"
			}
			ind, var_ := "", survey.Tr(nil)
			if q.Indicator != nil {
				ind, var_ = strings.Join(q.Indicator.Values, " "), q.Indicator.Label
			}
			line(typ, q.Name, q.Label, q.Hint, req, q.Relevant, strings.Join(cons, " and "), "", q.Bank, ind, var_)
			for _, c := range q.Choices {
				r := []string{q.Name, c.Value}
				r = append(r, trCells(c.Label)...)
				score := ""
				if c.Score != nil {
					score = num(c.Score)
				}
				choices = append(choices, append(r, score))
			}
		}
		line("end group", "", nil, nil, "", "", "", "", "", "", nil)
	}
	if err := writeSheet(f, "survey", head, rows); err != nil {
		return err
	}
	if err := writeSheet(f, "choices", chHead, choices); err != nil {
		return err
	}

	// settings
	def := langs[0]
	sHead := []string{"form_title", "form_id", "default_language", "icarus_access", "icarus_simulated"}
	simulated := "no"
	if d.Simulated {
		simulated = "yes"
	}
	sRow := []string{d.Title[def], formID, langHeader(def), d.Access, simulated}
	for _, l := range langs[1:] {
		sHead, sRow = append(sHead, "icarus_title::"+langHeader(l)), append(sRow, d.Title[l])
	}
	sHead = append(sHead, trCols("icarus_consent")...)
	sRow = append(sRow, trCells(d.Consent)...)
	if err := writeSheet(f, "settings", sHead, [][]string{sRow}); err != nil {
		return err
	}
	_, err := f.WriteTo(w)
	return err
}

func writeSheet(f *excelize.File, name string, head []string, rows [][]string) error {
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	cells := func(ss []string) []any {
		out := make([]any, len(ss))
		for i, s := range ss {
			out[i] = s // text cells: "1" stays text, as XLSForm names and values are
		}
		return out
	}
	if err := sw.SetRow("A1", cells(head)); err != nil {
		return err
	}
	for i, r := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, cells(r)); err != nil {
			return err
		}
	}
	return sw.Flush()
}
