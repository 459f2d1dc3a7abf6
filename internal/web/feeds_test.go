package web

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"dateline/internal/story"
)

// atomFeed is the part of an Atom document the tests check, read with the
// Atom namespace so elements in any other namespace do not count.
type atomFeed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"http://www.w3.org/2005/Atom id"`
	Title   string   `xml:"http://www.w3.org/2005/Atom title"`
	Updated string   `xml:"http://www.w3.org/2005/Atom updated"`
	Links   []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"http://www.w3.org/2005/Atom link"`
	Entries []struct {
		ID      string `xml:"http://www.w3.org/2005/Atom id"`
		Title   string `xml:"http://www.w3.org/2005/Atom title"`
		Updated string `xml:"http://www.w3.org/2005/Atom updated"`
		Link    struct {
			Href string `xml:"href,attr"`
		} `xml:"http://www.w3.org/2005/Atom link"`
		Authors []struct {
			Name string `xml:"http://www.w3.org/2005/Atom name"`
		} `xml:"http://www.w3.org/2005/Atom author"`
		Content *struct {
			Type string `xml:"type,attr"`
			Body string `xml:",chardata"`
		} `xml:"http://www.w3.org/2005/Atom content"`
	} `xml:"http://www.w3.org/2005/Atom entry"`
}

func parseAtom(t *testing.T, res response) atomFeed {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/atom+xml") {
		t.Errorf("Content-Type = %q", ct)
	}
	var f atomFeed
	if err := xml.Unmarshal([]byte(res.Body), &f); err != nil {
		t.Fatalf("feed does not parse: %v", err)
	}
	if f.ID == "" || f.Title == "" {
		t.Errorf("feed id %q title %q: both required", f.ID, f.Title)
	}
	if _, err := time.Parse(time.RFC3339, f.Updated); err != nil {
		t.Errorf("feed updated %q: %v", f.Updated, err)
	}
	self := false
	for _, l := range f.Links {
		self = self || l.Rel == "self"
	}
	if !self {
		t.Error("feed has no rel=self link")
	}
	for _, e := range f.Entries {
		if e.ID == "" || e.Title == "" || e.Link.Href == "" || len(e.Authors) == 0 || e.Authors[0].Name == "" {
			t.Errorf("entry %q lacks a required element", e.Title)
		}
		if _, err := time.Parse(time.RFC3339, e.Updated); err != nil {
			t.Errorf("entry updated %q: %v", e.Updated, err)
		}
	}
	return f
}

func TestSiteFeed(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		res, _ := s.mustGet(t, "/feed.atom", http.StatusOK)
		f := parseAtom(t, res)
		if len(f.Entries) != 16 {
			t.Fatalf("feed has %d entries, want the 16 published stories", len(f.Entries))
		}
		latest, _ := s.db.PublishedStories(context.Background(), story.Filter{Limit: 1})
		if f.Entries[0].Link.Href != testBase+latest[0].Path() || f.Entries[0].ID != f.Entries[0].Link.Href {
			t.Errorf("first entry link %q, want %q", f.Entries[0].Link.Href, testBase+latest[0].Path())
		}
		paid := s.pick(t, func(st *story.Story) bool { return st.Access == story.Subscribers })
		free := s.pick(t, func(st *story.Story) bool { return st.Access == story.Free })
		for _, e := range f.Entries {
			switch e.Title {
			case paid.Headline:
				if e.Content != nil {
					t.Errorf("subscriber story %q has its text in the feed", e.Title)
				}
			case free.Headline:
				if e.Content == nil || e.Content.Type != "html" || !strings.Contains(e.Content.Body, "<p>") {
					t.Errorf("free story %q has no HTML content in the feed", e.Title)
				}
			}
		}
	})
}

