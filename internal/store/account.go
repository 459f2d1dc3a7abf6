package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"

	"dateline/internal/account"
	"dateline/internal/mail"
)

// The store implements what accounts need of it.
var _ account.Store = (*Store)(nil)

const userColumns = `u.id, u.email, u.display_name, u.password_hash, u.role, u.email_verified_at, u.created_at, u.updated_at`

func scanUser(row scanner, u *account.User, extra ...any) error {
	var role string
	var verified sql.NullTime
	dest := []any{&u.ID, &u.Email, &u.DisplayName, &u.PasswordHash, &role, &verified, &u.CreatedAt, &u.UpdatedAt}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return err
	}
	u.Role = account.Role(role)
	u.EmailVerifiedAt = timeOf(verified)
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return nil
}

// CreateUser adds a user, with the token and email that verify its
// address when verify is not nil, in one transaction. It returns
// account.ErrEmailTaken when the address has an account.
func (s *Store) CreateUser(ctx context.Context, u *account.User, verify *account.EmailToken, m *mail.Message) error {
	err := s.inTx(ctx, func(tx *txn) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO users
			(email, display_name, password_hash, role, email_verified_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			u.Email, u.DisplayName, u.PasswordHash, string(u.Role), nullTime(u.EmailVerifiedAt),
			utc(u.CreatedAt), utc(u.UpdatedAt)).Scan(&u.ID)
		if isUniqueViolation(err) {
			return account.ErrEmailTaken
		}
		if err != nil {
			return err
		}
		if verify != nil {
			verify.UserID = u.ID
			if err := s.insertEmailToken(ctx, tx, verify); err != nil {
				return err
			}
		}
		if m != nil {
			return s.enqueueTx(ctx, tx, m)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: create user: %w", err)
	}
	return nil
}

func (s *Store) userWhere(ctx context.Context, where string, arg any) (*account.User, error) {
	var u account.User
	err := scanUser(s.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE `+where, arg), &u)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: user: %w", account.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: user: %w", err)
	}
	return &u, nil
}

// UserByEmail finds a user by normalised address.
func (s *Store) UserByEmail(ctx context.Context, email string) (*account.User, error) {
	return s.userWhere(ctx, "u.email = ?", email)
}

// UserByID finds a user.
func (s *Store) UserByID(ctx context.Context, id int64) (*account.User, error) {
	return s.userWhere(ctx, "u.id = ?", id)
}

// UpdateDisplayName renames a user.
func (s *Store) UpdateDisplayName(ctx context.Context, userID int64, name string) error {
	return s.execOne(ctx, "update display name", `UPDATE users SET display_name = ?, updated_at = ? WHERE id = ?`,
		name, utc(s.Now()), userID)
}

// SetPasswordHash replaces a password hash, as when its parameters are
// raised; sessions are untouched.
func (s *Store) SetPasswordHash(ctx context.Context, userID int64, hash string) error {
	return s.execOne(ctx, "set password hash", `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`,
		hash, utc(s.Now()), userID)
}

// execOne runs a write that must change exactly one row; none is
// account.ErrNotFound.
func (s *Store) execOne(ctx context.Context, what, query string, args ...any) error {
	if err := oneRow(s.write.ExecContext(ctx, query, args...)); err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	return nil
}

// oneRow is the error of a write that must change exactly one row: its
// own, or account.ErrNotFound when it changed none.
func oneRow(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return account.ErrNotFound
	}
	return nil
}

// ChangePassword sets a new password hash, ends every session of the user
// but keepSession (0 ends all), and queues m, in one transaction.
func (s *Store) ChangePassword(ctx context.Context, userID int64, hash string, keepSession int64, m *mail.Message) error {
	err := s.inTx(ctx, func(tx *txn) error {
		return s.changePasswordTx(ctx, tx, userID, hash, keepSession, m)
	})
	if err != nil {
		return fmt.Errorf("store: change password: %w", err)
	}
	return nil
}

func (s *Store) changePasswordTx(ctx context.Context, tx *txn, userID int64, hash string, keepSession int64, m *mail.Message) error {
	res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, hash, utc(s.Now()), userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return account.ErrNotFound
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND id <> ?`, userID, keepSession); err != nil {
		return err
	}
	// A pending change of address might be an intruder's: a new password
	// voids it.
	if _, err := tx.ExecContext(ctx, `UPDATE email_tokens SET used_at = ?
		WHERE user_id = ? AND purpose = 'change_email' AND used_at IS NULL`, utc(s.Now()), userID); err != nil {
		return err
	}
	if m != nil {
		return s.enqueueTx(ctx, tx, m)
	}
	return nil
}

// DeleteUser removes a user; their sessions, tokens and codes go with them,
// and what every instance keeps about them (a new account may be given
// the same id). The last administrator is not removed:
// account.ErrLastAdmin.
func (s *Store) DeleteUser(ctx context.Context, userID int64) error {
	err := s.changeReaders(ctx, func(tx *txn) error {
		admins, err := s.lockAdmins(ctx, tx)
		if err != nil {
			return err
		}
		if admins <= 1 {
			var role string
			err := tx.QueryRowContext(ctx, `SELECT role FROM users WHERE id = ?`, userID).Scan(&role)
			if err == nil && role == string(account.Admin) {
				return account.ErrLastAdmin
			}
		}
		return oneRow(tx.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, userID))
	})
	if err != nil {
		return fmt.Errorf("store: delete user: %w", err)
	}
	return nil
}

