// Package group is group commit: work that goroutines queue at the same
// time is done in one call for all of it (one SQLite transaction, one
// Redis pipeline) instead of one each, and each goroutine returns only
// once its own part is done, so nothing is less durable than one by one.
//
// A Group has no goroutine of its own. The first caller to find no batch
// under way leads: it does everything queued so far (its own item among
// it), then hands the lead to the first caller queued meanwhile, whose
// batch has been growing during that call. A lead with no one queued
// yields once first: on a busy machine the other workers then reach their
// own items and share its call; on an idle one it goes on at once.
package group

import (
	"context"
	"runtime"
	"sync"
)

// Group batches items of type T (pointers, whose result fields the do
// function fills). The zero value is ready to use.
type Group[T any] struct {
	mu      sync.Mutex
	queue   []*member[T]
	running bool
	// items is the lead's slice for its batch, reused by the next lead
	// (one lead at a time); members are the callers' queue entries, each
	// with its channel, reused once their caller returned. Every commit
	// and delivered mark goes through a Do: without these, each of them
	// allocated three times.
	items   []T
	members sync.Pool
}

type member[T any] struct {
	v T
	// done receives true when this caller is handed the lead, false once
	// its item is done.
	done chan bool
}

// Do queues v and returns once do was called with a batch holding it (by
// this caller or another): do must record each item's result in the item.
// A batch holds at most max items, so a long queue does not make its
// first caller wait for everyone. do runs with ctx without its
// cancellation: the batch holds other callers' items. Waiting is not
// abandoned on ctx either, since the lead may be handed to this caller.
// do must not keep batch once it returns: the next batch reuses it.
func (g *Group[T]) Do(ctx context.Context, max int, v T, do func(ctx context.Context, batch []T)) {
	q, _ := g.members.Get().(*member[T])
	if q == nil {
		q = &member[T]{done: make(chan bool, 1)}
	}
	q.v = v
	// Back once this caller returns: by then every send meant for it
	// (the lead, or its item done) has been received.
	defer g.put(q)
	g.mu.Lock()
	g.queue = append(g.queue, q)
	if g.running {
		g.mu.Unlock()
		if lead := <-q.done; !lead {
			return
		}
		g.mu.Lock()
	}
	g.running = true
	if len(g.queue) == 1 {
		g.mu.Unlock()
		runtime.Gosched()
		g.mu.Lock()
	}
	n := min(len(g.queue), max)
	batch := g.queue[:n:n]
	g.queue = g.queue[n:]
	g.mu.Unlock()

	items := g.items[:0]
	for _, m := range batch {
		items = append(items, m.v)
	}
	do(context.WithoutCancel(ctx), items)
	clear(items) // the items are their callers': keep none alive
	g.items = items[:0]
	for _, m := range batch {
		if m != q {
			m.done <- false
		}
	}
	g.mu.Lock()
	if len(g.queue) > 0 {
		g.queue[0].done <- true
	} else {
		g.running = false
		g.queue = nil
	}
	g.mu.Unlock()
}

func (g *Group[T]) put(m *member[T]) {
	var zero T
	m.v = zero
	g.members.Put(m)
}

// Queued is how many items wait for a batch (for tests).
func (g *Group[T]) Queued() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.queue)
}

// Hold marks a batch as under way, so callers queue (for tests); Release
// hands the lead to the first of them, as the end of that batch would.
func (g *Group[T]) Hold() {
	g.mu.Lock()
	g.running = true
	g.mu.Unlock()
}

// Release: see Hold.
func (g *Group[T]) Release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.queue) > 0 {
		g.queue[0].done <- true
	} else {
		g.running = false
	}
}
