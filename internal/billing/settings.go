package billing

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The names of the paywall's settings: the keys they are stored under and
// the names a SettingsError gives them. The admin form uses them for its
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

// SettingsError says, setting by setting, why settings were refused.
type SettingsError struct {
	// Fields maps the name of each wrong setting to what is wrong with it.
	Fields map[string]string
}

func (e *SettingsError) Error() string {
	names := make([]string, 0, len(e.Fields))
	for n := range e.Fields {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + ": " + e.Fields[n]
	}
	return "billing: settings: " + strings.Join(parts, "; ")
}

// Validate checks settings an admin chose; it returns a *SettingsError
// naming every setting that is wrong.
func (s Settings) Validate() error {
	wrong := map[string]string{}
	msg := fmt.Sprintf("Give a whole number from 0 to %d.", MaxSetting)
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
	if len(wrong) > 0 {
		return &SettingsError{Fields: wrong}
	}
	return nil
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
// refused with a *SettingsError and nothing is saved.
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
