// Package demo fills an empty database with a sample newspaper: sections,
// staff authors and stories written for Dateline, dated over the days
// before the moment they are created so the site looks current.
package demo

import (
	"context"
	"fmt"
	"time"

	"dateline/internal/story"
)

// Store is what seeding needs of the database.
type Store interface {
	IsEmpty(ctx context.Context) (bool, error)
	CreateSection(ctx context.Context, sec *story.Section) error
	CreateAuthor(ctx context.Context, a *story.Author) error
	CreateStory(ctx context.Context, st *story.Story) error
}

// Result says what Seed created.
type Result struct {
	Sections, Authors, Stories int
	// Pictures is how many stories got a featured image (see
	// WithPictures).
	Pictures int
}

// Seed creates the sample site when the database is empty, with stories
// published relative to now. On a database that has any content it does
// nothing and returns a zero Result. WithPictures gives some stories
// featured images drawn for the demo.
func Seed(ctx context.Context, st Store, now time.Time, r *story.Renderer, opts ...Option) (Result, error) {
	var res Result
	var with seeding
	for _, o := range opts {
		o(&with)
	}
	empty, err := st.IsEmpty(ctx)
	if err != nil {
		return res, fmt.Errorf("demo: %w", err)
	}
	if !empty {
		return res, nil
	}
	for i, s := range sections() {
		sec := story.Section{Slug: s.Slug, Name: s.Name, Description: s.Description, Position: i}
		if err := st.CreateSection(ctx, &sec); err != nil {
			return res, fmt.Errorf("demo: %w", err)
		}
		res.Sections++
	}
	for _, a := range authors() {
		author := story.Author{Slug: a.Slug, Name: a.Name, Bio: a.Bio}
		if err := st.CreateAuthor(ctx, &author); err != nil {
			return res, fmt.Errorf("demo: %w", err)
		}
		res.Authors++
	}
	for _, s := range stories() {
		published := now.Add(-time.Duration(s.HoursAgo) * time.Hour).UTC().Truncate(time.Minute)
		item := &story.Story{
			Headline:    s.Headline,
			Dek:         s.Dek,
			Dateline:    s.Dateline,
			Section:     story.Section{Slug: s.Section},
			Body:        s.Body,
			Access:      story.Free,
			Status:      story.Published,
			PublishedAt: published,
			CreatedAt:   published.Add(-30 * time.Minute),
		}
		if s.Subscribers {
			item.Access = story.Subscribers
		}
		if s.UpdatedHoursAgo > 0 {
			item.UpdatedAt = now.Add(-time.Duration(s.UpdatedHoursAgo) * time.Hour).UTC().Truncate(time.Minute)
		}
		for _, slug := range s.Authors {
			item.Bylines = append(item.Bylines, story.Byline{AuthorSlug: slug})
		}
		if s.Byline != "" {
			item.Bylines = append(item.Bylines, story.Byline{Name: s.Byline})
		}
		for _, t := range s.Tags {
			item.Tags = append(item.Tags, story.Tag{Name: t})
		}
		for _, c := range s.Corrections {
			at := published.Add(2 * time.Hour)
			if at.After(now) {
				at = now
			}
			item.Corrections = append(item.Corrections, story.Correction{Body: c, CreatedAt: at})
		}
		if err := item.Prepare(r); err != nil {
			return res, fmt.Errorf("demo: story %q: %w", s.Headline, err)
		}
		if err := st.CreateStory(ctx, item); err != nil {
			return res, fmt.Errorf("demo: %w", err)
		}
		res.Stories++
		if ok, err := with.picture(ctx, item.ID, item.Headline); err != nil {
			return res, err
		} else if ok {
			res.Pictures++
		}
	}
	return res, nil
}
