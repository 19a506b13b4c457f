package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/store"
)

// bulk is more than a hundred insert batches, and not a multiple of any
// plausible batch size, so that a partial last batch is exercised too.
const bulk = 1203

var (
	categories = []string{"theft", "theft", "theft", "burglary", "burglary", "assault"} // by i%6
	iccsOf     = map[string]string{"theft": "0502", "burglary": "0501", "assault": "0201"}
	resolution = []string{"closed", "open", "open", "unknown"} // by i%4
	dataStart  = time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
)

// genRows makes n incidents. Times are a permutation of the insertion order
// (two incidents share each instant, to exercise the id tie-break) spread over
// about a year; every fifth is unlocated; areas, when not nil, gives the
// AreaIDs of row i.
func genRows(n int, areas func(i int) []int64) []store.IncidentRow {
	rows := make([]store.IncidentRow, n)
	for i := range rows {
		slot := (i * 7919) % n / 2
		cat := categories[i%6]
		r := store.IncidentRow{
			Key:        fmt.Sprintf("k%05d", i),
			Category:   cat,
			ICCS:       iccsOf[cat],
			Time:       dataStart.Add(time.Duration(slot) * 14 * time.Hour),
			Resolution: resolution[i%4],
			HasLoc:     i%5 != 0,
		}
		r.SourceID = "src-" + r.Key
		if r.HasLoc {
			r.Lon, r.Lat = 7.6+float64(i%10)*0.001, 45.0+float64(i%7)*0.001
		}
		if i%10 == 0 {
			r.Attrs = map[string]string{"street": "Via Po", "n": strconv.Itoa(i)}
		}
		if areas != nil && r.HasLoc {
			r.AreaIDs = areas(i)
		}
		rows[i] = r
	}
	return rows
}

func ym(t time.Time) int { t = t.UTC(); return t.Year()*100 + int(t.Month()) }

func countRows(rows []store.IncidentRow, keep func(store.IncidentRow) bool) int64 {
	var n int64
	for _, r := range rows {
		if keep == nil || keep(r) {
			n++
		}
	}
	return n
}

// seedIncidents imports rows into the dataset named name and commits.
func seedIncidents(e *env, org int64, name string, rows []store.IncidentRow) (store.Dataset, int, int) {
	e.t.Helper()
	imp, err := e.s.BeginIncidentImport(e.ctx, store.Dataset{OrgID: org, Name: name, Preset: "generic"})
	e.must(err)
	for _, r := range rows {
		if err := imp.Add(r); err != nil {
			imp.Rollback()
			e.t.Fatal(err)
		}
	}
	ins, dup, err := imp.Commit(store.ImportRecord{FileName: name + ".csv", Read: len(rows), Accepted: len(rows), Started: e.clock.Now(), Finished: e.clock.Now()})
	e.must(err)
	return imp.Dataset, ins, dup
}

// fixture is an org with a three-area layer and a bulk dataset whose located
// incidents are assigned to area i%3.
type fixture struct {
	org     store.Org
	layer   store.Layer
	areas   []int64 // by i%3
	dataset store.Dataset
	rows    []store.IncidentRow
}

func newFixture(e *env) fixture {
	e.t.Helper()
	var fx fixture
	fx.org = e.org("city")
	var ids map[string]int64
	fx.layer, ids = e.layer(fx.org.ID, "lsoa", square("a0", "", 7.6, 45), square("a1", "", 7.61, 45), square("a2", "", 7.62, 45), square("empty", "", 8, 46))
	fx.areas = []int64{ids["a0"], ids["a1"], ids["a2"]}
	fx.rows = genRows(bulk, func(i int) []int64 { return []int64{fx.areas[i%3]} })
	var ins, dup int
	fx.dataset, ins, dup = seedIncidents(e, fx.org.ID, "crimes", fx.rows)
	if ins != bulk || dup != 0 {
		e.t.Fatalf("seed: %d inserted, %d duplicates; want %d, 0", ins, dup, bulk)
	}
	return fx
}

