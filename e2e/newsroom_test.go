package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"dateline/internal/account"
	"dateline/internal/newsroom"
	"dateline/internal/story"
)

// What the newsroom pages say, word for word.
const (
	savedNotice      = "Saved."
	forReviewBadge   = "For review"
	headlineRequired = "A story needs a headline."
	checkFieldAlert  = "Please check the field marked below."
	noSearchResults  = "No stories found. Try fewer or other words."
	noStoriesInList  = "No stories match."
)

// publishAtLayout is how the editor's "Publish at" field (a datetime-local
// input, in UTC) writes a time, and how the server reads it.
const publishAtLayout = "2006-01-02T15:04"

// editorURL matches the address of the story editor after a save.
var editorURL = regexp.MustCompile(`^(.*)/admin/stories/(\d+)\?saved=1$`)

// editorPath matches the address of a story's editor.
var editorPath = regexp.MustCompile(`/admin/stories/(\d+)$`)

// replaceValue replaces what the text field or textarea sel (CSS) holds
// with text, as a person does: click into it, select everything, type.
func replaceValue(t testing.TB, ctx context.Context, sel, text string) {
	t.Helper()
	do(t, ctx, "type into "+sel,
		chromedp.Click(chromedp.CSS(sel)),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.SendKeys(chromedp.CSS(sel), text))
	if v := value(t, ctx, sel); v != text {
		t.Fatalf("after selecting all and typing, %s holds %q, want %q", sel, v, text)
	}
}

// chooseOption picks the option labelled label in the <select> sel (CSS)
// by typing its label while the select has the focus, as a keyboard user
// does, and returns the chosen option's value.
func chooseOption(t testing.TB, ctx context.Context, sel, label string) string {
	t.Helper()
	do(t, ctx, fmt.Sprintf("choose %q in %s", label, sel), chromedp.SendKeys(chromedp.CSS(sel), label))
	type chosen struct {
		Label string `json:"label"`
		Value string `json:"value"`
	}
	c := js[chosen](t, ctx, "read the chosen option", `(s => ({label: s.selectedOptions[0] ? s.selectedOptions[0].textContent.trim() : '', value: s.value}))(document.querySelector(`+jsString(sel)+`))`)
	if c.Label != label {
		t.Fatalf("after typing %q in %s, the option %q is chosen", label, sel, c.Label)
	}
	return c.Value
}

// listedStory is a row of the newsroom's story list.
type listedStory struct {
	Headline string `json:"headline"`
	Href     string `json:"href"`
	Badge    string `json:"badge"`
	Section  string `json:"section"`
	Status   string `json:"status"`
	Time     string `json:"time"`
}

// readStoryList reads the rows of the story list at /admin/stories, and the
// text of the table's only cell when it lists nothing.
func readStoryList(t testing.TB, ctx context.Context) (rows []listedStory, empty string) {
	t.Helper()
	type list struct {
		Rows  []listedStory `json:"rows"`
		Empty string        `json:"empty"`
	}
	l := js[*list](t, ctx, "read the story list", `(() => {
		const table = document.querySelector('main table.stories-table');
		if (!table) return null;
		const txt = e => e ? e.textContent.replace(/\s+/g, ' ').trim() : '';
		const rows = [], trs = [...table.querySelectorAll('tbody tr')];
		for (const tr of trs) {
			const a = tr.querySelector('td a');
			if (!a) continue;
			const c = tr.cells;
			rows.push({headline: txt(a), href: a.getAttribute('href'), badge: txt(tr.querySelector('.badge')),
				section: txt(c[3]), status: txt(tr.querySelector('.status')), time: c[4] ? (c[4].querySelector('time') || {}).dateTime || '' : ''});
		}
		return {rows, empty: rows.length === 0 && trs.length === 1 ? txt(trs[0]) : ''};
	})()`)
	if l == nil {
		t.Fatalf("the story list has no table.stories-table; it says: %s", mainText(t, ctx))
	}
	return l.Rows, l.Empty
}

// findListed returns the row of the story list that links to href, or
// fails the test.
func findListed(t testing.TB, ctx context.Context, href, who string) listedStory {
	t.Helper()
	rows, _ := readStoryList(t, ctx)
	for _, r := range rows {
		if r.Href == href {
			return r
		}
	}
	t.Fatalf("the story list does not show %s the story at %s; it lists %+v", who, href, rows)
	return listedStory{}
}

