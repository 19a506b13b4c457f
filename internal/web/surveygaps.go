package web

// Editing a campaign (period, areas and targets, the surveyor role → module
// mapping), the campaign period on the submission path and the respondent's
// language on the form (docs/surveys.md, "Campaigns" and "Campaign period").
// Who may do what: coordinators and admins (manage_surveys) edit campaigns;
// every edit is audit-logged with each change, before → after.

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/store"
	"github.com/icarus-city/icarus/internal/survey"
)

// campaignGraceDays: a response collected inside a campaign's period is
// still accepted this many days after the last day (offline queues).
const campaignGraceDays = 7

// periodError is the field error of a response outside its campaign's
// period (nil inside). collected is the device's time (zero: unknown).
func (s *Server) periodError(c *reqCtx, cp store.Campaign, collected time.Time) *survey.FieldError {
	now := s.now()
	code := survey.CheckPeriod(cp.StartsOn, cp.EndsOn, collected, now, campaignGraceDays)
	if code == survey.PeriodOK {
		return nil
	}
	day := now.Format(time.DateOnly)
	if !collected.IsZero() && collected.Before(now) {
		day = collected.In(now.Location()).Format(time.DateOnly)
	}
	args := []any{"name", cp.Name, "start", cp.StartsOn, "end", cp.EndsOn, "day", day, "until", graceUntil(cp.EndsOn), "grace", campaignGraceDays}
	key := "surveygaps.period_outside_period"
	switch code {
	case survey.PeriodNotStarted:
		key = "surveygaps.period_not_started"
	case survey.PeriodClosed:
		key = "surveygaps.period_closed"
	}
	return &survey.FieldError{Field: "campaign", Code: code, Message: s.cat.T(c.lang, key, args...)}
}

func graceUntil(ends string) string {
	t, err := time.Parse(time.DateOnly, ends)
	if err != nil {
		return ends
	}
	return t.AddDate(0, 0, campaignGraceDays).Format(time.DateOnly)
}

func isPeriodError(fe survey.FieldError) bool {
	if fe.Field != "campaign" {
		return false
	}
	switch fe.Code {
	case survey.PeriodNotStarted, survey.PeriodOutside, survey.PeriodClosed:
		return true
	}
	return false
}

// formPeriodNotice is what the form says about the campaign's period today
// ("" while it runs).
func (s *Server) formPeriodNotice(c *reqCtx, cp *store.Campaign) string {
	if cp == nil {
		return ""
	}
	today := s.now().Format(time.DateOnly)
	args := []any{"name", cp.Name, "start", cp.StartsOn, "end", cp.EndsOn, "until", graceUntil(cp.EndsOn), "grace", campaignGraceDays}
	switch {
	case today < cp.StartsOn:
		return s.cat.T(c.lang, "surveygaps.form_not_started", args...)
	case today > graceUntil(cp.EndsOn):
		return s.cat.T(c.lang, "surveygaps.form_closed", args...)
	case today > cp.EndsOn:
		return s.cat.T(c.lang, "surveygaps.form_grace", args...)
	}
	return ""
}

// formLanguage is the language the form shows the survey's wording in: ?lang
// when it is one of the survey's languages, else the page language when the
// survey has it, else the survey's default language.
func formLanguage(r *http.Request, c *reqCtx, d *survey.Definition) string {
	if l := r.URL.Query().Get("lang"); l != "" && slices.Contains(d.Languages, l) {
		return l
	}
	if slices.Contains(d.Languages, c.lang) {
		return c.lang
	}
	return d.DefaultLang()
}

// formLangLink is a link to the form in one of the survey's languages.
type formLangLink struct {
	Lang, Href string
	Current    bool
}

func formLanguageLinks(r *http.Request, d *survey.Definition, current string) []formLangLink {
	if len(d.Languages) < 2 {
		return nil
	}
	var out []formLangLink
	for _, l := range d.Languages {
		q := r.URL.Query()
		q.Set("lang", l)
		out = append(out, formLangLink{Lang: l, Href: r.URL.Path + "?" + q.Encode(), Current: l == current})
	}
	return out
}

