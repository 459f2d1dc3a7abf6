package web

import (
	"context"
	fielderr "dateline/internal/field"
	"errors"
	"net/http"
	"strconv"
	"time"

	"dateline/internal/account"
	"dateline/internal/newsroom"
	"dateline/internal/story"
)

// FrontAdmin is what front-page curation needs of the database beyond
// the newsroom service, which keeps the editors' choices.
type FrontAdmin interface {
	SetSectionPosition(ctx context.Context, sectionID int64, position int) error
	StoryByID(ctx context.Context, id int64) (*story.Story, error)
}

// maxTopStories is how many stories an editor may order under the lead.
const maxTopStories = newsroom.MaxTopStories

// breaking is the banner an editor puts above every page.
type breaking struct {
	Text string
	URL  string
}

// curation is what editors chose for the front page.
type curation struct {
	Lead  int64
	Top   []int64
	Alert *breaking
	Until time.Time
}

// curation reads the editors' choices in one query: the breaking-news
// banner is on every page, so this is on the hot path.
func (s *Server) curation(ctx context.Context) (curation, error) {
	var c curation
	if s.front == nil || s.newsroomSvc == nil {
		return c, nil
	}
	fp, err := s.newsroomSvc.FrontPage(ctx)
	if err != nil {
		return c, err
	}
	c.Lead, c.Top = fp.Lead, fp.Top
	if b := fp.Breaking; b.Live(s.now()) {
		c.Alert, c.Until = &breaking{Text: b.Text, URL: b.URL}, b.Until
	}
	return c, nil
}

// curate puts the editors' lead and top stories first on the front page,
// in their order, followed by the latest of the rest.
func (s *Server) curate(ctx context.Context, c curation, latest []story.Story) []story.Story {
	if c.Lead == 0 && len(c.Top) == 0 {
		return latest
	}
	var out []story.Story
	seen := map[int64]bool{}
	for _, id := range append([]int64{c.Lead}, c.Top...) {
		if id == 0 || seen[id] {
			continue
		}
		st, err := s.storySvc.StoryByID(ctx, id)
		if err != nil || !st.Visible(s.now()) {
			continue // an unpublished pick falls away by itself
		}
		seen[id] = true
		out = append(out, *st)
	}
	for _, st := range latest {
		if !seen[st.ID] && len(out) < len(latest) {
			out = append(out, st)
		}
	}
	return out
}

// frontAdminPage is the data of /admin/front.
type frontAdminPage struct {
	layoutData
	Candidates []story.Story
	Lead       int64
	Top        []int64
	Slots      []int
	Form       *form
}

func (s *Server) frontRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/front", s.frontAdmin)
	mux.HandleFunc("POST /admin/front", s.saveFront)
	mux.HandleFunc("POST /admin/front/breaking", s.saveBreaking)
	mux.HandleFunc("POST /admin/front/sections", s.saveSectionOrder)
}

func (s *Server) frontAdmin(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requireCan(w, r, account.CurateSite); !ok {
		return
	}
	s.renderFrontAdmin(w, r, http.StatusOK, nil)
}

func (s *Server) renderFrontAdmin(w http.ResponseWriter, r *http.Request, status int, f *form) {
	c, err := s.curation(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	list, err := s.storySvc.PublishedStories(r.Context(), story.Filter{Limit: 60})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := frontAdminPage{layoutData: s.layout(r, "Front page"), Candidates: list, Lead: c.Lead, Top: c.Top, Form: f}
	p.NoIndex = true
	for i := range maxTopStories {
		p.Slots = append(p.Slots, i)
	}
	if p.Form == nil {
		p.Form = newForm()
		if c.Alert != nil {
			p.Form.Values["text"], p.Form.Values["url"] = c.Alert.Text, c.Alert.URL
			p.Form.Values["until"] = c.Until.UTC().Format("2006-01-02T15:04")
		}
		p.Form.Notice = doneNotice(r).Text
	}
	s.render(w, r, status, "front_admin", p)
}

// TopAt is the story chosen for a top-story slot, or 0.
func (p frontAdminPage) TopAt(i int) int64 {
	if i < len(p.Top) {
		return p.Top[i]
	}
	return 0
}

func (s *Server) saveFront(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requireCan(w, r, account.CurateSite); !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.formFailed(w, r, errFormBad)
		return
	}
	fp, err := s.newsroomSvc.FrontPage(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !fp.Breaking.Live(s.now()) {
		fp.Breaking = newsroom.Breaking{} // a banner that came down is not saved again
	}
	fp.Lead, _ = strconv.ParseInt(r.PostForm.Get("lead"), 10, 64)
	fp.Top = nil
	for i := range maxTopStories {
		if id, err := strconv.ParseInt(r.PostForm.Get("top"+strconv.Itoa(i)), 10, 64); err == nil && id > 0 {
			fp.Top = append(fp.Top, id)
		}
	}
	if err := s.newsroomSvc.SaveFrontPage(r.Context(), fp); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/front?done=1", http.StatusSeeOther)
}

func (s *Server) saveBreaking(w http.ResponseWriter, r *http.Request) {
	_, f, ok := s.staffForm(w, r, account.CurateSite, "text", "url", "until")
	if !ok {
		return
	}
	fp, err := s.newsroomSvc.FrontPage(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	fp.Breaking = newsroom.Breaking{Text: f.Get("text"), URL: f.Get("url")}
	if fp.Breaking.Text != "" {
		// An unreadable time is refused below, as one in the past.
		fp.Breaking.Until, _ = time.Parse("2006-01-02T15:04", f.Get("until"))
	}
	var fe fielderr.Errors
	if err := s.newsroomSvc.SaveFrontPage(r.Context(), fp); errors.As(err, &fe) {
		failFields(f, fe)
		s.renderFrontAdmin(w, r, http.StatusUnprocessableEntity, f)
		return
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/front?done=1", http.StatusSeeOther)
}

func (s *Server) saveSectionOrder(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requireCan(w, r, account.CurateSite); !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.formFailed(w, r, errFormBad)
		return
	}
	secs, err := s.storySvc.Sections(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, sec := range secs {
		v := r.PostForm.Get("pos-" + sec.Slug)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 1000 {
			s.badRequest(w, r, "Positions are whole numbers from 0 to 1000.")
			return
		}
		if err := s.front.SetSectionPosition(r.Context(), sec.ID, n); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	http.Redirect(w, r, "/admin/front?done=1", http.StatusSeeOther)
}
