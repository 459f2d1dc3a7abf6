package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"dateline/internal/account"
	"dateline/internal/audit"
	"dateline/internal/billing"
	"dateline/internal/comment"
)

// peoplePages are the administrators' pages of staff and the audit log,
// /admin/people and /admin/audit, and the page where an invitation to
// the staff is accepted, /invite.
type peoplePages struct {
	*Server
	accounts *account.Service
	audit    *audit.Log
}

// peoplePage is the data of /admin/people.
type peoplePage struct {
	layoutData
	Staff   []account.StaffMember
	Invites []account.Invitation
	// Roles are the roles staff may have; Reader takes the rights away.
	Roles []account.Role
	// Invite is the invitation form; Role the role change form that
	// failed, with RoleFor the account it was for.
	Invite  *form
	Role    *form
	RoleFor int64
	// Lookup is the reader search, Reader what it found.
	Lookup *form
	Reader *readerStanding
	Me     int64
}

// readerStanding is what support may see of a reader: no secrets, no
// payment provider's ids.
type readerStanding struct {
	Email, Name   string
	Role          account.Role
	Verified      bool
	Joined        time.Time
	Subscription  *billing.Subscription
	State         billing.Status
	PlanName      string
	Comments      comment.Standing
	HasComments   bool
	HasBilling    bool
	SuspendedEver bool
}

// staffRoles are the roles an administrator may give.
func staffRoles() []account.Role {
	return []account.Role{account.Writer, account.Editor, account.Moderator, account.Admin}
}

func (pp *peoplePages) peoplePage(w http.ResponseWriter, r *http.Request) {
	v, ok := pp.requireCan(w, r, account.RunSite)
	if !ok {
		return
	}
	f := newForm()
	f.Notice = doneNotice(r).Text
	lookup := newForm()
	lookup.Values["reader"] = r.URL.Query().Get("reader")
	p := peoplePage{Invite: f, Role: newForm(), Lookup: lookup}
	status := http.StatusOK
	if q := lookup.Get("reader"); q != "" {
		rs, err := pp.lookUpReader(r, q)
		switch {
		case errors.Is(err, account.ErrNotFound):
			lookup.Fail("reader", "No account has that address.")
			status = http.StatusNotFound
		case err != nil:
			var fe *account.FieldError
			if !errors.As(err, &fe) {
				pp.serverError(w, r, err)
				return
			}
			lookup.Fail("reader", fe.Message)
			status = http.StatusUnprocessableEntity
		}
		p.Reader = rs
	}
	pp.renderPeople(w, r, v, status, p)
}

// lookUpReader finds a reader by address and gathers their standing.
func (pp *peoplePages) lookUpReader(r *http.Request, email string) (*readerStanding, error) {
	ctx := r.Context()
	email, err := account.CheckEmail(email)
	if err != nil {
		var fe *account.FieldError
		if errors.As(err, &fe) {
			fe.Field = "reader"
		}
		return nil, err
	}
	u, err := pp.accounts.UserByEmail(ctx, email)
	if err != nil {
		return nil, err
	}
	rs := &readerStanding{Email: u.Email, Name: u.DisplayName, Role: u.Role, Verified: u.Verified(), Joined: u.CreatedAt}
	if pp.billing != nil {
		rs.HasBilling = true
		if rs.Subscription, err = pp.billing.Subscription(ctx, u.ID); err != nil {
			return nil, err
		}
		if rs.Subscription != nil {
			set, err := pp.billing.Settings(ctx)
			if err != nil {
				return nil, err
			}
			rs.State = rs.Subscription.State(pp.now(), set.Grace)
			rs.PlanName = "complimentary"
			if rs.Subscription.Plan != nil {
				rs.PlanName = rs.Subscription.Plan.Name
			}
		}
	}
	if pp.comments != nil {
		rs.HasComments = true
		if rs.Comments, err = pp.comments.Standing(ctx, u.ID); err != nil {
			return nil, err
		}
	}
	return rs, nil
}

