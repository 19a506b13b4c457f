package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/kb"
)

// The organisation's taxonomies of the knowledge base (focus areas,
// cross-cutting issues, approaches): built in, with an admin's edits
// (store.KBTermEdits). Every page that shows or filters by them goes
// through kbTax, so that an added value, a new label or a retired value
// shows everywhere. ICCS crime types are a standard: not edited here.

// kbTax is the request's view of the organisation's taxonomies.
type kbTax struct {
	s    *Server
	lang string
	tx   kb.Taxonomies
}

// kbTaxFor loads the organisation's taxonomies for a request.
func (s *Server) kbTaxFor(r *http.Request, c *reqCtx) (*kbTax, error) {
	tx, err := s.st.KBTaxonomies(r.Context(), c.orgID)
	if err != nil {
		return nil, err
	}
	return &kbTax{s: s, lang: c.lang, tx: tx}, nil
}

// kbTaxFamily is the catalog family of each taxonomy's built-in labels.
func kbTaxFamily(taxonomy string) string {
	switch taxonomy {
	case kb.TaxFocus:
		return "kb.focus."
	case kb.TaxCC:
		return "kb.cc."
	}
	return "kb.approach."
}

// label is the label of a value in the request's language: the
// organisation's own, else the catalog's (built-in values), else the
// code.
func (t *kbTax) label(taxonomy, code string) string {
	if code == "" {
		return ""
	}
	if term, ok := t.tx.Term(taxonomy, code); ok {
		if l := term.Label(t.lang); l != "" {
			return l
		}
	}
	return t.s.kbLabel(t.lang, kbTaxFamily(taxonomy), code)
}

// labels translates a list of codes.
func (t *kbTax) labels(taxonomy string, codes []string) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = t.label(taxonomy, c)
	}
	return out
}

// options are the choices of a form or filter: the active values, plus the
// retired ones among sel (a record keeps its retired values), selected
// where in sel.
func (t *kbTax) options(taxonomy string, sel ...string) []kbOption {
	var out []kbOption
	for _, term := range t.tx[taxonomy] {
		on := slices.Contains(sel, term.Code)
		if term.Retired && !on {
			continue
		}
		out = append(out, kbOption{term.Code, t.label(taxonomy, term.Code), on})
	}
	return out
}

// shown returns the values a view lays out (matrix columns, timeline
// columns): the active ones and the retired ones some record still uses.
func (t *kbTax) shown(taxonomy string, used func(code string) bool) []kb.TaxTerm {
	var out []kb.TaxTerm
	for _, term := range t.tx[taxonomy] {
		if !term.Retired || used(term.Code) {
			out = append(out, term)
		}
	}
	return out
}

// ---- the admin page ----

type kbTaxValueView struct {
	Code        string
	Labels      map[string]string // the organisation's labels as stored
	Default     map[string]string // the catalog's label per language (built-in values)
	Shown       string            // the label in the request's language
	Retired     bool
	BuiltIn     bool
	Uses        int
	CanDelete   bool
	Open        bool // shown unfolded: the value just changed
	ErrorFields map[string]string
}

type kbTaxSection struct {
	Name, Title, Hint string
	Values            []kbTaxValueView
	Add               map[string]string // the add form's values after an error
	AddErrors         map[string]string
}

func (s *Server) kbTaxonomyPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	flash := ""
	switch done := r.URL.Query().Get("done"); done {
	case "add", "save", "retire", "restore", "delete":
		flash = s.kbMsg(c.lang, "kbgaps.tax.done.", done)
	}
	return s.renderKBTaxonomy(w, r, c, flash, nil, 200)
}

// kbTaxFormErr is a rejected edit shown again with its errors.
type kbTaxFormErr struct {
	edit   kb.TermEdit
	add    bool
	fields map[string]string
}

