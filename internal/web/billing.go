package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"dateline/internal/account"
	"dateline/internal/billing"
	"dateline/internal/story"
)

// subscriptionPages are subscribing and managing a subscription, gift
// links, the admins' plans and subscribers, and Stripe's webhook.
type subscriptionPages struct {
	*Server
	billing *billing.Service
	webhook *billing.Webhook // nil without Stripe
}

// subscribePage is the data of /subscribe.
type subscribePage struct {
	layoutData
	Plans   []planOffer
	Message string
	Demo    bool
	// Open is false while the site takes no payments: the plans are
	// shown without buttons.
	Open   bool
	Sub    *billing.Subscription
	HasSub bool
	// Back is the page on this site the reader came from, where paying
	// returns them; "" returns them to their account page.
	Back string
}

// planOffer is a plan with the way to its checkout: a signed-in reader
// posts its form, an anonymous one signs up with Checkout kept as where
// to go once their address is confirmed.
type planOffer struct {
	billing.Plan
	// Checkout is the page of the plan's checkout, with the page to
	// return to once paid.
	Checkout string
	// Back is the page to return to once paid, or "".
	Back string
}

// Price is the plan's price in words, as Plan.Price says it.
func (o planOffer) Price() string { return o.Plan.Price() }

// checkoutPath is the page of plan id's checkout, returning to back (a
// path on this site, or "") once paid.
func checkoutPath(id int64, back string) string {
	p := "/subscribe/checkout?plan=" + strconv.FormatInt(id, 10)
	if back != "" {
		p += "&back=" + url.QueryEscape(back)
	}
	return p
}

// offers pairs each plan with its checkout, returning to back once paid.
func offers(plans []billing.Plan, back string) []planOffer {
	out := make([]planOffer, len(plans))
	for i, p := range plans {
		out[i] = planOffer{Plan: p, Checkout: checkoutPath(p.ID, back), Back: back}
	}
	return out
}

// backOf is the page a checkout returns to, as the request names it:
// a path on this site, or "".
func backOf(raw string) string { return safeNext(raw, "") }

func (sp *subscriptionPages) subscribePage(w http.ResponseWriter, r *http.Request) {
	sp.renderSubscribe(w, r, http.StatusOK, "")
}

func (sp *subscriptionPages) renderSubscribe(w http.ResponseWriter, r *http.Request, status int, message string) {
	plans, err := sp.billing.Plans(r.Context())
	if err != nil {
		sp.serverError(w, r, err)
		return
	}
	back := backOf(r.FormValue("back"))
	p := subscribePage{layoutData: sp.layout(r, "Subscribe for digital access"), Plans: offers(plans, back), Message: message,
		Demo: sp.billing.Provider().Name() == billing.Demo, Open: sp.billing.Open(), Back: back}
	if u := viewerOf(r).User; u != nil {
		ok, sub, err := sp.billing.HasAccess(r.Context(), u)
		if err != nil {
			sp.serverError(w, r, err)
			return
		}
		p.Sub, p.HasSub = sub, ok
	}
	sp.render(w, r, status, "subscribe", p)
}

// checkoutError says what went wrong with a checkout in the reader's words.
func checkoutError(err error) (int, string, bool) {
	switch {
	case errors.Is(err, billing.ErrPaymentsClosed):
		return http.StatusConflict, "Subscriptions are not open yet, so nothing can be bought. Please come back soon.", true
	case errors.Is(err, billing.ErrPlanRetired), errors.Is(err, billing.ErrNotFound):
		return http.StatusConflict, "That plan is no longer offered. Please choose one of the plans below.", true
	case errors.Is(err, billing.ErrAlreadySubscribed):
		return http.StatusConflict, "You already have digital access, so there is nothing to buy. Your account page shows your subscription.", true
	case errors.Is(err, billing.ErrUnverified):
		return http.StatusForbidden, "Please confirm your email address first: open the link we sent you, or ask for a new one on your account page.", true
	case errors.Is(err, billing.ErrNotPayable):
		return http.StatusServiceUnavailable, "Sorry, this plan is not set up for payment yet. Please choose another plan below; we are looking into it.", true
	case errors.Is(err, billing.ErrProvider):
		return http.StatusServiceUnavailable, "We could not reach our payment provider just now. Nothing was charged; please try again in a minute.", true
	}
	return 0, "", false
}

