package group

import (
	"context"
	"runtime"
	"sync"
	"testing"
)

type item struct {
	n     int
	batch int // which call did it
}

// Items queued while a batch is under way are done together in the next
// call, each caller returning with its own item done; then the group goes
// back to idle, and a caller alone is done in a call of its own.
func TestQueuedItemsShareACall(t *testing.T) {
	var g Group[*item]
	calls, sizes := 0, []int{}
	do := func(_ context.Context, batch []*item) {
		calls++
		sizes = append(sizes, len(batch))
		for _, it := range batch {
			it.batch = calls
		}
	}
	const n = 20
	g.Hold()
	items := make([]*item, n)
	var wg sync.WaitGroup
	for i := range n {
		items[i] = &item{n: i}
		wg.Go(func() { g.Do(context.Background(), 8, items[i], do) })
	}
	for g.Queued() < n {
		runtime.Gosched()
	}
	g.Release()
	wg.Wait()
	// At most 8 a call: 8, 8, 4, each item in exactly one.
	if calls != 3 || sizes[0] != 8 || sizes[1] != 8 || sizes[2] != 4 {
		t.Fatalf("%d calls of sizes %v, want 3 of 8, 8, 4", calls, sizes)
	}
	for _, it := range items {
		if it.batch == 0 {
			t.Errorf("item %d returned undone", it.n)
		}
	}
	alone := &item{}
	g.Do(context.Background(), 8, alone, do)
	if alone.batch != 4 || sizes[3] != 1 {
		t.Errorf("a caller alone: call %d of size %v", alone.batch, sizes)
	}
}

// Callers that come and go, many times over, each get back their own item
// done exactly once, in batches that never mix in an item already done or
// one of an earlier batch: members and the batch slice are reused.
func TestReuseKeepsEachCallersItem(t *testing.T) {
	var g Group[*item]
	var mu sync.Mutex
	seen := map[*item]int{}
	calls := 0
	do := func(_ context.Context, batch []*item) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		for _, it := range batch {
			seen[it]++
			if it.batch != 0 {
				t.Errorf("item %d done again in call %d (was in %d)", it.n, calls, it.batch)
			}
			it.batch = calls
		}
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 500 {
				it := &item{n: w*1000 + i}
				g.Do(context.Background(), 4, it, do)
				if it.batch == 0 {
					t.Errorf("item %d returned undone", it.n)
				}
			}
		})
	}
	wg.Wait()
	if len(seen) != 8*500 {
		t.Errorf("%d items done, want %d", len(seen), 8*500)
	}
	for it, n := range seen {
		if n != 1 {
			t.Errorf("item %d done %d times", it.n, n)
		}
	}
}
