package main

import (
	"bufio"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"dateline/internal/mail/mailtest"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

// buildBinary compiles dateline once for the failure tests.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := filepath.Join(t.TempDir(), "dateline")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// instance is a running dateline process.
type instance struct {
	cmd  *exec.Cmd
	base string
	done chan error
}

func startInstance(t *testing.T, bin, db string, extra ...string) *instance {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(bin, append([]string{"--database", db, "--addr", addr, "--data-dir", filepath.Join(t.TempDir(), "data")}, extra...)...)
	cmd.Env = append(os.Environ(), "DATELINE_SMTP_URL=")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	in := &instance{cmd: cmd, base: "http://" + addr, done: make(chan error, 1)}
	go func() {
		io.Copy(io.Discard, bufio.NewReader(stderr))
		in.done <- cmd.Wait()
	}()
	t.Cleanup(func() { cmd.Process.Kill() })
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get(in.base + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return in
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("dateline did not start on %s", addr)
	return nil
}

// loggedIn is an HTTP client with a session for a member of staff.
func loggedIn(t *testing.T, base, email, password string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(base+"/login", url.Values{"email": {email}, "password": {password}})
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("log in: %v %v", err, res)
	}
	res.Body.Close()
	return c
}

func firstStory(t *testing.T, base string) string {
	t.Helper()
	res, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	m := regexp.MustCompile(`href="(/\d{4}/\d{2}/\d{2}/[a-z0-9-]+)"`).FindSubmatch(b)
	if m == nil {
		t.Fatal("no story on the front page")
	}
	return string(m[1])
}

// TestKillDuringPostingLosesNothing posts comments at a steady rate, kills
// the server with SIGKILL, restarts it, and finds every comment that got a
// success response, once.
func TestKillDuringPostingLosesNothing(t *testing.T) {
	bin := buildBinary(t)
	db := filepath.Join(t.TempDir(), "news.db")
	in := startInstance(t, bin, db, "--demo")
	pw := "a staff passphrase for tests"
	if code, _, errOut := runCmd(t, map[string]string{"STDIN": pw + "\n"}, "user", "create", "--database", db,
		"--email", "desk@example.com", "--role", "editor", "--password-stdin"); code != 0 {
		t.Fatal(errOut)
	}
	client := loggedIn(t, in.base, "desk@example.com", pw)
	path := firstStory(t, in.base)
	slug := path[strings.LastIndex(path, "/")+1:]

	var mu sync.Mutex
	confirmed := map[string]string{} // comment id → text
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			text := fmt.Sprintf("Comment %d from the steady stream.", i)
			res, err := client.PostForm(in.base+"/comments", url.Values{"story": {slug}, "body": {text}})
			if err != nil {
				return // the server is gone
			}
			res.Body.Close()
			if m := regexp.MustCompile(`#comment-(\d+)$`).FindStringSubmatch(res.Header.Get("Location")); res.StatusCode == http.StatusSeeOther && m != nil {
				mu.Lock()
				confirmed[m[1]] = text
				mu.Unlock()
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
	time.Sleep(700 * time.Millisecond)
	in.cmd.Process.Signal(syscall.SIGKILL)
	<-in.done
	close(stop)
	wg.Wait()
	if len(confirmed) == 0 {
		t.Fatal("no comment was confirmed before the kill")
	}
	// Restart on the same file; then read what is there.
	again := startInstance(t, bin, db)
	again.cmd.Process.Signal(syscall.SIGTERM)
	<-again.done
	raw := storetest.Raw(t, db)
	for id, text := range confirmed {
		var n int
		if err := raw.TryQueryRow(`SELECT COUNT(*) FROM comments WHERE id = ? AND body = ?`, &n, id, text); err != nil || n != 1 {
			t.Errorf("comment %s (%q) confirmed before the kill: found %d, %v", id, text, n, err)
		}
		if err := raw.TryQueryRow(`SELECT COUNT(*) FROM comments WHERE body = ?`, &n, text); err != nil || n != 1 {
			t.Errorf("%q is stored %d times", text, n)
		}
	}
	t.Logf("%d comments confirmed before SIGKILL, all present once", len(confirmed))
}

// TestSIGTERMFinishesRequestsInFlight sends SIGTERM while requests are
// under way: every request that started gets its answer, and the process
// exits 0.
func TestSIGTERMFinishesRequestsInFlight(t *testing.T) {
	bin := buildBinary(t)
	db := filepath.Join(t.TempDir(), "news.db")
	in := startInstance(t, bin, db, "--demo")
	path := firstStory(t, in.base)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var ok, refused, broken int
	started := make(chan struct{}, 64)
	for range 8 {
		wg.Go(func() {
			c := &http.Client{Timeout: 20 * time.Second}
			for range 40 {
				started <- struct{}{}
				res, err := c.Get(in.base + path)
				mu.Lock()
				switch {
				case err != nil:
					refused++ // connecting after the listener closed
				case res.StatusCode == http.StatusOK:
					io.Copy(io.Discard, res.Body)
					ok++
				default:
					broken++
				}
				mu.Unlock()
				if err == nil {
					res.Body.Close()
				} else {
					return
				}
			}
		})
	}
	for range 16 {
		<-started
	}
	in.cmd.Process.Signal(syscall.SIGTERM)
	go func() {
		for range started {
		}
	}()
	wg.Wait()
	select {
	case err := <-in.done:
		if err != nil {
			t.Errorf("dateline exited with %v after SIGTERM, want 0", err)
		}
	case <-time.After(40 * time.Second):
		t.Fatal("dateline did not exit within 40 s of SIGTERM")
	}
	if ok == 0 || broken != 0 {
		t.Errorf("%d answered, %d refused after shutdown began, %d broken answers", ok, refused, broken)
	}
}

// TestPostgresConnectionsCutUnderLoad terminates every connection of a
// running instance while readers load pages: requests answer 200 or a fast
// 503, never a 500, and the pool recovers without a restart.
func TestPostgresConnectionsCutUnderLoad(t *testing.T) {
	bin := buildBinary(t)
	dsn := storetest.DSN(t, store.Postgres)
	u, _ := url.Parse(dsn)
	q := u.Query()
	app := fmt.Sprintf("dateline-cut-%d", time.Now().UnixNano())
	q.Set("application_name", app)
	u.RawQuery = q.Encode()
	in := startInstance(t, bin, u.String(), "--demo")
	path := firstStory(t, in.base)

	admin, err := sql.Open("pgx", os.Getenv(storetest.PostgresEnv))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	cut := func() int {
		var n int
		admin.QueryRow(`SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`, app).Scan(&n)
		return n
	}
	var mu sync.Mutex
	codes := map[int]int{}
	var slow time.Duration
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			c := &http.Client{Timeout: 10 * time.Second}
			for {
				select {
				case <-stop:
					return
				default:
				}
				start := time.Now()
				res, err := c.Get(in.base + path)
				took := time.Since(start)
				if err != nil {
					t.Errorf("request failed outright: %v", err)
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				mu.Lock()
				codes[res.StatusCode]++
				if res.StatusCode == http.StatusServiceUnavailable && took > slow {
					slow = took
				}
				mu.Unlock()
			}
		})
	}
	time.Sleep(300 * time.Millisecond)
	killed := 0
	for range 5 {
		killed += cut()
		time.Sleep(100 * time.Millisecond)
	}
	// After the cuts, the same running instance serves again.
	time.Sleep(500 * time.Millisecond)
	mu.Lock()
	before := codes[http.StatusOK]
	mu.Unlock()
	time.Sleep(700 * time.Millisecond)
	close(stop)
	wg.Wait()
	if killed == 0 {
		t.Fatal("no connection was cut; the test proves nothing")
	}
	if codes[http.StatusInternalServerError] != 0 || len(codes) > 2 {
		t.Errorf("answers during the cuts: %v; want only 200 and 503", codes)
	}
	if codes[http.StatusOK] <= before {
		t.Errorf("no page served after the cuts: the pool did not recover (%v)", codes)
	}
	if slow > 5*time.Second {
		t.Errorf("a 503 took %v; failing should be fast", slow)
	}
	t.Logf("cut %d connections; answers %v", killed, codes)
}

