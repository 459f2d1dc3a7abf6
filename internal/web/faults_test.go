package web

import (
	"context"
	"dateline/internal/dberr"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

// TestAFailedSessionLookupIsNotASignedOutPage cuts the database away under
// a signed-in reader: every page they ask for is a 503 to retry, never a
// page served as if they were signed out, nor a trip to the log-in page,
// and their cookie is kept.
func TestAFailedSessionLookupIsNotASignedOutPage(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		st := freeStory(t, s)
		ann := s.subscriberBrowser(t, "ann@example.com")
		if r := ann.get("/account"); r.Code != http.StatusOK {
			t.Fatalf("/account = %d before the cut", r.Code)
		}
		if err := s.db.Close(); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/account", st.Path(), "/"} {
			r := ann.get(path)
			if r.Code != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
				t.Errorf("GET %s with the database away = %d (Location %q), want 503 with Retry-After",
					path, r.Code, r.Header.Get("Location"))
			}
			if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
				t.Errorf("GET %s: Cache-Control %q, want no-store", path, cc)
			}
			if _, ok := ann.cookies[sessionCookie]; !ok {
				t.Fatalf("GET %s dropped the reader's session cookie", path)
			}
		}
	})
}

// TestAReaderWhoHangsUpDuringTheSignInCheckIsNoFault: a signed-in
// reader's request whose client is gone before the session is read is
// counted as 499 (before any route is chosen, so as "unmatched") and
// logged at debug, not warned about as a failed lookup.
func TestAReaderWhoHangsUpDuringTheSignInCheckIsNoFault(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		logs := &logRecords{}
		s := newAccountSiteWith(t, db, accountSiteOptions{log: slog.New(logs)})
		ann := s.subscriberBrowser(t, "ann@example.com")
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/account", nil)
		req.AddCookie(ann.cookies[sessionCookie])
		before := len(logs.atLeast(slog.LevelWarn))
		s.ServeHTTP(httptest.NewRecorder(), req)
		if n := requestCount(s.Server, "unmatched", "GET", 499); n != 1 {
			t.Errorf("counted %d requests as 499, want 1", n)
		}
		if n := requestCount(s.Server, "unmatched", "GET", http.StatusServiceUnavailable); n != 0 {
			t.Errorf("counted %d requests as 503", n)
		}
		if msgs := logs.atLeast(slog.LevelWarn); len(msgs) > before {
			t.Errorf("a reader hanging up was warned about: %q", msgs[before:])
		}
	})
}

// TestAFullDiskKeepsTheCommentAndSaysNotReady fills the SQLite database to
// its size limit (SQLite's own "database or disk is full", as a full disk
// gives it): a comment is answered with a 503 that keeps the text in the
// form, /readyz says the site cannot write, and both mend once a write
// goes through again. PostgreSQL's disk cannot be filled from a test; its
// disk_full error (53100) takes the same path (dberr.IsFull).
func TestAFullDiskKeepsTheCommentAndSaysNotReady(t *testing.T) {
	path := storetest.DSN(t, store.SQLite)
	storetest.LimitPages(t, path, fullPages)
	db := storetest.OpenAt(t, path)
	s := newAccountSite(t, db)
	s.Server.probe = db
	st := freeStory(t, s)
	ann := s.subscriberBrowser(t, "ann@example.com")
	if r := s.browser(t).get("/readyz"); r.Code != http.StatusOK {
		t.Fatalf("/readyz = %d before the disk fills", r.Code)
	}

	raw := storetest.RawOf(t, db)
	fill(t, raw)
	// Longer than a database page, so it needs room that is not there.
	words := "The port authority's figures for March " + strings.Repeat("and the ferries included ", 190) + "in full."
	r := ann.post("/comments", "story", st.Slug, "body", words)
	if r.Code != http.StatusServiceUnavailable {
		t.Fatalf("a comment on a full disk = %d, want 503\n%.600s", r.Code, r.Body)
	}
	if v, _ := textareaState(t, r.Doc, "new-comment"); v != words {
		t.Errorf("the comment's text was not kept in the form (%d of %d characters)", len(v), len(words))
	}
	if !strings.Contains(text(r.Doc), "We cannot save comments just now") {
		t.Error("the page does not say the comment could not be saved")
	}
	if r := s.browser(t).get("/readyz"); r.Code != http.StatusServiceUnavailable || !strings.Contains(r.Body, "disk is full") {
		t.Errorf("/readyz = %d %q with a full disk, want 503 saying so", r.Code, r.Body)
	}
	// Reading goes on.
	if r := ann.get(st.Path()); r.Code != http.StatusOK {
		t.Errorf("the story = %d with a full disk", r.Code)
	}

	// Room is made again: the filler goes.
	raw.Exec(t, `DROP TABLE filler`)
	commentID(t, ann.post("/comments", "story", st.Slug, "body", words))
	if r := s.browser(t).get("/readyz"); r.Code != http.StatusOK {
		t.Errorf("/readyz = %d %q after a write went through, want 200", r.Code, r.Body)
	}
}

// fullPages is the size limit of the database that fill fills, in pages
// of 4 kB: several times what the site needs.
const fullPages = 2000

// fill makes the SQLite database full: a filler table takes the room left
// under its size limit (storetest.LimitPages), large rows first, then rows
// smaller than a page for the last of it.
func fill(t *testing.T, raw *storetest.RawDB) {
	t.Helper()
	raw.Exec(t, `CREATE TABLE filler (b BLOB)`)
	written := 0
	for _, size := range []int{64 << 10, 500} {
		for {
			err := raw.TryExec(`INSERT INTO filler VALUES (randomblob(?))`, size)
			if dberr.IsFull(err) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if written += size; written > 2*fullPages*4096 {
				t.Fatal("the database never filled")
			}
		}
	}
}
