package account_test

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"dateline/internal/account"
	"dateline/internal/mail"
	"dateline/internal/password"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

var ctx = context.Background()

// clock is a settable clock shared by the service and the store.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time            { return c.now }
func (c *clock) Advance(d time.Duration)   { c.now = c.now.Add(d) }
func (c *clock) Set(t time.Time) time.Time { c.now = t; return t }

// testParams are real argon2id, made cheap so the suite stays fast.
var testParams = password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// env is an account service over a real database.
type env struct {
	t     *testing.T
	db    *store.Store
	svc   *account.Service
	clock *clock
	alice account.Client
}

func newEnv(t *testing.T, db *store.Store, edit ...func(*account.Options)) *env {
	t.Helper()
	c := &clock{now: time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)}
	db.Now = c.Now
	composer, err := mail.NewComposer("Dateline", "https://news.example", "Dateline <news@news.example>")
	if err != nil {
		t.Fatal(err)
	}
	opts := account.Options{
		Store: db, Hasher: password.NewHasher(testParams, 4, time.Second), Policy: password.NewPolicy(),
		Composer: composer, SiteName: "Dateline", BaseURL: "https://news.example", Now: c.Now,
		ResetRequestFloor: -1, Log: slog.New(slog.DiscardHandler),
	}
	for _, f := range edit {
		f(&opts)
	}
	svc, err := account.New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, db: db, svc: svc, clock: c, alice: account.Client{IP: "192.0.2.10", UserAgent: "TestBrowser/1.0"}}
}

func eachEnv(t *testing.T, fn func(t *testing.T, e *env)) {
	storetest.Each(t, func(t *testing.T, db *store.Store) { fn(t, newEnv(t, db)) })
}

// register signs up a reader, logs in and returns the session token.
func (e *env) register(email, name, pw string) (*account.User, string) {
	e.t.Helper()
	res, err := e.svc.Register(ctx, account.SignUp{Email: email, Name: name, Password: pw}, e.alice)
	if err != nil {
		e.t.Fatalf("register %s: %v", email, err)
	}
	if res.User == nil {
		e.t.Fatalf("register %s: no account created", email)
	}
	token, _, err := e.svc.LogIn(ctx, email, pw, false, e.alice, "")
	if err != nil {
		e.t.Fatalf("log in %s: %v", email, err)
	}
	return res.User, token
}

// mailTo lists the queued email to an address, newest first.
func (e *env) mailTo(addr string) []mail.Message {
	e.t.Helper()
	all, err := e.db.RecentMail(ctx, 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []mail.Message
	for _, m := range all {
		if m.To == addr {
			out = append(out, m)
		}
	}
	return out
}

var codeLine = regexp.MustCompile(`(?m)^Your reset code: (\d+)\s*$`)

// lastCode reads the code out of the newest reset email to addr.
func (e *env) lastCode(addr string) string {
	e.t.Helper()
	for _, m := range e.mailTo(addr) {
		if match := codeLine.FindStringSubmatch(m.Text); match != nil {
			return match[1]
		}
	}
	e.t.Fatalf("no reset code was sent to %s", addr)
	return ""
}

func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	storetest.RawOf(e.t, e.db).QueryRow(e.t, query, &n, args...)
	return n
}

// fieldOf names the field an error is about; for several, they are
// joined with commas.
func fieldOf(err error) string {
	var fes account.FieldErrors
	if errors.As(err, &fes) {
		var names []string
		for _, fe := range fes {
			names = append(names, fe.Field)
		}
		return strings.Join(names, ",")
	}
	var fe *account.FieldError
	if errors.As(err, &fe) {
		return fe.Field
	}
	return ""
}

