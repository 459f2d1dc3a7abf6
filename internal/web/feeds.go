package web

import (
	"bytes"
	"fmt"
	"net/http"
	"time"

	"dateline/internal/feed"
	"dateline/internal/story"
)

// feedSize is how many stories a feed carries.
const feedSize = 50

func (s *Server) siteFeed(w http.ResponseWriter, r *http.Request) {
	f := &feed.Feed{
		ID:       s.opts.BaseURL + "/feed.atom",
		Title:    s.opts.SiteName,
		Subtitle: "The latest stories from " + s.opts.SiteName,
		SiteURL:  s.opts.BaseURL + "/",
		FeedURL:  s.opts.BaseURL + "/feed.atom",
	}
	s.writeFeed(w, r, f, story.Filter{})
}

func (s *Server) sectionFeed(w http.ResponseWriter, r *http.Request) {
	sec, err := s.store.SectionBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	self := s.opts.BaseURL + "/section/" + sec.Slug + "/feed.atom"
	f := &feed.Feed{
		ID:       self,
		Title:    s.opts.SiteName + ": " + sec.Name,
		Subtitle: sec.Description,
		SiteURL:  s.opts.BaseURL + "/section/" + sec.Slug,
		FeedURL:  self,
	}
	s.writeFeed(w, r, f, story.Filter{SectionID: sec.ID})
}

// writeFeed fills f with the newest stories that filter selects. Free
// stories carry their whole text; subscriber stories carry their dek only.
func (s *Server) writeFeed(w http.ResponseWriter, r *http.Request, f *feed.Feed, filter story.Filter) {
	filter.Limit, filter.WithBody = feedSize, true
	list, err := s.store.PublishedStories(r.Context(), filter)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for i := range list {
		st := &list[i]
		link := s.opts.BaseURL + st.Path()
		e := feed.Entry{
			ID:         link,
			Title:      st.Headline,
			URL:        link,
			Published:  st.PublishedAt,
			Updated:    st.Modified(),
			Summary:    st.Dek,
			Categories: []string{st.Section.Name},
		}
		for _, b := range st.Bylines {
			p := feed.Person{Name: b.Name}
			if b.AuthorSlug != "" {
				p.URI = s.opts.BaseURL + "/author/" + b.AuthorSlug
			}
			e.Authors = append(e.Authors, p)
		}
		if st.Access == story.Free {
			e.Content = st.BodyWithDateline()
		}
		if f.Updated.Before(e.Updated) {
			f.Updated = e.Updated
		}
		f.Entries = append(f.Entries, e)
	}
	if f.Updated.IsZero() {
		f.Updated = s.now()
	}
	var buf bytes.Buffer
	if err := f.WriteAtom(&buf); err != nil {
		s.serverError(w, r, err)
		return
	}
	writeXML(w, "application/atom+xml; charset=utf-8", buf.Bytes())
}

func writeXML(w http.ResponseWriter, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(body) // a failed write means the reader left; nothing to do
}

func (s *Server) sitemap(w http.ResponseWriter, r *http.Request) {
	refs, err := s.store.PublishedRefs(r.Context(), time.Time{}, feed.MaxSitemapURLs-1)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	urls := []feed.URL{{Loc: s.opts.BaseURL + "/"}}
	for _, ref := range refs {
		urls = append(urls, feed.URL{Loc: s.opts.BaseURL + ref.Path(), LastMod: ref.Modified})
	}
	var buf bytes.Buffer
	if err := feed.WriteSitemap(&buf, urls); err != nil {
		s.serverError(w, r, err)
		return
	}
	writeXML(w, "application/xml; charset=utf-8", buf.Bytes())
}

// newsSitemap lists the stories of the last two days, as news search
// engines read them.
func (s *Server) newsSitemap(w http.ResponseWriter, r *http.Request) {
	refs, err := s.store.PublishedRefs(r.Context(), s.now().Add(-48*time.Hour), feed.MaxNewsURLs)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	items := make([]feed.NewsItem, 0, len(refs))
	for _, ref := range refs {
		items = append(items, feed.NewsItem{Loc: s.opts.BaseURL + ref.Path(), Title: ref.Headline, Published: ref.PublishedAt})
	}
	var buf bytes.Buffer
	if err := feed.WriteNewsSitemap(&buf, s.opts.SiteName, s.opts.Language, items); err != nil {
		s.serverError(w, r, err)
		return
	}
	writeXML(w, "application/xml; charset=utf-8", buf.Bytes())
}

func (s *Server) robots(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "User-agent: *\nDisallow: /_dev/\nDisallow: /admin/\nAllow: /\n\nSitemap: %s/sitemap.xml\nSitemap: %s/sitemap-news.xml\n",
		s.opts.BaseURL, s.opts.BaseURL)
}
