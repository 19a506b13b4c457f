package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/survey"
)

// TestBrowserSurveyResultsPages opens the results and comparison pages of
// the Riga survey over the real Manchester LSOAs in headless Chromium, on a
// desktop and on a 390 px phone: the maps paint all 282 areas from the
// server's values, the charts are there (a bar per choice, a point per
// area), nothing breaks the CSP or logs an error, and the phone page does
// not scroll sideways. Screenshots are kept in $ICARUS_SHOTS when set.
func TestBrowserSurveyResultsPages(t *testing.T) {
	ctx, logs := newBrowser(t, 1280, 900, 90*time.Second)
	re := newRigaEnv(t, true)
	s := newSession(t, re.st, re.users[auth.Analyst])
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: sessionCookie, Value: s.token, URL: re.ts.URL}); err != nil {
		t.Fatal(err)
	}
	shots := os.Getenv("ICARUS_SHOTS")
	shot := func(name string) {
		if shots == "" {
			return
		}
		b, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
		if err == nil {
			os.WriteFile(filepath.Join(shots, name+".jpg"), b, 0o644)
		}
	}
	open := func(path string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(re.ts.URL+path), chromedp.WaitVisible(`#sr-map[data-ready]`)); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	for _, width := range []int64{1280, 390} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 860)); err != nil {
			t.Fatal(err)
		}
		results := fmt.Sprintf("/surveys/%d/results", re.survey.ID)
		open(results)
		if n := browserEval[int](t, ctx, `document.querySelectorAll('#sr-map path.leaflet-interactive').length`); n != lsoaAreas {
			t.Errorf("results map (%d px): %d areas drawn, want %d", width, n, lsoaAreas)
		}
		if n := browserEval[int](t, ctx, `Object.keys(JSON.parse(document.getElementById('sr-map').dataset.values)).length`); n != lsoaAreas {
			t.Errorf("results map: %d areas with a value, want %d", n, lsoaAreas)
		}
		// the SDG chart: six answers, each a bar with a whisker
		if n := browserEval[int](t, ctx, `document.querySelectorAll('#q-sdg_16_1_4 svg.sr-bars rect').length`); n != 6 {
			t.Errorf("SDG chart: %d bars, want 6", n)
		}
		if !browserEval[bool](t, ctx, `document.querySelector('.sr-simulated') !== null && document.body.textContent.includes('SIMULATED')`) {
			t.Error("results page without the SIMULATED banner")
		}
		if w := browserEval[int](t, ctx, `document.documentElement.scrollWidth`); w > int(width) {
			t.Errorf("results page %d px wide in a %d px viewport", w, width)
		}
		shot(fmt.Sprintf("results-%d", width))
		browserCheck(t, ctx, logs, "results")

		compare := fmt.Sprintf("/surveys/%d/compare", re.survey.ID)
		open(compare)
		if n := browserEval[int](t, ctx, `document.querySelectorAll('#sr-map path.leaflet-interactive').length`); n != lsoaAreas {
			t.Errorf("quadrant map (%d px): %d areas drawn, want %d", width, n, lsoaAreas)
		}
		if n := browserEval[int](t, ctx, `document.querySelectorAll('svg.sr-quadrant circle').length`); n != lsoaAreas {
			t.Errorf("quadrant chart: %d points, want %d", n, lsoaAreas)
		}
		// the painted colours are the four quadrant colours of the table
		fills := browserEval[[]string](t, ctx, `Array.from(new Set(Array.from(document.querySelectorAll('#sr-map path.leaflet-interactive')).map(p => p.getAttribute('fill'))))`)
		if len(fills) != 4 {
			t.Errorf("quadrant map colours %v, want the 4 quadrants", fills)
		}
		if !browserEval[bool](t, ctx, `!!document.getElementById('sr-print') && !!document.querySelector('a[href*="compare.csv"]')`) {
			t.Error("no print button or CSV link")
		}
		if w := browserEval[int](t, ctx, `document.documentElement.scrollWidth`); w > int(width) {
			t.Errorf("compare page %d px wide in a %d px viewport", w, width)
		}
		// print media hides the navigation and the form
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
			t.Fatal(err)
		}
		if v := browserEval[string](t, ctx, `getComputedStyle(document.querySelector('.site-header')).display + ' ' + getComputedStyle(document.getElementById('sr-form')).display`); v != "none none" {
			t.Errorf("print view shows the header or the form: %s", v)
		}
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
			t.Fatal(err)
		}
		shot(fmt.Sprintf("compare-%d", width))
		browserCheck(t, ctx, logs, "compare")
	}
}

