package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"dateline/internal/account"
	"dateline/internal/mail/mailtest"
)

// What the account pages and emails say, word for word.
const (
	resetNoticePrefix = "If an account uses "
	resetDoneNotice   = "Your password has been changed. Log in with your new password."
	badLoginMessage   = "That email and password do not match an account. Check both, or reset your password."
	resetCodeSubject  = "Your password reset code for " + siteName
	pwChangedSubject  = "Your password at " + siteName + " was changed"
)

// mailTimeout bounds the wait for an email: the sender is woken as soon as
// one is queued, so it normally arrives within milliseconds.
const mailTimeout = 15 * time.Second

// resetCodeLine is the line of a reset email's text part that carries the
// code; the mail package promises it stands alone on its line.
var resetCodeLine = regexp.MustCompile(`(?m)^Your reset code: (\d{8})$`)

// resetLinkLine is the line of a reset email's text part with the link that
// fills in the reset form.
var resetLinkLine = regexp.MustCompile(`(?m)^(https?://\S+/password/reset\?\S+)$`)

// button selects the button in the page's main content whose text is label.
func button(label string) chromedp.Search {
	return chromedp.Search(fmt.Sprintf(`//main//button[normalize-space()=%q]`, label))
}

// link selects the link in the page's main content whose text is label.
func link(label string) chromedp.Search {
	return chromedp.Search(fmt.Sprintf(`//main//a[normalize-space()=%q]`, label))
}

// logOutButton is the masthead's "Log out" button.
const logOutButton = chromedp.Search(`//header//button[normalize-space()="Log out"]`)

// navigateBy runs the action, a click that follows a link or submits a
// form, waits for the page it leads to (after any redirects), and returns
// that page's response.
func navigateBy(t testing.TB, ctx context.Context, what string, action chromedp.Action[chromedp.Void]) *network.Response {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(sctx, action)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return resp
}

// openPage loads url and waits for the element ready to show. It fails the
// test unless the page answers 200.
func openPage(t testing.TB, ctx context.Context, url, ready string) {
	t.Helper()
	resp := get(t, ctx, "load "+url, chromedp.NavigateResponse(url))
	if resp.Status != http.StatusOK {
		t.Fatalf("%s answered %d %s, want 200", url, resp.Status, resp.StatusText)
	}
	do(t, ctx, "wait for "+ready+" on "+url, chromedp.WaitVisible(chromedp.CSS(ready)))
}

// wantPage checks that a navigation ended on the page want (a full URL)
// with the HTTP status status.
func wantPage(t testing.TB, ctx context.Context, resp *network.Response, status int64, want string) {
	t.Helper()
	loc := get(t, ctx, "read the address of the page", chromedp.Location())
	if loc != want {
		t.Fatalf("the browser is on %s (status %d), want %s; the page says: %s", loc, resp.Status, want, mainText(t, ctx))
	}
	if resp.Status != status {
		t.Fatalf("%s answered %d %s, want %d; the page says: %s", loc, resp.Status, resp.StatusText, status, mainText(t, ctx))
	}
}

// textOf returns the text of the first element that sel (CSS) matches,
// with runs of white space made single spaces; it fails the test when
// nothing matches.
func textOf(t testing.TB, ctx context.Context, sel string) string {
	t.Helper()
	text := js[*string](t, ctx, "read "+sel,
		`(e => e ? e.textContent.replace(/\s+/g, ' ').trim() : null)(document.querySelector(`+jsString(sel)+`))`)
	if text == nil {
		t.Fatalf("the page has no %s; it says: %s", sel, mainText(t, ctx))
	}
	return *text
}

// mainText is the text of the page's main content, for failure messages.
func mainText(t testing.TB, ctx context.Context) string {
	t.Helper()
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`(e => e ? e.textContent.replace(/\s+/g, ' ').trim() : '(no <main>)')(document.querySelector('main'))`))
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return fmt.Sprintf("%q", text)
}

// mastheadUser is the name of the signed-in reader as the masthead shows
// it, or "" when the masthead offers to log in instead.
func mastheadUser(t testing.TB, ctx context.Context) string {
	t.Helper()
	type masthead struct {
		User  *string `json:"user"`
		LogIn bool    `json:"logIn"`
	}
	m := js[masthead](t, ctx, "read the masthead", `(() => {
		const nav = document.querySelector('header nav.account-links');
		if (!nav) return {user: null, logIn: false};
		const a = nav.querySelector('a[href="/account"]');
		return {user: a ? a.textContent.trim() : null, logIn: !!nav.querySelector('a[href="/login"]')};
	})()`)
	switch {
	case m.User != nil && m.LogIn:
		t.Fatalf("the masthead shows both the reader %q and a Log in link", *m.User)
	case m.User != nil:
		return *m.User
	case !m.LogIn:
		t.Fatal("the masthead shows neither a signed-in reader nor a Log in link")
	}
	return ""
}

