package desk_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/acercate/acercate/desk"
)

// second is another `acercate serve` on the same database and Redis (a
// rolling deploy's overlap), with its own desk and its own Telegram.
func (h *harness) second() (*desk.Desk, *recorder) {
	h.t.Helper()
	app := h.env.Second(h.t)
	rec := &recorder{}
	d, err := desk.New(desk.Config{Store: app.Store, Engine: app.Engine, Sender: rec, Staff: h.staff,
		Now: h.env.Clock.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		h.t.Fatal(err)
	}
	return d, rec
}

func runDesk(t *testing.T, d *desk.Desk) {
	t.Helper()
	if err := d.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestTwoProcessesOneDesk(t *testing.T) {
	h := newHarness(t)
	other, otherRec := h.second()
	// The first process holds the desk; rounds of both, interleaved,
	// deliver each thing once, all from the first.
	h.run()
	h.person("/start")
	h.person("quiero hablar con una persona")
	h.person("Necesito ayuda")
	for i := 0; i < 3; i++ {
		runDesk(t, other)
		h.run()
		h.env.Clock.Advance(2 * time.Second)
	}
	ann, ids := h.rec.to(group)
	if len(ann) != 1 || len(otherRec.sent) != 0 {
		t.Fatalf("announced %d times here and %d there", len(ann), len(otherRec.sent))
	}
	h.staffSays(ana, "Hola, aquí estamos.", ids[0])
	runDesk(t, other)
	h.run()
	if toPerson, _ := h.rec.to(migrant); len(toPerson) != 1 || len(otherRec.sent) != 0 {
		t.Fatalf("relay delivered %d times here and %d there", len(toPerson), len(otherRec.sent))
	}

	// The first stops renewing (it hangs, or was killed): until the lease
	// expires nobody delivers; then the other takes over.
	h.staffSays(ana, "¿Sigues ahí?", ids[0])
	h.env.Clock.Advance(20 * time.Second)
	runDesk(t, other)
	if len(otherRec.sent) != 0 {
		t.Fatal("taken over before the lease expired")
	}
	h.env.Clock.Advance(15 * time.Second)
	runDesk(t, other)
	if toPerson, _ := otherRec.to(migrant); len(toPerson) != 1 {
		t.Fatalf("the other did not take over: %s", texts(otherRec.sent))
	}
	// The first comes back: it stands by, and nothing goes out twice.
	h.run()
	runDesk(t, other)
	if toPerson, _ := h.rec.to(migrant); len(toPerson) != 1 {
		t.Fatalf("the old holder delivered again: %s", texts(toPerson))
	}
}

func TestDeskReleasesItsLeaseOnShutdown(t *testing.T) {
	h := newHarness(t)
	other, otherRec := h.second()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- h.desk.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		owner, _, ok, err := h.env.Store.LeaseHolder(context.Background(), "desk")
		if err != nil {
			t.Fatal(err)
		}
		if ok && owner != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the running desk never took the lease")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Same instant, no expiry waited for: the other runs at once.
	h.openTicketWith(other)
	if ann, _ := otherRec.to(group); len(ann) != 1 {
		t.Fatalf("the other did not take over after a clean shutdown: %s", texts(otherRec.sent))
	}
}

// openTicketWith opens a ticket and runs d once.
func (h *harness) openTicketWith(d *desk.Desk) {
	h.t.Helper()
	h.person("/start")
	h.person("quiero hablar con una persona")
	h.person("Hola")
	runDesk(h.t, d)
}
