package flows_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/flows"
)

// A chat's update records share one Redis hash; a chat that writes all
// day keeps a day of them, not every one since the hash was made.
func TestUpdateRecordsKeepADay(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	p := newPerson(t, env, nil, 31, "es")
	rdb, key := env.Redis.Client, env.Engine.Store().UpdatesKey(flows.Telegram(31))
	records := func() int {
		n := 0
		for f := range rdb.HGetAll(ctx, key).Val() {
			if f != "p" {
				n++
			}
		}
		return n
	}
	for range 40 {
		env.Clock.Advance(10 * time.Second) // under the flood limit
		p.text("hola")
	}
	if n := records(); n != 40 {
		t.Fatalf("%d records for 40 updates", n)
	}
	env.Advance(t, 23*time.Hour)
	p.text("hola")
	if n := records(); n != 41 {
		t.Fatalf("%d records after 23 h, want all 41 (none a day old)", n)
	}
	env.Advance(t, 2*time.Hour)
	last := p.next + 1
	p.text("hola")
	if n := records(); n != 2 {
		t.Fatalf("%d records after 25 h, want the last 2", n)
	}
	// The records kept still tell a redelivery from a new update.
	ev := flows.Event{UpdateID: last, ChatID: p.addr, UserID: p.addr, Lang: "es", Kind: flows.EventText, Text: "hola"}
	if out, err := env.Engine.Handle(ctx, ev); err != nil || !out.Duplicate {
		t.Fatalf("a redelivered update = %+v, %v", out, err)
	}
	// Old records are looked for at most once an hour: within the hour
	// one a day old stays.
	env.Advance(t, 30*time.Minute)
	for range 40 {
		env.Clock.Advance(10 * time.Second)
		p.text("hola")
	}
	env.Advance(t, 24*time.Hour-10*time.Minute)
	p.text("hola") // the 40 are 23 h 50 min old, the 2 before them older: dropped
	env.Clock.Advance(20 * time.Minute)
	p.text("hola") // the 40 are a day and 10 min old, but the last look was 20 min ago
	if n := records(); n != 42 {
		t.Fatalf("%d records, want 42: old ones dropped before the hour", n)
	}
	env.Clock.Advance(time.Hour)
	p.text("hola")
	if n := records(); n != 3 {
		t.Fatalf("%d records an hour later, want the last 3", n)
	}
}

// Records written by the version before (a hash per update, its sealed
// replies in r) still say an update was handled, still give its
// undelivered replies, and are still marked delivered.
func TestUpdateRecordsOfTheVersionBefore(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	p := newPerson(t, env, nil, 32, "es")
	p.command("start", "")
	rdb := env.Redis.Client
	const update = 32999
	old := env.Redis.Prefix + "up:{" + env.Keys.ChatHash(flows.Telegram(32)) + "}:" + strconv.Itoa(update)
	replies := []flows.Reply{{Kind: flows.SendText, ChatID: p.addr, Text: "uno"}, {Kind: flows.SendText, ChatID: p.addr, Text: "dos"}}
	js, _ := json.Marshal(replies)
	rdb.HSet(ctx, old, "n", 2, "s", 1, "r", env.Keys.Seal(js, []byte(old)))
	rdb.Expire(ctx, old, time.Hour)

	ev := flows.Event{UpdateID: update, ChatID: p.addr, UserID: p.addr, Lang: "es", Kind: flows.EventText, Text: "hola"}
	out, err := env.Engine.Handle(ctx, ev)
	if err != nil || !out.Duplicate || out.Sent != 1 || len(out.Replies) != 1 || out.Replies[0].Text != "dos" {
		t.Fatalf("handled before the upgrade = %+v, %v", out, err)
	}
	if err := env.Engine.Delivered(ctx, ev, 2); err != nil {
		t.Fatal(err)
	}
	if s := rdb.HGet(ctx, old, "s").Val(); s != "2" || rdb.HExists(ctx, old, "r").Val() {
		t.Fatalf("the old record after delivery: s=%q, r kept %v", s, rdb.HExists(ctx, old, "r").Val())
	}
	if out, err := env.Engine.Handle(ctx, ev); err != nil || !out.Duplicate || len(out.Replies) != 0 {
		t.Fatalf("again = %+v, %v", out, err)
	}
}
