package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/kb"
)

// The organisation's edits of the knowledge-base taxonomies (focus areas,
// cross-cutting issues, approaches): kb_terms, migration
// 0011_kb_taxonomy_edit.sql. kb.MergeTaxonomies applies them to the
// built-in values.

// KBTermEdits returns the organisation's taxonomy edits, added values in
// the order they were added.
func (s *Store) KBTermEdits(ctx context.Context, orgID int64) ([]kb.TermEdit, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT taxonomy, code, label_en, label_fr, label_it, retired FROM kb_terms
		WHERE org_id = $1 ORDER BY taxonomy, position, id`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []kb.TermEdit
	for rows.Next() {
		var e kb.TermEdit
		var en, fr, it string
		var retired int
		if err := rows.Scan(&e.Taxonomy, &e.Code, &en, &fr, &it, &retired); err != nil {
			return nil, err
		}
		e.Labels, e.Retired = map[string]string{"en": en, "fr": fr, "it": it}, retired != 0
		out = append(out, e)
	}
	return out, rows.Err()
}

// KBTaxonomies returns the organisation's taxonomies: the built-in values
// with its edits applied.
func (s *Store) KBTaxonomies(ctx context.Context, orgID int64) (kb.Taxonomies, error) {
	edits, err := s.KBTermEdits(ctx, orgID)
	if err != nil {
		return nil, err
	}
	return kb.MergeTaxonomies(edits), nil
}

// PutKBTerm saves an edit of one value (labels and retired flag): a value
// not yet in the taxonomy is added. It returns the edit as it was before
// (zero when there was none) and whether the value was added. The edit is
// checked with kb.ValidateTermEdit.
func (s *Store) PutKBTerm(ctx context.Context, orgID int64, e kb.TermEdit) (before kb.TermEdit, added bool, err error) {
	if errs := kb.ValidateTermEdit(e); len(errs) > 0 {
		return before, false, apperr.New(apperr.Invalid, "%s: %s", errs[0].Field, errs[0].Message)
	}
	builtin := false
	for _, t := range kb.Builtin(e.Taxonomy) {
		builtin = builtin || t.Code == e.Code
	}
	retired := 0
	if e.Retired {
		retired = 1
	}
	now := s.now().Unix()
	err = s.tx(ctx, func(tx *sql.Tx) error {
		var en, fr, it string
		var r int
		err := tx.QueryRowContext(ctx, `SELECT label_en, label_fr, label_it, retired FROM kb_terms WHERE org_id = $1 AND taxonomy = $2 AND code = $3`,
			orgID, e.Taxonomy, e.Code).Scan(&en, &fr, &it, &r)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			added = !builtin
			var pos int
			if err := tx.QueryRowContext(ctx, `SELECT COALESCE(max(position), 0) + 1 FROM kb_terms WHERE org_id = $1 AND taxonomy = $2`, orgID, e.Taxonomy).Scan(&pos); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO kb_terms (org_id, taxonomy, code, label_en, label_fr, label_it, retired, position, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`, orgID, e.Taxonomy, e.Code, e.Labels["en"], e.Labels["fr"], e.Labels["it"], retired, pos, now)
			return err
		case err != nil:
			return err
		}
		before = kb.TermEdit{Taxonomy: e.Taxonomy, Code: e.Code, Labels: map[string]string{"en": en, "fr": fr, "it": it}, Retired: r != 0}
		_, err = tx.ExecContext(ctx, `UPDATE kb_terms SET label_en = $4, label_fr = $5, label_it = $6, retired = $7, updated_at = $8
			WHERE org_id = $1 AND taxonomy = $2 AND code = $3`, orgID, e.Taxonomy, e.Code, e.Labels["en"], e.Labels["fr"], e.Labels["it"], retired, now)
		return err
	})
	return before, added, err
}

// DeleteKBTerm removes a value the organisation added and no record uses
// (any status, any saved version being irrelevant: only current records
// count). A built-in value cannot be deleted, and a value in use cannot:
// both can be retired instead (conflict, with the number of records).
func (s *Store) DeleteKBTerm(ctx context.Context, orgID int64, taxonomy, code string) error {
	for _, t := range kb.Builtin(taxonomy) {
		if t.Code == code {
			return apperr.New(apperr.Conflict, "%q is a built-in value: retire it instead", code)
		}
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		n, err := kbTermUse(ctx, tx, orgID, taxonomy, code)
		if err != nil {
			return err
		}
		if n > 0 {
			return apperr.New(apperr.Conflict, "%q is used by %d records: retire it instead", code, n)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM kb_terms WHERE org_id = $1 AND taxonomy = $2 AND code = $3`, orgID, taxonomy, code)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return apperr.New(apperr.NotFound, "no value %q in %s", code, taxonomy)
		}
		return nil
	})
}

// kbTermColumn returns the kb_items column and the condition that finds the
// records using a value of taxonomy ($2 = the code).
func kbTermCond(taxonomy string) string {
	switch taxonomy {
	case kb.TaxFocus:
		return `focus_area = $2`
	case kb.TaxCC:
		return `(',' || cross_cutting || ',') LIKE '%,' || CAST($2 AS TEXT) || ',%'`
	default:
		return `(',' || approaches || ',') LIKE '%,' || CAST($2 AS TEXT) || ',%'`
	}
}

func kbTermUse(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, orgID int64, taxonomy, code string) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM kb_items WHERE org_id = $1 AND `+kbTermCond(taxonomy), orgID, code).Scan(&n)
	return n, err
}

// KBTermUsage returns, per taxonomy and code, the number of the
// organisation's records (every status) that use the value.
func (s *Store) KBTermUsage(ctx context.Context, orgID int64) (map[string]map[string]int, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT focus_area, cross_cutting, approaches FROM kb_items WHERE org_id = $1`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]int{kb.TaxFocus: {}, kb.TaxCC: {}, kb.TaxApproach: {}}
	for rows.Next() {
		var fa, cc, ap string
		if err := rows.Scan(&fa, &cc, &ap); err != nil {
			return nil, err
		}
		if fa != "" {
			out[kb.TaxFocus][fa]++
		}
		for _, c := range splitList(cc) {
			out[kb.TaxCC][c]++
		}
		for _, a := range splitList(ap) {
			out[kb.TaxApproach][a]++
		}
	}
	return out, rows.Err()
}
