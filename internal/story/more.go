package story

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

// What a story page offers after the story.
const (
	// RelatedMax is how many related stories a story page lists at most.
	RelatedMax = 5
	// SectionMore is how many of the section's latest stories a story
	// page lists under "More in <section>".
	SectionMore = 4
	// WordsPerMinute is the reading speed reading times are counted at.
	WordsPerMinute = 230
)

// MoreQuery asks the store for the stories a story page offers after the
// story: those sharing its tags and the latest of its section, all
// published and visible, never the story itself.
type MoreQuery struct {
	// StoryID is the story shown, left out of both lists.
	StoryID int64
	// TagIDs are the story's tags; without any, nothing is related.
	TagIDs []int64
	// Related is how many stories sharing tags to return at most, those
	// sharing the most tags first, then the newest.
	Related int
	// SectionID is the story's section; InSection how many of its
	// newest stories to return at most.
	SectionID int64
	InSection int
}

// Teaser is a story as a list after another story shows it: enough for a
// link with its section and date.
type Teaser struct {
	ID          int64
	Slug        string
	Headline    string
	Access      Access
	PublishedAt time.Time
	Section     Section
	// SharedTags is how many tags it shares with the story shown; 0 in
	// the section's list.
	SharedTags int
}

// Path is the story's permanent URL path.
func (t Teaser) Path() string { return Path(t.PublishedAt, t.Slug) }

// MoreToRead is what a story page offers after the story.
type MoreToRead struct {
	// Related share tags with the story: the most shared first, then the
	// newest; at most RelatedMax.
	Related []Teaser
	// InSection are the latest stories of the story's section that are
	// not in Related; at most SectionMore.
	InSection []Teaser
}

// Empty reports whether there is nothing more to read.
func (m *MoreToRead) Empty() bool { return m == nil || len(m.Related)+len(m.InSection) == 0 }

// MoreToRead chooses what the page of st offers after it: up to RelatedMax
// published stories sharing its tags, ranked by the number of tags shared
// and then by date, and up to SectionMore of the latest published stories
// of its section that are not among them. Neither lists st itself, nor a
// story readers cannot see yet. It asks the store once.
func (s *Service) MoreToRead(ctx context.Context, st *Story) (*MoreToRead, error) {
	q := MoreQuery{StoryID: st.ID, SectionID: st.Section.ID, Related: RelatedMax,
		// Enough of the section to fill its list once the related stories
		// are taken out of it.
		InSection: SectionMore + RelatedMax}
	for _, t := range st.Tags {
		q.TagIDs = append(q.TagIDs, t.ID)
	}
	if len(q.TagIDs) == 0 {
		q.Related = 0
	}
	related, section, err := s.store.MoreToRead(ctx, q)
	if err != nil {
		return nil, err
	}
	newest := func(a, b Teaser) int {
		if c := b.PublishedAt.Compare(a.PublishedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	}
	more := &MoreToRead{}
	seen := map[int64]bool{st.ID: true}
	slices.SortStableFunc(related, func(a, b Teaser) int {
		if c := cmp.Compare(b.SharedTags, a.SharedTags); c != 0 {
			return c
		}
		return newest(a, b)
	})
	for _, t := range related {
		if len(more.Related) < RelatedMax && t.SharedTags > 0 && !seen[t.ID] {
			seen[t.ID] = true
			more.Related = append(more.Related, t)
		}
	}
	slices.SortStableFunc(section, newest)
	for _, t := range section {
		if len(more.InSection) < SectionMore && !seen[t.ID] {
			seen[t.ID] = true
			more.InSection = append(more.InSection, t)
		}
	}
	return more, nil
}

// Words counts the words of the whole story's text, whatever part of it
// a reader may see: its rendered body without the markup.
func (s *Story) Words() int {
	n, inTag, inWord := 0, false, false
	for _, c := range s.BodyHTML {
		switch {
		case inTag:
			inTag = c != '>'
		case c == '<':
			// A tag is no space: "<em>un</em>done" is one word. The
			// renderer ends each block with a line break.
			inTag = true
		case c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\u00a0':
			inWord = false
		case !inWord:
			inWord = true
			n++
		}
	}
	return n
}

// ReadingMinutes is how long the whole story takes to read at
// WordsPerMinute, rounded up: what a reader would get for subscribing,
// even when they see only the lead. It is 0 only for a story without
// words.
func (s *Story) ReadingMinutes() int {
	return (s.Words() + WordsPerMinute - 1) / WordsPerMinute
}

// DayPage is one page of the archive of a day: the stories published on
// it, newest first.
type DayPage struct {
	ListPage
	// Day is the start of the day shown.
	Day time.Time
	// Prev and Next are the nearest earlier and later days with
	// published stories; zero when there is none.
	Prev, Next time.Time
}

// Day returns a page of the stories published on the paper's day that
// day falls on, in the paper's time zone (see DayOf), newest first, with
// the nearest days before and after it that have stories. A page number outside 1 to
// MaxPage is ErrBadPage; a day without published stories, or a page past
// its last, is ErrNotFound.
func (s *Service) Day(ctx context.Context, day time.Time, page int) (*DayPage, error) {
	loc := s.Zone(ctx)
	from := DayOf(day, loc)
	to := DayStart(from.Year(), from.Month(), from.Day()+1, loc)
	lp, err := s.Published(ctx, Filter{Since: from, Before: to}, page)
	if err != nil {
		return nil, err
	}
	if len(lp.Stories) == 0 {
		return nil, fmt.Errorf("story: nothing published on %s: %w", from.Format(time.DateOnly), ErrNotFound)
	}
	before, after, err := s.store.PublishedAround(ctx, from, to)
	if err != nil {
		return nil, err
	}
	dp := &DayPage{ListPage: *lp, Day: from}
	if !before.IsZero() {
		dp.Prev = DayOf(before, loc)
	}
	if !after.IsZero() {
		dp.Next = DayOf(after, loc)
	}
	return dp, nil
}