func TestRegister(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		res, err := e.svc.Register(ctx, account.SignUp{Email: " Ann@Example.COM ", Name: "  Ann   Reader ", Password: "correct horse battery"}, e.alice)
		if err != nil {
			t.Fatal(err)
		}
		u := res.User
		if u == nil || u.Email != "ann@example.com" || u.DisplayName != "Ann Reader" || u.Role != account.Reader || u.Verified() {
			t.Fatalf("user = %+v", u)
		}
		// Signing up starts no session: the emailed link does.
		if n := e.count(`SELECT COUNT(*) FROM sessions`); n != 0 {
			t.Errorf("sign-up started %d sessions, want none", n)
		}
		if !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
			t.Errorf("password stored as %q", u.PasswordHash)
		}
		verify := e.mailTo("ann@example.com")
		if len(verify) != 1 || !strings.Contains(verify[0].Text, "https://news.example/account/verify?token=") {
			t.Fatalf("verification email: %+v", verify)
		}

		// The same address again creates nothing and starts no session.
		res, err = e.svc.Register(ctx, account.SignUp{Email: "ANN@example.com", Name: "Impostor", Password: "another good passphrase"}, e.alice)
		if err != nil || res.User != nil || e.count(`SELECT COUNT(*) FROM sessions`) != 0 {
			t.Fatalf("second sign-up = %+v, %v; want nothing", res, err)
		}
		if n := e.count(`SELECT COUNT(*) FROM users`); n != 1 {
			t.Errorf("%d users, want 1", n)
		}
		// The owner hears of it, with the ways back in; at most 3 times an hour.
		told := e.mailTo("ann@example.com")
		if len(told) != 2 || !strings.Contains(told[0].Text, "https://news.example/password/forgot") {
			t.Fatalf("the owner was not told of the second sign-up")
		}
		for range 4 {
			e.svc.Register(ctx, account.SignUp{Email: "ann@example.com", Name: "Impostor", Password: "another good passphrase"}, e.alice)
		}
		if n := len(e.mailTo("ann@example.com")); n != 4 {
			t.Errorf("%d emails after 6 sign-ups, want 4 (one verification, three notes)", n)
		}
	})
}

func TestRegisterRefusesBadInputAndWritesNothing(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		long := strings.Repeat("a", 250) + "@example.com"
		for _, tc := range []struct {
			name, email, display, pw, field string
		}{
			{"malformed email", "not-an-email", "Ann", "correct horse battery", "email"},
			{"email with a name", "Ann <ann@example.com>", "Ann", "correct horse battery", "email"},
			{"overlong email", long, "Ann", "correct horse battery", "email"},
			{"empty email", "", "Ann", "correct horse battery", "email"},
			{"empty name", "ann@example.com", "   ", "correct horse battery", "name"},
			{"html in the name", "ann@example.com", "<b>Ann</b>", "correct horse battery", "name"},
			{"overlong name", "ann@example.com", strings.Repeat("n", 81), "correct horse battery", "name"},
			{"invisible characters", "ann@example.com", "Ann\u202eReader", "correct horse battery", "name"},
			{"empty password", "ann@example.com", "Ann", "", "password"},
			{"short password", "ann@example.com", "Ann", "seven77", "password"},
			{"huge password", "ann@example.com", "Ann", strings.Repeat("x", 100000), "password"},
			{"common password", "ann@example.com", "Ann", "password123", "password"},
			{"password is the email", "ann@example.com", "Ann", "ann@example.com", "password"},
		} {
			_, err := e.svc.Register(ctx, account.SignUp{Email: tc.email, Name: tc.display, Password: tc.pw}, e.alice)
			if fieldOf(err) != tc.field {
				t.Errorf("%s: err = %v, want a message on %s", tc.name, err, tc.field)
			}
		}
		if n := e.count(`SELECT COUNT(*) FROM users`) + e.count(`SELECT COUNT(*) FROM outbox`); n != 0 {
			t.Errorf("refused sign-ups left %d rows", n)
		}
		// Every wrong field is named at once.
		_, err := e.svc.Register(ctx, account.SignUp{Email: "nope", Name: "", Password: "short"}, e.alice)
		if got := fieldOf(err); got != "email,name,password" {
			t.Errorf("three bad fields: %q", got)
		}
		// Long passphrases of any characters are fine.
		e.register("bo@example.com", "Bo", strings.Repeat("ünï 漢字 ", 16))
	})
}

