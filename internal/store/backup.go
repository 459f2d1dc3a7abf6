package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
)

// ErrBackupPostgres: PostgreSQL databases are backed up with its own
// tools.
var ErrBackupPostgres = errors.New("back up PostgreSQL with pg_dump (see docs/deploy.md)")

// Backup writes a consistent copy of a SQLite database to path while
// writes go on: VACUUM INTO reads one snapshot and never blocks the
// writer. The file must not exist yet.
func (s *Store) Backup(ctx context.Context, path string) error {
	if !s.dialect.ownsFile() {
		return ErrBackupPostgres
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup: %s already exists; choose a new file", path)
	}
	// A connection of its own, so the backup neither waits for nor holds
	// up the writer and the readers.
	conn, err := sql.Open("sqlite", "file:"+(&url.URL{Path: s.name}).EscapedPath()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		_ = os.Remove(path) // a partial copy must not pass for a backup
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}
