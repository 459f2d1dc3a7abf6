// Package mailtest runs a real SMTP server inside a test process, so tests
// can send email through the application's own SMTP transport and read
// what arrived: reset codes, links, headers.
//
//	srv := mailtest.Start(t)
//	// … point the app at srv.URL(), make it send …
//	msgs := srv.WaitFor(t, 1, 10*time.Second)
//	text := msgs[0].Text()
//
// The server accepts plain connections without TLS and without
// authentication unless Options ask for them.
package mailtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Options configure a test server. The zero value is a plain relay: no
// STARTTLS, no AUTH.
type Options struct {
	// User and Password, when User is set, make the server offer AUTH
	// PLAIN (also without TLS) and refuse mail from clients that have not
	// signed in with exactly these.
	User, Password string
	// TLS, when set, makes the server offer STARTTLS with this
	// configuration.
	TLS *tls.Config
	// ImplicitTLS, with TLS, makes the server speak TLS from the first
	// byte, as smtps:// expects.
	ImplicitTLS bool
}

// Received is one message as the server got it.
type Received struct {
	From string   // envelope sender (MAIL FROM)
	To   []string // envelope recipients (RCPT TO)
	Data []byte   // the raw message: headers and body
	TLS  bool     // whether the connection was encrypted
	User string   // the user who signed in, if any
	At   time.Time
}

// Server is an SMTP server on 127.0.0.1 that records every message it
// receives. It is safe for concurrent use.
type Server struct {
	t    testing.TB
	opts Options
	addr string // 127.0.0.1:port, kept across Down and Up

	mu       sync.Mutex
	srv      *smtp.Server  // nil while down
	ln       net.Listener  // the current listener
	served   chan struct{} // closed when the current Serve returns
	msgs     []Received
	rejected map[string]bool
	arrived  chan struct{} // closed and replaced when a message arrives
	stopped  bool
}

// Start runs a plain server (no TLS, no AUTH) on a free port of 127.0.0.1,
// stopped when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	return StartWith(t, Options{})
}

// StartWith runs a server configured by o on a free port of 127.0.0.1,
// stopped when the test ends.
func StartWith(t testing.TB, o Options) *Server {
	t.Helper()
	if o.ImplicitTLS && o.TLS == nil {
		t.Fatal("mailtest: ImplicitTLS needs a TLS configuration")
	}
	s := &Server{t: t, opts: o, rejected: make(map[string]bool), arrived: make(chan struct{})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	s.addr = ln.Addr().String()
	s.serve(ln)
	t.Cleanup(s.Stop)
	return s
}

// Addr is the server's address, host:port.
func (s *Server) Addr() string { return s.addr }

// URL is the address in the form the application's SMTP setting takes:
// "smtp://127.0.0.1:PORT", with smtps:// for implicit TLS and with the user
// and password when the server requires them.
func (s *Server) URL() string {
	u := url.URL{Scheme: "smtp", Host: s.addr}
	if s.opts.ImplicitTLS {
		u.Scheme = "smtps"
	}
	if s.opts.User != "" {
		u.User = url.UserPassword(s.opts.User, s.opts.Password)
	}
	return u.String()
}

// Messages returns every message received so far, oldest first.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.msgs...)
}

