package config

import (
	"flag"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func parse(t *testing.T, env map[string]string, args ...string) (*Config, error) {
	t.Helper()
	var c Config
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.Register(fs, func(k string) (string, bool) { v, ok := env[k]; return v, ok }, Addr, Database, BaseURL, Demo, PageCache, LogLevel, TrustedProxies, StripeAPIURL, MaxInFlight, SchedulerInterval, TimeZone)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return &c, c.Finish()
}

func TestDefaultsEnvironmentAndFlags(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want Config
	}{
		{"defaults", nil, nil,
			Config{Addr: "localhost:8080", Database: "dateline.db", BaseURL: "http://localhost:8080"}},
		{"environment", map[string]string{"DATELINE_ADDR": ":9000", "DATELINE_DATABASE": "postgres://db/news", "DATELINE_DEMO": "1"}, nil,
			Config{Addr: ":9000", Database: "postgres://db/news", BaseURL: "http://localhost:9000", Demo: true}},
		{"flags win over the environment", map[string]string{"DATELINE_ADDR": ":9000", "DATELINE_DEMO": "true"},
			[]string{"--addr", "127.0.0.1:7000", "--demo=false", "--base-url", "https://news.example/"},
			Config{Addr: "127.0.0.1:7000", Database: "dateline.db", BaseURL: "https://news.example"}},
		{"empty environment value keeps the default", map[string]string{"DATELINE_DATABASE": ""}, nil,
			Config{Addr: "localhost:8080", Database: "dateline.db", BaseURL: "http://localhost:8080"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parse(t, tt.env, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			if got.Addr != tt.want.Addr || got.Database != tt.want.Database || got.BaseURL != tt.want.BaseURL || got.Demo != tt.want.Demo {
				t.Errorf("got %+v, want %+v", *got, tt.want)
			}
		})
	}
}

func TestBadSettings(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{"DATELINE_DEMO": "perhaps"}, nil, "DATELINE_DEMO"},
		{nil, []string{"--base-url", "ftp://news.example"}, "--base-url"},
		{nil, []string{"--base-url", "/relative"}, "--base-url"},
		{nil, []string{"--database", ""}, "--database"},
		{nil, []string{"--addr", "nonsense"}, "--addr"},
		{map[string]string{"DATELINE_PAGE_CACHE_MB": "lots"}, nil, "DATELINE_PAGE_CACHE_MB"},
		{nil, []string{"--page-cache-mb", "-1"}, "--page-cache-mb"},
		{map[string]string{"DATELINE_LOG_LEVEL": "chatty"}, nil, "DATELINE_LOG_LEVEL"},
		{nil, []string{"--log-level", "chatty"}, "log-level"},
		{nil, []string{"--trusted-proxies", "10.0.0.0/8, proxy.example"}, "--trusted-proxies"},
		{nil, []string{"--stripe-api-url", "127.0.0.1:12111"}, "--stripe-api-url"},
		{map[string]string{"DATELINE_STRIPE_API_URL": "ftp://stripe.example"}, nil, "--stripe-api-url"},
		{map[string]string{"DATELINE_MAX_IN_FLIGHT": "many"}, nil, "DATELINE_MAX_IN_FLIGHT"},
		{nil, []string{"--max-in-flight", "0"}, "--max-in-flight"},
		{nil, []string{"--max-in-flight", "-4"}, "--max-in-flight"},
		{map[string]string{"DATELINE_MAX_IN_FLIGHT": "0"}, nil, "--max-in-flight"},
		{nil, []string{"--max-in-flight", "2000000"}, "--max-in-flight"},
		{nil, []string{"--max-in-flight", "lots"}, "max-in-flight"},
		{map[string]string{"DATELINE_SCHEDULER_INTERVAL": "20"}, nil, "DATELINE_SCHEDULER_INTERVAL"},
		{nil, []string{"--scheduler-interval", "0s"}, "--scheduler-interval"},
		{nil, []string{"--scheduler-interval", "10ms"}, "--scheduler-interval"},
		{nil, []string{"--scheduler-interval", "-20s"}, "--scheduler-interval"},
		{nil, []string{"--scheduler-interval", "2h"}, "--scheduler-interval"},
		{nil, []string{"--scheduler-interval", "soon"}, "scheduler-interval"},
	} {
		_, err := parse(t, tt.env, tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v %v: err = %v, want one naming %s", tt.env, tt.args, err, tt.want)
		}
	}
}

func TestSecureCookies(t *testing.T) {
	if (&Config{BaseURL: "https://news.example"}).SecureCookies() != true ||
		(&Config{BaseURL: "http://localhost:8080"}).SecureCookies() != false {
		t.Error("SecureCookies must follow the base URL's scheme")
	}
}