// landedInEditor checks that a save ended, after its redirect, with 200 on
// the editor of a story with "Saved." above the form, and returns the
// story's id.
func landedInEditor(t testing.TB, ctx context.Context, base, what string, action chromedp.Action[chromedp.Void]) int64 {
	t.Helper()
	resp := navigateBy(t, ctx, what, action)
	loc := get(t, ctx, "read the address of the page", chromedp.Location())
	m := editorURL.FindStringSubmatch(loc)
	if m == nil || m[1] != base {
		t.Fatalf("after %s the browser is on %s (status %d), want %s/admin/stories/<id>?saved=1; the page says: %s",
			what, loc, resp.Status, base, mainText(t, ctx))
	}
	if resp.Status != http.StatusOK {
		t.Fatalf("after %s, %s answered %d %s, want 200; the page says: %s", what, loc, resp.Status, resp.StatusText, mainText(t, ctx))
	}
	if n := textOf(t, ctx, `main p.notice[role="status"]`); n != savedNotice {
		t.Errorf("after %s the editor says %q, want %q", what, n, savedNotice)
	}
	id, err := strconv.ParseInt(m[2], 10, 64)
	if err != nil {
		t.Fatalf("the story id in %s: %v", loc, err)
	}
	return id
}

// editorStatus is the status the editor shows above the form.
func editorStatus(t testing.TB, ctx context.Context) string {
	t.Helper()
	return textOf(t, ctx, "main p.meta strong")
}

// storyByID returns the story with the id as the store holds it.
func storyByID(t testing.TB, site *accountSite, id int64) *story.Story {
	t.Helper()
	st, err := site.Store.StoryByID(timeout(t), id)
	if err != nil {
		t.Fatalf("the store does not find story %d: %v", id, err)
	}
	return st
}

// setPublishAt sets the editor's "Publish at" field to at, in UTC. The
// field is a datetime-local input, whose typing order follows the
// browser's locale, so the value is set from the page's script, as the
// browser's own date picker does, with the events that follow.
func setPublishAt(t testing.TB, ctx context.Context, at time.Time) {
	t.Helper()
	want := at.UTC().Format(publishAtLayout)
	if l := labelOf(t, ctx, "f-publish_at"); !strings.Contains(l, "Publish at") || !strings.Contains(l, "UTC") {
		t.Errorf("the publication time field is labelled %q, want one that says Publish at and UTC", l)
	}
	got := js[string](t, ctx, "set the publication time", `(i => {
		i.focus();
		i.value = `+jsString(want)+`;
		i.dispatchEvent(new Event('input', {bubbles: true}));
		i.dispatchEvent(new Event('change', {bubbles: true}));
		return i.value;
	})(document.getElementById('f-publish_at'))`)
	if got != want {
		t.Fatalf("the publication time field holds %q, want %q", got, want)
	}
}

// searchResults is what /search shows after a search.
type searchResults struct {
	Count string      `json:"count"`
	Hits  []searchHit `json:"hits"`
}

type searchHit struct {
	Headline string   `json:"headline"`
	Href     string   `json:"href"`
	Snippet  string   `json:"snippet"`
	Marks    []string `json:"marks"`
}

// searchFor opens /search, types query into its field and submits it with
// the Search button, and returns the results.
func searchFor(t testing.TB, ctx context.Context, base, query string) searchResults {
	t.Helper()
	openPage(t, ctx, base+"/search", "#f-q")
	if l := labelOf(t, ctx, "f-q"); l != "Search stories" {
		t.Errorf("the search field is labelled %q, want %q", l, "Search stories")
	}
	do(t, ctx, "type the search", chromedp.SendKeys(chromedp.CSS("#f-q"), query))
	resp := navigateBy(t, ctx, "click Search", chromedp.Click(button("Search")))
	loc := get(t, ctx, "read the address of the page", chromedp.Location())
	u, err := url.Parse(loc)
	if err != nil || base+u.Path != base+"/search" || u.Query().Get("q") != query {
		t.Fatalf("searching for %q led to %s, want %s/search?q=%s…", query, loc, base, url.QueryEscape(query))
	}
	if resp.Status != http.StatusOK {
		t.Fatalf("%s answered %d %s, want 200; the page says: %s", loc, resp.Status, resp.StatusText, mainText(t, ctx))
	}
	return readSearchResults(t, ctx)
}

// readSearchResults reads the results the search page shows.
func readSearchResults(t testing.TB, ctx context.Context) searchResults {
	t.Helper()
	return js[searchResults](t, ctx, "read the search results", `(() => {
		const txt = e => e ? e.textContent.replace(/\s+/g, ' ').trim() : '';
		return {
			count: txt(document.querySelector('main p.result-count')),
			hits: [...document.querySelectorAll('main ol.search-results > li')].map(li => {
				const a = li.querySelector('.card-headline a');
				return {headline: txt(a), href: a ? a.getAttribute('href') : '', snippet: txt(li.querySelector('.snippet')),
					marks: [...li.querySelectorAll('.snippet mark')].map(txt)};
			}),
		};
	})()`)
}

