package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"dateline/internal/clock"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

// The migrations are written twice, once per engine. TestSchemasAgree
// migrates a fresh database of each and compares what they hold, so that a
// column, index or key added to one folder only fails here rather than on
// the engine nobody tried.
//
// Each schema is read into a set of facts, one line each:
//
//	table T
//	column T.c TYPE [not null] [default D]
//	primary key T (a, b)
//	unique T (a, b) [partial]               a UNIQUE constraint, or index
//	index T name (a, b DESC) [partial]      a CREATE INDEX, by name
//	foreign key T (a) -> U (b) on delete X
//
// Types are compared by family, as far as the engines' types map:
//
//	INTEGER, BIGINT, SMALLINT (SQLite: INTEGER)       -> integer
//	TEXT, VARCHAR (character varying)                 -> text
//	TIMESTAMPTZ (SQLite: DATETIME, as ISO text)       -> time
//	BOOLEAN (SQLite: BOOLEAN, stored as 0 and 1)      -> bool
//	REAL, DOUBLE PRECISION                            -> real
//	BLOB, BYTEA                                       -> bytes
//
// A primary-key column is not null on both: SQLite's INTEGER PRIMARY KEY
// is the rowid, which is never NULL, though the pragma says nullable.
// Defaults are compared with PostgreSQL's casts ('x'::text) taken off.
// CHECK constraints are not compared: SQLite keeps them only in the
// CREATE TABLE text.
//
// Full-text search is built differently on purpose and left out: SQLite's
// FTS5 virtual tables (stories_fts, stories_rank), their shadow tables and
// the triggers that fill them; PostgreSQL's tsvector columns
// (stories.search_head, story_search.search), the GIN index over the
// second, and story_search, the narrow table its trigger fills.

// schemaAllowances are known differences between the two migration folders,
// each with the reason it is allowed. Keep it empty when possible.
var schemaAllowances = map[string]string{
	"index stories stories_dates (id, published_at)": "search sorted newest first " +
		"reads the dates of its matches; SQLite stores them after the body in each row, PostgreSQL in the " +
		"row's main part, with the body apart",
}

// TestSchemasAgree fails on any fact of one schema missing from the other
// and not allowed above. With DATELINE_SCHEMA_DUMP=1 a failure also logs
// both schemas whole.
func TestSchemasAgree(t *testing.T) {
	facts := map[store.Dialect][]string{}
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			dsn := storetest.DSN(t, d)
			s, err := store.Open(context.Background(), dsn, clock.System)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			db := openRaw(t, d, dsn)
			if d == store.SQLite {
				facts[d] = sqliteSchema(t, db)
			} else {
				facts[d] = postgresSchema(t, db)
			}
			if len(facts[d]) == 0 {
				t.Fatal("read no schema")
			}
		})
	}
	lite, pg := facts[store.SQLite], facts[store.Postgres]
	if lite == nil || pg == nil {
		t.Skip("needs both engines")
	}
	for _, f := range lite {
		if !slices.Contains(pg, f) && schemaAllowances[f] == "" {
			t.Errorf("only in migrations/sqlite: %s", f)
		}
	}
	for _, f := range pg {
		if !slices.Contains(lite, f) && schemaAllowances[f] == "" {
			t.Errorf("only in migrations/postgres: %s", f)
		}
	}
	for f := range schemaAllowances {
		if slices.Contains(lite, f) == slices.Contains(pg, f) {
			t.Errorf("allowance no longer needed, remove it: %s", f)
		}
	}
	if t.Failed() && os.Getenv("DATELINE_SCHEMA_DUMP") != "" {
		t.Logf("sqlite:\n%s\npostgres:\n%s", strings.Join(lite, "\n"), strings.Join(pg, "\n"))
	}
}

