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
	"dateline/internal/billing"
	"dateline/internal/comment"
	"dateline/internal/mail"
	"dateline/internal/media"
	"dateline/internal/newsroom"
	"dateline/internal/pagecache"
	"dateline/internal/story"
)

// Store is what the reading site needs of the database.
type Store interface {
	Ping(ctx context.Context) error
	Sections(ctx context.Context) ([]story.Section, error)
	SectionBySlug(ctx context.Context, slug string) (*story.Section, error)
	TagBySlug(ctx context.Context, slug string) (*story.Tag, error)
	AuthorBySlug(ctx context.Context, slug string) (*story.Author, error)
	StoryBySlug(ctx context.Context, slug string) (*story.Story, error)
	StoryByID(ctx context.Context, id int64) (*story.Story, error)
	PublishedStories(ctx context.Context, f story.Filter) ([]story.Story, error)
	CountPublished(ctx context.Context, f story.Filter) (int, error)
	PublishedRefs(ctx context.Context, since time.Time, limit int) ([]story.Ref, error)
	// PublishedRefsPage and PublishedPageLastMods page the published
	// stories, oldest first, for the files of a sitemap index.
	PublishedRefsPage(ctx context.Context, offset, limit int) ([]story.Ref, error)
	PublishedPageLastMods(ctx context.Context, size int) ([]time.Time, error)
	Search(ctx context.Context, q story.SearchQuery) ([]story.SearchHit, int, error)
}

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
	// PlanAdmin lets admins retire plans and change the paywall's
	// settings at /admin/plans; nil leaves that page out.
	PlanAdmin PlanAdmin
	// Comments runs the discussions under stories; nil leaves them out.
	Comments *comment.Service
	// CommentAdmin is what the comment pages need of the database beyond
	// the comment service: counts for lists, settings, story modes.
	CommentAdmin CommentAdmin
	// Newsroom runs the story editor at /admin/stories; NewsroomStore is
	// what its pages read. Both nil leave the editor out.
	Newsroom      *newsroom.Service
	NewsroomStore NewsroomStore
	// Front lets editors curate the front page and the breaking-news
	// banner at /admin/front; nil serves the latest stories.
	Front FrontAdmin
	// Views counts story page views for the dashboard's most read; nil
	// counts nothing.
	Views ViewStore
	// Tokens keeps API tokens; with the newsroom it opens /api/v1.
	Tokens account.TokenStore
	// Media and Images keep uploaded images; both nil leave them out.
	Media  *media.Library
	Images ImageStore
	// Desk lets editors manage authors and sections.
	Desk DeskAdmin
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

// CommentAdmin is what the comment pages need of the database directly.
type CommentAdmin interface {
	CommentCounts(ctx context.Context, storyIDs []int64) (map[int64]int, error)
	SetCommentMode(ctx context.Context, storyID int64, mode string) error
}

// MailLog lists recent email, newest first.
type MailLog interface {
	RecentMail(ctx context.Context, limit int) ([]mail.Message, error)
}

// Server serves the site. It is safe for concurrent use.
type Server struct {
	store     Store
	opts      Options
	log       *slog.Logger
	now       func() time.Time
	pages     *pages
	static    *staticFiles
	handler   http.Handler
	pageSize  int
	accounts  *account.Service
	devMail   MailLog
	secure    bool // the site is served over https
	billing   *billing.Service
	webhook   *billing.Webhook
	planAdmin PlanAdmin
	comments  *comment.Service
	cadmin    CommentAdmin
	renderer  *story.Renderer

	newsroomSvc   *newsroom.Service
	newsroomStore NewsroomStore
	front         FrontAdmin
	views         ViewStore
	viewCounter   viewCounter
	tokens        account.TokenStore
	media         *media.Library
	images        ImageStore
	desk          DeskAdmin
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
}

