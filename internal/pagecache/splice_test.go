package pagecache

import (
	"bytes"
	"compress/gzip"
	"html"
	"io"
	"strings"
	"testing"
	"time"

	"dateline/internal/clock"
)

// FuzzSplice writes a part and a reader's name into pages as a story page
// kept for signed-in readers gets them: the name in the masthead and
// again further down, the discussion between. Whatever the page, the part
// and the name, no mark is left, the name goes in escaped, and the page
// around the marks is unchanged, plain or compressed.
func FuzzSplice(f *testing.F) {
	f.Add("<html><nav><a href=/account>", "</a></nav><main>", "</main><p>Signed in as ", "</p></html>",
		`<li class="comment">The ferry was late again.</li>`, "Ann")
	f.Add("", "", "", "", "", "")
	f.Add("<a>", "</a>", "", "", "", `Ann & "Sam" O'Neil <script>alert(1)</script>`)
	f.Add("&", "<!--", "-->", "reader-", "<!-- a comment -->", "&amp;lt;")
	f.Add("reader-", "<!--00", "", "", "reader-0", "reader-\x00\xff<")
	f.Add(strings.Repeat("<p>Long page.</p>", 500), "", strings.Repeat("x", 5_000), "", strings.Repeat("<li>c</li>", 300), "Bo Quinn")

	marks := NewMarks()
	cache := New(1<<40, time.Minute, clock.NewManual(start).Now)
	f.Fuzz(func(t *testing.T, a, b, c, d, part, name string) {
		for _, s := range []string{a, b, c, d, part, name} {
			if strings.Contains(s, marks.Part) || strings.Contains(s, marks.Name) {
				t.Skip("no text carries a mark: they are random")
			}
		}
		var buf bytes.Buffer
		buf.WriteString(a + marks.Name + b + marks.Part + c + marks.Name + d)
		Splice(&buf, marks.Part, part)
		p := cache.NewPage("/", "text/html; charset=utf-8", buf.Bytes(), nil, 1)
		p.NameAt(marks.Name)
		var out bytes.Buffer
		p.WriteNamed(&out, name)
		got := out.String()

		if strings.Contains(got, marks.Part) || strings.Contains(got, marks.Name) {
			t.Fatalf("a mark is left in %q", got)
		}
		// The page is a, the name, b, the part, c, the name, d: all as
		// they were but the name, which shows twice, escaped.
		around := len(a) + len(b) + len(part) + len(c) + len(d)
		if len(got) < around || (len(got)-around)%2 != 0 {
			t.Fatalf("%d bytes for %d around two names: %q", len(got), around, got)
		}
		n := (len(got) - around) / 2
		first := got[len(a) : len(a)+n]
		second := got[len(got)-len(d)-n : len(got)-len(d)]
		if got[:len(a)] != a || got[len(a)+n:len(got)-len(d)-n] != b+part+c || got[len(got)-len(d):] != d {
			t.Fatalf("the page around the marks changed: %q", got)
		}
		if first != second {
			t.Fatalf("the name went in as %q and as %q", first, second)
		}
		checkEscaped(t, first, name)

		// Compressed from the parts kept compressed, it is the same page.
		var z bytes.Buffer
		if !p.GzipNamed(&z, name) {
			t.Fatal("a short name was not written into the compressed page")
		}
		zr, err := gzip.NewReader(&z)
		if err != nil {
			t.Fatal(err)
		}
		unzipped, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("the compressed page does not decompress: %v", err)
		}
		if string(unzipped) != got {
			t.Fatal("the compressed page is not the page")
		}
	})
}

// checkEscaped fails unless written is name escaped for HTML text and
// attributes: no markup, no quote, every & the start of an entity.
func checkEscaped(t *testing.T, written, name string) {
	t.Helper()
	if strings.ContainsAny(written, "<>\"'\x00") {
		t.Fatalf("the name %q went in as %q, unescaped", name, written)
	}
	for i := 0; i < len(written); i++ {
		if written[i] != '&' {
			continue
		}
		ok := false
		for _, entity := range []string{"&amp;", "&lt;", "&gt;", "&#34;", "&#39;"} {
			if strings.HasPrefix(written[i:], entity) {
				ok = true
			}
		}
		if !ok {
			t.Fatalf("the name %q went in as %q, with an & that starts no entity", name, written)
		}
	}
	// A NUL, which no page may carry, shows as the replacement character.
	if got, want := html.UnescapeString(written), strings.ReplaceAll(name, "\x00", "\uFFFD"); got != want {
		t.Fatalf("the name %q went in as %q, which reads %q", name, written, got)
	}
}

// TestSpliceWritesThePartInPlaceOfTheMark checks the cases render meets:
// a page with its mark and a part, and a page with neither.
func TestSpliceWritesThePartInPlaceOfTheMark(t *testing.T) {
	marks := NewMarks()
	if marks.Part == marks.Name || !strings.HasPrefix(marks.Part, "<!--") || marks == NewMarks() {
		t.Fatalf("marks %q and %q are not random HTML comments and words", marks.Part, marks.Name)
	}
	buf := bytes.NewBufferString("<ol>" + marks.Part + "</ol>")
	Splice(buf, marks.Part, "<li>A comment</li>")
	if buf.String() != "<ol><li>A comment</li></ol>" {
		t.Errorf("spliced: %q", buf.String())
	}
	Splice(buf, marks.Part, "<li>Again</li>")
	if buf.String() != "<ol><li>A comment</li></ol>" {
		t.Errorf("a page without the mark changed: %q", buf.String())
	}
}
