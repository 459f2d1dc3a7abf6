// Package config turns command-line flags and environment variables into the
// settings Dateline runs with. Every setting has a flag and an environment
// variable of the same meaning; a flag given on the command line wins over the
// environment, and the environment wins over the default.
package config

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Config holds the settings of one run of Dateline. It is filled by Register
// and Parse and is read-only afterwards.
type Config struct {
	// Addr is the TCP address the HTTP server listens on.
	Addr string
	// Database is a SQLite file path or a postgres:// URL.
	Database string
	// BaseURL is the public URL used in links, feeds and emails, without a
	// trailing slash. It defaults to http:// + Addr.
	BaseURL string
	// Demo asks for sample content on an empty database. It implies Dev.
	Demo bool
	// Dev turns on development conveniences: the development mailbox at
	// /_dev/mail and the demo payment provider, which takes no money.
	// Production runs without it.
	Dev bool
	// SMTP is the mail server URL (smtp:// or smtps://); empty means the
	// development mailbox.
	SMTP string
	// MailFrom is the sender of every email.
	MailFrom string
	// MailReplyTo, when set, is the Reply-To address of every email, where
	// the reader service reads replies; the emails then invite them.
	MailReplyTo string
	// StripeKey is Stripe's secret API key; empty means the demo payment
	// provider, which takes no money.
	StripeKey string
	// StripeWebhookSecret verifies Stripe's webhook signatures.
	StripeWebhookSecret string
	// StripeAPIURL is the address of a Stripe-compatible API, such as
	// stripe-mock in tests; empty means Stripe's own.
	StripeAPIURL string
	// TimeZone is the IANA name of the paper's time zone (such as
	// "Europe/Lisbon"), in which people see every time and the paper's
	// days begin; "UTC" by default. The site's settings may override it.
	TimeZone string
	// Location is TimeZone loaded by Finish.
	Location *time.Location
	// DataDir holds uploaded images; by default a folder "data" beside the
	// SQLite file (or in the working directory with PostgreSQL).
	DataDir string
	// MetricsAddr, when set, serves /metrics there instead of on Addr.
	MetricsAddr string
	// PageCacheMB is the memory, in MiB, kept for rendered pages served to
	// anonymous readers; 0 turns the page cache off.
	PageCacheMB int
	// LogLevel is the least important log line written: debug, info, warn
	// or error. A line per request is written at debug.
	LogLevel slog.Level
	// TrustedProxies are the load balancers and CDNs whose
	// X-Forwarded-For is believed, as addresses or CIDR prefixes.
	TrustedProxies []netip.Prefix
	trustedProxies string
	// Limits are the numbers the run works within; Finish fills those
	// not given from DefaultLimits.
	Limits Limits

	// bound holds the names of the settings Register made flags of.
	bound   map[string]bool
	envErrs []error
}

// Limits are the numbers a run of Dateline works within: how much work it
// takes on at once, how long it waits, and how often its background work
// comes round. DefaultLimits gives every one of them; the few an operator
// tunes have flags.
type Limits struct {
	// MaxInFlight bounds the requests worked on at once; past it a
	// request waits QueueWait for its turn, then gets a 503 with
	// Retry-After (--max-in-flight).
	MaxInFlight int
	QueueWait   time.Duration
	// SchedulerInterval is how often stories scheduled for publication
	// are looked for: a story goes live at most this long after its time
	// (--scheduler-interval).
	SchedulerInterval time.Duration
	// ViewFlushInterval is how often the page views counted in memory are
	// written to the database.
	ViewFlushInterval time.Duration
	// CachedComments is how many comments the discussions kept in memory
	// hold at most.
	CachedComments int
	// PasswordHashers is how many passwords are hashed at once; a log-in
	// waits up to PasswordHashWait for its turn, then is asked to try
	// again.
	PasswordHashers  int
	PasswordHashWait time.Duration
	// The HTTP server's timeouts, as in net/http.Server.
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	// ShutdownTimeout is how long the requests in flight get to finish
	// when the server is asked to stop.
	ShutdownTimeout time.Duration
}

// DefaultLimits are the limits Dateline runs with unless told otherwise,
// for this machine's number of cores.
func DefaultLimits() Limits {
	return Limits{
		// Sixteen requests a core at once keep the cores and the
		// database busy; past that a request waits a second, then gets
		// a 503.
		MaxInFlight:       16 * runtime.NumCPU(),
		QueueWait:         time.Second,
		SchedulerInterval: 20 * time.Second,
		ViewFlushInterval: time.Minute,
		CachedComments:    50_000,
		// Half the cores hash passwords at most, so a flood of log-ins
		// leaves the other half to the pages.
		PasswordHashers:   max(runtime.NumCPU()/2, 1),
		PasswordHashWait:  2 * time.Second,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ShutdownTimeout:   30 * time.Second,
	}
}

