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
	"dateline/internal/audit"
	"dateline/internal/clock"
	"dateline/internal/config"
)

// userUsage lists the user commands.
const userUsage = `Usage:
  dateline user create --email E [--role R] [--name N] [--password-stdin]
        create an account
  dateline user password --email E --password-stdin
        replace an account's password and sign it out everywhere

Run "dateline user COMMAND --help" for the flags of a command.`

func (e env) user(ctx context.Context, args []string) error {
	switch {
	case len(args) > 0 && args[0] == "create":
		return e.userCreate(ctx, args[1:])
	case len(args) > 0 && args[0] == "password":
		return e.userPassword(ctx, args[1:])
	case len(args) > 0 && isHelp(args[0]):
		fmt.Fprintln(e.stderr, userUsage)
		return nil
	}
	fmt.Fprintln(e.stderr, userUsage)
	return errUsage
}

func (e env) userCreate(ctx context.Context, args []string) error {
	var cfg config.Config
	fs := e.newFlagSet("user create", "Create an account for a member of staff or a reader. Its address counts as confirmed.\n"+
		"Without --password-stdin a password is made up and printed once.")
	cfg.Register(fs, e.lookup, config.Database, config.BaseURL, config.MailFrom, config.MailReplyTo, config.TimeZone)
	email := fs.String("email", "", "the account's email `address` (required)")
	role := fs.String("role", "reader", "`role`: reader, writer, editor, moderator or admin")
	name := fs.String("name", "", "display `name` (default: the part of the address before @)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := parse(fs, args); err != nil {
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
		if pw, err = e.readPassword(); err != nil {
			return err
		}
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
	if u.Role != account.Reader {
		// Staff made at the command line are in the audit log as those
		// invited from the site are; the operator has no account to name.
		if err := site.Audit.Record(ctx, audit.Actor{Name: "dateline user create"}, audit.StaffCreated, u.Email, "as "+string(u.Role)); err != nil {
			return fmt.Errorf("created %s, but could not record it in the audit log: %w", u.Email, err)
		}
	}
	fmt.Fprintf(e.stdout, "Created %s (%s) with role %s.\n", u.Email, u.DisplayName, u.Role)
	if !*fromStdin {
		fmt.Fprintf(e.stdout, "Password: %s\n(shown only this once)\n", pw)
	}
	return nil
}

func (e env) userPassword(ctx context.Context, args []string) error {
	var cfg config.Config
	fs := e.newFlagSet("user password", "Replace the password of an account, for someone who lost theirs, such as the\n"+
		"administrator. The new password is read from standard input (--password-stdin)\n"+
		"and must pass the password policy. Every session of the account ends, and a\n"+
		"notice goes to its address.")
	cfg.Register(fs, e.lookup, config.Database, config.BaseURL, config.MailFrom, config.MailReplyTo, config.TimeZone)
	email := fs.String("email", "", "the account's email `address` (required)")
	fromStdin := fs.Bool("password-stdin", false, "read the new password from the first line of standard input (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *email == "" {
		fmt.Fprintln(e.stderr, "--email is required")
		return errUsage
	}
	if !*fromStdin {
		return errors.New("the new password is read from standard input: add --password-stdin " +
			"(this command does not prompt for it), e.g. dateline user password --email " + *email + " --password-stdin < file")
	}
	cfg.Addr = "localhost:8080"
	if err := cfg.Finish(); err != nil {
		return err
	}
	pw, err := e.readPassword()
	if err != nil {
		return err
	}
	site, err := app.New(ctx, app.Options{Config: cfg, Now: clock.System})
	if err != nil {
		return err
	}
	defer site.Close()
	u, err := site.Accounts.SetPassword(ctx, *email, pw)
	if err != nil {
		var fe *account.FieldError
		switch {
		case errors.Is(err, account.ErrNotFound):
			return fmt.Errorf("no user with email %s", account.NormalizeEmail(*email))
		case errors.As(err, &fe):
			return fmt.Errorf("%s: %s", fe.Field, fe.Message)
		}
		return err
	}
	fmt.Fprintf(e.stdout, "Set a new password for %s (%s); every session of the account has ended.\n", u.Email, u.DisplayName)
	return nil
}

// readPassword reads one line of standard input, without its line ending.
func (e env) readPassword() (string, error) {
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("--password-stdin: nothing to read on standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
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
