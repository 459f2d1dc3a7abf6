package store

import (
	"time"

	"dateline/internal/pagecache"
)

// snapshotTTL is how long a snapshot of a small, hot table is trusted. Every
// page reads the site's settings and sections; they change a few times a
// day. A write through this store drops the snapshot at once; another
// instance's write is seen within this time.
const snapshotTTL = time.Second

// snapshot keeps the last value read of a small table: one value, kept
// in a pagecache.Expiring for snapshotTTL.
type snapshot[T any] struct {
	kept *pagecache.Expiring[struct{}, T]
}

// newSnapshot keeps a value for snapshotTTL on the clock now.
func newSnapshot[T any](now func() time.Time) snapshot[T] {
	return snapshot[T]{kept: pagecache.NewExpiring[struct{}, T](1, snapshotTTL, now)}
}

// get returns the kept value while it is fresh, else reads it with load.
// A value read while a drop happened is not kept: it may be stale.
func (c snapshot[T]) get(load func() (T, error)) (T, error) {
	v, ok, gen := c.kept.Get(struct{}{})
	if ok {
		return v, nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	c.kept.Put(struct{}{}, v, gen)
	return v, nil
}

// drop forgets the kept value after a write.
func (c snapshot[T]) drop() {
	c.kept.DropAll()
}
