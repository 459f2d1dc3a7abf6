package mail_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	netmail "net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"dateline/internal/mail"
	"dateline/internal/mail/mailtest"
)

const wait = 10 * time.Second

func newSMTP(t *testing.T, rawURL string) *mail.SMTP {
	t.Helper()
	s, err := mail.NewSMTP(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSMTPDeliversEveryKind(t *testing.T) {
	srv := mailtest.Start(t)
	c := newComposer(t)
	tr := newSMTP(t, srv.URL())
	for i, tc := range composeCases() {
		t.Run(string(tc.kind), func(t *testing.T) {
			m, err := c.Compose(tc.kind, "ana@example.com", "Ana Reis", tc.data)
			if err != nil {
				t.Fatal(err)
			}
			written := time.Date(2031, 6, 1, 8, 30, 0, 0, time.UTC)
			m.CreatedAt = written
			if err := tr.Send(context.Background(), from, m); err != nil {
				t.Fatal(err)
			}
			got := srv.WaitFor(t, i+1, wait)[i]

			if got.From != "readers@news.example.org" || len(got.To) != 1 || got.To[0] != "ana@example.com" {
				t.Errorf("envelope from %q to %q", got.From, got.To)
			}
			checkAddress(t, got.Header("From"), "The Harbour Herald", "readers@news.example.org")
			checkAddress(t, got.Header("To"), "Ana Reis", "ana@example.com")
			if got.Header("Subject") != m.Subject {
				t.Errorf("Subject %q, want %q", got.Header("Subject"), m.Subject)
			}
			if got.Header("Message-ID") != m.MessageID {
				t.Errorf("Message-ID %q, want %q", got.Header("Message-ID"), m.MessageID)
			}
			date, err := netmail.ParseDate(got.Header("Date"))
			if err != nil {
				t.Errorf("Date %q: %v", got.Header("Date"), err)
			} else if !date.Equal(written) {
				t.Errorf("Date %v, want the time the message was written, %v", date, written)
			}
			if ct := got.Header("Content-Type"); !strings.HasPrefix(ct, "multipart/alternative") {
				t.Errorf("Content-Type %q, want multipart/alternative", ct)
			}
			parts, err := got.Parts()
			if err != nil {
				t.Fatal(err)
			}
			if len(parts) != 2 || parts[0].ContentType != "text/plain" || parts[1].ContentType != "text/html" {
				t.Fatalf("parts %+v, want text/plain then text/html", parts)
			}
			for _, p := range parts {
				if !strings.EqualFold(p.Params["charset"], "utf-8") {
					t.Errorf("%s charset %q", p.ContentType, p.Params["charset"])
				}
			}
			if got.Text() != m.Text {
				t.Errorf("text part arrived as\n%s\nwant\n%s", got.Text(), m.Text)
			}
			if strings.TrimSpace(got.HTML()) != strings.TrimSpace(m.HTML) {
				t.Errorf("HTML part changed on the way")
			}
		})
	}
	// The reset code is readable the way other tests will read it.
	var code string
	for _, r := range srv.Messages() {
		if match := regexp.MustCompile(`(?m)^Your reset code: (\d{8,})$`).FindStringSubmatch(r.Text()); match != nil {
			code = match[1]
		}
	}
	if code != "40718263" {
		t.Errorf("reset code read from the mail: %q", code)
	}
}

func checkAddress(t *testing.T, header, name, addr string) {
	t.Helper()
	a, err := netmail.ParseAddress(header)
	if err != nil {
		t.Errorf("address header %q: %v", header, err)
		return
	}
	if a.Name != name || a.Address != addr {
		t.Errorf("address header %q: name %q address %q, want %q %q", header, a.Name, a.Address, name, addr)
	}
}

func TestSMTPUnicode(t *testing.T) {
	srv := mailtest.Start(t)
	m := mail.New("example.org", "joao@example.com", "João Conceição", "Olá — número ½",
		"Caro João,\nQuase lá: “aspas” e ✓.\n", "<p>Caro João ✓</p>\n")
	if err := newSMTP(t, srv.URL()).Send(context.Background(), "Jornal Ção <news@example.org>", m); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(t, 1, wait)[0]
	if got.Header("Subject") != m.Subject {
		t.Errorf("Subject %q, want %q", got.Header("Subject"), m.Subject)
	}
	checkAddress(t, got.Header("To"), "João Conceição", "joao@example.com")
	checkAddress(t, got.Header("From"), "Jornal Ção", "news@example.org")
	if got.Text() != m.Text || got.HTML() != m.HTML {
		t.Errorf("parts arrived as %q and %q", got.Text(), got.HTML())
	}
}

func TestSMTPAuth(t *testing.T) {
	srv := mailtest.StartWith(t, mailtest.Options{User: "newsroom@example.org", Password: "s3cret:p@ss/word"})
	m := mail.New("example.org", "ana@example.com", "", "Hello", "Hello.\n", "")

	if err := newSMTP(t, srv.URL()).Send(context.Background(), from, m); err != nil {
		t.Fatalf("with the right password: %v", err)
	}
	got := srv.WaitFor(t, 1, wait)[0]
	if got.User != "newsroom@example.org" {
		t.Errorf("signed in as %q", got.User)
	}

	bad := "smtp://newsroom%40example.org:wrong@" + srv.Addr()
	err := newSMTP(t, bad).Send(context.Background(), from, m)
	if err == nil {
		t.Fatal("a wrong password was accepted")
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("the error shows the password: %v", err)
	}
	if errors.Is(err, mail.ErrRejected) {
		t.Errorf("a sign-in failure is not the recipient's fault: %v", err)
	}
	anon := "smtp://" + srv.Addr()
	if err := newSMTP(t, anon).Send(context.Background(), from, m); err == nil {
		t.Fatal("the server requires AUTH, yet sending without it worked")
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("server has %d messages, want 1", n)
	}
}

func TestSMTPStartTLSWhenOffered(t *testing.T) {
	serverTLS, roots := mailtest.SelfSignedTLS(t)
	srv := mailtest.StartWith(t, mailtest.Options{TLS: serverTLS, User: "u", Password: "p"})
	tr := newSMTP(t, srv.URL())
	tr.SetTLSConfigForTest(&tls.Config{RootCAs: roots, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12})
	m := mail.New("example.org", "ana@example.com", "", "Hello", "Hello.\n", "")
	if err := tr.Send(context.Background(), from, m); err != nil {
		t.Fatal(err)
	}
	if got := srv.WaitFor(t, 1, wait)[0]; !got.TLS || got.User != "u" {
		t.Errorf("TLS %v user %q: want STARTTLS then AUTH", got.TLS, got.User)
	}

	// An unverifiable certificate is not sent mail (nor a password).
	untrusting := newSMTP(t, srv.URL())
	if err := untrusting.Send(context.Background(), from, m); err == nil {
		t.Error("sent over TLS to a server whose certificate is not trusted")
	}
}

func TestSMTPSImplicitTLS(t *testing.T) {
	serverTLS, roots := mailtest.SelfSignedTLS(t)
	srv := mailtest.StartWith(t, mailtest.Options{TLS: serverTLS, ImplicitTLS: true, User: "u", Password: "p"})
	if !strings.HasPrefix(srv.URL(), "smtps://") {
		t.Fatalf("URL %s", srv.URL())
	}
	tr := newSMTP(t, srv.URL())
	tr.SetTLSConfigForTest(&tls.Config{RootCAs: roots, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12})
	m := mail.New("example.org", "ana@example.com", "", "Hello", "Hello.\n", "")
	if err := tr.Send(context.Background(), from, m); err != nil {
		t.Fatal(err)
	}
	if got := srv.WaitFor(t, 1, wait)[0]; !got.TLS || got.User != "u" {
		t.Errorf("TLS %v user %q", got.TLS, got.User)
	}

	// smtp:// to a port that speaks TLS at once does not fall back to
	// anything: it fails.
	plain := newSMTP(t, strings.Replace(srv.URL(), "smtps://", "smtp://", 1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := plain.Send(ctx, from, m); err == nil {
		t.Error("smtp:// to an implicit-TLS port worked")
	}
}

func TestSMTPRejectedRecipient(t *testing.T) {
	srv := mailtest.Start(t)
	srv.Reject("nobody@example.com")
	m := mail.New("example.org", "nobody@example.com", "", "Hello", "Hello.\n", "")
	err := newSMTP(t, srv.URL()).Send(context.Background(), from, m)
	if !errors.Is(err, mail.ErrRejected) {
		t.Fatalf("err = %v, want ErrRejected", err)
	}
}

func TestSMTPServerDown(t *testing.T) {
	srv := mailtest.Start(t)
	srv.Down()
	m := mail.New("example.org", "ana@example.com", "", "Hello", "Hello.\n", "")
	err := newSMTP(t, srv.URL()).Send(context.Background(), from, m)
	if err == nil {
		t.Fatal("sent to a server that is down")
	}
	if errors.Is(err, mail.ErrRejected) {
		t.Errorf("an outage is not a rejection: %v", err)
	}
	srv.Up()
	if err := newSMTP(t, srv.URL()).Send(context.Background(), from, m); err != nil {
		t.Fatalf("after Up: %v", err)
	}
	srv.WaitFor(t, 1, wait)
}

func TestSMTPRespectsContext(t *testing.T) {
	// A server that accepts connections and never says a word.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	m := mail.New("example.org", "ana@example.com", "", "Hello", "Hello.\n", "")
	done := make(chan error, 1)
	go func() { done <- newSMTP(t, "smtp://"+ln.Addr().String()).Send(ctx, from, m) }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Send to a silent server succeeded")
		}
	case <-time.After(wait):
		t.Fatal("Send ignored its context")
	}
}

func TestNewSMTP(t *testing.T) {
	tests := []struct {
		url, want, err string
	}{
		{url: "smtp://mail.example.org", want: "smtp://mail.example.org"},
		{url: "smtp://relay:25", want: "smtp://relay:25"},
		{url: "smtp://user:pass@mail.example.org:587", want: "smtp://user:xxxxx@mail.example.org:587"},
		{url: "smtps://user%40example.org:p%40ss@mail.example.org", want: "smtps://user%40example.org:xxxxx@mail.example.org"},
		{url: "smtps://mail.example.org:2465/", want: "smtps://mail.example.org:2465/"},
		{url: "ftp://mail.example.org", err: "scheme"},
		{url: "http://user:pass@mail.example.org", err: "scheme"},
		{url: "mail.example.org:25", err: ""},
		{url: "smtp://", err: "no host"},
		{url: "smtp://mail.example.org:0", err: "port"},
		{url: "smtp://mail.example.org:99999", err: "port"},
		{url: "smtp://mail.example.org/inbox", err: "path"},
		{url: "smtp://:secret@mail.example.org", err: "user"},
		{url: "smtp://us er:secret@mail example.org", err: "cannot be parsed"},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			s, err := mail.NewSMTP(tc.url)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("accepted %s as %s", tc.url, s)
				}
				if !strings.Contains(err.Error(), tc.err) {
					t.Errorf("err = %v, want it to mention %q", err, tc.err)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("the error shows the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.String() != tc.want {
				t.Errorf("String() = %q, want %q", s.String(), tc.want)
			}
		})
	}
}

func TestSMTPDefaultPorts(t *testing.T) {
	for raw, want := range map[string]string{
		"smtp://mail.example.org":        "mail.example.org:587",
		"smtps://mail.example.org":       "mail.example.org:465",
		"smtp://u:p@mail.example.org:25": "mail.example.org:25",
		"smtps://[::1]:2465":             "[::1]:2465",
	} {
		if got := newSMTP(t, raw).Addr(); got != want {
			t.Errorf("%s: Addr() = %s, want %s", raw, got, want)
		}
	}
}
