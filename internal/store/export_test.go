package store

import "context"

// ReaderQueryRowForTest runs a query on a connection of the readers' pool
// and scans its one column of one row into dest, for tests of the settings
// of the store's own connections.
func (s *Store) ReaderQueryRowForTest(query string, dest any, args ...any) error {
	return s.read.QueryRowContext(context.Background(), query, args...).Scan(dest)
}

// WriterQueryRowForTest is ReaderQueryRowForTest on the writer's
// connection.
func (s *Store) WriterQueryRowForTest(query string, dest any, args ...any) error {
	return s.write.QueryRowContext(context.Background(), query, args...).Scan(dest)
}

// MigrateBeforeForTest migrates the schema up to the migration named
// name, leaving it and those after it out, as an older Dateline did.
func (s *Store) MigrateBeforeForTest(ctx context.Context, name string) ([]int, error) {
	return s.migrate(ctx, name)
}
