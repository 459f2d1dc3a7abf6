// Package dberr tells what a database error means for the person waiting
// on it, on SQLite and PostgreSQL alike: the database is away for a moment
// (try again), or it is full (nothing can be saved). The store returns the
// drivers' errors wrapped; the web layer asks this package what to answer,
// without depending on the store.
package dberr

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// IsUnavailable reports whether err means the database could not be
// reached or dropped the connection, rather than refused the query: the
// caller should answer "try again", not "broken".
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, sql.ErrConnDone) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08: connection exception; 57P01 to 57P03: the server is
		// shutting down or the connection was terminated.
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P")
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		return liteErr.Code() == sqlite3.SQLITE_BUSY || liteErr.Code() == sqlite3.SQLITE_LOCKED
	}
	return strings.Contains(err.Error(), "conn closed") || strings.Contains(err.Error(), "connection reset")
}

// IsFull reports whether err means the database has no room to write: the
// disk (or the SQLite file's size limit) is full, or PostgreSQL's disk is.
// Reads still work; the caller should answer "we cannot save right now",
// keep what the person typed, and report the site not ready.
func IsFull(err error) bool {
	if err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "53100" // disk_full
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		return liteErr.Code()&0xff == sqlite3.SQLITE_FULL
	}
	return false
}
