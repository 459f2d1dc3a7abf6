package story

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Search limits: a query keeps at most MaxSearchTerms words of at most
// MaxTermLength bytes each; the rest is ignored.
const (
	MaxSearchTerms = 12
	MaxTermLength  = 64
)

// SearchTerms reduces what a reader typed to plain words: letters and
// digits only, lower case. Quotes, operators and any other query syntax
// are dropped, so no input can change the shape of the search.
func SearchTerms(q string) []string {
	var terms []string
	for _, w := range strings.FieldsFunc(q, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len(terms) == MaxSearchTerms {
			break
		}
		w = strings.ToLower(w)
		if len(w) > MaxTermLength {
			w = w[:MaxTermLength]
			for !utf8.ValidString(w) {
				w = w[:len(w)-1]
			}
		}
		terms = append(terms, w)
	}
	return terms
}

// SearchQuery is a reader's search.
type SearchQuery struct {
	Terms     []string
	SectionID int64
	// From and To bound the publication time: From <= published < To.
	From, To time.Time
	// Newest orders the matches newest first; otherwise the best match
	// comes first.
	Newest bool
	Limit  int
	Offset int
}

// SearchSort is the order of a search's results, as the sort parameter of
// /search names it.
type SearchSort string

// The orders of search results.
const (
	// ByRelevance puts the best match first: the default.
	ByRelevance SearchSort = "relevance"
	// ByNewest puts the most recently published first.
	ByNewest SearchSort = "newest"
)

// ParseSearchSort reads the sort a reader asked for: "" or "relevance" is
// ByRelevance, "newest" ByNewest. Anything else is ByRelevance and false.
func ParseSearchSort(s string) (SearchSort, bool) {
	switch SearchSort(s) {
	case "", ByRelevance:
		return ByRelevance, true
	case ByNewest:
		return ByNewest, true
	}
	return ByRelevance, false
}

// Highlight marks open and close a matched word in a Snippet; the web
// layer turns them into <mark> after escaping everything else.
const (
	HighlightStart = "\uE000"
	HighlightEnd   = "\uE001"
)

// SearchHit is a story found by search, with a snippet of its dek or
// first paragraph: what every reader may see of it. A story is also found
// by the words of the rest of its body, which the snippet never quotes.
type SearchHit struct {
	Story
	Snippet string
}
