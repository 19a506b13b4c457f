package geo

import (
	"bytes"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// exercise runs the downstream helpers on whatever a reader produced, so the
// fuzzers also cover AreaIndex, AreaM2 and Reproject on hostile geometry.
func exercise(c *Collection) {
	var areas []orb.MultiPolygon
	var probe []orb.Point
	for _, f := range c.Features {
		if mp, ok := AsMultiPolygon(f.Geometry); ok {
			areas = append(areas, mp)
			_ = AreaM2(mp)
		}
		if f.Geometry != nil {
			probe = append(probe, f.Geometry.Bound().Center(), f.Geometry.Bound().Min)
			if crs, err := c.ResolveCRS("EPSG:4326"); err == nil {
				_, _ = Reproject(f.Geometry, crs, MetricCRSFor(orb.Bound{Min: orb.Point{-2.3, 53.4}, Max: orb.Point{-2.2, 53.5}}))
			}
		}
	}
	ix := NewAreaIndex(areas)
	for _, p := range probe {
		_ = ix.Locate(p)
	}
}

func FuzzReadGeoJSON(f *testing.F) {
	for _, s := range []string{
		`{"type":"FeatureCollection","name":"manc_burglary_bng","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}},"features":[{"type":"Feature","properties":{"X1":4798.0,"LSOA_id":"E01005098","LSOA_name":"Manchester 001A","crime_type":"Burglary","month":"2017-01"},"geometry":{"type":"Point","coordinates":[384454.013766849995591,404459.946779287711252]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"coordinates":[[[-123.17016601562499,49.24789047240798],[-123.17024993896482,49.23470306396071],[-123.17870330810545,49.23472213744702],[-123.17016601562499,49.24789047240798]]],"type":"Polygon"},"properties":{"name":"Dunbar-Southlands","geo_point_2d":[49.2379619063,-123.189546803]}}]}`,
		`{"type":"MultiPolygon","coordinates":[[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[2,2],[4,2],[4,4],[2,2]]]]}`,
		`{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]},{"type":"LineString","coordinates":[[0,0],[1,1]]}]}`,
		`{"type":"Feature","properties":null,"geometry":null}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1]}}]}`,
		`{"type":"Polygon","coordinates":[[[1e308,-1e308],[-1e308,1e308],[5e-324,0],[1e308,-1e308]]]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ReadGeoJSON(bytes.NewReader(data))
		if err != nil {
			if c != nil {
				t.Fatal("non-nil collection with error")
			}
			return
		}
		for i, ft := range c.Features {
			if ft.Index != i+1 || ft.Props == nil {
				t.Fatalf("feature %d: Index %d, props %v", i+1, ft.Index, ft.Props)
			}
		}
		exercise(c)
	})
}

func FuzzReadShapefile(f *testing.F) {
	sq := []orb.Point{{0, 0}, {0, 10}, {10, 10}, {10, 0}, {0, 0}}
	hole := []orb.Point{{2, 2}, {4, 2}, {4, 4}, {2, 4}, {2, 2}}
	dbf := buildDBF([]dbfField{{"name", 'C', 12}, {"count", 'N', 6}, {"d", 'D', 8}}, [][]string{{"South Side", "34", "20170101"}})
	prj := `PROJCS["Transverse_Mercator",GEOGCS["GCS_OSGB 1936",DATUM["D_OSGB_1936",SPHEROID["Airy_1830",6377563.396,299.3249646]],PRIMEM["Greenwich",0],UNIT["Degree",0.017453292519943295]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",49],PARAMETER["central_meridian",-2],PARAMETER["scale_factor",0.9996012717],PARAMETER["false_easting",400000],PARAMETER["false_northing",-100000],UNIT["Meter",1]]`
	f.Add(buildSHP(shpPolygon, []shpRecord{{parts: [][]orb.Point{sq, hole}}}), dbf, prj)
	f.Add(buildSHP(shpPoint, []shpRecord{{parts: [][]orb.Point{{{384454, 404459}}}}}), dbf, "")
	f.Add(buildSHP(shpMultiPoint, []shpRecord{{parts: [][]orb.Point{{{1, 2}, {3, 4}}}}}), dbf, "EPSG:26971")
	f.Add(buildSHP(shpPolyLine, []shpRecord{{parts: [][]orb.Point{{{0, 0}, {1, 1}}, {{2, 2}, {3, 3}}}}}), dbf, "")
	f.Add(buildSHP(shpPolygon, []shpRecord{{null: true}}), []byte{}, "")
	f.Fuzz(func(t *testing.T, shp, dbf []byte, prj string) {
		c, err := ReadShapefile(bytes.NewReader(shp), bytes.NewReader(dbf), prj)
		if err != nil {
			return
		}
		exercise(c)
	})
}

func FuzzReadKML(f *testing.F) {
	f.Add([]byte(sampleKML))
	f.Add([]byte(`<?xml version="1.0" encoding="utf-8" ?><kml xmlns="http://www.opengis.net/kml/2.2"><Document id="root_doc"><Folder><name>chicago_police_districts</name><Placemark><name>17</name><description>District 17</description><Style><LineStyle><color>ff0000ff</color></LineStyle><PolyStyle><fill>0</fill></PolyStyle></Style><MultiGeometry><Polygon><outerBoundaryIs><LinearRing><coordinates>-87.7106708939135,41.9973656553694 -87.7106688472102,41.9972935935771 -87.71066053081,41.9972257656801 -87.7106708939135,41.9973656553694</coordinates></LinearRing></outerBoundaryIs></Polygon></MultiGeometry></Placemark></Folder></Document></kml>`))
	f.Add([]byte(`<kml><Placemark><MultiGeometry><MultiGeometry><Point><coordinates>1,2</coordinates></Point></MultiGeometry></MultiGeometry></Placemark></kml>`))
	f.Add([]byte(`<?xml version="1.0" encoding="ISO-8859-1"?><kml><Placemark><name>Caf` + "\xe9" + `</name></Placemark></kml>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ReadKML(bytes.NewReader(data))
		if err != nil {
			return
		}
		if c.CRS != "EPSG:4326" {
			t.Fatalf("CRS %q", c.CRS)
		}
		exercise(c)
	})
}

func FuzzParseCRS(f *testing.F) {
	for _, s := range []string{
		"EPSG:27700", "27700", "epsg:4326", "urn:ogc:def:crs:EPSG::27700", "urn:ogc:def:crs:OGC:1.3:CRS84", "CRS84", "WGS84",
		"EPSG:3435", "EPSG:26910", "EPSG:32756", "EPSG:99999", "http://www.opengis.net/def/crs/EPSG/0/3857",
		`PROJCS["Transverse_Mercator",GEOGCS["GCS_OSGB 1936",DATUM["D_OSGB_1936",SPHEROID["Airy_1830",6377563.396,299.3249646]],PRIMEM["Greenwich",0],UNIT["Degree",0.017453292519943295]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",49],PARAMETER["central_meridian",-2],PARAMETER["scale_factor",0.9996012717],PARAMETER["false_easting",400000],PARAMETER["false_northing",-100000],UNIT["Meter",1]]`,
		`PROJCS["NAD_1983_UTM_Zone_10N",GEOGCS["GCS_North_American_1983",DATUM["D_North_American_1983",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",-123.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]`,
		`PROJCS["l",GEOGCS["x",DATUM["y",SPHEROID["Clarke 1866",6378206.4,294.978698213898],TOWGS84[-8,160,176]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Lambert_Conformal_Conic_2SP"],PARAMETER["standard_parallel_1",28.38],PARAMETER["standard_parallel_2",30.28],PARAMETER["latitude_of_origin",27.83],PARAMETER["central_meridian",-99],PARAMETER["false_easting",2000000],UNIT["US survey foot",0.3048006096012192]]`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCRS(s)
		if err != nil {
			if !c.IsZero() {
				t.Fatal("non-zero CRS with error")
			}
			return
		}
		if c.Name == "" || c.Unit == "" {
			t.Fatalf("incomplete CRS %#v", c)
		}
		_ = c.String()
		va := c.ValidArea()
		ctr := va.Center()
		for _, p := range []orb.Point{ctr, va.Min, va.Max, {0, 0}} {
			if lon, lat, err := c.ToWGS84(p[0], p[1]); err == nil {
				_, _, _ = c.FromWGS84(lon, lat)
			}
		}
		_, _, _ = c.FromWGS84(-2.24, 53.48)
		_ = strings.TrimSpace(s)
	})
}
