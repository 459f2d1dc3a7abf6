package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"

	"dateline/internal/app"
	"dateline/internal/clock"
	"dateline/internal/config"
	"dateline/internal/mail/mailtest"
	"dateline/internal/password"
	"dateline/internal/services"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// cheap makes hashing take microseconds; hashing is not tested here.
var cheap = password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// site is a whole site built by app.New, served over real HTTP, with its
// mail going through SMTP to a server in the test.
type site struct {
	*app.App
	url  string
	smtp *mailtest.Server
}

// startSite builds the site exactly as `dateline serve --dev --smtp URL`
// does, on the database d, with the clock now, and runs its background
// work until the test ends.
func startSite(t *testing.T, d store.Dialect, now func() time.Time, dev bool) *site {
	t.Helper()
	smtp := mailtest.Start(t)
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	dir := t.TempDir()
	cfg := config.Config{Addr: srv.Listener.Addr().String(), Database: storetest.DSN(t, d), BaseURL: base,
		Demo: dev, Dev: dev, SMTP: smtp.URL(), MailFrom: "Dateline <news@news.example>",
		DataDir: filepath.Join(dir, "data"), PageCacheMB: 8}
	if err := cfg.Finish(); err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	a, err := app.New(ctx, app.Options{Config: cfg, Now: now, Log: slog.New(slog.DiscardHandler),
		PasswordParams: &cheap, MailPoll: 20 * time.Millisecond, NoResetPadding: true})
	if err != nil {
		stop()
		t.Fatal(err)
	}
	srv.Config.Handler = a.Handler()
	srv.Start()
	var wg sync.WaitGroup
	wg.Go(func() { a.Run(ctx) })
	t.Cleanup(func() {
		srv.Close()
		stop()
		wg.Wait()
		a.Close()
	})
	return &site{App: a, url: base, smtp: smtp}
}

// reader is a browser: it keeps cookies and does not follow redirects, so
// each answer can be checked.
type reader struct {
	t    *testing.T
	s    *site
	http *http.Client
}

