package web

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"dateline/internal/account"
	"dateline/internal/story"
)

// staff logs a new member of staff in.
func (s *accountSite) staff(t *testing.T, email string, role account.Role) *browser {
	t.Helper()
	u, err := s.accounts.CreateUser(context.Background(), email, strings.Split(email, "@")[0], goodPassword, role)
	if err != nil {
		t.Fatal(err)
	}
	b := s.browser(t)
	expect(t, b.post("/login", "email", email, "password", goodPassword), http.StatusSeeOther, landing("", u))
	return b
}

// storyForm is the editor's fields; extra pairs replace or add fields.
func storyForm(headline, version, action string, extra ...string) []string {
	fields := []string{"headline", headline, "dek", "A dek.", "dateline", "Oslo", "bylines", "Newsroom", "section", "world",
		"tags", "Ferries", "access", "free", "comments", "subscribers", "slug", "", "body", "First paragraph.\n\nSecond.",
		"version", version, "action", action}
	for i := 0; i+1 < len(extra); i += 2 {
		replaced := false
		for j := 0; j+1 < len(fields); j += 2 {
			if fields[j] == extra[i] {
				fields[j+1], replaced = extra[i+1], true
			}
		}
		if !replaced {
			fields = append(fields, extra[i], extra[i+1])
		}
	}
	return fields
}

func savedID(t *testing.T, r result) string {
	t.Helper()
	m := regexp.MustCompile(`^/admin/stories/(\d+)\?saved=1$`).FindStringSubmatch(r.Header.Get("Location"))
	if r.Code != http.StatusSeeOther || m == nil {
		t.Fatalf("save = %d → %q\n%.600s", r.Code, r.Header.Get("Location"), r.Body)
	}
	return m[1]
}

func TestNewsroomRoleMatrix(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		writer := s.staff(t, "writer@example.com", account.Writer)
		editor := s.staff(t, "editor@example.com", account.Editor)
		mod := s.staff(t, "mod@example.com", account.Moderator)
		reader := s.browser(t)
		reader.signUp("reader@example.com", "Reader")
		anon := s.browser(t)

		// Reaching the newsroom.
		for name, tc := range map[string]struct {
			b    *browser
			code int
		}{"anonymous": {anon, http.StatusSeeOther}, "reader": {reader, http.StatusForbidden}, "moderator": {mod, http.StatusForbidden},
			"writer": {writer, http.StatusOK}, "editor": {editor, http.StatusOK}} {
			if r := tc.b.get("/admin/stories"); r.Code != tc.code {
				t.Errorf("%s at /admin/stories: %d, want %d", name, r.Code, tc.code)
			}
			if name != "writer" && name != "editor" {
				if r := tc.b.post("/admin/stories", storyForm("Sneaky", "0", "save")...); r.Code == http.StatusSeeOther && strings.HasPrefix(r.Header.Get("Location"), "/admin/stories/") {
					t.Errorf("%s created a story", name)
				}
			}
		}
		// A writer drafts and submits; publishing is refused.
		id := savedID(t, writer.post("/admin/stories", storyForm("Writer files a story", "0", "submit")...))
		if r := writer.post("/admin/stories/"+id, storyForm("Writer files a story", "1", "publish")...); r.Code != http.StatusForbidden {
			t.Errorf("a writer published: %d", r.Code)
		}
		// Someone else's draft is out of a writer's reach.
		other := s.staff(t, "other@example.com", account.Writer)
		if r := other.get("/admin/stories/" + id); r.Code != http.StatusForbidden {
			t.Errorf("a writer opened another writer's draft: %d", r.Code)
		}
		// The editor edits and publishes; readers see it.
		expect(t, editor.post("/admin/stories/"+id, storyForm("Writer files a story", "1", "publish")...),
			http.StatusSeeOther, "/admin/stories/"+id+"?saved=1")
		st, err := s.db.StoryBySlug(context.Background(), "writer-files-a-story")
		if err != nil || st.Status != story.Published {
			t.Fatalf("published story: %v", err)
		}
		s.browser(t).get(st.Path())
		if r := s.browser(t).get(st.Path()); r.Code != http.StatusOK || !strings.Contains(text(r.Doc), "OSLO – First paragraph.") {
			t.Errorf("the published story: %d", r.Code)
		}
		// Once published, the writer cannot edit it.
		if r := writer.get("/admin/stories/" + id); r.Code != http.StatusForbidden {
			t.Errorf("a writer opened a published story: %d", r.Code)
		}
		// Unpublish is the editor's.
		expect(t, editor.post("/admin/stories/"+id, storyForm("Writer files a story", "2", "unpublish")...),
			http.StatusSeeOther, "/admin/stories/"+id+"?saved=1")
		if r := s.browser(t).get(st.Path()); r.Code != http.StatusNotFound {
			t.Errorf("an unpublished story answers %d", r.Code)
		}
	})
}

