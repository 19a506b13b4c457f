package storetest

import (
	"reflect"
	"time"

	"github.com/icarus-city/icarus/internal/store"
)

// indicatorImport runs one indicator import and returns its counts and partner id.
func (e *env) indicatorImport(org int64, partner string, defs []store.Indicator, vals []store.IndicatorValue, file string) (ins, unch, upd int, partnerID int64) {
	e.t.Helper()
	imp, err := e.s.BeginIndicatorImport(e.ctx, org, partner, defs)
	e.must(err)
	for _, v := range vals {
		if err := imp.Add(v); err != nil {
			imp.Rollback()
			e.t.Fatal(err)
		}
	}
	now := e.clock.Now()
	partnerID, err = imp.Commit(store.ImportRecord{FileName: file, Read: len(vals), Accepted: len(vals), Started: now.Add(-time.Second), Finished: now})
	e.must(err)
	return imp.Inserted, imp.Unchanged, imp.Updated, partnerID
}

func (e *env) indicatorValues(org int64, code string) []store.IndicatorRow {
	e.t.Helper()
	rows, err := e.s.IndicatorValues(e.ctx, org, code)
	e.must(err)
	return rows
}

var indicatorDefs = []store.Indicator{
	{Code: "unemp", Name: "Unemployment", Unit: "%", Description: "share of the workforce"},
	{Code: "lights", Name: "Street lights", Unit: "n"},
}

func testIndicatorImport(e *env) {
	o := e.org("turin")
	_, ids := e.layer(o.ID, "quartieri", square("Q2", "", 7.6, 45), square("Q1", "", 7.7, 45))
	vals := []store.IndicatorValue{
		{IndicatorCode: "unemp", AreaID: ids["Q2"], Period: "2023", Value: 9},
		{IndicatorCode: "unemp", AreaID: ids["Q1"], Period: "2024", Value: 7.1},
		{IndicatorCode: "unemp", AreaID: ids["Q1"], Period: "2023", Value: 7.5},
		{IndicatorCode: "lights", AreaID: ids["Q1"], Period: "2023", Value: 120},
		{IndicatorCode: "youth", Unit: "n", AreaID: ids["Q2"], Period: "2023-Q4", Value: 3}, // not declared
	}
	ins, unch, upd, partner := e.indicatorImport(o.ID, "ASL Torino", indicatorDefs, vals, "asl.csv")
	if ins != 5 || unch != 0 || upd != 0 || partner == 0 {
		e.t.Errorf("import = %d inserted, %d unchanged, %d updated, partner %d; want 5, 0, 0, non-zero", ins, unch, upd, partner)
	}

	defs, err := e.s.Indicators(e.ctx, o.ID)
	e.must(err)
	if len(defs) != 3 {
		e.t.Fatalf("Indicators = %+v", defs)
	}
	for i, w := range []store.Indicator{
		{Code: "lights", Name: "Street lights", Unit: "n"},
		{Code: "unemp", Name: "Unemployment", Unit: "%", Description: "share of the workforce"},
		{Code: "youth", Name: "youth", Unit: "n"},
	} {
		d := defs[i]
		if d.ID == 0 || d.OrgID != o.ID || d.Code != w.Code || d.Name != w.Name || d.Unit != w.Unit || d.Description != w.Description {
			e.t.Errorf("Indicators[%d] = %+v, want %+v", i, d, w)
		}
	}

	imported := Start
	got := e.indicatorValues(o.ID, "")
	want := []store.IndicatorRow{
		{Indicator: "lights", AreaID: ids["Q1"], AreaCode: "Q1", Period: "2023", Value: 120, Unit: "n", Partner: "ASL Torino", Imported: imported},
		{Indicator: "unemp", AreaID: ids["Q1"], AreaCode: "Q1", Period: "2023", Value: 7.5, Unit: "%", Partner: "ASL Torino", Imported: imported},
		{Indicator: "unemp", AreaID: ids["Q1"], AreaCode: "Q1", Period: "2024", Value: 7.1, Unit: "%", Partner: "ASL Torino", Imported: imported},
		{Indicator: "unemp", AreaID: ids["Q2"], AreaCode: "Q2", Period: "2023", Value: 9, Unit: "%", Partner: "ASL Torino", Imported: imported},
		{Indicator: "youth", AreaID: ids["Q2"], AreaCode: "Q2", Period: "2023-Q4", Value: 3, Unit: "n", Partner: "ASL Torino", Imported: imported},
	}
	if !reflect.DeepEqual(got, want) {
		e.t.Errorf("IndicatorValues =\n%+v\nwant\n%+v", got, want)
	}
	if got := e.indicatorValues(o.ID, "unemp"); !reflect.DeepEqual(got, want[1:4]) {
		e.t.Errorf("IndicatorValues(unemp) = %+v, want %+v", got, want[1:4])
	}
	if got := e.indicatorValues(o.ID, "nope"); len(got) != 0 {
		e.t.Errorf("IndicatorValues(unknown) = %+v", got)
	}

	imps, err := e.s.Imports(e.ctx, o.ID, 10)
	e.must(err)
	if len(imps) != 1 || imps[0].Kind != "indicators" || imps[0].TargetID != partner || imps[0].FileName != "asl.csv" || imps[0].OrgID != o.ID || imps[0].Read != 5 || !imps[0].Finished.Equal(imported) {
		e.t.Errorf("Imports = %+v", imps)
	}

	// another org has its own definitions and values
	other := e.org("other")
	defs, err = e.s.Indicators(e.ctx, other.ID)
	e.must(err)
	if len(defs) != 0 || len(e.indicatorValues(other.ID, "")) != 0 {
		e.t.Errorf("another org sees indicators: %+v", defs)
	}
	_, oids := e.layer(other.ID, "l", square("X", "", 0, 0))
	_, _, _, p2 := e.indicatorImport(other.ID, "ASL Torino", nil, []store.IndicatorValue{{IndicatorCode: "unemp", AreaID: oids["X"], Period: "2023", Value: 1}}, "o.csv")
	if p2 == partner {
		e.t.Error("partners of two orgs share an id")
	}
	if got := e.indicatorValues(o.ID, "unemp"); !reflect.DeepEqual(got, want[1:4]) {
		e.t.Errorf("another org's import changed values: %+v", got)
	}

	// a value for an unknown area is refused
	imp, err := e.s.BeginIndicatorImport(e.ctx, o.ID, "ASL Torino", nil)
	e.must(err)
	if err := imp.Add(store.IndicatorValue{IndicatorCode: "unemp", AreaID: 1 << 40, Period: "2023", Value: 1}); err == nil {
		e.t.Error("Add accepted an unknown area")
	}
	imp.Rollback()
}

