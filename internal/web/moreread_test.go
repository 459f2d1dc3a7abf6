package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"dateline/internal/story"
)

// addStory saves a story on a test site's database, as the newsroom
// would. hours is how long before testNow it is published (negative:
// after); a draft has no time.
func addStory(t *testing.T, s *site, st *story.Story, hours float64) *story.Story {
	t.Helper()
	if st.Status != story.Draft {
		st.PublishedAt = testNow.Add(-time.Duration(hours * float64(time.Hour)))
	}
	if st.Section.Slug == "" {
		st.Section.Slug = "world"
	}
	st.Bylines = []story.Byline{{Name: "Agency reporters"}}
	if st.Status == "" {
		st.Status = story.Published
	}
	if st.Body == "" {
		st.Body = "The first paragraph of " + st.Headline + "."
	}
	if err := st.Prepare(story.NewRenderer()); err != nil {
		t.Fatal(err)
	}
	if err := s.db.CreateStory(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	return st
}

func tags(names ...string) []story.Tag {
	var out []story.Tag
	for _, n := range names {
		out = append(out, story.Tag{Name: n})
	}
	return out
}

// hrefs lists the links' addresses of the list items under sel.
func hrefs(doc *html.Node, sel string) []string {
	var out []string
	for _, sec := range findAll(doc, sel) {
		for _, li := range findAll(sec, "li") {
			out = append(out, attr(findAll(li, "a")[0], "href"))
		}
	}
	return out
}

// before reports whether a comes before b in the document.
func before(doc, a, b *html.Node) bool {
	seen := false
	var walk func(n *html.Node) bool
	walk = func(n *html.Node) bool {
		if n == a {
			seen = true
		}
		if n == b {
			return true
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if walk(c) {
				return true
			}
		}
		return false
	}
	walk(doc)
	return seen
}

func TestStoryPageOffersMoreToRead(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		// A subscribers' story of 700 words, with a correction, tagged with
		// topics of its own; stories sharing them, some not out.
		words := func(n int) string { return strings.TrimSpace(strings.Repeat("word ", n)) }
		st := addStory(t, s.site, &story.Story{Headline: "Lighthouse keepers return", Access: story.Subscribers,
			Tags: tags("Lighthouses", "Coastguard", "Fog"), Body: words(300) + "\n\n" + words(400),
			Corrections: []story.Correction{{Body: "An earlier version misnamed the lighthouse.", CreatedAt: testNow.Add(-time.Hour)}}}, 3)
		shareTwo := addStory(t, s.site, &story.Story{Headline: "Fog horns fall silent", Section: story.Section{Slug: "business"},
			Tags: tags("Fog", "Lighthouses")}, 30)
		shareOne := addStory(t, s.site, &story.Story{Headline: "A coastguard station opens", Tags: tags("Coastguard")}, 2)
		addStory(t, s.site, &story.Story{Headline: "Lighthouses at dawn", Status: story.Scheduled, Tags: tags("Lighthouses", "Fog", "Coastguard")}, -2)
		addStory(t, s.site, &story.Story{Headline: "Lighthouses in fog", Status: story.Draft, Tags: tags("Lighthouses", "Fog", "Coastguard")}, 0)
		addStory(t, s.site, &story.Story{Headline: "Lighthouses by night", Tags: tags("Lighthouses", "Fog", "Coastguard")}, -1)

		_, doc := s.mustGet(t, st.Path(), http.StatusOK)
		// The most shared first, then the newest; never the story itself
		// nor one not out.
		if got, want := hrefs(doc, "section.related"), []string{shareTwo.Path(), shareOne.Path()}; !slices.Equal(got, want) {
			t.Errorf("related stories = %v, want %v", got, want)
		}
		// The world's latest, without the story and the related ones.
		inWorld := hrefs(doc, "section.in-section")
		if len(inWorld) == 0 || len(inWorld) > story.SectionMore || slices.Contains(inWorld, st.Path()) || slices.Contains(inWorld, shareOne.Path()) {
			t.Errorf("more in World = %v, want 1 to %d others", inWorld, story.SectionMore)
		}
		if got := text(findAll(one(t, doc, "section.in-section"), "h2")[0]); got != "More in World" {
			t.Errorf("more in section heading = %q", got)
		}
		// 700 words: four minutes, though an anonymous reader sees only
		// the lead.
		if len(findAll(doc, "section.paywall")) != 1 {
			t.Error("an anonymous reader sees the whole subscribers' story")
		}
		if got := text(one(t, doc, "span.reading-time")); got != "4 min read" {
			t.Errorf("reading time = %q, want 4 min read", got)
		}
		// The day's archive is a link away.
		if got := attr(one(t, doc, "a.day-link"), "href"); got != "/2026/11/29/" {
			t.Errorf("the date links to %q, want the day's archive", got)
		}

		// Corrections at the foot of the text, above the comments.
		body, corr, comments := one(t, doc, "div.story-body"), one(t, doc, "section.corrections"), one(t, doc, "section[id=comments]")
		if !strings.Contains(text(corr), "misnamed the lighthouse") || !before(doc, body, corr) || !before(doc, corr, comments) {
			t.Error("the corrections are not between the story's text and the comments")
		}
		if len(findAll(one(t, doc, "footer.story-footer"), "section.corrections")) != 0 {
			t.Error("the corrections are still in the footer, below the comments")
		}

		// The page is kept for anonymous readers and for subscribers; a
		// story published later is offered as soon as the scheduler's
		// purge of the lists has run.
		sub := s.subscriberBrowser(t, "sam@example.com")
		for range 2 {
			s.mustGet(t, st.Path(), http.StatusOK)
			sub.get(st.Path())
		}
		late := addStory(t, s.site, &story.Story{Headline: "Lighthouses relit", Tags: tags("Lighthouses", "Fog", "Coastguard")}, 0)
		s.StoriesPublished(context.Background(), []int64{late.ID})
		_, doc = s.mustGet(t, st.Path(), http.StatusOK)
		if got := hrefs(doc, "section.related"); len(got) != 3 || got[0] != late.Path() {
			t.Errorf("after a related story is published, anonymous readers are offered %v, want it first", got)
		}
		if got := hrefs(sub.get(st.Path()).Doc, "section.related"); len(got) != 3 || got[0] != late.Path() {
			t.Errorf("after a related story is published, subscribers are offered %v, want it first", got)
		}
	})
}

