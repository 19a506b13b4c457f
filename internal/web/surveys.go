package web

// Surveys (docs/surveys.md): the JSON API that field forms and scripts use,
// and the phone-first field form. Who may do what:
//
//   - listing surveys, reading a definition and reading results are public
//     (results are aggregates; the public gets small cells suppressed);
//   - answering a public survey needs no sign-in (rate-limited per address);
//   - answering a field survey needs a signed-in surveyor session (roles
//     field, coordinator, analyst, admin; X-CSRF-Token header as for any
//     signed-in POST), rate-limited per surveyor.

import (
	"encoding/json"
	"errors"
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
)

// Rate limits of response submission.
const (
	surveyPostPerIP   = 60  // public surveys, per address and window
	surveyPostPerUser = 600 // field surveys, per surveyor and window
	surveyWindow      = time.Minute
	surveyMaxBody     = 256 << 10
)

// canCollect reports whether a role may submit field-survey responses.
func canCollect(r auth.Role) bool {
	switch r {
	case auth.Field, auth.Coordinator, auth.Analyst, auth.Admin:
		return true
	}
	return false
}

// loadSurvey returns the survey of the request's organisation and its
// current definition.
func (s *Server) loadSurvey(r *http.Request, c *reqCtx) (store.Survey, *survey.Definition, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return store.Survey{}, nil, apperr.New(apperr.NotFound, "survey %q not found", r.PathValue("id"))
	}
	sv, err := s.st.SurveyByID(r.Context(), c.orgID, id)
	if err != nil {
		return sv, nil, err
	}
	d, err := decodeDefinition(sv.Definition)
	return sv, d, err
}

func decodeDefinition(b []byte) (*survey.Definition, error) {
	var d survey.Definition
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, apperr.Wrap(apperr.Internal, err, "stored survey definition")
	}
	return &d, nil
}

type surveyListJSON struct {
	ID        int64  `json:"id"`
	Title     string `json:"title"`
	Access    string `json:"access"`
	Version   int    `json:"version"`
	Simulated bool   `json:"simulated"`
	Responses int64  `json:"responses"`
	Form      string `json:"form"`
	Results   string `json:"results"`
}

func (s *Server) apiSurveys(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	svs, err := s.st.Surveys(r.Context(), c.orgID)
	if err != nil {
		return err
	}
	out := make([]surveyListJSON, 0, len(svs))
	for _, sv := range svs {
		id := strconv.FormatInt(sv.ID, 10)
		out = append(out, surveyListJSON{ID: sv.ID, Title: sv.Title, Access: sv.Access, Version: sv.Version, Simulated: sv.Simulated,
			Responses: sv.Responses, Form: "/surveys/" + id + "/form", Results: "/api/v1/surveys/" + id + "/results"})
	}
	return writeJSON(w, map[string]any{"surveys": out})
}

func (s *Server) apiSurvey(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	sv, d, err := s.loadSurvey(r, c)
	if err != nil {
		return err
	}
	return writeJSON(w, map[string]any{"id": sv.ID, "version": sv.Version, "simulated": sv.Simulated, "definition": d})
}

// surveyResponseIn is the body of POST /api/v1/surveys/{id}/responses.
type surveyResponseIn struct {
	Answers     map[string]any `json:"answers"`
	Consent     bool           `json:"consent"`
	Version     int            `json:"version,omitempty"`      // the definition the form showed; default current
	SubmittedAt string         `json:"submitted_at,omitempty"` // RFC 3339, the device's clock
	Campaign    int64          `json:"campaign,omitempty"`     // the campaign collected in (field forms opened from a campaign)
	Token       string         `json:"token,omitempty"`        // the one-time link's token (token surveys)
	Lang        string         `json:"lang,omitempty"`         // the language the form was shown in (one of the survey's): the consent text stored is in it
}

type surveyResponseOut struct {
	ID         int64  `json:"id"`
	SurveyID   int64  `json:"survey_id"`
	Version    int    `json:"version"`
	Created    bool   `json:"created"`
	Area       string `json:"area,omitempty"`
	ReceivedAt string `json:"received_at"`
}