func testIncidentImport(e *env) {
	o := e.org("city")
	_, ids := e.layer(o.ID, "lsoa", square("a0", "", 7.6, 45), square("a1", "", 7.61, 45))
	areaOf := func(i int) []int64 { return []int64{ids["a"+strconv.Itoa(i%2)]} }
	rows := genRows(bulk, areaOf)

	imp, err := e.s.BeginIncidentImport(e.ctx, store.Dataset{OrgID: o.ID, Name: "crimes", Preset: "police-uk", SourceCRS: "EPSG:4326", Attribution: "Police"})
	e.must(err)
	ds := imp.Dataset
	if ds.ID == 0 || ds.OrgID != o.ID || ds.Name != "crimes" || ds.Preset != "police-uk" || ds.SourceCRS != "EPSG:4326" || ds.Attribution != "Police" || !ds.Created.Equal(Start) {
		e.t.Errorf("import Dataset = %+v", ds)
	}
	for _, r := range rows {
		e.must(imp.Add(r))
	}
	started, finished := Start.Add(-time.Minute), Start.Add(time.Minute)
	rec := store.ImportRecord{FileName: "crimes.csv", FileSHA256: "abc123", Read: bulk + 5, Accepted: bulk, Rejected: 5, Actor: "ann", Started: started, Finished: finished}
	ins, dup, err := imp.Commit(rec)
	e.must(err)
	if ins != bulk || dup != 0 {
		e.t.Fatalf("Commit = %d inserted, %d duplicates; want %d, 0", ins, dup, bulk)
	}
	if n := e.count(store.Filter{OrgID: o.ID}); n != bulk {
		e.t.Fatalf("CountIncidents = %d, want %d", n, bulk)
	}
	located := countRows(rows, func(r store.IncidentRow) bool { return r.HasLoc })
	c := e.tableCounts()
	if c["incident_areas"] != located || c["datasets"] != 1 || c["imports"] != 1 {
		e.t.Errorf("TableCounts = %v; want %d incident_areas, 1 dataset, 1 import", c, located)
	}
	imps, err := e.s.Imports(e.ctx, o.ID, 10)
	e.must(err)
	want := rec
	want.Kind, want.OrgID, want.TargetID, want.Inserted, want.Duplicates = "incidents", o.ID, ds.ID, bulk, 0
	if len(imps) != 1 {
		e.t.Fatalf("Imports = %+v", imps)
	}
	want.ID = imps[0].ID
	if !reflect.DeepEqual(imps[0], want) {
		e.t.Errorf("import record = %+v\nwant            %+v", imps[0], want)
	}

	// re-import: 600 known keys (with altered contents, which must not
	// overwrite) and 300 new ones
	e.clock.Advance(time.Hour)
	var again []store.IncidentRow
	for i, r := range rows[:600] {
		r.Category = "changed"
		r.AreaIDs = areaOf(i + 1) // would collide with nothing, but must not be added for a duplicate
		again = append(again, r)
	}
	for _, r := range rows[600:900] {
		r.Key = "new-" + r.Key
		again = append(again, r)
	}
	imp, err = e.s.BeginIncidentImport(e.ctx, store.Dataset{OrgID: o.ID, Name: "crimes", Preset: "police-uk-v2"})
	e.must(err)
	if imp.Dataset.ID != ds.ID || !imp.Dataset.Created.Equal(ds.Created) || imp.Dataset.SourceCRS != "EPSG:4326" || imp.Dataset.Attribution != "Police" {
		e.t.Errorf("re-import Dataset = %+v, want the existing %+v", imp.Dataset, ds)
	}
	for _, r := range again {
		e.must(imp.Add(r))
	}
	ins, dup, err = imp.Commit(store.ImportRecord{FileName: "crimes-2.csv", Read: 900, Accepted: 900, Started: e.clock.Now(), Finished: e.clock.Now()})
	e.must(err)
	if ins != 300 || dup != 600 {
		e.t.Errorf("re-import Commit = %d inserted, %d duplicates; want 300, 600", ins, dup)
	}
	if n := e.count(store.Filter{OrgID: o.ID}); n != bulk+300 {
		e.t.Errorf("CountIncidents after re-import = %d, want %d", n, bulk+300)
	}
	if n := e.count(store.Filter{OrgID: o.ID, Category: "changed"}); n != 0 {
		e.t.Errorf("re-import overwrote %d existing incidents", n)
	}
	newLocated := countRows(rows[600:900], func(r store.IncidentRow) bool { return r.HasLoc })
	if got := e.tableCounts()["incident_areas"]; got != located+newLocated {
		e.t.Errorf("incident_areas = %d, want %d (duplicates add no areas)", got, located+newLocated)
	}
	dss, err := e.s.Datasets(e.ctx, o.ID)
	e.must(err)
	if len(dss) != 1 || dss[0].ID != ds.ID || dss[0].Preset != "police-uk-v2" || !dss[0].Created.Equal(Start) {
		e.t.Errorf("Datasets = %+v", dss)
	}
	imps, err = e.s.Imports(e.ctx, o.ID, 10)
	e.must(err)
	if len(imps) != 2 || imps[0].FileName != "crimes-2.csv" || imps[0].Inserted != 300 || imps[0].Duplicates != 600 || imps[0].TargetID != ds.ID {
		e.t.Errorf("Imports after re-import = %+v", imps)
	}
	// same name in another org is another dataset
	other := e.org("other")
	ds2, ins, _ := seedIncidents(e, other.ID, "crimes", rows[:10])
	if ds2.ID == ds.ID || ins != 10 {
		e.t.Errorf("other org's dataset = %+v, %d inserted", ds2, ins)
	}
	if n := e.count(store.Filter{OrgID: o.ID}); n != bulk+300 {
		e.t.Errorf("another org's import changed this org's count to %d", n)
	}
}

