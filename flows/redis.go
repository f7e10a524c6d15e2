package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/acercate/acercate/secret"
	"github.com/redis/go-redis/v9"
)

// ErrConflict reports that another writer saved a chat's state between our
// load and our save. The engine reloads and runs the step again.
var ErrConflict = errors.New("state changed by another writer")

// errDuplicate reports that an update was already handled.
var errDuplicate = errors.New("update already handled")

// Store keeps chat states and handled updates in Redis.
//
// Keys (with the configured prefix), both hash-tagged by the chat's keyed
// hash (secret.Keys.ChatHash of its Address: for Telegram the same hash as
// before addresses had a channel, so a conversation in progress survives
// the upgrade) so they live in one Redis Cluster slot and one Lua script
// can touch both:
//
//	st:{chat}         hash: v = version, b = sealed State JSON; idle TTL
//	up:{chat}         hash: one field per handled update, its id, holding
//	                  "n:s:t" (replies, replies delivered, when it was
//	                  handled in Unix seconds), and p, when old records
//	                  were last dropped; the key lives 24 h from the
//	                  chat's last update (Telegram's own retention) and a
//	                  record older than that is dropped by a later commit
//	upr:{chat}:<id>   string: the sealed replies JSON of an update while
//	                  some are not delivered (deleted once all went: that
//	                  it was handled is all a redelivery needs then); 24 h
//
// One hash for all of a chat's records, not a key each: a key costs Redis
// about 200 bytes of its own, and the records were most of what an active
// chat kept there (BenchmarkLoadSaturated's redis-B/chat). Records written
// by the version before, up:{chat}:<id> hashes with n, s and r, are still
// read and marked until they expire (oldUpdateKey).
//
// No raw chat id, name or text is ever in a key or in plain form in a value.
// Every key about one chat, whoever writes it, carries the {chat} tag:
// /borrar deletes them all (chatKeys).
type Store struct {
	rdb       redis.UniversalClient
	keys      *secret.Keys
	prefix    string
	stateTTL  time.Duration
	updateTTL time.Duration
	cache     *stateCache
	batch     *redisBatch
	// now stamps update records (the engine's clock, set by New).
	now func() time.Time
}

// NewStore returns a Store. prefix namespaces every key ("acercate:").
func NewStore(rdb redis.UniversalClient, keys *secret.Keys, prefix string, stateTTL time.Duration) *Store {
	return &Store{rdb: rdb, keys: keys, prefix: prefix, stateTTL: stateTTL, updateTTL: 24 * time.Hour, cache: newStateCache(), batch: &redisBatch{rdb: rdb}, now: time.Now}
}

// StateKey, UpdatesKey and RepliesKey return the Redis keys of a chat's
// state, of its handled-update records and of one update's undelivered
// replies, for tests and operators inspecting TTLs.
func (s *Store) StateKey(chat Address) string { return s.stateKey(s.chatTag(chat)) }

// UpdatesKey: see StateKey.
func (s *Store) UpdatesKey(chat Address) string { return s.updatesKey(s.chatTag(chat)) }

// RepliesKey: see StateKey.
func (s *Store) RepliesKey(chat Address, update int64) string {
	return s.repliesKey(s.chatTag(chat), update)
}

func (s *Store) chatTag(chat Address) string {
	return s.keys.ChatHash(chat)
}

func (s *Store) stateKey(tag string) string { return s.prefix + "st:{" + tag + "}" }

// loadedOf is an empty loaded for the chat with tag.
func (s *Store) loadedOf(tag string) *loaded { return &loaded{tag: tag, key: s.stateKey(tag)} }

func (s *Store) updatesKey(tag string) string { return s.prefix + "up:{" + tag + "}" }

func (s *Store) repliesKey(tag string, update int64) string {
	return s.prefix + "upr:{" + tag + "}:" + strconv.FormatInt(update, 10)
}

// oldUpdateKey is where the version before kept an update's record (a
// hash of n, s and r): read for as long as such records may live (24 h
// after an upgrade); nothing writes them any more.
func (s *Store) oldUpdateKey(tag string, update int64) string {
	return s.prefix + "up:{" + tag + "}:" + strconv.FormatInt(update, 10)
}

// record is an update record's value: replies, delivered, handled at.
func record(n, sent int, at time.Time) string {
	return strconv.Itoa(n) + ":" + strconv.Itoa(sent) + ":" + strconv.FormatInt(at.Unix(), 10)
}