// TestBrowserSurveyOfflineReload strengthens the offline test: here the
// connection is really cut for the page and for its service worker (the
// server drops every connection; Chromium is told it is offline), the form
// page is reloaded offline (served by the service worker's cache), three
// responses are filled in, the page is reloaded again (the queue survives
// in localStorage), and when the connection returns the three arrive
// exactly once, with three distinct idempotency keys.
func TestBrowserSurveyOfflineReload(t *testing.T) {
	ctx, logs := newBrowser(t, 420, 900, 90*time.Second)
	e := emptyEnv(t)
	d := survey.Definition{Title: survey.Tr{"en": "Offline reload"}, Languages: []string{"en"}, Access: survey.AccessPublic,
		Consent: survey.Tr{"en": "Anonymous. Agree?"}, Modules: []survey.Module{survey.FromBank("m", survey.Tr{"en": "Safety"}, "", "sdg_16_1_4")}}
	b, _ := json.Marshal(d)
	sv, err := e.st.CreateSurvey(t.Context(), e.org.ID, "Offline reload", "public", false, b)
	if err != nil {
		t.Fatal(err)
	}
	var down atomic.Bool
	var refused atomic.Int64
	h := e.srv.Handler()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() { // the cable is cut: no answer at all
			refused.Add(1)
			if hj, ok := w.(http.Hijacker); ok {
				if c, _, err := hj.Hijack(); err == nil {
					c.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		}
		h.ServeHTTP(w, r)
	}))
	defer ts.Close()
	form := fmt.Sprintf("%s/surveys/%d/form", ts.URL, sv.ID)
	stored := func() int {
		rs, err := e.st.SurveyResponses(t.Context(), sv.ID)
		if err != nil {
			t.Fatal(err)
		}
		return len(rs)
	}
	load := func(what string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(form), chromedp.WaitVisible(`#survey-form`)); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	load("open the form")
	// the service worker takes control; one more load online puts the page in its cache
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`navigator.serviceWorker && navigator.serviceWorker.controller !== null`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("service worker never controlled the page: %v", err)
	}
	load("reload online")
	if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`caches.keys().then(ks => Promise.all(ks.map(k => caches.open(k).then(c => c.match(location.href))))).then(rs => rs.some(r => !!r))`, chromedp.EvalAwaitPromise)); err != nil || !ok {
		t.Fatal("the form page is not in the service worker's cache")
	}

	offline := func(off bool) {
		t.Helper()
		down.Store(off)
		conds := []*network.Conditions{}
		if off {
			conds = []*network.Conditions{{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}}
		}
		if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: conds}); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
			t.Fatal(err)
		}
	}
	offline(true)
	load("reload offline (from the service worker's cache)")
	if n := browserEval[int](t, ctx, `document.querySelectorAll('input[name="sdg_16_1_4"]').length`); n != 6 {
		t.Fatalf("offline page has %d SDG answers, want 6", n)
	}
	for _, v := range []string{"very_safe", "a_bit_unsafe", "very_unsafe"} {
		browserEval[string](t, ctx, `(function(){
			document.querySelector('input[name="sdg_16_1_4"][value="`+v+`"]').click();
			document.querySelector('input[name="consent"]').click();
			document.getElementById("survey-form").requestSubmit();
			return "";
		})()`)
	}
	queue := `JSON.parse(localStorage.getItem("icarus.surveys.queue.v1") || "[]")`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](queue+`.length === 3`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("queue: %s", browserEval[string](t, ctx, `localStorage.getItem("icarus.surveys.queue.v1") || "[]"`))
	}
	load("reload offline with a full queue")
	if n := browserEval[int](t, ctx, queue+`.length`); n != 3 {
		t.Fatalf("after an offline reload the queue holds %d, want 3", n)
	}
	keys := browserEval[[]string](t, ctx, queue+`.map(x => x.key)`)
	if n := stored(); n != 0 {
		t.Fatalf("offline, yet %d responses reached the server", n)
	}
	if refused.Load() == 0 {
		t.Fatal("the server saw no request while down: the test did not go through the cut connection")
	}

	offline(false)
	for range 3 {
		browserEval[string](t, ctx, `window.dispatchEvent(new Event("online")), ""`)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](queue+`.length === 0`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("the queue never drained: %v", err)
	}
	load("reload online") // a further load resends nothing
	time.Sleep(300 * time.Millisecond)
	rs, err := e.st.SurveyResponses(t.Context(), sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 3 {
		t.Fatalf("%d responses stored, want 3", len(rs))
	}
	got := map[string]bool{}
	for _, r := range rs {
		got[r.IdemKey] = true
	}
	for _, k := range keys {
		if !got[k] {
			t.Errorf("queued key %s not stored (stored %v)", k, got)
		}
	}
	for _, p := range logs.take() {
		// failed requests while the cable is cut are expected; script errors are not
		if strings.Contains(p, "uncaught exception") || strings.Contains(p, "Content Security Policy") {
			t.Errorf("browser: %s", p)
		}
	}
}
