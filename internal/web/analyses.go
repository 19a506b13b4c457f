package web

// The analysis workbench and the analyses API: every method of the analysis
// service (internal/analyses) on a stored dataset with filters. Short
// methods run inside the request; permutation tests run as background jobs
// (kind "analysis") whose progress the client polls. Saved analyses are
// shared by link within the organisation.

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"

	"github.com/icarus-city/icarus/internal/analyses"
	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/store"
)

// analysisMaxBody bounds an analysis request's JSON body.
const analysisMaxBody = 64 << 10

// Running an analysis reads incident records (their places and dates), so
// it needs the permission to view incidents (admins and analysts); saved
// analyses, which are aggregates, are shared with every signed-in member of
// the organisation.
func (s *Server) analysisRoutes() []route {
	return []route{
		{"GET /analyses", auth.PermViewIncidents, false, s.analysesPage},
		{"GET /analyses/{id}", auth.PermViewAggregates, false, s.analysisPage}, // saved analyses are shared within the organisation
		{"GET /api/v1/analyses", auth.PermViewAggregates, true, s.apiAnalysesList},
		{"POST /api/v1/analyses", auth.PermViewIncidents, true, s.apiAnalysisRun},
		{"GET /api/v1/analyses/methods", auth.PermViewAggregates, true, s.apiAnalysisMethods},
		{"GET /api/v1/analyses/options", auth.PermViewIncidents, true, s.apiAnalysisOptions},
		{"GET /api/v1/analyses/{id}", auth.PermViewAggregates, true, s.apiAnalysisGet},
		{"GET /api/v1/analyses/{id}/export", auth.PermViewAggregates, true, s.apiAnalysisExport},
		{"POST /api/v1/analyses/{id}/save", auth.PermViewIncidents, true, s.apiAnalysisSave},
	}
}

// workbench is what the workbench template gets.
type workbench struct {
	Datasets   []store.Dataset
	Dataset    int64
	Categories []string
	Months     []string
	Layers     []workbenchLayer
	// LayerChoices are the layers whose areas can replace grid cells.
	LayerChoices []store.Layer
	Methods      []analyses.MethodInfo
	Saved        []store.Analysis
	AnalysisID   int64  // the analysis opened by link (0: none)
	ReadOnly     bool   // the viewer may not run analyses
	Tiles        string // tile URL template ("" = no base map)
	TileAttrib   string
}

type workbenchLayer struct {
	Name  string
	Areas []store.Area
}

func (s *Server) workbenchData(r *http.Request, c *reqCtx) (*workbench, error) {
	ctx := r.Context()
	wb := &workbench{Methods: analyses.Methods(), Tiles: s.cfg.TileURL, TileAttrib: s.cfg.TileAttrib, ReadOnly: !auth.Allows(c.role, auth.PermViewIncidents)}
	var err error
	if wb.Saved, err = s.st.SavedAnalyses(ctx, c.orgID, 50); err != nil {
		return nil, err
	}
	if wb.ReadOnly {
		return wb, nil
	}
	if wb.Datasets, err = s.st.Datasets(ctx, c.orgID); err != nil {
		return nil, err
	}
	wb.Dataset = atoi64(r.URL.Query().Get("dataset"))
	if wb.Dataset == 0 && len(wb.Datasets) > 0 {
		wb.Dataset = wb.Datasets[0].ID
	}
	if wb.Dataset != 0 {
		if wb.Categories, wb.Months, err = s.datasetChoices(r, c, wb.Dataset); err != nil {
			return nil, err
		}
	}
	layers, err := s.st.Layers(ctx, c.orgID)
	if err != nil {
		return nil, err
	}
	areas, err := s.st.Areas(ctx, c.orgID, 0, false)
	if err != nil {
		return nil, err
	}
	wb.LayerChoices = layers
	for _, l := range layers {
		wl := workbenchLayer{Name: l.Name}
		for _, a := range areas {
			if a.LayerID == l.ID {
				wl.Areas = append(wl.Areas, a)
			}
		}
		wb.Layers = append(wb.Layers, wl)
	}
	return wb, nil
}

