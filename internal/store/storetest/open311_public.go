package storetest

import (
	"time"

	"github.com/icarus-city/icarus/internal/store"
)

// testOpen311Public covers photos (save, attach, moderate, orphans), the
// e-mail outbox (claim, lease, failure, erase on send) and notices (queued
// once per update).
func testOpen311Public(e *env) {
	org, err := e.s.EnsureOrg(e.ctx, "city", "City")
	e.must(err)
	v, err := e.s.SaveService311(e.ctx, store.Service311{OrgID: org.ID, Code: "lighting", Name: "Street lighting out", Type: "realtime", Attributes: "[]", Active: true})
	e.must(err)
	q, err := e.s.CreateServiceRequest(e.ctx, store.ServiceRequest{OrgID: org.ID, ServiceID: v.ID, Channel: "web", Status: "open", Moderation: "approved",
		Email: "a@example.org"}, "")
	e.must(err)

	// photos
	data := []byte{0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 0, 255}
	pid, err := e.s.SavePhoto(e.ctx, store.ReportPhoto{OrgID: org.ID, MIME: "image/jpeg", Width: 3, Height: 2, Data: data})
	e.must(err)
	if _, err := e.s.SavePhoto(e.ctx, store.ReportPhoto{OrgID: org.ID, MIME: "image/gif", Data: data}); err == nil {
		e.t.Error("a GIF was kept")
	}
	orphan, err := e.s.SavePhoto(e.ctx, store.ReportPhoto{OrgID: org.ID, MIME: "image/png", Width: 1, Height: 1, Data: []byte("png")})
	e.must(err)
	e.must(e.s.AttachPhoto(e.ctx, org.ID, pid, q.ID))
	if err := e.s.AttachPhoto(e.ctx, org.ID, pid, q.ID); err == nil {
		e.t.Error("a photo was attached twice")
	}
	ps, err := e.s.ReportPhotos(e.ctx, q.ID)
	e.must(err)
	if len(ps) != 1 || ps[0].ID != pid || ps[0].Moderation != "pending" || ps[0].Data != nil {
		e.t.Fatalf("ReportPhotos = %+v", ps)
	}
	p, err := e.s.ReportPhoto(e.ctx, org.ID, pid)
	e.must(err)
	if string(p.Data) != string(data) || p.RequestID != q.ID || p.Width != 3 {
		e.t.Errorf("ReportPhoto = %+v", p)
	}
	pub, err := e.s.PublicPhotoIDs(e.ctx, org.ID, []int64{q.ID})
	e.must(err)
	if len(pub[q.ID]) != 0 {
		e.t.Errorf("a pending photo is public: %v", pub)
	}
	e.must(e.s.ModeratePhoto(e.ctx, org.ID, pid, "approved", "mod", 0, "127.0.0.1"))
	if err := e.s.ModeratePhoto(e.ctx, org.ID, pid, "shown", "mod", 0, ""); err == nil {
		e.t.Error("an unknown moderation state was accepted")
	}
	pub, err = e.s.PublicPhotoIDs(e.ctx, org.ID, []int64{q.ID})
	e.must(err)
	if len(pub[q.ID]) != 1 || pub[q.ID][0] != pid {
		e.t.Errorf("the approved photo is not public: %v", pub)
	}
	log, err := e.s.AuditLog(e.ctx, org.ID, 10)
	e.must(err)
	if len(log) == 0 || log[0].Action != "report.photo" {
		e.t.Errorf("photo moderation not audited: %+v", log)
	}
	e.clock.Advance(2 * time.Hour)
	n, err := e.s.SweepOrphanPhotos(e.ctx, e.clock.Now().Add(-time.Hour))
	e.must(err)
	if n != 1 {
		e.t.Errorf("swept %d orphan photos, want 1", n)
	}
	if _, err := e.s.ReportPhoto(e.ctx, org.ID, orphan); err == nil {
		e.t.Error("the orphan photo is still there")
	}

	// notices: a public status change of a report with an e-mail
	st := "fixed"
	_, err = e.s.UpdateServiceRequest(e.ctx, org.ID, q.ID, store.RequestChange{Status: &st, Note: "internal", Actor: "staff"})
	e.must(err)
	ns, err := e.s.PendingNotices(e.ctx, time.Time{}, 10)
	e.must(err)
	if len(ns) != 1 || ns[0].Kind != "status" || ns[0].Status != "fixed" || ns[0].Email != "a@example.org" || ns[0].ServiceName != "Street lighting out" {
		e.t.Fatalf("PendingNotices = %+v", ns)
	}
	nm := store.NoticeMail{UpdateIDs: []int64{ns[0].UpdateID}, Mail: store.OutboxMail{OrgID: org.ID, RequestID: q.ID, To: "a@example.org", Subject: "s", Body: "b"}}
	k, err := e.s.QueueNotices(e.ctx, []store.NoticeMail{nm, nm})
	e.must(err)
	if k != 1 {
		e.t.Errorf("queued %d e-mails for one update, want 1", k)
	}
	if ns, _ := e.s.PendingNotices(e.ctx, time.Time{}, 10); len(ns) != 0 {
		e.t.Errorf("the update is still pending: %+v", ns)
	}

	// outbox: claim with a lease, fail, retry, send
	ms, err := e.s.ClaimMail(e.ctx, 10, time.Minute)
	e.must(err)
	if len(ms) != 1 || ms[0].Attempts != 1 || ms[0].To != "a@example.org" {
		e.t.Fatalf("ClaimMail = %+v", ms)
	}
	if again, _ := e.s.ClaimMail(e.ctx, 10, time.Minute); len(again) != 0 {
		e.t.Errorf("a claimed e-mail was claimed again within its lease")
	}
	e.must(e.s.MailFailed(e.ctx, ms[0].ID, "connection refused", e.clock.Now().Add(5*time.Minute), false))
	e.clock.Advance(4 * time.Minute)
	if again, _ := e.s.ClaimMail(e.ctx, 10, time.Minute); len(again) != 0 {
		e.t.Errorf("claimed before its retry time")
	}
	e.clock.Advance(2 * time.Minute)
	ms, err = e.s.ClaimMail(e.ctx, 10, time.Minute)
	e.must(err)
	if len(ms) != 1 || ms[0].Attempts != 2 || ms[0].LastError != "connection refused" {
		e.t.Fatalf("retry claim = %+v", ms)
	}
	e.must(e.s.MailSent(e.ctx, ms[0].ID))
	box, err := e.s.Outbox(e.ctx, org.ID, 10)
	e.must(err)
	if len(box) != 1 || box[0].Sent.IsZero() || box[0].To != "" || box[0].Body != "" || box[0].Subject != "s" {
		e.t.Errorf("after sending: %+v", box)
	}
	if again, _ := e.s.ClaimMail(e.ctx, 10, time.Minute); len(again) != 0 {
		e.t.Errorf("a sent e-mail was claimed")
	}
	// giving up erases too
	id, err := e.s.QueueMail(e.ctx, store.OutboxMail{OrgID: org.ID, To: "b@example.org", Subject: "x", Body: "y"})
	e.must(err)
	e.must(e.s.MailFailed(e.ctx, id, "550 no such user", e.clock.Now(), true))
	box, _ = e.s.Outbox(e.ctx, org.ID, 1)
	if len(box) != 1 || box[0].Failed.IsZero() || box[0].To != "" {
		e.t.Errorf("given up: %+v", box)
	}
	if _, err := e.s.QueueMail(e.ctx, store.OutboxMail{OrgID: org.ID}); err == nil {
		e.t.Error("an e-mail without recipient was queued")
	}
}
