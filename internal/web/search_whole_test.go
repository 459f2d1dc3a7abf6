package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"dateline/internal/account"
	"dateline/internal/story"
)

// echoesQuery reports whether n is a place the search page repeats the
// reader's own query: the title, the search box, and the links to the
// same search sorted or paged.
func echoesQuery(n *html.Node, a html.Attribute) bool {
	switch {
	case n.Data == "input" && attr(n, "name") == "q" && a.Key == "value":
		return true
	case n.Data == "a" && a.Key == "href" && strings.HasPrefix(a.Val, "/search?"):
		return true
	}
	return false
}

// showsWord reports where, outside the echoes of the query, a page shows
// word: in text or in an attribute, in any letter case.
func showsWord(doc *html.Node, word string) []string {
	word = strings.ToLower(word)
	var found []string
	var walk func(n *html.Node, inTitle bool)
	walk = func(n *html.Node, inTitle bool) {
		switch n.Type {
		case html.TextNode:
			if !inTitle && strings.Contains(strings.ToLower(n.Data), word) {
				found = append(found, "text "+strings.TrimSpace(n.Data))
			}
		case html.ElementNode:
			inTitle = inTitle || n.Data == "title"
			for _, a := range n.Attr {
				if !echoesQuery(n, a) && strings.Contains(strings.ToLower(a.Val), word) {
					found = append(found, n.Data+"@"+a.Key+"="+a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inTitle)
		}
	}
	walk(doc, false)
	return found
}

// resultPaths lists the stories a search page links to, in order.
func resultPaths(t *testing.T, doc *html.Node) []string {
	t.Helper()
	var out []string
	for _, h := range findAll(one(t, doc, "ol.search-results"), "h2.card-headline") {
		out = append(out, attr(one(t, h, "a"), "href"))
	}
	return out
}

// TestSearchFindsDeepWordsWithoutShowingThem: a word found only in the
// fifth paragraph of a subscribers-only story finds the story for a
// reader who may not read that paragraph, anonymous or signed in, and
// neither the word nor anything else of the paragraph is on the results
// page. A free story is found by a word deep in its body too.
func TestSearchFindsDeepWordsWithoutShowingThem(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		ctx := context.Background()
		editor := s.staff(t, "editor@example.com", account.Editor)
		fifth := "Quillwort beds near Vassdalsvatnet puzzled the hydrologist Ingrid Brekkestø, whose transects counted eleven thousand rosettes."
		body := "Mountain lakes are being measured this winter.\n\nSecond paragraph.\n\nThird paragraph.\n\nFourth paragraph.\n\n" + fifth
		savedID(t, editor.post("/admin/stories", storyForm("Mountain lakes under study", "0", "publish",
			"access", "subscribers", "dek", "Scientists count what grows.", "body", body)...))
		savedID(t, editor.post("/admin/stories", storyForm("Harbour cranes return", "0", "publish",
			"body", "The cranes are back.\n\nSecond.\n\nA zeppelinarium opened beside them.")...))
		paid, err := s.db.StoryBySlug(ctx, "mountain-lakes-under-study")
		if err != nil || paid.Access != story.Subscribers || !paid.Visible(testNow) {
			t.Fatalf("the subscribers' story: %v, %+v", err, paid)
		}
		free, err := s.db.StoryBySlug(ctx, "harbour-cranes-return")
		if err != nil {
			t.Fatal(err)
		}
		// The words of the fifth paragraph the page must not show.
		secret := []string{"Vassdalsvatnet", "hydrologist", "Brekkestø", "Ingrid", "transects", "rosettes", "eleven thousand", "puzzled"}

		anon := s.browser(t)
		reader := s.browser(t)
		reader.signUp("reader@example.com", "Reader")
		for name, b := range map[string]*browser{"anonymous": anon, "signed in, not a subscriber": reader} {
			t.Run(name, func(t *testing.T) {
				// The story itself keeps its fifth paragraph behind the paywall.
				if r := b.get(paid.Path()); r.Code != http.StatusOK || strings.Contains(r.Body, "Vassdalsvatnet") {
					t.Fatalf("the story page = %d, or shows the paywalled paragraph to this reader", r.Code)
				}
				for _, q := range []string{"quillwort", "Quillwort transects"} {
					r := b.get("/search?q=" + url.QueryEscape(q))
					if r.Code != http.StatusOK {
						t.Fatalf("search %q = %d", q, r.Code)
					}
					if got := resultPaths(t, r.Doc); !slices.Equal(got, []string{paid.Path()}) {
						t.Errorf("search %q found %v, want the subscribers' story %s", q, got, paid.Path())
					}
					for _, w := range strings.Fields(q) {
						if where := showsWord(r.Doc, w); len(where) > 0 {
							t.Errorf("search %q: the page shows %q: %q", q, w, where)
						}
					}
					for _, w := range secret {
						if where := showsWord(r.Doc, w); len(where) > 0 {
							t.Errorf("search %q: the page shows %q of the fifth paragraph: %q", q, w, where)
						}
					}
					if strings.Contains(r.Body, "<mark>") {
						t.Errorf("search %q: a word is highlighted, but none of the open text matches", q)
					}
					// Section and date are shown; the snippet quotes the open text.
					card := one(t, one(t, r.Doc, "ol.search-results"), "article")
					if len(findAll(card, "a[href=/section/world]")) != 1 || len(findAll(card, "time")) != 1 {
						t.Errorf("search %q: the result shows no section or no date", q)
					}
					if sn := text(one(t, card, "p.snippet")); !strings.Contains(sn, "Scientists count") && !strings.Contains(sn, "Mountain lakes are") {
						t.Errorf("search %q: snippet %q, want the dek or first paragraph", q, sn)
					}
				}
				r := b.get("/search?q=zeppelinarium")
				if got := resultPaths(t, r.Doc); r.Code != http.StatusOK || !slices.Equal(got, []string{free.Path()}) {
					t.Errorf("a deep word of a free story: %d, found %v", r.Code, got)
				}
			})
		}
	})
}

