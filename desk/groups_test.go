package desk_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/acercate/acercate/desk"
	"github.com/acercate/acercate/flows"
)

// The bot was removed from the staff group: the ticket waits, the group
// is tried again less and less often (not every round), the log says so
// once, and the ticket reaches staff when the group is back.
func TestUnreachableGroupBacksOff(t *testing.T) {
	h := newHarness(t)
	var logs bytes.Buffer
	d, err := desk.New(desk.Config{Store: h.env.Store, Engine: h.env.Engine, Sender: h.rec, Staff: h.staff,
		Now: h.env.Clock.Now, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	h.desk = d
	ctx := context.Background()
	h.rec.fail = map[int64]error{group: &flows.SendError{Kind: flows.SendBlocked, Err: errors.New("Forbidden: bot was kicked from the group chat")}}
	h.person("/start")
	h.person("quiero hablar con una persona")
	h.person("Necesito ayuda, soy Juana")

	// Rounds every 2 s for an hour: tries at 0, 5, 15, 35, 75 s... then
	// every 10 minutes.
	for i := 0; i < 1800; i++ {
		h.run()
		h.env.Clock.Advance(2 * time.Second)
	}
	if n := h.rec.tries[group]; n < 8 || n > 16 {
		t.Fatalf("%d tries in an hour, want about 13 (backing off to every 10 min)", n)
	}
	down, err := h.env.Store.Tickets().StaffGroupsDown(ctx)
	if err != nil {
		t.Fatal(err)
	}
	g, ok := down[group]
	if !ok || g.Failures != h.rec.tries[group] || g.Error != "blocked" || g.Next.Sub(h.env.Clock.Now()) > 10*time.Minute {
		t.Fatalf("group state: %+v (%v)", g, ok)
	}
	if n := strings.Count(logs.String(), "staff group unreachable"); n != 1 {
		t.Errorf("logged unreachable %d times, want once:\n%s", n, logs.String())
	}

	// A staff member adds the bot back: at the next try the ticket is
	// announced, once, and the log says the group is back.
	delete(h.rec.fail, group)
	for i := 0; i < 300; i++ {
		h.run()
		h.env.Clock.Advance(2 * time.Second)
	}
	ann, _ := h.rec.to(group)
	if len(ann) != 1 || !strings.Contains(ann[0].Text, "Nuevo caso T1") {
		t.Fatalf("after the group came back: %s", texts(ann))
	}
	if down, _ := h.env.Store.Tickets().StaffGroupsDown(ctx); len(down) != 0 {
		t.Errorf("still down: %+v", down)
	}
	if n := strings.Count(logs.String(), "staff group reachable again"); n != 1 {
		t.Errorf("logged reachable %d times, want once", n)
	}
	for _, secret := range []string{"Juana", "Necesito", strconv.FormatInt(group, 10), "kicked"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("%q in the log:\n%s", secret, logs.String())
		}
	}
}
