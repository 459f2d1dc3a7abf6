package billing_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"dateline/internal/account"
	"dateline/internal/billing"
	"dateline/internal/mail"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
	"dateline/internal/story"
)

var ctx = context.Background()

type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

// world is a billing service over a real database with two stories, a
// plan and a few readers.
type world struct {
	t     *testing.T
	db    *store.Store
	svc   *billing.Service
	clock *clock
	free  *story.Story
	paid  *story.Story
	more  []*story.Story // more subscriber stories, for the meter
	plan  *billing.Plan
	n     int
}

func newWorld(t *testing.T, db *store.Store) *world {
	t.Helper()
	c := &clock{now: time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)}
	db.Now = c.Now
	composer, err := mail.NewComposer("Dateline", "https://news.example", "Dateline <news@news.example>")
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, db: db, clock: c}
	w.svc = billing.New(billing.Options{Store: db, Provider: billing.DemoProvider{}, Composer: composer,
		BaseURL: "https://news.example", Now: c.Now, Log: slog.New(slog.DiscardHandler)})
	if err := db.CreateSection(ctx, &story.Section{Slug: "world", Name: "World"}); err != nil {
		t.Fatal(err)
	}
	w.free = w.story("A free story", story.Free)
	w.paid = w.story("A story for subscribers", story.Subscribers)
	for i := range 4 {
		w.more = append(w.more, w.story(fmt.Sprintf("Subscriber story %d", i), story.Subscribers))
	}
	w.plan = &billing.Plan{Name: "Monthly", PriceMinor: 900, Currency: "EUR", Period: billing.Monthly, Active: true}
	if err := w.svc.CreatePlan(ctx, w.plan); err != nil {
		t.Fatal(err)
	}
	return w
}

// story publishes a story in the world section.
func (w *world) story(headline string, access story.Access) *story.Story {
	w.t.Helper()
	st := &story.Story{Headline: headline, Section: story.Section{Slug: "world"}, Bylines: []story.Byline{{Name: "Staff"}},
		Body: "First paragraph.\n\nSecond paragraph.", Access: access, Status: story.Published, PublishedAt: w.clock.now.Add(-time.Hour)}
	if err := st.Prepare(story.NewRenderer()); err != nil {
		w.t.Fatal(err)
	}
	if err := w.db.CreateStory(ctx, st); err != nil {
		w.t.Fatal(err)
	}
	return st
}

// reader makes a verified reader with the given role.
func (w *world) reader(role account.Role) *account.User {
	w.t.Helper()
	w.n++
	u := &account.User{Email: fmt.Sprintf("reader%d@example.com", w.n), DisplayName: fmt.Sprintf("Reader %d", w.n),
		PasswordHash: "x", Role: role, EmailVerifiedAt: w.clock.now, CreatedAt: w.clock.now, UpdatedAt: w.clock.now}
	if err := w.db.CreateUser(ctx, u, nil, nil); err != nil {
		w.t.Fatal(err)
	}
	return u
}

// unconfirmed makes a reader whose email address is not confirmed.
func (w *world) unconfirmed() *account.User {
	w.t.Helper()
	w.n++
	u := &account.User{Email: fmt.Sprintf("reader%d@example.com", w.n), DisplayName: fmt.Sprintf("Reader %d", w.n),
		PasswordHash: "x", Role: account.Reader, CreatedAt: w.clock.now, UpdatedAt: w.clock.now}
	if err := w.db.CreateUser(ctx, u, nil, nil); err != nil {
		w.t.Fatal(err)
	}
	return u
}

// subscribe gives u a subscription in the given state, as the provider
// would have left it.
func (w *world) subscribe(u *account.User, sub billing.Subscription) {
	w.t.Helper()
	sub.UserID = u.ID
	if sub.Provider == "" {
		sub.Provider = billing.Stripe
		sub.PlanID = w.plan.ID
	}
	err := w.db.InBillingTx(ctx, func(tx billing.Tx) error { return tx.SaveSubscription(ctx, &sub) })
	if err != nil {
		w.t.Fatal(err)
	}
}

