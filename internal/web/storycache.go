package web

import (
	"slices"
	"sync"
	"time"
)

// keptByStory keeps values that belong to one story each, for the pages
// signed-in readers load without the page cache: stories read by slug, and
// discussions rendered for every reader who sees them alike. A value is
// dropped with its story's page (the purge of story-N, here or from
// another instance), and kept a minute at most.
type keptByStory[V any] struct {
	max int
	now func() time.Time

	mu      sync.Mutex
	entries map[string]keptEntry[V]
	// purges counts purges: a value read while one happened may be
	// stale, so it is not kept.
	purges uint64
}

type keptEntry[V any] struct {
	val     V
	storyID int64
	expires time.Time
}

func newKeptByStory[V any](max int, now func() time.Time) *keptByStory[V] {
	return &keptByStory[V]{max: max, now: now, entries: map[string]keptEntry[V]{}}
}

// get returns the value kept under key while it is fresh, and the purge
// count to pass to put when it is not.
func (c *keptByStory[V]) get(key string) (val V, ok bool, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !c.now().Before(e.expires) {
		return val, false, c.purges
	}
	return e.val, true, c.purges
}

// put keeps val unless a purge happened since gen was read.
func (c *keptByStory[V]) put(key string, storyID int64, val V, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.purges {
		return
	}
	if len(c.entries) >= c.max {
		clear(c.entries) // rare: more stories read within a minute than kept
	}
	c.entries[key] = keptEntry[V]{val: val, storyID: storyID, expires: c.now().Add(time.Minute)}
}

// purge drops the values of the stories with the ids; none drops all.
func (c *keptByStory[V]) purge(ids ...int64) {
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

// len is the number of values kept.
func (c *keptByStory[V]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
