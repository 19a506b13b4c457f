package web

import (
	"encoding/json"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/icarus-city/icarus/internal/kb"
)

// The form of an evidence card: one field per EMMIE dimension (kb.Evidence)
// instead of its JSON, checked field by field; each problem is shown beside
// its field.

// kbEvForm holds the evidence fields of the form as typed.
type kbEvForm struct {
	Focus, CrimeTypes                            string
	Places, Populations                          []string
	Direction, Size, Significant, Outcome        string
	Measure, Value, CILow, CIHigh                string
	NStudies, NTests, NRCTs, EffectText          string
	Mechanism, Moderators, Implement, Economic   string
	QEffect, QMechanism, QModerators, QImplement string
	QEconomic                                    string
	Ratings                                      map[string][2]string // scheme → rating, source
	Displacement, Backfire, Caveats, Citations   string
	LastReviewed                                 string
	Other                                        string // the rest of the metadata, as JSON
}

// kbEvFields are the names of the form fields (ids ev-NAME), for the links
// of the error summary.
func kbEvFromEvidence(e kb.Evidence, other map[string]any) kbEvForm {
	num := func(p *float64) string {
		if p == nil {
			return ""
		}
		return fmtNum(*p)
	}
	cnt := func(n int) string {
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	f := kbEvForm{Focus: e.Focus, CrimeTypes: strings.Join(e.CrimeTypes, ", "), Places: e.Places, Populations: e.Populations,
		Direction: e.Effect.Direction, Size: e.Effect.Size, Outcome: e.Effect.Outcome, Measure: e.Effect.Measure,
		Value: num(e.Effect.Value), CILow: num(e.Effect.CILow), CIHigh: num(e.Effect.CIHigh),
		NStudies: cnt(e.Effect.NStudies), NTests: cnt(e.Effect.NTests), NRCTs: cnt(e.Effect.NRCTs), EffectText: e.Effect.Text,
		Mechanism: e.Mechanism, Moderators: e.Moderators, Implement: e.Implement, Economic: e.EconomicCost,
		QEffect: e.Quality.Effect, QMechanism: e.Quality.Mechanism, QModerators: e.Quality.Moderators, QImplement: e.Quality.Implementation, QEconomic: e.Quality.Economic,
		Ratings: map[string][2]string{}, Displacement: e.Displacement, Backfire: e.Backfire, Caveats: strings.Join(e.Caveats, "\n"), LastReviewed: e.LastReviewed}
	if e.Effect.Significant != nil {
		f.Significant = strconv.FormatBool(*e.Effect.Significant)
	}
	for _, r := range e.Ratings {
		if _, dup := f.Ratings[r.Scheme]; !dup {
			f.Ratings[r.Scheme] = [2]string{r.Rating, r.Source}
		}
	}
	var cites []string
	for _, c := range e.Citations {
		line := c.Text
		if c.URL != "" {
			line += " | " + c.URL
		}
		cites = append(cites, line)
	}
	f.Citations = strings.Join(cites, "\n")
	if len(other) > 0 {
		b, _ := json.MarshalIndent(other, "", "  ")
		f.Other = string(b)
	}
	return f
}

// kbEvFromPost reads the evidence fields of a posted form.
func kbEvFromPost(pf url.Values) kbEvForm {
	g := func(k string) string { return strings.TrimSpace(pf.Get("ev_" + k)) }
	text := func(k string) string { return strings.ReplaceAll(g(k), "\r\n", "\n") }
	f := kbEvForm{Focus: g("focus"), CrimeTypes: g("crime_types"), Places: pf["ev_places"], Populations: pf["ev_populations"],
		Direction: g("direction"), Size: g("size"), Significant: g("significant"), Outcome: g("outcome"), Measure: g("measure"),
		Value: g("value"), CILow: g("ci_low"), CIHigh: g("ci_high"), NStudies: g("n_studies"), NTests: g("n_tests"), NRCTs: g("n_rcts"),
		EffectText: text("effect_text"), Mechanism: text("mechanism"), Moderators: text("moderators"), Implement: text("implementation"),
		Economic: text("economic_cost"), QEffect: g("q_effect"), QMechanism: g("q_mechanism"), QModerators: g("q_moderators"),
		QImplement: g("q_implementation"), QEconomic: g("q_economic"), Ratings: map[string][2]string{},
		Displacement: g("displacement"), Backfire: g("backfire"), Caveats: text("caveats"), Citations: text("citations"),
		LastReviewed: g("last_reviewed"), Other: g("other")}
	for _, sc := range kb.Schemes() {
		r, src := g("rating_"+sc.Code), g("rating_source_"+sc.Code)
		if r != "" || src != "" {
			f.Ratings[sc.Code] = [2]string{r, src}
		}
	}
	return f
}

var kbURLRe = regexp.MustCompile(`^https?://\S+$`)

// evidence turns the form into a card. errs maps each wrong field (the
// form field name without "ev_") to its message key in the catalogs
// (kbgaps.ev.err.*); other holds the rest of the metadata.
func (f kbEvForm) evidence() (e kb.Evidence, other map[string]any, errs map[string]string) {
	errs = map[string]string{}
	bad := func(field, key string) {
		if _, ok := errs[field]; !ok {
			errs[field] = key
		}
	}
	num := func(field, v string) *float64 {
		if v == "" {
			return nil
		}
		x, err := strconv.ParseFloat(strings.ReplaceAll(strings.ReplaceAll(v, " ", ""), ",", "."), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			bad(field, "number")
			return nil
		}
		return &x
	}
	count := func(field, v string) int {
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			bad(field, "count")
			return 0
		}
		return n
	}
	oneOf := func(field, v string, ts []kb.Term) {
		if v != "" && !slices.ContainsFunc(ts, func(t kb.Term) bool { return t.Code == v }) {
			bad(field, "choice")
		}
	}
	e.Focus = f.Focus
	oneOf("focus", f.Focus, kb.EvidenceFocuses())
	for _, c := range strings.FieldsFunc(f.CrimeTypes, func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
		if !kb.ValidICCS(c) {
			bad("crime_types", "iccs")
		}
		e.CrimeTypes = append(e.CrimeTypes, c)
	}
	for _, p := range f.Places {
		oneOf("places", p, kb.PlaceTerms())
	}
	for _, p := range f.Populations {
		oneOf("populations", p, kb.PopulationTerms())
	}
	e.Places, e.Populations = f.Places, f.Populations
	ef := &e.Effect
	ef.Direction, ef.Size, ef.Outcome, ef.Measure, ef.Text = f.Direction, f.Size, f.Outcome, f.Measure, f.EffectText
	oneOf("direction", f.Direction, []kb.Term{{Code: "reduction"}, {Code: "increase"}, {Code: "mixed"}, {Code: "none"}})
	oneOf("size", f.Size, []kb.Term{{Code: "small"}, {Code: "modest"}, {Code: "moderate"}, {Code: "large"}})
	switch f.Significant {
	case "":
	case "true", "false":
		b := f.Significant == "true"
		ef.Significant = &b
	default:
		bad("significant", "choice")
	}
	ef.Value, ef.CILow, ef.CIHigh = num("value", f.Value), num("ci_low", f.CILow), num("ci_high", f.CIHigh)
	switch {
	case (ef.CILow == nil) != (ef.CIHigh == nil) && errs["ci_low"] == "" && errs["ci_high"] == "":
		if ef.CILow == nil {
			bad("ci_low", "cibound")
		} else {
			bad("ci_high", "cibound")
		}
	case ef.CILow != nil && ef.CIHigh != nil && *ef.CILow > *ef.CIHigh:
		bad("ci_low", "ciorder")
		bad("ci_high", "ciorder")
	case ef.CILow != nil && ef.CIHigh != nil && ef.Value == nil && errs["value"] == "":
		bad("value", "cinovalue")
	case ef.Value != nil && ef.CILow != nil && ef.CIHigh != nil && (*ef.Value < *ef.CILow || *ef.Value > *ef.CIHigh):
		bad("value", "outsideci")
	}
	if (ef.Value != nil || ef.CILow != nil) && f.Measure == "" {
		bad("measure", "measure")
	}
	ef.NStudies, ef.NTests, ef.NRCTs = count("n_studies", f.NStudies), count("n_tests", f.NTests), count("n_rcts", f.NRCTs)
	if ef.NRCTs > ef.NStudies && ef.NStudies > 0 {
		bad("n_rcts", "rcts")
	}
	e.Mechanism, e.Moderators, e.Implement, e.EconomicCost = f.Mechanism, f.Moderators, f.Implement, f.Economic
	e.Quality = kb.Quality{Effect: f.QEffect, Mechanism: f.QMechanism, Moderators: f.QModerators, Implementation: f.QImplement, Economic: f.QEconomic}
	for _, sc := range kb.Schemes() {
		r, ok := f.Ratings[sc.Code]
		if !ok {
			continue
		}
		if r[0] == "" {
			bad("rating_"+sc.Code, "ratingempty")
			continue
		}
		e.Ratings = append(e.Ratings, kb.Rating{Scheme: sc.Code, Rating: r[0], Source: r[1]})
	}
	e.Displacement, e.Backfire = f.Displacement, f.Backfire
	oneOf("displacement", f.Displacement, []kb.Term{{Code: "diffusion"}, {Code: "little"}, {Code: "displacement"}, {Code: "not_reported"}})
	oneOf("backfire", f.Backfire, []kb.Term{{Code: "yes"}, {Code: "no"}, {Code: "not_reported"}})
	for _, line := range strings.Split(f.Caveats, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			e.Caveats = append(e.Caveats, line)
		}
	}
	for _, line := range strings.Split(f.Citations, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		c := kb.Citation{Text: line}
		if i := strings.LastIndex(line, "|"); i >= 0 {
			c.Text, c.URL = strings.TrimSpace(line[:i]), strings.TrimSpace(line[i+1:])
			if !kbURLRe.MatchString(c.URL) {
				bad("citations", "citeurl")
			}
			if c.Text == "" {
				bad("citations", "citetext")
			}
		}
		e.Citations = append(e.Citations, c)
	}
	if f.LastReviewed != "" {
		if _, err := time.Parse("2006-01-02", f.LastReviewed); err != nil {
			bad("last_reviewed", "date")
		}
	}
	e.LastReviewed = f.LastReviewed
	if f.Other != "" && f.Other != "{}" {
		if err := json.Unmarshal([]byte(f.Other), &other); err != nil || other == nil {
			bad("other", "json")
		}
		delete(other, "emmie")
	}
	// what the form does not check itself (kb.Evidence.Validate is the
	// reference): reported on the field it names
	if len(errs) == 0 {
		for _, err := range e.Validate() {
			field, _, _ := strings.Cut(err.Error(), ":")
			field = strings.TrimPrefix(strings.SplitN(field, "[", 2)[0], "effect.")
			bad(field, "invalid")
		}
	}
	return e, other, errs
}

