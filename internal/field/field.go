// Package field says what is wrong with the fields of something a person
// filled in (settings, a front page, a policy), so that a form can show
// each message beside its field. Domain packages return Errors from their
// validation; the web layer puts them on the form.
package field

import (
	"errors"
	"sort"
	"strings"
)

// Errors maps the name of each wrong field to what is wrong with it, in
// words for the person who filled it in.
type Errors map[string]string

// Error lists the wrong fields in name order.
func (e Errors) Error() string {
	names := make([]string, 0, len(e))
	for n := range e {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + ": " + e[n]
	}
	return "invalid: " + strings.Join(parts, "; ")
}

// Err is e as an error, or nil when no field is wrong.
func (e Errors) Err() error {
	if len(e) == 0 {
		return nil
	}
	return e
}

// Add puts the field errors in err into e, keeping the message of a field
// e already finds wrong: the first problem found with a field is the one
// shown. Errors that are not field errors are left out.
func (e Errors) Add(err error) {
	var more Errors
	if !errors.As(err, &more) {
		return
	}
	for name, msg := range more {
		if _, ok := e[name]; !ok {
			e[name] = msg
		}
	}
}