func TestAccessTable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		w := newWorld(t, db)
		now := w.clock.now
		day := 24 * time.Hour
		gifted := w.reader(account.Reader)
		w.subscribe(gifted, billing.Subscription{Status: billing.Active, PeriodEnd: now.Add(20 * day)})
		giftURL, err := w.svc.GiftLink(ctx, gifted, w.paid)
		if err != nil {
			t.Fatal(err)
		}
		giftToken := giftURL[len(giftURL)-32:]

		spent := w.reader(account.Reader)
		for _, st := range w.more[:3] {
			if a, err := w.svc.StoryAccess(ctx, spent, st, ""); err != nil || !a.Full {
				t.Fatalf("metered read: %+v %v", a, err)
			}
		}

		type who struct {
			name  string
			user  func() *account.User
			gift  string
			paid  bool // may read the subscribers-only story in full
			why   billing.Why
			extra func(t *testing.T, a billing.Access)
		}
		withSub := func(sub billing.Subscription) func() *account.User {
			return func() *account.User { u := w.reader(account.Reader); w.subscribe(u, sub); return u }
		}
		cases := []who{
			{name: "anonymous", user: func() *account.User { return nil }, why: billing.WhyRegister,
				extra: func(t *testing.T, a billing.Access) {
					if a.MeterLimit != 3 {
						t.Errorf("anonymous readers are not told of the meter: limit %d", a.MeterLimit)
					}
				}},
			{name: "registered with the meter left", user: func() *account.User { return w.reader(account.Reader) }, paid: true, why: billing.WhyMeter,
				extra: func(t *testing.T, a billing.Access) {
					if a.MeterLeft != 2 || a.MeterLimit != 3 {
						t.Errorf("meter %d of %d left, want 2 of 3", a.MeterLeft, a.MeterLimit)
					}
				}},
			{name: "registered, address not confirmed", user: func() *account.User { return w.unconfirmed() }, why: billing.WhyConfirm,
				extra: func(t *testing.T, a billing.Access) {
					if a.MeterLimit != 3 || a.MeterLeft != 0 {
						t.Errorf("meter %d of %d left, want 0 of 3", a.MeterLeft, a.MeterLimit)
					}
				}},
			{name: "registered with the meter spent", user: func() *account.User { return spent }, why: billing.WhySubscribe,
				extra: func(t *testing.T, a billing.Access) {
					if a.MeterLeft != 0 {
						t.Errorf("meter left %d, want 0", a.MeterLeft)
					}
				}},
			{name: "trialing", user: withSub(billing.Subscription{Status: billing.Trialing, PeriodEnd: now.Add(5 * day)}), paid: true, why: billing.WhySubscriber},
			{name: "active", user: withSub(billing.Subscription{Status: billing.Active, PeriodEnd: now.Add(20 * day)}), paid: true, why: billing.WhySubscriber},
			{name: "past due within grace", user: withSub(billing.Subscription{Status: billing.PastDue, PastDueSince: now.Add(-6 * day)}), paid: true, why: billing.WhySubscriber},
			{name: "past due after grace", user: withSub(billing.Subscription{Status: billing.PastDue, PastDueSince: now.Add(-8 * day)}), paid: true, why: billing.WhyMeter},
			{name: "canceled before period end", user: withSub(billing.Subscription{Status: billing.Canceled, PeriodEnd: now.Add(day)}), paid: true, why: billing.WhySubscriber},
			{name: "canceled after period end", user: withSub(billing.Subscription{Status: billing.Canceled, PeriodEnd: now.Add(-day)}), paid: true, why: billing.WhyMeter},
			{name: "expired", user: withSub(billing.Subscription{Status: billing.Expired, PeriodEnd: now.Add(-day)}), paid: true, why: billing.WhyMeter},
			{name: "incomplete checkout", user: withSub(billing.Subscription{Status: billing.Incomplete}), paid: true, why: billing.WhyMeter},
			{name: "complimentary", user: withSub(billing.Subscription{Provider: billing.Complimentary, Status: billing.Active, PeriodEnd: now.Add(30 * day)}), paid: true, why: billing.WhySubscriber},
			{name: "complimentary ended", user: withSub(billing.Subscription{Provider: billing.Complimentary, Status: billing.Active, PeriodEnd: now.Add(-day)}), paid: true, why: billing.WhyMeter},
			{name: "staff", user: func() *account.User { return w.reader(account.Writer) }, paid: true, why: billing.WhyStaff},
			{name: "anonymous gift-link holder", user: func() *account.User { return nil }, gift: giftToken, paid: true, why: billing.WhyGift},
			{name: "registered gift-link holder, meter untouched", user: func() *account.User { return spent }, gift: giftToken, paid: true, why: billing.WhyGift},
			{name: "forged gift token", user: func() *account.User { return nil }, gift: "forged-token-forged-token-forged", why: billing.WhyRegister,
				extra: func(t *testing.T, a billing.Access) {
					if !a.GiftRefused {
						t.Error("a forged gift token is not noted")
					}
				}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				u := tc.user()
				free, err := w.svc.StoryAccess(ctx, u, w.free, tc.gift)
				if err != nil || !free.Full {
					t.Errorf("free story: %+v, %v; everyone reads it", free, err)
				}
				a, err := w.svc.StoryAccess(ctx, u, w.paid, tc.gift)
				if err != nil {
					t.Fatal(err)
				}
				if a.Full != tc.paid || a.Why != tc.why {
					t.Errorf("subscribers-only story: full=%v why=%s, want full=%v why=%s", a.Full, a.Why, tc.paid, tc.why)
				}
				if tc.extra != nil {
					tc.extra(t, a)
				}
			})
		}
	})
}

