package web

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"dateline/internal/account"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
	"dateline/internal/story"
)

// anon requests path as an anonymous reader with the given headers.
func anon(s *accountSite, path string, header ...string) *http.Response {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec.Result()
}

func bodyOf(t *testing.T, res *http.Response) string {
	t.Helper()
	var r io.Reader = res.Body
	switch res.Header.Get("Content-Encoding") {
	case "gzip":
		zr, err := gzip.NewReader(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	case "br":
		r = brotli.NewReader(res.Body)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAnonymousPagesComeFromTheCacheWithValidatorsAndCompression(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		st := freeStory(t, s)
		first := anon(s, st.Path())
		page := bodyOf(t, first)
		if first.StatusCode != http.StatusOK || !strings.Contains(page, st.Headline) {
			t.Fatalf("story page = %d", first.StatusCode)
		}
		if s.cache.Len() == 0 {
			t.Fatal("the anonymous story page was not kept")
		}
		h := first.Header
		if cc := h.Get("Cache-Control"); !strings.Contains(cc, "public") || !strings.Contains(cc, "stale-while-revalidate") {
			t.Errorf("Cache-Control = %q", cc)
		}
		if keys := strings.Fields(h.Get("Surrogate-Key")); !slices.Contains(keys, storyTag(st.ID)) || !slices.Contains(keys, discussionTag(st.ID)) || !slices.Contains(keys, sectionTag(st.Section.Slug)) {
			t.Errorf("Surrogate-Key = %q, want the story, its discussion and its section", keys)
		}
		if h.Get("Cache-Tag") == "" || h.Get("ETag") == "" || h.Get("Last-Modified") == "" {
			t.Errorf("missing Cache-Tag, ETag or Last-Modified: %v", h)
		}
		if h.Get("Content-Security-Policy") == "" {
			t.Error("a cached page lost the security headers")
		}

		// The same bytes again, a 304 for a current copy, and the same
		// page compressed both ways.
		if again := bodyOf(t, anon(s, st.Path())); again != page {
			t.Error("the second anonymous request got a different page")
		}
		if res := anon(s, st.Path(), "If-None-Match", h.Get("ETag")); res.StatusCode != http.StatusNotModified || bodyOf(t, res) != "" {
			t.Errorf("If-None-Match with the current ETag = %d", res.StatusCode)
		}
		if res := anon(s, st.Path(), "If-None-Match", `"stale"`); res.StatusCode != http.StatusOK {
			t.Errorf("If-None-Match with an old ETag = %d", res.StatusCode)
		}
		for _, enc := range []string{"gzip", "br"} {
			res := anon(s, st.Path(), "Accept-Encoding", enc)
			if res.Header.Get("Content-Encoding") != enc || bodyOf(t, res) != page {
				t.Errorf("%s: Content-Encoding %q, or the page differs", enc, res.Header.Get("Content-Encoding"))
			}
			if res.Header.Get("ETag") == h.Get("ETag") {
				t.Errorf("%s: the compressed page has the plain page's ETag", enc)
			}
		}
		if res := anon(s, st.Path(), "Accept-Encoding", "gzip;q=0, identity"); res.Header.Get("Content-Encoding") != "" {
			t.Error("gzip was sent though refused with q=0")
		}

		// A query the cache does not know (a gift link) is never served
		// from it.
		if res := anon(s, st.Path()+"?gift=nonsense"); res.Header.Get("Surrogate-Key") != "" {
			t.Error("a gift link was answered from the cache")
		}
	})
}

func TestTheCacheNeverMixesReaders(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		paid := s.paidStory(t)
		hidden := paragraphsAfterFirst(t, paid)[0]
		// The anonymous page is cached first, then a subscriber reads.
		if body := bodyOf(t, anon(s, paid.Path())); strings.Contains(body, hidden) {
			t.Fatal("the anonymous page shows the paywalled text")
		}
		sub := s.subscriberBrowser(t, "sam@example.com")
		r := sub.get(paid.Path())
		if r.Code != http.StatusOK || !strings.Contains(r.Body, hidden) || !strings.Contains(r.Body, `action="/logout"`) {
			t.Fatalf("the subscriber got %d without the full story or their account links", r.Code)
		}
		if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "private") || r.Header.Get("Surrogate-Key") != "" {
			t.Errorf("a subscriber's page: Cache-Control %q, Surrogate-Key %q", cc, r.Header.Get("Surrogate-Key"))
		}
		// And the other way round: after the subscriber, anonymous
		// readers still get the paywall, on every page.
		for _, path := range []string{paid.Path(), "/", "/section/" + paid.Section.Slug} {
			s.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil)) // fill the cache
			sub.get(path)
			body := bodyOf(t, anon(s, path))
			if strings.Contains(body, hidden) || strings.Contains(body, `action="/logout"`) {
				t.Errorf("%s: an anonymous reader got the subscriber's page", path)
			}
		}
	})
}

