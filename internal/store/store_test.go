package store_test

import (
	"context"
	"dateline/internal/clock"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dateline/internal/store"
	"dateline/internal/store/storetest"
	"dateline/internal/story"
)

var ctx = context.Background()

// clock is a settable time source for a store.
type testClock struct{ now time.Time }

func (c *testClock) Now() time.Time { return c.now }

// seed makes two sections, two authors and n published stories, one hour
// apart, the newest an hour before the clock; even ones in "world".
func seed(t *testing.T, s *store.Store, n int) {
	t.Helper()
	for i, sec := range []story.Section{{Slug: "world", Name: "World"}, {Slug: "business", Name: "Business"}} {
		sec.Position = i
		if err := s.CreateSection(ctx, &sec); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []story.Author{{Slug: "ana-reis", Name: "Ana Reis"}, {Slug: "tom-okafor", Name: "Tom Okafor"}} {
		if err := s.CreateAuthor(ctx, &a); err != nil {
			t.Fatal(err)
		}
	}
	r := story.NewRenderer()
	for i := range n {
		sec := "business"
		if i%2 == 0 {
			sec = "world"
		}
		st := &story.Story{
			Headline:    fmt.Sprintf("Story number %d", i),
			Dateline:    "Lisbon",
			Section:     story.Section{Slug: sec},
			Bylines:     []story.Byline{{AuthorSlug: "ana-reis"}},
			Tags:        []story.Tag{{Name: "Harbours"}},
			Body:        fmt.Sprintf("Paragraph of story %d.", i),
			Status:      story.Published,
			PublishedAt: s.Now().Add(-time.Duration(i+1) * time.Hour),
		}
		if i%3 == 0 {
			st.Bylines = append(st.Bylines, story.Byline{AuthorSlug: "tom-okafor"})
			st.Tags = append(st.Tags, story.Tag{Name: "Ferries"})
		}
		createStory(t, s, r, st)
	}
}

// createStory prepares st with r and saves it in s, failing t on an error.
func createStory(t testing.TB, s *store.Store, r *story.Renderer, st *story.Story) {
	t.Helper()
	if err := st.Prepare(r); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateStory(ctx, st); err != nil {
		t.Fatal(err)
	}
}

func newClock(s *store.Store) *testClock {
	c := &testClock{now: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)}
	s.Now = c.Now
	return c
}

func TestMigrateIsIdempotentAndRefusesNewerSchema(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		applied, err := s.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != 0 {
			t.Fatalf("second migrate applied %v, want nothing", applied)
		}
		cur, latest, err := s.SchemaVersion(ctx)
		if err != nil || cur != latest || latest < 1 {
			t.Fatalf("SchemaVersion = %d, %d, %v; want equal and ≥ 1", cur, latest, err)
		}
		// A newer Dateline has been here.
		storetest.RawOf(t, s).Exec(t, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future', 'x')`, latest+1)
		_, err = s.Migrate(ctx)
		if !errors.Is(err, store.ErrSchemaTooNew) {
			t.Fatalf("Migrate on newer schema: %v, want ErrSchemaTooNew", err)
		}
		if !strings.Contains(err.Error(), fmt.Sprint(latest+1)) {
			t.Errorf("error %q does not name the database's version", err)
		}
	})
}

func TestStoryRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c := newClock(s)
		seed(t, s, 0)
		published := time.Date(2026, 11, 28, 9, 30, 15, 123456000, time.FixedZone("CET", 3600))
		st := &story.Story{
			Headline:    "Ferry line to the islands reopens",
			Dek:         "After two winters, the boats are back.",
			Dateline:    "lisbon",
			Section:     story.Section{Slug: "world"},
			Bylines:     []story.Byline{{AuthorSlug: "tom-okafor"}, {Name: "Agency reporters"}},
			Tags:        []story.Tag{{Name: "Ferries"}, {Name: "Transport"}},
			Body:        "First paragraph.\n\nSecond <script>alert(1)</script> paragraph.",
			Access:      story.Subscribers,
			Status:      story.Published,
			PublishedAt: published,
			UpdatedAt:   published.Add(2 * time.Hour),
			Corrections: []story.Correction{{Body: "An earlier version misspelt the harbour.", CreatedAt: published.Add(3 * time.Hour)}},
		}
		if err := st.Prepare(story.NewRenderer()); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateStory(ctx, st); err != nil {
			t.Fatal(err)
		}
		got, err := s.StoryBySlug(ctx, "ferry-line-to-the-islands-reopens")
		if err != nil {
			t.Fatal(err)
		}
		if got.Headline != st.Headline || got.Dek != st.Dek || got.Dateline != "LISBON" || got.Section.Name != "World" {
			t.Errorf("got %+v", got)
		}
		if !got.PublishedAt.Equal(published) || got.PublishedAt.Location() != time.UTC {
			t.Errorf("PublishedAt = %v, want %v in UTC", got.PublishedAt, published)
		}
		if !got.Updated() || !got.UpdatedAt.Equal(published.Add(2*time.Hour)) {
			t.Errorf("UpdatedAt = %v", got.UpdatedAt)
		}
		wantBylines := []story.Byline{{Name: "Tom Okafor", AuthorSlug: "tom-okafor"}, {Name: "Agency reporters"}}
		if fmt.Sprint(got.Bylines) != fmt.Sprint(wantBylines) {
			t.Errorf("Bylines = %v, want %v", got.Bylines, wantBylines)
		}
		if len(got.Tags) != 2 || got.Tags[0].Slug != "ferries" || got.Tags[1].Slug != "transport" {
			t.Errorf("Tags = %v", got.Tags)
		}
		if len(got.Corrections) != 1 || got.Corrections[0].Body != st.Corrections[0].Body {
			t.Errorf("Corrections = %v", got.Corrections)
		}
		if got.Access != story.Subscribers || got.Status != story.Published {
			t.Errorf("Access, Status = %v, %v", got.Access, got.Status)
		}
		if strings.Contains(got.BodyHTML, "<script") || !strings.Contains(got.BodyHTML, "<p>First paragraph.</p>") {
			t.Errorf("BodyHTML = %q", got.BodyHTML)
		}
		if got.Path() != "/2026/11/28/ferry-line-to-the-islands-reopens" {
			t.Errorf("Path = %q", got.Path())
		}
		if !got.Visible(c.now) {
			t.Error("published story in the past is not visible")
		}

		// The same slug again is refused, and nothing half-written stays.
		dup := *st
		dup.ID = 0
		if err := s.CreateStory(ctx, &dup); !errors.Is(err, story.ErrSlugTaken) {
			t.Fatalf("duplicate slug: %v, want story.ErrSlugTaken", err)
		}
		if _, err := s.StoryBySlug(ctx, "no-such-story"); !errors.Is(err, story.ErrNotFound) {
			t.Fatalf("missing story: %v, want ErrNotFound", err)
		}
	})
}

