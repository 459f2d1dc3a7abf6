package billing

import (
	"dateline/internal/field"
	"errors"
	"strconv"
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

func TestSettingsWithFields(t *testing.T) {
	msg := "Give a whole number from 0 to 1000."
	typed := map[string]string{SettingMeterLimit: "5", SettingGiftsPerMonth: "0", SettingGraceDays: "3", SettingGiftDays: "1000"}
	for _, tc := range []struct {
		name   string
		change map[string]string
		want   Settings // when nothing is wrong
		wrong  []string
	}{
		{name: "as typed", want: Settings{MeterLimit: 5, GiftsPerMonth: 0, Grace: 3 * day, GiftLifetime: 1000 * day}},
		{name: "not numbers", change: map[string]string{SettingMeterLimit: "three", SettingGraceDays: "1.5"},
			wrong: []string{SettingMeterLimit, SettingGraceDays}},
		{name: "left empty", change: map[string]string{SettingGiftsPerMonth: ""}, wrong: []string{SettingGiftsPerMonth}},
		{name: "out of bounds", change: map[string]string{SettingMeterLimit: "-1", SettingGiftsPerMonth: "1001",
			SettingGraceDays: "-2", SettingGiftDays: "1001"},
			wrong: []string{SettingMeterLimit, SettingGiftsPerMonth, SettingGraceDays, SettingGiftDays}},
		// 2^48+1 days is one day once multiplied out in nanoseconds.
		{name: "days that wrap around", change: map[string]string{SettingGiftDays: "281474976710657"}, wrong: []string{SettingGiftDays}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vals := map[string]string{}
			for k, v := range typed {
				vals[k] = v
			}
			for k, v := range tc.change {
				vals[k] = v
			}
			got, err := DefaultSettings().WithFields(vals)
			if len(tc.wrong) == 0 {
				if err != nil || got != tc.want {
					t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
				}
				return
			}
			var se field.Errors
			if !errors.As(err, &se) || len(se) != len(tc.wrong) {
				t.Fatalf("err = %v; want %v wrong", err, tc.wrong)
			}
			for _, f := range tc.wrong {
				if se[f] != msg {
					t.Errorf("%s: %q, want %q", f, se[f], msg)
				}
			}
		})
	}
}

func TestSettingsFieldsReadBack(t *testing.T) {
	for _, set := range []Settings{DefaultSettings(), {MeterLimit: 0, GiftsPerMonth: 1000, Grace: 0, GiftLifetime: 1000 * day}} {
		fields := set.Fields()
		if fields[SettingGraceDays] != strconv.Itoa(int(set.Grace/day)) || fields[SettingMeterLimit] != strconv.Itoa(set.MeterLimit) {
			t.Errorf("fields of %+v: %v", set, fields)
		}
		if got, err := (Settings{}).WithFields(fields); err != nil || got != set {
			t.Errorf("%+v read back as %+v, %v", set, got, err)
		}
	}
}

func TestParsePrice(t *testing.T) {
	for text, want := range map[string]int64{"9": 900, "9.5": 950, "9.50": 950, "9,50": 950, " 12 ": 1200, "0": 0,
		"10000000": 1_000_000_000} {
		if got, ok := ParsePrice(text); !ok || got != want {
			t.Errorf("ParsePrice(%q) = %d, %v; want %d", text, got, ok, want)
		}
	}
	for _, text := range []string{"", "abc", "-1", "-0.01", "10000000.01", "NaN", "Inf", "9 EUR", "1e400"} {
		if got, ok := ParsePrice(text); ok {
			t.Errorf("ParsePrice(%q) = %d, want refused", text, got)
		}
	}
}
