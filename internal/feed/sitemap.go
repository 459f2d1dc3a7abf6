package feed

import (
	"encoding/xml"
	"fmt"
	"io"
	"time"
)

const (
	sitemapNS = "http://www.sitemaps.org/schemas/sitemap/0.9"
	newsNS    = "http://www.google.com/schemas/sitemap-news/0.9"
)

// MaxSitemapURLs is the most URLs one sitemap file may list (50,000 by the protocol).
const MaxSitemapURLs = 50000

// MaxIndexSitemaps is the most sitemaps one sitemap index may name (50,000
// by the protocol).
const MaxIndexSitemaps = 50000

// MaxNewsURLs is the most stories one Google News sitemap may list (1,000
// by Google's rule).
const MaxNewsURLs = 1000

// URL is one location in a sitemap.
type URL struct {
	Loc     string
	LastMod time.Time // zero: omitted
}

// urlset and its parts mirror the XML that WriteSitemap produces.

type urlset struct {
	XMLName xml.Name     `xml:"urlset"`
	XMLNS   string       `xml:"xmlns,attr"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

// WriteSitemap writes a sitemaps.org urlset with the given URLs.
// It returns an error, having written nothing, if there are more than
// MaxSitemapURLs of them.
func WriteSitemap(w io.Writer, urls []URL) error {
	if len(urls) > MaxSitemapURLs {
		return fmt.Errorf("feed: sitemap has %d URLs, more than the %d allowed", len(urls), MaxSitemapURLs)
	}
	return writeXML(w, urlset{XMLNS: sitemapNS, URLs: sitemapURLs(urls)})
}

// sitemapIndex mirrors the XML that WriteSitemapIndex produces: each child
// sitemap is a location and a date, as a URL is.
type sitemapIndex struct {
	XMLName  xml.Name     `xml:"sitemapindex"`
	XMLNS    string       `xml:"xmlns,attr"`
	Sitemaps []sitemapURL `xml:"sitemap"`
}

// WriteSitemapIndex writes a sitemaps.org sitemapindex naming the given
// child sitemaps, for a site with more URLs than one sitemap may list. It
// returns an error, having written nothing, if there are more than
// MaxIndexSitemaps of them.
func WriteSitemapIndex(w io.Writer, sitemaps []URL) error {
	if len(sitemaps) > MaxIndexSitemaps {
		return fmt.Errorf("feed: sitemap index has %d sitemaps, more than the %d allowed", len(sitemaps), MaxIndexSitemaps)
	}
	return writeXML(w, sitemapIndex{XMLNS: sitemapNS, Sitemaps: sitemapURLs(sitemaps)})
}

func sitemapURLs(urls []URL) []sitemapURL {
	out := make([]sitemapURL, 0, len(urls))
	for _, u := range urls {
		su := sitemapURL{Loc: u.Loc}
		if !u.LastMod.IsZero() {
			su.LastMod = formatTime(u.LastMod)
		}
		out = append(out, su)
	}
	return out
}

// NewsItem is one story in a news sitemap.
type NewsItem struct {
	Loc       string
	Title     string
	Published time.Time
}

// newsURLSet and its parts mirror the XML that WriteNewsSitemap produces.
// encoding/xml has no control over prefixes, so the news: prefix is part of
// the element names and is declared by hand on the root.

type newsURLSet struct {
	XMLName   xml.Name  `xml:"urlset"`
	XMLNS     string    `xml:"xmlns,attr"`
	XMLNSNews string    `xml:"xmlns:news,attr"`
	URLs      []newsURL `xml:"url"`
}

type newsURL struct {
	Loc  string   `xml:"loc"`
	News newsNews `xml:"news:news"`
}

type newsNews struct {
	Publication     newsPublication `xml:"news:publication"`
	PublicationDate string          `xml:"news:publication_date"`
	Title           string          `xml:"news:title"`
}

type newsPublication struct {
	Name     string `xml:"news:name"`
	Language string `xml:"news:language"`
}

// WriteNewsSitemap writes a Google News sitemap: a urlset whose url elements each carry
// news:news with news:publication (news:name, news:language), news:publication_date, news:title.
//
// publication is the publication's name as Google News knows it and language
// its ISO 639 code, such as "en". Google wants only stories published in the
// last two days; choosing them is the caller's job. WriteNewsSitemap returns
// an error, having written nothing, if there are more than MaxNewsURLs items.
func WriteNewsSitemap(w io.Writer, publication, language string, items []NewsItem) error {
	if len(items) > MaxNewsURLs {
		return fmt.Errorf("feed: news sitemap has %d items, more than the %d allowed", len(items), MaxNewsURLs)
	}
	doc := newsURLSet{
		XMLNS:     sitemapNS,
		XMLNSNews: newsNS,
		URLs:      make([]newsURL, 0, len(items)),
	}
	pub := newsPublication{Name: publication, Language: language}
	for _, it := range items {
		doc.URLs = append(doc.URLs, newsURL{
			Loc: it.Loc,
			News: newsNews{
				Publication:     pub,
				PublicationDate: formatTime(it.Published),
				Title:           it.Title,
			},
		})
	}
	return writeXML(w, doc)
}