func TestStoryPageOffersAtMostFiveRelated(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		st := addStory(t, s, &story.Story{Headline: "Tides of the estuary", Tags: tags("Estuary")}, 10)
		for i := range 7 {
			addStory(t, s, &story.Story{Headline: fmt.Sprintf("Estuary story %d", i), Tags: tags("Estuary"),
				Section: story.Section{Slug: "business"}}, float64(i+1))
		}
		_, doc := s.mustGet(t, st.Path(), http.StatusOK)
		got := hrefs(doc, "section.related")
		if len(got) != story.RelatedMax || slices.Contains(got, st.Path()) {
			t.Errorf("related = %v, want the %d newest others", got, story.RelatedMax)
		}
		if !strings.HasSuffix(got[0], "/estuary-story-0") {
			t.Errorf("related start with %s, want the newest", got[0])
		}
	})
}

func TestDayArchivePage(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		older := addStory(t, s, &story.Story{Headline: "A story of long ago"}, 24*40)
		today := addStory(t, s, &story.Story{Headline: "A story of this morning"}, 1)
		addStory(t, s, &story.Story{Headline: "A story of tonight", Status: story.Scheduled}, -8)

		_, doc := s.mustGet(t, "/2026/11/29/", http.StatusOK)
		if got := text(one(t, doc, "h1")); got != "Sunday 29 November 2026" {
			t.Errorf("h1 = %q", got)
		}
		var found bool
		for _, card := range findAll(doc, "h3.card-headline") {
			h := findAll(card, "a")[0]
			if !strings.HasPrefix(attr(h, "href"), "/2026/11/29/") {
				t.Errorf("29 November lists %s", attr(h, "href"))
			}
			found = found || attr(h, "href") == today.Path()
			if strings.Contains(text(h), "tonight") {
				t.Error("the archive lists a story not out yet")
			}
		}
		if !found {
			t.Errorf("29 November does not list %s", today.Path())
		}
		if len(findAll(doc, "a.newer-day")) != 0 {
			t.Error("today links to a later day")
		}
		prev := attr(one(t, doc, "a.older-day"), "href")
		_, doc = s.mustGet(t, prev, http.StatusOK)
		if len(findAll(doc, "article.card")) == 0 || attr(one(t, doc, "a.newer-day"), "href") == "" {
			t.Errorf("the day before, %s, lists nothing or does not link back", prev)
		}
		_, doc = s.mustGet(t, story.DayPath(older.PublishedAt, nil), http.StatusOK)
		if !strings.Contains(text(doc), older.Headline) {
			t.Errorf("%s does not list %q", story.DayPath(older.PublishedAt, nil), older.Headline)
		}

		for _, path := range []string{"/2026/11/30/", "/2026/11/31/", "/2026/13/01/", "/2026/1/01/", "/abcd/11/29/", "/1990/01/01/", "/2026/11/29/?page=9"} {
			s.mustGet(t, path, http.StatusNotFound)
		}
		s.mustGet(t, "/2026/11/29/?page=0", http.StatusBadRequest)
		if res := s.get(t, "/2026/11/29"); res.Code != http.StatusMovedPermanently || res.Header.Get("Location") != "/2026/11/29/" {
			t.Errorf("GET /2026/11/29 = %d → %q, want a permanent redirect to /2026/11/29/", res.Code, res.Header.Get("Location"))
		}
		s.mustGet(t, "/no/such/page", http.StatusNotFound)
	})
}
