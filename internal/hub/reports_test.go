package hub

import (
	"bufio"
	"context"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/icarus-city/icarus/internal/i18n"
	imail "github.com/icarus-city/icarus/internal/mail"
	"github.com/icarus-city/icarus/internal/open311"
	"github.com/icarus-city/icarus/internal/store"
	"github.com/icarus-city/icarus/internal/store/storetest"
)

// smtpSink is a tiny SMTP server for tests: it speaks enough SMTP for
// net/smtp (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and keeps what it
// receives.
type smtpSink struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []sinkMsg
	wg   sync.WaitGroup
}

type sinkMsg struct {
	from string
	to   []string
	data string
}

func startSink(t *testing.T, addr string) *smtpSink {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpSink{ln: ln}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() { defer s.wg.Done(); s.serve(c) }()
		}
	}()
	t.Cleanup(s.close)
	return s
}

func (s *smtpSink) close() { s.ln.Close(); s.wg.Wait() }

func (s *smtpSink) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(c)
	say := func(line string) { io.WriteString(c, line+"\r\n") }
	say("220 sink.test ESMTP test sink")
	var cur sinkMsg
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 sink.test")
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			cur = sinkMsg{from: strings.TrimSpace(line[10:])}
			say("250 OK")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			cur.to = append(cur.to, strings.Trim(strings.TrimSpace(line[8:]), "<>"))
			say("250 OK")
		case cmd == "DATA":
			say("354 end with <CRLF>.<CRLF>")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			cur.data = b.String()
			s.mu.Lock()
			s.msgs = append(s.msgs, cur)
			s.mu.Unlock()
			say("250 queued")
		case cmd == "RSET", cmd == "NOOP":
			say("250 OK")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("502 not implemented")
		}
	}
}

func (s *smtpSink) messages() []sinkMsg {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sinkMsg(nil), s.msgs...)
}

// decoded parses a received message: its decoded subject and body.
func decoded(t *testing.T, m sinkMsg) (subject, body string) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(m.data))
	if err != nil {
		t.Fatalf("received message does not parse: %v\n%s", err, m.data)
	}
	subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	if cte := msg.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
		t.Errorf("Content-Transfer-Encoding %q", cte)
	}
	b, err := io.ReadAll(msg.Body) // quoted-printable
	if err != nil {
		t.Fatal(err)
	}
	qp, err := io.ReadAll(quotedPrintable(strings.NewReader(string(b))))
	if err != nil {
		t.Fatal(err)
	}
	return subject, string(qp)
}

