// Package xlsform reads and writes surveys as XLSForm workbooks (.xlsx), the
// form format of ODK and KoboToolbox (https://xlsform.org), so that a survey
// designed there works here and back.
//
// A workbook has a survey sheet (one row per question, group boundaries as
// "begin group"/"end group" rows), a choices sheet (the answer lists) and a
// settings sheet. Read maps the common question types, required, relevant
// (the expression subset of survey.Parse), constraints of the form
// ". >= N and . <= M", hints and labels per language ("label::English
// (en)"); anything it cannot carry over (choice_filter, calculations,
// repeats, other types) is an error naming the sheet, row and column, never
// a silent drop. Columns that only affect display (appearance, media) are
// ignored with a warning. Write produces a workbook that Read turns back
// into the same definition: what XLSForm has no column for (Likert scores,
// the bank item, the headline indicator, the surveyors of a module, access,
// consent) travels in icarus_* columns, which ODK and Kobo ignore.
//
// The package does no I/O of its own: it takes readers and writers.
package xlsform

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/icarus-city/icarus/internal/survey"
	"github.com/xuri/excelize/v2"
)

// Limits of a workbook that Read accepts.
const (
	MaxBytes = 8 << 20 // the .xlsx file
	MaxRows  = 5000    // rows of one sheet
	MaxCols  = 200     // columns of one sheet
)

// Sheets are the cells of a workbook's three sheets, row by row as in the
// spreadsheet (Survey[0] is the header row, spreadsheet row 1).
type Sheets struct {
	Survey, Choices, Settings [][]string
	Other                     []string // names of other sheets (ignored with a warning)
}

