package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"dateline/internal/account"
	"dateline/internal/clock"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
	"dateline/internal/story"
)

// zoneSite is the whole site in a paper's time zone, on a clock the test
// moves.
func zoneSite(t *testing.T, db *store.Store, zone string, start time.Time) (*accountSite, *clock.Manual) {
	t.Helper()
	c := clock.NewManual(start)
	return newAccountSiteWith(t, db, accountSiteOptions{clock: c, timeZone: zone}), c
}

// publishNow has an editor publish a new free story at the clock's time
// and returns it as stored.
func publishNow(t *testing.T, s *accountSite, editor *browser, headline string) *story.Story {
	t.Helper()
	savedID(t, editor.post("/admin/stories", storyForm(headline, "0", "publish")...))
	st, err := s.db.StoryBySlug(context.Background(), story.Slugify(headline))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// publishedTime is the time a story's page shows it was published: what
// a reader reads, and the instant its <time datetime> gives.
func publishedTime(t *testing.T, b *browser, path string) (shown, instant string) {
	t.Helper()
	r := b.get(path)
	if r.Code != http.StatusOK {
		t.Fatalf("GET %s = %d", path, r.Code)
	}
	el := one(t, r.Doc, "time.published")
	return text(el), attr(el, "datetime")
}

// masthead is the date the masthead shows.
func masthead(t *testing.T, r result) string {
	t.Helper()
	return text(one(t, r.Doc, "time.today"))
}

// TestThePapersTimeAroundAChangeOfTheClocks: in Lisbon the clocks go back
// from 02:00 WEST to 01:00 WET on 25 October 2026 (01:00 UTC). Readers see
// the paper's own time with its abbreviation, machines the exact instant;
// the masthead's date, the archive's days and the story addresses follow
// the rules; an editor's schedule is read in Lisbon time.
func TestThePapersTimeAroundAChangeOfTheClocks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		// 22:59:30 UTC on 24 October: 23:59:30 WEST, a Saturday in Lisbon.
		s, c := zoneSite(t, db, "Europe/Lisbon", time.Date(2026, 10, 24, 22, 59, 30, 0, time.UTC))
		anon := s.browser(t)
		editor := s.staff(t, "editor@example.com", account.Editor)

		// The masthead's date, served from the page cache, turns at
		// Lisbon's midnight, not UTC's and not a minute later.
		front := anon.get("/")
		if got := masthead(t, front); got != "Saturday, 24 October 2026" {
			t.Errorf("masthead at 23:59:30 WEST = %q", got)
		}
		// A CDN keeps it only until the paper's midnight, and never serves
		// it stale after.
		if again := anon.get("/"); again.Header.Get("Cache-Control") != "public, max-age=0, s-maxage=30, stale-if-error=86400" {
			t.Errorf("Cache-Control 30 seconds before midnight = %q", again.Header.Get("Cache-Control"))
		}
		c.Advance(time.Minute) // 00:00:30 WEST on Sunday: the cached page is a minute old at most
		if got := masthead(t, anon.get("/")); got != "Sunday, 25 October 2026" {
			t.Errorf("masthead 30 seconds after Lisbon's midnight = %q, want Sunday's date", got)
		}

		// A story published at 23:30 UTC on the 24th belongs to Lisbon's
		// 25th: its day's archive is the 25th's; its address keeps the UTC
		// date, and an address with Lisbon's date redirects to it.
		c.Set(time.Date(2026, 10, 24, 23, 30, 0, 0, time.UTC))
		late := publishNow(t, s, editor, "Ferries run through the night")
		if got := late.Path(); got != "/2026/10/24/ferries-run-through-the-night" {
			t.Fatalf("address = %s", got)
		}
		expect(t, anon.get("/2026/10/25/ferries-run-through-the-night"), http.StatusMovedPermanently, late.Path())
		if shown, instant := publishedTime(t, anon, late.Path()); shown != "25 October 2026, 00:30 WEST" || instant != "2026-10-24T23:30:00Z" {
			t.Errorf("published shown %q (datetime %q), want 25 October 2026, 00:30 WEST (2026-10-24T23:30:00Z)", shown, instant)
		}
		dayLink := one(t, anon.get(late.Path()).Doc, "a.day-link")
		if got := attr(dayLink, "href"); got != "/2026/10/25/" {
			t.Errorf("the story's day links to %s, want Lisbon's day /2026/10/25/", got)
		}

		// 01:30 happens twice that night: first in summer time, then in
		// winter time. Each story says which.
		c.Set(time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC))
		summer := publishNow(t, s, editor, "Clocks go back tonight")
		c.Set(time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC))
		winter := publishNow(t, s, editor, "Clocks went back an hour ago")
		for _, tc := range []struct {
			st            *story.Story
			shown, iso    string
			inDayArchives bool
		}{
			{summer, "25 October 2026, 01:30 WEST", "2026-10-25T00:30:00Z", true},
			{winter, "25 October 2026, 01:30 WET", "2026-10-25T01:30:00Z", true},
		} {
			if shown, instant := publishedTime(t, anon, tc.st.Path()); shown != tc.shown || instant != tc.iso {
				t.Errorf("%q: shown %q (datetime %q), want %q (%q)", tc.st.Headline, shown, instant, tc.shown, tc.iso)
			}
		}
		// The 25th's archive holds all three, the 24th's none of them.
		day := anon.get("/2026/10/25/")
		for _, st := range []*story.Story{late, summer, winter} {
			if !strings.Contains(day.Body, st.Headline) {
				t.Errorf("Lisbon's 25 October does not list %q", st.Headline)
			}
		}
		if r := anon.get("/2026/10/24/"); strings.Contains(r.Body, late.Headline) {
			t.Errorf("the archive of 24 October lists %q, published after Lisbon's midnight", late.Headline)
		}

		// Emails give the paper's time too: a password changed at 00:45
		// UTC was changed at 01:45 WEST, the first 01:45 of that night.
		c.Set(time.Date(2026, 10, 25, 0, 45, 0, 0, time.UTC))
		reader := s.browser(t)
		reader.verified("ana@example.com")
		expect(t, reader.post("/account/password", "current_password", goodPassword, "new_password", "another fine passphrase"),
			http.StatusSeeOther, "/account?done=password")
		msgs := s.smtp.WaitForTo(t, "ana@example.com", 2, 10*time.Second)
		if got := msgs[len(msgs)-1].Text(); !strings.Contains(got, "25 October 2026 at 01:45 WEST") {
			t.Errorf("the password email says:\n%s\nwant the time in Lisbon, 25 October 2026 at 01:45 WEST", got)
		}

		// Feeds and sitemaps keep exact instants.
		if feed := anon.get("/feed.atom").Body; !strings.Contains(feed, "2026-10-24T23:30:00Z") {
			t.Errorf("the Atom feed lacks the story's instant in UTC")
		}

		// An editor schedules in Lisbon time. 01:30 on the 25th is
		// ambiguous: it means the first, in summer time.
		c.Set(time.Date(2026, 10, 24, 12, 0, 0, 0, time.UTC))
		form := editor.get("/admin/stories/new")
		if hint := text(one(t, form.Doc, "p[id=f-publish_at-hint]")); !strings.Contains(hint, "Lisbon time (WEST)") || !strings.Contains(hint, "happens twice means the first") {
			t.Errorf("the schedule field's hint = %q; want it to name Lisbon time and explain a change of the clocks", hint)
		}
		id := savedID(t, editor.post("/admin/stories", storyForm("Night ferry timetable", "0", "schedule", "publish_at", "2026-10-25T01:30")...))
		sched, err := db.StoryBySlug(context.Background(), "night-ferry-timetable")
		if err != nil {
			t.Fatal(err)
		}
		if !sched.PublishedAt.Equal(time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC)) {
			t.Errorf("01:30 on 25 October in Lisbon was scheduled for %v, want the first 01:30, 00:30 UTC", sched.PublishedAt)
		}
		page := editor.get("/admin/stories/" + id)
		if v, _, _ := fieldState(t, page.Doc, "publish_at"); v != "2026-10-25T01:30" {
			t.Errorf("the editor shows the schedule as %q, want Lisbon's 2026-10-25T01:30", v)
		}
		if hint := text(one(t, page.Doc, "p[id=f-publish_at-hint]")); !strings.Contains(hint, "Scheduled for 25 October 2026, 01:30 WEST") {
			t.Errorf("the schedule's hint = %q; want the time with its abbreviation", hint)
		}
		// A time the clocks skip (01:30 on 28 March 2027, when they go
		// forward from 01:00 to 02:00) is refused beside the field, and
		// what was typed is kept.
		r := editor.post("/admin/stories", storyForm("Spring timetable", "0", "schedule", "publish_at", "2027-03-28T01:30")...)
		if r.Code != http.StatusUnprocessableEntity {
			t.Fatalf("a skipped time: %d", r.Code)
		}
		v, _, msg := fieldState(t, r.Doc, "publish_at")
		if v != "2027-03-28T01:30" || !strings.Contains(msg, "01:30 does not happen on 28 March 2027 in Lisbon") || !strings.Contains(msg, "forward an hour") {
			t.Errorf("a skipped time: value %q, message %q", v, msg)
		}
	})
}