// seedServices creates two services: one plain, one sensitive.
func seedServices(t *testing.T, st *store.Store, orgID int64) (plain, sensitive store.Service311) {
	t.Helper()
	ctx := context.Background()
	var out []store.Service311
	for _, d := range open311.DefaultServices() {
		if d.Code != "lighting" && d.Code != "drug_dealing" {
			continue
		}
		v, err := st.SaveService311(ctx, store.Service311{OrgID: orgID, Code: d.Code, Name: d.Name, Type: "realtime", Sensitive: d.Sensitive, ICCS: d.ICCS,
			Department: d.Department, Attributes: "[]", Active: true})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out[0], out[1]
}

func TestReportMailThroughSMTPSink(t *testing.T) {
	ctx := context.Background()
	clock := storetest.NewClock(storetest.Start)
	st := storetest.OpenForTest(t, t.TempDir(), store.Options{Now: clock.Now})
	org, err := st.EnsureOrg(ctx, "gm", "Greater Manchester")
	if err != nil {
		t.Fatal(err)
	}
	svc := New(st)
	lighting, _ := seedServices(t, st, org.ID)
	mk := func(email, desc string) store.ServiceRequest {
		q, err := st.CreateServiceRequest(ctx, store.ServiceRequest{OrgID: org.ID, ServiceID: lighting.ID, Channel: "web", Status: "open", Moderation: "approved",
			Description: desc, HasLoc: true, Lat: 53.48, Lon: -2.24, Email: email}, "")
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	alice := mk("alice@example.org", "Alice's own words about the lamp")
	bob := mk("bob@example.org", "Bob's private text")
	anon := mk("", "no e-mail given")
	clock.Advance(time.Hour)
	inProgress, answer, fixed := "in_progress", "A crew will replace the lamp on Tuesday.", "fixed"
	if _, err := st.UpdateServiceRequest(ctx, org.ID, alice.ID, store.RequestChange{Status: &inProgress, Answer: &answer, Actor: "staff@test"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdateServiceRequest(ctx, org.ID, bob.ID, store.RequestChange{Status: &fixed, Actor: "staff@test"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdateServiceRequest(ctx, org.ID, anon.ID, store.RequestChange{Status: &fixed, Actor: "staff@test"}); err != nil {
		t.Fatal(err)
	}
	internal := "called the contractor"
	if _, err := st.UpdateServiceRequest(ctx, org.ID, alice.ID, store.RequestChange{Note: internal, Actor: "staff@test"}); err != nil {
		t.Fatal(err)
	}

	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	tr := func(int64) open311.Translator {
		return func(k string, args ...any) string { return cat.T("en", k, args...) }
	}
	n, err := svc.QueueReportNotices(ctx, tr)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("queued %d e-mails, want 2 (alice: status and answer in one; bob: status; the anonymous report none)", n)
	}
	if n, err := svc.QueueReportNotices(ctx, tr); err != nil || n != 0 {
		t.Fatalf("second run queued %d (%v), want 0", n, err)
	}

	// the SMTP server is down: nothing is lost
	probe, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := probe.Addr().String()
	probe.Close()
	cfg := imail.Config{Addr: addr, From: "City reports <reports@city.test>", Timeout: 5 * time.Second}
	sent, failed, err := svc.DeliverMail(ctx, cfg, 10)
	if err != nil || sent != 0 || failed != 2 {
		t.Fatalf("with the server down: sent %d, failed %d, err %v; want 0, 2, nil", sent, failed, err)
	}
	box, err := st.Outbox(ctx, org.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range box {
		if !m.Sent.IsZero() || m.Attempts != 1 || m.LastError == "" || m.To == "" || m.Body == "" {
			t.Errorf("after a failed attempt: %+v", m)
		}
	}
	// not due yet: nothing is tried
	if sent, failed, _ := svc.DeliverMail(ctx, cfg, 10); sent+failed != 0 {
		t.Errorf("retried before the backoff: sent %d failed %d", sent, failed)
	}

	// the server is back
	sink := startSink(t, addr)
	clock.Advance(2 * time.Minute)
	sent, failed, err = svc.DeliverMail(ctx, cfg, 10)
	if err != nil || sent != 2 || failed != 0 {
		t.Fatalf("with the server up: sent %d, failed %d, err %v; want 2, 0, nil", sent, failed, err)
	}
	msgs := sink.messages()
	if len(msgs) != 2 {
		t.Fatalf("the sink got %d messages, want 2", len(msgs))
	}
	byTo := map[string]sinkMsg{}
	for _, m := range msgs {
		if len(m.to) != 1 {
			t.Fatalf("a message to %d recipients: %v", len(m.to), m.to)
		}
		byTo[m.to[0]] = m
	}
	am, ok := byTo["alice@example.org"]
	if !ok {
		t.Fatalf("no message to alice: %v", byTo)
	}
	subj, body := decoded(t, am)
	for _, want := range []string{"no. 1", "in progress"} {
		if !strings.Contains(subj, want) {
			t.Errorf("alice's subject %q lacks %q", subj, want)
		}
	}
	for _, want := range []string{"report no. 1", "Street lighting out", "Greater Manchester", "in progress", answer} {
		if !strings.Contains(body, want) {
			t.Errorf("alice's message lacks %q:\n%s", want, body)
		}
	}
	for _, leak := range []string{"bob", "Bob's private text", "Alice's own words", internal, "no e-mail given", "53.48"} {
		if strings.Contains(strings.ToLower(am.data+body), strings.ToLower(leak)) {
			t.Errorf("alice's message contains %q", leak)
		}
	}
	if !strings.Contains(am.data, "From: \"City reports\" <reports@city.test>") || !strings.Contains(am.data, "To: <alice@example.org>") {
		t.Errorf("headers:\n%s", am.data[:min(len(am.data), 400)])
	}
	bm := byTo["bob@example.org"]
	_, bbody := decoded(t, bm)
	if !strings.Contains(bbody, "report no. 2") || !strings.Contains(bbody, "fixed") || strings.Contains(strings.ToLower(bm.data+bbody), "alice") || strings.Contains(bbody, answer) {
		t.Errorf("bob's message:\n%s", bbody)
	}
	// sent e-mails keep no personal data in the outbox
	box, _ = st.Outbox(ctx, org.ID, 10)
	for _, m := range box {
		if m.Sent.IsZero() || m.To != "" || m.Body != "" {
			t.Errorf("after sending: sent %v, to %q, body %d bytes", m.Sent, m.To, len(m.Body))
		}
	}
	if sent, failed, _ := svc.DeliverMail(ctx, cfg, 10); sent+failed != 0 {
		t.Errorf("sent again: %d, %d", sent, failed)
	}
}

func TestSyncCitizenReports(t *testing.T) {
	ctx := context.Background()
	svc, org := newService(t)
	st := svc.Store
	importAreasFile(t, svc, org, filepath.Join(sharedData(t), "uk/manchester/manchester_wards.geojson"))
	lighting, drugs := seedServices(t, st, org.ID)
	mk := func(serviceID int64, lat, lon float64, mod string) store.ServiceRequest {
		q, err := st.CreateServiceRequest(ctx, store.ServiceRequest{OrgID: org.ID, ServiceID: serviceID, Channel: "api", Status: "open", Moderation: mod,
			HasLoc: lat != 0, Lat: lat, Lon: lon}, "")
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	a := mk(lighting.ID, 53.4808, -2.2426, "approved") // Manchester city centre
	b := mk(drugs.ID, 53.4668, -2.2339, "pending")     // sensitive, awaiting moderation: still a record for analysis
	c := mk(lighting.ID, 0, 0, "approved")             // address only
	d := mk(lighting.ID, 53.47, -2.25, "approved")
	added, removed, err := svc.SyncCitizenReports(ctx, org.ID)
	if err != nil || added != 4 || removed != 0 {
		t.Fatalf("first sync: added %d removed %d err %v; want 4, 0", added, removed, err)
	}
	if added, _, err := svc.SyncCitizenReports(ctx, org.ID); err != nil || added != 0 {
		t.Fatalf("second sync added %d (%v), want 0", added, err)
	}
	ds, err := st.DatasetByName(ctx, org.ID, CitizenReportsDataset)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := st.Incidents(ctx, store.Filter{OrgID: org.ID, DatasetID: ds.ID}, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 {
		t.Fatalf("%d incidents, want 4", len(rows))
	}
	bySrc := map[string]store.IncidentRow{}
	for _, r := range rows {
		bySrc[r.SourceID] = r
	}
	ra := bySrc[itoa(a.ID)]
	if ra.Category != "Street lighting out" || ra.Attrs["source"] != "open311" || ra.Attrs["request_id"] != itoa(a.ID) || !ra.HasLoc || ra.Lat != 53.4808 {
		t.Errorf("report a as incident: %+v", ra)
	}
	if rb := bySrc[itoa(b.ID)]; rb.ICCS != "0601" || rb.Category != "Drug dealing observed" {
		t.Errorf("report b (ICCS 0601 expected): %+v", rb)
	}
	if rc := bySrc[itoa(c.ID)]; rc.HasLoc {
		t.Errorf("report c has no location: %+v", rc)
	}
	// located reports are assigned to the ward they fall in
	layers, _ := st.Layers(ctx, org.ID)
	counts, err := st.CountByAreaCategory(ctx, ds.ID, layers[0].ID, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var inAreas int64
	for _, x := range counts {
		inAreas += x.Count
	}
	if inAreas != 3 {
		t.Errorf("%d reports assigned to wards, want 3 (the three located ones): %+v", inAreas, counts)
	}
	// hiding one and merging another removes them
	hidden, dup := "hidden", "duplicate"
	if _, err := st.UpdateServiceRequest(ctx, org.ID, a.ID, store.RequestChange{Moderation: &hidden, Actor: "t"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdateServiceRequest(ctx, org.ID, d.ID, store.RequestChange{Status: &dup, DuplicateOf: c.ID, Actor: "t"}); err != nil {
		t.Fatal(err)
	}
	if added, removed, err := svc.SyncCitizenReports(ctx, org.ID); err != nil || added != 0 || removed != 2 {
		t.Fatalf("after hiding and merging: added %d removed %d (%v); want 0, 2", added, removed, err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func quotedPrintable(r io.Reader) io.Reader { return quotedprintable.NewReader(r) }
