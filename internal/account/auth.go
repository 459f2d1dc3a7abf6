package account

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"dateline/internal/mail"
	"dateline/internal/password"
)

// Client describes the browser making a request, for the session list and
// for throttling.
type Client struct {
	IP        string
	UserAgent string
}

// SignUp is what a reader types to create an account.
type SignUp struct {
	Email    string
	Name     string
	Password string
	// Next is the path on this site the reader was on their way to (the
	// story they came from, the checkout of a plan); the emailed link
	// carries it, and confirming the address leads there. The caller
	// makes sure it is a path on this site; "" leads to the account page.
	Next string
}

// verifyLink is the emailed link that confirms an address, leading to
// next (a path on this site, or "") once confirmed.
func (s *Service) verifyLink(token, next string) string {
	link := s.opts.BaseURL + "/account/verify?token=" + token
	if next != "" {
		link += "&next=" + url.QueryEscape(next)
	}
	return link
}

// SignUpResult is what SignUp did. For an address that already has an
// account, User is nil. No session starts either way: the caller shows the
// same page, with the same headers, whether the address was free or taken,
// so sign-up does not reveal who has an account.
type SignUpResult struct {
	User *User
}

// Register creates a reader's account and sends the link that confirms the
// address; following that link signs the reader in (ConfirmAndSignIn). For
// an address that already has an account it creates nothing and tells the
// owner instead. It returns FieldErrors naming every bad field,
// *ThrottledError when the client's network has made SignUpsPerIP sign-ups
// this hour, and password.ErrBusy when too many hashes are running.
func (s *Service) Register(ctx context.Context, in SignUp, c Client) (*SignUpResult, error) {
	var bad FieldErrors
	email, err := CheckEmail(in.Email)
	bad.add(err)
	name, err := CheckName(in.Name)
	bad.add(err)
	bad.add(s.checkPassword(in.Password, email, name, in.Email))
	if len(bad) > 0 {
		return nil, bad
	}
	// Counted before hashing, so a flood costs no hashing, and for free
	// and taken addresses alike, so the limit reveals nothing either.
	n, _, err := s.store.ThrottleHit(ctx, c.throttleKey("signup"), time.Hour, s.now())
	if err != nil {
		return nil, err
	}
	if n > s.opts.SignUpsPerIP {
		return nil, &ThrottledError{RetryAfter: time.Hour}
	}
	// Hash before looking the address up, so both paths cost the same.
	hash, err := s.hasher.Hash(ctx, in.Password)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	u := &User{Email: email, DisplayName: name, PasswordHash: hash, Role: Reader, CreatedAt: now, UpdatedAt: now}
	token, tokenHash := newToken()
	verify := &EmailToken{Hash: tokenHash, Purpose: VerifyEmail, Email: email, CreatedAt: now, ExpiresAt: now.Add(s.opts.VerifyTTL)}
	m, err := s.compose(mail.VerifyEmail, email, name, map[string]any{"Link": s.verifyLink(token, in.Next)})
	if err != nil {
		return nil, err
	}
	if err := s.store.CreateUser(ctx, u, verify, m); err != nil {
		if errors.Is(err, ErrEmailTaken) {
			return &SignUpResult{}, s.tellOwner(ctx, email)
		}
		return nil, err
	}
	s.queue()
	return &SignUpResult{User: u}, nil
}

// tellOwner lets the owner of an address know someone tried to sign up
// with it, at most three times an hour; the sign-up page says the same as
// for a new account.
func (s *Service) tellOwner(ctx context.Context, email string) error {
	n, _, err := s.store.ThrottleHit(ctx, "signup:email:"+email, time.Hour, s.now())
	if err != nil || n > 3 {
		return err
	}
	owner, err := s.store.UserByEmail(ctx, email)
	if err != nil {
		return err
	}
	m, err := s.compose(mail.AccountExists, owner.Email, owner.DisplayName, map[string]any{
		"Link":      s.opts.BaseURL + "/login",
		"ResetLink": s.opts.BaseURL + "/password/forgot?" + url.Values{"email": {owner.Email}}.Encode(),
	})
	if err != nil {
		return err
	}
	if err := s.store.Enqueue(ctx, m); err != nil {
		return err
	}
	s.queue()
	return nil
}

// checkPassword applies the password policy, naming the field.
func (s *Service) checkPassword(pw string, context ...string) error {
	if err := s.opts.Policy.Check(pw, append(context, s.opts.SiteName)...); err != nil {
		var pe *password.PolicyError
		if errors.As(err, &pe) {
			return &FieldError{"password", pe.Error()}
		}
		return &FieldError{"password", err.Error()}
	}
	return nil
}

