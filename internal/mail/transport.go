package mail

import (
	"context"
	"log/slog"
)

// Transport hands one message to the outside world. Implementations must be
// safe for concurrent use.
type Transport interface {
	Send(ctx context.Context, from string, m *Message) error
}

// Log is the development mailbox: instead of sending email it writes a line
// about each message (recipient, subject and Message-ID) to a logger. It
// never logs the body, which may carry a reset code or a sign-in link. It is
// safe for concurrent use.
type Log struct {
	logger *slog.Logger
}

var _ Transport = (*Log)(nil)

// NewLog returns a Log transport writing to logger.
func NewLog(logger *slog.Logger) *Log {
	return &Log{logger: logger}
}

// Send writes m's metadata to the log and never fails.
func (l *Log) Send(ctx context.Context, from string, m *Message) error {
	l.logger.InfoContext(ctx, "mail (development mailbox, not sent)",
		"from", from, "to", m.To, "subject", m.Subject, "message_id", m.MessageID)
	return nil
}

// String describes the transport for logs.
func (l *Log) String() string { return "development mailbox (log)" }
