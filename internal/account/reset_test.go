package account_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"dateline/internal/account"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

const (
	oldPassword = "correct horse battery"
	newPassword = "a brand new passphrase"
)

func (e *env) reset(email, code, pw string) error {
	return e.svc.ResetPassword(ctx, account.Reset{Email: email, Code: code, Password: pw}, e.alice)
}

func TestResetJourney(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		u, session := e.register("ann@example.com", "Ann", oldPassword)
		if err := e.svc.RequestReset(ctx, "Ann@Example.com", e.alice); err != nil {
			t.Fatal(err)
		}
		code := e.lastCode("ann@example.com")
		if !regexp.MustCompile(`^\d{8,}$`).MatchString(code) {
			t.Fatalf("code %q: want at least 8 digits", code)
		}
		msg := e.mailTo("ann@example.com")[0]
		wantLink := "https://news.example/password/reset?code=" + code + "&email=ann%40example.com"
		if !strings.Contains(msg.Text, wantLink) || !strings.Contains(msg.HTML, code) {
			t.Errorf("the email lacks the link that fills in the form (%s)", wantLink)
		}
		// The code is kept only as a keyed hash.
		var stored string
		storetest.RawOf(t, e.db).QueryRow(t, `SELECT code_hash FROM reset_codes WHERE user_id = ?`, &stored, u.ID)
		if strings.Contains(stored, code) || len(stored) < 64 {
			t.Errorf("stored code hash %q", stored)
		}
		// Requesting a code changes nothing by itself.
		if _, _, err := e.svc.LogIn(ctx, "ann@example.com", oldPassword, false, e.alice, ""); err != nil {
			t.Fatalf("log-in after a reset request: %v", err)
		}

		// A bad new password keeps the code good.
		if err := e.reset("ann@example.com", code, "short"); fieldOf(err) != "password" {
			t.Fatalf("short new password: %v", err)
		}
		if err := e.reset("ann@example.com", code[:4]+" "+code[4:], newPassword); err != nil {
			t.Fatalf("reset: %v", err)
		}
		// Every session ended; the old password fails, the new one works.
		if _, _, err := e.svc.Authenticate(ctx, session); !errors.Is(err, account.ErrNotFound) {
			t.Error("a session survived the reset")
		}
		if _, _, err := e.svc.LogIn(ctx, "ann@example.com", oldPassword, false, e.alice, ""); !errors.Is(err, account.ErrBadCredentials) {
			t.Errorf("old password after reset: %v", err)
		}
		if _, _, err := e.svc.LogIn(ctx, "ann@example.com", newPassword, false, e.alice, ""); err != nil {
			t.Errorf("new password after reset: %v", err)
		}
		notice := e.mailTo("ann@example.com")[0]
		if !strings.Contains(strings.ToLower(notice.Subject), "password") || !strings.Contains(notice.Text, "/password/forgot") {
			t.Errorf("no password-changed notice saying what to do: %q", notice.Subject)
		}
		// The code works once.
		if err := e.reset("ann@example.com", code, "yet another passphrase"); !errors.Is(err, account.ErrBadCode) {
			t.Errorf("second use of the code: %v, want ErrBadCode", err)
		}
	})
}

func TestResetCodeExpires(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.register("ann@example.com", "Ann", oldPassword)
		e.svc.RequestReset(ctx, "ann@example.com", e.alice)
		code := e.lastCode("ann@example.com")
		e.clock.Advance(10*time.Minute + time.Second)
		if err := e.reset("ann@example.com", code, newPassword); !errors.Is(err, account.ErrBadCode) {
			t.Errorf("code after 10 minutes: %v, want ErrBadCode", err)
		}
		e.svc.RequestReset(ctx, "ann@example.com", e.alice)
		code = e.lastCode("ann@example.com")
		e.clock.Advance(9*time.Minute + 50*time.Second)
		if err := e.reset("ann@example.com", code, newPassword); err != nil {
			t.Errorf("code within 10 minutes: %v", err)
		}
	})
}

func TestNewerCodeVoidsOlder(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.register("ann@example.com", "Ann", oldPassword)
		e.svc.RequestReset(ctx, "ann@example.com", e.alice)
		older := e.lastCode("ann@example.com")
		e.clock.Advance(time.Second)
		e.svc.RequestReset(ctx, "ann@example.com", e.alice)
		newer := e.lastCode("ann@example.com")
		if older == newer {
			t.Skip("two random codes collided; vanishingly rare")
		}
		if err := e.reset("ann@example.com", older, newPassword); !errors.Is(err, account.ErrBadCode) {
			t.Errorf("older code: %v, want ErrBadCode", err)
		}
		if err := e.reset("ann@example.com", newer, newPassword); err != nil {
			t.Errorf("newer code: %v", err)
		}
	})
}

