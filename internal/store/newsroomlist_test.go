package store_test

import (
	"testing"
	"time"

	"dateline/internal/store"
	"dateline/internal/store/storetest"
	"dateline/internal/story"
)

// The newsroom's list puts the story saved last first, whatever its
// status or publication time, and pages through the rest.
func TestNewsroomStoriesByLastChangeWithPaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c := newClock(s)
		seed(t, s, 5) // "Story number 4" is created last
		c.now = c.now.Add(time.Hour)
		old, err := s.StoryBySlug(ctx, story.Slugify("Story number 1"))
		if err != nil {
			t.Fatal(err)
		}
		old.Headline = "Story number 1, revised"
		if err := old.Prepare(story.NewRenderer()); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateStory(ctx, old, old.Version, 0); err != nil {
			t.Fatal(err)
		}
		first, err := s.NewsroomStories(ctx, story.NewsroomFilter{Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		second, err := s.NewsroomStories(ctx, story.NewsroomFilter{Limit: 2, Offset: 2})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, st := range append(first, second...) {
			got = append(got, st.Headline)
		}
		want := []string{"Story number 1, revised", "Story number 4", "Story number 3", "Story number 2"}
		if len(got) != len(want) {
			t.Fatalf("two pages of two: %q, want %q", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("order by last change: %q, want %q", got, want)
			}
		}
		if !first[0].ChangedAt.Equal(c.now) {
			t.Errorf("changed at %v, want the save's time %v", first[0].ChangedAt, c.now)
		}
		if len(first[0].Bylines) == 0 {
			t.Error("the list lost the bylines")
		}
	})
}
