package web

import (
	"dateline/internal/clock"
	"fmt"
	"net/http"
	"strings"

	"dateline/internal/media"
	"dateline/internal/story"
)

// pageNumber reads ?page=N. It reports false for anything but a whole
// number from 1 to story.MaxPage.
func pageNumber(r *http.Request) (int, bool) {
	n, err := story.ParsePage(r.URL.Query().Get("page"))
	return n, err == nil
}

// pager describes the links between the pages of a list.
type pager struct {
	Page, Pages int
	Prev, Next  string
}

func newPager(path string, page, pages int) pager {
	p := pager{Page: page, Pages: pages}
	// A path that carries a query already, as a search's does, takes
	// the page number after it.
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	if page > 1 {
		p.Prev = path
		if page > 2 {
			p.Prev = fmt.Sprintf("%s%spage=%d", path, sep, page-1)
		}
	}
	if page < pages {
		p.Next = fmt.Sprintf("%s%spage=%d", path, sep, page+1)
	}
	return p
}

// listPage is the data of the front page and every list of stories.
type listPage struct {
	layoutData
	Heading  string
	Intro    string
	Kind     string // "section", "tag", "author" or "" for the front page
	Lead     *story.Story
	Stories  []story.Story
	Pager    pager
	FeedURL  string
	FeedName string
	// Photo is an author's picture on their page.
	Photo *media.Image
	// Images are the stories' featured images, by story.
	Images map[int64]*media.Image
	// Days links a day's archive to the nearest days before and after it
	// with stories.
	Days *dayLinks
}

// dayLinks are the links from a day's archive to the days around it.
type dayLinks struct {
	Prev, Next         string
	PrevName, NextName string
}

// listStories fills a list page with the published stories f selects. It
// answers the request itself and reports false when the page cannot be
// shown.
func (s *Server) listStories(w http.ResponseWriter, r *http.Request, f story.Filter, data *listPage) bool {
	return s.showList(w, r, data, func(page int) (*story.ListPage, error) {
		return s.storySvc.Published(r.Context(), f, page)
	})
}

// showList fills a list page with the page of stories read returns for
// the page number asked for. It answers the request itself and reports
// false when the page cannot be shown.
func (s *Server) showList(w http.ResponseWriter, r *http.Request, data *listPage, read func(page int) (*story.ListPage, error)) bool {
	page, ok := pageNumber(r)
	if !ok {
		s.badRequest(w, r, fmt.Sprintf("The page number must be a whole number from 1 to %d.", story.MaxPage))
		return false
	}
	lp, err := read(page)
	if err != nil {
		s.fail(w, r, err)
		return false
	}
	list := lp.Stories
	if s.comments != nil && len(list) > 0 {
		ids := make([]int64, len(list))
		for i := range list {
			ids[i] = list[i].ID
		}
		counts, err := s.comments.Counts(r.Context(), ids)
		if err != nil {
			s.serverError(w, r, err)
			return false
		}
		for i := range list {
			list[i].CommentCount = counts[list[i].ID]
		}
	}
	tagPage(r, tagLists)
	tagStories(r, list)
	data.Stories = list
	data.Pager = newPager(r.URL.Path, page, lp.Pages)
	if page > 1 {
		data.Title = fmt.Sprintf("%s, page %d", data.Title, page)
		data.Canonical = fmt.Sprintf("%s?page=%d", data.Canonical, page)
	}
	return true
}

func (s *Server) frontPage(w http.ResponseWriter, r *http.Request) {
	name := s.paper(r.Context()).Name
	data := listPage{layoutData: s.layout(r, name), FeedURL: "/feed.atom", FeedName: name}
	data.Title = name + ": the latest news"
	data.Current = "home"
	data.Description = "The latest stories from " + name + "."
	if !s.listStories(w, r, story.Filter{}, &data) {
		return
	}
	if data.Pager.Page == 1 {
		c, err := s.curation(r.Context())
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		data.Stories = s.curate(r.Context(), c, data.Stories)
		tagStories(r, data.Stories) // the editors' picks show their comment counts too
	}
	if data.Pager.Page == 1 && len(data.Stories) > 0 {
		data.Lead = &data.Stories[0]
		data.Stories = data.Stories[1:]
	}
	s.renderList(w, r, "front", data)
}

