package billing

import (
	"context"
	"dateline/internal/clock"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"dateline/internal/account"
	"dateline/internal/mail"
)

// StripeProvider takes payments through Stripe: Stripe Checkout to
// subscribe, Stripe's Billing Portal to change the card or cancel. What
// Stripe then does to a subscription reaches the site as webhook events
// (see Webhook). A StripeProvider is safe for concurrent use.
type StripeProvider struct {
	client *stripe.Client
	key    string
}

var _ Provider = (*StripeProvider)(nil)

// StripeOption configures a StripeProvider.
type StripeOption func(*stripeConfig)

type stripeConfig struct {
	apiURL  string
	retries int64
	log     *slog.Logger
}

// WithStripeAPIURL sends API requests to url instead of Stripe's API: a
// Stripe-compatible server such as stripe-mock (--stripe-api-url). An
// empty url keeps Stripe's. Tests use it: Stripe's real API cannot be
// reached from where they run, so stripe-mock or an httptest server
// stands in for it, at the boundary: everything up to the HTTP request
// stripe-go sends is the real code.
func WithStripeAPIURL(url string) StripeOption {
	return func(c *stripeConfig) { c.apiURL = url }
}

// WithStripeRetries sets how many times a request that failed on the
// network, or that Stripe asks to have retried, is tried again (2 unless
// set). stripe-go sends an idempotency key, so a retried request does not
// create a second session.
func WithStripeRetries(n int) StripeOption {
	return func(c *stripeConfig) { c.retries = int64(max(0, n)) }
}

// WithStripeLogger sets where stripe-go's own messages go (slog.Default
// unless set): its errors and warnings as warnings, the rest as debug.
func WithStripeLogger(l *slog.Logger) StripeOption {
	return func(c *stripeConfig) { c.log = l }
}

// NewStripe returns a provider that uses the secret API key secretKey.
func NewStripe(secretKey string, opts ...StripeOption) *StripeProvider {
	cfg := stripeConfig{retries: stripe.DefaultMaxNetworkRetries, log: slog.Default()}
	for _, o := range opts {
		o(&cfg)
	}
	bc := stripe.BackendConfig{
		MaxNetworkRetries: stripe.Int64(cfg.retries),
		LeveledLogger:     slogLeveled{log: cfg.log, key: secretKey},
	}
	backends := stripe.NewBackendsWithConfig(&bc)
	if cfg.apiURL != "" {
		bc.URL = stripe.String(cfg.apiURL)
		backends.API = stripe.GetBackendWithConfig(stripe.APIBackend, &bc)
	}
	return &StripeProvider{client: stripe.NewClient(secretKey, stripe.WithBackends(backends)), key: secretKey}
}

// Name is Stripe.
func (p *StripeProvider) Name() ProviderName { return Stripe }

// Checkout creates a Stripe Checkout Session that subscribes u to plan,
// and returns the session's URL. The session names the reader (as
// client_reference_id and in metadata) and the plan (in metadata), and
// the subscription it creates carries the same metadata, so its webhook
// events can be tied to the reader whatever order they arrive in. Errors
// wrap ErrProvider, or ErrNotPayable when the plan has no Stripe price.
func (p *StripeProvider) Checkout(ctx context.Context, u *account.User, plan *Plan, successURL, cancelURL string) (string, error) {
	if plan.StripePriceID == "" {
		return "", fmt.Errorf("%w: stripe: plan %d (%s) has no Stripe price", ErrNotPayable, plan.ID, plan.Name)
	}
	userID := strconv.FormatInt(u.ID, 10)
	meta := map[string]string{"user_id": userID, "plan_id": strconv.FormatInt(plan.ID, 10)}
	params := &stripe.CheckoutSessionCreateParams{
		Mode: stripe.String(string(stripe.CheckoutSessionModeSubscription)),
		LineItems: []*stripe.CheckoutSessionCreateLineItemParams{
			{Price: stripe.String(plan.StripePriceID), Quantity: stripe.Int64(1)},
		},
		CustomerEmail:     stripe.String(u.Email),
		ClientReferenceID: stripe.String(userID),
		SuccessURL:        stripe.String(successURL),
		CancelURL:         stripe.String(cancelURL),
		Metadata:          meta,
		SubscriptionData:  &stripe.CheckoutSessionCreateSubscriptionDataParams{Metadata: maps.Clone(meta)},
	}
	if plan.TrialDays > 0 {
		params.SubscriptionData.TrialPeriodDays = stripe.Int64(int64(plan.TrialDays))
	}
	sess, err := p.client.V1CheckoutSessions.Create(ctx, params)
	if err != nil {
		return "", p.fail(ctx, "create a checkout session", err)
	}
	if sess.URL == "" {
		return "", fmt.Errorf("%w: stripe: checkout session %s has no URL", ErrProvider, sess.ID)
	}
	return sess.URL, nil
}

