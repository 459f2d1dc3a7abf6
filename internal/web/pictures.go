package web

import (
	"context"
	"net/http"

	"dateline/internal/media"
	"dateline/internal/story"
)

// card is a story in a list, with its featured image, if any.
type card struct {
	*story.Story
	Image *media.Image
	// Eager marks an image at the top of a list, which the browser loads
	// at once rather than when it scrolls into view.
	Eager bool
}

// Card is a story of the list as its card shows it.
func (p listPage) Card(i int, st story.Story) card {
	// A list without a lead starts with cards in view: the first row
	// loads at once.
	return card{Story: &st, Image: p.Images[st.ID], Eager: p.Lead == nil && i < 3}
}

// LeadImage is the lead story's featured image, or nil.
func (p listPage) LeadImage() *media.Image {
	if p.Lead == nil {
		return nil
	}
	return p.Images[p.Lead.ID]
}

// listImages reads the featured images of every story of a list page,
// the lead's too, in one query. A page shows without its pictures rather
// than not at all.
func (s *Server) listImages(r *http.Request, data *listPage) {
	if s.media == nil {
		return
	}
	ids := make([]int64, 0, len(data.Stories)+1)
	if data.Lead != nil {
		ids = append(ids, data.Lead.ID)
	}
	for i := range data.Stories {
		ids = append(ids, data.Stories[i].ID)
	}
	if len(ids) == 0 {
		return
	}
	images, err := s.media.StoryImages(r.Context(), ids)
	if err != nil {
		s.log.WarnContext(r.Context(), "read a list's pictures", "err", err)
		return
	}
	data.Images = images
}

// renderList renders a list of stories with their pictures.
func (s *Server) renderList(w http.ResponseWriter, r *http.Request, name string, data listPage) {
	s.listImages(r, &data)
	s.render(w, r, http.StatusOK, name, data)
}

// siteLogo is the publisher's logo that search engines show with the
// site's stories.
type siteLogo struct {
	URL           string // absolute
	Width, Height int
}

// logo is the site's logo: the one place the pages and the structured
// data take it from. It is the image an admin chose at /admin/settings,
// at its largest copy, or the default logo that ships with the site.
func (s *Server) logo(ctx context.Context) siteLogo {
	if s.opts.Site != nil {
		if im := s.opts.Site.Logo(ctx); im != nil {
			w := im.Largest()
			return siteLogo{URL: s.opts.BaseURL + im.URL(w), Width: w, Height: im.HeightAt(w)}
		}
	}
	u, err := s.static.URL("logo.png")
	if err != nil {
		return siteLogo{}
	}
	return siteLogo{URL: s.opts.BaseURL + u, Width: defaultLogoSide, Height: defaultLogoSide}
}

// defaultLogoSide is the width and height of static/logo.png.
const defaultLogoSide = 512

// imageURLs are the absolute addresses of every copy of an image,
// widest first, as structured data lists them.
func (s *Server) imageURLs(im *media.Image) []string {
	urls := make([]string, 0, len(im.Widths))
	for i := len(im.Widths) - 1; i >= 0; i-- {
		urls = append(urls, s.opts.BaseURL+im.URL(im.Widths[i]))
	}
	return urls
}
