package web

import (
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserKBFacetsAndTaxonomy drives headless Chromium: the public
// narrows a search with the facets using the keyboard only, on a desktop
// and on a 390 px phone, and removes a filter; an admin adds a
// cross-cutting issue and renames a focus area in French, and the search
// page shows them; an analyst sees the evidence form's field errors.
// Console errors and CSP violations fail it; screenshots are saved (and
// copied to $ICARUS_SCREENSHOTS when set).
func TestBrowserKBFacetsAndTaxonomy(t *testing.T) {
	e := emptyEnv(t)
	seedKBEnv(t, e)
	base := e.ts.URL
	shots := t.TempDir()
	ctx, logs := newBrowser(t, 1280, 900, 120*time.Second)
	must := browserMust(t)
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		must("text of "+sel, err)
		return s
	}
	eval := func(expr string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](expr))
		must(expr, err)
		return n
	}
	var names []string
	shot := func(name string) {
		t.Helper()
		browserShot(t, ctx, shots, name)
		names = append(names, name)
	}
	// press Enter on the element sel has focus on, and wait for the page it opens
	enterOn := func(sel string) string {
		t.Helper()
		must("focus "+sel, chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(sel))))
		resp, err := chromedp.RunResponse(ctx, chromedp.KeyEvent("\r"))
		must("enter on "+sel, err)
		if resp.Status != 200 {
			t.Fatalf("enter on %s: %d at %s", sel, resp.Status, resp.URL)
		}
		return resp.URL
	}
	facetCount := func(sel string) int {
		t.Helper()
		digits := strings.FieldsFunc(text(sel+" .kb-fc"), func(r rune) bool { return r < '0' || r > '9' })
		if len(digits) == 0 {
			t.Fatalf("no count in %s", sel)
		}
		n, err := strconv.Atoi(digits[0])
		must("count of "+sel, err)
		return n
	}

	// 1. Desktop, keyboard only: search, choose "Evidence card", then a
	// strength; the counts shown are what the choice finds; remove it.
	must("search", chromedp.Do(ctx, chromedp.Navigate(base+"/knowledge?q=policing")))
	browserCheck(t, ctx, logs, "/knowledge?q=policing")
	evSel := `.kb-facet a[href*="kind=evidence"]`
	want := facetCount(evSel)
	u := enterOn(evSel)
	if !strings.Contains(u, "kind=evidence") || eval(`document.querySelectorAll(".kb-results > li").length`) != want {
		t.Errorf("after choosing evidence (facet said %d): %s, %d results", want, u, eval(`document.querySelectorAll(".kb-results > li").length`))
	}
	if chip := text(".kb-chip"); !strings.Contains(chip, "Type: Evidence") {
		t.Errorf("chip %q", chip)
	}
	decSel := `.kb-facet a[href*="decade="]:not(.selected)`
	want = facetCount(decSel)
	u = enterOn(decSel)
	got := eval(`document.querySelectorAll(".kb-results > li").length`)
	if !strings.Contains(u, "decade=") || got != want || eval(`document.querySelectorAll(".kb-chip").length`) != 2 {
		t.Errorf("after choosing a decade (facet said %d): %s, %d results", want, u, got)
	}
	shot("kb-facets-desktop.png")
	browserCheck(t, ctx, logs, "facets chosen")
	u = enterOn(`.kb-chip[href*="decade="]`)
	if strings.Contains(u, "kind=evidence") || !strings.Contains(u, "decade=") || !strings.Contains(u, "q=policing") {
		t.Errorf("removing the type chip: %s", u)
	}

	// 2. A 390 px phone: the facet panel starts folded, opens from the
	// keyboard, and nothing is wider than the screen.
	must("phone", chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/knowledge?q=lighting")))
	if eval(`document.getElementById("kb-facets-d").open ? 1 : 0`) != 0 {
		t.Error("on a phone the facet panel is open at first")
	}
	shot("kb-facets-390-folded.png")
	must("open the facets", chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(`#kb-facets-d summary`)), chromedp.KeyEvent(" ")))
	if eval(`document.getElementById("kb-facets-d").open ? 1 : 0`) != 1 {
		t.Error("the facet panel does not open with the keyboard")
	}
	want = facetCount(`.kb-facet a[href*="strength="]`)
	enterOn(`.kb-facet a[href*="strength="]`)
	if got := eval(`document.querySelectorAll(".kb-results > li").length`); got != want {
		t.Errorf("phone: strength facet said %d, %d results", want, got)
	}
	if w := eval(`document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the search page is %d px wide on a 390 px screen", w)
	}
	shot("kb-facets-390.png")
	browserCheck(t, ctx, logs, "phone facets")

	// 3. An admin edits the taxonomies (desktop).
	must("desktop", chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)))
	must("sign in", chromedp.Do(ctx,
		chromedp.Navigate(base+"/signin?next="+url.QueryEscape("/knowledge/taxonomies")),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "admin@empty.test"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
	))
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type="submit"]`)))
	must("submit sign-in", err)
	if resp.Status != 200 || !strings.HasSuffix(resp.URL, "/knowledge/taxonomies") {
		t.Fatalf("after sign-in: %d at %s", resp.Status, resp.URL)
	}
	browserCheck(t, ctx, logs, "/knowledge/taxonomies")
	must("add form", chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#tax-cc .kb-tax-add input[name=code]`), "climate"),
		chromedp.SendKeys(chromedp.CSS(`#tax-cc .kb-tax-add input[name=label_en]`), "Climate change"),
		chromedp.SendKeys(chromedp.CSS(`#tax-cc .kb-tax-add input[name=label_fr]`), "Changement climatique"),
		chromedp.SendKeys(chromedp.CSS(`#tax-cc .kb-tax-add input[name=label_it]`), "Cambiamento climatico"),
	))
	resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`#tax-cc .kb-tax-add button[value=add]`)))
	must("add", err)
	if resp.Status != 200 || !strings.Contains(text(".ok"), "Value added") || !strings.Contains(text("#tax-cc-climate"), "Records using it: 0") {
		t.Errorf("after adding: %d, flash %q", resp.Status, text(".ok"))
	}
	must("rename", chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#tax-focus-public_spaces summary`)), chromedp.SetValue(chromedp.CSS(`#tax-focus-public_spaces input[name=label_fr]`), "Espaces publics sûrs")))
	resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`#tax-focus-public_spaces button[value=save]`)))
	must("save labels", err)
	if !strings.Contains(text(".ok"), "Labels saved") {
		t.Errorf("after renaming: flash %q", text(".ok"))
	}
	// a retired value stays with its count
	// open with the keyboard
	must("open sanction", chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(`#tax-approach-sanction summary`)), chromedp.KeyEvent("\r")))
	resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`#tax-approach-sanction button[value=retire]`)))
	must("retire", err)
	if !strings.Contains(text("#tax-approach-sanction"), "retired") {
		t.Errorf("after retiring: %q", text("#tax-approach-sanction"))
	}
	shot("kb-taxonomy-desktop.png")
	browserCheck(t, ctx, logs, "taxonomy edits")
	must("phone taxonomy", chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/knowledge/taxonomies#tax-cc")))
	if w := eval(`document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the taxonomy page is %d px wide on a 390 px screen", w)
	}
	shot("kb-taxonomy-390.png")
	// the French search page uses the new label
	must("french", chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/knowledge?lang=fr")))
	if f := text(".kb-facets"); !strings.Contains(f, "Espaces publics sûrs") {
		t.Errorf("French facets lack the renamed focus area: %q", f)
	}
	browserCheck(t, ctx, logs, "french search")

	// 4. The evidence form: errors beside their fields.
	must("new card", chromedp.Do(ctx,
		chromedp.Navigate(base+"/knowledge/new?kind=evidence&lang=en"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=title]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=title]`), "Bus-stop lighting"),
		chromedp.SetValue(chromedp.CSS(`#ev-direction`), "reduction"),
		chromedp.SendKeys(chromedp.CSS(`#ev-measure`), "relative reduction"),
		chromedp.SendKeys(chromedp.CSS(`#ev-value`), "0.3"),
		chromedp.SendKeys(chromedp.CSS(`#ev-ci_low`), "0.4"),
		chromedp.SendKeys(chromedp.CSS(`#ev-ci_high`), "0.2"),
	))
	resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form.kb-form button[type=submit]`)))
	must("save card", err)
	if resp.Status != 422 || eval(`document.querySelectorAll("#ev-ci_low[aria-invalid=true], #ev-ci_high[aria-invalid=true]").length`) != 2 ||
		!strings.Contains(text(".kb-errsum"), "low bound is above") {
		t.Errorf("evidence form errors: %d %q", resp.Status, text("main"))
	}
	logs.take() // the expected 422
	shot("kb-evidence-form-errors.png")
	browserCheck(t, ctx, logs, "evidence form")
	must("phone form", chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)))
	if w := eval(`document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the evidence form is %d px wide on a 390 px screen", w)
	}
	shot("kb-evidence-form-390.png")

	if dir := os.Getenv("ICARUS_SCREENSHOTS"); dir != "" {
		for _, n := range names {
			b, _ := os.ReadFile(filepath.Join(shots, n))
			os.WriteFile(filepath.Join(dir, n), b, 0o644)
		}
	}
}
