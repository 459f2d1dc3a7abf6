package main

import (
	"bytes"
	"context"
	"database/sql"
	"dateline/internal/clock"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"dateline/internal/account"
	"dateline/internal/audit"
	"dateline/internal/password"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
	"dateline/internal/story"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runCmd runs the command line with the given environment and returns the
// exit code and what it printed.
func runCmd(t *testing.T, environ map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut syncBuffer
	lookup := func(k string) (string, bool) { v, ok := environ[k]; return v, ok }
	code = run(context.Background(), args, strings.NewReader(environ["STDIN"]), &out, &errOut, lookup)
	return code, out.String(), errOut.String()
}

func TestVersionAndHelp(t *testing.T) {
	code, out, _ := runCmd(t, nil, "version")
	if code != 0 || !strings.HasPrefix(out, "dateline ") {
		t.Errorf("version: %d %q", code, out)
	}
	for _, args := range [][]string{{"--help"}, {"serve", "--help"}} {
		code, _, errOut := runCmd(t, nil, args...)
		if code != 0 {
			t.Errorf("%v: exit %d", args, code)
		}
		for _, want := range []string{"--addr", "DATELINE_ADDR", "--database", "DATELINE_DATABASE", "--base-url", "DATELINE_BASE_URL", "--demo", "DATELINE_DEMO",
			"--max-in-flight", "DATELINE_MAX_IN_FLIGHT", "--scheduler-interval", "DATELINE_SCHEDULER_INTERVAL"} {
			if !strings.Contains(errOut, want) {
				t.Errorf("%v does not mention %s:\n%s", args, want, errOut)
			}
		}
	}
	code, _, errOut := runCmd(t, nil, "migrate", "--help")
	if code != 0 || !strings.Contains(errOut, "DATELINE_DATABASE") || strings.Contains(errOut, "--addr") {
		t.Errorf("migrate --help: %d\n%s", code, errOut)
	}
	if code, _, _ := runCmd(t, nil, "frobnicate"); code != 2 {
		t.Errorf("unknown command: exit %d, want 2", code)
	}
	if code, _, _ := runCmd(t, nil, "serve", "--no-such-flag"); code != 2 {
		t.Errorf("unknown flag: exit %d, want 2", code)
	}
}

func TestBadDatabaseExitsWithOneLine(t *testing.T) {
	// Nothing listens on port 1; the directory does not exist.
	for _, db := range []string{
		"postgres://dateline:secret-pw@127.0.0.1:1/news?connect_timeout=3",
		filepath.Join(t.TempDir(), "no", "such", "dir", "dateline.db"),
	} {
		for _, cmd := range []string{"serve", "migrate"} {
			args := []string{cmd, "--database", db}
			if cmd == "serve" {
				args = append(args, "--addr", "127.0.0.1:0")
			}
			code, _, errOut := runCmd(t, nil, args...)
			if code == 0 {
				t.Errorf("%s on %s: exit 0", cmd, db)
			}
			lines := strings.Split(strings.TrimSpace(errOut), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], "database") {
				t.Errorf("%s on %s printed %q, want one line naming the database", cmd, db, errOut)
			}
			t.Logf("%s: %s", cmd, errOut)
			if strings.Contains(errOut, "secret-pw") {
				t.Errorf("the error shows the database password: %q", errOut)
			}
		}
	}
}

