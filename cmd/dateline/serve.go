package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
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

func (e env) serve(ctx context.Context, args []string) error {
	var cfg config.Config
	fs := e.newFlagSet("serve", "Serve the site. Migrations are applied first.")
	cfg.Register(fs, e.lookup, config.Addr, config.Database, config.BaseURL, config.Demo, config.SMTP, config.MailFrom,
		config.StripeKey, config.StripeWebhookSecret, config.StripeAPIURL, config.DataDir, config.MetricsAddr, config.PageCache, config.LogLevel, config.TrustedProxies)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := cfg.Finish(); err != nil {
		return err
	}
	// JSON lines, each line of a request carrying its request id.
	log := slog.New(web.RequestIDHandler{Handler: slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: cfg.LogLevel})})

	db, err := openAndMigrate(ctx, cfg.Database, log)
	if err != nil {
		return err
	}
	defer db.Close()

	// Mail: through SMTP when configured, otherwise into the log and the
	// development mailbox at /_dev/mail.
	var transport mail.Transport
	var devMail web.MailLog
	if cfg.SMTP != "" {
		smtp, err := mail.NewSMTP(cfg.SMTP)
		if err != nil {
			return err
		}
		transport = smtp
		log.Info("mail goes out through SMTP", "server", smtp.String())
	} else {
		transport, devMail = mail.NewLog(log), db
		log.Info("no SMTP server configured: email is logged and listed at /_dev/mail")
	}
	sender := mail.NewSender(db, transport, cfg.MailFrom, log)
	accounts, err := newAccounts(ctx, db, &cfg, log, sender.Wake)
	if err != nil {
		return err
	}

	subs, webhook, err := newBilling(db, &cfg, log, sender.Wake)
	if err != nil {
		return err
	}

	renderer := story.NewRenderer()
	if cfg.Demo {
		res, err := demo.Seed(ctx, db, time.Now(), renderer)
		if err != nil {
			return err
		}
		if res.Stories > 0 {
			log.Info("created the demo site", "sections", res.Sections, "stories", res.Stories)
			if err := e.createDemoAdmin(ctx, accounts); err != nil {
				return err
			}
			if err := createDemoPlans(ctx, subs); err != nil {
				return err
			}
		} else {
			log.Info("the database already has content; the demo site was not created")
		}
	}

	discussions, err := newComments(ctx, db, &cfg, log, subs, sender.Wake)
	if err != nil {
		return err
	}
	desk := newsroom.New(db, nil, log)
	library, err := media.NewLibrary(cfg.DataDir, db, nil)
	if err != nil {
		return err
	}

	// Instances sharing a PostgreSQL database purge each other's page
	// caches through it.
	purges := db.NewPurges(log)
	site, err := web.New(db, web.Options{BaseURL: cfg.BaseURL, Logger: log, Accounts: accounts, DevMail: devMail,
		Billing: subs, StripeWebhook: webhook, PlanAdmin: db, Comments: discussions, CommentAdmin: db,
		Newsroom: desk, NewsroomStore: db, Front: db, Views: db, Tokens: db,
		Media: library, Images: db, Desk: db, Probe: db, MetricsElsewhere: cfg.MetricsAddr != "",
		PageCacheBytes: int64(cfg.PageCacheMB) << 20, Broadcaster: purges, TrustedProxies: cfg.TrustedProxies,
		// Sixteen requests a core at once keep the cores and the database
		// busy; past that a request waits a second, then gets a 503.
		MaxInFlight: 16 * runtime.NumCPU(), QueueWait: time.Second})
	if err != nil {
		return err
	}
	// Background workers stop when serving stops, before the database
	// closes.
	var workers sync.WaitGroup
	defer workers.Wait()
	workCtx, stopWork := context.WithCancel(ctx)
	defer stopWork()
	workers.Go(func() { sender.Run(workCtx) })
	workers.Go(func() { desk.RunScheduler(workCtx, 20*time.Second, site.StoriesPublished) })
	workers.Go(func() { purges.Listen(workCtx, site.ApplyPurge) })
	workers.Go(func() { site.RunViewFlusher(workCtx, time.Minute) })
	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           site,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	log.Info("Dateline is serving", "url", cfg.BaseURL, "addr", ln.Addr().String(), "database", db.Name())

	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	if cfg.MetricsAddr != "" {
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			return fmt.Errorf("listen for metrics on %s: %w", cfg.MetricsAddr, err)
		}
		msrv := &http.Server{Handler: operatorMux(site.MetricsHandler()), ReadHeaderTimeout: 5 * time.Second}
		defer msrv.Close()
		go func() { errc <- msrv.Serve(mln) }()
		log.Info("metrics are served apart", "addr", mln.Addr().String())
	}
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	// Requests in flight get up to 30 seconds to finish.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// newAccounts builds the account service with the password hasher, the
// password policy and the email composer.
func newAccounts(ctx context.Context, db *store.Store, cfg *config.Config, log *slog.Logger, mailSent func()) (*account.Service, error) {
	composer, err := mail.NewComposer(siteName, cfg.BaseURL, cfg.MailFrom)
	if err != nil {
		return nil, err
	}
	// Half the cores hash passwords at most, so a flood of log-ins leaves
	// the other half to the pages.
	hasher := password.NewHasher(password.DefaultParams(), max(runtime.NumCPU()/2, 1), 2*time.Second)
	return account.New(ctx, account.Options{
		Store:    db,
		Hasher:   hasher,
		Policy:   password.NewPolicy(),
		Composer: composer,
		Log:      log,
		SiteName: siteName,
		BaseURL:  cfg.BaseURL,
		MailSent: mailSent,
	})
}