// Portal creates a Stripe Billing Portal session for the subscription's
// customer and returns its URL. Errors wrap ErrProvider.
func (p *StripeProvider) Portal(ctx context.Context, sub *Subscription, returnURL string) (string, error) {
	if sub == nil || sub.CustomerRef == "" {
		return "", fmt.Errorf("%w: stripe: the subscription has no Stripe customer", ErrProvider)
	}
	sess, err := p.client.V1BillingPortalSessions.Create(ctx, &stripe.BillingPortalSessionCreateParams{
		Customer:  stripe.String(sub.CustomerRef),
		ReturnURL: stripe.String(returnURL),
	})
	if err != nil {
		return "", p.fail(ctx, "create a billing portal session", err)
	}
	if sess.URL == "" {
		return "", fmt.Errorf("%w: stripe: billing portal session %s has no URL", ErrProvider, sess.ID)
	}
	return sess.URL, nil
}

// fail describes a failed API call as an error wrapping ErrProvider (and
// the context's error when the caller gave up), with Stripe's message but
// never the secret key.
func (p *StripeProvider) fail(ctx context.Context, what string, err error) error {
	var msg string
	var se *stripe.Error
	if errors.As(err, &se) {
		msg = fmt.Sprintf("%s (HTTP %d", se.Msg, se.HTTPStatusCode)
		if se.Code != "" {
			msg += ", " + string(se.Code)
		}
		if se.RequestID != "" {
			msg += ", request " + se.RequestID
		}
		msg += ")"
	} else {
		msg = err.Error()
	}
	if p.key != "" {
		msg = strings.ReplaceAll(msg, p.key, "[secret key]")
	}
	if ctx.Err() != nil {
		return fmt.Errorf("%w: stripe: %s: %s: %w", ErrProvider, what, msg, ctx.Err())
	}
	return fmt.Errorf("%w: stripe: %s: %s", ErrProvider, what, msg)
}

// slogLeveled passes stripe-go's log lines to slog. Stripe's answers carry
// readers' email addresses and the URLs of their checkout sessions, so the
// bodies stripe-go logs at debug level are left out, and any address or
// secret key that still shows in a line is masked.
type slogLeveled struct {
	log *slog.Logger
	key string
}

func (l slogLeveled) Debugf(format string, v ...any) {
	if strings.HasPrefix(format, "Response:") {
		l.log.Debug("stripe: response received")
		return
	}
	l.log.Debug(l.line(format, v))
}
func (l slogLeveled) Infof(format string, v ...any)  { l.log.Debug(l.line(format, v)) }
func (l slogLeveled) Warnf(format string, v ...any)  { l.log.Warn(l.line(format, v)) }
func (l slogLeveled) Errorf(format string, v ...any) { l.log.Warn(l.line(format, v)) }

// emailPattern matches what looks like an email address in a log line.
var emailPattern = regexp.MustCompile(`[^\s"'<>(),;:@\\]+@[^\s"'<>(),;:@\\]+`)

func (l slogLeveled) line(format string, v []any) string {
	msg := fmt.Sprintf(format, v...)
	if l.key != "" {
		msg = strings.ReplaceAll(msg, l.key, "[secret key]")
	}
	return "stripe: " + emailPattern.ReplaceAllString(msg, "[email]")
}

