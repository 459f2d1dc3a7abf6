package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"dateline/internal/story"
)

// pick returns the first published story for which match is true, loaded
// whole.
func (s *site) pick(t testing.TB, match func(*story.Story) bool) *story.Story {
	t.Helper()
	ctx := context.Background()
	list, err := s.db.PublishedStories(ctx, story.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, item := range list {
		st, err := s.db.StoryBySlug(ctx, item.Slug)
		if err != nil {
			t.Fatal(err)
		}
		if match(st) {
			return st
		}
	}
	t.Fatal("no demo story matches")
	return nil
}

func TestFrontPage(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		_, doc := s.mustGet(t, "/", http.StatusOK)
		latest, err := s.db.PublishedStories(context.Background(), story.Filter{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		lead := one(t, doc, "h2.lead-headline")
		if got := text(lead); got != latest[0].Headline {
			t.Errorf("lead headline = %q, want the newest story %q", got, latest[0].Headline)
		}
		cards := findAll(doc, "article.card")
		if len(cards) != 15 {
			t.Errorf("front page shows %d cards beside the lead, want 15", len(cards))
		}
		// Landmarks and navigation every page has.
		one(t, doc, "main")
		one(t, doc, "header.masthead")
		one(t, doc, "footer")
		nav := one(t, doc, "nav.sections")
		if attr(nav, "aria-label") == "" {
			t.Error("section navigation has no label")
		}
		if n := len(findAll(nav, "a")); n != 6 {
			t.Errorf("navigation has %d links, want home and 5 sections", n)
		}
		if got := attr(one(t, doc, "link[rel=canonical]"), "href"); got != testBase+"/" {
			t.Errorf("canonical = %q", got)
		}
	})
}

func TestStoryPage(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		st := s.pick(t, func(st *story.Story) bool {
			return st.Dateline != "" && len(st.Corrections) > 0 && len(st.Tags) > 0
		})
		res, doc := s.mustGet(t, st.Path(), http.StatusOK)
		canonical := testBase + st.Path()

		if got := text(one(t, doc, "h1")); got != st.Headline {
			t.Errorf("h1 = %q, want %q", got, st.Headline)
		}
		// The dateline is printed in capitals before the first sentence.
		first := findAll(one(t, doc, "div.story-body"), "p")[0]
		wantStart := strings.ToUpper(st.Dateline) + " – "
		if got := text(first); !strings.HasPrefix(got, wantStart) || len(got) < len(wantStart)+20 {
			t.Errorf("first paragraph = %.80q, want it to start with %q and go on", got, wantStart)
		}
		// Byline, linked to the author page.
		byline := one(t, doc, "span.byline")
		if got := text(byline); !strings.Contains(got, st.Bylines[0].Name) {
			t.Errorf("byline = %q, want %q", got, st.Bylines[0].Name)
		}
		// The time as a machine-readable <time datetime>.
		published := one(t, doc, "time.published")
		if at, err := time.Parse(time.RFC3339, attr(published, "datetime")); err != nil || !at.Equal(st.PublishedAt) {
			t.Errorf("<time datetime=%q> = %v, %v; want %v", attr(published, "datetime"), at, err, st.PublishedAt)
		}
		// Section and tags.
		if got := text(one(t, doc, "p.kicker")); !strings.Contains(got, st.Section.Name) {
			t.Errorf("kicker = %q, want section %q", got, st.Section.Name)
		}
		tagLinks := findAll(one(t, doc, "nav.tags"), "a")
		if len(tagLinks) != len(st.Tags) || attr(tagLinks[0], "href") != "/tag/"+st.Tags[0].Slug {
			t.Errorf("tag links = %d, want %d starting /tag/%s", len(tagLinks), len(st.Tags), st.Tags[0].Slug)
		}
		// Corrections at the foot of the text.
		corr := findAll(one(t, doc, "section.corrections"), "p.correction")
		if len(corr) != len(st.Corrections) || !strings.Contains(text(corr[0]), st.Corrections[0].Body) {
			t.Errorf("corrections = %d, want %d", len(corr), len(st.Corrections))
		}
		// The canonical link, OpenGraph and Twitter card.
		if got := attr(one(t, doc, "link[rel=canonical]"), "href"); got != canonical {
			t.Errorf("canonical = %q, want %q", got, canonical)
		}
		for prop, want := range map[string]string{"og:title": st.Headline, "og:url": canonical, "og:type": "article"} {
			if got := attr(one(t, doc, "meta[property="+prop+"]"), "content"); got != want {
				t.Errorf("%s = %q, want %q", prop, got, want)
			}
		}
		one(t, doc, "meta[name=twitter:card]")

		// Copy the story link: the button, the read-only field, the live
		// region, and sharing by email.
		button := one(t, doc, "button.copy-link")
		if got := text(button); got != "Copy the story link" || attr(button, "type") != "button" {
			t.Errorf("copy button = %q type %q", got, attr(button, "type"))
		}
		field := one(t, doc, "input.story-link")
		if attr(field, "value") != canonical || !hasAttr(field, "readonly") {
			t.Errorf("link field value %q readonly=%v, want %q", attr(field, "value"), hasAttr(field, "readonly"), canonical)
		}
		label := one(t, doc, "label")
		if attr(label, "for") != attr(field, "id") {
			t.Error("the link field has no label")
		}
		if attr(one(t, doc, "p.copy-status"), "aria-live") != "polite" {
			t.Error("copy status is not an aria-live region")
		}
		mail := attr(one(t, doc, "a.mail-share"), "href")
		if !strings.HasPrefix(mail, "mailto:?subject=") || !strings.Contains(mail, "body="+escapeMailto(canonical)) {
			t.Errorf("mail link = %q", mail)
		}
		if strings.Contains(mail, "+") {
			t.Errorf("mail link encodes spaces as +: %q", mail)
		}

		// JSON-LD NewsArticle.
		var ld map[string]any
		script := one(t, doc, "script[type=application/ld+json]")
		if err := json.Unmarshal([]byte(text(script)), &ld); err != nil {
			t.Fatalf("JSON-LD: %v\n%s", err, text(script))
		}
		for key, want := range map[string]any{
			"@type":               "NewsArticle",
			"headline":            st.Headline,
			"datePublished":       st.PublishedAt.Format(time.RFC3339),
			"dateModified":        st.Modified().Format(time.RFC3339),
			"dateline":            st.Dateline,
			"isAccessibleForFree": st.Access == story.Free,
		} {
			if ld[key] != want {
				t.Errorf("JSON-LD %s = %v, want %v", key, ld[key], want)
			}
		}
		authors, _ := ld["author"].([]any)
		if len(authors) != len(st.Bylines) || authors[0].(map[string]any)["name"] != st.Bylines[0].Name {
			t.Errorf("JSON-LD author = %v", ld["author"])
		}
		if pub, _ := ld["publisher"].(map[string]any); pub["name"] != "Dateline" {
			t.Errorf("JSON-LD publisher = %v", ld["publisher"])
		}
		if res.Header.Get("Content-Security-Policy") == "" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Error("security headers missing")
		}
	})
}

