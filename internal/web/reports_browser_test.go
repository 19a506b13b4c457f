package web

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/icarus-city/icarus/internal/store"
)

// TestBrowserReport: in headless Chromium on a 390 px phone viewport, a
// resident picks a category, pins the place on the map, answers the
// category's question, attaches a photo and sends the report; the follow
// page opens with the private link; staff change the status (store call);
// the follow page shows it. Screenshots of the form, the follow page and the
// public view (phone and desktop) are saved for people to look at
// (/tmp/icarus-report-*.png).
func TestBrowserReport(t *testing.T) {
	needChromium(t) // before building the fixture
	e := emptyEnv(t)
	areasFixture(t, e)
	photo := filepath.Join(t.TempDir(), "IMG_0042.jpg")
	if err := os.WriteFile(photo, exifJPEG(t), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, logs := newBrowser(t, 390, 844, 90*time.Second)
	must := browserMust(t)
	eval := func(expr string) string {
		t.Helper()
		return browserEval[string](t, ctx, expr)
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		must("screenshot", err)
		p := "/tmp/icarus-report-" + name + ".png"
		if err := os.WriteFile(p, png, 0o644); err == nil {
			t.Logf("screenshot %s", p)
		}
	}
	noSideScroll := func(where string) {
		t.Helper()
		if w := eval(`String(document.documentElement.scrollWidth)`); w != "390" && w != "375" {
			vw := eval(`String(window.innerWidth)`)
			if w > vw && len(w) >= len(vw) {
				t.Errorf("%s scrolls sideways: scrollWidth %s, viewport %s", where, w, vw)
			}
		}
	}
	must("phone viewport", chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateScale(2))))

	// 1. the form, with the map
	must("open /report", chromedp.Do(ctx, chromedp.Navigate(e.ts.URL+"/report"), chromedp.WaitVisible(chromedp.ID("report-form"))))
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](`!document.getElementById("report-map").hidden && document.querySelectorAll("#report-map path.leaflet-interactive, #report-map path").length >= 2`,
		chromedp.WithPollingTimeout(10*time.Second)))
	must("the map shows the areas", err)
	if v := eval(`String(document.querySelector('.report-questions[data-service="vandalism"]').hidden)`); v != "true" {
		t.Errorf("the vandalism questions show before the category is chosen")
	}
	must("choose vandalism", chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`input[name="service_code"][value="vandalism"]`))))
	if v := eval(`String(document.querySelector('.report-questions[data-service="vandalism"]').hidden) + "," + String(document.querySelector('.report-questions[data-service="lighting"]').hidden)`); v != "false,true" {
		t.Errorf("after choosing vandalism, hidden(vandalism, lighting) = %s, want false,true", v)
	}
	// tap the middle of the map: lat/long are filled in
	must("tap the map", chromedp.Do(ctx, chromedp.ScrollIntoView(chromedp.ID("report-map")), chromedp.Click(chromedp.ID("report-map"))))
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("lat").value !== "" && document.querySelector(".leaflet-marker-icon") !== null`, chromedp.WithPollingTimeout(5*time.Second)))
	must("a pin and coordinates after the tap", err)
	lat := eval(`document.getElementById("lat").value`)
	if !regexp.MustCompile(`^53\.4[6-9]\d+$`).MatchString(lat) {
		t.Errorf("latitude from the pin: %q", lat)
	}
	must("fill in", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`input[name="a.vandalism.surface"][value="wall"]`)),
		chromedp.SendKeys(chromedp.ID("description"), "Fresh tags on the wall by the tram stop"),
		chromedp.SetUploadFiles(chromedp.ID("photo"), []string{photo}),
		chromedp.SendKeys(chromedp.ID("email"), "resident@example.org"),
	))
	noSideScroll("/report")
	_, _ = chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	shot("form-phone")

	// 2. send: the follow page with the private link
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`button.report-submit`)))
	must("send the report", err)
	if resp.Status != 200 || !strings.Contains(resp.URL, "/report/follow/") {
		t.Fatalf("after sending: HTTP %d at %s: %s", resp.Status, resp.URL, eval(`document.querySelector("main").innerText.slice(0, 600)`))
	}
	must("the follow link", chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("follow-link"))))
	link := eval(`document.getElementById("follow-link").href`)
	secret := strings.TrimPrefix(link, e.ts.URL+"/report/follow/")
	q, err := e.st.ServiceRequestByFollow(context.Background(), secret)
	if err != nil {
		t.Fatalf("the follow link %q opens no report: %v", link, err)
	}
	if q.ServiceCode != "vandalism" || !q.HasLoc || q.Channel != "web" || !strings.Contains(q.Attributes, "wall") {
		t.Errorf("stored report: %+v", q)
	}
	photos, err := e.st.ReportPhotos(context.Background(), q.ID)
	if err != nil || len(photos) != 1 {
		t.Errorf("photos stored: %d (%v)", len(photos), err)
	}
	if s := eval(`document.getElementById("report-status").textContent`); s != "open" {
		t.Errorf("status shown %q, want open", s)
	}
	noSideScroll("follow page")
	shot("follow-phone")

	// 3. staff change the status and answer; the follow page shows it
	st, ans := "action_scheduled", "Cleaning is booked for Thursday."
	if _, err := e.st.UpdateServiceRequest(context.Background(), e.org.ID, q.ID, store.RequestChange{Status: &st, Answer: &ans, Actor: "coordinator@test"}); err != nil {
		t.Fatal(err)
	}
	must("reload the follow page", chromedp.Do(ctx, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("report-status"))))
	if s := eval(`document.getElementById("report-status").textContent`); s != "action scheduled" {
		t.Errorf("after the staff change the status shows %q, want \"action scheduled\"", s)
	}
	if !strings.Contains(eval(`document.getElementById("report-history").innerText`), ans) {
		t.Errorf("the answer is not in the history")
	}
	shot("follow-updated-phone")

	// 4. the public view, phone and desktop
	if _, _, err := e.srv.hub.SyncCitizenReports(context.Background(), e.org.ID); err != nil {
		t.Fatal(err)
	}
	must("open /reports", chromedp.Do(ctx, chromedp.Navigate(e.ts.URL+"/reports"), chromedp.WaitVisible(chromedp.ID("reports-filter"))))
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll("#reports-map path.leaflet-interactive").length >= 1`, chromedp.WithPollingTimeout(10*time.Second)))
	must("the public map draws the cell", err)
	body := eval(`document.body.innerText`)
	for _, leak := range []string{"resident@example.org", lat} {
		if strings.Contains(body, leak) {
			t.Errorf("/reports shows %q", leak)
		}
	}
	noSideScroll("/reports")
	shot("reports-phone")
	must("desktop viewport", chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(e.ts.URL+"/reports"), chromedp.WaitVisible(chromedp.ID("reports-filter"))))
	_, _ = chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll("#reports-map path.leaflet-interactive").length >= 1`, chromedp.WithPollingTimeout(10*time.Second)))
	shot("reports-desktop")
	must("desktop form", chromedp.Do(ctx, chromedp.Navigate(e.ts.URL+"/report"), chromedp.WaitVisible(chromedp.ID("report-form"))))
	shot("form-desktop")

	browserCheck(t, ctx, logs, "browser")
}
