package account

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"dateline/internal/mail"
)

// ConfirmEmail spends an emailed link's token: it verifies the address of
// a new account, or moves an account to the new address it asked for. It
// returns ErrBadToken for a token that is
// unknown, used or expired, and ErrEmailTaken when the new address has
// since been taken by another account.
func (s *Service) ConfirmEmail(ctx context.Context, token string) (*EmailToken, error) {
	if token == "" || len(token) > 100 {
		return nil, ErrBadToken
	}
	return s.store.UseEmailToken(ctx, HashToken(token), s.now().UTC())
}

// Confirmation is what following an emailed link did: the link that was
// spent, and the session it started on the device that followed it.
type Confirmation struct {
	Link    *EmailToken
	Session *Session
	Token   string // the new session's cookie value
}

// ConfirmAndSignIn spends an emailed link's token as ConfirmEmail does and
// signs its account in on the device that followed it: holding the
// address is what the link proves, and it is how a new reader first signs
// in. Whatever session token that browser had before is ended, as at
// log-in. It returns the errors of ConfirmEmail.
func (s *Service) ConfirmAndSignIn(ctx context.Context, token string, c Client, oldToken string) (*Confirmation, error) {
	t, err := s.ConfirmEmail(ctx, token)
	if err != nil {
		return nil, err
	}
	u, err := s.store.UserByID(ctx, t.UserID)
	if err != nil {
		return nil, fmt.Errorf("account: confirm: %w", err)
	}
	if oldToken != "" {
		if err := s.store.DeleteSession(ctx, HashToken(oldToken)); err != nil {
			return nil, err
		}
	}
	session, sess, err := s.startSession(ctx, u, false, c)
	if err != nil {
		return nil, err
	}
	return &Confirmation{Link: t, Session: sess, Token: session}, nil
}

// ResendVerification sends a new verification link to an unverified
// user.
func (s *Service) ResendVerification(ctx context.Context, u *User) error {
	return s.ResendVerificationTo(ctx, u, "")
}

// ResendVerificationTo is ResendVerification for a reader on their way to
// next, a path on this site (a story behind the paywall, say): confirming
// the address leads there. The caller makes sure next is on this site.
func (s *Service) ResendVerificationTo(ctx context.Context, u *User, next string) error {
	if u.Verified() {
		return nil
	}
	n, _, err := s.store.ThrottleHit(ctx, "verify:user:"+strconv.FormatInt(u.ID, 10), time.Hour, s.now())
	if err != nil {
		return err
	}
	if n > 5 {
		return &ThrottledError{RetryAfter: time.Hour}
	}
	return s.sendToken(ctx, u, VerifyEmail, u.Email, next, mail.VerifyEmail, nil)
}

// sendToken emails a link for purpose to the address to, leading to next
// (or "") once followed, with any extra emails queued in the same
// transaction.
func (s *Service) sendToken(ctx context.Context, u *User, purpose TokenPurpose, to, next string, kind mail.Kind, data map[string]any, extra ...*mail.Message) error {
	token, hash := newToken()
	now := s.now().UTC()
	if data == nil {
		data = map[string]any{}
	}
	data["Link"] = s.verifyLink(token, next)
	m, err := s.compose(kind, to, u.DisplayName, data)
	if err != nil {
		return err
	}
	t := &EmailToken{Hash: hash, UserID: u.ID, Purpose: purpose, Email: to, CreatedAt: now, ExpiresAt: now.Add(s.opts.VerifyTTL)}
	if err := s.store.CreateEmailToken(ctx, t, append([]*mail.Message{m}, extra...)...); err != nil {
		return err
	}
	s.queue()
	return nil
}

// Rename changes a user's display name.
func (s *Service) Rename(ctx context.Context, u *User, name string) error {
	name, err := CheckName(name)
	if err != nil {
		return err
	}
	return s.store.UpdateDisplayName(ctx, u.ID, name)
}

// checkCurrentPassword confirms the person at the keyboard knows the
// account's password before a sensitive change.
func (s *Service) checkCurrentPassword(ctx context.Context, u *User, pw string) error {
	if pw == "" {
		return &FieldError{"current_password", "Enter your current password."}
	}
	limits := []ThrottleLimit{{Key: "confirm:user:" + strconv.FormatInt(u.ID, 10), Allow: s.opts.LoginFailures, Delay: loginDelay}}
	counts, err := s.take(ctx, limits)
	if err != nil {
		return err
	}
	ok, _, err := s.hasher.Verify(ctx, pw, u.PasswordHash)
	if err != nil {
		s.giveBack(ctx, limits, counts)
		return err
	}
	if !ok {
		return &FieldError{"current_password", "That is not your current password."}
	}
	// Only wrong passwords count.
	s.giveBack(ctx, limits, counts)
	return nil
}

// RequestEmailChange sends a confirmation link to the new address, and a
// notice to the old one, which can still reset the password (a reset voids
// the pending change). The account moves only when the link is opened.
func (s *Service) RequestEmailChange(ctx context.Context, u *User, newEmail, currentPassword string) error {
	email, err := CheckEmail(newEmail)
	if err != nil {
		return err
	}
	if email == u.Email {
		return &FieldError{"email", "That is already your address."}
	}
	if err := s.checkCurrentPassword(ctx, u, currentPassword); err != nil {
		return err
	}
	if other, err := s.store.UserByEmail(ctx, email); err == nil && other.ID != u.ID {
		// Say nothing that reveals the other account: send nothing.
		s.log.Info("email change to an address that has an account", "user", u.ID)
		return nil
	} else if err != nil && !isNotFound(err) {
		return err
	}
	notice, err := s.compose(mail.EmailChangedNotice, u.Email, u.DisplayName, map[string]any{"NewEmail": email})
	if err != nil {
		return err
	}
	return s.sendToken(ctx, u, ChangeEmail, email, "", mail.ConfirmNewEmail, map[string]any{"NewEmail": email}, notice)
}