func (pp *peoplePages) renderPeople(w http.ResponseWriter, r *http.Request, v *viewer, status int, p peoplePage) {
	ctx := r.Context()
	var err error
	if p.Staff, err = pp.accounts.Staff(ctx, v.User); err != nil {
		pp.serverError(w, r, err)
		return
	}
	if p.Invites, err = pp.accounts.PendingInvitations(ctx, v.User); err != nil {
		pp.serverError(w, r, err)
		return
	}
	p.layoutData = pp.layout(r, "People")
	p.NoIndex = true
	p.Roles = staffRoles()
	p.Me = v.User.ID
	pp.render(w, r, status, "people", p)
}

// invite emails an invitation to join the staff.
func (pp *peoplePages) invite(w http.ResponseWriter, r *http.Request) {
	v, f, ok := pp.staffForm(w, r, account.RunSite, "email", "role")
	if !ok {
		return
	}
	_, err := pp.accounts.Invite(r.Context(), v.User, f.Get("email"), account.Role(f.Get("role")))
	if err == nil {
		http.Redirect(w, r, "/admin/people?done=invited", http.StatusSeeOther)
		return
	}
	if !pp.fieldErrors(f, err) {
		pp.serverError(w, r, err)
		return
	}
	pp.renderPeople(w, r, v, http.StatusUnprocessableEntity, peoplePage{Invite: f, Role: newForm(), Lookup: newForm()})
}

// setRole changes a member of staff's role, or with role=reader takes
// their staff rights away.
func (pp *peoplePages) setRole(w http.ResponseWriter, r *http.Request) {
	v, f, ok := pp.staffForm(w, r, account.RunSite, "role")
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		pp.notFound(w, r)
		return
	}
	_, err = pp.accounts.SetRole(r.Context(), v.User, id, account.Role(f.Get("role")))
	switch {
	case err == nil:
		done := "role"
		if f.Get("role") == string(account.Reader) {
			done = "removed"
		}
		http.Redirect(w, r, "/admin/people?done="+done, http.StatusSeeOther)
		return
	case errors.Is(err, account.ErrNotFound):
		pp.notFound(w, r)
		return
	case errors.Is(err, account.ErrLastAdmin):
		f.Fail("role", "This is the last administrator: make someone else an administrator first.")
	case !pp.fieldErrors(f, err):
		pp.serverError(w, r, err)
		return
	}
	pp.renderPeople(w, r, v, http.StatusConflict, peoplePage{Invite: newForm(), Role: f, RoleFor: id, Lookup: newForm()})
}

// fieldErrors puts the account's field errors on f and reports whether
// err was one.
func (pp *peoplePages) fieldErrors(f *form, err error) bool {
	var fes account.FieldErrors
	var fe *account.FieldError
	switch {
	case errors.As(err, &fes):
		for _, fe := range fes {
			f.Fail(fe.Field, fe.Message)
		}
		return true
	case errors.As(err, &fe):
		f.Fail(fe.Field, fe.Message)
		return true
	}
	return false
}

// auditPage is the data of /admin/audit.
type auditPage struct {
	layoutData
	Entries []audit.Entry
	Next    int64
	First   bool
}

func (pp *peoplePages) auditLog(w http.ResponseWriter, r *http.Request) {
	if _, ok := pp.requireCan(w, r, account.RunSite); !ok {
		return
	}
	var before int64
	if b := r.URL.Query().Get("before"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n <= 0 {
			pp.badRequest(w, r, "That page of the audit log does not exist.")
			return
		}
		before = n
	}
	page, err := pp.audit.Page(r.Context(), before)
	if err != nil {
		pp.serverError(w, r, err)
		return
	}
	p := auditPage{layoutData: pp.layout(r, "Audit log"), Entries: page.Entries, Next: page.Next, First: before == 0}
	p.NoIndex = true
	pp.render(w, r, http.StatusOK, "audit", p)
}