func (s *Server) sectionPage(w http.ResponseWriter, r *http.Request) {
	sec, err := s.storySvc.SectionBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := listPage{layoutData: s.layout(r, sec.Name), Heading: sec.Name, Intro: sec.Description, Kind: "section",
		FeedURL: "/section/" + sec.Slug + "/feed.atom", FeedName: s.paper(r.Context()).Name + ": " + sec.Name}
	data.Current = sec.Slug
	data.Description = sec.Description
	tagPage(r, sectionTag(sec.Slug))
	if s.listStories(w, r, story.Filter{SectionID: sec.ID}, &data) {
		s.renderList(w, r, "list", data)
	}
}

func (s *Server) tagPage(w http.ResponseWriter, r *http.Request) {
	tag, err := s.storySvc.TagBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := listPage{layoutData: s.layout(r, tag.Name), Heading: tag.Name, Kind: "tag",
		Intro: "Stories about " + tag.Name + "."}
	data.Description = data.Intro
	if s.listStories(w, r, story.Filter{TagID: tag.ID}, &data) {
		s.renderList(w, r, "list", data)
	}
}

func (s *Server) authorPage(w http.ResponseWriter, r *http.Request) {
	a, err := s.storySvc.AuthorBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := listPage{layoutData: s.layout(r, a.Name), Heading: a.Name, Intro: a.Bio, Kind: "author"}
	if a.PhotoID != 0 && s.media != nil {
		if im, err := s.media.Image(r.Context(), a.PhotoID); err == nil {
			data.Photo = im
		}
	}
	data.Description = "Stories by " + a.Name + "."
	if s.listStories(w, r, story.Filter{AuthorID: a.ID}, &data) {
		s.renderList(w, r, "list", data)
	}
}

// dayPage is the archive of a day: /2026/11/29/ lists the stories
// published that day, from midnight to midnight in the paper's time zone.
// (A story's own address carries its UTC date, which differs from the
// paper's day for those published near midnight; see story.Path.)
func (s *Server) dayPage(w http.ResponseWriter, r *http.Request) {
	loc := s.zone(r.Context())
	day, err := story.ParseDay(r.PathValue("year"), r.PathValue("month"), r.PathValue("day"), loc)
	if err != nil {
		s.notFound(w, r)
		return
	}
	name := day.Format("Monday 2 January 2006")
	data := listPage{layoutData: s.layout(r, name), Heading: name, Kind: "day",
		Intro: "The stories published on " + name + "."}
	data.Description = data.Intro
	data.Canonical = s.opts.BaseURL + story.DayPath(day, loc)
	var dp *story.DayPage
	if !s.showList(w, r, &data, func(page int) (*story.ListPage, error) {
		var err error
		if dp, err = s.storySvc.Day(r.Context(), day, page); err != nil {
			return nil, err
		}
		return &dp.ListPage, nil
	}) {
		return
	}
	data.Days = &dayLinks{}
	if !dp.Prev.IsZero() {
		data.Days.Prev, data.Days.PrevName = story.DayPath(dp.Prev, loc), dp.Prev.In(loc).Format(clock.LongDateLayout)
	}
	if !dp.Next.IsZero() {
		data.Days.Next, data.Days.NextName = story.DayPath(dp.Next, loc), dp.Next.In(loc).Format(clock.LongDateLayout)
	}
	s.renderList(w, r, "list", data)
}

// dayWithoutSlash sends /2026/11/29 to the day's archive, /2026/11/29/;
// any other address of three parts is not found.
func (s *Server) dayWithoutSlash(w http.ResponseWriter, r *http.Request) {
	loc := s.zone(r.Context())
	day, err := story.ParseDay(r.PathValue("year"), r.PathValue("month"), r.PathValue("day"), loc)
	if err != nil {
		s.notFound(w, r)
		return
	}
	http.Redirect(w, r, story.DayPath(day, loc), http.StatusMovedPermanently)
}
