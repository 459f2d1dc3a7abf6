package web

import (
	"context"
	"dateline/internal/clock"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"dateline/internal/account"
	"dateline/internal/media"
	"dateline/internal/newsroom"
	"dateline/internal/story"
)

// newsroomPages are the staff's story editor, the front page's curation,
// authors and sections, and the image library (whose images readers
// load too).
type newsroomPages struct {
	*Server
	newsroom *newsroom.Service
	media    *media.Library
}

// newsroomPage is the data of the story list, the editor and the
// revisions page.
type newsroomPage struct {
	layoutData
	View       string // "list", "edit" or "revisions"
	Stories    []story.Story
	Filter     map[string]string
	Story      *story.Story
	Form       *form
	Preview    template.HTML
	Conflict   *story.Story
	CanPublish bool
	Revisions  []story.Revision
	Statuses   []story.Status
	// Images to choose a featured image from and to put into the body.
	Images []editorImage
	// ImageAdded is an image just uploaded from the editor.
	ImageAdded int64
	// Authors for the list's filter.
	Authors []story.Author
	// Diff compares the revision chosen with ?diff= to the current text.
	Diff     []newsroom.DiffLine
	DiffWith int
	// ListPage links the story list's pages.
	ListPage storyListPager
}

// storyListPage is how many stories a page of the newsroom's list shows;
// maxStoryListPages bounds how far back the list pages.
const (
	storyListPage     = 30
	maxStoryListPages = 1000
)

// storyListPager links the newer and older pages of the story list,
// keeping its filters.
type storyListPager struct {
	Page         int
	Newer, Older string
}

func listPager(filter map[string]string, page int, more bool) storyListPager {
	link := func(n int) string {
		q := url.Values{}
		for k, v := range filter {
			if v != "" {
				q.Set(k, v)
			}
		}
		if n > 1 {
			q.Set("page", strconv.Itoa(n))
		}
		if len(q) == 0 {
			return "/admin/stories"
		}
		return "/admin/stories?" + q.Encode()
	}
	p := storyListPager{Page: page}
	if page > 1 {
		p.Newer = link(page - 1)
	}
	if more {
		p.Older = link(page + 1)
	}
	return p
}

// livePreview renders Markdown for the editor's live preview: the same
// renderer and sanitiser as saving, so what the preview shows is safe.
func (np *newsroomPages) livePreview(w http.ResponseWriter, r *http.Request) {
	_, f, ok := np.staffForm(w, r, account.WriteStories, "body")
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(np.newsroomSvc.Renderer().Render(f.Values["body"]))) // a failed write means the editor left
}

func (np *newsroomPages) newsroomUser(w http.ResponseWriter, r *http.Request) (*account.User, bool) {
	v, ok := np.requireCan(w, r, account.WriteStories)
	if !ok {
		return nil, false
	}
	return v.User, true
}

func (np *newsroomPages) newsroomPage(r *http.Request, title, view string, u *account.User) newsroomPage {
	p := newsroomPage{layoutData: np.layout(r, title), View: view, CanPublish: newsroom.CanPublish(u),
		Statuses: []story.Status{story.Draft, story.Scheduled, story.Published}}
	p.NoIndex = true
	if np.media != nil && view == "edit" {
		list, _ := np.media.Recent(r.Context(), 60)
		p.Images = editorImages(list)
	}
	return p
}

// editing fills what the editor shows beside the form: the preview of the
// body as readers will see it.
func (np *newsroomPages) editing(p *newsroomPage) {
	if p.Form != nil && p.Preview == "" {
		p.Preview = template.HTML(np.newsroomSvc.Renderer().Render(p.Form.Values["body"])) // #nosec G203 -- the renderer sanitises with bluemonday
	}
}

// Words is the number of words in the body being edited.
func (p newsroomPage) Words() int {
	if p.Form == nil {
		return 0
	}
	return bodyWords(p.Form.Values["body"])
}

// ReadingMinutes is how long the body takes to read, rounded up, at the
// speed story pages count with.
func (p newsroomPage) ReadingMinutes() int {
	return (p.Words() + story.WordsPerMinute - 1) / story.WordsPerMinute
}

