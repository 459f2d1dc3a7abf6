package web

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"dateline/internal/demo"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
	"dateline/internal/story"
)

// manyMatches is a store whose searches report more matches than a
// search ranks, as a common word does in a large archive.
type manyMatches struct {
	story.Store
	total int
}

func (m manyMatches) Search(ctx context.Context, q story.SearchQuery) ([]story.SearchHit, int, error) {
	hits, _, err := m.Store.Search(ctx, q)
	return hits, m.total, err
}

func TestSearchPageSaysMoreThanWhenCapped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		db.Now = func() time.Time { return testNow }
		if _, err := demo.Seed(context.Background(), db, testNow, story.NewRenderer()); err != nil {
			t.Fatal(err)
		}
		pages := (story.SearchCandidates + 19) / 20 // 20 stories a page
		last, past := strconv.Itoa(pages), strconv.Itoa(pages+1)
		for _, tc := range []struct {
			name, path       string
			total            int
			count            string
			pages            string
			next, end, empty bool
		}{
			{name: "capped, first page", path: "/search?q=ferry", total: story.SearchCandidates + 1,
				count: "More than " + thousands(story.SearchCandidates) + " stories match", pages: "of " + last, next: true},
			{name: "capped, last page", path: "/search?q=ferry&page=" + last, total: story.SearchCandidates + 1,
				count: "More than", pages: "Page " + last + " of " + last, end: true},
			{name: "capped, past the last page", path: "/search?q=ferry&page=" + past, total: story.SearchCandidates + 1,
				count: "More than", end: true},
			{name: "exact", path: "/search?q=ferry", total: story.SearchCandidates,
				count: strconv.Itoa(story.SearchCandidates) + " stories found.", pages: "of " + last, next: true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				srv, err := New(Options{BaseURL: testBase, Stories: storiesOf(manyMatches{Store: db, total: tc.total}),
					Now: func() time.Time { return testNow }, Logger: slog.New(slog.DiscardHandler)})
				if err != nil {
					t.Fatal(err)
				}
				s := &site{Server: srv, db: db}
				_, doc := s.mustGet(t, tc.path, http.StatusOK)
				count := text(one(t, doc, "p.result-count"))
				if !strings.Contains(count, tc.count) {
					t.Errorf("result count %q, want %q", count, tc.count)
				}
				if tc.total > story.SearchCandidates && strings.Contains(count, thousands(tc.total)) {
					t.Errorf("result count %q gives the capped total as exact", count)
				}
				if tc.pages != "" {
					if got := text(one(t, doc, "nav.pager")); !strings.Contains(got, tc.pages) {
						t.Errorf("pager %q, want %q", got, tc.pages)
					}
				}
				next := findAll(doc, "a[rel=next]")
				if tc.next != (len(next) == 1) {
					t.Fatalf("%d next links, want one: %v", len(next), tc.next)
				}
				if tc.next {
					// The next page is the same search, one page on.
					href := attr(next[0], "href")
					if !strings.Contains(href, "q=ferry") || !strings.HasSuffix(href, "&page=2") {
						t.Errorf("next page link %q", href)
					}
					s.mustGet(t, href, http.StatusOK)
				}
				end := findAll(doc, "p.search-end")
				if tc.end != (len(end) == 1) {
					t.Fatalf("%d end notes, want one: %v", len(end), tc.end)
				}
				if tc.end && !strings.Contains(text(end[0]), "section or date") {
					t.Errorf("the end note does not suggest narrowing: %q", text(end[0]))
				}
			})
		}
	})
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 500: "500", 1234567: "1,234,567", -1000: "-1,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
