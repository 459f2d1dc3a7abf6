package store

import (
	"context"
	"sync"
	"time"

	"dateline/internal/billing"
	"dateline/internal/comment"
)

// readersTTL bounds how long a kept answer about a reader is trusted. Every
// write through a store drops what its instance keeps and, on PostgreSQL,
// what every other instance keeps (see changeReaders); the bound only
// matters if a notification is lost for good.
const readersTTL = time.Minute

// maxKeptReaders bounds each of the readers' maps; past it, an arbitrary
// entry makes room.
const maxKeptReaders = 20000

// readersTag is the word on the purge channel that asks every instance to
// drop what it keeps about readers. Page tags never start with "~".
const readersTag = "~readers"

// readerCache keeps what signed-in requests ask about their reader besides
// the session: the subscription with its plan, and the comment
// suspension. Without it a subscriber's page costs three more queries
// before it shows anything of its own. The session itself is always read
// (see SessionByToken).
//
// Values are kept as read and copied on the way out, so callers may change
// what they get.
type readerCache struct {
	mu sync.Mutex
	// drops counts drop calls: a value read while one happened may be
	// stale, so it is not kept.
	drops       uint64
	subs        map[int64]kept[*billing.Subscription]
	suspensions map[int64]kept[*comment.Suspension]
}

// kept is one answer about a reader; a nil val is kept too ("none").
type kept[T any] struct {
	val    T
	keptAt time.Time
}

func keptSubs(c *readerCache) map[int64]kept[*billing.Subscription]      { return c.subs }
func keptSuspensions(c *readerCache) map[int64]kept[*comment.Suspension] { return c.suspensions }

func newReaderCache() *readerCache {
	c := &readerCache{}
	c.reset()
	return c
}

// reset empties the maps; the caller holds mu or owns c.
func (c *readerCache) reset() {
	c.subs = make(map[int64]kept[*billing.Subscription])
	c.suspensions = make(map[int64]kept[*comment.Suspension])
}

// drop forgets everything, after a write that may change any of it.
func (c *readerCache) drop() {
	c.mu.Lock()
	c.drops++
	c.reset()
	c.mu.Unlock()
}

// generation is the number to hand back to a put after a read.
func (c *readerCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.drops
}

func fresh(keptAt, now time.Time) bool { return now.Sub(keptAt) < readersTTL }

// getKept returns the answer kept about a user in the map m selects.
func getKept[T any](c *readerCache, m func(*readerCache) map[int64]kept[T], userID int64, now time.Time) (T, bool) {
	c.mu.Lock()
	k, ok := m(c)[userID]
	c.mu.Unlock()
	if !ok || !fresh(k.keptAt, now) {
		var zero T
		return zero, false
	}
	return k.val, true
}

// putKept keeps an answer read about a user, unless a drop happened since
// gen was taken.
func putKept[T any](c *readerCache, m func(*readerCache) map[int64]kept[T], gen uint64, userID int64, val T, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.drops {
		return
	}
	mm := m(c)
	if len(mm) >= maxKeptReaders {
		for id := range mm {
			delete(mm, id)
			break
		}
	}
	mm[userID] = kept[T]{val: val, keptAt: now}
}

// changeReaders runs fn, a write that changes subscriptions, plans,
// suspensions or removes a user, in one transaction with a
// notification (on PostgreSQL) that makes every instance drop what it keeps
// about readers; once committed, this instance's copy goes at once.
func (s *Store) changeReaders(ctx context.Context, fn func(tx *txn) error) error {
	err := s.inTx(ctx, func(tx *txn) error {
		if err := fn(tx); err != nil {
			return err
		}
		// Sent when the transaction commits, and only then.
		return s.dialect.notify(ctx, tx, "store "+readersTag)
	})
	s.readers.drop() // after the commit, so nothing older is kept again
	return err
}