// value reads what a form field (CSS selector) holds.
func value(t testing.TB, ctx context.Context, sel string) string {
	t.Helper()
	return get(t, ctx, "read the value of "+sel, chromedp.Value(chromedp.CSS(sel)))
}

// mailWithSubject returns the first of msgs whose subject is subject, and
// fails the test, listing the subjects there are, when none is.
func mailWithSubject(t testing.TB, msgs []mailtest.Received, subject string) mailtest.Received {
	t.Helper()
	var subjects []string
	for _, m := range msgs {
		s := m.Header("Subject")
		if s == subject {
			return m
		}
		subjects = append(subjects, fmt.Sprintf("%q", s))
	}
	t.Fatalf("no email with the subject %q arrived; the subjects are: %s", subject, strings.Join(subjects, ", "))
	return mailtest.Received{}
}

// resetCodeIn reads the reset code and the reset link out of the text part
// of a reset email sent to email by the site at base, checking that the
// link is the site's reset page filled in with that address and code.
func resetCodeIn(t testing.TB, m mailtest.Received, base, email string) (code, href string) {
	t.Helper()
	text := m.Text()
	if text == "" {
		t.Fatalf("the reset email has no text part; it is:\n%s", m.Data)
	}
	cm := resetCodeLine.FindStringSubmatch(text)
	if cm == nil {
		t.Fatalf("the reset email's text has no line %q; it is:\n%s", "Your reset code: <8 digits>", text)
	}
	lm := resetLinkLine.FindStringSubmatch(text)
	if lm == nil {
		t.Fatalf("the reset email's text has no link to %s/password/reset; it is:\n%s", base, text)
	}
	code, href = cm[1], lm[1]
	if !strings.HasPrefix(href, base+"/password/reset?") {
		t.Errorf("the reset link %s is not on the site %s", href, base)
	}
	u, err := url.Parse(href)
	if err != nil {
		t.Fatalf("the reset link %q: %v", href, err)
	}
	q := u.Query()
	if got := q.Get("email"); got != email {
		t.Errorf("the reset link %s carries the address %q, want %q", href, got, email)
	}
	if got := q.Get("code"); got != code {
		t.Errorf("the reset link %s carries the code %q, but the email's code is %q", href, got, code)
	}
	if to := m.Header("To"); !strings.Contains(to, email) {
		t.Errorf("the reset email's To is %q, want it to name %s", to, email)
	}
	return code, href
}

// signUp creates an account through the sign-up form, as a reader types
// it, and checks that the welcome page shows with nobody signed in yet.
func signUp(t testing.TB, ctx context.Context, base, email, name, pw string) {
	t.Helper()
	openPage(t, ctx, base+"/signup", "#f-email")
	submitSignUp(t, ctx, base, email, name, pw)
}

// submitSignUp fills in and submits the sign-up form the browser shows,
// and checks that the welcome page shows with nobody signed in: sign-up
// answers the same whether or not the address has an account, so only
// the emailed link signs the reader in (confirmEmail).
func submitSignUp(t testing.TB, ctx context.Context, base, email, name, pw string) {
	t.Helper()
	do(t, ctx, "fill in the sign-up form",
		chromedp.SendKeys(chromedp.CSS("#f-email"), email),
		chromedp.SendKeys(chromedp.CSS("#f-name"), name),
		chromedp.SendKeys(chromedp.CSS("#f-password"), pw),
	)
	resp := navigateBy(t, ctx, "submit the sign-up form", chromedp.Click(button("Create account")))
	wantPage(t, ctx, resp, http.StatusOK, base+"/signup/welcome")
	if h := textOf(t, ctx, "main h1"); h != "Check your email" {
		t.Errorf("the welcome page's heading is %q, want %q", h, "Check your email")
	}
	if who := mastheadUser(t, ctx); who != "" {
		t.Errorf("right after signing up, the masthead shows the reader %q signed in, want nobody until the emailed link is confirmed", who)
	}
}

