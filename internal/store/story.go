package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"dateline/internal/story"
)

// The store implements what the reading site needs of it.
var _ story.Store = (*Store)(nil)

// story.ErrSlugTaken is returned when a story, section, tag or author would get a
// slug that is already in use.

// CreateSection adds a section and sets its ID.
func (s *Store) CreateSection(ctx context.Context, sec *story.Section) error {
	defer s.sectionsSnap.drop()
	err := s.write.QueryRowContext(ctx, `INSERT INTO sections (slug, name, description, position)
		VALUES (?, ?, ?, ?) RETURNING id`, sec.Slug, sec.Name, sec.Description, sec.Position).Scan(&sec.ID)
	if isUniqueViolation(err) {
		return fmt.Errorf("store: create section %q: %w", sec.Slug, story.ErrSlugTaken)
	}
	if err != nil {
		return fmt.Errorf("store: create section: %w", err)
	}
	return nil
}

// Sections lists every section in navigation order.
func (s *Store) Sections(ctx context.Context) ([]story.Section, error) {
	list, err := s.sectionsSnap.get(func() ([]story.Section, error) { return s.sections(ctx) })
	// Callers may change what they get; the kept list stays as read.
	return slices.Clone(list), err
}

func (s *Store) sections(ctx context.Context) ([]story.Section, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, slug, name, description, position
		FROM sections ORDER BY position, name`)
	if err != nil {
		return nil, fmt.Errorf("store: sections: %w", err)
	}
	defer rows.Close()
	var out []story.Section
	for rows.Next() {
		var sec story.Section
		if err := rows.Scan(&sec.ID, &sec.Slug, &sec.Name, &sec.Description, &sec.Position); err != nil {
			return nil, fmt.Errorf("store: sections: %w", err)
		}
		out = append(out, sec)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: sections: %w", err)
	}
	return out, nil
}

// SectionBySlug finds a section; story.ErrNotFound when there is none.
func (s *Store) SectionBySlug(ctx context.Context, slug string) (*story.Section, error) {
	var sec story.Section
	err := s.read.QueryRowContext(ctx, `SELECT id, slug, name, description, position
		FROM sections WHERE slug = ?`, slug).Scan(&sec.ID, &sec.Slug, &sec.Name, &sec.Description, &sec.Position)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: section %q: %w", slug, story.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: section %q: %w", slug, err)
	}
	return &sec, nil
}

// CreateAuthor adds a staff author and sets its ID.
func (s *Store) CreateAuthor(ctx context.Context, a *story.Author) error {
	err := s.write.QueryRowContext(ctx, `INSERT INTO authors (slug, name, bio) VALUES (?, ?, ?) RETURNING id`,
		a.Slug, a.Name, a.Bio).Scan(&a.ID)
	if isUniqueViolation(err) {
		return fmt.Errorf("store: create author %q: %w", a.Slug, story.ErrSlugTaken)
	}
	if err != nil {
		return fmt.Errorf("store: create author: %w", err)
	}
	return nil
}

// AuthorBySlug finds an author; story.ErrNotFound when there is none.
func (s *Store) AuthorBySlug(ctx context.Context, slug string) (*story.Author, error) {
	var a story.Author
	err := s.read.QueryRowContext(ctx, `SELECT id, slug, name, bio, COALESCE(photo_id, 0) FROM authors WHERE slug = ?`, slug).
		Scan(&a.ID, &a.Slug, &a.Name, &a.Bio, &a.PhotoID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: author %q: %w", slug, story.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: author %q: %w", slug, err)
	}
	return &a, nil
}

// TagBySlug finds a tag; story.ErrNotFound when there is none.
func (s *Store) TagBySlug(ctx context.Context, slug string) (*story.Tag, error) {
	var t story.Tag
	err := s.read.QueryRowContext(ctx, `SELECT id, slug, name FROM tags WHERE slug = ?`, slug).
		Scan(&t.ID, &t.Slug, &t.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: tag %q: %w", slug, story.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: tag %q: %w", slug, err)
	}
	return &t, nil
}

// IsEmpty reports whether the database holds no sections and no stories:
// only then may demo content be added.
func (s *Store) IsEmpty(ctx context.Context) (bool, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM sections) + (SELECT COUNT(*) FROM stories)`).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: is empty: %w", err)
	}
	return n == 0, nil
}

