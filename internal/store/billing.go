package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"dateline/internal/account"
	"dateline/internal/billing"
	"dateline/internal/mail"
	"dateline/internal/story"
)

// The store implements what billing needs of it.
var (
	_ billing.Store = (*Store)(nil)
	_ billing.Tx    = (*billingTx)(nil)
)

const planColumns = `id, name, description, price_minor, currency, billing_period, trial_days, active, stripe_price_id, position, created_at`

func scanPlan(row scanner, p *billing.Plan) error {
	var period string
	if err := row.Scan(&p.ID, &p.Name, &p.Description, &p.PriceMinor, &p.Currency, &period, &p.TrialDays,
		&p.Active, &p.StripePriceID, &p.Position, &p.CreatedAt); err != nil {
		return err
	}
	p.Period, p.CreatedAt = billing.Period(period), p.CreatedAt.UTC()
	return nil
}

// Plans lists plans in their order; activeOnly keeps those on sale.
func (s *Store) Plans(ctx context.Context, activeOnly bool) ([]billing.Plan, error) {
	query := `SELECT ` + planColumns + ` FROM plans`
	var args []any
	if activeOnly {
		query += ` WHERE active = ?`
		args = append(args, true)
	}
	rows, err := s.read.QueryContext(ctx, query+` ORDER BY position, price_minor, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: plans: %w", err)
	}
	defer rows.Close()
	var out []billing.Plan
	for rows.Next() {
		var p billing.Plan
		if err := scanPlan(rows, &p); err != nil {
			return nil, fmt.Errorf("store: plans: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: plans: %w", err)
	}
	return out, nil
}

// PlanByID finds a plan.
func (s *Store) PlanByID(ctx context.Context, id int64) (*billing.Plan, error) {
	var p billing.Plan
	err := scanPlan(s.read.QueryRowContext(ctx, `SELECT `+planColumns+` FROM plans WHERE id = ?`, id), &p)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: plan %d: %w", id, billing.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: plan %d: %w", id, err)
	}
	return &p, nil
}

// CreatePlan adds a plan and sets its ID.
func (s *Store) CreatePlan(ctx context.Context, p *billing.Plan) error {
	if p.CreatedAt.IsZero() {
		p.CreatedAt = s.Now()
	}
	err := s.write.QueryRowContext(ctx, `INSERT INTO plans
		(name, description, price_minor, currency, billing_period, trial_days, active, stripe_price_id, position, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		p.Name, p.Description, p.PriceMinor, strings.ToUpper(p.Currency), string(p.Period), p.TrialDays, p.Active,
		p.StripePriceID, p.Position, utc(p.CreatedAt)).Scan(&p.ID)
	if err != nil {
		return fmt.Errorf("store: create plan: %w", err)
	}
	return nil
}

// SetPlanActive sells or retires a plan.
func (s *Store) SetPlanActive(ctx context.Context, id int64, active bool) error {
	err := s.changeReaders(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `UPDATE plans SET active = ? WHERE id = ?`, active, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: set plan active: %w", err)
	}
	return nil
}

const subColumns = `x.id, x.user_id, COALESCE(x.plan_id, 0), x.provider, x.customer_ref, x.provider_ref, x.status,
	x.current_period_end, x.past_due_since, x.provider_event_at, x.created_at, x.updated_at`

func scanSubscription(row scanner, sub *billing.Subscription, extra ...any) error {
	var provider, status string
	var end, pastDue, eventAt sql.NullTime
	dest := []any{&sub.ID, &sub.UserID, &sub.PlanID, &provider, &sub.CustomerRef, &sub.ProviderRef, &status,
		&end, &pastDue, &eventAt, &sub.CreatedAt, &sub.UpdatedAt}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return err
	}
	sub.Provider, sub.Status = billing.ProviderName(provider), billing.Status(status)
	sub.PeriodEnd, sub.PastDueSince, sub.ProviderEventAt = timeOf(end), timeOf(pastDue), timeOf(eventAt)
	sub.CreatedAt, sub.UpdatedAt = sub.CreatedAt.UTC(), sub.UpdatedAt.UTC()
	return nil
}

type rowQueryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Store) subscriptionWhere(ctx context.Context, db rowQueryer, where string, args ...any) (*billing.Subscription, error) {
	var sub billing.Subscription
	query := `SELECT ` + subColumns + ` FROM subscriptions x WHERE ` + where
	if _, inTx := db.(*txn); inTx {
		// Events for one subscription applied by two instances at once
		// take turns, so the time guard sees the newer state.
		query += s.dialect.forUpdate()
	}
	err := scanSubscription(db.QueryRowContext(ctx, query, args...), &sub)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: subscription: %w", billing.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: subscription: %w", err)
	}
	if sub.PlanID != 0 {
		var p billing.Plan
		if err := scanPlan(db.QueryRowContext(ctx, `SELECT `+planColumns+` FROM plans WHERE id = ?`, sub.PlanID), &p); err == nil {
			sub.Plan = &p
		}
	}
	return &sub, nil
}

// SubscriptionByUser finds a reader's subscription, with its plan.
//
// Every signed-in page asks, so the answer is kept for a while (see
// readerCache); billing transactions drop it on every instance.
func (s *Store) SubscriptionByUser(ctx context.Context, userID int64) (*billing.Subscription, error) {
	kept, ok, gen := s.readers.subs.Get(userID)
	if ok {
		if kept == nil {
			return nil, fmt.Errorf("store: subscription: %w", billing.ErrNotFound)
		}
		return copySubscription(kept), nil
	}
	sub, err := s.subscriptionWhere(ctx, s.read, "x.user_id = ?", userID)
	switch {
	case errors.Is(err, billing.ErrNotFound):
		s.readers.subs.Put(userID, nil, gen)
	case err == nil:
		s.readers.subs.Put(userID, copySubscription(sub), gen)
	}
	return sub, err
}

// copySubscription copies a subscription and its plan.
func copySubscription(sub *billing.Subscription) *billing.Subscription {
	cp := *sub
	if sub.Plan != nil {
		p := *sub.Plan
		cp.Plan = &p
	}
	return &cp
}

// InBillingTx runs fn in one write transaction.
func (s *Store) InBillingTx(ctx context.Context, fn func(tx billing.Tx) error) error {
	return s.changeReaders(ctx, func(tx *txn) error { return fn(&billingTx{s: s, tx: tx}) })
}

// billingTx is the store inside one transaction.
type billingTx struct {
	s  *Store
	tx *txn
}

