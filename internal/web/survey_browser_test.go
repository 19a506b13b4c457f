package web

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/icarus-city/icarus/internal/survey"
)

// TestBrowserSurveyOffline is the offline flow of the field form in
// headless Chromium: the network goes away, three responses are filled in
// (skip logic showing and hiding a question), the network comes back, and
// all three arrive exactly once.
func TestBrowserSurveyOffline(t *testing.T) {
	e := emptyEnv(t)
	d := survey.Definition{Title: survey.Tr{"en": "Offline test"}, Languages: []string{"en"}, Access: survey.AccessPublic,
		Consent: survey.Tr{"en": "Anonymous. Agree?"},
		Modules: []survey.Module{survey.FromBank("m", survey.Tr{"en": "Safety"}, "", "sdg_16_1_4", "victim_12m", "victim_reported")}}
	if err := d.Check(); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(d)
	sv, err := e.st.CreateSurvey(t.Context(), e.org.ID, "Offline test", "public", false, b)
	if err != nil {
		t.Fatal(err)
	}
	stored := func() int {
		rs, err := e.st.SurveyResponses(t.Context(), sv.ID)
		if err != nil {
			t.Fatal(err)
		}
		return len(rs)
	}

	ctx, logs := newBrowser(t, 420, 900, 60*time.Second)
	must := browserMust(t)
	eval := func(expr string) string {
		t.Helper()
		return browserEval[string](t, ctx, expr)
	}
	must("open the form", chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/surveys/%d/form", e.ts.URL, sv.ID)), chromedp.WaitVisible(chromedp.ID("survey-form"))))

	// skip logic: "was it reported" appears only once a crime is selected
	if h := eval(`String(document.querySelector('[data-name="victim_reported"]').hidden)`); h != "true" {
		t.Errorf("victim_reported visible before any crime was selected")
	}

	// offline
	_, err = chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}}})
	must("go offline", err)
	_, err = chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
	must("navigator offline", err)

	fill := func(sdg, crime string) {
		t.Helper()
		eval(`(function(){
			document.querySelector('input[name="sdg_16_1_4"][value="` + sdg + `"]').click();
			document.querySelector('input[name="victim_12m"][value="` + crime + `"]').click();
			var rep = document.querySelector('[data-name="victim_reported"]');
			if (!rep.hidden) { document.querySelector('input[name="victim_reported"][value="yes"]').click(); }
			document.querySelector('input[name="consent"]').click();
			document.getElementById("survey-form").requestSubmit();
			return String(rep.hidden);
		})()`)
	}
	fill("very_safe", "robbery")
	fill("a_bit_unsafe", "none")
	fill("very_unsafe", "bicycle_theft")
	time.Sleep(500 * time.Millisecond)
	if q := eval(`String(JSON.parse(localStorage.getItem("icarus.surveys.queue.v1") || "[]").length)`); q != "3" {
		t.Fatalf("queue holds %s responses, want 3 (status: %s)", q, eval(`document.getElementById("survey-status").textContent`))
	}
	if n := stored(); n != 0 {
		t.Fatalf("offline, yet %d responses reached the server", n)
	}

	// online again: the queue drains, each response stored once
	_, err = chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: []*network.Conditions{}})
	must("go online", err)
	_, err = chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: false, DownloadThroughput: -1, UploadThroughput: -1})
	must("navigator online", err)
	for range 3 { // the online event, more than once: nothing is stored twice
		eval(`window.dispatchEvent(new Event("online")), ""`)
	}
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`JSON.parse(localStorage.getItem("icarus.surveys.queue.v1") || "[]").length === 0`, chromedp.WithPollingTimeout(20*time.Second)))
	must("wait for the queue to drain", err)
	eval(`window.dispatchEvent(new Event("online")), ""`)
	time.Sleep(300 * time.Millisecond)
	rs, err := e.st.SurveyResponses(t.Context(), sv.ID)
	must("responses", err)
	if len(rs) != 3 {
		t.Fatalf("%d responses stored, want 3", len(rs))
	}
	var withReport int
	for _, r := range rs {
		if strings.Contains(string(r.Answers), "victim_reported") {
			withReport++
		}
	}
	if withReport != 2 {
		t.Errorf("%d responses answered victim_reported, want 2 (the skip logic)", withReport)
	}
	for _, p := range logs.take() {
		if strings.Contains(p, "uncaught exception") || strings.Contains(p, "Content Security Policy") {
			t.Errorf("browser: %s", p)
		}
	}
	if csp := eval(`JSON.stringify(window.__csp || [])`); csp != "[]" {
		t.Errorf("CSP violations: %s", csp)
	}
}
