package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/icarus-city/icarus/internal/analysis/fearcrime"
	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/hub"
	"github.com/icarus-city/icarus/internal/realdata"
	"github.com/icarus-city/icarus/internal/store"
	"github.com/icarus-city/icarus/internal/survey"
)

// rigaEnv is an environment with the real Manchester LSOAs and 2017
// burglary points, the Riga survey with 12 simulated responses per LSOA,
// and (when withPopulation) per-area indicators: population and the
// age band × gender margins. The indicator values are made up for the test
// (a formula of the area's index), which is all the arithmetic checks need.
type rigaEnv struct {
	*env
	survey  store.Survey
	layerID int64
	areas   []store.Area
}

func newRigaEnv(t *testing.T, withPopulation bool) *rigaEnv {
	t.Helper()
	dir := realdata.Path(t, "uk", "manchester")
	e := emptyEnv(t)
	ctx := context.Background()
	svc := hub.New(e.st)
	shp := filepath.Join(dir, "manchester_crime_lsoa.shp")
	fc, err := hub.ReadSpatial(shp, func(ext string) (io.ReadCloser, error) { return os.Open(strings.TrimSuffix(shp, ".shp") + ext) })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ImportAreas(ctx, shp, fc, hub.AreaOptions{OrgID: e.org.ID, Layer: lsoaLayerName, Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(filepath.Join(dir, "manc_burglary_bng.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if _, err := svc.ImportIncidents(ctx, hub.Source{Name: in.Name(), R: in}, hub.IncidentOptions{OrgID: e.org.ID, Dataset: burglaryDataset, Preset: "generic", Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	ls, err := e.st.Layers(ctx, e.org.ID)
	if err != nil || len(ls) != 1 {
		t.Fatalf("layers %v %v", ls, err)
	}
	as, err := e.st.Areas(ctx, e.org.ID, ls[0].ID, false)
	if err != nil {
		t.Fatal(err)
	}
	re := &rigaEnv{env: e, layerID: ls[0].ID, areas: as}
	d := survey.Riga("Riga test (SIMULATED)", true)
	b, _ := json.Marshal(d)
	if re.survey, err = e.st.CreateSurvey(ctx, e.org.ID, "Riga test (SIMULATED)", d.Access, true, b); err != nil {
		t.Fatal(err)
	}
	codes := make([]string, len(as))
	for i, a := range as {
		codes[i] = a.Code
	}
	var rs []store.SurveyResponse
	for i, raw := range survey.Simulate(&d, codes, 12, rand.New(rand.NewPCG(7, 11))) {
		a, errs := survey.Validate(&d, raw, survey.ValidateOptions{})
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		ab, _ := json.Marshal(a)
		rs = append(rs, store.SurveyResponse{SurveyID: re.survey.ID, Version: 1, IdemKey: "sim-" + strconv.Itoa(i), AreaCode: a["area"].(string), Answers: ab,
			Consent: true, ConsentText: "ok", Channel: "demo", Simulated: true})
	}
	if _, err := e.st.AddSurveyResponses(ctx, rs); err != nil {
		t.Fatal(err)
	}
	if withPopulation {
		var sb strings.Builder
		sb.WriteString("area_code,period,indicator,value,unit\n")
		ages := []string{"16_24", "25_34", "35_44", "45_54", "55_64", "65_74", "75_plus"}
		for i, a := range as {
			total := 0
			for j, age := range ages {
				for k, g := range []string{"woman", "man"} {
					v := 40 + (i*7+j*13+k*29)%90
					total += v
					fmt.Fprintf(&sb, "%s,2021,pop_%s_%s,%d,persons\n", a.Code, age, g, v)
				}
			}
			fmt.Fprintf(&sb, "%s,2021,population,%d,persons\n", a.Code, total)
		}
		if _, err := svc.ImportIndicators(ctx, hub.Source{Name: "population.csv", R: strings.NewReader(sb.String())},
			hub.IndicatorOptions{OrgID: e.org.ID, Partner: "test", Layer: re.layerID, Actor: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	return re
}

// unsafeByArea recounts, from the stored answers, the respondents per area
// and those answering a bit / very unsafe to SDG 16.1.4.
func (re *rigaEnv) unsafeByArea(t *testing.T) (n, x map[string]int) {
	rs, err := re.st.SurveyResponses(context.Background(), re.survey.ID)
	if err != nil {
		t.Fatal(err)
	}
	n, x = map[string]int{}, map[string]int{}
	for _, r := range rs {
		var a map[string]any
		if err := json.Unmarshal(r.Answers, &a); err != nil {
			t.Fatal(err)
		}
		v, ok := a["sdg_16_1_4"].(string)
		if !ok {
			continue
		}
		n[r.AreaCode]++
		if v == "a_bit_unsafe" || v == "very_unsafe" {
			x[r.AreaCode]++
		}
	}
	return n, x
}

func TestSurveyResultsPage(t *testing.T) {
	re := newRigaEnv(t, true)
	s := re.sessionFor(t, auth.Analyst)
	base := fmt.Sprintf("/surveys/%d/results", re.survey.ID)

	if r := get(t, re.ts.URL, base, nil); r.status != 303 || !strings.HasPrefix(r.header.Get("Location"), "/signin") {
		t.Errorf("anonymous: %s, want a redirect to sign in", r)
	}
	r := get(t, re.ts.URL, base, s)
	if r.status != 200 {
		t.Fatalf("results page: %s", r)
	}
	body := string(r.body)
	if m := missingTranslations(r.body); len(m) > 0 {
		t.Errorf("untranslated keys: %v", m)
	}
	for _, want := range []string{"SIMULATED", "Wilson 95% score intervals", "Student t 95%", "class=\"chart sr-bars\"", `id="sr-map"`, "Unweighted"} {
		if !strings.Contains(body, want) {
			t.Errorf("results page lacks %q", want)
		}
	}
	// the headline SDG 16.1.4 share is the results API's, to the 0.1%
	var api struct {
		Questions []survey.QuestionResult `json:"questions"`
	}
	decodeJSON(t, get(t, re.ts.URL, fmt.Sprintf("/api/v1/surveys/%d/results", re.survey.ID), s), &api)
	var sdg *survey.QuestionResult
	for i := range api.Questions {
		if api.Questions[i].Name == "sdg_16_1_4" {
			sdg = &api.Questions[i]
		}
	}
	if sdg == nil || sdg.Indicator == nil || sdg.Indicator.P == nil {
		t.Fatalf("API without the SDG indicator: %+v", sdg)
	}
	head := fmt.Sprintf("%s: %s</strong>", sdg.Indicator.Label, srPct(*sdg.Indicator.P))
	if !strings.Contains(body, head) {
		t.Errorf("page lacks the API's headline %q", head)
	}
	ci := srPct(*sdg.Indicator.Low) + " – " + srPct(*sdg.Indicator.High)
	if !strings.Contains(body, ci) {
		t.Errorf("page lacks the API's interval %q", ci)
	}

	// weighted: the margins are found, every area is weighted, and the headline moves
	r = get(t, re.ts.URL, base+"?weights=agegender", s)
	if r.status != 200 {
		t.Fatalf("weighted: %s", r)
	}
	wb := string(r.body)
	if note := srBetween(wb, `sr-weightnote">`, "</p>"); !strings.Contains(note, "14 population cells;") || !strings.Contains(note, " of 282 areas weighted") {
		t.Errorf("weighted page does not state the weighting: %s", srBetween(wb, `sr-weightnote">`, "</p>"))
	}
	if !strings.Contains(wb, "effective sample size") {
		t.Error("weighted figures do not state the effective sample size")
	}
	if strings.Contains(wb, head) {
		t.Error("the weighted headline equals the unweighted one")
	}
	// the share map: one value per area, each with n = 12
	raw := srBetween(body, `data-values="`, `"`)
	var vals map[string]srMapValue
	if err := json.Unmarshal([]byte(srHtmlUnescape(raw)), &vals); err != nil {
		t.Fatalf("map values: %v (%q)", err, raw[:min(len(raw), 200)])
	}
	if len(vals) != lsoaAreas {
		t.Errorf("%d areas on the map, want %d", len(vals), lsoaAreas)
	}
	for code, v := range vals {
		if !strings.Contains(v.Label, "n = 12") || !strings.Contains(v.Label, code) {
			t.Errorf("area %s: label %q", code, v.Label)
			break
		}
	}
}

func TestSurveyCompare(t *testing.T) {
	re := newRigaEnv(t, true)
	s := re.sessionFor(t, auth.Coordinator)
	base := fmt.Sprintf("/surveys/%d/compare", re.survey.ID)
	if r := get(t, re.ts.URL, base, s); !strings.Contains(string(r.body), "No surveyor has written session feedback") {
		t.Errorf("no feedback yet, and the page does not say so")
	}
	// a surveyor's session feedback appears beside the figures, with its area
	ctx := context.Background()
	camp, err := re.st.CreateCampaign(ctx, store.Campaign{OrgID: re.org.ID, SurveyID: re.survey.ID, Name: "Spring round", StartsOn: "2024-04-01", EndsOn: "2024-04-28",
		Areas: []store.CampaignArea{{Code: re.areas[0].Code, Target: 12}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := re.st.AddFeedback(ctx, store.Feedback{CampaignID: camp.ID, SurveyorID: re.users[auth.Field].ID, AreaCode: re.areas[0].Code, SessionDate: "2024-04-03",
		Observed: "Broken street lights on the estate's north side", Difficulties: "Few people at home before 6 pm", IdemKey: "fb-1"}); err != nil {
		t.Fatal(err)
	}
	r := get(t, re.ts.URL, base, s)
	if r.status != 200 {
		t.Fatalf("compare: %s", r)
	}
	body := string(r.body)
	if m := missingTranslations(r.body); len(m) > 0 {
		t.Errorf("untranslated keys: %v", m)
	}
	for _, want := range []string{"Broken street lights on the estate&#39;s north side", "Few people at home before 6 pm", re.areas[0].Name, "Spring round",
		"SIMULATED", "class=\"chart sr-quadrant\"", "stroke-dasharray", "per 1,000 residents", "exact Poisson", "Wilson 95%", `id="sr-print"`, "compare.csv?"} {
		if !strings.Contains(body, want) {
			t.Errorf("compare page lacks %q", want)
		}
	}

	// the CSV against an independent recount
	r = get(t, re.ts.URL, base+".csv", s)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %s", r)
	}
	recs, err := csv.NewReader(strings.NewReader(string(r.body))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != lsoaAreas+1 {
		t.Fatalf("%d CSV rows, want %d areas + header", len(recs), lsoaAreas)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, h := range []string{"area_code", "respondents", "unsafe_share", "unsafe_ci95_low", "incidents", "population", "incidents_per_1000", "incidents_per_1000_ci95_low", "incidents_per_1000_ci95_high", "quadrant", "simulated", "method"} {
		if _, ok := col[h]; !ok {
			t.Fatalf("CSV lacks column %s: %v", h, recs[0])
		}
	}
	n, x := re.unsafeByArea(t)
	counts, _, err := re.st.CountByArea(context.Background(), store.Filter{OrgID: re.org.ID}, re.layerID)
	if err != nil {
		t.Fatal(err)
	}
	inc := map[string]int64{}
	for _, c := range counts {
		for _, a := range re.areas {
			if a.ID == c.AreaID {
				inc[a.Code] = c.Count
			}
		}
	}
	num := func(rec []string, h string) float64 {
		v, err := strconv.ParseFloat(rec[col[h]], 64)
		if err != nil {
			t.Fatalf("%s: %q: %v", h, rec[col[h]], err)
		}
		return v
	}
	quad := map[string]int{}
	var total int64
	var shares, rates []float64
	for _, rec := range recs[1:] {
		code := rec[col["area_code"]]
		if got := int(num(rec, "respondents")); got != n[code] {
			t.Errorf("%s: %d respondents, recount %d", code, got, n[code])
		}
		p := float64(x[code]) / float64(n[code])
		if got := num(rec, "unsafe_share"); math.Abs(got-p) > 1e-4 {
			t.Errorf("%s: unsafe share %v, recount %v", code, got, p)
		}
		lo, _ := survey.Wilson(x[code], n[code], survey.Z95)
		if got := num(rec, "unsafe_ci95_low"); math.Abs(got-lo) > 1e-4 {
			t.Errorf("%s: Wilson low %v, want %v", code, got, lo)
		}
		k := inc[code]
		total += k
		if got := int64(num(rec, "incidents")); got != k {
			t.Errorf("%s: %d incidents, store counts %d", code, got, k)
		}
		pop := num(rec, "population")
		rate := float64(k) / pop * 1000
		if got := num(rec, "incidents_per_1000"); math.Abs(got-rate) > 1e-4 {
			t.Errorf("%s: rate %v, want %v", code, got, rate)
		}
		plo, phi := fearcrime.PoissonCI(int(k), 0.95)
		if math.Abs(num(rec, "incidents_per_1000_ci95_low")-plo/pop*1000) > 1e-4 || math.Abs(num(rec, "incidents_per_1000_ci95_high")-phi/pop*1000) > 1e-4 {
			t.Errorf("%s: rate interval %s..%s, want %v..%v", code, rec[col["incidents_per_1000_ci95_low"]], rec[col["incidents_per_1000_ci95_high"]], plo/pop*1000, phi/pop*1000)
		}
		if rec[col["simulated"]] != "true" {
			t.Errorf("%s: not marked simulated", code)
		}
		quad[rec[col["quadrant"]]]++
		shares, rates = append(shares, p), append(rates, rate)
	}
	if total == 0 {
		t.Fatal("no incident in any area: the comparison compared nothing")
	}
	// quadrants against the medians, recomputed here
	fm, cm := fearcrime.Median(shares), fearcrime.Median(rates)
	want := map[string]int{}
	for i := range shares {
		q := "low_fear_low_crime"
		switch hf, hc := shares[i] > fm, rates[i] > cm; {
		case hf && hc:
			q = "high_fear_high_crime"
		case hf:
			q = "high_fear_low_crime"
		case hc:
			q = "low_fear_high_crime"
		}
		want[q]++
	}
	for q, c := range want {
		if quad[q] != c {
			t.Errorf("quadrant %s: %d areas, recount %d", q, quad[q], c)
		}
	}

	// without a population: counts, and the page says so
	r = get(t, re.ts.URL, base+"?population=", s)
	if r.status != 200 || !strings.Contains(string(r.body), "incident counts are compared, not rates") {
		t.Errorf("counts mode: %s", r)
	}
	// a window with no incidents is still a page, not an error
	if r = get(t, re.ts.URL, base+"?from=2017-03&to=2017-03", s); r.status != 200 {
		t.Errorf("one month: %s", r)
	}
	if r = get(t, re.ts.URL, base+"?from=2017-13", s); r.status != 400 {
		t.Errorf("bad month: %s, want 400", r)
	}
}

// A survey without the SDG 16.1.4 item cannot be compared: a clear 400.
func TestSurveyCompareNeedsSDGItem(t *testing.T) {
	e := emptyEnv(t)
	d := survey.Definition{Title: survey.Tr{"en": "No SDG"}, Languages: []string{"en"}, Access: "public", Consent: survey.Tr{"en": "ok?"},
		Modules: []survey.Module{survey.FromBank("m", survey.Tr{"en": "M"}, "", "police_trust")}}
	b, _ := json.Marshal(d)
	sv, err := e.st.CreateSurvey(context.Background(), e.org.ID, "No SDG", "public", false, b)
	if err != nil {
		t.Fatal(err)
	}
	r := get(t, e.ts.URL, fmt.Sprintf("/surveys/%d/compare", sv.ID), e.sessionFor(t, auth.Analyst))
	if r.status != 400 || !strings.Contains(string(r.body), "SDG 16.1.4") {
		t.Errorf("compare without the item: %s", r)
	}
}

func srBetween(s, a, b string) string {
	i := strings.Index(s, a)
	if i < 0 {
		return ""
	}
	s = s[i+len(a):]
	if j := strings.Index(s, b); j >= 0 {
		return s[:j]
	}
	return s
}

func srHtmlUnescape(s string) string {
	return strings.NewReplacer("&#34;", `"`, "&quot;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}
