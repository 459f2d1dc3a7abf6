package billing_test

import (
	"log/slog"
	"testing"
	"time"

	"dateline/internal/billing"
	"dateline/internal/insight"
	"dateline/internal/mail"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
	"dateline/internal/story"
)

// TestStripeSubscriptionCountsTheStoriesReadBefore checks that a
// subscription begun through Stripe's webhook credits the stories its
// reader read in the hour before, once, and that a renewal credits
// nothing more.
func TestStripeSubscriptionCountsTheStoriesReadBefore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		e := newStripeEnv(t, db)
		ins, err := insight.New(t.Context(), insight.Options{Store: db, Now: func() time.Time { return e.now }})
		if err != nil {
			t.Fatal(err)
		}
		composer, err := mail.NewComposer("Dateline", "https://news.example", "Dateline <news@news.example>")
		if err != nil {
			t.Fatal(err)
		}
		e.svc = billing.New(billing.Options{Store: db, Provider: billing.NewStripe(secretKey, billing.WithStripeAPIURL(closedURL(t)),
			billing.WithStripeRetries(0)), Composer: composer, BaseURL: "https://news.example",
			Now: func() time.Time { return e.now }, Log: slog.New(slog.DiscardHandler), ReaderKey: ins.ReaderKey})
		e.hook = billing.NewWebhook(e.svc, whSecret)
		if err := db.CreateSection(t.Context(), &story.Section{Slug: "world", Name: "World"}); err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, h := range []string{"Read long ago", "Read just before"} {
			st := &story.Story{Headline: h, Section: story.Section{Slug: "world"}, Bylines: []story.Byline{{Name: "Staff"}},
				Body: "One.\n\nTwo.", Access: story.Free, Status: story.Published, PublishedAt: t0.Add(-3 * time.Hour)}
			if err := st.Prepare(story.NewRenderer()); err != nil {
				t.Fatal(err)
			}
			if err := db.CreateStory(t.Context(), st); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, st.ID)
		}
		e.now = t0.Add(-2 * time.Hour)
		if err := ins.NoteRead(t.Context(), e.user, ids[0]); err != nil {
			t.Fatal(err)
		}
		e.now = t0.Add(-30 * time.Minute)
		if err := ins.NoteRead(t.Context(), e.user, ids[1]); err != nil {
			t.Fatal(err)
		}
		e.now = t0
		e.mustDeliver(event(t, "evt_1", "customer.subscription.created", basil, t0, e.subscription("active", t0.AddDate(0, 1, 0))))
		e.mustDeliver(event(t, "evt_2", "customer.subscription.updated", basil, t0.Add(time.Minute), e.subscription("active", t0.AddDate(0, 2, 0))))
		list, err := ins.TopConverting(t.Context(), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].ID != ids[1] || list[0].Conversions != 1 {
			t.Errorf("stories that convert: %+v", list)
		}
		if n := e.count("story_reads"); n != 0 {
			t.Errorf("%d reads kept after the subscription", n)
		}
	})
}
