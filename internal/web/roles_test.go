package web

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"dateline/internal/account"
)

// routeGate is what a route of the site asks of who calls it.
type routeGate struct {
	// may is the permission the route needs, from account's one table of
	// roles; empty for routes that are not the newsroom's or the
	// admins' (readers' pages, sign-in, the account page), which this
	// table lists only so that every route is accounted for.
	may account.Permission
	// path is the address to call, with the pattern's wildcards filled;
	// empty for the pattern itself.
	path string
	// body is sent with the request: a form for the site's pages, JSON
	// for the API.
	body string
	// json marks a site route that answers a page's script in JSON (the
	// editor's autosave): a visitor gets 401, not a redirect to log in.
	json bool
}

// roleTable is every route of the site and the permission each asks, the
// table TestRolesOverHTTP checks for every role. A route added to the
// site without a line here fails that test: decide who may call it, and
// add it. {story}, {plan} and {slug} stand for a published story someone
// else wrote, a plan and that story's slug.
var roleTable = map[string]routeGate{
	// Readers' pages, sign-in and the account: not the newsroom's.
	"GET /{$}": {}, "GET /section/{slug}": {}, "GET /section/{slug}/feed.atom": {}, "GET /tag/{slug}": {},
	"GET /author/{slug}": {}, "GET /{year}/{month}/{day}/{slug}": {}, "GET /{year}/{month}/{day}/{$}": {},
	"GET /{year}/{month}/{day}": {}, "GET /feed.atom": {}, "GET /sitemap.xml": {}, "GET /sitemaps/{file}": {},
	"GET /sitemap-news.xml": {}, "GET /robots.txt": {}, "GET /healthz": {}, "GET /readyz": {}, "GET /search": {},
	"GET /static/{file}": {}, "GET /favicon.ico": {}, "GET /_dev/mail": {}, "/": {},
	"GET /signup": {}, "POST /signup": {}, "GET /signup/welcome": {}, "GET /login": {}, "POST /login": {},
	"POST /logout": {}, "GET /password/forgot": {}, "POST /password/forgot": {}, "GET /password/reset": {},
	"POST /password/reset": {}, "GET /account": {}, "GET /account/verify": {}, "POST /account/confirm": {},
	"GET /account/data.json": {}, "POST /account/name": {}, "POST /account/email": {}, "POST /account/password": {},
	"POST /account/sessions/others": {}, "POST /account/verify": {}, "POST /account/delete": {},
	"POST /account/tokens": {}, "POST /account/tokens/{id}/revoke": {},
	"GET /subscribe": {}, "GET /subscribe/checkout": {}, "POST /subscribe/checkout": {},
	"GET /account/subscription/cancel": {}, "POST /account/subscription/cancel": {},
	"POST /account/subscription/resume": {}, "POST /account/subscription/manage": {}, "POST /gifts": {},
	"POST /account/gifts/{id}/revoke": {}, "GET /subscribe/demo": {}, "POST /subscribe/demo": {},
	"POST /webhooks/stripe": {}, "POST /comments": {}, "POST /comments/{id}/edit": {}, "POST /comments/{id}/delete": {},
	"POST /comments/{id}/recommend": {}, "GET /comments/{id}/report": {}, "POST /comments/{id}/report": {},
	"GET /comments/policy": {}, "GET /comments/unsubscribe": {}, "POST /comments/unsubscribe": {},
	"POST /account/notifications": {}, "GET /images/{id}/{file}": {}, "GET /invite": {}, "POST /invite": {},

	// The newsroom and the admins' pages.
	"GET /admin":                                       {may: account.ViewDashboard},
	"GET /admin/settings":                              {may: account.RunSite},
	"POST /admin/settings":                             {may: account.RunSite},
	"GET /admin/people":                                {may: account.RunSite},
	"POST /admin/people/invite":                        {may: account.RunSite},
	"POST /admin/people/{id}/role":                     {may: account.RunSite, path: "/admin/people/999999/role", body: "role=editor"},
	"GET /admin/audit":                                 {may: account.RunSite},
	"GET /admin/subscribers":                           {may: account.RunSite},
	"POST /admin/subscribers/complimentary":            {may: account.RunSite},
	"POST /admin/subscribers/complimentary/revoke":     {may: account.RunSite},
	"GET /admin/plans":                                 {may: account.RunSite},
	"POST /admin/plans":                                {may: account.RunSite},
	"POST /admin/plans/{id}/retire":                    {may: account.RunSite, path: "/admin/plans/{plan}/retire"},
	"POST /admin/plans/{id}/offer":                     {may: account.RunSite, path: "/admin/plans/{plan}/offer"},
	"POST /admin/plans/settings":                       {may: account.RunSite},
	"POST /comments/policy":                            {may: account.SetCommentRules},
	"POST /stories/{slug}/comments-mode":               {may: account.SetCommentRules, body: "mode=registered"},
	"GET /admin/comments":                              {may: account.ModerateComments},
	"GET /admin/comments/log":                          {may: account.ReadModerationLog},
	"GET /admin/comments/settings":                     {may: account.SetCommentRules},
	"POST /admin/comments/settings":                    {may: account.SetCommentRules},
	"POST /admin/comments/suspend":                     {may: account.ModerateComments},
	"POST /admin/comments/unsuspend":                   {may: account.ModerateComments},
	"POST /admin/comments/{id}/{action}":               {may: account.ModerateComments, path: "/admin/comments/999999/approve"},
	"GET /admin/stories":                               {may: account.WriteStories},
	"GET /admin/stories/new":                           {may: account.WriteStories},
	"POST /admin/stories":                              {may: account.WriteStories},
	"GET /admin/stories/{id}":                          {may: account.EditStories, path: "/admin/stories/{story}"},
	"POST /admin/stories/{id}":                         {may: account.EditStories, path: "/admin/stories/{story}"},
	"GET /admin/stories/{id}/revisions":                {may: account.EditStories, path: "/admin/stories/{story}/revisions"},
	"POST /admin/stories/{id}/revisions/{rev}/restore": {may: account.EditStories, path: "/admin/stories/{story}/revisions/1/restore"},
	"POST /admin/stories/autosave":                     {may: account.WriteStories, json: true},
	"POST /admin/stories/{id}/autosave":                {may: account.EditStories, path: "/admin/stories/{story}/autosave", json: true},
	"POST /admin/preview":                              {may: account.WriteStories, body: "body=Hello"},
	"GET /admin/front":                                 {may: account.CurateSite},
	"POST /admin/front":                                {may: account.CurateSite},
	"POST /admin/front/breaking":                       {may: account.CurateSite},
	"POST /admin/front/sections":                       {may: account.CurateSite},
	"GET /admin/authors":                               {may: account.CurateSite},
	"POST /admin/authors":                              {may: account.CurateSite},
	"POST /admin/authors/{id}":                         {may: account.CurateSite, path: "/admin/authors/999999"},
	"POST /admin/sections":                             {may: account.CurateSite},
	"GET /admin/images":                                {may: account.UploadImages},
	"POST /admin/images":                               {may: account.UploadImages},

	// The API, which the same table governs.
	"GET /api/v1/stories":               {may: account.WriteStories},
	"POST /api/v1/stories":              {may: account.WriteStories, body: `{}`},
	"GET /api/v1/stories/{id}":          {may: account.EditStories, path: "/api/v1/stories/{story}"},
	"PUT /api/v1/stories/{id}":          {may: account.EditStories, path: "/api/v1/stories/{story}", body: `{}`},
	"POST /api/v1/stories/{id}/publish": {may: account.PublishStories, path: "/api/v1/stories/{story}/publish", body: `{}`},
	"POST /api/v1/images":               {may: account.UploadImages, body: `{}`},
}

