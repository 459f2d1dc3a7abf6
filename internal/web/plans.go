package web

import (
	fielderr "dateline/internal/field"
	"errors"
	"maps"
	"net/http"
	"strconv"
	"strings"

	"dateline/internal/account"
	"dateline/internal/audit"
	"dateline/internal/billing"
)

// plansPage is the data of /admin/plans.
type plansPage struct {
	layoutData
	Plans        []billing.Plan
	PlanForm     *form
	SettingsForm *form
}

func (sp *subscriptionPages) adminPlans(w http.ResponseWriter, r *http.Request) {
	if _, ok := sp.requireCan(w, r, account.RunSite); !ok {
		return
	}
	sp.renderPlans(w, r, http.StatusOK, nil, nil)
}

func (sp *subscriptionPages) renderPlans(w http.ResponseWriter, r *http.Request, status int, planForm, settingsForm *form) {
	plans, err := sp.billing.AllPlans(r.Context())
	if err != nil {
		sp.serverError(w, r, err)
		return
	}
	if planForm == nil {
		planForm = newForm()
		planForm.Values["currency"], planForm.Values["period"] = "EUR", "month"
	}
	if settingsForm == nil {
		set, err := sp.billing.Settings(r.Context())
		if err != nil {
			sp.serverError(w, r, err)
			return
		}
		settingsForm = newForm()
		maps.Copy(settingsForm.Values, set.Fields())
		settingsForm.Notice = doneNotice(r).Text
	}
	p := plansPage{layoutData: sp.layout(r, "Plans and paywall"), Plans: plans, PlanForm: planForm, SettingsForm: settingsForm}
	p.NoIndex = true
	sp.render(w, r, status, "plans", p)
}

func (sp *subscriptionPages) createPlan(w http.ResponseWriter, r *http.Request) {
	_, f, ok := sp.staffForm(w, r, account.RunSite, "name", "description", "price", "currency", "period", "trial_days", "stripe_price_id")
	if !ok {
		return
	}
	p := &billing.Plan{Name: f.Get("name"), Description: f.Get("description"), Currency: strings.ToUpper(f.Get("currency")),
		Period: billing.Period(f.Get("period")), StripePriceID: f.Get("stripe_price_id"), Active: true}
	price, ok := billing.ParsePrice(f.Get("price"))
	if !ok {
		f.Fail("price", "Give the price as a number, such as 9.00.")
	}
	p.PriceMinor = price
	if v := f.Get("trial_days"); v != "" {
		var err error
		if p.TrialDays, err = strconv.Atoi(v); err != nil {
			f.Fail("trial_days", "Give the trial as a whole number of days.")
		}
	}
	if f.OK() {
		var pe *billing.PlanError
		if err := sp.billing.CreatePlan(r.Context(), p); errors.As(err, &pe) {
			f.Fail(pe.Field, pe.Message)
		} else if err != nil {
			sp.serverError(w, r, err)
			return
		}
	}
	if !f.OK() {
		sp.renderPlans(w, r, http.StatusUnprocessableEntity, f, nil)
		return
	}
	http.Redirect(w, r, "/admin/plans", http.StatusSeeOther)
}

func (sp *subscriptionPages) setPlanActive(active bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, ok := sp.requireCan(w, r, account.RunSite); !ok {
			return
		}
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			sp.notFound(w, r)
			return
		}
		if err := sp.billing.SetPlanActive(r.Context(), id, active); err != nil {
			sp.serverError(w, r, err)
			return
		}
		http.Redirect(w, r, "/admin/plans", http.StatusSeeOther)
	}
}

func (sp *subscriptionPages) saveSettings(w http.ResponseWriter, r *http.Request) {
	v, f, ok := sp.staffForm(w, r, account.RunSite, billing.SettingMeterLimit, billing.SettingGiftsPerMonth, billing.SettingGraceDays, billing.SettingGiftDays)
	if !ok {
		return
	}
	old, err := sp.billing.Settings(r.Context())
	if err != nil {
		sp.serverError(w, r, err)
		return
	}
	set, err := billing.Settings{}.WithFields(f.Values)
	var se fielderr.Errors
	if errors.As(err, &se) {
		failFields(f, se)
	}
	if f.OK() {
		if err := sp.billing.SaveSettings(r.Context(), set); errors.As(err, &se) {
			failFields(f, se)
		} else if err != nil {
			sp.serverError(w, r, err)
			return
		}
	}
	if !f.OK() {
		sp.renderPlans(w, r, http.StatusUnprocessableEntity, nil, f)
		return
	}
	names := []string{billing.SettingMeterLimit, billing.SettingGiftsPerMonth, billing.SettingGraceDays, billing.SettingGiftDays}
	if !sp.audited(w, r, v, "paywall settings", audit.Changes(names, old.Fields(), set.Fields())) {
		return
	}
	http.Redirect(w, r, "/admin/plans?done=settings", http.StatusSeeOther)
}

// failFields puts a domain's field-by-field complaints beside the form's
// fields, keeping the first one for a field that has several.
func failFields(f *form, wrong fielderr.Errors) {
	for name, msg := range wrong {
		if _, ok := f.Errors[name]; !ok {
			f.Fail(name, msg)
		}
	}
}