func TestStoryPageMarksSubscriberStoriesAndUpdates(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		paid := s.pick(t, func(st *story.Story) bool { return st.Access == story.Subscribers })
		_, doc := s.mustGet(t, paid.Path(), http.StatusOK)
		if got := text(one(t, one(t, doc, "p.kicker"), "span.badge")); !strings.Contains(got, "subscribers") {
			t.Errorf("badge = %q", got)
		}
		var ld map[string]any
		json.Unmarshal([]byte(text(one(t, doc, "script[type=application/ld+json]"))), &ld)
		if ld["isAccessibleForFree"] != false {
			t.Errorf("isAccessibleForFree = %v for a subscriber story", ld["isAccessibleForFree"])
		}

		updated := s.pick(t, func(st *story.Story) bool { return st.Updated() })
		_, doc = s.mustGet(t, updated.Path(), http.StatusOK)
		upd := one(t, doc, "span.updated")
		if !strings.HasPrefix(text(upd), "Updated") || attr(one(t, upd, "time"), "datetime") != updated.UpdatedAt.Format(time.RFC3339) {
			t.Errorf("updated = %q", text(upd))
		}
	})
}

func TestStoryURLs(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		st := s.pick(t, func(*story.Story) bool { return true })
		// A wrong date in the address redirects to the one true URL.
		res := s.get(t, "/1999/01/01/"+st.Slug)
		if res.Code != http.StatusMovedPermanently || res.Header.Get("Location") != st.Path() {
			t.Errorf("wrong date: %d → %q, want 301 → %q", res.Code, res.Header.Get("Location"), st.Path())
		}
		// Drafts and stories scheduled for later are not there yet.
		r := story.NewRenderer()
		for _, hidden := range []*story.Story{
			{Headline: "An unfinished draft", Section: story.Section{Slug: "world"}, Bylines: []story.Byline{{Name: "X"}}},
			{Headline: "Embargoed until tomorrow", Section: story.Section{Slug: "world"}, Bylines: []story.Byline{{Name: "X"}},
				Status: story.Scheduled, PublishedAt: testNow.Add(24 * time.Hour)},
		} {
			if err := hidden.Prepare(r); err != nil {
				t.Fatal(err)
			}
			if err := s.db.CreateStory(context.Background(), hidden); err != nil {
				t.Fatal(err)
			}
			day := testNow.Add(24 * time.Hour)
			s.mustGet(t, story.Path(day, hidden.Slug), http.StatusNotFound)
			s.mustGet(t, story.Path(testNow, hidden.Slug), http.StatusNotFound)
			if res := s.get(t, "/"); strings.Contains(res.Body, hidden.Headline) {
				t.Errorf("front page lists %q", hidden.Headline)
			}
		}
	})
}

