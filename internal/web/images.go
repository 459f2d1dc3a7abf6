package web

import (
	"errors"
	"net/http"
	"os"
	"strconv"
	"strings"

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

func (np *newsroomPages) imagesAdmin(w http.ResponseWriter, r *http.Request) {
	if _, ok := np.requireCan(w, r, account.UploadImages); !ok {
		return
	}
	f, added := newForm(), (*media.Image)(nil)
	if id, err := strconv.ParseInt(r.URL.Query().Get("added"), 10, 64); err == nil {
		im, err := np.media.Image(r.Context(), id)
		if err != nil && !errors.Is(err, story.ErrNotFound) {
			np.serverError(w, r, err)
			return
		}
		if im != nil {
			f.Notice, added = imageAdded, im
		}
	}
	np.renderImages(w, r, http.StatusOK, f, added)
}

// imageAdded is the notice shown after an upload.
const imageAdded = "The image is ready. Choose it as a story's featured image in the story editor."

func (np *newsroomPages) renderImages(w http.ResponseWriter, r *http.Request, status int, f *form, added *media.Image) {
	list, err := np.media.Recent(r.Context(), 60)
	if err != nil {
		np.serverError(w, r, err)
		return
	}
	p := imagesPage{layoutData: np.layout(r, "Images"), Images: list, Form: f, Added: added}
	p.NoIndex = true
	np.render(w, r, status, "images", p)
}

func (np *newsroomPages) uploadImage(w http.ResponseWriter, r *http.Request) {
	if wantsJSON(r) {
		np.uploadImageJSON(w, r)
		return
	}
	v, ok := np.requireCan(w, r, account.UploadImages)
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
			np.renderImages(w, r, http.StatusRequestEntityTooLarge, f, nil)
			return
		}
		f.Fail("file", "Choose an image file to upload.")
		np.renderImages(w, r, http.StatusBadRequest, f, nil)
		return
	}
	defer r.MultipartForm.RemoveAll()
	for _, k := range []string{"alt", "caption", "credit"} {
		f.Values[k] = r.FormValue(k)
	}
	file, _, err := r.FormFile("file")
	if err != nil {
		f.Fail("file", "Choose an image file to upload.")
		np.renderImages(w, r, http.StatusUnprocessableEntity, f, nil)
		return
	}
	defer file.Close()
	im, err := np.media.Add(r.Context(), file, f.Get("alt"), f.Get("caption"), f.Get("credit"), v.User.ID)
	switch {
	case errors.Is(err, media.ErrNoAlt):
		f.Fail("alt", err.Error())
	case errors.Is(err, media.ErrNotImage):
		f.Fail("file", err.Error())
	case errors.Is(err, media.ErrTooLarge):
		f.Fail("file", err.Error())
	case err != nil:
		np.serverError(w, r, err)
		return
	}
	if !f.OK() {
		np.renderImages(w, r, http.StatusUnprocessableEntity, f, nil)
		return
	}
	// An upload from the story editor goes back to the story.
	if back := safeNext(r.FormValue("back"), ""); strings.HasPrefix(back, "/admin/stories/") && !strings.Contains(back, "?") {
		http.Redirect(w, r, back+"?image="+strconv.FormatInt(im.ID, 10), http.StatusSeeOther) // #nosec G710 -- safeNext keeps back on this site
		return
	}
	http.Redirect(w, r, "/admin/images?added="+strconv.FormatInt(im.ID, 10), http.StatusSeeOther)
}

// serveImage sends a stored copy; its address never changes content, so
// browsers keep it for a year.
func (np *newsroomPages) serveImage(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	path := ""
	if err == nil {
		path = np.media.Path(id, r.PathValue("file"))
	}
	if path == "" {
		np.notFound(w, r)
		return
	}
	fh, err := os.Open(path) // #nosec G703 G304 -- Library.Path builds the name from numbers only
	if err != nil {
		np.notFound(w, r)
		return
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		np.notFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	http.ServeContent(w, r, st.Name(), st.ModTime(), fh)
}
