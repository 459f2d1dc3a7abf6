package pagecache

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"

	"github.com/andybalholm/brotli"
	"golang.org/x/sync/singleflight"
)

// Cache keeps rendered pages by key, with tags naming what each shows.
// A page is purged by tag the moment something it shows changes; a time
// to live bounds what no purge covers (a banner whose time ran out, a
// discussion that closed by itself). The cache holds at most maxBytes of
// pages and drops the least recently used past that. A Cache is safe for
// concurrent use.
type Cache struct {
	maxBytes int64
	ttl      time.Duration
	now      func() time.Time

	mu      sync.Mutex
	entries map[string]*Page
	byTag   map[string]map[*Page]struct{}
	lru     list.List // of *Page, most recently used first
	bytes   int64
	// purges counts purges: a page rendered while one happened may show
	// what was purged, so it is not kept.
	purges uint64

	// flight joins the requests that miss the same page at once.
	flight singleflight.Group
}

// Page is one rendered page and its compressed forms, made on the first
// request that accepts each. Nothing of it changes once it is made, but
// for the compressed forms, made once each.
type Page struct {
	key         string
	contentType string
	body        []byte
	etag        string
	modified    time.Time
	expires     time.Time
	tags        []string
	storyID     int64
	elem        *list.Element
	refreshing  time.Time // when a request began rendering the page again, once expired; guarded by the cache's mu

	// names is set on pages kept for signed-in readers: where each
	// reader's name goes (see WriteNamed).
	names *names

	gzipOnce, brOnce sync.Once
	gzipBody, brBody []byte
}

// New returns a Cache of at most maxBytes of pages, each kept for ttl on
// the clock now.
func New(maxBytes int64, ttl time.Duration, now func() time.Time) *Cache {
	return &Cache{maxBytes: maxBytes, ttl: ttl, now: now,
		entries: map[string]*Page{}, byTag: map[string]map[*Page]struct{}{}}
}

// staleFor is how long past its time to live a page is still served while
// one request renders it again. Without it, every request for a busy page
// that arrives in the moment it expires renders the page at once.
const staleFor = 10 * time.Second

// refreshWait is how long the request rendering an expired page again has
// before another request may try.
const refreshWait = 2 * time.Second

// Get returns the page kept under key, or nil when the caller should render
// it. A page that expired less than staleFor ago is rendered again by one
// caller, who gets nil, while the others get the expired page.
func (c *Cache) Get(key string) *Page {
	now := c.now()
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

// Fresh reports whether a page is kept under key and has not expired.
func (c *Cache) Fresh(key string) bool {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.entries[key]
	return p != nil && now.Before(p.expires)
}

// Generation is the purge count to pass to Put once the page is rendered;
// read it before reading what the page shows.
func (c *Cache) Generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.purges
}

// NewPage makes the page body is, to keep under key: tags name what it
// shows, and storyID the story whose page it is (0 for none), which the
// caller may count a view of each time it serves the page. It is dated
// now and expires after the cache's time to live. body is copied.
func (c *Cache) NewPage(key, contentType string, body []byte, tags []string, storyID int64) *Page {
	now := c.now()
	sum := sha256.Sum256(body)
	return &Page{key: key, contentType: contentType, body: bytes.Clone(body),
		etag: hex.EncodeToString(sum[:12]), modified: now.UTC().Truncate(time.Second), expires: now.Add(c.ttl),
		tags: tags, storyID: storyID}
}

// Put keeps p unless a purge happened since gen was read: the page might
// show what that purge removed.
func (c *Cache) Put(p *Page, gen uint64) {
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
			set = map[*Page]struct{}{}
			c.byTag[t] = set
		}
		set[p] = struct{}{}
	}
	for c.bytes > c.maxBytes {
		c.remove(c.lru.Back().Value.(*Page))
	}
}

// Purge drops every page carrying one of tags; no tags drops everything.
func (c *Cache) Purge(tags ...string) {
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

// Once runs render for key, and has every other caller asking for the
// same key while it runs wait for its result rather than render again:
// requests for the same page that miss together wait for one render. v
// is what render returned; rendered reports whether this caller ran it.
func (c *Cache) Once(key string, render func() any) (v any, rendered bool) {
	v, _, _ = c.flight.Do(key, func() (any, error) {
		rendered = true
		return render(), nil
	})
	return v, rendered
}

// Len is the number of pages kept.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// Size is the bytes of the pages kept, and the most the cache keeps.
func (c *Cache) Size() (bytes, max int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes, c.maxBytes
}

// remove drops p; the caller holds mu.
func (c *Cache) remove(p *Page) {
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

// ContentType is the page's Content-Type.
func (p *Page) ContentType() string { return p.contentType }

// Body is the page as rendered; the caller must not change it.
func (p *Page) Body() []byte { return p.body }

// ETag is the page's entity tag, without quotes: a hash of the body.
func (p *Page) ETag() string { return p.etag }

// ExpireBy makes the page expire at t if that is sooner than the cache's
// time to live: a page that shows the date (the masthead's "today") is not
// kept past the midnight that changes it. Call it before Put.
func (p *Page) ExpireBy(t time.Time) {
	if !t.IsZero() && t.Before(p.expires) {
		p.expires = t
	}
}

// Modified is when the page was rendered, to the second.
func (p *Page) Modified() time.Time { return p.modified }

// Expires is when the page's time to live ends.
func (p *Page) Expires() time.Time { return p.expires }

// Tags name what the page shows; the caller must not change them.
func (p *Page) Tags() []string { return p.tags }

// StoryID is the story whose page this is, 0 for another page.
func (p *Page) StoryID() int64 { return p.storyID }

// Gzipped is the page compressed with gzip, made once.
func (p *Page) Gzipped() []byte {
	p.gzipOnce.Do(func() {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression) // a valid level cannot fail
		_, _ = zw.Write(p.body)                                // writes to memory do not fail
		_ = zw.Close()
		p.gzipBody = b.Bytes()
	})
	return p.gzipBody
}

// Brotlied is the page compressed with brotli, made once. Quality 6 keeps
// making it to a millisecond or two for a long story page, while still
// smaller than gzip's best.
func (p *Page) Brotlied() []byte {
	p.brOnce.Do(func() {
		var b bytes.Buffer
		bw := brotli.NewWriterLevel(&b, 6)
		_, _ = bw.Write(p.body) // writes to memory do not fail
		_ = bw.Close()
		p.brBody = b.Bytes()
	})
	return p.brBody
}
