package storetest

import (
	"context"
	"os"
	"testing"

	"github.com/icarus-city/icarus/internal/store"
)

// OpenForTest opens the store that the tests of the service and HTTP layers
// run on: SQLite in dir by default, or a fresh migrated PostgreSQL database
// when ICARUS_TEST_STORE=postgres (CI runs those packages both ways). The
// store is closed when t ends.
func OpenForTest(t testing.TB, dir string, opt store.Options) *store.Store {
	t.Helper()
	var st *store.Store
	var err error
	switch os.Getenv("ICARUS_TEST_STORE") {
	case "", "sqlite":
		st, err = store.OpenSQLite(context.Background(), dir, opt)
	case "postgres":
		st, err = store.OpenPostgres(context.Background(), NewMigratedPostgresDB(t), opt)
	default:
		t.Fatalf("ICARUS_TEST_STORE=%q: want sqlite or postgres", os.Getenv("ICARUS_TEST_STORE"))
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// OpenShared opens the test store like OpenForTest, for a fixture that
// several tests share: its life is not tied to t, and the caller releases it
// (closing the store, dropping a PostgreSQL database) with the returned func.
func OpenShared(t testing.TB, dir string, opt store.Options) (*store.Store, func(), error) {
	t.Helper()
	switch os.Getenv("ICARUS_TEST_STORE") {
	case "", "sqlite":
		st, err := store.OpenSQLite(context.Background(), dir, opt)
		if err != nil {
			return nil, nil, err
		}
		return st, func() { st.Close() }, nil
	case "postgres":
		NewMigratedPostgresDB(t) // starts the server and builds the migrated template once
		name, err := createDB(pgServer.template)
		if err != nil {
			return nil, nil, err
		}
		st, err := store.OpenPostgres(context.Background(), pgURL(name), opt)
		if err != nil {
			dropDB(name)
			return nil, nil, err
		}
		return st, func() { st.Close(); dropDB(name) }, nil
	}
	t.Fatalf("ICARUS_TEST_STORE=%q: want sqlite or postgres", os.Getenv("ICARUS_TEST_STORE"))
	return nil, nil, nil
}
