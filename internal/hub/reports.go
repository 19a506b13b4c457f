package hub

// Citizen reports (Open311 service requests) as an incident dataset the
// analysis engine reads like any other, and the e-mails that tell reporters
// what happened to their reports.

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/mail"
	"github.com/icarus-city/icarus/internal/open311"
	"github.com/icarus-city/icarus/internal/store"
)

// CitizenReportsDataset is the name of the incident dataset kept in step
// with the organisation's Open311 reports.
const CitizenReportsDataset = "citizen-reports"

// SyncCitizenReports materialises the organisation's reports into the
// "citizen-reports" incident dataset: one incident per report (category =
// the service's name, ICCS = the service's code where it is a crime, time =
// when it was reported, the reported location, assigned to the areas it
// falls in), with its origin kept (source_id = the request id, attributes
// source=open311, request_id, service_code; dedupe key open311:ID). Reports
// already there are skipped, so it can run after every report and as a
// periodic job; reports since hidden or marked duplicate are removed. It
// returns how many incidents it added and removed.
func (s *Service) SyncCitizenReports(ctx context.Context, orgID int64) (added, removed int, err error) {
	var dsID int64
	if d, err := s.Store.DatasetByName(ctx, orgID, CitizenReportsDataset); err == nil {
		dsID = d.ID
	} else if apperr.CodeOf(err) != apperr.NotFound {
		return 0, 0, err
	}
	if dsID != 0 {
		n, err := s.Store.RemoveWithdrawnReports(ctx, orgID, dsID)
		if err != nil {
			return 0, 0, err
		}
		removed = int(n)
	}
	const chunk = 5000
	for {
		reqs, err := s.Store.ReportsToMaterialise(ctx, orgID, dsID, chunk)
		if err != nil || len(reqs) == 0 {
			return added, removed, err
		}
		n, id, err := s.materialise(ctx, orgID, reqs)
		if err != nil {
			return added, removed, err
		}
		added += n
		dsID = id
		if len(reqs) < chunk || n == 0 {
			return added, removed, nil
		}
	}
}

func (s *Service) materialise(ctx context.Context, orgID int64, reqs []store.ServiceRequest) (int, int64, error) {
	services, err := s.Store.Services311(ctx, orgID, false)
	if err != nil {
		return 0, 0, err
	}
	iccs := map[int64]string{}
	for _, v := range services {
		iccs[v.ID] = v.ICCS
	}
	areas, err := s.areaSet(ctx, orgID)
	if err != nil {
		return 0, 0, err
	}
	start := s.Now()
	imp, err := s.Store.BeginIncidentImport(ctx, store.Dataset{OrgID: orgID, Name: CitizenReportsDataset, Preset: "open311",
		SourceCRS: "EPSG:4326", Attribution: "Residents' reports (Open311)"})
	if err != nil {
		return 0, 0, err
	}
	accepted := 0
	for _, q := range reqs {
		row := store.IncidentRow{Key: store.ReportKey(q.ID), SourceID: strconv.FormatInt(q.ID, 10), Category: q.ServiceName,
			ICCS: iccs[q.ServiceID], Time: q.Requested, Resolution: "second",
			Attrs: map[string]string{"source": "open311", "request_id": strconv.FormatInt(q.ID, 10), "service_code": q.ServiceCode, "channel": q.Channel}}
		if q.HasLoc && !math.IsNaN(q.Lat) && !math.IsNaN(q.Lon) {
			row.HasLoc, row.Lon, row.Lat = true, q.Lon, q.Lat
			row.AreaIDs = areas.locate(q.Lon, q.Lat, nil)
		}
		if err := imp.Add(row); err != nil {
			imp.Rollback()
			return 0, 0, err
		}
		accepted++
	}
	inserted, _, err := imp.Commit(store.ImportRecord{OrgID: orgID, Kind: "incidents", FileName: "open311 service requests", Read: len(reqs),
		Accepted: accepted, Actor: "open311", Started: start, Finished: s.Now()})
	if err != nil {
		return 0, 0, err
	}
	return inserted, imp.Dataset.ID, nil
}

