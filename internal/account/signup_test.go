package account_test

import (
	"errors"
	"fmt"
	"regexp"
	"testing"

	"dateline/internal/account"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

func TestNetworkOf(t *testing.T) {
	for _, tc := range []struct{ ip, want string }{
		{"192.0.2.7", "192.0.2.7"},
		{"2001:db8:1:2::7", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::7", "2001:db8:1:3::/64"},
		{"2001:DB8:1:2::8", "2001:db8:1:2::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"::ffff:192.0.2.7", "192.0.2.7"},
		{"not an address", "not an address"},
		{"", ""},
	} {
		t.Run(tc.ip, func(t *testing.T) {
			if got := account.NetworkOf(tc.ip); got != tc.want {
				t.Errorf("NetworkOf(%q) = %q, want %q", tc.ip, got, tc.want)
			}
		})
	}
}

// signUp registers a new address from ip and returns the error.
func (e *env) signUp(i int, ip string) error {
	_, err := e.svc.Register(ctx, account.SignUp{
		Email: fmt.Sprintf("reader%d@example.com", i), Name: "Reader", Password: "correct horse battery",
	}, account.Client{IP: ip})
	return err
}

func TestSignUpsPerIP(t *testing.T) {
	const limit = 3
	for _, tc := range []struct {
		name string
		// first makes the sign-ups up to the limit; last is one more.
		first     func(i int) string
		last      string
		throttled bool
	}{
		{"one IPv4 address", func(int) string { return "203.0.113.9" }, "203.0.113.9", true},
		{"another IPv4 address", func(int) string { return "203.0.113.9" }, "203.0.113.10", false},
		{"addresses in one IPv6 /64", func(i int) string { return fmt.Sprintf("2001:db8:5:6::%x", i+1) }, "2001:db8:5:6:abcd::1", true},
		{"another IPv6 /64", func(i int) string { return fmt.Sprintf("2001:db8:5:6::%x", i+1) }, "2001:db8:5:7::1", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.Store) {
				e := newEnv(t, db, func(o *account.Options) { o.SignUpsPerIP = limit })
				for i := range limit {
					if err := e.signUp(i, tc.first(i)); err != nil {
						t.Fatalf("sign-up %d: %v", i+1, err)
					}
				}
				err := e.signUp(limit, tc.last)
				var throttled *account.ThrottledError
				if got := errors.As(err, &throttled); got != tc.throttled {
					t.Fatalf("sign-up %d from %s: %v, want throttled %v", limit+1, tc.last, err, tc.throttled)
				}
				want := limit + 1
				if tc.throttled {
					want = limit
				}
				if n := e.count(`SELECT COUNT(*) FROM users`); n != want {
					t.Errorf("%d accounts, want %d", n, want)
				}
			})
		})
	}
	// A taken address counts as a sign-up too, so the limit tells nothing.
	eachEnv(t, func(t *testing.T, e *env) {
		ip := account.Client{IP: "198.51.100.4"}
		for range 10 {
			e.svc.Register(ctx, account.SignUp{Email: "ann@example.com", Name: "Ann", Password: "correct horse battery"}, ip)
		}
		var throttled *account.ThrottledError
		if _, err := e.svc.Register(ctx, account.SignUp{Email: "new@example.com", Name: "New", Password: "correct horse battery"}, ip); !errors.As(err, &throttled) {
			t.Errorf("11th sign-up from one address: %v, want a ThrottledError", err)
		}
	})
}

