package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
)

// Campaign is a survey run over a period in chosen areas (docs/surveys.md).
type Campaign struct {
	ID             int64
	OrgID          int64
	SurveyID       int64
	Name           string
	StartsOn       string // YYYY-MM-DD, inclusive
	EndsOn         string // YYYY-MM-DD, inclusive
	Areas          []CampaignArea
	ContactPurpose string // respondents may leave a contact for this purpose ("" = not offered)
	// RoleModules maps a surveyor role to the names of the modules it asks
	// in this campaign; empty: the survey's own mapping (Module.Surveyors).
	RoleModules map[string][]string
	CreatedBy   int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// CampaignArea is an area of a campaign with its target number of responses.
type CampaignArea struct {
	Code   string `json:"code"`
	Target int    `json:"target"`
}

// Active reports whether day (YYYY-MM-DD) is within the campaign's period.
func (c Campaign) Active(day string) bool { return day >= c.StartsOn && day <= c.EndsOn }

// HasArea reports whether code is one of the campaign's areas.
func (c Campaign) HasArea(code string) bool {
	for _, a := range c.Areas {
		if a.Code == code {
			return true
		}
	}
	return false
}

// Assignment gives a surveyor an area, a role (the surveyors group whose
// modules they ask; "" for every module) and a target.
type Assignment struct {
	ID         int64
	CampaignID int64
	UserID     int64
	UserName   string // filled by lists
	Role       string
	AreaCode   string
	Target     int
	CreatedAt  time.Time
}

// Progress is the number of responses of a campaign per area and surveyor.
type Progress struct {
	AreaCode   string
	SurveyorID int64 // 0: without a surveyor (public link)
	Responses  int
}

// Feedback is a surveyor's note on a collection session.
type Feedback struct {
	ID           int64
	CampaignID   int64
	SurveyorID   int64
	SurveyorName string
	AreaCode     string
	SessionDate  string
	Observed     string // what they saw
	Difficulties string
	IdemKey      string
	CreatedAt    time.Time
}

// Contact is a contact detail a respondent chose to leave, stored apart from
// the responses (no link to one) and deletable on request.
type Contact struct {
	ID         int64
	SurveyID   int64
	CampaignID int64
	Contact    string
	Purpose    string
	CreatedAt  time.Time
}

// MaxFeedbackLen bounds each text of a feedback and a contact.
const MaxFeedbackLen = 4000

func isDay(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

func checkCampaign(c *Campaign) error {
	c.Name = strings.TrimSpace(c.Name)
	var bad []string
	if c.Name == "" {
		bad = append(bad, "name: give the campaign a name")
	}
	if !isDay(c.StartsOn) || !isDay(c.EndsOn) {
		bad = append(bad, "period: give the first and last day as YYYY-MM-DD")
	} else if c.EndsOn < c.StartsOn {
		bad = append(bad, "period: the last day is before the first")
	}
	seen := map[string]bool{}
	for _, a := range c.Areas {
		if a.Code == "" || seen[a.Code] {
			bad = append(bad, "areas: an area code is empty or repeated")
			break
		}
		seen[a.Code] = true
		if a.Target < 0 {
			bad = append(bad, "areas: "+a.Code+": a target cannot be negative")
		}
	}
	if len(c.ContactPurpose) > MaxFeedbackLen {
		bad = append(bad, "contact purpose: too long")
	}
	for role, mods := range c.RoleModules {
		if strings.TrimSpace(role) == "" || len(role) > 200 {
			bad = append(bad, "roles: a role name is empty or too long")
			break
		}
		for _, m := range mods {
			if m == "" {
				bad = append(bad, "roles: "+role+": a module name is empty")
				break
			}
		}
	}
	if len(bad) > 0 {
		return apperr.New(apperr.Invalid, "campaign: %s", strings.Join(bad, "; "))
	}
	if c.Areas == nil {
		c.Areas = []CampaignArea{}
	}
	if c.RoleModules == nil {
		c.RoleModules = map[string][]string{}
	}
	return nil
}

// CreateCampaign stores a campaign of a survey of the organisation.
func (s *Store) CreateCampaign(ctx context.Context, c Campaign) (Campaign, error) {
	if err := checkCampaign(&c); err != nil {
		return c, err
	}
	if _, err := s.SurveyByID(ctx, c.OrgID, c.SurveyID); err != nil {
		return c, err
	}
	areas, roles, err := campaignJSON(c)
	if err != nil {
		return c, err
	}
	now := s.now().Unix()
	var id int64
	if err := s.w.QueryRowContext(ctx, `INSERT INTO campaigns (org_id, survey_id, name, starts_on, ends_on, areas, contact_purpose, created_by, created_at, updated_at, role_modules)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10) RETURNING id`, c.OrgID, c.SurveyID, c.Name, c.StartsOn, c.EndsOn, areas,
		c.ContactPurpose, nullID(c.CreatedBy), now, roles).Scan(&id); err != nil {
		return c, err
	}
	return s.CampaignByID(ctx, c.OrgID, id)
}

func campaignJSON(c Campaign) (areas, roles string, err error) {
	a, err := json.Marshal(c.Areas)
	if err != nil {
		return "", "", err
	}
	r, err := json.Marshal(c.RoleModules)
	return string(a), string(r), err
}

// UpdateCampaign changes a campaign's name, period, areas (with their
// targets), contact purpose and role → module mapping. Assignments in areas
// the campaign no longer has are removed in the same transaction (their
// number is returned); responses are never touched: those collected in a
// removed area stay stored, in the campaign and in the survey's results.
func (s *Store) UpdateCampaign(ctx context.Context, c Campaign) (Campaign, int, error) {
	if err := checkCampaign(&c); err != nil {
		return c, 0, err
	}
	areas, roles, err := campaignJSON(c)
	if err != nil {
		return c, 0, err
	}
	removed := 0
	err = s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE campaigns SET name = $3, starts_on = $4, ends_on = $5, areas = $6, contact_purpose = $7, updated_at = $8, role_modules = $9
			WHERE id = $1 AND org_id = $2`, c.ID, c.OrgID, c.Name, c.StartsOn, c.EndsOn, areas, c.ContactPurpose, s.now().Unix(), roles)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "campaign not found")
		}
		codes := make([]any, 0, len(c.Areas)+1)
		codes = append(codes, c.ID)
		q := `DELETE FROM campaign_assignments WHERE campaign_id = $1`
		if len(c.Areas) > 0 {
			ph := make([]string, len(c.Areas))
			for i, a := range c.Areas {
				ph[i] = "$" + strconv.Itoa(i+2)
				codes = append(codes, a.Code)
			}
			q += ` AND area_code NOT IN (` + strings.Join(ph, ", ") + `)`
		}
		res, err = tx.ExecContext(ctx, q, codes...)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		removed = int(n)
		return nil
	})
	if err != nil {
		return c, 0, err
	}
	out, err := s.CampaignByID(ctx, c.OrgID, c.ID)
	return out, removed, err
}

const campaignCols = `id, org_id, survey_id, name, starts_on, ends_on, areas, contact_purpose, COALESCE(created_by, 0), created_at, updated_at, role_modules`

func scanCampaign(sc scanner) (Campaign, error) {
	var c Campaign
	var areas, roles string
	var created, updated int64
	if err := sc.Scan(&c.ID, &c.OrgID, &c.SurveyID, &c.Name, &c.StartsOn, &c.EndsOn, &areas, &c.ContactPurpose, &c.CreatedBy, &created, &updated, &roles); err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(areas), &c.Areas); err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(roles), &c.RoleModules); err != nil {
		return c, err
	}
	c.CreatedAt, c.UpdatedAt = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
	return c, nil
}

// CampaignByID returns a campaign of the organisation.
func (s *Store) CampaignByID(ctx context.Context, orgID, id int64) (Campaign, error) {
	c, err := scanCampaign(s.r.QueryRowContext(ctx, `SELECT `+campaignCols+` FROM campaigns WHERE id = $1 AND org_id = $2`, id, orgID))
	return c, notFound(err, "campaign")
}

// Campaigns lists the organisation's campaigns (of one survey when surveyID > 0), newest first.
func (s *Store) Campaigns(ctx context.Context, orgID, surveyID int64) ([]Campaign, error) {
	return collect(ctx, s, scanCampaign, `SELECT `+campaignCols+` FROM campaigns WHERE org_id = $1 AND (CAST($2 AS BIGINT) = 0 OR survey_id = $2)
		ORDER BY starts_on DESC, id DESC`, orgID, surveyID)
}

// SetAssignment adds or updates (same campaign, surveyor and area) an assignment.
func (s *Store) SetAssignment(ctx context.Context, orgID int64, a Assignment) (Assignment, error) {
	if a.AreaCode == "" || a.Target < 0 || a.UserID <= 0 {
		return a, apperr.New(apperr.Invalid, "assignment: give a surveyor, an area and a target of 0 or more")
	}
	c, err := s.CampaignByID(ctx, orgID, a.CampaignID)
	if err != nil {
		return a, err
	}
	if !c.HasArea(a.AreaCode) {
		return a, apperr.New(apperr.Invalid, "assignment: area %s is not one of the campaign's areas", a.AreaCode)
	}
	var userOrg int64
	if err := s.r.QueryRowContext(ctx, `SELECT org_id FROM users WHERE id = $1`, a.UserID).Scan(&userOrg); err != nil || userOrg != orgID {
		return a, apperr.New(apperr.Invalid, "assignment: no such surveyor in this organisation")
	}
	err = s.w.QueryRowContext(ctx, `INSERT INTO campaign_assignments (campaign_id, user_id, role, area_code, target, created_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (campaign_id, user_id, area_code) DO UPDATE SET role = excluded.role, target = excluded.target RETURNING id`,
		a.CampaignID, a.UserID, a.Role, a.AreaCode, a.Target, s.now().Unix()).Scan(&a.ID)
	return a, err
}

// DeleteAssignment removes an assignment of a campaign of the organisation.
func (s *Store) DeleteAssignment(ctx context.Context, orgID, campaignID, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM campaign_assignments WHERE id = $1 AND campaign_id = $2
		AND campaign_id IN (SELECT id FROM campaigns WHERE org_id = $3)`, id, campaignID, orgID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.NotFound, "assignment not found")
	}
	return nil
}

// Assignments lists a campaign's assignments (of one surveyor when userID > 0).
func (s *Store) Assignments(ctx context.Context, campaignID, userID int64) ([]Assignment, error) {
	return collect(ctx, s, func(sc scanner) (Assignment, error) {
		var a Assignment
		var created int64
		err := sc.Scan(&a.ID, &a.CampaignID, &a.UserID, &a.UserName, &a.Role, &a.AreaCode, &a.Target, &created)
		a.CreatedAt = time.Unix(created, 0).UTC()
		return a, err
	}, `SELECT a.id, a.campaign_id, a.user_id, CASE WHEN u.name = '' THEN u.email ELSE u.name END, a.role, a.area_code, a.target, a.created_at
		FROM campaign_assignments a JOIN users u ON u.id = a.user_id
		WHERE a.campaign_id = $1 AND (CAST($2 AS BIGINT) = 0 OR a.user_id = $2) ORDER BY a.area_code, u.name, a.id`, campaignID, userID)
}

// CampaignProgress counts a campaign's responses per area and surveyor.
func (s *Store) CampaignProgress(ctx context.Context, campaignID int64) ([]Progress, error) {
	return collect(ctx, s, func(sc scanner) (Progress, error) {
		var p Progress
		err := sc.Scan(&p.AreaCode, &p.SurveyorID, &p.Responses)
		return p, err
	}, `SELECT area_code, COALESCE(surveyor_id, 0), count(*) FROM survey_responses WHERE campaign_id = $1
		GROUP BY area_code, COALESCE(surveyor_id, 0) ORDER BY area_code, 2`, campaignID)
}

// AddFeedback stores a surveyor's session feedback once per idempotency key
// (the field form queues it offline like responses); it returns whether it was new.
func (s *Store) AddFeedback(ctx context.Context, f Feedback) (Feedback, bool, error) {
	f.Observed, f.Difficulties = strings.TrimSpace(f.Observed), strings.TrimSpace(f.Difficulties)
	switch {
	case f.IdemKey == "" || len(f.IdemKey) > MaxIdemKeyLen:
		return f, false, apperr.New(apperr.Invalid, "Idempotency-Key: give a client-generated key of 1 to %d characters", MaxIdemKeyLen)
	case f.Observed == "" && f.Difficulties == "":
		return f, false, apperr.New(apperr.Invalid, "feedback: write what you saw or what was difficult")
	case len(f.Observed) > MaxFeedbackLen || len(f.Difficulties) > MaxFeedbackLen:
		return f, false, apperr.New(apperr.Invalid, "feedback: each text is at most %d bytes", MaxFeedbackLen)
	case f.SessionDate != "" && !isDay(f.SessionDate):
		return f, false, apperr.New(apperr.Invalid, "session_date: want YYYY-MM-DD")
	}
	now := s.now().Unix()
	err := s.w.QueryRowContext(ctx, `INSERT INTO campaign_feedback (campaign_id, surveyor_id, area_code, session_date, observed, difficulties, idem_key, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (campaign_id, idem_key) DO NOTHING RETURNING id`,
		f.CampaignID, nullID(f.SurveyorID), f.AreaCode, f.SessionDate, f.Observed, f.Difficulties, f.IdemKey, now).Scan(&f.ID)
	switch {
	case err == nil:
		f.CreatedAt = time.Unix(now, 0).UTC()
		return f, true, nil
	case errors.Is(err, sql.ErrNoRows):
		var id int64
		if err := s.w.QueryRowContext(ctx, `SELECT id FROM campaign_feedback WHERE campaign_id = $1 AND idem_key = $2`, f.CampaignID, f.IdemKey).Scan(&id); err != nil {
			return f, false, err
		}
		f.ID = id
		return f, false, nil
	}
	return f, false, err
}

// CampaignFeedback lists a campaign's feedback, newest first.
func (s *Store) CampaignFeedback(ctx context.Context, campaignID int64) ([]Feedback, error) {
	return collect(ctx, s, func(sc scanner) (Feedback, error) {
		var f Feedback
		var created int64
		err := sc.Scan(&f.ID, &f.CampaignID, &f.SurveyorID, &f.SurveyorName, &f.AreaCode, &f.SessionDate, &f.Observed, &f.Difficulties, &f.IdemKey, &created)
		f.CreatedAt = time.Unix(created, 0).UTC()
		return f, err
	}, `SELECT f.id, f.campaign_id, COALESCE(f.surveyor_id, 0), COALESCE(CASE WHEN u.name = '' THEN u.email ELSE u.name END, ''), f.area_code, f.session_date,
		f.observed, f.difficulties, f.idem_key, f.created_at
		FROM campaign_feedback f LEFT JOIN users u ON u.id = f.surveyor_id WHERE f.campaign_id = $1 ORDER BY f.id DESC`, campaignID)
}

// AddSurveyTokens stores the hashes of new one-time tokens of a survey.
func (s *Store) AddSurveyTokens(ctx context.Context, surveyID, campaignID int64, tokens []string) error {
	now := s.now().Unix()
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, t := range tokens {
			if len(t) < 16 {
				return apperr.New(apperr.Invalid, "a token must have at least 16 characters")
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO survey_tokens (survey_id, campaign_id, token_hash, created_at) VALUES ($1, $2, $3, $4)`,
				surveyID, nullID(campaignID), HashToken(t), now); err != nil {
				return err
			}
		}
		return nil
	})
}

// TokenCounts returns how many one-time tokens a survey has and how many were used.
func (s *Store) TokenCounts(ctx context.Context, surveyID int64) (issued, used int, err error) {
	err = s.r.QueryRowContext(ctx, `SELECT count(*), COALESCE(sum(CASE WHEN response_id IS NULL THEN 0 ELSE 1 END), 0) FROM survey_tokens WHERE survey_id = $1`,
		surveyID).Scan(&issued, &used)
	return issued, used, err
}

// SurveyToken is a one-time token's state.
type SurveyToken struct {
	CampaignID int64
	ResponseID int64 // 0: not used yet
}

// TokenState returns the state of a token of a survey (NotFound when it is not one).
func (s *Store) TokenState(ctx context.Context, surveyID int64, token string) (SurveyToken, error) {
	var t SurveyToken
	var camp, resp sql.NullInt64
	err := s.w.QueryRowContext(ctx, `SELECT campaign_id, response_id FROM survey_tokens WHERE survey_id = $1 AND token_hash = $2`, surveyID, HashToken(token)).Scan(&camp, &resp)
	t.CampaignID, t.ResponseID = camp.Int64, resp.Int64
	return t, notFound(err, "survey link")
}

// AddTokenResponse stores r as the one response of a one-time token: the
// first response with the token is stored; a repeat with the same
// idempotency key returns it (created false); any other response with a used
// token is a Conflict.
func (s *Store) AddTokenResponse(ctx context.Context, token string, r SurveyResponse) (SurveyResponse, bool, error) {
	if err := checkResponse(&r); err != nil {
		return SurveyResponse{}, false, err
	}
	hash := HashToken(token)
	now := s.now()
	var out SurveyResponse
	created := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		// claim the token: only an unused token is updated
		res, err := tx.ExecContext(ctx, `UPDATE survey_tokens SET used_at = $3, response_id = 0 WHERE survey_id = $1 AND token_hash = $2 AND response_id IS NULL`,
			r.SurveyID, hash, now.Unix())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var resp sql.NullInt64
			if err := tx.QueryRowContext(ctx, `SELECT response_id FROM survey_tokens WHERE survey_id = $1 AND token_hash = $2`, r.SurveyID, hash).Scan(&resp); err != nil {
				return notFound(err, "survey link")
			}
			old, err := scanResponse(tx.QueryRowContext(ctx, `SELECT `+responseCols+` FROM survey_responses WHERE id = $1`, resp.Int64))
			if err == nil && old.IdemKey == r.IdemKey {
				out = old
				return nil
			}
			return apperr.New(apperr.Conflict, "this link has already been used to answer: each link takes one response")
		}
		var id int64
		if err := tx.QueryRowContext(ctx, insertResponse, r.SurveyID, r.Version, r.IdemKey, r.AreaCode, string(r.Answers), r.Consent, r.ConsentText,
			r.Channel, nullID(r.SurveyorID), r.Simulated, unixOrZero(r.SubmittedAt), now.Unix(), nullID(r.CampaignID)).Scan(&id); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return apperr.New(apperr.Conflict, "this Idempotency-Key was already used for another response")
			}
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE survey_tokens SET response_id = $3 WHERE survey_id = $1 AND token_hash = $2`, r.SurveyID, hash, id); err != nil {
			return err
		}
		r.ID, r.ReceivedAt = id, time.Unix(now.Unix(), 0).UTC()
		out, created = r, true
		return nil
	})
	return out, created, err
}