func TestLogIn(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		u, planted := e.register("ann@example.com", "Ann", "correct horse battery")
		for _, tc := range []struct{ email, pw string }{
			{"ann@example.com", "wrong horse battery"},
			{"nobody@example.com", "correct horse battery"},
		} {
			if _, _, err := e.svc.LogIn(ctx, tc.email, tc.pw, false, e.alice, ""); !errors.Is(err, account.ErrBadCredentials) {
				t.Errorf("LogIn(%s) = %v, want ErrBadCredentials", tc.email, err)
			}
		}
		// Session fixation: the token the browser had is not the one after
		// log-in, and no longer works.
		token, sess, err := e.svc.LogIn(ctx, "ANN@example.com", "correct horse battery", false, e.alice, planted)
		if err != nil {
			t.Fatal(err)
		}
		if token == planted || sess.UserID != u.ID {
			t.Fatal("log-in kept the planted token")
		}
		if _, _, err := e.svc.Authenticate(ctx, planted); !errors.Is(err, account.ErrNotFound) {
			t.Errorf("planted token after log-in: %v, want ErrNotFound", err)
		}
		if got, _, err := e.svc.Authenticate(ctx, token); err != nil || got.ID != u.ID {
			t.Errorf("new token: %v", err)
		}
		// Tokens are stored only as hashes.
		if n := e.count(`SELECT COUNT(*) FROM sessions WHERE token_hash = ?`, token); n != 0 {
			t.Error("a session token is stored in plain text")
		}
		if n := e.count(`SELECT COUNT(*) FROM sessions WHERE token_hash = ?`, account.HashToken(token)); n != 1 {
			t.Error("the session is not stored under its token's hash")
		}
	})
}

func TestLogInThrottling(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.register("ann@example.com", "Ann", "correct horse battery")
		var throttled *account.ThrottledError
		for i := range 5 {
			_, _, err := e.svc.LogIn(ctx, "ann@example.com", "guess", false, e.alice, "")
			if !errors.Is(err, account.ErrBadCredentials) {
				t.Fatalf("failure %d: %v", i+1, err)
			}
		}
		// Blocked now, even with the right password.
		_, _, err := e.svc.LogIn(ctx, "ann@example.com", "correct horse battery", false, e.alice, "")
		if !errors.As(err, &throttled) || throttled.RetryAfter <= 0 {
			t.Fatalf("after 5 failures: %v, want a ThrottledError", err)
		}
		first := throttled.RetryAfter
		// An unknown address is throttled the same way: blocks say nothing
		// about who has an account.
		for range 5 {
			e.svc.LogIn(ctx, "nobody@example.com", "guess", false, account.Client{IP: "198.51.100.7"}, "")
		}
		if _, _, err := e.svc.LogIn(ctx, "nobody@example.com", "guess", false, account.Client{IP: "198.51.100.7"}, ""); !errors.As(err, &throttled) {
			t.Errorf("unknown address after 5 failures: %v, want a ThrottledError", err)
		}
		// The delay grows with further failures.
		e.clock.Advance(first + time.Second)
		e.svc.LogIn(ctx, "ann@example.com", "guess", false, e.alice, "")
		_, _, err = e.svc.LogIn(ctx, "ann@example.com", "correct horse battery", false, e.alice, "")
		if !errors.As(err, &throttled) || throttled.RetryAfter <= first {
			t.Fatalf("after a 6th failure: %v, want a longer block than %v", err, first)
		}
		e.clock.Advance(throttled.RetryAfter + time.Second)
		if _, _, err := e.svc.LogIn(ctx, "ann@example.com", "correct horse battery", false, e.alice, ""); err != nil {
			t.Fatalf("after the block: %v", err)
		}
	})
}

