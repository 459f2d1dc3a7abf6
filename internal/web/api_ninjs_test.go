package web

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"dateline/internal/account"
)

// ninjsDoc reads a ninjs item written for these tests.
func ninjsDoc(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/ninjs/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fileNinjs posts a ninjs item and reads the story answered.
func fileNinjs(t *testing.T, s *accountSite, token, query, contentType string, doc []byte, want int) (apiStory, result) {
	t.Helper()
	r := apiCall(s, token, "POST", "/api/v1/stories"+query, contentType, doc)
	if r.Code != want {
		t.Fatalf("POST ninjs%s = %d, want %d\n%.500s", query, r.Code, want, r.Body)
	}
	var st apiStory
	if err := json.Unmarshal([]byte(r.Body), &st); err != nil {
		t.Fatalf("answer is not JSON: %s", r.Body)
	}
	return st, r
}

// Agency copy in ninjs lands as a story with every field mapped; a later
// version of the same item updates that story, the same version again
// changes nothing, and an older one is refused.
func TestAPINinjsVersions(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		ctx := context.Background()
		token := staffToken(t, s, account.Editor, "wire@example.com")
		st, r := fileNinjs(t, s, token, "?section=world", "application/ninjs+json", ninjsDoc(t, "ferry-v1.json"), http.StatusCreated)
		if r.Header.Get("Dateline-Wire") != "created" || !strings.HasSuffix(r.Header.Get("Location"), "/api/v1/stories/"+itoa64(st.ID)) {
			t.Errorf("headers %v", r.Header)
		}
		v1 := time.Date(2026, 12, 3, 5, 10, 0, 0, time.UTC)
		if st.Headline != "Ferry crews walk out over rosters" || st.Dek != "Crossings to the islands are cancelled until Thursday." ||
			st.Dateline != "BERGEN" || st.Credit != "Northern Wire" || st.Section != "world" || st.Status != "draft" ||
			!slices.Equal(st.Bylines, []string{"Maren Holt"}) || !slices.Equal(st.Tags, []string{"Transport", "Labour dispute"}) ||
			st.WireURI != "urn:newsml:wire.example:20261203:ferry-strike" || st.WireVersion == nil || !st.WireVersion.Equal(v1) {
			t.Errorf("filed as %+v", st)
		}
		for _, want := range []string{"on **Tuesday**, leaving", "[new rosters](https://union.example/rosters)", "- Morning sailings: cancelled"} {
			if !strings.Contains(st.Body, want) {
				t.Errorf("body lacks %q:\n%s", want, st.Body)
			}
		}
		saved, err := s.db.StoryByID(ctx, st.ID)
		if err != nil || !strings.Contains(saved.BodyHTML, "<strong>Tuesday</strong>") || !strings.Contains(saved.BodyHTML, "<li>Freight: delayed</li>") {
			t.Errorf("rendered body %q, %v", saved.BodyHTML, err)
		}

		// The same version again, delivered twice: nothing changes.
		again, r := fileNinjs(t, s, token, "?section=world", "application/ninjs+json", ninjsDoc(t, "ferry-v1.json"), http.StatusOK)
		if again.ID != st.ID || again.Version != st.Version || r.Header.Get("Dateline-Wire") != "unchanged" {
			t.Errorf("the same version again: %+v %v", again, r.Header)
		}

		// The desk publishes it and makes it subscribers-only; the
		// agency's next version updates the words and keeps those choices.
		edit := apiCall(s, token, "PUT", "/api/v1/stories/"+itoa64(st.ID), "application/json",
			[]byte(`{"headline": "Ferry crews walk out over rosters", "section": "business", "access": "subscribers", "bylines": ["Maren Holt"], "body": "Edited by the desk.", "version": `+itoa64(int64(st.Version))+`}`))
		if edit.Code != http.StatusOK {
			t.Fatalf("desk edit = %d %s", edit.Code, edit.Body)
		}
		if r := apiCall(s, token, "POST", "/api/v1/stories/"+itoa64(st.ID)+"/publish", "application/json", []byte(`{}`)); r.Code != http.StatusOK {
			t.Fatalf("publish = %d %s", r.Code, r.Body)
		}
		before, _ := s.db.StoryByID(ctx, st.ID)
		if before.Credit != "Northern Wire" || before.Wire.URI == "" {
			t.Errorf("the desk's edit dropped the credit or the item: %+v", before)
		}
		v2, r := fileNinjs(t, s, token, "?format=ninjs", "application/json", ninjsDoc(t, "ferry-v2.json"), http.StatusOK)
		if r.Header.Get("Dateline-Wire") != "updated" || v2.ID != st.ID || v2.Headline != "Ferry strike ends after talks through the night" ||
			v2.Section != "business" || v2.Access != "subscribers" || v2.Status != "published" || v2.Slug != before.Slug ||
			v2.Version != before.Version+1 || !v2.WireVersion.Equal(time.Date(2026, 12, 3, 5, 45, 0, 0, time.UTC)) ||
			!strings.Contains(v2.Body, "talks that ran through the night") || !slices.Equal(v2.Tags, []string{"Transport"}) {
			t.Errorf("after the second version: %+v", v2)
		}

		// Readers see the agency credited beside the byline.
		page, doc := s.mustGet(t, strings.TrimPrefix(v2.URL, testBase), http.StatusOK)
		if byline := strings.Join(strings.Fields(text(one(t, doc, "span.byline"))), " "); byline != "By Maren Holt, Northern Wire" {
			t.Errorf("byline %q\n%.300s", byline, page.Body)
		}

		// A late delivery of the first version is refused and changes nothing.
		r = apiCall(s, token, "POST", "/api/v1/stories?section=world", "application/ninjs+json", ninjsDoc(t, "ferry-v1.json"))
		if e := apiErrorOf(t, r); r.Code != http.StatusConflict || e.Code != "stale_version" || e.Field != "versioncreated" {
			t.Errorf("an older version = %d %+v", r.Code, e)
		}
		after, _ := s.db.StoryByID(ctx, st.ID)
		if after.Headline != v2.Headline || after.Version != v2.Version {
			t.Errorf("the older version changed the story: %+v", after)
		}
		list := getPage(t, s, token, "/api/v1/stories?limit=200")
		n := 0
		for _, raw := range list.Stories {
			if strings.Contains(string(raw), "ferry-strike") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d stories from one item", n)
		}
	})
}

