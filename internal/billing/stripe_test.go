package billing_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"

	"github.com/stripe/stripe-go/v82/webhook"

	"dateline/internal/account"
	"dateline/internal/billing"
	"dateline/internal/mail"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

// These tests run the real store (SQLite and PostgreSQL), real stripe-go
// signing and verification, and events shaped as Stripe sends them. The
// one stand-in is an httptest server in place of Stripe's API, which
// cannot be reached from here.

const (
	whSecret  = "whsec_dateline_test_secret"
	secretKey = "sk_test_51DatelineSecretKeyThatMustNeverAppearInErrors"
	priceID   = "price_1RfDigitalMonthly"
	subID     = "sub_1RfXyZ2eZvKYlo2C"
	custID    = "cus_Sb2Fq0nGz9xQ1r"
	basil     = "2025-03-31.basil"
	legacyAPI = "2020-08-27" // before current_period_end moved to items
)

// stripeEnv is a billing service with the Stripe provider over a real
// database, one verified reader, one plan, and a clock the test moves.
type stripeEnv struct {
	t     *testing.T
	db    *store.Store
	svc   *billing.Service
	hook  *billing.Webhook
	now   time.Time
	woken int
	user  *account.User
	plan  *billing.Plan
}

// t0 is when the tests' events happen, near "now" on the service's clock.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func newStripeEnv(t *testing.T, db *store.Store, opts ...billing.StripeOption) *stripeEnv {
	t.Helper()
	e := &stripeEnv{t: t, db: db, now: t0}
	db.Now = func() time.Time { return e.now }
	composer, err := mail.NewComposer("Dateline", "https://news.example", "Dateline <news@news.example>")
	if err != nil {
		t.Fatal(err)
	}
	if len(opts) == 0 {
		opts = []billing.StripeOption{billing.WithStripeAPIURL(closedURL(t)), billing.WithStripeRetries(0)}
	}
	opts = append([]billing.StripeOption{billing.WithStripeLogger(slog.New(slog.DiscardHandler))}, opts...)
	e.svc = billing.New(billing.Options{Store: db, Provider: billing.NewStripe(secretKey, opts...), Composer: composer,
		BaseURL: "https://news.example", Now: func() time.Time { return e.now }, MailSent: func() { e.woken++ },
		Log: slog.New(slog.DiscardHandler)})
	e.hook = billing.NewWebhook(e.svc, whSecret)
	e.user = &account.User{Email: "ann@example.com", DisplayName: "Ann Reader", PasswordHash: "x", Role: account.Reader,
		EmailVerifiedAt: t0.Add(-time.Hour), CreatedAt: t0.Add(-time.Hour), UpdatedAt: t0.Add(-time.Hour)}
	if err := db.CreateUser(t.Context(), e.user, nil, nil); err != nil {
		t.Fatal(err)
	}
	e.plan = &billing.Plan{Name: "Digital", PriceMinor: 900, Currency: "EUR", Period: billing.Monthly, Active: true,
		StripePriceID: priceID, CreatedAt: t0.Add(-time.Hour)}
	if err := db.CreatePlan(t.Context(), e.plan); err != nil {
		t.Fatal(err)
	}
	return e
}

// closedURL is the address of a port nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// event is a Stripe event as delivered to a webhook endpoint.
func event(t *testing.T, id, typ, apiVersion string, created time.Time, object map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"id": id, "object": "event", "api_version": apiVersion, "created": created.Unix(),
		"livemode": false, "pending_webhooks": 1,
		"request": map[string]any{"id": nil, "idempotency_key": nil},
		"type":    typ,
		"data":    map[string]any{"object": object},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// subscription is a Subscription object in the shape of API version
// 2025-03-31.basil: the current period is only on its items.
func (e *stripeEnv) subscription(status string, periodEnd time.Time) map[string]any {
	return map[string]any{
		"id": subID, "object": "subscription", "customer": custID, "status": status,
		"cancel_at_period_end": false, "cancel_at": nil, "canceled_at": nil, "ended_at": nil,
		"trial_start": nil, "trial_end": nil, "livemode": false, "currency": "eur",
		"metadata": map[string]any{"user_id": strconv.FormatInt(e.user.ID, 10), "plan_id": strconv.FormatInt(e.plan.ID, 10)},
		"items": map[string]any{"object": "list", "has_more": false, "data": []any{map[string]any{
			"id": "si_Sb2FbT6o0gqJ2k", "object": "subscription_item", "quantity": 1, "subscription": subID,
			"current_period_start": periodEnd.AddDate(0, -1, 0).Unix(), "current_period_end": periodEnd.Unix(),
			"price": map[string]any{"id": priceID, "object": "price", "unit_amount": 900, "currency": "eur"},
		}}},
	}
}

// legacy moves a subscription object back to the shape of older API
// versions: the current period on the subscription, not on its items.
func legacy(sub map[string]any) map[string]any {
	item := sub["items"].(map[string]any)["data"].([]any)[0].(map[string]any)
	sub["current_period_start"], sub["current_period_end"] = item["current_period_start"], item["current_period_end"]
	delete(item, "current_period_start")
	delete(item, "current_period_end")
	return sub
}

// invoice is an Invoice for the subscription, in either version's shape.
func invoice(apiVersion string) map[string]any {
	inv := map[string]any{"id": "in_1RfXz02eZvKYlo2C", "object": "invoice", "customer": custID,
		"status": "open", "amount_due": 900, "attempt_count": 1, "billing_reason": "subscription_cycle"}
	if apiVersion == basil {
		inv["parent"] = map[string]any{"type": "subscription_details", "quote_details": nil,
			"subscription_details": map[string]any{"metadata": map[string]any{}, "subscription": subID}}
	} else {
		inv["subscription"] = subID
	}
	return inv
}

// checkoutSession is a completed Checkout Session for the reader.
func (e *stripeEnv) checkoutSession() map[string]any {
	return map[string]any{
		"id": "cs_test_a1B2c3", "object": "checkout.session", "mode": "subscription", "status": "complete",
		"payment_status": "paid", "customer": custID, "subscription": subID,
		"client_reference_id": strconv.FormatInt(e.user.ID, 10),
		"metadata":            map[string]any{"user_id": strconv.FormatInt(e.user.ID, 10), "plan_id": strconv.FormatInt(e.plan.ID, 10)},
	}
}

// deliver signs payload as Stripe does, now, and hands it to the webhook.
func (e *stripeEnv) deliver(payload []byte) error {
	e.t.Helper()
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: whSecret, Timestamp: time.Now()})
	return e.hook.Handle(e.t.Context(), signed.Payload, signed.Header)
}

