package e2e

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"dateline/internal/account"
	"dateline/internal/billing"
	"dateline/internal/story"
)

// What the paywall pages and emails say, word for word.
const (
	subscribersBadge   = "Subscribers"
	verifySubject      = "Please confirm your email address for " + siteName
	welcomeSubject     = "Welcome to " + siteName + ": your digital access has begun"
	confirmHeading     = "Confirm your email address"
	confirmButton      = "Confirm my address"
	addressConfirmed   = "Thank you. Your email address is confirmed."
	registerHeading    = "Keep reading: this story is for subscribers"
	subscribeHeading   = "Keep reading: subscribe for digital access"
	checkoutLede       = "Monthly: €9.00 a month. You can cancel at any time from your account page."
	giftLinkLabel      = "Copy gift link"
	giftedNote         = "A subscriber has shared this story with you."
	giftRefusedNote    = "That gift link has expired or does not work."
	demoBannerStart    = "Demonstration checkout."
	demoBannerNoMoney  = "No money is taken"
	monthlyPlanSummary = "Monthly, €9.00 a month."
)

// meterLimit is how many subscribers-only stories a registered reader
// without a subscription may read a month: billing.DefaultSettings, which
// the paywall site keeps.
var meterLimit = billing.DefaultSettings().MeterLimit

// verifyLinkLine is the line of a confirmation email's text part with the
// link that confirms the address.
var verifyLinkLine = regexp.MustCompile(`(?m)^(https?://\S+/account/verify\?\S+)$`)

// paywalledStory is a subscribers-only story, as the front page links it
// and the store holds it.
type paywalledStory struct {
	Headline string
	// Path is the story's path on the site, such as /2026/05/04/slug.
	Path string
	// Story is the story as the store holds it.
	Story *story.Story
	// Later is text from a paragraph after the first: what only readers
	// with access may receive.
	Later string
}

var (
	paragraphElem = regexp.MustCompile(`(?s)<p>(.*?)</p>`)
	htmlTag       = regexp.MustCompile(`<[^>]*>`)
)

// laterText picks text from a paragraph of bodyHTML after the first, to
// look for in the page: the first sentence (or the whole run of text
// between tags, when that is short) of at least 40 characters. Only text
// that a browser's outerHTML writes unchanged qualifies: without "&", "<",
// ">" or no-break spaces. It returns "" when no paragraph has such text.
func laterText(bodyHTML string) string {
	ps := paragraphElem.FindAllStringSubmatch(bodyHTML, -1)
	if len(ps) < 2 {
		return ""
	}
	for _, p := range ps[1:] {
		for _, run := range htmlTag.Split(p[1], -1) {
			text := strings.TrimSpace(html.UnescapeString(run))
			if strings.ContainsAny(text, "&<>\u00a0") {
				continue
			}
			if i := strings.Index(text, ". "); i >= 40 {
				text = text[:i+1]
			}
			if len(text) >= 40 {
				return text
			}
		}
	}
	return ""
}

