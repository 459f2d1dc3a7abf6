package pagecache

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/andybalholm/brotli"

	"dateline/internal/clock"
)

// start is when every test's clock starts.
var start = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

func TestPageCacheEvictsPastItsSize(t *testing.T) {
	c := New(10_000, time.Hour, clock.NewManual(start).Now)
	for i := range 20 {
		c.Put(c.NewPage(strings.Repeat("k", i+1), "text/html", bytes.Repeat([]byte("x"), 1000), []string{"t"}, 0), c.Generation())
	}
	if size, max := c.Size(); size > max || c.Len() != 10 {
		t.Errorf("%d pages, %d bytes; want 10 pages within %d bytes", c.Len(), size, max)
	}
	if c.Get("k") != nil || c.Get(strings.Repeat("k", 20)) == nil {
		t.Error("the least recently used page was not the one dropped")
	}
	// One page may take an eighth of the cache at most.
	c.Put(c.NewPage("big", "text/html", bytes.Repeat([]byte("x"), 10_000/8+1), []string{"t"}, 0), c.Generation())
	if c.Get("big") != nil {
		t.Error("a page larger than an eighth of the cache was kept")
	}
	// A page rendered while a purge happened is not kept: it may show
	// what was purged.
	gen := c.Generation()
	c.Purge("t")
	c.Put(c.NewPage("late", "text/html", []byte("x"), []string{"t"}, 0), gen)
	if c.Get("late") != nil {
		t.Error("a page rendered before a purge was kept")
	}
}

func TestPurgeDropsThePagesOfItsTags(t *testing.T) {
	c := New(1<<20, time.Minute, clock.NewManual(start).Now)
	put := func(key string, tags ...string) {
		c.Put(c.NewPage(key, "text/html", []byte(key), tags, 0), c.Generation())
	}
	put("/story", "story-1", "discussion-1", "section-news")
	put("/other", "story-2", "discussion-2", "section-news")
	put("/", "lists")
	c.Purge("discussion-1")
	if c.Get("/story") != nil || c.Get("/other") == nil || c.Get("/") == nil {
		t.Error("a purge of one tag did not drop exactly the pages carrying it")
	}
	c.Purge("section-news", "lists")
	if c.Len() != 0 {
		t.Errorf("%d pages left after a purge of every tag they carry", c.Len())
	}
	put("/a", "lists")
	put("/b", "story-3")
	c.Purge()
	if c.Len() != 0 {
		t.Errorf("%d pages left after a purge of everything", c.Len())
	}
	if bytes, _ := c.Size(); bytes != 0 {
		t.Errorf("an empty cache counts %d bytes", bytes)
	}
}

func TestExpiredPagesAreRenderedOnceWhileTheOldOneIsServed(t *testing.T) {
	clk := clock.NewManual(start)
	c := New(1<<20, time.Minute, clk.Now)
	page := func(body string) *Page {
		return c.NewPage("/", "text/html", []byte(body), []string{"lists"}, 0)
	}
	old := page("old")
	c.Put(old, c.Generation())
	if !c.Fresh("/") {
		t.Error("a page just kept is not fresh")
	}
	clk.Advance(time.Minute + time.Second)
	if c.Fresh("/") {
		t.Error("a page past its time to live is fresh")
	}
	if c.Get("/") != nil {
		t.Fatal("the first request after the page expired was not asked to render it")
	}
	clk.Advance(time.Second)
	for range 3 {
		if c.Get("/") != old {
			t.Fatal("requests while the page renders again did not get the expired page")
		}
	}
	renewed := page("new")
	c.Put(renewed, c.Generation())
	if c.Get("/") != renewed {
		t.Fatal("the page rendered again did not replace the expired one")
	}

	// A render that never comes back lets another request try, and the
	// expired page goes once it is staleFor past its time.
	gone := renewed.Expires()
	clk.Set(gone)
	if c.Get("/") != nil {
		t.Fatal("no request was asked to render the expired page")
	}
	clk.Set(gone.Add(time.Millisecond))
	if c.Get("/") != renewed {
		t.Fatal("the next request did not get the expired page")
	}
	clk.Set(gone.Add(refreshWait))
	if c.Get("/") != nil {
		t.Error("no other request may render the page once the first took too long")
	}
	clk.Set(gone.Add(staleFor))
	if c.Get("/") != nil || c.Len() != 0 {
		t.Error("a page staleFor past its time is still kept")
	}
}

func TestCallersMissingTogetherWaitForOneRender(t *testing.T) {
	c := New(1<<20, time.Minute, clock.NewManual(start).Now)
	var renders, joined atomic.Int32
	release := make(chan struct{})
	const n = 8
	results := make([]any, n)
	ran := make([]bool, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			joined.Add(1)
			results[i], ran[i] = c.Once("/together", func() any {
				renders.Add(1)
				<-release
				return "the page"
			})
		})
	}
	deadline := time.Now().Add(10 * time.Second)
	for joined.Load() < n && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // let them reach Once
	close(release)
	wg.Wait()
	if got := renders.Load(); got != 1 {
		t.Errorf("%d callers missing one page together rendered it %d times, want once", n, got)
	}
	rendered := 0
	for i := range n {
		if results[i] != "the page" {
			t.Errorf("caller %d got %v", i, results[i])
		}
		if ran[i] {
			rendered++
		}
	}
	if rendered != 1 {
		t.Errorf("%d callers were told they rendered the page, want 1", rendered)
	}
}

func TestCompressedCopiesAreThePage(t *testing.T) {
	c := New(1<<20, time.Minute, clock.NewManual(start).Now)
	body := []byte(strings.Repeat("<p>The harbour wall needs mending before winter.</p>\n", 200))
	p := c.NewPage("/", "text/html; charset=utf-8", body, []string{"lists"}, 7)
	body[0] = 'X' // the page keeps a copy of its own
	if p.Body()[0] != '<' || p.StoryID() != 7 || p.ContentType() != "text/html; charset=utf-8" || p.ETag() == "" {
		t.Fatal("the page does not keep what it was made with")
	}
	if !p.Modified().Equal(start) || !p.Expires().Equal(start.Add(time.Minute)) {
		t.Errorf("modified %v, expires %v: not dated by the cache's clock", p.Modified(), p.Expires())
	}
	zr, err := gzip.NewReader(bytes.NewReader(p.Gzipped()))
	if err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]io.Reader{"gzip": zr, "brotli": brotli.NewReader(bytes.NewReader(p.Brotlied()))} {
		got, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(got, p.Body()) {
			t.Errorf("%s: the compressed page is not the page (%v)", name, err)
		}
	}
	gz, br := p.Gzipped(), p.Brotlied()
	if &gz[0] != &p.Gzipped()[0] || &br[0] != &p.Brotlied()[0] {
		t.Error("a compressed copy was made twice")
	}
}