func TestMigrateRefusesANewerDatabase(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			dsn := storetest.DSN(t, d)
			code, out, errOut := runCmd(t, map[string]string{"DATELINE_DATABASE": dsn}, "migrate")
			if code != 0 || !strings.Contains(out, "schema version") {
				t.Fatalf("migrate: %d %q %q", code, out, errOut)
			}
			driver := map[store.Dialect]string{store.SQLite: "sqlite", store.Postgres: "pgx"}[d]
			raw, err := sql.Open(driver, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			if _, err := raw.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 'x')`); err != nil {
				t.Fatal(err)
			}
			code, _, errOut = runCmd(t, nil, "migrate", "--database", dsn)
			if code == 0 || !strings.Contains(errOut, "newer") || strings.Count(errOut, "\n") != 1 {
				t.Errorf("migrate on a newer database: exit %d, %q", code, errOut)
			}
			code, _, errOut = runCmd(t, nil, "serve", "--database", dsn, "--addr", "127.0.0.1:0")
			if code == 0 || !strings.Contains(errOut, "newer") {
				t.Errorf("serve on a newer database: exit %d, %q", code, errOut)
			}
		})
	}
}

func TestBadSettingsAreRefused(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{"DATELINE_DEMO": "maybe"}, nil, "DATELINE_DEMO"},
		{nil, []string{"--base-url", "news.example"}, "--base-url"},
		{nil, []string{"--database", ""}, "--database"},
		{map[string]string{"DATELINE_MAX_IN_FLIGHT": "many"}, nil, "DATELINE_MAX_IN_FLIGHT"},
		{nil, []string{"--scheduler-interval", "0s"}, "--scheduler-interval"},
		{nil, []string{"--mail-reply-to", "letters at news"}, "--mail-reply-to"},
		{map[string]string{"DATELINE_MAIL_REPLY_TO": "letters@"}, nil, "--mail-reply-to"},
		{nil, []string{"--time-zone", "Europe/Atlantis"}, "--time-zone \"Europe/Atlantis\" is not an IANA time zone name"},
		{map[string]string{"DATELINE_TIME_ZONE": "CEST+2"}, nil, "--time-zone"},
	} {
		code, _, errOut := runCmd(t, tc.env, append([]string{"serve"}, tc.args...)...)
		if code == 0 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v %v: exit %d %q, want an error naming %s", tc.env, tc.args, code, errOut, tc.want)
		}
	}
}

// freeAddr finds a loopback port nobody is using.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestServeDemo(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			dsn := storetest.DSN(t, d)
			raw := storetest.Raw(t, dsn)
			countStories := func() int {
				var n int
				raw.QueryRow(t, `SELECT COUNT(*) FROM stories`, &n)
				return n
			}
			for round := range 2 {
				addr := freeAddr(t)
				env := map[string]string{"DATELINE_DATABASE": dsn, "DATELINE_DEMO": "true", "DATELINE_ADDR": addr, "DATELINE_DATA_DIR": t.TempDir()}
				ctx, cancel := context.WithCancel(context.Background())
				var errOut syncBuffer
				done := make(chan int)
				go func() {
					done <- run(ctx, nil, strings.NewReader(""), io.Discard, &errOut, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
				}()
				body := waitForPage(t, "http://"+addr+"/", done, &errOut)
				if !strings.Contains(body, `class="lead-headline"`) {
					t.Errorf("round %d: the front page has no lead story", round)
				}
				cancel()
				if code := <-done; code != 0 {
					t.Errorf("round %d: serve exited %d after shutdown: %s", round, code, errOut.String())
				}
				if n := countStories(); n < 12 {
					t.Errorf("round %d: %d demo stories, want at least 12", round, n)
				} else if round == 1 && n != 16 {
					t.Errorf("--demo on a database with content changed it: %d stories", n)
				}
			}
		})
	}
}

// waitForPage polls url until it answers 200 or the server exits.
// startDemoOnce runs `dateline --demo` with env until its front page at
// env's DATELINE_ADDR answers, stops it, and returns what it printed and
// what it logged.
func startDemoOnce(t *testing.T, env map[string]string) (out, log string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"--demo"}, strings.NewReader(""), &stdout, &stderr, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	}()
	waitForPage(t, "http://"+env["DATELINE_ADDR"]+"/", done, &stderr)
	cancel()
	<-done
	return stdout.String(), stderr.String()
}

func waitForPage(t *testing.T, url string, done chan int, errOut fmt.Stringer) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case code := <-done:
			t.Fatalf("serve exited %d: %s", code, errOut)
		default:
		}
		res, err := http.Get(url)
		if err == nil {
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return string(b)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not answer", url)
	return ""
}

func TestUserCreate(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			dsn := storetest.DSN(t, d)
			env := map[string]string{"DATELINE_DATABASE": dsn}
			code, out, errOut := runCmd(t, env, "user", "create", "--email", "Editor@Example.com", "--role", "editor")
			if code != 0 {
				t.Fatalf("user create: %d %s", code, errOut)
			}
			pw := regexp.MustCompile(`(?m)^Password: (\S+)$`).FindStringSubmatch(out)
			if pw == nil || len(pw[1]) < 16 || !strings.Contains(out, "editor@example.com") || !strings.Contains(out, "role editor") {
				t.Fatalf("output:\n%s", out)
			}
			// The printed password logs in: check it against the stored hash.
			s, err := store.Open(context.Background(), dsn, clock.System)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			u, err := s.UserByEmail(context.Background(), "editor@example.com")
			if err != nil || u.Role != account.Editor || !u.Verified() {
				t.Fatalf("user = %+v, %v", u, err)
			}
			ok, _, err := password.NewHasher(password.DefaultParams(), 1, time.Second).Verify(context.Background(), pw[1], u.PasswordHash)
			if err != nil || !ok {
				t.Errorf("the printed password does not match the account: %v", err)
			}

			// From standard input; nothing printed about the password.
			env["STDIN"] = "a long typed passphrase\n"
			code, out, errOut = runCmd(t, env, "user", "create", "--email", "mod@example.com", "--role", "moderator", "--name", "Moderator", "--password-stdin")
			if code != 0 || strings.Contains(out, "Password:") || strings.Contains(out, "a long typed passphrase") {
				t.Fatalf("--password-stdin: %d\n%s%s", code, out, errOut)
			}
			m, err := s.UserByEmail(context.Background(), "mod@example.com")
			if err != nil || m.DisplayName != "Moderator" {
				t.Fatalf("moderator = %+v, %v", m, err)
			}
			if ok, _, _ := password.NewHasher(password.DefaultParams(), 1, time.Second).Verify(context.Background(), "a long typed passphrase", m.PasswordHash); !ok {
				t.Error("the password read from standard input is not the account's")
			}

			// Both are in the audit log, made at the command line.
			page, err := audit.NewLog(s, clock.System).Page(context.Background(), 0)
			if err != nil {
				t.Fatal(err)
			}
			var logged []string
			for _, e := range page.Entries {
				logged = append(logged, e.Actor+" "+e.Action+" "+e.Target+" "+e.Details)
			}
			for _, want := range []string{"dateline user create staff.created editor@example.com as editor",
				"dateline user create staff.created mod@example.com as moderator"} {
				if !slices.Contains(logged, want) {
					t.Errorf("the audit log %q lacks %q", logged, want)
				}
			}

			// Mistakes: a taken address, an unknown role, a weak password.
			for _, args := range [][]string{
				{"--email", "editor@example.com", "--role", "writer"},
				{"--email", "x@example.com", "--role", "owner"},
				{"--email", "not-an-email", "--role", "writer"},
			} {
				if code, _, errOut := runCmd(t, env, append([]string{"user", "create"}, args...)...); code == 0 || strings.Count(errOut, "\n") != 1 {
					t.Errorf("%v: exit %d, %q", args, code, errOut)
				}
			}
			env["STDIN"] = "password\n"
			if code, _, errOut := runCmd(t, env, "user", "create", "--email", "w@example.com", "--role", "writer", "--password-stdin"); code == 0 || !strings.Contains(errOut, "password") {
				t.Errorf("weak password: exit %d, %q", code, errOut)
			}
		})
	}
}

func TestDemoPrintsAnAdminPassword(t *testing.T) {
	dsn := storetest.DSN(t, store.SQLite)
	addr := freeAddr(t)
	out, _ := startDemoOnce(t, map[string]string{"DATELINE_DATABASE": dsn, "DATELINE_ADDR": addr})
	m := regexp.MustCompile(`Demo admin: (\S+)\nPassword: +(\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no admin in the output:\n%s", out)
	}
	s, err := store.Open(context.Background(), dsn, clock.System)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	u, err := s.UserByEmail(context.Background(), m[1])
	if err != nil || u.Role != account.Admin {
		t.Fatalf("demo admin = %+v, %v", u, err)
	}
	if ok, _, _ := password.NewHasher(password.DefaultParams(), 1, time.Second).Verify(context.Background(), m[2], u.PasswordHash); !ok {
		t.Error("the printed password is not the admin's")
	}
}