// mustDeliver delivers an event that must be accepted.
func (e *stripeEnv) mustDeliver(payload []byte) {
	e.t.Helper()
	if err := e.deliver(payload); err != nil {
		e.t.Fatalf("deliver: %v", err)
	}
}

// sub is the reader's subscription row; nil when there is none.
func (e *stripeEnv) sub() *billing.Subscription {
	e.t.Helper()
	s, err := e.db.SubscriptionByUser(e.t.Context(), e.user.ID)
	if errors.Is(err, billing.ErrNotFound) {
		return nil
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// access is whether the reader may read subscriber stories at at.
func (e *stripeEnv) access(at time.Time) bool {
	e.t.Helper()
	e.now = at
	ok, _, err := e.svc.HasAccess(e.t.Context(), e.user)
	if err != nil {
		e.t.Fatal(err)
	}
	return ok
}

// mails lists the queued emails whose subject contains subject.
func (e *stripeEnv) mails(subject string) []mail.Message {
	e.t.Helper()
	all, err := e.db.RecentMail(e.t.Context(), 100)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []mail.Message
	for _, m := range all {
		if strings.Contains(m.Subject, subject) {
			out = append(out, m)
		}
	}
	return out
}

// count runs a COUNT(*) query.
func (e *stripeEnv) count(table string) int {
	e.t.Helper()
	var n int
	storetest.RawOf(e.t, e.db).QueryRow(e.t, `SELECT COUNT(*) FROM `+table, &n)
	return n
}

// The subjects of the three billing emails.
const (
	welcomeSubject  = "Welcome to Dateline"
	failedSubject   = "payment did not go through"
	canceledSubject = "subscription has been cancelled"
)

func TestStripeWebhookRejectsWhatStripeDidNotSend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		e := newStripeEnv(t, db)
		good := event(t, "evt_1", "customer.subscription.created", basil, t0, e.subscription("active", t0.AddDate(0, 1, 0)))
		sign := func(payload []byte, secret string, at time.Time) string {
			return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: at}).Header
		}
		cases := []struct {
			name      string
			hook      *billing.Webhook
			payload   []byte
			signature string
		}{
			{"signed with another secret", e.hook, good, sign(good, "whsec_someone_else", time.Now())},
			{"no signature", e.hook, good, ""},
			{"garbled signature header", e.hook, good, "t=abc,v1=zz"},
			{"body changed after signing", e.hook, bytes.Replace(good, []byte(`"active"`), []byte(`"trialing"`), 1),
				sign(good, whSecret, time.Now())},
			{"signed ten minutes ago", e.hook, good, sign(good, whSecret, time.Now().Add(-10*time.Minute))},
			{"malformed JSON, signed", e.hook, []byte(`{"id": "evt_2", "type": "customer.subscription.created", `),
				sign([]byte(`{"id": "evt_2", "type": "customer.subscription.created", `), whSecret, time.Now())},
			{"not an event, signed", e.hook, []byte(`["evt_3"]`), sign([]byte(`["evt_3"]`), whSecret, time.Now())},
			{"subscription object malformed, signed", e.hook,
				event(t, "evt_4", "customer.subscription.created", basil, t0, map[string]any{"id": subID, "status": 7}),
				sign(event(t, "evt_4", "customer.subscription.created", basil, t0, map[string]any{"id": subID, "status": 7}), whSecret, time.Now())},
			{"no signing secret configured", billing.NewWebhook(e.svc, ""), good, sign(good, "", time.Now())},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				err := c.hook.Handle(t.Context(), c.payload, c.signature)
				if !errors.Is(err, billing.ErrBadWebhook) {
					t.Fatalf("err = %v, want ErrBadWebhook", err)
				}
				if s := e.sub(); s != nil {
					t.Errorf("a subscription was written: %+v", s)
				}
				if n := e.count("stripe_events"); n != 0 {
					t.Errorf("%d events recorded, want 0", n)
				}
				if n := e.count("outbox"); n != 0 {
					t.Errorf("%d emails queued, want 0", n)
				}
			})
		}
		// The same event, signed as Stripe signs it, is accepted: the
		// cases above failed for the reason they name.
		e.mustDeliver(good)
		if s := e.sub(); s == nil || s.Status != billing.Active {
			t.Fatalf("after a genuine delivery: %+v", s)
		}
	})
}