// CreateSession stores a session under the hash of its token.
// It records the start as the user's last sign-in.
func (s *Store) CreateSession(ctx context.Context, sess *account.Session, tokenHash string) error {
	err := s.inTx(ctx, func(tx *txn) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO sessions
			(token_hash, user_id, created_at, last_seen_at, idle_seconds, expires_at, user_agent, ip)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			tokenHash, sess.UserID, utc(sess.Created), utc(sess.LastSeen), int64(sess.Idle/time.Second),
			utc(sess.Expires), sess.UserAgent, sess.IP).Scan(&sess.ID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE users SET last_login_at = ? WHERE id = ?`, utc(sess.Created), sess.UserID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

const sessionColumns = `x.id, x.user_id, x.created_at, x.last_seen_at, x.idle_seconds, x.expires_at, x.user_agent, x.ip`

func scanSession(row scanner, sess *account.Session, extra ...any) error {
	var idle int64
	dest := []any{&sess.ID, &sess.UserID, &sess.Created, &sess.LastSeen, &idle, &sess.Expires, &sess.UserAgent, &sess.IP}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return err
	}
	sess.Idle = time.Duration(idle) * time.Second
	sess.Created, sess.LastSeen, sess.Expires = sess.Created.UTC(), sess.LastSeen.UTC(), sess.Expires.UTC()
	return nil
}

// SessionByToken finds a session and its user by token hash.
//
// Unlike what else signed-in requests ask about their reader, it always
// asks the database: a log-out or a new password on one instance must end
// the session on every other at once, not once a notice has arrived. A
// session this instance has read before is only checked: still there,
// last seen when it was, and its user as it was (see sessionCache).
func (s *Store) SessionByToken(ctx context.Context, tokenHash string) (*account.Session, *account.User, error) {
	if k, ok := s.sessions.get(tokenHash); ok {
		var same int
		u := &k.user
		if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM sessions x JOIN users u ON u.id = x.user_id
			WHERE x.token_hash = ? AND x.last_seen_at = ? AND u.updated_at = ? AND u.email = ? AND u.display_name = ?
			AND u.password_hash = ? AND u.role = ? AND ((u.email_verified_at IS NULL AND ?) OR u.email_verified_at = ?)`,
			tokenHash, utc(k.sess.LastSeen), utc(u.UpdatedAt), u.Email, u.DisplayName, u.PasswordHash, string(u.Role),
			u.EmailVerifiedAt.IsZero(), nullTime(u.EmailVerifiedAt)).Scan(&same); err != nil {
			return nil, nil, fmt.Errorf("store: session: %w", err)
		}
		if same == 1 {
			return &k.sess, &k.user, nil // copies: the caller may change them
		}
		s.sessions.drop(tokenHash)
	}
	var sess account.Session
	var u account.User
	var role string
	var verified sql.NullTime
	err := scanSession(s.read.QueryRowContext(ctx, `SELECT `+sessionColumns+`,
		u.id, u.email, u.display_name, u.password_hash, u.role, u.email_verified_at, u.created_at, u.updated_at
		FROM sessions x JOIN users u ON u.id = x.user_id WHERE x.token_hash = ?`, tokenHash), &sess,
		&u.ID, &u.Email, &u.DisplayName, &u.PasswordHash, &role, &verified, &u.CreatedAt, &u.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, fmt.Errorf("store: session: %w", account.ErrNotFound)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("store: session: %w", err)
	}
	u.Role, u.EmailVerifiedAt = account.Role(role), timeOf(verified)
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	s.sessions.put(tokenHash, &sess, &u)
	return &sess, &u, nil
}

