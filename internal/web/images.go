package web

import (
	"errors"
	"net/http"
	"os"
	"strconv"

	"dateline/internal/account"
	"dateline/internal/media"
	"dateline/internal/story"
)

// imagesPage is the data of /admin/images.
type imagesPage struct {
	layoutData
	Images []media.Image
	Form   *form
	Added  *media.Image
}

func (s *Server) imageRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/images", s.imagesAdmin)
	mux.HandleFunc("POST /admin/images", s.uploadImage)
	mux.HandleFunc("GET /images/{id}/{file}", s.serveImage)
}

func (s *Server) imagesAdmin(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requireCan(w, r, account.UploadImages); !ok {
		return
	}
	f, added := newForm(), (*media.Image)(nil)
	if id, err := strconv.ParseInt(r.URL.Query().Get("added"), 10, 64); err == nil {
		im, err := s.media.Image(r.Context(), id)
		if err != nil && !errors.Is(err, story.ErrNotFound) {
			s.serverError(w, r, err)
			return
		}
		if im != nil {
			f.Notice, added = imageAdded, im
		}
	}
	s.renderImages(w, r, http.StatusOK, f, added)
}

// imageAdded is the notice shown after an upload.
const imageAdded = "The image is ready. Choose it as a story's featured image in the story editor."

func (s *Server) renderImages(w http.ResponseWriter, r *http.Request, status int, f *form, added *media.Image) {
	list, err := s.media.Recent(r.Context(), 60)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := imagesPage{layoutData: s.layout(r, "Images"), Images: list, Form: f, Added: added}
	p.NoIndex = true
	s.render(w, r, status, "images", p)
}

func (s *Server) uploadImage(w http.ResponseWriter, r *http.Request) {
	v, ok := s.requireCan(w, r, account.UploadImages)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, uploadBodyBytes)
	f := newForm()
	// #nosec G120 -- the body is capped by MaxBytesReader just above.
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			f.Fail("file", media.ErrTooLarge.Error())
			s.renderImages(w, r, http.StatusRequestEntityTooLarge, f, nil)
			return
		}
		f.Fail("file", "Choose an image file to upload.")
		s.renderImages(w, r, http.StatusBadRequest, f, nil)
		return
	}
	defer r.MultipartForm.RemoveAll()
	for _, k := range []string{"alt", "caption", "credit"} {
		f.Values[k] = r.FormValue(k)
	}
	file, _, err := r.FormFile("file")
	if err != nil {
		f.Fail("file", "Choose an image file to upload.")
		s.renderImages(w, r, http.StatusUnprocessableEntity, f, nil)
		return
	}
	defer file.Close()
	im, err := s.media.Add(r.Context(), file, f.Get("alt"), f.Get("caption"), f.Get("credit"), v.User.ID)
	switch {
	case errors.Is(err, media.ErrNoAlt):
		f.Fail("alt", err.Error())
	case errors.Is(err, media.ErrNotImage):
		f.Fail("file", err.Error())
	case errors.Is(err, media.ErrTooLarge):
		f.Fail("file", err.Error())
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	if !f.OK() {
		s.renderImages(w, r, http.StatusUnprocessableEntity, f, nil)
		return
	}
	http.Redirect(w, r, "/admin/images?added="+strconv.FormatInt(im.ID, 10), http.StatusSeeOther)
}

// serveImage sends a stored copy; its address never changes content, so
// browsers keep it for a year.
func (s *Server) serveImage(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	path := ""
	if err == nil {
		path = s.media.Path(id, r.PathValue("file"))
	}
	if path == "" {
		s.notFound(w, r)
		return
	}
	fh, err := os.Open(path) // #nosec G703 G304 -- Library.Path builds the name from numbers only
	if err != nil {
		s.notFound(w, r)
		return
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		s.notFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	http.ServeContent(w, r, st.Name(), st.ModTime(), fh)
}
