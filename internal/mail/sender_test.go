package mail_test

import (
	"bytes"
	"context"
	"dateline/internal/clock"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"dateline/internal/mail"
	"dateline/internal/mail/mailtest"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

// clock is a settable time source shared by a store and a sender.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newClock() *testClock {
	return &testClock{now: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)}
}

// testLog sends a component's log to the test's log.
func testLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// newSender makes a sender over s delivering to srv, on clock c.
func newSender(t *testing.T, s *store.Store, srv *mailtest.Server, c *testClock) *mail.Sender {
	t.Helper()
	snd := mail.NewSender(s, newSMTP(t, srv.URL()), from, c.Now, testLog(t))
	return snd
}

// enqueue composes a reset-code email to addr and puts it in the outbox.
func enqueue(t *testing.T, s *store.Store, addr string) *mail.Message {
	t.Helper()
	m, err := newComposer(t).Compose(mail.ResetCode, addr, "", map[string]any{
		"Code": "12345678", "Link": resetLink, "Minutes": 10,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Enqueue(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	return m
}

func runOnce(t *testing.T, snd *mail.Sender, wantSent, wantFailed int) {
	t.Helper()
	sent, failed, err := snd.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if sent != wantSent || failed != wantFailed {
		t.Fatalf("RunOnce: sent %d failed %d, want %d and %d", sent, failed, wantSent, wantFailed)
	}
}

// outboxRow finds message id in the outbox.
func outboxRow(t *testing.T, s *store.Store, id int64) mail.Message {
	t.Helper()
	list, err := s.RecentMail(context.Background(), 1000)
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

// messageIDs counts the messages the server received by Message-ID.
func messageIDs(srv *mailtest.Server) map[string]int {
	out := map[string]int{}
	for _, r := range srv.Messages() {
		out[r.Header("Message-ID")]++
	}
	return out
}

func TestDefaultBackoff(t *testing.T) {
	for attempts, want := range map[int]time.Duration{
		0: 30 * time.Second, 1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute,
		7: 32 * time.Minute, 8: time.Hour, 9: time.Hour, 1000: time.Hour,
	} {
		if got := mail.DefaultBackoff(attempts); got != want {
			t.Errorf("DefaultBackoff(%d) = %s, want %s", attempts, got, want)
		}
	}
}

func TestSenderDeliversExactlyOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c := newClock()
		s.Now = c.Now
		srv := mailtest.Start(t)
		snd := newSender(t, s, srv, c)
		var msgs []*mail.Message
		for _, addr := range []string{"ana@example.com", "tom@example.com", "rui@example.com"} {
			msgs = append(msgs, enqueue(t, s, addr))
		}

		runOnce(t, snd, 3, 0)
		got := srv.WaitFor(t, 3, wait)
		for i, m := range msgs {
			if got[i].To[0] != m.To || got[i].Header("Message-ID") != m.MessageID {
				t.Errorf("message %d arrived to %v with id %s", i, got[i].To, got[i].Header("Message-ID"))
			}
			row := outboxRow(t, s, m.ID)
			if row.Status != mail.Sent || !row.SentAt.Equal(c.Now()) || row.Attempts != 1 {
				t.Errorf("outbox after sending: %+v", row)
			}
		}

		runOnce(t, snd, 0, 0)
		c.Add(time.Hour) // well past any lease
		runOnce(t, snd, 0, 0)
		if n := len(srv.Messages()); n != 3 {
			t.Errorf("server received %d messages, want 3", n)
		}
	})
}

func TestSenderRetriesAfterOutage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c := newClock()
		s.Now = c.Now
		srv := mailtest.Start(t)
		snd := newSender(t, s, srv, c)

		srv.Down()
		a := enqueue(t, s, "ana@example.com")
		b := enqueue(t, s, "tom@example.com")
		runOnce(t, snd, 0, 2)
		for _, m := range []*mail.Message{a, b} {
			row := outboxRow(t, s, m.ID)
			if row.Status != mail.Pending || row.Attempts != 1 || row.LastError == "" ||
				!row.NextAttempt.Equal(c.Now().Add(30*time.Second)) {
				t.Fatalf("after a failed attempt: %+v", row)
			}
		}
		runOnce(t, snd, 0, 0) // not due yet

		// A second failure waits twice as long.
		c.Add(30 * time.Second)
		runOnce(t, snd, 0, 2)
		if row := outboxRow(t, s, a.ID); row.Attempts != 2 || !row.NextAttempt.Equal(c.Now().Add(time.Minute)) {
			t.Fatalf("after two failed attempts: %+v", row)
		}

		srv.Up()
		runOnce(t, snd, 0, 0) // the server is back, but the retry is not due
		if n := len(srv.Messages()); n != 0 {
			t.Fatalf("server received %d messages before the retry was due", n)
		}
		c.Add(time.Minute)
		runOnce(t, snd, 2, 0)
		srv.WaitFor(t, 2, wait)
		c.Add(time.Hour)
		runOnce(t, snd, 0, 0)

		ids := messageIDs(srv)
		if len(srv.Messages()) != 2 || ids[a.MessageID] != 1 || ids[b.MessageID] != 1 {
			t.Errorf("server received %v, want each message once", ids)
		}
		if row := outboxRow(t, s, b.ID); row.Status != mail.Sent || row.Attempts != 3 {
			t.Errorf("after delivery: %+v", row)
		}
	})
}

