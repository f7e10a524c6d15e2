package flows

import (
	"slices"
	"sync"
	"time"
)

// stateCache keeps, per chat, the state this process last saved, sealed as
// it is in Redis, with its version: the next event of a chat that is
// active skips the load's round trip. Nothing is trusted from it: the
// commit checks the version and the update record in the same script as
// always, and when either says otherwise (another engine saved, the state
// expired or was erased, Redis lost its data, the update was handled
// already) the entry is dropped and the engine loads from Redis and runs
// the step again, as after any write conflict. A state is created under a
// random version (commitScript), so a state erased and built up again
// elsewhere cannot come back to the version cached here.
//
// It holds sealed bytes only, never a decoded state: what a person told
// us stays as unreadable in memory between events as it is in Redis.
type stateCache struct {
	mu    sync.Mutex
	m     map[string]*cachedState
	puts  int
	limit int
	idle  time.Duration
}

type cachedState struct {
	version int64
	sealed  []byte
	// recent are the last updates saved with this state: one delivered
	// again to this process is sent to Redis's record at once instead of
	// running its step to find out at the commit.
	recent [4]int64
	used   time.Time
}

func newStateCache() *stateCache {
	return &stateCache{m: map[string]*cachedState{}, limit: 100_000, idle: 10 * time.Minute}
}

// get returns the cached version and sealed state of a chat, unless
// update is one of those saved with it or the entry was idle too long
// (now is the engine's clock: an entry never outlives the state's idle
// TTL in Redis, so a state that expired there is not used from here).
func (c *stateCache) get(tag string, update int64, now time.Time) (int64, []byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.m[tag]
	if e == nil || slices.Contains(e.recent[:], update) || now.Sub(e.used) > c.idle || now.Before(e.used) {
		return 0, nil, false
	}
	return e.version, e.sealed, true
}

// put records what a commit saved at now (the engine's clock).
func (c *stateCache) put(tag string, version int64, sealed []byte, update int64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.puts++; c.puts%4096 == 0 {
		for k, e := range c.m {
			if now.Sub(e.used) > c.idle {
				delete(c.m, k)
			}
		}
	}
	e := c.m[tag]
	if e == nil {
		if len(c.m) >= c.limit {
			return
		}
		e = &cachedState{}
		c.m[tag] = e
	}
	e.version, e.sealed, e.used = version, sealed, now
	copy(e.recent[1:], e.recent[:len(e.recent)-1])
	e.recent[0] = update
}

// drop forgets a chat's entry: its next event loads from Redis.
func (c *stateCache) drop(tag string) {
	c.mu.Lock()
	delete(c.m, tag)
	c.mu.Unlock()
}
