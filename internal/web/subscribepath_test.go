package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"dateline/internal/billing"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
	"dateline/internal/story"
)

// press submits form as a browser would when its button is pressed: every
// hidden input's value, to the form's action without its fragment.
func (b *browser) press(form *html.Node) result {
	b.t.Helper()
	if attr(form, "method") != "post" {
		b.t.Fatalf("form to %q is not a POST", attr(form, "action"))
	}
	var kv []string
	for _, in := range find(form, func(n *html.Node) bool { return n.Data == "input" && attr(n, "type") == "hidden" }) {
		kv = append(kv, attr(in, "name"), attr(in, "value"))
	}
	action, _, _ := strings.Cut(attr(form, "action"), "#")
	return b.post(action, kv...)
}

// confirmFromMail opens the newest confirmation link emailed to email and
// presses the page's button, returning the answer.
func (b *browser) confirmFromMail(email string) result {
	b.t.Helper()
	msgs := b.s.smtp.WaitForTo(b.t, email, 1, 10*time.Second)
	link := confirmLink.FindStringSubmatch(msgs[len(msgs)-1].Text())
	if link == nil {
		b.t.Fatalf("no confirmation link was emailed to %s", email)
	}
	r := b.get(link[1])
	if r.Code != http.StatusOK {
		b.t.Fatalf("the confirmation link %s = %d", link[1], r.Code)
	}
	forms := findAll(r.Doc, "form[action=/account/confirm]")
	if len(forms) != 1 {
		b.t.Fatalf("the confirmation page has %d forms", len(forms))
	}
	return b.press(forms[0])
}

// nextOf is the next= of a link.
func nextOf(t *testing.T, href string) string {
	t.Helper()
	u, err := url.Parse(href)
	if err != nil {
		t.Fatalf("link %q: %v", href, err)
	}
	return u.Query().Get("next")
}

// mastheadOffersSubscribe reports whether the masthead's account links
// hold Subscribe.
func mastheadOffersSubscribe(t *testing.T, doc *html.Node) bool {
	t.Helper()
	return len(findAll(one(t, doc, "nav.account-links"), "a[href=/subscribe]")) == 1
}

// TestAnonymousReaderSubscribesFromThePaywallAndComesBack follows a reader
// without an account from a subscribers' story: a plan's button on the
// paywall, sign-up with the plan kept, the emailed link, the checkout of
// that plan, paying (demo), and back on the story, whole.
func TestAnonymousReaderSubscribesFromThePaywallAndComesBack(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		st := s.paidStory(t)
		plans, err := s.billing.Plans(t.Context())
		if err != nil || len(plans) < 2 {
			t.Fatalf("plans: %v, %v", plans, err)
		}
		yearly := plans[1]
		b := s.browser(t)
		r := b.get(st.Path())
		wall := one(t, r.Doc, "section.paywall")
		buttons := findAll(wall, "a.plan-button")
		if len(buttons) != len(plans) {
			t.Fatalf("the paywall offers %d plan buttons, want %d", len(buttons), len(plans))
		}
		var chosen string
		for _, a := range buttons {
			if strings.Contains(text(a), yearly.Name) {
				chosen = attr(a, "href")
			}
		}
		wantNext := fmt.Sprintf("/subscribe/checkout?plan=%d&back=%s", yearly.ID, url.QueryEscape(st.Path()))
		if !strings.HasPrefix(chosen, "/signup?") || nextOf(t, chosen) != wantNext {
			t.Fatalf("the %s button leads to %q, want sign-up on the way to %q", yearly.Name, chosen, wantNext)
		}
		// The free account and the log-in lead back to the story too.
		back := 0
		for _, a := range findAll(wall, "a") {
			if h := attr(a, "href"); !hasClass(a, "plan-button") && (strings.HasPrefix(h, "/login?") || strings.HasPrefix(h, "/signup?")) {
				if nextOf(t, h) != st.Path() {
					t.Errorf("paywall link %q does not return to the story", h)
				}
				back++
			}
		}
		if back != 2 {
			t.Errorf("the paywall has %d log-in and sign-up links, want 2", back)
		}

		// Sign-up keeps the plan.
		r = b.get(chosen)
		if got := attr(one(t, one(t, r.Doc, "form[action=/signup]"), "input[name=next]"), "value"); got != wantNext {
			t.Fatalf("the sign-up form carries next=%q, want %q", got, wantNext)
		}
		expect(t, b.post("/signup", "email", "newcomer@example.com", "name", "Newcomer", "password", goodPassword, "next", wantNext),
			http.StatusSeeOther, "/signup/welcome")
		// Confirming the address, from the emailed link, lands in the
		// plan's checkout.
		r = b.confirmFromMail("newcomer@example.com")
		expect(t, r, http.StatusSeeOther, wantNext)
		r = b.get(wantNext)
		if r.Code != http.StatusOK || !strings.Contains(text(r.Doc), yearly.Name) || !strings.Contains(text(r.Doc), "No money is taken") {
			t.Fatalf("the checkout = %d:\n%.600s", r.Code, text(one(t, r.Doc, "main")))
		}
		pay := one(t, r.Doc, "form[action=/subscribe/demo]")
		// Paying returns the reader to the story, now theirs in full.
		expect(t, b.press(pay), http.StatusSeeOther, st.Path())
		r = b.get(st.Path())
		if len(findAll(r.Doc, "section.paywall")) != 0 {
			t.Fatal("the story still shows the paywall after subscribing")
		}
		rest := paragraphsAfterFirst(t, st)
		if !strings.Contains(text(r.Doc), rest[len(rest)-1]) {
			t.Error("the story's last paragraph is not shown to the new subscriber")
		}
		sub, err := s.billing.Subscription(t.Context(), s.userID(t, "newcomer@example.com"))
		if err != nil || sub == nil || sub.PlanID != yearly.ID {
			t.Fatalf("subscription %+v, %v; want the %s plan", sub, err, yearly.Name)
		}
	})
}