// NoticeWindow is how far back QueueReportNotices looks for updates not
// yet told to their reporters.
const NoticeWindow = 30 * 24 * time.Hour

// QueueReportNotices turns the public status changes and answers of
// reports whose reporters gave an e-mail address into e-mails in the
// outbox: one e-mail per report and staff action (updates made at the same
// second), each holding that report's number, category, statuses and
// answers only. It returns how many e-mails it queued.
func (s *Service) QueueReportNotices(ctx context.Context, tr func(orgID int64) open311.Translator) (int, error) {
	ns, err := s.Store.PendingNotices(ctx, s.Now().Add(-NoticeWindow), 1000)
	if err != nil || len(ns) == 0 {
		return 0, err
	}
	type group struct {
		first store.ReportNotice
		ids   []int64
		ups   []open311.NoticeUpdate
	}
	var order []string
	groups := map[string]*group{}
	for _, n := range ns {
		k := fmt.Sprintf("%d@%d", n.RequestID, n.At.Unix())
		g, ok := groups[k]
		if !ok {
			g = &group{first: n}
			groups[k] = g
			order = append(order, k)
		}
		g.ids = append(g.ids, n.UpdateID)
		g.ups = append(g.ups, open311.NoticeUpdate{Kind: n.Kind, Status: open311.Status(n.Status), Description: n.Description, At: n.At})
	}
	orgNames := map[int64]string{}
	var ms []store.NoticeMail
	for _, k := range order {
		g := groups[k]
		name, ok := orgNames[g.first.OrgID]
		if !ok {
			o, err := s.Store.Org(ctx, g.first.OrgID)
			if err != nil {
				return 0, err
			}
			name, orgNames[o.ID] = o.Name, o.Name
		}
		subj, body := open311.UpdateMail(tr(g.first.OrgID), name, g.first.RequestID, g.first.ServiceName, g.ups)
		ms = append(ms, store.NoticeMail{UpdateIDs: g.ids, Mail: store.OutboxMail{OrgID: g.first.OrgID, RequestID: g.first.RequestID,
			To: g.first.Email, Subject: subj, Body: body}})
	}
	return s.Store.QueueNotices(ctx, ms)
}

// Outbox delivery: a failed e-mail is tried again after 1, 2, 4 ... minutes
// (at most an hour apart) until MaxMailAttempts, then given up.
const (
	MaxMailAttempts = 24
	mailLease       = 5 * time.Minute
)

// DeliverMail sends the due e-mails of the outbox through the SMTP server
// of c, at most limit. A message the server refuses or cannot take (server
// down) stays in the outbox and is tried again later. It returns how many
// were sent and how many attempts failed.
func (s *Service) DeliverMail(ctx context.Context, c mail.Config, limit int) (sent, failed int, err error) {
	if !c.Enabled() {
		return 0, 0, nil
	}
	ms, err := s.Store.ClaimMail(ctx, limit, mailLease)
	if err != nil {
		return 0, 0, err
	}
	for _, m := range ms {
		serr := mail.Send(ctx, c, mail.Message{To: m.To, Subject: m.Subject, Body: m.Body}, s.Now())
		if serr == nil {
			if err := s.Store.MailSent(ctx, m.ID); err != nil {
				return sent, failed, err
			}
			sent++
			continue
		}
		failed++
		backoff := time.Duration(1<<min(m.Attempts-1, 6)) * time.Minute
		if backoff > time.Hour {
			backoff = time.Hour
		}
		if err := s.Store.MailFailed(ctx, m.ID, serr.Error(), s.Now().Add(backoff), m.Attempts >= MaxMailAttempts); err != nil {
			return sent, failed, err
		}
	}
	return sent, failed, nil
}
