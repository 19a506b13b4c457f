package config

import (
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
