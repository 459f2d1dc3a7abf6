package comment

import (
	"dateline/internal/field"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestSettingsValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Settings)
		wrong  []string
	}{
		{"defaults", func(*Settings) {}, nil},
		{"all held", func(s *Settings) { s.Premod, s.BannedWords = PremodAll, []string{"scam", "free money"} }, nil},
		{"never close", func(s *Settings) { s.CloseAfter = 0 }, nil},
		{"unknown premod", func(s *Settings) { s.Premod = "some" }, []string{FieldPremod}},
		{"negative first", func(s *Settings) { s.PremodFirstN = -1 }, []string{FieldPremodFirst}},
		{"close too late", func(s *Settings) { s.CloseAfter = (MaxSettingNumber + 1) * day }, []string{FieldCloseDays}},
		{"close part of a day", func(s *Settings) { s.CloseAfter = day / 2 }, []string{FieldCloseDays}},
		{"long word", func(s *Settings) { s.BannedWords = []string{strings.Repeat("é", MaxBannedWord+1)} }, []string{FieldBannedWords}},
		{"long list", func(s *Settings) { s.BannedWords = slices.Repeat([]string{"spam"}, MaxBannedText/4) }, []string{FieldBannedWords}},
		{"every field", func(s *Settings) { s.Premod, s.PremodFirstN, s.CloseAfter = "", 400, -day },
			[]string{FieldPremod, FieldPremodFirst, FieldCloseDays}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := DefaultSettings()
			tc.change(&s)
			err := s.Validate()
			if len(tc.wrong) == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var se field.Errors
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

func TestTidyWords(t *testing.T) {
	got := TidyWords([]string{"scam\r\n  free   money \n\nSCAM\nswindle"})
	if want := []string{"scam", "free money", "swindle"}; !slices.Equal(got, want) {
		t.Errorf("TidyWords = %q, want %q", got, want)
	}
}

func TestValidatePolicy(t *testing.T) {
	for _, tc := range []struct {
		text string
		ok   bool
	}{{"short", false}, {DefaultPolicy, true}, {strings.Repeat("a", MaxPolicy+1), false}} {
		if err := ValidatePolicy(tc.text); (err == nil) != tc.ok {
			t.Errorf("ValidatePolicy(%d bytes) = %v", len(tc.text), err)
		}
	}
}
