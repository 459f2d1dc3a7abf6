package web

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// stableHeaders is an answer's headers without those that differ between
// any two requests.
func stableHeaders(h http.Header) http.Header {
	h = h.Clone()
	h.Del("Date")
	h.Del("X-Request-ID")
	return h
}

func TestSignUpAnswersTheSameForTakenAndNewAddresses(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		if _, err := s.accounts.CreateUser(t.Context(), "ann@example.com", "Ann", goodPassword, "reader"); err != nil {
			t.Fatal(err)
		}
		newcomer, again := s.browser(t), s.browser(t)
		r1 := newcomer.post("/signup", "email", "bo@example.com", "name", "Bo", "password", goodPassword)
		r2 := again.post("/signup", "email", "ann@example.com", "name", "Bo", "password", goodPassword)
		expect(t, r1, http.StatusSeeOther, "/signup/welcome")
		h1, h2 := stableHeaders(r1.Header), stableHeaders(r2.Header)
		if r1.Code != r2.Code || !maps.EqualFunc(h1, h2, slices.Equal) || r1.Body != r2.Body {
			t.Errorf("sign-up answers differ:\nnew:   %d %v\n%s\ntaken: %d %v\n%s", r1.Code, h1, r1.Body, r2.Code, h2, r2.Body)
		}
		if c := r1.Header.Values("Set-Cookie"); len(c) != 0 {
			t.Errorf("sign-up set cookies %q", c)
		}
		// The page both land on is the same too, and nobody is signed in.
		w1, w2 := newcomer.get("/signup/welcome"), again.get("/signup/welcome")
		if w1.Code != http.StatusOK || w1.Body != w2.Body || !strings.Contains(text(w1.Doc), "Check your email") {
			t.Errorf("welcome pages: %d and %d, or they differ", w1.Code, w2.Code)
		}
		expect(t, newcomer.get("/account"), http.StatusSeeOther, "/login?next=%2Faccount")
		expect(t, again.get("/account"), http.StatusSeeOther, "/login?next=%2Faccount")

		// Each address hears what it needs: the newcomer a link to confirm,
		// the owner that an account exists.
		if got := s.smtp.WaitForTo(t, "bo@example.com", 1, 10*time.Second)[0].Header("Subject"); !strings.Contains(got, "confirm your email") {
			t.Errorf("the new address got %q", got)
		}
		if got := s.smtp.WaitForTo(t, "ann@example.com", 1, 10*time.Second)[0].Header("Subject"); !strings.Contains(got, "You already have an account") {
			t.Errorf("the taken address got %q", got)
		}
	})
}

