package web

// Campaigns (docs/surveys.md, "Campaigns"): a survey run over a period in
// chosen areas, surveyors assigned to areas and roles (the surveyor group of
// a module) against targets, progress per area and surveyor, session
// feedback from the field form, one-time public links with QR codes, and
// contact details kept apart from the responses (deletable by an admin).
// Who may do what:
//
//   - coordinators and admins create campaigns, assign surveyors and make links;
//   - signed-in staff see campaign pages (progress counts, feedback);
//   - surveyors send feedback from the field form (X-CSRF-Token, like responses);
//   - anyone may leave a contact with a public survey (rate-limited); only
//     admins list and delete contacts, and every deletion is audit-logged.

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/store"
	"github.com/icarus-city/icarus/internal/survey"
	qrcode "github.com/skip2/go-qrcode"
)

const (
	maxLinksPerBatch = 500
	contactPerIP     = 20 // contacts a minute per address
)

// canManageSurveys: who builds surveys and runs campaigns.
func canManageSurveys(r auth.Role) bool { return auth.Allows(r, auth.PermManageSurveys) }

func requireManager(c *reqCtx) error {
	if !canManageSurveys(c.role) {
		return apperr.New(apperr.Forbidden, "your role (%s) may not manage surveys and campaigns: ask a coordinator", c.role)
	}
	return nil
}

func (s *Server) audit(r *http.Request, c *reqCtx, action, target, detail string) {
	e := store.AuditEntry{OrgID: c.orgID, Action: action, Target: target, Detail: detail, IP: clientIP(r)}
	if c.user != nil {
		e.UserID, e.Actor = c.user.ID, c.user.Email
	}
	if err := s.st.Audit(r.Context(), e); err != nil {
		s.log.Error("audit", "action", action, "err", err)
	}
}

func pathID(r *http.Request, name, what string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, "%s %q not found", what, r.PathValue(name))
	}
	return id, nil
}

func (s *Server) loadCampaign(r *http.Request, c *reqCtx) (store.Campaign, store.Survey, *survey.Definition, error) {
	id, err := pathID(r, "id", "campaign")
	if err != nil {
		return store.Campaign{}, store.Survey{}, nil, err
	}
	cp, err := s.st.CampaignByID(r.Context(), c.orgID, id)
	if err != nil {
		return cp, store.Survey{}, nil, err
	}
	sv, err := s.st.SurveyByID(r.Context(), c.orgID, cp.SurveyID)
	if err != nil {
		return cp, sv, nil, err
	}
	d, err := decodeDefinition(sv.Definition)
	return cp, sv, d, err
}

// ---------------------------------------------------------------- list and create

func (s *Server) campaignsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.renderCampaigns(w, r, c, "", 200)
}

func (s *Server) renderCampaigns(w http.ResponseWriter, r *http.Request, c *reqCtx, errMsg string, code int) error {
	ctx := r.Context()
	cps, err := s.st.Campaigns(ctx, c.orgID, 0)
	if err != nil {
		return err
	}
	svs, err := s.st.Surveys(ctx, c.orgID)
	if err != nil {
		return err
	}
	titles := map[int64]string{}
	for _, sv := range svs {
		titles[sv.ID] = sv.Title
	}
	areas, err := s.areaCodes(r, c)
	if err != nil {
		return err
	}
	today := s.now().Format(time.DateOnly)
	return s.render(w, r, c, "campaigns", code, &page{Title: s.cat.T(c.lang, "campaign.title"), Active: "surveys", Error: errMsg, Data: map[string]any{
		"Campaigns": cps, "Titles": titles, "Surveys": svs, "Areas": areas, "Today": today,
		"Until": s.now().AddDate(0, 0, 27).Format(time.DateOnly), "CanManage": canManageSurveys(c.role),
		"SelectedSurvey": r.URL.Query().Get("survey"),
	}})
}

