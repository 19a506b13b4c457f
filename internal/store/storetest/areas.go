package storetest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"github.com/icarus-city/icarus/internal/store"
)

// square returns an area: a lon/lat square of side 0.01° at (lon, lat).
func square(code, name string, lon, lat float64) store.Area {
	g := fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}`,
		lon, lat, lon+0.01, lat, lon+0.01, lat+0.01, lon, lat+0.01, lon, lat)
	return store.Area{Code: code, Name: name, Geometry: json.RawMessage(g), MinLon: lon, MinLat: lat, MaxLon: lon + 0.01, MaxLat: lat + 0.01, AreaM2: 1.1e6 + lon}
}

func (e *env) layer(org int64, name string, areas ...store.Area) (store.Layer, map[string]int64) {
	e.t.Helper()
	res, err := e.s.ReplaceLayer(e.ctx, store.Layer{OrgID: org, Name: name}, areas)
	e.must(err)
	return res.Layer, e.areaIDs(org, res.Layer.ID)
}

func (e *env) areaIDs(org, layer int64) map[string]int64 {
	e.t.Helper()
	as, err := e.s.Areas(e.ctx, org, layer, false)
	e.must(err)
	ids := map[string]int64{}
	for _, a := range as {
		ids[a.Code] = a.ID
	}
	return ids
}

func sameJSON(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

func testReplaceLayer(e *env) {
	o := e.org("city")
	l := store.Layer{OrgID: o.ID, Name: "LSOA", Source: "ons.zip", SourceCRS: "EPSG:27700", Attribution: "ONS"}
	res, err := e.s.ReplaceLayer(e.ctx, l, []store.Area{square("A", "Alpha", 7.60, 45.00), square("B", "Beta", 7.61, 45.00), square("C", "Gamma", 7.62, 45.00)})
	e.must(err)
	if res.Inserted != 3 || res.Updated != 0 || res.Removed != 0 {
		e.t.Errorf("first ReplaceLayer = %+v, want 3 inserted", res)
	}
	ly := res.Layer
	if ly.ID == 0 || ly.OrgID != o.ID || ly.Name != "LSOA" || ly.Source != "ons.zip" || ly.SourceCRS != "EPSG:27700" || ly.Attribution != "ONS" || ly.Areas != 3 || !ly.Created.Equal(Start) {
		e.t.Errorf("Layer = %+v", ly)
	}
	ids1 := e.areaIDs(o.ID, ly.ID)

	// re-import: B renamed, C unchanged, A gone, D new; ids of B and C stay
	e.clock.Advance(24 * time.Hour)
	l.Source, l.Attribution = "ons-2.zip", "ONS 2024"
	b2 := square("B", "Beta renamed", 7.71, 45.10)
	res, err = e.s.ReplaceLayer(e.ctx, l, []store.Area{b2, square("C", "Gamma", 7.62, 45.00), square("D", "Delta", 7.63, 45.00)})
	e.must(err)
	if res.Inserted != 1 || res.Updated != 2 || res.Removed != 1 {
		e.t.Errorf("second ReplaceLayer = %+v, want 1 inserted, 2 updated, 1 removed", res)
	}
	if res.Layer.ID != ly.ID {
		e.t.Errorf("layer id changed %d → %d", ly.ID, res.Layer.ID)
	}
	if !res.Layer.Created.Equal(Start) {
		e.t.Errorf("layer Created changed on re-import: %v", res.Layer.Created)
	}
	if res.Layer.Areas != 3 {
		e.t.Errorf("Layer.Areas = %d, want 3", res.Layer.Areas)
	}
	ids2 := e.areaIDs(o.ID, ly.ID)
	if len(ids2) != 3 || ids2["B"] != ids1["B"] || ids2["C"] != ids1["C"] || ids2["D"] == 0 {
		e.t.Errorf("area ids before %v, after %v: want B and C stable, A gone, D new", ids1, ids2)
	}
	if _, ok := ids2["A"]; ok {
		e.t.Error("area A not removed")
	}
	as, err := e.s.Areas(e.ctx, o.ID, ly.ID, true)
	e.must(err)
	for _, a := range as {
		if a.Code == "B" {
			if a.Name != "Beta renamed" || !near(a.MinLon, 7.71) || !near(a.MaxLat, 45.11) || !near(a.AreaM2, b2.AreaM2) || !sameJSON(a.Geometry, b2.Geometry) {
				e.t.Errorf("updated area B = %+v", a)
			}
		}
	}

	// a second layer and another org's layer
	res2, err := e.s.ReplaceLayer(e.ctx, store.Layer{OrgID: o.ID, Name: "Wards"}, []store.Area{square("W1", "", 7.6, 45)})
	e.must(err)
	other := e.org("other")
	_, err = e.s.ReplaceLayer(e.ctx, store.Layer{OrgID: other.ID, Name: "LSOA"}, []store.Area{square("A", "", 0, 51)})
	e.must(err)

	ls, err := e.s.Layers(e.ctx, o.ID)
	e.must(err)
	if len(ls) != 2 || ls[0].ID != ly.ID || ls[1].ID != res2.Layer.ID {
		e.t.Fatalf("Layers = %+v", ls)
	}
	if ls[0].Areas != 3 || ls[1].Areas != 1 || ls[0].Source != "ons-2.zip" || ls[0].Attribution != "ONS 2024" || ls[0].SourceCRS != "EPSG:27700" || !ls[0].Created.Equal(Start) || ls[0].OrgID != o.ID {
		e.t.Errorf("Layers = %+v", ls)
	}
	if ls[1].Created.Equal(Start) {
		e.t.Errorf("second layer Created = %v, want the later clock", ls[1].Created)
	}
	ls, err = e.s.Layers(e.ctx, other.ID)
	e.must(err)
	if len(ls) != 1 || ls[0].Areas != 1 {
		e.t.Errorf("other org's Layers = %+v", ls)
	}

	// emptying a layer removes every area
	res, err = e.s.ReplaceLayer(e.ctx, store.Layer{OrgID: o.ID, Name: "Wards"}, nil)
	e.must(err)
	if res.Removed != 1 || res.Layer.Areas != 0 {
		e.t.Errorf("emptying ReplaceLayer = %+v", res)
	}
}

func testAreas(e *env) {
	o := e.org("city")
	want := []store.Area{square("E02", "East", 7.65, 45.05), square("E01", "North", 7.60, 45.10)}
	l1, _ := e.layer(o.ID, "one", want...)
	l2, _ := e.layer(o.ID, "two", square("X", "X", 7.5, 45.0))
	other := e.org("other")
	e.layer(other.ID, "theirs", square("Z", "Z", 0, 0))

	as, err := e.s.Areas(e.ctx, o.ID, l1.ID, true)
	e.must(err)
	if len(as) != 2 || as[0].Code != "E01" || as[1].Code != "E02" {
		e.t.Fatalf("Areas = %+v, want ordered by code", as)
	}
	for i, w := range []store.Area{want[1], want[0]} {
		a := as[i]
		if a.ID == 0 || a.LayerID != l1.ID || a.Name != w.Name || !sameJSON(a.Geometry, w.Geometry) ||
			!near(a.MinLon, w.MinLon) || !near(a.MinLat, w.MinLat) || !near(a.MaxLon, w.MaxLon) || !near(a.MaxLat, w.MaxLat) || !near(a.AreaM2, w.AreaM2) {
			e.t.Errorf("area %d = %+v, want %+v", i, a, w)
		}
	}
	as, err = e.s.Areas(e.ctx, o.ID, l1.ID, false)
	e.must(err)
	if len(as) != 2 || as[0].Geometry != nil || as[1].Geometry != nil || as[0].Name != "North" || !near(as[0].MaxLat, 45.11) {
		e.t.Errorf("Areas without geometry = %+v", as)
	}
	// all layers of the org, by layer then code; never another org's
	as, err = e.s.Areas(e.ctx, o.ID, 0, false)
	e.must(err)
	if len(as) != 3 || as[0].LayerID != l1.ID || as[2].LayerID != l2.ID || as[2].Code != "X" {
		e.t.Errorf("Areas(all) = %+v", as)
	}
	as, err = e.s.Areas(e.ctx, other.ID, l1.ID, false)
	e.must(err)
	if len(as) != 0 {
		e.t.Errorf("Areas of another org's layer = %+v", as)
	}
}

func testContainment(e *env) {
	o := e.org("city")
	child, cid := e.layer(o.ID, "lsoa", square("c1", "", 0, 0), square("c2", "", 1, 0), square("c3", "", 2, 0))
	parent, pid := e.layer(o.ID, "ward", square("p1", "", 0, 0), square("p2", "", 1, 0))
	cs := []store.Containment{
		{ChildID: cid["c1"], ParentID: pid["p1"], Share: 1},
		{ChildID: cid["c2"], ParentID: pid["p1"], Share: 0.25},
		{ChildID: cid["c2"], ParentID: pid["p2"], Share: 0.75},
	}
	e.must(e.s.ReplaceContainment(e.ctx, parent.ID, cs))
	got, err := e.s.ContainmentOf(e.ctx, child.ID)
	e.must(err)
	want := []store.Containment{cs[0], cs[2], cs[1]} // by child, then largest share first
	if !reflect.DeepEqual(got, want) {
		e.t.Errorf("ContainmentOf = %+v, want %+v", got, want)
	}
	if got, _ := e.s.ContainmentOf(e.ctx, parent.ID); len(got) != 0 {
		e.t.Errorf("ContainmentOf(parent layer) = %+v, want none", got)
	}

	// replacing drops the rows touching the layer
	cs2 := []store.Containment{{ChildID: cid["c3"], ParentID: pid["p2"], Share: 0.5}}
	e.must(e.s.ReplaceContainment(e.ctx, parent.ID, cs2))
	got, err = e.s.ContainmentOf(e.ctx, child.ID)
	e.must(err)
	if !reflect.DeepEqual(got, cs2) {
		e.t.Errorf("after replace ContainmentOf = %+v, want %+v", got, cs2)
	}
	// replacing from the child's side too
	e.must(e.s.ReplaceContainment(e.ctx, child.ID, nil))
	if got, _ := e.s.ContainmentOf(e.ctx, child.ID); len(got) != 0 {
		e.t.Errorf("after clearing ContainmentOf = %+v", got)
	}

	// removing an area removes its containment rows
	e.must(e.s.ReplaceContainment(e.ctx, parent.ID, cs))
	_, err = e.s.ReplaceLayer(e.ctx, store.Layer{OrgID: o.ID, Name: "ward"}, []store.Area{square("p2", "", 1, 0)})
	e.must(err)
	got, err = e.s.ContainmentOf(e.ctx, child.ID)
	e.must(err)
	if !reflect.DeepEqual(got, []store.Containment{cs[2]}) {
		e.t.Errorf("after removing p1 ContainmentOf = %+v, want %+v", got, cs[2])
	}
	// a row naming an unknown area is refused, and the whole replace with it
	err = e.s.ReplaceContainment(e.ctx, parent.ID, []store.Containment{{ChildID: cid["c1"], ParentID: pid["p2"], Share: 1}, {ChildID: cid["c1"], ParentID: 1 << 40, Share: 1}})
	if err == nil {
		e.t.Error("ReplaceContainment accepted an unknown parent")
	}
	got, _ = e.s.ContainmentOf(e.ctx, child.ID)
	if !reflect.DeepEqual(got, []store.Containment{cs[2]}) {
		e.t.Errorf("failed ReplaceContainment changed rows: %+v", got)
	}
}
