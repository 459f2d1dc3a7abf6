package web

import (
	"bytes"
	"net/http"

	"dateline/internal/billing"
	"dateline/internal/comment"
	"dateline/internal/pagecache"
)

// Signed-in readers' story pages are kept too, whole, for the many readers
// who see a story alike: subscribers reading it in full, with nothing of
// their own in its discussion and the same right to comment. Such a page
// differs from reader to reader only in the name in the masthead, so it is
// rendered once with a mark in place of the name, and each reader gets it
// with their own name written in (see serveReaderPage). Which pages may be
// shared is pagecache.ReaderKey's rule; readerState reads the page for it.
//
// The kept pages live in a page cache of their own, apart from anonymous
// pages, and carry the tags of the anonymous story page: the purges that
// drop one drop the other, here and on every other instance.

// readerShare is the part of the page cache's memory given to pages kept
// for signed-in readers (one in readerShare).
const readerShare = 4

// readerPageKey names the page data shows, as every signed-in reader in
// the viewer's state sees it; "" when the page is the viewer's own (see
// pagecache.ReaderKey).
func readerPageKey(data *storyPage) string {
	return pagecache.ReaderKey(readerState(data))
}

// readerState is what of the page data shows decides whether it is shared.
func readerState(data *storyPage) pagecache.ReaderState {
	v := data.Viewer
	st := pagecache.ReaderState{
		StoryID:   data.Story.ID,
		Signed:    v != nil,
		Staff:     v != nil && v.Staff(),
		GiftLink:  data.NoIndex, // set on pages opened through a gift link
		FullStory: data.Access.Full,
		Metered:   data.Access.Why == billing.WhyMeter,
		Access:    string(data.Access.Why),
		CanGift:   data.CanGift,
		Subscribe: data.OfferSubscribe,
	}
	if c := data.Comments; c != nil {
		st.Discussion = true
		st.CommentForm = c.Form != nil
		st.Notice = c.Notice != ""
		st.ReplyOpen = c.ReplyTo != 0
		st.CanSetRules = c.CanSetMode
		st.Suspended = c.Eligibility.Reason == comment.Suspended
		st.OwnComments = len(c.Thread.Comments) > 0 && !c.shared
		st.CanComment = c.Eligibility.CanPost
		st.CannotComment = string(c.Eligibility.Reason)
		st.ReplyBase, st.MoreURL = c.ReplyBase, c.MoreURL
	}
	return st
}

// serveReaderPage answers with the page kept under key, with the reader's
// name written in, rendering and keeping it first when it is not kept.
// gen is the reader pages' purge count read before the story was.
func (s *Server) serveReaderPage(w http.ResponseWriter, r *http.Request, key string, gen uint64, data *storyPage) {
	name := data.Viewer.DisplayName
	buf := s.pages.bufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer s.pages.bufs.Put(buf)
	p := s.readerPages.Get(key)
	if p == nil {
		s.metrics.cache.WithLabelValues("miss").Inc()
		s.finishStory(r, data)
		anyone := *data.Viewer
		anyone.DisplayName = s.marks.Name
		data.Viewer = &anyone
		if err := s.renderPage(buf, "story", data); err != nil {
			s.serverError(w, r, err)
			return
		}
		st := data.Story
		p = s.readerPages.NewPage(key, "text/html; charset=utf-8", buf.Bytes(),
			storyPageTags(st.ID, st.Section.Slug), st.ID)
		p.NameAt(s.marks.Name)
		p.ExpireBy(s.nextMidnight(r.Context()))
		s.readerPages.Put(p, gen)
		buf.Reset()
	} else {
		s.metrics.cache.WithLabelValues("hit").Inc()
	}
	if len(p.Body()) >= compressFrom && acceptsGzip(r) && p.GzipNamed(buf, name) {
		writeGzipped(w, http.StatusOK, buf.Bytes())
		return
	}
	p.WriteNamed(buf, name)
	s.writeHTML(w, r, http.StatusOK, buf.Bytes())
}