// CreateStory saves a new story with its bylines, tags and corrections, and
// sets its ID. The story must have been through Prepare. Its section is found
// by ID or slug, staff bylines by author slug; tags are created as needed.
func (s *Store) CreateStory(ctx context.Context, st *story.Story) error {
	if st.CreatedAt.IsZero() {
		st.CreatedAt = s.Now()
	}
	if st.Version == 0 {
		st.Version = 1
	}
	if st.Comments == "" {
		st.Comments = "subscribers"
	}
	err := s.inTx(ctx, func(tx *txn) error {
		if st.Section.ID == 0 {
			err := tx.QueryRowContext(ctx, `SELECT id, name FROM sections WHERE slug = ?`, st.Section.Slug).
				Scan(&st.Section.ID, &st.Section.Name)
			if errors.Is(err, sql.ErrNoRows) {
				return &story.ValidationError{Field: "section", Message: fmt.Sprintf("There is no section %q.", st.Section.Slug)}
			}
			if err != nil {
				return err
			}
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO stories
			(slug, headline, dek, dateline, section_id, body, body_html, access, status,
			 published_at, updated_at, created_at, version, comments_mode, search_lead, search_rest, created_by, submitted_at,
			 seo_title, seo_description, credit, wire_uri, wire_version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			st.Slug, st.Headline, st.Dek, st.Dateline, st.Section.ID, st.Body, st.BodyHTML,
			string(st.Access), string(st.Status), nullTime(st.PublishedAt), nullTime(st.UpdatedAt),
			utc(st.CreatedAt), st.Version, st.Comments, st.Lead, st.Rest, nullID(st.CreatedBy), nullTime(st.SubmittedAt),
			st.SEOTitle, st.SEODescription, st.Credit, nullString(st.Wire.URI), nullTime(st.Wire.Version)).Scan(&st.ID)
		if isUniqueViolation(err) {
			return story.ErrSlugTaken
		}
		if err != nil {
			return err
		}
		if err := s.writeBylinesAndTags(ctx, tx, st); err != nil {
			return err
		}
		for i := range st.Corrections {
			c := &st.Corrections[i]
			if c.CreatedAt.IsZero() {
				c.CreatedAt = s.Now()
			}
			if err := tx.QueryRowContext(ctx, `INSERT INTO corrections (story_id, body, created_at)
				VALUES (?, ?, ?) RETURNING id`, st.ID, c.Body, utc(c.CreatedAt)).Scan(&c.ID); err != nil {
				return err
			}
		}
		return s.insertRevision(ctx, tx, st, st.CreatedBy)
	})
	if err != nil {
		return fmt.Errorf("store: create story %q: %w", st.Slug, err)
	}
	return nil
}

// writeBylinesAndTags replaces a story's bylines and tags with st's.
func (s *Store) writeBylinesAndTags(ctx context.Context, tx *txn, st *story.Story) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM story_bylines WHERE story_id = ?`, st.ID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM story_tags WHERE story_id = ?`, st.ID); err != nil {
		return err
	}
	for i := range st.Bylines {
		b := &st.Bylines[i]
		var authorID sql.NullInt64
		if b.AuthorSlug != "" {
			var name string
			err := tx.QueryRowContext(ctx, `SELECT id, name FROM authors WHERE slug = ?`, b.AuthorSlug).
				Scan(&authorID, &name)
			if errors.Is(err, sql.ErrNoRows) {
				return &story.ValidationError{Field: "bylines", Message: fmt.Sprintf("There is no author %q.", b.AuthorSlug)}
			}
			if err != nil {
				return err
			}
			if b.Name == "" {
				b.Name = name
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO story_bylines (story_id, position, author_id, name)
			VALUES (?, ?, ?, ?)`, st.ID, i, authorID, b.Name); err != nil {
			return err
		}
	}
	for i := range st.Tags {
		t := &st.Tags[i]
		t.Name = strings.TrimSpace(t.Name)
		if t.Slug == "" {
			t.Slug = story.Slugify(t.Name)
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO tags (slug, name) VALUES (?, ?)
			ON CONFLICT (slug) DO UPDATE SET name = tags.name RETURNING id, name`, t.Slug, t.Name).
			Scan(&t.ID, &t.Name); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO story_tags (story_id, tag_id, position) VALUES (?, ?, ?)
			ON CONFLICT DO NOTHING`, st.ID, t.ID, i); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) insertRevision(ctx context.Context, tx *txn, st *story.Story, userID int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO story_revisions (story_id, user_id, version, headline, dek, body, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, st.ID, nullID(userID), st.Version, st.Headline, st.Dek, st.Body, utc(s.Now()))
	return err
}

// storyColumns are the columns scanStory reads, in order.
const storyColumns = `st.id, st.slug, st.headline, st.dek, st.dateline, st.access, st.status,
	st.published_at, st.updated_at, st.created_at, st.version, st.comments_mode, COALESCE(st.created_by, 0), st.submitted_at,
	st.seo_title, st.seo_description, st.credit, COALESCE(st.wire_uri, ''), st.wire_version,
	sec.id, sec.slug, sec.name, sec.description, sec.position`

type scanner interface{ Scan(dest ...any) error }

func scanStory(row scanner, st *story.Story, extra ...any) error {
	var access, status string
	var published, updated, submitted, wireVersion sql.NullTime
	var created time.Time
	dest := []any{&st.ID, &st.Slug, &st.Headline, &st.Dek, &st.Dateline, &access, &status,
		&published, &updated, &created, &st.Version, &st.Comments, &st.CreatedBy, &submitted,
		&st.SEOTitle, &st.SEODescription, &st.Credit, &st.Wire.URI, &wireVersion,
		&st.Section.ID, &st.Section.Slug, &st.Section.Name, &st.Section.Description, &st.Section.Position}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return err
	}
	st.Access, st.Status = story.Access(access), story.Status(status)
	st.PublishedAt, st.UpdatedAt, st.CreatedAt = timeOf(published), timeOf(updated), created.UTC()
	st.SubmittedAt = timeOf(submitted)
	st.Wire.Version = timeOf(wireVersion)
	return nil
}

// StoryBySlug loads a story with its section, bylines, tags and corrections,
// whatever its status; callers decide who may see it. It returns
// story.ErrNotFound when there is no such story.
func (s *Store) StoryBySlug(ctx context.Context, slug string) (*story.Story, error) {
	var st story.Story
	err := scanStory(s.read.QueryRowContext(ctx, `SELECT `+storyColumns+`, st.body, st.body_html
		FROM stories st JOIN sections sec ON sec.id = st.section_id WHERE st.slug = ?`, slug),
		&st, &st.Body, &st.BodyHTML)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: story %q: %w", slug, story.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: story %q: %w", slug, err)
	}
	list := []story.Story{st}
	if err := s.loadBylines(ctx, list); err != nil {
		return nil, err
	}
	st = list[0]
	if st.Tags, err = s.storyTags(ctx, st.ID); err != nil {
		return nil, err
	}
	if st.Corrections, err = s.corrections(ctx, st.ID); err != nil {
		return nil, err
	}
	return &st, nil
}

func (s *Store) storyTags(ctx context.Context, storyID int64) ([]story.Tag, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT t.id, t.slug, t.name FROM story_tags x
		JOIN tags t ON t.id = x.tag_id WHERE x.story_id = ? ORDER BY x.position, t.name`, storyID)
	if err != nil {
		return nil, fmt.Errorf("store: story tags: %w", err)
	}
	defer rows.Close()
	var out []story.Tag
	for rows.Next() {
		var t story.Tag
		if err := rows.Scan(&t.ID, &t.Slug, &t.Name); err != nil {
			return nil, fmt.Errorf("store: story tags: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: story tags: %w", err)
	}
	return out, nil
}

func (s *Store) corrections(ctx context.Context, storyID int64) ([]story.Correction, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, body, created_at FROM corrections
		WHERE story_id = ? ORDER BY created_at, id`, storyID)
	if err != nil {
		return nil, fmt.Errorf("store: corrections: %w", err)
	}
	defer rows.Close()
	var out []story.Correction
	for rows.Next() {
		var c story.Correction
		if err := rows.Scan(&c.ID, &c.Body, &c.CreatedAt); err != nil {
			return nil, fmt.Errorf("store: corrections: %w", err)
		}
		c.CreatedAt = c.CreatedAt.UTC()
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: corrections: %w", err)
	}
	return out, nil
}

// loadBylines fills the bylines of every story in list with one query.
func (s *Store) loadBylines(ctx context.Context, list []story.Story) error {
	if len(list) == 0 {
		return nil
	}
	index := make(map[int64]int, len(list))
	args := make([]any, len(list))
	for i, st := range list {
		index[st.ID] = i
		args[i] = st.ID
	}
	rows, err := s.read.QueryContext(ctx, `SELECT b.story_id, COALESCE(a.name, b.name), COALESCE(a.slug, '')
		FROM story_bylines b LEFT JOIN authors a ON a.id = b.author_id
		WHERE b.story_id IN (?`+strings.Repeat(", ?", len(list)-1)+`)
		ORDER BY b.story_id, b.position`, args...)
	if err != nil {
		return fmt.Errorf("store: bylines: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var b story.Byline
		if err := rows.Scan(&id, &b.Name, &b.AuthorSlug); err != nil {
			return fmt.Errorf("store: bylines: %w", err)
		}
		st := &list[index[id]]
		st.Bylines = append(st.Bylines, b)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: bylines: %w", err)
	}
	return nil
}

func (s *Store) filterWhere(f story.Filter) (string, []any) {
	where := []string{"st.status = 'published'", "st.published_at <= ?"}
	args := []any{utc(s.Now())}
	if f.SectionID != 0 {
		where = append(where, "st.section_id = ?")
		args = append(args, f.SectionID)
	}
	if f.TagID != 0 {
		where = append(where, "EXISTS (SELECT 1 FROM story_tags x WHERE x.story_id = st.id AND x.tag_id = ?)")
		args = append(args, f.TagID)
	}
	if f.AuthorID != 0 {
		where = append(where, "EXISTS (SELECT 1 FROM story_bylines b WHERE b.story_id = st.id AND b.author_id = ?)")
		args = append(args, f.AuthorID)
	}
	if !f.Since.IsZero() {
		where = append(where, "st.published_at >= ?")
		args = append(args, utc(f.Since))
	}
	if !f.Before.IsZero() {
		where = append(where, "st.published_at < ?")
		args = append(args, utc(f.Before))
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

// PublishedStories lists stories readers can see, newest first, with their
// section and bylines.
func (s *Store) PublishedStories(ctx context.Context, f story.Filter) ([]story.Story, error) {
	where, args := s.filterWhere(f)
	cols := storyColumns
	if f.WithBody {
		cols += ", st.body, st.body_html"
	}
	query := `SELECT ` + cols + ` FROM stories st JOIN sections sec ON sec.id = st.section_id` + where +
		` ORDER BY st.published_at DESC, st.id DESC`
	if f.Limit > 0 {
		query += ` LIMIT ? OFFSET ?`
		args = append(args, f.Limit, f.Offset)
	}
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: published stories: %w", err)
	}
	defer rows.Close()
	var list []story.Story
	for rows.Next() {
		var st story.Story
		var extra []any
		if f.WithBody {
			extra = []any{&st.Body, &st.BodyHTML}
		}
		if err := scanStory(rows, &st, extra...); err != nil {
			return nil, fmt.Errorf("store: published stories: %w", err)
		}
		list = append(list, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: published stories: %w", err)
	}
	_ = rows.Close() // free the connection for the next query; rows.Err was checked
	if err := s.loadBylines(ctx, list); err != nil {
		return nil, err
	}
	return list, nil
}

// CountPublished counts the stories PublishedStories would list without a
// limit.
func (s *Store) CountPublished(ctx context.Context, f story.Filter) (int, error) {
	where, args := s.filterWhere(f)
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM stories st`+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count published: %w", err)
	}
	return n, nil
}

