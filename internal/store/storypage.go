package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"dateline/internal/story"
)

// StoryPage lists one page of stories for the newsroom's tools, newest
// first, with their bodies, bylines and tags, in three queries whatever
// the page's length.
func (s *Store) StoryPage(ctx context.Context, f story.PageFilter) ([]story.Story, error) {
	where := []string{"1 = 1"}
	var args []any
	if f.Status != "" {
		where = append(where, "st.status = ?")
		args = append(args, string(f.Status))
	}
	if f.CreatedBy != 0 {
		where = append(where, "st.created_by = ?")
		args = append(args, f.CreatedBy)
	}
	if f.BeforeID != 0 {
		where = append(where, "st.id < ?")
		args = append(args, f.BeforeID)
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+storyColumns+`, st.body, st.body_html
		FROM stories st JOIN sections sec ON sec.id = st.section_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY st.id DESC LIMIT ?`, append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("store: story page: %w", err)
	}
	defer rows.Close()
	var list []story.Story
	for rows.Next() {
		var st story.Story
		if err := scanStory(rows, &st, &st.Body, &st.BodyHTML); err != nil {
			return nil, fmt.Errorf("store: story page: %w", err)
		}
		list = append(list, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: story page: %w", err)
	}
	_ = rows.Close() // free the connection for the next query; rows.Err was checked
	if err := s.loadBylines(ctx, list); err != nil {
		return nil, err
	}
	if err := s.loadTags(ctx, list); err != nil {
		return nil, err
	}
	return list, nil
}

// loadTags fills the tags of every story in list with one query.
func (s *Store) loadTags(ctx context.Context, list []story.Story) error {
	if len(list) == 0 {
		return nil
	}
	index := make(map[int64]int, len(list))
	args := make([]any, len(list))
	for i, st := range list {
		index[st.ID] = i
		args[i] = st.ID
	}
	rows, err := s.read.QueryContext(ctx, `SELECT x.story_id, t.id, t.slug, t.name FROM story_tags x
		JOIN tags t ON t.id = x.tag_id
		WHERE x.story_id IN (?`+strings.Repeat(", ?", len(list)-1)+`)
		ORDER BY x.story_id, x.position, t.name`, args...)
	if err != nil {
		return fmt.Errorf("store: tags: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var t story.Tag
		if err := rows.Scan(&id, &t.ID, &t.Slug, &t.Name); err != nil {
			return fmt.Errorf("store: tags: %w", err)
		}
		st := &list[index[id]]
		st.Tags = append(st.Tags, t)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: tags: %w", err)
	}
	return nil
}

// StoryByWireURI loads the story made from an agency's item, as
// StoryByID does; story.ErrNotFound when no story came from it.
func (s *Store) StoryByWireURI(ctx context.Context, uri string) (*story.Story, error) {
	var id int64
	err := s.read.QueryRowContext(ctx, `SELECT id FROM stories WHERE wire_uri = ?`, uri).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: wire item %q: %w", uri, story.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: wire item %q: %w", uri, err)
	}
	return s.StoryByID(ctx, id)
}

// nullString stores an empty string as NULL, for optional columns with a
// unique index.
func nullString(v string) any {
	if v == "" {
		return nil
	}
	return v
}
