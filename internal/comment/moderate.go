package comment

import (
	"context"
	"crypto/rand"
	"dateline/internal/clock"
	"errors"
	"strconv"
	"time"

	"dateline/internal/account"
	"dateline/internal/mail"
	"dateline/internal/story"
)

var randRead = rand.Read

// ErrConflict: the comment is no longer in a state the action fits.
var ErrConflict = errors.New("comment: the comment has changed; reload and look again")

// LogEntry is one moderation action: who did what, to which comment or
// reader, when and why.
type LogEntry struct {
	ID        int64
	ActorID   int64
	ActorName string
	Action    string
	CommentID int64
	UserID    int64
	UserName  string // the reader acted on, "" when deleted or none
	Reason    string
	At        time.Time
}

// QueueTab is one list of the moderators' queue.
type QueueTab string

// Queue tabs.
const (
	TabReported QueueTab = "reported"
	TabHeld     QueueTab = "held"
	TabRecent   QueueTab = "recent"
)

// QueueItem is a comment in the moderators' queue with its context.
type QueueItem struct {
	Comment
	StoryHeadline string
	StoryPath     string
	Reports       int
	ReportReasons string
}

// moderator checks that u may moderate.
func moderator(u *account.User) error {
	if !u.Can(account.ModerateComments) {
		return ErrNotAllowed
	}
	return nil
}

// Queue lists a tab of the moderators' queue.
func (s *Service) Queue(ctx context.Context, u *account.User, tab QueueTab) ([]QueueItem, error) {
	if err := moderator(u); err != nil {
		return nil, err
	}
	return s.store.Queue(ctx, tab, 100)
}

// Log lists recent moderation actions, for admins.
func (s *Service) Log(ctx context.Context, u *account.User) ([]LogEntry, error) {
	if !u.Can(account.ReadModerationLog) {
		return nil, ErrNotAllowed
	}
	return s.store.ModerationLog(ctx, 200)
}

// Moderate applies a moderator's decision to a comment: "approve",
// "reject", "delete" (the text is removed), "feature" or "unfeature".
// Every decision is logged with its reason.
func (s *Service) Moderate(ctx context.Context, u *account.User, id int64, action, reason string, st func(id int64) (*story.Story, error)) error {
	if err := moderator(u); err != nil {
		return err
	}
	c, err := s.store.CommentByID(ctx, id)
	if err != nil {
		return err
	}
	entry := LogEntry{ActorID: u.ID, Action: action, CommentID: id, UserID: c.UserID, Reason: reason, At: s.now().UTC()}
	// A decision must fit the comment as it is now: another moderator may
	// have acted first.
	fits := map[string]bool{
		"approve":   c.Status == Held || (c.Status == Published && !c.Featured),
		"reject":    c.Status == Held || c.Status == Published,
		"delete":    c.Status != Deleted,
		"feature":   c.Status == Published && !c.Featured,
		"unfeature": c.Status == Published && c.Featured,
	}
	if ok, known := fits[action]; known && !ok {
		return ErrConflict
	}
	switch action {
	case "approve":
		return s.store.SetCommentStatus(ctx, id, Published, false, entry, nil)
	case "reject":
		return s.store.SetCommentStatus(ctx, id, Rejected, false, entry, nil)
	case "delete":
		return s.store.SetCommentStatus(ctx, id, Deleted, true, entry, nil)
	case "feature", "unfeature":
		var notify *mail.Message
		if action == "feature" && c.UserID != 0 && c.Status == Published {
			if on, err := s.store.NotifyReplies(ctx, c.UserID); err != nil {
				return err
			} else if on {
				author, err := s.store.UserByID(ctx, c.UserID)
				if err != nil {
					return err
				}
				story, err := st(c.StoryID)
				if err != nil {
					return err
				}
				if notify, err = s.compose(author, mail.CommentFeatured, map[string]any{
					"Story": story.Headline, "Link": s.opts.BaseURL + story.Path() + "#comment-" + strconv.FormatInt(c.ID, 10),
				}); err != nil {
					return err
				}
			}
		}
		if err := s.store.SetFeatured(ctx, id, action == "feature", entry, notify); err != nil {
			return err
		}
		if notify != nil && s.opts.MailSent != nil {
			s.opts.MailSent()
		}
		return nil
	}
	return &InputError{Field: "action", Message: "Unknown action."}
}

// Suspend stops a reader commenting for days days (0: permanently) and
// tells them why by email.
func (s *Service) Suspend(ctx context.Context, u *account.User, userID int64, days int, reason string) error {
	if err := moderator(u); err != nil {
		return err
	}
	if reason == "" {
		return &InputError{Field: "reason", Message: "Say why: the reader is told."}
	}
	if days < 0 || days > 3650 {
		return &InputError{Field: "days", Message: "Give a number of days from 1 to 3650, or 0 for a permanent suspension."}
	}
	target, err := s.store.UserByID(ctx, userID)
	if err != nil {
		if errors.Is(err, account.ErrNotFound) {
			return ErrNotFound
		}
		return err
	}
	now := s.now().UTC()
	sus := &Suspension{UserID: userID, Reason: reason}
	until := "permanently"
	if days > 0 {
		sus.Until = now.AddDate(0, 0, days)
		until = "until " + sus.Until.In(s.opts.Zone.In(ctx)).Format(clock.LongDateLayout)
	}
	m, err := s.opts.Composer.Compose(mail.CommentSuspended, target.Email, target.DisplayName, map[string]any{
		"Name": target.DisplayName, "Until": until, "Reason": reason, "PolicyLink": s.opts.BaseURL + "/comments/policy",
	})
	if err != nil {
		return err
	}
	if err := s.store.Suspend(ctx, sus, LogEntry{ActorID: u.ID, Action: "suspend", UserID: userID, Reason: reason, At: now}, m); err != nil {
		return err
	}
	if s.opts.MailSent != nil {
		s.opts.MailSent()
	}
	return nil
}

// Unsuspend lifts a reader's suspension.
func (s *Service) Unsuspend(ctx context.Context, u *account.User, userID int64) error {
	if err := moderator(u); err != nil {
		return err
	}
	return s.store.Unsuspend(ctx, userID, LogEntry{ActorID: u.ID, Action: "unsuspend", UserID: userID, At: s.now().UTC()})
}
