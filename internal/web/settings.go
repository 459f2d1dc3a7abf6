package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"dateline/internal/account"
	"dateline/internal/audit"
	"dateline/internal/clock"
	fielderr "dateline/internal/field"
	siteset "dateline/internal/site"
)

// settingsPages is the administrators' page of the paper's own settings,
// /admin/settings: its time zone and its logo.
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
}

func (sp *settingsPages) settingsPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := sp.requireCan(w, r, account.RunSite); !ok {
		return
	}
	set, err := sp.site.Settings(r.Context())
	if err != nil {
		sp.serverError(w, r, err)
		return
	}
	f := newForm()
	f.Values[siteset.FieldTimeZone] = set.TimeZone
	if set.LogoID > 0 {
		f.Values[siteset.FieldLogo] = strconv.FormatInt(set.LogoID, 10)
	}
	f.Notice = doneNotice(r).Text
	sp.renderSettings(w, r, http.StatusOK, f)
}

func (sp *settingsPages) saveSettings(w http.ResponseWriter, r *http.Request) {
	v, f, ok := sp.staffForm(w, r, account.RunSite, siteset.FieldTimeZone, siteset.FieldLogo)
	if !ok {
		return
	}
	old, err := sp.site.Settings(r.Context())
	if err != nil {
		sp.serverError(w, r, err)
		return
	}
	set := siteset.Settings{TimeZone: strings.TrimSpace(f.Get(siteset.FieldTimeZone))}
	if logo := strings.TrimSpace(f.Get(siteset.FieldLogo)); logo != "" {
		id, err := strconv.ParseInt(logo, 10, 64)
		if err != nil || id <= 0 {
			f.Fail(siteset.FieldLogo, "Give the number of an image of the library, or leave it empty for the default logo.")
		}
		set.LogoID = id
	}
	// Every field is checked, even when another is already wrong.
	var wrong fielderr.Errors
	if err := sp.site.Validate(r.Context(), set); errors.As(err, &wrong) {
		failFields(f, wrong)
	} else if err != nil {
		sp.serverError(w, r, err)
		return
	}
	if f.OK() {
		if err := sp.site.SaveSettings(r.Context(), set); errors.As(err, &wrong) {
			failFields(f, wrong)
		} else if err != nil {
			sp.serverError(w, r, err)
			return
		}
	}
	if !f.OK() {
		sp.renderSettings(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	if changes := settingsChanges(old, set); changes != "" && sp.audit != nil {
		if err := sp.audit.Record(r.Context(), account.ActorOf(v.User), audit.SettingsChanged, "site settings", changes); err != nil {
			sp.serverError(w, r, err)
			return
		}
	}
	// Every page shows times in the zone, and a logo: the purge that
	// follows a change made here drops every cached page, on every
	// instance.
	http.Redirect(w, r, "/admin/settings?done=1", http.StatusSeeOther)
}

func (sp *settingsPages) renderSettings(w http.ResponseWriter, r *http.Request, status int, f *form) {
	p := settingsPage{layoutData: sp.layout(r, "Site settings"), Form: f, Zones: siteset.Zones(),
		Default: sp.site.DefaultZone().String(), Logo: sp.logo(r.Context()).URL}
	p.Now = sp.now().In(sp.zone(r.Context())).Format(clock.TimeLayout)
	p.NoIndex = true
	sp.render(w, r, status, "settings", p)
}

// settingsChanges describes, for the audit log, what a save changed:
// "time zone: (none) → Europe/Lisbon".
func settingsChanges(before, after siteset.Settings) string {
	logo := func(id int64) string {
		if id == 0 {
			return ""
		}
		return "image " + strconv.FormatInt(id, 10)
	}
	return audit.Changes([]string{"time zone", "logo"},
		map[string]string{"time zone": before.TimeZone, "logo": logo(before.LogoID)},
		map[string]string{"time zone": strings.TrimSpace(after.TimeZone), "logo": logo(after.LogoID)})
}