// fieldErrors answers 400 with the field-level problems of a response (409
// when the one problem is the campaign's period: see periodError).
func fieldErrors(w http.ResponseWriter, errs []survey.FieldError) error {
	if len(errs) == 1 && isPeriodError(errs[0]) {
		return fieldErrorsStatus(w, errs, http.StatusConflict, apperr.Conflict)
	}
	return fieldErrorsStatus(w, errs, http.StatusBadRequest, apperr.Invalid)
}

func fieldErrorsStatus(w http.ResponseWriter, errs []survey.FieldError, status int, code apperr.Code) error {
	msg := "invalid response"
	if len(errs) > 0 {
		msg = errs[0].Error()
		if len(errs) > 1 {
			msg += " (and " + strconv.Itoa(len(errs)-1) + " more)"
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": string(code), "message": msg, "fields": errs}})
}

// apiSurveyRespond stores one response, exactly once per Idempotency-Key.
// Every attempt counts against the rate limit, as before: a response that
// can be stored is counted in its own write transaction
// (store.AddSurveyResponseLimited: one write per submission instead of two),
// a refused one just before it is answered, so that 429 still takes
// precedence over the other errors.
func (s *Server) apiSurveyRespond(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return apperr.New(apperr.NotFound, "survey %q not found", r.PathValue("id"))
	}
	sv, err := s.st.SurveyCurrent(ctx, c.orgID, id)
	if err != nil {
		return err
	}
	lim := store.RateHit{Bucket: "survey:ip:" + clientIP(r), Limit: surveyPostPerIP, Window: surveyWindow}
	channel := "web"
	var surveyor int64
	if sv.Access == survey.AccessField {
		if c.user == nil {
			return apperr.New(apperr.Unauthorized, "this is a field survey: sign in as a surveyor")
		}
		if !canCollect(c.role) {
			return apperr.New(apperr.Forbidden, "your role (%s) may not collect survey responses", c.role)
		}
		lim.Bucket, lim.Limit, channel, surveyor = "survey:user:"+strconv.FormatInt(c.user.ID, 10), surveyPostPerUser, "field", c.user.ID
	}
	rateLimited := apperr.New(apperr.RateLimited, "too many responses from here: wait a minute and send again (with the same Idempotency-Key)")
	resp, token, ferrs, err := s.surveyResponse(r, c, sv, channel, surveyor)
	if resp == nil { // refused: count the attempt, then answer
		if ok, lerr := s.st.RateLimit(ctx, lim.Bucket, lim.Limit, lim.Window); lerr != nil {
			return lerr
		} else if !ok {
			return rateLimited
		}
		if err != nil {
			return err
		}
		return fieldErrors(w, ferrs)
	}
	var stored store.SurveyResponse
	var created bool
	if sv.Access == survey.AccessToken {
		if ok, err := s.st.RateLimit(ctx, lim.Bucket, lim.Limit, lim.Window); err != nil {
			return err
		} else if !ok {
			return rateLimited
		}
		stored, created, err = s.st.AddTokenResponse(ctx, token, *resp)
		if err != nil {
			return err
		}
	} else {
		var allowed bool
		stored, created, allowed, err = s.st.AddSurveyResponseLimited(ctx, *resp, lim)
		if err != nil {
			return err
		}
		if !allowed {
			return rateLimited
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if created {
		w.Header().Set("Location", "/api/v1/surveys/"+strconv.FormatInt(sv.ID, 10)+"/responses/"+strconv.FormatInt(stored.ID, 10))
		w.WriteHeader(http.StatusCreated)
	}
	return json.NewEncoder(w).Encode(surveyResponseOut{ID: stored.ID, SurveyID: sv.ID, Version: stored.Version, Created: created, Area: stored.AreaCode,
		ReceivedAt: stored.ReceivedAt.Format(time.RFC3339)})
}

// surveyResponse reads and checks a submitted response to sv. It returns
// the response to store (and the one-time link's token), or nil with
// either the field errors to answer or an error.
func (s *Server) surveyResponse(r *http.Request, c *reqCtx, sv store.Survey, channel string, surveyor int64) (*store.SurveyResponse, string, []survey.FieldError, error) {
	ctx := r.Context()
	key := r.Header.Get("Idempotency-Key")
	if key == "" || len(key) > store.MaxIdemKeyLen {
		return nil, "", []survey.FieldError{{Field: "Idempotency-Key", Code: "required",
			Message: "send a client-generated key (1 to " + strconv.Itoa(store.MaxIdemKeyLen) + " characters, e.g. a UUID) in the Idempotency-Key header; resend with the same key"}}, nil
	}
	var in surveyResponseIn
	dec := json.NewDecoder(io.LimitReader(r.Body, surveyMaxBody))
	if err := dec.Decode(&in); err != nil {
		var se *json.SyntaxError
		msg := "the body is not a JSON object {\"answers\": {...}, \"consent\": true}"
		if errors.As(err, &se) {
			msg += " (at byte " + strconv.FormatInt(se.Offset, 10) + ")"
		}
		return nil, "", []survey.FieldError{{Field: "body", Code: "invalid_json", Message: msg}}, nil
	}
	version, raw := sv.Version, []byte(sv.Definition)
	if in.Version != 0 && in.Version != sv.Version {
		old, err := s.st.SurveyVersion(ctx, c.orgID, sv.ID, in.Version)
		if err != nil {
			return nil, "", []survey.FieldError{{Field: "version", Code: "unknown_version", Message: "the survey has no version " + strconv.Itoa(in.Version)}}, nil
		}
		version, raw = in.Version, old
	}
	d, err := s.defs.get(sv.ID, version, raw)
	if err != nil {
		return nil, "", nil, err
	}
	var submitted time.Time
	var errs []survey.FieldError
	if in.SubmittedAt != "" {
		if submitted, err = time.Parse(time.RFC3339, in.SubmittedAt); err != nil {
			errs = append(errs, survey.FieldError{Field: "submitted_at", Code: "invalid_date", Message: "want an RFC 3339 time"})
		}
	}
	if !in.Consent {
		errs = append(errs, survey.FieldError{Field: "consent", Code: "required", Message: "a response is accepted only with the respondent's consent (\"consent\": true)"})
	}
	// one-time links: the token names the link (and its campaign)
	var camp *store.Campaign
	campaignID := in.Campaign
	if sv.Access == survey.AccessToken {
		if in.Token == "" {
			errs = append(errs, survey.FieldError{Field: "token", Code: "required", Message: "this survey is answered through a personal link: open the link you received"})
		} else {
			tok, err := s.st.TokenState(ctx, sv.ID, in.Token)
			if err != nil {
				return nil, "", []survey.FieldError{{Field: "token", Code: "unknown_token", Message: "this link is not valid for this survey"}}, nil
			}
			if tok.CampaignID != 0 {
				campaignID = tok.CampaignID
			}
		}
	}
	if campaignID != 0 {
		cp, err := s.st.CampaignByID(ctx, c.orgID, campaignID)
		if err != nil || cp.SurveyID != sv.ID {
			errs = append(errs, survey.FieldError{Field: "campaign", Code: "unknown_campaign", Message: "this survey has no campaign " + strconv.FormatInt(campaignID, 10)})
		} else {
			camp = &cp
		}
	}
	// the campaign's period (the campaign is loaded above: no extra query)
	if camp != nil {
		if fe := s.periodError(c, *camp, submitted); fe != nil {
			return nil, "", []survey.FieldError{*fe}, nil
		}
	}
	// a surveyor assigned to a campaign asks the modules of their role
	if camp != nil && surveyor != 0 {
		roles, err := s.assignedRoles(r, camp.ID, surveyor)
		if err != nil {
			return nil, "", nil, err
		}
		d = d.ForRoleModules(roles, camp.RoleModules)
	}
	var lookupErr error
	answers, ferrs := survey.Validate(d, in.Answers, survey.ValidateOptions{AreaOK: s.areaChecker(r, c, &lookupErr)})
	if lookupErr != nil {
		return nil, "", nil, lookupErr
	}
	if errs = append(errs, ferrs...); len(errs) > 0 {
		return nil, "", errs, nil
	}
	area := ""
	if q := d.AreaQuestion(); q != nil {
		area, _ = answers[q.Name].(string)
		if camp != nil && area != "" && len(camp.Areas) > 0 && !camp.HasArea(area) {
			return nil, "", []survey.FieldError{{Field: q.Name, Code: "invalid_area", Message: area + " is not one of the areas of campaign " + camp.Name}}, nil
		}
	}
	consentLang := c.lang // the consent statement the respondent saw: in the form's language when it says which
	if in.Lang != "" {
		if !slices.Contains(d.Languages, in.Lang) {
			return nil, "", []survey.FieldError{{Field: "lang", Code: "unknown_language",
				Message: "the survey has no language " + strconv.Quote(in.Lang) + " (it has " + strings.Join(d.Languages, ", ") + ")"}}, nil
		}
		consentLang = in.Lang
	}
	body, err := json.Marshal(answers)
	if err != nil {
		return nil, "", nil, err
	}
	resp := store.SurveyResponse{SurveyID: sv.ID, Version: version, IdemKey: key, AreaCode: area,
		Answers: body, Consent: true, ConsentText: d.Consent.In(consentLang, d.DefaultLang()), Channel: channel, SurveyorID: surveyor,
		Simulated: d.Simulated, SubmittedAt: submitted}
	if camp != nil {
		resp.CampaignID = camp.ID
	}
	return &resp, in.Token, nil, nil
}

// areaChecker returns whether an area code belongs to one of the
// organisation's layers (any code is accepted when it has no areas), with
// one index lookup per code answered (store.AreaCodeKnown: loading every
// area was most of a submission's cost). A failed lookup is kept in
// *lookupErr for the caller to report instead of calling the code invalid.
func (s *Server) areaChecker(r *http.Request, c *reqCtx, lookupErr *error) func(string) bool {
	return func(code string) bool {
		known, anyAreas, err := s.st.AreaCodeKnown(r.Context(), c.orgID, code)
		if err != nil && *lookupErr == nil {
			*lookupErr = err
		}
		return known || (err == nil && !anyAreas)
	}
}

func (s *Server) areaCodes(r *http.Request, c *reqCtx) ([]store.Area, error) {
	ls, err := s.st.Layers(r.Context(), c.orgID)
	if err != nil {
		return nil, err
	}
	var out []store.Area
	for _, l := range ls {
		as, err := s.st.Areas(r.Context(), c.orgID, l.ID, false)
		if err != nil {
			return nil, err
		}
		out = append(out, as...)
	}
	return out, nil
}

// storedAnswers turns stored JSON answers back into survey.Answers.
func storedAnswers(b []byte) survey.Answers {
	var raw map[string]any
	if json.Unmarshal(b, &raw) != nil {
		return nil
	}
	a := survey.Answers{}
	for k, v := range raw {
		switch x := v.(type) {
		case []any:
			ss := make([]string, 0, len(x))
			for _, e := range x {
				if s, ok := e.(string); ok {
					ss = append(ss, s)
				}
			}
			a[k] = ss
		case map[string]any:
			lat, _ := x["lat"].(float64)
			lon, _ := x["lon"].(float64)
			a[k] = survey.Point{Lat: lat, Lon: lon}
		default:
			a[k] = v
		}
	}
	return a
}

func (s *Server) apiSurveyResults(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	sv, d, err := s.loadSurvey(r, c)
	if err != nil {
		return err
	}
	rs, err := s.st.SurveyResponses(r.Context(), sv.ID)
	if err != nil {
		return err
	}
	in := make([]survey.Response, len(rs))
	for i, x := range rs {
		in[i] = survey.Response{Area: x.AreaCode, Answers: storedAnswers(x.Answers)}
	}
	res := survey.Tally(d, in, c.lang, s.suppressFor(c))
	method := "Each question: counts of the respondents who answered it (n); proportions with Wilson 95% score intervals; " +
		"means of numbers and Likert scores with Student t 95% intervals. Unweighted: no post-stratification."
	if res.SuppressBelow > 0 {
		method += " Counts from 1 to " + strconv.Itoa(res.SuppressBelow-1) + " are suppressed, as is a question's n when a suppressed cell could be derived from it, and every area with fewer responses."
	}
	if sv.Simulated {
		method += " SIMULATED DATA: these responses were generated for the demo and describe no real population."
	}
	return writeJSON(w, struct {
		SurveyID  int64  `json:"survey_id"`
		Title     string `json:"title"`
		Version   int    `json:"version"`
		Simulated bool   `json:"simulated"`
		Method    string `json:"method"`
		survey.Results
	}{sv.ID, sv.Title, sv.Version, sv.Simulated, method, res})
}

// formQuestion is a question as the field form template shows it.
type formQuestion struct {
	Name, Type, Label, Hint string
	Required, Integer       bool
	Relevant                string // JSON of the parsed expression ("" when always asked)
	Choices                 []formChoice
	Min, Max                string
}

type formChoice struct{ Value, Label string }

type formModule struct {
	Title, Surveyors string
	Questions        []formQuestion
}

// assignedRoles are the roles (surveyor groups) of a surveyor's assignments
// in a campaign; none when they have no assignment (they ask every module).
func (s *Server) assignedRoles(r *http.Request, campaignID, userID int64) ([]string, error) {
	as, err := s.st.Assignments(r.Context(), campaignID, userID)
	if err != nil {
		return nil, err
	}
	var roles []string
	for _, a := range as {
		roles = append(roles, a.Role)
	}
	return roles, nil
}

func (s *Server) surveyForm(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	sv, d, err := s.loadSurvey(r, c)
	if err != nil {
		return err
	}
	if sv.Access == survey.AccessField {
		if c.user == nil {
			return apperr.New(apperr.Unauthorized, "sign in as a surveyor")
		}
		if !canCollect(c.role) {
			return apperr.New(apperr.Forbidden, "your role (%s) may not collect survey responses", c.role)
		}
	}
	// a campaign: the surveyor's modules, the campaign's areas, session feedback
	var camp *store.Campaign
	var myAreas []string
	if id, _ := strconv.ParseInt(r.URL.Query().Get("campaign"), 10, 64); id > 0 {
		cp, err := s.st.CampaignByID(r.Context(), c.orgID, id)
		if err != nil || cp.SurveyID != sv.ID {
			return apperr.New(apperr.NotFound, "this survey has no campaign %d", id)
		}
		camp = &cp
		if c.user != nil {
			as, err := s.st.Assignments(r.Context(), cp.ID, c.user.ID)
			if err != nil {
				return err
			}
			var roles []string
			for _, a := range as {
				roles = append(roles, a.Role)
				myAreas = append(myAreas, a.AreaCode)
			}
			d = d.ForRoleModules(roles, cp.RoleModules)
		}
	}
	token := r.URL.Query().Get("t")
	if sv.Access == survey.AccessToken {
		if token == "" {
			return apperr.New(apperr.Forbidden, "%s", s.cat.T(c.lang, "campaign.token_needed"))
		}
		tok, err := s.st.TokenState(r.Context(), sv.ID, token)
		if err != nil {
			return apperr.New(apperr.NotFound, "%s", s.cat.T(c.lang, "campaign.token_invalid"))
		}
		if tok.ResponseID != 0 {
			return apperr.New(apperr.Conflict, "%s", s.cat.T(c.lang, "campaign.token_used"))
		}
		if tok.CampaignID != 0 && camp == nil {
			if cp, err := s.st.CampaignByID(r.Context(), c.orgID, tok.CampaignID); err == nil {
				camp = &cp
			}
		}
	}
	lang, def := formLanguage(r, c, d), d.DefaultLang()
	var areas []store.Area
	var mods []formModule
	for _, m := range d.Modules {
		fm := formModule{Title: m.Title.In(lang, def), Surveyors: m.Surveyors}
		for _, q := range m.Questions {
			fq := formQuestion{Name: q.Name, Type: string(q.Type), Label: q.Label.In(lang, def), Hint: q.Hint.In(lang, def), Required: q.Required, Integer: q.Integer}
			if q.Relevant != "" {
				if e, err := survey.Parse(q.Relevant); err == nil {
					b, _ := json.Marshal(e)
					fq.Relevant = string(b)
				}
			}
			for _, ch := range q.Choices {
				fq.Choices = append(fq.Choices, formChoice{ch.Value, ch.Label.In(lang, def)})
			}
			if q.Min != nil {
				fq.Min = strconv.FormatFloat(*q.Min, 'f', -1, 64)
			}
			if q.Max != nil {
				fq.Max = strconv.FormatFloat(*q.Max, 'f', -1, 64)
			}
			if q.Type == survey.Area && areas == nil {
				if areas, err = s.areaCodes(r, c); err != nil {
					return err
				}
				if camp != nil && len(camp.Areas) > 0 { // the campaign's areas, the surveyor's own first
					var in, mine []store.Area
					for _, a := range areas {
						switch {
						case slices.Contains(myAreas, a.Code):
							mine = append(mine, a)
						case camp.HasArea(a.Code):
							in = append(in, a)
						}
					}
					areas = append(mine, in...)
				}
			}
			fm.Questions = append(fm.Questions, fq)
		}
		mods = append(mods, fm)
	}
	data := map[string]any{
		"Survey": sv, "Modules": mods, "Consent": d.Consent.In(lang, def), "Areas": areas,
		"Endpoint": "/api/v1/surveys/" + strconv.FormatInt(sv.ID, 10) + "/responses", "Token": token,
		"ContactEndpoint": "/api/v1/surveys/" + strconv.FormatInt(sv.ID, 10) + "/contacts",
		"FormLang":        lang, "FormLangs": formLanguageLinks(r, d, lang), "PeriodNotice": s.formPeriodNotice(c, camp),
	}
	if lang != c.lang && slices.Contains(s.cat.Languages(), lang) { // messages of the answer in the form's language
		data["Endpoint"] = data["Endpoint"].(string) + "?lang=" + lang
	}
	if camp != nil {
		data["Campaign"] = camp
		data["MyAreas"] = myAreas
		data["FeedbackEndpoint"] = "/api/v1/campaigns/" + strconv.FormatInt(camp.ID, 10) + "/feedback"
		data["Today"] = s.now().Format(time.DateOnly)
	}
	return s.render(w, r, c, "survey_form", 200, &page{Title: d.Title.In(lang, def), Active: "surveys", Data: data})
}

// surveyServiceWorker serves static/survey-sw.js from /surveys/ so that its
// scope covers the form pages.
func (s *Server) surveyServiceWorker(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	b, err := assets.ReadFile("static/survey-sw.js")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, err = w.Write(b)
	return err
}

// surveyRoutes: definitions and results are public (results suppressed for
// the public); responses to field surveys need a surveyor session, which the
// handler checks.
func (s *Server) surveyRoutes() []route {
	return []route{
		{"GET /api/v1/surveys", auth.PermPublic, true, s.apiSurveys},
		{"GET /api/v1/surveys/{id}", auth.PermPublic, true, s.apiSurvey},
		{"POST /api/v1/surveys/{id}/responses", auth.PermPublic, true, s.apiSurveyRespond},
		{"GET /api/v1/surveys/{id}/results", auth.PermPublic, true, s.apiSurveyResults},
		{"GET /surveys/{id}/form", auth.PermPublic, false, s.surveyForm},
		{"GET /surveys/sw.js", auth.PermPublic, true, s.surveyServiceWorker}, // a script, not a page: errors as JSON
	}
}
