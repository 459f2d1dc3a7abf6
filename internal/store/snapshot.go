package store

import (
	"sync"
	"time"
)

// snapshotTTL is how long a snapshot of a small, hot table is trusted. Every
// page reads the site's settings and sections; they change a few times a
// day. A write through this store drops the snapshot at once; another
// instance's write is seen within this time.
const snapshotTTL = time.Second

// snapshot keeps the last value read of a small table.
type snapshot[T any] struct {
	mu      sync.Mutex
	val     T
	ok      bool
	expires time.Time
	// drops counts drop calls: a value read while one happened may be
	// stale, so it is not kept.
	drops uint64
}

// get returns the kept value while it is fresh, else reads it with load.
func (c *snapshot[T]) get(now time.Time, load func() (T, error)) (T, error) {
	c.mu.Lock()
	if c.ok && now.Before(c.expires) {
		v := c.val
		c.mu.Unlock()
		return v, nil
	}
	gen := c.drops
	c.mu.Unlock()
	v, err := load()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if gen == c.drops {
		c.val, c.ok, c.expires = v, true, now.Add(snapshotTTL)
	}
	c.mu.Unlock()
	return v, nil
}

// drop forgets the kept value after a write.
func (c *snapshot[T]) drop() {
	c.mu.Lock()
	c.ok = false
	c.drops++
	c.mu.Unlock()
}