// Problem is one problem of a workbook, located by sheet, row (1-based, as
// the spreadsheet numbers them; 0: the sheet or survey as a whole) and column.
type Problem struct {
	Sheet   string `json:"sheet"`
	Row     int    `json:"row,omitempty"`
	Column  string `json:"column,omitempty"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.Sheet + " sheet")
	if p.Row > 0 {
		b.WriteString(", row " + strconv.Itoa(p.Row))
	}
	if p.Column != "" {
		b.WriteString(", column " + p.Column)
	}
	return b.String() + ": " + p.Message
}

// Error lists every problem of a workbook.
type Error struct{ Problems []Problem }

func (e *Error) Error() string {
	ss := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		ss[i] = p.String()
	}
	return "XLSForm: " + strings.Join(ss, "; ")
}

// Options fill in what a workbook from ODK or Kobo does not say.
type Options struct {
	// Consent is the consent statement when the settings sheet has no
	// icarus_consent column (a response is stored only with consent).
	Consent survey.Tr
	// Access when the settings sheet has no icarus_access: public or field (default field).
	Access string
	// DefaultLang is the language of label columns without one, when the
	// settings sheet has no default_language (default "en").
	DefaultLang string
}

// Result is an imported survey.
type Result struct {
	Definition *survey.Definition
	FormID     string   // settings form_id
	Warnings   []string // what was ignored, and why
}

// Read reads an .xlsx workbook (at most MaxBytes) and converts it.
func Read(r io.Reader, opt Options) (*Result, error) {
	sh, err := ReadSheets(r)
	if err != nil {
		return nil, err
	}
	return Parse(sh, opt)
}

// ReadSheets reads the cells of an .xlsx workbook.
func ReadSheets(r io.Reader) (sh Sheets, err error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return sh, err
	}
	if len(b) > MaxBytes {
		return sh, &Error{[]Problem{{Sheet: "workbook", Message: fmt.Sprintf("the file is larger than %d MiB", MaxBytes>>20)}}}
	}
	// the spreadsheet library is outside code reading outside input: a
	// panic in it on a malformed file becomes an error, not a crash
	defer func() {
		if p := recover(); p != nil {
			err = &Error{[]Problem{{Sheet: "workbook", Message: fmt.Sprintf("not a readable .xlsx file (%v)", p)}}}
		}
	}()
	f, err := excelize.OpenReader(strings.NewReader(string(b)), excelize.Options{UnzipSizeLimit: 64 << 20, UnzipXMLSizeLimit: 64 << 20})
	if err != nil {
		return sh, &Error{[]Problem{{Sheet: "workbook", Message: "not an .xlsx workbook (save the form as Excel .xlsx): " + err.Error()}}}
	}
	defer f.Close()
	for _, name := range f.GetSheetList() {
		var dst *[][]string
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "survey":
			dst = &sh.Survey
		case "choices":
			dst = &sh.Choices
		case "settings":
			dst = &sh.Settings
		default:
			sh.Other = append(sh.Other, name)
			continue
		}
		rows, err := f.GetRows(name, excelize.Options{RawCellValue: true})
		if err != nil {
			return sh, &Error{[]Problem{{Sheet: name, Message: "cannot read the sheet: " + err.Error()}}}
		}
		if len(rows) > MaxRows {
			return sh, &Error{[]Problem{{Sheet: name, Message: fmt.Sprintf("more than %d rows", MaxRows)}}}
		}
		for i, row := range rows {
			if len(row) > MaxCols {
				return sh, &Error{[]Problem{{Sheet: name, Row: i + 1, Message: fmt.Sprintf("more than %d columns", MaxCols)}}}
			}
		}
		*dst = rows
	}
	return sh, nil
}

// column is one parsed header cell: "label::English (en)" -> base "label", lang "en".
type column struct {
	idx    int
	header string
	base   string
	lang   string
}

var langCodeRE = regexp.MustCompile(`\(([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})?)\)\s*$`)
var plainCodeRE = regexp.MustCompile(`^[a-z]{2,3}$`)

// langNames are the language names Write uses and Read recognises without a code.
func langNames() [][2]string {
	return [][2]string{
		{"en", "English"}, {"fr", "French"}, {"it", "Italian"}, {"lv", "Latvian"}, {"de", "German"}, {"es", "Spanish"},
		{"pt", "Portuguese"}, {"nl", "Dutch"}, {"pl", "Polish"}, {"ro", "Romanian"}, {"el", "Greek"}, {"lt", "Lithuanian"},
		{"et", "Estonian"}, {"ru", "Russian"}, {"uk", "Ukrainian"}, {"ar", "Arabic"}, {"sw", "Swahili"}, {"fi", "Finnish"},
		{"sv", "Swedish"}, {"da", "Danish"}, {"cs", "Czech"}, {"hu", "Hungarian"},
	}
}

// langCode turns "English (en)", "en", "English" or "Français" into a code.
func langCode(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if m := langCodeRE.FindStringSubmatch(s); m != nil {
		return strings.ToLower(m[1]), true
	}
	if plainCodeRE.MatchString(s) {
		return s, true
	}
	l := strings.ToLower(s)
	for _, n := range langNames() {
		if strings.ToLower(n[1]) == l {
			return n[0], true
		}
	}
	switch l {
	case "français", "francais":
		return "fr", true
	case "italiano":
		return "it", true
	case "latviešu", "latviesu":
		return "lv", true
	case "deutsch":
		return "de", true
	case "español", "espanol":
		return "es", true
	}
	return "", false
}

// langHeader is how Write names a language: "English (en)".
func langHeader(code string) string {
	for _, n := range langNames() {
		if n[0] == code {
			return n[1] + " (" + code + ")"
		}
	}
	return code + " (" + code + ")"
}

type parser struct {
	probs    []Problem
	warnings []string
	warned   map[string]bool
	defLang  string
	langs    []string
}

func (p *parser) bad(sheet string, row int, col, f string, a ...any) {
	p.probs = append(p.probs, Problem{Sheet: sheet, Row: row, Column: col, Message: fmt.Sprintf(f, a...)})
}

func (p *parser) warn(key, f string, a ...any) {
	if p.warned[key] {
		return
	}
	p.warned[key] = true
	p.warnings = append(p.warnings, fmt.Sprintf(f, a...))
}

func (p *parser) addLang(l string) {
	if !slices.Contains(p.langs, l) {
		p.langs = append(p.langs, l)
	}
}

// header parses a header row; translated columns get their language code.
func (p *parser) header(sheet string, row []string) []column {
	var cols []column
	for i, h := range row {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		c := column{idx: i, header: h, base: strings.ToLower(h)}
		if k := strings.Index(h, "::"); k >= 0 {
			c.base = strings.ToLower(strings.TrimSpace(h[:k]))
			code, ok := langCode(h[k+2:])
			if !ok {
				p.bad(sheet, 1, h, "language %q: write it as \"Name (code)\", e.g. \"label::English (en)\"", strings.TrimSpace(h[k+2:]))
				continue
			}
			c.lang = code
		}
		cols = append(cols, c)
	}
	return cols
}

// rowMap is one row's cells by column.
type rowMap struct {
	cells []string
	cols  []column
}

func (r rowMap) get(base string) string {
	for _, c := range r.cols {
		if c.base == base && c.lang == "" && c.idx < len(r.cells) {
			return strings.TrimSpace(r.cells[c.idx])
		}
	}
	return ""
}

// tr collects a translated column: unsuffixed cells go to the default
// language unless that language has its own column with a value.
func (r rowMap) tr(base, defLang string) survey.Tr {
	var t survey.Tr
	set := func(l, v string) {
		if t == nil {
			t = survey.Tr{}
		}
		t[l] = v
	}
	for _, c := range r.cols {
		if c.base != base || c.lang == "" || c.idx >= len(r.cells) {
			continue
		}
		if v := strings.TrimSpace(r.cells[c.idx]); v != "" {
			set(c.lang, v)
		}
	}
	if v := r.get(base); v != "" {
		if _, ok := t[defLang]; !ok {
			set(defLang, v)
		}
	}
	return t
}

func (r rowMap) empty() bool {
	for _, c := range r.cols {
		if c.idx < len(r.cells) && strings.TrimSpace(r.cells[c.idx]) != "" {
			return false
		}
	}
	return true
}

// Columns that change what is asked or stored and that Icarus cannot carry
// over: a non-empty cell is an error.
func unsupportedCols() map[string]string {
	return map[string]string{
		"choice_filter":           "cascading selects (choice_filter) are not supported: make one list per question",
		"calculation":             "calculations are not supported",
		"repeat_count":            "repeats are not supported",
		"default":                 "default answers are not supported: a respondent's answer is only what they gave",
		"trigger":                 "triggers are not supported",
		"parameters":              "type parameters are not supported",
		"read_only":               "read-only questions are not supported",
		"body::accuracythreshold": "geopoint accuracy settings are not supported",
	}
}

// Columns that only affect display or messages: ignored with a warning.
func ignoredCols() map[string]string {
	return map[string]string{
		"appearance":         "display hints (appearance) are ignored: the Icarus form shows each module on one page",
		"constraint_message": "constraint messages are ignored: Icarus gives its own message naming the limits",
		"required_message":   "required messages are ignored: Icarus gives its own",
		"guidance_hint":      "guidance hints are ignored",
		"media::image":       "images are ignored",
		"media::audio":       "audio is ignored",
		"media::video":       "video is ignored",
		"image":              "images are ignored",
		"audio":              "audio is ignored",
		"video":              "video is ignored",
		"label::image":       "images are ignored",
	}
}

func surveyCols() map[string]bool {
	return map[string]bool{
		"type": true, "name": true, "label": true, "hint": true, "required": true, "relevant": true, "constraint": true,
		"icarus_bank": true, "icarus_indicator": true, "icarus_indicator_label": true, "icarus_surveyors": true,
	}
}

// metadataTypes are ODK's automatic fields: Icarus records none of them
// (respondents are anonymous; the server records when a response arrives).
func metadataTypes() map[string]bool {
	return map[string]bool{
		"start": true, "end": true, "today": true, "deviceid": true, "subscriberid": true, "simserial": true,
		"phonenumber": true, "username": true, "email": true, "audit": true, "start-geopoint": true,
	}
}

var constraintPartRE = regexp.MustCompile(`^\s*\.\s*(>=|<=)\s*(-?[0-9]+(?:\.[0-9]+)?)\s*$`)

// Parse converts the cells of a workbook into a survey definition.
func Parse(sh Sheets, opt Options) (*Result, error) {
	p := &parser{warned: map[string]bool{}}
	unsupported, ignored, known, metadata := unsupportedCols(), ignoredCols(), surveyCols(), metadataTypes()
	for _, o := range sh.Other {
		switch strings.ToLower(o) {
		case "external_choices", "entities":
			p.bad(o, 0, "", "the %s sheet is not supported", o)
		default:
			p.warn("sheet:"+o, "sheet %q is not part of XLSForm and was ignored", o)
		}
	}
	if len(sh.Survey) == 0 {
		p.bad("survey", 0, "", "the workbook has no survey sheet (or it is empty)")
		return nil, &Error{p.probs}
	}

	// settings: the default language first, since unsuffixed labels are in it
	var set rowMap
	if len(sh.Settings) > 0 {
		set.cols = p.header("settings", sh.Settings[0])
		if len(sh.Settings) > 1 {
			set.cells = sh.Settings[1]
		}
		for _, c := range set.cols {
			switch c.base {
			case "form_title", "form_id", "version", "default_language", "icarus_access", "icarus_consent", "icarus_title", "icarus_simulated":
			case "style", "instance_name", "public_key", "submission_url", "allow_choice_duplicates", "namespaces", "clean_text_values":
				if set.get(c.base) != "" {
					p.warn("set:"+c.base, "settings %s is ignored", c.base)
				}
			default:
				p.warn("set:"+c.base, "settings column %q is not known and was ignored", c.header)
			}
		}
	}
	p.defLang = opt.DefaultLang
	if p.defLang == "" {
		p.defLang = "en"
	}
	if dl := set.get("default_language"); dl != "" {
		code, ok := langCode(dl)
		if !ok {
			p.bad("settings", 2, "default_language", "language %q: write it as \"Name (code)\", e.g. \"English (en)\"", dl)
		} else {
			p.defLang = code
		}
	}
	p.addLang(p.defLang)

	// choices
	lists := map[string][]survey.Choice{}
	listRow := map[string]int{}
	if len(sh.Choices) > 0 {
		cols := p.header("choices", sh.Choices[0])
		hasList, hasName := false, false
		for _, c := range cols {
			switch c.base {
			case "list_name", "list name":
				hasList = true
			case "name":
				hasName = true
			case "label", "icarus_score":
				if c.lang != "" {
					p.addLang(c.lang)
				}
			default:
				if msg, ok := ignored[strings.ToLower(c.header)]; ok {
					p.warn("ch:"+c.header, "choices sheet: %s", msg)
				} else if msg, ok := ignored[c.base]; ok {
					p.warn("ch:"+c.base, "choices sheet: %s", msg)
				} else {
					p.warn("ch:"+c.header, "choices sheet: column %q was ignored (filter columns need choice_filter, which is not supported)", c.header)
				}
			}
		}
		if !hasList || !hasName {
			p.bad("choices", 1, "", "the choices sheet needs list_name and name columns")
		}
		seen := map[string]int{}
		for i := 1; i < len(sh.Choices); i++ {
			r := rowMap{cells: sh.Choices[i], cols: cols}
			if r.empty() {
				continue
			}
			row := i + 1
			list := r.get("list_name")
			if list == "" {
				list = r.get("list name")
			}
			name := r.get("name")
			if list == "" || name == "" {
				p.bad("choices", row, "", "a choice needs a list_name and a name")
				continue
			}
			k := list + "\x00" + name
			if prev, ok := seen[k]; ok {
				p.bad("choices", row, "name", "choice %q of list %q is already on row %d", name, list, prev)
				continue
			}
			seen[k] = row
			ch := survey.Choice{Value: name, Label: r.tr("label", p.defLang)}
			if len(ch.Label) == 0 {
				p.bad("choices", row, "label", "choice %q of list %q has no label", name, list)
			}
			if s := r.get("icarus_score"); s != "" {
				f, err := strconv.ParseFloat(s, 64)
				if err != nil {
					p.bad("choices", row, "icarus_score", "%q is not a number", s)
				} else {
					ch.Score = &f
				}
			}
			if _, ok := listRow[list]; !ok {
				listRow[list] = row
			}
			lists[list] = append(lists[list], ch)
		}
	}

	// survey
	cols := p.header("survey", sh.Survey[0])
	hasType, hasName := false, false
	for _, c := range cols {
		switch {
		case c.base == "type":
			hasType = true
		case c.base == "name":
			hasName = true
		case known[c.base]:
			if c.lang != "" {
				p.addLang(c.lang)
			}
		}
	}
	if !hasType || !hasName {
		p.bad("survey", 1, "", "the survey sheet needs type and name columns")
		return nil, &Error{p.probs}
	}
	d := &survey.Definition{}
	var mod *survey.Module // the open group
	var groupRel string
	groupRow := 0
	loose := 0 // implicit modules for questions outside groups
	modRows := map[string]int{}
	qRows := map[string]int{}
	addModule := func(m survey.Module, row int) *survey.Module {
		if prev, ok := modRows[m.Name]; ok {
			p.bad("survey", row, "name", "group name %q is already used on row %d", m.Name, prev)
		}
		modRows[m.Name] = row
		d.Modules = append(d.Modules, m)
		return &d.Modules[len(d.Modules)-1]
	}
	var looseMod *survey.Module
	for i := 1; i < len(sh.Survey); i++ {
		r := rowMap{cells: sh.Survey[i], cols: cols}
		if r.empty() {
			continue
		}
		row := i + 1
		// unsupported and ignored columns
		for _, c := range cols {
			if c.idx >= len(r.cells) || strings.TrimSpace(r.cells[c.idx]) == "" {
				continue
			}
			h := strings.ToLower(c.header)
			if msg, ok := unsupported[h]; ok {
				p.bad("survey", row, c.header, "%s", msg)
			} else if msg, ok := unsupported[c.base]; ok {
				p.bad("survey", row, c.header, "%s", msg)
			} else if msg, ok := ignored[h]; ok {
				p.warn("sv:"+h, "survey sheet: %s", msg)
			} else if msg, ok := ignored[c.base]; ok {
				p.warn("sv:"+c.base, "survey sheet: %s", msg)
			} else if !known[c.base] && !strings.HasPrefix(c.base, "bind::") {
				p.warn("sv:"+c.header, "survey sheet: column %q is not known and was ignored", c.header)
			} else if strings.HasPrefix(c.base, "bind::") {
				p.warn("sv:"+c.header, "survey sheet: column %q (a bind attribute) was ignored", c.header)
			}
		}
		typ := strings.Join(strings.Fields(r.get("type")), " ")
		name := r.get("name")
		ltyp := strings.ToLower(typ)
		if typ == "" {
			p.bad("survey", row, "type", "the row has no type")
			continue
		}
		switch ltyp {
		case "begin group", "begin_group":
			if mod != nil {
				p.bad("survey", row, "type", "group %q is inside group %q (begun on row %d): nested groups are not supported", name, mod.Name, groupRow)
				continue
			}
			looseMod = nil
			if r.get("required") != "" || r.get("constraint") != "" {
				p.bad("survey", row, "", "a group cannot be required or constrained")
			}
			m := survey.Module{Name: name, Title: r.tr("label", p.defLang), Surveyors: r.get("icarus_surveyors")}
			if m.Title == nil {
				m.Title = survey.Tr{p.defLang: name}
			}
			groupRel, groupRow = r.get("relevant"), row
			if groupRel != "" {
				if _, err := survey.Parse(groupRel); err != nil {
					p.bad("survey", row, "relevant", "%v", err)
					groupRel = ""
				}
			}
			mod = addModule(m, row)
			continue
		case "end group", "end_group":
			if mod == nil {
				p.bad("survey", row, "type", "end group without a begin group")
			}
			mod, groupRel = nil, ""
			continue
		case "begin repeat", "begin_repeat", "end repeat", "end_repeat":
			p.bad("survey", row, "type", "repeats are not supported: a response has one answer per question")
			continue
		}
		if metadata[ltyp] {
			p.warn("meta:"+ltyp, "survey sheet: the %s field (row %d) is not recorded: respondents are anonymous and the server records when a response arrives", ltyp, row)
			continue
		}
		q := survey.Question{Name: name, Label: r.tr("label", p.defLang), Hint: r.tr("hint", p.defLang), Bank: r.get("icarus_bank")}
		if name == "" {
			p.bad("survey", row, "name", "the question has no name")
			continue
		}
		if prev, ok := qRows[name]; ok {
			p.bad("survey", row, "name", "name %q is already used on row %d", name, prev)
		}
		qRows[name] = row
		f := strings.Fields(typ)
		switch strings.ToLower(f[0]) {
		case "select_one", "select_multiple":
			if len(f) != 2 {
				if len(f) == 3 && strings.EqualFold(f[2], "or_other") {
					p.bad("survey", row, "type", "%q: or_other is not supported: add an 'other' choice and a text question relevant when it is selected", typ)
				} else {
					p.bad("survey", row, "type", "%q: want \"%s LIST\" with a list of the choices sheet", typ, f[0])
				}
				continue
			}
			ch, ok := lists[f[1]]
			if !ok {
				p.bad("survey", row, "type", "list %q is not in the choices sheet", f[1])
				continue
			}
			q.Choices = slices.Clone(ch)
			q.Type = survey.Single
			if strings.EqualFold(f[0], "select_multiple") {
				q.Type = survey.Multiple
			} else {
				for _, c := range ch {
					if c.Score != nil {
						q.Type = survey.Likert
						break
					}
				}
			}
		case "select_one_from_file":
			if len(f) == 2 && strings.EqualFold(f[1], "areas.csv") {
				q.Type = survey.Area
			} else {
				p.bad("survey", row, "type", "%q: choices from a file are not supported, except \"select_one_from_file areas.csv\" (the organisation's areas)", typ)
				continue
			}
		case "integer":
			q.Type, q.Integer = survey.Number, true
		case "decimal":
			q.Type = survey.Number
		case "text":
			q.Type = survey.Text
		case "date":
			q.Type = survey.Date
		case "geopoint":
			q.Type = survey.Location
		case "note":
			q.Type = survey.Note
		default:
			p.bad("survey", row, "type", "type %q is not supported (supported: select_one, select_multiple, integer, decimal, text, date, geopoint, note, begin/end group)", typ)
			continue
		}
		if len(f) > 1 && q.Type != survey.Single && q.Type != survey.Multiple && q.Type != survey.Likert && q.Type != survey.Area {
			p.bad("survey", row, "type", "%q: type %s takes no list", typ, f[0])
		}
		if len(q.Label) == 0 {
			p.bad("survey", row, "label", "question %q has no label", name)
		}
		switch req := strings.ToLower(r.get("required")); req {
		case "", "no", "false", "false()", "0":
		case "yes", "true", "true()", "1":
			q.Required = true
		default:
			p.bad("survey", row, "required", "%q: want yes or no (required conditions are not supported)", r.get("required"))
		}
		if q.Type == survey.Note && q.Required {
			p.bad("survey", row, "required", "a note takes no answer, so it cannot be required")
		}
		rel := r.get("relevant")
		if rel != "" {
			if _, err := survey.Parse(rel); err != nil {
				p.bad("survey", row, "relevant", "%v", err)
			}
		}
		switch {
		case groupRel != "" && rel != "":
			q.Relevant = "(" + groupRel + ") and (" + rel + ")"
		case groupRel != "":
			q.Relevant = groupRel
		default:
			q.Relevant = rel
		}
		if c := r.get("constraint"); c != "" {
			if q.Type != survey.Number {
				p.bad("survey", row, "constraint", "%q cannot be mapped: Icarus supports constraints on integer and decimal questions only", c)
			} else {
				for _, part := range strings.Split(c, " and ") {
					m := constraintPartRE.FindStringSubmatch(part)
					if m == nil {
						p.bad("survey", row, "constraint", "%q cannot be mapped: Icarus supports \". >= N\", \". <= N\" and both joined by \"and\"", c)
						break
					}
					v, _ := strconv.ParseFloat(m[2], 64)
					if m[1] == ">=" {
						q.Min = &v
					} else {
						q.Max = &v
					}
				}
			}
		}
		if iv := r.get("icarus_indicator"); iv != "" {
			q.Indicator = &survey.Indicator{Label: r.tr("icarus_indicator_label", p.defLang), Values: strings.Fields(iv)}
		}
		target := mod
		if target == nil {
			if looseMod == nil {
				loose++
				mname := "questions"
				if loose > 1 {
					mname += "_" + strconv.Itoa(loose)
				}
				looseMod = addModule(survey.Module{Name: mname}, row)
			}
			target = looseMod
		}
		target.Questions = append(target.Questions, q)
		if mod == nil {
			// addModule's pointer stays valid only until the next append: refresh it
			looseMod = &d.Modules[len(d.Modules)-1]
		} else {
			mod = &d.Modules[len(d.Modules)-1]
		}
	}
	if mod != nil {
		p.bad("survey", groupRow, "type", "group %q is never ended (add an \"end group\" row)", mod.Name)
	}
	for i := range d.Modules {
		if len(d.Modules[i].Questions) == 0 {
			p.bad("survey", modRows[d.Modules[i].Name], "", "group %q has no questions", d.Modules[i].Name)
		}
	}

	// settings values
	title := set.get("form_title")
	formID := set.get("form_id")
	d.Title = set.tr("icarus_title", p.defLang)
	if title == "" {
		title = formID
	}
	if title != "" {
		if d.Title == nil {
			d.Title = survey.Tr{}
		}
		d.Title[p.defLang] = title
	}
	if len(d.Title) == 0 {
		p.bad("settings", 0, "form_title", "the form has no title: add a settings sheet with form_title")
	}
	for _, m := range d.Modules {
		if m.Name == "questions" || strings.HasPrefix(m.Name, "questions_") {
			if len(m.Title) == 0 {
				d.Modules[indexOf(d, m.Name)].Title = d.Title
			}
		}
	}
	d.Consent = set.tr("icarus_consent", p.defLang)
	if len(d.Consent) == 0 {
		d.Consent = opt.Consent
	}
	if len(d.Consent) == 0 {
		p.bad("settings", 0, "icarus_consent", "no consent statement: add an icarus_consent column to the settings sheet, or give one when importing")
	}
	d.Access = strings.ToLower(set.get("icarus_access"))
	if d.Access == "" {
		d.Access = opt.Access
	}
	if d.Access == "" {
		d.Access = survey.AccessField
	}
	if d.Access != survey.AccessField && d.Access != survey.AccessPublic && d.Access != survey.AccessToken {
		p.bad("settings", 2, "icarus_access", "%q: want field, public or token", d.Access)
	}
	switch strings.ToLower(set.get("icarus_simulated")) {
	case "", "no", "false", "0":
	case "yes", "true", "1":
		d.Simulated = true
	default:
		p.bad("settings", 2, "icarus_simulated", "%q: want yes or no", set.get("icarus_simulated"))
	}
	for _, c := range set.cols {
		if c.lang != "" && (c.base == "icarus_title" || c.base == "icarus_consent") {
			p.addLang(c.lang)
		}
	}
	d.Languages = p.langs
	if len(p.probs) > 0 {
		return nil, &Error{p.probs}
	}
	if err := d.Check(); err != nil {
		msgs := []string{err.Error()}
		if de, ok := err.(*survey.DefinitionError); ok {
			msgs = de.Problems
		}
		for _, msg := range msgs {
			p.bad("survey", rowOf(msg, qRows), "", "%s", msg)
		}
		return nil, &Error{p.probs}
	}
	return &Result{Definition: d, FormID: formID, Warnings: p.warnings}, nil
}

func indexOf(d *survey.Definition, name string) int {
	for i, m := range d.Modules {
		if m.Name == name {
			return i
		}
	}
	return 0
}

// rowOf finds the row of the question or group a Check message names.
func rowOf(msg string, qRows map[string]int) int {
	if rest, ok := strings.CutPrefix(msg, "question "); ok {
		if f := strings.Fields(rest); len(f) > 0 {
			return qRows[strings.Trim(f[0], `":`)]
		}
	}
	return 0
}