func (s *Server) datasetChoices(r *http.Request, c *reqCtx, dataset int64) (cats, months []string, err error) {
	if cats, err = s.st.DatasetCategories(r.Context(), c.orgID, dataset); err != nil {
		return nil, nil, err
	}
	ms, err := s.st.Months(r.Context(), c.orgID, dataset)
	if err != nil {
		return nil, nil, err
	}
	for _, m := range ms {
		months = append(months, ymString(m))
	}
	return cats, months, nil
}

func (s *Server) analysesPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	wb, err := s.workbenchData(r, c)
	if err != nil {
		return err
	}
	return s.render(w, r, c, "analysis", 200, &page{Title: s.cat.T(c.lang, "analysis.title"), Active: "analysis", Data: wb})
}

func (s *Server) analysisPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	a, err := s.visibleAnalysis(r, c)
	if err != nil {
		return err
	}
	wb, err := s.workbenchData(r, c)
	if err != nil {
		return err
	}
	wb.AnalysisID = a.ID
	title := a.Name
	if title == "" {
		title = s.cat.T(c.lang, "analysis.title")
	}
	return s.render(w, r, c, "analysis", 200, &page{Title: title, Active: "analysis", Data: wb})
}

// visibleAnalysis loads the analysis of the path: saved analyses are
// visible to the whole organisation, unsaved ones to analysts only.
func (s *Server) visibleAnalysis(r *http.Request, c *reqCtx) (store.Analysis, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return store.Analysis{}, apperr.New(apperr.NotFound, "analysis not found")
	}
	a, err := s.st.Analysis(r.Context(), c.orgID, id)
	if err != nil {
		return a, err
	}
	if a.Name == "" && !auth.Allows(c.role, auth.PermViewIncidents) {
		return store.Analysis{}, apperr.New(apperr.NotFound, "analysis not found")
	}
	return a, nil
}

// apiAnalysisRun checks and records an analysis; short ones run at once
// (201 with the result), long ones are queued as a job (202; poll
// GET /api/v1/analyses/{id}).
func (s *Server) apiAnalysisRun(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, analysisMaxBody+1))
	if err != nil {
		return apperr.Wrap(apperr.Invalid, err, "unreadable request")
	}
	if len(body) > analysisMaxBody {
		return apperr.New(apperr.Invalid, "the request is larger than %d bytes", analysisMaxBody)
	}
	var env struct {
		Name string `json:"name"`
	}
	req, err := analyses.ParseRequest(stripName(body, &env.Name))
	if err != nil {
		return err
	}
	svc := analyses.New(s.st)
	sub, err := svc.Submit(r.Context(), c.orgID, c.user.ID, req, env.Name)
	if sub.ID != 0 {
		s.st.Audit(r.Context(), store.AuditEntry{OrgID: c.orgID, UserID: c.user.ID, Actor: c.user.Email, Action: "analysis.run", Target: itoa64(sub.ID), Detail: req.Method, IP: clientIP(r)})
	}
	if err != nil && sub.ID == 0 {
		return err
	}
	st, gerr := svc.Get(r.Context(), c.orgID, sub.ID)
	if gerr != nil {
		return gerr
	}
	w.Header().Set("Location", "/api/v1/analyses/"+itoa64(sub.ID))
	w.Header().Set("Content-Type", "application/json")
	switch st.State {
	case store.JobDone:
		w.WriteHeader(http.StatusCreated)
	case store.JobFailed:
		// checked and recorded, but the data did not suit the method
		w.WriteHeader(http.StatusUnprocessableEntity)
	default:
		w.WriteHeader(http.StatusAccepted)
	}
	return json.NewEncoder(w).Encode(st)
}

// stripName takes the optional top-level "name" out of a request body.
func stripName(body []byte, name *string) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return body
	}
	raw, ok := m["name"]
	if !ok {
		return body
	}
	json.Unmarshal(raw, name)
	delete(m, "name")
	b, err := json.Marshal(m)
	if err != nil {
		return body
	}
	return b
}

func (s *Server) apiAnalysisGet(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	a, err := s.visibleAnalysis(r, c)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, analyses.StatusOf(a))
}