// TestResetMailSurvivesSMTPOutageAndRestart requests reset codes while the
// mail server is down, restarts Dateline, brings the mail server back, and
// receives every code exactly once.
func TestResetMailSurvivesSMTPOutageAndRestart(t *testing.T) {
	bin := buildBinary(t)
	smtp := mailtest.Start(t)
	smtp.Down()
	db := filepath.Join(t.TempDir(), "news.db")
	emails := []string{"ana@example.com", "bo@example.com", "cy@example.com"}
	for _, e := range emails {
		if code, _, errOut := runCmd(t, map[string]string{"STDIN": "a reader's long passphrase\n"}, "user", "create",
			"--database", db, "--email", e, "--password-stdin"); code != 0 {
			t.Fatal(errOut)
		}
	}
	in := startInstance(t, bin, db, "--smtp", smtp.URL())
	for _, e := range emails {
		res, err := http.PostForm(in.base+"/password/forgot", url.Values{"email": {e}})
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("forgot %s: %v %v", e, err, res)
		}
		res.Body.Close()
	}
	// Wait until the sender has tried and failed for each.
	raw := storetest.Raw(t, db)
	deadline := time.Now().Add(20 * time.Second)
	for {
		var tried int
		_ = raw.TryQueryRow(`SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND attempts >= 1`, &tried) // asked again until the deadline
		if tried == len(emails) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d emails were tried while the mail server was down", tried, len(emails))
		}
		time.Sleep(100 * time.Millisecond)
	}
	in.cmd.Process.Signal(syscall.SIGTERM)
	if err := <-in.done; err != nil {
		t.Fatalf("dateline exited with %v", err)
	}
	// The mail server comes back; so does Dateline.
	smtp.Up()
	startInstance(t, bin, db, "--smtp", smtp.URL())
	for _, e := range emails {
		got := smtp.WaitForTo(t, e, 1, 90*time.Second)
		if len(got) != 1 || !regexp.MustCompile(`(?m)^Your reset code: \d{8}`).MatchString(got[0].Text()) {
			t.Fatalf("%s received %d emails", e, len(got))
		}
	}
	// The outbox records them sent (just after the server took them).
	deadline = time.Now().Add(10 * time.Second)
	for {
		var pending int
		_ = raw.TryQueryRow(`SELECT COUNT(*) FROM outbox WHERE status <> 'sent'`, &pending) // asked again until the deadline
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d emails not marked sent", pending)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, e := range emails {
		if n := len(smtp.MessagesTo(e)); n != 1 {
			t.Errorf("%s received %d emails, want 1", e, n)
		}
	}
}
