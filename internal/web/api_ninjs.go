package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"dateline/internal/account"
	"dateline/internal/newsroom"
	"dateline/internal/story"
)

// ninjsType is the media type of IPTC ninjs documents.
const ninjsType = "application/ninjs+json"

// isNinjs reports whether a story is sent as an agency's ninjs item: by
// its media type, or by ?format=ninjs for tools that can only send JSON.
func isNinjs(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == ninjsType || r.URL.Query().Get("format") == "ninjs"
}

// fileNinjs takes an agency's item in ninjs: the first version makes a
// draft in the section named by ?section=, a later version updates the
// story made from it (200), the same version again changes nothing (200),
// and an older one is refused (409 stale_version).
func (sa *storyAPI) fileNinjs(w http.ResponseWriter, r *http.Request, u *account.User) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != ninjsType && mt != "application/json" {
		writeAPIError(w, http.StatusUnsupportedMediaType, "unsupported_media_type", "Send ninjs with Content-Type: "+ninjsType+".", "")
		return
	}
	doc, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 512<<10))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeAPIError(w, http.StatusRequestEntityTooLarge, "too_large", "The body is larger than 512 KiB.", "")
			return
		}
		writeAPIError(w, http.StatusBadRequest, "malformed", "The body could not be read.", "")
		return
	}
	st, err := sa.newsroomSvc.StoryFromNinjs(r.Context(), doc)
	var ne *newsroom.NinjsError
	if errors.As(err, &ne) {
		code := "invalid"
		if ne.Field == "" {
			code = "malformed"
		}
		writeAPIError(w, http.StatusBadRequest, code, ne.Message, ne.Field)
		return
	}
	if err != nil {
		sa.apiInternal(w, err)
		return
	}
	section := r.URL.Query().Get("section")
	saved, result, err := sa.newsroomSvc.FileWire(r.Context(), u, st, section)
	switch {
	case errors.Is(err, newsroom.ErrStaleWire):
		writeAPIError(w, http.StatusConflict, "stale_version",
			"The story already holds a newer version of this item (versioncreated "+saved.Wire.Version.Format("2006-01-02T15:04:05Z07:00")+").", "versioncreated")
		return
	case err != nil:
		if section == "" && isSectionError(err) {
			writeAPIError(w, http.StatusUnprocessableEntity, "invalid", "Name the section for agency copy: ?section=slug.", "section")
			return
		}
		sa.apiSaveError(w, err)
		return
	}
	status := http.StatusOK
	if result == newsroom.WireCreated {
		status = http.StatusCreated
		w.Header().Set("Location", "/api/v1/stories/"+strconv.FormatInt(saved.ID, 10))
	}
	if result != newsroom.WireUnchanged {
		sa.purge(r, tagLists, storyTag(saved.ID))
	}
	fresh, err := sa.storySvc.StoryByID(r.Context(), saved.ID)
	if err != nil {
		sa.apiInternal(w, err)
		return
	}
	w.Header().Set("Dateline-Wire", string(result))
	writeJSON(w, status, sa.apiStoryOf(fresh))
}

// isSectionError reports whether a save failed for want of a section.
func isSectionError(err error) bool {
	var ve *story.ValidationError
	return errors.As(err, &ve) && ve.Field == "section"
}
