package store_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"dateline/internal/account"
	"dateline/internal/billing"
	"dateline/internal/comment"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

// readerFixture is a reader with one session, as the log-in leaves them.
type readerFixture struct {
	user *account.User
	sess *account.Session
	hash string
	plan *billing.Plan
}

func newReader(t *testing.T, s *store.Store, email string) readerFixture {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	u := &account.User{Email: email, DisplayName: "Reader", PasswordHash: "x", Role: account.Reader, CreatedAt: now, UpdatedAt: now}
	if err := s.CreateUser(ctx, u, nil, nil); err != nil {
		t.Fatal(err)
	}
	sess := &account.Session{UserID: u.ID, Created: now, LastSeen: now, Idle: time.Hour, Expires: now.Add(24 * time.Hour)}
	hash := account.HashToken("token-of-" + email)
	if err := s.CreateSession(ctx, sess, hash); err != nil {
		t.Fatal(err)
	}
	plan := &billing.Plan{Name: "Monthly " + email, PriceMinor: 900, Currency: "EUR", Period: billing.Monthly, Active: true}
	if err := s.CreatePlan(ctx, plan); err != nil {
		t.Fatal(err)
	}
	return readerFixture{user: u, sess: sess, hash: hash, plan: plan}
}

func subscribe(t *testing.T, s *store.Store, r readerFixture, status billing.Status) {
	t.Helper()
	ctx := context.Background()
	sub := billing.Subscription{UserID: r.user.ID, Provider: billing.Stripe, PlanID: r.plan.ID, Status: status,
		CustomerRef: "cus_" + r.user.Email, ProviderRef: "sub_" + r.user.Email}
	if err := s.InBillingTx(ctx, func(tx billing.Tx) error { return tx.SaveSubscription(ctx, &sub) }); err != nil {
		t.Fatal(err)
	}
}

// TestReadersKeptAreNeverStale checks, on one instance, that what the store
// answers about a signed-in reader changes the moment a write changes it:
// the subscription and the suspension, which are kept (without the drops
// each read below would get the kept answer for a minute), and the session
// and its user, which are read each time: a log-out, a new name.
func TestReadersKeptAreNeverStale(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := newReader(t, s, "kept@example.com")

		_, u, err := s.SessionByToken(ctx, r.hash)
		if err != nil {
			t.Fatal(err)
		}
		u.DisplayName = "changed by a caller"
		if _, u, _ := s.SessionByToken(ctx, r.hash); u.DisplayName != "Reader" {
			t.Fatalf("a caller's change reached the kept user: %q", u.DisplayName)
		}
		if err := s.UpdateDisplayName(ctx, r.user.ID, "New Name"); err != nil {
			t.Fatal(err)
		}
		if _, u, _ := s.SessionByToken(ctx, r.hash); u == nil || u.DisplayName != "New Name" {
			t.Fatalf("after a rename the session's user is %+v", u)
		}

		// A use recorded once is kept, so the next request need not
		// record it again.
		later := time.Now().UTC().Add(2 * time.Minute).Truncate(time.Second)
		if err := s.TouchSession(ctx, r.sess.ID, later); err != nil {
			t.Fatal(err)
		}
		if sess, _, _ := s.SessionByToken(ctx, r.hash); !sess.LastSeen.Equal(later) {
			t.Errorf("last seen %v after a touch at %v", sess.LastSeen, later)
		}

		if _, err := s.SubscriptionByUser(ctx, r.user.ID); !errors.Is(err, billing.ErrNotFound) {
			t.Fatalf("subscription before subscribing: %v", err)
		}
		subscribe(t, s, r, billing.Active)
		sub, err := s.SubscriptionByUser(ctx, r.user.ID)
		if err != nil || sub.Status != billing.Active || sub.Plan == nil || sub.Plan.ID != r.plan.ID {
			t.Fatalf("after subscribing: %+v, %v", sub, err)
		}
		sub.Plan.Name = "changed by a caller"
		if again, _ := s.SubscriptionByUser(ctx, r.user.ID); again.Plan.Name == "changed by a caller" {
			t.Fatal("a caller's change reached the kept plan")
		}
		subscribe(t, s, r, billing.Canceled)
		if sub, _ := s.SubscriptionByUser(ctx, r.user.ID); sub.Status != billing.Canceled {
			t.Fatalf("after cancelling: %s", sub.Status)
		}

		if _, err := s.SuspensionOf(ctx, r.user.ID); !errors.Is(err, comment.ErrNotFound) {
			t.Fatalf("suspension before suspending: %v", err)
		}
		at := time.Now().UTC()
		if err := s.Suspend(ctx, &comment.Suspension{UserID: r.user.ID, Reason: "abuse"}, comment.LogEntry{Action: "suspend", UserID: r.user.ID, At: at}, nil); err != nil {
			t.Fatal(err)
		}
		if sus, err := s.SuspensionOf(ctx, r.user.ID); err != nil || sus.Reason != "abuse" {
			t.Fatalf("after suspending: %+v, %v", sus, err)
		}
		if err := s.Unsuspend(ctx, r.user.ID, comment.LogEntry{Action: "unsuspend", UserID: r.user.ID, At: at}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SuspensionOf(ctx, r.user.ID); !errors.Is(err, comment.ErrNotFound) {
			t.Fatalf("after lifting the suspension: %v", err)
		}

		if err := s.DeleteSession(ctx, r.hash); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SessionByToken(ctx, r.hash); !errors.Is(err, account.ErrNotFound) {
			t.Fatalf("after logging out the session is still found: %v", err)
		}
	})
}

