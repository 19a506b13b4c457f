package storetest

import (
	"strconv"
	"strings"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/store"
)

// testOpen311Staff: the staff queue's filters, sorting, paging and total;
// duplicate suggestions by distance and time; merge; redaction keeping the
// original in the audit log only; moderation counts and departments.
func testOpen311Staff(e *env) {
	o := e.org("staff311")
	other := e.org("other311")
	_, err := e.s.SeedServices(e.ctx, o.ID, []store.Service311{
		{OrgID: o.ID, Code: "lighting", Name: "Lighting", Type: "realtime", Department: "Public works", Attributes: "[]"},
		{OrgID: o.ID, Code: "drugs", Name: "Drugs", Type: "realtime", Sensitive: true, Department: "Police liaison", Attributes: "[]"},
	})
	e.must(err)
	_, err = e.s.SeedServices(e.ctx, other.ID, []store.Service311{{OrgID: other.ID, Code: "lighting", Name: "Lighting", Type: "realtime", Attributes: "[]"}})
	e.must(err)
	light, err := e.s.Service311ByCode(e.ctx, o.ID, "lighting")
	e.must(err)
	drugs, err := e.s.Service311ByCode(e.ctx, o.ID, "drugs")
	e.must(err)
	olight, err := e.s.Service311ByCode(e.ctx, other.ID, "lighting")
	e.must(err)

	mk := func(org, svc int64, mod string, lat, lon float64, desc string) store.ServiceRequest {
		e.t.Helper()
		dep := "Public works"
		if svc == drugs.ID {
			dep = "Police liaison"
		}
		q, err := e.s.CreateServiceRequest(e.ctx, store.ServiceRequest{OrgID: org, ServiceID: svc, Channel: "api", Status: "open", Moderation: mod, Department: dep,
			HasLoc: true, Lat: lat, Lon: lon, Description: desc}, "")
		e.must(err)
		e.clock.Advance(time.Hour)
		return q
	}
	// Manchester: 0.001° of latitude is ~111 m.
	a := mk(o.ID, light.ID, "approved", 53.4800, -2.2400, "lamp out")
	b := mk(o.ID, light.ID, "approved", 53.4801, -2.2400, "same lamp") // ~11 m from a
	c := mk(o.ID, light.ID, "approved", 53.4900, -2.2400, "far lamp")  // ~1.1 km
	d := mk(o.ID, drugs.ID, "pending", 53.4800, -2.2400, "dealing at the corner")
	mk(other.ID, olight.ID, "approved", 53.4800, -2.2400, "other city")
	e.clock.Advance(60 * 24 * time.Hour)
	late := mk(o.ID, light.ID, "approved", 53.4800, -2.2401, "two months later") // same place, outside a 30-day window

	rows, total, err := e.s.StaffRequests(e.ctx, store.StaffQuery{OrgID: o.ID, Sort: "id"})
	e.must(err)
	if total != 5 || len(rows) != 5 || rows[0].ID != a.ID || rows[4].ID != late.ID {
		e.t.Fatalf("all: total %d, %d rows", total, len(rows))
	}
	rows, total, err = e.s.StaffRequests(e.ctx, store.StaffQuery{OrgID: o.ID, Sort: "requested", Desc: true, Limit: 2, Offset: 1})
	e.must(err)
	if total != 5 || len(rows) != 2 || rows[0].ID != d.ID || rows[1].ID != c.ID {
		e.t.Fatalf("page 2 newest first: total %d, rows %v", total, ids(rows))
	}
	rows, total, err = e.s.StaffRequests(e.ctx, store.StaffQuery{OrgID: o.ID, Moderation: []string{"pending"}})
	e.must(err)
	if total != 1 || rows[0].ID != d.ID || !rows[0].Sensitive {
		e.t.Fatalf("pending: %v", ids(rows))
	}
	_, total, err = e.s.StaffRequests(e.ctx, store.StaffQuery{OrgID: o.ID, ServiceCodes: []string{"lighting"}, Department: "Public works",
		From: a.Requested, To: c.Requested})
	e.must(err)
	if total != 3 {
		e.t.Fatalf("service + department + dates: %d, want 3", total)
	}
	_, total, err = e.s.StaffRequests(e.ctx, store.StaffQuery{OrgID: o.ID, BBox: &[4]float64{-2.25, 53.485, -2.23, 53.495}})
	e.must(err)
	if total != 1 {
		e.t.Fatalf("bbox: %d, want 1 (the far lamp)", total)
	}
	_, _, err = e.s.StaffRequests(e.ctx, store.StaffQuery{OrgID: o.ID, Sort: "name; DROP TABLE x"})
	e.wantCode(err, apperr.Invalid)

	near, err := e.s.NearbyRequests(e.ctx, a, 250, 30*24*time.Hour, 10)
	e.must(err)
	if len(near) != 1 || near[0].ID != b.ID || near[0].Metres < 10 || near[0].Metres > 12.5 {
		e.t.Fatalf("nearby a: %+v", near)
	}
	near, err = e.s.NearbyRequests(e.ctx, a, 2000, 30*24*time.Hour, 10)
	e.must(err)
	if len(near) != 2 || near[0].ID != b.ID || near[1].ID != c.ID {
		e.t.Fatalf("nearby a within 2 km: %d", len(near))
	}

	// merge b into a: no longer suggested, listed as a's duplicate
	_, err = e.s.UpdateServiceRequest(e.ctx, o.ID, b.ID, store.RequestChange{DuplicateOf: a.ID, Actor: "staff@x", IP: "127.0.0.1"})
	e.must(err)
	dups, err := e.s.DuplicatesOf(e.ctx, o.ID, a.ID)
	e.must(err)
	if len(dups) != 1 || dups[0].ID != b.ID || dups[0].Status != "duplicate" {
		e.t.Fatalf("duplicates of a: %+v", dups)
	}
	near, err = e.s.NearbyRequests(e.ctx, a, 250, 30*24*time.Hour, 10)
	e.must(err)
	if len(near) != 0 {
		e.t.Fatalf("a merged request is still suggested: %+v", near)
	}

	// redaction
	_, err = e.s.RedactServiceRequest(e.ctx, o.ID, d.ID, store.Redaction{Description: "dealing at the corner [name removed]", Actor: "staff@x"})
	e.wantCode(err, apperr.Invalid) // no reason
	r, err := e.s.RedactServiceRequest(e.ctx, o.ID, d.ID, store.Redaction{Description: "dealing at the corner [name removed]", Reason: "names a person", Actor: "staff@x", IP: "127.0.0.1"})
	e.must(err)
	if r.Description != "dealing at the corner [name removed]" {
		e.t.Fatalf("redacted description: %q", r.Description)
	}
	_, err = e.s.RedactServiceRequest(e.ctx, other.ID, d.ID, store.Redaction{Description: "x", Reason: "y"})
	e.wantCode(err, apperr.NotFound)
	hist, err := e.s.RequestUpdates(e.ctx, d.ID, false)
	e.must(err)
	last := hist[len(hist)-1]
	if last.Kind != "redact" || last.Public || strings.Contains(last.Description, "corner") || last.Description != "names a person" {
		e.t.Fatalf("redaction history entry: %+v", last)
	}
	au, err := e.s.AuditFor(e.ctx, o.ID, "service_request:"+strconv.FormatInt(d.ID, 10), 10)
	e.must(err)
	if len(au) != 1 || au[0].Action != "report.redact" || !strings.Contains(au[0].Detail, "original: dealing at the corner") {
		e.t.Fatalf("redaction audit: %+v", au)
	}

	mc, err := e.s.ModerationCounts(e.ctx, o.ID)
	e.must(err)
	if mc["pending"] != 1 || mc["approved"] != 4 || len(mc) != 2 {
		e.t.Fatalf("moderation counts: %v", mc)
	}
	deps, err := e.s.Departments(e.ctx, o.ID)
	e.must(err)
	if strings.Join(deps, "|") != "Police liaison|Public works" {
		e.t.Fatalf("departments: %v", deps)
	}

	// a category edit and its audit entry in one transaction
	light.Sensitive, light.Department = true, "Highways"
	_, err = e.s.SaveService311Audited(e.ctx, light, store.AuditEntry{Actor: "admin@x", Action: "open311.service.edit", Target: "open311_service:lighting", Detail: "sensitive: false -> true"})
	e.must(err)
	v, err := e.s.Service311ByCode(e.ctx, o.ID, "lighting")
	e.must(err)
	au, err = e.s.AuditFor(e.ctx, o.ID, "open311_service:lighting", 10)
	e.must(err)
	if !v.Sensitive || v.Department != "Highways" || len(au) != 1 || au[0].Detail != "sensitive: false -> true" {
		e.t.Fatalf("audited save: %+v, audit %+v", v, au)
	}
}

func ids(rs []store.ServiceRequest) []int64 {
	out := make([]int64, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}
