package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"

	"dateline/internal/story"
)

// Dialect names the database engine behind a Store. The store's queries are
// written once, with ? placeholders, in the SQL both engines speak; the
// connections rewrite the placeholders (see binder), and every other
// difference between the engines is a method of Dialect.
type Dialect string

// Supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// binder rewrites queries written with ? placeholders into a dialect's
// style, remembering each query's rewritten text.
type binder struct {
	dialect Dialect
	queries sync.Map // query text with ? -> text for this dialect
}

// bind returns query in the binder's placeholder style (see Rebind).
func (b *binder) bind(query string) string {
	if b.dialect != Postgres {
		return query
	}
	if v, ok := b.queries.Load(query); ok {
		return v.(string)
	}
	v := b.dialect.Rebind(query)
	b.queries.Store(query, v)
	return v
}

// Rebind returns query, written with ? placeholders, in the dialect's own
// style: PostgreSQL's $1, $2 … in place of ?, SQLite's ? as they are.
// Question marks inside quoted strings are left alone.
func (d Dialect) Rebind(query string) string {
	if d != Postgres {
		return query
	}
	var sb strings.Builder
	sb.Grow(len(query) + 8)
	n := 0
	var quote byte
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			fmt.Fprintf(&sb, "$%d", n)
			continue
		}
		sb.WriteByte(c)
	}
	return sb.String()
}

// ownsFile reports whether the database is a file this process opens
// itself, which it can measure and back up (SQLite); a PostgreSQL
// database lives on its server.
func (d Dialect) ownsFile() bool { return d == SQLite }

// locksRows reports whether transactions must lock the rows they read and
// then change, so that two of them take turns. On SQLite the one writer
// already runs write transactions one at a time.
func (d Dialect) locksRows() bool { return d == Postgres }

// forUpdate is the clause that locks the rows a SELECT reads until the
// transaction ends, where rows are locked at all.
func (d Dialect) forUpdate() string {
	if d.locksRows() {
		return " FOR UPDATE"
	}
	return ""
}

// forUpdateSkipLocked is forUpdate for a claim: rows another transaction
// holds are skipped rather than waited for.
func (d Dialect) forUpdateSkipLocked() string {
	if d.locksRows() {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// forNoKeyUpdate is forUpdate with the weaker lock that foreign-key checks
// of other transactions do not wait for.
func (d Dialect) forNoKeyUpdate() string {
	if d.locksRows() {
		return " FOR NO KEY UPDATE"
	}
	return ""
}

// joinDistinct is the aggregate that joins the distinct values of expr
// with commas.
func (d Dialect) joinDistinct(expr string) string {
	if d == Postgres {
		return `string_agg(DISTINCT ` + expr + `, ',')`
	}
	return `group_concat(DISTINCT ` + expr + `)`
}

// tableExists is a query for one boolean: whether the table named by its
// one argument exists (in the current schema, on PostgreSQL).
func (d Dialect) tableExists() string {
	if d == Postgres {
		return `SELECT EXISTS (SELECT 1 FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_name = ?)`
	}
	return `SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?)`
}

// migrationLock is the statement that makes instances migrating the same
// database at once take turns, and the one that ends the turn; empty on
// SQLite, whose one writer already does. The key is arbitrary but fixed:
// "dateline" in ASCII.
func (d Dialect) migrationLock() (lock, unlock string) {
	if d == Postgres {
		return `SELECT pg_advisory_lock(7233188146751737957)`, `SELECT pg_advisory_unlock(7233188146751737957)`
	}
	return "", ""
}

// notifies reports whether the engine carries notifications between the
// instances that share the database (PostgreSQL's LISTEN/NOTIFY). On
// SQLite one instance serves the database and there is no one to tell.
func (d Dialect) notifies() bool { return d == Postgres }

// notify sends payload on the purge channel through db; inside a
// transaction it is delivered when the transaction commits, and only then.
// Where the engine does not notify, it does nothing.
func (d Dialect) notify(ctx context.Context, db execer, payload string) error {
	if !d.notifies() {
		return nil
	}
	_, err := db.ExecContext(ctx, `SELECT pg_notify(?, ?)`, purgeChannel, payload)
	return err
}

// search runs a full-text search with the engine's own index: PostgreSQL's
// tsvector column, SQLite's FTS5 table.
func (d Dialect) search(ctx context.Context, s *Store, q story.SearchQuery, where string, args []any) ([]story.SearchHit, int, error) {
	if d == Postgres {
		return s.searchPostgres(ctx, q, where, args)
	}
	return s.searchSQLite(ctx, q, where, args)
}

// execer runs statements written with ? placeholders: a pool or a
// transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// hourOf is the UTC hour a stored time falls in, as text of the form
// "2006-01-02 15", to count by the hour.
func (d Dialect) hourOf(expr string) string {
	if d == Postgres {
		return `to_char(` + expr + ` AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')`
	}
	// SQLite keeps times as the driver wrote them, in UTC (see utc).
	return `substr(` + expr + `, 1, 13)`
}
