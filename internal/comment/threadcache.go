package comment

import (
	"sync"
	"time"
)

// threadCache keeps each story's comments as last read from the database,
// so a discussion many readers open at once is read once per change. What
// differs between readers (which comments the reader recommended, whose
// held comments they may see) is added per request. The web server tells
// the service what changed, on this instance and on the others, through
// Forget and ForgetAll; a time to live bounds the rest.
type threadCache struct {
	ttl time.Duration
	max int

	mu      sync.Mutex
	stories map[int64]threadEntry
	// forgets counts Forget calls: a thread read while one happened may be
	// stale, so it is not kept.
	forgets uint64
}

type threadEntry struct {
	comments []Comment
	// recs are the ids of the comments each reader recommended, by
	// reader; shared, never changed once kept.
	recs    map[int64][]int64
	expires time.Time
}

func newThreadCache(max int, ttl time.Duration) *threadCache {
	return &threadCache{ttl: ttl, max: max, stories: map[int64]threadEntry{}}
}

// get returns a copy of the story's comments, which the caller may
// change, and who recommended which, which the caller must not; or false.
func (c *threadCache) get(storyID int64, now time.Time) ([]*Comment, map[int64][]int64, bool) {
	c.mu.Lock()
	e, ok := c.stories[storyID]
	c.mu.Unlock()
	if !ok || !now.Before(e.expires) {
		return nil, nil, false
	}
	return copyComments(e.comments), e.recs, true
}

func (c *threadCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.forgets
}

// put keeps list unless something was forgotten since gen was read.
func (c *threadCache) put(storyID int64, list []*Comment, recs map[int64][]int64, gen uint64, now time.Time) {
	kept := make([]Comment, len(list))
	for i, cm := range list {
		kept[i] = *cm
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.forgets {
		return
	}
	if len(c.stories) >= c.max {
		for id, e := range c.stories {
			if !now.Before(e.expires) {
				delete(c.stories, id)
			}
		}
		if len(c.stories) >= c.max {
			clear(c.stories) // rare: more discussions read at once than kept
		}
	}
	c.stories[storyID] = threadEntry{comments: kept, recs: recs, expires: now.Add(c.ttl)}
}

// forget drops the named stories' threads; none drops them all.
func (c *threadCache) forget(storyIDs ...int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forgets++
	if len(storyIDs) == 0 {
		clear(c.stories)
		return
	}
	for _, id := range storyIDs {
		delete(c.stories, id)
	}
}

func copyComments(list []Comment) []*Comment {
	out := make([]*Comment, len(list))
	for i := range list {
		cm := list[i]
		out[i] = &cm
	}
	return out
}
