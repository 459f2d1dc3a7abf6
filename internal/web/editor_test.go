package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"dateline/internal/account"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
	"dateline/internal/story"
)

// autosaved is an autosave's answer, whatever it was.
type autosaved struct {
	ID      int64    `json:"id"`
	Version int      `json:"version"`
	SavedAt string   `json:"saved_at"`
	Error   apiError `json:"error"`
	Theirs  struct {
		Version  int    `json:"version"`
		Headline string `json:"headline"`
		Body     string `json:"body"`
		SavedBy  string `json:"saved_by"`
	} `json:"theirs"`
}

func autosave(t *testing.T, b *browser, id, version, body string) (int, autosaved) {
	t.Helper()
	r := b.post("/admin/stories/"+id+"/autosave", storyForm("Harbour draft", version, "save", "body", body)...)
	var a autosaved
	if err := json.Unmarshal([]byte(r.Body), &a); err != nil {
		t.Fatalf("autosave answered %d with no JSON: %v\n%.300s", r.Code, err, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("autosave answered %s", ct)
	}
	return r.Code, a
}

// Autosave keeps drafts with the version check: a save from an old
// version is refused with the newer text in the answer, nothing is
// written over it, and the writer's own text is saved once they choose to.
func TestAutosaveVersionCheckLosesNothing(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		writer := s.staff(t, "writer@example.com", account.Writer)
		editor := s.staff(t, "editor@example.com", account.Editor)
		id := savedID(t, writer.post("/admin/stories", storyForm("Harbour draft", "0", "save")...))

		code, a := autosave(t, writer, id, "1", "The writer's first paragraph.")
		if code != http.StatusOK || a.Version != 2 || a.SavedAt != "12:00:00 UTC" {
			t.Fatalf("autosave: %d %+v, want 200, version 2, saved at 12:00:00 UTC (the test clock, in the paper's zone)", code, a)
		}
		// The editor, with the draft open at version 2, saves their text.
		if code, a := autosave(t, editor, id, "2", "The editor's rewrite."); code != http.StatusOK || a.Version != 3 {
			t.Fatalf("the editor's autosave: %d %+v", code, a)
		}
		// The writer's next autosave still carries version 2.
		code, a = autosave(t, writer, id, "2", "The writer's second paragraph.")
		if code != http.StatusConflict || a.Error.Code != "conflict" || a.Theirs.Version != 3 ||
			a.Theirs.Body != "The editor's rewrite." || a.Theirs.SavedBy != "editor" || !strings.Contains(a.Error.Message, "Someone else saved") {
			t.Fatalf("a stale autosave: %d %+v, want 409 with the editor's version 3", code, a)
		}
		st, err := s.db.StoryBySlug(context.Background(), "harbour-draft")
		if err != nil || st.Body != "The editor's rewrite." || st.Version != 3 {
			t.Fatalf("after the refused save the story holds %q at version %d (%v), want the editor's text at 3", st.Body, st.Version, err)
		}
		// Keep my version: the writer saves over version 3, knowingly.
		if code, a := autosave(t, writer, id, "3", "The writer's second paragraph."); code != http.StatusOK || a.Version != 4 {
			t.Fatalf("keeping the writer's version: %d %+v", code, a)
		}
		// Every text is among the revisions.
		r := writer.get("/admin/stories/" + id + "/revisions")
		for _, want := range []string{"The writer's first paragraph.", "The editor's rewrite.", "The writer's second paragraph."} {
			if !strings.Contains(text(r.Doc), want) {
				t.Errorf("the revisions lack %q", want)
			}
		}

		// A new story becomes a draft at its first autosave.
		r = writer.post("/admin/stories/autosave", storyForm("A story begun", "0", "save", "body", "Its first words.")...)
		var fresh autosaved
		if err := json.Unmarshal([]byte(r.Body), &fresh); err != nil || r.Code != http.StatusOK || fresh.Version != 1 || fresh.ID == 0 {
			t.Fatalf("the first autosave of a new story: %d %s", r.Code, r.Body)
		}
		if !strings.Contains(r.Body, fmt.Sprintf(`"autosave_url":"/admin/stories/%d/autosave"`, fresh.ID)) {
			t.Errorf("the first autosave does not say where the next goes: %s", r.Body)
		}
		if st, err := s.db.StoryByID(context.Background(), fresh.ID); err != nil || st.Status != story.Draft || st.Body != "Its first words." {
			t.Errorf("the new draft: %+v, %v", st, err)
		}

		// What autosave refuses, it says why, in JSON.
		for name, tc := range map[string]struct {
			b            *browser
			id, version  string
			extra        []string
			code         int
			errCode, fld string
		}{
			"no headline":    {writer, id, "4", []string{"headline", ""}, http.StatusUnprocessableEntity, "invalid", "headline"},
			"no such story":  {writer, "999999", "1", nil, http.StatusNotFound, "not_found", ""},
			"anonymous":      {s.browser(t), id, "4", nil, http.StatusUnauthorized, "unauthorized", ""},
			"another writer": {s.staff(t, "other@example.com", account.Writer), id, "4", nil, http.StatusForbidden, "forbidden", ""},
			"a moderator":    {s.staff(t, "mod@example.com", account.Moderator), id, "4", nil, http.StatusForbidden, "forbidden", ""},
		} {
			form := storyForm("Harbour draft", tc.version, "save", tc.extra...)
			r := tc.b.post("/admin/stories/"+tc.id+"/autosave", form...)
			var a autosaved
			if err := json.Unmarshal([]byte(r.Body), &a); err != nil || r.Code != tc.code || a.Error.Code != tc.errCode || a.Error.Field != tc.fld || a.Error.Message == "" {
				t.Errorf("%s: %d %+v (%v), want %d %s on %q", name, r.Code, a, err, tc.code, tc.errCode, tc.fld)
			}
		}
		// Published stories change only when someone presses a button.
		expect(t, editor.post("/admin/stories/"+id, storyForm("Harbour draft", "4", "publish")...), http.StatusSeeOther, "/admin/stories/"+id+"?saved=1")
		if code, a := autosave(t, editor, id, "5", "Half a sentence"); code != http.StatusConflict || a.Error.Code != "not_draft" {
			t.Errorf("autosave of a published story: %d %+v, want 409 not_draft", code, a)
		}
		if st, _ := s.db.StoryBySlug(context.Background(), "harbour-draft"); st.Body == "Half a sentence" {
			t.Error("autosave changed a published story")
		}
	})
}

