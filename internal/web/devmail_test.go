package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"dateline/internal/config"
	"dateline/internal/password"
	"dateline/internal/services"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

// TestDevMailboxLinksAreClickable signs up on a site run with --dev and no
// mail server, as `dateline serve --demo` runs, and finds the confirmation
// link of the email in the development mailbox as a link, the text around
// it escaped, and nothing but http(s) made a link.
func TestDevMailboxLinksAreClickable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		now := func() time.Time { return testNow }
		db.Now = now
		cfg := config.Config{Addr: "127.0.0.1:8080", Database: db.Name(), BaseURL: testBase, Dev: true,
			MailFrom: "Dateline <news@news.example>", DataDir: t.TempDir(), PageCacheMB: 8}
		if err := cfg.Finish(); err != nil {
			t.Fatal(err)
		}
		set, err := services.New(context.Background(), services.Options{Config: cfg, Now: now, Store: db,
			PasswordParams: &password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, NoResetPadding: true})
		if err != nil {
			t.Fatal(err)
		}
		if set.DevMail == nil {
			t.Fatal("--dev without a mail server has no development mailbox")
		}
		srv, err := NewSite(set)
		if err != nil {
			t.Fatal(err)
		}
		s := &accountSite{site: &site{Server: srv, db: db}, accounts: set.Accounts}
		b := s.browser(t)
		// A name with a character to escape and a link of another scheme.
		expect(t, b.post("/signup", "email", "ann@example.com", "name", "Ann & javascript:alert(1)", "password", goodPassword),
			http.StatusSeeOther, "/signup/welcome")
		if sent, failed, err := set.Sender.RunOnce(context.Background()); err != nil || sent != 1 || failed != 0 {
			t.Fatalf("sender: sent %d failed %d, %v", sent, failed, err)
		}

		res := b.get("/_dev/mail")
		if res.Code != http.StatusOK {
			t.Fatalf("/_dev/mail: %d", res.Code)
		}
		body := one(t, one(t, res.Doc, "article.mail"), "pre.mail-text")
		var links []string
		for _, a := range findAll(body, "a") {
			links = append(links, attr(a, "href"))
			if text(a) != attr(a, "href") {
				t.Errorf("link %q reads %q", attr(a, "href"), text(a))
			}
		}
		var verify, home bool
		for _, l := range links {
			switch {
			case strings.HasPrefix(l, testBase+"/account/verify?token="):
				verify = true
			case l == testBase:
				home = true
			case !strings.HasPrefix(l, "http://") && !strings.HasPrefix(l, "https://"):
				t.Errorf("a link that is not http(s): %q", l)
			}
		}
		if !verify || !home {
			t.Errorf("the confirmation link and the site's address are not both links: %q", links)
		}
		if !strings.Contains(text(body), "Hello Ann & javascript:alert(1),") || !strings.Contains(res.Body, "Ann &amp; javascript:alert(1)") {
			t.Errorf("the text is not shown as written, escaped:\n%s", res.Body)
		}
		// The confirmation link works.
		for _, l := range links {
			if strings.HasPrefix(l, testBase+"/account/verify?token=") {
				if got := b.get(strings.TrimPrefix(l, testBase)); got.Code != http.StatusOK {
					t.Errorf("the confirmation link answers %d", got.Code)
				}
			}
		}
	})
}

func TestLinkify(t *testing.T) {
	for in, want := range map[string]string{
		"Open https://news.example/a?b=1&c=2.":      `Open <a href="https://news.example/a?b=1&amp;c=2">https://news.example/a?b=1&amp;c=2</a>.`,
		"(see http://x.example/p)":                  `(see <a href="http://x.example/p">http://x.example/p</a>)`,
		"javascript:alert(1) <i>":                   `javascript:alert(1) &lt;i&gt;`,
		`https://a.example/"onmouseover="x`:         `<a href="https://a.example/">https://a.example/</a>&#34;onmouseover=&#34;x`,
		"https:// nothing":                          `https:// nothing`,
		"data:text/html,<script>x</script> ftp://f": `data:text/html,&lt;script&gt;x&lt;/script&gt; ftp://f`,
	} {
		if got := string(linkify(in)); got != want {
			t.Errorf("linkify(%q)\n got %s\nwant %s", in, got, want)
		}
	}
}
