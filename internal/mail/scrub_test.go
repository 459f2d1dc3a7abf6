package mail_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"dateline/internal/mail"
	"dateline/internal/mail/mailtest"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

// TestDeliveredCodeIsNotInABackup delivers a reset code through a real
// SMTP server and looks for the code, byte for byte, in backups of the
// SQLite database taken before and after: only the first may hold it.
func TestDeliveredCodeIsNotInABackup(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	c := newClock()
	s.Now = c.Now
	srv := mailtest.Start(t)
	snd := newSender(t, s, srv, c)
	const code = "73920518"
	link := baseURL + "/password/reset?email=ana%40example.com&code=" + code
	m, err := newComposer(t).Compose(mail.ResetCode, "ana@example.com", "Ana", map[string]any{
		"Code": code, "Link": link, "Minutes": 10,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Enqueue(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	backup := func(name string) []byte {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := s.Backup(context.Background(), path); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if !bytes.Contains(backup("before.db"), []byte(code)) {
		t.Fatal("a backup of the waiting email lacks the code, so this test cannot see it")
	}

	runOnce(t, snd, 1, 0)
	got := srv.WaitFor(t, 1, wait)
	if !bytes.Contains([]byte(got[0].Text()), []byte(code)) {
		t.Fatalf("the delivered email lacks the code:\n%s", got[0].Text())
	}
	after := backup("after.db")
	if bytes.Contains(after, []byte(code)) {
		t.Error("a backup taken after delivery holds the reset code")
	}
	if !bytes.Contains(after, []byte(m.MessageID)) {
		t.Error("the backup lost the message's record")
	}
	row := outboxRow(t, s, m.ID)
	if row.Status != mail.Sent || row.To != "ana@example.com" || row.Subject != m.Subject || row.Text != "" || row.HTML != "" {
		t.Errorf("outbox after delivery: %+v", row)
	}
}

// TestSenderDeletesOldMail: sent mail is deleted once older than the
// retention, on the sender's clock, by Cleanup and by Run on its own.
func TestSenderDeletesOldMail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c := newClock()
		s.Now = c.Now
		srv := mailtest.Start(t)
		snd := newSender(t, s, srv, c)
		if snd.Retention != mail.DefaultRetention || mail.DefaultRetention != 30*24*time.Hour {
			t.Errorf("retention %s, default %s; want 30 days", snd.Retention, mail.DefaultRetention)
		}
		first := enqueue(t, s, "ana@example.com")
		runOnce(t, snd, 1, 0)
		c.Add(10 * 24 * time.Hour)
		second := enqueue(t, s, "tom@example.com")
		runOnce(t, snd, 1, 0)
		c.Add(20*24*time.Hour + time.Minute) // first: 30 days and a minute old; second: 20 days
		waiting := enqueue(t, s, "rui@example.com")

		n, err := snd.Cleanup(context.Background())
		if err != nil || n != 1 {
			t.Fatalf("Cleanup = %d, %v; want 1", n, err)
		}
		if left := outboxIDs(t, s); left[first.ID] || !left[second.ID] || !left[waiting.ID] {
			t.Errorf("after Cleanup the outbox holds %v; want %d and %d", left, second.ID, waiting.ID)
		}

		// Run cleans up as it starts, and sends what is waiting.
		c.Add(10 * 24 * time.Hour)
		fresh := enqueue(t, s, "eva@example.com")
		snd.Poll = time.Hour
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			snd.Run(ctx)
		}()
		defer func() { cancel(); <-done }()
		srv.WaitForTo(t, "eva@example.com", 1, wait)
		for deadline := time.Now().Add(wait); ; time.Sleep(10 * time.Millisecond) {
			left := outboxIDs(t, s)
			if !left[second.ID] && left[fresh.ID] {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("Run left the outbox holding %v; want %d gone and %d kept", left, second.ID, fresh.ID)
			}
		}
	})
}

// outboxIDs is the set of messages in the outbox.
func outboxIDs(t *testing.T, s *store.Store) map[int64]bool {
	t.Helper()
	list, err := s.RecentMail(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]bool{}
	for _, m := range list {
		out[m.ID] = true
	}
	return out
}