func (s *Server) createCampaign(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := requireManager(c); err != nil {
		return err
	}
	svID, _ := strconv.ParseInt(r.PostFormValue("survey"), 10, 64)
	target, _ := strconv.Atoi(r.PostFormValue("target"))
	cp := store.Campaign{OrgID: c.orgID, SurveyID: svID, Name: r.PostFormValue("name"), StartsOn: r.PostFormValue("starts_on"),
		EndsOn: r.PostFormValue("ends_on"), ContactPurpose: strings.TrimSpace(r.PostFormValue("contact_purpose")), CreatedBy: c.user.ID}
	for _, code := range r.PostForm["areas"] {
		cp.Areas = append(cp.Areas, store.CampaignArea{Code: code, Target: max(target, 0)})
	}
	cp, err := s.st.CreateCampaign(r.Context(), cp)
	if err != nil {
		if apperr.CodeOf(err) == apperr.Invalid {
			return s.renderCampaigns(w, r, c, err.Error(), http.StatusBadRequest)
		}
		return err
	}
	s.audit(r, c, "campaign.create", strconv.FormatInt(cp.ID, 10), fmt.Sprintf("survey=%d areas=%d %s..%s", cp.SurveyID, len(cp.Areas), cp.StartsOn, cp.EndsOn))
	http.Redirect(w, r, "/campaigns/"+strconv.FormatInt(cp.ID, 10), http.StatusSeeOther)
	return nil
}

// ---------------------------------------------------------------- the campaign page

// bar is one line of a progress chart.
type bar struct {
	Label, Sub      string
	Done, Target    int
	Percent         int // of the target, capped at 100 for the bar; 0 without a target
	Over, NoTarget  bool
	Role, Href, Key string
}

func newBar(label string, done, target int) bar {
	b := bar{Label: label, Done: done, Target: target, NoTarget: target == 0}
	if target > 0 {
		b.Percent = min(100, done*100/target)
		b.Over = done >= target
	}
	return b
}

// roleModules maps each surveyor group to the titles of the modules it asks.
type roleModules struct {
	Role    string
	Modules []string
}

func (s *Server) campaignPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.renderCampaign(w, r, c, nil, "")
}

// campaignRoles are the roles and the titles of the modules each asks in
// the campaign (its own mapping, else the survey's), and the modules asked
// by everyone (shown only when the campaign follows the survey's mapping).
func campaignRoles(d *survey.Definition, cp store.Campaign, lang string) ([]roleModules, []string) {
	var roles []roleModules
	common := []string{}
	def := d.DefaultLang()
	for _, role := range d.Roles() {
		rm := roleModules{Role: role}
		for _, m := range d.ForRoleModules([]string{role}, cp.RoleModules).Modules {
			if m.Surveyors != "" || len(cp.RoleModules) > 0 {
				rm.Modules = append(rm.Modules, m.Title.In(lang, def))
			}
		}
		roles = append(roles, rm)
	}
	if len(cp.RoleModules) == 0 {
		for _, m := range d.Modules {
			if m.Surveyors == "" {
				common = append(common, m.Title.In(lang, def))
			}
		}
	}
	return roles, common
}

