package e2e

import (
	"context"
	"fmt"
	"net/http"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/chromedp/chromedp"

	"dateline/internal/account"
	"dateline/internal/comment"
	"dateline/internal/story"
)

// What the comment pages and emails say, word for word.
const (
	commentNoticeStart  = "Commenting is for subscribers"
	policyLinkLabel     = "Here's why"
	policyHeading       = "Our comment policy"
	policyWhyHeading    = "Why commenting is for subscribers"
	newCommentLabel     = "Add your comment"
	reportedNoticeStart = "Thank you for the report"
	editedMark          = "(edited)"
	deletedPlaceholder  = "This comment was deleted."
	deletedQueueNotice  = "The comment has been deleted. Where it has replies, a placeholder stays."
	emptyReportedQueue  = "No reported comments. All clear."
	abuseReasonLabel    = "Abuse or harassment"
	reportHeading       = "Report a comment"
	reportNoteLabel     = "Anything to add (optional)"
	noReasonMessage     = "Choose why you are reporting this comment."
	emptyCommentError   = "Write something before posting."
)

// replySubject is the subject of the email that tells a commenter that
// replier answered them.
func replySubject(replier string) string {
	return replier + " replied to your comment on " + siteName
}

// person is someone at the keyboard, with an account the test makes.
type person struct {
	Email, Name, Password string
}

// newPerson creates p's account, with a confirmed address and role, as
// `dateline user create` does.
func newPerson(t testing.TB, site *accountSite, p person, role account.Role) *account.User {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	u, err := site.Accounts.CreateUser(ctx, p.Email, p.Name, p.Password, role)
	if err != nil {
		t.Fatalf("create the %s %s: %v", role, p.Email, err)
	}
	return u
}

// newSubscriber creates a reader's account and subscribes it to the
// monthly plan with the demo checkout, and waits for the welcome email, so
// that the next email the reader gets is the next one the test counts.
func newSubscriber(t testing.TB, site *accountSite, p person) *account.User {
	t.Helper()
	u := newPerson(t, site, p, account.Reader)
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	if _, err := site.Billing.CompleteDemoCheckout(ctx, u, planNamed(t, site, "Monthly").ID); err != nil {
		t.Fatalf("subscribe %s with the demo checkout: %v", p.Email, err)
	}
	mailWithSubject(t, site.Mail.WaitForTo(t, p.Email, 1, mailTimeout), welcomeSubject)
	return u
}

// timeout returns a context for one step done without the browser, ended
// after stepTimeout or with the test.
func timeout(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	t.Cleanup(cancel)
	return ctx
}

// storyOf returns the story at path (such as /2026/05/04/slug) as the
// store holds it.
func storyOf(t testing.TB, site *accountSite, storyPath string) *story.Story {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	st, err := site.Store.StoryBySlug(ctx, path.Base(storyPath))
	if err != nil {
		t.Fatalf("the store does not find the story at %s: %v", storyPath, err)
	}
	if st.Path() != storyPath {
		t.Fatalf("the story at %s has the path %s", storyPath, st.Path())
	}
	return st
}

// commentsSection is what the discussion under a story shows around its
// comments.
type commentsSection struct {
	// Heading is the text of #comments-heading, such as "Comments (2)".
	Heading string `json:"heading"`
	// Form is true when the section holds the form for a new comment.
	Form bool `json:"form"`
	// Notice is the text of .comment-notice, which stands in for the
	// form; "" when there is none.
	Notice string `json:"notice"`
	// InPlace is true when the notice or the form comes first after the
	// heading (and the status notice, if any): where the form would be.
	InPlace bool `json:"inPlace"`
	// Status is the text of the section's p.notice[role=status], or "".
	Status string `json:"status"`
}

const readCommentsSection = `(() => {
	const s = document.querySelector('main section#comments');
	if (!s) return null;
	const txt = e => e ? e.textContent.replace(/\s+/g, ' ').trim() : '';
	const notice = s.querySelector('.comment-notice'), form = s.querySelector('form.comment-form');
	let first = s.querySelector('#comments-heading');
	first = first && first.nextElementSibling;
	if (first && first.matches('p.notice')) first = first.nextElementSibling;
	return {
		heading: txt(s.querySelector('#comments-heading')),
		form: !!(form && !form.closest('li.comment')),
		notice: txt(notice),
		inPlace: !!first && (first === notice || first === form),
		status: txt(s.querySelector(':scope > p.notice[role="status"]')),
	};
})()`

// readComments reads the discussion section of the story page the browser
// shows.
func readComments(t testing.TB, ctx context.Context) commentsSection {
	t.Helper()
	s := js[*commentsSection](t, ctx, "read the comments section", readCommentsSection)
	if s == nil {
		t.Fatalf("the story page has no section#comments; it says: %s", mainText(t, ctx))
	}
	return *s
}

// wantCommentingRefused checks that the story page shows, where the
// comment form would be, the notice that commenting is for subscribers,
// and no form. who says who the reader is, for the messages.
func wantCommentingRefused(t testing.TB, ctx context.Context, who string) commentsSection {
	t.Helper()
	s := readComments(t, ctx)
	if s.Form {
		t.Errorf("%s is offered the form for a new comment", who)
	}
	if !strings.HasPrefix(s.Notice, commentNoticeStart) {
		t.Errorf("the comments section shows %s the notice %q, want one that begins %q", who, s.Notice, commentNoticeStart)
	}
	if !s.InPlace {
		t.Errorf("the notice %q does not stand where the form would be, first after the heading %q", s.Notice, s.Heading)
	}
	if !strings.Contains(s.Notice, policyLinkLabel) {
		t.Errorf("the notice %q offers %s no %q link", s.Notice, who, policyLinkLabel)
	}
	return s
}

// noticePolicyLink is the "Here's why" link in the comments notice.
var noticePolicyLink = chromedp.Search(fmt.Sprintf(
	`//main//section[@id="comments"]//*[contains(concat(" ", normalize-space(@class), " "), " comment-notice ")]//a[normalize-space()=%q]`,
	policyLinkLabel))

// followPolicyLink clicks "Here's why" in the comments notice and checks
// that the comment policy opens, with its heading and its section on why
// commenting is for subscribers.
func followPolicyLink(t testing.TB, ctx context.Context, base string) {
	t.Helper()
	resp := navigateBy(t, ctx, fmt.Sprintf("click %q in the comments notice", policyLinkLabel), chromedp.Click(noticePolicyLink))
	wantPage(t, ctx, resp, http.StatusOK, base+"/comments/policy")
	if h := textOf(t, ctx, "main h1"); h != policyHeading {
		t.Errorf("the policy page's heading is %q, want %q", h, policyHeading)
	}
	h2s := js[[]string](t, ctx, "read the policy's headings",
		`[...document.querySelectorAll('main h2')].map(h => h.textContent.replace(/\s+/g, ' ').trim())`)
	found := false
	for _, h := range h2s {
		found = found || h == policyWhyHeading
	}
	if !found {
		t.Errorf("the policy page has no heading %q; its headings are %q", policyWhyHeading, h2s)
	}
}

