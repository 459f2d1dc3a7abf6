package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"dateline/internal/account"
	"dateline/internal/comment"
	"dateline/internal/story"
)

// The checkers that CI installs under .cache/npm (see .ci/run), and the
// variables that name other copies of them.
const (
	// envVNU names the vnu.jar of the Nu HTML Checker.
	envVNU = "DATELINE_VNU"
	// envLighthouse names Lighthouse's command-line script (cli/index.js).
	envLighthouse = "DATELINE_LIGHTHOUSE"

	defaultVNU        = ".cache/npm/node_modules/vnu-jar/build/dist/vnu.jar"
	defaultLighthouse = ".cache/npm/node_modules/lighthouse/cli/index.js"

	installVNU        = "install it with `npm install --prefix .cache/npm vnu-jar@26` at the repository root, or set " + envVNU + " to a vnu.jar"
	installLighthouse = "install it with `npm install --prefix .cache/npm lighthouse@12` at the repository root, or set " + envLighthouse + " to Lighthouse's cli/index.js"

	// checkerTimeout bounds one run of a checker: the JVM and Chromium
	// start slowly on a loaded machine.
	checkerTimeout = 5 * time.Minute
)

// commandPath finds a program on the PATH, or ends the test (see missing).
func commandPath(t testing.TB, name, install string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		missing(t, "%s is not on the PATH; %s", name, install)
	}
	return p
}

// visitor fetches pages as one person: with their cookies, and without
// following redirects, so that a page that sends them elsewhere (to the
// log-in page, say) is not checked in place of the one asked for.
type visitor struct {
	name   string
	base   string
	client *http.Client
}

