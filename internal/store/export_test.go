package store

import "context"

// WriterQueryRowForTest is QueryRowForTest on the writer's connection.
func (s *Store) WriterQueryRowForTest(query string, dest any, args ...any) error {
	return s.write.QueryRowContext(context.Background(), query, args...).Scan(dest)
}
