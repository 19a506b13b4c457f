package survey

import (
	"math"
	"slices"
)

// Z95 is the standard normal quantile for two-sided 95% intervals.
const Z95 = 1.959963984540054

// Wilson returns the Wilson score interval of x successes in n trials for
// quantile z (Z95 for 95%). With n = 0 it returns 0, 1.
func Wilson(x, n int, z float64) (lo, hi float64) {
	if n <= 0 {
		return 0, 1
	}
	nf := float64(n)
	p := float64(x) / nf
	z2 := z * z
	den := 1 + z2/nf
	centre := (p + z2/(2*nf)) / den
	half := z / den * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	lo, hi = math.Max(0, centre-half), math.Min(1, centre+half)
	if x == 0 {
		lo = 0
	}
	if x == n {
		hi = 1
	}
	return lo, hi
}

// Response is a stored response as results see it.
type Response struct {
	Area    string // area code ("" when the response was not placed)
	Answers Answers
}

// Cell is the count of one choice of a question.
type Cell struct {
	Value      string   `json:"value"`
	Label      string   `json:"label"`
	Count      *int     `json:"count"` // nil when suppressed
	P          *float64 `json:"p,omitempty"`
	Low        *float64 `json:"ci95_low,omitempty"`
	High       *float64 `json:"ci95_high,omitempty"`
	Suppressed bool     `json:"suppressed,omitempty"`
}

// Share is a headline proportion (an Indicator) with its Wilson interval.
type Share struct {
	Label      string   `json:"label"`
	Count      *int     `json:"count"`
	N          *int     `json:"n"`
	P          *float64 `json:"p,omitempty"`
	Low        *float64 `json:"ci95_low,omitempty"`
	High       *float64 `json:"ci95_high,omitempty"`
	Suppressed bool     `json:"suppressed,omitempty"`
}

// Mean is the mean of a number question (or of a Likert scale's scores)
// with a 95% t interval.
type Mean struct {
	N    int     `json:"n"`
	Mean float64 `json:"mean"`
	SD   float64 `json:"sd"`
	Low  float64 `json:"ci95_low"`
	High float64 `json:"ci95_high"`
}

// QuestionResult aggregates the answers to one question. Proportions are
// of the respondents who answered it (N), so that skip logic and missing
// answers do not dilute them; a multiple-choice question's proportions may
// add up to more than 1.
type QuestionResult struct {
	Name      string `json:"name"`
	Type      Type   `json:"type"`
	Label     string `json:"label"`
	N         *int   `json:"n"` // withheld (nil) when a cell is suppressed, so that it cannot be subtracted back
	Cells     []Cell `json:"choices,omitempty"`
	Indicator *Share `json:"indicator,omitempty"`
	Mean      *Mean  `json:"mean,omitempty"`
}

// AreaResult is the results within one area.
type AreaResult struct {
	Area       string           `json:"area"`
	Responses  *int             `json:"responses"`
	Suppressed bool             `json:"suppressed,omitempty"`
	Questions  []QuestionResult `json:"questions,omitempty"`
}

// Results are the aggregates of a survey's responses.
type Results struct {
	Responses     int              `json:"responses"`
	SuppressBelow int              `json:"suppress_below"`
	Questions     []QuestionResult `json:"questions"`
	Areas         []AreaResult     `json:"areas"`
}

