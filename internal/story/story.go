// Package story holds the newsroom's stories and the rules about them: what a
// story is made of, which stories readers may see, how a headline becomes a
// slug, and how a Markdown body becomes safe HTML. Its Service answers what
// the public pages read: lists a page at a time, a day's archive, what a
// story page offers after the story, feeds' and sitemaps' references, and
// searches.
package story

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrNotFound is returned when a story, section, tag or author does not exist
// or is not visible to readers.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a story was saved by someone else since the
// version being saved was loaded.
var ErrConflict = errors.New("story: changed by someone else")

// ErrSlugTaken is returned when a story, section, tag or author would take
// a slug another one has.
var ErrSlugTaken = errors.New("slug already in use")

// SearchCandidates bounds the work of one search: only the newest this
// many matching published stories are ranked and paged through, and at
// most one more is counted, so a common word costs no more than a rare
// one. Newest is by publication time on PostgreSQL, and by story id, the
// order stories were first saved, on SQLite, whose search index is kept in
// that order. A total above SearchCandidates from a search means "more than
// SearchCandidates stories match".
const SearchCandidates = 500

// Viewed is a story with its page views over a period.
type Viewed struct {
	Story
	Views int
}

// NewsroomFilter selects stories for the newsroom's list, whatever their
// status.
type NewsroomFilter struct {
	Status    Status
	SectionID int64
	CreatedBy int64
	// AuthorID keeps stories with this staff author in the bylines.
	AuthorID int64
	// Query matches the headline.
	Query string
	Limit int
	// Offset skips that many stories of the list, for its later pages.
	Offset int
}

// Access says who may read a story.
type Access string

// Access levels.
const (
	Free        Access = "free"        // anyone may read it
	Subscribers Access = "subscribers" // digital access needed
)

// Valid reports whether a is a known access level.
func (a Access) Valid() bool { return a == Free || a == Subscribers }

// Status is where a story is in its life.
type Status string

// Statuses.
const (
	Draft     Status = "draft"
	Scheduled Status = "scheduled"
	Published Status = "published"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return s == Draft || s == Scheduled || s == Published }

// Section is a part of the paper: World, Business, Culture.
type Section struct {
	ID          int64
	Slug        string
	Name        string
	Description string
	Position    int
}

// Author is a member of staff who writes stories.
type Author struct {
	ID   int64
	Slug string
	Name string
	Bio  string
	// PhotoID is an image of the author; 0 for none.
	PhotoID int64
}

// Tag is a topic that groups stories across sections.
type Tag struct {
	ID   int64
	Slug string
	Name string
}

// Byline is one name a story is credited to: a staff author (AuthorSlug set)
// or free text such as a news agency.
type Byline struct {
	Name       string
	AuthorSlug string
}

// Correction is a note appended to a published story when it was wrong.
type Correction struct {
	ID        int64
	Body      string
	CreatedAt time.Time
}

// Story is one piece of journalism.
type Story struct {
	ID       int64
	Slug     string
	Headline string
	// Dek is the standfirst shown under the headline; optional.
	Dek string
	// Dateline is the place the story was reported from, e.g. "BEIRUT".
	Dateline string
	Section  Section
	Bylines  []Byline
	Tags     []Tag
	// Body is the Markdown the newsroom wrote; BodyHTML is its safe
	// rendering, kept beside it so readers never wait for the renderer.
	Body     string
	BodyHTML string
	Access   Access
	Status   Status
	// PublishedAt is when the story went (or goes) live; zero for drafts.
	PublishedAt time.Time
	// UpdatedAt is when a published story was last changed; zero if never.
	UpdatedAt   time.Time
	CreatedAt   time.Time
	Corrections []Correction
	Version     int
	// Comments is who may comment: "subscribers" (the default),
	// "registered" or "closed".
	Comments string
	// CommentCount is the number of published comments, filled for lists.
	CommentCount int
	// Lead is the plain text of the first paragraph: what search indexes
	// besides the headline and dek, and quotes, since every reader may
	// see it.
	Lead string
	// Rest is the plain text of the body after the first paragraph. Search
	// matches and ranks by it, so every word of a story finds it, but
	// never quotes it: a subscribers-only story's rest is paywalled.
	Rest string
	// CreatedBy is the member of staff who created the story; 0 if unknown.
	CreatedBy int64
	// SubmittedAt is when a writer asked for the draft to be reviewed.
	SubmittedAt time.Time
	// SEOTitle and SEODescription, when set, are what search engines and
	// link previews show instead of the headline and dek.
	SEOTitle       string
	SEODescription string
	// ChangedAt is when the newsroom last saved the story, whatever its
	// status; filled for the newsroom's list only.
	ChangedAt time.Time
	// Credit names who the story comes from when that is not the
	// newsroom, such as a news agency; empty for the paper's own.
	Credit string
	// Wire identifies an agency's item the story was made from; zero for
	// stories written in the newsroom.
	Wire WireItem
}

