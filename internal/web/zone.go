package web

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"dateline/internal/clock"
	"dateline/internal/story"
)

// nextMidnight is when the paper's next day begins: the masthead shows
// the date, so no page is kept past it.
func (s *Server) nextMidnight(ctx context.Context) time.Time {
	loc := s.zone(ctx)
	today := story.DayOf(s.now(), loc)
	return story.DayStart(today.Year(), today.Month(), today.Day()+1, loc)
}

// zoneName names the paper's time zone for people, as fields and notes
// say it: "Lisbon time (WET)", "New York time (EST)", "UTC". The
// abbreviation is the one in use at t.
func zoneName(loc *time.Location, t time.Time) string {
	if city := zoneCity(loc); city != "UTC" {
		abbr, _ := t.In(loc).Zone()
		if abbr == "" || abbr[0] == '+' || abbr[0] == '-' {
			abbr = "UTC" + abbr
		}
		return city + " time (" + abbr + ")"
	}
	return "UTC"
}

// zoneCity is the place a zone is named after: "Lisbon", "New York";
// "UTC" for UTC.
func zoneCity(loc *time.Location) string {
	name := loc.String()
	if name == "UTC" || name == "" {
		return "UTC"
	}
	return strings.ReplaceAll(name[strings.LastIndex(name, "/")+1:], "_", " ")
}

// readLocalTime reads field name of f as the paper's wall clock in loc
// reads it, as an editor types a time in a datetime-local field. A time
// the form cannot read, or one the clocks skip that day, fails the field
// with a message saying why; a time the clocks pass twice is the first of
// the two (the field's hint says so, and the saved time is shown with its
// zone's abbreviation).
func readLocalTime(f *form, name string, loc *time.Location, now time.Time) (time.Time, bool) {
	value := f.Get(name)
	l, err := clock.ParseLocal(clock.LocalInputLayout, value, loc)
	switch {
	case errors.Is(err, clock.ErrSkippedTime):
		f.Fail(name, skippedMessage(value, loc))
		return time.Time{}, false
	case err != nil:
		f.Fail(name, fmt.Sprintf("Give the date and time, such as 2026-12-01 07:00 (%s).", zoneName(loc, now)))
		return time.Time{}, false
	}
	return l.At, true
}

// skippedMessage explains that a wall-clock time (as a datetime-local
// field sends it) does not happen in loc, because the clocks go forward
// over it.
func skippedMessage(value string, loc *time.Location) string {
	wall, _ := time.Parse(clock.LocalInputLayout, value)
	_, before := wall.Add(-26 * time.Hour).In(loc).Zone()
	_, after := wall.Add(26 * time.Hour).In(loc).Zone()
	gap := time.Duration(after-before) * time.Second
	return fmt.Sprintf("%s does not happen on %s in %s: the clocks go forward %s that night. Choose another time.",
		wall.Format("15:04"), wall.Format(clock.LongDateLayout), zoneCity(loc), gapWords(gap))
}

// gapWords says how far the clocks jump: "an hour", "30 minutes".
func gapWords(d time.Duration) string {
	switch {
	case d == time.Hour:
		return "an hour"
	case d > 0 && d%time.Hour == 0:
		return fmt.Sprintf("%d hours", d/time.Hour)
	case d > 0:
		return fmt.Sprintf("%d minutes", d/time.Minute)
	}
	return "an hour"
}
