package web

// Survey management: the surveys page (list, XLSForm upload and download),
// the XLSForm API and the survey builder (a survey from the standard
// question bank, saved as a new survey or a new version).

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/store"
	"github.com/icarus-city/icarus/internal/survey"
	"github.com/icarus-city/icarus/internal/survey/xlsform"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func (s *Server) surveysPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.renderSurveys(w, r, c, nil, "", nil)
}

type surveyRow struct {
	store.Survey
	Campaigns int
}

func (s *Server) renderSurveys(w http.ResponseWriter, r *http.Request, c *reqCtx, problems []xlsform.Problem, errMsg string, warnings []string) error {
	svs, err := s.st.Surveys(r.Context(), c.orgID)
	if err != nil {
		return err
	}
	cps, err := s.st.Campaigns(r.Context(), c.orgID, 0)
	if err != nil {
		return err
	}
	rows := make([]surveyRow, len(svs))
	for i, sv := range svs {
		rows[i].Survey = sv
		for _, cp := range cps {
			if cp.SurveyID == sv.ID {
				rows[i].Campaigns++
			}
		}
	}
	code := 200
	if errMsg != "" {
		code = http.StatusBadRequest
	}
	flash := ""
	if v := r.URL.Query().Get("imported"); v != "" {
		flash = s.cat.T(c.lang, "campaign.imported", "id", v)
	}
	if v := r.URL.Query().Get("saved"); v != "" {
		flash = s.cat.T(c.lang, "builder.saved", "id", v)
	}
	return s.render(w, r, c, "campaign_surveys", code, &page{Title: s.cat.T(c.lang, "campaign.surveys_title"), Active: "surveys", Error: errMsg, Flash: flash,
		Data: map[string]any{"Surveys": rows, "Problems": problems, "Warnings": warnings, "CanManage": canManageSurveys(c.role)}})
}

// importOptions reads the options of an XLSForm import from form or query values.
func importOptions(get func(string) string, lang string) (xlsform.Options, int64) {
	opt := xlsform.Options{Access: get("access"), DefaultLang: get("lang")}
	if t := strings.TrimSpace(get("consent")); t != "" {
		l := opt.DefaultLang
		if l == "" {
			l = "en"
		}
		opt.Consent = survey.Tr{l: t}
	}
	into, _ := strconv.ParseInt(get("survey"), 10, 64)
	return opt, into
}

func (s *Server) saveDefinition(r *http.Request, c *reqCtx, into int64, d *survey.Definition, how string) (store.Survey, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return store.Survey{}, err
	}
	title := d.Title.In(d.DefaultLang(), "")
	var sv store.Survey
	if into > 0 {
		sv, err = s.st.UpdateSurvey(r.Context(), c.orgID, into, title, d.Access, b)
	} else {
		sv, err = s.st.CreateSurvey(r.Context(), c.orgID, title, d.Access, d.Simulated, b)
	}
	if err != nil {
		return sv, err
	}
	s.audit(r, c, "survey."+how, strconv.FormatInt(sv.ID, 10), "version="+strconv.Itoa(sv.Version)+" questions="+strconv.Itoa(len(d.Questions())))
	return sv, nil
}

func (s *Server) importXLSFormPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := requireManager(c); err != nil {
		return err
	}
	f, _, err := r.FormFile("file")
	if err != nil {
		return s.renderSurveys(w, r, c, nil, s.cat.T(c.lang, "campaign.import_nofile"), nil)
	}
	defer f.Close()
	opt, into := importOptions(r.PostFormValue, c.lang)
	res, err := xlsform.Read(f, opt)
	if err != nil {
		var xe *xlsform.Error
		if errors.As(err, &xe) {
			return s.renderSurveys(w, r, c, xe.Problems, s.cat.T(c.lang, "campaign.import_failed", "n", len(xe.Problems)), nil)
		}
		return err
	}
	sv, err := s.saveDefinition(r, c, into, res.Definition, "import_xlsform")
	if err != nil {
		return err
	}
	if len(res.Warnings) > 0 {
		r.URL.RawQuery = "imported=" + strconv.FormatInt(sv.ID, 10)
		return s.renderSurveys(w, r, c, nil, "", res.Warnings)
	}
	http.Redirect(w, r, "/surveys?imported="+strconv.FormatInt(sv.ID, 10), http.StatusSeeOther)
	return nil
}

