package storetest_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"dateline/internal/dberr"
	"dateline/internal/mail"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// TestCountingDSNCountsQueries sends three queries through the counting
// proxy, in both of PostgreSQL's protocols, and finds three; connecting
// and pgx's check of a connection are no queries.
func TestCountingDSNCountsQueries(t *testing.T) {
	dsn, queries := storetest.CountingDSN(t, storetest.DSN(t, store.Postgres))
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if err := db.PingContext(ctx); err != nil {
		t.Fatal(err)
	}
	if n := queries.Load(); n != 0 {
		t.Errorf("connecting counted %d queries, want 0", n)
	}
	var n int
	// Without arguments, a simple Query; with them, a Parse and an Execute,
	// then, the statement kept, an Execute alone.
	for _, q := range []struct {
		sql  string
		args []any
	}{{`SELECT 1`, nil}, {`SELECT $1::int`, []any{2}}, {`SELECT $1::int`, []any{3}}} {
		if err := db.QueryRowContext(ctx, q.sql, q.args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
	}
	if n != 3 {
		t.Fatalf("the last query answered %d, want 3", n)
	}
	if got := queries.Load(); got != 3 {
		t.Errorf("counted %d queries, want 3", got)
	}
}

// TestCountingDSNPassesCancelRequests cancels a long query through the
// proxy: the cancel request, a packet of its own on a connection of its
// own, reaches the server.
func TestCountingDSNPassesCancelRequests(t *testing.T) {
	dsn, _ := storetest.CountingDSN(t, storetest.DSN(t, store.Postgres))
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := conn.PgConn().Exec(ctx, `SELECT pg_sleep(20)`).ReadAll()
		done <- err
	}()
	// The query may not have started when a cancel arrives; ask until it
	// ends.
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case err := <-done:
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != "57014" {
				t.Fatalf("the query ended with %v, want query_canceled (57014)", err)
			}
			return
		case <-tick.C:
			if err := conn.PgConn().CancelRequest(ctx); err != nil {
				t.Fatalf("cancel: %v", err)
			}
		case <-deadline:
			t.Fatal("the query was not cancelled within 10 s")
		}
	}
}

// TestLimitPagesFillsUp caps a database file, whose name needs escaping
// in a URI, and writes past the cap: a connection of the test's own and
// the store's writer both find the database full.
func TestLimitPagesFillsUp(t *testing.T) {
	const limit = 300 // a new, migrated database takes under a hundred
	path := filepath.Join(t.TempDir(), "a #1?.db")
	storetest.LimitPages(t, path, limit)
	s := storetest.OpenAt(t, path)
	raw := storetest.RawOf(t, s)
	raw.Exec(t, `CREATE TABLE filler (b BLOB)`)
	var err error
	for range limit { // each row takes more than a page
		if err = raw.TryExec(`INSERT INTO filler VALUES (randomblob(4096))`); err != nil {
			break
		}
	}
	if !dberr.IsFull(err) {
		t.Fatalf("writing past the limit: %v, want the database full", err)
	}
	var pages int
	raw.QueryRow(t, `PRAGMA page_count`, &pages)
	if pages > limit {
		t.Errorf("the file has %d pages, over its limit of %d", pages, limit)
	}
	long := strings.Repeat("A letter longer than a page. ", 400)
	m := mail.New("news.example", "ana@example.com", "Ana", "A long letter", long, "<p>"+long+"</p>")
	if err := s.Enqueue(context.Background(), m); !dberr.IsFull(err) {
		t.Errorf("the store's write to a full database: %v, want the database full", err)
	}
}