// ---------------------------------------------------------------- editing a campaign

// editArea is one row of the edit form's area table.
type editArea struct {
	Code, Name string
	Target     string
	Responses  int
	Keep       bool
	Error      string
}

// editRole is one row of the role → module grid.
type editRole struct {
	Index   int
	Role    string
	Modules []editModule
}

type editModule struct {
	Name, Title string
	On          bool
}

// campaignEdit is the state of the edit form (what is stored, or what was sent).
type campaignEdit struct {
	Name, StartsOn, EndsOn, ContactPurpose string
	Areas                                  []editArea
	Add                                    []store.Area // areas of the organisation not in the campaign
	AddTarget                              string
	Roles                                  []editRole
	Errors                                 map[string]string
}

// defaultRoleModules is the survey's own mapping: each role asks its
// group's modules and the modules without a group.
func defaultRoleModules(d *survey.Definition) map[string][]string {
	out := map[string][]string{}
	for _, role := range d.Roles() {
		out[role] = []string{}
		for _, m := range d.ForRoles([]string{role}).Modules {
			out[role] = append(out[role], m.Name)
		}
	}
	return out
}

// effectiveRoleModules is the campaign's mapping, or the survey's when the
// campaign has none; roles the campaign does not list keep the survey's.
func effectiveRoleModules(d *survey.Definition, cp store.Campaign) map[string][]string {
	out := map[string][]string{}
	for _, role := range d.Roles() {
		out[role] = []string{}
		for _, m := range d.ForRoleModules([]string{role}, cp.RoleModules).Modules {
			out[role] = append(out[role], m.Name)
		}
	}
	return out
}

func (s *Server) campaignEditState(cp store.Campaign, d *survey.Definition, lang string, all []store.Area, perArea map[string]int) *campaignEdit {
	e := &campaignEdit{Name: cp.Name, StartsOn: cp.StartsOn, EndsOn: cp.EndsOn, ContactPurpose: cp.ContactPurpose, AddTarget: "0", Errors: map[string]string{}}
	names := map[string]string{}
	for _, a := range all {
		names[a.Code] = a.Name
	}
	for _, a := range cp.Areas {
		e.Areas = append(e.Areas, editArea{Code: a.Code, Name: names[a.Code], Target: strconv.Itoa(a.Target), Responses: perArea[a.Code], Keep: true})
	}
	for _, a := range all {
		if !cp.HasArea(a.Code) {
			e.Add = append(e.Add, a)
		}
	}
	mapping := effectiveRoleModules(d, cp)
	for i, role := range d.Roles() {
		er := editRole{Index: i, Role: role}
		for _, m := range d.Modules {
			er.Modules = append(er.Modules, editModule{Name: m.Name, Title: m.Title.In(lang, d.DefaultLang()), On: slices.Contains(mapping[role], m.Name)})
		}
		e.Roles = append(e.Roles, er)
	}
	return e
}

func (s *Server) campaignEditPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := requireManager(c); err != nil {
		return err
	}
	cp, sv, d, err := s.loadCampaign(r, c)
	if err != nil {
		return err
	}
	all, perArea, err := s.campaignAreasAndCounts(r, c, cp.ID)
	if err != nil {
		return err
	}
	return s.renderCampaignEdit(w, r, c, cp, sv, s.campaignEditState(cp, d, c.lang, all, perArea), 200)
}

func (s *Server) renderCampaignEdit(w http.ResponseWriter, r *http.Request, c *reqCtx, cp store.Campaign, sv store.Survey, e *campaignEdit, code int) error {
	errMsg := ""
	if len(e.Errors) > 0 {
		errMsg = s.cat.T(c.lang, "surveygaps.edit_invalid", "n", len(e.Errors))
	}
	return s.render(w, r, c, "campaign_edit", code, &page{Title: s.cat.T(c.lang, "surveygaps.edit_title", "name", cp.Name), Active: "surveys", Error: errMsg,
		Data: map[string]any{"Campaign": cp, "Survey": sv, "Edit": e, "Grace": campaignGraceDays}})
}

