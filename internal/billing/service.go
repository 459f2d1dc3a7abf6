package billing

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"dateline/internal/clock"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"dateline/internal/account"
	"dateline/internal/insight"
	"dateline/internal/mail"
	"dateline/internal/story"
)

// Store is what billing needs of the database outside transactions.
type Store interface {
	Plans(ctx context.Context, activeOnly bool) ([]Plan, error)
	PlanByID(ctx context.Context, id int64) (*Plan, error)
	CreatePlan(ctx context.Context, p *Plan) error
	SetPlanActive(ctx context.Context, id int64, active bool) error
	SubscriptionByUser(ctx context.Context, userID int64) (*Subscription, error)
	// SettingValues returns the stored values of the keys that are set.
	SettingValues(ctx context.Context, keys ...string) (map[string]string, error)
	// SaveSettingValues stores several values together.
	SaveSettingValues(ctx context.Context, vals map[string]string) error
	MeterRead(ctx context.Context, userID, storyID int64, month string, limit int, at time.Time) (allowed bool, used int, err error)
	MeterUsed(ctx context.Context, userID int64, month string) (int, error)
	CreateGift(ctx context.Context, g *Gift, tokenHash string, monthStart time.Time, limit int) error
	OpenGift(ctx context.Context, tokenHash string, storyID int64, now time.Time) (*Gift, error)
	Gifts(ctx context.Context, userID int64) ([]Gift, error)
	RevokeGift(ctx context.Context, userID, giftID int64, at time.Time) error
	Subscribers(ctx context.Context, f SubscriberFilter) ([]Subscriber, error)
	SubscriptionCounts(ctx context.Context) (map[Status]int, error)
	InBillingTx(ctx context.Context, fn func(tx Tx) error) error
}

// Tx is what billing changes need inside one transaction, so that a
// subscription, the event that changed it and the email about it are
// written together or not at all.
type Tx interface {
	// MarkEvent records a provider event; fresh is false when it was
	// recorded before, and then nothing else should change.
	MarkEvent(ctx context.Context, id, eventType string, at time.Time) (fresh bool, err error)
	SubscriptionByUser(ctx context.Context, userID int64) (*Subscription, error)
	SubscriptionByRef(ctx context.Context, provider ProviderName, ref string) (*Subscription, error)
	SaveSubscription(ctx context.Context, s *Subscription) error
	Enqueue(ctx context.Context, m *mail.Message) error
	User(ctx context.Context, userID int64) (*account.User, error)
	// CountConversions adds one subscription on the paper's day to each
	// story the reader with readerKey read since a time, and forgets that
	// reader's reads.
	CountConversions(ctx context.Context, readerKey string, since time.Time, day string) (int, error)
}

// Composer renders emails; *mail.Composer is one.
type Composer interface {
	Compose(kind mail.Kind, to, toName string, data map[string]any) (*mail.Message, error)
}

// Provider takes payments for subscriptions.
type Provider interface {
	Name() ProviderName
	// Checkout starts paying for plan and returns where to send the
	// reader: the provider's page, or the site's own for the demo.
	Checkout(ctx context.Context, u *account.User, p *Plan, successURL, cancelURL string) (string, error)
	// Portal returns where a subscriber manages payment and cancels; ""
	// when the site's own buttons do that.
	Portal(ctx context.Context, s *Subscription, returnURL string) (string, error)
}

// Options configure a Service.
type Options struct {
	Store    Store
	Provider Provider
	Composer Composer
	Log      *slog.Logger
	BaseURL  string
	Now      func() time.Time
	// MailSent wakes the mail sender.
	MailSent func()
	// Zone is the paper's time zone, whose months the meter counts and
	// whose dates emails show; nil is UTC.
	Zone clock.Zone
	// Defaults are the settings used until the newsroom changes them.
	Defaults Settings
	// ReaderKey is what stands for a reader among the stories read
	// lately (see insight.Service.ReaderKey): when a subscription begins,
	// the stories its reader read in the hour before count as leading
	// to it. Nil counts nothing.
	ReaderKey func(userID int64) string
}

// Service runs subscriptions and the paywall. It is safe for concurrent
// use.
type Service struct {
	store     Store
	provider  Provider
	composer  Composer
	log       *slog.Logger
	baseURL   string
	now       func() time.Time
	mailSent  func()
	zone      clock.Zone
	defaults  Settings
	readerKey func(userID int64) string
}

