package store_test

import (
	"context"
	"database/sql"
	"dateline/internal/clock"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

// TestPurgesReachTheOtherInstances runs two stores on one PostgreSQL
// schema, as two instances do, and checks that a purge sent by one reaches
// the other, that an instance ignores its own, and that a lost connection
// empties the cache and listens again.
func TestPurgesReachTheOtherInstances(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dsn, one, two := twoInstances(t)
	log := slog.New(slog.DiscardHandler)
	sender, listener := one.NewPurges(log), two.NewPurges(log)

	got := make(chan []string, 100)
	done := make(chan struct{})
	go func() {
		defer close(done)
		listener.Listen(ctx, func(tags []string) { got <- tags })
	}()
	defer func() { cancel(); <-done }()

	// wait sends tags until they arrive (the listener may not be
	// listening yet), and returns what arrived first.
	wait := func(send func() error) []string {
		t.Helper()
		deadline := time.After(10 * time.Second)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			if err := send(); err != nil {
				t.Fatal(err)
			}
			select {
			case tags := <-got:
				return tags
			case <-tick.C:
			case <-deadline:
				t.Fatal("no purge arrived within 10 seconds")
			}
		}
	}
	if tags := wait(func() error { return sender.Broadcast(ctx, []string{"story-7", "lists"}) }); !slices.Equal(tags, []string{"story-7", "lists"}) {
		t.Fatalf("got %q, want story-7 and lists", tags)
	}
	drain(got)

	// Its own purges an instance has already applied.
	if err := listener.Broadcast(ctx, []string{"self"}); err != nil {
		t.Fatal(err)
	}
	if tags := wait(func() error { return sender.Broadcast(ctx, nil) }); tags != nil {
		t.Fatalf("got %q: the listener applied its own purge, or an empty purge did not mean everything", tags)
	}
	drain(got)

	// A purge too long for one notification becomes a purge of
	// everything.
	long := make([]string, 2000)
	for i := range long {
		long[i] = "story-123456"
	}
	if tags := wait(func() error { return sender.Broadcast(ctx, long) }); tags != nil {
		t.Fatalf("a long purge arrived as %d tags, want everything", len(tags))
	}
	drain(got)

	// The listening connection is cut: the listener empties the cache
	// (purges may have been missed) and listens again.
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE query LIKE 'LISTEN dateline_purge%' AND pid <> pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	select {
	case tags := <-got:
		if tags != nil {
			t.Fatalf("after the cut got %q, want everything purged", tags)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the cut went unnoticed")
	}
	if tags := wait(func() error { return sender.Broadcast(ctx, []string{"story-8"}) }); !slices.Equal(tags, []string{"story-8"}) && tags != nil {
		t.Fatalf("after reconnecting got %q", tags)
	}
	for tags := range drainAll(got) {
		if tags != nil && strings.Join(tags, " ") != "story-8" {
			t.Fatalf("unexpected purge %q", tags)
		}
	}
}

func TestPurgesAreSilentOnSQLite(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	p := s.NewPurges(slog.New(slog.DiscardHandler))
	if err := p.Broadcast(context.Background(), []string{"lists"}); err != nil {
		t.Fatal(err)
	}
	returned := make(chan struct{})
	go func() {
		p.Listen(context.Background(), func([]string) { t.Error("a purge arrived on SQLite") })
		close(returned)
	}()
	select {
	case <-returned:
	case <-time.After(5 * time.Second):
		t.Fatal("Listen kept running on SQLite, where no other instance can share the file")
	}
}

func drain(ch chan []string) {
	for {
		select {
		case <-ch:
		case <-time.After(200 * time.Millisecond):
			return
		}
	}
}

// drainAll returns what arrives on ch within 200 ms of quiet.
func drainAll(ch chan []string) func(func([]string) bool) {
	return func(yield func([]string) bool) {
		for {
			select {
			case tags := <-ch:
				if !yield(tags) {
					return
				}
			case <-time.After(200 * time.Millisecond):
				return
			}
		}
	}
}

// twoInstances opens two stores on one new, migrated PostgreSQL schema, as
// two instances of Dateline share one database.
func twoInstances(t *testing.T) (dsn string, one, two *store.Store) {
	t.Helper()
	dsn = storetest.DSN(t, store.Postgres)
	open := func() *store.Store {
		s, err := store.Open(context.Background(), dsn, clock.System)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	one, two = open(), open()
	if _, err := one.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return dsn, one, two
}
