package store

// Open311, the public side (migration 0008_open311_public): photos of
// reports made in the browser, the e-mail outbox, the bookkeeping of which
// public updates were already queued as e-mails to their reporters, and the
// queries behind the public view of reports and the "citizen reports"
// incident dataset.

import (
	"context"
	"database/sql"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
)

// ReportPhoto is a photo attached to a report. Data is the re-encoded image
// (no metadata); it is only filled by ReportPhoto.
type ReportPhoto struct {
	ID         int64
	OrgID      int64
	RequestID  int64 // 0 until attached
	MIME       string
	Width      int
	Height     int
	Data       []byte
	Moderation string // pending, approved, hidden
	Created    time.Time
}

// SavePhoto stores a photo not yet attached to a report (AttachPhoto does
// that once the report exists) and returns its id.
func (s *Store) SavePhoto(ctx context.Context, p ReportPhoto) (int64, error) {
	if p.MIME != "image/jpeg" && p.MIME != "image/png" {
		return 0, apperr.New(apperr.Invalid, "photo type %q: only image/jpeg and image/png are kept", p.MIME)
	}
	if len(p.Data) == 0 {
		return 0, apperr.New(apperr.Invalid, "the photo is empty")
	}
	var id int64
	err := s.w.QueryRowContext(ctx, `INSERT INTO report_photos (org_id, mime, width, height, data, moderation, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		p.OrgID, p.MIME, p.Width, p.Height, base64.StdEncoding.EncodeToString(p.Data), "pending", s.now().Unix()).Scan(&id)
	return id, err
}

// AttachPhoto attaches a saved photo to the organisation's report.
func (s *Store) AttachPhoto(ctx context.Context, orgID, photoID, requestID int64) error {
	res, err := s.w.ExecContext(ctx, `UPDATE report_photos SET request_id = $1 WHERE id = $2 AND org_id = $3 AND request_id IS NULL`, requestID, photoID, orgID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.NotFound, "photo %d not found or already attached", photoID)
	}
	return nil
}

// DeletePhoto removes a photo that was never attached (the report it was
// for could not be stored).
func (s *Store) DeletePhoto(ctx context.Context, orgID, photoID int64) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM report_photos WHERE id = $1 AND org_id = $2 AND request_id IS NULL`, photoID, orgID)
	return err
}