func testIncidentDupInOneImport(e *env) {
	o := e.org("city")
	l, ids := e.layer(o.ID, "l", square("a", "", 0, 0), square("b", "", 1, 0))
	rows := genRows(20, func(int) []int64 { return []int64{ids["a"]} })
	// the later rows repeat keys with other contents and other areas: the
	// first row of a key wins, areas included
	dupNear := rows[3] // in the same insert batch
	dupNear.Category, dupNear.AreaIDs = "second", []int64{ids["b"]}
	dupFar := rows[6] // in a later batch
	dupFar.Category, dupFar.AreaIDs = "second", []int64{ids["b"]}
	if !rows[3].HasLoc || !rows[6].HasLoc {
		e.t.Fatal("fixture: rows 3 and 6 must be located")
	}
	all := append(append(append([]store.IncidentRow{}, rows[:4]...), dupNear), rows[4:]...)
	all = append(all, dupFar)
	_, ins, dup := seedIncidents(e, o.ID, "d", all)
	if ins != 20 || dup != 2 {
		e.t.Errorf("Commit = %d inserted, %d duplicates; want 20, 2", ins, dup)
	}
	if n := e.count(store.Filter{OrgID: o.ID, Category: "second"}); n != 0 {
		e.t.Errorf("the first of two rows with one key should win; %d second ones stored", n)
	}
	located := countRows(rows, func(r store.IncidentRow) bool { return r.HasLoc })
	got, _ := e.countByArea(store.Filter{OrgID: o.ID}, l.ID)
	if want := map[int64]int64{ids["a"]: located}; !reflect.DeepEqual(got, want) {
		e.t.Errorf("CountByArea = %v, want %v: areas of a duplicate row were attached", got, want)
	}
}

func testIncidentRollback(e *env) {
	o := e.org("city")
	_, ids := e.layer(o.ID, "l", square("a", "", 0, 0))
	base, _, _ := seedIncidents(e, o.ID, "base", genRows(10, func(int) []int64 { return []int64{ids["a"]} }))
	before := e.tableCounts()

	// a new dataset: nothing of it stays, not the dataset, not the import record
	imp, err := e.s.BeginIncidentImport(e.ctx, store.Dataset{OrgID: o.ID, Name: "tmp"})
	e.must(err)
	for _, r := range genRows(bulk, func(int) []int64 { return []int64{ids["a"]} }) {
		r.Key = "tmp-" + r.Key
		e.must(imp.Add(r))
	}
	imp.Rollback()
	if n := e.count(store.Filter{OrgID: o.ID}); n != 10 {
		e.t.Errorf("CountIncidents after Rollback = %d, want 10", n)
	}
	dss, err := e.s.Datasets(e.ctx, o.ID)
	e.must(err)
	if len(dss) != 1 || dss[0].ID != base.ID {
		e.t.Errorf("Datasets after Rollback = %+v, want only base", dss)
	}
	imps, err := e.s.Imports(e.ctx, o.ID, 10)
	e.must(err)
	if len(imps) != 1 {
		e.t.Errorf("Imports after Rollback = %+v, want only base's", imps)
	}
	if after := e.tableCounts(); !reflect.DeepEqual(before, after) {
		e.t.Errorf("TableCounts changed by a rolled back import:\nbefore %v\nafter  %v", before, after)
	}

	// into an existing dataset: its metadata and rows are untouched
	imp, err = e.s.BeginIncidentImport(e.ctx, store.Dataset{OrgID: o.ID, Name: "base", Preset: "other"})
	e.must(err)
	for _, r := range genRows(50, nil) {
		r.Key = "x-" + r.Key
		e.must(imp.Add(r))
	}
	imp.Rollback()
	dss, _ = e.s.Datasets(e.ctx, o.ID)
	if len(dss) != 1 || dss[0].Preset != base.Preset {
		e.t.Errorf("Datasets after Rollback = %+v, want base unchanged (%q)", dss, base.Preset)
	}
	if after := e.tableCounts(); !reflect.DeepEqual(before, after) {
		e.t.Errorf("TableCounts changed by a rolled back import:\nbefore %v\nafter  %v", before, after)
	}

	// the writer is free again, and Rollback after Commit is harmless
	e.org("still-writable")
	imp, err = e.s.BeginIncidentImport(e.ctx, store.Dataset{OrgID: o.ID, Name: "tmp"})
	e.must(err)
	e.must(imp.Add(genRows(1, nil)[0]))
	_, _, err = imp.Commit(store.ImportRecord{})
	e.must(err)
	imp.Rollback()
	if n := e.count(store.Filter{OrgID: o.ID}); n != 11 {
		e.t.Errorf("CountIncidents = %d, want 11", n)
	}
}