func newVisitor(t testing.TB, base, name string) *visitor {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &visitor{name: name, base: base, client: &http.Client{
		Jar:           jar,
		Timeout:       stepTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// answer is what the site sent back.
type answer struct {
	Status   int
	Type     string
	Location string
	Body     []byte
}

// do sends a GET, or a POST of form when it is not nil, to path.
func (v *visitor) do(t testing.TB, path string, form url.Values) answer {
	t.Helper()
	var res *http.Response
	var err error
	if form == nil {
		res, err = v.client.Get(v.base + path)
	} else {
		res, err = v.client.PostForm(v.base+path, form)
	}
	if err != nil {
		t.Fatalf("%s: %s %s: %v", v.name, method(form), path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s: read %s: %v", v.name, path, err)
	}
	return answer{Status: res.StatusCode, Type: res.Header.Get("Content-Type"), Location: res.Header.Get("Location"), Body: body}
}

func method(form url.Values) string {
	if form == nil {
		return http.MethodGet
	}
	return http.MethodPost
}

// logIn logs the visitor in with the log-in form.
func (v *visitor) logIn(t testing.TB, p person) {
	t.Helper()
	a := v.do(t, "/login", url.Values{"email": {p.Email}, "password": {p.Password}, "next": {"/"}})
	if a.Status != http.StatusSeeOther {
		t.Fatalf("log %s in: POST /login answered %d, want 303", p.Email, a.Status)
	}
}

// pageKind is one kind of page, as one visitor sees it.
type pageKind struct {
	// Name says what the page is, such as "story, paywalled".
	Name string
	// Pattern is the route that answers it, as web.Server.Patterns
	// spells it; "" for the answer to a form (a POST).
	Pattern string
	Who     *visitor
	Path    string
	// Form, when not nil, is posted to Path, for a form sent back with
	// its errors.
	Form url.Values
	// Status is the status the page must answer with; 0 means 200.
	Status int
	// Want, when set, is text the page must hold, so that the kind is
	// the page it names (results that are there, a comment shown).
	Want string
	// Unlisted marks a GET route found in the site's table that no page
	// kind lists (see autoPage).
	Unlisted bool
}

// notPages are the GET routes whose answers are not HTML pages, or are
// checked under another route, and why.
var notPages = map[string]string{
	"GET /section/{slug}/feed.atom": "an Atom feed, not HTML",
	"GET /feed.atom":                "an Atom feed, not HTML",
	"GET /sitemap.xml":              "a sitemap (XML)",
	"GET /sitemaps/{file}":          "a sitemap (XML)",
	"GET /sitemap-news.xml":         "a news sitemap (XML)",
	"GET /robots.txt":               "plain text",
	"GET /healthz":                  "plain text for probes",
	"GET /readyz":                   "plain text for probes",
	"GET /static/{file}":            "the stylesheet, scripts and icons",
	"GET /favicon.ico":              "an icon",
	"GET /images/{id}/{file}":       "image files",
	"GET /account/data.json":        "a reader's data as JSON",
	"GET /{year}/{month}/{day}":     "redirects to the day's page, GET /{year}/{month}/{day}/{$}",
	"GET /subscribe/checkout":       "redirects to the payment provider's checkout (the demo's is GET /subscribe/demo)",
	"GET /api/v1/stories":           "JSON for the newsroom's tools",
	"GET /api/v1/stories/{id}":      "JSON for the newsroom's tools",
}

// checkFixture is the demo site with a person of every kind signed in,
// and the stories and comments that give each page kind something to show.
type checkFixture struct {
	site                          *accountSite
	anon, reader, newcomer, admin *visitor
	free, paid                    *story.Story
	commentID                     int64
	// invitation is the path of an invitation to join the staff, unused.
	invitation string
}

// newCheckFixture serves the demo site and sets up its visitors: an
// anonymous one, a subscriber who has commented, a reader without a
// subscription and an admin.
func newCheckFixture(t testing.TB) *checkFixture {
	t.Helper()
	site := startFullSite(t)
	f := &checkFixture{site: site, anon: newVisitor(t, site.Base, "anonymous reader")}
	stories, err := site.Store.PublishedStories(timeout(t), story.Filter{Limit: 200})
	if err != nil {
		t.Fatalf("list the stories: %v", err)
	}
	for i := range stories {
		st, err := site.Store.StoryBySlug(timeout(t), stories[i].Slug)
		if err != nil {
			t.Fatalf("the story %s: %v", stories[i].Slug, err)
		}
		switch {
		case st.Access == story.Subscribers && f.paid == nil:
			f.paid = st
		case st.Access != story.Subscribers && f.free == nil && len(st.Tags) > 0 && len(st.Bylines) > 0 &&
			st.Bylines[0].AuthorSlug != "" && comment.Mode(st.Comments) != comment.Closed:
			f.free = st
		}
	}
	if f.free == nil || f.paid == nil {
		t.Fatalf("the demo has no free story with tags, an author page and comments open, or no subscribers' story")
	}
	subscriber := person{"checks.reader@example.com", "Rosa Checks", "reader password 1"}
	newcomer := person{"checks.newcomer@example.com", "Tom Checks", "reader password 2"}
	admin := person{"checks.admin@example.com", "Ada Checks", "admin password 3"}
	u := newSubscriber(t, site, subscriber)
	newPerson(t, site, newcomer, account.Reader)
	adminUser := newPerson(t, site, admin, account.Admin)
	c, err := site.Comments.Post(timeout(t), u, f.free, comment.Mode(f.free.Comments), 0, commentText)
	if err != nil {
		t.Fatalf("post a comment: %v", err)
	}
	if _, err := site.Comments.Post(timeout(t), u, f.free, comment.Mode(f.free.Comments), c.ID, "Replying to myself: I meant the third."); err != nil {
		t.Fatalf("post a reply: %v", err)
	}
	if err := site.Comments.Report(timeout(t), adminUser, c.ID, comment.OffTopic, "Checking the queue"); err != nil {
		t.Fatalf("report the comment: %v", err)
	}
	f.commentID = c.ID
	f.invitation = invitationPath(t, site, adminUser, "checks.invitee@example.com")
	f.reader, f.newcomer, f.admin = newVisitor(t, site.Base, "subscriber"), newVisitor(t, site.Base, "reader without a subscription"), newVisitor(t, site.Base, "admin")
	f.reader.logIn(t, subscriber)
	f.newcomer.logIn(t, newcomer)
	f.admin.logIn(t, admin)
	return f
}

// commentText is the subscriber's comment under the free story.
const commentText = "A fine piece, and the second paragraph says it best."

// pageKinds lists every kind of page, as the visitor who sees it.
func (f *checkFixture) pageKinds(t testing.TB) []pageKind {
	free, paid := f.free.Path(), f.paid.Path()
	id := strconv.FormatInt(f.free.ID, 10)
	cid := strconv.FormatInt(f.commentID, 10)
	return []pageKind{
		{Name: "front page", Pattern: "GET /{$}", Who: f.anon, Path: "/"},
		{Name: "front page, admin", Pattern: "GET /{$}", Who: f.admin, Path: "/"},
		{Name: "story, free", Pattern: "GET /{year}/{month}/{day}/{slug}", Who: f.anon, Path: free},
		{Name: "story, paywalled", Pattern: "GET /{year}/{month}/{day}/{slug}", Who: f.anon, Path: paid, Want: `id="paywall-heading"`},
		{Name: "story for subscribers, reader on the meter", Pattern: "GET /{year}/{month}/{day}/{slug}", Who: f.newcomer, Path: paid},
		{Name: "story with comments, subscriber", Pattern: "GET /{year}/{month}/{day}/{slug}", Who: f.reader, Path: free, Want: commentText},
		{Name: "story with comments, reply form open", Pattern: "GET /{year}/{month}/{day}/{slug}", Who: f.reader, Path: free + "?reply=" + cid},
		{Name: "story with comments, admin", Pattern: "GET /{year}/{month}/{day}/{slug}", Who: f.admin, Path: free, Want: commentText},
		{Name: "section", Pattern: "GET /section/{slug}", Who: f.anon, Path: "/section/" + f.free.Section.Slug},
		{Name: "author", Pattern: "GET /author/{slug}", Who: f.anon, Path: "/author/" + f.free.Bylines[0].AuthorSlug},
		{Name: "tag", Pattern: "GET /tag/{slug}", Who: f.anon, Path: "/tag/" + f.free.Tags[0].Slug},
		{Name: "day archive", Pattern: "GET /{year}/{month}/{day}/{$}", Who: f.anon, Path: path.Dir(free) + "/"},
		{Name: "search with results", Pattern: "GET /search", Who: f.anon, Path: "/search?q=" + url.QueryEscape(firstWord(f.free.Headline)), Want: `href="` + free + `"`},
		{Name: "search without results", Pattern: "GET /search", Who: f.anon, Path: "/search?q=zzxqvbnonsense"},
		{Name: "search, empty", Pattern: "GET /search", Who: f.anon, Path: "/search"},
		{Name: "subscribe", Pattern: "GET /subscribe", Who: f.anon, Path: "/subscribe"},
		{Name: "subscribe, reader", Pattern: "GET /subscribe", Who: f.newcomer, Path: "/subscribe"},
		{Name: "demo checkout", Pattern: "GET /subscribe/demo", Who: f.newcomer, Path: "/subscribe/demo?plan=" + strconv.FormatInt(planNamed(t, f.site, "Monthly").ID, 10)},
		{Name: "log-in", Pattern: "GET /login", Who: f.anon, Path: "/login"},
		{Name: "log-in, failed", Who: f.anon, Path: "/login", Form: url.Values{"email": {"nobody@example.com"}, "password": {"wrong password"}}, Status: http.StatusUnauthorized},
		{Name: "sign-up", Pattern: "GET /signup", Who: f.anon, Path: "/signup"},
		{Name: "sign-up, with errors", Who: f.anon, Path: "/signup", Form: url.Values{"email": {"not an address"}}, Status: http.StatusUnprocessableEntity},
		{Name: "sign-up, welcome", Pattern: "GET /signup/welcome", Who: f.anon, Path: "/signup/welcome"},
		{Name: "forgotten password", Pattern: "GET /password/forgot", Who: f.anon, Path: "/password/forgot"},
		{Name: "password reset", Pattern: "GET /password/reset", Who: f.anon, Path: "/password/reset?email=" + url.QueryEscape("someone@example.com")},
		{Name: "address confirmation", Pattern: "GET /account/verify", Who: f.anon, Path: "/account/verify"},
		{Name: "comment policy", Pattern: "GET /comments/policy", Who: f.anon, Path: "/comments/policy"},
		{Name: "reply emails unsubscribe", Pattern: "GET /comments/unsubscribe", Who: f.anon, Path: "/comments/unsubscribe"},
		{Name: "not found", Pattern: "/", Who: f.anon, Path: "/no/such/page", Status: http.StatusNotFound},
		{Name: "account, subscriber", Pattern: "GET /account", Who: f.reader, Path: "/account"},
		{Name: "account, reader", Pattern: "GET /account", Who: f.newcomer, Path: "/account"},
		{Name: "cancel confirmation", Pattern: "GET /account/subscription/cancel", Who: f.reader, Path: "/account/subscription/cancel"},
		{Name: "report a comment", Pattern: "GET /comments/{id}/report", Who: f.reader, Path: "/comments/" + cid + "/report"},
		{Name: "dashboard", Pattern: "GET /admin", Who: f.admin, Path: "/admin"},
		{Name: "newsroom list", Pattern: "GET /admin/stories", Who: f.admin, Path: "/admin/stories"},
		{Name: "editor, new story", Pattern: "GET /admin/stories/new", Who: f.admin, Path: "/admin/stories/new"},
		{Name: "editor, failed save", Who: f.admin, Path: "/admin/stories", Form: url.Values{"headline": {""}}, Status: http.StatusUnprocessableEntity},
		{Name: "editor, existing story", Pattern: "GET /admin/stories/{id}", Who: f.admin, Path: "/admin/stories/" + id},
		{Name: "editor, conflict", Who: f.admin, Path: "/admin/stories/" + id, Form: url.Values{"headline": {f.free.Headline}, "bylines": {"Staff"},
			"section": {f.free.Section.Slug}, "body": {"A text from a version long gone."}, "version": {"0"}, "action": {"save"}}, Status: http.StatusConflict},
		{Name: "story list, second page", Pattern: "GET /admin/stories", Who: f.admin, Path: "/admin/stories?page=2"},
		{Name: "revisions", Pattern: "GET /admin/stories/{id}/revisions", Who: f.admin, Path: "/admin/stories/" + id + "/revisions"},
		{Name: "front page admin", Pattern: "GET /admin/front", Who: f.admin, Path: "/admin/front"},
		{Name: "authors", Pattern: "GET /admin/authors", Who: f.admin, Path: "/admin/authors"},
		{Name: "images", Pattern: "GET /admin/images", Who: f.admin, Path: "/admin/images"},
		{Name: "plans", Pattern: "GET /admin/plans", Who: f.admin, Path: "/admin/plans"},
		{Name: "subscribers", Pattern: "GET /admin/subscribers", Who: f.admin, Path: "/admin/subscribers"},
		{Name: "moderation queue", Pattern: "GET /admin/comments", Who: f.admin, Path: "/admin/comments", Want: commentText},
		{Name: "moderation log", Pattern: "GET /admin/comments/log", Who: f.admin, Path: "/admin/comments/log"},
		{Name: "moderation settings", Pattern: "GET /admin/comments/settings", Who: f.admin, Path: "/admin/comments/settings"},
		{Name: "site settings", Pattern: "GET /admin/settings", Who: f.admin, Path: "/admin/settings"},
		{Name: "people", Pattern: "GET /admin/people", Who: f.admin, Path: "/admin/people", Want: "checks.invitee@example.com"},
		{Name: "people, a reader found", Pattern: "GET /admin/people", Who: f.admin, Path: "/admin/people?reader=" + url.QueryEscape("checks.reader@example.com"), Want: "reader-standing"},
		{Name: "people, failed invitation", Who: f.admin, Path: "/admin/people/invite", Form: url.Values{"email": {"not an address"}}, Status: http.StatusUnprocessableEntity},
		{Name: "audit log", Pattern: "GET /admin/audit", Who: f.admin, Path: "/admin/audit", Want: "invitation.sent"},
		{Name: "invitation", Pattern: "GET /invite", Who: f.anon, Path: f.invitation, Want: `id="f-password"`},
		{Name: "invitation, with errors", Who: f.anon, Path: "/invite", Form: url.Values{"token": {strings.TrimPrefix(f.invitation, "/invite?token=")}}, Status: http.StatusUnprocessableEntity},
	}
}

// firstWord is the first word of at least four letters in s, for a search
// that finds something.
func firstWord(s string) string {
	for w := range strings.FieldsSeq(s) {
		w = strings.Trim(w, ".,:;!?'\"‘’“”")
		if len([]rune(w)) >= 4 {
			return w
		}
	}
	return s
}

// autoPage fills the wildcards of a GET pattern that no page kind names
// with the fixture's values, so that a page added later is checked as an
// admin sees it before anyone lists it.
func (f *checkFixture) autoPage(pattern string) pageKind {
	fill := strings.NewReplacer("{year}/{month}/{day}/{slug}", strings.TrimPrefix(f.free.Path(), "/"),
		"{slug}", f.free.Section.Slug, "{id}", strconv.FormatInt(f.free.ID, 10), "{$}", "")
	p := fill.Replace(strings.TrimPrefix(pattern, "GET "))
	return pageKind{Name: "unlisted " + pattern, Pattern: pattern, Who: f.admin, Path: p, Unlisted: true}
}

// checkedPage is a page written out for a checker.
type checkedPage struct {
	kind pageKind
	file string
}

// fetchPages fetches each page, checks it answered as it should with
// HTML, and writes it to dir. It returns the pages by file name.
func fetchPages(t testing.TB, dir string, kinds []pageKind) map[string]checkedPage {
	t.Helper()
	pages := map[string]checkedPage{}
	nonWord := regexp.MustCompile(`[^a-z0-9]+`)
	for i, k := range kinds {
		a := k.Who.do(t, k.Path, k.Form)
		want := k.Status
		if want == 0 {
			want = http.StatusOK
		}
		hint := ""
		if k.Unlisted {
			hint = "; list the route in pageKinds with real values and the visitor who sees it, or in notPages with the reason it is not a page"
		}
		if a.Status != want {
			t.Errorf("%s: %s %s as the %s answered %d (Location %q), want %d%s", k.Name, method(k.Form), k.Path, k.Who.name, a.Status, a.Location, want, hint)
			continue
		}
		if !strings.HasPrefix(a.Type, "text/html") {
			t.Errorf("%s: %s answered %q, want an HTML page%s", k.Name, k.Path, a.Type, hint)
			continue
		}
		if k.Want != "" && !strings.Contains(string(a.Body), k.Want) {
			t.Errorf("%s: %s as the %s does not hold %q", k.Name, k.Path, k.Who.name, k.Want)
		}
		file := fmt.Sprintf("%02d-%s.html", i, strings.Trim(nonWord.ReplaceAllString(strings.ToLower(k.Name), "-"), "-"))
		if err := os.WriteFile(filepath.Join(dir, file), a.Body, 0o644); err != nil {
			t.Fatal(err)
		}
		pages[file] = checkedPage{kind: k, file: file}
	}
	return pages
}

// vnuMessage is one message of the Nu HTML Checker's JSON output.
type vnuMessage struct {
	Type     string `json:"type"`    // "error", "info" or "non-document-error"
	SubType  string `json:"subType"` // "warning" for an info that is one
	URL      string `json:"url"`
	LastLine int    `json:"lastLine"`
	Message  string `json:"message"`
	Extract  string `json:"extract"`
}

// runVNU checks every HTML file in dir with the Nu HTML Checker in one run
// (the JVM starts slowly) and returns its version and messages.
func runVNU(t testing.TB, java, jar, dir string) (string, []vnuMessage) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), checkerTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, java, "-jar", jar, "--format", "json", "--stdout", "--skip-non-html", dir)
	out, err := cmd.Output()
	var res struct {
		Version  string       `json:"version"`
		Messages []vnuMessage `json:"messages"`
	}
	if jerr := json.Unmarshal(out, &res); jerr != nil {
		// The checker exits 1 when it finds errors, so its status alone
		// says nothing; output that does not parse does.
		t.Fatalf("the Nu HTML Checker (%s -jar %s) gave no JSON report: %v (%v); it wrote:\n%s", java, jar, jerr, err, out)
	}
	return res.Version, res.Messages
}

// TestHTMLIsValid checks every kind of page, as the visitor who sees it,
// with the Nu HTML Checker: no errors, and the warnings in the log. Every
// GET route is either among the page kinds, or excluded in notPages with a
// reason, or found here and checked as an admin sees it, so that a page
// added later is not left out unnoticed.
func TestHTMLIsValid(t *testing.T) {
	skipIfShort(t)
	java := commandPath(t, "java", "install it with `apt-get install default-jre-headless`")
	jar := npmFile(t, envVNU, defaultVNU, "the Nu HTML Checker", installVNU)

	f := newCheckFixture(t)
	// The development mailbox exists only without an SMTP server, on a
	// site of its own, with an email in it.
	dev := startDemoSite(t, nil)
	devVisitor := newVisitor(t, dev.Base, "anonymous reader")
	if a := devVisitor.do(t, "/signup", url.Values{"email": {"checks.dev@example.com"}, "name": {"Dev Checks"}, "password": {"dev password 4"}}); a.Status != http.StatusSeeOther {
		t.Fatalf("sign up on the development site: POST /signup answered %d, want 303", a.Status)
	}
	deadline := time.Now().Add(mailTimeout)
	for !strings.Contains(string(devVisitor.do(t, "/_dev/mail", nil).Body), "checks.dev@example.com") {
		if time.Now().After(deadline) {
			t.Fatal("the sign-up email never reached the development mailbox")
		}
		time.Sleep(50 * time.Millisecond)
	}

	kinds := append(f.pageKinds(t), pageKind{Name: "development mailbox", Pattern: "GET /_dev/mail", Who: devVisitor, Path: "/_dev/mail", Want: "checks.dev@example.com"})
	covered := map[string]bool{}
	for _, k := range kinds {
		covered[k.Pattern] = true
	}
	routes := append(slices.Clone(f.site.Routes), dev.Routes...)
	for p := range notPages {
		if !slices.Contains(routes, p) {
			t.Errorf("notPages excludes %s, which the site does not route: drop it", p)
		}
	}
	for _, p := range routes {
		if (strings.HasPrefix(p, "GET ") || p == "/") && !covered[p] && notPages[p] == "" {
			covered[p] = true
			t.Logf("%s is neither among the page kinds nor in notPages: checking it as an admin sees it", p)
			kinds = append(kinds, f.autoPage(p))
		}
	}

	dir := t.TempDir()
	pages := fetchPages(t, dir, kinds)
	// A page with a known error proves that the checker read the folder
	// and reports what it finds: no output must not pass for no errors.
	if err := os.WriteFile(filepath.Join(dir, vnuCanary), []byte(vnuCanaryHTML), 0o644); err != nil {
		t.Fatal(err)
	}
	version, msgs := runVNU(t, java, jar, dir)
	t.Logf("the Nu HTML Checker %s checked %d pages", version, len(pages))
	canaryFound := false
	for _, m := range msgs {
		file := path.Base(m.URL)
		if file == vnuCanary {
			canaryFound = canaryFound || m.Type == "error"
			continue
		}
		where := file
		if p, ok := pages[file]; ok {
			where = fmt.Sprintf("%s (%s %s as the %s)", p.kind.Name, method(p.kind.Form), p.kind.Path, p.kind.Who.name)
		}
		switch {
		case m.Type == "info" && m.SubType == "warning":
			t.Logf("warning: %s, line %d: %s", where, m.LastLine, m.Message)
		case m.Type == "info":
		default:
			t.Errorf("%s, line %d: %s: %s\n\t%s", where, m.LastLine, m.Type, m.Message, strings.TrimSpace(m.Extract))
		}
	}
	if !canaryFound {
		t.Errorf("the Nu HTML Checker found no error in %s, which has one: it did not check the pages", vnuCanary)
	}
}

// vnuCanary is a page with an error, checked with the others.
const (
	vnuCanary     = "zz-canary.html"
	vnuCanaryHTML = `<!doctype html><html lang="en"><head><title>Canary</title></head><body><p><div>A div in a paragraph.</div></p></body></html>`
)

// lighthouseCategories are the categories Lighthouse must score 100 in.
// Performance is measured in bench/, not asserted here: on a shared CI
// machine it measures the machine.
var lighthouseCategories = []string{"accessibility", "best-practices", "seo"}

// lighthouseReport is what the checks read of Lighthouse's JSON report.
type lighthouseReport struct {
	LighthouseVersion string                          `json:"lighthouseVersion"`
	FinalURL          string                          `json:"finalDisplayedUrl"`
	RuntimeError      *struct{ Code, Message string } `json:"runtimeError"`
	RunWarnings       []string                        `json:"runWarnings"`
	Categories        map[string]struct {
		Title     string   `json:"title"`
		Score     *float64 `json:"score"`
		AuditRefs []struct {
			ID     string  `json:"id"`
			Weight float64 `json:"weight"`
		} `json:"auditRefs"`
	} `json:"categories"`
	Audits map[string]struct {
		Title        string   `json:"title"`
		Score        *float64 `json:"score"`
		DisplayValue string   `json:"displayValue"`
	} `json:"audits"`
}

// runLighthouse runs Lighthouse on pageURL with its default (mobile)
// settings in Debian's Chromium, writes its JSON report to report, and
// returns it.
func runLighthouse(t testing.TB, node, cli, chromium, pageURL, report string) lighthouseReport {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), checkerTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, cli, pageURL,
		"--quiet", "--output=json", "--output-path="+report,
		"--only-categories="+strings.Join(lighthouseCategories, ","),
		"--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-background-networking "+
			"--disable-component-update --disable-sync --no-first-run --disable-dev-shm-usage")
	cmd.Env = append(os.Environ(), "CHROME_PATH="+chromium)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("Lighthouse on %s: %v; it wrote:\n%s", pageURL, err, out)
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatalf("Lighthouse's report: %v", err)
	}
	var r lighthouseReport
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("Lighthouse's report %s: %v", report, err)
	}
	return r
}

