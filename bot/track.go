package bot

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/secret"
	"github.com/redis/go-redis/v9"
)

// Telegram lets a bot delete a private chat's messages for 48 hours: the
// tracker keeps the ids of that window, so the quick exit can clear the chat.
const (
	trackWindow = 48 * time.Hour
	trackCap    = 300
	// trackFlush is how often buffered ids are written; trackBuffer how
	// many ids are buffered at most before a write is forced.
	trackFlush  = 200 * time.Millisecond
	trackBuffer = 2000
)

// tracker keeps, per private chat, the ids of its messages (the person's and
// the bot's) of the last 48 hours in a Redis sorted set scored by time:
//
//	msgs:{chat}  zset member = message id, score = Unix ms; TTL 48 h
//
// {chat} is the keyed hash the engine uses for the chat, so the set shares
// the chat's Redis Cluster slot; the raw id is never in a key.
//
// Ids are buffered and written for all chats in one pipeline every 200 ms,
// not one round trip per update: the quick exit reads the buffer too, and a
// crash can only lose the last fraction of a second of ids (messages the
// quick exit then cannot delete), never an update.
type tracker struct {
	rdb    redis.UniversalClient
	keys   *secret.Keys
	prefix string
	now    func() time.Time

	mu      sync.Mutex
	pending map[string][]redis.Z
	n       int
	flushMu sync.Mutex
}

func (t *tracker) key(chat int64) string { return t.keyOf(t.keys.ChatHash(flows.Telegram(chat))) }

// keyOf is the key of the chat with keyed hash h.
func (t *tracker) keyOf(h string) string { return t.prefix + "msgs:{" + h + "}" }

// add buffers message ids of a private chat; a full buffer is written at
// once.
func (t *tracker) add(ctx context.Context, chat int64, ids ...int64) error {
	return t.addKeyed(ctx, chat, "", ids...)
}

// addKeyed is add for a chat whose keyed hash is known ("": not yet).
func (t *tracker) addKeyed(ctx context.Context, chat int64, hash string, ids ...int64) error {
	if t == nil || t.rdb == nil || isGroup(chat) || len(ids) == 0 {
		return nil
	}
	score := float64(t.now().UnixMilli())
	if hash == "" {
		hash = t.keys.ChatHash(flows.Telegram(chat))
	}
	k := t.keyOf(hash)
	t.mu.Lock()
	if t.pending == nil {
		t.pending = map[string][]redis.Z{}
	}
	for _, id := range ids {
		if id > 0 {
			t.pending[k] = append(t.pending[k], redis.Z{Score: score, Member: id})
			t.n++
		}
	}
	full := t.n >= trackBuffer
	t.mu.Unlock()
	if full {
		return t.flush(ctx)
	}
	return nil
}

// flush writes the buffered ids, dropping those past the window and the
// oldest beyond the cap. Ids that could not be written are kept for the
// next flush, up to the buffer's size.
func (t *tracker) flush(ctx context.Context) error {
	if t == nil || t.rdb == nil {
		return nil
	}
	t.flushMu.Lock()
	defer t.flushMu.Unlock()
	t.mu.Lock()
	batch := t.pending
	t.pending, t.n = nil, 0
	t.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	cut := "(" + strconv.FormatInt(t.now().Add(-trackWindow).UnixMilli(), 10)
	_, err := t.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for k, members := range batch {
			p.ZAdd(ctx, k, members...)
			p.ZRemRangeByScore(ctx, k, "-inf", cut)
			p.ZRemRangeByRank(ctx, k, 0, -trackCap-1)
			p.PExpire(ctx, k, trackWindow)
		}
		return nil
	})
	if err != nil {
		t.mu.Lock()
		if t.n < trackBuffer {
			if t.pending == nil {
				t.pending = map[string][]redis.Z{}
			}
			for k, m := range batch {
				t.pending[k] = append(m, t.pending[k]...)
				t.n += len(m)
			}
		}
		t.mu.Unlock()
		return fmt.Errorf("track messages: %w", err)
	}
	return nil
}

// run flushes every trackFlush until ctx ends, then once more.
func (t *tracker) run(ctx context.Context, onErr func(error)) {
	tick := time.NewTicker(trackFlush)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := t.flush(fctx); err != nil {
				onErr(err)
			}
			cancel()
			return
		case <-tick.C:
			if err := t.flush(ctx); err != nil && ctx.Err() == nil {
				onErr(err)
			}
		}
	}
}

// list returns a chat's message ids still within the window, buffered ones
// included, oldest first.
func (t *tracker) list(ctx context.Context, chat int64) ([]int64, error) {
	if t == nil || t.rdb == nil {
		return nil, nil
	}
	k := t.key(chat)
	min := strconv.FormatInt(t.now().Add(-trackWindow).UnixMilli(), 10)
	vals, err := t.rdb.ZRangeByScore(ctx, k, &redis.ZRangeBy{Min: min, Max: "+inf"}).Result()
	if err != nil {
		return nil, fmt.Errorf("list tracked messages: %w", err)
	}
	ids := make([]int64, 0, len(vals))
	for _, v := range vals {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	t.mu.Lock()
	for _, z := range t.pending[k] {
		ids = append(ids, z.Member.(int64))
	}
	t.mu.Unlock()
	return ids, nil
}

// forget drops a chat's tracked ids, buffered ones included.
func (t *tracker) forget(ctx context.Context, chat int64) error {
	if t == nil || t.rdb == nil {
		return nil
	}
	k := t.key(chat)
	t.mu.Lock()
	t.n -= len(t.pending[k])
	delete(t.pending, k)
	t.mu.Unlock()
	return t.rdb.Del(ctx, k).Err()
}