// ErrBadWebhook: a webhook request that is not a genuine, recent Stripe
// event (bad or missing signature, stale timestamp, malformed body). It
// changed nothing; the web layer answers 400.
var ErrBadWebhook = errors.New("billing: bad webhook")

// Webhook applies Stripe's webhook events to subscriptions. It is safe
// for concurrent use.
type Webhook struct {
	svc    *Service
	secret string
}

// NewWebhook returns a Webhook that checks events against the endpoint's
// signing secret ("whsec_...") and applies them through svc.
func NewWebhook(svc *Service, secret string) *Webhook {
	return &Webhook{svc: svc, secret: secret}
}

// Stripe event types the Webhook acts on; it acknowledges every other
// type without changing anything.
const (
	evSubscriptionCreated = "customer.subscription.created"
	evSubscriptionUpdated = "customer.subscription.updated"
	evSubscriptionDeleted = "customer.subscription.deleted"
	evCheckoutCompleted   = "checkout.session.completed"
	evPaymentFailed       = "invoice.payment_failed"
)

// Handle verifies one delivery of a Stripe event, with signature the
// Stripe-Signature header, and applies it. It returns an error wrapping
// ErrBadWebhook, having changed nothing, when the signature is missing or
// wrong, the timestamp older than five minutes, or the body malformed.
// An event seen before (Stripe delivers at least once) returns nil and
// changes nothing. Any other error means the event was not applied and
// Stripe should deliver it again.
//
// Events are applied in one transaction with the record of the event and
// the emails they cause. Stripe does not deliver in order, so the state
// comes from the subscription object each event carries, guarded by the
// event's time: an older event arriving after a newer one is recorded
// but does not change the subscription.
func (w *Webhook) Handle(ctx context.Context, payload []byte, signature string) error {
	if w.secret == "" {
		// An empty secret would accept anything signed with it.
		return fmt.Errorf("%w: no webhook signing secret is configured", ErrBadWebhook)
	}
	// IgnoreAPIVersionMismatch is deliberate. Stripe sends events in the
	// API version of the account (or of the webhook endpoint), which need
	// not be the one this stripe-go release is pinned to, and the account's
	// version moves on its own schedule. Rather than refuse such events, or
	// trust stripe-go's structs to decode another version's shapes, we
	// read only the few fields we need, which exist in every version we
	// handle, from the raw JSON ourselves (see stripeSubscription and the
	// other types below), including the places they moved to in newer
	// versions. The signature and timestamp are still checked in full.
	ev, err := webhook.ConstructEventWithOptions(payload, signature, w.secret,
		webhook.ConstructEventOptions{IgnoreAPIVersionMismatch: true})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadWebhook, err)
	}
	if ev.ID == "" || ev.Type == "" || ev.Created <= 0 || ev.Data == nil || len(ev.Data.Raw) == 0 {
		return fmt.Errorf("%w: the event lacks an id, type, time or object", ErrBadWebhook)
	}
	e := stripeEvent{id: ev.ID, typ: string(ev.Type), at: time.Unix(ev.Created, 0).UTC()}

	var apply func(ctx context.Context, tx Tx, set Settings) (mailed bool, err error)
	switch e.typ {
	case evSubscriptionCreated, evSubscriptionUpdated, evSubscriptionDeleted:
		var obj stripeSubscription
		if err := json.Unmarshal(ev.Data.Raw, &obj); err != nil || obj.ID == "" {
			return fmt.Errorf("%w: %s %s: unreadable subscription: %v", ErrBadWebhook, e.typ, e.id, err)
		}
		plan, err := w.planFor(ctx, obj.Metadata["plan_id"], obj.priceID())
		if err != nil {
			return fmt.Errorf("billing: stripe event %s: %w", e.id, err)
		}
		apply = func(ctx context.Context, tx Tx, set Settings) (bool, error) {
			return w.subscriptionChanged(ctx, tx, set, e, &obj, plan)
		}
	case evCheckoutCompleted:
		var obj stripeCheckoutSession
		if err := json.Unmarshal(ev.Data.Raw, &obj); err != nil {
			return fmt.Errorf("%w: %s %s: unreadable checkout session: %v", ErrBadWebhook, e.typ, e.id, err)
		}
		plan, err := w.planFor(ctx, obj.Metadata["plan_id"], "")
		if err != nil {
			return fmt.Errorf("billing: stripe event %s: %w", e.id, err)
		}
		apply = func(ctx context.Context, tx Tx, set Settings) (bool, error) {
			return false, w.checkoutCompleted(ctx, tx, set, e, &obj, plan)
		}
	case evPaymentFailed:
		var obj stripeInvoice
		if err := json.Unmarshal(ev.Data.Raw, &obj); err != nil {
			return fmt.Errorf("%w: %s %s: unreadable invoice: %v", ErrBadWebhook, e.typ, e.id, err)
		}
		apply = func(ctx context.Context, tx Tx, set Settings) (bool, error) {
			return w.paymentFailed(ctx, tx, set, e, &obj)
		}
	}

	var set Settings
	if apply != nil {
		if set, err = w.svc.Settings(ctx); err != nil {
			return fmt.Errorf("billing: stripe event %s: %w", e.id, err)
		}
	}
	var mailed bool
	err = w.svc.store.InBillingTx(ctx, func(tx Tx) error {
		mailed = false
		fresh, err := tx.MarkEvent(ctx, e.id, e.typ, e.at)
		if err != nil || !fresh || apply == nil {
			return err
		}
		mailed, err = apply(ctx, tx, set)
		return err
	})
	if err != nil {
		return fmt.Errorf("billing: stripe event %s (%s): %w", e.id, e.typ, err)
	}
	if mailed {
		w.svc.wake()
	}
	return nil
}

