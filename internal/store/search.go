package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"dateline/internal/story"
)

// Search finds published stories matching every term, anywhere in their
// text, among the newest story.SearchCandidates that do, best match first
// and the newer first between equals (or newest first, when q.Newest):
// headline matches rank above dek matches above first-paragraph matches
// above matches in the rest of the body. The total counts matches up to
// story.SearchCandidates+1; pages past the ranked ones are empty. Snippets
// quote only the dek and the first paragraph, which every reader may see,
// so a subscribers-only story's paywalled text never leaks through search:
// it decides only whether and how high a story ranks.
func (s *Store) Search(ctx context.Context, q story.SearchQuery) ([]story.SearchHit, int, error) {
	if len(q.Terms) == 0 {
		return nil, 0, nil
	}
	where := []string{"st.status = 'published'", "st.published_at <= ?"}
	args := []any{utc(s.Now())}
	if q.SectionID != 0 {
		where = append(where, "st.section_id = ?")
		args = append(args, q.SectionID)
	}
	if !q.From.IsZero() {
		where = append(where, "st.published_at >= ?")
		args = append(args, utc(q.From))
	}
	if !q.To.IsZero() {
		where = append(where, "st.published_at < ?")
		args = append(args, utc(q.To))
	}
	var hits []story.SearchHit
	var total int
	var err error
	hits, total, err = s.dialect.search(ctx, s, q, strings.Join(where, " AND "), args)
	if err != nil {
		return nil, 0, fmt.Errorf("store: search: %w", err)
	}
	list := make([]story.Story, len(hits))
	for i := range hits {
		list[i] = hits[i].Story
	}
	if err := s.loadBylines(ctx, list); err != nil {
		return nil, 0, err
	}
	for i := range hits {
		hits[i].Story = list[i]
	}
	return hits, total, nil
}

