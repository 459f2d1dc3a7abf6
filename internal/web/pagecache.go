package web

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/andybalholm/brotli"
	"golang.org/x/sync/singleflight"
)

// pageCache keeps the pages anonymous readers see, rendered, so a story
// that goes viral is served from memory. Every page is the same for every
// anonymous reader, so one copy serves them all; pages for signed-in
// readers are never kept.
//
// Entries carry tags (the story and section they show, "lists" for every
// list of stories) and are purged by tag the moment something they show
// changes, here and, through a Broadcaster, on every other instance. A
// time to live bounds what no purge covers: a banner whose time ran out, a
// discussion that closed by itself. The cache holds at most maxBytes of
// pages and drops the least recently used past that.
type pageCache struct {
	maxBytes int64
	ttl      time.Duration

	mu      sync.Mutex
	entries map[string]*cachedPage
	byTag   map[string]map[*cachedPage]struct{}
	lru     list.List // of *cachedPage, most recently used first
	bytes   int64
	// purges counts purges: a page rendered while one happened may show
	// what was purged, so it is not kept.
	purges uint64

	// flight joins the requests that miss the same page at once.
	flight singleflight.Group
}

// cachedPage is one rendered page and its compressed forms, made on the
// first request that accepts each.
type cachedPage struct {
	key         string
	contentType string
	body        []byte
	etag        string
	modified    time.Time
	expires     time.Time
	tags        []string
	storyID     int64 // the story a story page shows, for the view count
	elem        *list.Element
	refreshing  time.Time // when a request began rendering the page again, once expired; guarded by the cache's mu

	// reader is set on pages kept for signed-in readers: where each
	// reader's name goes (see serveReaderPage).
	reader *readerParts

	gzipOnce, brOnce sync.Once
	gzipBody, brBody []byte
}

// searchShare is the part of the page cache's memory given to search
// results (one in searchShare), in a cache of their own.
const searchShare = 8

func newPageCache(maxBytes int64, ttl time.Duration) *pageCache {
	return &pageCache{maxBytes: maxBytes, ttl: ttl,
		entries: map[string]*cachedPage{}, byTag: map[string]map[*cachedPage]struct{}{}}
}

// staleFor is how long past its time to live a page is still served while
// one request renders it again. Without it, every request for a busy page
// that arrives in the moment it expires renders the page at once.
const staleFor = 10 * time.Second

// refreshWait is how long the request rendering an expired page again has
// before another request may try.
const refreshWait = 2 * time.Second

// get returns the page kept under key, or nil when the caller should render
// it. A page that expired less than staleFor ago is rendered again by one
// caller, who gets nil, while the others get the expired page.
func (c *pageCache) get(key string, now time.Time) *cachedPage {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.entries[key]
	if p == nil {
		return nil
	}
	if !now.Before(p.expires.Add(staleFor)) {
		c.remove(p)
		return nil
	}
	if !now.Before(p.expires) && (p.refreshing.IsZero() || !now.Before(p.refreshing.Add(refreshWait))) {
		p.refreshing = now
		return nil
	}
	c.lru.MoveToFront(p.elem)
	return p
}

// fresh reports whether a page is kept under key and has not expired.
func (c *pageCache) fresh(key string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.entries[key]
	return p != nil && now.Before(p.expires)
}

// generation is the purge count to pass to put once the page is rendered.
func (c *pageCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.purges
}

