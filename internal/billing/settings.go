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

// Validate checks settings an admin chose; it returns a field.Errors
// naming every setting that is wrong.
func (s Settings) Validate() error {
	wrong := field.Errors{}
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
	return wrong.Err()
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
