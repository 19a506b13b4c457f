package store_test

import (
	"context"
	"database/sql"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/icarus-city/icarus/internal/realdata"
	"github.com/icarus-city/icarus/internal/store"
	"github.com/icarus-city/icarus/internal/store/storetest"
)

// TestKBSearchPostgresRanking compares the search on PostgreSQL with a
// reference query that ranks every match by ts_rank_cd over the query
// parsed in the seven configurations and OR-ed as parsed (duplicates
// included: the form before the search used each distinct parse once), on
// 1,000 documents of the benchmark corpus and the benchmark's 50 queries:
//
//   - every score the search returns equals the reference score of that
//     record (each distinct parse once ranks the same);
//   - when fewer records than the page match in their title or summary (the
//     search ranks every match), the page is the reference's top 20;
//   - otherwise (the first stage: title and summary matches only) the page
//     is the reference's ranking of the title and summary matches.
func TestKBSearchPostgresRanking(t *testing.T) {
	ctx := context.Background()
	url := storetest.NewMigratedPostgresDB(t)
	st, err := store.Open(ctx, url, t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	org, err := st.EnsureOrg(ctx, "rank", "Rank")
	if err != nil {
		t.Fatal(err)
	}
	paras, err := storetest.KBParagraphs(filepath.Join(realdata.Dir(t), "..", "reference"))
	if err != nil {
		t.Fatal(err)
	}
	docs := storetest.KBCorpus(org.ID, paras, 1000, 1)
	for i := 0; i < len(docs); i += 500 {
		if _, _, err := st.PutKBItemsAs(ctx, docs[i:i+500], "test", ""); err != nil {
			t.Fatal(err)
		}
	}
	var cfgs []string
	for _, c := range []string{"english", "french", "italian", "german", "portuguese", "dutch", "simple"} {
		cfgs = append(cfgs, "websearch_to_tsquery('kb_"+c+"', $2)")
	}
	ref := `WITH q AS (SELECT ` + strings.Join(cfgs, " || ") + ` AS q)
		SELECT i.id, ts_rank_cd(i.tsv, q.q) * CASE WHEN i.language = $3 THEN 1.25 ELSE 1 END AS score, i.tsv_head @@ q.q
		FROM kb_items i, q WHERE i.org_id = $1 AND i.status = 'published' AND i.tsv @@ q.q
		ORDER BY score DESC, i.id`
	type row struct {
		id    int64
		score float64
		head  bool
	}
	stage2 := 0
	for _, query := range storetest.KBQueries() {
		hits, err := st.SearchKB(ctx, org.ID, query, "en", store.KBFilter{}, 20)
		if err != nil {
			t.Fatal(err)
		}
		terms := strings.FieldsFunc(strings.ToLower(query), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		var all []row
		for _, sep := range []string{" ", " or "} {
			rows, err := db.QueryContext(ctx, ref, org.ID, strings.Join(terms, sep), "en")
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var r row
				if err := rows.Scan(&r.id, &r.score, &r.head); err != nil {
					t.Fatal(err)
				}
				all = append(all, r)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			rows.Close()
			if len(all) > 0 || len(terms) == 1 {
				break // any word only when all words find nothing, as SearchKB
			}
		}
		var heads []row
		byID := map[int64]float64{}
		for _, r := range all {
			byID[r.id] = r.score
			if r.head {
				heads = append(heads, r)
			}
		}
		want := all
		if len(heads) >= 20 {
			want = heads
		} else {
			stage2++
		}
		if len(heads) > 200 {
			t.Fatalf("%q: %d title and summary matches, more than the pool: the test needs a smaller corpus", query, len(heads))
		}
		want = want[:min(20, len(want))]
		if len(hits) != len(want) {
			t.Errorf("%q: %d hits, the reference %d", query, len(hits), len(want))
			continue
		}
		for i, h := range hits {
			if ref, ok := byID[h.ID]; !ok || math.Abs(h.Score-ref) > 1e-9*math.Max(1, ref) {
				t.Errorf("%q: record %d scored %g, the reference %g (found %v)", query, h.ID, h.Score, ref, ok)
			}
			if h.ID != want[i].id {
				t.Errorf("%q: hit %d is record %d (%g), the reference's is %d (%g)", query, i+1, h.ID, h.Score, want[i].id, want[i].score)
			}
		}
	}
	if stage2 == 0 {
		t.Error("no query ranked every match: the comparison of the second stage tested nothing")
	}
	t.Logf("%d of %d queries ranked every match (second stage)", stage2, len(storetest.KBQueries()))
}
