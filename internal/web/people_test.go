package web

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"dateline/internal/account"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

var inviteLink = regexp.MustCompile(`https://news\.example(/invite\?token=\S+)`)

// invitationLink is the path of the newest invitation emailed to email.
func (s *accountSite) invitationLink(t *testing.T, email string, n int) string {
	t.Helper()
	msgs := s.smtp.WaitForTo(t, email, n, 10*time.Second)
	for i := len(msgs) - 1; i >= 0; i-- {
		if m := inviteLink.FindStringSubmatch(msgs[i].Text()); m != nil {
			return m[1]
		}
	}
	t.Fatalf("no invitation was emailed to %s", email)
	return ""
}

// auditRows are the audit log's first page as text, one string a row.
func auditRows(t *testing.T, b *browser) []string {
	t.Helper()
	r := b.get("/admin/audit")
	if r.Code != http.StatusOK {
		t.Fatalf("the audit log: %d", r.Code)
	}
	var rows []string
	for _, tr := range findAll(one(t, r.Doc, "tbody"), "tr") {
		rows = append(rows, text(tr))
	}
	return rows
}

// staffRow is the row of the staff table that names email.
func staffRow(t *testing.T, doc *html.Node, email string) *html.Node {
	t.Helper()
	for _, tr := range findAll(one(t, doc, "table.staff"), "tr") {
		if strings.Contains(text(tr), email) {
			return tr
		}
	}
	return nil
}

