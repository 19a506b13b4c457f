package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/icarus-city/icarus/internal/store"
)

// PostgreSQL for tests. NewPostgresDB and NewMigratedPostgresDB hand each
// test its own fresh database on one server per test binary:
//
//   - the server named by ICARUS_TEST_PG_URL (a superuser URL of any
//     database on it, e.g. postgres://postgres@127.0.0.1:5432/postgres);
//     .ci/run starts one cluster and sets it;
//   - otherwise a throwaway cluster started on a free loopback port from
//     Debian's binaries (/usr/lib/postgresql/15/bin, or initdb on PATH),
//     run as the postgres user when the tests run as root, and stopped and
//     removed when the test binary exits.
//
// Without either the test is skipped with the reason, unless ICARUS_CI is
// set: CI must never skip PostgreSQL tests, so there it fails.

// pgServer is the per-binary server: test support, so package-level state
// is allowed here (internal/archtest exempts storetest).
var pgServer struct {
	once     sync.Once
	admin    *sql.DB
	url      *url.URL // admin URL
	err      error
	tplOnce  sync.Once
	template string
	tplErr   error
	seq      atomic.Int64
}

// NewPostgresDB creates an empty database for t and returns its URL. The
// database is dropped when t ends.
func NewPostgresDB(t testing.TB) string {
	t.Helper()
	return newPostgresDB(t, "template0")
}

// NewMigratedPostgresDB creates a database with every migration applied (a
// copy of a migrated template) and returns its URL.
func NewMigratedPostgresDB(t testing.TB) string {
	t.Helper()
	pgServer.tplOnce.Do(func() {
		if err := pgStart(); err != nil {
			pgServer.tplErr = err
			return
		}
		name := fmt.Sprintf("icarus_tpl_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6)
		if _, err := pgServer.admin.Exec(`CREATE DATABASE ` + name + ` TEMPLATE template0`); err != nil {
			pgServer.tplErr = err
			return
		}
		s, err := store.OpenPostgres(context.Background(), pgURL(name), store.Options{})
		if err != nil {
			pgServer.tplErr = fmt.Errorf("migrating the template database: %w", err)
			return
		}
		s.Close()
		pgServer.template = name
	})
	if pgServer.tplErr != nil {
		pgUnavailable(t, pgServer.tplErr)
	}
	return newPostgresDB(t, pgServer.template)
}

func newPostgresDB(t testing.TB, template string) string {
	t.Helper()
	if err := pgStart(); err != nil {
		pgUnavailable(t, err)
	}
	name, err := createDB(template)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := dropDB(name); err != nil {
			t.Logf("dropping test database %s: %v", name, err)
		}
	})
	return pgURL(name)
}

// createDB creates a database copied from template and returns its name.
func createDB(template string) (string, error) {
	name := fmt.Sprintf("icarus_t_%d_%d", os.Getpid(), pgServer.seq.Add(1))
	var err error
	for try := 0; try < 5; try++ { // a template's last backend may still be exiting
		if _, err = pgServer.admin.Exec(`CREATE DATABASE ` + name + ` TEMPLATE ` + template); err == nil || !strings.Contains(err.Error(), "being accessed") {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		return "", fmt.Errorf("CREATE DATABASE %s: %w", name, err)
	}
	return name, nil
}

func dropDB(name string) error {
	_, err := pgServer.admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	return err
}

func pgURL(db string) string {
	u := *pgServer.url
	u.Path = "/" + db
	return u.String()
}

func pgUnavailable(t testing.TB, err error) {
	t.Helper()
	if _, ci := os.LookupEnv("ICARUS_CI"); ci {
		t.Fatalf("PostgreSQL is needed and CI must not skip: %v", err)
	}
	t.Skipf("PostgreSQL not available, skipping (%v); set ICARUS_TEST_PG_URL or install PostgreSQL 15 (apt-get install postgresql)", err)
}

// pgStart connects to (or starts) the server once per test binary.
func pgStart() error {
	pgServer.once.Do(func() {
		raw, ok := os.LookupEnv("ICARUS_TEST_PG_URL")
		if !ok || raw == "" {
			raw, pgServer.err = startCluster()
			if pgServer.err != nil {
				return
			}
		}
		u, err := url.Parse(raw)
		if err != nil {
			pgServer.err = fmt.Errorf("ICARUS_TEST_PG_URL: %w", err)
			return
		}
		db, err := sql.Open("pgx", raw)
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err = db.PingContext(ctx)
			cancel()
		}
		if err != nil {
			pgServer.err = fmt.Errorf("connecting to %s: %w", store.Redact(raw), err)
			return
		}
		db.SetMaxOpenConns(2)
		pgServer.url, pgServer.admin = u, db
	})
	return pgServer.err
}

// PostgresBin returns the directory of PostgreSQL's server binaries
// (initdb, pg_ctl), preferring version 15.
func PostgresBin() (string, error) {
	if _, err := os.Stat("/usr/lib/postgresql/15/bin/initdb"); err == nil {
		return "/usr/lib/postgresql/15/bin", nil
	}
	if ms, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb"); len(ms) > 0 {
		sort.Strings(ms)
		return filepath.Dir(ms[len(ms)-1]), nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", fmt.Errorf("no PostgreSQL server binaries (initdb) found")
}

// startCluster initialises and starts a throwaway cluster and returns its
// superuser URL. A watchdog process stops and removes it when this process
// exits.
func startCluster() (string, error) {
	bin, err := PostgresBin()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "icarus-pg-")
	if err != nil {
		return "", err
	}
	// initdb refuses to run as root: run the server as the postgres user
	var asUser []string
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return "", fmt.Errorf("running as root and there is no postgres user to run the server: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return "", err
		}
		if p, err := exec.LookPath("runuser"); err == nil {
			asUser = []string{p, "-u", "postgres", "--"}
		} else {
			asUser = []string{"su", "postgres", "-s", "/bin/sh", "-c"}
		}
	}
	run := func(args ...string) error {
		var cmd *exec.Cmd
		switch {
		case len(asUser) == 4: // runuser -u postgres -- cmd args...
			cmd = exec.Command(asUser[0], append(asUser[1:], args...)...)
		case len(asUser) > 0: // su postgres -c "cmd args"
			cmd = exec.Command(asUser[0], append(asUser[1:], shellJoin(args))...)
		default:
			cmd = exec.Command(args[0], args[1:]...)
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %v: %s", filepath.Base(args[0]), err, strings.TrimSpace(string(out)))
		}
		return nil
	}
	port, err := freePort()
	if err != nil {
		return "", err
	}
	data := filepath.Join(dir, "db")
	if err := run(bin+"/initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", port, dir)
	if err := run(bin+"/pg_ctl", "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start"); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	stop := shellJoin(append(append([]string{}, asUser...), bin+"/pg_ctl", "-D", data, "-m", "immediate", "stop"))
	if len(asUser) > 0 && len(asUser) != 4 {
		stop = shellJoin(asUser) + " " + shellJoin([]string{shellJoin([]string{bin + "/pg_ctl", "-D", data, "-m", "immediate", "stop"})})
	}
	watch := exec.Command("/bin/sh", "-c", fmt.Sprintf("while kill -0 %d 2>/dev/null; do sleep 1; done; %s >/dev/null 2>&1; rm -rf %s", os.Getpid(), stop, shellJoin([]string{dir})))
	watch.SysProcAttr = detached()
	if err := watch.Start(); err != nil {
		return "", err
	}
	go watch.Wait()
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port), nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}