// PublishedRefs lists every published story, newest first, for sitemaps.
// A non-zero since keeps only those published at or after it.
func (s *Store) PublishedRefs(ctx context.Context, since time.Time, limit int) ([]story.Ref, error) {
	where, args := s.filterWhere(story.Filter{Since: since})
	query := `SELECT st.slug, st.headline, st.published_at, st.updated_at FROM stories st` + where +
		` ORDER BY st.published_at DESC, st.id DESC LIMIT ?`
	rows, err := s.read.QueryContext(ctx, query, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("store: published refs: %w", err)
	}
	defer rows.Close()
	var out []story.Ref
	for rows.Next() {
		var r story.Ref
		var published time.Time
		var updated sql.NullTime
		if err := rows.Scan(&r.Slug, &r.Headline, &published, &updated); err != nil {
			return nil, fmt.Errorf("store: published refs: %w", err)
		}
		out = append(out, newRef(r, published, updated))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: published refs: %w", err)
	}
	return out, nil
}

// newRef fills in r's dates from its row: the story was last modified when
// it was published or, if later, when it was last updated.
func newRef(r story.Ref, published time.Time, updated sql.NullTime) story.Ref {
	r.PublishedAt = published.UTC()
	r.Modified = r.PublishedAt
	if u := timeOf(updated); u.After(r.Modified) {
		r.Modified = u
	}
	return r
}