func TestLogInThrottlingPerIP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		e := newEnv(t, db, func(o *account.Options) { o.LoginFailuresIP = 8 })
		e.register("ann@example.com", "Ann", "correct horse battery")
		// One IP tries many addresses, a few times each.
		for i := range 8 {
			e.svc.LogIn(ctx, "spray"+string(rune('a'+i))+"@example.com", "guess", false, account.Client{IP: "203.0.113.9"}, "")
		}
		var throttled *account.ThrottledError
		_, _, err := e.svc.LogIn(ctx, "ann@example.com", "correct horse battery", false, account.Client{IP: "203.0.113.9"}, "")
		if !errors.As(err, &throttled) {
			t.Fatalf("IP after 8 failures: %v, want a ThrottledError", err)
		}
		// Another IP is not affected.
		if _, _, err := e.svc.LogIn(ctx, "ann@example.com", "correct horse battery", false, e.alice, ""); err != nil {
			t.Errorf("another IP: %v", err)
		}
	})
}

func TestSessionLifetimes(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.register("ann@example.com", "Ann", "correct horse battery")
		short, _, _ := e.svc.LogIn(ctx, "ann@example.com", "correct horse battery", false, e.alice, "")
		long, _, _ := e.svc.LogIn(ctx, "ann@example.com", "correct horse battery", true, e.alice, "")

		// 11 hours idle: both live; using them resets the idle clock.
		e.clock.Advance(11 * time.Hour)
		for _, tok := range []string{short, long} {
			if _, _, err := e.svc.Authenticate(ctx, tok); err != nil {
				t.Fatalf("after 11 h: %v", err)
			}
		}
		// 12 hours more without use: the ordinary session is gone, "keep me
		// signed in" lives on.
		e.clock.Advance(12*time.Hour + time.Minute)
		if _, _, err := e.svc.Authenticate(ctx, short); !errors.Is(err, account.ErrNotFound) {
			t.Errorf("ordinary session idle 12 h: %v, want ErrNotFound", err)
		}
		if _, _, err := e.svc.Authenticate(ctx, long); err != nil {
			t.Errorf("remembered session idle 12 h: %v", err)
		}
		// 31 days idle ends even a remembered session.
		e.clock.Advance(31 * 24 * time.Hour)
		if _, _, err := e.svc.Authenticate(ctx, long); !errors.Is(err, account.ErrNotFound) {
			t.Errorf("remembered session idle 31 days: %v, want ErrNotFound", err)
		}

		// Used every day, a remembered session still ends after 90 days.
		busy, _, _ := e.svc.LogIn(ctx, "ann@example.com", "correct horse battery", true, e.alice, "")
		for day := 1; day < 90; day++ {
			e.clock.Advance(24 * time.Hour)
			if _, _, err := e.svc.Authenticate(ctx, busy); err != nil {
				t.Fatalf("day %d: %v", day, err)
			}
		}
		e.clock.Advance(24*time.Hour + time.Minute)
		if _, _, err := e.svc.Authenticate(ctx, busy); !errors.Is(err, account.ErrNotFound) {
			t.Errorf("after 90 days of use: %v, want ErrNotFound", err)
		}
	})
}

