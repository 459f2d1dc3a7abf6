package comment

import (
	"html"
	"html/template"
	"regexp"
	"strings"
)

// linkPattern finds web addresses in comment text.
var linkPattern = regexp.MustCompile(`(?i)\bhttps?://[^\s<>"'\x60]+`)

// findLinks returns the addresses in text, without trailing punctuation.
func findLinks(text string) [][2]int {
	var out [][2]int
	for _, m := range linkPattern.FindAllStringIndex(text, -1) {
		end := m[1]
		for end > m[0] && strings.ContainsRune(".,;:!?)]}’”", rune(text[end-1])) {
			end--
		}
		if end-m[0] > len("https://") {
			out = append(out, [2]int{m[0], end})
		}
	}
	return out
}

// Render turns comment text into HTML: every character escaped,
// paragraphs at blank lines, line breaks kept, and web addresses made into
// links that tell search engines not to follow them. Nothing a reader types
// can become markup.
func Render(text string) template.HTML {
	var b strings.Builder
	for _, para := range strings.Split(text, "\n\n") {
		para = strings.Trim(para, "\n")
		if para == "" {
			continue
		}
		b.WriteString("<p>")
		for i, line := range strings.Split(para, "\n") {
			if i > 0 {
				b.WriteString("<br>")
			}
			last := 0
			for _, l := range findLinks(line) {
				b.WriteString(html.EscapeString(line[last:l[0]]))
				url := line[l[0]:l[1]]
				b.WriteString(`<a href="`)
				b.WriteString(html.EscapeString(url))
				b.WriteString(`" rel="nofollow ugc noopener">`)
				b.WriteString(html.EscapeString(url))
				b.WriteString("</a>")
				last = l[1]
			}
			b.WriteString(html.EscapeString(line[last:]))
		}
		b.WriteString("</p>")
	}
	return template.HTML(b.String()) // #nosec G203 -- every piece of the text is escaped above
}
