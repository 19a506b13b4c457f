package store

// Staff side of the Open311 service requests: the queue (filters, sorting,
// paging, counts), nearby same-category requests (duplicate suggestions),
// redaction with the original kept in the audit log, and the departments
// in use. Indexes from migration 0008_open311_staff.

import (
	"context"
	"database/sql"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
)

// StaffQuery selects requests for the staff queue. Zero fields do not
// filter.
type StaffQuery struct {
	OrgID        int64
	ServiceCodes []string
	Statuses     []string
	Moderation   []string
	Department   string
	From, To     time.Time // on requested time; To inclusive
	// BBox keeps requests whose location lies in [minLon, minLat, maxLon,
	// maxLat] (and drops those without one); nil does not filter.
	BBox *[4]float64
	// Sort is requested (default), updated, status, service or id; Desc
	// reverses it.
	Sort   string
	Desc   bool
	Limit  int // 0: no limit
	Offset int
}

// staffSort maps a sort name to its ORDER BY column.
func staffSort(name string) (string, bool) {
	switch name {
	case "", "requested":
		return "r.requested_at", true
	case "updated":
		return "r.updated_at", true
	case "status":
		return "r.status", true
	case "service":
		return "v.code", true
	case "id":
		return "r.id", true
	}
	return "", false
}

// StaffSorts lists the accepted sort names.
func StaffSorts() []string { return []string{"requested", "updated", "status", "service", "id"} }

func (q StaffQuery) where() (string, []any) {
	var sb strings.Builder
	args := []any{q.OrgID}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	in := func(col string, vals []string) {
		sb.WriteString(` AND ` + col + ` IN (`)
		for i, v := range vals {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(arg(v))
		}
		sb.WriteString(`)`)
	}
	sb.WriteString(` WHERE r.org_id = $1`)
	if len(q.ServiceCodes) > 0 {
		in("v.code", q.ServiceCodes)
	}
	if len(q.Statuses) > 0 {
		in("r.status", q.Statuses)
	}
	if len(q.Moderation) > 0 {
		in("r.moderation", q.Moderation)
	}
	if q.Department != "" {
		sb.WriteString(` AND r.department = ` + arg(q.Department))
	}
	if !q.From.IsZero() {
		sb.WriteString(` AND r.requested_at >= ` + arg(q.From.Unix()))
	}
	if !q.To.IsZero() {
		sb.WriteString(` AND r.requested_at <= ` + arg(q.To.Unix()))
	}
	if b := q.BBox; b != nil {
		sb.WriteString(` AND r.has_loc AND r.lon >= ` + arg(b[0]) + ` AND r.lat >= ` + arg(b[1]) + ` AND r.lon <= ` + arg(b[2]) + ` AND r.lat <= ` + arg(b[3]))
	}
	return sb.String(), args
}

// StaffRequests lists the requests matching q and counts all matches
// (before Limit and Offset).
func (s *Store) StaffRequests(ctx context.Context, q StaffQuery) ([]ServiceRequest, int, error) {
	col, ok := staffSort(q.Sort)
	if !ok {
		return nil, 0, apperr.New(apperr.Invalid, "sort %q: want one of %s", q.Sort, strings.Join(StaffSorts(), ", "))
	}
	where, args := q.where()
	var total int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*)`+requestFrom+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	dir := " ASC"
	if q.Desc {
		dir = " DESC"
	}
	query := `SELECT ` + requestCols + requestFrom + where + ` ORDER BY ` + col + dir + `, r.id` + dir
	if q.Limit > 0 {
		args = append(args, q.Limit, q.Offset)
		query += ` LIMIT $` + strconv.Itoa(len(args)-1) + ` OFFSET $` + strconv.Itoa(len(args))
	}
	rows, err := collect(ctx, s, scanRequest, query, args...)
	return rows, total, err
}

// ModerationCounts counts the organisation's requests per moderation state.
func (s *Store) ModerationCounts(ctx context.Context, orgID int64) (map[string]int, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT moderation, count(*) FROM service_requests WHERE org_id = $1 GROUP BY moderation`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var m string
		var n int
		if err := rows.Scan(&m, &n); err != nil {
			return nil, err
		}
		out[m] = n
	}
	return out, rows.Err()
}