// The editor's page: the preview rendered as the story page renders, the
// word count, autosave only on drafts, and the images to insert.
func TestEditorPage(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		editor := s.staff(t, "editor@example.com", account.Editor)
		body := "First **paragraph** of the draft.\n\nSecond one."
		id := savedID(t, editor.post("/admin/stories", storyForm("Lighthouse keepers return", "0", "save", "body", body)...))
		r := editor.get("/admin/stories/" + id)
		if got := strings.TrimSpace(text(one(t, r.Doc, "span[id=word-count]"))); got != "7 words" {
			t.Errorf("word count %q, want 7 words", got)
		}
		preview := one(t, r.Doc, "div[id=live-preview]")
		if len(findAll(preview, "strong")) != 1 || len(findAll(preview, "p")) != 2 {
			t.Errorf("the preview does not show the body rendered: %q", text(preview))
		}
		if f := one(t, r.Doc, "form.story-editor"); attr(f, "data-autosave") != "/admin/stories/"+id+"/autosave" {
			t.Errorf("a draft's editor autosaves to %q", attr(f, "data-autosave"))
		}
		if len(findAll(r.Doc, "details.editor-group")) < 4 {
			t.Error("the story's details are not in folding groups")
		}
		// The live preview answers what the story page shows.
		live := editor.post("/admin/preview", "body", body)
		expect(t, editor.post("/admin/stories/"+id, storyForm("Lighthouse keepers return", "1", "publish", "body", body, "dateline", "")...),
			http.StatusSeeOther, "/admin/stories/"+id+"?saved=1")
		st, _ := s.db.StoryBySlug(context.Background(), "lighthouse-keepers-return")
		page := s.browser(t).get(st.Path())
		if live.Code != http.StatusOK || !strings.Contains(page.Body, strings.TrimSpace(live.Body)) {
			t.Errorf("the live preview (%d) %q is not what the story page shows", live.Code, live.Body)
		}
		if f := one(t, editor.get("/admin/stories/"+id).Doc, "form.story-editor"); hasAttr(f, "data-autosave") {
			t.Error("a published story's editor autosaves")
		}
		// The preview is for staff who write.
		reader := s.browser(t)
		reader.signUp("reader@example.com", "Reader")
		if r := reader.post("/admin/preview", "body", "x"); r.Code != http.StatusForbidden {
			t.Errorf("a reader's preview: %d", r.Code)
		}
		if r := s.browser(t).post("/admin/preview", "body", "x"); r.Code != http.StatusSeeOther {
			t.Errorf("an anonymous preview: %d", r.Code)
		}
	})
}

