package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"dateline/internal/mail"
)

var _ mail.Outbox = (*Store)(nil)

// outboxColumns are the columns scanMail reads, in order.
const outboxColumns = `id, to_addr, to_name, subject, text_body, html_body, message_id, status,
	attempts, created_at, next_attempt_at, sent_at, last_error, list_unsubscribe, reply_to`

func scanMail(row scanner, m *mail.Message) error {
	var status string
	var created, next time.Time
	var sent sql.NullTime
	if err := row.Scan(&m.ID, &m.To, &m.ToName, &m.Subject, &m.Text, &m.HTML, &m.MessageID, &status,
		&m.Attempts, &created, &next, &sent, &m.LastError, &m.ListUnsubscribe, &m.ReplyTo); err != nil {
		return err
	}
	m.Status = mail.Status(status)
	m.CreatedAt, m.NextAttempt, m.SentAt = created.UTC(), next.UTC(), timeOf(sent)
	return nil
}

// Enqueue puts m in the outbox, pending and due now, and sets its ID,
// Status, Attempts, CreatedAt and NextAttempt. A message without a
// Message-ID gets one.
func (s *Store) Enqueue(ctx context.Context, m *mail.Message) error {
	if err := s.inTx(ctx, func(tx *txn) error { return s.enqueue(ctx, tx, m) }); err != nil {
		return fmt.Errorf("store: enqueue mail: %w", err)
	}
	return nil
}

// EnqueueTx is Enqueue inside the caller's transaction, so that an email
// is kept if and only if the change that causes it is. The message is only
// there for the Sender once tx commits.
func (s *Store) EnqueueTx(ctx context.Context, tx *sql.Tx, m *mail.Message) error {
	return s.enqueueTx(ctx, &txn{tx: tx, bind: s.write.bind}, m)
}

// enqueueTx is EnqueueTx inside one of the store's own transactions.
func (s *Store) enqueueTx(ctx context.Context, tx *txn, m *mail.Message) error {
	if err := s.enqueue(ctx, tx, m); err != nil {
		return fmt.Errorf("store: enqueue mail: %w", err)
	}
	return nil
}

func (s *Store) enqueue(ctx context.Context, tx *txn, m *mail.Message) error {
	if m.MessageID == "" {
		m.MessageID = mail.NewMessageID("")
	}
	if err := m.Validate(); err != nil {
		return err
	}
	now := utc(s.Now())
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO outbox
		(to_addr, to_name, subject, text_body, html_body, message_id, status, attempts,
		 created_at, next_attempt_at, last_error, list_unsubscribe, reply_to)
		VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, '', ?, ?) RETURNING id`,
		m.To, m.ToName, m.Subject, m.Text, m.HTML, m.MessageID, now, now, m.ListUnsubscribe, m.ReplyTo).Scan(&id)
	if err != nil {
		return err
	}
	m.ID, m.Status, m.Attempts = id, mail.Pending, 0
	m.CreatedAt, m.NextAttempt, m.SentAt, m.LastError = now, now, time.Time{}, ""
	return nil
}

// ClaimMail takes up to limit pending messages that are due and not
// claimed by anyone else, lowest ID first, and claims them for lease: no
// other claim returns them until the lease runs out or they are marked.
// On PostgreSQL concurrent claims skip each other's rows (FOR UPDATE SKIP
// LOCKED); on SQLite the single writer serialises them.
func (s *Store) ClaimMail(ctx context.Context, lease time.Duration, limit int) ([]mail.Message, error) {
	if limit <= 0 {
		return nil, nil
	}
	now := utc(s.Now())
	lock := s.dialect.forUpdateSkipLocked()
	rows, err := s.write.QueryContext(ctx, `UPDATE outbox SET claimed_until = ?
		WHERE id IN (SELECT id FROM outbox
			WHERE status = 'pending' AND next_attempt_at <= ?
			  AND (claimed_until IS NULL OR claimed_until < ?)
			ORDER BY id LIMIT ?`+lock+`)
		RETURNING `+outboxColumns, utc(now.Add(lease)), now, now, limit)
	if err != nil {
		return nil, fmt.Errorf("store: claim mail: %w", err)
	}
	defer rows.Close()
	var out []mail.Message
	for rows.Next() {
		var m mail.Message
		if err := scanMail(rows, &m); err != nil {
			return nil, fmt.Errorf("store: claim mail: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: claim mail: %w", err)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("store: claim mail: %w", err)
	}
	slices.SortFunc(out, func(a, b mail.Message) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// MarkMailSent records that message id was sent at the given time, counting
// the attempt, and empties its text and HTML parts: a sent email may carry
// a reset code or a sign-in link, which must not stay in the database or
// its backups. The recipient, subject, times and status stay. It returns
// mail.ErrNotFound when there is no such message.
func (s *Store) MarkMailSent(ctx context.Context, id int64, at time.Time) error {
	res, err := s.write.ExecContext(ctx, `UPDATE outbox
		SET status = 'sent', sent_at = ?, attempts = attempts + 1, claimed_until = NULL, last_error = '',
		    text_body = '', html_body = ''
		WHERE id = ?`, utc(at), id)
	if err != nil {
		return fmt.Errorf("store: mark mail %d sent: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: mark mail %d sent: %w", id, err)
	} else if n == 0 {
		return fmt.Errorf("store: mark mail %d sent: %w", id, mail.ErrNotFound)
	}
	return nil
}

// MarkMailFailed records a failed attempt at message id: attempts is the
// number of attempts made so far and lastErr what went wrong. With giveUp
// the message becomes failed and is never tried again; otherwise it stays
// pending, unclaimed, due at next. A message given up has its text and
// HTML parts emptied, as a sent one does. A message no longer pending (sent
// meanwhile by another sender, or given up) is left as it is.
func (s *Store) MarkMailFailed(ctx context.Context, id int64, attempts int, next time.Time, lastErr string, giveUp bool) error {
	query := `UPDATE outbox
		SET status = 'pending', attempts = ?, next_attempt_at = ?, claimed_until = NULL, last_error = ?
		WHERE id = ? AND status = 'pending'`
	if giveUp {
		query = `UPDATE outbox
		SET status = 'failed', attempts = ?, next_attempt_at = ?, claimed_until = NULL, last_error = ?,
		    text_body = '', html_body = ''
		WHERE id = ? AND status = 'pending'`
	}
	_, err := s.write.ExecContext(ctx, query, attempts, utc(next), lastErr, id)
	if err != nil {
		return fmt.Errorf("store: mark mail %d failed: %w", id, err)
	}
	return nil
}

// DeleteSettledMail deletes the messages sent or given up that were
// created before before, and reports how many went. Pending messages stay,
// however old.
func (s *Store) DeleteSettledMail(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.write.ExecContext(ctx, `DELETE FROM outbox
		WHERE status IN ('sent', 'failed') AND created_at < ?`, utc(before))
	if err != nil {
		return 0, fmt.Errorf("store: delete settled mail: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: delete settled mail: %w", err)
	}
	return n, nil
}

// RecentMail lists the latest messages in the outbox, newest first,
// whatever their status; the development mailbox page shows them.
func (s *Store) RecentMail(ctx context.Context, limit int) ([]mail.Message, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox
		ORDER BY created_at DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: recent mail: %w", err)
	}
	defer rows.Close()
	var out []mail.Message
	for rows.Next() {
		var m mail.Message
		if err := scanMail(rows, &m); err != nil {
			return nil, fmt.Errorf("store: recent mail: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: recent mail: %w", err)
	}
	return out, nil
}