// WireItem is an agency's news item a story was made from: the agency's
// identifier of it, which every version of the item shares, and when the
// version the story holds was made.
type WireItem struct {
	URI     string
	Version time.Time
}

// Revision is a story as one save left it.
type Revision struct {
	ID        int64
	StoryID   int64
	UserID    int64
	UserName  string
	Version   int
	Headline  string
	Dek       string
	Body      string
	CreatedAt time.Time
}

// Path is the story's permanent URL path: the day it was published and
// its slug.
func (s *Story) Path() string {
	return Path(s.PublishedAt, s.Slug)
}

// Path builds a story's permanent URL path from its publication time and
// slug: /2026/11/29/the-slug, the UTC date it was published on and its
// slug. The date is UTC's, not the paper's day (DayOf): an address is
// permanent, and the paper's time zone is a setting that may change, which
// must not move every story. A story's page answers an address with any
// other date, such as the paper's own day, with a permanent redirect to
// this one, so a link written either way keeps working.
func Path(published time.Time, slug string) string {
	d := published.UTC()
	return fmt.Sprintf("/%04d/%02d/%02d/%s", d.Year(), int(d.Month()), d.Day(), slug)
}

// DayPath is the address of the archive of the paper's day t falls on in
// the paper's time zone loc: /2026/11/29/.
func DayPath(t time.Time, loc *time.Location) string {
	d := DayOf(t, loc)
	return fmt.Sprintf("/%04d/%02d/%02d/", d.Year(), int(d.Month()), d.Day())
}

// The paper's days begin at midnight in its time zone (a nil location is
// UTC): its archive of each day, "today" and the paywall meter's months
// follow them. DayOf and DayStart are the one place that says how.

// DayOf returns the start of the paper's day t falls on, in loc.
func DayOf(t time.Time, loc *time.Location) time.Time {
	t = t.In(zoneOr(loc))
	return DayStart(t.Year(), t.Month(), t.Day(), loc)
}

// DayStart returns the start of a day of the paper in loc; the day after
// it starts at DayStart(year, month, day+1, loc). A day that begins in a
// change of the clocks (a midnight that does not happen) starts at the
// first moment it has.
func DayStart(year int, month time.Month, day int, loc *time.Location) time.Time {
	loc = zoneOr(loc)
	t := time.Date(year, month, day, 0, 0, 0, 0, loc)
	n := time.Date(year, month, day, 0, 0, 0, 0, time.UTC) // the day meant, normalised
	if ty, tm, td := t.Date(); ty != n.Year() || tm != n.Month() || td != n.Day() {
		// time.Date may put a skipped midnight in the evening before; the
		// day starts when its clocks do.
		t = time.Date(n.Year(), n.Month(), n.Day(), 1, 0, 0, 0, loc)
	}
	return t
}

// MonthStart returns the start of the paper's month t falls on, in loc.
func MonthStart(t time.Time, loc *time.Location) time.Time {
	t = t.In(zoneOr(loc))
	return DayStart(t.Year(), t.Month(), 1, loc)
}

// zoneOr is loc, or UTC for nil.
func zoneOr(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}

// ParseDay reads a day as an archive's address writes it: a year of four
// digits, a month and a day of two ("2026", "11", "29"), and returns its
// start in loc. Anything else, such as 31 November, is ErrNotFound: there
// is no such address.
func ParseDay(year, month, day string, loc *time.Location) (time.Time, error) {
	y, ey := digits(year, 4)
	m, em := digits(month, 2)
	d, ed := digits(day, 2)
	if !ey || !em || !ed || y < 1 || m < 1 || m > 12 || d < 1 {
		return time.Time{}, fmt.Errorf("story: day %s/%s/%s: %w", year, month, day, ErrNotFound)
	}
	if time.Date(y, time.Month(m), d, 12, 0, 0, 0, time.UTC).Day() != d { // 31 November is 1 December to time.Date
		return time.Time{}, fmt.Errorf("story: day %s/%s/%s: %w", year, month, day, ErrNotFound)
	}
	return DayStart(y, time.Month(m), d, loc), nil
}