// TouchSession records that a session was used.
func (s *Store) TouchSession(ctx context.Context, id int64, at time.Time) error {
	if _, err := s.write.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, utc(at), id); err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return nil
}

// DeleteSession ends a session by token hash; an unknown hash is no error.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	s.sessions.drop(tokenHash)
	if _, err := s.write.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteOtherSessions ends every session of the user but keepID.
func (s *Store) DeleteOtherSessions(ctx context.Context, userID, keepID int64) error {
	if _, err := s.write.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND id <> ?`, userID, keepID); err != nil {
		return fmt.Errorf("store: delete other sessions: %w", err)
	}
	return nil
}

// UserSessions lists a user's sessions, most recently used first.
func (s *Store) UserSessions(ctx context.Context, userID int64) ([]account.Session, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+sessionColumns+` FROM sessions x
		WHERE x.user_id = ? ORDER BY x.last_seen_at DESC, x.id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: user sessions: %w", err)
	}
	defer rows.Close()
	var out []account.Session
	for rows.Next() {
		var sess account.Session
		if err := scanSession(rows, &sess); err != nil {
			return nil, fmt.Errorf("store: user sessions: %w", err)
		}
		out = append(out, sess)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: user sessions: %w", err)
	}
	return out, nil
}

func (s *Store) insertEmailToken(ctx context.Context, tx *txn, t *account.EmailToken) error {
	return tx.QueryRowContext(ctx, `INSERT INTO email_tokens (token_hash, user_id, purpose, email, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		t.Hash, t.UserID, string(t.Purpose), t.Email, utc(t.CreatedAt), utc(t.ExpiresAt)).Scan(&t.ID)
}

// CreateEmailToken stores an emailed link's token and queues its emails.
func (s *Store) CreateEmailToken(ctx context.Context, t *account.EmailToken, ms ...*mail.Message) error {
	err := s.inTx(ctx, func(tx *txn) error {
		if err := s.insertEmailToken(ctx, tx, t); err != nil {
			return err
		}
		for _, m := range ms {
			if err := s.enqueueTx(ctx, tx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: create email token: %w", err)
	}
	return nil
}

// UseEmailToken spends a token: it verifies the address or, for a change
// of address, moves the account. A token works once.
func (s *Store) UseEmailToken(ctx context.Context, hash string, now time.Time) (*account.EmailToken, error) {
	var t account.EmailToken
	err := s.inTx(ctx, func(tx *txn) error {
		var purpose string
		err := tx.QueryRowContext(ctx, `UPDATE email_tokens SET used_at = ?
			WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?
			RETURNING id, user_id, purpose, email, created_at, expires_at`, utc(now), hash, utc(now)).
			Scan(&t.ID, &t.UserID, &purpose, &t.Email, &t.CreatedAt, &t.ExpiresAt)
		if errors.Is(err, sql.ErrNoRows) {
			return account.ErrBadToken
		}
		if err != nil {
			return err
		}
		t.Purpose = account.TokenPurpose(purpose)
		var u account.User
		if err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = ?`, t.UserID), &u); err != nil {
			return err
		}
		switch t.Purpose {
		case account.VerifyEmail:
			if u.Email != t.Email {
				return account.ErrBadToken // the address changed since the link was sent
			}
			_, err = tx.ExecContext(ctx, `UPDATE users SET email_verified_at = COALESCE(email_verified_at, ?), updated_at = ? WHERE id = ?`,
				utc(now), utc(now), u.ID)
			return err
		case account.ChangeEmail:
			_, err = tx.ExecContext(ctx, `UPDATE users SET email = ?, email_verified_at = ?, updated_at = ? WHERE id = ?`,
				t.Email, utc(now), utc(now), u.ID)
			if isUniqueViolation(err) {
				return account.ErrEmailTaken
			}
			return err
		}
		return account.ErrBadToken
	})
	if err != nil {
		return nil, fmt.Errorf("store: use email token: %w", err)
	}
	t.CreatedAt, t.ExpiresAt = t.CreatedAt.UTC(), t.ExpiresAt.UTC()
	return &t, nil
}

