package storetest

import (
	"fmt"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/store"
)

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

func testOrgs(e *env) {
	a, err := e.s.EnsureOrg(e.ctx, "turin", "Torino")
	e.must(err)
	if a.ID == 0 || a.Slug != "turin" || a.Name != "Torino" || a.MetricCRS != 0 {
		e.t.Fatalf("EnsureOrg = %+v", a)
	}
	// idempotent: same id, the name is not overwritten
	again, err := e.s.EnsureOrg(e.ctx, "turin", "Another name")
	e.must(err)
	if again != a {
		e.t.Errorf("second EnsureOrg = %+v, want %+v", again, a)
	}
	b := e.org("london")
	if b.ID == a.ID {
		e.t.Fatal("two orgs share an id")
	}
	orgs, err := e.s.Orgs(e.ctx)
	e.must(err)
	if len(orgs) != 2 || orgs[0] != a || orgs[1] != b {
		e.t.Errorf("Orgs = %+v, want [%+v %+v]", orgs, a, b)
	}

	e.must(e.s.SetOrgMetricCRS(e.ctx, a.ID, 32632))
	got, err := e.s.Org(e.ctx, a.ID)
	e.must(err)
	if got.MetricCRS != 32632 {
		e.t.Errorf("MetricCRS = %d, want 32632", got.MetricCRS)
	}
	if got, _ := e.s.Org(e.ctx, b.ID); got.MetricCRS != 0 {
		e.t.Errorf("SetOrgMetricCRS leaked to another org: %+v", got)
	}
	// EnsureOrg returns the current CRS
	if again, _ := e.s.EnsureOrg(e.ctx, "turin", ""); again.MetricCRS != 32632 {
		e.t.Errorf("EnsureOrg after SetOrgMetricCRS = %+v", again)
	}
	_, err = e.s.Org(e.ctx, a.ID+b.ID+100)
	e.wantCode(err, apperr.NotFound)
}

func testCreateUser(e *env) {
	o := e.org("city")
	for _, bad := range []string{"", "   ", "no-at-sign", "nobody.example.com"} {
		_, err := e.s.CreateUser(e.ctx, store.User{OrgID: o.ID, Email: bad, Role: auth.Admin}, "h")
		e.wantCode(err, apperr.Invalid)
	}
	for _, bad := range []auth.Role{"", "root", auth.Public, "ADMIN"} {
		_, err := e.s.CreateUser(e.ctx, store.User{OrgID: o.ID, Email: "a@city.test", Role: bad}, "h")
		e.wantCode(err, apperr.Invalid)
	}
	if n := e.tableCounts()["users"]; n != 0 {
		e.t.Fatalf("invalid users were stored: %d rows", n)
	}

	e.clock.Advance(time.Hour)
	u, err := e.s.CreateUser(e.ctx, store.User{OrgID: o.ID, Email: "  Ann.Smith@City.TEST ", Name: "Ann", Role: auth.Analyst, Lang: "it"}, "hash-1")
	e.must(err)
	if u.ID == 0 || u.Email != "ann.smith@city.test" || u.Name != "Ann" || u.Role != auth.Analyst || u.Lang != "it" || u.Disabled || u.OrgID != o.ID {
		e.t.Errorf("CreateUser = %+v", u)
	}
	if !u.Created.Equal(Start.Add(time.Hour)) {
		e.t.Errorf("Created = %v, want the clock's %v", u.Created, Start.Add(time.Hour))
	}
	// duplicate email, whatever its case or org
	other := e.org("other")
	for _, dup := range []string{"ann.smith@city.test", "ANN.SMITH@city.test"} {
		_, err = e.s.CreateUser(e.ctx, store.User{OrgID: other.ID, Email: dup, Role: auth.Field}, "h")
		e.wantCode(err, apperr.Conflict)
	}
	// every valid role is accepted
	for i, r := range auth.Roles() {
		_, err := e.s.CreateUser(e.ctx, store.User{OrgID: o.ID, Email: fmt.Sprintf("r%d@city.test", i), Role: r}, "h")
		e.must(err)
	}
	if n := e.tableCounts()["users"]; n != int64(1+len(auth.Roles())) {
		e.t.Errorf("users = %d, want %d", n, 1+len(auth.Roles()))
	}
}

