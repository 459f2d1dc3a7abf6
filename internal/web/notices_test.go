package web

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"dateline/internal/account"
)

// TestDoneNoticesShowOnTheirPage opens every page with each ?done= key it
// knows and checks that the notice is shown, once, and that a key it does
// not know shows none of its notices.
func TestDoneNoticesShowOnTheirPage(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		const email = "staff-admin@example.com"
		b := s.staff(t, email, account.Admin)
		notesOf := func(t *testing.T, path string) []string {
			t.Helper()
			r := b.get(path)
			if r.Code != http.StatusOK || r.Doc == nil {
				t.Fatalf("GET %s = %d", path, r.Code)
			}
			var out []string
			for _, n := range findAll(r.Doc, "p.notice") {
				out = append(out, strings.TrimSpace(text(n)))
			}
			return out
		}
		for page, keys := range notices {
			t.Run(strings.TrimPrefix(page, "/"), func(t *testing.T) {
				var texts []string
				for key, n := range keys {
					want := strings.ReplaceAll(n.Text, "{email}", email)
					texts = append(texts, want)
					if got := notesOf(t, page+"?done="+key); !slices.Contains(got, want) {
						t.Errorf("done=%s shows %q, want %q", key, got, want)
					}
				}
				for _, got := range notesOf(t, page+"?done=no-such-thing") {
					if slices.Contains(texts, got) {
						t.Errorf("an unknown key shows %q", got)
					}
				}
			})
		}
	})
}
