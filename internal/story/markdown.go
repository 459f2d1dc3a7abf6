package story

import (
	"bytes"
	"html"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Renderer turns the newsroom's Markdown into HTML that is safe to show:
// raw HTML, scripts, event attributes and javascript: links never survive.
// A Renderer is safe for concurrent use.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
	strict *bluemonday.Policy
}

// NewRenderer returns a Renderer for story bodies.
func NewRenderer() *Renderer {
	policy := bluemonday.UGCPolicy()
	policy.AllowAttrs("class").Matching(bluemonday.SpaceSeparatedTokens).OnElements("code", "pre")
	return &Renderer{
		// goldmark already omits raw HTML and dangerous link targets unless
		// told otherwise; the policy behind it is the second lock.
		md:     goldmark.New(goldmark.WithExtensions(extension.GFM, extension.Typographer)),
		policy: policy,
		strict: bluemonday.StrictPolicy(),
	}
}

// PlainText strips every tag from rendered HTML and returns its text.
func (r *Renderer) PlainText(rendered string) string {
	return strings.Join(strings.Fields(html.UnescapeString(r.strict.Sanitize(rendered))), " ")
}

// RestText returns the plain text of a rendered body after the end of its
// first paragraph: what a story's Lead, the body up to there, leaves out.
// Lead and Rest together are the whole text of the body.
func (r *Renderer) RestText(rendered string) string {
	if _, rest, ok := strings.Cut(rendered, "</p>"); ok {
		return r.PlainText(rest)
	}
	return r.PlainText(rendered)
}

// Render converts Markdown to sanitised HTML.
func (r *Renderer) Render(markdown string) string {
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(markdown), &buf); err != nil {
		// goldmark only fails when the writer fails; a bytes.Buffer does not.
		return "<p>" + html.EscapeString(markdown) + "</p>"
	}
	return r.policy.Sanitize(buf.String())
}

// DatelineSep is what newspapers print between the dateline and the first
// sentence: an en dash with a space on either side.
const DatelineSep = " – "

// BodyWithDateline returns the story's HTML with the dateline printed in
// capitals at the start of the first paragraph, "BEIRUT – The first
// sentence". Without a dateline it returns the body unchanged.
func (s *Story) BodyWithDateline() string {
	if s.Dateline == "" {
		return s.BodyHTML
	}
	mark := `<span class="dateline">` + html.EscapeString(strings.ToUpper(s.Dateline)) + strings.TrimRight(DatelineSep, " ") + `</span>`
	if rest, ok := strings.CutPrefix(s.BodyHTML, "<p>"); ok {
		return "<p>" + mark + " " + rest
	}
	return "<p>" + mark + "</p>\n" + s.BodyHTML
}

// LeadWithDateline is what a reader without access sees of the body: the
// first paragraph, dateline included, and nothing after it.
func (s *Story) LeadWithDateline() string {
	body := s.BodyWithDateline()
	if i := strings.Index(body, "</p>"); i >= 0 {
		return body[:i+len("</p>")]
	}
	return ""
}
