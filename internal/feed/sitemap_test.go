package feed

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// The test-side types decode with fully namespace-qualified names, so an
// element written outside its namespace is not found.

type testURLSet struct {
	XMLName xml.Name         `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []testURL        `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 url"`
	Unknown []testAnyElement `xml:",any"`
}

type testURL struct {
	Loc     string           `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 loc"`
	LastMod *string          `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 lastmod"`
	News    *testNews        `xml:"http://www.google.com/schemas/sitemap-news/0.9 news"`
	Unknown []testAnyElement `xml:",any"`
}

type testNews struct {
	Publication     testPublication  `xml:"http://www.google.com/schemas/sitemap-news/0.9 publication"`
	PublicationDate string           `xml:"http://www.google.com/schemas/sitemap-news/0.9 publication_date"`
	Title           string           `xml:"http://www.google.com/schemas/sitemap-news/0.9 title"`
	Unknown         []testAnyElement `xml:",any"`
}

type testPublication struct {
	Name     string           `xml:"http://www.google.com/schemas/sitemap-news/0.9 name"`
	Language string           `xml:"http://www.google.com/schemas/sitemap-news/0.9 language"`
	Unknown  []testAnyElement `xml:",any"`
}

// decodeURLSet decodes a sitemap, failing the test on error or on elements
// outside the expected namespaces.
func decodeURLSet(t *testing.T, data []byte) testURLSet {
	t.Helper()
	if !bytes.HasPrefix(data, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
		t.Errorf("output does not start with the XML declaration:\n%s", data)
	}
	var doc testURLSet
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("decoding sitemap: %v\n%s", err, data)
	}
	unknown := doc.Unknown
	for _, u := range doc.URLs {
		unknown = append(unknown, u.Unknown...)
		if u.News != nil {
			unknown = append(unknown, u.News.Unknown...)
			unknown = append(unknown, u.News.Publication.Unknown...)
		}
	}
	if len(unknown) > 0 {
		t.Errorf("unexpected elements: %v\n%s", unknown, data)
	}
	return doc
}

func TestWriteSitemap(t *testing.T) {
	mod := time.Date(2026, 3, 1, 9, 30, 15, 500, time.FixedZone("EST", -5*60*60))
	urls := []URL{
		{Loc: "https://dateline.example/", LastMod: mod},
		{Loc: `https://dateline.example/search?q=a&b="c"&d='<e>'`},
	}
	var buf bytes.Buffer
	if err := WriteSitemap(&buf, urls); err != nil {
		t.Fatalf("WriteSitemap: %v", err)
	}
	doc := decodeURLSet(t, buf.Bytes())
	if len(doc.URLs) != len(urls) {
		t.Fatalf("got %d urls, want %d\n%s", len(doc.URLs), len(urls), buf.String())
	}
	for i, u := range doc.URLs {
		if u.Loc != urls[i].Loc {
			t.Errorf("url %d loc = %q, want %q", i, u.Loc, urls[i].Loc)
		}
		if u.News != nil {
			t.Errorf("url %d has news:news in a plain sitemap", i)
		}
	}
	if doc.URLs[0].LastMod == nil {
		t.Errorf("url 0 has no lastmod\n%s", buf.String())
	} else {
		checkTime(t, "url 0 lastmod", *doc.URLs[0].LastMod, mod)
	}
	if doc.URLs[1].LastMod != nil {
		t.Errorf("url 1 lastmod = %q, want it omitted for a zero time", *doc.URLs[1].LastMod)
	}
}

func TestWriteSitemapEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteSitemap(&buf, nil); err != nil {
		t.Fatalf("WriteSitemap: %v", err)
	}
	if doc := decodeURLSet(t, buf.Bytes()); len(doc.URLs) != 0 {
		t.Errorf("got %d urls, want none", len(doc.URLs))
	}
}

type testSitemapIndex struct {
	XMLName  xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemapindex"`
	Sitemaps []struct {
		Loc     string           `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 loc"`
		LastMod *string          `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 lastmod"`
		Unknown []testAnyElement `xml:",any"`
	} `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemap"`
	Unknown []testAnyElement `xml:",any"`
}

