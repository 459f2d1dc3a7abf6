package web

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"

	"dateline/internal/account"
	"dateline/internal/billing"
	"dateline/internal/clock"
	"dateline/internal/comment"
	"dateline/internal/config"
	"dateline/internal/mail"
	"dateline/internal/mail/mailtest"
	"dateline/internal/password"
	"dateline/internal/services"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

// accountSite is a demo site with accounts, whose mail goes through a real
// SMTP server running in the test.
type accountSite struct {
	*site
	smtp     *mailtest.Server
	accounts *account.Service
	billing  *billing.Service
	plan     *billing.Plan
	comments *comment.Service
}

// testWebhookSecret signs the Stripe events the tests send.
const testWebhookSecret = "whsec_test_secret"

// newAccountSite builds the whole site on db as `dateline serve --demo
// --smtp URL` builds it (internal/services and NewSite, as internal/app
// does), on the tests' clock, with its mail going to an SMTP server in the
// test. Only the speed differs: hashing is cheap, reset requests are not
// padded, and the sender looks often.
func newAccountSite(t testing.TB, db *store.Store) *accountSite {
	t.Helper()
	return newAccountSiteWith(t, db, accountSiteOptions{})
}

// accountSiteOptions changes what newAccountSiteWith builds.
type accountSiteOptions struct {
	// log receives every component's log; with it, each email also goes
	// through the development mailbox's log transport. Nil discards.
	log *slog.Logger
	// provider takes payments; nil is the demo provider.
	provider billing.Provider
	// clock, when set, is the site's clock instead of testNow.
	clock *clock.Manual
	// timeZone is --time-zone; empty is UTC.
	timeZone string
}

// teeTransport sends each message through every one of its transports.
type teeTransport []mail.Transport

func (tt teeTransport) Send(ctx context.Context, from string, m *mail.Message) error {
	for _, t := range tt {
		if err := t.Send(ctx, from, m); err != nil {
			return err
		}
	}
	return nil
}

func newAccountSiteWith(t testing.TB, db *store.Store, opts accountSiteOptions) *accountSite {
	t.Helper()
	now := func() time.Time { return testNow }
	if opts.clock != nil {
		now = opts.clock.Now
	}
	db.Now = now
	smtp := mailtest.Start(t)
	cfg := config.Config{Addr: "127.0.0.1:8080", Database: db.Name(), BaseURL: testBase, Demo: true, SMTP: smtp.URL(),
		MailFrom: "Dateline <news@news.example>", DataDir: t.TempDir(), PageCacheMB: 8, TimeZone: opts.timeZone}
	if err := cfg.Finish(); err != nil {
		t.Fatal(err)
	}
	so := services.Options{Config: cfg, Now: now, Store: db, Log: opts.log, Provider: opts.provider,
		PasswordParams: &password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
		MailPoll:       20 * time.Millisecond, NoResetPadding: true}
	if opts.log != nil {
		smtpTransport, err := mail.NewSMTP(smtp.URL())
		if err != nil {
			t.Fatal(err)
		}
		so.Transport = teeTransport{smtpTransport, mail.NewLog(opts.log)}
	}
	set, err := services.New(context.Background(), so)
	if err != nil {
		t.Fatal(err)
	}
	// Stripe's events are received as with real payments, beside the demo
	// provider (production takes a webhook secret only with a Stripe key).
	set.Webhook = billing.NewWebhook(set.Billing, testWebhookSecret)
	srv, err := NewSite(set)
	if err != nil {
		t.Fatal(err)
	}
	plans, err := set.Billing.Plans(context.Background())
	if err != nil || len(plans) == 0 || plans[0].Name != "Monthly" {
		t.Fatalf("the demo plans: %v, %v", plans, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { set.Sender.Run(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait() })
	return &accountSite{site: &site{Server: srv, db: db}, smtp: smtp, accounts: set.Accounts, billing: set.Billing,
		plan: &plans[0], comments: set.Comments}
}

func eachAccountSite(t *testing.T, fn func(t *testing.T, s *accountSite)) {
	storetest.Each(t, func(t *testing.T, db *store.Store) { fn(t, newAccountSite(t, db)) })
}

// browser keeps cookies between requests, as a browser does.
type browser struct {
	t       testing.TB
	s       *accountSite
	cookies map[string]*http.Cookie
	ip      string
}

func (s *accountSite) browser(t testing.TB) *browser {
	return &browser{t: t, s: s, cookies: map[string]*http.Cookie{}, ip: "192.0.2.1"}
}

// result is an answered request with its parsed page.
type result struct {
	response
	Doc     *html.Node
	Cookies []*http.Cookie
}

func (b *browser) do(method, path string, form url.Values) result {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	req.RemoteAddr = net.JoinHostPort(b.ip, "40000")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, c := range b.cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	b.s.ServeHTTP(rec, req)
	res := rec.Result()
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	out := result{response: response{Code: rec.Code, Header: res.Header, Body: rec.Body.String()}, Cookies: res.Cookies()}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		doc, err := html.Parse(strings.NewReader(out.Body))
		if err != nil {
			b.t.Fatal(err)
		}
		out.Doc = doc
	}
	return out
}

func (b *browser) get(path string) result { return b.do(http.MethodGet, path, nil) }
func (b *browser) post(path string, kv ...string) result {
	form := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		form.Add(kv[i], kv[i+1])
	}
	return b.do(http.MethodPost, path, form)
}

