package web

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/store"
	"github.com/icarus-city/icarus/internal/survey"
)

// TestBrowserBuilderAndCampaign drives the coordinator's flow in headless
// Chromium at a phone's size: build the Riga survey in the builder (move a
// question with the keyboard-reachable arrow buttons, drop one), then, in a
// campaign, fill a response and the session feedback in the field form and
// see both stored once and counted on the campaign page; no console errors,
// no CSP violations. With ICARUS_SCREENSHOTS=DIR it saves the pages there.
func TestBrowserBuilderAndCampaign(t *testing.T) {
	e := emptyEnv(t)
	coord := e.sessionFor(t, auth.Coordinator)
	base := e.ts.URL

	ctx, logs := newBrowser(t, 390, 844, 90*time.Second)
	must := browserMust(t)
	eval := func(expr string) string {
		t.Helper()
		return browserEval[string](t, ctx, expr)
	}
	shots := os.Getenv("ICARUS_SCREENSHOTS")
	_, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: sessionCookie, Value: coord.token, URL: base})
	must("session cookie", err)

	// 1. the builder: the Riga selection; move the first question down, drop "avoidance"
	must("open the builder", chromedp.Do(ctx, chromedp.Navigate(base+"/surveys/new"), chromedp.WaitVisible(chromedp.ID("builder"))))
	first := eval(`document.querySelector(".builder-row").getAttribute("data-name")`)
	second := eval(`document.querySelectorAll(".builder-row")[1].getAttribute("data-name")`)
	must("move down", chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.builder-row[data-name="`+first+`"] button.move[data-dir="1"]`))))
	if now := eval(`document.querySelector(".builder-row").getAttribute("data-name")`); now != second {
		t.Fatalf("after moving %s down the first row is %s, want %s", first, now, second)
	}
	if ord := eval(`document.querySelector('input[name="q_` + first + `_ord"]').value`); ord != "20" {
		t.Errorf("order of the moved question %s, want 20", ord)
	}
	eval(`document.querySelector('input[name="q_avoidance_inc"]').click(), ""`)
	if on := eval(`String(document.querySelector('.builder-row[data-name="avoidance"]').classList.contains("on"))`); on != "false" {
		t.Errorf("the dropped question still shows as included")
	}
	must("title", chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("b-title"), "Riga from the bank")))
	browserShot(t, ctx, shots, "builder-phone.png")
	browserCheck(t, ctx, logs, "builder")
	must("save", chromedp.Do(ctx, chromedp.Click(chromedp.ID("builder-save")), chromedp.WaitVisible(chromedp.CSS(`main .ok`))))
	if u := eval(`location.pathname + location.search`); !strings.HasPrefix(u, "/surveys?saved=") {
		t.Fatalf("after saving: %s", u)
	}
	browserShot(t, ctx, shots, "surveys-phone.png")
	browserCheck(t, ctx, logs, "surveys")
	svs, err := e.st.Surveys(t.Context(), e.org.ID)
	must("surveys", err)
	if len(svs) != 1 {
		t.Fatalf("%d surveys saved", len(svs))
	}
	sv, _ := e.st.SurveyByID(t.Context(), e.org.ID, svs[0].ID)
	var d survey.Definition
	must("definition", json.Unmarshal(sv.Definition, &d))
	if q := d.Modules[0].Questions; q[0].Name != second || q[1].Name != first || d.Question("avoidance") != nil || d.Title["en"] != "Riga from the bank" {
		t.Errorf("saved survey: %q, module 1 %s, %s; avoidance kept: %v", d.Title["en"], q[0].Name, q[1].Name, d.Question("avoidance") != nil)
	}

	// 2. a campaign over two areas; the coordinator collects as a patrol officer
	sq := func(code, name string, lon float64) store.Area {
		g := fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%g,53.4],[%g,53.4],[%g,53.41],[%g,53.41],[%g,53.4]]]}`, lon, lon+0.01, lon+0.01, lon, lon)
		return store.Area{Code: code, Name: name, Geometry: json.RawMessage(g), MinLon: lon, MinLat: 53.4, MaxLon: lon + 0.01, MaxLat: 53.41, AreaM2: 1e6}
	}
	_, err = e.st.ReplaceLayer(t.Context(), store.Layer{OrgID: e.org.ID, Name: "LSOA"}, []store.Area{sq("E01000001", "Ancoats", -2.23), sq("E01000002", "Hulme", -2.25)})
	must("areas", err)
	cp, err := e.st.CreateCampaign(t.Context(), store.Campaign{OrgID: e.org.ID, SurveyID: sv.ID, Name: "Week one", StartsOn: "2020-01-01", EndsOn: "2099-12-31",
		Areas: []store.CampaignArea{{Code: "E01000001", Target: 3}, {Code: "E01000002", Target: 3}}})
	must("campaign", err)
	_, err = e.st.SetAssignment(t.Context(), e.org.ID, store.Assignment{CampaignID: cp.ID, UserID: e.users[auth.Coordinator].ID, Role: "patrol officers", AreaCode: "E01000001", Target: 2})
	must("assignment", err)
	must("open the form", chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/surveys/%d/form?campaign=%d", base, sv.ID, cp.ID)), chromedp.WaitVisible(chromedp.ID("survey-form"))))
	if n := eval(`String(document.querySelectorAll('[data-name="cohesion_help"]').length)`); n != "0" {
		t.Errorf("a patrol officer's form asks the cohesion module")
	}
	eval(`(function(){
		document.querySelector('input[name="sdg_16_1_4"][value="a_bit_unsafe"]').click();
		var s = document.querySelector('select[name="area"]'); s.value = "E01000001"; s.dispatchEvent(new Event("change", {bubbles: true}));
		document.querySelector('input[name="consent"]').click();
		document.getElementById("survey-form").requestSubmit();
		return "";
	})()`)
	browserShot(t, ctx, shots, "form-campaign-phone.png")
	eval(`(function(){
		var f = document.getElementById("feedback-form");
		f.elements.observed.value = "Graffiti and a broken street light by the school";
		f.elements.difficulties.value = "Two refusals: people in a hurry";
		f.requestSubmit();
		return "";
	})()`)
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`JSON.parse(localStorage.getItem("icarus.surveys.queue.v1") || "[]").length === 0`, chromedp.WithPollingTimeout(15*time.Second)))
	must("queue drained (status: "+eval(`document.getElementById("survey-status").textContent`)+")", err)
	browserCheck(t, ctx, logs, "form")
	rs, _ := e.st.SurveyResponses(t.Context(), sv.ID)
	fbs, _ := e.st.CampaignFeedback(t.Context(), cp.ID)
	if len(rs) != 1 || rs[0].CampaignID != cp.ID || rs[0].SurveyorID != e.users[auth.Coordinator].ID || len(fbs) != 1 || fbs[0].AreaCode != "E01000001" {
		t.Fatalf("stored %d responses (%+v), %d feedback (%+v)", len(rs), rs, len(fbs), fbs)
	}

	// 3. the campaign page counts it against the targets
	must("campaign page", chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/campaigns/%d", base, cp.ID)), chromedp.WaitVisible(chromedp.ID("h-progress"))))
	body := eval(`document.body.innerText`)
	for _, want := range []string{"1 / 3 (33%)", "1 / 2 (50%)", "Graffiti and a broken street light"} {
		if !strings.Contains(body, want) {
			t.Errorf("campaign page lacks %q", want)
		}
	}
	browserShot(t, ctx, shots, "campaign-phone.png")
	browserCheck(t, ctx, logs, "campaign")
}
