package analyses

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/icarus-city/icarus/internal/analysis/trend"
	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/geo"
	"github.com/icarus-city/icarus/internal/store"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
)

// Points are the incidents an analysis works on, in a metric CRS.
type Points struct {
	// X, Y in metres (CRS); Located[i] is false for incidents without a
	// location (X, Y are then 0 and spatial methods leave them out).
	X, Y    []float64
	Located []bool
	T       []time.Time        // nil when the input has no dates
	Res     []trend.Resolution // resolution of each date
	V       []float64          // values (file input with --value), nil otherwise
	Lines   []int              // source lines (file input)
	CRS     geo.CRS            // zero: coordinates taken as given (metres)
	Window  Window             // what was selected
	// Study is the study area (the selected area, projected), nil for the
	// points' bounding box.
	Study orb.MultiPolygon
	// Units are the areas of a layer (Params.LayerID) for methods that run
	// on areas instead of grid cells.
	Units *Units
}

// Units are the areas of a layer: polygons in WGS84 (for maps and
// contiguity) and projected (to count the points).
type Units struct {
	Layer  string
	Codes  []string
	Names  []string
	WGS84  []orb.MultiPolygon
	Metric []orb.MultiPolygon
}

// Window describes the data an analysis ran on (for the method card).
type Window struct {
	Source     string   `json:"source"` // "dataset NAME" or the file name
	Dataset    string   `json:"dataset,omitempty"`
	DatasetID  int64    `json:"dataset_id,omitempty"`
	Categories []string `json:"categories,omitempty"`
	From       string   `json:"from,omitempty"` // first date selected or present
	To         string   `json:"to,omitempty"`   // last date
	Area       string   `json:"area,omitempty"` // area filter
	CRS        string   `json:"crs,omitempty"`  // metric CRS of the distances
	Resolution string   `json:"resolution"`     // finest common resolution of the dates: exact, day, month, mixed
	Incidents  int      `json:"incidents"`      // selected
	Located    int      `json:"located"`        // with a location
}

// Len is the number of points.
func (p *Points) Len() int { return len(p.X) }

// located returns the coordinates of the located points (and their indexes).
func (p *Points) located() (xs, ys []float64, idx []int) {
	for i := range p.X {
		if p.Located == nil || p.Located[i] {
			xs, ys, idx = append(xs, p.X[i]), append(ys, p.Y[i]), append(idx, i)
		}
	}
	return
}

// finish fills in the window's counts, dates and resolution.
func (p *Points) finish() {
	w := &p.Window
	w.Incidents = len(p.X)
	w.Located = 0
	for i := range p.X {
		if p.Located == nil || p.Located[i] {
			w.Located++
		}
	}
	if !p.CRS.IsZero() {
		w.CRS = p.CRS.String()
	}
	if len(p.T) > 0 {
		first, last := p.T[0], p.T[0]
		for _, t := range p.T {
			if t.Before(first) {
				first = t
			}
			if t.After(last) {
				last = t
			}
		}
		layout := time.DateOnly
		if p.monthOnly() == len(p.T) {
			layout = "2006-01" // dates known only to the month
		}
		if w.From == "" {
			w.From = first.Format(layout)
		}
		if w.To == "" {
			w.To = last.Format(layout)
		}
	}
	seen := map[trend.Resolution]bool{}
	for _, r := range p.Res {
		seen[r] = true
	}
	switch {
	case len(seen) == 0:
		w.Resolution = "none"
	case len(seen) == 1:
		for r := range seen {
			w.Resolution = string(r)
		}
	default:
		w.Resolution = "mixed"
	}
}

// monthOnly counts the dates known only to the month.
func (p *Points) monthOnly() int {
	n := 0
	for _, r := range p.Res {
		if r == trend.Month {
			n++
		}
	}
	return n
}