func testIncidentEmptyName(e *env) {
	o := e.org("city")
	for _, name := range []string{"", "  \t"} {
		_, err := e.s.BeginIncidentImport(e.ctx, store.Dataset{OrgID: o.ID, Name: name})
		e.wantCode(err, apperr.Invalid)
	}
	e.org("writer-still-free")
	if n := e.tableCounts()["datasets"]; n != 0 {
		e.t.Errorf("datasets = %d, want 0", n)
	}
}

func testDatasetSummaries(e *env) {
	fx := newFixture(e)
	e.clock.Advance(time.Hour)
	empty, _, _ := seedIncidents(e, fx.org.ID, "empty", nil)
	other := e.org("other")
	seedIncidents(e, other.ID, "theirs", genRows(7, nil))

	sums, err := e.s.DatasetSummaries(e.ctx, fx.org.ID)
	e.must(err)
	if len(sums) != 2 || sums[0].Dataset.ID != fx.dataset.ID || sums[1].Dataset.ID != empty.ID {
		e.t.Fatalf("DatasetSummaries = %+v", sums)
	}
	s := sums[0]
	if s.Dataset.Name != "crimes" || s.Dataset.OrgID != fx.org.ID || s.Dataset.Preset != "generic" {
		e.t.Errorf("summary dataset = %+v", s.Dataset)
	}
	if s.Incidents != bulk {
		e.t.Errorf("Incidents = %d, want %d", s.Incidents, bulk)
	}
	if want := countRows(fx.rows, func(r store.IncidentRow) bool { return r.HasLoc }); s.Located != want {
		e.t.Errorf("Located = %d, want %d", s.Located, want)
	}
	first, last := fx.rows[0].Time, fx.rows[0].Time
	catN := map[string]int64{}
	resN := map[string]int64{}
	for _, r := range fx.rows {
		if r.Time.Before(first) {
			first = r.Time
		}
		if r.Time.After(last) {
			last = r.Time
		}
		catN[r.Category]++
		resN[r.Resolution]++
	}
	if !s.First.Equal(first) || !s.Last.Equal(last) {
		e.t.Errorf("First, Last = %v, %v; want %v, %v", s.First, s.Last, first, last)
	}
	var wantCats []store.CategoryCount
	for c, n := range catN {
		wantCats = append(wantCats, store.CategoryCount{Category: c, ICCS: iccsOf[c], Count: n})
	}
	sort.Slice(wantCats, func(i, j int) bool {
		if wantCats[i].Count != wantCats[j].Count {
			return wantCats[i].Count > wantCats[j].Count
		}
		return wantCats[i].Category < wantCats[j].Category
	})
	if !reflect.DeepEqual(s.Categories, wantCats) {
		e.t.Errorf("Categories = %+v, want %+v", s.Categories, wantCats)
	}
	if !reflect.DeepEqual(s.Resolution, resN) {
		e.t.Errorf("Resolution = %v, want %v", s.Resolution, resN)
	}
	z := sums[1]
	if z.Incidents != 0 || z.Located != 0 || !z.First.IsZero() || !z.Last.IsZero() || len(z.Categories) != 0 || z.Resolution == nil || len(z.Resolution) != 0 {
		e.t.Errorf("empty dataset summary = %+v", z)
	}
	if !z.Dataset.Created.Equal(Start.Add(time.Hour)) {
		e.t.Errorf("empty dataset Created = %v", z.Dataset.Created)
	}
	sums, err = e.s.DatasetSummaries(e.ctx, other.ID)
	e.must(err)
	if len(sums) != 1 || sums[0].Incidents != 7 {
		e.t.Errorf("other org's summaries = %+v", sums)
	}
}

func monthCounts(rows []store.IncidentRow, keep func(store.IncidentRow) bool) []store.MonthCount {
	m := map[int]int64{}
	for _, r := range rows {
		if keep == nil || keep(r) {
			m[ym(r.Time)]++
		}
	}
	var out []store.MonthCount
	for k, n := range m {
		out = append(out, store.MonthCount{YM: k, Count: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].YM < out[j].YM })
	return out
}

