package web

import (
	"context"
	"dateline/internal/clock"
	fielderr "dateline/internal/field"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"dateline/internal/account"
	"dateline/internal/newsroom"
	"dateline/internal/story"
)

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
	if s.newsroomSvc == nil {
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
// in their order, followed by the latest of the rest (see
// newsroom.Service.Curate).
func (s *Server) curate(ctx context.Context, c curation, latest []story.Story) []story.Story {
	if s.newsroomSvc == nil {
		return latest
	}
	return s.newsroomSvc.Curate(ctx, newsroom.FrontPage{Lead: c.Lead, Top: c.Top}, latest)
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

func (np *newsroomPages) frontAdmin(w http.ResponseWriter, r *http.Request) {
	if _, ok := np.requireCan(w, r, account.CurateSite); !ok {
		return
	}
	np.renderFrontAdmin(w, r, http.StatusOK, nil)
}

func (np *newsroomPages) renderFrontAdmin(w http.ResponseWriter, r *http.Request, status int, f *form) {
	c, err := np.curation(r.Context())
	if err != nil {
		np.serverError(w, r, err)
		return
	}
	list, err := np.storySvc.PublishedStories(r.Context(), story.Filter{Limit: 60})
	if err != nil {
		np.serverError(w, r, err)
		return
	}
	p := frontAdminPage{layoutData: np.layout(r, "Front page"), Candidates: list, Lead: c.Lead, Top: c.Top, Form: f}
	p.NoIndex = true
	for i := range newsroom.MaxTopStories {
		p.Slots = append(p.Slots, i)
	}
	if p.Form == nil {
		p.Form = newForm()
		if c.Alert != nil {
			p.Form.Values["text"], p.Form.Values["url"] = c.Alert.Text, c.Alert.URL
			p.Form.Values["until"] = c.Until.In(np.zone(r.Context())).Format(clock.LocalInputLayout)
		}
		p.Form.Notice = doneNotice(r).Text
	}
	np.render(w, r, status, "front_admin", p)
}

// TopAt is the story chosen for a top-story slot, or 0.
func (p frontAdminPage) TopAt(i int) int64 {
	if i < len(p.Top) {
		return p.Top[i]
	}
	return 0
}

func (np *newsroomPages) saveFront(w http.ResponseWriter, r *http.Request) {
	if _, ok := np.requireCan(w, r, account.CurateSite); !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		np.formFailed(w, r, errFormBad)
		return
	}
	lead, _ := strconv.ParseInt(r.PostForm.Get("lead"), 10, 64)
	var top []int64
	for i := range newsroom.MaxTopStories {
		if id, err := strconv.ParseInt(r.PostForm.Get("top"+strconv.Itoa(i)), 10, 64); err == nil && id > 0 {
			top = append(top, id)
		}
	}
	if err := np.newsroomSvc.ChooseFrontStories(r.Context(), lead, top); err != nil {
		np.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/front?done=1", http.StatusSeeOther)
}

func (np *newsroomPages) saveBreaking(w http.ResponseWriter, r *http.Request) {
	_, f, ok := np.staffForm(w, r, account.CurateSite, "text", "url", "until")
	if !ok {
		return
	}
	b := newsroom.Breaking{Text: f.Get("text"), URL: f.Get("url")}
	if b.Text != "" {
		// An unreadable time is refused, as one in the past; a time the
		// clocks skip is told as such.
		if l, err := clock.ParseLocal(clock.LocalInputLayout, f.Get("until"), np.zone(r.Context())); err == nil {
			b.Until = l.At
		} else if errors.Is(err, clock.ErrSkippedTime) {
			f.Fail("until", skippedMessage(f.Get("until"), np.zone(r.Context())))
			np.renderFrontAdmin(w, r, http.StatusUnprocessableEntity, f)
			return
		}
	}
	var fe fielderr.Errors
	if err := np.newsroomSvc.SetBreaking(r.Context(), b); errors.As(err, &fe) {
		failFields(f, fe)
		np.renderFrontAdmin(w, r, http.StatusUnprocessableEntity, f)
		return
	} else if err != nil {
		np.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/front?done=1", http.StatusSeeOther)
}

func (np *newsroomPages) saveSectionOrder(w http.ResponseWriter, r *http.Request) {
	if _, ok := np.requireCan(w, r, account.CurateSite); !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		np.formFailed(w, r, errFormBad)
		return
	}
	positions := map[string]string{}
	for k := range r.PostForm {
		if slug, ok := strings.CutPrefix(k, "pos-"); ok {
			positions[slug] = r.PostForm.Get(k)
		}
	}
	if err := np.newsroomSvc.SetSectionPositions(r.Context(), positions); errors.Is(err, newsroom.ErrSectionPosition) {
		np.badRequest(w, r, fmt.Sprintf("Positions are whole numbers from 0 to %d.", newsroom.MaxSectionPosition))
		return
	} else if err != nil {
		np.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/front?done=1", http.StatusSeeOther)
}
