package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"strings"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/jackc/pgx/v5/pgconn"
)

// What differs between SQLite and PostgreSQL lives in this file, behind
// small named methods.

// Advisory lock keys (PostgreSQL): arbitrary constants, one per purpose.
const (
	advisoryMigrations int64 = 0x1ca7_0001 // applying migrations
	advisoryIndicators int64 = 0x1ca7_0002 // an indicator import (claims import_id = 0 rows)
)

// Backup writes a consistent copy of the live database to path (which must
// not exist), while the database stays online. On SQLite it is VACUUM INTO;
// on PostgreSQL the copy is a SQLite database file of the same installation
// (read in one REPEATABLE READ snapshot) that 'icarus db copy' can load back
// into PostgreSQL. pg_dump remains the tool for full PostgreSQL backups.
func (s *Store) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return apperr.New(apperr.Conflict, "backup target %s already exists", path)
	}
	if s.dialect == "sqlite" {
		_, err := s.w.ExecContext(ctx, `VACUUM INTO $1`, path)
		return err
	}
	dst, err := openSQLiteFile(ctx, path, Options{Now: s.now})
	if err != nil {
		return err
	}
	if _, err := Copy(ctx, dst, s, nil); err != nil {
		dst.Close()
		os.Remove(path)
		os.Remove(path + "-wal")
		os.Remove(path + "-shm")
		return err
	}
	return dst.Close()
}

// tableNames lists the tables of the database (schema_migrations included).
func (s *Store) tableNames(ctx context.Context, q querier) ([]string, error) {
	// pragma_table_list types FTS5 indexes 'virtual' and their tables 'shadow':
	// they are derived from kb_items by triggers, never copied or counted
	query := `SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
	if s.dialect == "postgres" {
		query = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

// querier is what *sql.DB and *sql.Tx share for reading.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// TableCounts returns the number of rows in every table.
func (s *Store) TableCounts(ctx context.Context) (map[string]int64, error) {
	return s.tableCounts(ctx, s.r)
}

func (s *Store) tableCounts(ctx context.Context, q querier) (map[string]int64, error) {
	names, err := s.tableNames(ctx, q)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, n := range names {
		var c int64
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM `+quoteIdent(n)).Scan(&c); err != nil {
			return nil, err
		}
		out[n] = c
	}
	return out, nil
}

func quoteIdent(n string) string { return `"` + strings.ReplaceAll(n, `"`, `""`) + `"` }

// lockIncidentIDs makes the calling transaction the only one assigning
// incident ids until it ends. SQLite has one writer anyway; on PostgreSQL
// SHARE ROW EXCLUSIVE conflicts with itself and with other writers of
// incidents, but not with readers.
func (s *Store) lockIncidentIDs(ctx context.Context, tx *sql.Tx) error {
	if s.dialect != "postgres" {
		return nil
	}
	_, err := tx.ExecContext(ctx, `LOCK TABLE incidents IN SHARE ROW EXCLUSIVE MODE`)
	return err
}

// syncIDSequence moves table's id generator past the largest id, after
// rows were inserted with ids chosen by the caller. SQLite's INTEGER
// PRIMARY KEY needs nothing.
func (s *Store) syncIDSequence(ctx context.Context, q execer, table string) error {
	if s.dialect != "postgres" {
		return nil
	}
	_, err := q.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence($1, 'id'), max(id)) FROM `+quoteIdent(table)+` HAVING max(id) IS NOT NULL`, table)
	return err
}

// execer is what *sql.DB and *sql.Tx share for writing.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// lockAdvisory takes a transaction-scoped advisory lock on PostgreSQL (a
// no-op on SQLite, whose one writer serialises transactions).
func (s *Store) lockAdvisory(ctx context.Context, tx *sql.Tx, key int64) error {
	if s.dialect != "postgres" {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, key)
	return err
}

// skipLocked is appended to the SELECT that picks a job to claim: on
// PostgreSQL concurrent claimers skip each other's rows; SQLite's single
// writer makes the claim exclusive anyway.
func (s *Store) skipLocked() string {
	if s.dialect == "postgres" {
		return ` FOR UPDATE SKIP LOCKED`
	}
	return ``
}

// isUniqueViolation reports whether err is a violated UNIQUE or PRIMARY KEY
// constraint, in either dialect.
func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return strings.Contains(err.Error(), "UNIQUE constraint failed") || strings.Contains(err.Error(), "constraint failed: UNIQUE")
}
