package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
)

// Survey is a survey and its current version. Definitions are kept as JSON
// (survey.Definition) that the store does not interpret.
type Survey struct {
	ID         int64
	OrgID      int64
	Title      string
	Access     string // public, field or token (public with one-time links)
	Simulated  bool
	Version    int
	Definition json.RawMessage // of Version; nil in lists
	Responses  int64           // over every version
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// SurveyResponse is one stored response. It holds no name or contact
// detail of the respondent: SurveyorID is the staff member who collected it.
type SurveyResponse struct {
	ID          int64
	SurveyID    int64
	Version     int
	IdemKey     string // client-generated; a response is stored once per key and survey
	AreaCode    string
	Answers     json.RawMessage
	Consent     bool // must be true: no response is stored without consent
	ConsentText string
	Channel     string // web, field, demo
	SurveyorID  int64  // 0: none (public)
	CampaignID  int64  // 0: collected outside a campaign
	Simulated   bool
	SubmittedAt time.Time // the client's clock; zero when not given
	ReceivedAt  time.Time
}

// MaxIdemKeyLen bounds an idempotency key.
const MaxIdemKeyLen = 128

const surveyCols = `s.id, s.org_id, s.title, s.access, s.simulated, s.version, s.created_at, s.updated_at,
	(SELECT count(*) FROM survey_responses r WHERE r.survey_id = s.id)`

func scanSurvey(sc interface{ Scan(...any) error }, sv *Survey) error {
	var created, updated int64
	if err := sc.Scan(&sv.ID, &sv.OrgID, &sv.Title, &sv.Access, &sv.Simulated, &sv.Version, &created, &updated, &sv.Responses); err != nil {
		return err
	}
	sv.CreatedAt, sv.UpdatedAt = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
	return nil
}

func checkSurvey(title, access string, def []byte) error {
	if title == "" {
		return apperr.New(apperr.Invalid, "survey: title is empty")
	}
	if access != "public" && access != "field" && access != "token" {
		return apperr.New(apperr.Invalid, "survey: access %q: want public, field or token", access)
	}
	if !json.Valid(def) {
		return apperr.New(apperr.Invalid, "survey: the definition is not JSON")
	}
	return nil
}

// CreateSurvey stores a new survey with its first version.
func (s *Store) CreateSurvey(ctx context.Context, orgID int64, title, access string, simulated bool, def []byte) (Survey, error) {
	if err := checkSurvey(title, access, def); err != nil {
		return Survey{}, err
	}
	now := s.now().Unix()
	var id int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO surveys (org_id, title, access, simulated, version, created_at, updated_at)
			VALUES ($1, $2, $3, $4, 1, $5, $5) RETURNING id`, orgID, title, access, simulated, now).Scan(&id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO survey_versions (survey_id, version, definition, created_at) VALUES ($1, 1, $2, $3)`, id, string(def), now)
		return err
	})
	if err != nil {
		return Survey{}, err
	}
	return s.SurveyByID(ctx, orgID, id)
}

// UpdateSurvey changes a survey's definition. When responses exist to the
// current version it creates a new version (old responses keep theirs and
// stay readable); otherwise it replaces the current version in place.
func (s *Store) UpdateSurvey(ctx context.Context, orgID, id int64, title, access string, def []byte) (Survey, error) {
	if err := checkSurvey(title, access, def); err != nil {
		return Survey{}, err
	}
	now := s.now().Unix()
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var version int
		if err := tx.QueryRowContext(ctx, `SELECT version FROM surveys WHERE id = $1 AND org_id = $2`, id, orgID).Scan(&version); err != nil {
			return notFound(err, "survey")
		}
		var answered int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM survey_responses WHERE survey_id = $1 AND version = $2`, id, version).Scan(&answered); err != nil {
			return err
		}
		if answered > 0 {
			version++
			if _, err := tx.ExecContext(ctx, `INSERT INTO survey_versions (survey_id, version, definition, created_at) VALUES ($1, $2, $3, $4)`, id, version, string(def), now); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(ctx, `UPDATE survey_versions SET definition = $3, created_at = $4 WHERE survey_id = $1 AND version = $2`, id, version, string(def), now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE surveys SET title = $2, access = $3, version = $4, updated_at = $5 WHERE id = $1`, id, title, access, version, now)
		return err
	})
	if err != nil {
		return Survey{}, err
	}
	return s.SurveyByID(ctx, orgID, id)
}

// Surveys lists an organisation's surveys (without definitions), oldest first.
func (s *Store) Surveys(ctx context.Context, orgID int64) ([]Survey, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+surveyCols+` FROM surveys s WHERE s.org_id = $1 ORDER BY s.id`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Survey
	for rows.Next() {
		var sv Survey
		if err := scanSurvey(rows, &sv); err != nil {
			return nil, err
		}
		out = append(out, sv)
	}
	return out, rows.Err()
}

// SurveyByID returns a survey of the organisation with its current definition.
func (s *Store) SurveyByID(ctx context.Context, orgID, id int64) (Survey, error) {
	var sv Survey
	err := scanSurvey(s.r.QueryRowContext(ctx, `SELECT `+surveyCols+` FROM surveys s WHERE s.id = $1 AND s.org_id = $2`, id, orgID), &sv)
	if err != nil {
		return Survey{}, notFound(err, "survey")
	}
	sv.Definition, err = s.SurveyVersion(ctx, orgID, id, sv.Version)
	return sv, err
}