func TestPageCacheAndLogLevel(t *testing.T) {
	c, err := parse(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.PageCacheMB != 64 || c.LogLevel != slog.LevelInfo {
		t.Errorf("defaults: page cache %d MiB, log level %v; want 64 and info", c.PageCacheMB, c.LogLevel)
	}
	c, err = parse(t, map[string]string{"DATELINE_PAGE_CACHE_MB": "0", "DATELINE_LOG_LEVEL": "debug"})
	if err != nil {
		t.Fatal(err)
	}
	if c.PageCacheMB != 0 || c.LogLevel != slog.LevelDebug {
		t.Errorf("environment: page cache %d MiB, log level %v; want 0 and debug", c.PageCacheMB, c.LogLevel)
	}
	c, err = parse(t, map[string]string{"DATELINE_LOG_LEVEL": "debug"}, "--log-level", "warn", "--page-cache-mb", "16")
	if err != nil {
		t.Fatal(err)
	}
	if c.PageCacheMB != 16 || c.LogLevel != slog.LevelWarn {
		t.Errorf("flags: page cache %d MiB, log level %v; want 16 and warn", c.PageCacheMB, c.LogLevel)
	}
}

func TestTrustedProxies(t *testing.T) {
	c, err := parse(t, map[string]string{"DATELINE_TRUSTED_PROXIES": " 10.1.2.3/8, 192.0.2.7 ,2001:db8::/32"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.TrustedProxies {
		got = append(got, p.String())
	}
	if strings.Join(got, " ") != "10.0.0.0/8 192.0.2.7/32 2001:db8::/32" {
		t.Errorf("trusted proxies %v", got)
	}
	if c, err := parse(t, nil); err != nil || len(c.TrustedProxies) != 0 {
		t.Errorf("by default no proxy is trusted: %v %v", c.TrustedProxies, err)
	}
}

func TestStripeAPIURL(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"unset: Stripe's own", nil, nil, ""},
		{"environment", map[string]string{"DATELINE_STRIPE_API_URL": "http://127.0.0.1:12111/"}, nil, "http://127.0.0.1:12111"},
		{"flag wins", map[string]string{"DATELINE_STRIPE_API_URL": "http://127.0.0.1:12111"},
			[]string{"--stripe-api-url", "https://stripe.internal.example"}, "https://stripe.internal.example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parse(t, tt.env, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			if got.StripeAPIURL != tt.want {
				t.Errorf("StripeAPIURL = %q, want %q", got.StripeAPIURL, tt.want)
			}
		})
	}
}

func TestIsPostgres(t *testing.T) {
	for _, tt := range []struct {
		dsn  string
		want bool
	}{
		{"postgres://db/news", true},
		{"postgresql://user:pw@db:5432/news?sslmode=disable", true},
		{"dateline.db", false},
		{"postgres.db", false},
		{"postgres-news.db", false},
		{"/var/lib/postgres/dateline.db", false},
		{"", false},
	} {
		if got := IsPostgres(tt.dsn); got != tt.want {
			t.Errorf("IsPostgres(%q) = %v, want %v", tt.dsn, got, tt.want)
		}
	}
}

func TestLimits(t *testing.T) {
	def := DefaultLimits()
	if def.MaxInFlight < 16 || def.SchedulerInterval != 20*time.Second || def.QueueWait != time.Second ||
		def.ViewFlushInterval != time.Minute || def.PasswordHashers < 1 || def.ShutdownTimeout != 30*time.Second {
		t.Errorf("DefaultLimits() = %+v", def)
	}
	tests := []struct {
		name      string
		env       map[string]string
		args      []string
		inFlight  int
		scheduler time.Duration
	}{
		{"defaults", nil, nil, def.MaxInFlight, def.SchedulerInterval},
		{"empty environment values keep the defaults", map[string]string{"DATELINE_MAX_IN_FLIGHT": "", "DATELINE_SCHEDULER_INTERVAL": ""}, nil,
			def.MaxInFlight, def.SchedulerInterval},
		{"environment", map[string]string{"DATELINE_MAX_IN_FLIGHT": " 64 ", "DATELINE_SCHEDULER_INTERVAL": "1m"}, nil, 64, time.Minute},
		{"flags win over the environment", map[string]string{"DATELINE_MAX_IN_FLIGHT": "64", "DATELINE_SCHEDULER_INTERVAL": "1m"},
			[]string{"--max-in-flight", "200", "--scheduler-interval", "5s"}, 200, 5 * time.Second},
		{"bounds", nil, []string{"--max-in-flight", "1", "--scheduler-interval", "1h"}, 1, time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parse(t, tt.env, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			want := def
			want.MaxInFlight, want.SchedulerInterval = tt.inFlight, tt.scheduler
			if got.Limits != want {
				t.Errorf("Limits = %+v, want %+v", got.Limits, want)
			}
		})
	}
	t.Run("settings built without flags take the defaults", func(t *testing.T) {
		c := Config{Database: "dateline.db", Limits: Limits{SchedulerInterval: 50 * time.Millisecond}}
		if err := c.Finish(); err == nil {
			t.Error("a scheduler interval under a second was accepted")
		}
		c = Config{Database: "dateline.db", Limits: Limits{MaxInFlight: 3}}
		if err := c.Finish(); err != nil {
			t.Fatal(err)
		}
		want := def
		want.MaxInFlight = 3
		if c.Limits != want {
			t.Errorf("Limits = %+v, want %+v", c.Limits, want)
		}
	})
}

func TestTimeZone(t *testing.T) {
	for _, tt := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"UTC by default", nil, nil, "UTC"},
		{"from the environment", map[string]string{"DATELINE_TIME_ZONE": "Europe/Lisbon"}, nil, "Europe/Lisbon"},
		{"the flag wins", map[string]string{"DATELINE_TIME_ZONE": "Europe/Lisbon"}, []string{"--time-zone", "America/New_York"}, "America/New_York"},
		{"an empty value keeps the default", map[string]string{"DATELINE_TIME_ZONE": ""}, nil, "UTC"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parse(t, tt.env, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			if c.TimeZone != tt.want || c.Location == nil || c.Location.String() != tt.want {
				t.Errorf("TimeZone = %q, Location = %v; want %s", c.TimeZone, c.Location, tt.want)
			}
		})
	}
	for _, bad := range []string{"Europe/Atlantis", "Local", "lisbon", "../../etc/passwd"} {
		t.Run("refuses "+bad, func(t *testing.T) {
			_, err := parse(t, map[string]string{"DATELINE_TIME_ZONE": bad})
			if err == nil || !strings.Contains(err.Error(), "--time-zone") || !strings.Contains(err.Error(), "IANA") {
				t.Errorf("--time-zone %q: %v; want a refusal naming the flag and what it takes", bad, err)
			}
		})
	}
}
