package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// copyOrder lists every application table in an order that satisfies the
// foreign keys: a table comes after the tables it references. A migration
// that adds a table must add it here (Copy refuses tables it does not know).
func copyOrder() []string {
	return []string{
		"orgs", "users", "sessions", "audit_log", "rate_limits",
		"area_layers", "areas", "area_containment",
		"datasets", "imports", "incidents", "incident_areas", "iccs_mappings",
		"partners", "indicators", "indicator_values",
		"jobs",
		"surveys", "survey_versions", "campaigns", "campaign_assignments", "survey_responses", "campaign_feedback", "survey_tokens", "survey_contacts",
		"api_keys", "open311_settings", "open311_services", "service_requests", "service_request_updates",
		"analyses",
		"report_photos", "mail_outbox", "report_notified",
		"kb_items", "kb_versions", "kb_terms",
	}
}

// copyDerived tells the columns Copy leaves out: values the target
// database computes itself as rows arrive (kb_items.tsv and tsv_head,
// PostgreSQL only, filled by a trigger: migration 0010_kb_tsv.sql).
func copyDerived(table, col string) bool {
	return table == "kb_items" && (col == "tsv" || col == "tsv_head")
}

// copyColumns returns the indexes of the columns of table that Copy writes.
func copyColumns(table string, cols []string) []int {
	var keep []int
	for i, c := range cols {
		if !copyDerived(table, c) {
			keep = append(keep, i)
		}
	}
	return keep
}

// CopyProgress is told each table as it is copied.
type CopyProgress func(table string, rows int64)

// Copy copies every row of every application table of src into dst, which
// must be empty (freshly migrated): ids are preserved, then dst's id
// sequences are moved past them. src is read in one snapshot and dst written
// in one transaction, so a failed copy leaves dst empty. It then compares
// the row counts of every table and returns them.
func Copy(ctx context.Context, dst, src *Store, progress CopyProgress) (map[string]int64, error) {
	defer dst.orgs.drop() // the organisation list changed under dst's cache
	srcMig, err := src.Migrations(ctx)
	if err != nil {
		return nil, err
	}
	dstMig, err := dst.Migrations(ctx)
	if err != nil {
		return nil, err
	}
	if len(srcMig) > len(dstMig) {
		return nil, apperr.New(apperr.Invalid, "the source has migrations %q the target lacks: upgrade icarus first", srcMig[len(dstMig):])
	}
	dstCounts, err := dst.TableCounts(ctx)
	if err != nil {
		return nil, err
	}
	for t, n := range dstCounts {
		if t != "schema_migrations" && n > 0 {
			return nil, apperr.New(apperr.Conflict, "the target database is not empty (%s has %d rows): copy into a new database", t, n)
		}
	}

	var rtx *sql.Tx
	if src.dialect == "postgres" {
		rtx, err = src.r.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	} else {
		rtx, err = src.r.BeginTx(ctx, nil) // a read transaction on a WAL database is a snapshot
	}
	if err != nil {
		return nil, err
	}
	defer rtx.Rollback()
	names, err := src.tableNames(ctx, rtx)
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if n != "schema_migrations" && !slices.Contains(copyOrder(), n) {
			return nil, fmt.Errorf("copy: unknown table %s (add it to store.copyOrder)", n)
		}
	}
	srcCounts, err := src.tableCounts(ctx, rtx)
	if err != nil {
		return nil, err
	}

	var tables []string
	for _, table := range copyOrder() {
		if slices.Contains(names, table) {
			tables = append(tables, table)
		}
	}
	if dst.dialect == "postgres" {
		err = copyToPostgres(ctx, dst, rtx, tables, progress)
	} else {
		err = copyToSQLite(ctx, dst, rtx, tables, progress)
	}
	if err != nil {
		return nil, err
	}
	rtx.Rollback()
	// statistics and merged GIN pending lists for the knowledge base search
	if err := dst.kbSettle(ctx, int(srcCounts["kb_items"])); err != nil {
		return nil, err
	}

	got, err := dst.TableCounts(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	var bad []string
	for _, t := range names {
		if t == "schema_migrations" {
			continue
		}
		out[t] = srcCounts[t]
		if got[t] != srcCounts[t] {
			bad = append(bad, fmt.Sprintf("%s: source %d, target %d", t, srcCounts[t], got[t]))
		}
	}
	if len(bad) > 0 {
		return out, fmt.Errorf("copy: row counts differ: %s", strings.Join(bad, "; "))
	}
	return out, nil
}

// copyToSQLite writes the tables in one transaction with small multi-row
// INSERTs (the SQLite driver binds parameters faster in small statements).
func copyToSQLite(ctx context.Context, dst *Store, rtx *sql.Tx, tables []string, progress CopyProgress) error {
	wtx, err := dst.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer wtx.Rollback()
	for _, table := range tables {
		n, err := copyTableSQL(ctx, dst, wtx, rtx, table)
		if err != nil {
			return fmt.Errorf("copying %s: %w", table, err)
		}
		if progress != nil {
			progress(table, n)
		}
	}
	return wtx.Commit()
}

