package mail_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"dateline/internal/mail"
	"dateline/internal/mail/mailtest"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

// visibleText is what a reader sees of an HTML part, its words joined by
// single spaces.
func visibleText(t *testing.T, doc string) string {
	t.Helper()
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for n := range root.Descendants() {
		if n.Type == html.TextNode && (n.Parent == nil || n.Parent.Data != "title") {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// TestEveryEmailSignsOffOnce renders every kind of email, with and without
// a Reply-To, and finds the layout's sign-off exactly once in each part,
// and no other closing or thanks of the template's own beside it.
func TestEveryEmailSignsOffOnce(t *testing.T) {
	once := []string{"thank you for reading", "the reader service at"}
	atMostOnce := []string{"thank you", "thanks", "kind regards", "best wishes", "sincerely", "all the best", "yours truly"}
	for _, opts := range [][]mail.ComposerOption{{mail.WithReplyTo(replyTo)}, {}} {
		c := newComposer(t, opts...)
		for _, tc := range composeCases() {
			m, err := c.Compose(tc.kind, "ana@example.com", "Ana Reis", tc.data)
			if err != nil {
				t.Fatal(err)
			}
			parts := map[string]string{"text": m.Text, "html": visibleText(t, m.HTML)}
			for part, body := range parts {
				body = strings.ToLower(strings.Join(strings.Fields(body), " "))
				for _, phrase := range once {
					if n := strings.Count(body, phrase); n != 1 {
						t.Errorf("%s (%s part, Reply-To %q): %q appears %d times, want once:\n%s", tc.kind, part, c.ReplyTo(), phrase, n, body)
					}
				}
				for _, phrase := range atMostOnce {
					if n := len(regexp.MustCompile(`\b`+phrase+`\b`).FindAllString(body, -1)); n > 1 {
						t.Errorf("%s (%s part): %q appears %d times; the sign-off thanks the reader, the template need not:\n%s", tc.kind, part, phrase, n, body)
					}
				}
			}
		}
	}
}

// TestReplyToSetting sends every kind of email through the outbox and the
// SMTP server, with and without a Reply-To: with one, each message carries
// the header and its footer invites replies; without, neither the header
// nor any invitation to reply is there.
func TestReplyToSetting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		for _, withReplyTo := range []bool{true, false} {
			c := newClock()
			s.Now = c.Now
			srv := mailtest.Start(t)
			var opts []mail.ComposerOption
			if withReplyTo {
				opts = append(opts, mail.WithReplyTo(replyTo))
			} else {
				opts = append(opts, mail.WithReplyTo(""))
			}
			composer := newComposer(t, opts...)
			for _, tc := range composeCases() {
				m, err := composer.Compose(tc.kind, "ana@example.com", "Ana Reis", tc.data)
				if err != nil {
					t.Fatal(err)
				}
				if err := s.Enqueue(context.Background(), m); err != nil {
					t.Fatal(err)
				}
			}
			n := len(composeCases())
			runOnce(t, newSender(t, s, srv, c), n, 0)
			for _, got := range srv.WaitFor(t, n, wait) {
				subject := got.Header("Subject")
				header := got.Header("Reply-To")
				footer := "To reach our reader service, simply reply to this email."
				text, htmlText := got.Text(), visibleText(t, got.HTML())
				if withReplyTo {
					checkAddress(t, header, "The Harbour Herald readers", "letters@news.example.org")
					if !strings.Contains(text, footer) || !strings.Contains(htmlText, footer) {
						t.Errorf("%s: with a Reply-To, the footer does not invite replies:\n%s\n%s", subject, text, htmlText)
					}
					continue
				}
				if header != "" {
					t.Errorf("%s: Reply-To %q without the setting", subject, header)
				}
				for part, body := range map[string]string{"text": text, "html": htmlText} {
					if strings.Contains(strings.ToLower(strings.Join(strings.Fields(body), " ")), "reply to this email") {
						t.Errorf("%s (%s part): invites replies nobody reads:\n%s", subject, part, body)
					}
				}
			}
		}
	})
}

func TestReplyToMustBeAnAddress(t *testing.T) {
	if _, err := mail.NewComposer(siteName, baseURL, from, mail.WithReplyTo("letters at news")); err == nil {
		t.Error("NewComposer accepted a Reply-To that is not an address")
	}
	m := mail.New("news.example.org", "ana@example.com", "", "Hello", "Hello.\n", "")
	m.ReplyTo = "a@b.example\r\nBcc: c@d.example"
	if err := m.Validate(); err == nil {
		t.Error("a Reply-To with a line break passed Validate")
	}
}
