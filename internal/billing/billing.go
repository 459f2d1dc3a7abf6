// Package billing holds digital subscriptions and the paywall: plans, each
// reader's subscription and its state, the payment providers (Stripe, and
// a demo provider that takes no money), the monthly meter, gift links, and
// the rule that decides who may read a story in full.
package billing

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Errors the billing Service returns.
var (
	ErrNotFound = errors.New("billing: not found")
	// ErrPlanRetired: the plan is no longer sold.
	ErrPlanRetired = errors.New("billing: plan retired")
	// ErrPaymentsClosed: the site takes no payments yet.
	ErrPaymentsClosed = errors.New("billing: subscriptions are not open yet")
	// ErrAlreadySubscribed: the reader already has digital access.
	ErrAlreadySubscribed = errors.New("billing: already subscribed")
	// ErrUnverified: subscribing needs a confirmed email address.
	ErrUnverified = errors.New("billing: email address not confirmed")
	// ErrProvider: the payment provider could not be reached or refused.
	ErrProvider = errors.New("billing: payment provider unavailable")
	// ErrNotPayable: the plan cannot be bought through the payment
	// provider, as it lacks what the provider needs (a Stripe price).
	// Waiting will not help: an admin must set the plan up.
	ErrNotPayable = errors.New("billing: plan not set up for payment")
	// ErrGiftLimit: the subscriber has used this month's gifts.
	ErrGiftLimit = errors.New("billing: gift limit reached")
)

// Period is how often a plan is billed.
type Period string

// Billing periods.
const (
	Monthly Period = "month"
	Yearly  Period = "year"
)

// Plan is something a reader can subscribe to.
type Plan struct {
	ID          int64
	Name        string
	Description string
	// PriceMinor is the price in the currency's minor unit (cents).
	PriceMinor int64
	// Currency is an ISO 4217 code, upper case.
	Currency  string
	Period    Period
	TrialDays int
	// Active plans are sold; retired ones keep their subscribers.
	Active bool
	// StripePriceID is the price to charge through Stripe.
	StripePriceID string
	Position      int
	CreatedAt     time.Time
}

// Price is the plan's price for people: "€9.00 a month".
func (p *Plan) Price() string {
	return FormatMoney(p.PriceMinor, p.Currency) + " a " + string(p.Period)
}

// FormatMoney writes an amount in minor units with its currency: "€9.00",
// "$120.00", "9.00 CHF".
func FormatMoney(minor int64, currency string) string {
	currency = strings.ToUpper(currency)
	amount := fmt.Sprintf("%d.%02d", minor/100, minor%100)
	switch currency {
	case "EUR":
		return "€" + amount
	case "USD":
		return "$" + amount
	case "GBP":
		return "£" + amount
	}
	return amount + " " + currency
}

// MaxPrice is the highest price a plan can have, in major units.
const MaxPrice = 10_000_000

// ParsePrice reads a price as an admin types it, in major units: "9",
// "9.5", "9.50" or "9,50" are 950 minor units. ok is false for anything
// but a number from 0 to MaxPrice.
func ParsePrice(text string) (minor int64, ok bool) {
	v, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(text), ",", "."), 64)
	if err != nil || v < 0 || v > MaxPrice || math.IsNaN(v) {
		return 0, false
	}
	return int64(math.Round(v * 100)), true
}

// PlanError names the field of a plan that is wrong and says why.
type PlanError struct {
	Field   string
	Message string
}

func (e *PlanError) Error() string { return "billing: plan " + e.Field + ": " + e.Message }

// Validate checks a plan an admin typed; it returns a *PlanError.
func (p *Plan) Validate() error {
	switch {
	case strings.TrimSpace(p.Name) == "":
		return &PlanError{"name", "A plan needs a name."}
	case p.PriceMinor < 0:
		return &PlanError{"price", "A price cannot be negative."}
	case len(p.Currency) != 3:
		return &PlanError{"currency", "The currency is a three-letter code such as EUR."}
	case p.Period != Monthly && p.Period != Yearly:
		return &PlanError{"period", "A plan is billed monthly or yearly."}
	case p.TrialDays < 0 || p.TrialDays > 365:
		return &PlanError{"trial_days", "A trial lasts 0 to 365 days."}
	}
	return nil
}

