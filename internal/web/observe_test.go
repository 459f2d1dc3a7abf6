package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"dateline/internal/story"
)

// logRecords keeps every log record written, for tests to read.
type logRecords struct {
	mu      sync.Mutex
	records []slog.Record
}

func (l *logRecords) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecords) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logRecords) WithGroup(string) slog.Handler            { return l }

func (l *logRecords) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, r.Clone())
	return nil
}

// atLeast returns the messages of the records at level or above.
func (l *logRecords) atLeast(level slog.Level) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, r := range l.records {
		if r.Level >= level {
			out = append(out, r.Message)
		}
	}
	return out
}

// requestCount reads dateline_http_requests_total for one set of labels.
func requestCount(s *Server, route, method string, code int) int {
	return int(testutil.ToFloat64(s.metrics.requests.WithLabelValues(route, method, strconv.Itoa(code))))
}

func TestRequestsCountedByRoutePattern(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		b := s.browser(t)
		b.post("/login", "email", "nobody@example.com", "password", "wrong password")
		expect(t, b.post("/logout"), http.StatusSeeOther, "")
		b.get("/no/such/page/here/at-all")
		b.do(http.MethodPost, "/no-such-form", nil)
		b.get("/section/world")
		for _, c := range []struct {
			route, method string
			code          int
		}{
			{"POST /login", "POST", http.StatusUnauthorized},
			{"POST /logout", "POST", http.StatusSeeOther},
			{"unmatched", "GET", http.StatusNotFound},
			{"unmatched", "POST", http.StatusNotFound},
			{"GET /section/{slug}", "GET", http.StatusOK},
		} {
			if n := requestCount(s.Server, c.route, c.method, c.code); n != 1 {
				t.Errorf(`requests{route=%q,method=%q,code="%d"} = %d, want 1`, c.route, c.method, c.code, n)
			}
		}
		if n := requestCount(s.Server, "unmatched", "POST", http.StatusSeeOther); n != 0 {
			t.Errorf("a routed POST was counted as unmatched %d times", n)
		}
	})
}

// hangingStore is the demo paper's store, whose reader hangs up while
// the page is being made: as the section is looked up.
type hangingStore struct {
	story.Store
	hangUp func()
}

func (h hangingStore) SectionBySlug(ctx context.Context, slug string) (*story.Section, error) {
	h.hangUp()
	return h.Store.SectionBySlug(ctx, slug)
}

func TestClientHangingUpIsNoServerError(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		logs := &logRecords{}
		srv, err := New(Options{BaseURL: testBase, Logger: slog.New(logs), Stories: storiesOf(hangingStore{Store: s.db, hangUp: cancel}),
			Now: func() time.Time { return testNow }, PageCacheBytes: 8 << 20})
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/section/world", nil)
		srv.ServeHTTP(httptest.NewRecorder(), req)

		if n := requestCount(srv, "GET /section/{slug}", "GET", 499); n != 1 {
			t.Errorf("counted %d requests as 499, want 1", n)
		}
		if n := requestCount(srv, "GET /section/{slug}", "GET", http.StatusInternalServerError); n != 0 {
			t.Errorf("counted %d requests as 500", n)
		}
		if msgs := logs.atLeast(slog.LevelInfo); len(msgs) > 0 {
			t.Errorf("a reader hanging up was logged above debug: %q", msgs)
		}
		if msgs := logs.atLeast(slog.LevelDebug); len(msgs) == 0 {
			t.Error("a reader hanging up was not logged at debug")
		}
	})
}