func TestStoryEditorErrorsConflictsAndRedirects(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		editor := s.staff(t, "editor@example.com", account.Editor)
		r := editor.post("/admin/stories", storyForm("", "0", "save")...)
		if _, _, e := fieldState(t, r.Doc, "headline"); r.Code != http.StatusUnprocessableEntity || e == "" {
			t.Errorf("empty headline: %d %q", r.Code, e)
		}
		if v, _, _ := fieldState(t, r.Doc, "dek"); v != "A dek." {
			t.Error("the form lost what was typed")
		}
		r = editor.post("/admin/stories", storyForm("Scheduled", "0", "schedule", "publish_at", "2001-01-01T00:00")...)
		if _, _, e := fieldState(t, r.Doc, "publish_at"); r.Code != http.StatusUnprocessableEntity || e == "" {
			t.Errorf("a past schedule: %d", r.Code)
		}
		live := editor.post("/admin/preview", "body", "<script>x</script>\n\n**bold** [x](javascript:alert(1))")
		if live.Code != http.StatusOK || !strings.Contains(live.Body, "<strong>bold</strong>") || strings.Contains(live.Body, "<script") || strings.Contains(live.Body, "javascript:") {
			t.Errorf("live preview: %d %q", live.Code, live.Body)
		}
		r = editor.post("/admin/stories", storyForm("Preview me", "0", "preview", "body", "<script>x</script>\n\n**bold**")...)
		if !strings.Contains(r.Body, "<strong>bold</strong>") || strings.Contains(r.Body, "<script>x") {
			t.Error("the preview is wrong or unsafe")
		}
		id := savedID(t, editor.post("/admin/stories", storyForm("Ferry timetable changes", "0", "publish")...))
		st, _ := s.db.StoryBySlug(context.Background(), "ferry-timetable-changes")
		// Two editors: the second save from version 1 is a conflict that
		// keeps both texts.
		savedID(t, editor.post("/admin/stories/"+id, storyForm("Ferry timetable changes", "1", "save", "body", "Their version of the text.")...))
		r = editor.post("/admin/stories/"+id, storyForm("Ferry timetable changes", "1", "save", "body", "My version of the text.")...)
		if r.Code != http.StatusConflict || !strings.Contains(r.Body, "Their version of the text.") || !strings.Contains(r.Body, "My version of the text.") {
			t.Fatalf("conflict: %d", r.Code)
		}
		// A new slug: the old address redirects for good.
		savedID(t, editor.post("/admin/stories/"+id, storyForm("Ferry timetable changes", "2", "save", "slug", "new-ferry-times")...))
		res := s.browser(t).get(st.Path())
		if res.Code != http.StatusMovedPermanently || !strings.HasSuffix(res.Header.Get("Location"), "/new-ferry-times") {
			t.Errorf("old slug: %d → %q", res.Code, res.Header.Get("Location"))
		}
		// Duplicate slug.
		r = editor.post("/admin/stories", storyForm("Another", "0", "save", "slug", "new-ferry-times")...)
		if _, _, e := fieldState(t, r.Doc, "slug"); e == "" {
			t.Errorf("a duplicate slug: %d", r.Code)
		}
		if r := editor.get(fmt.Sprintf("/admin/stories/%s/revisions", id)); !strings.Contains(text(r.Doc), "Version 3") {
			t.Error("revisions are not listed")
		}
		// Compare version 2 with now, and restore it.
		r = editor.get(fmt.Sprintf("/admin/stories/%s/revisions?diff=2", id))
		if len(findAll(r.Doc, "del")) == 0 || len(findAll(r.Doc, "ins")) == 0 {
			t.Error("the diff shows no change")
		}
		expect(t, editor.post(fmt.Sprintf("/admin/stories/%s/revisions/2/restore", id)), http.StatusSeeOther, "/admin/stories/"+id+"?saved=1")
		restored, _ := s.db.StoryBySlug(context.Background(), "new-ferry-times")
		if restored.Body != "Their version of the text." || restored.Version != 4 {
			t.Errorf("restored body %q version %d", restored.Body, restored.Version)
		}
	})
}