// New builds a Service.
func New(opts Options) *Service {
	s := &Service{store: opts.Store, provider: opts.Provider, composer: opts.Composer, log: opts.Log,
		baseURL: opts.BaseURL, now: opts.Now, mailSent: opts.MailSent, zone: opts.Zone, defaults: opts.Defaults,
		readerKey: opts.ReaderKey}
	if s.now == nil {
		panic("billing: New needs a clock") // a wiring mistake, found by any test
	}
	if s.provider == nil {
		s.provider = ClosedProvider{}
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.defaults == (Settings{}) {
		s.defaults = DefaultSettings()
	}
	return s
}

// Provider is the payment provider in use.
func (s *Service) Provider() Provider { return s.provider }

// Open reports whether readers can subscribe: a payment provider is
// configured.
func (s *Service) Open() bool { return s.provider.Name() != Closed }

// Plans lists the plans on sale.
func (s *Service) Plans(ctx context.Context) ([]Plan, error) { return s.store.Plans(ctx, true) }

// AllPlans lists every plan, those on sale and those retired, for the
// admins who manage them.
func (s *Service) AllPlans(ctx context.Context) ([]Plan, error) { return s.store.Plans(ctx, false) }

// SetPlanActive puts a plan on sale or retires it. Subscribers keep a
// retired plan; nobody new can choose it.
func (s *Service) SetPlanActive(ctx context.Context, id int64, active bool) error {
	return s.store.SetPlanActive(ctx, id, active)
}

// Subscription returns the reader's subscription, or nil when there is
// none.
func (s *Service) Subscription(ctx context.Context, userID int64) (*Subscription, error) {
	sub, err := s.store.SubscriptionByUser(ctx, userID)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	return sub, err
}

// HasAccess reports whether the user has digital access: staff, or a
// subscription that gives it.
func (s *Service) HasAccess(ctx context.Context, u *account.User) (bool, *Subscription, error) {
	if u == nil {
		return false, nil, nil
	}
	m, _ := ctx.Value(accessMemoKey{}).(*accessMemo)
	if m != nil && m.userID == u.ID && m.done {
		return m.ok, m.sub, nil
	}
	ok, sub, err := s.hasAccess(ctx, u)
	if m != nil && err == nil {
		m.userID, m.ok, m.sub, m.done = u.ID, ok, sub, true
	}
	return ok, sub, err
}

// accessMemo keeps a request's answer to HasAccess: a story page asks it
// for the paywall and again for the comment form.
type accessMemo struct {
	userID int64
	ok     bool
	sub    *Subscription
	done   bool
}

type accessMemoKey struct{}

// WithAccessMemo returns a context in which HasAccess is answered once per
// reader; use it for one request, whose reader's access does not change
// while it is served.
func WithAccessMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, accessMemoKey{}, &accessMemo{})
}

func (s *Service) hasAccess(ctx context.Context, u *account.User) (bool, *Subscription, error) {
	sub, err := s.Subscription(ctx, u.ID)
	if err != nil {
		return false, nil, err
	}
	if u.Staff() {
		return true, sub, nil
	}
	if sub == nil {
		return false, nil, nil
	}
	set, err := s.Settings(ctx)
	if err != nil {
		return false, nil, err
	}
	return sub.HasAccess(s.now(), set.Grace), sub, nil
}

// Why says why a reader may or may not read a story in full.
type Why string

// Reasons for access, and for the paywall.
const (
	WhyFree       Why = "free"
	WhyStaff      Why = "staff"
	WhySubscriber Why = "subscriber"
	WhyGift       Why = "gift"
	WhyMeter      Why = "meter"
	// WhyRegister: anonymous readers are asked to sign up (or log in).
	WhyRegister Why = "register"
	// WhySubscribe: the meter is spent (or the paywall is hard).
	WhySubscribe Why = "subscribe"
	// WhyConfirm: a registered reader whose email address is not confirmed
	// is asked to confirm it; the meter counts for confirmed readers only.
	WhyConfirm Why = "confirm"
)

// Access is what a reader may see of a story.
type Access struct {
	Full bool
	Why  Why
	// MeterLimit and MeterLeft describe the monthly meter for registered
	// readers without a subscription.
	MeterLimit, MeterLeft int
	// GiftRefused is set when a gift token was offered that does not work.
	GiftRefused bool
	// Subscription is the reader's, if any.
	Subscription *Subscription
}