func TestMeterCountsOncePerStoryPerMonth(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		w := newWorld(t, db)
		u := w.reader(account.Reader)
		for range 3 {
			if a, _ := w.svc.StoryAccess(ctx, u, w.more[0], ""); !a.Full || a.MeterLeft != 2 {
				t.Fatalf("rereading one story: %+v", a)
			}
		}
		w.svc.StoryAccess(ctx, u, w.more[1], "")
		w.svc.StoryAccess(ctx, u, w.more[2], "")
		if a, _ := w.svc.StoryAccess(ctx, u, w.more[3], ""); a.Full || a.Why != billing.WhySubscribe {
			t.Errorf("fourth story in a month: %+v, want the paywall", a)
		}
		if a, _ := w.svc.StoryAccess(ctx, u, w.more[0], ""); !a.Full {
			t.Error("a story already read this month is refused")
		}
		// A new month, a new meter.
		w.clock.now = time.Date(2026, 12, 1, 0, 0, 1, 0, time.UTC)
		if a, _ := w.svc.StoryAccess(ctx, u, w.more[3], ""); !a.Full || a.MeterLeft != 2 {
			t.Errorf("first story of December: %+v", a)
		}
		// A meter of 0 is a hard paywall.
		hardPaywall(t, w.svc)
		other := w.reader(account.Reader)
		if a, _ := w.svc.StoryAccess(ctx, other, w.paid, ""); a.Full || a.Why != billing.WhySubscribe {
			t.Errorf("hard paywall: %+v", a)
		}
	})
}

func TestMeterIsForConfirmedReaders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		w := newWorld(t, db)
		u := w.unconfirmed()
		for _, st := range w.more {
			if a, err := w.svc.StoryAccess(ctx, u, st, ""); err != nil || a.Full || a.Why != billing.WhyConfirm {
				t.Fatalf("an unconfirmed reader: %+v, %v; want the wall asking to confirm", a, err)
			}
		}
		if used, _ := db.MeterUsed(ctx, u.ID, billing.Month(w.clock.now, nil)); used != 0 {
			t.Errorf("the meter counted %d reads of an unconfirmed reader", used)
		}
		u.EmailVerifiedAt = w.clock.now
		if a, err := w.svc.StoryAccess(ctx, u, w.more[0], ""); err != nil || !a.Full || a.Why != billing.WhyMeter || a.MeterLeft != 2 {
			t.Errorf("once confirmed: %+v, %v; want a metered read with 2 left", a, err)
		}
		// With a hard paywall there is no meter to confirm for.
		hardPaywall(t, w.svc)
		if a, _ := w.svc.StoryAccess(ctx, w.unconfirmed(), w.paid, ""); a.Full || a.Why != billing.WhySubscribe {
			t.Errorf("hard paywall, unconfirmed reader: %+v", a)
		}
	})
}

