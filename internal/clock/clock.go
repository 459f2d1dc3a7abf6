// Package clock is Dateline's one source of the date and time.
//
// Every component that reads the time takes a clock, a func() time.Time,
// from the wiring in internal/app; none calls time.Now itself. Production
// runs on System; tests set a Manual clock once, so they pass on any real
// date. Measuring a duration with time.Now and time.Since is not reading
// the date, and needs no clock.
package clock

import (
	"sync"
	"time"
)

// System returns the machine's time in UTC. It is the only place in
// Dateline that reads the wall clock for a date.
func System() time.Time { return time.Now().UTC() }

// Manual is a clock that stands still until it is set or advanced. It is
// safe for concurrent use.
type Manual struct {
	mu  sync.Mutex
	now time.Time
}

// NewManual returns a Manual clock showing t.
func NewManual(t time.Time) *Manual { return &Manual{now: t.UTC()} }

// Now returns the time the clock shows.
func (m *Manual) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.now
}

// Set makes the clock show t.
func (m *Manual) Set(t time.Time) {
	m.mu.Lock()
	m.now = t.UTC()
	m.mu.Unlock()
}

// Advance moves the clock on by d.
func (m *Manual) Advance(d time.Duration) {
	m.mu.Lock()
	m.now = m.now.Add(d)
	m.mu.Unlock()
}