func TestChangesArePurgedFromTheCache(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		st := freeStory(t, s)
		section := "/section/" + st.Section.Slug
		warm := func() {
			for _, p := range []string{"/", section, st.Path(), "/feed.atom"} {
				if res := anon(s, p); res.StatusCode != http.StatusOK {
					t.Fatalf("%s = %d", p, res.StatusCode)
				}
			}
		}

		// A new comment shows at once on the story page, and purges
		// nothing else.
		ann := s.subscriberBrowser(t, "ann@example.com")
		other := s.pick(t, func(o *story.Story) bool { return o.ID != st.ID })
		warm()
		anon(s, other.Path())
		commentID(t, ann.post("/comments", "story", st.Slug, "body", "The harbour wall needs mending before winter."))
		if _, kept, _ := s.stories.Get(st.Slug); !kept {
			t.Error("a comment dropped the kept story, which it did not change")
		}
		if !strings.Contains(bodyOf(t, anon(s, st.Path())), "The harbour wall needs mending") {
			t.Error("a new comment is missing from the anonymous story page")
		}
		if s.cache.Get(other.Path()) == nil {
			t.Error("a comment on one story purged another story's page")
		}

		// A story published by an editor shows on the front page, its
		// section and the feed; an edit to its headline shows everywhere.
		warm()
		editor := s.staff(t, "ed@example.com", account.Editor)
		id := savedID(t, editor.post("/admin/stories", storyForm("Night ferry returns to the fjord", "0", "publish", "section", st.Section.Slug)...))
		for _, p := range []string{"/", section, "/feed.atom"} {
			if !strings.Contains(bodyOf(t, anon(s, p)), "Night ferry returns to the fjord") {
				t.Errorf("%s does not show the story just published", p)
			}
		}
		published, err := s.db.StoryBySlug(context.Background(), "night-ferry-returns-to-the-fjord")
		if err != nil {
			t.Fatal(err)
		}
		bodyOf(t, anon(s, published.Path()))
		savedID(t, editor.post("/admin/stories/"+id, storyForm("Night ferry returns early", "1", "publish",
			"section", st.Section.Slug, "slug", published.Slug)...))
		for _, p := range []string{"/", section, "/feed.atom", published.Path()} {
			if body := bodyOf(t, anon(s, p)); !strings.Contains(body, "Night ferry returns early") {
				t.Errorf("%s still shows the old headline", p)
			}
		}

		// A change with no precise purge (the breaking-news banner)
		// empties the cache.
		warm()
		expect(t, editor.post("/admin/front/breaking", "text", "Storm closes the harbour", "url", st.Path(), "until", "2026-11-29T18:00"),
			http.StatusSeeOther, "")
		for _, p := range []string{"/", st.Path()} {
			if !strings.Contains(bodyOf(t, anon(s, p)), "Storm closes the harbour") {
				t.Errorf("%s does not show the banner", p)
			}
		}

		// Scheduled publishing purges the lists.
		s.cache.Put(s.cache.NewPage("/x", "text/html", []byte("old"), []string{tagLists}, 0), s.cache.Generation())
		if s.cache.Get("/x") == nil {
			t.Fatal("the page to purge was not kept")
		}
		s.StoriesPublished(context.Background(), []int64{published.ID})
		if s.cache.Get("/x") != nil {
			t.Error("publishing a scheduled story left the lists in the cache")
		}
	})
}

