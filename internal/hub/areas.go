package hub

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/geo"
	"github.com/icarus-city/icarus/internal/incident"
	"github.com/icarus-city/icarus/internal/store"
)

// Opener opens the file of a spatial data set with the given extension
// (".shp", ".dbf", ".prj", or the file's own extension); callers map it to
// the file system, an upload or an archive. A missing optional part returns
// an error wrapping fs.ErrNotExist.
type Opener func(ext string) (io.ReadCloser, error)

// ReadSpatial reads a GeoJSON, KML or ESRI Shapefile data set named name.
func ReadSpatial(name string, open Opener) (*geo.Collection, error) {
	ext := strings.ToLower(filepath.Ext(name))
	readAll := func(ext string) ([]byte, error) {
		f, err := open(ext)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return io.ReadAll(f)
	}
	switch ext {
	case ".geojson", ".json":
		b, err := readAll(ext)
		if err != nil {
			return nil, err
		}
		return geo.ReadGeoJSON(bytes.NewReader(b))
	case ".kml":
		b, err := readAll(ext)
		if err != nil {
			return nil, err
		}
		return geo.ReadKML(bytes.NewReader(b))
	case ".shp":
		shp, err := readAll(".shp")
		if err != nil {
			return nil, err
		}
		dbf, err := readAll(".dbf")
		if err != nil {
			return nil, apperr.Wrap(apperr.Invalid, err, "%s: the shapefile's .dbf (attributes) is needed beside the .shp", name)
		}
		prj, _ := readAll(".prj") // optional: ResolveCRS asks for --crs when absent
		return geo.ReadShapefile(bytes.NewReader(shp), bytes.NewReader(dbf), string(prj))
	}
	return nil, apperr.New(apperr.Invalid, "%s: unsupported file type %q (want .geojson, .json, .kml or .shp)", name, ext)
}

// AreaOptions configure an area import.
type AreaOptions struct {
	OrgID       int64
	Layer       string // layer name; default: the file name without extension
	CRS         string // CRS when the file declares none (or to override a wrong one with Force)
	ForceCRS    bool
	CodeField   string // attribute holding the area code; detected when empty
	NameField   string // attribute holding the area name; detected when empty
	Attribution string
	Actor       string
}

var (
	codeLike = regexp.MustCompile(`(?i)^(code|id|.*cd|.*_code|.*code|geoid|dauid|.*_id)$`)
	nameLike = regexp.MustCompile(`(?i)^(name|.*nm|.*_name|.*name|label|neighbourhood|district)$`)
)

// detectField returns the first attribute matching re (in a stable order)
// whose values are unique and non-empty over all features.
func detectField(fc []geo.Feature, re *regexp.Regexp, unique bool) string {
	if len(fc) == 0 {
		return ""
	}
	keys := make([]string, 0, len(fc[0].Props))
	for k := range fc[0].Props {
		if re.MatchString(k) {
			keys = append(keys, k)
		}
	}
	// prefer exact "code"/"name", then shorter names
	sortByPreference(keys)
	for _, k := range keys {
		seen := make(map[string]bool, len(fc))
		ok := true
		for _, f := range fc {
			v := f.Props[k]
			if v == "" || (unique && seen[v]) {
				ok = false
				break
			}
			seen[v] = true
		}
		if ok {
			return k
		}
	}
	return ""
}

func sortByPreference(keys []string) {
	rank := func(k string) int {
		switch strings.ToLower(k) {
		case "code", "name":
			return 0
		}
		return 1
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0; j-- {
			a, b := keys[j-1], keys[j]
			if rank(a) > rank(b) || (rank(a) == rank(b) && (len(a) > len(b) || (len(a) == len(b) && a > b))) {
				keys[j-1], keys[j] = b, a
			}
		}
	}
}

