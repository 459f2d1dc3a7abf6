package clock_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"dateline/internal/clock"
)

func TestParseLocalAroundChangesOfTheClocks(t *testing.T) {
	lisbon, err := time.LoadLocation("Europe/Lisbon")
	if err != nil {
		t.Fatal(err)
	}
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		value     string
		loc       *time.Location
		want      time.Time
		ambiguous bool
		second    time.Time
		skipped   bool
	}{
		{"an ordinary winter time", "2026-12-02T14:05", lisbon, time.Date(2026, 12, 2, 14, 5, 0, 0, time.UTC), false, time.Time{}, false},
		{"an ordinary summer time", "2026-07-01T09:00", lisbon, time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC), false, time.Time{}, false},
		{"Lisbon's 01:30 happens twice on 25 October", "2026-10-25T01:30", lisbon,
			time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), true, time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC), false},
		{"Lisbon's 02:00 once, in winter time", "2026-10-25T02:00", lisbon, time.Date(2026, 10, 25, 2, 0, 0, 0, time.UTC), false, time.Time{}, false},
		{"Lisbon skips 01:30 on 28 March 2027", "2027-03-28T01:30", lisbon, time.Time{}, false, time.Time{}, true},
		{"New York skips 02:30 on 8 March 2026", "2026-03-08T02:30", newYork, time.Time{}, false, time.Time{}, true},
		{"New York's 01:15 happens twice on 1 November 2026", "2026-11-01T01:15", newYork,
			time.Date(2026, 11, 1, 5, 15, 0, 0, time.UTC), true, time.Date(2026, 11, 1, 6, 15, 0, 0, time.UTC), false},
		{"UTC has no changes", "2026-10-25T01:30", nil, time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC), false, time.Time{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := clock.ParseLocal(clock.LocalInputLayout, tc.value, tc.loc)
			if tc.skipped {
				if !errors.Is(err, clock.ErrSkippedTime) {
					t.Fatalf("ParseLocal(%s) = %+v, %v; want ErrSkippedTime", tc.value, got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !got.At.Equal(tc.want) || got.Ambiguous != tc.ambiguous || !got.Second.Equal(tc.second) {
				t.Errorf("ParseLocal(%s) = %v (ambiguous %v, second %v); want %v (%v, %v)",
					tc.value, got.At.UTC(), got.Ambiguous, got.Second.UTC(), tc.want, tc.ambiguous, tc.second)
			}
		})
	}
	if _, err := clock.ParseLocal(clock.LocalInputLayout, "tomorrow", lisbon); err == nil || errors.Is(err, clock.ErrSkippedTime) {
		t.Errorf("an unreadable time: %v", err)
	}
}

func TestZone(t *testing.T) {
	ctx := context.Background()
	var none clock.Zone
	if none.In(ctx) != time.UTC {
		t.Error("a nil Zone is not UTC")
	}
	lisbon, err := time.LoadLocation("Europe/Lisbon")
	if err != nil {
		t.Fatal(err)
	}
	z := clock.Fixed(lisbon)
	at := time.Date(2026, 12, 2, 14, 5, 0, 0, time.UTC)
	if got := at.In(z.In(ctx)).Format(clock.TimeLayout); got != "2 December 2026, 14:05 WET" {
		t.Errorf("shown as %q", got)
	}
	if got := at.In(z.In(ctx)).Format(clock.MastheadLayout); got != "Wednesday, 2 December 2026" {
		t.Errorf("masthead %q", got)
	}
}