func TestListPages(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		world, _ := s.db.SectionBySlug(ctx, "world")
		n, _ := s.db.CountPublished(ctx, story.Filter{SectionID: world.ID})
		_, doc := s.mustGet(t, "/section/world", http.StatusOK)
		if got := len(findAll(doc, "article.card")); got != n || n < 2 {
			t.Errorf("section page shows %d stories, want %d", got, n)
		}
		if got := text(one(t, doc, "h1")); got != "World" {
			t.Errorf("section h1 = %q", got)
		}
		if attr(one(t, doc, "a[aria-current=page]"), "href") != "/section/world" {
			t.Error("the current section is not marked in the navigation")
		}
		for _, card := range findAll(doc, "article.card") {
			if got := text(one(t, card, "p.kicker")); !strings.HasPrefix(got, "World") {
				t.Errorf("a card on the World page is in %q", got)
			}
		}

		st := s.pick(t, func(st *story.Story) bool { return len(st.Tags) > 0 && st.Bylines[0].AuthorSlug != "" })
		_, doc = s.mustGet(t, "/tag/"+st.Tags[0].Slug, http.StatusOK)
		if !strings.Contains(text(doc), st.Headline) {
			t.Errorf("tag page %s does not list %q", st.Tags[0].Slug, st.Headline)
		}
		_, doc = s.mustGet(t, "/author/"+st.Bylines[0].AuthorSlug, http.StatusOK)
		if !strings.Contains(text(doc), st.Headline) || text(one(t, doc, "h1")) != st.Bylines[0].Name {
			t.Errorf("author page %s does not list %q", st.Bylines[0].AuthorSlug, st.Headline)
		}
		for _, path := range []string{"/section/sport", "/tag/no-such-tag", "/author/nobody", "/section/world/feed.atom/x"} {
			s.mustGet(t, path, http.StatusNotFound)
		}
	})
}