// New builds a Server. It parses every template and fails if one is broken,
// so a bad template stops the start, not a reader's request.
func New(st Store, opts Options) (*Server, error) {
	if opts.SiteName == "" {
		opts.SiteName = "Dateline"
	}
	if opts.Language == "" {
		opts.Language = "en"
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &Server{store: st, opts: opts, log: opts.Logger, now: opts.Now, pageSize: 20,
		accounts: opts.Accounts, devMail: opts.DevMail, secure: strings.HasPrefix(opts.BaseURL, "https://"),
		billing: opts.Billing, webhook: opts.StripeWebhook, planAdmin: opts.PlanAdmin,
		comments: opts.Comments, cadmin: opts.CommentAdmin, renderer: story.NewRenderer(),
		newsroomSvc: opts.Newsroom, newsroomStore: opts.NewsroomStore, front: opts.Front, views: opts.Views,
		tokens: opts.Tokens, media: opts.Media, images: opts.Images, desk: opts.Desk,
		probe: opts.Probe, metrics: newMetrics(opts.Probe)}
	if s.now == nil {
		return nil, errors.New("web: New needs a clock")
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
	var err error
	if s.static, err = loadStatic(); err != nil {
		return nil, err
	}
	if s.pages, err = parsePages(s.static); err != nil {
		return nil, err
	}
	s.handler = s.routes()
	return s, nil
}

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	// The pages every anonymous reader sees alike are served from the
	// page cache.
	mux.HandleFunc("GET /{$}", s.cached(s.frontPage))
	mux.HandleFunc("GET /section/{slug}", s.cached(s.sectionPage))
	mux.HandleFunc("GET /section/{slug}/feed.atom", s.cached(listTagged(s.sectionFeed)))
	mux.HandleFunc("GET /tag/{slug}", s.cached(s.tagPage))
	mux.HandleFunc("GET /author/{slug}", s.cached(s.authorPage))
	mux.HandleFunc("GET /{year}/{month}/{day}/{slug}", s.cached(s.storyPage))
	mux.HandleFunc("GET /feed.atom", s.cached(listTagged(s.siteFeed)))
	mux.HandleFunc("GET /sitemap.xml", s.cached(listTagged(s.sitemap)))
	mux.HandleFunc("GET /sitemaps/{file}", s.cached(listTagged(s.sitemapFile)))
	mux.HandleFunc("GET /sitemap-news.xml", s.cached(listTagged(s.newsSitemap)))
	mux.HandleFunc("GET /robots.txt", s.robots)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	// Results change only when stories do, so anonymous searches are kept
	// too: a story in the news is searched for by many readers at once.
	mux.HandleFunc("GET /search", s.cachedIn(s.searches, searchQuery, listTagged(s.search)))
	mux.Handle("GET /static/{file}", s.static)
	mux.HandleFunc("GET /favicon.ico", s.static.favicon)
	if s.accounts != nil {
		s.accountRoutes(mux)
	}
	if s.billing != nil && s.accounts != nil {
		s.billingRoutes(mux)
	}
	if s.comments != nil && s.accounts != nil && s.cadmin != nil {
		s.commentRoutes(mux)
		s.moderationRoutes(mux)
	}
	if s.newsroomSvc != nil && s.newsroomStore != nil && s.accounts != nil {
		s.newsroomRoutes(mux)
	}
	if s.front != nil && s.accounts != nil {
		s.frontRoutes(mux)
	}
	if s.accounts != nil {
		mux.HandleFunc("GET /admin", s.dashboard)
	}
	if s.media != nil && s.images != nil && s.accounts != nil {
		s.imageRoutes(mux)
	}
	if s.desk != nil && s.accounts != nil {
		s.deskRoutes(mux)
	}
	if s.tokens != nil && s.newsroomSvc != nil && s.newsroomStore != nil && s.accounts != nil {
		s.apiRoutes(mux)
		mux.HandleFunc("POST /account/tokens", s.createToken)
		mux.HandleFunc("POST /account/tokens/{id}/revoke", s.revokeToken)
	}
	if s.webhook != nil {
		mux.HandleFunc("POST /webhooks/stripe", s.stripeWebhook)
	}
	if s.devMail != nil {
		mux.HandleFunc("GET /_dev/mail", s.devMailbox)
	}
	mux.HandleFunc("/", s.notFound)

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
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.store.Ping(ctx); err != nil {
		s.log.Warn("health check: database does not answer", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database unavailable\n")) // probes ignore the body
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}