// shownComment is one comment as the story page shows it.
type shownComment struct {
	Author string `json:"author"`
	Text   string `json:"text"`
	// Deleted is the placeholder's text, "" when the comment stands.
	Deleted string `json:"deleted"`
	Edited  string `json:"edited"`
	// Recommend is the Recommend button; nil when the page offers none.
	Recommend *struct {
		Label   string `json:"label"`
		Pressed string `json:"pressed"`
	} `json:"recommend"`
	// Parent is the id of the comment it is shown under, "" for a
	// top-level comment.
	Parent string `json:"parent"`
	// Controls are the links, summaries and buttons in the comment's own
	// footer, in order, such as "Recommend (0)", "Reply", "Report", "Edit",
	// "Delete". The reply form, where it is open, is not among them (nor
	// is the Reply link it stands in for).
	Controls []string `json:"controls"`
	// ReplyLink and ReportLink are the href attributes of the footer's
	// Reply and Report links, "" when it has none.
	ReplyLink  string `json:"replyLink"`
	ReportLink string `json:"reportLink"`
	// ReplyForm is true when the reply form is open under the comment.
	ReplyForm bool `json:"replyForm"`
}

// commentPart selects part (CSS) in the comment with the id itself, not in
// the replies under it.
func commentPart(id int64, part string) string {
	return fmt.Sprintf("li#comment-%d > article %s", id, part)
}

// commentXPath selects, by XPath, what rest (an XPath relative path) names
// in the comment with the id itself, not in the replies under it.
func commentXPath(id int64, rest string) chromedp.Search {
	return chromedp.Search(fmt.Sprintf(`//main//li[@id="comment-%d"]/article%s`, id, rest))
}

// readComment reads the comment with the id from the page, or returns nil
// when the page does not show it.
func readComment(t testing.TB, ctx context.Context, id int64) *shownComment {
	t.Helper()
	return js[*shownComment](t, ctx, fmt.Sprintf("read comment %d", id), fmt.Sprintf(`(li => {
		if (!li) return null;
		const a = li.querySelector(':scope > article');
		const txt = e => e ? e.textContent.replace(/\s+/g, ' ').trim() : '';
		const q = s => a.querySelector(s);
		const rec = q('footer form[action$="/recommend"] button');
		const parent = li.parentElement.closest('li.comment');
		return {
			author: txt(q('.comment-author')), text: txt(q('.comment-text')), deleted: txt(q('.comment-deleted')),
			edited: txt(q('.edited')),
			recommend: rec ? {label: txt(rec), pressed: rec.getAttribute('aria-pressed') || ''} : null,
			parent: parent ? parent.id : '',
			controls: [...a.querySelectorAll('footer > a, footer > details > summary, footer > form > button')].map(txt),
			replyLink: (e => e ? e.getAttribute('href') : '')(q('footer > a.reply-link')),
			reportLink: (e => e ? e.getAttribute('href') : '')(q('footer > a.report-link')),
			replyForm: !!q('footer > div.reply-form form.comment-form'),
		};
	})(document.getElementById('comment-%d'))`, id))
}

// mustReadComment is readComment for a comment the page must show.
func mustReadComment(t testing.TB, ctx context.Context, id int64, what string) *shownComment {
	t.Helper()
	c := readComment(t, ctx, id)
	if c == nil {
		t.Fatalf("the story page does not show %s (#comment-%d); it says: %s", what, id, mainText(t, ctx))
	}
	return c
}

// commentAddress matches the address of a story page scrolled to a
// comment.
var commentAddress = regexp.MustCompile(`^(.*)#comment-(\d+)$`)

// landedOnComment checks that a navigation ended with 200 on the story page
// at storyURL scrolled to a comment (#comment-N) that the page shows as
// its target, and returns N.
func landedOnComment(t testing.TB, ctx context.Context, what string, action chromedp.Action[chromedp.Void], storyURL string) int64 {
	t.Helper()
	resp := navigateBy(t, ctx, what, action)
	loc := get(t, ctx, "read the address of the page", chromedp.Location())
	m := commentAddress.FindStringSubmatch(loc)
	if m == nil || m[1] != storyURL {
		t.Fatalf("after %s the browser is on %s (status %d), want %s#comment-<id>; the page says: %s",
			what, loc, resp.Status, storyURL, mainText(t, ctx))
	}
	if resp.Status != http.StatusOK {
		t.Fatalf("after %s, %s answered %d %s, want 200; the page says: %s", what, loc, resp.Status, resp.StatusText, mainText(t, ctx))
	}
	id, err := strconv.ParseInt(m[2], 10, 64)
	if err != nil {
		t.Fatalf("the comment id in %s: %v", loc, err)
	}
	if target := js[string](t, ctx, "find the page's target", `(e => e ? e.id : '')(document.querySelector(':target'))`); target != "comment-"+m[2] {
		t.Errorf("the address names #comment-%d, but the page's :target is %q", id, target)
	}
	return id
}

// charsLeft is what the live counter under a comment field says when the
// field holds typed: textarea maxlength and the script count UTF-16 code
// units.
func charsLeft(typed string) string {
	return fmt.Sprintf("%d of %d characters left", comment.MaxLength-len(utf16.Encode([]rune(typed))), comment.MaxLength)
}

// wantCounter waits for the live counter of the comment field #id to say
// how many characters are left once the field holds typed.
func wantCounter(t testing.TB, ctx context.Context, id, typed string) {
	t.Helper()
	want := charsLeft(typed)
	counter := `document.getElementById(` + jsString(id+"-count") + `)`
	waitFor(t, ctx, fmt.Sprintf("the counter under #%s to say %q", id, want),
		`(e => !!e && e.textContent.trim() === `+jsString(want)+`)(`+counter+`)`,
		`JSON.stringify((e => e && e.textContent)(`+counter+`))`)
	described := js[bool](t, ctx, "read the field's description", `(a => !!a && (a.getAttribute('aria-describedby') || '').split(/\s+/).includes(`+
		jsString(id+"-count")+`))(document.getElementById(`+jsString(id)+`))`)
	if !described {
		t.Errorf("the comment field #%s is not described by its counter #%s-count, so screen readers do not hear it", id, id)
	}
}

// typeComment types text into the comment field #id in two halves, as a
// reader does, checking after each that the live counter follows.
func typeComment(t testing.TB, ctx context.Context, id, text string) {
	t.Helper()
	sel := chromedp.CSS("#" + id)
	if v := value(t, ctx, "#"+id); v != "" {
		t.Fatalf("the comment field #%s already holds %q", id, v)
	}
	wantCounter(t, ctx, id, "")
	half := len(text) / 2
	do(t, ctx, "type the first half of the comment", chromedp.SendKeys(sel, text[:half]))
	wantCounter(t, ctx, id, text[:half])
	do(t, ctx, "type the rest of the comment", chromedp.SendKeys(sel, text[half:]))
	wantCounter(t, ctx, id, text)
	if v := value(t, ctx, "#"+id); v != text {
		t.Fatalf("the comment field #%s holds %q, want what was typed, %q", id, v, text)
	}
}

