package web

import (
	"errors"
	"net/http"
	"strconv"

	"dateline/internal/account"
	fielderr "dateline/internal/field"
	"dateline/internal/media"
	"dateline/internal/story"
)

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
	list, err := s.newsroomSvc.Authors(r.Context())
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
	if s.media != nil {
		p.Images, _ = s.media.Recent(r.Context(), 60)
	}
	s.render(w, r, status, "authors", p)
}

// authorFrom reads an author form as typed; the newsroom tidies and
// checks it.
func authorFrom(f *form) *story.Author {
	a := &story.Author{Name: f.Get("name"), Bio: f.Get("bio")}
	a.PhotoID, _ = strconv.ParseInt(f.Get("photo"), 10, 64)
	return a
}

func (s *Server) createAuthor(w http.ResponseWriter, r *http.Request) {
	_, f, ok := s.staffForm(w, r, account.CurateSite, "name", "bio", "photo")
	if !ok {
		return
	}
	var fe fielderr.Errors
	if err := s.newsroomSvc.CreateAuthor(r.Context(), authorFrom(f)); errors.As(err, &fe) {
		failFields(f, fe)
		s.renderAuthors(w, r, http.StatusUnprocessableEntity, f)
		return
	} else if err != nil {
		s.serverError(w, r, err)
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
	a := authorFrom(f)
	a.ID = id
	var fe fielderr.Errors
	if err := s.newsroomSvc.UpdateAuthor(r.Context(), a); errors.As(err, &fe) {
		failFields(f, fe)
		s.renderAuthors(w, r, http.StatusUnprocessableEntity, f)
		return
	} else if err != nil {
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
	sec := &story.Section{Name: f.Get("name"), Description: f.Get("description")}
	var fe fielderr.Errors
	if err := s.newsroomSvc.CreateSection(r.Context(), sec); errors.As(err, &fe) {
		failFields(f, fe)
		s.renderFrontAdmin(w, r, http.StatusUnprocessableEntity, f)
		return
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/front?done=1", http.StatusSeeOther)
}