func testCountByMonth(e *env) {
	fx := newFixture(e)
	got, err := e.s.CountByMonth(e.ctx, store.Filter{OrgID: fx.org.ID})
	e.must(err)
	want := monthCounts(fx.rows, nil)
	if len(want) < 10 {
		e.t.Fatalf("fixture spans only %d months", len(want))
	}
	if !reflect.DeepEqual(got, want) {
		e.t.Errorf("CountByMonth = %+v\nwant %+v", got, want)
	}
	got, err = e.s.CountByMonth(e.ctx, store.Filter{OrgID: fx.org.ID, Category: "burglary", FromYM: 202303, ToYM: 202306})
	e.must(err)
	want = monthCounts(fx.rows, func(r store.IncidentRow) bool {
		return r.Category == "burglary" && ym(r.Time) >= 202303 && ym(r.Time) <= 202306
	})
	if len(want) != 4 || !reflect.DeepEqual(got, want) {
		e.t.Errorf("CountByMonth(burglary, 2023-03..06) = %+v, want %+v", got, want)
	}
	got, err = e.s.CountByMonth(e.ctx, store.Filter{OrgID: fx.org.ID + 99})
	e.must(err)
	if len(got) != 0 {
		e.t.Errorf("CountByMonth(unknown org) = %+v", got)
	}
}

func testIncidentPaging(e *env) {
	fx := newFixture(e)
	bySource := map[string]store.IncidentRow{}
	for _, r := range fx.rows {
		bySource[r.SourceID] = r
	}
	f := store.Filter{OrgID: fx.org.ID}
	var all []store.IncidentRow
	const page = 97
	for off := 0; ; off += page {
		got, err := e.s.Incidents(e.ctx, f, off, page)
		e.must(err)
		if len(got) > page {
			e.t.Fatalf("page of %d rows, limit %d", len(got), page)
		}
		all = append(all, got...)
		if len(got) < page {
			break
		}
	}
	if len(all) != bulk {
		e.t.Fatalf("paged through %d incidents, want %d", len(all), bulk)
	}
	seen := map[int64]bool{}
	for i, r := range all {
		if seen[r.ID] {
			e.t.Fatalf("incident %d on two pages", r.ID)
		}
		seen[r.ID] = true
		if i > 0 {
			p := all[i-1]
			if r.Time.Before(p.Time) || (r.Time.Equal(p.Time) && r.ID <= p.ID) {
				e.t.Fatalf("rows %d and %d out of order: (%v, %d) then (%v, %d)", i-1, i, p.Time, p.ID, r.Time, r.ID)
			}
		}
		w, ok := bySource[r.SourceID]
		if !ok {
			e.t.Fatalf("unknown SourceID %q", r.SourceID)
		}
		if r.DatasetID != fx.dataset.ID || r.Category != w.Category || r.ICCS != w.ICCS || !r.Time.Equal(w.Time) || r.Time.Location() != time.UTC ||
			r.Resolution != w.Resolution || r.HasLoc != w.HasLoc || !near(r.Lon, w.Lon) || !near(r.Lat, w.Lat) || !reflect.DeepEqual(r.Attrs, w.Attrs) {
			e.t.Fatalf("incident %+v\nwant     %+v", r, w)
		}
	}
	// ties on time exist in the fixture, so the id tie-break was exercised
	ties := 0
	for i := 1; i < len(all); i++ {
		if all[i].Time.Equal(all[i-1].Time) {
			ties++
		}
	}
	if ties == 0 {
		e.t.Error("fixture has no equal times")
	}
	got, err := e.s.Incidents(e.ctx, f, bulk, 10)
	e.must(err)
	if len(got) != 0 {
		e.t.Errorf("page past the end = %d rows", len(got))
	}
	got, err = e.s.Incidents(e.ctx, f, 5, 3)
	e.must(err)
	if len(got) != 3 || got[0].ID != all[5].ID || got[2].ID != all[7].ID {
		e.t.Errorf("Incidents(offset 5, limit 3) = %+v", got)
	}
}