// put keeps p unless a purge happened since gen was read: the page might
// show what that purge removed.
func (c *pageCache) put(p *cachedPage, gen uint64) {
	size := int64(len(p.body))
	if size > c.maxBytes/8 {
		return // one page must not push out everything else
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.purges {
		return
	}
	if old := c.entries[p.key]; old != nil {
		c.remove(old)
	}
	c.entries[p.key] = p
	p.elem = c.lru.PushFront(p)
	c.bytes += size
	for _, t := range p.tags {
		set := c.byTag[t]
		if set == nil {
			set = map[*cachedPage]struct{}{}
			c.byTag[t] = set
		}
		set[p] = struct{}{}
	}
	for c.bytes > c.maxBytes {
		c.remove(c.lru.Back().Value.(*cachedPage))
	}
}

// purge drops every page carrying one of tags; no tags drops everything.
func (c *pageCache) purge(tags ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.purges++
	if len(tags) == 0 {
		clear(c.entries)
		clear(c.byTag)
		c.lru.Init()
		c.bytes = 0
		return
	}
	for _, t := range tags {
		for p := range c.byTag[t] {
			c.remove(p)
		}
	}
}

// len is the number of pages kept.
func (c *pageCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// remove drops p; the caller holds mu.
func (c *pageCache) remove(p *cachedPage) {
	if c.entries[p.key] != p {
		return
	}
	delete(c.entries, p.key)
	c.lru.Remove(p.elem)
	c.bytes -= int64(len(p.body))
	for _, t := range p.tags {
		if set := c.byTag[t]; set != nil {
			delete(set, p)
			if len(set) == 0 {
				delete(c.byTag, t)
			}
		}
	}
}

func newCachedPage(key, contentType string, body []byte, tags []string, storyID int64, now time.Time, ttl time.Duration) *cachedPage {
	sum := sha256.Sum256(body)
	return &cachedPage{key: key, contentType: contentType, body: bytes.Clone(body),
		etag: hex.EncodeToString(sum[:12]), modified: now.UTC().Truncate(time.Second), expires: now.Add(ttl),
		tags: tags, storyID: storyID}
}

// gzipped is the page compressed with gzip, made once.
func (p *cachedPage) gzipped() []byte {
	p.gzipOnce.Do(func() {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression) // a valid level cannot fail
		_, _ = zw.Write(p.body)                                // writes to memory do not fail
		_ = zw.Close()
		p.gzipBody = b.Bytes()
	})
	return p.gzipBody
}

// brotlied is the page compressed with brotli, made once. Quality 6 keeps
// making it to a millisecond or two for a long story page, while still
// smaller than gzip's best.
func (p *cachedPage) brotlied() []byte {
	p.brOnce.Do(func() {
		var b bytes.Buffer
		bw := brotli.NewWriterLevel(&b, 6)
		_, _ = bw.Write(p.body) // writes to memory do not fail
		_ = bw.Close()
		p.brBody = b.Bytes()
	})
	return p.brBody
}

// serve writes p, compressed as the request accepts, or answers 304 when
// the reader's copy is current.
func (p *cachedPage) serve(w http.ResponseWriter, r *http.Request) {
	enc := preferredEncoding(r.Header.Get("Accept-Encoding"))
	h := w.Header()
	h.Set("Content-Type", p.contentType)
	h.Set("Vary", "Accept-Encoding, Cookie")
	h.Set("Cache-Control", anonymousCacheControl)
	h.Set("Last-Modified", p.modified.Format(http.TimeFormat))
	surrogate := strings.Join(p.tags, " ")
	h.Set("Surrogate-Key", surrogate)
	h.Set("Cache-Tag", strings.ReplaceAll(surrogate, " ", ","))
	etag := p.etag
	if enc != "" {
		etag += "-" + enc // each representation has an ETag of its own
	}
	h.Set("ETag", `"`+etag+`"`)
	if notModified(r, p) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := p.body
	switch enc {
	case "br":
		body = p.brotlied()
	case "gzip":
		body = p.gzipped()
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

// notModified reports whether the request's validators match p.
func notModified(r *http.Request, p *cachedPage) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, tag := range strings.Split(inm, ",") {
			tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
			tag = strings.Trim(tag, `"`)
			// Any representation of the same page is the same page.
			if tag == "*" || strings.TrimSuffix(strings.TrimSuffix(tag, "-gzip"), "-br") == p.etag {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		t, err := http.ParseTime(ims)
		return err == nil && !p.modified.After(t)
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
var searchQuery = []string{"q", "section", "from", "to", "page"}

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
