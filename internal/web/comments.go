package web

import (
	"context"
	"dateline/internal/dberr"
	fielderr "dateline/internal/field"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"dateline/internal/account"
	"dateline/internal/comment"
	"dateline/internal/story"
)

// discussionPages are posting and managing comments, the comment policy,
// comment emails, and moderation.
type discussionPages struct {
	*Server
	comments *comment.Service
}

// commentForm is a comment form that came back with an error.
type commentForm struct {
	*form
	ReplyTo int64
	EditID  int64
}

// commentsView is the discussion on a story page.
type commentsView struct {
	Thread      *comment.Thread
	Eligibility comment.Eligibility
	Mode        comment.Mode
	Sort        comment.Sort
	Sorts       []comment.Sort
	MoreURL     string
	Form        *commentForm
	Viewer      *account.User
	Now         time.Time
	EditWindow  time.Duration
	CanSetMode  bool
	Notice      string
	Story       *story.Story
	// ReplyTo is the comment whose reply form is open, from ?reply= or a
	// reply that came back with an error.
	ReplyTo int64
	// ReplyBase starts every Reply link.
	ReplyBase string
	// ListHTML is the list of comments already rendered, when it is the
	// same for every reader of this viewer's kind; empty otherwise.
	ListHTML template.HTML
	// shared is set when the whole list is the one every reader of the
	// viewer's kind sees, nothing in it the viewer's own.
	shared bool
}

// sharedKey names the rendered list of comments this view shares with
// every reader of the viewer's kind: anonymous readers, and signed-in
// readers who are not staff. ok is false when the whole list is the
// viewer's own. A reader with comments or recommendations of their own in
// the list shares all but the threads they touch (see shareDiscussion).
func (v *commentsView) sharedKey() (key string, ok bool) {
	if v.Form != nil || v.ReplyTo != 0 || v.CanSetMode {
		return "", false
	}
	kind := "anonymous"
	if v.Viewer != nil {
		if v.Viewer.Staff() {
			return "", false
		}
		kind = "reader"
	}
	return fmt.Sprintf("%s|%s|%t", v.ReplyBase, kind, v.Eligibility.CanPost), true
}

// touches reports whether the viewer wrote or recommends a comment in list.
func (v *commentsView) touches(list []*comment.Comment) bool {
	for _, c := range list {
		if c.UserID == v.Viewer.ID || c.Recommended || v.touches(c.Replies) {
			return true
		}
	}
	return false
}

// Editable reports whether the viewer may still edit c.
func (v *commentsView) Editable(c *comment.Comment) bool {
	return v.Viewer != nil && c.UserID == v.Viewer.ID && c.Status != comment.Deleted && v.Now.Before(c.CreatedAt.Add(v.EditWindow))
}

// Own reports whether c is the viewer's.
func (v *commentsView) Own(c *comment.Comment) bool {
	return v.Viewer != nil && c.UserID == v.Viewer.ID && c.Status != comment.Deleted
}

// FormFor returns the form that came back for this place (the top form
// when id is 0), or an empty one.
func (v *commentsView) FormFor(replyTo, editID int64) *form {
	if v.Form != nil && v.Form.ReplyTo == replyTo && v.Form.EditID == editID {
		return v.Form.form
	}
	return newForm()
}

const maxShown = 1000

// sharedDiscussion is a list of comments rendered for every reader of one
// kind: whole, and thread by thread (a comment with its replies).
type sharedDiscussion struct {
	list    template.HTML
	threads map[int64]template.HTML // by the id of the thread's first comment
}

