package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"dateline/internal/story"
)

//go:embed migrations
var migrationFiles embed.FS

// ErrSchemaTooNew is returned by Migrate when the database was migrated by a
// newer Dateline than this one; it is never migrated backwards.
var ErrSchemaTooNew = errors.New("database schema is newer than this version of Dateline")

// migration is one numbered step of the schema.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations lists the dialect's steps in order. Files are named
// NNNN_name.sql; the numbers run from 1 without gaps, the same in every
// dialect.
func migrations(d Dialect) ([]migration, error) {
	dir := path.Join("migrations", string(d))
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration file %s: name must be NNNN_name.sql", e.Name())
		}
		body, err := fs.ReadFile(migrationFiles, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: name, sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migrations for %s: expected version %d, found %d", d, i+1, m.version)
		}
	}
	return ms, nil
}

// SchemaVersion reports the version the database is at and the latest
// version this Dateline knows.
func (s *Store) SchemaVersion(ctx context.Context) (current, latest int, err error) {
	ms, err := migrations(s.dialect)
	if err != nil {
		return 0, 0, err
	}
	current, err = s.currentVersion(ctx, s.read)
	return current, len(ms), err
}

func (s *Store) currentVersion(ctx context.Context, db rowQueryer) (int, error) {
	var exists bool
	if err := db.QueryRowContext(ctx, s.dialect.tableExists(), "schema_migrations").Scan(&exists); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if !exists {
		return 0, nil
	}
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return int(v.Int64), nil
}

// Migrate brings the schema up to date, one transaction per step. Several
// instances starting at once on PostgreSQL take turns through an advisory
// lock. It returns ErrSchemaTooNew, wrapped, for a database from a newer
// Dateline. It reports the versions it applied.
func (s *Store) Migrate(ctx context.Context) (applied []int, err error) {
	return s.migrate(ctx, "")
}

// migrate is Migrate, stopping before the migration named before when
// it is not "": tests make a database as an older Dateline left it.
func (s *Store) migrate(ctx context.Context, before string) (applied []int, err error) {
	ms, err := migrations(s.dialect)
	if err != nil {
		return nil, err
	}
	for i, m := range ms {
		if m.name == before {
			ms = ms[:i]
			break
		}
	}
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	if lock, unlock := s.dialect.migrationLock(); lock != "" {
		if _, err := conn.ExecContext(ctx, lock); err != nil {
			return nil, fmt.Errorf("migrate: lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), unlock)
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		name TEXT NOT NULL,
		applied_at TEXT NOT NULL)`); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	current, err := s.currentVersion(ctx, conn)
	if err != nil {
		return nil, err
	}
	if current > len(ms) {
		return nil, fmt.Errorf("%w: the database is at version %d, this Dateline knows up to %d; run a newer Dateline",
			ErrSchemaTooNew, current, len(ms))
	}
	for _, m := range ms[current:] {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return applied, fmt.Errorf("migrate %04d_%s: %w", m.version, m.name, err)
		}
		if err := tx.execScript(ctx, m.sql); err != nil {
			_ = tx.Rollback() // the statement's error is the one to report
			return applied, fmt.Errorf("migrate %04d_%s: %w", m.version, m.name, err)
		}
		if fill := fills[m.name]; fill != nil {
			if err := fill(ctx, tx); err != nil {
				_ = tx.Rollback() // the fill's error is the one to report
				return applied, fmt.Errorf("migrate %04d_%s: %w", m.version, m.name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
			m.version, m.name, s.Now().UTC().Format("2006-01-02T15:04:05Z")); err != nil {
			_ = tx.Rollback() // the statement's error is the one to report
			return applied, fmt.Errorf("migrate %04d_%s: %w", m.version, m.name, err)
		}
		if err := tx.Commit(); err != nil {
			return applied, fmt.Errorf("migrate %04d_%s: %w", m.version, m.name, err)
		}
		applied = append(applied, m.version)
	}
	return applied, nil
}

// fills finish migrations whose new columns SQL cannot compute, by the
// migration's name: they run in its transaction right after its script,
// in every dialect.
var fills = map[string]func(ctx context.Context, tx *txn) error{
	"search_rest": fillSearchRest,
}

// fillBatch is how many stories a fill reads at a time.
const fillBatch = 500

// fillSearchRest writes the plain text of each story's body after the
// first paragraph into search_rest, as story.Story.Prepare does when a
// story is saved, so the stories written before search read whole bodies
// are found by every word too.
func fillSearchRest(ctx context.Context, tx *txn) error {
	r := story.NewRenderer()
	type row struct {
		id   int64
		html string
	}
	var after int64
	for {
		rows, err := tx.QueryContext(ctx, `SELECT id, body_html FROM stories WHERE id > ? ORDER BY id LIMIT ?`, after, fillBatch)
		if err != nil {
			return fmt.Errorf("fill search_rest: %w", err)
		}
		var batch []row
		for rows.Next() {
			var b row
			if err := rows.Scan(&b.id, &b.html); err != nil {
				_ = rows.Close() // the scan's error is the one to report
				return fmt.Errorf("fill search_rest: %w", err)
			}
			batch = append(batch, b)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("fill search_rest: %w", err)
		}
		_ = rows.Close() // free the connection for the updates; rows.Err was checked
		for _, b := range batch {
			rest := r.RestText(b.html)
			if rest == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE stories SET search_rest = ? WHERE id = ?`, rest, b.id); err != nil {
				return fmt.Errorf("fill search_rest of story %d: %w", b.id, err)
			}
		}
		if len(batch) < fillBatch {
			return nil
		}
		after = batch[len(batch)-1].id
	}
}
