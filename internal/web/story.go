package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"dateline/internal/billing"
	"dateline/internal/media"
	"dateline/internal/newsroom"
	"dateline/internal/story"
)

// storyPage is the data of a story page.
type storyPage struct {
	layoutData
	Story *story.Story
	Body  template.HTML
	// EditURL opens the story in the editor, for staff who may edit it;
	// pages with it are never shared (staff pages are not kept).
	EditURL  string
	MailLink string
	JSONLD   map[string]any
	Image    string
	// Access is what the reader may read; Paywall is set when it is not
	// the whole story.
	Access  billing.Access
	Paywall *paywall
	// CanGift is true for subscribers on subscribers-only stories.
	CanGift bool
	// Gifted marks a story opened through a gift link.
	Gifted bool
	// NewGift is the gift link the reader just made, shown in place of
	// the gift button.
	NewGift *newGift
	// Comments is the discussion, when the site has one.
	Comments *commentsView
	// Figure is the story's featured image.
	Figure *media.Image
	// ShareTitle is the title link previews show.
	ShareTitle string
	// Parts are the parts every reader sees alike, kept rendered; nil
	// when the page renders them.
	Parts *storyParts
	// More is what the page offers after the story: related stories and
	// the latest of its section; nil when they could not be read.
	More *story.MoreToRead
	// discussion is the rendered list of comments, written into the page
	// where the template printed the server's part mark (see
	// pagecache.Splice).
	discussion template.HTML
}

// spliced returns the long part of the page that render writes in place
// of the part mark.
func (p storyPage) spliced() template.HTML { return p.discussion }

// newGift is a gift link just made, and how many more the reader may
// make this month.
type newGift struct {
	Link string
	Left int
}

// paywall is the panel shown in place of the rest of a story.
type paywall struct {
	// Plans are the plans on offer, each with its Subscribe button, which
	// returns the reader to this story once paid.
	Plans []planOffer
	// Open is false while the site takes no payments: the plans are
	// listed without buttons.
	Open bool
	// Register is true for anonymous readers: sign up to use the meter.
	Register bool
	// Confirm is true for registered readers whose email address is not
	// confirmed: confirming it opens the meter.
	Confirm     bool
	MeterLimit  int
	GiftRefused bool
	Next        string
}

