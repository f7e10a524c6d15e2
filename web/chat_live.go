package web

import "sync"

// hub tells the live pages of a visitor (Server-Sent Events, chat_sse.go)
// that their transcript changed. It holds one small channel per open
// page and nothing else: what changed is read from the transcript.
type hub struct {
	mu   sync.Mutex
	subs map[string]map[chan struct{}]struct{}
}

func newHub() *hub { return &hub{subs: map[string]map[chan struct{}]struct{}{}} }

// subscribe returns a channel that receives a signal after each change to
// visitor's transcript (several changes may make one signal), and the
// function that ends the subscription.
func (h *hub) subscribe(visitor string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	m := h.subs[visitor]
	if m == nil {
		m = map[chan struct{}]struct{}{}
		h.subs[visitor] = m
	}
	m[ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(m, ch)
		if len(m) == 0 && h.subs[visitor] != nil && len(h.subs[visitor]) == 0 {
			delete(h.subs, visitor)
		}
		h.mu.Unlock()
	}
}

// notify signals every open page of visitor, and reports whether one was
// open.
func (h *hub) notify(visitor string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs[visitor] {
		select {
		case ch <- struct{}{}:
		default: // a signal is already waiting: it covers this change
		}
	}
	return len(h.subs[visitor]) > 0
}

// open is how many live pages visitor has.
func (h *hub) open(visitor string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs[visitor])
}