func TestStripeWebhookAcceptsOtherAPIVersions(t *testing.T) {
	// Stripe sends events in the account's API version, which need not be
	// stripe-go's; the webhook reads its few fields in every shape.
	cases := []struct {
		name, version string
		shape         func(map[string]any) map[string]any
	}{
		{"2020-08-27, period on the subscription", legacyAPI, legacy},
		{"2024-06-20, period on the subscription", "2024-06-20", legacy},
		{"basil, period only on items", basil, func(m map[string]any) map[string]any { return m }},
		{"clover, period only on items", "2025-09-30.clover", func(m map[string]any) map[string]any { return m }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.Store) {
				e := newStripeEnv(t, db)
				end := t0.AddDate(0, 1, 0)
				e.mustDeliver(event(t, "evt_1", "customer.subscription.created", c.version, t0, c.shape(e.subscription("active", end))))
				s := e.sub()
				if s == nil || s.Status != billing.Active || !s.PeriodEnd.Equal(end) || s.ProviderRef != subID ||
					s.CustomerRef != custID || s.PlanID != e.plan.ID || s.Provider != billing.Stripe {
					t.Fatalf("subscription = %+v", s)
				}
				// And the invoice in the same version's shape.
				e.mustDeliver(event(t, "evt_2", "invoice.payment_failed", c.version, t0.Add(time.Hour), invoice(c.version)))
				if s := e.sub(); s.Status != billing.PastDue || !s.PastDueSince.Equal(t0.Add(time.Hour)) {
					t.Fatalf("after the failed payment: %+v", s)
				}
			})
		})
	}
}

func TestStripeWebhookBasilFixture(t *testing.T) {
	// A complete event as Stripe sends it in API version basil, where the
	// current period is only on the subscription's items.
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		e := newStripeEnv(t, db)
		tmpl := template.Must(template.ParseFiles("testdata/subscription_updated_basil.json"))
		end := t0.AddDate(0, 1, 0)
		var buf bytes.Buffer
		err := tmpl.Execute(&buf, map[string]any{"EventID": "evt_1RfY0a2eZvKYlo2CqWeRtYuI", "Created": t0.Unix(),
			"SubscriptionID": subID, "PeriodStart": t0.Unix(), "PeriodEnd": end.Unix(), "PriceID": priceID,
			"PlanID": e.plan.ID, "UserID": e.user.ID})
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(buf.Bytes()) {
			t.Fatal("the fixture is not valid JSON")
		}
		e.mustDeliver(buf.Bytes())
		s := e.sub()
		if s == nil || s.Status != billing.Active || !s.PeriodEnd.Equal(end) || s.CustomerRef != custID || s.PlanID != e.plan.ID {
			t.Fatalf("subscription = %+v", s)
		}
		if n := len(e.mails(welcomeSubject)); n != 1 {
			t.Errorf("%d welcome emails, want 1", n)
		}
	})
}

func TestStripeWebhookReplayChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		e := newStripeEnv(t, db)
		created := event(t, "evt_1", "customer.subscription.created", basil, t0, e.subscription("active", t0.AddDate(0, 1, 0)))
		e.mustDeliver(created)
		first := e.sub()
		welcome := e.mails(welcomeSubject)
		if len(welcome) != 1 || welcome[0].To != e.user.Email || e.woken != 1 {
			t.Fatalf("welcome emails = %d, woken %d", len(welcome), e.woken)
		}
		for _, want := range []string{"Digital", "€9.00 a month", "https://news.example/account", "Ann Reader"} {
			if !strings.Contains(welcome[0].Text, want) {
				t.Errorf("welcome email lacks %q:\n%s", want, welcome[0].Text)
			}
		}

		// Stripe delivers again (signed anew), later.
		e.now = t0.Add(time.Hour)
		e.mustDeliver(created)
		e.mustDeliver(created)
		again := e.sub()
		if !again.UpdatedAt.Equal(first.UpdatedAt) || again.Status != first.Status || !again.ProviderEventAt.Equal(first.ProviderEventAt) {
			t.Errorf("a replay changed the subscription: %+v, was %+v", again, first)
		}
		if n := len(e.mails(welcomeSubject)); n != 1 || e.woken != 1 {
			t.Errorf("after replays: %d welcome emails, woken %d; want 1, 1", n, e.woken)
		}
		if n := e.count("stripe_events"); n != 1 {
			t.Errorf("%d events recorded, want 1", n)
		}
	})
}

