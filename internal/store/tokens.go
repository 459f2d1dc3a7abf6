package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"dateline/internal/account"
)

var _ account.TokenStore = (*Store)(nil)

// CreateAPIToken stores a token under its hash.
func (s *Store) CreateAPIToken(ctx context.Context, t *account.APIToken, hash string) error {
	err := s.write.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at)
		VALUES (?, ?, ?, ?) RETURNING id`, t.UserID, t.Name, hash, utc(t.CreatedAt)).Scan(&t.ID)
	if err != nil {
		return fmt.Errorf("store: create api token: %w", err)
	}
	return nil
}

// APITokens lists a user's tokens, newest first.
func (s *Store) APITokens(ctx context.Context, userID int64) ([]account.APIToken, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, user_id, name, created_at, last_used_at, revoked_at
		FROM api_tokens WHERE user_id = ? ORDER BY created_at DESC, id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: api tokens: %w", err)
	}
	defer rows.Close()
	var out []account.APIToken
	for rows.Next() {
		var t account.APIToken
		var used, revoked sql.NullTime
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &t.CreatedAt, &used, &revoked); err != nil {
			return nil, fmt.Errorf("store: api tokens: %w", err)
		}
		t.CreatedAt, t.LastUsed, t.Revoked = t.CreatedAt.UTC(), timeOf(used), revoked.Valid
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeAPIToken stops one of a user's tokens working.
func (s *Store) RevokeAPIToken(ctx context.Context, userID, id int64, at time.Time) error {
	res, err := s.write.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? AND user_id = ?`,
		utc(at), id, userID)
	if err != nil {
		return fmt.Errorf("store: revoke api token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: revoke api token: %w", account.ErrNotFound)
	}
	return nil
}

// UserByAPIToken finds the user of a live token and records its use.
func (s *Store) UserByAPIToken(ctx context.Context, hash string, at time.Time) (*account.User, error) {
	var id int64
	err := s.write.QueryRowContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ? AND revoked_at IS NULL
		RETURNING user_id`, utc(at), hash).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: api token: %w", account.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: api token: %w", err)
	}
	return s.UserByID(ctx, id)
}
