package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"dateline/internal/account"
	"dateline/internal/billing"
	"dateline/internal/password"
)

// accountPages are sign-up, log-in, password reset and the reader's own
// account page, with its API tokens when the API is open.
type accountPages struct {
	*Server
	accounts *account.Service
	apiOpen  bool // the newsroom's API is open, so staff may make tokens
}

// formPage is the data of a page built around one form.
type formPage struct {
	layoutData
	Form *form
	Next string
	// Sent marks the forgot-password page after a request: the neutral
	// message and the code form.
	Sent bool
}

func (s *Server) formPage(r *http.Request, title string, f *form) formPage {
	if f == nil {
		f = newForm()
	}
	p := formPage{layoutData: s.layout(r, title), Form: f}
	p.NoIndex = true
	return p
}

// accountError turns what the account service said into the form's words
// and the status to answer with. It reports false for errors that are not
// the reader's doing; the caller answers those with a 500 page.
func (ap *accountPages) accountError(w http.ResponseWriter, f *form, err error) (int, bool) {
	var fes account.FieldErrors
	var fe *account.FieldError
	var te *account.ThrottledError
	switch {
	case errors.As(err, &fes):
		for _, fe := range fes {
			f.Fail(fe.Field, fe.Message)
		}
		return http.StatusUnprocessableEntity, true
	case errors.As(err, &fe):
		f.Fail(fe.Field, fe.Message)
		return http.StatusUnprocessableEntity, true
	case errors.As(err, &te):
		w.Header().Set("Retry-After", strconv.Itoa(int(te.RetryAfter.Seconds())+1))
		f.Message = "Too many attempts. Please wait " + waitWords(te.RetryAfter) + " and try again."
		return http.StatusTooManyRequests, true
	case errors.Is(err, password.ErrBusy):
		w.Header().Set("Retry-After", "30")
		f.Message = "We are very busy right now. Please try again in a minute."
		return http.StatusServiceUnavailable, true
	}
	return 0, false
}

// waitWords says a wait in words: "a minute", "5 minutes", "an hour".
func waitWords(d time.Duration) string {
	switch m := int(d.Round(time.Minute) / time.Minute); {
	case m <= 1:
		return "a minute"
	case m < 60:
		return strconv.Itoa(m) + " minutes"
	case m < 120:
		return "an hour"
	default:
		return strconv.Itoa(m/60) + " hours"
	}
}

func (ap *accountPages) signupForm(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"), "")
	if viewerOf(r).User != nil {
		http.Redirect(w, r, safeNext(next, "/account"), http.StatusSeeOther) // #nosec G710 -- safeNext keeps next on this site
		return
	}
	p := ap.formPage(r, "Create your account", nil)
	p.Next = next
	ap.render(w, r, http.StatusOK, "signup", p)
}

func (ap *accountPages) signup(w http.ResponseWriter, r *http.Request) {
	f, ok := ap.readForm(w, r, "email", "name", "password", "next")
	if !ok {
		return
	}
	// The emailed link carries next: confirming the address leads there.
	next := safeNext(f.Get("next"), "")
	_, err := ap.accounts.Register(r.Context(), account.SignUp{
		Email: f.Get("email"), Name: f.Get("name"), Password: f.Get("password"), Next: next,
	}, ap.clientOf(r))
	if err != nil {
		status, ok := ap.accountError(w, f, err)
		if !ok {
			ap.serverError(w, r, err)
			return
		}
		var te *account.ThrottledError
		if errors.As(err, &te) {
			f.Message = "Too many accounts have been created from your network in the last hour. " +
				"Please wait " + waitWords(te.RetryAfter) + " and try again."
		}
		p := ap.formPage(r, "Create your account", f)
		p.Next = next
		ap.render(w, r, status, "signup", p)
		return
	}
	// The same answer, headers and all, whether or not the address already
	// had an account: no session starts here, the emailed link starts it.
	http.Redirect(w, r, "/signup/welcome", http.StatusSeeOther)
}