func TestWriteSitemapIndex(t *testing.T) {
	mod := time.Date(2026, 3, 1, 9, 30, 15, 0, time.FixedZone("EST", -5*60*60))
	sitemaps := []URL{
		{Loc: "https://dateline.example/sitemaps/1.xml", LastMod: mod},
		{Loc: "https://dateline.example/sitemaps/2.xml?a=1&b=2"},
	}
	var buf bytes.Buffer
	if err := WriteSitemapIndex(&buf, sitemaps); err != nil {
		t.Fatalf("WriteSitemapIndex: %v", err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
		t.Errorf("output does not start with the XML declaration:\n%s", buf.Bytes())
	}
	var doc testSitemapIndex
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("decoding sitemap index: %v\n%s", err, buf.Bytes())
	}
	if len(doc.Sitemaps) != len(sitemaps) {
		t.Fatalf("got %d sitemaps, want %d\n%s", len(doc.Sitemaps), len(sitemaps), buf.Bytes())
	}
	unknown := doc.Unknown
	for i, sm := range doc.Sitemaps {
		unknown = append(unknown, sm.Unknown...)
		if sm.Loc != sitemaps[i].Loc {
			t.Errorf("sitemap %d loc = %q, want %q", i, sm.Loc, sitemaps[i].Loc)
		}
	}
	if len(unknown) > 0 {
		t.Errorf("unexpected elements: %v\n%s", unknown, buf.Bytes())
	}
	if doc.Sitemaps[0].LastMod == nil {
		t.Errorf("sitemap 0 has no lastmod\n%s", buf.Bytes())
	} else {
		checkTime(t, "sitemap 0 lastmod", *doc.Sitemaps[0].LastMod, mod)
	}
	if doc.Sitemaps[1].LastMod != nil {
		t.Errorf("sitemap 1 lastmod = %q, want it omitted for a zero time", *doc.Sitemaps[1].LastMod)
	}
}

func TestWriteNewsSitemap(t *testing.T) {
	pub1 := time.Date(2026, 3, 1, 9, 30, 15, 0, time.FixedZone("IST", 5*60*60+30*60))
	pub2 := time.Date(2026, 3, 1, 23, 0, 0, 0, time.UTC)
	items := []NewsItem{
		{Loc: "https://dateline.example/2026/03/01/council-votes?ref=a&b=c", Title: `Council votes 5 < 6 on "bridge" & 'tunnel'`, Published: pub1},
		{Loc: "https://dateline.example/2026/03/01/snow", Title: "Snow <again>", Published: pub2},
	}
	const publication, language = `The Dateline & "Courier"`, "en"
	var buf bytes.Buffer
	if err := WriteNewsSitemap(&buf, publication, language, items); err != nil {
		t.Fatalf("WriteNewsSitemap: %v", err)
	}
	out := buf.String()

	// Google's parsers expect the conventional prefix, declared on the root.
	for _, s := range []string{
		`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">`,
		"<news:news>", "<news:publication>", "<news:name>", "<news:language>",
		"<news:publication_date>", "<news:title>",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %s\n%s", s, out)
		}
	}

	doc := decodeURLSet(t, buf.Bytes())
	if len(doc.URLs) != len(items) {
		t.Fatalf("got %d urls, want %d\n%s", len(doc.URLs), len(items), out)
	}
	for i, u := range doc.URLs {
		want := items[i]
		if u.Loc != want.Loc {
			t.Errorf("url %d loc = %q, want %q", i, u.Loc, want.Loc)
		}
		if u.News == nil {
			t.Errorf("url %d: no news:news in the news namespace\n%s", i, out)
			continue
		}
		if got := u.News.Publication; got.Name != publication || got.Language != language {
			t.Errorf("url %d publication = %q, %q; want %q, %q", i, got.Name, got.Language, publication, language)
		}
		if u.News.Title != want.Title {
			t.Errorf("url %d news:title = %q, want %q", i, u.News.Title, want.Title)
		}
		checkTime(t, fmt.Sprintf("url %d news:publication_date", i), u.News.PublicationDate, want.Published)
	}
}

