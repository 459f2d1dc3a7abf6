package story

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// unsafeMarkup parses rendered HTML as a browser would and names the first
// thing in it that must never reach a reader's browser from a story body:
// a script or an element embedding other content, an event-handler
// attribute, or a link to a javascript:, vbscript: or data: URL. It returns
// "" for safe HTML.
func unsafeMarkup(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			switch tok.Data {
			case "script", "iframe", "object", "embed", "style", "form", "base", "meta", "link", "svg", "math":
				return "<" + tok.Data + "> element"
			}
			for _, a := range tok.Attr {
				key := strings.ToLower(a.Key)
				if strings.HasPrefix(key, "on") {
					return key + " attribute"
				}
				if key == "href" || key == "src" || key == "action" || key == "formaction" || key == "srcset" {
					v := strings.Map(func(r rune) rune {
						if r <= ' ' || r == 0x7f {
							return -1 // browsers ignore these inside a scheme
						}
						return r
					}, strings.ToLower(a.Val))
					for _, scheme := range []string{"javascript:", "vbscript:", "data:"} {
						if strings.HasPrefix(v, scheme) {
							return key + "=" + scheme
						}
					}
				}
			}
		}
	}
}

func TestRenderRemovesDangerousMarkup(t *testing.T) {
	r := NewRenderer()
	tests := []struct {
		name, markdown string
		keep           string // must still be in the output
	}{
		{"script element", "Hello <script>alert(1)</script> world", "Hello"},
		{"script block", "<script>\nalert(1)\n</script>\n\nAfter.", "<p>After.</p>"},
		{"event attribute", `<img src="x.png" onerror="alert(1)">`, ""},
		{"event attribute on a link", `<a href="https://example.org" onclick="steal()">x</a>`, ""},
		{"javascript link", "[click me](javascript:alert(1))", "click me"},
		{"javascript link, mixed case and spaces", "[click](  JaVaScRiPt:alert(1))", "click"},
		{"javascript autolink", "<javascript:alert(1)>", ""},
		{"data link", "[x](data:text/html;base64,PHNjcmlwdD4=)", ""},
		{"iframe", `<iframe src="https://evil.example"></iframe>`, ""},
		{"style", `<style>body{display:none}</style>`, ""},
		{"reference link to javascript", "[x][1]\n\n[1]: javascript:alert(1)", ""},
		{"image with javascript", "![a](javascript:alert(1))", ""},
		{"svg onload", `<svg onload="alert(1)"></svg>`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.Render(tt.markdown)
			if bad := unsafeMarkup(got); bad != "" {
				t.Errorf("Render(%q) = %q: %s survived", tt.markdown, got, bad)
			}
			if !strings.Contains(got, tt.keep) {
				t.Errorf("Render(%q) = %q: lost %q", tt.markdown, got, tt.keep)
			}
		})
	}
}

func TestUnsafeMarkupCatchesWhatItMust(t *testing.T) {
	// The checker itself must not be blind: each of these is unsafe.
	for _, s := range []string{
		"<script>x</script>", `<a href="javascript:x">a</a>`, "<a href=\" JAVA\tSCRIPT:x\">a</a>",
		`<img src=x onerror=y>`, `<iframe src=x></iframe>`, `<a href="data:text/html,x">a</a>`,
	} {
		if unsafeMarkup(s) == "" {
			t.Errorf("unsafeMarkup(%q) found nothing", s)
		}
	}
	if bad := unsafeMarkup("<p>Text that says onload= and javascript: is fine.</p>"); bad != "" {
		t.Errorf("plain text flagged: %s", bad)
	}
}

func TestRenderKeepsJournalism(t *testing.T) {
	r := NewRenderer()
	got := r.Render("First *paragraph* with a [link](https://example.org/a?b=1&c=2).\n\n## A subhead\n\n> A quote.\n\n- one\n- two")
	for _, want := range []string{
		"<p>First <em>paragraph</em> with a ",
		`href="https://example.org/a?b=1&amp;c=2"`,
		"<h2",
		"<blockquote>",
		"<li>one</li>",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Render lost %q:\n%s", want, got)
		}
	}
}

