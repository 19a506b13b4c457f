package web

import "testing"

func TestProbeFixture(t *testing.T) {
	f := realData(t)
	t.Logf("areas %+v", f.areasSum.Read)
	t.Logf("ins=%d dup=%d", f.incSum.Inserted, f.incSum.Duplicates); t.Logf("inc read=%d acc=%d rej=%d unassigned=%d noloc=%d secs=%.2f res=%v", f.incSum.Read, f.incSum.Accepted, f.incSum.Rejected, f.incSum.Unassigned, f.incSum.NoLocation, f.incSum.Seconds, f.incSum.Resolution)
	r := get(t, f.ts.URL, "/api/v1/datasets", f.sessionFor(t, "analyst"))
	t.Log(r)
}
