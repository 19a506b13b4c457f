package analyses

// Methods over time and space: hot-spot change (emerging hot spots),
// forecasting with its rolling-origin evaluation, and Andresen's spatial
// point pattern test between two periods.

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/icarus-city/icarus/internal/analysis/density"
	"github.com/icarus-city/icarus/internal/analysis/forecast"
	"github.com/icarus-city/icarus/internal/analysis/hotspot"
	"github.com/icarus-city/icarus/internal/analysis/sppt"
	"github.com/icarus-city/icarus/internal/apperr"
)

// patternColours are the hot-spot change categories' colours and labels.
func patternLegend() []LegendItem {
	return []LegendItem{
		{Class: string(hotspot.NewHot), Label: "new hot spot", Color: "#fcbba1"},
		{Class: string(hotspot.ConsecutiveHot), Label: "consecutive hot spot", Color: "#fc9272"},
		{Class: string(hotspot.IntensifyingHot), Label: "intensifying hot spot", Color: "#a50f15"},
		{Class: string(hotspot.PersistentHot), Label: "persistent hot spot", Color: "#de2d26"},
		{Class: string(hotspot.DiminishingHot), Label: "diminishing hot spot", Color: "#fb6a4a"},
		{Class: string(hotspot.SporadicHot), Label: "sporadic hot spot", Color: "#fee0d2"},
		{Class: string(hotspot.OscillatingHot), Label: "oscillating hot spot", Color: "#ef3b2c"},
		{Class: string(hotspot.HistoricalHot), Label: "historical hot spot", Color: "#bcbddc"},
		{Class: string(hotspot.NewCold), Label: "new cold spot", Color: "#c6dbef"},
		{Class: string(hotspot.ConsecutiveCold), Label: "consecutive cold spot", Color: "#9ecae1"},
		{Class: string(hotspot.IntensifyingCold), Label: "intensifying cold spot", Color: "#08519c"},
		{Class: string(hotspot.PersistentCold), Label: "persistent cold spot", Color: "#3182bd"},
		{Class: string(hotspot.DiminishingCold), Label: "diminishing cold spot", Color: "#6baed6"},
		{Class: string(hotspot.SporadicCold), Label: "sporadic cold spot", Color: "#deebf7"},
		{Class: string(hotspot.OscillatingCold), Label: "oscillating cold spot", Color: "#4292c6"},
		{Class: string(hotspot.HistoricalCold), Label: "historical cold spot", Color: "#d9d9d9"},
	}
}

// periodIndex numbers the periods (months or ISO weeks) of the points'
// dates from the first; it returns the index of each point and the labels.
func periodIndex(p *Points, interval string, loc *time.Location) ([]int, []string) {
	key := func(t time.Time) time.Time {
		y, m, d := t.In(loc).Date()
		if interval == "week" {
			day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
			wd := (int(day.Weekday()) + 6) % 7 // Monday = 0
			return day.AddDate(0, 0, -wd)
		}
		return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	}
	first, last := key(p.T[0]), key(p.T[0])
	for _, t := range p.T {
		k := key(t)
		if k.Before(first) {
			first = k
		}
		if k.After(last) {
			last = k
		}
	}
	var labels []string
	index := map[time.Time]int{}
	for k := first; !k.After(last); {
		index[k] = len(labels)
		if interval == "week" {
			y, w := k.ISOWeek()
			labels = append(labels, fmt.Sprintf("%d-W%02d", y, w))
			k = k.AddDate(0, 0, 7)
		} else {
			labels = append(labels, k.Format("2006-01"))
			k = k.AddDate(0, 1, 0)
		}
	}
	idx := make([]int, len(p.T))
	for i, t := range p.T {
		idx[i] = index[key(t)]
	}
	return idx, labels
}

