package store_test

import (
	"slices"
	"testing"
	"time"

	"dateline/internal/store"
	"dateline/internal/store/storetest"
	"dateline/internal/story"
)

// TestPublishedPages checks the paging behind a sitemap index: the pages
// together hold every published story once, oldest first, and each page's
// last modification is that of its newest-changed story.
func TestPublishedPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c := newClock(s)
		if mods, err := s.PublishedPageLastMods(ctx, 5); err != nil || len(mods) != 0 {
			t.Fatalf("empty database: PublishedPageLastMods = %v, %v; want no pages", mods, err)
		}
		seed(t, s, 10)
		// An updated story, with microseconds in its times; a story published
		// at the same moment as another; and stories readers cannot see yet.
		updated := c.now.Add(-30*time.Minute + 123456*time.Microsecond)
		r := story.NewRenderer()
		for _, st := range []*story.Story{
			{Headline: "Updated", Status: story.Published,
				PublishedAt: c.now.Add(-9*time.Hour - 30*time.Minute + 654321*time.Microsecond), UpdatedAt: updated},
			{Headline: "Twin", Status: story.Published, PublishedAt: c.now.Add(-5 * time.Hour)},
			{Headline: "Draft"},
			{Headline: "Scheduled", Status: story.Scheduled, PublishedAt: c.now.Add(time.Hour)},
			{Headline: "Tomorrow", Status: story.Published, PublishedAt: c.now.Add(24 * time.Hour)},
		} {
			st.Section = story.Section{Slug: "world"}
			st.Bylines = []story.Byline{{Name: "X"}}
			createStory(t, s, r, st)
		}

		// PublishedRefs lists newest first, ties by id descending; the
		// pages read the other way round.
		want, err := s.PublishedRefs(ctx, time.Time{}, 100)
		if err != nil || len(want) != 12 {
			t.Fatalf("PublishedRefs = %d, %v; want 12", len(want), err)
		}
		slices.Reverse(want)
		for i := range want {
			want[i].Headline = ""
		}

		for _, size := range []int{1, 5, 12, 100} {
			var got []story.Ref
			for offset := 0; ; offset += size {
				page, err := s.PublishedRefsPage(ctx, offset, size)
				if err != nil {
					t.Fatalf("size %d, offset %d: %v", size, offset, err)
				}
				if len(page) > size {
					t.Fatalf("size %d, offset %d: %d refs", size, offset, len(page))
				}
				if len(page) == 0 {
					break
				}
				got = append(got, page...)
			}
			if !slices.EqualFunc(got, want, sameRef) {
				t.Errorf("size %d: pages hold\n%v\nwant\n%v", size, got, want)
			}

			mods, err := s.PublishedPageLastMods(ctx, size)
			if err != nil {
				t.Fatalf("size %d: PublishedPageLastMods: %v", size, err)
			}
			var wantMods []time.Time
			for chunk := range slices.Chunk(want, size) {
				var newest time.Time
				for _, r := range chunk {
					if r.Modified.After(newest) {
						newest = r.Modified
					}
				}
				wantMods = append(wantMods, newest)
			}
			if !slices.EqualFunc(mods, wantMods, time.Time.Equal) {
				t.Errorf("size %d: page last mods = %v, want %v", size, mods, wantMods)
			}
		}

		// The updated story is second oldest: its page changed when it did.
		if want[1].Slug != "updated" || !want[1].Modified.Equal(updated) {
			t.Errorf("second oldest = %+v, want the updated story modified at %v", want[1], updated)
		}
		if mods, _ := s.PublishedPageLastMods(ctx, 5); len(mods) != 3 || !mods[0].Equal(updated) {
			t.Errorf("pages of 5: last mods = %v, want 3 with the first at %v", mods, updated)
		}
		if page, err := s.PublishedRefsPage(ctx, 12, 5); err != nil || len(page) != 0 {
			t.Errorf("page past the end = %v, %v; want none", page, err)
		}
		if _, err := s.PublishedPageLastMods(ctx, 0); err == nil {
			t.Error("PublishedPageLastMods(0) succeeded")
		}
	})
}

func sameRef(a, b story.Ref) bool {
	return a.Slug == b.Slug && a.Headline == b.Headline &&
		a.PublishedAt.Equal(b.PublishedAt) && a.Modified.Equal(b.Modified)
}