func TestGiftLinks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		w := newWorld(t, db)
		sub := w.reader(account.Reader)
		w.subscribe(sub, billing.Subscription{Status: billing.Active})
		reader := w.reader(account.Reader)
		if _, err := w.svc.GiftLink(ctx, reader, w.paid); !errors.Is(err, billing.ErrNotFound) {
			t.Errorf("a non-subscriber made a gift: %v", err)
		}
		if _, err := w.svc.GiftLink(ctx, sub, w.free); !errors.Is(err, billing.ErrNotFound) {
			t.Errorf("a gift of a free story: %v", err)
		}
		link, err := w.svc.GiftLink(ctx, sub, w.paid)
		if err != nil {
			t.Fatal(err)
		}
		token := link[len("https://news.example"+w.paid.Path()+"?gift="):]
		if len(token) < 32 {
			t.Fatalf("token %q too short to be unguessable", token)
		}
		for range 3 {
			if a, _ := w.svc.StoryAccess(ctx, nil, w.paid, token); !a.Full {
				t.Fatal("the gift does not open the story")
			}
		}
		// Not for another story.
		if a, _ := w.svc.StoryAccess(ctx, nil, w.more[0], token); a.Full || !a.GiftRefused {
			t.Error("the gift opens another story")
		}
		gifts, _ := w.svc.Gifts(ctx, sub.ID)
		if len(gifts) != 1 || gifts[0].Opens != 3 || gifts[0].StoryPath != w.paid.Path() {
			t.Fatalf("gifts = %+v", gifts)
		}
		// 14 days, then not.
		w.clock.now = w.clock.now.Add(14*24*time.Hour + time.Second)
		if a, _ := w.svc.StoryAccess(ctx, nil, w.paid, token); a.Full {
			t.Error("the gift works after 14 days")
		}
		// Revoked gifts stop at once.
		link2, _ := w.svc.GiftLink(ctx, sub, w.paid)
		token2 := link2[len(link2)-32:]
		gifts, _ = w.svc.Gifts(ctx, sub.ID)
		if err := w.svc.RevokeGift(ctx, sub.ID, gifts[0].ID); err != nil {
			t.Fatal(err)
		}
		if a, _ := w.svc.StoryAccess(ctx, nil, w.paid, token2); a.Full {
			t.Error("a revoked gift still works")
		}
		if err := w.svc.RevokeGift(ctx, reader.ID, gifts[1].ID); !errors.Is(err, billing.ErrNotFound) {
			t.Errorf("another reader revoked a gift: %v", err)
		}
		// Ten a month.
		w.clock.now = time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
		for i := range 10 {
			if _, err := w.svc.GiftLink(ctx, sub, w.paid); err != nil {
				t.Fatalf("gift %d: %v", i+1, err)
			}
		}
		if _, err := w.svc.GiftLink(ctx, sub, w.paid); !errors.Is(err, billing.ErrGiftLimit) {
			t.Errorf("11th gift in a month: %v", err)
		}
		if left, _ := w.svc.GiftsLeft(ctx, sub.ID); left != 0 {
			t.Errorf("gifts left = %d", left)
		}
	})
}