// The bounds of the limits that have flags.
const (
	maxMaxInFlight       = 1 << 20
	minSchedulerInterval = time.Second
	maxSchedulerInterval = time.Hour
)

// withDefaults fills the limits left at zero from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	for _, f := range []struct{ v, def *int }{
		{&l.MaxInFlight, &d.MaxInFlight}, {&l.CachedComments, &d.CachedComments}, {&l.PasswordHashers, &d.PasswordHashers},
	} {
		if *f.v == 0 {
			*f.v = *f.def
		}
	}
	for _, f := range []struct{ v, def *time.Duration }{
		{&l.QueueWait, &d.QueueWait}, {&l.SchedulerInterval, &d.SchedulerInterval}, {&l.ViewFlushInterval, &d.ViewFlushInterval},
		{&l.PasswordHashWait, &d.PasswordHashWait}, {&l.ReadHeaderTimeout, &d.ReadHeaderTimeout}, {&l.ReadTimeout, &d.ReadTimeout},
		{&l.WriteTimeout, &d.WriteTimeout}, {&l.IdleTimeout, &d.IdleTimeout}, {&l.ShutdownTimeout, &d.ShutdownTimeout},
	} {
		if *f.v == 0 {
			*f.v = *f.def
		}
	}
	return l
}

// A setting describes one flag and its environment variable.
type setting struct {
	name, env, usage string
	bind             func(c *Config, fs *flag.FlagSet, env string, set bool)
}

// Setting names accepted by Register.
const (
	Addr                = "addr"
	Database            = "database"
	BaseURL             = "base-url"
	Demo                = "demo"
	Dev                 = "dev"
	SMTP                = "smtp"
	MailFrom            = "mail-from"
	MailReplyTo         = "mail-reply-to"
	StripeKey           = "stripe-key"
	StripeWebhookSecret = "stripe-webhook-secret" // #nosec G101 -- the name of a flag, not a secret
	StripeAPIURL        = "stripe-api-url"
	DataDir             = "data-dir"
	TimeZone            = "time-zone"
	MetricsAddr         = "metrics-addr"
	PageCache           = "page-cache-mb"
	LogLevel            = "log-level"
	TrustedProxies      = "trusted-proxies"
	MaxInFlight         = "max-in-flight"
	SchedulerInterval   = "scheduler-interval"
)

