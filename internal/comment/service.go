package comment

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"dateline/internal/clock"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"dateline/internal/account"
	"dateline/internal/mail"
	"dateline/internal/story"
)

// Store is what comments need of the database.
type Store interface {
	// SettingValues returns the stored values of the keys that are set.
	SettingValues(ctx context.Context, keys ...string) (map[string]string, error)
	// SaveSettingValues stores several values together.
	SaveSettingValues(ctx context.Context, vals map[string]string) error
	StoryComments(ctx context.Context, storyID, viewerID int64) ([]*Comment, error)
	Recommendations(ctx context.Context, storyID int64) (map[int64][]int64, error)
	CommentByID(ctx context.Context, id int64) (*Comment, error)
	InsertComment(ctx context.Context, c *Comment, notify *mail.Message) error
	EditComment(ctx context.Context, id int64, body string, status Status, heldReason string, at time.Time) error
	SetCommentStatus(ctx context.Context, id int64, status Status, clearBody bool, entry LogEntry, notify *mail.Message) error
	SetFeatured(ctx context.Context, id int64, featured bool, entry LogEntry, notify *mail.Message) error
	ToggleRecommend(ctx context.Context, commentID, userID int64) (bool, error)
	Report(ctx context.Context, commentID, userID int64, reason ReportReason, note string, at time.Time) error
	RecentCommentCount(ctx context.Context, userID int64, since time.Time) (int, error)
	SameCommentSince(ctx context.Context, userID int64, body string, since time.Time) (bool, error)
	ApprovedCount(ctx context.Context, userID int64) (int, error)
	SuspensionOf(ctx context.Context, userID int64) (*Suspension, error)
	Suspend(ctx context.Context, s *Suspension, entry LogEntry, notify *mail.Message) error
	Unsuspend(ctx context.Context, userID int64, entry LogEntry) error
	Queue(ctx context.Context, tab QueueTab, limit int) ([]QueueItem, error)
	ModerationLog(ctx context.Context, limit int) ([]LogEntry, error)
	// CommentCounts counts the published comments of each story.
	CommentCounts(ctx context.Context, storyIDs []int64) (map[int64]int, error)
	SetCommentMode(ctx context.Context, storyID int64, mode string) error
	SetNotifyReplies(ctx context.Context, userID int64, on bool) error
	NotifyReplies(ctx context.Context, userID int64) (bool, error)
	UserByID(ctx context.Context, id int64) (*account.User, error)
	Secret(ctx context.Context, name string, generate func() (string, error)) (string, error)
}

// Access tells whether a user has digital access; the billing service
// answers it.
type Access interface {
	HasAccess(ctx context.Context, u *account.User) (bool, error)
}

// Composer renders emails; *mail.Composer is one.
type Composer interface {
	Compose(kind mail.Kind, to, toName string, data map[string]any) (*mail.Message, error)
}

// Options configure a Service.
type Options struct {
	Store    Store
	Access   Access
	Composer Composer
	Log      *slog.Logger
	BaseURL  string
	Now      func() time.Time
	MailSent func()
	// Zone is the paper's time zone, in which emails give dates; nil is
	// UTC.
	Zone     clock.Zone
	Defaults Settings
	// CachedComments is how many comments, across the stories'
	// discussions, are kept in memory (a few hundred bytes each beside
	// their text); 0 reads every discussion from the database each time.
	// With a cache, whoever changes comments must call Forget or
	// ForgetAll.
	CachedComments int
}

// Service runs discussions. It is safe for concurrent use.
type Service struct {
	opts     Options
	store    Store
	now      func() time.Time
	unsubKey []byte
	threads  *threadCache // nil without a cache
}

