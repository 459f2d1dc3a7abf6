package web

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"dateline/internal/account"
	"dateline/internal/billing"
)

// sessionCookie is the name of the cookie that carries a session token.
const sessionCookie = "dateline_session"

type ctxKey int

const viewerKey ctxKey = iota

// viewer is who is making the request: nobody, or a signed-in user.
type viewer struct {
	User    *account.User
	Session *account.Session
	Token   string
}

// viewerOf returns the request's viewer; its User is nil for anonymous
// readers.
func viewerOf(r *http.Request) *viewer {
	if v, ok := r.Context().Value(viewerKey).(*viewer); ok {
		return v
	}
	return &viewer{}
}

// loadViewer finds the signed-in user from the session cookie. A cookie
// that no longer names a live session is removed.
func (s *Server) loadViewer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := &viewer{}
		if c, err := r.Cookie(sessionCookie); err == nil && s.accounts != nil && !strings.HasPrefix(r.URL.Path, "/static/") {
			u, sess, err := s.accounts.Authenticate(r.Context(), c.Value)
			switch {
			case err == nil:
				v = &viewer{User: u, Session: sess, Token: c.Value}
				if sess.Renewed {
					s.setSessionCookie(w, c.Value, sess)
				}
			case errors.Is(err, account.ErrNotFound):
				s.clearSessionCookie(w)
			case clientLeft(r, err):
				// The reader hung up while their sign-in was looked up:
				// no one is left to answer, and nothing failed.
				s.log.DebugContext(r.Context(), "client left", "method", r.Method, "path", r.URL.Path, "err", err)
				w.WriteHeader(statusClientClosed)
				return
			default:
				// The sign-in could not be checked. A page served signed
				// out would hide the reader's own things from them, or
				// send them to log in again: say to retry instead.
				s.log.WarnContext(r.Context(), "session lookup failed", "method", r.Method, "path", r.URL.Path, "err", err)
				w.Header().Set("Cache-Control", "no-store")
				w.Header().Set("Retry-After", "5")
				s.errorPage(w, r, http.StatusServiceUnavailable, "Please try again in a moment",
					"We could not check your sign-in just now. Nothing you did caused this; please try again in a few seconds.")
				return
			}
		}
		ctx := context.WithValue(r.Context(), viewerKey, v)
		if v.User != nil && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			// A page asks whether its reader subscribes more than once;
			// reading changes nothing, so the first answer holds.
			ctx = billing.WithAccessMemo(ctx)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// setSessionCookie sends the session token: HttpOnly, SameSite=Lax,
// host-only, Path=/, Secure on https sites. "Keep me signed in" sessions
// persist across browser restarts; others end with the browser.
func (s *Server) setSessionCookie(w http.ResponseWriter, token string, sess *account.Session) {
	// #nosec G124 -- Secure is set on https sites; plain http serves only local development.
	c := &http.Cookie{
		Name:     sessionCookie,
		Value:    token,
		Path:     "/",
		HttpOnly: true,
		Secure:   s.secure,
		SameSite: http.SameSiteLaxMode,
	}
	if age := s.accounts.SessionCookieMaxAge(sess); age > 0 {
		c.MaxAge = int(age / time.Second)
	}
	http.SetCookie(w, c)
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	// #nosec G124 -- as in setSessionCookie: Secure on https sites.
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
}

// clientOf describes the browser behind a request. Its address is the
// peer's, unless the peer is a trusted proxy: then it is the last address
// in X-Forwarded-For that no trusted proxy added, so a reader cannot
// choose their own address by sending the header themselves.
func (s *Server) clientOf(r *http.Request) account.Client {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	if s.trusted(ip) {
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			hop := strings.TrimSpace(hops[i])
			if _, err := netip.ParseAddr(hop); err != nil {
				break // a hop that is not an address: trust nothing before it
			}
			ip = hop
			if !s.trusted(hop) {
				break
			}
		}
	}
	return account.Client{IP: ip, UserAgent: r.UserAgent()}
}

// trusted reports whether ip is one of the proxies in front of the site.
func (s *Server) trusted(ip string) bool {
	if len(s.opts.TrustedProxies) == 0 {
		return false
	}
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range s.opts.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// safeNext returns target when it is a path on this site, and fallback
// otherwise: return-to parameters never send a reader elsewhere.
func safeNext(target, fallback string) string {
	if target == "" || !strings.HasPrefix(target, "/") || strings.HasPrefix(target, "//") || strings.ContainsAny(target, "\\\r\n\t") {
		return fallback
	}
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return fallback
	}
	return target
}

// requireUser sends anonymous readers to log in and back.
func (s *Server) requireUser(w http.ResponseWriter, r *http.Request) (*viewer, bool) {
	v := viewerOf(r)
	if v.User == nil {
		next := r.URL.Path
		if r.Method != http.MethodGet {
			next = "/account"
		}
		http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
		return nil, false
	}
	return v, true
}
