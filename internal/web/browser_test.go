package web

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath finds a Chromium (or Chrome) binary: $ICARUS_CHROMIUM, then
// /usr/bin/chromium, then the usual names on $PATH.
// needChromium returns the path of the browser for a browser test, or
// skips the test (in -short mode, or without Chromium outside CI; in CI a
// missing browser fails it).
func needChromium(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	exe := chromiumPath()
	if exe == "" {
		msg := "no Chromium found (looked at $ICARUS_CHROMIUM, /usr/bin/chromium and chromium/google-chrome on $PATH); install it with 'apt-get install -y chromium'"
		if os.Getenv("ICARUS_CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return exe
}

// newBrowser starts headless Chromium for a browser test and returns its
// context and the log of what its pages report. It skips or fails as
// needChromium does (a test that builds a costly fixture first calls
// needChromium before it, to skip early). The window is width×height; the
// whole browser session is given timeout. The profile lives in its own
// directory, removed (with retries: Chromium's helpers may still write for
// a moment after it exits) when the test ends, after the browser is
// closed. The CSP probe (cspProbe) is installed for every document, which
// starts the browser.
func newBrowser(t *testing.T, width, height int, timeout time.Duration) (context.Context, *browserLog) {
	t.Helper()
	exe := needChromium(t)
	profile, err := os.MkdirTemp("", "icarus-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // registered first: runs after the browser is closed
		for range 50 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("could not remove the Chromium profile %s", profile)
	})
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(width, height),
	}
	root, stop := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(stop)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(root, opts...)
	t.Cleanup(cancelAlloc)
	logs := &browserLog{}
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithListener(logs.listen))
	t.Cleanup(cancel)
	if _, err := chromedp.Call(ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: cspProbe}); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx, logs
}

// browserMust returns the must of a browser test: it fails the test,
// saying what failed, when err is not nil.
func browserMust(t *testing.T) func(what string, err error) {
	return func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
}

