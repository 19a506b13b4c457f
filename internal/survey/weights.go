package survey

// Post-stratification weights and weighted estimates (docs/surveys-results.md).
//
// Each response in an area with population margins gets the expansion
// weight N_c / n_c of its cell c (age band × gender): the population of
// the cell over the respondents in it. Respondents whose cell is unknown
// ("prefer not to say", unanswered) or has no population, and every
// respondent of an area without margins, get the mean weight of the
// weighted respondents, so that they count as an average respondent.
// Estimates use the weighted shares and means; their intervals use Kish's
// effective sample size n_eff = (Σw)² / Σw² in place of n (Wilson score
// interval for shares, Student t with n_eff - 1 degrees of freedom for
// means). With all weights equal they are exactly the unweighted Tally.

import (
	"math"
	"slices"
)

// Stratum is a post-stratification cell (stratum): an age band and a gender (choice values).
type Stratum struct{ Age, Gender string }

// Margins are the population of each cell per area code.
type Margins map[string]map[Stratum]float64

// WeightSummary describes the weights PostStratify made.
type WeightSummary struct {
	Areas          int     `json:"areas"`            // areas with responses
	AreasWeighted  int     `json:"areas_weighted"`   // of them, with margins and at least one respondent in a populated cell
	Respondents    int     `json:"respondents"`      //
	InCell         int     `json:"in_cell"`          // respondents weighted by their cell
	MeanWeighted   int     `json:"mean_weighted"`    // respondents given the mean weight (cell unknown or unpopulated, or area without margins)
	EmptyCells     int     `json:"empty_cells"`      // populated cells without any respondent: their population is represented by no one
	EmptyPop       float64 `json:"empty_population"` // the population of those cells
	DesignEffect   float64 `json:"design_effect"`    // Kish: n Σw² / (Σw)²
	MinW, MaxW     float64 `json:"-"`
	MeanWeightUsed float64 `json:"mean_weight"`
}

// PostStratify returns one weight per response (in order) from the answers
// to the age and gender questions and the margins. With no usable margins
// every weight is 1 and AreasWeighted is 0.
func PostStratify(rs []Response, ageQ, genderQ string, m Margins) ([]float64, WeightSummary) {
	w := make([]float64, len(rs))
	sum := WeightSummary{Respondents: len(rs)}
	n := map[string]map[Stratum]int{}
	cellOf := func(r Response) (Stratum, bool) {
		a, _ := r.Answers[ageQ].(string)
		g, _ := r.Answers[genderQ].(string)
		c := Stratum{a, g}
		return c, a != "" && g != "" && m[r.Area][c] > 0
	}
	areas := map[string]bool{}
	for _, r := range rs {
		areas[r.Area] = true
		if c, ok := cellOf(r); ok {
			if n[r.Area] == nil {
				n[r.Area] = map[Stratum]int{}
			}
			n[r.Area][c]++
		}
	}
	sum.Areas = len(areas)
	var total float64
	for i, r := range rs {
		if c, ok := cellOf(r); ok {
			w[i] = m[r.Area][c] / float64(n[r.Area][c])
			total += w[i]
			sum.InCell++
		}
	}
	if sum.InCell == 0 {
		for i := range w {
			w[i] = 1
		}
		sum.MeanWeighted, sum.DesignEffect, sum.MinW, sum.MaxW, sum.MeanWeightUsed = len(rs), 1, 1, 1, 1
		return w, sum
	}
	mean := total / float64(sum.InCell)
	sum.MeanWeightUsed = mean
	for i := range w {
		if w[i] == 0 {
			w[i] = mean
			sum.MeanWeighted++
		}
	}
	sum.AreasWeighted = len(n)
	for a, cells := range m {
		if !areas[a] || n[a] == nil {
			continue
		}
		for c, pop := range cells {
			if pop > 0 && n[a][c] == 0 {
				sum.EmptyCells++
				sum.EmptyPop += pop
			}
		}
	}
	var sw, sw2 float64
	sum.MinW, sum.MaxW = math.Inf(1), math.Inf(-1)
	for _, x := range w {
		sw += x
		sw2 += x * x
		sum.MinW, sum.MaxW = math.Min(sum.MinW, x), math.Max(sum.MaxW, x)
	}
	sum.DesignEffect = float64(len(w)) * sw2 / (sw * sw)
	return w, sum
}

// Estimate is a weighted share with its 95% interval.
type Estimate struct {
	Count int     `json:"count"` // respondents (unweighted)
	P     float64 `json:"p"`
	Low   float64 `json:"ci95_low"`
	High  float64 `json:"ci95_high"`
}

// ChoiceEstimate is one choice of a question.
type ChoiceEstimate struct {
	Value string `json:"value"`
	Label string `json:"label"`
	Estimate
}

// QuestionEstimate is the weighted counterpart of QuestionResult.
type QuestionEstimate struct {
	Name      string           `json:"name"`
	Type      Type             `json:"type"`
	Label     string           `json:"label"`
	N         int              `json:"n"`     // respondents who answered
	NEff      float64          `json:"n_eff"` // Kish effective sample size
	Choices   []ChoiceEstimate `json:"choices,omitempty"`
	Indicator *ShareEstimate   `json:"indicator,omitempty"`
	Mean      *Mean            `json:"mean,omitempty"` // N is the respondents with a score
}

// ShareEstimate is an indicator's weighted share.
type ShareEstimate struct {
	Label  string   `json:"label"`
	Values []string `json:"values"`
	Estimate
}

