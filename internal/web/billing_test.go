package web

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82/webhook"
	"golang.org/x/net/html"

	"dateline/internal/account"
	"dateline/internal/billing"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
	"dateline/internal/story"
)

// verified signs a reader up and confirms the address, as subscribing
// needs; confirming signs the reader in.
func (b *browser) verified(email string) {
	b.t.Helper()
	expect(b.t, b.post("/signup", "email", email, "name", "Reader", "password", goodPassword), http.StatusSeeOther, "/signup/welcome")
	b.confirm(email, "/account?done=confirmed")
}

// paidStory is a subscribers-only demo story, whole.
func (s *accountSite) paidStory(t testing.TB) *story.Story {
	return s.pick(t, func(st *story.Story) bool { return st.Access == story.Subscribers })
}

// paragraphsAfterFirst returns the text of every paragraph of the story
// but the first.
func paragraphsAfterFirst(t *testing.T, st *story.Story) []string {
	doc, err := html.Parse(strings.NewReader(st.BodyHTML))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i, p := range findAll(doc, "p") {
		if i > 0 && len(text(p)) > 20 {
			out = append(out, text(p))
		}
	}
	if len(out) < 2 {
		t.Fatalf("story %q is too short to test the paywall", st.Headline)
	}
	return out
}

func TestPaywallLeaksNothing(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		st := s.paidStory(t)
		check := func(who string, st *story.Story, r result, wantPaywall bool) {
			t.Helper()
			hidden := paragraphsAfterFirst(t, st)
			if r.Code != http.StatusOK {
				t.Fatalf("%s: %d", who, r.Code)
			}
			hasPaywall := len(findAll(r.Doc, "section.paywall")) == 1
			if hasPaywall != wantPaywall {
				t.Fatalf("%s: paywall shown = %v, want %v", who, hasPaywall, wantPaywall)
			}
			body := strings.Join(strings.Fields(html.UnescapeString(r.Body)), " ")
			for _, p := range hidden {
				// Compare on a stretch of words, so markup inside the
				// paragraph does not hide a leak.
				words := strings.Fields(p)
				probe := strings.Join(words[:min(6, len(words))], " ")
				if strings.Contains(body, probe) != !wantPaywall {
					t.Errorf("%s: %q in the response = %v", who, probe, !wantPaywall)
				}
			}
			// The headline, dek, byline and the first paragraph are there.
			if !strings.Contains(text(r.Doc), st.Headline) || len(findAll(r.Doc, "span.dateline")) != 1 || len(findAll(r.Doc, "span.byline")) != 1 {
				t.Errorf("%s: the story's head is missing", who)
			}
		}
		anon := s.browser(t)
		r := anon.get(st.Path())
		check("anonymous", st, r, true)
		if !strings.Contains(text(one(t, r.Doc, "section.paywall")), "€9.00 a month") {
			t.Error("the paywall does not show the plans' prices")
		}
		var ld map[string]any
		json.Unmarshal([]byte(text(one(t, r.Doc, "script[type=application/ld+json]"))), &ld)
		part, _ := ld["hasPart"].(map[string]any)
		if ld["isAccessibleForFree"] != false || part["cssSelector"] != ".story-body" || part["isAccessibleForFree"] != false {
			t.Errorf("JSON-LD does not declare the paywall: %v", ld)
		}

		// A registered reader whose address is not confirmed is asked to
		// confirm it, and the meter does not count the story.
		pending := s.browser(t)
		pending.signUp("pending@example.com", "Pending")
		r = pending.get(st.Path())
		check("unconfirmed reader", st, r, true)
		if wall := text(one(t, r.Doc, "section.paywall")); !strings.Contains(wall, "confirm your email address") {
			t.Errorf("the wall for an unconfirmed reader does not ask to confirm the address: %q", wall)
		}
		if len(findAll(r.Doc, "p.meter-note")) != 0 {
			t.Error("an unconfirmed reader is shown the meter")
		}

		// A confirmed reader uses the meter: 3 stories, then the paywall.
		reader := s.browser(t)
		reader.verified("meter@example.com")
		var paid []*story.Story
		list, _ := s.db.PublishedStories(context.Background(), story.Filter{})
		for _, item := range list {
			if item.Access == story.Subscribers {
				full, _ := s.db.StoryBySlug(context.Background(), item.Slug)
				paid = append(paid, full)
			}
		}
		if len(paid) < 4 {
			t.Fatalf("%d subscriber stories in the demo, want 4 or more", len(paid))
		}
		for i, st := range paid[:3] {
			r := reader.get(st.Path())
			check(fmt.Sprintf("metered read %d", i+1), st, r, false)
			want := fmt.Sprintf("%d of 3 free stories left this month", 2-i)
			if got := text(one(t, r.Doc, "p.meter-note")); !strings.HasPrefix(got, want) {
				t.Errorf("meter note %q, want %q", got, want)
			}
		}
		r = reader.get(paid[3].Path())
		if len(findAll(r.Doc, "section.paywall")) != 1 || !strings.Contains(text(r.Doc), "You have read your 3 free") {
			t.Error("the fourth story is not behind the paywall")
		}
		// Rereading a metered story costs nothing.
		check("reread", paid[0], reader.get(paid[0].Path()), false)
	})
}

