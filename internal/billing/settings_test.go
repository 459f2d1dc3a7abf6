package billing

import (
	"dateline/internal/field"
	"errors"
	"testing"
	"time"
)

func TestSettingsValidate(t *testing.T) {
	ok := DefaultSettings()
	for _, tc := range []struct {
		name   string
		change func(*Settings)
		wrong  []string
	}{
		{"defaults", func(*Settings) {}, nil},
		{"hard paywall", func(s *Settings) { s.MeterLimit = 0 }, nil},
		{"largest", func(s *Settings) { s.MeterLimit, s.GiftLifetime = MaxSetting, MaxSetting*day }, nil},
		{"negative meter", func(s *Settings) { s.MeterLimit = -1 }, []string{SettingMeterLimit}},
		{"too many gifts", func(s *Settings) { s.GiftsPerMonth = MaxSetting + 1 }, []string{SettingGiftsPerMonth}},
		{"part of a day", func(s *Settings) { s.Grace = 36 * time.Hour }, []string{SettingGraceDays}},
		{"every field", func(s *Settings) { *s = Settings{-1, -1, -day, (MaxSetting + 1) * day} },
			[]string{SettingMeterLimit, SettingGiftsPerMonth, SettingGraceDays, SettingGiftDays}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := ok
			tc.change(&s)
			err := s.Validate()
			var se field.Errors
			if len(tc.wrong) == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.As(err, &se) || len(se) != len(tc.wrong) {
				t.Fatalf("err = %v; want %v wrong", err, tc.wrong)
			}
			for _, f := range tc.wrong {
				if se[f] == "" {
					t.Errorf("no message for %s in %v", f, se)
				}
			}
		})
	}
}
