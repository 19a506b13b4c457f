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
	Methods    []analyses.MethodInfo
	Saved      []store.Analysis
	AnalysisID int64  // the analysis opened by link (0: none)
	ReadOnly   bool   // the viewer may not run analyses
	Tiles      string // tile URL template ("" = no base map)
	TileAttrib string
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
