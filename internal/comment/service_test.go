package comment_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"dateline/internal/account"
	"dateline/internal/billing"
	"dateline/internal/comment"
	"dateline/internal/mail"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
	"dateline/internal/story"
)

var ctx = context.Background()

type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

// access adapts the billing service to what comments ask.
type access struct{ b *billing.Service }

func (a access) HasAccess(ctx context.Context, u *account.User) (bool, error) {
	ok, _, err := a.b.HasAccess(ctx, u)
	return ok, err
}

type env struct {
	t     *testing.T
	db    *store.Store
	svc   *comment.Service
	clock *clock
	st    *story.Story
	n     int
}

func newEnv(t *testing.T, db *store.Store) *env {
	t.Helper()
	c := &clock{now: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)}
	db.Now = c.Now
	composer, err := mail.NewComposer("Dateline", "https://news.example", "Dateline <news@news.example>")
	if err != nil {
		t.Fatal(err)
	}
	subs := billing.New(billing.Options{Store: db, Provider: billing.DemoProvider{}, Composer: composer, Now: c.Now,
		BaseURL: "https://news.example", Log: slog.New(slog.DiscardHandler)})
	svc, err := comment.New(ctx, comment.Options{Store: db, Access: access{subs}, Composer: composer, Now: c.Now,
		BaseURL: "https://news.example", Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateSection(ctx, &story.Section{Slug: "world", Name: "World"}); err != nil {
		t.Fatal(err)
	}
	st := &story.Story{Headline: "Ferry returns", Section: story.Section{Slug: "world"}, Bylines: []story.Byline{{Name: "Staff"}},
		Body: "Text.", Access: story.Subscribers, Status: story.Published, PublishedAt: c.now.Add(-24 * time.Hour)}
	if err := st.Prepare(story.NewRenderer()); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateStory(ctx, st); err != nil {
		t.Fatal(err)
	}
	return &env{t: t, db: db, svc: svc, clock: c, st: st}
}

func eachEnv(t *testing.T, fn func(t *testing.T, e *env)) {
	storetest.Each(t, func(t *testing.T, db *store.Store) { fn(t, newEnv(t, db)) })
}

// user makes a verified reader of role; sub, when given, is their
// subscription.
func (e *env) user(role account.Role, sub *billing.Subscription) *account.User {
	e.t.Helper()
	e.n++
	u := &account.User{Email: fmt.Sprintf("u%d@example.com", e.n), DisplayName: fmt.Sprintf("Reader %d", e.n), PasswordHash: "x",
		Role: role, EmailVerifiedAt: e.clock.now, CreatedAt: e.clock.now, UpdatedAt: e.clock.now}
	if err := e.db.CreateUser(ctx, u, nil, nil); err != nil {
		e.t.Fatal(err)
	}
	if sub != nil {
		sub.UserID = u.ID
		if sub.Provider == "" {
			sub.Provider = billing.Demo
		}
		if err := e.db.InBillingTx(ctx, func(tx billing.Tx) error { return tx.SaveSubscription(ctx, sub) }); err != nil {
			e.t.Fatal(err)
		}
	}
	return u
}

func (e *env) subscriber() *account.User {
	return e.user(account.Reader, &billing.Subscription{Status: billing.Active, PeriodEnd: e.clock.now.Add(30 * 24 * time.Hour)})
}

func (e *env) post(u *account.User, replyTo int64, body string) *comment.Comment {
	e.t.Helper()
	c, err := e.svc.Post(ctx, u, e.st, comment.ForSubscribers, replyTo, body)
	if err != nil {
		e.t.Fatalf("post %q: %v", body, err)
	}
	return c
}

func TestEligibilityTable(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		now := e.clock.now
		day := 24 * time.Hour
		sub := func(s billing.Subscription) func() *account.User {
			return func() *account.User { return e.user(account.Reader, &s) }
		}
		unverified := func() *account.User {
			u := e.user(account.Reader, &billing.Subscription{Status: billing.Active})
			u.EmailVerifiedAt = time.Time{}
			return u
		}
		suspended := func() *account.User {
			u := e.subscriber()
			mod := e.user(account.Moderator, nil)
			if err := e.svc.Suspend(ctx, mod, u.ID, 3, "Personal attacks"); err != nil {
				t.Fatal(err)
			}
			return u
		}
		readers := []struct {
			name   string
			user   func() *account.User
			access bool // has digital access
			reason comment.Reason
		}{
			{"anonymous", func() *account.User { return nil }, false, comment.LogIn},
			{"unverified", unverified, true, comment.Verify},
			{"registered without access", func() *account.User { return e.user(account.Reader, nil) }, false, comment.Subscribe},
			{"trialing", sub(billing.Subscription{Status: billing.Trialing, PeriodEnd: now.Add(5 * day)}), true, ""},
			{"active", sub(billing.Subscription{Status: billing.Active, PeriodEnd: now.Add(5 * day)}), true, ""},
			{"past due in grace", sub(billing.Subscription{Status: billing.PastDue, PastDueSince: now.Add(-3 * day)}), true, ""},
			{"past due after grace", sub(billing.Subscription{Status: billing.PastDue, PastDueSince: now.Add(-8 * day)}), false, comment.Subscribe},
			{"canceled before period end", sub(billing.Subscription{Status: billing.Canceled, PeriodEnd: now.Add(day)}), true, ""},
			{"canceled after period end", sub(billing.Subscription{Status: billing.Canceled, PeriodEnd: now.Add(-day)}), false, comment.Subscribe},
			{"complimentary", sub(billing.Subscription{Provider: billing.Complimentary, Status: billing.Active, PeriodEnd: now.Add(day)}), true, ""},
			{"suspended", suspended, true, comment.Suspended},
			{"staff", func() *account.User { return e.user(account.Writer, nil) }, false, ""},
		}
		old := *e.st
		old.PublishedAt = now.Add(-15 * day)
		stories := []struct {
			name   string
			st     *story.Story
			mode   comment.Mode
			closed bool
		}{
			{"subscribers", e.st, comment.ForSubscribers, false},
			{"registered", e.st, comment.ForRegistered, false},
			{"closed", e.st, comment.Closed, true},
			{"auto-closed", &old, comment.ForSubscribers, true},
		}
		for _, r := range readers {
			u := r.user()
			for _, s := range stories {
				t.Run(r.name+"/"+s.name, func(t *testing.T) {
					el, err := e.svc.Eligibility(ctx, u, s.st, s.mode)
					if err != nil {
						t.Fatal(err)
					}
					want := r.reason
					switch {
					case s.closed:
						want = comment.ClosedNow
					case s.mode == comment.ForRegistered && want == comment.Subscribe:
						want = ""
					}
					if el.CanPost != (want == "") || el.Reason != want {
						t.Errorf("CanPost=%v reason=%q, want reason %q", el.CanPost, el.Reason, want)
					}
					if want == comment.Suspended && !el.Until.Equal(now.AddDate(0, 0, 3)) {
						t.Errorf("suspension until %v", el.Until)
					}
					// The server enforces it: posting is refused the same way.
					if u != nil {
						_, err := e.svc.Post(ctx, u, s.st, s.mode, 0, "A comment from "+r.name+" on "+s.name)
						if (err == nil) != (want == "") || (err != nil && !errors.Is(err, comment.ErrNotAllowed)) {
							t.Errorf("Post = %v, want allowed=%v", err, want == "")
						}
					}
				})
			}
		}
	})
}

