package bot_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/acercate/acercate/bot/telegramtest"
	"github.com/acercate/acercate/flows"
)

// Someone adds the bot to a group of their own and sends 20 commands:
// the bot answers once, leaves the group, and a newcomer writing at the
// same time is answered as usual.
func TestRandomGroupCostsOneReply(t *testing.T) {
	h := newHarnessWith(t, flows.Config{Staff: flows.StaffConfig{Chat: -100200, Users: []int64{501}, Lang: "es"}}, nil)
	const stranger = int64(-777)
	h.tg.Group(stranger)
	for i := 0; i < 20; i++ {
		h.tg.Command(stranger, telegramtest.Person{ID: 42, FirstName: "X"}, "/menu@AcercateBot")
	}
	h.tg.Command(7001, telegramtest.Person{ID: 7001, FirstName: "Ana", Lang: "es"}, "/start")
	h.run()
	h.settled("the group's commands")
	if got := h.tg.BotMessages(stranger); len(got) > 1 {
		t.Fatalf("%d replies in a group that is no staff group: %q", len(got), texts(got))
	}
	if n := len(h.tg.CallsTo("leaveChat")); n != 1 || !h.tg.Left(stranger) {
		t.Fatalf("leaveChat called %d times; left: %v", n, h.tg.Left(stranger))
	}
	if len(h.tg.BotMessages(7001)) == 0 {
		t.Fatal("the newcomer was not answered")
	}
}

// 60 locations off the globe in a burst are flood-limited like any other
// event: the person is answered up to the flood burst and asked once to
// slow down, not 60 times.
func TestInvalidEventsAreFloodLimited(t *testing.T) {
	h := newHarnessWith(t, flows.Config{FloodRate: 0.5, FloodBurst: 20}, nil)
	p := telegramtest.Person{ID: 7002, FirstName: "B", Lang: "es"}
	for i := 0; i < 60; i++ {
		h.tg.Location(7002, p, 999, 999)
	}
	h.run()
	h.settled("60 bad locations")
	waitFor(t, 5*time.Second, "replies", func() bool { return len(h.tg.BotMessages(7002)) > 0 })
	if n := len(h.tg.BotMessages(7002)); n > 21 {
		t.Fatalf("%d replies to 60 bad locations, want at most the burst (20) and one request to slow down", n)
	}
}

// The review's finding: a person erased everything (/borrar), and in the
// same polling batch another chat's reply failed (502) so the batch was
// handled again — and the person's keyed hash came back in requests,
// person_weeks, person_years and Redis right after "Listo, borré". The
// erasure's tombstone now makes the re-handled updates record nothing.
func TestErasureSurvivesABatchRetry(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	juana := telegramtest.Person{ID: 7101, FirstName: "Juana", Lang: "es"}
	other := telegramtest.Person{ID: 7102, FirstName: "Otro", Lang: "es"}
	stop := h.run()
	h.tg.Command(juana.ID, juana, "/start")
	h.tg.Command(other.ID, other, "/start")
	h.tg.Command(juana.ID, juana, "/borrar")
	h.settled("before the erasure")
	waitFor(t, 5*time.Second, "the question", func() bool { return contains(h.tg.BotMessages(juana.ID), "borrar") })
	stop()

	// One batch: Juana confirms, the other person writes, and every send
	// of the other's answer fails (502) for this first pass.
	if _, err := h.tg.TapLabel(juana.ID, juana, "Sí, borrar todo"); err != nil {
		t.Fatal(err)
	}
	h.tg.Text(other.ID, other, "hola")
	h.tg.Fail("sendMessage", 6, 502, "Bad Gateway", 0)
	h.open()
	h.run()
	h.settled("the retried batch")
	if n := len(h.tg.BotMessages(other.ID)); n < 2 {
		t.Fatalf("the other person's message was never answered (%d messages)", n)
	}
	person := h.env.Keys.Hash("person", strconv.FormatInt(juana.ID, 10))
	for _, table := range []string{"requests", "person_weeks", "person_years"} {
		var n int
		if err := h.env.Store.SQL().QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE person = ?`, person).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d rows of the erased person in %s after the batch was handled again", n, table)
		}
	}
	if _, ok, err := h.env.Engine.Store().LoadState(ctx, flows.Telegram(juana.ID)); err != nil || ok {
		t.Errorf("the erased person has state in Redis again (ok=%v, err=%v)", ok, err)
	}
	// She may come back later: a new message starts a new conversation.
	h.tg.Command(juana.ID, juana, "/start")
	h.settled("coming back")
	if _, ok, _ := h.env.Engine.Store().LoadState(ctx, flows.Telegram(juana.ID)); !ok {
		t.Error("a new message after the erasure was not handled")
	}
}
