package e2e

import (
	"bytes"
	"context"
	"dateline/internal/app"
	"dateline/internal/clock"
	"dateline/internal/config"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"dateline/internal/account"
	"dateline/internal/billing"
	"dateline/internal/comment"
	"dateline/internal/mail/mailtest"
	"dateline/internal/newsroom"
	"dateline/internal/password"
	"dateline/internal/store"
)

// The environment variables that steer the tests.
const (
	// envRequired set to "1" turns a missing browser or axe-core from a skip
	// into a failure. CI sets it.
	envRequired = "DATELINE_E2E"
	// envChromium names the Chromium (or Chrome) binary to drive.
	envChromium = "DATELINE_CHROMIUM"
	// envAxe names the axe.min.js file of axe-core.
	envAxe = "DATELINE_AXE"
	// envScreenshots names a folder to keep the screenshots in.
	envScreenshots = "DATELINE_SCREENSHOTS"
)

const (
	// defaultChromium is where Debian's chromium package puts the browser.
	defaultChromium = "/usr/bin/chromium"
	// defaultAxe is where `npm install --prefix .cache/npm axe-core@4`, run
	// at the repository root, puts axe-core.
	defaultAxe = ".cache/npm/node_modules/axe-core/axe.min.js"

	installChromium = "install it with `apt-get install chromium`, or set " + envChromium + " to a Chromium or Chrome binary"
	installAxe      = "install it with `npm install --prefix .cache/npm axe-core@4` at the repository root, or set " + envAxe + " to an axe.min.js file"

	// browserTimeout bounds everything one browser does, so that a hang
	// fails the test instead of blocking the run.
	browserTimeout = 90 * time.Second
	// stepTimeout bounds one step of a journey, so that a failed wait names
	// the step that did not happen.
	stepTimeout = 20 * time.Second
)

// e2eRequired reports whether the browser tests must run, so that a missing
// prerequisite is a failure and not a skip.
func e2eRequired() bool { return os.Getenv(envRequired) == "1" }

// missing ends the test because a prerequisite is absent: a failure when
// DATELINE_E2E=1, a skip otherwise.
func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if e2eRequired() {
		t.Fatalf("%s=1, but %s", envRequired, msg)
	}
	t.Skipf("skipping the browser test: %s (with %s=1 this fails instead)", msg, envRequired)
}

// skipIfShort skips the test under `go test -short`, unless DATELINE_E2E=1.
func skipIfShort(t testing.TB) {
	t.Helper()
	if testing.Short() && !e2eRequired() {
		t.Skipf("skipping the browser test in -short mode (%s=1 runs it anyway)", envRequired)
	}
}

// isExecutable returns nil when path is a file that can be run.
func isExecutable(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return fmt.Errorf("%s is a directory", path)
	}
	if fi.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("%s is not executable", path)
	}
	return nil
}

// chromiumPath finds the browser: DATELINE_CHROMIUM when it is set (and
// then nothing else), or else Debian's /usr/bin/chromium, or else
// "chromium" on the PATH.
func chromiumPath(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(envChromium); p != "" {
		if err := isExecutable(p); err != nil {
			missing(t, "Chromium is missing: %s=%s cannot be run (%v); %s", envChromium, p, err, installChromium)
		}
		return p
	}
	if isExecutable(defaultChromium) == nil {
		return defaultChromium
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	missing(t, "Chromium is missing: neither %s nor \"chromium\" on the PATH was found; %s", defaultChromium, installChromium)
	return ""
}

// repoRoot walks up from the working directory to the folder that holds
// go.mod.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("working directory: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("no go.mod in %s or any folder above it", dir)
		}
		dir = parent
	}
}

// npmFile returns the path of a file that npm installs under .cache/npm
// at the repository root (defaultPath, relative to the root), or the one
// the environment variable env names instead; when it does not exist, it
// ends the test (see missing) saying how to install tool.
func npmFile(t testing.TB, env, defaultPath, tool, install string) string {
	t.Helper()
	path := os.Getenv(env)
	if path == "" {
		path = filepath.Join(repoRoot(t), filepath.FromSlash(defaultPath))
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		missing(t, "%s is missing: %s does not exist; %s", tool, path, install)
	} else if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	return path
}