// TestTheMeterCountsThePapersMonths: in New York, November begins at
// 04:00 UTC; a reader's free stories start again then, not at UTC's
// midnight.
func TestTheMeterCountsThePapersMonths(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		s, c := zoneSite(t, db, "America/New_York", time.Date(2026, 10, 31, 20, 0, 0, 0, time.UTC))
		ctx := context.Background()
		set, err := s.billing.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		set.MeterLimit = 1
		if err := s.billing.SaveSettings(ctx, set); err != nil {
			t.Fatal(err)
		}
		var paid []*story.Story
		list, err := db.PublishedStories(ctx, story.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		for i := range list {
			if list[i].Access == story.Subscribers {
				paid = append(paid, &list[i])
			}
		}
		if len(paid) < 3 {
			t.Fatalf("the demo has %d subscriber stories, want 3", len(paid))
		}
		b := s.browser(t)
		b.verified("reader@example.com")
		opens := func(st *story.Story) bool {
			t.Helper()
			r := b.get(st.Path())
			if !strings.Contains(r.Body, "Log out") {
				t.Fatal("the reader is no longer signed in")
			}
			return len(findAll(r.Doc, "section.paywall")) == 0
		}
		if !opens(paid[0]) {
			t.Fatal("the first metered story of October is paywalled")
		}
		if opens(paid[1]) {
			t.Error("a second story in a month of one was open")
		}
		c.Set(time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)) // 22:00 EDT on 31 October
		if opens(paid[1]) {
			t.Error("the meter started again at UTC's midnight, still October in New York")
		}
		c.Set(time.Date(2026, 11, 1, 4, 30, 0, 0, time.UTC)) // 00:30 EDT on 1 November
		if !opens(paid[2]) {
			t.Error("the meter did not start again in New York's November")
		}
	})
}

