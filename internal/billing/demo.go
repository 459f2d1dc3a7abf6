package billing

import (
	"context"
	"strconv"

	"dateline/internal/account"
)

// DemoProvider takes no money: its checkout is a page of the site's own,
// marked as a demonstration, where the reader confirms and the
// subscription starts. It is used when no Stripe key is configured.
type DemoProvider struct{}

// Name is Demo.
func (DemoProvider) Name() ProviderName { return Demo }

// Checkout sends the reader to the site's demo checkout page.
func (DemoProvider) Checkout(_ context.Context, _ *account.User, p *Plan, _, _ string) (string, error) {
	return "/subscribe/demo?plan=" + strconv.FormatInt(p.ID, 10), nil
}

// Portal is empty: the account page's own buttons cancel and resume demo
// subscriptions.
func (DemoProvider) Portal(context.Context, *Subscription, string) (string, error) { return "", nil }

// ClosedProvider is the provider of a site that takes no payments yet: no
// Stripe key is configured and the demo provider is not wanted. Plans are
// shown, and every checkout is refused with ErrPaymentsClosed.
type ClosedProvider struct{}

// Name is Closed.
func (ClosedProvider) Name() ProviderName { return Closed }

// Checkout refuses with ErrPaymentsClosed.
func (ClosedProvider) Checkout(context.Context, *account.User, *Plan, string, string) (string, error) {
	return "", ErrPaymentsClosed
}

// Portal is empty: there is nothing to manage.
func (ClosedProvider) Portal(context.Context, *Subscription, string) (string, error) { return "", nil }