// stripeEvent is what the Webhook keeps of an event's envelope.
type stripeEvent struct {
	id, typ string
	at      time.Time // when Stripe created the event
}

// The objects events carry, reduced to the fields Dateline reads. Each
// field is read where every API version we handle puts it; fields that
// moved are read in both places.

// stripeSubscription is a Subscription object.
type stripeSubscription struct {
	ID                string            `json:"id"`
	Customer          stripeID          `json:"customer"`
	Status            string            `json:"status"`
	CancelAtPeriodEnd bool              `json:"cancel_at_period_end"`
	CancelAt          int64             `json:"cancel_at"`
	TrialEnd          int64             `json:"trial_end"`
	Metadata          map[string]string `json:"metadata"`
	// CurrentPeriodEnd is on the subscription up to API version
	// 2025-02-24.acacia; from 2025-03-31.basil it is only on its items.
	CurrentPeriodEnd int64 `json:"current_period_end"`
	Items            struct {
		Data []struct {
			CurrentPeriodEnd int64 `json:"current_period_end"`
			Price            struct {
				ID string `json:"id"`
			} `json:"price"`
		} `json:"data"`
	} `json:"items"`
}

// periodEnd is when the subscription's current period ends: the
// subscription's own field when set, else the latest of its items', else
// the trial's end; zero when none is given.
func (s *stripeSubscription) periodEnd() time.Time {
	end := s.CurrentPeriodEnd
	if end <= 0 {
		for _, it := range s.Items.Data {
			end = max(end, it.CurrentPeriodEnd)
		}
	}
	if end <= 0 && s.Status == "trialing" {
		end = s.TrialEnd
	}
	return unixTime(end)
}

// priceID is the price of the subscription's first item.
func (s *stripeSubscription) priceID() string {
	if len(s.Items.Data) == 0 {
		return ""
	}
	return s.Items.Data[0].Price.ID
}

// status maps Stripe's subscription status to ours; ok is false for a
// status this code does not know.
func (s *stripeSubscription) status(eventType string) (st Status, ok bool) {
	if eventType == evSubscriptionDeleted {
		return Expired, true
	}
	switch s.Status {
	case "trialing", "active":
		if s.CancelAtPeriodEnd || s.CancelAt > 0 {
			return Canceled, true
		}
		if s.Status == "trialing" {
			return Trialing, true
		}
		return Active, true
	case "past_due", "unpaid":
		return PastDue, true
	case "canceled", "incomplete_expired", "paused":
		return Expired, true
	case "incomplete":
		return Incomplete, true
	}
	return "", false
}

