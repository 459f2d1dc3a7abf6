package account

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"fmt"
	"math/big"
	"net/url"
	"time"

	"dateline/internal/mail"
)

// CodeDigits is the length of a password reset code.
const CodeDigits = 8

// newCode returns a uniformly random code of CodeDigits decimal digits.
func newCode() (string, error) {
	limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(CodeDigits), nil)
	n, err := rand.Int(rand.Reader, limit)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%0*d", CodeDigits, n), nil
}

// RequestReset sends a reset code to the address if it has an account. It
// answers the same for any address: nil, after the same work and at least
// ResetRequestFloor, whether the address has an account, is unknown, or has
// asked too often this hour (then nothing is sent). Only the per-IP limit
// shows: a *ThrottledError. A request never locks an account or changes a
// password. Malformed addresses get a *FieldError.
func (s *Service) RequestReset(ctx context.Context, rawEmail string, c Client) error {
	start := s.now()
	email, err := CheckEmail(rawEmail)
	if err != nil {
		return err
	}
	now := s.now()
	n, _, err := s.store.ThrottleHit(ctx, c.throttleKey("reset"), time.Hour, now)
	if err != nil {
		return err
	}
	if n > s.opts.ResetPerIP {
		return &ThrottledError{RetryAfter: time.Hour}
	}
	defer s.pad(ctx, start)

	perAddress, _, err := s.store.ThrottleHit(ctx, "reset:email:"+email, time.Hour, now)
	if err != nil {
		return err
	}
	code, err := newCode()
	if err != nil {
		return err
	}
	u, err := s.store.UserByEmail(ctx, email)
	if err != nil && !isNotFound(err) {
		return err
	}
	var userID int64 = -1
	if u != nil {
		userID = u.ID
	}
	hash := s.codeHash(userID, code) // the same work for unknown addresses
	if u == nil {
		return nil
	}
	if perAddress > s.opts.ResetPerAddress {
		s.log.Info("reset code not sent: address over its hourly limit", "user", u.ID)
		return nil
	}
	link := s.opts.BaseURL + "/password/reset?" + url.Values{"email": {email}, "code": {code}}.Encode()
	m, err := s.compose(mail.ResetCode, u.Email, u.DisplayName, map[string]any{
		"Code": code, "Link": link, "Minutes": int(s.opts.ResetCodeTTL / time.Minute),
	})
	if err != nil {
		return err
	}
	rc := &ResetCode{UserID: u.ID, Hash: hash, CreatedAt: now.UTC(), ExpiresAt: now.Add(s.opts.ResetCodeTTL).UTC()}
	if err := s.store.CreateResetCode(ctx, rc, m); err != nil {
		return err
	}
	s.queue()
	return nil
}

// pad waits until at least ResetRequestFloor has passed since start.
func (s *Service) pad(ctx context.Context, start time.Time) {
	if s.opts.ResetRequestFloor <= 0 {
		return
	}
	if wait := s.opts.ResetRequestFloor - s.now().Sub(start); wait > 0 {
		s.opts.Sleep(ctx, wait)
	}
}

// Reset is what a reader types on the reset page.
type Reset struct {
	Email    string
	Code     string
	Password string
}

// ResetPassword checks the code and sets the new password. Every try
// counts against the IP, and against the code before it is compared:
// ResetMaxAttempts wrong ones void it, even when sent together; the try of
// a right code that does not go through is given back.
// On success every session of the account ends and a notice goes to the
// address; the reader logs in afresh. It returns ErrBadCode for any code
// that does not work, *FieldError for a bad new password (the code stays
// good), and *ThrottledError when the IP has tried too many codes.
func (s *Service) ResetPassword(ctx context.Context, in Reset, c Client) error {
	now := s.now()
	n, _, err := s.store.ThrottleHit(ctx, c.throttleKey("resetcode"), time.Hour, now)
	if err != nil {
		return err
	}
	if n > s.opts.ResetCodeTriesPerIP {
		return &ThrottledError{RetryAfter: time.Hour}
	}
	email, err := CheckEmail(in.Email)
	if err != nil {
		return err
	}
	code := normalizeCode(in.Code)
	if len(code) != CodeDigits {
		return &FieldError{"code", fmt.Sprintf("The code is %d digits long.", CodeDigits)}
	}
	u, err := s.store.UserByEmail(ctx, email)
	if isNotFound(err) {
		s.codeHash(-1, code)
		return ErrBadCode
	}
	if err != nil {
		return err
	}
	// The try is counted before the code is compared, so tries sent
	// together cannot compare more than ResetMaxAttempts codes.
	rc, err := s.store.TryResetCode(ctx, u.ID, now.UTC(), s.opts.ResetMaxAttempts)
	if isNotFound(err) {
		s.codeHash(u.ID, code)
		return ErrBadCode
	}
	if err != nil {
		return err
	}
	if !hmac.Equal([]byte(s.codeHash(u.ID, code)), []byte(rc.Hash)) {
		if err := s.store.FailResetCode(ctx, rc.ID, s.opts.ResetMaxAttempts); err != nil {
			return err
		}
		return ErrBadCode
	}
	return s.completeReset(ctx, rc, u, in.Password, now)
}

// completeReset sets the new password once the code was found right. When
// the reset does not go through (a refused password, say), the code's try
// is given back, so that a reader who picks weak passwords keeps the code.
func (s *Service) completeReset(ctx context.Context, rc *ResetCode, u *User, pw string, now time.Time) (err error) {
	defer func() {
		if err != nil {
			if rerr := s.store.ReleaseResetTry(ctx, rc.ID); rerr != nil {
				s.log.Warn("give back a reset code try", "err", rerr)
			}
		}
	}()
	if err := s.checkPassword(pw, u.Email, u.DisplayName); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		return err
	}
	m, err := s.compose(mail.PasswordChanged, u.Email, u.DisplayName, map[string]any{
		"Time": s.mailTime(ctx, now),
	})
	if err != nil {
		return err
	}
	if err := s.store.CompleteReset(ctx, rc.ID, u.ID, hash, m); err != nil {
		return err
	}
	s.queue()
	return nil
}

// normalizeCode keeps the digits of what was typed, so "1234 5678" and
// "1234-5678" work.
func normalizeCode(s string) string {
	out := make([]byte, 0, CodeDigits)
	for i := 0; i < len(s) && len(out) <= CodeDigits; i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			out = append(out, c)
		case c == ' ' || c == '-':
		default:
			return ""
		}
	}
	return string(out)
}
