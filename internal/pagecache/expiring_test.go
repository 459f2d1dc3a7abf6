package pagecache

import (
	"testing"
	"time"

	"dateline/internal/clock"
)

func TestExpiringKeepsForItsTimeToLive(t *testing.T) {
	clk := clock.NewManual(start)
	c := NewExpiring[string, int](10, time.Minute, clk.Now)
	if _, ok, _ := c.Get("a"); ok {
		t.Fatal("an empty cache has a value")
	}
	_, _, gen := c.Get("a")
	c.Put("a", 1, gen)
	clk.Advance(time.Minute - time.Nanosecond)
	if v, ok, _ := c.Get("a"); !ok || v != 1 {
		t.Errorf("within its time to live: %d, %t", v, ok)
	}
	clk.Advance(time.Nanosecond)
	if _, ok, _ := c.Get("a"); ok {
		t.Error("a value is served past its time to live")
	}
	if c.Len() != 0 || c.Cost() != 0 {
		t.Errorf("an expired value asked for is still kept: %d values, cost %d", c.Len(), c.Cost())
	}
}

func TestExpiringRefusesWhatWasReadBeforeADrop(t *testing.T) {
	for name, drop := range map[string]func(c *Expiring[string, int]){
		"Drop":     func(c *Expiring[string, int]) { c.Drop("other") },
		"DropTags": func(c *Expiring[string, int]) { c.DropTags("story-9") },
		"DropAll":  func(c *Expiring[string, int]) { c.DropAll() },
	} {
		c := NewExpiring[string, int](10, time.Minute, clock.NewManual(start).Now)
		_, _, gen := c.Get("a")
		drop(c)
		c.Put("a", 1, gen)
		if _, ok, _ := c.Get("a"); ok {
			t.Errorf("%s: a value read before a drop was kept", name)
		}
		_, _, gen = c.Get("a")
		c.Put("a", 1, gen)
		if _, ok, _ := c.Get("a"); !ok {
			t.Errorf("%s: a value read after the drop was not kept", name)
		}
	}
	// Dropping nothing drops nothing, and refuses nothing.
	c := NewExpiring[string, int](10, time.Minute, clock.NewManual(start).Now)
	_, _, gen := c.Get("a")
	c.Drop()
	c.DropTags()
	c.Put("a", 1, gen)
	if _, ok, _ := c.Get("a"); !ok {
		t.Error("a drop of no keys or tags refused a value")
	}
}

func TestExpiringDropsByKeyTagAndAll(t *testing.T) {
	c := NewExpiring[string, string](10, time.Minute, clock.NewManual(start).Now)
	put := func(key string, tags ...string) {
		_, _, gen := c.Get(key)
		c.Put(key, key, gen, tags...)
	}
	kept := func(key string) bool { _, ok, _ := c.Get(key); return ok }
	put("ferry", "story-1")
	put("ferry comments", "story-1", "discussion-1")
	put("harbour", "story-2")
	put("untagged")
	c.DropTags("discussion-1")
	if !kept("ferry") || kept("ferry comments") || !kept("harbour") {
		t.Error("a drop of a discussion's tag did not drop exactly its values")
	}
	put("ferry comments", "story-1", "discussion-1")
	c.DropTags("story-1", "story-7")
	if kept("ferry") || kept("ferry comments") || !kept("harbour") || !kept("untagged") {
		t.Error("a drop of a story's tag did not drop exactly its values")
	}
	c.Drop("harbour", "never kept")
	if kept("harbour") || !kept("untagged") {
		t.Error("a drop by key did not drop exactly that key")
	}
	put("harbour", "story-2")
	c.DropAll()
	if c.Len() != 0 || c.Cost() != 0 {
		t.Errorf("after DropAll: %d values, cost %d", c.Len(), c.Cost())
	}
}

// TestExpiringKeepsToItsBound checks the bound on what is kept, in
// values or in what they cost, and that expired values make room first.
func TestExpiringKeepsToItsBound(t *testing.T) {
	clk := clock.NewManual(start)
	c := NewExpiring[int, int](10, time.Minute, clk.Now)
	put := func(key, cost int) {
		_, _, gen := c.Get(key)
		c.PutCost(key, key, cost, gen)
	}
	kept := func(key int) bool { _, ok, _ := c.Get(key); return ok }

	put(1, 6)
	put(2, 6)
	if kept(1) == kept(2) || c.Cost() != 6 {
		t.Errorf("after two values of 6 within 10: 1 kept %t, 2 kept %t, cost %d", kept(1), kept(2), c.Cost())
	}
	put(3, 11)
	if kept(3) || c.Cost() > 10 {
		t.Errorf("a value costing more than the bound was kept (cost %d)", c.Cost())
	}
	put(2, 4) // kept again, dearer or cheaper, it replaces itself
	put(2, 3)
	if c.Cost() > 10 || !kept(2) {
		t.Errorf("cost %d, 2 kept %t", c.Cost(), kept(2))
	}

	// Expired values make room before fresh ones.
	c.DropAll()
	put(1, 4)
	clk.Advance(30 * time.Second)
	put(2, 4)
	clk.Advance(30 * time.Second) // 1 has expired, 2 has not
	put(3, 4)
	if !kept(2) || !kept(3) || c.Cost() != 8 {
		t.Errorf("the fresh value made room for the new one while an expired one was kept: 2 kept %t, 3 kept %t, cost %d",
			kept(2), kept(3), c.Cost())
	}

	// Counted one by one, the bound is a number of values.
	n := NewExpiring[int, int](3, time.Minute, clk.Now)
	for i := range 10 {
		_, _, gen := n.Get(i)
		n.Put(i, i, gen)
		if n.Len() > 3 {
			t.Fatalf("%d values kept within a bound of 3", n.Len())
		}
	}
	if _, ok, _ := n.Get(9); !ok {
		t.Error("the last value put was not kept")
	}
}

// A full cache makes room for many puts at once, so that a cache kept full
// by a steady stream of new values does not walk all its entries on every
// put.
func TestExpiringMakesRoomInBatches(t *testing.T) {
	clk := clock.NewManual(start)
	c := NewExpiring[int, int](160, time.Minute, clk.Now)
	put := func(key int) {
		_, _, gen := c.Get(key)
		c.Put(key, key, gen)
	}
	for i := range 160 {
		put(i)
	}
	if c.Len() != 160 {
		t.Fatalf("%d values kept of 160 within a bound of 160", c.Len())
	}
	put(160)
	if c.Len() != 150 {
		t.Fatalf("after a put into a full cache, %d values kept; want 150, a sixteenth of the bound made free", c.Len())
	}
	for i := 161; i < 171; i++ {
		put(i)
	}
	for i := 160; i < 171; i++ {
		if _, ok, _ := c.Get(i); !ok {
			t.Errorf("value %d, put after room was made, is gone", i)
		}
	}
	if c.Len() != 160 {
		t.Errorf("%d values kept after filling the room; want 160", c.Len())
	}
}

func BenchmarkExpiringPutWhenFull(b *testing.B) {
	clk := clock.NewManual(start)
	const size = 100_000
	c := NewExpiring[int, int](size, time.Minute, clk.Now)
	for i := range size {
		c.Put(i, i, 0)
	}
	b.ResetTimer()
	for i := range b.N {
		c.Put(size+i, i, 0)
	}
}