// Load reads the incidents of the request's dataset matching its filters,
// projected to the organisation's metric CRS.
func (s *Service) Load(ctx context.Context, orgID int64, r Request) (*Points, error) {
	if s.st == nil {
		return nil, apperr.New(apperr.Invalid, "no store to read datasets from")
	}
	var ds store.Dataset
	var err error
	switch {
	case r.DatasetID != 0:
		all, err := s.st.Datasets(ctx, orgID)
		if err != nil {
			return nil, err
		}
		for _, d := range all {
			if d.ID == r.DatasetID {
				ds = d
			}
		}
		if ds.ID == 0 {
			return nil, apperr.New(apperr.NotFound, "no dataset with id %d", r.DatasetID)
		}
	case r.Dataset != "":
		if ds, err = s.st.DatasetByName(ctx, orgID, r.Dataset); err != nil {
			return nil, err
		}
	default:
		return nil, apperr.New(apperr.Invalid, "dataset: choose the dataset to analyse")
	}
	from, to, err := r.Filters.window()
	if err != nil {
		return nil, err
	}
	org, err := s.st.Org(ctx, orgID)
	if err != nil {
		return nil, err
	}
	p := &Points{Window: Window{Source: "dataset " + ds.Name, Dataset: ds.Name, DatasetID: ds.ID, Categories: r.Filters.Categories}}
	if r.Filters.From != "" {
		p.Window.From = from.Format(time.DateOnly)
	}
	if r.Filters.To != "" {
		p.Window.To = to.AddDate(0, 0, -1).Format(time.DateOnly)
	}
	var lon, lat []float64
	bound := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	err = s.st.AnalysisPoints(ctx, store.PointFilter{OrgID: orgID, DatasetID: ds.ID, Categories: r.Filters.Categories, From: from, To: to, AreaID: r.Filters.AreaID}, func(a store.AnalysisPoint) error {
		p.T = append(p.T, a.Time)
		p.Res = append(p.Res, trend.Resolution(a.Resolution))
		p.Located = append(p.Located, a.HasLoc)
		lon, lat = append(lon, a.Lon), append(lat, a.Lat)
		if a.HasLoc {
			bound = bound.Extend(orb.Point{a.Lon, a.Lat})
		}
		return ctx.Err()
	})
	if err != nil {
		return nil, err
	}
	if len(lon) == 0 {
		return nil, apperr.New(apperr.Invalid, "the selection is empty: no incident of dataset %q matches the filters (%s)", ds.Name, r.Filters.describe())
	}
	// the city's metric CRS, unless the points lie outside its valid area
	// (a dataset of another place): then one suited to the points
	located := !bound.Min.Equal(orb.Point{math.Inf(1), math.Inf(1)})
	if org.MetricCRS != 0 {
		if p.CRS, err = geo.ParseCRS(fmt.Sprintf("EPSG:%d", org.MetricCRS)); err != nil {
			return nil, err
		}
		if located && !projects(p.CRS, bound) {
			p.CRS = geo.MetricCRSFor(bound)
		}
	} else if located {
		p.CRS = geo.MetricCRSFor(bound)
	} else {
		p.CRS = geo.MetricCRSFor(orb.Bound{})
	}
	p.X, p.Y = make([]float64, len(lon)), make([]float64, len(lon))
	for i := range lon {
		if !p.Located[i] {
			continue
		}
		if p.X[i], p.Y[i], err = p.CRS.FromWGS84(lon[i], lat[i]); err != nil {
			return nil, apperr.New(apperr.Invalid, "incident at %v, %v cannot be projected to %s: %v", lon[i], lat[i], p.CRS, err)
		}
	}
	if r.Filters.AreaID != 0 {
		if err := s.loadStudy(ctx, orgID, r.Filters.AreaID, p); err != nil {
			return nil, err
		}
	}
	if r.Params.LayerID != 0 {
		if err := s.loadUnits(ctx, orgID, r.Params.LayerID, p); err != nil {
			return nil, err
		}
	}
	p.finish()
	return p, nil
}

