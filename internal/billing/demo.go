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
