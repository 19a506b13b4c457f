package store

import (
	"context"
	"database/sql"
)

// queryRowTx runs a fixed one-row query in tx, as the Store's prepared
// statement (store.go, prepared) when one was prepared before the
// transaction began: preparing on s.w inside it would wait for the
// connection the transaction holds (SQLite has one writer connection).
func (s *Store) queryRowTx(ctx context.Context, tx *sql.Tx, query string, args ...any) scanner {
	s.stmtMu.RLock()
	st := s.stmts[stmtKey{s.w, query}]
	s.stmtMu.RUnlock()
	if st != nil {
		return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, query, args...)
}