func testUserLookup(e *env) {
	a, b := e.org("a"), e.org("b")
	mk := func(org int64, email string, role auth.Role, hash string) store.User {
		u, err := e.s.CreateUser(e.ctx, store.User{OrgID: org, Email: email, Name: "N " + email, Role: role, Lang: "en"}, hash)
		e.must(err)
		return u
	}
	zed := mk(a.ID, "zed@a.test", auth.Admin, "hz")
	amy := mk(a.ID, "amy@a.test", auth.Field, "ha")
	bob := mk(b.ID, "bob@b.test", auth.Partner, "hb")

	got, hash, err := e.s.UserByEmail(e.ctx, "  AMY@A.Test ")
	e.must(err)
	if got != amy || hash != "ha" {
		e.t.Errorf("UserByEmail = %+v, %q; want %+v, ha", got, hash, amy)
	}
	_, _, err = e.s.UserByEmail(e.ctx, "nobody@a.test")
	e.wantCode(err, apperr.NotFound)

	us, err := e.s.Users(e.ctx, a.ID)
	e.must(err)
	if len(us) != 2 || us[0] != amy || us[1] != zed {
		e.t.Errorf("Users(a) = %+v, want [amy zed] by email", us)
	}
	us, err = e.s.Users(e.ctx, b.ID)
	e.must(err)
	if len(us) != 1 || us[0] != bob {
		e.t.Errorf("Users(b) = %+v, want [bob]", us)
	}
	us, err = e.s.Users(e.ctx, 0)
	e.must(err)
	if len(us) != 3 || us[0] != amy || us[1] != bob || us[2] != zed {
		e.t.Errorf("Users(0) = %+v, want all three by email", us)
	}
	us, err = e.s.Users(e.ctx, a.ID+b.ID+10)
	e.must(err)
	if len(us) != 0 {
		e.t.Errorf("Users(unknown org) = %+v", us)
	}
}

func testSetPassword(e *env) {
	o := e.org("city")
	u, err := e.s.CreateUser(e.ctx, store.User{OrgID: o.ID, Email: "ann@city.test", Role: auth.Admin}, "old")
	e.must(err)
	v, err := e.s.CreateUser(e.ctx, store.User{OrgID: o.ID, Email: "val@city.test", Role: auth.Admin}, "vh")
	e.must(err)
	e.must(e.s.CreateSession(e.ctx, "tok-1", u.ID, "c1", time.Hour))
	e.must(e.s.CreateSession(e.ctx, "tok-2", u.ID, "c2", time.Hour))
	e.must(e.s.CreateSession(e.ctx, "tok-v", v.ID, "cv", time.Hour))

	e.must(e.s.SetPassword(e.ctx, "ANN@city.test", "new"))
	if _, h, err := e.s.UserByEmail(e.ctx, "ann@city.test"); err != nil || h != "new" {
		e.t.Errorf("hash after SetPassword = %q, %v; want new", h, err)
	}
	for _, tok := range []string{"tok-1", "tok-2"} {
		_, err := e.s.SessionByToken(e.ctx, tok)
		e.wantCode(err, apperr.NotFound)
	}
	// other users keep their sessions and passwords
	if _, err := e.s.SessionByToken(e.ctx, "tok-v"); err != nil {
		e.t.Errorf("another user's session ended: %v", err)
	}
	if _, h, _ := e.s.UserByEmail(e.ctx, "val@city.test"); h != "vh" {
		e.t.Errorf("another user's hash changed to %q", h)
	}
	// the email is normalised as in CreateUser and UserByEmail
	e.must(e.s.SetPassword(e.ctx, " Ann@City.test ", "newer"))
	if _, h, _ := e.s.UserByEmail(e.ctx, "ann@city.test"); h != "newer" {
		e.t.Errorf("hash after SetPassword with spaces = %q, want newer", h)
	}
	e.wantCode(e.s.SetPassword(e.ctx, "ghost@city.test", "x"), apperr.NotFound)
}