// digits reads a number written with exactly n decimal digits.
func digits(s string, n int) (int, bool) {
	if len(s) != n {
		return 0, false
	}
	v := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// Updated reports whether the story was changed after it was published.
func (s *Story) Updated() bool {
	return !s.UpdatedAt.IsZero() && s.UpdatedAt.After(s.PublishedAt)
}

// Modified is the last time the story changed: its update or its
// publication.
func (s *Story) Modified() time.Time {
	if s.Updated() {
		return s.UpdatedAt
	}
	return s.PublishedAt
}

// Visible reports whether readers may see the story at time now.
func (s *Story) Visible(now time.Time) bool {
	return s.Status == Published && !s.PublishedAt.IsZero() && !s.PublishedAt.After(now)
}

// ValidationError names the field that is wrong and says why, in words fit
// for the person who filled the form.
type ValidationError struct {
	Field   string
	Message string
}

func (e *ValidationError) Error() string { return e.Field + ": " + e.Message }

// Limits on story fields.
const (
	MaxHeadline = 200
	MaxDek      = 400
	MaxDateline = 60
	MaxBody     = 200_000
)

// Prepare checks the story's fields, fills its slug from the headline when
// empty, normalises its dateline and renders its body with r. It returns a
// *ValidationError for the first field that is wrong.
func (s *Story) Prepare(r *Renderer) error {
	s.Headline = strings.TrimSpace(s.Headline)
	s.Dek = strings.TrimSpace(s.Dek)
	s.Dateline = strings.ToUpper(strings.TrimSpace(s.Dateline))
	switch {
	case s.Headline == "":
		return &ValidationError{"headline", "A story needs a headline."}
	case utf8.RuneCountInString(s.Headline) > MaxHeadline:
		return &ValidationError{"headline", fmt.Sprintf("Keep the headline under %d characters.", MaxHeadline)}
	case utf8.RuneCountInString(s.Dek) > MaxDek:
		return &ValidationError{"dek", fmt.Sprintf("Keep the dek under %d characters.", MaxDek)}
	case utf8.RuneCountInString(s.SEOTitle) > 70:
		return &ValidationError{"seo_title", "Keep the search title under 70 characters."}
	case utf8.RuneCountInString(s.SEODescription) > 200:
		return &ValidationError{"seo_description", "Keep the search description under 200 characters."}
	case utf8.RuneCountInString(s.Dateline) > MaxDateline:
		return &ValidationError{"dateline", fmt.Sprintf("Keep the dateline under %d characters.", MaxDateline)}
	case len(s.Body) > MaxBody:
		return &ValidationError{"body", fmt.Sprintf("The body is longer than %d bytes.", MaxBody)}
	case s.Section.Slug == "" && s.Section.ID == 0:
		return &ValidationError{"section", "Choose a section."}
	case len(s.Bylines) == 0:
		return &ValidationError{"bylines", "A story needs at least one byline."}
	}
	if s.Access == "" {
		s.Access = Free
	}
	if !s.Access.Valid() {
		return &ValidationError{"access", "Access must be free or subscribers."}
	}
	if s.Status == "" {
		s.Status = Draft
	}
	if !s.Status.Valid() {
		return &ValidationError{"status", "Status must be draft, scheduled or published."}
	}
	if s.Status != Draft && s.PublishedAt.IsZero() {
		return &ValidationError{"published_at", "A scheduled or published story needs a publication time."}
	}
	if s.Slug == "" {
		s.Slug = Slugify(s.Headline)
	}
	if !ValidSlug(s.Slug) {
		return &ValidationError{"slug", "A slug is lower-case letters, digits and single hyphens."}
	}
	for i, b := range s.Bylines {
		s.Bylines[i].Name = strings.TrimSpace(b.Name)
		if s.Bylines[i].Name == "" && b.AuthorSlug == "" {
			return &ValidationError{"bylines", "A byline cannot be empty."}
		}
	}
	s.BodyHTML = r.Render(s.Body)
	s.Lead = r.PlainText((&Story{BodyHTML: s.BodyHTML}).LeadWithDateline())
	s.Rest = r.RestText(s.BodyHTML)
	return nil
}

// Filter selects published stories for a list page or feed. Zero fields
// select everything.
type Filter struct {
	SectionID int64
	TagID     int64
	AuthorID  int64
	// Since keeps stories published at or after it.
	Since time.Time
	// Before keeps stories published before it.
	Before time.Time
	// WithBody loads each story's body as well; feeds want it, lists don't.
	WithBody bool
	Limit    int
	Offset   int
}

// Ref is what a sitemap needs of a published story.
type Ref struct {
	Slug        string
	Headline    string
	PublishedAt time.Time
	Modified    time.Time
}

// Path is the story's permanent URL path.
func (r Ref) Path() string { return Path(r.PublishedAt, r.Slug) }
