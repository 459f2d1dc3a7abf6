package web

import (
	"context"
	"html/template"
	"slices"
	"sync"
	"time"

	"dateline/internal/story"
)

// storyCache keeps stories read by slug for the story page, which signed-in
// readers load without the page cache. A story is dropped with its page
// (the purge of story-N, here or from another instance), and kept a minute
// at most.
type storyCache struct {
	max int

	mu     sync.Mutex
	bySlug map[string]storyEntry
	// purges counts purges: a story read while one happened may be
	// stale, so it is not kept.
	purges uint64
}

type storyEntry struct {
	st      *story.Story
	expires time.Time
}

func newStoryCache(max int) *storyCache {
	return &storyCache{max: max, bySlug: map[string]storyEntry{}}
}

// get returns a copy of the story with slug, reading it with load when it
// is not kept.
func (c *storyCache) get(ctx context.Context, slug string, load func(context.Context, string) (*story.Story, error)) (*story.Story, error) {
	now := time.Now()
	c.mu.Lock()
	e, ok := c.bySlug[slug]
	gen := c.purges
	c.mu.Unlock()
	if !ok || !now.Before(e.expires) {
		st, err := load(ctx, slug)
		if err != nil {
			return nil, err
		}
		e = storyEntry{st: st, expires: now.Add(time.Minute)}
		c.mu.Lock()
		if gen == c.purges {
			if len(c.bySlug) >= c.max {
				clear(c.bySlug) // rare: more stories read within a minute than kept
			}
			c.bySlug[slug] = e
		}
		c.mu.Unlock()
	}
	cp := *e.st // the page may set fields; the kept story stays as read
	return &cp, nil
}

// purge drops the stories with the ids; none drops all.
func (c *storyCache) purge(ids ...int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.purges++
	if len(ids) == 0 {
		clear(c.bySlug)
		return
	}
	for slug, e := range c.bySlug {
		for _, id := range ids {
			if e.st.ID == id {
				delete(c.bySlug, slug)
			}
		}
	}
}

// discussionCache keeps discussions rendered for the readers who all see
// them alike: anonymous readers, and signed-in readers with no comment and
// no recommendation of their own in the discussion. Each is dropped with
// its story's page, and kept a minute at most.
type discussionCache struct {
	max int

	mu      sync.Mutex
	entries map[string]discussionEntry
	purges  uint64
}

type discussionEntry struct {
	html    template.HTML
	storyID int64
	expires time.Time
}

func newDiscussionCache(max int) *discussionCache {
	return &discussionCache{max: max, entries: map[string]discussionEntry{}}
}

func (c *discussionCache) get(key string) (template.HTML, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !time.Now().Before(e.expires) {
		return "", false
	}
	return e.html, true
}

func (c *discussionCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.purges
}

// put keeps html unless a purge happened since gen was read.
func (c *discussionCache) put(key string, storyID int64, html template.HTML, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.purges {
		return
	}
	if len(c.entries) >= c.max {
		clear(c.entries) // rare: more discussions read within a minute than kept
	}
	c.entries[key] = discussionEntry{html: html, storyID: storyID, expires: time.Now().Add(time.Minute)}
}

// purge drops the discussions of the stories with the ids; none drops all.
func (c *discussionCache) purge(ids ...int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.purges++
	if len(ids) == 0 {
		clear(c.entries)
		return
	}
	for key, e := range c.entries {
		if slices.Contains(ids, e.storyID) {
			delete(c.entries, key)
		}
	}
}

// len is the number of discussions kept.
func (c *discussionCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
