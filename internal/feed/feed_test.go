package feed

import (
	"bytes"
	"encoding/xml"
	"errors"
	"strings"
	"testing"
	"time"
)

// The test-side types decode with fully namespace-qualified names, so an
// element written outside the Atom namespace is not found.

type testAtomFeed struct {
	XMLName  xml.Name         `xml:"http://www.w3.org/2005/Atom feed"`
	ID       string           `xml:"http://www.w3.org/2005/Atom id"`
	Title    testText         `xml:"http://www.w3.org/2005/Atom title"`
	Subtitle *testText        `xml:"http://www.w3.org/2005/Atom subtitle"`
	Updated  string           `xml:"http://www.w3.org/2005/Atom updated"`
	Links    []testLink       `xml:"http://www.w3.org/2005/Atom link"`
	Authors  []testPerson     `xml:"http://www.w3.org/2005/Atom author"`
	Entries  []testAtomEntry  `xml:"http://www.w3.org/2005/Atom entry"`
	Unknown  []testAnyElement `xml:",any"`
}

type testAtomEntry struct {
	ID         string           `xml:"http://www.w3.org/2005/Atom id"`
	Title      testText         `xml:"http://www.w3.org/2005/Atom title"`
	Links      []testLink       `xml:"http://www.w3.org/2005/Atom link"`
	Published  string           `xml:"http://www.w3.org/2005/Atom published"`
	Updated    string           `xml:"http://www.w3.org/2005/Atom updated"`
	Authors    []testPerson     `xml:"http://www.w3.org/2005/Atom author"`
	Categories []testCategory   `xml:"http://www.w3.org/2005/Atom category"`
	Summary    *testText        `xml:"http://www.w3.org/2005/Atom summary"`
	Content    *testText        `xml:"http://www.w3.org/2005/Atom content"`
	Unknown    []testAnyElement `xml:",any"`
}

type testText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type testLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
	Href string `xml:"href,attr"`
}

type testPerson struct {
	Name string `xml:"http://www.w3.org/2005/Atom name"`
	URI  string `xml:"http://www.w3.org/2005/Atom uri"`
}

type testCategory struct {
	Term string `xml:"term,attr"`
}

// testAnyElement catches elements the other fields do not match, such as
// Atom elements written in the wrong namespace.
type testAnyElement struct {
	XMLName xml.Name
}

// decodeAtom writes f and decodes the result, failing the test on error.
func decodeAtom(t *testing.T, f *Feed) (testAtomFeed, string) {
	t.Helper()
	var buf bytes.Buffer
	if err := f.WriteAtom(&buf); err != nil {
		t.Fatalf("WriteAtom: %v", err)
	}
	out := buf.String()
	var doc testAtomFeed
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("decoding Atom output: %v\n%s", err, out)
	}
	if len(doc.Unknown) > 0 {
		t.Errorf("unexpected elements in feed: %v\n%s", doc.Unknown, out)
	}
	for i, e := range doc.Entries {
		if len(e.Unknown) > 0 {
			t.Errorf("unexpected elements in entry %d: %v\n%s", i, e.Unknown, out)
		}
	}
	return doc, out
}

// checkTime reports whether s is RFC 3339 in UTC with whole seconds and
// equal to want.
func checkTime(t *testing.T, what, s string, want time.Time) {
	t.Helper()
	got, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Errorf("%s = %q: not RFC 3339: %v", what, s, err)
		return
	}
	if !strings.HasSuffix(s, "Z") || strings.Contains(s, ".") {
		t.Errorf("%s = %q: want UTC with whole seconds, like 2006-01-02T15:04:05Z", what, s)
	}
	if !got.Equal(want.Truncate(time.Second)) {
		t.Errorf("%s = %s, want %s", what, got, want.UTC())
	}
}

// findLink returns the href of the link with the given rel, and whether
// there was exactly one.
func findLink(links []testLink, rel string) (testLink, bool) {
	var found testLink
	n := 0
	for _, l := range links {
		if l.Rel == rel {
			found = l
			n++
		}
	}
	return found, n == 1
}

