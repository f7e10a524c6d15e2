package secret

import (
	"hash/maphash"
	"sync"
	"time"
)

// memo remembers the chat and person hashes of the addresses seen lately,
// so an update's many lookups of its chat (the blocked list, the state's
// key, the quick exit's ids, the request log's person) key one HMAC
// instead of each its own. It holds addresses only in memory and forgets
// them within two turns (memoTurn) of their last use, or sooner when a
// turn fills up.
type memo struct {
	seed   maphash.Seed
	shards [memoShards]memoShard
	now    func() time.Time
}

const (
	memoShards = 16
	// memoSize bounds one shard's current turn: 16 × 2 × 512 entries at
	// most, about 1.5 MB, while thousands of chats are active.
	memoSize = 512
	memoTurn = 10 * time.Minute
)

type memoKey struct{ domain, value string }

// memoShard keeps two turns of entries: lookups promote an old entry to
// the current turn; a turn that is full or older than memoTurn becomes
// the old one and the one before it is dropped.
type memoShard struct {
	mu       sync.Mutex
	cur, old map[memoKey]string
	since    time.Time
}

func newMemo(now func() time.Time) *memo {
	return &memo{seed: maphash.MakeSeed(), now: now}
}

func (m *memo) shard(k memoKey) *memoShard {
	return &m.shards[maphash.String(m.seed, k.value)%memoShards]
}

func (m *memo) get(k memoKey) (string, bool) {
	s := m.shard(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	if h, ok := s.cur[k]; ok {
		return h, true
	}
	h, ok := s.old[k]
	if ok {
		s.put(m.now(), k, h)
	}
	return h, ok
}

func (m *memo) add(k memoKey, h string) {
	s := m.shard(k)
	s.mu.Lock()
	s.put(m.now(), k, h)
	s.mu.Unlock()
}

func (s *memoShard) put(now time.Time, k memoKey, h string) {
	if s.cur == nil || len(s.cur) >= memoSize || now.Sub(s.since) >= memoTurn {
		s.old, s.cur, s.since = s.cur, make(map[memoKey]string, memoSize/4), now
	}
	s.cur[k] = h
}

// size is how many entries the memo holds (tests).
func (m *memo) size() int {
	n := 0
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.Lock()
		n += len(s.cur) + len(s.old)
		s.mu.Unlock()
	}
	return n
}