// userID is the id of the account with email.
func (s *accountSite) userID(t *testing.T, email string) int64 {
	t.Helper()
	u, err := s.accounts.UserByEmail(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// TestSignUpAndLogInFromTheStoryReturnToIt checks that the paywall's free
// account and log-in, and the confirmation link, bring the reader back to
// the story they came from.
func TestSignUpAndLogInFromTheStoryReturnToIt(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		st := s.paidStory(t)
		b := s.browser(t)
		r := b.get(st.Path())
		signup := find(one(t, r.Doc, "section.paywall"), func(n *html.Node) bool {
			return n.Data == "a" && strings.HasPrefix(attr(n, "href"), "/signup?") && nextOf(t, attr(n, "href")) == st.Path()
		})
		if len(signup) != 1 {
			t.Fatalf("the paywall has %d free-account links back to the story", len(signup))
		}
		expect(t, b.post("/signup", "email", "free@example.com", "name", "Free", "password", goodPassword, "next", st.Path()),
			http.StatusSeeOther, "/signup/welcome")
		expect(t, b.confirmFromMail("free@example.com"), http.StatusSeeOther, st.Path())
		// Back on the story, on the meter now.
		if r := b.get(st.Path()); len(findAll(r.Doc, "section.paywall")) != 0 {
			t.Error("the confirmed reader does not read the story on the meter")
		}
		b.post("/logout")
		expect(t, b.post("/login", "email", "free@example.com", "password", goodPassword, "next", st.Path()), http.StatusSeeOther, st.Path())
		// A next off the site is refused, at sign-up as at log-in.
		b.post("/logout")
		expect(t, b.post("/signup", "email", "evil@example.com", "name", "Evil", "password", goodPassword, "next", "//evil.example/x"),
			http.StatusSeeOther, "/signup/welcome")
		expect(t, b.confirmFromMail("evil@example.com"), http.StatusSeeOther, "/account?done=confirmed")

		// A signed-in reader who has not confirmed asks the paywall for a
		// new link, which brings them back to the story too.
		b.post("/logout")
		b.signUp("late@example.com", "Late")
		r = b.get(st.Path())
		ask := one(t, one(t, r.Doc, "section.paywall"), "form[action=/account/verify]")
		expect(t, b.press(ask), http.StatusSeeOther, "/account?done=verify")
		s.smtp.WaitForTo(t, "late@example.com", 2, 10*time.Second)
		expect(t, b.confirmFromMail("late@example.com"), http.StatusSeeOther, st.Path())
	})
}