func TestSectionFeed(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		res, _ := s.mustGet(t, "/section/science/feed.atom", http.StatusOK)
		f := parseAtom(t, res)
		sci, _ := s.db.SectionBySlug(context.Background(), "science")
		n, _ := s.db.CountPublished(context.Background(), story.Filter{SectionID: sci.ID})
		if len(f.Entries) != n || n == 0 {
			t.Errorf("science feed has %d entries, want %d", len(f.Entries), n)
		}
		if !strings.Contains(f.Title, "Science") {
			t.Errorf("feed title %q", f.Title)
		}
		s.mustGet(t, "/section/nothing/feed.atom", http.StatusNotFound)
	})
}

type sitemap struct {
	XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []struct {
		Loc     string `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 loc"`
		LastMod string `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 lastmod"`
		News    *struct {
			Publication struct {
				Name     string `xml:"http://www.google.com/schemas/sitemap-news/0.9 name"`
				Language string `xml:"http://www.google.com/schemas/sitemap-news/0.9 language"`
			} `xml:"http://www.google.com/schemas/sitemap-news/0.9 publication"`
			Date  string `xml:"http://www.google.com/schemas/sitemap-news/0.9 publication_date"`
			Title string `xml:"http://www.google.com/schemas/sitemap-news/0.9 title"`
		} `xml:"http://www.google.com/schemas/sitemap-news/0.9 news"`
	} `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 url"`
}

func parseSitemap(t *testing.T, body string) sitemap {
	t.Helper()
	var sm sitemap
	if err := xml.Unmarshal([]byte(body), &sm); err != nil {
		t.Fatalf("sitemap does not parse: %v", err)
	}
	return sm
}

func TestSitemaps(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		res, _ := s.mustGet(t, "/sitemap.xml", http.StatusOK)
		sm := parseSitemap(t, res.Body)
		refs, _ := s.db.PublishedRefs(ctx, time.Time{}, 1000)
		want := map[string]time.Time{}
		for _, r := range refs {
			want[testBase+r.Path()] = r.Modified
		}
		found := 0
		for _, u := range sm.URLs {
			mod, ok := want[u.Loc]
			if !ok {
				continue
			}
			found++
			if got, err := time.Parse(time.RFC3339, u.LastMod); err != nil || !got.Equal(mod) {
				t.Errorf("%s lastmod %q, want %v", u.Loc, u.LastMod, mod)
			}
		}
		if found != len(refs) || found != 16 {
			t.Errorf("sitemap lists %d of %d published stories", found, len(refs))
		}

		res, _ = s.mustGet(t, "/sitemap-news.xml", http.StatusOK)
		news := parseSitemap(t, res.Body)
		recent, _ := s.db.PublishedRefs(ctx, testNow.Add(-48*time.Hour), 1000)
		if len(news.URLs) != len(recent) || len(recent) == 0 || len(recent) == 16 {
			t.Fatalf("news sitemap lists %d, want the %d stories of the last 48 hours", len(news.URLs), len(recent))
		}
		for _, u := range news.URLs {
			if u.News == nil || u.News.Publication.Name != "Dateline" || u.News.Publication.Language != "en" || u.News.Title == "" {
				t.Fatalf("news entry %s incomplete: %+v", u.Loc, u.News)
			}
			at, err := time.Parse(time.RFC3339, u.News.Date)
			if err != nil || at.Before(testNow.Add(-48*time.Hour)) {
				t.Errorf("news entry %s dated %q", u.Loc, u.News.Date)
			}
		}

		res, _ = s.mustGet(t, "/robots.txt", http.StatusOK)
		for _, line := range []string{"Sitemap: " + testBase + "/sitemap.xml", "Sitemap: " + testBase + "/sitemap-news.xml"} {
			if !strings.Contains(res.Body, line+"\n") {
				t.Errorf("robots.txt lacks %q", line)
			}
		}
	})
}

// sitemapIndexDoc is a sitemap index, read with the sitemaps namespace.
type sitemapIndexDoc struct {
	XMLName  xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemapindex"`
	Sitemaps []struct {
		Loc     string `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 loc"`
		LastMod string `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 lastmod"`
	} `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemap"`
}

