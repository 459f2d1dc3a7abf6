package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

const (
	copyLabel    = "Copy the story link"
	copiedText   = "Link copied"
	notCopiedMsg = "Your browser would not copy. Select the link below and copy it."
)

// checkStoryAddress checks that the browser is on the lead story's page and
// that the page's canonical URL is that address, and returns it.
func checkStoryAddress(t *testing.T, ctx context.Context, base string, lead leadStory) string {
	t.Helper()
	loc := get(t, ctx, "read the address of the page", chromedp.Location())
	if want := base + lead.Href; loc != want {
		t.Errorf("clicking the lead story went to %s, want %s", loc, want)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatalf("the browser is on %q: %v", loc, err)
	}
	canonical := canonicalURL(t, ctx)
	if want := base + u.Path; canonical != want {
		t.Errorf("the story's canonical URL is %q, want %q (the site's base URL and the story's path)", canonical, want)
	}
	headline := get(t, ctx, "read the story's headline", chromedp.TextContent(chromedp.CSS("h1#headline")))
	if strings.TrimSpace(headline) != lead.Headline {
		t.Errorf("the story page's headline is %q, but the front page's lead was %q", headline, lead.Headline)
	}
	return canonical
}

// checkCopyButton waits for the script to show the copy button and checks
// its label.
func checkCopyButton(t *testing.T, ctx context.Context) {
	t.Helper()
	do(t, ctx, "wait for the script to show the copy button",
		chromedp.WaitVisible(chromedp.CSS("button.copy-link")))
	// The DOM text, which is also the button's accessible name; innerText
	// would follow a CSS text-transform.
	label := get(t, ctx, "read the copy button's label", chromedp.TextContent(chromedp.CSS("button.copy-link")))
	if label != copyLabel {
		t.Errorf("the copy button says %q, want exactly %q", label, copyLabel)
	}
	hidden := js[bool](t, ctx, "check the link field", linkFieldHidden)
	if !hidden {
		t.Errorf("with JavaScript on, the story-link field is shown before anyone asks to copy; it should stay hidden until copying fails")
	}
	role := js[string](t, ctx, "read the status line's role",
		`(p => (p.getAttribute('role') || '') + ' ' + (p.getAttribute('aria-live') || ''))(document.querySelector('p.copy-status'))`)
	if role != "status polite" {
		t.Errorf(`p.copy-status has role and aria-live %q, want "status polite" so screen readers announce the copy`, role)
	}
}

// linkFieldHidden is true while the story-link field takes no room.
const linkFieldHidden = `getComputedStyle(document.querySelector('.link-field')).display === 'none'`

// statusText is the copy status line's text, JSON-quoted.
const statusText = `JSON.stringify(document.querySelector('p.copy-status').textContent)`

func TestReaderCopiesStoryLink(t *testing.T) {
	chromium := needBrowser(t)
	base := startSite(t)
	ctx := newBrowser(t, chromium)

	lead := followLead(t, ctx, base)
	canonical := checkStoryAddress(t, ctx, base, lead)
	checkCopyButton(t, ctx)

	setClipboardPermission(t, ctx, base, browser.PermissionSettingGranted)
	do(t, ctx, "click the copy button", chromedp.Click(chromedp.CSS("button.copy-link")))
	waitFor(t, ctx, fmt.Sprintf("the status line to say %q", copiedText),
		`document.querySelector('p.copy-status').textContent === `+jsString(copiedText), statusText)

	clip := jsAwait[string](t, ctx, "read the clipboard", `navigator.clipboard.readText()`)
	if clip != canonical {
		t.Errorf("the clipboard holds %q, want the canonical URL %q", clip, canonical)
	}

	// A copy that worked leaves the field hidden, and the field still holds
	// the same link.
	if !js[bool](t, ctx, "check the link field", linkFieldHidden) {
		t.Errorf("the story-link field was shown although copying worked")
	}
	if v := get(t, ctx, "read #story-link", chromedp.Value(chromedp.CSS("#story-link"))); v != canonical {
		t.Errorf("#story-link holds %q, want the canonical URL %q", v, canonical)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err) // a string always marshals
	}
	return string(b)
}

