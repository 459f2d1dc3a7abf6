// Package services builds a Dateline site's database and domain services
// from its settings and a clock: the mail sender, accounts, subscriptions,
// comments, the newsroom and the image library. internal/app puts a web
// server and the background work on top; the web package's tests build
// their sites here too, so they run what production runs.
package services

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"dateline/internal/account"
	"dateline/internal/audit"
	"dateline/internal/billing"
	"dateline/internal/clock"
	"dateline/internal/comment"
	"dateline/internal/config"
	"dateline/internal/demo"
	"dateline/internal/insight"
	"dateline/internal/mail"
	"dateline/internal/media"
	"dateline/internal/newsroom"
	"dateline/internal/password"
	"dateline/internal/site"
	"dateline/internal/store"
	"dateline/internal/story"
)

// SiteName is the paper's name until the newsroom can set its own.
const SiteName = "Dateline"

// DemoAdmin is the email address of the demo site's administrator.
const DemoAdmin = "admin@example.com"

// Options say how to build the services.
type Options struct {
	// Config holds the settings, as checked by Config.Finish.
	Config config.Config
	// Now is the clock every part reads the date from: clock.System in
	// production, a clock.Manual in tests. Required.
	Now func() time.Time
	// Log receives the log lines; nil discards them.
	Log *slog.Logger
	// Out receives what is printed once for the operator: the demo
	// administrator's password. Nil discards it.
	Out io.Writer
	// Store, when set, is used instead of opening Config.Database; it must
	// run on Now. The caller keeps closing it.
	Store *store.Store

	// The rest tune the services for tests; zero values are production's.

	// PasswordParams replaces the argon2id parameters, so that tests
	// hash in microseconds.
	PasswordParams *password.Params
	// MailPoll is the mail sender's pause between rounds.
	MailPoll time.Duration
	// NoResetPadding answers password reset requests at once instead of
	// padding them to a floor of time.
	NoResetPadding bool
	// NoDemoPictures seeds the demo site without its illustrations,
	// which take a moment to draw, for tests that do not look at them.
	NoDemoPictures bool
	// DemoNow dates the demo stories; zero means Now().
	DemoNow time.Time
	// Transport, when set, carries the mail instead of the one the
	// settings choose, so a test can watch what is sent.
	Transport mail.Transport
	// Provider, when set, takes payments instead of the one the settings
	// choose, so a test can pay through a Stripe-compatible server.
	Provider billing.Provider
}

// Set is a site's database and domain services.
type Set struct {
	Config   config.Config
	Now      func() time.Time
	Log      *slog.Logger
	Store    *store.Store
	Stories  *story.Service
	Sender   *mail.Sender // nil when mail is not being sent
	DevMail  *mail.Log    // the development mailbox; nil without --dev or with SMTP
	Accounts *account.Service
	Billing  *billing.Service
	Webhook  *billing.Webhook // nil without a Stripe webhook secret
	Comments *comment.Service
	Newsroom *newsroom.Service
	Media    *media.Library
	// Site holds the settings of the whole paper: its time zone and logo.
	Site *site.Service
	// Insight counts and charts for the dashboard, and the stories that
	// lead readers to subscribe.
	Insight *insight.Service
	// Audit is the audit log of what staff changed.
	Audit *audit.Log
	// Zone is the paper's time zone as it stands (Site.Zone), which every
	// service that shows or counts by the paper's time was given.
	Zone clock.Zone
	// Purges carries page purges between instances sharing a PostgreSQL
	// database.
	Purges *store.Purges

	ownStore bool
}

// New opens and migrates the database, builds every service, and creates
// the demo site when asked on an empty database. Nothing runs in the
// background.
func New(ctx context.Context, o Options) (*Set, error) {
	if o.Now == nil {
		return nil, errors.New("services: New needs a clock")
	}
	if o.Config.Limits == (config.Limits{}) {
		return nil, errors.New("services: the settings have no limits; check them with Config.Finish first")
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	s := &Set{Config: o.Config, Now: o.Now, Log: o.Log, Store: o.Store}
	if s.Store == nil {
		db, err := store.Open(ctx, o.Config.Database, o.Now)
		if err != nil {
			return nil, err
		}
		s.Store, s.ownStore = db, true
	}
	if err := s.build(ctx, o); err != nil {
		_ = s.Close() // the build's error is the one to report
		return nil, err
	}
	return s, nil
}

// Close closes the database, when New opened it.
func (s *Set) Close() error {
	if !s.ownStore {
		return nil
	}
	return s.Store.Close()
}

func (s *Set) build(ctx context.Context, o Options) error {
	cfg, log, db := o.Config, o.Log, s.Store
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
	if s.Media, err = media.NewLibrary(cfg.DataDir, db, o.Now); err != nil {
		return err
	}
	s.Site = site.New(db, s.Media, cfg.Location, log)
	s.Audit = audit.NewLog(db, o.Now)
	s.Zone = s.Site.Zone
	s.Stories = story.NewService(db, o.Now).WithZone(s.Zone)
	if err := s.buildMail(o); err != nil {
		return err
	}
	mailSent := func() {}
	if s.Sender != nil {
		mailSent = s.Sender.Wake
	}
	composer, err := mail.NewComposer(SiteName, cfg.BaseURL, cfg.MailFrom, mail.WithReplyTo(cfg.MailReplyTo),
		mail.WithPaper(s.paper))
	if err != nil {
		return err
	}

	params := password.DefaultParams()
	if o.PasswordParams != nil {
		params = *o.PasswordParams
	}
	floor := time.Duration(0)
	if o.NoResetPadding {
		floor = -1
	}
	s.Accounts, err = account.New(ctx, account.Options{
		Store: db, Hasher: password.NewHasher(params, cfg.Limits.PasswordHashers, cfg.Limits.PasswordHashWait),
		Policy: password.NewPolicy(), Composer: composer, Log: log, SiteName: SiteName, BaseURL: cfg.BaseURL,
		Now: o.Now, MailSent: mailSent, ResetRequestFloor: floor, Zone: s.Zone,
	})
	if err != nil {
		return err
	}

	if s.Insight, err = insight.New(ctx, insight.Options{Store: db, Now: o.Now, Zone: s.Zone}); err != nil {
		return err
	}
	provider := o.Provider
	if provider == nil {
		provider = s.paymentProvider()
	}
	s.Billing = billing.New(billing.Options{Store: db, Provider: provider, Composer: composer, Log: log,
		BaseURL: cfg.BaseURL, Now: o.Now, MailSent: mailSent, Zone: s.Zone, ReaderKey: s.Insight.ReaderKey})
	if cfg.StripeWebhookSecret != "" {
		s.Webhook = billing.NewWebhook(s.Billing, cfg.StripeWebhookSecret)
	}

	s.Comments, err = comment.New(ctx, comment.Options{Store: db, Access: accessCheck{s.Billing}, Composer: composer,
		Log: log, BaseURL: cfg.BaseURL, Now: o.Now, MailSent: mailSent, Zone: s.Zone, CachedComments: cfg.Limits.CachedComments})
	if err != nil {
		return err
	}
	s.Newsroom = newsroom.New(db, o.Now, log)
	if cfg.Demo {
		// After the image library, which keeps the demo's pictures.
		if err := s.seedDemo(ctx, o); err != nil {
			return err
		}
	}
	s.Purges = db.NewPurges(log)
	return nil
}

// paper is the paper's name and Reply-To address as an administrator set
// them at /admin/settings, for every email; empty values keep the
// composer's own. Emails are composed inside requests and background work
// alike, without a request to hand, so it reads the settings on a context
// of its own (from the store's snapshot, which a save on any instance
// drops everywhere).
func (s *Set) paper() (name, replyTo string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	set, err := s.Site.Settings(ctx)
	if err != nil {
		s.Log.Warn("mail: the paper's name and Reply-To", "err", err)
		return "", ""
	}
	return set.Name, set.ReplyTo
}

// buildMail picks how email leaves: through SMTP when configured; into the
// development mailbox with --dev; otherwise it waits in the outbox until an
// SMTP server is configured.
func (s *Set) buildMail(o Options) error {
	cfg, log := o.Config, o.Log
	var transport mail.Transport
	switch {
	case o.Transport != nil:
		transport = o.Transport
	case cfg.SMTP != "":
		smtp, err := mail.NewSMTP(cfg.SMTP)
		if err != nil {
			return err
		}
		transport = smtp
		log.Info("mail goes out through SMTP", "server", smtp.String())
	case cfg.Dev:
		// The outbox keeps no body once a message is delivered, so the
		// mailbox keeps the latest messages whole, in memory.
		s.DevMail = mail.NewLog(log)
		transport = s.DevMail
		log.Info("no SMTP server configured: email is kept in the development mailbox at /_dev/mail")
	default:
		log.Warn("no SMTP server configured: email is not being sent; it waits in the outbox until --smtp is set")
		return nil
	}
	s.Sender = mail.NewSender(s.Store, transport, cfg.MailFrom, o.Now, log)
	if o.MailPoll > 0 {
		s.Sender.Poll = o.MailPoll
	}
	return nil
}

// paymentProvider is Stripe when a key is configured, the demo provider,
// which takes no money, with --dev, and otherwise none: plans are shown,
// and nobody can subscribe yet.
func (s *Set) paymentProvider() billing.Provider {
	cfg, log := s.Config, s.Log
	switch {
	case cfg.StripeKey != "":
		log.Info("payments through Stripe")
		return billing.NewStripe(cfg.StripeKey, billing.WithStripeLogger(log), billing.WithStripeAPIURL(cfg.StripeAPIURL))
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
func (s *Set) seedDemo(ctx context.Context, o Options) error {
	at := o.DemoNow
	if at.IsZero() {
		at = o.Now()
	}
	var opts []demo.Option
	if !o.NoDemoPictures {
		opts = append(opts, demo.WithPictures(s.Media))
	}
	res, err := demo.Seed(ctx, s.Store, at, story.NewRenderer(), opts...)
	if err != nil {
		return err
	}
	if res.Stories == 0 {
		s.Log.Info("the database already has content; the demo site was not created")
		return nil
	}
	s.Log.Info("created the demo site", "sections", res.Sections, "stories", res.Stories, "pictures", res.Pictures)
	pw := rand.Text()
	if _, err := s.Accounts.CreateUser(ctx, DemoAdmin, "Demo Admin", pw, account.Admin); err != nil {
		return fmt.Errorf("demo admin: %w", err)
	}
	fmt.Fprintf(o.Out, "Demo admin: %s\nPassword:   %s\n(shown only this once; log in at %s/login)\n", DemoAdmin, pw, s.Config.BaseURL)
	for _, p := range DemoPlans() {
		if err := s.Billing.CreatePlan(ctx, &p); err != nil {
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