// withSitemapURLs is s served with at most n URLs to a sitemap file.
func withSitemapURLs(t *testing.T, s *site, n int) *site {
	t.Helper()
	srv, err := New(Options{BaseURL: testBase, Now: func() time.Time { return testNow }, Logger: s.log, Stories: storiesOf(s.db), SitemapURLs: n})
	if err != nil {
		t.Fatal(err)
	}
	return &site{Server: srv, db: s.db}
}

func TestSitemapIndex(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		secs, err := s.db.Sections(ctx)
		if err != nil || len(secs) == 0 {
			t.Fatalf("sections: %v, %v", secs, err)
		}
		// Beside the demo's stories: an old story updated an hour ago, so
		// the oldest file changed then, and stories readers cannot see.
		updated := testNow.Add(-time.Hour + 123456*time.Microsecond)
		r := story.NewRenderer()
		for _, st := range []*story.Story{
			{Headline: "Ferry timetable from the archive", Status: story.Published,
				PublishedAt: testNow.AddDate(-3, 0, 0), UpdatedAt: updated},
			{Headline: "Unfinished draft"},
			{Headline: "Scheduled for tonight", Status: story.Scheduled, PublishedAt: testNow.Add(6 * time.Hour)},
			{Headline: "Published for tomorrow", Status: story.Published, PublishedAt: testNow.Add(24 * time.Hour)},
		} {
			st.Section = secs[0]
			st.Bylines = []story.Byline{{Name: "Desk"}}
			if err := st.Prepare(r); err != nil {
				t.Fatal(err)
			}
			if err := s.db.CreateStory(ctx, st); err != nil {
				t.Fatal(err)
			}
		}
		refs, err := s.db.PublishedRefs(ctx, time.Time{}, 1000)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]time.Time{}
		for _, ref := range refs {
			want[testBase+ref.Path()] = ref.Modified.Truncate(time.Second) // lastmod keeps seconds
		}
		if len(want) != 17 {
			t.Fatalf("%d published stories, want the demo's 16 and one more", len(want))
		}

		const size = 3
		small := withSitemapURLs(t, s, size)
		res, _ := small.mustGet(t, "/sitemap.xml", http.StatusOK)
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/xml") {
			t.Errorf("sitemap index Content-Type = %q", ct)
		}
		var index sitemapIndexDoc
		if err := xml.Unmarshal([]byte(res.Body), &index); err != nil {
			t.Fatalf("/sitemap.xml is not a sitemap index: %v\n%s", err, res.Body)
		}
		if files := (len(want) + size - 1) / size; len(index.Sitemaps) != files {
			t.Fatalf("index names %d files, want %d\n%s", len(index.Sitemaps), files, res.Body)
		}
		seen := map[string]bool{}
		for i, file := range index.Sitemaps {
			path := fmt.Sprintf("/sitemaps/%d.xml", i+1)
			if file.Loc != testBase+path {
				t.Errorf("file %d at %q, want %q", i+1, file.Loc, testBase+path)
			}
			res, _ := small.mustGet(t, path, http.StatusOK)
			sm := parseSitemap(t, res.Body)
			if len(sm.URLs) == 0 || len(sm.URLs) > size {
				t.Errorf("%s lists %d URLs, want 1 to %d", path, len(sm.URLs), size)
			}
			var newest time.Time
			for _, u := range sm.URLs {
				mod, ok := want[u.Loc]
				switch {
				case !ok:
					t.Errorf("%s lists %s, which is not a published story", path, u.Loc)
				case seen[u.Loc]:
					t.Errorf("%s lists %s again", path, u.Loc)
				}
				seen[u.Loc] = true
				got, err := time.Parse(time.RFC3339, u.LastMod)
				if err != nil || !got.Equal(mod) {
					t.Errorf("%s: %s lastmod %q, want %v", path, u.Loc, u.LastMod, mod)
				}
				if mod.After(newest) {
					newest = mod
				}
			}
			if got, err := time.Parse(time.RFC3339, file.LastMod); err != nil || !got.Equal(newest) {
				t.Errorf("index: %s lastmod %q, want its newest story's %v", path, file.LastMod, newest)
			}
		}
		for loc := range want {
			if !seen[loc] {
				t.Errorf("no file of the index lists %s", loc)
			}
		}
		// The files run oldest first: the archive story, updated an hour
		// ago, dates the first file.
		if got, _ := time.Parse(time.RFC3339, index.Sitemaps[0].LastMod); !got.Equal(updated.Truncate(time.Second)) {
			t.Errorf("first file lastmod %q, want %v", index.Sitemaps[0].LastMod, updated)
		}

		for _, path := range []string{
			"/sitemaps/0.xml", fmt.Sprintf("/sitemaps/%d.xml", len(index.Sitemaps)+1), "/sitemaps/1000.xml",
			"/sitemaps/9223372036854775807.xml", "/sitemaps/99999999999999999999999999.xml",
			"/sitemaps/-1.xml", "/sitemaps/+1.xml", "/sitemaps/01.xml", "/sitemaps/1", "/sitemaps/1.xml.gz",
			"/sitemaps/one.xml", "/sitemaps/.xml", "/sitemaps/1e1.xml", "/sitemaps/", "/sitemaps/1.xml/2",
		} {
			if res := small.get(t, path); res.Code != http.StatusNotFound {
				t.Errorf("GET %s = %d, want 404", path, res.Code)
			}
		}

		// While the stories and the front page fit in one file,
		// /sitemap.xml is that file, and the index's files are not found.
		for _, tc := range []struct {
			size  int
			files int // 0: one urlset
		}{
			{len(want) + 1, 0},
			{len(want), 1},
			{len(want) - 1, 2},
		} {
			site := withSitemapURLs(t, s, tc.size)
			res, _ := site.mustGet(t, "/sitemap.xml", http.StatusOK)
			if tc.files == 0 {
				sm := parseSitemap(t, res.Body)
				if len(sm.URLs) != len(want)+1 || sm.URLs[0].Loc != testBase+"/" {
					t.Errorf("size %d: sitemap lists %d URLs, want the front page and %d stories", tc.size, len(sm.URLs), len(want))
				}
				site.mustGet(t, "/sitemaps/1.xml", http.StatusNotFound)
				continue
			}
			var index sitemapIndexDoc
			if err := xml.Unmarshal([]byte(res.Body), &index); err != nil || len(index.Sitemaps) != tc.files {
				t.Errorf("size %d: want an index of %d files, got %v\n%s", tc.size, tc.files, err, res.Body)
			}
			site.mustGet(t, fmt.Sprintf("/sitemaps/%d.xml", tc.files), http.StatusOK)
			site.mustGet(t, fmt.Sprintf("/sitemaps/%d.xml", tc.files+1), http.StatusNotFound)
		}
	})
}

