package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"dateline/internal/account"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
	"dateline/internal/story"
)

// threeStories picks three published demo stories.
func threeStories(t *testing.T, s *accountSite) (a, b, c *story.Story) {
	t.Helper()
	list, err := s.db.PublishedStories(context.Background(), story.Filter{})
	if err != nil || len(list) < 3 {
		t.Fatalf("demo stories: %d, %v", len(list), err)
	}
	return &list[0], &list[1], &list[2]
}

// columns lists a table's columns, in order, as the database has them.
func columns(t *testing.T, db *store.Store, table string) string {
	t.Helper()
	q := `SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_table_info(?) ORDER BY cid)`
	if db.Dialect() == store.Postgres {
		q = `SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = ?`
	}
	var out string
	storetest.RawOf(t, db).QueryRow(t, q, &out, table)
	return out
}

// ranked returns the list items of the dashboard section labelled by id,
// as text.
func ranked(t *testing.T, doc *html.Node, id string) []string {
	t.Helper()
	var out []string
	for _, li := range findAll(one(t, doc, "section[aria-labelledby="+id+"]"), "li") {
		out = append(out, text(li))
	}
	return out
}

func TestStoriesThatConvert(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		s, c := zoneSite(t, db, "Europe/Helsinki", testNow)
		a, b, old := threeStories(t, s)
		raw := storetest.RawOf(t, db)
		reader := s.browser(t)
		reader.verified("convert@example.com")
		// A story read more than an hour before the subscription does
		// not count; one read twice counts once.
		reader.get(old.Path())
		c.Advance(55 * time.Minute)
		reader.get(a.Path())
		c.Advance(10 * time.Minute)
		reader.get(b.Path())
		reader.get(a.Path())
		// An anonymous reader's reads are not kept at all.
		s.browser(t).get(b.Path())

		// Nothing personal is kept: a keyed hash for the reader, the story
		// and the time, and nothing else.
		if got := columns(t, db, "story_reads"); got != "reader_key,story_id,read_at" {
			t.Errorf("story_reads has columns %s", got)
		}
		if got := columns(t, db, "story_conversions"); got != "story_id,day,conversions" {
			t.Errorf("story_conversions has columns %s", got)
		}
		if got := columns(t, db, "subscription_changes"); got != "id,changed_at,from_status,to_status" {
			t.Errorf("subscription_changes has columns %s", got)
		}
		var n int
		raw.QueryRow(t, `SELECT COUNT(*) FROM story_reads`, &n)
		if n != 2 {
			// The first read is older than the hour kept and went when
			// the next was noted.
			t.Errorf("%d reads kept, want 2", n)
		}
		var key string
		raw.QueryRow(t, `SELECT MIN(reader_key) FROM story_reads`, &key)
		id := s.userID(t, "convert@example.com")
		plain := sha256.Sum256([]byte(fmt.Sprint(id)))
		if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(key) || key == hex.EncodeToString(plain[:]) {
			t.Errorf("reader key %q", key)
		}

		c.Advance(5 * time.Minute)
		expect(t, reader.post("/subscribe/demo", "plan", fmt.Sprint(s.plan.ID)), http.StatusSeeOther, "/account?done=subscribed")
		raw.QueryRow(t, `SELECT COUNT(*) FROM story_reads`, &n)
		if n != 0 {
			t.Errorf("%d reads kept after the subscription", n)
		}
		// The paper's day: 14:05 in Helsinki.
		var day string
		raw.QueryRow(t, `SELECT MIN(day) FROM story_conversions`, &day)
		if want := c.Now().In(mustZone(t, "Europe/Helsinki")).Format(time.DateOnly); day != want {
			t.Errorf("conversions counted on %s, want %s", day, want)
		}
		// A subscriber's reads are no longer noted.
		reader.get(old.Path())
		raw.QueryRow(t, `SELECT COUNT(*) FROM story_reads`, &n)
		if n != 0 {
			t.Errorf("a subscriber's read was kept")
		}
		// The change of state is kept without whose it was.
		var change string
		raw.QueryRow(t, `SELECT from_status || '>' || to_status FROM subscription_changes`, &change)
		if change != ">active" {
			t.Errorf("subscription change %q", change)
		}

		admin := s.staff(t, "boss@example.com", account.Admin)
		r := admin.get("/admin")
		got := ranked(t, r.Doc, "convert-heading")
		if len(got) != 2 || !strings.HasSuffix(got[0], ": 1 subscription") || !strings.HasSuffix(got[1], ": 1 subscription") ||
			!strings.Contains(strings.Join(got, "|"), a.Headline) || !strings.Contains(strings.Join(got, "|"), b.Headline) {
			t.Errorf("stories that convert: %q", got)
		}
		// A second reader who read A subscribes: A leads.
		other := s.browser(t)
		other.verified("second@example.com")
		other.get(a.Path())
		expect(t, other.post("/subscribe/demo", "plan", fmt.Sprint(s.plan.ID)), http.StatusSeeOther, "/account?done=subscribed")
		got = ranked(t, admin.get("/admin").Doc, "convert-heading")
		if len(got) != 2 || !strings.Contains(got[0], a.Headline) || !strings.HasSuffix(got[0], ": 2 subscriptions") {
			t.Errorf("stories that convert after a second subscription: %q", got)
		}
	})
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// chartTable returns the rows of a chart's table: each row's first cell
// (the time) and the rest.
func chartTable(t *testing.T, doc *html.Node, id string) map[string][]string {
	t.Helper()
	sec := one(t, doc, "section[aria-labelledby="+id+"-heading]")
	out := map[string][]string{}
	for _, tr := range findAll(one(t, sec, "tbody"), "tr") {
		th := one(t, tr, "th")
		var cells []string
		for _, td := range findAll(tr, "td") {
			cells = append(cells, text(td))
		}
		out[attr(one(t, th, "time"), "datetime")] = cells
	}
	return out
}