// labelOf returns the text of the labels of the field with the id.
func labelOf(t testing.TB, ctx context.Context, id string) string {
	t.Helper()
	return js[string](t, ctx, "read the label of #"+id, `(i => i ? [...i.labels].map(l => l.textContent.replace(/\s+/g, ' ').trim()).join(' ') : '')(document.getElementById(`+jsString(id)+`))`)
}

// replyLink selects the Reply link in the footer of the comment with the
// id itself.
func replyLink(id int64) chromedp.Search {
	return commentXPath(id, `/footer/a[contains(concat(" ", normalize-space(@class), " "), " reply-link ")][normalize-space()="Reply"]`)
}

// replyButton selects the "Post reply" button of the reply form open
// under the comment with the id itself.
func replyButton(id int64) chromedp.Search {
	return commentXPath(id, `/footer/div[contains(concat(" ", normalize-space(@class), " "), " reply-form ")]//button[normalize-space()="Post reply"]`)
}

// wantReplyFormUnder checks that the page shows one reply form, and that it
// is open under the comment with the id: a form.comment-form in the
// comment's own footer that replies to it, with the field #reply-ID and
// the "Post reply" button, where the comment's Reply link would be.
func wantReplyFormUnder(t testing.TB, ctx context.Context, id int64) {
	t.Helper()
	type replyForms struct {
		// Under lists, for each div.reply-form on the page, the id of the
		// comment whose own footer holds it, or what else holds it.
		Under   []string `json:"under"`
		ReplyTo string   `json:"replyTo"`
		Field   bool     `json:"field"`
		Button  string   `json:"button"`
		Link    bool     `json:"link"`
	}
	f := js[replyForms](t, ctx, "find the reply forms", fmt.Sprintf(`(() => {
		const txt = e => e ? e.textContent.replace(/\s+/g, ' ').trim() : '';
		const under = [...document.querySelectorAll('main div.reply-form')].map(d => {
			const li = d.closest('li.comment');
			return li && d.parentElement.matches('li#' + li.id + ' > article > footer') ? li.id : '(outside a comment footer)';
		});
		const form = document.querySelector('li#comment-%[1]d > article > footer > div.reply-form > form.comment-form');
		const q = s => form ? form.querySelector(s) : null;
		return {
			under,
			replyTo: (e => e ? e.value : '')(q('input[type="hidden"][name="reply_to"]')),
			field: !!q('textarea#reply-%[1]d[name="body"]'),
			button: txt(q('button[type="submit"]')),
			link: !!document.querySelector('li#comment-%[1]d > article > footer > a.reply-link'),
		};
	})()`, id))
	want := fmt.Sprintf("comment-%d", id)
	if len(f.Under) != 1 || f.Under[0] != want {
		t.Errorf("the page shows reply forms under %q, want one, under #%s", f.Under, want)
	}
	if f.ReplyTo != strconv.FormatInt(id, 10) || !f.Field || f.Button != "Post reply" {
		t.Errorf("the reply form under #%s replies to %q, has the field #reply-%d: %v, and the button %q; want %d, true and %q",
			want, f.ReplyTo, id, f.Field, f.Button, id, "Post reply")
	}
	if f.Link {
		t.Errorf("with its reply form open, comment %d still offers the Reply link", id)
	}
}

// followReplyLink clicks "Reply" under the comment with the id and checks
// that the story at storyURL comes back with ?reply=ID, scrolled to the
// reply field, with the reply form open under that comment only. It
// returns the reply field's id.
func followReplyLink(t testing.TB, ctx context.Context, storyURL string, id int64) string {
	t.Helper()
	field := fmt.Sprintf("reply-%d", id)
	resp := navigateBy(t, ctx, fmt.Sprintf(`click "Reply" under comment %d`, id), chromedp.Click(replyLink(id)))
	// The link keeps the order and the number of comments shown.
	wantPage(t, ctx, resp, http.StatusOK, fmt.Sprintf("%s?comments=20&sort=oldest&reply=%d#%s", storyURL, id, field))
	do(t, ctx, "wait for the reply field", chromedp.WaitVisible(chromedp.CSS("#"+field)))
	wantReplyFormUnder(t, ctx, id)
	if target := js[string](t, ctx, "find the page's target", `(e => e ? e.id : '')(document.querySelector(':target'))`); target != field {
		t.Errorf("the address names #%s, but the page's :target is %q", field, target)
	}
	return field
}

// shownReportPage is the page that reports a comment, as the browser
// shows it.
type shownReportPage struct {
	Heading string `json:"heading"`
	// Quote is the reported comment's text, as the page quotes it.
	Quote string `json:"quote"`
	// Aside says whose comment it is and under which story.
	Aside string `json:"aside"`
	// StoryLink is the href of the aside's link back to the comment.
	StoryLink string `json:"storyLink"`
	Legend    string `json:"legend"`
	// Reasons are the labels of the reason radios, and Values their
	// values, in order.
	Reasons []string `json:"reasons"`
	Values  []string `json:"values"`
	// Chosen is the value of the checked reason, "" when none is.
	Chosen string `json:"chosen"`
	// Note is the label of the note field, "" when there is none.
	Note string `json:"note"`
	// Message is the text of the form error at the top, "" when none.
	Message string `json:"message"`
	// MessageFirst is true when the message comes before the form.
	MessageFirst bool `json:"messageFirst"`
	// Action is the form's action; Button its submit button's text.
	Action string `json:"action"`
	Button string `json:"button"`
}

const readReportPage = `(() => {
	const m = document.querySelector('main');
	const txt = e => e ? e.textContent.replace(/\s+/g, ' ').trim() : '';
	const form = m.querySelector('form[method="post"]');
	const radios = [...m.querySelectorAll('input[type="radio"][name="reason"]')];
	const note = m.querySelector('[name="note"]');
	const msg = m.querySelector('p.form-error[role="alert"]');
	return {
		heading: txt(m.querySelector('h1')),
		quote: txt(m.querySelector('blockquote')),
		aside: txt(m.querySelector('p.aside')),
		storyLink: (a => a ? a.getAttribute('href') : '')(m.querySelector('p.aside a')),
		legend: txt(m.querySelector('fieldset > legend')),
		reasons: radios.map(r => [...r.labels].map(txt).join(' ')),
		values: radios.map(r => r.value),
		chosen: (r => r ? r.value : '')(radios.find(r => r.checked)),
		note: note ? [...note.labels].map(txt).join(' ') : '',
		message: txt(msg),
		messageFirst: !!msg && !!form && !!(msg.compareDocumentPosition(form) & Node.DOCUMENT_POSITION_FOLLOWING),
		action: form ? form.getAttribute('action') : '',
		button: txt(form && form.querySelector('button[type="submit"]')),
	};
})()`

