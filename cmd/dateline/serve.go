package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"sync"

	"dateline/internal/app"
	"dateline/internal/clock"
	"dateline/internal/config"
	"dateline/internal/services"
	"dateline/internal/store"
	"dateline/internal/web"
)

func (e env) serve(ctx context.Context, args []string) error {
	var cfg config.Config
	fs := e.newFlagSet("serve", "Serve the site. Migrations are applied first.")
	cfg.Register(fs, e.lookup, config.Addr, config.Database, config.BaseURL, config.Demo, config.Dev, config.SMTP, config.MailFrom, config.MailReplyTo,
		config.StripeKey, config.StripeWebhookSecret, config.StripeAPIURL, config.DataDir, config.TimeZone, config.MetricsAddr, config.PageCache, config.LogLevel, config.TrustedProxies,
		config.MaxInFlight, config.SchedulerInterval)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := cfg.Finish(); err != nil {
		return err
	}
	// JSON lines, each line of a request carrying its request id.
	log := slog.New(web.RequestIDHandler{Handler: slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: cfg.LogLevel})})

	// What the site prints once for the operator (the demo administrator's
	// new password) waits until the addresses are printed above it.
	var once bytes.Buffer
	site, err := app.New(ctx, app.Options{Config: cfg, Now: clock.System, Log: log, Out: &once})
	if err != nil {
		return err
	}
	defer site.Close()
	// Background workers stop when serving stops, before the database
	// closes.
	workCtx, stopWork := context.WithCancel(ctx)
	var workers sync.WaitGroup
	defer workers.Wait()
	defer stopWork()
	workers.Go(func() { site.Run(workCtx) })

	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           site.Handler(),
		ReadHeaderTimeout: cfg.Limits.ReadHeaderTimeout,
		ReadTimeout:       cfg.Limits.ReadTimeout,
		WriteTimeout:      cfg.Limits.WriteTimeout,
		IdleTimeout:       cfg.Limits.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	log.Info("Dateline is serving", "url", cfg.BaseURL, "addr", ln.Addr().String(), "database", site.Store.Name())
	e.welcome(ctx, cfg, site, once.String())
	once.Reset()

	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	if cfg.MetricsAddr != "" {
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			return fmt.Errorf("listen for metrics on %s: %w", cfg.MetricsAddr, err)
		}
		msrv := &http.Server{Handler: operatorMux(site.Site.MetricsHandler()), ReadHeaderTimeout: cfg.Limits.ReadHeaderTimeout}
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
	// Requests in flight get a while to finish.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.Limits.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// welcome tells the person at the terminal where to go: the paper's
// address, the newsroom's, and with --demo how to log in as the demo
// administrator. A password is printed only when it was just made (once).
func (e env) welcome(ctx context.Context, cfg config.Config, site *app.App, once string) {
	fmt.Fprintf(e.stdout, "Dateline is serving.\n  Read the paper:  %s/\n  The newsroom:    %s/admin\n", cfg.BaseURL, cfg.BaseURL)
	if once != "" {
		fmt.Fprint(e.stdout, once)
		return
	}
	if !cfg.Demo {
		return
	}
	if _, err := site.Accounts.UserByEmail(ctx, services.DemoAdmin); err != nil {
		return
	}
	fmt.Fprintf(e.stdout, "Demo admin: %s (its password was shown at the first start)\n"+
		"  To set a new one: dateline user password --email %s --password-stdin\n", services.DemoAdmin, services.DemoAdmin)
}

// openAndMigrate opens the database and brings its schema up to date.
func openAndMigrate(ctx context.Context, dsn string, log *slog.Logger) (*store.Store, error) {
	db, err := store.Open(ctx, dsn, clock.System)
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
