package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"dateline/internal/account"
	"dateline/internal/audit"
	"dateline/internal/mail"
)

// StaffMembers lists every account whose role is not reader, by role
// then name.
func (s *Store) StaffMembers(ctx context.Context) ([]account.StaffMember, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, email, display_name, role, last_login_at, created_at
		FROM users WHERE role <> 'reader' ORDER BY CASE role WHEN 'admin' THEN 0 WHEN 'editor' THEN 1
		WHEN 'moderator' THEN 2 ELSE 3 END, display_name, id`)
	if err != nil {
		return nil, fmt.Errorf("store: staff: %w", err)
	}
	defer rows.Close()
	var out []account.StaffMember
	for rows.Next() {
		var m account.StaffMember
		var role string
		var last sql.NullTime
		if err := rows.Scan(&m.ID, &m.Email, &m.DisplayName, &role, &last, &m.CreatedAt); err != nil {
			return nil, fmt.Errorf("store: staff: %w", err)
		}
		m.Role, m.LastLogin, m.CreatedAt = account.Role(role), timeOf(last), m.CreatedAt.UTC()
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: staff: %w", err)
	}
	return out, nil
}

// SetRole gives a user a role, refusing with account.ErrLastAdmin to take
// it from the last administrator, and records entry's description of the
// change, in one transaction. On PostgreSQL the administrators' rows are
// locked first, always in the same order, so two demotions at once take
// turns and the second sees the first.
func (s *Store) SetRole(ctx context.Context, userID int64, role account.Role, entry func(before *account.User) *audit.Entry) (*account.User, error) {
	var before *account.User
	err := s.inTx(ctx, func(tx *txn) error {
		var err error
		before, err = s.setRoleTx(ctx, tx, userID, role)
		if err != nil {
			return err
		}
		return recordAuditTx(ctx, tx, entry(before))
	})
	if err != nil {
		return nil, fmt.Errorf("store: set role: %w", err)
	}
	return before, nil
}

// setRoleTx changes a user's role in tx, keeping at least one
// administrator, and returns the user as they were.
func (s *Store) setRoleTx(ctx context.Context, tx *txn, userID int64, role account.Role) (*account.User, error) {
	admins, err := s.lockAdmins(ctx, tx)
	if err != nil {
		return nil, err
	}
	var u account.User
	err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = ?`+s.dialect.forUpdate(), userID), &u)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, account.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if u.Role == account.Admin && role != account.Admin && admins <= 1 {
		return nil, account.ErrLastAdmin
	}
	if u.Role == role {
		return &u, nil
	}
	// updated_at changes too, so every instance's kept session sees the
	// new role at once (see SessionByToken).
	if _, err := tx.ExecContext(ctx, `UPDATE users SET role = ?, updated_at = ? WHERE id = ?`,
		string(role), utc(s.Now()), userID); err != nil {
		return nil, err
	}
	return &u, nil
}

