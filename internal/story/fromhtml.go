package story

import (
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// MarkdownFromHTML turns HTML from outside, such as a news agency's body,
// into the Markdown the newsroom writes, so that an editor can work on it
// and it renders as every other story does. It is first sanitised with the
// policy every body is rendered with; paragraphs, headings, lists, quotes,
// code, emphasis, links and line breaks are kept, anything else only as
// its text.
func (r *Renderer) MarkdownFromHTML(s string) string {
	nodes, err := html.ParseFragment(strings.NewReader(r.policy.Sanitize(s)), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		// The parser reads any text; only a failing reader stops it.
		return MarkdownFromText(r.PlainText(s))
	}
	var c mdConverter
	for _, n := range nodes {
		c.block(n)
	}
	c.flush()
	return strings.Join(c.blocks, "\n\n")
}

// MarkdownFromText turns plain text into Markdown that renders as that
// text: paragraphs at blank lines, and nothing in it read as markup.
func MarkdownFromText(s string) string {
	var paras []string
	for _, p := range regexp.MustCompile(`\n[ \t]*\n`).Split(strings.ReplaceAll(s, "\r\n", "\n"), -1) {
		var lines []string
		for _, l := range strings.Split(p, "\n") {
			if l = strings.Join(strings.Fields(l), " "); l != "" {
				lines = append(lines, escapeLineStart(escapeMarkdown(l)))
			}
		}
		if len(lines) > 0 {
			paras = append(paras, strings.Join(lines, "\n"))
		}
	}
	return strings.Join(paras, "\n\n")
}

// mdConverter collects Markdown blocks from HTML nodes.
type mdConverter struct {
	blocks []string
	inline strings.Builder // the text of the paragraph being read
}

// flush ends the paragraph being read, if it has any text.
func (c *mdConverter) flush() {
	if p := strings.TrimSpace(c.inline.String()); p != "" {
		c.blocks = append(c.blocks, escapeLineStart(p))
	}
	c.inline.Reset()
}

// block reads n where a block may start.
func (c *mdConverter) block(n *html.Node) {
	if n.Type != html.ElementNode {
		c.inline.WriteString(inlineMarkdown(n))
		return
	}
	switch n.DataAtom {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		c.flush()
		level := max(2, int(n.Data[1]-'0')) // the page's own h1 is the headline
		if t := strings.TrimSpace(inlineChildren(n)); t != "" {
			c.blocks = append(c.blocks, strings.Repeat("#", level)+" "+t)
		}
	case atom.Ul, atom.Ol:
		c.flush()
		var items []string
		for li := n.FirstChild; li != nil; li = li.NextSibling {
			t := strings.TrimSpace(inlineChildren(li))
			if li.Type != html.ElementNode || t == "" {
				continue
			}
			mark := "- "
			if n.DataAtom == atom.Ol {
				mark = strconv.Itoa(len(items)+1) + ". "
			}
			items = append(items, mark+t)
		}
		if len(items) > 0 {
			c.blocks = append(c.blocks, strings.Join(items, "\n"))
		}
	case atom.Blockquote:
		c.flush()
		var inner mdConverter
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			inner.block(ch)
		}
		inner.flush()
		if len(inner.blocks) > 0 {
			c.blocks = append(c.blocks, "> "+strings.ReplaceAll(strings.Join(inner.blocks, "\n\n"), "\n", "\n> "))
		}
	case atom.Pre:
		c.flush()
		code := strings.Trim(textOf(n), "\n")
		if code != "" {
			c.blocks = append(c.blocks, "    "+strings.ReplaceAll(code, "\n", "\n    "))
		}
	case atom.Hr:
		c.flush()
		c.blocks = append(c.blocks, "* * *")
	case atom.P, atom.Div, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Figure, atom.Figcaption,
		atom.Table, atom.Thead, atom.Tbody, atom.Tfoot, atom.Tr, atom.Td, atom.Th, atom.Dl, atom.Dt, atom.Dd, atom.Li:
		c.flush()
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			c.block(ch)
		}
		c.flush()
	default:
		c.inline.WriteString(inlineMarkdown(n))
	}
}

// inlineChildren is the inline Markdown of n's children.
func inlineChildren(n *html.Node) string {
	var b strings.Builder
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		b.WriteString(inlineMarkdown(ch))
	}
	return b.String()
}

var spaces = regexp.MustCompile(`\s+`)

// inlineMarkdown is n as Markdown inside a paragraph.
func inlineMarkdown(n *html.Node) string {
	switch n.Type {
	case html.TextNode:
		return escapeMarkdown(spaces.ReplaceAllString(n.Data, " "))
	case html.ElementNode:
	default:
		return ""
	}
	switch n.DataAtom {
	case atom.Strong, atom.B:
		return wrap(inlineChildren(n), "**")
	case atom.Em, atom.I:
		return wrap(inlineChildren(n), "*")
	case atom.Code:
		t := spaces.ReplaceAllString(textOf(n), " ")
		if strings.TrimSpace(t) == "" {
			return t
		}
		if strings.Contains(t, "`") {
			return "`` " + t + " ``"
		}
		return "`" + t + "`"
	case atom.Br:
		return "\\\n"
	case atom.A:
		text := inlineChildren(n)
		href := ""
		for _, a := range n.Attr {
			if a.Key == "href" {
				href = a.Val
			}
		}
		if href == "" || strings.TrimSpace(text) == "" {
			return text
		}
		return "[" + strings.TrimSpace(text) + "](" + strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29").Replace(href) + ")"
	case atom.Img, atom.Script, atom.Style:
		return ""
	}
	return inlineChildren(n)
}

// wrap puts marks around text, outside its spaces, as emphasis needs.
func wrap(text, mark string) string {
	t := strings.TrimSpace(text)
	if t == "" {
		return text
	}
	lead := text[:len(text)-len(strings.TrimLeft(text, " "))]
	trail := text[len(strings.TrimRight(text, " ")):]
	return lead + mark + t + mark + trail
}

// textOf is the text of n and everything under it.
func textOf(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		b.WriteString(textOf(ch))
	}
	return b.String()
}

var (
	markdownPunct = strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
		"<", `\<`, ">", `\>`, "~", `\~`, "|", `\|`)
	entityLike = regexp.MustCompile(`&(#?[A-Za-z0-9]+;)`)
	blockStart = regexp.MustCompile(`^(\s*)([#+=-]|\d+[.)])`)
)

// escapeMarkdown makes text read as itself in Markdown.
func escapeMarkdown(s string) string {
	return entityLike.ReplaceAllString(markdownPunct.Replace(s), `\&$1`)
}

// escapeLineStart keeps a paragraph's first characters from starting a
// heading, a list or a rule.
func escapeLineStart(s string) string {
	m := blockStart.FindStringSubmatchIndex(s)
	if m == nil {
		return s
	}
	mark := s[m[4]:m[5]]
	if n := len(mark); mark[n-1] == '.' || mark[n-1] == ')' {
		return s[:m[4]] + mark[:n-1] + `\` + mark[n-1:] + s[m[5]:]
	}
	return s[:m[4]] + `\` + s[m[4]:]
}
