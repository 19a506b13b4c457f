package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// The submission path of survey responses (POST /api/v1/surveys/{id}/responses)
// runs once per response under load (docs/benchmarks.md, "Survey
// submissions"): these calls do what it needs in as few statements and
// write transactions as possible.

const responseByKeySQL = `SELECT ` + responseCols + ` FROM survey_responses WHERE survey_id = $1 AND idem_key = $2`

// rateHit counts one hit of h in its fixed window and returns the hits of
// the window so far (this one included); q runs the statement.
func (s *Store) rateHit(q func(query string, args ...any) scanner, h RateHit) (int, error) {
	b, start := rateWindow(s.now(), h)
	var hits int
	err := q(rateLimitSQL, b, start).Scan(&hits)
	return hits, err
}

// SurveyCurrent returns a survey of the organisation with its current
// definition in one query, as SurveyByID but without counting its
// responses (Responses is 0): the submission path does not need the count.
func (s *Store) SurveyCurrent(ctx context.Context, orgID, id int64) (Survey, error) {
	var sv Survey
	var created, updated int64
	var def string
	err := s.queryRow(ctx, s.r, `SELECT s.id, s.org_id, s.title, s.access, s.simulated, s.version, s.created_at, s.updated_at, v.definition
		FROM surveys s JOIN survey_versions v ON v.survey_id = s.id AND v.version = s.version
		WHERE s.id = $1 AND s.org_id = $2`, id, orgID).Scan(&sv.ID, &sv.OrgID, &sv.Title, &sv.Access, &sv.Simulated, &sv.Version, &created, &updated, &def)
	if err != nil {
		return Survey{}, notFound(err, "survey")
	}
	sv.CreatedAt, sv.UpdatedAt, sv.Definition = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC(), []byte(def)
	return sv, nil
}

// AddSurveyResponseLimited counts one hit of l and, when the hit is within
// the limit, stores r as AddSurveyResponse does, both in one write
// transaction. allowed is false when the limit is exceeded: then nothing
// is stored (the hit is counted, as RateLimit counts refused hits).
func (s *Store) AddSurveyResponseLimited(ctx context.Context, r SurveyResponse, l RateHit) (stored SurveyResponse, created, allowed bool, err error) {
	if err := checkResponse(&r); err != nil {
		return SurveyResponse{}, false, false, err
	}
	for _, q := range []string{rateLimitSQL, insertResponse, responseByKeySQL} { // before the transaction: see queryRowTx
		if _, err := s.prepared(ctx, s.w, q); err != nil {
			return SurveyResponse{}, false, false, err
		}
	}
	now := s.now()
	err = s.groupTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		stored, created, allowed = SurveyResponse{}, false, false
		hits, err := s.rateHit(func(q string, args ...any) scanner { return s.queryRowTx(ctx, tx, q, args...) }, l)
		if err != nil {
			return err
		}
		if allowed = hits <= l.Limit; !allowed {
			return nil // commit the counted hit
		}
		var id int64
		err = s.queryRowTx(ctx, tx, insertResponse, r.SurveyID, r.Version, r.IdemKey, r.AreaCode, string(r.Answers), r.Consent, r.ConsentText,
			r.Channel, nullID(r.SurveyorID), r.Simulated, unixOrZero(r.SubmittedAt), now.Unix(), nullID(r.CampaignID)).Scan(&id)
		switch {
		case err == nil:
			r.ID, r.ReceivedAt = id, time.Unix(now.Unix(), 0).UTC()
			stored, created = r, true
			return nil
		case errors.Is(err, sql.ErrNoRows): // a response with this key exists
			stored, err = scanResponse(s.queryRowTx(ctx, tx, responseByKeySQL, r.SurveyID, r.IdemKey))
			return notFound(err, "survey response")
		}
		return err
	})
	if err != nil {
		return SurveyResponse{}, false, false, err
	}
	return stored, created, allowed, nil
}