// checkoutPage is the page a plan's Subscribe button leads a reader to
// who was not signed in: after signing up (or logging in) they land here,
// with the plan they chose, one button away from paying. It shows the
// subscribe page with a message when that plan cannot be bought now.
func (sp *subscriptionPages) checkoutPage(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	if v.User == nil {
		// The plan, and the page to come back to, are kept through the
		// log-in (and the sign-up it offers).
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	planID, err := strconv.ParseInt(r.URL.Query().Get("plan"), 10, 64)
	if err != nil || planID <= 0 {
		sp.renderSubscribe(w, r, http.StatusUnprocessableEntity, "Choose one of the plans below.")
		return
	}
	p, err := sp.billing.CheckoutPlan(r.Context(), v.User, planID)
	if err != nil {
		if status, msg, ok := checkoutError(err); ok {
			sp.renderSubscribe(w, r, status, msg)
			return
		}
		sp.serverError(w, r, err)
		return
	}
	sp.renderCheckout(w, r, p, backOf(r.URL.Query().Get("back")))
}

func (sp *subscriptionPages) checkout(w http.ResponseWriter, r *http.Request) {
	v, f, ok := sp.userForm(w, r, "plan", "back")
	if !ok {
		return
	}
	planID, err := strconv.ParseInt(f.Get("plan"), 10, 64)
	if err != nil || planID <= 0 {
		sp.renderSubscribe(w, r, http.StatusUnprocessableEntity, "Choose one of the plans below.")
		return
	}
	back := backOf(f.Get("back"))
	next, err := sp.billing.StartCheckoutBack(r.Context(), v.User, planID, back)
	if err != nil {
		if status, msg, ok := checkoutError(err); ok {
			switch {
			case errors.Is(err, billing.ErrNotPayable):
				sp.log.Error("checkout: plan not set up for payment", "plan_id", planID, "err", err)
			case status == http.StatusServiceUnavailable:
				sp.log.Warn("checkout: payment provider", "err", err)
				w.Header().Set("Retry-After", "60")
			}
			sp.renderSubscribe(w, r, status, msg)
			return
		}
		sp.serverError(w, r, err)
		return
	}
	if back != "" && sp.billing.Provider().Name() == billing.Demo {
		// The demo checkout is a page of this site: it returns the reader
		// to where they came from itself.
		next += "&back=" + url.QueryEscape(back)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// demoPage is the data of the checkout page: the demo provider's, or the
// step before Stripe's.
type demoPage struct {
	layoutData
	Plan *billing.Plan
	// Demo is true for the demo provider's checkout, whose button starts
	// the subscription; otherwise the button goes on to Stripe.
	Demo bool
	// Back is where the reader returns once subscribed, or "".
	Back string
}

func (sp *subscriptionPages) renderCheckout(w http.ResponseWriter, r *http.Request, p *billing.Plan, back string) {
	data := demoPage{layoutData: sp.layout(r, "Checkout"), Plan: p, Back: back,
		Demo: sp.billing.Provider().Name() == billing.Demo}
	if data.Demo {
		data.Title = "Demo checkout"
	}
	data.NoIndex = true
	sp.render(w, r, http.StatusOK, "democheckout", data)
}

func (sp *subscriptionPages) demoPlan(w http.ResponseWriter, r *http.Request, raw string) (*billing.Plan, bool) {
	if sp.billing.Provider().Name() != billing.Demo {
		sp.notFound(w, r)
		return nil, false
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		sp.renderSubscribe(w, r, http.StatusUnprocessableEntity, "Choose one of the plans below.")
		return nil, false
	}
	plans, err := sp.billing.Plans(r.Context())
	if err != nil {
		sp.serverError(w, r, err)
		return nil, false
	}
	for i := range plans {
		if plans[i].ID == id {
			return &plans[i], true
		}
	}
	sp.renderSubscribe(w, r, http.StatusConflict, "That plan is no longer offered. Please choose one of the plans below.")
	return nil, false
}

func (sp *subscriptionPages) demoCheckoutPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := sp.requireUser(w, r); !ok {
		return
	}
	p, ok := sp.demoPlan(w, r, r.URL.Query().Get("plan"))
	if !ok {
		return
	}
	sp.renderCheckout(w, r, p, backOf(r.URL.Query().Get("back")))
}

func (sp *subscriptionPages) demoCheckout(w http.ResponseWriter, r *http.Request) {
	v, f, ok := sp.userForm(w, r, "plan", "back")
	if !ok {
		return
	}
	p, ok := sp.demoPlan(w, r, f.Get("plan"))
	if !ok {
		return
	}
	if _, err := sp.billing.CompleteDemoCheckout(r.Context(), v.User, p.ID); err != nil {
		if status, msg, ok := checkoutError(err); ok {
			sp.renderSubscribe(w, r, status, msg)
			return
		}
		sp.serverError(w, r, err)
		return
	}
	// Back to the story the reader came from, now theirs in full.
	http.Redirect(w, r, safeNext(f.Get("back"), "/account?done=subscribed"), http.StatusSeeOther) // #nosec G710 -- safeNext keeps back on this site
}

func (sp *subscriptionPages) subscriptionChange(change func(ctx context.Context, u *account.User) error, done string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, ok := sp.requireUser(w, r)
		if !ok {
			return
		}
		if err := change(r.Context(), v.User); err != nil {
			if errors.Is(err, billing.ErrNotFound) {
				sp.badRequest(w, r, "There is no subscription here that can be changed that way.")
				return
			}
			sp.serverError(w, r, err)
			return
		}
		http.Redirect(w, r, "/account?done="+done, http.StatusSeeOther)
	}
}

// cancelPage is the data of the page that asks before cancelling.
type cancelPage struct {
	layoutData
	Sub *billing.Subscription
}

// cancelPage asks a demo subscriber to confirm cancelling, and says when
// their access ends: one press here cancels, as one press on the checkout
// page subscribes. Readers with nothing to cancel go to their account.
func (sp *subscriptionPages) cancelPage(w http.ResponseWriter, r *http.Request) {
	v, ok := sp.requireUser(w, r)
	if !ok {
		return
	}
	sub, err := sp.billing.Subscription(r.Context(), v.User.ID)
	if err != nil {
		sp.serverError(w, r, err)
		return
	}
	if sub == nil || sub.Provider != billing.Demo {
		http.Redirect(w, r, "/account", http.StatusSeeOther)
		return
	}
	if st := sub.State(sp.now(), 0); st != billing.Active && st != billing.Trialing {
		http.Redirect(w, r, "/account", http.StatusSeeOther)
		return
	}
	p := cancelPage{layoutData: sp.layout(r, "Cancel your subscription"), Sub: sub}
	p.NoIndex = true
	sp.render(w, r, http.StatusOK, "cancel", p)
}

func (sp *subscriptionPages) manageSubscription(w http.ResponseWriter, r *http.Request) {
	v, ok := sp.requireUser(w, r)
	if !ok {
		return
	}
	sub, err := sp.billing.Subscription(r.Context(), v.User.ID)
	if err != nil || sub == nil {
		sp.fail(w, r, errOr(err, story.ErrNotFound))
		return
	}
	to, err := sp.billing.Provider().Portal(r.Context(), sub, sp.opts.BaseURL+"/account")
	if err != nil {
		sp.log.Warn("subscription portal", "err", err)
		sp.errorPage(w, r, http.StatusServiceUnavailable, "Please try again",
			"We could not reach our payment provider just now. Please try again in a minute.")
		return
	}
	if to == "" {
		to = "/account"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func errOr(err, fallback error) error {
	if err != nil {
		return err
	}
	return fallback
}

func (sp *subscriptionPages) createGift(w http.ResponseWriter, r *http.Request) {
	v, f, ok := sp.userForm(w, r, "story")
	if !ok {
		return
	}
	st, err := sp.storySvc.StoryBySlug(r.Context(), f.Get("story"))
	if err != nil || !st.Visible(sp.now()) {
		sp.fail(w, r, errOr(err, story.ErrNotFound))
		return
	}
	link, err := sp.billing.GiftLink(r.Context(), v.User, st)
	switch {
	case errors.Is(err, billing.ErrGiftLimit):
		sp.errorPage(w, r, http.StatusTooManyRequests, "No gifts left this month",
			"You have shared all your gift links for this month. New ones become available on the first of next month.")
		return
	case errors.Is(err, billing.ErrNotFound):
		sp.errorPage(w, r, http.StatusForbidden, "Gift links are for subscribers",
			"Subscribers can share stories for subscribers with anyone. Every story can be shared with its ordinary link.")
		return
	case err != nil:
		sp.serverError(w, r, err)
		return
	}
	left, err := sp.billing.GiftsLeft(r.Context(), v.User.ID)
	if err != nil {
		sp.serverError(w, r, err)
		return
	}
	// Back on the story, with the new link shown where the button was,
	// ready to copy (the page's script copies it at once where the
	// browser lets it). The link is the reader's own: not kept, not
	// indexed, and sent to nobody as a referrer.
	data, ok := sp.storyData(w, r, st, nil)
	if !ok {
		return
	}
	data.NewGift = &newGift{Link: link, Left: left}
	data.NoIndex = true
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	sp.finishStory(r, data)
	sp.render(w, r, http.StatusOK, "story", data)
}

func (sp *subscriptionPages) revokeGift(w http.ResponseWriter, r *http.Request) {
	v, ok := sp.requireUser(w, r)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		sp.notFound(w, r)
		return
	}
	if err := sp.billing.RevokeGift(r.Context(), v.User.ID, id); err != nil {
		if errors.Is(err, billing.ErrNotFound) {
			sp.notFound(w, r)
			return
		}
		sp.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/account?done=gift", http.StatusSeeOther)
}

// requireCan lets through users whose role may do p, and answers
// everyone else that the page is not for them.
func (s *Server) requireCan(w http.ResponseWriter, r *http.Request, p account.Permission) (*viewer, bool) {
	v, ok := s.requireUser(w, r)
	if !ok {
		return nil, false
	}
	if v.User.Can(p) {
		return v, true
	}
	s.errorPage(w, r, http.StatusForbidden, "This page is for staff",
		"Your account does not have access to this page.")
	return nil, false
}

// subscribersPage is the data of /admin/subscribers.
type subscribersPage struct {
	layoutData
	List    []billing.Subscriber
	Counts  []stateCount
	Status  string
	Query   string
	Form    *form
	States  []billing.Status
	NowTime time.Time
	Grace   time.Duration
}

type stateCount struct {
	Status billing.Status
	Count  int
}

func (sp *subscriptionPages) adminSubscribers(w http.ResponseWriter, r *http.Request) {
	if _, ok := sp.requireCan(w, r, account.RunSite); !ok {
		return
	}
	sp.renderSubscribers(w, r, http.StatusOK, newForm())
}

func (sp *subscriptionPages) renderSubscribers(w http.ResponseWriter, r *http.Request, status int, f *form) {
	q := r.URL.Query()
	filter := billing.SubscriberFilter{Status: billing.Status(q.Get("status")), Email: strings.TrimSpace(q.Get("q"))}
	states := []billing.Status{billing.Trialing, billing.Active, billing.PastDue, billing.Canceled, billing.Expired, billing.Incomplete}
	valid := filter.Status == ""
	for _, st := range states {
		valid = valid || st == filter.Status
	}
	if !valid {
		sp.badRequest(w, r, "There is no such subscription state.")
		return
	}
	list, counts, err := sp.billing.Subscribers(r.Context(), filter)
	if err != nil {
		sp.serverError(w, r, err)
		return
	}
	set, err := sp.billing.Settings(r.Context())
	if err != nil {
		sp.serverError(w, r, err)
		return
	}
	p := subscribersPage{layoutData: sp.layout(r, "Subscribers"), List: list, Status: string(filter.Status),
		Query: filter.Email, Form: f, States: states, NowTime: sp.now(), Grace: set.Grace}
	p.NoIndex = true
	for _, st := range states {
		p.Counts = append(p.Counts, stateCount{st, counts[st]})
	}
	sp.render(w, r, status, "subscribers", p)
}

func (sp *subscriptionPages) grantComplimentary(w http.ResponseWriter, r *http.Request) {
	_, f, ok := sp.staffForm(w, r, account.RunSite, "email", "until")
	if !ok {
		return
	}
	until, err := time.Parse("2006-01-02", f.Get("until"))
	if err != nil {
		f.Fail("until", "Give the last day of access as a date.")
	}
	var u *account.User
	if f.OK() {
		u, err = sp.accounts.UserByEmail(r.Context(), f.Get("email"))
		if err != nil {
			f.Fail("email", "There is no reader with that address.")
		}
	}
	if f.OK() {
		// Access lasts to the end of the last day, at the paper's midnight.
		end := story.DayStart(until.Year(), until.Month(), until.Day()+1, sp.zone(r.Context()))
		err = sp.billing.GrantComplimentary(r.Context(), u.ID, end)
		switch {
		case errors.Is(err, billing.ErrAlreadySubscribed):
			f.Fail("email", "That reader already pays for a subscription.")
		case err != nil && strings.Contains(err.Error(), "future"):
			f.Fail("until", "The last day of access must be in the future.")
		case err != nil:
			sp.serverError(w, r, err)
			return
		}
	}
	if !f.OK() {
		sp.renderSubscribers(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	http.Redirect(w, r, "/admin/subscribers?q="+url.QueryEscape(u.Email), http.StatusSeeOther)
}

func (sp *subscriptionPages) revokeComplimentary(w http.ResponseWriter, r *http.Request) {
	_, f, ok := sp.staffForm(w, r, account.RunSite, "user")
	if !ok {
		return
	}
	id, err := strconv.ParseInt(f.Get("user"), 10, 64)
	if err != nil {
		sp.badRequest(w, r, "No such reader.")
		return
	}
	if err := sp.billing.RevokeComplimentary(r.Context(), id); err != nil {
		if errors.Is(err, billing.ErrNotFound) {
			sp.badRequest(w, r, "That reader has no complimentary access.")
			return
		}
		sp.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/subscribers", http.StatusSeeOther)
}

// maxWebhookBytes caps a Stripe event; real ones are a few kilobytes.
const maxWebhookBytes = 256 << 10

func (sp *subscriptionPages) stripeWebhook(w http.ResponseWriter, r *http.Request) {
	payload, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBytes))
	if err != nil {
		writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": "payload too large"})
		return
	}
	err = sp.webhook.Handle(r.Context(), payload, r.Header.Get("Stripe-Signature"))
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, map[string]bool{"received": true})
	case errors.Is(err, billing.ErrBadWebhook):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
	default:
		// Stripe tries again later.
		sp.log.Error("stripe webhook", "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "could not apply the event; it will be retried"})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	// The status is sent; a failed write means the client left.
	_ = json.NewEncoder(w).Encode(v)
}