func TestThreads(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		a, b, c := e.subscriber(), e.subscriber(), e.subscriber()
		top := e.post(a, 0, "First thoughts.")
		e.clock.now = e.clock.now.Add(time.Minute)
		r1 := e.post(b, top.ID, "A reply.")
		r2 := e.post(c, r1.ID, "A reply to the reply.")
		r3 := e.post(a, r2.ID, "Deeper still.")
		if r3.Depth != 2 || r3.ParentID != r1.ID || r3.ReplyToID != r2.ID {
			t.Fatalf("a fourth-level reply: depth %d parent %d replyTo %d; want it under the third level", r3.Depth, r3.ParentID, r3.ReplyToID)
		}
		e.clock.now = e.clock.now.Add(time.Minute)
		second := e.post(b, 0, "Second thread.")
		e.svc.Recommend(ctx, a, second.ID)
		e.svc.Recommend(ctx, c, second.ID)

		th, err := e.svc.Thread(ctx, e.st.ID, a, comment.Oldest, 20)
		if err != nil {
			t.Fatal(err)
		}
		if th.Total != 5 || len(th.Comments) != 2 || th.Comments[0].ID != top.ID {
			t.Fatalf("thread: total %d, %d top-level", th.Total, len(th.Comments))
		}
		level2 := th.Comments[0].Replies[0]
		if len(level2.Replies) != 2 || level2.Replies[1].ReplyToName != c.DisplayName {
			t.Errorf("third level: %d replies, reply-to %q", len(level2.Replies), level2.Replies[1].ReplyToName)
		}
		if th, _ := e.svc.Thread(ctx, e.st.ID, nil, comment.Newest, 20); th.Comments[0].ID != second.ID {
			t.Error("newest first is not newest first")
		}
		if th, _ := e.svc.Thread(ctx, e.st.ID, a, comment.Recommended, 20); th.Comments[0].ID != second.ID || th.Comments[0].Recommends != 2 || !th.Comments[0].Recommended {
			t.Error("most recommended is not first, or the viewer's recommendation is not marked")
		}
		if th, _ := e.svc.Thread(ctx, e.st.ID, nil, comment.Oldest, 1); len(th.Comments) != 1 || !th.More {
			t.Error("paging: want one thread and more to show")
		}
		// Recommending is a toggle, and not of one's own comment.
		if on, _ := e.svc.Recommend(ctx, a, second.ID); on {
			t.Error("a second recommendation did not take the first back")
		}
		if _, err := e.svc.Recommend(ctx, b, second.ID); !errors.Is(err, comment.ErrNotAllowed) {
			t.Errorf("recommending one's own comment: %v", err)
		}
		// Replies to another story's comment are refused.
		other := *e.st
		other.ID, other.Slug = 0, "another-story"
		if err := e.db.CreateStory(ctx, &other); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Post(ctx, a, &other, comment.ForSubscribers, top.ID, "Cross-thread."); err == nil {
			t.Error("a reply to another story's comment was accepted")
		}
	})
}

