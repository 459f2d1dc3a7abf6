package mail_test

import (
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"dateline/internal/mail"
)

const (
	siteName = "The Harbour Herald"
	baseURL  = "https://news.example.org"
	from     = "The Harbour Herald <readers@news.example.org>"
)

// replyTo is where the test site's reader service reads replies.
const replyTo = "The Harbour Herald readers <letters@news.example.org>"

// newComposer makes the test site's Composer, whose emails carry a
// Reply-To and so invite replies.
func newComposer(t *testing.T, opts ...mail.ComposerOption) *mail.Composer {
	t.Helper()
	if opts == nil {
		opts = []mail.ComposerOption{mail.WithReplyTo(replyTo)}
	}
	c, err := mail.NewComposer(siteName, baseURL+"/", from, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// composeCase is one kind of email with its data and what must be in it.
type composeCase struct {
	kind     mail.Kind
	data     map[string]any
	subject  string   // must appear in the subject
	text     []string // must appear in the text part
	htmlText []string // must appear in the HTML part's visible text
}

const resetLink = baseURL + "/password/reset?email=ana%40example.com&code=40718263"

func composeCases() []composeCase {
	return []composeCase{
		{
			kind:     mail.VerifyEmail,
			data:     map[string]any{"Name": "Ana", "Link": baseURL + "/email/verify?token=abc123"},
			subject:  "Please confirm your email address for " + siteName,
			text:     []string{"Hello Ana,", "\n" + baseURL + "/email/verify?token=abc123\n", "confirm"},
			htmlText: []string{"Hello Ana,", "Confirm my address"},
		},
		{
			kind:     mail.ConfirmNewEmail,
			data:     map[string]any{"Name": "Ana", "Link": baseURL + "/email/confirm?token=xyz", "NewEmail": "ana.new@example.com"},
			subject:  "Confirm your new email address for " + siteName,
			text:     []string{"ana.new@example.com", "\n" + baseURL + "/email/confirm?token=xyz\n", "previous address"},
			htmlText: []string{"ana.new@example.com", "Confirm my new address"},
		},
		{
			kind:     mail.EmailChangedNotice,
			data:     map[string]any{"Name": "Ana", "NewEmail": "ana.new@example.com"},
			subject:  siteName,
			text:     []string{"ana.new@example.com", "If it was not you", baseURL + "/password/forgot", "reply to this email"},
			htmlText: []string{"ana.new@example.com", "If it was not you", "reset your password", "reply to this email"},
		},
		{
			kind:     mail.ResetCode,
			data:     map[string]any{"Name": "Ana", "Code": "40718263", "Link": resetLink, "Minutes": 10},
			subject:  "Your password reset code for " + siteName,
			text:     []string{"\nYour reset code: 40718263\n", "\n" + resetLink + "\n", "10 minutes"},
			htmlText: []string{"40718263", "10 minutes", "Choose a new password"},
		},
		{
			kind:     mail.PasswordChanged,
			data:     map[string]any{"Name": "Ana", "Time": "29 November 2026, 12:00 UTC"},
			subject:  "Your password at " + siteName + " was changed",
			text:     []string{"29 November 2026, 12:00 UTC", "If it was not you", "\n" + baseURL + "/password/forgot\n", "reply to this email"},
			htmlText: []string{"29 November 2026, 12:00 UTC", "If it was not you", "get a reset code", "reply to this email"},
		},
		{
			kind:     mail.AccountExists,
			data:     map[string]any{"Name": "Ana", "Link": baseURL + "/login", "ResetLink": baseURL + "/password/forgot?email=ana%40example.com"},
			subject:  "You already have an account at " + siteName,
			text:     []string{"\n" + baseURL + "/login\n", "\n" + baseURL + "/password/forgot?email=ana%40example.com\n", "no\nsecond account"},
			htmlText: []string{"Log in to your account", "set a new one", "nothing has changed"},
		},
		{
			kind:     mail.SubscriptionWelcome,
			data:     map[string]any{"Name": "Ana", "Plan": "Monthly", "Price": "€9.00 a month", "TrialDays": 14, "AccountLink": baseURL + "/account"},
			subject:  "Welcome to " + siteName,
			text:     []string{"Monthly", "€9.00 a month", "14 days", "\n" + baseURL + "/account\n"},
			htmlText: []string{"Monthly", "€9.00 a month", "14 days", "your account page"},
		},
		{
			kind:     mail.PaymentFailed,
			data:     map[string]any{"Name": "Ana", "GraceEnds": "8 December 2026", "AccountLink": baseURL + "/account"},
			subject:  "did not go through",
			text:     []string{"8 December 2026", "\n" + baseURL + "/account\n"},
			htmlText: []string{"8 December 2026", "your account page"},
		},
		{
			kind:     mail.SubscriptionCanceled,
			data:     map[string]any{"Name": "Ana", "Ends": "10 December 2026", "AccountLink": baseURL + "/account"},
			subject:  "cancelled",
			text:     []string{"10 December 2026", "resume", "\n" + baseURL + "/account\n"},
			htmlText: []string{"10 December 2026", "resume"},
		},
		{
			kind: mail.CommentReply,
			data: map[string]any{"Name": "Ana", "Story": "Ferry returns", "Replier": "Bo", "Excerpt": "Every <Friday>.",
				"Link": baseURL + "/2026/11/29/ferry#comments", "UnsubscribeLink": baseURL + "/comments/unsubscribe?t=x&u=1"},
			subject:  "Bo replied to your comment",
			text:     []string{"Every <Friday>.", "\n" + baseURL + "/2026/11/29/ferry#comments\n", "\n" + baseURL + "/comments/unsubscribe?t=x&u=1\n"},
			htmlText: []string{"Every <Friday>.", "Read the conversation", "Stop these emails"},
		},
		{
			kind:     mail.CommentFeatured,
			data:     map[string]any{"Name": "Ana", "Story": "Ferry returns", "Link": baseURL + "/x#comment-3", "UnsubscribeLink": baseURL + "/comments/unsubscribe?t=x&u=1"},
			subject:  "editor's pick",
			text:     []string{"Ferry returns", "\n" + baseURL + "/x#comment-3\n"},
			htmlText: []string{"See it in the discussion", "Stop emails about my comments"},
		},
		{
			kind:     mail.CommentSuspended,
			data:     map[string]any{"Name": "Ana", "Until": "until 3 January 2027", "Reason": "Personal attacks", "PolicyLink": baseURL + "/comments/policy"},
			subject:  "suspended",
			text:     []string{"until 3 January 2027", "Personal attacks", "\n" + baseURL + "/comments/policy\n"},
			htmlText: []string{"until 3 January 2027", "Personal attacks", "Our comment policy"},
		},
		{
			kind: mail.Invitation,
			data: map[string]any{"Link": baseURL + "/invite?token=inv123", "Role": "editor", "Inviter": "Maria",
				"Expires": "9 December 2026 at 14:05 UTC"},
			subject:  "as editor",
			text:     []string{"Maria invites you", "\n" + baseURL + "/invite?token=inv123\n", "9 December 2026 at 14:05 UTC"},
			htmlText: []string{"Maria invites you", "Accept the invitation"},
		},
	}
}

func TestComposeEveryKind(t *testing.T) {
	c := newComposer(t)
	if len(composeCases()) != len(mail.Kinds()) {
		t.Fatalf("the test covers %d kinds, the package has %d", len(composeCases()), len(mail.Kinds()))
	}
	idPattern := regexp.MustCompile(`^<[0-9a-f]{32}@news\.example\.org>$`)
	for _, tc := range composeCases() {
		t.Run(string(tc.kind), func(t *testing.T) {
			m, err := c.Compose(tc.kind, "ana@example.com", "Ana Reis", tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if m.To != "ana@example.com" || m.ToName != "Ana Reis" || m.Status != mail.Pending {
				t.Errorf("to %q name %q status %q", m.To, m.ToName, m.Status)
			}
			if !strings.Contains(m.Subject, tc.subject) || !strings.Contains(m.Subject, siteName) {
				t.Errorf("subject %q, want it to contain %q and the site name", m.Subject, tc.subject)
			}
			if !idPattern.MatchString(m.MessageID) {
				t.Errorf("Message-ID %q does not match %s", m.MessageID, idPattern)
			}
			for _, want := range append(tc.text, siteName, "Thank you for reading") {
				if !strings.Contains(m.Text, want) {
					t.Errorf("text part lacks %q:\n%s", want, m.Text)
				}
			}
			if strings.Contains(m.Text, "<no value>") || strings.Contains(m.HTML, "<no value>") {
				t.Error("a template printed <no value>")
			}
			if strings.Contains(m.Text, "//"+"/") || strings.Contains(m.Text, ".org//") {
				t.Errorf("doubled slash in a link:\n%s", m.Text)
			}
			checkHTML(t, m.HTML, append(tc.htmlText, siteName))
		})
	}
}

// checkHTML parses an HTML part and checks that it is a self-contained,
// accessible page: a language, a title, inline styles only, no images,
// scripts or other resources, links only to the site, and the given
// phrases in its visible text.
func checkHTML(t *testing.T, doc string, phrases []string) {
	t.Helper()
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatalf("HTML part does not parse: %v", err)
	}
	var text strings.Builder
	var title string
	lang := false
	for n := range root.Descendants() {
		switch n.Type {
		case html.TextNode:
			if n.Parent != nil && n.Parent.Data == "title" {
				title = n.Data
			}
			text.WriteString(n.Data)
		case html.ElementNode:
			switch n.Data {
			case "img", "script", "link", "style", "iframe", "object", "embed", "video", "audio", "form", "input":
				t.Errorf("HTML part has a <%s> element", n.Data)
			}
			for _, a := range n.Attr {
				switch {
				case a.Key == "src" || a.Key == "srcset" || a.Key == "background":
					t.Errorf("<%s> loads a resource: %s=%q", n.Data, a.Key, a.Val)
				case a.Key == "href" && !strings.HasPrefix(a.Val, baseURL):
					t.Errorf("link leaves the site: %q", a.Val)
				case a.Key == "style" && strings.Contains(a.Val, "url("):
					t.Errorf("style loads a resource: %q", a.Val)
				case n.Data == "html" && a.Key == "lang" && a.Val != "":
					lang = true
				}
			}
		}
	}
	if !lang {
		t.Error("HTML part has no lang attribute on <html>")
	}
	if !strings.Contains(title, siteName) {
		t.Errorf("HTML title %q lacks the site name", title)
	}
	visible := strings.Join(strings.Fields(text.String()), " ")
	for _, p := range phrases {
		if !strings.Contains(visible, p) {
			t.Errorf("HTML part lacks %q in:\n%s", p, visible)
		}
	}
}

func TestComposeEscapesHTMLAndKeepsText(t *testing.T) {
	c := newComposer(t)
	m, err := c.Compose(mail.VerifyEmail, "ana@example.com", "", map[string]any{
		"Name": `Ana <script>alert(1)</script> & Co`, "Link": baseURL + "/email/verify?token=a&b=c",
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.HTML, "<script>") {
		t.Errorf("HTML part carries the name unescaped:\n%s", m.HTML)
	}
	if !strings.Contains(m.HTML, "Ana &lt;script&gt;") {
		t.Errorf("HTML part lacks the escaped name:\n%s", m.HTML)
	}
	if !strings.Contains(m.HTML, `href="`+baseURL+`/email/verify?token=a&amp;b=c"`) {
		t.Errorf("HTML part lacks the link:\n%s", m.HTML)
	}
	if !strings.Contains(m.Text, `Hello Ana <script>alert(1)</script> & Co,`) {
		t.Errorf("text part should keep the name as typed:\n%s", m.Text)
	}
}

func TestComposeWithoutName(t *testing.T) {
	c := newComposer(t)
	m, err := c.Compose(mail.ResetCode, "ana@example.com", "", map[string]any{
		"Code": "12345678", "Link": resetLink, "Minutes": 10,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.Text, "Hello,\n") {
		t.Errorf("greeting without a name: %q", strings.SplitN(m.Text, "\n", 2)[0])
	}
}

func TestComposeFreshMessageIDs(t *testing.T) {
	c := newComposer(t)
	seen := map[string]bool{}
	for range 50 {
		m, err := c.Compose(mail.PasswordChanged, "ana@example.com", "", map[string]any{"Time": "now"})
		if err != nil {
			t.Fatal(err)
		}
		if seen[m.MessageID] {
			t.Fatalf("Message-ID %s given twice", m.MessageID)
		}
		seen[m.MessageID] = true
	}
}

func TestComposeErrors(t *testing.T) {
	c := newComposer(t)
	tests := []struct {
		name string
		kind mail.Kind
		to   string
		data map[string]any
		want string
	}{
		{"unknown kind", "welcome_gift", "ana@example.com", nil, "unknown kind"},
		{"missing code", mail.ResetCode, "ana@example.com", map[string]any{"Link": resetLink, "Minutes": 10}, `"Code"`},
		{"missing link", mail.VerifyEmail, "ana@example.com", map[string]any{"Name": "Ana"}, `"Link"`},
		{"bad address", mail.PasswordChanged, "not an address", map[string]any{"Time": "now"}, "not a valid email address"},
		{"two addresses", mail.PasswordChanged, "a@example.com, b@example.com", map[string]any{"Time": "now"}, "not a valid email address"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Compose(tc.kind, tc.to, "", tc.data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one mentioning %s", err, tc.want)
			}
		})
	}
}

func TestNewComposerChecksSettings(t *testing.T) {
	tests := []struct{ name, site, base, from string }{
		{"no site name", " ", baseURL, from},
		{"relative base URL", siteName, "/news", from},
		{"ftp base URL", siteName, "ftp://news.example.org", from},
		{"bad sender", siteName, baseURL, "readers at example"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := mail.NewComposer(tc.site, tc.base, tc.from); err == nil {
				t.Fatal("NewComposer accepted it")
			}
		})
	}
	c, err := mail.NewComposer("Dateline", "http://localhost:8080", "Dateline <news@localhost>")
	if err != nil {
		t.Fatal(err)
	}
	if c.Host() != "localhost" || c.From() != "Dateline <news@localhost>" {
		t.Errorf("host %q from %q", c.Host(), c.From())
	}
}

func TestMessageValidate(t *testing.T) {
	good := mail.New("example.org", "ana@example.com", "Ana", "Hello", "Text", "")
	if err := good.Validate(); err != nil {
		t.Fatalf("valid message: %v", err)
	}
	tests := map[string]func(m *mail.Message){
		"header injection in subject": func(m *mail.Message) { m.Subject = "Hi\r\nBcc: x@example.com" },
		"header injection in name":    func(m *mail.Message) { m.ToName = "Ana\nBcc: x@example.com" },
		"empty subject":               func(m *mail.Message) { m.Subject = " " },
		"empty text":                  func(m *mail.Message) { m.Text = "" },
		"no Message-ID":               func(m *mail.Message) { m.MessageID = "" },
		"name in address":             func(m *mail.Message) { m.To = "Ana <ana@example.com>" },
	}
	for name, spoil := range tests {
		t.Run(name, func(t *testing.T) {
			m := *good
			spoil(&m)
			if err := m.Validate(); err == nil {
				t.Fatal("Validate accepted it")
			}
		})
	}
}
