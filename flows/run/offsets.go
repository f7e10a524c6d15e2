package run

import (
	"slices"
	"sync"
)

// Offsets follows the updates a polling channel fetched, in the channel's
// order (Telegram's update ids), and says up to where they may be
// confirmed: the contiguous prefix of done ones. An update after a slow
// one can be done long before it; it is confirmed only once the slow one
// is too, so a crash loses neither.
type Offsets struct {
	mu      sync.Mutex
	pending []int64 // fetched and not yet confirmable, ascending
	done    map[int64]bool
	next    int64 // one past the highest id seen
	changed chan struct{}
}

// NewOffsets returns an empty Offsets.
func NewOffsets() *Offsets {
	return &Offsets{done: map[int64]bool{}, changed: make(chan struct{}, 1)}
}

// Add records a fetched update; false when it is in hand already (fetched
// again because it is not confirmed yet) or below the confirmed prefix.
func (o *Offsets) Add(id int64) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if id < o.nextLocked() {
		return false
	}
	i, found := slices.BinarySearch(o.pending, id)
	if found {
		return false
	}
	o.pending = slices.Insert(o.pending, i, id)
	o.next = max(o.next, id+1)
	return true
}

// Done records that an update was handled.
func (o *Offsets) Done(id int64) {
	o.mu.Lock()
	if _, found := slices.BinarySearch(o.pending, id); found {
		o.done[id] = true
		for len(o.pending) > 0 && o.done[o.pending[0]] {
			delete(o.done, o.pending[0])
			o.pending = o.pending[1:]
		}
	}
	o.mu.Unlock()
	select {
	case o.changed <- struct{}{}:
	default:
	}
}

// Offset is the offset to confirm with: every update below it is done.
func (o *Offsets) Offset() int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.nextLocked()
}

func (o *Offsets) nextLocked() int64 {
	if len(o.pending) > 0 {
		return o.pending[0]
	}
	return o.next
}

// InHand is how many fetched updates are not confirmable yet.
func (o *Offsets) InHand() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.pending)
}

// Changed is signalled after Done: the offset may have moved.
func (o *Offsets) Changed() <-chan struct{} { return o.changed }
