package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"dateline/internal/media"
	"dateline/internal/story"
)

var _ media.Store = (*Store)(nil)

func widthsText(ws []int) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = strconv.Itoa(w)
	}
	return strings.Join(parts, ",")
}

func parseWidths(s string) []int {
	var out []int
	for _, p := range strings.Split(s, ",") {
		if n, err := strconv.Atoi(p); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// CreateImage records an image and sets its ID.
func (s *Store) CreateImage(ctx context.Context, im *media.Image) error {
	err := s.write.QueryRowContext(ctx, `INSERT INTO images (format, width, height, widths, alt, caption, credit, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, im.Format, im.Width, im.Height, widthsText(im.Widths),
		im.Alt, im.Caption, im.Credit, nullID(im.By), utc(im.At)).Scan(&im.ID)
	if err != nil {
		return fmt.Errorf("store: create image: %w", err)
	}
	return nil
}

const imageColumns = `id, format, width, height, widths, alt, caption, credit, COALESCE(created_by, 0), created_at`

func scanImage(row scanner, im *media.Image) error {
	var widths string
	if err := row.Scan(&im.ID, &im.Format, &im.Width, &im.Height, &widths, &im.Alt, &im.Caption, &im.Credit, &im.By, &im.At); err != nil {
		return err
	}
	im.Widths, im.At = parseWidths(widths), im.At.UTC()
	return nil
}

// ImageByID finds an image.
func (s *Store) ImageByID(ctx context.Context, id int64) (*media.Image, error) {
	var im media.Image
	err := scanImage(s.read.QueryRowContext(ctx, `SELECT `+imageColumns+` FROM images WHERE id = ?`, id), &im)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: image %d: %w", id, story.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: image %d: %w", id, err)
	}
	return &im, nil
}

// RecentImages lists the newest images.
func (s *Store) RecentImages(ctx context.Context, limit int) ([]media.Image, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+imageColumns+` FROM images ORDER BY created_at DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: images: %w", err)
	}
	defer rows.Close()
	var out []media.Image
	for rows.Next() {
		var im media.Image
		if err := scanImage(rows, &im); err != nil {
			return nil, fmt.Errorf("store: images: %w", err)
		}
		out = append(out, im)
	}
	return out, rows.Err()
}

// SetStoryImage sets (or, with 0, removes) a story's featured image.
func (s *Store) SetStoryImage(ctx context.Context, storyID, imageID int64) error {
	if _, err := s.write.ExecContext(ctx, `UPDATE stories SET image_id = ? WHERE id = ?`, nullID(imageID), storyID); err != nil {
		return fmt.Errorf("store: set story image: %w", err)
	}
	return nil
}

// StoryImageID is a story's featured image, 0 when it has none.
func (s *Store) StoryImageID(ctx context.Context, storyID int64) (int64, error) {
	var id sql.NullInt64
	if err := s.read.QueryRowContext(ctx, `SELECT image_id FROM stories WHERE id = ?`, storyID).Scan(&id); err != nil {
		return 0, fmt.Errorf("store: story image: %w", err)
	}
	return id.Int64, nil
}

// StoryImages reads the featured images of many stories in one query, by
// story; stories without one are not in the map.
func (s *Store) StoryImages(ctx context.Context, storyIDs []int64) (map[int64]*media.Image, error) {
	out := map[int64]*media.Image{}
	if len(storyIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(storyIDs))
	for i, id := range storyIDs {
		args[i] = id
	}
	rows, err := s.read.QueryContext(ctx, `SELECT st.id, i.id, i.format, i.width, i.height, i.widths, i.alt, i.caption, i.credit,
		COALESCE(i.created_by, 0), i.created_at FROM stories st JOIN images i ON i.id = st.image_id
		WHERE st.id IN (?`+strings.Repeat(", ?", len(storyIDs)-1)+`)`, args...) // #nosec G202 -- only placeholders are added
	if err != nil {
		return nil, fmt.Errorf("store: story images: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var storyID int64
		var im media.Image
		var widths string
		if err := rows.Scan(&storyID, &im.ID, &im.Format, &im.Width, &im.Height, &widths, &im.Alt, &im.Caption, &im.Credit, &im.By, &im.At); err != nil {
			return nil, fmt.Errorf("store: story images: %w", err)
		}
		im.Widths, im.At = parseWidths(widths), im.At.UTC()
		out[storyID] = &im
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: story images: %w", err)
	}
	return out, nil
}
