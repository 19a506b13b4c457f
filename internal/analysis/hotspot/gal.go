package hotspot

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// GAL is a contiguity file's content: the observation ids in file order and,
// for each, the positions (into IDs) of its neighbours.
type GAL struct {
	IDs       []string
	Neighbors [][]int
}

// ParseGAL reads a GeoDa/PySAL .gal contiguity file. The header is either
// "n" or "0 n name key" (the long form); then, per observation, a line
// "id count" and a line with count neighbour ids. Ids are matched as strings,
// so they may be numbers or names; they must all be declared.
func ParseGAL(r io.Reader) (*GAL, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<26)
	var toks []string
	lineOf := []int{}
	line := 0
	for sc.Scan() {
		line++
		for _, f := range strings.Fields(sc.Text()) {
			toks = append(toks, f)
			lineOf = append(lineOf, line)
		}
		if line == 1 {
			// the header is the first line alone
			toks = append(toks, "\n")
			lineOf = append(lineOf, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, inputErr("GAL: empty file")
	}
	var header []string
	k := 0
	for ; k < len(toks) && toks[k] != "\n"; k++ {
		header = append(header, toks[k])
	}
	k++
	var nStr string
	switch {
	case len(header) == 1:
		nStr = header[0]
	case len(header) >= 2:
		nStr = header[1]
	default:
		return nil, inputErr("GAL line 1: no header")
	}
	n, err := strconv.Atoi(nStr)
	if err != nil || n < 0 {
		return nil, inputErr("GAL line 1: %q is not a count of observations", nStr)
	}
	g := &GAL{IDs: make([]string, 0, n)}
	raw := make([][]string, 0, n)
	pos := map[string]int{}
	next := func(what string) (string, int, error) {
		if k >= len(toks) {
			return "", line, inputErr("GAL: the file ends before %s (%d of %d observations read)", what, len(g.IDs), n)
		}
		k++
		return toks[k-1], lineOf[k-1], nil
	}
	for len(g.IDs) < n {
		id, ln, err := next("an id")
		if err != nil {
			return nil, err
		}
		cs, _, err := next("a neighbour count")
		if err != nil {
			return nil, err
		}
		c, err := strconv.Atoi(cs)
		if err != nil || c < 0 {
			return nil, inputErr("GAL line %d: %q is not a neighbour count", ln, cs)
		}
		if _, dup := pos[id]; dup {
			return nil, inputErr("GAL line %d: id %q appears twice", ln, id)
		}
		pos[id] = len(g.IDs)
		g.IDs = append(g.IDs, id)
		nb := make([]string, c)
		for m := range nb {
			if nb[m], _, err = next("a neighbour id"); err != nil {
				return nil, err
			}
		}
		raw = append(raw, nb)
	}
	if k < len(toks) {
		return nil, inputErr("GAL line %d: more data after the %d declared observations", lineOf[k], n)
	}
	g.Neighbors = make([][]int, n)
	for i, nb := range raw {
		g.Neighbors[i] = make([]int, len(nb))
		for m, id := range nb {
			j, ok := pos[id]
			if !ok {
				return nil, inputErr("GAL: neighbour %q of %q is not declared", id, g.IDs[i])
			}
			g.Neighbors[i][m] = j
		}
	}
	return g, nil
}