func TestReaderResetsForgottenPassword(t *testing.T) {
	chromium := needBrowser(t)
	site := startFullSite(t)
	base := site.Base
	ctx := newBrowser(t, chromium)
	const (
		email       = "ada.lovelace@example.com"
		name        = "Ada Lovelace"
		oldPassword = "copper kettle harbour"
		newPassword = "violet lantern orchard 7"
	)

	// A new reader signs up, and is signed in by the emailed link.
	signUp(t, ctx, base, email, name, oldPassword)
	confirmEmail(t, ctx, site, email, name)

	// They log out with the masthead's button.
	resp := navigateBy(t, ctx, "click Log out in the masthead", chromedp.Click(logOutButton))
	wantPage(t, ctx, resp, http.StatusOK, base+"/")
	if who := mastheadUser(t, ctx); who != "" {
		t.Fatalf("after logging out, the masthead still shows %q signed in", who)
	}

	// Later, at the log-in page, they have forgotten their password.
	openPage(t, ctx, base+"/login", "#f-email")
	resp = navigateBy(t, ctx, `follow "Forgot your password?"`, chromedp.Click(link("Forgot your password?")))
	wantPage(t, ctx, resp, http.StatusOK, base+"/password/forgot")
	do(t, ctx, "type the email address", chromedp.SendKeys(chromedp.CSS("#f-email"), email))
	resp = navigateBy(t, ctx, "ask for a reset code", chromedp.Click(button("Email me a code")))
	wantPage(t, ctx, resp, http.StatusOK, base+"/password/forgot")

	// The page says the same whoever asks, and offers the code form.
	notice := textOf(t, ctx, `main p.notice[role="status"]`)
	if !strings.HasPrefix(notice, resetNoticePrefix+email+",") {
		t.Errorf("after asking for a code the page says %q, want the neutral message %q…", notice, resetNoticePrefix+email+",")
	}
	type codeField struct {
		Autocomplete string `json:"autocomplete"`
		InputMode    string `json:"inputmode"`
		Label        string `json:"label"`
	}
	cf := js[*codeField](t, ctx, "read the code field", `(i => i && {
		autocomplete: i.getAttribute('autocomplete'), inputmode: i.getAttribute('inputmode'),
		label: [...i.labels].map(l => l.textContent.trim()).join(' '),
	})(document.querySelector('main form[action="/password/reset"] #f-code'))`)
	if cf == nil {
		t.Fatalf("the page has no code field #f-code in a form posting to /password/reset; it says: %s", mainText(t, ctx))
	}
	if cf.Autocomplete != "one-time-code" {
		t.Errorf(`the code field has autocomplete=%q, want "one-time-code"`, cf.Autocomplete)
	}
	if cf.InputMode != "numeric" {
		t.Errorf(`the code field has inputmode=%q, want "numeric"`, cf.InputMode)
	}
	if cf.Label == "" {
		t.Error("the code field has no label")
	}

	// The code arrives by email, through SMTP; the sign-up's confirmation
	// link came first.
	resetMail := mailWithSubject(t, site.Mail.WaitForTo(t, email, 2, mailTimeout), resetCodeSubject)
	code, _ := resetCodeIn(t, resetMail, base, email)

	// They type it, with a new password, into the form on the same page.
	do(t, ctx, "type the code and the new password",
		chromedp.SendKeys(chromedp.CSS("#f-code"), code),
		chromedp.SendKeys(chromedp.CSS("#f-password"), newPassword),
	)
	resp = navigateBy(t, ctx, "set the new password", chromedp.Click(button("Set new password")))
	wantPage(t, ctx, resp, http.StatusOK, base+"/login?reset=1")
	if n := textOf(t, ctx, `main p.notice[role="status"]`); n != resetDoneNotice {
		t.Errorf("after the reset the log-in page says %q, want %q", n, resetDoneNotice)
	}

	// The old password no longer works; the form keeps the address and
	// forgets the password.
	do(t, ctx, "type the email and the old password",
		chromedp.SendKeys(chromedp.CSS("#f-email"), email),
		chromedp.SendKeys(chromedp.CSS("#f-password"), oldPassword),
	)
	resp = navigateBy(t, ctx, "log in with the old password", chromedp.Click(button("Log in")))
	wantPage(t, ctx, resp, http.StatusUnauthorized, base+"/login")
	if msg := textOf(t, ctx, `main p.form-error[role="alert"]`); msg != badLoginMessage {
		t.Errorf("logging in with the old password says %q, want %q", msg, badLoginMessage)
	}
	if v := value(t, ctx, "#f-email"); v != email {
		t.Errorf("after the refused log-in the email field holds %q, want %q", v, email)
	}
	if v := value(t, ctx, "#f-password"); v != "" {
		t.Errorf("after the refused log-in the password field holds %q, want it empty", v)
	}
	if who := mastheadUser(t, ctx); who != "" {
		t.Fatalf("the old password signed %q in", who)
	}

	// The new one does.
	do(t, ctx, "type the new password", chromedp.SendKeys(chromedp.CSS("#f-password"), newPassword))
	resp = navigateBy(t, ctx, "log in with the new password", chromedp.Click(button("Log in")))
	wantPage(t, ctx, resp, http.StatusOK, base+"/")
	if who := mastheadUser(t, ctx); who != name {
		t.Fatalf("after logging in with the new password, the masthead shows %q, want %q", who, name)
	}
	resp = navigateBy(t, ctx, "open the account page from the masthead",
		chromedp.Click(chromedp.CSS(`header nav.account-links a[href="/account"]`)))
	wantPage(t, ctx, resp, http.StatusOK, base+"/account")
	if p := textOf(t, ctx, `main section[aria-labelledby="profile-heading"] p`); !strings.HasPrefix(p, "Signed in as "+email+".") {
		t.Errorf("the account page says %q, want it to begin %q", p, "Signed in as "+email+".")
	}

	// And the address is told that the password changed.
	changed := mailWithSubject(t, site.Mail.WaitForTo(t, email, 3, mailTimeout), pwChangedSubject)
	if text := strings.Join(strings.Fields(changed.Text()), " "); !strings.Contains(text, " was changed on ") {
		t.Errorf("the password-changed email's text does not say when the password changed:\n%s", changed.Text())
	}
	if n := len(site.Mail.MessagesTo(email)); n != 3 {
		t.Errorf("%s received %d emails, want 3: the confirmation link, the reset code, the notice", email, n)
	}
}