// axeSource returns the source of axe.min.js: the file DATELINE_AXE names,
// or the one that npm installs under .cache/npm at the repository root.
func axeSource(t testing.TB) string {
	t.Helper()
	path := npmFile(t, envAxe, defaultAxe, "axe-core", installAxe)
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read axe-core: %v", err)
	}
	if !bytes.Contains(src, []byte("axe")) {
		t.Fatalf("%s does not look like axe-core's axe.min.js", path)
	}
	return string(src)
}

// testWriter sends what the site logs to the test's log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// startSite serves the demo newspaper (startFullSite) on a loopback port
// until the test ends, and returns its base URL, such as
// http://127.0.0.1:40123.
func startSite(t testing.TB) string {
	t.Helper()
	return startFullSite(t).Base
}

// listenLoopback listens on a free loopback port and returns the listener
// and the base URL it will serve. The site writes absolute URLs (canonical
// links, share links, links in email), so it must know its real address
// before it serves: listen first.
func listenLoopback(t testing.TB) (net.Listener, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	// Closes the listener if the test ends before serveOn takes it over;
	// closing it twice does no harm.
	t.Cleanup(func() { ln.Close() })
	return ln, "http://" + ln.Addr().String()
}

// serveOn serves h on ln until the test ends. The server's cleanup waits
// for requests in flight, and runs before the cleanups registered earlier
// (the store's, the mail sender's), so nothing uses them after they close.
func serveOn(t testing.TB, ln net.Listener, h http.Handler) {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
}

// siteLogger sends the site's warnings and errors to the test's log.
func siteLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// accountSite is the demo newspaper with accounts, whose email goes
// through SMTP to a server inside the test.
type accountSite struct {
	// Base is the site's base URL, such as http://127.0.0.1:40123.
	Base string
	// Mail is the SMTP server that receives every email the site sends.
	Mail *mailtest.Server
	// Accounts is the site's account service, for setting up readers
	// without the browser.
	Accounts *account.Service
	// Store is the site's database, for reading what the site should show.
	Store *store.Store
	// Billing runs the site's subscriptions and paywall.
	Billing *billing.Service
	// Plans are the plans on sale: the demo plans, with their ids.
	Plans []billing.Plan
	// Comments runs the discussions under stories.
	Comments *comment.Service
	// Newsroom runs the story editor at /admin/stories, and publishes
	// scheduled stories.
	Newsroom *newsroom.Service
	// Routes are the patterns of the site's routes (web.Server.Patterns),
	// such as "GET /search".
	Routes []string
}

// The settings of the site that startFullSite serves.
const (
	siteName = app.SiteName
	mailFrom = "Dateline <news@dateline.test>"
)

// testHashParams are argon2id parameters far cheaper than the default (19
// MiB, 2 passes), so that signing up and logging in take milliseconds.
// Hashing is not what these tests test.
var testHashParams = password.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// schedulerInterval is how often the site's scheduler looks for scheduled
// stories whose time has come (`dateline serve` looks every 20 seconds).
const schedulerInterval = 100 * time.Millisecond

// startFullSite serves the demo newspaper built by internal/app exactly as
// `dateline serve --demo --smtp URL` builds it, on the machine's clock: a
// SQLite database seeded with the demo stories, sections and plans, the
// demo payment provider (which takes no money), comments and their
// moderation, the newsroom and its scheduler, images, API tokens and the
// front-page desk, with the page cache on. Its email goes through SMTP to a
// server inside the test. Only the speed differs: hashing is cheap, reset
// requests are not padded, the sender and the scheduler look often.
// Everything stops when the test ends.
func startFullSite(t testing.TB) *accountSite {
	t.Helper()
	return startDemoSite(t, mailtest.Start(t))
}

