package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/icarus-city/icarus/internal/kb"
)

// Facets of a knowledge-base search: for each dimension, the number of
// matching records per value. Kept apart from SearchKB (which ranks): the
// facets count every match of the query, not a page of it.

// KBFacets are the counts of a search's facets. Each dimension counts the
// records that match the query and every selected filter except that
// dimension's own (so that choosing another value of it is a count away);
// Total counts the records that match every filter.
type KBFacets struct {
	Total        int
	AnyWord      bool // the query matched with any word, as SearchKB then does (no record has all words)
	Kind         map[string]int
	FocusArea    map[string]int // "" = no focus area
	CrossCutting map[string]int
	Approach     map[string]int
	Country      map[string]int // "" = no country
	Decade       map[int]int    // 1990 = 1990-1999; records without a year are not counted
	Strength     map[string]int // evidence cards only
}

// Facet dimensions (KBFacets, KBFilter).
const (
	FacetKind     = "kind"
	FacetFocus    = "focus"
	FacetCC       = "cc"
	FacetApproach = "approach"
	FacetCountry  = "country"
	FacetDecade   = "decade"
	FacetStrength = "strength"
)

// kbFacetRow is one combination of facet values among the matches and
// the number n of matching records that have it.
type kbFacetRow struct {
	kind, focus, country, strength string
	cc, ap                         []string
	year                           int // the decade when the filter's decade is a multiple of 10 (kbFacetRows)
	n                              int
}

// passes reports whether the row passes the filter, ignoring dimension skip.
func (r kbFacetRow) passes(f KBFilter, skip string) bool {
	has := func(list []string, v string) bool {
		for _, x := range list {
			if x == v {
				return true
			}
		}
		return false
	}
	return (skip == FacetKind || f.Kind == "" || r.kind == f.Kind) &&
		(skip == FacetFocus || f.FocusArea == "" || r.focus == f.FocusArea) &&
		(skip == FacetCC || f.CrossCutting == "" || has(r.cc, f.CrossCutting)) &&
		(skip == FacetApproach || f.Approach == "" || has(r.ap, f.Approach)) &&
		(skip == FacetCountry || f.Country == "" || r.country == f.Country) &&
		(skip == FacetDecade || f.Decade == 0 || (r.year >= f.Decade && r.year < f.Decade+10)) &&
		(skip == FacetStrength || f.Strength == "" || r.strength == f.Strength)
}

// KBFacets counts the facets of the search SearchKB runs for the same
// query and filter (f.Language and f.Status narrow every count; the other
// fields are the facets). Like SearchKB, all words must match, or any
// word when no record passing the filters has all of them; an empty query
// counts every record.
func (s *Store) KBFacets(ctx context.Context, orgID int64, query string, f KBFilter) (KBFacets, error) {
	terms := searchTerms(query)
	rows, err := s.kbFacetRows(ctx, orgID, terms, false, f)
	if err != nil {
		return KBFacets{}, err
	}
	out := countFacets(rows, f)
	if out.Total == 0 && len(terms) > 1 {
		if rows, err = s.kbFacetRows(ctx, orgID, terms, true, f); err != nil {
			return KBFacets{}, err
		}
		out = countFacets(rows, f)
		out.AnyWord = true
	}
	return out, nil
}

func countFacets(rows []kbFacetRow, f KBFilter) KBFacets {
	out := KBFacets{Kind: map[string]int{}, FocusArea: map[string]int{}, CrossCutting: map[string]int{}, Approach: map[string]int{},
		Country: map[string]int{}, Decade: map[int]int{}, Strength: map[string]int{}}
	for _, r := range rows {
		n := r.n
		if r.passes(f, "") {
			out.Total += n
		}
		if r.passes(f, FacetKind) {
			out.Kind[r.kind] += n
		}
		if r.passes(f, FacetFocus) {
			out.FocusArea[r.focus] += n
		}
		if r.passes(f, FacetCC) {
			for _, c := range r.cc {
				out.CrossCutting[c] += n
			}
		}
		if r.passes(f, FacetApproach) {
			for _, a := range r.ap {
				out.Approach[a] += n
			}
		}
		if r.passes(f, FacetCountry) {
			out.Country[r.country] += n
		}
		if r.year > 0 && r.passes(f, FacetDecade) {
			out.Decade[r.year/10*10] += n
		}
		if r.strength != "" && r.passes(f, FacetStrength) {
			out.Strength[r.strength] += n
		}
	}
	return out
}

