// Package app builds a whole Dateline site from its settings and a clock:
// the database, the domain services, the background workers and the web
// server. `dateline serve` and the tests build the site here alike, so a
// test runs every part production runs, on the clock the test sets.
package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"sync"
	"time"

	"dateline/internal/account"
	"dateline/internal/billing"
	"dateline/internal/comment"
	"dateline/internal/config"
	"dateline/internal/demo"
	"dateline/internal/mail"
	"dateline/internal/media"
	"dateline/internal/newsroom"
	"dateline/internal/password"
	"dateline/internal/store"
	"dateline/internal/story"
	"dateline/internal/web"
)

// SiteName is the paper's name until the newsroom can set its own.
const SiteName = "Dateline"

// DemoAdmin is the email address of the demo site's administrator.
const DemoAdmin = "admin@example.com"

// Options say how to build a site.
type Options struct {
	// Config holds the settings, as checked by Config.Finish.
	Config config.Config
	// Now is the clock every part reads the date from: clock.System in
	// production, a clock.Manual in tests. Required.
	Now func() time.Time
	// Log receives the site's log lines; nil discards them.
	Log *slog.Logger
	// Out receives what is printed once for the operator: the demo
	// administrator's password. Nil discards it.
	Out io.Writer

	// The rest tune a site for tests; zero values are production's.

	// PasswordParams replaces the argon2id parameters, so that tests
	// hash in microseconds.
	PasswordParams *password.Params
	// MailPoll is the mail sender's pause between rounds.
	MailPoll time.Duration
	// SchedulerInterval is how often scheduled stories are looked for;
	// production looks every 20 seconds.
	SchedulerInterval time.Duration
	// NoResetPadding answers password reset requests at once instead of
	// padding them to a floor of time.
	NoResetPadding bool
}

// App is a built site. Its exported parts are for the command line and for
// tests; Run starts its background work and Close releases it.
type App struct {
	Config   config.Config
	Store    *store.Store
	Sender   *mail.Sender // nil when mail is not being sent
	Accounts *account.Service
	Billing  *billing.Service
	Comments *comment.Service
	Newsroom *newsroom.Service
	Media    *media.Library
	Site     *web.Server

	log       *slog.Logger
	purges    *store.Purges
	scheduler time.Duration
}

