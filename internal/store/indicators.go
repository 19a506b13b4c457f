package store

import (
	"context"
	"database/sql"
	"time"
)

// Indicator defines a local indicator (the Turin committee's dashboard).
type Indicator struct {
	ID          int64  `json:"id"`
	OrgID       int64  `json:"-"`
	Code        string `json:"code"`
	Name        string `json:"name"`
	Unit        string `json:"unit"`
	Description string `json:"description"`
}

// IndicatorValue is one value of an indicator for an area and period.
type IndicatorValue struct {
	IndicatorCode string
	Unit          string
	AreaID        int64
	Period        string
	Value         float64
}

// IndicatorImport writes indicator values from one partner atomically.
type IndicatorImport struct {
	tx      *sql.Tx
	ctx     context.Context
	orgID   int64
	partner int64
	ids     map[string]int64
	st      *sql.Stmt
	s       *Store
	// Inserted and Unchanged count new values and re-sent identical ones; Updated counts changed values.
	Inserted, Unchanged, Updated int
}

// BeginIndicatorImport opens an import for the partner organisation named
// partner (created when new), upserting the given definitions first.
func (s *Store) BeginIndicatorImport(ctx context.Context, orgID int64, partner string, defs []Indicator) (*IndicatorImport, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	imp := &IndicatorImport{tx: tx, ctx: ctx, orgID: orgID, ids: map[string]int64{}, s: s}
	// Commit claims the values written with import_id 0: one indicator import at a time
	if err := s.lockAdvisory(ctx, tx, advisoryIndicators); err != nil {
		tx.Rollback()
		return nil, err
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO partners (org_id, name) VALUES ($1, $2) ON CONFLICT (org_id, name) DO UPDATE SET name = excluded.name RETURNING id`, orgID, partner).Scan(&imp.partner); err != nil {
		tx.Rollback()
		return nil, err
	}
	for _, d := range defs {
		if _, err := imp.define(d); err != nil {
			tx.Rollback()
			return nil, err
		}
	}
	imp.st, err = tx.PrepareContext(ctx, `INSERT INTO indicator_values (indicator_id, area_id, period, value, partner_id, import_id) VALUES ($1, $2, $3, $4, $5, 0)
		ON CONFLICT (indicator_id, area_id, period) DO UPDATE SET value = excluded.value, partner_id = excluded.partner_id, import_id = excluded.import_id
		WHERE indicator_values.value <> excluded.value OR indicator_values.partner_id <> excluded.partner_id`)
	if err != nil {
		tx.Rollback()
		return nil, err
	}
	return imp, nil
}

func (imp *IndicatorImport) define(d Indicator) (int64, error) {
	var id int64
	err := imp.tx.QueryRowContext(imp.ctx, `INSERT INTO indicators (org_id, code, name, unit, description) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (org_id, code) DO UPDATE SET name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE indicators.name END,
		unit = CASE WHEN excluded.unit <> '' THEN excluded.unit ELSE indicators.unit END,
		description = CASE WHEN excluded.description <> '' THEN excluded.description ELSE indicators.description END RETURNING id`,
		imp.orgID, d.Code, d.Name, d.Unit, d.Description).Scan(&id)
	imp.ids[d.Code] = id
	return id, err
}

// Add writes one value (replacing an earlier value of the same indicator, area and period).
func (imp *IndicatorImport) Add(v IndicatorValue) error {
	id, ok := imp.ids[v.IndicatorCode]
	if !ok {
		var err error
		if id, err = imp.define(Indicator{Code: v.IndicatorCode, Name: v.IndicatorCode, Unit: v.Unit}); err != nil {
			return err
		}
	}
	var exists int
	if err := imp.tx.QueryRowContext(imp.ctx, `SELECT count(*) FROM indicator_values WHERE indicator_id = $1 AND area_id = $2 AND period = $3`, id, v.AreaID, v.Period).Scan(&exists); err != nil {
		return err
	}
	res, err := imp.st.ExecContext(imp.ctx, id, v.AreaID, v.Period, v.Value, imp.partner)
	if err != nil {
		return err
	}
	n, _ := res.RowsAffected()
	switch {
	case exists == 0:
		imp.Inserted++
	case n == 0:
		imp.Unchanged++
	default:
		imp.Updated++
	}
	return nil
}

// Commit records the import and commits; it returns the partner id.
func (imp *IndicatorImport) Commit(rec ImportRecord) (int64, error) {
	imp.st.Close()
	rec.Kind, rec.OrgID, rec.TargetID = "indicators", imp.orgID, imp.partner
	id, err := recordImport(imp.ctx, imp.tx, rec)
	if err != nil {
		imp.tx.Rollback()
		return 0, err
	}
	if _, err := imp.tx.ExecContext(imp.ctx, `UPDATE indicator_values SET import_id = $1 WHERE import_id = 0`, id); err != nil {
		imp.tx.Rollback()
		return 0, err
	}
	return imp.partner, imp.tx.Commit()
}

// Rollback abandons the import.
func (imp *IndicatorImport) Rollback() { imp.tx.Rollback() }

// Indicators lists an organisation's indicator definitions.
func (s *Store) Indicators(ctx context.Context, orgID int64) ([]Indicator, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, org_id, code, name, unit, description FROM indicators WHERE org_id = $1 ORDER BY code`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Indicator
	for rows.Next() {
		var i Indicator
		if err := rows.Scan(&i.ID, &i.OrgID, &i.Code, &i.Name, &i.Unit, &i.Description); err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// IndicatorRow is a stored value with its provenance.
type IndicatorRow struct {
	Indicator string    `json:"indicator"`
	AreaID    int64     `json:"area_id"`
	AreaCode  string    `json:"area_code"`
	Period    string    `json:"period"`
	Value     float64   `json:"value"`
	Unit      string    `json:"unit"`
	Partner   string    `json:"partner"`
	Imported  time.Time `json:"imported"`
}

// IndicatorValues lists the values of one indicator (all when code is "").
func (s *Store) IndicatorValues(ctx context.Context, orgID int64, code string) ([]IndicatorRow, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT i.code, v.area_id, a.code, v.period, v.value, i.unit, p.name, COALESCE(im.finished_at, 0)
		FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id JOIN areas a ON a.id = v.area_id JOIN partners p ON p.id = v.partner_id
		LEFT JOIN imports im ON im.id = v.import_id WHERE i.org_id = $1 AND ($2 = '' OR i.code = $2) ORDER BY i.code, a.code, v.period`, orgID, code)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []IndicatorRow
	for rows.Next() {
		var r IndicatorRow
		var at int64
		if err := rows.Scan(&r.Indicator, &r.AreaID, &r.AreaCode, &r.Period, &r.Value, &r.Unit, &r.Partner, &at); err != nil {
			return nil, err
		}
		r.Imported = time.Unix(at, 0).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}