func testIncidentFilter(e *env) {
	fx := newFixture(e)
	other, _, _ := seedIncidents(e, fx.org.ID, "second", genRows(40, nil))
	theirs := e.org("other")
	seedIncidents(e, theirs.ID, "theirs", genRows(30, nil))

	in := func(lo, hi int) func(store.IncidentRow) bool {
		return func(r store.IncidentRow) bool { y := ym(r.Time); return y >= lo && y <= hi }
	}
	secondRows := genRows(40, nil)
	cases := []struct {
		name string
		f    store.Filter
		want int64
	}{
		{"org", store.Filter{OrgID: fx.org.ID}, bulk + 40},
		{"other org", store.Filter{OrgID: theirs.ID}, 30},
		{"unknown org", store.Filter{OrgID: theirs.ID + 50}, 0},
		{"dataset", store.Filter{OrgID: fx.org.ID, DatasetID: fx.dataset.ID}, bulk},
		{"second dataset", store.Filter{OrgID: fx.org.ID, DatasetID: other.ID}, 40},
		{"dataset of another org", store.Filter{OrgID: theirs.ID, DatasetID: fx.dataset.ID}, 0},
		{"category", store.Filter{OrgID: fx.org.ID, DatasetID: fx.dataset.ID, Category: "assault"},
			countRows(fx.rows, func(r store.IncidentRow) bool { return r.Category == "assault" })},
		{"unknown category", store.Filter{OrgID: fx.org.ID, Category: "arson"}, 0},
		{"from", store.Filter{OrgID: fx.org.ID, DatasetID: fx.dataset.ID, FromYM: 202307}, countRows(fx.rows, in(202307, 999999))},
		{"to", store.Filter{OrgID: fx.org.ID, DatasetID: fx.dataset.ID, ToYM: 202302}, countRows(fx.rows, in(0, 202302))},
		{"one month", store.Filter{OrgID: fx.org.ID, DatasetID: fx.dataset.ID, FromYM: 202305, ToYM: 202305}, countRows(fx.rows, in(202305, 202305))},
		{"from and to, both datasets", store.Filter{OrgID: fx.org.ID, FromYM: 202301, ToYM: 202301},
			countRows(fx.rows, in(202301, 202301)) + countRows(secondRows, in(202301, 202301))},
		{"area", store.Filter{OrgID: fx.org.ID, AreaID: fx.areas[1]},
			countRows(fx.rows, func(r store.IncidentRow) bool { return len(r.AreaIDs) > 0 && r.AreaIDs[0] == fx.areas[1] })},
		{"area and category and months", store.Filter{OrgID: fx.org.ID, AreaID: fx.areas[2], Category: "theft", FromYM: 202304, ToYM: 202309},
			countRows(fx.rows, func(r store.IncidentRow) bool {
				return len(r.AreaIDs) > 0 && r.AreaIDs[0] == fx.areas[2] && r.Category == "theft" && in(202304, 202309)(r)
			})},
	}
	for _, c := range cases {
		if c.want == 0 && c.name == "area" {
			e.t.Fatal("fixture error")
		}
		if got := e.count(c.f); got != c.want {
			e.t.Errorf("%s: CountIncidents = %d, want %d", c.name, got, c.want)
		}
		rows, err := e.s.Incidents(e.ctx, c.f, 0, 10000)
		e.must(err)
		if int64(len(rows)) != c.want {
			e.t.Errorf("%s: Incidents returned %d rows, want %d", c.name, len(rows), c.want)
		}
		for _, r := range rows {
			if (c.f.Category != "" && r.Category != c.f.Category) || (c.f.DatasetID != 0 && r.DatasetID != c.f.DatasetID) ||
				(c.f.FromYM != 0 && ym(r.Time) < c.f.FromYM) || (c.f.ToYM != 0 && ym(r.Time) > c.f.ToYM) {
				e.t.Errorf("%s: row %+v does not match the filter", c.name, r)
				break
			}
		}
		months, err := e.s.CountByMonth(e.ctx, c.f)
		e.must(err)
		var sum int64
		for _, m := range months {
			sum += m.Count
		}
		if sum != c.want {
			e.t.Errorf("%s: CountByMonth sums to %d, want %d", c.name, sum, c.want)
		}
	}
}

func areaCounts(rows []store.IncidentRow, keep func(store.IncidentRow) bool) map[int64]int64 {
	m := map[int64]int64{}
	for _, r := range rows {
		if keep == nil || keep(r) {
			for _, a := range r.AreaIDs {
				m[a]++
			}
		}
	}
	return m
}

func (e *env) countByArea(f store.Filter, layer int64) (map[int64]int64, int64) {
	e.t.Helper()
	cs, n, err := e.s.CountByArea(e.ctx, f, layer)
	e.must(err)
	m := map[int64]int64{}
	for _, c := range cs {
		if _, dup := m[c.AreaID]; dup {
			e.t.Errorf("CountByArea lists area %d twice", c.AreaID)
		}
		if c.Count == 0 {
			e.t.Errorf("CountByArea lists area %d with 0", c.AreaID)
		}
		m[c.AreaID] = c.Count
	}
	return m, n
}

