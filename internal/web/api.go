package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/store"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := s.st.Ping(r.Context()); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		return writeJSON(w, map[string]string{"status": "unavailable"})
	}
	out := map[string]any{"status": "ok"}
	if s.loading != nil { // a data load beside the server (the demo's incidents): figures are not complete yet
		if what, k, n, active := s.loading(); active {
			out["loading"] = map[string]any{"what": what, "done": k, "of": n}
		}
	}
	return writeJSON(w, out)
}

// datasetJSON is a dataset summary in the API.
type datasetJSON struct {
	ID          int64                 `json:"id"`
	Name        string                `json:"name"`
	Preset      string                `json:"preset"`
	SourceCRS   string                `json:"source_crs"`
	Attribution string                `json:"attribution,omitempty"`
	Incidents   int64                 `json:"incidents"`
	Located     int64                 `json:"located"`
	First       string                `json:"first,omitempty"`
	Last        string                `json:"last,omitempty"`
	Resolution  map[string]int64      `json:"resolution"`
	Categories  []store.CategoryCount `json:"categories"`
}

func (s *Server) apiDatasets(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	sums, err := s.st.DatasetSummaries(r.Context(), c.orgID)
	if err != nil {
		return err
	}
	out := make([]datasetJSON, 0, len(sums))
	for _, d := range sums {
		j := datasetJSON{ID: d.Dataset.ID, Name: d.Dataset.Name, Preset: d.Dataset.Preset, SourceCRS: d.Dataset.SourceCRS, Attribution: d.Dataset.Attribution,
			Incidents: d.Incidents, Located: d.Located, Resolution: d.Resolution, Categories: d.Categories}
		if d.Incidents > 0 {
			j.First, j.Last = d.First.Format(time.DateOnly), d.Last.Format(time.DateOnly)
		}
		out = append(out, j)
	}
	return writeJSON(w, map[string]any{"datasets": out})
}

func (s *Server) apiLayers(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ls, err := s.st.Layers(r.Context(), c.orgID)
	if err != nil {
		return err
	}
	type layerJSON struct {
		ID          int64  `json:"id"`
		Name        string `json:"name"`
		Areas       int    `json:"areas"`
		SourceCRS   string `json:"source_crs"`
		Attribution string `json:"attribution,omitempty"`
	}
	out := make([]layerJSON, 0, len(ls))
	for _, l := range ls {
		out = append(out, layerJSON{l.ID, l.Name, l.Areas, l.SourceCRS, l.Attribution})
	}
	return writeJSON(w, map[string]any{"layers": out})
}

// apiAreas returns the areas of a layer as a GeoJSON FeatureCollection (WGS84).
func (s *Server) apiAreas(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	layer := atoi64(r.URL.Query().Get("layer"))
	if layer == 0 {
		return apperr.New(apperr.Invalid, "layer: give a layer id (see /api/v1/layers)")
	}
	as, err := s.st.Areas(r.Context(), c.orgID, layer, true)
	if err != nil {
		return err
	}
	if len(as) == 0 {
		return apperr.New(apperr.NotFound, "layer %d has no areas", layer)
	}
	w.Header().Set("Content-Type", "application/geo+json")
	var b strings.Builder
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	for i, a := range as {
		if i > 0 {
			b.WriteByte(',')
		}
		props, _ := json.Marshal(map[string]any{"id": a.ID, "code": a.Code, "name": a.Name, "area_m2": a.AreaM2})
		b.WriteString(`{"type":"Feature","id":` + strconv.FormatInt(a.ID, 10) + `,"properties":`)
		b.Write(props)
		b.WriteString(`,"geometry":`)
		b.Write(a.Geometry)
		b.WriteByte('}')
	}
	b.WriteString(`]}`)
	_, err = w.Write([]byte(b.String()))
	return err
}

// method states how a figure was computed, next to the figure.
type method struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Dataset     string `json:"dataset"`
	Category    string `json:"category"`
	Period      string `json:"period"`
	Layer       string `json:"layer,omitempty"`
	N           *int64 `json:"n"` // null when publishing it would reveal a suppressed count
	NVisible    int64  `json:"n_visible"`
	Suppression int    `json:"suppression_threshold"`
	Suppressed  int    `json:"suppressed_cells"`
	Uncertainty string `json:"uncertainty"`
}

type areaCountJSON struct {
	AreaID     int64   `json:"area_id"`
	Code       string  `json:"code"`
	Name       string  `json:"name"`
	Count      *int64  `json:"count"`
	Suppressed bool    `json:"suppressed"`
	PerKm2     float64 `json:"per_km2,omitempty"`
}

// suppressFor is the suppression threshold that applies to the request:
// the configured one for the public, none for signed-in staff.
func (s *Server) suppressFor(c *reqCtx) int {
	if c.role == auth.Public {
		return s.cfg.SuppressBelow
	}
	return 0
}

func (s *Server) apiAreaCounts(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.cachedJSON(w, r, c, func() (any, error) { return s.areaCounts(r, c) })
}

