// Package store keeps Dateline's data in SQLite or PostgreSQL through
// database/sql. Queries are written once, in the SQL both engines speak, with
// ? placeholders that the store's connections rewrite for PostgreSQL; the
// few real differences live in the Dialect type.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"dateline/internal/config"
	"dateline/internal/story"
)

// Store is Dateline's database. Reads go to a pool of connections; on SQLite
// writes go through a single connection, the engine's one writer. A Store is
// safe for concurrent use.
type Store struct {
	dialect Dialect
	read    *pool
	write   *pool
	name    string // the database, safe to print: no password

	// Snapshots of the small tables every page reads.
	settingsSnap snapshot[map[string]string]
	sectionsSnap snapshot[[]story.Section]

	// readers keeps what signed-in requests ask about their reader.
	readers *readerCache
	// sessions keeps sessions as read, to be checked rather than read.
	sessions sessionCache

	// Now is the clock (see internal/clock), given to Open. Tests may
	// replace it before using the Store.
	Now func() time.Time
}

// Open connects to the database named by dsn: a postgres:// (or
// postgresql://) URL, or otherwise a SQLite file path. It checks that the
// database answers, but does not migrate it; call Migrate for that. now is
// the clock that dates what the Store writes and decides what has expired.
func Open(ctx context.Context, dsn string, now func() time.Time) (*Store, error) {
	if now == nil {
		return nil, errors.New("store: open needs a clock")
	}
	s := &Store{Now: func() time.Time { return now().UTC() }}
	// The snapshots and the readers' answers ask the store's clock, which
	// tests may replace.
	storeClock := func() time.Time { return s.Now() }
	s.readers = newReaderCache(storeClock)
	s.settingsSnap, s.sectionsSnap = newSnapshot[map[string]string](storeClock), newSnapshot[[]story.Section](storeClock)
	var err error
	if config.IsPostgres(dsn) {
		s.dialect = Postgres
		s.name = redact(dsn)
		err = s.openPostgres(dsn)
	} else {
		s.dialect = SQLite
		s.name = dsn
		err = s.openSQLite(dsn)
	}
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", s.name, redactErr(err, dsn))
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.write.PingContext(pingCtx); err != nil {
		_ = s.Close() // the ping's error is the one to report
		return nil, fmt.Errorf("database %s: cannot connect: %w", s.name, redactErr(err, dsn))
	}
	return s, nil
}

func (s *Store) openSQLite(path string) error {
	if strings.HasPrefix(path, "file:") {
		return errors.New("give the SQLite database as a plain file path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return fmt.Errorf("the folder %s does not exist", dir)
		}
	}
	// As a URI, the path is escaped: a '#' or '?' in a folder name must not
	// end it.
	uri := "file:" + (&url.URL{Path: path}).EscapedPath()
	// secure_delete overwrites deleted content with zeros, so that a
	// scrubbed email's reset code does not linger in free pages of the
	// file (or of a backup copied from it).
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(NORMAL)&_pragma=secure_delete(1)&_time_format=sqlite"
	w, err := sql.Open("sqlite", uri+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	r, err := sql.Open("sqlite", uri+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		_ = w.Close() // nothing was opened through it yet
		return err
	}
	n := max(4, runtime.NumCPU())
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	bind := &binder{dialect: SQLite}
	s.write, s.read = newPool(w, bind, true), newPool(r, bind, true)
	return nil
}

func (s *Store) openPostgres(dsn string) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(max(8, 4*runtime.NumCPU()))
	db.SetMaxIdleConns(max(8, 4*runtime.NumCPU()))
	db.SetConnMaxIdleTime(5 * time.Minute)
	p := newPool(db, &binder{dialect: Postgres}, false)
	s.write, s.read = p, p
	return nil
}

// redact removes the passwords from a database URL so it can be printed:
// the one in the user information and any password or sslpassword
// parameter.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparseable postgres URL)"
	}
	if q := u.Query(); q.Has("password") || q.Has("sslpassword") {
		for _, k := range []string{"password", "sslpassword"} {
			if q.Has(k) {
				q.Set(k, "xxxxx")
			}
		}
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// dsnSecrets are the passwords written in a database URL.
func dsnSecrets(dsn string) []string {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil
	}
	var out []string
	if p, ok := u.User.Password(); ok && p != "" {
		out = append(out, p)
	}
	q := u.Query()
	for _, k := range []string{"password", "sslpassword"} {
		for _, v := range q[k] {
			if v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// redactedError is an error whose text has had passwords taken out; it
// still unwraps to the original.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redactErr returns err with any password of dsn removed from its text, so
// that it can be logged.
func redactErr(err error, dsn string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, p := range dsnSecrets(dsn) {
		msg = strings.ReplaceAll(msg, p, "xxxxx")
		if e := url.QueryEscape(p); e != p {
			msg = strings.ReplaceAll(msg, e, "xxxxx")
		}
		if e := url.PathEscape(p); e != p {
			msg = strings.ReplaceAll(msg, e, "xxxxx")
		}
	}
	if msg == err.Error() {
		return err
	}
	return &redactedError{msg: msg, err: err}
}

// Dialect reports the engine behind the store.
func (s *Store) Dialect() Dialect { return s.dialect }

// Name is the database the store opened, with any password removed.
func (s *Store) Name() string { return s.name }

// Close closes every connection.
func (s *Store) Close() error {
	var errs []error
	if s.write != nil {
		errs = append(errs, s.write.Close())
	}
	if s.read != nil && s.read != s.write {
		errs = append(errs, s.read.Close())
	}
	return errors.Join(errs...)
}

// Ping checks that the database answers; the health check uses it.
func (s *Store) Ping(ctx context.Context) error {
	return s.read.PingContext(ctx)
}

// inTx runs fn in a write transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *txn) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback() // fn's error is the one to report
		return err
	}
	return tx.Commit()
}

// utc returns t in UTC, truncated to the microsecond both engines keep.
func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// nullTime turns a zero time into SQL NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return utc(t)
}

// timeOf reads a nullable time column back, in UTC.
func timeOf(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

// DiskFree is the space left for the SQLite database's file, as the file
// system tells it; known is false on PostgreSQL, whose disk is the
// server's.
func (s *Store) DiskFree() (free uint64, known bool) {
	if !s.dialect.ownsFile() {
		return 0, false
	}
	var fs syscall.Statfs_t
	if err := syscall.Statfs(filepath.Dir(s.name), &fs); err != nil {
		return 0, false
	}
	return fs.Bavail * uint64(fs.Bsize), true // #nosec G115 -- a block size is positive
}

// DBStats reports the connection pools by name ("write", and "read" when
// reads have a pool of their own), for metrics.
func (s *Store) DBStats() map[string]sql.DBStats {
	out := map[string]sql.DBStats{"write": s.write.Stats()}
	if s.read != s.write {
		out["read"] = s.read.Stats()
	}
	return out
}

// OutboxDepth counts the emails waiting and those given up on.
func (s *Store) OutboxDepth(ctx context.Context) (pending, failed int, err error) {
	err = s.read.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM outbox WHERE status = 'pending'),
		(SELECT COUNT(*) FROM outbox WHERE status = 'failed')`).Scan(&pending, &failed)
	if err != nil {
		return 0, 0, fmt.Errorf("store: outbox depth: %w", err)
	}
	return pending, failed, nil
}
