package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acercate/acercate/flows"
)

var ticketT0 = time.Date(2026, 11, 16, 16, 0, 0, 0, time.UTC)

func openTicket(t *testing.T, db *DB, n int, priority string) flows.Ticket {
	t.Helper()
	src := "p" + strconv.Itoa(n) + ":" + strconv.Itoa(n)
	first := &flows.Relay{Source: src, Direction: flows.RelayIn, Kind: flows.RelayText, Text: "necesito ayuda " + strconv.Itoa(n), At: ticketT0}
	k, err := db.Tickets().Open(context.Background(), flows.NewTicket{Source: src, Person: "p" + strconv.Itoa(n),
		Chat: flows.Telegram(9000 + int64(n)), Lang: "es", Modulo: "tapachula", StaffChat: -100, Priority: priority, At: ticketT0.Add(time.Duration(n) * time.Minute)},
		first, flows.Request{UpdateID: int64(n), At: ticketT0, Person: "p" + strconv.Itoa(n), Kind: "text", Flow: "human"})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestTicketOpenIsIdempotentAndSealsTheChat(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	a := openTicket(t, db, 1, "")
	b := openTicket(t, db, 1, "")
	if a.ID != b.ID || a.Code() != "T1" || a.Chat != flows.Telegram(9001) || a.Status != flows.TicketOpen || a.Priority != flows.PriorityNormal {
		t.Fatalf("opened %+v then %+v", a, b)
	}
	var n int
	db.db.QueryRow(`SELECT count(*) FROM relays`).Scan(&n)
	if n != 1 {
		t.Fatalf("%d relays after opening twice", n)
	}
	reqs, _ := db.Requests(ctx)
	if len(reqs) != 1 {
		t.Fatalf("%d request rows", len(reqs))
	}
	// Neither the chat id nor the message is stored in plain form.
	var chat, body string
	db.db.QueryRow(`SELECT chat FROM tickets`).Scan(&chat)
	db.db.QueryRow(`SELECT body FROM relays`).Scan(&body)
	if strings.Contains(chat, "9001") || strings.Contains(body, "ayuda") {
		t.Fatalf("plain data stored: %q %q", chat, body)
	}
	cur, err := db.Tickets().Current(ctx, "p1")
	if err != nil || cur.ID != a.ID {
		t.Fatalf("current = %+v, %v", cur, err)
	}
	if _, err := db.Tickets().Current(ctx, "nobody"); !errors.Is(err, flows.ErrNoTicket) {
		t.Fatalf("current of nobody: %v", err)
	}
}

func TestTakeIsAtomic(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	k := openTicket(t, db, 1, "")
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, errs[i] = db.Tickets().Take(ctx, k.ID, "staff"+strconv.Itoa(i), ticketT0)
		}(i)
	}
	wg.Wait()
	won, lost := 0, 0
	winner := ""
	for i, err := range errs {
		switch {
		case err == nil:
			won++
			winner = "staff" + strconv.Itoa(i)
		case errors.Is(err, flows.ErrTicketTaken):
			lost++
		default:
			t.Fatalf("take: %v", err)
		}
	}
	if won != 1 || lost != 7 {
		t.Fatalf("%d won, %d lost", won, lost)
	}
	got, _ := db.Tickets().Get(ctx, k.ID)
	if got.TakenBy != winner || got.Status != flows.TicketTaken {
		t.Fatalf("taken by %q (%s), winner %q", got.TakenBy, got.Status, winner)
	}
	if _, err := db.Tickets().Close(ctx, k.ID, winner, ticketT0, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Tickets().Take(ctx, k.ID, "late", ticketT0); !errors.Is(err, flows.ErrTicketClosed) {
		t.Fatalf("take closed: %v", err)
	}
	if _, err := db.Tickets().Close(ctx, k.ID, winner, ticketT0, nil); !errors.Is(err, flows.ErrTicketClosed) {
		t.Fatalf("close twice: %v", err)
	}
	if _, err := db.Tickets().Close(ctx, 999, winner, ticketT0, nil); !errors.Is(err, flows.ErrNoTicket) {
		t.Fatalf("close unknown: %v", err)
	}
}