// New builds a Service, loading the key that signs unsubscribe links.
func New(ctx context.Context, opts Options) (*Service, error) {
	if opts.Now == nil {
		return nil, errors.New("comment: New needs a clock")
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.Defaults.PageSize == 0 {
		opts.Defaults = DefaultSettings()
	}
	key, err := opts.Store.Secret(ctx, "unsubscribe-key", func() (string, error) {
		b := make([]byte, 32)
		if _, err := randRead(b); err != nil {
			return "", err
		}
		return hex.EncodeToString(b), nil
	})
	if err != nil {
		return nil, fmt.Errorf("comment: load secret: %w", err)
	}
	s := &Service{opts: opts, store: opts.Store, now: opts.Now}
	if opts.CachedComments > 0 {
		s.threads = newThreadCache(opts.CachedComments, time.Minute, s.now)
	}
	if s.unsubKey, err = hex.DecodeString(key); err != nil {
		return nil, fmt.Errorf("comment: the stored unsubscribe key is damaged")
	}
	return s, nil
}

// Counts returns how many published comments each of the stories has;
// a story without any is left out.
func (s *Service) Counts(ctx context.Context, storyIDs []int64) (map[int64]int, error) {
	return s.store.CommentCounts(ctx, storyIDs)
}

// SetMode changes who may comment on a story; ErrBadMode for a mode that
// is not one of the three.
func (s *Service) SetMode(ctx context.Context, storyID int64, mode Mode) error {
	if !mode.Valid() {
		return fmt.Errorf("%w: %q", ErrBadMode, mode)
	}
	return s.store.SetCommentMode(ctx, storyID, string(mode))
}

// reader gathers what the eligibility rule needs to know about u.
func (s *Service) reader(ctx context.Context, u *account.User) (Reader, error) {
	r := Reader{User: u}
	if u == nil {
		return r, nil
	}
	var err error
	if r.Access, err = s.opts.Access.HasAccess(ctx, u); err != nil {
		return r, err
	}
	sus, err := s.store.SuspensionOf(ctx, u.ID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return r, err
	}
	r.Suspension = sus
	return r, nil
}

// ClosedByAge reports whether st's discussion has closed by itself.
func (s *Service) ClosedByAge(set Settings, st *story.Story) bool {
	return set.CloseAfter > 0 && !st.PublishedAt.IsZero() && !s.now().Before(st.PublishedAt.Add(set.CloseAfter))
}

// Eligibility says whether u may post under st, and if not, why.
func (s *Service) Eligibility(ctx context.Context, u *account.User, st *story.Story, mode Mode) (Eligibility, error) {
	set, err := s.Settings(ctx)
	if err != nil {
		return Eligibility{}, err
	}
	r, err := s.reader(ctx, u)
	if err != nil {
		return Eligibility{}, err
	}
	return Eligible(r, mode, s.ClosedByAge(set, st), s.now()), nil
}

// Sort orders a thread's top-level comments.
type Sort string

// Sort orders.
const (
	Oldest      Sort = "oldest"
	Newest      Sort = "newest"
	Recommended Sort = "recommended"
)

// ParseSort reads a sort order, oldest when unknown.
func ParseSort(s string) Sort {
	switch Sort(s) {
	case Newest, Recommended:
		return Sort(s)
	}
	return Oldest
}

// Thread is a story's discussion as a reader sees it.
type Thread struct {
	Comments []*Comment // top-level, with replies nested
	Total    int        // published comments in all
	TopLevel int        // top-level comments there are to show
	More     bool       // more top-level comments than shown
}

// Thread loads st's discussion for viewer (nil when anonymous): the first
// `shown` top-level comments in the given order, editor's picks first,
// with their replies. A viewer sees their own held comments; deleted
// comments stay as placeholders where they have replies.
//
// A reader with nothing of their own in the discussion (no comment awaiting
// review, no recommendation) sees what anonymous readers see, and gets the
// thread kept for them all: callers must not change it.
func (s *Service) Thread(ctx context.Context, storyID int64, viewer *account.User, order Sort, shown int) (*Thread, error) {
	var viewerID int64
	if viewer != nil {
		viewerID = viewer.ID
	}
	if s.threads != nil {
		if t, ok := s.threads.shared(storyID, viewerID, builtKey{order, shown}); ok {
			return t, nil
		}
	}
	all, err := s.storyComments(ctx, storyID, viewerID)
	if err != nil {
		return nil, err
	}
	return buildThread(all, viewer, order, shown), nil
}

// buildThread nests and orders a story's comments as Thread describes.
func buildThread(all []*Comment, viewer *account.User, order Sort, shown int) *Thread {
	top, total := nest(all, viewer)
	return arrange(top, total, order, shown)
}

// nest hangs each comment under its parent, and returns the top-level
// comments the viewer sees with their replies, and the number published.
// It changes the comments' Replies, ReplyCount and ReplyToName.
func nest(all []*Comment, viewer *account.User) (top []*Comment, total int) {
	byID := make(map[int64]*Comment, len(all))
	for _, c := range all {
		byID[c.ID] = c
	}
	for _, c := range all {
		if c.Status == Published {
			total++
		}
		if c.ReplyToID != 0 {
			if to, ok := byID[c.ReplyToID]; ok {
				c.ReplyToName = to.AuthorName
			}
		}
		if c.ParentID == 0 {
			top = append(top, c)
		} else if p, ok := byID[c.ParentID]; ok {
			p.Replies = append(p.Replies, c)
		}
	}
	// Count replies before pruning, so placeholders know they are needed.
	var count func(c *Comment) int
	count = func(c *Comment) int {
		n := 0
		for _, r := range c.Replies {
			n += 1 + count(r)
		}
		c.ReplyCount = n
		return n
	}
	var visible func(list []*Comment) []*Comment
	visible = func(list []*Comment) []*Comment {
		out := list[:0]
		for _, c := range list {
			c.Replies = visible(c.Replies)
			if c.Status == Deleted && len(c.Replies) == 0 {
				continue
			}
			if c.Status == Held && (viewer == nil || c.UserID != viewer.ID) {
				continue
			}
			out = append(out, c)
		}
		return out
	}
	for _, c := range top {
		count(c)
	}
	return visible(top), total
}

// arrange orders nested top-level comments, editor's picks first, and
// keeps the first shown; top itself is left as it was.
func arrange(top []*Comment, total int, order Sort, shown int) *Thread {
	top = slices.Clone(top)
	sort.SliceStable(top, func(i, j int) bool {
		a, b := top[i], top[j]
		if a.Featured != b.Featured {
			return a.Featured
		}
		switch order {
		case Newest:
			return a.CreatedAt.After(b.CreatedAt)
		case Recommended:
			if a.Recommends != b.Recommends {
				return a.Recommends > b.Recommends
			}
		}
		return a.CreatedAt.Before(b.CreatedAt)
	})
	t := &Thread{Total: total, TopLevel: len(top)}
	if shown > 0 && len(top) > shown {
		top, t.More = top[:shown], true
	}
	t.Comments = top
	return t
}

// storyComments reads a story's comments, with Recommended set for the
// viewer: from the cache when it holds them, with one small query for the
// viewer's recommendations.
func (s *Service) storyComments(ctx context.Context, storyID, viewerID int64) ([]*Comment, error) {
	if s.threads == nil {
		return s.store.StoryComments(ctx, storyID, viewerID)
	}
	all, recs, gen, ok := s.threads.get(storyID)
	if !ok {
		var err error
		if all, err = s.store.StoryComments(ctx, storyID, 0); err != nil {
			return nil, err
		}
		// Who recommended what is kept with the thread, so a reader's
		// own recommendations cost no query; a recommendation changes
		// the thread's counts and so drops both.
		if recs, err = s.store.Recommendations(ctx, storyID); err != nil {
			return nil, err
		}
		s.threads.put(storyID, all, recs, gen)
	}
	if mine := recs[viewerID]; viewerID != 0 && len(mine) > 0 {
		for _, c := range all {
			c.Recommended = slices.Contains(mine, c.ID)
		}
	}
	return all, nil
}

// Forget drops the kept discussions of the named stories, once their
// comments changed here or on another instance.
func (s *Service) Forget(storyIDs ...int64) {
	if s.threads != nil && len(storyIDs) > 0 {
		s.threads.forget(storyIDs...)
	}
}

// ForgetAll drops every kept discussion: after a change whose reach is
// not known, such as a reader renaming themselves.
func (s *Service) ForgetAll() {
	if s.threads != nil {
		s.threads.forget()
	}
}

// Post adds a comment (a reply when replyTo is not 0) by u under st. It
// checks eligibility on the server, the abuse limits, and whether the
// comment must wait for a moderator. The reader replied to hears of it by
// email, unless they switched that off.
func (s *Service) Post(ctx context.Context, u *account.User, st *story.Story, mode Mode, replyTo int64, raw string) (*Comment, error) {
	el, err := s.Eligibility(ctx, u, st, mode)
	if err != nil {
		return nil, err
	}
	if !el.CanPost {
		return nil, fmt.Errorf("%w: %s", ErrNotAllowed, el.Reason)
	}
	body, err := CleanBody(raw)
	if err != nil {
		return nil, &InputError{Field: "body", Message: err.Error()}
	}
	set, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	if n, err := s.store.RecentCommentCount(ctx, u.ID, now.Add(-set.RatePeriod)); err != nil {
		return nil, err
	} else if n >= set.RateCount && !u.Staff() {
		return nil, ErrTooFast
	}
	if dup, err := s.store.SameCommentSince(ctx, u.ID, body, now.Add(-time.Hour)); err != nil {
		return nil, err
	} else if dup {
		return nil, ErrDuplicate
	}
	c := &Comment{StoryID: st.ID, UserID: u.ID, Body: body, Status: Published, Staff: u.Staff(), CreatedAt: now,
		AuthorName: u.DisplayName}
	var parent *Comment
	if replyTo != 0 {
		parent, err = s.store.CommentByID(ctx, replyTo)
		if errors.Is(err, ErrNotFound) || (err == nil && (parent.StoryID != st.ID || parent.Status != Published)) {
			return nil, &InputError{Field: "body", Message: "The comment you are replying to is no longer there."}
		}
		if err != nil {
			return nil, err
		}
		c.Depth, c.ParentID = parent.Depth+1, parent.ID
		if parent.Depth >= 2 {
			// Threads show three levels; deeper replies sit under the
			// third level and say whom they answer.
			c.Depth, c.ParentID, c.ReplyToID = 2, parent.ParentID, parent.ID
		}
	}
	approved := 0
	if !u.Staff() && set.Premod == PremodFirst {
		if approved, err = s.store.ApprovedCount(ctx, u.ID); err != nil {
			return nil, err
		}
	}
	if reason := set.holdReason(body, approved); reason != "" && !u.Staff() {
		c.Status, c.HeldReason = Held, reason
	}
	var notify *mail.Message
	if parent != nil && c.Status == Published && parent.UserID != 0 && parent.UserID != u.ID {
		if notify, err = s.replyMail(ctx, parent, c, st, u); err != nil {
			return nil, err
		}
	}
	if err := s.store.InsertComment(ctx, c, notify); err != nil {
		return nil, err
	}
	if notify != nil && s.opts.MailSent != nil {
		s.opts.MailSent()
	}
	return c, nil
}

// InputError names the form field that is wrong.
type InputError struct {
	Field   string
	Message string
}

func (e *InputError) Error() string { return "comment: " + e.Field + ": " + e.Message }

// replyMail tells the author of parent about reply, if they want that.
func (s *Service) replyMail(ctx context.Context, parent, reply *Comment, st *story.Story, from *account.User) (*mail.Message, error) {
	on, err := s.store.NotifyReplies(ctx, parent.UserID)
	if err != nil || !on {
		return nil, err
	}
	to, err := s.store.UserByID(ctx, parent.UserID)
	if err != nil {
		return nil, err
	}
	excerpt := reply.Body
	if r := []rune(excerpt); len(r) > 300 {
		excerpt = string(r[:300]) + "…"
	}
	return s.compose(to, mail.CommentReply, map[string]any{
		"Story": st.Headline, "Replier": from.DisplayName, "Excerpt": excerpt,
		"Link": s.opts.BaseURL + st.Path() + "#comments",
	})
}

// compose writes an email to u with the one-click unsubscribe link.
func (s *Service) compose(u *account.User, kind mail.Kind, data map[string]any) (*mail.Message, error) {
	link := s.UnsubscribeURL(u.ID)
	data["Name"], data["UnsubscribeLink"] = u.DisplayName, link
	m, err := s.opts.Composer.Compose(kind, u.Email, u.DisplayName, data)
	if err != nil {
		return nil, err
	}
	m.ListUnsubscribe = link
	return m, nil
}

// UnsubscribeURL is the signed link that switches off a reader's comment
// emails without logging in.
func (s *Service) UnsubscribeURL(userID int64) string {
	return s.opts.BaseURL + "/comments/unsubscribe?" + url.Values{
		"u": {strconv.FormatInt(userID, 10)}, "t": {s.unsubToken(userID)},
	}.Encode()
}

func (s *Service) unsubToken(userID int64) string {
	m := hmac.New(sha256.New, s.unsubKey)
	fmt.Fprintf(m, "unsubscribe:%d", userID)
	return hex.EncodeToString(m.Sum(nil))
}

// Unsubscribe switches off comment emails for the user the signed link
// names; a wrong signature is ErrNotFound.
func (s *Service) Unsubscribe(ctx context.Context, userID int64, token string) error {
	if !hmac.Equal([]byte(token), []byte(s.unsubToken(userID))) {
		return ErrNotFound
	}
	return s.store.SetNotifyReplies(ctx, userID, false)
}

// SetNotifications switches comment emails on or off for u.
func (s *Service) SetNotifications(ctx context.Context, u *account.User, on bool) error {
	return s.store.SetNotifyReplies(ctx, u.ID, on)
}

// Notifications reports whether u gets comment emails.
func (s *Service) Notifications(ctx context.Context, u *account.User) (bool, error) {
	return s.store.NotifyReplies(ctx, u.ID)
}

// own loads a comment of u's that is not deleted.
func (s *Service) own(ctx context.Context, u *account.User, id int64) (*Comment, error) {
	c, err := s.store.CommentByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if u == nil || c.UserID != u.ID || c.Status == Deleted || c.Status == Rejected {
		return nil, ErrNotFound
	}
	return c, nil
}

// Edit changes the text of u's own comment within the edit window. The
// new text goes through the same checks as a new comment.
func (s *Service) Edit(ctx context.Context, u *account.User, id int64, raw string) (*Comment, error) {
	c, err := s.own(ctx, u, id)
	if err != nil {
		return nil, err
	}
	set, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	if now.After(c.CreatedAt.Add(set.EditWindow)) {
		return nil, ErrEditWindow
	}
	body, err := CleanBody(raw)
	if err != nil {
		return nil, &InputError{Field: "body", Message: err.Error()}
	}
	status, reason := c.Status, c.HeldReason
	if r := set.holdReason(body, set.PremodFirstN); r != "" && !u.Staff() {
		status, reason = Held, r
	}
	if err := s.store.EditComment(ctx, id, body, status, reason, now); err != nil {
		return nil, err
	}
	c.Body, c.Status, c.HeldReason, c.EditedAt = body, status, reason, now
	return c, nil
}

// Delete removes u's own comment; where it has replies a placeholder
// stays.
func (s *Service) Delete(ctx context.Context, u *account.User, id int64) error {
	c, err := s.own(ctx, u, id)
	if err != nil {
		return err
	}
	return s.store.SetCommentStatus(ctx, c.ID, Deleted, true,
		LogEntry{ActorID: u.ID, Action: "author deleted", CommentID: c.ID, UserID: u.ID, At: s.now().UTC()}, nil)
}

// Recommend toggles u's recommendation of a published comment by someone
// else and reports whether u now recommends it.
func (s *Service) Recommend(ctx context.Context, u *account.User, id int64) (bool, error) {
	if u == nil || !u.Verified() {
		return false, ErrNotAllowed
	}
	c, err := s.store.CommentByID(ctx, id)
	if err != nil {
		return false, err
	}
	if c.Status != Published {
		return false, ErrNotFound
	}
	if c.UserID == u.ID {
		return false, ErrNotAllowed
	}
	return s.store.ToggleRecommend(ctx, id, u.ID)
}

// Report flags a published comment for moderators. A reader reports a
// comment once; a second report changes nothing.
func (s *Service) Report(ctx context.Context, u *account.User, id int64, reason ReportReason, note string) error {
	if u == nil {
		return ErrNotAllowed
	}
	if !reason.Valid() {
		return &InputError{Field: "reason", Message: "Choose why you are reporting this comment."}
	}
	note = strings.TrimSpace(note)
	if len([]rune(note)) > 500 {
		return &InputError{Field: "note", Message: "Keep the note under 500 characters."}
	}
	c, err := s.store.CommentByID(ctx, id)
	if err != nil {
		return err
	}
	if c.Status != Published {
		return ErrNotFound
	}
	return s.store.Report(ctx, id, u.ID, reason, note, s.now().UTC())
}

// Comment loads one comment.
func (s *Service) Comment(ctx context.Context, id int64) (*Comment, error) {
	return s.store.CommentByID(ctx, id)
}

// Standing is a reader's standing in the discussions, as the people who
// answer readers see it.
type Standing struct {
	// Published counts the reader's comments on show.
	Published int
	// Suspension is the reader's suspension, nil when there is none.
	Suspension *Suspension
	// Suspended reports whether the suspension is in force now.
	Suspended bool
}

// Standing returns the reader's standing in the discussions.
func (s *Service) Standing(ctx context.Context, userID int64) (Standing, error) {
	var st Standing
	var err error
	if st.Published, err = s.store.ApprovedCount(ctx, userID); err != nil {
		return st, err
	}
	sus, err := s.store.SuspensionOf(ctx, userID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return st, err
	}
	st.Suspension, st.Suspended = sus, sus.Active(s.now())
	return st, nil
}
