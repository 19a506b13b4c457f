package store

import (
	"context"
	"database/sql"
)

// ICCSMappings returns the organisation's own category → ICCS mapping
// (overrides of the defaults).
func (s *Store) ICCSMappings(ctx context.Context, orgID int64) (map[string]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT category, iccs FROM iccs_mappings WHERE org_id = $1`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var c, code string
		if err := rows.Scan(&c, &code); err != nil {
			return nil, err
		}
		out[c] = code
	}
	return out, rows.Err()
}

// SetICCS records the ICCS code of a source category for the organisation
// (override=true keeps it as an override of the defaults, false removes the
// override) and recodes the incidents already stored. It returns the number
// of incidents recoded.
func (s *Store) SetICCS(ctx context.Context, orgID int64, category, code string, override bool) (int64, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if override {
			_, err = tx.ExecContext(ctx, `INSERT INTO iccs_mappings (org_id, category, iccs) VALUES ($1, $2, $3) ON CONFLICT (org_id, category) DO UPDATE SET iccs = excluded.iccs`, orgID, category, code)
		} else {
			_, err = tx.ExecContext(ctx, `DELETE FROM iccs_mappings WHERE org_id = $1 AND category = $2`, orgID, category)
		}
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE incidents SET iccs = $1 WHERE category = $2 AND iccs <> $1 AND dataset_id IN (SELECT id FROM datasets WHERE org_id = $3)`, code, category, orgID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// CategoryUse is a source category with its ICCS code and incident count
// over all the organisation's datasets.
type CategoryUse struct {
	Category string
	ICCS     string
	Count    int64
	Override bool // the code comes from the organisation's own mapping
}

// Categories lists the source categories in use, most frequent first.
func (s *Store) Categories(ctx context.Context, orgID int64) ([]CategoryUse, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT i.category, min(i.iccs), count(*), EXISTS (SELECT 1 FROM iccs_mappings m WHERE m.org_id = $1 AND m.category = i.category)
		FROM incidents i JOIN datasets d ON d.id = i.dataset_id WHERE d.org_id = $1 GROUP BY i.category ORDER BY count(*) DESC, i.category`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CategoryUse
	for rows.Next() {
		var c CategoryUse
		if err := rows.Scan(&c.Category, &c.ICCS, &c.Count, &c.Override); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
