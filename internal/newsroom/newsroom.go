// Package newsroom holds what journalists do with stories: draft, submit
// for review, edit, publish, schedule, unpublish and correct, each allowed
// by role, and the worker that publishes scheduled stories on time. It
// also keeps the desk's authors and sections, the editors' front page,
// and the count of page views behind the dashboard's most read.
package newsroom

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"dateline/internal/account"
	"dateline/internal/media"
	"dateline/internal/story"
)

// ErrForbidden: the user's role does not allow the action.
var ErrForbidden = errors.New("newsroom: not allowed for this role")

// Store is what the newsroom needs of the database.
type Store interface {
	StoryByID(ctx context.Context, id int64) (*story.Story, error)
	CreateStory(ctx context.Context, st *story.Story) error
	UpdateStory(ctx context.Context, st *story.Story, expected int, actorID int64) error
	AddCorrection(ctx context.Context, storyID int64, body string, at time.Time) error
	PublishDue(ctx context.Context, now time.Time) ([]int64, error)
	// SettingValues returns the stored values of the keys that are set.
	SettingValues(ctx context.Context, keys ...string) (map[string]string, error)
	// SaveSettingValues stores several values together.
	SaveSettingValues(ctx context.Context, vals map[string]string) error

	// The newsroom's lists.
	NewsroomStories(ctx context.Context, f story.NewsroomFilter) ([]story.Story, error)
	// StoryPage lists a page of stories with bodies, bylines and tags.
	StoryPage(ctx context.Context, f story.PageFilter) ([]story.Story, error)
	// StoryByWireURI finds the story made from an agency's item.
	StoryByWireURI(ctx context.Context, uri string) (*story.Story, error)
	Revisions(ctx context.Context, storyID int64) ([]story.Revision, error)
	RedirectSlug(ctx context.Context, oldSlug string) (*story.Story, error)

	// The desk: authors and sections.
	Authors(ctx context.Context) ([]story.Author, error)
	CreateAuthor(ctx context.Context, a *story.Author) error
	UpdateAuthor(ctx context.Context, a *story.Author) error
	Sections(ctx context.Context) ([]story.Section, error)
	CreateSection(ctx context.Context, sec *story.Section) error
	SetSectionPosition(ctx context.Context, sectionID int64, position int) error
	// ImageByID finds an image, for an author's photo.
	ImageByID(ctx context.Context, id int64) (*media.Image, error)

	// Page views, counted by the hour.
	AddViews(ctx context.Context, hour time.Time, counts map[int64]int) error
	MostRead(ctx context.Context, since time.Time, limit int) ([]story.Viewed, error)
}

// Action is what a save asks for besides keeping the text.
type Action string

// Actions.
const (
	Save      Action = "save"      // keep the status
	Submit    Action = "submit"    // a writer asks for review
	Publish   Action = "publish"   // publish now
	Schedule  Action = "schedule"  // publish at a time
	Unpublish Action = "unpublish" // back to draft
)

// CanEdit reports whether u may open st in the editor.
func CanEdit(u *account.User, st *story.Story) bool {
	switch {
	case u.Can(account.EditStories):
		return true
	case u.Can(account.WriteStories):
		return st == nil || (st.CreatedBy == u.ID && st.Status == story.Draft)
	}
	return false
}

// CanPublish reports whether u may publish, schedule and unpublish.
func CanPublish(u *account.User) bool {
	return u.Can(account.PublishStories)
}

// Service runs the newsroom's work. It is safe for concurrent use.
type Service struct {
	store    Store
	renderer *story.Renderer
	now      func() time.Time
	log      *slog.Logger
	views    viewCounter // page views not yet written
}

// New builds a Service.
func New(st Store, now func() time.Time, log *slog.Logger) *Service {
	if now == nil {
		panic("newsroom: New needs a clock") // a wiring mistake, found by any test
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{store: st, renderer: story.NewRenderer(), now: now, log: log}
}

// Renderer is the Markdown renderer, for previews.
func (s *Service) Renderer() *story.Renderer { return s.renderer }

// Save creates (st.ID == 0) or updates a story as u, applying action; at is
// the publication time for Schedule. expected is the version the editor
// loaded. It returns *story.ValidationError for bad fields, story.ErrConflict
// when someone saved in between, and ErrForbidden for a role that may not.
func (s *Service) Save(ctx context.Context, u *account.User, st *story.Story, expected int, action Action, at time.Time, correction string) error {
	var old *story.Story
	if st.ID != 0 {
		var err error
		if old, err = s.store.StoryByID(ctx, st.ID); err != nil {
			return err
		}
	}
	if !CanEdit(u, old) {
		return ErrForbidden
	}
	if (action == Publish || action == Schedule || action == Unpublish || correction != "") && !CanPublish(u) {
		return ErrForbidden
	}
	now := s.now().UTC().Truncate(time.Second)
	if old != nil {
		st.Status, st.PublishedAt, st.CreatedBy, st.SubmittedAt, st.CreatedAt = old.Status, old.PublishedAt, old.CreatedBy, old.SubmittedAt, old.CreatedAt
		st.UpdatedAt = old.UpdatedAt
		// What only the wire desk sets survives an edit that leaves it out.
		if st.Credit == "" {
			st.Credit = old.Credit
		}
		if st.Wire.URI == "" {
			st.Wire = old.Wire
		}
		if old.Status == story.Published {
			// Readers see "Updated" once a published story changes.
			st.UpdatedAt = now
		}
	} else {
		st.Status, st.CreatedBy, st.CreatedAt = story.Draft, u.ID, now
	}
	switch action {
	case Submit:
		st.SubmittedAt = now
	case Publish:
		if st.Status != story.Published {
			st.Status, st.PublishedAt, st.UpdatedAt = story.Published, now, time.Time{}
		}
		st.SubmittedAt = time.Time{} // the review is done
	case Schedule:
		if !at.After(now) {
			return &story.ValidationError{Field: "publish_at", Message: "Choose a time in the future to schedule the story."}
		}
		st.Status, st.PublishedAt, st.UpdatedAt, st.SubmittedAt = story.Scheduled, at.UTC(), time.Time{}, time.Time{}
	case Unpublish:
		st.Status = story.Draft
	}
	if err := st.Prepare(s.renderer); err != nil {
		return err
	}
	if st.ID == 0 {
		return s.store.CreateStory(ctx, st)
	}
	if err := s.store.UpdateStory(ctx, st, expected, u.ID); err != nil {
		return err
	}
	if c := strings.TrimSpace(correction); c != "" {
		return s.store.AddCorrection(ctx, st.ID, c, now)
	}
	return nil
}

// PublishDue publishes the scheduled stories whose time has come.
func (s *Service) PublishDue(ctx context.Context) ([]int64, error) {
	ids, err := s.store.PublishDue(ctx, s.now())
	if err != nil {
		return nil, fmt.Errorf("newsroom: %w", err)
	}
	for _, id := range ids {
		s.log.Info("published a scheduled story", "story", id)
	}
	return ids, nil
}

// RunScheduler publishes scheduled stories every interval until ctx ends,
// and tells published about the stories it published, if any. It catches
// up at once on start, so a restart loses nothing.
func (s *Service) RunScheduler(ctx context.Context, interval time.Duration, published func(ctx context.Context, ids []int64)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		ids, err := s.PublishDue(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.Warn("scheduler", "err", err)
		}
		if len(ids) > 0 && published != nil {
			published(ctx, ids)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