// newBilling builds subscriptions with Stripe when a key is configured and
// with the demo provider, which takes no money, otherwise.
func newBilling(db *store.Store, cfg *config.Config, log *slog.Logger, mailSent func()) (*billing.Service, *billing.Webhook, error) {
	composer, err := mail.NewComposer(siteName, cfg.BaseURL, cfg.MailFrom)
	if err != nil {
		return nil, nil, err
	}
	var provider billing.Provider = billing.DemoProvider{}
	if cfg.StripeKey != "" {
		provider = billing.NewStripe(cfg.StripeKey, billing.WithStripeLogger(log), billing.WithStripeAPIURL(cfg.StripeAPIURL))
		log.Info("payments through Stripe")
	} else {
		log.Info("no Stripe key: the demo payment provider takes no money")
	}
	subs := billing.New(billing.Options{Store: db, Provider: provider, Composer: composer, Log: log,
		BaseURL: cfg.BaseURL, MailSent: mailSent})
	var webhook *billing.Webhook
	if cfg.StripeWebhookSecret != "" {
		webhook = billing.NewWebhook(subs, cfg.StripeWebhookSecret)
	}
	return subs, webhook, nil
}

// accessCheck tells the comment service who has digital access.
type accessCheck struct{ subs *billing.Service }

func (a accessCheck) HasAccess(ctx context.Context, u *account.User) (bool, error) {
	ok, _, err := a.subs.HasAccess(ctx, u)
	return ok, err
}

// newComments builds the discussions under stories.
func newComments(ctx context.Context, db *store.Store, cfg *config.Config, log *slog.Logger, subs *billing.Service, mailSent func()) (*comment.Service, error) {
	composer, err := mail.NewComposer(siteName, cfg.BaseURL, cfg.MailFrom)
	if err != nil {
		return nil, err
	}
	// The web server tells the service which discussions changed, here
	// and on the other instances, so it may keep the busiest in memory.
	return comment.New(ctx, comment.Options{Store: db, Access: accessCheck{subs}, Composer: composer, Log: log,
		BaseURL: cfg.BaseURL, MailSent: mailSent, CachedComments: 50_000})
}

// createDemoPlans offers a monthly and a yearly plan on the demo site.
func createDemoPlans(ctx context.Context, subs *billing.Service) error {
	for _, p := range []billing.Plan{
		{Name: "Monthly", Description: "Every story, every day. Cancel at any time.", PriceMinor: 900, Currency: "EUR",
			Period: billing.Monthly, TrialDays: 0, Active: true, Position: 1},
		{Name: "Yearly", Description: "A year of every story, for the price of ten months.", PriceMinor: 9000, Currency: "EUR",
			Period: billing.Yearly, TrialDays: 14, Active: true, Position: 2},
	} {
		if err := subs.CreatePlan(ctx, &p); err != nil {
			return fmt.Errorf("demo plans: %w", err)
		}
	}
	return nil
}

// siteName is the paper's name until the newsroom can set its own.
const siteName = "Dateline"

// createDemoAdmin makes the demo site's administrator and prints its
// password, once.
func (e env) createDemoAdmin(ctx context.Context, accounts *account.Service) error {
	pw, err := randomPassword()
	if err != nil {
		return err
	}
	const email = "admin@example.com"
	if _, err := accounts.CreateUser(ctx, email, "Demo Admin", pw, account.Admin); err != nil {
		return fmt.Errorf("demo admin: %w", err)
	}
	fmt.Fprintf(e.stdout, "Demo admin: %s\nPassword:   %s\n(shown only this once)\n", email, pw)
	return nil
}

// openAndMigrate opens the database and brings its schema up to date.
func openAndMigrate(ctx context.Context, dsn string, log *slog.Logger) (*store.Store, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		_ = db.Close() // the migration's error is the one to report
		return nil, fmt.Errorf("database %s: %w", db.Name(), err)
	}
	if len(applied) > 0 {
		log.Info("migrated the database", "database", db.Name(), "applied", applied)
	}
	return db, nil
}

// operatorMux serves what only operators should reach, on the metrics
// address: the Prometheus metrics at /metrics, and Go's profiler at
// /debug/pprof/ for finding where time and memory go under load.
func operatorMux(metrics http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics)
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	return mux
}
