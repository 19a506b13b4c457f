package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
)

// Dataset is a named collection of incidents of one organisation.
type Dataset struct {
	ID          int64
	OrgID       int64
	Name        string
	Preset      string
	SourceCRS   string
	Attribution string
	Created     time.Time
}

// IncidentRow is an incident as stored: position in WGS84 lon/lat.
type IncidentRow struct {
	ID         int64             `json:"id"`
	DatasetID  int64             `json:"dataset_id"`
	Key        string            `json:"-"`
	SourceID   string            `json:"source_id,omitempty"`
	Category   string            `json:"category"`
	ICCS       string            `json:"iccs,omitempty"`
	Time       time.Time         `json:"time"`
	Resolution string            `json:"resolution"`
	HasLoc     bool              `json:"has_location"`
	Lon        float64           `json:"lon,omitempty"`
	Lat        float64           `json:"lat,omitempty"`
	Attrs      map[string]string `json:"attrs,omitempty"`
	AreaIDs    []int64           `json:"-"`
}

// ImportRecord is the summary of one import, kept for provenance.
type ImportRecord struct {
	ID         int64
	OrgID      int64
	Kind       string // "areas", "incidents", "indicators"
	TargetID   int64  // layer, dataset or partner id
	FileName   string
	FileSHA256 string
	Read       int
	Accepted   int
	Rejected   int
	Inserted   int
	Duplicates int
	Actor      string
	Started    time.Time
	Finished   time.Time
}

// RecordImport stores an import summary.
func (s *Store) RecordImport(ctx context.Context, r ImportRecord) (int64, error) {
	return recordImport(ctx, s.w, r)
}

type execQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func recordImport(ctx context.Context, q execQuerier, r ImportRecord) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `INSERT INTO imports (org_id, kind, target_id, file_name, file_sha256, rows_read, rows_accepted, rows_rejected, rows_inserted, rows_duplicate, actor, started_at, finished_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
		r.OrgID, r.Kind, r.TargetID, r.FileName, r.FileSHA256, r.Read, r.Accepted, r.Rejected, r.Inserted, r.Duplicates, r.Actor, r.Started.Unix(), r.Finished.Unix()).Scan(&id)
	return id, err
}

// Imports lists an organisation's imports, newest first.
func (s *Store) Imports(ctx context.Context, orgID int64, limit int) ([]ImportRecord, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, org_id, kind, target_id, file_name, file_sha256, rows_read, rows_accepted, rows_rejected, rows_inserted, rows_duplicate, actor, started_at, finished_at
		FROM imports WHERE org_id = $1 ORDER BY id DESC LIMIT $2`, orgID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ImportRecord
	for rows.Next() {
		var r ImportRecord
		var st, fi int64
		if err := rows.Scan(&r.ID, &r.OrgID, &r.Kind, &r.TargetID, &r.FileName, &r.FileSHA256, &r.Read, &r.Accepted, &r.Rejected, &r.Inserted, &r.Duplicates, &r.Actor, &st, &fi); err != nil {
			return nil, err
		}
		r.Started, r.Finished = time.Unix(st, 0).UTC(), time.Unix(fi, 0).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// IncidentImport is an open, atomic import of incidents into one dataset:
// nothing is visible to readers until Commit, and Rollback leaves nothing.
//
// Duplicates (keys already in the dataset, from an earlier import of the same
// file) are found in memory and skipped, and ids are assigned here, so rows
// go in with plain multi-row INSERTs. This is safe because the import holds
// the database's only write transaction from Begin to Commit (SQLite) or a
// lock on the incidents table that only readers get past (PostgreSQL).
type IncidentImport struct {
	s              *Store
	tx             *sql.Tx
	ctx            context.Context
	Dataset        Dataset
	keys           map[string]struct{} // keys present in the dataset or added by this import
	nextID         int64
	batch          []IncidentRow
	pairs          [][2]int64
	inserted, dups int
	importID       int64
	full           *sql.Stmt // prepared INSERT of batchRows incidents
	args           []any
}

// incidentCols are the columns written per incident, in order.
const incidentCols = 14

// batchRows is the number of incidents per INSERT statement. The SQLite
// driver looks up each parameter's name linearly when binding, so the cost of
// a statement grows with the square of its parameters: small batches of a
// reused prepared statement are fastest.
const batchRows = 8

// BeginIncidentImport opens a write transaction and creates the dataset
// (by name) when it does not exist.
func (s *Store) BeginIncidentImport(ctx context.Context, d Dataset) (*IncidentImport, error) {
	if strings.TrimSpace(d.Name) == "" {
		return nil, apperr.New(apperr.Invalid, "dataset name is empty")
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	imp := &IncidentImport{s: s, tx: tx, ctx: ctx, keys: map[string]struct{}{}}
	if err := imp.begin(d); err != nil {
		tx.Rollback()
		return nil, err
	}
	return imp, nil
}

func (imp *IncidentImport) begin(d Dataset) error {
	ctx, tx, s := imp.ctx, imp.tx, imp.s
	now := s.now().Unix()
	err := tx.QueryRowContext(ctx, `INSERT INTO datasets (org_id, name, preset, source_crs, attribution, created_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (org_id, name) DO UPDATE SET preset = excluded.preset RETURNING id, created_at, source_crs, attribution`,
		d.OrgID, d.Name, d.Preset, d.SourceCRS, d.Attribution, now).Scan(&d.ID, &now, &d.SourceCRS, &d.Attribution)
	if err != nil {
		return err
	}
	d.Created = time.Unix(now, 0).UTC()
	imp.Dataset = d
	// ids are assigned here (max+1): no other transaction may insert incidents until Commit
	if err := s.lockIncidentIDs(ctx, tx); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT ukey FROM incidents WHERE dataset_id = $1`, d.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return err
		}
		imp.keys[k] = struct{}{}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(max(id), 0) + 1 FROM incidents`).Scan(&imp.nextID); err != nil {
		return err
	}
	// the import row is written first so that every incident can name it; Commit fills in the figures
	imp.importID, err = recordImport(ctx, tx, ImportRecord{OrgID: d.OrgID, Kind: "incidents", TargetID: d.ID, Started: s.now(), Finished: s.now()})
	return err
}

// Add queues an incident, or counts it as a duplicate when its key is
// already in the dataset; rows are written in batches.
func (imp *IncidentImport) Add(r IncidentRow) error {
	if _, dup := imp.keys[r.Key]; dup {
		imp.dups++
		return nil
	}
	imp.keys[r.Key] = struct{}{}
	r.ID = imp.nextID
	imp.nextID++
	for _, a := range r.AreaIDs {
		imp.pairs = append(imp.pairs, [2]int64{r.ID, a})
	}
	imp.batch = append(imp.batch, r)
	if len(imp.batch) >= batchRows {
		return imp.flush()
	}
	return nil
}

// insertSQL returns the multi-row INSERT for n incidents.
func (imp *IncidentImport) insertSQL(n int) string {
	var sb strings.Builder
	sb.WriteString(`INSERT INTO incidents (id, dataset_id, ukey, source_id, category, iccs, occurred_at, ym, resolution, has_loc, lon, lat, attrs, import_id) VALUES `)
	for i := 0; i < n; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(placeholders(imp.s.dialect, i*incidentCols, incidentCols))
	}
	return sb.String()
}