// typeFamily maps a declared or reported column type to the family both
// engines share (see the table above).
func typeFamily(typ string) string {
	switch t := strings.ToLower(strings.TrimSpace(typ)); {
	case t == "integer" || t == "int" || t == "bigint" || t == "smallint":
		return "integer"
	case t == "text" || strings.HasPrefix(t, "varchar") || strings.HasPrefix(t, "character varying"):
		return "text"
	case t == "datetime" || t == "timestamp with time zone" || t == "timestamptz":
		return "time"
	case t == "boolean":
		return "bool"
	case t == "real" || t == "double precision":
		return "real"
	case t == "blob" || t == "bytea":
		return "bytes"
	default:
		return "unmapped " + t
	}
}

// normDefault writes a column default the same way for both engines.
func normDefault(def sql.NullString) string {
	if !def.Valid {
		return ""
	}
	d := def.String
	if i := strings.Index(d, "::"); i >= 0 && !strings.Contains(d[i:], "'") {
		d = d[:i]
	}
	return " default " + strings.ToLower(strings.Trim(d, "()"))
}

func column(table, name, typ string, notNull bool, def sql.NullString) string {
	f := "column " + table + "." + name + " " + typeFamily(typ)
	if notNull {
		f += " not null"
	}
	return f + normDefault(def)
}

