package main

import (
	"bufio"
	"bytes"
	"context"
	"dateline/internal/clock"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"dateline/internal/mail"
	"dateline/internal/mail/mailtest"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

// fresh is how soon a change made through one instance must be seen on
// the other.
const fresh = time.Second

// TestTwoInstancesBehaveAsOneSite runs two dateline processes on one
// PostgreSQL schema and one SMTP server, and checks through HTTP that
// readers and the newsroom see one site: what is published, updated or
// commented on through one instance is fresh on the other at once;
// sessions, log-in throttles and the paywall meter hold across both; the
// outbox is delivered once in all; and a scheduled story is published
// once.
func TestTwoInstancesBehaveAsOneSite(t *testing.T) {
	bin := buildBinary(t)
	dsn := storetest.DSN(t, store.Postgres)
	smtp := mailtest.Start(t)
	// Each instance reaches the mail server through a relay of its own
	// that holds every connection a moment, so that delivering a hundred
	// emails keeps both senders busy at once, and that tells which
	// instance sent what.
	relays := map[string]*slowRelay{"a": startSlowRelay(t, smtp.Addr(), 80*time.Millisecond),
		"b": startSlowRelay(t, smtp.Addr(), 80*time.Millisecond)}
	data := t.TempDir() // one folder for both, as shared storage would be

	a := startNode(t, bin, "a", dsn, relays["a"].URL(), data, "--demo")
	const (
		adminEmail  = "desk@example.com"
		adminPass   = "a staff passphrase for the scale test"
		readerEmail = "reader@example.com"
		readerPass  = "a reader's passphrase for the scale test"
		meterEmail  = "metered@example.com"
	)
	createUser(t, dsn, adminEmail, "admin", adminPass)
	admin := logIn(t, a, adminEmail, adminPass)
	token := apiToken(t, admin, a)

	// Before b starts, a schedules a story for two seconds ahead and shows
	// the culture section and the story's address (not found yet); when
	// the time comes, b starts and publishes it at once, as a scheduler
	// catching up does, while a's scheduler runs too.
	scheduled := createStory(t, a, token, "Night ferry timetable returns for the winter", "culture", "free")
	due := time.Now().Add(2 * time.Second).UTC().Truncate(time.Second)
	if code, got := callAPI(t, a, token, http.MethodPost, fmt.Sprintf("/api/v1/stories/%d/publish", scheduled.ID),
		map[string]any{"at": due}); code != http.StatusOK || got.Status != "scheduled" {
		t.Fatalf("schedule through a: %d %+v", code, got)
	}
	scheduledPath := due.Format("/2006/01/02/") + scheduled.Slug
	passerby := &browser{}
	if res := passerby.get(t, a, scheduledPath); res.status != http.StatusNotFound {
		t.Fatalf("a's %s before its time: %d, want 404", scheduledPath, res.status)
	}
	passerby.get(t, a, "/section/culture")

	createUser(t, dsn, readerEmail, "reader", readerPass)
	createUser(t, dsn, meterEmail, "reader", readerPass)

	// A hundred emails wait in the shared outbox; a's sender finds them,
	// and b's joins in when b starts.
	db, err := store.Open(context.Background(), dsn, clock.System)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	bulk := enqueueBulkMail(t, db, 100)

	time.Sleep(time.Until(due.Add(100 * time.Millisecond)))
	b := startNode(t, bin, "b", dsn, relays["b"].URL(), data)

	var published apiStory
	t.Run("a story published through a is fresh on b", func(t *testing.T) {
		anon := &browser{}
		const headline = "Harbour cranes fall silent as dockers vote to strike"
		st := createStory(t, a, token, headline, "science", "free")
		guess := time.Now().UTC().Format("/2006/01/02/") + st.Slug
		pages := []string{"/", "/section/science", "/feed.atom", guess}
		for _, p := range pages { // what b holds before: the old front page, no such story
			anon.get(t, b, p)
		}
		code, got := callAPI(t, a, token, http.MethodPost, fmt.Sprintf("/api/v1/stories/%d/publish", st.ID), map[string]any{})
		if code != http.StatusOK || got.URL == "" {
			t.Fatalf("publish through a: %d %+v", code, got)
		}
		published = got
		path := pathOf(t, got.URL)
		if path != guess {
			t.Logf("the story's address %s is not the one loaded before (%s): the day changed", path, guess)
		}
		took, err := within(fresh, func() error {
			return showAll(t, anon, b, headline, path, "/", "/section/science", "/feed.atom")
		})
		if err != nil {
			t.Fatalf("%v after publishing through a: %v", took, err)
		}
		t.Logf("published through a, on b's pages after %v", took)
	})
	if published.ID == 0 {
		t.FailNow()
	}
	path := pathOf(t, published.URL)

	t.Run("an update through b is fresh on a", func(t *testing.T) {
		anon := &browser{}
		const headline = "Harbour cranes stop for a week as dockers strike"
		for _, p := range []string{path, "/", "/section/science", "/feed.atom"} {
			if pg := anon.get(t, a, p); !strings.Contains(pg.body, published.Headline) {
				t.Fatalf("a's %s does not show the story before the update (%d)", p, pg.status)
			}
		}
		_, cur := callAPI(t, b, token, http.MethodGet, fmt.Sprintf("/api/v1/stories/%d", published.ID), nil)
		old := cur.Headline
		cur.Headline = headline
		if code, got := callAPI(t, b, token, http.MethodPut, fmt.Sprintf("/api/v1/stories/%d", published.ID), cur); code != http.StatusOK || got.Headline != headline {
			t.Fatalf("update through b: %d %+v", code, got)
		}
		took, err := within(fresh, func() error {
			if err := showAll(t, anon, a, headline, path, "/", "/section/science", "/feed.atom"); err != nil {
				return err
			}
			if pg := anon.get(t, a, path); strings.Contains(pg.body, old) {
				return fmt.Errorf("a's story page still carries the old headline %q", old)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%v after updating through b: %v", took, err)
		}
		t.Logf("updated through b, on a's pages after %v", took)
	})

	// A reader with a confirmed address logs in on a and subscribes there
	// with the demo provider.
	reader := logIn(t, a, readerEmail, readerPass)
	subscribe(t, reader, a)

	t.Run("a comment posted on b shows on a", func(t *testing.T) {
		anon := &browser{}
		anon.get(t, a, path) // a's page before the comment
		const text = "The night shift at the container terminal saw this coming for months."
		pg := reader.post(t, b, "/comments", url.Values{"story": {published.Slug}, "body": {text}})
		if pg.status != http.StatusSeeOther || !strings.Contains(pg.header.Get("Location"), "#comment-") {
			t.Fatalf("post a comment on b: %d %q\n%.400s", pg.status, pg.header.Get("Location"), pg.body)
		}
		took, err := within(fresh, func() error {
			if pg := anon.get(t, a, path); !strings.Contains(pg.body, text) {
				return fmt.Errorf("a's story page (%d) does not show the comment", pg.status)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%v after posting on b: %v", took, err)
		}
		t.Logf("commented on b, on a's story page after %v", took)
	})

	t.Run("a session started on a holds on b and ends on both", func(t *testing.T) {
		s := logIn(t, a, readerEmail, readerPass)
		for _, n := range []*node{a, b} {
			if pg := s.get(t, n, "/account"); pg.status != http.StatusOK || !strings.Contains(pg.body, readerEmail) {
				t.Fatalf("%s: /account with the session from a: %d, want 200 naming %s", n.name, pg.status, readerEmail)
			}
		}
		if pg := s.post(t, b, "/logout", nil); pg.status != http.StatusSeeOther {
			t.Fatalf("log out on b: %d", pg.status)
		}
		// The same cookie, kept as a copy would be, opens nothing on either.
		for _, n := range []*node{a, b} {
			if pg := s.get(t, n, "/account"); pg.status != http.StatusSeeOther || !strings.HasPrefix(pg.header.Get("Location"), "/login") {
				t.Errorf("%s: /account after logging out on b: %d %q, want a redirect to /login", n.name, pg.status, pg.header.Get("Location"))
			}
		}
		// The subscriber's other session, from before, is untouched.
		if pg := reader.get(t, b, "/account"); pg.status != http.StatusOK {
			t.Errorf("the reader's other session ended too: %d", pg.status)
		}
	})

	t.Run("log-in failures on both instances count together", func(t *testing.T) {
		// Five failures for one address are allowed; they are spread so that
		// neither instance sees more than three.
		anon := &browser{}
		form := url.Values{"email": {"nobody-here@example.com"}, "password": {"not the password at all"}}
		for i, n := range []*node{a, b, a, b, a} {
			if pg := anon.post(t, n, "/login", form); pg.status != http.StatusUnauthorized {
				t.Fatalf("failure %d on %s: %d, want 401", i+1, n.name, pg.status)
			}
		}
		for _, n := range []*node{b, a} {
			pg := anon.post(t, n, "/login", form)
			if pg.status != http.StatusTooManyRequests || pg.header.Get("Retry-After") == "" {
				t.Errorf("%s after five failures spread over both: %d (Retry-After %q), want 429",
					n.name, pg.status, pg.header.Get("Retry-After"))
			}
		}
	})

	t.Run("the meter counts reads on both instances", func(t *testing.T) {
		// Registered readers read 3 subscriber stories a month; the reads go
		// to a, b, a, and the fourth story is paywalled on b.
		m := logIn(t, b, meterEmail, readerPass)
		var paths []string
		for i := range 4 {
			st := createStory(t, a, token, fmt.Sprintf("Members' briefing number %d on the harbour strike", i+1), "science", "subscribers")
			code, got := callAPI(t, a, token, http.MethodPost, fmt.Sprintf("/api/v1/stories/%d/publish", st.ID), map[string]any{})
			if code != http.StatusOK {
				t.Fatalf("publish: %d", code)
			}
			paths = append(paths, pathOf(t, got.URL))
		}
		for i, n := range []*node{a, b, a, b} {
			pg := m.get(t, n, paths[i])
			full := strings.Contains(pg.body, secondParagraph)
			if want := i < 3; pg.status != http.StatusOK || full != want {
				t.Errorf("read %d on %s: %d, whole story shown %v, want %v", i+1, n.name, pg.status, full, want)
			}
		}
	})

	t.Run("a hundred queued emails are delivered once in all", func(t *testing.T) {
		deadline := time.Now().Add(20 * time.Second)
		for {
			got := len(bulkReceived(smtp, bulk))
			if got >= len(bulk) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d of %d emails arrived within 20 s", got, len(bulk))
			}
			time.Sleep(50 * time.Millisecond)
		}
		// Once the outbox records every one sent, no instance will send
		// any of them again; then count what arrived.
		raw := storetest.Raw(t, dsn)
		if _, err := within(10*time.Second, func() error {
			var unsent int
			if err := raw.TryQueryRow(`SELECT COUNT(*) FROM outbox WHERE to_addr LIKE 'bulk-%' AND status <> 'sent'`, &unsent); err != nil {
				return err
			}
			if unsent > 0 {
				return fmt.Errorf("%d emails not marked sent", unsent)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		got := bulkReceived(smtp, bulk)
		perID := map[string]int{}
		perTo := map[string]int{}
		for _, m := range got {
			perID[strings.Trim(m.Header("Message-ID"), "<>")]++
			for _, to := range m.To {
				perTo[to]++
			}
		}
		for id, want := range bulk {
			if perID[id] != 1 {
				t.Errorf("%s (to %s) arrived %d times, want once", id, want, perID[id])
			}
			if perTo[want] != 1 {
				t.Errorf("%s received %d emails, want 1", want, perTo[want])
			}
		}
		if len(got) != len(bulk) || len(perID) != len(bulk) {
			t.Errorf("%d emails arrived with %d distinct Message-IDs; want %d of each", len(got), len(perID), len(bulk))
		}
		byA, byB := relays["a"].bulk.Load(), relays["b"].bulk.Load()
		t.Logf("a sent %d of them, b %d", byA, byB)
		if byA == 0 || byB == 0 {
			t.Errorf("one instance sent every email (a %d, b %d): the senders never worked side by side", byA, byB)
		}
	})

	t.Run("a story scheduled while both run is published once", func(t *testing.T) {
		// b publishes it as it starts; failing that, the first of the two
		// schedulers to look, within 20 seconds.
		if _, err := within(25*time.Second, func() error {
			if _, st := callAPI(t, b, token, http.MethodGet, fmt.Sprintf("/api/v1/stories/%d", scheduled.ID), nil); st.Status != "published" {
				return fmt.Errorf("still %s", st.Status)
			}
			return nil
		}); err != nil {
			t.Fatalf("the story scheduled for %s: %v", due.Format(time.TimeOnly), err)
		}
		took, err := within(fresh, func() error {
			return errors.Join(
				showAll(t, passerby, a, scheduled.Headline, scheduledPath, "/", "/section/culture"),
				showAll(t, passerby, b, scheduled.Headline, scheduledPath, "/", "/section/culture"))
		})
		if err != nil {
			t.Errorf("%v after the story was published: %v", took, err)
		}
		if n := strings.Count(passerby.get(t, b, "/sitemap.xml").body, scheduledPath+"</loc>"); n != 1 {
			t.Errorf("the sitemap lists the story %d times, want once", n)
		}
		var by []string
		for _, n := range []*node{a, b} {
			for range n.published(scheduled.ID) {
				by = append(by, n.name)
			}
		}
		if len(by) != 1 {
			t.Errorf("the story was published by %v, want exactly one instance", by)
		}
		t.Logf("scheduled for %s, published by %v", due.Format(time.TimeOnly), by)
	})
}

// secondParagraph is in the body of every story the test writes, past the
// first paragraph, which is all a paywall shows.
const secondParagraph = "Union officials said talks would resume on Thursday morning."

// node is one running dateline instance of the two-instance test, with
// its log kept for the test to read.
type node struct {
	*instance
	name string
	log  *syncBuffer
}

// startNode runs the binary on a free loopback port against the database
// dsn, sending mail to smtpURL and keeping images in data, and waits until
// it is ready. It is stopped with SIGTERM when the test ends.
func startNode(t *testing.T, bin, name, dsn, smtpURL, data string, extra ...string) *node {
	t.Helper()
	addr := freeAddr(t)
	args := append([]string{"--database", dsn, "--addr", addr, "--smtp", smtpURL, "--data-dir", data}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Env = os.Environ()
	n := &node{name: name, log: &syncBuffer{}}
	cmd.Stderr = n.log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	n.instance = &instance{cmd: cmd, base: "http://" + addr, done: make(chan error, 1)}
	go func() { n.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			return
		}
		select {
		case err := <-n.done:
			if err != nil {
				t.Errorf("instance %s exited with %v after SIGTERM", name, err)
			}
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("instance %s did not stop within 15 s of SIGTERM", name)
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-n.done:
			t.Fatalf("instance %s exited: %v\n%s", name, err, n.log)
		default:
		}
		if res, err := http.Get(n.base + "/readyz"); err == nil {
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return n
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("instance %s was not ready on %s within 30 s\n%s", name, addr, n.log)
	return nil
}

// published returns the log lines in which the instance says it published
// the scheduled story id.
func (n *node) published(id int64) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(n.log.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line struct {
			Msg   string `json:"msg"`
			Story int64  `json:"story"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "published a scheduled story" && line.Story == id {
			out = append(out, sc.Text())
		}
	}
	return out
}

// browser sends requests to whichever instance the test names, follows no
// redirects, and carries its session cookie by hand, so that a session
// reaches the other instance only when the test sends it there.
type browser struct {
	session string         // the dateline_session cookie's value, if logged in
	extra   []*http.Cookie // other cookies to send, such as a flash message
}

// response is what an instance answered.
type response struct {
	status int
	header http.Header
	body   string
}

// noRedirects is a client that hands back redirects as they come.
func noRedirects() *http.Client {
	return &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func (br *browser) do(t *testing.T, n *node, method, path string, form url.Values) response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, n.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if br.session != "" {
		req.AddCookie(&http.Cookie{Name: "dateline_session", Value: br.session})
	}
	for _, c := range br.extra {
		req.AddCookie(c)
	}
	res, err := noRedirects().Do(req)
	if err != nil {
		t.Fatalf("%s %s on %s: %v", method, path, n.name, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s on %s: %v", method, path, n.name, err)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

func (br *browser) get(t *testing.T, n *node, path string) response {
	t.Helper()
	return br.do(t, n, http.MethodGet, path, nil)
}

func (br *browser) post(t *testing.T, n *node, path string, form url.Values) response {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	return br.do(t, n, http.MethodPost, path, form)
}

// createUser makes an account with a confirmed address through
// "dateline user create".
func createUser(t *testing.T, dsn, email, role, password string) {
	t.Helper()
	if code, _, errOut := runCmd(t, map[string]string{"STDIN": password + "\n"}, "user", "create",
		"--database", dsn, "--email", email, "--role", role, "--password-stdin"); code != 0 {
		t.Fatalf("user create %s: %s", email, errOut)
	}
}

// logIn logs in on n and returns a browser holding the new session.
func logIn(t *testing.T, n *node, email, password string) *browser {
	t.Helper()
	br := &browser{}
	res := br.post(t, n, "/login", url.Values{"email": {email}, "password": {password}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("log in as %s on %s: %d", email, n.name, res.status)
	}
	for _, c := range (&http.Response{Header: res.header}).Cookies() {
		if c.Name == "dateline_session" && c.Value != "" {
			br.session = c.Value
		}
	}
	if br.session == "" {
		t.Fatalf("log in as %s on %s: no session cookie", email, n.name)
	}
	return br
}

// apiToken makes an API token on the account page of n.
func apiToken(t *testing.T, staff *browser, n *node) string {
	t.Helper()
	res := staff.post(t, n, "/account/tokens", url.Values{"name": {"scale test"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("make an API token on %s: %d, want 303", n.name, res.status)
	}
	// The new token is shown once, on the page the post leads to, from a
	// cookie sealed for this session.
	to, _, _ := strings.Cut(res.header.Get("Location"), "#")
	staff.extra = (&http.Response{Header: res.header}).Cookies()
	defer func() { staff.extra = nil }()
	page := staff.get(t, n, to)
	m := regexp.MustCompile(`value="(dl_[^"]+)"`).FindStringSubmatch(page.body)
	if page.status != http.StatusOK || m == nil {
		t.Fatalf("the new API token on %s: %d, no token on the page", n.name, page.status)
	}
	return m[1]
}

// subscribe takes out a subscription with the demo provider on n.
func subscribe(t *testing.T, br *browser, n *node) {
	t.Helper()
	m := regexp.MustCompile(`name="plan" value="(\d+)"`).FindStringSubmatch(br.get(t, n, "/subscribe").body)
	if m == nil {
		t.Fatalf("no plan to subscribe to on %s", n.name)
	}
	plan := url.Values{"plan": {m[1]}}
	if res := br.post(t, n, "/subscribe/checkout", plan); res.status != http.StatusSeeOther {
		t.Fatalf("checkout on %s: %d", n.name, res.status)
	}
	if res := br.post(t, n, "/subscribe/demo", plan); res.status != http.StatusSeeOther {
		t.Fatalf("demo payment on %s: %d", n.name, res.status)
	}
}

// apiStory is the part of the API's story the test reads and sends back.
type apiStory struct {
	ID       int64    `json:"id,omitempty"`
	Slug     string   `json:"slug"`
	Headline string   `json:"headline"`
	Dek      string   `json:"dek"`
	Dateline string   `json:"dateline"`
	Bylines  []string `json:"bylines"`
	Section  string   `json:"section"`
	Tags     []string `json:"tags"`
	Access   string   `json:"access"`
	Comments string   `json:"comments"`
	Body     string   `json:"body"`
	Status   string   `json:"status,omitempty"`
	URL      string   `json:"url,omitempty"`
	Version  int      `json:"version"`
}

// callAPI sends in as JSON (nothing when nil) to the newsroom API on n and
// decodes the story it answers.
func callAPI(t *testing.T, n *node, token, method, path string, in any) (int, apiStory) {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, n.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := noRedirects().Do(req)
	if err != nil {
		t.Fatalf("%s %s on %s: %v", method, path, n.name, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s on %s: %v", method, path, n.name, err)
	}
	var out apiStory
	if res.StatusCode < 300 {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s on %s: %v\n%s", method, path, n.name, err, raw)
		}
	} else {
		t.Logf("%s %s on %s: %d %s", method, path, n.name, res.StatusCode, raw)
	}
	return res.StatusCode, out
}

// createStory files a draft through the API on n.
func createStory(t *testing.T, n *node, token, headline, section, access string) apiStory {
	t.Helper()
	code, st := callAPI(t, n, token, http.MethodPost, "/api/v1/stories", apiStory{
		Headline: headline, Dek: "What the strike means for the port.", Dateline: "ROTTERDAM",
		Bylines: []string{"Harbour desk"}, Section: section, Tags: []string{}, Access: access, Comments: "subscribers",
		Body: "Dockers voted on Monday to stop work for a week.\n\n" + secondParagraph,
	})
	if code != http.StatusCreated {
		t.Fatalf("create %q on %s: %d", headline, n.name, code)
	}
	return st
}

// pathOf is the path of an absolute story URL.
func pathOf(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil || u.Path == "" {
		t.Fatalf("story URL %q: %v", raw, err)
	}
	return u.Path
}

// showAll checks that every one of n's pages at paths answers 200 with
// text in it, and says which do not.
func showAll(t *testing.T, br *browser, n *node, text string, paths ...string) error {
	t.Helper()
	var errs []error
	for _, p := range paths {
		if res := br.get(t, n, p); res.status != http.StatusOK || !strings.Contains(res.body, text) {
			errs = append(errs, fmt.Errorf("%s's %s (%d) lacks %q", n.name, p, res.status, text))
		}
	}
	return errors.Join(errs...)
}

// within calls check until it returns nil or d has passed, and returns how
// long that took and check's last complaint.
func within(d time.Duration, check func() error) (time.Duration, error) {
	start := time.Now()
	for {
		err := check()
		took := time.Since(start)
		if err == nil || took > d {
			return took, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// enqueueBulkMail puts n emails in the shared outbox, each to its own
// recipient, and returns their Message-IDs (without angle brackets) with
// the recipient of each.
func enqueueBulkMail(t *testing.T, db *store.Store, n int) map[string]string {
	t.Helper()
	out := make(map[string]string, n)
	for i := range n {
		to := fmt.Sprintf("bulk-%03d@example.com", i)
		m := mail.New("scale.example", to, "", fmt.Sprintf("Bulletin %d", i), "The harbour bulletin.", "")
		if err := db.Enqueue(context.Background(), m); err != nil {
			t.Fatalf("enqueue %s: %v", to, err)
		}
		out[strings.Trim(m.MessageID, "<>")] = to
	}
	return out
}

// bulkReceived returns the messages the SMTP server got for the bulk
// recipients.
func bulkReceived(smtp *mailtest.Server, bulk map[string]string) []mailtest.Received {
	to := make(map[string]bool, len(bulk))
	for _, addr := range bulk {
		to[addr] = true
	}
	var out []mailtest.Received
	for _, m := range smtp.Messages() {
		for _, addr := range m.To {
			if to[strings.ToLower(addr)] {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

// slowRelay passes SMTP connections on to the test's mail server, each
// after a pause, and counts the bulk recipients named through it.
type slowRelay struct {
	ln     net.Listener
	target string
	pause  time.Duration
	bulk   atomic.Int64 // RCPT TO commands for bulk-… addresses

	mu    sync.Mutex
	conns []net.Conn
	wg    sync.WaitGroup
}

// startSlowRelay listens on a free loopback port until the test ends.
func startSlowRelay(t *testing.T, target string, pause time.Duration) *slowRelay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &slowRelay{ln: ln, target: target, pause: pause}
	r.wg.Go(r.accept)
	t.Cleanup(func() {
		_ = ln.Close()
		r.mu.Lock()
		for _, c := range r.conns {
			_ = c.Close()
		}
		r.mu.Unlock()
		r.wg.Wait()
	})
	return r
}

// URL is the relay's address as --smtp takes it.
func (r *slowRelay) URL() string { return "smtp://" + r.ln.Addr().String() }

func (r *slowRelay) accept() {
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return // closed when the test ends
		}
		r.wg.Go(func() { r.pass(c) })
	}
}

// pass waits, connects to the mail server and copies both ways, reading
// the client's side line by line to count bulk recipients.
func (r *slowRelay) pass(client net.Conn) {
	defer client.Close()
	time.Sleep(r.pause)
	server, err := net.Dial("tcp", r.target)
	if err != nil {
		return // the client sees the connection close and retries later
	}
	defer server.Close()
	r.mu.Lock()
	r.conns = append(r.conns, client, server)
	r.mu.Unlock()
	r.wg.Go(func() {
		_, _ = io.Copy(client, server) // ends when either side closes
		_ = client.Close()
	})
	lines := bufio.NewReader(client)
	for {
		line, err := lines.ReadString('\n')
		if strings.HasPrefix(strings.ToUpper(line), "RCPT TO:<BULK-") {
			r.bulk.Add(1)
		}
		if _, werr := io.WriteString(server, line); werr != nil || err != nil {
			return
		}
	}
}