// reportReasonLabels and reportReasonValues are the reasons the report
// page offers, as labelled and as sent.
var (
	reportReasonLabels = []string{"Spam", abuseReasonLabel, "Off topic", "Something else"}
	reportReasonValues = []string{string(comment.Spam), string(comment.Abuse), string(comment.OffTopic), string(comment.Other)}
)

// wantReportPage reads the report page the browser shows for the comment
// with the id and checks what it says: the comment, quoted, by author
// under the story at storyPath, and the form with the four reasons, an
// optional note and "Send report".
func wantReportPage(t testing.TB, ctx context.Context, id int64, quote, author, storyPath string) shownReportPage {
	t.Helper()
	p := js[shownReportPage](t, ctx, "read the report page", readReportPage)
	if p.Heading != reportHeading {
		t.Errorf("the report page's heading is %q, want %q", p.Heading, reportHeading)
	}
	if p.Quote != quote {
		t.Errorf("the report page quotes %q, want the comment's text %q", p.Quote, quote)
	}
	if !strings.HasPrefix(p.Aside, "By "+author+",") {
		t.Errorf("the report page says %q about the comment, want it to begin %q", p.Aside, "By "+author+",")
	}
	if want := fmt.Sprintf("%s#comment-%d", storyPath, id); p.StoryLink != want {
		t.Errorf("the report page links back to %q, want %q", p.StoryLink, want)
	}
	if p.Legend == "" {
		t.Error("the report page's reasons have no legend")
	}
	if !slices.Equal(p.Reasons, reportReasonLabels) || !slices.Equal(p.Values, reportReasonValues) {
		t.Errorf("the report page offers the reasons %q (%q), want %q (%q)", p.Reasons, p.Values, reportReasonLabels, reportReasonValues)
	}
	if p.Note != reportNoteLabel {
		t.Errorf("the report page's note field is labelled %q, want %q", p.Note, reportNoteLabel)
	}
	if want := fmt.Sprintf("/comments/%d/report", id); p.Action != want || p.Button != "Send report" {
		t.Errorf("the report form posts to %q with the button %q, want %q with %q", p.Action, p.Button, want, "Send report")
	}
	return p
}

// followReportLink clicks "Report" under the comment with the id on the
// story page and checks that the report page opens, at base+reportPath(id),
// with nothing chosen and no message.
func followReportLink(t testing.TB, ctx context.Context, base string, id int64, quote, author, storyPath string) shownReportPage {
	t.Helper()
	resp := navigateBy(t, ctx, fmt.Sprintf(`click "Report" under comment %d`, id), chromedp.Click(commentXPath(id,
		`/footer/a[contains(concat(" ", normalize-space(@class), " "), " report-link ")][normalize-space()="Report"]`)))
	wantPage(t, ctx, resp, http.StatusOK, base+reportPath(id))
	p := wantReportPage(t, ctx, id, quote, author, storyPath)
	if p.Chosen != "" || p.Message != "" {
		t.Errorf("the new report page has the reason %q chosen and the message %q, want neither", p.Chosen, p.Message)
	}
	return p
}

// reportPath is the address of the page that reports the comment with the
// id.
func reportPath(id int64) string {
	return fmt.Sprintf("/comments/%d/report", id)
}

// sendReportWithoutReason clicks "Send report" on the report page of the
// comment with the id with no reason chosen, and checks that the report
// page comes back (422) with the message at the top. Every other form of
// the site leaves validation to the server (novalidate); should the
// browser refuse to send this one, the test says so and sends it as a
// browser without constraint validation would, to check the server's
// answer too.
func sendReportWithoutReason(t testing.TB, ctx context.Context, base string, id int64, quote, author, storyPath string) {
	t.Helper()
	const form = `document.querySelector('main form[action$="/report"]')`
	var send chromedp.Action[chromedp.Void] = chromedp.Click(button("Send report"))
	type validity struct {
		NoValidate bool   `json:"noValidate"`
		Valid      bool   `json:"valid"`
		Message    string `json:"message"`
	}
	v := js[validity](t, ctx, "ask the browser whether it would send the report", `(f => ({
		noValidate: f.noValidate, valid: f.checkValidity(),
		message: (i => i ? i.validationMessage : '')(f.querySelector(':invalid:not(fieldset)')),
	}))(`+form+`)`)
	if !v.NoValidate && !v.Valid {
		t.Errorf("the report form (%s) does not send a report without a reason: it is not novalidate, and its "+
			"reason radios are required, so Chromium refuses it (%q) and the reader never sees the page's own message %q",
			reportPath(id), v.Message, noReasonMessage)
		send = chromedp.Evaluate[chromedp.Void](`HTMLFormElement.prototype.submit.call(` + form + `)`)
	}
	resp := navigateBy(t, ctx, `click "Send report" with no reason chosen`, send)
	wantPage(t, ctx, resp, http.StatusUnprocessableEntity, base+reportPath(id))
	p := wantReportPage(t, ctx, id, quote, author, storyPath)
	if p.Message != noReasonMessage || !p.MessageFirst {
		t.Errorf("the report page comes back with the message %q (before the form: %v), want %q at the top", p.Message, p.MessageFirst, noReasonMessage)
	}
}

