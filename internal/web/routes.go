package web

import (
	"errors"
	"net/http"

	"dateline/internal/billing"
)

// route is one line of the site's table of routes: a pattern as
// http.ServeMux reads it, and what answers it.
type route struct {
	pattern string
	handler http.HandlerFunc
}

// features are the site's handlers grouped by what they are for. Each is
// a small struct holding the service it works with, beside the site's
// shared machinery (rendering, the reader, purges); nil leaves a feature
// out, and New refuses options whose features do not fit together.
type features struct {
	account      *accountPages      // sign-up, log-in, password reset, the account page
	subscription *subscriptionPages // subscribing, gifts, plans and subscribers, Stripe's webhook
	discussion   *discussionPages   // comments and their moderation
	newsroom     *newsroomPages     // the story editor, the front page, authors, sections, images
	api          *storyAPI          // /api/v1 for the newsroom's tools
	settings     *settingsPages     // the site's own settings: time zone and logo
	people       *peoplePages       // staff, invitations and the audit log
}

// newFeatures builds the features the options ask for, or says which
// part is missing: a feature is either all there or refused, never
// silently left out.
func newFeatures(s *Server, o Options) (features, error) {
	var f features
	if o.Accounts == nil {
		switch {
		case o.Billing != nil:
			return f, errors.New("web: subscriptions need accounts (Options.Accounts)")
		case o.Comments != nil:
			return f, errors.New("web: comments need accounts (Options.Accounts)")
		case o.Newsroom != nil:
			return f, errors.New("web: the newsroom needs accounts (Options.Accounts)")
		case o.Site != nil:
			return f, errors.New("web: the site's settings need accounts (Options.Accounts)")
		}
	}
	if o.StripeWebhook != nil && o.Billing == nil {
		return f, errors.New("web: Stripe's webhook needs billing (Options.Billing)")
	}
	if (o.Newsroom == nil) != (o.Media == nil) {
		return f, errors.New("web: the newsroom and its image library come together (Options.Newsroom and Options.Media)")
	}
	if o.Accounts != nil {
		f.account = &accountPages{Server: s, accounts: o.Accounts, apiOpen: o.Newsroom != nil}
	}
	if o.Billing != nil {
		f.subscription = &subscriptionPages{Server: s, billing: o.Billing, webhook: o.StripeWebhook}
	}
	if o.Comments != nil {
		f.discussion = &discussionPages{Server: s, comments: o.Comments}
	}
	if o.Site != nil {
		f.settings = &settingsPages{Server: s, site: o.Site, audit: o.Audit}
	}
	if o.Audit != nil {
		if o.Accounts == nil {
			return f, errors.New("web: staff and the audit log need accounts (Options.Accounts)")
		}
		f.people = &peoplePages{Server: s, accounts: o.Accounts, audit: o.Audit}
	}
	if o.Newsroom != nil {
		f.newsroom = &newsroomPages{Server: s, newsroom: o.Newsroom, media: o.Media}
		f.api = &storyAPI{Server: s, newsroom: o.Newsroom, media: o.Media, accounts: o.Accounts}
	}
	return f, nil
}

// Patterns lists the patterns of the routes the site answers, as
// http.ServeMux reads them (such as "GET /search"), in the order of the
// table, so that the checks outside this package can walk every page.
func (s *Server) Patterns() []string {
	table := s.routeTable()
	patterns := make([]string, len(table))
	for i, rt := range table {
		patterns[i] = rt.pattern
	}
	return patterns
}

