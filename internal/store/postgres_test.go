package store_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/icarus-city/icarus/internal/store"
	"github.com/icarus-city/icarus/internal/store/storetest"
)

// openPostgres is the PostgreSQL Factory of the conformance suite: a fresh
// database per test (a copy of a migrated template), opened through
// store.Open as the CLI does.
func openPostgres(t *testing.T, now func() time.Time) *store.Store {
	t.Helper()
	url := storetest.NewMigratedPostgresDB(t)
	s, err := store.Open(context.Background(), url, "", store.Options{Now: now})
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

func TestPostgresConformance(t *testing.T) {
	storetest.Run(t, openPostgres,
		storetest.WithDisableUser(func(t *testing.T, s *store.Store, id int64) {
			if err := store.SetUserDisabledForTest(context.Background(), s, id, true); err != nil {
				t.Fatal(err)
			}
		}),
		// a PostgreSQL backup is a SQLite file of the same installation
		storetest.WithBackup(func(t *testing.T) string {
			dir := filepath.Join(t.TempDir(), "backup")
			if err := os.MkdirAll(dir, 0o750); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(dir, store.DBFile)
		}, func(t *testing.T, path string, now func() time.Time) *store.Store {
			b, err := store.OpenSQLite(context.Background(), filepath.Dir(path), store.Options{Now: now})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { b.Close() })
			return b
		}))
}

// Two nodes starting at once on an empty database: the migrations run once
// (under the advisory lock) and both stores work.
func TestPostgresConcurrentMigrations(t *testing.T) {
	url := storetest.NewPostgresDB(t)
	ctx := context.Background()
	const nodes = 4
	stores := make([]*store.Store, nodes)
	errs := make([]error, nodes)
	var wg sync.WaitGroup
	for i := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = store.Open(ctx, url, "", store.Options{})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("node %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	ms, err := stores[0].Migrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := store.MigrationNames("postgres"); len(ms) != len(want) {
		t.Errorf("Migrations = %q, want %q", ms, want)
	}
	o, err := stores[1].EnsureOrg(ctx, "city", "City")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := stores[2].Org(ctx, o.ID); err != nil || got != o {
		t.Errorf("node 2 sees %+v, %v; want %+v", got, err, o)
	}
}

func TestOpenChoosesByURL(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := store.Open(ctx, "", dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Dialect() != "sqlite" {
		t.Errorf("Open(\"\") dialect %s", s.Dialect())
	}
	s.Close()
	other := t.TempDir()
	s, err = store.Open(ctx, "sqlite:"+other, dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := filepath.Glob(filepath.Join(other, store.DBFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Open(ctx, "mysql://x", dir, store.Options{}); err == nil {
		t.Error("Open accepted a mysql URL")
	}
	if got := store.Redact("postgres://ann:secret@db:5432/icarus?sslmode=disable"); got != "postgres://ann:xxxxx@db:5432/icarus?sslmode=disable" {
		t.Errorf("Redact = %s", got)
	}
}
