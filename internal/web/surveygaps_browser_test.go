package web

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/store"
	"github.com/icarus-city/icarus/internal/survey"
)

// TestBrowserCampaignEditAndTranslations drives, in headless Chromium at a
// phone's size, a coordinator editing a campaign (a refused period shown at
// the field, then areas, targets and roles changed with the warning for an
// area that has responses), editing a translation in the builder (the
// fields follow the languages typed) and the field form in French and
// Italian with the fallback to the default language; no console errors, no
// CSP violations. With ICARUS_SCREENSHOTS=DIR it saves the pages there
// (phone and desktop widths).
func TestBrowserCampaignEditAndTranslations(t *testing.T) {
	e := emptyEnv(t)
	coord := e.sessionFor(t, auth.Coordinator)
	base := e.ts.URL
	bg := context.Background()

	// three areas, the Riga survey in en, fr, it with an edited French label and no Italian one for worry_crime
	sq := func(code, name string, lon float64) store.Area {
		g := fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%g,53.4],[%g,53.4],[%g,53.41],[%g,53.41],[%g,53.4]]]}`, lon, lon+0.01, lon+0.01, lon, lon)
		return store.Area{Code: code, Name: name, Geometry: json.RawMessage(g), MinLon: lon, MinLat: 53.4, MaxLon: lon + 0.01, MaxLat: 53.41, AreaM2: 1e6}
	}
	if _, err := e.st.ReplaceLayer(bg, store.Layer{OrgID: e.org.ID, Name: "LSOA"}, []store.Area{sq("E01000001", "Ancoats", -2.23), sq("E01000002", "Hulme", -2.25),
		sq("E01000003", "Moss Side", -2.27)}); err != nil {
		t.Fatal(err)
	}
	d := survey.Riga("Feeling safe in Manchester", false)
	d.Languages = []string{"en", "fr", "it"}
	for mi := range d.Modules {
		for qi := range d.Modules[mi].Questions {
			q := &d.Modules[mi].Questions[qi]
			tq, _ := translatedBankQuestion(q.Name)
			q.Label, q.Choices = tq.Label, tq.Choices
		}
	}
	d.Title["fr"], d.Consent["fr"] = "Se sentir en sécurité à Manchester", "Cette enquête est anonyme. Acceptez-vous d'y participer ?"
	d.Modules[0].Title["fr"] = "Sentiment d'insécurité"
	d.Question("sdg_16_1_4").Label["fr"] = "Le soir, seul(e) dans votre rue, vous sentez-vous en sécurité ?"
	delete(d.Question("worry_crime").Label, "it")
	if err := d.Check(); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(d)
	sv, err := e.st.CreateSurvey(bg, e.org.ID, "Feeling safe in Manchester", survey.AccessField, false, b)
	if err != nil {
		t.Fatal(err)
	}
	today := e.srv.now()
	cp, err := e.st.CreateCampaign(bg, store.Campaign{OrgID: e.org.ID, SurveyID: sv.ID, Name: "Autumn round", StartsOn: today.AddDate(0, 0, -7).Format(time.DateOnly),
		EndsOn: today.AddDate(0, 0, 20).Format(time.DateOnly), Areas: []store.CampaignArea{{Code: "E01000001", Target: 10}, {Code: "E01000002", Target: 10}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.st.AddSurveyResponse(bg, store.SurveyResponse{SurveyID: sv.ID, Version: 1, IdemKey: "hulme-1", AreaCode: "E01000002", Answers: json.RawMessage(`{"area":"E01000002"}`),
		Consent: true, ConsentText: "ok", Channel: "field", SurveyorID: e.users[auth.Field].ID, CampaignID: cp.ID}); err != nil {
		t.Fatal(err)
	}

	ctx, logs := newBrowser(t, 390, 844, 120*time.Second)
	must := browserMust(t)
	eval := func(expr string) string {
		t.Helper()
		return browserEval[string](t, ctx, expr)
	}
	shots := os.Getenv("ICARUS_SCREENSHOTS")
	shot := func(name string) {
		t.Helper()
		if shots == "" {
			return
		}
		for _, w := range []struct {
			suffix string
			width  int64
		}{{"phone", 390}, {"desktop", 1280}} {
			must("viewport", chromedp.Do(ctx, chromedp.EmulateViewport(w.width, 844)))
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			must("screenshot", err)
			must("write screenshot", os.WriteFile(filepath.Join(shots, name+"-"+w.suffix+".png"), png, 0o644))
		}
		must("viewport", chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)))
	}
	_, err = chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: sessionCookie, Value: coord.token, URL: base})
	must("session cookie", err)

	// 1. edit the campaign: from its page, a period that ends before it starts is refused at the field
	must("campaign page", chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/campaigns/%d", base, cp.ID)), chromedp.WaitVisible(chromedp.ID("campaign-edit-link"))))
	must("edit link", chromedp.Do(ctx, chromedp.Click(chromedp.ID("campaign-edit-link")), chromedp.WaitVisible(chromedp.ID("campaign-edit"))))
	eval(`(function(){ document.getElementById("e-to").value = "2020-01-01"; return ""; })()`)
	must("save bad period", chromedp.Do(ctx, chromedp.Click(chromedp.ID("campaign-save")), chromedp.WaitVisible(chromedp.ID("e-to-err"))))
	if msg := eval(`document.getElementById("e-to-err").textContent`); !strings.Contains(msg, "is before the first day") {
		t.Errorf("period error: %q", msg)
	}
	if inv := eval(`document.getElementById("e-to").getAttribute("aria-invalid") || ""`); inv != "true" {
		t.Errorf("the end date is not marked invalid")
	}
	shot("campaign-edit-error")
	for _, p := range logs.take() { // the refused form comes back with 400, as it should
		if !strings.Contains(p, "400") {
			t.Errorf("refused edit: %s", p)
		}
	}
	browserCheck(t, ctx, logs, "refused edit")

	// then a good edit: Hulme out (it has a response: the page warns), Moss Side in, patrol officers lose "about you"
	newEnd := today.AddDate(0, 0, 30).Format(time.DateOnly)
	eval(`(function(){ document.getElementById("e-to").value = "` + newEnd + `"; return ""; })()`)
	must("untick Hulme", chromedp.Do(ctx, chromedp.Click(chromedp.ID("keep-E01000002"))))
	if hidden := eval(`String(document.getElementById("removal-warning").hidden)`); hidden != "false" {
		t.Errorf("no warning when removing an area with responses")
	}
	if w := eval(`document.getElementById("removal-warning").textContent`); !strings.Contains(w, "E01000002") || !strings.Contains(w, "1 response(s)") {
		t.Errorf("warning %q", w)
	}
	eval(`(function(){
		var s = document.getElementById("e-add"); for (var i = 0; i < s.options.length; i++) { s.options[i].selected = s.options[i].value === "E01000003"; }
		document.getElementById("e-add-target").value = "6";
		document.querySelector('input[name="target_E01000001"]').value = "12";
		document.querySelector('input[name="rm_0"][value="about_you"]').click();
		return "";
	})()`)
	shot("campaign-edit")
	must("save", chromedp.Do(ctx, chromedp.Click(chromedp.ID("campaign-save")), chromedp.WaitVisible(chromedp.ID("h-progress"))))
	flash := eval(`document.querySelector("main").innerText`)
	for _, want := range []string{"The campaign was saved.", "E01000002 (1)", "not deleted", "Moss Side"} {
		if !strings.Contains(flash, want) {
			t.Errorf("campaign page after the edit lacks %q", want)
		}
	}
	shot("campaign-after-edit")
	browserCheck(t, ctx, logs, "campaign after edit")
	got, _ := e.st.CampaignByID(bg, e.org.ID, cp.ID)
	if got.EndsOn != newEnd || len(got.Areas) != 2 || got.Areas[0].Target != 12 || got.Areas[1] != (store.CampaignArea{Code: "E01000003", Target: 6}) ||
		fmt.Sprint(got.RoleModules["patrol officers"]) != "[insecurity]" {
		t.Errorf("stored campaign %+v", got)
	}

	// 2. the builder: edit an Italian choice; typing the languages shows only their fields
	must("builder", chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/surveys/new?from=%d", base, sv.ID)), chromedp.WaitVisible(chromedp.ID("builder"))))
	if s := eval(`document.getElementById("tr-summary").innerText`); !strings.Contains(s, "it: 1 missing") || !strings.Contains(s, "fr: ✓") {
		t.Errorf("translation summary %q", s)
	}
	eval(`(function(){ document.querySelector('.builder-row[data-name="sdg_16_1_4"] details.tr-edit').open = true; return ""; })()`)
	eval(`(function(){ document.querySelector('[name="tc:sdg_16_1_4:very_safe:it"]').value = ""; return ""; })()`)
	must("edit a choice", chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`[name="tc:sdg_16_1_4:very_safe:it"]`), "del tutto sicuro/a")))
	eval(`(function(){ var l = document.getElementById("b-langs"); l.value = "en, fr"; l.dispatchEvent(new Event("input", {bubbles: true})); return ""; })()`)
	if h := eval(`String(document.querySelector('[data-tr-lang="it"]').hidden) + " " + String(document.querySelector('[data-tr-lang="fr"]').hidden)`); h != "true false" {
		t.Errorf("fields of a language not listed: hidden %s", h)
	}
	eval(`(function(){ var l = document.getElementById("b-langs"); l.value = "en, fr, it"; l.dispatchEvent(new Event("input", {bubbles: true})); return ""; })()`)
	shot("builder-translations")
	browserCheck(t, ctx, logs, "builder")
	must("save the survey", chromedp.Do(ctx, chromedp.Click(chromedp.ID("builder-save")), chromedp.WaitVisible(chromedp.CSS(`main .ok`))))
	saved, _ := e.st.SurveyByID(bg, e.org.ID, sv.ID)
	nd, err := decodeDefinition(saved.Definition)
	must("definition", err)
	if l := nd.Question("sdg_16_1_4").Choices[0].Label["it"]; l != "del tutto sicuro/a" {
		t.Errorf("edited Italian choice: %q", l)
	}

	// 3. the field form in French (edited label), then Italian (falls back to English where the Italian is missing)
	must("form fr", chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/surveys/%d/form?campaign=%d&lang=fr", base, sv.ID, cp.ID)), chromedp.WaitVisible(chromedp.ID("survey-form"))))
	fr := eval(`document.getElementById("survey-form").innerText`)
	if !strings.Contains(fr, "Le soir, seul(e) dans votre rue, vous sentez-vous en sécurité ?") || !strings.Contains(fr, "Sentiment d'insécurité") || !strings.Contains(fr, "Acceptez-vous d'y participer ?") {
		t.Errorf("French form: %.300s", fr)
	}
	shot("form-fr")
	browserCheck(t, ctx, logs, "form fr")
	must("switch to it", chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.survey-langs a[lang="it"]`)), chromedp.WaitVisible(chromedp.ID("survey-form"))))
	it := eval(`document.getElementById("survey-form").innerText`)
	if !strings.Contains(it, "del tutto sicuro/a") || !strings.Contains(it, nd.Question("worry_crime").Label["en"]) ||
		!strings.Contains(it, nd.Question("avoidance").Label["it"]) {
		t.Errorf("Italian form (edited choice, English fallback): %.400s", it)
	}
	if cur := eval(`document.querySelector('.survey-langs a[aria-current]').getAttribute("lang")`); cur != "it" {
		t.Errorf("current language link %q", cur)
	}
	browserCheck(t, ctx, logs, "form it")

	// 4. the campaign ended two days ago: the form says so, and a new response is not queued
	got.StartsOn, got.EndsOn = today.AddDate(0, 0, -20).Format(time.DateOnly), today.AddDate(0, 0, -2).Format(time.DateOnly)
	if _, _, err := e.st.UpdateCampaign(bg, got); err != nil {
		t.Fatal(err)
	}
	must("form of an ended campaign", chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/surveys/%d/form?campaign=%d&lang=en", base, sv.ID, cp.ID)),
		chromedp.WaitVisible(chromedp.ID("survey-period"))))
	if n := eval(`document.getElementById("survey-period").textContent`); !strings.Contains(n, "New responses are refused") {
		t.Errorf("period notice %q", n)
	}
	eval(`(function(){
		document.querySelector('input[name="sdg_16_1_4"][value="very_safe"]').click();
		var s = document.querySelector('select[name="area"]'); s.value = "E01000001"; s.dispatchEvent(new Event("change", {bubbles: true}));
		document.querySelector('input[name="consent"]').click();
		document.getElementById("survey-form").requestSubmit();
		return "";
	})()`)
	if st := eval(`document.getElementById("survey-status").textContent`); !strings.Contains(st, "outside the campaign's period") {
		t.Errorf("status after saving outside the period: %q", st)
	}
	if q := eval(`localStorage.getItem("icarus.surveys.queue.v1") || "[]"`); q != "[]" {
		t.Errorf("a response outside the period was queued: %s", q)
	}
	shot("form-ended")
	browserCheck(t, ctx, logs, "form of an ended campaign")
}