// Tally aggregates responses (answers already validated) per question,
// overall and per area, in language lang. Counts below suppressBelow (but
// above zero) are suppressed, as is every area with fewer responses; 0
// suppresses nothing. Text, date and location answers are only counted.
func Tally(d *Definition, rs []Response, lang string, suppressBelow int) Results {
	res := Results{Responses: len(rs), SuppressBelow: suppressBelow}
	res.Questions = tallyQuestions(d, rs, lang, suppressBelow)
	byArea := map[string][]Response{}
	for _, r := range rs {
		if r.Area != "" {
			byArea[r.Area] = append(byArea[r.Area], r)
		}
	}
	codes := make([]string, 0, len(byArea))
	for c := range byArea {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	res.Areas = []AreaResult{}
	for _, c := range codes {
		n := len(byArea[c])
		ar := AreaResult{Area: c}
		if n < suppressBelow {
			ar.Suppressed = true
		} else {
			ar.Responses = &n
			ar.Questions = tallyQuestions(d, byArea[c], lang, suppressBelow)
		}
		res.Areas = append(res.Areas, ar)
	}
	return res
}

func tallyQuestions(d *Definition, rs []Response, lang string, k int) []QuestionResult {
	def := d.DefaultLang()
	var out []QuestionResult
	for _, q := range d.Questions() {
		if q.Type == Note {
			continue // a note has no answers
		}
		qr := QuestionResult{Name: q.Name, Type: q.Type, Label: q.Label.In(lang, def)}
		n := 0
		counts := map[string]int{}
		var nums []float64
		for _, r := range rs {
			v, ok := r.Answers[q.Name]
			if !ok {
				continue
			}
			n++
			switch x := v.(type) {
			case string:
				counts[x]++
			case []string:
				for _, s := range x {
					counts[s]++
				}
			case float64:
				nums = append(nums, x)
			}
			if q.Type == Likert {
				if s, ok := v.(string); ok {
					for _, c := range q.Choices {
						if c.Value == s && c.Score != nil {
							nums = append(nums, *c.Score)
						}
					}
				}
			}
		}
		hidden := false
		cell := func(value, label string, x int) Cell {
			c := Cell{Value: value, Label: label}
			if x > 0 && x < k {
				c.Suppressed, hidden = true, true
				return c
			}
			c.Count = &x
			if n > 0 {
				p := float64(x) / float64(n)
				lo, hi := Wilson(x, n, Z95)
				c.P, c.Low, c.High = &p, &lo, &hi
			}
			return c
		}
		switch q.Type {
		case Single, Multiple, Likert:
			for _, c := range q.Choices {
				qr.Cells = append(qr.Cells, cell(c.Value, c.Label.In(lang, def), counts[c.Value]))
			}
			if q.Indicator != nil {
				x := 0
				for _, v := range q.Indicator.Values {
					x += counts[v]
				}
				sh := &Share{Label: q.Indicator.Label.In(lang, def)}
				if (x > 0 && x < k) || (n-x > 0 && n-x < k) {
					sh.Suppressed = true
				} else {
					nn := n
					sh.Count, sh.N = &x, &nn
					if n > 0 {
						p := float64(x) / float64(n)
						lo, hi := Wilson(x, n, Z95)
						sh.P, sh.Low, sh.High = &p, &lo, &hi
					}
				}
				qr.Indicator = sh
			}
		case Area:
			codes := make([]string, 0, len(counts))
			for c := range counts {
				codes = append(codes, c)
			}
			slices.Sort(codes)
			for _, c := range codes {
				qr.Cells = append(qr.Cells, cell(c, c, counts[c]))
			}
		}
		if (q.Type == Number || q.Type == Likert) && len(nums) >= max(2, k) {
			qr.Mean = meanCI(nums)
		}
		if !hidden && !(n > 0 && n < k) {
			qr.N = &n
		}
		out = append(out, qr)
	}
	return out
}

// meanCI is the mean with a 95% interval from Student's t.
func meanCI(xs []float64) *Mean {
	n := float64(len(xs))
	var sum float64
	for _, x := range xs {
		sum += x
	}
	m := sum / n
	var ss float64
	for _, x := range xs {
		ss += (x - m) * (x - m)
	}
	sd := math.Sqrt(ss / (n - 1))
	half := tQuantile975(len(xs)-1) * sd / math.Sqrt(n)
	return &Mean{N: len(xs), Mean: m, SD: sd, Low: m - half, High: m + half}
}

// tQuantile975 is the 0.975 quantile of Student's t with df degrees of
// freedom (table to 30, then the normal approximation with a 1/df correction).
func tQuantile975(df int) float64 {
	tab := [...]float64{0, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
		2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
		2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042}
	if df < 1 {
		return math.Inf(1)
	}
	if df < len(tab) {
		return tab[df]
	}
	// Cornish-Fisher expansion to second order: error below 1e-3 for df > 30.
	z := Z95
	return z + (z*z*z+z)/(4*float64(df)) + (5*math.Pow(z, 5)+16*z*z*z+3*z)/(96*float64(df)*float64(df))
}