func testIncidentAreasFromImport(e *env) {
	fx := newFixture(e)
	got, n := e.countByArea(store.Filter{OrgID: fx.org.ID}, fx.layer.ID)
	if want := areaCounts(fx.rows, nil); !reflect.DeepEqual(got, want) {
		e.t.Errorf("CountByArea = %v, want %v (the empty area absent)", got, want)
	}
	if n != bulk {
		e.t.Errorf("CountByArea n = %d, want %d (located or not)", n, bulk)
	}
	f := store.Filter{OrgID: fx.org.ID, Category: "burglary", FromYM: 202302, ToYM: 202308}
	keep := func(r store.IncidentRow) bool {
		return r.Category == "burglary" && ym(r.Time) >= 202302 && ym(r.Time) <= 202308
	}
	got, n = e.countByArea(f, fx.layer.ID)
	if want := areaCounts(fx.rows, keep); !reflect.DeepEqual(got, want) {
		e.t.Errorf("CountByArea(filtered) = %v, want %v", got, want)
	}
	if want := countRows(fx.rows, keep); n != want {
		e.t.Errorf("CountByArea(filtered) n = %d, want %d", n, want)
	}
	// another layer without assignments
	l2, _ := e.layer(fx.org.ID, "wards", square("w", "", 7.6, 45))
	got, n = e.countByArea(store.Filter{OrgID: fx.org.ID}, l2.ID)
	if len(got) != 0 || n != bulk {
		e.t.Errorf("CountByArea(unassigned layer) = %v, %d", got, n)
	}
	// another org sees nothing
	theirs := e.org("other")
	got, n = e.countByArea(store.Filter{OrgID: theirs.ID}, fx.layer.ID)
	if len(got) != 0 || n != 0 {
		e.t.Errorf("CountByArea(other org) = %v, %d", got, n)
	}
}

func testPointsAndAssignments(e *env) {
	fx := newFixture(e)
	theirs := e.org("other")
	seedIncidents(e, theirs.ID, "theirs", genRows(25, nil))

	// IncidentPoints: every located incident of the org, with its position
	incs, err := e.s.Incidents(e.ctx, store.Filter{OrgID: fx.org.ID}, 0, 10000)
	e.must(err)
	byID := map[int64]store.IncidentRow{}
	for _, r := range incs {
		byID[r.ID] = r
	}
	var pts []store.IncidentPoint
	e.must(e.s.IncidentPoints(e.ctx, fx.org.ID, func(p store.IncidentPoint) error { pts = append(pts, p); return nil }))
	located := countRows(fx.rows, func(r store.IncidentRow) bool { return r.HasLoc })
	if int64(len(pts)) != located {
		e.t.Fatalf("IncidentPoints gave %d points, want %d", len(pts), located)
	}
	for _, p := range pts {
		r, ok := byID[p.ID]
		if !ok || !r.HasLoc || !near(r.Lon, p.Lon) || !near(r.Lat, p.Lat) {
			e.t.Fatalf("point %+v does not match incident %+v", p, r)
		}
	}
	stop := errors.New("stop")
	calls := 0
	err = e.s.IncidentPoints(e.ctx, fx.org.ID, func(store.IncidentPoint) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		e.t.Errorf("IncidentPoints with failing fn = %v after %d calls, want stop after 1", err, calls)
	}

	// ReplaceAssignments on a second layer
	l2, w := e.layer(fx.org.ID, "wards", square("west", "", 7.6, 45), square("east", "", 7.605, 45))
	var pairs [][2]int64
	want := map[int64]int64{}
	for _, p := range pts {
		a := w["east"]
		if p.Lon < 7.605 {
			a = w["west"]
		}
		pairs = append(pairs, [2]int64{p.ID, a})
		want[a]++
	}
	e.must(e.s.ReplaceAssignments(e.ctx, l2.ID, pairs))
	got, n := e.countByArea(store.Filter{OrgID: fx.org.ID}, l2.ID)
	if !reflect.DeepEqual(got, want) || n != bulk {
		e.t.Errorf("CountByArea after ReplaceAssignments = %v, %d; want %v, %d", got, n, want, bulk)
	}
	// replacing again drops the old assignments of that layer only
	pairs = pairs[:0]
	for _, p := range pts[:100] {
		pairs = append(pairs, [2]int64{p.ID, w["west"]})
	}
	e.must(e.s.ReplaceAssignments(e.ctx, l2.ID, pairs))
	got, _ = e.countByArea(store.Filter{OrgID: fx.org.ID}, l2.ID)
	if !reflect.DeepEqual(got, map[int64]int64{w["west"]: 100}) {
		e.t.Errorf("CountByArea after second ReplaceAssignments = %v, want west: 100", got)
	}
	got, _ = e.countByArea(store.Filter{OrgID: fx.org.ID}, fx.layer.ID)
	if wantL1 := areaCounts(fx.rows, nil); !reflect.DeepEqual(got, wantL1) {
		e.t.Errorf("ReplaceAssignments changed another layer: %v, want %v", got, wantL1)
	}
	if n := e.count(store.Filter{OrgID: fx.org.ID, AreaID: w["west"]}); n != 100 {
		e.t.Errorf("CountIncidents(AreaID west) = %d, want 100", n)
	}
	e.must(e.s.ReplaceAssignments(e.ctx, l2.ID, nil))
	if got, _ := e.countByArea(store.Filter{OrgID: fx.org.ID}, l2.ID); len(got) != 0 {
		e.t.Errorf("after clearing: %v", got)
	}
}