// campaignAreasAndCounts returns the organisation's areas and the
// campaign's responses per area.
func (s *Server) campaignAreasAndCounts(r *http.Request, c *reqCtx, campaignID int64) ([]store.Area, map[string]int, error) {
	all, err := s.areaCodes(r, c)
	if err != nil {
		return nil, nil, err
	}
	prog, err := s.st.CampaignProgress(r.Context(), campaignID)
	if err != nil {
		return nil, nil, err
	}
	perArea := map[string]int{}
	for _, p := range prog {
		perArea[p.AreaCode] += p.Responses
	}
	return all, perArea, nil
}

func isDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// campaignFromForm reads the edit form into a campaign and the form state,
// with a message per field that is wrong.
func (s *Server) campaignFromForm(r *http.Request, c *reqCtx, cp store.Campaign, d *survey.Definition, all []store.Area, perArea map[string]int) (store.Campaign, *campaignEdit) {
	T := func(k string, a ...any) string { return s.cat.T(c.lang, k, a...) }
	e := s.campaignEditState(cp, d, c.lang, all, perArea)
	e.Name = strings.TrimSpace(r.PostFormValue("name"))
	e.StartsOn, e.EndsOn = strings.TrimSpace(r.PostFormValue("starts_on")), strings.TrimSpace(r.PostFormValue("ends_on"))
	e.ContactPurpose = strings.TrimSpace(r.PostFormValue("contact_purpose"))
	e.AddTarget = strings.TrimSpace(r.PostFormValue("add_target"))
	out := cp
	out.Name, out.StartsOn, out.EndsOn, out.ContactPurpose = e.Name, e.StartsOn, e.EndsOn, e.ContactPurpose
	if e.Name == "" {
		e.Errors["name"] = T("surveygaps.err_name")
	} else if len(e.Name) > 200 {
		e.Errors["name"] = T("surveygaps.err_name_long")
	}
	if !isDate(e.StartsOn) {
		e.Errors["starts_on"] = T("surveygaps.err_date")
	}
	if !isDate(e.EndsOn) {
		e.Errors["ends_on"] = T("surveygaps.err_date")
	}
	if isDate(e.StartsOn) && isDate(e.EndsOn) && e.EndsOn < e.StartsOn {
		e.Errors["ends_on"] = T("surveygaps.err_end_before_start", "start", e.StartsOn, "end", e.EndsOn)
	}
	if len(e.ContactPurpose) > 300 {
		e.Errors["contact_purpose"] = T("surveygaps.err_contact_long")
	}
	known := map[string]bool{}
	for _, a := range all {
		known[a.Code] = true
	}
	target := func(v string) (int, string) {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil:
			return 0, T("surveygaps.err_target_number")
		case n < 0:
			return 0, T("surveygaps.err_target_negative")
		}
		return n, ""
	}
	keep := r.PostForm["keep"]
	out.Areas = nil
	for i := range e.Areas {
		a := &e.Areas[i]
		a.Keep = slices.Contains(keep, a.Code)
		a.Target = strings.TrimSpace(r.PostFormValue("target_" + a.Code))
		if !a.Keep {
			continue
		}
		n, msg := target(a.Target)
		if msg != "" {
			a.Error = msg
			e.Errors["target_"+a.Code] = msg
		}
		out.Areas = append(out.Areas, store.CampaignArea{Code: a.Code, Target: n})
	}
	var unknown []string
	for _, code := range keep { // a kept area must be one of the campaign's
		if !cp.HasArea(code) && !slices.Contains(unknown, code) {
			unknown = append(unknown, code)
		}
	}
	added := r.PostForm["add_areas"]
	if len(added) > 0 {
		n, msg := target(e.AddTarget)
		if msg != "" {
			e.Errors["add_target"] = msg
		}
		for _, code := range added {
			switch {
			case !known[code]:
				if !slices.Contains(unknown, code) {
					unknown = append(unknown, code)
				}
			case !out.HasArea(code):
				out.Areas = append(out.Areas, store.CampaignArea{Code: code, Target: n})
			}
		}
	}
	if len(unknown) > 0 {
		e.Errors["areas"] = T("surveygaps.err_unknown_area", "codes", strings.Join(unknown, ", "))
	}
	// the role → module grid
	roleErr := func(msg string) {
		if old := e.Errors["roles"]; old != "" && !strings.Contains(old, msg) {
			msg = old + " " + msg
		}
		e.Errors["roles"] = msg
	}
	modNames := map[string]bool{}
	for _, m := range d.Modules {
		modNames[m.Name] = true
	}
	roles := d.Roles()
	mapping := map[string][]string{}
	for i := range e.Roles {
		er := &e.Roles[i]
		sent := r.PostForm["rm_"+strconv.Itoa(er.Index)]
		if got := r.PostFormValue("role_" + strconv.Itoa(er.Index)); got != er.Role {
			roleErr(T("surveygaps.err_roles_changed"))
			continue
		}
		mods := []string{}
		for j := range er.Modules {
			er.Modules[j].On = slices.Contains(sent, er.Modules[j].Name)
			if er.Modules[j].On {
				mods = append(mods, er.Modules[j].Name)
			}
		}
		for _, m := range sent {
			if !modNames[m] {
				roleErr(T("surveygaps.err_unknown_module", "role", er.Role, "module", m))
			}
		}
		if len(mods) == 0 {
			roleErr(T("surveygaps.err_role_no_module", "role", er.Role))
		}
		mapping[er.Role] = mods
	}
	for k := range r.PostForm { // a role index the survey does not have
		if strings.HasPrefix(k, "role_") {
			if i, err := strconv.Atoi(strings.TrimPrefix(k, "role_")); err != nil || i < 0 || i >= len(roles) {
				roleErr(T("surveygaps.err_roles_changed"))
			}
		}
	}
	// the survey's own mapping is kept as "none", so that it follows the survey
	if sameMapping(mapping, defaultRoleModules(d)) {
		out.RoleModules = map[string][]string{}
	} else {
		out.RoleModules = mapping
	}
	return out, e
}

