package web

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"dateline/internal/pagecache"
	"dateline/internal/story"
)

// Broadcaster carries purges of cached pages to the other instances that
// share the database, so a story changed through one is fresh on all.
type Broadcaster interface {
	Broadcast(ctx context.Context, tags []string) error
}

// Tags name what a cached page shows. They are also sent to CDNs as
// Surrogate-Key and Cache-Tag, so a purge by key works there too.
const tagLists = "lists" // every list of stories: front, sections, tags, authors, feeds, sitemaps

func storyTag(id int64) string      { return "story-" + strconv.FormatInt(id, 10) }
func sectionTag(slug string) string { return "section-" + slug }

// discussionTag names a story's discussion: a comment purges it, and with
// it the story's page and the lists that count its comments, but not what
// is kept of the story itself, which the comment did not change.
func discussionTag(id int64) string { return "discussion-" + strconv.FormatInt(id, 10) }

// pageTags collects the tags of the page being rendered for the cache.
type pageTags struct {
	tags    []string
	storyID int64
}

type pageTagsKey struct{}

// tagPage records that the page being rendered shows what tags name. A
// page served to anonymous readers is kept in the cache only when its
// handler tagged it: what is not tagged could never be purged.
func tagPage(r *http.Request, tags ...string) {
	if pt, ok := r.Context().Value(pageTagsKey{}).(*pageTags); ok {
		for _, t := range tags {
			if !slices.Contains(pt.tags, t) {
				pt.tags = append(pt.tags, t)
			}
		}
	}
}

// storyPageTags are the tags of a story's page. Besides its own story,
// discussion and section, the page lists related stories and the latest of
// its section, which change when any other story is published, edited or
// withdrawn. Every such change purges tagLists (never the section's tag,
// and a related story may sit in any section), so the page carries
// tagLists too: at the cost of rendering kept story pages again after a
// story changes, no page offers a story that is gone or misses one that
// is new for longer than the purge takes.
func storyPageTags(id int64, sectionSlug string) []string {
	return []string{storyTag(id), discussionTag(id), sectionTag(sectionSlug), tagLists}
}

// tagStoryPage tags a story's own page, which also counts a view each
// time the cache serves it.
func tagStoryPage(r *http.Request, id int64, sectionSlug string) {
	tagPage(r, storyPageTags(id, sectionSlug)...)
	if pt, ok := r.Context().Value(pageTagsKey{}).(*pageTags); ok {
		pt.storyID = id
	}
}

// listTagged tags every page h serves as a list of stories. Feeds and
// sitemaps show nothing but stories' own fields, so the purge that every
// change to a story makes of the lists is all they need.
func listTagged(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tagPage(r, tagLists)
		h(w, r)
	}
}

// tagStories tags a list page with each story it shows: a new comment
// changes the story's count there.
func tagStories(r *http.Request, list []story.Story) {
	for i := range list {
		tagPage(r, storyTag(list[i].ID), discussionTag(list[i].ID))
	}
}

// cached serves h's page to anonymous readers from the page cache, and
// keeps what h renders for them. Signed-in readers always get h's own,
// private answer.
func (s *Server) cached(h http.HandlerFunc) http.HandlerFunc {
	return s.cachedIn(s.cache, pageQuery, h)
}

// cachedIn is cached for a page whose query parameters are allowed, kept
// in cache.
func (s *Server) cachedIn(cache *pagecache.Cache, allowed []string, h http.HandlerFunc) http.HandlerFunc {
	if cache == nil {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) {
		key := ""
		if viewerOf(r).User == nil {
			key = cacheKey(r, allowed)
		} else {
			w.Header().Set("Cache-Control", "private, no-cache")
			w.Header().Set("Vary", "Cookie")
		}
		if key == "" {
			h(w, r)
			return
		}
		if p := cache.Get(key); p != nil {
			s.metrics.cache.WithLabelValues("hit").Inc()
			if p.StoryID() != 0 {
				s.countView(r.Context(), p.StoryID())
			}
			serveCached(w, r, p, s.nextMidnight(r.Context()).Sub(s.now()))
			return
		}
		s.metrics.cache.WithLabelValues("miss").Inc()
		// Requests for the same page that miss together wait for one
		// render: a page purged under heavy traffic is rendered once, not
		// once for each reader arriving while it renders.
		v, rendered := cache.Once(key, func() any {
			gen := cache.Generation()
			rec := &pageRecorder{header: http.Header{}}
			pt := &pageTags{}
			h(rec, r.WithContext(context.WithValue(r.Context(), pageTagsKey{}, pt)))
			if rec.code == http.StatusOK && len(pt.tags) > 0 && rec.header.Get("Set-Cookie") == "" &&
				!strings.Contains(rec.header.Get("Cache-Control"), "private") {
				p := cache.NewPage(key, rec.header.Get("Content-Type"), rec.body.Bytes(), pt.tags, pt.storyID)
				p.ExpireBy(s.nextMidnight(r.Context()))
				cache.Put(p, gen)
				return p
			}
			return rec
		})
		switch res := v.(type) {
		case *pagecache.Page:
			if !rendered && res.StoryID() != 0 {
				s.countView(r.Context(), res.StoryID())
			}
			serveCached(w, r, res, s.nextMidnight(r.Context()).Sub(s.now()))
		case *pageRecorder:
			if rendered {
				res.copyTo(w)
				return
			}
			// An answer not fit to keep (an error, a redirect, a cookie)
			// was made for the request that rendered it; this one gets
			// its own.
			h(w, r)
		}
	}
}

// pageRecorder holds a handler's answer so it can be kept before it is
// sent.
type pageRecorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (p *pageRecorder) Header() http.Header { return p.header }

