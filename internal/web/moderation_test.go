package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"dateline/internal/account"
	"dateline/internal/comment"
	"dateline/internal/story"
)

// modScene is a demo site with a free story open to every registered
// reader, and people to comment on it and moderate it.
type modScene struct {
	*accountSite
	t     *testing.T
	story *story.Story
}

func newModScene(t *testing.T, s *accountSite) *modScene {
	t.Helper()
	if s.comments == nil {
		t.Fatal("the account site has no comment service")
	}
	st := s.pick(t, func(st *story.Story) bool { return st.Access == story.Free })
	if err := s.db.SetCommentMode(context.Background(), st.ID, string(comment.ForRegistered)); err != nil {
		t.Fatal(err)
	}
	st.Comments = string(comment.ForRegistered)
	return &modScene{accountSite: s, t: t, story: st}
}

func eachModScene(t *testing.T, fn func(t *testing.T, m *modScene)) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) { fn(t, newModScene(t, s)) })
}

// person makes a user with a confirmed address and logs them in.
func (m *modScene) person(email, name string, role account.Role) (*account.User, *browser) {
	m.t.Helper()
	u, err := m.accounts.CreateUser(context.Background(), email, name, goodPassword, role)
	if err != nil {
		m.t.Fatal(err)
	}
	b := m.browser(m.t)
	expect(m.t, b.post("/login", "email", email, "password", goodPassword), http.StatusSeeOther, landing("", u))
	return u, b
}

// post adds a comment under the scene's story through the service.
func (m *modScene) post(u *account.User, body string) *comment.Comment {
	m.t.Helper()
	c, err := m.comments.Post(context.Background(), u, m.story, comment.Mode(m.story.Comments), 0, body)
	if err != nil {
		m.t.Fatalf("post %q: %v", body, err)
	}
	return c
}

// modItem finds a comment's entry in a queue page, or nil.
func modItem(doc *html.Node, id int64) *html.Node {
	list := find(doc, func(n *html.Node) bool { return n.Data == "article" && attr(n, "id") == fmt.Sprintf("item-%d", id) })
	if len(list) == 0 {
		return nil
	}
	return list[0]
}

// storyComment finds a comment on the story page, or nil.
func storyComment(doc *html.Node, id int64) *html.Node {
	list := find(doc, func(n *html.Node) bool { return n.Data == "li" && attr(n, "id") == fmt.Sprintf("comment-%d", id) })
	if len(list) == 0 {
		return nil
	}
	return list[0]
}

// formTo finds the form under n that posts to action.
func formTo(t *testing.T, n *html.Node, action string) *html.Node {
	t.Helper()
	list := find(n, func(n *html.Node) bool { return n.Data == "form" && attr(n, "action") == action })
	if len(list) != 1 {
		t.Fatalf("%d forms post to %s, want 1", len(list), action)
	}
	return list[0]
}

// buttonText is the text of a form's only button.
func buttonText(t *testing.T, f *html.Node) string {
	t.Helper()
	return text(one(t, f, "button"))
}

func currentTab(t *testing.T, doc *html.Node) string {
	t.Helper()
	nav := one(t, doc, "nav.mod-tabs")
	cur := find(nav, func(n *html.Node) bool { return n.Data == "a" && attr(n, "aria-current") == "page" })
	if len(cur) != 1 {
		t.Fatalf("%d current tabs, want 1", len(cur))
	}
	return text(cur[0])
}

