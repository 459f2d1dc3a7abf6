package story

import "strings"

// CreditLine is the credit to print beside the bylines: the story's
// credit, unless a byline already names it (agency copy without a
// reporter's name is bylined to the agency).
func (s *Story) CreditLine() string {
	for _, b := range s.Bylines {
		if strings.EqualFold(strings.TrimSpace(b.Name), strings.TrimSpace(s.Credit)) {
			return ""
		}
	}
	return strings.TrimSpace(s.Credit)
}
