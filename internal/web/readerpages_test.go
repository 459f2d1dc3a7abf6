package web

import (
	"html/template"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"dateline/internal/account"
	"dateline/internal/billing"
	"dateline/internal/comment"
	"dateline/internal/pagecache"
	"dateline/internal/story"
)

// TestReaderStateReadsThePage checks that what a story page shows reaches
// the rule that decides whether it is shared (pagecache.ReaderKey, whose
// table holds every state): each thing that makes a page the reader's own
// makes it unshared here.
func TestReaderStateReadsThePage(t *testing.T) {
	shared := func() *storyPage {
		data := &storyPage{Story: &story.Story{ID: 7}, CanGift: true,
			Access: billing.Access{Full: true, Why: billing.WhySubscriber},
			Comments: &commentsView{Thread: &comment.Thread{Comments: []*comment.Comment{{ID: 1}}}, shared: true,
				Eligibility: comment.Eligibility{CanPost: true}, ReplyBase: "/x?reply=", MoreURL: "/x?comments=40"}}
		data.Viewer = &account.User{ID: 3, Role: account.Reader, DisplayName: "Bo"}
		return data
	}
	want := pagecache.ReaderState{StoryID: 7, Signed: true, FullStory: true, Access: "subscriber", CanGift: true,
		Discussion: true, CanComment: true, ReplyBase: "/x?reply=", MoreURL: "/x?comments=40"}
	if got := readerState(shared()); got != want {
		t.Fatalf("a subscriber's page reads as %+v, want %+v", got, want)
	}
	if readerPageKey(shared()) == "" {
		t.Fatal("a subscriber's page with nothing of their own is not shared")
	}
	for name, change := range map[string]func(d *storyPage){
		"anonymous":      func(d *storyPage) { d.Viewer = nil },
		"staff":          func(d *storyPage) { d.Viewer.Role = account.Editor },
		"gift link":      func(d *storyPage) { d.NoIndex = true },
		"paywall":        func(d *storyPage) { d.Access = billing.Access{Why: billing.WhySubscribe} },
		"meter":          func(d *storyPage) { d.Access.Why = billing.WhyMeter },
		"form back":      func(d *storyPage) { d.Comments.Form = &commentForm{} },
		"notice":         func(d *storyPage) { d.Comments.Notice = "Thank you." },
		"reply open":     func(d *storyPage) { d.Comments.ReplyTo = 1 },
		"sets the rules": func(d *storyPage) { d.Comments.CanSetMode = true },
		"suspended": func(d *storyPage) {
			d.Comments.Eligibility = comment.Eligibility{Reason: comment.Suspended}
		},
		"own comments": func(d *storyPage) { d.Comments.shared = false },
	} {
		data := shared()
		change(data)
		if key := readerPageKey(data); key != "" {
			t.Errorf("%s: the page is shared as %q", name, key)
		}
	}
}

func TestReaderPagesAreKeptWithEachReadersName(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		paid := s.paidStory(t)
		ann := s.subscriberBrowser(t, "ann@example.com")
		bo := s.subscriberBrowser(t, "bo@example.com")
		const annName, boName = `Ann & "Sam" O'Neil`, "Bo Quinn"
		expect(t, ann.post("/account/name", "name", annName), http.StatusSeeOther, "")
		expect(t, bo.post("/account/name", "name", boName), http.StatusSeeOther, "")

		page := func(b *browser) (name string, r result) {
			t.Helper()
			r = b.get(paid.Path())
			if r.Code != http.StatusOK {
				t.Fatalf("story page = %d", r.Code)
			}
			return text(one(t, one(t, r.Doc, "nav.account-links"), "a[href=/account]")), r
		}
		gotAnn, annPage := page(ann)
		if gotAnn != annName {
			t.Errorf("Ann's masthead shows %q", gotAnn)
		}
		if s.readerPages.Len() != 1 {
			t.Fatalf("%d pages kept for signed-in readers, want 1", s.readerPages.Len())
		}
		gotBo, boPage := page(bo)
		if gotBo != boName {
			t.Errorf("Bo's masthead shows %q", gotBo)
		}
		for _, p := range []result{annPage, boPage} {
			if strings.Contains(p.Body, s.marks.Name) || strings.Contains(p.Body, `& "Sam"`) {
				t.Error("a kept page went out with its mark, or with a name unescaped")
			}
		}
		if strings.Contains(boPage.Body, "Ann") {
			t.Error("Bo's page carries Ann's name")
		}
		// The two pages are one page with two names.
		if strings.Replace(annPage.Body, template.HTMLEscapeString(annName), "NAME", 1) !=
			strings.Replace(boPage.Body, boName, "NAME", 1) {
			t.Error("two readers who see the story alike got different pages")
		}
		// Compressed, it is the same page, checksum and all, for each.
		for _, v := range []struct {
			b    *browser
			page string
		}{{ann, annPage.Body}, {bo, boPage.Body}} {
			req := httptest.NewRequest(http.MethodGet, paid.Path(), nil)
			req.Header.Set("Accept-Encoding", "gzip, deflate, br")
			for _, c := range v.b.cookies {
				req.AddCookie(c)
			}
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			res := rec.Result()
			if res.Header.Get("Content-Encoding") != "gzip" {
				t.Fatalf("a long kept page went out with Content-Encoding %q", res.Header.Get("Content-Encoding"))
			}
			if got := bodyOf(t, res); got != v.page {
				t.Error("the compressed kept page is not the page")
			}
		}
		if !strings.Contains(boPage.Body, "Copy gift link") || !strings.Contains(boPage.Body, `id="new-comment"`) {
			t.Error("the kept page lacks the subscriber's gift link or comment form")
		}

		// Neither anonymous readers nor signed-in readers without a
		// subscription get the kept page, and it does not leak into theirs.
		if body := bodyOf(t, anon(s, paid.Path())); strings.Contains(body, boName) || strings.Contains(body, "Log out") ||
			!strings.Contains(body, `class="paywall"`) {
			t.Error("an anonymous reader got a subscriber's page")
		}
		free := s.browser(t)
		free.verified("free@example.com")
		if r := free.get(paid.Path()); strings.Contains(r.Body, "Copy gift link") ||
			!(strings.Contains(r.Body, `class="paywall"`) || strings.Contains(r.Body, `class="meter-note"`)) {
			t.Error("a reader without a subscription got the subscribers' page")
		}

		// A comment shows at once on the kept page.
		cy := s.subscriberBrowser(t, "cy@example.com")
		cyID := commentID(t, cy.post("/comments", "story", paid.Slug, "body", "Worth every penny."))
		_, r := page(bo)
		if !strings.Contains(r.Body, "Worth every penny.") {
			t.Error("a new comment is missing from the kept page")
		}
		// The reader who wrote it gets a page of their own, with Delete;
		// the others keep sharing one, without.
		_, r = page(cy)
		if !strings.Contains(text(one(t, r.Doc, "li[id=comment-"+cyID+"]")), "Delete") {
			t.Error("Cy cannot delete his own comment")
		}
		_, r = page(bo)
		if got := text(one(t, r.Doc, "li[id=comment-"+cyID+"]")); strings.Contains(got, "Delete") || !strings.Contains(got, "Recommend") {
			t.Errorf("Bo's view of Cy's comment: %q", got)
		}
		// A name changed shows on the next page.
		expect(t, bo.post("/account/name", "name", "Bo Q."), http.StatusSeeOther, "")
		if got, _ := page(bo); got != "Bo Q." {
			t.Errorf("after a change of name, the masthead shows %q", got)
		}
	})
}