// kbEvChoices are the fixed choices of the evidence form, translated.
type kbEvChoices struct {
	Focus, Places, Populations, Direction, Size, Significant, Displacement, Backfire, Schemes []kbOption
	Quality                                                                                   []string
}

func (s *Server) kbEvChoices(lang string, f kbEvForm) kbEvChoices {
	opts := func(family string, codes []string, sel ...string) []kbOption {
		out := make([]kbOption, len(codes))
		for i, c := range codes {
			out[i] = kbOption{c, s.kbMsg(lang, family, c), slices.Contains(sel, c)}
		}
		return out
	}
	return kbEvChoices{
		Focus:        opts("kb.efocus.", codesOf(kb.EvidenceFocuses()), f.Focus),
		Places:       opts("kb.place.", codesOf(kb.PlaceTerms()), f.Places...),
		Populations:  opts("kb.pop.", codesOf(kb.PopulationTerms()), f.Populations...),
		Direction:    opts("kb.dir.", []string{"reduction", "increase", "mixed", "none"}, f.Direction),
		Size:         opts("kb.size.", []string{"small", "modest", "moderate", "large"}, f.Size),
		Significant:  opts("kbgaps.ev.sig.", []string{"true", "false"}, f.Significant),
		Displacement: opts("kb.disp.", []string{"diffusion", "little", "displacement", "not_reported"}, f.Displacement),
		Backfire:     opts("kb.backfire.", []string{"yes", "no", "not_reported"}, f.Backfire),
		Schemes:      opts("kb.scheme.", codesOf(kb.Schemes())),
		Quality:      []string{"Very strong", "Strong", "Moderate", "Limited"},
	}
}

