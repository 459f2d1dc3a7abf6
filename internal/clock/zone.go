package clock

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Zone tells which time zone the paper keeps: the one people see every
// time in, and whose midnights begin the paper's days (the archive's days,
// the paywall meter's months). It can change while the site runs (it is a
// setting), so it is asked for each time, with the request's context.
// Every service that shows or counts by the paper's time takes one from
// the wiring; a nil Zone is UTC.
type Zone func(context.Context) *time.Location

// In returns the location z gives, or UTC for a nil Zone or location.
func (z Zone) In(ctx context.Context) *time.Location {
	if z == nil {
		return time.UTC
	}
	if loc := z(ctx); loc != nil {
		return loc
	}
	return time.UTC
}

// Fixed is a Zone that is always loc (UTC when nil).
func Fixed(loc *time.Location) Zone {
	if loc == nil {
		loc = time.UTC
	}
	return func(context.Context) *time.Location { return loc }
}

// The ways the paper writes times for people. A zone's abbreviation
// follows a time of day ("14:05 WET"), so that a reader elsewhere knows
// whose clock it is; a date alone needs none.
const (
	// TimeLayout is a moment: "2 December 2026, 14:05 WET".
	TimeLayout = "2 January 2006, 15:04 MST"
	// DateLayout is a day in a list: "2 Dec 2026".
	DateLayout = "2 Jan 2006"
	// LongDateLayout is a day in a sentence or an email: "2 December 2026".
	LongDateLayout = "2 January 2006"
	// MastheadLayout is today's date above the news: "Wednesday, 2 December 2026".
	MastheadLayout = "Monday, 2 January 2006"
	// LocalInputLayout is what an <input type=datetime-local> sends and
	// shows: "2026-12-02T14:05".
	LocalInputLayout = "2006-01-02T15:04"
)

// ErrSkippedTime is returned by ParseLocal for a time of day that does
// not happen in the zone on that date: the clocks jumped over it.
var ErrSkippedTime = errors.New("clock: no such time in the zone: the clocks skip it")

// Local is a wall-clock time read in a zone, and what was unclear about it.
type Local struct {
	// At is the instant meant.
	At time.Time
	// Ambiguous is true when the wall-clock time happens twice that day
	// (the hour the clocks go back): At is the first of the two, and
	// Second the other.
	Ambiguous bool
	Second    time.Time
}

// ParseLocal reads a wall-clock time written as layout in loc, as an
// editor types a schedule in the paper's time. A time the clocks skip
// (when they go forward) is ErrSkippedTime, wrapped with what was typed:
// it names no moment, and guessing would publish at an hour nobody chose.
// A time the clocks pass twice (when they go back) is the first of the
// two, and says so.
func ParseLocal(layout, value string, loc *time.Location) (Local, error) {
	if loc == nil {
		loc = time.UTC
	}
	wall, err := time.Parse(layout, value) // the wall-clock fields, as if in UTC
	if err != nil {
		return Local{}, fmt.Errorf("clock: read %q: %w", value, err)
	}
	// Every offset in use within a day of the time: at most two around
	// a change of the clocks.
	var found []time.Time
	seen := map[int]bool{}
	for _, probe := range []time.Duration{-26 * time.Hour, 0, 26 * time.Hour} {
		_, off := wall.Add(probe).In(loc).Zone()
		if seen[off] {
			continue
		}
		seen[off] = true
		at := wall.Add(-time.Duration(off) * time.Second).In(loc)
		if _, o := at.Zone(); o == off && sameWall(at, wall) {
			found = append(found, at)
		}
	}
	switch len(found) {
	case 0:
		return Local{}, fmt.Errorf("clock: %s in %s: %w", value, loc, ErrSkippedTime)
	case 1:
		return Local{At: found[0]}, nil
	}
	first, second := found[0], found[1]
	if second.Before(first) {
		first, second = second, first
	}
	return Local{At: first, Ambiguous: true, Second: second}, nil
}

// sameWall reports whether t shows the same wall-clock time as wall (read
// as UTC), to the second.
func sameWall(t, wall time.Time) bool {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	wy, wmo, wd := wall.Date()
	wh, wmi, ws := wall.Clock()
	return y == wy && mo == wmo && d == wd && h == wh && mi == wmi && s == ws
}