// browserEval evaluates expr in the page and returns its value; an error
// fails the test.
func browserEval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// browserProblems returns, each prefixed with where, the problems logged
// since the last call (console errors, uncaught exceptions, browser log
// errors, failed responses) and the CSP violations the page's probe saw.
func browserProblems(ctx context.Context, logs *browserLog, where string) []string {
	var out []string
	for _, p := range logs.take() {
		out = append(out, where+": "+p)
	}
	csp, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__csp || []`))
	if err != nil {
		out = append(out, where+": reading the CSP probe: "+err.Error())
	}
	for _, c := range csp {
		out = append(out, where+": CSP violation: "+c)
	}
	return out
}

// browserCheck fails the test (without stopping it) for every problem
// browserProblems finds.
func browserCheck(t *testing.T, ctx context.Context, logs *browserLog, where string) {
	t.Helper()
	for _, p := range browserProblems(ctx, logs, where) {
		t.Errorf("%s", p)
	}
}

// browserShot saves a full-page PNG screenshot as dir/name; with dir
// empty it does nothing.
func browserShot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatalf("write screenshot: %v", err)
	}
}

func chromiumPath() string {
	if p := os.Getenv("ICARUS_CHROMIUM"); p != "" {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// browserLog collects what the page reports: console errors, uncaught
// exceptions, browser log errors (CSP violations among them) and failed
// responses.
type browserLog struct {
	mu       sync.Mutex
	problems []string
}

func (b *browserLog) add(format string, args ...any) {
	b.mu.Lock()
	b.problems = append(b.problems, fmt.Sprintf(format, args...))
	b.mu.Unlock()
}

func (b *browserLog) take() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.problems
	b.problems = nil
	return p
}

func (b *browserLog) listen(ev any) {
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var parts []string
			for _, a := range ev.Args {
				if len(a.Value) > 0 {
					parts = append(parts, string(a.Value))
				} else {
					parts = append(parts, a.Description)
				}
			}
			b.add("console.%s: %s", ev.Type, strings.Join(parts, " "))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
		b.add("uncaught exception at %s:%d: %s", d.URL, d.LineNumber, msg)
	case *cdplog.EventEntryAdded:
		e := ev.Entry
		if isFavicon(e.URL) {
			// No page links an icon, so the browser asks for /favicon.ico
			// and logs the 404 (reported; the layout should link an icon).
			break
		}
		if e.Level == cdplog.EntryLevelError || e.Source == cdplog.EntrySourceSecurity || e.Source == cdplog.EntrySourceViolation && strings.Contains(e.Text, "Content Security Policy") {
			b.add("browser log (%s, %s): %s %s", e.Source, e.Level, e.Text, e.URL)
		}
	case *network.EventResponseReceived:
		if r := ev.Response; r != nil && r.Status >= 400 && !isFavicon(r.URL) {
			b.add("HTTP %d for %s (%s)", r.Status, r.URL, ev.Type)
		}
	}
}

func isFavicon(u string) bool { return strings.HasSuffix(u, "/favicon.ico") }

// cspProbe records securitypolicyviolation events in every document (the
// browser runs it before the page's own scripts, outside the page's CSP).
const cspProbe = `window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
	window.__csp.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber);
});`

// TestBrowserMap signs in through the form in headless Chromium, opens the
// map of the real Manchester data and checks that Leaflet drew the 282 LSOA
// polygons, the legend and the sortable table, without console errors or CSP
// violations; it saves screenshots for a person to look at.
func TestBrowserMap(t *testing.T) {
	needChromium(t) // before loading the real data
	f := realData(t)
	f.nextRateWindow() // signs in through the form
	base := f.ts.URL   // httptest listens on 127.0.0.1
	shots := t.TempDir()

	start := time.Now()
	ctx, logs := newBrowser(t, 1280, 900, 60*time.Second)
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v (after %s)", what, err, time.Since(start).Round(time.Millisecond))
		}
	}
	eval := func(expr string) bool {
		t.Helper()
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		must(expr, err)
		return ok
	}
	screenshot := func(name, copyTo string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		must("screenshot "+name, err)
		p := filepath.Join(shots, name)
		must("write "+p, os.WriteFile(p, png, 0o644))
		if copyTo != "" {
			if err := os.WriteFile(copyTo, png, 0o644); err != nil {
				t.Logf("copying the screenshot to %s: %v", copyTo, err)
			} else {
				t.Logf("screenshot: %s (%d KB)", copyTo, len(png)/1024)
			}
		}
	}

	// 1. Sign in through the form.
	must("open /signin", chromedp.Do(ctx,
		chromedp.Navigate(base+"/signin?next="+url.QueryEscape("/map")),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "admin@greater-manchester.test"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
	))
	browserCheck(t, ctx, logs, "/signin")
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type="submit"]`)))
	must("submit the sign-in form", err)
	if resp.Status != 200 || !strings.HasSuffix(resp.URL, "/map") {
		t.Fatalf("after sign-in: HTTP %d at %s, want 200 at /map", resp.Status, resp.URL)
	}

	t.Logf("signed in after %s", time.Since(start).Round(time.Millisecond))

	// 2. The map draws the 282 areas, the legend, the method and the table.
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](
		`document.querySelectorAll("path.leaflet-interactive").length >= 282 && document.querySelectorAll("#area-table tbody tr").length >= 282`,
		chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil {
		n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("path.leaflet-interactive").length`))
		status, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector(".map-status") || {}).textContent || ""`))
		t.Fatalf("the map did not draw the areas: %d polygons, status %q, %v; page problems: %q", n, status, err, browserProblems(ctx, logs, "/map"))
	}
	t.Logf("map drawn after %s", time.Since(start).Round(time.Millisecond))
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("path.leaflet-interactive").length`)); n != lsoaAreas {
		t.Errorf("%d polygons drawn, want %d", n, lsoaAreas)
	}
	if !eval(`(() => { const m = document.getElementById("area-map").getBoundingClientRect(); return m.width > 300 && m.height > 250; })()`) {
		t.Errorf("the map container is too small (is app.css loaded?)")
	}
	if !eval(`(() => {
		const m = document.getElementById("area-map").getBoundingClientRect();
		let inside = 0;
		document.querySelectorAll("path.leaflet-interactive").forEach(p => {
			const r = p.getBoundingClientRect();
			if (r.width > 0 && r.right > m.left && r.left < m.right && r.bottom > m.top && r.top < m.bottom) inside++;
		});
		return inside >= 250;
	})()`) {
		t.Errorf("the polygons are not inside the map view (fitBounds?)")
	}
	if !eval(`new Set([...document.querySelectorAll("path.leaflet-interactive")].map(p => p.getAttribute("fill"))).size >= 3`) {
		t.Errorf("the polygons are not shaded by count (fewer than 3 fill colours)")
	}
	if !eval(`(() => {
		const l = document.querySelector(".leaflet-control .legend, .legend");
		if (!l || l.hidden) return false;
		const r = l.getBoundingClientRect();
		return r.width > 0 && r.height > 0 && l.querySelectorAll("li").length >= 2 && getComputedStyle(l).visibility !== "hidden";
	})()`) {
		t.Errorf("the legend is not visible")
	}
	if !eval(`/n = 8[,.\u00a0\u202f]?144/.test(document.getElementById("map-method").textContent)`) {
		txt, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("map-method").textContent`))
		t.Errorf("the method statement does not give n = 8,144: %q", txt)
	}
	if eval(`document.body.innerText.includes("⟦")`) {
		t.Logf("the map page shows missing translations")
	}

	// The table sorts by name when its header is clicked, and back.
	names := func() []string {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#area-table tbody th")].slice(0, 20).map(th => th.textContent)`))
		must("read table", err)
		return v
	}
	sortState := func(key string) string {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector('#area-table th[data-key="`+key+`"]') || {getAttribute: () => "missing"}).getAttribute("aria-sort") || ""`))
		must("read aria-sort", err)
		return v
	}
	if s := sortState("count"); s != "descending" {
		t.Errorf("the table is not sorted by count at first: aria-sort=%q", s)
	}
	must("sort by name", chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#area-table th[data-key="name"] button`))))
	asc := names()
	if s := sortState("name"); s != "ascending" || len(asc) < 2 || !sortedStrings(asc, 1) {
		t.Errorf("sort by name: aria-sort=%q, first rows %q", s, asc)
	}
	must("sort by name again", chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#area-table th[data-key="name"] button`))))
	if desc := names(); sortState("name") != "descending" || !sortedStrings(desc, -1) {
		t.Errorf("second click: aria-sort=%q, first rows %q", sortState("name"), desc)
	}
	browserCheck(t, ctx, logs, "/map")
	t.Logf("map checked after %s", time.Since(start).Round(time.Millisecond))
	screenshot("map.png", "/tmp/icarus-map.png")
	// The full page is very tall (the table has 282 rows): keep the first
	// screen too, where the map and the legend are.
	_, err = chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	must("scroll to top", err)
	if png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err == nil {
		os.WriteFile(filepath.Join(shots, "map-top.png"), png, 0o644)
		os.WriteFile("/tmp/icarus-map-top.png", png, 0o644)
	}
	_, err = chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("area-table").scrollIntoView()`))
	must("scroll to the table", err)
	if png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err == nil {
		os.WriteFile(filepath.Join(shots, "map-table.png"), png, 0o644)
		os.WriteFile("/tmp/icarus-map-table.png", png, 0o644)
	}

	// 3. Phone viewport: trends and home.
	must("phone viewport", chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateScale(2))))
	for _, p := range []struct{ path, file, copyTo, ready string }{
		{"/trends", "trends-phone.png", "/tmp/icarus-trends-phone.png", `document.querySelector(".chart-figure svg") !== null`},
		{"/", "home-phone.png", "/tmp/icarus-home-phone.png", `document.querySelector("main h1") !== null`},
	} {
		must("open "+p.path, chromedp.Do(ctx, chromedp.Navigate(base+p.path)))
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](p.ready, chromedp.WithPollingTimeout(5*time.Second)))
		must(p.path+" ready", err)
		if w, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 390 {
			wide, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > 391 && !e.closest(".table-wrap")).slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && typeof e.className === "string" ? "." + e.className.split(" ").join(".") : ""))`))
			t.Errorf("%s at 390 px: the page scrolls sideways (scrollWidth %d); too wide: %q", p.path, w, wide)
		}
		browserCheck(t, ctx, logs, p.path)
		screenshot(p.file, p.copyTo)
	}

	if d := time.Since(start); d > 30*time.Second {
		t.Logf("the browser test took %s (budget 30s)", d.Round(time.Millisecond))
	}
}

// sortedStrings reports whether ss is ordered (dir 1 ascending, -1
// descending), case-insensitively, with numbers compared as numbers (the
// table uses a numeric Intl.Collator: "Manchester 9A" < "Manchester 10A").
func sortedStrings(ss []string, dir int) bool {
	for i := 1; i < len(ss); i++ {
		if c := naturalCompare(ss[i-1], ss[i]); c*dir > 0 {
			return false
		}
	}
	return true
}

func naturalCompare(a, b string) int {
	a, b = strings.ToLower(a), strings.ToLower(b)
	for a != "" && b != "" {
		da, db := leadingDigits(a), leadingDigits(b)
		if da != "" && db != "" {
			na, nb := strings.TrimLeft(da, "0"), strings.TrimLeft(db, "0")
			if len(na) != len(nb) {
				return len(na) - len(nb)
			}
			if na != nb {
				return strings.Compare(na, nb)
			}
			a, b = a[len(da):], b[len(db):]
			continue
		}
		if a[0] != b[0] {
			return int(a[0]) - int(b[0])
		}
		a, b = a[1:], b[1:]
	}
	return len(a) - len(b)
}

func leadingDigits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}