func testIndicatorReimport(e *env) {
	o := e.org("turin")
	_, ids := e.layer(o.ID, "q", square("Q1", "", 7.6, 45), square("Q2", "", 7.7, 45))
	t1 := e.clock.Now()
	_, _, _, asl := e.indicatorImport(o.ID, "ASL", indicatorDefs, []store.IndicatorValue{
		{IndicatorCode: "unemp", AreaID: ids["Q1"], Period: "2023", Value: 7.5},
		{IndicatorCode: "unemp", AreaID: ids["Q2"], Period: "2023", Value: 9},
	}, "one.csv")

	// same partner: one unchanged, one changed, one new; definitions merged
	e.clock.Advance(24 * time.Hour)
	t2 := e.clock.Now()
	ins, unch, upd, asl2 := e.indicatorImport(o.ID, "ASL", []store.Indicator{{Code: "unemp", Description: "new description"}}, []store.IndicatorValue{
		{IndicatorCode: "unemp", AreaID: ids["Q1"], Period: "2023", Value: 7.5},
		{IndicatorCode: "unemp", AreaID: ids["Q2"], Period: "2023", Value: 9.5},
		{IndicatorCode: "unemp", AreaID: ids["Q2"], Period: "2024", Value: 8},
	}, "two.csv")
	if ins != 1 || unch != 1 || upd != 1 {
		e.t.Errorf("re-import = %d inserted, %d unchanged, %d updated; want 1, 1, 1", ins, unch, upd)
	}
	if asl2 != asl {
		e.t.Errorf("partner id changed %d → %d", asl, asl2)
	}
	defs, err := e.s.Indicators(e.ctx, o.ID)
	e.must(err)
	if len(defs) != 2 || defs[1].Code != "unemp" || defs[1].Name != "Unemployment" || defs[1].Unit != "%" || defs[1].Description != "new description" {
		e.t.Errorf("definitions after merge = %+v; empty fields must not overwrite", defs)
	}
	got := e.indicatorValues(o.ID, "unemp")
	want := []store.IndicatorRow{
		{Indicator: "unemp", AreaID: ids["Q1"], AreaCode: "Q1", Period: "2023", Value: 7.5, Unit: "%", Partner: "ASL", Imported: t1}, // unchanged: keeps its provenance
		{Indicator: "unemp", AreaID: ids["Q2"], AreaCode: "Q2", Period: "2023", Value: 9.5, Unit: "%", Partner: "ASL", Imported: t2}, // updated: now from the second import
		{Indicator: "unemp", AreaID: ids["Q2"], AreaCode: "Q2", Period: "2024", Value: 8, Unit: "%", Partner: "ASL", Imported: t2},
	}
	if !reflect.DeepEqual(got, want) {
		e.t.Errorf("IndicatorValues after re-import =\n%+v\nwant\n%+v", got, want)
	}

	// another partner re-sending the same value takes it over
	e.clock.Advance(24 * time.Hour)
	t3 := e.clock.Now()
	ins, unch, upd, istat := e.indicatorImport(o.ID, "ISTAT", nil, []store.IndicatorValue{
		{IndicatorCode: "unemp", AreaID: ids["Q1"], Period: "2023", Value: 7.5},
	}, "istat.csv")
	if ins != 0 || unch != 0 || upd != 1 || istat == asl || istat == 0 {
		e.t.Errorf("other partner = %d inserted, %d unchanged, %d updated, partner %d; want 0, 0, 1, a new partner", ins, unch, upd, istat)
	}
	got = e.indicatorValues(o.ID, "unemp")
	want[0].Partner, want[0].Imported = "ISTAT", t3
	if !reflect.DeepEqual(got, want) {
		e.t.Errorf("IndicatorValues after other partner =\n%+v\nwant\n%+v", got, want)
	}
	if n := e.tableCounts()["partners"]; n != 2 {
		e.t.Errorf("partners = %d, want 2", n)
	}
	if n := e.tableCounts()["indicator_values"]; n != 3 {
		e.t.Errorf("indicator_values = %d, want 3", n)
	}
}

