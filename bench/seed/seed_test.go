package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"dateline/internal/story"
)

// postgresEnv names the PostgreSQL server the store tests use.
const postgresEnv = "DATELINE_TEST_POSTGRES"

var smallSizes = Sizes{Stories: 400, Years: 2, Authors: 12, Tags: 40, Readers: 300, Subscribers: 80, Comments: 3000}

// buildDateline compiles the dateline binary once per test run.
func buildDateline(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "dateline")
	out, err := exec.Command("go", "build", "-o", bin, "dateline/cmd/dateline").CombinedOutput()
	if err != nil {
		t.Fatalf("build dateline: %v\n%s", err, out)
	}
	return bin
}

// postgresDSN returns a URL whose search_path is a schema of this test's
// own, dropped when it ends; it skips the test without a server.
func postgresDSN(t *testing.T) string {
	t.Helper()
	base := os.Getenv(postgresEnv)
	if base == "" {
		t.Skip(postgresEnv + " is not set; skipping the PostgreSQL run")
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "bench_seed_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Logf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func TestSeededSiteServesItsPages(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs dateline")
	}
	bin := buildDateline(t)
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			dsn := filepath.Join(t.TempDir(), "seed.db")
			if engine == "postgres" {
				dsn = postgresDSN(t)
			}
			out := t.TempDir()
			cfg := Config{Database: dsn, Dateline: bin, Out: out, Sizes: smallSizes, Password: "read-all-about-it", Seed: 7}
			ctx := context.Background()
			if err := Run(ctx, cfg); err != nil {
				t.Fatalf("seed: %v", err)
			}
			checkCounts(t, dsn, smallSizes)
			if err := Run(ctx, cfg); err == nil {
				t.Error("seeding a database that has stories worked; want it refused")
			}
			// A refresh replaces the sessions: old cookies stop working.
			oldCookies := readLines(t, filepath.Join(out, "cookies.txt"))
			if err := Refresh(ctx, cfg); err != nil {
				t.Fatalf("refresh: %v", err)
			}
			cookies := readLines(t, filepath.Join(out, "cookies.txt"))
			if len(cookies) != smallSizes.Subscribers || cookies[0] == oldCookies[0] {
				t.Fatalf("refresh wrote %d cookies (first the same as before: %v); want %d new ones",
					len(cookies), cookies[0] == oldCookies[0], smallSizes.Subscribers)
			}
			base := serve(t, bin, dsn)
			checkPages(t, base, out, cookies, oldCookies[0])
		})
	}
}

