package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"dateline/internal/account"
	"dateline/internal/comment"
)

// TestSettingsPage: the paper's name, language, Reply-To, meter limit,
// comment defaults and policy are set on /admin/settings; wrong values
// come back beside their fields with what was typed; saved ones show on
// every page, in emails, and on the older pages that keep the same
// values, which still work; each change is in the audit log, old → new.
func TestSettingsPage(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		ctx := context.Background()
		admin := s.staff(t, "chief@news.example", account.Admin)
		page := admin.get("/admin/settings")
		if v, _, _ := fieldState(t, page.Doc, "site_name"); page.Code != http.StatusOK || v != "" {
			t.Fatalf("the settings page: %d, name %q", page.Code, v)
		}
		if policy, _ := textareaState(t, page.Doc, "f-policy"); policy != strings.TrimSpace(comment.DefaultPolicy) {
			t.Errorf("the policy field holds %.80q…", policy)
		}

		r := admin.post("/admin/settings", "site_name", "The <b>Ledger</b>", "language", "not a tag!", "reply_to", "letters at example",
			"time_zone", "", "logo", "", "meter_limit", "lots", "premod", "first", "premod_first", "-1", "close_days", "14", "policy", "Too short.")
		if r.Code != http.StatusUnprocessableEntity {
			t.Fatalf("wrong settings: %d", r.Code)
		}
		for name, typed := range map[string]string{"site_name": "The <b>Ledger</b>", "language": "not a tag!",
			"reply_to": "letters at example", "meter_limit": "lots", "premod_first": "-1"} {
			if v, _, msg := fieldState(t, r.Doc, name); v != typed || msg == "" {
				t.Errorf("%s: value %q, message %q; want %q kept with a message", name, v, msg, typed)
			}
		}
		if v, msg := textareaState(t, r.Doc, "f-policy"); v != "Too short." || !strings.Contains(msg, "20") {
			t.Errorf("policy: %q, %q", v, msg)
		}
		if rows := auditRows(t, admin); len(rows) != 1 || !strings.Contains(rows[0], "Nothing recorded") {
			t.Errorf("a refused save is in the audit log: %q", rows)
		}

		policy := "Be kind to one another.\r\n\r\nArgue with ideas, not people."
		expect(t, admin.post("/admin/settings", "site_name", "  The Lisbon   Ledger ", "language", "pt-pt", "reply_to", "letters@news.example",
			"time_zone", "", "logo", "", "meter_limit", "4", "premod", "all", "premod_first", "2", "close_days", "5", "policy", policy),
			http.StatusSeeOther, "/admin/settings?done=1")

		front := s.browser(t).get("/")
		if html := one(t, front.Doc, "html"); attr(html, "lang") != "pt-PT" {
			t.Errorf("<html lang=%q>, want pt-PT", attr(html, "lang"))
		}
		if brand := text(one(t, front.Doc, "a.brand")); brand != "The Lisbon Ledger" {
			t.Errorf("the masthead says %q", brand)
		}
		if title := text(one(t, front.Doc, "title")); !strings.Contains(title, "The Lisbon Ledger") {
			t.Errorf("the front page's title is %q", title)
		}
		if feed := s.browser(t).get("/feed.atom"); !strings.Contains(feed.Body, ">The Lisbon Ledger</title>") {
			t.Errorf("the feed's title:\n%.300s", feed.Body)
		}
		// The same stored values, as their own services read them.
		if set, err := s.billing.Settings(ctx); err != nil || set.MeterLimit != 4 {
			t.Errorf("the meter limit: %+v, %v", set, err)
		}
		cs, err := s.comments.Settings(ctx)
		if err != nil || cs.Premod != comment.PremodAll || cs.PremodFirstN != 2 || cs.CloseAfter != 5*24*time.Hour {
			t.Errorf("the comment settings: %+v, %v", cs, err)
		}
		if p, err := s.comments.Policy(ctx); err != nil || p != "Be kind to one another.\n\nArgue with ideas, not people." {
			t.Errorf("the policy: %q, %v", p, err)
		}
		// Emails carry the name and the Reply-To.
		expect(t, admin.post("/admin/people/invite", "email", "new@news.example", "role", "writer"), http.StatusSeeOther, "/admin/people?done=invited")
		m := s.smtp.WaitForTo(t, "new@news.example", 1, 10*time.Second)[0]
		if !strings.Contains(m.Header("Subject"), "The Lisbon Ledger") || !strings.Contains(m.Header("Reply-To"), "letters@news.example") {
			t.Errorf("the invitation: Subject %q, Reply-To %q", m.Header("Subject"), m.Header("Reply-To"))
		}

		// The older pages still change the same values.
		expect(t, admin.post("/admin/comments/settings", "premod", "off", "premod_first", "0", "banned_words", "", "close_days", "9"),
			http.StatusSeeOther, "/admin/comments/settings?done=1")
		if v, _, _ := fieldState(t, admin.get("/admin/settings").Doc, "close_days"); v != "9" {
			t.Errorf("after the moderation settings page, the settings page shows %q days", v)
		}

		rows := auditRows(t, admin)
		var saved string
		for _, row := range rows {
			if strings.Contains(row, "settings.changed") {
				saved = row
			}
		}
		for _, want := range []string{"name: (none) → The Lisbon Ledger", "language: (none) → pt-PT", "Reply-To: (none) → letters@news.example",
			"meter limit: 3 → 4", "pre-moderation: off → all", "comment policy: ", "rewritten"} {
			if !strings.Contains(saved, want) {
				t.Errorf("the audit entry lacks %q: %s", want, saved)
			}
		}

		if !strings.Contains(strings.Join(rows, "\n"), "comment settings premod: all → off") {
			t.Errorf("the moderation settings page's change is not in the audit log:\n%s", strings.Join(rows, "\n"))
		}

		// Back to the defaults.
		expect(t, admin.post("/admin/settings", "site_name", "", "language", "", "reply_to", ""), http.StatusSeeOther, "/admin/settings?done=1")
		front = s.browser(t).get("/")
		if attr(one(t, front.Doc, "html"), "lang") != "en" || text(one(t, front.Doc, "a.brand")) != "Dateline" {
			t.Errorf("back to the defaults: lang %q, name %q", attr(one(t, front.Doc, "html"), "lang"), text(one(t, front.Doc, "a.brand")))
		}
	})
}
