package web

// Survey results and the Riga comparison (docs/surveys-results.md):
//
//   - /surveys/{id}/results: per question, shares with Wilson intervals and
//     means with t intervals, optionally post-stratified by age band ×
//     gender per area (population margins as area indicators
//     pop_<age band>_<gender>), srBar charts with interval whiskers, and a
//     choropleth of one answer share by area;
//   - /surveys/{id}/compare: per area, the share feeling unsafe (SDG
//     16.1.4) beside the recorded incident rate per 1,000 residents (or the
//     count when no population is known), quadrants against the medians,
//     a scatter chart and a map, printable, and the area table as CSV.
//
// Both are staff pages (view_aggregates). Staff see counts unsuppressed, as
// in the results API; an area with fewer than suppress_below responses gets
// no estimate (too few to say anything about it).

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/icarus-city/icarus/internal/analysis/fearcrime"
	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/store"
	"github.com/icarus-city/icarus/internal/survey"
)

// surveyResultsRoutes: the results and comparison pages and the CSV export.
func (s *Server) surveyResultsRoutes() []route {
	return []route{
		{"GET /surveys/{id}/results", auth.PermViewAggregates, false, s.surveyResultsPage},
		{"GET /surveys/{id}/compare", auth.PermViewAggregates, false, s.surveyComparePage},
		{"GET /surveys/{id}/compare.csv", auth.PermViewAggregates, false, s.surveyCompareCSV},
	}
}

// Indicator-code conventions for the population figures (docs/surveys-results.md).
const (
	srMarginPrefix      = "pop_"       // pop_<age band>_<gender>: population of a cell per area
	srDefaultPopulation = "population" // residents per area, for rates per 1,000
	srUnsafeQuestion    = "sdg_16_1_4"
)

// srUnsafeValues are the SDG 16.1.4 answers counted as feeling unsafe.
func srUnsafeValues() []string { return []string{"a_bit_unsafe", "very_unsafe"} }

// minAreaN is the fewest responses an area needs for an estimate on the
// results and comparison pages (the configured suppression threshold, at least 1).
func (s *Server) minAreaN() int { return max(1, s.cfg.SuppressBelow) }

// srSurveyData is what both pages start from.
type srSurveyData struct {
	sv     store.Survey
	d      *survey.Definition
	rs     []survey.Response
	layer  store.Layer
	areas  []store.Area // of layer
	byCode map[string]store.Area
}

func (s *Server) loadSurveyData(r *http.Request, c *reqCtx) (*srSurveyData, error) {
	sv, d, err := s.loadSurvey(r, c)
	if err != nil {
		return nil, err
	}
	stored, err := s.st.SurveyResponses(r.Context(), sv.ID)
	if err != nil {
		return nil, err
	}
	sd := &srSurveyData{sv: sv, d: d, rs: make([]survey.Response, len(stored)), byCode: map[string]store.Area{}}
	codes := map[string]bool{}
	for i, x := range stored {
		sd.rs[i] = survey.Response{Area: x.AreaCode, Answers: storedAnswers(x.Answers)}
		if x.AreaCode != "" {
			codes[x.AreaCode] = true
		}
	}
	// the layer holding most of the responses' area codes
	ls, err := s.st.Layers(r.Context(), c.orgID)
	if err != nil {
		return nil, err
	}
	best := -1
	for _, l := range ls {
		as, err := s.st.Areas(r.Context(), c.orgID, l.ID, false)
		if err != nil {
			return nil, err
		}
		hit := 0
		for _, a := range as {
			if codes[a.Code] {
				hit++
			}
		}
		if hit > best {
			best, sd.layer, sd.areas = hit, l, as
		}
	}
	for _, a := range sd.areas {
		sd.byCode[a.Code] = a
	}
	return sd, nil
}

