package cli

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/icarus-city/icarus/internal/demo"
	"github.com/icarus-city/icarus/internal/hub"
	"github.com/icarus-city/icarus/internal/kb"
	"github.com/icarus-city/icarus/internal/store"
	"github.com/icarus-city/icarus/internal/store/storetest"
)

// seedInstallation fills a SQLite data directory with the demo city and a
// row in every other table.
func seedInstallation(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	org, err := st.EnsureOrg(ctx, demo.OrgSlug, demo.OrgName)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, hub.New(st), org.ID, func(string) {}); err != nil {
		t.Fatal(err)
	}
	u, err := st.CreateUser(ctx, store.User{OrgID: org.ID, Email: "ann@city.test", Role: "admin"}, "hash")
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.CreateSession(ctx, "tok", u.ID, "csrf", time.Hour))
	must(st.Audit(ctx, store.AuditEntry{OrgID: org.ID, Actor: "test", Action: "seed"}))
	if _, err := st.RateLimit(ctx, "b", 5, time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetICCS(ctx, org.ID, "Burglary", "0501", true); err != nil {
		t.Fatal(err)
	}
	areas, err := st.Areas(ctx, org.ID, 0, false)
	if err != nil || len(areas) == 0 {
		t.Fatalf("areas: %v, %v", areas, err)
	}
	imp, err := st.BeginIndicatorImport(ctx, org.ID, "partner", []store.Indicator{{Code: "lights", Name: "Street lights"}})
	if err != nil {
		t.Fatal(err)
	}
	must(imp.Add(store.IndicatorValue{IndicatorCode: "lights", AreaID: areas[0].ID, Period: "2024", Value: 12.5}))
	if _, err := imp.Commit(store.ImportRecord{FileName: "i.csv"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.EnqueueJob(ctx, store.Job{Kind: "noop", Payload: "{}"}); err != nil {
		t.Fatal(err)
	}
	if _, err := seedKB(ctx, st, org.ID); err != nil { // knowledge base (kb.go)
		t.Fatal(err)
	}
	// an admin's taxonomy edit (kb_terms)
	if _, _, err := st.PutKBTerm(ctx, org.ID, kb.TermEdit{Taxonomy: kb.TaxCC, Code: "climate", Labels: map[string]string{"en": "Climate change"}}); err != nil {
		t.Fatal(err)
	}
	// surveys (store/surveys.go): a survey, a second version, a response by a surveyor
	if sv, err := st.CreateSurvey(ctx, org.ID, "Safety", "field", true, []byte(`{"v":1}`)); err != nil {
		t.Fatal(err)
	} else if _, _, err := st.AddSurveyResponse(ctx, store.SurveyResponse{SurveyID: sv.ID, Version: 1, IdemKey: "k1", AreaCode: "A", Answers: []byte(`{"q":"a"}`), Consent: true}); err != nil {
		t.Fatal(err)
	} else if _, err := st.UpdateSurvey(ctx, org.ID, sv.ID, "Safety", "field", []byte(`{"v":2}`)); err != nil {
		t.Fatal(err)
	} else { // campaigns (store/surveys_campaigns.go): a campaign, an assignment, a response in it, feedback, a used one-time link, a contact
		cp, err := st.CreateCampaign(ctx, store.Campaign{OrgID: org.ID, SurveyID: sv.ID, Name: "Spring", StartsOn: "2024-05-01", EndsOn: "2024-05-28",
			Areas: []store.CampaignArea{{Code: "A", Target: 5}}, ContactPurpose: "call back"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.SetAssignment(ctx, org.ID, store.Assignment{CampaignID: cp.ID, UserID: u.ID, Role: "patrol", AreaCode: "A", Target: 5}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.AddFeedback(ctx, store.Feedback{CampaignID: cp.ID, SurveyorID: u.ID, AreaCode: "A", Observed: "dark lane", IdemKey: "f1"}); err != nil {
			t.Fatal(err)
		}
		must(st.AddSurveyTokens(ctx, sv.ID, cp.ID, []string{"seed-token-0123456789"}))
		if _, _, err := st.AddTokenResponse(ctx, "seed-token-0123456789", store.SurveyResponse{SurveyID: sv.ID, Version: 2, IdemKey: "k2", AreaCode: "A",
			Answers: []byte(`{}`), Consent: true, CampaignID: cp.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.AddContact(ctx, store.Contact{SurveyID: sv.ID, CampaignID: cp.ID, Contact: "x@example.org", Purpose: "call back"}, "c1"); err != nil {
			t.Fatal(err)
		}
	}
	// analyses (store/analyses.go): a saved analysis with its result
	if id, err := st.CreateAnalysis(ctx, store.Analysis{OrgID: org.ID, OwnerID: u.ID, Name: "Hot spots", Method: "grid", Request: `{"method":"grid"}`}); err != nil {
		t.Fatal(err)
	} else {
		must(st.FinishAnalysis(ctx, id, `{"summary":"x"}`, ""))
	}
	// Open311 (store/open311.go): a key, a service, a request with its history
	if _, err := st.CreateAPIKey(ctx, org.ID, "seed", "seed-key-0123456789"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SeedServices(ctx, org.ID, []store.Service311{{Code: "lighting", Name: "Lighting", Type: "realtime", Attributes: "[]"}}); err != nil {
		t.Fatal(err)
	}
	if sv, err := st.Service311ByCode(ctx, org.ID, "lighting"); err != nil {
		t.Fatal(err)
	} else if q, err := st.CreateServiceRequest(ctx, store.ServiceRequest{OrgID: org.ID, ServiceID: sv.ID, Channel: "api", Status: "open", Moderation: "approved", HasLoc: true, Lat: 53.48, Lon: -2.24, Email: "r@example.org"}, ""); err != nil {
		t.Fatal(err)
	} else {
		// the public side (store/open311_public.go): a photo, a notice queued as an e-mail
		pid, err := st.SavePhoto(ctx, store.ReportPhoto{OrgID: org.ID, MIME: "image/png", Width: 1, Height: 1, Data: []byte("\x89PNG")})
		if err != nil {
			t.Fatal(err)
		}
		must(st.AttachPhoto(ctx, org.ID, pid, q.ID))
		fixed := "fixed"
		if _, err := st.UpdateServiceRequest(ctx, org.ID, q.ID, store.RequestChange{Status: &fixed, Actor: "seed"}); err != nil {
			t.Fatal(err)
		}
		ns, err := st.PendingNotices(ctx, time.Time{}, 10)
		if err != nil || len(ns) != 1 {
			t.Fatalf("notices %v %v", ns, err)
		}
		if _, err := st.QueueNotices(ctx, []store.NoticeMail{{UpdateIDs: []int64{ns[0].UpdateID}, Mail: store.OutboxMail{OrgID: org.ID, RequestID: q.ID, To: "r@example.org", Subject: "s", Body: "b"}}}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDBCopySQLiteToPostgresAndBack(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	t0 := time.Now()
	seedInstallation(t, dir)
	t.Logf("seed %v", time.Since(t0))
	pg := storetest.NewPostgresDB(t)
	t0 = time.Now()

	out, errOut, code := run(t, "", "db", "copy", "--from", "sqlite:"+dir, "--to", pg)
	if code != 0 {
		t.Fatalf("db copy exit %d: %s%s", code, out, errOut)
	}
	t.Logf("copy %v\n%s", time.Since(t0), errOut)
	if !strings.Contains(out, "the row counts of every table match") || !strings.Contains(out, "incidents") {
		t.Errorf("db copy output:\n%s", out)
	}
	src, err := store.OpenSQLite(ctx, dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := store.Open(ctx, pg, "", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	want, _ := src.TableCounts(ctx)
	got, _ := dst.TableCounts(ctx)
	for tb, n := range want {
		if tb != "schema_migrations" && n == 0 {
			t.Errorf("seed left table %s empty: the test does not cover it", tb)
		}
		if got[tb] != n {
			t.Errorf("%s: %d rows in PostgreSQL, %d in SQLite", tb, got[tb], n)
		}
	}
	// the same answers from both, ids included
	orgs, _ := src.Orgs(ctx)
	org := orgs[0]
	layers, _ := src.Layers(ctx, org.ID)
	for _, l := range layers {
		a, na, err1 := src.CountByArea(ctx, store.Filter{OrgID: org.ID}, l.ID)
		b, nb, err2 := dst.CountByArea(ctx, store.Filter{OrgID: org.ID}, l.ID)
		if err1 != nil || err2 != nil || na != nb || !reflect.DeepEqual(a, b) {
			t.Errorf("layer %s: CountByArea differs (%v, %v; %d vs %d)", l.Name, err1, err2, na, nb)
		}
	}
	ia, _ := src.Incidents(ctx, store.Filter{OrgID: org.ID}, 100, 50)
	ib, _ := dst.Incidents(ctx, store.Filter{OrgID: org.ID}, 100, 50)
	if !reflect.DeepEqual(ia, ib) {
		t.Error("a page of incidents differs between SQLite and PostgreSQL")
	}
	if ss, err := dst.SessionByToken(ctx, "tok"); err != nil || ss.User.Email != "ann@city.test" {
		t.Errorf("session after copy: %+v, %v", ss, err)
	}
	// the knowledge base is searchable on the copy: PostgreSQL filled each
	// copied record's stored tsvector (kb_items.tsv, which Copy leaves out)
	if hits, err := dst.SearchKB(ctx, org.ID, "street lighting", "en", store.KBFilter{}, 5); err != nil || len(hits) == 0 || !strings.Contains(strings.ToLower(hits[0].Title), "light") {
		t.Errorf("kb search on the PostgreSQL copy: %+v, %v", hits, err)
	}
	// sequences were moved past the copied ids: new rows get new ids
	if _, _, code := run(t, "", "user", "add", "--db", pg, "--email", "bob@city.test", "--role", "analyst"); code != 0 {
		t.Error("user add on the copy failed")
	}
	if o, err := dst.EnsureOrg(ctx, "second", "Second"); err != nil || o.ID <= org.ID {
		t.Errorf("new org after copy: %+v, %v", o, err)
	}

	// a second copy into the now non-empty database is refused
	if _, errOut, code := run(t, "", "db", "copy", "--from", "sqlite:"+dir, "--to", pg); code == 0 || !strings.Contains(errOut, "not empty") {
		t.Errorf("copy into a non-empty database: exit %d, %s", code, errOut)
	}
	// and back: PostgreSQL to a new SQLite directory
	back := filepath.Join(t.TempDir(), "back")
	if out, errOut, code := run(t, "", "db", "copy", "--from", pg, "--to", "sqlite:"+back); code != 0 {
		t.Fatalf("copy back: exit %d: %s%s", code, out, errOut)
	}
	b, err := store.OpenSQLite(ctx, back, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	again, _ := b.TableCounts(ctx)
	now, _ := dst.TableCounts(ctx)
	if !reflect.DeepEqual(again, now) {
		t.Errorf("copy back: counts %v, want %v", again, now)
	}
	if hits, err := b.SearchKB(ctx, org.ID, "street lighting", "en", store.KBFilter{}, 5); err != nil || len(hits) == 0 || !strings.Contains(strings.ToLower(hits[0].Title), "light") {
		t.Errorf("kb search on the SQLite copy of PostgreSQL: %+v, %v", hits, err)
	}
	if _, _, code := run(t, "", "db", "copy", "--from", "sqlite:"+filepath.Join(dir, "missing"), "--to", pg); code == 0 {
		t.Error("copy from a missing directory succeeded")
	}
}