func TestCommentsJourney(t *testing.T) {
	chromium := needBrowser(t)
	site := startFullSite(t)
	base := site.Base
	var (
		reader    = person{"lincoln.steffens@example.com", "Lincoln Steffens", "shame of the cities"}
		first     = person{"martha.gellhorn@example.com", "Martha Gellhorn", "face of war dispatches"}
		second    = person{"ernie.pyle@example.com", "Ernie Pyle", "brave men in foxholes"}
		moderator = person{"dorothy.thompson@example.com", "Dorothy Thompson", "on the record columns"}
	)
	const (
		commentStart = "The harbour figures in the third paragraph "
		commentEnd   = "match what the port authority published in March."
		commentText  = commentStart + commentEnd
		replyText    = "The March report counted ferries too; the April one did not."
		editedText   = "The harbour figures match the port authority's March report, ferries included."
		deleteReason = "Personal attack on another reader"
		reportNote   = "It mocks the port authority's staff by name."
	)
	newPerson(t, site, reader, account.Reader)
	firstUser := newSubscriber(t, site, first)
	newSubscriber(t, site, second)
	newPerson(t, site, moderator, account.Moderator)
	ctx := newBrowser(t, chromium)

	// 1. An anonymous reader opens the lead story and finds, where the
	// comment form would be, that commenting is for subscribers, and why.
	lead := followLead(t, ctx, base)
	storyPath := lead.Href
	storyURL := base + storyPath
	st := storyOf(t, site, storyPath)
	t.Logf("the discussion is under %q (%s, access %s)", st.Headline, storyPath, st.Access)
	if who := mastheadUser(t, ctx); who != "" {
		t.Fatalf("a new browser shows %q signed in", who)
	}
	s := wantCommentingRefused(t, ctx, "an anonymous reader")
	if s.Heading != "Comments (0)" {
		t.Errorf("the comments heading says %q, want %q", s.Heading, "Comments (0)")
	}
	followPolicyLink(t, ctx, base)

	// A reader who is logged in but has no subscription is told the same.
	logIn(t, ctx, base, reader.Email, reader.Password, reader.Name)
	openPage(t, ctx, storyURL, "#comments-heading")
	wantCommentingRefused(t, ctx, "a reader without a subscription")
	followPolicyLink(t, ctx, base)
	resp := navigateBy(t, ctx, "click Log out in the masthead", chromedp.Click(logOutButton))
	wantPage(t, ctx, resp, http.StatusOK, base+"/")

	// 2. A subscriber logs in, and comments: the counter follows their
	// typing, and the page, scrolled to the new comment, shows it under
	// their name.
	logIn(t, ctx, base, first.Email, first.Password, first.Name)
	openPage(t, ctx, storyURL, "#comments-heading")
	s = readComments(t, ctx)
	if !s.Form || s.Notice != "" {
		t.Fatalf("a subscriber is not offered the comment form: the section shows the notice %q; it says: %s", s.Notice, textOf(t, ctx, "#comments"))
	}
	if !s.InPlace {
		t.Errorf("the comment form is not the first thing under the heading %q", s.Heading)
	}
	if l := labelOf(t, ctx, "new-comment"); l != newCommentLabel {
		t.Errorf("the new comment's field is labelled %q, want %q", l, newCommentLabel)
	}
	typeComment(t, ctx, "new-comment", commentText)
	commentID := landedOnComment(t, ctx, `click "Post comment"`, chromedp.Click(button("Post comment")), storyURL)
	c := mustReadComment(t, ctx, commentID, "the new comment")
	if c.Author != first.Name || c.Text != commentText {
		t.Errorf("the new comment shows %q by %q, want %q by %q", c.Text, c.Author, commentText, first.Name)
	}
	if c.Parent != "" {
		t.Errorf("the new comment is shown under #%s, want it at the top level", c.Parent)
	}
	if h := readComments(t, ctx).Heading; h != "Comments (1)" {
		t.Errorf("after the first comment the heading says %q, want %q", h, "Comments (1)")
	}
	if v := value(t, ctx, "#new-comment"); v != "" {
		t.Errorf("after posting, the comment form still holds %q", v)
	}
	if stored, err := site.Comments.Comment(timeout(t), commentID); err != nil {
		t.Fatalf("comment %d: %v", commentID, err)
	} else if stored.UserID != firstUser.ID || stored.StoryID != st.ID || stored.Status != comment.Published {
		t.Errorf("comment %d is stored by user %d on story %d, %s; want by %d on %d, published",
			commentID, stored.UserID, stored.StoryID, stored.Status, firstUser.ID, st.ID)
	}

	// 3. A second subscriber, in a browser context of their own, follows
	// the Reply link, which opens the reply form under the comment; posts
	// it empty and gets it back with the error beside it; replies; and
	// recommends the comment.
	other := newIncognitoTab(t, ctx)
	logIn(t, other, base, second.Email, second.Password, second.Name)
	openPage(t, other, storyURL, "#comment-"+strconv.FormatInt(commentID, 10))
	c = mustReadComment(t, other, commentID, "the first subscriber's comment")
	if c.Recommend == nil || c.Recommend.Label != "Recommend (0)" || c.Recommend.Pressed != "false" {
		t.Errorf(`another subscriber is offered the Recommend button %+v, want "Recommend (0)" with aria-pressed="false"`, c.Recommend)
	}
	if want := []string{"Recommend (0)", "Reply", "Report"}; !slices.Equal(c.Controls, want) {
		t.Errorf("another subscriber is offered the controls %q under the comment, want %q", c.Controls, want)
	}
	if want := fmt.Sprintf("%s?comments=20&sort=oldest&reply=%d#reply-%d", storyPath, commentID, commentID); c.ReplyLink != want {
		t.Errorf("the Reply link goes to %q, want %q", c.ReplyLink, want)
	}
	if want := reportPath(commentID); c.ReportLink != want {
		t.Errorf("the Report link goes to %q, want %q", c.ReportLink, want)
	}
	if c.ReplyForm {
		t.Errorf("the story page opens with the reply form under the comment already open")
	}
	replyField := followReplyLink(t, other, storyURL, commentID)
	if l, want := labelOf(t, other, replyField), "Reply to "+first.Name; l != want {
		t.Errorf("the reply field is labelled %q, want %q", l, want)
	}
	if s := readComments(t, other); !s.Form || !s.InPlace {
		t.Errorf("with the reply form open, the form for a new comment is not in its place under the heading: %+v", s)
	}
	resp = navigateBy(t, other, `click "Post reply" with nothing typed`, chromedp.Click(replyButton(commentID)))
	// The story page answers the post at /comments, with the reply form
	// still open and its error.
	wantPage(t, other, resp, http.StatusUnprocessableEntity, base+"/comments")
	do(t, other, "wait for the reply's error", chromedp.WaitVisible(chromedp.CSS("#"+replyField+"-error")))
	wantReplyFormUnder(t, other, commentID)
	type fieldState struct {
		Error     string   `json:"error"`
		Invalid   string   `json:"invalid"`
		Described []string `json:"described"`
	}
	fs := js[fieldState](t, other, "read the reply field's error", `(i => ({
		error: (e => e ? e.textContent.replace(/\s+/g, ' ').trim() : '')(document.getElementById(i.id + '-error')),
		invalid: i.getAttribute('aria-invalid') || '',
		described: (i.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean),
	}))(document.getElementById(`+jsString(replyField)+`))`)
	if fs.Error != emptyCommentError || fs.Invalid != "true" || !slices.Contains(fs.Described, replyField+"-error") {
		t.Errorf("after posting an empty reply, the reply field says %q, with aria-invalid %q and described by %q; want %q, \"true\" and #%s-error among them",
			fs.Error, fs.Invalid, fs.Described, emptyCommentError, replyField)
	}
	if n := js[int](t, other, "look for other errors", `document.querySelectorAll('main .field-error, main .form-error').length`); n != 1 {
		t.Errorf("after posting an empty reply, the page shows %d errors, want 1, beside the reply field", n)
	}
	typeComment(t, other, replyField, replyText)
	replyID := landedOnComment(t, other, `click "Post reply"`, chromedp.Click(replyButton(commentID)), storyURL)
	r := mustReadComment(t, other, replyID, "the reply")
	if r.Author != second.Name || r.Text != replyText {
		t.Errorf("the reply shows %q by %q, want %q by %q", r.Text, r.Author, replyText, second.Name)
	}
	if want := fmt.Sprintf("comment-%d", commentID); r.Parent != want {
		t.Errorf("the reply is shown under %q, want under #%s", r.Parent, want)
	}
	if c := mustReadComment(t, other, commentID, "the comment replied to"); c.ReplyForm || !slices.Contains(c.Controls, "Reply") {
		t.Errorf("after replying, the reply form under the comment is open: %v, and its controls are %q, want it closed behind the Reply link", c.ReplyForm, c.Controls)
	}
	recommended := landedOnComment(t, other, `click "Recommend" on the comment`,
		chromedp.Click(commentXPath(commentID, `/footer/form/button[starts-with(normalize-space(), "Recommend")]`)), storyURL)
	if recommended != commentID {
		t.Errorf("recommending comment %d brought the page to comment %d", commentID, recommended)
	}
	c = mustReadComment(t, other, commentID, "the recommended comment")
	if c.Recommend == nil || c.Recommend.Label != "Recommended (1)" || c.Recommend.Pressed != "true" {
		t.Errorf(`after recommending, the button is %+v, want "Recommended (1)" with aria-pressed="true"`, c.Recommend)
	}

	// 4. The first subscriber edits their comment within the edit window.
	openPage(t, ctx, storyURL, "#comment-"+strconv.FormatInt(replyID, 10))
	if r := mustReadComment(t, ctx, replyID, "the reply"); r.Text != replyText || r.Parent != fmt.Sprintf("comment-%d", commentID) {
		t.Errorf("the first subscriber sees the reply as %q under %q", r.Text, r.Parent)
	}
	c = mustReadComment(t, ctx, commentID, "their comment")
	if c.Recommend != nil {
		t.Errorf("the author is offered to recommend their own comment: %+v", c.Recommend)
	}
	if c.Recommend == nil && !strings.Contains(textOf(t, ctx, commentPart(commentID, "footer")), "1 recommendation") {
		t.Errorf("the author's comment does not say it has 1 recommendation; its footer says %q", textOf(t, ctx, commentPart(commentID, "footer")))
	}
	editField := fmt.Sprintf("#edit-%d", commentID)
	do(t, ctx, `open "Edit" under the comment`,
		chromedp.Click(commentXPath(commentID, `//details[contains(concat(" ", normalize-space(@class), " "), " edit ")]/summary[normalize-space()="Edit"]`)),
		chromedp.WaitVisible(chromedp.CSS(editField)))
	if v := value(t, ctx, editField); v != commentText {
		t.Errorf("the edit form holds %q, want the comment's text %q", v, commentText)
	}
	do(t, ctx, "replace the comment's text",
		chromedp.Click(chromedp.CSS(editField)),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.SendKeys(chromedp.CSS(editField), editedText))
	if v := value(t, ctx, editField); v != editedText {
		t.Fatalf("after selecting all and typing, the edit form holds %q, want %q", v, editedText)
	}
	edited := landedOnComment(t, ctx, `click "Save"`, chromedp.Click(commentXPath(commentID, `//details//button[normalize-space()="Save"]`)), storyURL)
	if edited != commentID {
		t.Errorf("saving comment %d brought the page to comment %d", commentID, edited)
	}
	c = mustReadComment(t, ctx, commentID, "the edited comment")
	if c.Text != editedText || c.Edited != editedMark {
		t.Errorf("the edited comment shows %q with the mark %q, want %q with %q", c.Text, c.Edited, editedText, editedMark)
	}

	// The reply reached the first subscriber by email, after the welcome.
	replyMail := mailWithSubject(t, site.Mail.WaitForTo(t, first.Email, 2, mailTimeout), replySubject(second.Name))
	text := strings.Join(strings.Fields(replyMail.Text()), " ")
	for _, want := range []string{replyText, st.Headline, storyURL + "#comments", base + "/comments/unsubscribe?"} {
		if !strings.Contains(text, want) {
			t.Errorf("the reply email's text does not contain %q; it is:\n%s", want, replyMail.Text())
		}
	}
	if lu := replyMail.Header("List-Unsubscribe"); !strings.Contains(lu, base+"/comments/unsubscribe?") {
		t.Errorf("the reply email's List-Unsubscribe is %q, want the site's one-click unsubscribe link", lu)
	}
	if n := len(site.Mail.MessagesTo(second.Email)); n != 1 {
		t.Errorf("the second subscriber received %d emails, want 1 (the welcome): nobody replied to them", n)
	}

	// 5. The second subscriber reports the comment.
	openPage(t, other, storyURL, "#comment-"+strconv.FormatInt(commentID, 10))
	if c := mustReadComment(t, other, commentID, "the edited comment"); c.Text != editedText || c.Edited != editedMark {
		t.Errorf("the second subscriber sees the edited comment as %q %q, want %q %q", c.Text, c.Edited, editedText, editedMark)
	}
	rp := followReportLink(t, other, base, commentID, editedText, first.Name, storyPath)
	if !strings.Contains(rp.Aside, st.Headline) {
		t.Errorf("the report page says %q, want it to name the story %q", rp.Aside, st.Headline)
	}
	// Sent with a note but no reason, the report comes back with the
	// message at the top and the note kept; then the reader chooses a
	// reason.
	do(t, other, "type a note", chromedp.SendKeys(chromedp.CSS("#f-note"), reportNote))
	sendReportWithoutReason(t, other, base, commentID, editedText, first.Name, storyPath)
	if v := value(t, other, "#f-note"); v != reportNote {
		t.Errorf("the report page comes back with the note %q, want what was typed, %q", v, reportNote)
	}
	do(t, other, fmt.Sprintf("choose %q", abuseReasonLabel),
		chromedp.Click(chromedp.Search(fmt.Sprintf(`//main//fieldset//label[normalize-space()=%q]`, abuseReasonLabel))))
	if chosen := js[shownReportPage](t, other, "read the report page", readReportPage).Chosen; chosen != string(comment.Abuse) {
		t.Errorf("after clicking %q the chosen reason is %q, want %q", abuseReasonLabel, chosen, comment.Abuse)
	}
	resp = navigateBy(t, other, `click "Send report"`, chromedp.Click(button("Send report")))
	wantPage(t, other, resp, http.StatusOK, storyURL+"?commented=reported#comments")
	if n := readComments(t, other).Status; !strings.HasPrefix(n, reportedNoticeStart) {
		t.Errorf("after reporting, the comments section says %q, want a notice that begins %q", n, reportedNoticeStart)
	}

	// 6. A moderator finds the comment among the reported ones and deletes
	// it, saying why.
	mod := newIncognitoTab(t, ctx)
	logIn(t, mod, base, moderator.Email, moderator.Password, moderator.Name)
	openPage(t, mod, base+"/admin/comments", "main h1")
	if tab := textOf(t, mod, `main nav.mod-tabs a[aria-current="page"]`); tab != "Reported" {
		t.Errorf("/admin/comments opens on the tab %q, want %q", tab, "Reported")
	}
	item := fmt.Sprintf("#item-%d", commentID)
	if !js[bool](t, mod, "look for the comment in the queue", `!!document.querySelector(`+jsString(item)+`)`) {
		t.Fatalf("the Reported list does not show comment %d; it says: %s", commentID, mainText(t, mod))
	}
	if h, want := textOf(t, mod, item+" h3"), first.Name+" on "+st.Headline; h != want {
		t.Errorf("the queue names the comment %q, want %q", h, want)
	}
	if rs, want := textOf(t, mod, item+" .report-summary"), "Reported 1 time: abuse or harassment"; rs != want {
		t.Errorf("the queue says %q about the reports, want %q", rs, want)
	}
	if ct := textOf(t, mod, item+" .comment-text"); ct != editedText {
		t.Errorf("the queue shows the comment as %q, want the edited text %q", ct, editedText)
	}
	if js[bool](t, mod, "look for the reply in the queue", fmt.Sprintf(`!!document.querySelector('#item-%d')`, replyID)) {
		t.Errorf("the Reported list shows the reply %d, which nobody reported", replyID)
	}
	reasonField := fmt.Sprintf("#f-%d-delete-reason", commentID)
	if l := labelOf(t, mod, reasonField[1:]); l != "Reason for deleting (recommended)" {
		t.Errorf("the delete reason field is labelled %q", l)
	}
	do(t, mod, "type the reason for deleting", chromedp.SendKeys(chromedp.CSS(reasonField), deleteReason))
	resp = navigateBy(t, mod, `click "Delete" on the comment`, chromedp.Click(chromedp.Search(fmt.Sprintf(
		`//main//article[@id="item-%d"]//form[@action="/admin/comments/%d/delete"]//button[starts-with(normalize-space(), "Delete")]`, commentID, commentID))))
	wantPage(t, mod, resp, http.StatusOK, base+"/admin/comments?done=delete&tab=reported")
	if n := textOf(t, mod, `main p.notice[role="status"]`); n != deletedQueueNotice {
		t.Errorf("after deleting, the queue says %q, want %q", n, deletedQueueNotice)
	}
	if js[bool](t, mod, "look for the comment in the queue", `!!document.querySelector(`+jsString(item)+`)`) {
		t.Errorf("the deleted comment %d is still in the Reported list", commentID)
	}
	if e := textOf(t, mod, "main p.empty"); e != emptyReportedQueue {
		t.Errorf("the emptied Reported list says %q, want %q", e, emptyReportedQueue)
	}
	entries, err := site.Store.ModerationLog(timeout(t), 10)
	if err != nil {
		t.Fatalf("read the moderation log: %v", err)
	}
	if len(entries) == 0 || entries[0].Action != "delete" || entries[0].CommentID != commentID ||
		entries[0].Reason != deleteReason || entries[0].ActorName != moderator.Name {
		t.Errorf("the moderation log's latest entry is %+v, want %s deleting comment %d because %q", entries, moderator.Name, commentID, deleteReason)
	}

	// Back on the story, the comment is a placeholder with the reply still
	// under it, for the moderator and for its author.
	for _, who := range []struct {
		name string
		ctx  context.Context
	}{{"the moderator", mod}, {"the first subscriber", ctx}} {
		openPage(t, who.ctx, storyURL, "#comment-"+strconv.FormatInt(commentID, 10))
		c := mustReadComment(t, who.ctx, commentID, "the deleted comment's placeholder")
		if c.Deleted != deletedPlaceholder || c.Author != "" || c.Text != "" || len(c.Controls) != 0 {
			t.Errorf("%s sees the deleted comment as %+v, want only %q", who.name, c, deletedPlaceholder)
		}
		r := mustReadComment(t, who.ctx, replyID, "the reply to the deleted comment")
		if want := fmt.Sprintf("comment-%d", commentID); r.Parent != want || r.Text != replyText || r.Author != second.Name {
			t.Errorf("%s sees the reply as %q by %q under %q, want %q by %q under #%s", who.name, r.Text, r.Author, r.Parent, replyText, second.Name, want)
		}
		html := js[string](t, who.ctx, "read the page", `document.documentElement.outerHTML`)
		for _, gone := range []string{commentStart, editedText} {
			if strings.Contains(html, gone) {
				t.Errorf("the story page still sends %s the deleted comment's text %q", who.name, gone)
			}
		}
		if h := readComments(t, who.ctx).Heading; h != "Comments (1)" {
			t.Errorf("after the deletion the heading says %q to %s, want %q (the reply)", h, who.name, "Comments (1)")
		}
	}
}