func TestEditDeleteAndLimits(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		a, b := e.subscriber(), e.subscriber()
		c := e.post(a, 0, "Orginal text.")
		if _, err := e.svc.Edit(ctx, b, c.ID, "Vandalism."); !errors.Is(err, comment.ErrNotFound) {
			t.Errorf("editing someone else's comment: %v", err)
		}
		if err := e.svc.Delete(ctx, b, c.ID); !errors.Is(err, comment.ErrNotFound) {
			t.Errorf("deleting someone else's comment: %v", err)
		}
		e.clock.now = e.clock.now.Add(14 * time.Minute)
		edited, err := e.svc.Edit(ctx, a, c.ID, "Original text.")
		if err != nil || !edited.Edited() {
			t.Fatalf("edit within the window: %v", err)
		}
		e.clock.now = e.clock.now.Add(2 * time.Minute)
		if _, err := e.svc.Edit(ctx, a, c.ID, "Too late."); !errors.Is(err, comment.ErrEditWindow) {
			t.Errorf("edit after 15 minutes: %v", err)
		}
		reply := e.post(b, c.ID, "A reply keeps the parent as a placeholder.")
		if err := e.svc.Delete(ctx, a, c.ID); err != nil {
			t.Fatal(err)
		}
		th, _ := e.svc.Thread(ctx, e.st.ID, nil, comment.Oldest, 20)
		if len(th.Comments) != 1 || th.Comments[0].Status != comment.Deleted || th.Comments[0].Body != "" || th.Comments[0].Replies[0].ID != reply.ID {
			t.Errorf("placeholder: %+v", th.Comments[0])
		}
		// Abuse limits: the same text twice in an hour, more than 5 in 5 minutes.
		if _, err := e.svc.Post(ctx, b, e.st, comment.ForSubscribers, 0, "A reply keeps the parent as a placeholder."); !errors.Is(err, comment.ErrDuplicate) {
			t.Errorf("the same text twice: %v", err)
		}
		fast := e.subscriber()
		for i := range 5 {
			e.post(fast, 0, fmt.Sprintf("Quick comment %d.", i))
		}
		if _, err := e.svc.Post(ctx, fast, e.st, comment.ForSubscribers, 0, "One too many."); !errors.Is(err, comment.ErrTooFast) {
			t.Errorf("sixth comment in 5 minutes: %v", err)
		}
		e.clock.now = e.clock.now.Add(5*time.Minute + time.Second)
		e.post(fast, 0, "After a pause.")
		// Bad text.
		for _, bad := range []string{"", "   \n ", strings.Repeat("x", 5001), "bin\x00ary"} {
			var ie *comment.InputError
			if _, err := e.svc.Post(ctx, a, e.st, comment.ForSubscribers, 0, bad); !errors.As(err, &ie) {
				t.Errorf("bad text %.20q: %v", bad, err)
			}
		}
	})
}

