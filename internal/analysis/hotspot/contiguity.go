package hotspot

import (
	"math"
	"slices"
)

// Contiguity is the rule for polygon neighbours.
type Contiguity int

const (
	// Queen: two areas are neighbours when they share at least one vertex
	// (PySAL's Queen, GeoDa's queen contiguity).
	Queen Contiguity = iota
	// Rook: two areas are neighbours when they share an edge, i.e. two
	// consecutive vertices of one area's ring are consecutive in the
	// other's (PySAL's Rook).
	Rook
)

// PolygonContiguity builds binary contiguity weights between areas from
// their boundaries: areas[i] holds the rings (outer boundaries and holes,
// of all its parts) of area i, each ring a list of vertices (x, y), closed
// or not. Vertices are matched exactly, as PySAL does, so areas digitised
// separately (whose shared borders do not have identical vertices) are not
// found adjacent: use a topologically clean boundary file. Cost: O(total
// vertices · log).
func PolygonContiguity(areas [][][][2]float64, rule Contiguity) (*Weights, error) {
	if rule != Queen && rule != Rook {
		return nil, inputErr("unknown contiguity rule %d", rule)
	}
	n := len(areas)
	if n < 2 {
		return nil, inputErr("%d areas: contiguity needs at least 2", n)
	}
	type key struct{ a, b [2]float64 }
	type item struct {
		k    key
		area int32
	}
	var items []item
	for i, rings := range areas {
		nv := 0
		for _, ring := range rings {
			for _, p := range ring {
				if math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0) {
					return nil, inputErr("area %d: a vertex is not finite", i)
				}
			}
			nv += len(ring)
			m := len(ring)
			if m > 1 && ring[0] == ring[m-1] {
				m-- // closed ring: the last vertex repeats the first
			}
			for j := 0; j < m; j++ {
				if rule == Queen {
					items = append(items, item{key{ring[j], ring[j]}, int32(i)})
					continue
				}
				a, b := ring[j], ring[(j+1)%m]
				if a == b {
					continue
				}
				if b[0] < a[0] || (b[0] == a[0] && b[1] < a[1]) {
					a, b = b, a
				}
				items = append(items, item{key{a, b}, int32(i)})
			}
		}
		if nv == 0 {
			return nil, inputErr("area %d has no boundary", i)
		}
	}
	cmp2 := func(p, q [2]float64) int {
		switch {
		case p[0] < q[0]:
			return -1
		case p[0] > q[0]:
			return 1
		case p[1] < q[1]:
			return -1
		case p[1] > q[1]:
			return 1
		}
		return 0
	}
	slices.SortFunc(items, func(x, y item) int {
		if c := cmp2(x.k.a, y.k.a); c != 0 {
			return c
		}
		if c := cmp2(x.k.b, y.k.b); c != 0 {
			return c
		}
		return int(x.area - y.area)
	})
	lists := make([][]int, n)
	for s := 0; s < len(items); {
		e := s + 1
		for e < len(items) && items[e].k == items[s].k {
			e++
		}
		for i := s; i < e; i++ {
			for j := i + 1; j < e; j++ {
				a, b := int(items[i].area), int(items[j].area)
				if a != b {
					lists[a] = append(lists[a], b)
					lists[b] = append(lists[b], a)
				}
			}
		}
		s = e
	}
	for i := range lists {
		slices.Sort(lists[i])
		lists[i] = slices.Compact(lists[i])
	}
	return FromNeighbors(lists)
}