// CreateResetCode voids the user's earlier codes, stores the new one and
// queues its email, in one transaction.
func (s *Store) CreateResetCode(ctx context.Context, rc *account.ResetCode, m *mail.Message) error {
	err := s.inTx(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `UPDATE reset_codes SET spent_at = ? WHERE user_id = ? AND spent_at IS NULL`,
			utc(rc.CreatedAt), rc.UserID); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO reset_codes (user_id, code_hash, created_at, expires_at)
			VALUES (?, ?, ?, ?) RETURNING id`, rc.UserID, rc.Hash, utc(rc.CreatedAt), utc(rc.ExpiresAt)).Scan(&rc.ID); err != nil {
			return err
		}
		return s.enqueueTx(ctx, tx, m)
	})
	if err != nil {
		return fmt.Errorf("store: create reset code: %w", err)
	}
	return nil
}

// TryResetCode counts one try against the user's newest code that is
// unspent and unexpired at now, before the code is compared, unless the
// code has had maxAttempts tries already. The count and its check are one
// statement, so tries sent together cannot pass maxAttempts. It returns
// the code with this try counted; account.ErrNotFound when there is no
// code left to try.
func (s *Store) TryResetCode(ctx context.Context, userID int64, now time.Time, maxAttempts int) (*account.ResetCode, error) {
	var rc account.ResetCode
	err := s.write.QueryRowContext(ctx, `UPDATE reset_codes SET attempts = attempts + 1
		WHERE id = (SELECT id FROM reset_codes WHERE user_id = ? AND spent_at IS NULL AND expires_at > ?
			ORDER BY created_at DESC, id DESC LIMIT 1)
		AND attempts < ? AND spent_at IS NULL AND expires_at > ?
		RETURNING id, user_id, code_hash, created_at, expires_at, attempts`, userID, utc(now), maxAttempts, utc(now)).
		Scan(&rc.ID, &rc.UserID, &rc.Hash, &rc.CreatedAt, &rc.ExpiresAt, &rc.Attempts)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: try reset code: %w", account.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: try reset code: %w", err)
	}
	rc.CreatedAt, rc.ExpiresAt = rc.CreatedAt.UTC(), rc.ExpiresAt.UTC()
	return &rc, nil
}

// FailResetCode records that a try TryResetCode counted was wrong: a code
// that has had maxAttempts tries is void.
func (s *Store) FailResetCode(ctx context.Context, id int64, maxAttempts int) error {
	_, err := s.write.ExecContext(ctx, `UPDATE reset_codes SET spent_at = ? WHERE id = ? AND attempts >= ? AND spent_at IS NULL`,
		utc(s.Now()), id, maxAttempts)
	if err != nil {
		return fmt.Errorf("store: fail reset code: %w", err)
	}
	return nil
}

// ReleaseResetTry gives back a try TryResetCode counted, for a right code
// whose reset did not go through (a refused new password, say).
func (s *Store) ReleaseResetTry(ctx context.Context, id int64) error {
	_, err := s.write.ExecContext(ctx, `UPDATE reset_codes SET attempts = attempts - 1 WHERE id = ? AND attempts > 0 AND spent_at IS NULL`, id)
	if err != nil {
		return fmt.Errorf("store: release reset try: %w", err)
	}
	return nil
}

// CompleteReset spends the code, sets the new password, ends every
// session of the user and queues the notice, in one transaction. A code
// spent in the meantime gives account.ErrBadCode and changes nothing.
func (s *Store) CompleteReset(ctx context.Context, codeID, userID int64, hash string, m *mail.Message) error {
	err := s.inTx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE reset_codes SET spent_at = ? WHERE id = ? AND user_id = ? AND spent_at IS NULL`,
			utc(s.Now()), codeID, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return account.ErrBadCode
		}
		return s.changePasswordTx(ctx, tx, userID, hash, 0, m)
	})
	if err != nil {
		return fmt.Errorf("store: complete reset: %w", err)
	}
	return nil
}