// summaryOf selects the summary of the details.class disclosure in the
// comment with the id itself.
func summaryOf(id int64, class string) chromedp.Search {
	return commentXPath(id, fmt.Sprintf(`//details[contains(concat(" ", normalize-space(@class), " "), " %s ")]/summary`, class))
}

func TestCommentsAccessibility(t *testing.T) {
	chromium := needBrowser(t)
	axe := axeSource(t)
	site := startFullSite(t)
	base := site.Base
	var (
		ann   = person{"anne.mccormick@example.com", "Anne O'Hare McCormick", "vatican europe columns"}
		ben   = person{"ben.bradlee@example.com", "Ben Bradlee", "good life memoir"}
		admin = person{"katharine.graham@example.com", "Katharine Graham", "personal history pages"}
	)
	annUser := newSubscriber(t, site, ann)
	benUser := newSubscriber(t, site, ben)
	adminUser := newPerson(t, site, admin, account.Admin)
	ctx := newBrowser(t, chromium)

	// The discussion under the lead story, made with the services: every
	// kind of comment the page can show.
	openFrontPage(t, ctx, base)
	storyPath := readLead(t, ctx).Href
	storyURL := base + storyPath
	st := storyOf(t, site, storyPath)
	post := func(u *account.User, replyTo int64, body string) *comment.Comment {
		t.Helper()
		c, err := site.Comments.Post(timeout(t), u, st, comment.Mode(st.Comments), replyTo, body)
		if err != nil {
			t.Fatalf("%s posts %q: %v", u.DisplayName, body, err)
		}
		return c
	}
	moderate := func(id int64, action, reason string) {
		t.Helper()
		ctx := timeout(t)
		if err := site.Comments.Moderate(ctx, adminUser, id, action, reason, func(id int64) (*story.Story, error) {
			return site.Store.StoryByID(ctx, id)
		}); err != nil {
			t.Fatalf("%s comment %d: %v", action, id, err)
		}
	}
	// Ann's comment, edited, recommended and reported by Ben, with a
	// thread three levels deep under it.
	annFirst := post(annUser, 0, "The figures for the harbour match the port authority's March report.")
	if _, err := site.Comments.Edit(timeout(t), annUser, annFirst.ID, "The harbour figures match the port authority's March report, ferries included."); err != nil {
		t.Fatalf("edit comment %d: %v", annFirst.ID, err)
	}
	benReply := post(benUser, annFirst.ID, "The April report left the ferries out.\n\nThat explains the gap.")
	annReply := post(annUser, benReply.ID, "Good catch: the April figures are lower for that reason.")
	post(benUser, annReply.ID, "Then both reports agree once the ferries are counted.")
	if _, err := site.Comments.Recommend(timeout(t), benUser, annFirst.ID); err != nil {
		t.Fatalf("recommend comment %d: %v", annFirst.ID, err)
	}
	if err := site.Comments.Report(timeout(t), benUser, annFirst.ID, comment.Abuse, "Rude to other readers"); err != nil {
		t.Fatalf("report comment %d: %v", annFirst.ID, err)
	}
	// Ben's comment with a link, an editor's pick, reported by Ann.
	benPick := post(benUser, 0, "The full tables are at https://example.org/harbour/2026 for anyone who wants them.")
	moderate(benPick.ID, "feature", "Useful sources")
	if err := site.Comments.Report(timeout(t), annUser, benPick.ID, comment.Spam, ""); err != nil {
		t.Fatalf("report comment %d: %v", benPick.ID, err)
	}
	// A comment deleted by a moderator, with a reply under it.
	gone := post(annUser, 0, "Something a moderator will remove.")
	post(benUser, gone.ID, "A reply that outlives the comment it answers.")
	moderate(gone.ID, "delete", "Off topic")
	// A comment held for review: it has too many links.
	held := post(annUser, 0, "Sources: https://example.org/1 https://example.org/2 https://example.org/3 https://example.org/4")
	if held.Status != comment.Held {
		t.Fatalf("a comment with four links is %s, want held for review", held.Status)
	}
	// And one by the staff.
	post(adminUser, 0, "From the newsroom: we have asked the port authority about the ferries.")

	// Three readers, each in a browser context of their own: an anonymous
	// one, Ann, and the admin.
	annTab := newIncognitoTab(t, ctx)
	logIn(t, annTab, base, ann.Email, ann.Password, ann.Name)
	adminTab := newIncognitoTab(t, ctx)
	logIn(t, adminTab, base, admin.Email, admin.Password, admin.Name)

	// Both palettes, at desktop and phone widths.
	views := []struct {
		width  int64
		scheme string
	}{{1280, "light"}, {390, "dark"}}
	type page struct {
		name string
		ctx  context.Context
		open func(t *testing.T, ctx context.Context)
	}
	// queue opens a tab of the moderation queue and checks that it lists
	// something.
	queue := func(tab string) func(t *testing.T, ctx context.Context) {
		return func(t *testing.T, ctx context.Context) {
			openPage(t, ctx, base+"/admin/comments?tab="+tab, "#queue-heading")
			if !js[bool](t, ctx, "look for comments in the queue", `!!document.querySelector('main ol.mod-queue article.mod-item')`) {
				t.Fatalf("the %s list is empty, so it tests nothing; it says: %s", tab, mainText(t, ctx))
			}
		}
	}
	pages := []page{
		{"story with a thread, anonymous", ctx, func(t *testing.T, ctx context.Context) {
			openPage(t, ctx, storyURL, "#comment-"+strconv.FormatInt(benReply.ID, 10))
			wantCommentingRefused(t, ctx, "an anonymous reader")
			if c := mustReadComment(t, ctx, gone.ID, "the deleted comment"); c.Deleted != deletedPlaceholder {
				t.Errorf("the deleted comment shows %+v, want the placeholder %q", c, deletedPlaceholder)
			}
		}},
		{"comment policy, anonymous", ctx, func(t *testing.T, ctx context.Context) {
			openPage(t, ctx, base+"/comments/policy", "main h1")
		}},
		{"story with a thread, subscriber, with a reply form and Edit open", annTab, func(t *testing.T, ctx context.Context) {
			// The Reply link brings the story back with ?reply=ID and the
			// reply form open under Ben's comment.
			openPage(t, ctx, storyURL, "#new-comment")
			followReplyLink(t, ctx, storyURL, benPick.ID)
			do(t, ctx, "open Edit",
				chromedp.Click(summaryOf(annFirst.ID, "edit")),
				chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#edit-%d", annFirst.ID))),
			)
			if c := mustReadComment(t, ctx, held.ID, "Ann's held comment"); c.Author != ann.Name {
				t.Errorf("Ann's held comment shows %+v", c)
			}
			if c := mustReadComment(t, ctx, annFirst.ID, "Ann's comment"); !slices.Contains(c.Controls, "Reply") || c.ReplyForm {
				t.Errorf("with the reply form open under comment %d, Ann's comment %d offers %q (reply form open: %v), want the Reply link",
					benPick.ID, annFirst.ID, c.Controls, c.ReplyForm)
			}
		}},
		{"report page, subscriber", annTab, func(t *testing.T, ctx context.Context) {
			openPage(t, ctx, base+reportPath(benPick.ID), "main h1")
			wantReportPage(t, ctx, benPick.ID, benPick.Body, ben.Name, storyPath)
		}},
		{"report page after sending no reason, subscriber", annTab, func(t *testing.T, ctx context.Context) {
			openPage(t, ctx, base+reportPath(benPick.ID), "main h1")
			sendReportWithoutReason(t, ctx, base, benPick.ID, benPick.Body, ben.Name, storyPath)
		}},
		{"story after posting an empty comment, subscriber", annTab, func(t *testing.T, ctx context.Context) {
			openPage(t, ctx, storyURL, "#new-comment")
			resp := navigateBy(t, ctx, `click "Post comment" with nothing typed`, chromedp.Click(button("Post comment")))
			// The story page answers the post at /comments, with the form
			// and its error.
			wantPage(t, ctx, resp, http.StatusUnprocessableEntity, base+"/comments")
			do(t, ctx, "wait for the error", chromedp.WaitVisible(chromedp.CSS("#new-comment-error")))
		}},
		{"story with a thread, admin", adminTab, func(t *testing.T, ctx context.Context) {
			openPage(t, ctx, storyURL, "#f-comment-mode")
		}},
		{"comment policy, admin", adminTab, func(t *testing.T, ctx context.Context) {
			openPage(t, ctx, base+"/comments/policy", "#f-policy")
		}},
		{"moderation, reported, with Suspend open", adminTab, func(t *testing.T, ctx context.Context) {
			queue("reported")(t, ctx)
			do(t, ctx, "open Suspend under the first comment",
				chromedp.Click(chromedp.CSS("main article.mod-item details.suspend > summary")),
				chromedp.WaitVisible(chromedp.CSS("main article.mod-item details.suspend[open] input[name=days]")))
		}},
		{"moderation, held", adminTab, queue("held")},
		{"moderation, recent", adminTab, queue("recent")},
		{"moderation settings", adminTab, func(t *testing.T, ctx context.Context) {
			openPage(t, ctx, base+"/admin/comments/settings", "#f-premod")
		}},
		{"moderation log", adminTab, func(t *testing.T, ctx context.Context) {
			openPage(t, ctx, base+"/admin/comments/log", "main table.mod-log")
			if n := js[int](t, ctx, "count the log's rows", `document.querySelectorAll('main table.mod-log tbody tr').length`); n < 2 {
				t.Errorf("the moderation log shows %d rows, want the feature and the delete", n)
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
