package web

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/icarus-city/icarus/internal/analyses"
	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/jobs"
)

// TestBrowserAnalysisWorkbench runs a Gi* hot-spot analysis of the real
// Manchester burglaries end to end in headless Chromium as an analyst: the
// workbench posts it, a job runner (as on every node) runs it while the
// page shows its progress, Leaflet draws the hot and cold cells with a
// legend, the method card and the exports appear; the analysis is saved
// and opened by its link; a trend chart is drawn as SVG. No console error,
// no CSP violation. Screenshots (desktop and phone) go to $ICARUS_SHOTS
// when set.
func TestBrowserAnalysisWorkbench(t *testing.T) {
	needChromium(t) // before loading the real data
	f := realData(t)
	base := f.ts.URL
	sess := f.sessionFor(t, auth.Analyst)

	// the node's job runner, as serve starts it
	rctx, stopRunner := context.WithCancel(context.Background())
	runner := &jobs.Runner{Store: f.st, Worker: "browser-test", Handlers: analyses.New(f.st).JobHandlers(), Poll: 200 * time.Millisecond}
	done := make(chan struct{})
	go func() { runner.Run(rctx); close(done) }()
	defer func() { stopRunner(); <-done }()

	ctx, logs := newBrowser(t, 1400, 1000, 120*time.Second)
	must := browserMust(t)
	eval := func(expr string) string {
		t.Helper()
		return browserEval[string](t, ctx, expr)
	}
	wait := func(what, expr string) {
		t.Helper()
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(60*time.Second)))
		must(what+" (status: "+eval(`(document.getElementById("a-status-text")||{}).textContent||""`)+")", err)
	}
	shots := os.Getenv("ICARUS_SHOTS")

	_, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: sessionCookie, Value: sess.token, URL: base})
	must("session cookie", err)
	must("open /analyses", chromedp.Do(ctx, chromedp.Navigate(base+"/analyses"), chromedp.WaitVisible(chromedp.ID("analysis-form"))))

	// the form shows the fields of the chosen method only
	eval(`(function(){ var m = document.getElementById("a-method"); m.value = "getis-ord"; m.dispatchEvent(new Event("change")); return ""; })()`)
	if h := eval(`String(document.getElementById("p-space").closest(".field").hidden) + String(document.getElementById("p-permutations").closest(".field").hidden)`); h != "truefalse" {
		t.Errorf("fields for getis-ord: knox bands hidden+permutations hidden = %s, want truefalse", h)
	}
	eval(`(function(){ document.getElementById("p-cell").value = "500"; return ""; })()`)
	must("run", chromedp.Do(ctx, chromedp.Click(chromedp.ID("a-run"))))
	// queued as a job, then done: the result, the map cells, the legend, the card
	wait("Gi* result", `!document.getElementById("a-result").hidden && document.querySelectorAll("#a-map path.leaflet-interactive").length > 0`)
	cells, _ := strconv.Atoi(eval(`String(document.querySelectorAll("#a-map path.leaflet-interactive").length)`))
	legend := eval(`document.querySelector(".analysis-legend").textContent`)
	card := eval(`document.getElementById("a-card").textContent`)
	if !strings.Contains(legend, "hot spot") || !strings.Contains(card, "Gi*") || !strings.Contains(card, strconv.Itoa(burglaryPoints)) || !strings.Contains(card, "permutations = 999") {
		t.Errorf("legend %q; card %q", legend, card)
	}
	if cells == 0 {
		t.Error("no cell drawn")
	}
	csv := eval(`document.getElementById("a-csv").getAttribute("href")`)
	if !strings.HasPrefix(csv, "/api/v1/analyses/") || !strings.HasSuffix(csv, "format=csv") {
		t.Errorf("csv link %q", csv)
	}
	if r := get(t, base, csv, sess); r.status != 200 || !strings.HasPrefix(string(r.body), "cell,") {
		t.Errorf("csv export: %s", r)
	}
	browserShot(t, ctx, shots, "analysis-gi.png")
	// the PNG export draws the map on a canvas (no error, no CSP violation)
	must("png", chromedp.Do(ctx, chromedp.Click(chromedp.ID("a-png"))))

	// save and share
	must("save", chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("a-name"), "Hot spots 2017 (browser)"), chromedp.Click(chromedp.CSS(`#a-save button[type="submit"]`))))
	wait("share link", `!document.getElementById("a-share").hidden`)
	link := eval(`document.getElementById("a-share-link").getAttribute("href")`)
	must("open the link", chromedp.Do(ctx, chromedp.Navigate(base+link)))
	wait("saved result", `!document.getElementById("a-result").hidden && document.querySelectorAll("#a-map path.leaflet-interactive").length === `+strconv.Itoa(cells))
	if m := eval(`document.getElementById("a-method").value`); m != "getis-ord" {
		t.Errorf("the opened analysis set the method to %q", m)
	}

	// a trend: the chart is SVG
	eval(`(function(){ var m = document.getElementById("a-method"); m.value = "trend"; m.dispatchEvent(new Event("change")); return ""; })()`)
	must("run trend", chromedp.Do(ctx, chromedp.Click(chromedp.ID("a-run"))))
	wait("trend chart", `document.querySelectorAll("#a-charts svg path").length > 0 && document.getElementById("a-map-fig").hidden`)

	// phone width
	_, err = chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 390, Height: 844, DeviceScaleFactor: 2, Mobile: true})
	must("phone viewport", err)
	must("reopen", chromedp.Do(ctx, chromedp.Navigate(base+link)))
	wait("saved result on a phone", `!document.getElementById("a-result").hidden && document.querySelectorAll("#a-map path.leaflet-interactive").length > 0`)
	if w := eval(`String(document.documentElement.scrollWidth <= window.innerWidth + 1)`); w != "true" {
		t.Errorf("the page scrolls sideways on a phone (%s px wide)", eval(`String(document.documentElement.scrollWidth)`))
	}
	browserShot(t, ctx, shots, "analysis-phone.png")

	browserCheck(t, ctx, logs, "browser")
}