func (ap *accountPages) signupWelcome(w http.ResponseWriter, r *http.Request) {
	ap.message(w, r, http.StatusOK, "Check your email",
		"We have sent a link to the address you gave. Open it to confirm your address and sign in. "+
			"If you already had an account with that address, the email tells you how to get back in.")
}

// message shows a page with a heading and a paragraph.
func (s *Server) message(w http.ResponseWriter, r *http.Request, status int, heading, text string) {
	data := errorPage{Heading: heading, Message: text}
	data.layoutData = s.layout(r, heading)
	data.NoIndex = true
	s.render(w, r, status, "message", data)
}

func (ap *accountPages) loginForm(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"), "")
	if u := viewerOf(r).User; u != nil {
		http.Redirect(w, r, landing(next, u), http.StatusSeeOther) // #nosec G710 -- safeNext keeps next on this site
		return
	}
	p := ap.formPage(r, "Log in", nil)
	p.Next = next
	if r.URL.Query().Get("reset") == "1" {
		p.Form.Notice = "Your password has been changed. Log in with your new password."
	}
	ap.render(w, r, http.StatusOK, "login", p)
}

func (ap *accountPages) login(w http.ResponseWriter, r *http.Request) {
	f, ok := ap.readForm(w, r, "email", "password", "remember", "next")
	if !ok {
		return
	}
	next := safeNext(f.Get("next"), "")
	if f.Get("email") == "" {
		f.Fail("email", "Enter your email address.")
	}
	if f.Get("password") == "" {
		f.Fail("password", "Enter your password.")
	}
	status := http.StatusUnprocessableEntity
	if f.OK() {
		old := ""
		if c, err := r.Cookie(sessionCookie); err == nil {
			old = c.Value
		}
		token, sess, err := ap.accounts.LogIn(r.Context(), f.Get("email"), f.Get("password"), f.Get("remember") != "", ap.clientOf(r), old)
		if err == nil {
			ap.setSessionCookie(w, token, sess)
			dest := next
			if dest == "" {
				dest = "/"
				// Staff land in the newsroom.
				if u, err := ap.accounts.UserByEmail(r.Context(), f.Get("email")); err == nil {
					dest = landing("", u)
				}
			}
			http.Redirect(w, r, dest, http.StatusSeeOther) // #nosec G710 -- safeNext keeps next on this site
			return
		}
		if errors.Is(err, account.ErrBadCredentials) {
			f.Message = "That email and password do not match an account. Check both, or reset your password."
			status = http.StatusUnauthorized
		} else if st, ok := ap.accountError(w, f, err); ok {
			status = st
		} else {
			ap.serverError(w, r, err)
			return
		}
	}
	p := ap.formPage(r, "Log in", f)
	p.Next = next
	ap.render(w, r, status, "login", p)
}

// landing is where u goes after logging in: next, a path on this site,
// when there is one; otherwise the newsroom for staff and the front page
// for readers.
func landing(next string, u *account.User) string {
	switch {
	case next != "":
		return next
	case u.Can(account.ViewDashboard):
		return "/admin"
	}
	return "/"
}

func (ap *accountPages) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := ap.accounts.LogOut(r.Context(), c.Value); err != nil {
			ap.serverError(w, r, err)
			return
		}
	}
	ap.clearSessionCookie(w)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (ap *accountPages) forgotForm(w http.ResponseWriter, r *http.Request) {
	f := newForm()
	f.Values["email"] = r.URL.Query().Get("email")
	ap.render(w, r, http.StatusOK, "forgot", ap.formPage(r, "Reset your password", f))
}