// TestSearchSortsByRelevanceOrNewest: sort=newest lists the matches by
// publication date, newest first, whatever order they were saved in and
// however well they match; without it the best match comes first. The
// page offers both orders and keeps the one chosen.
func TestSearchSortsByRelevanceOrNewest(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		r := story.NewRenderer()
		add := func(headline, body string, age time.Duration) *story.Story {
			st := &story.Story{Headline: headline, Dek: "News of the hills.", Body: body, Section: story.Section{Slug: "world"},
				Bylines: []story.Byline{{Name: "Staff"}}, Status: story.Published, PublishedAt: testNow.Add(-age)}
			if err := st.Prepare(r); err != nil {
				t.Fatal(err)
			}
			if err := s.db.CreateStory(context.Background(), st); err != nil {
				t.Fatal(err)
			}
			return st
		}
		// Saved newest first: the order of saving is not that of dates.
		deep := add("Hill walkers return", "Paths are open.\n\nSecond.\n\nA ptarmigan was seen on the ridge.", time.Hour)
		lead := add("Snow on the fells", "A ptarmigan count begins.\n\nMore.", 30*time.Hour)
		head := add("Ptarmigan numbers fall", "Fewer birds.\n\nMore.", 80*time.Hour)

		anon := s.browser(t)
		best := anon.get("/search?q=ptarmigan")
		if got, want := resultPaths(t, best.Doc), []string{head.Path(), lead.Path(), deep.Path()}; best.Code != http.StatusOK || !slices.Equal(got, want) {
			t.Errorf("best match first: %v, want %v", got, want)
		}
		newest := anon.get("/search?q=ptarmigan&sort=newest")
		if got, want := resultPaths(t, newest.Doc), []string{deep.Path(), lead.Path(), head.Path()}; newest.Code != http.StatusOK || !slices.Equal(got, want) {
			t.Errorf("newest first: %v, want %v", got, want)
		}
		var dates []string
		for _, tm := range findAll(one(t, newest.Doc, "ol.search-results"), "time") {
			dates = append(dates, attr(tm, "datetime"))
		}
		if len(dates) != 3 || !slices.IsSortedFunc(dates, func(a, b string) int { return strings.Compare(b, a) }) {
			t.Errorf("the dates shown, newest first: %v", dates)
		}
		// The form keeps the order; the links offer the other one.
		sel := one(t, newest.Doc, "select[name=sort]")
		if opt := findAll(sel, "option[value=newest]"); len(opt) != 1 || !hasAttr(opt[0], "selected") {
			t.Error("the sort menu does not keep newest")
		}
		links := findAll(one(t, newest.Doc, "p.search-sort"), "a")
		if len(links) != 1 || strings.Contains(attr(links[0], "href"), "sort=") || !strings.Contains(attr(links[0], "href"), "q=ptarmigan") {
			t.Errorf("the link back to best match: %d links", len(links))
		} else if got := resultPaths(t, anon.get(attr(links[0], "href")).Doc); !slices.Equal(got, resultPaths(t, best.Doc)) {
			t.Errorf("the best-match link shows %v", got)
		}
		links = findAll(one(t, best.Doc, "p.search-sort"), "a")
		if len(links) != 1 || !strings.Contains(attr(links[0], "href"), "sort=newest") {
			t.Error("the best-match page offers no newest-first link")
		}
		// An order that does not exist is said so, and the best match shown.
		bad := anon.get("/search?q=ptarmigan&sort=oldest")
		if bad.Code != http.StatusBadRequest || !strings.Contains(text(one(t, bad.Doc, "p.form-error")), "best match or newest") {
			t.Errorf("sort=oldest = %d", bad.Code)
		}
		if got := resultPaths(t, bad.Doc); len(got) != 3 || got[0] != head.Path() {
			t.Errorf("sort=oldest shows %v", got)
		}
	})
}
