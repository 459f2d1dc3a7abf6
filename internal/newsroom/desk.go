package newsroom

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"dateline/internal/field"
	"dateline/internal/story"
)

// The names field.Errors gives an author's and a section's fields.
const (
	FieldAuthorName  = "name"
	FieldAuthorBio   = "bio"
	FieldSectionName = "name"
)

// Limits on what the desk types, in characters.
const (
	maxAuthorName  = 80
	maxAuthorBio   = 600
	maxSectionName = 40
)

// newSectionPosition puts a new section after the others in the
// navigation, until an editor moves it.
const newSectionPosition = 100

// MaxSectionPosition is the highest place a section can be given in the
// navigation; places run from 0.
const MaxSectionPosition = 1000

// ErrSectionPosition: a section's place in the navigation is not a whole
// number from 0 to MaxSectionPosition.
var ErrSectionPosition = fmt.Errorf("newsroom: a section position is not a whole number from 0 to %d", MaxSectionPosition)

// Authors lists the staff authors by name.
func (s *Service) Authors(ctx context.Context) ([]story.Author, error) {
	list, err := s.store.Authors(ctx)
	if err != nil {
		return nil, fmt.Errorf("newsroom: authors: %w", err)
	}
	return list, nil
}

// checkAuthor tidies an author as typed, checks it, and keeps its photo
// only if it is a known image; it returns a field.Errors.
func (s *Service) checkAuthor(ctx context.Context, a *story.Author) error {
	a.Name, a.Bio = strings.Join(strings.Fields(a.Name), " "), strings.TrimSpace(a.Bio)
	wrong := field.Errors{}
	if a.Name == "" || len([]rune(a.Name)) > maxAuthorName {
		wrong[FieldAuthorName] = fmt.Sprintf("Give the author's name, up to %d characters.", maxAuthorName)
	}
	if len([]rune(a.Bio)) > maxAuthorBio {
		wrong[FieldAuthorBio] = fmt.Sprintf("Keep the bio under %d characters.", maxAuthorBio)
	}
	if a.PhotoID > 0 {
		if _, err := s.store.ImageByID(ctx, a.PhotoID); err != nil {
			a.PhotoID = 0 // an image that is not there is no photo
		}
	} else {
		a.PhotoID = 0
	}
	return wrong.Err()
}

// CreateAuthor adds a staff author, whose slug is made from the name, and
// sets its ID and slug. Wrong fields, and a name whose slug another
// author has, are refused with a field.Errors.
func (s *Service) CreateAuthor(ctx context.Context, a *story.Author) error {
	if err := s.checkAuthor(ctx, a); err != nil {
		return err
	}
	a.Slug = story.Slugify(a.Name)
	err := s.store.CreateAuthor(ctx, a)
	if errors.Is(err, story.ErrSlugTaken) {
		return field.Errors{FieldAuthorName: "An author with this name already exists."}
	}
	if err != nil {
		return fmt.Errorf("newsroom: create author: %w", err)
	}
	if a.PhotoID != 0 || a.Bio != "" {
		if err := s.store.UpdateAuthor(ctx, a); err != nil {
			return fmt.Errorf("newsroom: create author: %w", err)
		}
	}
	return nil
}

// UpdateAuthor changes an author's name, bio and photo; the slug, and so
// the author's address, stays. Wrong fields are refused with a
// field.Errors; an unknown author is story.ErrNotFound.
func (s *Service) UpdateAuthor(ctx context.Context, a *story.Author) error {
	if err := s.checkAuthor(ctx, a); err != nil {
		return err
	}
	if err := s.store.UpdateAuthor(ctx, a); err != nil {
		return fmt.Errorf("newsroom: update author: %w", err)
	}
	return nil
}

// CreateSection adds a section after the others, with a slug made from
// its name, and sets its ID and slug. A missing or long name, and one
// whose slug another section has, are refused with a field.Errors.
func (s *Service) CreateSection(ctx context.Context, sec *story.Section) error {
	sec.Name = strings.Join(strings.Fields(sec.Name), " ")
	if sec.Name == "" || len([]rune(sec.Name)) > maxSectionName {
		return field.Errors{FieldSectionName: fmt.Sprintf("Give the section a name of up to %d characters.", maxSectionName)}
	}
	sec.Slug, sec.Position = story.Slugify(sec.Name), newSectionPosition
	err := s.store.CreateSection(ctx, sec)
	if errors.Is(err, story.ErrSlugTaken) {
		return field.Errors{FieldSectionName: "A section with this name already exists."}
	}
	if err != nil {
		return fmt.Errorf("newsroom: create section: %w", err)
	}
	return nil
}

// SetSectionPositions moves sections in the navigation: positions holds
// each one's new place as an editor typed it, by the section's slug.
// Sections left out or left empty keep theirs, and slugs of no section
// are ignored. A place that is not a whole number from 0 to
// MaxSectionPosition is ErrSectionPosition, and then nothing moves.
func (s *Service) SetSectionPositions(ctx context.Context, positions map[string]string) error {
	secs, err := s.store.Sections(ctx)
	if err != nil {
		return fmt.Errorf("newsroom: sections: %w", err)
	}
	moves := map[int64]int{}
	for _, sec := range secs {
		v := positions[sec.Slug]
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > MaxSectionPosition {
			return fmt.Errorf("%w: %q for %s", ErrSectionPosition, v, sec.Slug)
		}
		moves[sec.ID] = n
	}
	for _, sec := range secs {
		if n, ok := moves[sec.ID]; ok {
			if err := s.store.SetSectionPosition(ctx, sec.ID, n); err != nil {
				return fmt.Errorf("newsroom: section position: %w", err)
			}
		}
	}
	return nil
}