func TestAnonymousRequestsCannotEmptyTheCache(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		st := freeStory(t, s)
		anon(s, st.Path())
		n := s.cache.Len()
		// Refused and anonymous posts change nothing, so purge nothing.
		b := s.browser(t)
		b.post("/comments", "story", st.Slug, "body", "spam")
		b.post("/login", "email", "nobody@example.com", "password", "wrong password")
		if s.cache.Len() != n {
			t.Errorf("anonymous posts emptied the cache: %d pages, had %d", s.cache.Len(), n)
		}
	})
}

// TestSearchesKeepToTheirShare checks that searches, whose words are
// often tried once, are kept apart from the other pages in a share of the
// memory of their own, so they never push out the pages everyone reads.
func TestSearchesKeepToTheirShare(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		st := freeStory(t, s)
		anon(s, st.Path())
		for i := range 400 {
			if res := anon(s, fmt.Sprintf("/search?q=harbour%d", i)); res.StatusCode != http.StatusOK {
				t.Fatalf("search %d = %d", i, res.StatusCode)
			}
		}
		searchBytes, searchMax := s.searches.Size()
		if s.searches.Len() == 0 || searchBytes > searchMax {
			t.Errorf("searches kept: %d pages, %d bytes of %d", s.searches.Len(), searchBytes, searchMax)
		}
		if _, pagesMax := s.cache.Size(); searchMax > pagesMax/4 {
			t.Errorf("searches may take %d bytes beside %d for the other pages", searchMax, pagesMax)
		}
		for i := range 400 {
			if key := fmt.Sprintf("/search?q=harbour%d", i); s.cache.Get(key) != nil {
				t.Fatalf("a search is kept with the other pages: %s", key)
			}
		}
		if s.cache.Get(st.Path()) == nil {
			t.Error("searches pushed the story page out of the cache")
		}
		// A change to the stories drops the searches as well.
		s.ApplyPurge([]string{tagLists})
		if s.searches.Len() != 0 {
			t.Errorf("%d searches kept after the lists were purged", s.searches.Len())
		}
	})
}

func TestLongPersonalPagesAreCompressed(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		paid := s.paidStory(t)
		sub := s.subscriberBrowser(t, "gz@example.com")
		get := func(accept string) *http.Response {
			req := httptest.NewRequest(http.MethodGet, paid.Path(), nil)
			for _, c := range sub.cookies {
				req.AddCookie(c)
			}
			if accept != "" {
				req.Header.Set("Accept-Encoding", accept)
			}
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			return rec.Result()
		}
		plain := get("")
		page := bodyOf(t, plain)
		if len(page) < compressFrom || plain.Header.Get("Content-Encoding") != "" {
			t.Fatalf("the plain page: %d bytes, Content-Encoding %q", len(page), plain.Header.Get("Content-Encoding"))
		}
		gz := get("gzip, deflate")
		if gz.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(strings.Join(gz.Header.Values("Vary"), ","), "Accept-Encoding") {
			t.Errorf("Content-Encoding %q, Vary %q", gz.Header.Get("Content-Encoding"), gz.Header.Get("Vary"))
		}
		if got := bodyOf(t, gz); got != page {
			t.Error("the compressed page is not the page")
		}
		if br := get("br"); br.Header.Get("Content-Encoding") != "" {
			t.Errorf("a reader accepting only brotli got %q", br.Header.Get("Content-Encoding"))
		}
	})
}

