package bot

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/acercate/acercate/secret"
	"github.com/redis/go-redis/v9"
)

// Telegram lets a bot delete a private chat's messages for 48 hours: the
// tracker keeps the ids of that window, so the quick exit can clear the chat.
const (
	trackWindow = 48 * time.Hour
	trackCap    = 300
)

// tracker keeps, per private chat, the ids of its messages (the person's and
// the bot's) of the last 48 hours in a Redis sorted set scored by time:
//
//	msgs:{chat}  zset member = message id, score = Unix ms; TTL 48 h
//
// {chat} is the keyed hash the engine uses for the chat, so the set shares
// the chat's Redis Cluster slot; the raw id is never in a key.
type tracker struct {
	rdb    redis.UniversalClient
	keys   *secret.Keys
	prefix string
	now    func() time.Time
}

func (t *tracker) key(chat int64) string {
	return t.prefix + "msgs:{" + t.keys.Hash("chat", strconv.FormatInt(chat, 10)) + "}"
}

// add records message ids of a private chat, dropping those past the
// window and the oldest beyond the cap.
func (t *tracker) add(ctx context.Context, chat int64, ids ...int64) error {
	if t == nil || t.rdb == nil || isGroup(chat) || len(ids) == 0 {
		return nil
	}
	now := t.now()
	k := t.key(chat)
	members := make([]redis.Z, 0, len(ids))
	for _, id := range ids {
		if id > 0 {
			members = append(members, redis.Z{Score: float64(now.UnixMilli()), Member: id})
		}
	}
	if len(members) == 0 {
		return nil
	}
	_, err := t.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.ZAdd(ctx, k, members...)
		p.ZRemRangeByScore(ctx, k, "-inf", "("+strconv.FormatInt(now.Add(-trackWindow).UnixMilli(), 10))
		p.ZRemRangeByRank(ctx, k, 0, -trackCap-1)
		p.PExpire(ctx, k, trackWindow)
		return nil
	})
	if err != nil {
		return fmt.Errorf("track messages: %w", err)
	}
	return nil
}

// list returns a chat's message ids still within the window, oldest first.
func (t *tracker) list(ctx context.Context, chat int64) ([]int64, error) {
	if t == nil || t.rdb == nil {
		return nil, nil
	}
	min := strconv.FormatInt(t.now().Add(-trackWindow).UnixMilli(), 10)
	vals, err := t.rdb.ZRangeByScore(ctx, t.key(chat), &redis.ZRangeBy{Min: min, Max: "+inf"}).Result()
	if err != nil {
		return nil, fmt.Errorf("list tracked messages: %w", err)
	}
	ids := make([]int64, 0, len(vals))
	for _, v := range vals {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// forget drops a chat's tracked ids.
func (t *tracker) forget(ctx context.Context, chat int64) error {
	if t == nil || t.rdb == nil {
		return nil
	}
	return t.rdb.Del(ctx, t.key(chat)).Err()
}