// StoryAccess decides what u (nil for anonymous readers) may read of st,
// counting a metered read once per story per month and a gift link's
// opening. giftToken is the token from a gift link, or "".
func (s *Service) StoryAccess(ctx context.Context, u *account.User, st *story.Story, giftToken string) (Access, error) {
	if st.Access == story.Free {
		return Access{Full: true, Why: WhyFree}, nil
	}
	now := s.now()
	set, err := s.Settings(ctx)
	if err != nil {
		return Access{}, err
	}
	var a Access
	if u != nil {
		ok, sub, err := s.HasAccess(ctx, u)
		if err != nil {
			return Access{}, err
		}
		a.Subscription = sub
		if ok {
			a.Full, a.Why = true, WhySubscriber
			if u.Staff() {
				a.Why = WhyStaff
			}
			return a, nil
		}
	}
	if giftToken != "" {
		_, err := s.store.OpenGift(ctx, HashToken(giftToken), st.ID, now)
		switch {
		case err == nil:
			a.Full, a.Why = true, WhyGift
			return a, nil
		case errors.Is(err, ErrNotFound):
			a.GiftRefused = true
		default:
			return Access{}, err
		}
	}
	// Anonymous readers are told of the meter too: signing up opens it.
	a.MeterLimit = set.MeterLimit
	if u == nil {
		a.Why = WhyRegister
		return a, nil
	}
	if set.MeterLimit > 0 && !u.Verified() {
		// Otherwise every throwaway address would open the meter.
		a.Why = WhyConfirm
		return a, nil
	}
	if set.MeterLimit > 0 {
		allowed, used, err := s.store.MeterRead(ctx, u.ID, st.ID, Month(now, s.zone.In(ctx)), set.MeterLimit, now)
		if err != nil {
			return Access{}, err
		}
		a.MeterLeft = max(0, set.MeterLimit-used)
		if allowed {
			a.Full, a.Why = true, WhyMeter
			return a, nil
		}
	}
	a.Why = WhySubscribe
	return a, nil
}

// MeterLeft is how many metered stories the reader has left this month.
func (s *Service) MeterLeft(ctx context.Context, userID int64) (left, limit int, err error) {
	set, err := s.Settings(ctx)
	if err != nil {
		return 0, 0, err
	}
	used, err := s.store.MeterUsed(ctx, userID, Month(s.now(), s.zone.In(ctx)))
	if err != nil {
		return 0, 0, err
	}
	return max(0, set.MeterLimit-used), set.MeterLimit, nil
}

// StartCheckout begins a subscription to plan planID for u and returns
// where to send the reader next.
func (s *Service) StartCheckout(ctx context.Context, u *account.User, planID int64) (string, error) {
	return s.StartCheckoutBack(ctx, u, planID, "")
}

// StartCheckoutBack is StartCheckout for a reader who came from back, a
// path on this site (a story, say) that the provider returns them to once
// they have paid; "" returns them to their account page. The caller makes
// sure back is a path on this site.
func (s *Service) StartCheckoutBack(ctx context.Context, u *account.User, planID int64, back string) (string, error) {
	p, err := s.checkoutAllowed(ctx, u, planID)
	if err != nil {
		return "", err
	}
	success := s.baseURL + "/account?done=subscribed"
	if back != "" {
		success = s.baseURL + back
	}
	return s.provider.Checkout(ctx, u, p, success, s.baseURL+"/subscribe")
}

// CheckoutPlan returns plan planID when u may start paying for it now,
// and otherwise the error StartCheckout would return, without starting
// anything: the page before the checkout asks it.
func (s *Service) CheckoutPlan(ctx context.Context, u *account.User, planID int64) (*Plan, error) {
	return s.checkoutAllowed(ctx, u, planID)
}

func (s *Service) checkoutAllowed(ctx context.Context, u *account.User, planID int64) (*Plan, error) {
	if !s.Open() {
		return nil, ErrPaymentsClosed
	}
	p, err := s.store.PlanByID(ctx, planID)
	if err != nil {
		return nil, err
	}
	if !p.Active {
		return nil, ErrPlanRetired
	}
	if !u.Verified() {
		return nil, ErrUnverified
	}
	if ok, _, err := s.HasAccess(ctx, u); err != nil {
		return nil, err
	} else if ok {
		return nil, ErrAlreadySubscribed
	}
	return p, nil
}

