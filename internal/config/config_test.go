package config

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestPrecedence(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "c.json")
	os.WriteFile(f, []byte(`{"addr":"0.0.0.0:9000","suppress_below":3}`), 0o600)
	c, err := Load(f, env(map[string]string{"ICARUS_SUPPRESS_BELOW": "10"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "0.0.0.0:9000" || c.SuppressBelow != 10 || c.DataDir != "./icarus-data" {
		t.Fatalf("got %+v", c)
	}
	if _, err := Load("", env(map[string]string{"ICARUS_SUPPRESS_BELOW": "x"})); err == nil {
		t.Fatal("bad env value accepted")
	}
	os.WriteFile(f, []byte(`{"adr":"x"}`), 0o600)
	if _, err := Load(f, env(nil)); err == nil {
		t.Fatal("unknown config key accepted")
	}
}

func TestDatabaseURL(t *testing.T) {
	env := func(k string) (string, bool) {
		if k == "ICARUS_DB" {
			return "postgres://icarus@127.0.0.1:5432/icarus", true
		}
		return "", false
	}
	c, err := Load("", env)
	if err != nil || c.DB != "postgres://icarus@127.0.0.1:5432/icarus" || !c.Postgres() {
		t.Fatalf("ICARUS_DB: %+v, %v", c, err)
	}
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	c.DataFlag(fs)
	if err := fs.Parse([]string{"--db", "sqlite:/tmp/x"}); err != nil {
		t.Fatal(err)
	}
	if c.DB != "sqlite:/tmp/x" || c.Postgres() || c.Validate() != nil {
		t.Errorf("--db flag: %+v", c)
	}
	c.DB = "mysql://x"
	if c.Validate() == nil {
		t.Error("a mysql URL validated")
	}
}