// stripeCheckoutSession is a Checkout Session object.
type stripeCheckoutSession struct {
	ID                string            `json:"id"`
	Customer          stripeID          `json:"customer"`
	Subscription      stripeID          `json:"subscription"`
	ClientReferenceID string            `json:"client_reference_id"`
	Metadata          map[string]string `json:"metadata"`
}

// stripeInvoice is an Invoice object.
type stripeInvoice struct {
	ID string `json:"id"`
	// Subscription is on the invoice up to 2025-02-24.acacia; from
	// 2025-03-31.basil it is under parent.subscription_details.
	Subscription stripeID `json:"subscription"`
	Parent       struct {
		SubscriptionDetails struct {
			Subscription stripeID `json:"subscription"`
		} `json:"subscription_details"`
	} `json:"parent"`
}

func (inv *stripeInvoice) subscriptionRef() string {
	if inv.Subscription != "" {
		return string(inv.Subscription)
	}
	return string(inv.Parent.SubscriptionDetails.Subscription)
}

// stripeID is a reference to another Stripe object: its id, or the object
// itself when the field was expanded, or null.
type stripeID string

// UnmarshalJSON reads an id, an expanded object's id, or null.
func (id *stripeID) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*id = stripeID(s)
		return nil
	}
	var obj struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(b, &obj); err != nil {
		return err
	}
	*id = stripeID(obj.ID)
	return nil
}

func unixTime(sec int64) time.Time {
	if sec <= 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}

// metaID reads a positive id such as metadata's user_id; 0 when absent or
// not a number.
func metaID(s string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return 0
	}
	return n
}

// planFor finds the plan a subscription is for: the plan sold at its
// Stripe price (which follows a change of plan made in Stripe's portal),
// else the plan named in its metadata; nil when neither is known. It reads
// outside the event's transaction; plans are only read here.
func (w *Webhook) planFor(ctx context.Context, metaPlan, priceID string) (*Plan, error) {
	if priceID != "" {
		plans, err := w.svc.store.Plans(ctx, false)
		if err != nil {
			return nil, err
		}
		for i := range plans {
			if plans[i].StripePriceID == priceID {
				return &plans[i], nil
			}
		}
	}
	id := metaID(metaPlan)
	if id == 0 {
		return nil, nil
	}
	p, err := w.svc.store.PlanByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		w.svc.log.Warn("stripe: event names an unknown plan", "plan_id", id)
		return nil, nil
	}
	return p, err
}

// stripeUser loads the user an event names; nil when there is none.
func (w *Webhook) stripeUser(ctx context.Context, tx Tx, e stripeEvent, userID int64) (*account.User, error) {
	if userID == 0 {
		w.svc.log.Warn("stripe: event names no reader; ignored", "event", e.id, "type", e.typ)
		return nil, nil
	}
	u, err := tx.User(ctx, userID)
	if errors.Is(err, account.ErrNotFound) || errors.Is(err, ErrNotFound) {
		w.svc.log.Warn("stripe: event names an unknown reader; ignored", "event", e.id, "type", e.typ, "user_id", userID)
		return nil, nil
	}
	return u, err
}

