package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"dateline/internal/story"
)

// FuzzSafeNext: whatever return-to address a link carries, the reader is
// only ever sent to a path on this site.
func FuzzSafeNext(f *testing.F) {
	for _, seed := range []string{"/", "/account", "//evil.example", "https://evil.example", "/\\evil.example",
		"javascript:alert(1)", "/%2F%2Fevil.example", "/ok?x=//y", "\t/x", "/x\r\nLocation: //evil"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, target string) {
		got := safeNext(target, "/")
		u, err := url.Parse(got)
		if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") ||
			strings.ContainsAny(got, "\\\r\n\t") {
			t.Fatalf("safeNext(%q) = %q leaves the site", target, got)
		}
		// What a browser would do with it: resolve against the site.
		base, _ := url.Parse("https://news.example/page")
		if res := base.ResolveReference(u); res.Host != "news.example" {
			t.Fatalf("safeNext(%q) = %q resolves to %s", target, got, res)
		}
	})
}

// FuzzParseForm: any form body is read or refused, never a panic, and the
// values come back trimmed except passwords.
func FuzzParseForm(f *testing.F) {
	for _, seed := range []string{"email=a%40b.c&password=+x+", "a=%zz", "%", "&&&=", "email=" + strings.Repeat("x", 1000), "name=%00%ff"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		fm, err := parseForm(httptest.NewRecorder(), req, "email", "password", "name")
		if err != nil {
			return
		}
		for _, k := range []string{"email", "name"} {
			if v := fm.Get(k); v != strings.TrimSpace(v) {
				t.Fatalf("%s kept its spaces: %q", k, v)
			}
		}
		if strings.TrimSpace(body) == "" && fm.Get("email") != "" {
			t.Fatalf("an empty body gave an email %q", fm.Get("email"))
		}
	})
}

// FuzzPageNumber: any ?page= value is a page from 1 to story.MaxPage or
// refused.
func FuzzPageNumber(f *testing.F) {
	for _, seed := range []string{"1", "-1", "0", "abc", "99999999999999999999", "1e3", " 2", "10000", "10001"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		req := httptest.NewRequest(http.MethodGet, "/?page="+url.QueryEscape(v), nil)
		n, ok := pageNumber(req)
		if ok && (n < 1 || n > story.MaxPage) {
			t.Fatalf("page %q gave %d", v, n)
		}
	})
}