func TestFrontPageCuration(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		editor := s.staff(t, "editor@example.com", account.Editor)
		writer := s.staff(t, "writer@example.com", account.Writer)
		if r := writer.post("/admin/front", "lead", "1"); r.Code != http.StatusForbidden {
			t.Errorf("a writer curated the front page: %d", r.Code)
		}
		list, _ := s.db.PublishedStories(context.Background(), story.Filter{})
		oldest, second := list[len(list)-1], list[len(list)-2]
		expect(t, editor.post("/admin/front", "lead", fmt.Sprint(oldest.ID), "top0", fmt.Sprint(second.ID)), http.StatusSeeOther, "/admin/front?done=1")
		r := s.browser(t).get("/")
		if got := text(one(t, r.Doc, "h2.lead-headline")); got != oldest.Headline {
			t.Errorf("lead = %q, want the pinned %q", got, oldest.Headline)
		}
		cards := findAll(r.Doc, "h3.card-headline")
		if text(cards[0]) != second.Headline || len(cards) != 15 {
			t.Errorf("first card %q of %d", text(cards[0]), len(cards))
		}
		// The banner, until it comes down.
		r = editor.post("/admin/front/breaking", "text", "Storm closes the harbour", "url", "javascript:alert(1)", "until", "2026-11-29T18:00")
		if _, _, e := fieldState(t, r.Doc, "url"); r.Code != http.StatusUnprocessableEntity || e == "" {
			t.Errorf("a javascript: link was accepted: %d", r.Code)
		}
		expect(t, editor.post("/admin/front/breaking", "text", "Storm closes the harbour", "url", second.Path(), "until", "2026-11-29T18:00"),
			http.StatusSeeOther, "/admin/front?done=1")
		r = s.browser(t).get("/section/world")
		banner := one(t, r.Doc, "p.breaking")
		if !strings.Contains(text(banner), "Storm closes the harbour") || attr(one(t, banner, "a"), "href") != second.Path() {
			t.Errorf("banner %q", text(banner))
		}
		expect(t, editor.post("/admin/front/breaking", "text", "Old news", "until", "2026-11-29T12:30"), http.StatusSeeOther, "/admin/front?done=1")
		s.Server.now = func() time.Time { return testNow.Add(time.Hour) }
		if r := s.browser(t).get("/"); len(findAll(r.Doc, "p.breaking")) != 0 {
			t.Error("the banner stayed up after its time")
		}
		// Section order.
		expect(t, editor.post("/admin/front/sections", "pos-culture", "0", "pos-world", "9"), http.StatusSeeOther, "/admin/front?done=1")
		r = s.browser(t).get("/")
		links := findAll(one(t, r.Doc, "nav.sections"), "a")
		if attr(links[1], "href") != "/section/culture" {
			t.Errorf("first section %q", attr(links[1], "href"))
		}
	})
}

func TestDashboard(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		list, _ := s.db.PublishedStories(context.Background(), story.Filter{})
		popular, other := list[3], list[5]
		reader := s.browser(t)
		for range 3 {
			reader.get(popular.Path())
		}
		reader.get(other.Path())
		admin := s.staff(t, "boss@example.com", account.Admin)
		r := admin.get("/admin")
		if r.Code != http.StatusOK {
			t.Fatalf("dashboard = %d", r.Code)
		}
		items := findAll(one(t, one(t, r.Doc, "section[aria-labelledby=read-heading]"), "ol"), "li")
		if len(items) != 2 || !strings.Contains(text(items[0]), popular.Headline) || !strings.HasSuffix(text(items[0]), "3 views") {
			t.Errorf("most read: %q", text(one(t, r.Doc, "section[aria-labelledby=read-heading]")))
		}
		for _, h := range []string{"review-heading", "mod-heading", "subs-heading"} {
			one(t, r.Doc, "h2[id="+h+"]")
		}
		mod := s.staff(t, "mod@example.com", account.Moderator)
		r = mod.get("/admin")
		if len(findAll(r.Doc, "h2[id=review-heading]")) != 0 || len(findAll(r.Doc, "h2[id=subs-heading]")) != 0 || len(findAll(r.Doc, "h2[id=mod-heading]")) != 1 {
			t.Error("a moderator's dashboard shows the wrong parts")
		}
		if r := reader.get("/admin"); r.Code != http.StatusSeeOther {
			t.Errorf("anonymous at /admin: %d, want the log-in redirect", r.Code)
		}
		reader.signUp("reader@example.com", "Reader")
		if r := reader.get("/admin"); r.Code != http.StatusForbidden {
			t.Errorf("a reader at /admin: %d", r.Code)
		}
	})
}