func runHotspotChange(ctx context.Context, r Request, p *Points, progress Progress) (*Result, error) {
	if p.T == nil {
		return nil, apperr.New(apperr.Invalid, "hot-spot change needs a date for each incident (--time)")
	}
	interval := r.Params.Interval
	if interval == "week" {
		if err := checkDays(r.Method+" by week", p); err != nil {
			return nil, err
		}
	}
	gc, ex, err := countGrid(r, p)
	if err != nil {
		return nil, err
	}
	w, pos, err := gridWeights(gc.Grid, gc.InArea)
	if err != nil {
		return nil, err
	}
	cellPos := make([]int, gc.Grid.NX*gc.Grid.NY)
	for i := range cellPos {
		cellPos[i] = -1
	}
	for k, c := range pos {
		cellPos[c] = k
	}
	per, labels := periodIndex(p, interval, location(r.Params.Timezone))
	if len(labels) < 3 {
		return nil, apperr.New(apperr.Invalid, "hot-spot change needs at least 3 periods (10 or more are advised); the selection spans %d %s(s)", len(labels), interval)
	}
	values := make([][]float64, len(labels))
	for t := range values {
		values[t] = make([]float64, len(pos))
	}
	for i := range p.X {
		if p.Located != nil && !p.Located[i] {
			continue
		}
		c, ok := gc.Grid.CellOf(p.X[i], p.Y[i])
		if !ok || cellPos[c] < 0 {
			continue
		}
		values[per[i]][cellPos[c]]++
	}
	perms := 0
	if r.Params.Permutations != nil {
		perms = *r.Params.Permutations
	}
	progress(0.1, "Gi* per period")
	em, err := hotspot.EmergingHotSpots(ctx, values, w, hotspot.EmergingOptions{Transform: transform(r.Params.Weights), Alpha: r.Params.Alpha, Permutations: perms, Seed: r.Params.Seed})
	if err != nil {
		return nil, err
	}
	legend := patternLegend()
	order := map[string]int{}
	for i, l := range legend {
		order[l.Class] = i
	}
	n := gc.Grid.NX * gc.Grid.NY
	cls := make([]int, n)
	classes := make([]string, n)
	hotP, coldP, tau, mkp := make([]float64, n), make([]float64, n), nanSlice(n), nanSlice(n)
	for i := range cls {
		cls[i] = -1
	}
	for k, c := range pos {
		pat := string(em.Pattern[k])
		classes[c] = pat
		hotP[c], coldP[c] = float64(em.HotPeriods[k]), float64(em.ColdPeriods[k])
		tau[c], mkp[c] = em.Trend[k].Tau, em.Trend[k].P
		if j, ok := order[pat]; ok {
			cls[c] = j
			legend[j].Count++
		}
	}
	var shown []LegendItem
	remap := make([]int, len(legend))
	for j, l := range legend {
		remap[j] = -1
		if l.Count > 0 {
			remap[j] = len(shown)
			shown = append(shown, l)
		}
	}
	for c := range cls {
		if cls[c] >= 0 {
			cls[c] = remap[cls[c]]
		}
	}
	var parts []string
	for _, l := range shown {
		parts = append(parts, fmt.Sprintf("%d %s", l.Count, l.Label))
	}
	if len(parts) == 0 {
		parts = []string{"no cell shows a pattern"}
	}
	perm := "normal approximation"
	if perms > 0 {
		perm = strconv.Itoa(perms) + " conditional permutations per period"
	}
	res := &Result{Card: Card{
		Method:   "Hot-spot change over time (Gi* per period and a Mann-Kendall trend, after ESRI's Emerging Hot Spot Analysis)",
		Question: "Which places became, stayed or stopped being hot (or cold) spots over the periods?",
		Parameters: []Param{cellParam(gc.Params),
			{Name: "periods", Value: fmt.Sprintf("%d %ss (%s to %s)", len(labels), interval, labels[0], labels[len(labels)-1])},
			{Name: "neighbours", Value: "queen contiguity (8 surrounding cells), Gi* (cell included)"},
			{Name: "weights", Value: r.Params.Weights},
			{Name: "inference", Value: perm},
			{Name: "significance", Value: fmtG(r.Params.Alpha), Note: "per period, with Benjamini-Hochberg control among the cells; Mann-Kendall at 0.05"}},
		N:           gc.N,
		Excluded:    ex,
		Uncertainty: "Each period's hot and cold spots are tested at the stated level with false-discovery control; the trend of each cell's z-scores is a Mann-Kendall test. Categories are rules applied to these tests, not probabilities.",
		References: []string{"Getis, A. & Ord, J. K. (1992); Ord, J. K. & Getis, A. (1995). Local Gi*.",
			"Mann, H. B. (1945). Nonparametric tests against trend. Econometrica 13; Kendall, M. G. (1975). Rank Correlation Methods.",
			"ESRI. How Emerging Hot Spot Analysis works (ArcGIS Pro documentation)."},
		Limits: []string{"Needs at least 3 periods; with fewer than 10 the trend test has little power.", "Periods must be equally long; months differ by up to three days.", "Recorded incidents show where incidents were recorded, not where all incidents happen."},
	}, Detail: map[string]any{"grid": gc.Grid, "periods": labels, "counts": em.Counts, "empty_periods": em.EmptyPeriods}}
	res.Summary = fmt.Sprintf("%d cells over %d %ss: %s.", len(pos), len(labels), interval, strings.Join(parts, ", "))
	layer, table, err := cellOutputs(p, gc.Grid, gc.InArea, []string{"hot_periods", "cold_periods", "trend_tau", "trend_p"}, [][]float64{hotP, coldP, tau, mkp}, cls, shown, classes)
	if err != nil {
		return nil, err
	}
	layer.Title, layer.Note = "Hot-spot change", "Cells without a pattern are not drawn."
	res.Layer, res.Table = layer, table
	return res, nil
}

