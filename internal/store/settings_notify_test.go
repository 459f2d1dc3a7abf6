package store_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

// TestSettingsFreshOnEveryInstance runs two stores on one PostgreSQL
// schema, as two instances do, one of them on a clock that stands still so
// that its snapshot of the settings never grows old by itself: a change
// saved through the other still reaches it, by the notification the save
// sends.
func TestSettingsFreshOnEveryInstance(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dsn := storetest.DSN(t, store.Postgres)
	frozen := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	open := func() *store.Store {
		s, err := store.Open(ctx, dsn, func() time.Time { return frozen })
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	one, two := open(), open()
	if _, err := one.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		two.NewPurges(slog.New(slog.DiscardHandler)).Listen(ctx, func([]string) {})
	}()
	defer func() { cancel(); <-done }()

	read := func() string {
		t.Helper()
		vals, err := two.SettingValues(ctx, "site_name")
		if err != nil {
			t.Fatal(err)
		}
		return vals["site_name"]
	}
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; ; i++ {
		// The listener may not be listening yet: save until it hears.
		want := "Name " + string(rune('A'+i%26))
		if got := read(); got == want {
			t.Fatalf("the snapshot had %q before it was saved", got)
		}
		if err := one.SaveSettingValues(ctx, map[string]string{"site_name": want}); err != nil {
			t.Fatal(err)
		}
		for end := time.Now().Add(300 * time.Millisecond); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
			if read() == want {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the other instance never saw the saved setting")
		}
	}
}