func (s *Server) apiAnalysesList(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	as, err := s.st.SavedAnalyses(r.Context(), c.orgID, 200)
	if err != nil {
		return err
	}
	out := make([]analyses.Status, 0, len(as))
	for _, a := range as {
		st := analyses.StatusOf(a)
		st.Result = nil
		out = append(out, st)
	}
	return writeJSON(w, map[string]any{"analyses": out})
}

func (s *Server) apiAnalysisMethods(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return writeJSON(w, map[string]any{"methods": analyses.Methods()})
}

func (s *Server) apiAnalysisOptions(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id := atoi64(r.URL.Query().Get("dataset"))
	if id == 0 {
		return apperr.New(apperr.Invalid, "dataset: give a dataset id")
	}
	cats, months, err := s.datasetChoices(r, c, id)
	if err != nil {
		return err
	}
	if cats == nil {
		cats = []string{}
	}
	if months == nil {
		months = []string{}
	}
	return writeJSON(w, map[string]any{"categories": cats, "months": months})
}

func (s *Server) apiAnalysisSave(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	a, err := s.visibleAnalysis(r, c)
	if err != nil {
		return err
	}
	var body struct {
		Name string `json:"name"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&body); err != nil {
		return apperr.New(apperr.Invalid, "give a JSON body {\"name\": \"...\"}")
	}
	if a.State != store.JobDone && body.Name != "" {
		return apperr.New(apperr.Conflict, "only a finished analysis can be saved (this one is %s)", a.State)
	}
	if err := s.st.SaveAnalysis(r.Context(), c.orgID, a.ID, body.Name); err != nil {
		return err
	}
	s.st.Audit(r.Context(), store.AuditEntry{OrgID: c.orgID, UserID: c.user.ID, Actor: c.user.Email, Action: "analysis.save", Target: itoa64(a.ID), Detail: body.Name, IP: clientIP(r)})
	a, err = s.st.Analysis(r.Context(), c.orgID, a.ID)
	if err != nil {
		return err
	}
	st := analyses.StatusOf(a)
	st.Result = nil
	return writeJSON(w, map[string]any{"analysis": st, "link": "/analyses/" + itoa64(a.ID)})
}

// apiAnalysisExport writes a finished analysis as CSV (its table) or
// GeoJSON (its map layer with the method card).
func (s *Server) apiAnalysisExport(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	a, err := s.visibleAnalysis(r, c)
	if err != nil {
		return err
	}
	if a.State != store.JobDone {
		return apperr.New(apperr.Conflict, "the analysis is %s: nothing to export yet", a.State)
	}
	var res analyses.Result
	if err := json.Unmarshal([]byte(a.Result), &res); err != nil {
		return err
	}
	name := "analysis-" + itoa64(a.ID) + "-" + a.Method
	var buf bytes.Buffer
	switch f := r.URL.Query().Get("format"); f {
	case "csv", "":
		if err := res.WriteCSV(&buf); err != nil {
			return apperr.New(apperr.Invalid, "%v", err)
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	case "geojson":
		if err := res.WriteGeoJSON(&buf); err != nil {
			return apperr.New(apperr.Invalid, "%v", err)
		}
		w.Header().Set("Content-Type", "application/geo+json")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.geojson"`)
	default:
		return apperr.New(apperr.Invalid, "format %q: want csv or geojson", f)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// addAnalysisAPI documents the analyses API in the OpenAPI description.
func addAnalysisAPI(doc map[string]any) {
	paths, _ := doc["paths"].(map[string]any)
	comps, _ := doc["components"].(map[string]any)
	schemas, _ := comps["schemas"].(map[string]any)
	if paths == nil || schemas == nil {
		return
	}
	str := map[string]any{"type": "string"}
	integer := map[string]any{"type": "integer"}
	number := map[string]any{"type": "number"}
	boolean := map[string]any{"type": "boolean"}
	ref := func(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }
	errResp := map[string]any{"description": "error", "content": map[string]any{"application/json": map[string]any{"schema": ref("Error")}}}
	jsonResp := func(desc string, schema map[string]any) map[string]any {
		return map[string]any{"description": desc, "content": map[string]any{"application/json": map[string]any{"schema": schema}}}
	}
	idParam := map[string]any{"name": "id", "in": "path", "required": true, "schema": integer, "description": "analysis id"}
	sec := []any{map[string]any{"session": []any{}}}
	methods := []any{}
	for _, m := range analyses.Methods() {
		methods = append(methods, m.Name)
	}
	paths["/api/v1/analyses"] = map[string]any{
		"get": map[string]any{"summary": "Saved analyses of the organisation (without their results)", "security": sec,
			"description": "Requires a signed-in session with permission view_aggregates.",
			"responses":   map[string]any{"200": jsonResp("saved analyses", map[string]any{"type": "object", "properties": map[string]any{"analyses": map[string]any{"type": "array", "items": ref("AnalysisStatus")}}}), "401": errResp}},
		"post": map[string]any{"summary": "Run an analysis on a stored dataset", "security": sec,
			"description": "Requires permission view_incidents (analysts, admins) and the X-CSRF-Token header. The request is checked before any work (400 with the parameter at fault). " +
				"Short methods run at once: 201 with the result. Permutation tests (knox, getis-ord and moran with permutations, hotspot-change with permutations, sppt) and forecast evaluations are queued as background jobs: 202, then poll GET /api/v1/analyses/{id} for progress and the result. " +
				"422: recorded but the data did not suit the method (e.g. an empty selection). Knox and forecasts refuse month-resolution dates (police.uk) with 400. See docs/analysis.md.",
			"requestBody": map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": ref("AnalysisRequest")}}},
			"responses": map[string]any{"201": jsonResp("done: the analysis with its result", ref("AnalysisStatus")), "202": jsonResp("queued as a job", ref("AnalysisStatus")),
				"400": errResp, "401": errResp, "403": errResp, "404": errResp, "422": jsonResp("the method could not run on this selection", ref("AnalysisStatus"))}},
	}
	paths["/api/v1/analyses/methods"] = map[string]any{"get": map[string]any{"summary": "The analysis methods", "security": sec,
		"description": "Requires a signed-in session with permission view_aggregates.",
		"responses":   map[string]any{"200": jsonResp("methods", map[string]any{"type": "object"}), "401": errResp}}}
	paths["/api/v1/analyses/options"] = map[string]any{"get": map[string]any{"summary": "Categories and months of a dataset (for the workbench's filters)", "security": sec,
		"description": "Requires a signed-in session with permission view_incidents.",
		"parameters":  []any{map[string]any{"name": "dataset", "in": "query", "required": true, "schema": integer}},
		"responses":   map[string]any{"200": jsonResp("choices", map[string]any{"type": "object", "properties": map[string]any{"categories": map[string]any{"type": "array", "items": str}, "months": map[string]any{"type": "array", "items": str}}}), "400": errResp, "401": errResp, "403": errResp}}}
	paths["/api/v1/analyses/{id}"] = map[string]any{"get": map[string]any{"summary": "An analysis: state, progress, and when done its result with the method card", "security": sec,
		"description": "Requires a signed-in session with permission view_aggregates. Saved analyses are visible to every signed-in member of the organisation; unsaved ones to analysts and admins (view_incidents).",
		"parameters":  []any{idParam},
		"responses":   map[string]any{"200": jsonResp("the analysis", ref("AnalysisStatus")), "401": errResp, "404": errResp}}}
	paths["/api/v1/analyses/{id}/export"] = map[string]any{"get": map[string]any{"summary": "Export a finished analysis: its table as CSV or its map layer as GeoJSON (WGS84, with the method card)", "security": sec,
		"description": "Requires a signed-in session with permission view_aggregates (saved analyses; unsaved ones: view_incidents).",
		"parameters":  []any{idParam, map[string]any{"name": "format", "in": "query", "schema": map[string]any{"type": "string", "enum": []any{"csv", "geojson"}}}},
		"responses": map[string]any{"200": map[string]any{"description": "the file", "content": map[string]any{"text/csv": map[string]any{"schema": str}, "application/geo+json": map[string]any{"schema": map[string]any{"type": "object"}}}},
			"400": errResp, "401": errResp, "404": errResp, "409": errResp}}}
	paths["/api/v1/analyses/{id}/save"] = map[string]any{"post": map[string]any{"summary": "Save (name) a finished analysis, sharing it within the organisation; an empty name unsaves it", "security": sec,
		"description": "Requires permission view_incidents and the X-CSRF-Token header.",
		"parameters":  []any{idParam},
		"requestBody": map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object", "properties": map[string]any{"name": str}}}}},
		"responses":   map[string]any{"200": jsonResp("saved, with the link to share", map[string]any{"type": "object", "properties": map[string]any{"analysis": ref("AnalysisStatus"), "link": str}}), "400": errResp, "401": errResp, "403": errResp, "404": errResp, "409": errResp}}}
	schemas["AnalysisRequest"] = map[string]any{"type": "object", "required": []any{"method"},
		"properties": map[string]any{
			"method":     map[string]any{"type": "string", "enum": methods},
			"name":       map[string]any{"type": "string", "description": "save the analysis under this name"},
			"dataset":    map[string]any{"type": "string", "description": "dataset name (or dataset_id)"},
			"dataset_id": integer,
			"filters": map[string]any{"type": "object", "properties": map[string]any{
				"categories": map[string]any{"type": "array", "items": str}, "from": map[string]any{"type": "string", "description": "YYYY-MM or YYYY-MM-DD, inclusive"},
				"to": map[string]any{"type": "string", "description": "YYYY-MM or YYYY-MM-DD, inclusive"}, "area_id": integer}},
			"params": map[string]any{"type": "object", "description": "Parameters of the method; unknown names are refused. Defaults in docs/analysis.md.", "properties": map[string]any{
				"cell": number, "kernel": str, "bandwidth": number, "selector": str, "weights": str, "star": boolean, "permutations": integer, "alpha": number, "seed": integer,
				"space_bands": map[string]any{"type": "array", "items": number}, "time_bands": map[string]any{"type": "array", "items": integer}, "metric": str, "nrc": boolean, "iterations": integer,
				"kind": str, "interval": str, "years": integer, "timezone": str, "before_from": str, "before_to": str, "after_from": str, "after_to": str, "confidence": number,
				"forecast_method": str, "evaluate": boolean, "test_days": integer}}}}
	schemas["AnalysisStatus"] = map[string]any{"type": "object", "properties": map[string]any{
		"id": integer, "name": str, "owner": str, "method": str, "state": map[string]any{"type": "string", "enum": []any{"queued", "running", "done", "failed"}},
		"progress": number, "stage": str, "error": str, "request": ref("AnalysisRequest"), "result": ref("AnalysisResult"), "created": str, "finished": str}}
	schemas["AnalysisResult"] = map[string]any{"type": "object", "description": "Every result states its method card; layer, charts and table as the method has them.",
		"properties": map[string]any{"method": str, "summary": str,
			"card": map[string]any{"type": "object", "properties": map[string]any{"method": str, "question": str, "parameters": map[string]any{"type": "array", "items": map[string]any{"type": "object"}},
				"data": map[string]any{"type": "object"}, "n": integer, "excluded": map[string]any{"type": "array", "items": map[string]any{"type": "object"}}, "uncertainty": str,
				"references": map[string]any{"type": "array", "items": str}, "limits": map[string]any{"type": "array", "items": str}, "doc": str, "warnings": map[string]any{"type": "array", "items": str}}},
			"layer":  map[string]any{"type": "object", "description": "map layer: title, legend [{class, label, color, count}], GeoJSON features (WGS84 cells)"},
			"charts": map[string]any{"type": "array", "items": map[string]any{"type": "object"}},
			"table":  map[string]any{"type": "object", "properties": map[string]any{"columns": map[string]any{"type": "array", "items": str}, "rows": map[string]any{"type": "array", "items": map[string]any{"type": "array"}}}},
			"detail": map[string]any{"type": "object", "description": "the method's own full output"}}}
}