func TestDashboardChartsOnASetClock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		// 23:30 UTC on 28 November is 01:30 on the 29th in Helsinki.
		start := time.Date(2026, 11, 28, 23, 30, 0, 0, time.UTC)
		s, c := zoneSite(t, db, "Europe/Helsinki", start)
		a, _, _ := threeStories(t, s)
		anon := s.browser(t)
		for range 3 {
			anon.get(a.Path())
		}
		reader := s.browser(t)
		reader.verified("chart@example.com")
		c.Advance(time.Hour) // 00:30 UTC, 02:30 in Helsinki
		anon.get(a.Path())
		expect(t, reader.post("/subscribe/demo", "plan", fmt.Sprint(s.plan.ID)), http.StatusSeeOther, "/account?done=subscribed")
		expect(t, reader.post("/account/subscription/cancel"), http.StatusSeeOther, "")

		admin := s.staff(t, "boss@example.com", account.Admin)
		r := admin.get("/admin")
		if r.Code != http.StatusOK {
			t.Fatalf("dashboard = %d", r.Code)
		}
		views := chartTable(t, r.Doc, "chart-views")
		if len(views) != 7*24 {
			t.Errorf("%d hours of views, want %d", len(views), 7*24)
		}
		// The UTC hours, shown as the paper's.
		if got := views["2026-11-29T01:00:00+02:00"]; len(got) != 1 || got[0] != "3" {
			t.Errorf("views at 01:00 Helsinki: %q", got)
		}
		if got := views["2026-11-29T02:00:00+02:00"]; len(got) != 1 || got[0] != "1" {
			t.Errorf("views at 02:00 Helsinki: %q", got)
		}
		summary := text(one(t, r.Doc, "p[id=chart-views-summary]"))
		if !strings.HasPrefix(summary, "4 page views in the last 7 days.") || !strings.Contains(summary, "01:00 on Sunday 29 November, with 3 views") {
			t.Errorf("views summary %q", summary)
		}

		// Sign-ups, subscriptions and cancellations, by the paper's day:
		// the reader signed up on the 28th in UTC, the 29th in Helsinki.
		activity := chartTable(t, r.Doc, "chart-activity")
		if len(activity) != 30 {
			t.Errorf("%d days of activity", len(activity))
		}
		if got := activity["2026-11-29"]; len(got) != 3 || got[1] != "1" || got[2] != "1" || got[0] == "0" {
			t.Errorf("activity on the 29th: %q", got)
		}
		if got := activity["2026-11-28"]; strings.Join(got, ",") != "0,0,0" {
			t.Errorf("activity on the 28th: %q", got)
		}
		states := chartTable(t, r.Doc, "chart-states")
		if len(states) != 90 {
			t.Errorf("%d days of states", len(states))
		}
		// Trialing, active, past due, cancelled: the reader subscribed
		// and cancelled today, and had nothing the day before.
		if got := states["2026-11-29"]; strings.Join(got, ",") != "0,0,0,1" {
			t.Errorf("states today: %q", got)
		}
		if got := states["2026-11-28"]; strings.Join(got, ",") != "0,0,0,0" {
			t.Errorf("states the day before: %q", got)
		}

		// Each chart is an image named by its heading and summary, with
		// a line per series and the table beside it.
		for _, id := range []string{"chart-views", "chart-states", "chart-activity", "chart-comments"} {
			sec := one(t, r.Doc, "section[aria-labelledby="+id+"-heading]")
			svg := one(t, sec, "svg.chart-svg")
			if attr(svg, "role") != "img" || attr(svg, "aria-labelledby") != id+"-heading "+id+"-summary" {
				t.Errorf("%s: svg role %q, labelled by %q", id, attr(svg, "role"), attr(svg, "aria-labelledby"))
			}
			lines := findAll(svg, "polyline")
			if len(lines) == 0 || len(findAll(sec, "th[scope=col]")) != len(lines)+1 {
				t.Errorf("%s: %d lines, %d table columns", id, len(lines), len(findAll(sec, "th[scope=col]")))
			}
			one(t, sec, "details")
		}

		// A moderator sees views and comments, not subscribers.
		mod := s.staff(t, "mod@example.com", account.Moderator)
		r = mod.get("/admin")
		if len(findAll(r.Doc, "section.chart")) != 2 || len(findAll(r.Doc, "h2[id=chart-comments-heading]")) != 1 {
			t.Errorf("a moderator sees %d charts", len(findAll(r.Doc, "section.chart")))
		}
	})
}