func sameMapping(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || len(v) != len(w) {
			return false
		}
		for _, x := range v {
			if !slices.Contains(w, x) {
				return false
			}
		}
	}
	return true
}

// campaignChanges lists each change of an edit, before → after, for the
// audit log; removed are the areas taken out.
func campaignChanges(before, after store.Campaign, d *survey.Definition) (changes []string, removed []string) {
	if before.Name != after.Name {
		changes = append(changes, fmt.Sprintf("name: %q → %q", before.Name, after.Name))
	}
	if before.StartsOn != after.StartsOn || before.EndsOn != after.EndsOn {
		changes = append(changes, fmt.Sprintf("period: %s..%s → %s..%s", before.StartsOn, before.EndsOn, after.StartsOn, after.EndsOn))
	}
	if before.ContactPurpose != after.ContactPurpose {
		changes = append(changes, fmt.Sprintf("contact purpose: %q → %q", before.ContactPurpose, after.ContactPurpose))
	}
	old := map[string]int{}
	for _, a := range before.Areas {
		old[a.Code] = a.Target
	}
	var added []string
	for _, a := range after.Areas {
		t, ok := old[a.Code]
		switch {
		case !ok:
			added = append(added, fmt.Sprintf("%s (target %d)", a.Code, a.Target))
		case t != a.Target:
			changes = append(changes, fmt.Sprintf("target %s: %d → %d", a.Code, t, a.Target))
		}
	}
	for _, a := range before.Areas {
		if !after.HasArea(a.Code) {
			removed = append(removed, a.Code)
		}
	}
	if len(added) > 0 {
		changes = append(changes, "areas added: "+strings.Join(added, ", "))
	}
	if len(removed) > 0 {
		changes = append(changes, "areas removed: "+strings.Join(removed, ", "))
	}
	bm, am := effectiveRoleModules(d, before), effectiveRoleModules(d, after)
	roles := make([]string, 0, len(am))
	for r := range am {
		roles = append(roles, r)
	}
	sort.Strings(roles)
	for _, r := range roles {
		if !sameMapping(map[string][]string{r: bm[r]}, map[string][]string{r: am[r]}) {
			changes = append(changes, fmt.Sprintf("role %q modules: [%s] → [%s]", r, strings.Join(bm[r], ", "), strings.Join(am[r], ", ")))
		}
	}
	return changes, removed
}

