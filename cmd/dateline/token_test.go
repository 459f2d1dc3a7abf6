package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"dateline/internal/account"
	"dateline/internal/clock"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

// token create prints the token alone, which then opens the API as its
// owner; anything else is an error on standard error with a non-zero exit.
func TestTokenCreate(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			dsn := storetest.DSN(t, d)
			env := map[string]string{"DATELINE_DATABASE": dsn, "STDIN": "a long typed passphrase\n"}
			for _, u := range [][2]string{{"wire@example.com", "editor"}, {"reader@example.com", "reader"}} {
				if code, _, errOut := runCmd(t, env, "user", "create", "--email", u[0], "--role", u[1], "--password-stdin"); code != 0 {
					t.Fatalf("user create %s: %d %s", u[0], code, errOut)
				}
			}
			code, out, errOut := runCmd(t, env, "token", "create", "--email", "Wire@Example.com", "--name", "wire feed")
			if code != 0 || errOut != "" {
				t.Fatalf("token create: exit %d, %q", code, errOut)
			}
			if !regexp.MustCompile(`^dl_[A-Za-z0-9_-]{20,}\n$`).MatchString(out) {
				t.Fatalf("standard output is not the token alone: %q", out)
			}
			s, err := store.Open(context.Background(), dsn, clock.System)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			u, err := s.UserByAPIToken(context.Background(), account.HashToken(strings.TrimSpace(out)), clock.System())
			if err != nil || u.Email != "wire@example.com" {
				t.Fatalf("the printed token belongs to %+v, %v", u, err)
			}
			tokens, err := s.APITokens(context.Background(), u.ID)
			if err != nil || len(tokens) != 1 || tokens[0].Name != "wire feed" {
				t.Errorf("tokens = %+v, %v", tokens, err)
			}

			for _, tc := range []struct {
				args []string
				code int
				says string
			}{
				{[]string{"--email", "reader@example.com", "--name", "x"}, 1, "staff"},
				{[]string{"--email", "nobody@example.com", "--name", "x"}, 1, "no user"},
				{[]string{"--email", "wire@example.com", "--name", strings.Repeat("n", 81)}, 1, "name"},
				{[]string{"--email", "wire@example.com"}, 2, "--name"},
			} {
				code, out, errOut := runCmd(t, env, append([]string{"token", "create"}, tc.args...)...)
				if code != tc.code || out != "" || !strings.Contains(errOut, tc.says) {
					t.Errorf("%v: exit %d, stdout %q, stderr %q", tc.args, code, out, errOut)
				}
			}
		})
	}
	code, _, errOut := runCmd(t, nil, "--help")
	if code != 0 || !strings.Contains(errOut, "token create") {
		t.Errorf("--help does not list token create: %s", errOut)
	}
	code, _, errOut = runCmd(t, nil, "token", "create", "--help")
	if code != 0 || !strings.Contains(errOut, "--email") || !strings.Contains(errOut, "--name") || !strings.Contains(errOut, "DATELINE_DATABASE") {
		t.Errorf("token create --help: %d\n%s", code, errOut)
	}
}
