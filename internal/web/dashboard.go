package web

import (
	"context"
	"net/http"
	"slices"

	"dateline/internal/account"
	"dateline/internal/billing"
	"dateline/internal/comment"
	"dateline/internal/insight"
	"dateline/internal/story"
)

// countView records a reader's view of a story, for the dashboard's most
// read; without the newsroom nothing is counted.
func (s *Server) countView(ctx context.Context, storyID int64) {
	if s.newsroomSvc != nil {
		s.newsroomSvc.CountView(ctx, storyID)
	}
}

// noteRead remembers for an hour, with nothing personal kept, that a
// signed-in reader without a subscription read a story: if they subscribe
// within the hour, the story counts among the stories that convert.
func (s *Server) noteRead(r *http.Request, storyID int64, a billing.Access) {
	u := viewerOf(r).User
	if s.insight == nil || s.billing == nil || u == nil || a.Why == billing.WhySubscriber || a.Why == billing.WhyStaff {
		return
	}
	if a.Why == billing.WhyFree {
		// A free story says nothing of the reader's subscription.
		if ok, _, err := s.billing.HasAccess(r.Context(), u); err != nil || ok {
			return
		}
	}
	if err := s.insight.NoteRead(r.Context(), u, storyID); err != nil {
		s.log.Warn("stories that convert", "err", err)
	}
}

// dashboardLink is a link from the dashboard to one of the newsroom's
// tools, shown to the roles that may open it.
type dashboardLink struct {
	Href  string
	Label string
	can   account.Permission
}

// dashboardLinks are the newsroom's tools, in the order the dashboard
// lists them.
var dashboardLinks = []dashboardLink{
	{"/admin/stories", "Stories", account.WriteStories},
	{"/admin/stories/new", "New story", account.WriteStories},
	{"/admin/images", "Images", account.UploadImages},
	{"/admin/comments", "Comments", account.ModerateComments},
	{"/admin/front", "Front page", account.CurateSite},
	{"/admin/authors", "Authors", account.CurateSite},
	{"/admin/people", "People", account.RunSite},
	{"/admin/subscribers", "Subscribers", account.RunSite},
	{"/admin/plans", "Plans", account.RunSite},
	{"/admin/settings", "Site settings", account.RunSite},
	{"/admin/audit", "Audit log", account.RunSite},
}

// linksFor lists the tools u may open among those this site has.
func (s *Server) linksFor(u *account.User) []dashboardLink {
	patterns := s.Patterns()
	var out []dashboardLink
	for _, l := range dashboardLinks {
		if u.Can(l.can) && slices.Contains(patterns, "GET "+l.Href) {
			out = append(out, l)
		}
	}
	return out
}

// dashboardPage is the data of /admin.
type dashboardPage struct {
	layoutData
	Links      []dashboardLink
	ForReview  []story.Story
	Scheduled  []story.Story
	Held       int
	Reported   int
	Subs       []stateCount
	MostRead   []story.Viewed
	Converting []insight.Converting
	// Charts are drawn when the insight service is there: page views
	// for everyone, comments for moderators, subscribers for admins.
	Charts      []chartView
	ShowStaff   bool
	ShowMods    bool
	ShowAdmins  bool
	ShowInsight bool
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	v, ok := s.requireCan(w, r, account.ViewDashboard)
	if !ok {
		return
	}
	ctx := r.Context()
	u := v.User
	p := dashboardPage{layoutData: s.layout(r, "Newsroom dashboard"), Links: s.linksFor(u),
		ShowStaff: u.Can(account.WriteStories), ShowMods: u.Can(account.ModerateComments), ShowAdmins: u.Can(account.RunSite),
		ShowInsight: s.insight != nil}
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
		// Most read first: it writes the views counted in memory, which
		// the chart of views then includes.
		if p.MostRead, err = s.newsroomSvc.MostRead(ctx, 10); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if s.insight != nil {
		if err := s.dashboardInsight(ctx, &p); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "dashboard", p)
}

// dashboardInsight adds the charts the viewer may see, and the stories
// that convert.
func (s *Server) dashboardInsight(ctx context.Context, p *dashboardPage) error {
	var err error
	if p.Converting, err = s.insight.TopConverting(ctx, 10); err != nil {
		return err
	}
	views, err := s.insight.ViewsByHour(ctx)
	if err != nil {
		return err
	}
	p.Charts = append(p.Charts, newChartView("chart-views", "Page views per hour, last 7 days", views, summariseViews))
	if p.ShowAdmins && s.billing != nil {
		states, err := s.insight.SubscribersByState(ctx)
		if err != nil {
			return err
		}
		p.Charts = append(p.Charts, newChartView("chart-states", "Subscribers by state, last 90 days", states, summariseLevels))
		activity, err := s.insight.Activity(ctx)
		if err != nil {
			return err
		}
		p.Charts = append(p.Charts, newChartView("chart-activity", "Sign-ups, subscriptions and cancellations per day", activity, summariseTotals))
	}
	if p.ShowMods && s.comments != nil {
		comments, err := s.insight.CommentsByDay(ctx)
		if err != nil {
			return err
		}
		p.Charts = append(p.Charts, newChartView("chart-comments", "Comments per day, last 30 days", comments, summariseTotals))
	}
	return nil
}
