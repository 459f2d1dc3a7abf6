package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"dateline/internal/account"
	"dateline/internal/media"
	"dateline/internal/newsroom"
	"dateline/internal/story"
)

// The story editor's script saves drafts as they are written (autosave)
// and uploads images without leaving the page. Both answer JSON; the
// editor works without them, through its form's buttons.

// savedJSON is what a successful autosave answers.
type savedJSON struct {
	ID      int64  `json:"id"`
	Version int    `json:"version"`
	SavedAt string `json:"saved_at"` // the time in the paper's zone, as people read it
	// SavedISO is the same time in UTC, for <time datetime>.
	SavedISO string `json:"saved_iso"`
	// EditURL is the story's editor and AutosaveURL where its next
	// autosave goes: a new story has them from its first save.
	EditURL     string `json:"edit_url"`
	AutosaveURL string `json:"autosave_url"`
}

// theirsJSON is the version someone else saved, sent with a conflict so
// the editor can show both texts side by side.
type theirsJSON struct {
	Version  int    `json:"version"`
	Headline string `json:"headline"`
	Dek      string `json:"dek"`
	Body     string `json:"body"`
	SavedBy  string `json:"saved_by,omitempty"`
	SavedAt  string `json:"saved_at,omitempty"`
}

// savedAtLayout is how the editor says when it saved: the time of day in
// the paper's zone, with the zone's name.
const savedAtLayout = "15:04:05 MST"

// editorFields are the editor form's fields.
var editorFields = []string{"headline", "dek", "dateline", "bylines", "section", "tags", "access", "comments",
	"slug", "body", "version", "publish_at", "correction", "action", "image", "seo_title", "seo_description"}

// autosave keeps a draft that is open in the editor: the same save as the
// form's Save button, with the same version check, so a draft someone
// else saved meanwhile is never overwritten. Only drafts are saved this
// way: a published or scheduled story changes for readers, so it changes
// only when someone presses a button.
func (np *newsroomPages) autosave(w http.ResponseWriter, r *http.Request) {
	u := viewerOf(r).User
	if u == nil {
		writeAPIError(w, http.StatusUnauthorized, "unauthorized", "You are logged out. Your text is still on this page: log in in another tab, then save again.", "")
		return
	}
	if !u.Can(account.WriteStories) {
		writeAPIError(w, http.StatusForbidden, "forbidden", "Your role cannot write stories.", "")
		return
	}
	f, err := parseForm(w, r, editorFields...)
	if err != nil {
		writeAPIError(w, http.StatusBadRequest, "invalid", "The editor sent a form that could not be read.", "")
		return
	}
	if r.PathValue("id") == "" {
		np.autosaveNew(w, r, u, f)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeAPIError(w, http.StatusNotFound, "not_found", "There is no such story.", "")
		return
	}
	existing, err := np.storySvc.StoryByID(r.Context(), id)
	switch {
	case errors.Is(err, story.ErrNotFound):
		writeAPIError(w, http.StatusNotFound, "not_found", "There is no such story.", "")
		return
	case err != nil:
		np.apiInternal(w, err)
		return
	case !newsroom.CanEdit(u, existing):
		writeAPIError(w, http.StatusForbidden, "forbidden", "You cannot edit this story: writers edit their own drafts until they submit them; then an editor takes it on.", "")
		return
	case existing.Status != story.Draft:
		writeAPIError(w, http.StatusConflict, "not_draft", "Autosave keeps drafts only: save with the buttons below to change a "+string(existing.Status)+" story.", "")
		return
	}
	st, err := np.storyFrom(r.Context(), f)
	if err != nil {
		np.apiInternal(w, err)
		return
	}
	st.ID = existing.ID
	version, _ := strconv.Atoi(f.Get("version"))
	np.answerAutosave(w, r, u, f, st, version)
}

// autosaveNew keeps a new story as a draft the first time the editor's
// script saves it; from then on the editor saves it by its id.
func (np *newsroomPages) autosaveNew(w http.ResponseWriter, r *http.Request, u *account.User, f *form) {
	st, err := np.storyFrom(r.Context(), f)
	if err != nil {
		np.apiInternal(w, err)
		return
	}
	np.answerAutosave(w, r, u, f, st, 0)
}

