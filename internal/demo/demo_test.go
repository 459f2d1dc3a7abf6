package demo_test

import (
	"context"
	"testing"
	"time"

	"dateline/internal/demo"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
	"dateline/internal/story"
)

func TestSeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC()
		res, err := demo.Seed(ctx, db, now, story.NewRenderer())
		if err != nil {
			t.Fatal(err)
		}
		if res.Stories < 12 || res.Sections < 3 {
			t.Fatalf("seeded %+v, want at least 12 stories in at least 3 sections", res)
		}
		list, err := db.PublishedStories(ctx, story.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != res.Stories {
			t.Fatalf("%d stories visible, %d seeded", len(list), res.Stories)
		}
		var paid, free int
		sections := map[string]bool{}
		for _, item := range list {
			st, err := db.StoryBySlug(ctx, item.Slug)
			if err != nil {
				t.Fatal(err)
			}
			if st.Access == story.Subscribers {
				paid++
			} else {
				free++
			}
			sections[st.Section.Slug] = true
			if st.Dateline == "" || len(st.Bylines) == 0 || len(st.Tags) == 0 || len(st.BodyHTML) < 500 {
				t.Errorf("%q lacks a dateline, byline, tags or body", st.Headline)
			}
			// Dated over the days before seeding, so the site looks current.
			if age := now.Sub(st.PublishedAt); age <= 0 || age > 6*24*time.Hour {
				t.Errorf("%q published %v before seeding", st.Headline, age)
			}
		}
		if paid == 0 || free == 0 {
			t.Errorf("%d subscriber and %d free stories, want both kinds", paid, free)
		}
		for _, sec := range []string{"world", "business", "culture"} {
			if !sections[sec] {
				t.Errorf("no story in section %s", sec)
			}
		}

		// A database with content is never touched.
		again, err := demo.Seed(ctx, db, now, story.NewRenderer())
		if err != nil || again != (demo.Result{}) {
			t.Fatalf("second seed = %+v, %v; want nothing done", again, err)
		}
		if n, _ := db.CountPublished(ctx, story.Filter{}); n != res.Stories {
			t.Errorf("after a second seed: %d stories, want %d", n, res.Stories)
		}
	})
}