func (imp *IncidentImport) flush() error {
	if len(imp.batch) == 0 {
		return nil
	}
	var stmt *sql.Stmt
	var err error
	if len(imp.batch) == batchRows {
		if imp.full == nil {
			if imp.full, err = imp.tx.PrepareContext(imp.ctx, imp.insertSQL(batchRows)); err != nil {
				return err
			}
		}
		stmt = imp.full
	} else {
		if stmt, err = imp.tx.PrepareContext(imp.ctx, imp.insertSQL(len(imp.batch))); err != nil {
			return err
		}
		defer stmt.Close()
	}
	args := imp.args[:0]
	for _, r := range imp.batch {
		var lon, lat any
		if r.HasLoc {
			lon, lat = r.Lon, r.Lat
		}
		attrs := ""
		if len(r.Attrs) > 0 {
			b, err := json.Marshal(r.Attrs)
			if err != nil {
				return err
			}
			attrs = string(b)
		}
		t := r.Time.UTC()
		args = append(args, r.ID, imp.Dataset.ID, r.Key, r.SourceID, r.Category, r.ICCS, t.Unix(), t.Year()*100+int(t.Month()), r.Resolution, r.HasLoc, lon, lat, attrs, imp.importID)
	}
	imp.args = args
	if _, err := stmt.ExecContext(imp.ctx, args...); err != nil {
		return err
	}
	imp.inserted += len(imp.batch)
	imp.batch = imp.batch[:0]
	if len(imp.pairs) >= 4096 {
		if err := insertPairs(imp.ctx, imp.tx, imp.s.dialect, `INSERT INTO incident_areas (incident_id, area_id) VALUES `, imp.pairs); err != nil {
			return err
		}
		imp.pairs = imp.pairs[:0]
	}
	return nil
}

// Commit writes what is queued, records the import and commits. It returns
// the numbers of inserted and already present incidents.
func (imp *IncidentImport) Commit(rec ImportRecord) (inserted, duplicates int, err error) {
	defer func() {
		if err != nil {
			imp.tx.Rollback()
		}
	}()
	if err := imp.flush(); err != nil {
		return 0, 0, err
	}
	if imp.full != nil {
		imp.full.Close()
	}
	if err := insertPairs(imp.ctx, imp.tx, imp.s.dialect, `INSERT INTO incident_areas (incident_id, area_id) VALUES `, imp.pairs); err != nil {
		return 0, 0, err
	}
	rec.Inserted, rec.Duplicates = imp.inserted, imp.dups
	if _, err := imp.tx.ExecContext(imp.ctx, `UPDATE imports SET file_name = $1, file_sha256 = $2, rows_read = $3, rows_accepted = $4, rows_rejected = $5,
		rows_inserted = $6, rows_duplicate = $7, actor = $8, started_at = $9, finished_at = $10 WHERE id = $11`,
		rec.FileName, rec.FileSHA256, rec.Read, rec.Accepted, rec.Rejected, rec.Inserted, rec.Duplicates, rec.Actor, rec.Started.Unix(), rec.Finished.Unix(), imp.importID); err != nil {
		return 0, 0, err
	}
	if imp.inserted > 0 {
		if err := imp.s.syncIDSequence(imp.ctx, imp.tx, "incidents"); err != nil {
			return 0, 0, err
		}
	}
	return imp.inserted, imp.dups, imp.tx.Commit()
}

// Rollback abandons the import; nothing of it stays.
func (imp *IncidentImport) Rollback() { imp.tx.Rollback() }