// searchPostgres takes the newest story.SearchCandidates+1 matches through the
// search index, ranks all but the last and quotes only the page shown, in
// one query. The matches are found in the whole text, through
// story_search, whose narrow rows give their status and date; the rank
// reads the small search_head (headline, dek and first paragraph) of the
// candidates only, in stories: a word found only in the rest of the body
// adds nothing, and the newer story comes first. The rank weighs where
// each word is as SQLite does (weightedScore). The
// quote reads the dek and first paragraph only. where is made of fixed
// clauses; every value is in args.
func (s *Store) searchPostgres(ctx context.Context, q story.SearchQuery, where string, args []any) ([]story.SearchHit, int, error) {
	score, scoreArgs := weightedScore(q.Terms)
	order := "c.score DESC, c.published_at DESC, c.id DESC"
	outer := "p.score DESC, p.published_at DESC, p.id DESC"
	if q.Newest {
		// No rank: the newest first needs only the dates.
		score, scoreArgs, order, outer = "0", nil, "c.published_at DESC, c.id DESC", "p.published_at DESC, p.id DESC"
	}
	head := "JOIN stories h ON h.id = m.id" // the rank reads search_head
	if q.Newest {
		head = ""
	}
	matches := `FROM story_search st, plainto_tsquery('english', ?) query WHERE st.search @@ query AND ` + where
	matchArgs := append([]any{strings.Join(q.Terms, " ")}, args...)
	// The matches are found through the search index only, never by
	// walking the stories newest first and testing each: the planner
	// counts that test as cheap, but each reads a whole text's tsvector
	// from outside its row, so for a word in a few percent of the stories
	// the walk read 60 times the pages. Scans of a whole table or in an
	// index's order are turned off for the search's transaction. Each
	// search is planned for its own values (QueryExecModeExec): a plan
	// made for any values ANDs the index of publication times into the
	// search, which reads every story's entry.
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, 0, err
	}
	defer func() { _ = tx.Rollback() }() // read only: nothing to keep; after Commit, a no-op
	if _, err := tx.ExecContext(ctx, `SELECT set_config('enable_seqscan', 'off', true),
		set_config('enable_indexscan', 'off', true)`); err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+storyColumns+`,
		ts_headline('english', st.dek || ' … ' || st.search_lead, p.query,
			'StartSel=`+story.HighlightStart+`, StopSel=`+story.HighlightEnd+`, MaxWords=35, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "'),
		p.total
		FROM (
			SELECT c.id, c.published_at, c.query, c.score, c.total FROM (
				SELECT m.id, m.published_at, m.query, `+score+` AS score, COUNT(*) OVER () AS total,
					ROW_NUMBER() OVER (ORDER BY m.published_at DESC, m.id DESC) AS newest
				FROM (SELECT st.id, st.published_at, query `+matches+`
					ORDER BY st.published_at DESC, st.id DESC LIMIT ?) m `+head+`
			) c
			WHERE c.newest <= ?
			ORDER BY `+order+` LIMIT ? OFFSET ?
		) p
		JOIN stories st ON st.id = p.id JOIN sections sec ON sec.id = st.section_id
		ORDER BY `+outer, // #nosec G202 -- where and the orders hold no values, only placeholders and fixed columns
		append(append([]any{pgx.QueryExecModeExec}, scoreArgs...), append(matchArgs, story.SearchCandidates+1, story.SearchCandidates, q.Limit, q.Offset)...)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var hits []story.SearchHit
	total := 0
	for rows.Next() {
		var h story.SearchHit
		if err := scanStory(rows, &h.Story, &h.Snippet, &total); err != nil {
			return nil, 0, err
		}
		hits = append(hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	_ = rows.Close() // free the connection for the next query; rows.Err was checked
	if len(hits) == 0 && q.Offset > 0 {
		// Past the last page the window counts nothing; count apart.
		err = tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 `+matches+` LIMIT ?) m`, // #nosec G202 -- where holds no values, only placeholders
			append([]any{pgx.QueryExecModeExec}, append(matchArgs, story.SearchCandidates+1)...)...).Scan(&total)
		if err != nil {
			return nil, 0, err
		}
	}
	return hits, total, tx.Commit()
}

// Weights of a query word found in the headline, the dek and the first
// paragraph, when ranking; found only in the rest of the body, it adds
// nothing, and the newer story comes first.
const (
	headlineWeight = 10
	dekWeight      = 4
	leadWeight     = 2
)

// weightedScore is the rank of a match on PostgreSQL, as an expression
// over h.search_head and its arguments: for each query word, the weight
// of each of the headline, the dek and the first paragraph that holds
// it, as SQLite ranks. search_head labels its words by where they are
// (A, B and C); a query word with a label matches only there, which
// takes a lookup in the vector, with no positions read.
func weightedScore(terms []string) (string, []any) {
	var parts []string
	var args []any
	for _, t := range terms {
		for _, c := range []struct {
			label  string
			weight int
		}{{"A", headlineWeight}, {"B", dekWeight}, {"C", leadWeight}} {
			parts = append(parts, fmt.Sprintf("(CASE WHEN h.search_head @@ to_tsquery('english', ?) THEN %d ELSE 0 END)", c.weight))
			// Quoted, a word is one lexeme whatever its letters; search
			// terms hold no quotes (story.SearchTerms keeps letters and
			// digits only).
			args = append(args, "'"+t+"':"+c.label)
		}
	}
	return strings.Join(parts, " + "), args
}

// searchSQLite walks the search index newest id first for the candidates
// (the index holds the whole text), scores each by the query words in its
// headline, dek and first paragraph, or orders them by publication time,
// and reads and quotes only the page shown, from the dek and first
// paragraph. Every step reads the index within the candidates' ids only:
// FTS5's bm25 would count each word's matches across the whole archive
// first. where is made of fixed clauses; every value is in args.
func (s *Store) searchSQLite(ctx context.Context, q story.SearchQuery, where string, args []any) ([]story.SearchHit, int, error) {
	quoted := make([]string, len(q.Terms))
	for i, t := range q.Terms {
		quoted[i] = `"` + t + `"`
	}
	all := strings.Join(quoted, " ")

	// The candidates: the newest matches, walking the search index down
	// from the highest id until story.SearchCandidates+1 pass the filters.
	candidates, err := s.sqliteCandidates(ctx, q, all, where, args)
	if err != nil {
		return nil, 0, err
	}
	rows, err := s.read.QueryContext(ctx, candidates.query+` ORDER BY stories_fts.rowid DESC LIMIT ?`,
		append(candidates.args, story.SearchCandidates+1)...)
	if err != nil {
		return nil, 0, err
	}
	ids, err := scanIDs(rows)
	if err != nil {
		return nil, 0, err
	}
	total := len(ids)
	ids = ids[:min(len(ids), story.SearchCandidates)]
	if len(ids) == 0 {
		return nil, total, nil
	}
	if q.Newest {
		ids, err = s.newestFirst(ctx, ids)
	} else {
		err = s.rankSQLite(ctx, ids, quoted)
	}
	if err != nil {
		return nil, 0, err
	}
	page := ids[min(q.Offset, len(ids)):min(q.Offset+q.Limit, len(ids))]
	if len(page) == 0 {
		return nil, total, nil
	}

	// The page's stories, quoted from the dek and the first paragraph
	// (columns 1 and 2 of the index), never the rest of the body. The id
	// range keeps the search index to one short walk; the listed ids pick
	// the page from it.
	place := make(map[int64]int, len(page))
	pageArgs := []any{all, slices.Min(page), slices.Max(page)}
	for i, id := range page {
		place[id] = i
		pageArgs = append(pageArgs, id)
	}
	rows, err = s.read.QueryContext(ctx, `SELECT `+storyColumns+`,
		snippet(stories_fts, 1, '`+story.HighlightStart+`', '`+story.HighlightEnd+`', ' … ', 24),
		snippet(stories_fts, 2, '`+story.HighlightStart+`', '`+story.HighlightEnd+`', ' … ', 24)
		FROM stories_fts CROSS JOIN stories st ON st.id = stories_fts.rowid JOIN sections sec ON sec.id = st.section_id
		WHERE stories_fts MATCH ? AND stories_fts.rowid BETWEEN ? AND ?
			AND +stories_fts.rowid IN (`+strings.Repeat("?, ", len(page)-1)+`?)`, pageArgs...) // #nosec G202 -- only placeholders are added
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	hits := make([]story.SearchHit, len(page))
	for rows.Next() {
		var h story.SearchHit
		var dek, lead string
		if err := scanStory(rows, &h.Story, &dek, &lead); err != nil {
			return nil, 0, err
		}
		h.Snippet = openQuote(dek, lead)
		hits[place[h.ID]] = h
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	// A story edited away between the reads leaves a gap; close it.
	hits = slices.DeleteFunc(hits, func(h story.SearchHit) bool { return h.ID == 0 })
	return hits, total, nil
}

// openQuote picks a search snippet from those of the dek and the first
// paragraph: the one where a query word is marked, the first paragraph
// first; else the dek, or the first paragraph when there is no dek.
func openQuote(dek, lead string) string {
	switch {
	case strings.Contains(lead, story.HighlightStart):
		return lead
	case strings.Contains(dek, story.HighlightStart), dek != "":
		return dek
	}
	return lead
}

// newestFirst orders the candidates' ids by publication time, newest
// first. The dates come from stories_dates, an index of them by id: in
// the table's rows they are stored after the body.
func (s *Store) newestFirst(ctx context.Context, ids []int64) ([]int64, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id FROM stories INDEXED BY stories_dates
		WHERE id IN (SELECT value FROM json_each(?))
		ORDER BY published_at DESC, id DESC`, idList(ids))
	if err != nil {
		return nil, err
	}
	return scanIDs(rows)
}

