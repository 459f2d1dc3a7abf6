package mail

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// Status is where a Message stands in the outbox.
type Status string

// The statuses of a Message.
const (
	Pending Status = "pending" // waiting to be sent, or to be retried
	Sent    Status = "sent"    // accepted by the mail server
	Failed  Status = "failed"  // given up on
)

// ErrNotFound is returned when an outbox message does not exist.
var ErrNotFound = errors.New("mail: no such message")

// ErrRejected marks a send error after which retrying cannot help: the mail
// server refused the recipient or the message for good (a 5xx reply). The
// Sender gives such a message up at once. Check it with errors.Is.
var ErrRejected = errors.New("mail: rejected by the mail server")

// Message is one email, as kept in the outbox.
type Message struct {
	ID          int64
	To          string // address
	ToName      string
	Subject     string
	Text        string // plain-text part (always)
	HTML        string // HTML part
	MessageID   string // "<random@host>", set by New/Compose
	Status      Status // Pending, Sent, Failed
	Attempts    int    // attempts made so far
	CreatedAt   time.Time
	NextAttempt time.Time // when the next attempt is due
	SentAt      time.Time // zero until sent
	LastError   string    // what went wrong last, if anything
	// ListUnsubscribe is an https URL that unsubscribes the reader in one
	// POST (RFC 8058); when set, the email carries List-Unsubscribe and
	// List-Unsubscribe-Post headers.
	ListUnsubscribe string
	// ReplyTo, when set, is the address replies go to (the Reply-To
	// header); the Composer sets the site's.
	ReplyTo string
}

// New returns a message to one recipient with a fresh Message-ID naming
// host (the site's host name). The plain-text part is required; html may be
// empty.
func New(host, to, toName, subject, text, html string) *Message {
	return &Message{
		To:        to,
		ToName:    toName,
		Subject:   subject,
		Text:      text,
		HTML:      html,
		MessageID: NewMessageID(host),
		Status:    Pending,
	}
}

// NewMessageID returns a new, random Message-ID of the form
// "<32 hex digits@host>". An empty host becomes "localhost".
func NewMessageID(host string) string {
	if host == "" {
		host = "localhost"
	}
	var b [16]byte
	rand.Read(b[:]) // never fails; see crypto/rand
	return "<" + hex.EncodeToString(b[:]) + "@" + host + ">"
}

// Validate checks that m can be sent: a single valid recipient address, a
// subject and name without line breaks, a plain-text part and a Message-ID.
func (m *Message) Validate() error {
	a, err := mail.ParseAddress(m.To)
	if err != nil || a.Address != m.To {
		return fmt.Errorf("mail: %q is not a valid email address", m.To)
	}
	if strings.ContainsAny(m.Subject, "\r\n") || strings.ContainsAny(m.ToName, "\r\n") {
		return errors.New("mail: subject and recipient name must be a single line")
	}
	if strings.TrimSpace(m.Subject) == "" {
		return errors.New("mail: the subject is empty")
	}
	if strings.ContainsAny(m.ListUnsubscribe, "\r\n<> ") {
		return errors.New("mail: the unsubscribe address must be a plain URL")
	}
	if m.ReplyTo != "" {
		if _, err := mail.ParseAddress(m.ReplyTo); err != nil || strings.ContainsAny(m.ReplyTo, "\r\n") {
			return fmt.Errorf("mail: Reply-To %q is not an email address", m.ReplyTo)
		}
	}
	if strings.TrimSpace(m.Text) == "" {
		return errors.New("mail: the plain-text part is empty")
	}
	id := strings.Trim(m.MessageID, "<>")
	if id == "" || !strings.Contains(id, "@") || strings.ContainsAny(id, " \r\n<>") {
		return fmt.Errorf("mail: %q is not a valid Message-ID", m.MessageID)
	}
	return nil
}
