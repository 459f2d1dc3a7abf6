package mail

import (
	"context"
	"log/slog"
	"slices"
	"sync"
)

// Transport hands one message to the outside world. Implementations must be
// safe for concurrent use.
type Transport interface {
	Send(ctx context.Context, from string, m *Message) error
}

// logKeep is how many messages a Log keeps for RecentMail.
const logKeep = 100

// Log is the development mailbox: instead of sending email it writes a line
// about each message (recipient, subject and Message-ID) to a logger, and
// keeps the latest messages whole in memory for RecentMail. It never logs
// a body, which may carry a reset code or a sign-in link; and as the outbox
// empties the body of every message once it is sent, the memory of the
// running process is the only place the development mailbox can read it
// from. It is safe for concurrent use.
type Log struct {
	logger *slog.Logger

	mu     sync.Mutex
	recent []Message // oldest first, at most logKeep
}

var _ Transport = (*Log)(nil)

// NewLog returns a Log transport writing to logger.
func NewLog(logger *slog.Logger) *Log {
	return &Log{logger: logger}
}

// Send writes m's metadata to the log, keeps m for RecentMail, and never
// fails.
func (l *Log) Send(ctx context.Context, from string, m *Message) error {
	l.logger.InfoContext(ctx, "mail (development mailbox, not sent)",
		"from", from, "to", m.To, "subject", m.Subject, "message_id", m.MessageID)
	kept := *m
	kept.Status = Sent
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.recent) == logKeep {
		l.recent = slices.Delete(l.recent, 0, 1)
	}
	l.recent = append(l.recent, kept)
	return nil
}

// RecentMail lists up to limit of the messages sent through l since the
// process started, newest first, bodies included. The development mailbox
// page shows them.
func (l *Log) RecentMail(_ context.Context, limit int) ([]Message, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Message, 0, min(max(limit, 0), len(l.recent)))
	for i := len(l.recent) - 1; i >= 0 && len(out) < limit; i-- {
		out = append(out, l.recent[i])
	}
	return out, nil
}

// String describes the transport for logs.
func (l *Log) String() string { return "development mailbox (log)" }