// shareDiscussion fills v.ListHTML from the discussions kept rendered, or
// renders the list and keeps it. A story read by thousands of subscribers
// at once is then rendered once per change, not once per reader; a reader
// who wrote or recommended comments in it gets those threads rendered for
// them and the rest from the kept list.
func (s *Server) shareDiscussion(v *commentsView, storyID int64) {
	if s.discussions == nil || len(v.Thread.Comments) == 0 {
		return
	}
	key, ok := v.sharedKey()
	if !ok {
		return
	}
	own := func(list []*comment.Comment) bool { return v.Viewer != nil && v.touches(list) }
	personal := own(v.Thread.Comments)
	d, ok, gen := s.discussions.Get(key)
	if !ok {
		if personal {
			return // the kept list is made from a reader who sees it as everyone does
		}
		d = &sharedDiscussion{threads: make(map[int64]template.HTML, len(v.Thread.Comments))}
		var list strings.Builder
		for _, c := range v.Thread.Comments {
			part, err := s.renderThread(v, c)
			if err != nil {
				s.log.Warn("render a discussion", "story", storyID, "err", err)
				return // the page renders the list itself
			}
			d.threads[c.ID] = part
			list.WriteString(string(part))
		}
		d.list = template.HTML(list.String()) // #nosec G203 -- rendered by html/template in renderThread
		s.discussions.Put(key, d, gen, storyTag(storyID), discussionTag(storyID))
	}
	if !personal {
		v.ListHTML, v.shared = d.list, true
		return
	}
	var list strings.Builder
	for _, c := range v.Thread.Comments {
		part, ok := d.threads[c.ID]
		if !ok || own([]*comment.Comment{c}) {
			var err error
			if part, err = s.renderThread(v, c); err != nil {
				s.log.Warn("render a discussion", "story", storyID, "err", err)
				return
			}
		}
		list.WriteString(string(part))
	}
	v.ListHTML = template.HTML(list.String()) // #nosec G203 -- rendered by html/template in renderThread
}

// renderThread renders one comment and its replies as the view shows them.
func (s *Server) renderThread(v *commentsView, c *comment.Comment) (template.HTML, error) {
	return executeHTML(s.pages.byName["story"], "comment", map[string]any{"C": c, "V": v})
}

func (s *Server) commentsView(r *http.Request, st *story.Story, cf *commentForm) (*commentsView, error) {
	ctx := r.Context()
	viewer := viewerOf(r).User
	mode := comment.Mode(st.Comments)
	if !mode.Valid() {
		mode = comment.ForSubscribers
	}
	el, err := s.comments.Eligibility(ctx, viewer, st, mode)
	if err != nil {
		return nil, err
	}
	set, err := s.comments.Settings(ctx)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	order := comment.ParseSort(q.Get("sort"))
	shown := set.PageSize
	if n, err := strconv.Atoi(q.Get("comments")); err == nil && n > shown {
		shown = min(n, maxShown)
	}
	if cf != nil && (cf.ReplyTo != 0 || cf.EditID != 0) {
		shown = maxShown // the comment the form belongs to must be on the page
	}
	th, err := s.comments.Thread(ctx, st.ID, viewer, order, shown)
	if err != nil {
		return nil, err
	}
	v := &commentsView{Thread: th, Eligibility: el, Mode: mode, Sort: order,
		Sorts: []comment.Sort{comment.Oldest, comment.Newest, comment.Recommended},
		Form:  cf, Viewer: viewer, Now: s.now(), EditWindow: set.EditWindow, Story: st,
		CanSetMode: viewer.Can(account.SetCommentRules)}
	v.ReplyTo, _ = strconv.ParseInt(q.Get("reply"), 10, 64)
	// Reply links keep the order and the number of comments shown.
	v.ReplyBase = st.Path() + "?" + url.Values{"sort": {string(order)}, "comments": {strconv.Itoa(shown)}}.Encode() + "&reply="
	if cf != nil && cf.ReplyTo != 0 {
		v.ReplyTo = cf.ReplyTo
	}
	if th.More {
		v.MoreURL = st.Path() + "?" + url.Values{"sort": {string(order)}, "comments": {strconv.Itoa(shown + set.PageSize)}}.Encode() + "#comments"
	}
	s.shareDiscussion(v, st.ID)
	switch q.Get("commented") {
	case "held":
		v.Notice = "Thank you. Your comment will appear once a moderator has read it."
	case "reported":
		v.Notice = "Thank you for the report. A moderator will look at the comment."
	}
	return v, nil
}

// visibleStory loads a published story by slug.
func (dp *discussionPages) visibleStory(ctx context.Context, slug string) (*story.Story, error) {
	st, err := dp.storyBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	if !st.Visible(dp.now()) {
		return nil, story.ErrNotFound
	}
	return st, nil
}

