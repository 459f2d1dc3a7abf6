package account

import (
	"context"
	"strings"
	"time"
)

// APIToken is a member of staff's key to the newsroom API. Its secret is
// shown once, when made, and kept only as a hash.
type APIToken struct {
	ID        int64
	UserID    int64
	Name      string
	CreatedAt time.Time
	LastUsed  time.Time
	Revoked   bool
}

// TokenStore keeps API tokens; it is part of Store.
type TokenStore interface {
	CreateAPIToken(ctx context.Context, t *APIToken, hash string) error
	APITokens(ctx context.Context, userID int64) ([]APIToken, error)
	RevokeAPIToken(ctx context.Context, userID, id int64, at time.Time) error
	UserByAPIToken(ctx context.Context, hash string, at time.Time) (*User, error)
}

// apiTokenPrefix marks Dateline's API tokens, so a leaked one is easy to
// recognise in logs and scanners.
const apiTokenPrefix = "dl_"

// CreateAPIToken makes a token for u and returns its secret, shown once.
// Only staff may have tokens; they act with the user's role.
func (s *Service) CreateAPIToken(ctx context.Context, u *User, name string) (string, error) {
	if !u.Staff() {
		return "", &FieldError{"name", "API tokens are for newsroom staff."}
	}
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 80 {
		return "", &FieldError{"name", "Name the token (up to 80 characters), for example after the tool that will use it."}
	}
	secret, _ := newToken()
	secret = apiTokenPrefix + secret
	hash := HashToken(secret)
	t := &APIToken{UserID: u.ID, Name: name, CreatedAt: s.now().UTC()}
	if err := s.store.CreateAPIToken(ctx, t, hash); err != nil {
		return "", err
	}
	return secret, nil
}

// AuthenticateAPI returns the staff user a token belongs to; ErrNotFound
// for an unknown or revoked token, or one whose user is no longer staff.
func (s *Service) AuthenticateAPI(ctx context.Context, secret string) (*User, error) {
	if !strings.HasPrefix(secret, apiTokenPrefix) || len(secret) > 100 {
		return nil, ErrNotFound
	}
	u, err := s.store.UserByAPIToken(ctx, HashToken(secret), s.now().UTC())
	if err != nil {
		return nil, err
	}
	if !u.Staff() {
		return nil, ErrNotFound
	}
	return u, nil
}

// APITokens lists a user's tokens, revoked ones too.
func (s *Service) APITokens(ctx context.Context, userID int64) ([]APIToken, error) {
	return s.store.APITokens(ctx, userID)
}

// RevokeAPIToken stops one of a user's tokens at once; ErrNotFound when
// the user has no such token.
func (s *Service) RevokeAPIToken(ctx context.Context, userID, id int64) error {
	return s.store.RevokeAPIToken(ctx, userID, id, s.now().UTC())
}