// Estimates computes weighted shares and means per question (w nil: all
// weights 1). Answers are as Tally reads them; nothing is suppressed here.
func Estimates(d *Definition, rs []Response, w []float64, lang string) []QuestionEstimate {
	def := d.DefaultLang()
	wt := func(i int) float64 {
		if w == nil {
			return 1
		}
		return w[i]
	}
	var out []QuestionEstimate
	for _, q := range d.Questions() {
		if q.Type == "note" {
			continue // a note (shown, never answered) has no estimate
		}
		qe := QuestionEstimate{Name: q.Name, Type: q.Type, Label: q.Label.In(lang, def)}
		var sw, sw2 float64
		sums := map[string]float64{}
		counts := map[string]int{}
		var xs, ws []float64
		for i, r := range rs {
			v, ok := r.Answers[q.Name]
			if !ok {
				continue
			}
			wi := wt(i)
			qe.N++
			sw += wi
			sw2 += wi * wi
			switch x := v.(type) {
			case string:
				sums[x] += wi
				counts[x]++
				if q.Type == Likert {
					for _, c := range q.Choices {
						if c.Value == x && c.Score != nil {
							xs, ws = append(xs, *c.Score), append(ws, wi)
						}
					}
				}
			case []string:
				for _, s := range x {
					sums[s] += wi
					counts[s]++
				}
			case float64:
				xs, ws = append(xs, x), append(ws, wi)
			}
		}
		if sw > 0 {
			qe.NEff = sw * sw / sw2
		}
		est := func(sumw float64, count int) Estimate {
			e := Estimate{Count: count}
			if sw > 0 {
				e.P = sumw / sw
				e.Low, e.High = wilsonP(e.P, qe.NEff, Z95)
			}
			return e
		}
		switch q.Type {
		case Single, Multiple, Likert:
			for _, c := range q.Choices {
				qe.Choices = append(qe.Choices, ChoiceEstimate{Value: c.Value, Label: c.Label.In(lang, def), Estimate: est(sums[c.Value], counts[c.Value])})
			}
			if q.Indicator != nil {
				var s float64
				k := 0
				for _, v := range q.Indicator.Values {
					s += sums[v]
					k += counts[v]
				}
				qe.Indicator = &ShareEstimate{Label: q.Indicator.Label.In(lang, def), Values: slices.Clone(q.Indicator.Values), Estimate: est(s, k)}
			}
		case Area:
			codes := make([]string, 0, len(counts))
			for c := range counts {
				codes = append(codes, c)
			}
			slices.Sort(codes)
			for _, c := range codes {
				qe.Choices = append(qe.Choices, ChoiceEstimate{Value: c, Label: c, Estimate: est(sums[c], counts[c])})
			}
		}
		if (q.Type == Number || q.Type == Likert) && len(xs) >= 2 {
			qe.Mean = weightedMeanCI(xs, ws)
		}
		out = append(out, qe)
	}
	return out
}

// ShareOf is the weighted share of the respondents to question name whose
// answer is (or, for a multiple choice, includes) one of values, with n the
// respondents who answered and n_eff.
func ShareOf(rs []Response, w []float64, name string, values []string) (e Estimate, n int, neff float64) {
	var sw, sw2, sx float64
	for i, r := range rs {
		v, ok := r.Answers[name]
		if !ok {
			continue
		}
		wi := 1.0
		if w != nil {
			wi = w[i]
		}
		n++
		sw += wi
		sw2 += wi * wi
		hit := false
		switch x := v.(type) {
		case string:
			hit = slices.Contains(values, x)
		case []string:
			for _, s := range x {
				hit = hit || slices.Contains(values, s)
			}
		}
		if hit {
			sx += wi
			e.Count++
		}
	}
	if sw == 0 {
		return Estimate{Low: 0, High: 1}, 0, 0
	}
	neff = sw * sw / sw2
	e.P = sx / sw
	e.Low, e.High = wilsonP(e.P, neff, Z95)
	return e, n, neff
}

// wilsonP is the Wilson score interval of a proportion p from a (possibly
// effective, non-integer) sample size n; Wilson(x, n) for p = x/n.
func wilsonP(p, n, z float64) (lo, hi float64) {
	if n <= 0 {
		return 0, 1
	}
	z2 := z * z
	den := 1 + z2/n
	centre := (p + z2/(2*n)) / den
	half := z / den * math.Sqrt(p*(1-p)/n+z2/(4*n*n))
	lo, hi = math.Max(0, centre-half), math.Min(1, centre+half)
	if p <= 0 {
		lo = 0
	}
	if p >= 1 {
		hi = 1
	}
	return lo, hi
}

// weightedMeanCI is the weighted mean with a t interval on the effective
// sample size (equal weights: meanCI).
func weightedMeanCI(xs, ws []float64) *Mean {
	var sw, sw2, sx float64
	for i, x := range xs {
		sw += ws[i]
		sw2 += ws[i] * ws[i]
		sx += ws[i] * x
	}
	m := sx / sw
	var ss float64
	for i, x := range xs {
		ss += ws[i] * (x - m) * (x - m)
	}
	neff := sw * sw / sw2
	if neff <= 1 {
		return &Mean{N: len(xs), Mean: m, Low: math.Inf(-1), High: math.Inf(1)}
	}
	sd := math.Sqrt(ss / sw * neff / (neff - 1))
	df := int(math.Floor(neff - 1 + 1e-9))
	half := tQuantile975(max(1, df)) * sd / math.Sqrt(neff)
	return &Mean{N: len(xs), Mean: m, SD: sd, Low: m - half, High: m + half}
}
