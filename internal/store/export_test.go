package store

// WriterQueryRowForTest is QueryRowForTest on the writer's connection.
func (s *Store) WriterQueryRowForTest(query string, dest any, args ...any) error {
	return s.write.QueryRow(s.q(query), args...).Scan(dest)
}