// TestInviteAndRoles: an administrator invites an editor, who accepts
// with a name and password and can then edit stories; the link works
// once and only for 7 days; roles change and staff rights go, each in the
// audit log, shown in the paper's time; the last administrator keeps the
// role; nobody else sees these pages.
func TestInviteAndRoles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		s, clk := zoneSite(t, db, "Europe/Lisbon", time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC))
		editor := s.staff(t, "desk@news.example", account.Editor)
		for _, path := range []string{"/admin/people", "/admin/audit"} {
			if r := editor.get(path); r.Code != http.StatusForbidden {
				t.Errorf("an editor opens %s: %d", path, r.Code)
			}
			if r := s.browser(t).get(path); r.Code != http.StatusSeeOther {
				t.Errorf("an anonymous reader opens %s: %d", path, r.Code)
			}
		}
		if r := editor.post("/admin/people/invite", "email", "x@news.example", "role", "admin"); r.Code != http.StatusForbidden {
			t.Errorf("an editor invites: %d", r.Code)
		}
		admin := s.staff(t, "chief@news.example", account.Admin)
		page := admin.get("/admin/people")
		if page.Code != http.StatusOK {
			t.Fatalf("people: %d", page.Code)
		}
		row := staffRow(t, page.Doc, "chief@news.example")
		if row == nil || !strings.Contains(text(row), "admin") || !strings.Contains(text(row), "1 July 2026") {
			t.Errorf("the admin's row shows no role or last sign-in in Lisbon's time: %q", text(row))
		}
		if row := staffRow(t, page.Doc, "admin@example.com"); row == nil || !strings.Contains(text(row), "Never") {
			t.Errorf("the demo admin, who never signed in: %v", row)
		}

		// Mistakes come back beside their fields, input kept.
		r := admin.post("/admin/people/invite", "email", "not an address", "role", "owner")
		if v, _, msg := fieldState(t, r.Doc, "email"); r.Code != http.StatusUnprocessableEntity || v != "not an address" || msg == "" {
			t.Errorf("a wrong address: %d, %q, %q", r.Code, v, msg)
		}
		if len(findAll(r.Doc, "p[id=f-role-error]")) != 1 {
			t.Error("a wrong role is not said beside the field")
		}
		r = admin.post("/admin/people/invite", "email", "desk@news.example", "role", "writer")
		if _, _, msg := fieldState(t, r.Doc, "email"); r.Code != http.StatusUnprocessableEntity || !strings.Contains(msg, "already on the staff") {
			t.Errorf("inviting staff: %d, %q", r.Code, msg)
		}

		expect(t, admin.post("/admin/people/invite", "email", "New.Editor@news.example", "role", "editor"), http.StatusSeeOther, "/admin/people?done=invited")
		link := s.invitationLink(t, "new.editor@news.example", 1)
		if strings.Contains(link, "token=&") || len(link) < 40 {
			t.Fatalf("the link %q", link)
		}
		if r := s.browser(t).get("/invite?token=wrong"); r.Code != http.StatusNotFound {
			t.Errorf("a wrong token: %d", r.Code)
		}
		invitee := s.browser(t)
		r = invitee.get(link)
		if r.Code != http.StatusOK || r.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Fatalf("the invitation page: %d %q", r.Code, r.Header.Get("Referrer-Policy"))
		}
		token := strings.TrimPrefix(link, "/invite?token=")
		r = invitee.post("/invite", "token", token, "name", "Nora Editor", "password", "short")
		if v, _, _ := fieldState(t, r.Doc, "name"); r.Code != http.StatusUnprocessableEntity || v != "Nora Editor" {
			t.Errorf("a short password: %d, name kept %q", r.Code, v)
		}
		if _, has, msg := fieldState(t, r.Doc, "password"); has || msg == "" {
			t.Errorf("the password field: value shown %v, message %q", has, msg)
		}
		expect(t, invitee.post("/invite", "token", token, "name", "Nora Editor", "password", goodPassword), http.StatusSeeOther, "/admin")
		if r := invitee.get("/admin/stories"); r.Code != http.StatusOK {
			t.Errorf("the new editor opens the stories: %d", r.Code)
		}
		id := savedID(t, invitee.post("/admin/stories", storyForm("Nora's first story", "0", "save")...))
		if r := invitee.get("/admin/stories/" + id); r.Code != http.StatusOK {
			t.Errorf("the new editor edits a story: %d", r.Code)
		}
		// Once only.
		if r := s.browser(t).post("/invite", "token", token, "name", "Intruder", "password", goodPassword); r.Code != http.StatusNotFound {
			t.Errorf("the link used again: %d", r.Code)
		}

		// 7 days only.
		expect(t, admin.post("/admin/people/invite", "email", "late@news.example", "role", "writer"), http.StatusSeeOther, "/admin/people?done=invited")
		late := s.invitationLink(t, "late@news.example", 1)
		clk.Advance(account.InvitationTTL - time.Minute)
		if r := s.browser(t).get(late); r.Code != http.StatusOK {
			t.Errorf("a day before it ends: %d", r.Code)
		}
		clk.Advance(2 * time.Minute)
		if r := s.browser(t).get(late); r.Code != http.StatusNotFound {
			t.Errorf("an expired link: %d", r.Code)
		}
		// A week on, the sessions have ended.
		login := func(email string) *browser {
			b := s.browser(t)
			expect(t, b.post("/login", "email", email, "password", goodPassword), http.StatusSeeOther, "/admin")
			return b
		}
		admin, invitee = login("chief@news.example"), login("new.editor@news.example")

		// A reader with an account accepts signed in.
		reader := s.browser(t)
		reader.signUp("reader@news.example", "Rita Reader")
		expect(t, admin.post("/admin/people/invite", "email", "reader@news.example", "role", "writer"), http.StatusSeeOther, "/admin/people?done=invited")
		rlink := s.invitationLink(t, "reader@news.example", 2)
		r = s.browser(t).get(rlink)
		loginLinks := find(r.Doc, func(n *html.Node) bool {
			return n.Data == "a" && strings.HasPrefix(attr(n, "href"), "/login?next=") && strings.Contains(attr(n, "href"), "invite")
		})
		if r.Code != http.StatusOK || len(loginLinks) != 1 || len(findAll(r.Doc, "input[name=password]")) != 0 {
			t.Errorf("signed out, an address with an account is asked to log in: %d, %d links", r.Code, len(loginLinks))
		}
		if r := admin.post("/invite", "token", strings.TrimPrefix(rlink, "/invite?token=")); r.Code != http.StatusForbidden {
			t.Errorf("someone signed in with another address accepts: %d", r.Code)
		}
		r = reader.get(rlink)
		if r.Code != http.StatusOK || len(findAll(r.Doc, "form[action=/invite]")) != 1 || len(findAll(r.Doc, "input[name=password]")) != 0 {
			t.Fatalf("signed in, the page offers no plain acceptance: %d", r.Code)
		}
		expect(t, reader.post("/invite", "token", strings.TrimPrefix(rlink, "/invite?token=")), http.StatusSeeOther, "/admin")
		if u, err := s.accounts.UserByEmail(context.Background(), "reader@news.example"); err != nil || u.Role != account.Writer {
			t.Fatalf("the reader after accepting: %+v, %v", u, err)
		}

		// Roles change; staff rights go.
		nora, err := s.accounts.UserByEmail(context.Background(), "new.editor@news.example")
		if err != nil {
			t.Fatal(err)
		}
		noraRole := "/admin/people/" + strconv.FormatInt(nora.ID, 10) + "/role"
		if r := admin.post(noraRole, "role", "owner"); r.Code != http.StatusConflict {
			t.Errorf("an unknown role: %d", r.Code)
		}
		expect(t, admin.post(noraRole, "role", "moderator"), http.StatusSeeOther, "/admin/people?done=role")
		if r := invitee.get("/admin/stories/new"); r.Code != http.StatusForbidden {
			t.Errorf("a moderator opens a new story: %d", r.Code)
		}
		expect(t, admin.post(noraRole, "role", "reader"), http.StatusSeeOther, "/admin/people?done=removed")
		if r := invitee.get("/admin"); r.Code != http.StatusForbidden {
			t.Errorf("a former editor opens the dashboard: %d", r.Code)
		}
		if r := admin.post("/admin/people/999999/role", "role", "editor"); r.Code != http.StatusNotFound {
			t.Errorf("no such account: %d", r.Code)
		}

		// The last administrator.
		demo, err := s.accounts.UserByEmail(context.Background(), "admin@example.com")
		if err != nil {
			t.Fatal(err)
		}
		expect(t, admin.post("/admin/people/"+strconv.FormatInt(demo.ID, 10)+"/role", "role", "editor"), http.StatusSeeOther, "/admin/people?done=role")
		chief, _ := s.accounts.UserByEmail(context.Background(), "chief@news.example")
		r = admin.post("/admin/people/"+strconv.FormatInt(chief.ID, 10)+"/role", "role", "reader")
		if r.Code != http.StatusConflict || !strings.Contains(r.Body, "last administrator") {
			t.Errorf("the last admin removes themself: %d", r.Code)
		}
		if u, _ := s.accounts.UserByEmail(context.Background(), "chief@news.example"); u.Role != account.Admin {
			t.Errorf("the last admin is now %s", u.Role)
		}
		if r := admin.post("/account/delete", "current_password", goodPassword); r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "last administrator") {
			t.Errorf("the last admin deletes their account: %d", r.Code)
		}

		rows := auditRows(t, admin)
		want := []string{
			"Chief", "role.changed admin@example.com admin → editor",
			"staff.removed new.editor@news.example moderator → reader",
			"role.changed new.editor@news.example editor → moderator",
			"Rita Reader <reader@news.example> invitation.accepted reader@news.example joined as writer",
			"invitation.sent reader@news.example as writer",
			"invitation.sent late@news.example as writer",
			"Nora Editor <new.editor@news.example> invitation.accepted new.editor@news.example joined as editor",
			"invitation.sent new.editor@news.example as editor",
		}
		joined := strings.Join(rows, "\n")
		for _, w := range want[1:] {
			if !strings.Contains(joined, w) {
				t.Errorf("the audit log lacks %q:\n%s", w, joined)
			}
		}
		if len(rows) != len(want)-1 || !strings.Contains(rows[0], "chief <chief@news.example>") {
			t.Errorf("the audit log, newest first:\n%s", joined)
		}
		if !strings.Contains(rows[len(rows)-1], "1 July 2026") || !strings.Contains(rows[len(rows)-1], "WEST") {
			t.Errorf("times in the paper's zone: %q", rows[len(rows)-1])
		}
	})
}