// startDemoSite is startFullSite with the SMTP server smtpServer, or, when
// it is nil, without one, as `dateline serve --demo` runs alone: email
// then stays in the development mailbox at /_dev/mail, and Mail is nil.
func startDemoSite(t testing.TB, smtpServer *mailtest.Server) *accountSite {
	t.Helper()
	ln, base := listenLoopback(t)
	dir := t.TempDir()
	cfg := config.Config{Addr: ln.Addr().String(), Database: filepath.Join(dir, "dateline.db"), BaseURL: base,
		Demo: true, MailFrom: mailFrom, DataDir: filepath.Join(dir, "data"), PageCacheMB: 16}
	if smtpServer != nil {
		cfg.SMTP = smtpServer.URL()
	}
	if err := cfg.Finish(); err != nil {
		t.Fatalf("settings: %v", err)
	}
	ctx, stop := context.WithCancel(context.Background())
	a, err := app.New(ctx, app.Options{Config: cfg, Now: clock.System, Log: siteLogger(t),
		PasswordParams: &testHashParams, MailPoll: 50 * time.Millisecond, SchedulerInterval: schedulerInterval,
		NoResetPadding: true})
	if err != nil {
		stop()
		t.Fatalf("build the site: %v", err)
	}
	plans, err := a.Billing.Plans(ctx)
	if err != nil {
		t.Fatalf("plans: %v", err)
	}
	// The background work stops before the SMTP server and the store
	// (cleanups run last first), and after the web server.
	var workers sync.WaitGroup
	workers.Go(func() { a.Run(ctx) })
	t.Cleanup(func() {
		stop()
		workers.Wait()
		a.Close()
	})
	serveOn(t, ln, a.Handler())
	return &accountSite{Base: base, Mail: smtpServer, Accounts: a.Accounts, Store: a.Store, Billing: a.Billing,
		Plans: plans, Comments: a.Comments, Newsroom: a.Newsroom, Routes: a.Site.Patterns()}
}

// tailBuffer keeps the last bytes written to it, safe for concurrent use.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

const tailMax = 32 << 10

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - tailMax; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

// needBrowser is how a browser test begins: it skips under -short, and
// finds Chromium or ends the test (see missing). It returns the path of the
// browser, for newBrowser.
func needBrowser(t testing.TB) string {
	t.Helper()
	skipIfShort(t)
	return chromiumPath(t)
}

// newBrowser starts the headless Chromium at execPath with a fresh profile
// for this test alone, and returns a chromedp context for its first tab.
// Everything it does is bounded by browserTimeout; the browser is closed
// when the test ends.
func newBrowser(t testing.TB, execPath string) context.Context {
	t.Helper()
	// TempDir's own cleanup runs after the browser's (cleanups run last
	// first), so the profile is removed after Chromium has quit.
	profile := filepath.Join(t.TempDir(), "chromium-profile")

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox, // the tests run as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	)
	output := new(tailBuffer)
	opts = append(opts, chromedp.CombinedOutput(output))

	timeoutCtx, cancelTimeout := context.WithTimeout(context.Background(), browserTimeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(timeoutCtx, opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		// Close Chromium gracefully, so that it stops its helper processes
		// and writes nothing more in the profile, then wait for it to exit.
		if err := chromedp.Cancel(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
			t.Logf("closing Chromium: %v", err)
		}
		cancelCtx()
		cancelAlloc()
		cancelTimeout()
		if t.Failed() {
			if out := strings.TrimSpace(output.String()); out != "" {
				t.Logf("Chromium's output (the end of it):\n%s", out)
			}
		}
	})

	// Start the browser now, so that a browser that cannot start fails here
	// with a message that says so.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium %s: %v", execPath, err)
	}
	return ctx
}

// newIncognitoTab opens a tab in a new browser context of the browser that
// ctx (from newBrowser) drives, as an incognito window does: it shares no
// cookies, storage or permissions with the other tabs. It returns the
// chromedp context for the tab, which closes, with its browser context,
// when the test ends.
func newIncognitoTab(t testing.TB, ctx context.Context) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// The first run of a context opens its tab, which lives as long as the
	// context that run gets: give it tab itself, not a context with a step's
	// timeout that ends with the step.
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("open a tab in a new browser context: %v", err)
	}
	return tab
}

