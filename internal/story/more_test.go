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
	day, err := story.ParseDay("2026", "11", "29", nil)
	if err != nil || !day.Equal(time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("ParseDay(2026, 11, 29) = %v, %v", day, err)
	}
	for _, d := range [][3]string{{"2026", "11", "31"}, {"2026", "13", "01"}, {"2026", "00", "01"}, {"2026", "11", "00"},
		{"2026", "11", "1"}, {"26", "11", "29"}, {"2026", "1x", "29"}, {"+026", "11", "29"}, {"0000", "01", "01"}, {"2027", "02", "29"}} {
		if got, err := story.ParseDay(d[0], d[1], d[2], time.UTC); !errors.Is(err, story.ErrNotFound) {
			t.Errorf("ParseDay(%v) = %v, %v; want ErrNotFound", d, got, err)
		}
	}
	// A story's address starts with its UTC day; in a UTC paper that is
	// its day's archive.
	late := time.Date(2026, 11, 29, 23, 59, 0, 0, time.UTC)
	if got := story.Path(late, "slug"); got != "/2026/11/29/slug" || story.DayPath(late, nil) != "/2026/11/29/" {
		t.Errorf("Path = %s, DayPath = %s", got, story.DayPath(late, nil))
	}
	if got := story.DayOf(late, nil); !got.Equal(time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("DayOf(%v) = %v", late, got)
	}
}

// TestDaysInThePapersZone: the paper's days begin at its own midnight,
// through a change of the clocks, while a story's address keeps its UTC
// date whatever the zone.
func TestDaysInThePapersZone(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	lisbon, err := time.LoadLocation("Europe/Lisbon")
	if err != nil {
		t.Fatal(err)
	}
	// 23:30 UTC on 1 November is 00:30 on 2 November in Paris.
	late := time.Date(2026, 11, 1, 23, 30, 0, 0, time.UTC)
	if got := story.DayPath(late, paris); got != "/2026/11/02/" {
		t.Errorf("Paris's day of %v is %s, want /2026/11/02/", late, got)
	}
	if got := story.Path(late, "slug"); got != "/2026/11/01/slug" {
		t.Errorf("the address of a story published at %v is %s, want its UTC date, /2026/11/01/slug", late, got)
	}
	// Lisbon's clocks go back at 02:00 WEST on 25 October 2026: that day
	// lasts 25 hours, from 23:00 UTC on the 24th to 00:00 UTC on the 26th.
	start := story.DayStart(2026, time.October, 25, lisbon)
	next := story.DayStart(2026, time.October, 26, lisbon)
	if !start.Equal(time.Date(2026, 10, 24, 23, 0, 0, 0, time.UTC)) || !next.Equal(time.Date(2026, 10, 26, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("25 October in Lisbon runs from %v to %v", start.UTC(), next.UTC())
	}
	if got := next.Sub(start); got != 25*time.Hour {
		t.Errorf("25 October in Lisbon lasts %v, want 25h", got)
	}
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 10, 24, 22, 59, 0, 0, time.UTC), "/2026/10/24/"},
		{time.Date(2026, 10, 24, 23, 0, 0, 0, time.UTC), "/2026/10/25/"},
		{time.Date(2026, 10, 25, 23, 59, 0, 0, time.UTC), "/2026/10/25/"},
		{time.Date(2026, 10, 26, 0, 0, 0, 0, time.UTC), "/2026/10/26/"},
	} {
		if got := story.DayPath(c.at, lisbon); got != c.want {
			t.Errorf("Lisbon's day of %v is %s, want %s", c.at, got, c.want)
		}
	}
	day, err := story.ParseDay("2026", "10", "25", lisbon)
	if err != nil || !day.Equal(start) {
		t.Errorf("ParseDay(2026, 10, 25) in Lisbon = %v, %v; want %v", day, err, start)
	}
	// The paper's month, which the meter counts, begins at its midnight.
	if got := story.MonthStart(time.Date(2026, 10, 31, 23, 30, 0, 0, time.UTC), paris); !got.Equal(time.Date(2026, 10, 31, 23, 0, 0, 0, time.UTC)) {
		t.Errorf("Paris's month of 23:30 UTC on 31 October starts at %v, want 23:00 UTC on 31 October", got.UTC())
	}
	// A midnight the clocks skip (Santiago, 6 September 2026): the day
	// starts when its clocks do.
	if santiago, err := time.LoadLocation("America/Santiago"); err == nil {
		d := story.DayStart(2026, time.September, 6, santiago)
		if y, m, dd := d.In(santiago).Date(); y != 2026 || m != time.September || dd != 6 || !d.Before(story.DayStart(2026, time.September, 7, santiago)) {
			t.Errorf("6 September in Santiago starts at %v", d)
		}
	}
}
