// Package comment holds the discussion under stories: who may post, how
// threads are shaped, how comment text becomes safe HTML, and the
// moderation that keeps it civil.
package comment

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"dateline/internal/account"
)

// Errors the Service returns.
var (
	ErrNotFound = errors.New("comment: not found")
	// ErrNotAllowed: the reader may not do that (see Eligibility for why).
	ErrNotAllowed = errors.New("comment: not allowed")
	// ErrTooFast: too many comments in a short time.
	ErrTooFast = errors.New("comment: too many comments; wait a moment")
	// ErrDuplicate: the same text was posted within the hour.
	ErrDuplicate = errors.New("comment: the same comment was already posted")
	// ErrEditWindow: the time for editing has passed.
	ErrEditWindow = errors.New("comment: too late to edit")
	// ErrBadMode: a story's comments can only be for subscribers, for
	// registered readers, or closed (see Mode).
	ErrBadMode = errors.New("comment: no such comment mode")
)

// Mode is a story's comment setting.
type Mode string

// Comment modes.
const (
	// ForSubscribers: readers with digital access (and staff) may post;
	// the site default.
	ForSubscribers Mode = "subscribers"
	// ForRegistered: every signed-in reader with a confirmed address.
	ForRegistered Mode = "registered"
	// Closed: nobody may post; existing comments stay.
	Closed Mode = "closed"
)

// Valid reports whether m is a known mode.
func (m Mode) Valid() bool { return m == ForSubscribers || m == ForRegistered || m == Closed }

// Status is where a comment is in moderation.
type Status string

// Comment statuses.
const (
	Published Status = "published"
	Held      Status = "held"
	Rejected  Status = "rejected"
	Deleted   Status = "deleted"
)

// MaxLength is the longest comment, in characters.
const MaxLength = 5000

// Comment is one reader's contribution to a discussion.
type Comment struct {
	ID        int64
	StoryID   int64
	UserID    int64 // 0 once the author deleted their account
	ParentID  int64 // the comment it is shown under; 0 for a top-level one
	ReplyToID int64 // the comment it answers, when not its parent
	Depth     int   // 0, 1 or 2: threads show three levels
	Body      string
	Status    Status
	// HeldReason says why a held comment waits for a moderator.
	HeldReason string
	Staff      bool
	Featured   bool
	Recommends int
	CreatedAt  time.Time
	EditedAt   time.Time

	// Filled when a thread is loaded.
	AuthorName  string // "" for a deleted reader
	ReplyToName string
	Replies     []*Comment
	// Recommended is true when the viewer recommends it.
	Recommended bool
	// ReplyCount counts the replies under it, shown or not.
	ReplyCount int
}

// Edited reports whether the author changed the comment.
func (c *Comment) Edited() bool { return !c.EditedAt.IsZero() }

// bodyError is a sentence for the reader about what they typed.
type bodyError string

func (e bodyError) Error() string { return string(e) }

// CleanBody checks what a reader typed and returns it tidied: line endings
// made "\n", trailing spaces and surrounding blank lines removed. It
// refuses empty text, text that is not UTF-8 or holds control characters,
// and text over MaxLength characters.
func CleanBody(raw string) (string, error) {
	if !utf8.ValidString(raw) {
		return "", bodyError("Your comment contains characters we cannot read. Please type it again.")
	}
	text := strings.ReplaceAll(strings.ReplaceAll(raw, "\r\n", "\n"), "\r", "\n")
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRightFunc(l, unicode.IsSpace)
	}
	text = strings.Trim(strings.Join(lines, "\n"), "\n")
	if strings.TrimSpace(text) == "" {
		return "", bodyError("Write something before posting.")
	}
	for _, r := range text {
		if r != '\n' && r != '\t' && (unicode.IsControl(r) || r == utf8.RuneError) {
			return "", bodyError("Your comment contains characters we cannot read. Please type it again.")
		}
	}
	if n := utf8.RuneCountInString(text); n > MaxLength {
		return "", bodyError(fmt.Sprintf("A comment has at most %d characters; yours has %d.", MaxLength, n))
	}
	return text, nil
}

// Reason says why a reader may not post, and so what they should do.
type Reason string

// Reasons a reader may not post.
const (
	// LogIn: anonymous readers log in (or subscribe).
	LogIn Reason = "login"
	// Verify: the address must be confirmed first.
	Verify Reason = "verify"
	// Subscribe: the story's discussion is for subscribers.
	Subscribe Reason = "subscribe"
	// Suspended: a moderator suspended the reader from commenting.
	Suspended Reason = "suspended"
	// ClosedNow: the discussion is closed.
	ClosedNow Reason = "closed"
)