// shownStory is a story page as a reader sees it.
type shownStory struct {
	Headline string `json:"headline"`
	Dek      string `json:"dek"`
	// Paragraphs are the texts of the body's paragraphs.
	Paragraphs []string `json:"paragraphs"`
	// Dateline is the text of the span.dateline in the first paragraph;
	// DatelineFirst is true when it opens that paragraph.
	Dateline      string   `json:"dateline"`
	DatelineFirst bool     `json:"datelineFirst"`
	Byline        string   `json:"byline"`
	AuthorLinks   []string `json:"authorLinks"`
}

func readShownStory(t testing.TB, ctx context.Context) shownStory {
	t.Helper()
	return js[shownStory](t, ctx, "read the story", `(() => {
		const txt = e => e ? e.textContent.replace(/\s+/g, ' ').trim() : '';
		const body = document.querySelector('main .story-body');
		const ps = body ? [...body.querySelectorAll(':scope > p')] : [];
		const first = ps[0], d = first && first.querySelector('span.dateline');
		let firstNode = first && first.firstChild;
		while (firstNode && firstNode.nodeType === Node.TEXT_NODE && !firstNode.textContent.trim()) firstNode = firstNode.nextSibling;
		return {
			headline: txt(document.querySelector('main h1#headline')), dek: txt(document.querySelector('main .story-header .dek')),
			paragraphs: ps.map(txt), dateline: txt(d), datelineFirst: !!d && firstNode === d,
			byline: txt(document.querySelector('main .story-header .byline')),
			authorLinks: [...document.querySelectorAll('main .story-header .byline a')].map(a => a.getAttribute('href')),
		};
	})()`)
}

// onFrontPage reports whether the front page links to the story at path.
func onFrontPage(t testing.TB, ctx context.Context, base, path string) bool {
	t.Helper()
	openPage(t, ctx, base+"/", "main")
	return js[bool](t, ctx, "look for the story on the front page",
		`!![...document.querySelectorAll('main a[href]')].find(a => a.getAttribute('href') === `+jsString(path)+`)`)
}

