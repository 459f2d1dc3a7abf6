package web

import (
	"context"
	fielderr "dateline/internal/field"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"dateline/internal/account"
	"dateline/internal/audit"
	"dateline/internal/comment"
	"dateline/internal/story"
)

// Limits on what moderators type.
const (
	maxModReason   = 500  // a reason for an action or a suspension
	maxSuspendDays = 3650 // ten years; 0 is permanent
)

// Views of the moderation page: the three queues, the settings, the log.
const (
	viewSettings = "settings"
	viewLog      = "log"
)

// modActions are the decisions a moderator can post for one comment; the
// queue's notices say what each did.
var modActions = map[string]bool{"approve": true, "reject": true, "delete": true, "feature": true, "unfeature": true}

// modTab is one link of the moderation page's navigation.
type modTab struct {
	View, Label, URL string
}

// logRow is one line of the moderation log, with links resolved.
type logRow struct {
	comment.LogEntry
	// CommentURL points at the comment under its story; "" when unknown.
	CommentURL string
}

// moderationPage is the data of /admin/comments and its views.
type moderationPage struct {
	layoutData
	// View is "reported", "held" or "recent" (a queue), "settings" or
	// "log".
	View  string
	Tabs  []modTab
	Items []comment.QueueItem
	// Notice is good news after an action; Error a problem that belongs
	// to no field on the page.
	Notice, Error string
	// Undo is the reader just suspended, offered an Unsuspend button.
	Undo int64
	// Viewer's ID, so nobody is offered to suspend themselves.
	Me int64

	// A posted form that came back with an error, and the queue item
	// and action it belongs to.
	failed       *form
	failedID     int64
	failedAction string // an action, or "suspend"

	Settings *form
	Log      []logRow
}

// IsQueue reports whether the page shows one of the queues.
func (p *moderationPage) IsQueue() bool {
	return p.View != viewSettings && p.View != viewLog
}

// ActionForm is the form of one action on one comment: the one that came
// back with an error, or an empty one.
func (p *moderationPage) ActionForm(id int64, action string) *form {
	if p.failed != nil && p.failedID == id && p.failedAction == action {
		return p.failed
	}
	return newForm()
}

// SuspendForm is the suspension form under one comment.
func (p *moderationPage) SuspendForm(id int64) *form {
	if p.failed != nil && p.failedID == id && p.failedAction == "suspend" {
		return p.failed
	}
	f := newForm()
	f.Values["days"] = "7"
	return f
}

// SuspendOpen reports whether the suspension form under id came back with
// an error, so it is shown open.
func (p *moderationPage) SuspendOpen(id int64) bool {
	return p.failed != nil && p.failedID == id && p.failedAction == "suspend"
}

// ReportWords says in words why readers reported a comment.
func (p *moderationPage) ReportWords(reasons string) string {
	var out []string
	for _, r := range strings.Split(reasons, ",") {
		switch comment.ReportReason(strings.TrimSpace(r)) {
		case comment.Spam:
			out = append(out, "spam")
		case comment.Abuse:
			out = append(out, "abuse or harassment")
		case comment.OffTopic:
			out = append(out, "off topic")
		case comment.Other:
			out = append(out, "something else")
		case "":
		default:
			out = append(out, strings.TrimSpace(r))
		}
	}
	return strings.Join(out, ", ")
}

// ActionWords says a logged action in words.
func (p *moderationPage) ActionWords(action string) string {
	switch action {
	case "approve":
		return "Approved"
	case "reject":
		return "Rejected"
	case "delete":
		return "Deleted"
	case "feature":
		return "Made an editor's pick"
	case "unfeature":
		return "Removed from editor's picks"
	case "suspend":
		return "Suspended a reader"
	case "unsuspend":
		return "Lifted a suspension"
	case "author deleted":
		return "Author deleted their comment"
	}
	return action
}

// queueTab reads a queue's name; ok is false for an unknown one.
func queueTab(name string) (comment.QueueTab, bool) {
	switch t := comment.QueueTab(name); t {
	case "":
		return comment.TabReported, true
	case comment.TabReported, comment.TabHeld, comment.TabRecent:
		return t, true
	}
	return "", false
}