func TestStripeWebhookOutOfOrder(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T, e *stripeEnv)
	}{
		{"subscription active before checkout completed", func(t *testing.T, e *stripeEnv) {
			sub := e.subscription("active", t0.AddDate(0, 1, 0))
			delete(sub, "customer")
			e.mustDeliver(event(t, "evt_1", "customer.subscription.updated", basil, t0.Add(2*time.Second), sub))
			e.mustDeliver(event(t, "evt_2", "checkout.session.completed", basil, t0.Add(time.Second), e.checkoutSession()))
			s := e.sub()
			if s.Status != billing.Active || s.ProviderRef != subID || s.CustomerRef != custID || s.PlanID != e.plan.ID {
				t.Fatalf("subscription = %+v", s)
			}
			if !e.access(t0.Add(time.Minute)) {
				t.Error("no access")
			}
			if n := len(e.mails(welcomeSubject)); n != 1 {
				t.Errorf("%d welcome emails, want 1", n)
			}
		}},
		{"checkout completed before subscription active", func(t *testing.T, e *stripeEnv) {
			// Stripe created the subscription a second before the session
			// completed, but delivered the session first.
			e.mustDeliver(event(t, "evt_2", "checkout.session.completed", basil, t0.Add(time.Second), e.checkoutSession()))
			s := e.sub()
			if s.Status != billing.Incomplete || s.ProviderRef != subID || s.CustomerRef != custID {
				t.Fatalf("after checkout: %+v", s)
			}
			if e.access(t0.Add(time.Minute)) {
				t.Error("checkout alone gave access")
			}
			if n := len(e.mails(welcomeSubject)); n != 0 {
				t.Errorf("%d welcome emails before payment", n)
			}
			e.mustDeliver(event(t, "evt_1", "customer.subscription.created", basil, t0, e.subscription("active", t0.AddDate(0, 1, 0))))
			if s := e.sub(); s.Status != billing.Active || !e.access(t0.Add(time.Minute)) {
				t.Fatalf("after the subscription: %+v", s)
			}
			if n := len(e.mails(welcomeSubject)); n != 1 {
				t.Errorf("%d welcome emails, want 1", n)
			}
		}},
		{"older incomplete after newer active", func(t *testing.T, e *stripeEnv) {
			e.mustDeliver(event(t, "evt_2", "customer.subscription.updated", basil, t0.Add(5*time.Second), e.subscription("active", t0.AddDate(0, 1, 0))))
			e.mustDeliver(event(t, "evt_1", "customer.subscription.created", basil, t0, e.subscription("incomplete", t0.AddDate(0, 1, 0))))
			s := e.sub()
			if s.Status != billing.Active || !s.ProviderEventAt.Equal(t0.Add(5*time.Second)) {
				t.Fatalf("the older event undid the newer: %+v", s)
			}
			if n := e.count("stripe_events"); n != 2 {
				t.Errorf("%d events recorded, want 2", n)
			}
		}},
		{"older active after deletion", func(t *testing.T, e *stripeEnv) {
			e.mustDeliver(event(t, "evt_3", "customer.subscription.deleted", basil, t0.Add(time.Hour), e.subscription("canceled", t0.AddDate(0, 1, 0))))
			e.mustDeliver(event(t, "evt_1", "customer.subscription.updated", basil, t0, e.subscription("active", t0.AddDate(0, 1, 0))))
			if s := e.sub(); s.Status != billing.Expired || e.access(t0.Add(2*time.Hour)) {
				t.Fatalf("the older event revived a deleted subscription: %+v", s)
			}
			if n := len(e.mails(welcomeSubject)); n != 0 {
				t.Errorf("%d welcome emails for a deleted subscription", n)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.Store) { c.run(t, newStripeEnv(t, db)) })
		})
	}
}