// latestByArea returns the latest period's value of indicator code per area code.
func (s *Server) latestByArea(ctx context.Context, orgID int64, code string) (map[string]float64, error) {
	rows, err := s.st.IndicatorValues(ctx, orgID, code)
	if err != nil {
		return nil, err
	}
	out, period := map[string]float64{}, map[string]string{}
	for _, v := range rows {
		if v.Indicator != code {
			continue
		}
		if p, ok := period[v.AreaCode]; !ok || v.Period >= p {
			out[v.AreaCode], period[v.AreaCode] = v.Value, v.Period
		}
	}
	return out, nil
}

// margins reads the population cells pop_<age>_<gender> for the survey's
// age and gender questions (the bank's age_band and gender).
func (s *Server) margins(ctx context.Context, orgID int64, d *survey.Definition) (survey.Margins, int, error) {
	ageQ, genQ := d.Question("age_band"), d.Question("gender")
	if ageQ == nil || genQ == nil {
		return nil, 0, nil
	}
	defs, err := s.st.Indicators(ctx, orgID)
	if err != nil {
		return nil, 0, err
	}
	m := survey.Margins{}
	found := 0
	for _, a := range ageQ.Choices {
		for _, g := range genQ.Choices {
			code := srMarginPrefix + a.Value + "_" + g.Value
			if !slices.ContainsFunc(defs, func(i store.Indicator) bool { return i.Code == code }) {
				continue
			}
			found++
			vals, err := s.latestByArea(ctx, orgID, code)
			if err != nil {
				return nil, 0, err
			}
			for area, v := range vals {
				if m[area] == nil {
					m[area] = map[survey.Stratum]float64{}
				}
				m[area][survey.Stratum{Age: a.Value, Gender: g.Value}] = v
			}
		}
	}
	return m, found, nil
}

// weightsFor returns the weights the request asks for (nil: unweighted)
// and the statement of what was done.
func (s *Server) weightsFor(r *http.Request, c *reqCtx, sd *srSurveyData) (w []float64, sum survey.WeightSummary, note string, err error) {
	if r.URL.Query().Get("weights") != "agegender" {
		return nil, sum, s.cat.T(c.lang, "surveyresults.weights.none"), nil
	}
	m, cells, err := s.margins(r.Context(), c.orgID, sd.d)
	if err != nil {
		return nil, sum, "", err
	}
	if cells == 0 {
		return nil, sum, s.cat.T(c.lang, "surveyresults.weights.nomargins", "prefix", srMarginPrefix), nil
	}
	w, sum = survey.PostStratify(sd.rs, "age_band", "gender", m)
	if sum.AreasWeighted == 0 {
		return nil, sum, s.cat.T(c.lang, "surveyresults.weights.nomargins", "prefix", srMarginPrefix), nil
	}
	note = s.cat.T(c.lang, "surveyresults.weights.applied", "cells", cells, "areas", sum.AreasWeighted, "of", sum.Areas,
		"incell", sum.InCell, "mean", sum.MeanWeighted, "empty", sum.EmptyCells, "deff", fmt.Sprintf("%.2f", sum.DesignEffect))
	return w, sum, note, nil
}

func srPct(p float64) string { return strconv.FormatFloat(100*p, 'f', 1, 64) + "%" }

// ---------------------------------------------------------------- results

type srResultsQuestion struct {
	Name, Label, Type string
	N                 int
	NEff              string // "" when unweighted
	Chart             any    // template.HTML
	Rows              []srResultsRow
	Indicator         *srResultsRow
	Mean              string
	Caption           string
}

type srResultsRow struct {
	Label, P, CI string
	Count        int
}

type srMapOption struct {
	Value, Label string
	Selected     bool
}

type srAreaRow struct {
	Code, Name string
	N          int
	Suppressed bool
	P, CI      string
	Colour     string
}

// srMapValue is what static/survey-results.js paints for one area.
type srMapValue struct {
	Colour string `json:"c"`
	Label  string `json:"t"`
}