// Datasets lists an organisation's datasets.
func (s *Store) Datasets(ctx context.Context, orgID int64) ([]Dataset, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, org_id, name, preset, source_crs, attribution, created_at FROM datasets WHERE org_id = $1 ORDER BY id`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Dataset
	for rows.Next() {
		var d Dataset
		var c int64
		if err := rows.Scan(&d.ID, &d.OrgID, &d.Name, &d.Preset, &d.SourceCRS, &d.Attribution, &c); err != nil {
			return nil, err
		}
		d.Created = time.Unix(c, 0).UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}

// CategoryCount is the number of incidents of one category.
type CategoryCount struct {
	Category string `json:"category"`
	ICCS     string `json:"iccs"`
	Count    int64  `json:"count"`
}

// DatasetSummary describes a dataset's contents.
type DatasetSummary struct {
	Dataset    Dataset
	Incidents  int64
	Located    int64
	First      time.Time
	Last       time.Time
	Categories []CategoryCount
	Resolution map[string]int64 // resolution → count
}

// DatasetSummaries summarises every dataset of an organisation.
func (s *Store) DatasetSummaries(ctx context.Context, orgID int64) ([]DatasetSummary, error) {
	ds, err := s.Datasets(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := make([]DatasetSummary, 0, len(ds))
	for _, d := range ds {
		sum := DatasetSummary{Dataset: d, Resolution: map[string]int64{}}
		var first, last sql.NullInt64
		err := s.r.QueryRowContext(ctx, `SELECT count(*), COALESCE(sum(CASE WHEN has_loc THEN 1 ELSE 0 END), 0), min(occurred_at), max(occurred_at) FROM incidents WHERE dataset_id = $1`, d.ID).
			Scan(&sum.Incidents, &sum.Located, &first, &last)
		if err != nil {
			return nil, err
		}
		if first.Valid {
			sum.First, sum.Last = time.Unix(first.Int64, 0).UTC(), time.Unix(last.Int64, 0).UTC()
		}
		rows, err := s.r.QueryContext(ctx, `SELECT category, iccs, count(*) FROM incidents WHERE dataset_id = $1 GROUP BY category, iccs ORDER BY count(*) DESC, category`, d.ID)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var c CategoryCount
			if err := rows.Scan(&c.Category, &c.ICCS, &c.Count); err != nil {
				rows.Close()
				return nil, err
			}
			sum.Categories = append(sum.Categories, c)
		}
		rows.Close()
		rows, err = s.r.QueryContext(ctx, `SELECT resolution, count(*) FROM incidents WHERE dataset_id = $1 GROUP BY resolution`, d.ID)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var r string
			var n int64
			if err := rows.Scan(&r, &n); err != nil {
				rows.Close()
				return nil, err
			}
			sum.Resolution[r] = n
		}
		rows.Close()
		out = append(out, sum)
	}
	return out, nil
}

// Filter selects incidents. Zero values select everything.
type Filter struct {
	OrgID     int64
	DatasetID int64
	Category  string
	FromYM    int // inclusive, YYYYMM
	ToYM      int // inclusive, YYYYMM
	AreaID    int64
}

func (f Filter) where(args *[]any) string {
	add := func(v any) string {
		*args = append(*args, v)
		return "$" + strconv.Itoa(len(*args))
	}
	w := "d.org_id = " + add(f.OrgID)
	if f.DatasetID != 0 {
		w += " AND i.dataset_id = " + add(f.DatasetID)
	}
	if f.Category != "" {
		w += " AND i.category = " + add(f.Category)
	}
	if f.FromYM != 0 {
		w += " AND i.ym >= " + add(f.FromYM)
	}
	if f.ToYM != 0 {
		w += " AND i.ym <= " + add(f.ToYM)
	}
	if f.AreaID != 0 {
		w += " AND i.id IN (SELECT incident_id FROM incident_areas WHERE area_id = " + add(f.AreaID) + ")"
	}
	return w
}

// AreaCount is the number of incidents in one area.
type AreaCount struct {
	AreaID int64
	Count  int64
}

// CountByArea counts the incidents matching f in each area of layerID
// (areas without incidents are absent). It also returns n, the number of
// matching incidents, located or not.
func (s *Store) CountByArea(ctx context.Context, f Filter, layerID int64) ([]AreaCount, int64, error) {
	var args []any
	w := f.where(&args)
	args = append(args, layerID)
	// Driven from the layer's areas (CROSS JOIN fixes SQLite's join order;
	// the result is the same in any SQL): each area's incidents are one
	// range of the (area_id, incident_id) key, then a rowid lookup each.
	q := `SELECT ia.area_id, count(*) FROM areas a CROSS JOIN incident_areas ia CROSS JOIN incidents i CROSS JOIN datasets d
		WHERE ia.area_id = a.id AND i.id = ia.incident_id AND d.id = i.dataset_id AND ` + w + ` AND a.layer_id = $` + strconv.Itoa(len(args)) + ` GROUP BY ia.area_id`
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []AreaCount
	for rows.Next() {
		var c AreaCount
		if err := rows.Scan(&c.AreaID, &c.Count); err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	n, err := s.CountIncidents(ctx, f)
	return out, n, err
}

// CountIncidents counts the incidents matching f.
func (s *Store) CountIncidents(ctx context.Context, f Filter) (int64, error) {
	var args []any
	w := f.where(&args)
	var n int64
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM incidents i JOIN datasets d ON d.id = i.dataset_id WHERE `+w, args...).Scan(&n)
	return n, err
}

