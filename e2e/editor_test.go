package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"dateline/internal/account"
	"dateline/internal/story"
)

// typeAtEnd puts the cursor at the end of the textarea sel (CSS) and types
// text there, key by key, as a writer adding to their story does.
func typeAtEnd(t testing.TB, ctx context.Context, sel, text string) {
	t.Helper()
	js[bool](t, ctx, "put the cursor at the end of "+sel, `(b => { b.focus(); b.setSelectionRange(b.value.length, b.value.length); return true; })(document.querySelector(`+jsString(sel)+`))`)
	do(t, ctx, "type into "+sel, chromedp.KeyEvent(text))
}

// editorVersion is the version the editor's form will save from.
func editorVersion(t testing.TB, ctx context.Context) int {
	t.Helper()
	n, err := strconv.Atoi(value(t, ctx, `form.story-editor input[name="version"]`))
	if err != nil {
		t.Fatalf("the editor's version: %v", err)
	}
	return n
}

// waitAutosaved waits until the editor has saved past version from, and
// says so.
func waitAutosaved(t testing.TB, ctx context.Context, from int) {
	t.Helper()
	waitFor(t, ctx, "the draft to be saved as it is written",
		`+document.querySelector('form.story-editor input[name="version"]').value > `+strconv.Itoa(from)+
			` && document.getElementById('save-status').textContent.startsWith('Saved at ')`,
		`document.getElementById('save-status').textContent`)
}

// bodyStored is the story's body as the store holds it, with the line
// ends the browser sends.
func bodyStored(t testing.TB, site *accountSite, id int64) string {
	t.Helper()
	return crlfToLF(storyByID(t, site, id).Body)
}