func TestModeration(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		mod := e.user(account.Moderator, nil)
		admin := e.user(account.Admin, nil)
		a, b := e.subscriber(), e.subscriber()
		e.settings(t, func(s *comment.Settings) { s.BannedWords = []string{"scam", "swindle"} })
		held := e.post(a, 0, "This is a scam.")
		links := e.post(a, 0, "http://a.example http://b.example http://c.example http://d.example")
		if held.Status != comment.Held || links.Status != comment.Held {
			t.Fatalf("banned word / links: %s, %s; want held", held.Status, links.Status)
		}
		// Held comments are seen by their author only.
		if th, _ := e.svc.Thread(ctx, e.st.ID, b, comment.Oldest, 20); len(th.Comments) != 0 {
			t.Error("another reader sees a held comment")
		}
		if th, _ := e.svc.Thread(ctx, e.st.ID, a, comment.Oldest, 20); len(th.Comments) != 2 {
			t.Error("the author does not see their held comment")
		}
		q, _ := e.svc.Queue(ctx, mod, comment.TabHeld)
		if len(q) != 2 {
			t.Fatalf("held tab: %d", len(q))
		}
		if _, err := e.svc.Queue(ctx, a, comment.TabHeld); !errors.Is(err, comment.ErrNotAllowed) {
			t.Errorf("a reader opened the queue: %v", err)
		}
		stories := func(int64) (*story.Story, error) { return e.st, nil }
		if err := e.svc.Moderate(ctx, mod, held.ID, "approve", "Not spam after all", stories); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Moderate(ctx, mod, links.ID, "reject", "Link farm", stories); err != nil {
			t.Fatal(err)
		}
		// Reports.
		target := e.post(b, 0, "A rude remark.")
		if err := e.svc.Report(ctx, a, target.ID, "nonsense", ""); err == nil {
			t.Error("a report without a valid reason was accepted")
		}
		if err := e.svc.Report(ctx, a, target.ID, comment.Abuse, "<script>x</script>"); err != nil {
			t.Fatal(err)
		}
		e.svc.Report(ctx, a, target.ID, comment.Abuse, "again")
		q, _ = e.svc.Queue(ctx, mod, comment.TabReported)
		if len(q) != 1 || q[0].Reports != 1 || q[0].ReportReasons != "abuse" {
			t.Fatalf("reported tab: %+v", q)
		}
		if err := e.svc.Report(ctx, e.subscriber(), target.ID, comment.Spam, ""); err != nil {
			t.Fatal(err)
		}
		q, _ = e.svc.Queue(ctx, mod, comment.TabReported)
		if q[0].Reports != 2 || !strings.Contains(q[0].ReportReasons, "abuse") || !strings.Contains(q[0].ReportReasons, "spam") {
			t.Errorf("two reasons: %q", q[0].ReportReasons)
		}
		if err := e.svc.Moderate(ctx, mod, target.ID, "delete", "Abusive", stories); err != nil {
			t.Fatal(err)
		}
		if q, _ := e.svc.Queue(ctx, mod, comment.TabReported); len(q) != 0 {
			t.Error("a deleted comment stays in the reported tab")
		}
		// First-comment pre-moderation.
		e.settings(t, func(s *comment.Settings) { s.Premod = comment.PremodFirst })
		newcomer := e.subscriber()
		if c := e.post(newcomer, 0, "Hello, first time here."); c.Status != comment.Held {
			t.Error("a newcomer's first comment was not held")
		}
		if c := e.post(a, 0, "I have an approved comment already."); c.Status != comment.Published {
			t.Error("a known commenter was held")
		}
		// Feature: picks come first, and the author is told.
		e.settings(t, func(s *comment.Settings) { s.Premod = comment.PremodOff })
		pick := e.post(b, 0, "A thoughtful point.")
		if err := e.svc.Moderate(ctx, mod, pick.ID, "feature", "", stories); err != nil {
			t.Fatal(err)
		}
		if th, _ := e.svc.Thread(ctx, e.st.ID, nil, comment.Oldest, 20); th.Comments[0].ID != pick.ID {
			t.Error("the editor's pick is not first")
		}
		mails, _ := e.db.RecentMail(ctx, 20)
		if len(mails) == 0 || mails[0].To != b.Email || !strings.Contains(mails[0].Subject, "pick") || mails[0].ListUnsubscribe == "" {
			t.Errorf("no featured email with an unsubscribe link")
		}
		// Suspension with an email, then lifted.
		if err := e.svc.Suspend(ctx, mod, b.ID, 0, ""); err == nil {
			t.Error("a suspension without a reason")
		}
		if err := e.svc.Suspend(ctx, mod, b.ID, 7, "Repeated abuse"); err != nil {
			t.Fatal(err)
		}
		mails, _ = e.db.RecentMail(ctx, 1)
		if mails[0].To != b.Email || !strings.Contains(mails[0].Text, "Repeated abuse") || !strings.Contains(mails[0].Text, "until") {
			t.Errorf("suspension email: %q", mails[0].Text)
		}
		if _, err := e.svc.Post(ctx, b, e.st, comment.ForSubscribers, 0, "Let me back in."); !errors.Is(err, comment.ErrNotAllowed) {
			t.Errorf("a suspended reader posted: %v", err)
		}
		if err := e.svc.Unsuspend(ctx, mod, b.ID); err != nil {
			t.Fatal(err)
		}
		// The audit log: every action, for admins only.
		if _, err := e.svc.Log(ctx, mod); !errors.Is(err, comment.ErrNotAllowed) {
			t.Errorf("a moderator read the log: %v", err)
		}
		log, err := e.svc.Log(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, l := range log {
			actions = append(actions, l.Action)
		}
		want := []string{"unsuspend", "suspend", "feature", "delete", "reject", "approve"}
		if strings.Join(actions, ",") != strings.Join(want, ",") || log[1].Reason != "Repeated abuse" || log[1].ActorName != mod.DisplayName {
			t.Errorf("log = %v", actions)
		}
	})
}

