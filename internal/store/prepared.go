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

// pool is a database/sql pool that can keep the statements it runs
// prepared. SQLite parses and plans a statement every time it is prepared,
// which for the small queries a page runs costs more than running them;
// database/sql keeps a prepared statement per connection and reuses it.
// PostgreSQL's driver keeps its own statements, so its pools pass queries
// straight through.
type pool struct {
	*sql.DB
	prepare bool

	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

func newPool(db *sql.DB, prepare bool) *pool {
	return &pool{DB: db, prepare: prepare, stmts: make(map[string]*sql.Stmt)}
}

// stmt returns the statement kept for query, preparing it the first time;
// nil when the query is to run unprepared.
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
	st, err := p.DB.PrepareContext(ctx, query)
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
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.DB.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query for one row, prepared when the pool keeps
// statements.
func (p *pool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.DB.QueryRowContext(ctx, query, args...)
}

// ExecContext runs a statement, prepared when the pool keeps statements.
func (p *pool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.DB.ExecContext(ctx, query, args...)
}

// Close closes the kept statements and the pool.
func (p *pool) Close() error {
	p.mu.Lock()
	for q, st := range p.stmts {
		_ = st.Close() // the pool's connections go next, and with them every statement
		delete(p.stmts, q)
	}
	p.mu.Unlock()
	return p.DB.Close()
}
