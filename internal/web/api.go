package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"dateline/internal/account"
	"dateline/internal/media"
	"dateline/internal/newsroom"
	"dateline/internal/story"
)

// storyAPI is /api/v1, through which the newsroom's own tools write and
// publish stories and upload images, signed in with an API token.
type storyAPI struct {
	*Server
	newsroom *newsroom.Service
	media    *media.Library
	accounts *account.Service
}

// apiError is every error the API answers: a stable code and a sentence.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func writeAPIError(w http.ResponseWriter, status int, code, message, field string) {
	writeJSON(w, status, map[string]apiError{"error": {Code: code, Message: message, Field: field}})
}

// apiStory is a story as the API reads and writes it.
type apiStory struct {
	ID          int64      `json:"id,omitempty"`
	Slug        string     `json:"slug"`
	Headline    string     `json:"headline"`
	Dek         string     `json:"dek"`
	Dateline    string     `json:"dateline"`
	Bylines     []string   `json:"bylines"`
	Section     string     `json:"section"`
	Tags        []string   `json:"tags"`
	Access      string     `json:"access"`
	Comments    string     `json:"comments"`
	Body        string     `json:"body"`
	Credit      string     `json:"credit"`
	Status      string     `json:"status,omitempty"`
	URL         string     `json:"url,omitempty"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	UpdatedAt   *time.Time `json:"updated_at,omitempty"`
	Version     int        `json:"version"`
	// WireURI and WireVersion name the agency's item a story came from
	// (POST as ninjs); they are read, never written, through this type.
	WireURI     string     `json:"wire_uri,omitempty"`
	WireVersion *time.Time `json:"wire_version,omitempty"`
}

func (sa *storyAPI) apiStoryOf(st *story.Story) apiStory {
	a := apiStory{ID: st.ID, Slug: st.Slug, Headline: st.Headline, Dek: st.Dek, Dateline: st.Dateline,
		Section: st.Section.Slug, Access: string(st.Access), Comments: st.Comments, Body: st.Body, Credit: st.Credit,
		Status: string(st.Status), Version: st.Version, Bylines: []string{}, Tags: []string{}}
	for _, b := range st.Bylines {
		a.Bylines = append(a.Bylines, b.Name)
	}
	for _, t := range st.Tags {
		a.Tags = append(a.Tags, t.Name)
	}
	if !st.PublishedAt.IsZero() {
		t := st.PublishedAt
		a.PublishedAt = &t
		if st.Status == story.Published {
			a.URL = sa.opts.BaseURL + st.Path()
		}
	}
	if st.Updated() {
		t := st.UpdatedAt
		a.UpdatedAt = &t
	}
	if st.Wire.URI != "" {
		t := st.Wire.Version
		a.WireURI, a.WireVersion = st.Wire.URI, &t
	}
	return a
}

// apiImage is an uploaded image as the API reports it.
type apiImage struct {
	ID     int64    `json:"id"`
	Width  int      `json:"width"`
	Height int      `json:"height"`
	Alt    string   `json:"alt"`
	URLs   []string `json:"urls"`
}

func (sa *storyAPI) uploadImage(w http.ResponseWriter, r *http.Request, u *account.User) {
	if !apiCan(w, u, account.UploadImages) {
		return
	}
	im, ok := addUploadedImage(w, r, sa.media, u, sa.apiInternal,
		"Send multipart/form-data with a file field.", "Send the image in a field named file.")
	if !ok {
		return
	}
	out := apiImage{ID: im.ID, Width: im.Width, Height: im.Height, Alt: im.Alt}
	for _, wd := range im.Widths {
		out.URLs = append(out.URLs, sa.opts.BaseURL+im.URL(wd))
	}
	writeJSON(w, http.StatusCreated, out)
}

// api authenticates a request by its bearer token and passes the user on.
func (sa *storyAPI) api(h func(w http.ResponseWriter, r *http.Request, u *account.User)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="dateline"`)
			writeAPIError(w, http.StatusUnauthorized, "unauthorized", "Send an API token as: Authorization: Bearer dl_…", "")
			return
		}
		u, err := sa.accounts.AuthenticateAPI(r.Context(), strings.TrimSpace(secret))
		if errors.Is(err, account.ErrNotFound) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="dateline", error="invalid_token"`)
			writeAPIError(w, http.StatusUnauthorized, "unauthorized", "The token is unknown or was revoked.", "")
			return
		}
		if err != nil {
			sa.log.Error("api auth", "err", err)
			writeAPIError(w, http.StatusInternalServerError, "internal", "Something went wrong on our side.", "")
			return
		}
		h(w, r, u)
	}
}

// apiCan answers 403 unless u's role may do p, as the same role may on
// the newsroom's pages.
func apiCan(w http.ResponseWriter, u *account.User, p account.Permission) bool {
	if u.Can(p) {
		return true
	}
	writeAPIError(w, http.StatusForbidden, "forbidden", "Your role cannot "+string(p)+".", "")
	return false
}

// apiStoryFor loads the story in the path if u may edit it.
func (sa *storyAPI) apiStoryFor(w http.ResponseWriter, r *http.Request, u *account.User) (*story.Story, bool) {
	if !apiCan(w, u, account.WriteStories) {
		return nil, false
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeAPIError(w, http.StatusNotFound, "not_found", "There is no such story.", "")
		return nil, false
	}
	st, err := sa.storySvc.StoryByID(r.Context(), id)
	if errors.Is(err, story.ErrNotFound) {
		writeAPIError(w, http.StatusNotFound, "not_found", "There is no such story.", "")
		return nil, false
	}
	if err != nil {
		sa.apiInternal(w, err)
		return nil, false
	}
	if !newsroom.CanEdit(u, st) {
		writeAPIError(w, http.StatusForbidden, "forbidden", "Your role cannot work on this story.", "")
		return nil, false
	}
	return st, true
}

// addUploadedImage adds the image posted as multipart/form-data (the file
// in the field file, with alt, caption and credit) to lib for u, or
// answers the mistake in JSON, naming the field: malformed is what to
// tell a client that sent no form, missing one whose form has no file.
// internal answers what failed on the server. It reports whether it
// added the image.
func addUploadedImage(w http.ResponseWriter, r *http.Request, lib *media.Library, u *account.User,
	internal func(http.ResponseWriter, error), malformed, missing string) (*media.Image, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, uploadBodyBytes)
	// #nosec G120 -- the body is capped by MaxBytesReader just above.
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeAPIError(w, http.StatusRequestEntityTooLarge, "too_large", media.ErrTooLarge.Error(), "file")
			return nil, false
		}
		writeAPIError(w, http.StatusBadRequest, "malformed", malformed, "file")
		return nil, false
	}
	defer r.MultipartForm.RemoveAll()
	file, _, err := r.FormFile("file")
	if err != nil {
		writeAPIError(w, http.StatusUnprocessableEntity, "invalid", missing, "file")
		return nil, false
	}
	defer file.Close()
	im, err := lib.Add(r.Context(), file, r.FormValue("alt"), r.FormValue("caption"), r.FormValue("credit"), u.ID)
	switch {
	case errors.Is(err, media.ErrNoAlt):
		writeAPIError(w, http.StatusUnprocessableEntity, "invalid", err.Error(), "alt")
		return nil, false
	case errors.Is(err, media.ErrNotImage), errors.Is(err, media.ErrTooLarge):
		writeAPIError(w, http.StatusUnprocessableEntity, "invalid", err.Error(), "file")
		return nil, false
	case err != nil:
		internal(w, err)
		return nil, false
	}
	return im, true
}

func (sa *storyAPI) apiInternal(w http.ResponseWriter, err error) {
	if errors.Is(err, context.Canceled) {
		// The client hung up: its request's context ended the work.
		sa.log.Debug("api: client left", "err", err)
		w.WriteHeader(statusClientClosed)
		return
	}
	sa.log.Error("api", "err", err)
	writeAPIError(w, http.StatusInternalServerError, "internal", "Something went wrong on our side.", "")
}

// listStories answers a page of stories, newest first, each as getStory
// answers it. When more follow, "next" holds the address of the next
// page: the same filter with an opaque cursor.
func (sa *storyAPI) listStories(w http.ResponseWriter, r *http.Request, u *account.User) {
	if !apiCan(w, u, account.WriteStories) {
		return
	}
	q := r.URL.Query()
	f := story.PageFilter{Status: story.Status(q.Get("status")), Limit: 50}
	if f.Status != "" && !f.Status.Valid() {
		writeAPIError(w, http.StatusBadRequest, "invalid", "status is draft, scheduled or published.", "status")
		return
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			writeAPIError(w, http.StatusBadRequest, "invalid", "limit is a whole number from 1 to 200.", "limit")
			return
		}
		f.Limit = n
	}
	if v := q.Get("cursor"); v != "" {
		id, ok := parseCursor(v)
		if !ok {
			writeAPIError(w, http.StatusBadRequest, "invalid", "cursor is not one this API gave: pass the next address as it came.", "cursor")
			return
		}
		f.BeforeID = id
	}
	want := f.Limit
	f.Limit++ // one more tells whether a next page exists
	list, err := sa.newsroomSvc.StoryPage(r.Context(), u, f)
	if err != nil {
		sa.apiInternal(w, err)
		return
	}
	page := struct {
		Stories []apiStory `json:"stories"`
		Next    string     `json:"next,omitempty"`
	}{Stories: make([]apiStory, 0, want)}
	for i := range list[:min(want, len(list))] {
		page.Stories = append(page.Stories, sa.apiStoryOf(&list[i]))
	}
	if len(list) > want {
		next := url.Values{"cursor": {formatCursor(list[want-1].ID)}}
		if f.Status != "" {
			next.Set("status", string(f.Status))
		}
		if q.Get("limit") != "" {
			next.Set("limit", strconv.Itoa(want))
		}
		page.Next = "/api/v1/stories?" + next.Encode()
		w.Header().Set("Link", "<"+sa.opts.BaseURL+page.Next+`>; rel="next"`)
	}
	writeJSON(w, http.StatusOK, page)
}

// cursorPrefix marks the API's cursors, so that a mistyped one is told
// apart from one of ours.
const cursorPrefix = "s1."

// formatCursor writes the position after the story with this id as an
// opaque token: clients pass it back and do not read it.
func formatCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.FormatInt(id, 10)))
}

// parseCursor reads a cursor formatCursor wrote.
func parseCursor(c string) (int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, false
	}
	digits, ok := strings.CutPrefix(string(b), cursorPrefix)
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || id < 1 {
		return 0, false
	}
	return id, true
}

func (sa *storyAPI) getStory(w http.ResponseWriter, r *http.Request, u *account.User) {
	if st, ok := sa.apiStoryFor(w, r, u); ok {
		writeJSON(w, http.StatusOK, sa.apiStoryOf(st))
	}
}

// decodeStory reads a JSON story, refusing unknown fields and oversized
// bodies with a 4xx.
func (sa *storyAPI) decodeStory(w http.ResponseWriter, r *http.Request) (*apiStory, bool) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		writeAPIError(w, http.StatusUnsupportedMediaType, "unsupported_media_type", "Send JSON with Content-Type: application/json.", "")
		return nil, false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 512<<10))
	dec.DisallowUnknownFields()
	var in apiStory
	if err := dec.Decode(&in); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeAPIError(w, http.StatusRequestEntityTooLarge, "too_large", "The body is larger than 512 KiB.", "")
			return nil, false
		}
		writeAPIError(w, http.StatusBadRequest, "malformed", "The body is not a story in JSON: "+err.Error(), "")
		return nil, false
	}
	if dec.More() {
		writeAPIError(w, http.StatusBadRequest, "malformed", "Send one JSON object.", "")
		return nil, false
	}
	if _, err := io.Copy(io.Discard, dec.Buffered()); err != nil {
		return nil, false
	}
	return &in, true
}

// storyOfAPI turns API input into a story, resolving staff bylines.
func (sa *storyAPI) storyOfAPI(r *http.Request, in *apiStory) (*story.Story, error) {
	f := newForm()
	f.Values = map[string]string{"headline": in.Headline, "dek": in.Dek, "dateline": in.Dateline,
		"bylines": strings.Join(in.Bylines, ","), "section": in.Section, "tags": strings.Join(in.Tags, ","),
		"access": in.Access, "comments": in.Comments, "slug": in.Slug, "body": in.Body}
	if f.Values["access"] == "" {
		f.Values["access"] = "free"
	}
	st, err := sa.storyFrom(r.Context(), f)
	if err != nil {
		return nil, err
	}
	st.Credit = strings.TrimSpace(in.Credit)
	return st, nil
}

// apiSaveError answers what Save said.
func (sa *storyAPI) apiSaveError(w http.ResponseWriter, err error) {
	var ve *story.ValidationError
	switch {
	case errors.As(err, &ve):
		writeAPIError(w, http.StatusUnprocessableEntity, "invalid", ve.Message, ve.Field)
	case errors.Is(err, story.ErrSlugTaken):
		writeAPIError(w, http.StatusConflict, "slug_taken", "Another story already has this slug.", "slug")
	case errors.Is(err, story.ErrConflict):
		writeAPIError(w, http.StatusConflict, "version_conflict", "Someone saved this story since the version you sent; fetch it again.", "version")
	case errors.Is(err, newsroom.ErrForbidden):
		writeAPIError(w, http.StatusForbidden, "forbidden", "Your role cannot do that.", "")
	default:
		sa.apiInternal(w, err)
	}
}

func (sa *storyAPI) createStory(w http.ResponseWriter, r *http.Request, u *account.User) {
	if !apiCan(w, u, account.WriteStories) {
		return
	}
	if isNinjs(r) {
		sa.fileNinjs(w, r, u)
		return
	}
	in, ok := sa.decodeStory(w, r)
	if !ok {
		return
	}
	st, err := sa.storyOfAPI(r, in)
	if err != nil {
		sa.apiInternal(w, err)
		return
	}
	if err := sa.newsroomSvc.Save(r.Context(), u, st, 0, newsroom.Save, time.Time{}, ""); err != nil {
		sa.apiSaveError(w, err)
		return
	}
	saved, err := sa.storySvc.StoryByID(r.Context(), st.ID)
	if err != nil {
		sa.apiInternal(w, err)
		return
	}
	w.Header().Set("Location", "/api/v1/stories/"+strconv.FormatInt(st.ID, 10))
	sa.purge(r, tagLists, storyTag(saved.ID))
	writeJSON(w, http.StatusCreated, sa.apiStoryOf(saved))
}

func (sa *storyAPI) updateStory(w http.ResponseWriter, r *http.Request, u *account.User) {
	old, ok := sa.apiStoryFor(w, r, u)
	if !ok {
		return
	}
	in, ok := sa.decodeStory(w, r)
	if !ok {
		return
	}
	if in.Version == 0 {
		writeAPIError(w, http.StatusUnprocessableEntity, "invalid", "Send the version you are changing, as read from the API.", "version")
		return
	}
	st, err := sa.storyOfAPI(r, in)
	if err != nil {
		sa.apiInternal(w, err)
		return
	}
	st.ID = old.ID
	if st.Slug == "" {
		st.Slug = old.Slug // an address, once made, stays unless asked
	}
	if err := sa.newsroomSvc.Save(r.Context(), u, st, in.Version, newsroom.Save, time.Time{}, ""); err != nil {
		sa.apiSaveError(w, err)
		return
	}
	saved, err := sa.storySvc.StoryByID(r.Context(), st.ID)
	if err != nil {
		sa.apiInternal(w, err)
		return
	}
	sa.purge(r, tagLists, storyTag(saved.ID))
	writeJSON(w, http.StatusOK, sa.apiStoryOf(saved))
}

func (sa *storyAPI) publishStory(w http.ResponseWriter, r *http.Request, u *account.User) {
	if !apiCan(w, u, account.PublishStories) {
		return
	}
	st, ok := sa.apiStoryFor(w, r, u)
	if !ok {
		return
	}
	var in struct {
		At *time.Time `json:"at"`
	}
	if r.ContentLength != 0 {
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil && !errors.Is(err, io.EOF) {
			writeAPIError(w, http.StatusBadRequest, "malformed", "Send {} to publish now, or {\"at\": \"2026-12-01T07:00:00Z\"} to schedule.", "")
			return
		}
	}
	action, at := newsroom.Publish, time.Time{}
	if in.At != nil {
		action, at = newsroom.Schedule, *in.At
	}
	if err := sa.newsroomSvc.Save(r.Context(), u, st, st.Version, action, at, ""); err != nil {
		sa.apiSaveError(w, err)
		return
	}
	saved, err := sa.storySvc.StoryByID(r.Context(), st.ID)
	if err != nil {
		sa.apiInternal(w, err)
		return
	}
	sa.purge(r, tagLists, storyTag(saved.ID))
	writeJSON(w, http.StatusOK, sa.apiStoryOf(saved))
}

func (ap *accountPages) createToken(w http.ResponseWriter, r *http.Request) {
	v, f, ok := ap.userForm(w, r, "name")
	if !ok {
		return
	}
	secret, err := ap.accounts.CreateAPIToken(r.Context(), v.User, f.Get("name"))
	if err != nil {
		status, ok := ap.accountError(w, f, err)
		if !ok {
			ap.serverError(w, r, err)
			return
		}
		ap.renderAccount(w, r, v, status, func(p *accountPage) { p.TokenForm = f })
		return
	}
	// The secret is shown this once, on the page the browser is sent to;
	// only its hash is kept.
	if err := ap.setFlash(w, v, secret); err != nil {
		ap.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/account?done=new-token#tokens-heading", http.StatusSeeOther)
}

func (ap *accountPages) revokeToken(w http.ResponseWriter, r *http.Request) {
	v, ok := ap.requireUser(w, r)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		ap.notFound(w, r)
		return
	}
	if err := ap.accounts.RevokeAPIToken(r.Context(), v.User.ID, id); err != nil {
		ap.fail(w, r, accountNotFound(err))
		return
	}
	http.Redirect(w, r, "/account?done=token", http.StatusSeeOther)
}

func accountNotFound(err error) error {
	if errors.Is(err, account.ErrNotFound) {
		return story.ErrNotFound
	}
	return err
}