func TestFiveWrongTriesVoidTheCode(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.register("ann@example.com", "Ann", oldPassword)
		e.svc.RequestReset(ctx, "ann@example.com", e.alice)
		code := e.lastCode("ann@example.com")
		wrong := "00000000"
		if wrong == code {
			wrong = "11111111"
		}
		for i := range 5 {
			if err := e.reset("ann@example.com", wrong, newPassword); !errors.Is(err, account.ErrBadCode) {
				t.Fatalf("wrong try %d: %v", i+1, err)
			}
		}
		if err := e.reset("ann@example.com", code, newPassword); !errors.Is(err, account.ErrBadCode) {
			t.Errorf("the right code after 5 wrong tries: %v, want ErrBadCode", err)
		}
		if _, _, err := e.svc.LogIn(ctx, "ann@example.com", oldPassword, false, e.alice, ""); err != nil {
			t.Errorf("wrong codes locked the account: %v", err)
		}
	})

	// Four wrong tries leave the code usable.
	eachEnv(t, func(t *testing.T, e *env) {
		e.register("ann@example.com", "Ann", oldPassword)
		e.svc.RequestReset(ctx, "ann@example.com", e.alice)
		code := e.lastCode("ann@example.com")
		for range 4 {
			e.reset("ann@example.com", strings.Repeat("9", 8), newPassword)
		}
		if code != strings.Repeat("9", 8) {
			if err := e.reset("ann@example.com", code, newPassword); err != nil {
				t.Errorf("the right code after 4 wrong tries: %v", err)
			}
		}
	})
}

func TestResetRequestLimits(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.register("ann@example.com", "Ann", oldPassword)
		before := len(e.mailTo("ann@example.com"))
		// Three codes an hour per address; the fourth request answers the
		// same and sends nothing.
		for i := range 4 {
			if err := e.svc.RequestReset(ctx, "ann@example.com", account.Client{IP: "192.0.2." + string(rune('1'+i))}); err != nil {
				t.Fatalf("request %d: %v", i+1, err)
			}
		}
		if got := len(e.mailTo("ann@example.com")) - before; got != 3 {
			t.Errorf("%d codes sent in an hour, want 3", got)
		}
		e.clock.Advance(time.Hour + time.Minute)
		e.svc.RequestReset(ctx, "ann@example.com", account.Client{IP: "192.0.2.99"})
		if got := len(e.mailTo("ann@example.com")) - before; got != 4 {
			t.Errorf("after an hour: %d codes in all, want 4", got)
		}
	})
	// Per IP: a 429 past the limit, whatever the address.
	eachEnv(t, func(t *testing.T, e *env) {
		ip := account.Client{IP: "203.0.113.50"}
		for i := range 10 {
			if err := e.svc.RequestReset(ctx, "someone"+string(rune('a'+i))+"@example.com", ip); err != nil {
				t.Fatalf("request %d: %v", i+1, err)
			}
		}
		var throttled *account.ThrottledError
		if err := e.svc.RequestReset(ctx, "another@example.com", ip); !errors.As(err, &throttled) {
			t.Errorf("11th request from one IP: %v, want a ThrottledError", err)
		}
	})
}

func TestResetForUnknownAddressSendsNothing(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.register("ann@example.com", "Ann", oldPassword)
		before := e.count(`SELECT COUNT(*) FROM outbox`)
		if err := e.svc.RequestReset(ctx, "nobody@example.com", e.alice); err != nil {
			t.Fatalf("unknown address: %v, want nil like a known one", err)
		}
		if after := e.count(`SELECT COUNT(*) FROM outbox`); after != before {
			t.Error("an email was queued for an unknown address")
		}
		if err := e.reset("nobody@example.com", "12345678", newPassword); !errors.Is(err, account.ErrBadCode) {
			t.Errorf("reset for an unknown address: %v, want ErrBadCode", err)
		}
		for _, bad := range []string{"", "x", "1234", "12345678901234567890", "1234567a"} {
			if err := e.reset("ann@example.com", bad, newPassword); fieldOf(err) != "code" {
				t.Errorf("code %q: %v, want a message on the code field", bad, err)
			}
		}
	})
}

func TestResetTakesTheSameTimeForAnyAddress(t *testing.T) {
	// Every request is held to the same floor, known address or not: the
	// test records the waits through the injected sleep and the fixed clock.
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		var waits []time.Duration
		e := newEnv(t, db, func(o *account.Options) {
			o.ResetRequestFloor = 250 * time.Millisecond
			o.Sleep = func(_ context.Context, d time.Duration) { waits = append(waits, d) }
		})
		e.register("ann@example.com", "Ann", oldPassword)
		for _, addr := range []string{"ann@example.com", "nobody@example.com"} {
			if err := e.svc.RequestReset(ctx, addr, e.alice); err != nil {
				t.Fatal(err)
			}
		}
		if len(waits) != 2 || waits[0] != 250*time.Millisecond || waits[1] != waits[0] {
			t.Errorf("waits = %v, want the 250ms floor for both addresses", waits)
		}
	})
}
