package pagecache

import (
	"slices"
	"sync"
	"time"
)

// Expiring keeps values by key, each for a time to live on the clock it is
// given, within a bound on their total cost (one a value, unless PutCost
// says otherwise). Values may carry tags, by which they are dropped
// together. Past the bound, expired values go first, then any (Go's map
// order is as good as random here) until a sixteenth of the bound is free.
//
// Like Cache, it refuses a value read while a drop happened (see Get and
// Put), so nothing a drop removed comes back. An Expiring is safe for
// concurrent use; the values are shared, and callers must not change them.
type Expiring[K comparable, V any] struct {
	max int
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	entries map[K]expiringEntry[V]
	cost    int
	// drops counts drops: a value read while one happened may be stale,
	// so it is not kept.
	drops uint64
}

type expiringEntry[V any] struct {
	val     V
	tags    []string
	cost    int
	expires time.Time
}

// NewExpiring returns an Expiring that keeps values of a total cost of at
// most max, each for ttl on the clock now.
func NewExpiring[K comparable, V any](max int, ttl time.Duration, now func() time.Time) *Expiring[K, V] {
	return &Expiring[K, V]{max: max, ttl: ttl, now: now, entries: map[K]expiringEntry[V]{}}
}

// Get returns the value kept under key while it is fresh. gen is the
// generation to hand to Put when the caller reads the value afresh.
func (c *Expiring[K, V]) Get(key K) (val V, ok bool, gen uint64) {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		return val, false, c.drops
	}
	if !now.Before(e.expires) {
		c.remove(key, e)
		return val, false, c.drops
	}
	return e.val, true, c.drops
}

// Put keeps val under key, at a cost of one, unless a drop happened since
// gen was read. tags name what val shows, for DropTags.
func (c *Expiring[K, V]) Put(key K, val V, gen uint64, tags ...string) {
	c.PutCost(key, val, 1, gen, tags...)
}

// PutCost is Put for a value that costs cost of the bound, such as the
// number of comments in a discussion. A value that costs more than the
// whole bound is not kept.
func (c *Expiring[K, V]) PutCost(key K, val V, cost int, gen uint64, tags ...string) {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.drops || cost > c.max {
		return
	}
	if old, ok := c.entries[key]; ok {
		c.remove(key, old)
	}
	if c.cost+cost > c.max {
		// Making room walks every entry, so it makes more than is
		// needed: a sixteenth of the bound, which the next puts fill
		// without walking again. A full cache costs one walk every
		// max/16 puts, not one a put.
		room := c.max - c.max/16
		for k, e := range c.entries {
			if !now.Before(e.expires) {
				c.remove(k, e)
			}
		}
		for k, e := range c.entries {
			if c.cost+cost <= room {
				break
			}
			c.remove(k, e)
		}
	}
	c.entries[key] = expiringEntry[V]{val: val, tags: tags, cost: cost, expires: now.Add(c.ttl)}
	c.cost += cost
}

// Drop forgets the values kept under keys.
func (c *Expiring[K, V]) Drop(keys ...K) {
	if len(keys) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.drops++
	for _, k := range keys {
		if e, ok := c.entries[k]; ok {
			c.remove(k, e)
		}
	}
}

// DropTags forgets the values that carry one of tags.
func (c *Expiring[K, V]) DropTags(tags ...string) {
	if len(tags) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.drops++
	for k, e := range c.entries {
		for _, t := range e.tags {
			if slices.Contains(tags, t) {
				c.remove(k, e)
				break
			}
		}
	}
}

// DropAll forgets every value.
func (c *Expiring[K, V]) DropAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.drops++
	clear(c.entries)
	c.cost = 0
}

// Len is the number of values kept, fresh or expired.
func (c *Expiring[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// Cost is the total cost of the values kept, within the bound.
func (c *Expiring[K, V]) Cost() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cost
}

// remove forgets the entry e kept under key; the caller holds mu.
func (c *Expiring[K, V]) remove(key K, e expiringEntry[V]) {
	delete(c.entries, key)
	c.cost -= e.cost
}