func TestSubscribeWithTheDemoProviderAndGiveAStory(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		st := s.paidStory(t)
		b := s.browser(t)
		r := b.get("/subscribe")
		// Anonymous readers see the plans, each with a button that signs
		// them up first.
		if !strings.Contains(text(r.Doc), "€9.00 a month") || len(findAll(r.Doc, "form")) != 0 || len(findAll(r.Doc, "a.plan-button")) == 0 {
			t.Errorf("/subscribe for anonymous readers: %d forms, %d plan buttons", len(findAll(r.Doc, "form")), len(findAll(r.Doc, "a.plan-button")))
		}
		b.signUp("sub@example.com", "Sub")
		// An unconfirmed address cannot subscribe yet.
		r = b.post("/subscribe/checkout", "plan", fmt.Sprint(s.plan.ID))
		if r.Code != http.StatusForbidden || !strings.Contains(text(r.Doc), "confirm your email") {
			t.Fatalf("unconfirmed checkout = %d", r.Code)
		}
		b.post("/logout")
		b.verified("sub2@example.com")
		expect(t, b.post("/subscribe/checkout", "plan", fmt.Sprint(s.plan.ID)), http.StatusSeeOther, fmt.Sprintf("/subscribe/demo?plan=%d", s.plan.ID))
		r = b.get(fmt.Sprintf("/subscribe/demo?plan=%d", s.plan.ID))
		if !strings.Contains(text(r.Doc), "No money is taken") {
			t.Error("the demo checkout does not say it takes no money")
		}
		expect(t, b.post("/subscribe/demo", "plan", fmt.Sprint(s.plan.ID)), http.StatusSeeOther, "/account?done=subscribed")
		r = b.get("/account?done=subscribed")
		if !strings.Contains(text(r.Doc), "Monthly, €9.00 a month") || !strings.Contains(text(r.Doc), "Renews on") {
			t.Errorf("the account page does not show the subscription:\n%s", text(one(t, r.Doc, "main")))
		}
		welcome := s.smtp.WaitForTo(t, "sub2@example.com", 2, 10*time.Second)
		if !strings.Contains(welcome[1].Header("Subject"), "Welcome") {
			t.Errorf("no welcome email: %q", welcome[1].Header("Subject"))
		}
		// A second checkout is refused with a clear message.
		r = b.post("/subscribe/checkout", "plan", fmt.Sprint(s.plan.ID))
		if r.Code != http.StatusConflict || !strings.Contains(text(r.Doc), "already have digital access") {
			t.Errorf("second checkout = %d", r.Code)
		}
		// The whole story, and the gift button.
		r = b.get(st.Path())
		if len(findAll(r.Doc, "section.paywall")) != 0 || len(findAll(r.Doc, "form.gift-form")) != 1 {
			t.Fatal("a subscriber sees the paywall or no gift button")
		}
		if got := text(one(t, one(t, r.Doc, "form.gift-form"), "button")); got != "Copy gift link" {
			t.Errorf("gift button %q", got)
		}
		r = b.post("/gifts", "story", st.Slug)
		link := attr(one(t, r.Doc, "input[id=gift-link]"), "value")
		if !strings.HasPrefix(link, testBase+st.Path()+"?gift=") {
			t.Fatalf("gift link %q", link)
		}
		if text(one(t, one(t, r.Doc, "section.gift-made"), "button.copy-link")) != "Copy" {
			t.Error("the gift link has no copy button")
		}
		// A stranger opens it and reads everything; the page is not indexed
		// and sends no referrer.
		stranger := s.browser(t)
		r = stranger.get(strings.TrimPrefix(link, testBase))
		if len(findAll(r.Doc, "section.paywall")) != 0 || r.Header.Get("Referrer-Policy") != "no-referrer" || len(findAll(r.Doc, "meta[name=robots]")) != 1 {
			t.Errorf("gift page: paywall %d, referrer %q", len(findAll(r.Doc, "section.paywall")), r.Header.Get("Referrer-Policy"))
		}
		// A forged token: the normal paywall and a short note.
		r = stranger.get(st.Path() + "?gift=forged")
		if r.Code != http.StatusOK || len(findAll(r.Doc, "section.paywall")) != 1 || len(findAll(r.Doc, "p.paywall-note")) != 1 {
			t.Errorf("forged gift = %d", r.Code)
		}
		// The account lists the gift with its openings, and can revoke it.
		r = b.get("/account")
		if !strings.Contains(text(one(t, r.Doc, "table.gifts")), "1 time") {
			t.Error("the gift's openings are not listed")
		}
		form := find(r.Doc, func(n *html.Node) bool {
			return n.Data == "form" && strings.HasPrefix(attr(n, "action"), "/account/gifts/")
		})
		expect(t, b.post(attr(form[0], "action")), http.StatusSeeOther, "/account?done=gift")
		if r := stranger.get(strings.TrimPrefix(link, testBase)); len(findAll(r.Doc, "section.paywall")) != 1 {
			t.Error("a revoked gift still opens the story")
		}
		// Cancel (the page that asks before posting here is tested in
		// TestCancellingAsksAndSaysWhenAccessEnds) and resume.
		expect(t, b.post("/account/subscription/cancel"), http.StatusSeeOther, "/account?done=canceled")
		if r := b.get("/account"); !strings.Contains(text(r.Doc), "Cancelled: access ends on") {
			t.Error("the account page does not show the cancellation")
		}
		expect(t, b.post("/account/subscription/resume"), http.StatusSeeOther, "/account?done=resumed")
	})
}