func (p *pageRecorder) WriteHeader(code int) {
	if p.code == 0 {
		p.code = code
	}
}

func (p *pageRecorder) Write(b []byte) (int, error) {
	if p.code == 0 {
		p.code = http.StatusOK
	}
	return p.body.Write(b)
}

func (p *pageRecorder) copyTo(w http.ResponseWriter) {
	h := w.Header()
	for k, v := range p.header {
		h[k] = v
	}
	if p.code == 0 {
		p.code = http.StatusOK
	}
	w.WriteHeader(p.code)
	_, _ = w.Write(p.body.Bytes()) // a failed write means the reader left; nothing to do
}

// purge drops the cached pages carrying any of tags, here and on every
// other instance; no tags drops them all. Handlers call it once their
// change is committed.
func (s *Server) purge(r *http.Request, tags ...string) {
	if f, ok := r.Context().Value(purgedKey{}).(*bool); ok {
		*f = true
	}
	s.purgeTags(r.Context(), tags)
}

func (s *Server) purgeTags(ctx context.Context, tags []string) {
	s.ApplyPurge(tags)
	if s.broadcaster != nil {
		if err := s.broadcaster.Broadcast(context.WithoutCancel(ctx), tags); err != nil {
			s.log.WarnContext(ctx, "could not tell the other instances to purge their caches", "tags", tags, "err", err)
		}
	}
}

// ApplyPurge drops cached pages as another instance asked; nil tags drop
// them all.
func (s *Server) ApplyPurge(tags []string) {
	if s.cache != nil {
		s.cache.Purge(tags...)
		s.searches.Purge(tags...)
		s.readerPages.Purge(tags...)
	}
	// What is kept for signed-in readers' pages goes with the pages: all
	// of a changed story, only the discussion of one commented on. Each
	// value is kept with its story's tags, and only those tags are passed
	// on: a purge of a section or the lists does not drop them.
	if len(tags) == 0 {
		if s.stories != nil {
			s.stories.DropAll()
			s.parts.DropAll()
			s.discussions.DropAll()
		}
		if s.comments != nil {
			s.comments.ForgetAll()
		}
		return
	}
	stories, discussions := tagIDs(tags, "story-"), tagIDs(tags, "discussion-")
	discussions = append(discussions, stories...)
	if s.stories != nil {
		storyTags := tagsLike(tags, "story-")
		s.stories.DropTags(storyTags...)
		s.parts.DropTags(storyTags...)
		s.discussions.DropTags(tagsLike(tags, "story-", "discussion-")...)
	}
	if s.comments != nil && len(discussions) > 0 {
		s.comments.Forget(discussions...)
	}
}

// tagsLike returns the tags that start with one of prefixes.
func tagsLike(tags []string, prefixes ...string) []string {
	var like []string
	for _, t := range tags {
		for _, p := range prefixes {
			if strings.HasPrefix(t, p) {
				like = append(like, t)
				break
			}
		}
	}
	return like
}

// tagIDs returns the story ids of the tags that start with prefix.
func tagIDs(tags []string, prefix string) []int64 {
	var ids []int64
	for _, t := range tags {
		if n, ok := strings.CutPrefix(t, prefix); ok {
			if id, err := strconv.ParseInt(n, 10, 64); err == nil {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// StoriesPublished purges what scheduled publishing changed: the lists,
// and the stories' own addresses.
func (s *Server) StoriesPublished(ctx context.Context, ids []int64) {
	if len(ids) == 0 {
		return
	}
	tags := []string{tagLists}
	for _, id := range ids {
		tags = append(tags, storyTag(id))
	}
	s.purgeTags(ctx, tags)
}

type purgedKey struct{}

// noPublicEffect are the state-changing routes that change nothing an
// anonymous reader sees, so they need no purge. Every other change that
// succeeds and did not purge precisely purges every cached page: a route
// forgotten here costs speed, never freshness.
var noPublicEffect = map[string]bool{
	"POST /signup": true, "POST /login": true, "POST /logout": true,
	"POST /password/forgot": true, "POST /password/reset": true,
	"POST /account/email": true, "POST /account/password": true, "POST /account/sessions/others": true,
	"POST /account/verify": true, "POST /account/confirm": true, "POST /account/notifications": true,
	"POST /account/tokens": true, "POST /account/tokens/{id}/revoke": true,
	"POST /subscribe/checkout": true, "POST /subscribe/demo": true,
	"POST /account/subscription/cancel": true, "POST /account/subscription/resume": true,
	"POST /account/subscription/manage": true,
	"POST /gifts":                       true, "POST /account/gifts/{id}/revoke": true,
	"POST /admin/subscribers/complimentary": true, "POST /admin/subscribers/complimentary/revoke": true,
	"POST /comments/{id}/report": true, "POST /comments/unsubscribe": true,
	"POST /admin/comments/suspend": true, "POST /admin/comments/unsuspend": true,
	"POST /admin/preview": true, "POST /admin/images": true, "POST /api/v1/images": true,
	"POST /webhooks/stripe":     true,
	"POST /admin/people/invite": true, "POST /admin/people/{id}/role": true, "POST /invite": true,
}

// purgeAfterWrites purges every cached page after a change that
// succeeded, unless its handler purged precisely or the route changes
// nothing public.
func (s *Server) purgeAfterWrites(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		}
		purged := false
		r = r.WithContext(context.WithValue(r.Context(), purgedKey{}, &purged))
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		// Only a signed-in user's change can touch a public page (the API
		// purges precisely for itself); a refused or anonymous request
		// must not empty the cache.
		if purged || sw.code >= 400 || noPublicEffect[r.Pattern] || viewerOf(r).User == nil {
			return
		}
		s.purgeTags(r.Context(), nil)
	})
}
