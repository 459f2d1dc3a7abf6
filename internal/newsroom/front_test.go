package newsroom

import (
	"dateline/internal/field"
	"errors"
	"testing"
	"time"
)

func TestFrontPageValidate(t *testing.T) {
	until := time.Date(2026, 11, 29, 18, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		f     FrontPage
		wrong []string
	}{
		{"nothing chosen", FrontPage{}, nil},
		{"lead and top", FrontPage{Lead: 3, Top: []int64{1, 2, 4, 5, 6, 7}}, nil},
		{"banner with a path", FrontPage{Breaking: Breaking{Text: "Storm", URL: "/world/storm", Until: until}}, nil},
		{"banner with an address", FrontPage{Breaking: Breaking{Text: "Storm", URL: "https://example.org/", Until: until}}, nil},
		{"too many top", FrontPage{Top: []int64{1, 2, 3, 4, 5, 6, 7}}, []string{FieldTop}},
		{"javascript link", FrontPage{Breaking: Breaking{Text: "Storm", URL: "javascript:alert(1)", Until: until}}, []string{FieldBreakingURL}},
		{"other host without scheme", FrontPage{Breaking: Breaking{Text: "Storm", URL: "//evil.example", Until: until}}, []string{FieldBreakingURL}},
		{"long banner", FrontPage{Breaking: Breaking{Text: string(make([]rune, 201)), Until: until}}, []string{FieldBreakingText}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.f.Validate()
			if len(tc.wrong) == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var fe field.Errors
			if !errors.As(err, &fe) || len(fe) != len(tc.wrong) {
				t.Fatalf("err = %v; want %v wrong", err, tc.wrong)
			}
			for _, f := range tc.wrong {
				if fe[f] == "" {
					t.Errorf("no message for %s in %v", f, fe)
				}
			}
		})
	}
}