func TestConfirmLinkSignsInOnlyWithTheButton(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		phone := s.browser(t)
		expect(t, phone.post("/signup", "email", "ann@example.com", "name", "Ann", "password", goodPassword), http.StatusSeeOther, "/signup/welcome")
		msgs := s.smtp.WaitForTo(t, "ann@example.com", 1, 10*time.Second)
		link := confirmLink.FindStringSubmatch(msgs[0].Text())
		if link == nil {
			t.Fatal("no confirmation link")
		}
		// A mail scanner opens the link: nothing is confirmed, nobody is
		// signed in, and the page keeps its secret out of caches and
		// Referer headers.
		scanner := s.browser(t)
		for range 2 {
			r := scanner.get(link[1])
			if r.Code != http.StatusOK || len(r.Cookies) != 0 {
				t.Fatalf("opening the link = %d, cookies %v", r.Code, r.Cookies)
			}
			if r.Header.Get("Referrer-Policy") != "no-referrer" || !strings.Contains(r.Header.Get("Cache-Control"), "no-store") {
				t.Errorf("the confirm page: Referrer-Policy %q, Cache-Control %q", r.Header.Get("Referrer-Policy"), r.Header.Get("Cache-Control"))
			}
			if n := len(findAll(r.Doc, "form[action=/account/confirm]")); n != 1 {
				t.Errorf("the confirm page has %d confirm forms", n)
			}
		}
		u, err := s.accounts.UserByEmail(t.Context(), "ann@example.com")
		if err != nil || u.Verified() {
			t.Fatalf("opening the link confirmed the address (%v)", err)
		}
		// The reader presses the button on another device: that device is
		// signed in, with the address confirmed.
		laptop := s.browser(t)
		laptop.confirm("ann@example.com", "/account?done=confirmed")
		r := laptop.get("/account?done=confirmed")
		if r.Code != http.StatusOK || !strings.Contains(text(r.Doc), "Your email address is confirmed") {
			t.Fatalf("after confirming, /account = %d", r.Code)
		}
		if u, _ = s.accounts.UserByEmail(t.Context(), "ann@example.com"); !u.Verified() {
			t.Error("the button did not confirm the address")
		}
		expect(t, phone.get("/account"), http.StatusSeeOther, "/login?next=%2Faccount")
		// The link works once.
		token := strings.TrimPrefix(link[1], "/account/verify?token=")
		if r := scanner.post("/account/confirm", "token", token); r.Code != http.StatusBadRequest || len(r.Cookies) != 0 {
			t.Errorf("the link used again = %d, cookies %v", r.Code, r.Cookies)
		}
		if r := scanner.post("/account/confirm", "token", ""); r.Code != http.StatusBadRequest {
			t.Errorf("no token = %d, want 400", r.Code)
		}

		// A change of address is confirmed the same way.
		expect(t, laptop.post("/account/email", "email", "ann.new@example.com", "current_password", goodPassword),
			http.StatusSeeOther, "/account?done=email")
		other := s.browser(t)
		other.confirm("ann.new@example.com", "/account?done=changed")
		if r := other.get("/account?done=changed"); !strings.Contains(text(r.Doc), "we will write to ann.new@example.com") {
			t.Errorf("after the change, /account = %d", r.Code)
		}
	})
}

func TestSignUpsPerIP(t *testing.T) {
	const limit = 10 // the default
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		n := 0
		signUp := func(ip string) result {
			n++
			b := s.browser(t)
			b.ip = ip
			return b.post("/signup", "email", fmt.Sprintf("reader%d@example.com", n), "name", "Reader", "password", goodPassword)
		}
		for _, tc := range []struct {
			name      string
			first     []string // alternated over the first sign-ups
			last      string   // the one past the limit
			throttled bool
		}{
			{"one IPv4 address", []string{"203.0.113.7"}, "203.0.113.7", true},
			{"another IPv4 address", []string{"203.0.113.8"}, "203.0.113.9", false},
			{"two addresses in one IPv6 /64", []string{"2001:db8:1:1::a", "2001:db8:1:1::b"}, "2001:db8:1:1:ffff::c", true},
			{"different IPv6 /64s", []string{"2001:db8:2:1::a"}, "2001:db8:2:2::a", false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				for i := range limit {
					expect(t, signUp(tc.first[i%len(tc.first)]), http.StatusSeeOther, "/signup/welcome")
				}
				b := s.browser(t)
				b.ip = tc.last
				r := b.post("/signup", "email", "one.more@example.com", "name", "One More", "password", goodPassword)
				if !tc.throttled {
					expect(t, r, http.StatusSeeOther, "/signup/welcome")
					return
				}
				if r.Code != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" ||
					!strings.Contains(text(one(t, r.Doc, "p.form-error")), "Too many accounts have been created from your network") {
					t.Fatalf("sign-up past the limit = %d, Retry-After %q\n%.600s", r.Code, r.Header.Get("Retry-After"), r.Body)
				}
				if v, _, _ := fieldState(t, r.Doc, "email"); v != "one.more@example.com" {
					t.Errorf("the address was not kept: %q", v)
				}
				if v, _, _ := fieldState(t, r.Doc, "name"); v != "One More" {
					t.Errorf("the name was not kept: %q", v)
				}
				if v, has, _ := fieldState(t, r.Doc, "password"); v != "" || has {
					t.Error("the password was echoed")
				}
			})
		}
	})
}