func FuzzRenderIsSafe(f *testing.F) {
	for _, seed := range []string{
		"plain text",
		"<script>alert(1)</script>",
		`<a href="javascript:alert(1)">x</a>`,
		"[x](javascript:alert(1))",
		`<img src=x onerror=alert(1)>`,
		"<div onmouseover='x'>hi</div>",
		"[a](jav&#x09;ascript:alert(1))",
		"<<script>script>alert(1)<</script>/script>",
		"```\n<script>\n```",
		"<!-- <script> -->",
	} {
		f.Add(seed)
	}
	r := NewRenderer()
	f.Fuzz(func(t *testing.T, markdown string) {
		got := r.Render(markdown)
		if bad := unsafeMarkup(got); bad != "" {
			t.Fatalf("Render(%q) = %q: %s survived", markdown, got, bad)
		}
	})
}

func TestBodyWithDateline(t *testing.T) {
	tests := []struct {
		dateline, body, want string
	}{
		{"BEIRUT", "<p>The first sentence.</p>\n<p>Second.</p>", `<p><span class="dateline">BEIRUT –</span> The first sentence.</p>` + "\n<p>Second.</p>"},
		{"beirut", "<p>Lower case in, capitals out.</p>", `<p><span class="dateline">BEIRUT –</span> Lower case in, capitals out.</p>`},
		{"", "<p>No dateline.</p>", "<p>No dateline.</p>"},
		{"SÃO <PAULO>", "<p>Escaped.</p>", `<p><span class="dateline">SÃO &lt;PAULO&gt; –</span> Escaped.</p>`},
		{"OSAKA", "<h2>Starts with a heading</h2>", `<p><span class="dateline">OSAKA –</span></p>` + "\n<h2>Starts with a heading</h2>"},
	}
	for _, tt := range tests {
		s := &Story{Dateline: tt.dateline, BodyHTML: tt.body}
		if got := s.BodyWithDateline(); got != tt.want {
			t.Errorf("BodyWithDateline(%q, %q) =\n%q\nwant\n%q", tt.dateline, tt.body, got, tt.want)
		}
	}
}

func TestLeadWithDateline(t *testing.T) {
	r := NewRenderer()
	s := &Story{Dateline: "OSLO", BodyHTML: r.Render("First *one*.\n\nSecond secret.\n\n- third")}
	if got := s.LeadWithDateline(); got != `<p><span class="dateline">OSLO –</span> First <em>one</em>.</p>` {
		t.Errorf("LeadWithDateline = %q", got)
	}
	if got := (&Story{BodyHTML: "<ul><li>x</li></ul>"}).LeadWithDateline(); got != "" {
		t.Errorf("a body without paragraphs leaks %q", got)
	}
}

// TestLeadAndRestAreTheWholeText: a prepared story's Lead and Rest are the
// plain text of its body, markup left out, split after the first
// paragraph, with no word lost or counted twice.
func TestLeadAndRestAreTheWholeText(t *testing.T) {
	r := NewRenderer()
	for _, tc := range []struct{ body, lead, rest string }{
		{"First *para* & more.\n\n## A heading\n\n- one\n- [two](https://example.com/x)\n\nLast `word`.", "First para & more.", "A heading one two Last word."},
		{"Only one paragraph.", "Only one paragraph.", ""},
		{"## Heading first\n\nThen a paragraph.\n\nThen another.", "Heading first Then a paragraph.", "Then another."},
		{"", "", ""},
	} {
		s := &Story{Headline: "H", Dateline: "Oslo", Section: Section{Slug: "world"}, Bylines: []Byline{{Name: "Staff"}}, Body: tc.body}
		if err := s.Prepare(r); err != nil {
			t.Fatal(err)
		}
		if s.Lead != tc.lead || s.Rest != tc.rest {
			t.Errorf("%q: lead %q, rest %q; want %q, %q", tc.body, s.Lead, s.Rest, tc.lead, tc.rest)
		}
	}
}