// MonthCount is the number of incidents in one month (YYYYMM).
type MonthCount struct {
	YM    int
	Count int64
}

// CountByMonth counts the incidents matching f per month, in order.
func (s *Store) CountByMonth(ctx context.Context, f Filter) ([]MonthCount, error) {
	var args []any
	w := f.where(&args)
	rows, err := s.r.QueryContext(ctx, `SELECT i.ym, count(*) FROM incidents i JOIN datasets d ON d.id = i.dataset_id WHERE `+w+` GROUP BY i.ym ORDER BY i.ym`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []MonthCount
	for rows.Next() {
		var c MonthCount
		if err := rows.Scan(&c.YM, &c.Count); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Incidents returns one page of the incidents matching f, ordered by time then id.
func (s *Store) Incidents(ctx context.Context, f Filter, offset, limit int) ([]IncidentRow, error) {
	var args []any
	w := f.where(&args)
	args = append(args, limit, offset)
	rows, err := s.r.QueryContext(ctx, `SELECT i.id, i.dataset_id, i.source_id, i.category, i.iccs, i.occurred_at, i.resolution, i.has_loc, COALESCE(i.lon, 0), COALESCE(i.lat, 0), i.attrs
		FROM incidents i JOIN datasets d ON d.id = i.dataset_id WHERE `+w+` ORDER BY i.occurred_at, i.id LIMIT $`+strconv.Itoa(len(args)-1)+` OFFSET $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []IncidentRow
	for rows.Next() {
		var r IncidentRow
		var t int64
		var attrs string
		if err := rows.Scan(&r.ID, &r.DatasetID, &r.SourceID, &r.Category, &r.ICCS, &t, &r.Resolution, &r.HasLoc, &r.Lon, &r.Lat, &attrs); err != nil {
			return nil, err
		}
		r.Time = time.Unix(t, 0).UTC()
		if attrs != "" {
			if err := json.Unmarshal([]byte(attrs), &r.Attrs); err != nil {
				return nil, err
			}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// LastImportID returns the id of the organisation's latest import of a kind
// (0 when none): a version number for caches of imported data.
func (s *Store) LastImportID(ctx context.Context, orgID int64, kind string) (int64, error) {
	var id int64
	err := s.r.QueryRowContext(ctx, `SELECT COALESCE(max(id), 0) FROM imports WHERE org_id = $1 AND kind = $2`, orgID, kind).Scan(&id)
	return id, err
}

// Months lists the months (YYYYMM) in which a dataset of the organisation
// has incidents, in order.
func (s *Store) Months(ctx context.Context, orgID, datasetID int64) ([]int, error) {
	return s.ints(ctx, `SELECT DISTINCT i.ym FROM incidents i JOIN datasets d ON d.id = i.dataset_id WHERE d.org_id = $1 AND i.dataset_id = $2 ORDER BY i.ym`, orgID, datasetID)
}

// DatasetCategories lists the source categories of a dataset, in order.
func (s *Store) DatasetCategories(ctx context.Context, orgID, datasetID int64) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT DISTINCT i.category FROM incidents i JOIN datasets d ON d.id = i.dataset_id WHERE d.org_id = $1 AND i.dataset_id = $2 ORDER BY i.category`, orgID, datasetID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *Store) ints(ctx context.Context, q string, args ...any) ([]int, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// DataVersion is the id of the organisation's latest import of any kind (0
// when none): aggregates computed at one version stay valid until it moves.
func (s *Store) DataVersion(ctx context.Context, orgID int64) (int64, error) {
	var id int64
	err := s.r.QueryRowContext(ctx, `SELECT COALESCE(max(id), 0) FROM imports WHERE org_id = $1`, orgID).Scan(&id)
	return id, err
}
