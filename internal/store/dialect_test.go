package store

import "testing"

func TestBind(t *testing.T) {
	tests := []struct {
		name, query, postgres string
	}{
		{"none", `SELECT 1`, `SELECT 1`},
		{"in order", `SELECT a FROM t WHERE b = ? AND c IN (?, ?)`, `SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)`},
		{"quoted", `SELECT '?', "a?b" FROM t WHERE x = ?`, `SELECT '?', "a?b" FROM t WHERE x = $1`},
		{"numbered already", `SELECT pg_notify($1, $2)`, `SELECT pg_notify($1, $2)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lite, pg := &binder{dialect: SQLite}, &binder{dialect: Postgres}
			if got := lite.bind(tt.query); got != tt.query {
				t.Errorf("sqlite: %q became %q", tt.query, got)
			}
			for range 2 { // the second time from the binder's memory
				if got := pg.bind(tt.query); got != tt.postgres {
					t.Errorf("postgres: %q became %q, want %q", tt.query, got, tt.postgres)
				}
			}
		})
	}
}