func (b *billingTx) MarkEvent(ctx context.Context, id, eventType string, at time.Time) (bool, error) {
	res, err := b.tx.ExecContext(ctx, `INSERT INTO stripe_events (id, type, received_at) VALUES (?, ?, ?)
		ON CONFLICT (id) DO NOTHING`, id, eventType, utc(b.s.Now()))
	if err != nil {
		return false, fmt.Errorf("store: mark event: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (b *billingTx) SubscriptionByUser(ctx context.Context, userID int64) (*billing.Subscription, error) {
	return b.s.subscriptionWhere(ctx, b.tx, "x.user_id = ?", userID)
}

func (b *billingTx) SubscriptionByRef(ctx context.Context, provider billing.ProviderName, ref string) (*billing.Subscription, error) {
	if ref == "" {
		return nil, fmt.Errorf("store: subscription: %w", billing.ErrNotFound)
	}
	return b.s.subscriptionWhere(ctx, b.tx, "x.provider = ? AND x.provider_ref = ?", string(provider), ref)
}

// SaveSubscription writes a reader's subscription, replacing the one they
// had.
func (b *billingTx) SaveSubscription(ctx context.Context, sub *billing.Subscription) error {
	var plan any
	if sub.PlanID != 0 {
		plan = sub.PlanID
	}
	if sub.CreatedAt.IsZero() {
		sub.CreatedAt = b.s.Now()
	}
	if sub.UpdatedAt.IsZero() {
		sub.UpdatedAt = b.s.Now()
	}
	if err := b.recordChange(ctx, sub.UserID, string(sub.Status)); err != nil {
		return err
	}
	err := b.tx.QueryRowContext(ctx, `INSERT INTO subscriptions
		(user_id, plan_id, provider, customer_ref, provider_ref, status, current_period_end, past_due_since,
		 provider_event_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET plan_id = excluded.plan_id, provider = excluded.provider,
			customer_ref = excluded.customer_ref, provider_ref = excluded.provider_ref, status = excluded.status,
			current_period_end = excluded.current_period_end, past_due_since = excluded.past_due_since,
			provider_event_at = excluded.provider_event_at, updated_at = excluded.updated_at
		RETURNING id`,
		sub.UserID, plan, string(sub.Provider), sub.CustomerRef, sub.ProviderRef, string(sub.Status),
		nullTime(sub.PeriodEnd), nullTime(sub.PastDueSince), nullTime(sub.ProviderEventAt),
		utc(sub.CreatedAt), utc(sub.UpdatedAt)).Scan(&sub.ID)
	if err != nil {
		return fmt.Errorf("store: save subscription: %w", err)
	}
	return nil
}

func (b *billingTx) Enqueue(ctx context.Context, m *mail.Message) error {
	return b.s.enqueueTx(ctx, b.tx, m)
}

func (b *billingTx) User(ctx context.Context, userID int64) (*account.User, error) {
	var u account.User
	err := scanUser(b.tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = ?`, userID), &u)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: user: %w", account.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: user: %w", err)
	}
	return &u, nil
}

// lockUser makes the transactions that count something of one user and
// then add to it take turns, so that two of them cannot both see room
// under a limit. On PostgreSQL the user's row stays locked until tx ends
// (a lock that foreign-key checks do not wait for); on SQLite the one
// writer already runs write transactions one at a time.
func (s *Store) lockUser(ctx context.Context, tx *txn, userID int64) error {
	if !s.dialect.locksRows() {
		return nil
	}
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM users WHERE id = ?`+s.dialect.forNoKeyUpdate(), userID).Scan(&id)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("lock user %d: %w", userID, err)
	}
	return nil
}

// MeterRead counts a metered read of a story in a month: allowed when the
// story was already read this month or the month's reads are under limit
// (then it is recorded). used is the month's count afterwards.
func (s *Store) MeterRead(ctx context.Context, userID, storyID int64, month string, limit int, at time.Time) (bool, int, error) {
	var allowed bool
	var used int
	err := s.inTx(ctx, func(tx *txn) error {
		if err := s.lockUser(ctx, tx, userID); err != nil {
			return err
		}
		var seen int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM meter_reads WHERE user_id = ? AND month = ? AND story_id = ?`,
			userID, month, storyID).Scan(&seen); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM meter_reads WHERE user_id = ? AND month = ?`,
			userID, month).Scan(&used); err != nil {
			return err
		}
		if seen > 0 {
			allowed = true
			return nil
		}
		if used >= limit {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO meter_reads (user_id, month, story_id, read_at) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, userID, month, storyID, utc(at)); err != nil {
			return err
		}
		allowed, used = true, used+1
		return nil
	})
	if err != nil {
		return false, 0, fmt.Errorf("store: meter read: %w", err)
	}
	return allowed, used, nil
}

