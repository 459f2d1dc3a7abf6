package newsroom_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"dateline/internal/newsroom"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

func TestPageViewsAreCountedByTheHour(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		svc, c, _, editor := setup(t, db)
		var ids []int64
		for _, h := range []string{"Popular", "Other"} {
			st := draft(h)
			if err := svc.Save(ctx, editor, st, 0, newsroom.Publish, time.Time{}, ""); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, st.ID)
		}
		popular, other := ids[0], ids[1]
		for range 3 {
			svc.CountView(ctx, popular)
		}
		svc.CountView(ctx, other)
		// Nothing is written until a flush, or until the hour turns.
		start := c.Now()
		views := func(since time.Time) map[int64]int {
			t.Helper()
			list, err := db.MostRead(ctx, since, 10)
			if err != nil {
				t.Fatal(err)
			}
			out := map[int64]int{}
			for _, v := range list {
				out[v.ID] = v.Views
			}
			return out
		}
		if v := views(start); len(v) != 0 {
			t.Fatalf("views written at once: %v", v)
		}
		// Most read counts what is not yet written.
		list, err := svc.MostRead(ctx, 10)
		if err != nil || len(list) != 2 || list[0].ID != popular || list[0].Views != 3 || list[1].Views != 1 {
			t.Fatalf("most read %+v, %v", list, err)
		}
		// The first view of a new hour writes the hour before.
		svc.CountView(ctx, other)
		c.Set(c.Now().Add(time.Hour))
		svc.CountView(ctx, other)
		if v := views(start); v[popular] != 3 || v[other] != 2 {
			t.Errorf("after the hour turned: %v", v)
		}
		if v := views(c.Now()); len(v) != 0 {
			t.Errorf("the new hour's view was written at once: %v", v)
		}
		if err := svc.FlushViews(ctx); err != nil {
			t.Fatal(err)
		}
		if v := views(c.Now()); v[other] != 1 || len(v) != 1 {
			t.Errorf("the new hour after the flush: %v", v)
		}
		// A day later they have left the most read.
		c.Set(c.Now().Add(25 * time.Hour))
		if list, err := svc.MostRead(ctx, 10); err != nil || len(list) != 0 {
			t.Errorf("most read a day later: %d, %v", len(list), err)
		}
	})
}

func TestTheViewFlusherWritesWhatIsLeftAsItStops(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		svc, c, _, editor := setup(t, db)
		st := draft("Read once")
		if err := svc.Save(ctx, editor, st, 0, newsroom.Publish, time.Time{}, ""); err != nil {
			t.Fatal(err)
		}
		run, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Go(func() { svc.RunViewFlusher(run, time.Hour) })
		svc.CountView(ctx, st.ID)
		stop()
		wg.Wait()
		list, err := db.MostRead(ctx, c.Now().Add(-time.Hour), 10)
		if err != nil || len(list) != 1 || list[0].Views != 1 {
			t.Errorf("after the flusher stopped: %+v, %v", list, err)
		}
	})
}