// SweepOrphanPhotos deletes photos never attached to a report and older
// than before; it returns how many.
func (s *Store) SweepOrphanPhotos(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM report_photos WHERE request_id IS NULL AND created_at < $1`, before.Unix())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

const photoCols = `id, org_id, COALESCE(request_id, 0), mime, width, height, moderation, created_at`

func scanPhoto(sc scanner) (ReportPhoto, error) {
	var p ReportPhoto
	var created int64
	err := sc.Scan(&p.ID, &p.OrgID, &p.RequestID, &p.MIME, &p.Width, &p.Height, &p.Moderation, &created)
	p.Created = time.Unix(created, 0).UTC()
	return p, err
}

// ReportPhotos lists the photos of a report (without their bytes), oldest
// first.
func (s *Store) ReportPhotos(ctx context.Context, requestID int64) ([]ReportPhoto, error) {
	return collect(ctx, s, scanPhoto, `SELECT `+photoCols+` FROM report_photos WHERE request_id = $1 ORDER BY id`, requestID)
}

// ReportPhoto returns one photo of the organisation with its bytes.
func (s *Store) ReportPhoto(ctx context.Context, orgID, id int64) (ReportPhoto, error) {
	var p ReportPhoto
	var created int64
	var data string
	err := s.r.QueryRowContext(ctx, `SELECT `+photoCols+`, data FROM report_photos WHERE org_id = $1 AND id = $2`, orgID, id).
		Scan(&p.ID, &p.OrgID, &p.RequestID, &p.MIME, &p.Width, &p.Height, &p.Moderation, &created, &data)
	if err != nil {
		return p, notFound(err, "photo")
	}
	p.Created = time.Unix(created, 0).UTC()
	p.Data, err = base64.StdEncoding.DecodeString(data)
	return p, err
}

// ModeratePhoto sets a photo's moderation state (pending, approved,
// hidden) and records it in the report's history (internal) and the audit
// log, in one transaction.
func (s *Store) ModeratePhoto(ctx context.Context, orgID, photoID int64, moderation, actor string, userID int64, ip string) error {
	switch moderation {
	case "pending", "approved", "hidden":
	default:
		return apperr.New(apperr.Invalid, "photo moderation %q: want pending, approved or hidden", moderation)
	}
	now := s.now().Unix()
	return s.tx(ctx, func(tx *sql.Tx) error {
		var reqID int64
		var old string
		err := tx.QueryRowContext(ctx, `SELECT COALESCE(request_id, 0), moderation FROM report_photos WHERE id = $1 AND org_id = $2`, photoID, orgID).Scan(&reqID, &old)
		if err != nil {
			return notFound(err, "photo")
		}
		if old == moderation {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE report_photos SET moderation = $1 WHERE id = $2`, moderation, photoID); err != nil {
			return err
		}
		if reqID != 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO service_request_updates (request_id, at, kind, status, description, public, actor)
				SELECT id, $1, 'photo', status, $2, $3, $4 FROM service_requests WHERE id = $5`, now, "photo "+strconv.FormatInt(photoID, 10)+": "+moderation, false, actor, reqID); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO audit_log (at, org_id, user_id, actor, action, target, detail, ip) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			now, orgID, nullID(userID), actor, "report.photo", "report_photo:"+strconv.FormatInt(photoID, 10), old+" -> "+moderation, ip)
		return err
	})
}

// PhotoForReview is a photo awaiting moderation with its report's
// category.
type PhotoForReview struct {
	ReportPhoto
	ServiceName string
	Sensitive   bool
}

// PhotosToReview lists the organisation's attached photos in a moderation
// state (oldest first, at most limit), without their bytes.
func (s *Store) PhotosToReview(ctx context.Context, orgID int64, moderation string, limit int) ([]PhotoForReview, error) {
	return collect(ctx, s, func(sc scanner) (PhotoForReview, error) {
		var p PhotoForReview
		var created int64
		err := sc.Scan(&p.ID, &p.OrgID, &p.RequestID, &p.MIME, &p.Width, &p.Height, &p.Moderation, &created, &p.ServiceName, &p.Sensitive)
		p.Created = time.Unix(created, 0).UTC()
		return p, err
	}, `SELECT p.id, p.org_id, p.request_id, p.mime, p.width, p.height, p.moderation, p.created_at, v.name, v.sensitive
		FROM report_photos p JOIN service_requests r ON r.id = p.request_id JOIN open311_services v ON v.id = r.service_id
		WHERE p.org_id = $1 AND p.moderation = $2 ORDER BY p.id LIMIT $3`, orgID, moderation, limit)
}

// ---------------------------------------------------------------- outbox

// OutboxMail is one e-mail in the outbox.
type OutboxMail struct {
	ID        int64
	OrgID     int64
	RequestID int64
	To        string
	Subject   string
	Body      string
	Created   time.Time
	NextAt    time.Time
	Attempts  int
	Sent      time.Time
	Failed    time.Time
	LastError string
}

const outboxCols = `id, org_id, COALESCE(request_id, 0), to_addr, subject, body, created_at, next_at, attempts, sent_at, failed_at, last_error`

func scanOutbox(sc scanner) (OutboxMail, error) {
	var m OutboxMail
	var created, next, sent, failed int64
	err := sc.Scan(&m.ID, &m.OrgID, &m.RequestID, &m.To, &m.Subject, &m.Body, &created, &next, &m.Attempts, &sent, &failed, &m.LastError)
	m.Created, m.NextAt = time.Unix(created, 0).UTC(), time.Unix(next, 0).UTC()
	if sent != 0 {
		m.Sent = time.Unix(sent, 0).UTC()
	}
	if failed != 0 {
		m.Failed = time.Unix(failed, 0).UTC()
	}
	return m, err
}

func insertMail(ctx context.Context, q execQuerier, now int64, m OutboxMail) (int64, error) {
	if strings.TrimSpace(m.To) == "" {
		return 0, apperr.New(apperr.Invalid, "an e-mail needs a recipient")
	}
	var id int64
	err := q.QueryRowContext(ctx, `INSERT INTO mail_outbox (org_id, request_id, to_addr, subject, body, created_at, next_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		m.OrgID, nullID(m.RequestID), m.To, m.Subject, m.Body, now, now).Scan(&id)
	return id, err
}