func (s *Server) renderCampaign(w http.ResponseWriter, r *http.Request, c *reqCtx, links []oneTimeLink, flash string) error {
	ctx := r.Context()
	cp, sv, d, err := s.loadCampaign(r, c)
	if err != nil {
		return err
	}
	as, err := s.st.Assignments(ctx, cp.ID, 0)
	if err != nil {
		return err
	}
	prog, err := s.st.CampaignProgress(ctx, cp.ID)
	if err != nil {
		return err
	}
	fbs, err := s.st.CampaignFeedback(ctx, cp.ID)
	if err != nil {
		return err
	}
	allAreas, err := s.areaCodes(r, c)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, a := range allAreas {
		names[a.Code] = a.Name
	}
	users, err := s.st.Users(ctx, c.orgID)
	if err != nil {
		return err
	}
	var surveyors []store.User
	userName := map[int64]string{}
	for _, u := range users {
		userName[u.ID] = orElse(u.Name, u.Email)
		if canCollect(u.Role) && !u.Disabled {
			surveyors = append(surveyors, u)
		}
	}
	// progress per area (every collector) and per surveyor (their assigned areas)
	perArea := map[string]int{}
	perSurveyorArea := map[[2]string]int{}
	perSurveyor := map[int64]int{}
	total := 0
	for _, p := range prog {
		perArea[p.AreaCode] += p.Responses
		perSurveyorArea[[2]string{strconv.FormatInt(p.SurveyorID, 10), p.AreaCode}] += p.Responses
		perSurveyor[p.SurveyorID] += p.Responses
		total += p.Responses
	}
	var areaBars []bar
	targetSum := 0
	for _, a := range cp.Areas {
		b := newBar(orElse(names[a.Code], a.Code), perArea[a.Code], a.Target)
		b.Sub, b.Key = a.Code, a.Code
		areaBars = append(areaBars, b)
		targetSum += a.Target
	}
	type surveyorAgg struct {
		target, done int
		roles, areas []string
	}
	agg := map[int64]*surveyorAgg{}
	var order []int64
	for _, a := range as {
		g := agg[a.UserID]
		if g == nil {
			g = &surveyorAgg{}
			agg[a.UserID] = g
			order = append(order, a.UserID)
		}
		g.target += a.Target
		g.done += perSurveyorArea[[2]string{strconv.FormatInt(a.UserID, 10), a.AreaCode}]
		if !slices.Contains(g.roles, a.Role) && a.Role != "" {
			g.roles = append(g.roles, a.Role)
		}
		g.areas = append(g.areas, a.AreaCode)
	}
	var surveyorBars []bar
	for _, id := range order {
		g := agg[id]
		b := newBar(userName[id], g.done, g.target)
		b.Sub, b.Role = strings.Join(g.areas, ", "), strings.Join(g.roles, ", ")
		surveyorBars = append(surveyorBars, b)
	}
	roles, common := campaignRoles(d, cp, c.lang)
	if flash == "" {
		flash = s.campaignEditFlash(r, c, perArea)
	}
	issued, used, err := s.st.TokenCounts(ctx, sv.ID)
	if err != nil {
		return err
	}
	formURL := s.baseURL(r) + "/surveys/" + strconv.FormatInt(sv.ID, 10) + "/form?campaign=" + strconv.FormatInt(cp.ID, 10)
	var qr template.HTML
	if sv.Access == survey.AccessPublic {
		if qr, err = qrSVG(formURL, 4); err != nil {
			return err
		}
	}
	return s.render(w, r, c, "campaign", 200, &page{Title: cp.Name, Active: "surveys", Flash: flash, Data: map[string]any{
		"Campaign": cp, "Survey": sv, "Assignments": as, "AreaBars": areaBars, "SurveyorBars": surveyorBars, "Total": newBar("", total, targetSum),
		"Unassigned": perSurveyor[0], "Feedback": fbs, "AreaNames": names, "Surveyors": surveyors, "Roles": roles, "Common": common,
		"CanManage": canManageSurveys(c.role), "OwnRoles": len(cp.RoleModules) > 0, "FormURL": formURL, "QR": qr, "Links": links, "Issued": issued, "Used": used,
		"Active": cp.Active(s.now().Format(time.DateOnly)), "Simulated": sv.Simulated, "ResultsURL": "/surveys/" + strconv.FormatInt(sv.ID, 10) + "/results",
	}})
}

func orElse(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (s *Server) addAssignment(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := requireManager(c); err != nil {
		return err
	}
	cp, _, d, err := s.loadCampaign(r, c)
	if err != nil {
		return err
	}
	uid, _ := strconv.ParseInt(r.PostFormValue("user"), 10, 64)
	target, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("target")))
	if err != nil {
		return apperr.New(apperr.Invalid, "target: give a whole number of responses")
	}
	role := r.PostFormValue("role")
	if role != "" && !slices.Contains(d.Roles(), role) {
		return apperr.New(apperr.Invalid, "role %q is not a surveyor group of this survey's modules (%s)", role, strings.Join(d.Roles(), ", "))
	}
	var n int
	for _, area := range r.PostForm["areas"] {
		if _, err := s.st.SetAssignment(r.Context(), c.orgID, store.Assignment{CampaignID: cp.ID, UserID: uid, Role: role, AreaCode: area, Target: target}); err != nil {
			return err
		}
		n++
	}
	if n == 0 {
		return apperr.New(apperr.Invalid, "areas: choose at least one area")
	}
	s.audit(r, c, "campaign.assign", strconv.FormatInt(cp.ID, 10), fmt.Sprintf("user=%d role=%q areas=%s target=%d", uid, role, strings.Join(r.PostForm["areas"], ","), target))
	http.Redirect(w, r, "/campaigns/"+strconv.FormatInt(cp.ID, 10)+"#assignments", http.StatusSeeOther)
	return nil
}