func TestDashboardLinksFollowPermissions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		s := newAccountSite(t, db)
		want := map[account.Role][]string{
			account.Writer:    {"/admin/stories", "/admin/stories/new", "/admin/images"},
			account.Editor:    {"/admin/stories", "/admin/stories/new", "/admin/images", "/admin/comments", "/admin/front", "/admin/authors"},
			account.Moderator: {"/admin/comments"},
			account.Admin: {"/admin/stories", "/admin/stories/new", "/admin/images", "/admin/comments", "/admin/front", "/admin/authors",
				"/admin/subscribers", "/admin/plans", "/admin/settings", "/admin/audit"},
		}
		for role, links := range want {
			b := s.staff(t, string(role)+"-staff@example.com", role)
			r := b.get("/admin")
			var got []string
			for _, a := range findAll(one(t, r.Doc, "nav[aria-label=Newsroom tools]"), "a") {
				got = append(got, attr(a, "href"))
				// Every link opens for the role that sees it.
				if res := b.get(attr(a, "href")); res.Code != http.StatusOK {
					t.Errorf("%s: %s = %d", role, attr(a, "href"), res.Code)
				}
			}
			if slices.Contains(s.Patterns(), "GET /admin/people") && role == account.Admin {
				links = append(links[:6], append([]string{"/admin/people"}, links[6:]...)...)
			}
			if strings.Join(got, " ") != strings.Join(links, " ") {
				t.Errorf("%s sees %v, want %v", role, got, links)
			}
		}
	})
}

func TestChartValueAxisIsRound(t *testing.T) {
	for _, c := range []struct{ in, want int }{{0, 4}, {3, 4}, {5, 10}, {10, 10}, {11, 20}, {21, 50}, {51, 100}, {1234, 2000}, {4999, 5000}} {
		if got := roundUp(c.in); got != c.want {
			t.Errorf("roundUp(%d) = %d, want %d", c.in, got, c.want)
		}
	}
}
