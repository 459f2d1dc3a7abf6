package story

import (
	"context"
	"dateline/internal/clock"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Store is what the reading site needs of the database: the published
// stories, and the sections, tags and authors they are filed under.
type Store interface {
	Sections(ctx context.Context) ([]Section, error)
	SectionBySlug(ctx context.Context, slug string) (*Section, error)
	TagBySlug(ctx context.Context, slug string) (*Tag, error)
	AuthorBySlug(ctx context.Context, slug string) (*Author, error)
	// StoryBySlug and StoryByID load a story whatever its status.
	StoryBySlug(ctx context.Context, slug string) (*Story, error)
	StoryByID(ctx context.Context, id int64) (*Story, error)
	PublishedStories(ctx context.Context, f Filter) ([]Story, error)
	CountPublished(ctx context.Context, f Filter) (int, error)
	// PublishedRefs lists published stories, newest first; a non-zero
	// since keeps those published at or after it.
	PublishedRefs(ctx context.Context, since time.Time, limit int) ([]Ref, error)
	// PublishedRefsPage and PublishedPageLastMods page the published
	// stories, oldest first.
	PublishedRefsPage(ctx context.Context, offset, limit int) ([]Ref, error)
	PublishedPageLastMods(ctx context.Context, size int) ([]time.Time, error)
	// Search finds published stories; the total counts matches up to
	// SearchCandidates+1.
	Search(ctx context.Context, q SearchQuery) ([]SearchHit, int, error)
	// MoreToRead lists, in one query, the published stories other than
	// q.StoryID that share any of q.TagIDs, with how many they share
	// (most first, then newest, at most q.Related), and the newest
	// published stories of q.SectionID other than q.StoryID (at most
	// q.InSection).
	MoreToRead(ctx context.Context, q MoreQuery) (related, inSection []Teaser, err error)
	// PublishedAround returns when the latest story published before from
	// was published, and the earliest published at or after to that
	// readers may see; zero when there is none.
	PublishedAround(ctx context.Context, from, to time.Time) (before, after time.Time, err error)
}

// Limits of the lists readers page through.
const (
	// PageSize is how many stories a page of a list or of search
	// results shows.
	PageSize = 20
	// MaxPage is the highest page number a list or a search accepts.
	MaxPage = 10000
	// MaxQuery is the longest search query read, in bytes; the rest is
	// ignored.
	MaxQuery = 256
)

// ErrBadPage is returned for a page number that is not a whole number from
// 1 to MaxPage.
var ErrBadPage = fmt.Errorf("story: a page number is a whole number from 1 to %d", MaxPage)

// ParsePage reads a page number as written in an address: "" is the first
// page; anything but a whole number from 1 to MaxPage is ErrBadPage.
func ParsePage(text string) (int, error) {
	if text == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(text)
	if err != nil || !validPage(n) {
		return 0, ErrBadPage
	}
	return n, nil
}

func validPage(n int) bool { return n >= 1 && n <= MaxPage }

// pages is how many pages of size the total fills: at least one, which is
// empty when there is nothing to show.
func pages(total, size int) int { return max(1, (total+size-1)/size) }

// Service answers what the public pages read: sections, tags and authors,
// stories, the lists of published stories a page at a time, the
// references feeds and sitemaps list, and searches. It is safe for
// concurrent use.
type Service struct {
	store    Store
	now      func() time.Time
	zone     clock.Zone
	pageSize int
}

// NewService builds a Service reading st, on the clock now.
func NewService(st Store, now func() time.Time) *Service {
	if st == nil || now == nil {
		panic("story: NewService needs a store and a clock") // a wiring mistake, found by any test
	}
	return &Service{store: st, now: now, pageSize: PageSize}
}

// WithZone returns a Service like s whose days (the archive's) begin at
// midnight in the paper's time zone, as zone gives it; without it they
// are UTC days.
func (s *Service) WithZone(zone clock.Zone) *Service {
	cp := *s
	cp.zone = zone
	return &cp
}

// Zone is the paper's time zone now (UTC unless WithZone said otherwise).
func (s *Service) Zone(ctx context.Context) *time.Location { return s.zone.In(ctx) }

// WithPageSize returns a Service like s whose lists and searches show n
// stories a page instead of PageSize.
func (s *Service) WithPageSize(n int) *Service {
	cp := *s
	cp.pageSize = max(n, 1)
	return &cp
}

// Sections lists the paper's sections in their order.
func (s *Service) Sections(ctx context.Context) ([]Section, error) { return s.store.Sections(ctx) }

// SectionBySlug finds a section; ErrNotFound when there is none.
func (s *Service) SectionBySlug(ctx context.Context, slug string) (*Section, error) {
	return s.store.SectionBySlug(ctx, slug)
}

// TagBySlug finds a tag; ErrNotFound when there is none.
func (s *Service) TagBySlug(ctx context.Context, slug string) (*Tag, error) {
	return s.store.TagBySlug(ctx, slug)
}

// AuthorBySlug finds a staff author; ErrNotFound when there is none.
func (s *Service) AuthorBySlug(ctx context.Context, slug string) (*Author, error) {
	return s.store.AuthorBySlug(ctx, slug)
}

// StoryBySlug loads a story with its section, bylines, tags and
// corrections, whatever its status: readers see it only when it is
// Visible. ErrNotFound when there is none.
func (s *Service) StoryBySlug(ctx context.Context, slug string) (*Story, error) {
	return s.store.StoryBySlug(ctx, slug)
}

// StoryByID loads a story as StoryBySlug does.
func (s *Service) StoryByID(ctx context.Context, id int64) (*Story, error) {
	return s.store.StoryByID(ctx, id)
}

// PublishedStories lists the published stories f selects, newest first.
func (s *Service) PublishedStories(ctx context.Context, f Filter) ([]Story, error) {
	return s.store.PublishedStories(ctx, f)
}

// CountPublished counts the published stories f selects.
func (s *Service) CountPublished(ctx context.Context, f Filter) (int, error) {
	return s.store.CountPublished(ctx, f)
}

// ListPage is one page of a list of published stories, newest first.
type ListPage struct {
	Stories []Story
	// Page is the page shown, from 1; Pages how many the list fills, at
	// least one.
	Page, Pages int
}

// Published returns a page of the published stories f selects, newest
// first; f's Limit and Offset are the page's. A page number outside 1 to
// MaxPage is ErrBadPage, refused before anything is read; a page past the
// last is ErrNotFound. The first page always exists, empty when nothing is
// published.
func (s *Service) Published(ctx context.Context, f Filter, page int) (*ListPage, error) {
	if !validPage(page) {
		return nil, ErrBadPage
	}
	total, err := s.store.CountPublished(ctx, f)
	if err != nil {
		return nil, err
	}
	if page > 1 && (page-1)*s.pageSize >= total {
		return nil, fmt.Errorf("story: page %d of %d stories: %w", page, total, ErrNotFound)
	}
	f.Limit, f.Offset = s.pageSize, (page-1)*s.pageSize
	list, err := s.store.PublishedStories(ctx, f)
	if err != nil {
		return nil, err
	}
	return &ListPage{Stories: list, Page: page, Pages: pages(total, s.pageSize)}, nil
}

// PublishedRefs lists the newest limit published stories, for a sitemap.
func (s *Service) PublishedRefs(ctx context.Context, limit int) ([]Ref, error) {
	return s.store.PublishedRefs(ctx, time.Time{}, limit)
}

// RecentRefs lists the stories published within the last while, newest
// first, at most limit of them: what a news sitemap lists.
func (s *Service) RecentRefs(ctx context.Context, within time.Duration, limit int) ([]Ref, error) {
	return s.store.PublishedRefs(ctx, s.now().Add(-within), limit)
}

// PublishedRefsPage lists published stories oldest first, skipping offset
// of them and returning at most limit: one file of a sitemap index. Oldest
// first keeps every page but the last as it is when stories are published.
func (s *Service) PublishedRefsPage(ctx context.Context, offset, limit int) ([]Ref, error) {
	return s.store.PublishedRefsPage(ctx, offset, limit)
}

// PublishedPageLastMods splits the published stories, oldest first, into
// pages of size as PublishedRefsPage reads them, and returns when each
// page last changed.
func (s *Service) PublishedPageLastMods(ctx context.Context, size int) ([]time.Time, error) {
	return s.store.PublishedPageLastMods(ctx, size)
}

// SearchRequest is a reader's search, as they asked for it.
type SearchRequest struct {
	// Query is what the reader typed; only its first MaxQuery bytes are
	// read, and of those only the words (see SearchTerms).
	Query string
	// Section is the slug of the section to search; "" searches them all.
	Section string
	// From and To are the first and the last day of publication to
	// search, both included; a zero one leaves that end open.
	From, To time.Time
	// Sort is the order of the results; "" is ByRelevance.
	Sort SearchSort
	// Page is the page of results, from 1.
	Page int
}

// SearchResults are what a search found.
type SearchResults struct {
	// Query is the request's query as read: cut to MaxQuery bytes.
	Query string
	// NoSection is set when the section asked for does not exist; every
	// section was searched instead.
	NoSection bool
	// Searched is false when the query has no words to look for; then
	// nothing was searched, and nothing was found.
	Searched bool
	Hits     []SearchHit
	// Total is how many stories match, counted up to SearchCandidates+1.
	Total int
	// More is set when more than SearchCandidates stories match: only
	// the newest SearchCandidates are ranked and paged through, so Total
	// is a lower bound and the pages end with them.
	More bool
	// Page is the page shown, from 1; Pages how many the ranked matches
	// fill, at least one. A page past the last is shown empty.
	Page, Pages int
}

// Search finds the published stories that match every word of a reader's
// query anywhere in their text, best match (or, as asked, newest) first,
// a page at a time. A page number outside 1 to MaxPage is ErrBadPage,
// refused before anything is read. A query without words searches
// nothing.
func (s *Service) Search(ctx context.Context, req SearchRequest) (*SearchResults, error) {
	if !validPage(req.Page) {
		return nil, ErrBadPage
	}
	res := &SearchResults{Query: cutQuery(req.Query), Page: req.Page, Pages: 1}
	q := SearchQuery{Terms: SearchTerms(res.Query), Newest: req.Sort == ByNewest, Limit: s.pageSize, Offset: (req.Page - 1) * s.pageSize}
	if req.Section != "" {
		// A section that cannot be read is searched as one that does not
		// exist: the reader still gets results from every section.
		if sec, err := s.store.SectionBySlug(ctx, req.Section); err != nil {
			res.NoSection = true
		} else {
			q.SectionID = sec.ID
		}
	}
	q.From = req.From
	if !req.To.IsZero() {
		q.To = req.To.AddDate(0, 0, 1) // the whole of the last day
	}
	if len(q.Terms) == 0 {
		return res, nil
	}
	hits, total, err := s.store.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	res.Hits, res.Total, res.Searched = hits, total, true
	res.More = total > SearchCandidates
	res.Pages = pages(min(total, SearchCandidates), s.pageSize)
	return res, nil
}

// cutQuery keeps the first MaxQuery bytes of a query, without a character
// cut in two.
func cutQuery(q string) string {
	if len(q) <= MaxQuery {
		return q
	}
	return strings.ToValidUTF8(q[:MaxQuery], "")
}