// TestReaderLookup: an administrator finds a reader by address and sees
// their subscription and comment standing, without anything secret.
func TestReaderLookup(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		s.subscriberBrowser(t, "paying@news.example")
		admin := s.staff(t, "chief@news.example", account.Admin)
		r := admin.get("/admin/people?reader=Paying@news.example")
		if r.Code != http.StatusOK {
			t.Fatalf("lookup: %d\n%.500s", r.Code, r.Body)
		}
		dl := text(one(t, r.Doc, "dl.reader-standing"))
		for _, w := range []string{"paying@news.example", "Monthly", "active", "0 published", "may comment"} {
			if !strings.Contains(dl, w) {
				t.Errorf("the standing lacks %q: %s", w, dl)
			}
		}
		u, err := s.accounts.UserByEmail(context.Background(), "paying@news.example")
		if err != nil {
			t.Fatal(err)
		}
		subn, err := s.billing.Subscription(context.Background(), u.ID)
		if err != nil || subn == nil {
			t.Fatalf("subscription: %v", err)
		}
		for _, secret := range []string{u.PasswordHash, "argon2", "$"} {
			if strings.Contains(dl, secret) {
				t.Errorf("the standing shows %q", secret)
			}
		}
		for _, ref := range []string{subn.CustomerRef, subn.ProviderRef} {
			if ref != "" && strings.Contains(r.Body, ref) {
				t.Errorf("the page shows the provider's id %q", ref)
			}
		}
		if r := admin.get("/admin/people?reader=nobody@news.example"); r.Code != http.StatusNotFound {
			t.Errorf("an unknown reader: %d", r.Code)
		} else if _, _, msg := fieldState(t, r.Doc, "reader"); !strings.Contains(msg, "No account") {
			t.Errorf("an unknown reader: %q", msg)
		}
		if r := admin.get("/admin/people?reader=nonsense"); r.Code != http.StatusUnprocessableEntity {
			t.Errorf("not an address: %d", r.Code)
		}
	})
}