func TestSitemapLimits(t *testing.T) {
	tests := []struct {
		name    string
		n       int
		write   func(*bytes.Buffer, int) error
		wantErr bool
	}{
		{"sitemap at limit", MaxSitemapURLs, writeNURLs, false},
		{"sitemap over limit", MaxSitemapURLs + 1, writeNURLs, true},
		{"sitemap index at limit", MaxIndexSitemaps, writeNSitemaps, false},
		{"sitemap index over limit", MaxIndexSitemaps + 1, writeNSitemaps, true},
		{"news sitemap at limit", MaxNewsURLs, writeNNewsItems, false},
		{"news sitemap over limit", MaxNewsURLs + 1, writeNNewsItems, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := tt.write(&buf, tt.n)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("%d items: no error", tt.n)
				}
				if buf.Len() != 0 {
					t.Errorf("%d bytes written before the error, want none", buf.Len())
				}
				return
			}
			if err != nil {
				t.Fatalf("%d items: %v", tt.n, err)
			}
			if got := strings.Count(buf.String(), "<loc>"); got != tt.n {
				t.Errorf("wrote %d <loc> elements, want %d", got, tt.n)
			}
		})
	}
}

func writeNURLs(buf *bytes.Buffer, n int) error {
	return WriteSitemap(buf, make([]URL, n))
}

func writeNSitemaps(buf *bytes.Buffer, n int) error {
	return WriteSitemapIndex(buf, make([]URL, n))
}

func writeNNewsItems(buf *bytes.Buffer, n int) error {
	return WriteNewsSitemap(buf, "Dateline", "en", make([]NewsItem, n))
}

func ExampleWriteSitemap() {
	urls := []URL{
		{Loc: "https://dateline.example/"},
		{
			Loc:     "https://dateline.example/2026/03/01/council-votes?ref=home&page=2",
			LastMod: time.Date(2026, 3, 1, 9, 30, 0, 0, time.FixedZone("EST", -5*60*60)),
		},
	}
	if err := WriteSitemap(os.Stdout, urls); err != nil {
		fmt.Println(err)
	}
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?>
	// <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
	//   <url>
	//     <loc>https://dateline.example/</loc>
	//   </url>
	//   <url>
	//     <loc>https://dateline.example/2026/03/01/council-votes?ref=home&amp;page=2</loc>
	//     <lastmod>2026-03-01T14:30:00Z</lastmod>
	//   </url>
	// </urlset>
}

func ExampleWriteSitemapIndex() {
	sitemaps := []URL{
		{Loc: "https://dateline.example/sitemaps/1.xml", LastMod: time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)},
		{Loc: "https://dateline.example/sitemaps/2.xml", LastMod: time.Date(2026, 3, 2, 18, 5, 0, 0, time.UTC)},
	}
	if err := WriteSitemapIndex(os.Stdout, sitemaps); err != nil {
		fmt.Println(err)
	}
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?>
	// <sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
	//   <sitemap>
	//     <loc>https://dateline.example/sitemaps/1.xml</loc>
	//     <lastmod>2026-03-01T09:30:00Z</lastmod>
	//   </sitemap>
	//   <sitemap>
	//     <loc>https://dateline.example/sitemaps/2.xml</loc>
	//     <lastmod>2026-03-02T18:05:00Z</lastmod>
	//   </sitemap>
	// </sitemapindex>
}

func ExampleWriteNewsSitemap() {
	items := []NewsItem{{
		Loc:       "https://dateline.example/2026/03/01/council-votes",
		Title:     "Council votes for bridge & tunnel",
		Published: time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC),
	}}
	if err := WriteNewsSitemap(os.Stdout, "The Dateline", "en", items); err != nil {
		fmt.Println(err)
	}
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?>
	// <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
	//   <url>
	//     <loc>https://dateline.example/2026/03/01/council-votes</loc>
	//     <news:news>
	//       <news:publication>
	//         <news:name>The Dateline</news:name>
	//         <news:language>en</news:language>
	//       </news:publication>
	//       <news:publication_date>2026-03-01T09:30:00Z</news:publication_date>
	//       <news:title>Council votes for bridge &amp; tunnel</news:title>
	//     </news:news>
	//   </url>
	// </urlset>
}
