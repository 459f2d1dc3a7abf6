package store_test

import (
	"bytes"
	"dateline/internal/clock"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"dateline/internal/mail"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

// TestDatabasePasswordsNeverLogged opens PostgreSQL URLs that carry a
// password, in the user information and as a query parameter, and logs
// what the binary logs about a database (its Name, and the error when it
// cannot be opened): no password may show.
func TestDatabasePasswordsNeverLogged(t *testing.T) {
	base := os.Getenv(storetest.PostgresEnv)
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	const userinfoPW, queryPW, sslPW = "Userinfo-pw-7731", "Query-pw-5512", "Sslkey-pw-9044"
	with := func(host string, edit func(u *url.URL, q url.Values)) string {
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		if host != "" {
			u.Host = host
		}
		q := u.Query()
		edit(u, q)
		u.RawQuery = q.Encode()
		return u.String()
	}
	inUserinfo := func(u *url.URL, _ url.Values) { u.User = url.UserPassword(u.User.Username(), userinfoPW) }
	inQuery := func(_ *url.URL, q url.Values) { q.Set("password", queryPW) }
	both := func(u *url.URL, q url.Values) {
		inUserinfo(u, q)
		inQuery(u, q)
		q.Set("sslpassword", sslPW)
	}
	cases := []struct {
		name   string
		dsn    string
		server bool // the URL names the real server, so opening succeeds
	}{
		{"password in the user information", with("", inUserinfo), true},
		{"password as a query parameter", with("", inQuery), true},
		{"every kind of password", with("", both), true},
		{"server down, password in the user information", with("127.0.0.1:1", inUserinfo), false},
		{"server down, password as a query parameter", with("127.0.0.1:1", both), false},
		{"malformed URL", strings.Replace(with("", both), "5432", "54x32", 1), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
			s, err := store.Open(ctx, c.dsn, clock.System)
			if err != nil {
				if c.server && os.Getenv(storetest.PostgresEnv) != "" {
					t.Fatalf("open: %v", err)
				}
				log.Error("cannot open the database", "err", err)
			} else {
				defer s.Close()
				log.Info("Dateline is serving", "database", s.Name())
				log.Debug("database", "name", s.Name(), "dialect", s.Dialect())
			}
			for _, pw := range []string{userinfoPW, queryPW, sslPW} {
				if strings.Contains(buf.String(), pw) {
					t.Errorf("the log shows a password:\n%s", buf.String())
				}
			}
			if buf.Len() == 0 {
				t.Fatal("nothing was logged")
			}
			t.Log(strings.TrimSpace(buf.String()))
		})
	}
}

// TestSQLiteSecureDelete checks that deleted content is overwritten on
// every connection, the writer's and the readers'.
func TestSQLiteSecureDelete(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	var on int
	if err := s.ReaderQueryRowForTest(`PRAGMA secure_delete`, &on); err != nil {
		t.Fatal(err)
	}
	if on != 1 {
		t.Errorf("secure_delete = %d on a reader, want 1", on)
	}
	if err := s.WriterQueryRowForTest(`PRAGMA secure_delete`, &on); err != nil {
		t.Fatal(err)
	}
	if on != 1 {
		t.Errorf("secure_delete = %d on the writer, want 1", on)
	}
}

// TestScrubbedMailLeavesNoTraceInTheFile: once a sent email's body is
// emptied and the write-ahead log is folded back into the database, the
// file itself no longer holds the body.
func TestScrubbedMailLeavesNoTraceInTheFile(t *testing.T) {
	path := storetest.DSN(t, store.SQLite)
	s, err := store.Open(ctx, path, clock.System)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	const code = "Reset-code-48213907"
	m := mail.New("news.example", "ana@example.com", "Ana", "Your reset code", "Your code: "+code+"\n", "<p>"+code+"</p>")
	if err := s.Enqueue(ctx, m); err != nil {
		t.Fatal(err)
	}
	raw := storetest.Raw(t, path)
	checkpoint := func() []byte {
		t.Helper()
		raw.Exec(t, `PRAGMA wal_checkpoint(TRUNCATE)`)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if !bytes.Contains(checkpoint(), []byte(code)) {
		t.Fatal("the file lacks the waiting email's code, so this test cannot see it")
	}
	if _, err := s.ClaimMail(ctx, time.Minute, 10); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkMailSent(ctx, m.ID, s.Now()); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(checkpoint(), []byte(code)) {
		t.Error("the database file still holds the sent email's code")
	}
}