func (s *Server) surveyResultsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	sd, err := s.loadSurveyData(r, c)
	if err != nil {
		return err
	}
	wts, wsum, wnote, err := s.weightsFor(r, c, sd)
	if err != nil {
		return err
	}
	weighted := wts != nil
	lang, def := c.lang, sd.d.DefaultLang()
	k := s.minAreaN()
	method := s.cat.T(c.lang, "surveyresults.method.share")
	var qs []srResultsQuestion
	for _, e := range survey.Estimates(sd.d, sd.rs, wts, lang) {
		if e.Type == survey.Text || e.Type == survey.Date || e.Type == survey.Location || e.Type == survey.Area {
			continue // only counted: never shown as shares (text may hold personal data)
		}
		rq := srResultsQuestion{Name: e.Name, Label: e.Label, Type: string(e.Type), N: e.N}
		if weighted {
			rq.NEff = fmt.Sprintf("%.1f", e.NEff)
		}
		var bars []srBar
		for _, ch := range e.Choices {
			rq.Rows = append(rq.Rows, srResultsRow{Label: ch.Label, Count: ch.Count, P: srPct(ch.P), CI: srPct(ch.Low) + " – " + srPct(ch.High)})
			bars = append(bars, srBar{Label: ch.Label, P: ch.P, Low: ch.Low, High: ch.High, Count: ch.Count})
		}
		if e.Indicator != nil {
			rq.Indicator = &srResultsRow{Label: e.Indicator.Label, Count: e.Indicator.Count, P: srPct(e.Indicator.P), CI: srPct(e.Indicator.Low) + " – " + srPct(e.Indicator.High)}
		}
		if e.Mean != nil {
			rq.Mean = s.cat.T(c.lang, "surveyresults.mean", "mean", fmt.Sprintf("%.2f", e.Mean.Mean), "low", fmt.Sprintf("%.2f", e.Mean.Low),
				"high", fmt.Sprintf("%.2f", e.Mean.High), "n", e.Mean.N)
		}
		if e.N > 0 && len(bars) > 0 {
			rq.Chart = srBarsSVG(bars, e.Label, e.Type == survey.Multiple)
		}
		rq.Caption = s.cat.T(c.lang, "surveyresults.caption", "n", e.N, "method", method)
		if weighted {
			rq.Caption += " " + s.cat.T(c.lang, "surveyresults.caption.weighted", "neff", rq.NEff)
		}
		if e.Type == survey.Multiple {
			rq.Caption += " " + s.cat.T(c.lang, "surveyresults.caption.multiple")
		}
		if sd.sv.Simulated {
			rq.Caption += " " + s.cat.T(c.lang, "surveyresults.caption.simulated")
		}
		qs = append(qs, rq)
	}

	// the map: one answer share by area
	var opts []srMapOption
	sel := r.URL.Query().Get("map")
	var selName string
	var selValues []string
	var selLabel string
	for _, q := range sd.d.Questions() {
		if q.Indicator != nil {
			v := q.Name
			if sel == "" {
				sel = v
			}
			opts = append(opts, srMapOption{Value: v, Label: q.Label.In(lang, def) + " — " + q.Indicator.Label.In(lang, def)})
			if v == sel {
				selName, selValues, selLabel = q.Name, q.Indicator.Values, q.Indicator.Label.In(lang, def)
			}
		}
		if q.Type == survey.Single || q.Type == survey.Likert || q.Type == survey.Multiple {
			for _, ch := range q.Choices {
				v := q.Name + "=" + ch.Value
				opts = append(opts, srMapOption{Value: v, Label: q.Label.In(lang, def) + " — " + ch.Label.In(lang, def)})
				if v == sel {
					selName, selValues, selLabel = q.Name, []string{ch.Value}, ch.Label.In(lang, def)
				}
			}
		}
	}
	for i := range opts {
		opts[i].Selected = opts[i].Value == sel
	}
	rows, values, hidden := s.areaShares(sd, wts, selName, selValues, k)
	mapJSON, _ := json.Marshal(values)
	mapCaption := ""
	if selName != "" {
		mapCaption = s.cat.T(c.lang, "surveyresults.map.caption", "share", selLabel, "k", k, "hidden", hidden, "method", method)
		if weighted {
			mapCaption += " " + s.cat.T(c.lang, "surveyresults.map.weighted")
		}
		if sd.sv.Simulated {
			mapCaption += " " + s.cat.T(c.lang, "surveyresults.caption.simulated")
		}
	}
	id := strconv.FormatInt(sd.sv.ID, 10)
	return s.render(w, r, c, "survey_results", 200, &page{Title: sd.sv.Title, Active: "surveys", Data: map[string]any{
		"Survey": sd.sv, "ID": id, "Questions": qs, "Responses": len(sd.rs), "Weighted": weighted, "WeightNote": wnote, "Weights": r.URL.Query().Get("weights"),
		"MapOptions": opts, "MapSel": sel, "MapJSON": string(mapJSON), "MapCaption": mapCaption, "Legend": srShareLegend(), "AreaRows": rows,
		"Layer": sd.layer, "K": k, "Tiles": s.cfg.TileURL, "TileAttrib": s.cfg.TileAttrib, "DesignEffect": fmt.Sprintf("%.2f", wsum.DesignEffect),
		"Method": method,
	}})
}

