package flows_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/flows"
)

// An active chat's next event takes its state from the process's cache:
// the commit is its one round trip.
func TestCachedStateSavesTheLoad(t *testing.T) {
	env := apptest.New(t)
	rt := &roundTrips{}
	env.App.Redis.AddHook(rt)
	p := newPerson(t, env, nil, 41, "es")
	ctx := context.Background()
	p.command("start", "")
	ev := p.event(flows.Event{Kind: flows.EventText, Text: "albergue"})
	rt.n.Store(0)
	out, err := env.Engine.Handle(ctx, ev)
	if err != nil || out.Duplicate || len(out.Replies) == 0 {
		t.Fatalf("handle = %+v, %v", out, err)
	}
	if n := rt.n.Load(); n != 1 {
		t.Fatalf("%d round trips for an active chat's event, want 1 (the commit)", n)
	}
	// Delivered again to this process: a duplicate, the step not run.
	gen := p.state().Gen
	again, err := env.Engine.Handle(ctx, ev)
	if err != nil || !again.Duplicate || len(again.Replies) != len(out.Replies) || p.state().Gen != gen {
		t.Fatalf("again = %+v, %v (gen %d → %d)", again, err, gen, p.state().Gen)
	}
}

// The cache is never trusted over Redis: a state saved by another replica,
// a state erased and built up again there, an update handled there, and a
// state gone from Redis are all seen by the next event.
func TestCachedStateYieldsToRedis(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	other := env.Second(t).Engine
	p := newPerson(t, env, nil, 42, "es")
	q := newPerson(t, env, other, 42, "es")
	q.next = p.next + 500 // the same chat, its updates numbered apart
	p.command("start", "")
	p.text("albergue") // this process caches the chat in the shelters flow

	// Another replica takes the chat back to the menu: the next event
	// here goes on from there, not from the cached shelter question.
	q.command("menu", "")
	before := p.state().Gen
	p.text("hola")
	if s := p.state(); s.Gen != before+1 || s.Flow == "albergues" {
		t.Fatalf("after another replica's step: %+v (gen before %d)", s, before)
	}

	// Erased there and started again: the new state's versions start at
	// a random number, not at 1, so however many steps it takes there it
	// does not come back to the version cached here.
	p.text("albergue")
	key := env.Engine.Store().StateKey(flows.Telegram(42))
	old := env.Redis.Client.HGet(ctx, key, "v").Val()
	if err := other.Store().Forget(ctx, flows.Telegram(42)); err != nil {
		t.Fatal(err)
	}
	q.command("start", "")
	if v, _ := env.Redis.Client.HGet(ctx, key, "v").Int64(); v < 1<<20 || fmt.Sprint(v) == old {
		t.Fatalf("a new state's version is %d (the erased one's %s): a count from 1 could meet the cache's", v, old)
	}
	q.text("albergue")
	q.command("menu", "")
	p.text("hola")
	if s := p.state(); s.Flow == "albergues" {
		t.Fatalf("the cached state came back after an erasure: %+v", s)
	}

	// An update the other replica handled is a duplicate here too.
	ev := q.event(flows.Event{Kind: flows.EventCommand, Command: "menu"})
	if _, err := other.Handle(ctx, ev); err != nil {
		t.Fatal(err)
	}
	gen := p.state().Gen
	out, err := env.Engine.Handle(ctx, ev)
	if err != nil || !out.Duplicate || p.state().Gen != gen {
		t.Fatalf("an update handled elsewhere = %+v, %v (gen %d → %d)", out, err, gen, p.state().Gen)
	}
	if rows := requestsOf(t, env, ev.UpdateID); len(rows) != 1 {
		t.Fatalf("%d log rows for one update", len(rows))
	}

	// Redis lost the chat (restarted empty): a new person, greeted again.
	if err := env.Redis.Client.Del(ctx, env.Engine.Store().StateKey(flows.Telegram(42))).Err(); err != nil {
		t.Fatal(err)
	}
	r := p.text("hola")
	if !has(r, msg(env, "es", "privacy.notice")) {
		t.Fatalf("after Redis lost the state: %q", texts(r))
	}
}