func TestAdminSubscribers(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		reader := s.browser(t)
		reader.signUp("reader@example.com", "Reader")
		if r := reader.get("/admin/subscribers"); r.Code != http.StatusForbidden {
			t.Errorf("a reader at /admin/subscribers: %d", r.Code)
		}
		if _, err := s.accounts.CreateUser(context.Background(), "boss@example.com", "Boss", goodPassword, account.Admin); err != nil {
			t.Fatal(err)
		}
		admin := s.browser(t)
		admin.post("/login", "email", "boss@example.com", "password", goodPassword)
		r := admin.post("/admin/subscribers/complimentary", "email", "reader@example.com", "until", "2026-01-01")
		if _, _, e := fieldState(t, r.Doc, "until"); r.Code != http.StatusUnprocessableEntity || e == "" {
			t.Errorf("a date in the past: %d %q", r.Code, e)
		}
		r = admin.post("/admin/subscribers/complimentary", "email", "nobody@example.com", "until", "2027-01-31")
		if v, _, e := fieldState(t, r.Doc, "email"); e == "" || v != "nobody@example.com" {
			t.Errorf("an unknown reader: %q %q", v, e)
		}
		expect(t, admin.post("/admin/subscribers/complimentary", "email", "reader@example.com", "until", "2027-01-31"),
			http.StatusSeeOther, "/admin/subscribers?q=reader%40example.com")
		r = admin.get("/admin/subscribers?status=active")
		if !strings.Contains(text(r.Doc), "reader@example.com") || !strings.Contains(text(one(t, r.Doc, "ul.counts")), "active: 1") {
			t.Errorf("list:\n%s", text(one(t, r.Doc, "main")))
		}
		if r := admin.get("/admin/subscribers?status=bogus"); r.Code != http.StatusBadRequest {
			t.Errorf("bogus filter = %d", r.Code)
		}
		// The reader now reads everything.
		st := s.paidStory(t)
		if r := reader.get(st.Path()); len(findAll(r.Doc, "section.paywall")) != 0 {
			t.Error("complimentary access does not open the story")
		}
	})
}

func TestStripeWebhookEndpoint(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		post := func(body []byte, sig string) (int, string) {
			req := httptest.NewRequest(http.MethodPost, "/webhooks/stripe", strings.NewReader(string(body)))
			req.Header.Set("Stripe-Signature", sig)
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			return rec.Code, rec.Body.String()
		}
		payload := []byte(`{"id":"evt_1","object":"event","api_version":"2025-04-30.basil","created":` +
			fmt.Sprint(time.Now().Unix()) + `,"type":"ping.unknown","data":{"object":{}}}`)
		signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: testWebhookSecret, Timestamp: time.Now()})
		if code, body := post(payload, signed.Header); code != http.StatusOK || !strings.Contains(body, `"received":true`) {
			t.Errorf("signed event: %d %s", code, body)
		}
		wrong := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: "whsec_other", Timestamp: time.Now()})
		for name, sig := range map[string]string{"wrong secret": wrong.Header, "no signature": ""} {
			code, body := post(payload, sig)
			var e map[string]string
			if code != http.StatusBadRequest || json.Unmarshal([]byte(body), &e) != nil || e["error"] == "" {
				t.Errorf("%s: %d %s, want a 400 JSON error", name, code, body)
			}
		}
	})
}

