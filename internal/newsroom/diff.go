package newsroom

import "strings"

// DiffOp says whether a line was kept, removed or added.
type DiffOp string

// Diff operations.
const (
	Same    DiffOp = "same"
	Removed DiffOp = "removed"
	Added   DiffOp = "added"
)

// DiffLine is one line of a diff.
type DiffLine struct {
	Op   DiffOp
	Text string
}

// maxDiffLines bounds the work of Diff: texts longer than this are compared
// as removed and added in whole.
const maxDiffLines = 4000

// Diff compares two texts line by line with a longest common subsequence,
// as editors read revisions: what went, what came, what stayed.
func Diff(old, new string) []DiffLine {
	a, b := strings.Split(old, "\n"), strings.Split(new, "\n")
	if len(a) > maxDiffLines || len(b) > maxDiffLines {
		var out []DiffLine
		for _, l := range a {
			out = append(out, DiffLine{Removed, l})
		}
		for _, l := range b {
			out = append(out, DiffLine{Added, l})
		}
		return out
	}
	// lcs[i][j] is the length of the longest common subsequence of a[i:]
	// and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []DiffLine
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			out = append(out, DiffLine{Same, a[i]})
			i, j = i+1, j+1
		case lcs[i+1][j] >= lcs[i][j+1]:
			out = append(out, DiffLine{Removed, a[i]})
			i++
		default:
			out = append(out, DiffLine{Added, b[j]})
			j++
		}
	}
	for ; i < len(a); i++ {
		out = append(out, DiffLine{Removed, a[i]})
	}
	for ; j < len(b); j++ {
		out = append(out, DiffLine{Added, b[j]})
	}
	return out
}