// srShareClasses are the fixed classes of the share map (upper bounds) and their colours.
func srShareClasses() ([]float64, []string) {
	return []float64{0.2, 0.4, 0.6, 0.8, 1.0001}, []string{"#f1eef6", "#bdc9e1", "#74a9cf", "#2b8cbe", "#045a8d"}
}

const (
	srColourSuppressed = "#b0b0b0"
	srColourNoData     = "#e6e6e6"
)

func srShareColour(p float64) string {
	ub, cols := srShareClasses()
	for i, u := range ub {
		if p < u {
			return cols[i]
		}
	}
	return cols[len(cols)-1]
}

type srLegendItem struct{ Colour, Label string }

func srShareLegend() []srLegendItem {
	ub, cols := srShareClasses()
	out := make([]srLegendItem, len(ub))
	lo := 0.0
	for i := range ub {
		hi := math.Min(1, ub[i])
		out[i] = srLegendItem{cols[i], fmt.Sprintf("%.0f–%.0f%%", 100*lo, 100*hi)}
		lo = ub[i]
	}
	return out
}

// areaShares estimates the share answering one of values to question name
// in each area of the survey's layer that has responses.
func (s *Server) areaShares(sd *srSurveyData, w []float64, name string, values []string, k int) ([]srAreaRow, map[string]srMapValue, int) {
	idx := map[string][]int{}
	for i, r := range sd.rs {
		if r.Area != "" {
			idx[r.Area] = append(idx[r.Area], i)
		}
	}
	codes := make([]string, 0, len(idx))
	for a := range idx {
		codes = append(codes, a)
	}
	slices.Sort(codes)
	var rows []srAreaRow
	values2 := map[string]srMapValue{}
	hidden := 0
	for _, a := range codes {
		rs, ws := srSubset(sd.rs, w, idx[a])
		row := srAreaRow{Code: a, Name: sd.byCode[a].Name}
		if name == "" {
			continue
		}
		e, n, _ := survey.ShareOf(rs, ws, name, values)
		row.N = n
		if n < k {
			row.Suppressed, row.Colour = true, srColourSuppressed
			hidden++
			values2[a] = srMapValue{Colour: srColourSuppressed, Label: row.Name + " (" + a + "): n < " + strconv.Itoa(k)}
		} else {
			row.P, row.CI, row.Colour = srPct(e.P), srPct(e.Low)+" – "+srPct(e.High), srShareColour(e.P)
			values2[a] = srMapValue{Colour: row.Colour, Label: fmt.Sprintf("%s (%s): %s [%s], n = %d", row.Name, a, row.P, row.CI, n)}
		}
		rows = append(rows, row)
	}
	return rows, values2, hidden
}

