package field_test

import (
	"errors"
	"fmt"
	"testing"

	"dateline/internal/field"
)

func TestErrors(t *testing.T) {
	if err := (field.Errors{}).Err(); err != nil {
		t.Fatalf("no wrong field gave %v", err)
	}
	err := fmt.Errorf("save: %w", field.Errors{"b": "Too long.", "a": "Needed."}.Err())
	if got, want := err.Error(), "save: invalid: a: Needed.; b: Too long."; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	var fe field.Errors
	if !errors.As(err, &fe) || fe["a"] != "Needed." || len(fe) != 2 {
		t.Errorf("errors.As found %v", fe)
	}
}

func TestAddKeepsTheFirstProblemOfAField(t *testing.T) {
	e := field.Errors{"a": "Needed."}
	e.Add(fmt.Errorf("check: %w", field.Errors{"a": "Too long.", "b": "Not a number."}))
	e.Add(errors.New("disk on fire"))
	if len(e) != 2 || e["a"] != "Needed." || e["b"] != "Not a number." {
		t.Errorf("after Add: %v", e)
	}
}
