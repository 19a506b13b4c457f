package hotspot

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/icarus-city/icarus/internal/geo"
	"github.com/icarus-city/icarus/internal/realdata"
)

func TestPolygonContiguitySquares(t *testing.T) {
	// a 2×2 block of unit squares: 0 1 (bottom), 2 3 (top)
	sq := func(x, y float64) [][][2]float64 {
		return [][][2]float64{{{x, y}, {x + 1, y}, {x + 1, y + 1}, {x, y + 1}, {x, y}}}
	}
	areas := [][][][2]float64{sq(0, 0), sq(1, 0), sq(0, 1), sq(1, 1)}
	q, err := PolygonContiguity(areas, Queen)
	if err != nil {
		t.Fatal(err)
	}
	r, err := PolygonContiguity(areas, Rook)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		if q.Cardinality(i) != 3 || r.Cardinality(i) != 2 {
			t.Errorf("area %d: queen %d rook %d neighbours, want 3 and 2", i, q.Cardinality(i), r.Cardinality(i))
		}
	}
	if _, err := PolygonContiguity(areas[:1], Queen); !errors.Is(err, ErrInput) {
		t.Errorf("one area: %v", err)
	}
}

func readGALFile(t *testing.T, path string) [][]int {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g, err := ParseGAL(f)
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range g.IDs {
		if id != strconv.Itoa(i+1) {
			t.Fatalf("%s: id %d is %q", path, i, id)
		}
	}
	return g.Neighbors
}

func shapeAreas(t *testing.T, dir, base string) [][][][2]float64 {
	read := func(ext string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, base+ext))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	c, err := geo.ReadShapefile(bytes.NewReader(read(".shp")), bytes.NewReader(read(".dbf")), "")
	if err != nil {
		t.Fatal(err)
	}
	var areas [][][][2]float64
	for _, f := range c.Features {
		mp, ok := geo.AsMultiPolygon(f.Geometry)
		if !ok {
			t.Fatalf("feature %d is not a polygon", f.Index)
		}
		var rings [][][2]float64
		for _, p := range mp {
			for _, ring := range p {
				r := make([][2]float64, len(ring))
				for k, pt := range ring {
					r[k] = pt
				}
				rings = append(rings, r)
			}
		}
		areas = append(areas, rings)
	}
	return areas
}

// St Louis: the rook weights equal PySAL's stl_hom_rook.gal, built from the
// polygons of stl_hom.shp. The queen weights equal what libpysal 4.7
// (Debian python3-libpysal) builds from the same file,
// Queen.from_shapefile("stl_hom.shp"): 406 links, which is the shipped
// stl.gal plus four pairs of counties that touch only at a corner,
// (33, 37), (35, 40), (66, 76) and (67, 73) in the file's 1-based ids (the
// shipped file was made by another tool).
func TestPolygonContiguitySTL(t *testing.T) {
	dir := realdata.Path(t, "pysal", "stl")
	areas := shapeAreas(t, dir, "stl_hom")
	corner := map[[2]int]bool{{32, 36}: true, {34, 39}: true, {65, 75}: true, {66, 72}: true}
	for _, c := range []struct {
		gal   string
		rule  Contiguity
		links int
	}{{"stl.gal", Queen, 406}, {"stl_hom_rook.gal", Rook, 398}} {
		want := readGALFile(t, filepath.Join(dir, c.gal))
		if c.rule == Queen {
			for p := range corner {
				want[p[0]] = append(want[p[0]], p[1])
				want[p[1]] = append(want[p[1]], p[0])
			}
		}
		w, err := PolygonContiguity(areas, c.rule)
		if err != nil {
			t.Fatal(err)
		}
		if w.N != len(want) || len(w.Index) != c.links {
			t.Fatalf("%s: %d areas and %d links, want %d and %d", c.gal, w.N, len(w.Index), len(want), c.links)
		}
		for i := 0; i < w.N; i++ {
			got := make([]int, 0)
			for _, j := range w.Index[w.Offsets[i]:w.Offsets[i+1]] {
				got = append(got, int(j))
			}
			exp := slices.Clone(want[i])
			slices.Sort(exp)
			if !slices.Equal(got, exp) {
				t.Errorf("%s area %d: %v, want %v", c.gal, i+1, got, exp)
			}
		}
	}
}