// CompleteDemoCheckout starts a demo subscription: no money changes hands.
func (s *Service) CompleteDemoCheckout(ctx context.Context, u *account.User, planID int64) (*Subscription, error) {
	if s.provider.Name() != Demo {
		return nil, fmt.Errorf("billing: the demo checkout is off when real payments are configured")
	}
	p, err := s.checkoutAllowed(ctx, u, planID)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	var out *Subscription
	err = s.store.InBillingTx(ctx, func(tx Tx) error {
		sub, err := tx.SubscriptionByUser(ctx, u.ID)
		if errors.Is(err, ErrNotFound) {
			sub = &Subscription{UserID: u.ID, CreatedAt: now}
		} else if err != nil {
			return err
		}
		sub.PlanID, sub.Provider, sub.CustomerRef, sub.ProviderRef = p.ID, Demo, "", ""
		sub.Status, sub.PeriodEnd, sub.PastDueSince = Active, addPeriod(now, p.Period), time.Time{}
		if p.TrialDays > 0 {
			sub.Status, sub.PeriodEnd = Trialing, now.AddDate(0, 0, p.TrialDays)
		}
		sub.UpdatedAt = now
		if err := tx.SaveSubscription(ctx, sub); err != nil {
			return err
		}
		if err := s.countConversions(ctx, tx, u.ID); err != nil {
			return err
		}
		out = sub
		return s.mail(ctx, tx, u, mail.SubscriptionWelcome, map[string]any{"Plan": p.Name, "Price": p.Price(), "TrialDays": p.TrialDays})
	})
	if err != nil {
		return nil, err
	}
	s.wake()
	return out, nil
}

// countConversions credits the stories the reader read in the hour before
// their subscription began, on the paper's day, and forgets the reads.
func (s *Service) countConversions(ctx context.Context, tx Tx, userID int64) error {
	if s.readerKey == nil {
		return nil
	}
	now := s.now()
	day := insight.Day(now, s.zone.In(ctx))
	if _, err := tx.CountConversions(ctx, s.readerKey(userID), now.Add(-insight.ConversionWindow), day); err != nil {
		return fmt.Errorf("billing: %w", err)
	}
	return nil
}

func addPeriod(t time.Time, p Period) time.Time {
	if p == Yearly {
		return t.AddDate(1, 0, 0)
	}
	return t.AddDate(0, 1, 0)
}

// Cancel stops a demo subscription from renewing; access lasts until the
// period ends. Stripe subscriptions are cancelled in Stripe's portal.
func (s *Service) Cancel(ctx context.Context, u *account.User) error {
	return s.demoChange(ctx, u, func(sub *Subscription) (mail.Kind, bool) {
		if sub.Status != Active && sub.Status != Trialing {
			return "", false
		}
		sub.Status = Canceled
		return mail.SubscriptionCanceled, true
	})
}

// Resume undoes a cancellation before the period ends.
func (s *Service) Resume(ctx context.Context, u *account.User) error {
	return s.demoChange(ctx, u, func(sub *Subscription) (mail.Kind, bool) {
		if sub.Status != Canceled {
			return "", false
		}
		sub.Status = Active
		return "", true
	})
}

func (s *Service) demoChange(ctx context.Context, u *account.User, change func(*Subscription) (mail.Kind, bool)) error {
	now := s.now().UTC()
	err := s.store.InBillingTx(ctx, func(tx Tx) error {
		sub, err := tx.SubscriptionByUser(ctx, u.ID)
		if err != nil {
			return err
		}
		if sub.Provider != Demo || sub.State(now, 0) == Expired {
			return ErrNotFound
		}
		kind, ok := change(sub)
		if !ok {
			return nil
		}
		sub.UpdatedAt = now
		if err := tx.SaveSubscription(ctx, sub); err != nil {
			return err
		}
		if kind != "" {
			return s.mail(ctx, tx, u, kind, map[string]any{"Ends": sub.PeriodEnd.In(s.zone.In(ctx)).Format(clock.LongDateLayout)})
		}
		return nil
	})
	if err == nil {
		s.wake()
	}
	return err
}

// GrantComplimentary gives a reader digital access until a date, as an
// admin may. A reader who pays is left alone.
func (s *Service) GrantComplimentary(ctx context.Context, userID int64, until time.Time) error {
	now := s.now().UTC()
	if !until.After(now) {
		return errors.New("the end date must be in the future")
	}
	return s.store.InBillingTx(ctx, func(tx Tx) error {
		sub, err := tx.SubscriptionByUser(ctx, userID)
		if errors.Is(err, ErrNotFound) {
			sub = &Subscription{UserID: userID, CreatedAt: now}
		} else if err != nil {
			return err
		} else if sub.Provider != Complimentary && sub.HasAccess(now, 0) {
			return ErrAlreadySubscribed
		}
		sub.PlanID, sub.Provider, sub.CustomerRef, sub.ProviderRef = 0, Complimentary, "", ""
		sub.Status, sub.PeriodEnd, sub.PastDueSince, sub.UpdatedAt = Active, until.UTC(), time.Time{}, now
		return tx.SaveSubscription(ctx, sub)
	})
}