// apiXLSFormExport: GET /api/v1/surveys/{id}/xlsform[?version=N] downloads
// the survey as an XLSForm workbook.
func (s *Server) apiXLSFormExport(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	sv, d, err := s.loadSurvey(r, c)
	if err != nil {
		return err
	}
	if v, _ := strconv.Atoi(r.URL.Query().Get("version")); v > 0 && v != sv.Version {
		raw, err := s.st.SurveyVersion(r.Context(), c.orgID, sv.ID, v)
		if err != nil {
			return err
		}
		if d, err = decodeDefinition(raw); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	if err := xlsform.Write(&buf, d, "icarus_survey_"+strconv.FormatInt(sv.ID, 10)); err != nil {
		return err
	}
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Disposition", `attachment; filename="survey-`+strconv.FormatInt(sv.ID, 10)+`.xlsx"`)
	_, err = w.Write(buf.Bytes())
	return err
}

// apiXLSFormImport: POST /api/v1/surveys/xlsform with the .xlsx as the body
// (or a multipart "file"); query consent, access, lang, survey (new version
// of). 201 {survey_id, version, warnings}; 400 {error: {problems: [{sheet,
// row, column, message}]}}.
func (s *Server) apiXLSFormImport(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := requireManager(c); err != nil {
		return err
	}
	opt, into := importOptions(r.URL.Query().Get, c.lang)
	body := http.MaxBytesReader(w, r.Body, xlsform.MaxBytes+1)
	var res *xlsform.Result
	var err error
	if f, _, ferr := r.FormFile("file"); ferr == nil {
		defer f.Close()
		res, err = xlsform.Read(f, opt)
	} else {
		res, err = xlsform.Read(body, opt)
	}
	if err != nil {
		var xe *xlsform.Error
		if errors.As(err, &xe) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			return json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": string(apperr.Invalid), "message": xe.Error(), "problems": xe.Problems}})
		}
		return apperr.Wrap(apperr.Invalid, err, "read the workbook")
	}
	sv, err := s.saveDefinition(r, c, into, res.Definition, "import_xlsform")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	warnings := res.Warnings
	if warnings == nil {
		warnings = []string{}
	}
	return json.NewEncoder(w).Encode(map[string]any{"survey_id": sv.ID, "version": sv.Version, "title": sv.Title, "warnings": warnings})
}

// ---------------------------------------------------------------- the builder

// builderModule is one module slot of the builder.
type builderModule struct {
	Slot                   int
	Name, Title, Surveyors string
}

// builderRow is one question the builder offers: a bank item or a question
// of the survey being edited.
type builderRow struct {
	Name, Label, Type, Topic, Source, Note string
	Verbatim, Included, Required, FromBank bool
	Module, Order                          int
	Translations                           []builderTr
	// the wording per language, editable (surveygaps.go: translations)
	LabelTr  []builderText
	HintTr   []builderText // only for a question with a hint
	ChoiceTr []builderChoiceTr
}

// builderTr says whether a question's wording (label and every choice) exists in a language.
type builderTr struct {
	Lang    string
	Text    string // the label ("" when missing)
	Missing int    // texts missing in this language (label and choices)
}

// translatedBankQuestion is the bank's question called name with every
// translation Icarus has (survey.TranslatedBank).
func translatedBankQuestion(name string) (survey.Question, bool) {
	for _, it := range survey.TranslatedBank() {
		if it.Question.Name == name {
			q := it.Question
			q.Bank = it.ID
			return q, true
		}
	}
	return survey.Question{}, false
}

