package store

// Group commit for the small, frequent writes of the public write paths
// (survey submissions: surveys_submit.go). SQLite has one writer: when many
// requests write at once each waits for the connection, then pays a whole
// transaction (BEGIN, its statements, COMMIT appending WAL frames). The
// group committer takes every write waiting at that moment (at most
// groupMax) and runs them in one transaction, each inside a savepoint of its
// own: a write that fails is rolled back to its savepoint alone and gets its
// own error, the others are kept. Nothing is acknowledged before the COMMIT
// that holds it returns; if the COMMIT fails, every write of the group gets
// that error (none of them is stored, and a caller with an idempotency key
// may simply resend). A lone write is one transaction, as before: grouping
// only happens when writes queue up, so it adds no latency when idle.
//
// A write that is already queued is not interrupted by its caller's
// cancellation: interrupting one SQLite statement inside a shared
// transaction may roll the whole transaction back. A caller that has gone
// away before its turn is skipped with its context's error.
//
// PostgreSQL runs concurrent transactions itself: there the writes run as
// ordinary transactions.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// groupMax bounds the writes of one group transaction (and so how long the
// first of them waits for the last).
const groupMax = 64

type groupOp struct {
	ctx  context.Context
	fn   func(context.Context, *sql.Tx) error
	err  error
	done chan struct{}
}

type groupCommitter struct {
	db   *sql.DB
	q    chan *groupOp // unbuffered: an op is either taken by the loop or not sent
	quit chan struct{}
	wg   sync.WaitGroup
	once sync.Once
	// waiting counts the writes waiting to be taken (observed by tests).
	waiting atomic.Int64
}

var errStoreClosed = errors.New("store: closed")

func startGroupCommitter(db *sql.DB) *groupCommitter {
	g := &groupCommitter{db: db, q: make(chan *groupOp), quit: make(chan struct{})}
	g.wg.Add(1)
	go g.run()
	return g
}

func (g *groupCommitter) run() {
	defer g.wg.Done()
	ops := make([]*groupOp, 0, groupMax)
	for {
		select {
		case <-g.quit:
			return
		case op := <-g.q:
			ops = append(ops[:0], op)
		}
	more:
		for len(ops) < groupMax {
			select {
			case op := <-g.q:
				ops = append(ops, op)
			default:
				break more
			}
		}
		g.commit(ops)
	}
}

// commit runs ops in one transaction and wakes their callers.
func (g *groupCommitter) commit(ops []*groupOp) {
	defer func() {
		for _, op := range ops {
			close(op.done)
		}
	}()
	bg := context.Background()
	tx, err := g.db.BeginTx(bg, nil)
	if err != nil {
		for _, op := range ops {
			op.err = err
		}
		return
	}
	ran := 0 // ops whose changes the commit holds
	for _, op := range ops {
		if op.err = op.ctx.Err(); op.err != nil {
			continue
		}
		ctx := context.WithoutCancel(op.ctx)
		if _, err = tx.ExecContext(bg, `SAVEPOINT g`); err != nil {
			break
		}
		if op.err = runGroupOp(ctx, op, tx); op.err != nil {
			if _, err = tx.ExecContext(bg, `ROLLBACK TO g`); err != nil {
				break
			}
		} else {
			ran++
		}
		if _, err = tx.ExecContext(bg, `RELEASE g`); err != nil {
			break
		}
	}
	if err == nil && ran > 0 {
		err = tx.Commit()
	} else {
		if rbErr := tx.Rollback(); err == nil && rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			err = rbErr
		}
	}
	if err != nil { // nothing of this group is stored
		for _, op := range ops {
			if op.err == nil {
				op.err = err
			}
		}
	}
}

// runGroupOp runs op's function; a panic fails that write alone (it would
// otherwise end the committer and every later write would wait for ever).
func runGroupOp(ctx context.Context, op *groupOp, tx *sql.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("store: a grouped write panicked: %v", p)
		}
	}()
	return op.fn(ctx, tx)
}

// stop ends the loop once no write is in flight; later writes get errStoreClosed.
func (g *groupCommitter) stop() {
	g.once.Do(func() { close(g.quit) })
	g.wg.Wait()
}

// groupTx runs fn in a write transaction, grouped with the writes waiting
// at the same time on SQLite (see above). fn must use the context it is
// given and must not keep state across calls that it does not reset: it
// runs exactly once, but its changes are kept only if groupTx returns nil.
func (s *Store) groupTx(ctx context.Context, fn func(context.Context, *sql.Tx) error) error {
	if s.group == nil {
		return s.tx(ctx, func(tx *sql.Tx) error { return fn(ctx, tx) })
	}
	op := &groupOp{ctx: ctx, fn: fn, done: make(chan struct{})}
	s.group.waiting.Add(1)
	select {
	case s.group.q <- op:
		s.group.waiting.Add(-1)
	case <-ctx.Done():
		s.group.waiting.Add(-1)
		return ctx.Err()
	case <-s.group.quit:
		s.group.waiting.Add(-1)
		return errStoreClosed
	}
	<-op.done // once taken, the op's fate is the commit's: wait for it
	return op.err
}
