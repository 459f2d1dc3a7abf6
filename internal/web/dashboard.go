package web

import (
	"context"
	"net/http"

	"dateline/internal/account"
	"dateline/internal/billing"
	"dateline/internal/comment"
	"dateline/internal/story"
)

// countView records a reader's view of a story, for the dashboard's most
// read; without the newsroom nothing is counted.
func (s *Server) countView(ctx context.Context, storyID int64) {
	if s.newsroomSvc != nil {
		s.newsroomSvc.CountView(ctx, storyID)
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
	if p.ShowStaff && s.newsroomSvc != nil {
		var err error
		if p.ForReview, err = s.newsroomSvc.ForReview(ctx, u); err != nil {
			s.serverError(w, r, err)
			return
		}
		if p.Scheduled, err = s.newsroomSvc.Scheduled(ctx, 50); err != nil {
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
	if s.newsroomSvc != nil {
		var err error
		if p.MostRead, err = s.newsroomSvc.MostRead(ctx, 10); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "dashboard", p)
}