func srSubset(rs []survey.Response, w []float64, idx []int) ([]survey.Response, []float64) {
	out := make([]survey.Response, len(idx))
	var ws []float64
	if w != nil {
		ws = make([]float64, len(idx))
	}
	for j, i := range idx {
		out[j] = rs[i]
		if w != nil {
			ws[j] = w[i]
		}
	}
	return out, ws
}

// ---------------------------------------------------------------- compare

type srCompareRow struct {
	Code, Name         string
	N                  int
	Unsafe             survey.Estimate
	Incidents          int64
	Population         float64 // 0: unknown
	Measure, Low, High float64 // rate per 1,000 (or count) and its exact Poisson interval
	Quadrant           fearcrime.Quadrant
	QuadrantLabel      string
	Firm               bool
	Colour             string
	Feedback           int // surveyors' feedback notes on the area
	// as shown
	UnsafeP, UnsafeCI, PopS, MeasureS, MeasureCI string
}

type srCompareData struct {
	sd          *srSurveyData
	ff          filterForm
	rows        []srCompareRow // compared areas
	excluded    []srCompareRow // too few responses, or no population
	rates       bool           // per 1,000 residents (else counts)
	popCode     string
	fearMedian  float64
	crimeMedian float64
	method      string
	weightNote  string
	weighted    bool
	indicators  []store.Indicator
	feedback    []srFeedback
}

// srFeedback is a surveyor's session feedback as the comparison shows it.
type srFeedback struct {
	Campaign string
	store.Feedback
	AreaName string
}

// quadrantLabel names a quadrant in the request's language.
func (s *Server) quadrantLabel(c *reqCtx, q fearcrime.Quadrant) string {
	switch q {
	case fearcrime.HighFearHighCrime:
		return s.cat.T(c.lang, "surveyresults.q.high_fear_high_crime")
	case fearcrime.HighFearLowCrime:
		return s.cat.T(c.lang, "surveyresults.q.high_fear_low_crime")
	case fearcrime.LowFearHighCrime:
		return s.cat.T(c.lang, "surveyresults.q.low_fear_high_crime")
	}
	return s.cat.T(c.lang, "surveyresults.q.low_fear_low_crime")
}

func srQuadrantColour(q fearcrime.Quadrant) string {
	switch q {
	case fearcrime.HighFearHighCrime:
		return "#b2182b"
	case fearcrime.HighFearLowCrime:
		return "#e08214"
	case fearcrime.LowFearHighCrime:
		return "#5e3c99"
	}
	return "#1b7837"
}