func codesOf(ts []kb.Term) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Code
	}
	return out
}

// kbEvErr is a problem of the evidence form for the summary at the top:
// the field's label and id, and the message.
type kbEvErr struct {
	ID, Label, Msg string
}

// kbEvErrList orders the errors of the evidence form as the fields appear.
func (s *Server) kbEvErrList(lang string, errs map[string]string) []kbEvErr {
	order := []string{"focus", "crime_types", "places", "populations", "direction", "size", "significant", "outcome", "measure", "value",
		"ci_low", "ci_high", "n_studies", "n_tests", "n_rcts", "mechanism", "moderators", "implementation", "economic_cost"}
	for _, sc := range kb.Schemes() {
		order = append(order, "rating_"+sc.Code)
	}
	order = append(order, "ratings", "displacement", "backfire", "citations", "last_reviewed", "other")
	var out []kbEvErr
	for _, f := range order {
		if m, ok := errs[f]; ok {
			out = append(out, kbEvErr{"ev-" + f, s.kbEvLabel(lang, f), m})
		}
	}
	for f, m := range errs { // a field Validate named that the form has no input for
		if !slices.Contains(order, f) {
			out = append(out, kbEvErr{"ev-effect_text", f, m})
		}
	}
	return out
}

// kbEvLabel is the label of an evidence form field.
func (s *Server) kbEvLabel(lang, field string) string {
	if sc, ok := strings.CutPrefix(field, "rating_"); ok {
		return s.kbMsg(lang, "kb.scheme.", sc)
	}
	return s.kbMsg(lang, "kbgaps.ev.f.", field)
}