// Departments lists the departments named by the organisation's services
// and requests, sorted.
func (s *Store) Departments(ctx context.Context, orgID int64) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT department FROM open311_services WHERE org_id = $1 AND department <> ''
		UNION SELECT department FROM service_requests WHERE org_id = $1 AND department <> '' ORDER BY 1`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Nearby is a request near another one, with its distance in metres.
type Nearby struct {
	ServiceRequest
	Metres float64
}

// earthRadius is the mean Earth radius in metres (haversine distances).
const earthRadius = 6371008.8

// HaversineMetres is the great-circle distance between two WGS84 points.
func HaversineMetres(lat1, lon1, lat2, lon2 float64) float64 {
	rad := math.Pi / 180
	dlat, dlon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * earthRadius * math.Asin(math.Min(1, math.Sqrt(a)))
}

// NearbyRequests returns the organisation's requests of the same service as
// q, within metres of its location and window of its requested time (either
// side), not q itself nor already merged into another, nearest first, at
// most limit. A request without a location has no neighbours.
func (s *Store) NearbyRequests(ctx context.Context, q ServiceRequest, metres float64, window time.Duration, limit int) ([]Nearby, error) {
	if !q.HasLoc || metres <= 0 {
		return nil, nil
	}
	dLat := metres / earthRadius * 180 / math.Pi
	cos := math.Cos(q.Lat * math.Pi / 180)
	if cos < 0.01 {
		cos = 0.01
	}
	dLon := dLat / cos
	from, to := q.Requested.Add(-window).Unix(), q.Requested.Add(window).Unix()
	rows, err := collect(ctx, s, scanRequest, `SELECT `+requestCols+requestFrom+` WHERE r.org_id = $1 AND r.service_id = $2 AND r.id <> $3
		AND r.duplicate_of IS NULL AND r.has_loc AND r.lat BETWEEN $4 AND $5 AND r.lon BETWEEN $6 AND $7 AND r.requested_at BETWEEN $8 AND $9
		ORDER BY r.requested_at DESC LIMIT 500`,
		q.OrgID, q.ServiceID, q.ID, q.Lat-dLat, q.Lat+dLat, q.Lon-dLon, q.Lon+dLon, from, to)
	if err != nil {
		return nil, err
	}
	var out []Nearby
	for _, r := range rows {
		if d := HaversineMetres(q.Lat, q.Lon, r.Lat, r.Lon); d <= metres {
			out = append(out, Nearby{ServiceRequest: r, Metres: d})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Metres < out[j].Metres })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// Redaction replaces the public text of a request (its description) and
// says why. The original text goes to the audit log only (admins read it),
// never to the request's history.
type Redaction struct {
	Description string // the new text
	Reason      string // required: why (e.g. "names a person")
	Actor       string
	UserID      int64
	IP          string
}

// RedactServiceRequest applies a redaction in one transaction: the new
// description, a non-public "redact" history entry with the reason, and an
// audit entry report.redact whose detail keeps the reason and the original
// text.
func (s *Store) RedactServiceRequest(ctx context.Context, orgID, id int64, x Redaction) (ServiceRequest, error) {
	x.Reason = strings.TrimSpace(x.Reason)
	if x.Reason == "" {
		return ServiceRequest{}, apperr.New(apperr.Invalid, "reason: say why the text is redacted")
	}
	now := s.now().Unix()
	err := s.tx(ctx, func(tx *sql.Tx) error {
		q, err := scanRequest(tx.QueryRowContext(ctx, `SELECT `+requestCols+requestFrom+` WHERE r.org_id = $1 AND r.id = $2`, orgID, id))
		if err != nil {
			return notFound(err, "service request")
		}
		if q.Description == x.Description {
			return apperr.New(apperr.Invalid, "description: the text is unchanged")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE service_requests SET description = $1, updated_at = $2 WHERE id = $3`, x.Description, now, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO service_request_updates (request_id, at, kind, status, description, public, actor) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			id, now, "redact", q.Status, x.Reason, false, x.Actor); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO audit_log (at, org_id, user_id, actor, action, target, detail, ip) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			now, orgID, nullID(x.UserID), x.Actor, "report.redact", "service_request:"+strconv.FormatInt(id, 10),
			"reason: "+x.Reason+"; original: "+q.Description, x.IP)
		return err
	})
	if err != nil {
		return ServiceRequest{}, err
	}
	return s.ServiceRequest(ctx, orgID, id)
}

