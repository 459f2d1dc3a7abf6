package web

import (
	"dateline/internal/services"
)

// NewSite builds the public site on a site's services, as `dateline serve`
// runs it: every page, the newsroom, the API, images, comments,
// subscriptions and the page cache sized by the settings.
func NewSite(set *services.Set) (*Server, error) {
	cfg, db := set.Config, set.Store
	opts := Options{BaseURL: cfg.BaseURL, SiteName: services.SiteName, Logger: set.Log, Now: set.Now,
		Stories: set.Stories, Accounts: set.Accounts, Billing: set.Billing, StripeWebhook: set.Webhook,
		Comments: set.Comments, Newsroom: set.Newsroom, Media: set.Media, Site: set.Site, Insight: set.Insight, Audit: set.Audit, Probe: db,
		PageCacheBytes: int64(cfg.PageCacheMB) << 20, Broadcaster: set.Purges, TrustedProxies: cfg.TrustedProxies,
		MaxInFlight: cfg.Limits.MaxInFlight, QueueWait: cfg.Limits.QueueWait}
	if set.DevMail != nil {
		opts.DevMail = set.DevMail
	}
	return New(opts)
}