func TestNewsroomJourney(t *testing.T) {
	chromium := needBrowser(t)
	site := startFullSite(t)
	base := site.Base
	var (
		writer = person{"nellie.bly@example.com", "Nellie Bly", "around the world in 72 days"}
		editor = person{"harold.ross@example.com", "Harold Ross", "not for the old lady in dubuque"}
	)
	const (
		word           = "zeppelin"
		headline       = "An airship moors at Lakehurst again"
		editedHeadline = "First airship in decades moors at Lakehurst"
		dek            = "The hangar built for giants welcomes a smaller visitor."
		datelineTyped  = "Lakehurst, N.J."
		datelineShown  = "LAKEHURST, N.J."
		bylines        = "Nellie Bly, Rangi Whitaker"
		sectionName    = "Science"
		tags           = "Airships, Aviation history"
		firstPara      = "A helium " + word + " drifted over the pine barrens on Tuesday, the first airship to moor at the old naval air station in decades."
		secondPara     = "Crowds gathered along the fence to watch the ground crew walk it into the hangar."
		body           = firstPara + "\n\n" + secondPara
	)
	writerUser := newPerson(t, site, writer, account.Writer)
	newPerson(t, site, editor, account.Editor)
	ctx := newBrowser(t, chromium)

	// 1. A writer logs in, opens the story list, which has nothing of theirs
	// yet, and starts a new story.
	logIn(t, ctx, base, writer.Email, writer.Password, writer.Name)
	openPage(t, ctx, base+"/admin/stories", "main h1")
	if rows, empty := readStoryList(t, ctx); len(rows) != 0 || empty != noStoriesInList {
		t.Errorf("a new writer's story list shows %+v and %q, want only %q", rows, empty, noStoriesInList)
	}
	resp := navigateBy(t, ctx, `click "New story"`, chromedp.Click(link("New story")))
	wantPage(t, ctx, resp, http.StatusOK, base+"/admin/stories/new")
	if h := textOf(t, ctx, "main h1"); h != "New story" {
		t.Errorf("the new story form's heading is %q, want %q", h, "New story")
	}
	if v := value(t, ctx, "#f-bylines"); v != writer.Name {
		t.Errorf("the new story's bylines hold %q, want the writer's name %q", v, writer.Name)
	}
	offered := js[[]string](t, ctx, "read the editor's buttons",
		`[...document.querySelectorAll('main form.story-editor button')].map(b => b.textContent.trim())`)
	if want := []string{"Preview", "Save", "Submit for review"}; strings.Join(offered, "|") != strings.Join(want, "|") {
		t.Errorf("a writer is offered the buttons %q, want %q", offered, want)
	}
	if js[bool](t, ctx, "look for the publication time", `!!document.getElementById('f-publish_at')`) {
		t.Error("a writer is offered the field to schedule the story")
	}

	// 2. They fill in the story, by typing and choosing, and preview it.
	do(t, ctx, "type the headline, dek and dateline",
		chromedp.SendKeys(chromedp.CSS("#f-headline"), headline),
		chromedp.SendKeys(chromedp.CSS("#f-dek"), dek),
		chromedp.SendKeys(chromedp.CSS("#f-dateline"), datelineTyped))
	replaceValue(t, ctx, "#f-bylines", bylines)
	section := chooseOption(t, ctx, "#f-section", sectionName)
	do(t, ctx, "type the tags and the body",
		chromedp.SendKeys(chromedp.CSS("#f-tags"), tags),
		chromedp.SendKeys(chromedp.CSS("#f-body"), body))
	if v := value(t, ctx, "#f-body"); v != body {
		t.Fatalf("the body holds %q, want what was typed, %q", v, body)
	}
	resp = navigateBy(t, ctx, `click "Preview"`, chromedp.Click(button("Preview")))
	// The editor saves a new story as a draft once it has a headline, and
	// from then on posts to the draft's own address.
	if loc := get(t, ctx, "read the address of the page", chromedp.Location()); loc != base+"/admin/stories" && !editorPath.MatchString(loc) {
		t.Fatalf("after the preview the browser is on %s (status %d), want %s/admin/stories or a story's editor", loc, resp.Status, base)
	}
	if resp.Status != http.StatusOK {
		t.Fatalf("the preview answered %d", resp.Status)
	}
	do(t, ctx, "wait for the preview", chromedp.WaitVisible(chromedp.CSS("main section.preview")))
	if h := textOf(t, ctx, "main section.preview h2"); h != "Preview" {
		t.Errorf("the preview's heading is %q, want %q", h, "Preview")
	}
	preview := js[[]string](t, ctx, "read the preview",
		`[...document.querySelectorAll('main section.preview .story-body p')].map(p => p.textContent.replace(/\s+/g, ' ').trim())`)
	if len(preview) != 2 || preview[0] != firstPara || preview[1] != secondPara {
		t.Errorf("the preview shows the paragraphs %q, want %q and %q", preview, firstPara, secondPara)
	}
	for sel, want := range map[string]string{"#f-headline": headline, "#f-dek": dek, "#f-dateline": datelineTyped,
		"#f-bylines": bylines, "#f-section": section, "#f-tags": tags, "#f-body": body} {
		if v := value(t, ctx, sel); v != want {
			t.Errorf("after the preview, %s holds %q, want what was typed, %q", sel, v, want)
		}
	}

	// 3. They submit it for review, and land on its editor, saved; their
	// list shows it waiting for review.
	id := landedInEditor(t, ctx, base, `click "Submit for review"`, chromedp.Click(button("Submit for review")))
	if s := editorStatus(t, ctx); s != string(story.Draft) {
		t.Errorf("a story submitted for review shows the status %q, want %q", s, story.Draft)
	}
	st := storyByID(t, site, id)
	if st.Headline != headline || st.Dek != dek || st.Dateline != datelineShown || st.Section.Name != sectionName ||
		st.Status != story.Draft || st.SubmittedAt.IsZero() || st.CreatedBy != writerUser.ID || crlfToLF(st.Body) != body {
		t.Errorf("story %d is stored as %q %q %q in %q, %s, submitted %v, by user %d, with the body %q; want %q %q %q in %q, a draft submitted for review by %d, with the body typed",
			id, st.Headline, st.Dek, st.Dateline, st.Section.Name, st.Status, st.SubmittedAt, st.CreatedBy, st.Body,
			headline, dek, datelineShown, sectionName, writerUser.ID)
	}
	var storedTags []string
	for _, tg := range st.Tags {
		storedTags = append(storedTags, tg.Name)
	}
	if strings.Join(storedTags, ", ") != tags {
		t.Errorf("story %d has the tags %q, want %q", id, storedTags, tags)
	}
	editPath := fmt.Sprintf("/admin/stories/%d", id)
	openPage(t, ctx, base+"/admin/stories", "main table.stories-table")
	if row := findListed(t, ctx, editPath, "the writer"); row.Headline != headline || row.Badge != forReviewBadge || row.Section != sectionName {
		t.Errorf("the writer's list shows the story as %+v, want %q in %s marked %q", row, headline, sectionName, forReviewBadge)
	}

	// 4. An editor, in a browser context of their own, opens the story
	// from the list, changes the headline and schedules it.
	ed := newIncognitoTab(t, ctx)
	logIn(t, ed, base, editor.Email, editor.Password, editor.Name)
	openPage(t, ed, base+"/admin/stories", "main table.stories-table")
	if row := findListed(t, ed, editPath, "the editor"); row.Headline != headline || row.Badge != forReviewBadge {
		t.Errorf("the editor's list shows the story as %+v, want %q marked %q", row, headline, forReviewBadge)
	}
	resp = navigateBy(t, ed, "open the story from the list",
		chromedp.Click(chromedp.Search(fmt.Sprintf(`//main//table//a[@href=%q]`, editPath))))
	wantPage(t, ed, resp, http.StatusOK, base+editPath)
	if h := textOf(t, ed, "main h1"); h != "Edit story" {
		t.Errorf("the editor's heading is %q, want %q", h, "Edit story")
	}
	for sel, want := range map[string]string{"#f-headline": headline, "#f-dek": dek, "#f-dateline": datelineShown,
		"#f-bylines": bylines, "#f-section": section, "#f-tags": tags, "#f-body": body} {
		if v := value(t, ed, sel); v != want {
			t.Errorf("the editor opens with %s holding %q, want %q", sel, v, want)
		}
	}
	replaceValue(t, ed, "#f-headline", editedHeadline)
	// Far enough ahead that the scheduler, which looks every
	// schedulerInterval, must leave it alone while the test looks.
	publishAt := time.Now().UTC().Add(10 * time.Minute).Truncate(time.Minute)
	setPublishAt(t, ed, publishAt)
	landedInEditor(t, ed, base, `click "Schedule"`, chromedp.Click(button("Schedule")))
	if s := editorStatus(t, ed); s != string(story.Scheduled) {
		t.Errorf("after scheduling, the editor shows the status %q, want %q", s, story.Scheduled)
	}
	if v := value(t, ed, "#f-publish_at"); v != publishAt.Format(publishAtLayout) {
		t.Errorf("after scheduling, the publication time field holds %q, want %q", v, publishAt.Format(publishAtLayout))
	}
	if v := value(t, ed, "#f-headline"); v != editedHeadline {
		t.Errorf("after scheduling, the headline field holds %q, want %q", v, editedHeadline)
	}
	st = storyByID(t, site, id)
	if st.Status != story.Scheduled || !st.PublishedAt.Equal(publishAt) || st.Headline != editedHeadline {
		t.Fatalf("the scheduled story is stored as %q, %s at %v; want %q, scheduled at %v", st.Headline, st.Status, st.PublishedAt, editedHeadline, publishAt)
	}
	scheduledPath := st.Path()
	row := findListedAfterLoad(t, ed, base, editPath)
	if row.Status != string(story.Scheduled) || row.Headline != editedHeadline || row.Badge != "" {
		t.Errorf("after scheduling, the list shows the story as %+v, want %q, %s, not marked %q", row, editedHeadline, story.Scheduled, forReviewBadge)
	}
	if at, err := time.Parse(time.RFC3339, row.Time); err != nil || !at.Equal(publishAt) {
		t.Errorf("the list gives the scheduled story the time %q, want %s", row.Time, publishAt.Format(time.RFC3339))
	}

	// 5. Until then, readers can neither see nor find it.
	reader := newIncognitoTab(t, ctx)
	if onFrontPage(t, reader, base, scheduledPath) {
		t.Errorf("the front page links to the story scheduled for %v", publishAt)
	}
	if r := get(t, reader, "load the scheduled story's address", chromedp.NavigateResponse(base+scheduledPath)); r.Status != http.StatusNotFound {
		t.Errorf("%s, a story scheduled for %v, answered %d, want 404", scheduledPath, publishAt, r.Status)
	}
	if res := searchFor(t, reader, base, word); res.Count != noSearchResults || len(res.Hits) != 0 {
		t.Errorf("searching for %q before the story's time finds %q %+v, want %q", word, res.Count, res.Hits, noSearchResults)
	}
	if st := storyByID(t, site, id); st.Status != story.Scheduled {
		t.Fatalf("the scheduler published the story %v ahead of its time: it is %s", time.Until(publishAt).Round(time.Second), st.Status)
	}

	// 6. The editor goes back to the story from the list and publishes it
	// now.
	resp = navigateBy(t, ed, "open the story from the list",
		chromedp.Click(chromedp.Search(fmt.Sprintf(`//main//table//a[@href=%q]`, editPath))))
	wantPage(t, ed, resp, http.StatusOK, base+editPath)
	landedInEditor(t, ed, base, `click "Publish now"`, chromedp.Click(button("Publish now")))
	if s := editorStatus(t, ed); s != string(story.Published) {
		t.Errorf("after publishing, the editor shows the status %q, want %q", s, story.Published)
	}
	st = storyByID(t, site, id)
	if st.Status != story.Published || !st.PublishedAt.Before(publishAt) {
		t.Fatalf("after Publish now, the story is %s at %v, want published now, before %v", st.Status, st.PublishedAt, publishAt)
	}
	storyPath := st.Path()
	if href := js[string](t, ed, "read the link to the story", `(a => a ? a.getAttribute('href') : '')(document.querySelector('main p.meta a:not([href$="/revisions"])'))`); href != storyPath {
		t.Errorf("the editor's link to the published story is %q, want %q", href, storyPath)
	}

	// 7. A reader finds it by the word, highlighted, and reads it, with the
	// dateline opening the first paragraph.
	res := searchFor(t, reader, base, word)
	if res.Count != "1 story found." || len(res.Hits) != 1 {
		t.Fatalf("searching for %q finds %q %+v, want the one story", word, res.Count, res.Hits)
	}
	hit := res.Hits[0]
	if hit.Headline != editedHeadline || hit.Href != storyPath {
		t.Errorf("the search result is %q at %s, want %q at %s", hit.Headline, hit.Href, editedHeadline, storyPath)
	}
	if len(hit.Marks) == 0 {
		t.Errorf("the search result's snippet %q highlights nothing, want %q in a <mark>", hit.Snippet, word)
	}
	for _, m := range hit.Marks {
		if !strings.EqualFold(m, word) {
			t.Errorf("the search result's snippet %q highlights %q, want only %q", hit.Snippet, m, word)
		}
	}
	resp = navigateBy(t, reader, "click the search result", chromedp.Click(chromedp.Search(
		fmt.Sprintf(`//main//ol[contains(@class, "search-results")]//a[normalize-space()=%q]`, editedHeadline))))
	wantPage(t, reader, resp, http.StatusOK, base+storyPath)
	shown := readShownStory(t, reader)
	if shown.Headline != editedHeadline || shown.Dek != dek {
		t.Errorf("the story page shows %q / %q, want %q / %q", shown.Headline, shown.Dek, editedHeadline, dek)
	}
	wantDateline := datelineShown + strings.TrimRight(story.DatelineSep, " ")
	if shown.Dateline != wantDateline || !shown.DatelineFirst {
		t.Errorf("the story's first paragraph has the dateline %q (opening it: %v), want %q before the first word", shown.Dateline, shown.DatelineFirst, wantDateline)
	}
	if want := []string{datelineShown + story.DatelineSep + firstPara, secondPara}; strings.Join(shown.Paragraphs, "\n") != strings.Join(want, "\n") {
		t.Errorf("the story shows the paragraphs %q, want %q", shown.Paragraphs, want)
	}
	if want := "By " + writer.Name + " and Rangi Whitaker"; shown.Byline != want {
		t.Errorf("the story's byline is %q, want %q", shown.Byline, want)
	}
	if strings.Join(shown.AuthorLinks, " ") != "/author/rangi-whitaker" {
		t.Errorf("the byline links to %q, want only the staff writer's page /author/rangi-whitaker", shown.AuthorLinks)
	}
	if !onFrontPage(t, reader, base, storyPath) {
		t.Errorf("the front page does not link to the published story %s", storyPath)
	}
}

