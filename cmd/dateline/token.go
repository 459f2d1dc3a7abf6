package main

import (
	"context"
	"errors"
	"fmt"

	"dateline/internal/account"
	"dateline/internal/app"
	"dateline/internal/clock"
	"dateline/internal/config"
)

// tokenUsage lists the token commands.
const tokenUsage = "Usage:\n" + // #nosec G101 -- the help text of the token commands, no credential
	`  dateline token create --email E --name N
        make an API token for a member of staff and print it

Run "dateline token COMMAND --help" for the flags of a command.`

func (e env) token(ctx context.Context, args []string) error {
	switch {
	case len(args) > 0 && args[0] == "create":
		return e.tokenCreate(ctx, args[1:])
	case len(args) > 0 && isHelp(args[0]):
		fmt.Fprintln(e.stderr, tokenUsage)
		return nil
	}
	fmt.Fprintln(e.stderr, tokenUsage)
	return errUsage
}

// tokenCreate prints a new API token and nothing else on standard output,
// so that a script can keep it: TOKEN=$(dateline token create …).
func (e env) tokenCreate(ctx context.Context, args []string) error {
	var cfg config.Config
	fs := e.newFlagSet("token create", "Make an API token for a member of staff (writer, editor, moderator or admin),\n"+
		"for scripts and wire feeds, and print it on standard output, alone: it is\n"+
		"shown only this once. The token acts with the account's role; revoke it on\n"+
		"the account page.")
	cfg.Register(fs, e.lookup, config.Database, config.BaseURL, config.MailFrom, config.MailReplyTo, config.TimeZone)
	email := fs.String("email", "", "the staff account's email `address` (required)")
	name := fs.String("name", "", "the token's `name`, such as the tool that will use it (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *email == "" || *name == "" {
		fmt.Fprintln(e.stderr, "--email and --name are required")
		return errUsage
	}
	cfg.Addr = "localhost:8080"
	if err := cfg.Finish(); err != nil {
		return err
	}
	site, err := app.New(ctx, app.Options{Config: cfg, Now: clock.System})
	if err != nil {
		return err
	}
	defer site.Close()
	u, err := site.Accounts.UserByEmail(ctx, *email)
	if errors.Is(err, account.ErrNotFound) {
		return fmt.Errorf("no user with email %s", account.NormalizeEmail(*email))
	}
	if err != nil {
		return err
	}
	if !u.Staff() {
		return fmt.Errorf("%s is a %s: API tokens are for newsroom staff (give the account a staff role with dateline user create, or on the site)", u.Email, u.Role)
	}
	secret, err := site.Accounts.CreateAPIToken(ctx, u, *name)
	if err != nil {
		var fe *account.FieldError
		if errors.As(err, &fe) {
			return fmt.Errorf("%s: %s", fe.Field, fe.Message)
		}
		return err
	}
	fmt.Fprintln(e.stdout, secret)
	return nil
}
