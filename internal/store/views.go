package store

import (
	"context"
	"fmt"
	"time"

	"dateline/internal/story"
)

// AddViews adds page-view counts for one hour.
func (s *Store) AddViews(ctx context.Context, hour time.Time, counts map[int64]int) error {
	if len(counts) == 0 {
		return nil
	}
	err := s.inTx(ctx, func(tx *txn) error {
		for id, n := range counts {
			if _, err := tx.ExecContext(ctx, `INSERT INTO story_views (story_id, hour, views) VALUES (?, ?, ?)
				ON CONFLICT (story_id, hour) DO UPDATE SET views = story_views.views + excluded.views`,
				id, utc(hour.Truncate(time.Hour)), n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: add views: %w", err)
	}
	return nil
}

// MostRead lists the stories most viewed since a time.
func (s *Store) MostRead(ctx context.Context, since time.Time, limit int) ([]story.Viewed, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+storyColumns+`, v.total
		FROM (SELECT story_id, SUM(views) AS total FROM story_views WHERE hour >= ? GROUP BY story_id) v
		JOIN stories st ON st.id = v.story_id JOIN sections sec ON sec.id = st.section_id
		ORDER BY v.total DESC, st.id DESC LIMIT ?`, utc(since.Truncate(time.Hour)), limit)
	if err != nil {
		return nil, fmt.Errorf("store: most read: %w", err)
	}
	defer rows.Close()
	var out []story.Viewed
	for rows.Next() {
		var v story.Viewed
		if err := scanStory(rows, &v.Story, &v.Views); err != nil {
			return nil, fmt.Errorf("store: most read: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