// parseRecord reads record's n and sent.
func parseRecord(v string) (n, sent int, ok bool) {
	a, rest, ok1 := strings.Cut(v, ":")
	b, _, ok2 := strings.Cut(rest, ":")
	n, err1 := strconv.Atoi(a)
	sent, err2 := strconv.Atoi(b)
	return n, sent, ok1 && ok2 && err1 == nil && err2 == nil
}

// loaded is a chat's state as read, with what is needed to save it back.
type loaded struct {
	tag string
	// key is the state's key, made once (loadedOf): the load opens the
	// sealed state with it and the commit writes it.
	key     string
	version int64
	state   State
	// stale is true when a stored state could not be used (another schema,
	// another key, corrupt): the person gets an apology.
	stale bool
	// pending are replies of an already handled update not yet delivered;
	// dup is true when the update was already handled.
	dup     bool
	pending []Reply
	sent    int
	// cacheable is true when the commit may keep the state it saves in
	// the process's cache (a person's chat, loaded by loadCached at now,
	// the engine's clock).
	cacheable bool
	now       time.Time
}

// loadCached is load for a person's chat, whose state the process keeps
// between events (stateCache): from the cache when it has the chat, else
// from Redis.
func (s *Store) loadCached(ctx context.Context, chat Address, update int64, now time.Time) (*loaded, error) {
	tag := s.chatTag(chat)
	if v, sealed, ok := s.cache.get(tag, update, now); ok {
		l := s.loadedOf(tag)
		l.version, l.cacheable, l.now = v, true, now
		s.decodeSealed(l, sealed)
		return l, nil
	}
	l, err := s.load(ctx, chat, update)
	if l != nil {
		l.cacheable, l.now = true, now
	}
	return l, err
}

// load reads a chat's state and whether update was already handled, in one
// round trip.
func (s *Store) load(ctx context.Context, chat Address, update int64) (*loaded, error) {
	l := s.loadedOf(s.chatTag(chat))
	pipe := s.rdb.Pipeline()
	id := strconv.FormatInt(update, 10)
	rec := pipe.HGet(ctx, s.updatesKey(l.tag), id)
	rs := pipe.Get(ctx, s.repliesKey(l.tag, update))
	old := pipe.HMGet(ctx, s.oldUpdateKey(l.tag, update), "n", "s", "r")
	st := pipe.HMGet(ctx, l.key, "v", "b")
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("load state: %w", err)
	}
	if _, sent, ok := parseRecord(rec.Val()); ok {
		l.dup, l.sent = true, sent
		l.pending = s.openReplies(s.repliesKey(l.tag, update), rs.Val(), sent)
		return l, nil
	}
	// A record of the version before has n from its first version on;
	// its oldest records, from before replies were dropped once
	// delivered, always have r too.
	if r := old.Val(); len(r) == 3 && (r[0] != nil || r[2] != nil) {
		l.dup = true
		l.sent, _ = strconv.Atoi(asString(r[1]))
		l.pending = s.openReplies(s.oldUpdateKey(l.tag, update), asString(r[2]), l.sent)
		return l, nil
	}
	s.decodeState(l, st.Val())
	return l, nil
}

// LoadState returns a chat's stored state, and false when there is none
// or it cannot be used (expired, another schema, another key). The engine
// never needs it; tests and tools that report what is kept do.
func (s *Store) LoadState(ctx context.Context, chat Address) (State, bool, error) {
	l := s.loadedOf(s.chatTag(chat))
	v, err := s.rdb.HMGet(ctx, l.key, "v", "b").Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return State{}, false, fmt.Errorf("load state: %w", err)
	}
	if !s.decodeState(l, v) || l.stale {
		return State{}, false, nil
	}
	return l.state, true, nil
}

// decodeState fills l from a state hash's v and b fields; it reports
// whether there was a state at all.
func (s *Store) decodeState(l *loaded, v []any) bool {
	if len(v) != 2 || v[0] == nil {
		return false
	}
	l.version, _ = strconv.ParseInt(asString(v[0]), 10, 64)
	s.decodeSealed(l, []byte(asString(v[1])))
	return true
}

// decodeSealed fills l's state from its sealed form.
func (s *Store) decodeSealed(l *loaded, sealed []byte) {
	plain, err := s.keys.Open(sealed, []byte(l.key))
	if err != nil || json.Unmarshal(plain, &l.state) != nil {
		l.state, l.stale = State{}, true
	} else if l.state.Schema != SchemaVersion {
		// Written by another version: where the person was cannot be
		// trusted, but who they are to us (their language, the link they
		// came from, that they saw the notice) still holds. The engine
		// checks these before using them.
		old := l.state
		l.state, l.stale = State{Lang: old.Lang, Attribution: old.Attribution, Noticed: old.Noticed}, true
	}
}