// ThrottleHit counts one event for key in a fixed window that starts with
// the first event; it returns the count so far in the window and any block.
func (s *Store) ThrottleHit(ctx context.Context, key string, window time.Duration, now time.Time) (int, time.Time, error) {
	var count int
	var blocked sql.NullTime
	start := utc(now)
	expired := utc(now.Add(-window))
	err := s.write.QueryRowContext(ctx, `INSERT INTO throttles (key, count, window_start) VALUES (?, 1, ?)
		ON CONFLICT (key) DO UPDATE SET
			count = CASE WHEN throttles.window_start <= ? THEN 1 ELSE throttles.count + 1 END,
			window_start = CASE WHEN throttles.window_start <= ? THEN excluded.window_start ELSE throttles.window_start END
		RETURNING count, blocked_until`, key, start, expired, expired).Scan(&count, &blocked)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("store: throttle: %w", err)
	}
	return count, timeOf(blocked), nil
}

// ThrottleTake counts one attempt under every key of limits in one
// transaction, unless one of them is blocked at now: then nothing is
// counted and the block's end is returned (the latest, when several are
// blocked). Counts run in a fixed window that starts with the first
// attempt. A key whose count reaches its allowance is blocked from now for
// its Delay of the attempts beyond the allowance, so the attempts that
// arrive together past it are refused before any of them is tried.
// counts are the keys' counts with this attempt, in the order of limits.
func (s *Store) ThrottleTake(ctx context.Context, limits []account.ThrottleLimit, window time.Duration, now time.Time) (counts []int, blockedUntil time.Time, err error) {
	// Keys are locked in one order, so two attempts that share keys
	// cannot wait for each other.
	order := make([]int, len(limits))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return limits[order[a]].Key < limits[order[b]].Key })
	type row struct {
		count   int
		start   time.Time
		blocked sql.NullTime
	}
	err = s.inTx(ctx, func(tx *txn) error {
		counts, blockedUntil = nil, time.Time{}
		rows := make([]row, len(limits))
		lock := s.dialect.forUpdate()
		for _, i := range order {
			key := limits[i].Key
			if _, err := tx.ExecContext(ctx, `INSERT INTO throttles (key, count, window_start) VALUES (?, 0, ?)
				ON CONFLICT (key) DO NOTHING`, key, utc(now)); err != nil {
				return err
			}
			r := &rows[i]
			if err := tx.QueryRowContext(ctx, `SELECT count, window_start, blocked_until FROM throttles WHERE key = ?`+lock, key).
				Scan(&r.count, &r.start, &r.blocked); err != nil {
				return err
			}
			if until := timeOf(r.blocked); until.After(now) && until.After(blockedUntil) {
				blockedUntil = until
			}
		}
		if !blockedUntil.IsZero() {
			return nil
		}
		counts = make([]int, len(limits))
		for _, i := range order {
			r, l := rows[i], limits[i]
			if !r.start.After(now.Add(-window)) {
				r.count, r.start = 0, now
			}
			r.count++
			if r.count >= l.Allow {
				r.blocked = sql.NullTime{Time: now.Add(l.Delay(r.count - l.Allow)), Valid: true}
			}
			if _, err := tx.ExecContext(ctx, `UPDATE throttles SET count = ?, window_start = ?, blocked_until = ? WHERE key = ?`,
				r.count, utc(r.start), nullTime(timeOf(r.blocked)), l.Key); err != nil {
				return err
			}
			counts[i] = r.count
		}
		return nil
	})
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("store: throttle: %w", err)
	}
	return counts, blockedUntil, nil
}