// New builds the site: it opens and migrates the database, builds every
// service, creates the demo site when asked on an empty database, and
// parses the templates. Nothing runs in the background until Run.
func New(ctx context.Context, o Options) (*App, error) {
	if o.Now == nil {
		return nil, errors.New("app: New needs a clock")
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	cfg, log := o.Config, o.Log
	a := &App{Config: cfg, log: log, scheduler: o.SchedulerInterval}
	if a.scheduler <= 0 {
		a.scheduler = 20 * time.Second
	}
	db, err := store.Open(ctx, cfg.Database, o.Now)
	if err != nil {
		return nil, err
	}
	a.Store = db
	if err := a.build(ctx, o); err != nil {
		_ = db.Close() // the build's error is the one to report
		return nil, err
	}
	return a, nil
}

func (a *App) build(ctx context.Context, o Options) error {
	cfg, log, db := o.Config, o.Log, a.Store
	applied, err := db.Migrate(ctx)
	if err != nil {
		return fmt.Errorf("database %s: %w", db.Name(), err)
	}
	if len(applied) > 0 {
		log.Info("migrated the database", "database", db.Name(), "applied", applied)
	}
	if cfg.Dev && !loopback(cfg.Addr) {
		log.Warn("development conveniences are on (--dev or --demo) on an address others can reach: "+
			"anyone can read every email at /_dev/mail and subscribe without paying", "addr", cfg.Addr)
	}

	devMail, err := a.buildMail(o)
	if err != nil {
		return err
	}
	mailSent := func() {}
	if a.Sender != nil {
		mailSent = a.Sender.Wake
	}
	composer, err := mail.NewComposer(SiteName, cfg.BaseURL, cfg.MailFrom)
	if err != nil {
		return err
	}

	// Half the cores hash passwords at most, so a flood of log-ins leaves
	// the other half to the pages.
	params := password.DefaultParams()
	if o.PasswordParams != nil {
		params = *o.PasswordParams
	}
	floor := time.Duration(0)
	if o.NoResetPadding {
		floor = -1
	}
	a.Accounts, err = account.New(ctx, account.Options{
		Store: db, Hasher: password.NewHasher(params, max(runtime.NumCPU()/2, 1), 2*time.Second),
		Policy: password.NewPolicy(), Composer: composer, Log: log, SiteName: SiteName, BaseURL: cfg.BaseURL,
		Now: o.Now, MailSent: mailSent, ResetRequestFloor: floor,
	})
	if err != nil {
		return err
	}

	a.Billing = billing.New(billing.Options{Store: db, Provider: a.paymentProvider(), Composer: composer, Log: log,
		BaseURL: cfg.BaseURL, Now: o.Now, MailSent: mailSent})
	var webhook *billing.Webhook
	if cfg.StripeWebhookSecret != "" {
		webhook = billing.NewWebhook(a.Billing, cfg.StripeWebhookSecret)
	}

	if cfg.Demo {
		if err := a.seedDemo(ctx, o); err != nil {
			return err
		}
	}

	// The web server tells the comment service which discussions changed,
	// here and on the other instances, so it may keep the busiest in
	// memory.
	a.Comments, err = comment.New(ctx, comment.Options{Store: db, Access: accessCheck{a.Billing}, Composer: composer,
		Log: log, BaseURL: cfg.BaseURL, Now: o.Now, MailSent: mailSent, CachedComments: 50_000})
	if err != nil {
		return err
	}
	a.Newsroom = newsroom.New(db, o.Now, log)
	if a.Media, err = media.NewLibrary(cfg.DataDir, db, o.Now); err != nil {
		return err
	}

	// Instances sharing a PostgreSQL database purge each other's page
	// caches through it.
	a.purges = db.NewPurges(log)
	a.Site, err = web.New(db, web.Options{BaseURL: cfg.BaseURL, SiteName: SiteName, Logger: log, Now: o.Now,
		Accounts: a.Accounts, DevMail: devMail,
		Billing: a.Billing, StripeWebhook: webhook, PlanAdmin: db, Comments: a.Comments, CommentAdmin: db,
		Newsroom: a.Newsroom, NewsroomStore: db, Front: db, Views: db, Tokens: db,
		Media: a.Media, Images: db, Desk: db, Probe: db,
		PageCacheBytes: int64(cfg.PageCacheMB) << 20, Broadcaster: a.purges, TrustedProxies: cfg.TrustedProxies,
		// Sixteen requests a core at once keep the cores and the database
		// busy; past that a request waits a second, then gets a 503.
		MaxInFlight: 16 * runtime.NumCPU(), QueueWait: time.Second})
	return err
}

// buildMail picks how email leaves: through SMTP when configured; into the
// development mailbox with --dev; otherwise it waits in the outbox until an
// SMTP server is configured. It returns the mailbox to list at /_dev/mail,
// if any.
func (a *App) buildMail(o Options) (web.MailLog, error) {
	cfg, log := o.Config, o.Log
	var transport mail.Transport
	var devMail web.MailLog
	switch {
	case cfg.SMTP != "":
		smtp, err := mail.NewSMTP(cfg.SMTP)
		if err != nil {
			return nil, err
		}
		transport = smtp
		log.Info("mail goes out through SMTP", "server", smtp.String())
	case cfg.Dev:
		transport, devMail = mail.NewLog(log), a.Store
		log.Info("no SMTP server configured: email is kept in the development mailbox at /_dev/mail")
	default:
		log.Warn("no SMTP server configured: email is not being sent; it waits in the outbox until --smtp is set")
		return nil, nil
	}
	a.Sender = mail.NewSender(a.Store, transport, cfg.MailFrom, o.Now, log)
	if o.MailPoll > 0 {
		a.Sender.Poll = o.MailPoll
	}
	return devMail, nil
}

// paymentProvider is Stripe when a key is configured, the demo provider,
// which takes no money, with --dev, and otherwise none: plans are shown,
// and nobody can subscribe yet.
func (a *App) paymentProvider() billing.Provider {
	cfg, log := a.Config, a.log
	switch {
	case cfg.StripeKey != "":
		log.Info("payments through Stripe")
		return billing.NewStripe(cfg.StripeKey, billing.WithStripeLogger(log))
	case cfg.Dev:
		log.Info("no Stripe key: the demo payment provider takes no money (--dev)")
		return billing.DemoProvider{}
	default:
		log.Warn("no Stripe key configured: subscriptions are not open; /subscribe shows the plans only")
		return billing.ClosedProvider{}
	}
}

// seedDemo creates the demo site on an empty database: stories, sections,
// plans and an administrator whose password is printed once.
func (a *App) seedDemo(ctx context.Context, o Options) error {
	res, err := demo.Seed(ctx, a.Store, o.Now(), story.NewRenderer())
	if err != nil {
		return err
	}
	if res.Stories == 0 {
		a.log.Info("the database already has content; the demo site was not created")
		return nil
	}
	a.log.Info("created the demo site", "sections", res.Sections, "stories", res.Stories)
	pw := rand.Text()
	if _, err := a.Accounts.CreateUser(ctx, DemoAdmin, "Demo Admin", pw, account.Admin); err != nil {
		return fmt.Errorf("demo admin: %w", err)
	}
	fmt.Fprintf(o.Out, "Demo admin: %s\nPassword:   %s\n(shown only this once)\n", DemoAdmin, pw)
	for _, p := range DemoPlans() {
		if err := a.Billing.CreatePlan(ctx, &p); err != nil {
			return fmt.Errorf("demo plans: %w", err)
		}
	}
	return nil
}

// DemoPlans are the plans the demo site offers: a monthly plan, and a
// yearly one with a free trial.
func DemoPlans() []billing.Plan {
	return []billing.Plan{
		{Name: "Monthly", Description: "Every story, every day. Cancel at any time.", PriceMinor: 900, Currency: "EUR",
			Period: billing.Monthly, TrialDays: 0, Active: true, Position: 1},
		{Name: "Yearly", Description: "A year of every story, for the price of ten months.", PriceMinor: 9000, Currency: "EUR",
			Period: billing.Yearly, TrialDays: 14, Active: true, Position: 2},
	}
}

// Run does the site's background work until ctx is done: it delivers mail,
// publishes scheduled stories, applies other instances' purges and writes
// page views. It returns when every worker has stopped.
func (a *App) Run(ctx context.Context) {
	var workers sync.WaitGroup
	if a.Sender != nil {
		workers.Go(func() { a.Sender.Run(ctx) })
	}
	workers.Go(func() { a.Newsroom.RunScheduler(ctx, a.scheduler, a.Site.StoriesPublished) })
	workers.Go(func() { a.purges.Listen(ctx, a.Site.ApplyPurge) })
	workers.Go(func() { a.Site.RunViewFlusher(ctx, time.Minute) })
	workers.Wait()
}

// Handler is the public site.
func (a *App) Handler() http.Handler { return a.Site }

// Close closes the database. Call it after Run has returned.
func (a *App) Close() error { return a.Store.Close() }

// accessCheck tells the comment service who has digital access.
type accessCheck struct{ subs *billing.Service }

func (c accessCheck) HasAccess(ctx context.Context, u *account.User) (bool, error) {
	ok, _, err := c.subs.HasAccess(ctx, u)
	return ok, err
}

// loopback reports whether a listen address is reachable from this machine
// only.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