var settings = []setting{
	{Addr, "DATELINE_ADDR", "listen `address`", func(c *Config, fs *flag.FlagSet, env string, set bool) {
		fs.StringVar(&c.Addr, Addr, orDefault(env, set, "localhost:8080"), "")
	}},
	{Database, "DATELINE_DATABASE", "SQLite file `path`, or a postgres:// URL", func(c *Config, fs *flag.FlagSet, env string, set bool) {
		fs.StringVar(&c.Database, Database, orDefault(env, set, "dateline.db"), "")
	}},
	{BaseURL, "DATELINE_BASE_URL", "public `URL` used in links and emails (default http:// + addr)", func(c *Config, fs *flag.FlagSet, env string, set bool) {
		fs.StringVar(&c.BaseURL, BaseURL, orDefault(env, set, ""), "")
	}},
	{Demo, "DATELINE_DEMO", "on an empty database, create a sample site; implies --dev", func(c *Config, fs *flag.FlagSet, env string, set bool) {
		fs.BoolVar(&c.Demo, Demo, c.envBool("DATELINE_DEMO", env, set), "")
	}},
	{Dev, "DATELINE_DEV", "development conveniences: the development mailbox at /_dev/mail and the demo payment provider, which takes no money; never in production", func(c *Config, fs *flag.FlagSet, env string, set bool) {
		fs.BoolVar(&c.Dev, Dev, c.envBool("DATELINE_DEV", env, set), "")
	}},
	{SMTP, "DATELINE_SMTP_URL", "mail server `URL`: smtp://user:pass@host:port (STARTTLS when offered) or smtps://; unset: mail waits in the outbox (listed at /_dev/mail with --dev)", func(c *Config, fs *flag.FlagSet, env string, set bool) {
		fs.StringVar(&c.SMTP, SMTP, orDefault(env, set, ""), "")
	}},
	{MailFrom, "DATELINE_MAIL_FROM", "sender `address` of every email", func(c *Config, fs *flag.FlagSet, env string, set bool) {
		fs.StringVar(&c.MailFrom, MailFrom, orDefault(env, set, "Dateline <news@localhost>"), "")
	}},
	{MailReplyTo, "DATELINE_MAIL_REPLY_TO", "Reply-To `address` of every email, read by the reader service; unset: no Reply-To, and emails do not invite replies", func(c *Config, fs *flag.FlagSet, env string, set bool) {
		fs.StringVar(&c.MailReplyTo, MailReplyTo, orDefault(env, set, ""), "")
	}},
	{StripeKey, "DATELINE_STRIPE_SECRET_KEY", "Stripe secret `key` for real payments; unset: no payments (the demo provider with --dev)", func(c *Config, fs *flag.FlagSet, env string, set bool) {
		fs.StringVar(&c.StripeKey, StripeKey, orDefault(env, set, ""), "")
	}},
	{StripeWebhookSecret, "DATELINE_STRIPE_WEBHOOK_SECRET", "Stripe webhook signing `secret` (whsec_…), needed with --stripe-key", func(c *Config, fs *flag.FlagSet, env string, set bool) {
		fs.StringVar(&c.StripeWebhookSecret, StripeWebhookSecret, orDefault(env, set, ""), "")
	}},
	{StripeAPIURL, "DATELINE_STRIPE_API_URL", "`URL` of a Stripe-compatible API server, such as stripe-mock for tests (default: Stripe's)", func(c *Config, fs *flag.FlagSet, env string, set bool) {
		fs.StringVar(&c.StripeAPIURL, StripeAPIURL, orDefault(env, set, ""), "")
	}},
	{TimeZone, "DATELINE_TIME_ZONE", "the paper's IANA time `zone`, such as Europe/Lisbon: every time people see is shown in it, and the paper's days begin at its midnight (the site's settings may change it)", func(c *Config, fs *flag.FlagSet, env string, set bool) {
		fs.StringVar(&c.TimeZone, TimeZone, orDefault(env, set, "UTC"), "")
	}},
	{DataDir, "DATELINE_DATA_DIR", "`folder` for uploaded images (default: \"data\" beside the SQLite file)", func(c *Config, fs *flag.FlagSet, env string, set bool) {
		fs.StringVar(&c.DataDir, DataDir, orDefault(env, set, ""), "")
	}},
	{MetricsAddr, "DATELINE_METRICS_ADDR", "serve Prometheus metrics on this `address` instead of on --addr, so they need not be public", func(c *Config, fs *flag.FlagSet, env string, set bool) {
		fs.StringVar(&c.MetricsAddr, MetricsAddr, orDefault(env, set, ""), "")
	}},
	{PageCache, "DATELINE_PAGE_CACHE_MB", "`MiB` of memory for pages kept for anonymous readers; 0 turns the page cache off", func(c *Config, fs *flag.FlagSet, env string, set bool) {
		v := 64
		if set && env != "" {
			n, err := strconv.Atoi(strings.TrimSpace(env))
			if err != nil {
				c.envErrs = append(c.envErrs, fmt.Errorf("DATELINE_PAGE_CACHE_MB: %q is not a whole number", env))
			}
			v = n
		}
		fs.IntVar(&c.PageCacheMB, PageCache, v, "")
	}},
	{LogLevel, "DATELINE_LOG_LEVEL", "`level` of the least important log line: debug (adds a line per request), info, warn or error", func(c *Config, fs *flag.FlagSet, env string, set bool) {
		c.LogLevel = slog.LevelInfo
		if set && env != "" {
			if err := c.LogLevel.UnmarshalText([]byte(env)); err != nil {
				c.envErrs = append(c.envErrs, fmt.Errorf("DATELINE_LOG_LEVEL: %q is not debug, info, warn or error", env))
			}
		}
		fs.TextVar(&c.LogLevel, LogLevel, c.LogLevel, "")
	}},
	{TrustedProxies, "DATELINE_TRUSTED_PROXIES", "comma-separated `addresses` or CIDR prefixes of the load balancers or CDN in front; their X-Forwarded-For gives the reader's address", func(c *Config, fs *flag.FlagSet, env string, set bool) {
		fs.StringVar(&c.trustedProxies, TrustedProxies, orDefault(env, set, ""), "")
	}},
	{MaxInFlight, "DATELINE_MAX_IN_FLIGHT", "`requests` worked on at once; past that a request waits a second for its turn, then gets a 503 (default: 16 a core)", func(c *Config, fs *flag.FlagSet, env string, set bool) {
		fs.IntVar(&c.Limits.MaxInFlight, MaxInFlight, c.envInt("DATELINE_MAX_IN_FLIGHT", env, set, DefaultLimits().MaxInFlight), "")
	}},
	{SchedulerInterval, "DATELINE_SCHEDULER_INTERVAL", "how often scheduled stories are looked for, as a `duration` such as 20s or 1m; a story goes live at most this late", func(c *Config, fs *flag.FlagSet, env string, set bool) {
		fs.DurationVar(&c.Limits.SchedulerInterval, SchedulerInterval, c.envDuration("DATELINE_SCHEDULER_INTERVAL", env, set, DefaultLimits().SchedulerInterval), "")
	}},
}