// Autosaves reports whether the editor's script saves the story as it is
// written: drafts, and new stories, which become drafts.
func (p newsroomPage) Autosaves() bool {
	return p.Story == nil || p.Story.Status == story.Draft
}

// AutosaveURL is where the editor's script saves the story.
func (p newsroomPage) AutosaveURL() string {
	if p.Story == nil {
		return "/admin/stories/autosave"
	}
	return "/admin/stories/" + strconv.FormatInt(p.Story.ID, 10) + "/autosave"
}

func (np *newsroomPages) storyList(w http.ResponseWriter, r *http.Request) {
	u, ok := np.newsroomUser(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	f := story.NewsroomFilter{Status: story.Status(q.Get("status")), Query: strings.TrimSpace(q.Get("q"))}
	if f.Status != "" && !f.Status.Valid() {
		np.badRequest(w, r, "There is no such status.")
		return
	}
	if sec := q.Get("section"); sec != "" {
		section, err := np.storySvc.SectionBySlug(r.Context(), sec)
		if err != nil {
			np.badRequest(w, r, "There is no such section.")
			return
		}
		f.SectionID = section.ID
	}
	if slug := q.Get("author"); slug != "" {
		a, err := np.storySvc.AuthorBySlug(r.Context(), slug)
		if err != nil {
			np.badRequest(w, r, "There is no such author.")
			return
		}
		f.AuthorID = a.ID
	}
	if q.Get("mine") == "1" {
		f.CreatedBy = u.ID
	}
	page := 1
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxStoryListPages {
			np.badRequest(w, r, "There is no such page of the story list.")
			return
		}
		page = n
	}
	// One more than a page tells whether there is a next page.
	f.Limit, f.Offset = storyListPage+1, (page-1)*storyListPage
	list, err := np.newsroomSvc.Stories(r.Context(), u, f)
	if err != nil {
		np.serverError(w, r, err)
		return
	}
	p := np.newsroomPage(r, "Stories", "list", u)
	more := len(list) > storyListPage
	if more {
		list = list[:storyListPage]
	}
	p.Stories = list
	p.Filter = map[string]string{"status": string(f.Status), "section": q.Get("section"), "q": f.Query, "mine": q.Get("mine"), "author": q.Get("author")}
	p.ListPage = listPager(p.Filter, page, more)
	if p.Authors, err = np.newsroomSvc.Authors(r.Context()); err != nil {
		np.serverError(w, r, err)
		return
	}
	np.render(w, r, http.StatusOK, "newsroom", p)
}

func (np *newsroomPages) newStory(w http.ResponseWriter, r *http.Request) {
	u, ok := np.newsroomUser(w, r)
	if !ok {
		return
	}
	f := newForm()
	f.Values["access"], f.Values["comments"], f.Values["bylines"] = "free", "subscribers", u.DisplayName
	p := np.newsroomPage(r, "New story", "edit", u)
	p.Form = f
	np.editing(&p)
	np.render(w, r, http.StatusOK, "newsroom", p)
}

// formOf fills an editor form from a story; a scheduled time is shown as
// the paper's wall clock in loc reads it.
func formOf(st *story.Story, loc *time.Location) *form {
	f := newForm()
	var bylines, tags []string
	for _, b := range st.Bylines {
		bylines = append(bylines, b.Name)
	}
	for _, t := range st.Tags {
		tags = append(tags, t.Name)
	}
	f.Values = map[string]string{
		"headline": st.Headline, "dek": st.Dek, "dateline": st.Dateline, "bylines": strings.Join(bylines, ", "),
		"section": st.Section.Slug, "tags": strings.Join(tags, ", "), "access": string(st.Access), "comments": st.Comments,
		"slug": st.Slug, "body": st.Body, "version": strconv.Itoa(st.Version),
		"seo_title": st.SEOTitle, "seo_description": st.SEODescription,
	}
	if st.Status == story.Scheduled {
		f.Values["publish_at"] = st.PublishedAt.In(loc).Format(clock.LocalInputLayout)
	}
	return f
}

