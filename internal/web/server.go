// Package web turns HTTP requests into calls of Dateline's domain packages
// and renders the answers as HTML, Atom and sitemaps. It owns routing,
// middleware, templates and static assets; the rules live elsewhere.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	"dateline/internal/account"
	"dateline/internal/audit"
	"dateline/internal/billing"
	"dateline/internal/comment"
	"dateline/internal/insight"
	"dateline/internal/mail"
	"dateline/internal/media"
	"dateline/internal/newsroom"
	"dateline/internal/pagecache"
	siteset "dateline/internal/site"
	"dateline/internal/story"
)

// Options configure a Server.
type Options struct {
	// BaseURL is the public URL of the site, without a trailing slash.
	BaseURL string
	// SiteName is the paper's name, shown in the masthead and feeds.
	SiteName string
	// Language is the BCP 47 language of the site's stories.
	Language string
	Logger   *slog.Logger
	// Now is the clock (see internal/clock); required.
	Now func() time.Time
	// Stories answers what the public pages read; required.
	Stories *story.Service
	// Accounts runs sign-up, log-in and password reset; nil leaves the
	// site without accounts.
	Accounts *account.Service
	// DevMail, when set, lists sent email at /_dev/mail: the development
	// mailbox, for when no SMTP server is configured.
	DevMail MailLog
	// Billing runs subscriptions and the paywall; nil serves every story
	// in full.
	Billing *billing.Service
	// StripeWebhook receives Stripe's events at /webhooks/stripe; nil
	// without Stripe.
	StripeWebhook *billing.Webhook
	// Comments runs the discussions under stories; nil leaves them out.
	Comments *comment.Service
	// Newsroom runs the story editor at /admin/stories, the API at
	// /api/v1 (with the accounts' tokens), the front page's curation and
	// breaking-news banner at /admin/front, authors and sections, and
	// counts story page views for the dashboard's most read. Nil leaves
	// all that out: the front page shows the latest stories.
	Newsroom *newsroom.Service
	// Media keeps uploaded images; nil leaves them out.
	Media *media.Library
	// Site holds the paper's own settings (time zone, logo), which
	// administrators change at /admin/settings; nil leaves the page out.
	Site *siteset.Service
	// Insight draws the dashboard's charts and counts the stories that
	// lead signed-in readers to subscribe; nil leaves them out.
	Insight *insight.Service
	// Audit is the audit log, shown at /admin/audit beside the staff at
	// /admin/people, and written by the settings page; nil leaves those
	// pages out.
	Audit *audit.Log
	// Probe answers /readyz and feeds the metrics.
	Probe Probe
	// PageCacheBytes is the memory kept for rendered pages served to
	// anonymous readers; 0 renders every page for every request.
	PageCacheBytes int64
	// PageCacheTTL bounds how long a cached page is served when no change
	// purged it; 0 means a minute.
	PageCacheTTL time.Duration
	// Broadcaster tells the other instances sharing the database to purge
	// their cached pages; nil for a single instance.
	Broadcaster Broadcaster
	// TrustedProxies are the load balancers and CDNs in front of the site;
	// for requests from them the reader's address is read from
	// X-Forwarded-For, for the per-address limits.
	TrustedProxies []netip.Prefix
	// MaxInFlight bounds the requests worked on at once (pages served
	// from the page cache do not count); past it a request waits up to
	// QueueWait for its turn, then gets a 503 with Retry-After. 0 means
	// no bound.
	MaxInFlight int
	QueueWait   time.Duration
	// SitemapURLs is the most URLs one sitemap file lists; zero means
	// the protocol's limit of 50,000. Past it /sitemap.xml is an index.
	SitemapURLs int
}

// MailLog lists recent email, newest first.
type MailLog interface {
	RecentMail(ctx context.Context, limit int) ([]mail.Message, error)
}

// Server serves the site. It is safe for concurrent use.
type Server struct {
	storySvc *story.Service
	opts     Options
	log      *slog.Logger
	now      func() time.Time
	pages    *pages
	static   *staticFiles
	handler  http.Handler
	accounts *account.Service
	devMail  MailLog
	secure   bool // the site is served over https
	billing  *billing.Service
	comments *comment.Service
	renderer *story.Renderer
	insight  *insight.Service

	newsroomSvc   *newsroom.Service
	media         *media.Library
	probe         Probe
	metrics       *metrics
	cache         *pagecache.Cache
	searches      *pagecache.Cache                               // anonymous search results, apart from the other pages
	readerPages   *pagecache.Cache                               // story pages signed-in readers see alike (see readerPageKey)
	marks         pagecache.Marks                                // where render writes a page's long part, and a kept reader's page the name
	stories       *pagecache.Expiring[string, *story.Story]      // by slug; nil without the page cache
	parts         *pagecache.Expiring[int64, *storyParts]        // by story id
	discussions   *pagecache.Expiring[string, *sharedDiscussion] // by sharedKey; nil without the page cache
	shedder       *shedder                                       // nil without a bound on requests
	writesFailing atomic.Bool                                    // the last write failed for want of room (see cannotSave)
	broadcaster   Broadcaster
	features      features // the handlers, by feature (see routes.go)
}

