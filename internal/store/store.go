// Package store keeps Icarus's data in a SQL database: SQLite (embedded,
// the default) through modernc.org/sqlite, or PostgreSQL (15 or newer)
// through pgx's database/sql driver. SQL is hand-written with $n
// placeholders and shared by both dialects; what differs per dialect sits
// behind small named methods (dialect.go). Both must pass the conformance
// suite in store/storetest.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

//go:embed migrations
var migrationsFS embed.FS

// Store is a handle on the database. On SQLite: one writer connection and
// a pool of readers; on PostgreSQL one pool (w and r are the same). It is
// safe for concurrent use.
type Store struct {
	w, r    *sql.DB
	dialect string
	path    string // SQLite file; "" on PostgreSQL
	now     func() time.Time

	// stmts caches prepared statements of the hot paths (prepared once per
	// pool; database/sql prepares them on each connection at first use and
	// reuses them): see prepared.
	stmtMu sync.RWMutex
	stmts  map[stmtKey]*sql.Stmt
	// orgs caches the organisation list (users.go, Orgs).
	orgs orgCache
	// ckpt stops the SQLite WAL checkpointer (checkpoint.go); nil on PostgreSQL.
	ckpt *checkpointer
	// group runs the grouped writes of groupTx (groupcommit.go); nil on PostgreSQL.
	group *groupCommitter
}

type stmtKey struct {
	db    *sql.DB
	query string
}

// Options configure Open.
type Options struct {
	// Now returns the current time; time.Now when nil.
	Now func() time.Time
}

// DBFile is the name of the SQLite database inside a data directory.
const DBFile = "icarus.db"

// Open opens the store named by url and applies pending migrations:
// postgres://... or postgresql://... opens PostgreSQL; "" opens SQLite
// under dataDir, and sqlite:DIR SQLite under DIR.
func Open(ctx context.Context, url, dataDir string, opt Options) (*Store, error) {
	switch {
	case IsPostgresURL(url):
		return OpenPostgres(ctx, url, opt)
	case url == "":
		return OpenSQLite(ctx, dataDir, opt)
	case strings.HasPrefix(url, "sqlite:"):
		dir := strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "//")
		if dir == "" {
			dir = dataDir
		}
		return OpenSQLite(ctx, dir, opt)
	}
	return nil, apperr.New(apperr.Invalid, "database URL %q: want postgres://..., postgresql://... or sqlite:DIR", Redact(url))
}

// IsPostgresURL reports whether url names a PostgreSQL database.
func IsPostgresURL(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// Redact returns url without its password, for messages and logs.
func Redact(url string) string {
	i := strings.Index(url, "://")
	if i < 0 {
		return url
	}
	rest := url[i+3:]
	at := strings.LastIndex(strings.SplitN(rest, "/", 2)[0], "@")
	if at < 0 {
		return url
	}
	user := rest[:at]
	if c := strings.Index(user, ":"); c >= 0 {
		user = user[:c] + ":xxxxx"
	}
	return url[:i+3] + user + rest[at:]
}

// OpenSQLite opens (creating it when needed) the SQLite database in dir and
// applies pending migrations.
func OpenSQLite(ctx context.Context, dir string, opt Options) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("data directory %s: %w", dir, err)
	}
	return openSQLiteFile(ctx, filepath.Join(dir, DBFile), opt)
}

