package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"dateline/internal/account"
	"dateline/internal/clock"
	"dateline/internal/password"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

// TestHelpListsEveryCommand checks that "dateline help" and "dateline
// --help" name every command, each with a line that says what it does.
func TestHelpListsEveryCommand(t *testing.T) {
	commands := []string{"serve", "migrate", "user create", "user password", "backup", "restore", "version", "help"}
	code, out, _ := runCmd(t, nil, "help")
	_, _, helpOut := runCmd(t, nil, "--help")
	if code != 0 {
		t.Fatalf("help: exit %d", code)
	}
	for name, text := range map[string]string{"help": out, "--help": helpOut} {
		for _, c := range commands {
			if !regexp.MustCompile(`(?m)^  ` + c + `\b.*\s{2,}\S`).MatchString(text) {
				t.Errorf("dateline %s does not list %q with a line of its own:\n%s", name, c, text)
			}
		}
	}
	for _, args := range [][]string{{"user", "--help"}, {"user", "password", "--help"}, {"user", "create", "--help"}} {
		code, _, errOut := runCmd(t, nil, args...)
		if code != 0 || !strings.Contains(errOut, "--password-stdin") || !strings.Contains(errOut, "--email") {
			t.Errorf("%v: exit %d\n%s", args, code, errOut)
		}
	}
}

func TestUserPassword(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, d)
			env := map[string]string{"DATELINE_DATABASE": dsn, "STDIN": "the first long passphrase\n"}
			if code, _, errOut := runCmd(t, env, "user", "create", "--email", "desk@example.com", "--role", "admin", "--name", "Desk", "--password-stdin"); code != 0 {
				t.Fatal(errOut)
			}
			s, err := store.Open(ctx, dsn, clock.System)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			u, err := s.UserByEmail(ctx, "desk@example.com")
			if err != nil {
				t.Fatal(err)
			}
			// Two browsers are signed in.
			now := time.Now()
			for i := range 2 {
				sess := &account.Session{UserID: u.ID, Created: now, LastSeen: now, Idle: time.Hour, Expires: now.Add(24 * time.Hour)}
				if err := s.CreateSession(ctx, sess, fmt.Sprintf("token-hash-%d", i)); err != nil {
					t.Fatal(err)
				}
			}
			passwordIs := func(pw string) bool {
				t.Helper()
				u, err := s.UserByEmail(ctx, "desk@example.com")
				if err != nil {
					t.Fatal(err)
				}
				ok, _, err := password.NewHasher(password.DefaultParams(), 1, time.Second).Verify(ctx, pw, u.PasswordHash)
				return err == nil && ok
			}

			// Mistakes change nothing and say what is wrong, in one line.
			for _, tc := range []struct {
				stdin string
				args  []string
				code  int
				want  string
			}{
				{"a brand new passphrase\n", []string{"--email", "nobody@example.com", "--password-stdin"}, 1, "no user with email nobody@example.com"},
				{"short\n", []string{"--email", "desk@example.com", "--password-stdin"}, 1, "needs at least"},
				{"desk@example.com\n", []string{"--email", "desk@example.com", "--password-stdin"}, 1, "same as your email"},
				{"a brand new passphrase\n", []string{"--email", "desk@example.com"}, 1, "--password-stdin"},
				{"", []string{"--email", "desk@example.com", "--password-stdin"}, 1, "nothing to read"},
				{"a brand new passphrase\n", []string{"--password-stdin"}, 2, "--email"},
			} {
				env["STDIN"] = tc.stdin
				code, out, errOut := runCmd(t, env, append([]string{"user", "password"}, tc.args...)...)
				if code != tc.code || !strings.Contains(errOut, tc.want) || (code == 1 && strings.Count(errOut, "\n") != 1) {
					t.Errorf("user password %v with %q: exit %d %q %q, want exit %d saying %q", tc.args, tc.stdin, code, out, errOut, tc.code, tc.want)
				}
			}
			if !passwordIs("the first long passphrase") {
				t.Fatal("a refused command changed the password")
			}
			if got, _ := s.UserSessions(ctx, u.ID); len(got) != 2 {
				t.Fatalf("a refused command ended sessions: %d left", len(got))
			}

			// The new password, read from standard input without its line end.
			env["STDIN"] = "a brand new passphrase\r\n"
			code, out, errOut := runCmd(t, env, "user", "password", "--email", " Desk@Example.com ", "--password-stdin")
			if code != 0 || !strings.Contains(out, "desk@example.com") || strings.Contains(out, "brand new") {
				t.Fatalf("user password: exit %d %q %q", code, out, errOut)
			}
			if !passwordIs("a brand new passphrase") || passwordIs("the first long passphrase") {
				t.Error("the account does not have the new password")
			}
			if got, _ := s.UserSessions(ctx, u.ID); len(got) != 0 {
				t.Errorf("%d sessions still open after the password was replaced", len(got))
			}
			mails, err := s.RecentMail(ctx, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(mails) != 1 || mails[0].To != "desk@example.com" || !strings.Contains(mails[0].Subject, "password") {
				t.Errorf("the account's address was not told of the change: %+v", mails)
			}
		})
	}
}

// TestFirstStartSaysWhereToGo starts the demo twice on one database: both
// times the paper's and the newsroom's addresses are printed; the admin's
// password only the first time, when it was made, and afterwards how to
// set a new one.
func TestFirstStartSaysWhereToGo(t *testing.T) {
	dsn := storetest.DSN(t, store.SQLite)
	for round := range 2 {
		addr := freeAddr(t)
		env := map[string]string{"DATELINE_DATABASE": dsn, "DATELINE_ADDR": addr, "DATELINE_DATA_DIR": t.TempDir()}
		printed, logged := startDemoOnce(t, env)
		for _, want := range []string{"Read the paper:  http://" + addr + "/\n", "The newsroom:    http://" + addr + "/admin\n", "Demo admin: admin@example.com"} {
			if !strings.Contains(printed, want) {
				t.Errorf("start %d does not print %q:\n%s", round+1, want, printed)
			}
		}
		pw := strings.Contains(printed, "Password:")
		hint := strings.Contains(printed, "dateline user password --email admin@example.com --password-stdin")
		if round == 0 && (!pw || !strings.Contains(printed, "http://"+addr+"/login")) {
			t.Errorf("the first start does not print the admin's log-in:\n%s", printed)
		}
		if round == 1 && (pw || !hint) {
			t.Errorf("a later start prints a password, or not how to set one:\n%s", printed)
		}
		if strings.Contains(logged, "Password") {
			t.Errorf("the log carries the password:\n%s", logged)
		}
	}
}
