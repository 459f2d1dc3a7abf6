package demo_test

import (
	"context"
	"image"
	_ "image/jpeg" // the copies are JPEGs
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"dateline/internal/demo"
	"dateline/internal/media"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
	"dateline/internal/story"
)

// TestSeedWithPictures gives the demo stories featured images drawn for
// the project: each is in the image library with its resized copies, alt
// text, caption and credit, and the newest story, the front page's lead,
// has one.
func TestSeedWithPictures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
		lib, err := media.NewLibrary(t.TempDir(), db, func() time.Time { return now })
		if err != nil {
			t.Fatal(err)
		}
		res, err := demo.Seed(ctx, db, now, story.NewRenderer(), demo.WithPictures(lib))
		if err != nil {
			t.Fatal(err)
		}
		if res.Pictures < 5 {
			t.Fatalf("seeded %+v, want at least 5 stories with pictures", res)
		}
		list, err := db.PublishedStories(ctx, story.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		ids := make([]int64, len(list))
		for i := range list {
			ids[i] = list[i].ID
		}
		images, err := lib.StoryImages(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		if len(images) != res.Pictures {
			t.Errorf("%d stories show a picture, %d were seeded", len(images), res.Pictures)
		}
		if images[list[0].ID] == nil {
			t.Errorf("the newest story, %q, the front page's lead, has no picture", list[0].Headline)
		}
		seen := map[int64]bool{}
		for storyID, im := range images {
			if seen[im.ID] {
				t.Errorf("image %d features on two stories", im.ID)
			}
			seen[im.ID] = true
			if im.Alt == "" || im.Caption == "" || im.Credit != "Illustration: Dateline" {
				t.Errorf("story %d: image %d has alt %q, caption %q, credit %q", storyID, im.ID, im.Alt, im.Caption, im.Credit)
			}
			if len(im.Widths) < 2 || im.Width < 960 || im.Width*9 != im.Height*16 {
				t.Errorf("image %d is %d × %d with copies %v, want 16:9, at least 960 wide, in 2 widths or more", im.ID, im.Width, im.Height, im.Widths)
			}
			for _, w := range im.Widths {
				f, err := os.Open(filepath.Join(lib.Dir(), strconv.FormatInt(im.ID, 10), strconv.Itoa(w)+"."+im.Ext()))
				if err != nil {
					t.Fatal(err)
				}
				cfg, _, err := image.DecodeConfig(f)
				f.Close()
				if err != nil || cfg.Width != w || cfg.Height != im.HeightAt(w) {
					t.Errorf("image %d, copy %d: %d × %d (%v), want %d × %d", im.ID, w, cfg.Width, cfg.Height, err, w, im.HeightAt(w))
				}
			}
		}
	})
}
