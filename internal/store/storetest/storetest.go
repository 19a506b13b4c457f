// Package storetest is the conformance suite of the store: every database
// back end of *store.Store (SQLite today, PostgreSQL tomorrow) must pass
// Run unchanged. The suite talks to the store through its exported methods
// only, and controls time through the clock it hands to the Factory.
//
// A back end wires it up in one test:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T, now func() time.Time) *store.Store {
//			s, err := store.OpenSQLite(context.Background(), t.TempDir(), store.Options{Now: now})
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// A PostgreSQL store must pass the same suite: its Factory creates a fresh,
// empty database (or schema) per call, migrates it and passes now as
// store.Options.Now.
package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/store"
)

// Factory opens a fresh, empty, migrated store for one test. The store must
// use now as its clock (store.Options.Now) and be closed by the factory
// (t.Cleanup) when the test ends.
type Factory func(t *testing.T, now func() time.Time) *store.Store

// Option adjusts the suite for a back end.
type Option func(*config)

type config struct {
	disableUser func(t *testing.T, s *store.Store, userID int64)
	openBackup  func(t *testing.T, path string, now func() time.Time) *store.Store
	backupPath  func(t *testing.T) string
}

// WithDisableUser supplies a back-end specific way to mark a user disabled:
// the Store has no method for it yet, but SessionByToken must honour the flag.
// Without it the disabled-user subtest is skipped.
func WithDisableUser(fn func(t *testing.T, s *store.Store, userID int64)) Option {
	return func(c *config) { c.disableUser = fn }
}

// WithBackup supplies where Backup writes (path, which must not exist yet)
// and how to open what it wrote as a store, so that the suite can compare the
// copy with the original. Without it the suite writes to
// <tempdir>/backup/<store.DBFile> and, for the "sqlite" dialect, reopens
// that directory with store.OpenSQLite; other dialects skip the comparison.
func WithBackup(path func(t *testing.T) string, open func(t *testing.T, path string, now func() time.Time) *store.Store) Option {
	return func(c *config) { c.backupPath, c.openBackup = path, open }
}

// Start is the instant every test's clock starts at: a whole minute (so that
// fixed rate-limit windows start there) in UTC.
var Start = time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)

// Clock is a settable clock for the store under test.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock showing t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Set sets the clock.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// env is what a subtest works with.
type env struct {
	t     *testing.T
	ctx   context.Context
	s     *store.Store
	clock *Clock
	cfg   *config
}

// Run runs the conformance suite against stores made by open.
func Run(t *testing.T, open Factory, opts ...Option) {
	cfg := &config{}
	for _, o := range opts {
		o(cfg)
	}
	tests := []struct {
		name string
		fn   func(*env)
	}{
		{"Basics", testBasics},
		{"Migrations", testMigrations},
		{"TableCounts", testTableCounts},
		{"Orgs", testOrgs},
		{"Users/Create", testCreateUser},
		{"Users/Lookup", testUserLookup},
		{"Users/SetPassword", testSetPassword},
		{"Sessions", testSessions},
		{"Sessions/Expiry", testSessionExpiry},
		{"Sessions/DisabledUser", testSessionDisabledUser},
		{"Audit", testAudit},
		{"RateLimit", testRateLimit},
		{"Layers/Replace", testReplaceLayer},
		{"Layers/Areas", testAreas},
		{"Layers/Containment", testContainment},
		{"Incidents/ImportAndReimport", testIncidentImport},
		{"Incidents/DuplicateInOneImport", testIncidentDupInOneImport},
		{"Incidents/Rollback", testIncidentRollback},
		{"Incidents/EmptyDatasetName", testIncidentEmptyName},
		{"Incidents/Summaries", testDatasetSummaries},
		{"Incidents/CountByMonth", testCountByMonth},
		{"Incidents/Paging", testIncidentPaging},
		{"Incidents/Filter", testIncidentFilter},
		{"Incidents/AreasFromImport", testIncidentAreasFromImport},
		{"Incidents/PointsAndAssignments", testPointsAndAssignments},
		{"Incidents/AreaRemovalCascades", testAreaRemovalCascades},
		{"Imports", testImports},
		{"Indicators/Import", testIndicatorImport},
		{"Indicators/Reimport", testIndicatorReimport},
		{"Indicators/Rollback", testIndicatorRollback},
		{"Jobs/Lifecycle", testJobsLifecycle},
		{"Jobs/RetryAndLease", testJobsRetryAndLease},
		{"Jobs/ClaimedOnce", testJobsClaimedOnce},
		{"KB/Search", testKBSearch},
		{"KB/Stemming", testKBStemming},   // kb_authoring.go
		{"KB/Authoring", testKBAuthoring}, // kb_authoring.go
		{"KB/PoolFallback", testKBPoolFallback},
		{"KB/Facets", testKBFacets},                       // kb_gaps.go
		{"KB/FacetsGrouped", testKBFacetsGrouped},         // kb_facets.go
		{"KB/Taxonomy", testKBTaxonomy},                   // kb_gaps.go
		{"KB/PublishedRevision", testKBPublishedRevision}, // kb_gaps.go
		{"Surveys", testSurveys},
		{"Analyses", testAnalyses},
		{"Surveys/AreaCodeKnown", testAreaCodeKnown}, // surveys_results.go
		{"Surveys/Submit", testSurveySubmit},         // surveys_submit.go
		{"Open311/Public", testOpen311Public},
		{"Open311/Staff", testOpen311Staff},
		{"Open311/CountedCreate", testOpen311CountedCreate}, // open311_perf.go
		{"Orgs/Cache", testOrgsCache},                       // open311_perf.go
		{"Backup", testBackup},
		{"ConcurrentReaders", testConcurrentReaders},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := NewClock(Start)
			s := open(t, clock.Now)
			if s == nil {
				t.Fatal("factory returned a nil store")
			}
			tc.fn(&env{t: t, ctx: context.Background(), s: s, clock: clock, cfg: cfg})
		})
	}
}

// ---- helpers ----

func (e *env) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) wantCode(err error, code apperr.Code) {
	e.t.Helper()
	if err == nil {
		e.t.Fatalf("got no error, want an error with code %s", code)
	}
	if got := apperr.CodeOf(err); got != code {
		e.t.Fatalf("error %q has code %s, want %s", err, got, code)
	}
}

func (e *env) org(slug string) store.Org {
	e.t.Helper()
	o, err := e.s.EnsureOrg(e.ctx, slug, "Org "+slug)
	e.must(err)
	return o
}

func (e *env) count(f store.Filter) int64 {
	e.t.Helper()
	n, err := e.s.CountIncidents(e.ctx, f)
	e.must(err)
	return n
}

func (e *env) tableCounts() map[string]int64 {
	e.t.Helper()
	c, err := e.s.TableCounts(e.ctx)
	e.must(err)
	return c
}

func isNotFound(err error) bool {
	var ae *apperr.Error
	return errors.As(err, &ae) && ae.Code == apperr.NotFound
}

func near(a, b float64) bool {
	d := a - b
	return d < 1e-9 && d > -1e-9
}