// RevokeComplimentary ends complimentary access now.
func (s *Service) RevokeComplimentary(ctx context.Context, userID int64) error {
	now := s.now().UTC()
	return s.store.InBillingTx(ctx, func(tx Tx) error {
		sub, err := tx.SubscriptionByUser(ctx, userID)
		if err != nil {
			return err
		}
		if sub.Provider != Complimentary {
			return ErrNotFound
		}
		sub.Status, sub.PeriodEnd, sub.UpdatedAt = Expired, now, now
		return tx.SaveSubscription(ctx, sub)
	})
}

// mail composes an email to u and queues it in tx.
func (s *Service) mail(ctx context.Context, tx Tx, u *account.User, kind mail.Kind, data map[string]any) error {
	data["Name"] = u.DisplayName
	data["AccountLink"] = s.baseURL + "/account"
	m, err := s.composer.Compose(kind, u.Email, u.DisplayName, data)
	if err != nil {
		return err
	}
	return tx.Enqueue(ctx, m)
}

func (s *Service) wake() {
	if s.mailSent != nil {
		s.mailSent()
	}
}

// HashToken is how gift tokens are stored.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// GiftLink makes a gift link to st for subscriber u and returns its URL.
// It returns ErrGiftLimit past the monthly allowance.
func (s *Service) GiftLink(ctx context.Context, u *account.User, st *story.Story) (string, error) {
	ok, _, err := s.HasAccess(ctx, u)
	if err != nil {
		return "", err
	}
	if !ok || st.Access != story.Subscribers {
		return "", ErrNotFound
	}
	set, err := s.Settings(ctx)
	if err != nil {
		return "", err
	}
	b := make([]byte, 24)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	now := s.now().UTC()
	monthStart := story.MonthStart(now, s.zone.In(ctx))
	g := &Gift{StoryID: st.ID, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(set.GiftLifetime)}
	if err := s.store.CreateGift(ctx, g, HashToken(token), monthStart, set.GiftsPerMonth); err != nil {
		return "", err
	}
	return s.baseURL + st.Path() + "?gift=" + token, nil
}

// Gifts lists the gift links u made, newest first.
func (s *Service) Gifts(ctx context.Context, userID int64) ([]Gift, error) {
	return s.store.Gifts(ctx, userID)
}

// RevokeGift stops one of u's gift links from working.
func (s *Service) RevokeGift(ctx context.Context, userID, giftID int64) error {
	return s.store.RevokeGift(ctx, userID, giftID, s.now().UTC())
}

// GiftsLeft is how many gift links u may still make this month.
func (s *Service) GiftsLeft(ctx context.Context, userID int64) (int, error) {
	set, err := s.Settings(ctx)
	if err != nil {
		return 0, err
	}
	gifts, err := s.store.Gifts(ctx, userID)
	if err != nil {
		return 0, err
	}
	loc := s.zone.In(ctx)
	month := Month(s.now(), loc)
	n := 0
	for _, g := range gifts {
		if Month(g.CreatedAt, loc) == month {
			n++
		}
	}
	return max(0, set.GiftsPerMonth-n), nil
}

// SubscriberFilter selects subscribers for the staff list.
type SubscriberFilter struct {
	Status Status
	Email  string // a part of the address
	Limit  int
}

// Subscriber is one line of the staff list.
type Subscriber struct {
	Subscription
	Email       string
	DisplayName string
	PlanName    string
}

// Subscribers lists subscriptions for staff, with counts by state.
func (s *Service) Subscribers(ctx context.Context, f SubscriberFilter) ([]Subscriber, map[Status]int, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 200
	}
	list, err := s.store.Subscribers(ctx, f)
	if err != nil {
		return nil, nil, err
	}
	counts, err := s.store.SubscriptionCounts(ctx)
	if err != nil {
		return nil, nil, err
	}
	return list, counts, nil
}

// CreatePlan adds a plan.
func (s *Service) CreatePlan(ctx context.Context, p *Plan) error {
	if err := p.Validate(); err != nil {
		return err
	}
	p.CreatedAt = s.now().UTC()
	return s.store.CreatePlan(ctx, p)
}
