package demo

import (
	"context"
	"testing"

	"github.com/icarus-city/icarus/internal/hub"
	"github.com/icarus-city/icarus/internal/store"
	"github.com/icarus-city/icarus/internal/store/storetest"
)

// TestLoad loads the whole demo city and checks the counts the README promises.
func TestLoad(t *testing.T) {
	ctx := context.Background()
	st := storetest.OpenForTest(t, t.TempDir(), store.Options{})
	org, err := st.EnsureOrg(ctx, OrgSlug, OrgName)
	if err != nil {
		t.Fatal(err)
	}
	sums, err := Load(ctx, hub.New(st), org.ID, func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		kind     string
		accepted int
	}{{"areas", 282}, {"areas", 215}, {"incidents", 8144}, {"incidents", 92666}}
	if len(sums) != len(want) {
		t.Fatalf("got %d imports, want %d", len(sums), len(want))
	}
	for i, w := range want {
		s := sums[i]
		if s.Kind != w.kind || s.Accepted != w.accepted || s.Rejected != 0 || s.Read != s.Accepted+s.Rejected {
			t.Errorf("import %d (%s): %+v, want %d accepted, none rejected", i, s.File, s, w.accepted)
		}
	}
	ls, err := st.Layers(ctx, org.ID)
	if err != nil || len(ls) != 2 || ls[0].Areas != 282 || ls[1].Areas != 215 {
		t.Fatalf("layers %+v, %v", ls, err)
	}
	// Every 2017 Manchester point lies in one of the 282 LSOAs (the file's own LSOA_id says so).
	counts, n, err := st.CountByArea(ctx, store.Filter{OrgID: org.ID, DatasetID: 1}, ls[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, c := range counts {
		sum += c.Count
	}
	if n != 8144 || sum != 8144 {
		t.Errorf("LSOA assignment: %d of %d points assigned, want all 8144", sum, n)
	}
	// LSOAs nest in wards: each LSOA's containment shares in the ward layer sum to about 1.
	cs, err := st.ContainmentOf(ctx, ls[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	share := map[int64]float64{}
	for _, c := range cs {
		share[c.ChildID] += c.Share
	}
	if len(share) < 270 {
		t.Errorf("only %d of 282 LSOAs have a parent ward", len(share))
	}
	for id, s := range share {
		if s < 0.9 || s > 1.0001 {
			t.Errorf("LSOA %d: ward shares sum to %.2f", id, s)
		}
	}
}

func BenchmarkLoad(b *testing.B) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		st, err := store.OpenSQLite(ctx, b.TempDir(), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		org, _ := st.EnsureOrg(ctx, OrgSlug, OrgName)
		if _, err := Load(ctx, hub.New(st), org.ID, func(string) {}); err != nil {
			b.Fatal(err)
		}
		st.Close()
	}
}