func orDefault(env string, set bool, def string) string {
	if set && env != "" {
		return env
	}
	return def
}

// envBool reads a boolean environment variable, keeping its error for
// Finish.
func (c *Config) envBool(name, env string, set bool) bool {
	if !set {
		return false
	}
	b, err := parseBool(env)
	if err != nil {
		c.envErrs = append(c.envErrs, fmt.Errorf("%s: %w", name, err))
	}
	return b
}

// envInt reads a whole-number environment variable, keeping its error for
// Finish.
func (c *Config) envInt(name, env string, set bool, def int) int {
	if !set || env == "" {
		return def
	}
	n, err := strconv.Atoi(strings.TrimSpace(env))
	if err != nil {
		c.envErrs = append(c.envErrs, fmt.Errorf("%s: %q is not a whole number", name, env))
		return def
	}
	return n
}

// envDuration reads a duration environment variable, keeping its error
// for Finish.
func (c *Config) envDuration(name, env string, set bool, def time.Duration) time.Duration {
	if !set || env == "" {
		return def
	}
	d, err := time.ParseDuration(strings.TrimSpace(env))
	if err != nil {
		c.envErrs = append(c.envErrs, fmt.Errorf("%s: %q is not a duration such as 20s or 1m", name, env))
		return def
	}
	return d
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "0", "false", "no", "off":
		return false, nil
	case "1", "true", "yes", "on":
		return true, nil
	}
	return false, fmt.Errorf("%q is not a boolean (use true or false)", s)
}

// LookupEnv is the signature of os.LookupEnv, injected so tests control the
// environment.
type LookupEnv func(key string) (string, bool)

// Register defines the named settings as flags on fs, with defaults read from
// the environment through lookup. Its usage text lists each flag with its
// environment variable.
func (c *Config) Register(fs *flag.FlagSet, lookup LookupEnv, names ...string) {
	var used []setting
	if c.bound == nil {
		c.bound = make(map[string]bool)
	}
	for _, name := range names {
		for _, s := range settings {
			if s.name == name {
				c.bound[name] = true
				env, set := lookup(s.env)
				s.bind(c, fs, env, set)
				used = append(used, s)
			}
		}
	}
	prev := fs.Usage
	fs.Usage = func() {
		if prev != nil {
			prev()
		}
		out := fs.Output()
		if len(used) > 0 {
			fmt.Fprintln(out, "\nOptions (each flag has an environment variable of the same meaning):")
		}
		for _, s := range used {
			f := fs.Lookup(s.name)
			kind, usage := flag.UnquoteUsage(&flag.Flag{Usage: s.usage, Value: f.Value})
			if _, ok := f.Value.(interface{ IsBoolFlag() bool }); ok {
				kind = ""
			}
			fmt.Fprintf(out, "  --%s %s\n", s.name, kind)
			fmt.Fprintf(out, "        %s\n", usage)
			fmt.Fprintf(out, "        env %s", s.env)
			if f.DefValue != "" && f.DefValue != "false" {
				fmt.Fprintf(out, ", default %q", f.DefValue)
			}
			fmt.Fprintln(out)
		}
	}
}

