package store

import (
	"context"
	"fmt"
	"strings"

	"dateline/internal/story"
)

// Search finds published stories matching every term, best matches first:
// headline matches rank above dek matches above first-paragraph matches.
// Only the headline, dek and first paragraph are searched or quoted, so a
// subscribers-only story's body never leaks through search.
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
	var from, match, snippet, order string
	var matchArgs []any
	if s.dialect == Postgres {
		from = `FROM stories st JOIN sections sec ON sec.id = st.section_id, plainto_tsquery('english', ?) query`
		matchArgs = []any{strings.Join(q.Terms, " ")}
		match = "st.search @@ query"
		snippet = `ts_headline('english', st.dek || ' … ' || st.search_lead, query,
			'StartSel=` + story.HighlightStart + `, StopSel=` + story.HighlightEnd + `, MaxWords=35, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "')`
		order = "ts_rank_cd(st.search, query) DESC, st.published_at DESC, st.id DESC"
	} else {
		quoted := make([]string, len(q.Terms))
		for i, t := range q.Terms {
			quoted[i] = `"` + t + `"`
		}
		// CROSS JOIN keeps the search index the outer loop: SQLite would
		// otherwise walk every published story and run the match for each.
		from = `FROM stories_fts CROSS JOIN stories st ON st.id = stories_fts.rowid JOIN sections sec ON sec.id = st.section_id`
		match = "stories_fts MATCH ?"
		matchArgs = []any{strings.Join(quoted, " ")}
		snippet = `snippet(stories_fts, -1, '` + story.HighlightStart + `', '` + story.HighlightEnd + `', ' … ', 24)`
		order = "bm25(stories_fts, 10.0, 4.0, 1.0), st.published_at DESC, st.id DESC"
	}
	cond := " WHERE " + match + " AND " + strings.Join(where, " AND ")
	all := append(append([]any{}, matchArgs...), args...)

	var total int
	query := `SELECT ` + storyColumns + `, ` + snippet + ` ` + from + cond + ` ORDER BY ` + order + ` LIMIT ? OFFSET ?`
	queryArgs := append(all, q.Limit, q.Offset)
	if s.dialect == Postgres {
		if err := s.read.QueryRowContext(ctx, s.q(`SELECT COUNT(*) `+from+cond), all...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("store: search: %w", err)
		}
	} else {
		// SQLite makes every result column before it sorts, and a snippet
		// is dear: one pass ranks and counts the matches, then only the
		// page shown is quoted.
		ids, n, err := s.rankMatches(ctx, cond, all, q)
		if err != nil {
			return nil, 0, err
		}
		if len(ids) == 0 {
			return nil, n, nil
		}
		total = n
		query = `SELECT ` + storyColumns + `, ` + snippet + ` ` + from + ` WHERE ` + match +
			` AND st.id IN (` + strings.Repeat("?, ", len(ids)-1) + `?) ORDER BY ` + order
		queryArgs = append(append([]any{}, matchArgs...), ids...)
	}
	rows, err := s.read.QueryContext(ctx, s.q(query), queryArgs...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: search: %w", err)
	}
	defer rows.Close()
	var hits []story.SearchHit
	for rows.Next() {
		var h story.SearchHit
		if err := scanStory(rows, &h.Story, &h.Snippet); err != nil {
			return nil, 0, fmt.Errorf("store: search: %w", err)
		}
		hits = append(hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: search: %w", err)
	}
	_ = rows.Close() // free the connection for the next query; rows.Err was checked
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

// rankMatches returns the ids of the page of matches q asks for, best
// first, and how many stories match in all (SQLite only).
func (s *Store) rankMatches(ctx context.Context, cond string, args []any, q story.SearchQuery) ([]any, int, error) {
	// The score is taken inside, where the search index is at hand; the
	// window outside counts every match before the page is cut. cond is
	// made of fixed clauses; every value is a parameter.
	rows, err := s.read.QueryContext(ctx, `SELECT id, COUNT(*) OVER () FROM (
		SELECT st.id, bm25(stories_fts, 10.0, 4.0, 1.0) AS score, st.published_at
		FROM stories_fts CROSS JOIN stories st ON st.id = stories_fts.rowid`+cond+`)
		ORDER BY score, published_at DESC, id DESC LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...) // #nosec G202 -- cond holds no values, only placeholders
	if err != nil {
		return nil, 0, fmt.Errorf("store: search: %w", err)
	}
	defer rows.Close()
	var ids []any
	total := 0
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id, &total); err != nil {
			return nil, 0, fmt.Errorf("store: search: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: search: %w", err)
	}
	if len(ids) == 0 && q.Offset > 0 {
		// Past the last page the window counts nothing; count apart.
		err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM stories_fts CROSS JOIN stories st ON st.id = stories_fts.rowid`+cond,
			args...).Scan(&total)
		if err != nil {
			return nil, 0, fmt.Errorf("store: search: %w", err)
		}
	}
	return ids, total, nil
}
