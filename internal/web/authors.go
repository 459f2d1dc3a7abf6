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

func (np *newsroomPages) authorsAdmin(w http.ResponseWriter, r *http.Request) {
	if _, ok := np.requireCan(w, r, account.CurateSite); !ok {
		return
	}
	np.renderAuthors(w, r, http.StatusOK, nil)
}

func (np *newsroomPages) renderAuthors(w http.ResponseWriter, r *http.Request, status int, f *form) {
	list, err := np.newsroomSvc.Authors(r.Context())
	if err != nil {
		np.serverError(w, r, err)
		return
	}
	p := authorsPage{layoutData: np.layout(r, "Authors"), Authors: list, Form: f}
	p.NoIndex = true
	if p.Form == nil {
		p.Form = newForm()
		p.Form.Notice = doneNotice(r).Text
	}
	if np.media != nil {
		p.Images, _ = np.media.Recent(r.Context(), 60)
	}
	np.render(w, r, status, "authors", p)
}

// authorFrom reads an author form as typed; the newsroom tidies and
// checks it.
func authorFrom(f *form) *story.Author {
	a := &story.Author{Name: f.Get("name"), Bio: f.Get("bio")}
	a.PhotoID, _ = strconv.ParseInt(f.Get("photo"), 10, 64)
	return a
}

func (np *newsroomPages) createAuthor(w http.ResponseWriter, r *http.Request) {
	_, f, ok := np.staffForm(w, r, account.CurateSite, "name", "bio", "photo")
	if !ok {
		return
	}
	var fe fielderr.Errors
	if err := np.newsroomSvc.CreateAuthor(r.Context(), authorFrom(f)); errors.As(err, &fe) {
		failFields(f, fe)
		np.renderAuthors(w, r, http.StatusUnprocessableEntity, f)
		return
	} else if err != nil {
		np.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/authors?done=1", http.StatusSeeOther)
}

func (np *newsroomPages) updateAuthor(w http.ResponseWriter, r *http.Request) {
	if _, ok := np.requireCan(w, r, account.CurateSite); !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		np.notFound(w, r)
		return
	}
	f, ok := np.readForm(w, r, "name", "bio", "photo")
	if !ok {
		return
	}
	a := authorFrom(f)
	a.ID = id
	var fe fielderr.Errors
	if err := np.newsroomSvc.UpdateAuthor(r.Context(), a); errors.As(err, &fe) {
		failFields(f, fe)
		np.renderAuthors(w, r, http.StatusUnprocessableEntity, f)
		return
	} else if err != nil {
		np.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/authors?done=1", http.StatusSeeOther)
}

func (np *newsroomPages) createSection(w http.ResponseWriter, r *http.Request) {
	_, f, ok := np.staffForm(w, r, account.CurateSite, "name", "description")
	if !ok {
		return
	}
	sec := &story.Section{Name: f.Get("name"), Description: f.Get("description")}
	var fe fielderr.Errors
	if err := np.newsroomSvc.CreateSection(r.Context(), sec); errors.As(err, &fe) {
		failFields(f, fe)
		np.renderFrontAdmin(w, r, http.StatusUnprocessableEntity, f)
		return
	} else if err != nil {
		np.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/front?done=1", http.StatusSeeOther)
}
