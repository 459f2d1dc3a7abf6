package account

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"dateline/internal/clock"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"dateline/internal/mail"
	"dateline/internal/password"
)

// Store is what accounts need of the database. Methods that take a
// *mail.Message write it to the outbox in the same transaction as the
// change that causes it, so the email goes out if and only if the change
// happened.
type Store interface {
	CreateUser(ctx context.Context, u *User, verify *EmailToken, m *mail.Message) error
	Enqueue(ctx context.Context, m *mail.Message) error
	UserByEmail(ctx context.Context, email string) (*User, error)
	UserByID(ctx context.Context, id int64) (*User, error)
	UpdateDisplayName(ctx context.Context, userID int64, name string) error
	SetPasswordHash(ctx context.Context, userID int64, hash string) error
	ChangePassword(ctx context.Context, userID int64, hash string, keepSession int64, m *mail.Message) error
	DeleteUser(ctx context.Context, userID int64) error

	CreateSession(ctx context.Context, s *Session, tokenHash string) error
	SessionByToken(ctx context.Context, tokenHash string) (*Session, *User, error)
	TouchSession(ctx context.Context, id int64, at time.Time) error
	DeleteSession(ctx context.Context, tokenHash string) error
	DeleteOtherSessions(ctx context.Context, userID, keepID int64) error
	UserSessions(ctx context.Context, userID int64) ([]Session, error)

	CreateEmailToken(ctx context.Context, t *EmailToken, ms ...*mail.Message) error
	UseEmailToken(ctx context.Context, hash string, now time.Time) (*EmailToken, error)

	CreateResetCode(ctx context.Context, rc *ResetCode, m *mail.Message) error
	// TryResetCode counts a try against the user's current code before
	// it is compared, unless the code has had maxAttempts tries: then, or
	// when there is no code, ErrNotFound. Attempts includes this try.
	TryResetCode(ctx context.Context, userID int64, now time.Time, maxAttempts int) (*ResetCode, error)
	// FailResetCode voids the code once a wrong try was its last allowed.
	FailResetCode(ctx context.Context, id int64, maxAttempts int) error
	// ReleaseResetTry gives back the try of a right code.
	ReleaseResetTry(ctx context.Context, id int64) error
	CompleteReset(ctx context.Context, codeID, userID int64, hash string, m *mail.Message) error

	ThrottleHit(ctx context.Context, key string, window time.Duration, now time.Time) (count int, blockedUntil time.Time, err error)
	// ThrottleTake counts an attempt under every key at once, before it
	// is tried, unless one of them is blocked: then it counts nothing and
	// returns the block's end. A key whose count reaches its allowance is
	// blocked for its Delay. counts follow the order of limits.
	ThrottleTake(ctx context.Context, limits []ThrottleLimit, window time.Duration, now time.Time) (counts []int, blockedUntil time.Time, err error)
	// ThrottleRelease gives back an attempt counted under key that went
	// well; lift ends the block that attempt began.
	ThrottleRelease(ctx context.Context, key string, lift bool) error
	ThrottleBlocked(ctx context.Context, key string, now time.Time) (time.Time, error)
	ThrottleBlock(ctx context.Context, key string, until time.Time) error
	ThrottleClear(ctx context.Context, key string) error

	Secret(ctx context.Context, name string, generate func() (string, error)) (string, error)

	TokenStore
	PeopleStore
}

// Composer renders emails; *mail.Composer is one.
type Composer interface {
	Compose(kind mail.Kind, to, toName string, data map[string]any) (*mail.Message, error)
}

// Policy decides which passwords are acceptable; *password.Policy is one.
type Policy interface {
	Check(password string, context ...string) error
}

// Options configure a Service. Zero durations and counts take the defaults
// shown. Per-IP limits count an IPv6 client by its /64 network (NetworkOf).
type Options struct {
	Store    Store
	Hasher   *password.Hasher
	Policy   Policy
	Composer Composer
	Log      *slog.Logger
	// SiteName and BaseURL go into emails and links.
	SiteName string
	BaseURL  string
	// Now is the clock (see internal/clock); required.
	Now func() time.Time
	// MailSent is called after an email is queued, to wake the sender.
	MailSent func()
	// Zone is the paper's time zone, in which emails give times; nil is
	// UTC.
	Zone clock.Zone

	SessionIdle         time.Duration // 12 hours
	SessionIdleRemember time.Duration // 30 days, "keep me signed in"
	SessionLifetime     time.Duration // 90 days, absolute
	ResetCodeTTL        time.Duration // 10 minutes
	ResetMaxAttempts    int           // 5 wrong codes void a code
	ResetPerAddress     int           // 3 codes an hour per address
	ResetPerIP          int           // 10 requests an hour per IP
	ResetCodeTriesPerIP int           // 50 code submissions an hour per IP
	// ResetRequestFloor is the least time a reset request takes, known
	// address or not, so timing tells nothing. 250 ms; negative for none.
	ResetRequestFloor time.Duration
	// Sleep waits for d or until ctx is done; nil means a real timer.
	// Tests replace it to see the waits without spending them.
	Sleep           func(ctx context.Context, d time.Duration)
	LoginFailures   int // 5 failures per account before delays begin
	LoginFailuresIP int // 30 failures per IP before delays begin
	SignUpsPerIP    int // 10 sign-ups an hour per IP
	VerifyTTL       time.Duration
}

