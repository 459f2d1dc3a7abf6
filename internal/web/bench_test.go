package web

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"dateline/internal/store"
	"dateline/internal/store/storetest"
	"dateline/internal/story"
)

// benchSite is the demo paper on SQLite with accounts, subscriptions and
// comments, as the server runs it.
func benchSite(b *testing.B) *accountSite {
	b.Helper()
	return newAccountSite(b, storetest.Open(b, store.SQLite))
}

// servePage requests path with the cookies of br (nil: anonymous) and
// fails the benchmark unless the answer is 200.
func servePage(b *testing.B, s *accountSite, path string, br *browser) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if br != nil {
		for _, c := range br.cookies {
			req.AddCookie(c)
		}
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("%s = %d", path, rec.Code)
	}
}

// BenchmarkPages measures the pages readers load most, in process (no
// network): what the server itself costs per page. bench/run.sh measures
// them over loopback against the floor.
func BenchmarkPages(b *testing.B) {
	s := benchSite(b)
	free := s.pick(b, func(st *story.Story) bool { return st.Access == story.Free })
	paid := s.paidStory(b)
	sub := s.subscriberBrowser(b, "bench@example.com")
	cases := []struct {
		name, path string
		br         *browser
	}{
		{"anonymous story, cached", free.Path(), nil},
		{"anonymous front page, cached", "/", nil},
		{"anonymous feed, cached", "/feed.atom", nil},
		{"subscriber story", paid.Path(), sub},
		{"subscriber front page", "/", sub},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				servePage(b, s, c.path, c.br)
			}
		})
	}
}
