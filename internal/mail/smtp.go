package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// SMTPTimeout bounds connecting to the mail server and each exchange with it.
const SMTPTimeout = 30 * time.Second

// SMTP sends email through a mail server. It is safe for concurrent use:
// each Send opens its own connection.
type SMTP struct {
	url      *url.URL // as given, for String
	host     string
	port     int
	implicit bool // smtps: TLS from the first byte
	user     string
	pass     string
	timeout  time.Duration
	tls      *tls.Config // nil: the system's roots, verified against host
}

var _ Transport = (*SMTP)(nil)

// NewSMTP reads a mail server URL:
//
//   - smtp://host:port or smtp://user:pass@host:port (default port 587):
//     STARTTLS whenever the server offers it, plain otherwise, so a local
//     relay without TLS works;
//   - smtps://user:pass@host:port (default port 465): TLS from the start.
//
// With user information, the client signs in with SMTP AUTH, choosing the
// best mechanism the server offers; a password is sent in the clear only
// over TLS or to a server on this machine. Without it, no AUTH is tried.
// User and password may be percent-encoded.
func NewSMTP(rawURL string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Parse's error quotes the URL, password and all: leave it out.
		return nil, errors.New("mail: the SMTP URL cannot be parsed; use smtp://user:pass@host:port or smtps://user:pass@host:port")
	}
	s := &SMTP{url: u, timeout: SMTPTimeout}
	switch u.Scheme {
	case "smtp":
		s.port = 587
	case "smtps":
		s.port, s.implicit = 465, true
	default:
		return nil, fmt.Errorf("mail: SMTP URL %s: scheme %q is not supported; use smtp:// (STARTTLS when offered) or smtps:// (TLS)", u.Redacted(), u.Scheme)
	}
	s.host = u.Hostname()
	if s.host == "" {
		return nil, fmt.Errorf("mail: SMTP URL %s: no host", u.Redacted())
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("mail: SMTP URL %s: bad port %q", u.Redacted(), p)
		}
		s.port = n
	}
	if u.Path != "" && u.Path != "/" {
		return nil, fmt.Errorf("mail: SMTP URL %s: unexpected path %q", u.Redacted(), u.Path)
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
		if s.user == "" {
			return nil, fmt.Errorf("mail: SMTP URL %s: a password needs a user name", u.Redacted())
		}
	}
	return s, nil
}

// String is the server URL with the password replaced by "xxxxx", safe to
// log.
func (s *SMTP) String() string { return s.url.Redacted() }

// Addr is the server's host:port, with the default port filled in.
func (s *SMTP) Addr() string { return net.JoinHostPort(s.host, strconv.Itoa(s.port)) }

// authMechanisms lists the SMTP AUTH mechanisms to use, best first; the
// first one the server offers is taken. go-mail refuses PLAIN and LOGIN over
// a connection that is neither TLS nor to this machine.
func authMechanisms() []gomail.SMTPAuthType {
	return []gomail.SMTPAuthType{
		gomail.SMTPAuthSCRAMSHA256, gomail.SMTPAuthSCRAMSHA1,
		gomail.SMTPAuthPlain, gomail.SMTPAuthLogin, gomail.SMTPAuthCramMD5,
	}
}

