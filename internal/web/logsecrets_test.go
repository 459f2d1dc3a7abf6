package web

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"dateline/internal/account"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

// lockedBuffer is a bytes.Buffer that the sender's goroutine and the test
// may use at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// afterPost is the page a POST leads to: the answer itself, or the page it
// redirects to.
func afterPost(b *browser, r result) result {
	b.t.Helper()
	if r.Code == http.StatusSeeOther || r.Code == http.StatusFound {
		to, _, _ := strings.Cut(r.Header.Get("Location"), "#") // browsers keep the fragment to themselves
		return b.get(to)
	}
	return r
}

// TestNoSecretReachesTheLog drives every flow that makes a secret (a
// confirmation link, a reset code, a session, a gift link, an API token)
// with every component logging at debug level, email going through the
// development mailbox's log as well as SMTP, and looks for each secret in
// the log.
func TestNoSecretReachesTheLog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		var logged lockedBuffer
		log := slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))
		s := newAccountSiteWith(t, db, accountSiteOptions{log: log})
		secrets := map[string]string{"password": goodPassword}
		session := func(name string, b *browser) {
			if c := b.cookies[sessionCookie]; c != nil {
				secrets[name] = c.Value
			}
		}

		// Sign-up and the confirmation link.
		ann := s.browser(t)
		ann.verified("ann@example.com")
		msgs := s.smtp.WaitForTo(t, "ann@example.com", 1, 10*time.Second)
		verify := regexp.MustCompile(`/account/verify\?token=([^\s&]+)`).FindStringSubmatch(msgs[0].Text())
		if verify == nil {
			t.Fatalf("no confirmation link in:\n%s", msgs[0].Text())
		}
		secrets["confirmation token"] = verify[1]
		session("reader's session", ann)

		// A reset code, asked for and used.
		forgot := s.browser(t)
		if r := forgot.post("/password/forgot", "email", "ann@example.com"); r.Code != http.StatusOK {
			t.Fatalf("forgot = %d", r.Code)
		}
		msgs = s.smtp.WaitForTo(t, "ann@example.com", 2, 10*time.Second)
		code := regexp.MustCompile(`(?m)^Your reset code: (\d{8,})\s*$`).FindStringSubmatch(msgs[len(msgs)-1].Text())
		if code == nil {
			t.Fatalf("no code in:\n%s", msgs[len(msgs)-1].Text())
		}
		secrets["reset code"] = code[1]
		const newPassword = "a brand new passphrase"
		secrets["new password"] = newPassword
		expect(t, forgot.post("/password/reset", "email", "ann@example.com", "code", code[1], "password", newPassword),
			http.StatusSeeOther, "/login?reset=1")

		// A subscriber's gift link, opened by a stranger.
		sub := s.browser(t)
		sub.verified("sub@example.com")
		expect(t, sub.post("/subscribe/checkout", "plan", fmt.Sprint(s.plan.ID)), http.StatusSeeOther,
			fmt.Sprintf("/subscribe/demo?plan=%d", s.plan.ID))
		expect(t, sub.post("/subscribe/demo", "plan", fmt.Sprint(s.plan.ID)), http.StatusSeeOther, "/account?done=subscribed")
		st := s.paidStory(t)
		r := afterPost(sub, sub.post("/gifts", "story", st.Slug))
		link := attr(one(t, r.Doc, "input[id=gift-link]"), "value")
		_, gift, ok := strings.Cut(link, "?gift=")
		if !ok || gift == "" {
			t.Fatalf("gift link %q", link)
		}
		secrets["gift token"] = gift
		session("subscriber's session", sub)
		s.browser(t).get(strings.TrimPrefix(link, testBase))

		// An API token, made on the account page and used.
		writer := s.staff(t, "writer@example.com", account.Writer)
		r = afterPost(writer, writer.post("/account/tokens", "name", "laptop"))
		token := attr(one(t, r.Doc, "input.story-link"), "value")
		if !strings.HasPrefix(token, "dl_") {
			t.Fatalf("token %q", token)
		}
		secrets["API token"] = token
		session("writer's session", writer)
		for _, auth := range []string{"Bearer " + token, "Bearer " + token + "x"} {
			req := httptest.NewRequest(http.MethodGet, "/api/v1/stories", nil)
			req.Header.Set("Authorization", auth)
			s.ServeHTTP(httptest.NewRecorder(), req)
		}

		s.smtp.WaitForTo(t, "sub@example.com", 2, 10*time.Second) // the welcome email
		out := logged.String()
		for _, want := range []string{"mail (development mailbox, not sent)", "level=DEBUG"} {
			if !strings.Contains(out, want) {
				t.Fatalf("the log lacks %q, so it proves nothing:\n%s", want, out)
			}
		}
		for name, secret := range secrets {
			if strings.Contains(out, secret) {
				t.Errorf("the log shows the %s %q", name, secret)
			}
		}
		if t.Failed() {
			t.Logf("log:\n%s", out)
		}
	})
}
