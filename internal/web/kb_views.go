package web

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/incident"
	"github.com/icarus-city/icarus/internal/kb"
	"github.com/icarus-city/icarus/internal/store"
)

// Cross-analysis views of the knowledge base (what works, findings,
// matrix, timeline) and the rendering of evidence cards and findings. All
// public: they show published records only.

// kbCardView is an evidence card as the item page and the what-works page
// show it.
type kbCardView struct {
	E            kb.Evidence
	Direction    string // translated
	Size         string
	Significant  string
	Value        string // the figure with its CI, "" when the card gives none
	Quality      [][2]string
	Ratings      [][2]string
	Displacement string
	Backfire     string
	CrimeTypes   []string // "code name"
	Places       []string
	Populations  []string
	Focus        string
}

func fmtNum(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func (s *Server) cardView(lang string, e kb.Evidence) kbCardView {
	t := func(key string) string { return s.cat.T(lang, key) }
	v := kbCardView{E: e, Focus: s.kbLabel(lang, "kb.efocus.", e.Focus)}
	if e.Effect.Direction != "" {
		v.Direction = t("kb.dir." + e.Effect.Direction)
	} else {
		v.Direction = t("kb.dir.unknown")
	}
	if e.Effect.Size != "" {
		v.Size = t("kb.size." + e.Effect.Size)
	}
	if e.Effect.Significant != nil {
		if *e.Effect.Significant {
			v.Significant = t("kb.sig.yes")
		} else {
			v.Significant = t("kb.sig.no")
		}
	}
	if e.Effect.Value != nil {
		v.Value = fmtNum(*e.Effect.Value)
		if e.Effect.CILow != nil && e.Effect.CIHigh != nil {
			v.Value += " (" + t("kb.card.ci") + " " + fmtNum(*e.Effect.CILow) + " – " + fmtNum(*e.Effect.CIHigh) + ")"
		}
	}
	notRated := t("kb.card.notrated")
	q := func(key, val string) {
		if val == "" {
			val = notRated
		}
		v.Quality = append(v.Quality, [2]string{t(key), val})
	}
	q("kb.emmie.effect", e.Quality.Effect)
	q("kb.emmie.mechanism", e.Quality.Mechanism)
	q("kb.emmie.moderators", e.Quality.Moderators)
	q("kb.emmie.implementation", e.Quality.Implementation)
	q("kb.emmie.economic", e.Quality.Economic)
	for _, sc := range []string{"crt", "crimesolutions", "campbell"} {
		val := t("kb.card.norating")
		for _, r := range e.Ratings {
			if r.Scheme == sc {
				val = r.Rating
			}
		}
		v.Ratings = append(v.Ratings, [2]string{t("kb.scheme." + sc), val})
	}
	for _, r := range e.Ratings {
		if !slices.Contains([]string{"crt", "crimesolutions", "campbell"}, r.Scheme) {
			v.Ratings = append(v.Ratings, [2]string{t("kb.scheme." + r.Scheme), r.Rating})
		}
	}
	if e.Displacement != "" {
		v.Displacement = t("kb.disp." + e.Displacement)
	}
	if e.Backfire != "" {
		v.Backfire = t("kb.backfire." + e.Backfire)
	}
	names := map[string]string{}
	for _, c := range incident.ICCSSections() {
		names[c.Code] = c.Name
	}
	for _, c := range e.CrimeTypes {
		v.CrimeTypes = append(v.CrimeTypes, strings.TrimSpace(c+" "+names[c]))
	}
	for _, p := range e.Places {
		v.Places = append(v.Places, s.kbLabel(lang, "kb.place.", p))
	}
	for _, p := range e.Populations {
		v.Populations = append(v.Populations, s.kbLabel(lang, "kb.pop.", p))
	}
	return v
}

// kbCardCtx is what the kbcard template gets: the page (for T) and the card.
type kbCardCtx struct {
	P *page
	C kbCardView
}

// kbFindingView is a finding as pages show it.
type kbFindingView struct {
	Item       store.KBItem
	F          kb.Finding
	Type       string
	Focus      string
	CC         []string
	References []kb.Citation
}

func (s *Server) findingView(lang string, tax *kbTax, it store.KBItem) kbFindingView {
	f, _ := kb.FindingOf(it.Metadata)
	v := kbFindingView{Item: it, F: f, Type: s.kbLabel(lang, "kb.ftype.", f.Type), Focus: tax.label(kb.TaxFocus, it.FocusArea), References: f.References}
	if v.Focus == "" {
		v.Focus = s.cat.T(lang, "kb.focus.general")
	}
	v.CC = tax.labels(kb.TaxCC, it.CrossCutting)
	return v
}

// ---- what works ----

// kbProblem reads and checks a what-works problem from the query string.
func kbProblem(r *http.Request) (kb.Problem, error) {
	q := r.URL.Query()
	p := kb.Problem{CrimeType: strings.TrimSpace(q.Get("crime")), Place: q.Get("place"), Population: q.Get("population")}
	if p.CrimeType != "" && !kb.ValidICCS(p.CrimeType) {
		return p, apperr.New(apperr.Invalid, "crime: %q is not an ICCS code (2, 4, 5 or 6 digits)", p.CrimeType)
	}
	if p.Place != "" && !slices.ContainsFunc(kb.PlaceTerms(), func(t kb.Term) bool { return t.Code == p.Place }) {
		return p, apperr.New(apperr.Invalid, "place: %q is not a known place", p.Place)
	}
	if p.Population != "" && !slices.ContainsFunc(kb.PopulationTerms(), func(t kb.Term) bool { return t.Code == p.Population }) {
		return p, apperr.New(apperr.Invalid, "population: %q is not a known population", p.Population)
	}
	return p, nil
}

// whatWorks loads the organisation's published evidence cards and ranks
// them for p; it returns the ranking and the number of cards considered.
func (s *Server) whatWorks(r *http.Request, orgID int64, p kb.Problem) ([]kb.Ranked, int, error) {
	items, err := s.st.KBItems(r.Context(), orgID, store.KBFilter{Kind: kb.KindEvidence}, 0)
	if err != nil {
		return nil, 0, err
	}
	var cards []kb.Card
	for _, it := range items {
		e, ok, err := kb.EvidenceOf(it.Metadata)
		if err != nil || !ok {
			continue // a card without EMMIE fields cannot be ranked (counted in "considered")
		}
		cards = append(cards, kb.Card{ID: it.ID, Title: it.Title, Evidence: e})
	}
	return kb.WhatWorks(p, cards), len(items), nil
}

type kbRankedView struct {
	kb.Ranked
	Card    kbCardView
	Caveats []string
}

func (s *Server) kbWhatWorksPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p, err := kbProblem(r)
	if err != nil {
		return err
	}
	ranked, considered, err := s.whatWorks(r, c.orgID, p)
	if err != nil {
		return err
	}
	views := make([]kbRankedView, len(ranked))
	for i, rk := range ranked {
		views[i] = kbRankedView{Ranked: rk, Card: s.cardView(c.lang, rk.Evidence)}
		for _, code := range rk.Caveats {
			views[i].Caveats = append(views[i].Caveats, s.kbMsg(c.lang, "kb.caveat.", code))
		}
		views[i].Caveats = append(views[i].Caveats, rk.OwnCaveats...)
	}
	opts := func(family string, ts []kb.Term, sel string) []kbOption {
		out := make([]kbOption, len(ts))
		for i, t := range ts {
			out[i] = kbOption{t.Code, s.kbLabel(c.lang, family, t.Code), t.Code == sel}
		}
		return out
	}
	var crimes []kbOption
	for _, cat := range incident.ICCSSections() {
		crimes = append(crimes, kbOption{cat.Code, cat.Code + " " + cat.Name, cat.Code == p.CrimeType})
	}
	return s.render(w, r, c, "kbwhatworks", 200, &page{Title: s.cat.T(c.lang, "kb.ww.title"), Active: "knowledge", Data: map[string]any{
		"Results":    views,
		"Considered": considered,
		"Crimes":     crimes,
		"Places":     opts("kb.place.", kb.PlaceTerms(), p.Place),
		"Pops":       opts("kb.pop.", kb.PopulationTerms(), p.Population),
		"Problem":    p,
	}})
}

