package bot_test

import (
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