// commentError answers a comment action the reader may not take, or a
// mistake in what they typed, and reports whether it did.
func (dp *discussionPages) commentError(w http.ResponseWriter, r *http.Request, st *story.Story, cf *commentForm, err error) bool {
	var ie *comment.InputError
	switch {
	case errors.As(err, &ie):
		cf.Fail(ie.Field, ie.Message)
		dp.showStory(w, r, st, http.StatusUnprocessableEntity, cf)
	case errors.Is(err, comment.ErrNotAllowed):
		cf.Message = "You cannot post here: the notice above the comments says why."
		dp.showStory(w, r, st, http.StatusForbidden, cf)
	case errors.Is(err, comment.ErrTooFast):
		w.Header().Set("Retry-After", "300")
		cf.Message = "You have posted several comments in the last few minutes. Please wait a little before the next."
		dp.showStory(w, r, st, http.StatusTooManyRequests, cf)
	case errors.Is(err, comment.ErrDuplicate):
		cf.Fail("body", "You posted this same comment within the last hour.")
		dp.showStory(w, r, st, http.StatusConflict, cf)
	case errors.Is(err, comment.ErrEditWindow):
		cf.Fail("body", "Comments can be edited for 15 minutes after posting, and that time has passed.")
		dp.showStory(w, r, st, http.StatusConflict, cf)
	case errors.Is(err, comment.ErrNotFound):
		dp.notFound(w, r)
	case dp.cannotSave(err), dberr.IsUnavailable(err):
		dp.log.ErrorContext(r.Context(), "comment not saved", "story", st.ID, "err", err)
		w.Header().Set("Retry-After", "300")
		cf.Message = "We cannot save comments just now. Your text is kept below: please try again in a few minutes."
		dp.showStory(w, r, st, http.StatusServiceUnavailable, cf)
	default:
		return false
	}
	return true
}

