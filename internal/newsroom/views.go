package newsroom

import (
	"context"
	"fmt"
	"sync"
	"time"

	"dateline/internal/story"
)

// mostReadWindow is how far back the dashboard's most read looks.
const mostReadWindow = 24 * time.Hour

// viewCounter counts story page views in memory, by the hour, so that
// reading a story never waits for a database write.
type viewCounter struct {
	mu     sync.Mutex
	counts map[int64]int
	hour   time.Time
}

// add counts a view at now. When now is in a new hour, the counts of the
// hour before are returned, to be written as they are.
func (c *viewCounter) add(storyID int64, now time.Time) (flush map[int64]int, hour time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h := now.UTC().Truncate(time.Hour)
	if !c.hour.IsZero() && !h.Equal(c.hour) && len(c.counts) > 0 {
		// A new hour: the old hour's counts go out as they are.
		flush, hour = c.counts, c.hour
		c.counts = nil
	}
	if c.counts == nil {
		c.counts = map[int64]int{}
	}
	c.hour = h
	c.counts[storyID]++
	return flush, hour
}

// take returns the counts so far, and their hour, and starts again.
func (c *viewCounter) take() (map[int64]int, time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	counts, hour := c.counts, c.hour
	c.counts = nil
	return counts, hour
}

// CountView records a reader's view of a story. Views are kept in memory
// and written in batches (see RunViewFlusher), except that the first view
// in a new hour writes the hour before at once.
func (s *Service) CountView(ctx context.Context, storyID int64) {
	if flush, hour := s.views.add(storyID, s.now()); flush != nil {
		if err := s.store.AddViews(context.WithoutCancel(ctx), hour, flush); err != nil {
			s.log.Warn("page views", "err", err)
		}
	}
}

// FlushViews writes the page views counted in memory to the database.
func (s *Service) FlushViews(ctx context.Context) error {
	counts, hour := s.views.take()
	if err := s.store.AddViews(ctx, hour, counts); err != nil {
		return fmt.Errorf("newsroom: page views: %w", err)
	}
	return nil
}

// RunViewFlusher writes page views every interval until ctx ends, and
// once more as it ends.
func (s *Service) RunViewFlusher(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := s.FlushViews(context.WithoutCancel(ctx)); err != nil {
				s.log.Warn("page views", "err", err)
			}
			return
		case <-t.C:
			if err := s.FlushViews(ctx); err != nil {
				s.log.Warn("page views", "err", err)
			}
		}
	}
}

// MostRead lists up to limit stories read most in the last day, counting
// the views not yet written too.
func (s *Service) MostRead(ctx context.Context, limit int) ([]story.Viewed, error) {
	if err := s.FlushViews(ctx); err != nil {
		s.log.Warn("page views", "err", err)
	}
	list, err := s.store.MostRead(ctx, s.now().Add(-mostReadWindow), limit)
	if err != nil {
		return nil, fmt.Errorf("newsroom: most read: %w", err)
	}
	return list, nil
}