// kbFacetRows returns the facet columns of every record of the
// organisation that matches the query words (all of them, or any with
// anyWord) in f's language and status; the facet filters apply in Go.
func (s *Store) kbFacetRows(ctx context.Context, orgID int64, terms []string, anyWord bool, f KBFilter) ([]kbFacetRow, error) {
	where, args := kbWhere(KBFilter{Language: f.Language, Status: f.Status}, []any{orgID})
	match := ""
	if len(terms) > 0 {
		if s.dialect == "postgres" {
			sep := " "
			if anyWord {
				sep = " or "
			}
			args = append(args, strings.Join(terms, sep))
			p := "$" + strconv.Itoa(len(args))
			var cfgs []string
			for _, c := range []string{"english", "french", "italian", "german", "portuguese", "dutch", "simple"} {
				cfgs = append(cfgs, "websearch_to_tsquery('kb_"+c+"', "+p+")")
			}
			// the query of each configuration once: the same query parsed
			// in several configurations (most words stem alike) would be
			// one more scan of the same GIN posting lists each
			match = `(SELECT string_agg(DISTINCT '(' || x::text || ')', ' | ')::tsquery
				FROM unnest(ARRAY[` + strings.Join(cfgs, ", ") + `]) x WHERE x::text <> '')`
		} else {
			groups := make([]string, len(terms))
			for i, t := range terms {
				fs := kb.QueryForms(t)
				q := make([]string, len(fs))
				for j, f := range fs {
					q[j] = `"` + f + `"`
				}
				groups[i] = "(" + strings.Join(q, " OR ") + ")"
			}
			sep := " AND "
			if anyWord {
				sep = " OR "
			}
			args = append(args, strings.Join(groups, sep))
			match = ` AND i.id IN (SELECT rowid FROM kb_fts WHERE kb_fts MATCH $` + strconv.Itoa(len(args)) + `)`
		}
	}
	from := `kb_items i`
	if s.dialect == "postgres" && match != "" {
		// the matching records from the GIN index alone, read once for
		// their short facet columns (a bitmap heap scan, which does not
		// detoast their stored vectors); OFFSET 0 keeps the organisation
		// and status conditions out of the subquery, where the planner
		// would rather scan their btree index and test every vector
		// (kbFacetRowsPG)
		from = `(SELECT m.org_id, m.status, m.language, m.kind, m.focus_area, m.cross_cutting, m.approaches, m.country, m.year, m.evidence_strength
			FROM kb_items m WHERE m.tsv @@ ` + match + ` OFFSET 0) i`
		match = ""
	}
	if s.dialect != "postgres" {
		// the covering index of migration 0011 (SQLite): the facet columns
		// come after the long body in the row
		from = `kb_items i INDEXED BY kb_items_facets`
	}
	// one row per combination of facet values with its number of records,
	// years taken to their decade (positive years; a decade filter
	// that is not a multiple of 10 keeps the years): a few hundred rows
	// for thousands of matches, each counted once in Go (countFacets)
	// rather than read and scanned one by one
	year := `CASE WHEN i.year > 0 THEN i.year - i.year % 10 ELSE i.year END`
	if f.Decade%10 != 0 {
		year = `i.year`
	}
	q := `SELECT i.kind, i.focus_area, i.cross_cutting, i.approaches, i.country, ` + year + `, i.evidence_strength, count(*)
		FROM ` + from + ` WHERE i.org_id = $1` + where + match + `
		GROUP BY 1, 2, 3, 4, 5, 6, 7`
	if s.dialect == "postgres" && len(terms) > 0 {
		return s.kbFacetRowsPG(ctx, q, args)
	}
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return scanFacetRows(rows)
}

// kbFacetRowsPG runs the facet query of a text search on PostgreSQL with
// sequential and plain index scans (and sorts) off for its transaction. The planner
// does not count the cost of detoasting each record's stored tsvector
// (~10 kB compressed for a long document): when a query matches many
// records it picks a sequential scan testing every vector (1.1-1.5 s
// over 10,000 long documents) over the GIN index, which gives the
// matching records without reading the vectors, the plan these settings
// leave (docs/benchmarks.md).
func (s *Store) kbFacetRowsPG(ctx context.Context, q string, args []any) ([]kbFacetRow, error) {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	// sequential and plain index scans off; and sorts: the planner expects
	// a few matches and would sort them on their text columns to group
	// them, rather than hash them (one round trip, for this transaction)
	if _, err := tx.ExecContext(ctx, `SELECT set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true), set_config('enable_sort', 'off', true)`); err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return scanFacetRows(rows)
}

func scanFacetRows(rows *sql.Rows) ([]kbFacetRow, error) {
	defer rows.Close()
	var out []kbFacetRow
	for rows.Next() {
		var r kbFacetRow
		var cc, ap string
		if err := rows.Scan(&r.kind, &r.focus, &cc, &ap, &r.country, &r.year, &r.strength, &r.n); err != nil {
			return nil, err
		}
		r.cc, r.ap = splitList(cc), splitList(ap)
		out = append(out, r)
	}
	return out, rows.Err()
}