func TestCopyLinkFallbackWhenClipboardRefused(t *testing.T) {
	chromium := needBrowser(t)
	base := startSite(t)

	// Each way the browser can refuse: the reader (or policy) denied the
	// permission, writeText rejects for another reason, or the browser has
	// no asynchronous clipboard at all.
	refusals := []struct {
		name   string
		refuse func(t *testing.T, ctx context.Context)
	}{
		{"permission denied", func(t *testing.T, ctx context.Context) {
			setClipboardPermission(t, ctx, base, browser.PermissionSettingDenied)
		}},
		{"writeText rejects", func(t *testing.T, ctx context.Context) {
			do(t, ctx, "make writeText reject", chromedp.Evaluate[chromedp.Void](
				`Object.defineProperty(navigator.clipboard, 'writeText', {configurable: true,
					value: () => Promise.reject(new DOMException('refused by the test', 'NotAllowedError'))})`))
		}},
		{"no clipboard API", func(t *testing.T, ctx context.Context) {
			do(t, ctx, "remove navigator.clipboard", chromedp.Evaluate[chromedp.Void](
				`Object.defineProperty(navigator, 'clipboard', {configurable: true, value: undefined})`))
		}},
	}
	for _, r := range refusals {
		t.Run(r.name, func(t *testing.T) {
			ctx := newBrowser(t, chromium)
			lead := followLead(t, ctx, base)
			canonical := checkStoryAddress(t, ctx, base, lead)
			checkCopyButton(t, ctx)

			r.refuse(t, ctx)
			do(t, ctx, "click the copy button", chromedp.Click(chromedp.CSS("button.copy-link")))
			do(t, ctx, "wait for the story-link field to show", chromedp.WaitVisible(chromedp.CSS(".link-field")))
			waitFor(t, ctx, "the status line to say the copy failed",
				`document.querySelector('p.copy-status').textContent === `+jsString(notCopiedMsg), statusText)

			type fieldState struct {
				Active string `json:"active"`
				Value  string `json:"value"`
				Start  int    `json:"start"`
				End    int    `json:"end"`
			}
			st := js[fieldState](t, ctx, "read the story-link field",
				`(() => { const i = document.querySelector('#story-link'), a = document.activeElement;
					return {active: a ? a.id : '', value: i.value, start: i.selectionStart, end: i.selectionEnd}; })()`)
			if st.Value != canonical {
				t.Errorf("#story-link holds %q, want the canonical URL %q", st.Value, canonical)
			}
			if st.Active != "story-link" {
				t.Errorf("the focus is on #%s, want it on #story-link", st.Active)
			}
			if st.Start != 0 || st.End != len([]rune(st.Value)) {
				t.Errorf("#story-link has characters %d to %d selected, want all of them, 0 to %d", st.Start, st.End, len([]rune(st.Value)))
			}
		})
	}
}

func TestStoryLinkWithoutJavaScript(t *testing.T) {
	chromium := needBrowser(t)
	base := startSite(t)
	ctx := newBrowser(t, chromium)

	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled,
		emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("turn JavaScript off: %v", err)
	}
	lead := followLead(t, ctx, base)
	canonical := checkStoryAddress(t, ctx, base, lead)

	if js[bool](t, ctx, "check whether site.js ran", `document.documentElement.classList.contains('js')`) {
		t.Fatal("site.js ran although JavaScript is off: the test does not test what it says")
	}
	do(t, ctx, "wait for the story-link field", chromedp.WaitVisible(chromedp.CSS("#story-link")))
	if v := get(t, ctx, "read #story-link", chromedp.Value(chromedp.CSS("#story-link"))); v != canonical {
		t.Errorf("#story-link holds %q, want the canonical URL %q", v, canonical)
	}
	label := get(t, ctx, "read the field's label", chromedp.Text(chromedp.CSS(`label[for="story-link"]`)))
	if strings.TrimSpace(label) == "" {
		t.Error("the story-link field has no visible label")
	}
	if js[bool](t, ctx, "check the copy button", `getComputedStyle(document.querySelector('button.copy-link')).display !== 'none'`) {
		t.Error("the copy button shows without JavaScript, where it can do nothing")
	}
}

func TestScreenshots(t *testing.T) {
	chromium := needBrowser(t)
	base := startSite(t)
	ctx := newBrowser(t, chromium)
	dir := screenshotDir(t)

	openFrontPage(t, ctx, base)
	lead := readLead(t, ctx)
	pages := []struct{ name, path, ready string }{
		{"front", "/", ".lead-headline a"},
		{"story", lead.Href, "h1#headline"},
	}
	for _, width := range []int64{390, 1280} {
		for _, p := range pages {
			t.Run(fmt.Sprintf("%s-%dpx", p.name, width), func(t *testing.T) {
				do(t, ctx, "load "+p.path+" at "+fmt.Sprint(width)+" px",
					chromedp.EmulateViewport(width, 900),
					chromedp.Navigate(base+p.path),
					chromedp.WaitVisible(chromedp.CSS(p.ready)),
				)
				if sw := js[int64](t, ctx, "measure the page", `document.documentElement.scrollWidth`); sw > width {
					t.Errorf("the page is %d px wide in a %d px viewport: it scrolls sideways", sw, width)
				}
				buf := get(t, ctx, "take a full-page screenshot", chromedp.FullScreenshot(100))
				path := filepath.Join(dir, fmt.Sprintf("%s-%dpx.png", p.name, width))
				if err := os.WriteFile(path, buf, 0o644); err != nil {
					t.Fatal(err)
				}
				img, err := png.Decode(bytes.NewReader(buf))
				if err != nil {
					t.Fatalf("the screenshot %s is not a PNG: %v", path, err)
				}
				w, h := img.Bounds().Dx(), img.Bounds().Dy()
				if int64(w) != width {
					t.Errorf("the screenshot %s is %d px wide, want %d", path, w, width)
				}
				page := js[int](t, ctx, "measure the page's height", `document.documentElement.scrollHeight`)
				if h < page {
					t.Errorf("the screenshot %s is %d px high but the page is %d px: it is not the full page", path, h, page)
				}
				t.Logf("screenshot: %s (%d×%d)", path, w, h)
			})
		}
	}
}