// TestSubscribePageHasAButtonOnEveryPlan checks /subscribe for an
// anonymous reader (a link through sign-up to each plan's checkout), a
// signed-in one (a form each), and a site whose subscriptions are closed
// (no working button, and it says so).
func TestSubscribePageHasAButtonOnEveryPlan(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		plans, err := s.billing.Plans(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		b := s.browser(t)
		r := b.get("/subscribe")
		cards := findAll(r.Doc, "li.plan")
		if len(cards) != len(plans) {
			t.Fatalf("%d plans shown, want %d", len(cards), len(plans))
		}
		for i, c := range cards {
			a := one(t, c, "a.plan-button")
			if want := fmt.Sprintf("/subscribe/checkout?plan=%d", plans[i].ID); nextOf(t, attr(a, "href")) != want {
				t.Errorf("plan %s: the button leads to %q, want sign-up on the way to %q", plans[i].Name, attr(a, "href"), want)
			}
		}
		// Anonymous readers who open a checkout are asked to log in, and
		// come back to it.
		expect(t, b.get(fmt.Sprintf("/subscribe/checkout?plan=%d", plans[0].ID)), http.StatusSeeOther,
			"/login?next="+url.QueryEscape(fmt.Sprintf("/subscribe/checkout?plan=%d", plans[0].ID)))

		b.verified("reader@example.com")
		r = b.get("/subscribe")
		for i, c := range findAll(r.Doc, "li.plan") {
			f := one(t, c, "form[action=/subscribe/checkout]")
			if attr(one(t, f, "input[name=plan]"), "value") != fmt.Sprint(plans[i].ID) {
				t.Errorf("plan %s: the form buys another plan", plans[i].Name)
			}
			expect(t, b.press(f), http.StatusSeeOther, fmt.Sprintf("/subscribe/demo?plan=%d", plans[i].ID))
		}
	})
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		s := newAccountSiteWith(t, db, accountSiteOptions{provider: billing.ClosedProvider{}})
		b := s.browser(t)
		r := b.get("/subscribe")
		if len(findAll(r.Doc, "a.plan-button")) != 0 || len(findAll(r.Doc, "li.plan")) == 0 || !strings.Contains(text(r.Doc), "not open yet") {
			t.Errorf("a closed site's /subscribe: %d plan buttons, %d plans", len(findAll(r.Doc, "a.plan-button")), len(findAll(r.Doc, "li.plan")))
		}
		st := s.paidStory(t)
		if r := b.get(st.Path()); len(findAll(r.Doc, "a.plan-button")) != 0 {
			t.Error("a closed site's paywall offers plan buttons")
		}
		b.verified("closed@example.com")
		r = b.get("/subscribe")
		if len(findAll(r.Doc, "form[action=/subscribe/checkout]")) != 0 {
			t.Error("a closed site's /subscribe has checkout forms")
		}
		r = b.get(fmt.Sprintf("/subscribe/checkout?plan=%d", s.plan.ID))
		if r.Code != http.StatusConflict || !strings.Contains(text(r.Doc), "not open yet") || len(findAll(r.Doc, "form[action=/subscribe/checkout]")) != 0 {
			t.Errorf("a closed site's checkout = %d", r.Code)
		}
	})
}

// TestPaywallPlanButtonsForSignedInReaders checks that a signed-in reader
// without access pays from the paywall and comes back to the story.
func TestPaywallPlanButtonsForSignedInReaders(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		if err := s.billing.SaveSettings(t.Context(), hardPaywall(t, s)); err != nil {
			t.Fatal(err)
		}
		st := s.paidStory(t)
		b := s.browser(t)
		b.verified("wall@example.com")
		r := b.get(st.Path())
		forms := findAll(one(t, r.Doc, "section.paywall"), "form[action=/subscribe/checkout]")
		if len(forms) == 0 {
			t.Fatal("the paywall offers a signed-in reader no plan buttons")
		}
		if got := attr(one(t, forms[0], "input[name=back]"), "value"); got != st.Path() {
			t.Fatalf("the plan form returns to %q, want the story", got)
		}
		r = b.press(forms[0])
		expect(t, r, http.StatusSeeOther, "")
		r = b.get(r.Header.Get("Location"))
		expect(t, b.press(one(t, r.Doc, "form[action=/subscribe/demo]")), http.StatusSeeOther, st.Path())
	})
}

// hardPaywall is the site's paywall settings with no free stories.
func hardPaywall(t *testing.T, s *accountSite) billing.Settings {
	t.Helper()
	set, err := s.billing.Settings(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	set.MeterLimit = 0
	return set
}

// TestMastheadSubscribeLink checks that signed-in readers without access
// keep Subscribe in the masthead, and subscribers do not see it, on the
// front page and on a story page that signed-in readers share.
func TestMastheadSubscribeLink(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		free := s.pick(t, func(st *story.Story) bool { return st.Access == story.Free })
		if !mastheadOffersSubscribe(t, s.browser(t).get("/").Doc) {
			t.Error("anonymous readers see no Subscribe in the masthead")
		}
		sub := s.browser(t)
		sub.verified("paid@example.com")
		expect(t, sub.post("/subscribe/demo", "plan", fmt.Sprint(s.plan.ID)), http.StatusSeeOther, "/account?done=subscribed")
		reader := s.browser(t)
		reader.ip = "192.0.2.2"
		reader.verified("unpaid@example.com")
		for _, path := range []string{"/", free.Path(), free.Path()} {
			if mastheadOffersSubscribe(t, sub.get(path).Doc) {
				t.Errorf("%s: a subscriber is offered Subscribe", path)
			}
			if !mastheadOffersSubscribe(t, reader.get(path).Doc) {
				t.Errorf("%s: a signed-in reader without access has no Subscribe", path)
			}
		}
	})
}

