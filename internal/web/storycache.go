package web

import (
	"context"
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