// copyToPostgres writes the tables in one transaction with COPY, then moves
// the id sequences past the copied ids.
func copyToPostgres(ctx context.Context, dst *Store, rtx *sql.Tx, tables []string, progress CopyProgress) error {
	conn, err := dst.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("copy: unexpected PostgreSQL driver connection %T", dc)
		}
		tx, err := sc.Conn().Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx)
		for _, table := range tables {
			bools := map[string]bool{}
			brows, err := tx.Query(ctx, `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND data_type = 'boolean'`, table)
			if err != nil {
				return err
			}
			for brows.Next() {
				var c string
				if err := brows.Scan(&c); err != nil {
					brows.Close()
					return err
				}
				bools[c] = true
			}
			brows.Close()
			rows, err := rtx.QueryContext(ctx, `SELECT * FROM `+quoteIdent(table))
			if err != nil {
				return err
			}
			cols, err := rows.Columns()
			if err != nil {
				rows.Close()
				return err
			}
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			keep := copyColumns(table, cols)
			names := make([]string, len(keep))
			for j, i := range keep {
				names[j] = cols[i]
			}
			out := make([]any, len(keep))
			var n int64
			_, err = tx.CopyFrom(ctx, pgx.Identifier{table}, names, pgx.CopyFromFunc(func() ([]any, error) {
				if !rows.Next() {
					return nil, rows.Err()
				}
				if err := rows.Scan(ptrs...); err != nil {
					return nil, err
				}
				for j, i := range keep {
					out[j] = convertValue(vals[i], bools[cols[i]], "postgres")
				}
				n++
				return out, nil
			}))
			rows.Close()
			if err != nil {
				return fmt.Errorf("copying %s: %w", table, err)
			}
			if slices.Contains(cols, "id") {
				if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, 'id'), max(id)) FROM `+quoteIdent(table)+` HAVING max(id) IS NOT NULL`, table); err != nil {
					return fmt.Errorf("id sequence of %s: %w", table, err)
				}
			}
			if progress != nil {
				progress(table, n)
			}
		}
		return tx.Commit(ctx)
	})
}

// copyTableSQL streams one table from rtx into wtx with multi-row INSERTs.
func copyTableSQL(ctx context.Context, dst *Store, wtx, rtx *sql.Tx, table string) (n int64, err error) {
	bools, err := dst.boolColumns(ctx, wtx, table)
	if err != nil {
		return 0, err
	}
	rows, err := rtx.QueryContext(ctx, `SELECT * FROM `+quoteIdent(table))
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	keep := copyColumns(table, cols)
	isBool := make([]bool, len(cols))
	quoted := make([]string, len(keep))
	for i, c := range cols {
		isBool[i] = bools[c]
	}
	for j, i := range keep {
		quoted[j] = quoteIdent(cols[i])
	}
	per := max(1, 120/len(keep))
	stmtSQL := func(k int) string {
		var sb strings.Builder
		sb.WriteString(`INSERT INTO ` + quoteIdent(table) + ` (` + strings.Join(quoted, ", ") + `) VALUES `)
		for i := 0; i < k; i++ {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(placeholders(dst.dialect, i*len(keep), len(keep)))
		}
		return sb.String()
	}
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	args := make([]any, 0, per*len(keep))
	flush := func() error {
		k := len(args) / len(keep)
		if k == 0 {
			return nil
		}
		var err error
		if k == per {
			if full == nil {
				if full, err = wtx.PrepareContext(ctx, stmtSQL(per)); err != nil {
					return err
				}
			}
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = wtx.ExecContext(ctx, stmtSQL(k), args...)
		}
		args = args[:0]
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		for _, i := range keep {
			args = append(args, convertValue(vals[i], isBool[i], dst.dialect))
		}
		n++
		if len(args) == per*len(keep) {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, flush()
}

// convertValue adapts a value read from one dialect to the other: SQLite
// keeps booleans as 0/1 integers, PostgreSQL as BOOLEAN.
func convertValue(v any, toBool bool, dialect string) any {
	switch x := v.(type) {
	case int64:
		if toBool {
			return x != 0
		}
	case bool:
		if dialect == "sqlite" {
			if x {
				return int64(1)
			}
			return int64(0)
		}
	case []byte:
		return string(x)
	}
	return v
}

// boolColumns names the BOOLEAN columns of table (none on SQLite, which
// stores flags as integers).
func (s *Store) boolColumns(ctx context.Context, q querier, table string) (map[string]bool, error) {
	out := map[string]bool{}
	if s.dialect != "postgres" {
		return out, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND data_type = 'boolean'`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out[c] = true
	}
	return out, rows.Err()
}