func TestSignOutOthersAndSessionList(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		u, _ := e.register("ann@example.com", "Ann", "correct horse battery")
		phone, _, _ := e.svc.LogIn(ctx, "ann@example.com", "correct horse battery", false, account.Client{IP: "192.0.2.20", UserAgent: "Phone"}, "")
		laptop, sess, _ := e.svc.LogIn(ctx, "ann@example.com", "correct horse battery", false, account.Client{IP: "192.0.2.30", UserAgent: "Laptop"}, "")
		list, err := e.svc.Sessions(ctx, u.ID)
		if err != nil || len(list) != 3 {
			t.Fatalf("sessions = %d, %v; want 3", len(list), err)
		}
		seen := map[string]bool{}
		for _, s := range list {
			seen[s.UserAgent+" "+s.IP] = true
		}
		if !seen["Phone 192.0.2.20"] || !seen["Laptop 192.0.2.30"] {
			t.Errorf("session list lacks browser or IP: %v", seen)
		}
		if err := e.svc.SignOutOthers(ctx, u.ID, sess.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.Authenticate(ctx, phone); !errors.Is(err, account.ErrNotFound) {
			t.Errorf("phone after sign-out-everywhere-else: %v", err)
		}
		if _, _, err := e.svc.Authenticate(ctx, laptop); err != nil {
			t.Errorf("the current session was signed out: %v", err)
		}
	})
}

func TestEmailVerificationAndChange(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		u, token := e.register("ann@example.com", "Ann", "correct horse battery")
		link := regexp.MustCompile(`token=([A-Za-z0-9_-]+)`).FindStringSubmatch(e.mailTo("ann@example.com")[0].Text)
		if link == nil {
			t.Fatal("no link in the verification email")
		}
		if _, err := e.svc.ConfirmEmail(ctx, "wrong"+link[1]); !errors.Is(err, account.ErrBadToken) {
			t.Errorf("wrong token: %v", err)
		}
		if _, err := e.svc.ConfirmEmail(ctx, link[1]); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := e.svc.Authenticate(ctx, token); !got.Verified() {
			t.Error("the address is not verified after the link")
		}
		if _, err := e.svc.ConfirmEmail(ctx, link[1]); !errors.Is(err, account.ErrBadToken) {
			t.Errorf("the link works twice: %v", err)
		}

		// Changing the address needs the password, is confirmed from the new
		// address, and tells the old one.
		if err := e.svc.RequestEmailChange(ctx, u, "ann.new@example.com", "wrong"); fieldOf(err) != "current_password" {
			t.Errorf("email change with a wrong password: %v", err)
		}
		if err := e.svc.RequestEmailChange(ctx, u, "ann.new@example.com", "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		msgs := e.mailTo("ann.new@example.com")
		if len(msgs) != 1 {
			t.Fatalf("%d emails to the new address, want 1", len(msgs))
		}
		notice := e.mailTo("ann@example.com")
		if len(notice) != 2 || !strings.Contains(notice[0].Text, "ann.new@example.com") || !strings.Contains(notice[0].Text, "/password/forgot") {
			t.Errorf("no notice to the old address naming the new one and the way to stop it")
		}
		if got, _, _ := e.svc.Authenticate(ctx, token); got.Email != "ann@example.com" {
			t.Error("the address changed before the new one confirmed it")
		}
		change := regexp.MustCompile(`token=([A-Za-z0-9_-]+)`).FindStringSubmatch(msgs[0].Text)
		tok, err := e.svc.ConfirmEmail(ctx, change[1])
		if err != nil || tok.Purpose != account.ChangeEmail {
			t.Fatalf("confirm change: %v", err)
		}
		if got, _, _ := e.svc.Authenticate(ctx, token); got.Email != "ann.new@example.com" {
			t.Errorf("email after confirmation = %q", got.Email)
		}

		// A link expires.
		e.svc.ResendVerification(ctx, &account.User{ID: u.ID, Email: "ann.new@example.com", DisplayName: "Ann"})
		e.clock.Advance(73 * time.Hour)
		last := regexp.MustCompile(`token=([A-Za-z0-9_-]+)`).FindStringSubmatch(e.mailTo("ann.new@example.com")[0].Text)
		if _, err := e.svc.ConfirmEmail(ctx, last[1]); !errors.Is(err, account.ErrBadToken) {
			t.Errorf("a 73-hour-old link: %v, want ErrBadToken", err)
		}
	})
}