func (s *site) reader(t *testing.T) *reader {
	jar, _ := cookiejar.New(nil)
	return &reader{t: t, s: s, http: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page is an answer with its body.
type page struct {
	code     int
	location string
	body     string
	doc      *html.Node
}

func (r *reader) do(method, path string, form url.Values) page {
	r.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	if !strings.HasPrefix(path, "http") {
		path = r.s.url + path
	}
	req, err := http.NewRequest(method, path, body)
	if err != nil {
		r.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Origin", r.s.url)
	res, err := r.http.Do(req)
	if err != nil {
		r.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	doc, _ := html.Parse(strings.NewReader(string(b)))
	return page{code: res.StatusCode, location: res.Header.Get("Location"), body: string(b), doc: doc}
}

func (r *reader) get(path string) page { return r.do(http.MethodGet, path, nil) }

func (r *reader) post(path string, kv ...string) page {
	form := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		form.Set(kv[i], kv[i+1])
	}
	return r.do(http.MethodPost, path, form)
}

// submit sends the form of p whose action is action, with its fields as
// the page filled them, changed by kv.
func (r *reader) submit(p page, action string, kv ...string) page {
	r.t.Helper()
	form := findForm(p.doc, action)
	if form == nil {
		r.t.Fatalf("no form posting to %s in:\n%.800s", action, p.body)
	}
	vals := url.Values{}
	walk(form, func(n *html.Node) {
		if n.Data == "input" || n.Data == "textarea" || n.Data == "button" {
			if name := attr(n, "name"); name != "" && (n.Data != "button" || attr(n, "value") != "") {
				vals.Set(name, attr(n, "value"))
			}
		}
	})
	for i := 0; i+1 < len(kv); i += 2 {
		vals.Set(kv[i], kv[i+1])
	}
	return r.do(http.MethodPost, action, vals)
}

func findForm(doc *html.Node, action string) *html.Node {
	var found *html.Node
	walk(doc, func(n *html.Node) {
		if found == nil && n.Type == html.ElementNode && n.Data == "form" && strings.EqualFold(attr(n, "method"), "post") {
			if a := attr(n, "action"); a == action || strings.HasPrefix(a, action+"?") {
				found = n
			}
		}
	})
	return found
}

func walk(n *html.Node, fn func(*html.Node)) {
	if n == nil {
		return
	}
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func must(t *testing.T, p page, code int, what string) page {
	t.Helper()
	if p.code != code {
		t.Fatalf("%s: got %d (Location %q), want %d\n%.800s", what, p.code, p.location, code, p.body)
	}
	return p
}

// mailTo waits for the n-th email to addr and returns its text.
func (s *site) mailTo(t *testing.T, addr string, n int) string {
	t.Helper()
	msgs := s.smtp.WaitForTo(t, addr, n, 10*time.Second)
	return msgs[n-1].Text()
}

// TestTheWholeSiteWorksYearsFromNow builds the whole site with its clock
// set years ahead of any real date, on both databases, and goes through
// the journeys that read the clock the most: signing up and confirming the
// address, forgetting the password and resetting it with the emailed code,
// subscribing and commenting. Mail is delivered (the sender judges its age
// by the site's clock, not the machine's), codes are fresh, the meter and
// the discussion's closing date are counted from the site's today.
func TestTheWholeSiteWorksYearsFromNow(t *testing.T) {
	future := clock.NewManual(time.Date(2031, 3, 30, 9, 15, 0, 0, time.UTC))
	eachDialect(t, func(t *testing.T, d store.Dialect) {
		s := startSite(t, d, future.Now, true)
		ann := s.reader(t)
		const email, pw, newPW = "ann@example.com", "correct horse battery", "a brand new passphrase"

		// Sign up, then confirm the address with the emailed link.
		p := must(t, ann.get("/signup"), http.StatusOK, "sign-up page")
		p = ann.submit(p, "/signup", "email", email, "name", "Ann Reader", "password", pw)
		if p.code != http.StatusSeeOther && p.code != http.StatusOK {
			t.Fatalf("sign-up: %d\n%.800s", p.code, p.body)
		}
		link := regexp.MustCompile(`https?://\S+/account/verify\S*`).FindString(s.mailTo(t, email, 1))
		if link == "" {
			t.Fatalf("no confirmation link in the email")
		}
		// The link opens a page whose button confirms (a mail scanner
		// opening the link confirms nothing).
		p = must(t, ann.get(link), http.StatusOK, "the confirmation page")
		p = ann.submit(p, "/account/confirm")
		if p.code >= 400 {
			t.Fatalf("confirming the address: %d\n%.800s", p.code, p.body)
		}
		u, err := s.Accounts.UserByEmail(context.Background(), email)
		if err != nil || !u.Verified() {
			t.Fatalf("after following the link, the address is not confirmed (%v)", err)
		}
		if got, want := u.EmailVerifiedAt, future.Now(); !got.Equal(want) {
			t.Errorf("confirmed at %v, want the site's time %v", got, want)
		}

		// Forget the password and reset it with the emailed code.
		must(t, ann.post("/logout"), http.StatusSeeOther, "log out")
		must(t, ann.post("/password/forgot", "email", email), http.StatusOK, "forgot")
		code := regexp.MustCompile(`(?m)^Your reset code: (\d{8,})\s*$`).FindStringSubmatch(s.mailTo(t, email, 2))
		if code == nil {
			t.Fatal("no reset code in the email")
		}
		future.Advance(9 * time.Minute) // within the code's ten minutes
		must(t, ann.post("/password/reset", "email", email, "code", code[1], "password", newPW), http.StatusSeeOther, "reset")
		must(t, ann.post("/login", "email", email, "password", pw), http.StatusUnauthorized, "log in with the old password")
		must(t, ann.post("/login", "email", email, "password", newPW), http.StatusSeeOther, "log in with the new password")

		// Subscribe through the demo provider, and comment on the lead.
		p = must(t, ann.get("/subscribe"), http.StatusOK, "subscribe page")
		p = must(t, ann.submit(p, "/subscribe/checkout"), http.StatusSeeOther, "checkout")
		p = must(t, ann.get(p.location), http.StatusOK, "demo checkout page")
		must(t, ann.submit(p, "/subscribe/demo"), http.StatusSeeOther, "demo checkout")
		story := leadStory(t, ann)
		p = must(t, ann.get(story), http.StatusOK, "story page")
		const words = "The ferry timetable in this story matches the spring schedule of the harbour office."
		p = ann.submit(p, "/comments", "body", words)
		if p.code != http.StatusSeeOther {
			t.Fatalf("posting a comment: %d\n%.800s", p.code, p.body)
		}
		if p = must(t, ann.get(story), http.StatusOK, "story page"); !strings.Contains(p.body, words) {
			t.Error("the comment is not on the story page")
		}
	})
}

// eachDialect runs fn on SQLite and on PostgreSQL; the PostgreSQL run is
// skipped only when DATELINE_TEST_POSTGRES is unset.
func eachDialect(t *testing.T, fn func(t *testing.T, d store.Dialect)) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) { fn(t, d) })
	}
}

// leadStory is the address of the front page's lead story.
func leadStory(t *testing.T, r *reader) string {
	t.Helper()
	p := must(t, r.get("/"), http.StatusOK, "front page")
	path := regexp.MustCompile(`href="(/20\d\d/\d\d/\d\d/[a-z0-9-]+)"`).FindStringSubmatch(p.body)
	if path == nil {
		t.Fatal("no story on the front page")
	}
	return path[1]
}

