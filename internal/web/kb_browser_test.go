package web

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserKB drives headless Chromium through one authoring flow (an
// analyst writes a practice and submits it, a coordinator publishes it, the
// public then sees it) and the what-works page on a phone-sized screen,
// checking for console errors and CSP violations; it saves screenshots.
func TestBrowserKB(t *testing.T) {
	e := emptyEnv(t)
	seedKBEnv(t, e)
	base := e.ts.URL
	shots := t.TempDir()
	ctx, logs := newBrowser(t, 1280, 900, 90*time.Second)
	must := browserMust(t)
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		must("text of "+sel, err)
		return s
	}
	signIn := func(email string) {
		t.Helper()
		must("sign in as "+email, chromedp.Do(ctx,
			chromedp.Navigate(base+"/signin?next=/knowledge/manage"),
			chromedp.WaitVisible(chromedp.ID("email")),
			chromedp.SendKeys(chromedp.ID("email"), email),
			chromedp.SendKeys(chromedp.ID("password"), testPassword),
		))
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type="submit"]`)))
		must("submit sign-in", err)
		if resp.Status != 200 || !strings.HasSuffix(resp.URL, "/knowledge/manage") {
			t.Fatalf("after sign-in as %s: %d at %s", email, resp.Status, resp.URL)
		}
	}
	signOut := func() {
		t.Helper()
		_, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)))
		must("sign out", err)
	}

	// 1. An analyst writes a practice and submits it for review.
	signIn("analyst@empty.test")
	browserCheck(t, ctx, logs, "/knowledge/manage")
	must("new record", chromedp.Do(ctx,
		chromedp.Navigate(base+"/knowledge/new?kind=practice"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=title]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=title]`), "Marches exploratoires de femmes à Nice-Nord"),
		chromedp.SetValue(chromedp.CSS(`select[name=language]`), "fr"),
		chromedp.SetValue(chromedp.CSS(`select[name=focus]`), "public_spaces"),
		chromedp.Click(chromedp.CSS(`input[name=cc][value=gender]`)),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=body]`), "Des habitantes parcourent le quartier avec la ville et relèvent les lieux où elles ne se sentent pas en sécurité."),
		chromedp.SendKeys(chromedp.CSS(`input[name=year]`), "2024"),
		chromedp.SendKeys(chromedp.CSS(`input[name=note]`), "première version"),
	))
	browserShot(t, ctx, shots, "kb-new.png")
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form.kb-form button[type=submit]`)))
	must("save", err)
	if resp.Status != 200 || !strings.Contains(text(".notice"), "Draft") {
		t.Fatalf("after save: %d at %s, notice %q", resp.Status, resp.URL, text(".notice"))
	}
	recordURL := resp.URL
	browserCheck(t, ctx, logs, "record (draft)")
	_, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action$="/status"] button`)))
	must("submit for review", err)
	if !strings.Contains(text(".notice"), "In review") {
		t.Fatalf("after submit: notice %q", text(".notice"))
	}
	signOut()

	// 2. The public does not see it yet; a coordinator publishes it.
	resp, err = chromedp.RunResponse(ctx, chromedp.Navigate(recordURL))
	must("public view of the draft", err)
	if resp.Status != 404 {
		t.Errorf("the public sees a record in review: %d", resp.Status)
	}
	logs.take() // the expected 404
	signIn("coordinator@empty.test")
	must("open the record", chromedp.Do(ctx, chromedp.Navigate(recordURL), chromedp.WaitVisible(chromedp.CSS(`button[value=publish]`)),
		chromedp.SendKeys(chromedp.CSS(`.kb-review input[name=note]`), "relu"),
	))
	browserShot(t, ctx, shots, "kb-review.png")
	_, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`button[value=publish]`)))
	must("publish", err)
	browserCheck(t, ctx, logs, "record (published)")
	hist, err := chromedp.RunResponse(ctx, chromedp.Navigate(recordURL+"/history"))
	must("history", err)
	if hist.Status != 200 || strings.Count(text(".kb-history"), "Version") != 3 || !strings.Contains(text(".kb-history"), "relu") {
		t.Errorf("history: %d %q", hist.Status, text(".kb-history"))
	}
	browserShot(t, ctx, shots, "kb-history.png")
	must("back", chromedp.Do(ctx, chromedp.Navigate(recordURL)))
	signOut()

	// 3. The public finds it, by a French inflected word without its accent.
	must("search", chromedp.Do(ctx, chromedp.Navigate(base+"/knowledge?q=securite+habitante")))
	if !strings.Contains(text(".kb-results"), "Marches exploratoires") {
		t.Errorf("public search: %q", text("main"))
	}

	// 4. What works, on a phone: choose the problem in the form.
	must("phone", chromedp.Do(ctx, chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(base+"/knowledge/whatworks"),
		chromedp.SetValue(chromedp.CSS(`select[name=crime]`), "0501"),
		chromedp.SetValue(chromedp.CSS(`select[name=place]`), "residential"),
	))
	_, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form.filters button[type=submit]`)))
	must("show what works", err)
	first := text(".kb-ww li:first-child h3")
	if first != "Alley gating" {
		t.Errorf("first card for residential burglary: %q", first)
	}
	if last := text(".kb-ww > li:last-child"); !strings.Contains(last, "Harmful") {
		t.Errorf("last card: %q, want the harmful one with its caveat", last)
	}
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	must("width", err)
	if width > 390 {
		t.Errorf("the what-works page is %d px wide on a 390 px screen", width)
	}
	browserCheck(t, ctx, logs, "/knowledge/whatworks")
	browserShot(t, ctx, shots, "kb-whatworks-390.png")
	if dir := os.Getenv("ICARUS_SCREENSHOTS"); dir != "" {
		for _, n := range []string{"kb-new.png", "kb-review.png", "kb-history.png", "kb-whatworks-390.png"} {
			b, _ := os.ReadFile(filepath.Join(shots, n))
			os.WriteFile(filepath.Join(dir, n), b, 0o644)
		}
	}
}