// Service runs accounts. It is safe for concurrent use.
type Service struct {
	opts     Options
	store    Store
	hasher   *password.Hasher
	log      *slog.Logger
	now      func() time.Time
	resetKey []byte
}

// mailTime is how an email tells a reader when something happened: in
// the paper's time, with its zone ("2 December 2026 at 14:05 WET").
func (s *Service) mailTime(ctx context.Context, t time.Time) string {
	return t.In(s.opts.Zone.In(ctx)).Format("2 January 2006 at 15:04 MST")
}

// New builds a Service, loading (or on first start creating) the server
// secret that keys reset-code hashes.
func New(ctx context.Context, opts Options) (*Service, error) {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	defInt := func(n *int, v int) {
		if *n == 0 {
			*n = v
		}
	}
	def(&opts.SessionIdle, 12*time.Hour)
	def(&opts.SessionIdleRemember, 30*24*time.Hour)
	def(&opts.SessionLifetime, 90*24*time.Hour)
	def(&opts.ResetCodeTTL, 10*time.Minute)
	def(&opts.ResetRequestFloor, 250*time.Millisecond)
	def(&opts.VerifyTTL, 72*time.Hour)
	defInt(&opts.ResetMaxAttempts, 5)
	defInt(&opts.ResetPerAddress, 3)
	defInt(&opts.ResetPerIP, 10)
	defInt(&opts.ResetCodeTriesPerIP, 50)
	defInt(&opts.LoginFailures, 5)
	defInt(&opts.LoginFailuresIP, 30)
	defInt(&opts.SignUpsPerIP, 10)
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.SiteName == "" {
		opts.SiteName = "Dateline"
	}
	if opts.Now == nil {
		return nil, errors.New("account: New needs a clock")
	}
	s := &Service{opts: opts, store: opts.Store, hasher: opts.Hasher, log: opts.Log, now: opts.Now}
	if s.opts.Sleep == nil {
		s.opts.Sleep = sleep
	}
	secret, err := opts.Store.Secret(ctx, "reset-code-key", func() (string, error) {
		return randomHex(32)
	})
	if err != nil {
		return nil, fmt.Errorf("account: load secret: %w", err)
	}
	if s.resetKey, err = hex.DecodeString(secret); err != nil || len(s.resetKey) < 32 {
		return nil, fmt.Errorf("account: the stored reset-code key is damaged")
	}
	return s, nil
}

// UserByEmail finds an account by address, as staff tools need.
func (s *Service) UserByEmail(ctx context.Context, email string) (*User, error) {
	return s.store.UserByEmail(ctx, NormalizeEmail(email))
}

// Options returns the settings in force, defaults filled in.
func (s *Service) Options() Options { return s.opts }

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// newToken returns a random 256-bit token for a cookie or link, and the
// hash under which it is stored.
func newToken() (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b) // never fails on supported platforms
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is how session tokens and email-link tokens are stored: a
// SHA-256, which is enough for 256 random bits.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// codeHash keys a reset code to its account with the server secret.
func (s *Service) codeHash(userID int64, code string) string {
	m := hmac.New(sha256.New, s.resetKey)
	fmt.Fprintf(m, "%d:%s", userID, code)
	return hex.EncodeToString(m.Sum(nil))
}

// queue tells the sender there is mail.
func (s *Service) queue() {
	if s.opts.MailSent != nil {
		s.opts.MailSent()
	}
}

// compose renders an email to u.
func (s *Service) compose(kind mail.Kind, to, name string, data map[string]any) (*mail.Message, error) {
	if data == nil {
		data = map[string]any{}
	}
	data["Name"] = name
	m, err := s.opts.Composer.Compose(kind, to, name, data)
	if err != nil {
		return nil, fmt.Errorf("account: compose %s: %w", kind, err)
	}
	return m, nil
}

// ThrottledError says a client must wait before trying again.
type ThrottledError struct {
	RetryAfter time.Duration
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("account: too many attempts; retry after %s", e.RetryAfter.Round(time.Second))
}

// ThrottleLimit is one key an attempt is counted under, and how many
// attempts it allows in its window before it blocks.
type ThrottleLimit struct {
	Key   string
	Allow int
	// Delay is how long the key is blocked once its count reaches Allow,
	// given the attempts counted beyond Allow.
	Delay func(extra int) time.Duration
}

// isNotFound reports whether err means the thing does not exist.
func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