// Provider names where a subscription is paid.
type ProviderName string

// Providers.
const (
	Demo          ProviderName = "demo"
	Stripe        ProviderName = "stripe"
	Complimentary ProviderName = "complimentary"
	// Closed is no provider at all: the site takes no payments yet.
	Closed ProviderName = "closed"
)

// Status is the state of a subscription.
type Status string

// Subscription states.
const (
	// Incomplete: checkout started but no payment yet; no access.
	Incomplete Status = "incomplete"
	Trialing   Status = "trialing"
	Active     Status = "active"
	// PastDue: a payment failed; access continues through the grace period.
	PastDue Status = "past_due"
	// Canceled: will not renew; access continues until the period ends.
	Canceled Status = "canceled"
	Expired  Status = "expired"
)

// Subscription is a reader's digital access.
type Subscription struct {
	ID       int64
	UserID   int64
	PlanID   int64 // 0 for complimentary access
	Provider ProviderName
	// CustomerRef and ProviderRef are the provider's ids of the customer
	// and the subscription.
	CustomerRef string
	ProviderRef string
	Status      Status
	// PeriodEnd is when the paid (or trial, or complimentary) period ends.
	PeriodEnd time.Time
	// PastDueSince is when the subscription fell past due.
	PastDueSince time.Time
	// ProviderEventAt is the time of the newest provider event applied, so
	// an older event arriving late cannot undo a newer one.
	ProviderEventAt time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time

	// Plan is filled when the subscription is loaded with its plan.
	Plan *Plan
}

// State is the subscription's state at now, with time taken into account:
// a canceled or complimentary subscription past its end, or one past due
// beyond the grace period, has expired.
func (s *Subscription) State(now time.Time, grace time.Duration) Status {
	switch s.Status {
	case Trialing, Active:
		// Demo and Stripe subscriptions renew; the provider says when they
		// stop. Complimentary access ends on its date.
		if s.Provider == Complimentary && !s.PeriodEnd.IsZero() && !now.Before(s.PeriodEnd) {
			return Expired
		}
		return s.Status
	case PastDue:
		if !s.PastDueSince.IsZero() && !now.Before(s.PastDueSince.Add(grace)) {
			return Expired
		}
		return PastDue
	case Canceled:
		if !now.Before(s.PeriodEnd) {
			return Expired
		}
		return Canceled
	}
	return s.Status
}

// HasAccess reports whether the subscription gives digital access at now.
func (s *Subscription) HasAccess(now time.Time, grace time.Duration) bool {
	switch s.State(now, grace) {
	case Trialing, Active, PastDue, Canceled:
		return true
	}
	return false
}

// GraceEnds is when a past-due subscription loses access.
func (s *Subscription) GraceEnds(grace time.Duration) time.Time {
	return s.PastDueSince.Add(grace)
}

// Settings are the paywall's rules a newsroom can change.
type Settings struct {
	// MeterLimit is how many subscribers-only stories a registered reader
	// without a subscription may read each calendar month; 0 is a hard
	// paywall.
	MeterLimit int
	// GiftsPerMonth is how many gift links a subscriber may make in a
	// calendar month.
	GiftsPerMonth int
	// Grace is how long a past-due subscription keeps access.
	Grace time.Duration
	// GiftLifetime is how long a gift link works.
	GiftLifetime time.Duration
}

// DefaultSettings are the rules of a new site.
func DefaultSettings() Settings {
	return Settings{MeterLimit: 3, GiftsPerMonth: 10, Grace: 7 * 24 * time.Hour, GiftLifetime: 14 * 24 * time.Hour}
}

// Gift is a link a subscriber made so anyone can read one story.
type Gift struct {
	ID        int64
	StoryID   int64
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
	Opens     int
	Revoked   bool
	// StoryPath and Headline are filled when gifts are listed.
	StoryPath string
	Headline  string
}

// Live reports whether the gift still opens its story at now.
func (g *Gift) Live(now time.Time) bool { return !g.Revoked && now.Before(g.ExpiresAt) }

// Month is the paper's calendar month of t, in its time zone loc (nil is
// UTC), as the meter counts it: "2026-11". A reader's free stories start
// again at the paper's midnight on the first of the month.
func Month(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01")
}
