package web

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/icarus-city/icarus/internal/auth"
)

// TestBrowserStaffQueue is the staff workflow in headless Chromium: sign in
// through the form as a coordinator, open the queue, follow the pending
// link, approve a sensitive report, give a lamp report a status and an
// official answer, see the nearby duplicate on the map and merge it; no
// console error or CSP violation on the way. Screenshots go to
// $ICARUS_SCREENSHOTS (default: the test's temporary directory).
func TestBrowserStaffQueue(t *testing.T) {
	needChromium(t) // before building the fixture
	e := newO311Env(t)
	e.nextRateWindow()
	lamp := e.postID(t, "service_code", "lighting", "description", "Lamp out by the bus stop")
	near := e.postID(t, "service_code", "lighting", "lat", "\x00delete", "lat", "53.4810", "description", "Dark corner, lamp broken")
	drugs := e.postID(t, "service_code", "drug_dealing", "attribute[frequency]", "weekly", "description", "Dealing near the school gate in the evening")
	shots := os.Getenv("ICARUS_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}

	ctx, logs := newBrowser(t, 1280, 900, 90*time.Second)
	must := browserMust(t)
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		must("text of "+sel, err)
		return strings.TrimSpace(s)
	}
	// submit clicks a button that submits a form and waits for the next page.
	submit := func(sel, wantPath string) {
		t.Helper()
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
		must("click "+sel, err)
		if resp.Status != 200 || !strings.Contains(resp.URL, wantPath) {
			t.Fatalf("after %s: HTTP %d at %s, want 200 at %s", sel, resp.Status, resp.URL, wantPath)
		}
	}
	// sign in through the form
	must("sign-in page", chromedp.Do(ctx,
		chromedp.Navigate(e.ts.URL+"/signin?next="+url.QueryEscape("/staff/reports")),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), e.users[auth.Coordinator].Email),
		chromedp.SendKeys(chromedp.ID("password"), testPassword)))
	submit(`form[action="/signin"] button[type="submit"]`, "/staff/reports")
	if n := text("main p[role=status]"); !strings.HasPrefix(n, "3 reports") {
		t.Errorf("queue count: %q", n)
	}
	browserShot(t, ctx, shots, "staff-queue.png")

	// pre-moderation: the pending link, the sensitive report, approve
	submit(`a.button[href^="/staff/reports?moderation=pending"]`, "moderation=pending")
	submit(`a[href="/staff/reports/`+itoa64(drugs)+`"]`, "/staff/reports/"+itoa64(drugs))
	if m := text("#r-mod"); m != "awaiting moderation" {
		t.Errorf("moderation before: %q", m)
	}
	submit("#btn-approve", "done=saved")
	if m := text("#r-mod"); m != "published" {
		t.Errorf("moderation after approval: %q", m)
	}

	// status and official answer on the lamp report
	must("lamp page", chromedp.Do(ctx, chromedp.Navigate(e.ts.URL+"/staff/reports/"+itoa64(lamp)), chromedp.WaitVisible(chromedp.ID("s-status"))))
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector("#o311-dupmap[data-ready]") !== null && document.querySelectorAll("#o311-dupmap path.leaflet-interactive").length >= 2`,
		chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil {
		state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(function(){var m=document.getElementById("o311-dupmap");return m?("ready="+m.getAttribute("data-ready")+" paths="+m.querySelectorAll("path").length+" L="+typeof L):"no map"})()`))
		t.Fatalf("the duplicate map did not draw the report and its neighbour (%s): %v; browser: %v", state, err, logs.take())
	}
	browserShot(t, ctx, shots, "staff-report.png")
	must("choose a status", chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("s-status"), "action_scheduled"),
		chromedp.SendKeys(chromedp.ID("s-answer"), "A crew will replace the lamp on Monday.")))
	submit("#btn-status", "done=saved")
	if s, a := text("#r-status"), text("#r-answer"); s != "action scheduled" || a != "A crew will replace the lamp on Monday." {
		t.Errorf("after the status change: status %q answer %q", s, a)
	}

	// merge the nearby duplicate into this one
	submit(`button[data-merge="`+itoa64(near)+`"]`, "done=merged")
	if m := text("#r-merged"); m != "#"+itoa64(near) {
		t.Errorf("merged list: %q", m)
	}
	q, err := e.st.ServiceRequest(t.Context(), e.org.ID, near)
	must("merged request", err)
	if q.Status != "duplicate" || q.DuplicateOf != lamp {
		t.Errorf("merged request: status %q duplicate_of %d", q.Status, q.DuplicateOf)
	}

	// a phone screen of the report page
	must("phone", chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateScale(2)),
		chromedp.Navigate(e.ts.URL+"/staff/reports/"+itoa64(lamp)), chromedp.WaitVisible(chromedp.ID("r-facts"))))
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	must("phone screenshot", err)
	must("write", os.WriteFile(filepath.Join(shots, "staff-report-phone.png"), png, 0o644))

	browserCheck(t, ctx, logs, "browser")
	t.Logf("screenshots in %s", shots)
}
