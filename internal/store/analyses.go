package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
)

// Analysis is one run of an analysis method (internal/analyses): its
// request, its progress while it runs and its result. An analysis with a
// name is saved: every member of the organisation may open it by its id.
type Analysis struct {
	ID       int64
	OrgID    int64
	OwnerID  int64 // 0: run without an account (command line)
	Owner    string
	Name     string
	Method   string
	Request  string // JSON
	State    string // queued, running, done, failed (the job states)
	Progress float64
	Stage    string
	Result   string // JSON ("" until done)
	Error    string
	JobID    int64
	Created  time.Time
	Updated  time.Time
	Finished time.Time
}

const analysisCols = `a.id, a.org_id, COALESCE(a.owner_id, 0), COALESCE(u.name, ''), a.name, a.method, a.request, a.state, a.progress, a.stage, a.result, a.error, a.job_id, a.created_at, a.updated_at, a.finished_at`

func scanAnalysis(sc scanner) (Analysis, error) {
	var a Analysis
	var created, updated, finished int64
	err := sc.Scan(&a.ID, &a.OrgID, &a.OwnerID, &a.Owner, &a.Name, &a.Method, &a.Request, &a.State, &a.Progress, &a.Stage, &a.Result, &a.Error, &a.JobID, &created, &updated, &finished)
	a.Created, a.Updated = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
	if finished != 0 {
		a.Finished = time.Unix(finished, 0).UTC()
	}
	return a, err
}

