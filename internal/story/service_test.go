package story_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"dateline/internal/story"
)

// fakeStore is a paper of n published stories and one section, "world",
// that records what it was asked.
type fakeStore struct {
	story.Store // anything not faked here panics
	n           int
	searchTotal int
	searchErr   error

	calls    []string
	filters  []story.Filter
	searches []story.SearchQuery
	since    time.Time
}

func (f *fakeStore) CountPublished(_ context.Context, fl story.Filter) (int, error) {
	f.calls = append(f.calls, "count")
	return f.n, nil
}

func (f *fakeStore) PublishedStories(_ context.Context, fl story.Filter) ([]story.Story, error) {
	f.calls = append(f.calls, "list")
	f.filters = append(f.filters, fl)
	var out []story.Story
	for i := fl.Offset; i < min(fl.Offset+fl.Limit, f.n); i++ {
		out = append(out, story.Story{ID: int64(i + 1)})
	}
	return out, nil
}

func (f *fakeStore) SectionBySlug(_ context.Context, slug string) (*story.Section, error) {
	f.calls = append(f.calls, "section")
	if slug != "world" {
		return nil, story.ErrNotFound
	}
	return &story.Section{ID: 7, Slug: slug, Name: "World"}, nil
}

func (f *fakeStore) Search(_ context.Context, q story.SearchQuery) ([]story.SearchHit, int, error) {
	f.calls = append(f.calls, "search")
	f.searches = append(f.searches, q)
	if f.searchErr != nil {
		return nil, 0, f.searchErr
	}
	return []story.SearchHit{{Story: story.Story{ID: 1}}}, f.searchTotal, nil
}

func (f *fakeStore) PublishedRefs(_ context.Context, since time.Time, limit int) ([]story.Ref, error) {
	f.calls = append(f.calls, "refs")
	f.since = since
	return make([]story.Ref, min(limit, f.n)), nil
}

var testNow = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

func newService(st story.Store) *story.Service {
	return story.NewService(st, func() time.Time { return testNow })
}

func TestParsePage(t *testing.T) {
	for text, want := range map[string]int{"": 1, "1": 1, "2": 2, "10000": story.MaxPage} {
		if n, err := story.ParsePage(text); err != nil || n != want {
			t.Errorf("ParsePage(%q) = %d, %v; want %d", text, n, err, want)
		}
	}
	for _, text := range []string{"0", "-1", "10001", "abc", "1.5", " 2", "99999999999999999999", "%00"} {
		if n, err := story.ParsePage(text); !errors.Is(err, story.ErrBadPage) {
			t.Errorf("ParsePage(%q) = %d, %v; want ErrBadPage", text, n, err)
		}
	}
}

// FuzzParsePage: any text is a page from 1 to MaxPage or ErrBadPage.
func FuzzParsePage(f *testing.F) {
	for _, seed := range []string{"", "1", "-1", "0", "abc", "99999999999999999999", "1e3", " 2", "10000", "10001", "+5", "007"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		n, err := story.ParsePage(text)
		if err == nil && (n < 1 || n > story.MaxPage) {
			t.Fatalf("page %q gave %d", text, n)
		}
		if err != nil && !errors.Is(err, story.ErrBadPage) {
			t.Fatalf("page %q: %v", text, err)
		}
	})
}