func TestPasswordResetVoidsAPendingEmailChange(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		u, _ := e.register("ann@example.com", "Ann", "correct horse battery")
		// Someone with the password asks to move the account away.
		if err := e.svc.RequestEmailChange(ctx, u, "intruder@example.com", "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		link := regexp.MustCompile(`token=([A-Za-z0-9_-]+)`).FindStringSubmatch(e.mailTo("intruder@example.com")[0].Text)
		// The owner, warned at the old address, resets the password.
		e.svc.RequestReset(ctx, "ann@example.com", e.alice)
		if err := e.reset("ann@example.com", e.lastCode("ann@example.com"), "the owner's new passphrase"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.ConfirmEmail(ctx, link[1]); !errors.Is(err, account.ErrBadToken) {
			t.Errorf("the intruder's link still works after the reset: %v", err)
		}
		if got, _ := e.db.UserByEmail(ctx, "ann@example.com"); got == nil {
			t.Error("the account moved away")
		}
	})
}

func TestChangePasswordAndDelete(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		u, other := e.register("ann@example.com", "Ann", "correct horse battery")
		here, sess, _ := e.svc.LogIn(ctx, "ann@example.com", "correct horse battery", false, e.alice, "")
		if err := e.svc.ChangePassword(ctx, u, sess, "wrong", "a new long passphrase"); fieldOf(err) != "current_password" {
			t.Errorf("wrong current password: %v", err)
		}
		if err := e.svc.ChangePassword(ctx, u, sess, "correct horse battery", "short"); fieldOf(err) != "new_password" {
			t.Errorf("bad new password: %v", err)
		}
		if err := e.svc.ChangePassword(ctx, u, sess, "correct horse battery", "a new long passphrase"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.Authenticate(ctx, other); !errors.Is(err, account.ErrNotFound) {
			t.Error("another session survived a password change")
		}
		if _, _, err := e.svc.Authenticate(ctx, here); err != nil {
			t.Error("the session that changed the password was ended")
		}
		if _, _, err := e.svc.LogIn(ctx, "ann@example.com", "a new long passphrase", false, e.alice, ""); err != nil {
			t.Errorf("log in with the new password: %v", err)
		}
		if !strings.Contains(e.mailTo("ann@example.com")[0].Subject, "password") {
			t.Error("no password-changed notice")
		}

		fresh, _, _ := e.svc.Authenticate(ctx, here)
		if err := e.svc.Delete(ctx, fresh, "wrong"); fieldOf(err) != "current_password" {
			t.Errorf("delete with a wrong password: %v", err)
		}
		if err := e.svc.Delete(ctx, fresh, "a new long passphrase"); err != nil {
			t.Fatal(err)
		}
		if n := e.count(`SELECT COUNT(*) FROM users`) + e.count(`SELECT COUNT(*) FROM sessions`); n != 0 {
			t.Errorf("%d rows left after deleting the account", n)
		}
	})
}

func TestRehashOnLogIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		e := newEnv(t, db)
		e.register("ann@example.com", "Ann", "correct horse battery")
		stronger := testParams
		stronger.Time = 2
		e2 := newEnv(t, db, func(o *account.Options) { o.Hasher = password.NewHasher(stronger, 2, time.Second) })
		if _, _, err := e2.svc.LogIn(ctx, "ann@example.com", "correct horse battery", false, e.alice, ""); err != nil {
			t.Fatal(err)
		}
		u, err := db.UserByEmail(ctx, "ann@example.com")
		if err != nil || !strings.Contains(u.PasswordHash, ",t=2,") {
			t.Errorf("hash after log-in with raised parameters: %q", u.PasswordHash)
		}
	})
}

func TestExportData(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		u, _ := e.register("ann@example.com", "Ann", "correct horse battery")
		x, err := e.svc.ExportData(ctx, u)
		if err != nil || x.Email != "ann@example.com" || x.DisplayName != "Ann" || len(x.Sessions) != 1 || x.Sessions[0].IP != e.alice.IP {
			t.Errorf("export = %+v, %v", x, err)
		}
	})
}