func asString(v any) string {
	s, _ := v.(string)
	return s
}

// openReplies returns the replies after the first sent of an update's
// sealed replies, kept under key (their seal's AAD); none when nothing is
// kept.
func (s *Store) openReplies(key, sealed string, sent int) []Reply {
	if sealed == "" {
		return nil
	}
	plain, err := s.keys.Open([]byte(sealed), []byte(key))
	if err != nil {
		// Sealed under a key we no longer have: the replies cannot be
		// delivered again, and the update must still not be handled twice.
		return nil
	}
	var replies []Reply
	if err := json.Unmarshal(plain, &replies); err != nil || sent >= len(replies) {
		return nil
	}
	return replies[sent:]
}

// commitScript saves a chat's state only if nobody else did since it was
// loaded, and records the update as handled with its replies (none: no
// replies key), atomically. It returns the new version, 0 on a version
// conflict, -1 if the update was handled meanwhile. A new state's version
// is ARGV[7], a random number, not 1: see stateCache. Once a chat has more
// than 32 records, a commit drops those handled before ARGV[10] (the
// update TTL ago), at most once an hour (field p: when it last did): a
// chat writing all day keeps a day of records, not every one since its
// key was created, and a busy one (a staff group) reads its records once
// an hour, not at every commit.
//
// KEYS: state, records, the update's replies, its record of the version
// before. ARGV: version loaded, sealed state, state TTL ms, sealed
// replies, replies, update TTL ms, new version, update id, record, oldest,
// now (Unix seconds).
var commitScript = redis.NewScript(`
if redis.call('HEXISTS', KEYS[2], ARGV[8]) == 1 or redis.call('EXISTS', KEYS[4]) == 1 then return -1 end
local v = redis.call('HGET', KEYS[1], 'v')
if (v or '0') ~= ARGV[1] then return 0 end
local nv = tonumber(ARGV[1]) + 1
if not v then nv = tonumber(ARGV[7]) end
redis.call('HSET', KEYS[1], 'v', nv, 'b', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[8], ARGV[9])
redis.call('PEXPIRE', KEYS[2], ARGV[6])
if ARGV[4] ~= '' then redis.call('SET', KEYS[3], ARGV[4], 'PX', ARGV[6]) end
if redis.call('HLEN', KEYS[2]) > 33 and tonumber(ARGV[11]) - tonumber(redis.call('HGET', KEYS[2], 'p') or '0') >= 3600 then
  local all = redis.call('HGETALL', KEYS[2])
  local oldest = tonumber(ARGV[10])
  for i = 1, #all, 2 do
    local at = string.match(all[i + 1], ':(%d+)$')
    if at and tonumber(at) < oldest then redis.call('HDEL', KEYS[2], all[i]) end
  end
  redis.call('HSET', KEYS[2], 'p', ARGV[11])
end
return nv
`)

// commit saves state and the replies of update in one atomic step.
func (s *Store) commit(ctx context.Context, l *loaded, update int64, st *State, replies []Reply) error {
	sk, rk := l.key, s.repliesKey(l.tag, update)
	buf := jsonBufs.Get().(*[]byte)
	plain := appendStateJSON((*buf)[:0], st)
	sealed := s.keys.Seal(plain, []byte(sk))
	var sealedReplies []byte
	if len(replies) > 0 {
		plain = appendRepliesJSON(plain[:0], replies)
		sealedReplies = s.keys.Seal(plain, []byte(rk))
	}
	if cap(plain) <= 64<<10 {
		*buf = plain[:0]
		jsonBufs.Put(buf)
	}
	now := s.now()
	res, err := s.batch.run(ctx, commitScript, []string{sk, s.updatesKey(l.tag), rk, s.oldUpdateKey(l.tag, update)},
		l.version,
		sealed,
		s.stateTTL.Milliseconds(),
		sealedReplies,
		len(replies),
		s.updateTTL.Milliseconds(),
		newVersion(),
		update,
		record(len(replies), 0, now),
		now.Add(-s.updateTTL).Unix(),
		now.Unix(),
	).Int64()
	if err != nil || res <= 0 {
		s.cache.drop(l.tag)
	}
	switch {
	case err != nil:
		return fmt.Errorf("save state: %w", err)
	case res == 0:
		return ErrConflict
	case res < 0:
		return errDuplicate
	}
	if l.cacheable {
		s.cache.put(l.tag, res, sealed, update, l.now)
	}
	return nil
}