func TestModerationIsForStaff(t *testing.T) {
	eachModScene(t, func(t *testing.T, m *modScene) {
		readerU, reader := m.person("reader@example.com", "Rita Reader", account.Reader)
		c := m.post(readerU, "A perfectly fine comment.")
		expect(t, m.browser(t).get("/admin/comments"), http.StatusSeeOther, "/login?next=%2Fadmin%2Fcomments")

		// A reader gets the staff page and can change nothing.
		for _, path := range []string{"/admin/comments", "/admin/comments?tab=held", "/admin/comments/settings", "/admin/comments/log"} {
			if r := reader.get(path); r.Code != http.StatusForbidden || !strings.Contains(text(r.Doc), "This page is for staff") {
				t.Errorf("a reader at %s: %d", path, r.Code)
			}
		}
		for _, action := range []string{"delete", "reject", "feature"} {
			if r := reader.post(fmt.Sprintf("/admin/comments/%d/%s", c.ID, action), "reason", "x", "tab", "recent"); r.Code != http.StatusForbidden {
				t.Errorf("a reader posted %s: %d", action, r.Code)
			}
		}
		if r := reader.post("/admin/comments/suspend", "user", fmt.Sprint(readerU.ID), "days", "0", "reason", "x"); r.Code != http.StatusForbidden {
			t.Errorf("a reader suspended someone: %d", r.Code)
		}
		if r := reader.post("/admin/comments/settings", "premod", "all", "premod_first", "1", "close_days", "1"); r.Code != http.StatusForbidden {
			t.Errorf("a reader changed the settings: %d", r.Code)
		}
		if got, _ := m.comments.Comment(context.Background(), c.ID); got.Status != comment.Published || got.Featured {
			t.Errorf("the reader's posts changed the comment: %+v", got)
		}
		if set, _ := m.comments.Settings(context.Background()); set.Premod != comment.PremodOff {
			t.Errorf("the reader's post changed the settings: %v", set.Premod)
		}

		// A moderator works the queue, but neither the settings nor the log.
		_, mod := m.person("mod@example.com", "Mo Moderator", account.Moderator)
		r := mod.get("/admin/comments")
		if r.Code != http.StatusOK || currentTab(t, r.Doc) != "Reported" {
			t.Fatalf("moderator at /admin/comments: %d", r.Code)
		}
		if strings.Contains(text(one(t, r.Doc, "nav.mod-tabs")), "Settings") || strings.Contains(text(one(t, r.Doc, "nav.mod-tabs")), "log") {
			t.Error("a moderator is offered the settings or the log")
		}
		for _, path := range []string{"/admin/comments/settings", "/admin/comments/log"} {
			if r := mod.get(path); r.Code != http.StatusForbidden {
				t.Errorf("a moderator at %s: %d", path, r.Code)
			}
		}
		if r := mod.post("/admin/comments/settings", "premod", "all", "premod_first", "1", "close_days", "1"); r.Code != http.StatusForbidden {
			t.Errorf("a moderator changed the settings: %d", r.Code)
		}
		if r := mod.get("/admin/comments?tab=bogus"); r.Code != http.StatusBadRequest {
			t.Errorf("an unknown tab: %d", r.Code)
		}
		// An editor has the settings but not the log.
		_, editor := m.person("ed@example.com", "Ed Editor", account.Editor)
		if r := editor.get("/admin/comments/settings"); r.Code != http.StatusOK || currentTab(t, r.Doc) != "Settings" {
			t.Errorf("an editor at the settings: %d", r.Code)
		}
		if r := editor.get("/admin/comments/log"); r.Code != http.StatusForbidden {
			t.Errorf("an editor at the log: %d", r.Code)
		}
		_, admin := m.person("boss@example.com", "Boss", account.Admin)
		if r := admin.get("/admin/comments/log"); r.Code != http.StatusOK || currentTab(t, r.Doc) != "Moderation log" {
			t.Errorf("an admin at the log: %d", r.Code)
		}
	})
}

func TestModeratorWorksTheQueue(t *testing.T) {
	eachModScene(t, func(t *testing.T, m *modScene) {
		ctx := context.Background()
		rita, _ := m.person("rita@example.com", "Rita Reader", account.Reader)
		sam, _ := m.person("sam@example.com", "Sam Sayer", account.Reader)
		_, mod := m.person("mod@example.com", "Mo Moderator", account.Moderator)
		anon := m.browser(t)

		// A reported comment shows in the Reported tab, escaped.
		rude := m.post(rita, "This is <b>rubbish</b> & so are you.")
		fine := m.post(sam, "A fine comment that nobody reports.")
		if err := m.comments.Report(ctx, sam, rude.ID, comment.Abuse, "rude"); err != nil {
			t.Fatal(err)
		}
		r := mod.get("/admin/comments")
		if r.Code != http.StatusOK || currentTab(t, r.Doc) != "Reported" {
			t.Fatalf("queue = %d", r.Code)
		}
		item := modItem(r.Doc, rude.ID)
		if item == nil {
			t.Fatalf("the reported comment is not in the Reported tab:\n%s", text(one(t, r.Doc, "main")))
		}
		if modItem(r.Doc, fine.ID) != nil {
			t.Error("an unreported comment is in the Reported tab")
		}
		heading := one(t, item, "h3")
		if !strings.Contains(text(heading), "Rita Reader") || !strings.Contains(text(heading), m.story.Headline) {
			t.Errorf("item heading %q", text(heading))
		}
		if href := attr(one(t, heading, "a"), "href"); href != fmt.Sprintf("%s#comment-%d", m.story.Path(), rude.ID) {
			t.Errorf("story link %q", href)
		}
		if len(findAll(item, "time")) != 1 || !strings.Contains(text(item), "Reported 1 time: abuse or harassment") {
			t.Errorf("item:\n%s", text(item))
		}
		if strings.Contains(r.Body, "<b>rubbish</b>") || !strings.Contains(r.Body, "&lt;b&gt;rubbish&lt;/b&gt;") {
			t.Error("the comment's text is not escaped")
		}
		del := formTo(t, item, fmt.Sprintf("/admin/comments/%d/delete", rude.ID))
		if got := buttonText(t, del); !strings.HasPrefix(got, "Delete") {
			t.Errorf("delete button %q", got)
		}
		if _, _, e := fieldState(t, del, "reason"); e != "" {
			t.Errorf("a fresh form shows an error: %q", e)
		}
		formTo(t, item, fmt.Sprintf("/admin/comments/%d/feature", rude.ID))
		formTo(t, item, fmt.Sprintf("/admin/comments/%d/approve", rude.ID))
		if len(find(item, func(n *html.Node) bool {
			return n.Data == "form" && attr(n, "action") == fmt.Sprintf("/admin/comments/%d/reject", rude.ID)
		})) != 0 {
			t.Error("a published comment offers Reject")
		}

		// A reason too long comes back beside its field, with the text kept.
		long := strings.Repeat("x", 501)
		r = mod.post(fmt.Sprintf("/admin/comments/%d/delete", rude.ID), "reason", long, "tab", "reported")
		if r.Code != http.StatusUnprocessableEntity {
			t.Fatalf("long reason = %d", r.Code)
		}
		if v, _, e := fieldState(t, formTo(t, modItem(r.Doc, rude.ID), fmt.Sprintf("/admin/comments/%d/delete", rude.ID)), "reason"); v != long || e == "" {
			t.Errorf("long reason: error %q", e)
		}

		// Delete: it leaves the tab and the story page.
		expect(t, mod.post(fmt.Sprintf("/admin/comments/%d/delete", rude.ID), "reason", "Personal attack", "tab", "reported"),
			http.StatusSeeOther, "/admin/comments?done=delete&tab=reported")
		r = mod.get("/admin/comments?done=delete&tab=reported")
		if modItem(r.Doc, rude.ID) != nil || !strings.Contains(text(one(t, r.Doc, "p.notice")), "has been deleted") {
			t.Error("the deleted comment is still in the tab, or no notice")
		}
		if r := anon.get(m.story.Path()); storyComment(r.Doc, rude.ID) != nil || strings.Contains(r.Body, "rubbish") {
			t.Error("the deleted comment is still on the story page")
		}
		// The same action again is a conflict, said plainly.
		if r := mod.post(fmt.Sprintf("/admin/comments/%d/delete", rude.ID), "tab", "reported"); r.Code != http.StatusConflict {
			t.Errorf("deleting twice = %d", r.Code)
		}
		if r := mod.post("/admin/comments/999999/delete", "tab", "reported"); r.Code != http.StatusNotFound {
			t.Errorf("an unknown comment = %d", r.Code)
		}
		if r := mod.post(fmt.Sprintf("/admin/comments/%d/explode", fine.ID), "tab", "reported"); r.Code != http.StatusNotFound {
			t.Errorf("an unknown action = %d", r.Code)
		}

		// A held comment: Approve, and it appears on the story page.
		held := m.post(rita, "Sources: https://a.example/1 https://a.example/2 https://a.example/3 https://a.example/4")
		if held.Status != comment.Held {
			t.Fatalf("a comment with four links is %s", held.Status)
		}
		if r := anon.get(m.story.Path()); storyComment(r.Doc, held.ID) != nil {
			t.Fatal("a held comment is on the story page")
		}
		r = mod.get("/admin/comments?tab=held")
		item = modItem(r.Doc, held.ID)
		if currentTab(t, r.Doc) != "Held for review" || item == nil || !strings.Contains(text(item), "Held: has 4 links") {
			t.Fatalf("held tab:\n%s", text(one(t, r.Doc, "main")))
		}
		if got := buttonText(t, formTo(t, item, fmt.Sprintf("/admin/comments/%d/approve", held.ID))); !strings.HasPrefix(got, "Approve") {
			t.Errorf("approve button %q", got)
		}
		if got := buttonText(t, formTo(t, item, fmt.Sprintf("/admin/comments/%d/reject", held.ID))); !strings.HasPrefix(got, "Reject") {
			t.Errorf("reject button %q", got)
		}
		if r := mod.post(fmt.Sprintf("/admin/comments/%d/feature", held.ID), "tab", "held"); r.Code != http.StatusConflict {
			t.Errorf("featuring a held comment = %d", r.Code)
		}
		expect(t, mod.post(fmt.Sprintf("/admin/comments/%d/approve", held.ID), "reason", "Links are fine", "tab", "held"),
			http.StatusSeeOther, "/admin/comments?done=approve&tab=held")
		if r := mod.get("/admin/comments?tab=held"); modItem(r.Doc, held.ID) != nil {
			t.Error("the approved comment is still held")
		}
		if r := anon.get(m.story.Path()); storyComment(r.Doc, held.ID) == nil {
			t.Error("the approved comment is not on the story page")
		}

		// Feature the newest comment from the Recent tab: it comes first.
		pick := m.post(sam, "The most useful comment here.")
		r = mod.get("/admin/comments?tab=recent")
		item = modItem(r.Doc, pick.ID)
		if item == nil || modItem(r.Doc, fine.ID) == nil {
			t.Fatal("published comments are missing from the Recent tab")
		}
		if got := buttonText(t, formTo(t, item, fmt.Sprintf("/admin/comments/%d/feature", pick.ID))); !strings.HasPrefix(got, "Feature") {
			t.Errorf("feature button %q", got)
		}
		expect(t, mod.post(fmt.Sprintf("/admin/comments/%d/feature", pick.ID), "tab", "recent"),
			http.StatusSeeOther, "/admin/comments?done=feature&tab=recent")
		r = anon.get(m.story.Path())
		list := one(t, r.Doc, "ol.comment-list")
		var first *html.Node
		for c := list.FirstChild; c != nil && first == nil; c = c.NextSibling {
			if c.Type == html.ElementNode && c.Data == "li" {
				first = c
			}
		}
		if first == nil || attr(first, "id") != fmt.Sprintf("comment-%d", pick.ID) || !strings.Contains(text(first), "Editor's pick") {
			t.Errorf("the editor's pick is not first:\n%s", text(list))
		}
		r = mod.get("/admin/comments?tab=recent")
		if got := buttonText(t, formTo(t, modItem(r.Doc, pick.ID), fmt.Sprintf("/admin/comments/%d/unfeature", pick.ID))); !strings.HasPrefix(got, "Unfeature") {
			t.Errorf("unfeature button %q", got)
		}

		// A reader who deleted their account: named so, and not suspendable.
		gone, _ := m.person("gone@example.com", "Gus Gone", account.Reader)
		left := m.post(gone, "My last word.")
		if err := m.accounts.Delete(ctx, gone, goodPassword); err != nil {
			t.Fatal(err)
		}
		r = mod.get("/admin/comments?tab=recent")
		item = modItem(r.Doc, left.ID)
		if item == nil || !strings.HasPrefix(text(one(t, item, "h3")), "Deleted reader on ") ||
			len(findAll(item, "details.suspend")) != 0 {
			t.Errorf("a deleted reader's comment:\n%s", text(item))
		}
	})
}

func TestModeratorSuspendsAReader(t *testing.T) {
	eachModScene(t, func(t *testing.T, m *modScene) {
		rita, reader := m.person("rita@example.com", "Rita Reader", account.Reader)
		modU, mod := m.person("mod@example.com", "Mo Moderator", account.Moderator)
		c := m.post(rita, "Something that earns a suspension.")
		own := m.post(modU, "A moderator's own comment.")

		r := mod.get("/admin/comments?tab=recent")
		item := modItem(r.Doc, c.ID)
		if item == nil {
			t.Fatal("the comment is not in the Recent tab")
		}
		sf := formTo(t, item, "/admin/comments/suspend")
		if v, _, _ := fieldState(t, sf, "days"); v != "7" {
			t.Errorf("days default %q", v)
		}
		if n := len(find(modItem(r.Doc, own.ID), func(n *html.Node) bool { return n.Data == "form" && attr(n, "action") == "/admin/comments/suspend" })); n != 0 {
			t.Error("a moderator is offered to suspend themselves")
		}

		// Without a reason: 422, the message beside the field, input kept.
		r = mod.post("/admin/comments/suspend", "user", fmt.Sprint(rita.ID), "comment", fmt.Sprint(c.ID), "tab", "recent", "days", "3", "reason", "")
		if r.Code != http.StatusUnprocessableEntity {
			t.Fatalf("suspend without a reason = %d", r.Code)
		}
		item = modItem(r.Doc, c.ID)
		sf = formTo(t, item, "/admin/comments/suspend")
		if _, _, e := fieldState(t, sf, "reason"); !strings.Contains(e, "Say why") {
			t.Errorf("reason error %q", e)
		}
		if v, _, e := fieldState(t, sf, "days"); v != "3" || e != "" {
			t.Errorf("days %q, error %q", v, e)
		}
		if !hasAttr(one(t, item, "details.suspend"), "open") {
			t.Error("the suspension form with the error is closed")
		}
		// Bad days: the same, on the days field.
		r = mod.post("/admin/comments/suspend", "user", fmt.Sprint(rita.ID), "comment", fmt.Sprint(c.ID), "tab", "recent", "days", "forever", "reason", "Rude")
		sf = formTo(t, modItem(r.Doc, c.ID), "/admin/comments/suspend")
		if v, _, e := fieldState(t, sf, "days"); r.Code != http.StatusUnprocessableEntity || v != "forever" || e == "" {
			t.Errorf("bad days: %d, %q, error %q", r.Code, v, e)
		}
		if v, _, _ := fieldState(t, sf, "reason"); v != "Rude" {
			t.Errorf("the reason was not kept: %q", v)
		}
		if r := reader.get(m.story.Path()); len(findAll(r.Doc, "textarea[id=new-comment]")) != 1 {
			t.Fatal("a failed suspension suspended the reader")
		}

		// With a reason: the reader is suspended and told.
		expect(t, mod.post("/admin/comments/suspend", "user", fmt.Sprint(rita.ID), "comment", fmt.Sprint(c.ID), "tab", "recent",
			"days", "3", "reason", "Repeated personal attacks"),
			http.StatusSeeOther, fmt.Sprintf("/admin/comments?done=suspended&tab=recent&user=%d", rita.ID))
		r = mod.get(fmt.Sprintf("/admin/comments?done=suspended&tab=recent&user=%d", rita.ID))
		if !strings.Contains(text(one(t, r.Doc, "p.notice")), "suspended") || len(findAll(r.Doc, "form.undo")) != 1 {
			t.Error("no notice, or no way to undo")
		}
		r = reader.get(m.story.Path())
		if len(findAll(r.Doc, "textarea[id=new-comment]")) != 0 ||
			!strings.Contains(text(one(t, r.Doc, "div.comment-notice")), "Your commenting is suspended until 2 Dec 2026") {
			t.Errorf("the suspended reader's story page:\n%s", text(one(t, r.Doc, "section.comments")))
		}
		if _, err := m.comments.Post(context.Background(), rita, m.story, comment.ForRegistered, 0, "Let me in"); err == nil {
			t.Error("a suspended reader posted")
		}
		mails := m.smtp.WaitForTo(t, "rita@example.com", 1, 10*time.Second)
		if !strings.Contains(mails[0].Text(), "Repeated personal attacks") {
			t.Errorf("the email does not give the reason:\n%s", mails[0].Text())
		}

		// Unsuspend: the reader may comment again.
		expect(t, mod.post("/admin/comments/unsuspend", "user", fmt.Sprint(rita.ID), "tab", "recent"),
			http.StatusSeeOther, "/admin/comments?done=unsuspended&tab=recent")
		if r := reader.get(m.story.Path()); len(findAll(r.Doc, "textarea[id=new-comment]")) != 1 {
			t.Error("the reader is still suspended")
		}
	})
}

func TestCommentSettingsSaveAndTakeEffect(t *testing.T) {
	eachModScene(t, func(t *testing.T, m *modScene) {
		ctx := context.Background()
		rita, _ := m.person("rita@example.com", "Rita Reader", account.Reader)
		_, editor := m.person("ed@example.com", "Ed Editor", account.Editor)
		_, mod := m.person("mod@example.com", "Mo Moderator", account.Moderator)

		r := editor.get("/admin/comments/settings")
		if v, _, _ := fieldState(t, r.Doc, "close_days"); v != "14" {
			t.Errorf("close days %q, want the default 14", v)
		}
		if v, _, _ := fieldState(t, r.Doc, "premod_first"); v != "1" {
			t.Errorf("first comments %q", v)
		}
		selected := find(one(t, r.Doc, "select[name=premod]"), func(n *html.Node) bool { return n.Data == "option" && hasAttr(n, "selected") })
		if len(selected) != 1 || attr(selected[0], "value") != "off" {
			t.Error("pre-moderation is not shown as off")
		}
		one(t, r.Doc, "label[for=f-banned_words]")
		one(t, r.Doc, "textarea[id=f-banned_words]")

		// Wrong values come back beside their fields, kept.
		r = editor.post("/admin/comments/settings", "premod", "sometimes", "premod_first", "2", "banned_words", "turnip", "close_days", "400")
		if r.Code != http.StatusUnprocessableEntity {
			t.Fatalf("bad settings = %d", r.Code)
		}
		if v, _, e := fieldState(t, r.Doc, "close_days"); v != "400" || e == "" {
			t.Errorf("close days %q, error %q", v, e)
		}
		if _, _, e := fieldState(t, r.Doc, "premod_first"); e != "" {
			t.Errorf("a good field has an error: %q", e)
		}
		if len(findAll(r.Doc, "p[id=f-premod-error]")) != 1 || attr(one(t, r.Doc, "select[name=premod]"), "aria-invalid") != "true" {
			t.Error("no error beside pre-moderation")
		}
		if got := text(one(t, r.Doc, "textarea[name=banned_words]")); got != "turnip" {
			t.Errorf("banned words not kept: %q", got)
		}
		if set, _ := m.comments.Settings(ctx); len(set.BannedWords) != 0 || set.CloseAfter != 14*24*time.Hour {
			t.Errorf("bad settings were saved: %+v", set)
		}

		expect(t, editor.post("/admin/comments/settings", "premod", "off", "premod_first", "2",
			"banned_words", "Turnip\r\n\r\n   swede  \r\nturnip", "close_days", "30"),
			http.StatusSeeOther, "/admin/comments/settings?done=1")
		r = editor.get("/admin/comments/settings?done=1")
		if !strings.Contains(text(one(t, r.Doc, "p.notice")), "saved") {
			t.Error("no notice after saving")
		}
		if got := one(t, r.Doc, "textarea[name=banned_words]").FirstChild; got == nil || got.Data != "Turnip\nswede" {
			t.Errorf("banned words shown as %v", got)
		}
		set, err := m.comments.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if set.Premod != comment.PremodOff || set.PremodFirstN != 2 || set.CloseAfter != 30*24*time.Hour ||
			strings.Join(set.BannedWords, "|") != "Turnip|swede" {
			t.Errorf("saved settings: %+v", set)
		}

		// A banned word holds a new comment for review.
		c := m.post(rita, "I will not eat a turnip, ever.")
		if c.Status != comment.Held {
			t.Fatalf("a comment with a banned word is %s", c.Status)
		}
		r = mod.get("/admin/comments?tab=held")
		if item := modItem(r.Doc, c.ID); item == nil || !strings.Contains(text(item), "contains a word on the review list") {
			t.Error("the held comment is not in the Held tab with its reason")
		}
		if c := m.post(rita, "Carrots are fine."); c.Status != comment.Published {
			t.Errorf("an ordinary comment is %s", c.Status)
		}

		// Review every comment.
		expect(t, editor.post("/admin/comments/settings", "premod", "all", "premod_first", "2", "banned_words", "", "close_days", "30"),
			http.StatusSeeOther, "/admin/comments/settings?done=1")
		if c := m.post(rita, "Potatoes too."); c.Status != comment.Held || c.HeldReason != "every comment is reviewed" {
			t.Errorf("with everything reviewed, a comment is %s (%s)", c.Status, c.HeldReason)
		}
		// Closing after a day closes this story's discussion.
		expect(t, editor.post("/admin/comments/settings", "premod", "off", "premod_first", "0", "banned_words", "", "close_days", "1"),
			http.StatusSeeOther, "/admin/comments/settings?done=1")
		if m.story.PublishedAt.Before(testNow.Add(-24 * time.Hour)) {
			if _, err := m.comments.Post(ctx, rita, m.story, comment.ForRegistered, 0, "Too late?"); err == nil {
				t.Error("a comment was accepted after the discussion closed")
			}
		}
	})
}

