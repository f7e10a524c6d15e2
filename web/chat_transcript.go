package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"sync"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/secret"
	"github.com/redis/go-redis/v9"
)

// A web visitor's chat is shown from a transcript: what they sent and
// what the bot and staff answered, the last transcriptMax messages. It is
// what Telegram's own servers keep for a Telegram chat; here it lives in
// Redis beside the conversation state, sealed under the data key, under a
// keyed hash of the session, with the state's TTL, and goes with /borrar
// and the quick exit.

// transcriptMax is how many messages a transcript keeps.
const transcriptMax = 40

// transcript is one visitor's chat.
type transcript struct {
	// Version grows with every change; a live page asks for what changed
	// after the version it has.
	Version int64 `json:"v"`
	// Next is the sequence number of the next message.
	Next int64     `json:"n"`
	Msgs []message `json:"m,omitempty"`
	// Keyboard is the bot's reply keyboard (a "send my location" button),
	// shown by the message field until a reply removes it.
	Keyboard [][]flows.KeyButton `json:"kb,omitempty"`
	// Away counts the staff replies delivered while no page was open.
	Away int `json:"away,omitempty"`
	// Recent are the nonces of the visitor's last forms ("u"), so a form
	// sent twice shows once, and Updates the update id each was handled
	// under (the same index; a transcript from before has none, and its
	// nonces were the update ids), so it is handled once.
	Recent  []int64 `json:"u,omitempty"`
	Updates []int64 `json:"uu,omitempty"`
	// Last is the last update id given to the engine (nextUpdate).
	Last int64 `json:"lu,omitempty"`
	// Photos is true while the visitor may have photos in a denuncia's
	// draft (chat_photos.go settles them after each update).
	Photos bool `json:"ph,omitempty"`
}

// recentMax is how many update ids a transcript remembers.
const recentMax = 32

func (t *transcript) seen(nonce int64) (update int64, ok bool) {
	for i, u := range t.Recent {
		if u == nonce {
			if i < len(t.Updates) {
				return t.Updates[i], true
			}
			return nonce, true
		}
	}
	return 0, false
}

// remember records that the form nonce was handled as update.
func (t *transcript) remember(nonce, update int64) {
	if len(t.Updates) != len(t.Recent) {
		// From a transcript before Updates: its nonces were the ids.
		t.Updates = append(t.Updates[:0:0], t.Recent...)
	}
	t.Recent = append(t.Recent, nonce)
	t.Updates = append(t.Updates, update)
	if n := len(t.Recent); n > recentMax {
		t.Recent = append(t.Recent[:0:0], t.Recent[n-recentMax:]...)
		t.Updates = append(t.Updates[:0:0], t.Updates[n-recentMax:]...)
	}
}

// nextUpdate is the update id of a form the visitor sends: it grows with
// every form, and across an erasure, which forgets the transcript. The
// engine's erasure tombstone says "updates up to this id are covered"
// (flows.Privacy.ErasedUpTo), as Telegram's growing update ids allow: a
// random id, as the form's nonce is, would be taken for an erased one
// half of the time for two days after /borrar. Microseconds of the
// wall clock (not the portal's clock: this is order, not time) stay
// below 2^53 and cannot repeat across the erasure's own handling.
func (t *transcript) nextUpdate() int64 {
	u := time.Now().UnixMicro()
	if u <= t.Last {
		u = t.Last + 1
	}
	t.Last = u
	return u
}

// message is one message of a transcript.
type message struct {
	// Seq is the message's id in the conversation (Event.MessageID of a
	// tap on its buttons, Reply.MessageID of an edit).
	Seq int64 `json:"s"`
	// Rev is the transcript version that last changed the message.
	Rev int64 `json:"r"`
	// Mine is true for what the visitor sent.
	Mine    bool             `json:"me,omitempty"`
	Text    string           `json:"t,omitempty"`
	Buttons [][]flows.Button `json:"b,omitempty"`
	// Photo is true for a photo the visitor attached (never shown again:
	// it is sealed in the store for the denuncia, not in the transcript).
	Photo bool  `json:"p,omitempty"`
	At    int64 `json:"at"`

	// enc is the message's JSON as of its revision encRev (encode), so a
	// message that did not change is not encoded again with every change
	// of its transcript. Rev changes with every change of a message (the
	// live pages rely on it too), so a stale enc is never written.
	enc    []byte
	encRev int64
}

// changedSince returns the messages changed after version v.
func (t *transcript) changedSince(v int64) []message {
	var out []message
	for _, m := range t.Msgs {
		if m.Rev > v {
			out = append(out, m)
		}
	}
	return out
}

// add appends a message and returns its sequence number.
func (t *transcript) add(m message, now time.Time) int64 {
	t.Version++
	t.Next++
	m.Seq, m.Rev, m.At = t.Next, t.Version, now.UnixMilli()
	m.enc = nil
	t.Msgs = append(t.Msgs, m)
	if n := len(t.Msgs); n > transcriptMax {
		t.Msgs = append(t.Msgs[:0:0], t.Msgs[n-transcriptMax:]...)
	}
	return m.Seq
}

// edit replaces a message's text and buttons; false when it is no longer
// in the transcript.
func (t *transcript) edit(seq int64, text string, buttons [][]flows.Button) bool {
	for i := range t.Msgs {
		if t.Msgs[i].Seq == seq && !t.Msgs[i].Mine {
			t.Version++
			t.Msgs[i].Text, t.Msgs[i].Buttons, t.Msgs[i].Rev = text, buttons, t.Version
			return true
		}
	}
	return false
}

