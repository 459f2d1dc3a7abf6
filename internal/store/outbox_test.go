package store_test

import (
	"database/sql"
	"dateline/internal/clock"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"dateline/internal/mail"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

// outboxMessage returns a valid message to the nth reader.
func outboxMessage(n int) *mail.Message {
	return mail.New("news.example.org", fmt.Sprintf("reader%d@example.com", n), fmt.Sprintf("Reader Nº %d", n),
		fmt.Sprintf("Dateline: message %d", n), fmt.Sprintf("Text of message %d — olá.\n", n),
		fmt.Sprintf("<p>HTML of message %d</p>\n", n))
}

func enqueueN(t *testing.T, s *store.Store, n int) []*mail.Message {
	t.Helper()
	var out []*mail.Message
	for i := range n {
		m := outboxMessage(i)
		if err := s.Enqueue(ctx, m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func ids(list []mail.Message) []int64 {
	out := make([]int64, len(list))
	for i, m := range list {
		out[i] = m.ID
	}
	return out
}

func claim(t *testing.T, s *store.Store, limit int) []mail.Message {
	t.Helper()
	got, err := s.ClaimMail(ctx, 2*time.Minute, limit)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func recent(t *testing.T, s *store.Store, id int64) mail.Message {
	t.Helper()
	list, err := s.RecentMail(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range list {
		if m.ID == id {
			return m
		}
	}
	t.Fatalf("message %d is not in the outbox", id)
	return mail.Message{}
}

func TestOutboxEnqueueAndClaim(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c := newClock(s)
		sent := enqueueN(t, s, 3)
		for _, m := range sent {
			if m.ID == 0 || m.Status != mail.Pending || m.Attempts != 0 ||
				!m.CreatedAt.Equal(c.now) || !m.NextAttempt.Equal(c.now) {
				t.Fatalf("after Enqueue: %+v", m)
			}
		}

		got := claim(t, s, 2)
		if fmt.Sprint(ids(got)) != fmt.Sprint([]int64{sent[0].ID, sent[1].ID}) {
			t.Fatalf("first claim got %v, want the two oldest", ids(got))
		}
		want := *sent[0]
		if g := got[0]; g.To != want.To || g.ToName != want.ToName || g.Subject != want.Subject ||
			g.Text != want.Text || g.HTML != want.HTML || g.MessageID != want.MessageID ||
			g.Status != mail.Pending || !g.CreatedAt.Equal(c.now) || !g.NextAttempt.Equal(c.now) ||
			g.CreatedAt.Location() != time.UTC || !g.SentAt.IsZero() || g.LastError != "" {
			t.Errorf("claimed %+v\nwant %+v", g, want)
		}
		if got := claim(t, s, 10); len(got) != 1 || got[0].ID != sent[2].ID {
			t.Fatalf("second claim got %v, want only the third", ids(got))
		}
		if got := claim(t, s, 10); len(got) != 0 {
			t.Fatalf("third claim got %v, want nothing: all are leased", ids(got))
		}
		c.now = c.now.Add(time.Minute)
		if got := claim(t, s, 10); len(got) != 0 {
			t.Fatalf("claim within the lease got %v", ids(got))
		}
		c.now = c.now.Add(2 * time.Minute)
		if got := claim(t, s, 10); len(got) != 3 {
			t.Fatalf("claim after the lease ran out got %v, want all three again", ids(got))
		}
		if got, err := s.ClaimMail(ctx, time.Minute, 0); err != nil || len(got) != 0 {
			t.Errorf("limit 0: %v, %v", ids(got), err)
		}
	})
}

func TestOutboxMarkSentAndFailed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c := newClock(s)
		msgs := enqueueN(t, s, 3)
		claim(t, s, 10)
		start := c.now

		// Sent: never claimed again.
		sentAt := c.now.Add(3 * time.Second)
		if err := s.MarkMailSent(ctx, msgs[0].ID, sentAt); err != nil {
			t.Fatal(err)
		}
		m := recent(t, s, msgs[0].ID)
		if m.Status != mail.Sent || !m.SentAt.Equal(sentAt) || m.Attempts != 1 {
			t.Errorf("after MarkMailSent: status %s sent %v attempts %d", m.Status, m.SentAt, m.Attempts)
		}

		// Failed, to retry in a minute: released at once, due then.
		next := c.now.Add(time.Minute)
		if err := s.MarkMailFailed(ctx, msgs[1].ID, 1, next, "421 try later", false); err != nil {
			t.Fatal(err)
		}
		m = recent(t, s, msgs[1].ID)
		if m.Status != mail.Pending || m.Attempts != 1 || !m.NextAttempt.Equal(next) || m.LastError != "421 try later" {
			t.Errorf("after MarkMailFailed: %+v", m)
		}

		// Given up: never claimed again.
		if err := s.MarkMailFailed(ctx, msgs[2].ID, 4, next, "550 no such mailbox", true); err != nil {
			t.Fatal(err)
		}
		m = recent(t, s, msgs[2].ID)
		if m.Status != mail.Failed || m.Attempts != 4 || m.LastError != "550 no such mailbox" {
			t.Errorf("after giving up: %+v", m)
		}
		// A late failure report does not undo a sent message.
		if err := s.MarkMailFailed(ctx, msgs[0].ID, 9, next, "late", true); err != nil {
			t.Fatal(err)
		}
		if m := recent(t, s, msgs[0].ID); m.Status != mail.Sent || m.LastError != "" {
			t.Errorf("a failure report changed a sent message: %+v", m)
		}

		if got := claim(t, s, 10); len(got) != 0 {
			t.Fatalf("claim before the retry is due got %v", ids(got))
		}
		c.now = next
		got := claim(t, s, 10)
		if len(got) != 1 || got[0].ID != msgs[1].ID || got[0].Attempts != 1 || got[0].LastError != "421 try later" {
			t.Fatalf("claim when the retry is due got %+v", got)
		}
		c.now = start.Add(48 * time.Hour)
		if got := claim(t, s, 10); len(got) != 1 || got[0].ID != msgs[1].ID {
			t.Fatalf("much later, claim got %v; want only the pending one", ids(got))
		}

		if err := s.MarkMailSent(ctx, 424242, c.now); !errors.Is(err, mail.ErrNotFound) {
			t.Errorf("MarkMailSent of a missing message: %v, want mail.ErrNotFound", err)
		}
	})
}

func TestOutboxEnqueueChecksMessages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		newClock(s)
		bad := outboxMessage(1)
		bad.To = "not an address"
		if err := s.Enqueue(ctx, bad); err == nil {
			t.Error("enqueued a message to a bad address")
		}

		m := outboxMessage(2)
		if err := s.Enqueue(ctx, m); err != nil {
			t.Fatal(err)
		}
		again := outboxMessage(3)
		again.MessageID = m.MessageID
		if err := s.Enqueue(ctx, again); err == nil {
			t.Error("enqueued two messages with one Message-ID")
		}

		noID := outboxMessage(4)
		noID.MessageID = ""
		if err := s.Enqueue(ctx, noID); err != nil {
			t.Fatal(err)
		}
		if noID.MessageID == "" || recent(t, s, noID.ID).MessageID != noID.MessageID {
			t.Errorf("a message without Message-ID got %q", noID.MessageID)
		}

		list, err := s.RecentMail(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 {
			t.Errorf("outbox holds %d messages, want 2", len(list))
		}
	})
}

func TestRecentMailNewestFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c := newClock(s)
		var want []int64
		for i := range 5 {
			m := outboxMessage(i)
			if err := s.Enqueue(ctx, m); err != nil {
				t.Fatal(err)
			}
			want = append([]int64{m.ID}, want...)
			c.now = c.now.Add(time.Second)
		}
		got, err := s.RecentMail(ctx, 3)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(ids(got)) != fmt.Sprint(want[:3]) {
			t.Errorf("RecentMail(3) = %v, want %v", ids(got), want[:3])
		}
		// Any status is listed.
		if err := s.MarkMailSent(ctx, want[0], c.now); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkMailFailed(ctx, want[1], 1, c.now, "x", true); err != nil {
			t.Fatal(err)
		}
		got, err = s.RecentMail(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 5 || got[0].Status != mail.Sent || got[1].Status != mail.Failed || got[2].Status != mail.Pending {
			t.Errorf("RecentMail(10) = %+v", got)
		}
	})
}

// openTwins opens two stores on one new database, as two instances of the
// site would, and returns them with the database's address.
func openTwins(t *testing.T, d store.Dialect) (a, b *store.Store, dsn string) {
	t.Helper()
	dsn = storetest.DSN(t, d)
	for _, p := range []**store.Store{&a, &b} {
		s, err := store.Open(ctx, dsn, clock.System)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		*p = s
	}
	if _, err := a.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return a, b, dsn
}

func TestOutboxConcurrentClaimsAreDisjoint(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			a, b, _ := openTwins(t, d)
			const total = 60
			enqueueN(t, a, total)

			// Each claimer, on its own store, claims small batches until
			// the outbox is empty; they start together.
			var (
				mu     sync.Mutex
				seen   = map[int64]int{}
				start  = make(chan struct{})
				wg     sync.WaitGroup
				errs   = make(chan error, 2)
				rounds [2]int
			)
			for i, s := range []*store.Store{a, b} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					for {
						got, err := s.ClaimMail(ctx, time.Hour, 7)
						if err != nil {
							errs <- err
							return
						}
						if len(got) == 0 {
							return
						}
						rounds[i]++
						mu.Lock()
						for _, m := range got {
							seen[m.ID]++
						}
						mu.Unlock()
					}
				}()
			}
			close(start)
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			if len(seen) != total {
				t.Errorf("%d messages claimed, want %d", len(seen), total)
			}
			for id, n := range seen {
				if n != 1 {
					t.Errorf("message %d claimed %d times", id, n)
				}
			}
			t.Logf("claim rounds per store: %v", rounds)
		})
	}
}

