package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"dateline/internal/account"
	"dateline/internal/media"
	"dateline/internal/story"
)

// DeskAdmin is what the pages for authors and sections write.
type DeskAdmin interface {
	Authors(ctx context.Context) ([]story.Author, error)
	CreateAuthor(ctx context.Context, a *story.Author) error
	UpdateAuthor(ctx context.Context, a *story.Author) error
	CreateSection(ctx context.Context, sec *story.Section) error
}

// authorsPage is the data of /admin/authors.
type authorsPage struct {
	layoutData
	Authors []story.Author
	Images  []media.Image
	Form    *form
}

func (s *Server) deskRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/authors", s.authorsAdmin)
	mux.HandleFunc("POST /admin/authors", s.createAuthor)
	mux.HandleFunc("POST /admin/authors/{id}", s.updateAuthor)
	mux.HandleFunc("POST /admin/sections", s.createSection)
}

func (s *Server) authorsAdmin(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requireCan(w, r, account.CurateSite); !ok {
		return
	}
	s.renderAuthors(w, r, http.StatusOK, nil)
}

func (s *Server) renderAuthors(w http.ResponseWriter, r *http.Request, status int, f *form) {
	list, err := s.desk.Authors(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := authorsPage{layoutData: s.layout(r, "Authors"), Authors: list, Form: f}
	p.NoIndex = true
	if p.Form == nil {
		p.Form = newForm()
		p.Form.Notice = doneNotice(r).Text
	}
	if s.images != nil {
		p.Images, _ = s.images.RecentImages(r.Context(), 60)
	}
	s.render(w, r, status, "authors", p)
}

// authorFrom reads an author form; the photo must be a known image.
func (s *Server) authorFrom(r *http.Request, f *form) *story.Author {
	a := &story.Author{Name: strings.Join(strings.Fields(f.Get("name")), " "), Bio: strings.TrimSpace(f.Get("bio"))}
	if a.Name == "" || len([]rune(a.Name)) > 80 {
		f.Fail("name", "Give the author's name, up to 80 characters.")
	}
	if len([]rune(a.Bio)) > 600 {
		f.Fail("bio", "Keep the bio under 600 characters.")
	}
	if id, err := strconv.ParseInt(f.Get("photo"), 10, 64); err == nil && id > 0 && s.images != nil {
		if _, err := s.images.ImageByID(r.Context(), id); err == nil {
			a.PhotoID = id
		}
	}
	return a
}

func (s *Server) createAuthor(w http.ResponseWriter, r *http.Request) {
	_, f, ok := s.staffForm(w, r, account.CurateSite, "name", "bio", "photo")
	if !ok {
		return
	}
	a := s.authorFrom(r, f)
	if f.OK() {
		a.Slug = story.Slugify(a.Name)
		err := s.desk.CreateAuthor(r.Context(), a)
		if errors.Is(err, story.ErrSlugTaken) {
			f.Fail("name", "An author with this name already exists.")
		} else if err != nil {
			s.serverError(w, r, err)
			return
		} else if a.PhotoID != 0 || a.Bio != "" {
			if err := s.desk.UpdateAuthor(r.Context(), a); err != nil {
				s.serverError(w, r, err)
				return
			}
		}
	}
	if !f.OK() {
		s.renderAuthors(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	http.Redirect(w, r, "/admin/authors?done=1", http.StatusSeeOther)
}

func (s *Server) updateAuthor(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requireCan(w, r, account.CurateSite); !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return
	}
	f, ok := s.readForm(w, r, "name", "bio", "photo")
	if !ok {
		return
	}
	a := s.authorFrom(r, f)
	if !f.OK() {
		s.renderAuthors(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	a.ID = id
	if err := s.desk.UpdateAuthor(r.Context(), a); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/authors?done=1", http.StatusSeeOther)
}

func (s *Server) createSection(w http.ResponseWriter, r *http.Request) {
	_, f, ok := s.staffForm(w, r, account.CurateSite, "name", "description")
	if !ok {
		return
	}
	sec := &story.Section{Name: strings.Join(strings.Fields(f.Get("name")), " "), Description: f.Get("description"), Position: 100}
	if sec.Name == "" || len([]rune(sec.Name)) > 40 {
		f.Fail("name", "Give the section a name of up to 40 characters.")
	} else {
		sec.Slug = story.Slugify(sec.Name)
		if err := s.desk.CreateSection(r.Context(), sec); errors.Is(err, story.ErrSlugTaken) {
			f.Fail("name", "A section with this name already exists.")
		} else if err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if !f.OK() {
		s.renderFrontAdmin(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	http.Redirect(w, r, "/admin/front?done=1", http.StatusSeeOther)
}
