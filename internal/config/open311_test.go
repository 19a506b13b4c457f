package config

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// TestOpen311Limits: defaults, file < env < flags, and refused values.
func TestOpen311Limits(t *testing.T) {
	c, err := Load("", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Open311 != DefaultOpen311Limits() || c.Open311.PostPerIP != 600 || c.Open311.MaxBodyBytes != 65536 {
		t.Fatalf("defaults: %+v", c.Open311)
	}
	f := filepath.Join(t.TempDir(), "c.json")
	os.WriteFile(f, []byte(`{"open311":{"post_per_ip":5,"post_per_key":7,"bad_keys_per_ip":2,"max_body_bytes":2048}}`), 0o600)
	c, err = Load(f, env(map[string]string{"ICARUS_OPEN311_POST_PER_KEY": "0"}))
	if err != nil {
		t.Fatal(err)
	}
	if want := (Open311Limits{PostPerIP: 5, PostPerKey: 0, BadKeysPerIP: 2, MaxBodyBytes: 2048}); c.Open311 != want {
		t.Fatalf("file then env: got %+v, want %+v", c.Open311, want)
	}
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	c.ServeFlags(fs)
	if err := fs.Parse([]string{"--open311-post-per-ip", "100000", "--open311-max-body", "4096"}); err != nil {
		t.Fatal(err)
	}
	if c.Open311.PostPerIP != 100000 || c.Open311.MaxBodyBytes != 4096 || c.Validate() != nil {
		t.Fatalf("flags: %+v", c.Open311)
	}
	for _, bad := range []map[string]string{
		{"ICARUS_OPEN311_POST_PER_IP": "-1"},
		{"ICARUS_OPEN311_POST_PER_IP": "many"},
		{"ICARUS_OPEN311_BAD_KEYS_PER_IP": "1.5"},
		{"ICARUS_OPEN311_MAX_BODY_BYTES": "10"},
		{"ICARUS_OPEN311_MAX_BODY_BYTES": "99999999"},
	} {
		if _, err := Load("", env(bad)); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// TestPublicReadsPerIP: default, file < env < flag, refused values.
func TestPublicReadsPerIP(t *testing.T) {
	c, err := Load("", env(nil))
	if err != nil || c.PublicReadsPerIP != 1200 {
		t.Fatalf("default: %d %v", c.PublicReadsPerIP, err)
	}
	f := filepath.Join(t.TempDir(), "c.json")
	os.WriteFile(f, []byte(`{"public_reads_per_ip": 300}`), 0o600)
	if c, err = Load(f, env(nil)); err != nil || c.PublicReadsPerIP != 300 {
		t.Fatalf("file: %d %v", c.PublicReadsPerIP, err)
	}
	if c, err = Load(f, env(map[string]string{"ICARUS_PUBLIC_READS_PER_IP": "0"})); err != nil || c.PublicReadsPerIP != 0 {
		t.Fatalf("env over file: %d %v", c.PublicReadsPerIP, err)
	}
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	c.ServeFlags(fs)
	if err := fs.Parse([]string{"--public-reads-per-ip", "60"}); err != nil || c.PublicReadsPerIP != 60 {
		t.Fatalf("flag: %d %v", c.PublicReadsPerIP, err)
	}
	for _, bad := range []string{"-1", "lots"} {
		if _, err := Load("", env(map[string]string{"ICARUS_PUBLIC_READS_PER_IP": bad})); err == nil {
			t.Errorf("ICARUS_PUBLIC_READS_PER_IP=%s accepted", bad)
		}
	}
}