func TestReplyNotificationAndUnsubscribe(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		a, b := e.subscriber(), e.subscriber()
		top := e.post(a, 0, "Who else takes the night ferry?")
		e.post(b, top.ID, "Every Friday.")
		mails, _ := e.db.RecentMail(ctx, 5)
		if len(mails) != 1 || mails[0].To != a.Email || !strings.Contains(mails[0].Text, "Every Friday.") {
			t.Fatalf("reply email: %+v", mails)
		}
		link := mails[0].ListUnsubscribe
		if !strings.HasPrefix(link, "https://news.example/comments/unsubscribe?") {
			t.Fatalf("List-Unsubscribe = %q", link)
		}
		// Replying to oneself sends nothing.
		e.post(a, top.ID, "Me too, it turns out.")
		if mails, _ := e.db.RecentMail(ctx, 5); len(mails) != 1 {
			t.Error("a reply to oneself sent an email")
		}
		// A forged token changes nothing; the real one switches emails off.
		if err := e.svc.Unsubscribe(ctx, a.ID, "forged"); !errors.Is(err, comment.ErrNotFound) {
			t.Errorf("forged unsubscribe: %v", err)
		}
		u, err := url.Parse(link)
		if err != nil || u.Query().Get("u") != fmt.Sprint(a.ID) {
			t.Fatalf("unsubscribe link %q", link)
		}
		token := u.Query().Get("t")
		if err := e.svc.Unsubscribe(ctx, a.ID, token); err != nil {
			t.Fatal(err)
		}
		e.post(b, top.ID, "Saturdays too.")
		if mails, _ := e.db.RecentMail(ctx, 5); len(mails) != 1 {
			t.Error("an email went out after unsubscribing")
		}
	})
}

