package storetest

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"sync"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/store"
)

// appTables are the application tables (schema versions 1 and 2).
var appTables = []string{
	"area_containment", "area_layers", "areas", "audit_log", "datasets", "iccs_mappings", "imports",
	"incident_areas", "incidents", "indicator_values", "indicators", "jobs", "orgs", "partners", "rate_limits",
	"sessions", "users",
}

func testBasics(e *env) {
	e.must(e.s.Ping(e.ctx))
	if e.s.Dialect() == "" {
		e.t.Error("Dialect is empty")
	}
	if got := e.s.Now(); !got.Equal(Start) {
		e.t.Errorf("Now = %v, want the injected clock's %v", got, Start)
	}
	e.clock.Advance(90 * time.Second)
	if got := e.s.Now(); !got.Equal(Start.Add(90 * time.Second)) {
		e.t.Errorf("Now after advancing = %v, want %v", got, Start.Add(90*time.Second))
	}
}

func testMigrations(e *env) {
	ms, err := e.s.Migrations(e.ctx)
	e.must(err)
	if len(ms) == 0 || ms[0] != "0001_init.sql" {
		e.t.Fatalf("Migrations = %q, want it to start with 0001_init.sql", ms)
	}
	if !sort.StringsAreSorted(ms) {
		e.t.Errorf("Migrations not in order: %q", ms)
	}
}

func testTableCounts(e *env) {
	c := e.tableCounts()
	for _, tb := range appTables {
		n, ok := c[tb]
		if !ok {
			e.t.Errorf("TableCounts lacks table %s (got %v)", tb, c)
			continue
		}
		if n != 0 {
			e.t.Errorf("fresh store: %s has %d rows, want 0", tb, n)
		}
	}
	o := e.org("a")
	e.org("b")
	_, err := e.s.CreateUser(e.ctx, store.User{OrgID: o.ID, Email: "x@a.test", Role: "admin"}, "h")
	e.must(err)
	c = e.tableCounts()
	if c["orgs"] != 2 || c["users"] != 1 || c["sessions"] != 0 {
		e.t.Errorf("TableCounts after 2 orgs and 1 user = %v", c)
	}
}

func testBackup(e *env) {
	o := e.org("city")
	seedIncidents(e, o.ID, "crimes", genRows(100, nil))
	_, err := e.s.CreateUser(e.ctx, store.User{OrgID: o.ID, Email: "b@city.test", Role: "analyst"}, "h")
	e.must(err)
	before := e.tableCounts()

	var path string
	if e.cfg.backupPath != nil {
		path = e.cfg.backupPath(e.t)
	} else {
		dir := filepath.Join(e.t.TempDir(), "backup")
		e.must(os.MkdirAll(dir, 0o750))
		path = filepath.Join(dir, store.DBFile)
	}
	e.must(e.s.Backup(e.ctx, path))
	if fi, err := os.Stat(path); err != nil {
		e.t.Fatalf("backup file: %v", err)
	} else if fi.Size() == 0 {
		e.t.Fatal("backup file is empty")
	}
	// a second backup to the same place is refused and leaves the copy alone
	fi1, _ := os.Stat(path)
	e.wantCode(e.s.Backup(e.ctx, path), apperr.Conflict)
	if fi2, _ := os.Stat(path); fi2.Size() != fi1.Size() || !fi2.ModTime().Equal(fi1.ModTime()) {
		e.t.Error("refused backup changed the existing file")
	}
	// the live store is untouched and still writable
	e.org("after-backup")

	var b *store.Store
	switch {
	case e.cfg.openBackup != nil:
		b = e.cfg.openBackup(e.t, path, e.clock.Now)
	case e.s.Dialect() == "sqlite":
		var err error
		b, err = store.OpenSQLite(e.ctx, filepath.Dir(path), store.Options{Now: e.clock.Now})
		e.must(err)
		e.t.Cleanup(func() { b.Close() })
	default:
		e.t.Log("no way to open a backup of this dialect; skipping the comparison")
		return
	}
	after, err := b.TableCounts(e.ctx)
	e.must(err)
	if !reflect.DeepEqual(before, after) {
		e.t.Errorf("backup counts differ:\nlive   %v\nbackup %v", before, after)
	}
	ms, err := b.Migrations(e.ctx)
	e.must(err)
	want, err := e.s.Migrations(e.ctx)
	e.must(err)
	if !reflect.DeepEqual(ms, want) {
		e.t.Errorf("backup migrations %q, want %q", ms, want)
	}
	if _, _, err := b.UserByEmail(e.ctx, "b@city.test"); err != nil {
		e.t.Errorf("user missing from backup: %v", err)
	}
}

// testConcurrentReaders checks that an open write transaction (an incident
// import) neither blocks readers nor shows them anything before Commit.
func testConcurrentReaders(e *env) {
	o := e.org("city")
	seedIncidents(e, o.ID, "old", genRows(50, nil))
	f := store.Filter{OrgID: o.ID}

	imp, err := e.s.BeginIncidentImport(e.ctx, store.Dataset{OrgID: o.ID, Name: "new"})
	e.must(err)
	committed := false
	defer func() {
		if !committed {
			imp.Rollback()
		}
	}()
	for _, r := range genRows(300, nil) {
		r.Key = "new-" + r.Key
		e.must(imp.Add(r))
	}

	// several readers at once, while the writer holds its transaction open
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := e.s.CountIncidents(e.ctx, f)
			if err != nil {
				errs <- err
				return
			}
			if n != 50 {
				errs <- errorf("reader saw %d incidents during the open import, want 50", n)
				return
			}
			ds, err := e.s.Datasets(e.ctx, o.ID)
			if err != nil {
				errs <- err
				return
			}
			if len(ds) != 1 {
				errs <- errorf("reader saw %d datasets during the open import, want 1", len(ds))
			}
			if err := e.s.Ping(e.ctx); err != nil {
				errs <- err
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		e.t.Fatal("readers blocked by an open write transaction")
	}
	close(errs)
	for err := range errs {
		e.t.Error(err)
	}
	imps, err := e.s.Imports(e.ctx, o.ID, 10)
	e.must(err)
	if len(imps) != 1 {
		e.t.Errorf("reader saw %d imports during the open import, want 1", len(imps))
	}

	ins, dup, err := imp.Commit(store.ImportRecord{FileName: "new.csv"})
	committed = true
	e.must(err)
	if ins != 300 || dup != 0 {
		e.t.Errorf("Commit = %d inserted, %d duplicates; want 300, 0", ins, dup)
	}
	if n := e.count(f); n != 350 {
		e.t.Errorf("after Commit readers see %d incidents, want 350", n)
	}
}
