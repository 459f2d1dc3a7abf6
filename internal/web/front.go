package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"dateline/internal/account"
	"dateline/internal/story"
)

// FrontAdmin is what front-page curation needs of the database.
type FrontAdmin interface {
	Settings(ctx context.Context, keys ...string) (map[string]string, error)
	SetSetting(ctx context.Context, key, value string) error
	SetSectionPosition(ctx context.Context, sectionID int64, position int) error
	StoryByID(ctx context.Context, id int64) (*story.Story, error)
}

// maxTopStories is how many stories an editor may order under the lead.
const maxTopStories = 6

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
	if s.front == nil {
		return c, nil
	}
	vals, err := s.front.Settings(ctx, "front_lead", "front_top", "breaking_text", "breaking_url", "breaking_until")
	if err != nil {
		return c, err
	}
	get := func(key string) string { return vals[key] }
	c.Lead, _ = strconv.ParseInt(get("front_lead"), 10, 64)
	for _, f := range strings.Split(get("front_top"), ",") {
		if id, err := strconv.ParseInt(f, 10, 64); err == nil && id > 0 {
			c.Top = append(c.Top, id)
		}
	}
	if text := get("breaking_text"); text != "" {
		until, err := time.Parse(time.RFC3339, get("breaking_until"))
		if err == nil && s.now().Before(until) {
			c.Alert, c.Until = &breaking{Text: text, URL: get("breaking_url")}, until
		}
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
		st, err := s.store.StoryByID(ctx, id)
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
	list, err := s.store.PublishedStories(r.Context(), story.Filter{Limit: 60})
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
		if r.URL.Query().Get("done") == "1" {
			p.Form.Notice = "Saved."
		}
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
	lead, _ := strconv.ParseInt(r.PostForm.Get("lead"), 10, 64)
	var top []string
	for i := range maxTopStories {
		if id, err := strconv.ParseInt(r.PostForm.Get("top"+strconv.Itoa(i)), 10, 64); err == nil && id > 0 {
			top = append(top, strconv.FormatInt(id, 10))
		}
	}
	if err := s.front.SetSetting(r.Context(), "front_lead", strconv.FormatInt(lead, 10)); err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.front.SetSetting(r.Context(), "front_top", strings.Join(top, ",")); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/front?done=1", http.StatusSeeOther)
}

func (s *Server) saveBreaking(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requireCan(w, r, account.CurateSite); !ok {
		return
	}
	f, err := parseForm(w, r, "text", "url", "until")
	if err != nil {
		s.formFailed(w, r, err)
		return
	}
	until := time.Time{}
	if f.Get("text") != "" {
		if len([]rune(f.Get("text"))) > 200 {
			f.Fail("text", "Keep the banner under 200 characters.")
		}
		if u := f.Get("url"); u != "" {
			if parsed, err := url.Parse(u); err != nil || (!strings.HasPrefix(u, "/") && parsed.Scheme != "https" && parsed.Scheme != "http") || strings.HasPrefix(u, "//") {
				f.Fail("url", "Give a link on this site (starting with /) or an http(s) address.")
			}
		}
		if until, err = time.Parse("2006-01-02T15:04", f.Get("until")); err != nil || !until.After(s.now()) {
			f.Fail("until", "Give the time the banner comes down, in the future (UTC).")
		}
	}
	if !f.OK() {
		s.renderFrontAdmin(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	for k, v := range map[string]string{"breaking_text": f.Get("text"), "breaking_url": f.Get("url"), "breaking_until": until.UTC().Format(time.RFC3339)} {
		if err := s.front.SetSetting(r.Context(), k, v); err != nil {
			s.serverError(w, r, err)
			return
		}
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
	secs, err := s.store.Sections(r.Context())
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
