package billing_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"dateline/internal/account"
	"dateline/internal/billing"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
	"dateline/internal/story"
)

// together runs fn n times at once and waits for every run.
func together(n int, fn func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			fn(i)
		}()
	}
	close(start)
	wg.Wait()
}

func TestMeterHoldsUnderParallelReads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		w := newWorld(t, db)
		const readers, reads = 8, 8
		stories := append([]*story.Story{w.paid}, w.more...)
		for i := len(stories); i < reads; i++ {
			stories = append(stories, w.story(fmt.Sprintf("Another subscriber story %d", i), story.Subscribers))
		}
		users := make([]*account.User, readers)
		for i := range users {
			users[i] = w.reader(account.Reader)
		}
		var mu sync.Mutex
		full := map[int64]int{}
		var errs []error
		together(readers*reads, func(i int) {
			u, st := users[i/reads], stories[i%reads]
			a, err := w.svc.StoryAccess(ctx, u, st, "")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				errs = append(errs, err)
			case a.Full:
				full[u.ID]++
			case a.Why != billing.WhySubscribe:
				errs = append(errs, fmt.Errorf("reader %d, story %d: refused with %q", u.ID, st.ID, a.Why))
			}
		})
		for _, err := range errs {
			t.Error(err)
		}
		for _, u := range users {
			used, err := db.MeterUsed(ctx, u.ID, billing.Month(w.clock.now, nil))
			if err != nil {
				t.Fatal(err)
			}
			if full[u.ID] != 3 || used != 3 {
				t.Errorf("reader %d read %d stories in full and the meter counted %d; want 3 and 3", u.ID, full[u.ID], used)
			}
		}
	})
}

func TestGiftLimitHoldsUnderParallelRequests(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		w := newWorld(t, db)
		subs := []*account.User{w.reader(account.Reader), w.reader(account.Reader)}
		for _, u := range subs {
			w.subscribe(u, billing.Subscription{Status: billing.Active})
		}
		const requests = 30
		var mu sync.Mutex
		made := map[int64]int{}
		together(len(subs)*requests, func(i int) {
			u := subs[i%len(subs)]
			_, err := w.svc.GiftLink(ctx, u, w.paid)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				made[u.ID]++
			case !errors.Is(err, billing.ErrGiftLimit):
				t.Errorf("gift for reader %d: %v", u.ID, err)
			}
		})
		for _, u := range subs {
			gifts, err := w.svc.Gifts(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if made[u.ID] != 10 || len(gifts) != 10 {
				t.Errorf("%d parallel requests made %d gift links (%d stored); want 10", requests, made[u.ID], len(gifts))
			}
		}
	})
}