// TestReadersKeptAcrossInstances runs two stores on one PostgreSQL schema,
// as two instances do. What one keeps about a reader must go when the other
// changes it: a subscription or a suspension there shows here within
// moments rather than the minute a kept answer would otherwise last, and a
// log-out there ends the session here at once.
func TestReadersKeptAcrossInstances(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, one, two := twoInstances(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		two.NewPurges(slog.New(slog.DiscardHandler)).Listen(ctx, func([]string) {})
	}()
	defer func() { cancel(); <-done }()

	// eventually polls the second instance until cond holds.
	eventually := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: the other instance still answers what it kept", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	// The listener may not listen yet: a first reader's subscription shows
	// whenever it starts.
	warm := newReader(t, one, "warm@example.com")
	if _, err := two.SubscriptionByUser(ctx, warm.user.ID); !errors.Is(err, billing.ErrNotFound) {
		t.Fatal(err)
	}
	eventually("warm-up", func() bool {
		subscribe(t, one, warm, billing.Active)
		_, err := two.SubscriptionByUser(ctx, warm.user.ID)
		return err == nil
	})

	r := newReader(t, one, "both@example.com")
	if _, _, err := two.SessionByToken(ctx, r.hash); err != nil {
		t.Fatal(err)
	}
	if _, err := two.SubscriptionByUser(ctx, r.user.ID); !errors.Is(err, billing.ErrNotFound) {
		t.Fatal(err)
	}
	if _, err := two.SuspensionOf(ctx, r.user.ID); !errors.Is(err, comment.ErrNotFound) {
		t.Fatal(err)
	}

	subscribe(t, one, r, billing.Active)
	eventually("subscription", func() bool {
		sub, err := two.SubscriptionByUser(ctx, r.user.ID)
		return err == nil && sub.Status == billing.Active
	})
	err := one.Suspend(ctx, &comment.Suspension{UserID: r.user.ID, Reason: "abuse"},
		comment.LogEntry{Action: "suspend", UserID: r.user.ID, At: time.Now().UTC()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	eventually("suspension", func() bool {
		_, err := two.SuspensionOf(ctx, r.user.ID)
		return err == nil
	})
	if err := one.DeleteSession(ctx, r.hash); err != nil {
		t.Fatal(err)
	}
	if _, _, err := two.SessionByToken(ctx, r.hash); !errors.Is(err, account.ErrNotFound) {
		t.Fatalf("the session logged out on one instance still works on the other: %v", err)
	}
}
