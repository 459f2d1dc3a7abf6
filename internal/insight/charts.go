package insight

import (
	"context"
	"fmt"
	"time"
)

// Chart is a set of counts over time, ready to draw: one value of each
// series at each point.
type Chart struct {
	// Points are the starts of the buckets counted, oldest first, in the
	// paper's time zone.
	Points []time.Time
	// Hourly is true for buckets of an hour, false for days.
	Hourly bool
	Series []Series
}

// Series is one line of a chart.
type Series struct {
	Name   string
	Values []int
}

// Total is the sum of a series' values.
func (s Series) Total() int {
	n := 0
	for _, v := range s.Values {
		n += v
	}
	return n
}

// days returns the starts of the paper's last n days, today last.
func (s *Service) days(ctx context.Context, n int) []time.Time {
	loc := s.zone.In(ctx)
	now := s.now().In(loc)
	out := make([]time.Time, n)
	for i := range n {
		out[i] = time.Date(now.Year(), now.Month(), now.Day()-(n-1-i), 0, 0, 0, 0, loc)
	}
	return out
}

// dayIndex returns a function that finds the day among days (as days
// returns them) a moment falls in, or -1.
func dayIndex(days []time.Time, loc *time.Location) func(t time.Time) int {
	byDate := make(map[string]int, len(days))
	for i, d := range days {
		byDate[Day(d, loc)] = i
	}
	return func(t time.Time) int {
		if i, ok := byDate[Day(t, loc)]; ok {
			return i
		}
		return -1
	}
}

// ViewsByHour counts story page views in each of the last ViewHours hours,
// the current one last. The views are kept by the UTC hour; in a zone
// whose offset is not whole hours each bucket starts at its half hour.
func (s *Service) ViewsByHour(ctx context.Context) (Chart, error) {
	loc := s.zone.In(ctx)
	last := s.now().UTC().Truncate(time.Hour)
	first := last.Add(-(ViewHours - 1) * time.Hour)
	counts, err := s.store.HourlyCounts(ctx, Views, first, last.Add(time.Hour))
	if err != nil {
		return Chart{}, fmt.Errorf("insight: views by hour: %w", err)
	}
	c := Chart{Hourly: true, Series: []Series{{Name: "Page views", Values: make([]int, ViewHours)}}}
	for i := range ViewHours {
		h := first.Add(time.Duration(i) * time.Hour)
		c.Points = append(c.Points, h.In(loc))
		c.Series[0].Values[i] = counts[h]
	}
	return c, nil
}

// ByDay counts each of kinds on each of the paper's last n days, today
// last, one series each, named as given.
func (s *Service) ByDay(ctx context.Context, n int, kinds []Kind, names []string) (Chart, error) {
	loc := s.zone.In(ctx)
	days := s.days(ctx, n)
	end := time.Date(days[n-1].Year(), days[n-1].Month(), days[n-1].Day()+1, 0, 0, 0, 0, loc)
	index := dayIndex(days, loc)
	c := Chart{Points: days}
	for k, kind := range kinds {
		// Hours are counted in UTC; an hour that a zone's half-hour
		// offset splits counts on the day it starts in.
		counts, err := s.store.HourlyCounts(ctx, kind, days[0].UTC().Truncate(time.Hour), end.UTC())
		if err != nil {
			return Chart{}, fmt.Errorf("insight: %s by day: %w", kind, err)
		}
		sr := Series{Name: names[k], Values: make([]int, n)}
		for h, v := range counts {
			if i := index(h); i >= 0 {
				sr.Values[i] += v
			}
		}
		c.Series = append(c.Series, sr)
	}
	return c, nil
}

// States are the subscription states the dashboard charts, with their
// names as people read them.
var States = []struct{ Status, Name string }{
	{"trialing", "Trialing"},
	{"active", "Active"},
	{"past_due", "Past due"},
	{"canceled", "Cancelled"},
}

// SubscribersByState counts the subscriptions in each of States at the
// end of each of the paper's last StateDays days (today: now). It works
// back from today's counts through the changes recorded since; a day
// before the changes were first recorded shows the counts as they were
// when recording began.
func (s *Service) SubscribersByState(ctx context.Context) (Chart, error) {
	loc := s.zone.In(ctx)
	days := s.days(ctx, StateDays)
	counts, err := s.store.SubscriptionStates(ctx)
	if err != nil {
		return Chart{}, fmt.Errorf("insight: subscribers by state: %w", err)
	}
	changes, err := s.store.SubscriptionChanges(ctx, days[0])
	if err != nil {
		return Chart{}, fmt.Errorf("insight: subscribers by state: %w", err)
	}
	c := Chart{Points: days}
	for _, st := range States {
		c.Series = append(c.Series, Series{Name: st.Name, Values: make([]int, StateDays)})
	}
	// Undo the changes from the newest back, a day at a time.
	next := len(changes) - 1
	for i := StateDays - 1; i >= 0; i-- {
		end := time.Date(days[i].Year(), days[i].Month(), days[i].Day()+1, 0, 0, 0, 0, loc)
		for ; next >= 0 && !changes[next].At.Before(end); next-- {
			ch := changes[next]
			counts[ch.To]--
			if ch.From != "" {
				counts[ch.From]++
			}
		}
		for k, st := range States {
			c.Series[k].Values[i] = max(counts[st.Status], 0)
		}
	}
	return c, nil
}

// Activity is the chart of sign-ups, subscriptions and cancellations on
// each of the paper's last ActivityDays days.
func (s *Service) Activity(ctx context.Context) (Chart, error) {
	return s.ByDay(ctx, ActivityDays, []Kind{SignUps, Subscriptions, Cancellations},
		[]string{"Sign-ups", "Subscriptions", "Cancellations"})
}

// CommentsByDay is the chart of comments posted on each of the paper's
// last ActivityDays days.
func (s *Service) CommentsByDay(ctx context.Context) (Chart, error) {
	return s.ByDay(ctx, ActivityDays, []Kind{Comments}, []string{"Comments"})
}
