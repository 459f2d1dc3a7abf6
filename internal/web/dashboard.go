package web

import (
	"context"
	"net/http"
	"sync"
	"time"

	"dateline/internal/account"
	"dateline/internal/billing"
	"dateline/internal/comment"
	"dateline/internal/story"
)

// ViewStore keeps page-view counts; *store.Store is one.
type ViewStore interface {
	AddViews(ctx context.Context, hour time.Time, counts map[int64]int) error
	MostRead(ctx context.Context, since time.Time, limit int) ([]story.Viewed, error)
}

// viewCounter counts story page views in memory and writes them in
// batches, so reading a story never waits for a database write.
type viewCounter struct {
	mu     sync.Mutex
	counts map[int64]int
	hour   time.Time
}

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

func (c *viewCounter) take() (map[int64]int, time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	counts, hour := c.counts, c.hour
	c.counts = nil
	return counts, hour
}

// countView records a reader's view of a story.
func (s *Server) countView(ctx context.Context, storyID int64) {
	if s.views == nil {
		return
	}
	if flush, hour := s.viewCounter.add(storyID, s.now()); flush != nil {
		if err := s.views.AddViews(context.WithoutCancel(ctx), hour, flush); err != nil {
			s.log.Warn("page views", "err", err)
		}
	}
}

// FlushViews writes the counted page views to the database.
func (s *Server) FlushViews(ctx context.Context) error {
	if s.views == nil {
		return nil
	}
	counts, hour := s.viewCounter.take()
	return s.views.AddViews(ctx, hour, counts)
}

// RunViewFlusher writes page views every interval until ctx ends, and
// once more as it ends.
func (s *Server) RunViewFlusher(ctx context.Context, interval time.Duration) {
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

// dashboardPage is the data of /admin.
type dashboardPage struct {
	layoutData
	Role       account.Role
	ForReview  []story.Story
	Scheduled  []story.Story
	Held       int
	Reported   int
	Subs       []stateCount
	MostRead   []story.Viewed
	ShowStaff  bool
	ShowMods   bool
	ShowAdmins bool
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	v, ok := s.requireCan(w, r, account.ViewDashboard)
	if !ok {
		return
	}
	ctx := r.Context()
	u := v.User
	p := dashboardPage{layoutData: s.layout(r, "Newsroom dashboard"), Role: u.Role,
		ShowStaff: u.Can(account.WriteStories), ShowMods: u.Can(account.ModerateComments), ShowAdmins: u.Can(account.RunSite)}
	p.NoIndex = true
	if p.ShowStaff && s.newsroomStore != nil {
		drafts, err := s.newsroomStore.NewsroomStories(ctx, story.NewsroomFilter{Status: story.Draft, Limit: 200})
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		for _, d := range drafts {
			if !d.SubmittedAt.IsZero() && (u.Can(account.EditStories) || d.CreatedBy == u.ID) {
				p.ForReview = append(p.ForReview, d)
			}
		}
		if p.Scheduled, err = s.newsroomStore.NewsroomStories(ctx, story.NewsroomFilter{Status: story.Scheduled, Limit: 50}); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if p.ShowMods && s.comments != nil {
		held, err := s.comments.Queue(ctx, u, comment.TabHeld)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		reported, err := s.comments.Queue(ctx, u, comment.TabReported)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		p.Held, p.Reported = len(held), len(reported)
	}
	if p.ShowAdmins && s.billing != nil {
		_, counts, err := s.billing.Subscribers(ctx, billing.SubscriberFilter{Limit: 1})
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		for _, st := range []billing.Status{billing.Trialing, billing.Active, billing.PastDue, billing.Canceled, billing.Expired} {
			p.Subs = append(p.Subs, stateCount{st, counts[st]})
		}
	}
	if s.views != nil {
		if err := s.FlushViews(ctx); err != nil {
			s.log.Warn("page views", "err", err)
		}
		var err error
		if p.MostRead, err = s.views.MostRead(ctx, s.now().Add(-24*time.Hour), 10); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "dashboard", p)
}
