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

// Layer is a set of areas of one kind (LSOAs, wards, police districts).
type Layer struct {
	ID          int64
	OrgID       int64
	Name        string
	Source      string
	SourceCRS   string
	Attribution string
	Created     time.Time
	Areas       int
}

// Area is one boundary of a layer. Geometry is GeoJSON in WGS84 lon/lat.
type Area struct {
	ID       int64
	LayerID  int64
	Code     string
	Name     string
	Geometry json.RawMessage
	MinLon   float64
	MinLat   float64
	MaxLon   float64
	MaxLat   float64
	AreaM2   float64
}

// LayerResult says what ReplaceLayer changed.
type LayerResult struct {
	Layer    Layer
	Inserted int
	Updated  int
	Removed  int
}

// ReplaceLayer creates the layer (by name) or replaces its areas: areas are
// matched by code, so ids stay stable across re-imports; areas missing from
// the new set are removed. All in one transaction.
func (s *Store) ReplaceLayer(ctx context.Context, l Layer, areas []Area) (LayerResult, error) {
	var res LayerResult
	codes := make(map[string]bool, len(areas))
	for _, a := range areas {
		if codes[a.Code] {
			return res, apperr.New(apperr.Invalid, "area code %q appears twice in layer %q", a.Code, l.Name)
		}
		codes[a.Code] = true
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now().Unix()
		err := tx.QueryRowContext(ctx, `INSERT INTO area_layers (org_id, name, source, source_crs, attribution, created_at) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (org_id, name) DO UPDATE SET source = excluded.source, source_crs = excluded.source_crs, attribution = excluded.attribution RETURNING id, created_at`,
			l.OrgID, l.Name, l.Source, l.SourceCRS, l.Attribution, now).Scan(&l.ID, &now)
		if err != nil {
			return err
		}
		l.Created = time.Unix(now, 0).UTC()
		existing := map[string]int64{}
		rows, err := tx.QueryContext(ctx, `SELECT id, code FROM areas WHERE layer_id = $1`, l.ID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var code string
			if err := rows.Scan(&id, &code); err != nil {
				rows.Close()
				return err
			}
			existing[code] = id
		}
		rows.Close()
		up, err := tx.PrepareContext(ctx, `INSERT INTO areas (layer_id, code, name, geojson, min_lon, min_lat, max_lon, max_lat, area_m2) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (layer_id, code) DO UPDATE SET name = excluded.name, geojson = excluded.geojson, min_lon = excluded.min_lon, min_lat = excluded.min_lat,
			max_lon = excluded.max_lon, max_lat = excluded.max_lat, area_m2 = excluded.area_m2`)
		if err != nil {
			return err
		}
		defer up.Close()
		for _, a := range areas {
			if _, err := up.ExecContext(ctx, l.ID, a.Code, a.Name, string(a.Geometry), a.MinLon, a.MinLat, a.MaxLon, a.MaxLat, a.AreaM2); err != nil {
				return err
			}
			if _, ok := existing[a.Code]; ok {
				res.Updated++
				delete(existing, a.Code)
			} else {
				res.Inserted++
			}
		}
		for _, id := range existing {
			if _, err := tx.ExecContext(ctx, `DELETE FROM areas WHERE id = $1`, id); err != nil {
				return err
			}
			res.Removed++
		}
		l.Areas = len(areas)
		res.Layer = l
		return nil
	})
	return res, err
}