// QueueMail puts an e-mail in the outbox, to be sent at once.
func (s *Store) QueueMail(ctx context.Context, m OutboxMail) (int64, error) {
	return insertMail(ctx, s.w, s.now().Unix(), m)
}

// ClaimMail returns up to limit due e-mails and moves their next attempt
// lease ahead, so that another node running at the same time does not send
// them too.
func (s *Store) ClaimMail(ctx context.Context, limit int, lease time.Duration) ([]OutboxMail, error) {
	now := s.now().Unix()
	due, err := collect(ctx, s, scanOutbox, `SELECT `+outboxCols+` FROM mail_outbox WHERE sent_at = 0 AND failed_at = 0 AND next_at <= $1 ORDER BY next_at, id LIMIT $2`, now, limit)
	if err != nil {
		return nil, err
	}
	var out []OutboxMail
	for _, m := range due {
		res, err := s.w.ExecContext(ctx, `UPDATE mail_outbox SET next_at = $1, attempts = attempts + 1 WHERE id = $2 AND next_at = $3 AND sent_at = 0`,
			now+int64(lease/time.Second), m.ID, m.NextAt.Unix())
		if err != nil {
			return out, err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			m.Attempts++
			out = append(out, m)
		}
	}
	return out, nil
}

// MailSent marks an e-mail sent and erases its recipient and body (the
// outbox keeps no personal data once it is done).
func (s *Store) MailSent(ctx context.Context, id int64) error {
	_, err := s.w.ExecContext(ctx, `UPDATE mail_outbox SET sent_at = $1, to_addr = '', body = '', last_error = '' WHERE id = $2`, s.now().Unix(), id)
	return err
}

// MailFailed records a failed attempt: the e-mail is tried again at retry,
// or, when giveUp, never again (its recipient and body are erased).
func (s *Store) MailFailed(ctx context.Context, id int64, sendErr string, retry time.Time, giveUp bool) error {
	if len(sendErr) > 500 {
		sendErr = sendErr[:500]
	}
	if giveUp {
		_, err := s.w.ExecContext(ctx, `UPDATE mail_outbox SET failed_at = $1, last_error = $2, to_addr = '', body = '' WHERE id = $3`, s.now().Unix(), sendErr, id)
		return err
	}
	_, err := s.w.ExecContext(ctx, `UPDATE mail_outbox SET next_at = $1, last_error = $2 WHERE id = $3`, retry.Unix(), sendErr, id)
	return err
}

// Outbox lists the organisation's e-mails, newest first (all organisations
// when orgID is 0).
func (s *Store) Outbox(ctx context.Context, orgID int64, limit int) ([]OutboxMail, error) {
	return collect(ctx, s, scanOutbox, `SELECT `+outboxCols+` FROM mail_outbox WHERE CAST($1 AS BIGINT) = 0 OR org_id = $1 ORDER BY id DESC LIMIT $2`, orgID, limit)
}

// ---------------------------------------------------------------- notices

