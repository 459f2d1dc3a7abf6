package web

import (
	"errors"
	"net/http"
	"strings"

	"dateline/internal/account"
)

// maxFormBytes caps the body of every form post.
const maxFormBytes = 64 << 10

// form is a submitted form: what was typed, and what is wrong with it,
// field by field. Templates show each error beside its field and put the
// values back, except passwords.
type form struct {
	Values map[string]string
	Errors map[string]string
	// Message is an error about the whole form, shown above it.
	Message string
	// Notice is good news shown above the form.
	Notice string
}

func newForm() *form {
	return &form{Values: map[string]string{}, Errors: map[string]string{}}
}

// Get returns a submitted value.
func (f *form) Get(name string) string { return f.Values[name] }

// Error returns the error of a field.
func (f *form) Error(name string) string { return f.Errors[name] }

// Fail records an error on a field.
func (f *form) Fail(name, message string) { f.Errors[name] = message }

// OK reports whether the form has no errors.
func (f *form) OK() bool { return len(f.Errors) == 0 && f.Message == "" }

// errFormTooLarge and errFormBad explain why a body could not be read.
var (
	errFormTooLarge = errors.New("form too large")
	errFormBad      = errors.New("form unreadable")
)

// parseForm reads a posted form, capped at maxFormBytes, keeping the named
// fields trimmed (passwords as typed).
func parseForm(w http.ResponseWriter, r *http.Request, fields ...string) (*form, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, errFormTooLarge
		}
		return nil, errFormBad
	}
	f := newForm()
	for _, name := range fields {
		v := r.PostForm.Get(name)
		if !strings.Contains(name, "password") {
			v = strings.TrimSpace(v)
		}
		f.Values[name] = v
	}
	return f, nil
}

// formFailed answers a body that could not be read at all.
func (s *Server) formFailed(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, errFormTooLarge) {
		s.errorPage(w, r, http.StatusRequestEntityTooLarge, "That was too much to send",
			"The form was larger than we accept. Shorten what you typed and try again.")
		return
	}
	s.badRequest(w, r, "We could not read that form. Please try again.")
}

// userForm begins a post that needs a signed-in reader: it sends anyone
// else to log in, then reads the named fields as parseForm does,
// answering a body it cannot read. It reports false when it has answered.
func (s *Server) userForm(w http.ResponseWriter, r *http.Request, fields ...string) (*viewer, *form, bool) {
	v, ok := s.requireUser(w, r)
	if !ok {
		return nil, nil, false
	}
	f, ok := s.readForm(w, r, fields...)
	if !ok {
		return nil, nil, false
	}
	return v, f, true
}

// staffForm is userForm for a post only a role that may do p can make;
// anyone else is answered as requireCan answers them.
func (s *Server) staffForm(w http.ResponseWriter, r *http.Request, p account.Permission, fields ...string) (*viewer, *form, bool) {
	v, ok := s.requireCan(w, r, p)
	if !ok {
		return nil, nil, false
	}
	f, ok := s.readForm(w, r, fields...)
	if !ok {
		return nil, nil, false
	}
	return v, f, true
}

// readForm is parseForm answering a body it cannot read with formFailed.
// It reports false when it has answered.
func (s *Server) readForm(w http.ResponseWriter, r *http.Request, fields ...string) (*form, bool) {
	f, err := parseForm(w, r, fields...)
	if err != nil {
		s.formFailed(w, r, err)
		return nil, false
	}
	return f, true
}