// apiKBWhatWorks is GET /api/v1/kb/whatworks?crime=&place=&population=
func (s *Server) apiKBWhatWorks(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p, err := kbProblem(r)
	if err != nil {
		return err
	}
	ranked, considered, err := s.whatWorks(r, c.orgID, p)
	if err != nil {
		return err
	}
	type result struct {
		ID          int64    `json:"id"`
		Title       string   `json:"title"`
		URL         string   `json:"url"`
		Rank        int      `json:"rank"`
		Match       string   `json:"match"`
		Specificity int      `json:"specificity"`
		Direction   string   `json:"effect_direction,omitempty"`
		Size        string   `json:"effect_size,omitempty"`
		Significant *bool    `json:"significant,omitempty"`
		Outcome     string   `json:"outcome,omitempty"`
		Measure     string   `json:"measure,omitempty"`
		Value       *float64 `json:"value,omitempty"`
		CILow       *float64 `json:"ci_low,omitempty"`
		CIHigh      *float64 `json:"ci_high,omitempty"`
		NStudies    int      `json:"n_studies,omitempty"`
		Effect      string   `json:"effect"`
		Quality     string   `json:"quality_of_effect_evidence,omitempty"`
		Caveats     []string `json:"caveats"`
		OwnCaveats  []string `json:"card_caveats,omitempty"`
		Citations   []string `json:"citations"`
	}
	out := make([]result, len(ranked))
	for i, rk := range ranked {
		e := rk.Evidence
		cites := make([]string, len(e.Citations))
		for j, ct := range e.Citations {
			cites[j] = ct.Text
		}
		out[i] = result{rk.ID, rk.Title, "/knowledge/" + strconv.FormatInt(rk.ID, 10), i + 1, rk.Match, rk.Specificity,
			e.Effect.Direction, e.Effect.Size, e.Effect.Significant, e.Effect.Outcome, e.Effect.Measure, e.Effect.Value, e.Effect.CILow, e.Effect.CIHigh,
			e.Effect.NStudies, e.Effect.Text, rk.QualityLabel, rk.Caveats, rk.OwnCaveats, cites}
		if out[i].Caveats == nil {
			out[i].Caveats = []string{}
		}
	}
	return writeJSON(w, map[string]any{
		"problem":    map[string]string{"crime": p.CrimeType, "place": p.Place, "population": p.Population},
		"method":     kb.WhatWorksMethod,
		"considered": considered,
		"n":          len(out),
		"results":    out,
	})
}