func expect(t testing.TB, r result, code int, location string) {
	t.Helper()
	if r.Code != code || (location != "" && r.Header.Get("Location") != location) {
		t.Fatalf("got %d → %q, want %d → %q\n%.600s", r.Code, r.Header.Get("Location"), code, location, r.Body)
	}
}

// fieldState finds a form field by name: its value, whether the value
// attribute is there at all, and the error shown beside it.
func fieldState(t *testing.T, doc *html.Node, name string) (value string, hasValue bool, errText string) {
	t.Helper()
	inputs := find(doc, func(n *html.Node) bool {
		return n.Data == "input" && attr(n, "name") == name && attr(n, "type") != "hidden"
	})
	if len(inputs) != 1 {
		t.Fatalf("%d inputs named %s", len(inputs), name)
	}
	in := inputs[0]
	for p := in.Parent; p != nil; p = p.Parent {
		if hasClass(p, "field") {
			if e := findAll(p, "p.field-error"); len(e) == 1 {
				errText = text(e[0])
				if !strings.Contains(attr(in, "aria-describedby"), attr(e[0], "id")) || attr(in, "aria-invalid") != "true" {
					t.Errorf("the error of %s is not tied to its input", name)
				}
			}
			break
		}
	}
	return attr(in, "value"), hasAttr(in, "value"), errText
}

const goodPassword = "correct horse battery"

// signUp creates an account through the sign-up form and, as the reader
// could before confirming, logs in with its password; the address stays
// unconfirmed.
func (b *browser) signUp(email, name string) {
	b.t.Helper()
	expect(b.t, b.post("/signup", "email", email, "name", name, "password", goodPassword), http.StatusSeeOther, "/signup/welcome")
	expect(b.t, b.post("/login", "email", email, "password", goodPassword), http.StatusSeeOther, "/")
}

var confirmLink = regexp.MustCompile(`https://news\.example(/account/verify\?token=\S+)`)

// confirm follows the newest confirmation link emailed to email and
// presses the confirm button on the page it opens, which must lead to
// then.
func (b *browser) confirm(email, then string) {
	b.t.Helper()
	var link []string
	msgs := b.s.smtp.WaitForTo(b.t, email, 1, 10*time.Second)
	for i := len(msgs) - 1; i >= 0 && link == nil; i-- {
		link = confirmLink.FindStringSubmatch(msgs[i].Text())
	}
	if link == nil {
		b.t.Fatalf("no confirmation link was emailed to %s", email)
	}
	r := b.get(link[1])
	if r.Code != http.StatusOK {
		b.t.Fatalf("the confirmation link = %d", r.Code)
	}
	forms := findAll(r.Doc, "form[action=/account/confirm]")
	if len(forms) != 1 || attr(forms[0], "method") != "post" {
		b.t.Fatalf("the confirmation page has %d forms posting to /account/confirm", len(forms))
	}
	token := findAll(forms[0], "input[name=token]")
	if len(token) != 1 {
		b.t.Fatal("the confirm form carries no token")
	}
	expect(b.t, b.post("/account/confirm", "token", attr(token[0], "value")), http.StatusSeeOther, then)
}

