package web

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"dateline/internal/billing"
	"dateline/internal/comment"
)

// Signed-in readers' story pages are kept too, whole, for the many readers
// who see a story alike: subscribers reading it in full, with nothing of
// their own in its discussion and the same right to comment. Such a page
// differs from reader to reader only in the name in the masthead, so it is
// rendered once with a mark in place of the name, and each reader gets it
// with their own name written in (see serveReaderPage).
//
// The kept pages live in a page cache of their own, apart from anonymous
// pages, and carry the tags of the anonymous story page: the purges that
// drop one drop the other, here and on every other instance.

// readerShare is the part of the page cache's memory given to pages kept
// for signed-in readers (one in readerShare).
const readerShare = 4

// readerPageKey names the page data shows, as every signed-in reader of
// the viewer's kind sees it; "" when the page is the viewer's own: staff,
// a reader on the meter (the page counts their stories left), a gift link,
// a paywall, a discussion where the reader has comments or recommendations
// of their own, a form or notice, or a suspension with its own end date.
func readerPageKey(data *storyPage) string {
	// A gift link's page is kept out of search engines (NoIndex), and so
	// differs from the page without it.
	if data.Viewer == nil || data.Viewer.Staff() || data.NoIndex ||
		!data.Access.Full || data.Access.Why == billing.WhyMeter {
		return ""
	}
	var key strings.Builder
	key.WriteString("reader\x00")
	key.WriteString(strconv.FormatInt(data.Story.ID, 10))
	key.WriteString("\x00" + string(data.Access.Why) + "\x00" + strconv.FormatBool(data.CanGift))
	if c := data.Comments; c != nil {
		if c.Form != nil || c.Notice != "" || c.ReplyTo != 0 || c.CanSetMode ||
			c.Eligibility.Reason == comment.Suspended || (len(c.Thread.Comments) > 0 && !c.shared) {
			return ""
		}
		key.WriteString("\x00" + strconv.FormatBool(c.Eligibility.CanPost) + "\x00" + string(c.Eligibility.Reason))
		key.WriteString("\x00" + c.ReplyBase + "\x00" + c.MoreURL)
	}
	return key.String()
}

// serveReaderPage answers with the page kept under key, with the reader's
// name written in, rendering and keeping it first when it is not kept.
// gen is the reader pages' purge count read before the story was.
func (s *Server) serveReaderPage(w http.ResponseWriter, r *http.Request, key string, gen uint64, data *storyPage) {
	name := template.HTMLEscapeString(data.Viewer.DisplayName)
	buf := s.pages.bufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer s.pages.bufs.Put(buf)
	p := s.readerPages.get(key, s.now())
	if p == nil {
		s.metrics.cache.WithLabelValues("miss").Inc()
		s.finishStory(r, data)
		anyone := *data.Viewer
		anyone.DisplayName = s.nameMark
		data.Viewer = &anyone
		if err := s.renderPage(buf, "story", data); err != nil {
			s.serverError(w, r, err)
			return
		}
		st := data.Story
		p = newCachedPage(key, "text/html; charset=utf-8", buf.Bytes(),
			[]string{storyTag(st.ID), discussionTag(st.ID), sectionTag(st.Section.Slug)}, st.ID, s.now(), s.cacheTTL)
		p.reader = &readerParts{nameAt: marks(p.body, s.nameMark), markLen: len(s.nameMark)}
		s.readerPages.put(p, gen)
		buf.Reset()
	} else {
		s.metrics.cache.WithLabelValues("hit").Inc()
	}
	if len(p.body) >= compressFrom && len(name) <= maxStored && acceptsGzip(r) {
		// Compressed from the parts kept compressed: a long page costs a
		// checksum, not a compression, per reader.
		p.reader.gzip(buf, p.body, name)
		writeGzipped(w, http.StatusOK, buf.Bytes())
		return
	}
	p.reader.write(buf, p.body, name)
	s.writeHTML(w, r, http.StatusOK, buf.Bytes())
}

// readerParts is how a page kept for signed-in readers takes each
// reader's name: where it goes, and the page's parts between names kept
// compressed.
type readerParts struct {
	nameAt  []int // where the mark starts in the page, each time
	markLen int

	deflateOnce sync.Once
	deflated    [][]byte // the parts around the names, deflated one by one
}

// write writes body into buf with name, already escaped, in place of
// each mark.
func (rp *readerParts) write(buf *bytes.Buffer, body []byte, name string) {
	from := 0
	for _, at := range rp.nameAt {
		buf.Write(body[from:at])
		buf.WriteString(name)
		from = at + rp.markLen
	}
	buf.Write(body[from:])
}

// maxStored is the most a deflate block stored as it is can hold.
const maxStored = 1<<16 - 1

// gzip writes into buf the gzip stream of body with name in place of
// each mark, made from the parts kept deflated. Each part was deflated on
// its own and all but the last end on a byte with a sync flush, so they
// join with the name between them as a stored block; only the checksum
// runs over the whole page.
func (rp *readerParts) gzip(buf *bytes.Buffer, body []byte, name string) {
	rp.deflateOnce.Do(func() {
		from := 0
		for i := 0; i <= len(rp.nameAt); i++ {
			to := len(body)
			if i < len(rp.nameAt) {
				to = rp.nameAt[i]
			}
			var b bytes.Buffer
			zw, _ := flate.NewWriter(&b, flate.DefaultCompression) // a valid level cannot fail
			_, _ = zw.Write(body[from:to])                         // writes to memory do not fail
			if i < len(rp.nameAt) {
				_ = zw.Flush()
			} else {
				_ = zw.Close()
			}
			rp.deflated = append(rp.deflated, b.Bytes())
			from = to + rp.markLen
		}
	})
	buf.Write([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}) // gzip, deflate, no name, no time, unknown OS
	var crc uint32
	size, from := 0, 0
	for i, part := range rp.deflated {
		buf.Write(part)
		to := len(body)
		if i < len(rp.nameAt) {
			to = rp.nameAt[i]
		}
		crc = crc32.Update(crc, crc32.IEEETable, body[from:to])
		size += to - from
		if i < len(rp.nameAt) {
			var block [5]byte                                             // a stored block, not the last: its length, and the length's complement
			binary.LittleEndian.PutUint16(block[1:3], uint16(len(name)))  // #nosec G115 -- the caller holds name to maxStored
			binary.LittleEndian.PutUint16(block[3:5], ^uint16(len(name))) // #nosec G115 -- as above
			buf.Write(block[:])
			buf.WriteString(name)
			crc = crc32.Update(crc, crc32.IEEETable, []byte(name))
			size += len(name)
			from = to + rp.markLen
		}
	}
	var trailer [8]byte
	binary.LittleEndian.PutUint32(trailer[:4], crc)
	binary.LittleEndian.PutUint32(trailer[4:], uint32(size)) // #nosec G115 -- gzip keeps the size modulo 2^32
	buf.Write(trailer[:])
}

// marks returns where mark starts in page, each time it does.
func marks(page []byte, mark string) []int {
	var at []int
	for from := 0; ; {
		i := bytes.Index(page[from:], []byte(mark))
		if i < 0 {
			return at
		}
		at = append(at, from+i)
		from += i + len(mark)
	}
}