// MeterUsed counts a reader's metered reads in a month.
func (s *Store) MeterUsed(ctx context.Context, userID int64, month string) (int, error) {
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM meter_reads WHERE user_id = ? AND month = ?`,
		userID, month).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: meter used: %w", err)
	}
	return n, nil
}

// CreateGift stores a gift link unless the user has made limit gifts since
// monthStart; then it returns billing.ErrGiftLimit.
func (s *Store) CreateGift(ctx context.Context, g *billing.Gift, tokenHash string, monthStart time.Time, limit int) error {
	err := s.inTx(ctx, func(tx *txn) error {
		if err := s.lockUser(ctx, tx, g.UserID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM gifts WHERE user_id = ? AND created_at >= ?`,
			g.UserID, utc(monthStart)).Scan(&n); err != nil {
			return err
		}
		if n >= limit {
			return billing.ErrGiftLimit
		}
		return tx.QueryRowContext(ctx, `INSERT INTO gifts (token_hash, story_id, user_id, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, tokenHash, g.StoryID, g.UserID, utc(g.CreatedAt), utc(g.ExpiresAt)).Scan(&g.ID)
	})
	if err != nil {
		return fmt.Errorf("store: create gift: %w", err)
	}
	return nil
}

// OpenGift counts an opening of a live gift for the story and returns it;
// billing.ErrNotFound for a token that is unknown, for another story,
// expired or revoked.
func (s *Store) OpenGift(ctx context.Context, tokenHash string, storyID int64, now time.Time) (*billing.Gift, error) {
	var g billing.Gift
	err := s.write.QueryRowContext(ctx, `UPDATE gifts SET opens = opens + 1
		WHERE token_hash = ? AND story_id = ? AND revoked_at IS NULL AND expires_at > ?
		RETURNING id, story_id, user_id, created_at, expires_at, opens`, tokenHash, storyID, utc(now)).
		Scan(&g.ID, &g.StoryID, &g.UserID, &g.CreatedAt, &g.ExpiresAt, &g.Opens)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: gift: %w", billing.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: gift: %w", err)
	}
	return &g, nil
}

// Gifts lists a user's gift links, newest first, with their stories.
func (s *Store) Gifts(ctx context.Context, userID int64) ([]billing.Gift, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT g.id, g.story_id, g.user_id, g.created_at, g.expires_at, g.opens,
		g.revoked_at, st.slug, st.published_at, st.headline
		FROM gifts g JOIN stories st ON st.id = g.story_id WHERE g.user_id = ? ORDER BY g.created_at DESC, g.id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: gifts: %w", err)
	}
	defer rows.Close()
	var out []billing.Gift
	for rows.Next() {
		var g billing.Gift
		var revoked, published sql.NullTime
		var slug string
		if err := rows.Scan(&g.ID, &g.StoryID, &g.UserID, &g.CreatedAt, &g.ExpiresAt, &g.Opens, &revoked, &slug, &published, &g.Headline); err != nil {
			return nil, fmt.Errorf("store: gifts: %w", err)
		}
		g.CreatedAt, g.ExpiresAt, g.Revoked = g.CreatedAt.UTC(), g.ExpiresAt.UTC(), revoked.Valid
		g.StoryPath = story.Path(timeOf(published), slug)
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: gifts: %w", err)
	}
	return out, nil
}

// RevokeGift stops a user's gift link from working.
func (s *Store) RevokeGift(ctx context.Context, userID, giftID int64, at time.Time) error {
	res, err := s.write.ExecContext(ctx, `UPDATE gifts SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? AND user_id = ?`,
		utc(at), giftID, userID)
	if err != nil {
		return fmt.Errorf("store: revoke gift: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: revoke gift: %w", billing.ErrNotFound)
	}
	return nil
}

// Subscribers lists subscriptions with their readers for staff.
func (s *Store) Subscribers(ctx context.Context, f billing.SubscriberFilter) ([]billing.Subscriber, error) {
	where := []string{"1 = 1"}
	var args []any
	if f.Status != "" {
		where = append(where, "x.status = ?")
		args = append(args, string(f.Status))
	}
	if f.Email != "" {
		where = append(where, "u.email LIKE ?")
		args = append(args, "%"+strings.NewReplacer("%", "", "_", "").Replace(strings.ToLower(f.Email))+"%")
	}
	args = append(args, f.Limit)
	rows, err := s.read.QueryContext(ctx, `SELECT `+subColumns+`, u.email, u.display_name, COALESCE(p.name, '')
		FROM subscriptions x JOIN users u ON u.id = x.user_id LEFT JOIN plans p ON p.id = x.plan_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY x.updated_at DESC, x.id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: subscribers: %w", err)
	}
	defer rows.Close()
	var out []billing.Subscriber
	for rows.Next() {
		var sub billing.Subscriber
		if err := scanSubscription(rows, &sub.Subscription, &sub.Email, &sub.DisplayName, &sub.PlanName); err != nil {
			return nil, fmt.Errorf("store: subscribers: %w", err)
		}
		out = append(out, sub)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: subscribers: %w", err)
	}
	return out, nil
}

// SubscriptionCounts counts subscriptions by stored status.
func (s *Store) SubscriptionCounts(ctx context.Context) (map[billing.Status]int, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT status, COUNT(*) FROM subscriptions GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("store: subscription counts: %w", err)
	}
	defer rows.Close()
	out := map[billing.Status]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("store: subscription counts: %w", err)
		}
		out[billing.Status(st)] = n
	}
	return out, rows.Err()
}