// wallSeconds is t's wall-clock reading in loc as seconds since 1970-01-01 00:00.
func wallSeconds(t time.Time, loc *time.Location) int64 {
	y, m, d := t.In(loc).Date()
	h, mi, s := t.In(loc).Clock()
	return time.Date(y, m, d, h, mi, s, 0, time.UTC).Unix()
}

func forecastMethod(name string) (forecast.Method, error) {
	switch name {
	case "naive":
		return forecast.Naive{WindowDays: 7}, nil
	case "retrospective":
		return forecast.Retrospective{}, nil
	case "prospective":
		return forecast.Prospective{}, nil
	case "stkde":
		return forecast.SpaceTimeKDE{}, nil
	}
	return nil, apperr.New(apperr.Invalid, "forecast_method %q: want naive, retrospective, prospective or stkde", name)
}

func runForecast(ctx context.Context, r Request, p *Points, progress Progress) (*Result, error) {
	if p.T == nil {
		return nil, apperr.New(apperr.Invalid, "forecasting needs a date for each incident (--time)")
	}
	if err := checkDays(r.Method, p); err != nil {
		return nil, err
	}
	xs, ys, idx, ex, err := spatial(p)
	if err != nil {
		return nil, err
	}
	loc := location(r.Params.Timezone)
	ev := forecast.Events{X: xs, Y: ys, T: make([]int64, len(idx)), Resolution: forecast.ResolutionExact}
	var lastDay int64 = math.MinInt64
	for k, i := range idx {
		ev.T[k] = wallSeconds(p.T[i], loc)
		if d := ev.T[k] / forecast.Day; d > lastDay {
			lastDay = d
		}
		if p.Res != nil && p.Res[i] == "day" {
			ev.Resolution = forecast.ResolutionDay
		}
	}
	area := studyBox(p)
	if p.Study == nil {
		b, ok := density.Bounds(xs, ys)
		if !ok {
			return nil, apperr.New(apperr.Invalid, "no usable coordinates")
		}
		area = b
	}
	cell := r.Params.Cell
	if cell == 0 {
		cell = 150
	}
	g, err := forecast.NewGrid(forecast.GridParams{Area: area, CellSize: cell, Inside: p.inside()})
	if err != nil {
		return nil, err
	}
	limits := []string{
		"Recorded incidents show where police recorded crime, not where all crime happens: a forecast learned from them sends attention where recording was already heavy, which can feed back into more recording there (see docs/methods/forecasting.md).",
		"Forecasts rank places; they say nothing about people.",
		"Scores come from the past data; they hold for the future only as far as patterns persist.",
	}
	if !r.Params.Evaluate {
		m, err := forecastMethod(r.Params.ForecastMethod)
		if err != nil {
			return nil, err
		}
		day := lastDay + 1
		progress(0.2, "forecast")
		s, err := forecast.Predict(ev, g, m, day)
		if err != nil {
			return nil, err
		}
		// classes: the top 1, 5, 10 and 20 % of the in-area cells
		type cr struct {
			c int
			v float64
		}
		var ranked []cr
		for c, v := range s.Risk {
			if !math.IsNaN(v) && (g.InArea == nil || g.InArea[c]) {
				ranked = append(ranked, cr{c, v})
			}
		}
		sort.SliceStable(ranked, func(a, b int) bool { return ranked[a].v > ranked[b].v })
		legend := []LegendItem{{Class: "top1", Label: "top 1% of cells", Color: "#bd0026"}, {Class: "top5", Label: "top 1–5%", Color: "#f03b20"},
			{Class: "top10", Label: "top 5–10%", Color: "#fd8d3c"}, {Class: "top20", Label: "top 10–20%", Color: "#fecc5c"}}
		cuts := []float64{0.01, 0.05, 0.10, 0.20}
		n := g.NX * g.NY
		cls := make([]int, n)
		classes := make([]string, n)
		rank := nanSlice(n)
		for i := range cls {
			cls[i] = -1
		}
		for k, x := range ranked {
			rank[x.c] = float64(k + 1)
			if x.v <= 0 {
				continue
			}
			share := float64(k+1) / float64(len(ranked))
			for j, cut := range cuts {
				if share <= cut {
					cls[x.c], classes[x.c] = j, legend[j].Class
					legend[j].Count++
					break
				}
			}
		}
		card := s.Card
		params := []Param{{Name: "cell", Value: fmtF(cell, 0) + " m"}, {Name: "forecast day", Value: time.Unix(day*forecast.Day, 0).UTC().Format(time.DateOnly), Note: "the day after the last incident"}}
		for _, cp := range card.Params {
			params = append(params, Param{Name: cp.Name, Value: fmt.Sprint(cp.Value)})
		}
		res := &Result{Card: Card{Method: "Forecast: " + card.Name, Question: "Where are incidents most likely on the next day, judging by where and when they were recorded before?",
			Parameters: params, N: s.Before, Excluded: ex,
			Uncertainty: "A single forecast has no interval: run the evaluation (evaluate) to see how often such forecasts caught the next day's incidents on this data (hit rate, PAI, PEI).",
			References:  card.References, Limits: limits}, Detail: map[string]any{"card": card, "grid": g.Grid, "day": day}}
		res.Summary = fmt.Sprintf("%s for %s from %d earlier incidents: the highlighted cells are the top 1–20%% of %d cells by predicted risk.", card.Name, time.Unix(day*forecast.Day, 0).UTC().Format(time.DateOnly), s.Before, len(ranked))
		layer, table, err := cellOutputs(p, g.Grid, g.InArea, []string{"risk", "rank"}, [][]float64{s.Risk, rank}, cls, legend, classes)
		if err != nil {
			return nil, err
		}
		layer.Title, layer.Note = "Forecast risk (rank)", "Cells below the top 20% (or with no risk) are not drawn."
		res.Layer, res.Table = layer, table
		return res, nil
	}
	// rolling-origin evaluation of every method over the last TestDays days
	test := r.Params.TestDays
	var methods []forecast.Method
	for _, name := range []string{"naive", "retrospective", "prospective", "stkde"} {
		m, _ := forecastMethod(name)
		methods = append(methods, m)
	}
	ep := forecast.EvalParams{Start: lastDay - int64(test) + 1, End: lastDay + 1, PeriodDays: 1,
		Progress: func(done, total int) { progress(0.05+0.9*float64(done)/float64(max(total, 1)), "evaluation") }}
	e, err := forecast.Evaluate(ctx, ev, g, methods, ep)
	if err != nil {
		return nil, err
	}
	tb := &Table{Columns: []string{"method", "coverage", "cells", "hit_rate", "pai", "pei", "mean_daily_hit_rate", "se_daily_hit_rate"}}
	var series []Series
	var labels []string
	best, bestName := -1.0, ""
	for _, ms := range e.Methods {
		for _, cs := range ms.Coverages {
			tb.Rows = append(tb.Rows, []any{ms.Card.Name, cs.Coverage, cs.Cells, cs.HitRate, cs.PAI, cs.PEI, cs.MeanHitRate, cs.SEHitRate})
			if cs.Coverage == 0.05 && cs.HitRate > best {
				best, bestName = cs.HitRate, ms.Card.Name
			}
		}
		vals := make([]float64, len(ms.Curve))
		if labels == nil {
			for _, pt := range ms.Curve {
				labels = append(labels, fmtF(100*pt.Coverage, 0)+"%")
			}
		}
		for i, pt := range ms.Curve {
			vals[i] = pt.HitRate
		}
		series = append(series, Series{Name: ms.Card.Name, Role: "series", Values: nums(vals)})
	}
	res := &Result{Card: Card{Method: "Rolling-origin evaluation of four forecasting methods (naive, retrospective, prospective, space-time KDE)",
		Question: "How often would each method's daily forecast have caught the next day's incidents, on this data?",
		Parameters: []Param{{Name: "cell", Value: fmtF(cell, 0) + " m"}, {Name: "test window", Value: fmt.Sprintf("the last %d days (%d daily forecasts)", test, e.Periods)},
			{Name: "ties", Value: string(e.Ties)}},
		N: e.TestEvents + e.Before, Excluded: ex,
		Uncertainty: "Pooled hit rates over the test days, with the mean daily hit rate and its standard error across days (table).",
		References:  []string{"Chainey, S., Tompson, L. & Uhlig, S. (2008). The utility of hotspot mapping for predicting spatial patterns of crime. Security Journal 21 (PAI).", "Hunt, J. M. (2016). Do crime hot spots move? Exploring the effects of the modifiable areal unit problem and modifiable temporal unit problem on crime hot spot stability (PEI).", "Bowers, K. J., Johnson, S. D. & Pease, K. (2004). Prospective hot-spotting. Br. J. Criminol. 44."},
		Limits:      append(limits, e.Notes...)}, Detail: e, Table: tb}
	res.Charts = []Chart{{Kind: "line", Title: "Hit rate by share of the area covered (coverage curve)", XLabel: "coverage", YLabel: "hit rate", Labels: labels, Series: series}}
	res.Summary = fmt.Sprintf("%d daily forecasts over %d test incidents; at 5%% of the area the best hit rate is %s (%s).", e.Periods, e.TestEvents, fmtF(100*best, 1)+"%", bestName)
	return res, nil
}

