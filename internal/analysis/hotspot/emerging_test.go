package hotspot

import (
	"context"
	"errors"
	"testing"
)

func bools(s string) []bool {
	b := make([]bool, len(s))
	for i, c := range s {
		b[i] = c == '1'
	}
	return b
}

// The decision rules on hand-made significance series (10 periods).
func TestClassifyRules(t *testing.T) {
	for _, c := range []struct {
		on, off    string
		more, less bool
		want       Pattern
	}{
		{"0000000000", "0000000000", false, false, NoPattern},
		{"0000000001", "0000000000", false, false, NewHot},
		{"0000000001", "0100000000", false, false, OscillatingHot}, // was cold: not new
		{"0000000111", "0000000000", false, false, ConsecutiveHot},
		{"0100000111", "0000000000", false, false, SporadicHot}, // hot before the final run
		{"0101010101", "0000000000", false, false, SporadicHot},
		{"0101010101", "1000000000", false, false, OscillatingHot},
		{"1111111111", "0000000000", false, false, PersistentHot},
		{"0111111111", "1000000000", false, false, PersistentHot}, // 90 %: a cold period is allowed
		{"1111111111", "0000000000", true, false, IntensifyingHot},
		{"1111111111", "0000000000", false, true, DiminishingHot},
		{"1111111110", "0000000000", false, false, HistoricalHot}, // 90 % but not in the final period
		{"1111111100", "0000000000", false, false, NoPattern},     // 80 % and not final: nothing
		{"0111111111", "0000000000", true, false, IntensifyingHot},
		{"0011111111", "0000000000", true, false, ConsecutiveHot}, // 80 %: not "mostly", one final run
	} {
		if got := classify(bools(c.on), bools(c.off), c.more, c.less, 0.9, false); got != c.want {
			t.Errorf("hot %s cold %s more %v less %v: %s, want %s", c.on, c.off, c.more, c.less, got, c.want)
		}
		// the cold mirror
		want := c.want
		if want != NoPattern {
			want = Pattern(string(want)[:len(want)-3] + "cold")
		}
		if got := classify(bools(c.on), bools(c.off), c.more, c.less, 0.9, true); got != want {
			t.Errorf("mirror of %s: %s, want %s", c.on, got, want)
		}
	}
}

// A 9×9 queen grid over 12 periods with one 3×3 block of high counts:
// hot throughout (persistent), growing (intensifying), shrinking but still
// hot (diminishing) or only in the last three periods (consecutive).
func TestEmergingHotSpots(t *testing.T) {
	const nx, ny, T = 9, 9, 12
	w, err := GridQueen(nx, ny)
	if err != nil {
		t.Fatal(err)
	}
	run := func(level func(t int) float64) ([][]float64, *EmergingResult) {
		values := make([][]float64, T)
		for tt := range values {
			v := make([]float64, nx*ny)
			for i := range v {
				v[i] = float64(1 + (i*7+tt*3)%3) // background 1..3
			}
			if l := level(tt); l > 0 {
				for dy := -1; dy <= 1; dy++ {
					for dx := -1; dx <= 1; dx++ {
						v[(4+dy)*nx+4+dx] = l
					}
				}
			}
			values[tt] = v
		}
		r, err := EmergingHotSpots(context.Background(), values, w, EmergingOptions{NoFDR: true})
		if err != nil {
			t.Fatal(err)
		}
		return values, r
	}
	var values [][]float64
	for _, c := range []struct {
		name  string
		level func(t int) float64
		want  Pattern
	}{
		{"persistent", func(t int) float64 { return float64(12 + t%2) }, PersistentHot},
		{"intensifying", func(t int) float64 { return float64(6 + 2*t) }, IntensifyingHot},
		{"diminishing", func(t int) float64 { return float64(40 - 2*t) }, DiminishingHot},
		{"consecutive", func(t int) float64 {
			if t >= T-3 {
				return 14
			}
			return 0
		}, ConsecutiveHot},
	} {
		v, r := run(c.level)
		values = v
		if got := r.Pattern[4*nx+4]; got != c.want {
			t.Errorf("%s: %s (hot periods %d, trend %+v), want %s", c.name, got, r.HotPeriods[4*nx+4], r.Trend[4*nx+4], c.want)
		}
		total := 0
		for _, n := range r.Counts {
			total += n
		}
		if total != nx*ny {
			t.Errorf("counts add up to %d, want %d", total, nx*ny)
		}
	}
	// permutations are seeded: same seed, same result
	a, _ := EmergingHotSpots(context.Background(), values, w, EmergingOptions{Permutations: 99, Seed: 7})
	b, _ := EmergingHotSpots(context.Background(), values, w, EmergingOptions{Permutations: 99, Seed: 7})
	for i := range a.Pattern {
		if a.Pattern[i] != b.Pattern[i] {
			t.Fatalf("cell %d: %s then %s with the same seed", i, a.Pattern[i], b.Pattern[i])
		}
	}
	if _, err := EmergingHotSpots(context.Background(), values[:2], w, EmergingOptions{}); !errors.Is(err, ErrInput) {
		t.Errorf("2 periods: %v", err)
	}
	values[3][5] = -1
	if _, err := EmergingHotSpots(context.Background(), values, w, EmergingOptions{}); !errors.Is(err, ErrInput) {
		t.Errorf("negative count: %v", err)
	}
}

func TestDistanceBandRefusesDegrees(t *testing.T) {
	_, err := DistanceBand([]float64{-87.70, -87.69, -87.60}, []float64{41.80, 41.81, 41.90}, 150)
	if !errors.Is(err, ErrInput) {
		t.Errorf("degrees with a 150 m band: %v", err)
	}
}