// ImportAreas imports a boundary data set as a layer of areas, then
// recomputes the layer's containment in the other layers and the assignment
// of the organisation's incidents to its areas.
func (s *Service) ImportAreas(ctx context.Context, name string, fc *geo.Collection, opt AreaOptions) (Summary, error) {
	t0 := time.Now()
	sum := Summary{Kind: "areas", File: filepath.Base(name), Errors: []incident.RowError{}}
	if opt.Layer == "" {
		opt.Layer = strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	}
	sum.Target = opt.Layer
	var crs geo.CRS
	var err error
	if opt.ForceCRS && opt.CRS != "" {
		crs, err = geo.ParseCRS(opt.CRS)
	} else {
		crs, err = fc.ResolveCRS(opt.CRS)
	}
	if err != nil {
		return sum, apperr.Wrap(apperr.Invalid, err, "%s: coordinate reference system", sum.File)
	}
	sum.CRS = crs.String()
	codeF, nameF := opt.CodeField, opt.NameField
	if codeF == "" {
		codeF = detectField(fc.Features, codeLike, true)
	}
	if nameF == "" {
		nameF = detectField(fc.Features, nameLike, false)
	}
	if codeF != "" && len(fc.Features) > 0 {
		if _, ok := fc.Features[0].Props[codeF]; !ok {
			return sum, apperr.New(apperr.Invalid, "%s: no attribute %q (attributes: %s)", sum.File, codeF, strings.Join(propNames(fc.Features[0]), ", "))
		}
	}
	rej := newRejects(nil, &sum)
	wgs := geo.WGS84()
	// first pass: codes and geometry types, in file order
	type cand struct {
		f    geo.Feature
		code string
		mp   orb.MultiPolygon
		wgs  orb.MultiPolygon
		m2   float64
		err  error
	}
	var cands []cand
	seen := map[string]int{}
	for _, f := range fc.Features {
		sum.Read++
		code := f.Props[codeF]
		if codeF == "" {
			code = fmt.Sprint(f.Index)
		}
		bad := func(field, msg string, args ...any) {
			rej.add(incident.RowError{Line: f.Index, Field: field, Message: fmt.Sprintf(msg, args...)})
		}
		if code == "" {
			bad(codeF, "feature %d has an empty area code", f.Index)
			continue
		}
		if prev, dup := seen[code]; dup {
			bad(codeF, "area code %q already used by feature %d", code, prev)
			continue
		}
		mp, ok := geo.AsMultiPolygon(f.Geometry)
		if !ok {
			if f.Geometry == nil {
				bad("geometry", "feature %d has no geometry", f.Index)
			} else {
				bad("geometry", "feature %d is a %s, not a polygon", f.Index, f.Geometry.GeoJSONType())
			}
			continue
		}
		seen[code] = f.Index
		cands = append(cands, cand{f: f, code: code, mp: mp})
	}
	// the CRS for areas: the org's, else one chosen from the data's extent
	org, err := s.Store.Org(ctx, opt.OrgID)
	if err != nil {
		return sum, err
	}
	metric := geo.CRS{}
	if org.MetricCRS != 0 {
		if metric, err = geo.ParseCRS(fmt.Sprintf("EPSG:%d", org.MetricCRS)); err != nil {
			return sum, err
		}
	}
	// second pass, on every core: reproject to WGS84, measure in metres
	parallel(len(cands), func(i int) {
		c := &cands[i]
		g, err := geo.Reproject(c.mp, crs, wgs)
		if err != nil {
			c.err = err
			return
		}
		c.wgs = roundCoords(g.(orb.MultiPolygon), 1e6)
		if crs.Unit == geo.UnitMetre && (metric.IsZero() || crs == metric) {
			c.m2 = geo.AreaM2(c.mp)
		} else if !metric.IsZero() {
			if m, err := geo.Reproject(c.wgs, wgs, metric); err == nil {
				c.m2 = geo.AreaM2(m.(orb.MultiPolygon))
			}
		}
	})
	var areas []store.Area
	var polys []orb.MultiPolygon
	var all orb.Bound
	for _, c := range cands {
		if c.err != nil {
			rej.add(incident.RowError{Line: c.f.Index, Field: "geometry", Message: fmt.Sprintf("feature %d: %v", c.f.Index, c.err)})
			continue
		}
		b := c.wgs.Bound()
		if len(areas) == 0 {
			all = b
		} else {
			all = all.Union(b)
		}
		nm := c.f.Props[nameF]
		if nm == "" {
			nm = c.code
		}
		gj, err := geojson.NewGeometry(c.wgs).MarshalJSON()
		if err != nil {
			return sum, err
		}
		areas = append(areas, store.Area{Code: c.code, Name: nm, Geometry: gj, AreaM2: c.m2, MinLon: b.Min[0], MinLat: b.Min[1], MaxLon: b.Max[0], MaxLat: b.Max[1]})
		polys = append(polys, c.wgs)
		sum.Accepted++
	}
	if sum.Accepted == 0 {
		return sum, apperr.New(apperr.Invalid, "%s: no usable area in the file (%d features read)", sum.File, sum.Read)
	}
	if metric.IsZero() {
		// first layer of the organisation: choose its metric CRS now
		metric = geo.MetricCRSFor(all)
		if err := s.Store.SetOrgMetricCRS(ctx, org.ID, metric.Code); err != nil {
			return sum, err
		}
		if crs != metric {
			parallel(len(areas), func(i int) {
				if m, err := geo.Reproject(polys[i], wgs, metric); err == nil {
					areas[i].AreaM2 = geo.AreaM2(m.(orb.MultiPolygon))
				}
			})
		}
	}
	before, err := s.areaSet(ctx, opt.OrgID)
	if err != nil {
		return sum, err
	}
	res, err := s.Store.ReplaceLayer(ctx, store.Layer{OrgID: opt.OrgID, Name: opt.Layer, Source: sum.File, SourceCRS: sum.CRS, Attribution: opt.Attribution}, areas)
	if err != nil {
		return sum, err
	}
	sum.Inserted, sum.Duplicates = res.Inserted, res.Updated
	stored, err := s.Store.Areas(ctx, opt.OrgID, res.Layer.ID, false)
	if err != nil {
		return sum, err
	}
	byCode := make(map[string]store.Area, len(stored))
	for _, a := range stored {
		byCode[a.Code] = a
	}
	for i := range areas {
		areas[i] = byCode[areas[i].Code]
	}
	mine := newAreaSet(areas, polys)
	others := before.without(res.Layer.ID)
	if err := s.relate(ctx, opt.OrgID, res.Layer.ID, mine, others); err != nil {
		return sum, err
	}
	sum.Seconds = time.Since(t0).Seconds()
	id, err := s.Store.RecordImport(ctx, store.ImportRecord{OrgID: opt.OrgID, Kind: "areas", TargetID: res.Layer.ID, FileName: sum.File,
		Read: sum.Read, Accepted: sum.Accepted, Rejected: sum.Rejected, Inserted: sum.Inserted, Duplicates: sum.Duplicates,
		Actor: opt.Actor, Started: t0, Finished: s.Now()})
	if err == nil {
		s.remember(opt.OrgID, id, others.union(mine))
	}
	return sum, err
}