func TestImageUploadAndFeaturedImage(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		editor := s.staff(t, "editor@example.com", account.Editor)
		upload := func(name string, data []byte, alt string) result {
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			fw, _ := mw.CreateFormFile("file", name)
			fw.Write(data)
			mw.WriteField("alt", alt)
			mw.WriteField("caption", "Boats at the quay")
			mw.WriteField("credit", "Photo: Staff")
			mw.Close()
			req := httptest.NewRequest(http.MethodPost, "/admin/images", &body)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			for _, c := range editor.cookies {
				req.AddCookie(c)
			}
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			doc, _ := html.Parse(strings.NewReader(rec.Body.String()))
			return result{response: response{Code: rec.Code, Header: rec.Result().Header, Body: rec.Body.String()}, Doc: doc}
		}
		if r := upload("notes.jpg", []byte("plain text pretending"), "x"); r.Code != http.StatusUnprocessableEntity || !strings.Contains(text(r.Doc), "not a JPEG, PNG or GIF") {
			t.Errorf("a text file: %d", r.Code)
		}
		img := image.NewRGBA(image.Rect(0, 0, 1000, 600))
		var jpg bytes.Buffer
		jpeg.Encode(&jpg, img, nil)
		if r := upload("boat.jpg", jpg.Bytes(), ""); r.Code != http.StatusUnprocessableEntity {
			t.Errorf("no alt text: %d", r.Code)
		}
		r := upload("boat.jpg", jpg.Bytes(), "Ferries at the quay")
		imgs, _ := s.db.RecentImages(context.Background(), 1)
		im := imgs[0]
		expect(t, r, http.StatusSeeOther, fmt.Sprintf("/admin/images?added=%d", im.ID))
		if r := editor.get(r.Header.Get("Location")); r.Code != http.StatusOK || len(findAll(r.Doc, "figure")) != 1 ||
			!strings.Contains(text(r.Doc), "The image is ready") {
			t.Fatalf("after the upload = %d", r.Code)
		}
		// The copies are served, cached for a year.
		res := s.get(t, im.URL(480))
		if res.Code != http.StatusOK || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") || res.Header.Get("Content-Type") != "image/jpeg" {
			t.Errorf("image = %d %v", res.Code, res.Header)
		}
		if res := s.get(t, fmt.Sprintf("/images/%d/481.jpg", im.ID)); res.Code != http.StatusNotFound {
			t.Errorf("a size never made: %d", res.Code)
		}
		// Featured on a story, with srcset, sizes and dimensions.
		id := savedID(t, editor.post("/admin/stories", storyForm("Ferries in pictures", "0", "publish", "image", fmt.Sprint(im.ID))...))
		st, _ := s.db.StoryBySlug(context.Background(), "ferries-in-pictures")
		page := s.browser(t).get(st.Path())
		fig := one(t, page.Doc, "figure.story-image")
		tag := one(t, fig, "img")
		if attr(tag, "alt") != "Ferries at the quay" || attr(tag, "width") != "1000" || !strings.Contains(attr(tag, "srcset"), "960w") {
			t.Errorf("img = %v", tag.Attr)
		}
		if !strings.Contains(text(fig), "Photo: Staff") {
			t.Error("no credit")
		}
		if got := attr(one(t, page.Doc, "meta[property=og:image]"), "content"); got != testBase+im.URL(1000) {
			t.Errorf("og:image %q", got)
		}
		// Signed-in readers' pages, which the page cache does not hold,
		// keep the image with the story, until the story changes.
		reader := s.subscriberBrowser(t, "reader@example.com")
		if r := reader.get(st.Path()); len(findAll(r.Doc, "figure.story-image")) != 1 {
			t.Fatal("a signed-in reader does not see the image")
		}
		savedID(t, editor.post("/admin/stories/"+id, storyForm("Ferries in pictures", fmt.Sprint(st.Version), "publish", "image", "")...))
		if r := reader.get(st.Path()); len(findAll(r.Doc, "figure.story-image")) != 0 {
			t.Error("the image taken off the story still shows to signed-in readers")
		}
	})
}