func testAreaRemovalCascades(e *env) {
	fx := newFixture(e)
	// re-import the layer without a1: its assignments go, the incidents stay
	_, err := e.s.ReplaceLayer(e.ctx, store.Layer{OrgID: fx.org.ID, Name: "lsoa"}, []store.Area{square("a0", "", 7.6, 45), square("a2", "", 7.62, 45)})
	e.must(err)
	got, n := e.countByArea(store.Filter{OrgID: fx.org.ID}, fx.layer.ID)
	want := areaCounts(fx.rows, nil)
	delete(want, fx.areas[1])
	if !reflect.DeepEqual(got, want) || n != bulk {
		e.t.Errorf("after removing a1: CountByArea = %v, %d; want %v, %d", got, n, want, bulk)
	}
	var total int64
	for _, c := range want {
		total += c
	}
	if c := e.tableCounts()["incident_areas"]; c != total {
		e.t.Errorf("incident_areas = %d, want %d", c, total)
	}
}

func testImports(e *env) {
	a, b := e.org("a"), e.org("b")
	r1 := store.ImportRecord{OrgID: a.ID, Kind: "areas", TargetID: 3, FileName: "lsoa.zip", FileSHA256: "ff00", Read: 10, Accepted: 9, Rejected: 1, Inserted: 8, Duplicates: 1, Actor: "ann",
		Started: Start.Add(-time.Hour), Finished: Start}
	r2 := store.ImportRecord{OrgID: a.ID, Kind: "incidents", TargetID: 4, FileName: "c.csv", Started: Start, Finished: Start.Add(time.Minute)}
	r3 := store.ImportRecord{OrgID: b.ID, Kind: "areas", TargetID: 5, FileName: "b.zip", Started: Start, Finished: Start}
	var ids []int64
	for _, r := range []store.ImportRecord{r1, r2, r3} {
		id, err := e.s.RecordImport(e.ctx, r)
		e.must(err)
		ids = append(ids, id)
	}
	if ids[0] == 0 || ids[0] == ids[1] || ids[1] == ids[2] {
		e.t.Fatalf("RecordImport ids = %v", ids)
	}
	got, err := e.s.Imports(e.ctx, a.ID, 10)
	e.must(err)
	r1.ID, r2.ID = ids[0], ids[1]
	if len(got) != 2 || !reflect.DeepEqual(got[0], r2) || !reflect.DeepEqual(got[1], r1) {
		e.t.Errorf("Imports(a) = %+v\nwant newest first %+v, %+v", got, r2, r1)
	}
	got, err = e.s.Imports(e.ctx, a.ID, 1)
	e.must(err)
	if len(got) != 1 || got[0].ID != ids[1] {
		e.t.Errorf("Imports(a, 1) = %+v", got)
	}
	got, err = e.s.Imports(e.ctx, b.ID, 10)
	e.must(err)
	if len(got) != 1 || got[0].ID != ids[2] || got[0].FileName != "b.zip" {
		e.t.Errorf("Imports(b) = %+v", got)
	}

	// LastImportID: the newest import of a kind, per org; 0 when none
	for _, c := range []struct {
		org  int64
		kind string
		want int64
	}{
		{a.ID, "areas", ids[0]}, {a.ID, "incidents", ids[1]}, {a.ID, "indicators", 0}, {b.ID, "areas", ids[2]}, {b.ID, "incidents", 0},
	} {
		got, err := e.s.LastImportID(e.ctx, c.org, c.kind)
		e.must(err)
		if got != c.want {
			e.t.Errorf("LastImportID(%d, %s) = %d, want %d", c.org, c.kind, got, c.want)
		}
	}
	r4 := store.ImportRecord{OrgID: a.ID, Kind: "areas", FileName: "again.zip", Started: Start, Finished: Start}
	id4, err := e.s.RecordImport(e.ctx, r4)
	e.must(err)
	if got, _ := e.s.LastImportID(e.ctx, a.ID, "areas"); got != id4 {
		e.t.Errorf("LastImportID after a new import = %d, want %d", got, id4)
	}
}