func TestStripeWebhookPaymentFailureAndRecovery(t *testing.T) {
	for _, version := range []string{legacyAPI, basil} {
		t.Run(version, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.Store) {
				e := newStripeEnv(t, db)
				shape := func(m map[string]any) map[string]any { return m }
				if version == legacyAPI {
					shape = legacy
				}
				end := t0.AddDate(0, 1, 0)
				e.mustDeliver(event(t, "evt_1", "customer.subscription.created", version, t0, shape(e.subscription("active", end))))

				failedAt := end.Add(time.Hour)
				e.now = failedAt.Add(time.Minute)
				e.mustDeliver(event(t, "evt_2", "invoice.payment_failed", version, failedAt, invoice(version)))
				s := e.sub()
				if s.Status != billing.PastDue || !s.PastDueSince.Equal(failedAt) {
					t.Fatalf("after the failed payment: %+v", s)
				}
				// Stripe's own subscription update, same second: nothing moves.
				e.mustDeliver(event(t, "evt_3", "customer.subscription.updated", version, failedAt, shape(e.subscription("past_due", end))))
				if s := e.sub(); s.Status != billing.PastDue || !s.PastDueSince.Equal(failedAt) {
					t.Fatalf("after the past_due update: %+v", s)
				}

				failed := e.mails(failedSubject)
				graceEnds := failedAt.Add(7 * 24 * time.Hour).Format("2 January 2006")
				if len(failed) != 1 || !strings.Contains(failed[0].Text, graceEnds) {
					t.Fatalf("payment-failed emails = %d, want 1 naming %s", len(failed), graceEnds)
				}

				// Stripe retries the card three days later, and fails again:
				// the grace period still counts from the first failure.
				retryAt := failedAt.Add(3 * 24 * time.Hour)
				e.now = retryAt
				e.mustDeliver(event(t, "evt_5", "invoice.payment_failed", version, retryAt, invoice(version)))
				e.mustDeliver(event(t, "evt_6", "customer.subscription.updated", version, retryAt, shape(e.subscription("past_due", end))))
				if s := e.sub(); s.Status != billing.PastDue || !s.PastDueSince.Equal(failedAt) {
					t.Fatalf("after the retry: %+v", s)
				}
				failed = e.mails(failedSubject)
				if len(failed) != 2 || !strings.Contains(failed[0].Text, graceEnds) {
					t.Fatalf("payment-failed emails = %d, want 2, the newest naming %s", len(failed), graceEnds)
				}
				if !e.access(failedAt.Add(6 * 24 * time.Hour)) {
					t.Error("no access six days into the seven-day grace period")
				}
				if e.access(failedAt.Add(8 * 24 * time.Hour)) {
					t.Error("access eight days after a failed payment, past a seven-day grace")
				}

				// The card is mended and the retry succeeds.
				paidAt := failedAt.Add(4 * 24 * time.Hour)
				e.now = paidAt
				e.mustDeliver(event(t, "evt_4", "customer.subscription.updated", version, paidAt, shape(e.subscription("active", paidAt.AddDate(0, 1, 0)))))
				s = e.sub()
				if s.Status != billing.Active || !s.PastDueSince.IsZero() || !s.PeriodEnd.Equal(paidAt.AddDate(0, 1, 0)) {
					t.Fatalf("after recovery: %+v", s)
				}
				if !e.access(paidAt.Add(20 * 24 * time.Hour)) {
					t.Error("no access after recovery")
				}
				if n := len(e.mails(welcomeSubject)); n != 1 {
					t.Errorf("%d welcome emails, want 1 (none for recovery)", n)
				}
			})
		})
	}
}

func TestStripeWebhookFailedFirstPaymentGivesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		e := newStripeEnv(t, db)
		e.mustDeliver(event(t, "evt_1", "checkout.session.completed", basil, t0, e.checkoutSession()))
		e.mustDeliver(event(t, "evt_2", "invoice.payment_failed", basil, t0.Add(time.Second), invoice(basil)))
		if s := e.sub(); s.Status != billing.Incomplete || e.access(t0.Add(time.Minute)) {
			t.Fatalf("a failed first payment gave access: %+v", s)
		}
		if n := len(e.mails(failedSubject)); n != 0 {
			t.Errorf("%d payment-failed emails, want 0", n)
		}
	})
}

func TestStripeWebhookCancelAtPeriodEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		e := newStripeEnv(t, db)
		end := t0.AddDate(0, 1, 0)
		e.mustDeliver(event(t, "evt_1", "customer.subscription.created", basil, t0, e.subscription("active", end)))

		e.now = t0.Add(24 * time.Hour)
		sub := e.subscription("active", end)
		sub["cancel_at_period_end"], sub["cancel_at"], sub["canceled_at"] = true, end.Unix(), e.now.Unix()
		e.mustDeliver(event(t, "evt_2", "customer.subscription.updated", basil, e.now, sub))
		s := e.sub()
		if s.Status != billing.Canceled || !s.PeriodEnd.Equal(end) {
			t.Fatalf("after cancelling: %+v", s)
		}
		canceled := e.mails(canceledSubject)
		if len(canceled) != 1 || !strings.Contains(canceled[0].Text, end.Format("2 January 2006")) {
			t.Fatalf("cancellation emails = %d, want 1 naming %s", len(canceled), end.Format("2 January 2006"))
		}
		if !e.access(end.Add(-time.Hour)) {
			t.Error("no access before the paid period ends")
		}
		if e.access(end.Add(time.Hour)) {
			t.Error("access after the paid period of a cancelled subscription")
		}

		// Stripe ends it at the period's end.
		e.mustDeliver(event(t, "evt_3", "customer.subscription.deleted", basil, end, e.subscription("canceled", end)))
		if s := e.sub(); s.Status != billing.Expired {
			t.Fatalf("after deletion: %+v", s)
		}
		if n := len(e.mails(canceledSubject)); n != 1 {
			t.Errorf("%d cancellation emails, want 1", n)
		}
	})
}