func TestResetLinkFromEmailFillsTheForm(t *testing.T) {
	chromium := needBrowser(t)
	site := startFullSite(t)
	base := site.Base
	// A "+" must reach the form as a "+", not as a space: the link has to
	// escape it.
	const (
		email       = "grace.hopper+news@example.com"
		name        = "Grace Hopper"
		oldPassword = "compiler moth nanosecond"
		newPassword = "cobol teapot anchor 1959"
	)
	sctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	if _, err := site.Accounts.CreateUser(sctx, email, name, oldPassword, account.Reader); err != nil {
		t.Fatalf("create the reader %s: %v", email, err)
	}

	// Ask for a code the way a browser without JavaScript does: a plain form
	// post.
	req, err := http.NewRequestWithContext(sctx, http.MethodPost, base+"/password/forgot",
		strings.NewReader(url.Values{"email": {email}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST /password/forgot: %v", err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatalf("POST /password/forgot: %v", err)
	}
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "Check your email") {
		t.Fatalf("POST /password/forgot answered %s, want 200 and the page that says to check email:\n%s", res.Status, body)
	}

	resetMail := mailWithSubject(t, site.Mail.WaitForTo(t, email, 1, mailTimeout), resetCodeSubject)
	code, resetLink := resetCodeIn(t, resetMail, base, email)
	t.Logf("the reset link: %s", resetLink)

	// The link opens the reset page with the address and code filled in.
	ctx := newBrowser(t, chromium)
	openPage(t, ctx, resetLink, "#f-code")
	if got := value(t, ctx, "#f-email"); got != email {
		t.Errorf("the link filled the email field with %q, want exactly %q", got, email)
	}
	if got := value(t, ctx, "#f-code"); got != code {
		t.Errorf("the link filled the code field with %q, want exactly the emailed code %q", got, code)
	}
	if got := value(t, ctx, "#f-password"); got != "" {
		t.Errorf("the new-password field holds %q, want it empty", got)
	}

	// And the filled-in form works: only the new password is left to type.
	do(t, ctx, "type the new password", chromedp.SendKeys(chromedp.CSS("#f-password"), newPassword))
	resp := navigateBy(t, ctx, "set the new password", chromedp.Click(button("Set new password")))
	wantPage(t, ctx, resp, http.StatusOK, base+"/login?reset=1")
	if n := textOf(t, ctx, `main p.notice[role="status"]`); n != resetDoneNotice {
		t.Errorf("after the reset the log-in page says %q, want %q", n, resetDoneNotice)
	}
	mailWithSubject(t, site.Mail.WaitForTo(t, email, 2, mailTimeout), pwChangedSubject)
}

// formFields selects the form fields a reader fills in.
const formFields = `main input:not([type="hidden"]), main select, main textarea`

// checkFieldNames checks two things that axe-core 4 only lists for review
// ("incomplete"), not as violations: that no id is used twice in the page,
// since a label's for= and aria-describedby reach only the first element
// with an id; and that Chromium gives every rendered form field of the main
// content an accessible name, which is what a screen reader announces. where names
// the page in the message.
func checkFieldNames(t testing.TB, ctx context.Context, where string) {
	t.Helper()
	dups := js[[]string](t, ctx, "find ids used more than once", `(() => {
		const n = new Map();
		for (const e of document.querySelectorAll('[id]')) n.set(e.id, (n.get(e.id) || 0) + 1);
		return [...n].filter(([, k]) => k > 1).map(([id, k]) => '#' + id + ' (' + k + ' elements)');
	})()`)
	if len(dups) > 0 {
		t.Errorf("%s uses ids more than once: %s", where, strings.Join(dups, ", "))
	}

	// Describe each field, in document order, as the message will name it,
	// and say whether it is rendered: a field that takes no room (such as
	// the story-link field, which shows only when copying fails) is not in
	// the accessibility tree, so it has no name to check until it shows.
	// Nor is a field in a closed <details> (such as the reply form under a
	// comment): Chromium lays it out but hides it with content-visibility,
	// so getClientRects finds boxes, and checkVisibility is what says it
	// does not show.
	type field struct {
		Desc     string `json:"desc"`
		Rendered bool   `json:"rendered"`
	}
	fields := js[[]field](t, ctx, "list the form fields", `[...document.querySelectorAll(`+jsString(formFields)+`)].map(i => ({
		desc: (i.form ? 'form[action="' + i.form.getAttribute('action') + '"] ' : '') + i.localName + '#' + i.id + '[name="' + i.name + '"]',
		rendered: i.getClientRects().length > 0 && i.checkVisibility(),
	}))`)
	if len(fields) == 0 {
		return
	}
	nodes := get(t, ctx, "find the form fields", chromedp.Nodes(chromedp.CSSAll(formFields)))
	if len(nodes) != len(fields) {
		t.Fatalf("found %d form fields, then %d", len(fields), len(nodes))
	}
	fetchRelatives := false
	for i, n := range nodes {
		if !fields[i].Rendered {
			continue
		}
		sctx, cancel := context.WithTimeout(ctx, stepTimeout)
		res, err := chromedp.Call(sctx, accessibility.GetPartialAXTree, accessibility.GetPartialAXTreeParams{
			BackendNodeID: n.BackendNodeID, FetchRelatives: &fetchRelatives,
		})
		cancel()
		if err != nil {
			t.Fatalf("read the accessibility node of %s: %v", fields[i].Desc, err)
		}
		var name string
		if len(res.Nodes) > 0 && res.Nodes[0].Name != nil {
			if err := json.Unmarshal([]byte(res.Nodes[0].Name.Value), &name); err != nil {
				t.Fatalf("the accessible name of %s: %v", fields[i].Desc, err)
			}
		}
		if strings.TrimSpace(name) == "" {
			t.Errorf("on %s, the field %s has no accessible name: a screen reader announces it without a label", where, fields[i].Desc)
		}
	}
}

func TestAccountPagesAccessibility(t *testing.T) {
	chromium := needBrowser(t)
	axe := axeSource(t)
	site := startFullSite(t)
	base := site.Base
	ctx := newBrowser(t, chromium)
	const (
		email = "mary.seacole@example.com"
		name  = "Mary Seacole"
		pw    = "crimean kettle lantern"
	)

	// submitted brings the browser to the page a form shows after a post
	// that fails (or, for the reset request, succeeds) with status.
	submitted := func(t *testing.T, path, ready, label string, status int64, fields ...[2]string) {
		t.Helper()
		openPage(t, ctx, base+path, ready)
		for _, f := range fields {
			do(t, ctx, "type into "+f[0], chromedp.SendKeys(chromedp.CSS(f[0]), f[1]))
		}
		u, _ := url.Parse(base + path)
		u.RawQuery = ""
		resp := navigateBy(t, ctx, "click "+label, chromedp.Click(button(label)))
		wantPage(t, ctx, resp, status, u.String())
	}

	// Pages as an anonymous reader sees them.
	anonymous := []struct {
		name string
		open func(t *testing.T)
	}{
		{"sign-up page", func(t *testing.T) { openPage(t, ctx, base+"/signup", "#f-email") }},
		{"sign-up page after an empty submit", func(t *testing.T) {
			submitted(t, "/signup", "#f-email", "Create account", http.StatusUnprocessableEntity)
			do(t, ctx, "wait for the error", chromedp.WaitVisible(chromedp.CSS(".field-error")))
		}},
		{"sign-up page after a too-short password", func(t *testing.T) {
			submitted(t, "/signup", "#f-email", "Create account", http.StatusUnprocessableEntity,
				[2]string{"#f-email", "someone@example.com"}, [2]string{"#f-name", "Someone"}, [2]string{"#f-password", "short"})
			do(t, ctx, "wait for the error", chromedp.WaitVisible(chromedp.CSS("#f-password-error")))
		}},
		{"log-in page", func(t *testing.T) { openPage(t, ctx, base+"/login", "#f-email") }},
		{"log-in page after a refused log-in", func(t *testing.T) {
			submitted(t, "/login", "#f-email", "Log in", http.StatusUnauthorized,
				[2]string{"#f-email", "nobody@example.com"}, [2]string{"#f-password", "not the password"})
		}},
		{"log-in page after a reset", func(t *testing.T) { openPage(t, ctx, base+"/login?reset=1", "p.notice") }},
		{"forgot-password page", func(t *testing.T) { openPage(t, ctx, base+"/password/forgot", "#f-email") }},
		{"forgot-password page after a request", func(t *testing.T) {
			submitted(t, "/password/forgot", "#f-email", "Email me a code", http.StatusOK,
				[2]string{"#f-email", "nobody@example.com"})
			do(t, ctx, "wait for the code form", chromedp.WaitVisible(chromedp.CSS("#f-code")))
		}},
		{"reset page", func(t *testing.T) { openPage(t, ctx, base+"/password/reset", "#f-code") }},
		{"confirm page", func(t *testing.T) {
			openPage(t, ctx, base+"/account/verify?token=not-a-real-token", `main form[action="/account/confirm"] button`)
		}},
		{"reset page after a wrong code", func(t *testing.T) {
			submitted(t, "/password/reset?email=nobody%40example.com&code=00000000", "#f-code", "Set new password",
				http.StatusUnprocessableEntity, [2]string{"#f-password", "a good new password"})
			do(t, ctx, "wait for the error", chromedp.WaitVisible(chromedp.CSS("#f-code-error")))
		}},
	}
	// Pages as a signed-in reader sees them.
	signedIn := []struct{ name, path, ready string }{
		{"welcome page", "/signup/welcome", "main h1"},
		{"account page", "/account", "#f-profile-name"},
	}
	// Both palettes, at desktop and phone widths.
	views := []struct {
		width  int64
		scheme string
	}{{1280, "light"}, {390, "dark"}}

	check := func(t *testing.T, width int64, scheme string) {
		t.Helper()
		loc := get(t, ctx, "read the address of the page", chromedp.Location())
		where := fmt.Sprintf("%s (%s, %d px wide)", loc, scheme, width)
		checkAxe(t, ctx, axe, scheme, where)
		checkFieldNames(t, ctx, where)
	}
	for _, v := range views {
		for _, p := range anonymous {
			t.Run(fmt.Sprintf("%s, %s, %d px", p.name, v.scheme, v.width), func(t *testing.T) {
				setView(t, ctx, v.width, v.scheme)
				p.open(t)
				check(t, v.width, v.scheme)
			})
		}
	}

	signUp(t, ctx, base, email, name, pw)
	confirmEmail(t, ctx, site, email, name)
	for _, v := range views {
		for _, p := range signedIn {
			t.Run(fmt.Sprintf("%s, %s, %d px", p.name, v.scheme, v.width), func(t *testing.T) {
				setView(t, ctx, v.width, v.scheme)
				openPage(t, ctx, base+p.path, p.ready)
				if who := mastheadUser(t, ctx); who != name {
					t.Fatalf("the masthead shows %q signed in, want %q", who, name)
				}
				check(t, v.width, v.scheme)
			})
		}
	}
}