// PublishedRefsPage lists published stories oldest first, skipping offset
// of them and returning at most limit, without their headlines: one file of
// a sitemap index. Oldest first keeps every page but the last as it is when
// new stories are published.
func (s *Store) PublishedRefsPage(ctx context.Context, offset, limit int) ([]story.Ref, error) {
	where, args := s.filterWhere(story.Filter{})
	query := `SELECT st.slug, st.published_at, st.updated_at FROM stories st` + where +
		` ORDER BY st.published_at, st.id LIMIT ? OFFSET ?`
	rows, err := s.read.QueryContext(ctx, query, append(args, limit, offset)...)
	if err != nil {
		return nil, fmt.Errorf("store: published refs page: %w", err)
	}
	defer rows.Close()
	out := make([]story.Ref, 0, min(limit, 1024))
	for rows.Next() {
		var r story.Ref
		var published time.Time
		var updated sql.NullTime
		if err := rows.Scan(&r.Slug, &published, &updated); err != nil {
			return nil, fmt.Errorf("store: published refs page: %w", err)
		}
		out = append(out, newRef(r, published, updated))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: published refs page: %w", err)
	}
	return out, nil
}

// PublishedPageLastMods splits the published stories, oldest first, into
// pages of size as PublishedRefsPage reads them, and returns when each page
// last changed: the newest modification of a story on it. There is one
// time per page, none when nothing is published. The database does the
// work in one query; no story is read out.
func (s *Store) PublishedPageLastMods(ctx context.Context, size int) ([]time.Time, error) {
	if size < 1 {
		return nil, fmt.Errorf("store: published page last mods: page size %d", size)
	}
	where, args := s.filterWhere(story.Filter{})
	query := `SELECT page, MAX(modified) FROM (
		SELECT (ROW_NUMBER() OVER (ORDER BY st.published_at, st.id) - 1) / ? AS page,
			CASE WHEN st.updated_at > st.published_at THEN st.updated_at ELSE st.published_at END AS modified
		FROM stories st` + where + `) pages GROUP BY page ORDER BY page`
	rows, err := s.read.QueryContext(ctx, query, append([]any{size}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("store: published page last mods: %w", err)
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var page int
		var mod anyTime
		if err := rows.Scan(&page, &mod); err != nil {
			return nil, fmt.Errorf("store: published page last mods: %w", err)
		}
		if page != len(out) {
			return nil, fmt.Errorf("store: published page last mods: page %d after %d pages", page, len(out))
		}
		out = append(out, mod.Time)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: published page last mods: %w", err)
	}
	return out, nil
}

// anyTime scans a time computed by a query. PostgreSQL hands it over as a
// time; SQLite knows the type only of plain columns, so a computed time
// arrives as the text the driver stored.
type anyTime struct{ time.Time }

// sqliteTimeLayouts are the forms the SQLite driver writes times in (see
// _time_format in openSQLite), then others it reads back.
var sqliteTimeLayouts = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
}