// subscriptionChanged applies customer.subscription.created, .updated and
// .deleted: the subscription object's own status and period, unless the
// reader's row already reflects a newer event of the same subscription.
func (w *Webhook) subscriptionChanged(ctx context.Context, tx Tx, set Settings, e stripeEvent, obj *stripeSubscription, plan *Plan) (bool, error) {
	log := w.svc.log.With("event", e.id, "type", e.typ, "subscription", obj.ID)
	now := w.svc.now().UTC()
	status, ok := obj.status(e.typ)
	if !ok {
		log.Warn("stripe: unknown subscription status; ignored", "status", obj.Status)
		return false, nil
	}

	row, err := tx.SubscriptionByRef(ctx, Stripe, obj.ID)
	same := err == nil
	if errors.Is(err, ErrNotFound) {
		// Not linked yet (its checkout.session.completed may not have
		// arrived): find the reader through the metadata Checkout set.
		u, err := w.stripeUser(ctx, tx, e, metaID(obj.Metadata["user_id"]))
		if u == nil || err != nil {
			return false, err
		}
		row, err = tx.SubscriptionByUser(ctx, u.ID)
		if errors.Is(err, ErrNotFound) {
			row, err = &Subscription{UserID: u.ID, CreatedAt: now}, nil
		}
		if err != nil {
			return false, err
		}
		same = row.Provider == Stripe && row.ProviderRef == obj.ID
	} else if err != nil {
		return false, err
	}

	switch {
	case same && row.ProviderEventAt.After(e.at):
		log.Info("stripe: event older than the subscription's state; ignored", "event_at", e.at, "state_at", row.ProviderEventAt)
		return false, nil
	case !same && row.ID != 0 && row.HasAccess(now, set.Grace) && !givesAccess(status):
		// The reader's row is another subscription (or complimentary
		// access) that still gives access: one that gives none must not
		// take its place.
		log.Info("stripe: the reader has other access; event ignored", "status", status, "current", row.Provider)
		return false, nil
	}

	prev := *row
	row.Provider, row.ProviderRef = Stripe, obj.ID
	if obj.Customer != "" {
		row.CustomerRef = string(obj.Customer)
	}
	if plan != nil {
		row.PlanID, row.Plan = plan.ID, plan
	}
	if end := obj.periodEnd(); !end.IsZero() {
		row.PeriodEnd = end
	}
	if cancelAt := unixTime(obj.CancelAt); status == Canceled && !cancelAt.IsZero() &&
		(row.PeriodEnd.IsZero() || cancelAt.Before(row.PeriodEnd)) {
		row.PeriodEnd = cancelAt
	}
	row.Status = status
	switch {
	case status != PastDue:
		row.PastDueSince = time.Time{}
	case !same || prev.Status != PastDue || prev.PastDueSince.IsZero():
		row.PastDueSince = e.at
	}
	row.ProviderEventAt, row.UpdatedAt = e.at, now
	if err := tx.SaveSubscription(ctx, row); err != nil {
		return false, err
	}

	var kind mail.Kind
	data := map[string]any{}
	switch {
	case (status == Trialing || status == Active) && !(same && prev.HasAccess(now, set.Grace)):
		// Access through this subscription begins.
		if err := w.svc.countConversions(ctx, tx, row.UserID); err != nil {
			return false, err
		}
		p := row.Plan
		if p == nil {
			log.Warn("stripe: subscription without a known plan; no welcome email", "user_id", row.UserID)
			break
		}
		trial := 0
		if status == Trialing {
			trial = p.TrialDays
		}
		kind, data["Plan"], data["Price"], data["TrialDays"] = mail.SubscriptionWelcome, p.Name, p.Price(), trial
	case status == Canceled && same && (prev.State(now, set.Grace) == Active || prev.State(now, set.Grace) == Trialing):
		kind, data["Ends"] = mail.SubscriptionCanceled, row.PeriodEnd.In(w.svc.zone.In(ctx)).Format(clock.LongDateLayout)
	}
	if kind == "" {
		return false, nil
	}
	u, err := tx.User(ctx, row.UserID)
	if err != nil {
		return false, err
	}
	return true, w.svc.mail(ctx, tx, u, kind, data)
}

// givesAccess reports whether a stored status gives access (before time
// is taken into account).
func givesAccess(s Status) bool {
	switch s {
	case Trialing, Active, PastDue, Canceled:
		return true
	}
	return false
}