// areaCounts is the body of /api/v1/aggregates/areas.
func (s *Server) areaCounts(r *http.Request, c *reqCtx) (any, error) {
	ff, f, err := s.readFilter(r, c, false)
	if err != nil {
		return nil, err
	}
	if ff.Layer == 0 {
		return nil, apperr.New(apperr.NotFound, "no area layer has been imported")
	}
	counts, n, err := s.st.CountByArea(r.Context(), f, ff.Layer)
	if err != nil {
		return nil, err
	}
	areas, err := s.st.Areas(r.Context(), c.orgID, ff.Layer, false)
	if err != nil {
		return nil, err
	}
	byArea := map[int64]int64{}
	for _, ac := range counts {
		byArea[ac.AreaID] = ac.Count
	}
	k := s.suppressFor(c)
	out := make([]areaCountJSON, 0, len(areas))
	var visible int64
	hidden := 0
	for _, a := range areas {
		n := byArea[a.ID]
		j := areaCountJSON{AreaID: a.ID, Code: a.Code, Name: a.Name}
		if suppressed(n, k) {
			j.Suppressed = true
			hidden++
		} else {
			j.Count = &n
			visible += n
			if a.AreaM2 > 0 {
				j.PerKm2 = float64(n) / (a.AreaM2 / 1e6)
			}
		}
		out = append(out, j)
	}
	m := s.describe(ff, n, visible, hidden, k, "count")
	m.Description = s.cat.T(c.lang, "method.areacount")
	return map[string]any{"method": m, "counts": out}, nil
}

// suppressed reports whether a count must be hidden from the public:
// between 1 and k-1 (k = 0 suppresses nothing).
func suppressed(n int64, k int) bool { return n > 0 && n < int64(k) }

// describe fills the method statement of a selection. The total n is
// withheld when it is itself small or when any cell is suppressed, since n
// minus the visible cells would reveal the suppressed ones.
func (s *Server) describe(ff filterForm, n, visible int64, hidden, k int, name string) method {
	m := method{Name: name, NVisible: visible, Suppressed: hidden, Suppression: k, Category: ff.Category, Period: ff.From + ".." + ff.To,
		Uncertainty: "none: recorded counts, not estimates; recorded crime undercounts crime"}
	if hidden == 0 && !suppressed(n, k) {
		m.N = &n
	}
	if m.Category == "" {
		m.Category = "all"
	}
	if ff.From == "" && ff.To == "" {
		m.Period = "all"
	}
	for _, d := range ff.Datasets {
		if d.ID == ff.Dataset {
			m.Dataset = d.Name
		}
	}
	for _, l := range ff.Layers {
		if l.ID == ff.Layer {
			m.Layer = l.Name
		}
	}
	return m
}

func (s *Server) apiMonthly(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.cachedJSON(w, r, c, func() (any, error) { return s.monthly(r, c) })
}

// monthly is the body of /api/v1/aggregates/monthly.
func (s *Server) monthly(r *http.Request, c *reqCtx) (any, error) {
	ff, f, err := s.readFilter(r, c, false)
	if err != nil {
		return nil, err
	}
	f.AreaID = atoi64(r.URL.Query().Get("area"))
	ms, err := s.st.CountByMonth(r.Context(), f)
	if err != nil {
		return nil, err
	}
	series := fillMonths(ms)
	var n int64
	k := s.suppressFor(c)
	type pt struct {
		Period     string `json:"period"`
		Count      *int64 `json:"count"`
		Suppressed bool   `json:"suppressed"`
	}
	out := make([]pt, 0, len(series))
	var visible int64
	hidden := 0
	for _, p := range series {
		n += p.Count
		c := p.Count
		if suppressed(c, k) {
			out = append(out, pt{Period: p.Month, Suppressed: true})
			hidden++
		} else {
			out = append(out, pt{Period: p.Month, Count: &c})
			visible += c
		}
	}
	m := s.describe(ff, n, visible, hidden, k, "monthly_count")
	m.Layer = ""
	m.Description = s.cat.T(c.lang, "method.monthly")
	return map[string]any{"method": m, "series": out}, nil
}

func (s *Server) apiIncidents(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	q := r.URL.Query()
	f := store.Filter{OrgID: c.orgID, DatasetID: atoi64(q.Get("dataset")), Category: q.Get("category"), AreaID: atoi64(q.Get("area"))}
	var err error
	if f.FromYM, err = parseYM(q.Get("from"), "from"); err != nil {
		return err
	}
	if f.ToYM, err = parseYM(q.Get("to"), "to"); err != nil {
		return err
	}
	pg, size := int(atoi64(q.Get("page"))), int(atoi64(q.Get("page_size")))
	if pg < 1 {
		pg = 1
	}
	switch {
	case size < 1:
		size = 100
	case size > 1000:
		size = 1000
	}
	rows, err := s.st.Incidents(r.Context(), f, (pg-1)*size, size)
	if err != nil {
		return err
	}
	total, err := s.st.CountIncidents(r.Context(), f)
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []store.IncidentRow{}
	}
	return writeJSON(w, map[string]any{"page": pg, "page_size": size, "total": total, "incidents": rows})
}

func (s *Server) apiIndicators(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	defs, err := s.st.Indicators(r.Context(), c.orgID)
	if err != nil {
		return err
	}
	vals, err := s.st.IndicatorValues(r.Context(), c.orgID, r.URL.Query().Get("indicator"))
	if err != nil {
		return err
	}
	if defs == nil {
		defs = []store.Indicator{}
	}
	if vals == nil {
		vals = []store.IndicatorRow{}
	}
	return writeJSON(w, map[string]any{"indicators": defs, "values": vals})
}
