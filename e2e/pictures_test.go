package e2e

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// shownImage is an img as the browser lays it out.
type shownImage struct {
	Class  string  `json:"cls"`
	Src    string  `json:"src"`
	W      float64 `json:"w"`
	H      float64 `json:"h"`
	AttrW  float64 `json:"aw"`
	AttrH  float64 `json:"ah"`
	Loaded bool    `json:"loaded"`
	Lazy   bool    `json:"lazy"`
}

// readImages reads the boxes of every picture in the page's main part.
func readImages(t testing.TB, ctx context.Context) []shownImage {
	t.Helper()
	return js[[]shownImage](t, ctx, "measure the pictures", `[...document.querySelectorAll('main img')].map(i => {
		const r = i.getBoundingClientRect();
		return {cls: i.className, src: i.currentSrc || i.getAttribute('src'), w: r.width, h: r.height,
			aw: +i.getAttribute('width'), ah: +i.getAttribute('height'),
			loaded: i.complete && i.naturalWidth > 0, lazy: i.loading === 'lazy'};
	})`)
}

// wantBoxes checks that every picture has a box of its own proportions,
// which it keeps whether or not it has loaded: nothing moves when it
// arrives.
func wantBoxes(t testing.TB, imgs []shownImage, where string) {
	t.Helper()
	for _, im := range imgs {
		if im.W < 50 || im.AttrW <= 0 || math.Abs(im.H-im.W*im.AttrH/im.AttrW) > 1 {
			t.Errorf("%s: %s %s is %.1f × %.1f px, want its %g:%g proportions", where, im.Class, im.Src, im.W, im.H, im.AttrW, im.AttrH)
		}
	}
}

// layoutShift is the page's cumulative layout shift so far, as
// PerformanceObserver reports it.
const layoutShift = `new Promise(done => {
	let sum = 0;
	new PerformanceObserver(list => { for (const e of list.getEntries()) if (!e.hadRecentInput) sum += e.value; })
		.observe({type: 'layout-shift', buffered: true});
	setTimeout(() => done(sum), 300);
})`

// TestFrontPageWithPictures loads the demo front page with its pictures
// at 390 and 1280 px: every picture takes its place before it loads (the
// pictures are held back to see), the page does not shift as they
// arrive, the lead's loads at once and the cards' as they scroll into
// view; then the story page's figure. axe-core finds nothing in light or
// dark, and the screenshots are saved.
func TestFrontPageWithPictures(t *testing.T) {
	chromium := needBrowser(t)
	base := startSite(t)
	ctx := newBrowser(t, chromium)
	axeSrc := axeSource(t)
	dir := screenshotDir(t)

	// hold keeps the requests for pictures waiting, unanswered, while on:
	// the page lays out as it does before they arrive.
	hold := func(on bool) {
		t.Helper()
		var err error
		if on {
			_, err = chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: base + "/images/*"}}})
		} else {
			_, err = chromedp.Call(ctx, fetch.Disable, cdp.Empty{})
		}
		if err != nil {
			t.Fatalf("hold back the pictures (%v): %v", on, err)
		}
	}
	// Every load fetches the pictures again, as a first visit does.
	if _, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
		t.Fatalf("turn the browser's cache off: %v", err)
	}
	for _, width := range []int64{390, 1280} {
		where := fmt.Sprintf("the front page at %d px", width)
		setView(t, ctx, width, "light")
		hold(true)
		// The page never finishes loading: navigate without waiting for it.
		if _, err := chromedp.Call(ctx, page.Navigate, page.NavigateParams{URL: base + "/"}); err != nil {
			t.Fatalf("load the front page: %v", err)
		}
		do(t, ctx, "wait for the front page's footer", chromedp.WaitVisible(chromedp.CSS(".site-footer")))
		before := readImages(t, ctx)
		if len(before) < 5 || before[0].Class != "lead-image" || before[0].Lazy {
			t.Fatalf("%s shows %+v, want the lead's picture first, not lazy, and the cards'", where, before)
		}
		for _, im := range before {
			if im.Loaded {
				t.Fatalf("%s: %s loaded although the pictures are held back", where, im.Src)
			}
		}
		wantBoxes(t, before, where+", before the pictures load")
		hold(false)

		openFrontPage(t, ctx, base)
		waitFor(t, ctx, "the lead's picture", `document.querySelector('.lead-image').complete && document.querySelector('.lead-image').naturalWidth > 0`,
			`document.querySelector('.lead-image').currentSrc`)
		js[bool](t, ctx, "scroll to the foot of the page", `window.scrollTo(0, document.documentElement.scrollHeight), true`)
		waitFor(t, ctx, "every picture", `[...document.querySelectorAll('main img')].every(i => i.complete && i.naturalWidth > 0)`,
			`[...document.querySelectorAll('main img')].filter(i => !i.naturalWidth).map(i => i.src).join(' ')`)
		js[bool](t, ctx, "scroll back", `window.scrollTo(0, 0), true`)
		after := readImages(t, ctx)
		wantBoxes(t, after, where+", once the pictures loaded")
		if cls := jsAwait[float64](t, ctx, "measure the layout shift", layoutShift); cls > 0.001 {
			t.Errorf("%s shifts as it loads: cumulative layout shift %.4f, want 0", where, cls)
		}
		if sw := js[int64](t, ctx, "measure the page", `document.documentElement.scrollWidth`); sw > width {
			t.Errorf("%s is %d px wide: it scrolls sideways", where, sw)
		}
		// The lead's picture is large; the cards' are small on phones.
		lead, card := after[0], after[1]
		if width == 390 && (lead.W < 300 || card.W > 130) || width == 1280 && (lead.W < 600 || card.W > 400) {
			t.Errorf("%s: the lead's picture is %.0f px wide and a card's %.0f px", where, lead.W, card.W)
		}
	}
	for _, scheme := range []string{"light", "dark"} {
		setView(t, ctx, 1280, scheme)
		openFrontPage(t, ctx, base)
		checkAxe(t, ctx, axeSrc, scheme, "the front page with pictures, "+scheme)
	}
	openFrontPage(t, ctx, base)
	js[bool](t, ctx, "scroll to the foot of the page", `window.scrollTo(0, document.documentElement.scrollHeight), true`)
	waitFor(t, ctx, "every picture", `[...document.querySelectorAll('main img')].every(i => i.complete && i.naturalWidth > 0)`, `''`)
	js[bool](t, ctx, "scroll back", `window.scrollTo(0, 0), true`)
	shootAll(t, ctx, dir, "front-pictures")

	// The lead story's picture is a figure with its caption and credit.
	lead := readLead(t, ctx)
	do(t, ctx, "open the lead story", chromedp.Navigate(base+lead.Href), chromedp.WaitVisible(chromedp.CSS("figure.story-image figcaption")))
	if got := textOf(t, ctx, "figure.story-image .credit"); got != "Illustration: Dateline" {
		t.Errorf("the figure's credit is %q", got)
	}
	waitFor(t, ctx, "the story's picture", `document.querySelector('.story-image img').naturalWidth > 0`, `''`)
	wantBoxes(t, readImages(t, ctx), "the lead story")
	for _, scheme := range []string{"light", "dark"} {
		setView(t, ctx, 390, scheme)
		checkAxe(t, ctx, axeSrc, scheme, "the story with its figure, "+scheme)
	}
	shootAll(t, ctx, dir, "story-figure")
}
