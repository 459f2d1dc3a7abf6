package pagecache

import (
	"strconv"
	"strings"
)

// ReaderState is what of a signed-in reader's story page decides whether
// other signed-in readers see the same page (see ReaderKey). The web
// server fills it from the page it is about to render.
type ReaderState struct {
	// StoryID is the story the page shows.
	StoryID int64
	// Signed is true for a signed-in reader. Anonymous readers' pages are
	// kept by URL in a cache of their own.
	Signed bool
	// Staff is true for editors, moderators and the like: their pages
	// carry tools of their own.
	Staff bool
	// GiftLink is true for a page opened through a gift link: it is kept
	// out of search engines, and so differs from the page without it.
	GiftLink bool
	// FullStory is true when the reader may read the whole story; false
	// shows a paywall.
	FullStory bool
	// Metered is true when the reader reads on the meter: the page counts
	// the stories they have left.
	Metered bool
	// Access says why the reader may read the story (a billing.Why:
	// free, subscriber, …).
	Access string
	// CanGift is true when the page offers a gift link.
	CanGift bool
	// Subscribe is true when the masthead offers the reader a
	// subscription: they have no digital access (a free story, say).
	Subscribe bool

	// Discussion is true when the page shows the story's discussion; the
	// fields below describe it.
	Discussion bool
	// CommentForm is true when a comment the reader sent came back with a
	// mistake, shown in its form.
	CommentForm bool
	// Notice is true when the page thanks the reader for a comment or a
	// report.
	Notice bool
	// ReplyOpen is true when the reader opened a reply form (?reply=).
	ReplyOpen bool
	// CanSetRules is true when the reader may change who can comment.
	CanSetRules bool
	// Suspended is true when the reader is suspended from commenting: the
	// page says until when.
	Suspended bool
	// OwnComments is true when the list of comments was rendered for the
	// reader: they wrote or recommend comments in it.
	OwnComments bool
	// CanComment is true when the reader may post a comment.
	CanComment bool
	// CannotComment says why not (a comment.Reason), empty when they may.
	CannotComment string
	// ReplyBase starts the discussion's Reply links: its order and length.
	ReplyBase string
	// MoreURL is the discussion's link to more comments, if any.
	MoreURL string
}

// ReaderKey is the one rule for which signed-in readers' story pages are
// shared: it names the page s describes, as every signed-in reader in the
// same state sees it, with nothing of the reader's own but the name in the
// masthead, which is written in for each (see Page.WriteNamed). It is ""
// when the page is the reader's own and must be rendered for them: for
// anonymous readers (kept elsewhere), staff, a paywall, a reader on the
// meter, a gift link, or a discussion with something of the reader's in
// it: a form that came back, a notice, an open reply, the tools to set its
// rules, a suspension with its own end date, or comments or
// recommendations of their own.
//
// The key holds every other thing the page varies by: the story, why the
// reader may read it, whether they may give it, whether and why not they
// may comment, the discussion's order and length, and whether the
// masthead offers a subscription.
func ReaderKey(s ReaderState) string {
	if !s.Signed || s.Staff || s.GiftLink || !s.FullStory || s.Metered {
		return ""
	}
	if s.Discussion && (s.CommentForm || s.Notice || s.ReplyOpen || s.CanSetRules || s.Suspended || s.OwnComments) {
		return ""
	}
	var key strings.Builder
	key.WriteString("reader\x00")
	key.WriteString(strconv.FormatInt(s.StoryID, 10))
	key.WriteString("\x00" + s.Access + "\x00" + strconv.FormatBool(s.CanGift))
	if s.Discussion {
		key.WriteString("\x00" + strconv.FormatBool(s.CanComment) + "\x00" + s.CannotComment)
		key.WriteString("\x00" + s.ReplyBase + "\x00" + s.MoreURL)
	}
	if s.Subscribe {
		key.WriteString("\x00subscribe")
	}
	return key.String()
}
