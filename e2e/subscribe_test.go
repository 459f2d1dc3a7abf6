package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// wantSignUp checks that the browser shows the sign-up form (status 200)
// on the way to next: /signup?next=next, however its query is escaped.
func wantSignUp(t testing.TB, ctx context.Context, resp *network.Response, base, next string) {
	t.Helper()
	loc := get(t, ctx, "read the address of the page", chromedp.Location())
	u, err := url.Parse(loc)
	if err != nil || base+u.Path != base+"/signup" || u.Query().Get("next") != next || resp.Status != http.StatusOK {
		t.Fatalf("the browser is on %s (status %d), want %s/signup?next=%s; the page says: %s", loc, resp.Status, base, next, mainText(t, ctx))
	}
}

// shoot saves a full-page screenshot of what the browser shows at width
// px in scheme, named name, in the screenshots folder dir.
func shoot(t testing.TB, ctx context.Context, dir, name string, width int64, scheme string) {
	t.Helper()
	setView(t, ctx, width, scheme)
	buf := get(t, ctx, "take a full-page screenshot of "+name, chromedp.FullScreenshot(100))
	path := filepath.Join(dir, fmt.Sprintf("%s-%dpx-%s.png", name, width, scheme))
	if err := os.WriteFile(path, buf, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// shootAll saves screenshots of the page the browser shows at 390 and
// 1280 px, light and dark, and leaves the view at 1280 px, light.
func shootAll(t testing.TB, ctx context.Context, dir, name string) {
	t.Helper()
	for _, scheme := range []string{"dark", "light"} {
		for _, width := range []int64{390, 1280} {
			shoot(t, ctx, dir, name, width, scheme)
		}
	}
}

// TestAnonymousReaderSubscribesFromThePaywall follows a reader without an
// account who arrives on a subscribers' story: they press a plan's button
// on the paywall, sign up, confirm their address with the emailed link,
// land in that plan's checkout, subscribe, and are back on the story,
// which they now read in full.
func TestAnonymousReaderSubscribesFromThePaywall(t *testing.T) {
	chromium := needBrowser(t)
	site := startFullSite(t)
	base := site.Base
	ctx := newBrowser(t, chromium)
	dir := screenshotDir(t)
	const (
		email = "martha.gellhorn@example.com"
		name  = "Martha Gellhorn"
		pw    = "face of war dispatches"
	)
	yearly := planNamed(t, site, "Yearly")
	stories := findPaywalledStories(t, ctx, site)
	story := stories[len(stories)-1]

	// 1. They arrive on the story and meet the paywall, with a button for
	// every plan.
	st := openStory(t, ctx, base, story)
	wantPaywalled(t, ctx, st, story, "an anonymous reader")
	if n := js[int](t, ctx, "count the paywall's plan buttons", `document.querySelectorAll('section.paywall a.plan-button').length`); n != len(site.Plans) {
		t.Errorf("the paywall offers %d plan buttons, want one for each of the %d plans", n, len(site.Plans))
	}
	shootAll(t, ctx, dir, "subscribe-1-paywall")

	// 2. The Yearly plan's button leads to the sign-up form, which keeps
	// the plan.
	checkout := fmt.Sprintf("/subscribe/checkout?plan=%d&back=%s", yearly.ID, url.QueryEscape(story.Path))
	resp := navigateBy(t, ctx, `click "Subscribe: Yearly" in the paywall`, chromedp.Click(paywallPlan(yearly)))
	wantSignUp(t, ctx, resp, base, checkout)
	submitSignUp(t, ctx, base, email, name, pw)

	// 3. The emailed link signs them in and lands in the plan's checkout.
	confirmEmailTo(t, ctx, site, email, name, base+checkout)
	if lede := textOf(t, ctx, "main .lede"); !strings.HasPrefix(lede, yearly.Name+": "+yearly.Price()) {
		t.Errorf("the checkout says %q, want the %s plan at %s", lede, yearly.Name, yearly.Price())
	}
	shootAll(t, ctx, dir, "subscribe-2-checkout")

	// 4. They subscribe, and are back on the story, whole.
	resp = navigateBy(t, ctx, `click "Start my subscription"`, chromedp.Click(button("Start my subscription")))
	wantPage(t, ctx, resp, http.StatusOK, base+story.Path)
	st = readStory(t, ctx, story)
	wantFullStory(t, ctx, st, story, "the new subscriber, back on the story")
	if js[bool](t, ctx, "look for Subscribe in the masthead", `!!document.querySelector('header nav.account-links a[href="/subscribe"]')`) {
		t.Error("the masthead still offers a subscriber Subscribe")
	}
	shootAll(t, ctx, dir, "subscribe-3-back-on-story")
}