// queueURL is the address of a queue, with what was just done.
func queueURL(tab comment.QueueTab, extra url.Values) string {
	q := url.Values{"tab": {string(tab)}}
	for k, v := range extra {
		q[k] = v
	}
	return "/admin/comments?" + q.Encode()
}

// moderationPageFor fills what every view of the moderation page shows.
func (dp *discussionPages) moderationPageFor(r *http.Request, u *account.User, view string) *moderationPage {
	p := &moderationPage{layoutData: dp.layout(r, "Comment moderation"), View: view, Me: u.ID}
	p.NoIndex = true
	p.Tabs = []modTab{
		{string(comment.TabReported), "Reported", "/admin/comments?tab=reported"},
		{string(comment.TabHeld), "Held for review", "/admin/comments?tab=held"},
		{string(comment.TabRecent), "Recent", "/admin/comments?tab=recent"},
	}
	if u.Can(account.SetCommentRules) {
		p.Tabs = append(p.Tabs, modTab{viewSettings, "Settings", "/admin/comments/settings"})
	}
	if u.Can(account.ReadModerationLog) {
		p.Tabs = append(p.Tabs, modTab{viewLog, "Moderation log", "/admin/comments/log"})
	}
	return p
}

func (dp *discussionPages) moderationQueue(w http.ResponseWriter, r *http.Request) {
	v, ok := dp.requireCan(w, r, account.ModerateComments)
	if !ok {
		return
	}
	q := r.URL.Query()
	tab, ok := queueTab(q.Get("tab"))
	if !ok {
		dp.badRequest(w, r, "There is no such list of comments.")
		return
	}
	dp.renderQueue(w, r, v.User, tab, http.StatusOK, func(p *moderationPage) {
		p.Notice = doneNotice(r).Text
		if q.Get("done") == "suspended" {
			p.Undo, _ = strconv.ParseInt(q.Get("user"), 10, 64)
		}
	})
}

// renderQueue shows a queue; edit adds a notice or a form that came back.
func (dp *discussionPages) renderQueue(w http.ResponseWriter, r *http.Request, u *account.User, tab comment.QueueTab, status int, edit func(*moderationPage)) {
	items, err := dp.comments.Queue(r.Context(), u, tab)
	if err != nil {
		dp.serverError(w, r, err)
		return
	}
	p := dp.moderationPageFor(r, u, string(tab))
	p.Items = items
	if edit != nil {
		edit(p)
	}
	if p.failed != nil {
		// The comment may have left the queue meanwhile: then say what
		// went wrong above the list.
		found := false
		for _, it := range items {
			found = found || it.ID == p.failedID
		}
		if !found {
			p.Error = p.failed.Message
			for _, msg := range p.failed.Errors {
				p.Error = msg
			}
		}
	}
	dp.render(w, r, status, "moderation", p)
}

// actionAllowed reports whether action makes sense for c as it is now.
func actionAllowed(c *comment.Comment, action string) bool {
	switch action {
	case "approve":
		return c.Status == comment.Held || c.Status == comment.Published
	case "reject":
		return c.Status == comment.Held
	case "delete":
		return c.Status != comment.Deleted
	case "feature":
		return c.Status == comment.Published && !c.Featured
	case "unfeature":
		return c.Status == comment.Published && c.Featured
	}
	return false
}

// postedTab reads the queue a form was posted from.
func postedTab(f *form) comment.QueueTab {
	tab, ok := queueTab(f.Get("tab"))
	if !ok {
		return comment.TabReported
	}
	return tab
}