// findPaywalledStories opens the front page and returns the stories it
// marks with the "Subscribers" badge, in the order it shows them, checking
// each against the store: the badge must mark exactly the subscribers-only
// stories.
func findPaywalledStories(t testing.TB, ctx context.Context, site *accountSite) []paywalledStory {
	t.Helper()
	openFrontPage(t, ctx, site.Base)
	type item struct {
		Headline string `json:"headline"`
		Href     string `json:"href"`
		Badge    string `json:"badge"`
	}
	items := js[[]item](t, ctx, "list the front page's stories", `[...document.querySelectorAll('main .lead, main .card')].map(c => {
		const a = c.querySelector('.lead-headline a, .card-headline a'), b = c.querySelector('.kicker .badge');
		return {headline: a ? a.textContent.trim() : '', href: a ? a.getAttribute('href') : '', badge: b ? b.textContent.trim() : ''};
	})`)
	if len(items) == 0 {
		t.Fatalf("the front page lists no stories; it says: %s", mainText(t, ctx))
	}
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	var out []paywalledStory
	for _, it := range items {
		if it.Href == "" {
			t.Fatalf("a story on the front page has no headline link: %+v", it)
		}
		st, err := site.Store.StoryBySlug(sctx, path.Base(it.Href))
		if err != nil {
			t.Fatalf("the front page links %s (%q), which the store does not find: %v", it.Href, it.Headline, err)
		}
		if st.Path() != it.Href {
			t.Errorf("the front page links %q at %s, but its path is %s", it.Headline, it.Href, st.Path())
		}
		marked := it.Badge != ""
		if marked && it.Badge != subscribersBadge {
			t.Errorf("the front page's badge on %q says %q, want %q", it.Headline, it.Badge, subscribersBadge)
		}
		if paid := st.Access == story.Subscribers; marked != paid {
			t.Errorf("the front page marks %q with the badge %q, but the story's access is %q", it.Headline, it.Badge, st.Access)
			continue
		}
		if !marked {
			continue
		}
		later := laterText(st.BodyHTML)
		if later == "" {
			t.Fatalf("the subscribers-only story %q has no paragraph after the first with 40 plain characters to look for; its body is:\n%s", it.Headline, st.BodyHTML)
		}
		for _, shown := range []string{st.LeadWithDateline(), st.Headline, st.Dek} {
			if strings.Contains(shown, later) {
				t.Fatalf("the text %q of %q is also in its lead, headline or dek, so it cannot tell the paywall apart", later, it.Headline)
			}
		}
		out = append(out, paywalledStory{Headline: it.Headline, Path: it.Href, Story: st, Later: later})
	}
	if len(out) < meterLimit+1 {
		t.Fatalf("the front page marks %d subscribers-only stories, want at least %d (the meter's %d and one more)", len(out), meterLimit+1, meterLimit)
	}
	return out
}

// storyState is what a story page shows of the story.
type storyState struct {
	Headline string `json:"headline"`
	// Paywall is true when the page has a section.paywall.
	Paywall bool `json:"paywall"`
	// Paragraphs counts the paragraphs of .story-body; Children names its
	// elements.
	Paragraphs int      `json:"paragraphs"`
	Children   []string `json:"children"`
	// Meter is the text of p.meter-note, or nil when there is none.
	Meter *string `json:"meter"`
	// HTML is the whole page: document.documentElement.outerHTML.
	HTML string `json:"html"`
}

const readStoryState = `(() => {
	const h = document.querySelector('h1#headline'), body = document.querySelector('.story-body'),
		m = document.querySelector('p.meter-note');
	return {
		headline: h ? h.textContent.trim() : '',
		paywall: !!document.querySelector('section.paywall'),
		paragraphs: body ? body.querySelectorAll('p').length : -1,
		children: body ? [...body.children].map(e => e.localName) : [],
		meter: m ? m.textContent.replace(/\s+/g, ' ').trim() : null,
		html: document.documentElement.outerHTML,
	};
})()`

// readStory reads the story page the browser shows, and checks that it is
// the page of s.
func readStory(t testing.TB, ctx context.Context, s paywalledStory) storyState {
	t.Helper()
	st := js[storyState](t, ctx, "read the story page", readStoryState)
	if st.Headline != s.Headline {
		t.Fatalf("the story page's headline is %q, want %q", st.Headline, s.Headline)
	}
	return st
}

// openStory loads the page of s and reads it.
func openStory(t testing.TB, ctx context.Context, base string, s paywalledStory) storyState {
	t.Helper()
	openPage(t, ctx, base+s.Path, "h1#headline")
	return readStory(t, ctx, s)
}

// wantPaywalled checks that the page shows the paywall and only the first
// paragraph of s, and that nothing after it reached the browser. who says
// who the reader is, for the messages.
func wantPaywalled(t testing.TB, ctx context.Context, st storyState, s paywalledStory, who string) {
	t.Helper()
	if !st.Paywall {
		t.Fatalf("%s sees %q without a paywall; the page says: %s", who, s.Headline, mainText(t, ctx))
	}
	do(t, ctx, "wait for the paywall to show", chromedp.WaitVisible(chromedp.CSS("section.paywall")))
	if st.Paragraphs != 1 || len(st.Children) != 1 {
		t.Errorf("behind the paywall, %s sees %d paragraphs of %q (.story-body holds %s), want only the first",
			who, st.Paragraphs, s.Headline, strings.Join(st.Children, ", "))
	}
	if strings.Contains(st.HTML, s.Later) {
		t.Errorf("the paywalled page of %q sent %s the later text %q: the rest of the story must not leave the server", s.Headline, who, s.Later)
	}
}