func TestStripeWebhookDeletedEndsAccess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		e := newStripeEnv(t, db)
		end := t0.AddDate(0, 1, 0)
		e.mustDeliver(event(t, "evt_1", "customer.subscription.created", basil, t0, e.subscription("active", end)))
		e.mustDeliver(event(t, "evt_2", "customer.subscription.deleted", basil, t0.Add(time.Hour), e.subscription("canceled", end)))
		if s := e.sub(); s.Status != billing.Expired || e.access(t0.Add(2*time.Hour)) {
			t.Fatalf("after deletion: %+v", s)
		}
	})
}

func TestStripeWebhookTrialThenPaid(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		e := newStripeEnv(t, db)
		trialEnd := t0.AddDate(0, 0, 14)
		sub := e.subscription("trialing", trialEnd)
		sub["trial_start"], sub["trial_end"] = t0.Unix(), trialEnd.Unix()
		e.mustDeliver(event(t, "evt_1", "customer.subscription.created", basil, t0, sub))
		if s := e.sub(); s.Status != billing.Trialing || !s.PeriodEnd.Equal(trialEnd) || !e.access(t0.Add(time.Hour)) {
			t.Fatalf("trial: %+v", s)
		}
		e.mustDeliver(event(t, "evt_2", "customer.subscription.updated", basil, trialEnd, e.subscription("active", trialEnd.AddDate(0, 1, 0))))
		if s := e.sub(); s.Status != billing.Active {
			t.Fatalf("after the trial: %+v", s)
		}
		if n := len(e.mails(welcomeSubject)); n != 1 {
			t.Errorf("%d welcome emails, want 1", n)
		}
	})
}

func TestStripeWebhookReplacesComplimentaryAccess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		e := newStripeEnv(t, db)
		if err := e.svc.GrantComplimentary(t.Context(), e.user.ID, t0.AddDate(0, 0, 10)); err != nil {
			t.Fatal(err)
		}
		// An unpaid subscription does not take the place of access the
		// reader has.
		e.mustDeliver(event(t, "evt_1", "customer.subscription.created", basil, t0, e.subscription("incomplete", t0.AddDate(0, 1, 0))))
		if s := e.sub(); s.Provider != billing.Complimentary || s.Status != billing.Active {
			t.Fatalf("an incomplete subscription replaced complimentary access: %+v", s)
		}
		// A paid one does.
		e.mustDeliver(event(t, "evt_2", "customer.subscription.updated", basil, t0.Add(time.Minute), e.subscription("active", t0.AddDate(0, 1, 0))))
		s := e.sub()
		if s.Provider != billing.Stripe || s.Status != billing.Active || s.ProviderRef != subID || s.PlanID != e.plan.ID {
			t.Fatalf("after payment: %+v", s)
		}
		if !e.access(t0.AddDate(0, 0, 20)) {
			t.Error("no access after the complimentary period, though paid")
		}
	})
}

func TestStripeWebhookIgnoresWhatItCannotPlace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		e := newStripeEnv(t, db)
		unknownUser := e.subscription("active", t0.AddDate(0, 1, 0))
		unknownUser["metadata"] = map[string]any{"user_id": "999999"}
		noUser := e.subscription("active", t0.AddDate(0, 1, 0))
		noUser["metadata"] = map[string]any{}
		odd := e.subscription("some_future_status", t0.AddDate(0, 1, 0))
		events := [][]byte{
			event(t, "evt_1", "customer.created", basil, t0, map[string]any{"id": custID, "object": "customer"}),
			event(t, "evt_2", "invoice.paid", basil, t0, invoice(basil)),
			event(t, "evt_3", "customer.subscription.created", basil, t0, unknownUser),
			event(t, "evt_4", "customer.subscription.created", basil, t0, noUser),
			event(t, "evt_5", "customer.subscription.created", basil, t0, odd),
			event(t, "evt_6", "invoice.payment_failed", basil, t0, invoice(basil)),
		}
		for i, ev := range events {
			if err := e.deliver(ev); err != nil {
				t.Errorf("event %d: %v", i+1, err)
			}
		}
		if s := e.sub(); s != nil {
			t.Errorf("a subscription was written: %+v", s)
		}
		if n := e.count("subscriptions"); n != 0 {
			t.Errorf("%d subscriptions, want 0", n)
		}
		if n := e.count("stripe_events"); n != len(events) {
			t.Errorf("%d events recorded, want %d", n, len(events))
		}
		if n := e.count("outbox"); n != 0 {
			t.Errorf("%d emails queued, want 0", n)
		}
	})
}

// fakeStripeAPI stands in for Stripe's API (which cannot be reached from
// here) and records what stripe-go sent.
type fakeStripeAPI struct {
	mu       sync.Mutex
	requests []recordedRequest
	status   int    // 200 unless set
	body     string // the JSON answer
}

type recordedRequest struct {
	method, path, auth string
	form               url.Values
}

func (f *fakeStripeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	f.mu.Lock()
	f.requests = append(f.requests, recordedRequest{r.Method, r.URL.Path, r.Header.Get("Authorization"), form})
	status, answer := f.status, f.body
	f.mu.Unlock()
	if status == 0 {
		status = http.StatusOK
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-Id", "req_test123")
	w.WriteHeader(status)
	io.WriteString(w, answer)
}

func (f *fakeStripeAPI) sent() []recordedRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recordedRequest(nil), f.requests...)
}

