package billing

import (
	"context"
	"dateline/internal/field"
	"fmt"
	"strconv"
	"time"
)

// The names of the paywall's settings: the keys they are stored under and
// the names field.Errors gives them. The admin form uses them for its
// fields.
const (
	SettingMeterLimit    = "meter_limit"
	SettingGiftsPerMonth = "gifts_per_month"
	SettingGraceDays     = "grace_days"
	SettingGiftDays      = "gift_days"
)

// MaxSetting is the largest number any paywall setting takes.
const MaxSetting = 1000

// day is the unit Grace and GiftLifetime are set in.
const day = 24 * time.Hour

// wholeNumber is what an admin is told of a setting that is wrong.
func wholeNumber() string { return fmt.Sprintf("Give a whole number from 0 to %d.", MaxSetting) }

// Validate checks settings an admin chose; it returns a field.Errors
// naming every setting that is wrong.
func (s Settings) Validate() error {
	wrong := field.Errors{}
	msg := wholeNumber()
	count := func(name string, n int) {
		if n < 0 || n > MaxSetting {
			wrong[name] = msg
		}
	}
	days := func(name string, d time.Duration) {
		if d < 0 || d > MaxSetting*day || d%day != 0 {
			wrong[name] = msg
		}
	}
	count(SettingMeterLimit, s.MeterLimit)
	count(SettingGiftsPerMonth, s.GiftsPerMonth)
	days(SettingGraceDays, s.Grace)
	days(SettingGiftDays, s.GiftLifetime)
	return wrong.Err()
}

// Fields are the settings as an admin sees and types them, by the names
// of their fields: whole numbers, the durations in days.
func (s Settings) Fields() map[string]string {
	return map[string]string{
		SettingMeterLimit:    strconv.Itoa(s.MeterLimit),
		SettingGiftsPerMonth: strconv.Itoa(s.GiftsPerMonth),
		SettingGraceDays:     strconv.Itoa(int(s.Grace / day)),
		SettingGiftDays:      strconv.Itoa(int(s.GiftLifetime / day)),
	}
}

// WithFields returns s with the settings an admin typed, named as Fields
// names them, and checks them as Validate does: a field.Errors names every
// setting that is not a whole number from 0 to MaxSetting. Settings with
// errors are not to be saved.
func (s Settings) WithFields(vals map[string]string) (Settings, error) {
	wrong := field.Errors{}
	num := func(name string) (int, bool) {
		n, err := strconv.Atoi(vals[name])
		if err != nil {
			wrong[name] = wholeNumber()
			return 0, false
		}
		return n, true
	}
	days := func(name string, into *time.Duration) {
		n, ok := num(name)
		switch {
		case !ok:
		case n < 0 || n > MaxSetting:
			// Checked before multiplying: a huge number of days would
			// wrap around into one that looks right.
			wrong[name] = wholeNumber()
		default:
			*into = time.Duration(n) * day
		}
	}
	if n, ok := num(SettingMeterLimit); ok {
		s.MeterLimit = n
	}
	if n, ok := num(SettingGiftsPerMonth); ok {
		s.GiftsPerMonth = n
	}
	days(SettingGraceDays, &s.Grace)
	days(SettingGiftDays, &s.GiftLifetime)
	wrong.Add(s.Validate())
	return s, wrong.Err()
}

// Settings are the paywall's rules in force: those the newsroom saved,
// and the defaults for the rest.
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	set := s.defaults
	vals, err := s.store.SettingValues(ctx, SettingMeterLimit, SettingGiftsPerMonth, SettingGraceDays, SettingGiftDays)
	if err != nil {
		return set, fmt.Errorf("billing: settings: %w", err)
	}
	num := func(key string, into *int) {
		if n, err := strconv.Atoi(vals[key]); err == nil && n >= 0 {
			*into = n
		}
	}
	days := func(key string, into *time.Duration) {
		if n, err := strconv.Atoi(vals[key]); err == nil && n >= 0 {
			*into = time.Duration(n) * day
		}
	}
	num(SettingMeterLimit, &set.MeterLimit)
	num(SettingGiftsPerMonth, &set.GiftsPerMonth)
	days(SettingGraceDays, &set.Grace)
	days(SettingGiftDays, &set.GiftLifetime)
	return set, nil
}

// SaveSettings checks and stores the paywall's rules; wrong ones are
// refused with a field.Errors and nothing is saved.
func (s *Service) SaveSettings(ctx context.Context, set Settings) error {
	if err := set.Validate(); err != nil {
		return err
	}
	err := s.store.SaveSettingValues(ctx, map[string]string{
		SettingMeterLimit:    strconv.Itoa(set.MeterLimit),
		SettingGiftsPerMonth: strconv.Itoa(set.GiftsPerMonth),
		SettingGraceDays:     strconv.Itoa(int(set.Grace / day)),
		SettingGiftDays:      strconv.Itoa(int(set.GiftLifetime / day)),
	})
	if err != nil {
		return fmt.Errorf("billing: save settings: %w", err)
	}
	return nil
}