// MessagesTo returns the messages received so far for the envelope
// recipient addr (compared without regard to case), oldest first.
func (s *Server) MessagesTo(addr string) []Received {
	var out []Received
	for _, m := range s.Messages() {
		for _, to := range m.To {
			if strings.EqualFold(to, addr) {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

// WaitFor waits until at least n messages have arrived and returns all of
// them, oldest first. It fails the test if that takes longer than timeout.
func (s *Server) WaitFor(t testing.TB, n int, timeout time.Duration) []Received {
	t.Helper()
	return s.wait(t, timeout, fmt.Sprintf("%d message(s)", n), func() []Received {
		if m := s.Messages(); len(m) >= n {
			return m
		}
		return nil
	})
}

// WaitForTo waits until at least n messages for the envelope recipient
// addr have arrived and returns all of those, oldest first. It fails the
// test if that takes longer than timeout.
func (s *Server) WaitForTo(t testing.TB, addr string, n int, timeout time.Duration) []Received {
	t.Helper()
	return s.wait(t, timeout, fmt.Sprintf("%d message(s) to %s", n, addr), func() []Received {
		if m := s.MessagesTo(addr); len(m) >= n {
			return m
		}
		return nil
	})
}

func (s *Server) wait(t testing.TB, timeout time.Duration, what string, done func() []Received) []Received {
	t.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		arrived := s.arrived
		s.mu.Unlock()
		if m := done(); m != nil {
			return m
		}
		select {
		case <-arrived:
		case <-timer.C:
			t.Fatalf("mailtest: waited %s for %s; have %d message(s) in all", timeout, what, len(s.Messages()))
			return nil
		}
	}
}

// Reject makes the server refuse the recipient addr for good (550), as a
// server does for a mailbox that does not exist.
func (s *Server) Reject(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejected[strings.ToLower(addr)] = true
}

// Down takes the server off the network, as in an outage: it stops
// listening and drops open connections. Messages received so far are kept.
func (s *Server) Down() {
	s.mu.Lock()
	srv, ln, served := s.srv, s.ln, s.served
	s.srv, s.ln = nil, nil
	s.mu.Unlock()
	if srv == nil {
		return
	}
	_ = srv.Close() // drops open connections
	_ = ln.Close()  // in case Serve had not registered it yet; closing twice is harmless
	<-served
}

// Up brings the server back after Down, on the same port. If the port
// cannot be had again, it marks the test that started the server as failed.
func (s *Server) Up() {
	s.t.Helper()
	s.mu.Lock()
	up := s.srv != nil
	s.mu.Unlock()
	if up {
		return
	}
	// The port was ours a moment ago; the kernel may need a moment to let
	// go of it.
	deadline := time.Now().Add(5 * time.Second)
	for {
		ln, err := net.Listen("tcp", s.addr)
		if err == nil {
			s.serve(ln)
			return
		}
		if time.Now().After(deadline) {
			s.t.Errorf("mailtest: listen again on %s: %v", s.addr, err)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop takes the server down for good; the test's cleanup calls it.
func (s *Server) Stop() {
	s.Down()
	s.mu.Lock()
	s.stopped = true
	s.mu.Unlock()
}

// serve starts a fresh SMTP server on ln.
func (s *Server) serve(ln net.Listener) {
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	srv.MaxMessageBytes = 10 << 20
	srv.MaxRecipients = 100
	srv.ErrorLog = testLogger{s}
	if s.opts.TLS != nil {
		srv.TLSConfig = s.opts.TLS
		if s.opts.ImplicitTLS {
			ln = tls.NewListener(ln, s.opts.TLS)
		}
	}
	served := make(chan struct{})
	s.mu.Lock()
	s.srv, s.ln, s.served = srv, ln, served
	s.mu.Unlock()
	go func() {
		defer close(served)
		_ = srv.Serve(ln) // returns when Stop closes the server
	}()
}

// logf reports server-side trouble through the test while it runs.
func (s *Server) logf(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.stopped {
		s.t.Logf("mailtest: "+format, args...)
	}
}

type testLogger struct{ s *Server }

func (l testLogger) Printf(format string, v ...any) { l.s.logf(format, v...) }
func (l testLogger) Println(v ...any)               { l.s.logf("%s", fmt.Sprintln(v...)) }

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	sess := &session{srv: s, conn: c}
	if s.opts.User != "" {
		return authSession{sess}, nil
	}
	return sess, nil
}

// session is one client's conversation with the server.
type session struct {
	srv    *Server
	conn   *smtp.Conn
	authed bool
	user   string
	from   string
	to     []string
}

func (x *session) Reset() { x.from, x.to = "", nil }

func (x *session) Logout() error { return nil }

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if x.srv.opts.User != "" && !x.authed {
		return smtp.ErrAuthRequired
	}
	x.from, x.to = from, nil
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.srv.mu.Lock()
	rejected := x.srv.rejected[strings.ToLower(to)]
	x.srv.mu.Unlock()
	if rejected {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox here"}
	}
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, tlsOn := x.conn.TLSConnectionState()
	m := Received{From: x.from, To: append([]string(nil), x.to...), Data: data, TLS: tlsOn, User: x.user, At: time.Now()}
	s := x.srv
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	close(s.arrived)
	s.arrived = make(chan struct{})
	s.mu.Unlock()
	return nil
}

// authSession is a session on a server that requires AUTH PLAIN.
type authSession struct{ *session }

func (a authSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (a authSession) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != a.srv.opts.User || pass != a.srv.opts.Password {
			return smtp.ErrAuthFailed
		}
		a.authed, a.user = true, user
		return nil
	}), nil
}

// Header returns the named header of the message, with any RFC 2047
// encoded words decoded; "" when it is missing or the message cannot be
// parsed.
func (r Received) Header(name string) string {
	msg, err := mail.ReadMessage(bytes.NewReader(r.Data))
	if err != nil {
		return ""
	}
	v := msg.Header.Get(name)
	if dec, err := new(mime.WordDecoder).DecodeHeader(v); err == nil {
		return dec
	}
	return v
}

// Part is one leaf of a MIME message, its body decoded.
type Part struct {
	ContentType string // media type, such as "text/plain", without parameters
	Params      map[string]string
	Body        string // decoded, with line ends as "\n"
}

// Parts returns the leaf parts of the message in order, walking nested
// multiparts and decoding quoted-printable and base64 bodies.
func (r Received) Parts() ([]Part, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(r.Data))
	if err != nil {
		return nil, fmt.Errorf("mailtest: parse message: %w", err)
	}
	var parts []Part
	err = walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, &parts)
	return parts, err
}

func walk(contentType, encoding string, body io.Reader, parts *[]Part) error {
	if contentType == "" {
		contentType = "text/plain; charset=us-ascii"
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("mailtest: content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("mailtest: multipart: %w", err)
			}
			if err := walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, parts); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("mailtest: %s body: %w", mediaType, err)
	}
	*parts = append(*parts, Part{
		ContentType: mediaType,
		Params:      params,
		Body:        strings.ReplaceAll(string(b), "\r\n", "\n"),
	})
	return nil
}

// Text returns the message's first text/plain part, decoded; "" when there
// is none or the message cannot be parsed.
func (r Received) Text() string { return r.part("text/plain") }

// HTML returns the message's first text/html part, decoded; "" when there
// is none or the message cannot be parsed.
func (r Received) HTML() string { return r.part("text/html") }

func (r Received) part(mediaType string) string {
	parts, err := r.Parts()
	if err != nil {
		return ""
	}
	for _, p := range parts {
		if p.ContentType == mediaType {
			return p.Body
		}
	}
	return ""
}

// SelfSignedTLS makes a throwaway certificate for 127.0.0.1, ::1 and
// localhost. It returns a server configuration using it and a pool that
// trusts it, for the client side.
func SelfSignedTLS(t testing.TB) (server *tls.Config, roots *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("mailtest: key: %v", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		t.Fatalf("mailtest: serial: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "mailtest"},
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("mailtest: certificate: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("mailtest: certificate: %v", err)
	}
	roots = x509.NewCertPool()
	roots.AddCert(cert)
	server = &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}},
		MinVersion:   tls.VersionTLS12,
	}
	return server, roots
}