// keepLangs drops the translations of q outside langs.
func keepLangs(q *survey.Question, langs []string) {
	f := func(t survey.Tr) survey.Tr {
		if t == nil {
			return nil
		}
		out := survey.Tr{}
		for l, v := range t {
			if slices.Contains(langs, l) {
				out[l] = v
			}
		}
		return out
	}
	q.Label, q.Hint = f(q.Label), f(q.Hint)
	if len(q.Hint) == 0 {
		q.Hint = nil
	}
	q.Choices = slices.Clone(q.Choices)
	for i := range q.Choices {
		q.Choices[i].Label = f(q.Choices[i].Label)
	}
	if q.Indicator != nil {
		ind := *q.Indicator
		ind.Label = f(ind.Label)
		q.Indicator = &ind
	}
}

// rigaModules are the builder's default module slots: the Riga pilot's
// groups of surveyors.
func rigaModules() []builderModule {
	d := survey.Riga("", false)
	var out []builderModule
	for i, m := range d.Modules {
		out = append(out, builderModule{Slot: i + 1, Name: m.Name, Title: m.Title.In("en", "en"), Surveyors: m.Surveyors})
	}
	return out
}

// builderState is what the builder page shows for a survey (nil: a new one).
func builderState(d *survey.Definition, lang string, extra ...string) ([]builderModule, []builderRow) {
	mods := rigaModules()
	var rows []builderRow
	seen := map[string]bool{}
	defLang := "en"
	langs := []string{"en"}
	if d != nil {
		mods = nil
		for i, m := range d.Modules {
			mods = append(mods, builderModule{Slot: i + 1, Name: m.Name, Title: m.Title.In(d.DefaultLang(), ""), Surveyors: m.Surveyors})
		}
		defLang, langs = d.DefaultLang(), d.Languages
	}
	for len(mods) < 6 {
		mods = append(mods, builderModule{Slot: len(mods) + 1})
	}
	// translations shown: the survey's languages and those the bank has
	shown := slices.Clone(langs)
	for _, l := range append(extra, "en", "fr", "it") {
		if !slices.Contains(shown, l) {
			shown = append(shown, l)
		}
	}
	var ownLangs []string // languages where the survey's own wording is shown as it is
	if d != nil {
		ownLangs = d.Languages
	}
	trs := func(q *survey.Question) []builderTr {
		if d == nil || d.Question(q.Name) == nil { // a bank item: the bank's wording
			return wordingStatus(builderWording(q, true), shown)
		}
		return wordingStatus(builderWording(q, q.Bank != "", ownLangs...), shown)
	}
	order := 0
	if d != nil {
		for mi, m := range d.Modules {
			for _, q := range m.Questions {
				order += 10
				row := builderRow{Name: q.Name, Label: q.Label.In(lang, defLang), Type: string(q.Type), Included: true, Required: q.Required,
					Module: mi + 1, Order: order, FromBank: q.Bank != "", Translations: trs(&q)}
				rows = append(rows, row)
				seen[q.Name] = true
			}
		}
	} else {
		riga := survey.Riga("", false)
		for mi, m := range riga.Modules {
			for _, q := range m.Questions {
				order += 10
				rows = append(rows, builderRow{Name: q.Name, Label: q.Label.In(lang, "en"), Type: string(q.Type), Included: true, Required: q.Required,
					Module: mi + 1, Order: order, FromBank: true, Translations: trs(&q)})
				seen[q.Name] = true
			}
		}
	}
	byName := map[string]survey.BankItem{}
	for _, it := range survey.Bank() {
		byName[it.Question.Name] = it
		if seen[it.Question.Name] {
			continue
		}
		order += 10
		q := it.Question
		rows = append(rows, builderRow{Name: q.Name, Label: q.Label.In(lang, "en"), Type: string(q.Type), Required: q.Required, Module: 1, Order: order,
			FromBank: true, Translations: trs(&q)})
	}
	for i := range rows {
		if it, ok := byName[rows[i].Name]; ok && rows[i].FromBank {
			rows[i].Topic, rows[i].Source, rows[i].Note, rows[i].Verbatim = it.Topic, it.Source, it.Note, it.Verbatim
		}
		var q *survey.Question
		if d != nil {
			q = d.Question(rows[i].Name)
		}
		if q == nil {
			if bq, ok := translatedBankQuestion(rows[i].Name); ok {
				q = &bq
			}
		}
		if q != nil {
			own := ownLangs
			if d != nil && d.Question(rows[i].Name) == nil { // a bank item not in the survey yet: the bank's wording in every language
				own = nil
			}
			rows[i].LabelTr, rows[i].HintTr, rows[i].ChoiceTr = wordingFields(builderWording(q, q.Bank != "" || own == nil, own...), shown)
		}
	}
	return mods, rows
}