func testSessions(e *env) {
	o := e.org("city")
	u, err := e.s.CreateUser(e.ctx, store.User{OrgID: o.ID, Email: "ann@city.test", Name: "Ann", Role: auth.Coordinator, Lang: "fr"}, "h")
	e.must(err)
	e.must(e.s.CreateSession(e.ctx, "secret-token", u.ID, "csrf-1", 2*time.Hour))

	ss, err := e.s.SessionByToken(e.ctx, "secret-token")
	e.must(err)
	if ss.User != u || ss.CSRF != "csrf-1" || !ss.Expires.Equal(Start.Add(2*time.Hour)) {
		e.t.Errorf("SessionByToken = %+v; want user %+v, csrf-1, expiry %v", ss, u, Start.Add(2*time.Hour))
	}
	_, err = e.s.SessionByToken(e.ctx, "other-token")
	e.wantCode(err, apperr.NotFound)
	_, err = e.s.SessionByToken(e.ctx, "")
	e.wantCode(err, apperr.NotFound)

	// the token itself is not stored in the clear: a second session with the
	// same user works independently
	e.must(e.s.CreateSession(e.ctx, "second-token", u.ID, "csrf-2", time.Hour))
	e.must(e.s.DeleteSession(e.ctx, "secret-token"))
	_, err = e.s.SessionByToken(e.ctx, "secret-token")
	e.wantCode(err, apperr.NotFound)
	if ss, err := e.s.SessionByToken(e.ctx, "second-token"); err != nil || ss.CSRF != "csrf-2" {
		e.t.Errorf("DeleteSession ended another session: %+v, %v", ss, err)
	}
	// deleting an unknown token is not an error
	e.must(e.s.DeleteSession(e.ctx, "never-existed"))
	if n := e.tableCounts()["sessions"]; n != 1 {
		e.t.Errorf("sessions = %d, want 1", n)
	}
	// a session for an unknown user is refused (foreign key)
	if err := e.s.CreateSession(e.ctx, "orphan", u.ID+1000, "c", time.Hour); err == nil {
		e.t.Error("CreateSession accepted an unknown user")
	}
}

func testSessionExpiry(e *env) {
	o := e.org("city")
	u, err := e.s.CreateUser(e.ctx, store.User{OrgID: o.ID, Email: "ann@city.test", Role: auth.Admin}, "h")
	e.must(err)
	e.must(e.s.CreateSession(e.ctx, "short", u.ID, "c", time.Minute))
	e.must(e.s.CreateSession(e.ctx, "long", u.ID, "c", time.Hour))

	e.clock.Advance(59 * time.Second)
	if _, err := e.s.SessionByToken(e.ctx, "short"); err != nil {
		e.t.Errorf("session expired early: %v", err)
	}
	e.clock.Advance(time.Second) // exactly at expiry: gone
	_, err = e.s.SessionByToken(e.ctx, "short")
	e.wantCode(err, apperr.NotFound)
	if _, err := e.s.SessionByToken(e.ctx, "long"); err != nil {
		e.t.Errorf("long session: %v", err)
	}
	// DeleteSession also purges expired sessions
	if n := e.tableCounts()["sessions"]; n != 2 {
		e.t.Fatalf("sessions = %d, want 2 before the purge", n)
	}
	e.must(e.s.DeleteSession(e.ctx, "unrelated"))
	if n := e.tableCounts()["sessions"]; n != 1 {
		e.t.Errorf("sessions = %d after DeleteSession, want the expired one purged", n)
	}
	e.clock.Advance(time.Hour)
	_, err = e.s.SessionByToken(e.ctx, "long")
	e.wantCode(err, apperr.NotFound)
}

func testSessionDisabledUser(e *env) {
	if e.cfg.disableUser == nil {
		e.t.Skip("no WithDisableUser hook for this back end")
	}
	o := e.org("city")
	u, err := e.s.CreateUser(e.ctx, store.User{OrgID: o.ID, Email: "ann@city.test", Role: auth.Admin}, "h")
	e.must(err)
	e.must(e.s.CreateSession(e.ctx, "tok", u.ID, "c", time.Hour))
	e.cfg.disableUser(e.t, e.s, u.ID)
	_, err = e.s.SessionByToken(e.ctx, "tok")
	e.wantCode(err, apperr.NotFound)
	got, _, err := e.s.UserByEmail(e.ctx, "ann@city.test")
	e.must(err)
	if !got.Disabled {
		e.t.Error("UserByEmail does not report the user disabled")
	}
	us, err := e.s.Users(e.ctx, o.ID)
	e.must(err)
	if len(us) != 1 || !us[0].Disabled {
		e.t.Errorf("Users = %+v, want the disabled user", us)
	}
}

