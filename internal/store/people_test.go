package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"dateline/internal/account"
	"dateline/internal/audit"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

// peopleNow is the moment the people tests live in.
var peopleNow = time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)

func addUser(t *testing.T, s *store.Store, email string, role account.Role) *account.User {
	t.Helper()
	u := &account.User{Email: email, DisplayName: "Person " + email, PasswordHash: "x", Role: role, CreatedAt: peopleNow, UpdatedAt: peopleNow}
	if err := s.CreateUser(context.Background(), u, nil, nil); err != nil {
		t.Fatal(err)
	}
	return u
}

func roleEntry(actor *account.User, role account.Role) func(*account.User) *audit.Entry {
	return func(before *account.User) *audit.Entry {
		return audit.New(peopleNow, account.ActorOf(actor), audit.RoleChanged, before.Email, fmt.Sprintf("%s → %s", before.Role, role))
	}
}

func countAdmins(t *testing.T, s *store.Store) int {
	t.Helper()
	var n int
	if err := s.ReaderQueryRowForTest(`SELECT count(*) FROM users WHERE role = 'admin'`, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestLastAdminKept demotes two administrators at the same moment, again
// and again: each time exactly one demotion goes through and the other is
// refused, so the site always keeps an administrator; an entry is written
// for each change made and none for a refused one.
func TestLastAdminKept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		s.Now = func() time.Time { return peopleNow }
		a, b := addUser(t, s, "a@example.com", account.Admin), addUser(t, s, "b@example.com", account.Admin)
		const rounds = 8
		for round := range rounds {
			errs := make([]error, 2)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i, u := range []*account.User{a, b} {
				wg.Go(func() {
					<-start
					_, errs[i] = s.SetRole(ctx, u.ID, account.Editor, roleEntry(u, account.Editor))
				})
			}
			close(start)
			wg.Wait()
			refused := 0
			for _, err := range errs {
				switch {
				case errors.Is(err, account.ErrLastAdmin):
					refused++
				case err != nil:
					t.Fatalf("round %d: %v", round, err)
				}
			}
			if refused != 1 || countAdmins(t, s) != 1 {
				t.Fatalf("round %d: %d refused, %d admins left; want 1 and 1", round, refused, countAdmins(t, s))
			}
			// Both administrators again for the next round.
			for _, u := range []*account.User{a, b} {
				if _, err := s.SetRole(ctx, u.ID, account.Admin, roleEntry(u, account.Admin)); err != nil {
					t.Fatal(err)
				}
			}
		}
		entries, err := s.AuditEntries(ctx, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		// Each round: one demotion, one promotion back (the other was
		// already an administrator: its entry says admin → admin).
		if len(entries) != rounds*3 {
			t.Errorf("%d audit entries, want %d", len(entries), rounds*3)
		}
		// Taking a role from the only administrator is refused alone too.
		if _, err := s.SetRole(ctx, a.ID, account.Reader, roleEntry(a, account.Reader)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetRole(ctx, b.ID, account.Reader, roleEntry(b, account.Reader)); !errors.Is(err, account.ErrLastAdmin) {
			t.Errorf("demoting the last admin: %v", err)
		}
		if err := s.DeleteUser(ctx, b.ID); !errors.Is(err, account.ErrLastAdmin) {
			t.Errorf("deleting the last admin's account: %v", err)
		}
		if err := s.DeleteUser(ctx, a.ID); err != nil {
			t.Errorf("deleting a reader's account: %v", err)
		}
		if _, err := s.SetRole(ctx, 999999, account.Editor, roleEntry(a, account.Editor)); !errors.Is(err, account.ErrNotFound) {
			t.Errorf("no such user: %v", err)
		}
	})
}

// TestInvitationsUsedOnce accepts one invitation twice at once (one
// wins), and checks that an expired invitation, a wrong token and
// another address are refused.
func TestInvitationsUsedOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		s.Now = func() time.Time { return peopleNow }
		admin := addUser(t, s, "admin@example.com", account.Admin)
		invite := func(email, token string) {
			inv := &account.Invitation{Email: email, Role: account.Editor, InvitedBy: admin.ID, CreatedAt: peopleNow,
				ExpiresAt: peopleNow.Add(account.InvitationTTL)}
			e := audit.New(peopleNow, account.ActorOf(admin), audit.InvitationSent, email, "as editor")
			if err := s.CreateInvitation(ctx, inv, account.HashToken(token), nil, e); err != nil {
				t.Fatal(err)
			}
		}
		entry := func(inv *account.Invitation, u *account.User) *audit.Entry {
			return audit.New(peopleNow, account.ActorOf(u), audit.InvitationUsed, u.Email, "joined as "+string(inv.Role))
		}
		newUser := func(email string) *account.User {
			return &account.User{Email: email, DisplayName: "New", PasswordHash: "x", CreatedAt: peopleNow, UpdatedAt: peopleNow}
		}
		invite("new@example.com", "tok-new")
		pending, err := s.PendingInvitations(ctx, peopleNow)
		if err != nil || len(pending) != 1 || pending[0].Email != "new@example.com" {
			t.Fatalf("pending: %v, %v", pending, err)
		}
		if _, err := s.AcceptInvitation(ctx, account.HashToken("tok-wrong"), "new@example.com", peopleNow, newUser("new@example.com"), 0, entry); !errors.Is(err, account.ErrBadToken) {
			t.Errorf("wrong token: %v", err)
		}
		if _, err := s.AcceptInvitation(ctx, account.HashToken("tok-new"), "other@example.com", peopleNow, newUser("other@example.com"), 0, entry); !errors.Is(err, account.ErrBadToken) {
			t.Errorf("another address: %v", err)
		}
		if _, err := s.AcceptInvitation(ctx, account.HashToken("tok-new"), "new@example.com", peopleNow.Add(account.InvitationTTL), newUser("new@example.com"), 0, entry); !errors.Is(err, account.ErrBadToken) {
			t.Errorf("expired: %v", err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Go(func() {
				_, errs[i] = s.AcceptInvitation(ctx, account.HashToken("tok-new"), "new@example.com", peopleNow.Add(time.Hour), newUser("new@example.com"), 0, entry)
			})
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, account.ErrBadToken):
				t.Errorf("the second acceptance: %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d acceptances of one invitation went through: %v", won, errs)
		}
		u, err := s.UserByEmail(ctx, "new@example.com")
		if err != nil || u.Role != account.Editor {
			t.Fatalf("the new editor: %+v, %v", u, err)
		}
		inv, err := s.InvitationByToken(ctx, account.HashToken("tok-new"))
		if err != nil || inv.Valid(peopleNow) {
			t.Errorf("the used invitation: %+v, %v", inv, err)
		}
		if pending, _ := s.PendingInvitations(ctx, peopleNow); len(pending) != 0 {
			t.Errorf("still pending: %v", pending)
		}

		// An existing account takes the invited role.
		reader := addUser(t, s, "reader@example.com", account.Reader)
		invite("reader@example.com", "tok-reader")
		got, err := s.AcceptInvitation(ctx, account.HashToken("tok-reader"), "reader@example.com", peopleNow, nil, reader.ID, entry)
		if err != nil || got.Role != account.Editor || got.ID != reader.ID {
			t.Fatalf("an existing reader accepts: %+v, %v", got, err)
		}
		entries, err := s.AuditEntries(ctx, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{audit.InvitationUsed, audit.InvitationSent, audit.InvitationUsed, audit.InvitationSent}
		if len(entries) != len(want) {
			t.Fatalf("%d entries, want %d: %+v", len(entries), len(want), entries)
		}
		for i, e := range entries {
			if e.Action != want[i] {
				t.Errorf("entry %d is %s, want %s", i, e.Action, want[i])
			}
		}
	})
}