// ReportNotice is a public update (status change or answer) of a report
// whose reporter gave an e-mail address, not yet queued as an e-mail.
type ReportNotice struct {
	UpdateID    int64
	RequestID   int64
	OrgID       int64
	Kind        string // status or answer
	Status      string
	Description string
	At          time.Time
	Email       string
	ServiceName string
}

// PendingNotices lists the public status changes and answers made since
// since on reports with an e-mail address that were not yet queued, oldest
// first, at most limit.
func (s *Store) PendingNotices(ctx context.Context, since time.Time, limit int) ([]ReportNotice, error) {
	return collect(ctx, s, func(sc scanner) (ReportNotice, error) {
		var n ReportNotice
		var at int64
		err := sc.Scan(&n.UpdateID, &n.RequestID, &n.OrgID, &n.Kind, &n.Status, &n.Description, &at, &n.Email, &n.ServiceName)
		n.At = time.Unix(at, 0).UTC()
		return n, err
	}, `SELECT u.id, u.request_id, r.org_id, u.kind, u.status, u.description, u.at, r.email, v.name
		FROM service_request_updates u JOIN service_requests r ON r.id = u.request_id JOIN open311_services v ON v.id = r.service_id
		WHERE u.public = $1 AND u.kind IN ('status', 'answer') AND r.email <> '' AND u.at >= $2
		AND NOT EXISTS (SELECT 1 FROM report_notified n WHERE n.update_id = u.id)
		ORDER BY u.at, u.id LIMIT $3`, true, since.Unix(), limit)
}

// NoticeMail is an e-mail telling a reporter about some updates of their
// report.
type NoticeMail struct {
	UpdateIDs []int64
	Mail      OutboxMail
}

// QueueNotices marks the updates as notified and queues their e-mails, in
// one transaction per e-mail; an e-mail whose updates another node marked
// first is not queued again. It returns how many e-mails were queued.
func (s *Store) QueueNotices(ctx context.Context, ms []NoticeMail) (int, error) {
	queued := 0
	for _, m := range ms {
		err := s.tx(ctx, func(tx *sql.Tx) error {
			now := s.now().Unix()
			fresh := 0
			for _, id := range m.UpdateIDs {
				res, err := tx.ExecContext(ctx, `INSERT INTO report_notified (update_id, at) VALUES ($1, $2) ON CONFLICT (update_id) DO NOTHING`, id, now)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n > 0 {
					fresh++
				}
			}
			if fresh == 0 {
				return nil
			}
			if _, err := insertMail(ctx, tx, now, m.Mail); err != nil {
				return err
			}
			queued++
			return nil
		})
		if err != nil {
			return queued, err
		}
	}
	return queued, nil
}

// ---------------------------------------------------------------- public view

// PublicPhotoIDs returns, for each of the given reports, the ids of its
// approved photos (the only ones the public may see).
func (s *Store) PublicPhotoIDs(ctx context.Context, orgID int64, requestIDs []int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	if len(requestIDs) == 0 {
		return out, nil
	}
	args := []any{orgID}
	var sb strings.Builder
	sb.WriteString(`SELECT request_id, id FROM report_photos WHERE org_id = $1 AND moderation = 'approved' AND request_id IN (`)
	for i, id := range requestIDs {
		if i > 0 {
			sb.WriteString(", ")
		}
		args = append(args, id)
		sb.WriteString("$" + strconv.Itoa(len(args)))
	}
	sb.WriteString(`) ORDER BY id`)
	rows, err := s.r.QueryContext(ctx, sb.String(), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var r, p int64
		if err := rows.Scan(&r, &p); err != nil {
			return nil, err
		}
		out[r] = append(out[r], p)
	}
	return out, rows.Err()
}

// AreaCategoryCount is a count of reports of one category in one area.
type AreaCategoryCount struct {
	AreaID   int64
	Category string
	Count    int64
}