// Finish checks the settings after flag parsing and fills derived defaults.
func (c *Config) Finish() error {
	if err := errors.Join(c.envErrs...); err != nil {
		return err
	}
	if c.Demo {
		c.Dev = true
	}
	if c.Database == "" {
		return errors.New("--database must not be empty")
	}
	c.TrustedProxies = nil
	for _, f := range strings.Split(c.trustedProxies, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return fmt.Errorf("--trusted-proxies: %q is not an address or a CIDR prefix such as 10.0.0.0/8", f)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		c.TrustedProxies = append(c.TrustedProxies, p.Masked())
	}
	if err := c.loadZone(); err != nil {
		return err
	}
	if c.PageCacheMB < 0 || c.PageCacheMB > 1<<20 {
		return fmt.Errorf("--page-cache-mb %d must be from 0 (off) to %d", c.PageCacheMB, 1<<20)
	}
	if err := c.checkLimits(); err != nil {
		return err
	}
	c.Limits = c.Limits.withDefaults()
	if c.BaseURL == "" && c.Addr != "" {
		// A listen address without a host, or on every interface, is
		// reached through localhost on this machine.
		host, port, err := net.SplitHostPort(c.Addr)
		if err != nil {
			return fmt.Errorf("--addr %q must be host:port: %w", c.Addr, err)
		}
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "localhost"
		}
		c.BaseURL = "http://" + net.JoinHostPort(host, port)
	}
	if c.DataDir == "" {
		c.DataDir = "data"
		if !IsPostgres(c.Database) {
			c.DataDir = filepath.Join(filepath.Dir(c.Database), "data")
		}
	}
	if c.MailFrom != "" {
		if _, err := mail.ParseAddress(c.MailFrom); err != nil {
			return fmt.Errorf("--mail-from %q is not an email address: %w", c.MailFrom, err)
		}
	}
	if c.MailReplyTo != "" {
		if _, err := mail.ParseAddress(c.MailReplyTo); err != nil {
			return fmt.Errorf("--mail-reply-to %q is not an email address: %w", c.MailReplyTo, err)
		}
	}
	if (c.StripeKey == "") != (c.StripeWebhookSecret == "") {
		return errors.New("--stripe-key and --stripe-webhook-secret go together: set both for real payments, or neither for the demo provider")
	}
	if c.StripeAPIURL != "" {
		u, err := url.Parse(c.StripeAPIURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("--stripe-api-url %q must be an absolute http:// or https:// URL, such as http://127.0.0.1:12111", c.StripeAPIURL)
		}
		c.StripeAPIURL = strings.TrimRight(c.StripeAPIURL, "/")
	}
	if c.SMTP != "" {
		u, err := url.Parse(c.SMTP)
		if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
			return errors.New("--smtp must be a URL like smtp://user:pass@host:587 or smtps://host:465")
		}
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("--base-url %q must be an absolute http:// or https:// URL", c.BaseURL)
		}
		c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	}
	return nil
}

// checkLimits refuses limits out of their bounds. A limit left at zero
// takes its default, unless it was given as a flag or in the environment:
// there zero is a mistake.
func (c *Config) checkLimits() error {
	l := c.Limits
	if n := l.MaxInFlight; n < 0 || n > maxMaxInFlight || (n == 0 && c.bound[MaxInFlight]) {
		return fmt.Errorf("--max-in-flight %d must be from 1 to %d requests", n, maxMaxInFlight)
	}
	if d := l.SchedulerInterval; d < 0 || d > maxSchedulerInterval || (d < minSchedulerInterval && (d != 0 || c.bound[SchedulerInterval])) {
		return fmt.Errorf("--scheduler-interval %s must be from %s to %s", d, minSchedulerInterval, maxSchedulerInterval)
	}
	for _, n := range []int{l.CachedComments, l.PasswordHashers} {
		if n < 0 {
			return fmt.Errorf("config: limit %d is negative", n)
		}
	}
	for _, d := range []time.Duration{l.QueueWait, l.ViewFlushInterval, l.PasswordHashWait, l.ReadHeaderTimeout,
		l.ReadTimeout, l.WriteTimeout, l.IdleTimeout, l.ShutdownTimeout} {
		if d < 0 {
			return fmt.Errorf("config: limit %s is negative", d)
		}
	}
	return nil
}

// IsPostgres reports whether dsn, the value of --database, names a
// PostgreSQL database (a postgres:// or postgresql:// URL) rather than a
// SQLite file path. It is the one place the two are told apart.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// SecureCookies reports whether the public URL is https, in which case
// cookies are marked Secure and HSTS is sent.
func (c *Config) SecureCookies() bool {
	return strings.HasPrefix(c.BaseURL, "https://")
}

// loadZone checks TimeZone and loads it into Location; empty is UTC.
func (c *Config) loadZone() error {
	name := strings.TrimSpace(c.TimeZone)
	if name == "" {
		name = "UTC"
	}
	// time.LoadLocation takes "Local" and "" for the machine's own zone,
	// which is not a name another machine would read the same way.
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		return fmt.Errorf("--time-zone %q is not an IANA time zone name such as Europe/Lisbon or America/New_York", c.TimeZone)
	}
	c.TimeZone, c.Location = name, loc
	return nil
}