func TestAuthorsSectionsAndSearchTitles(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		editor := s.staff(t, "editor@example.com", account.Editor)
		writer := s.staff(t, "writer@example.com", account.Writer)
		if r := writer.post("/admin/authors", "name", "Someone"); r.Code != http.StatusForbidden {
			t.Errorf("a writer added an author: %d", r.Code)
		}
		r := editor.post("/admin/authors", "name", "")
		if r.Code != http.StatusUnprocessableEntity || !strings.Contains(text(one(t, r.Doc, "section[aria-labelledby=new-author]")), "Give the author's name") {
			t.Errorf("an author without a name: %d", r.Code)
		}
		expect(t, editor.post("/admin/authors", "name", "Noor Haddad", "bio", "Covers the harbour."), http.StatusSeeOther, "/admin/authors?done=1")
		if r := s.browser(t).get("/author/noor-haddad"); r.Code != http.StatusOK || !strings.Contains(text(r.Doc), "Covers the harbour.") {
			t.Errorf("author page = %d", r.Code)
		}
		a, _ := s.db.AuthorBySlug(context.Background(), "noor-haddad")
		expect(t, editor.post(fmt.Sprintf("/admin/authors/%d", a.ID), "name", "Noor Haddad", "bio", "Harbour and shipping."), http.StatusSeeOther, "/admin/authors?done=1")
		if r := s.browser(t).get("/author/noor-haddad"); !strings.Contains(text(r.Doc), "Harbour and shipping.") {
			t.Error("the bio was not updated")
		}
		// A new section joins the navigation.
		expect(t, editor.post("/admin/sections", "name", "Sport", "description", "Games and results."), http.StatusSeeOther, "/admin/front?done=1")
		if r := s.browser(t).get("/section/sport"); r.Code != http.StatusOK {
			t.Errorf("new section = %d", r.Code)
		}
		if r := editor.post("/admin/sections", "name", "Sport"); r.Code != http.StatusUnprocessableEntity {
			t.Errorf("a duplicate section = %d", r.Code)
		}
		// The search title and description go into the page's head.
		savedID(t, editor.post("/admin/stories", storyForm("A long headline about the harbour pilots and their strike", "0", "publish",
			"seo_title", "Harbour pilots strike ends", "seo_description", "Ships move again in Rotterdam.", "bylines", "Noor Haddad")...))
		st, _ := s.db.StoryBySlug(context.Background(), "a-long-headline-about-the-harbour-pilots-and-their-strike")
		page := s.browser(t).get(st.Path())
		if got := text(one(t, page.Doc, "title")); got != "Harbour pilots strike ends" {
			t.Errorf("title %q", got)
		}
		if got := attr(one(t, page.Doc, "meta[name=description]"), "content"); got != "Ships move again in Rotterdam." {
			t.Errorf("description %q", got)
		}
		if got := text(one(t, page.Doc, "h1")); got != st.Headline {
			t.Errorf("h1 %q, want the headline", got)
		}
		if href := attr(one(t, one(t, page.Doc, "span.byline"), "a"), "href"); href != "/author/noor-haddad" {
			t.Errorf("the staff byline links to %q", href)
		}
		// The newsroom list filters by author.
		list := editor.get("/admin/stories?author=noor-haddad")
		if rows := findAll(one(t, list.Doc, "tbody"), "tr"); len(rows) != 1 || !strings.Contains(text(rows[0]), st.Headline) {
			t.Errorf("author filter: %d rows", len(rows))
		}
		if r := editor.get("/admin/stories?author=nobody"); r.Code != http.StatusBadRequest {
			t.Errorf("unknown author filter = %d", r.Code)
		}
	})
}

func TestAdminRoleMatrix(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		const ok, no, login = http.StatusOK, http.StatusForbidden, http.StatusSeeOther
		people := map[string]*browser{"anonymous": s.browser(t)}
		reader := s.browser(t)
		reader.signUp("reader@example.com", "Reader")
		people["reader"] = reader
		for _, role := range []account.Role{account.Writer, account.Editor, account.Moderator, account.Admin} {
			people[string(role)] = s.staff(t, string(role)+"@staff.example", role)
		}
		//                          anonymous reader writer editor moderator admin
		matrix := map[string][6]int{
			"/admin":                   {login, no, ok, ok, ok, ok},
			"/admin/stories":           {login, no, ok, ok, no, ok},
			"/admin/stories/new":       {login, no, ok, ok, no, ok},
			"/admin/images":            {login, no, ok, ok, no, ok},
			"/admin/front":             {login, no, no, ok, no, ok},
			"/admin/authors":           {login, no, no, ok, no, ok},
			"/admin/comments":          {login, no, no, ok, ok, ok},
			"/admin/comments/log":      {login, no, no, no, no, ok},
			"/admin/subscribers":       {login, no, no, no, no, ok},
			"/admin/plans":             {login, no, no, no, no, ok},
			"/admin/comments/settings": {login, no, no, ok, no, ok},
		}
		order := []string{"anonymous", "reader", "writer", "editor", "moderator", "admin"}
		for path, want := range matrix {
			for i, who := range order {
				if r := people[who].get(path); r.Code != want[i] {
					t.Errorf("%s GET %s = %d, want %d", who, path, r.Code, want[i])
				}
			}
		}
	})
}