// CountByAreaCategory counts a dataset's incidents per area of a layer and
// category, between from and to (inclusive; zero times do not bound).
func (s *Store) CountByAreaCategory(ctx context.Context, datasetID, layerID int64, from, to time.Time) ([]AreaCategoryCount, error) {
	lo, hi := int64(-1<<62), int64(1<<62)
	if !from.IsZero() {
		lo = from.Unix()
	}
	if !to.IsZero() {
		hi = to.Unix()
	}
	return collect(ctx, s, func(sc scanner) (AreaCategoryCount, error) {
		var c AreaCategoryCount
		err := sc.Scan(&c.AreaID, &c.Category, &c.Count)
		return c, err
	}, `SELECT ia.area_id, i.category, count(*) FROM incidents i JOIN incident_areas ia ON ia.incident_id = i.id JOIN areas a ON a.id = ia.area_id
		WHERE i.dataset_id = $1 AND a.layer_id = $2 AND i.occurred_at >= $3 AND i.occurred_at <= $4
		GROUP BY ia.area_id, i.category ORDER BY ia.area_id, i.category`, datasetID, layerID, lo, hi)
}

// CountByCategory counts a dataset's incidents per category between from
// and to (inclusive).
func (s *Store) CountByCategory(ctx context.Context, datasetID int64, from, to time.Time) (map[string]int64, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT category, count(*) FROM incidents WHERE dataset_id = $1 AND occurred_at >= $2 AND occurred_at <= $3 GROUP BY category`,
		datasetID, from.Unix(), to.Unix())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var c string
		var n int64
		if err := rows.Scan(&c, &n); err != nil {
			return nil, err
		}
		out[c] = n
	}
	return out, rows.Err()
}

// SourceIDsInArea returns the source ids of a dataset's incidents located
// in an area, newest first, at most limit.
func (s *Store) SourceIDsInArea(ctx context.Context, datasetID, areaID int64, limit int) ([]string, error) {
	return collect(ctx, s, func(sc scanner) (string, error) {
		var v string
		err := sc.Scan(&v)
		return v, err
	}, `SELECT i.source_id FROM incidents i JOIN incident_areas ia ON ia.incident_id = i.id
		WHERE i.dataset_id = $1 AND ia.area_id = $2 ORDER BY i.occurred_at DESC, i.id DESC LIMIT $3`, datasetID, areaID, limit)
}

// ---------------------------------------------------------------- citizen reports as incidents

// ReportKey is the dedupe key of a report in an incident dataset.
func ReportKey(requestID int64) string { return "open311:" + strconv.FormatInt(requestID, 10) }

// ReportsToMaterialise returns the organisation's reports that are not
// hidden nor duplicates and have no incident in the dataset yet (all of
// them when datasetID is 0), oldest first, at most limit.
func (s *Store) ReportsToMaterialise(ctx context.Context, orgID, datasetID int64, limit int) ([]ServiceRequest, error) {
	return collect(ctx, s, scanRequest, `SELECT `+requestCols+requestFrom+` WHERE r.org_id = $1 AND r.moderation <> 'hidden' AND r.status <> 'duplicate'
		AND NOT EXISTS (SELECT 1 FROM incidents i WHERE i.dataset_id = $2 AND i.ukey = 'open311:' || CAST(r.id AS TEXT))
		ORDER BY r.id LIMIT $3`, orgID, datasetID, limit)
}

// RemoveWithdrawnReports deletes from the dataset the incidents of reports
// that have since been hidden or marked duplicate; it returns how many.
func (s *Store) RemoveWithdrawnReports(ctx context.Context, orgID, datasetID int64) (int64, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM incidents WHERE dataset_id = $1 AND ukey IN
		(SELECT 'open311:' || CAST(r.id AS TEXT) FROM service_requests r WHERE r.org_id = $2 AND (r.moderation = 'hidden' OR r.status = 'duplicate'))`, datasetID, orgID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
