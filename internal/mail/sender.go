package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
	"unicode/utf8"
)

// Outbox is the queue of messages waiting to be sent; the store implements
// it over the outbox table.
type Outbox interface {
	// ClaimMail takes up to limit pending messages that are due, oldest
	// first, and hides them from other claims for the lease.
	ClaimMail(ctx context.Context, lease time.Duration, limit int) ([]Message, error)
	// MarkMailSent records that message id was accepted by the server.
	MarkMailSent(ctx context.Context, id int64, at time.Time) error
	// MarkMailFailed records a failed attempt: the message is retried at
	// next, or given up (status Failed) when giveUp is set.
	MarkMailFailed(ctx context.Context, id int64, attempts int, next time.Time, lastErr string, giveUp bool) error
	// DeleteSettledMail deletes the messages sent or given up that were
	// created before before, and reports how many went.
	DeleteSettledMail(ctx context.Context, before time.Time) (int64, error)
}

// Defaults for a Sender's settings.
const (
	DefaultPoll    = 5 * time.Second
	DefaultLease   = 2 * time.Minute
	DefaultMaxAge  = 24 * time.Hour
	DefaultTimeout = 30 * time.Second
	DefaultBatch   = 20
	// DefaultRetention is how long sent and given-up messages are kept,
	// with their bodies emptied, for the record.
	DefaultRetention = 30 * 24 * time.Hour
)

// cleanupEvery is how often, on the Sender's clock, Run deletes the
// messages past their retention.
const cleanupEvery = time.Hour

// maxErrorLen bounds the error text kept with a message.
const maxErrorLen = 2000

// DefaultBackoff is the wait before retrying after the given number of
// failed attempts: 30 seconds, doubling with each attempt, at most an hour.
func DefaultBackoff(attempts int) time.Duration {
	if attempts < 1 {
		attempts = 1
	}
	if attempts > 8 { // 30s << 7 is already past the cap
		return time.Hour
	}
	return min(30*time.Second<<(attempts-1), time.Hour)
}

// Sender delivers the outbox in the background: it claims due messages,
// sends each through its Transport, and records the outcome, retrying
// failures with backoff until a message is older than MaxAge. The Outbox
// empties the body of every message sent or given up, and Run deletes
// those messages once they are older than Retention.
//
// Set the exported fields, if at all, before calling Run or RunOnce; after
// that a Sender is safe for concurrent use, and several Senders (in one
// process or many) may share one Outbox.
type Sender struct {
	// Now is the clock, given to NewSender; it should be the Outbox's
	// clock.
	Now func() time.Time
	// Poll is the pause between rounds when there is nothing to do.
	Poll time.Duration
	// Lease is how long a claimed message stays hidden from other
	// senders; a message not settled by then is claimed again.
	Lease time.Duration
	// MaxAge is how long after its creation a message is still worth
	// sending; after that it is given up.
	MaxAge time.Duration
	// Backoff gives the wait before the next attempt after the given
	// number of failed attempts.
	Backoff func(attempts int) time.Duration
	// Timeout bounds the sending of one message.
	Timeout time.Duration
	// Batch is the most messages claimed in one round.
	Batch int
	// Retention is how long after its creation a message sent or given
	// up is kept before Run deletes it.
	Retention time.Duration

	outbox    Outbox
	transport Transport
	from      string
	log       *slog.Logger
	wake      chan struct{}
}

// NewSender returns a Sender that delivers outbox messages through t with
// the given sender address, on the clock now, logging to log (nil: no
// logging), with the default settings.
func NewSender(outbox Outbox, t Transport, from string, now func() time.Time, log *slog.Logger) *Sender {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Sender{
		Now:       now,
		Poll:      DefaultPoll,
		Lease:     DefaultLease,
		MaxAge:    DefaultMaxAge,
		Backoff:   DefaultBackoff,
		Timeout:   DefaultTimeout,
		Batch:     DefaultBatch,
		Retention: DefaultRetention,
		outbox:    outbox,
		transport: t,
		from:      from,
		log:       log,
		wake:      make(chan struct{}, 1),
	}
}

// Wake makes Run start a round now rather than at the end of its pause, so
// that freshly enqueued mail goes out at once. It never blocks.
func (s *Sender) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run delivers mail until ctx is done, pausing Poll between rounds unless
// woken. It returns when ctx is done; a message being sent then is left to
// be sent again later.
func (s *Sender) Run(ctx context.Context) {
	s.log.Info("mail: sender started", "transport", fmt.Sprint(s.transport))
	defer s.log.Info("mail: sender stopped")
	var cleaned time.Time // when Run last deleted old messages
	for {
		if now := s.now(); cleaned.IsZero() || now.Sub(cleaned) >= cleanupEvery || now.Before(cleaned) {
			if n, err := s.Cleanup(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("mail: delete old messages", "err", err)
			} else if n > 0 {
				s.log.Info("mail: deleted old messages", "count", n)
			}
			cleaned = now
		}
		sent, failed, full, err := s.round(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			s.log.Error("mail: delivery round", "err", err)
		} else if sent+failed > 0 {
			s.log.Debug("mail: delivery round", "sent", sent, "failed", failed)
		}
		if full && err == nil {
			continue // more may be waiting
		}
		t := time.NewTimer(s.poll())
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-s.wake:
			t.Stop()
		case <-t.C:
		}
	}
}