func TestCreateStoryRefusesUnknownSectionOrAuthor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		seed(t, s, 0)
		for name, st := range map[string]*story.Story{
			"section": {Headline: "A", Section: story.Section{Slug: "sport"}, Bylines: []story.Byline{{Name: "X"}}},
			"bylines": {Headline: "B", Section: story.Section{Slug: "world"}, Bylines: []story.Byline{{AuthorSlug: "nobody"}}},
		} {
			if err := st.Prepare(story.NewRenderer()); err != nil {
				t.Fatal(err)
			}
			err := s.CreateStory(ctx, st)
			var ve *story.ValidationError
			if !errors.As(err, &ve) || ve.Field != name {
				t.Errorf("%s: err = %v, want a ValidationError on %s", name, err, name)
			}
		}
		n, err := s.CountPublished(ctx, story.Filter{})
		if err != nil || n != 0 {
			t.Fatalf("count after failed creates = %d, %v", n, err)
		}
	})
}

func TestPublishedStoriesFiltersAndPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c := newClock(s)
		seed(t, s, 10)
		// A draft and a story scheduled for the future stay out of every list.
		r := story.NewRenderer()
		for _, st := range []*story.Story{
			{Headline: "Draft", Section: story.Section{Slug: "world"}, Bylines: []story.Byline{{Name: "X"}}},
			{Headline: "Tomorrow", Section: story.Section{Slug: "world"}, Bylines: []story.Byline{{Name: "X"}},
				Status: story.Published, PublishedAt: c.now.Add(24 * time.Hour)},
		} {
			createStory(t, s, r, st)
		}

		all, err := s.PublishedStories(ctx, story.Filter{Limit: 4})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 4 || all[0].Headline != "Story number 0" || all[3].Headline != "Story number 3" {
			t.Fatalf("first page = %v", headlines(all))
		}
		if len(all[0].Bylines) != 2 || all[0].Bylines[1].Name != "Tom Okafor" || len(all[1].Bylines) != 1 {
			t.Errorf("bylines = %v, %v", all[0].Bylines, all[1].Bylines)
		}
		page3, err := s.PublishedStories(ctx, story.Filter{Limit: 4, Offset: 8})
		if err != nil || len(page3) != 2 {
			t.Fatalf("last page = %v, %v", headlines(page3), err)
		}
		if n, _ := s.CountPublished(ctx, story.Filter{}); n != 10 {
			t.Errorf("CountPublished = %d, want 10", n)
		}

		world, _ := s.SectionBySlug(ctx, "world")
		ferries, _ := s.TagBySlug(ctx, "ferries")
		tom, _ := s.AuthorBySlug(ctx, "tom-okafor")
		for _, tc := range []struct {
			name string
			f    story.Filter
			want int
		}{
			{"section", story.Filter{SectionID: world.ID}, 5},
			{"tag", story.Filter{TagID: ferries.ID}, 4},
			{"author", story.Filter{AuthorID: tom.ID}, 4},
			{"since", story.Filter{Since: c.now.Add(-3 * time.Hour)}, 3},
		} {
			list, err := s.PublishedStories(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			n, err := s.CountPublished(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != tc.want || n != tc.want {
				t.Errorf("%s: listed %d, counted %d, want %d", tc.name, len(list), n, tc.want)
			}
		}

		refs, err := s.PublishedRefs(ctx, time.Time{}, 100)
		if err != nil || len(refs) != 10 {
			t.Fatalf("PublishedRefs = %d, %v", len(refs), err)
		}
		if refs[0].Path() != "/2026/11/29/story-number-0" {
			t.Errorf("ref path = %q", refs[0].Path())
		}
	})
}

func TestIsEmpty(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		if empty, err := s.IsEmpty(ctx); err != nil || !empty {
			t.Fatalf("new database: empty=%v err=%v", empty, err)
		}
		seed(t, s, 0)
		if empty, err := s.IsEmpty(ctx); err != nil || empty {
			t.Fatalf("after sections: empty=%v err=%v", empty, err)
		}
	})
}

func headlines(list []story.Story) []string {
	var out []string
	for _, st := range list {
		out = append(out, st.Headline)
	}
	return out
}

func TestSQLitePathWithURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "news #1 ?draft% été")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "dateline.db")
	s, err := store.Open(ctx, path, clock.System)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database is not where it was asked to be: %v", err)
	}
	var mode string
	if err := s.ReaderQueryRowForTest(`PRAGMA journal_mode`, &mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; the pragmas were lost", mode, err)
	}
}