func newFakeStripeAPI(t *testing.T, status int, body string) (*fakeStripeAPI, string) {
	f := &fakeStripeAPI{status: status, body: body}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL
}

func TestStripeCheckout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		const sessionURL = "https://checkout.stripe.com/c/pay/cs_test_a1B2c3#fidkdWxOYHwnPyd1blpxYHZxWjA0"
		api, apiURL := newFakeStripeAPI(t, 0, `{"id": "cs_test_a1B2c3", "object": "checkout.session", "mode": "subscription",
			"status": "open", "url": "`+sessionURL+`"}`)
		e := newStripeEnv(t, db, billing.WithStripeAPIURL(apiURL))
		trial := &billing.Plan{Name: "Digital with trial", PriceMinor: 9000, Currency: "EUR", Period: billing.Yearly,
			TrialDays: 14, Active: true, StripePriceID: "price_1RfYearlyTrial"}
		if err := e.svc.CreatePlan(t.Context(), trial); err != nil {
			t.Fatal(err)
		}

		for _, plan := range []*billing.Plan{e.plan, trial} {
			got, err := e.svc.StartCheckout(t.Context(), e.user, plan.ID)
			if err != nil {
				t.Fatalf("checkout %s: %v", plan.Name, err)
			}
			if got != sessionURL {
				t.Errorf("checkout URL = %q, want the session's %q", got, sessionURL)
			}
		}
		reqs := api.sent()
		if len(reqs) != 2 {
			t.Fatalf("%d requests to Stripe, want 2", len(reqs))
		}
		uid, pid := strconv.FormatInt(e.user.ID, 10), strconv.FormatInt(e.plan.ID, 10)
		for i, r := range reqs {
			if r.method != http.MethodPost || r.path != "/v1/checkout/sessions" || r.auth != "Bearer "+secretKey {
				t.Errorf("request %d: %s %s (auth %q)", i, r.method, r.path, r.auth)
			}
		}
		want := map[string]string{
			"mode":                                 "subscription",
			"line_items[0][price]":                 priceID,
			"line_items[0][quantity]":              "1",
			"customer_email":                       e.user.Email,
			"client_reference_id":                  uid,
			"metadata[user_id]":                    uid,
			"metadata[plan_id]":                    pid,
			"subscription_data[metadata][user_id]": uid,
			"subscription_data[metadata][plan_id]": pid,
			"success_url":                          "https://news.example/account?done=subscribed",
			"cancel_url":                           "https://news.example/subscribe",
		}
		for k, v := range want {
			if got := reqs[0].form.Get(k); got != v {
				t.Errorf("%s = %q, want %q", k, got, v)
			}
		}
		if reqs[0].form.Has("subscription_data[trial_period_days]") {
			t.Errorf("a plan without a trial sent trial_period_days=%s", reqs[0].form.Get("subscription_data[trial_period_days]"))
		}
		if got := reqs[1].form.Get("subscription_data[trial_period_days]"); got != "14" {
			t.Errorf("trial_period_days = %q, want 14", got)
		}
		if got := reqs[1].form.Get("line_items[0][price]"); got != "price_1RfYearlyTrial" {
			t.Errorf("trial plan's price = %q", got)
		}
		if s := e.sub(); s != nil {
			t.Errorf("starting a checkout wrote a subscription: %+v", s)
		}
	})
}

func TestStripeCheckoutFailures(t *testing.T) {
	cases := []struct {
		name    string
		status  int
		body    string
		noPrice bool
		unreach bool
		wantMsg string
	}{
		{name: "Stripe unreachable", unreach: true, wantMsg: "connect"},
		{name: "unknown price", status: 400, body: `{"error": {"type": "invalid_request_error", "code": "resource_missing",
				"param": "line_items[0][price]", "message": "No such price: 'price_1RfDigitalMonthly'"}}`, wantMsg: "No such price"},
		{name: "key refused", status: 401, body: `{"error": {"type": "invalid_request_error",
				"message": "Invalid API Key provided: ` + secretKey + `"}}`, wantMsg: "Invalid API Key"},
		{name: "Stripe down", status: 500, body: `{"error": {"type": "api_error", "message": "Something went wrong."}}`, wantMsg: "500"},
		{name: "plan without a Stripe price", noPrice: true, wantMsg: "no Stripe price"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.Store) {
				api, apiURL := newFakeStripeAPI(t, c.status, c.body)
				if c.unreach {
					apiURL = closedURL(t)
				}
				e := newStripeEnv(t, db, billing.WithStripeAPIURL(apiURL), billing.WithStripeRetries(0))
				planID := e.plan.ID
				if c.noPrice {
					p := &billing.Plan{Name: "Unpriced", PriceMinor: 100, Currency: "EUR", Period: billing.Monthly, Active: true}
					if err := e.svc.CreatePlan(t.Context(), p); err != nil {
						t.Fatal(err)
					}
					planID = p.ID
				}
				_, err := e.svc.StartCheckout(t.Context(), e.user, planID)
				want := billing.ErrProvider
				if c.noPrice {
					// Not a passing fault: an admin must set the plan up.
					want = billing.ErrNotPayable
				}
				if !errors.Is(err, want) {
					t.Fatalf("err = %v, want %v", err, want)
				}
				if c.noPrice && errors.Is(err, billing.ErrProvider) {
					t.Errorf("err = %v, which reads as the provider being unreachable", err)
				}
				if !strings.Contains(err.Error(), c.wantMsg) {
					t.Errorf("err = %q, want it to say %q", err, c.wantMsg)
				}
				if strings.Contains(err.Error(), secretKey) || strings.Contains(err.Error(), secretKey[8:]) {
					t.Errorf("the error shows the secret key: %q", err)
				}
				if c.noPrice && len(api.sent()) != 0 {
					t.Errorf("%d requests to Stripe for a plan it cannot sell", len(api.sent()))
				}
				if s := e.sub(); s != nil {
					t.Errorf("a failed checkout wrote a subscription: %+v", s)
				}
			})
		})
	}
}

