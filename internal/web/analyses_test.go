package web

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/icarus-city/icarus/internal/analyses"
	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/jobs"
)

// postAnalysis posts an analysis request as s.
func postAnalysis(t *testing.T, base string, s *session, body string) response {
	t.Helper()
	return do(t, base, request{method: "POST", url: "/api/v1/analyses", body: strings.NewReader(body), contentType: "application/json",
		headers: map[string]string{"X-CSRF-Token": s.csrf}, sess: s})
}

type analysisStatus struct {
	ID       int64            `json:"id"`
	Name     string           `json:"name"`
	State    string           `json:"state"`
	Progress float64          `json:"progress"`
	Error    string           `json:"error"`
	Request  analyses.Request `json:"request"`
	Result   *struct {
		Method  string        `json:"method"`
		Summary string        `json:"summary"`
		Card    analyses.Card `json:"card"`
		Layer   *struct {
			Legend   []analyses.LegendItem `json:"legend"`
			Features []json.RawMessage     `json:"features"`
		} `json:"layer"`
		Charts []json.RawMessage `json:"charts"`
		Table  *analyses.Table   `json:"table"`
	} `json:"result"`
}

// TestAnalysesAPI runs analyses of the real Manchester burglaries (2017,
// police.uk: dates known to the month) through the API: a short method
// inline, a permutation test as a job with progress, a day-based method
// refused with the month-resolution error, saving and sharing, exports and
// permissions.
func TestAnalysesAPI(t *testing.T) {
	f := realData(t)
	base := f.ts.URL
	analyst := f.sessionFor(t, auth.Analyst)
	coord := f.sessionFor(t, auth.Coordinator)
	ds := `"dataset_id":` + itoa64(f.datasetID)

	// grid counts run inline: 201 with the result and its method card
	r := postAnalysis(t, base, analyst, `{"method":"grid",`+ds+`}`)
	if r.status != 201 {
		t.Fatalf("grid: %s", r)
	}
	var grid analysisStatus
	decodeJSON(t, r, &grid)
	if grid.State != "done" || grid.Result == nil || grid.Result.Card.N != burglaryPoints || grid.Result.Card.Data.Resolution != "month" {
		t.Fatalf("grid result: state %s, card %+v", grid.State, grid.Result)
	}
	total := 0
	for _, row := range grid.Result.Table.Rows {
		total += int(row[len(row)-1].(float64))
	}
	if total != burglaryPoints || len(grid.Result.Layer.Features) == 0 || len(grid.Result.Layer.Legend) == 0 {
		t.Errorf("grid: cells hold %d incidents (want %d), %d features drawn", total, burglaryPoints, len(grid.Result.Layer.Features))
	}

	// a category filter that matches nothing is a clear error, nothing run
	r = postAnalysis(t, base, analyst, `{"method":"kde",`+ds+`,"filters":{"categories":["no such category"]}}`)
	if r.status != 422 || !strings.Contains(string(r.body), "selection is empty") {
		t.Errorf("empty selection: %s", r)
	}

	// bad parameters are refused before anything is recorded
	for _, bad := range []struct{ body, want string }{
		{`{"method":"knox",` + ds + `,"params":{"space_bands":[0,200,100]}}`, "must increase"},
		{`{"method":"astrology",` + ds + `}`, "want one of"},
		{`{"method":"kde",` + ds + `,"params":{"kernel":"box"}}`, "kernel"},
		{`{"method":"grid",` + ds + `,"params":{"cel":5}}`, "unknown field"},
		{`{"method":"grid",` + ds + `,"params":{"cell":0.01}}`, "cells"},
	} {
		r := postAnalysis(t, base, analyst, bad.body)
		if r.status/100 != 4 || !strings.Contains(string(r.body), bad.want) {
			t.Errorf("%s: got %s, want a 4xx saying %q", bad.body, r, bad.want)
		}
	}

	// Knox needs days: police.uk months are refused with the reason, at once
	r = postAnalysis(t, base, analyst, `{"method":"knox",`+ds+`}`)
	if r.status != 400 || !strings.Contains(string(r.body), "month-resolution") {
		t.Errorf("knox on month-resolution data: %s", r)
	}

	// Gi* with permutations is a job: 202, queued, then done by a runner
	r = postAnalysis(t, base, analyst, `{"method":"getis-ord",`+ds+`,"params":{"permutations":999,"cell":500}}`)
	if r.status != 202 {
		t.Fatalf("getis-ord: %s", r)
	}
	var gi analysisStatus
	decodeJSON(t, r, &gi)
	if gi.State != "queued" || r.header.Get("Location") != "/api/v1/analyses/"+itoa64(gi.ID) {
		t.Fatalf("getis-ord: state %s, location %q", gi.State, r.header.Get("Location"))
	}
	runner := &jobs.Runner{Store: f.st, Worker: "test", Handlers: analyses.New(f.st).JobHandlers()}
	if did, err := runner.RunOnce(context.Background()); err != nil || !did {
		t.Fatalf("runner: did %v, %v", did, err)
	}
	r = get(t, base, "/api/v1/analyses/"+itoa64(gi.ID), analyst)
	decodeJSON(t, r, &gi)
	if gi.State != "done" || gi.Progress != 1 || gi.Result == nil || gi.Result.Card.N != burglaryPoints {
		t.Fatalf("getis-ord after the job: %s", r)
	}
	hot := 0
	for _, l := range gi.Result.Layer.Legend {
		if l.Class == "hot" {
			hot = l.Count
		}
	}
	if hot == 0 || len(gi.Result.Layer.Features) < hot || !strings.Contains(gi.Result.Card.Method, "Gi*") || gi.Result.Card.Parameters == nil {
		t.Errorf("getis-ord: %d hot cells, %d features, card %q", hot, len(gi.Result.Layer.Features), gi.Result.Card.Method)
	}

	// unsaved analyses are the analysts'; a coordinator cannot see or run them
	if r := get(t, base, "/api/v1/analyses/"+itoa64(gi.ID), coord); r.status != 404 {
		t.Errorf("coordinator reads an unsaved analysis: %s", r)
	}
	if r := postAnalysis(t, base, coord, `{"method":"grid",`+ds+`}`); r.status != 403 {
		t.Errorf("coordinator runs an analysis: %s", r)
	}

	// save and share within the organisation
	r = do(t, base, request{method: "POST", url: "/api/v1/analyses/" + itoa64(gi.ID) + "/save", body: strings.NewReader(`{"name":"Burglary hot spots 2017"}`),
		contentType: "application/json", headers: map[string]string{"X-CSRF-Token": analyst.csrf}, sess: analyst})
	if r.status != 200 || !strings.Contains(string(r.body), `"link":"/analyses/`+itoa64(gi.ID)+`"`) {
		t.Fatalf("save: %s", r)
	}
	for _, u := range []string{"/api/v1/analyses/" + itoa64(gi.ID), "/analyses/" + itoa64(gi.ID)} {
		if r := get(t, base, u, coord); r.status != 200 {
			t.Errorf("coordinator opens the saved analysis %s: %s", u, r)
		}
	}
	r = get(t, base, "/api/v1/analyses", coord)
	if r.status != 200 || !strings.Contains(string(r.body), "Burglary hot spots 2017") {
		t.Errorf("saved list: %s", r)
	}
	if r := get(t, base, "/api/v1/analyses/"+itoa64(gi.ID), nil); r.status != 401 {
		t.Errorf("the public reads an analysis: %s", r)
	}

	// exports
	r = get(t, base, "/api/v1/analyses/"+itoa64(gi.ID)+"/export?format=csv", coord)
	lines := strings.Split(strings.TrimSpace(string(r.body)), "\n")
	if r.status != 200 || !strings.HasPrefix(lines[0], "cell,col,row,x,y,lon,lat,count,z,p,q,class") || len(lines) != len(gi.Result.Table.Rows)+1 {
		t.Errorf("csv export: %d lines, header %q", len(lines), lines[0])
	}
	r = get(t, base, "/api/v1/analyses/"+itoa64(gi.ID)+"/export?format=geojson", coord)
	var fc struct {
		Type     string          `json:"type"`
		Features []any           `json:"features"`
		Card     json.RawMessage `json:"method_card"`
	}
	decodeJSON(t, r, &fc)
	if fc.Type != "FeatureCollection" || len(fc.Features) != len(gi.Result.Layer.Features) || len(fc.Card) < 100 {
		t.Errorf("geojson export: %s, %d features", fc.Type, len(fc.Features))
	}

	// the audit log has the runs and the save
	entries, err := f.st.AuditLog(context.Background(), f.org.ID, 50)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		seen[e.Action] = true
	}
	if !seen["analysis.run"] || !seen["analysis.save"] {
		t.Errorf("audit log lacks analysis.run / analysis.save: %v", seen)
	}

	// Gi* on the LSOAs (queen contiguity between areas), normal approximation: inline
	r = postAnalysis(t, base, analyst, `{"method":"getis-ord",`+ds+`,"params":{"permutations":0,"layer_id":`+itoa64(f.layerID)+`}}`)
	var lsoa analysisStatus
	decodeJSON(t, r, &lsoa)
	if r.status != 201 || len(lsoa.Result.Table.Rows) != lsoaAreas || !strings.Contains(string(r.body), `"MultiPolygon"`) {
		t.Errorf("getis-ord on areas: %d rows: %.600s", len(lsoa.Result.Table.Rows), r.body)
	}

	// trend and change: charts and tables
	r = postAnalysis(t, base, analyst, `{"method":"trend",`+ds+`}`)
	var tr analysisStatus
	decodeJSON(t, r, &tr)
	if r.status != 201 || len(tr.Result.Charts) != 1 || len(tr.Result.Table.Rows) != 12 {
		t.Errorf("trend: %s", r)
	}
	r = postAnalysis(t, base, analyst, `{"method":"change",`+ds+`,"params":{"before_from":"2017-01","before_to":"2017-03","after_from":"2017-04","after_to":"2017-06"}}`)
	if r.status != 201 || !strings.Contains(string(r.body), "Clopper") {
		t.Errorf("change: %s", r)
	}
	// hot-spot change over the 12 months, inline; SPPT between two halves, as a job
	r = postAnalysis(t, base, analyst, `{"method":"hotspot-change",`+ds+`,"params":{"cell":500}}`)
	if r.status != 201 || !strings.Contains(string(r.body), "hot_periods") {
		t.Errorf("hotspot-change: %s", r)
	}
	r = postAnalysis(t, base, analyst, `{"method":"sppt",`+ds+`,"params":{"cell":500,"before_from":"2017-01","before_to":"2017-06","after_from":"2017-07","after_to":"2017-12"}}`)
	var sp analysisStatus
	decodeJSON(t, r, &sp)
	if r.status != 202 {
		t.Fatalf("sppt: %s", r)
	}
	if did, err := runner.RunOnce(context.Background()); err != nil || !did {
		t.Fatalf("runner: did %v, %v", did, err)
	}
	decodeJSON(t, get(t, base, "/api/v1/analyses/"+itoa64(sp.ID), analyst), &sp)
	if sp.State != "done" || !strings.Contains(sp.Result.Summary, "S = ") {
		t.Errorf("sppt after the job: %+v", sp)
	}
	// forecasting needs days, with or without the evaluation
	for _, body := range []string{`{"method":"forecast",` + ds + `}`, `{"method":"forecast",` + ds + `,"params":{"evaluate":true}}`} {
		if r := postAnalysis(t, base, analyst, body); r.status/100 != 4 || !strings.Contains(string(r.body), "month-resolution") {
			t.Errorf("%s: %s", body, r)
		}
	}

	r = postAnalysis(t, base, analyst, `{"method":"trend",`+ds+`,"params":{"interval":"week"}}`)
	if r.status != 422 || !strings.Contains(string(r.body), "only the month is known") {
		t.Errorf("weekly counts of month-resolution data: %s", r)
	}
}
