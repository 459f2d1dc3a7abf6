package storetest

import (
	"context"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"modernc.org/sqlite"
)

// pageLimits are the SQLite files tests have capped with LimitPages: each
// file's path and its cap, in pages.
var pageLimits = struct {
	sync.Mutex
	pages map[string]int
}{pages: map[string]int{}}

// The hook is registered when the package loads, before any test opens a
// connection: the driver reads its hooks without a lock.
func init() { sqlite.RegisterConnectionHook(limitPages) }

// LimitPages caps the SQLite database file at path at pages pages, as a
// full disk would: every connection opened to it from now on, the store's
// and Raw's alike, fails a write that needs the file to grow past that
// with SQLite's "database or disk is full" (dberr.IsFull). Call it before
// the file is opened (see OpenAt). A database page is 4096 bytes; a new,
// migrated database takes about a hundred.
func LimitPages(t testing.TB, path string, pages int) {
	t.Helper()
	path = filepath.Clean(path)
	pageLimits.Lock()
	pageLimits.pages[path] = pages
	pageLimits.Unlock()
	t.Cleanup(func() {
		pageLimits.Lock()
		delete(pageLimits.pages, path)
		pageLimits.Unlock()
	})
}

// limitPages caps a new SQLite connection when its file has a cap.
func limitPages(conn sqlite.ExecQuerierContext, dsn string) error {
	pageLimits.Lock()
	pages, ok := pageLimits.pages[pathOf(dsn)]
	pageLimits.Unlock()
	if !ok {
		return nil
	}
	// max_page_count is a setting of the connection, not of the file.
	_, err := conn.ExecContext(context.Background(), "PRAGMA max_page_count = "+strconv.Itoa(pages), nil)
	return err
}

// pathOf is the file a SQLite DSN names: a plain path, or a file: URI as
// the store and Raw give it.
func pathOf(dsn string) string {
	uri, ok := strings.CutPrefix(dsn, "file:")
	if !ok {
		return filepath.Clean(dsn)
	}
	name, _, _ := strings.Cut(uri, "?")
	if p, err := url.PathUnescape(name); err == nil {
		name = p
	}
	return filepath.Clean(name)
}
