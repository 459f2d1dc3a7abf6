package story_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"dateline/internal/story"
)

func TestReadingTime(t *testing.T) {
	r := story.NewRenderer()
	words := func(n int) string { return strings.TrimSpace(strings.Repeat("word ", n)) }
	for _, tc := range []struct {
		name    string
		body    string
		words   int
		minutes int
	}{
		{"empty", "", 0, 0},
		{"a line", "Ferries *run* again, [at last](https://example.com)!", 5, 1},
		// Paragraphs, list items and headings are written without a
		// space between them; each word counts once.
		{"blocks", "One two.\n\nThree\n\n- four\n- five\n\n## Six seven", 7, 1},
		{"one minute", words(230), 230, 1},
		{"a word more", words(230) + "\n\n" + "extra", 231, 2},
		{"four minutes", words(300) + "\n\n" + words(400), 700, 4},
	} {
		st := &story.Story{BodyHTML: r.Render(tc.body), Dateline: "LISBON"}
		if got := st.Words(); got != tc.words {
			t.Errorf("%s: %d words, want %d (%s)", tc.name, got, tc.words, st.BodyHTML)
		}
		if got := st.ReadingMinutes(); got != tc.minutes {
			t.Errorf("%s: %d minutes, want %d", tc.name, got, tc.minutes)
		}
	}
}

func TestDays(t *testing.T) {
	day, err := story.ParseDay("2026", "11", "29")
	if err != nil || !day.Equal(time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("ParseDay(2026, 11, 29) = %v, %v", day, err)
	}
	for _, d := range [][3]string{{"2026", "11", "31"}, {"2026", "13", "01"}, {"2026", "00", "01"}, {"2026", "11", "00"},
		{"2026", "11", "1"}, {"26", "11", "29"}, {"2026", "1x", "29"}, {"+026", "11", "29"}, {"0000", "01", "01"}, {"2027", "02", "29"}} {
		if got, err := story.ParseDay(d[0], d[1], d[2]); !errors.Is(err, story.ErrNotFound) {
			t.Errorf("ParseDay(%v) = %v, %v; want ErrNotFound", d, got, err)
		}
	}
	// A story's address starts with its day's archive, by the paper's day.
	late := time.Date(2026, 11, 29, 23, 59, 0, 0, time.UTC)
	if got := story.Path(late, "slug"); got != "/2026/11/29/slug" || story.DayPath(late) != "/2026/11/29/" {
		t.Errorf("Path = %s, DayPath = %s", got, story.DayPath(late))
	}
	if got := story.DayOf(late); !got.Equal(time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("DayOf(%v) = %v", late, got)
	}
}
