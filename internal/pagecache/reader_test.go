package pagecache

import (
	"reflect"
	"testing"
)

// subscriber is a subscriber reading a subscribers-only story in full,
// under a discussion they may join and have nothing of their own in: the
// page every such reader shares. Each case below changes it.
var subscriber = ReaderState{
	StoryID: 42, Signed: true, FullStory: true, Access: "subscriber", CanGift: true,
	Discussion: true, CanComment: true,
	ReplyBase: "/2026/11/28/ferry?comments=20&sort=oldest&reply=",
}

const subscriberKey = "reader\x0042\x00subscriber\x00true" +
	"\x00true\x00\x00/2026/11/28/ferry?comments=20&sort=oldest&reply=\x00"

// readerCases is every reader state the rule tells apart, with the key it
// gives: "" for a page the reader gets rendered for them alone.
var readerCases = []struct {
	name   string
	change func(s *ReaderState)
	key    string
}{
	{"subscriber", func(s *ReaderState) {}, subscriberKey},
	{"anonymous reader (kept by URL instead)", func(s *ReaderState) { s.Signed = false }, ""},
	{"staff", func(s *ReaderState) { s.Staff = true; s.Access = "staff" }, ""},
	{"gift link", func(s *ReaderState) { s.GiftLink = true; s.Access = "gift"; s.CanGift = false }, ""},
	{"signed-in reader at the paywall", func(s *ReaderState) {
		s.FullStory, s.Access, s.CanGift, s.CanComment, s.CannotComment = false, "subscribe", false, false, "subscribe"
	}, ""},
	{"signed-in reader on the meter", func(s *ReaderState) {
		s.Metered, s.Access, s.CanGift, s.CanComment, s.CannotComment = true, "meter", false, false, "subscribe"
	}, ""},
	{"signed-in reader of a free story, without a subscription", func(s *ReaderState) {
		s.Access, s.CanGift, s.CanComment, s.CannotComment = "free", false, false, "subscribe"
	}, "reader\x0042\x00free\x00false\x00false\x00subscribe\x00/2026/11/28/ferry?comments=20&sort=oldest&reply=\x00"},
	{"signed-in reader of a free story, offered a subscription in the masthead", func(s *ReaderState) {
		s.Access, s.CanGift, s.CanComment, s.CannotComment, s.Subscribe = "free", false, false, "subscribe", true
	}, "reader\x0042\x00free\x00false\x00false\x00subscribe\x00/2026/11/28/ferry?comments=20&sort=oldest&reply=\x00\x00subscribe"},
	{"reader whose email address is not confirmed", func(s *ReaderState) {
		s.CanComment, s.CannotComment = false, "verify"
	}, "reader\x0042\x00subscriber\x00true\x00false\x00verify\x00/2026/11/28/ferry?comments=20&sort=oldest&reply=\x00"},
	{"discussion closed", func(s *ReaderState) {
		s.CanComment, s.CannotComment = false, "closed"
	}, "reader\x0042\x00subscriber\x00true\x00false\x00closed\x00/2026/11/28/ferry?comments=20&sort=oldest&reply=\x00"},
	{"suspended commenter", func(s *ReaderState) {
		s.Suspended, s.CanComment, s.CannotComment = true, false, "suspended"
	}, ""},
	{"reader with comments or recommendations of their own", func(s *ReaderState) { s.OwnComments = true }, ""},
	{"comment form that came back with a mistake", func(s *ReaderState) { s.CommentForm = true }, ""},
	{"thanks for a comment or a report", func(s *ReaderState) { s.Notice = true }, ""},
	{"reply form open", func(s *ReaderState) { s.ReplyOpen = true }, ""},
	{"moderator who may set the discussion's rules", func(s *ReaderState) { s.CanSetRules = true }, ""},
	{"another story", func(s *ReaderState) { s.StoryID = 43 },
		"reader\x0043\x00subscriber\x00true\x00true\x00\x00/2026/11/28/ferry?comments=20&sort=oldest&reply=\x00"},
	{"a free story, for a subscriber", func(s *ReaderState) { s.Access, s.CanGift = "free", false },
		"reader\x0042\x00free\x00false\x00true\x00\x00/2026/11/28/ferry?comments=20&sort=oldest&reply=\x00"},
	{"another order or length of the discussion", func(s *ReaderState) {
		s.ReplyBase = "/2026/11/28/ferry?comments=40&sort=newest&reply="
		s.MoreURL = "/2026/11/28/ferry?comments=60&sort=newest#comments"
	}, "reader\x0042\x00subscriber\x00true\x00true\x00\x00/2026/11/28/ferry?comments=40&sort=newest&reply=" +
		"\x00/2026/11/28/ferry?comments=60&sort=newest#comments"},
	{"site without discussions", func(s *ReaderState) {
		*s = ReaderState{StoryID: 42, Signed: true, FullStory: true, Access: "subscriber", CanGift: true}
	}, "reader\x0042\x00subscriber\x00true"},
	{"site without discussions: what a discussion would say does not count", func(s *ReaderState) {
		s.Discussion, s.OwnComments, s.Notice, s.ReplyBase = false, true, true, "ignored"
	}, "reader\x0042\x00subscriber\x00true"},
}

// TestReaderKey holds the rule for which signed-in readers share a story
// page to the table of every reader state: a change to the rule changes
// a key here.
func TestReaderKey(t *testing.T) {
	for _, c := range readerCases {
		s := subscriber
		c.change(&s)
		if got := ReaderKey(s); got != c.key {
			t.Errorf("%s: key %q, want %q", c.name, got, c.key)
		}
	}
}

// TestReaderCasesCoverEveryField checks that the table changes every
// field of ReaderState in some case: a field added to the state must be
// added to the table with what it does to the key.
func TestReaderCasesCoverEveryField(t *testing.T) {
	base := reflect.ValueOf(subscriber)
	changed := map[string]bool{}
	for _, c := range readerCases {
		s := subscriber
		c.change(&s)
		v := reflect.ValueOf(s)
		for i := range v.NumField() {
			if !reflect.DeepEqual(v.Field(i).Interface(), base.Field(i).Interface()) {
				changed[base.Type().Field(i).Name] = true
			}
		}
	}
	for i := range base.NumField() {
		if name := base.Type().Field(i).Name; !changed[name] {
			t.Errorf("no case changes ReaderState.%s", name)
		}
	}
}