func checkCounts(t *testing.T, dsn string, z Sizes) {
	t.Helper()
	db, err := openDB(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for query, want := range map[string]int{
		`SELECT COUNT(*) FROM sections`:                                                                    12,
		`SELECT COUNT(*) FROM stories WHERE status = 'published'`:                                          z.Stories,
		`SELECT COUNT(*) FROM users WHERE email_verified_at IS NOT NULL`:                                   z.Readers,
		`SELECT COUNT(*) FROM subscriptions WHERE status = 'active'`:                                       z.Subscribers,
		`SELECT COUNT(*) FROM comments`:                                                                    z.Comments,
		`SELECT COUNT(*) FROM story_revisions`:                                                             z.Stories,
		`SELECT COUNT(*) FROM stories WHERE search_lead = '' OR search_rest = '' OR body_html = ''`:        0,
		`SELECT COUNT(*) FROM story_bylines b LEFT JOIN stories s ON s.id = b.story_id WHERE s.id IS NULL`: 0,
	} {
		var got int
		if err := db.QueryRow(query).Scan(&got); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		if got != want {
			t.Errorf("%s = %d, want %d", query, got, want)
		}
	}
	var subs int
	if err := db.QueryRow(`SELECT COUNT(*) FROM stories WHERE access = 'subscribers'`).Scan(&subs); err != nil {
		t.Fatal(err)
	}
	if subs == 0 || subs == z.Stories {
		t.Errorf("%d of %d stories are for subscribers; want some, not all", subs, z.Stories)
	}
}

// serve starts dateline on the seeded database and returns its address.
// The port is found free and then given to dateline, so another test's
// server can take it in between; then dateline exits, and serve tries
// another port, rather than test a server that is not the seeded one.
// Dateline's log is shown when the test fails.
func serve(t *testing.T, bin, dsn string) string {
	t.Helper()
	for range 5 {
		if base, ok := tryServe(t, bin, dsn); ok {
			return base
		}
	}
	t.Fatal("dateline did not start on any of 5 free ports")
	return ""
}

// lockedBuffer is a log written by one process and read by the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// tryServe starts dateline on a free port; false when it exited instead.
func tryServe(t *testing.T, bin, dsn string) (string, bool) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "serve", "--addr", addr, "--database", dsn, "--data-dir", t.TempDir())
	log := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = io.Discard, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	exited := func() bool {
		select {
		case <-done:
			return true
		default:
			return false
		}
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		<-done
		if t.Failed() {
			t.Logf("dateline's log:\n%s", log)
		}
	})
	base := "http://" + addr
	deadline := time.Now().Add(20 * time.Second)
	for {
		if exited() {
			t.Logf("dateline exited at start, trying another port:\n%s", log)
			return "", false
		}
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				// A dateline that could not take the port exits at once;
				// until then another server may be the one answering.
				time.Sleep(200 * time.Millisecond)
				if exited() {
					continue
				}
				return base, true
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("dateline did not answer /healthz: %v\n%s", err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func checkPages(t *testing.T, base, out string, cookies []string, staleCookie string) {
	t.Helper()
	var p Pages
	b, err := os.ReadFile(filepath.Join(out, "pages.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path, cookie string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: "dateline_session", Value: cookie})
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	for _, path := range []string{p.Front, p.Story, p.Subscriber, p.Section, p.Feed, p.Search} {
		if code, _ := get(path, ""); code != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", path, code)
		}
	}
	if _, body := get(p.Search, ""); !strings.Contains(body, "<mark>") {
		t.Errorf("GET %s found nothing highlighted; want hits", p.Search)
	}
	if _, body := get(p.Subscriber, cookies[len(cookies)-1]); !strings.Contains(body, "Log out") {
		t.Errorf("a subscriber's story page has no log-out button: the session cookie did not log in")
	}
	if _, body := get(p.Subscriber, staleCookie); strings.Contains(body, "Log out") {
		t.Errorf("a session replaced by the refresh still logs in")
	}

	post := func(path, cookie string, form url.Values) int {
		t.Helper()
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: "dateline_session", Value: cookie})
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	open := readLines(t, filepath.Join(out, "open-stories.txt"))
	for i := range 3 {
		code := post("/comments", cookies[i], url.Values{"story": {open[i%len(open)]},
			"body": {fmt.Sprintf("Load test comment %d on the seeded site.", i)}})
		if code != http.StatusSeeOther {
			t.Errorf("posting a comment as subscriber %d = %d, want 303", i, code)
		}
	}
	readers := readLines(t, filepath.Join(out, "readers.txt"))
	if code := post("/login", "", url.Values{"email": {readers[0]}, "password": {"read-all-about-it"}}); code != http.StatusSeeOther {
		t.Errorf("log-in with the seeded password = %d, want 303", code)
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

func TestCommentsFavourRecentStories(t *testing.T) {
	s := &Seeder{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	for i := range 1000 {
		s.storyTime = append(s.storyTime, s.now.Add(-time.Duration(1000-i)*24*time.Hour))
	}
	counts := s.commentCounts(s.rng(1), 50000)
	total, oldHalf, newest := 0, 0, 0
	for i, n := range counts {
		total += n
		if i < 500 {
			oldHalf += n
		}
		if i >= 900 {
			newest += n
		}
	}
	if total != 50000 {
		t.Fatalf("comments spread = %d, want 50000", total)
	}
	// Per story, the newest tenth should be far busier than the oldest half.
	if oldHalf == 0 || newest/100 < 4*oldHalf/500 {
		t.Errorf("the oldest half of the stories got %d comments and the newest tenth %d; want old ones some, new ones far more", oldHalf, newest)
	}
}

func TestStoriesAreRepeatableAndValid(t *testing.T) {
	s := &Seeder{cfg: Config{Sizes: smallSizes, Seed: 3}, now: time.Now().UTC(), renderer: story.NewRenderer()}
	a, b := s.storyAt(17), s.storyAt(17)
	if a.headline != b.headline || a.body != b.body || !a.published.Equal(b.published) {
		t.Fatal("the same seed gave two different stories")
	}
	seen := map[string]bool{}
	for i := range smallSizes.Stories {
		st := s.storyAt(i)
		if !story.ValidSlug(story.Slugify(st.headline)) || st.bodyHTML == "" || st.lead == "" {
			t.Fatalf("story %d: slug %q, %d bytes of HTML, lead %q", i, story.Slugify(st.headline), len(st.bodyHTML), st.lead)
		}
		if st.published.After(s.now) {
			t.Fatalf("story %d is published in the future", i)
		}
		if strings.Contains(st.body, "%!") {
			t.Fatalf("story %d has a formatting mistake: %s", i, st.body)
		}
		seen[st.headline] = true
	}
	if len(seen) < smallSizes.Stories*9/10 {
		t.Errorf("%d distinct headlines in %d stories; want them varied", len(seen), smallSizes.Stories)
	}
}

func TestRebind(t *testing.T) {
	if got := rebind(true, "a = ? AND b = ?"); got != "a = $1 AND b = $2" {
		t.Errorf("rebind = %q", got)
	}
	if got := rebind(false, "a = ?"); got != "a = ?" {
		t.Errorf("rebind for SQLite = %q", got)
	}
}

func TestSearchPairsAreTwoSearchWords(t *testing.T) {
	words := map[string]bool{}
	for _, w := range searchWords() {
		if strings.ContainsAny(w, " -") || w != strings.ToLower(w) || words[w] {
			t.Errorf("search word %q: want one lower-case word, listed once", w)
		}
		words[w] = true
	}
	seen := map[string]bool{}
	for _, p := range searchPairs() {
		a, b, ok := strings.Cut(p, " ")
		if !ok || !words[a] || !words[b] || seen[p] {
			t.Errorf("search pair %q: want two search words, listed once", p)
		}
		seen[p] = true
	}
	if len(seen) < 100 {
		t.Errorf("%d search pairs; want enough to keep a search from repeating often", len(seen))
	}
}
