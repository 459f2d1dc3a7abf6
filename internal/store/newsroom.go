package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"dateline/internal/newsroom"
	"dateline/internal/story"
)

var _ newsroom.Store = (*Store)(nil)

// NewsroomStories lists stories for staff, most recently changed first.
func (s *Store) NewsroomStories(ctx context.Context, f story.NewsroomFilter) ([]story.Story, error) {
	where := []string{"1 = 1"}
	var args []any
	if f.Status != "" {
		where = append(where, "st.status = ?")
		args = append(args, string(f.Status))
	}
	if f.SectionID != 0 {
		where = append(where, "st.section_id = ?")
		args = append(args, f.SectionID)
	}
	if f.CreatedBy != 0 {
		where = append(where, "st.created_by = ?")
		args = append(args, f.CreatedBy)
	}
	if f.AuthorID != 0 {
		where = append(where, "EXISTS (SELECT 1 FROM story_bylines b WHERE b.story_id = st.id AND b.author_id = ?)")
		args = append(args, f.AuthorID)
	}
	if f.Query != "" {
		where = append(where, "LOWER(st.headline) LIKE ?")
		args = append(args, "%"+strings.NewReplacer("%", "", "_", "").Replace(strings.ToLower(f.Query))+"%")
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	if f.Offset < 0 {
		f.Offset = 0
	}
	// Every save of a story keeps a revision, and revision ids grow with
	// each save: the story whose latest revision is newest changed last.
	rows, err := s.read.QueryContext(ctx, `SELECT `+storyColumns+`, lr.created_at FROM stories st
		JOIN sections sec ON sec.id = st.section_id
		LEFT JOIN story_revisions lr ON lr.id = (SELECT MAX(r.id) FROM story_revisions r WHERE r.story_id = st.id)
		WHERE `+strings.Join(where, " AND ")+` ORDER BY COALESCE(lr.id, 0) DESC, st.id DESC LIMIT ? OFFSET ?`,
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, fmt.Errorf("store: newsroom stories: %w", err)
	}
	defer rows.Close()
	var list []story.Story
	for rows.Next() {
		var st story.Story
		var changed sql.NullTime
		if err := scanStory(rows, &st, &changed); err != nil {
			return nil, fmt.Errorf("store: newsroom stories: %w", err)
		}
		st.ChangedAt = timeOf(changed)
		if st.ChangedAt.IsZero() {
			st.ChangedAt = st.CreatedAt
		}
		list = append(list, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: newsroom stories: %w", err)
	}
	_ = rows.Close() // free the connection for the next query; rows.Err was checked
	return list, s.loadBylines(ctx, list)
}

// UpdateStory saves a changed story if nobody saved it since version
// expected was loaded (story.ErrConflict otherwise). It keeps a revision,
// and when the slug of a story that readers have seen changes, the old
// address keeps working as a redirect.
func (s *Store) UpdateStory(ctx context.Context, st *story.Story, expected int, actorID int64) error {
	err := s.inTx(ctx, func(tx *txn) error {
		var version int
		var oldSlug, oldStatus string
		err := tx.QueryRowContext(ctx, `SELECT version, slug, status FROM stories WHERE id = ?`, st.ID).Scan(&version, &oldSlug, &oldStatus)
		if errors.Is(err, sql.ErrNoRows) {
			return story.ErrNotFound
		}
		if err != nil {
			return err
		}
		if version != expected {
			return story.ErrConflict
		}
		if st.Section.ID == 0 {
			err := tx.QueryRowContext(ctx, `SELECT id, name FROM sections WHERE slug = ?`, st.Section.Slug).Scan(&st.Section.ID, &st.Section.Name)
			if errors.Is(err, sql.ErrNoRows) {
				return &story.ValidationError{Field: "section", Message: fmt.Sprintf("There is no section %q.", st.Section.Slug)}
			}
			if err != nil {
				return err
			}
		}
		st.Version = version + 1
		_, err = tx.ExecContext(ctx, `UPDATE stories SET slug = ?, headline = ?, dek = ?, dateline = ?, section_id = ?,
			body = ?, body_html = ?, access = ?, status = ?, published_at = ?, updated_at = ?, version = ?,
			comments_mode = ?, search_lead = ?, search_rest = ?, submitted_at = ?, seo_title = ?, seo_description = ?,
			credit = ?, wire_uri = ?, wire_version = ? WHERE id = ?`,
			st.Slug, st.Headline, st.Dek, st.Dateline, st.Section.ID, st.Body, st.BodyHTML, string(st.Access), string(st.Status),
			nullTime(st.PublishedAt), nullTime(st.UpdatedAt), st.Version, st.Comments, st.Lead, st.Rest, nullTime(st.SubmittedAt),
			st.SEOTitle, st.SEODescription, st.Credit, nullString(st.Wire.URI), nullTime(st.Wire.Version), st.ID)
		if isUniqueViolation(err) {
			return story.ErrSlugTaken
		}
		if err != nil {
			return err
		}
		if oldSlug != st.Slug && oldStatus == string(story.Published) {
			if _, err := tx.ExecContext(ctx, `INSERT INTO slug_redirects (old_slug, story_id) VALUES (?, ?)
				ON CONFLICT (old_slug) DO UPDATE SET story_id = excluded.story_id`, oldSlug, st.ID); err != nil {
				return err
			}
		}
		// A story's own current slug never redirects.
		if _, err := tx.ExecContext(ctx, `DELETE FROM slug_redirects WHERE old_slug = ?`, st.Slug); err != nil {
			return err
		}
		if err := s.writeBylinesAndTags(ctx, tx, st); err != nil {
			return err
		}
		return s.insertRevision(ctx, tx, st, actorID)
	})
	if err != nil {
		return fmt.Errorf("store: update story %d: %w", st.ID, err)
	}
	return nil
}

// AddCorrection appends a correction note to a story.
func (s *Store) AddCorrection(ctx context.Context, storyID int64, body string, at time.Time) error {
	if _, err := s.write.ExecContext(ctx, `INSERT INTO corrections (story_id, body, created_at) VALUES (?, ?, ?)`,
		storyID, body, utc(at)); err != nil {
		return fmt.Errorf("store: add correction: %w", err)
	}
	return nil
}

// PublishDue publishes every scheduled story whose time has come and
// returns their ids. One statement does it, so with several instances
// each story is published exactly once.
func (s *Store) PublishDue(ctx context.Context, now time.Time) ([]int64, error) {
	rows, err := s.write.QueryContext(ctx, `UPDATE stories SET status = 'published'
		WHERE status = 'scheduled' AND published_at <= ? RETURNING id`, utc(now))
	if err != nil {
		return nil, fmt.Errorf("store: publish due: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: publish due: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// RedirectSlug finds the story an old slug now belongs to.
func (s *Store) RedirectSlug(ctx context.Context, oldSlug string) (*story.Story, error) {
	var id int64
	err := s.read.QueryRowContext(ctx, `SELECT story_id FROM slug_redirects WHERE old_slug = ?`, oldSlug).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: slug %q: %w", oldSlug, story.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: slug %q: %w", oldSlug, err)
	}
	return s.StoryByID(ctx, id)
}

// Revisions lists a story's saved versions, newest first.
func (s *Store) Revisions(ctx context.Context, storyID int64) ([]story.Revision, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT r.id, r.story_id, COALESCE(r.user_id, 0), COALESCE(u.display_name, ''),
		r.version, r.headline, r.dek, r.body, r.created_at
		FROM story_revisions r LEFT JOIN users u ON u.id = r.user_id WHERE r.story_id = ? ORDER BY r.version DESC, r.id DESC`, storyID)
	if err != nil {
		return nil, fmt.Errorf("store: revisions: %w", err)
	}
	defer rows.Close()
	var out []story.Revision
	for rows.Next() {
		var r story.Revision
		if err := rows.Scan(&r.ID, &r.StoryID, &r.UserID, &r.UserName, &r.Version, &r.Headline, &r.Dek, &r.Body, &r.CreatedAt); err != nil {
			return nil, fmt.Errorf("store: revisions: %w", err)
		}
		r.CreatedAt = r.CreatedAt.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}
