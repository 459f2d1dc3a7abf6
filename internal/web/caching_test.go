package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"dateline/internal/account"
	"dateline/internal/story"
)

// getRoutes lists the GET patterns of the site's route table, so a route
// added later is walked too.
func getRoutes(t *testing.T, srv *Server) []string {
	t.Helper()
	var routes []string
	for _, rt := range srv.routeTable() {
		if strings.HasPrefix(rt.pattern, "GET ") {
			routes = append(routes, rt.pattern)
		}
	}
	if len(routes) < 30 {
		t.Fatalf("found only %d GET routes: %q", len(routes), routes)
	}
	return routes
}

// routedCount is how many requests the pattern has served, whatever
// their method and status.
func routedCount(t *testing.T, s *Server, pattern string) int {
	t.Helper()
	families, err := s.metrics.registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range families {
		if f.GetName() != "dateline_http_requests_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "route" && l.GetValue() == pattern {
					n += int(m.GetCounter().GetValue())
				}
			}
		}
	}
	return n
}

func TestPersonalAnswersArePrivate(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		st := s.pick(t, func(st *story.Story) bool {
			return len(st.Tags) > 0 && len(st.Bylines) > 0 && st.Bylines[0].AuthorSlug != ""
		})
		// Real values for the patterns' wildcards, so most routes answer
		// with their page; the header must be right whatever they answer.
		fill := strings.NewReplacer("{year}/{month}/{day}/{slug}", strings.TrimPrefix(st.Path(), "/"),
			"/section/{slug}", "/section/"+st.Section.Slug, "/tag/{slug}", "/tag/"+st.Tags[0].Slug,
			"/author/{slug}", "/author/"+st.Bylines[0].AuthorSlug, "{file}", "site.css",
			"{id}", strconv.FormatInt(st.ID, 10), "{$}", "")
		routes := getRoutes(t, s.Server)
		for _, who := range []struct {
			name string
			role account.Role
		}{{"reader", account.Reader}, {"admin", account.Admin}} {
			t.Run(who.name, func(t *testing.T) {
				b := s.staff(t, who.name+"@staff.example", who.role)
				walked := 0
				for _, pattern := range routes {
					path := fill.Replace(strings.TrimPrefix(pattern, "GET "))
					before := routedCount(t, s.Server, pattern)
					res := b.get(path)
					if routedCount(t, s.Server, pattern) == before {
						t.Logf("%s: not served on this site (GET %s = %d)", pattern, path, res.Code)
						continue
					}
					walked++
					cc := res.Header.Get("Cache-Control")
					if !strings.HasPrefix(cc, "private") || strings.Contains(cc, "public") || strings.Contains(cc, "s-maxage") {
						t.Errorf("GET %s (%s) = %d with Cache-Control %q, want private", path, pattern, res.Code, cc)
					}
					if showsPersonalData(path) && !strings.Contains(cc, "no-store") {
						t.Errorf("GET %s = %d with Cache-Control %q, want no-store", path, res.Code, cc)
					}
				}
				if walked < len(routes)-3 {
					t.Errorf("walked %d of %d routes", walked, len(routes))
				}
			})
		}
	})
}

func TestAnswersSettingCookiesArePrivate(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		if _, err := s.accounts.CreateUser(context.Background(), "reader@example.com", "Reader", goodPassword, account.Reader); err != nil {
			t.Fatal(err)
		}
		b := s.browser(t)
		// The page anonymous readers share keeps its public caching.
		if cc := b.get("/").Header.Get("Cache-Control"); !strings.HasPrefix(cc, "public") {
			t.Errorf("anonymous front page: Cache-Control %q, want public", cc)
		}
		login := b.post("/login", "email", "reader@example.com", "password", goodPassword)
		expect(t, login, http.StatusSeeOther, "/")
		logout := b.post("/logout")
		expect(t, logout, http.StatusSeeOther, "")
		// A session that has ended is removed from a page otherwise shared.
		stale := s.browser(t)
		stale.cookies[sessionCookie] = &http.Cookie{Name: sessionCookie, Value: "ended"}
		ended := stale.get("/")
		for name, res := range map[string]result{"log-in": login, "log-out": logout, "an ended session": ended} {
			if len(res.Cookies) == 0 {
				t.Errorf("%s set no cookie", name)
			}
			if cc := res.Header.Get("Cache-Control"); !strings.HasPrefix(cc, "private") || strings.Contains(cc, "public") {
				t.Errorf("%s: Cache-Control %q, want private", name, cc)
			}
		}
	})
}
