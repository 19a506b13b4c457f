package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/icarus-city/icarus/internal/store"
	"github.com/icarus-city/icarus/internal/store/storetest"
)

// openSQLite is the SQLite Factory of the conformance suite. A PostgreSQL
// store must pass the same storetest.Run with a Factory that creates a
// fresh, migrated database per test.
func openSQLite(t *testing.T, now func() time.Time) *store.Store {
	t.Helper()
	s, err := store.OpenSQLite(context.Background(), t.TempDir(), store.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func TestSQLiteConformance(t *testing.T) {
	storetest.Run(t, openSQLite, storetest.WithDisableUser(func(t *testing.T, s *store.Store, id int64) {
		if err := store.SetUserDisabledForTest(context.Background(), s, id, true); err != nil {
			t.Fatal(err)
		}
	}))
}

// appliedAt reads schema_migrations straight from the file.
func appliedAt(t *testing.T, dir string) map[string]int64 {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, store.DBFile)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name, applied_at FROM schema_migrations`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var n string
		var at int64
		if err := rows.Scan(&n, &at); err != nil {
			t.Fatal(err)
		}
		out[n] = at
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSQLiteReopenKeepsDataAndMigrations(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	clock := storetest.NewClock(storetest.Start)

	s, err := store.OpenSQLite(ctx, dir, store.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	o, err := s.EnsureOrg(ctx, "city", "City")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	first := appliedAt(t, dir)
	names := store.MigrationNames("sqlite")
	if len(first) != len(names) || names[0] != "0001_init.sql" {
		t.Fatalf("schema_migrations after first open = %v, want %q", first, names)
	}
	for _, n := range names {
		if first[n] != storetest.Start.Unix() {
			t.Fatalf("schema_migrations after first open = %v, want every one applied at the clock's time", first)
		}
	}

	clock.Advance(48 * time.Hour)
	for i := 0; i < 2; i++ {
		s, err = store.OpenSQLite(ctx, dir, store.Options{Now: clock.Now})
		if err != nil {
			t.Fatalf("reopen %d: %v", i, err)
		}
		ms, err := s.Migrations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(ms, names) {
			t.Errorf("Migrations after reopen = %q, want %q", ms, names)
		}
		got, err := s.Org(ctx, o.ID)
		if err != nil || got != o {
			t.Errorf("Org after reopen = %+v, %v; want %+v", got, err, o)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if again := appliedAt(t, dir); !reflect.DeepEqual(again, first) {
		t.Errorf("schema_migrations after reopening = %v, want unchanged %v", again, first)
	}
}

func TestSQLiteTwoStoresOnOneDir(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, err := store.OpenSQLite(ctx, dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := store.OpenSQLite(ctx, dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	o, err := a.EnsureOrg(ctx, "city", "City")
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.Org(ctx, o.ID)
	if err != nil || got != o {
		t.Fatalf("b.Org = %+v, %v; want a's write %+v", got, err, o)
	}
	u, err := b.CreateUser(ctx, store.User{OrgID: o.ID, Email: "ann@city.test", Role: "admin"}, "h")
	if err != nil {
		t.Fatal(err)
	}
	if us, err := a.Users(ctx, o.ID); err != nil || len(us) != 1 || us[0].ID != u.ID {
		t.Fatalf("a.Users = %+v, %v; want b's user", us, err)
	}
	// sessions and rate limits are shared between nodes
	if err := a.CreateSession(ctx, "tok", u.ID, "c", time.Hour); err != nil {
		t.Fatal(err)
	}
	if ss, err := b.SessionByToken(ctx, "tok"); err != nil || ss.User.ID != u.ID {
		t.Errorf("b.SessionByToken = %+v, %v", ss, err)
	}

	// a write on b waits for a's open transaction instead of failing, and
	// b's readers do not see a's uncommitted rows
	imp, err := a.BeginIncidentImport(ctx, store.Dataset{OrgID: o.ID, Name: "d"})
	if err != nil {
		t.Fatal(err)
	}
	if err := imp.Add(store.IncidentRow{Key: "1", Category: "theft", Time: storetest.Start, Resolution: "open"}); err != nil {
		imp.Rollback()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := b.EnsureOrg(ctx, "second", "Second")
		done <- err
	}()
	select {
	case err := <-done:
		imp.Rollback()
		t.Fatalf("b wrote while a held the write lock (err %v)", err)
	case <-time.After(300 * time.Millisecond):
	}
	if n, err := b.CountIncidents(ctx, store.Filter{OrgID: o.ID}); err != nil || n != 0 {
		t.Errorf("b sees %d incidents of an open import (%v)", n, err)
	}
	if _, _, err := imp.Commit(store.ImportRecord{}); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("b's write after a's commit: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("b's write still blocked after a committed")
	}
	if n, err := b.CountIncidents(ctx, store.Filter{OrgID: o.ID}); err != nil || n != 1 {
		t.Errorf("b sees %d incidents after commit (%v), want 1", n, err)
	}
	if orgs, err := a.Orgs(ctx); err != nil || len(orgs) != 2 {
		t.Errorf("a.Orgs = %+v, %v; want b's second org", orgs, err)
	}
}