// Scan implements sql.Scanner.
func (t *anyTime) Scan(v any) error {
	var text string
	switch v := v.(type) {
	case time.Time:
		t.Time = v.UTC()
		return nil
	case string:
		text = v
	case []byte:
		text = string(v)
	default:
		return fmt.Errorf("cannot read %T as a time", v)
	}
	for _, layout := range sqliteTimeLayouts {
		if at, err := time.Parse(layout, text); err == nil {
			t.Time = at.UTC()
			return nil
		}
	}
	return fmt.Errorf("cannot read %q as a time", text)
}

// SetCommentMode changes who may comment on a story.
func (s *Store) SetCommentMode(ctx context.Context, storyID int64, mode string) error {
	if _, err := s.write.ExecContext(ctx, `UPDATE stories SET comments_mode = ? WHERE id = ?`, mode, storyID); err != nil {
		return fmt.Errorf("store: set comment mode: %w", err)
	}
	return nil
}

// StoryByID loads a story as StoryBySlug does.
func (s *Store) StoryByID(ctx context.Context, id int64) (*story.Story, error) {
	var slug string
	err := s.read.QueryRowContext(ctx, `SELECT slug FROM stories WHERE id = ?`, id).Scan(&slug)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: story %d: %w", id, story.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: story %d: %w", id, err)
	}
	return s.StoryBySlug(ctx, slug)
}