func queryStrings(t *testing.T, db *sql.DB, query string, args ...any) [][]sql.NullString {
	t.Helper()
	rows, err := db.Query(query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]sql.NullString
	for rows.Next() {
		row := make([]sql.NullString, len(cols))
		dest := make([]any, len(cols))
		for i := range row {
			dest[i] = &row[i]
		}
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func sqliteSchema(t *testing.T, db *sql.DB) []string {
	var facts []string
	tables := queryStrings(t, db, `SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	// FTS5 tables and their shadow tables (name_data, name_idx, …) are
	// SQLite's full-text search, which PostgreSQL does another way.
	var fts []string
	for _, r := range tables {
		if strings.HasPrefix(strings.ToUpper(r[1].String), "CREATE VIRTUAL TABLE") {
			fts = append(fts, r[0].String)
		}
	}
	isFTS := func(name string) bool {
		for _, v := range fts {
			if name == v || strings.HasPrefix(name, v+"_") {
				return true
			}
		}
		return false
	}
	for _, r := range tables {
		table := r[0].String
		if isFTS(table) || strings.HasPrefix(table, "sqlite_") {
			continue
		}
		facts = append(facts, "table "+table)
		// cid, name, type, notnull, dflt_value, pk
		var pk []string
		cols := queryStrings(t, db, `SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY pk, cid`, table)
		for _, c := range cols {
			isPK := c[4].String != "0"
			if isPK {
				pk = append(pk, c[0].String)
			}
			facts = append(facts, column(table, c[0].String, c[1].String, c[2].String == "1" || isPK, c[3]))
		}
		if len(pk) > 0 {
			facts = append(facts, fmt.Sprintf("primary key %s (%s)", table, strings.Join(pk, ", ")))
		}
		for _, ix := range queryStrings(t, db, `SELECT name, "unique", origin, partial FROM pragma_index_list(?)`, table) {
			name, origin := ix[0].String, ix[2].String
			if origin == "pk" {
				continue // the primary key, above
			}
			var keys []string
			for _, k := range queryStrings(t, db, `SELECT COALESCE(name, '(expression)'), "desc" FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno`, name) {
				key := k[0].String
				if k[1].String == "1" {
					key += " DESC"
				}
				keys = append(keys, key)
			}
			facts = append(facts, indexFact(table, name, origin == "c", ix[1].String == "1", ix[3].String == "1", keys))
		}
		fks := map[string][4][]string{} // id -> from, parent, to, on delete
		var ids []string
		for _, fk := range queryStrings(t, db, `SELECT id, "table", "from", "to", on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq`, table) {
			id := fk[0].String
			e, ok := fks[id]
			if !ok {
				ids = append(ids, id)
				e[1], e[3] = []string{fk[1].String}, []string{fk[4].String}
			}
			e[0] = append(e[0], fk[2].String)
			if fk[3].Valid {
				e[2] = append(e[2], fk[3].String)
			} else { // REFERENCES parent, without columns: its primary key
				for _, c := range queryStrings(t, db, `SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk`, fk[1].String) {
					e[2] = append(e[2], c[0].String)
				}
			}
			fks[id] = e
		}
		for _, id := range ids {
			e := fks[id]
			facts = append(facts, fmt.Sprintf("foreign key %s (%s) -> %s (%s) on delete %s",
				table, strings.Join(e[0], ", "), e[1][0], strings.Join(e[2], ", "), e[3][0]))
		}
	}
	slices.Sort(facts)
	return facts
}

func indexFact(table, name string, explicit, unique, partial bool, keys []string) string {
	var f string
	switch {
	case explicit && unique:
		f = fmt.Sprintf("unique index %s %s (%s)", table, name, strings.Join(keys, ", "))
	case explicit:
		f = fmt.Sprintf("index %s %s (%s)", table, name, strings.Join(keys, ", "))
	default:
		f = fmt.Sprintf("unique %s (%s)", table, strings.Join(keys, ", "))
	}
	if partial {
		f += " partial"
	}
	return f
}

func postgresSchema(t *testing.T, db *sql.DB) []string {
	var facts []string
	// The generated tsvector column is PostgreSQL's full-text search,
	// which SQLite does with an FTS5 table; it and its index are left out.
	skipped := map[string]bool{}
	for _, r := range queryStrings(t, db, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`) {
		facts = append(facts, "table "+r[0].String)
	}
	pkCols := map[string]bool{}
	for _, r := range queryStrings(t, db, `SELECT t.relname, a.attname FROM pg_index ix
		JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
		JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY (ix.indkey)
		WHERE ix.indisprimary AND n.nspname = current_schema()`) {
		pkCols[r[0].String+"."+r[1].String] = true
	}
	for _, c := range queryStrings(t, db, `SELECT table_name, column_name, data_type, is_nullable, column_default
		FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, column_name`) {
		table, name := c[0].String, c[1].String
		if c[2].String == "tsvector" {
			skipped[table+"."+name] = true
			continue
		}
		facts = append(facts, column(table, name, c[2].String, c[3].String == "NO" || pkCols[table+"."+name], c[4]))
	}
	for _, ix := range queryStrings(t, db, `SELECT t.relname, i.relname, ix.indisprimary, ix.indisunique,
			ix.indpred IS NOT NULL,
			NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid),
			(SELECT string_agg(COALESCE(a.attname, '(expression)') ||
					CASE WHEN ix.indoption[k.ord - 1] & 1 = 1 THEN ' DESC' ELSE '' END, ',' ORDER BY k.ord)
				FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
				LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum)
		FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE n.nspname = current_schema() ORDER BY t.relname, i.relname`) {
		table, name := ix[0].String, ix[1].String
		keys := strings.Split(ix[6].String, ",")
		if slices.ContainsFunc(keys, func(k string) bool { return skipped[table+"."+strings.TrimSuffix(k, " DESC")] }) {
			continue
		}
		if ix[2].String == "true" {
			facts = append(facts, fmt.Sprintf("primary key %s (%s)", table, strings.Join(keys, ", ")))
			continue
		}
		facts = append(facts, indexFact(table, name, ix[5].String == "true", ix[3].String == "true", ix[4].String == "true", keys))
	}
	onDelete := map[string]string{"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
	for _, fk := range queryStrings(t, db, `SELECT cl.relname,
			(SELECT string_agg(a.attname, ', ' ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY k(n, ord)
				JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n),
			f.relname,
			(SELECT string_agg(a.attname, ', ' ORDER BY k.ord) FROM unnest(c.confkey) WITH ORDINALITY k(n, ord)
				JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n),
			c.confdeltype
		FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_class f ON f.oid = c.confrelid
		JOIN pg_namespace n ON n.oid = c.connamespace
		WHERE c.contype = 'f' AND n.nspname = current_schema()`) {
		facts = append(facts, fmt.Sprintf("foreign key %s (%s) -> %s (%s) on delete %s",
			fk[0].String, fk[1].String, fk[2].String, fk[3].String, onDelete[fk[4].String]))
	}
	slices.Sort(facts)
	// story_search is full-text search's own table; see above.
	return slices.DeleteFunc(facts, func(f string) bool { return strings.Contains(f, "story_search") })
}
