package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"dateline/internal/account"
)

// fetch requests path with the given request headers.
func (s *site) fetch(t *testing.T, path string, header ...string) response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return response{Code: rec.Code, Header: rec.Result().Header, Body: rec.Body.String()}
}

func decode(t *testing.T, res response) []byte {
	t.Helper()
	var r io.Reader = strings.NewReader(res.Body)
	switch res.Header.Get("Content-Encoding") {
	case "gzip":
		zr, err := gzip.NewReader(r)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	case "br":
		r = brotli.NewReader(r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestStaticFilesCompressedUnderHashedNames(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		page, doc := s.mustGet(t, "/", http.StatusOK)
		hashed := regexp.MustCompile(`^/static/site\.[0-9a-f]{12}\.(css|js)$`)
		css := attr(one(t, doc, "link[rel=stylesheet]"), "href")
		js := attr(one(t, doc, "script"), "src")
		for _, url := range []string{css, js} {
			if !hashed.MatchString(url) {
				t.Errorf("page links %q, want a name with the content hash", url)
			}
		}
		if t.Failed() {
			t.Fatalf("%.400s", page.Body)
		}
		for _, url := range []string{css, js} {
			plain := s.fetch(t, url)
			if plain.Code != http.StatusOK || plain.Header.Get("Content-Encoding") != "" {
				t.Fatalf("GET %s = %d, %v", url, plain.Code, plain.Header)
			}
			for _, c := range []struct{ accept, want string }{
				{"gzip, deflate, br", "br"},
				{"gzip", "gzip"},
				{"br;q=0, gzip", "gzip"},
				{"identity", ""},
			} {
				res := s.fetch(t, url, "Accept-Encoding", c.accept)
				if got := res.Header.Get("Content-Encoding"); got != c.want {
					t.Errorf("GET %s, Accept-Encoding %q: Content-Encoding %q, want %q", url, c.accept, got, c.want)
				}
				if cc := res.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
					t.Errorf("GET %s: Cache-Control %q", url, cc)
				}
				if !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
					t.Errorf("GET %s: Vary %q", url, res.Header.Get("Vary"))
				}
				if body := decode(t, res); !bytes.Equal(body, []byte(plain.Body)) {
					t.Errorf("GET %s as %q: the body differs once decoded", url, c.want)
				}
				if c.want != "" && len(res.Body) >= len(plain.Body)*2/3 {
					t.Errorf("GET %s as %s: %d bytes of %d", url, c.want, len(res.Body), len(plain.Body))
				}
				etag := res.Header.Get("ETag")
				if again := s.fetch(t, url, "Accept-Encoding", c.accept, "If-None-Match", etag); again.Code != http.StatusNotModified {
					t.Errorf("GET %s with its ETag %s = %d, want 304", url, etag, again.Code)
				}
			}
		}
		// The plain name still works, kept only for minutes.
		res := s.fetch(t, "/static/site.css", "Accept-Encoding", "br")
		if res.Code != http.StatusOK || res.Header.Get("Content-Encoding") != "br" || res.Header.Get("Cache-Control") != "public, max-age=300" {
			t.Errorf("GET /static/site.css = %d, %v", res.Code, res.Header)
		}
		if res := s.fetch(t, "/static/site.000000000000.css"); res.Code != http.StatusNotFound {
			t.Errorf("a hash that is not the file's = %d", res.Code)
		}
	})
}

func TestFavicon(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		res := s.fetch(t, "/favicon.ico")
		if res.Code != http.StatusOK || res.Header.Get("Content-Type") != "image/x-icon" ||
			!strings.HasPrefix(res.Body, "\x00\x00\x01\x00") {
			t.Fatalf("GET /favicon.ico = %d, %v, %q", res.Code, res.Header, res.Body[:min(8, len(res.Body))])
		}
		_, doc := s.mustGet(t, "/", http.StatusOK)
		icons := findAll(doc, "link[rel=icon]")
		if len(icons) == 0 {
			t.Fatal("the page names no icon")
		}
		for _, icon := range icons {
			if res := s.fetch(t, attr(icon, "href")); res.Code != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "image/") {
				t.Errorf("icon %s = %d, %q", attr(icon, "href"), res.Code, res.Header.Get("Content-Type"))
			}
		}
	})
}