func TestSenderGivesUpOldMail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c := newClock()
		s.Now = c.Now
		srv := mailtest.Start(t)
		snd := newSender(t, s, srv, c)

		// Too old by the time a sender sees it: never sent.
		old := enqueue(t, s, "ana@example.com")
		c.Add(snd.MaxAge + time.Second)
		runOnce(t, snd, 0, 1)
		row := outboxRow(t, s, old.ID)
		if row.Status != mail.Failed || !strings.Contains(row.LastError, "gave up") {
			t.Errorf("old message: %+v", row)
		}

		// Failing right up to its last hour: given up with the error.
		srv.Down()
		late := enqueue(t, s, "tom@example.com")
		c.Add(snd.MaxAge)
		runOnce(t, snd, 0, 1)
		row = outboxRow(t, s, late.ID)
		if row.Status != mail.Failed || row.Attempts != 1 || row.LastError == "" {
			t.Errorf("message failing at its deadline: %+v", row)
		}

		srv.Up()
		c.Add(48 * time.Hour)
		runOnce(t, snd, 0, 0)
		if n := len(srv.Messages()); n != 0 {
			t.Errorf("server received %d messages given up on", n)
		}
	})
}

func TestSenderGivesUpRejectedRecipient(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c := newClock()
		s.Now = c.Now
		srv := mailtest.Start(t)
		srv.Reject("gone@example.com")
		snd := newSender(t, s, srv, c)
		gone := enqueue(t, s, "gone@example.com")
		ok := enqueue(t, s, "ana@example.com")
		runOnce(t, snd, 1, 1)
		row := outboxRow(t, s, gone.ID)
		if row.Status != mail.Failed || row.Attempts != 1 || !strings.Contains(row.LastError, "550") {
			t.Errorf("rejected message: %+v", row)
		}
		if row := outboxRow(t, s, ok.ID); row.Status != mail.Sent {
			t.Errorf("the other message: %+v", row)
		}
	})
}