// ---- findings browser ----

func (s *Server) kbFindingsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	q := r.URL.Query()
	typ, focus, cc := q.Get("type"), q.Get("focus"), q.Get("cc")
	f := store.KBFilter{Kind: kb.KindFinding, CrossCutting: cc}
	if focus != "general" {
		f.FocusArea = focus
	}
	items, err := s.st.KBItems(r.Context(), c.orgID, f, 0)
	if err != nil {
		return err
	}
	tax, err := s.kbTaxFor(r, c)
	if err != nil {
		return err
	}
	counts := map[string]int{}
	var views []kbFindingView
	for _, it := range items {
		if focus == "general" && it.FocusArea != "" {
			continue
		}
		v := s.findingView(c.lang, tax, it)
		counts[v.F.Type]++
		if typ != "" && v.F.Type != typ {
			continue
		}
		views = append(views, v)
	}
	var types []kbOption
	for _, t := range kb.FindingTypes() {
		types = append(types, kbOption{t.Code, s.kbLabel(c.lang, "kb.ftype.", t.Code) + " (" + strconv.Itoa(counts[t.Code]) + ")", t.Code == typ})
	}
	focusOpts := append([]kbOption{{"general", s.cat.T(c.lang, "kb.focus.general"), focus == "general"}}, tax.options(kb.TaxFocus, focus)...)
	ccOpts := tax.options(kb.TaxCC, cc)
	return s.render(w, r, c, "kbfindings", 200, &page{Title: s.cat.T(c.lang, "kb.findings.title"), Active: "knowledge", Data: map[string]any{
		"Findings": views, "Types": types, "Focus": focusOpts, "CC": ccOpts,
	}})
}

// ---- matrix: focus areas × cross-cutting issues ----