// lockAdmins locks the administrators' rows (on PostgreSQL) and counts
// them.
func (s *Store) lockAdmins(ctx context.Context, tx *txn) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM users WHERE role = 'admin' ORDER BY id`+s.dialect.forUpdate())
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	return n, rows.Close()
}

// CreateInvitation stores an invitation with its email and audit entry.
func (s *Store) CreateInvitation(ctx context.Context, inv *account.Invitation, hash string, m *mail.Message, e *audit.Entry) error {
	err := s.inTx(ctx, func(tx *txn) error {
		var by any
		if inv.InvitedBy != 0 {
			by = inv.InvitedBy
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO invitations (token_hash, email, role, invited_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, hash, inv.Email, string(inv.Role), by, utc(inv.CreatedAt),
			utc(inv.ExpiresAt)).Scan(&inv.ID); err != nil {
			return err
		}
		if err := recordAuditTx(ctx, tx, e); err != nil {
			return err
		}
		if m != nil {
			return s.enqueueTx(ctx, tx, m)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: create invitation: %w", err)
	}
	return nil
}

const invitationColumns = `id, email, role, invited_by, created_at, expires_at, used_at`

func scanInvitation(row scanner, inv *account.Invitation) error {
	var role string
	var by sql.NullInt64
	var used sql.NullTime
	if err := row.Scan(&inv.ID, &inv.Email, &role, &by, &inv.CreatedAt, &inv.ExpiresAt, &used); err != nil {
		return err
	}
	inv.Role, inv.InvitedBy, inv.UsedAt = account.Role(role), by.Int64, timeOf(used)
	inv.CreatedAt, inv.ExpiresAt = inv.CreatedAt.UTC(), inv.ExpiresAt.UTC()
	return nil
}

// InvitationByToken finds an invitation by the hash of its token.
func (s *Store) InvitationByToken(ctx context.Context, hash string) (*account.Invitation, error) {
	var inv account.Invitation
	err := scanInvitation(s.read.QueryRowContext(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE token_hash = ?`, hash), &inv)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: invitation: %w", account.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: invitation: %w", err)
	}
	return &inv, nil
}

// PendingInvitations lists the invitations neither used nor expired at
// now, newest first.
func (s *Store) PendingInvitations(ctx context.Context, now time.Time) ([]account.Invitation, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+invitationColumns+` FROM invitations
		WHERE used_at IS NULL AND expires_at > ? ORDER BY id DESC LIMIT 200`, utc(now))
	if err != nil {
		return nil, fmt.Errorf("store: invitations: %w", err)
	}
	defer rows.Close()
	var out []account.Invitation
	for rows.Next() {
		var inv account.Invitation
		if err := scanInvitation(rows, &inv); err != nil {
			return nil, fmt.Errorf("store: invitations: %w", err)
		}
		out = append(out, inv)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: invitations: %w", err)
	}
	return out, nil
}

// AcceptInvitation uses an invitation once, in one transaction with the
// account it makes or the role it gives, and the audit entry. The
// invitation is claimed by the first statement, so two acceptances at
// once cannot both succeed.
func (s *Store) AcceptInvitation(ctx context.Context, hash, email string, now time.Time, newUser *account.User, existingID int64,
	entry func(inv *account.Invitation, u *account.User) *audit.Entry) (*account.User, error) {
	var u *account.User
	err := s.inTx(ctx, func(tx *txn) error {
		var inv account.Invitation
		err := scanInvitation(tx.QueryRowContext(ctx, `UPDATE invitations SET used_at = ?
			WHERE token_hash = ? AND email = ? AND used_at IS NULL AND expires_at > ? RETURNING `+invitationColumns,
			utc(now), hash, email, utc(now)), &inv)
		if errors.Is(err, sql.ErrNoRows) {
			return account.ErrBadToken
		}
		if err != nil {
			return err
		}
		if newUser != nil {
			newUser.Role = inv.Role
			err := tx.QueryRowContext(ctx, `INSERT INTO users
				(email, display_name, password_hash, role, email_verified_at, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				newUser.Email, newUser.DisplayName, newUser.PasswordHash, string(newUser.Role),
				nullTime(newUser.EmailVerifiedAt), utc(newUser.CreatedAt), utc(newUser.UpdatedAt)).Scan(&newUser.ID)
			if isUniqueViolation(err) {
				return account.ErrEmailTaken
			}
			if err != nil {
				return err
			}
			u = newUser
		} else {
			before, err := s.setRoleTx(ctx, tx, existingID, inv.Role)
			if err != nil {
				return err
			}
			after := *before
			after.Role = inv.Role
			u = &after
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET used_by = ? WHERE id = ?`, u.ID, inv.ID); err != nil {
			return err
		}
		return recordAuditTx(ctx, tx, entry(&inv, u))
	})
	if err != nil {
		return nil, fmt.Errorf("store: accept invitation: %w", err)
	}
	return u, nil
}
