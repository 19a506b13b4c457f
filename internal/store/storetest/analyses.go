package storetest

import (
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/store"
)

// testAnalyses covers the analyses table: create, progress, finish, fail,
// save and list within the organisation, and the points an analysis reads
// (categories, window, order).
func testAnalyses(e *env) {
	o, other := e.org("city"), e.org("elsewhere")
	u, err := e.s.CreateUser(e.ctx, store.User{OrgID: o.ID, Email: "analyst@city.test", Name: "Ana", Role: auth.Analyst}, "h")
	e.must(err)
	id, err := e.s.CreateAnalysis(e.ctx, store.Analysis{OrgID: o.ID, OwnerID: u.ID, Method: "getis-ord", Request: `{"method":"getis-ord"}`})
	e.must(err)
	cli, err := e.s.CreateAnalysis(e.ctx, store.Analysis{OrgID: o.ID, Method: "grid", Request: `{}`}) // no owner: the command line
	e.must(err)
	if _, err := e.s.CreateAnalysis(e.ctx, store.Analysis{OrgID: o.ID}); apperr.CodeOf(err) != apperr.Invalid {
		e.t.Errorf("an analysis without a method: %v", err)
	}
	a, err := e.s.Analysis(e.ctx, o.ID, id)
	e.must(err)
	if a.State != store.JobQueued || a.Owner != "Ana" || a.OwnerID != u.ID || a.Method != "getis-ord" || !a.Created.Equal(Start) || !a.Finished.IsZero() {
		e.t.Errorf("created analysis = %+v", a)
	}
	if _, err := e.s.Analysis(e.ctx, other.ID, id); !isNotFound(err) {
		e.t.Errorf("another organisation reads the analysis: %v", err)
	}
	e.must(e.s.SetAnalysisJob(e.ctx, id, 42))
	e.must(e.s.AnalysisProgress(e.ctx, id, 0.4, "permutations"))
	a, _ = e.s.Analysis(e.ctx, o.ID, id)
	if a.State != store.JobRunning || a.Progress != 0.4 || a.Stage != "permutations" || a.JobID != 42 {
		e.t.Errorf("after progress: %+v", a)
	}
	e.clock.Advance(time.Minute)
	e.must(e.s.FinishAnalysis(e.ctx, id, `{"summary":"ok"}`, ""))
	e.must(e.s.AnalysisProgress(e.ctx, id, 0.5, "late")) // ignored once finished
	a, _ = e.s.Analysis(e.ctx, o.ID, id)
	if a.State != store.JobDone || a.Progress != 1 || a.Result != `{"summary":"ok"}` || a.Stage != "" || !a.Finished.Equal(Start.Add(time.Minute)) {
		e.t.Errorf("finished analysis = %+v", a)
	}
	e.must(e.s.FinishAnalysis(e.ctx, cli, "", "month-resolution dates"))
	if b, _ := e.s.AnalysisByID(e.ctx, cli); b.State != store.JobFailed || b.Error != "month-resolution dates" || b.Result != "" || b.OwnerID != 0 {
		e.t.Errorf("failed analysis = %+v", b)
	}
	if err := e.s.FinishAnalysis(e.ctx, 9999, "", "x"); !isNotFound(err) {
		e.t.Errorf("finishing a missing analysis: %v", err)
	}

	// saving names it; the list has saved analyses only, newest first, without results
	if l, err := e.s.SavedAnalyses(e.ctx, o.ID, 10); err != nil || len(l) != 0 {
		e.t.Errorf("saved before saving: %v %v", l, err)
	}
	e.must(e.s.SaveAnalysis(e.ctx, o.ID, id, "  Hot spots  "))
	e.must(e.s.SaveAnalysis(e.ctx, o.ID, cli, "Failed one"))
	if err := e.s.SaveAnalysis(e.ctx, other.ID, id, "stolen"); !isNotFound(err) {
		e.t.Errorf("another organisation saves the analysis: %v", err)
	}
	l, err := e.s.SavedAnalyses(e.ctx, o.ID, 10)
	e.must(err)
	if len(l) != 2 || l[0].ID != cli || l[1].ID != id || l[1].Name != "Hot spots" || l[1].Result != "" {
		e.t.Errorf("saved list = %+v", l)
	}
	e.must(e.s.SaveAnalysis(e.ctx, o.ID, cli, ""))
	if l, _ := e.s.SavedAnalyses(e.ctx, o.ID, 10); len(l) != 1 {
		e.t.Errorf("after unsaving, %d saved", len(l))
	}

	// the points of a dataset, filtered by categories and a window
	rows := genRows(300, nil)
	ds, _, _ := seedIncidents(e, o.ID, "points", rows)
	from, to := dataStart.AddDate(0, 1, 0), dataStart.AddDate(0, 3, 0)
	var want int
	for _, r := range rows {
		if (r.Category == "theft" || r.Category == "assault") && !r.Time.Before(from) && r.Time.Before(to) {
			want++
		}
	}
	var got int
	var last time.Time
	e.must(e.s.AnalysisPoints(e.ctx, store.PointFilter{OrgID: o.ID, DatasetID: ds.ID, Categories: []string{"theft", "assault"}, From: from, To: to}, func(p store.AnalysisPoint) error {
		got++
		if p.Category == "burglary" || p.Time.Before(from) || !p.Time.Before(to) || p.Time.Before(last) {
			e.t.Errorf("point %+v outside the filter or out of order", p)
		}
		last = p.Time
		return nil
	}))
	if got != want || want == 0 {
		e.t.Errorf("AnalysisPoints gave %d points, want %d", got, want)
	}
	if err := e.s.AnalysisPoints(e.ctx, store.PointFilter{OrgID: other.ID, DatasetID: ds.ID}, func(store.AnalysisPoint) error { got++; return nil }); err != nil || got != want {
		e.t.Errorf("another organisation reads the points: %v (%d)", err, got-want)
	}
	if _, err := e.s.DatasetByName(e.ctx, o.ID, "nope"); !isNotFound(err) {
		e.t.Errorf("DatasetByName(nope): %v", err)
	}
	if d, err := e.s.DatasetByName(e.ctx, o.ID, "points"); err != nil || d.ID != ds.ID {
		e.t.Errorf("DatasetByName(points) = %v, %v", d, err)
	}
}