// TestCancellingAsksAndSaysWhenAccessEnds checks that the account page's
// Cancel opens a page that asks, with the day access ends, and that only
// its button cancels.
func TestCancellingAsksAndSaysWhenAccessEnds(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		b := s.browser(t)
		b.verified("leaving@example.com")
		expect(t, b.post("/subscribe/demo", "plan", fmt.Sprint(s.plan.ID)), http.StatusSeeOther, "/account?done=subscribed")
		r := b.get("/account")
		if len(findAll(r.Doc, "form[action=/account/subscription/cancel]")) != 0 {
			t.Error("the account page cancels without asking")
		}
		a := one(t, r.Doc, "a[href=/account/subscription/cancel]")
		r = b.get(attr(a, "href"))
		if r.Code != http.StatusOK {
			t.Fatalf("the cancel page = %d", r.Code)
		}
		sub, err := s.billing.Subscription(t.Context(), s.userID(t, "leaving@example.com"))
		if err != nil {
			t.Fatal(err)
		}
		if sub.Status != billing.Active {
			t.Fatalf("opening the cancel page changed the subscription to %s", sub.Status)
		}
		ends := one(t, one(t, r.Doc, "main"), "time")
		if attr(ends, "datetime") != sub.PeriodEnd.UTC().Format(time.RFC3339) || text(ends) == "" {
			t.Errorf("the cancel page says access ends %q (%s), want %s", text(ends), attr(ends, "datetime"), sub.PeriodEnd)
		}
		expect(t, b.press(one(t, r.Doc, "form[action=/account/subscription/cancel]")), http.StatusSeeOther, "/account?done=canceled")
		if sub, err = s.billing.Subscription(t.Context(), sub.UserID); err != nil || sub.Status != billing.Canceled {
			t.Fatalf("after confirming: %v, %v", sub, err)
		}
		// Nothing left to cancel: the page sends the reader to the account.
		expect(t, b.get("/account/subscription/cancel"), http.StatusSeeOther, "/account")
	})
}

// TestGiftLinkShownAfterOnePress checks that the story's gift button
// makes the link and shows it on the story page, ready to copy.
func TestGiftLinkShownAfterOnePress(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		st := s.paidStory(t)
		b := s.browser(t)
		b.verified("giver@example.com")
		expect(t, b.post("/subscribe/demo", "plan", fmt.Sprint(s.plan.ID)), http.StatusSeeOther, "/account?done=subscribed")
		r := b.get(st.Path())
		r = b.press(one(t, r.Doc, "form.gift-form"))
		if r.Code != http.StatusOK || !strings.Contains(r.Header.Get("Cache-Control"), "no-store") || r.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Fatalf("POST /gifts = %d, Cache-Control %q, Referrer-Policy %q", r.Code, r.Header.Get("Cache-Control"), r.Header.Get("Referrer-Policy"))
		}
		if text(one(t, r.Doc, "h1")) != st.Headline || len(findAll(r.Doc, "form.gift-form")) != 0 {
			t.Error("the gift link is not shown on the story page, in place of the button")
		}
		box := one(t, r.Doc, "section.gift-made")
		in := one(t, box, "input[id=gift-link]")
		link := attr(in, "value")
		share := one(t, box, "div.share")
		if !hasAttr(in, "readonly") || !strings.HasPrefix(link, testBase+st.Path()+"?gift=") || attr(share, "data-url") != link {
			t.Fatalf("gift link field %q (readonly %v)", link, hasAttr(in, "readonly"))
		}
		// Shown without the script too; the script copies it at once.
		if !hasClass(in.Parent, "shown") || !hasAttr(share, "data-copy") {
			t.Error("the gift link is hidden until the script runs, or is not copied at once")
		}
		if text(one(t, box, "button.copy-link")) != "Copy" || one(t, box, "label[for=gift-link]") == nil {
			t.Error("the gift link has no Copy button or no label")
		}
		if r := s.browser(t).get(strings.TrimPrefix(link, testBase)); len(findAll(r.Doc, "section.paywall")) != 0 {
			t.Error("the gift link shown does not open the story")
		}
	})
}