func TestPagination(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.storySvc = s.storySvc.WithPageSize(5) // 16 demo stories: pages of 5, 5, 5, 1
		_, doc := s.mustGet(t, "/", http.StatusOK)
		if attr(one(t, doc, "a[rel=next]"), "href") != "/?page=2" {
			t.Error("page 1 has no link to page 2")
		}
		seen := map[string]bool{}
		for page := 1; page <= 4; page++ {
			_, doc := s.mustGet(t, fmt.Sprintf("/?page=%d", page), http.StatusOK)
			for _, a := range findAll(doc, "h2.lead-headline") {
				seen[text(a)] = true
			}
			for _, a := range findAll(doc, "h3.card-headline") {
				if seen[text(a)] {
					t.Errorf("%q appears on two pages", text(a))
				}
				seen[text(a)] = true
			}
		}
		if len(seen) != 16 {
			t.Errorf("the four pages show %d distinct stories, want 16", len(seen))
		}
		_, doc = s.mustGet(t, "/?page=4", http.StatusOK)
		if len(findAll(doc, "a[rel=next]")) != 0 || attr(one(t, doc, "a[rel=prev]"), "href") != "/?page=3" {
			t.Error("last page links are wrong")
		}
		s.mustGet(t, "/?page=5", http.StatusNotFound)
		for _, bad := range []string{"-1", "0", "abc", "1.5", "99999999999999999999999", "10001", "%00"} {
			res, doc := s.mustGet(t, "/?page="+bad, http.StatusBadRequest)
			if len(findAll(doc, "header.masthead")) != 1 {
				t.Errorf("page=%s: the 400 page does not look like the site", bad)
			}
			if !strings.Contains(res.Body, "page number") {
				t.Errorf("page=%s: the 400 page does not say what was wrong", bad)
			}
			s.mustGet(t, "/section/world?page="+bad, http.StatusBadRequest)
		}
	})
}

func TestNotFoundPageLooksLikeTheSite(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		for _, path := range []string{"/no/such/page", "/2026/11/29/no-such-story", "/static/nothing.css", "/.env"} {
			res := s.get(t, path)
			if res.Code != http.StatusNotFound {
				t.Errorf("GET %s = %d, want 404", path, res.Code)
			}
		}
		_, doc := s.mustGet(t, "/no/such/page", http.StatusNotFound)
		one(t, doc, "header.masthead")
		one(t, doc, "meta[name=robots]")
		if got := text(one(t, doc, "h1")); got != "Page not found" {
			t.Errorf("404 h1 = %q", got)
		}
	})
}

func TestSearchPage(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		st := s.pick(t, func(st *story.Story) bool { return st.Access == story.Subscribers })
		word := strings.Fields(st.Headline)[0]
		_, doc := s.mustGet(t, "/search?q="+url.QueryEscape(word), http.StatusOK)
		found := false
		for _, a := range findAll(doc, "a") {
			found = found || attr(a, "href") == st.Path()
		}
		if !found {
			t.Errorf("searching %q does not find %q", word, st.Headline)
		}
		// The snippets quote only the headline, dek and first paragraph.
		later := paragraphsAfterFirst(t, st)
		for _, p := range findAll(doc, "p.snippet") {
			for _, l := range later {
				if strings.Contains(text(p), strings.Join(strings.Fields(l)[:5], " ")) {
					t.Errorf("a snippet quotes the paywalled body: %q", text(p))
				}
			}
		}
		// Odd input never breaks the page.
		for _, q := range []string{`"`, `*`, `-`, `NEAR`, `"unbalanced`, strings.Repeat("long ", 500), "<script>alert(1)</script>"} {
			res, _ := s.mustGet(t, "/search?q="+url.QueryEscape(q), http.StatusOK)
			if strings.Contains(res.Body, "<script>alert(1)") {
				t.Error("the query is echoed unescaped")
			}
		}
		s.mustGet(t, "/search", http.StatusOK)
		s.mustGet(t, "/search?q=ferry&from=yesterday", http.StatusBadRequest)
		s.mustGet(t, "/search?q=ferry&section=nope", http.StatusBadRequest)
		s.mustGet(t, "/search?q=ferry&page=-1", http.StatusBadRequest)
		if got := snippetHTML("a <b> " + story.HighlightStart + "x" + story.HighlightEnd); got != "a &lt;b&gt; <mark>x</mark>" {
			t.Errorf("snippetHTML = %q", got)
		}
	})
}