func TestTicketTimesFromTheClock(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	tk := db.Tickets()
	k := openTicket(t, db, 0, flows.PriorityUrgent) // opened at ticketT0
	tk.Take(ctx, k.ID, "ana", ticketT0.Add(2*time.Minute))
	for i, d := range []time.Duration{7 * time.Minute, 9 * time.Minute} {
		if err := tk.Relay(ctx, flows.Relay{Ticket: k.ID, Source: "s" + strconv.Itoa(i), Direction: flows.RelayOut,
			Kind: flows.RelayText, Text: "hola", By: "ana", At: ticketT0.Add(d)}); err != nil {
			t.Fatal(err)
		}
	}
	tk.Close(ctx, k.ID, "ana", ticketT0.Add(45*time.Minute), nil)
	times, err := tk.TicketTimes(ctx, ticketT0.Add(-time.Hour), ticketT0.Add(time.Hour))
	if err != nil || len(times) != 1 {
		t.Fatalf("times = %v, %v", times, err)
	}
	if times[0].FirstResponse != 7*time.Minute || times[0].Resolution != 45*time.Minute || times[0].Priority != "urgent" {
		t.Fatalf("times = %+v", times[0])
	}
}

func TestRelayDeliveryIsRecorded(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	tk := db.Tickets()
	k := openTicket(t, db, 1, "")
	tk.Relay(ctx, flows.Relay{Ticket: k.ID, Source: "x", Direction: flows.RelayIn, Kind: flows.RelayLocation,
		Location: &flows.Location{Lat: 14.9, Lon: -92.26}, At: ticketT0})
	tk.Relay(ctx, flows.Relay{Ticket: k.ID, Source: "x", Direction: flows.RelayIn, Kind: flows.RelayText, Text: "dup", At: ticketT0})
	p, err := tk.PendingRelays(ctx, ticketT0, 10)
	if err != nil || len(p) != 2 || p[1].Location == nil || p[1].Location.Lat != 14.9 || p[0].Text != "necesito ayuda 1" {
		t.Fatalf("pending = %+v, %v", p, err)
	}
	tk.RelayDelivered(ctx, p[0].ID, 77, ticketT0)
	tk.RelayAttemptFailed(ctx, p[1].ID, "network", ticketT0.Add(time.Minute))
	if p, _ := tk.PendingRelays(ctx, ticketT0, 10); len(p) != 0 {
		t.Fatalf("retried too early: %+v", p)
	}
	p, _ = tk.PendingRelays(ctx, ticketT0.Add(time.Minute), 10)
	if len(p) != 1 || p[0].Attempts != 1 || p[0].Error != "network" {
		t.Fatalf("due again: %+v", p)
	}
	tk.RelayAttemptFailed(ctx, p[0].ID, "blocked", time.Time{})
	f, _ := tk.FailedUnreported(ctx, 10)
	if len(f) != 1 || f[0].Status != flows.RelayFailed || f[0].Attempts != 2 {
		t.Fatalf("failed = %+v", f)
	}
	tk.RelayReported(ctx, f[0].ID)
	if f, _ := tk.FailedUnreported(ctx, 10); len(f) != 0 {
		t.Fatalf("reported twice: %+v", f)
	}
	all, _ := tk.Relays(ctx, k.ID)
	if len(all) != 2 || all[0].Status != "delivered" || all[0].Message != 77 {
		t.Fatalf("relays = %+v", all)
	}
}

func TestAnnounceOrderAndThread(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	tk := db.Tickets()
	openTicket(t, db, 1, "")
	u := openTicket(t, db, 2, flows.PriorityUrgent)
	list, _ := tk.ToAnnounce(ctx, 10)
	if len(list) != 2 || list[0].ID != u.ID {
		t.Fatalf("urgent not first: %+v", list)
	}
	tk.Announced(ctx, u.ID, -100, 500, ticketT0)
	tk.Announced(ctx, u.ID, -100, 600, ticketT0.Add(10*time.Minute))
	got, _ := tk.Get(ctx, u.ID)
	if got.GroupMessage != 500 || got.Announcements != 2 {
		t.Fatalf("thread = %+v", got)
	}
	for _, m := range []int64{500, 600} {
		if id, err := tk.ByMessage(ctx, -100, m); err != nil || id != u.ID {
			t.Fatalf("message %d → %d, %v", m, id, err)
		}
	}
	if r, _ := tk.ToReannounce(ctx, ticketT0.Add(5*time.Minute), 10); len(r) != 0 {
		t.Fatalf("re-announced too early: %+v", r)
	}
	if r, _ := tk.ToReannounce(ctx, ticketT0.Add(20*time.Minute), 10); len(r) != 1 {
		t.Fatalf("not re-announced: %+v", r)
	}
	active, _ := tk.Active(ctx, -100)
	if len(active) != 2 || active[0].ID != u.ID {
		t.Fatalf("active = %+v", active)
	}
}