func (dp *discussionPages) moderateComment(w http.ResponseWriter, r *http.Request) {
	v, ok := dp.requireCan(w, r, account.ModerateComments)
	if !ok {
		return
	}
	action := r.PathValue("action")
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if _, known := modActions[action]; err != nil || !known {
		dp.notFound(w, r)
		return
	}
	f, ok := dp.readForm(w, r, "reason", "tab")
	if !ok {
		return
	}
	tab := postedTab(f)
	ctx := r.Context()
	c, err := dp.comments.Comment(ctx, id)
	if err != nil {
		dp.fail(w, r, asNotFound(err))
		return
	}
	if !actionAllowed(c, action) {
		dp.moderationConflict(w, r, c)
		return
	}
	if n := utf8.RuneCountInString(f.Get("reason")); n > maxModReason {
		f.Fail("reason", fmt.Sprintf("Keep the reason under %d characters; it has %d.", maxModReason, n))
		dp.renderQueue(w, r, v.User, tab, http.StatusUnprocessableEntity, func(p *moderationPage) {
			p.failed, p.failedID, p.failedAction = f, id, action
		})
		return
	}
	err = dp.comments.Moderate(ctx, v.User, id, action, f.Get("reason"), func(storyID int64) (*story.Story, error) {
		return dp.storySvc.StoryByID(ctx, storyID)
	})
	switch {
	case errors.Is(err, comment.ErrNotFound), errors.Is(err, comment.ErrConflict):
		// Someone else changed it between the check and the update.
		if c, err := dp.comments.Comment(ctx, id); err == nil {
			dp.moderationConflict(w, r, c)
		} else {
			dp.fail(w, r, asNotFound(err))
		}
		return
	case err != nil:
		dp.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, queueURL(tab, url.Values{"done": {action}}), http.StatusSeeOther)
}

// moderationConflict answers an action that no longer fits the comment,
// usually because another moderator got there first.
func (dp *discussionPages) moderationConflict(w http.ResponseWriter, r *http.Request, c *comment.Comment) {
	now := map[comment.Status]string{comment.Published: "published", comment.Held: "held for review",
		comment.Rejected: "rejected", comment.Deleted: "deleted"}[c.Status]
	if c.Status == comment.Published && c.Featured {
		now = "published as an editor's pick"
	}
	dp.errorPage(w, r, http.StatusConflict, "That comment has changed",
		"The comment is now "+now+", so that action no longer applies. Another moderator may have dealt with it. "+
			"Go back to the queue and reload it to see where things stand.")
}

func (dp *discussionPages) suspendReader(w http.ResponseWriter, r *http.Request) {
	v, f, ok := dp.staffForm(w, r, account.ModerateComments, "user", "comment", "tab", "days", "reason")
	if !ok {
		return
	}
	tab := postedTab(f)
	userID, err := strconv.ParseInt(f.Get("user"), 10, 64)
	if err != nil || userID <= 0 {
		dp.badRequest(w, r, "That form does not say which reader to suspend.")
		return
	}
	commentID, _ := strconv.ParseInt(f.Get("comment"), 10, 64)
	days, err := strconv.Atoi(f.Get("days"))
	if err != nil || days < 0 || days > maxSuspendDays {
		f.Fail("days", fmt.Sprintf("Give a number of days from 1 to %d, or 0 for a permanent suspension.", maxSuspendDays))
	}
	switch n := utf8.RuneCountInString(f.Get("reason")); {
	case n == 0:
		f.Fail("reason", "Say why: the reader is told in the email about the suspension.")
	case n > maxModReason:
		f.Fail("reason", fmt.Sprintf("Keep the reason under %d characters; it has %d.", maxModReason, n))
	}
	if userID == v.User.ID {
		f.Message = "You cannot suspend yourself."
	}
	if f.OK() {
		err = dp.comments.Suspend(r.Context(), v.User, userID, days, f.Get("reason"))
		var ie *comment.InputError
		switch {
		case errors.As(err, &ie):
			f.Fail(ie.Field, ie.Message)
		case errors.Is(err, comment.ErrNotFound):
			f.Message = "That reader's account no longer exists."
		case err != nil:
			dp.serverError(w, r, err)
			return
		}
	}
	if !f.OK() {
		dp.renderQueue(w, r, v.User, tab, http.StatusUnprocessableEntity, func(p *moderationPage) {
			p.failed, p.failedID, p.failedAction = f, commentID, "suspend"
		})
		return
	}
	http.Redirect(w, r, queueURL(tab, url.Values{"done": {"suspended"}, "user": {strconv.FormatInt(userID, 10)}}), http.StatusSeeOther)
}

func (dp *discussionPages) unsuspendReader(w http.ResponseWriter, r *http.Request) {
	v, f, ok := dp.staffForm(w, r, account.ModerateComments, "user", "tab")
	if !ok {
		return
	}
	userID, err := strconv.ParseInt(f.Get("user"), 10, 64)
	if err != nil || userID <= 0 {
		dp.badRequest(w, r, "That form does not say which reader to let comment again.")
		return
	}
	if err := dp.comments.Unsuspend(r.Context(), v.User, userID); err != nil {
		dp.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, queueURL(postedTab(f), url.Values{"done": {"unsuspended"}}), http.StatusSeeOther)
}