func (dp *discussionPages) postComment(w http.ResponseWriter, r *http.Request) {
	v, f, ok := dp.userForm(w, r, "story", "reply_to", "body")
	if !ok {
		return
	}
	st, err := dp.visibleStory(r.Context(), f.Get("story"))
	if err != nil {
		dp.fail(w, r, err)
		return
	}
	replyTo, _ := strconv.ParseInt(f.Get("reply_to"), 10, 64)
	c, err := dp.comments.Post(r.Context(), v.User, st, comment.Mode(st.Comments), replyTo, f.Values["body"])
	if err != nil {
		if !dp.commentError(w, r, st, &commentForm{form: f, ReplyTo: replyTo}, err) {
			dp.serverError(w, r, err)
		}
		return
	}
	target := fmt.Sprintf("%s#comment-%d", st.Path(), c.ID)
	if c.Status == comment.Held {
		target = st.Path() + "?commented=held#comments"
	} else {
		dp.purge(r, discussionTag(st.ID))
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// commentAndStory loads the comment named in the path and its story.
func (dp *discussionPages) commentAndStory(w http.ResponseWriter, r *http.Request) (*viewer, *comment.Comment, *story.Story, bool) {
	v, ok := dp.requireUser(w, r)
	if !ok {
		return nil, nil, nil, false
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		dp.notFound(w, r)
		return nil, nil, nil, false
	}
	c, err := dp.comments.Comment(r.Context(), id)
	if err != nil {
		dp.fail(w, r, asNotFound(err))
		return nil, nil, nil, false
	}
	st, err := dp.storySvc.StoryByID(r.Context(), c.StoryID)
	if err != nil {
		dp.fail(w, r, err)
		return nil, nil, nil, false
	}
	return v, c, st, true
}

func asNotFound(err error) error {
	if errors.Is(err, comment.ErrNotFound) {
		return story.ErrNotFound
	}
	return err
}

func (dp *discussionPages) editComment(w http.ResponseWriter, r *http.Request) {
	v, c, st, ok := dp.commentAndStory(w, r)
	if !ok {
		return
	}
	f, ok := dp.readForm(w, r, "body")
	if !ok {
		return
	}
	if _, err := dp.comments.Edit(r.Context(), v.User, c.ID, f.Values["body"]); err != nil {
		if !dp.commentError(w, r, st, &commentForm{form: f, EditID: c.ID}, err) {
			dp.serverError(w, r, err)
		}
		return
	}
	dp.purge(r, discussionTag(st.ID))
	http.Redirect(w, r, fmt.Sprintf("%s#comment-%d", st.Path(), c.ID), http.StatusSeeOther) // #nosec G710 -- a path on this site
}

func (dp *discussionPages) deleteComment(w http.ResponseWriter, r *http.Request) {
	v, c, st, ok := dp.commentAndStory(w, r)
	if !ok {
		return
	}
	if err := dp.comments.Delete(r.Context(), v.User, c.ID); err != nil {
		if !dp.commentError(w, r, st, &commentForm{form: newForm()}, err) {
			dp.serverError(w, r, err)
		}
		return
	}
	dp.purge(r, discussionTag(st.ID))
	http.Redirect(w, r, st.Path()+"#comments", http.StatusSeeOther) // #nosec G710 -- a path on this site
}

func (dp *discussionPages) recommendComment(w http.ResponseWriter, r *http.Request) {
	v, c, st, ok := dp.commentAndStory(w, r)
	if !ok {
		return
	}
	if _, err := dp.comments.Recommend(r.Context(), v.User, c.ID); err != nil {
		if errors.Is(err, comment.ErrNotAllowed) {
			dp.errorPage(w, r, http.StatusForbidden, "You cannot recommend that",
				"Recommending needs a confirmed email address, and your own comments cannot be recommended by you.")
			return
		}
		if !dp.commentError(w, r, st, &commentForm{form: newForm()}, err) {
			dp.serverError(w, r, err)
		}
		return
	}
	dp.purge(r, discussionTag(st.ID))
	http.Redirect(w, r, fmt.Sprintf("%s#comment-%d", st.Path(), c.ID), http.StatusSeeOther) // #nosec G710 -- a path on this site
}

// reportPage is the data of the page that reports a comment.
type reportPage struct {
	layoutData
	Comment *comment.Comment
	Story   *story.Story
	Form    *form
}

func (dp *discussionPages) reportForm(w http.ResponseWriter, r *http.Request) {
	_, c, st, ok := dp.commentAndStory(w, r)
	if !ok {
		return
	}
	dp.renderReport(w, r, http.StatusOK, c, st, newForm())
}

func (dp *discussionPages) renderReport(w http.ResponseWriter, r *http.Request, status int, c *comment.Comment, st *story.Story, f *form) {
	if c.Status != comment.Published {
		dp.notFound(w, r)
		return
	}
	p := reportPage{layoutData: dp.layout(r, "Report a comment"), Comment: c, Story: st, Form: f}
	p.NoIndex = true
	dp.render(w, r, status, "report", p)
}

func (dp *discussionPages) reportComment(w http.ResponseWriter, r *http.Request) {
	v, c, st, ok := dp.commentAndStory(w, r)
	if !ok {
		return
	}
	f, ok := dp.readForm(w, r, "reason", "note")
	if !ok {
		return
	}
	if err := dp.comments.Report(r.Context(), v.User, c.ID, comment.ReportReason(f.Get("reason")), f.Get("note")); err != nil {
		var ie *comment.InputError
		if errors.As(err, &ie) {
			if ie.Field == "reason" {
				f.Message = ie.Message
			} else {
				f.Fail(ie.Field, ie.Message)
			}
			dp.renderReport(w, r, http.StatusUnprocessableEntity, c, st, f)
			return
		}
		if !dp.commentError(w, r, st, &commentForm{form: f}, err) {
			dp.serverError(w, r, err)
		}
		return
	}
	http.Redirect(w, r, st.Path()+"?commented=reported#comments", http.StatusSeeOther) // #nosec G710 -- a path on this site
}

// policyPage is the data of /comments/policy.
type policyPage struct {
	layoutData
	Policy  template.HTML
	Source  string
	CanEdit bool
	Form    *form
}

func (dp *discussionPages) commentPolicy(w http.ResponseWriter, r *http.Request) {
	dp.renderPolicy(w, r, http.StatusOK, nil)
}

func (dp *discussionPages) renderPolicy(w http.ResponseWriter, r *http.Request, status int, f *form) {
	text, err := dp.comments.Policy(r.Context())
	if err != nil {
		dp.serverError(w, r, err)
		return
	}
	u := viewerOf(r).User
	p := policyPage{layoutData: dp.layout(r, "Our comment policy"), Policy: template.HTML(dp.renderer.Render(text)), // #nosec G203 -- the renderer sanitises with bluemonday

		Source: text, CanEdit: u.Can(account.SetCommentRules), Form: f}
	if p.Form == nil {
		p.Form = newForm()
		p.Form.Values["policy"] = text
		p.Form.Notice = doneNotice(r).Text
	}
	dp.render(w, r, status, "policy", p)
}

func (dp *discussionPages) saveCommentPolicy(w http.ResponseWriter, r *http.Request) {
	v, f, ok := dp.staffForm(w, r, account.SetCommentRules, "policy")
	if !ok {
		return
	}
	old, err := dp.comments.Policy(r.Context())
	if err != nil {
		dp.serverError(w, r, err)
		return
	}
	var se fielderr.Errors
	if err := dp.comments.SavePolicy(r.Context(), f.Get("policy")); errors.As(err, &se) {
		failFields(f, se)
		dp.renderPolicy(w, r, http.StatusUnprocessableEntity, f)
		return
	} else if err != nil {
		dp.serverError(w, r, err)
		return
	}
	details := ""
	if strings.TrimSpace(old) != strings.TrimSpace(f.Get("policy")) {
		details = fmt.Sprintf("%d characters → %d characters, rewritten", len(old), len(f.Get("policy")))
	}
	if !dp.audited(w, r, v, "comment policy", details) {
		return
	}
	http.Redirect(w, r, "/comments/policy?done=1", http.StatusSeeOther)
}

// unsubscribeData is the data of the unsubscribe page.
type unsubscribeData struct {
	layoutData
	User  string
	Token string
}

func (dp *discussionPages) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := unsubscribeData{layoutData: dp.layout(r, "Stop comment emails"), User: q.Get("u"), Token: q.Get("t")}
	p.NoIndex = true
	dp.render(w, r, http.StatusOK, "unsubscribe", p)
}

// unsubscribe switches off comment emails from a signed link: one POST,
// no log-in, as RFC 8058 one-click unsubscribe asks.
func (dp *discussionPages) unsubscribe(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	// A form that does not parse leaves u and t empty, which Unsubscribe refuses.
	_ = r.ParseForm()
	user, token := r.Form.Get("u"), r.Form.Get("t")
	id, err := strconv.ParseInt(user, 10, 64)
	if err == nil {
		err = dp.comments.Unsubscribe(r.Context(), id, token)
	}
	switch {
	case err == nil:
		dp.message(w, r, http.StatusOK, "You will get no more comment emails",
			"We will not email you about replies to your comments or editor's picks. You can switch them back on from your account page.")
	case errors.Is(err, comment.ErrNotFound), errors.Is(err, strconv.ErrSyntax), errors.Is(err, strconv.ErrRange):
		dp.message(w, r, http.StatusBadRequest, "That link does not work",
			"The unsubscribe link is incomplete or has been changed. Log in and use the switch on your account page.")
	default:
		dp.serverError(w, r, err)
	}
}

func (dp *discussionPages) setNotifications(w http.ResponseWriter, r *http.Request) {
	v, f, ok := dp.userForm(w, r, "on")
	if !ok {
		return
	}
	if err := dp.comments.SetNotifications(r.Context(), v.User, f.Get("on") == "1"); err != nil {
		dp.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/account?done=notifications", http.StatusSeeOther)
}

func (dp *discussionPages) setCommentMode(w http.ResponseWriter, r *http.Request) {
	_, f, ok := dp.staffForm(w, r, account.SetCommentRules, "mode")
	if !ok {
		return
	}
	st, err := dp.visibleStory(r.Context(), r.PathValue("slug"))
	if err != nil {
		dp.fail(w, r, err)
		return
	}
	switch err := dp.comments.SetMode(r.Context(), st.ID, comment.Mode(f.Get("mode"))); {
	case errors.Is(err, comment.ErrBadMode):
		dp.badRequest(w, r, "Comments are for subscribers, for registered readers, or closed.")
		return
	case err != nil:
		dp.serverError(w, r, err)
		return
	}
	dp.purge(r, storyTag(st.ID))
	http.Redirect(w, r, st.Path()+"#comments", http.StatusSeeOther) // #nosec G710 -- a path on this site
}
