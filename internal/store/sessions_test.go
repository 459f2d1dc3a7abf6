package store_test

import (
	"context"
	"dateline/internal/clock"
	"errors"
	"testing"
	"time"

	"dateline/internal/account"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

// TestSessionsKeptAreCheckedOnEveryUse runs two stores on one database, as
// two instances run, and checks that every change one makes to a session
// or its user shows on the other's very next read of the session, though
// the other keeps the sessions it has read.
func TestSessionsKeptAreCheckedOnEveryUse(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, d)
			open := func() *store.Store {
				s, err := store.Open(ctx, dsn, clock.System)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = s.Close() })
				return s
			}
			one, two := open(), open()
			if _, err := one.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			r := newReader(t, one, "checked@example.com")
			// The clock stands still, as it seems to for changes made
			// within one tick: updated_at alone would not tell them.
			at := r.user.UpdatedAt
			one.Now = func() time.Time { return at }
			user := func() *account.User {
				t.Helper()
				_, u, err := two.SessionByToken(ctx, r.hash)
				if err != nil {
					t.Fatal(err)
				}
				return u
			}
			// Read twice, so the second comes from what two keeps.
			user()
			if u := user(); u.DisplayName != "Reader" || !u.EmailVerifiedAt.IsZero() {
				t.Fatalf("the session's user: %+v", u)
			}

			if err := one.UpdateDisplayName(ctx, r.user.ID, "Renamed"); err != nil {
				t.Fatal(err)
			}
			if u := user(); u.DisplayName != "Renamed" {
				t.Errorf("after a rename elsewhere: %q", u.DisplayName)
			}
			if err := one.SetPasswordHash(ctx, r.user.ID, "rehashed"); err != nil {
				t.Fatal(err)
			}
			if u := user(); u.PasswordHash != "rehashed" {
				t.Errorf("after a rehash elsewhere: %q", u.PasswordHash)
			}
			hash := account.HashToken("verify-checked")
			tok := &account.EmailToken{Hash: hash, UserID: r.user.ID, Purpose: account.VerifyEmail, Email: r.user.Email,
				CreatedAt: time.Now().UTC(), ExpiresAt: time.Now().UTC().Add(time.Hour)}
			if err := one.CreateEmailToken(ctx, tok); err != nil {
				t.Fatal(err)
			}
			if _, err := one.UseEmailToken(ctx, hash, at); err != nil {
				t.Fatal(err)
			}
			if u := user(); u.EmailVerifiedAt.IsZero() {
				t.Error("after the address was confirmed elsewhere, the user is unconfirmed")
			}
			later := time.Now().UTC().Add(2 * time.Minute).Truncate(time.Second)
			if err := one.TouchSession(ctx, r.sess.ID, later); err != nil {
				t.Fatal(err)
			}
			if sess, _, _ := two.SessionByToken(ctx, r.hash); sess == nil || !sess.LastSeen.Equal(later) {
				t.Errorf("after a use recorded elsewhere, last seen %v, want %v", sess.LastSeen, later)
			}

			if err := one.DeleteSession(ctx, r.hash); err != nil {
				t.Fatal(err)
			}
			if _, _, err := two.SessionByToken(ctx, r.hash); !errors.Is(err, account.ErrNotFound) {
				t.Errorf("a session logged out elsewhere: %v", err)
			}
		})
	}
}
