package insight_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"dateline/internal/account"
	"dateline/internal/billing"
	"dateline/internal/clock"
	"dateline/internal/insight"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
	"dateline/internal/story"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// setup is an insight service on db in the zone named, on a clock the
// test moves, with one published story.
func setup(t *testing.T, db *store.Store, zone string, start time.Time) (*insight.Service, *clock.Manual, *story.Story) {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	c := clock.NewManual(start)
	db.Now = c.Now
	svc, err := insight.New(t.Context(), insight.Options{Store: db, Now: c.Now, Zone: clock.Fixed(loc)})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateSection(t.Context(), &story.Section{Slug: "world", Name: "World"}); err != nil {
		t.Fatal(err)
	}
	st := &story.Story{Headline: "A story", Section: story.Section{Slug: "world"}, Bylines: []story.Byline{{Name: "Staff"}},
		Body: "One.\n\nTwo.", Access: story.Free, Status: story.Published, PublishedAt: start.Add(-time.Hour)}
	if err := st.Prepare(story.NewRenderer()); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateStory(t.Context(), st); err != nil {
		t.Fatal(err)
	}
	return svc, c, st
}

// In a zone half an hour off UTC, page views kept by the UTC hour are
// shown at the half hour, and counted on the paper's day each starts in.
func TestViewsInAZoneOffByHalfAnHour(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		// 20:10 UTC on 2 December is 01:40 on the 3rd in Kolkata.
		svc, _, st := setup(t, db, "Asia/Kolkata", time.Date(2026, 12, 2, 20, 10, 0, 0, time.UTC))
		for h, n := range map[int]int{18: 2, 19: 5} {
			if err := db.AddViews(t.Context(), time.Date(2026, 12, 2, h, 0, 0, 0, time.UTC), map[int64]int{st.ID: n}); err != nil {
				t.Fatal(err)
			}
		}
		c, err := svc.ViewsByHour(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Points) != insight.ViewHours || !c.Hourly {
			t.Fatalf("%d points", len(c.Points))
		}
		got := map[string]int{}
		for i, p := range c.Points {
			if v := c.Series[0].Values[i]; v != 0 {
				got[p.Format("2006-01-02 15:04")] = v
			}
		}
		if want := map[string]int{"2026-12-02 23:30": 2, "2026-12-03 00:30": 5}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("views by hour %v, want %v", got, want)
		}
		if last := c.Points[len(c.Points)-1].Format("15:04"); last != "01:30" {
			t.Errorf("the last hour starts at %s, want 01:30", last)
		}
		days, err := svc.ByDay(t.Context(), 2, []insight.Kind{insight.Views}, []string{"Views"})
		if err != nil {
			t.Fatal(err)
		}
		if d := days.Points; d[0].Format(time.DateOnly) != "2026-12-02" || d[1].Format(time.DateOnly) != "2026-12-03" ||
			fmt.Sprint(days.Series[0].Values) != "[2 5]" {
			t.Errorf("views by day %v on %v", days.Series[0].Values, d)
		}
	})
}

// Subscribers by state are worked back from today's counts through the
// changes, day by day, across a change of the clocks.
func TestSubscribersByStateAcrossTheDays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		// Lisbon leaves summer time on 25 October 2026.
		start := time.Date(2026, 10, 24, 12, 0, 0, 0, time.UTC)
		svc, c, _ := setup(t, db, "Europe/Lisbon", start)
		ctx := context.Background()
		save := func(userID int64, st billing.Status) {
			t.Helper()
			err := db.InBillingTx(ctx, func(tx billing.Tx) error {
				sub, err := tx.SubscriptionByUser(ctx, userID)
				if err != nil {
					sub = &billing.Subscription{UserID: userID, Provider: billing.Demo}
				}
				sub.Status, sub.UpdatedAt = st, c.Now()
				return tx.SaveSubscription(ctx, sub)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		var users []int64
		for i := range 3 {
			u := &account.User{Email: fmt.Sprintf("r%d@example.com", i), DisplayName: "R", PasswordHash: "x", Role: account.Reader,
				CreatedAt: c.Now(), UpdatedAt: c.Now()}
			if err := db.CreateUser(ctx, u, nil, nil); err != nil {
				t.Fatal(err)
			}
			users = append(users, u.ID)
		}
		save(users[0], billing.Active)   // 24 Oct
		save(users[1], billing.Trialing) // 24 Oct
		c.Advance(24 * time.Hour)
		save(users[1], billing.Active) // 25 Oct
		c.Advance(24 * time.Hour)
		save(users[0], billing.Canceled) // 26 Oct
		save(users[2], billing.Active)   // 26 Oct
		save(users[2], billing.Active)   // no change
		c.Advance(24 * time.Hour)        // 27 Oct

		chart, err := svc.SubscribersByState(ctx)
		if err != nil {
			t.Fatal(err)
		}
		at := map[string]string{}
		for i, p := range chart.Points {
			var vals []int
			for _, s := range chart.Series {
				vals = append(vals, s.Values[i])
			}
			at[p.Format(time.DateOnly)] = fmt.Sprint(vals)
		}
		// Trialing, active, past due, cancelled.
		for day, want := range map[string]string{"2026-10-23": "[0 0 0 0]", "2026-10-24": "[1 1 0 0]", "2026-10-25": "[0 2 0 0]",
			"2026-10-26": "[0 2 0 1]", "2026-10-27": "[0 2 0 1]"} {
			if at[day] != want {
				t.Errorf("%s: %s, want %s", day, at[day], want)
			}
		}
		activity, err := svc.Activity(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n := len(activity.Points)
		// Sign-ups, subscriptions begun, cancellations on the 24th, 25th, 26th.
		var got []string
		for i := n - 4; i < n-1; i++ {
			got = append(got, fmt.Sprint(activity.Series[0].Values[i], activity.Series[1].Values[i], activity.Series[2].Values[i]))
		}
		if fmt.Sprint(got) != "[3 2 0 0 0 0 0 1 1]" {
			t.Errorf("activity %v", got)
		}
	})
}
