package e2e

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"dateline/internal/account"
	"dateline/internal/clock"
	"dateline/internal/comment"
	"dateline/internal/newsroom"
	"dateline/internal/story"
)

// axePage is one kind of page the site renders, as one kind of visitor
// sees it, for axe-core.
type axePage struct {
	name, path string
	// ready is a selector of what the page must show once loaded: it proves
	// the page is the kind it should be.
	ready string
}

// writeTestPicture writes a 900 by 600 PNG of bands of colour, made here,
// for the image library, and returns its path.
func writeTestPicture(t testing.TB) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 900, 600))
	for y := range 600 {
		for x := range 900 {
			img.Set(x, y, color.RGBA{uint8(40 + x/6), uint8(90 + y/5), uint8(160 - y/8), 255})
		}
	}
	path := filepath.Join(t.TempDir(), "harbour.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// checkedViews are the views every page kind is checked in: each palette
// once, the dark one at a phone's width, where pages are narrowest, and the
// light one at a desktop's. Each check is a browser's full page load and
// axe run, so the four combinations would double CI's time for little:
// neither a palette's contrast nor a width's layout depends on the other.
var checkedViews = []struct {
	width  int64
	scheme string
}{{390, "dark"}, {1280, "light"}}

// TestEveryPageKindAccessibility visits every kind of page the site renders
// as HTML, as the visitor who sees it (an anonymous reader, a subscriber,
// the newsroom's admin), with a breaking-news banner up, in checkedViews
// (dark at 390 px, light at 1280 px): each passes axe-core, does not scroll sideways, and
// is kept as a screenshot. The pages other tests check already in all four
// views (the story page and a day's archive in TestReaderFollowsRelatedStory)
// or in their own states (the account forms, the story editor, the
// paywall, the comments) are checked there; the main ones come back here
// so that the screenshots show the whole site.
func TestEveryPageKindAccessibility(t *testing.T) {
	chromium := needBrowser(t)
	axe := axeSource(t)
	site := startFullSite(t)
	base := site.Base
	dir := screenshotDir(t)
	var (
		admin      = person{"nellie.bly@example.com", "Nellie Bly", "ten days around the world"}
		subscriber = person{"ada.reader@example.com", "Ada Reader", "analytical engine notes"}
	)
	adminUser := newPerson(t, site, admin, account.Admin)
	sub := newSubscriber(t, site, subscriber)
	if err := site.Newsroom.SetBreaking(timeout(t), newsroom.Breaking{Text: "Polls close at eight; results through the night",
		URL: "/search?q=polls", Until: clock.System().Add(24 * time.Hour)}); err != nil {
		t.Fatalf("put up the breaking-news banner: %v", err)
	}

	// Find the addresses of the pages that depend on the demo content, and
	// put a picture in the image library and a comment under the lead.
	ctx := newBrowser(t, chromium)
	lead := followLead(t, ctx, base)
	type found struct {
		Section, Tag, Author string
	}
	f := js[found](t, ctx, "read the story's links", `(() => {
		const href = sel => (document.querySelector(sel) || {getAttribute: () => ''}).getAttribute('href');
		return {section: href('.kicker a[href^="/section/"]'), tag: href('.tags a[href^="/tag/"]'),
			author: href('a[href^="/author/"]')};
	})()`)
	if f.Section == "" || f.Tag == "" || f.Author == "" {
		t.Fatalf("the lead story %s lacks a link to its section, a tag or an author: %+v", lead.Href, f)
	}
	word := ""
	for _, w := range strings.Fields(lead.Headline) {
		if w = strings.Trim(w, `.,:;!?'"“”‘’`); len(w) > len(word) {
			word = w
		}
	}
	st := storyOf(t, site, lead.Href)
	c, err := site.Comments.Post(timeout(t), sub, st, comment.Mode(st.Comments), 0, "A clear account of what happened, and what comes next.")
	if err != nil {
		t.Fatalf("the subscriber comments on the lead story: %v", err)
	}
	// A decision, so that the moderation log has a line to show.
	mctx := timeout(t)
	if err := site.Comments.Moderate(mctx, adminUser, c.ID, "feature", "Shows both sides", func(id int64) (*story.Story, error) {
		return site.Store.StoryByID(mctx, id)
	}); err != nil {
		t.Fatalf("feature the comment: %v", err)
	}
	logIn(t, ctx, base, admin.Email, admin.Password, admin.Name)
	openPage(t, ctx, base+"/admin/images", "#f-file")
	do(t, ctx, "upload a picture",
		chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{writeTestPicture(t)}),
		chromedp.SendKeys(chromedp.CSS("#f-alt"), "Fishing boats tied up in a harbour at dusk"),
		chromedp.SendKeys(chromedp.CSS("#f-caption"), "The harbour at Peniche"),
		chromedp.SendKeys(chromedp.CSS("#f-credit"), "Dateline staff"),
	)
	resp := navigateBy(t, ctx, "click Upload", chromedp.Click(button("Upload")))
	if resp.Status != 200 && resp.Status != 303 {
		t.Fatalf("uploading a picture answered %d", resp.Status)
	}
	do(t, ctx, "wait for the picture in the library", chromedp.WaitReady(chromedp.CSS(".image-grid img")))
	editPath := jsAwait[string](t, ctx, "find a story to edit", `(async () => {
		const r = await fetch('/admin/stories'); const d = new DOMParser().parseFromString(await r.text(), 'text/html');
		return d.querySelector('.stories-table a[href^="/admin/stories/"]').getAttribute('href'); })()`)

	// An invitation to join the staff, for its page and the audit log.
	invitation := invitationPath(t, site, adminUser, "new.editor@example.com")

	visitors := []struct {
		name  string
		login *person
		pages []axePage
	}{
		{"reader", nil, []axePage{
			{"front", "/", ".breaking a"},
			{"section", f.Section, ".list-header h1"},
			{"tag", f.Tag, ".list-header h1"},
			{"author", f.Author, ".list-header h1"},
			{"invite", invitation, "#f-password"},
		}},
		{"reader-more", nil, []axePage{
			{"search-form", "/search", "#f-q"},
			{"search-results", "/search?q=" + word, ".search-results .snippet"},
			{"search-none", "/search?q=quuxplorative", "p.result-count"},
			{"subscribe", "/subscribe", ".plans .button"},
			{"policy", "/comments/policy", ".policy-text"},
			{"not-found", "/no/such/page", ".error-page h1"},
		}},
		{"subscriber", &subscriber, []axePage{
			{"account-subscriber", "/account", "#f-profile-name"},
			{"cancel", "/account/subscription/cancel", "main form button"},
		}},
		{"admin-newsroom", &admin, []axePage{
			{"admin-dashboard", "/admin", ".dashboard h1"},
			{"admin-stories", "/admin/stories", ".stories-table"},
			{"admin-editor", editPath, "#f-body"},
			{"admin-front", "/admin/front", "#f-lead"},
			{"admin-authors", "/admin/authors", "#new-author"},
			{"admin-images", "/admin/images", ".image-grid img"},
		}},
		{"admin-business", &admin, []axePage{
			{"admin-plans", "/admin/plans", ".plans-table"},
			{"admin-subscribers", "/admin/subscribers", ".subscribers"},
			{"admin-comments", "/admin/comments?tab=recent", ".mod-item"},
			{"admin-comments-log", "/admin/comments/log", ".mod-log tbody td:nth-child(6)"},
			{"admin-comments-settings", "/admin/comments/settings", ".mod-settings"},
			{"admin-policy", "/comments/policy", ".policy-edit textarea"},
		}},
		{"admin-people", &admin, []axePage{
			{"admin-settings", "/admin/settings", "#f-time_zone"},
			{"admin-people", "/admin/people?reader=" + subscriber.Email, ".reader-standing"},
			{"admin-audit", "/admin/audit", ".audit tbody td"},
		}},
	}
	for _, view := range checkedViews {
		width, scheme := view.width, view.scheme
		for _, v := range visitors {
			// A browser for each visitor and view, with a few pages each,
			// keeps each one's work well inside browserTimeout on a busy
			// machine.
			t.Run(fmt.Sprintf("%s-%dpx-%s", v.name, width, scheme), func(t *testing.T) {
				ctx := newBrowser(t, chromium)
				if v.login != nil {
					logIn(t, ctx, base, v.login.Email, v.login.Password, v.login.Name)
				}
				setView(t, ctx, width, scheme)
				for _, p := range v.pages {
					do(t, ctx, "load "+p.path, chromedp.Navigate(base+p.path), chromedp.WaitReady(chromedp.CSS(p.ready)))
					where := fmt.Sprintf("%s (%s, %s, %d px wide)", base+p.path, p.name, scheme, width)
					if sw := js[int64](t, ctx, "measure the page", `document.documentElement.scrollWidth`); sw > width {
						t.Errorf("%s is %d px wide: it scrolls sideways", where, sw)
					}
					if !js[bool](t, ctx, "look for the banner", `!!document.querySelector('p.breaking a[href="/search?q=polls"]')`) {
						t.Errorf("%s does not show the breaking-news banner", where)
					}
					checkAxe(t, ctx, axe, scheme, where)
					buf := get(t, ctx, "take a full-page screenshot", chromedp.FullScreenshot(100))
					path := filepath.Join(dir, fmt.Sprintf("page-%s-%dpx-%s.png", p.name, width, scheme))
					if err := os.WriteFile(path, buf, 0o644); err != nil {
						t.Fatal(err)
					}
					if p.name == "admin-dashboard" {
						checkDashboardCharts(t, ctx, axe, dir, width, scheme, where)
					}
				}
			})
		}
	}
}

