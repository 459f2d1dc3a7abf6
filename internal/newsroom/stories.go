package newsroom

import (
	"context"
	"fmt"
	"strings"
	"time"

	"dateline/internal/account"
	"dateline/internal/story"
)

// Stories lists the stories the newsroom works on that match f, as u may
// see them: staff who cannot edit others' stories see only their own.
func (s *Service) Stories(ctx context.Context, u *account.User, f story.NewsroomFilter) ([]story.Story, error) {
	if !u.Can(account.EditStories) {
		f.CreatedBy = u.ID
	}
	list, err := s.store.NewsroomStories(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("newsroom: stories: %w", err)
	}
	return list, nil
}

// StoryPage lists one page of stories matching f, whole (body, bylines
// and tags), as u may see them: staff who cannot edit others' stories see
// only their own.
func (s *Service) StoryPage(ctx context.Context, u *account.User, f story.PageFilter) ([]story.Story, error) {
	if !u.Can(account.EditStories) {
		f.CreatedBy = u.ID
	}
	list, err := s.store.StoryPage(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("newsroom: story page: %w", err)
	}
	return list, nil
}

// forReviewScan is how many drafts ForReview looks through.
const forReviewScan = 200

// ForReview lists the drafts submitted for review that u may take on:
// every one for those who edit stories, a writer's own for a writer.
func (s *Service) ForReview(ctx context.Context, u *account.User) ([]story.Story, error) {
	drafts, err := s.store.NewsroomStories(ctx, story.NewsroomFilter{Status: story.Draft, Limit: forReviewScan})
	if err != nil {
		return nil, fmt.Errorf("newsroom: drafts for review: %w", err)
	}
	var out []story.Story
	for _, d := range drafts {
		if !d.SubmittedAt.IsZero() && (u.Can(account.EditStories) || d.CreatedBy == u.ID) {
			out = append(out, d)
		}
	}
	return out, nil
}

// Scheduled lists up to limit scheduled stories, whoever wrote them.
func (s *Service) Scheduled(ctx context.Context, limit int) ([]story.Story, error) {
	list, err := s.store.NewsroomStories(ctx, story.NewsroomFilter{Status: story.Scheduled, Limit: limit})
	if err != nil {
		return nil, fmt.Errorf("newsroom: scheduled stories: %w", err)
	}
	return list, nil
}

// Revisions lists a story's saved versions, newest first.
func (s *Service) Revisions(ctx context.Context, storyID int64) ([]story.Revision, error) {
	revs, err := s.store.Revisions(ctx, storyID)
	if err != nil {
		return nil, fmt.Errorf("newsroom: revisions: %w", err)
	}
	return revs, nil
}

// Restore brings back the headline, dek and body of st's revision version
// as a new save by u; nothing is lost, since the current text stays a
// revision. It returns story.ErrNotFound when st has no such revision,
// and what Save returns.
func (s *Service) Restore(ctx context.Context, u *account.User, st *story.Story, version int) error {
	revs, err := s.Revisions(ctx, st.ID)
	if err != nil {
		return err
	}
	for _, rev := range revs {
		if rev.Version != version {
			continue
		}
		restored := *st
		restored.Headline, restored.Dek, restored.Body = rev.Headline, rev.Dek, rev.Body
		return s.Save(ctx, u, &restored, st.Version, Save, time.Time{}, "")
	}
	return fmt.Errorf("newsroom: story %d has no revision %d: %w", st.ID, version, story.ErrNotFound)
}

// RedirectSlug finds the story an old slug now belongs to;
// story.ErrNotFound when none does.
func (s *Service) RedirectSlug(ctx context.Context, oldSlug string) (*story.Story, error) {
	return s.store.RedirectSlug(ctx, oldSlug)
}

// Bylines turns the names an editor typed into a story's bylines, in
// order: a name that is a staff author's, whatever its case, links to the
// author's page and takes the author's spelling; blank names are skipped.
func (s *Service) Bylines(ctx context.Context, names []string) ([]story.Byline, error) {
	authors, err := s.Authors(ctx)
	if err != nil {
		return nil, err
	}
	var out []story.Byline
	for _, name := range names {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		b := story.Byline{Name: name}
		for _, a := range authors {
			if strings.EqualFold(a.Name, name) {
				b = story.Byline{Name: a.Name, AuthorSlug: a.Slug}
			}
		}
		out = append(out, b)
	}
	return out, nil
}