// invitePage is the data of /invite.
type invitePage struct {
	layoutData
	Form       *form
	Invitation *account.Invitation
	Token      string
	// Signed is set when the invitee is signed in with the invited
	// address, and accepts with a button; Other when someone else is
	// signed in; Exists when the address has an account to sign in with.
	Signed, Other, Exists bool
	LoginNext             string
}

func (pp *peoplePages) invitePage(w http.ResponseWriter, r *http.Request) {
	pp.showInvite(w, r, r.URL.Query().Get("token"), newForm(), http.StatusOK)
}

// showInvite shows the invitation token opens, or says it is not valid.
func (pp *peoplePages) showInvite(w http.ResponseWriter, r *http.Request, token string, f *form, status int) {
	// The token is in the address: it must not leave in a Referer.
	w.Header().Set("Referrer-Policy", "no-referrer")
	ctx := r.Context()
	inv, err := pp.accounts.Invitation(ctx, token)
	if errors.Is(err, account.ErrBadToken) {
		pp.errorPage(w, r, http.StatusNotFound, "This invitation cannot be used",
			"The link is wrong, was already used, or is more than 7 days old. Ask an administrator to invite you again.")
		return
	}
	if err != nil {
		pp.serverError(w, r, err)
		return
	}
	p := invitePage{layoutData: pp.layout(r, "Join the staff"), Form: f, Invitation: inv, Token: token,
		LoginNext: "/invite?token=" + token}
	p.NoIndex = true
	if u := viewerOf(r).User; u != nil {
		p.Signed, p.Other = u.Email == inv.Email, u.Email != inv.Email
	}
	if !p.Signed {
		if _, err := pp.accounts.UserByEmail(ctx, inv.Email); err == nil {
			p.Exists = true
		} else if !errors.Is(err, account.ErrNotFound) {
			pp.serverError(w, r, err)
			return
		}
	}
	pp.render(w, r, status, "invite", p)
}

// acceptInvite accepts an invitation: signed in with the invited
// address, at once; otherwise with a new account's name and password.
func (pp *peoplePages) acceptInvite(w http.ResponseWriter, r *http.Request) {
	f, ok := pp.readForm(w, r, "token", "name", "password")
	if !ok {
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	token := f.Get("token")
	ctx := r.Context()
	if u := viewerOf(r).User; u != nil {
		_, err := pp.accounts.AcceptAsUser(ctx, token, u)
		switch {
		case err == nil:
			http.Redirect(w, r, "/admin", http.StatusSeeOther)
		case errors.Is(err, account.ErrLastAdmin):
			f.Message = "You are the last administrator; make someone else an administrator before taking another role."
			pp.showInvite(w, r, token, f, http.StatusConflict)
		case errors.Is(err, account.ErrBadToken):
			// A link no longer valid is answered 404 by showInvite; a
			// valid one for another address says to sign in with it.
			pp.showInvite(w, r, token, f, http.StatusForbidden)
		default:
			pp.serverError(w, r, err)
		}
		return
	}
	tok, sess, err := pp.accounts.AcceptInvitation(ctx, token, f.Get("name"), f.Get("password"), pp.clientOf(r))
	if err == nil {
		pp.setSessionCookie(w, tok, sess)
		http.Redirect(w, r, "/admin", http.StatusSeeOther)
		return
	}
	switch {
	case errors.Is(err, account.ErrBadToken):
		// Used or expired: the page says so.
		pp.showInvite(w, r, token, f, http.StatusNotFound)
	case errors.Is(err, account.ErrEmailTaken):
		// The address has an account by now: the page asks its owner to
		// log in and accept.
		pp.showInvite(w, r, token, f, http.StatusConflict)
	case pp.fieldErrors(f, err):
		pp.showInvite(w, r, token, f, http.StatusUnprocessableEntity)
	default:
		if st, ok := pp.features.account.accountError(w, f, err); ok {
			pp.showInvite(w, r, token, f, st)
			return
		}
		pp.serverError(w, r, err)
	}
}