func (s *Server) builderPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := requireManager(c); err != nil {
		return err
	}
	var d *survey.Definition
	var from int64
	if id, _ := strconv.ParseInt(r.URL.Query().Get("from"), 10, 64); id > 0 {
		sv, err := s.st.SurveyByID(r.Context(), c.orgID, id)
		if err != nil {
			return err
		}
		if d, err = decodeDefinition(sv.Definition); err != nil {
			return err
		}
		from = sv.ID
	}
	return s.renderBuilder(w, r, c, d, from, "", nil)
}

func (s *Server) renderBuilder(w http.ResponseWriter, r *http.Request, c *reqCtx, d *survey.Definition, from int64, errMsg string, problems []string) error {
	var extra []string
	if r.Method == http.MethodPost {
		extra = builderLangs(r.PostFormValue("languages"))
	}
	mods, rows := builderState(d, c.lang, extra...)
	form := map[string]string{"title": "", "languages": "en", "access": survey.AccessField,
		"consent": survey.Riga("", false).Consent.In("en", "en")}
	if d != nil {
		form["title"] = d.Title.In(d.DefaultLang(), "") // the default language's; the others are edited beside
		form["languages"] = strings.Join(d.Languages, ", ")
		form["access"] = d.Access
		form["consent"] = d.Consent.In(d.DefaultLang(), "")
	}
	if r.Method == http.MethodPost { // show what was sent
		for _, k := range []string{"title", "languages", "access", "consent"} {
			form[k] = r.PostFormValue(k)
		}
		mods, rows = builderFromForm(r, mods, rows)
	}
	code := 200
	if errMsg != "" {
		code = http.StatusBadRequest
	}
	langs := builderLangs(form["languages"])
	return s.render(w, r, c, "survey_builder", code, &page{Title: s.cat.T(c.lang, "builder.title"), Active: "surveys", Error: errMsg, Data: map[string]any{
		"Modules": mods, "Rows": rows, "Form": form, "From": from, "Problems": problems,
		"TitleTr": titleWording(r, d, langs), "Missing": missingSummary(rows, langs), "ModuleTr": moduleWording(r, d, mods, langs),
		"Accesses": []string{survey.AccessField, survey.AccessPublic, survey.AccessToken},
	}})
}

// builderFromForm reads the module slots and question rows the coordinator sent.
func builderFromForm(r *http.Request, mods []builderModule, rows []builderRow) ([]builderModule, []builderRow) {
	for i := range mods {
		p := "m" + strconv.Itoa(mods[i].Slot) + "_"
		mods[i].Name = strings.TrimSpace(r.PostFormValue(p + "name"))
		mods[i].Title = strings.TrimSpace(r.PostFormValue(p + "title"))
		mods[i].Surveyors = strings.TrimSpace(r.PostFormValue(p + "surveyors"))
	}
	for i := range rows {
		p := "q_" + rows[i].Name + "_"
		rows[i].Included = r.PostFormValue(p+"inc") != ""
		rows[i].Required = r.PostFormValue(p+"req") != ""
		rows[i].Module, _ = strconv.Atoi(r.PostFormValue(p + "mod"))
		rows[i].Order, _ = strconv.Atoi(r.PostFormValue(p + "ord"))
		wordingFromForm(r, &rows[i])
	}
	return mods, rows
}

