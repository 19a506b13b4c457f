package store

import (
	"context"
	"database/sql"
)

// Hot queries (the survey submission path: docs/benchmarks.md) run as
// statements prepared once per Store and pool: on SQLite, parsing and
// planning the SQL text again on every call was a fifth of a submission's
// CPU. database/sql prepares a statement on each connection that runs it
// and re-prepares it on a new connection, so this works with both pools
// and both dialects.

type stmtKey struct {
	db    *sql.DB
	query string
}

// prepared returns query prepared on db, preparing it at the first call.
func (s *Store) prepared(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, error) {
	k := stmtKey{db, query}
	if st, ok := s.stmts.Load(k); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if old, loaded := s.stmts.LoadOrStore(k, st); loaded {
		st.Close() // another caller prepared it first
		return old.(*sql.Stmt), nil
	}
	return st, nil
}

// queryRowPrepared runs a one-row query as a prepared statement of db.
func (s *Store) queryRowPrepared(ctx context.Context, db *sql.DB, query string, args ...any) rowScanner {
	st, err := s.prepared(ctx, db, query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

// queryRowTx runs a one-row query in tx, as the Store's prepared statement
// when one was prepared before the transaction began (preparing on s.w
// inside it would wait for the connection the transaction holds: SQLite
// has one writer connection).
func (s *Store) queryRowTx(ctx context.Context, tx *sql.Tx, query string, args ...any) rowScanner {
	if st, ok := s.stmts.Load(stmtKey{s.w, query}); ok {
		return tx.StmtContext(ctx, st.(*sql.Stmt)).QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, query, args...)
}

// closeStatements closes the prepared statements (Close).
func (s *Store) closeStatements() {
	s.stmts.Range(func(k, st any) bool {
		st.(*sql.Stmt).Close()
		s.stmts.Delete(k)
		return true
	})
}

type rowScanner interface{ Scan(...any) error }

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }
