package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"dateline/internal/account"
	"dateline/internal/story"
)

// subscriberBrowser signs a reader up, confirms the address and
// subscribes with the demo provider.
func (s *accountSite) subscriberBrowser(t testing.TB, email string) *browser {
	t.Helper()
	b := s.browser(t)
	b.ip = "192.0.2." + fmt.Sprint(len(email))
	b.verified(email)
	expect(t, b.post("/subscribe/checkout", "plan", fmt.Sprint(s.plan.ID)), http.StatusSeeOther, fmt.Sprintf("/subscribe/demo?plan=%d", s.plan.ID))
	expect(t, b.post("/subscribe/demo", "plan", fmt.Sprint(s.plan.ID)), http.StatusSeeOther, "/account?done=subscribed")
	return b
}

func freeStory(t testing.TB, s *accountSite) *story.Story {
	return s.pick(t, func(st *story.Story) bool { return st.Access == story.Free })
}

// commentID finds the id in a redirect to #comment-N.
func commentID(t testing.TB, r result) string {
	t.Helper()
	m := regexp.MustCompile(`#comment-(\d+)$`).FindStringSubmatch(r.Header.Get("Location"))
	if r.Code != http.StatusSeeOther || m == nil {
		t.Fatalf("post comment = %d → %q\n%.400s", r.Code, r.Header.Get("Location"), r.Body)
	}
	return m[1]
}

func TestCommentNoticesSayWhatToDo(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		st := freeStory(t, s)
		notice := func(b *browser) string {
			t.Helper()
			r := b.get(st.Path())
			if len(findAll(r.Doc, "form.comment-form")) != 0 {
				t.Fatal("a reader who may not post sees the form")
			}
			n := one(t, r.Doc, "div.comment-notice")
			return text(n)
		}
		anon := s.browser(t)
		got := notice(anon)
		if !strings.Contains(got, "Commenting is for subscribers") || !strings.Contains(got, "Subscribe or log in for digital access") || !strings.Contains(got, "Here's why") {
			t.Errorf("anonymous notice: %q", got)
		}
		r := anon.get(st.Path())
		why := find(r.Doc, func(n *html.Node) bool { return n.Data == "a" && text(n) == "Here's why" })
		if len(why) != 1 || attr(why[0], "href") != "/comments/policy" {
			t.Fatal("no Here's why link to the policy")
		}
		policy := anon.get("/comments/policy")
		if policy.Code != http.StatusOK || !strings.Contains(text(policy.Doc), "Why commenting is for subscribers") {
			t.Errorf("policy page = %d", policy.Code)
		}
		unverified := s.browser(t)
		unverified.signUp("new@example.com", "New")
		if got := notice(unverified); !strings.Contains(got, "Confirm yours") {
			t.Errorf("unverified notice: %q", got)
		}
		reader := s.browser(t)
		reader.verified("reader@example.com")
		if got := notice(reader); !strings.Contains(got, "Subscribe for digital access") {
			t.Errorf("no-access notice: %q", got)
		}
		// Posting anyway, from a form kept open, is refused on the server.
		r = reader.post("/comments", "story", st.Slug, "body", "Let me in.")
		if r.Code != http.StatusForbidden {
			t.Errorf("post without access = %d", r.Code)
		}
		// Editors open a story to every registered reader, or close it.
		if _, err := s.accounts.CreateUser(context.Background(), "ed@example.com", "Ed", goodPassword, account.Editor); err != nil {
			t.Fatal(err)
		}
		ed := s.browser(t)
		ed.post("/login", "email", "ed@example.com", "password", goodPassword)
		if r := reader.post("/stories/"+st.Slug+"/comments-mode", "mode", "registered"); r.Code != http.StatusForbidden {
			t.Errorf("a reader changed the comment mode: %d", r.Code)
		}
		expect(t, ed.post("/stories/"+st.Slug+"/comments-mode", "mode", "registered"), http.StatusSeeOther, st.Path()+"#comments")
		if r := reader.get(st.Path()); len(findAll(r.Doc, "form.comment-form")) != 1 {
			t.Error("a registered reader cannot post on a story open to registered readers")
		}
		expect(t, ed.post("/stories/"+st.Slug+"/comments-mode", "mode", "closed"), http.StatusSeeOther, st.Path()+"#comments")
		if got := notice(reader); !strings.Contains(got, "closed") {
			t.Errorf("closed notice: %q", got)
		}
	})
}

func TestSubscribersDiscuss(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		st := freeStory(t, s)
		ann := s.subscriberBrowser(t, "ann@example.com")
		bo := s.subscriberBrowser(t, "bo@example.com")

		// Errors come back beside the field with the text kept.
		r := ann.post("/comments", "story", st.Slug, "body", strings.Repeat("x", 5001))
		if v, e := textareaState(t, r.Doc, "new-comment"); r.Code != http.StatusUnprocessableEntity || e == "" || len(v) != 5001 {
			t.Errorf("overlong comment: %d %q", r.Code, e)
		}
		if r := ann.post("/comments", "story", st.Slug, "body", "  \n "); r.Code != http.StatusUnprocessableEntity {
			t.Errorf("empty comment = %d", r.Code)
		}
		id := commentID(t, ann.post("/comments", "story", st.Slug, "body", "Hello <script>alert(1)</script>\n\nSee https://example.org/x."))
		r = bo.get(st.Path())
		c := one(t, r.Doc, "li[id=comment-"+id+"]")
		if strings.Contains(r.Body, "<script>alert(1)") || !strings.Contains(text(c), "Hello <script>alert(1)</script>") {
			t.Error("the comment was not escaped")
		}
		link := one(t, c, "a[rel=nofollow ugc noopener]")
		if attr(link, "href") != "https://example.org/x" {
			t.Errorf("autolink = %q", attr(link, "href"))
		}
		if got := text(one(t, r.Doc, "h2[id=comments-heading]")); got != "Comments (1)" {
			t.Errorf("count = %q", got)
		}
		// Lists show the count too, linking to the discussion.
		front := s.browser(t).get("/section/" + st.Section.Slug)
		countLink := find(front.Doc, func(n *html.Node) bool { return n.Data == "a" && attr(n, "href") == st.Path()+"#comments" })
		if len(countLink) != 1 || text(countLink[0]) != "1 comment" {
			t.Errorf("the section page does not show the comment count")
		}
		// A reply, and its email to Ann through SMTP with one-click unsubscribe.
		replyID := commentID(t, bo.post("/comments", "story", st.Slug, "reply_to", id, "body", "Welcome!"))
		msgs := s.smtp.WaitForTo(t, "ann@example.com", 3, 10*time.Second)
		reply := msgs[len(msgs)-1]
		if !strings.Contains(reply.Text(), "Welcome!") || !strings.HasPrefix(reply.Header("List-Unsubscribe"), "<https://news.example/comments/unsubscribe?") ||
			reply.Header("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
			t.Fatalf("reply email: %q / %q", reply.Header("List-Unsubscribe"), reply.Header("List-Unsubscribe-Post"))
		}
		// One POST to that address, from a mail client with no session,
		// switches the emails off.
		unsub, _ := url.Parse(strings.Trim(reply.Header("List-Unsubscribe"), "<>"))
		mailClient := s.browser(t)
		if r := mailClient.do(http.MethodPost, unsub.RequestURI(), url.Values{"List-Unsubscribe": {"One-Click"}}); r.Code != http.StatusOK {
			t.Fatalf("one-click unsubscribe = %d", r.Code)
		}
		if r := mailClient.post("/comments/unsubscribe", "u", unsub.Query().Get("u"), "t", "forged"); r.Code != http.StatusBadRequest {
			t.Errorf("forged unsubscribe = %d", r.Code)
		}
		commentID(t, bo.post("/comments", "story", st.Slug, "reply_to", id, "body", "A second reply."))
		// Nothing is queued for Ann: the outbox is where every email starts.
		queued, _ := s.db.RecentMail(context.Background(), 100)
		toAnn := 0
		for _, m := range queued {
			if m.To == "ann@example.com" {
				toAnn++
			}
		}
		if toAnn != 3 {
			t.Errorf("%d emails to Ann after unsubscribing, want still 3", toAnn)
		}

		// Recommend toggles; not one's own.
		expect(t, bo.post("/comments/"+id+"/recommend"), http.StatusSeeOther, st.Path()+"#comment-"+id)
		r = bo.get(st.Path())
		btn := one(t, one(t, r.Doc, "li[id=comment-"+id+"]"), "button[aria-pressed=true]")
		if !strings.Contains(text(btn), "(1)") {
			t.Errorf("recommend button %q", text(btn))
		}
		// The recommendation is Bo's alone, and a second press takes it back.
		cy := s.subscriberBrowser(t, "cy@example.com")
		pressed := func(b *browser) int {
			return len(findAll(one(t, b.get(st.Path()).Doc, "li[id=comment-"+id+"]"), "button[aria-pressed=true]"))
		}
		if pressed(cy) != 0 {
			t.Error("another reader sees Bo's recommendation as their own")
		}
		expect(t, bo.post("/comments/"+id+"/recommend"), http.StatusSeeOther, st.Path()+"#comment-"+id)
		if pressed(bo) != 0 {
			t.Error("a recommendation taken back still shows as pressed")
		}
		expect(t, bo.post("/comments/"+id+"/recommend"), http.StatusSeeOther, st.Path()+"#comment-"+id)
		if pressed(bo) != 1 {
			t.Error("a recommendation made again does not show")
		}
		if r := ann.post("/comments/" + id + "/recommend"); r.Code != http.StatusForbidden {
			t.Errorf("recommending one's own comment = %d", r.Code)
		}
		// Edit own within the window; never someone else's.
		if r := bo.post("/comments/"+id+"/edit", "body", "Hijacked"); r.Code != http.StatusNotFound {
			t.Errorf("editing another's comment = %d", r.Code)
		}
		expect(t, ann.post("/comments/"+id+"/edit", "body", "Hello, edited."), http.StatusSeeOther, st.Path()+"#comment-"+id)
		if r := bo.get(st.Path()); !strings.Contains(text(one(t, r.Doc, "li[id=comment-"+id+"]")), "(edited)") {
			t.Error("an edited comment is not marked")
		}
		// Report with a reason; the note is never shown as HTML.
		expect(t, bo.post("/comments/"+id+"/report", "reason", "off_topic", "note", "<img src=x onerror=alert(1)>"), http.StatusSeeOther, st.Path()+"?commented=reported#comments")
		if r := bo.post("/comments/"+id+"/report", "reason", "bogus"); r.Code != http.StatusUnprocessableEntity {
			t.Errorf("a report without a valid reason = %d", r.Code)
		}
		// Delete own: a placeholder stays above the replies.
		if r := bo.post("/comments/" + id + "/delete"); r.Code != http.StatusNotFound {
			t.Errorf("deleting another's comment = %d", r.Code)
		}
		expect(t, ann.post("/comments/"+id+"/delete"), http.StatusSeeOther, st.Path()+"#comments")
		r = bo.get(st.Path())
		if got := text(one(t, one(t, r.Doc, "li[id=comment-"+id+"]"), "p.comment-deleted")); got != "This comment was deleted." {
			t.Errorf("placeholder %q", got)
		}
		one(t, r.Doc, "li[id=comment-"+replyID+"]")
		// A reply to a deleted comment is refused with a message.
		if r := bo.post("/comments", "story", st.Slug, "reply_to", id, "body", "Too late?"); r.Code != http.StatusUnprocessableEntity {
			t.Errorf("reply to a deleted comment = %d", r.Code)
		}
		// The account page switch turns emails back on.
		expect(t, ann.post("/account/notifications", "on", "1"), http.StatusSeeOther, "/account?done=notifications")
	})
}

// textareaState returns a textarea's text and the error shown with it.
func textareaState(t *testing.T, doc *html.Node, id string) (string, string) {
	t.Helper()
	ta := one(t, doc, "textarea[id="+id+"]")
	errText := ""
	for _, e := range findAll(ta.Parent, "p.field-error") {
		errText = text(e)
	}
	var b strings.Builder
	for c := ta.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(c.Data)
	}
	return b.String(), errText
}

func TestCommentPolicyIsEditableByEditors(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		if _, err := s.accounts.CreateUser(context.Background(), "ed@example.com", "Ed", goodPassword, account.Editor); err != nil {
			t.Fatal(err)
		}
		reader := s.browser(t)
		reader.signUp("r@example.com", "R")
		if r := reader.post("/comments/policy", "policy", "Anything goes, says the reader."); r.Code != http.StatusForbidden {
			t.Errorf("a reader edited the policy: %d", r.Code)
		}
		ed := s.browser(t)
		ed.post("/login", "email", "ed@example.com", "password", goodPassword)
		if r := ed.post("/comments/policy", "policy", "short"); r.Code != http.StatusUnprocessableEntity {
			t.Errorf("a too-short policy = %d", r.Code)
		}
		expect(t, ed.post("/comments/policy", "policy", "## Be kind\n\nArgue with ideas, <script>not</script> people."), http.StatusSeeOther, "/comments/policy?done=1")
		r := s.browser(t).get("/comments/policy")
		if !strings.Contains(text(r.Doc), "Be kind") || strings.Contains(r.Body, "<script>not") {
			t.Error("the saved policy is not shown, or not sanitised")
		}
	})
}