// crlfToLF turns the line breaks a browser sends from a textarea (CR LF)
// into the ones typed (LF).
func crlfToLF(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// findListedAfterLoad opens the story list and returns the row of the
// story whose editor is at editPath.
func findListedAfterLoad(t testing.TB, ctx context.Context, base, editPath string) listedStory {
	t.Helper()
	openPage(t, ctx, base+"/admin/stories", "main table.stories-table")
	return findListed(t, ctx, editPath, "the editor")
}

func TestScheduledStoryAppearsOnTime(t *testing.T) {
	chromium := needBrowser(t)
	site := startFullSite(t)
	base := site.Base
	editor := person{"carr.van.anda@example.com", "Carr Van Anda", "relativity on the front page"}
	editorUser := newPerson(t, site, editor, account.Editor)
	ctx := newBrowser(t, chromium)

	// The editor's form schedules to the minute; the service takes any
	// time, so that the scheduler (wired as `dateline serve` wires it, and
	// looking every schedulerInterval) can be watched at work in seconds.
	const word = "dirigible"
	at := time.Now().UTC().Truncate(time.Second).Add(4 * time.Second)
	st := &story.Story{Headline: "Harbour pilots rehearse for the tall ships", Dateline: "Bremerhaven",
		Section: story.Section{Slug: "world"}, Bylines: []story.Byline{{Name: editor.Name}}, Access: story.Free, Comments: "subscribers",
		Body: "A " + word + " will lead the parade of sail into the harbour.\n\nThe pilots practised the turn twice."}
	if err := site.Newsroom.Save(timeout(t), editorUser, st, 0, newsroom.Schedule, at, ""); err != nil {
		t.Fatalf("schedule the story for %v: %v", at, err)
	}
	storyPath := storyByID(t, site, st.ID).Path()
	if early := onFrontPage(t, ctx, base, storyPath); early && time.Now().Before(at) {
		t.Errorf("the front page links to %s before its time, %v", storyPath, at)
	}

	// A reader keeps reloading the front page until it shows the story.
	deadline := at.Add(stepTimeout)
	for !onFrontPage(t, ctx, base, storyPath) {
		if time.Now().After(deadline) {
			t.Fatalf("%v after its time, the front page still does not link to the scheduled story %s; the store has it %s",
				time.Since(at).Round(time.Second), storyPath, storyByID(t, site, st.ID).Status)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if now := time.Now(); now.Before(at) {
		t.Errorf("the front page showed the story scheduled for %v at %v, too early", at, now)
	} else {
		t.Logf("the front page showed the story %v after its time", now.Sub(at).Round(time.Millisecond))
	}
	if got := storyByID(t, site, st.ID); got.Status != story.Published || !got.PublishedAt.Equal(at) {
		t.Errorf("the scheduler left the story %s at %v, want published at its time, %v", got.Status, got.PublishedAt, at)
	}
	if res := searchFor(t, ctx, base, word); len(res.Hits) != 1 || res.Hits[0].Href != storyPath {
		t.Errorf("searching for %q after the story's time finds %q %+v, want the story at %s", word, res.Count, res.Hits, storyPath)
	}
	resp := navigateBy(t, ctx, "click the search result", chromedp.Click(chromedp.Search(
		fmt.Sprintf(`//main//ol[contains(@class, "search-results")]//a[@href=%q]`, storyPath))))
	wantPage(t, ctx, resp, http.StatusOK, base+storyPath)
	if d := readShownStory(t, ctx).Dateline; d != "BREMERHAVEN –" {
		t.Errorf("the story's dateline reads %q, want %q", d, "BREMERHAVEN –")
	}
}

func TestNewsroomAccessibility(t *testing.T) {
	chromium := needBrowser(t)
	axe := axeSource(t)
	site := startFullSite(t)
	base := site.Base
	var (
		writer = person{"ida.tarbell@example.com", "Ida Tarbell", "history of standard oil"}
		editor = person{"max.perkins@example.com", "Max Perkins", "editor of genius books"}
	)
	writerUser := newPerson(t, site, writer, account.Writer)
	editorUser := newPerson(t, site, editor, account.Editor)
	ctx := newBrowser(t, chromium)

	// A story the writer filed and the editor published, then edited, made
	// with the newsroom service: three revisions.
	const word = "zeppelin"
	st := &story.Story{Headline: "An airship moors at Lakehurst again", Dek: "The hangar built for giants welcomes a smaller visitor.",
		Dateline: "Lakehurst, N.J.", Section: story.Section{Slug: "science"}, Bylines: []story.Byline{{Name: writer.Name}},
		Tags: []story.Tag{{Name: "Airships"}}, Access: story.Free, Comments: "subscribers",
		Body: "A helium " + word + " drifted over the pine barrens on **Tuesday**.\n\n" +
			"Crowds gathered along the fence:\n\n- to watch the ground crew\n- to see it walked into the hangar\n\n> It was like 1936 again, said one."}
	if err := site.Newsroom.Save(timeout(t), writerUser, st, 0, newsroom.Submit, time.Time{}, ""); err != nil {
		t.Fatalf("the writer submits the story: %v", err)
	}
	for _, edit := range []struct {
		headline string
		action   newsroom.Action
	}{{"First airship in decades moors at Lakehurst", newsroom.Publish}, {"First airship in decades moors at Lakehurst, N.J.", newsroom.Save}} {
		cur := storyByID(t, site, st.ID)
		cur.Headline = edit.headline
		if err := site.Newsroom.Save(timeout(t), editorUser, cur, cur.Version, edit.action, time.Time{}, ""); err != nil {
			t.Fatalf("the editor saves the story (%s): %v", edit.action, err)
		}
	}
	if st = storyByID(t, site, st.ID); st.Status != story.Published {
		t.Fatalf("the story is %s, want published", st.Status)
	}
	editPath := fmt.Sprintf("/admin/stories/%d", st.ID)

	writerTab := newIncognitoTab(t, ctx)
	logIn(t, writerTab, base, writer.Email, writer.Password, writer.Name)
	editorTab := newIncognitoTab(t, ctx)
	logIn(t, editorTab, base, editor.Email, editor.Password, editor.Name)

	views := []struct {
		width  int64
		scheme string
	}{{1280, "light"}, {390, "dark"}}
	pages := []struct {
		name string
		ctx  context.Context
		open func(t *testing.T, ctx context.Context)
	}{
		{"story list, editor", editorTab, func(t *testing.T, ctx context.Context) {
			openPage(t, ctx, base+"/admin/stories", "main table.stories-table")
			findListed(t, ctx, editPath, "the editor")
		}},
		{"story list, writer", writerTab, func(t *testing.T, ctx context.Context) {
			openPage(t, ctx, base+"/admin/stories", "main table.stories-table")
			findListed(t, ctx, editPath, "the writer")
		}},
		{"new story form, writer", writerTab, func(t *testing.T, ctx context.Context) {
			openPage(t, ctx, base+"/admin/stories/new", "#f-headline")
		}},
		{"new story form after saving without a headline, editor", editorTab, func(t *testing.T, ctx context.Context) {
			openPage(t, ctx, base+"/admin/stories/new", "#f-headline")
			resp := navigateBy(t, ctx, `click "Save" with no headline`, chromedp.Click(button("Save")))
			wantPage(t, ctx, resp, http.StatusUnprocessableEntity, base+"/admin/stories")
			do(t, ctx, "wait for the headline's error", chromedp.WaitVisible(chromedp.CSS("#f-headline-error")))
			if e := textOf(t, ctx, "#f-headline-error"); e != headlineRequired {
				t.Errorf("the headline's error says %q, want %q", e, headlineRequired)
			}
			type fieldState struct {
				Beside      bool   `json:"beside"`
				DescribedBy string `json:"describedBy"`
				Invalid     string `json:"invalid"`
			}
			fs := js[fieldState](t, ctx, "read the headline field", `(i => ({
				beside: i.closest('.field') === document.getElementById('f-headline-error').closest('.field'),
				describedBy: i.getAttribute('aria-describedby') || '', invalid: i.getAttribute('aria-invalid') || '',
			}))(document.getElementById('f-headline'))`)
			if !fs.Beside || !strings.Contains(" "+fs.DescribedBy+" ", " f-headline-error ") || fs.Invalid != "true" {
				t.Errorf("the headline field is %+v, want its error beside it, in its aria-describedby, and aria-invalid=true", fs)
			}
			if a := textOf(t, ctx, `main p.form-error[role="alert"]`); a != checkFieldAlert {
				t.Errorf("the form's alert says %q, want %q", a, checkFieldAlert)
			}
		}},
		{"editor of a published story with a preview, editor", editorTab, func(t *testing.T, ctx context.Context) {
			openPage(t, ctx, base+editPath, "#f-correction")
			resp := navigateBy(t, ctx, `click "Preview"`, chromedp.Click(button("Preview")))
			wantPage(t, ctx, resp, http.StatusOK, base+editPath)
			do(t, ctx, "wait for the preview", chromedp.WaitVisible(chromedp.CSS("main section.preview blockquote")))
		}},
		{"revisions, with the newest open, editor", editorTab, func(t *testing.T, ctx context.Context) {
			openPage(t, ctx, base+editPath+"/revisions", "main ol.revisions")
			if n := js[int](t, ctx, "count the revisions", `document.querySelectorAll('main ol.revisions > li').length`); n != 3 {
				t.Errorf("the revisions page lists %d revisions, want 3", n)
			}
			do(t, ctx, "open the newest revision",
				chromedp.Click(chromedp.CSS("main ol.revisions > li:first-child summary")),
				chromedp.WaitVisible(chromedp.CSS("main ol.revisions > li:first-child pre")))
		}},
		{"search with results, anonymous", ctx, func(t *testing.T, ctx context.Context) {
			openPage(t, ctx, base+"/search?q="+word, "main ol.search-results mark")
			if res := readSearchResults(t, ctx); len(res.Hits) != 1 {
				t.Errorf("searching for %q finds %+v, want the one story", word, res.Hits)
			}
		}},
		{"search without results, anonymous", ctx, func(t *testing.T, ctx context.Context) {
			openPage(t, ctx, base+"/search?q=quuxplorative", "main p.result-count")
			if res := readSearchResults(t, ctx); res.Count != noSearchResults || len(res.Hits) != 0 {
				t.Errorf("searching for a word no story has shows %q %+v, want %q", res.Count, res.Hits, noSearchResults)
			}
		}},
	}
	for _, v := range views {
		for _, p := range pages {
			t.Run(fmt.Sprintf("%s, %s, %d px", p.name, v.scheme, v.width), func(t *testing.T) {
				setView(t, p.ctx, v.width, v.scheme)
				p.open(t, p.ctx)
				loc := get(t, p.ctx, "read the address of the page", chromedp.Location())
				where := fmt.Sprintf("%s (%s, %s, %d px wide)", loc, p.name, v.scheme, v.width)
				checkAxe(t, p.ctx, axe, v.scheme, where)
				checkFieldNames(t, p.ctx, where)
			})
		}
	}
}