func (s *Server) deleteAssignment(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := requireManager(c); err != nil {
		return err
	}
	cp, _, _, err := s.loadCampaign(r, c)
	if err != nil {
		return err
	}
	aid, err := strconv.ParseInt(r.PostFormValue("assignment"), 10, 64)
	if err != nil || aid <= 0 {
		return apperr.New(apperr.Invalid, "assignment: which one?")
	}
	if err := s.st.DeleteAssignment(r.Context(), c.orgID, cp.ID, aid); err != nil {
		return err
	}
	s.audit(r, c, "campaign.unassign", strconv.FormatInt(cp.ID, 10), "assignment="+strconv.FormatInt(aid, 10))
	http.Redirect(w, r, "/campaigns/"+strconv.FormatInt(cp.ID, 10)+"#assignments", http.StatusSeeOther)
	return nil
}

// ---------------------------------------------------------------- one-time links and QR codes

type oneTimeLink struct {
	URL string
	QR  template.HTML
}

// makeLinks issues n one-time links of a token survey; the tokens are shown
// this once (the store keeps their SHA-256 only).
func (s *Server) makeLinks(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := requireManager(c); err != nil {
		return err
	}
	cp, sv, _, err := s.loadCampaign(r, c)
	if err != nil {
		return err
	}
	if sv.Access != survey.AccessToken {
		return apperr.New(apperr.Invalid, "one-time links are for surveys whose access is 'token' (this one is %s)", sv.Access)
	}
	n, err := strconv.Atoi(r.PostFormValue("n"))
	if err != nil || n < 1 || n > maxLinksPerBatch {
		return apperr.New(apperr.Invalid, "number of links: 1 to %d", maxLinksPerBatch)
	}
	tokens := make([]string, n)
	for i := range tokens {
		if tokens[i], err = auth.NewToken(rand.Reader, 16); err != nil {
			return err
		}
	}
	if err := s.st.AddSurveyTokens(r.Context(), sv.ID, cp.ID, tokens); err != nil {
		return err
	}
	s.audit(r, c, "campaign.links", strconv.FormatInt(cp.ID, 10), fmt.Sprintf("survey=%d links=%d", sv.ID, n))
	links := make([]oneTimeLink, n)
	base := s.baseURL(r) + "/surveys/" + strconv.FormatInt(sv.ID, 10) + "/form?t="
	for i, t := range tokens {
		links[i].URL = base + t
		if links[i].QR, err = qrSVG(links[i].URL, 3); err != nil {
			return err
		}
	}
	return s.renderCampaign(w, r, c, links, s.cat.T(c.lang, "campaign.links_made", "n", n))
}

