package store

import (
	"context"
	"database/sql"
	"fmt"

	"dateline/internal/audit"
)

// The store keeps the audit log.
var _ audit.Store = (*Store)(nil)

// RecordAudit adds an entry to the audit log.
func (s *Store) RecordAudit(ctx context.Context, e *audit.Entry) error {
	if err := s.inTx(ctx, func(tx *txn) error { return recordAuditTx(ctx, tx, e) }); err != nil {
		return fmt.Errorf("store: record audit: %w", err)
	}
	return nil
}

// recordAuditTx adds e in tx, beside the change it describes; nil is no
// entry.
func recordAuditTx(ctx context.Context, tx *txn, e *audit.Entry) error {
	if e == nil {
		return nil
	}
	var actor any
	if e.ActorID != 0 {
		actor = e.ActorID
	}
	return tx.QueryRowContext(ctx, `INSERT INTO audit_log (at, actor_id, actor, action, target, details)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, utc(e.At), actor, e.Actor, e.Action, e.Target, e.Details).Scan(&e.ID)
}

// AuditEntries returns up to limit entries older than before (all when
// before is 0), newest first.
func (s *Store) AuditEntries(ctx context.Context, before int64, limit int) ([]audit.Entry, error) {
	q := `SELECT id, at, actor_id, actor, action, target, details FROM audit_log`
	args := []any{}
	if before > 0 {
		q += ` WHERE id < ?`
		args = append(args, before)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: audit entries: %w", err)
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		var e audit.Entry
		var actor sql.NullInt64
		if err := rows.Scan(&e.ID, &e.At, &actor, &e.Actor, &e.Action, &e.Target, &e.Details); err != nil {
			return nil, fmt.Errorf("store: audit entries: %w", err)
		}
		e.At, e.ActorID = e.At.UTC(), actor.Int64
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: audit entries: %w", err)
	}
	return out, nil
}