// Layers lists an organisation's layers with their area counts.
func (s *Store) Layers(ctx context.Context, orgID int64) ([]Layer, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT l.id, l.org_id, l.name, l.source, l.source_crs, l.attribution, l.created_at,
		(SELECT count(*) FROM areas a WHERE a.layer_id = l.id) FROM area_layers l WHERE l.org_id = $1 ORDER BY l.id`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Layer
	for rows.Next() {
		var l Layer
		var created int64
		if err := rows.Scan(&l.ID, &l.OrgID, &l.Name, &l.Source, &l.SourceCRS, &l.Attribution, &created, &l.Areas); err != nil {
			return nil, err
		}
		l.Created = time.Unix(created, 0).UTC()
		out = append(out, l)
	}
	return out, rows.Err()
}

// Areas returns the areas of a layer (of all the organisation's layers when
// layerID is 0), with geometry when withGeom is true.
func (s *Store) Areas(ctx context.Context, orgID, layerID int64, withGeom bool) ([]Area, error) {
	geom := `''`
	if withGeom {
		geom = `a.geojson`
	}
	rows, err := s.r.QueryContext(ctx, `SELECT a.id, a.layer_id, a.code, a.name, `+geom+`, a.min_lon, a.min_lat, a.max_lon, a.max_lat, a.area_m2
		FROM areas a JOIN area_layers l ON l.id = a.layer_id WHERE l.org_id = $1 AND (CAST($2 AS BIGINT) = 0 OR a.layer_id = $2) ORDER BY a.layer_id, a.code`, orgID, layerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Area
	for rows.Next() {
		var a Area
		var g string
		if err := rows.Scan(&a.ID, &a.LayerID, &a.Code, &a.Name, &g, &a.MinLon, &a.MinLat, &a.MaxLon, &a.MaxLat, &a.AreaM2); err != nil {
			return nil, err
		}
		if g != "" {
			a.Geometry = json.RawMessage(g)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Containment is an overlap between an area and an area of another layer.
type Containment struct {
	ChildID, ParentID int64
	Share             float64 // share of the child's area inside the parent, 0..1
}

// ReplaceContainment replaces the containment rows whose child or parent is
// in layerID.
func (s *Store) ReplaceContainment(ctx context.Context, layerID int64, cs []Containment) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM area_containment WHERE child_id IN (SELECT id FROM areas WHERE layer_id = $1)
			OR parent_id IN (SELECT id FROM areas WHERE layer_id = $1)`, layerID); err != nil {
			return err
		}
		st, err := tx.PrepareContext(ctx, `INSERT INTO area_containment (child_id, parent_id, share) VALUES ($1, $2, $3)`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, c := range cs {
			if _, err := st.ExecContext(ctx, c.ChildID, c.ParentID, c.Share); err != nil {
				return err
			}
		}
		return nil
	})
}

// ContainmentOf lists, for a child layer, the parents (in any other layer)
// of each of its areas.
func (s *Store) ContainmentOf(ctx context.Context, childLayer int64) ([]Containment, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT c.child_id, c.parent_id, c.share FROM area_containment c JOIN areas a ON a.id = c.child_id WHERE a.layer_id = $1 ORDER BY c.child_id, c.share DESC`, childLayer)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Containment
	for rows.Next() {
		var c Containment
		if err := rows.Scan(&c.ChildID, &c.ParentID, &c.Share); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// IncidentPoint is the id and WGS84 position of a located incident.
type IncidentPoint struct {
	ID       int64
	Lon, Lat float64
}

// IncidentPoints calls fn for every located incident of the organisation.
func (s *Store) IncidentPoints(ctx context.Context, orgID int64, fn func(IncidentPoint) error) error {
	rows, err := s.r.QueryContext(ctx, `SELECT i.id, i.lon, i.lat FROM incidents i JOIN datasets d ON d.id = i.dataset_id WHERE d.org_id = $1 AND i.has_loc`, orgID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var p IncidentPoint
		if err := rows.Scan(&p.ID, &p.Lon, &p.Lat); err != nil {
			return err
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ReplaceAssignments replaces the incident-to-area assignments of a layer.
// pairs holds (incident id, area id).
func (s *Store) ReplaceAssignments(ctx context.Context, layerID int64, pairs [][2]int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM incident_areas WHERE area_id IN (SELECT id FROM areas WHERE layer_id = $1)`, layerID); err != nil {
			return err
		}
		return insertPairs(ctx, tx, s.dialect, `INSERT INTO incident_areas (incident_id, area_id) VALUES `, pairs)
	})
}

// insertPairs inserts pairs of ids with multi-row statements.
func insertPairs(ctx context.Context, tx *sql.Tx, dialect, prefix string, pairs [][2]int64) error {
	const per = 50
	var sb strings.Builder
	args := make([]any, 0, 2*per)
	for len(pairs) > 0 {
		n := min(per, len(pairs))
		sb.Reset()
		sb.WriteString(prefix)
		args = args[:0]
		for i := 0; i < n; i++ {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(placeholders(dialect, len(args), 2))
			args = append(args, pairs[i][0], pairs[i][1])
		}
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return err
		}
		pairs = pairs[n:]
	}
	return nil
}

// placeholders returns "($k+1, ..., $k+n)" in the dialect's numbered form
// for bulk statements: SQLite resolves "?NNN" by number, while "$NNN" is a
// named parameter looked up by a linear scan (quadratic in a bulk insert).
func placeholders(dialect string, k, n int) string {
	mark := byte('$')
	if dialect == "sqlite" {
		mark = '?'
	}
	var b strings.Builder
	b.WriteByte('(')
	for i := 1; i <= n; i++ {
		if i > 1 {
			b.WriteByte(',')
		}
		b.WriteByte(mark)
		b.WriteString(strconv.Itoa(k + i))
	}
	b.WriteByte(')')
	return b.String()
}
