package web

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Probe is what the readiness check and the metrics read of the
// database.
type Probe interface {
	Ping(ctx context.Context) error
	SchemaVersion(ctx context.Context) (current, latest int, err error)
	OutboxDepth(ctx context.Context) (pending, failed int, err error)
	// DBStats reports the connection pools by name, for metrics.
	DBStats() map[string]sql.DBStats
	// DiskFree is the space left for the database's files; known is false
	// when it cannot be seen from here.
	DiskFree() (free uint64, known bool)
}

// minDiskFree is the free space under which the site reports itself not
// ready: writes will soon fail, and a load balancer should send readers to
// an instance that can still save what they send.
const minDiskFree = 64 << 20

// metrics are the server's Prometheus metrics, registered in a registry
// of its own (no global state).
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	cache    *prometheus.CounterVec
	shed     prometheus.Counter
}

func newMetrics(probe Probe) *metrics {
	m := &metrics{registry: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "dateline_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
	}, []string{"route", "method", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "dateline_http_request_duration_seconds", Help: "Time to answer HTTP requests, by route pattern.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"route"})
	m.cache = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "dateline_page_cache_requests_total", Help: "Anonymous page requests by whether the page cache held the page.",
	}, []string{"result"})
	m.shed = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "dateline_http_shed_total", Help: "Requests answered 503 because the server was too busy to start them in time.",
	})
	m.registry.MustRegister(m.requests, m.latency, m.cache, m.shed,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if probe != nil {
		m.registry.MustRegister(&probeCollector{probe: probe,
			outbox: prometheus.NewDesc("dateline_outbox_messages", "Emails in the outbox by state.", []string{"state"}, nil),
			pool:   prometheus.NewDesc("dateline_db_connections", "Database connections by pool and state.", []string{"pool", "state"}, nil),
			waits:  prometheus.NewDesc("dateline_db_waits_total", "Times a request waited for a database connection.", []string{"pool"}, nil),
		})
	}
	return m
}

// probeCollector reads the outbox and the pools when Prometheus scrapes.
type probeCollector struct {
	probe               Probe
	outbox, pool, waits *prometheus.Desc
}

func (c *probeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.outbox
	ch <- c.pool
	ch <- c.waits
}

func (c *probeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if pending, failed, err := c.probe.OutboxDepth(ctx); err == nil {
		ch <- prometheus.MustNewConstMetric(c.outbox, prometheus.GaugeValue, float64(pending), "pending")
		ch <- prometheus.MustNewConstMetric(c.outbox, prometheus.GaugeValue, float64(failed), "failed")
	}
	for pool, st := range c.probe.DBStats() {
		ch <- prometheus.MustNewConstMetric(c.pool, prometheus.GaugeValue, float64(st.OpenConnections), pool, "open")
		ch <- prometheus.MustNewConstMetric(c.pool, prometheus.GaugeValue, float64(st.InUse), pool, "in_use")
		ch <- prometheus.MustNewConstMetric(c.waits, prometheus.CounterValue, float64(st.WaitCount), pool)
	}
}

// MetricsHandler serves the Prometheus metrics; mount it where operators
// scrape (the main address, or --metrics-addr).
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})
}

// statusWriter remembers the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// statusClientClosed is the code a request is counted under when its
// client hung up before the answer was sent, as nginx logs it: the
// server did nothing wrong.
const statusClientClosed = 499

// clientLeft reports whether err comes of the reader having hung up:
// the request's context was cancelled, and that is what stopped the work.
func clientLeft(r *http.Request, err error) bool {
	return errors.Is(err, context.Canceled) && errors.Is(r.Context().Err(), context.Canceled)
}

type routeKey struct{}

// routed notes the pattern the mux chose for a request where instrument
// can read it. The mux writes the pattern into the request it is given,
// and the wrappers between instrument and the mux may pass it a copy.
func routed(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if route, ok := r.Context().Value(routeKey{}).(*string); ok {
			defer func() { *route = r.Pattern }()
		}
		mux.ServeHTTP(w, r)
	})
}

// instrument counts and times requests by the route pattern that served
// them, as routed noted it. Requests no route matched are "unmatched".
func (s *Server) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		route := new(string)
		r = r.WithContext(context.WithValue(r.Context(), routeKey{}, route))
		next.ServeHTTP(sw, r)
		label := *route
		if label == "" || label == "/" {
			label = "unmatched"
		}
		code := sw.code
		if code == 0 {
			code = http.StatusOK
		}
		if errors.Is(r.Context().Err(), context.Canceled) {
			code = statusClientClosed // whatever was written, nobody read it
		}
		elapsed := time.Since(start)
		if r.Method == http.MethodPost && code < 400 && s.writesFailing.Load() {
			s.writesFailing.Store(false) // a write went through again
		}
		s.metrics.requests.WithLabelValues(label, r.Method, strconv.Itoa(code)).Inc()
		s.metrics.latency.WithLabelValues(label).Observe(elapsed.Seconds())
		// A line per request costs more than serving a cached page, so
		// requests that went well are logged only at debug; refusals,
		// failures and slow answers always are. A reader who hung up is
		// no failure of ours.
		level := slog.LevelDebug
		switch {
		case code == statusClientClosed:
		case code >= 500 || elapsed > time.Second:
			level = slog.LevelWarn
		case code >= 400:
			level = slog.LevelInfo
		}
		s.log.LogAttrs(r.Context(), level, "request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("route", label),
			slog.Int("status", code), slog.Duration("took", elapsed))
	})
}

type requestIDKey struct{}

// withRequestID gives every request an id, from X-Request-ID when a proxy
// set a sane one, sends it back, and puts it in the context for logs.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-ID")
		if len(id) == 0 || len(id) > 64 || !isToken(id) {
			var b [8]byte
			rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-ID", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

func isToken(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// RequestIDHandler adds the request id of the context to every log line
// written with one, so all lines of a request can be found together.
type RequestIDHandler struct{ slog.Handler }

// Handle adds request_id when the context carries one.
func (h RequestIDHandler) Handle(ctx context.Context, rec slog.Record) error {
	if id, ok := ctx.Value(requestIDKey{}).(string); ok {
		rec.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, rec)
}

// WithAttrs keeps the request id behaviour.
func (h RequestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return RequestIDHandler{h.Handler.WithAttrs(attrs)}
}

// WithGroup keeps the request id behaviour.
func (h RequestIDHandler) WithGroup(name string) slog.Handler {
	return RequestIDHandler{h.Handler.WithGroup(name)}
}

// readyz answers 200 when the database answers and its schema is current,
// 503 otherwise: load balancers send readers only to ready instances.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if s.probe == nil {
		s.healthz(w, r)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	cur, latest, err := s.probe.SchemaVersion(ctx)
	free, known := s.probe.DiskFree()
	switch {
	case err != nil:
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database unavailable\n")) // probes ignore the body
	case cur < latest:
		// A newer schema is fine: during a rolling upgrade the first new
		// instance migrates, and the old ones keep serving until replaced.
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database schema not current\n"))
	case s.writesFailing.Load():
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database cannot write: its disk is full\n"))
	case known && free < minDiskFree:
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = fmt.Fprintf(w, "disk nearly full: %d MiB left for the database\n", free>>20)
	default:
		_, _ = w.Write([]byte("ready\n"))
	}
}
