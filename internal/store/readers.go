package store

import (
	"context"
	"time"

	"dateline/internal/billing"
	"dateline/internal/comment"
	"dateline/internal/pagecache"
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
// A nil value is kept too: "none". Values are kept as read and copied on
// the way out, so callers may change what they get.
type readerCache struct {
	subs        *pagecache.Expiring[int64, *billing.Subscription]
	suspensions *pagecache.Expiring[int64, *comment.Suspension]
}

func newReaderCache(now func() time.Time) *readerCache {
	return &readerCache{
		subs:        pagecache.NewExpiring[int64, *billing.Subscription](maxKeptReaders, readersTTL, now),
		suspensions: pagecache.NewExpiring[int64, *comment.Suspension](maxKeptReaders, readersTTL, now),
	}
}

// drop forgets everything, after a write that may change any of it.
func (c *readerCache) drop() {
	c.subs.DropAll()
	c.suspensions.DropAll()
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
