// Package realdata locates the shared folder of real public data that tests
// and benchmarks use (police open data, boundaries, reference outputs).
package realdata

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Dir returns the real-data directory: $ICARUS_SHARED_DATA, else the
// shared/data folder beside the repository checkout. When it is missing the
// test is skipped, except in CI (ICARUS_CI set), where that is a failure.
func Dir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("ICARUS_SHARED_DATA")
	if dir == "" {
		_, file, _, _ := runtime.Caller(0)
		dir = filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "data")
	}
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("ICARUS_CI") != "" {
			t.Fatalf("real data directory %q not found: CI must not skip (set ICARUS_SHARED_DATA)", dir)
		}
		t.Skipf("real data directory %q not found (set ICARUS_SHARED_DATA to the shared data folder to run this test)", dir)
	}
	return dir
}

// Path joins elements onto Dir.
func Path(t testing.TB, elem ...string) string {
	return filepath.Join(append([]string{Dir(t)}, elem...)...)
}
