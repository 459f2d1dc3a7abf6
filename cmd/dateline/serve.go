package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"dateline/internal/config"
	"dateline/internal/demo"
	"dateline/internal/store"
	"dateline/internal/story"
	"dateline/internal/web"
)

func (e env) serve(ctx context.Context, args []string) error {
	var cfg config.Config
	fs := e.newFlagSet("serve", "Serve the site. Migrations are applied first.")
	cfg.Register(fs, e.lookup, config.Addr, config.Database, config.BaseURL, config.Demo)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := cfg.Finish(); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))

	db, err := openAndMigrate(ctx, cfg.Database, log)
	if err != nil {
		return err
	}
	defer db.Close()

	renderer := story.NewRenderer()
	if cfg.Demo {
		res, err := demo.Seed(ctx, db, time.Now(), renderer)
		if err != nil {
			return err
		}
		if res.Stories > 0 {
			log.Info("created the demo site", "sections", res.Sections, "stories", res.Stories)
		} else {
			log.Info("the database already has content; the demo site was not created")
		}
	}

	site, err := web.New(db, web.Options{BaseURL: cfg.BaseURL, Logger: log})
	if err != nil {
		return err
	}
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

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
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
		db.Close()
		return nil, fmt.Errorf("database %s: %w", db.Name(), err)
	}
	if len(applied) > 0 {
		log.Info("migrated the database", "database", db.Name(), "applied", applied)
	}
	return db, nil
}