// checkoutCompleted applies checkout.session.completed: it links the
// reader to the Stripe subscription and customer. It never grants access:
// the subscription's own events say whether it is paid.
func (w *Webhook) checkoutCompleted(ctx context.Context, tx Tx, set Settings, e stripeEvent, obj *stripeCheckoutSession, plan *Plan) error {
	log := w.svc.log.With("event", e.id, "type", e.typ, "session", obj.ID)
	now := w.svc.now().UTC()
	ref := string(obj.Subscription)
	if ref == "" {
		log.Info("stripe: checkout session without a subscription; ignored")
		return nil
	}
	row, err := tx.SubscriptionByRef(ctx, Stripe, ref)
	if err == nil {
		// The subscription's events came first; fill in what they lacked.
		if row.CustomerRef != "" || obj.Customer == "" {
			return nil
		}
		row.CustomerRef, row.UpdatedAt = string(obj.Customer), now
		return tx.SaveSubscription(ctx, row)
	}
	if !errors.Is(err, ErrNotFound) {
		return err
	}

	userID := metaID(obj.ClientReferenceID)
	if userID == 0 {
		userID = metaID(obj.Metadata["user_id"])
	}
	u, err := w.stripeUser(ctx, tx, e, userID)
	if u == nil || err != nil {
		return err
	}
	row, err = tx.SubscriptionByUser(ctx, u.ID)
	switch {
	case errors.Is(err, ErrNotFound):
		row = &Subscription{UserID: u.ID, CreatedAt: now}
	case err != nil:
		return err
	case row.HasAccess(now, set.Grace):
		// Replacing it with an incomplete subscription would take access
		// away until the subscription's events arrive; they will replace
		// it themselves, through the metadata.
		log.Info("stripe: the reader has access; left to the subscription's events", "user_id", u.ID, "current", row.Provider)
		return nil
	}
	row.Provider, row.ProviderRef, row.CustomerRef = Stripe, ref, string(obj.Customer)
	row.Status, row.PeriodEnd, row.PastDueSince = Incomplete, time.Time{}, time.Time{}
	// This event says nothing of the subscription's state, so it does not
	// count as the newest state: an earlier subscription event arriving
	// after it must still apply.
	row.ProviderEventAt, row.UpdatedAt = time.Time{}, now
	if plan != nil {
		row.PlanID = plan.ID
	}
	return tx.SaveSubscription(ctx, row)
}

// paymentFailed applies invoice.payment_failed: a paying subscription
// falls past due (keeping access through the grace period), and the
// reader is told until when.
func (w *Webhook) paymentFailed(ctx context.Context, tx Tx, set Settings, e stripeEvent, obj *stripeInvoice) (bool, error) {
	log := w.svc.log.With("event", e.id, "type", e.typ, "invoice", obj.ID)
	now := w.svc.now().UTC()
	ref := obj.subscriptionRef()
	if ref == "" {
		log.Info("stripe: invoice without a subscription; ignored")
		return false, nil
	}
	row, err := tx.SubscriptionByRef(ctx, Stripe, ref)
	if errors.Is(err, ErrNotFound) {
		log.Info("stripe: payment failed for an unknown subscription; ignored", "subscription", ref)
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if row.ProviderEventAt.After(e.at) {
		log.Info("stripe: event older than the subscription's state; ignored", "event_at", e.at, "state_at", row.ProviderEventAt)
		return false, nil
	}
	switch row.Status {
	case Active, Trialing:
		row.Status, row.PastDueSince = PastDue, e.at
	case PastDue:
		if !row.PastDueSince.IsZero() {
			break
		}
		row.PastDueSince = e.at
	default:
		// Incomplete (the first payment, made in Checkout, failed: there
		// was never access to keep), or already ending.
		return false, nil
	}
	row.ProviderEventAt, row.UpdatedAt = e.at, now
	if err := tx.SaveSubscription(ctx, row); err != nil {
		return false, err
	}
	if !row.HasAccess(now, set.Grace) {
		return false, nil
	}
	u, err := tx.User(ctx, row.UserID)
	if err != nil {
		return false, err
	}
	ends := row.GraceEnds(set.Grace).In(w.svc.zone.In(ctx)).Format(clock.LongDateLayout)
	return true, w.svc.mail(ctx, tx, u, mail.PaymentFailed, map[string]any{"GraceEnds": ends})
}