// New builds a Server. It parses every template and fails if one is broken,
// so a bad template stops the start, not a reader's request.
func New(opts Options) (*Server, error) {
	if opts.SiteName == "" {
		opts.SiteName = "Dateline"
	}
	if opts.Language == "" {
		opts.Language = "en"
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &Server{storySvc: opts.Stories, opts: opts, log: opts.Logger, now: opts.Now,
		accounts: opts.Accounts, devMail: opts.DevMail, secure: strings.HasPrefix(opts.BaseURL, "https://"),
		billing:  opts.Billing,
		comments: opts.Comments, renderer: story.NewRenderer(),
		newsroomSvc: opts.Newsroom, media: opts.Media, insight: opts.Insight,
		probe: opts.Probe, metrics: newMetrics(opts.Probe)}
	if s.now == nil {
		return nil, errors.New("web: New needs a clock")
	}
	if s.storySvc == nil {
		return nil, errors.New("web: New needs the story service")
	}
	var err error
	if s.features, err = newFeatures(s, opts); err != nil {
		return nil, err
	}
	s.marks = pagecache.NewMarks()
	s.broadcaster = opts.Broadcaster
	cacheTTL := opts.PageCacheTTL
	if cacheTTL <= 0 {
		cacheTTL = time.Minute
	}
	if opts.MaxInFlight > 0 {
		if opts.QueueWait <= 0 {
			opts.QueueWait = time.Second
		}
		s.shedder = newShedder(opts.MaxInFlight, opts.QueueWait)
	}
	if opts.PageCacheBytes > 0 {
		// Searches get a share of their own: words readers try once would
		// otherwise push the pages everyone reads out of the cache.
		// So do the pages kept for signed-in readers: each story can have
		// several, and the pages anonymous readers get, which a CDN may
		// also ask for, come first.
		share, readers := max(opts.PageCacheBytes/searchShare, 1), max(opts.PageCacheBytes/readerShare, 1)
		s.cache = pagecache.New(opts.PageCacheBytes-share-readers, cacheTTL, s.now)
		s.searches = pagecache.New(share, cacheTTL, s.now)
		s.readerPages = pagecache.New(readers, cacheTTL, s.now)
		// What signed-in readers' pages are made of is kept a minute,
		// and dropped with its story's page.
		s.stories = pagecache.NewExpiring[string, *story.Story](5000, time.Minute, s.now)
		s.discussions = pagecache.NewExpiring[string, *sharedDiscussion](2000, time.Minute, s.now)
		s.parts = pagecache.NewExpiring[int64, *storyParts](5000, time.Minute, s.now)
	}
	if s.static, err = loadStatic(); err != nil {
		return nil, err
	}
	if s.pages, err = parsePages(s.static, func() *time.Location { return s.zone(context.Background()) }); err != nil {
		return nil, err
	}
	s.handler = s.routes()
	return s, nil
}

// zone is the paper's time zone as it stands: every time a person reads
// is shown in it, and the paper's days begin at its midnight.
func (s *Server) zone(ctx context.Context) *time.Location { return s.storySvc.Zone(ctx) }

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routeTable() {
		mux.HandleFunc(rt.pattern, rt.handler)
	}

	var h http.Handler = s.purgeAfterWrites(routed(mux))
	h = s.shed(h)
	h = s.loadViewer(h)
	h = s.limitBodies(h)
	h = http.NewCrossOriginProtection().Handler(h)
	h = s.securityHeaders(h)
	h = s.recoverPanics(h)
	// Counted and timed outside all that can answer before the router
	// (shedding, a failed sign-in check, a refused body or origin, a
	// panic), so every answer is counted; those that never reached a
	// route are "unmatched".
	h = s.instrument(h)
	h = s.privateCaching(h)
	h = withRequestID(h)
	return h
}

// healthz answers 200 when the database answers, 503 when it does not.
// Without a probe there is nothing to ask, and it answers 200.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if s.probe == nil {
		_, _ = w.Write([]byte("ok\n"))
		return
	}
	if err := s.probe.Ping(ctx); err != nil {
		s.log.Warn("health check: database does not answer", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database unavailable\n")) // probes ignore the body
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}
