package store

import (
	"context"
	"crypto/rand"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
)

// purgeChannel is the PostgreSQL channel on which instances sharing the
// database tell each other which cached pages to drop.
const purgeChannel = "dateline_purge"

// purgeAll is the payload word that asks for every cached page to go.
const purgeAll = "*"

// maxPurgePayload keeps a notification well under PostgreSQL's 8000-byte
// limit; a longer list of tags becomes a purge of everything.
const maxPurgePayload = 4000

// Purges carries page-cache purges between the Dateline instances that
// share one PostgreSQL database, with LISTEN/NOTIFY. The store's own
// notice that readers changed (see changeReaders) travels the same channel
// and is applied to the store by Listen. On SQLite, which one instance
// serves, it carries nothing.
type Purges struct {
	store *Store
	// self marks this instance's notifications, which it need not apply.
	self string
	log  *slog.Logger
}

// NewPurges returns the purge carrier for this instance.
func (s *Store) NewPurges(log *slog.Logger) *Purges {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail
	return &Purges{store: s, self: hex.EncodeToString(b[:]), log: log}
}

// Broadcast tells the other instances to drop the cached pages carrying
// any of tags; no tags drops them all. The notification is delivered once
// the statement commits, so a change committed before it is visible to
// whoever re-renders the page.
func (p *Purges) Broadcast(ctx context.Context, tags []string) error {
	if !p.store.dialect.notifies() {
		return nil
	}
	payload := p.self + " " + purgeAll
	if len(tags) > 0 {
		payload = p.self + " " + strings.Join(tags, " ")
	}
	if len(payload) > maxPurgePayload {
		payload = p.self + " " + purgeAll
	}
	if err := p.store.dialect.notify(ctx, p.store.write, payload); err != nil {
		return fmt.Errorf("store: broadcast purge: %w", err)
	}
	return nil
}

// Listen applies the purges other instances broadcast until ctx ends:
// apply gets the tags, or nil for every page. When the connection is lost
// it connects again and drops every page, since purges sent meanwhile were
// missed. On SQLite it returns at once.
func (p *Purges) Listen(ctx context.Context, apply func(tags []string)) {
	if !p.store.dialect.notifies() {
		return
	}
	wait := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := p.listenOnce(ctx, apply)
		if ctx.Err() != nil {
			return
		}
		p.log.Warn("lost the purge channel; listening again and emptying the page cache", "err", err)
		apply(nil)
		p.store.readers.drop()
		p.store.settingsSnap.drop()
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 10*time.Second)
	}
}

// listenOnce holds one connection on the channel until it fails.
func (p *Purges) listenOnce(ctx context.Context, apply func(tags []string)) error {
	conn, err := p.store.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: listen: unexpected driver connection %T", dc)
		}
		pc := sc.Conn()
		if _, err := pc.Exec(ctx, "LISTEN "+purgeChannel); err != nil {
			return err
		}
		// Never hand the connection back to the pool still listening.
		defer func() {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
			defer cancel()
			_, _ = pc.Exec(cctx, "UNLISTEN *") // a failure closes the connection anyway
		}()
		for {
			n, err := pc.WaitForNotification(ctx)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return errors.Join(err, driver.ErrBadConn) // do not reuse the connection
			}
			from, rest, _ := strings.Cut(n.Payload, " ")
			if rest == settingsTag {
				// A write on some instance changed the site's settings.
				p.store.settingsSnap.drop()
				continue
			}
			if rest == readersTag {
				// A write on some instance changed a subscription, plan
				// or suspension, or removed a user (see changeReaders).
				p.store.readers.drop()
				continue
			}
			if from == p.self {
				continue
			}
			if rest == purgeAll || rest == "" {
				apply(nil)
				continue
			}
			apply(strings.Fields(rest))
		}
	})
}