// TestSiteSettings: an administrator sets the time zone and logo at
// /admin/settings; wrong values come back beside their fields with what
// was typed; a saved zone overrides --time-zone on every page at once.
func TestSiteSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		s, _ := zoneSite(t, db, "UTC", time.Date(2026, 12, 2, 14, 5, 0, 0, time.UTC))
		anon := s.browser(t)
		editor := s.staff(t, "editor@example.com", account.Editor)
		if r := editor.get("/admin/settings"); r.Code != http.StatusForbidden {
			t.Errorf("an editor opens the site settings: %d", r.Code)
		}
		if r := anon.get("/admin/settings"); r.Code != http.StatusSeeOther {
			t.Errorf("an anonymous reader opens the site settings: %d", r.Code)
		}
		admin := s.staff(t, "admin@news.example", account.Admin)
		dash := admin.get("/admin")
		if len(findAll(dash.Doc, "a[href=/admin/settings]")) != 1 {
			t.Error("the dashboard does not link the site settings")
		}
		page := admin.get("/admin/settings")
		if page.Code != http.StatusOK || len(findAll(page.Doc, "datalist")) != 1 || len(findAll(page.Doc, "img[src="+testBase+"/static/logo.png]")) != 1 {
			t.Fatalf("the settings page: %d\n%.800s", page.Code, page.Body)
		}

		r := admin.post("/admin/settings", "time_zone", "Europe/Atlantis", "logo", "a logo")
		if v, _, msg := fieldState(t, r.Doc, "time_zone"); r.Code != http.StatusUnprocessableEntity || v != "Europe/Atlantis" || !strings.Contains(msg, "IANA") {
			t.Errorf("a wrong zone beside a wrong logo: %d, value %q, message %q", r.Code, v, msg)
		}
		if v, _, msg := fieldState(t, r.Doc, "logo"); v != "a logo" || !strings.Contains(msg, "number of an image") {
			t.Errorf("logo: value %q, message %q", v, msg)
		}
		r = admin.post("/admin/settings", "time_zone", "Europe/Atlantis", "logo", "999999")
		if r.Code != http.StatusUnprocessableEntity {
			t.Fatalf("wrong settings: %d", r.Code)
		}
		if v, _, msg := fieldState(t, r.Doc, "time_zone"); v != "Europe/Atlantis" || !strings.Contains(msg, "IANA") {
			t.Errorf("time zone: value %q, message %q", v, msg)
		}
		if v, _, msg := fieldState(t, r.Doc, "logo"); v != "999999" || !strings.Contains(msg, "no image 999999") {
			t.Errorf("logo: value %q, message %q", v, msg)
		}

		free := s.pick(t, func(st *story.Story) bool { return st.Access == story.Free })
		before, _ := publishedTime(t, anon, free.Path())
		if !strings.HasSuffix(before, " UTC") {
			t.Fatalf("published %q, want UTC before the setting", before)
		}
		expect(t, admin.post("/admin/settings", "time_zone", "Europe/Lisbon", "logo", ""), http.StatusSeeOther, "/admin/settings?done=1")
		after, _ := publishedTime(t, anon, free.Path()) // the page was cached: the save purged it
		if !strings.HasSuffix(after, " WET") {
			t.Errorf("after setting Europe/Lisbon, published %q", after)
		}
		if v, _, _ := fieldState(t, admin.get("/admin/settings").Doc, "time_zone"); v != "Europe/Lisbon" {
			t.Errorf("the saved zone shows as %q", v)
		}
		// Empty goes back to the zone the site was started with.
		expect(t, admin.post("/admin/settings", "time_zone", "", "logo", ""), http.StatusSeeOther, "/admin/settings?done=1")
		if again, _ := publishedTime(t, anon, free.Path()); again != before {
			t.Errorf("back to the default zone, published %q, want %q", again, before)
		}
	})
}
