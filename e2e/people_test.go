package e2e

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"dateline/internal/account"
)

// inviteLinkLine is the line of an invitation email's text part with the
// link that accepts it.
var inviteLinkLine = regexp.MustCompile(`(?m)^(https?://\S+/invite\?token=\S+)$`)

// invitationSubject is the subject of the email that invites someone to
// join as an editor.
const invitationSubject = "You are invited to join Dateline as editor"

// TestAdminInvitesEditor: an administrator invites a new editor from
// /admin/people; the invitation arrives by email; the invitee opens its
// link in another browser, chooses a name and password, lands in the
// newsroom and edits a story; the audit log shows the invitation sent and
// accepted. The people page and the invitation page are saved as
// screenshots at 390 and 1280 px, light and dark.
func TestAdminInvitesEditor(t *testing.T) {
	chromium := needBrowser(t)
	site := startFullSite(t)
	base := site.Base
	admin := person{"katharine.graham@example.com", "Katharine Graham", "personal history of a paper"}
	invitee := person{"ben.bradlee@example.com", "Ben Bradlee", "a good life in the newsroom"}
	newPerson(t, site, admin, account.Admin)

	// 1. The administrator invites the editor.
	actx := newBrowser(t, chromium)
	logIn(t, actx, base, admin.Email, admin.Password, admin.Name)
	openPage(t, actx, base+"/admin/people", "#f-email")
	do(t, actx, "type the invitee's address", chromedp.SendKeys(chromedp.CSS("#f-email"), invitee.Email))
	if v := chooseOption(t, actx, "#f-role", "editor"); v != "editor" {
		t.Fatalf("chose the role %q, want editor", v)
	}
	resp := navigateBy(t, actx, `click "Send invitation"`, chromedp.Click(button("Send invitation")))
	wantPage(t, actx, resp, http.StatusOK, base+"/admin/people?done=invited")
	if pending := textOf(t, actx, "main section ul"); !strings.Contains(pending, invitee.Email) {
		t.Errorf("the invitations waiting list %q, not %s", pending, invitee.Email)
	}
	dir := screenshotDir(t)
	shootAll(t, actx, dir, "admin-people")

	// 2. The invitation arrives.
	m := mailWithSubject(t, site.Mail.WaitForTo(t, invitee.Email, 1, mailTimeout), invitationSubject)
	link := inviteLinkLine.FindStringSubmatch(m.Text())
	if link == nil || !strings.HasPrefix(link[1], base+"/invite?token=") {
		t.Fatalf("the invitation carries no link to %s/invite; its text is:\n%s", base, m.Text())
	}

	// 3. The invitee accepts in their own browser.
	ictx := newBrowser(t, chromium)
	openPage(t, ictx, link[1], "#f-name")
	shootAll(t, ictx, dir, "invite")
	do(t, ictx, "type a name and a password",
		chromedp.SendKeys(chromedp.CSS("#f-name"), invitee.Name),
		chromedp.SendKeys(chromedp.CSS("#f-password"), invitee.Password))
	resp = navigateBy(t, ictx, `click "Join as editor"`, chromedp.Click(button("Join as editor")))
	wantPage(t, ictx, resp, http.StatusOK, base+"/admin")
	if who := mastheadUser(t, ictx); who != invitee.Name {
		t.Errorf("after joining, the masthead shows %q, want %q", who, invitee.Name)
	}

	// 4. The new editor edits a story someone else wrote.
	editPath := jsAwait[string](t, ictx, "find a story to edit", `(async () => {
		const r = await fetch('/admin/stories'); const d = new DOMParser().parseFromString(await r.text(), 'text/html');
		return d.querySelector('.stories-table a[href^="/admin/stories/"]').getAttribute('href'); })()`)
	openPage(t, ictx, base+editPath, "#f-headline")
	edited := value(t, ictx, "#f-headline") + " (updated)"
	replaceValue(t, ictx, "#f-headline", edited)
	landedInEditor(t, ictx, base, `click "Save"`, chromedp.Click(button("Save")))
	if v := value(t, ictx, "#f-headline"); v != edited {
		t.Errorf("after saving, the headline is %q, want %q", v, edited)
	}

	// 5. The link works once.
	openPage(t, actx, base+"/admin/audit", "table.audit")
	log := textOf(t, actx, "table.audit tbody")
	for _, want := range []string{"invitation.accepted " + invitee.Email + " joined as editor", "invitation.sent " + invitee.Email + " as editor"} {
		if !strings.Contains(log, want) {
			t.Errorf("the audit log lacks %q: %s", want, log)
		}
	}
	resp = get(t, actx, "open the used link", chromedp.NavigateResponse(link[1]))
	if resp.Status != http.StatusNotFound {
		t.Errorf("the used invitation answered %d, want 404", resp.Status)
	}
}

// invitationPath has by invite email to join as an editor and returns the
// path of the emailed link, for the checks of every page kind.
func invitationPath(t testing.TB, site *accountSite, by *account.User, email string) string {
	t.Helper()
	if _, err := site.Accounts.Invite(timeout(t), by, email, account.Editor); err != nil {
		t.Fatalf("invite %s: %v", email, err)
	}
	m := mailWithSubject(t, site.Mail.WaitForTo(t, email, 1, mailTimeout), invitationSubject)
	link := inviteLinkLine.FindStringSubmatch(m.Text())
	if link == nil {
		t.Fatalf("the invitation carries no link; its text is:\n%s", m.Text())
	}
	return strings.TrimPrefix(link[1], site.Base)
}
