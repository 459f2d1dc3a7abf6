package account_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"dateline/internal/account"
)

func TestAPITokensAreForStaffAndStopWhenRevoked(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		reader, _ := e.register("reader@example.com", "Reader", "correct horse battery staple")
		writer, err := e.svc.CreateUser(ctx, "writer@example.com", "Writer", "correct horse battery staple", account.Writer)
		if err != nil {
			t.Fatal(err)
		}
		var fe *account.FieldError
		if _, err := e.svc.CreateAPIToken(ctx, reader, "laptop"); !errors.As(err, &fe) || fe.Field != "name" {
			t.Errorf("a reader made a token: %v", err)
		}
		for _, name := range []string{" ", strings.Repeat("n", 81)} {
			if _, err := e.svc.CreateAPIToken(ctx, writer, name); !errors.As(err, &fe) || fe.Field != "name" {
				t.Errorf("a token named %q: %v", name, err)
			}
		}
		secret, err := e.svc.CreateAPIToken(ctx, writer, " laptop ")
		if err != nil || !strings.HasPrefix(secret, "dl_") {
			t.Fatalf("token %q, %v", secret, err)
		}
		e.clock.Advance(time.Minute)
		if u, err := e.svc.AuthenticateAPI(ctx, secret); err != nil || u.ID != writer.ID {
			t.Fatalf("authenticate: %v, %v", u, err)
		}
		for _, wrong := range []string{strings.TrimPrefix(secret, "dl_"), secret + "x", "dl_" + strings.Repeat("a", 100)} {
			if _, err := e.svc.AuthenticateAPI(ctx, wrong); !errors.Is(err, account.ErrNotFound) {
				t.Errorf("authenticate %q: %v, want ErrNotFound", wrong, err)
			}
		}
		tokens, err := e.svc.APITokens(ctx, writer.ID)
		if err != nil || len(tokens) != 1 || tokens[0].Name != "laptop" || !tokens[0].LastUsed.Equal(e.clock.Now()) {
			t.Fatalf("tokens %+v, %v", tokens, err)
		}
		if err := e.svc.RevokeAPIToken(ctx, reader.ID, tokens[0].ID); !errors.Is(err, account.ErrNotFound) {
			t.Errorf("another user revoked the token: %v", err)
		}
		if _, err := e.svc.AuthenticateAPI(ctx, secret); err != nil {
			t.Fatalf("after someone else's revoke: %v", err)
		}
		if err := e.svc.RevokeAPIToken(ctx, writer.ID, tokens[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.AuthenticateAPI(ctx, secret); !errors.Is(err, account.ErrNotFound) {
			t.Errorf("a revoked token: %v, want ErrNotFound", err)
		}
		if tokens, _ := e.svc.APITokens(ctx, writer.ID); len(tokens) != 1 || !tokens[0].Revoked {
			t.Errorf("after revoking: %+v", tokens)
		}
	})
}
