// Package account holds readers and staff: signing up, logging in,
// sessions, email verification, password reset by emailed code, and the
// throttles that keep guessing slow. The web package turns HTTP into calls
// of its Service; the store keeps its data.
package account

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Errors the Service returns; callers check them with errors.Is.
var (
	// ErrNotFound: no such user, session or token.
	ErrNotFound = errors.New("account: not found")
	// ErrEmailTaken: another account already has the address.
	ErrEmailTaken = errors.New("account: email already in use")
	// ErrBadCredentials: the email and password do not match an account.
	// It never says which of the two was wrong.
	ErrBadCredentials = errors.New("account: email and password do not match")
	// ErrBadCode: the reset code is wrong, expired, used or voided.
	ErrBadCode = errors.New("account: reset code not valid")
	// ErrBadToken: the email link is wrong, expired or used.
	ErrBadToken = errors.New("account: link not valid")
)

// Role is what a user may do on the site.
type Role string

// Roles, from readers to the people who run the site.
const (
	Reader    Role = "reader"
	Writer    Role = "writer"
	Editor    Role = "editor"
	Moderator Role = "moderator"
	Admin     Role = "admin"
)

// Roles lists every role in order of rank.
func Roles() []Role { return []Role{Reader, Writer, Editor, Moderator, Admin} }

// ParseRole checks a role name.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles() {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown role %q (use reader, writer, editor, moderator or admin)", s)
}

// User is a reader or a member of staff.
type User struct {
	ID              int64
	Email           string
	DisplayName     string
	PasswordHash    string
	Role            Role
	EmailVerifiedAt time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Verified reports whether the user has confirmed their email address.
func (u *User) Verified() bool { return !u.EmailVerifiedAt.IsZero() }

// Staff reports whether the user works for the paper.
func (u *User) Staff() bool { return u.Role != Reader && u.Role != "" }

// Session is one signed-in browser.
type Session struct {
	ID       int64
	UserID   int64
	Created  time.Time
	LastSeen time.Time
	// Idle is how long the session lasts without use.
	Idle time.Duration
	// Expires is when the session ends whatever its use.
	Expires   time.Time
	UserAgent string
	IP        string
	// Renewed is set by Authenticate when it recorded a use of the
	// session, so the caller may refresh the cookie; it is not stored.
	Renewed bool
}

// Active reports whether the session is still good at now.
func (s *Session) Active(now time.Time) bool {
	return now.Before(s.Expires) && now.Before(s.LastSeen.Add(s.Idle))
}

// TokenPurpose says what an emailed link does.
type TokenPurpose string

// Token purposes.
const (
	VerifyEmail TokenPurpose = "verify"
	ChangeEmail TokenPurpose = "change_email"
)

// EmailToken is an emailed link's secret, kept only as a hash.
type EmailToken struct {
	ID        int64
	Hash      string
	UserID    int64
	Purpose   TokenPurpose
	Email     string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// ResetCode is a password reset code, kept only as a keyed hash.
type ResetCode struct {
	ID        int64
	UserID    int64
	Hash      string
	CreatedAt time.Time
	ExpiresAt time.Time
	Attempts  int
	Spent     bool
}

// FieldError says which form field is wrong and why, in words for the
// person who filled it.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// FieldErrors is every field of a form that is wrong, so the reader can
// mend them all at once.
type FieldErrors []*FieldError

func (es FieldErrors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "; ")
}

// add records err when it is a *FieldError and reports whether it was one.
func (es *FieldErrors) add(err error) bool {
	var fe *FieldError
	if errors.As(err, &fe) {
		*es = append(*es, fe)
		return true
	}
	return false
}

// Limits on what readers type.
const (
	MaxEmail = 254
	MaxName  = 80
)

// NormalizeEmail trims an address and lower-cases it, so that one address
// is one account however it is typed.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// CheckEmail validates an address as typed in a form and returns it
// normalised.
func CheckEmail(raw string) (string, error) {
	email := NormalizeEmail(raw)
	switch {
	case email == "":
		return "", &FieldError{"email", "Enter your email address."}
	case len(email) > MaxEmail:
		return "", &FieldError{"email", fmt.Sprintf("An email address has at most %d characters.", MaxEmail)}
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || addr.Name != "" {
		return "", &FieldError{"email", "Enter an email address like name@example.com."}
	}
	local, domain, _ := strings.Cut(email, "@")
	if local == "" || !strings.Contains(domain, ".") && domain != "localhost" {
		return "", &FieldError{"email", "Enter an email address like name@example.com."}
	}
	return email, nil
}

// CheckName validates a display name and returns it trimmed.
func CheckName(raw string) (string, error) {
	name := strings.Join(strings.Fields(raw), " ")
	switch {
	case name == "":
		return "", &FieldError{"name", "Enter the name to show beside your comments."}
	case utf8.RuneCountInString(name) > MaxName:
		return "", &FieldError{"name", fmt.Sprintf("Keep your name under %d characters.", MaxName)}
	case !utf8.ValidString(name):
		return "", &FieldError{"name", "Your name contains characters we cannot read."}
	case strings.ContainsAny(name, "<>"):
		return "", &FieldError{"name", "A name cannot contain < or >."}
	}
	for _, r := range name {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return "", &FieldError{"name", "Your name contains invisible characters; please type it again."}
		}
	}
	return name, nil
}