func (ap *accountPages) forgot(w http.ResponseWriter, r *http.Request) {
	f, ok := ap.readForm(w, r, "email")
	if !ok {
		return
	}
	err := ap.accounts.RequestReset(r.Context(), f.Get("email"), ap.clientOf(r))
	if err != nil {
		status, ok := ap.accountError(w, f, err)
		if !ok {
			ap.serverError(w, r, err)
			return
		}
		ap.render(w, r, status, "forgot", ap.formPage(r, "Reset your password", f))
		return
	}
	p := ap.formPage(r, "Check your email", f)
	p.Sent = true
	ap.render(w, r, http.StatusOK, "forgot", p)
}

func (ap *accountPages) resetForm(w http.ResponseWriter, r *http.Request) {
	f := newForm()
	q := r.URL.Query()
	f.Values["email"], f.Values["code"] = q.Get("email"), q.Get("code")
	ap.render(w, r, http.StatusOK, "reset", ap.formPage(r, "Choose a new password", f))
}

func (ap *accountPages) reset(w http.ResponseWriter, r *http.Request) {
	f, ok := ap.readForm(w, r, "email", "code", "password")
	if !ok {
		return
	}
	err := ap.accounts.ResetPassword(r.Context(), account.Reset{
		Email: f.Get("email"), Code: f.Get("code"), Password: f.Get("password"),
	}, ap.clientOf(r))
	if err == nil {
		// Every session of the account has ended, this one included.
		ap.clearSessionCookie(w)
		http.Redirect(w, r, "/login?reset=1", http.StatusSeeOther)
		return
	}
	status := http.StatusUnprocessableEntity
	if errors.Is(err, account.ErrBadCode) {
		f.Fail("code", "That code is not right, or it has expired. Check the latest email we sent, or ask for a new code.")
	} else if st, ok := ap.accountError(w, f, err); ok {
		status = st
	} else {
		ap.serverError(w, r, err)
		return
	}
	ap.render(w, r, status, "reset", ap.formPage(r, "Choose a new password", f))
}

// accountPage is the data of /account.
type accountPage struct {
	formPage
	User           *account.User
	Sessions       []account.Session
	CurrentSession int64
	// Forms for each section; errors show beside the right fields.
	NameForm, EmailForm, PasswordForm, DeleteForm *form

	// Billing is true when the site sells subscriptions.
	Billing               bool
	Sub                   *billing.Subscription
	SubState              billing.Status
	GraceEnds             time.Time
	MeterLeft, MeterLimit int
	Gifts                 []billing.Gift
	GiftsLeft             int

	// Discussions is true when the site has comments.
	Discussions   bool
	NotifyReplies bool

	// API tokens, for staff.
	ShowTokens bool
	Tokens     []account.APIToken
	NewToken   string
	TokenForm  *form
}

func (ap *accountPages) accountPage(w http.ResponseWriter, r *http.Request) {
	v, ok := ap.requireUser(w, r)
	if !ok {
		return
	}
	ap.renderAccount(w, r, v, http.StatusOK, func(p *accountPage) {
		n := doneNotice(r)
		if n.Text == "" {
			return
		}
		if r.URL.Query().Get("done") == "new-token" {
			if p.NewToken = ap.takeFlash(w, r, v); p.NewToken != "" {
				return
			}
		}
		forms := map[string]*form{"": p.Form, "name": p.NameForm, "email": p.EmailForm, "password": p.PasswordForm, "tokens": p.TokenForm}
		forms[n.Form].Notice = strings.ReplaceAll(n.Text, "{email}", v.User.Email)
	})
}