// rankSQLite sorts the candidates' ids, newest id first, best match first:
// each query word found in the headline, the dek or the first paragraph
// adds its weight. One pass per word and column of stories_rank, the small
// index of those three columns, over the candidates' ids; stories there
// that are not candidates (which lack another word) are passed over
// inside SQLite, which adds up the weights and returns one row for each
// candidate that scores.
func (s *Store) rankSQLite(ctx context.Context, ids []int64, quoted []string) error {
	lo, hi := ids[len(ids)-1], ids[0]
	var arms []string
	var args []any
	for _, t := range quoted {
		for _, c := range []struct {
			name   string
			weight int
		}{{"headline", headlineWeight}, {"dek", dekWeight}, {"search_lead", leadWeight}} {
			arms = append(arms, fmt.Sprintf(`SELECT %d AS weight, rowid FROM stories_rank WHERE stories_rank MATCH ? AND rowid BETWEEN ? AND ?`, c.weight))
			args = append(args, "{"+c.name+"}: "+t, lo, hi)
		}
	}
	// The + keeps SQLite from asking the index for each candidate on its
	// own: the passes read each word's entries once, in order.
	rows, err := s.read.QueryContext(ctx, `SELECT rowid, SUM(weight) FROM (`+strings.Join(arms, " UNION ALL ")+`)
		WHERE +rowid IN (SELECT value FROM json_each(?)) GROUP BY rowid`, append(args, idList(ids))...) // #nosec G202 -- the arms hold only placeholders and fixed weights
	if err != nil {
		return err
	}
	defer rows.Close()
	score := make(map[int64]int, len(ids))
	for rows.Next() {
		var id int64
		var weight int
		if err := rows.Scan(&id, &weight); err != nil {
			return err
		}
		score[id] = weight
	}
	if err := rows.Err(); err != nil {
		return err
	}
	// ids run newest first; a stable sort keeps the newer first between
	// equal scores.
	slices.SortStableFunc(ids, func(a, b int64) int { return cmp.Compare(score[b], score[a]) })
	return nil
}