// The story list shows the story changed last first, and pages.
func TestStoryListOrderAndPaging(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		editor := s.staff(t, "editor@example.com", account.Editor)
		for i := range storyListPage - 10 {
			savedID(t, editor.post("/admin/stories", storyForm(fmt.Sprintf("Draft number %d", i), "0", "save")...))
		}
		all, err := s.db.NewsroomStories(context.Background(), story.NewsroomFilter{Limit: 1000})
		if err != nil || len(all) <= storyListPage {
			t.Fatalf("the demo has %d stories (%v); the test needs more than a page", len(all), err)
		}
		oldest := all[len(all)-1]
		expect(t, editor.post(fmt.Sprintf("/admin/stories/%d", oldest.ID), storyForm("An old story, changed now", fmt.Sprint(oldest.Version), "save",
			"section", oldest.Section.Slug, "access", string(oldest.Access))...), http.StatusSeeOther, fmt.Sprintf("/admin/stories/%d?saved=1", oldest.ID))
		r := editor.get("/admin/stories")
		rows := findAll(one(t, r.Doc, "tbody"), "tr")
		if len(rows) != storyListPage {
			t.Fatalf("the first page lists %d stories, want %d", len(rows), storyListPage)
		}
		first := findAll(rows[0], "td")
		if text(first[0]) != "An old story, changed now" || text(first[1]) == "" || text(first[3]) == "" || len(findAll(first[5], "time")) != 1 {
			t.Errorf("the first row is %q, want the story just changed with its status, section and time", text(rows[0]))
		}
		next := one(t, r.Doc, "a[rel=next]")
		if attr(next, "href") != "/admin/stories?page=2" {
			t.Errorf("the next page is %q", attr(next, "href"))
		}
		page2 := editor.get("/admin/stories?page=2")
		if n := len(findAll(one(t, page2.Doc, "tbody"), "tr")); n != len(all)-storyListPage {
			t.Errorf("the second page lists %d stories, want %d", n, len(all)-storyListPage)
		}
		if p := findAll(page2.Doc, "a[rel=prev]"); len(p) != 1 || attr(p[0], "href") != "/admin/stories" {
			t.Error("the second page does not link back to the first")
		}
		// Filters carry over to the other pages.
		if r := editor.get("/admin/stories?status=published&page=1"); len(findAll(r.Doc, "a[rel=next]")) == 1 &&
			!strings.Contains(attr(one(t, r.Doc, "a[rel=next]"), "href"), "status=published") {
			t.Error("the next page forgets the filter")
		}
		for _, bad := range []string{"0", "-1", "two", "100000"} {
			if r := editor.get("/admin/stories?page=" + bad); r.Code != http.StatusBadRequest {
				t.Errorf("page %q: %d, want 400", bad, r.Code)
			}
		}
	})
}

