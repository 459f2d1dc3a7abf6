package web

import (
	"context"
	"dateline/internal/clock"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

// TestQueriesPerPage holds the pages readers load most to a number of
// database queries, counted on PostgreSQL: a cached page needs none, and
// a signed-in reader's pages need a handful, whatever the number of
// stories or comments they show (no query per story or per comment).
func TestQueriesPerPage(t *testing.T) {
	dsn, queries := storetest.CountingDSN(t, storetest.DSN(t, store.Postgres))
	db, err := store.Open(context.Background(), dsn, clock.System)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	// With the demo's pictures, which lists read in one query.
	s := newAccountSiteWith(t, db, accountSiteOptions{pictures: true})
	paid := s.paidStory(t)
	free := freeStory(t, s)
	// A long discussion must not cost a query per comment; readers may
	// post five comments in five minutes, so three write them.
	for i, email := range []string{"ann@example.com", "bo@example.com", "cy@example.com"} {
		b := s.subscriberBrowser(t, email)
		for j := range 4 {
			commentID(t, b.post("/comments", "story", paid.Slug, "body", fmt.Sprintf("Comment %d by reader %d.", j, i)))
		}
	}
	sub := s.subscriberBrowser(t, "sam@example.com")

	count := func(b *browser, path string) int64 {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if b != nil {
			for _, c := range b.cookies {
				req.AddCookie(c)
			}
		}
		before := queries.Load()
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s = %d", path, rec.Code)
		}
		return queries.Load() - before
	}
	for _, tc := range []struct {
		name string
		b    *browser
		path string
		max  int64
	}{
		{"anonymous story page, kept", nil, free.Path(), 0},
		{"anonymous front page, kept", nil, "/", 0},
		// Each bound is what the page needs plus two: the snapshots of the
		// settings and of the sections are each read again once a second.
		// A query per comment or per story would pass them by far.
		{"subscriber's story page with 12 comments", sub, paid.Path(), 3},
		// Lists read their stories' pictures in one query.
		{"subscriber's front page", sub, "/", 7},
		{"subscriber's section page", sub, "/section/" + paid.Section.Slug, 8},
	} {
		count(tc.b, tc.path) // the first request fills what is kept
		if n := count(tc.b, tc.path); n > tc.max {
			t.Errorf("%s: %d queries, want at most %d", tc.name, n, tc.max)
		} else {
			t.Logf("%s: %d queries", tc.name, n)
		}
	}
}