// AddContact stores a contact detail apart from the responses, once per idempotency key.
func (s *Store) AddContact(ctx context.Context, c Contact, idemKey string) (Contact, error) {
	c.Contact = strings.TrimSpace(c.Contact)
	switch {
	case c.Contact == "" || len(c.Contact) > 320:
		return c, apperr.New(apperr.Invalid, "contact: give a contact detail of at most 320 characters")
	case idemKey == "" || len(idemKey) > MaxIdemKeyLen:
		return c, apperr.New(apperr.Invalid, "Idempotency-Key: give a client-generated key of 1 to %d characters", MaxIdemKeyLen)
	}
	now := s.now().Unix()
	err := s.w.QueryRowContext(ctx, `INSERT INTO survey_contacts (survey_id, campaign_id, contact, purpose, idem_key, created_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (survey_id, idem_key) DO NOTHING RETURNING id`, c.SurveyID, nullID(c.CampaignID), c.Contact, c.Purpose, idemKey, now).Scan(&c.ID)
	if errors.Is(err, sql.ErrNoRows) {
		err = s.w.QueryRowContext(ctx, `SELECT id FROM survey_contacts WHERE survey_id = $1 AND idem_key = $2`, c.SurveyID, idemKey).Scan(&c.ID)
	}
	c.CreatedAt = time.Unix(now, 0).UTC()
	return c, err
}

// Contacts lists the organisation's stored contacts whose text contains q
// (all when q is empty), at most limit, newest first.
func (s *Store) Contacts(ctx context.Context, orgID int64, q string, limit int) ([]Contact, error) {
	return collect(ctx, s, func(sc scanner) (Contact, error) {
		var c Contact
		var created int64
		err := sc.Scan(&c.ID, &c.SurveyID, &c.CampaignID, &c.Contact, &c.Purpose, &created)
		c.CreatedAt = time.Unix(created, 0).UTC()
		return c, err
	}, `SELECT c.id, c.survey_id, COALESCE(c.campaign_id, 0), c.contact, c.purpose, c.created_at FROM survey_contacts c JOIN surveys s ON s.id = c.survey_id
		WHERE s.org_id = $1 AND ($2 = '' OR lower(c.contact) LIKE '%' || lower($2) || '%') ORDER BY c.id DESC LIMIT $3`, orgID, q, limit)
}

// DeleteContact erases a stored contact of the organisation (on the person's request).
func (s *Store) DeleteContact(ctx context.Context, orgID, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM survey_contacts WHERE id = $1 AND survey_id IN (SELECT id FROM surveys WHERE org_id = $2)`, id, orgID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.NotFound, "contact not found")
	}
	return nil
}