func TestNewSenderFinishesWhatAnEarlierOneLeft(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			dsn := storetest.DSN(t, d)
			c := newClock()
			srv := mailtest.Start(t)
			ctx := context.Background()

			// The first instance: the mail server is down; one message
			// fails, another is claimed when the process dies.
			first, err := store.Open(ctx, dsn, clock.System)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := first.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			first.Now = c.Now
			srv.Down()
			failed := enqueue(t, first, "ana@example.com")
			runOnce(t, newSender(t, first, srv, c), 0, 1)
			inFlight := enqueue(t, first, "tom@example.com")
			if got, err := first.ClaimMail(ctx, mail.DefaultLease, 10); err != nil || len(got) != 1 {
				t.Fatalf("claim: %v, %v", got, err)
			}
			waiting := enqueue(t, first, "rui@example.com")
			first.Close()

			// The restart, a few minutes later, with the server back.
			srv.Up()
			c.Add(5 * time.Minute)
			second, err := store.Open(ctx, dsn, clock.System)
			if err != nil {
				t.Fatal(err)
			}
			defer second.Close()
			second.Now = c.Now
			snd := newSender(t, second, srv, c)
			runOnce(t, snd, 3, 0)
			runOnce(t, snd, 0, 0)

			ids := messageIDs(srv)
			for _, m := range []*mail.Message{failed, inFlight, waiting} {
				if ids[m.MessageID] != 1 {
					t.Errorf("message to %s arrived %d times", m.To, ids[m.MessageID])
				}
			}
			if n := len(srv.Messages()); n != 3 {
				t.Errorf("server received %d messages, want 3", n)
			}
		})
	}
}

// watchedOutbox is a real outbox that reports each claim.
type watchedOutbox struct {
	mail.Outbox
	claims chan struct{}
}

func (w watchedOutbox) ClaimMail(ctx context.Context, lease time.Duration, limit int) ([]mail.Message, error) {
	got, err := w.Outbox.ClaimMail(ctx, lease, limit)
	select {
	case w.claims <- struct{}{}:
	default:
	}
	return got, err
}

func TestSenderRunWakesAndStops(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		srv := mailtest.Start(t)
		outbox := watchedOutbox{Outbox: s, claims: make(chan struct{}, 1)}
		snd := mail.NewSender(outbox, newSMTP(t, srv.URL()), from, s.Now, testLog(t))
		snd.Poll = time.Hour // only Wake can start a second round

		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			snd.Run(ctx)
		}()
		defer func() {
			cancel()
			select {
			case <-done:
			case <-time.After(wait):
				t.Error("Run did not return after cancel")
			}
		}()

		select {
		case <-outbox.claims: // the first round, over an empty outbox
		case <-time.After(wait):
			t.Fatal("Run made no first round")
		}
		m := enqueue(t, s, "ana@example.com")
		snd.Wake()
		snd.Wake() // never blocks
		got := srv.WaitFor(t, 1, wait)
		if got[0].Header("Message-ID") != m.MessageID {
			t.Errorf("received %s, want %s", got[0].Header("Message-ID"), m.MessageID)
		}
	})
}

func TestSendersSharingAnOutboxDeliverOnce(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			dsn := storetest.DSN(t, d)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			srv := mailtest.Start(t)
			var stores []*store.Store
			for range 2 {
				s, err := store.Open(ctx, dsn, clock.System)
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				stores = append(stores, s)
			}
			if _, err := stores[0].Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			const total = 40
			want := map[string]bool{}
			for i := range total {
				m := enqueue(t, stores[i%2], "reader@example.com")
				want[m.MessageID] = true
			}

			var wg sync.WaitGroup
			for _, s := range stores {
				snd := mail.NewSender(s, newSMTP(t, srv.URL()), from, s.Now, testLog(t))
				snd.Batch = 3
				snd.Poll = 10 * time.Millisecond
				wg.Add(1)
				go func() {
					defer wg.Done()
					snd.Run(ctx)
				}()
			}
			srv.WaitFor(t, total, wait)
			cancel()
			wg.Wait()

			got := messageIDs(srv)
			if len(srv.Messages()) != total || len(got) != total {
				t.Errorf("server received %d messages, %d distinct, want %d", len(srv.Messages()), len(got), total)
			}
			for id := range want {
				if got[id] != 1 {
					t.Errorf("%s arrived %d times", id, got[id])
				}
			}
		})
	}
}

