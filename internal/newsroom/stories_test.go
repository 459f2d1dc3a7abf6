package newsroom_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"dateline/internal/account"
	"dateline/internal/newsroom"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
	"dateline/internal/story"
)

func TestWhatTheNewsroomListsShow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		svc, c, writer, editor := setup(t, db)
		save := func(u *account.User, headline string, action newsroom.Action, at time.Time) int64 {
			t.Helper()
			st := draft(headline)
			if err := svc.Save(ctx, u, st, 0, newsroom.Save, time.Time{}, ""); err != nil {
				t.Fatal(err)
			}
			if action != newsroom.Save {
				if err := svc.Save(ctx, u, st, st.Version, action, at, ""); err != nil {
					t.Fatal(err)
				}
			}
			return st.ID
		}
		mineDraft := save(writer, "Writer's notes", newsroom.Save, time.Time{})
		mineSubmitted := save(writer, "Writer's story", newsroom.Submit, time.Time{})
		theirsSubmitted := save(editor, "Editor's story", newsroom.Submit, time.Time{})
		scheduled := save(editor, "Embargoed", newsroom.Schedule, c.Now().Add(time.Hour))
		ids := func(list []story.Story, err error) []int64 {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, st := range list {
				out = append(out, st.ID)
			}
			slices.Sort(out)
			return out
		}
		// A writer sees their own stories only, whatever the filter asks.
		if got := ids(svc.Stories(ctx, writer, story.NewsroomFilter{CreatedBy: editor.ID})); !slices.Equal(got, []int64{mineDraft, mineSubmitted}) {
			t.Errorf("a writer's list: %v", got)
		}
		if got := ids(svc.Stories(ctx, editor, story.NewsroomFilter{})); len(got) != 4 {
			t.Errorf("an editor's list: %v", got)
		}
		if got := ids(svc.Stories(ctx, editor, story.NewsroomFilter{CreatedBy: writer.ID})); !slices.Equal(got, []int64{mineDraft, mineSubmitted}) {
			t.Errorf("an editor's list of a writer's stories: %v", got)
		}
		// Review: submitted drafts, a writer's own for a writer.
		if got := ids(svc.ForReview(ctx, writer)); !slices.Equal(got, []int64{mineSubmitted}) {
			t.Errorf("a writer's review: %v", got)
		}
		if got := ids(svc.ForReview(ctx, editor)); !slices.Equal(got, []int64{mineSubmitted, theirsSubmitted}) {
			t.Errorf("an editor's review: %v", got)
		}
		if got := ids(svc.Scheduled(ctx, 50)); !slices.Equal(got, []int64{scheduled}) {
			t.Errorf("scheduled: %v", got)
		}
	})
}

func TestRestoringARevision(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		svc, _, writer, editor := setup(t, db)
		st := draft("First headline")
		if err := svc.Save(ctx, editor, st, 0, newsroom.Publish, time.Time{}, ""); err != nil {
			t.Fatal(err)
		}
		changed := *st
		changed.Headline, changed.Body = "Second headline", "Second text."
		if err := svc.Save(ctx, editor, &changed, st.Version, newsroom.Save, time.Time{}, ""); err != nil {
			t.Fatal(err)
		}
		current, _ := db.StoryByID(ctx, st.ID)
		if err := svc.Restore(ctx, editor, current, 99); !errors.Is(err, story.ErrNotFound) {
			t.Errorf("a revision that is not there: %v, want ErrNotFound", err)
		}
		if err := svc.Restore(ctx, writer, current, 1); !errors.Is(err, newsroom.ErrForbidden) {
			t.Errorf("a writer restored an editor's published story: %v", err)
		}
		if err := svc.Restore(ctx, editor, current, 1); err != nil {
			t.Fatal(err)
		}
		got, _ := db.StoryByID(ctx, st.ID)
		if got.Headline != "First headline" || got.Body != "Text." || got.Version != current.Version+1 || got.Slug != current.Slug {
			t.Errorf("restored %q %q v%d", got.Headline, got.Body, got.Version)
		}
		revs, _ := svc.Revisions(ctx, st.ID)
		if len(revs) != 3 || revs[1].Headline != "Second headline" {
			t.Errorf("revisions after a restore: %d", len(revs))
		}
	})
}

func TestBylinesLinkStaffAuthors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		svc, _, _, _ := setup(t, db)
		if err := svc.CreateAuthor(ctx, &story.Author{Name: "Noor Haddad"}); err != nil {
			t.Fatal(err)
		}
		got, err := svc.Bylines(ctx, []string{" noor HADDAD ", "", "  ", "A Stringer"})
		want := []story.Byline{{Name: "Noor Haddad", AuthorSlug: "noor-haddad"}, {Name: "A Stringer"}}
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("bylines %+v, %v; want %+v", got, err, want)
		}
	})
}