func (np *newsroomPages) loadEditable(w http.ResponseWriter, r *http.Request, u *account.User) (*story.Story, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		np.notFound(w, r)
		return nil, false
	}
	st, err := np.storySvc.StoryByID(r.Context(), id)
	if err != nil {
		np.fail(w, r, err)
		return nil, false
	}
	if !newsroom.CanEdit(u, st) {
		np.errorPage(w, r, http.StatusForbidden, "You cannot edit this story",
			"Writers edit their own drafts; once a story is submitted, published or scheduled, an editor takes it on.")
		return nil, false
	}
	return st, true
}

func (np *newsroomPages) editStory(w http.ResponseWriter, r *http.Request) {
	u, ok := np.newsroomUser(w, r)
	if !ok {
		return
	}
	st, ok := np.loadEditable(w, r, u)
	if !ok {
		return
	}
	p := np.newsroomPage(r, "Edit: "+st.Headline, "edit", u)
	p.Story, p.Form = st, formOf(st, np.zone(r.Context()))
	if np.media != nil {
		if id, err := np.media.StoryImageID(r.Context(), st.ID); err == nil && id != 0 {
			p.Form.Values["image"] = strconv.FormatInt(id, 10)
		}
	}
	if r.URL.Query().Get("saved") == "1" {
		p.Form.Notice = "Saved."
	}
	if id, err := strconv.ParseInt(r.URL.Query().Get("image"), 10, 64); err == nil {
		for _, im := range p.Images {
			if im.ID == id {
				p.ImageAdded = id
				p.Form.Notice = "The image is in the library. Insert it into the body from the list of images."
			}
		}
	}
	np.editing(&p)
	np.render(w, r, http.StatusOK, "newsroom", p)
}

// storyFrom reads the editor form into a story.
func (s *Server) storyFrom(ctx context.Context, f *form) (*story.Story, error) {
	st := &story.Story{Headline: f.Get("headline"), Dek: f.Get("dek"), Dateline: f.Get("dateline"),
		Section: story.Section{Slug: f.Get("section")}, Access: story.Access(f.Get("access")), Comments: f.Get("comments"),
		Slug: f.Get("slug"), Body: strings.ReplaceAll(f.Values["body"], "\r\n", "\n"),
		SEOTitle: f.Get("seo_title"), SEODescription: f.Get("seo_description")}
	if st.Comments != "subscribers" && st.Comments != "registered" && st.Comments != "closed" {
		st.Comments = "subscribers"
	}
	var err error
	if st.Bylines, err = s.newsroomSvc.Bylines(ctx, strings.Split(f.Get("bylines"), ",")); err != nil {
		return nil, err
	}
	for _, t := range strings.Split(f.Get("tags"), ",") {
		if t = strings.TrimSpace(t); t != "" && story.Slugify(t) != "story" {
			st.Tags = append(st.Tags, story.Tag{Name: t})
		}
	}
	return st, nil
}

