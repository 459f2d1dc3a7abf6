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