func TestSignUpFormKeepsInputAndShowsErrorsBesideFields(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		b := s.browser(t)
		r := b.post("/signup", "email", "not-an-email", "name", "Ann <b>Reader</b>", "password", "short")
		if r.Code != http.StatusUnprocessableEntity {
			t.Fatalf("bad sign-up = %d, want 422", r.Code)
		}
		if v, _, e := fieldState(t, r.Doc, "email"); v != "not-an-email" || e == "" {
			t.Errorf("email field: value %q, error %q", v, e)
		}
		// The name is shown back escaped, never as markup.
		if v, _, e := fieldState(t, r.Doc, "name"); v != "Ann <b>Reader</b>" || e == "" {
			t.Errorf("name field: value %q, error %q", v, e)
		}
		if strings.Contains(r.Body, "<b>Reader</b>") {
			t.Error("the display name was echoed as HTML")
		}
		// The password gets its message too, and is never echoed.
		if v, has, e := fieldState(t, r.Doc, "password"); v != "" || has || !strings.Contains(e, "8") {
			t.Errorf("password field: value %q (present %v), error %q", v, has, e)
		}
		if n := len(findAll(r.Doc, "p.form-error")); n != 1 {
			t.Errorf("%d summaries above the form, want 1", n)
		}
		var users int
		storetest.RawOf(t, s.db).QueryRow(t, `SELECT COUNT(*) FROM users WHERE email <> ?`, &users, services.DemoAdmin)
		if users != 0 {
			t.Errorf("failed sign-ups wrote %d users", users)
		}
	})
}

func TestSignUpLogOutForgetAndReset(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		b := s.browser(t)
		expect(t, b.get("/account"), http.StatusSeeOther, "/login?next=%2Faccount")
		expect(t, b.post("/signup", "email", "ann@example.com", "name", "Ann Reader", "password", goodPassword),
			http.StatusSeeOther, "/signup/welcome")
		// Signed in only once the emailed link is followed and confirmed.
		if _, ok := b.cookies[sessionCookie]; ok {
			t.Fatal("sign-up set a session cookie")
		}
		expect(t, b.get("/account"), http.StatusSeeOther, "/login?next=%2Faccount")
		b.confirm("ann@example.com", "/account?done=confirmed")
		r := b.get("/account?done=confirmed")
		if r.Code != http.StatusOK || !strings.Contains(text(r.Doc), "Signed in as ann@example.com") ||
			!strings.Contains(text(r.Doc), "Your email address is confirmed") {
			t.Fatalf("after confirming, /account = %d", r.Code)
		}
		if got := text(one(t, r.Doc, "nav.account-links")); !strings.Contains(got, "Ann Reader") {
			t.Errorf("masthead = %q, want the reader's name", got)
		}
		stolen := b.cookies[sessionCookie].Value
		expect(t, b.post("/logout"), http.StatusSeeOther, "/")
		if _, ok := b.cookies[sessionCookie]; ok {
			t.Error("log-out left the cookie")
		}
		// Log in again elsewhere, so there is a live session to end.
		other := s.browser(t)
		expect(t, other.post("/login", "email", "ann@example.com", "password", goodPassword), http.StatusSeeOther, "/")

		// Forgot: the code arrives through SMTP.
		r = b.post("/password/forgot", "email", "ann@example.com")
		if r.Code != http.StatusOK || len(find(r.Doc, func(n *html.Node) bool {
			return n.Data == "input" && attr(n, "autocomplete") == "one-time-code" && attr(n, "inputmode") == "numeric"
		})) != 1 {
			t.Fatalf("forgot = %d, or no code field", r.Code)
		}
		msgs := s.smtp.WaitForTo(t, "ann@example.com", 2, 10*time.Second)
		code := regexp.MustCompile(`(?m)^Your reset code: (\d{8,})\s*$`).FindStringSubmatch(msgs[len(msgs)-1].Text())
		if code == nil {
			t.Fatalf("no code in:\n%s", msgs[len(msgs)-1].Text())
		}
		// The link in the email opens the form filled in.
		link := regexp.MustCompile(`https://news\.example(/password/reset\?\S+)`).FindStringSubmatch(msgs[len(msgs)-1].Text())
		r = b.get(link[1])
		if v, _, _ := fieldState(t, r.Doc, "code"); v != code[1] {
			t.Errorf("the emailed link fills the code with %q, want %q", v, code[1])
		}
		if v, _, _ := fieldState(t, r.Doc, "email"); v != "ann@example.com" {
			t.Errorf("the emailed link fills the email with %q", v)
		}
		// A wrong code: the error is beside the code field.
		r = b.post("/password/reset", "email", "ann@example.com", "code", "00000000", "password", "a brand new passphrase")
		if _, _, e := fieldState(t, r.Doc, "code"); r.Code != http.StatusUnprocessableEntity || e == "" {
			t.Errorf("wrong code: %d, error %q", r.Code, e)
		}
		expect(t, b.post("/password/reset", "email", "ann@example.com", "code", code[1], "password", "a brand new passphrase"),
			http.StatusSeeOther, "/login?reset=1")
		r = b.get("/login?reset=1")
		if !strings.Contains(text(r.Doc), "Your password has been changed") {
			t.Error("the log-in page does not confirm the change")
		}
		// Every old session is over: the other browser, and the stolen cookie.
		expect(t, other.get("/account"), http.StatusSeeOther, "/login?next=%2Faccount")
		thief := s.browser(t)
		thief.cookies[sessionCookie] = &http.Cookie{Name: sessionCookie, Value: stolen}
		expect(t, thief.get("/account"), http.StatusSeeOther, "/login?next=%2Faccount")

		r = b.post("/login", "email", "ann@example.com", "password", goodPassword)
		if r.Code != http.StatusUnauthorized {
			t.Errorf("old password: %d, want 401", r.Code)
		}
		expect(t, b.post("/login", "email", "ann@example.com", "password", "a brand new passphrase"), http.StatusSeeOther, "/")
		notice := s.smtp.WaitForTo(t, "ann@example.com", 3, 10*time.Second)
		if subj := notice[len(notice)-1].Header("Subject"); !strings.Contains(subj, "password") {
			t.Errorf("last email %q, want the password-changed notice", subj)
		}
	})
}