// brokenStore answers the navigation but fails every list, as a database
// that went away would.
type brokenStore struct{ story.Store }

func (brokenStore) CountPublished(context.Context, story.Filter) (int, error) {
	return 0, errors.New("corrupt page: secret-detail")
}

// brokenProbe is a database that does not answer the health check.
type brokenProbe struct{ Probe }

func (brokenProbe) Ping(context.Context) error { return errors.New("down") }

// awayStore fails as a database does whose connection was cut.
type awayStore struct{ story.Store }

func (awayStore) CountPublished(context.Context, story.Filter) (int, error) {
	return 0, fmt.Errorf("store: count published: %w", io.ErrUnexpectedEOF)
}

func TestServerErrorsShowTheSitePageWithoutDetails(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		srv, err := New(Options{BaseURL: testBase, Now: func() time.Time { return testNow }, Logger: s.log,
			Stories: storiesOf(brokenStore{s.db}), Probe: brokenProbe{s.db}})
		if err != nil {
			t.Fatal(err)
		}
		broken := &site{Server: srv, db: s.db}
		res, doc := broken.mustGet(t, "/", http.StatusInternalServerError)
		one(t, doc, "header.masthead")
		if strings.Contains(res.Body, "secret-detail") {
			t.Error("the 500 page shows the internal error")
		}
		broken.mustGet(t, "/healthz", http.StatusServiceUnavailable)
		srv, err = New(Options{BaseURL: testBase, Now: func() time.Time { return testNow }, Logger: s.log,
			Stories: storiesOf(s.db), Probe: s.db})
		if err != nil {
			t.Fatal(err)
		}
		(&site{Server: srv, db: s.db}).mustGet(t, "/healthz", http.StatusOK)
		// A database that dropped the connection is a 503 with a retry time.
		srv, _ = New(Options{BaseURL: testBase, Now: func() time.Time { return testNow }, Logger: s.log,
			Stories: storiesOf(awayStore{s.db})})
		away := &site{Server: srv, db: s.db}
		res, _ = away.mustGet(t, "/", http.StatusServiceUnavailable)
		if res.Header.Get("Retry-After") == "" {
			t.Error("no Retry-After on a 503")
		}
	})
}

