package web

import (
	"bytes"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"dateline/internal/feed"
	"dateline/internal/story"
)

// feedSize is how many stories a feed carries.
const feedSize = 50

func (s *Server) siteFeed(w http.ResponseWriter, r *http.Request) {
	name := s.paper(r.Context()).Name
	f := &feed.Feed{
		ID:       s.opts.BaseURL + "/feed.atom",
		Title:    name,
		Subtitle: "The latest stories from " + name,
		SiteURL:  s.opts.BaseURL + "/",
		FeedURL:  s.opts.BaseURL + "/feed.atom",
	}
	s.writeFeed(w, r, f, story.Filter{})
}

func (s *Server) sectionFeed(w http.ResponseWriter, r *http.Request) {
	sec, err := s.storySvc.SectionBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	self := s.opts.BaseURL + "/section/" + sec.Slug + "/feed.atom"
	f := &feed.Feed{
		ID:       self,
		Title:    s.paper(r.Context()).Name + ": " + sec.Name,
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
	list, err := s.storySvc.PublishedStories(r.Context(), filter)
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

// sitemapURLs is the most URLs one sitemap file lists.
func (s *Server) sitemapURLs() int {
	if n := s.opts.SitemapURLs; n > 0 && n < feed.MaxSitemapURLs {
		return n
	}
	return feed.MaxSitemapURLs
}

// sitemap lists the front page and every published story while they fit in
// one file. Past that it is a sitemap index naming the files at
// /sitemaps/1.xml, /sitemaps/2.xml …, which list the stories oldest first,
// sitemapURLs to a file, so only the last file grows as stories are
// published.
func (s *Server) sitemap(w http.ResponseWriter, r *http.Request) {
	size := s.sitemapURLs()
	n, err := s.storySvc.CountPublished(r.Context(), story.Filter{})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if n >= size {
		s.sitemapIndex(w, r, size)
		return
	}
	refs, err := s.storySvc.PublishedRefs(r.Context(), size-1)
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

// sitemapIndex names one file per size published stories, each with when
// its newest-changed story changed. It reads no story: the database counts
// and dates the files in one query.
func (s *Server) sitemapIndex(w http.ResponseWriter, r *http.Request, size int) {
	mods, err := s.storySvc.PublishedPageLastMods(r.Context(), size)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	files := make([]feed.URL, 0, len(mods))
	for i, mod := range mods {
		files = append(files, feed.URL{Loc: s.opts.BaseURL + sitemapFilePath(i+1), LastMod: mod})
	}
	var buf bytes.Buffer
	if err := feed.WriteSitemapIndex(&buf, files); err != nil {
		s.serverError(w, r, err)
		return
	}
	writeXML(w, "application/xml; charset=utf-8", buf.Bytes())
}

// sitemapFilePath is the path of the nth file of the sitemap index.
func sitemapFilePath(n int) string { return "/sitemaps/" + strconv.Itoa(n) + ".xml" }

// sitemapFileNumber reads n from the last segment of sitemapFilePath(n):
// a number from 1, written without a sign or leading zeros, and ".xml".
func sitemapFileNumber(file string) (int, bool) {
	digits, ok := strings.CutSuffix(file, ".xml")
	if !ok || digits == "" || digits[0] < '1' || digits[0] > '9' {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	if err != nil || strconv.Itoa(n) != digits {
		return 0, false
	}
	return n, true
}

// sitemapFile serves one file of the sitemap index: the published stories,
// oldest first, from the (n-1)*size-th. A file the index does not name is
// not found: one past the last, or the first while /sitemap.xml still
// lists every story itself.
func (s *Server) sitemapFile(w http.ResponseWriter, r *http.Request) {
	n, ok := sitemapFileNumber(r.PathValue("file"))
	size := s.sitemapURLs()
	if !ok || n-1 > math.MaxInt32/size {
		s.notFound(w, r)
		return
	}
	refs, err := s.storySvc.PublishedRefsPage(r.Context(), (n-1)*size, size)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if len(refs) == 0 || (n == 1 && len(refs) < size) {
		s.notFound(w, r)
		return
	}
	urls := make([]feed.URL, 0, len(refs))
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
	refs, err := s.storySvc.RecentRefs(r.Context(), 48*time.Hour, feed.MaxNewsURLs)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	items := make([]feed.NewsItem, 0, len(refs))
	for _, ref := range refs {
		items = append(items, feed.NewsItem{Loc: s.opts.BaseURL + ref.Path(), Title: ref.Headline, Published: ref.PublishedAt})
	}
	var buf bytes.Buffer
	paper := s.paper(r.Context())
	if err := feed.WriteNewsSitemap(&buf, paper.Name, paper.Language, items); err != nil {
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
