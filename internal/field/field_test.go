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
