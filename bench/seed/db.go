package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"dateline/internal/config"
)

// openDB opens the database for bulk loading. SQLite gets the pragmas and
// time format Dateline uses, so that what is written reads back the same,
// except that it does not wait for the disk on each commit: a seed that
// crashes is started again.
func openDB(dsn string) (*sql.DB, error) {
	if config.IsPostgres(dsn) {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(4)
		return db, nil
	}
	uri := "file:" + (&url.URL{Path: dsn}).EscapedPath() + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(OFF)&_pragma=cache_size(-200000)&_time_format=sqlite&_txlock=immediate"
	db, err := sql.Open("sqlite", uri)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// rebind rewrites ? placeholders as PostgreSQL's $1, $2 … when pg is
// true. The queries here hold no literal question marks.
func rebind(pg bool, query string) string {
	if !pg {
		return query
	}
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// loader inserts rows into several tables in one transaction at a time,
// committing every commitEvery rows. Tables are written in the order they
// were added to the loader, so rows that others point at (stories before
// their bylines) always reach the database first.
type loader struct {
	db          *sql.DB
	pg          bool
	commitEvery int

	tx       *sql.Tx
	inTx     int
	batchers []*batcher
}

func newLoader(db *sql.DB, pg bool) *loader {
	return &loader{db: db, pg: pg, commitEvery: 20000}
}

// batcher queues the rows of one table and sends them as multi-row
// INSERT statements, prepared once per transaction.
type batcher struct {
	l       *loader
	table   string
	cols    []string
	perStmt int // rows per INSERT
	stmt    *sql.Stmt
	pending []any
}

// table returns the batcher of a table with the given columns.
func (l *loader) table(name string, cols ...string) *batcher {
	// SQLite allows 32766 variables a statement and PostgreSQL 65535;
	// a few hundred rows a statement is where the gain levels off.
	b := &batcher{l: l, table: name, cols: cols, perStmt: min(500, 30000/len(cols))}
	l.batchers = append(l.batchers, b)
	return b
}

func (b *batcher) insertSQL(rows int) string {
	var q strings.Builder
	fmt.Fprintf(&q, "INSERT INTO %s (%s) VALUES ", b.table, strings.Join(b.cols, ", "))
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(b.cols)), ", ") + ")"
	for i := range rows {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(row)
	}
	return rebind(b.l.pg, q.String())
}

// add queues one row; its values follow the batcher's columns. A full
// batch sends every table's pending rows.
func (b *batcher) add(ctx context.Context, values ...any) error {
	if len(values) != len(b.cols) {
		return fmt.Errorf("insert into %s: %d values for %d columns", b.table, len(values), len(b.cols))
	}
	b.pending = append(b.pending, values...)
	if len(b.pending) == b.perStmt*len(b.cols) {
		return b.l.flush(ctx)
	}
	return nil
}

// write sends the table's pending rows in the loader's transaction.
func (b *batcher) write(ctx context.Context, tx *sql.Tx) (int, error) {
	rows := len(b.pending) / len(b.cols)
	if rows == 0 {
		return 0, nil
	}
	var err error
	if rows == b.perStmt {
		if b.stmt == nil {
			if b.stmt, err = tx.PrepareContext(ctx, b.insertSQL(rows)); err != nil {
				return 0, fmt.Errorf("insert into %s: prepare: %w", b.table, err)
			}
		}
		_, err = b.stmt.ExecContext(ctx, b.pending...)
	} else {
		_, err = tx.ExecContext(ctx, b.insertSQL(rows), b.pending...)
	}
	if err != nil {
		return 0, fmt.Errorf("insert into %s: %w", b.table, err)
	}
	b.pending = b.pending[:0]
	return rows, nil
}

// flush sends every table's pending rows, in order, and commits when the
// transaction has grown large.
func (l *loader) flush(ctx context.Context) error {
	if l.tx == nil {
		tx, err := l.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		l.tx = tx
	}
	for _, b := range l.batchers {
		n, err := b.write(ctx, l.tx)
		if err != nil {
			return err
		}
		l.inTx += n
	}
	if l.inTx >= l.commitEvery {
		return l.commit()
	}
	return nil
}

func (l *loader) closeStmts() {
	for _, b := range l.batchers {
		if b.stmt != nil {
			// The transaction's commit or rollback that follows ends the
			// statement anyway; a close error leaves nothing to do.
			_ = b.stmt.Close()
			b.stmt = nil
		}
	}
}

func (l *loader) commit() error {
	if l.tx == nil {
		return nil
	}
	l.closeStmts()
	err := l.tx.Commit()
	l.tx, l.inTx = nil, 0
	if err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// close sends what is pending and commits.
func (l *loader) close(ctx context.Context) error {
	if err := l.flush(ctx); err != nil {
		l.abort()
		return err
	}
	return l.commit()
}

// abort rolls back whatever is uncommitted.
func (l *loader) abort() {
	l.closeStmts()
	if l.tx != nil {
		// Already failing: the caller reports the first error, and a
		// failed rollback leaves nothing committed either way.
		_ = l.tx.Rollback()
		l.tx = nil
	}
}
