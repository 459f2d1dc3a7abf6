package comment

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// unsafeMarkup parses HTML as a browser would and names anything in it
// that could run script: an element other than those Render makes, an
// event attribute, or a javascript: URL.
func unsafeMarkup(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			switch tok.Data {
			case "p", "br", "a":
			default:
				return "<" + tok.Data + ">"
			}
			for _, a := range tok.Attr {
				if strings.HasPrefix(strings.ToLower(a.Key), "on") {
					return a.Key + " attribute"
				}
				v := strings.ToLower(strings.Join(strings.Fields(a.Val), ""))
				if a.Key == "href" && !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
					return "href=" + a.Val
				}
			}
		}
	}
}

func TestRender(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Hello", "<p>Hello</p>"},
		{"One\n\nTwo\nlines", "<p>One</p><p>Two<br>lines</p>"},
		{"<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"},
		{"See https://example.org/a?b=1&c=2.", `<p>See <a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc noopener">https://example.org/a?b=1&amp;c=2</a>.</p>`},
		{`https://x.example/"onmouseover="alert(1)`, `<p><a href="https://x.example/" rel="nofollow ugc noopener">https://x.example/</a>&#34;onmouseover=&#34;alert(1)</p>`},
		{"javascript:alert(1)", "<p>javascript:alert(1)</p>"},
	} {
		if got := string(Render(tc.in)); got != tc.want {
			t.Errorf("Render(%q) =\n%s\nwant\n%s", tc.in, got, tc.want)
		}
	}
}

func FuzzRenderIsSafe(f *testing.F) {
	for _, seed := range []string{"hi", "<script>x</script>", "https://a.example/<img onerror=x>", "javascript:alert(1)",
		"http://x.example/\"onclick=\"y", "a\n\nb\nc", "<a href=\"javascript:x\">y</a>"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if bad := unsafeMarkup(string(Render(text))); bad != "" {
			t.Fatalf("Render(%q) produced %s", text, bad)
		}
	})
}

func TestCleanBody(t *testing.T) {
	if got, err := CleanBody("\r\n  Hello  \r\n\r\n world \n\n"); err != nil || got != "  Hello\n\n world" {
		t.Errorf("CleanBody = %q, %v", got, err)
	}
	for name, bad := range map[string]string{
		"empty": "", "spaces": " \n\t \n", "binary": "a\x00b", "invalid UTF-8": "a\xffb",
		"too long": strings.Repeat("é", MaxLength+1), "bell": "ding\a",
	} {
		if _, err := CleanBody(bad); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := CleanBody(strings.Repeat("é", MaxLength)); err != nil {
		t.Errorf("exactly %d characters refused: %v", MaxLength, err)
	}
}

func TestHoldReason(t *testing.T) {
	s := DefaultSettings()
	s.BannedWords = []string{"scam", "buy now"}
	for _, tc := range []struct {
		body     string
		approved int
		premod   Premod
		held     bool
	}{
		{"A fair point about the ferry.", 0, PremodOff, false},
		{"This is a SCAM.", 5, PremodOff, true},
		{"Scampi for dinner.", 5, PremodOff, false},
		{"Please Buy  now", 5, PremodOff, false},
		{"please buy now!", 5, PremodOff, true},
		{"http://a.example http://b.example http://c.example", 5, PremodOff, false},
		{"http://a.example http://b.example http://c.example http://d.example", 5, PremodOff, true},
		{"First words.", 0, PremodFirst, true},
		{"Later words.", 1, PremodFirst, false},
		{"Anything.", 9, PremodAll, true},
	} {
		s.Premod = tc.premod
		if got := s.holdReason(tc.body, tc.approved) != ""; got != tc.held {
			t.Errorf("holdReason(%q, %d, %s) held=%v, want %v", tc.body, tc.approved, tc.premod, got, tc.held)
		}
	}
}
