package store

import (
	"sync"

	"dateline/internal/account"
)

// maxKeptSessions bounds the sessions kept; past it, they are all dropped
// and read again as they come back.
const maxKeptSessions = 10000

// sessionCache keeps sessions with their users as last read, by token
// hash, so that a signed-in request costs one short query instead of a
// join that carries a dozen columns back.
//
// Nothing kept is trusted without the database: every use asks whether
// the session is still there and last seen when it was, and whether its
// user's columns still hold what was read (see SessionByToken). A log-out,
// a new password or a change of name on any instance is therefore seen by
// every other on its very next request, with no notice to wait for. The
// columns are compared themselves, not only updated_at, which two changes
// within one tick of the clock would leave alike.
type sessionCache struct {
	mu   sync.Mutex
	kept map[string]keptSession
}

type keptSession struct {
	sess account.Session
	user account.User
}

func (c *sessionCache) get(tokenHash string) (keptSession, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.kept[tokenHash]
	return k, ok
}

func (c *sessionCache) put(tokenHash string, sess *account.Session, u *account.User) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.kept == nil || len(c.kept) >= maxKeptSessions {
		c.kept = make(map[string]keptSession)
	}
	c.kept[tokenHash] = keptSession{sess: *sess, user: *u}
}

func (c *sessionCache) drop(tokenHash string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.kept, tokenHash)
}