func TestStripePortal(t *testing.T) {
	const portalURL = "https://billing.stripe.com/p/session/test_YWNjdF8xTjJ"
	api, apiURL := newFakeStripeAPI(t, 0, `{"id": "bps_1RfZ", "object": "billing_portal.session", "customer": "`+custID+`",
		"return_url": "https://news.example/account", "url": "`+portalURL+`"}`)
	p := billing.NewStripe(secretKey, billing.WithStripeAPIURL(apiURL), billing.WithStripeLogger(slog.New(slog.DiscardHandler)))
	if p.Name() != billing.Stripe {
		t.Errorf("Name = %q", p.Name())
	}
	got, err := p.Portal(t.Context(), &billing.Subscription{Provider: billing.Stripe, CustomerRef: custID, ProviderRef: subID},
		"https://news.example/account")
	if err != nil || got != portalURL {
		t.Fatalf("Portal = %q, %v; want %q", got, err, portalURL)
	}
	reqs := api.sent()
	if len(reqs) != 1 || reqs[0].path != "/v1/billing_portal/sessions" || reqs[0].form.Get("customer") != custID ||
		reqs[0].form.Get("return_url") != "https://news.example/account" {
		t.Fatalf("requests = %+v", reqs)
	}
	if _, err := p.Portal(t.Context(), &billing.Subscription{Provider: billing.Demo}, "https://news.example/account"); !errors.Is(err, billing.ErrProvider) {
		t.Errorf("portal without a customer: err = %v, want ErrProvider", err)
	}
	down := billing.NewStripe(secretKey, billing.WithStripeAPIURL(closedURL(t)), billing.WithStripeRetries(0),
		billing.WithStripeLogger(slog.New(slog.DiscardHandler)))
	if _, err := down.Portal(t.Context(), &billing.Subscription{CustomerRef: custID}, "https://news.example/account"); !errors.Is(err, billing.ErrProvider) {
		t.Errorf("portal with Stripe unreachable: err = %v, want ErrProvider", err)
	}
}

// TestStripeLogsNoCustomerData checks what stripe-go logs through the
// provider's logger at debug level: Stripe's answers carry the reader's
// email address, and its errors may echo the secret key.
func TestStripeLogsNoCustomerData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		const sessionURL = "https://checkout.stripe.com/c/pay/cs_test_a1B2c3#fidkdWxOYHwnPyd1blpxYHZxWjA0"
		var logged bytes.Buffer
		log := slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))
		api, apiURL := newFakeStripeAPI(t, 0, `{"id": "cs_test_a1B2c3", "object": "checkout.session", "mode": "subscription",
			"status": "open", "customer_email": "ann@example.com", "customer_details": {"email": "ann@example.com"},
			"url": "`+sessionURL+`"}`)
		e := newStripeEnv(t, db, billing.WithStripeAPIURL(apiURL), billing.WithStripeRetries(0), billing.WithStripeLogger(log))
		if _, err := e.svc.StartCheckout(t.Context(), e.user, e.plan.ID); err != nil {
			t.Fatal(err)
		}
		api.mu.Lock()
		api.status, api.body = http.StatusBadRequest, `{"error": {"type": "invalid_request_error",
			"message": "Invalid email address: ann@example.com (key `+secretKey+`)"}}`
		api.mu.Unlock()
		if _, err := e.svc.StartCheckout(t.Context(), e.user, e.plan.ID); err == nil {
			t.Fatal("a refused checkout succeeded")
		}
		out := logged.String()
		if !strings.Contains(out, "level=DEBUG") || !strings.Contains(out, "/v1/checkout/sessions") {
			t.Fatalf("stripe-go logged nothing, so this proves nothing:\n%s", out)
		}
		for _, secret := range []string{e.user.Email, sessionURL, secretKey, secretKey[8:]} {
			if strings.Contains(out, secret) {
				t.Errorf("the log shows %q:\n%s", secret, out)
			}
		}
	})
}
