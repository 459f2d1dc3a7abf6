package store

import "context"

// ExecForTest runs a write statement; tests use it to stage states the
// application never writes itself.
func (s *Store) ExecForTest(ctx context.Context, query string, args ...any) error {
	_, err := s.write.ExecContext(ctx, s.q(query), args...)
	return err
}

// WriterQueryRowForTest is QueryRowForTest on the writer's connection.
func (s *Store) WriterQueryRowForTest(query string, dest any, args ...any) error {
	return s.write.QueryRow(s.q(query), args...).Scan(dest)
}