// encode is t's JSON, as json.Marshal writes it but for the order of its
// fields, from its messages' own JSON (enc) where they did not change
// since: encoding up to transcriptMax messages on each of a message's
// three changes was the largest part of the transcript's cost.
func (t *transcript) encode() ([]byte, error) {
	msgs := t.Msgs
	t.Msgs = nil
	head, err := json.Marshal(t) // never empty: "v" and "n" are always written
	t.Msgs = msgs
	if err != nil || len(msgs) == 0 {
		return head, err
	}
	size := len(head) + 8
	for i := range msgs {
		m := &msgs[i]
		if m.enc == nil || m.encRev != m.Rev {
			if m.enc, err = json.Marshal(m); err != nil {
				return nil, err
			}
			m.encRev = m.Rev
		}
		size += len(m.enc) + 1
	}
	out := make([]byte, 0, size)
	out = append(out, `{"m":[`...)
	for i := range msgs {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, msgs[i].enc...)
	}
	out = append(out, "],"...)
	return append(out, head[1:]...), nil
}

// transcripts keeps the visitors' transcripts in Redis.
type transcripts struct {
	rdb    redis.UniversalClient
	keys   *secret.Keys
	prefix string
	ttl    time.Duration
	// slots serialise the changes to one visitor's transcript within this
	// process (the runner's replies and the desk's staff replies may come
	// at the same time), and each remembers the last transcript read or
	// written under it.
	slots [1024]transcriptSlot
}

// transcriptSlot is one lock of transcripts and what it remembers: the
// key, the sealed bytes and the decoded transcript last read or written.
// A read of the same key that finds the same sealed bytes in Redis (each
// sealing is unique, so the same bytes are the same version) uses a copy
// of it instead of opening and decoding them again: a message's replies
// each change the transcript, and decoding up to transcriptMax messages
// was a third of the web chat's CPU per message. Redis stays the one
// truth: the bytes are read there every time, and a transcript another
// replica wrote is decoded as before.
type transcriptSlot struct {
	mu     sync.Mutex
	key    string
	sealed []byte
	t      *transcript
}

func (ts *transcripts) key(visitor string) string {
	return ts.prefix + "web:t:" + ts.keys.Hash("web.transcript", visitor)
}

func (ts *transcripts) slot(visitor string) *transcriptSlot {
	h := fnv.New32a()
	h.Write([]byte(visitor))
	return &ts.slots[h.Sum32()%uint32(len(ts.slots))]
}

// clone is a copy of t that changing (add, edit, remember) leaves t as
// it was: the slices that are changed in place are copied.
func (t *transcript) clone() *transcript {
	c := *t
	c.Msgs = slices.Clone(t.Msgs)
	c.Recent = slices.Clone(t.Recent)
	c.Updates = slices.Clone(t.Updates)
	return &c
}

// get reads a visitor's transcript; a missing one is empty.
func (ts *transcripts) get(ctx context.Context, visitor string) (*transcript, error) {
	sl := ts.slot(visitor)
	sl.mu.Lock()
	defer sl.mu.Unlock()
	return ts.read(ctx, sl, ts.key(visitor))
}

// read reads the transcript at key, under its slot's lock.
func (ts *transcripts) read(ctx context.Context, sl *transcriptSlot, key string) (*transcript, error) {
	raw, err := ts.rdb.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		// Gone (its TTL, an erasure elsewhere): so is what was kept of it.
		if sl.key == key {
			sl.key, sl.sealed, sl.t = "", nil, nil
		}
		return &transcript{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read transcript: %w", err)
	}
	if sl.key == key && bytes.Equal(raw, sl.sealed) {
		return sl.t.clone(), nil
	}
	plain, err := ts.keys.Open(raw, []byte(key))
	if err != nil {
		return nil, fmt.Errorf("open transcript: %w", err)
	}
	t := &transcript{}
	if err := json.Unmarshal(plain, t); err != nil {
		return nil, fmt.Errorf("decode transcript: %w", err)
	}
	sl.key, sl.sealed, sl.t = key, raw, t.clone()
	return t, nil
}

// change applies fn to a visitor's transcript and saves it, renewing its
// TTL; fn returns false to leave it as it was.
func (ts *transcripts) change(ctx context.Context, visitor string, fn func(*transcript) bool) (*transcript, error) {
	sl := ts.slot(visitor)
	sl.mu.Lock()
	defer sl.mu.Unlock()
	key := ts.key(visitor)
	t, err := ts.read(ctx, sl, key)
	if err != nil {
		return nil, err
	}
	if !fn(t) {
		return t, nil
	}
	plain, err := t.encode()
	if err != nil {
		return nil, err
	}
	sealed := ts.keys.Seal(plain, []byte(key))
	if err := ts.rdb.Set(ctx, key, sealed, ts.ttl).Err(); err != nil {
		// What Redis holds now is unknown: read it afresh next time.
		sl.key, sl.sealed, sl.t = "", nil, nil
		return nil, fmt.Errorf("save transcript: %w", err)
	}
	sl.key, sl.sealed, sl.t = key, sealed, t.clone()
	return t, nil
}

// forget deletes a visitor's transcript.
func (ts *transcripts) forget(ctx context.Context, visitor string) error {
	sl := ts.slot(visitor)
	sl.mu.Lock()
	defer sl.mu.Unlock()
	sl.key, sl.sealed, sl.t = "", nil, nil
	if err := ts.rdb.Del(ctx, ts.key(visitor)).Err(); err != nil {
		return fmt.Errorf("delete transcript: %w", err)
	}
	return nil
}
