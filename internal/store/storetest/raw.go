package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"sync"
	"testing"

	"dateline/internal/config"
	"dateline/internal/store"
)

// RawDB is a test's own connection to a database, beside the store's: for
// checking what landed there, and for staging states the application never
// writes itself. Its queries are written with ? placeholders, as the
// store's are, and rebound for PostgreSQL.
type RawDB struct {
	db      *sql.DB
	dialect store.Dialect
}

// Raw opens a connection to the database at dsn, a SQLite file path or a
// PostgreSQL URL, as the store would be given it. It is closed when the
// test ends. Nothing is opened until the first query, so the database may
// be created after Raw is called.
func Raw(t testing.TB, dsn string) *RawDB {
	t.Helper()
	d := dialectOf(dsn)
	name := dsn
	if d == store.SQLite {
		// The pragmas of the store's connections that matter to a second
		// one: wait for the writer rather than fail with SQLITE_BUSY, keep
		// the file's write-ahead log and commit to it as quickly, check
		// foreign keys, and write times as the store writes them.
		name = "file:" + (&url.URL{Path: dsn}).EscapedPath() +
			"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)" +
			"&_pragma=foreign_keys(1)&_time_format=sqlite"
	}
	db, err := sql.Open(driverOf(d), name)
	if err != nil {
		t.Fatalf("raw %s connection: %v", d, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return &RawDB{db: db, dialect: d}
}

// RawOf returns a connection of the test's own to the database of s, a
// store that Open or OpenAt opened.
func RawOf(t testing.TB, s *store.Store) *RawDB {
	t.Helper()
	opened.Lock()
	r := opened.raw[s]
	opened.Unlock()
	if r == nil {
		t.Fatal("storetest.RawOf: the store was not opened by storetest.Open")
	}
	return r
}

// QueryRow runs query, which returns one row of one column, and scans that
// into dest; an error fails the test.
func (r *RawDB) QueryRow(t testing.TB, query string, dest any, args ...any) {
	t.Helper()
	if err := r.TryQueryRow(query, dest, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// Exec runs a statement; an error fails the test.
func (r *RawDB) Exec(t testing.TB, query string, args ...any) {
	t.Helper()
	if err := r.TryExec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// TryQueryRow is QueryRow returning its error, for a test that waits for
// a state and asks again, or that expects the query to fail.
func (r *RawDB) TryQueryRow(query string, dest any, args ...any) error {
	if err := r.db.QueryRowContext(context.Background(), r.dialect.Rebind(query), args...).Scan(dest); err != nil {
		return fmt.Errorf("raw query: %w", err)
	}
	return nil
}

// TryExec is Exec returning its error, for a test that expects the
// statement to fail.
func (r *RawDB) TryExec(query string, args ...any) error {
	if _, err := r.db.ExecContext(context.Background(), r.dialect.Rebind(query), args...); err != nil {
		return fmt.Errorf("raw exec: %w", err)
	}
	return nil
}

// opened holds the raw connections to the databases of the stores Open
// opened, for RawOf, until their tests end.
var opened = struct {
	sync.Mutex
	raw map[*store.Store]*RawDB
}{raw: map[*store.Store]*RawDB{}}

// remember keeps r as the raw connection to s's database until t ends.
func remember(t testing.TB, s *store.Store, r *RawDB) {
	opened.Lock()
	opened.raw[s] = r
	opened.Unlock()
	t.Cleanup(func() {
		opened.Lock()
		delete(opened.raw, s)
		opened.Unlock()
	})
}

// dialectOf tells the engine a DSN names, as the store does.
func dialectOf(dsn string) store.Dialect {
	if config.IsPostgres(dsn) {
		return store.Postgres
	}
	return store.SQLite
}

// driverOf names the database/sql driver of dialect d.
func driverOf(d store.Dialect) string {
	if d == store.Postgres {
		return "pgx"
	}
	return "sqlite"
}
