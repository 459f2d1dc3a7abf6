package web

import (
	"strings"
	"testing"
	"time"

	"dateline/internal/account"
	"dateline/internal/billing"
	"dateline/internal/comment"
	"dateline/internal/media"
	"dateline/internal/newsroom"
	"dateline/internal/store/storetest"
)

// TestFeaturesComeWhole: a feature whose parts do not fit together stops
// the start with an error naming what is missing, rather than leaving
// its pages out without a word.
func TestFeaturesComeWhole(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	base := func() Options {
		return Options{BaseURL: testBase, Now: func() time.Time { return testNow }, Stories: storiesOf(db)}
	}
	for _, tc := range []struct {
		name string
		edit func(o *Options)
		want string // in the error
	}{
		{"subscriptions without accounts", func(o *Options) { o.Billing = new(billing.Service) }, "accounts"},
		{"comments without accounts", func(o *Options) { o.Comments = new(comment.Service) }, "accounts"},
		{"newsroom without accounts", func(o *Options) {
			o.Newsroom, o.Media = new(newsroom.Service), new(media.Library)
		}, "accounts"},
		{"webhook without billing", func(o *Options) {
			o.Accounts, o.StripeWebhook = new(account.Service), new(billing.Webhook)
		}, "billing"},
		{"newsroom without images", func(o *Options) {
			o.Accounts, o.Newsroom = new(account.Service), new(newsroom.Service)
		}, "image library"},
		{"images without the newsroom", func(o *Options) {
			o.Accounts, o.Media = new(account.Service), new(media.Library)
		}, "image library"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := base()
			tc.edit(&o)
			srv, err := New(o)
			if err == nil {
				t.Fatalf("New built a site (%d routes) from incoherent parts", len(srv.routeTable()))
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not name %q", err, tc.want)
			}
		})
	}
	if _, err := New(base()); err != nil {
		t.Fatalf("a reading site alone: %v", err)
	}
}

// TestEveryFeatureIsRouted: the site `dateline serve` builds answers each
// feature's pages, and the table registers no pattern twice.
func TestEveryFeatureIsRouted(t *testing.T) {
	s := newAccountSite(t, storetest.Open(t, "sqlite"))
	seen := map[string]bool{}
	for _, rt := range s.routeTable() {
		if seen[rt.pattern] {
			t.Errorf("%s is in the table twice", rt.pattern)
		}
		seen[rt.pattern] = true
	}
	for _, p := range []string{"GET /{$}", "POST /signup", "POST /account/tokens", "GET /subscribe",
		"GET /subscribe/demo", "POST /comments", "GET /admin/comments", "GET /admin/stories",
		"GET /images/{id}/{file}", "POST /api/v1/stories", "POST /api/v1/images", "GET /admin", "/"} {
		if !seen[p] {
			t.Errorf("%s is not routed", p)
		}
	}
}
