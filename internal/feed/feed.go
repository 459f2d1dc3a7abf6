// Package feed writes Dateline's machine-readable documents: an Atom 1.0
// feed (RFC 4287), a sitemap (sitemaps.org protocol 0.9) and a Google News
// sitemap.
//
// Every document is built with encoding/xml, so all values are escaped, and
// begins with the XML declaration. Times are written in UTC in the RFC 3339
// form 2006-01-02T15:04:05Z, which is also the W3C datetime form sitemaps use.
// The package knows nothing of HTTP or storage: callers pass plain values and
// an io.Writer.
package feed

import (
	"encoding/xml"
	"io"
	"time"
)

// atomNS is the Atom 1.0 namespace.
const atomNS = "http://www.w3.org/2005/Atom"

// timeFormat is RFC 3339 with whole seconds, applied to UTC times only so
// the zone is always written as "Z".
const timeFormat = "2006-01-02T15:04:05Z"

// formatTime returns t in UTC as RFC 3339 with whole seconds.
func formatTime(t time.Time) string {
	return t.UTC().Format(timeFormat)
}

// Person is an author of an entry.
type Person struct {
	Name string
	URI  string // optional
}

// Entry is one story in a feed.
type Entry struct {
	ID         string // permanent, unique: use the story's canonical URL
	Title      string
	URL        string // absolute link (rel="alternate", type text/html)
	Published  time.Time
	Updated    time.Time // zero: same as Published
	Authors    []Person  // none: the feed's title is written as the author
	Summary    string    // plain text (the dek); omitted when empty
	Content    string    // HTML; written as type="html" content; omitted when empty
	Categories []string  // category term= values (tag/section names); empty ones are skipped
}

// updated returns the entry's last-modified time: Updated, or Published when
// Updated is zero.
func (e *Entry) updated() time.Time {
	if e.Updated.IsZero() {
		return e.Published
	}
	return e.Updated
}

// Feed is an Atom feed.
type Feed struct {
	ID       string // permanent, e.g. the feed's own URL
	Title    string
	Subtitle string // optional
	SiteURL  string // link rel="alternate"; omitted when empty
	FeedURL  string // link rel="self"; omitted when empty
	// Updated is when the feed last changed. When zero, the newest entry's
	// Updated (or Published) time is used, or time.Unix(0, 0).UTC() if the
	// feed has no entries.
	Updated time.Time
	Entries []Entry
}

// updated returns the time to write as the feed's <updated>.
func (f *Feed) updated() time.Time {
	if !f.Updated.IsZero() {
		return f.Updated
	}
	var newest time.Time
	for i := range f.Entries {
		if u := f.Entries[i].updated(); u.After(newest) {
			newest = u
		}
	}
	if newest.IsZero() {
		return time.Unix(0, 0).UTC()
	}
	return newest
}

// The atom* types mirror the XML that WriteAtom produces.

type atomFeed struct {
	XMLName  xml.Name    `xml:"feed"`
	XMLNS    string      `xml:"xmlns,attr"`
	ID       string      `xml:"id"`
	Title    atomText    `xml:"title"`
	Subtitle *atomText   `xml:"subtitle,omitempty"`
	Updated  string      `xml:"updated"`
	Links    []atomLink  `xml:"link"`
	Entries  []atomEntry `xml:"entry"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      atomText       `xml:"title"`
	Links      []atomLink     `xml:"link"`
	Published  string         `xml:"published,omitempty"`
	Updated    string         `xml:"updated"`
	Authors    []atomPerson   `xml:"author"`
	Categories []atomCategory `xml:"category"`
	Summary    *atomText      `xml:"summary,omitempty"`
	Content    *atomText      `xml:"content,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

// WriteAtom writes f as an Atom 1.0 document (with the XML header) to w.
//
// Every entry gets an <author>: an entry without Authors is credited to the
// feed's Title, so the document is valid without a feed-level author.
func (f *Feed) WriteAtom(w io.Writer) error {
	doc := atomFeed{
		XMLNS:   atomNS,
		ID:      f.ID,
		Title:   atomText{Type: "text", Body: f.Title},
		Updated: formatTime(f.updated()),
	}
	if f.Subtitle != "" {
		doc.Subtitle = &atomText{Type: "text", Body: f.Subtitle}
	}
	if f.SiteURL != "" {
		doc.Links = append(doc.Links, atomLink{Rel: "alternate", Type: "text/html", Href: f.SiteURL})
	}
	if f.FeedURL != "" {
		doc.Links = append(doc.Links, atomLink{Rel: "self", Type: "application/atom+xml", Href: f.FeedURL})
	}
	doc.Entries = make([]atomEntry, 0, len(f.Entries))
	for i := range f.Entries {
		doc.Entries = append(doc.Entries, f.atomEntry(&f.Entries[i]))
	}
	return writeXML(w, doc)
}

// atomEntry converts e to its XML form, crediting the feed when e has no
// authors.
func (f *Feed) atomEntry(e *Entry) atomEntry {
	ae := atomEntry{
		ID:      e.ID,
		Title:   atomText{Type: "text", Body: e.Title},
		Updated: formatTime(e.updated()),
	}
	if e.URL != "" {
		ae.Links = []atomLink{{Rel: "alternate", Type: "text/html", Href: e.URL}}
	}
	if !e.Published.IsZero() {
		ae.Published = formatTime(e.Published)
	}
	for _, p := range e.Authors {
		ae.Authors = append(ae.Authors, atomPerson(p))
	}
	if len(ae.Authors) == 0 {
		ae.Authors = []atomPerson{{Name: f.Title}}
	}
	for _, c := range e.Categories {
		if c != "" {
			ae.Categories = append(ae.Categories, atomCategory{Term: c})
		}
	}
	if e.Summary != "" {
		ae.Summary = &atomText{Type: "text", Body: e.Summary}
	}
	if e.Content != "" {
		ae.Content = &atomText{Type: "html", Body: e.Content}
	}
	return ae
}

// writeXML writes the XML declaration, then v indented, then a newline.
func writeXML(w io.Writer, v any) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