func TestNoAccountEnumeration(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		b := s.browser(t)
		b.post("/signup", "email", "ann@example.com", "name", "Ann", "password", goodPassword)
		// Sign-up: see TestSignUpAnswersTheSameForTakenAndNewAddresses.
		// Log-in: a wrong password and an unknown address read the same.
		l1 := s.browser(t).post("/login", "email", "ann@example.com", "password", "wrong password here")
		l2 := s.browser(t).post("/login", "email", "nobody@example.com", "password", "wrong password here")
		if l1.Code != http.StatusUnauthorized || l1.Code != l2.Code ||
			strings.ReplaceAll(l1.Body, "ann@example.com", "X") != strings.ReplaceAll(l2.Body, "nobody@example.com", "X") {
			t.Errorf("log-in answers differ: %d vs %d", l1.Code, l2.Code)
		}
		// Reset: the same page for a known and an unknown address.
		f1 := s.browser(t).post("/password/forgot", "email", "ann@example.com")
		f2 := s.browser(t).post("/password/forgot", "email", "nobody@example.com")
		if f1.Code != http.StatusOK || f1.Code != f2.Code ||
			strings.ReplaceAll(f1.Body, "ann@example.com", "X") != strings.ReplaceAll(f2.Body, "nobody@example.com", "X") {
			t.Errorf("forgot answers differ: %d vs %d", f1.Code, f2.Code)
		}
	})
}

func TestSessionCookie(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		b := s.browser(t)
		b.signUp("ann@example.com", "Ann")
		planted := b.cookies[sessionCookie].Value
		for _, remember := range []bool{false, true} {
			form := []string{"email", "ann@example.com", "password", goodPassword}
			if remember {
				form = append(form, "remember", "1")
			}
			r := b.post("/login", form...)
			var c *http.Cookie
			for _, x := range r.Cookies {
				if x.Name == sessionCookie {
					c = x
				}
			}
			if c == nil {
				t.Fatal("log-in set no session cookie")
			}
			if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" {
				t.Errorf("cookie attributes: %+v", c)
			}
			if c.Value == planted || len(c.Value) < 43 {
				t.Errorf("log-in reused or shortened the token")
			}
			if remember && c.MaxAge != int((30*24*time.Hour)/time.Second) {
				t.Errorf("keep-me-signed-in cookie Max-Age = %d, want 30 days", c.MaxAge)
			}
			if !remember && c.MaxAge != 0 {
				t.Errorf("ordinary session cookie Max-Age = %d, want a browser-session cookie", c.MaxAge)
			}
			planted = c.Value
		}
	})
}

func TestFormsAreGuarded(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		// A cross-origin form post is refused.
		req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader("email=a%40b.c&password=x"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusForbidden {
			t.Errorf("cross-origin post = %d, want 403", rec.Code)
		}
		// A huge body is refused with the site's page, not read.
		b := s.browser(t)
		r := b.post("/login", "email", "a@b.c", "password", strings.Repeat("x", 100<<10))
		if r.Code != http.StatusRequestEntityTooLarge || len(findAll(r.Doc, "header.masthead")) != 1 {
			t.Errorf("huge form = %d, want 413 with the site's page", r.Code)
		}
		// Return-to addresses stay on the site.
		b.post("/signup", "email", "ann@example.com", "name", "Ann", "password", goodPassword)
		b.post("/logout")
		for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"} {
			expect(t, b.post("/login", "email", "ann@example.com", "password", goodPassword, "next", next), http.StatusSeeOther, "/")
			b.post("/logout")
		}
		expect(t, b.post("/login", "email", "ann@example.com", "password", goodPassword, "next", "/section/world?page=2"),
			http.StatusSeeOther, "/section/world?page=2")
	})
}