func TestAdminPlansAndPaywallSettings(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		if _, err := s.accounts.CreateUser(context.Background(), "boss@example.com", "Boss", goodPassword, account.Admin); err != nil {
			t.Fatal(err)
		}
		editor := s.browser(t)
		if _, err := s.accounts.CreateUser(context.Background(), "ed@example.com", "Ed", goodPassword, account.Editor); err != nil {
			t.Fatal(err)
		}
		editor.post("/login", "email", "ed@example.com", "password", goodPassword)
		if r := editor.post("/admin/plans", "name", "Cheap", "price", "1", "currency", "EUR", "period", "month"); r.Code != http.StatusForbidden {
			t.Errorf("an editor created a plan: %d", r.Code)
		}
		admin := s.browser(t)
		admin.post("/login", "email", "boss@example.com", "password", goodPassword)
		r := admin.post("/admin/plans", "name", "Weekend", "price", "nine", "currency", "EURO", "period", "month")
		if v, _, e := fieldState(t, r.Doc, "price"); r.Code != http.StatusUnprocessableEntity || e == "" || v != "nine" {
			t.Errorf("bad price: %d %q %q", r.Code, v, e)
		}
		expect(t, admin.post("/admin/plans", "name", "Weekend", "price", "4.50", "currency", "eur", "period", "month", "trial_days", "7"),
			http.StatusSeeOther, "/admin/plans")
		if r := s.browser(t).get("/subscribe"); !strings.Contains(text(r.Doc), "€4.50 a month") {
			t.Error("the new plan is not on sale")
		}
		expect(t, admin.post(fmt.Sprintf("/admin/plans/%d/retire", s.plan.ID)), http.StatusSeeOther, "/admin/plans")
		if r := s.browser(t).get("/subscribe"); strings.Contains(text(r.Doc), "€9.00 a month") {
			t.Error("a retired plan is still on sale")
		}
		// A checkout for the retired plan is refused with a clear message.
		buyer := s.browser(t)
		buyer.verified("buyer@example.com")
		if r := buyer.post("/subscribe/checkout", "plan", fmt.Sprint(s.plan.ID)); r.Code != http.StatusConflict || !strings.Contains(text(r.Doc), "no longer offered") {
			t.Errorf("retired plan checkout = %d", r.Code)
		}
		// A hard paywall: no metered stories.
		r = admin.post("/admin/plans/settings", "meter_limit", "-1", "gifts_per_month", "10", "grace_days", "7", "gift_days", "14")
		if _, _, e := fieldState(t, r.Doc, "meter_limit"); r.Code != http.StatusUnprocessableEntity || e == "" {
			t.Errorf("negative meter: %d", r.Code)
		}
		expect(t, admin.post("/admin/plans/settings", "meter_limit", "0", "gifts_per_month", "10", "grace_days", "7", "gift_days", "14"),
			http.StatusSeeOther, "/admin/plans?done=settings")
		if r := buyer.get(s.paidStory(t).Path()); len(findAll(r.Doc, "section.paywall")) != 1 {
			t.Error("a meter of 0 does not make a hard paywall")
		}
	})
}

// TestCheckoutOfAPlanNotSetUpForPayment: a plan without a Stripe price is a
// mistake of the site's, not a passing fault. The reader is told so rather
// than asked to try again, and the log has an error for the operator.
func TestCheckoutOfAPlanNotSetUpForPayment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		var logged lockedBuffer
		log := slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		closed := "http://" + l.Addr().String()
		l.Close()
		stripe := billing.NewStripe("sk_test_unused", billing.WithStripeAPIURL(closed), billing.WithStripeRetries(0),
			billing.WithStripeLogger(log))
		s := newAccountSiteWith(t, db, accountSiteOptions{log: log, provider: stripe})
		b := s.browser(t)
		b.verified("reader@example.com")
		r := b.post("/subscribe/checkout", "plan", fmt.Sprint(s.plan.ID))
		if r.Code != http.StatusServiceUnavailable || !strings.Contains(text(r.Doc), "this plan is not set up for payment") {
			t.Errorf("checkout = %d: %q", r.Code, text(r.Doc))
		}
		if strings.Contains(text(r.Doc), "try again in a minute") || r.Header.Get("Retry-After") != "" {
			t.Errorf("the reader is asked to try again: %q (Retry-After %q)", text(r.Doc), r.Header.Get("Retry-After"))
		}
		if !regexp.MustCompile(`level=ERROR msg="checkout: plan not set up for payment".*plan_id=` + fmt.Sprint(s.plan.ID)).MatchString(logged.String()) {
			t.Errorf("no error in the log:\n%s", logged.String())
		}
	})
}
