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
// Forget and ForgetAll; a time to live bounds the rest. What is kept is
// bounded by the number of comments, which is what takes the memory.
type threadCache struct {
	ttl time.Duration
	max int // comments kept across the discussions

	mu      sync.Mutex
	stories map[int64]*threadEntry
	kept    int // comments in stories
	// forgets counts Forget calls: a thread read while one happened may be
	// stale, so it is not kept.
	forgets uint64
}

type threadEntry struct {
	// comments, recs, top and total are never changed once kept.
	comments []Comment
	// recs are the ids of the comments each reader recommended, by
	// reader.
	recs    map[int64][]int64
	expires time.Time
	// top are the comments nested as readers with nothing of their own
	// in the discussion see them (see nest), made from comments when
	// they were kept; total counts the published ones.
	top   []*Comment
	total int
	// built are the threads made from top, by order and length; shared,
	// never changed once built. Guarded by threadCache.mu.
	built map[builtKey]*Thread
}

// builtKey names a thread built from a story's comments.
type builtKey struct {
	order Sort
	shown int
}

// maxBuilt bounds the threads built per story: a few orders and lengths
// are asked for; the rest are built per request.
const maxBuilt = 8

// touchedBy reports whether the reader has something of their own in the
// discussion: a recommendation, or a comment awaiting review.
func (e *threadEntry) touchedBy(userID int64) bool {
	if userID == 0 {
		return false
	}
	if len(e.recs[userID]) > 0 {
		return true
	}
	for i := range e.comments {
		if e.comments[i].UserID == userID && e.comments[i].Status == Held {
			return true
		}
	}
	return false
}

func newThreadCache(max int, ttl time.Duration) *threadCache {
	return &threadCache{ttl: ttl, max: max, stories: map[int64]*threadEntry{}}
}

// shared returns the thread kept for readers with nothing of their own in
// the story's discussion, arranging it the first time; false when the
// discussion is not kept or the reader has something of their own in it.
func (c *threadCache) shared(storyID, userID int64, key builtKey, now time.Time) (*Thread, bool) {
	c.mu.Lock()
	e, ok := c.stories[storyID]
	var t *Thread
	if ok {
		t = e.built[key]
	}
	c.mu.Unlock()
	if !ok || !now.Before(e.expires) || e.touchedBy(userID) {
		return nil, false
	}
	if t != nil {
		return t, true
	}
	t = arrange(e.top, e.total, key.order, key.shown)
	c.mu.Lock()
	if e.built == nil {
		e.built = make(map[builtKey]*Thread)
	}
	if len(e.built) < maxBuilt {
		e.built[key] = t
	}
	c.mu.Unlock()
	return t, true
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
	ptrs := make([]*Comment, len(list))
	for i, cm := range list {
		kept[i] = *cm
		ptrs[i] = &kept[i]
	}
	// Nested once, in place, for every reader who sees what anonymous
	// readers see; copies for other readers are nested afresh.
	top, total := nest(ptrs, nil)
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.forgets || len(kept) > c.max {
		return
	}
	c.drop(storyID)
	if c.kept+len(kept) > c.max {
		for id, e := range c.stories {
			if !now.Before(e.expires) {
				c.drop(id)
			}
		}
		// Then any: Go's map order is as good as random here.
		for id := range c.stories {
			if c.kept+len(kept) <= c.max {
				break
			}
			c.drop(id)
		}
	}
	c.stories[storyID] = &threadEntry{comments: kept, recs: recs, top: top, total: total, expires: now.Add(c.ttl)}
	c.kept += len(kept)
}

// drop forgets one story's thread; the caller holds mu.
func (c *threadCache) drop(storyID int64) {
	if e, ok := c.stories[storyID]; ok {
		c.kept -= len(e.comments)
		delete(c.stories, storyID)
	}
}

// forget drops the named stories' threads; none drops them all.
func (c *threadCache) forget(storyIDs ...int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forgets++
	if len(storyIDs) == 0 {
		clear(c.stories)
		c.kept = 0
		return
	}
	for _, id := range storyIDs {
		c.drop(id)
	}
}

// copyComments copies kept comments for one reader, unnested.
func copyComments(list []Comment) []*Comment {
	out := make([]*Comment, len(list))
	for i := range list {
		cm := list[i]
		cm.Replies, cm.ReplyCount, cm.ReplyToName = nil, 0, ""
		out[i] = &cm
	}
	return out
}
