package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"dateline/internal/account"
	"dateline/internal/clock"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
	"dateline/internal/story"
)

// apiPage is a page of GET /api/v1/stories.
type apiPage struct {
	Stories []json.RawMessage `json:"stories"`
	Next    string            `json:"next"`
}

func getPage(t *testing.T, s *accountSite, token, path string) apiPage {
	t.Helper()
	r := apiCall(s, token, "GET", path, "", nil)
	var p apiPage
	if err := json.Unmarshal([]byte(r.Body), &p); r.Code != http.StatusOK || err != nil {
		t.Fatalf("GET %s = %d %v\n%.300s", path, r.Code, err, r.Body)
	}
	return p
}

// The list gives each story as reading it alone does (tags and body
// included), and its cursor walks past 200 stories without repeating or
// missing one.
func TestAPIListGivesWholeStoriesPageByPage(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		token := staffToken(t, s, account.Editor, "desk@example.com")
		var made []int64
		for i := range 3 {
			body := fmt.Sprintf(`{"headline": "Tagged wire copy %d", "dek": "A dek.", "dateline": "OSLO", "section": "world",
				"bylines": ["Agency", "Desk"], "tags": ["Shipping", "Ports %d"], "body": "First.\n\nSecond %d."}`, i, i, i)
			r := apiCall(s, token, "POST", "/api/v1/stories", "application/json", []byte(body))
			var st apiStory
			if err := json.Unmarshal([]byte(r.Body), &st); r.Code != http.StatusCreated || err != nil {
				t.Fatalf("create = %d %s", r.Code, r.Body)
			}
			made = append(made, st.ID)
		}
		for i := range 230 {
			addStory(t, s.site, &story.Story{Headline: fmt.Sprintf("Filler %d", i), Tags: tags("Filler")}, float64(i))
		}

		// Each of the tagged stories reads the same in the list as alone.
		first := getPage(t, s, token, "/api/v1/stories?limit=200")
		if len(first.Stories) != 200 || first.Next == "" {
			t.Fatalf("first page: %d stories, next %q", len(first.Stories), first.Next)
		}
		inList := map[int64]json.RawMessage{}
		seen := map[int64]bool{}
		last := int64(1 << 62)
		for p, pages := first, 1; ; pages++ {
			for _, raw := range p.Stories {
				var st apiStory
				if err := json.Unmarshal(raw, &st); err != nil {
					t.Fatal(err)
				}
				if seen[st.ID] || st.ID >= last {
					t.Fatalf("story %d out of order or repeated on page %d", st.ID, pages)
				}
				seen[st.ID], last, inList[st.ID] = true, st.ID, raw
			}
			if p.Next == "" {
				if pages < 2 {
					t.Fatal("one page held every story")
				}
				break
			}
			if !strings.Contains(p.Next, "limit=200") {
				t.Errorf("next %q drops the limit", p.Next)
			}
			p = getPage(t, s, token, p.Next)
		}
		total, err := s.db.NewsroomStories(context.Background(), story.NewsroomFilter{Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		if len(seen) != len(total) {
			t.Errorf("the pages listed %d stories of %d", len(seen), len(total))
		}
		for _, id := range made {
			r := apiCall(s, token, "GET", fmt.Sprintf("/api/v1/stories/%d", id), "", nil)
			var alone, listed map[string]any
			if err := json.Unmarshal([]byte(r.Body), &alone); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(inList[id], &listed); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(alone, listed) {
				t.Errorf("story %d listed as\n%v\nread alone as\n%v", id, listed, alone)
			}
			if tg, _ := listed["tags"].([]any); len(tg) != 2 || !strings.Contains(fmt.Sprint(listed["body"]), "Second") {
				t.Errorf("story %d listed without its tags or body: %v", id, listed)
			}
		}

		// A status keeps to its stories on every page.
		p := getPage(t, s, token, "/api/v1/stories?status=draft&limit=2")
		if p.Next == "" || !strings.Contains(p.Next, "status=draft") {
			t.Errorf("drafts' next page %q", p.Next)
		}

		// A cursor not of ours is the client's mistake.
		for _, bad := range []string{"nonsense", "czEuMA", "%%%", "czEueHl6"} {
			r := apiCall(s, token, "GET", "/api/v1/stories?cursor="+url.QueryEscape(bad), "", nil)
			if e := apiErrorOf(t, r); r.Code != http.StatusBadRequest || e.Field != "cursor" {
				t.Errorf("cursor %q = %d %+v", bad, r.Code, e)
			}
		}
	})
}

// A page of the list costs the same few queries, however many stories it
// holds: no query per story for its bylines, tags or body.
func TestAPIListQueries(t *testing.T) {
	dsn, queries := storetest.CountingDSN(t, storetest.DSN(t, store.Postgres))
	db, err := store.Open(context.Background(), dsn, clock.System)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := newAccountSite(t, db)
	token := staffToken(t, s, account.Editor, "desk@example.com")
	for i := range 40 {
		addStory(t, s.site, &story.Story{Headline: fmt.Sprintf("Counted %d", i), Tags: tags("One", "Two")}, float64(i))
	}
	count := func(limit int) int64 {
		getPage(t, s, token, fmt.Sprintf("/api/v1/stories?limit=%d", limit)) // fills what is kept
		before := queries.Load()
		p := getPage(t, s, token, fmt.Sprintf("/api/v1/stories?limit=%d", limit))
		if len(p.Stories) != limit {
			t.Fatalf("%d stories listed, want %d", len(p.Stories), limit)
		}
		return queries.Load() - before
	}
	one, forty := count(1), count(40)
	t.Logf("a page of 1: %d queries; of 40: %d", one, forty)
	// The snapshots of the settings and sections are read again once a
	// second, which may add two; a query per story would add forty.
	if forty > one+2 {
		t.Errorf("a page of 40 stories took %d queries, a page of 1 took %d", forty, one)
	}
}