// wantFullStory checks that the page shows all of s, with no paywall.
func wantFullStory(t testing.TB, ctx context.Context, st storyState, s paywalledStory, who string) {
	t.Helper()
	if st.Paywall {
		t.Errorf("%s should read %q in full, but the page shows a paywall: %s", who, s.Headline, textOf(t, ctx, "section.paywall"))
	}
	if !strings.Contains(st.HTML, s.Later) {
		t.Errorf("%s should read %q in full, but the page lacks the later text %q; .story-body holds %d paragraphs",
			who, s.Headline, s.Later, st.Paragraphs)
	}
	if st.Paragraphs < 2 {
		t.Errorf("%s should read %q in full, but .story-body holds %d paragraphs", who, s.Headline, st.Paragraphs)
	}
}

// meterNote is what p.meter-note begins with when left metered stories
// remain.
func meterNote(left int) string {
	return fmt.Sprintf("%d of %d free stories left this month.", left, meterLimit)
}

// planNamed returns the site's plan called name.
func planNamed(t testing.TB, site *accountSite, name string) billing.Plan {
	t.Helper()
	for _, p := range site.Plans {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("the site has no plan %q", name)
	return billing.Plan{}
}

// confirmEmail reads the confirmation link from the email the site sent
// to email when the reader signed up, opens it in the browser, presses the
// confirm button on the page it opens (opening the link alone changes
// nothing, as mail scanners open links too), and checks that the address
// is confirmed and the reader, name, is signed in on this browser.
func confirmEmail(t testing.TB, ctx context.Context, site *accountSite, email, name string) {
	t.Helper()
	confirmEmailTo(t, ctx, site, email, name, site.Base+"/account?done=confirmed")
}

// confirmEmailTo is confirmEmail for a reader who signed up on their way
// to another page: confirming the address must land on landing.
func confirmEmailTo(t testing.TB, ctx context.Context, site *accountSite, email, name, landing string) {
	t.Helper()
	m := mailWithSubject(t, site.Mail.WaitForTo(t, email, 1, mailTimeout), verifySubject)
	lm := verifyLinkLine.FindStringSubmatch(m.Text())
	if lm == nil {
		t.Fatalf("the confirmation email's text has no link to %s/account/verify; it is:\n%s", site.Base, m.Text())
	}
	link := lm[1]
	if !strings.HasPrefix(link, site.Base+"/account/verify?token=") {
		t.Fatalf("the confirmation link %s is not the site's %s/account/verify?token=…", link, site.Base)
	}
	openPage(t, ctx, link, "main h1")
	if h := textOf(t, ctx, "main h1"); h != confirmHeading {
		t.Fatalf("the confirmation link shows %q, want %q; the page says: %s", h, confirmHeading, mainText(t, ctx))
	}
	resp := navigateBy(t, ctx, "press "+confirmButton, chromedp.Click(button(confirmButton)))
	wantPage(t, ctx, resp, http.StatusOK, landing)
	if landing == site.Base+"/account?done=confirmed" {
		if n := textOf(t, ctx, `main p.notice[role="status"]`); n != addressConfirmed {
			t.Errorf("after confirming, the account page says %q, want %q", n, addressConfirmed)
		}
	}
	if who := mastheadUser(t, ctx); who != name {
		t.Errorf("after confirming, the masthead shows %q signed in, want %q", who, name)
	}
}

// logIn logs the reader in with the log-in form, and checks that the
// masthead then shows name.
func logIn(t testing.TB, ctx context.Context, base, email, pw, name string) {
	t.Helper()
	openPage(t, ctx, base+"/login", "#f-email")
	do(t, ctx, "type the email and password",
		chromedp.SendKeys(chromedp.CSS("#f-email"), email),
		chromedp.SendKeys(chromedp.CSS("#f-password"), pw),
	)
	resp := navigateBy(t, ctx, "log in", chromedp.Click(button("Log in")))
	// Readers land on the front page, staff in the newsroom.
	if loc := get(t, ctx, "read the address of the page", chromedp.Location()); loc == base+"/admin" {
		wantPage(t, ctx, resp, http.StatusOK, base+"/admin")
	} else {
		wantPage(t, ctx, resp, http.StatusOK, base+"/")
	}
	if who := mastheadUser(t, ctx); who != name {
		t.Fatalf("after logging in, the masthead shows %q, want %q", who, name)
	}
}

// header returns the response header name (in any case), or "".
func header(resp *network.Response, name string) string {
	for k, v := range resp.Headers {
		if strings.EqualFold(k, name) {
			return fmt.Sprint(v)
		}
	}
	return ""
}

// cookiesFor lists the names of the cookies the browser context of ctx
// would send to url.
func cookiesFor(t testing.TB, ctx context.Context, url string) []string {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	res, err := chromedp.Call(sctx, network.GetCookies, network.GetCookiesParams{URLs: []string{url}})
	if err != nil {
		t.Fatalf("read the browser's cookies for %s: %v", url, err)
	}
	var names []string
	for _, c := range res.Cookies {
		names = append(names, c.Name)
	}
	return names
}

// The paywall's link to create a free account, and the masthead's link
// to sign up.
const (
	paywallSignUp  = chromedp.Search(`//main//section[contains(concat(" ", normalize-space(@class), " "), " paywall ")]//a[normalize-space()="Create a free account"]`)
	mastheadSignUp = chromedp.Search(`//header//nav[contains(concat(" ", normalize-space(@class), " "), " account-links ")]//a[normalize-space()="Sign up"]`)
)

// paywallPlan is the paywall's button (a link, or a form's button for a
// signed-in reader) that subscribes to plan.
func paywallPlan(plan billing.Plan) chromedp.Search {
	label := fmt.Sprintf("Subscribe: %s, %s", plan.Name, plan.Price())
	return chromedp.Search(fmt.Sprintf(`//main//section[contains(concat(" ", normalize-space(@class), " "), " paywall ")]//*[self::a or self::button][normalize-space()=%q]`, label))
}

func TestReaderGoesFromPaywallToGiftLink(t *testing.T) {
	chromium := needBrowser(t)
	site := startFullSite(t)
	base := site.Base
	ctx := newBrowser(t, chromium)
	const (
		email = "nellie.bly@example.com"
		name  = "Nellie Bly"
		pw    = "seventy two days around"
	)
	monthly := planNamed(t, site, "Monthly")

	// The front page marks the stories for subscribers.
	stories := findPaywalledStories(t, ctx, site)
	first, closed := stories[0], stories[meterLimit]
	t.Logf("subscribers-only stories: %d; the reader meets the paywall on %q, and looks for %q", len(stories), closed.Headline, closed.Later)

	// 1. An anonymous reader clicks one, and meets the paywall: the first
	// paragraph, and nothing more.
	resp := navigateBy(t, ctx, "click the subscribers-only story "+first.Headline,
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`main .lead-headline a[href=%q], main .card-headline a[href=%q]`, first.Path, first.Path))))
	wantPage(t, ctx, resp, http.StatusOK, base+first.Path)
	if who := mastheadUser(t, ctx); who != "" {
		t.Fatalf("a new browser shows %q signed in", who)
	}
	st := readStory(t, ctx, first)
	wantPaywalled(t, ctx, st, first, "an anonymous reader")
	if h := textOf(t, ctx, "section.paywall h2"); h != registerHeading {
		t.Errorf("the paywall for anonymous readers says %q, want %q", h, registerHeading)
	}
	if st.Meter != nil {
		t.Errorf("an anonymous reader sees the meter note %q", *st.Meter)
	}

	// 2. They create a free account from the paywall, and confirm their
	// address with the link in the email.
	if js[bool](t, ctx, "look for the paywall's sign-up link", `!!document.querySelector('section.paywall a[href^="/signup?next="]:not(.plan-button)')`) {
		resp = navigateBy(t, ctx, `click "Create a free account" in the paywall`, chromedp.Click(paywallSignUp))
	} else {
		// Registered readers may read meterLimit stories a month, so the
		// paywall should say so and offer the account. Go on through the
		// masthead, to test the rest of the journey.
		t.Errorf("the paywall offers anonymous readers no %q link, although registered readers may read %d subscribers-only stories a month; it says: %s",
			"Create a free account", meterLimit, textOf(t, ctx, "section.paywall"))
		resp = navigateBy(t, ctx, `click "Sign up" in the masthead`, chromedp.Click(mastheadSignUp))
	}
	wantSignUp(t, ctx, resp, base, first.Path)
	submitSignUp(t, ctx, base, email, name, pw)
	// Confirming the address brings them back to the story.
	confirmEmailTo(t, ctx, site, email, name, base+first.Path)

	// 3. The meter lets them read three subscribers-only stories in full,
	// counting down; the fourth is behind the paywall.
	for i, s := range stories[:meterLimit] {
		st := openStory(t, ctx, base, s)
		wantFullStory(t, ctx, st, s, fmt.Sprintf("a registered reader on metered story %d", i+1))
		want := meterNote(meterLimit - 1 - i)
		if st.Meter == nil || !strings.HasPrefix(*st.Meter, want) {
			t.Errorf("metered story %d, %q, has the meter note %s, want one that begins %q", i+1, s.Headline, quoteOrNone(st.Meter), want)
		}
	}
	st = openStory(t, ctx, base, closed)
	wantPaywalled(t, ctx, st, closed, "a registered reader whose meter is spent")
	if h := textOf(t, ctx, "section.paywall h2"); h != subscribeHeading {
		t.Errorf("the paywall for a reader whose meter is spent says %q, want %q", h, subscribeHeading)
	}
	// A story read this month stays open.
	st = openStory(t, ctx, base, first)
	wantFullStory(t, ctx, st, first, "a registered reader, again on a story the meter counted")
	if want := meterNote(0); st.Meter == nil || !strings.HasPrefix(*st.Meter, want) {
		t.Errorf("the story read again has the meter note %s, want one that begins %q", quoteOrNone(st.Meter), want)
	}

	// 4. From the paywall they subscribe, through the demo checkout, and
	// come back to the story.
	openStory(t, ctx, base, closed)
	resp = navigateBy(t, ctx, `click "Subscribe: Monthly" in the paywall`, chromedp.Click(paywallPlan(monthly)))
	wantPage(t, ctx, resp, http.StatusOK, fmt.Sprintf("%s/subscribe/demo?plan=%d&back=%s", base, monthly.ID, url.QueryEscape(closed.Path)))
	banner := textOf(t, ctx, "main .demo-banner")
	if !strings.HasPrefix(banner, demoBannerStart) || !strings.Contains(banner, demoBannerNoMoney) {
		t.Errorf("the demo checkout's banner says %q, want it to begin %q and say %q", banner, demoBannerStart, demoBannerNoMoney)
	}
	if lede, want := textOf(t, ctx, "main .lede"), checkoutLede; lede != want {
		t.Errorf("the demo checkout says %q, want %q", lede, want)
	}
	resp = navigateBy(t, ctx, `click "Start my subscription"`, chromedp.Click(button("Start my subscription")))
	wantPage(t, ctx, resp, http.StatusOK, base+closed.Path)
	wantFullStory(t, ctx, readStory(t, ctx, closed), closed, "a new subscriber, back on the story")
	openPage(t, ctx, base+"/account", "#subscription-heading")
	const subSection = `main section[aria-labelledby="subscription-heading"]`
	if sub := textOf(t, ctx, subSection); !strings.Contains(sub, monthlyPlanSummary) || !strings.Contains(sub, "Renews on") {
		t.Errorf("the account page's subscription says %q, want %q and %q", sub, monthlyPlanSummary, "Renews on")
	}
	renews := js[string](t, ctx, "read the renewal date",
		`(e => e ? e.getAttribute('datetime') : '')(document.querySelector(`+jsString(subSection+" time")+`))`)
	if at, err := time.Parse(time.RFC3339, renews); err != nil {
		t.Errorf("the renewal date's datetime is %q: %v", renews, err)
	} else if d := time.Until(at); d < 27*24*time.Hour || d > 32*24*time.Hour {
		t.Errorf("a monthly subscription renews on %s, %v from now, want about a month", renews, d.Round(time.Hour))
	}
	mailWithSubject(t, site.Mail.WaitForTo(t, email, 2, mailTimeout), welcomeSubject)

	// 5. The story that was behind the paywall is theirs to read.
	st = openStory(t, ctx, base, closed)
	wantFullStory(t, ctx, st, closed, "a subscriber")
	if st.Meter != nil {
		t.Errorf("a subscriber sees the meter note %q", *st.Meter)
	}

	// 6. One press makes a gift link, shows it on the story and copies it.
	setClipboardPermission(t, ctx, base, browser.PermissionSettingGranted)
	resp = navigateBy(t, ctx, `click "Copy gift link" on the story`, chromedp.Click(button(giftLinkLabel)))
	wantPage(t, ctx, resp, http.StatusOK, base+"/gifts#gift")
	if h := textOf(t, ctx, "main h1"); h != closed.Headline {
		t.Errorf("after making the gift link the page's heading is %q, want the story's %q", h, closed.Headline)
	}
	do(t, ctx, "wait for the gift link and its Copy button", chromedp.WaitVisible(chromedp.CSS("main #gift-link")),
		chromedp.WaitVisible(chromedp.CSS("main .gift-made button.copy-link")))
	// The script copies the new link at once.
	const giftStatus = `JSON.stringify(document.querySelector('.gift-made p.copy-status').textContent)`
	waitFor(t, ctx, fmt.Sprintf("the gift's status line to say %q", copiedText),
		`document.querySelector('.gift-made p.copy-status').textContent === `+jsString(copiedText), giftStatus)
	giftLink := jsAwait[string](t, ctx, "read the clipboard", `navigator.clipboard.readText()`)
	if field := value(t, ctx, "#gift-link"); giftLink != field {
		t.Errorf("the clipboard holds %q, but the gift link field holds %q", giftLink, field)
	}
	if want := base + closed.Path + "?gift="; !strings.HasPrefix(giftLink, want) || len(giftLink) == len(want) {
		t.Fatalf("the copied gift link is %q, want %s followed by a token", giftLink, want)
	}
	t.Logf("the gift link: %s", giftLink)

	// 7. Someone else, in a browser context with no cookies, opens it and
	// reads the whole story; the page stays out of search engines and
	// tells nobody where its reader came from.
	if names := cookiesFor(t, ctx, base+"/"); len(names) == 0 {
		t.Fatal("the subscriber's browser context holds no cookies for the site: the fresh context proves nothing")
	}
	gctx := newIncognitoTab(t, ctx)
	if names := cookiesFor(t, gctx, base+"/"); len(names) != 0 {
		t.Fatalf("the fresh browser context already has cookies for the site: %v", names)
	}
	gresp := get(t, gctx, "open the gift link in a fresh browser context", chromedp.NavigateResponse(giftLink))
	if gresp.Status != http.StatusOK {
		t.Fatalf("the gift link answered %d %s, want 200", gresp.Status, gresp.StatusText)
	}
	do(t, gctx, "wait for the gifted story", chromedp.WaitVisible(chromedp.CSS("h1#headline")))
	if who := mastheadUser(t, gctx); who != "" {
		t.Fatalf("the fresh browser context shows %q signed in", who)
	}
	st = readStory(t, gctx, closed)
	wantFullStory(t, gctx, st, closed, "an anonymous reader with a gift link")
	if st.Meter == nil || !strings.HasPrefix(*st.Meter, giftedNote) {
		t.Errorf("the gifted story has the note %s, want one that begins %q", quoteOrNone(st.Meter), giftedNote)
	}
	robots := js[*string](t, gctx, "read the robots meta tag",
		`(m => m ? m.getAttribute('content') : null)(document.querySelector('meta[name="robots"]'))`)
	if robots == nil || !strings.HasPrefix(*robots, "noindex") {
		t.Errorf(`the gifted story's <meta name="robots"> has the content %s, want "noindex…"`, quoteOrNone(robots))
	}
	if rp := header(gresp, "Referrer-Policy"); rp != "no-referrer" {
		t.Errorf("the gift link's page came with Referrer-Policy %q, want %q, so that its links do not carry the gift token away", rp, "no-referrer")
	}
	if cc := header(gresp, "Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("the gift link's page came with Cache-Control %q, want no-store", cc)
	}

	// The subscriber's account lists the gift, opened once.
	openPage(t, ctx, base+"/account", "#subscription-heading")
	row := js[[]string](t, ctx, "find the gift in the account page", `(r => r ? [...r.cells].map(c => c.textContent.replace(/\s+/g, ' ').trim()) : null)(
		[...document.querySelectorAll('main table.gifts tbody tr')].find(r => r.querySelector('a[href=`+jsString(closed.Path)+`]')))`)
	switch {
	case row == nil:
		t.Errorf("the account page does not list the gift link to %s; it says: %s", closed.Path, mainText(t, ctx))
	case len(row) < 2 || row[1] != "1 time":
		t.Errorf("the account page lists the gift as %q, want it opened %q", row, "1 time")
	}
}

