package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"dateline/internal/insight"
)

// changesKept is how long subscription changes are kept: a little more
// than the dashboard's chart of subscribers by state goes back.
const changesKept = (insight.StateDays + 10) * 24 * time.Hour

// NoteRead records that the reader with key read a story at a time, and
// forgets every reader's reads from before forgetBefore.
func (s *Store) NoteRead(ctx context.Context, readerKey string, storyID int64, at, forgetBefore time.Time) error {
	err := s.inTx(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO story_reads (reader_key, story_id, read_at) VALUES (?, ?, ?)
			ON CONFLICT (reader_key, story_id) DO UPDATE SET read_at = excluded.read_at`,
			readerKey, storyID, utc(at)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM story_reads WHERE read_at < ?`, utc(forgetBefore))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: note read: %w", err)
	}
	return nil
}

// hourlyQueries count each kind by the hour: the query's first column is
// the hour (see Dialect.hourOf), the second the count; its two arguments
// are the bounds.
func (s *Store) hourlyQuery(kind insight.Kind) (string, error) {
	d := s.dialect
	switch kind {
	case insight.Views:
		return `SELECT ` + d.hourOf("hour") + `, SUM(views) FROM story_views WHERE hour >= ? AND hour < ? GROUP BY 1`, nil
	case insight.SignUps:
		return `SELECT ` + d.hourOf("created_at") + `, COUNT(*) FROM users WHERE created_at >= ? AND created_at < ? GROUP BY 1`, nil
	case insight.Comments:
		return `SELECT ` + d.hourOf("created_at") + `, COUNT(*) FROM comments WHERE created_at >= ? AND created_at < ? GROUP BY 1`, nil
	case insight.Subscriptions:
		// A subscription begins when it gives access after giving none.
		return `SELECT ` + d.hourOf("changed_at") + `, COUNT(*) FROM subscription_changes
			WHERE changed_at >= ? AND changed_at < ? AND to_status IN ('trialing', 'active')
			AND from_status IN ('', 'incomplete', 'expired') GROUP BY 1`, nil
	case insight.Cancellations:
		return `SELECT ` + d.hourOf("changed_at") + `, COUNT(*) FROM subscription_changes
			WHERE changed_at >= ? AND changed_at < ? AND to_status = 'canceled' GROUP BY 1`, nil
	}
	return "", fmt.Errorf("no count of %q", kind)
}

// HourlyCounts counts kind in each UTC hour from since until before
// until; hours without any are left out.
func (s *Store) HourlyCounts(ctx context.Context, kind insight.Kind, since, until time.Time) (map[time.Time]int, error) {
	q, err := s.hourlyQuery(kind)
	if err != nil {
		return nil, fmt.Errorf("store: hourly counts: %w", err)
	}
	rows, err := s.read.QueryContext(ctx, q, utc(since), utc(until))
	if err != nil {
		return nil, fmt.Errorf("store: hourly counts of %s: %w", kind, err)
	}
	defer rows.Close()
	out := map[time.Time]int{}
	for rows.Next() {
		var hour string
		var n int
		if err := rows.Scan(&hour, &n); err != nil {
			return nil, fmt.Errorf("store: hourly counts of %s: %w", kind, err)
		}
		h, err := time.Parse("2006-01-02 15", hour)
		if err != nil {
			return nil, fmt.Errorf("store: hourly counts of %s: %w", kind, err)
		}
		out[h] += n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: hourly counts of %s: %w", kind, err)
	}
	return out, nil
}

// SubscriptionStates counts the subscriptions in each stored state.
func (s *Store) SubscriptionStates(ctx context.Context) (map[string]int, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT status, COUNT(*) FROM subscriptions GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("store: subscription states: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("store: subscription states: %w", err)
		}
		out[st] = n
	}
	return out, rows.Err()
}

// SubscriptionChanges lists the changes of subscriptions' states since a
// time, oldest first.
func (s *Store) SubscriptionChanges(ctx context.Context, since time.Time) ([]insight.Change, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT changed_at, from_status, to_status FROM subscription_changes
		WHERE changed_at >= ? ORDER BY changed_at, id`, utc(since))
	if err != nil {
		return nil, fmt.Errorf("store: subscription changes: %w", err)
	}
	defer rows.Close()
	var out []insight.Change
	for rows.Next() {
		var c insight.Change
		var at anyTime
		if err := rows.Scan(&at, &c.From, &c.To); err != nil {
			return nil, fmt.Errorf("store: subscription changes: %w", err)
		}
		c.At = at.Time
		out = append(out, c)
	}
	return out, rows.Err()
}

// TopConverting lists the stories that led to most subscriptions on the
// paper's days from sinceDay on, most first.
func (s *Store) TopConverting(ctx context.Context, sinceDay string, limit int) ([]insight.Converting, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+storyColumns+`, c.total
		FROM (SELECT story_id, SUM(conversions) AS total FROM story_conversions WHERE day >= ? GROUP BY story_id) c
		JOIN stories st ON st.id = c.story_id JOIN sections sec ON sec.id = st.section_id
		ORDER BY c.total DESC, st.id DESC LIMIT ?`, sinceDay, limit)
	if err != nil {
		return nil, fmt.Errorf("store: stories that convert: %w", err)
	}
	defer rows.Close()
	var out []insight.Converting
	for rows.Next() {
		var c insight.Converting
		if err := scanStory(rows, &c.Story, &c.Conversions); err != nil {
			return nil, fmt.Errorf("store: stories that convert: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CountConversions adds one subscription on day to each story the reader
// with key read since a time, and forgets the reader's reads. It reports
// how many stories it counted.
func (b *billingTx) CountConversions(ctx context.Context, readerKey string, since time.Time, day string) (int, error) {
	res, err := b.tx.ExecContext(ctx, `INSERT INTO story_conversions (story_id, day, conversions)
		SELECT story_id, ?, 1 FROM story_reads WHERE reader_key = ? AND read_at >= ?
		ON CONFLICT (story_id, day) DO UPDATE SET conversions = story_conversions.conversions + 1`,
		day, readerKey, utc(since))
	if err != nil {
		return 0, fmt.Errorf("store: count conversions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: count conversions: %w", err)
	}
	if _, err := b.tx.ExecContext(ctx, `DELETE FROM story_reads WHERE reader_key = ?`, readerKey); err != nil {
		return 0, fmt.Errorf("store: count conversions: %w", err)
	}
	return int(n), nil
}

// recordChange notes a subscription's change of state, without whose it
// was, and forgets changes older than the charts need.
func (b *billingTx) recordChange(ctx context.Context, userID int64, to string) error {
	var from string
	err := b.tx.QueryRowContext(ctx, `SELECT status FROM subscriptions WHERE user_id = ?`, userID).Scan(&from)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: record subscription change: %w", err)
	}
	if from == to {
		return nil
	}
	now := b.s.Now()
	if _, err := b.tx.ExecContext(ctx, `INSERT INTO subscription_changes (changed_at, from_status, to_status) VALUES (?, ?, ?)`,
		utc(now), from, to); err != nil {
		return fmt.Errorf("store: record subscription change: %w", err)
	}
	if _, err := b.tx.ExecContext(ctx, `DELETE FROM subscription_changes WHERE changed_at < ?`, utc(now.Add(-changesKept))); err != nil {
		return fmt.Errorf("store: record subscription change: %w", err)
	}
	return nil
}