// do runs the steps within stepTimeout and fails the test, naming the step,
// when one fails.
func do(t testing.TB, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// get runs the action within stepTimeout and returns its value, or fails the
// test naming the step.
func get[T any](t testing.TB, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(sctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// js evaluates a JavaScript expression in the page and decodes its value.
func js[T any](t testing.TB, ctx context.Context, what, expr string) T {
	t.Helper()
	return get(t, ctx, what, chromedp.Evaluate[T](expr))
}

// jsAwait is js for an expression whose value is a promise.
func jsAwait[T any](t testing.TB, ctx context.Context, what, expr string) T {
	t.Helper()
	return get(t, ctx, what, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// waitFor polls a JavaScript condition until it holds, and fails the test,
// saying what it waited for and what describe (another expression) shows,
// when it does not hold within stepTimeout.
func waitFor(t testing.TB, ctx context.Context, what, cond, describe string) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	_, err := chromedp.Run(sctx, chromedp.Poll[chromedp.Void](cond,
		chromedp.WithPollingInterval(50*time.Millisecond),
		chromedp.WithPollingTimeout(stepTimeout-time.Second)))
	if err != nil {
		now, derr := chromedp.Run(ctx, chromedp.Evaluate[string](describe))
		if derr != nil {
			now = "(" + derr.Error() + ")"
		}
		t.Fatalf("waiting for %s: %v; it is now %s", what, err, now)
	}
}

// openFrontPage loads the front page and waits for the lead story.
func openFrontPage(t testing.TB, ctx context.Context, base string) {
	t.Helper()
	do(t, ctx, "load the front page",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(".lead-headline a")),
	)
}

// leadStory is the front page's lead story as the page shows it.
type leadStory struct {
	Headline string `json:"headline"`
	Href     string `json:"href"`
}

// readLead reads the lead story's headline and link from the front page.
func readLead(t testing.TB, ctx context.Context) leadStory {
	t.Helper()
	lead := js[leadStory](t, ctx, "read the lead story",
		`(() => { const a = document.querySelector('.lead-headline a');
			return {headline: a.textContent.trim(), href: a.getAttribute('href')}; })()`)
	if lead.Headline == "" || lead.Href == "" {
		t.Fatalf("the lead story has no headline or link: %+v", lead)
	}
	return lead
}

// followLead opens the front page, clicks the lead story's headline and
// waits for its page. It returns the lead story as the front page showed it.
func followLead(t testing.TB, ctx context.Context, base string) leadStory {
	t.Helper()
	openFrontPage(t, ctx, base)
	lead := readLead(t, ctx)
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(sctx, chromedp.Click(chromedp.CSS(".lead-headline a")))
	if err != nil {
		t.Fatalf("click the lead story %q: %v", lead.Headline, err)
	}
	if resp.Status != 200 {
		t.Fatalf("the lead story %s answered %d %s, want 200", resp.URL, resp.Status, resp.StatusText)
	}
	do(t, ctx, "wait for the story page", chromedp.WaitVisible(chromedp.CSS("h1#headline")))
	return lead
}

// canonicalURL reads the page's <link rel="canonical"> exactly as written.
func canonicalURL(t testing.TB, ctx context.Context) string {
	t.Helper()
	c := js[string](t, ctx, "read the canonical link",
		`document.querySelector('link[rel="canonical"]').getAttribute('href')`)
	if c == "" {
		t.Fatal(`the page's <link rel="canonical"> has an empty href`)
	}
	return c
}

// setClipboardPermission grants or denies the site the clipboard
// permissions: "clipboard-read" (clipboardReadWrite) and "clipboard-write"
// (clipboardSanitizedWrite).
func setClipboardPermission(t testing.TB, ctx context.Context, origin string, setting browser.PermissionSetting) {
	t.Helper()
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		sctx, cancel := context.WithTimeout(ctx, stepTimeout)
		_, err := chromedp.CallBrowser(sctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name},
			Setting:    setting,
			Origin:     origin,
		})
		cancel()
		if err != nil {
			t.Fatalf("set the %s permission of %s to %s: %v", name, origin, setting, err)
		}
	}
}

// screenshotDir is where screenshots go: DATELINE_SCREENSHOTS, or the
// test's temporary folder.
func screenshotDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv(envScreenshots)
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("screenshot folder: %v", err)
	}
	return dir
}