// newVersion is a new state's first version: random below 2^52, so it
// and its increments stay exact in Redis's Lua numbers.
func newVersion() int64 { return 1 + rand.Int64N(1<<52-1) }

// markSentScript records that the first ARGV[2] replies of update
// ARGV[1] were delivered; once all are, their sealed copy is dropped:
// nothing is left to send again, and it was most of what a chat keeps in
// Redis. A record of the version before (KEYS[3]) is marked as it was.
// Delivered counts never go back.
//
// KEYS: records, the update's replies, its record of the version before.
var markSentScript = redis.NewScript(`
local sent = tonumber(ARGV[2])
local rec = redis.call('HGET', KEYS[1], ARGV[1])
if rec then
  local n, s, at = string.match(rec, '^(%d+):(%d+):(%d+)$')
  if n and tonumber(s) < sent then
    redis.call('HSET', KEYS[1], ARGV[1], n .. ':' .. sent .. ':' .. at)
    if sent >= tonumber(n) then redis.call('DEL', KEYS[2]) end
  end
  return 1
end
local h = redis.call('HMGET', KEYS[3], 's', 'n')
local s = tonumber(h[1] or '-1')
if s >= 0 and s < sent then
  redis.call('HSET', KEYS[3], 's', sent)
  if h[2] and sent >= tonumber(h[2]) then redis.call('HDEL', KEYS[3], 'r') end
end
return 0
`)

// MarkSent records that n replies of the update were delivered, counting
// from the first reply ever returned for it.
func (s *Store) MarkSent(ctx context.Context, chat Address, update int64, n int) error {
	tag := s.chatTag(chat)
	keys := []string{s.updatesKey(tag), s.repliesKey(tag, update), s.oldUpdateKey(tag, update)}
	if err := s.batch.run(ctx, markSentScript, keys, update, n).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("mark sent: %w", err)
	}
	return nil
}

// forgetScript deletes a chat's state and its handled-update records, only
// if nobody saved the state since it was loaded (an update is recorded only
// together with a state write, so the keys found before are all there is).
// It returns 1, or 0 on a version conflict.
var forgetScript = redis.NewScript(`
local v = redis.call('HGET', KEYS[1], 'v')
if (v or '0') ~= ARGV[1] then return 0 end
for i = 1, #KEYS do redis.call('DEL', KEYS[i]) end
return 1
`)

// forget deletes every key of a chat (/borrar): its state and the records
// of its handled updates, whose names carry the chat's keyed hash. The
// update being handled is not recorded: if it comes again it is handled
// again, which for an erasure finds nothing left to erase.
func (s *Store) forget(ctx context.Context, l *loaded) error {
	s.cache.drop(l.tag)
	keys, err := s.chatKeys(ctx, l.tag)
	if err != nil {
		return err
	}
	res, err := forgetScript.Run(ctx, s.rdb, keys, l.version).Int64()
	switch {
	case err != nil:
		return fmt.Errorf("forget chat: %w", err)
	case res == 0:
		return ErrConflict
	}
	return nil
}

// chatKeys returns the state key of a chat, first, and every other key
// hash-tagged with the chat's keyed hash: its handled updates, and what
// channels keep about it under the same tag (the Telegram adapter's
// message ids, msgs:{chat}). Keeping a chat's keys under its tag is the
// convention that lets /borrar find them all.
func (s *Store) chatKeys(ctx context.Context, tag string) ([]string, error) {
	state := s.stateKey(tag)
	keys := []string{state}
	// The tag is hex and braces are not special in SCAN patterns.
	iter := s.rdb.Scan(ctx, 0, s.prefix+"*{"+tag+"}*", 1000).Iterator()
	for iter.Next(ctx) {
		if k := iter.Val(); k != state {
			keys = append(keys, k)
		}
	}
	if err := iter.Err(); err != nil {
		return nil, fmt.Errorf("list chat keys: %w", err)
	}
	return keys, nil
}

// Forget deletes every key of a chat (its state and handled-update
// records) outside of any event: for tools and tests. The engine erases
// through the event that asked for it (/borrar).
func (s *Store) Forget(ctx context.Context, chat Address) error {
	s.cache.drop(s.chatTag(chat))
	keys, err := s.chatKeys(ctx, s.chatTag(chat))
	if err != nil {
		return err
	}
	if err := s.rdb.Del(ctx, keys...).Err(); err != nil {
		return fmt.Errorf("forget chat: %w", err)
	}
	return nil
}

// Ping reports whether Redis answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.rdb.Ping(ctx).Err()
}