// TestSettingsAudited: a change of the site's settings is in the audit
// log with its old and new values; a save that changes nothing is not.
func TestSettingsAudited(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		admin := s.staff(t, "chief@news.example", account.Admin)
		expect(t, admin.post("/admin/settings", "time_zone", "Europe/Lisbon", "logo", ""), http.StatusSeeOther, "/admin/settings?done=1")
		expect(t, admin.post("/admin/settings", "time_zone", "Europe/Lisbon", "logo", ""), http.StatusSeeOther, "/admin/settings?done=1")
		if r := admin.post("/admin/settings", "time_zone", "Mars/Olympus", "logo", ""); r.Code != http.StatusUnprocessableEntity {
			t.Fatalf("a wrong zone: %d", r.Code)
		}
		rows := auditRows(t, admin)
		if len(rows) != 1 || !strings.Contains(rows[0], "settings.changed site settings time zone: (none) → Europe/Lisbon") {
			t.Errorf("the audit log: %q", rows)
		}
	})
}

// TestAuditLogPaged: the audit log shows 50 entries a page, newest
// first, with a link to the older ones; a page that cannot exist is 400.
func TestAuditLogPaged(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		admin := s.staff(t, "chief@news.example", account.Admin)
		for i := range 55 {
			if err := s.opts.Audit.Record(context.Background(), account.ActorOf(nil), "test.entry", "entry "+strconv.Itoa(i), ""); err != nil {
				t.Fatal(err)
			}
		}
		r := admin.get("/admin/audit")
		rows := findAll(one(t, r.Doc, "tbody"), "tr")
		if len(rows) != 50 || !strings.Contains(text(rows[0]), "entry 54") || !strings.Contains(text(rows[0]), "system") {
			t.Fatalf("the first page: %d rows, the first %q", len(rows), text(rows[0]))
		}
		older := one(t, r.Doc, "a[rel=next]")
		r = admin.get(attr(older, "href"))
		rows = findAll(one(t, r.Doc, "tbody"), "tr")
		if r.Code != http.StatusOK || len(rows) != 5 || !strings.Contains(text(rows[4]), "entry 0") || len(findAll(r.Doc, "a[rel=next]")) != 0 {
			t.Errorf("the second page: %d, %d rows", r.Code, len(rows))
		}
		for _, bad := range []string{"abc", "-4", "0"} {
			if r := admin.get("/admin/audit?before=" + bad); r.Code != http.StatusBadRequest {
				t.Errorf("before=%s: %d", bad, r.Code)
			}
		}
	})
}