func TestSharedDiscussionsStayEachReadersOwn(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		st := freeStory(t, s)
		ann := s.subscriberBrowser(t, "ann@example.com")
		bo := s.subscriberBrowser(t, "bo@example.com")
		cy := s.subscriberBrowser(t, "cy@example.com")
		id := commentID(t, ann.post("/comments", "story", st.Slug, "body", "The ferry was late again."))

		// Bo and Cy have nothing of their own here: both get the list
		// rendered once, with a Recommend button and no Delete.
		list := func(b *browser) string {
			t.Helper()
			r := b.get(st.Path())
			return text(one(t, r.Doc, "li[id=comment-"+id+"]"))
		}
		boList := list(bo)
		if !strings.Contains(boList, "Recommend") || strings.Contains(boList, "Delete") {
			t.Fatalf("Bo's view of Ann's comment: %q", boList)
		}
		if s.discussions.Len() == 0 {
			t.Fatal("the discussion was not kept for readers alike")
		}
		if list(cy) != boList {
			t.Error("two readers with nothing of their own saw different lists")
		}
		// Ann wrote it: her list is her own, with Delete.
		if annList := list(ann); !strings.Contains(annList, "Delete") {
			t.Errorf("Ann cannot delete her comment: %q", annList)
		}
		// Bo recommends it: his list shows it recommended, Cy's does not.
		expect(t, bo.post("/comments/"+id+"/recommend"), http.StatusSeeOther, "")
		pressed := func(b *browser) string {
			t.Helper()
			r := b.get(st.Path())
			for _, btn := range findAll(one(t, r.Doc, "li[id=comment-"+id+"]"), "button") {
				if hasAttr(btn, "aria-pressed") {
					return attr(btn, "aria-pressed")
				}
			}
			t.Fatal("no Recommend button")
			return ""
		}
		if pressed(bo) != "true" {
			t.Error("Bo's recommendation is not shown to him")
		}
		if pressed(cy) != "false" {
			t.Error("Cy sees Bo's recommendation as his own")
		}
		// A new comment shows at once to readers sharing the list, written
		// where the page's template marked its place, and the mark is gone.
		commentID(t, ann.post("/comments", "story", st.Slug, "body", "And the one after it."))
		r := cy.get(st.Path())
		if !strings.Contains(r.Body, "And the one after it.") {
			t.Error("a new comment is missing from a shared discussion")
		}
		if strings.Contains(r.Body, s.marks.Part) || len(findAll(r.Doc, "li.comment")) != 2 {
			t.Errorf("the discussion was not written in its place: %d comments in the list", len(findAll(r.Doc, "li.comment")))
		}
		// A reader with threads of their own gets those rendered for them
		// and the others from the list kept for everyone, which Cy, who
		// has nothing of his own here, made.
		boID := commentID(t, bo.post("/comments", "story", st.Slug, "body", "Bo's own thought."))
		list(cy)
		if got := list(ann); !strings.Contains(got, "Delete") {
			t.Errorf("Ann's own thread, beside one from the kept list: %q", got)
		}
		for _, v := range []struct {
			b      *browser
			who    string
			delete bool
		}{{ann, "Ann", false}, {cy, "Cy", false}, {bo, "Bo", true}} {
			got := text(one(t, v.b.get(st.Path()).Doc, "li[id=comment-"+boID+"]"))
			if strings.Contains(got, "Delete") != v.delete || strings.Contains(got, "Recommend") == v.delete {
				t.Errorf("%s's view of Bo's comment: %q", v.who, got)
			}
		}
		// The sort links, kept rendered, mark the order shown.
		for _, c := range []struct{ query, current string }{
			{"", "Oldest"}, {"?sort=newest", "Newest"}, {"?sort=recommended", "Most recommended"}, {"", "Oldest"},
		} {
			nav := one(t, cy.get(st.Path()+c.query).Doc, "nav.comment-sort")
			if got := text(one(t, nav, "a[aria-current=true]")); got != c.current {
				t.Errorf("%q marks %q as the order shown, want %q", c.query, got, c.current)
			}
		}
	})
}

func TestPagesMissedTogetherAreRenderedOnce(t *testing.T) {
	s := newSite(t, storetest.Open(t, store.SQLite))
	var renders atomic.Int32
	release := make(chan struct{})
	h := s.cachedIn(s.cache, nil, func(w http.ResponseWriter, r *http.Request) {
		renders.Add(1)
		<-release
		tagPage(r, tagLists)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "the page")
	})
	misses := func() int { return int(testutil.ToFloat64(s.metrics.cache.WithLabelValues("miss"))) }
	before := misses()
	const n = 8
	bodies := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			rec := httptest.NewRecorder()
			h(rec, httptest.NewRequest(http.MethodGet, "/together", nil))
			bodies[i] = rec.Body.String()
		})
	}
	// Every request has missed; give them a moment to join the render.
	deadline := time.Now().Add(10 * time.Second)
	for misses()-before < n {
		if time.Now().After(deadline) {
			close(release)
			t.Fatalf("%d of %d requests missed the cache", misses()-before, n)
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	if got := renders.Load(); got != 1 {
		t.Errorf("%d requests missing one page together rendered it %d times, want once", n, got)
	}
	for i, b := range bodies {
		if b != "the page" {
			t.Errorf("request %d got %q", i, b)
		}
	}
}