// LogIn checks an email and password and starts a new session. Whatever
// session token the browser had before is ended, so a token planted before
// log-in is worthless after it. Attempts are throttled per account and per
// IP with growing delays, counted before the password is tried so that a
// burst of attempts cannot outrun the count; the error never says whether
// the address has an account.
func (s *Service) LogIn(ctx context.Context, email, pw string, remember bool, c Client, oldToken string) (string, *Session, error) {
	email = NormalizeEmail(email)
	limits := []ThrottleLimit{
		{Key: "login:email:" + email, Allow: s.opts.LoginFailures, Delay: loginDelay},
		{Key: c.throttleKey("login"), Allow: s.opts.LoginFailuresIP, Delay: loginDelay},
	}
	counts, err := s.take(ctx, limits)
	if err != nil {
		return "", nil, err
	}
	u, err := s.store.UserByEmail(ctx, email)
	if err != nil && !isNotFound(err) {
		s.giveBack(ctx, limits, counts)
		return "", nil, err
	}
	ok := false
	rehash := false
	if u != nil {
		ok, rehash, err = s.hasher.Verify(ctx, pw, u.PasswordHash)
	} else {
		err = s.hasher.DummyVerify(ctx, pw)
	}
	if err != nil {
		// Not tried (the hasher was busy, say): the attempt is given back.
		s.giveBack(ctx, limits, counts)
		return "", nil, err
	}
	if !ok {
		return "", nil, ErrBadCredentials
	}
	// The account's failures are forgotten; the IP's count keeps only
	// failures.
	if err := s.store.ThrottleClear(ctx, limits[0].Key); err != nil {
		return "", nil, err
	}
	s.giveBack(ctx, limits[1:], counts[1:])
	if rehash {
		// The cost parameters were raised since this hash was made.
		if h, err := s.hasher.Hash(ctx, pw); err == nil {
			if err := s.store.SetPasswordHash(ctx, u.ID, h); err != nil {
				s.log.Warn("rehash password", "user", u.ID, "err", err)
			}
		}
	}
	if oldToken != "" {
		if err := s.store.DeleteSession(ctx, HashToken(oldToken)); err != nil {
			return "", nil, err
		}
	}
	return s.startSession(ctx, u, remember, c)
}

// take counts an attempt under limits before it is tried, and returns the
// keys' counts with it; a *ThrottledError when one of them is blocked, and
// then nothing is counted.
func (s *Service) take(ctx context.Context, limits []ThrottleLimit) ([]int, error) {
	now := s.now()
	counts, until, err := s.store.ThrottleTake(ctx, limits, time.Hour, now)
	if err != nil {
		return nil, err
	}
	if until.After(now) {
		return nil, &ThrottledError{RetryAfter: until.Sub(now)}
	}
	return counts, nil
}

// giveBack returns the attempt take counted under limits, for one that
// went well or was never tried, and ends a block that attempt began.
func (s *Service) giveBack(ctx context.Context, limits []ThrottleLimit, counts []int) {
	for i, l := range limits {
		if err := s.store.ThrottleRelease(ctx, l.Key, counts[i] >= l.Allow); err != nil {
			s.log.Warn("give back a throttled attempt", "err", err)
		}
	}
}

// loginDelay is how long log-in waits after the allowance is used up and
// extra more failures: 30 s, 1 min, 2 min … up to 30 min.
func loginDelay(extra int) time.Duration {
	d := 30 * time.Second
	for range min(extra, 6) {
		d *= 2
	}
	return min(d, 30*time.Minute)
}

func (s *Service) startSession(ctx context.Context, u *User, remember bool, c Client) (string, *Session, error) {
	now := s.now().UTC()
	idle := s.opts.SessionIdle
	if remember {
		idle = s.opts.SessionIdleRemember
	}
	token, hash := newToken()
	sess := &Session{
		UserID: u.ID, Created: now, LastSeen: now, Idle: idle,
		Expires: now.Add(s.opts.SessionLifetime), UserAgent: truncate(c.UserAgent, 300), IP: truncate(c.IP, 64),
	}
	if err := s.store.CreateSession(ctx, sess, hash); err != nil {
		return "", nil, fmt.Errorf("account: start session: %w", err)
	}
	return token, sess, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Authenticate returns the user and session a cookie token belongs to, or
// ErrNotFound when the token is unknown, idle too long or past its
// lifetime. It records the session's use at most once a minute.
func (s *Service) Authenticate(ctx context.Context, token string) (*User, *Session, error) {
	if token == "" || len(token) > 100 {
		return nil, nil, ErrNotFound
	}
	sess, u, err := s.store.SessionByToken(ctx, HashToken(token))
	if err != nil {
		return nil, nil, err
	}
	now := s.now().UTC()
	if !sess.Active(now) {
		if err := s.store.DeleteSession(ctx, HashToken(token)); err != nil {
			s.log.Warn("delete expired session", "err", err)
		}
		return nil, nil, ErrNotFound
	}
	if now.Sub(sess.LastSeen) > time.Minute {
		if err := s.store.TouchSession(ctx, sess.ID, now); err != nil {
			s.log.Warn("touch session", "err", err)
		}
		sess.LastSeen = now
		sess.Renewed = true
	}
	return u, sess, nil
}

// SessionCookieMaxAge is how long the browser should keep the cookie of
// sess: until its idle timeout for "keep me signed in" sessions, or for
// the browser's session (0) otherwise.
func (s *Service) SessionCookieMaxAge(sess *Session) time.Duration {
	if sess.Idle > s.opts.SessionIdle {
		return min(sess.Idle, sess.Expires.Sub(s.now()))
	}
	return 0
}

// LogOut ends the session the token belongs to.
func (s *Service) LogOut(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	return s.store.DeleteSession(ctx, HashToken(token))
}

// Sessions lists a user's active sessions, most recently used first.
func (s *Service) Sessions(ctx context.Context, userID int64) ([]Session, error) {
	all, err := s.store.UserSessions(ctx, userID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	active := all[:0]
	for _, sess := range all {
		if sess.Active(now) {
			active = append(active, sess)
		}
	}
	return active, nil
}

// SignOutOthers ends every session of the user except keep.
func (s *Service) SignOutOthers(ctx context.Context, userID, keep int64) error {
	return s.store.DeleteOtherSessions(ctx, userID, keep)
}