// TestLighthouse runs Lighthouse, with the mobile preset it uses by
// default, on the front page and a story page (one with a picture when
// the demo has one): accessibility, best practices and SEO must each
// score 100. The reports are kept with the screenshots.
func TestLighthouse(t *testing.T) {
	chromium := needBrowser(t)
	node := commandPath(t, "node", "install Node.js (Debian's nodejs)")
	cli := npmFile(t, envLighthouse, defaultLighthouse, "Lighthouse", installLighthouse)
	site := startFullSite(t)
	dir := screenshotDir(t)

	anon := newVisitor(t, site.Base, "anonymous reader")
	stories, err := site.Store.PublishedStories(timeout(t), story.Filter{Limit: 200})
	if err != nil {
		t.Fatalf("list the stories: %v", err)
	}
	storyPath := ""
	for _, st := range stories {
		if st.Access == story.Subscribers {
			continue
		}
		if storyPath == "" {
			storyPath = st.Path()
		}
		if a := anon.do(t, st.Path(), nil); a.Status == http.StatusOK && strings.Contains(string(a.Body), "<img ") {
			storyPath = st.Path()
			break
		}
	}
	if storyPath == "" {
		t.Fatal("the demo has no story free to read")
	}

	for _, p := range []struct{ name, path string }{{"front", "/"}, {"story", storyPath}} {
		t.Run(p.name, func(t *testing.T) {
			report := filepath.Join(dir, "lighthouse-"+p.name+".json")
			r := runLighthouse(t, node, cli, chromium, site.Base+p.path, report)
			if r.RuntimeError != nil && r.RuntimeError.Code != "" {
				t.Fatalf("Lighthouse could not check %s: %s: %s", p.path, r.RuntimeError.Code, r.RuntimeError.Message)
			}
			t.Logf("Lighthouse %s on %s; report in %s", r.LighthouseVersion, r.FinalURL, report)
			for _, name := range lighthouseCategories {
				c, ok := r.Categories[name]
				if !ok || c.Score == nil {
					t.Errorf("%s: the report has no %s score", p.path, name)
					continue
				}
				if *c.Score >= 1 {
					continue
				}
				var failing []string
				for _, ref := range c.AuditRefs {
					a := r.Audits[ref.ID]
					if ref.Weight > 0 && a.Score != nil && *a.Score < 1 {
						failing = append(failing, strings.TrimSpace(fmt.Sprintf("%s (%s): %s %s", ref.ID, strconv.FormatFloat(*a.Score, 'f', -1, 64), a.Title, a.DisplayValue)))
					}
				}
				t.Errorf("%s: %s scores %.0f, want 100; failing audits:\n\t%s", p.path, c.Title, *c.Score*100, strings.Join(failing, "\n\t"))
			}
		})
	}
}
