package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"net/mail"
	"net/url"
	"strings"
	texttemplate "text/template"
)

// Kind names one of the emails the site sends. Each has a template in
// templates/<kind>.tmpl defining the blocks "subject", "text" and "html".
type Kind string

// The emails Dateline sends, with the data keys each template uses besides
// SiteName and BaseURL, which the Composer adds. Name may be left out (the
// greeting then has no name); every other key is required.
const (
	// VerifyEmail asks a new reader to confirm their address.
	// Data: Name, Link.
	VerifyEmail Kind = "verify_email"
	// ConfirmNewEmail goes to the new address when a reader changes email.
	// Data: Name, Link, NewEmail.
	ConfirmNewEmail Kind = "confirm_new_email"
	// EmailChangedNotice goes to the old address when a reader changes
	// email, and says what to do if it was not them.
	// Data: Name, NewEmail.
	EmailChangedNotice Kind = "email_changed_notice"
	// ResetCode carries a password reset code, alone on its own line in the
	// text part ("Your reset code: 12345678").
	// Data: Name, Code (string), Link (the reset page, filled in), Minutes (int).
	ResetCode Kind = "reset_code"
	// PasswordChanged tells a reader their password was changed.
	// Data: Name, Time (string).
	PasswordChanged Kind = "password_changed"
	// AccountExists answers a sign-up for an address that already has an
	// account, at that address, so the sign-up page need not say so.
	// Data: Name, Link (the log-in page), ResetLink (the forgot page).
	AccountExists Kind = "account_exists"
	// SubscriptionWelcome thanks a new subscriber.
	// Data: Name, Plan, Price, TrialDays (int), AccountLink.
	SubscriptionWelcome Kind = "subscription_welcome"
	// PaymentFailed says a payment failed and when access ends unless it
	// is mended. Data: Name, GraceEnds (string), AccountLink.
	PaymentFailed Kind = "payment_failed"
	// SubscriptionCanceled confirms a cancellation and the date access
	// ends. Data: Name, Ends (string), AccountLink.
	SubscriptionCanceled Kind = "subscription_canceled"
	// CommentReply tells a reader someone replied to their comment.
	// Data: Name, Story, Replier, Excerpt, Link, UnsubscribeLink.
	CommentReply Kind = "comment_reply"
	// CommentFeatured tells a reader an editor picked their comment.
	// Data: Name, Story, Link, UnsubscribeLink.
	CommentFeatured Kind = "comment_featured"
	// CommentSuspended tells a reader they may not comment for a time.
	// Data: Name, Until ("until 3 January 2027" or "permanently"), Reason,
	// PolicyLink.
	CommentSuspended Kind = "comment_suspended"
	// Invitation asks someone to join the staff in a role, with a link
	// that holds for seven days, once.
	// Data: Link, Role, Inviter, Expires (string).
	Invitation Kind = "invitation"
)

// required lists the data keys a kind of email cannot do without.
func required(k Kind) []string {
	switch k {
	case VerifyEmail:
		return []string{"Link"}
	case ConfirmNewEmail:
		return []string{"Link", "NewEmail"}
	case EmailChangedNotice:
		return []string{"NewEmail"}
	case ResetCode:
		return []string{"Code", "Link", "Minutes"}
	case PasswordChanged:
		return []string{"Time"}
	case AccountExists:
		return []string{"Link", "ResetLink"}
	case SubscriptionWelcome:
		return []string{"Plan", "Price", "TrialDays", "AccountLink"}
	case PaymentFailed:
		return []string{"GraceEnds", "AccountLink"}
	case SubscriptionCanceled:
		return []string{"Ends", "AccountLink"}
	case CommentReply:
		return []string{"Story", "Replier", "Excerpt", "Link", "UnsubscribeLink"}
	case CommentFeatured:
		return []string{"Story", "Link", "UnsubscribeLink"}
	case CommentSuspended:
		return []string{"Until", "Reason", "PolicyLink"}
	case Invitation:
		return []string{"Link", "Role", "Inviter", "Expires"}
	}
	return nil
}

// Kinds lists every kind of email, in a fixed order.
func Kinds() []Kind {
	return []Kind{VerifyEmail, ConfirmNewEmail, EmailChangedNotice, ResetCode, PasswordChanged, AccountExists,
		SubscriptionWelcome, PaymentFailed, SubscriptionCanceled, CommentReply, CommentFeatured, CommentSuspended, Invitation}
}

//go:embed templates/*.tmpl
var templateFiles embed.FS

// layoutFile holds the blocks every email shares.
const layoutFile = "templates/layout.tmpl"

// Composer renders the site's emails from the embedded templates. It is
// safe for concurrent use.
type Composer struct {
	siteName string
	baseURL  string // without a trailing slash
	host     string // for Message-IDs
	from     string
	replyTo  string
	paper    func() (name, replyTo string) // nil: siteName and replyTo alone
	text     map[Kind]*texttemplate.Template
	html     map[Kind]*htmltemplate.Template
}

// ComposerOption changes how a Composer writes every email.
type ComposerOption func(*Composer) error