// parallel runs fn(0..n-1) on every core.
func parallel(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var wg sync.WaitGroup
	next := make(chan int, n)
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	wg.Wait()
}

func propNames(f geo.Feature) []string {
	out := make([]string, 0, len(f.Props))
	for k := range f.Props {
		out = append(out, k)
	}
	sortByPreference(out)
	return out
}

// areaSet is the areas of an organisation with a spatial index over them.
type areaSet struct {
	areas []store.Area // without geometry
	polys []orb.MultiPolygon
	ix    *geo.AreaIndex
}

func newAreaSet(areas []store.Area, polys []orb.MultiPolygon) *areaSet {
	return &areaSet{areas: areas, polys: polys, ix: geo.NewAreaIndex(polys)}
}

// without returns the areas not in layerID.
func (a *areaSet) without(layerID int64) *areaSet {
	var as []store.Area
	var ps []orb.MultiPolygon
	for i, x := range a.areas {
		if x.LayerID != layerID {
			as = append(as, x)
			ps = append(ps, a.polys[i])
		}
	}
	return newAreaSet(as, ps)
}

// union returns the areas of both sets.
func (a *areaSet) union(b *areaSet) *areaSet {
	return newAreaSet(append(slices.Clip(a.areas), b.areas...), append(slices.Clip(a.polys), b.polys...))
}

// locate returns the ids of the areas containing (lon, lat).
func (a *areaSet) locate(lon, lat float64, buf []int64) []int64 {
	buf = buf[:0]
	for _, i := range a.ix.Locate(orb.Point{lon, lat}) {
		buf = append(buf, a.areas[i].ID)
	}
	return buf
}

// areaCache keeps the decoded, indexed areas of each organisation, valid as
// long as no area import has happened since (imports are the version).
type areaCache struct {
	mu   sync.Mutex
	sets map[int64]cachedAreas
}

type cachedAreas struct {
	version int64
	set     *areaSet
}

func (s *Service) remember(orgID, version int64, set *areaSet) {
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	if s.cache.sets == nil {
		s.cache.sets = map[int64]cachedAreas{}
	}
	s.cache.sets[orgID] = cachedAreas{version, set}
}

