package storetest

// testAreaCodeKnown: the cheap area-code check of survey submissions.
func testAreaCodeKnown(e *env) {
	org, err := e.s.EnsureOrg(e.ctx, "codes", "Codes")
	e.must(err)
	other, err := e.s.EnsureOrg(e.ctx, "other-codes", "Other codes")
	e.must(err)
	if known, any, err := e.s.AreaCodeKnown(e.ctx, org.ID, "A1"); err != nil || known || any {
		e.t.Errorf("no areas yet: known %v, any %v, %v", known, any, err)
	}
	e.layer(org.ID, "L1", square("A1", "Area 1", 0, 0), square("A2", "Area 2", 0.02, 0))
	e.layer(org.ID, "L2", square("B1", "Ward 1", 0, 0))
	e.layer(other.ID, "L3", square("X1", "Elsewhere", 0, 0))
	for _, c := range []struct {
		org   int64
		code  string
		known bool
	}{{org.ID, "A1", true}, {org.ID, "A2", true}, {org.ID, "B1", true}, {org.ID, "X1", false}, {org.ID, "a1", false}, {org.ID, "", false}, {other.ID, "X1", true}, {other.ID, "A1", false}} {
		known, any, err := e.s.AreaCodeKnown(e.ctx, c.org, c.code)
		e.must(err)
		if known != c.known || !any {
			e.t.Errorf("org %d code %q: known %v any %v, want %v true", c.org, c.code, known, any, c.known)
		}
	}
}
