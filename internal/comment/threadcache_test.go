package comment

import (
	"testing"
	"time"

	"dateline/internal/clock"
)

func comments(storyID int64, n int) []*Comment {
	list := make([]*Comment, n)
	for i := range list {
		list[i] = &Comment{ID: storyID*100 + int64(i) + 1, StoryID: storyID, Status: Published}
	}
	return list
}

// TestThreadCacheKeepsToItsComments checks the bound on what is kept:
// comments across discussions, however they are spread.
func TestThreadCacheKeepsToItsComments(t *testing.T) {
	c := newThreadCache(10, time.Minute, clock.System)
	put := func(id int64, n int) {
		_, _, gen, _ := c.get(id)
		c.put(id, comments(id, n), nil, gen)
	}
	kept := func(id int64) bool { _, _, _, ok := c.get(id); return ok }

	put(1, 6)
	put(2, 6)
	if kept(1) == kept(2) || c.stories.Cost() != 6 {
		t.Errorf("after two discussions of 6 within 10: story 1 kept %t, story 2 kept %t, %d comments", kept(1), kept(2), c.stories.Cost())
	}
	put(3, 11)
	if kept(3) || c.stories.Cost() > 10 {
		t.Errorf("a discussion larger than the bound was kept (%d comments)", c.stories.Cost())
	}
	put(2, 4) // kept again, larger or smaller, it replaces itself
	put(2, 3)
	if c.stories.Cost() > 10 || !kept(2) {
		t.Errorf("%d comments kept, story 2 kept %t", c.stories.Cost(), kept(2))
	}
	c.forget(2)
	c.forget(9) // never kept
	if kept(2) || c.stories.Cost() < 0 || c.stories.Cost() > 10 {
		t.Errorf("after forgetting: story 2 kept %t, %d comments", kept(2), c.stories.Cost())
	}
	c.forget()
	if c.stories.Cost() != 0 || c.stories.Len() != 0 {
		t.Errorf("after forgetting all: %d comments in %d stories", c.stories.Cost(), c.stories.Len())
	}
}
