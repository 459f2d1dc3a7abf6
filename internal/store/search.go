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
		from = `FROM stories_fts JOIN stories st ON st.id = stories_fts.rowid JOIN sections sec ON sec.id = st.section_id`
		match = "stories_fts MATCH ?"
		matchArgs = []any{strings.Join(quoted, " ")}
		snippet = `snippet(stories_fts, -1, '` + story.HighlightStart + `', '` + story.HighlightEnd + `', ' … ', 24)`
		order = "bm25(stories_fts, 10.0, 4.0, 1.0), st.published_at DESC, st.id DESC"
	}
	cond := " WHERE " + match + " AND " + strings.Join(where, " AND ")
	all := append(append([]any{}, matchArgs...), args...)

	var total int
	if err := s.read.QueryRowContext(ctx, s.q(`SELECT COUNT(*) `+from+cond), all...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: search: %w", err)
	}
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT `+storyColumns+`, `+snippet+` `+from+cond+
		` ORDER BY `+order+` LIMIT ? OFFSET ?`), append(all, q.Limit, q.Offset)...)
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
