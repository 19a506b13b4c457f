package store

// SQLite WAL checkpoints off the request path. By default SQLite
// checkpoints at the commit that takes the write-ahead log past 1,000 pages:
// that commit then copies the log into the database file and syncs it, and
// every writer queued behind the single writer connection waits (the tail of
// the Open311 POST latencies, docs/benchmarks.md). The writer connection
// runs with wal_autocheckpoint(0) and this checkpointer, on a connection of
// its own, runs a PASSIVE checkpoint every checkpointEvery: it never waits
// for readers or the writer, and once the whole log is copied the next
// writer starts the log over. If the log still grows past
// checkpointMaxFrames (a reader holding an old snapshot for long), a
// RESTART checkpoint waits (busy_timeout) for the writers so that the log
// is bounded. Closing the Store stops it; SQLite checkpoints when the last
// connection closes.

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

const (
	checkpointEvery     = 250 * time.Millisecond
	checkpointMaxFrames = 16384 // 64 MB of 4 kB pages
)

type checkpointer struct {
	db   *sql.DB
	quit chan struct{}
	done sync.WaitGroup
	once sync.Once
}

func startCheckpointer(path, pragmas string) (*checkpointer, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?"+pragmas)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	c := &checkpointer{db: db, quit: make(chan struct{})}
	c.done.Add(1)
	go c.run()
	return c, nil
}

func (c *checkpointer) run() {
	defer c.done.Done()
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { <-c.quit; cancel() }()
	for {
		select {
		case <-c.quit:
			return
		case <-t.C:
		}
		var busy, log, done int
		if err := c.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &log, &done); err != nil {
			continue // retried at the next tick (e.g. while the database is being created)
		}
		if log > checkpointMaxFrames {
			c.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(RESTART)`).Scan(&busy, &log, &done)
		}
	}
}

// stop ends the checkpointer and closes its connection.
func (c *checkpointer) stop() error {
	c.once.Do(func() { close(c.quit) })
	c.done.Wait()
	return c.db.Close()
}
