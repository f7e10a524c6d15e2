package flows_test

import (
	"context"
	"testing"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/flows"
)

// After /borrar the person writes again, and only then does an update
// from before the erasure come again (a polling batch retried, a webhook
// request repeated). The state their new message created exists, so the
// engine does not ask the store's tombstone: the erasure's mark in that
// state must keep the old update from being handled and logged again —
// across the quick exit, which starts the state anew.
func TestErasureMarkOutlivesANewConversation(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	p := newPerson(t, env, nil, 4242, "es")
	first := p.event(flows.Event{Kind: flows.EventCommand, Command: "start"})
	if _, err := env.Engine.Handle(ctx, first); err != nil {
		t.Fatal(err)
	}
	p.text("albergue")
	old := p.event(flows.Event{Kind: flows.EventText, Text: "derechos"})
	if _, err := env.Engine.Handle(ctx, old); err != nil {
		t.Fatal(err)
	}
	p.tap(button(t, p.command("borrar", ""), msg(env, "es", "privacy.btn.erase_yes")))
	if _, ok, err := env.Engine.Store().LoadState(ctx, p.addr); err != nil || ok {
		t.Fatalf("state after the erasure: ok=%v err=%v", ok, err)
	}
	rowsBefore := len(requestsOf(t, env, first.UpdateID)) + len(requestsOf(t, env, old.UpdateID))

	// Back again: a new conversation, then the quick exit.
	p.command("start", "")
	p.text("albergue")
	p.command("salir", "")
	if _, ok, _ := env.Engine.Store().LoadState(ctx, p.addr); !ok {
		t.Fatal("the new conversation has no state: the test would not reach the mark")
	}
	for _, ev := range []flows.Event{first, old} {
		out, err := env.Engine.Handle(ctx, ev)
		if err != nil {
			t.Fatal(err)
		}
		if !out.Duplicate || len(out.Replies) != 0 {
			t.Errorf("update %d from before the erasure handled again: %+v", ev.UpdateID, out)
		}
	}
	if n := len(requestsOf(t, env, first.UpdateID)) + len(requestsOf(t, env, old.UpdateID)); n != rowsBefore {
		t.Errorf("%d request rows for the updates from before the erasure, were %d", n, rowsBefore)
	}
	// A new update is handled as usual.
	if r := p.text("albergue"); len(r) == 0 {
		t.Error("a new message after the erasure got no answer")
	}
}
