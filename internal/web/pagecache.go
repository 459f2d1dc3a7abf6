package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"dateline/internal/pagecache"
)

// The page cache itself, its rules and the pages it keeps are in
// internal/pagecache; this file serves a kept page over HTTP.

// searchShare is the part of the page cache's memory given to search
// results (one in searchShare), in a cache of their own.
const searchShare = 8

// serveCached writes p, compressed as the request accepts, or answers 304
// when the reader's copy is current. untilMidnight is the time left until
// the paper's next day, when the masthead's date changes.
func serveCached(w http.ResponseWriter, r *http.Request, p *pagecache.Page, untilMidnight time.Duration) {
	enc := preferredEncoding(r.Header.Get("Accept-Encoding"))
	h := w.Header()
	h.Set("Content-Type", p.ContentType())
	h.Set("Vary", "Accept-Encoding, Cookie")
	h.Set("Cache-Control", edgeCacheControl(untilMidnight))
	h.Set("Last-Modified", p.Modified().Format(http.TimeFormat))
	surrogate := strings.Join(p.Tags(), " ")
	h.Set("Surrogate-Key", surrogate)
	h.Set("Cache-Tag", strings.ReplaceAll(surrogate, " ", ","))
	etag := p.ETag()
	if enc != "" {
		etag += "-" + enc // each representation has an ETag of its own
	}
	h.Set("ETag", `"`+etag+`"`)
	if notModified(r, p) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := p.Body()
	switch enc {
	case "br":
		body = p.Brotlied()
	case "gzip":
		body = p.Gzipped()
	}
	if enc != "" {
		h.Set("Content-Encoding", enc)
	}
	// With its length known, the page goes out in one piece rather than
	// in chunks.
	h.Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body) // a failed write means the reader left; nothing to do
}

// anonymousCacheControl lets shared caches (a CDN) keep an anonymous page
// for a minute and serve it stale while they fetch a new one; browsers
// check back every time, which costs a 304 when nothing changed.
const anonymousCacheControl = "public, max-age=0, s-maxage=60, stale-while-revalidate=600, stale-if-error=86400"

// edgeCacheControl is anonymousCacheControl, but for pages served shortly
// before the paper's midnight (left is the time until it), when the
// masthead's date changes: a shared cache may neither keep them past it
// nor serve them stale after it.
func edgeCacheControl(left time.Duration) string {
	if left >= (60+600)*time.Second {
		return anonymousCacheControl
	}
	return "public, max-age=0, s-maxage=" + strconv.Itoa(max(0, int(left/time.Second))) + ", stale-if-error=86400"
}

// notModified reports whether the request's validators match p.
func notModified(r *http.Request, p *pagecache.Page) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, tag := range strings.Split(inm, ",") {
			tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
			tag = strings.Trim(tag, `"`)
			// Any representation of the same page is the same page.
			if tag == "*" || strings.TrimSuffix(strings.TrimSuffix(tag, "-gzip"), "-br") == p.ETag() {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		t, err := http.ParseTime(ims)
		return err == nil && !p.Modified().After(t)
	}
	return false
}

// preferredEncoding picks brotli, then gzip, from an Accept-Encoding
// header; "" is the page as it is.
func preferredEncoding(accept string) string {
	br, gz := acceptedEncodings(accept)
	switch {
	case br:
		return "br"
	case gz:
		return "gzip"
	}
	return ""
}

// acceptedEncodings reads which of brotli and gzip an Accept-Encoding
// header accepts.
func acceptedEncodings(accept string) (br, gz bool) {
	for _, part := range strings.Split(accept, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if q := strings.TrimSpace(params); strings.HasPrefix(q, "q=0") && strings.Trim(q[2:], "0.") == "" {
			continue // q=0 refuses the coding
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "br":
			br = true
		case "gzip":
			gz = true
		}
	}
	return br, gz
}

// pageQuery are the query parameters an anonymous page may vary by: a
// list's page number, and a discussion's order and length.
var pageQuery = []string{"page", "sort", "comments"}

// searchQuery are those of the search page.
var searchQuery = []string{"q", "section", "from", "to", "sort", "page"}

// cacheKey is the key of an anonymous page, or "" when the request must
// not be served from the cache (a query the page does not take, such as
// a gift token or a notice after a form).
func cacheKey(r *http.Request, allowed []string) string {
	if r.URL.RawQuery == "" {
		return r.URL.Path
	}
	q := r.URL.Query()
	for k := range q {
		if !slices.Contains(allowed, k) {
			return ""
		}
	}
	return r.URL.Path + "?" + q.Encode() // sorted, so the order of parameters does not matter
}