type kbMatrixCell struct {
	N    int
	Link string
}

type kbMatrixRow struct {
	Label string
	Cells []kbMatrixCell
	Total kbMatrixCell
}

func (s *Server) kbMatrixPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	kind := r.URL.Query().Get("kind")
	if kind != "" && !kb.ValidKind(kind) {
		return apperr.New(apperr.Invalid, "kind: %q is not a record type", kind)
	}
	items, err := s.st.KBItems(r.Context(), c.orgID, store.KBFilter{Kind: kind}, 0)
	if err != nil {
		return err
	}
	tax, err := s.kbTaxFor(r, c)
	if err != nil {
		return err
	}
	ccs := tax.shown(kb.TaxCC, func(code string) bool {
		return slices.ContainsFunc(items, func(it store.KBItem) bool { return slices.Contains(it.CrossCutting, code) })
	})
	link := func(focus, cc string) string {
		v := []string{}
		if kind != "" {
			v = append(v, "kind="+kind)
		}
		if focus != "" {
			v = append(v, "focus="+focus)
		}
		if cc != "" {
			v = append(v, "cc="+cc)
		}
		return "/knowledge?" + strings.Join(v, "&")
	}
	var rows []kbMatrixRow
	colTotals := make([]int, len(ccs)+1)
	areas := append(tax.shown(kb.TaxFocus, func(code string) bool {
		return slices.ContainsFunc(items, func(it store.KBItem) bool { return it.FocusArea == code })
	}), kb.TaxTerm{})
	for _, fa := range areas {
		row := kbMatrixRow{Label: tax.label(kb.TaxFocus, fa.Code)}
		if fa.Code == "" {
			row.Label = s.cat.T(c.lang, "kb.focus.general")
		}
		for j, cc := range ccs {
			n := 0
			for _, it := range items {
				if it.FocusArea == fa.Code && slices.Contains(it.CrossCutting, cc.Code) {
					n++
				}
			}
			cell := kbMatrixCell{N: n}
			if fa.Code != "" && n > 0 {
				cell.Link = link(fa.Code, cc.Code)
			}
			row.Cells = append(row.Cells, cell)
			colTotals[j] += n
		}
		none := 0
		for _, it := range items {
			if it.FocusArea == fa.Code {
				row.Total.N++
				if len(it.CrossCutting) == 0 {
					none++
				}
			}
		}
		row.Cells = append(row.Cells, kbMatrixCell{N: none})
		colTotals[len(ccs)] += none
		if fa.Code != "" && row.Total.N > 0 {
			row.Total.Link = link(fa.Code, "")
		}
		rows = append(rows, row)
	}
	var cols []string
	for _, cc := range ccs {
		cols = append(cols, tax.label(kb.TaxCC, cc.Code))
	}
	cols = append(cols, s.cat.T(c.lang, "kb.matrix.nocc"))
	var totals []kbMatrixCell
	for j, n := range colTotals {
		cell := kbMatrixCell{N: n}
		if j < len(ccs) && n > 0 {
			cell.Link = link("", ccs[j].Code)
		}
		totals = append(totals, cell)
	}
	var kinds []kbOption
	for _, k := range kb.Kinds() {
		kinds = append(kinds, kbOption{k, s.kbLabel(c.lang, "kb.kind.", k), k == kind})
	}
	return s.render(w, r, c, "kbmatrix", 200, &page{Title: s.cat.T(c.lang, "kb.matrix.title"), Active: "knowledge", Data: map[string]any{
		"Cols": cols, "Rows": rows, "Totals": totals, "N": len(items), "Kinds": kinds,
	}})
}

// ---- timeline: decade × focus area, filtered by approach ----

type kbTimelineEntry struct {
	ID         int64
	Title      string
	Year       int
	Kind       string
	Approaches []string
}

type kbTimelineRow struct {
	Decade string
	Cells  [][]kbTimelineEntry
}

