// Package app builds a whole Dateline site from its settings and a clock:
// the database and domain services (internal/services), the web server and
// the background workers. `dateline serve` and the tests build the site
// here alike, so a test runs every part production runs, on the clock the
// test sets.
package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"dateline/internal/config"
	"dateline/internal/password"
	"dateline/internal/services"
	"dateline/internal/web"
)

// SiteName is the paper's name until the newsroom can set its own.
const SiteName = services.SiteName

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
	// zero means the settings' Limits.SchedulerInterval.
	SchedulerInterval time.Duration
	// NoResetPadding answers password reset requests at once instead of
	// padding them to a floor of time.
	NoResetPadding bool
}

// App is a built site: its services, with the web server on them. Run
// starts its background work and Close releases it.
type App struct {
	*services.Set
	Site *web.Server

	scheduler, viewFlush time.Duration
}

// New builds the site: it opens and migrates the database, builds every
// service, creates the demo site when asked on an empty database, and
// parses the templates. Nothing runs in the background until Run.
func New(ctx context.Context, o Options) (*App, error) {
	set, err := services.New(ctx, services.Options{Config: o.Config, Now: o.Now, Log: o.Log, Out: o.Out,
		PasswordParams: o.PasswordParams, MailPoll: o.MailPoll, NoResetPadding: o.NoResetPadding})
	if err != nil {
		return nil, err
	}
	site, err := web.NewSite(set)
	if err != nil {
		_ = set.Close() // the site's error is the one to report
		return nil, err
	}
	a := &App{Set: set, Site: site, scheduler: o.SchedulerInterval, viewFlush: set.Config.Limits.ViewFlushInterval}
	if a.scheduler <= 0 {
		a.scheduler = set.Config.Limits.SchedulerInterval
	}
	return a, nil
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
	workers.Go(func() { a.Purges.Listen(ctx, a.Site.ApplyPurge) })
	workers.Go(func() { a.Newsroom.RunViewFlusher(ctx, a.viewFlush) })
	workers.Wait()
}

// Handler is the public site.
func (a *App) Handler() http.Handler { return a.Site }