// ThrottleRelease gives back one attempt ThrottleTake counted under key,
// for an attempt that went well; lift also ends the key's block, for the
// attempt that began it.
func (s *Store) ThrottleRelease(ctx context.Context, key string, lift bool) error {
	query := `UPDATE throttles SET count = count - 1 WHERE key = ? AND count > 0`
	if lift {
		query = `UPDATE throttles SET count = count - 1, blocked_until = NULL WHERE key = ? AND count > 0`
	}
	if _, err := s.write.ExecContext(ctx, query, key); err != nil {
		return fmt.Errorf("store: throttle release: %w", err)
	}
	return nil
}

// ThrottleBlocked returns until when key is blocked (zero when it is not).
func (s *Store) ThrottleBlocked(ctx context.Context, key string, now time.Time) (time.Time, error) {
	var blocked sql.NullTime
	err := s.write.QueryRowContext(ctx, `SELECT blocked_until FROM throttles WHERE key = ?`, key).Scan(&blocked)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("store: throttle: %w", err)
	}
	return timeOf(blocked), nil
}

// ThrottleBlock blocks key until the given time.
func (s *Store) ThrottleBlock(ctx context.Context, key string, until time.Time) error {
	if _, err := s.write.ExecContext(ctx, `UPDATE throttles SET blocked_until = ? WHERE key = ?`, utc(until), key); err != nil {
		return fmt.Errorf("store: throttle block: %w", err)
	}
	return nil
}

// ThrottleClear forgets key's events and block.
func (s *Store) ThrottleClear(ctx context.Context, key string) error {
	if _, err := s.write.ExecContext(ctx, `DELETE FROM throttles WHERE key = ?`, key); err != nil {
		return fmt.Errorf("store: throttle clear: %w", err)
	}
	return nil
}

// Secret returns the named server secret, creating it with generate the
// first time. Instances starting together agree on one value.
func (s *Store) Secret(ctx context.Context, name string, generate func() (string, error)) (string, error) {
	v, err := generate()
	if err != nil {
		return "", fmt.Errorf("store: secret %s: %w", name, err)
	}
	if _, err := s.write.ExecContext(ctx, `INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, name, v); err != nil {
		return "", fmt.Errorf("store: secret %s: %w", name, err)
	}
	if err := s.write.QueryRowContext(ctx, `SELECT value FROM secrets WHERE name = ?`, name).Scan(&v); err != nil {
		return "", fmt.Errorf("store: secret %s: %w", name, err)
	}
	return v, nil
}
