package story

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// MaxSlug is the longest slug Slugify makes.
const MaxSlug = 80

// Slugify turns a headline into a URL slug: lower-case ASCII letters and
// digits joined by single hyphens, accents removed, at most MaxSlug bytes and
// cut at a word boundary. A headline with nothing usable gives "story".
func Slugify(headline string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range norm.NFKD.String(headline) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue // a combining accent: drop it, keep the letter
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(unicode.ToLower(r))
		case r == '\'' || r == '’':
			continue // "reader's" becomes "readers"
		default:
			hyphen = true
		}
	}
	s := b.String()
	if len(s) > MaxSlug {
		s = s[:MaxSlug]
		if i := strings.LastIndexByte(s, '-'); i > MaxSlug/2 {
			s = s[:i]
		}
		s = strings.Trim(s, "-")
	}
	if s == "" {
		return "story"
	}
	return s
}

// ValidSlug reports whether s is a slug as Slugify makes them: non-empty,
// at most 200 bytes, lower-case ASCII letters, digits and single inner
// hyphens.
func ValidSlug(s string) bool {
	if s == "" || len(s) > 200 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' && s[i-1] != '-':
		default:
			return false
		}
	}
	return true
}