// Settings

func (dp *discussionPages) commentSettings(w http.ResponseWriter, r *http.Request) {
	v, ok := dp.requireCan(w, r, account.SetCommentRules)
	if !ok {
		return
	}
	set, err := dp.comments.Settings(r.Context())
	if err != nil {
		dp.serverError(w, r, err)
		return
	}
	f := newForm()
	maps.Copy(f.Values, set.Fields())
	f.Notice = doneNotice(r).Text
	dp.renderSettings(w, r, v.User, http.StatusOK, f)
}

func (dp *discussionPages) renderSettings(w http.ResponseWriter, r *http.Request, u *account.User, status int, f *form) {
	p := dp.moderationPageFor(r, u, viewSettings)
	p.Settings = f
	dp.render(w, r, status, "moderation", p)
}

func (dp *discussionPages) saveCommentSettings(w http.ResponseWriter, r *http.Request) {
	v, f, ok := dp.staffForm(w, r, account.SetCommentRules, "premod", "premod_first", "banned_words", "close_days")
	if !ok {
		return
	}
	set, err := dp.comments.Settings(r.Context())
	if err != nil {
		dp.serverError(w, r, err)
		return
	}
	old := set.Fields()
	set, err = set.WithFields(f.Values)
	var se fielderr.Errors
	if errors.As(err, &se) {
		failFields(f, se)
	}
	if f.OK() {
		if err := dp.comments.SaveSettings(r.Context(), set); errors.As(err, &se) {
			failFields(f, se)
		} else if err != nil {
			dp.serverError(w, r, err)
			return
		}
	}
	if !f.OK() {
		dp.renderSettings(w, r, v.User, http.StatusUnprocessableEntity, f)
		return
	}
	names := []string{comment.FieldPremod, comment.FieldPremodFirst, comment.FieldCloseDays, comment.FieldBannedWords}
	if !dp.audited(w, r, v, "comment settings", audit.Changes(names, old, set.Fields())) {
		return
	}
	http.Redirect(w, r, "/admin/comments/settings?done=1", http.StatusSeeOther)
}

// Log

func (dp *discussionPages) moderationLog(w http.ResponseWriter, r *http.Request) {
	v, ok := dp.requireCan(w, r, account.ReadModerationLog)
	if !ok {
		return
	}
	ctx := r.Context()
	entries, err := dp.comments.Log(ctx, v.User)
	if err != nil {
		dp.serverError(w, r, err)
		return
	}
	rows, err := dp.logRows(ctx, entries)
	if err != nil {
		dp.serverError(w, r, err)
		return
	}
	p := dp.moderationPageFor(r, v.User, viewLog)
	p.Log = rows
	dp.render(w, r, http.StatusOK, "moderation", p)
}

// logRows links each entry's comment to its place under its story,
// looking each comment and story up once.
func (dp *discussionPages) logRows(ctx context.Context, entries []comment.LogEntry) ([]logRow, error) {
	paths := map[int64]string{} // story ID → path
	urls := map[int64]string{}  // comment ID → URL
	rows := make([]logRow, len(entries))
	for i, e := range entries {
		rows[i].LogEntry = e
		if e.CommentID == 0 {
			continue
		}
		link, ok := urls[e.CommentID]
		if !ok {
			c, err := dp.comments.Comment(ctx, e.CommentID)
			switch {
			case errors.Is(err, comment.ErrNotFound):
			case err != nil:
				return nil, err
			default:
				path, ok := paths[c.StoryID]
				if !ok {
					st, err := dp.storySvc.StoryByID(ctx, c.StoryID)
					if err != nil && !errors.Is(err, story.ErrNotFound) {
						return nil, err
					}
					if err == nil {
						path = st.Path()
					}
					paths[c.StoryID] = path
				}
				if path != "" {
					link = fmt.Sprintf("%s#comment-%d", path, c.ID)
				}
			}
			urls[e.CommentID] = link
		}
		rows[i].CommentURL = link
	}
	return rows, nil
}
