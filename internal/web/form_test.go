package web

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"dateline/internal/account"
)

// postRaw posts body as a form, exactly as given, with the browser's cookies.
func (b *browser) postRaw(path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.RemoteAddr = net.JoinHostPort(b.ip, "40000")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range b.cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	b.s.ServeHTTP(rec, req)
	return rec
}

// TestPostsNeedTheirUserAndAReadableForm checks what every form post that
// needs someone signed in answers before it does anything: a visitor is
// sent to log in, a reader is refused staff forms, and a body too large or
// not a form at all is answered with the site's own page.
func TestPostsNeedTheirUserAndAReadableForm(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		reader := s.browser(t)
		reader.verified("rita@example.com")
		staff := map[account.Role]*browser{}
		for _, role := range []account.Role{account.Writer, account.Editor, account.Moderator, account.Admin} {
			staff[role] = s.staff(t, "staff-"+string(role)+"@example.com", role)
		}
		huge := "name=" + strings.Repeat("x", maxFormBytes+1)
		for _, tc := range []struct {
			path string
			role account.Role // who may post; Reader for anyone signed in
		}{
			{"/account/name", account.Reader},
			{"/account/delete", account.Reader},
			{"/account/notifications", account.Reader},
			{"/comments", account.Reader},
			{"/gifts", account.Reader},
			{"/admin/authors", account.Editor},
			{"/admin/sections", account.Editor},
			{"/admin/front/breaking", account.Editor},
			{"/admin/preview", account.Writer},
			{"/comments/policy", account.Admin},
			{"/admin/comments/suspend", account.Moderator},
			{"/admin/comments/unsuspend", account.Moderator},
			{"/admin/subscribers/complimentary", account.Admin},
			{"/admin/subscribers/complimentary/revoke", account.Admin},
		} {
			t.Run(strings.TrimPrefix(tc.path, "/"), func(t *testing.T) {
				anon := s.browser(t)
				expect(t, anon.post(tc.path, "name", "x"), http.StatusSeeOther, "/login?next=%2Faccount")
				b := reader
				if tc.role != account.Reader {
					if r := reader.post(tc.path, "name", "x"); r.Code != http.StatusForbidden || !strings.Contains(text(r.Doc), "This page is for staff") {
						t.Errorf("a reader's post = %d, want 403 for staff", r.Code)
					}
					b = staff[tc.role]
				}
				if rec := b.postRaw(tc.path, huge); rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "That was too much to send") {
					t.Errorf("a huge form = %d, want 413 with its page", rec.Code)
				}
				if rec := b.postRaw(tc.path, "name=%zz"); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "We could not read that form") {
					t.Errorf("an unreadable form = %d, want 400 with its page", rec.Code)
				}
			})
		}
	})
}