// RunOnce does one round: it claims the due messages (at most Batch) and
// tries each once. It reports how many were sent and how many failed,
// including those given up; err reports what could not be claimed or
// recorded.
func (s *Sender) RunOnce(ctx context.Context) (sent, failed int, err error) {
	sent, failed, _, err = s.round(ctx)
	return sent, failed, err
}

// Cleanup deletes the messages sent or given up more than Retention ago
// (by their creation, on the Sender's clock) and reports how many went.
// Run calls it when it starts and every hour after.
func (s *Sender) Cleanup(ctx context.Context) (int64, error) {
	n, err := s.outbox.DeleteSettledMail(ctx, s.now().Add(-s.retention()))
	if err != nil {
		return 0, fmt.Errorf("mail: cleanup: %w", err)
	}
	return n, nil
}

// round is RunOnce; full reports whether the claim was a whole batch, all
// of which was tried.
func (s *Sender) round(ctx context.Context) (sent, failed int, full bool, err error) {
	lease, batch := s.lease(), s.batch()
	msgs, err := s.outbox.ClaimMail(ctx, lease, batch)
	if err != nil {
		return 0, 0, false, fmt.Errorf("mail: claim: %w", err)
	}
	start := time.Now()
	// Settle every message well inside its lease, or leave it to the next
	// claim: past the lease another sender may take it.
	budget := lease - lease/5
	var errs []error
	tried := 0
	for i := range msgs {
		left := budget - time.Since(start)
		if ctx.Err() != nil || left <= 0 {
			break
		}
		tried++
		ok, err := s.deliver(ctx, &msgs[i], min(s.timeout(), left))
		if ok {
			sent++
		} else {
			failed++
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return sent, failed, len(msgs) == batch && tried == len(msgs), errors.Join(errs...)
}

// deliver sends one claimed message and records the outcome. ok reports a
// successful send; err reports an outcome that could not be recorded.
func (s *Sender) deliver(ctx context.Context, m *Message, timeout time.Duration) (ok bool, err error) {
	maxAge := s.maxAge()
	// Record outcomes even when ctx ends during the send: the message
	// has gone out (or not) either way.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()

	if now := s.now(); now.After(m.CreatedAt.Add(maxAge)) {
		reason := fmt.Sprintf("gave up: not delivered within %s", maxAge)
		if m.LastError != "" {
			reason += "; last error: " + m.LastError
		}
		s.log.Warn("mail: giving up", "id", m.ID, "message_id", m.MessageID, "attempts", m.Attempts, "reason", reason)
		if err := s.outbox.MarkMailFailed(rctx, m.ID, m.Attempts, now, truncate(reason), true); err != nil {
			return false, fmt.Errorf("mail: give up message %d: %w", m.ID, err)
		}
		return false, nil
	}

	sctx, cancelSend := context.WithTimeout(ctx, timeout)
	sendErr := s.transport.Send(sctx, s.from, m)
	cancelSend()
	now := s.now()
	if sendErr == nil {
		if err := s.outbox.MarkMailSent(rctx, m.ID, now); err != nil {
			return true, fmt.Errorf("mail: message %d was sent but not recorded, so it may go out again: %w", m.ID, err)
		}
		s.log.Info("mail: sent", "id", m.ID, "message_id", m.MessageID, "attempts", m.Attempts+1)
		return true, nil
	}

	if ctx.Err() != nil {
		// Shutting down: not the message's fault. Release it, due now,
		// without counting the attempt.
		if err := s.outbox.MarkMailFailed(rctx, m.ID, m.Attempts, now, m.LastError, false); err != nil {
			return false, fmt.Errorf("mail: release message %d: %w", m.ID, err)
		}
		return false, nil
	}

	attempts := m.Attempts + 1
	giveUp := errors.Is(sendErr, ErrRejected) || !now.Before(m.CreatedAt.Add(maxAge))
	next := now.Add(s.backoff(attempts))
	if giveUp {
		s.log.Warn("mail: giving up", "id", m.ID, "message_id", m.MessageID, "attempts", attempts, "err", sendErr)
	} else {
		s.log.Warn("mail: send failed; will retry", "id", m.ID, "message_id", m.MessageID,
			"attempts", attempts, "next", next, "err", sendErr)
	}
	if err := s.outbox.MarkMailFailed(rctx, m.ID, attempts, next, truncate(sendErr.Error()), giveUp); err != nil {
		return false, fmt.Errorf("mail: record failure of message %d: %w", m.ID, err)
	}
	return false, nil
}

func (s *Sender) now() time.Time { return s.Now().UTC() }

func (s *Sender) poll() time.Duration   { return orDefault(s.Poll, DefaultPoll) }
func (s *Sender) lease() time.Duration  { return orDefault(s.Lease, DefaultLease) }
func (s *Sender) maxAge() time.Duration { return orDefault(s.MaxAge, DefaultMaxAge) }
func (s *Sender) retention() time.Duration {
	return orDefault(s.Retention, DefaultRetention)
}
func (s *Sender) timeout() time.Duration {
	return orDefault(s.Timeout, DefaultTimeout)
}

func (s *Sender) batch() int {
	if s.Batch <= 0 {
		return DefaultBatch
	}
	return s.Batch
}

func (s *Sender) backoff(attempts int) time.Duration {
	if s.Backoff == nil {
		return DefaultBackoff(attempts)
	}
	return s.Backoff(attempts)
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// truncate shortens an error text to what the outbox keeps.
func truncate(s string) string {
	if len(s) <= maxErrorLen {
		return s
	}
	s = s[:maxErrorLen]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}