func TestWriteAtom(t *testing.T) {
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		newYork = time.FixedZone("EST", -5*60*60)
	}
	published1 := time.Date(2026, 3, 1, 9, 30, 15, 123456789, newYork)
	updated1 := time.Date(2026, 3, 1, 18, 0, 0, 0, time.UTC)
	published2 := time.Date(2026, 2, 28, 23, 59, 59, 0, time.FixedZone("CET", 60*60))

	f := &Feed{
		ID:       "https://dateline.example/feed.atom",
		Title:    `Dateline: "News" & <Views>`,
		Subtitle: "All the news that's fit & more",
		SiteURL:  "https://dateline.example/",
		FeedURL:  "https://dateline.example/feed.atom?section=a&b=c",
		Entries: []Entry{
			{
				ID:         "https://dateline.example/2026/03/01/council-votes",
				Title:      `Council votes 5 < 6 on "bridge" & 'tunnel'`,
				URL:        "https://dateline.example/2026/03/01/council-votes?ref=feed&x=1",
				Published:  published1,
				Updated:    updated1,
				Authors:    []Person{{Name: "Ada O'Hara", URI: "https://dateline.example/staff/ada"}, {Name: "Bo Li"}},
				Summary:    `The vote "passed" 5 < 6 & will be appealed.`,
				Content:    `<p>The council voted <em>late</em> &amp; loud.</p><p>More "soon".</p>`,
				Categories: []string{"Politics & Government", "", "City"},
			},
			{
				ID:        "https://dateline.example/2026/02/28/snow",
				Title:     "Snow <again>",
				URL:       "https://dateline.example/2026/02/28/snow",
				Published: published2,
			},
		},
	}
	doc, out := decodeAtom(t, f)

	if !strings.HasPrefix(out, `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Errorf("output does not start with the XML declaration:\n%s", out)
	}

	// Feed-level elements.
	if doc.ID != f.ID {
		t.Errorf("feed id = %q, want %q", doc.ID, f.ID)
	}
	if doc.Title.Body != f.Title {
		t.Errorf("feed title = %q, want %q", doc.Title.Body, f.Title)
	}
	if doc.Subtitle == nil || doc.Subtitle.Body != f.Subtitle {
		t.Errorf("feed subtitle = %+v, want %q", doc.Subtitle, f.Subtitle)
	}
	// Feed.Updated is zero: the newest entry time, entry 1's Updated.
	checkTime(t, "feed updated", doc.Updated, updated1)
	if self, ok := findLink(doc.Links, "self"); !ok || self.Href != f.FeedURL {
		t.Errorf("feed link rel=self = %+v (one: %t), want href %q", self, ok, f.FeedURL)
	}
	if alt, ok := findLink(doc.Links, "alternate"); !ok || alt.Href != f.SiteURL || alt.Type != "text/html" {
		t.Errorf("feed link rel=alternate = %+v (one: %t), want href %q type text/html", alt, ok, f.SiteURL)
	}

	if len(doc.Entries) != len(f.Entries) {
		t.Fatalf("got %d entries, want %d\n%s", len(doc.Entries), len(f.Entries), out)
	}

	// Entry 1: everything set.
	e, want := doc.Entries[0], f.Entries[0]
	if e.ID != want.ID {
		t.Errorf("entry 1 id = %q, want %q", e.ID, want.ID)
	}
	if e.Title.Body != want.Title {
		t.Errorf("entry 1 title = %q, want %q", e.Title.Body, want.Title)
	}
	if alt, ok := findLink(e.Links, "alternate"); !ok || alt.Href != want.URL || alt.Type != "text/html" {
		t.Errorf("entry 1 link = %+v (one: %t), want href %q type text/html", alt, ok, want.URL)
	}
	checkTime(t, "entry 1 published", e.Published, published1)
	checkTime(t, "entry 1 updated", e.Updated, updated1)
	if len(e.Authors) != 2 || e.Authors[0] != (testPerson{Name: "Ada O'Hara", URI: "https://dateline.example/staff/ada"}) || e.Authors[1] != (testPerson{Name: "Bo Li"}) {
		t.Errorf("entry 1 authors = %+v, want %+v", e.Authors, want.Authors)
	}
	var terms []string
	for _, c := range e.Categories {
		terms = append(terms, c.Term)
	}
	if got, wantTerms := strings.Join(terms, "|"), "Politics & Government|City"; got != wantTerms {
		t.Errorf("entry 1 categories = %q, want %q", got, wantTerms)
	}
	if e.Summary == nil || e.Summary.Body != want.Summary || e.Summary.Type != "text" {
		t.Errorf("entry 1 summary = %+v, want type text %q", e.Summary, want.Summary)
	}
	if e.Content == nil || e.Content.Body != want.Content || e.Content.Type != "html" {
		t.Errorf("entry 1 content = %+v, want type html %q", e.Content, want.Content)
	}
	// The HTML must be escaped text, not child elements.
	if strings.Contains(out, "<p>") || !strings.Contains(out, "&lt;p&gt;") {
		t.Errorf("content HTML is not escaped as text:\n%s", out)
	}

	// Entry 2: no Updated, authors, summary, content or categories.
	e, want = doc.Entries[1], f.Entries[1]
	if e.ID != want.ID || e.Title.Body != want.Title {
		t.Errorf("entry 2 id, title = %q, %q, want %q, %q", e.ID, e.Title.Body, want.ID, want.Title)
	}
	checkTime(t, "entry 2 published", e.Published, published2)
	checkTime(t, "entry 2 updated", e.Updated, published2)
	if len(e.Authors) != 1 || e.Authors[0].Name != f.Title {
		t.Errorf("entry 2 authors = %+v, want the feed title %q", e.Authors, f.Title)
	}
	if e.Summary != nil || e.Content != nil || len(e.Categories) != 0 {
		t.Errorf("entry 2 summary, content, categories = %+v, %+v, %+v; want all omitted", e.Summary, e.Content, e.Categories)
	}
}

func TestWriteAtomFeedUpdated(t *testing.T) {
	t1 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	t2 := time.Date(2026, 1, 3, 3, 4, 5, 0, time.UTC)
	t3 := time.Date(2026, 1, 4, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name    string
		updated time.Time
		entries []Entry
		want    time.Time
	}{
		{"no entries", time.Time{}, nil, time.Unix(0, 0)},
		{"set", t1, []Entry{{Published: t3}}, t1},
		{"set, non-UTC zone", t1.In(time.FixedZone("X", -7*60*60)), nil, t1},
		{"newest published", time.Time{}, []Entry{{Published: t1}, {Published: t2}}, t2},
		{"newest updated", time.Time{}, []Entry{{Published: t1, Updated: t3}, {Published: t2}}, t3},
		{"zero entry times", time.Time{}, []Entry{{}}, time.Unix(0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, _ := decodeAtom(t, &Feed{ID: "urn:x", Title: "X", Updated: tt.updated, Entries: tt.entries})
			checkTime(t, "feed updated", doc.Updated, tt.want)
		})
	}
}

func TestWriteAtomOptionalFeedElements(t *testing.T) {
	doc, out := decodeAtom(t, &Feed{ID: "urn:x", Title: "X"})
	if doc.Subtitle != nil {
		t.Errorf("empty subtitle written: %+v", doc.Subtitle)
	}
	if len(doc.Links) != 0 {
		t.Errorf("links written for empty SiteURL and FeedURL: %+v", doc.Links)
	}
	if len(doc.Entries) != 0 {
		t.Errorf("got %d entries, want none", len(doc.Entries))
	}
	if !strings.HasSuffix(out, "</feed>\n") {
		t.Errorf("output does not end with </feed> and a newline:\n%s", out)
	}
}

// failWriter fails every write.
type failWriter struct{}

var errWrite = errors.New("write failed")

func (failWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestWriteErrors(t *testing.T) {
	tests := []struct {
		name  string
		write func() error
	}{
		{"WriteAtom", func() error { return (&Feed{ID: "urn:x", Entries: []Entry{{ID: "urn:y"}}}).WriteAtom(failWriter{}) }},
		{"WriteSitemap", func() error { return WriteSitemap(failWriter{}, []URL{{Loc: "https://x/"}}) }},
		{"WriteNewsSitemap", func() error { return WriteNewsSitemap(failWriter{}, "X", "en", []NewsItem{{Loc: "https://x/"}}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.write(); !errors.Is(err, errWrite) {
				t.Errorf("error = %v, want %v", err, errWrite)
			}
		})
	}
}