// openRaw opens a plain database/sql handle on the store's database, the
// way the store opens it, to run a transaction of the test's own.
func openRaw(t *testing.T, d store.Dialect, dsn string) *sql.DB {
	t.Helper()
	driver, source := "pgx", dsn
	if d == store.SQLite {
		driver = "sqlite"
		source = "file:" + dsn + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_time_format=sqlite&_txlock=immediate"
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestEnqueueTxFollowsTheTransaction(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			s, _, dsn := openTwins(t, d)
			c := newClock(s)
			db := openRaw(t, d, dsn)

			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			dropped := outboxMessage(1)
			if err := s.EnqueueTx(ctx, tx, dropped); err != nil {
				t.Fatal(err)
			}
			if dropped.ID == 0 {
				t.Error("EnqueueTx set no ID")
			}
			if err := tx.Rollback(); err != nil {
				t.Fatal(err)
			}

			tx, err = db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			kept := outboxMessage(2)
			if err := s.EnqueueTx(ctx, tx, kept); err != nil {
				t.Fatal(err)
			}
			// (A claim would wait here on SQLite: the transaction holds the
			// one write lock. Readers see only what is committed.)
			if got, err := s.RecentMail(ctx, 10); err != nil || len(got) != 0 {
				t.Fatalf("before the transaction committed the outbox held %v (%v)", ids(got), err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}

			got := claim(t, s, 10)
			if len(got) != 1 || got[0].MessageID != kept.MessageID || !got[0].CreatedAt.Equal(c.now) {
				t.Fatalf("after commit claimed %+v, want only the committed message", got)
			}
		})
	}
}

// TestOutboxScrubsSettledMail: a message sent or given up keeps its
// recipient, subject, times and status, but not its text or HTML; one still
// to be retried keeps everything.
func TestOutboxScrubsSettledMail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c := newClock(s)
		msgs := enqueueN(t, s, 3)
		claim(t, s, 10)
		next := c.now.Add(time.Minute)
		if err := s.MarkMailSent(ctx, msgs[0].ID, c.now); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkMailFailed(ctx, msgs[1].ID, 1, next, "421 try later", false); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkMailFailed(ctx, msgs[2].ID, 4, next, "550 no such mailbox", true); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name   string
			msg    *mail.Message
			status mail.Status
			body   bool
		}{
			{"sent", msgs[0], mail.Sent, false},
			{"to be retried", msgs[1], mail.Pending, true},
			{"given up", msgs[2], mail.Failed, false},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				m := recent(t, s, c.msg.ID)
				if m.Status != c.status || m.To != c.msg.To || m.ToName != c.msg.ToName || m.Subject != c.msg.Subject ||
					m.MessageID != c.msg.MessageID || m.CreatedAt.IsZero() {
					t.Errorf("the metadata changed: %+v", m)
				}
				if kept := m.Text == c.msg.Text && m.HTML == c.msg.HTML; kept != c.body {
					t.Errorf("body kept = %v, want %v: text %q, HTML %q", kept, c.body, m.Text, m.HTML)
				}
				if !c.body && (m.Text != "" || m.HTML != "") {
					t.Errorf("body left: text %q, HTML %q", m.Text, m.HTML)
				}
			})
		}
	})
}

// TestOutboxDeleteSettledMail deletes sent and given-up messages created
// before a moment, and never a pending one.
func TestOutboxDeleteSettledMail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c := newClock(s)
		old := enqueueN(t, s, 3) // sent, given up, pending
		claim(t, s, 10)
		if err := s.MarkMailSent(ctx, old[0].ID, c.now); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkMailFailed(ctx, old[1].ID, 4, c.now, "550", true); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkMailFailed(ctx, old[2].ID, 1, c.now.Add(time.Hour), "421", false); err != nil {
			t.Fatal(err)
		}
		cut := c.now.Add(time.Second)
		c.now = cut
		fresh := outboxMessage(9)
		if err := s.Enqueue(ctx, fresh); err != nil {
			t.Fatal(err)
		}
		claim(t, s, 10)
		if err := s.MarkMailSent(ctx, fresh.ID, c.now); err != nil {
			t.Fatal(err)
		}
		n, err := s.DeleteSettledMail(ctx, cut)
		if err != nil || n != 2 {
			t.Fatalf("DeleteSettledMail = %d, %v; want 2", n, err)
		}
		list, err := s.RecentMail(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		left := map[int64]bool{}
		for _, m := range list {
			left[m.ID] = true
		}
		if len(left) != 2 || !left[old[2].ID] || !left[fresh.ID] {
			t.Errorf("left %v; want the pending message %d and the fresh one %d", ids(list), old[2].ID, fresh.ID)
		}
	})
}
