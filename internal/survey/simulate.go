package survey

import (
	"math"
	"math/rand/v2"
)

// Simulate makes n simulated raw responses to d in each area (demos and
// load tests; they pass Validate). Each area gets a latent level of
// insecurity, so that answers vary between areas: choice questions lean
// toward their later (or earlier) choices accordingly. Free text, dates
// and locations are left unanswered unless required.
func Simulate(d *Definition, areas []string, n int, rnd *rand.Rand) []map[string]any {
	var out []map[string]any
	for _, area := range areas {
		level := rnd.Float64() // 0 secure .. 1 insecure
		for range n {
			raw := map[string]any{}
			norm := Answers{}
			for _, q := range d.Questions() {
				if !Relevant(q, norm) {
					continue
				}
				var v any
				switch q.Type {
				case Single, Likert:
					v = pick(q.Choices, level, rnd).Value
				case Multiple:
					var vals []any
					var vs []string
					for _, c := range q.Choices[:len(q.Choices)-1] {
						if rnd.Float64() < 0.05+0.2*level {
							vals, vs = append(vals, c.Value), append(vs, c.Value)
						}
					}
					if len(vals) == 0 {
						last := q.Choices[len(q.Choices)-1].Value
						vals, vs = []any{last}, []string{last}
					}
					raw[q.Name], norm[q.Name] = vals, vs
					continue
				case Number:
					lo, hi := 0.0, 100.0
					if q.Min != nil {
						lo = *q.Min
					}
					if q.Max != nil {
						hi = *q.Max
					}
					v = math.Round(lo + rnd.Float64()*(hi-lo))
				case Area:
					v = area
				case Text:
					if q.Required {
						v = "simulated"
					}
				case Date:
					if q.Required {
						v = "2024-01-01"
					}
				case Location:
					if q.Required {
						v = map[string]any{"lat": 0.0, "lon": 0.0}
					}
				}
				if v != nil {
					raw[q.Name] = v
					norm[q.Name] = v
				}
			}
			out = append(out, raw)
		}
	}
	return out
}

// pick draws a choice: scored choices lean with level (later choices more
// likely when level is high), unscored ones ("don't know") take 5%.
func pick(cs []Choice, level float64, rnd *rand.Rand) Choice {
	w := make([]float64, len(cs))
	total := 0.0
	for i := range cs {
		pos := float64(i) / float64(max(1, len(cs)-1))
		w[i] = math.Exp(-3 * math.Abs(pos-level))
		if cs[i].Score == nil && i > 0 && cs[i].Value != cs[0].Value && isTail(cs, i) {
			w[i] = 0.05
		}
		total += w[i]
	}
	x := rnd.Float64() * total
	for i := range cs {
		if x < w[i] {
			return cs[i]
		}
		x -= w[i]
	}
	return cs[len(cs)-1]
}

// isTail reports whether choice i comes after the scored choices of a scale.
func isTail(cs []Choice, i int) bool {
	for _, c := range cs[:i] {
		if c.Score != nil {
			return true
		}
	}
	return false
}
