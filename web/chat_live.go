package web

import (
	"io"
	"net"
	"sync"
	"time"
)

// A live page (Server-Sent Events) costs the server one socket and a small
// struct, not a goroutine and net/http's buffers: its handler writes the
// response head and what the page lacks, hands the hijacked connection to
// the hub and returns. The hub writes to it when the visitor's transcript
// changes, and a comment every sseHeartbeat to all of them (which also
// finds the pages that went away: the write fails). So a thousand open
// pages hold about a thousand sockets.

// stream is one open live page.
type stream struct {
	mu      sync.Mutex
	conn    net.Conn
	visitor string
	// last is the transcript version the page has.
	last int64
	// lang and csrf render its messages as the page would.
	lang, csrf string
	closed     bool
}

// write sends p with a deadline: a page that stops reading is dropped
// rather than holding anything.
func (st *stream) write(p []byte) error {
	st.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	_, err := st.conn.Write(p)
	return err
}

// hub keeps the open live pages by visitor.
type hub struct {
	mu   sync.Mutex
	subs map[string]map[*stream]struct{}
	// push writes to a page what changed since it last heard.
	push    func(st *stream) error
	beating bool
}

func newHub() *hub { return &hub{subs: map[string]map[*stream]struct{}{}} }

// add starts keeping a page, and the heartbeat if it is the first.
func (h *hub) add(st *stream) {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := h.subs[st.visitor]
	if m == nil {
		m = map[*stream]struct{}{}
		h.subs[st.visitor] = m
	}
	m[st] = struct{}{}
	if !h.beating {
		h.beating = true
		go h.heartbeat()
	}
}

// drop closes a page's connection and forgets it.
func (h *hub) drop(st *stream) {
	st.mu.Lock()
	if !st.closed {
		st.closed = true
		st.conn.Close()
	}
	st.mu.Unlock()
	h.mu.Lock()
	if m := h.subs[st.visitor]; m != nil {
		delete(m, st)
		if len(m) == 0 {
			delete(h.subs, st.visitor)
		}
	}
	h.mu.Unlock()
}

func (h *hub) streams(visitor string) []*stream {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]*stream, 0, len(h.subs[visitor]))
	for st := range h.subs[visitor] {
		out = append(out, st)
	}
	return out
}

// notify brings every open page of visitor up to date, and reports
// whether one was open.
func (h *hub) notify(visitor string) bool {
	pages := h.streams(visitor)
	for _, st := range pages {
		go func() {
			if err := h.push(st); err != nil {
				h.drop(st)
			}
		}()
	}
	return len(pages) > 0
}

// heartbeat writes a comment to every page every sseHeartbeat, dropping
// those whose write fails; it ends when no page is left.
func (h *hub) heartbeat() {
	t := time.NewTicker(sseHeartbeat)
	defer t.Stop()
	for range t.C {
		h.mu.Lock()
		var all []*stream
		for _, m := range h.subs {
			for st := range m {
				all = append(all, st)
			}
		}
		if len(all) == 0 {
			h.beating = false
			h.mu.Unlock()
			return
		}
		h.mu.Unlock()
		for _, st := range all {
			st.mu.Lock()
			err := io.ErrClosedPipe
			if !st.closed {
				err = st.write([]byte(": \n\n"))
			}
			st.mu.Unlock()
			if err != nil {
				h.drop(st)
			}
		}
	}
}

// open is how many live pages visitor has, after dropping those the
// browser closed (gone).
func (h *hub) open(visitor string) int {
	pages := h.streams(visitor)
	return len(pages) - h.prune(pages)
}

// total is how many live pages are open, for every visitor.
func (h *hub) total() int {
	h.mu.Lock()
	var all []*stream
	for _, m := range h.subs {
		for st := range m {
			all = append(all, st)
		}
	}
	h.mu.Unlock()
	return len(all) - h.prune(all)
}

// prune drops the pages the browser closed, and says how many.
func (h *hub) prune(pages []*stream) int {
	n := 0
	for _, st := range pages {
		if gone(st.conn) {
			h.drop(st)
			n++
		}
	}
	return n
}