func (ap *accountPages) renderAccount(w http.ResponseWriter, r *http.Request, v *viewer, status int, edit func(*accountPage)) {
	sessions, err := ap.accounts.Sessions(r.Context(), v.User.ID)
	if err != nil {
		ap.serverError(w, r, err)
		return
	}
	p := accountPage{formPage: ap.formPage(r, "Your account", nil), User: v.User, Sessions: sessions, CurrentSession: v.Session.ID,
		NameForm: newForm(), EmailForm: newForm(), PasswordForm: newForm(), DeleteForm: newForm()}
	p.NameForm.Values["name"] = v.User.DisplayName
	p.CurrentSession = v.Session.ID
	p.TokenForm = newForm()
	if ap.newsroomSvc != nil && v.User.Staff() {
		tokens, err := ap.accounts.APITokens(r.Context(), v.User.ID)
		if err != nil {
			ap.serverError(w, r, err)
			return
		}
		p.ShowTokens, p.Tokens = true, tokens
	}
	if ap.comments != nil {
		on, err := ap.comments.Notifications(r.Context(), v.User)
		if err != nil {
			ap.serverError(w, r, err)
			return
		}
		p.Discussions, p.NotifyReplies = true, on
	}
	if ap.billing != nil {
		if err := ap.fillBilling(r, v, &p); err != nil {
			ap.serverError(w, r, err)
			return
		}
	}
	if edit != nil {
		edit(&p)
	}
	ap.render(w, r, status, "account", p)
}

// fillBilling adds the reader's subscription, meter and gifts to the
// account page.
func (ap *accountPages) fillBilling(r *http.Request, v *viewer, p *accountPage) error {
	ctx := r.Context()
	sub, err := ap.billing.Subscription(ctx, v.User.ID)
	if err != nil {
		return err
	}
	set, err := ap.billing.Settings(ctx)
	if err != nil {
		return err
	}
	p.Billing, p.Sub = true, sub
	if sub != nil {
		p.SubState = sub.State(ap.now(), set.Grace)
		p.GraceEnds = sub.GraceEnds(set.Grace)
	}
	if p.MeterLeft, p.MeterLimit, err = ap.billing.MeterLeft(ctx, v.User.ID); err != nil {
		return err
	}
	if p.Gifts, err = ap.billing.Gifts(ctx, v.User.ID); err != nil {
		return err
	}
	p.GiftsLeft, err = ap.billing.GiftsLeft(ctx, v.User.ID)
	return err
}

// The account page's small forms, each one change (see accountAction).

func (ap *accountPages) rename(w http.ResponseWriter, r *http.Request) {
	ap.accountAction([]string{"name"}, func(p *accountPage) **form { return &p.NameForm }, "name",
		func(r *http.Request, v *viewer, f *form) error {
			return ap.accounts.Rename(r.Context(), v.User, f.Get("name"))
		})(w, r)
}

func (ap *accountPages) changeEmail(w http.ResponseWriter, r *http.Request) {
	ap.accountAction([]string{"email", "current_password"}, func(p *accountPage) **form { return &p.EmailForm }, "email",
		func(r *http.Request, v *viewer, f *form) error {
			return ap.accounts.RequestEmailChange(r.Context(), v.User, f.Get("email"), f.Get("current_password"))
		})(w, r)
}

func (ap *accountPages) changePassword(w http.ResponseWriter, r *http.Request) {
	ap.accountAction([]string{"current_password", "new_password"}, func(p *accountPage) **form { return &p.PasswordForm }, "password",
		func(r *http.Request, v *viewer, f *form) error {
			return ap.accounts.ChangePassword(r.Context(), v.User, v.Session, f.Get("current_password"), f.Get("new_password"))
		})(w, r)
}

func (ap *accountPages) signOutOthers(w http.ResponseWriter, r *http.Request) {
	ap.accountAction(nil, func(p *accountPage) **form { return &p.Form }, "sessions",
		func(r *http.Request, v *viewer, f *form) error {
			return ap.accounts.SignOutOthers(r.Context(), v.User.ID, v.Session.ID)
		})(w, r)
}

func (ap *accountPages) resendVerification(w http.ResponseWriter, r *http.Request) {
	ap.accountAction([]string{"next"}, func(p *accountPage) **form { return &p.Form }, "verify",
		func(r *http.Request, v *viewer, f *form) error {
			// From the paywall: the new link leads back to the story.
			return ap.accounts.ResendVerificationTo(r.Context(), v.User, safeNext(f.Get("next"), ""))
		})(w, r)
}