func TestCompactCSSKeepsTheRules(t *testing.T) {
	for src, want := range map[string]string{
		"/* note */\n  .a, .b { color: red; margin: 0 auto; }\n\n": ".a,.b{color:red;margin:0 auto;}\n",
		".a :hover > p { x: calc(100% + 3px) }":                    ".a :hover > p{x:calc(100% + 3px)}\n",
		`.q::after { content: " · , ; { " attr(href) }`:            `.q::after{content:" · , ; { " attr(href)}` + "\n",
		"@media (min-width: 40rem) { .a { b: c } }":                "@media (min-width:40rem){.a{b:c}}\n",
		`.f { font: 1rem/1.2 "Segoe UI", serif; }`:                 `.f{font:1rem/1.2 "Segoe UI",serif;}` + "\n",
	} {
		if got := string(compactCSS([]byte(src))); got != want {
			t.Errorf("compactCSS(%q) = %q, want %q", src, got, want)
		}
	}
}

func TestReaderCSSLeavesOutAdminOnlySections(t *testing.T) {
	src := ".a { b: c }\n" + adminOnlyStart + "\n.admin { d: e }\n" + adminOnlyEnd + "\n.z { y: x }\n" + adminOnlyStart + ".more{}" + adminOnlyEnd
	got, err := readerCSS([]byte(src))
	if err != nil || string(got) != ".a { b: c }\n\n.z { y: x }\n" {
		t.Errorf("readerCSS(%q) = %q, %v; want the sections outside the admin-only ones", src, got, err)
	}
	for _, bad := range []string{
		".a{}" + adminOnlyStart + ".b{}",
		".a{}" + adminOnlyEnd + ".b{}",
		adminOnlyStart + adminOnlyStart + adminOnlyEnd + adminOnlyEnd,
	} {
		if _, err := readerCSS([]byte(bad)); err == nil {
			t.Errorf("readerCSS(%q) takes a section left open or closed twice", bad)
		}
	}
}

// TestNewsroomPagesLoadTheWholeStylesheet checks that a reader's page
// carries the stylesheet without the newsroom's rules, and that the
// newsroom's pages get all of it, from the same file.
func TestNewsroomPagesLoadTheWholeStylesheet(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		if _, err := s.accounts.CreateUser(context.Background(), "boss@example.com", "Boss", goodPassword, account.Admin); err != nil {
			t.Fatal(err)
		}
		b := s.browser(t)
		b.post("/login", "email", "boss@example.com", "password", goodPassword)
		sheet := func(path string) string {
			t.Helper()
			r := b.get(path)
			if r.Code != http.StatusOK {
				t.Fatalf("GET %s = %d", path, r.Code)
			}
			href := attr(one(t, r.Doc, "link[rel=stylesheet]"), "href")
			res := b.get(href)
			if res.Code != http.StatusOK {
				t.Fatalf("GET %s (the stylesheet of %s) = %d", href, path, res.Code)
			}
			return res.Body
		}
		reader := sheet("/")
		if strings.Contains(reader, ".image-grid") || !strings.Contains(reader, ".breaking{") {
			t.Errorf("the front page's stylesheet (%d bytes) has the newsroom's rules, or lacks the readers'", len(reader))
		}
		for _, path := range []string{"/admin", "/admin/stories", "/admin/images", "/admin/subscribers", "/admin/plans", "/admin/comments", "/admin/front", "/admin/authors"} {
			if whole := sheet(path); !strings.Contains(whole, ".image-grid{") || !strings.Contains(whole, ".breaking{") || len(whole) <= len(reader) {
				t.Errorf("%s loads a stylesheet of %d bytes without the newsroom's rules", path, len(whole))
			}
		}
		for _, path := range []string{"/account", "/search?q=the", "/subscribe"} {
			if got := sheet(path); got != reader {
				t.Errorf("%s loads a stylesheet of %d bytes, want the readers' (%d bytes)", path, len(got), len(reader))
			}
		}
	})
}