// CreateAnalysis records a new analysis (state a.State, or queued) and returns its id.
func (s *Store) CreateAnalysis(ctx context.Context, a Analysis) (int64, error) {
	if strings.TrimSpace(a.Method) == "" || a.OrgID == 0 {
		return 0, apperr.New(apperr.Invalid, "an analysis needs an organisation and a method")
	}
	if a.State == "" {
		a.State = JobQueued
	}
	var owner any
	if a.OwnerID != 0 {
		owner = a.OwnerID
	}
	now := s.now().Unix()
	var id int64
	err := s.w.QueryRowContext(ctx, `INSERT INTO analyses (org_id, owner_id, name, method, request, state, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
		a.OrgID, owner, strings.TrimSpace(a.Name), a.Method, a.Request, a.State, now).Scan(&id)
	return id, err
}

// Analysis returns an analysis of the organisation by id.
func (s *Store) Analysis(ctx context.Context, orgID, id int64) (Analysis, error) {
	a, err := scanAnalysis(s.r.QueryRowContext(ctx, `SELECT `+analysisCols+` FROM analyses a LEFT JOIN users u ON u.id = a.owner_id WHERE a.id = $1 AND a.org_id = $2`, id, orgID))
	return a, notFound(err, "analysis")
}

// AnalysisByID returns an analysis by id whatever its organisation (for
// the job that runs it).
func (s *Store) AnalysisByID(ctx context.Context, id int64) (Analysis, error) {
	a, err := scanAnalysis(s.r.QueryRowContext(ctx, `SELECT `+analysisCols+` FROM analyses a LEFT JOIN users u ON u.id = a.owner_id WHERE a.id = $1`, id))
	return a, notFound(err, "analysis")
}

// SavedAnalyses lists the organisation's saved analyses, newest first,
// without their results.
func (s *Store) SavedAnalyses(ctx context.Context, orgID int64, limit int) ([]Analysis, error) {
	cols := strings.Replace(analysisCols, "a.result", "''", 1)
	return collect(ctx, s, scanAnalysis, `SELECT `+cols+` FROM analyses a LEFT JOIN users u ON u.id = a.owner_id WHERE a.org_id = $1 AND a.name <> '' ORDER BY a.id DESC LIMIT $2`, orgID, limit)
}

// SetAnalysisJob records the job that runs an analysis.
func (s *Store) SetAnalysisJob(ctx context.Context, id, jobID int64) error {
	_, err := s.w.ExecContext(ctx, `UPDATE analyses SET job_id = $1, updated_at = $2 WHERE id = $3`, jobID, s.now().Unix(), id)
	return err
}

// AnalysisProgress records how far a running analysis is (0..1) and what it
// is doing. It does nothing once the analysis has finished.
func (s *Store) AnalysisProgress(ctx context.Context, id int64, progress float64, stage string) error {
	if progress < 0 || progress != progress {
		progress = 0
	}
	if progress > 1 {
		progress = 1
	}
	_, err := s.w.ExecContext(ctx, `UPDATE analyses SET state = 'running', progress = $1, stage = $2, updated_at = $3 WHERE id = $4 AND state IN ('queued', 'running')`,
		progress, stage, s.now().Unix(), id)
	return err
}

// FinishAnalysis records the result (JSON) of an analysis, or its error
// when errMsg is not empty.
func (s *Store) FinishAnalysis(ctx context.Context, id int64, result, errMsg string) error {
	state, progress := JobDone, 1.0
	if errMsg != "" {
		state, progress, result = JobFailed, 0, ""
		if len(errMsg) > 4000 {
			errMsg = errMsg[:4000]
		}
	}
	now := s.now().Unix()
	res, err := s.w.ExecContext(ctx, `UPDATE analyses SET state = $1, progress = $2, stage = '', result = $3, error = $4, updated_at = $5, finished_at = $5 WHERE id = $6`,
		state, progress, result, errMsg, now, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.NotFound, "analysis %d not found", id)
	}
	return nil
}

// SaveAnalysis names an analysis of the organisation (saving it); an empty
// name unsaves it.
func (s *Store) SaveAnalysis(ctx context.Context, orgID, id int64, name string) error {
	name = strings.TrimSpace(name)
	if len(name) > 200 {
		return apperr.New(apperr.Invalid, "name: at most 200 characters")
	}
	res, err := s.w.ExecContext(ctx, `UPDATE analyses SET name = $1, updated_at = $2 WHERE id = $3 AND org_id = $4`, name, s.now().Unix(), id, orgID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.NotFound, "analysis not found")
	}
	return nil
}

// PointFilter selects the incidents an analysis reads: one dataset of an
// organisation, optionally some categories, a date window and an area.
type PointFilter struct {
	OrgID      int64
	DatasetID  int64
	Categories []string  // any of these source categories (none: all)
	From, To   time.Time // From <= occurred_at < To (zero: open)
	AreaID     int64
}

// AnalysisPoint is an incident as an analysis sees it.
type AnalysisPoint struct {
	ID         int64
	Category   string
	Time       time.Time
	Resolution string
	HasLoc     bool
	Lon, Lat   float64
}

// AnalysisPoints calls fn with every incident matching f, in time order.
func (s *Store) AnalysisPoints(ctx context.Context, f PointFilter, fn func(AnalysisPoint) error) error {
	if f.OrgID == 0 || f.DatasetID == 0 {
		return apperr.New(apperr.Invalid, "choose a dataset")
	}
	var args []any
	add := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	w := "d.org_id = " + add(f.OrgID) + " AND i.dataset_id = " + add(f.DatasetID)
	if len(f.Categories) > 0 {
		ps := make([]string, len(f.Categories))
		for i, c := range f.Categories {
			ps[i] = add(c)
		}
		w += " AND i.category IN (" + strings.Join(ps, ", ") + ")"
	}
	if !f.From.IsZero() {
		w += " AND i.occurred_at >= " + add(f.From.Unix())
	}
	if !f.To.IsZero() {
		w += " AND i.occurred_at < " + add(f.To.Unix())
	}
	if f.AreaID != 0 {
		w += " AND i.id IN (SELECT incident_id FROM incident_areas WHERE area_id = " + add(f.AreaID) + ")"
	}
	rows, err := s.r.QueryContext(ctx, `SELECT i.id, i.category, i.occurred_at, i.resolution, i.has_loc, COALESCE(i.lon, 0), COALESCE(i.lat, 0)
		FROM incidents i JOIN datasets d ON d.id = i.dataset_id WHERE `+w+` ORDER BY i.occurred_at, i.id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var p AnalysisPoint
		var t int64
		if err := rows.Scan(&p.ID, &p.Category, &t, &p.Resolution, &p.HasLoc, &p.Lon, &p.Lat); err != nil {
			return err
		}
		p.Time = time.Unix(t, 0).UTC()
		if err := fn(p); err != nil {
			return err
		}
	}
	return rows.Err()
}

// DatasetByName returns the organisation's dataset with this name.
func (s *Store) DatasetByName(ctx context.Context, orgID int64, name string) (Dataset, error) {
	ds, err := s.Datasets(ctx, orgID)
	if err != nil {
		return Dataset{}, err
	}
	for _, d := range ds {
		if d.Name == name {
			return d, nil
		}
	}
	names := make([]string, len(ds))
	for i, d := range ds {
		names[i] = strconv.Quote(d.Name)
	}
	if len(names) == 0 {
		return Dataset{}, apperr.New(apperr.NotFound, "no dataset %q: the organisation has no datasets yet (import one with 'icarus import incidents')", name)
	}
	return Dataset{}, apperr.New(apperr.NotFound, "no dataset %q (datasets: %s)", name, strings.Join(names, ", "))
}