// SurveyVersion returns the definition of one version of a survey.
func (s *Store) SurveyVersion(ctx context.Context, orgID, id int64, version int) (json.RawMessage, error) {
	var def string
	err := s.r.QueryRowContext(ctx, `SELECT v.definition FROM survey_versions v JOIN surveys s ON s.id = v.survey_id
		WHERE v.survey_id = $1 AND s.org_id = $2 AND v.version = $3`, id, orgID, version).Scan(&def)
	if err != nil {
		return nil, notFound(err, "survey version")
	}
	return json.RawMessage(def), nil
}

func checkResponse(r *SurveyResponse) error {
	switch {
	case r.IdemKey == "" || len(r.IdemKey) > MaxIdemKeyLen:
		return apperr.New(apperr.Invalid, "Idempotency-Key: give a client-generated key of 1 to %d characters", MaxIdemKeyLen)
	case !r.Consent:
		return apperr.New(apperr.Invalid, "consent: a response is stored only with the respondent's consent")
	case !json.Valid(r.Answers):
		return apperr.New(apperr.Invalid, "answers: not JSON")
	case r.Version < 1:
		return apperr.New(apperr.Invalid, "response: no survey version")
	}
	if r.Channel == "" {
		r.Channel = "web"
	}
	return nil
}

func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

const insertResponse = `INSERT INTO survey_responses (survey_id, version, idem_key, area_code, answers, consent, consent_text, channel, surveyor_id, simulated, submitted_at, received_at, campaign_id)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (survey_id, idem_key) DO NOTHING RETURNING id`

// AddSurveyResponse stores r once per (survey, idempotency key): it returns
// the stored response and true when it was new, or the response stored
// earlier under the same key and false (whatever r now holds).
func (s *Store) AddSurveyResponse(ctx context.Context, r SurveyResponse) (SurveyResponse, bool, error) {
	if err := checkResponse(&r); err != nil {
		return SurveyResponse{}, false, err
	}
	now := s.now()
	var id int64
	err := s.w.QueryRowContext(ctx, insertResponse, r.SurveyID, r.Version, r.IdemKey, r.AreaCode, string(r.Answers), r.Consent, r.ConsentText,
		r.Channel, nullID(r.SurveyorID), r.Simulated, unixOrZero(r.SubmittedAt), now.Unix(), nullID(r.CampaignID)).Scan(&id)
	switch {
	case err == nil:
		r.ID, r.ReceivedAt = id, time.Unix(now.Unix(), 0).UTC()
		return r, true, nil
	case errors.Is(err, sql.ErrNoRows): // a response with this key exists
		old, err := s.responseByKey(ctx, r.SurveyID, r.IdemKey)
		return old, false, err
	}
	return SurveyResponse{}, false, err
}

// AddSurveyResponses stores many responses in one transaction (demo data,
// imports), skipping keys already stored; it returns how many were new.
func (s *Store) AddSurveyResponses(ctx context.Context, rs []SurveyResponse) (int, error) {
	added := 0
	now := s.now().Unix()
	err := s.tx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, insertResponse)
		if err != nil {
			return err
		}
		defer st.Close()
		for i := range rs {
			r := rs[i]
			if err := checkResponse(&r); err != nil {
				return err
			}
			var id int64
			err := st.QueryRowContext(ctx, r.SurveyID, r.Version, r.IdemKey, r.AreaCode, string(r.Answers), r.Consent, r.ConsentText,
				r.Channel, nullID(r.SurveyorID), r.Simulated, unixOrZero(r.SubmittedAt), now, nullID(r.CampaignID)).Scan(&id)
			switch {
			case err == nil:
				added++
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return added, nil
}

const responseCols = `id, survey_id, version, idem_key, area_code, answers, consent, consent_text, channel, surveyor_id, simulated, submitted_at, received_at, campaign_id`

func scanResponse(sc scanner) (SurveyResponse, error) {
	var r SurveyResponse
	var answers string
	var surveyor, campaign sql.NullInt64
	var sub, rec int64
	if err := sc.Scan(&r.ID, &r.SurveyID, &r.Version, &r.IdemKey, &r.AreaCode, &answers, &r.Consent, &r.ConsentText, &r.Channel, &surveyor, &r.Simulated, &sub, &rec, &campaign); err != nil {
		return r, err
	}
	r.CampaignID = campaign.Int64
	r.Answers, r.SurveyorID, r.ReceivedAt = json.RawMessage(answers), surveyor.Int64, time.Unix(rec, 0).UTC()
	if sub != 0 {
		r.SubmittedAt = time.Unix(sub, 0).UTC()
	}
	return r, nil
}

func (s *Store) responseByKey(ctx context.Context, surveyID int64, key string) (SurveyResponse, error) {
	// the writer pool: the row may have been committed an instant ago
	r, err := scanResponse(s.w.QueryRowContext(ctx, `SELECT `+responseCols+` FROM survey_responses WHERE survey_id = $1 AND idem_key = $2`, surveyID, key))
	return r, notFound(err, "survey response")
}

// SurveyResponses returns every response to a survey (all versions), oldest first.
func (s *Store) SurveyResponses(ctx context.Context, surveyID int64) ([]SurveyResponse, error) {
	return collect(ctx, s, scanResponse, `SELECT `+responseCols+` FROM survey_responses WHERE survey_id = $1 ORDER BY id`, surveyID)
}