func (s *Server) renderKBTaxonomy(w http.ResponseWriter, r *http.Request, c *reqCtx, flash string, fe *kbTaxFormErr, status int) error {
	tx, err := s.st.KBTaxonomies(r.Context(), c.orgID)
	if err != nil {
		return err
	}
	use, err := s.st.KBTermUsage(r.Context(), c.orgID)
	if err != nil {
		return err
	}
	t := &kbTax{s: s, lang: c.lang, tx: tx}
	var secs []kbTaxSection
	for _, name := range kb.TaxonomyNames() {
		sec := kbTaxSection{Name: name, Title: s.kbMsg(c.lang, "kbgaps.tax.name.", name), Hint: s.kbMsg(c.lang, "kbgaps.tax.hint.", name)}
		for _, term := range tx[name] {
			v := kbTaxValueView{Code: term.Code, Labels: map[string]string{}, Default: map[string]string{}, Shown: t.label(name, term.Code),
				Retired: term.Retired, BuiltIn: term.BuiltIn, Uses: use[name][term.Code]}
			for _, l := range kb.LabelLanguages() {
				v.Labels[l] = term.Labels[l]
				if term.BuiltIn {
					v.Default[l] = s.kbLabel(l, kbTaxFamily(name), term.Code)
				}
			}
			v.CanDelete = !term.BuiltIn && v.Uses == 0
			v.Open = r.URL.Query().Get("v") == name+"/"+term.Code
			if fe != nil && !fe.add && fe.edit.Taxonomy == name && fe.edit.Code == term.Code {
				v.Labels, v.ErrorFields = fe.edit.Labels, fe.fields
			}
			sec.Values = append(sec.Values, v)
		}
		if fe != nil && fe.add && fe.edit.Taxonomy == name {
			sec.Add = map[string]string{"code": fe.edit.Code}
			for k, v := range fe.edit.Labels {
				sec.Add["label_"+k] = v
			}
			sec.AddErrors = fe.fields
		}
		secs = append(secs, sec)
	}
	var langs []kbOption
	for _, l := range kb.LabelLanguages() {
		langs = append(langs, kbOption{Code: l, Label: s.kbMsg(c.lang, "kbgaps.tax.label.", l)})
	}
	p := &page{Title: s.cat.T(c.lang, "kbgaps.tax.title"), Active: "knowledge", Flash: flash, Data: map[string]any{
		"Sections": secs, "Langs": langs,
	}}
	if fe != nil {
		p.Error = s.cat.T(c.lang, "kbgaps.tax.invalid")
	}
	return s.render(w, r, c, "kbtaxonomy", status, p)
}