// Suspension is a moderator's ban on a reader's commenting.
type Suspension struct {
	UserID int64
	// Until is when it ends; zero for a permanent suspension.
	Until  time.Time
	Reason string
}

// Active reports whether the suspension is in force at now.
func (s *Suspension) Active(now time.Time) bool {
	return s != nil && (s.Until.IsZero() || now.Before(s.Until))
}

// Eligibility is whether a reader may post on a story, and if not, why.
type Eligibility struct {
	CanPost bool
	Reason  Reason
	// Until is when a suspension ends (zero: permanent).
	Until time.Time
}

// Reader is what the eligibility rule knows of the person at the
// keyboard.
type Reader struct {
	User *account.User // nil when anonymous
	// Access is true with digital access: a subscription in good standing.
	Access     bool
	Suspension *Suspension
}

// Eligible decides whether r may post under a story whose mode is mode
// and whose discussion is closed (by its setting or by age).
func Eligible(r Reader, mode Mode, closed bool, now time.Time) Eligibility {
	switch {
	case closed || mode == Closed:
		return Eligibility{Reason: ClosedNow}
	case r.User == nil:
		return Eligibility{Reason: LogIn}
	case r.Suspension.Active(now):
		return Eligibility{Reason: Suspended, Until: r.Suspension.Until}
	case !r.User.Verified():
		return Eligibility{Reason: Verify}
	case r.User.Staff(), mode == ForRegistered, r.Access:
		return Eligibility{CanPost: true}
	}
	return Eligibility{Reason: Subscribe}
}

// ReportReason is why a reader reports a comment.
type ReportReason string

// Report reasons.
const (
	Spam     ReportReason = "spam"
	Abuse    ReportReason = "abuse"
	OffTopic ReportReason = "off_topic"
	Other    ReportReason = "other"
)

// Valid reports whether r is a known reason.
func (r ReportReason) Valid() bool { return r == Spam || r == Abuse || r == OffTopic || r == Other }

// Premod is the pre-moderation setting.
type Premod string

// Pre-moderation settings.
const (
	PremodOff   Premod = "off"
	PremodFirst Premod = "first" // hold a reader's first comments
	PremodAll   Premod = "all"
)

// Settings are the discussion rules a newsroom can change.
type Settings struct {
	// CloseAfter closes a story's discussion this long after publication;
	// 0 never.
	CloseAfter time.Duration
	Premod     Premod
	// PremodFirstN is how many of a reader's comments must be approved
	// before theirs appear at once, with PremodFirst.
	PremodFirstN int
	// BannedWords hold a comment containing any of them for review.
	BannedWords []string
	// MaxLinks: a comment with more links is held for review.
	MaxLinks int
	// Rate: at most RateCount comments per RatePeriod per reader.
	RateCount  int
	RatePeriod time.Duration
	// EditWindow is how long an author may edit a comment.
	EditWindow time.Duration
	// PageSize is how many top-level comments a page shows.
	PageSize int
}

// DefaultSettings are a new site's rules.
func DefaultSettings() Settings {
	return Settings{CloseAfter: 14 * 24 * time.Hour, Premod: PremodOff, PremodFirstN: 1, MaxLinks: 3,
		RateCount: 5, RatePeriod: 5 * time.Minute, EditWindow: 15 * time.Minute, PageSize: 20}
}

// holdReason says why a new comment must wait for a moderator, or "".
func (s Settings) holdReason(body string, approvedBefore int) string {
	lower := strings.ToLower(body)
	for _, w := range s.BannedWords {
		if w = strings.ToLower(strings.TrimSpace(w)); w != "" && containsWord(lower, w) {
			return "contains a word on the review list"
		}
	}
	if n := len(findLinks(body)); n > s.MaxLinks {
		return fmt.Sprintf("has %d links", n)
	}
	switch {
	case s.Premod == PremodAll:
		return "every comment is reviewed"
	case s.Premod == PremodFirst && approvedBefore < s.PremodFirstN:
		return "a new commenter's first comments are reviewed"
	}
	return ""
}

// containsWord finds w in text as a whole word (or phrase).
func containsWord(text, w string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], w)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(w)
		before, _ := utf8.DecodeLastRuneInString(text[:start])
		after, _ := utf8.DecodeRuneInString(text[end:])
		if (start == 0 || !isWordRune(before)) && (end == len(text) || !isWordRune(after)) {
			return true
		}
		i = start + 1
	}
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
