package newsroom_test

import (
	"errors"
	"strings"
	"testing"

	"dateline/internal/field"
	"dateline/internal/media"
	"dateline/internal/newsroom"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
	"dateline/internal/story"
)

// wrongFields returns the names of the fields err says are wrong, failing
// the test when err is not a field.Errors.
func wrongFields(t *testing.T, err error) []string {
	t.Helper()
	var fe field.Errors
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v, want field errors", err)
	}
	var names []string
	for n := range fe {
		names = append(names, n)
	}
	return names
}

func TestAuthorsAreTidiedCheckedAndUnique(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		svc, c, _, _ := setup(t, db)
		for _, tc := range []struct {
			name  string
			a     story.Author
			wrong string
		}{
			{"no name", story.Author{Name: "  "}, newsroom.FieldAuthorName},
			{"a long name", story.Author{Name: strings.Repeat("é", 81)}, newsroom.FieldAuthorName},
			{"a long bio", story.Author{Name: "Ann", Bio: strings.Repeat("b", 601)}, newsroom.FieldAuthorBio},
		} {
			a := tc.a
			if got := wrongFields(t, svc.CreateAuthor(ctx, &a)); len(got) != 1 || got[0] != tc.wrong {
				t.Errorf("%s: wrong fields %v, want %s", tc.name, got, tc.wrong)
			}
		}
		if list, _ := svc.Authors(ctx); len(list) != 0 {
			t.Fatalf("refused authors were kept: %v", list)
		}

		im := &media.Image{Format: "jpeg", Width: 10, Height: 10, Widths: []int{10}, Alt: "A face", At: c.Now()}
		if err := db.CreateImage(ctx, im); err != nil {
			t.Fatal(err)
		}
		a := &story.Author{Name: "  Noor \n Haddad ", Bio: " Covers the harbour. ", PhotoID: im.ID}
		if err := svc.CreateAuthor(ctx, a); err != nil {
			t.Fatal(err)
		}
		got, err := db.AuthorBySlug(ctx, "noor-haddad")
		if err != nil || got.Name != "Noor Haddad" || got.Bio != "Covers the harbour." || got.PhotoID != im.ID || a.ID != got.ID {
			t.Fatalf("author %+v, %v", got, err)
		}
		// The same name, in other words, is the same slug.
		if wrong := wrongFields(t, svc.CreateAuthor(ctx, &story.Author{Name: "noor haddad"})); len(wrong) != 1 || wrong[0] != newsroom.FieldAuthorName {
			t.Errorf("a second Noor Haddad: %v", wrong)
		}
		// A photo that is no image is no photo; the slug stays.
		up := &story.Author{ID: a.ID, Name: "Noor  Haddad-Smith", Bio: "Shipping.", PhotoID: im.ID + 100}
		if err := svc.UpdateAuthor(ctx, up); err != nil {
			t.Fatal(err)
		}
		got, _ = db.AuthorBySlug(ctx, "noor-haddad")
		if got.Name != "Noor Haddad-Smith" || got.Bio != "Shipping." || got.PhotoID != 0 {
			t.Errorf("updated author %+v", got)
		}
		if err := svc.UpdateAuthor(ctx, &story.Author{ID: a.ID, Name: ""}); len(wrongFields(t, err)) != 1 {
			t.Errorf("an update without a name: %v", err)
		}
		if err := svc.UpdateAuthor(ctx, &story.Author{ID: a.ID + 100, Name: "Nobody"}); !errors.Is(err, story.ErrNotFound) {
			t.Errorf("an unknown author: %v, want ErrNotFound", err)
		}
	})
}

func TestSectionsAreCheckedUniqueAndMoved(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		svc, _, _, _ := setup(t, db) // has "world"
		for _, name := range []string{"", " \t ", strings.Repeat("s", 41)} {
			if wrong := wrongFields(t, svc.CreateSection(ctx, &story.Section{Name: name})); len(wrong) != 1 || wrong[0] != newsroom.FieldSectionName {
				t.Errorf("section %q: wrong %v", name, wrong)
			}
		}
		sport := &story.Section{Name: "  Sport  and   games ", Description: "Results."}
		if err := svc.CreateSection(ctx, sport); err != nil {
			t.Fatal(err)
		}
		got, err := db.SectionBySlug(ctx, "sport-and-games")
		if err != nil || got.Name != "Sport and games" || got.Position != 100 || got.ID != sport.ID {
			t.Fatalf("section %+v, %v", got, err)
		}
		if wrong := wrongFields(t, svc.CreateSection(ctx, &story.Section{Name: "Sport and Games"})); wrong[0] != newsroom.FieldSectionName {
			t.Errorf("a duplicate section: %v", wrong)
		}

		// One wrong place moves nothing, not even the sections before it.
		for _, v := range []string{"x", "-1", "1001", "1.5"} {
			err := svc.SetSectionPositions(ctx, map[string]string{"world": "7", "sport-and-games": v})
			if !errors.Is(err, newsroom.ErrSectionPosition) {
				t.Errorf("position %q: %v, want ErrSectionPosition", v, err)
			}
		}
		if got, _ := db.SectionBySlug(ctx, "world"); got.Position != 0 {
			t.Errorf("a refused request moved a section to %d", got.Position)
		}
		// Empty places and slugs of no section are left alone.
		if err := svc.SetSectionPositions(ctx, map[string]string{"sport-and-games": "0", "world": "", "nowhere": "x"}); err != nil {
			t.Fatal(err)
		}
		if err := svc.SetSectionPositions(ctx, map[string]string{"world": "1000"}); err != nil {
			t.Fatal(err)
		}
		secs, _ := db.Sections(ctx)
		if len(secs) != 2 || secs[0].Slug != "sport-and-games" || secs[0].Position != 0 || secs[1].Position != 1000 {
			t.Errorf("sections %+v", secs)
		}
	})
}