func (s *Server) builderSave(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := requireManager(c); err != nil {
		return err
	}
	var old *survey.Definition
	from, _ := strconv.ParseInt(r.PostFormValue("from"), 10, 64)
	if from > 0 {
		sv, err := s.st.SurveyByID(r.Context(), c.orgID, from)
		if err != nil {
			return err
		}
		if old, err = decodeDefinition(sv.Definition); err != nil {
			return err
		}
	}
	langs := builderLangs(r.PostFormValue("languages"))
	mods, rows := builderState(old, c.lang, langs...)
	mods, rows = builderFromForm(r, mods, rows)
	dl := langs[0]
	d := &survey.Definition{Title: survey.Tr{dl: strings.TrimSpace(r.PostFormValue("title"))}, Languages: langs,
		Access: r.PostFormValue("access"), Consent: survey.Tr{dl: strings.TrimSpace(r.PostFormValue("consent"))}}
	if old != nil { // keep the translations the survey already has
		for l, t := range old.Title {
			if l != dl {
				d.Title[l] = t
			}
		}
		for l, t := range old.Consent {
			if l != dl {
				d.Consent[l] = t
			}
		}
		d.Simulated = old.Simulated
	}
	applyTitleWording(r, d, langs)
	source := func(name string) (survey.Question, bool) {
		if old != nil {
			if q := old.Question(name); q != nil {
				return *q, true
			}
		}
		q, ok := translatedBankQuestion(name)
		if ok {
			keepLangs(&q, langs)
		}
		return q, ok
	}
	var problems []string
	idx := make([]int, 0, len(rows))
	for i := range rows {
		if rows[i].Included {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return rows[idx[a]].Order < rows[idx[b]].Order })
	for _, m := range mods {
		if m.Name == "" {
			continue
		}
		mod := survey.Module{Name: m.Name, Title: survey.Tr{dl: orElse(m.Title, m.Name)}, Surveyors: m.Surveyors}
		if old != nil {
			for _, om := range old.Modules {
				if om.Name == m.Name {
					for l, t := range om.Title {
						if l != dl {
							mod.Title[l] = t
						}
					}
				}
			}
		}
		applyModuleWording(r, &mod, m.Slot, langs)
		for _, i := range idx {
			if rows[i].Module != m.Slot {
				continue
			}
			q, ok := source(rows[i].Name)
			if !ok {
				problems = append(problems, "question "+rows[i].Name+": unknown")
				continue
			}
			q.Required = rows[i].Required && q.Type != survey.Note
			applyWording(r, &q, langs)
			mod.Questions = append(mod.Questions, q)
		}
		if len(mod.Questions) > 0 {
			d.Modules = append(d.Modules, mod)
		}
	}
	for _, i := range idx {
		if !slices.ContainsFunc(mods, func(m builderModule) bool { return m.Slot == rows[i].Module && m.Name != "" }) {
			problems = append(problems, "question "+rows[i].Name+": its module has no name")
		}
	}
	if err := d.Check(); err != nil {
		var de *survey.DefinitionError
		if errors.As(err, &de) {
			problems = append(problems, de.Problems...)
		} else {
			problems = append(problems, err.Error())
		}
	}
	if len(problems) > 0 {
		return s.renderBuilder(w, r, c, old, from, s.cat.T(c.lang, "builder.invalid"), problems)
	}
	into := int64(0)
	if r.PostFormValue("save_as") == "version" && from > 0 {
		into = from
	}
	sv, err := s.saveDefinition(r, c, into, d, "build")
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/surveys?saved="+strconv.FormatInt(sv.ID, 10), http.StatusSeeOther)
	return nil
}