// client returns a go-mail client for one Send. Its connection is closed
// when ctx is done, so a stalled server cannot hold a Send past its
// context (go-mail itself heeds the context only while dialling).
func (s *SMTP) client(ctx context.Context) (*gomail.Client, error) {
	opts := []gomail.Option{
		gomail.WithPort(s.port),
		gomail.WithTimeout(s.timeout),
		gomail.WithDialContextFunc(s.dialer(ctx)),
	}
	if s.implicit {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if s.tls != nil {
		opts = append(opts, gomail.WithTLSConfig(s.tls))
	}
	if s.user != "" {
		opts = append(opts,
			gomail.WithUsername(s.user), gomail.WithPassword(s.pass),
			gomail.WithOpportunisticSMTPAuth(authMechanisms()...))
	}
	return gomail.NewClient(s.host, opts...)
}

// Send delivers m from the given sender over one new connection. It sets
// the Date header to the moment the message was written (m.CreatedAt, on
// the site's clock) and the Message-ID header and sends the plain-text part with the
// HTML part as its alternative, in UTF-8. A permanent refusal of the
// recipient or the message by the server is reported as ErrRejected.
func (s *SMTP) Send(ctx context.Context, from string, m *Message) error {
	msg, err := buildMsg(from, m, m.CreatedAt)
	if err != nil {
		return fmt.Errorf("mail: send %s: %w", m.MessageID, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // also releases the connection's watch on ctx
	c, err := s.client(ctx)
	if err != nil {
		return fmt.Errorf("mail: send %s via %s: %w", m.MessageID, s, err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		if rejected(err) {
			err = fmt.Errorf("%w: %w", ErrRejected, err)
		}
		return fmt.Errorf("mail: send %s via %s: %w", m.MessageID, s, err)
	}
	return nil
}

// dialer returns the function go-mail dials with: TCP, then for smtps the
// TLS handshake (go-mail does that itself only with its own dialer), with
// the connection closed as soon as ctx is done.
func (s *SMTP) dialer(ctx context.Context) gomail.DialContextFunc {
	return func(dialCtx context.Context, network, addr string) (net.Conn, error) {
		d := net.Dialer{Timeout: s.timeout}
		conn, err := d.DialContext(dialCtx, network, addr)
		if err != nil {
			return nil, err
		}
		context.AfterFunc(ctx, func() { _ = conn.Close() }) // cancelling the send cuts the line
		if !s.implicit {
			return conn, nil
		}
		cfg := &tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12}
		if s.tls != nil {
			cfg = s.tls.Clone()
			if cfg.ServerName == "" {
				cfg.ServerName = s.host
			}
		}
		tc := tls.Client(conn, cfg)
		if err := tc.HandshakeContext(dialCtx); err != nil {
			_ = conn.Close() // the handshake's error is the one to report
			return nil, err
		}
		return tc, nil // a *tls.Conn, so go-mail knows the line is encrypted
	}
}

// rejected reports whether err is the server refusing the recipient or the
// message content for good.
func rejected(err error) bool {
	var se *gomail.SendError
	if !errors.As(err, &se) || se.IsTemp() {
		return false
	}
	switch se.Reason {
	case gomail.ErrSMTPRcptTo, gomail.ErrSMTPData, gomail.ErrSMTPDataClose:
		code := se.ErrorCode()
		return code >= 500 && code < 600
	}
	return false
}

// buildMsg turns m into a go-mail message.
func buildMsg(from string, m *Message, date time.Time) (*gomail.Msg, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP))
	if err := msg.From(from); err != nil {
		return nil, fmt.Errorf("sender %q: %w", from, err)
	}
	to := (&netmail.Address{Name: m.ToName, Address: m.To}).String()
	if err := msg.To(to); err != nil {
		return nil, fmt.Errorf("recipient %q: %w", m.To, err)
	}
	if m.ReplyTo != "" {
		if err := msg.ReplyTo(m.ReplyTo); err != nil {
			return nil, fmt.Errorf("reply-to %q: %w", m.ReplyTo, err)
		}
	}
	msg.Subject(m.Subject)
	if !date.IsZero() {
		msg.SetDateWithValue(date)
	}
	msg.SetMessageIDWithValue(strings.Trim(m.MessageID, "<>"))
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	if m.ListUnsubscribe != "" {
		msg.SetGenHeader(gomail.Header("List-Unsubscribe"), "<"+m.ListUnsubscribe+">")
		msg.SetGenHeader(gomail.Header("List-Unsubscribe-Post"), "List-Unsubscribe=One-Click")
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}