func TestDemoCheckoutCancelResume(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		w := newWorld(t, db)
		u := w.reader(account.Reader)
		next, err := w.svc.StartCheckout(ctx, u, w.plan.ID)
		if err != nil || next != fmt.Sprintf("/subscribe/demo?plan=%d", w.plan.ID) {
			t.Fatalf("checkout: %q %v", next, err)
		}
		sub, err := w.svc.CompleteDemoCheckout(ctx, u, w.plan.ID)
		if err != nil || sub.Status != billing.Active || !sub.PeriodEnd.Equal(w.clock.now.AddDate(0, 1, 0)) {
			t.Fatalf("subscription = %+v, %v", sub, err)
		}
		if _, err := w.svc.StartCheckout(ctx, u, w.plan.ID); !errors.Is(err, billing.ErrAlreadySubscribed) {
			t.Errorf("second checkout: %v", err)
		}
		if err := w.svc.Cancel(ctx, u); err != nil {
			t.Fatal(err)
		}
		got, _ := w.svc.Subscription(ctx, u.ID)
		if got.Status != billing.Canceled || !got.HasAccess(w.clock.now, 0) {
			t.Errorf("after cancel: %+v", got)
		}
		if err := w.svc.Resume(ctx, u); err != nil {
			t.Fatal(err)
		}
		if got, _ := w.svc.Subscription(ctx, u.ID); got.Status != billing.Active {
			t.Errorf("after resume: %s", got.Status)
		}
		mails, _ := db.RecentMail(ctx, 10)
		var subjects []string
		for _, m := range mails {
			subjects = append(subjects, m.Subject)
		}
		if len(mails) != 2 {
			t.Errorf("emails = %q, want the welcome and the cancellation", subjects)
		}

		// Retired plans and unconfirmed addresses are refused.
		retired := &billing.Plan{Name: "Old", PriceMinor: 500, Currency: "EUR", Period: billing.Monthly, Active: false}
		w.svc.CreatePlan(ctx, retired)
		other := w.reader(account.Reader)
		if _, err := w.svc.StartCheckout(ctx, other, retired.ID); !errors.Is(err, billing.ErrPlanRetired) {
			t.Errorf("retired plan: %v", err)
		}
		other.EmailVerifiedAt = time.Time{}
		if _, err := w.svc.StartCheckout(ctx, other, w.plan.ID); !errors.Is(err, billing.ErrUnverified) {
			t.Errorf("unverified: %v", err)
		}
	})
}

func TestComplimentaryAndStaffList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		w := newWorld(t, db)
		u := w.reader(account.Reader)
		if err := w.svc.GrantComplimentary(ctx, u.ID, w.clock.now.Add(-time.Hour)); err == nil {
			t.Error("a complimentary subscription ending in the past was granted")
		}
		if err := w.svc.GrantComplimentary(ctx, u.ID, w.clock.now.Add(30*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if ok, _, _ := w.svc.HasAccess(ctx, u); !ok {
			t.Error("complimentary access does not give access")
		}
		payer := w.reader(account.Reader)
		w.subscribe(payer, billing.Subscription{Status: billing.Active})
		if err := w.svc.GrantComplimentary(ctx, payer.ID, w.clock.now.Add(time.Hour)); !errors.Is(err, billing.ErrAlreadySubscribed) {
			t.Errorf("complimentary over a paid subscription: %v", err)
		}
		list, counts, err := w.svc.Subscribers(ctx, billing.SubscriberFilter{Email: "reader1"})
		if err != nil || len(list) != 1 || list[0].Email != u.Email || list[0].Provider != billing.Complimentary {
			t.Errorf("search by email: %+v %v", list, err)
		}
		if counts[billing.Active] != 2 {
			t.Errorf("counts = %v", counts)
		}
		if err := w.svc.RevokeComplimentary(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if ok, _, _ := w.svc.HasAccess(ctx, u); ok {
			t.Error("revoked complimentary access still gives access")
		}
	})
}

// hardPaywall sets the meter to 0.
func hardPaywall(t *testing.T, svc *billing.Service) {
	t.Helper()
	set, err := svc.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	set.MeterLimit = 0
	if err := svc.SaveSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
}

func TestRetiredPlansAreListedForAdminsOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		w := newWorld(t, db)
		names := func(list []billing.Plan, err error) []string {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, p := range list {
				out = append(out, fmt.Sprintf("%s active=%v", p.Name, p.Active))
			}
			return out
		}
		if err := w.svc.SetPlanActive(ctx, w.plan.ID, false); err != nil {
			t.Fatal(err)
		}
		if got := names(w.svc.Plans(ctx)); len(got) != 0 {
			t.Errorf("a retired plan is on sale: %v", got)
		}
		if got := names(w.svc.AllPlans(ctx)); len(got) != 1 || got[0] != "Monthly active=false" {
			t.Errorf("admins see %v, want the retired plan", got)
		}
		if _, err := w.svc.StartCheckout(ctx, w.reader(account.Reader), w.plan.ID); !errors.Is(err, billing.ErrPlanRetired) {
			t.Errorf("checkout of a retired plan: %v", err)
		}
		if err := w.svc.SetPlanActive(ctx, w.plan.ID, true); err != nil {
			t.Fatal(err)
		}
		if got := names(w.svc.Plans(ctx)); len(got) != 1 || got[0] != "Monthly active=true" {
			t.Errorf("the plan offered again: on sale %v", got)
		}
	})
}
