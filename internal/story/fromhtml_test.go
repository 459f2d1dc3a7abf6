package story

import (
	"regexp"
	"strings"
	"testing"
)

// Agency HTML comes in as Markdown that renders to the same text and
// structure, and nothing unsafe survives the trip.
func TestMarkdownFromHTML(t *testing.T) {
	r := NewRenderer()
	for _, tc := range []struct {
		name, in, md, html string
	}{
		{"paragraphs", "<p>First  line.</p>\n<p>Second\nline.</p>", "First line.\n\nSecond line.",
			"<p>First line.</p>\n<p>Second line.</p>\n"},
		{"emphasis and links", `<p>The <b>port</b> of <em>Rotterdam</em> said <a href="https://port.example/notice?a=1&amp;b=(2)">so</a>.</p>`,
			"The **port** of *Rotterdam* said [so](https://port.example/notice?a=1&b=%282%29).",
			`<p>The <strong>port</strong> of <em>Rotterdam</em> said <a href="https://port.example/notice?a=1&amp;b=%282%29" rel="nofollow">so</a>.</p>` + "\n"},
		{"headings and lists", "<h1>Big</h1><h3>Small</h3><ul><li>one</li><li>two</li></ul><ol><li>a</li><li>b</li></ol>",
			"## Big\n\n### Small\n\n- one\n- two\n\n1. a\n2. b",
			"<h2>Big</h2>\n<h3>Small</h3>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<ol>\n<li>a</li>\n<li>b</li>\n</ol>\n"},
		{"quote", "<blockquote><p>We will return.</p></blockquote>", "> We will return.",
			"<blockquote>\n<p>We will return.</p>\n</blockquote>\n"},
		{"markup in text stays text", "<p>1. Prices rose 5*3 [sic] &lt;b&gt; &amp;amp; _x_</p><p># not a heading</p>",
			`1\. Prices rose 5\*3 \[sic\] \<b\> \&amp; \_x\_` + "\n\n" + `\# not a heading`,
			"<p>1. Prices rose 5*3 [sic] &lt;b&gt; &amp;amp; _x_</p>\n<p># not a heading</p>\n"},
		{"scripts and handlers go", `<p onclick="x()">Safe<script>alert(1)</script> <a href="javascript:alert(1)">link</a></p><iframe src="https://evil.example"></iframe>`,
			"Safe link", "<p>Safe link</p>\n"},
		{"line breaks", "<p>Line one<br>line two</p>", "Line one\\\nline two", "<p>Line one<br>\nline two</p>\n"},
		{"bare text", "Just text, no tags.", "Just text, no tags.", "<p>Just text, no tags.</p>\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			md := r.MarkdownFromHTML(tc.in)
			if md != tc.md {
				t.Errorf("Markdown:\n%q\nwant\n%q", md, tc.md)
			}
			if got := r.Render(md); got != tc.html {
				t.Errorf("rendered:\n%q\nwant\n%q", got, tc.html)
			}
		})
	}
}

func TestMarkdownFromText(t *testing.T) {
	r := NewRenderer()
	md := MarkdownFromText("First paragraph\nstill first.\r\n\r\n- not a list *or* emphasis\n\n\n2024. A year.")
	want := "First paragraph\nstill first.\n\n\\- not a list \\*or\\* emphasis\n\n2024\\. A year."
	if md != want {
		t.Errorf("got %q\nwant %q", md, want)
	}
	if got := r.Render(md); !strings.Contains(got, "<p>- not a list *or* emphasis</p>") || strings.Count(got, "<p>") != 3 {
		t.Errorf("rendered %q", got)
	}
}

// Whatever an agency sends, its HTML comes out safe, and its plain text
// comes out as paragraphs of text (links made of bare addresses aside),
// never as markup.
func FuzzAgencyBodies(f *testing.F) {
	for _, seed := range []string{
		"<p>plain</p>", "<script>alert(1)</script>", `<a href="javascript:alert(1)">x</a>`,
		"<ul><li><b>a</b></li></ul>", "# heading\n\n- list\n1. one\n> quote\n    code\n***\n---\n===",
		"a | b\n--|--\n1 | 2", "&amp; &#60;b&#62; <b>", "```\nfence\n```", "~~~\nx\n~~~", "[x](y) ![i](j) <http://x>",
		"line  \nbreak\\\n", "<pre>  a\n  b</pre><code>`x`</code>",
	} {
		f.Add(seed)
	}
	r := NewRenderer()
	tag := regexp.MustCompile(`<(/?[a-z0-9]+)`)
	f.Fuzz(func(t *testing.T, in string) {
		got := r.Render(r.MarkdownFromHTML(in))
		if bad := unsafeMarkup(got); bad != "" {
			t.Fatalf("MarkdownFromHTML(%q) renders %q: %s survived", in, got, bad)
		}
		text := r.Render(MarkdownFromText(in))
		for _, m := range tag.FindAllStringSubmatch(text, -1) {
			if m[1] != "p" && m[1] != "/p" && m[1] != "a" && m[1] != "/a" {
				t.Fatalf("MarkdownFromText(%q) renders markup %q: %q", in, m[1], text)
			}
		}
	})
}