// routeTable lists every route the site answers, feature by feature.
func (s *Server) routeTable() []route {
	t := []route{
		// The pages every anonymous reader sees alike are served from the
		// page cache.
		{"GET /{$}", s.cached(s.frontPage)},
		{"GET /section/{slug}", s.cached(s.sectionPage)},
		{"GET /section/{slug}/feed.atom", s.cached(listTagged(s.sectionFeed))},
		{"GET /tag/{slug}", s.cached(s.tagPage)},
		{"GET /author/{slug}", s.cached(s.authorPage)},
		{"GET /{year}/{month}/{day}/{slug}", s.cached(s.storyPage)},
		{"GET /{year}/{month}/{day}/{$}", s.cached(s.dayPage)},
		// Without it, ServeMux would send every other address of three
		// parts to the same address with a slash, the day's pattern.
		{"GET /{year}/{month}/{day}", s.dayWithoutSlash},
		{"GET /feed.atom", s.cached(listTagged(s.siteFeed))},
		{"GET /sitemap.xml", s.cached(listTagged(s.sitemap))},
		{"GET /sitemaps/{file}", s.cached(listTagged(s.sitemapFile))},
		{"GET /sitemap-news.xml", s.cached(listTagged(s.newsSitemap))},
		{"GET /robots.txt", s.robots},
		{"GET /healthz", s.healthz},
		{"GET /readyz", s.readyz},
		// Results change only when stories do, so anonymous searches are
		// kept too: a story in the news is searched for by many readers
		// at once.
		{"GET /search", s.cachedIn(s.searches, searchQuery, listTagged(s.search))},
		{"GET /static/{file}", s.static.ServeHTTP},
		{"GET /favicon.ico", s.static.favicon},
	}
	if s.devMail != nil {
		t = append(t, route{"GET /_dev/mail", s.devMailbox})
	}

	if ap := s.features.account; ap != nil {
		t = append(t, []route{
			{"GET /signup", ap.signupForm},
			{"POST /signup", ap.signup},
			{"GET /signup/welcome", ap.signupWelcome},
			{"GET /login", ap.loginForm},
			{"POST /login", ap.login},
			{"POST /logout", ap.logout},
			{"GET /password/forgot", ap.forgotForm},
			{"POST /password/forgot", ap.forgot},
			{"GET /password/reset", ap.resetForm},
			{"POST /password/reset", ap.reset},
			{"GET /account", ap.accountPage},
			{"GET /account/verify", ap.verifyEmail},
			{"POST /account/confirm", ap.confirmEmail},
			{"GET /account/data.json", ap.exportData},
			{"POST /account/name", ap.rename},
			{"POST /account/email", ap.changeEmail},
			{"POST /account/password", ap.changePassword},
			{"POST /account/sessions/others", ap.signOutOthers},
			{"POST /account/verify", ap.resendVerification},
			{"POST /account/delete", ap.deleteAccount},
			{"GET /admin", s.dashboard},
		}...)
		if ap.apiOpen {
			t = append(t, []route{
				{"POST /account/tokens", ap.createToken},
				{"POST /account/tokens/{id}/revoke", ap.revokeToken},
			}...)
		}
	}

	if st := s.features.settings; st != nil {
		t = append(t, []route{
			{"GET /admin/settings", st.settingsPage},
			{"POST /admin/settings", st.saveSettings},
		}...)
	}

	if pp := s.features.people; pp != nil {
		t = append(t, []route{
			{"GET /admin/people", pp.peoplePage},
			{"POST /admin/people/invite", pp.invite},
			{"POST /admin/people/{id}/role", pp.setRole},
			{"GET /admin/audit", pp.auditLog},
			{"GET /invite", pp.invitePage},
			{"POST /invite", pp.acceptInvite},
		}...)
	}

	if sp := s.features.subscription; sp != nil {
		t = append(t, []route{
			{"GET /subscribe", sp.subscribePage},
			{"GET /subscribe/checkout", sp.checkoutPage},
			{"POST /subscribe/checkout", sp.checkout},
			{"GET /account/subscription/cancel", sp.cancelPage},
			{"POST /account/subscription/cancel", sp.subscriptionChange(sp.billing.Cancel, "canceled")},
			{"POST /account/subscription/resume", sp.subscriptionChange(sp.billing.Resume, "resumed")},
			{"POST /account/subscription/manage", sp.manageSubscription},
			{"POST /gifts", sp.createGift},
			{"POST /account/gifts/{id}/revoke", sp.revokeGift},
			{"GET /admin/subscribers", sp.adminSubscribers},
			{"POST /admin/subscribers/complimentary", sp.grantComplimentary},
			{"POST /admin/subscribers/complimentary/revoke", sp.revokeComplimentary},
			{"GET /admin/plans", sp.adminPlans},
			{"POST /admin/plans", sp.createPlan},
			{"POST /admin/plans/{id}/retire", sp.setPlanActive(false)},
			{"POST /admin/plans/{id}/offer", sp.setPlanActive(true)},
			{"POST /admin/plans/settings", sp.saveSettings},
		}...)
		// The demo checkout, which takes no money, exists only with the
		// demo provider (--dev or --demo).
		if sp.billing.Provider().Name() == billing.Demo {
			t = append(t, []route{
				{"GET /subscribe/demo", sp.demoCheckoutPage},
				{"POST /subscribe/demo", sp.demoCheckout},
			}...)
		}
		if sp.webhook != nil {
			t = append(t, route{"POST /webhooks/stripe", sp.stripeWebhook})
		}
	}

	if dp := s.features.discussion; dp != nil {
		t = append(t, []route{
			{"POST /comments", dp.postComment},
			{"POST /comments/{id}/edit", dp.editComment},
			{"POST /comments/{id}/delete", dp.deleteComment},
			{"POST /comments/{id}/recommend", dp.recommendComment},
			{"GET /comments/{id}/report", dp.reportForm},
			{"POST /comments/{id}/report", dp.reportComment},
			{"GET /comments/policy", dp.commentPolicy},
			{"POST /comments/policy", dp.saveCommentPolicy},
			{"GET /comments/unsubscribe", dp.unsubscribePage},
			{"POST /comments/unsubscribe", dp.unsubscribe},
			{"POST /account/notifications", dp.setNotifications},
			{"POST /stories/{slug}/comments-mode", dp.setCommentMode},
			{"GET /admin/comments", dp.moderationQueue},
			{"GET /admin/comments/log", dp.moderationLog},
			{"GET /admin/comments/settings", dp.commentSettings},
			{"POST /admin/comments/settings", dp.saveCommentSettings},
			{"POST /admin/comments/suspend", dp.suspendReader},
			{"POST /admin/comments/unsuspend", dp.unsuspendReader},
			{"POST /admin/comments/{id}/{action}", dp.moderateComment},
		}...)
	}

	if np := s.features.newsroom; np != nil {
		t = append(t, []route{
			{"GET /admin/stories", np.storyList},
			{"GET /admin/stories/new", np.newStory},
			{"POST /admin/stories", np.saveStory},
			{"GET /admin/stories/{id}", np.editStory},
			{"POST /admin/stories/{id}", np.saveStory},
			{"POST /admin/stories/autosave", np.autosave},
			{"POST /admin/stories/{id}/autosave", np.autosave},
			{"GET /admin/stories/{id}/revisions", np.storyRevisions},
			{"POST /admin/stories/{id}/revisions/{rev}/restore", np.restoreRevision},
			{"POST /admin/preview", np.livePreview},
			{"GET /admin/front", np.frontAdmin},
			{"POST /admin/front", np.saveFront},
			{"POST /admin/front/breaking", np.saveBreaking},
			{"POST /admin/front/sections", np.saveSectionOrder},
			{"GET /admin/authors", np.authorsAdmin},
			{"POST /admin/authors", np.createAuthor},
			{"POST /admin/authors/{id}", np.updateAuthor},
			{"POST /admin/sections", np.createSection},
			{"GET /admin/images", np.imagesAdmin},
			{"POST /admin/images", np.uploadImage},
			{"GET /images/{id}/{file}", np.serveImage},
		}...)
	}

	if sa := s.features.api; sa != nil {
		t = append(t, []route{
			{"GET /api/v1/stories", sa.api(sa.listStories)},
			{"POST /api/v1/stories", sa.api(sa.createStory)},
			{"GET /api/v1/stories/{id}", sa.api(sa.getStory)},
			{"PUT /api/v1/stories/{id}", sa.api(sa.updateStory)},
			{"POST /api/v1/stories/{id}/publish", sa.api(sa.publishStory)},
			{"POST /api/v1/images", sa.api(sa.uploadImage)},
		}...)
	}
	return append(t, route{"/", s.notFound})
}
