package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"dateline/internal/account"
	"dateline/internal/audit"
	"dateline/internal/billing"
	"dateline/internal/clock"
	"dateline/internal/comment"
	fielderr "dateline/internal/field"
	siteset "dateline/internal/site"
)

// settingsPages is the administrators' page of the paper's own settings,
// /admin/settings: its name, language, time zone, logo and Reply-To
// address, and, where they are kept by their own services, the meter's
// limit, the comments' defaults and the comment policy. Those are the
// same stored values the plans page, the moderation settings and the
// policy page read and write, so either page may change them.
type settingsPages struct {
	*Server
	site  *siteset.Service
	audit *audit.Log // nil records nothing
}

// settingsPage is the data of /admin/settings.
type settingsPage struct {
	layoutData
	Form *form
	// Zones are suggestions for the time zone field.
	Zones []string
	// Default is the time zone the site was started with (--time-zone).
	Default string
	// Now is the time now in the paper's zone, as readers see it.
	Now string
	// Logo is the address of the logo in use.
	Logo string
	// DefaultName and DefaultLanguage are what the site was built with.
	DefaultName, DefaultLanguage string
	// Paywall and Comments say whether those settings are on the page.
	Paywall, Comments bool
}

// The settings page's fields that other services keep.
const (
	fieldMeterLimit = billing.SettingMeterLimit
	fieldPolicy     = comment.FieldPolicy
)

// settingsFields are the fields of the settings form.
func settingsFields() []string {
	return []string{siteset.FieldName, siteset.FieldLanguage, siteset.FieldTimeZone, siteset.FieldLogo, siteset.FieldReplyTo,
		fieldMeterLimit, comment.FieldPremod, comment.FieldPremodFirst, comment.FieldCloseDays, fieldPolicy}
}

// allSettings are the settings the page shows, as read.
type allSettings struct {
	site     siteset.Settings
	paywall  billing.Settings
	comments comment.Settings
	policy   string
}

// read gathers the settings the page shows.
func (sp *settingsPages) read(ctx context.Context) (allSettings, error) {
	var all allSettings
	var err error
	if all.site, err = sp.site.Settings(ctx); err != nil {
		return all, err
	}
	if sp.billing != nil {
		if all.paywall, err = sp.billing.Settings(ctx); err != nil {
			return all, err
		}
	}
	if sp.comments != nil {
		if all.comments, err = sp.comments.Settings(ctx); err != nil {
			return all, err
		}
		if all.policy, err = sp.comments.Policy(ctx); err != nil {
			return all, err
		}
	}
	return all, nil
}

// fields are the settings as the form shows them, and as the audit log
// names them.
func (sp *settingsPages) fields(all allSettings) map[string]string {
	v := map[string]string{
		siteset.FieldName: all.site.Name, siteset.FieldLanguage: all.site.Language,
		siteset.FieldTimeZone: all.site.TimeZone, siteset.FieldReplyTo: all.site.ReplyTo, siteset.FieldLogo: "",
	}
	if all.site.LogoID > 0 {
		v[siteset.FieldLogo] = strconv.FormatInt(all.site.LogoID, 10)
	}
	if sp.billing != nil {
		v[fieldMeterLimit] = all.paywall.Fields()[billing.SettingMeterLimit]
	}
	if sp.comments != nil {
		cf := all.comments.Fields()
		for _, k := range []string{comment.FieldPremod, comment.FieldPremodFirst, comment.FieldCloseDays} {
			v[k] = cf[k]
		}
		v[fieldPolicy] = strings.TrimSpace(all.policy)
	}
	return v
}

func (sp *settingsPages) settingsPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := sp.requireCan(w, r, account.RunSite); !ok {
		return
	}
	all, err := sp.read(r.Context())
	if err != nil {
		sp.serverError(w, r, err)
		return
	}
	f := newForm()
	f.Values = sp.fields(all)
	f.Notice = doneNotice(r).Text
	sp.renderSettings(w, r, http.StatusOK, f)
}