// answerAutosave saves st from version and answers the editor's script.
func (np *newsroomPages) answerAutosave(w http.ResponseWriter, r *http.Request, u *account.User, f *form, st *story.Story, version int) {
	err := np.newsroomSvc.Save(r.Context(), u, st, version, newsroom.Save, time.Time{}, "")
	var ve *story.ValidationError
	switch {
	case err == nil:
	case errors.As(err, &ve):
		writeAPIError(w, http.StatusUnprocessableEntity, "invalid", ve.Message, ve.Field)
		return
	case errors.Is(err, story.ErrSlugTaken):
		writeAPIError(w, http.StatusUnprocessableEntity, "invalid", "Another story already has this slug. Change the headline or type a slug.", "slug")
		return
	case errors.Is(err, story.ErrConflict):
		np.autosaveConflict(w, r, st.ID)
		return
	case errors.Is(err, newsroom.ErrForbidden):
		writeAPIError(w, http.StatusForbidden, "forbidden", "Your role cannot change this story.", "")
		return
	default:
		np.apiInternal(w, err)
		return
	}
	imageID, _ := strconv.ParseInt(f.Get("image"), 10, 64)
	if err := np.media.SetStoryImage(r.Context(), st.ID, imageID); err != nil {
		np.apiInternal(w, err)
		return
	}
	now := np.now()
	w.Header().Set("Cache-Control", "no-store")
	edit := "/admin/stories/" + strconv.FormatInt(st.ID, 10)
	writeJSON(w, http.StatusOK, savedJSON{ID: st.ID, Version: st.Version, EditURL: edit, AutosaveURL: edit + "/autosave",
		SavedAt: now.In(np.zone(r.Context())).Format(savedAtLayout), SavedISO: now.UTC().Format(time.RFC3339)})
}

// autosaveConflict answers an autosave that found a newer version: 409,
// with that version, so that the writer sees both texts and loses neither.
func (np *newsroomPages) autosaveConflict(w http.ResponseWriter, r *http.Request, id int64) {
	current, err := np.storySvc.StoryByID(r.Context(), id)
	if err != nil {
		np.apiInternal(w, err)
		return
	}
	theirs := theirsJSON{Version: current.Version, Headline: current.Headline, Dek: current.Dek, Body: current.Body}
	if revs, err := np.newsroomSvc.Revisions(r.Context(), id); err == nil && len(revs) > 0 {
		theirs.SavedBy = revs[0].UserName
		theirs.SavedAt = revs[0].CreatedAt.In(np.zone(r.Context())).Format(savedAtLayout)
	}
	writeJSON(w, http.StatusConflict, map[string]any{
		"error": apiError{Code: "conflict", Message: "Someone else saved this story while you were writing. " +
			"Your text is still in the editor and was not saved; theirs is shown beside it. Copy what you need from theirs, " +
			"then choose Keep my version to save yours over it."},
		"theirs": theirs,
	})
}

// imageMarkdown is the Markdown that puts an image from the library into
// a story's body: the picture with its alt text, and its caption, with
// the credit in brackets, in the line below.
func imageMarkdown(im *media.Image) string {
	width := im.Widths[0]
	for _, w := range im.Widths {
		if w <= 1280 {
			width = w
		}
	}
	alt := strings.NewReplacer("[", "(", "]", ")", "\n", " ", "\r", "").Replace(im.Alt)
	md := "![" + alt + "](" + im.URL(width) + ")"
	caption := strings.TrimSpace(strings.Join(strings.Fields(im.Caption), " "))
	if credit := strings.Join(strings.Fields(im.Credit), " "); credit != "" {
		if caption != "" {
			credit = " (" + credit + ")"
		}
		caption += credit
	}
	if caption != "" {
		md += "\n*" + strings.NewReplacer("*", "\\*", "_", "\\_").Replace(caption) + "*"
	}
	return md
}

// editorImage is an image the editor offers to put into the body.
type editorImage struct {
	media.Image
	Markdown string
}

// editorImages pairs the library's images with their Markdown.
func editorImages(list []media.Image) []editorImage {
	out := make([]editorImage, 0, len(list))
	for i := range list {
		out = append(out, editorImage{Image: list[i], Markdown: imageMarkdown(&list[i])})
	}
	return out
}

// bodyWords counts the words of the body as written, for the editor's
// count and reading time.
func bodyWords(body string) int {
	n := 0
	for _, w := range strings.Fields(body) {
		if strings.IndexFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0 {
			n++
		}
	}
	return n
}

// apiInternal answers the editor's script when something failed on the
// server, as the API does.
func (np *newsroomPages) apiInternal(w http.ResponseWriter, err error) {
	(&storyAPI{Server: np.Server}).apiInternal(w, err)
}

// wantsJSON reports whether the request comes from a script that reads
// JSON, such as the editor's upload.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// uploadedJSON is what an upload from the editor answers.
type uploadedJSON struct {
	ID       int64  `json:"id"`
	Alt      string `json:"alt"`
	URL      string `json:"url"`
	Markdown string `json:"markdown"`
}

// uploadImageJSON adds an image to the library for the editor's script,
// which puts it into the body: the upload of the images page, answered
// in JSON.
func (np *newsroomPages) uploadImageJSON(w http.ResponseWriter, r *http.Request) {
	u := viewerOf(r).User
	if u == nil {
		writeAPIError(w, http.StatusUnauthorized, "unauthorized", "You are logged out: log in again, then upload.", "")
		return
	}
	if !u.Can(account.UploadImages) {
		writeAPIError(w, http.StatusForbidden, "forbidden", "Your role cannot upload images.", "")
		return
	}
	im, ok := addUploadedImage(w, r, np.media, u, np.apiInternal, "Choose an image file to upload.", "Choose an image file to upload.")
	if ok {
		writeJSON(w, http.StatusCreated, uploadedJSON{ID: im.ID, Alt: im.Alt, URL: im.URL(im.Widths[0]), Markdown: imageMarkdown(im)})
	}
}