// ChangePassword sets a new password after checking the current one, ends
// every other session and tells the address.
func (s *Service) ChangePassword(ctx context.Context, u *User, sess *Session, current, next string) error {
	if err := s.checkCurrentPassword(ctx, u, current); err != nil {
		return err
	}
	if err := s.checkPassword(next, u.Email, u.DisplayName); err != nil {
		return &FieldError{"new_password", err.(*FieldError).Message}
	}
	hash, err := s.hasher.Hash(ctx, next)
	if err != nil {
		return err
	}
	m, err := s.compose(mail.PasswordChanged, u.Email, u.DisplayName, map[string]any{
		"Time": s.mailTime(ctx, s.now()),
	})
	if err != nil {
		return err
	}
	if err := s.store.ChangePassword(ctx, u.ID, hash, sess.ID, m); err != nil {
		return err
	}
	s.queue()
	return nil
}

// Delete removes the account after checking its password. The site's
// last administrator is refused with a *FieldError: someone else must
// run the site first.
func (s *Service) Delete(ctx context.Context, u *User, currentPassword string) error {
	if err := s.checkCurrentPassword(ctx, u, currentPassword); err != nil {
		return err
	}
	err := s.store.DeleteUser(ctx, u.ID)
	if errors.Is(err, ErrLastAdmin) {
		return &FieldError{"current_password", "You are the site's last administrator: make someone else an administrator at /admin/people before you delete your account."}
	}
	return err
}

// Export is everything Dateline keeps about a reader, for "download my
// data".
type Export struct {
	Email         string          `json:"email"`
	DisplayName   string          `json:"display_name"`
	Role          Role            `json:"role"`
	EmailVerified bool            `json:"email_verified"`
	CreatedAt     time.Time       `json:"created_at"`
	UpdatedAt     time.Time       `json:"updated_at"`
	Sessions      []ExportSession `json:"sessions"`
}

// ExportSession is one session in an Export; its secret is never shown.
type ExportSession struct {
	Created   time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen_at"`
	Expires   time.Time `json:"expires_at"`
	UserAgent string    `json:"browser"`
	IP        string    `json:"ip"`
}

// ExportData gathers the user's data.
func (s *Service) ExportData(ctx context.Context, u *User) (*Export, error) {
	sessions, err := s.Sessions(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	e := &Export{Email: u.Email, DisplayName: u.DisplayName, Role: u.Role, EmailVerified: u.Verified(),
		CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt, Sessions: []ExportSession{}}
	for _, sess := range sessions {
		e.Sessions = append(e.Sessions, ExportSession{sess.Created, sess.LastSeen, sess.Expires, sess.UserAgent, sess.IP})
	}
	return e, nil
}

// CreateUser makes an account for an operator, with a verified address and
// the given role; the password must pass the policy.
func (s *Service) CreateUser(ctx context.Context, email, name, pw string, role Role) (*User, error) {
	email, err := CheckEmail(email)
	if err != nil {
		return nil, err
	}
	if name == "" {
		name, _, _ = strings.Cut(email, "@")
	}
	if name, err = CheckName(name); err != nil {
		return nil, err
	}
	if _, err := ParseRole(string(role)); err != nil {
		return nil, &FieldError{"role", err.Error()}
	}
	if err := s.checkPassword(pw, email, name); err != nil {
		return nil, err
	}
	hash, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	u := &User{Email: email, DisplayName: name, PasswordHash: hash, Role: role, EmailVerifiedAt: now, CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateUser(ctx, u, nil, nil); err != nil {
		if errors.Is(err, ErrEmailTaken) {
			return nil, &FieldError{"email", "An account with that address already exists."}
		}
		return nil, err
	}
	return u, nil
}

// SetPassword replaces the password of the account with the given address,
// as an operator does for someone who lost theirs (`dateline user
// password`). The password must pass the policy. Every session of the
// account ends, a change of address waiting for confirmation is voided, as
// after a reset, and a notice goes to the address. ErrNotFound when no
// account has the address; a *FieldError for a refused password.
func (s *Service) SetPassword(ctx context.Context, email, pw string) (*User, error) {
	email, err := CheckEmail(email)
	if err != nil {
		return nil, err
	}
	u, err := s.store.UserByEmail(ctx, email)
	if err != nil {
		return nil, err
	}
	if err := s.checkPassword(pw, u.Email, u.DisplayName); err != nil {
		return nil, err
	}
	hash, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		return nil, err
	}
	m, err := s.compose(mail.PasswordChanged, u.Email, u.DisplayName, map[string]any{
		"Time": s.mailTime(ctx, s.now()),
	})
	if err != nil {
		return nil, err
	}
	if err := s.store.ChangePassword(ctx, u.ID, hash, 0, m); err != nil {
		return nil, err
	}
	s.queue()
	return u, nil
}