// openSQLiteFile opens (creating it when needed) the SQLite database file path.
func openSQLiteFile(ctx context.Context, path string, opt Options) (*Store, error) {
	pragmas := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	// wal_autocheckpoint(0): the writer does not checkpoint at commit (a
	// checkpoint's fsync then stalled the request that triggered it and every
	// writer queued behind it); the checkpointer does it beside (checkpoint.go)
	w, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate&_pragma=cache_size(-131072)&_pragma=temp_store(MEMORY)&_pragma=wal_autocheckpoint(0)&"+pragmas)
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	s := &Store{w: w, dialect: "sqlite", path: path, now: opt.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if err := s.migrate(ctx); err != nil {
		w.Close()
		return nil, err
	}
	if err := s.kbBackfillStems(ctx); err != nil { // kb.go
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", "file:"+path+"?mode=ro&"+pragmas)
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(4)
	// keep all four: with database/sql's default of 2 idle connections, a
	// busy server closed and reopened the others (and prepared their
	// statements again) all the time
	r.SetMaxIdleConns(4)
	s.r = r
	if s.ckpt, err = startCheckpointer(path, pragmas); err != nil {
		r.Close()
		w.Close()
		return nil, err
	}
	s.group = startGroupCommitter(w)
	return s, nil
}

// OpenPostgres opens the PostgreSQL database named by url (which must
// exist) and applies pending migrations under an advisory lock, so that
// several nodes may start at once.
func OpenPostgres(ctx context.Context, url string, opt Options) (*Store, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", Redact(url), err)
	}
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &Store{w: db, r: db, dialect: "postgres", now: opt.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("database %s: %w", Redact(url), err)
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the pools.
func (s *Store) Close() error {
	if s.group != nil {
		s.group.stop() // after the write in flight, if any
	}
	s.stmtMu.Lock()
	for k, st := range s.stmts {
		st.Close()
		delete(s.stmts, k)
	}
	s.stmtMu.Unlock()
	var ckErr error
	if s.ckpt != nil {
		ckErr = s.ckpt.stop()
	}
	if s.r == s.w {
		return s.w.Close()
	}
	return errors.Join(ckErr, s.r.Close(), s.w.Close())
}

// Dialect names the SQL dialect ("sqlite" or "postgres").
func (s *Store) Dialect() string { return s.dialect }

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.now() }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.r.PingContext(ctx) }

// migrate applies the embedded migrations that are not yet recorded. On
// PostgreSQL all of them run in one transaction holding an advisory lock:
// a second node starting at the same moment waits, then finds them applied.
func (s *Store) migrate(ctx context.Context) error {
	dir := "migrations/" + s.dialect
	names := MigrationNames(s.dialect)
	if len(names) == 0 {
		return fmt.Errorf("no migrations for dialect %s", s.dialect)
	}
	apply := func(tx *sql.Tx, name string) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE name = $1`, name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		body, err := migrationsFS.ReadFile(dir + "/" + name)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)`, name, s.now().Unix())
		return err
	}
	if s.dialect == "postgres" {
		return s.tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, advisoryMigrations); err != nil {
				return fmt.Errorf("migration lock: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
				return fmt.Errorf("migrations table: %w", err)
			}
			for _, name := range names {
				if err := apply(tx, name); err != nil {
					return err
				}
			}
			return nil
		})
	}
	// Read what is applied without taking the write lock, so that a
	// command opening an up-to-date database (kb search, backup...) does
	// not wait for another process's long write transaction.
	var exists int
	if err := s.w.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&exists); err != nil {
		return fmt.Errorf("migrations table: %w", err)
	}
	if exists == 0 {
		if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
			return fmt.Errorf("migrations table: %w", err)
		}
	}
	applied := map[string]bool{}
	rows, err := s.w.QueryContext(ctx, `SELECT name FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("migrations table: %w", err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		applied[n] = true
	}
	rows.Close()
	for _, name := range names {
		if applied[name] {
			continue
		}
		if err := s.tx(ctx, func(tx *sql.Tx) error { return apply(tx, name) }); err != nil {
			return err
		}
	}
	return nil
}

// MigrationNames lists the migrations this build carries for dialect, in order.
func MigrationNames(dialect string) []string {
	entries, _ := fs.ReadDir(migrationsFS, "migrations/"+dialect)
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names
}

// Migrations lists the applied migrations in order.
func (s *Store) Migrations(ctx context.Context) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT name FROM schema_migrations ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// tx runs fn in a write transaction, committing when it returns nil.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// prepared returns the statement query prepared on db, preparing it the
// first time. Only for fixed query texts (the cache is never pruned): the
// hot paths of Open311 (open311*.go), where preparing each statement anew
// cost about a fifth of a POST's CPU on SQLite (docs/benchmarks.md). Use
// tx.StmtContext to run it inside a transaction: database/sql reuses the
// statement already prepared on the transaction's connection.
func (s *Store) prepared(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, error) {
	k := stmtKey{db, query}
	s.stmtMu.RLock()
	st := s.stmts[k]
	s.stmtMu.RUnlock()
	if st != nil {
		return st, nil
	}
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	if st = s.stmts[k]; st != nil {
		return st, nil
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if s.stmts == nil {
		s.stmts = map[stmtKey]*sql.Stmt{}
	}
	s.stmts[k] = st
	return st, nil
}

// queryRow runs a fixed query returning one row on db with a cached
// prepared statement.
func (s *Store) queryRow(ctx context.Context, db *sql.DB, query string, args ...any) *sql.Row {
	st, err := s.prepared(ctx, db, query)
	if err != nil {
		// let the error surface through Scan, as QueryRowContext does
		return db.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.New(apperr.NotFound, "%s not found", what)
	}
	return err
}

// scanner is a row that can be scanned: *sql.Row and *sql.Rows.
type scanner interface{ Scan(...any) error }

// collect runs a query on the read pool and scans every row with scan.
func collect[T any](ctx context.Context, s *Store, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