// Authors lists the staff authors by name.
func (s *Store) Authors(ctx context.Context) ([]story.Author, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, slug, name, bio, COALESCE(photo_id, 0) FROM authors ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: authors: %w", err)
	}
	defer rows.Close()
	var out []story.Author
	for rows.Next() {
		var a story.Author
		if err := rows.Scan(&a.ID, &a.Slug, &a.Name, &a.Bio, &a.PhotoID); err != nil {
			return nil, fmt.Errorf("store: authors: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// SetSectionPosition moves a section in the navigation order.
func (s *Store) SetSectionPosition(ctx context.Context, sectionID int64, position int) error {
	defer s.sectionsSnap.drop()
	if _, err := s.write.ExecContext(ctx, `UPDATE sections SET position = ? WHERE id = ?`, position, sectionID); err != nil {
		return fmt.Errorf("store: section position: %w", err)
	}
	return nil
}

// UpdateAuthor changes an author's name, bio and photo.
func (s *Store) UpdateAuthor(ctx context.Context, a *story.Author) error {
	res, err := s.write.ExecContext(ctx, `UPDATE authors SET name = ?, bio = ?, photo_id = ? WHERE id = ?`,
		a.Name, a.Bio, nullID(a.PhotoID), a.ID)
	if err != nil {
		return fmt.Errorf("store: update author: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: update author: %w", story.ErrNotFound)
	}
	return nil
}

// MoreToRead lists in one query what a story page offers after the story
// (see story.Store): the published stories sharing its tags, with how
// many they share, and the newest of its section. The story service ranks
// and trims them.
func (s *Store) MoreToRead(ctx context.Context, q story.MoreQuery) (related, inSection []story.Teaser, err error) {
	// The sections' columns are named apart from the stories': the
	// columns of a subquery need names of their own.
	const cols = `st.id, st.slug, st.headline, st.access, st.published_at, sec.id, sec.slug, sec.name`
	const named = `st.id, st.slug, st.headline, st.access, st.published_at,
		sec.id AS section_id, sec.slug AS section_slug, sec.name AS section_name`
	const visible = `st.status = 'published' AND st.published_at <= ? AND st.id <> ?`
	now := utc(s.Now())
	var parts []string
	var args []any
	if q.Related > 0 && len(q.TagIDs) > 0 {
		parts = append(parts, `SELECT * FROM (SELECT 1 AS part, `+named+`, COUNT(*) AS shared
			FROM story_tags x JOIN stories st ON st.id = x.story_id JOIN sections sec ON sec.id = st.section_id
			WHERE x.tag_id IN (?`+strings.Repeat(", ?", len(q.TagIDs)-1)+`) AND `+visible+`
			GROUP BY `+cols+`
			ORDER BY shared DESC, st.published_at DESC, st.id DESC LIMIT ?) related`)
		for _, id := range q.TagIDs {
			args = append(args, id)
		}
		args = append(args, now, q.StoryID, q.Related)
	}
	if q.InSection > 0 && q.SectionID != 0 {
		parts = append(parts, `SELECT * FROM (SELECT 2 AS part, `+named+`, 0 AS shared
			FROM stories st JOIN sections sec ON sec.id = st.section_id
			WHERE st.section_id = ? AND `+visible+`
			ORDER BY st.published_at DESC, st.id DESC LIMIT ?) latest`)
		args = append(args, q.SectionID, now, q.StoryID, q.InSection)
	}
	if len(parts) == 0 {
		return nil, nil, nil
	}
	rows, err := s.read.QueryContext(ctx, strings.Join(parts, " UNION ALL "), args...)
	if err != nil {
		return nil, nil, fmt.Errorf("store: more to read: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t story.Teaser
		var part int
		var access string
		var published anyTime
		if err := rows.Scan(&part, &t.ID, &t.Slug, &t.Headline, &access, &published,
			&t.Section.ID, &t.Section.Slug, &t.Section.Name, &t.SharedTags); err != nil {
			return nil, nil, fmt.Errorf("store: more to read: %w", err)
		}
		t.Access, t.PublishedAt = story.Access(access), published.Time
		if part == 1 {
			related = append(related, t)
		} else {
			inSection = append(inSection, t)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("store: more to read: %w", err)
	}
	return related, inSection, nil
}

// PublishedAround returns when the latest published story before from was
// published, and the earliest published at or after to that readers may
// see already; zero when there is none. One query, two index lookups.
func (s *Store) PublishedAround(ctx context.Context, from, to time.Time) (before, after time.Time, err error) {
	var b, a sql.Null[anyTime]
	err = s.read.QueryRowContext(ctx, `SELECT
		(SELECT MAX(published_at) FROM stories WHERE status = 'published' AND published_at < ? AND published_at <= ?),
		(SELECT MIN(published_at) FROM stories WHERE status = 'published' AND published_at >= ? AND published_at <= ?)`,
		utc(from), utc(s.Now()), utc(to), utc(s.Now())).Scan(&b, &a)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("store: published around %s: %w", from.Format(time.DateOnly), err)
	}
	return b.V.Time, a.V.Time, nil
}