func (s *Server) compare(r *http.Request, c *reqCtx) (*srCompareData, error) {
	sd, err := s.loadSurveyData(r, c)
	if err != nil {
		return nil, err
	}
	q := sd.d.Question(srUnsafeQuestion)
	if q == nil {
		for _, x := range sd.d.Questions() {
			if x.Bank == srUnsafeQuestion {
				q = x
			}
		}
	}
	if q == nil {
		return nil, apperr.New(apperr.Invalid, "this survey has no SDG 16.1.4 question (bank item %s): the comparison needs it", srUnsafeQuestion)
	}
	ff, f, err := s.readFilter(r, c, true)
	if err != nil {
		return nil, err
	}
	if len(ff.Datasets) == 0 {
		return nil, apperr.New(apperr.NotFound, "no incident dataset has been imported: the comparison needs one")
	}
	ff.Layer, ff.Layers = sd.layer.ID, nil // the survey's areas
	cd := &srCompareData{sd: sd, ff: ff}
	wts, _, wnote, err := s.weightsFor(r, c, sd)
	if err != nil {
		return nil, err
	}
	cd.weightNote, cd.weighted = wnote, wts != nil
	counts, _, err := s.st.CountByArea(r.Context(), f, sd.layer.ID)
	if err != nil {
		return nil, err
	}
	byID := map[int64]int64{}
	for _, x := range counts {
		byID[x.AreaID] = x.Count
	}
	if cd.indicators, err = s.st.Indicators(r.Context(), c.orgID); err != nil {
		return nil, err
	}
	cd.popCode = r.URL.Query().Get("population")
	if _, set := r.URL.Query()["population"]; !set && slices.ContainsFunc(cd.indicators, func(i store.Indicator) bool { return i.Code == srDefaultPopulation }) {
		cd.popCode = srDefaultPopulation
	}
	var pop map[string]float64
	if cd.popCode != "" {
		if pop, err = s.latestByArea(r.Context(), c.orgID, cd.popCode); err != nil {
			return nil, err
		}
		cd.rates = len(pop) > 0
	}
	idx := map[string][]int{}
	for i, x := range sd.rs {
		if x.Area != "" {
			idx[x.Area] = append(idx[x.Area], i)
		}
	}
	k := s.minAreaN()
	var pts []fearcrime.Point
	for _, a := range sd.areas {
		ii, ok := idx[a.Code]
		if !ok {
			continue
		}
		rs, ws := srSubset(sd.rs, wts, ii)
		e, n, _ := survey.ShareOf(rs, ws, q.Name, srUnsafeValues())
		row := srCompareRow{Code: a.Code, Name: a.Name, N: n, Unsafe: e, Incidents: byID[a.ID]}
		lo, hi := fearcrime.PoissonCI(int(row.Incidents), 0.95)
		row.Measure, row.Low, row.High = float64(row.Incidents), lo, hi
		if cd.rates {
			row.Population = pop[a.Code]
			if row.Population > 0 {
				f := 1000 / row.Population
				row.Measure, row.Low, row.High = row.Measure*f, lo*f, hi*f
			}
		}
		if n < k || (cd.rates && row.Population <= 0) {
			cd.excluded = append(cd.excluded, row)
			continue
		}
		row.UnsafeP, row.UnsafeCI = srPct(e.P), srPct(e.Low)+" – "+srPct(e.High)
		row.PopS, row.MeasureS = srPopString(row.Population), srFmtMeasure(row.Measure, cd.rates)
		row.MeasureCI = srFmtCI(row.Low, cd.rates) + " – " + srFmtCI(row.High, cd.rates)
		cd.rows = append(cd.rows, row)
		pts = append(pts, fearcrime.Point{Fear: e.P, FearLow: e.Low, FearHigh: e.High, Crime: row.Measure, CrimeLow: row.Low, CrimeHigh: row.High})
	}
	if len(pts) > 0 {
		res, err := fearcrime.Classify(pts)
		if err != nil {
			return nil, err
		}
		cd.fearMedian, cd.crimeMedian = res.FearMedian, res.CrimeMedian
		for i := range cd.rows {
			cd.rows[i].Quadrant, cd.rows[i].Firm = res.Placed[i].Quadrant, res.Placed[i].Firm
			cd.rows[i].QuadrantLabel = s.quadrantLabel(c, res.Placed[i].Quadrant)
			cd.rows[i].Colour = srQuadrantColour(res.Placed[i].Quadrant)
		}
	}
	// the surveyors' session feedback of the survey's campaigns, by area
	camps, err := s.st.Campaigns(r.Context(), c.orgID, sd.sv.ID)
	if err != nil {
		return nil, err
	}
	fbByArea := map[string]int{}
	for _, cp := range camps {
		fbs, err := s.st.CampaignFeedback(r.Context(), cp.ID)
		if err != nil {
			return nil, err
		}
		for _, f := range fbs {
			cd.feedback = append(cd.feedback, srFeedback{Campaign: cp.Name, Feedback: f, AreaName: sd.byCode[f.AreaCode].Name})
			fbByArea[f.AreaCode]++
		}
	}
	for i := range cd.rows {
		cd.rows[i].Feedback = fbByArea[cd.rows[i].Code]
	}
	measure := s.cat.T(c.lang, "surveyresults.compare.count")
	if cd.rates {
		measure = s.cat.T(c.lang, "surveyresults.compare.rate", "pop", cd.popCode)
	}
	cd.method = s.cat.T(c.lang, "surveyresults.compare.method", "measure", measure, "k", k, "areas", len(cd.rows), "excluded", len(cd.excluded))
	if sd.sv.Simulated {
		cd.method += " " + s.cat.T(c.lang, "surveyresults.caption.simulated")
	}
	return cd, nil
}