// TestDevMailboxAccessibility checks the development mailbox, which a
// --demo site without an SMTP server shows at /_dev/mail, holding a
// password-reset email: it passes axe-core in checkedViews, light and
// dark, and is kept as a screenshot.
func TestDevMailboxAccessibility(t *testing.T) {
	chromium := needBrowser(t)
	axe := axeSource(t)
	site := startDemoSite(t, nil)
	base := site.Base
	dir := screenshotDir(t)
	reader := person{"grace.reader@example.com", "Grace Reader", "compilers and nanoseconds"}
	newPerson(t, site, reader, account.Reader)
	ctx := newBrowser(t, chromium)
	openPage(t, ctx, base+"/password/forgot", "#f-email")
	do(t, ctx, "type the email", chromedp.SendKeys(chromedp.CSS("#f-email"), reader.Email))
	navigateBy(t, ctx, "ask for a code", chromedp.Click(button("Email me a code")))
	// The sender delivers within moments; look again until it has.
	for i := 0; ; i++ {
		openPage(t, ctx, base+"/_dev/mail", "main h1")
		if js[bool](t, ctx, "look for the email", `!!document.querySelector('article.mail')`) {
			break
		}
		if i == 100 {
			t.Fatalf("the development mailbox shows no email: %s", mainText(t, ctx))
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, view := range checkedViews {
		width, scheme := view.width, view.scheme
		setView(t, ctx, width, scheme)
		where := fmt.Sprintf("%s/_dev/mail (%s, %d px wide)", base, scheme, width)
		if sw := js[int64](t, ctx, "measure the page", `document.documentElement.scrollWidth`); sw > width {
			t.Errorf("%s is %d px wide: it scrolls sideways", where, sw)
		}
		checkAxe(t, ctx, axe, scheme, where)
		buf := get(t, ctx, "take a full-page screenshot", chromedp.FullScreenshot(100))
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("page-devmail-%dpx-%s.png", width, scheme)), buf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// checkDashboardCharts checks the dashboard's charts beyond the page's own
// check: their tables, opened, pass axe-core too, and the charts' colours
// pass it in the other palette as well, kept as a screenshot, so that the
// dashboard is seen at both widths in both palettes.
func checkDashboardCharts(t *testing.T, ctx context.Context, axe, dir string, width int64, scheme, where string) {
	t.Helper()
	if n := js[int](t, ctx, "count the charts", `document.querySelectorAll('section.chart svg[role=img] polyline').length`); n < 4 {
		t.Errorf("%s draws %d chart lines, want a line for each series of its four charts", where, n)
	}
	js[bool](t, ctx, "open the charts' tables", `(document.querySelectorAll('details.chart-table').forEach(d => d.open = true), true)`)
	checkAxe(t, ctx, axe, scheme, where+", the charts' tables open")
	js[bool](t, ctx, "close the charts' tables", `(document.querySelectorAll('details.chart-table').forEach(d => d.open = false), true)`)
	other := map[string]string{"dark": "light", "light": "dark"}[scheme]
	setView(t, ctx, width, other)
	checkAxe(t, ctx, axe, other, strings.Replace(where, scheme, other, 1))
	buf := get(t, ctx, "take a full-page screenshot", chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("page-admin-dashboard-%dpx-%s.png", width, other)), buf, 0o644); err != nil {
		t.Fatal(err)
	}
	setView(t, ctx, width, scheme)
}