// accountAction runs a change posted from the account page and shows the
// page again with the error beside the field, or redirects with a notice.
func (ap *accountPages) accountAction(fields []string, which func(*accountPage) **form, done string,
	act func(r *http.Request, v *viewer, f *form) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, f, ok := ap.userForm(w, r, fields...)
		if !ok {
			return
		}
		if err := act(r, v, f); err != nil {
			status, ok := ap.accountError(w, f, err)
			if !ok {
				ap.serverError(w, r, err)
				return
			}
			ap.renderAccount(w, r, v, status, func(p *accountPage) { *which(p) = f })
			return
		}
		http.Redirect(w, r, "/account?done="+done, http.StatusSeeOther)
	}
}

func (ap *accountPages) deleteAccount(w http.ResponseWriter, r *http.Request) {
	v, f, ok := ap.userForm(w, r, "current_password")
	if !ok {
		return
	}
	if err := ap.accounts.Delete(r.Context(), v.User, f.Get("current_password")); err != nil {
		status, ok := ap.accountError(w, f, err)
		if !ok {
			ap.serverError(w, r, err)
			return
		}
		ap.renderAccount(w, r, v, status, func(p *accountPage) { p.DeleteForm = f })
		return
	}
	ap.clearSessionCookie(w)
	ap.message(w, r, http.StatusOK, "Your account has been deleted",
		"Your account and everything we kept about it are gone. Thank you for reading.")
}

// confirmPage is the data of the page an emailed link opens.
type confirmPage struct {
	layoutData
	Token string
	// Next is where the reader goes once confirmed: the page they were
	// on their way to when they signed up.
	Next string
}

// verifyEmail shows the page an emailed link opens: a button that
// confirms. Opening the link changes nothing, because mail scanners open
// links too; the reader's press of the button does.
func (ap *accountPages) verifyEmail(w http.ResponseWriter, r *http.Request) {
	p := confirmPage{layoutData: ap.layout(r, "Confirm your email address"), Token: r.URL.Query().Get("token"),
		Next: safeNext(r.URL.Query().Get("next"), "")}
	p.NoIndex = true
	// The address carries the link's secret: keep it out of caches and
	// out of the Referer of anything this page leads to.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	ap.render(w, r, http.StatusOK, "confirm", p)
}

// confirmEmail spends an emailed link and signs its account in on this
// browser.
func (ap *accountPages) confirmEmail(w http.ResponseWriter, r *http.Request) {
	f, ok := ap.readForm(w, r, "token", "next")
	if !ok {
		return
	}
	old := ""
	if c, err := r.Cookie(sessionCookie); err == nil {
		old = c.Value
	}
	c, err := ap.accounts.ConfirmAndSignIn(r.Context(), f.Get("token"), ap.clientOf(r), old)
	switch {
	case err == nil:
		ap.setSessionCookie(w, c.Token, c.Session)
		if c.Link.Purpose == account.ChangeEmail {
			http.Redirect(w, r, "/account?done=changed", http.StatusSeeOther)
			return
		}
		// Back to where the reader was going when they signed up.
		http.Redirect(w, r, safeNext(f.Get("next"), "/account?done=confirmed"), http.StatusSeeOther) // #nosec G710 -- safeNext keeps next on this site
	case errors.Is(err, account.ErrBadToken), errors.Is(err, account.ErrEmailTaken):
		ap.message(w, r, http.StatusBadRequest, "That link does not work",
			"The link is wrong, has been used already, or has expired. Log in and ask for a new one from your account page.")
	default:
		ap.serverError(w, r, err)
	}
}

func (ap *accountPages) exportData(w http.ResponseWriter, r *http.Request) {
	v, ok := ap.requireUser(w, r)
	if !ok {
		return
	}
	data, err := ap.accounts.ExportData(r.Context(), v.User)
	if err != nil {
		ap.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="dateline-account.json"`)
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(data); err != nil {
		ap.log.Warn("account data download cut short", "err", err)
	}
}