// srCompareQuery is the page's selection as a query string (for the CSV link).
func srCompareQuery(r *http.Request) string {
	v := url.Values{}
	for _, k := range []string{"dataset", "category", "from", "to", "population", "weights"} {
		if x, ok := r.URL.Query()[k]; ok {
			v.Set(k, x[0])
		}
	}
	return v.Encode()
}

func (s *Server) surveyComparePage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	cd, err := s.compare(r, c)
	if err != nil {
		return err
	}
	values := map[string]srMapValue{}
	for _, row := range cd.rows {
		values[row.Code] = srMapValue{Colour: row.Colour, Label: fmt.Sprintf("%s (%s): %s — %s %s, %s %s",
			row.Name, row.Code, row.QuadrantLabel, s.cat.T(c.lang, "surveyresults.unsafe"), srPct(row.Unsafe.P), s.measureLabel(c, cd), srFmtMeasure(row.Measure, cd.rates))}
	}
	for _, row := range cd.excluded {
		values[row.Code] = srMapValue{Colour: srColourSuppressed, Label: row.Name + " (" + row.Code + "): " + s.cat.T(c.lang, "surveyresults.excluded")}
	}
	mapJSON, _ := json.Marshal(values)
	var legend []srLegendItem
	counts := map[fearcrime.Quadrant]int{}
	for _, row := range cd.rows {
		counts[row.Quadrant]++
	}
	for _, q := range fearcrime.Quadrants() {
		legend = append(legend, srLegendItem{srQuadrantColour(q), s.quadrantLabel(c, q) + " (" + strconv.Itoa(counts[q]) + ")"})
	}
	rows := slices.Clone(cd.rows)
	slices.SortStableFunc(rows, func(a, b srCompareRow) int {
		if a.Quadrant != b.Quadrant {
			return strings.Compare(string(a.Quadrant), string(b.Quadrant))
		}
		return -srCmpFloat(a.Unsafe.P, b.Unsafe.P)
	})
	var chart any
	if len(cd.rows) > 0 {
		pts := make([]srScatterPoint, len(cd.rows))
		for i, row := range cd.rows {
			pts[i] = srScatterPoint{Label: row.Name + " (" + row.Code + ")", X: row.Measure, XLo: row.Low, XHi: row.High, Y: row.Unsafe.P, YLo: row.Unsafe.Low, YHi: row.Unsafe.High,
				Colour: row.Colour, Firm: row.Firm}
		}
		ql := map[fearcrime.Quadrant]string{}
		for _, q := range fearcrime.Quadrants() {
			ql[q] = s.quadrantLabel(c, q)
		}
		chart = srQuadrantSVG(pts, cd.crimeMedian, cd.fearMedian, s.measureLabel(c, cd), s.cat.T(c.lang, "surveyresults.unsafe"), ql)
	}
	dsName := ""
	for _, d := range cd.ff.Datasets {
		if d.ID == cd.ff.Dataset {
			dsName = d.Name
		}
	}
	return s.render(w, r, c, "survey_compare", 200, &page{Title: s.cat.T(c.lang, "surveyresults.compare.title", "title", cd.sd.sv.Title), Active: "surveys", Data: map[string]any{
		"Survey": cd.sd.sv, "ID": strconv.FormatInt(cd.sd.sv.ID, 10), "F": cd.ff, "Rows": rows, "Excluded": cd.excluded, "Rates": cd.rates, "PopCode": cd.popCode,
		"Indicators": cd.indicators, "Method": cd.method, "WeightNote": cd.weightNote, "Weighted": cd.weighted, "Weights": r.URL.Query().Get("weights"),
		"FearMedian": srPct(cd.fearMedian), "CrimeMedian": srFmtMeasure(cd.crimeMedian, cd.rates), "Chart": chart, "MapJSON": string(mapJSON), "Legend": legend,
		"Layer": cd.sd.layer, "Query": srCompareQuery(r), "Dataset": dsName, "Measure": s.measureLabel(c, cd), "Responses": len(cd.sd.rs),
		"Tiles": s.cfg.TileURL, "TileAttrib": s.cfg.TileAttrib, "Feedback": cd.feedback, "Period": srPeriodOf(cd.ff), "Category": srCategoryOf(cd.ff, s.cat.T(c.lang, "common.all")),
	}})
}