func testAudit(e *env) {
	a, b := e.org("a"), e.org("b")
	at := Start.Add(-24 * time.Hour)
	entries := []store.AuditEntry{
		{OrgID: a.ID, UserID: 7, Actor: "ann", Action: "signin", Target: "t1", Detail: "d1", IP: "10.0.0.1"},
		{OrgID: b.ID, Actor: "bob", Action: "import"},
		{Actor: "system", Action: "backup", At: at}, // no org: shown to every org
		{OrgID: a.ID, Actor: "ann", Action: "signout"},
	}
	for _, en := range entries {
		e.must(e.s.Audit(e.ctx, en))
		e.clock.Advance(time.Minute)
	}
	log, err := e.s.AuditLog(e.ctx, a.ID, 100)
	e.must(err)
	if len(log) != 3 || log[0].Action != "signout" || log[1].Action != "backup" || log[2].Action != "signin" {
		e.t.Fatalf("AuditLog(a) = %+v, want signout, backup, signin (newest first)", log)
	}
	first := log[2]
	if first.OrgID != a.ID || first.UserID != 7 || first.Actor != "ann" || first.Target != "t1" || first.Detail != "d1" || first.IP != "10.0.0.1" || first.ID == 0 {
		e.t.Errorf("entry = %+v", first)
	}
	if !first.At.Equal(Start) {
		e.t.Errorf("At = %v, want the clock's %v", first.At, Start)
	}
	if !log[1].At.Equal(at) || log[1].OrgID != 0 || log[1].UserID != 0 {
		e.t.Errorf("explicit At / empty ids not kept: %+v", log[1])
	}
	if !log[0].At.Equal(Start.Add(3 * time.Minute)) {
		e.t.Errorf("At = %v, want %v", log[0].At, Start.Add(3*time.Minute))
	}
	if !(log[0].ID > log[1].ID && log[1].ID > log[2].ID) {
		e.t.Errorf("ids not decreasing: %d %d %d", log[0].ID, log[1].ID, log[2].ID)
	}
	// limit keeps the newest
	log, err = e.s.AuditLog(e.ctx, a.ID, 2)
	e.must(err)
	if len(log) != 2 || log[0].Action != "signout" || log[1].Action != "backup" {
		e.t.Errorf("AuditLog(a, 2) = %+v", log)
	}
	log, err = e.s.AuditLog(e.ctx, b.ID, 10)
	e.must(err)
	if len(log) != 2 || log[0].Action != "backup" || log[1].Action != "import" {
		e.t.Errorf("AuditLog(b) = %+v", log)
	}
	log, err = e.s.AuditLog(e.ctx, 0, 10)
	e.must(err)
	if len(log) != 4 || log[0].Action != "signout" || log[3].Action != "signin" {
		e.t.Errorf("AuditLog(0) = %+v, want all 4", log)
	}
}

func testRateLimit(e *env) {
	const window = time.Minute
	hit := func(bucket string) bool {
		e.t.Helper()
		ok, err := e.s.RateLimit(e.ctx, bucket, 3, window)
		e.must(err)
		return ok
	}
	// Start is on a window boundary
	for i := 1; i <= 3; i++ {
		if !hit("ip:1") {
			e.t.Fatalf("hit %d refused, limit is 3", i)
		}
		e.clock.Advance(10 * time.Second)
	}
	if hit("ip:1") {
		e.t.Error("4th hit in the window allowed")
	}
	if !hit("ip:2") {
		e.t.Error("another bucket is limited by ip:1's hits")
	}
	e.clock.Set(Start.Add(window - time.Second))
	if hit("ip:1") {
		e.t.Error("hit in the last second of the window allowed")
	}
	// the next window starts from zero
	e.clock.Set(Start.Add(window))
	for i := 1; i <= 3; i++ {
		if !hit("ip:1") {
			e.t.Fatalf("hit %d of the next window refused", i)
		}
	}
	if hit("ip:1") {
		e.t.Error("4th hit of the next window allowed")
	}
	// windows are fixed, not sliding: skipping several windows also resets
	e.clock.Set(Start.Add(10*window + 30*time.Second))
	if !hit("ip:1") {
		e.t.Error("hit after idle windows refused")
	}
	if n := e.tableCounts()["rate_limits"]; n != 2 {
		e.t.Errorf("rate_limits rows = %d, want one per bucket (2)", n)
	}
}