func TestModerationLog(t *testing.T) {
	eachModScene(t, func(t *testing.T, m *modScene) {
		rita, _ := m.person("rita@example.com", "Rita Reader", account.Reader)
		_, mod := m.person("mod@example.com", "Mo Moderator", account.Moderator)
		_, admin := m.person("boss@example.com", "Boss", account.Admin)

		bad := m.post(rita, "Buy cheap watches.")
		held := m.post(rita, "Links: https://a.example/1 https://a.example/2 https://a.example/3 https://a.example/4")
		good := m.post(rita, "A thoughtful comment.")
		expect(t, mod.post(fmt.Sprintf("/admin/comments/%d/delete", bad.ID), "reason", "Spam", "tab", "recent"),
			http.StatusSeeOther, "/admin/comments?done=delete&tab=recent")
		expect(t, mod.post(fmt.Sprintf("/admin/comments/%d/approve", held.ID), "tab", "held"),
			http.StatusSeeOther, "/admin/comments?done=approve&tab=held")
		expect(t, mod.post(fmt.Sprintf("/admin/comments/%d/feature", good.ID), "reason", "Insightful", "tab", "recent"),
			http.StatusSeeOther, "/admin/comments?done=feature&tab=recent")
		expect(t, mod.post("/admin/comments/suspend", "user", fmt.Sprint(rita.ID), "comment", fmt.Sprint(bad.ID), "tab", "recent",
			"days", "0", "reason", "Spammer"),
			http.StatusSeeOther, fmt.Sprintf("/admin/comments?done=suspended&tab=recent&user=%d", rita.ID))

		if r := mod.get("/admin/comments/log"); r.Code != http.StatusForbidden {
			t.Errorf("a moderator at the log: %d", r.Code)
		}
		r := admin.get("/admin/comments/log")
		if r.Code != http.StatusOK {
			t.Fatalf("log = %d", r.Code)
		}
		table := one(t, r.Doc, "table.mod-log")
		for _, th := range findAll(table, "th") {
			if attr(th, "scope") != "col" {
				t.Errorf("header %q has no scope", text(th))
			}
		}
		rows := findAll(one(t, table, "tbody"), "tr")
		want := []struct{ action, comment, reason string }{
			{"Suspended a reader", "", "Spammer"},
			{"Made an editor's pick", fmt.Sprintf("Comment %d", good.ID), "Insightful"},
			{"Approved", fmt.Sprintf("Comment %d", held.ID), ""},
			{"Deleted", fmt.Sprintf("Comment %d", bad.ID), "Spam"},
		}
		if len(rows) != len(want) {
			t.Fatalf("%d log rows, want %d:\n%s", len(rows), len(want), text(table))
		}
		for i, w := range want {
			cells := findAll(rows[i], "td")
			if text(cells[1]) != "Mo Moderator" || text(cells[2]) != w.action || text(cells[3]) != w.comment ||
				text(cells[4]) != rita.DisplayName || text(cells[5]) != w.reason {
				t.Errorf("row %d: %q", i, text(rows[i]))
			}
		}
		link := findAll(rows[1], "a")
		if len(link) != 1 || attr(link[0], "href") != fmt.Sprintf("%s#comment-%d", m.story.Path(), good.ID) {
			t.Error("the log does not link to the comment")
		}
	})
}
