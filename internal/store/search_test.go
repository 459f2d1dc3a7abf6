package store_test

import (
	"dateline/internal/clock"
	"fmt"
	"os"
	"slices"
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
			createStory(t, s, r, st)
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
		// The paywalled part finds the story, and is never quoted.
		for _, q := range []string{"xylophonic", "xylophonic secret", "bakery"} {
			hits, _, err := s.Search(ctx, story.SearchQuery{Terms: story.SearchTerms(q), Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) != 1 || hits[0].ID != secret.ID {
				t.Errorf("%q found %q, want the subscribers-only story", q, headlinesOf(hits))
				continue
			}
			if sn := hits[0].Snippet; strings.Contains(sn, "xylophonic") || strings.Contains(sn, "paywalled") || !strings.Contains(sn, "co-operative") {
				t.Errorf("%q: the snippet of a subscribers-only story is %q; want its open text only", q, sn)
			}
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

// TestSearchRanksOnlyTheNewestMatches holds a search to the newest
// story.SearchCandidates matches: an older story that would rank first is
// left out, the total says only "more than", the pages end with the
// candidates, and narrowing by date or section reaches the older story.
// It holds with few drafts and with many, which SQLite tells apart in
// different ways.
func TestSearchRanksOnlyTheNewestMatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c := newClock(s)
		seed(t, s, 0)
		r := story.NewRenderer()
		add := func(headline, section string, status story.Status, at time.Time) *story.Story {
			st := &story.Story{Headline: headline, Body: "The crews raced.\n\nMore.", Section: story.Section{Slug: section},
				Bylines: []story.Byline{{Name: "Staff"}}, Status: status}
			if status == story.Published {
				st.PublishedAt = at
			}
			createStory(t, s, r, st)
			return st
		}
		world, err := s.SectionBySlug(ctx, "world")
		if err != nil {
			t.Fatal(err)
		}
		// insert adds n stories in one statement, story i published at
		// at(i), or a draft if at is nil.
		insert := func(prefix string, n int, headline, lead string, at func(i int) time.Time) {
			t.Helper()
			var rows []string
			var args []any
			for i := range n {
				status, published, created := "draft", any(nil), any(c.now.Add(-time.Hour))
				if at != nil {
					status, published, created = "published", at(i), at(i)
				}
				rows = append(rows, "(?, ?, ?, ?, ?, ?, ?, ?)")
				args = append(args, fmt.Sprintf("%s-%d", prefix, i), fmt.Sprintf(headline, i), world.ID,
					fmt.Sprintf(lead, i), fmt.Sprintf(lead, i), status, published, created)
			}
			storetest.RawOf(t, s).Exec(t, `INSERT INTO stories (slug, headline, section_id, body, search_lead, status, published_at, created_at)
				VALUES `+strings.Join(rows, ", "), args...)
		}
		// The best match of all, a headline match, but the oldest.
		old := add("Regatta on the river", "business", story.Published, c.now.Add(-30*24*time.Hour))
		// More newer stories than a search ranks, naming the regatta only in
		// the first paragraph, each newer than the one before.
		n := story.SearchCandidates + 5
		base := c.now.Add(-24 * time.Hour)
		insert("crew", n, "Crew %d trains", "Crew %d trained for the regatta.", func(i int) time.Time { return base.Add(time.Duration(i) * time.Minute) })
		newest := add("Regatta day draws crowds", "world", story.Published, c.now.Add(-time.Hour))
		draft := add("Regatta draft", "world", story.Draft, time.Time{})
		soon := add("Regatta preview", "world", story.Published, c.now.Add(time.Hour))
		biz, err := s.SectionBySlug(ctx, "business")
		if err != nil {
			t.Fatal(err)
		}

		search := func(q story.SearchQuery) ([]story.SearchHit, int) {
			t.Helper()
			q.Terms = story.SearchTerms("regatta")
			hits, total, err := s.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			return hits, total
		}
		check := func(t *testing.T) {
			hits, total := search(story.SearchQuery{Limit: 10})
			if total != story.SearchCandidates+1 {
				t.Errorf("total = %d, want %d: more than the %d ranked", total, story.SearchCandidates+1, story.SearchCandidates)
			}
			if len(hits) != 10 || hits[0].ID != newest.ID || !strings.Contains(hits[1].Snippet, story.HighlightStart) {
				t.Fatalf("first page %q; want the newest headline match first", headlinesOf(hits))
			}
			all, _ := search(story.SearchQuery{Limit: n + 10})
			if len(all) != story.SearchCandidates {
				t.Errorf("%d stories ranked, want %d", len(all), story.SearchCandidates)
			}
			for i, h := range all {
				if h.ID == old.ID || h.ID == draft.ID || h.ID == soon.ID || h.Status != story.Published {
					t.Errorf("ranked %q at %d: older than the candidates, or not yet published", h.Headline, i)
				}
				if i > 1 && h.PublishedAt.After(all[i-1].PublishedAt) {
					t.Errorf("between equal matches %q comes after the older %q", h.Headline, all[i-1].Headline)
				}
			}
			if hits, total := search(story.SearchQuery{Limit: 10, Offset: story.SearchCandidates}); len(hits) != 0 || total != story.SearchCandidates+1 {
				t.Errorf("past the candidates: %d hits, total %d", len(hits), total)
			}
			// Narrowing reaches the older story, and counts exactly.
			if hits, total := search(story.SearchQuery{Limit: 10, To: base}); total != 1 || len(hits) != 1 || hits[0].ID != old.ID {
				t.Errorf("date filter: %q, total %d", headlinesOf(hits), total)
			}
			if hits, total := search(story.SearchQuery{Limit: 10, SectionID: biz.ID}); total != 1 || len(hits) != 1 || hits[0].ID != old.ID {
				t.Errorf("section filter: %q, total %d", headlinesOf(hits), total)
			}
			if hits, total := search(story.SearchQuery{Limit: 10, SectionID: world.ID, From: base.Add(time.Duration(n-20) * time.Minute)}); total != 21 || len(hits) != 10 || hits[0].ID != newest.ID {
				t.Errorf("section and date filter: %q, total %d, want 21", headlinesOf(hits), total)
			}
		}
		t.Run("few drafts", check)
		// More drafts than SQLite sets aside in memory, each a headline
		// match newer than every published story.
		insert("draft", 2500, "Regatta draft %d", "Draft %d.", nil)
		t.Run("many drafts", check)
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

// BenchmarkSearchSeeded times searches of common words on a seeded
// database named by DATELINE_SEARCH_BENCH (a SQLite file, or a postgres://
// URL), which it only reads. DATELINE_SEARCH_WORDS lists the queries,
// comma-separated. Without the variable it is skipped.
func BenchmarkSearchSeeded(b *testing.B) {
	dsn := os.Getenv("DATELINE_SEARCH_BENCH")
	if dsn == "" {
		b.Skip("DATELINE_SEARCH_BENCH does not name a seeded database")
	}
	s, err := store.Open(ctx, dsn, clock.System)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	words := "rowing,split,inquiry,harbour,harbour rail"
	if w := os.Getenv("DATELINE_SEARCH_WORDS"); w != "" {
		words = w
	}
	for _, q := range strings.Split(words, ",") {
		for _, page := range []int{1, 3} {
			b.Run(fmt.Sprintf("%s/page%d", strings.ReplaceAll(q, " ", "_"), page), func(b *testing.B) {
				sq := story.SearchQuery{Terms: story.SearchTerms(q), Limit: 20, Offset: (page - 1) * 20}
				var total int
				for b.Loop() {
					var err error
					if _, total, err = s.Search(ctx, sq); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(total), "total")
			})
		}
	}
}

// TestSearchReadsTheWholeText: a word anywhere in a story's body finds it,
// ranked below the stories that name it in their headline or first
// paragraph, and is never quoted; newest first orders by publication time
// whatever order the stories were saved in; an edit that takes the word
// out of the body takes the story out of its results.
func TestSearchReadsTheWholeText(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c := newClock(s)
		seed(t, s, 0)
		r := story.NewRenderer()
		add := func(headline, body string, access story.Access, age time.Duration) *story.Story {
			st := &story.Story{Headline: headline, Dek: "A dek of its own.", Body: body, Section: story.Section{Slug: "world"},
				Bylines: []story.Byline{{Name: "Staff"}}, Access: access, Status: story.Published, PublishedAt: c.now.Add(-age)}
			createStory(t, s, r, st)
			return st
		}
		// Saved newest first, so the order of ids is not that of dates.
		deep := add("Council weighs the budget", "Opening words.\n\nSecond.\n\nThird.\n\nFourth.\n\nThe **lighthouse** keepers' quarrel was settled in camera.", story.Subscribers, time.Hour)
		lead := add("Coast road reopens", "The lighthouse road reopens today.\n\nMore.", story.Free, 2*time.Hour)
		head := add("Lighthouse restored", "Scaffolding is down.\n\nMore.", story.Free, 3*time.Hour)
		search := func(q string, newest bool) []story.SearchHit {
			t.Helper()
			hits, _, err := s.Search(ctx, story.SearchQuery{Terms: story.SearchTerms(q), Newest: newest, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			return hits
		}
		ids := func(hits []story.SearchHit) []int64 {
			var out []int64
			for _, h := range hits {
				out = append(out, h.ID)
			}
			return out
		}
		if got, want := ids(search("lighthouse", false)), []int64{head.ID, lead.ID, deep.ID}; !slices.Equal(got, want) {
			t.Errorf("best match first: %v, want headline %v, first paragraph %v, rest %v", got, head.ID, lead.ID, deep.ID)
		}
		if got, want := ids(search("lighthouse", true)), []int64{deep.ID, lead.ID, head.ID}; !slices.Equal(got, want) {
			t.Errorf("newest first: %v, want %v", got, want)
		}
		hits := search("quarrel camera", false)
		if len(hits) != 1 || hits[0].ID != deep.ID {
			t.Fatalf("two words of the fifth paragraph found %q", headlinesOf(hits))
		}
		for _, w := range []string{"quarrel", "camera", "keepers", "lighthouse", story.HighlightStart} {
			if strings.Contains(hits[0].Snippet, w) {
				t.Errorf("the snippet %q quotes the paywalled body (%q)", hits[0].Snippet, w)
			}
		}
		if hits[0].Snippet == "" {
			t.Error("the snippet is empty; want the dek or first paragraph")
		}
		// An edit that takes the word out of the body takes the story out.
		deep.Body = "Opening words.\n\nSecond.\n\nThe keepers made peace."
		if err := deep.Prepare(r); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateStory(ctx, deep, deep.Version, 0); err != nil {
			t.Fatal(err)
		}
		if hits := search("quarrel", false); len(hits) != 0 {
			t.Errorf("a word edited out still finds %q", headlinesOf(hits))
		}
		if hits := search("peace keepers", false); len(hits) != 1 || hits[0].ID != deep.ID {
			t.Errorf("a word edited in found %q", headlinesOf(hits))
		}
	})
}

// TestMigrationFillsSearchRest: a story saved by a Dateline that searched
// only the open text is found by a word deep in its body once the
// database is migrated, and the filled text is what a save writes.
func TestMigrationFillsSearchRest(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			dsn := storetest.DSN(t, d)
			s, err := store.Open(ctx, dsn, clock.System)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if _, err := s.MigrateBeforeForTest(ctx, "search_rest"); err != nil {
				t.Fatal(err)
			}
			c := newClock(s)
			seed(t, s, 0)
			world, err := s.SectionBySlug(ctx, "world")
			if err != nil {
				t.Fatal(err)
			}
			// Saved as the older Dateline did: no search_rest column yet.
			r := story.NewRenderer()
			old := &story.Story{Headline: "Archive story", Body: "It opens plainly.\n\nSecond.\n\nThird.\n\nFourth.\n\nThe *marginalia* of the ledger.",
				Section: story.Section{Slug: "world"}, Bylines: []story.Byline{{Name: "Staff"}}, Access: story.Subscribers,
				Status: story.Published, PublishedAt: c.now.Add(-time.Hour)}
			if err := old.Prepare(r); err != nil {
				t.Fatal(err)
			}
			raw := storetest.Raw(t, dsn)
			raw.Exec(t, `INSERT INTO stories (slug, headline, section_id, body, body_html, access, status, published_at, created_at, search_lead)
				VALUES (?, ?, ?, ?, ?, 'subscribers', 'published', ?, ?, ?), ('empty', 'Empty story', ?, '', '', 'free', 'published', ?, ?, '')`,
				old.Slug, old.Headline, world.ID, old.Body, old.BodyHTML, old.PublishedAt, old.PublishedAt, old.Lead,
				world.ID, old.PublishedAt, old.PublishedAt)

			applied, err := s.Migrate(ctx)
			if err != nil || len(applied) == 0 {
				t.Fatalf("migrate: applied %v, %v", applied, err)
			}
			var rest string
			raw.QueryRow(t, `SELECT search_rest FROM stories WHERE slug = ?`, &rest, old.Slug)
			if rest != old.Rest || !strings.Contains(rest, "marginalia of the ledger") || strings.Contains(rest, "*") {
				t.Errorf("search_rest = %q, want %q as a save writes it", rest, old.Rest)
			}
			hits, _, err := s.Search(ctx, story.SearchQuery{Terms: story.SearchTerms("marginalia"), Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) != 1 || hits[0].Slug != old.Slug || strings.Contains(hits[0].Snippet, "marginalia") {
				t.Errorf("after the migration, a deep word found %v", hits)
			}
		})
	}
}