func TestSenderTimesOutAStalledServer(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	c := newClock()
	s.Now = c.Now
	// A server that accepts connections and never answers.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	snd := mail.NewSender(s, newSMTP(t, "smtp://"+ln.Addr().String()), from, c.Now, testLog(t))
	snd.Timeout = 200 * time.Millisecond
	m := enqueue(t, s, "ana@example.com")

	done := make(chan struct{})
	go func() {
		defer close(done)
		sent, failed, err := snd.RunOnce(context.Background())
		if sent != 0 || failed != 1 || err != nil {
			t.Errorf("RunOnce: %d sent, %d failed, %v", sent, failed, err)
		}
	}()
	select {
	case <-done:
	case <-time.After(wait):
		t.Fatal("RunOnce ignored the per-message timeout")
	}
	if row := outboxRow(t, s, m.ID); row.Status != mail.Pending || row.Attempts != 1 {
		t.Errorf("after a timeout: %+v", row)
	}
}

func TestSenderReleasesMailOnShutdown(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	c := newClock()
	s.Now = c.Now
	m := enqueue(t, s, "ana@example.com")
	ctx, cancel := context.WithCancel(context.Background())
	// A transport that is still sending when the process shuts down.
	tr := transportFunc(func(ctx context.Context, from string, m *mail.Message) error {
		cancel()
		<-ctx.Done()
		return ctx.Err()
	})
	snd := mail.NewSender(s, tr, from, c.Now, testLog(t))
	if _, _, err := snd.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	row := outboxRow(t, s, m.ID)
	if row.Status != mail.Pending || row.Attempts != 0 || !row.NextAttempt.Equal(c.Now()) {
		t.Errorf("after an interrupted send: %+v", row)
	}
	// Released, not leased: the next instance sends it at once.
	got, err := s.ClaimMail(context.Background(), time.Minute, 10)
	if err != nil || len(got) != 1 {
		t.Errorf("claim after shutdown: %v, %v", got, err)
	}
}

// transportFunc adapts a function to a Transport.
type transportFunc func(ctx context.Context, from string, m *mail.Message) error

func (f transportFunc) Send(ctx context.Context, from string, m *mail.Message) error {
	return f(ctx, from, m)
}

func TestLogTransportLogsNoBody(t *testing.T) {
	var buf bytes.Buffer
	tr := mail.NewLog(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	m := mail.New("example.org", "ana@example.com", "Ana", "Your Dateline password reset code",
		"Your reset code: 12345678\n", "<p>12345678</p>")
	if err := tr.Send(context.Background(), from, m); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ana@example.com", "Your Dateline password reset code", m.MessageID} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, buf.String())
		}
	}
	if strings.Contains(buf.String(), "12345678") {
		t.Errorf("the log carries the message's body:\n%s", buf.String())
	}
}

// TestLogTransportKeepsRecentMail: the development mailbox reads bodies
// from the log transport's memory, newest first, as the outbox empties
// them once sent.
func TestLogTransportKeepsRecentMail(t *testing.T) {
	tr := mail.NewLog(slog.New(slog.DiscardHandler))
	for i := range 105 {
		m := mail.New("example.org", "ana@example.com", "Ana", fmt.Sprintf("Message %d", i), fmt.Sprintf("Code %d\n", i), "")
		if err := tr.Send(context.Background(), from, m); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		limit int
		want  int
	}{{0, 0}, {3, 3}, {50, 50}, {1000, 100}}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.limit), func(t *testing.T) {
			got, err := tr.RecentMail(context.Background(), c.limit)
			if err != nil || len(got) != c.want {
				t.Fatalf("RecentMail(%d) = %d messages, %v; want %d", c.limit, len(got), err, c.want)
			}
			if c.want > 0 && (got[0].Subject != "Message 104" || got[0].Text != "Code 104\n" || got[0].Status != mail.Sent) {
				t.Errorf("newest = %+v", got[0])
			}
		})
	}
}
