package pagecache

import (
	"bytes"
	"compress/flate"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"html/template"
	"sync"
)

// A page is sometimes rendered with marks where something is written in
// afterwards: a long part rendered beforehand (a story's discussion, tens
// of kilobytes that html/template would copy through fmt into a buffer of
// its own), and, on a page kept for signed-in readers, each reader's name.
// This file is everything that writes into a rendered page.

// Marks are the marks of one process: random, made when it starts, so no
// reader's text (escaped) and no story's HTML (its comments removed) can
// carry one.
type Marks struct {
	// Part is where a page's long part goes (see Splice): an HTML
	// comment, invisible if it were ever left.
	Part string
	// Name is where a reader's name goes on a page kept for signed-in
	// readers (see Page.WriteNamed): a page is rendered once with it in
	// place of the name.
	Name string
}

// NewMarks makes a process's marks.
func NewMarks() Marks {
	var mark [16]byte
	_, _ = rand.Read(mark[:]) // crypto/rand.Read does not fail
	part := "<!--" + hex.EncodeToString(mark[:]) + "-->"
	_, _ = rand.Read(mark[:])
	return Marks{Part: part, Name: "reader-" + hex.EncodeToString(mark[:])}
}

// Splice writes part, HTML rendered beforehand, into the page in buf in
// place of the first mark. A page's template prints the mark once, and
// only when there is a part to write; an empty part takes the mark away.
func Splice(buf *bytes.Buffer, mark, part string) {
	i := bytes.Index(buf.Bytes(), []byte(mark))
	if i < 0 {
		return
	}
	tail := bytes.Clone(buf.Bytes()[i+len(mark):])
	buf.Truncate(i)
	buf.WriteString(part)
	buf.Write(tail)
}

// names is how a page kept for signed-in readers takes each reader's
// name: where it goes, and the page's parts between names kept
// compressed.
type names struct {
	at      []int // where the mark starts in the page, each time
	markLen int

	deflateOnce sync.Once
	deflated    [][]byte // the parts around the names, deflated one by one
}

// NameAt marks p as a page rendered with mark in place of the reader's
// name, each time the name shows. Call it before the page is kept.
func (p *Page) NameAt(mark string) {
	p.names = &names{at: marksIn(p.body, mark), markLen: len(mark)}
}

// escapeName is a reader's name as it goes into a page: HTML-escaped, as
// html/template would print it.
func escapeName(name string) string { return template.HTMLEscapeString(name) }

// WriteNamed writes the page into buf with name, escaped, in place of
// each name mark (see NameAt).
func (p *Page) WriteNamed(buf *bytes.Buffer, name string) {
	if p.names == nil {
		buf.Write(p.body)
		return
	}
	p.names.write(buf, p.body, escapeName(name))
}

// GzipNamed writes into buf the page as WriteNamed does, compressed with
// gzip, and reports whether it did: not for a name too long to go in one
// stored block, nor for a page without name marks. The page's parts
// between names are compressed once and kept, so a long page costs a
// checksum, not a compression, per reader.
func (p *Page) GzipNamed(buf *bytes.Buffer, name string) bool {
	name = escapeName(name)
	if p.names == nil || len(name) > maxStored {
		return false
	}
	p.names.gzip(buf, p.body, name)
	return true
}

// write writes body into buf with name, already escaped, in place of
// each mark.
func (n *names) write(buf *bytes.Buffer, body []byte, name string) {
	from := 0
	for _, at := range n.at {
		buf.Write(body[from:at])
		buf.WriteString(name)
		from = at + n.markLen
	}
	buf.Write(body[from:])
}

// maxStored is the most a deflate block stored as it is can hold.
const maxStored = 1<<16 - 1

// gzip writes into buf the gzip stream of body with name, already escaped
// and at most maxStored long, in place of each mark, made from the parts
// kept deflated. Each part was deflated on its own and all but the last
// end on a byte with a sync flush, so they join with the name between them
// as a stored block; only the checksum runs over the whole page.
func (n *names) gzip(buf *bytes.Buffer, body []byte, name string) {
	n.deflateOnce.Do(func() {
		from := 0
		for i := 0; i <= len(n.at); i++ {
			to := len(body)
			if i < len(n.at) {
				to = n.at[i]
			}
			var b bytes.Buffer
			zw, _ := flate.NewWriter(&b, flate.DefaultCompression) // a valid level cannot fail
			_, _ = zw.Write(body[from:to])                         // writes to memory do not fail
			if i < len(n.at) {
				_ = zw.Flush()
			} else {
				_ = zw.Close()
			}
			n.deflated = append(n.deflated, b.Bytes())
			from = to + n.markLen
		}
	})
	buf.Write([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}) // gzip, deflate, no name, no time, unknown OS
	var crc uint32
	size, from := 0, 0
	for i, part := range n.deflated {
		buf.Write(part)
		to := len(body)
		if i < len(n.at) {
			to = n.at[i]
		}
		crc = crc32.Update(crc, crc32.IEEETable, body[from:to])
		size += to - from
		if i < len(n.at) {
			var block [5]byte                                             // a stored block, not the last: its length, and the length's complement
			binary.LittleEndian.PutUint16(block[1:3], uint16(len(name)))  // #nosec G115 -- the caller holds name to maxStored
			binary.LittleEndian.PutUint16(block[3:5], ^uint16(len(name))) // #nosec G115 -- as above
			buf.Write(block[:])
			buf.WriteString(name)
			crc = crc32.Update(crc, crc32.IEEETable, []byte(name))
			size += len(name)
			from = to + n.markLen
		}
	}
	var trailer [8]byte
	binary.LittleEndian.PutUint32(trailer[:4], crc)
	binary.LittleEndian.PutUint32(trailer[4:], uint32(size)) // #nosec G115 -- gzip keeps the size modulo 2^32
	buf.Write(trailer[:])
}

// marksIn returns where mark starts in page, each time it does.
func marksIn(page []byte, mark string) []int {
	var at []int
	if mark == "" {
		return at
	}
	for from := 0; ; {
		i := bytes.Index(page[from:], []byte(mark))
		if i < 0 {
			return at
		}
		at = append(at, from+i)
		from += i + len(mark)
	}
}