func TestDeletedAccountsKeepTheirComments(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		a, b := e.subscriber(), e.subscriber()
		top := e.post(a, 0, "A comment from someone who will leave.")
		reply := e.post(b, top.ID, "A reply that must not break.")
		if err := e.db.DeleteUser(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		th, err := e.svc.Thread(ctx, e.st.ID, nil, comment.Oldest, 20)
		if err != nil || len(th.Comments) != 1 {
			t.Fatalf("thread after deletion: %v", err)
		}
		gone := th.Comments[0]
		if gone.UserID != 0 || gone.AuthorName != "" || gone.Body == "" || gone.Replies[0].ID != reply.ID {
			t.Errorf("a deleted reader's comment: %+v", gone)
		}
		// A moderator can remove the text; the reply stays.
		mod := e.user(account.Moderator, nil)
		if err := e.svc.Moderate(ctx, mod, top.ID, "delete", "Left the site", func(int64) (*story.Story, error) { return e.st, nil }); err != nil {
			t.Fatal(err)
		}
		th, _ = e.svc.Thread(ctx, e.st.ID, nil, comment.Oldest, 20)
		if th.Comments[0].Body != "" || len(th.Comments[0].Replies) != 1 {
			t.Error("removing a deleted reader's text broke the thread")
		}
	})
}