func TestResetRequestsPerIPAnswer429(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		b := s.browser(t)
		for i := range 10 {
			if r := b.post("/password/forgot", "email", "someone"+string(rune('a'+i))+"@example.com"); r.Code != http.StatusOK {
				t.Fatalf("request %d = %d", i+1, r.Code)
			}
		}
		r := b.post("/password/forgot", "email", "last@example.com")
		if r.Code != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" || !strings.Contains(text(r.Doc), "Too many attempts") {
			t.Errorf("11th request = %d, Retry-After %q", r.Code, r.Header.Get("Retry-After"))
		}
		if v, _, _ := fieldState(t, r.Doc, "email"); v != "last@example.com" {
			t.Errorf("the address was not kept: %q", v)
		}
	})
}

func TestAccountPageChanges(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		b := s.browser(t)
		b.signUp("ann@example.com", "Ann")
		expect(t, b.post("/account/name", "name", "Ann Q. Reader"), http.StatusSeeOther, "/account?done=name")
		if r := b.get("/account?done=name"); !strings.Contains(text(r.Doc), "Your name has been changed") {
			t.Error("no notice after renaming")
		}
		r := b.post("/account/name", "name", "")
		if _, _, e := fieldState(t, r.Doc, "name"); r.Code != http.StatusUnprocessableEntity || e == "" {
			t.Errorf("empty name: %d %q", r.Code, e)
		}
		r = b.post("/account/password", "current_password", "wrong", "new_password", "another fine passphrase")
		if r.Code != http.StatusUnprocessableEntity || !strings.Contains(text(r.Doc), "not your current password") {
			t.Errorf("wrong current password: %d", r.Code)
		}
		r = b.get("/account/data.json")
		if r.Code != http.StatusOK || !strings.Contains(r.Body, `"email": "ann@example.com"`) || strings.Contains(r.Body, "argon2") {
			t.Errorf("data export = %d\n%s", r.Code, r.Body)
		}
		r = b.post("/account/delete", "current_password", "wrong")
		if r.Code != http.StatusUnprocessableEntity {
			t.Errorf("delete with a wrong password = %d", r.Code)
		}
		r = b.post("/account/delete", "current_password", goodPassword)
		if r.Code != http.StatusOK || !strings.Contains(text(r.Doc), "deleted") {
			t.Errorf("delete = %d", r.Code)
		}
		expect(t, b.get("/account"), http.StatusSeeOther, "/login?next=%2Faccount")
	})
}

func TestAccountErrorsMapToStatuses(t *testing.T) {
	s := &accountPages{}
	for _, tc := range []struct {
		err  error
		code int
	}{
		{password.ErrBusy, http.StatusServiceUnavailable},
		{&account.ThrottledError{RetryAfter: time.Minute}, http.StatusTooManyRequests},
		{&account.FieldError{Field: "email", Message: "x"}, http.StatusUnprocessableEntity},
	} {
		rec := httptest.NewRecorder()
		code, ok := s.accountError(rec, newForm(), tc.err)
		if !ok || code != tc.code {
			t.Errorf("%v → %d, want %d", tc.err, code, tc.code)
		}
		if code != http.StatusUnprocessableEntity && rec.Header().Get("Retry-After") == "" {
			t.Errorf("%v: no Retry-After", tc.err)
		}
	}
	if _, ok := s.accountError(httptest.NewRecorder(), newForm(), errors.New("disk on fire")); ok {
		t.Error("an internal error was treated as the reader's mistake")
	}
}

func TestDevMailboxOnlyInDevelopment(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		s.mustGet(t, "/_dev/mail", http.StatusNotFound)
		dev, err := New(Options{BaseURL: testBase, Now: func() time.Time { return testNow }, Stories: storiesOf(s.db), DevMail: s.db})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.db.Enqueue(context.Background(), mail.New("news.example", "ann@example.com", "Ann", "Hello <there>", "Body text", "")); err != nil {
			t.Fatal(err)
		}
		d := &site{Server: dev, db: s.db}
		res, doc := d.mustGet(t, "/_dev/mail", http.StatusOK)
		if got := text(one(t, one(t, doc, "article.mail"), "h2")); got != "Hello <there>" || strings.Contains(res.Body, "<there>") {
			t.Errorf("mailbox subject %q", got)
		}
	})
}