func (s *Server) kbTimelinePage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	q := r.URL.Query()
	approach, kind := q.Get("approach"), q.Get("kind")
	tax, err := s.kbTaxFor(r, c)
	if err != nil {
		return err
	}
	if approach != "" && !tax.tx.Has(kb.TaxApproach, approach) {
		return apperr.New(apperr.Invalid, "approach: %q is not an approach", approach)
	}
	if kind != "" && !kb.ValidKind(kind) {
		return apperr.New(apperr.Invalid, "kind: %q is not a record type", kind)
	}
	items, err := s.st.KBItems(r.Context(), c.orgID, store.KBFilter{Kind: kind}, 0)
	if err != nil {
		return err
	}
	areas := append(tax.shown(kb.TaxFocus, func(code string) bool {
		return slices.ContainsFunc(items, func(it store.KBItem) bool { return it.FocusArea == code })
	}), kb.TaxTerm{})
	byDecade := map[int][][]kbTimelineEntry{}
	undated := 0
	for _, it := range items {
		if it.Kind == kb.KindFinding {
			continue // findings have periods, not years: see the findings browser
		}
		if approach != "" && !slices.Contains(it.Approaches, approach) {
			continue
		}
		if it.Year == 0 {
			undated++
			continue
		}
		d := it.Year / 10 * 10
		if byDecade[d] == nil {
			byDecade[d] = make([][]kbTimelineEntry, len(areas))
		}
		col := slices.IndexFunc(areas, func(t kb.TaxTerm) bool { return t.Code == it.FocusArea })
		if col < 0 {
			col = len(areas) - 1
		}
		aps := tax.labels(kb.TaxApproach, it.Approaches)
		byDecade[d][col] = append(byDecade[d][col], kbTimelineEntry{it.ID, it.Title, it.Year, s.kbLabel(c.lang, "kb.kind.", it.Kind), aps})
	}
	var decades []int
	for d := range byDecade {
		decades = append(decades, d)
	}
	sort.Ints(decades)
	var rows []kbTimelineRow
	for _, d := range decades {
		for _, cell := range byDecade[d] {
			sort.Slice(cell, func(i, j int) bool {
				return cell[i].Year < cell[j].Year || cell[i].Year == cell[j].Year && cell[i].Title < cell[j].Title
			})
		}
		rows = append(rows, kbTimelineRow{strconv.Itoa(d) + "s", byDecade[d]})
	}
	var cols []string
	for _, a := range areas {
		if a.Code == "" {
			cols = append(cols, s.cat.T(c.lang, "kb.focus.general"))
		} else {
			cols = append(cols, tax.label(kb.TaxFocus, a.Code))
		}
	}
	aps := tax.options(kb.TaxApproach, approach)
	var kinds []kbOption
	for _, k := range kb.Kinds() {
		if k != kb.KindFinding {
			kinds = append(kinds, kbOption{k, s.kbLabel(c.lang, "kb.kind.", k), k == kind})
		}
	}
	return s.render(w, r, c, "kbtimeline", 200, &page{Title: s.cat.T(c.lang, "kb.timeline.title"), Active: "knowledge", Data: map[string]any{
		"Cols": cols, "Rows": rows, "Undated": undated, "Approaches": aps, "Kinds": kinds,
	}})
}

// kbMetaRows lists the metadata keys a card or finding view does not show.
func kbMetaRows(meta json.RawMessage, skip ...string) [][2]string {
	var m map[string]any
	json.Unmarshal(meta, &m)
	var rows [][2]string
	for _, k := range sortedKeys(m) {
		if slices.Contains(skip, k) {
			continue
		}
		v, _ := json.Marshal(m[k])
		val := string(v)
		if str, ok := m[k].(string); ok {
			val = str
		}
		rows = append(rows, [2]string{k, val})
	}
	return rows
}

// kbViewRoutes: the cross-analysis views and what works (public, published records only).
func (s *Server) kbViewRoutes() []route {
	return []route{
		{"GET /knowledge/whatworks", auth.PermPublic, false, s.kbWhatWorksPage},
		{"GET /knowledge/findings", auth.PermPublic, false, s.kbFindingsPage},
		{"GET /knowledge/matrix", auth.PermPublic, false, s.kbMatrixPage},
		{"GET /knowledge/timeline", auth.PermPublic, false, s.kbTimelinePage},
		{"GET /api/v1/kb/whatworks", auth.PermPublic, true, s.apiKBWhatWorks},
	}
}
