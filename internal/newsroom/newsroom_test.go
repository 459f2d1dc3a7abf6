package newsroom_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"dateline/internal/account"
	"dateline/internal/newsroom"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
	"dateline/internal/story"
)

var ctx = context.Background()

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

func setup(t *testing.T, db *store.Store) (*newsroom.Service, *clock, *account.User, *account.User) {
	t.Helper()
	c := &clock{now: time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)}
	db.Now = c.Now
	if err := db.CreateSection(ctx, &story.Section{Slug: "world", Name: "World"}); err != nil {
		t.Fatal(err)
	}
	mk := func(email string, role account.Role) *account.User {
		u := &account.User{Email: email, DisplayName: email, PasswordHash: "x", Role: role, CreatedAt: c.now, UpdatedAt: c.now}
		if err := db.CreateUser(ctx, u, nil, nil); err != nil {
			t.Fatal(err)
		}
		return u
	}
	return newsroom.New(db, c.Now, slog.New(slog.DiscardHandler)), c, mk("writer@example.com", account.Writer), mk("editor@example.com", account.Editor)
}

func draft(headline string) *story.Story {
	return &story.Story{Headline: headline, Section: story.Section{Slug: "world"}, Bylines: []story.Byline{{Name: "Staff"}}, Body: "Text."}
}

func TestScheduledStoriesPublishOnceOnTimeAcrossRestarts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		svc, c, _, editor := setup(t, db)
		st := draft("Embargoed report")
		if err := svc.Save(ctx, editor, st, 0, newsroom.Save, time.Time{}, ""); err != nil {
			t.Fatal(err)
		}
		if err := svc.Save(ctx, editor, st, st.Version, newsroom.Schedule, c.Now().Add(-time.Minute), ""); err == nil {
			t.Fatal("a time in the past was accepted for scheduling")
		}
		at := c.Now().Add(time.Hour)
		if err := svc.Save(ctx, editor, st, 1, newsroom.Schedule, at, ""); err != nil {
			t.Fatal(err)
		}
		if ids, _ := svc.PublishDue(ctx); len(ids) != 0 {
			t.Fatal("published before its time")
		}
		// "Restart": a new service over the same database, after the time.
		c.Set(at.Add(time.Second))
		again := newsroom.New(db, c.Now, slog.New(slog.DiscardHandler))
		// Two workers race, as two instances would.
		var wg sync.WaitGroup
		var mu sync.Mutex
		var published []int64
		for range 4 {
			wg.Go(func() {
				ids, err := again.PublishDue(ctx)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				published = append(published, ids...)
				mu.Unlock()
			})
		}
		wg.Wait()
		if len(published) != 1 || published[0] != st.ID {
			t.Fatalf("published %v, want story %d exactly once", published, st.ID)
		}
		got, _ := db.StoryByID(ctx, st.ID)
		if got.Status != story.Published || !got.PublishedAt.Equal(at) {
			t.Errorf("status %s at %v", got.Status, got.PublishedAt)
		}
	})
}

func TestRolesAndConflicts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		svc, c, writer, editor := setup(t, db)
		st := draft("Writer's draft")
		if err := svc.Save(ctx, writer, st, 0, newsroom.Submit, time.Time{}, ""); err != nil {
			t.Fatal(err)
		}
		if err := svc.Save(ctx, writer, st, st.Version, newsroom.Publish, time.Time{}, ""); !errors.Is(err, newsroom.ErrForbidden) {
			t.Errorf("a writer published: %v", err)
		}
		// Two people load version 1; the second save is a conflict.
		mine, theirs := *st, *st
		mine.Body, theirs.Body = "My text.", "Their text."
		if err := svc.Save(ctx, editor, &theirs, 1, newsroom.Save, time.Time{}, ""); err != nil {
			t.Fatal(err)
		}
		if err := svc.Save(ctx, writer, &mine, 1, newsroom.Save, time.Time{}, ""); !errors.Is(err, story.ErrConflict) {
			t.Errorf("a stale save: %v, want ErrConflict", err)
		}
		if err := svc.Save(ctx, editor, &theirs, 2, newsroom.Publish, time.Time{}, ""); err != nil {
			t.Fatal(err)
		}
		// Published: the writer can no longer edit; the editor can, and it
		// shows as updated; a new slug keeps the old address.
		pub, _ := db.StoryByID(ctx, st.ID)
		if err := svc.Save(ctx, writer, pub, pub.Version, newsroom.Save, time.Time{}, ""); !errors.Is(err, newsroom.ErrForbidden) {
			t.Errorf("a writer edited a published story: %v", err)
		}
		c.Set(c.Now().Add(time.Hour))
		oldSlug := pub.Slug
		pub.Slug = "a-better-slug"
		if err := svc.Save(ctx, editor, pub, pub.Version, newsroom.Save, time.Time{}, "An earlier version misnamed the ferry."); err != nil {
			t.Fatal(err)
		}
		got, _ := db.StoryByID(ctx, st.ID)
		if !got.Updated() || len(got.Corrections) != 1 || got.Slug != "a-better-slug" {
			t.Errorf("after an edit: updated=%v corrections=%d slug=%s", got.Updated(), len(got.Corrections), got.Slug)
		}
		moved, err := db.RedirectSlug(ctx, oldSlug)
		if err != nil || moved.ID != st.ID {
			t.Errorf("old slug: %v", err)
		}
		revs, _ := db.Revisions(ctx, st.ID)
		if len(revs) != 4 || revs[0].Version != 4 {
			t.Errorf("%d revisions", len(revs))
		}
	})
}