// areaSet returns all areas of the organisation, indexed in lon/lat.
func (s *Service) areaSet(ctx context.Context, orgID int64) (*areaSet, error) {
	version, err := s.Store.LastImportID(ctx, orgID, "areas")
	if err != nil {
		return nil, err
	}
	s.cache.mu.Lock()
	c, ok := s.cache.sets[orgID]
	s.cache.mu.Unlock()
	if ok && c.version == version {
		return c.set, nil
	}
	all, err := s.Store.Areas(ctx, orgID, 0, true)
	if err != nil {
		return nil, err
	}
	polys := make([]orb.MultiPolygon, len(all))
	errs := make([]error, len(all))
	parallel(len(all), func(i int) {
		g, err := geojson.UnmarshalGeometry(all[i].Geometry)
		if err != nil {
			errs[i] = fmt.Errorf("area %d geometry: %w", all[i].ID, err)
			return
		}
		mp, ok := geo.AsMultiPolygon(g.Geometry())
		if !ok {
			errs[i] = fmt.Errorf("area %d geometry is not a polygon", all[i].ID)
		}
		polys[i] = mp
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for i := range all {
		all[i].Geometry = nil
	}
	set := newAreaSet(all, polys)
	s.remember(orgID, version, set)
	return set, nil
}

// relate computes, for a newly imported layer, its containment relations
// with the other layers and the assignment of incidents to its areas.
func (s *Service) relate(ctx context.Context, orgID, layerID int64, mine, others *areaSet) error {
	var cs []store.Containment
	if len(others.areas) > 0 {
		cs = append(cs, containment(mine, others)...)
		cs = append(cs, containment(others, mine)...)
	}
	if err := s.Store.ReplaceContainment(ctx, layerID, cs); err != nil {
		return err
	}
	var pairs [][2]int64
	var buf []int64
	err := s.Store.IncidentPoints(ctx, orgID, func(p store.IncidentPoint) error {
		buf = mine.locate(p.Lon, p.Lat, buf)
		for _, a := range buf {
			pairs = append(pairs, [2]int64{p.ID, a})
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.Store.ReplaceAssignments(ctx, layerID, pairs)
}

// containmentSamples is the number of sample points per axis used to
// estimate the share of an area inside areas of another layer.
const containmentSamples = 12

// containment estimates, for each area of child, the share of its surface in
// each area of parent, from a regular grid of sample points over the child's
// bounding box that fall inside it. Shares under 5% are dropped.
func containment(child, parent *areaSet) []store.Containment {
	var out []store.Containment
	for i, a := range child.areas {
		b := child.polys[i].Bound()
		counts := map[int64]int{}
		total := 0
		for ix := 0; ix < containmentSamples; ix++ {
			for iy := 0; iy < containmentSamples; iy++ {
				p := orb.Point{
					b.Min[0] + (float64(ix)+0.5)/containmentSamples*(b.Max[0]-b.Min[0]),
					b.Min[1] + (float64(iy)+0.5)/containmentSamples*(b.Max[1]-b.Min[1]),
				}
				if !slices.Contains(child.ix.Locate(p), i) {
					continue
				}
				total++
				for _, j := range parent.ix.Locate(p) {
					counts[parent.areas[j].ID]++
				}
			}
		}
		if total == 0 {
			continue
		}
		for pid, n := range counts {
			share := float64(n) / float64(total)
			if share >= 0.05 {
				out = append(out, store.Containment{ChildID: a.ID, ParentID: pid, Share: share})
			}
		}
	}
	return out
}

// ZipOpener finds the spatial data set in a zip archive (a .shp with its
// .dbf and .prj, or a single .geojson/.kml) and returns its name and an
// Opener over the archive.
func ZipOpener(r io.ReaderAt, size int64) (string, Opener, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return "", nil, apperr.Wrap(apperr.Invalid, err, "not a readable zip archive")
	}
	var main string
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		ext := strings.ToLower(filepath.Ext(f.Name))
		files[strings.ToLower(strings.TrimSuffix(f.Name, filepath.Ext(f.Name)))+ext] = f
		switch {
		case ext == ".shp" && !strings.HasSuffix(strings.ToLower(main), ".shp"):
			main = f.Name // a shapefile wins over other spatial files
		case (ext == ".geojson" || ext == ".kml") && main == "":
			main = f.Name
		}
	}
	if main == "" {
		return "", nil, apperr.New(apperr.Invalid, "the zip archive holds no .shp, .geojson or .kml file")
	}
	base := strings.ToLower(strings.TrimSuffix(main, filepath.Ext(main)))
	return main, func(ext string) (io.ReadCloser, error) {
		f, ok := files[base+ext]
		if !ok {
			return nil, fmt.Errorf("%s%s: %w", base, ext, fs.ErrNotExist)
		}
		if f.UncompressedSize64 > 1<<30 {
			return nil, apperr.New(apperr.Invalid, "%s is larger than 1 GiB", f.Name)
		}
		return f.Open()
	}, nil
}

// roundCoords rounds lon/lat to 1/scale degrees in place (1e6: about 0.1 m,
// far below the boundaries' own accuracy, and a third of the bytes).
func roundCoords(mp orb.MultiPolygon, scale float64) orb.MultiPolygon {
	for _, poly := range mp {
		for _, ring := range poly {
			for i, p := range ring {
				ring[i] = orb.Point{math.Round(p[0]*scale) / scale, math.Round(p[1]*scale) / scale}
			}
		}
	}
	return mp
}