// logBuffer collects log lines, safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// build builds a site without serving it, logging into the returned
// buffer.
func build(t *testing.T, cfg config.Config) (*app.App, *logBuffer) {
	t.Helper()
	if cfg.Database == "" {
		cfg.Database = filepath.Join(t.TempDir(), "dateline.db")
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:8080"
	}
	cfg.MailFrom = "Dateline <news@news.example>"
	if err := cfg.Finish(); err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	a, err := app.New(context.Background(), app.Options{Config: cfg, Now: clock.NewManual(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)).Now,
		Log: slog.New(slog.NewTextHandler(logs, nil)), PasswordParams: &cheap})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a, logs
}

func serve(a *app.App, method, path string, form url.Values) *httptest.ResponseRecorder {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	rec := httptest.NewRecorder()
	a.Handler().ServeHTTP(rec, req)
	return rec
}

// TestProductionOpensNoDevelopmentConveniences starts the site as an
// operator would without --dev: no development mailbox, no free
// subscriptions, mail kept in the outbox, and one warning for each.
func TestProductionOpensNoDevelopmentConveniences(t *testing.T) {
	a, logs := build(t, config.Config{})
	if a.Sender != nil {
		t.Error("without SMTP a production site builds a mail sender")
	}
	if rec := serve(a, http.MethodGet, "/_dev/mail", nil); rec.Code != http.StatusNotFound {
		t.Errorf("/_dev/mail = %d, want 404", rec.Code)
	}
	if rec := serve(a, http.MethodGet, "/metrics", nil); rec.Code != http.StatusNotFound {
		t.Errorf("/metrics on the public address = %d, want 404", rec.Code)
	}
	for _, p := range services.DemoPlans() {
		if err := a.Billing.CreatePlan(context.Background(), &p); err != nil {
			t.Fatal(err)
		}
	}
	rec := serve(a, http.MethodGet, "/subscribe", nil)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Subscriptions are not open yet") ||
		!strings.Contains(rec.Body.String(), "Monthly") || strings.Contains(rec.Body.String(), `action="/subscribe/checkout"`) {
		t.Errorf("/subscribe = %d; want the plans, no checkout, and a word that subscriptions are not open:\n%.2000s", rec.Code, rec.Body.String())
	}
	if rec := serve(a, http.MethodGet, "/subscribe/demo?plan=1", nil); rec.Code != http.StatusNotFound {
		t.Errorf("the demo checkout page = %d, want 404", rec.Code)
	}
	// A sign-up's email waits in the outbox.
	signup := url.Values{"email": {"ann@example.com"}, "name": {"Ann"}, "password": {"correct horse battery"}}
	if rec := serve(a, http.MethodPost, "/signup", signup); rec.Code >= 400 {
		t.Fatalf("sign-up = %d", rec.Code)
	}
	var pending int
	if err := storetest.Raw(t, a.Config.Database).TryQueryRow(`SELECT COUNT(*) FROM outbox WHERE status = 'pending'`, &pending); err != nil || pending != 1 {
		t.Errorf("%d messages wait in the outbox (%v), want 1", pending, err)
	}
	for _, want := range []string{
		`level=WARN msg="no SMTP server configured: email is not being sent`,
		`level=WARN msg="no Stripe key configured: subscriptions are not open`,
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the start-up log lacks %s:\n%s", want, logs)
		}
	}
	if strings.Contains(logs.String(), "development") {
		t.Errorf("a production start speaks of development conveniences:\n%s", logs)
	}
}

// TestDevelopmentConveniencesAreOnlyWithDev checks what --dev opens, and
// that it warns when others can reach it.
func TestDevelopmentConveniencesAreOnlyWithDev(t *testing.T) {
	for _, tc := range []struct {
		addr string
		warn bool
	}{
		{"127.0.0.1:8080", false},
		{"localhost:8080", false},
		{"[::1]:8080", false},
		{":8080", true},
		{"0.0.0.0:8080", true},
		{"192.0.2.7:8080", true},
	} {
		t.Run(tc.addr, func(t *testing.T) {
			a, logs := build(t, config.Config{Addr: tc.addr, Dev: true})
			if rec := serve(a, http.MethodGet, "/_dev/mail", nil); rec.Code != http.StatusOK {
				t.Errorf("/_dev/mail with --dev = %d, want 200", rec.Code)
			}
			if !a.Billing.Open() {
				t.Error("with --dev the demo payment provider is not in use")
			}
			warned := strings.Contains(logs.String(), "level=WARN msg=\"development conveniences are on")
			if warned != tc.warn {
				t.Errorf("warned %v on %s, want %v:\n%s", warned, tc.addr, tc.warn, logs)
			}
		})
	}
}