// kbTaxonomySave is POST /knowledge/taxonomies: action add, save (labels),
// retire, restore or delete one value; audited.
func (s *Server) kbTaxonomySave(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "form: %v", err)
	}
	pf := r.PostForm
	action := pf.Get("action")
	e := kb.TermEdit{Taxonomy: pf.Get("taxonomy"), Code: strings.TrimSpace(pf.Get("code")), Labels: map[string]string{}}
	for _, l := range kb.LabelLanguages() {
		e.Labels[l] = strings.TrimSpace(pf.Get("label_" + l))
	}
	if !kb.ValidTaxonomy(e.Taxonomy) {
		return apperr.New(apperr.Invalid, "taxonomy: %q is not one of %s", e.Taxonomy, strings.Join(kb.TaxonomyNames(), ", "))
	}
	tx, err := s.st.KBTaxonomies(r.Context(), c.orgID)
	if err != nil {
		return err
	}
	cur, exists := tx.Term(e.Taxonomy, e.Code)
	target := "kb_term:" + e.Taxonomy + "/" + e.Code
	T := func(key string, args ...any) string { return s.cat.T(c.lang, key, args...) }
	switch action {
	case "add", "save", "retire", "restore":
	case "delete":
		if err := s.st.DeleteKBTerm(r.Context(), c.orgID, e.Taxonomy, e.Code); err != nil {
			if apperr.CodeOf(err) == apperr.Conflict {
				use, _ := s.st.KBTermUsage(r.Context(), c.orgID)
				return s.renderKBTaxonomy(w, r, c, "", &kbTaxFormErr{edit: kb.TermEdit{Taxonomy: e.Taxonomy, Code: e.Code, Labels: cur.Labels},
					fields: map[string]string{"code": T("kbgaps.tax.cannotdelete", "n", use[e.Taxonomy][e.Code])}}, http.StatusConflict)
			}
			return err
		}
		s.kbAudit(r, c, "kb.taxonomy.delete", target, "labels="+kbTaxLabels(cur.Labels))
		http.Redirect(w, r, "/knowledge/taxonomies?done=delete#tax-"+e.Taxonomy, http.StatusSeeOther)
		return nil
	default:
		return apperr.New(apperr.Invalid, "action: %q is not add, save, retire, restore or delete", action)
	}
	if action == "add" && exists {
		return s.renderKBTaxonomy(w, r, c, "", &kbTaxFormErr{edit: e, add: true, fields: map[string]string{"code": T("kbgaps.tax.exists")}}, http.StatusConflict)
	}
	if action != "add" && !exists {
		return apperr.New(apperr.NotFound, "no value %q in %s", e.Code, e.Taxonomy)
	}
	switch action {
	case "retire", "restore":
		e.Labels = cur.Labels // the buttons change the flag only
		e.Retired = action == "retire"
	default:
		e.Retired = exists && cur.Retired
	}
	if errs := kb.ValidateTermEdit(e); len(errs) > 0 {
		fields := map[string]string{}
		for _, fe := range errs {
			fields[fe.Field] = s.kbMsg(c.lang, "kbgaps.tax.err.", kbTaxErrKey(fe.Field, e))
		}
		return s.renderKBTaxonomy(w, r, c, "", &kbTaxFormErr{edit: e, add: action == "add", fields: fields}, http.StatusUnprocessableEntity)
	}
	before, _, err := s.st.PutKBTerm(r.Context(), c.orgID, e)
	if err != nil {
		return err
	}
	detail := "labels=" + kbTaxLabels(e.Labels)
	switch action {
	case "save":
		detail = "labels " + kbTaxLabels(before.Labels) + " -> " + kbTaxLabels(e.Labels)
	case "retire", "restore":
		use, _ := s.st.KBTermUsage(r.Context(), c.orgID)
		detail = "records=" + strconv.Itoa(use[e.Taxonomy][e.Code])
	}
	s.kbAudit(r, c, "kb.taxonomy."+action, target, detail)
	http.Redirect(w, r, "/knowledge/taxonomies?"+url.Values{"done": {action}, "v": {e.Taxonomy + "/" + e.Code}}.Encode()+"#tax-"+e.Taxonomy+"-"+e.Code, http.StatusSeeOther)
	return nil
}

// kbTaxErrKey picks the catalog message of a rejected field.
func kbTaxErrKey(field string, e kb.TermEdit) string {
	switch {
	case field == "code":
		return "code"
	case field == "label_en" && strings.TrimSpace(e.Labels["en"]) == "":
		return "labelrequired"
	}
	return "label"
}

func kbTaxLabels(m map[string]string) string {
	var parts []string
	for _, l := range kb.LabelLanguages() {
		if m[l] != "" {
			parts = append(parts, l+":"+m[l])
		}
	}
	if len(parts) == 0 {
		return "(catalog)"
	}
	return strings.Join(parts, "; ")
}

// kbTaxonomyRoutes: editing the taxonomies is an admin's (auth.PermKBTaxonomy).
func (s *Server) kbTaxonomyRoutes() []route {
	return []route{
		{"GET /knowledge/taxonomies", auth.PermKBTaxonomy, false, s.kbTaxonomyPage},
		{"POST /knowledge/taxonomies", auth.PermKBTaxonomy, false, s.kbTaxonomySave},
	}
}
