package clock_test

import (
	"testing"
	"time"

	"dateline/internal/clock"
)

func TestManualStandsStillUntilMoved(t *testing.T) {
	start := time.Date(2031, 3, 30, 0, 30, 0, 0, time.FixedZone("WEST", 3600))
	c := clock.NewManual(start)
	if got := c.Now(); !got.Equal(start) || got.Location() != time.UTC {
		t.Fatalf("Now() = %v, want %v in UTC", got, start)
	}
	if a, b := c.Now(), c.Now(); !a.Equal(b) {
		t.Fatalf("a manual clock moved by itself: %v then %v", a, b)
	}
	c.Advance(90 * time.Minute)
	if got, want := c.Now(), start.Add(90*time.Minute); !got.Equal(want) {
		t.Fatalf("after Advance, Now() = %v, want %v", got, want)
	}
	later := time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)
	c.Set(later)
	if got := c.Now(); !got.Equal(later) {
		t.Fatalf("after Set, Now() = %v, want %v", got, later)
	}
}

func TestSystemIsUTC(t *testing.T) {
	if loc := clock.System().Location(); loc != time.UTC {
		t.Fatalf("System() is in %v, want UTC", loc)
	}
}
