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
	Limit    int
	Offset   int
}

// Highlight marks open and close a matched word in a Snippet; the web
// layer turns them into <mark> after escaping everything else.
const (
	HighlightStart = "\uE000"
	HighlightEnd   = "\uE001"
)

// SearchHit is a story found by search, with a snippet of its headline,
// dek or first paragraph.
type SearchHit struct {
	Story
	Snippet string
}