// TestAuditLogPages reads the log newest first, a page at a time, and
// checks that an entry keeps its actor's name after the account is gone.
func TestAuditLogPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		s.Now = func() time.Time { return peopleNow }
		admin := addUser(t, s, "gone@example.com", account.Admin)
		addUser(t, s, "stays@example.com", account.Admin) // so the first may go
		for i := range 5 {
			e := audit.New(peopleNow.Add(time.Duration(i)*time.Minute), account.ActorOf(admin), audit.SettingsChanged, "site", fmt.Sprint(i))
			if err := s.RecordAudit(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.DeleteUser(ctx, admin.ID); err != nil {
			t.Fatal(err)
		}
		first, err := s.AuditEntries(ctx, 0, 2)
		if err != nil || len(first) != 2 || first[0].Details != "4" || first[1].Details != "3" {
			t.Fatalf("first page: %+v, %v", first, err)
		}
		if first[0].ActorID != 0 || first[0].Actor != "Person gone@example.com <gone@example.com>" || !first[0].At.Equal(peopleNow.Add(4*time.Minute)) {
			t.Errorf("entry after the account went: %+v", first[0])
		}
		rest, err := s.AuditEntries(ctx, first[1].ID, 10)
		if err != nil || len(rest) != 3 || rest[0].Details != "2" || rest[2].Details != "0" {
			t.Fatalf("the rest: %+v, %v", rest, err)
		}
	})
}

// TestLastSignIn: starting a session records the user's last sign-in,
// which the staff list shows.
func TestLastSignIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		s.Now = func() time.Time { return peopleNow }
		ed := addUser(t, s, "ed@example.com", account.Editor)
		addUser(t, s, "reader@example.com", account.Reader)
		staff, err := s.StaffMembers(ctx)
		if err != nil || len(staff) != 1 || !staff[0].LastLogin.IsZero() {
			t.Fatalf("before signing in: %+v, %v", staff, err)
		}
		at := peopleNow.Add(90 * time.Minute)
		sess := &account.Session{UserID: ed.ID, Created: at, LastSeen: at, Idle: time.Hour, Expires: at.Add(time.Hour)}
		if err := s.CreateSession(ctx, sess, account.HashToken("ed-session")); err != nil {
			t.Fatal(err)
		}
		staff, err = s.StaffMembers(ctx)
		if err != nil || len(staff) != 1 || !staff[0].LastLogin.Equal(at) || staff[0].Role != account.Editor {
			t.Fatalf("after signing in: %+v, %v", staff, err)
		}
	})
}
