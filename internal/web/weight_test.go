package web

import (
	"context"
	"fmt"
	"testing"

	"dateline/internal/account"
	"dateline/internal/story"
)

func TestStoryPageWithThreadStaysUnder50KB(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		st := s.pick(t, func(st *story.Story) bool { return st.Access == story.Free })
		ctx := context.Background()
		var users []*account.User
		for i := range 5 {
			u, err := s.accounts.CreateUser(ctx, fmt.Sprintf("c%d@example.com", i), fmt.Sprintf("Commenter %d", i), goodPassword, account.Reader)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.billing.CompleteDemoCheckout(ctx, u, s.plan.ID); err != nil {
				t.Fatal(err)
			}
			users = append(users, u)
		}
		var last int64
		for i := range 10 {
			u := users[i%5]
			reply := int64(0)
			if i%3 != 0 {
				reply = last
			}
			c, err := s.comments.Post(ctx, u, st, "subscribers", reply, fmt.Sprintf("Comment number %d with a sentence or two of ordinary length, as readers write them.", i))
			if err != nil {
				t.Fatal(err)
			}
			last = c.ID
		}
		b := s.browser(t)
		b.post("/login", "email", "c0@example.com", "password", goodPassword)
		r := b.get(st.Path())
		total := len(r.Body) + s.static.Size("site.css") + s.static.Size("site.js")
		if len(findAll(r.Doc, "li.comment")) != 10 || total > 50*1024 {
			t.Errorf("a story with a ten-comment thread, as a subscriber: %d comments, %d bytes (HTML %d, CSS %d, JS %d); want 10 and under 50 KB",
				len(findAll(r.Doc, "li.comment")), total, len(r.Body), s.static.Size("site.css"), s.static.Size("site.js"))
		}
	})
}