func srPeriodOf(ff filterForm) string {
	if ff.From == "" && ff.To == "" {
		return "—"
	}
	return ff.From + " – " + ff.To
}

func srCategoryOf(ff filterForm, all string) string {
	if ff.Category == "" {
		return all
	}
	return ff.Category
}

func srCmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (s *Server) measureLabel(c *reqCtx, cd *srCompareData) string {
	if cd.rates {
		return s.cat.T(c.lang, "surveyresults.axis.rate")
	}
	return s.cat.T(c.lang, "surveyresults.axis.count")
}

func srFmtCI(v float64, rate bool) string {
	if rate {
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

func srFmtMeasure(v float64, rate bool) string {
	if rate {
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

// surveyCompareCSV is the comparison's area table as CSV (every area with
// responses, the excluded ones with the reason).
func (s *Server) surveyCompareCSV(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	cd, err := s.compare(r, c)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="survey-%d-comparison.csv"`, cd.sd.sv.ID))
	cw := csv.NewWriter(w)
	unit := "incidents"
	if cd.rates {
		unit = "incidents_per_1000"
	}
	cw.Write([]string{"area_code", "area_name", "respondents", "unsafe_count", "unsafe_share", "unsafe_ci95_low", "unsafe_ci95_high",
		"incidents", "population", unit, unit + "_ci95_low", unit + "_ci95_high", "quadrant", "quadrant_firm", "simulated", "note", "method", "weights"})
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 4, 64) }
	sim := strconv.FormatBool(cd.sd.sv.Simulated)
	for _, row := range cd.rows {
		cw.Write([]string{row.Code, row.Name, strconv.Itoa(row.N), strconv.Itoa(row.Unsafe.Count), f(row.Unsafe.P), f(row.Unsafe.Low), f(row.Unsafe.High),
			strconv.FormatInt(row.Incidents, 10), srPopString(row.Population), f(row.Measure), f(row.Low), f(row.High), string(row.Quadrant), strconv.FormatBool(row.Firm), sim, "", cd.method, cd.weightNote})
	}
	for _, row := range cd.excluded {
		note := "fewer than " + strconv.Itoa(s.minAreaN()) + " respondents"
		if row.N >= s.minAreaN() {
			note = "no population (" + cd.popCode + ")"
		}
		cw.Write([]string{row.Code, row.Name, strconv.Itoa(row.N), "", "", "", "", strconv.FormatInt(row.Incidents, 10), srPopString(row.Population), "", "", "", "", "", sim, note, cd.method, cd.weightNote})
	}
	cw.Flush()
	return cw.Error()
}

func srPopString(p float64) string {
	if p <= 0 {
		return ""
	}
	return strconv.FormatFloat(p, 'f', -1, 64)
}
