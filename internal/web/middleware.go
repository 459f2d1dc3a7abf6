package web

import (
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"

	"dateline/internal/media"
)

// contentSecurityPolicy allows nothing from other origins and no inline
// script. JSON-LD blocks are data, not script, and are not affected.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

func (s *Server) securityHeaders(next http.Handler) http.Handler {
	hsts := strings.HasPrefix(s.opts.BaseURL, "https://")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		if hsts {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// recoverPanics turns a panic in a handler into the site's 500 page and a
// log line with the stack, instead of a dropped connection.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.serverError(w, r, fmt.Errorf("panic: %v\n%s", v, debug.Stack()))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// maxBodyBytes caps every request body but image uploads; form handlers
// cap theirs lower.
const maxBodyBytes = 1 << 20

// uploadBodyBytes caps the body of an image upload: the file and the few
// fields sent with it.
const uploadBodyBytes = media.MaxBytes + 64<<10

// bodyLimit is the largest body a request may send: image uploads, on
// the images page and in the API, take a file of up to media.MaxBytes;
// everything else maxBodyBytes.
func bodyLimit(r *http.Request) int64 {
	if r.Method == http.MethodPost && (r.URL.Path == "/admin/images" || r.URL.Path == "/api/v1/images") {
		return uploadBodyBytes
	}
	return maxBodyBytes
}

// limitBodies refuses bodies that announce themselves too large and cuts
// off those that turn out so, so no request can make the server read
// without end.
func (s *Server) limitBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := bodyLimit(r)
		if r.ContentLength > limit {
			msg := "The request was larger than we accept: at most 1 MB."
			if limit == uploadBodyBytes {
				msg = media.ErrTooLarge.Error()
			}
			if strings.HasPrefix(r.URL.Path, "/api/") {
				writeAPIError(w, http.StatusRequestEntityTooLarge, "too_large", msg, "")
				return
			}
			s.errorPage(w, r, http.StatusRequestEntityTooLarge, "That was too much to send", msg)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// personalPaths are where the pages show a person's own data (the
// account, the newsroom, the development mailbox, the API): no cache
// stores them, not even the browser's.
var personalPaths = []string{"/account", "/admin", "/_dev", "/api"}

func showsPersonalData(path string) bool {
	for _, p := range personalPaths {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// privateCaching keeps shared caches (a CDN, a proxy) from keeping what
// was made for one person: every answer to a request that carries a
// session cookie or an API token, and every answer that sets a cookie, is
// marked private. The pages anonymous readers share keep their public
// caching.
func (s *Server) privateCaching(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := r.Cookie(sessionCookie)
		next.ServeHTTP(&privateWriter{ResponseWriter: w,
			personal: err == nil || r.Header.Get("Authorization") != "",
			noStore:  showsPersonalData(r.URL.Path)}, r)
	})
}

// privateWriter sets Cache-Control as privateCaching says, as the
// answer's header goes out.
type privateWriter struct {
	http.ResponseWriter
	personal, noStore bool
	sent              bool
}

func (w *privateWriter) WriteHeader(code int) {
	if !w.sent && code >= 200 {
		w.sent = true
		w.mark()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *privateWriter) Write(b []byte) (int, error) {
	if !w.sent {
		w.sent = true
		w.mark()
	}
	return w.ResponseWriter.Write(b)
}

func (w *privateWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *privateWriter) mark() {
	h := w.Header()
	switch {
	case w.noStore:
		h.Set("Cache-Control", "private, no-store")
	case w.personal || len(h.Values("Set-Cookie")) > 0:
		h.Set("Cache-Control", privateCacheControl(h.Get("Cache-Control")))
	}
}

// privateCacheControl turns the Cache-Control a handler chose into its
// private form: what only shared caches obey goes, what browsers obey
// stays. An answer that chose nothing is checked with the server each
// time it is shown again.
func privateCacheControl(cc string) string {
	if cc == "" {
		return "private, no-cache"
	}
	out := []string{"private"}
	for _, d := range strings.Split(cc, ",") {
		d = strings.TrimSpace(d)
		name, _, _ := strings.Cut(strings.ToLower(d), "=")
		switch name {
		case "", "public", "private", "s-maxage", "proxy-revalidate":
			continue
		}
		out = append(out, d)
	}
	return strings.Join(out, ", ")
}
