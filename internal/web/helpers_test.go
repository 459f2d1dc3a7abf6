package web

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"dateline/internal/demo"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
	"dateline/internal/story"
)

// testBase is the public URL the test sites believe they have.
const testBase = "https://news.example"

// testNow is the moment the test sites live in.
var testNow = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

// site is a Server over a real database seeded with the demo paper.
type site struct {
	*Server
	db *store.Store
}

func newSite(t testing.TB, db *store.Store) *site {
	t.Helper()
	db.Now = func() time.Time { return testNow }
	if _, err := demo.Seed(context.Background(), db, testNow, story.NewRenderer()); err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{BaseURL: testBase, Now: func() time.Time { return testNow }, Logger: slog.New(slog.DiscardHandler),
		Stories: storiesOf(db), PageCacheBytes: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	return &site{Server: srv, db: db}
}

// storiesOf is the story service on st, on the test sites' clock.
func storiesOf(st story.Store) *story.Service {
	return story.NewService(st, func() time.Time { return testNow })
}

// eachSite runs fn against a demo site on SQLite and on PostgreSQL.
func eachSite(t *testing.T, fn func(t *testing.T, s *site)) {
	storetest.Each(t, func(t *testing.T, db *store.Store) { fn(t, newSite(t, db)) })
}

// response is a finished request.
type response struct {
	Code   int
	Header http.Header
	Body   string
}

func (s *site) get(t *testing.T, path string) response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Result().Body)
	return response{Code: rec.Code, Header: rec.Result().Header, Body: string(body)}
}

// mustGet fetches path and fails the test unless it answers want.
func (s *site) mustGet(t *testing.T, path string, want int) (response, *html.Node) {
	t.Helper()
	res := s.get(t, path)
	if res.Code != want {
		t.Fatalf("GET %s = %d, want %d\n%.500s", path, res.Code, want, res.Body)
	}
	var doc *html.Node
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		var err error
		if doc, err = html.Parse(strings.NewReader(res.Body)); err != nil {
			t.Fatalf("GET %s: parse HTML: %v", path, err)
		}
	}
	return res, doc
}

// find returns every element under n for which match is true, in document
// order.
func find(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

// bySelector matches a tiny subset of CSS: "tag", ".class", "tag.class",
// "tag[attr=value]".
func bySelector(sel string) func(*html.Node) bool {
	tag, rest, _ := strings.Cut(sel, "[")
	var attrName, attrValue string
	if rest != "" {
		attrName, attrValue, _ = strings.Cut(strings.TrimSuffix(rest, "]"), "=")
	}
	tag, class, _ := strings.Cut(tag, ".")
	return func(n *html.Node) bool {
		if tag != "" && n.Data != tag {
			return false
		}
		if class != "" && !hasClass(n, class) {
			return false
		}
		if attrName != "" && attr(n, attrName) != attrValue {
			return false
		}
		return true
	}
}

func findAll(n *html.Node, sel string) []*html.Node { return find(n, bySelector(sel)) }

// one returns the only element matching sel, failing the test otherwise.
func one(t *testing.T, n *html.Node, sel string) *html.Node {
	t.Helper()
	list := findAll(n, sel)
	if len(list) != 1 {
		t.Fatalf("found %d elements matching %q, want 1", len(list), sel)
	}
	return list[0]
}

func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, name string) bool {
	for _, a := range n.Attr {
		if a.Key == name {
			return true
		}
	}
	return false
}

// text is the text content of n with runs of white space collapsed.
func text(n *html.Node) string {
	var b bytes.Buffer
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}