// axeViolation is one rule that axe-core found broken, with the nodes that
// break it.
type axeViolation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []struct {
		Target  []string `json:"target"`
		HTML    string   `json:"html"`
		Summary string   `json:"summary"`
	} `json:"nodes"`
}

// axeResult is what runAxe keeps of axe-core's results: how many rules
// reached a verdict (so that an axe that checked nothing cannot pass), and
// the violations.
type axeResult struct {
	Version    string         `json:"version"`
	Checked    int            `json:"checked"`
	Violations []axeViolation `json:"violations"`
}

// runAxe is the script that runs axe-core on the page and keeps what a
// report needs. A node's target is a list of selectors, one per shadow root.
const runAxe = `axe.run(document, {resultTypes: ['violations']}).then(r => ({
	version: axe.version,
	checked: r.passes.length + r.violations.length + r.incomplete.length,
	violations: r.violations.map(v => ({
		id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
		nodes: v.nodes.map(n => ({
			target: n.target.map(s => [].concat(s).join(' >>> ')),
			html: n.html,
			summary: n.failureSummary || '',
		})),
	})),
}))`

func formatViolations(vs []axeViolation) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "\n- %s (%s): %s <%s>", v.ID, v.Impact, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n    %s", strings.Join(n.Target, ", "))
			if s := strings.TrimSpace(n.Summary); s != "" {
				fmt.Fprintf(&b, "\n      %s", strings.ReplaceAll(s, "\n", "\n      "))
			}
		}
	}
	return b.String()
}

// setView makes the pages loaded next render in a viewport width px wide
// and with prefers-color-scheme set to scheme ("light" or "dark").
func setView(t testing.TB, ctx context.Context, width int64, scheme string) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
	}); err != nil {
		t.Fatalf("emulate prefers-color-scheme: %s: %v", scheme, err)
	}
	do(t, ctx, fmt.Sprintf("set the viewport to %d px", width), chromedp.EmulateViewport(width, 900))
}

// checkAxe runs axe-core (whose source is axeSrc) on the page the browser
// shows now, which setView set to scheme, and fails the test, listing each
// broken rule and the elements that break it, when axe finds any
// violation. where names the page in the message.
func checkAxe(t testing.TB, ctx context.Context, axeSrc, scheme, where string) {
	t.Helper()
	dark := js[bool](t, ctx, "check the colour scheme", `matchMedia('(prefers-color-scheme: dark)').matches`)
	if dark != (scheme == "dark") {
		t.Fatalf("the page does not see prefers-color-scheme: %s", scheme)
	}
	do(t, ctx, "load axe-core into the page", chromedp.Evaluate[chromedp.Void](axeSrc))
	res := jsAwait[axeResult](t, ctx, "run axe-core", runAxe)
	if res.Checked == 0 {
		t.Fatalf("axe-core %s reached no verdict on any rule: it did not really run", res.Version)
	}
	if len(res.Violations) > 0 {
		t.Errorf("axe-core %s found %d broken rules on %s:%s",
			res.Version, len(res.Violations), where, formatViolations(res.Violations))
	}
}

func TestAccessibility(t *testing.T) {
	chromium := needBrowser(t)
	axe := axeSource(t)
	base := startSite(t)
	ctx := newBrowser(t, chromium)

	openFrontPage(t, ctx, base)
	lead := readLead(t, ctx)
	// The site declares color-scheme "light dark" and has a dark palette,
	// so both palettes must pass.
	pages := []struct {
		name, path, ready string
		width             int64
		scheme            string
	}{
		{"front page at 1280 px", "/", ".lead-headline a", 1280, "light"},
		{"front page at 390 px", "/", ".lead-headline a", 390, "light"},
		{"story page at 1280 px", lead.Href, "button.copy-link", 1280, "light"},
		{"story page at 390 px", lead.Href, "button.copy-link", 390, "light"},
		{"front page at 1280 px in dark mode", "/", ".lead-headline a", 1280, "dark"},
		{"story page at 390 px in dark mode", lead.Href, "button.copy-link", 390, "dark"},
	}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			setView(t, ctx, p.width, p.scheme)
			do(t, ctx, "load "+p.path,
				chromedp.Navigate(base+p.path),
				chromedp.WaitVisible(chromedp.CSS(p.ready)),
			)
			checkAxe(t, ctx, axe, p.scheme, fmt.Sprintf("%s (%s, %d px wide)", base+p.path, p.scheme, p.width))
		})
	}
}