func TestStoryPageWeight(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		// The longest demo story, with its CSS and JS, stays under 50 KB.
		var longest *story.Story
		ctx := context.Background()
		list, _ := s.db.PublishedStories(ctx, story.Filter{})
		for _, item := range list {
			st, _ := s.db.StoryBySlug(ctx, item.Slug)
			if longest == nil || len(st.BodyHTML) > len(longest.BodyHTML) {
				longest = st
			}
		}
		res, _ := s.mustGet(t, longest.Path(), http.StatusOK)
		total := len(res.Body) + s.static.Size("site.css") + s.static.Size("site.js")
		if total > 50*1024 {
			t.Errorf("story page weighs %d bytes with its CSS and JS, over 50 KB", total)
		}
		t.Logf("story page: %d bytes HTML, %d CSS, %d JS", len(res.Body), s.static.Size("site.css"), s.static.Size("site.js"))
	})
}

func TestStaticFilesAreCachedByHash(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		url, err := s.static.URL("site.css")
		if err != nil {
			t.Fatal(err)
		}
		res, _ := s.mustGet(t, url, http.StatusOK)
		if !strings.Contains(res.Header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") {
			t.Errorf("headers = %v", res.Header)
		}
		res, _ = s.mustGet(t, "/static/site.css?v=old", http.StatusOK)
		if strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
			t.Error("a stale hash is cached for a year")
		}
	})
}

func TestMetricsReadinessAndRequestIDs(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		srv, err := New(Options{BaseURL: testBase, Now: func() time.Time { return testNow }, Stories: storiesOf(s.db), Probe: s.db, Logger: s.log})
		if err != nil {
			t.Fatal(err)
		}
		obs := &site{Server: srv, db: s.db}
		res := obs.get(t, "/section/world")
		if id := res.Header.Get("X-Request-ID"); len(id) != 16 {
			t.Errorf("request id %q", id)
		}
		obs.mustGet(t, "/readyz", http.StatusOK)
		// The public site serves no metrics: they are for the operator's
		// address alone (--metrics-addr).
		obs.mustGet(t, "/metrics", http.StatusNotFound)
		rec := httptest.NewRecorder()
		srv.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		res = response{Code: rec.Code, Body: rec.Body.String()}
		for _, want := range []string{
			`dateline_http_requests_total{code="200",method="GET",route="GET /section/{slug}"} 1`,
			`dateline_outbox_messages{state="pending"}`,
			`dateline_db_connections{pool="write",state="open"}`,
			`dateline_http_request_duration_seconds_bucket{route="GET /section/{slug}"`,
		} {
			if !strings.Contains(res.Body, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
	})
}