func (s *Server) storyPage(w http.ResponseWriter, r *http.Request) {
	// Read before the story: a page rendered from what a purge has
	// dropped since is not kept.
	var gen uint64
	if s.readerPages != nil {
		gen = s.readerPages.Generation()
	}
	st, err := s.storyBySlug(r.Context(), r.PathValue("slug"))
	if errors.Is(err, story.ErrNotFound) && s.newsroomSvc != nil {
		// A slug the newsroom changed keeps its readers.
		if moved, rerr := s.newsroomSvc.RedirectSlug(r.Context(), r.PathValue("slug")); rerr == nil && moved.Visible(s.now()) {
			http.Redirect(w, r, moved.Path(), http.StatusMovedPermanently) // #nosec G710 -- a path on this site
			return
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !st.Visible(s.now()) {
		s.notFound(w, r)
		return
	}
	// The slug names the story; a wrong date in the address is mended with
	// a permanent redirect to the one true URL.
	if r.URL.Path != st.Path() {
		http.Redirect(w, r, st.Path(), http.StatusMovedPermanently) // #nosec G710 -- a path on this site
		return
	}
	s.countView(r.Context(), st.ID)
	tagStoryPage(r, st.ID, st.Section.Slug)
	data, ok := s.storyData(w, r, st, nil)
	if !ok {
		return
	}
	s.noteRead(r, st.ID, data.Access)
	if u := data.Viewer; u != nil && u.Staff() && newsroom.CanEdit(u, st) {
		data.EditURL = "/admin/stories/" + strconv.FormatInt(st.ID, 10)
	}
	if key := readerPageKey(data); key != "" && s.readerPages != nil {
		s.serveReaderPage(w, r, key, gen, data)
		return
	}
	s.finishStory(r, data)
	s.render(w, r, http.StatusOK, "story", data)
}

// storyBySlug reads a story for its page, from the kept stories when the
// page cache is on.
func (s *Server) storyBySlug(ctx context.Context, slug string) (*story.Story, error) {
	if s.stories == nil {
		return s.storySvc.StoryBySlug(ctx, slug)
	}
	st, ok, gen := s.stories.Get(slug)
	if !ok {
		var err error
		if st, err = s.storySvc.StoryBySlug(ctx, slug); err != nil {
			return nil, err
		}
		s.stories.Put(slug, st, gen, storyTag(st.ID))
	}
	cp := *st // the page may set fields; the kept story stays as read
	return &cp, nil
}

// storyParts are the parts of a story page that are the same for every
// reader and change only with the story: the meta tags, the header with
// the image, reading time and share links, the corrections at the foot of
// the text, and the footer with topics. What the page offers after the
// story is not among them: it changes when other stories do.
type storyParts struct {
	Head, Top, Corrections, Footer template.HTML
}

// storyParts returns the story's parts kept rendered, or renders and keeps
// them; nil without the page cache, when the page renders them itself
// from what this fills in data.
func (s *Server) storyParts(ctx context.Context, st *story.Story, data *storyPage) *storyParts {
	fill := func() {
		data.JSONLD = s.newsArticle(st, data.Canonical, s.logo(ctx), s.paper(ctx))
		if s.media == nil {
			return
		}
		// A story shows without its image rather than not at all.
		if im, err := s.media.StoryImage(ctx, st.ID); err == nil && im != nil {
			data.Figure = im
			data.JSONLD["image"] = s.imageURLs(im)
		}
	}
	if s.parts == nil {
		fill()
		return nil
	}
	p, ok, gen := s.parts.Get(st.ID)
	if ok {
		return p
	}
	fill()
	t := s.pages.byName["story"]
	p = &storyParts{}
	for _, part := range []struct {
		name string
		html *template.HTML
	}{{"storyHead", &p.Head}, {"storyTop", &p.Top}, {"storyCorrections", &p.Corrections}, {"storyFooter", &p.Footer}} {
		html, err := executeHTML(t, part.name, data)
		if err != nil {
			s.log.Warn("render a story's parts", "story", st.ID, "err", err)
			return nil // the page renders them itself
		}
		*part.html = html
	}
	s.parts.Put(st.ID, p, gen, storyTag(st.ID))
	return p
}

// showStory renders a story page; cf carries a comment form that came back
// with an error.
func (s *Server) showStory(w http.ResponseWriter, r *http.Request, st *story.Story, status int, cf *commentForm) {
	data, ok := s.storyData(w, r, st, cf)
	if !ok {
		return
	}
	s.finishStory(r, data)
	s.render(w, r, status, "story", data)
}

// storyData gathers what the reader of a story page sees, short of the
// parts every reader sees alike (see finishStory). It answers the request
// itself, and returns false, when it cannot.
func (s *Server) storyData(w http.ResponseWriter, r *http.Request, st *story.Story, cf *commentForm) (*storyPage, bool) {
	data := &storyPage{
		layoutData: s.layout(r, st.Headline),
		Story:      st,
		Access:     billing.Access{Full: true, Why: billing.WhyFree},
	}
	if s.billing != nil {
		gift := r.URL.Query().Get("gift")
		if len(gift) > 100 {
			gift = "invalid"
		}
		a, err := s.billing.StoryAccess(r.Context(), viewerOf(r).User, st, gift)
		if err != nil {
			s.serverError(w, r, err)
			return nil, false
		}
		data.Access = a
		if !a.Full {
			plans, err := s.billing.Plans(r.Context())
			if err != nil {
				s.serverError(w, r, err)
				return nil, false
			}
			data.Paywall = &paywall{Plans: offers(plans, st.Path()), Open: s.billing.Open(), Register: a.Why == billing.WhyRegister,
				Confirm: a.Why == billing.WhyConfirm, MeterLimit: a.MeterLimit, GiftRefused: a.GiftRefused, Next: st.Path()}
		}
		if gift != "" {
			// Gift pages stay out of search engines and tell nobody where
			// the reader came from.
			data.Gifted = a.Why == billing.WhyGift
			data.NoIndex = true
			w.Header().Set("Referrer-Policy", "no-referrer")
		}
		data.CanGift = st.Access == story.Subscribers && (a.Why == billing.WhySubscriber || a.Why == billing.WhyStaff)
		if viewerOf(r).User != nil || gift != "" {
			w.Header().Set("Cache-Control", "private, no-store")
		}
	}
	data.Canonical = s.opts.BaseURL + st.Path()
	data.Current = st.Section.Slug
	data.Description = st.Dek
	data.ShareTitle = st.Headline
	if st.SEOTitle != "" {
		data.Title, data.ShareTitle = st.SEOTitle, st.SEOTitle
	}
	if st.SEODescription != "" {
		data.Description = st.SEODescription
	}
	if s.comments != nil {
		cv, err := s.commentsView(r, st, cf)
		if err != nil {
			s.serverError(w, r, err)
			return nil, false
		}
		data.Comments = cv
		if cv.ListHTML != "" {
			// Tens of kilobytes: html/template would copy them through fmt
			// into a buffer of their own; render writes them straight in.
			data.discussion, cv.ListHTML = cv.ListHTML, template.HTML(s.marks.Part) // #nosec G203 -- an HTML comment of random hex
		}
	}
	return data, true
}

// finishStory fills in what only a page being rendered needs: the story's
// text as the reader may read it, and the parts every reader sees alike,
// kept rendered with the story when the page cache is on.
func (s *Server) finishStory(r *http.Request, data *storyPage) {
	st := data.Story
	data.Body = template.HTML(st.BodyWithDateline()) // #nosec G203 -- sanitised with bluemonday when saved
	if !data.Access.Full {
		// The rest of the story never leaves the server.
		data.Body = template.HTML(st.LeadWithDateline()) // #nosec G203 -- sanitised with bluemonday when saved
	}
	data.MailLink = mailLink(st.Headline, data.Canonical)
	data.Parts = s.storyParts(r.Context(), data.Story, data)
	// Two short lists, read in one query for every page rendered: they
	// change whenever another story is published or edited, so they are
	// not kept with the story's parts (dropped only by the story's own
	// purge) but go with the page, which is tagged with the lists (see
	// storyPageTags). A story shows without them rather than not at all.
	more, err := s.storySvc.MoreToRead(r.Context(), st)
	if err != nil {
		s.log.WarnContext(r.Context(), "read what to offer after a story", "story", st.ID, "err", err)
		return
	}
	data.More = more
}

// mailLink is a mailto: link whose subject is the headline and whose body is
// the story's address.
func mailLink(headline, link string) string {
	q := "subject=" + escapeMailto(headline) + "&body=" + escapeMailto(link)
	return "mailto:?" + q
}

// escapeMailto percent-encodes for a mailto: query as RFC 6068 wants:
// spaces as %20, never +.
func escapeMailto(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// newsArticle is the story's schema.org NewsArticle, which search engines
// read to show it as news and to know whether it is behind the paywall;
// logo is the publisher's.
func (s *Server) newsArticle(st *story.Story, canonical string, logo siteLogo, paper paperNames) map[string]any {
	var authors []map[string]any
	for _, b := range st.Bylines {
		a := map[string]any{"@type": "Person", "name": b.Name}
		if b.AuthorSlug != "" {
			a["url"] = s.opts.BaseURL + "/author/" + b.AuthorSlug
		} else {
			a["@type"] = "Organization"
		}
		authors = append(authors, a)
	}
	ld := map[string]any{
		"@context":         "https://schema.org",
		"@type":            "NewsArticle",
		"headline":         st.Headline,
		"url":              canonical,
		"mainEntityOfPage": canonical,
		"datePublished":    st.PublishedAt.UTC().Format("2006-01-02T15:04:05Z"),
		"dateModified":     st.Modified().UTC().Format("2006-01-02T15:04:05Z"),
		"author":           authors,
		"articleSection":   st.Section.Name,
		"publisher": map[string]any{
			"@type": "NewsMediaOrganization",
			"name":  paper.Name,
			"url":   s.opts.BaseURL + "/",
			"logo":  map[string]any{"@type": "ImageObject", "url": logo.URL, "width": logo.Width, "height": logo.Height},
		},
		"isAccessibleForFree": st.Access == story.Free,
		"inLanguage":          paper.Language,
	}
	if st.Dateline != "" {
		ld["dateline"] = st.Dateline
	}
	if st.Dek != "" {
		ld["description"] = st.Dek
	}
	if len(st.Tags) > 0 {
		var kw []string
		for _, t := range st.Tags {
			kw = append(kw, t.Name)
		}
		ld["keywords"] = kw
	}
	if st.Access == story.Subscribers {
		ld["hasPart"] = map[string]any{
			"@type":               "WebPageElement",
			"isAccessibleForFree": false,
			"cssSelector":         ".story-body",
		}
	}
	return ld
}
