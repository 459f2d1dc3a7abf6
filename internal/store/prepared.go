package store

import (
	"context"
	"database/sql"
	"strings"
	"sync"
)

// maxPrepared bounds the statements a pool keeps prepared. The store's
// queries are fixed text, but a few grow with their arguments (lists of
// ids); past the bound, queries run unprepared.
const maxPrepared = 500

// pool is a database/sql pool whose queries are written with ?
// placeholders, rewritten for its dialect as they run, and that can keep
// the statements it runs prepared. SQLite parses and plans a statement every time it is prepared,
// which for the small queries a page runs costs more than running them;
// database/sql keeps a prepared statement per connection and reuses it.
// PostgreSQL's driver keeps its own statements, so its pools pass queries
// straight through.
type pool struct {
	db      *sql.DB
	bind    *binder
	prepare bool

	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

func newPool(db *sql.DB, bind *binder, prepare bool) *pool {
	return &pool{db: db, bind: bind, prepare: prepare, stmts: make(map[string]*sql.Stmt)}
}

// stmt returns the statement kept for query (already in the dialect's
// style), preparing it the first time; nil when the query is to run
// unprepared.
func (p *pool) stmt(ctx context.Context, query string) *sql.Stmt {
	if !p.prepare || strings.Contains(query, ";") {
		return nil // a script: each of its statements is prepared as it runs
	}
	p.mu.Lock()
	st, ok := p.stmts[query]
	full := len(p.stmts) >= maxPrepared
	p.mu.Unlock()
	if ok || full {
		return st
	}
	st, err := p.db.PrepareContext(ctx, query)
	if err != nil {
		return nil // running it unprepared reports the error
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if kept, ok := p.stmts[query]; ok {
		_ = st.Close() // prepared twice at once; the first is kept
		return kept
	}
	p.stmts[query] = st
	return st
}

// QueryContext runs a query, prepared when the pool keeps statements.
func (p *pool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query = p.bind.bind(query)
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.db.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query for one row, prepared when the pool keeps
// statements.
func (p *pool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	query = p.bind.bind(query)
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.db.QueryRowContext(ctx, query, args...)
}

// ExecContext runs a statement, prepared when the pool keeps statements.
func (p *pool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	query = p.bind.bind(query)
	if st := p.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.db.ExecContext(ctx, query, args...)
}

// Close closes the kept statements and the pool.
func (p *pool) Close() error {
	p.mu.Lock()
	for q, st := range p.stmts {
		_ = st.Close() // the pool's connections go next, and with them every statement
		delete(p.stmts, q)
	}
	p.mu.Unlock()
	return p.db.Close()
}

// PingContext checks that the database answers.
func (p *pool) PingContext(ctx context.Context) error { return p.db.PingContext(ctx) }

// Stats reports the pool's connections.
func (p *pool) Stats() sql.DBStats { return p.db.Stats() }

// BeginTx starts a transaction.
func (p *pool) BeginTx(ctx context.Context, opts *sql.TxOptions) (*txn, error) {
	tx, err := p.db.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &txn{tx: tx, bind: p.bind}, nil
}

// Conn takes one connection out of the pool until it is closed.
func (p *pool) Conn(ctx context.Context) (*conn, error) {
	c, err := p.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	return &conn{c: c, bind: p.bind}, nil
}

// txn is a transaction whose queries are written with ? placeholders,
// rewritten for its dialect as they run.
type txn struct {
	tx   *sql.Tx
	bind *binder
}

// ExecContext runs a statement in the transaction.
func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.bind.bind(query), args...)
}

// execScript runs a script of statements in the transaction as written:
// a migration's text is not rewritten.
func (t *txn) execScript(ctx context.Context, script string) error {
	_, err := t.tx.ExecContext(ctx, script)
	return err
}

// QueryContext runs a query in the transaction.
func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.bind.bind(query), args...)
}

// QueryRowContext runs a query for one row in the transaction.
func (t *txn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.bind.bind(query), args...)
}

// Commit commits the transaction.
func (t *txn) Commit() error { return t.tx.Commit() }

// Rollback aborts the transaction.
func (t *txn) Rollback() error { return t.tx.Rollback() }

// conn is one connection taken out of a pool, whose queries are written
// with ? placeholders, rewritten for its dialect as they run.
type conn struct {
	c    *sql.Conn
	bind *binder
}

// ExecContext runs a statement on the connection.
func (c *conn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return c.c.ExecContext(ctx, c.bind.bind(query), args...)
}

// QueryRowContext runs a query for one row on the connection.
func (c *conn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return c.c.QueryRowContext(ctx, c.bind.bind(query), args...)
}

// BeginTx starts a transaction on the connection.
func (c *conn) BeginTx(ctx context.Context, opts *sql.TxOptions) (*txn, error) {
	tx, err := c.c.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &txn{tx: tx, bind: c.bind}, nil
}

// Raw runs f with the driver's connection.
func (c *conn) Raw(f func(driverConn any) error) error { return c.c.Raw(f) }

// Close returns the connection to its pool.
func (c *conn) Close() error { return c.c.Close() }
