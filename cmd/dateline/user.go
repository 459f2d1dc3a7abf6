package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"

	"dateline/internal/account"
	"dateline/internal/app"
	"dateline/internal/clock"
	"dateline/internal/config"
)

func (e env) user(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(e.stderr, "Usage: dateline user create --email E --role R [--name N] [--password-stdin]")
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			return nil
		}
		return errUsage
	}
	var cfg config.Config
	fs := e.newFlagSet("user create", "Create an account for a member of staff or a reader. Its address counts as confirmed.\n"+
		"Without --password-stdin a password is made up and printed once.")
	cfg.Register(fs, e.lookup, config.Database, config.BaseURL, config.MailFrom)
	email := fs.String("email", "", "the account's email `address` (required)")
	role := fs.String("role", "reader", "`role`: reader, writer, editor, moderator or admin")
	name := fs.String("name", "", "display `name` (default: the part of the address before @)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *email == "" {
		fmt.Fprintln(e.stderr, "--email is required")
		return errUsage
	}
	r, err := account.ParseRole(*role)
	if err != nil {
		return err
	}
	cfg.Addr = "localhost:8080"
	if err := cfg.Finish(); err != nil {
		return err
	}
	var pw string
	if *fromStdin {
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && line == "" {
			return errors.New("--password-stdin: nothing to read on standard input")
		}
		pw = strings.TrimRight(line, "\r\n")
	} else if pw, err = randomPassword(); err != nil {
		return err
	}
	site, err := app.New(ctx, app.Options{Config: cfg, Now: clock.System})
	if err != nil {
		return err
	}
	defer site.Close()
	u, err := site.Accounts.CreateUser(ctx, *email, *name, pw, r)
	if err != nil {
		var fe *account.FieldError
		if errors.As(err, &fe) {
			return fmt.Errorf("%s: %s", fe.Field, fe.Message)
		}
		return err
	}
	fmt.Fprintf(e.stdout, "Created %s (%s) with role %s.\n", u.Email, u.DisplayName, u.Role)
	if !*fromStdin {
		fmt.Fprintf(e.stdout, "Password: %s\n(shown only this once)\n", pw)
	}
	return nil
}

// randomPassword makes a password of 20 letters and digits, about 100
// bits, easy to type from a terminal.
func randomPassword() (string, error) {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b), nil
}
