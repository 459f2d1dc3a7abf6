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

func TestSettingsWithFields(t *testing.T) {
	msg := "Give a whole number from 0 to 365."
	typed := map[string]string{FieldPremod: string(PremodFirst), FieldPremodFirst: "2",
		FieldBannedWords: "scam\r\n  free   money \n\nSCAM", FieldCloseDays: "30"}
	cur := DefaultSettings()
	cur.MaxLinks, cur.PageSize = 7, 50 // not the newsroom's to change here
	for _, tc := range []struct {
		name   string
		change map[string]string
		wrong  map[string]string // field → message; "" is Validate's own
	}{
		{name: "as typed"},
		{name: "not numbers", change: map[string]string{FieldPremodFirst: "two", FieldCloseDays: ""},
			wrong: map[string]string{FieldPremodFirst: msg, FieldCloseDays: msg}},
		{name: "out of bounds", change: map[string]string{FieldPremodFirst: "-1", FieldCloseDays: "366"},
			wrong: map[string]string{FieldPremodFirst: msg, FieldCloseDays: msg}},
		// 2^48+1 days is one day once multiplied out in nanoseconds.
		{name: "days that wrap around", change: map[string]string{FieldCloseDays: "281474976710657"},
			wrong: map[string]string{FieldCloseDays: msg}},
		{name: "no such pre-moderation", change: map[string]string{FieldPremod: "some"}, wrong: map[string]string{FieldPremod: ""}},
		{name: "a banned word too long", change: map[string]string{FieldBannedWords: strings.Repeat("é", MaxBannedWord+1)},
			wrong: map[string]string{FieldBannedWords: ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vals := map[string]string{}
			for k, v := range typed {
				vals[k] = v
			}
			for k, v := range tc.change {
				vals[k] = v
			}
			got, err := cur.WithFields(vals)
			if len(tc.wrong) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if got.Premod != PremodFirst || got.PremodFirstN != 2 || got.CloseAfter != 30*day ||
					!slices.Equal(got.BannedWords, []string{"scam", "free money"}) || got.MaxLinks != 7 || got.PageSize != 50 {
					t.Errorf("got %+v", got)
				}
				return
			}
			var se field.Errors
			if !errors.As(err, &se) || len(se) != len(tc.wrong) {
				t.Fatalf("err = %v; want %v wrong", err, tc.wrong)
			}
			for f, want := range tc.wrong {
				if se[f] == "" || (want != "" && se[f] != want) {
					t.Errorf("%s: %q, want %q", f, se[f], want)
				}
			}
		})
	}
}

func TestSettingsFieldsReadBack(t *testing.T) {
	set := DefaultSettings()
	set.Premod, set.PremodFirstN, set.BannedWords, set.CloseAfter = PremodAll, 3, []string{"scam", "free money"}, 0
	fields := set.Fields()
	if fields[FieldBannedWords] != "scam\nfree money" || fields[FieldCloseDays] != "0" || fields[FieldPremod] != string(PremodAll) {
		t.Errorf("fields = %q", fields)
	}
	got, err := DefaultSettings().WithFields(fields)
	if err != nil || got.Premod != set.Premod || got.PremodFirstN != 3 || got.CloseAfter != 0 || !slices.Equal(got.BannedWords, set.BannedWords) {
		t.Errorf("read back as %+v, %v", got, err)
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