func (sp *settingsPages) saveSettings(w http.ResponseWriter, r *http.Request) {
	v, f, ok := sp.staffForm(w, r, account.RunSite, settingsFields()...)
	if !ok {
		return
	}
	ctx := r.Context()
	old, err := sp.read(ctx)
	if err != nil {
		sp.serverError(w, r, err)
		return
	}
	// A field the post leaves out keeps its value, so a form of a few
	// of the settings changes only those.
	current := sp.fields(old)
	for _, k := range settingsFields() {
		if _, sent := r.PostForm[k]; !sent {
			f.Values[k] = current[k]
		}
	}
	next, err := sp.fromForm(ctx, f, old)
	if err != nil {
		sp.serverError(w, r, err)
		return
	}
	if f.OK() {
		if err := sp.save(ctx, f, old, next); err != nil {
			sp.serverError(w, r, err)
			return
		}
	}
	if !f.OK() {
		sp.renderSettings(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	// The log says what is stored now, as the services tidied it.
	saved, err := sp.read(ctx)
	if err != nil {
		sp.serverError(w, r, err)
		return
	}
	if changes := settingsChanges(sp.fields(old), sp.fields(saved)); changes != "" && sp.audit != nil {
		if err := sp.audit.Record(ctx, account.ActorOf(v.User), audit.SettingsChanged, "site settings", changes); err != nil {
			sp.serverError(w, r, err)
			return
		}
	}
	// Every page shows times in the zone, the paper's name and language,
	// and a logo: the purge that follows a change made here drops every
	// cached page, on every instance.
	http.Redirect(w, r, "/admin/settings?done=1", http.StatusSeeOther)
}

// fromForm reads the settings typed into f over old, marking on f every
// field that is wrong, each checked even when another is already wrong.
func (sp *settingsPages) fromForm(ctx context.Context, f *form, old allSettings) (allSettings, error) {
	next := old
	next.site = siteset.Settings{Name: f.Get(siteset.FieldName), Language: f.Get(siteset.FieldLanguage),
		TimeZone: f.Get(siteset.FieldTimeZone), ReplyTo: f.Get(siteset.FieldReplyTo)}
	if logo := f.Get(siteset.FieldLogo); logo != "" {
		id, err := strconv.ParseInt(logo, 10, 64)
		if err != nil || id <= 0 {
			f.Fail(siteset.FieldLogo, "Give the number of an image of the library, or leave it empty for the default logo.")
		}
		next.site.LogoID = id
	}
	var wrong fielderr.Errors
	if err := sp.site.Validate(ctx, next.site); errors.As(err, &wrong) {
		failFields(f, wrong)
	} else if err != nil {
		return next, err
	}
	if sp.billing != nil {
		typed := old.paywall.Fields()
		typed[billing.SettingMeterLimit] = f.Get(fieldMeterLimit)
		set, err := old.paywall.WithFields(typed)
		if errors.As(err, &wrong) {
			failFields(f, wrong)
		}
		next.paywall = set
	}
	if sp.comments != nil {
		typed := old.comments.Fields()
		for _, k := range []string{comment.FieldPremod, comment.FieldPremodFirst, comment.FieldCloseDays} {
			typed[k] = f.Get(k)
		}
		set, err := old.comments.WithFields(typed)
		if errors.As(err, &wrong) {
			failFields(f, wrong)
		}
		next.comments = set
		// Browsers send a textarea's lines ended by CR LF.
		next.policy = strings.ReplaceAll(f.Values[fieldPolicy], "\r\n", "\n")
		if err := comment.ValidatePolicy(next.policy); errors.As(err, &wrong) {
			failFields(f, wrong)
		}
	}
	return next, nil
}

// save stores what changed; a refusal is marked on f.
func (sp *settingsPages) save(ctx context.Context, f *form, old, next allSettings) error {
	var wrong fielderr.Errors
	check := func(err error) error {
		if errors.As(err, &wrong) {
			failFields(f, wrong)
			return nil
		}
		return err
	}
	if err := check(sp.site.SaveSettings(ctx, next.site)); err != nil {
		return err
	}
	if sp.billing != nil && next.paywall != old.paywall {
		if err := check(sp.billing.SaveSettings(ctx, next.paywall)); err != nil {
			return err
		}
	}
	if sp.comments != nil {
		of, nf := old.comments.Fields(), next.comments.Fields()
		if of[comment.FieldPremod] != nf[comment.FieldPremod] || of[comment.FieldPremodFirst] != nf[comment.FieldPremodFirst] ||
			of[comment.FieldCloseDays] != nf[comment.FieldCloseDays] {
			if err := check(sp.comments.SaveSettings(ctx, next.comments)); err != nil {
				return err
			}
		}
		if strings.TrimSpace(next.policy) != strings.TrimSpace(old.policy) {
			if err := check(sp.comments.SavePolicy(ctx, next.policy)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (sp *settingsPages) renderSettings(w http.ResponseWriter, r *http.Request, status int, f *form) {
	p := settingsPage{layoutData: sp.layout(r, "Site settings"), Form: f, Zones: siteset.Zones(),
		Default: sp.site.DefaultZone().String(), Logo: sp.logo(r.Context()).URL,
		DefaultName: sp.opts.SiteName, DefaultLanguage: sp.opts.Language,
		Paywall: sp.billing != nil, Comments: sp.comments != nil}
	p.Now = sp.now().In(sp.zone(r.Context())).Format(clock.TimeLayout)
	p.NoIndex = true
	sp.render(w, r, status, "settings", p)
}

// settingLabels are the names the audit log gives the settings.
var settingLabels = map[string]string{
	siteset.FieldName: "name", siteset.FieldLanguage: "language", siteset.FieldTimeZone: "time zone",
	siteset.FieldLogo: "logo", siteset.FieldReplyTo: "Reply-To", fieldMeterLimit: "meter limit",
	comment.FieldPremod: "pre-moderation", comment.FieldPremodFirst: "first comments reviewed",
	comment.FieldCloseDays: "days until comments close", fieldPolicy: "comment policy",
}

// settingsChanges describes, for the audit log, what a save changed:
// "time zone: (none) → Europe/Lisbon". The comment policy, a long text,
// is said to have changed, with its length before and after.
func settingsChanges(before, after map[string]string) string {
	var names []string
	b, a := map[string]string{}, map[string]string{}
	for _, k := range settingsFields() {
		label := settingLabels[k]
		names = append(names, label)
		b[label], a[label] = before[k], after[k]
		if k == fieldPolicy && before[k] != after[k] {
			b[label] = fmt.Sprintf("%d characters", len(before[k]))
			a[label] = fmt.Sprintf("%d characters, rewritten", len(after[k]))
		}
		if k == siteset.FieldLogo {
			if before[k] != "" {
				b[label] = "image " + before[k]
			}
			if after[k] != "" {
				a[label] = "image " + after[k]
			}
		}
	}
	return strings.TrimSpace(audit.Changes(names, b, a))
}

// paperNames are the paper's name and language as they stand.
type paperNames struct {
	Name, Language string
}

// paper is the paper's name and language: those an administrator set at
// /admin/settings, or those the site was built with. When the settings
// cannot be read it keeps to the latter: a page is better shown with the
// name it started with than not at all.
func (s *Server) paper(ctx context.Context) paperNames {
	p := paperNames{Name: s.opts.SiteName, Language: s.opts.Language}
	if s.opts.Site == nil {
		return p
	}
	set, err := s.opts.Site.Settings(ctx)
	if err != nil {
		s.log.WarnContext(ctx, "site: name and language", "err", err)
		return p
	}
	if set.Name != "" {
		p.Name = set.Name
	}
	if set.Language != "" {
		p.Language = set.Language
	}
	return p
}

// audited records in the audit log that v changed the settings named
// target, as details says, when details says anything and the site keeps
// a log. It reports false when it has answered with an error.
func (s *Server) audited(w http.ResponseWriter, r *http.Request, v *viewer, target, details string) bool {
	if details == "" || s.opts.Audit == nil {
		return true
	}
	if err := s.opts.Audit.Record(r.Context(), account.ActorOf(v.User), audit.SettingsChanged, target, details); err != nil {
		s.serverError(w, r, err)
		return false
	}
	return true
}