// DuplicatesOf lists the requests merged into id (duplicate_of = id).
func (s *Store) DuplicatesOf(ctx context.Context, orgID, id int64) ([]ServiceRequest, error) {
	return collect(ctx, s, scanRequest, `SELECT `+requestCols+requestFrom+` WHERE r.org_id = $1 AND r.duplicate_of = $2 ORDER BY r.id`, orgID, id)
}

// AuditFor lists the audit entries of one target (e.g. "service_request:7"),
// newest first, at most limit.
func (s *Store) AuditFor(ctx context.Context, orgID int64, target string, limit int) ([]AuditEntry, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, at, actor, action, target, detail, ip FROM audit_log WHERE org_id = $1 AND target = $2 ORDER BY at DESC, id DESC LIMIT $3`, orgID, target, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Target, &e.Detail, &e.IP); err != nil {
			return nil, err
		}
		e.At = time.Unix(at, 0).UTC()
		e.OrgID = orgID
		out = append(out, e)
	}
	return out, rows.Err()
}

// Open311Version is a cheap fingerprint of everything the public Open311
// answers depend on: it changes when a request is
// created, when any staff change is recorded (each writes a history entry),
// when a service is edited and when an organisation is added. Answers
// cached under it stay valid until it changes (on every node: it is read
// from the shared database).
func (s *Store) Open311Version(ctx context.Context) (string, error) {
	var req, upd, svc, org int64
	err := s.queryRow(ctx, s.r, `SELECT (SELECT COALESCE(max(id), 0) FROM service_requests), (SELECT COALESCE(max(id), 0) FROM service_request_updates),
		(SELECT COALESCE(max(updated_at), 0) FROM open311_services), (SELECT COALESCE(max(id), 0) FROM orgs)`).Scan(&req, &upd, &svc, &org)
	return strconv.FormatInt(req, 10) + "." + strconv.FormatInt(upd, 10) + "." + strconv.FormatInt(svc, 10) + "." + strconv.FormatInt(org, 10), err
}

// SaveService311Audited saves a service as SaveService311 does and, when
// audit.Action is set, writes the audit entry in the same transaction.
func (s *Store) SaveService311Audited(ctx context.Context, v Service311, audit AuditEntry) (Service311, error) {
	v.Updated = s.now()
	if v.Attributes == "" {
		v.Attributes = "[]"
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO open311_services (org_id, code, name, description, grp, keywords, type, sensitive, iccs, department, notice, attributes, active, position, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
			ON CONFLICT (org_id, code) DO UPDATE SET name = excluded.name, description = excluded.description, grp = excluded.grp, keywords = excluded.keywords,
			type = excluded.type, sensitive = excluded.sensitive, iccs = excluded.iccs, department = excluded.department, notice = excluded.notice,
			attributes = excluded.attributes, active = excluded.active, position = excluded.position, updated_at = excluded.updated_at RETURNING id`,
			v.OrgID, v.Code, v.Name, v.Description, v.Group, v.Keywords, v.Type, v.Sensitive, v.ICCS, v.Department, v.Notice, v.Attributes, v.Active, v.Position, v.Updated.Unix()).Scan(&v.ID)
		if err != nil || audit.Action == "" {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO audit_log (at, org_id, user_id, actor, action, target, detail, ip) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			v.Updated.Unix(), v.OrgID, nullID(audit.UserID), audit.Actor, audit.Action, audit.Target, audit.Detail, audit.IP)
		return err
	})
	return v, err
}
