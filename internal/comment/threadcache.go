package comment

import (
	"sync"
	"sync/atomic"
	"time"

	"dateline/internal/pagecache"
)

// threadCache keeps each story's comments as last read from the database,
// so a discussion many readers open at once is read once per change. What
// differs between readers (which comments the reader recommended, whose
// held comments they may see) is added per request. The web server tells
// the service what changed, on this instance and on the others, through
// Forget and ForgetAll; a time to live bounds the rest. What is kept is
// bounded by the number of comments, which is what takes the memory: each
// discussion costs its comments (see pagecache.Expiring).
type threadCache struct {
	stories *pagecache.Expiring[int64, *threadEntry]
}

type threadEntry struct {
	// comments, recs, top and total are never changed once kept.
	comments []Comment
	// recs are the ids of the comments each reader recommended, by
	// reader.
	recs map[int64][]int64
	// top are the comments nested as readers with nothing of their own
	// in the discussion see them (see nest), made from comments when
	// they were kept; total counts the published ones.
	top   []*Comment
	total int
	// built are the threads made from top, by order and length; shared,
	// never changed once built. The map is replaced, never changed, so
	// readers load it without a lock; mu orders the writers.
	built atomic.Pointer[map[builtKey]*Thread]
	mu    sync.Mutex
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

// keepBuilt keeps t as the thread built for key, while fewer than
// maxBuilt are kept.
func (e *threadEntry) keepBuilt(key builtKey, t *Thread) {
	e.mu.Lock()
	defer e.mu.Unlock()
	old := e.built.Load()
	if old != nil && len(*old) >= maxBuilt {
		return
	}
	built := make(map[builtKey]*Thread, maxBuilt)
	if old != nil {
		for k, v := range *old {
			built[k] = v
		}
	}
	built[key] = t
	e.built.Store(&built)
}

// newThreadCache keeps at most max comments, each discussion for ttl on
// the clock now.
func newThreadCache(max int, ttl time.Duration, now func() time.Time) *threadCache {
	return &threadCache{stories: pagecache.NewExpiring[int64, *threadEntry](max, ttl, now)}
}

// shared returns the thread kept for readers with nothing of their own in
// the story's discussion, arranging it the first time; false when the
// discussion is not kept or the reader has something of their own in it.
func (c *threadCache) shared(storyID, userID int64, key builtKey) (*Thread, bool) {
	e, ok, _ := c.stories.Get(storyID)
	if !ok || e.touchedBy(userID) {
		return nil, false
	}
	if built := e.built.Load(); built != nil {
		if t := (*built)[key]; t != nil {
			return t, true
		}
	}
	t := arrange(e.top, e.total, key.order, key.shown)
	e.keepBuilt(key, t)
	return t, true
}

// get returns a copy of the story's comments, which the caller may
// change, and who recommended which, which the caller must not; or
// false, with the generation to pass to put once they are read.
func (c *threadCache) get(storyID int64) ([]*Comment, map[int64][]int64, uint64, bool) {
	e, ok, gen := c.stories.Get(storyID)
	if !ok {
		return nil, nil, gen, false
	}
	return copyComments(e.comments), e.recs, gen, true
}

// put keeps list unless something was forgotten since gen was read.
func (c *threadCache) put(storyID int64, list []*Comment, recs map[int64][]int64, gen uint64) {
	kept := make([]Comment, len(list))
	ptrs := make([]*Comment, len(list))
	for i, cm := range list {
		kept[i] = *cm
		ptrs[i] = &kept[i]
	}
	// Nested once, in place, for every reader who sees what anonymous
	// readers see; copies for other readers are nested afresh.
	top, total := nest(ptrs, nil)
	c.stories.PutCost(storyID, &threadEntry{comments: kept, recs: recs, top: top, total: total}, len(kept), gen)
}

// forget drops the named stories' threads; none drops them all.
func (c *threadCache) forget(storyIDs ...int64) {
	if len(storyIDs) == 0 {
		c.stories.DropAll()
		return
	}
	c.stories.Drop(storyIDs...)
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
