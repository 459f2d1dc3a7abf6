package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"dateline/internal/config"
	"dateline/internal/services"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

func TestBusyServerAnswersAFast503(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	newSite(t, db)
	srv, err := New(Options{BaseURL: testBase, Now: func() time.Time { return testNow }, Logger: slog.New(slog.DiscardHandler), Stories: storiesOf(db),
		PageCacheBytes: 1 << 20, MaxInFlight: 1, QueueWait: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}
	// The front page is kept in the page cache before the server is busy.
	if rec := get("/"); rec.Code != http.StatusOK {
		t.Fatalf("front page = %d", rec.Code)
	}

	// A request in flight holds the only slot.
	srv.shedder.slots <- struct{}{}

	// Work that needs the slot is refused quickly, with Retry-After and
	// the site's own page; what costs nothing is still served.
	start := time.Now()
	rec := get("/section/world")
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" ||
		!strings.Contains(rec.Body.String(), "try again") {
		t.Errorf("a request past the bound: %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	if waited := time.Since(start); waited > 2*time.Second {
		t.Errorf("the 503 took %v", waited)
	}
	for _, path := range []string{"/", "/healthz"} {
		if rec := get(path); rec.Code != http.StatusOK {
			t.Errorf("%s while busy = %d, want 200: cached pages and health checks need no slot", path, rec.Code)
		}
	}

	// Once the slot is free, work is served again.
	<-srv.shedder.slots
	if rec := get("/section/world"); rec.Code != http.StatusOK {
		t.Errorf("after the slow request: %d", rec.Code)
	}
}

// TestNewSiteTakesItsLimitsFromTheSettings checks that the bound on
// requests comes from the settings: the default, or the operator's.
func TestNewSiteTakesItsLimitsFromTheSettings(t *testing.T) {
	def := config.DefaultLimits()
	for _, tc := range []struct {
		name     string
		limits   config.Limits
		inFlight int
		wait     time.Duration
	}{
		{"defaults", config.Limits{}, def.MaxInFlight, def.QueueWait},
		{"set", config.Limits{MaxInFlight: 3, QueueWait: 250 * time.Millisecond}, 3, 250 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := storetest.Open(t, store.SQLite)
			cfg := config.Config{Addr: "127.0.0.1:8080", Database: db.Name(), BaseURL: testBase, DataDir: t.TempDir(),
				MailFrom: "Dateline <news@news.example>", Limits: tc.limits}
			if err := cfg.Finish(); err != nil {
				t.Fatal(err)
			}
			set, err := services.New(context.Background(), services.Options{Config: cfg, Now: func() time.Time { return testNow }, Store: db})
			if err != nil {
				t.Fatal(err)
			}
			srv, err := NewSite(set)
			if err != nil {
				t.Fatal(err)
			}
			if srv.shedder == nil || cap(srv.shedder.slots) != tc.inFlight || srv.shedder.wait != tc.wait {
				t.Errorf("the site takes %d requests at once and lets one wait %v, want %d and %v",
					cap(srv.shedder.slots), srv.shedder.wait, tc.inFlight, tc.wait)
			}
		})
	}
}
