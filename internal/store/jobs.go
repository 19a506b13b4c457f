package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
)

// Job is a unit of background work kept in the database, so that any node
// may run it and exactly one does: runners claim jobs with ClaimJob (FOR
// UPDATE SKIP LOCKED on PostgreSQL; SQLite's single writer makes the claim
// exclusive) and report with FinishJob. A claim is a lease: a job whose
// runner died is claimed again once the lease has run out.
type Job struct {
	ID          int64
	Kind        string
	Payload     string
	Key         string // dedupe key: enqueueing a key already present is a no-op ("" = none)
	State       string // queued, running, done, failed
	Attempts    int
	MaxAttempts int // 0 = 3
	RunAt       time.Time
	LockedBy    string
	Created     time.Time
	Finished    time.Time
	LastError   string
}

// Job states.
const (
	JobQueued  = "queued"
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// EnqueueJob adds a job (to run at j.RunAt, or now) and returns its id.
// With a Key already present it adds nothing and returns the existing id.
func (s *Store) EnqueueJob(ctx context.Context, j Job) (int64, error) {
	if strings.TrimSpace(j.Kind) == "" {
		return 0, apperr.New(apperr.Invalid, "job kind is empty")
	}
	now := s.now()
	if j.RunAt.IsZero() {
		j.RunAt = now
	}
	if j.MaxAttempts <= 0 {
		j.MaxAttempts = 3
	}
	var key any
	if j.Key != "" {
		key = j.Key
	}
	var id int64
	err := s.w.QueryRowContext(ctx, `INSERT INTO jobs (kind, payload, dedupe_key, max_attempts, run_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`, j.Kind, j.Payload, key, j.MaxAttempts, j.RunAt.Unix(), now.Unix()).Scan(&id)
	if err == sql.ErrNoRows && j.Key != "" {
		err = s.w.QueryRowContext(ctx, `SELECT id FROM jobs WHERE dedupe_key = $1`, j.Key).Scan(&id)
	}
	return id, err
}

const jobCols = `id, kind, payload, COALESCE(dedupe_key, ''), state, attempts, max_attempts, run_at, locked_by, created_at, finished_at, last_error`

func scanJob(sc scanner) (Job, error) {
	var j Job
	var runAt, created, finished int64
	err := sc.Scan(&j.ID, &j.Kind, &j.Payload, &j.Key, &j.State, &j.Attempts, &j.MaxAttempts, &runAt, &j.LockedBy, &created, &finished, &j.LastError)
	j.RunAt, j.Created = time.Unix(runAt, 0).UTC(), time.Unix(created, 0).UTC()
	if finished != 0 {
		j.Finished = time.Unix(finished, 0).UTC()
	}
	return j, err
}

// ClaimJob gives worker the next due job of one of kinds (any kind when
// kinds is empty) for lease, or ok=false when none is due.
func (s *Store) ClaimJob(ctx context.Context, worker string, kinds []string, lease time.Duration) (j Job, ok bool, err error) {
	now := s.now().Unix()
	secs := int64(lease / time.Second)
	if secs < 1 {
		secs = 1
	}
	args := []any{worker, now + secs, now}
	kindSQL := ""
	if len(kinds) > 0 {
		ps := make([]string, len(kinds))
		for i, k := range kinds {
			args = append(args, k)
			ps[i] = "$" + strconv.Itoa(len(args))
		}
		kindSQL = ` AND kind IN (` + strings.Join(ps, ", ") + `)`
	}
	row := s.w.QueryRowContext(ctx, `UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = $1, locked_until = $2
		WHERE id = (SELECT id FROM jobs WHERE ((state = 'queued' AND run_at <= $3) OR (state = 'running' AND locked_until < $3))`+kindSQL+`
		ORDER BY run_at, id LIMIT 1`+s.skipLocked()+`)
		RETURNING `+jobCols, args...)
	j, err = scanJob(row)
	if err == sql.ErrNoRows {
		return Job{}, false, nil
	}
	return j, err == nil, err
}

// FinishJob records the outcome of a claimed job: done when jobErr is nil;
// otherwise queued again (after a pause growing with the attempts) until
// its attempts are used up, then failed. It is a no-op when worker no
// longer holds the job (its lease ran out and another runner took it).
func (s *Store) FinishJob(ctx context.Context, id int64, worker string, jobErr error) error {
	now := s.now().Unix()
	if jobErr == nil {
		_, err := s.w.ExecContext(ctx, `UPDATE jobs SET state = 'done', finished_at = $1, last_error = '', locked_until = 0 WHERE id = $2 AND locked_by = $3 AND state = 'running'`, now, id, worker)
		return err
	}
	msg := jobErr.Error()
	if len(msg) > 2000 {
		msg = msg[:2000]
	}
	_, err := s.w.ExecContext(ctx, `UPDATE jobs SET last_error = $1, locked_until = 0,
		state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
		finished_at = CASE WHEN attempts >= max_attempts THEN $2 ELSE 0 END,
		run_at = $2 + 30 * attempts * attempts
		WHERE id = $3 AND locked_by = $4 AND state = 'running'`, msg, now, id, worker)
	return err
}

// Job returns a job by id.
func (s *Store) Job(ctx context.Context, id int64) (Job, error) {
	j, err := scanJob(s.r.QueryRowContext(ctx, `SELECT `+jobCols+` FROM jobs WHERE id = $1`, id))
	return j, notFound(err, "job")
}

// Jobs lists the newest jobs first, at most limit.
func (s *Store) Jobs(ctx context.Context, limit int) ([]Job, error) {
	return collect(ctx, s, scanJob, `SELECT `+jobCols+` FROM jobs ORDER BY id DESC LIMIT $1`, limit)
}

// Sweep deletes what has expired: sessions past their end, rate-limit
// windows older than a day, and finished jobs older than keepJobs. It
// returns the number of rows deleted.
func (s *Store) Sweep(ctx context.Context, keepJobs time.Duration) (int64, error) {
	now := s.now().Unix()
	var total int64
	for _, q := range []struct {
		sql string
		arg int64
	}{
		{`DELETE FROM sessions WHERE expires_at <= $1`, now},
		{`DELETE FROM rate_limits WHERE window_start < $1`, now - 86400},
		{`DELETE FROM jobs WHERE state IN ('done', 'failed') AND finished_at < $1`, now - int64(keepJobs/time.Second)},
	} {
		res, err := s.w.ExecContext(ctx, q.sql, q.arg)
		if err != nil {
			return total, err
		}
		n, _ := res.RowsAffected()
		total += n
	}
	return total, nil
}