// The flat ninjs properties (headline, subheadline, body_text, by,
// subject, provider) map as the lists do, text stays text, a repeated
// headline gets a slug of its own, and HTML is sanitised.
func TestAPINinjsFlatTextAndHostileHTML(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		ctx := context.Background()
		token := staffToken(t, s, account.Writer, "writer@example.com")
		doc := ninjsDoc(t, "market-flat.json")
		st, _ := fileNinjs(t, s, token, "?format=ninjs&section=business", "application/json", doc, http.StatusCreated)
		if st.Dek != "Banks led the gains." || st.Dateline != "MADRID" || st.Credit != "Agency Example" ||
			!slices.Equal(st.Bylines, []string{"Ana Ruiz", "Tom Berg"}) || !slices.Equal(st.Tags, []string{"Markets"}) {
			t.Errorf("filed as %+v", st)
		}
		saved, err := s.db.StoryByID(ctx, st.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"<h2>Shares close", "with banks *up* 2%.</p>", "<p>1. The index rose for a third day.\nTraders expect more listings.</p>"} {
			if want == "<h2>Shares close" {
				if strings.Contains(saved.BodyHTML, want) {
					t.Errorf("text became markup: %q", saved.BodyHTML)
				}
				continue
			}
			if !strings.Contains(saved.BodyHTML, want) {
				t.Errorf("rendered body lacks %q: %q", want, saved.BodyHTML)
			}
		}
		other := strings.Replace(string(doc), "close:20261203", "close:20261203-late", 1)
		second, _ := fileNinjs(t, s, token, "?format=ninjs&section=business", "application/json", []byte(other), http.StatusCreated)
		if second.ID == st.ID || second.Slug != st.Slug+"-2" {
			t.Errorf("a second item with the same headline: %q after %q", second.Slug, st.Slug)
		}

		h, _ := fileNinjs(t, s, token, "?section=world", "application/ninjs+json; charset=utf-8", ninjsDoc(t, "hostile.json"), http.StatusCreated)
		hs, err := s.db.StoryByID(ctx, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"<script", "steal", "onmouseover", "iframe", "javascript:", "<img", "onerror"} {
			if strings.Contains(hs.BodyHTML, bad) || strings.Contains(hs.Body, bad) {
				t.Errorf("%q survived: %q / %q", bad, hs.Body, hs.BodyHTML)
			}
		}
		if !strings.Contains(hs.BodyHTML, "Readers see this.") || !slices.Equal(h.Bylines, []string{"Wire Example"}) {
			t.Errorf("hostile item filed as %+v / %q", h, hs.BodyHTML)
		}
	})
}