func TestBackupWhileWritingAndRestore(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "news.db")
	env := map[string]string{"DATELINE_DATABASE": dbPath}
	if code, _, errOut := runCmd(t, env, "migrate"); code != 0 {
		t.Fatal(errOut)
	}
	s, err := store.Open(context.Background(), dbPath, clock.System)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	insert := func(i int) error {
		return s.CreateSection(ctx, &story.Section{Slug: fmt.Sprintf("s%d", i), Name: fmt.Sprintf("Section %d", i)})
	}
	for i := range 200 {
		if err := insert(i); err != nil {
			t.Fatal(err)
		}
	}
	// Writes go on while the backup runs.
	stop := make(chan struct{})
	done := make(chan int)
	go func() {
		n := 200
		for {
			select {
			case <-stop:
				done <- n
				return
			default:
			}
			if insert(n) == nil {
				n++
			}
		}
	}()
	backupFile := filepath.Join(dir, "backup.db")
	code, out, errOut := runCmd(t, env, "backup", backupFile)
	close(stop)
	written := <-done
	if code != 0 || !strings.Contains(out, "backed up") {
		t.Fatalf("backup: %d %s %s", code, out, errOut)
	}
	if written == 200 {
		t.Log("no write happened during the backup; the test still checks the copy")
	}
	if code, _, _ := runCmd(t, env, "backup", backupFile); code == 0 {
		t.Error("a backup overwrote an existing file")
	}
	// Restore refuses a live database without --force, then restores.
	target := filepath.Join(dir, "restored.db")
	copyFile(dbPath, target)
	renv := map[string]string{"DATELINE_DATABASE": target}
	if code, _, errOut := runCmd(t, renv, "restore", backupFile); code == 0 || !strings.Contains(errOut, "--force") {
		t.Errorf("restore over an existing database without --force: %d %q", code, errOut)
	}
	if code, _, errOut := runCmd(t, renv, "restore", "--force", backupFile); code != 0 {
		t.Fatalf("restore: %s", errOut)
	}
	r, err := store.Open(ctx, target, clock.System)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var n int
	storetest.Raw(t, target).QueryRow(t, `SELECT COUNT(*) FROM sections`, &n)
	// Every row committed before the backup began is there.
	if n < 200 {
		t.Errorf("the restored database has %d sections, want at least the 200 written before the backup", n)
	}
	for i := range 200 {
		if _, err := r.SectionBySlug(ctx, fmt.Sprintf("s%d", i)); err != nil {
			t.Fatalf("section s%d is missing: %v", i, err)
		}
	}
	if code, _, _ := runCmd(t, renv, "restore", "--force", filepath.Join(dir, "nope.db")); code == 0 {
		t.Error("restore from a missing file succeeded")
	}
}

// TestRestoreTellsPostgreSQLFromAFileName checks that restore refuses only
// a PostgreSQL URL, not a SQLite file whose name begins with "postgres".
func TestRestoreTellsPostgreSQLFromAFileName(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.db")
	for _, tc := range []struct{ database, want string }{
		{"postgres://db/news", "pg_restore"},
		{"postgresql://db/news", "pg_restore"},
		{filepath.Join(t.TempDir(), "postgres.db"), "no backup file"},
		{"postgres-news.db", "no backup file"},
	} {
		t.Run(tc.database, func(t *testing.T) {
			code, _, errOut := runCmd(t, nil, "restore", "--database", tc.database, missing)
			if code == 0 || !strings.Contains(errOut, tc.want) {
				t.Errorf("restore into %s: exit %d %q, want an error saying %q", tc.database, code, errOut, tc.want)
			}
		})
	}
}
