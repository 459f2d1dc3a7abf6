package store_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"dateline/internal/store"
	"dateline/internal/store/storetest"
	"dateline/internal/story"
)

// paper is a small paper for what a story page offers after the story,
// on the clock of newClock (29 November 2026, 12:00 UTC). Each story is
// named by its slug; hours is how long before the clock it was published
// (negative: after it).
func paper(t *testing.T, s *store.Store) map[string]*story.Story {
	t.Helper()
	seed(t, s, 0)
	r := story.NewRenderer()
	out := map[string]*story.Story{}
	add := func(slug, section string, status story.Status, hours float64, tags ...string) {
		st := &story.Story{Slug: slug, Headline: "Story " + slug, Section: story.Section{Slug: section},
			Bylines: []story.Byline{{AuthorSlug: "ana-reis"}}, Body: "Words of " + slug + ".", Status: status}
		if status != story.Draft {
			st.PublishedAt = s.Now().Add(-time.Duration(hours * float64(time.Hour)))
		}
		for _, tag := range tags {
			st.Tags = append(st.Tags, story.Tag{Name: tag})
		}
		createStory(t, s, r, st)
		out[slug] = st
	}
	add("a", "world", story.Published, 10, "Ferries", "Harbours", "Tides") // the story shown
	add("b", "business", story.Published, 30, "Ferries", "Harbours")       // shares two tags
	add("c", "world", story.Published, 1, "Ferries")                       // shares one, the newest
	for i, slug := range []string{"g0", "g1", "g2", "g3", "g4", "g5"} {    // share one, older
		sec := "world"
		if i%2 == 1 {
			sec = "business"
		}
		add(slug, sec, story.Published, float64(2+i), "Ferries")
	}
	add("scheduled", "world", story.Scheduled, -1, "Ferries", "Harbours", "Tides")
	add("draft", "world", story.Draft, 0, "Ferries", "Harbours", "Tides")
	add("future", "world", story.Published, -2, "Ferries", "Harbours", "Tides")
	add("h", "world", story.Published, 0.5, "Weather") // shares nothing: the section's newest
	add("k", "world", story.Published, 40, "Weather")
	return out
}

func slugsOf(list []story.Teaser) []string {
	var out []string
	for _, t := range list {
		out = append(out, t.Slug)
	}
	return out
}

func TestMoreToRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		newClock(s)
		p := paper(t, s)
		svc := story.NewService(s, s.Now)

		more, err := svc.MoreToRead(ctx, p["a"])
		if err != nil {
			t.Fatal(err)
		}
		// b shares two tags; then the newest of those sharing one. Never
		// a itself, nor the scheduled, draft or future stories that share
		// all three; at most five.
		if got, want := slugsOf(more.Related), []string{"b", "c", "g0", "g1", "g2"}; !slices.Equal(got, want) {
			t.Errorf("related = %v, want %v", got, want)
		}
		if more.Related[0].SharedTags != 2 || more.Related[1].SharedTags != 1 {
			t.Errorf("shared tags = %d, %d; want 2, 1", more.Related[0].SharedTags, more.Related[1].SharedTags)
		}
		b := more.Related[0]
		if b.Section.Name != "Business" || b.Path() != p["b"].Path() || b.Headline != "Story b" ||
			!b.PublishedAt.Equal(p["b"].PublishedAt) {
			t.Errorf("related b = %+v, want its section, path, headline and date", b)
		}
		// The world's latest but a itself and those already related.
		if got, want := slugsOf(more.InSection), []string{"h", "g4", "k"}; !slices.Equal(got, want) {
			t.Errorf("more in section = %v, want %v", got, want)
		}

		// A story without tags has nothing related, and still the latest
		// of its section, at most four.
		k := *p["k"]
		k.Tags = nil
		more, err = svc.MoreToRead(ctx, &k)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := slugsOf(more.InSection), []string{"h", "c", "g0", "g2"}; len(more.Related) != 0 || !slices.Equal(got, want) {
			t.Errorf("without tags: related %v, in section %v; want none and %v", slugsOf(more.Related), got, want)
		}
	})
}

func TestDayArchive(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		newClock(s)
		p := paper(t, s)
		svc := story.NewService(s, s.Now)
		day := func(d int) time.Time { return story.DayStart(2026, time.November, d, time.UTC) }

		// 29 November, to noon: everything but b (the 28th), k (the 27th)
		// and what readers cannot see yet.
		dp, err := svc.Day(ctx, day(29), 1)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, st := range dp.Stories {
			got = append(got, st.Slug)
		}
		if want := []string{"h", "c", "g0", "g1", "g2", "g3", "g4", "g5", "a"}; !slices.Equal(got, want) {
			t.Errorf("29 November lists %v, want %v", got, want)
		}
		if !dp.Prev.Equal(day(28)) || !dp.Next.IsZero() {
			t.Errorf("29 November: previous day %v, next %v; want 28 November and none (the future story is not out)", dp.Prev, dp.Next)
		}
		dp, err = svc.Day(ctx, day(28), 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(dp.Stories) != 1 || dp.Stories[0].Slug != "b" || !dp.Prev.Equal(day(27)) || !dp.Next.Equal(day(29)) {
			t.Errorf("28 November: %d stories, previous %v, next %v; want b, 27 and 29 November", len(dp.Stories), dp.Prev, dp.Next)
		}
		if p["b"].Path() != story.DayPath(day(28), time.UTC)+"b" {
			t.Errorf("b's address %s does not start with its day's %s", p["b"].Path(), story.DayPath(day(28), time.UTC))
		}
		for _, d := range []int{26, 30} { // nothing; not yet
			if _, err := svc.Day(ctx, day(d), 1); !errors.Is(err, story.ErrNotFound) {
				t.Errorf("%d November: %v, want ErrNotFound", d, err)
			}
		}
		if _, err := svc.Day(ctx, day(29), 2); !errors.Is(err, story.ErrNotFound) {
			t.Errorf("29 November, page 2: %v, want ErrNotFound", err)
		}
		if _, err := svc.Day(ctx, day(29), 0); !errors.Is(err, story.ErrBadPage) {
			t.Errorf("29 November, page 0: %v, want ErrBadPage", err)
		}
	})
}
