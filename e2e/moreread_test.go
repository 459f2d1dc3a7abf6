package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// teaserLink is a link a story page offers after the story.
type teaserLink struct {
	Headline string `json:"headline"`
	Href     string `json:"href"`
}

// readTeasers reads the links of the list under sel ("section.related",
// "section.in-section").
func readTeasers(t testing.TB, ctx context.Context, sel string) []teaserLink {
	t.Helper()
	return js[[]teaserLink](t, ctx, "read the links of "+sel, `[...document.querySelectorAll('`+sel+` li > a')]
		.map(a => ({headline: a.textContent.trim(), href: a.getAttribute('href')}))`)
}

// TestReaderFollowsRelatedStory: a reader finishes the lead story, sees
// how long it was, follows a related story and lands on it; the page
// offers neither story itself, and what it offers passes axe-core and
// fits at 390 and 1280 px, light and dark, as does a day's archive.
func TestReaderFollowsRelatedStory(t *testing.T) {
	chromium := needBrowser(t)
	axe := axeSource(t)
	base := startSite(t)
	ctx := newBrowser(t, chromium)
	dir := screenshotDir(t)

	lead := followLead(t, ctx, base)
	rt := get(t, ctx, "read the reading time", chromedp.TextContent(chromedp.CSS("span.reading-time")))
	if !strings.HasSuffix(rt, " min read") {
		t.Errorf("the reading time says %q, want “N min read”", rt)
	}
	related := readTeasers(t, ctx, "section.related")
	inSection := readTeasers(t, ctx, "section.in-section")
	if len(related) == 0 || len(related) > 5 || len(inSection) == 0 {
		t.Fatalf("the lead story offers %d related stories and %d more in its section, want 1 to 5 and some", len(related), len(inSection))
	}
	for _, l := range append(related, inSection...) {
		if l.Href == lead.Href {
			t.Errorf("the lead story offers itself: %+v", l)
		}
	}

	first := related[0]
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	resp, err := chromedp.RunResponse(sctx, chromedp.Click(chromedp.CSS("section.related li > a")))
	cancel()
	if err != nil || resp.Status != 200 {
		t.Fatalf("follow the related story %s: %v", first.Href, err)
	}
	do(t, ctx, "wait for the related story", chromedp.WaitVisible(chromedp.CSS("h1#headline")))
	if h := get(t, ctx, "read the headline", chromedp.TextContent(chromedp.CSS("h1#headline"))); strings.TrimSpace(h) != first.Headline {
		t.Errorf("the related link %q led to a story headed %q", first.Headline, h)
	}
	for _, l := range append(readTeasers(t, ctx, "section.related"), readTeasers(t, ctx, "section.in-section")...) {
		if l.Href == first.Href {
			t.Errorf("the related story offers itself: %+v", l)
		}
	}

	day := js[string](t, ctx, "read the day's link", `document.querySelector('a.day-link').getAttribute('href')`)
	for _, p := range []struct{ name, path, ready string }{
		{"story-more", first.Href, "div.more-to-read"},
		{"day", day, "h3.card-headline a"},
	} {
		for _, width := range []int64{390, 1280} {
			for _, scheme := range []string{"light", "dark"} {
				t.Run(fmt.Sprintf("%s-%dpx-%s", p.name, width, scheme), func(t *testing.T) {
					setView(t, ctx, width, scheme)
					do(t, ctx, "load "+p.path, chromedp.Navigate(base+p.path), chromedp.WaitVisible(chromedp.CSS(p.ready)))
					if sw := js[int64](t, ctx, "measure the page", `document.documentElement.scrollWidth`); sw > width {
						t.Errorf("the page is %d px wide in a %d px viewport: it scrolls sideways", sw, width)
					}
					checkAxe(t, ctx, axe, scheme, fmt.Sprintf("%s (%s, %d px wide)", base+p.path, scheme, width))
					buf := get(t, ctx, "take a full-page screenshot", chromedp.FullScreenshot(100))
					path := filepath.Join(dir, fmt.Sprintf("%s-%dpx-%s.png", p.name, width, scheme))
					if err := os.WriteFile(path, buf, 0o644); err != nil {
						t.Fatal(err)
					}
					t.Logf("screenshot: %s", path)
				})
			}
		}
	}
}