// Staff who may edit a story see a link to its editor on its page and the
// newsroom in the masthead; the page they get is never kept for anyone
// else, and nobody else sees either link.
func TestEditLinkOnlyForStaffAndNeverCached(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		editor := s.staff(t, "editor@example.com", account.Editor)
		writer := s.staff(t, "writer@example.com", account.Writer)
		list, err := s.db.PublishedStories(context.Background(), story.Filter{})
		if err != nil || len(list) == 0 {
			t.Fatal(err)
		}
		st := list[0]
		editHref := fmt.Sprintf("/admin/stories/%d", st.ID)
		r := editor.get(st.Path())
		if l := findAll(r.Doc, "a[href="+editHref+"]"); r.Code != http.StatusOK || len(l) != 1 || text(l[0]) != "Edit this story" {
			t.Fatalf("the editor's story page (%d) has no Edit this story link", r.Code)
		}
		if !strings.Contains(r.Header.Get("Cache-Control"), "private") {
			t.Errorf("the editor's story page is sent with Cache-Control %q", r.Header.Get("Cache-Control"))
		}
		if len(findAll(r.Doc, "a[href=/admin]")) != 1 {
			t.Error("the masthead has no link to the newsroom for staff")
		}
		// A writer may not edit a published story: no link to the editor,
		// but the newsroom is theirs.
		if w := writer.get(st.Path()); len(findAll(w.Doc, "a[href="+editHref+"]")) != 0 || len(findAll(w.Doc, "a[href=/admin]")) != 1 {
			t.Error("a writer's story page offers to edit a published story, or lacks the newsroom")
		}
		reader := s.browser(t)
		reader.signUp("reader@example.com", "Reader")
		for i := range 2 { // the second time from whatever cache there is
			for who, b := range map[string]*browser{"anonymous": s.browser(t), "reader": reader} {
				p := b.get(st.Path())
				if p.Code != http.StatusOK || strings.Contains(p.Body, "Edit this story") || strings.Contains(p.Body, editHref) ||
					len(findAll(p.Doc, "a[href=/admin]")) != 0 {
					t.Errorf("visit %d: the %s reader's page (%d) shows staff links", i+1, who, p.Code)
				}
			}
			editor.get(st.Path())
		}
	})
}

// After logging in, staff land in the newsroom, readers on the front
// page, and anyone with a safe next goes there.
func TestLoginLanding(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		if _, err := s.accounts.CreateUser(context.Background(), "ed@example.com", "Ed", goodPassword, account.Editor); err != nil {
			t.Fatal(err)
		}
		expect(t, s.browser(t).post("/login", "email", "ed@example.com", "password", goodPassword), http.StatusSeeOther, "/admin")
		expect(t, s.browser(t).post("/login", "email", "ed@example.com", "password", goodPassword, "next", "/account"), http.StatusSeeOther, "/account")
		expect(t, s.browser(t).post("/login", "email", "ed@example.com", "password", goodPassword, "next", "//evil.example/"), http.StatusSeeOther, "/admin")
		b := s.browser(t)
		b.signUp("reader@example.com", "Reader") // logs in, landing on /
		expect(t, b.get("/login"), http.StatusSeeOther, "/")
	})
}

// The editor says when it saved in the paper's time zone.
func TestAutosaveTimeInPaperZone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		s, _ := zoneSite(t, db, "America/New_York", time.Date(2026, 12, 3, 17, 30, 5, 0, time.UTC))
		writer := s.staff(t, "writer@example.com", account.Writer)
		id := savedID(t, writer.post("/admin/stories", storyForm("Harbour draft", "0", "save")...))
		if code, a := autosave(t, writer, id, "1", "More words."); code != http.StatusOK || a.SavedAt != "12:30:05 EST" {
			t.Errorf("autosave at 17:30:05 UTC says %d %q, want 12:30:05 EST", code, a.SavedAt)
		}
	})
}