// TestPerIPLimitsCountIPv6By64 walks every per-IP limit of the service
// from fresh addresses of one IPv6 /64: the network is refused as one
// address would be, and another /64 is not.
func TestPerIPLimitsCountIPv6By64(t *testing.T) {
	const limit = 3
	limits := func(o *account.Options) {
		o.SignUpsPerIP, o.LoginFailuresIP, o.ResetPerIP, o.ResetCodeTriesPerIP = limit, limit, limit, limit
	}
	for _, tc := range []struct {
		name string
		try  func(e *env, i int, c account.Client) error
	}{
		{"sign-up", func(e *env, i int, c account.Client) error {
			return e.signUp(i, c.IP)
		}},
		{"log-in", func(e *env, i int, c account.Client) error {
			_, _, err := e.svc.LogIn(ctx, fmt.Sprintf("spray%d@example.com", i), "a wrong guess", false, c, "")
			if errors.Is(err, account.ErrBadCredentials) {
				return nil
			}
			return err
		}},
		{"reset request", func(e *env, i int, c account.Client) error {
			return e.svc.RequestReset(ctx, fmt.Sprintf("someone%d@example.com", i), c)
		}},
		{"reset code", func(e *env, i int, c account.Client) error {
			err := e.svc.ResetPassword(ctx, account.Reset{Email: "someone@example.com", Code: "12345678", Password: "a new passphrase"}, c)
			if errors.Is(err, account.ErrBadCode) {
				return nil
			}
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.Store) {
				e := newEnv(t, db, limits)
				for i := range limit {
					if err := tc.try(e, i, account.Client{IP: fmt.Sprintf("2001:db8:aa:bb:%x::1", i)}); err != nil {
						t.Fatalf("try %d: %v", i+1, err)
					}
				}
				var throttled *account.ThrottledError
				if err := tc.try(e, limit, account.Client{IP: "2001:db8:aa:bb:ffff::1"}); !errors.As(err, &throttled) {
					t.Errorf("another address of the same /64: %v, want a ThrottledError", err)
				}
				if err := tc.try(e, limit+1, account.Client{IP: "2001:db8:aa:bc::1"}); err != nil {
					t.Errorf("another /64: %v, want no limit", err)
				}
			})
		})
	}
}

func TestConfirmAndSignIn(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		res, err := e.svc.Register(ctx, account.SignUp{Email: "ann@example.com", Name: "Ann", Password: "correct horse battery"}, e.alice)
		if err != nil {
			t.Fatal(err)
		}
		link := regexp.MustCompile(`token=([A-Za-z0-9_-]+)`).FindStringSubmatch(e.mailTo("ann@example.com")[0].Text)
		if link == nil {
			t.Fatal("no link in the verification email")
		}
		// A browser that had another session (say, someone else's) gets a
		// fresh one for the link's account, and the old one ends.
		planted, _, err := e.svc.LogIn(ctx, "ann@example.com", "correct horse battery", false, e.alice, "")
		if err != nil {
			t.Fatal(err)
		}
		phone := account.Client{IP: "2001:db8::9", UserAgent: "Phone"}
		if _, err := e.svc.ConfirmAndSignIn(ctx, "wrong"+link[1], phone, planted); !errors.Is(err, account.ErrBadToken) {
			t.Errorf("wrong token: %v, want ErrBadToken", err)
		}
		if _, _, err := e.svc.Authenticate(ctx, planted); err != nil {
			t.Errorf("a wrong link ended the browser's session: %v", err)
		}
		c, err := e.svc.ConfirmAndSignIn(ctx, link[1], phone, planted)
		if err != nil {
			t.Fatal(err)
		}
		if c.Link.Purpose != account.VerifyEmail || c.Session.UserID != res.User.ID || c.Session.UserAgent != "Phone" {
			t.Errorf("confirmation = %+v, session %+v", c.Link, c.Session)
		}
		u, _, err := e.svc.Authenticate(ctx, c.Token)
		if err != nil || u.ID != res.User.ID || !u.Verified() {
			t.Fatalf("the link's session: %+v, %v; want the account, verified", u, err)
		}
		if _, _, err := e.svc.Authenticate(ctx, planted); !errors.Is(err, account.ErrNotFound) {
			t.Errorf("the browser's old session after the link: %v, want ErrNotFound", err)
		}
		// A link works once.
		if _, err := e.svc.ConfirmAndSignIn(ctx, link[1], phone, ""); !errors.Is(err, account.ErrBadToken) {
			t.Errorf("the link works twice: %v", err)
		}
		if n := e.count(`SELECT COUNT(*) FROM sessions`); n != 1 {
			t.Errorf("%d sessions, want the link's one", n)
		}
	})
}
