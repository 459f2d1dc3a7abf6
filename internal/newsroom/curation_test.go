package newsroom_test

import (
	"slices"
	"testing"
	"time"

	"dateline/internal/newsroom"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
	"dateline/internal/story"
)

func TestChoosingStoriesKeepsALiveBannerOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		svc, c, _, _ := setup(t, db)
		banner := newsroom.Breaking{Text: "Storm closes the harbour", URL: "/world", Until: c.Now().Add(time.Hour)}
		if err := svc.SetBreaking(ctx, banner); err != nil {
			t.Fatal(err)
		}
		if err := svc.ChooseFrontStories(ctx, 7, []int64{3, 2}); err != nil {
			t.Fatal(err)
		}
		f, _ := svc.FrontPage(ctx)
		if f.Lead != 7 || !slices.Equal(f.Top, []int64{3, 2}) || f.Breaking.Text != banner.Text || !f.Breaking.Until.Equal(banner.Until) {
			t.Fatalf("front page %+v", f)
		}
		// A new banner keeps the stories; a wrong one changes nothing.
		if err := svc.SetBreaking(ctx, newsroom.Breaking{Text: "Too late", Until: c.Now().Add(-time.Minute)}); len(wrongFields(t, err)) != 1 {
			t.Errorf("a banner that is already down: %v", err)
		}
		banner.Text = "The harbour reopens"
		if err := svc.SetBreaking(ctx, banner); err != nil {
			t.Fatal(err)
		}
		if f, _ := svc.FrontPage(ctx); f.Lead != 7 || len(f.Top) != 2 || f.Breaking.Text != "The harbour reopens" {
			t.Errorf("after a new banner: %+v", f)
		}
		// Once the banner is down, choosing stories does not save it again.
		c.Set(banner.Until.Add(time.Minute))
		if err := svc.ChooseFrontStories(ctx, 0, []int64{5}); err != nil {
			t.Fatal(err)
		}
		if f, _ := svc.FrontPage(ctx); f.Lead != 0 || !slices.Equal(f.Top, []int64{5}) || f.Breaking != (newsroom.Breaking{}) {
			t.Errorf("after the banner's time: %+v", f)
		}
		if err := svc.ChooseFrontStories(ctx, 0, make([]int64, newsroom.MaxTopStories+1)); len(wrongFields(t, err)) != 1 {
			t.Errorf("too many top stories: %v", err)
		}
	})
}

func TestCurateOrdersTheChosenStoriesFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		svc, c, _, editor := setup(t, db)
		publish := func(headline string) story.Story {
			t.Helper()
			st := draft(headline)
			if err := svc.Save(ctx, editor, st, 0, newsroom.Publish, time.Time{}, ""); err != nil {
				t.Fatal(err)
			}
			c.Set(c.Now().Add(time.Minute))
			return *st
		}
		a, b, cc, d := publish("Alpha"), publish("Bravo"), publish("Charlie"), publish("Delta")
		unpublished := draft("Echo")
		if err := svc.Save(ctx, editor, unpublished, 0, newsroom.Save, time.Time{}, ""); err != nil {
			t.Fatal(err)
		}
		latest := []story.Story{d, cc, b, a}
		ids := func(list []story.Story) []int64 {
			var out []int64
			for _, st := range list {
				out = append(out, st.ID)
			}
			return out
		}
		if got := svc.Curate(ctx, newsroom.FrontPage{}, latest); !slices.Equal(ids(got), ids(latest)) {
			t.Errorf("nothing chosen: %v", ids(got))
		}
		// The lead, then the top stories in order, each once; a draft and
		// a story that is gone fall away; the latest fill up to as many as
		// there were.
		f := newsroom.FrontPage{Lead: a.ID, Top: []int64{unpublished.ID, b.ID, a.ID, 9999}}
		if got, want := ids(svc.Curate(ctx, f, latest)), []int64{a.ID, b.ID, d.ID, cc.ID}; !slices.Equal(got, want) {
			t.Errorf("curated %v, want %v", got, want)
		}
		if got, want := ids(svc.Curate(ctx, newsroom.FrontPage{Top: []int64{cc.ID}}, latest[:2])), []int64{cc.ID, d.ID}; !slices.Equal(got, want) {
			t.Errorf("curated %v, want %v", got, want)
		}
	})
}