// A document that is not a usable ninjs text item is a 400 naming the
// property at fault; a missing section is a 422 naming it.
func TestAPINinjsMistakes(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		token := staffToken(t, s, account.Editor, "wire@example.com")
		const ok = `"uri": "urn:x:1", "versioncreated": "2026-12-03T08:00:00Z", "headline": "A headline", "body_text": "Text.", "by": "Desk"`
		for _, tc := range []struct {
			name, doc, query string
			status           int
			code, field      string
		}{
			{"not JSON", `{"uri": `, "?section=world", 400, "malformed", ""},
			{"no uri", `{"versioncreated": "2026-12-03T08:00:00Z", "headline": "A", "body_text": "B", "by": "C"}`, "?section=world", 400, "invalid", "uri"},
			{"no versioncreated", `{"uri": "urn:x:1", "headline": "A", "body_text": "B", "by": "C"}`, "?section=world", 400, "invalid", "versioncreated"},
			{"a bad versioncreated", `{"uri": "urn:x:1", "versioncreated": "yesterday", "headline": "A", "body_text": "B", "by": "C"}`, "?section=world", 400, "invalid", "versioncreated"},
			{"a number for a headline", `{"uri": "urn:x:1", "versioncreated": "2026-12-03T08:00:00Z", "headline": 42, "body_text": "B", "by": "C"}`, "?section=world", 400, "invalid", "headline"},
			{"no headline", `{"uri": "urn:x:1", "versioncreated": "2026-12-03T08:00:00Z", "body_text": "B", "by": "C"}`, "?section=world", 400, "invalid", "headline"},
			{"no body", `{"uri": "urn:x:1", "versioncreated": "2026-12-03T08:00:00Z", "headline": "A", "by": "C"}`, "?section=world", 400, "invalid", "body_html"},
			{"no byline or agency", `{"uri": "urn:x:1", "versioncreated": "2026-12-03T08:00:00Z", "headline": "A", "body_text": "B"}`, "?section=world", 400, "invalid", "by"},
			{"a picture", `{"type": "picture", ` + ok + `}`, "?section=world", 400, "invalid", "type"},
			{"withheld", `{"pubstatus": "withheld", ` + ok + `}`, "?section=world", 400, "invalid", "pubstatus"},
			{"subjects not a list", `{"subjects": "Transport", ` + ok + `}`, "?section=world", 400, "invalid", "subjects"},
			{"no section", `{` + ok + `}`, "", 422, "invalid", "section"},
			{"an unknown section", `{` + ok + `}`, "?section=gardening", 422, "invalid", "section"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := apiCall(s, token, "POST", "/api/v1/stories"+tc.query, "application/ninjs+json", []byte(tc.doc))
				e := apiErrorOf(t, r)
				if r.Code != tc.status || e.Code != tc.code || e.Field != tc.field || e.Message == "" {
					t.Errorf("= %d %+v, want %d %s field %q", r.Code, e, tc.status, tc.code, tc.field)
				}
			})
		}
		r := apiCall(s, token, "POST", "/api/v1/stories?section=world", "text/plain", []byte(`{`+ok+`}`))
		if r.Code != http.StatusUnsupportedMediaType {
			t.Errorf("text/plain = %d", r.Code)
		}
		if r := apiCall(s, token, "POST", "/api/v1/stories?section=world&format=ninjs", "text/plain", []byte(`{`+ok+`}`)); r.Code != http.StatusUnsupportedMediaType {
			t.Errorf("format=ninjs as text/plain = %d", r.Code)
		}
	})
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// A feed that delivers one item several times at once still makes one
// story: the others find it and change nothing.
func TestAPINinjsAtOnce(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		token := staffToken(t, s, account.Editor, "wire@example.com")
		doc := ninjsDoc(t, "ferry-v1.json")
		codes := make(chan int, 4)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				codes <- apiCall(s, token, "POST", "/api/v1/stories?section=world", "application/ninjs+json", doc).Code
			})
		}
		wg.Wait()
		close(codes)
		created := 0
		for c := range codes {
			switch c {
			case http.StatusCreated:
				created++
			case http.StatusOK:
			default:
				t.Errorf("a delivery was answered %d", c)
			}
		}
		list := getPage(t, s, token, "/api/v1/stories?limit=200")
		n := 0
		for _, raw := range list.Stories {
			if strings.Contains(string(raw), "ferry-strike") {
				n++
			}
		}
		if created != 1 || n != 1 {
			t.Errorf("%d created, %d stories from one item", created, n)
		}
	})
}
