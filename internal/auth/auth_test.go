package auth

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"
)

func TestHashAndCheck(t *testing.T) {
	p := Params{Time: 1, MemKiB: 8 * 1024, Threads: 1, KeyLen: 32}
	h, err := HashPassword("correct horse battery", p, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=8192,t=1,p=1$") {
		t.Fatalf("unexpected hash format %q", h)
	}
	if err := CheckPassword("correct horse battery", h); err != nil {
		t.Fatalf("right password rejected: %v", err)
	}
	if err := CheckPassword("correct horse batterY", h); err != ErrMismatch {
		t.Fatalf("wrong password: got %v, want ErrMismatch", err)
	}
	h2, _ := HashPassword("correct horse battery", p, rand.Reader)
	if h == h2 {
		t.Fatal("two hashes of one password share a salt")
	}
	for _, bad := range []string{"", "$bcrypt$x", "$argon2id$v=19$m=x$a$b", "$argon2id$v=19$m=1,t=1,p=1$!!$!!"} {
		if err := CheckPassword("x", bad); err == nil {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
}

func TestDeterministicSalt(t *testing.T) {
	p := Params{Time: 1, MemKiB: 1024, Threads: 1, KeyLen: 16}
	a, _ := HashPassword("pw-pw-pw-pw-pw", p, bytes.NewReader(make([]byte, 16)))
	b, _ := HashPassword("pw-pw-pw-pw-pw", p, bytes.NewReader(make([]byte, 16)))
	if a != b {
		t.Fatal("same salt and password gave different hashes")
	}
}

func TestAllows(t *testing.T) {
	cases := []struct {
		r    Role
		p    Permission
		want bool
	}{
		{Public, PermPublic, true},
		{Public, PermViewAggregates, false},
		{Field, PermViewAggregates, true},
		{Field, PermViewIncidents, false},
		{Analyst, PermViewIncidents, true},
		{Partner, PermImportIndic, true},
		{Partner, PermImportData, false},
		{Analyst, PermManageUsers, false},
		{Admin, PermManageUsers, true},
		{Coordinator, PermManageReports, true},
		{Coordinator, PermManageServices, false},
		{Admin, PermManageServices, true},
		{Admin, Permission("nonsense"), false},
	}
	for _, c := range cases {
		if got := Allows(c.r, c.p); got != c.want {
			t.Errorf("Allows(%s, %s) = %v, want %v", c.r, c.p, got, c.want)
		}
	}
	if err := CheckNewPassword("short"); err == nil {
		t.Error("short password accepted")
	}
}

// TestManageReports: the citizen-report queue holds personal data; only
// admins and coordinators may work on it.
func TestManageReports(t *testing.T) {
	want := map[Role]bool{Admin: true, Coordinator: true}
	for _, r := range append(Roles(), Public) {
		if got := Allows(r, PermManageReports); got != want[r] {
			t.Errorf("Allows(%s, %s) = %v, want %v", r, PermManageReports, got, want[r])
		}
	}
}

// TestKBPermissions: editors (admin, analyst, coordinator) write drafts;
// reviewers (admin, coordinator) publish.
func TestKBPermissions(t *testing.T) {
	edit := map[Role]bool{Admin: true, Analyst: true, Coordinator: true}
	review := map[Role]bool{Admin: true, Coordinator: true}
	for _, r := range append(Roles(), Public) {
		if got := Allows(r, PermKBEdit); got != edit[r] {
			t.Errorf("Allows(%s, kb_edit) = %v", r, got)
		}
		if got := Allows(r, PermKBReview); got != review[r] {
			t.Errorf("Allows(%s, kb_review) = %v", r, got)
		}
		if got := Allows(r, PermKBTaxonomy); got != (r == Admin) {
			t.Errorf("Allows(%s, kb_taxonomy) = %v, want only admin", r, got)
		}
	}
}