// quoteOrNone quotes *s, or says there is none.
func quoteOrNone(s *string) string {
	if s == nil {
		return "(none)"
	}
	return fmt.Sprintf("%q", *s)
}

func TestPaywallAccessibility(t *testing.T) {
	chromium := needBrowser(t)
	axe := axeSource(t)
	site := startFullSite(t)
	base := site.Base
	ctx := newBrowser(t, chromium)
	const (
		email = "ida.tarbell@example.com"
		name  = "Ida Tarbell"
		pw    = "standard oil history"
	)
	monthly := planNamed(t, site, "Monthly")
	stories := findPaywalledStories(t, ctx, site)
	metered, closed := stories[0], stories[meterLimit]

	// Both palettes, at desktop and phone widths.
	views := []struct {
		width  int64
		scheme string
	}{{1280, "light"}, {390, "dark"}}
	type page struct {
		name string
		open func(t *testing.T)
	}
	check := func(pages []page) {
		t.Helper()
		for _, v := range views {
			for _, p := range pages {
				t.Run(fmt.Sprintf("%s, %s, %d px", p.name, v.scheme, v.width), func(t *testing.T) {
					setView(t, ctx, v.width, v.scheme)
					p.open(t)
					loc := get(t, ctx, "read the address of the page", chromedp.Location())
					where := fmt.Sprintf("%s (%s, %s, %d px wide)", loc, p.name, v.scheme, v.width)
					checkAxe(t, ctx, axe, v.scheme, where)
					checkFieldNames(t, ctx, where)
				})
			}
		}
	}

	// As an anonymous reader.
	check([]page{
		{"paywalled story, anonymous", func(t *testing.T) {
			wantPaywalled(t, ctx, openStory(t, ctx, base, metered), metered, "an anonymous reader")
		}},
		{"subscribe page, anonymous", func(t *testing.T) { openPage(t, ctx, base+"/subscribe", "main .plans") }},
		{"story with a gift link that does not work", func(t *testing.T) {
			openPage(t, ctx, base+closed.Path+"?gift=not-a-gift", "h1#headline")
			wantPaywalled(t, ctx, readStory(t, ctx, closed), closed, "an anonymous reader with a broken gift link")
			if n := textOf(t, ctx, "section.paywall .paywall-note"); n != giftRefusedNote {
				t.Errorf("the paywall says %q about the broken gift link, want %q", n, giftRefusedNote)
			}
		}},
	})

	// As a reader with a confirmed address, no subscription, and the meter
	// spent on the first stories.
	sctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	reader, err := site.Accounts.CreateUser(sctx, email, name, pw, account.Reader)
	if err != nil {
		t.Fatalf("create the reader %s: %v", email, err)
	}
	for _, s := range stories[:meterLimit] {
		a, err := site.Billing.StoryAccess(sctx, reader, s.Story, "")
		if err != nil || a.Why != billing.WhyMeter {
			t.Fatalf("read %q on the meter: %+v, %v", s.Headline, a, err)
		}
	}
	logIn(t, ctx, base, email, pw, name)
	check([]page{
		{"story read on the meter", func(t *testing.T) {
			st := openStory(t, ctx, base, metered)
			wantFullStory(t, ctx, st, metered, "a registered reader")
			if st.Meter == nil {
				t.Error("the story read on the meter has no meter note")
			}
		}},
		{"paywalled story, meter spent", func(t *testing.T) {
			wantPaywalled(t, ctx, openStory(t, ctx, base, closed), closed, "a registered reader whose meter is spent")
		}},
		{"subscribe page, logged in", func(t *testing.T) {
			openPage(t, ctx, base+"/subscribe", "main .plans")
			do(t, ctx, "wait for the plan's button", chromedp.WaitVisible(button("Subscribe: Monthly")))
		}},
		{"demo checkout page", func(t *testing.T) {
			openPage(t, ctx, fmt.Sprintf("%s/subscribe/demo?plan=%d", base, monthly.ID), "main .demo-banner")
		}},
		{"account page without a subscription", func(t *testing.T) {
			openPage(t, ctx, base+"/account", "#subscription-heading")
		}},
	})

	// The reader subscribes through the demo checkout.
	openPage(t, ctx, fmt.Sprintf("%s/subscribe/demo?plan=%d", base, monthly.ID), "main .demo-banner")
	resp := navigateBy(t, ctx, `click "Start my subscription"`, chromedp.Click(button("Start my subscription")))
	wantPage(t, ctx, resp, http.StatusOK, base+"/account?done=subscribed")
	check([]page{
		{"subscribers-only story, subscriber", func(t *testing.T) {
			wantFullStory(t, ctx, openStory(t, ctx, base, closed), closed, "a subscriber")
			do(t, ctx, "wait for the gift button", chromedp.WaitVisible(button(giftLinkLabel)))
		}},
		{"story with a new gift link", func(t *testing.T) {
			openPage(t, ctx, base+closed.Path, "h1#headline")
			resp := navigateBy(t, ctx, `click "Copy gift link"`, chromedp.Click(button(giftLinkLabel)))
			wantPage(t, ctx, resp, http.StatusOK, base+"/gifts#gift")
			do(t, ctx, "wait for the copy button", chromedp.WaitVisible(chromedp.CSS("main .gift-made button.copy-link")))
		}},
		{"cancel page", func(t *testing.T) {
			openPage(t, ctx, base+"/account/subscription/cancel", "main time")
		}},
		{"account page with a subscription and gifts", func(t *testing.T) {
			openPage(t, ctx, base+"/account?done=subscribed", "#subscription-heading")
			do(t, ctx, "wait for the gift links", chromedp.WaitVisible(chromedp.CSS("main table.gifts")))
		}},
		{"subscribe page, subscriber", func(t *testing.T) { openPage(t, ctx, base+"/subscribe", "main p.notice") }},
	})

	// Someone opens a gift link the subscriber made.
	gctx, gcancel := context.WithTimeout(context.Background(), stepTimeout)
	defer gcancel()
	giftLink, err := site.Billing.GiftLink(gctx, reader, closed.Story)
	if err != nil {
		t.Fatalf("make a gift link to %q: %v", closed.Headline, err)
	}
	resp = navigateBy(t, ctx, "click Log out in the masthead", chromedp.Click(logOutButton))
	wantPage(t, ctx, resp, http.StatusOK, base+"/")
	check([]page{
		{"story opened with a gift link", func(t *testing.T) {
			openPage(t, ctx, giftLink, "h1#headline")
			st := readStory(t, ctx, closed)
			wantFullStory(t, ctx, st, closed, "an anonymous reader with a gift link")
			if st.Meter == nil {
				t.Error("the gifted story does not say that a subscriber shared it")
			}
		}},
	})
}