func TestKeptThreadsAreFreshOnceForgotten(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		composer, err := mail.NewComposer("Dateline", "https://news.example", "Dateline <news@news.example>")
		if err != nil {
			t.Fatal(err)
		}
		subs := billing.New(billing.Options{Store: e.db, Provider: billing.DemoProvider{}, Composer: composer, Now: e.clock.Now,
			BaseURL: "https://news.example", Log: slog.New(slog.DiscardHandler)})
		kept, err := comment.New(ctx, comment.Options{Store: e.db, Access: access{subs}, Composer: composer, Now: e.clock.Now,
			BaseURL: "https://news.example", Log: slog.New(slog.DiscardHandler), CachedComments: 1000})
		if err != nil {
			t.Fatal(err)
		}
		a, b := e.subscriber(), e.subscriber()
		top := e.post(a, 0, "The timetable is out.")
		e.post(b, top.ID, "About time.")
		if _, err := kept.Recommend(ctx, b, top.ID); err != nil {
			t.Fatal(err)
		}
		thread := func(viewer *account.User) *comment.Thread {
			t.Helper()
			th, err := kept.Thread(ctx, e.st.ID, viewer, comment.Oldest, 20)
			if err != nil {
				t.Fatal(err)
			}
			return th
		}
		// Reading a kept thread again builds it afresh: replies do not
		// pile up, and each reader sees only their own recommendations.
		for range 3 {
			if th := thread(a); th.Total != 2 || len(th.Comments) != 1 || len(th.Comments[0].Replies) != 1 {
				t.Fatalf("kept thread: total %d, %d top-level", th.Total, len(th.Comments))
			}
		}
		if !thread(b).Comments[0].Recommended || thread(a).Comments[0].Recommended || thread(nil).Comments[0].Recommended {
			t.Error("a recommendation is marked for the wrong reader")
		}
		// Readers with nothing of their own in it share one thread with
		// anonymous readers; a comment awaiting review stays its author's.
		if thread(a) != thread(nil) {
			t.Error("a reader with nothing of their own here got a thread built for them")
		}
		e.settings(t, func(s *comment.Settings) { s.BannedWords = []string{"scam"} })
		c := e.subscriber()
		if held := e.post(c, 0, "This is a scam."); held.Status != comment.Held {
			t.Fatalf("held comment is %s", held.Status)
		}
		kept.Forget(e.st.ID)
		thread(nil) // keeps the discussion, and the thread shared by readers
		if th := thread(c); len(th.Comments) != 2 || th == thread(nil) {
			t.Error("the author of a held comment does not see it in a thread of their own")
		}
		if th := thread(a); len(th.Comments) != 1 {
			t.Errorf("another reader sees %d top-level comments, want 1 (the held one hidden)", len(th.Comments))
		}
		// A change is seen once the web server says so.
		e.post(a, 0, "A second thought.")
		if th := thread(nil); th.Total != 2 {
			t.Fatalf("total %d before Forget; the thread was not kept", th.Total)
		}
		kept.Forget(e.st.ID)
		if th := thread(nil); th.Total != 3 {
			t.Errorf("total %d after Forget, want 3", th.Total)
		}
		e.post(b, 0, "A third.")
		kept.ForgetAll()
		if th := thread(nil); th.Total != 4 {
			t.Errorf("total %d after ForgetAll, want 4", th.Total)
		}
	})
}

// settings changes the discussion settings with change.
func (e *env) settings(t *testing.T, change func(*comment.Settings)) {
	t.Helper()
	set, err := e.svc.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	change(&set)
	if err := e.svc.SaveSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
}

func TestCountsAndModes(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		a, b := e.subscriber(), e.subscriber()
		e.post(a, 0, "A first comment on the ferry.")
		e.post(b, 0, "A second comment on the ferry.")
		counts, err := e.svc.Counts(ctx, []int64{e.st.ID, e.st.ID + 1000})
		if err != nil {
			t.Fatal(err)
		}
		if counts[e.st.ID] != 2 || counts[e.st.ID+1000] != 0 {
			t.Errorf("counts = %v, want 2 for the story and none for one that does not exist", counts)
		}
		if counts, err := e.svc.Counts(ctx, nil); err != nil || len(counts) != 0 {
			t.Errorf("counts of no story = %v, %v", counts, err)
		}

		for _, mode := range []comment.Mode{comment.ForRegistered, comment.Closed, comment.ForSubscribers} {
			if err := e.svc.SetMode(ctx, e.st.ID, mode); err != nil {
				t.Fatal(err)
			}
			st, err := e.db.StoryByID(ctx, e.st.ID)
			if err != nil || st.Comments != string(mode) {
				t.Fatalf("mode %q stored as %q, %v", mode, st.Comments, err)
			}
		}
		for _, mode := range []comment.Mode{"", "everyone", "Closed"} {
			if err := e.svc.SetMode(ctx, e.st.ID, mode); !errors.Is(err, comment.ErrBadMode) {
				t.Errorf("mode %q: err = %v, want ErrBadMode", mode, err)
			}
		}
		if st, _ := e.db.StoryByID(ctx, e.st.ID); st.Comments != string(comment.ForSubscribers) {
			t.Errorf("a refused mode changed the story's: %q", st.Comments)
		}
	})
}