func (np *newsroomPages) saveStory(w http.ResponseWriter, r *http.Request) {
	u, ok := np.newsroomUser(w, r)
	if !ok {
		return
	}
	f, ok := np.readForm(w, r, editorFields...)
	if !ok {
		return
	}
	st, err := np.storyFrom(r.Context(), f)
	if err != nil {
		np.serverError(w, r, err)
		return
	}
	var existing *story.Story
	if r.PathValue("id") != "" {
		if existing, ok = np.loadEditable(w, r, u); !ok {
			return
		}
		st.ID = existing.ID
	}
	title := "New story"
	if existing != nil {
		title = "Edit: " + existing.Headline
	}
	p := np.newsroomPage(r, title, "edit", u)
	p.Story, p.Form = existing, f
	np.editing(&p)
	action := newsroom.Action(f.Get("action"))
	if action == "preview" {
		np.render(w, r, http.StatusOK, "newsroom", p)
		return
	}
	var at time.Time
	if action == newsroom.Schedule {
		var ok bool
		if at, ok = readLocalTime(f, "publish_at", np.zone(r.Context()), np.now()); !ok {
			np.render(w, r, http.StatusUnprocessableEntity, "newsroom", p)
			return
		}
	}
	version, _ := strconv.Atoi(f.Get("version"))
	err = np.newsroomSvc.Save(r.Context(), u, st, version, action, at, f.Get("correction"))
	var ve *story.ValidationError
	switch {
	case err == nil:
		if np.media != nil {
			imageID, _ := strconv.ParseInt(f.Get("image"), 10, 64)
			if err := np.media.SetStoryImage(r.Context(), st.ID, imageID); err != nil {
				np.serverError(w, r, err)
				return
			}
		}
		np.purge(r, tagLists, storyTag(st.ID))
		http.Redirect(w, r, "/admin/stories/"+strconv.FormatInt(st.ID, 10)+"?saved=1", http.StatusSeeOther)
		return
	case errors.As(err, &ve):
		f.Fail(ve.Field, ve.Message)
		np.render(w, r, http.StatusUnprocessableEntity, "newsroom", p)
	case errors.Is(err, story.ErrSlugTaken):
		f.Fail("slug", "Another story already has this slug. Change the headline or type a slug.")
		np.render(w, r, http.StatusConflict, "newsroom", p)
	case errors.Is(err, story.ErrConflict):
		current, lerr := np.storySvc.StoryByID(r.Context(), st.ID)
		if lerr != nil {
			np.serverError(w, r, lerr)
			return
		}
		// Both texts stay on the page; saving again keeps this one.
		p.Conflict = current
		f.Message = "Someone else saved this story while you were editing. Their version is shown below yours; " +
			"copy what you need, then save again to keep your text."
		f.Values["version"] = strconv.Itoa(current.Version)
		np.render(w, r, http.StatusConflict, "newsroom", p)
	case errors.Is(err, newsroom.ErrForbidden):
		np.errorPage(w, r, http.StatusForbidden, "Your role cannot do that",
			"Writers save and submit their drafts; editors publish, schedule, unpublish and add corrections.")
	default:
		np.serverError(w, r, err)
	}
}

func (np *newsroomPages) storyRevisions(w http.ResponseWriter, r *http.Request) {
	u, ok := np.newsroomUser(w, r)
	if !ok {
		return
	}
	st, ok := np.loadEditable(w, r, u)
	if !ok {
		return
	}
	revs, err := np.newsroomSvc.Revisions(r.Context(), st.ID)
	if err != nil {
		np.serverError(w, r, err)
		return
	}
	p := np.newsroomPage(r, "Revisions: "+st.Headline, "revisions", u)
	p.Story, p.Revisions = st, revs
	if v, err := strconv.Atoi(r.URL.Query().Get("diff")); err == nil {
		for _, rev := range revs {
			if rev.Version == v {
				p.Diff, p.DiffWith = newsroom.Diff(rev.Body, st.Body), v
			}
		}
	}
	np.render(w, r, http.StatusOK, "newsroom", p)
}

// restoreRevision brings back an earlier revision's headline, dek and body
// as a new save; nothing is lost, since the current text stays a revision.
func (np *newsroomPages) restoreRevision(w http.ResponseWriter, r *http.Request) {
	u, ok := np.newsroomUser(w, r)
	if !ok {
		return
	}
	st, ok := np.loadEditable(w, r, u)
	if !ok {
		return
	}
	v, err := strconv.Atoi(r.PathValue("rev"))
	if err != nil {
		np.notFound(w, r)
		return
	}
	switch err := np.newsroomSvc.Restore(r.Context(), u, st, v); {
	case errors.Is(err, newsroom.ErrForbidden):
		np.errorPage(w, r, http.StatusForbidden, "Your role cannot do that", "Only editors restore revisions of stories they cannot edit.")
	case errors.Is(err, story.ErrNotFound):
		np.notFound(w, r)
	case err != nil:
		np.serverError(w, r, err)
	default:
		np.purge(r, tagLists, storyTag(st.ID))
		http.Redirect(w, r, "/admin/stories/"+strconv.FormatInt(st.ID, 10)+"?saved=1", http.StatusSeeOther)
	}
}
