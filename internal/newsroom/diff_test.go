package newsroom

import (
	"fmt"
	"testing"
)

func TestDiff(t *testing.T) {
	got := Diff("one\ntwo\nthree", "one\n2\nthree\nfour")
	want := []DiffLine{{Same, "one"}, {Removed, "two"}, {Added, "2"}, {Same, "three"}, {Added, "four"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Diff = %v, want %v", got, want)
	}
	if d := Diff("same", "same"); len(d) != 1 || d[0].Op != Same {
		t.Errorf("identical texts: %v", d)
	}
}
