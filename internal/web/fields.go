package web

import (
	"strconv"
	"strings"
)

// field is what the "field" partial needs to draw one labelled input with
// its hint and error.
type field struct {
	ID, Name, Label, Type, Autocomplete string
	Value, Error, Hint, InputMode       string
	MaxLength                           int
	Required                            bool
}

// makeField builds a field from a form. Options: "required",
// "hint=Text", "inputmode=numeric", "maxlength=N", and "id=prefix" to keep
// ids unique when one page has several forms with a field of the same
// name. Password fields never echo what was typed.
func makeField(f *form, name, label, typ, autocomplete string, opts ...string) field {
	fd := field{ID: "f-" + name, Name: name, Label: label, Type: typ, Autocomplete: autocomplete}
	if f != nil {
		fd.Error = f.Error(name)
		if typ != "password" {
			fd.Value = f.Get(name)
		}
	}
	for _, o := range opts {
		k, v, _ := strings.Cut(o, "=")
		switch k {
		case "required":
			fd.Required = true
		case "hint":
			fd.Hint = v
		case "inputmode":
			fd.InputMode = v
		case "maxlength":
			fd.MaxLength, _ = strconv.Atoi(v)
		case "id":
			fd.ID = "f-" + v + "-" + name
		}
	}
	return fd
}