// qrSVG draws a QR code (error correction M) as inline SVG, one path of
// unit squares with a 4-module quiet zone; scale sets the size in CSS pixels
// per module.
func qrSVG(content string, scale int) (template.HTML, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return "", err
	}
	q.DisableBorder = true
	bm := q.Bitmap()
	n := len(bm)
	size := n + 8
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="QR code: %s" shape-rendering="crispEdges">`,
		size, size, size*scale, size*scale, template.HTMLEscapeString(content))
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, size, size)
	for y, row := range bm {
		for x, dark := range row {
			if dark {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x+4, y+4)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String()), nil
}

// surveyQR serves the QR code of a public survey's form link (or of a
// campaign's, with ?campaign=ID) as an SVG file, for posters.
func (s *Server) surveyQR(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	sv, _, err := s.loadSurvey(r, c)
	if err != nil {
		return err
	}
	if sv.Access != survey.AccessPublic {
		return apperr.New(apperr.Invalid, "only a public survey has one link for everyone (this one is %s)", sv.Access)
	}
	u := s.baseURL(r) + "/surveys/" + strconv.FormatInt(sv.ID, 10) + "/form"
	if id, _ := strconv.ParseInt(r.URL.Query().Get("campaign"), 10, 64); id > 0 {
		cp, err := s.st.CampaignByID(r.Context(), c.orgID, id)
		if err != nil || cp.SurveyID != sv.ID {
			return apperr.New(apperr.NotFound, "this survey has no campaign %d", id)
		}
		u += "?campaign=" + strconv.FormatInt(id, 10)
	}
	svg, err := qrSVG(u, 8)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Content-Disposition", `inline; filename="survey-`+strconv.FormatInt(sv.ID, 10)+`-qr.svg"`)
	_, err = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+string(svg))
	return err
}

// ---------------------------------------------------------------- feedback and contacts (JSON, from the form)

type feedbackIn struct {
	Area         string `json:"area"`
	SessionDate  string `json:"session_date"`
	Observed     string `json:"observed"`
	Difficulties string `json:"difficulties"`
}

func decodeJSONBody(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, surveyMaxBody))
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		msg := "the body is not the JSON object expected"
		if errors.As(err, &se) {
			msg += " (at byte " + strconv.FormatInt(se.Offset, 10) + ")"
		}
		return apperr.New(apperr.Invalid, "%s", msg)
	}
	return nil
}

// apiFeedback stores a surveyor's session feedback once per Idempotency-Key.
func (s *Server) apiFeedback(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r, "id", "campaign")
	if err != nil {
		return err
	}
	cp, err := s.st.CampaignByID(r.Context(), c.orgID, id)
	if err != nil {
		return err
	}
	if ok, err := s.st.RateLimit(r.Context(), "feedback:user:"+strconv.FormatInt(c.user.ID, 10), surveyPostPerUser, surveyWindow); err != nil {
		return err
	} else if !ok {
		return apperr.New(apperr.RateLimited, "too many requests: wait a minute and send again (with the same Idempotency-Key)")
	}
	var in feedbackIn
	if err := decodeJSONBody(r, &in); err != nil {
		return err
	}
	if in.Area != "" && len(cp.Areas) > 0 && !cp.HasArea(in.Area) {
		return apperr.New(apperr.Invalid, "area: %s is not one of the campaign's areas", in.Area)
	}
	f, created, err := s.st.AddFeedback(r.Context(), store.Feedback{CampaignID: cp.ID, SurveyorID: c.user.ID, AreaCode: in.Area, SessionDate: in.SessionDate,
		Observed: in.Observed, Difficulties: in.Difficulties, IdemKey: r.Header.Get("Idempotency-Key")})
	if err != nil {
		return err
	}
	if created {
		s.audit(r, c, "campaign.feedback", strconv.FormatInt(cp.ID, 10), "feedback="+strconv.FormatInt(f.ID, 10))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		return json.NewEncoder(w).Encode(map[string]any{"id": f.ID, "created": true})
	}
	return writeJSON(w, map[string]any{"id": f.ID, "created": false})
}

type contactIn struct {
	Contact  string `json:"contact"`
	Campaign int64  `json:"campaign"`
	Token    string `json:"token"`
}

// apiContact stores a contact detail a respondent chose to leave, apart
// from their answers (no link between the two), once per Idempotency-Key.
func (s *Server) apiContact(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	sv, _, err := s.loadSurvey(r, c)
	if err != nil {
		return err
	}
	if ok, err := s.st.RateLimit(ctx, "contact:ip:"+clientIP(r), contactPerIP, surveyWindow); err != nil {
		return err
	} else if !ok {
		return apperr.New(apperr.RateLimited, "too many requests from here: wait a minute and send again")
	}
	var in contactIn
	if err := decodeJSONBody(r, &in); err != nil {
		return err
	}
	if in.Campaign == 0 && in.Token != "" {
		if tok, err := s.st.TokenState(ctx, sv.ID, in.Token); err == nil {
			in.Campaign = tok.CampaignID
		}
	}
	if in.Campaign == 0 {
		return apperr.New(apperr.Invalid, "campaign: contacts are collected only for a campaign that asks for them")
	}
	cp, err := s.st.CampaignByID(ctx, c.orgID, in.Campaign)
	if err != nil || cp.SurveyID != sv.ID || cp.ContactPurpose == "" {
		return apperr.New(apperr.Invalid, "campaign: this campaign does not collect contact details")
	}
	ct, err := s.st.AddContact(ctx, store.Contact{SurveyID: sv.ID, CampaignID: cp.ID, Contact: in.Contact, Purpose: cp.ContactPurpose}, r.Header.Get("Idempotency-Key"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	return json.NewEncoder(w).Encode(map[string]any{"id": ct.ID, "stored_apart": true})
}

// ---------------------------------------------------------------- contacts (admin)

func (s *Server) contactsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	var cs []store.Contact
	if q != "" {
		var err error
		if cs, err = s.st.Contacts(r.Context(), c.orgID, q, 200); err != nil {
			return err
		}
	}
	flash := ""
	if r.URL.Query().Get("deleted") != "" {
		flash = s.cat.T(c.lang, "campaign.contact_deleted")
	}
	return s.render(w, r, c, "campaign_contacts", 200, &page{Title: s.cat.T(c.lang, "campaign.contacts_title"), Active: "admin", Flash: flash,
		Data: map[string]any{"Q": q, "Contacts": cs}})
}

func (s *Server) deleteContact(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r, "id", "contact")
	if err != nil {
		return err
	}
	if err := s.st.DeleteContact(r.Context(), c.orgID, id); err != nil {
		return err
	}
	// the audit log names the record, never the contact detail itself
	s.audit(r, c, "survey.contact_delete", strconv.FormatInt(id, 10), "erased on request")
	http.Redirect(w, r, "/admin/contacts?deleted=1", http.StatusSeeOther)
	return nil
}

// campaignRoutes: campaign pages for staff (the handlers check who may
// change what), the form's feedback and contact endpoints, QR codes, and
// the admin's contacts page.
func (s *Server) campaignRoutes() []route {
	return []route{
		{"GET /campaigns", auth.PermViewAggregates, false, s.campaignsPage},
		{"POST /campaigns", auth.PermManageSurveys, false, s.createCampaign},
		{"GET /campaigns/{id}", auth.PermViewAggregates, false, s.campaignPage},
		{"POST /campaigns/{id}/assignments", auth.PermManageSurveys, false, s.addAssignment},
		{"POST /campaigns/{id}/unassign", auth.PermManageSurveys, false, s.deleteAssignment},
		{"POST /campaigns/{id}/links", auth.PermManageSurveys, false, s.makeLinks},
		{"POST /api/v1/campaigns/{id}/feedback", auth.PermCollect, true, s.apiFeedback},
		{"POST /api/v1/surveys/{id}/contacts", auth.PermPublic, true, s.apiContact},
		{"GET /surveys/{id}/qr.svg", auth.PermPublic, true, s.surveyQR},
		{"GET /admin/contacts", auth.PermManageUsers, false, s.contactsPage},
		{"POST /admin/contacts/{id}/delete", auth.PermManageUsers, false, s.deleteContact},
		// survey management: list, XLSForm, builder (campaigns_surveys.go)
		{"GET /surveys", auth.PermViewAggregates, false, s.surveysPage},
		{"POST /surveys/import", auth.PermManageSurveys, false, s.importXLSFormPage},
		{"GET /api/v1/surveys/{id}/xlsform", auth.PermPublic, true, s.apiXLSFormExport},
		{"POST /api/v1/surveys/xlsform", auth.PermManageSurveys, true, s.apiXLSFormImport},
		{"GET /surveys/new", auth.PermManageSurveys, false, s.builderPage},
		{"POST /surveys/new", auth.PermManageSurveys, false, s.builderSave},
	}
}