func TestPublishedPages(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name          string
		stories, page int
		size          int // 0 is PageSize
		err           error
		offset, shown int
		pages         int
	}{
		{name: "first of three", stories: 45, page: 1, offset: 0, shown: 20, pages: 3},
		{name: "last, part full", stories: 45, page: 3, offset: 40, shown: 5, pages: 3},
		{name: "past the last", stories: 45, page: 4, err: story.ErrNotFound},
		{name: "exactly full", stories: 40, page: 2, offset: 20, shown: 20, pages: 2},
		{name: "one past exactly full", stories: 40, page: 3, err: story.ErrNotFound},
		{name: "nothing published: the first page is empty", stories: 0, page: 1, pages: 1},
		{name: "nothing published: no second page", stories: 0, page: 2, err: story.ErrNotFound},
		{name: "pages of five", stories: 16, page: 4, size: 5, offset: 15, shown: 1, pages: 4},
		{name: "page zero", stories: 45, page: 0, err: story.ErrBadPage},
		{name: "page below zero", stories: 45, page: -1, err: story.ErrBadPage},
		{name: "page past the highest", stories: 45, page: story.MaxPage + 1, err: story.ErrBadPage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := &fakeStore{n: tc.stories}
			svc := newService(st)
			if tc.size > 0 {
				svc = svc.WithPageSize(tc.size)
			}
			lp, err := svc.Published(ctx, story.Filter{SectionID: 3, Limit: 999, Offset: 999}, tc.page)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				if errors.Is(err, story.ErrBadPage) && len(st.calls) > 0 {
					t.Errorf("a bad page number read the database: %v", st.calls)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			size := story.PageSize
			if tc.size > 0 {
				size = tc.size
			}
			f := st.filters[0]
			if f.SectionID != 3 || f.Limit != size || f.Offset != tc.offset {
				t.Errorf("listed with %+v, want section 3, limit %d, offset %d", f, size, tc.offset)
			}
			if len(lp.Stories) != tc.shown || lp.Page != tc.page || lp.Pages != tc.pages {
				t.Errorf("page %d of %d with %d stories, want page %d of %d with %d",
					lp.Page, lp.Pages, len(lp.Stories), tc.page, tc.pages, tc.shown)
			}
		})
	}
}

