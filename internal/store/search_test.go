package store_test

import (
	"strings"
	"testing"
	"time"

	"dateline/internal/store"
	"dateline/internal/store/storetest"
	"dateline/internal/story"
)

func TestSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c := newClock(s)
		seed(t, s, 0)
		r := story.NewRenderer()
		add := func(headline, dek, body, section string, access story.Access, age time.Duration) *story.Story {
			st := &story.Story{Headline: headline, Dek: dek, Body: body, Section: story.Section{Slug: section},
				Bylines: []story.Byline{{Name: "Staff"}}, Access: access, Status: story.Published, PublishedAt: c.now.Add(-age)}
			if err := st.Prepare(r); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateStory(ctx, st); err != nil {
				t.Fatal(err)
			}
			return st
		}
		inBody := add("Council meets on budget", "Spending is debated.", "The harbour ferries were mentioned once.\n\nMore.", "world", story.Free, time.Hour)
		inHead := add("Harbour ferries return", "A night service resumes.", "Boats are back.\n\nMore.", "business", story.Free, 2*time.Hour)
		secret := add("Bakery opens a shop", "A co-operative grows.", "The first paragraph is open.\n\nThe xylophonic secret sits in the paywalled part.", "world", story.Subscribers, 3*time.Hour)
		add("Old ferries story", "From long ago.", "Ferries then.", "world", story.Free, 60*24*time.Hour)

		hits, total, err := s.Search(ctx, story.SearchQuery{Terms: story.SearchTerms("harbour ferries"), Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if total != 2 || len(hits) != 2 || hits[0].ID != inHead.ID || hits[1].ID != inBody.ID {
			t.Fatalf("ranking: %d hits, first %q; want the headline match first", total, headlinesOf(hits))
		}
		if !strings.Contains(hits[1].Snippet, story.HighlightStart) || len(hits[0].Bylines) != 1 {
			t.Errorf("snippet %q, bylines %v", hits[1].Snippet, hits[0].Bylines)
		}
		// Stemming: "ferry" finds "ferries".
		if hits, _, _ := s.Search(ctx, story.SearchQuery{Terms: story.SearchTerms("ferry"), Limit: 10}); len(hits) != 3 {
			t.Errorf("ferry found %d stories, want 3", len(hits))
		}
		// The paywalled part is not searchable, and never quoted.
		if hits, _, _ := s.Search(ctx, story.SearchQuery{Terms: story.SearchTerms("xylophonic"), Limit: 10}); len(hits) != 0 {
			t.Errorf("a word from the paywalled body found %d stories", len(hits))
		}
		if hits, _, _ := s.Search(ctx, story.SearchQuery{Terms: story.SearchTerms("bakery"), Limit: 10}); len(hits) != 1 || hits[0].ID != secret.ID || strings.Contains(hits[0].Snippet, "xylophonic") {
			t.Errorf("the snippet of a subscribers-only story: %v", hits)
		}
		// Filters.
		biz, _ := s.SectionBySlug(ctx, "business")
		if hits, _, _ := s.Search(ctx, story.SearchQuery{Terms: story.SearchTerms("ferries"), SectionID: biz.ID, Limit: 10}); len(hits) != 1 || hits[0].ID != inHead.ID {
			t.Errorf("section filter: %v", headlinesOf(hits))
		}
		if hits, _, _ := s.Search(ctx, story.SearchQuery{Terms: story.SearchTerms("ferries"), From: c.now.Add(-90 * time.Minute), Limit: 10}); len(hits) != 1 || hits[0].ID != inBody.ID {
			t.Errorf("date filter: %v", headlinesOf(hits))
		}
		if _, total, _ := s.Search(ctx, story.SearchQuery{Terms: story.SearchTerms("ferries"), Limit: 1, Offset: 1}); total != 3 {
			t.Errorf("total with paging = %d", total)
		}
		// Query syntax is only words.
		for _, q := range []string{`"`, `*`, `-`, `NEAR(a b)`, `"unbalanced`, `ferries OR 1=1 --`, `a:b`, `^x`, `(`, `'; DROP TABLE stories; --`, strings.Repeat("x", 10000), "∑≈∂", "\x00"} {
			if _, _, err := s.Search(ctx, story.SearchQuery{Terms: story.SearchTerms(q), Limit: 10}); err != nil {
				t.Errorf("query %.30q: %v", q, err)
			}
		}
	})
}

func headlinesOf(hits []story.SearchHit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.Headline)
	}
	return out
}

func TestSearchTerms(t *testing.T) {
	for in, want := range map[string]string{
		`Harbour "ferries" NEAR(x)`: "harbour ferries near x",
		`-café* OR`:                 "café or",
		"":                          "",
		"***":                       "",
	} {
		if got := strings.Join(story.SearchTerms(in), " "); got != want {
			t.Errorf("SearchTerms(%q) = %q, want %q", in, got, want)
		}
	}
	if n := len(story.SearchTerms(strings.Repeat("word ", 50))); n != story.MaxSearchTerms {
		t.Errorf("%d terms kept", n)
	}
}