// TestRolesOverHTTP calls every newsroom and admin route of the site and
// of the API as every role, a visitor and a reader included, and checks
// the answer against the one table of permissions: allowed, or refused
// (403 for a role that may not; a visitor is sent to log in on the site,
// and the API answers 401 without a staff token). Every route the site
// serves must have a line in roleTable.
func TestRolesOverHTTP(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		for _, p := range s.Server.Patterns() {
			if _, ok := roleTable[p]; !ok {
				t.Errorf("route %q has no line in roleTable: say which permission it needs", p)
			}
		}
		st := freeStory(t, s)
		fill := strings.NewReplacer("{story}", strconv.FormatInt(st.ID, 10), "{plan}", strconv.FormatInt(s.plan.ID, 10),
			"{slug}", st.Slug)

		type caller struct {
			role    account.Role // empty for a visitor
			browser *browser
			token   string
		}
		callers := []caller{{browser: s.browser(t)}}
		reader := s.browser(t)
		reader.verified("reader-roles@example.com")
		callers = append(callers, caller{role: account.Reader, browser: reader})
		for _, role := range account.Roles() {
			if role == account.Reader {
				continue
			}
			email := "roles-" + string(role) + "@example.com"
			b := s.staff(t, email, role)
			u, err := s.accounts.UserByEmail(t.Context(), email)
			if err != nil {
				t.Fatal(err)
			}
			token, err := s.accounts.CreateAPIToken(t.Context(), u, "roles")
			if err != nil {
				t.Fatal(err)
			}
			callers = append(callers, caller{role: role, browser: b, token: token})
		}

		patterns := make([]string, 0, len(roleTable))
		for p, g := range roleTable {
			if g.may != "" && slices.Contains(s.Server.Patterns(), p) {
				patterns = append(patterns, p)
			}
		}
		slices.Sort(patterns)
		for _, c := range callers {
			name := string(c.role)
			if name == "" {
				name = "visitor"
			}
			for _, p := range patterns {
				g := roleTable[p]
				method, path, _ := strings.Cut(p, " ")
				if g.path != "" {
					path = g.path
				}
				path = fill.Replace(path)
				api := strings.HasPrefix(path, "/api/")
				t.Run(name+"/"+p, func(t *testing.T) {
					var code int
					var location string
					if api {
						req := httptest.NewRequest(method, path, bytes.NewReader([]byte(g.body)))
						req.Header.Set("Content-Type", "application/json")
						if c.token != "" {
							req.Header.Set("Authorization", "Bearer "+c.token)
						}
						for _, ck := range c.browser.cookies {
							req.AddCookie(ck) // a session is not a token
						}
						rec := httptest.NewRecorder()
						s.ServeHTTP(rec, req)
						code = rec.Code
					} else {
						r := c.browser.do(method, path, roleForm(g.body, method))
						code, location = r.Code, r.Header.Get("Location")
					}
					toLogin := code == http.StatusSeeOther && strings.HasPrefix(location, "/login")
					allowed := c.role.Can(g.may)
					staff := c.role != "" && c.role != account.Reader
					switch {
					case allowed && (code == http.StatusForbidden || code == http.StatusUnauthorized || toLogin):
						t.Errorf("%s may %s, but %s %s answered %d → %q", name, g.may, method, path, code, location)
					case !allowed && c.role == "" && g.json && code != http.StatusUnauthorized:
						t.Errorf("a visitor's script was answered %d, want 401", code)
					case !allowed && c.role == "" && !api && !g.json && !toLogin:
						t.Errorf("a visitor was not sent to log in: %d → %q", code, location)
					case !allowed && api && !staff && code != http.StatusUnauthorized:
						t.Errorf("without a staff token the API answered %d, want 401", code)
					case !allowed && staff && code != http.StatusForbidden:
						t.Errorf("%s may not %s, but %s %s answered %d → %q", name, g.may, method, path, code, location)
					case !allowed && c.role == account.Reader && !api && code != http.StatusForbidden:
						t.Errorf("a reader was answered %d → %q, want 403", code, location)
					}
				})
			}
		}
	})
}

// roleForm is the body of a form post, nil for other methods.
func roleForm(body, method string) map[string][]string {
	if method != http.MethodPost {
		return nil
	}
	form := map[string][]string{}
	for _, kv := range strings.Split(body, "&") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			form[k] = append(form[k], v)
		}
	}
	return form
}