func TestSearch(t *testing.T) {
	ctx := context.Background()
	t.Run("a query, its page and its days", func(t *testing.T) {
		st := &fakeStore{searchTotal: 45}
		from, to := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
		res, err := newService(st).Search(ctx, story.SearchRequest{Query: `Ferry "strike" OR port`, Section: "world",
			From: from, To: to, Page: 3})
		if err != nil {
			t.Fatal(err)
		}
		q := st.searches[0]
		if strings.Join(q.Terms, " ") != "ferry strike or port" {
			t.Errorf("searched for %q", q.Terms)
		}
		if q.Limit != story.PageSize || q.Offset != 2*story.PageSize {
			t.Errorf("page 3 searched with limit %d, offset %d", q.Limit, q.Offset)
		}
		if q.SectionID != 7 || res.NoSection {
			t.Errorf("section %d (no section: %v), want 7", q.SectionID, res.NoSection)
		}
		// The last day is searched whole.
		if !q.From.Equal(from) || !q.To.Equal(to.AddDate(0, 0, 1)) {
			t.Errorf("searched from %v to %v", q.From, q.To)
		}
		if !res.Searched || res.Total != 45 || res.More || res.Page != 3 || res.Pages != 3 || len(res.Hits) != 1 {
			t.Errorf("results %+v", res)
		}
	})
	t.Run("open days", func(t *testing.T) {
		st := &fakeStore{}
		if _, err := newService(st).Search(ctx, story.SearchRequest{Query: "ferry", Page: 1}); err != nil {
			t.Fatal(err)
		}
		if q := st.searches[0]; !q.From.IsZero() || !q.To.IsZero() || q.SectionID != 0 {
			t.Errorf("an open search was bounded: %+v", q)
		}
	})
	t.Run("no such section searches every section", func(t *testing.T) {
		st := &fakeStore{searchTotal: 1}
		res, err := newService(st).Search(ctx, story.SearchRequest{Query: "ferry", Section: "sport", Page: 1})
		if err != nil {
			t.Fatal(err)
		}
		if !res.NoSection || st.searches[0].SectionID != 0 || !res.Searched {
			t.Errorf("no section %v, searched section %d, searched %v", res.NoSection, st.searches[0].SectionID, res.Searched)
		}
	})
	t.Run("no words searches nothing", func(t *testing.T) {
		st := &fakeStore{}
		res, err := newService(st).Search(ctx, story.SearchRequest{Query: `"" -- !!`, Section: "sport", Page: 1})
		if err != nil {
			t.Fatal(err)
		}
		if res.Searched || len(st.searches) > 0 || res.Pages != 1 {
			t.Errorf("searched %v, %d searches, %d pages", res.Searched, len(st.searches), res.Pages)
		}
		if !res.NoSection {
			t.Error("an unknown section went unsaid without words")
		}
	})
	t.Run("the query is cut, never inside a character", func(t *testing.T) {
		st := &fakeStore{}
		long := strings.Repeat("a", story.MaxQuery-1) + "é and more"
		res, err := newService(st).Search(ctx, story.SearchRequest{Query: long, Page: 1})
		if err != nil {
			t.Fatal(err)
		}
		if res.Query != strings.Repeat("a", story.MaxQuery-1) {
			t.Errorf("query cut to %d bytes: %q", len(res.Query), res.Query[max(0, len(res.Query)-5):])
		}
		if terms := st.searches[0].Terms; len(terms) != 1 || len(terms[0]) != story.MaxTermLength {
			t.Errorf("searched for %q", terms)
		}
		short := "ferry"
		if res, _ := newService(st).Search(ctx, story.SearchRequest{Query: short, Page: 1}); res.Query != short {
			t.Errorf("a short query became %q", res.Query)
		}
	})
	t.Run("more matches than are ranked", func(t *testing.T) {
		pages := (story.SearchCandidates + story.PageSize - 1) / story.PageSize
		for total, want := range map[int]struct {
			more  bool
			pages int
		}{
			0:                          {false, 1},
			1:                          {false, 1},
			story.SearchCandidates:     {false, pages},
			story.SearchCandidates + 1: {true, pages},
		} {
			res, err := newService(&fakeStore{searchTotal: total}).Search(ctx, story.SearchRequest{Query: "ferry", Page: 1})
			if err != nil {
				t.Fatal(err)
			}
			if res.More != want.more || res.Pages != want.pages || res.Total != total {
				t.Errorf("total %d: more %v, %d pages, total %d; want %v, %d", total, res.More, res.Pages, res.Total, want.more, want.pages)
			}
		}
	})
	t.Run("a bad page reads nothing", func(t *testing.T) {
		for _, page := range []int{0, -3, story.MaxPage + 1} {
			st := &fakeStore{}
			if _, err := newService(st).Search(ctx, story.SearchRequest{Query: "ferry", Section: "world", Page: page}); !errors.Is(err, story.ErrBadPage) {
				t.Errorf("page %d: err = %v", page, err)
			}
			if len(st.calls) > 0 {
				t.Errorf("page %d read the database: %v", page, st.calls)
			}
		}
	})
	t.Run("a failed search is an error", func(t *testing.T) {
		down := errors.New("database away")
		if _, err := newService(&fakeStore{searchErr: down}).Search(ctx, story.SearchRequest{Query: "ferry", Page: 1}); !errors.Is(err, down) {
			t.Errorf("err = %v", err)
		}
	})
}

func TestRefs(t *testing.T) {
	ctx := context.Background()
	st := &fakeStore{n: 3}
	svc := newService(st)
	if refs, err := svc.RecentRefs(ctx, 48*time.Hour, 10); err != nil || len(refs) != 3 {
		t.Fatalf("recent refs: %d, %v", len(refs), err)
	}
	if want := testNow.Add(-48 * time.Hour); !st.since.Equal(want) {
		t.Errorf("recent refs since %v, want %v", st.since, want)
	}
	if refs, err := svc.PublishedRefs(ctx, 2); err != nil || len(refs) != 2 || !st.since.IsZero() {
		t.Errorf("published refs: %d since %v, %v", len(refs), st.since, err)
	}
}
