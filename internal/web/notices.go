package web

import "net/http"

// notice is the good news a page shows after a post redirects to it with
// ?done=key.
type notice struct {
	// Form names the form on the page that shows the notice; "" is the
	// page's own.
	Form string
	// Text is the notice. On /account, {email} stands for the reader's
	// address.
	Text string
}

// notices are, by the path of the page shown after a post, the notice for
// each ?done= key. A handler redirects with the key alone; a key its page
// does not list shows nothing.
var notices = map[string]map[string]notice{
	"/account": {
		"name":          {Form: "name", Text: "Your name has been changed."},
		"email":         {Form: "email", Text: "We have sent a link to the new address. Your address changes when you open it."},
		"password":      {Form: "password", Text: "Your password has been changed, and every other session has been signed out."},
		"sessions":      {Text: "Every other session has been signed out."},
		"verify":        {Text: "We have sent you a new link to confirm your address."},
		"confirmed":     {Text: "Thank you. Your email address is confirmed."},
		"changed":       {Text: "Your address has changed. From now on we will write to {email}, and you log in with it."},
		"subscribed":    {Text: "Thank you for subscribing. Every story is yours to read."},
		"canceled":      {Text: "Your subscription has been cancelled. You keep digital access until the date below."},
		"resumed":       {Text: "Your subscription will renew as before."},
		"gift":          {Text: "The gift link has been revoked."},
		"notifications": {Text: "Your comment email setting has been saved."},
		"token":         {Text: "The API token has been revoked."},
		// Shown only when the new token itself can no longer be.
		"new-token": {Form: "tokens", Text: "Your new API token was shown once. If you did not copy it, revoke it and make another."},
	},
	"/admin/authors":   {"1": {Text: "Saved."}},
	"/admin/front":     {"1": {Text: "Saved."}},
	"/comments/policy": {"1": {Text: "The policy has been saved."}},
	"/admin/comments": {
		"approve":     {Text: "The comment has been approved: it is published and its reports are closed."},
		"reject":      {Text: "The comment has been rejected. Nobody but moderators will see it."},
		"delete":      {Text: "The comment has been deleted. Where it has replies, a placeholder stays."},
		"feature":     {Text: "The comment is now an editor's pick, shown first under the story."},
		"unfeature":   {Text: "The comment is no longer an editor's pick."},
		"suspended":   {Text: "The reader's commenting is suspended, and they have been told why by email."},
		"unsuspended": {Text: "The suspension has been lifted: the reader may comment again."},
	},
	"/admin/comments/settings": {"1": {Text: "The settings have been saved. They apply to comments posted from now on."}},
	"/admin/plans":             {"settings": {Text: "The settings have been saved."}},
	"/admin/settings":          {"1": {Text: "The site settings have been saved. Every page shows them from now on."}},
	"/admin/people": {
		"invited": {Text: "The invitation has been emailed. The link holds for 7 days, once."},
		"role":    {Text: "The role has been changed."},
		"removed": {Text: "Their staff rights have been removed: they are a reader now."},
	},
}

// doneNotice returns the notice the requested page shows for its ?done=
// key, or the zero notice for none.
func doneNotice(r *http.Request) notice {
	return notices[r.URL.Path][r.URL.Query().Get("done")]
}