// TestEditorJourney: a writer drafts in the two-pane editor, which saves as
// they write, from the headline on, and previews what they type; they upload an image from the
// editor into the body and submit the story; an editor opens it from the
// story page's Edit link after publishing, changes it and saves with
// Ctrl+S. Screenshots of the editor at a phone's and a desktop's width,
// light and dark.
func TestEditorJourney(t *testing.T) {
	chromium := needBrowser(t)
	axe := axeSource(t)
	site := startFullSite(t)
	base := site.Base
	var (
		writer = person{"martha.gellhorn@example.com", "Martha Gellhorn", "the face of war in spain"}
		editor = person{"max.perkins@example.com", "Max Perkins", "editor of the lost generation"}
	)
	const (
		headline  = "Ferries return to the estuary after the storm"
		firstPara = "The first boats crossed at dawn."
		added     = "Harbour staff worked through the night to clear the slipway."
		alt       = "A ferry at the slipway in the morning light"
		caption   = "The first crossing after the storm"
	)
	newPerson(t, site, writer, account.Writer)
	newPerson(t, site, editor, account.Editor)
	ctx := newBrowser(t, chromium)

	// 1. The writer lands in the newsroom, starts a story and saves it:
	// from then on it saves itself.
	logIn(t, ctx, base, writer.Email, writer.Password, writer.Name)
	if loc := get(t, ctx, "read the address", chromedp.Location()); loc != base+"/admin" {
		t.Errorf("after logging in, a writer is on %s, want %s/admin", loc, base)
	}
	if !js[bool](t, ctx, "look for the newsroom link", `!!document.querySelector('header nav.account-links a[href="/admin"]')`) {
		t.Error("the masthead has no link to the newsroom for a writer")
	}
	openPage(t, ctx, base+"/admin/stories/new", "#f-headline")
	if s := textOf(t, ctx, "#save-status"); !strings.Contains(s, "Not saved yet") {
		t.Errorf("a new story's editor says %q, want that it is not saved yet", s)
	}
	do(t, ctx, "type the headline and first paragraph",
		chromedp.SendKeys(chromedp.CSS("#f-headline"), headline),
		chromedp.SendKeys(chromedp.CSS("#f-body"), firstPara))
	waitAutosaved(t, ctx, 0)
	loc := get(t, ctx, "read the address", chromedp.Location())
	m := editorPath.FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("after its first autosave the new story's editor is at %s, want its own address", loc)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	editPath := fmt.Sprintf("/admin/stories/%d", id)
	if st := storyByID(t, site, id); st.Headline != headline || st.Status != story.Draft || crlfToLF(st.Body) != firstPara {
		t.Fatalf("the autosaved story is %q, %s, %q", st.Headline, st.Status, st.Body)
	}
	openPage(t, ctx, base+editPath, "#f-body")
	if s := textOf(t, ctx, "#save-status"); !strings.Contains(s, "saved as you write") {
		t.Errorf("a draft's editor says %q, want that it is saved as it is written", s)
	}

	// 2. They write on: the preview follows, the words are counted, and
	// the draft is saved without a button.
	v := editorVersion(t, ctx)
	typeAtEnd(t, ctx, "#f-body", "\n\n"+added)
	waitFor(t, ctx, "the preview to show the new paragraph",
		`[...document.querySelectorAll('#live-preview p')].some(p => p.textContent === `+jsString(added)+`)`,
		`document.getElementById('live-preview').innerHTML`)
	words := len(strings.Fields(firstPara + " " + added))
	waitFor(t, ctx, "the word count", `document.getElementById('word-count').textContent === '`+strconv.Itoa(words)+` words'`,
		`document.getElementById('word-count').textContent`)
	if rt := textOf(t, ctx, "#reading-time"); rt != "1 min read" {
		t.Errorf("the reading time says %q, want 1 min read", rt)
	}
	waitAutosaved(t, ctx, v)
	if got, want := bodyStored(t, site, id), firstPara+"\n\n"+added; got != want {
		t.Fatalf("after autosave the story holds %q, want %q", got, want)
	}

	// 3. They upload a picture from the editor: it goes into the body
	// where the cursor is, with its alt text and caption, and shows in
	// the preview.
	v = editorVersion(t, ctx)
	js[bool](t, ctx, "put the cursor at the end of the body", `(b => { b.setSelectionRange(b.value.length, b.value.length); return true; })(document.getElementById('f-body'))`)
	do(t, ctx, "open the upload form and fill it in",
		chromedp.Click(chromedp.Search(`//main//summary[normalize-space()="Upload an image"]`)),
		chromedp.SetUploadFiles(chromedp.CSS("#up-file"), []string{writeTestPicture(t)}),
		chromedp.SendKeys(chromedp.CSS("#up-alt"), alt),
		chromedp.SendKeys(chromedp.CSS("#up-caption"), caption),
		chromedp.Click(button("Upload and come back here")))
	waitFor(t, ctx, "the image in the preview",
		`!!document.querySelector('#live-preview img[alt=`+jsString(alt)+`][src^="/images/"]')`,
		`document.getElementById('save-status').textContent + ' | ' + document.getElementById('f-body').value`)
	waitAutosaved(t, ctx, v)
	if b := bodyStored(t, site, id); !strings.Contains(b, "!["+alt+"](/images/") || !strings.Contains(b, "*"+caption+"*") {
		t.Errorf("the stored body lacks the image with its alt text and caption: %q", b)
	}

	// The picture is in the library now: they put it in again from there,
	// at the start of the body.
	openPage(t, ctx, base+editPath, "#f-body")
	v = editorVersion(t, ctx)
	js[bool](t, ctx, "put the cursor at the start of the body", `(b => { b.focus(); b.setSelectionRange(0, 0); return true; })(document.getElementById('f-body'))`)
	do(t, ctx, "insert the picture from the library",
		chromedp.Click(chromedp.Search(`//main//summary[normalize-space()="Insert an image from the library"]`)),
		chromedp.Click(chromedp.Search(fmt.Sprintf(`//main//button[contains(@class, "insert-image")][normalize-space()=%q]`, "Insert: "+alt))))
	waitAutosaved(t, ctx, v)
	if b := bodyStored(t, site, id); !strings.HasPrefix(b, "!["+alt+"](/images/") || strings.Count(b, "!["+alt+"]") != 2 {
		t.Errorf("after inserting the picture from the library at the start, the body is %q", b)
	}

	// The editor as it looks, at a phone's and a desktop's width.
	dir := screenshotDir(t)
	for _, width := range []int64{390, 1280} {
		for _, scheme := range []string{"light", "dark"} {
			setView(t, ctx, width, scheme)
			if sw := js[int64](t, ctx, "measure the page", `document.documentElement.scrollWidth`); sw > width {
				t.Errorf("the editor is %d px wide at %d px: it scrolls sideways", sw, width)
			}
			checkAxe(t, ctx, axe, scheme, fmt.Sprintf("the editor of a draft with an image, %d px, %s", width, scheme))
			buf := get(t, ctx, "take a screenshot of the editor", chromedp.FullScreenshot(100))
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("editor-%dpx-%s.png", width, scheme)), buf, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	panes := js[bool](t, ctx, "compare the panes", `(() => {
		const a = document.getElementById('f-body').getBoundingClientRect(), b = document.getElementById('live-preview').getBoundingClientRect();
		return b.left >= a.right; })()`)
	if !panes {
		t.Error("at 1280 px the preview is not beside the text")
	}

	// 4. They submit it for review.
	landedInEditor(t, ctx, base, `click "Submit for review"`, chromedp.Click(button("Submit for review")))
	if st := storyByID(t, site, id); st.SubmittedAt.IsZero() || st.Status != story.Draft {
		t.Fatalf("the submitted story is %s, submitted %v", st.Status, st.SubmittedAt)
	}

	// 5. The editor publishes it, then finds it on the site with a link
	// to edit it, changes the headline and saves with Ctrl+S.
	ed := newIncognitoTab(t, ctx)
	logIn(t, ed, base, editor.Email, editor.Password, editor.Name)
	openPage(t, ed, base+editPath, "#f-body")
	landedInEditor(t, ed, base, `click "Publish now"`, chromedp.Click(button("Publish now")))
	st := storyByID(t, site, id)
	if st.Status != story.Published {
		t.Fatalf("the story is %s after Publish now", st.Status)
	}
	openPage(t, ed, base+st.Path(), "article.story")
	if !js[bool](t, ed, "look for the image", `!!document.querySelector('.story-body img[alt=`+jsString(alt)+`]')`) {
		t.Error("the published story does not show the image from its body")
	}
	resp := navigateBy(t, ed, `click "Edit this story"`, chromedp.Click(link("Edit this story")))
	wantPage(t, ed, resp, http.StatusOK, base+editPath)
	if s := textOf(t, ed, "#save-status"); strings.Contains(s, "saved as you write") {
		t.Errorf("a published story's editor says %q: autosave would change it for readers", s)
	}
	replaceValue(t, ed, "#f-headline", headline+", on time")
	resp = navigateBy(t, ed, "press Ctrl+S", chromedp.KeyEvent("s", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	wantPage(t, ed, resp, http.StatusOK, base+editPath+"?saved=1")
	if st := storyByID(t, site, id); st.Headline != headline+", on time" {
		t.Errorf("after Ctrl+S the headline is %q", st.Headline)
	}

	// Readers see neither link.
	anon := newIncognitoTab(t, ctx)
	for range 2 { // the second from the page cache
		openPage(t, anon, base+st.Path(), "article.story")
		if js[bool](t, anon, "look for staff links", `!!document.querySelector('a[href="`+editPath+`"], header a[href="/admin"]')`) {
			t.Fatal("an anonymous reader sees a link to the editor or the newsroom")
		}
	}
}

// TestTwoBrowsersNeverLoseText: a writer and an editor have the same draft
// open, and both write. The second save is refused, not silently written
// over the first: that browser shows both texts, and keeps its own until
// its writer chooses to save it over the other.
func TestTwoBrowsersNeverLoseText(t *testing.T) {
	chromium := needBrowser(t)
	axe := axeSource(t)
	site := startFullSite(t)
	base := site.Base
	var (
		writer = person{"ida.tarbell@example.com", "Ida Tarbell", "the history of standard oil"}
		editor = person{"ben.bradlee@example.com", "Ben Bradlee", "a good story stands up"}
	)
	const (
		first   = "The council met at seven."
		theirs  = " The mayor spoke first."
		mine    = " The vote was close."
		another = " Nobody left early."
	)
	newPerson(t, site, writer, account.Writer)
	newPerson(t, site, editor, account.Editor)
	a := newBrowser(t, chromium)
	logIn(t, a, base, writer.Email, writer.Password, writer.Name)
	openPage(t, a, base+"/admin/stories/new", "#f-headline")
	do(t, a, "type the headline and body",
		chromedp.SendKeys(chromedp.CSS("#f-headline"), "Council votes on the harbour plan"),
		chromedp.SendKeys(chromedp.CSS("#f-body"), first))
	id := landedInEditor(t, a, base, `click "Save"`, chromedp.Click(button("Save")))
	editPath := fmt.Sprintf("/admin/stories/%d", id)

	b := newIncognitoTab(t, a)
	logIn(t, b, base, editor.Email, editor.Password, editor.Name)
	openPage(t, b, base+editPath, "#f-body")

	// The writer's addition is saved.
	v := editorVersion(t, a)
	typeAtEnd(t, a, "#f-body", theirs)
	waitAutosaved(t, a, v)

	// The editor, still on the version they opened, writes too: their
	// save is refused and they see the writer's text beside their own.
	typeAtEnd(t, b, "#f-body", mine)
	waitFor(t, b, "the conflict to be shown", `!document.getElementById('autosave-conflict').hidden`,
		`document.getElementById('save-status').textContent`)
	if s := textOf(t, b, "#save-status"); !strings.Contains(s, "Someone else saved this story") || !strings.Contains(s, "not saved") {
		t.Errorf("the editor's status says %q, want that someone else saved and theirs was not", s)
	}
	if v := value(t, b, "#their-body"); crlfToLF(v) != first+theirs {
		t.Errorf("the conflict shows %q as the other text, want the writer's %q", v, first+theirs)
	}
	if v := value(t, b, "#f-body"); crlfToLF(v) != first+mine {
		t.Errorf("the editor's own text became %q, want %q", v, first+mine)
	}
	if got := bodyStored(t, site, id); got != first+theirs {
		t.Fatalf("the refused save changed the story to %q", got)
	}
	checkAxe(t, b, axe, "light", "the editor showing a conflict")

	// The editor keeps their version, knowingly.
	v = editorVersion(t, b)
	do(t, b, `click "Keep my version"`, chromedp.Click(button("Keep my version")))
	waitFor(t, b, "the editor's text to be saved",
		`document.getElementById('save-status').textContent.startsWith('Saved at ') && document.getElementById('autosave-conflict').hidden`,
		`document.getElementById('save-status').textContent`)
	if got := bodyStored(t, site, id); got != first+mine {
		t.Fatalf("after Keep my version the story holds %q, want %q", got, first+mine)
	}
	if now := editorVersion(t, b); now <= v {
		t.Errorf("after Keep my version the editor holds version %d, want past %d", now, v)
	}

	// The writer writes on: now they are told, and shown the editor's text.
	typeAtEnd(t, a, "#f-body", another)
	waitFor(t, a, "the conflict to be shown to the writer", `!document.getElementById('autosave-conflict').hidden`,
		`document.getElementById('save-status').textContent`)
	if v := value(t, a, "#their-body"); crlfToLF(v) != first+mine {
		t.Errorf("the writer is shown %q as the other text, want the editor's %q", v, first+mine)
	}
	if v := value(t, a, "#f-body"); crlfToLF(v) != first+theirs+another {
		t.Errorf("the writer's text became %q", v)
	}
	// Every text that was saved is among the revisions.
	revs, err := site.Newsroom.Revisions(timeout(t), id)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range revs {
		seen[crlfToLF(r.Body)] = true
	}
	for _, want := range []string{first, first + theirs, first + mine} {
		if !seen[want] {
			t.Errorf("no revision holds %q", want)
		}
	}
}