func TestForgetAndPurgeTickets(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	tk := db.Tickets()
	a := openTicket(t, db, 1, "")
	b := openTicket(t, db, 2, "")
	openTicket(t, db, 3, "")
	tk.Note(ctx, b.ID, "ana", "llamar mañana", ticketT0)
	tk.Announced(ctx, b.ID, -100, 5, ticketT0)
	tk.Close(ctx, b.ID, "ana", ticketT0.Add(time.Hour), nil)
	notes, err := tk.Notes(ctx, b.ID)
	if err != nil || len(notes) != 1 || notes[0].Text != "llamar mañana" {
		t.Fatalf("notes = %+v, %v", notes, err)
	}
	err = db.tx(ctx, func(tx *sql.Tx) error { return forgetTickets(ctx, tx, "p1", ticketT0.Add(time.Minute)) })
	if err != nil {
		t.Fatal(err)
	}
	// The open ticket of the erased person is closed and stripped: nothing
	// leads to them, and their messages are gone; the week still counts it.
	if k, err := tk.Get(ctx, a.ID); err != nil || k.Status != "closed" || k.Person != "" || !k.Chat.IsZero() ||
		!k.ClosedAt.Equal(ticketT0.Add(time.Minute)) {
		t.Fatalf("forgotten ticket reads as %+v, %v", k, err)
	}
	if _, err := tk.Current(ctx, "p1"); !errors.Is(err, flows.ErrNoTicket) {
		t.Fatalf("the erased person still has a ticket: %v", err)
	}
	var kept int
	db.db.QueryRow(`SELECT count(*) FROM relays WHERE ticket = ?`, a.ID).Scan(&kept)
	if kept != 0 {
		t.Fatalf("%d relays of the forgotten ticket kept", kept)
	}
	// Nothing is left for the desk to edit: a stripped ticket does not
	// stay in the partial index of announcements to refresh.
	var stale int
	db.db.QueryRow(`SELECT count(*) FROM tickets WHERE person = '' AND shown_status <> status`).Scan(&stale)
	if stale != 0 {
		t.Fatalf("%d stripped tickets still wait for their announcement to be edited", stale)
	}
	var c TicketCounts
	db.tx(ctx, func(tx *sql.Tx) error { c, err = purgeTickets(ctx, tx, ticketT0.Add(2*time.Hour), true); return err })
	if c != (TicketCounts{Tickets: 1, Relays: 1, Notes: 1, Messages: 1}) {
		t.Fatalf("dry run counts %+v", c)
	}
	if _, err := tk.Get(ctx, b.ID); err != nil {
		t.Fatalf("dry run deleted: %v", err)
	}
	db.tx(ctx, func(tx *sql.Tx) error { c, err = purgeTickets(ctx, tx, ticketT0.Add(2*time.Hour), false); return err })
	var person string
	db.db.QueryRow(`SELECT person FROM tickets WHERE id = ?`, b.ID).Scan(&person)
	if person != "" {
		t.Fatalf("purged ticket still linked to its person")
	}
	// Staff asking for it (/cerrar T2) read a closed ticket, not an error.
	if k, err := tk.Get(ctx, b.ID); err != nil || k.Status != "closed" || !k.Chat.IsZero() {
		t.Fatalf("purged ticket reads as %+v, %v", k, err)
	}
	var left int
	db.db.QueryRow(`SELECT count(*) FROM relays`).Scan(&left)
	if left != 1 { // ticket 3's first message: open tickets are never purged
		t.Fatalf("%d relays left", left)
	}
}

func TestWaitEstimate(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	tk := db.Tickets()
	w, _ := tk.Wait(ctx, ticketT0)
	if w.Ahead != 0 || w.Typical != 0 {
		t.Fatalf("empty wait = %+v", w)
	}
	for i, d := range []time.Duration{5, 10, 30} {
		k := openTicket(t, db, i+1, "")
		tk.Relay(ctx, flows.Relay{Ticket: k.ID, Source: "r" + strconv.Itoa(i), Direction: flows.RelayOut, Kind: "text",
			By: "ana", At: k.OpenedAt.Add(d * time.Minute)})
	}
	openTicket(t, db, 9, "")
	w, _ = tk.Wait(ctx, ticketT0.Add(time.Hour))
	if w.Ahead != 4 || w.Typical != 10*time.Minute {
		t.Fatalf("wait = %+v", w)
	}
}