// idList writes ids as a JSON array, for SQLite's json_each: one argument
// however many ids there are.
func idList(ids []int64) string {
	b := make([]byte, 0, 8*len(ids)+2)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// maxSetAside is the most unpublished stories a search on SQLite sets
// aside in memory before it reads each candidate's row instead.
const maxSetAside = 2000

// unpublished lists the stories not published at ?. Each clause is a
// range of one index; kept flat, SQLite reads only those ranges.
const unpublished = `SELECT id FROM stories WHERE status < 'published' OR status > 'published'
	OR (status = 'published' AND published_at IS NULL) OR (status = 'published' AND published_at > ?)`

// sqliteQuery is SQL with its arguments.
type sqliteQuery struct {
	query string
	args  []any
}

// sqliteCandidates picks how a search on SQLite tells published matches
// from the rest, as the start of a query for their ids:
//   - with a section or date filter, the stories it keeps are listed
//     through their index;
//   - otherwise, while few stories are unpublished, those are set aside
//     and no story row is read;
//   - else each match's row is read, which costs the same however many
//     stories are drafts.
//
// The + keeps the search index from looking up each listed id on its own.
func (s *Store) sqliteCandidates(ctx context.Context, q story.SearchQuery, match, where string, args []any) (sqliteQuery, error) {
	if q.SectionID != 0 || !q.From.IsZero() || !q.To.IsZero() {
		return sqliteQuery{`SELECT stories_fts.rowid FROM stories_fts WHERE stories_fts MATCH ?
			AND +stories_fts.rowid IN (SELECT st.id FROM stories st WHERE ` + where + `)`, // #nosec G202 -- where holds no values, only placeholders
			append([]any{match}, args...)}, nil
	}
	now := args[0]
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM (`+unpublished+` LIMIT ?)`, now, maxSetAside+1).Scan(&n); err != nil {
		return sqliteQuery{}, err
	}
	if n <= maxSetAside {
		return sqliteQuery{`SELECT stories_fts.rowid FROM stories_fts WHERE stories_fts MATCH ?
			AND +stories_fts.rowid NOT IN (` + unpublished + `)`, []any{match, now}}, nil
	}
	return sqliteQuery{`SELECT stories_fts.rowid FROM stories_fts CROSS JOIN stories st ON st.id = stories_fts.rowid
		WHERE stories_fts MATCH ? AND ` + where, // #nosec G202 -- where holds no values, only placeholders
		append([]any{match}, args...)}, nil
}

// scanIDs reads a column of ids and closes rows.
func scanIDs(rows *sql.Rows) ([]int64, error) {
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