func (s *Server) campaignEditSave(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := requireManager(c); err != nil {
		return err
	}
	cp, sv, d, err := s.loadCampaign(r, c)
	if err != nil {
		return err
	}
	all, perArea, err := s.campaignAreasAndCounts(r, c, cp.ID)
	if err != nil {
		return err
	}
	next, e := s.campaignFromForm(r, c, cp, d, all, perArea)
	if len(e.Errors) > 0 {
		return s.renderCampaignEdit(w, r, c, cp, sv, e, http.StatusBadRequest)
	}
	changes, removed := campaignChanges(cp, next, d)
	id := strconv.FormatInt(cp.ID, 10)
	if len(changes) == 0 {
		http.Redirect(w, r, "/campaigns/"+id+"?edited=0", http.StatusSeeOther)
		return nil
	}
	_, unassigned, err := s.st.UpdateCampaign(r.Context(), next)
	if err != nil {
		if apperr.CodeOf(err) == apperr.Invalid { // the store's checks, should the form's miss one
			e.Errors["form"] = apperr.MessageOf(err)
			return s.renderCampaignEdit(w, r, c, cp, sv, e, http.StatusBadRequest)
		}
		return err
	}
	detail := strings.Join(changes, "; ")
	if unassigned > 0 {
		detail += fmt.Sprintf("; assignments removed with their areas: %d", unassigned)
	}
	s.audit(r, c, "campaign.update", id, detail)
	q := url.Values{"edited": {"1"}}
	if len(removed) > 0 {
		q.Set("removed", strings.Join(removed, ","))
		q.Set("unassigned", strconv.Itoa(unassigned))
	}
	http.Redirect(w, r, "/campaigns/"+id+"?"+q.Encode(), http.StatusSeeOther)
	return nil
}

// campaignEditFlash is the campaign page's notice after an edit: saved,
// and which removed areas had responses (they stay stored).
func (s *Server) campaignEditFlash(r *http.Request, c *reqCtx, perArea map[string]int) string {
	q := r.URL.Query()
	switch q.Get("edited") {
	case "":
		return ""
	case "0":
		return s.cat.T(c.lang, "surveygaps.edit_nothing")
	}
	msg := s.cat.T(c.lang, "surveygaps.edit_saved")
	var kept []string
	n := 0
	for _, code := range strings.Split(q.Get("removed"), ",") {
		if k := perArea[code]; code != "" && k > 0 {
			kept = append(kept, fmt.Sprintf("%s (%d)", code, k))
			n += k
		}
	}
	if len(kept) > 0 {
		msg += " " + s.cat.T(c.lang, "surveygaps.removed_with_responses", "areas", strings.Join(kept, ", "), "n", n)
	}
	if u, _ := strconv.Atoi(q.Get("unassigned")); u > 0 {
		msg += " " + s.cat.T(c.lang, "surveygaps.assignments_removed", "n", u)
	}
	return msg
}

// surveyGapRoutes: editing a campaign.
func (s *Server) surveyGapRoutes() []route {
	return []route{
		{"GET /campaigns/{id}/edit", auth.PermManageSurveys, false, s.campaignEditPage},
		{"POST /campaigns/{id}/edit", auth.PermManageSurveys, false, s.campaignEditSave},
	}
}