func runSPPT(ctx context.Context, r Request, p *Points) (*Result, error) {
	if p.T == nil {
		return nil, apperr.New(apperr.Invalid, "the point pattern test compares two periods: it needs a date for each incident (--time)")
	}
	bf, bt, af, at, err := r.Params.periods()
	if err != nil {
		return nil, err
	}
	monthStart := func(t time.Time) bool { return t.Day() == 1 }
	if p.monthOnly() > 0 && !(monthStart(bf) && monthStart(bt) && monthStart(af) && monthStart(at)) {
		return nil, apperr.New(apperr.Invalid, "month-resolution dates: the periods must be whole months (give YYYY-MM)")
	}
	gc, ex, err := countGrid(r, p)
	if err != nil {
		return nil, err
	}
	// the areas are the in-area cells
	n := gc.Grid.NX * gc.Grid.NY
	areaOf := make([]int32, n)
	var cells []int
	for c := 0; c < n; c++ {
		areaOf[c] = -1
		if gc.InArea[c] {
			areaOf[c] = int32(len(cells))
			cells = append(cells, c)
		}
	}
	loc := location(r.Params.Timezone)
	var base, test []int32
	for i := range p.X {
		if p.Located != nil && !p.Located[i] {
			continue
		}
		y, m, d := p.T[i].In(loc).Date()
		day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		a := int32(-1)
		if c, ok := gc.Grid.CellOf(p.X[i], p.Y[i]); ok {
			a = areaOf[c]
		}
		switch {
		case !day.Before(bf) && day.Before(bt):
			base = append(base, a)
		case !day.Before(af) && day.Before(at):
			test = append(test, a)
		}
	}
	res0, err := sppt.Test(base, test, len(cells), sppt.Params{Seed: r.Params.Seed})
	if err != nil {
		return nil, err
	}
	legend := []LegendItem{{Class: "higher", Label: "higher share in the second period", Color: "#d7301f"}, {Class: "lower", Label: "lower share in the second period", Color: "#2c7fb8"}}
	cls := make([]int, n)
	classes := make([]string, n)
	bp, tp, lo, up := nanSlice(n), nanSlice(n), nanSlice(n), nanSlice(n)
	for i := range cls {
		cls[i] = -1
	}
	for k, c := range cells {
		a := res0.Areas[k]
		bp[c], tp[c], lo[c], up[c] = a.BasePct, a.TestPct, a.Lower, a.Upper
		switch a.LocalS {
		case 1:
			cls[c], classes[c] = 0, "higher"
			legend[0].Count++
		case -1:
			cls[c], classes[c] = 1, "lower"
			legend[1].Count++
		default:
			classes[c] = "similar"
		}
	}
	label := func(f, t time.Time) string {
		return f.Format(time.DateOnly) + " to " + t.AddDate(0, 0, -1).Format(time.DateOnly)
	}
	res := &Result{Card: Card{Method: "Andresen's spatial point pattern test (S index)",
		Question: "Is the spatial distribution of incidents in the second period the same as in the first, cell by cell?",
		Parameters: []Param{cellParam(gc.Params), {Name: "first period", Value: label(bf, bt)}, {Name: "second period", Value: label(af, at)},
			{Name: "samples", Value: strconv.Itoa(res0.Params.Samples), Note: fmt.Sprintf("%g%% of the second period's incidents drawn without replacement", res0.Params.Percent)},
			{Name: "confidence", Value: fmt.Sprintf("%g%%", res0.Params.Confidence)}, {Name: "seed", Value: strconv.FormatUint(r.Params.Seed, 10)}},
		N: res0.NBase + res0.NTest, Excluded: ex,
		Uncertainty: fmt.Sprintf("Each cell's interval is the %d-th to %d-th of %d resampled percentages; S = %s of cells are similar (robust S = %s over %d cells with incidents).", res0.LowerRank, res0.UpperRank, res0.Params.Samples, fmtF(res0.GlobalS, 3), fmtF(res0.RobustS, 3), res0.RobustAreas),
		References:  []string{"Andresen, M. A. (2009). Testing for similarity in area-based spatial patterns: a nonparametric Monte Carlo approach. Applied Geography 29(3).", "Wheeler, A. P., Steenbeek, W. & Andresen, M. A. (2018). Testing for similarity in area-based spatial patterns: alternative methods to Andresen's spatial point pattern test. Transactions in GIS 22.", "Values follow the R package sppt (v0.2.3)."},
		Limits:      append([]string{"The areas here are grid cells; results depend on their size.", "Many cells with few incidents make S high (similar) by default: read the robust S."}, res0.Notes...),
	}, Detail: res0}
	res.Summary = fmt.Sprintf("S = %s (robust S = %s): %d cells have a higher and %d a lower share of incidents in %s than in %s.", fmtF(res0.GlobalS, 3), fmtF(res0.RobustS, 3), legend[0].Count, legend[1].Count, label(af, at), label(bf, bt))
	layer, table, err := cellOutputs(p, gc.Grid, gc.InArea, []string{"first_pct", "second_pct", "lower", "upper"}, [][]float64{bp, tp, lo, up}, cls, legend, classes)
	if err != nil {
		return nil, err
	}
	layer.Title, layer.Note = "Change in the share of incidents (SPPT)", "Similar cells are not drawn."
	res.Layer, res.Table = layer, table
	return res, nil
}