// projects reports whether the corners of a lon/lat bound lie in the valid
// area of a projected CRS.
func projects(crs geo.CRS, b orb.Bound) bool {
	for _, pt := range []orb.Point{b.Min, b.Max, {b.Min[0], b.Max[1]}, {b.Max[0], b.Min[1]}} {
		x, y, err := crs.FromWGS84(pt[0], pt[1])
		if err != nil || crs.CheckXY(x, y) != nil {
			return false
		}
	}
	return true
}

func (f Filters) describe() string {
	var parts []string
	if len(f.Categories) > 0 {
		parts = append(parts, "categories "+strings.Join(f.Categories, ", "))
	}
	if f.From != "" {
		parts = append(parts, "from "+f.From)
	}
	if f.To != "" {
		parts = append(parts, "to "+f.To)
	}
	if f.AreaID != 0 {
		parts = append(parts, fmt.Sprintf("area %d", f.AreaID))
	}
	if len(parts) == 0 {
		return "no filter"
	}
	return strings.Join(parts, "; ")
}

// loadStudy sets the study area to the selected area, projected.
func (s *Service) loadStudy(ctx context.Context, orgID, areaID int64, p *Points) error {
	areas, err := s.st.Areas(ctx, orgID, 0, true)
	if err != nil {
		return err
	}
	for _, a := range areas {
		if a.ID != areaID {
			continue
		}
		g, err := geojson.UnmarshalGeometry(a.Geometry)
		if err != nil {
			return fmt.Errorf("area %s: %w", a.Code, err)
		}
		pg, err := geo.Reproject(g.Geometry(), geo.WGS84(), p.CRS)
		if err != nil {
			return err
		}
		mp, ok := geo.AsMultiPolygon(pg)
		if !ok {
			return apperr.New(apperr.Invalid, "area %s is not a polygon", a.Code)
		}
		p.Study = mp
		p.Window.Area = strings.TrimSpace(a.Name + " (" + a.Code + ")")
		return nil
	}
	return apperr.New(apperr.NotFound, "no area with id %d", areaID)
}

// loadUnits reads the areas of a layer as the units of the analysis.
func (s *Service) loadUnits(ctx context.Context, orgID, layerID int64, p *Points) error {
	layers, err := s.st.Layers(ctx, orgID)
	if err != nil {
		return err
	}
	u := &Units{}
	for _, l := range layers {
		if l.ID == layerID {
			u.Layer = l.Name
		}
	}
	if u.Layer == "" {
		return apperr.New(apperr.NotFound, "layer_id: no layer with id %d", layerID)
	}
	areas, err := s.st.Areas(ctx, orgID, layerID, true)
	if err != nil {
		return err
	}
	for _, a := range areas {
		g, err := geojson.UnmarshalGeometry(a.Geometry)
		if err != nil {
			return fmt.Errorf("area %s: %w", a.Code, err)
		}
		w, ok := geo.AsMultiPolygon(g.Geometry())
		if !ok {
			continue
		}
		pg, err := geo.Reproject(w, geo.WGS84(), p.CRS)
		if err != nil {
			return err
		}
		m, _ := geo.AsMultiPolygon(pg)
		u.Codes, u.Names, u.WGS84, u.Metric = append(u.Codes, a.Code), append(u.Names, a.Name), append(u.WGS84, w), append(u.Metric, m)
	}
	if len(u.Codes) < 3 {
		return apperr.New(apperr.Invalid, "layer %q has %d areas: too few for a spatial statistic", u.Layer, len(u.Codes))
	}
	p.Units = u
	return nil
}

// inside reports whether (x, y) is in the study area (always without one).
func (p *Points) inside() func(x, y float64) bool {
	if p.Study == nil {
		return nil
	}
	mp := p.Study
	return func(x, y float64) bool { return planar.MultiPolygonContains(mp, orb.Point{x, y}) }
}