func testIndicatorRollback(e *env) {
	o := e.org("turin")
	_, ids := e.layer(o.ID, "q", square("Q1", "", 7.6, 45))
	e.indicatorImport(o.ID, "ASL", indicatorDefs, []store.IndicatorValue{{IndicatorCode: "unemp", AreaID: ids["Q1"], Period: "2023", Value: 7.5}}, "one.csv")
	before := e.tableCounts()
	vals := e.indicatorValues(o.ID, "")
	defs, err := e.s.Indicators(e.ctx, o.ID)
	e.must(err)

	imp, err := e.s.BeginIndicatorImport(e.ctx, o.ID, "New partner", []store.Indicator{{Code: "fresh", Name: "Fresh"}, {Code: "unemp", Name: "Renamed"}})
	e.must(err)
	e.must(imp.Add(store.IndicatorValue{IndicatorCode: "unemp", AreaID: ids["Q1"], Period: "2023", Value: 99}))
	e.must(imp.Add(store.IndicatorValue{IndicatorCode: "fresh", AreaID: ids["Q1"], Period: "2023", Value: 1}))
	e.must(imp.Add(store.IndicatorValue{IndicatorCode: "undeclared", AreaID: ids["Q1"], Period: "2023", Value: 1}))
	if imp.Inserted != 2 || imp.Updated != 1 {
		e.t.Errorf("counts before Rollback = %d inserted, %d updated; want 2, 1", imp.Inserted, imp.Updated)
	}
	imp.Rollback()

	if after := e.tableCounts(); !reflect.DeepEqual(before, after) {
		e.t.Errorf("TableCounts changed by a rolled back import:\nbefore %v\nafter  %v", before, after)
	}
	if got := e.indicatorValues(o.ID, ""); !reflect.DeepEqual(got, vals) {
		e.t.Errorf("values after Rollback = %+v, want %+v", got, vals)
	}
	if got, _ := e.s.Indicators(e.ctx, o.ID); !reflect.DeepEqual(got, defs) {
		e.t.Errorf("definitions after Rollback = %+v, want %+v", got, defs)
	}
	e.org("writer-still-free")
}
