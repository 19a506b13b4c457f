package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestGroupTxKeepsEachWriteApart queues writes behind a write that holds the
// group committer, so that they run grouped; every third write inserts and
// then fails, and one panics after inserting. Exactly the writes that
// returned nil are stored, the failed
// ones left nothing, and the queued writes did share transactions.
func TestGroupTxKeepsEachWriteApart(t *testing.T) {
	ctx := context.Background()
	s, err := OpenSQLite(ctx, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.group == nil {
		t.Fatal("SQLite store without group committer")
	}
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE gc_test (n INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	hold, held := make(chan struct{}), make(chan struct{})
	go s.groupTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		close(held)
		<-hold
		return nil
	})
	<-held
	const n = 150
	var mu sync.Mutex
	txs := map[*sql.Tx]int{}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.groupTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
				mu.Lock()
				txs[tx]++
				mu.Unlock()
				if _, err := tx.ExecContext(ctx, `INSERT INTO gc_test (n) VALUES ($1)`, i); err != nil {
					return err
				}
				if i%3 == 0 {
					return fmt.Errorf("write %d refused", i)
				}
				if i == 100 {
					panic("a bug in a write")
				}
				return nil
			})
		}()
	}
	// every writer is queued once the committer is released: wait until
	// the goroutines are blocked sending (they cannot run before)
	waitQueued(t, s, n)
	close(hold)
	wg.Wait()
	want := 0
	for i, err := range errs {
		switch {
		case i%3 == 0 && (err == nil || err.Error() != fmt.Sprintf("write %d refused", i)):
			t.Errorf("write %d: err %v, want its own refusal", i, err)
		case i == 100 && (err == nil || !strings.Contains(err.Error(), "panicked")):
			t.Errorf("write %d panicked: err %v", i, err)
		case i%3 != 0 && i != 100 && err != nil:
			t.Errorf("write %d: %v", i, err)
		}
		if i%3 != 0 && i != 100 {
			want++
		}
	}
	var got, bad int
	if err := s.w.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE n % 3 = 0) FROM gc_test`).Scan(&got, &bad); err != nil {
		t.Fatal(err)
	}
	var panicked int
	s.w.QueryRowContext(ctx, `SELECT count(*) FROM gc_test WHERE n = 100`).Scan(&panicked)
	if got != want || bad != 0 || panicked != 0 {
		t.Errorf("stored %d rows (%d of failed writes, %d of the panicked one), want %d (0, 0)", got, bad, panicked, want)
	}
	if len(txs) >= n || len(txs) < (n+groupMax-1)/groupMax {
		t.Errorf("%d writes ran in %d transactions: want grouped, at most %d per transaction", n, len(txs), groupMax)
	}
	for _, k := range txs {
		if k > groupMax {
			t.Errorf("a transaction held %d writes, more than %d", k, groupMax)
		}
	}
}

// waitQueued waits until n goroutines are blocked in groupTx's send.
func waitQueued(t *testing.T, s *Store, n int) {
	t.Helper()
	for range 2000 {
		if s.group.waiting.Load() >= int64(n) {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("writers not queued")
}

func TestGroupTxCancelledBeforeItsTurnStoresNothing(t *testing.T) {
	ctx := context.Background()
	s, err := OpenSQLite(ctx, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE gc_test (n INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	hold, held := make(chan struct{}), make(chan struct{})
	go s.groupTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		close(held)
		<-hold
		return nil
	})
	<-held
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() {
		done <- s.groupTx(cctx, func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO gc_test (n) VALUES (1)`)
			return err
		})
	}()
	waitQueued(t, s, 1)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled write: %v, want context.Canceled", err)
	}
	close(hold)
	if err := s.groupTx(ctx, func(ctx context.Context, tx *sql.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	var got int
	s.w.QueryRowContext(ctx, `SELECT count(*) FROM gc_test`).Scan(&got)
	if got != 0 {
		t.Errorf("%d rows stored by a cancelled write", got)
	}
	s.Close()
	if err := s.groupTx(ctx, func(ctx context.Context, tx *sql.Tx) error { return nil }); !errors.Is(err, errStoreClosed) {
		t.Errorf("write after Close: %v, want errStoreClosed", err)
	}
}
