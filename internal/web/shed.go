package web

import (
	"net/http"
	"strings"
	"time"
)

// shedder bounds the requests the server works on at once. Past the
// bound a request waits a moment for its turn; if none comes it gets a
// fast 503 with Retry-After, so a flood slows nobody down for long and
// never leaves readers hanging. Pages the page cache holds, static files
// and the health checks are served outside the bound: they cost next to
// nothing.
type shedder struct {
	slots chan struct{}
	wait  time.Duration
}

func newShedder(inFlight int, wait time.Duration) *shedder {
	return &shedder{slots: make(chan struct{}, inFlight), wait: wait}
}

// everyQuery is every query parameter a cached page may carry; a key
// built with it is only found in the cache when the page's own route
// built the same key.
var everyQuery = append(append([]string{}, pageQuery...), searchQuery...)

func (s *Server) shed(next http.Handler) http.Handler {
	if s.shedder == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cheap(r) {
			next.ServeHTTP(w, r)
			return
		}
		select {
		case s.shedder.slots <- struct{}{}:
		default:
			t := time.NewTimer(s.shedder.wait)
			select {
			case s.shedder.slots <- struct{}{}:
				t.Stop()
			case <-t.C:
				s.metrics.shed.Inc()
				w.Header().Set("Retry-After", "2")
				s.errorPage(w, r, http.StatusServiceUnavailable, "Please try again in a moment",
					"We have more readers than we can serve this second. Please try again in a few seconds.")
				return
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		defer func() { <-s.shedder.slots }()
		next.ServeHTTP(w, r)
	})
}

// cheap reports whether r is served without real work: a static file, a
// health check, or a page the page cache holds for an anonymous reader.
func (s *Server) cheap(r *http.Request) bool {
	switch p := r.URL.Path; {
	case strings.HasPrefix(p, "/static/"), p == "/healthz", p == "/readyz":
		return true
	}
	if s.cache == nil || (r.Method != http.MethodGet && r.Method != http.MethodHead) || viewerOf(r).User != nil {
		return false
	}
	cache := s.cache
	if r.URL.Path == "/search" {
		cache = s.searches
	}
	key := cacheKey(r, everyQuery)
	return key != "" && cache.Fresh(key)
}