// WithReplyTo gives every email a Reply-To header with addr, and lets the
// emails invite replies; an empty addr changes nothing. addr is checked
// here so a bad setting fails at start.
func WithReplyTo(addr string) ComposerOption {
	return func(c *Composer) error {
		if addr == "" {
			return nil
		}
		if _, err := mail.ParseAddress(addr); err != nil || strings.ContainsAny(addr, "\r\n") {
			return fmt.Errorf("mail: Reply-To %q is not an email address", addr)
		}
		c.replyTo = addr
		return nil
	}
}

// WithPaper has the Composer ask paper, for each email, for the paper's
// name and Reply-To address as an administrator set them; an empty value
// keeps the one the Composer was made with. Settings changed while the
// site runs so reach the very next email.
func WithPaper(paper func() (name, replyTo string)) ComposerOption {
	return func(c *Composer) error {
		c.paper = paper
		return nil
	}
}

// NewComposer parses the email templates. siteName appears in every subject
// and greeting; baseURL is the site's public address (http or https),
// used in links and for the host of Message-IDs; from is the sender
// address, checked here so a bad setting fails at start.
func NewComposer(siteName, baseURL, from string, opts ...ComposerOption) (*Composer, error) {
	if strings.TrimSpace(siteName) == "" {
		return nil, fmt.Errorf("mail: the site name is empty")
	}
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return nil, fmt.Errorf("mail: base URL %q must be an absolute http:// or https:// URL", baseURL)
	}
	if _, err := mail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("mail: sender %q: %w", from, err)
	}
	c := &Composer{
		siteName: siteName,
		baseURL:  strings.TrimRight(baseURL, "/"),
		host:     u.Hostname(),
		from:     from,
		text:     make(map[Kind]*texttemplate.Template),
		html:     make(map[Kind]*htmltemplate.Template),
	}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	for _, k := range Kinds() {
		file := "templates/" + string(k) + ".tmpl"
		tt, err := texttemplate.New(string(k)).Option("missingkey=error").ParseFS(templateFiles, layoutFile, file)
		if err != nil {
			return nil, fmt.Errorf("mail: template %s: %w", k, err)
		}
		ht, err := htmltemplate.New(string(k)).Option("missingkey=error").ParseFS(templateFiles, layoutFile, file)
		if err != nil {
			return nil, fmt.Errorf("mail: template %s: %w", k, err)
		}
		for _, block := range []string{"subject", "text"} {
			if tt.Lookup(block) == nil {
				return nil, fmt.Errorf("mail: template %s: no %q block", k, block)
			}
		}
		if ht.Lookup("html") == nil {
			return nil, fmt.Errorf("mail: template %s: no \"html\" block", k)
		}
		c.text[k], c.html[k] = tt, ht
	}
	return c, nil
}

// From is the sender address the Composer was made with.
func (c *Composer) From() string { return c.from }

// ReplyTo is the Reply-To address of every email; empty when there is none.
func (c *Composer) ReplyTo() string { return c.replyTo }

// Host is the host name used in Message-IDs: the host of the base URL.
func (c *Composer) Host() string { return c.host }

// Compose renders an email of the given kind to one recipient. data holds
// the kind's keys (see Kind); SiteName, BaseURL and Replies (true when
// replies are read: a Reply-To is set) are added. The result is
// a Pending Message with a fresh Message-ID, ready for the outbox.
func (c *Composer) Compose(kind Kind, to, toName string, data map[string]any) (*Message, error) {
	tt, ok := c.text[kind]
	if !ok {
		return nil, fmt.Errorf("mail: compose: unknown kind of email %q", kind)
	}
	d := make(map[string]any, len(data)+3)
	for k, v := range data {
		d[k] = v
	}
	for _, key := range required(kind) {
		if _, ok := d[key]; !ok {
			return nil, fmt.Errorf("mail: compose %s: missing data %q", kind, key)
		}
	}
	if _, ok := d["Name"]; !ok {
		d["Name"] = ""
	}
	siteName, replyTo := c.siteName, c.replyTo
	if c.paper != nil {
		name, addr := c.paper()
		if name != "" {
			siteName = name
		}
		if addr != "" {
			replyTo = addr
		}
	}
	d["SiteName"], d["BaseURL"], d["Replies"] = siteName, c.baseURL, replyTo != ""

	var subject, text, html bytes.Buffer
	if err := tt.ExecuteTemplate(&subject, "subject", d); err != nil {
		return nil, fmt.Errorf("mail: compose %s: %w", kind, err)
	}
	if err := tt.ExecuteTemplate(&text, "text", d); err != nil {
		return nil, fmt.Errorf("mail: compose %s: %w", kind, err)
	}
	if err := c.html[kind].ExecuteTemplate(&html, "html", d); err != nil {
		return nil, fmt.Errorf("mail: compose %s: %w", kind, err)
	}
	m := New(c.host, to, toName,
		strings.Join(strings.Fields(subject.String()), " "),
		tidyText(text.String()),
		strings.TrimSpace(html.String())+"\n")
	m.ReplyTo = replyTo
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("mail: compose %s: %w", kind, err)
	}
	return m, nil
}

// tidyText trims trailing spaces from every line, keeps at most one blank
// line in a row, and ends the text with a single newline.
func tidyText(s string) string {
	var b strings.Builder
	blank := 0
	for line := range strings.Lines(strings.TrimSpace(s)) {
		line = strings.TrimRight(line, " \t\r\n")
		if line == "" {
			blank++
			if blank > 1 {
				continue
			}
		} else {
			blank = 0
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}
