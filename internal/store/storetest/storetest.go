// Package storetest opens real, empty, migrated databases for tests: a SQLite
// file in the test's temporary directory, and a fresh schema on the
// PostgreSQL server named by DATELINE_TEST_POSTGRES, dropped when the test
// ends.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"dateline/internal/clock"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"dateline/internal/store"
)

// PostgresEnv names the environment variable holding the test server's URL.
const PostgresEnv = "DATELINE_TEST_POSTGRES"

// Each runs fn once per available engine as a subtest named after it.
// PostgreSQL is skipped only when DATELINE_TEST_POSTGRES is unset.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Open returns a migrated, empty store of dialect d that is closed (and, on
// PostgreSQL, dropped) when the test ends. RawOf gives a connection of the
// test's own to its database.
func Open(t testing.TB, d store.Dialect) *store.Store {
	t.Helper()
	return OpenAt(t, DSN(t, d))
}

// OpenAt is Open for the database at dsn, such as a DSN that LimitPages
// has capped: the store is migrated, and closed when the test ends.
func OpenAt(t testing.TB, dsn string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), dsn, clock.System)
	if err != nil {
		t.Fatalf("open %s: %v", dialectOf(dsn), err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", dialectOf(dsn), err)
	}
	remember(t, s, Raw(t, dsn))
	return s
}

// DSN returns the address of a new, empty database of dialect d: a file
// path in the test's temporary directory, or a postgres:// URL whose
// search_path is a schema made for this test alone.
func DSN(t testing.TB, d store.Dialect) string {
	t.Helper()
	if d == store.SQLite {
		return filepath.Join(t.TempDir(), "dateline.db")
	}
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skip(PostgresEnv + " is not set; skipping the PostgreSQL run")
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "test_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("postgres: create schema: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer admin.Close()
		if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Logf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Main runs a package's tests, first saying when the PostgreSQL half of
// them will be skipped (see Notice). Call it from the package's TestMain.
func Main(m *testing.M) {
	if os.Getenv(PostgresEnv) == "" {
		Notice(PostgresEnv + " is not set, so the PostgreSQL runs of these tests are skipped")
	}
	os.Exit(m.Run())
}

// Notice tells the person running the tests something they should know,
// such as which tests are skipped. `go test ./...` shows a passing
// package's output only with -v, so the notice goes to the terminal when
// there is one, and to standard output as well.
func Notice(msg string) {
	line := "note: " + msg + "\n"
	fmt.Print(line)
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		_, _ = tty.WriteString(line)
		_ = tty.Close()
	}
}
